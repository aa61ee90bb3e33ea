"""Erasure coding (docs/redundancy.md) on a private cluster of 1 proxy + 6 targets (and one of
4 + 1 joining for the rebalance test): EC 2+2 with objsize_limit 256 KiB; slices and replicas land on distinct targets in
HRW order after the owner (checked on disk, with their metadata); a missing main replica and bit
rot in 100 main replicas are rebuilt on GET; two targets killed with -9 (1,000 objects of 0-4 MiB):
every object still GETs byte-exact through the proxy; an overwrite during the outage wins after
they return, and after the rebalance every piece is on its HRW target with no stale piece left;
DELETE removes the slices; ec-encode of 2,000 existing objects and --recover after slices were
deleted; a target joins: the rebalance moves the pieces to their new HRW targets (GETs byte-exact
during and after); bad input."""
import json
import os
import random
import time

import pytest
import requests

from cluster import hrw_pick, new_bucket_name, uname
from rebutil import active_ids, put_all, smap, start_cluster, status, wait_reb_settled

T = 30
D, P = 2, 2
LIMIT = 256 * 1024


NT = 6


# an ASan+UBSan aisnode (make e2e-asan) answers keepalives slower: a longer keepalive keeps the
# live targets in the Smap (a killed one is still found in seconds; the test waits on conditions)
SLOW = "asan" in os.environ.get("AIS_BIN", "")
KEEPALIVE = "3s" if SLOW else "1s"
OVERRIDES = {"timeout": {"max_keepalive": "15s"}} if SLOW else None  # (a busy ASan target answers late)
GET_THREADS = 2 if SLOW else 6


@pytest.fixture(scope="module")
def ec():
    c = start_cluster(ntargets=NT, started=NT, nmountpaths=1, keepalive=KEEPALIVE, overrides=OVERRIDES)
    yield c
    c.cleanup()


def objs_0_4mib(n, seed, top=22):
    """n objects of 0 .. 2**top - 1 bytes, log-uniform (most are small: 1,000 of 0-4 MiB are about
    270 MiB in all), the first four at the edges (empty, 4 MiB, just below and at objsize_limit)"""
    rnd = random.Random(seed)
    out = {}
    for i in range(n):
        size = int(2 ** rnd.uniform(0, top)) - 1
        if i < 4:
            size = (0, 4 << 20, LIMIT - 1, LIMIT)[i]
        out["e%02d/o-%04d" % (i % 7, i)] = rnd.randbytes(size)
    return out


def get_all(c, bck, objs, retry=False):
    """GET every object through the proxy (6 threads): the names that did not come back
    byte-exact, with what came instead"""
    from concurrent.futures import ThreadPoolExecutor
    s = requests.Session()

    def get(kv):
        name, body = kv
        r = get_retry(s, c.obj_url(bck, name)) if retry else s.get(c.obj_url(bck, name), timeout=T)
        if r.status_code != 200 or r.content != body:
            return (name, r.status_code, r.text[:120] if r.status_code != 200 else "wrong bytes")
        return None
    with ThreadPoolExecutor(GET_THREADS) as ex:
        return [x for x in ex.map(get, objs.items()) if x]


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


def leaf(p):
    """an object path's file: itself, or its leaf when longer names made it a directory (the main
    replica's mapping, docs/architecture.md; EC pieces under %ec follow it)"""
    if p.endswith("/"):
        return p + "%ob.dir"  # (a directory marker "<name>/")
    return os.path.join(p, "%ob.leaf") if os.path.isdir(p) else p


def ec_file(t, bck, name):
    p = leaf(os.path.join(t.mountpaths[0], "@ais", bck, "%ec", name))
    return p if os.path.isfile(p) else None


def ec_meta(path):
    return json.loads(os.getxattr(path, "user.ais.ec"))


