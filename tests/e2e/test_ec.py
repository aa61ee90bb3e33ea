"""Erasure coding (docs/redundancy.md) on a private cluster of 1 proxy + 6 targets: EC 2+2 with
objsize_limit 256 KiB; slices and replicas land on distinct targets in HRW order after the owner
(checked on disk, with their metadata); a missing or corrupted main replica is rebuilt on GET;
two targets killed with -9: every object still GETs byte-exact through the proxy; an overwrite
during the outage wins after they return; DELETE removes the slices; ec-encode of existing
objects and --recover after slices were deleted; bad input."""
import json
import os
import random
import time

import pytest
import requests

from cluster import hrw_pick, new_bucket_name, uname
from rebutil import active_ids, smap, start_cluster, status

T = 30
D, P = 2, 2
LIMIT = 256 * 1024


@pytest.fixture(scope="module")
def ec():
    c = start_cluster(ntargets=6, started=6, nmountpaths=1)
    yield c
    c.cleanup()


def objs_0_4mib(n, seed):
    rnd = random.Random(seed)
    out = {}
    for i in range(n):
        size = int(2 ** rnd.uniform(0, 22)) - 1
        if i < 4:
            size = (0, 4 << 20, LIMIT - 1, LIMIT)[i]
        out["e%02d/o-%04d" % (i % 7, i)] = rnd.randbytes(size)
    return out


def put_all(c, bck, objs):
    from concurrent.futures import ThreadPoolExecutor
    s = requests.Session()

    def put(kv):
        r = s.put(c.obj_url(bck, kv[0]), data=kv[1], timeout=T)
        assert r.status_code == 200, (kv[0], r.status_code, r.text)
    with ThreadPoolExecutor(6) as ex:
        list(ex.map(put, objs.items()))


def node_of(c):
    sm = smap(c)
    by_port = {}
    for t in c.targets:
        by_port[t.url.rsplit(":", 1)[1]] = t
    return {tid: by_port[sm["tmap"][tid]["public_net"]["daemon_port"]] for tid in sm["tmap"]}


def hrw_order(bck, name, ids):
    from cluster import _hrw_mix, _xxh64_int
    d = _xxh64_int(uname(bck, name))
    return sorted(ids, key=lambda k: _hrw_mix(_xxh64_int(k) ^ d), reverse=True)


def ec_file(t, bck, name):
    p = os.path.join(t.mountpaths[0], "@ais", bck, "%ec", name)
    return p if os.path.isfile(p) else None


def ec_meta(path):
    return json.loads(os.getxattr(path, "user.ais.ec"))


def wait_pieces(c, bck, objs, ids, timeout=60):
    """until every object has its pieces on the targets after its owner in HRW order"""
    nodes = node_of(c)
    deadline = time.time() + timeout
    missing = None
    while time.time() < deadline:
        missing = []
        for name, body in objs.items():
            order = hrw_order(bck, name, ids)
            want = P if len(body) < LIMIT else D + P
            for i, tid in enumerate(order[1:1 + want]):
                p = ec_file(nodes[tid], bck, name)
                if not p:
                    missing.append((name, tid))
                    continue
                m = ec_meta(p)
                assert m["d"] == D and m["p"] == P and m["size"] == len(body), m
                assert m["idx"] == (0 if len(body) < LIMIT else i + 1), (name, i, m)
        if not missing:
            return
        time.sleep(0.3)
    raise AssertionError("pieces missing: %d, e.g. %s" % (len(missing), missing[:3]))


def main_file(c, bck, name):
    for t in c.targets:
        p = os.path.join(t.mountpaths[0], "@ais", bck, "%ob", name)
        if os.path.isfile(p):
            return p
    return None


def wait_job(c, xid, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st, s = status(c, id=xid)
        if st == 200 and s.get("end_time"):
            assert not s["aborted"] and not s["err"], s
            return s
        time.sleep(0.2)
    raise AssertionError("job %s did not finish" % xid)


def metric(c, name):
    tot = 0
    for t in c.targets:
        if not t.alive():
            continue
        for ln in requests.get(t.url + "/metrics", timeout=T).text.splitlines():
            if ln.startswith(name + " ") or ln.startswith(name + "{"):
                tot += float(ln.rsplit(" ", 1)[1])
    return tot


def set_ec(c, bck, **kw):
    return requests.patch(c.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {"ec": kw}}, timeout=T)


def test_ec_put_heal_and_delete(ec):
    bck = new_bucket_name("ec")
    ec.create_bucket(bck, props={"checksum": {"validate_warm_get": True}})
    r = set_ec(ec, bck, enabled=True, data_slices=D, parity_slices=P, objsize_limit=LIMIT)
    assert r.status_code == 200, r.text
    ids = active_ids(smap(ec))
    objs = objs_0_4mib(120, seed=4)
    put_all(ec, bck, objs)
    wait_pieces(ec, bck, objs, ids)
    # the owner's main replica deleted or corrupted: rebuilt on GET
    rnd = random.Random(2)
    victims = rnd.sample([n for n, b in objs.items() if len(b) > 0], 40)
    for i, name in enumerate(victims):
        p = main_file(ec, bck, name)
        if i % 2:
            os.unlink(p)
        else:
            with open(p, "r+b") as f:
                f.seek(len(objs[name]) // 2)
                b = f.read(1)
                f.seek(len(objs[name]) // 2)
                f.write(bytes([b[0] ^ 0xFF]))
    s = requests.Session()
    rs0 = metric(ec, "ais_target_ec_restore_count")
    for name, body in objs.items():
        r = s.get(ec.obj_url(bck, name), timeout=T)
        assert r.status_code == 200 and r.content == body, (name, r.status_code, r.text[:200])
    assert metric(ec, "ais_target_ec_restore_count") - rs0 == 40
    assert metric(ec, "ais_target_ec_encode_count") >= 120
    for name in victims:
        with open(main_file(ec, bck, name), "rb") as f:
            assert f.read() == objs[name]
    # DELETE: the slices go too
    nodes = node_of(ec)
    for name in list(objs)[:10]:
        assert s.delete(ec.obj_url(bck, name), timeout=T).status_code == 200
    deadline = time.time() + 20
    while time.time() < deadline:
        left = [n for n in list(objs)[:10] for t in nodes.values() if ec_file(t, bck, n)]
        if not left:
            break
        time.sleep(0.2)
    assert not left, left
    for name in list(objs)[:10]:
        assert s.get(ec.obj_url(bck, name), timeout=T).status_code == 404
    ec.destroy_bucket(bck)