def wait_pieces(c, bck, objs, ids, timeout=60, exact=False, d=D, p=P):
    """until every object has its pieces on the targets after its owner in HRW order (exact: and
    no other target holds a piece of it - a stale or misplaced one)"""
    nodes = node_of(c)
    deadline = time.time() + timeout
    missing = None
    while True:
        missing, stray = [], []
        for name, body in objs.items():
            order = hrw_order(bck, name, ids)
            want = p if len(body) < LIMIT else d + p
            for i, tid in enumerate(order[1:1 + want]):
                f = ec_file(nodes[tid], bck, name)
                if not f:
                    missing.append((name, tid))
                    continue
                m = ec_meta(f)
                if m["size"] != len(body) or m["idx"] != (0 if len(body) < LIMIT else i + 1):
                    missing.append((name, tid, m))  # (an older generation's, about to be replaced)
                    continue
                assert m["d"] == d and m["p"] == p, m
            if exact:
                stray += [(name, tid) for tid in [order[0]] + order[1 + want:] if ec_file(nodes[tid], bck, name)]
        if not missing and not stray:
            return
        if time.time() > deadline:
            break
        time.sleep(0.3)
    raise AssertionError("pieces missing: %d, e.g. %s; stray: %d, e.g. %s" % (len(missing), missing[:3], len(stray), stray[:3]))


def main_file(c, bck, name):
    for t in c.targets:
        p = leaf(os.path.join(t.mountpaths[0], "@ais", bck, "%ob", name))
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
    objs = objs_0_4mib(300, seed=4)
    put_all(ec, bck, objs)
    wait_pieces(ec, bck, objs, ids)
    # the owner's main replica: 40 deleted, 100 with bit rot (validate_warm_get) - rebuilt on GET
    rnd = random.Random(2)
    victims = rnd.sample([n for n, b in objs.items() if len(b) > 0], 140)
    for i, name in enumerate(victims):
        p = main_file(ec, bck, name)
        if i < 40:
            os.unlink(p)
        else:
            off = rnd.randrange(len(objs[name]))
            with open(p, "r+b") as f:
                f.seek(off)
                b = f.read(1)
                f.seek(off)
                f.write(bytes([b[0] ^ 0xFF]))
    rs0 = metric(ec, "ais_target_ec_restore_count")
    bad = get_all(ec, bck, objs)
    assert not bad, (len(bad), bad[:5])
    assert metric(ec, "ais_target_ec_restore_count") - rs0 == 140  # 100 % of the bit rot detected
    assert metric(ec, "ais_target_ec_encode_count") >= 300
    for name in victims:
        with open(main_file(ec, bck, name), "rb") as f:
            assert f.read() == objs[name]
    s = requests.Session()
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


def test_ec_prefix_names(ec):
    """names that are prefixes of other names (and a directory marker) in an EC bucket: the pieces
    follow the main replica's mapping (<name>/%ob.leaf under %ec once <name>/... is there, in any
    order of arrival), a lost prefix name is rebuilt from them, DELETE drops its pieces only"""
    bck = new_bucket_name("ecpfx")
    ec.create_bucket(bck)
    assert set_ec(ec, bck, enabled=True, data_slices=D, parity_slices=P, objsize_limit=LIMIT).status_code == 200
    ids = active_ids(smap(ec))
    names = ["a/b", "a/b/c", "a/b/c/d", "a/b/", "k/l/m", "k/l", "k", "big", "big/x"]
    objs = {n: os.urandom(LIMIT + 1000 if n.startswith("big") else 3000 + i) for i, n in enumerate(names)}
    s = requests.Session()
    for name, body in objs.items():
        assert s.put(ec.obj_url(bck, name), data=body, timeout=T).status_code == 200, name
    wait_pieces(ec, bck, objs, ids, timeout=30)
    nodes = node_of(ec)
    pieces = [ec_file(nodes[tid], bck, n) for n in objs for tid in hrw_order(bck, n, ids)[1:]]
    assert any(p and p.endswith("/%ob.leaf") for p in pieces), pieces
    for n in ("a/b", "k/l", "big"):
        os.unlink(main_file(ec, bck, n))
    bad = get_all(ec, bck, objs)
    assert not bad, bad
    assert s.delete(ec.obj_url(bck, "a/b"), timeout=T).status_code == 200
    deadline = time.time() + 20
    while any(ec_file(t, bck, "a/b") for t in nodes.values()) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(ec_file(t, bck, "a/b") for t in nodes.values())
    del objs["a/b"]
    wait_pieces(ec, bck, objs, ids, timeout=10)
    assert not get_all(ec, bck, objs)
    ec.destroy_bucket(bck)


def get_retry(s, url, timeout=None):
    """GET, retrying what a dying or rejoining target answers meanwhile (503, refused, a read that
    timed out while the cluster map settles - a rebuild of a 4 MiB object from slices behind a
    rebalance under the ASan build can take long) until the deadline; the answer is then checked
    by the caller: a retry never turns a wrong answer into a pass"""
    deadline = time.time() + (timeout or (300 if SLOW else 60))
    while True:
        try:
            r = s.get(url, timeout=120 if SLOW else T)
            if r.status_code != 503 or time.time() > deadline:
                return r
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
            if time.time() > deadline:
                raise
        time.sleep(0.2)


def restart(node, timeout=60):
    """start a killed node again; its ports are fixed, and an outgoing connection of any process
    on the box may hold one for a while (EADDRINUSE: the node exits at once) - start it again
    until it stays up"""
    deadline = time.time() + timeout
    while True:
        node.start()
        t0 = time.time()
        while node.alive() and time.time() - t0 < 2:
            time.sleep(0.1)
        if node.alive():
            return
        node._reap()
        with open(os.path.join(node.dir, "log", "stderr.log"), "rb") as f:
            tail = f.read()[-300:]
        assert b"address in use" in tail and time.time() < deadline, (node.name, tail)
        time.sleep(1)


def test_ec_two_targets_killed(ec):
    """1,000 objects (0-4 MiB); kill -9 two targets: every object GETs byte-exact through the proxy
    (rebuilt from the slices or replicas left); objects overwritten during the outage keep the new
    content after the two return and the rebalance that follows; after it every piece is on its
    HRW target of the new Smap and no stale or misplaced piece is left anywhere (on disk)"""
    from rebutil import latest_reb
    bck = new_bucket_name("eckill")
    ec.create_bucket(bck)
    assert set_ec(ec, bck, enabled=True, data_slices=D, parity_slices=P, objsize_limit=LIMIT).status_code == 200
    ids = active_ids(smap(ec))
    objs = objs_0_4mib(1000, seed=8)
    t0 = time.time()
    put_all(ec, bck, objs)
    wait_pieces(ec, bck, objs, ids, timeout=120)
    print("PUT 1,000 objects (%.0f MiB) + pieces: %.1fs" % (sum(map(len, objs.values())) / 2**20, time.time() - t0))
    nodes = node_of(ec)
    victims = [nodes[ids[1]], nodes[ids[4]]]
    reb0 = latest_reb(ec)
    for v in victims:
        ec.expected_down.add(v.name)
        v.kill9()
    ec.wait_smap_targets(NT - 2, timeout=60)
    rs0 = metric(ec, "ais_target_ec_restore_count")
    t0 = time.time()
    bad = get_all(ec, bck, objs, retry=True)
    assert not bad, (len(bad), bad[:5])
    print("GET 1,000 with two targets down: %.1fs" % (time.time() - t0))
    lost = [n for n in objs if hrw_order(bck, n, ids)[0] in (ids[1], ids[4])]
    assert metric(ec, "ais_target_ec_restore_count") - rs0 >= len(lost) > 0, len(lost)
    # overwrite some during the outage
    s = requests.Session()
    new = {n: os.urandom(len(b) % 5000 + 1000) for n, b in list(objs.items())[:40]}
    for n, b in new.items():
        r = s.put(ec.obj_url(bck, n), data=b, timeout=T)
        assert r.status_code == 200, r.text
    objs.update(new)
    reb1 = latest_reb(ec) or reb0
    for v in victims:
        restart(v)
        ec.expected_down.discard(v.name)
    ec.wait_ready(timeout=90, ntargets=NT)
    wait_reb_settled(ec, reb1)
    final = active_ids(smap(ec))
    assert sorted(final) == sorted(ids), (final, ids)
    bad = get_all(ec, bck, objs, retry=True)
    assert not bad, (len(bad), bad[:5])
    wait_pieces(ec, bck, objs, final, timeout=30, exact=True)
    ec.destroy_bucket(bck)


def test_ec_encode_existing_and_recover(ec):
    bck = new_bucket_name("ecenc")
    ec.create_bucket(bck)
    objs = objs_0_4mib(2000, seed=12, top=20)  # 0-1 MiB, most small (about 150 MiB in all)
    put_all(ec, bck, objs)
    ids = active_ids(smap(ec))
    nodes = node_of(ec)
    assert not any(ec_file(t, bck, n) for n in objs for t in nodes.values())
    # the Go client's ECConfToSet as a JSON-encoded string
    val = json.dumps({"data_slices": D, "parity_slices": P, "objsize_limit": LIMIT, "enabled": True})
    r = requests.post(ec.url + "/v1/buckets/" + bck, json={"action": "ec-encode", "value": val}, timeout=T)
    assert r.status_code == 200 and r.text, r.text
    wait_job(ec, r.text, timeout=300)
    wait_pieces(ec, bck, objs, ids, timeout=5)
    p = json.loads(requests.head(ec.url + "/v1/buckets/" + bck, timeout=T).headers["Ais-Bucket-Props"])
    assert p["ec"]["enabled"] is True and p["ec"]["data_slices"] == D and p["ec"]["parity_slices"] == P
    # delete random slices and replicas on disk, then recover (value as an object)
    rnd = random.Random(3)
    files = [ec_file(t, bck, n) for n in objs for t in nodes.values()]
    files = [f for f in files if f]
    for f in rnd.sample(files, len(files) // 4):
        os.unlink(f)
    r = requests.post(ec.url + "/v1/buckets/" + bck, json={"action": "ec-encode", "name": "recover",
                                                           "value": {"data_slices": D, "parity_slices": P}}, timeout=T)
    assert r.status_code == 200, r.text
    wait_job(ec, r.text, timeout=300)
    wait_pieces(ec, bck, objs, ids, timeout=5)
    ec.destroy_bucket(bck)


def test_ec_bad_input(ec):
    bck = new_bucket_name("ecbad")
    ec.create_bucket(bck)
    before = json.loads(requests.head(ec.url + "/v1/buckets/" + bck, timeout=T).headers["Ais-Bucket-Props"])

    def props():
        return json.loads(requests.head(ec.url + "/v1/buckets/" + bck, timeout=T).headers["Ais-Bucket-Props"])
    for kw, msg in [({"enabled": True, "data_slices": 33}, "ec.data_slices"),
                    ({"enabled": True, "parity_slices": 0}, "ec.parity_slices"),
                    ({"enabled": True, "data_slices": 4, "parity_slices": 2}, "requires at least 7 targets (have 6)"),
                    ({"enabled": True, "data_slices": 1, "parity_slices": 6, "objsize_limit": -1}, "requires at least 7 targets (have 6)"),
                    ({"objsize_limit": -2}, "ec.objsize_limit"),
                    ({"nope": 1}, "unknown property")]:
        r = set_ec(ec, bck, **kw)
        assert r.status_code == 400 and msg in r.json()["message"], (kw, r.status_code, r.text)
        assert props() == before
    for val, msg in [({"data_slices": 2}, "missing number of parity slices"), ({"parity_slices": 2}, "missing number of data slices"),
                     ("{bad json", "invalid ec-encode request"), (7, "invalid ec-encode request"),
                     ({"data_slices": 5, "parity_slices": 2}, "requires at least 8 targets (have 6)")]:
        r = requests.post(ec.url + "/v1/buckets/" + bck, json={"action": "ec-encode", "value": val}, timeout=T)
        assert r.status_code == 400 and msg in r.json()["message"], (val, r.status_code, r.text)
        assert props() == before
    assert set_ec(ec, bck, enabled=True, data_slices=2, parity_slices=2).status_code == 200
    r = set_ec(ec, bck, data_slices=3)
    assert r.status_code == 400 and "once enabled, EC configuration can be only disabled but cannot change" in r.json()["message"]
    r = requests.post(ec.url + "/v1/buckets/" + bck, json={"action": "ec-encode", "value": {"data_slices": 3, "parity_slices": 2}}, timeout=T)
    assert r.status_code == 400 and "EC is already enabled" in r.json()["message"], r.text
    r = set_ec(ec, bck, objsize_limit=1000)
    assert r.status_code == 400 and "use force" in r.json()["message"], r.text
    r = requests.patch(ec.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {"ec": {"objsize_limit": 1000}, "force": True}}, timeout=T)
    assert r.status_code == 200, r.text
    ec.destroy_bucket(bck)


def test_ec_cli(ec):
    import subprocess
    from cluster import ROOT

    def ais(*args):
        e = dict(os.environ)
        e["AIS_ENDPOINT"] = ec.url
        p = subprocess.run([os.path.join(ROOT, "build", "ais")] + list(args), capture_output=True, env=e, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    bck = new_bucket_name("eccli")
    ec.create_bucket(bck)
    objs = objs_0_4mib(20, seed=30)
    put_all(ec, bck, objs)
    rc, out, err = ais("start", "ec-encode", "ais://" + bck, "-d", "2", "-p", "2")
    assert rc == 0 and out.startswith("Erasure-coding ais://%s for (D=2, P=2). To monitor the progress, run 'ais show job " % bck), (out, err)
    wait_job(ec, out.rsplit("ais show job ", 1)[1].strip().rstrip("'"))
    rc, out, err = ais("start", "ec-encode", "ais://" + bck, "-d", "3", "-p", "2")
    assert rc != 0 and "is already (D=2, P=2) erasure-coded - cannot change this existing configuration to (D=3, P=2)" in err, (out, err)
    rc, out, err = ais("start", "ec-encode", "ais://" + bck, "--recover", "--non-verbose")
    assert rc == 0 and out.strip(), (out, err)
    wait_job(ec, out.strip())
    rc, out, err = ais("start", "ec-encode", "ais://" + bck, "-d", "40", "-p", "2")
    assert rc != 0 and "invalid number 40 of data slices (valid range: [1, 32])" in err, (out, err)
    ec.destroy_bucket(bck)


def test_ec_join_moves_pieces():
    """a target joins an EC bucket's cluster (its own: 1 proxy + 4 targets, EC 2+1, then a 5th):
    the rebalance moves the main replicas and the pieces whose HRW holder changed to their new
    targets and removes the misplaced ones - after it every piece is on its HRW target of the new
    Smap and nowhere else (on disk); GETs through the proxy are byte-exact during and after"""
    import threading
    from rebutil import latest_reb
    c = start_cluster(ntargets=5, started=4, nmountpaths=1, keepalive=KEEPALIVE, overrides=OVERRIDES)
    p1 = 1
    try:
        bck = new_bucket_name("ecjoin")
        c.create_bucket(bck)
        assert set_ec(c, bck, enabled=True, data_slices=D, parity_slices=p1, objsize_limit=LIMIT).status_code == 200
        ids = active_ids(smap(c))
        objs = objs_0_4mib(400, seed=40, top=21)
        put_all(c, bck, objs)
        wait_pieces(c, bck, objs, ids, timeout=60, exact=True, p=p1)
        reb0 = latest_reb(c)
        bad, passes, stop = [], [0], threading.Event()

        def reader():
            while not stop.is_set():
                bad.extend(get_all(c, bck, objs, retry=True))
                passes[0] += 1
        th = threading.Thread(target=reader)
        th.start()
        try:
            c.targets[4].start()
            c.wait_ready(timeout=60, ntargets=5)
            wait_reb_settled(c, reb0)
        finally:
            stop.set()
            th.join(timeout=300)
        assert not bad, (len(bad), bad[:5])
        assert passes[0] >= 1
        new_ids = active_ids(smap(c))
        assert len(new_ids) == 5
        moved = sum(1 for n in objs if hrw_order(bck, n, new_ids)[:1 + D + p1] != hrw_order(bck, n, ids)[:1 + D + p1])
        assert moved > 0
        wait_pieces(c, bck, objs, new_ids, timeout=10, exact=True, p=p1)
        assert not get_all(c, bck, objs)
        c.destroy_bucket(bck)
    finally:
        c.cleanup()
