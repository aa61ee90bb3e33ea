"""test_ckey_rotation: automatic cluster key rotation (auth.cluster_key.ttl, cluster/ckrot.h,
docs/security.md). With a 5s ttl (the nodes run with AIS_TEST_CLUSTER_KEY_MIN_TTL=1s: AIStore's
minimum is 1h) the primary replaces the secret under a GET/PUT loop through the proxy: no request
fails across >= 2 rotations, every node's 0600 key file changes and agrees, the new secret is in no
answer or log, and after rotation_grace an intra request or a redirect signed with the retired
secret is 401."""
import concurrent.futures
import os
import stat
import threading
import time

import pytest
import requests

from cluster import Cluster, hrw_pick, intra_sig, new_bucket_name, redirect_params, uname

T = 10


@pytest.fixture(scope="module")
def rc():
    c = Cluster(nproxies=2, ntargets=2, nmountpaths=1, keepalive="1s", env={"AIS_TEST_CLUSTER_KEY_MIN_TTL": "1s"})
    c.start()
    yield c
    c.cleanup()


def key_lines(n):
    p = os.path.join(n.dir, "conf", ".ais.cluster_key")
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p
    with open(p) as f:
        return f.read().split()


def keepalive_ok(c, key):
    tid = c.node_id(c.targets[0])
    ka = {"daemon_id": tid, "smap_version": 0, "bmd_version": 0, "config_version": 0}
    h = {"Ais-Cluster-Sig": intra_sig(key, "POST", "/v1/cluster/keepalive", tid)}
    return requests.post(c.url + "/v1/cluster/keepalive", json=ka, headers=h, timeout=T).status_code


def test_ttl_rotation_under_load(rc):
    c = rc
    old = c.cluster_key_hex
    bck = new_bucket_name("ckrot")
    c.create_bucket(bck)
    for i in range(20):
        assert requests.put(c.obj_url(bck, "o%d" % i), data=b"v%d" % i, timeout=T).status_code == 200
    r = requests.put(c.url + "/v1/cluster/set-config", timeout=T,
                     params={"auth.cluster_key.ttl": "5s", "auth.cluster_key.rotation_grace": "2s"})
    assert r.status_code == 200, r.text
    seen, errors, stop = set(), [], threading.Event()
    count = [0]

    def worker(w):
        i = 0
        while not stop.is_set():
            i += 1
            try:
                name = "w%d-%d" % (w, i % 10)
                p = requests.put(c.obj_url(bck, name), data=b"x%d" % i, timeout=T)
                g = requests.get(c.obj_url(bck, "o%d" % (i % 20)), timeout=T)
                if p.status_code != 200 or g.status_code != 200 or g.content != b"v%d" % (i % 20):
                    errors.append((p.status_code, g.status_code, g.text[:200]))
                count[0] += 2
            except requests.RequestException as e:
                errors.append(repr(e))

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futs = [ex.submit(worker, w) for w in range(4)]
        deadline = time.time() + 40
        while time.time() < deadline and len(seen) < 3:
            seen.add(key_lines(c.primary)[0])
            time.sleep(0.25)
        time.sleep(1)
        stop.set()
        for f in futs:
            f.result()
    assert not errors, errors[:10]
    assert count[0] > 100, count[0]
    assert len(seen - {old}) >= 2, "fewer than 2 rotations seen in the primary's key file"
    # stop rotating, then every node signs with the same (newest) secret
    r = requests.put(c.url + "/v1/cluster/set-config", params={"auth.cluster_key.ttl": "0s"}, timeout=T)
    assert r.status_code == 200, r.text
    time.sleep(0.5)
    cur = key_lines(c.primary)[0]
    for n in c.nodes:
        assert key_lines(n)[0] == cur, n
    # the new secret is in no answer and no log
    for n in c.nodes:
        assert cur not in requests.get(n.url + "/v1/daemon?what=config", timeout=T).text
        for fn in ("aisnode.log", "stderr.log"):
            p = os.path.join(n.dir, "log", fn)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    assert cur not in f.read(), p
    # after the grace: the retired secret signs nothing any more; the current one does
    time.sleep(2.5)
    assert keepalive_ok(c, old) == 401
    assert keepalive_ok(c, cur) == 200
    smap = c.smap()["tmap"]  # the redirect goes to o1's owner (a signed redirect elsewhere is 404)
    tid = hrw_pick(uname(bck, "o1"), list(smap.keys()))
    t = next(n for n in c.targets if n.url == smap[tid]["public_net"]["direct_url"])
    path = "/v1/objects/%s/o1" % bck
    q = redirect_params(old, "GET", path, c.node_id(c.primary), tid)
    assert requests.get(t.url + path, params=q, timeout=T).status_code == 401
    q = redirect_params(cur, "GET", path, c.node_id(c.primary), tid)
    g = requests.get(t.url + path, params=q, timeout=T)
    assert g.status_code == 200 and g.content == b"v1", g.status_code
    # the cluster still works: a new bucket reaches every node, objects are readable
    b2 = new_bucket_name("ckrot2")
    c.create_bucket(b2)
    assert requests.put(c.obj_url(b2, "z"), data=b"z", timeout=T).status_code == 200
    assert requests.get(c.obj_url(b2, "z"), timeout=T).content == b"z"


def test_rotation_route_refuses_outsiders(rc):
    """the receiving endpoint is intra-only (members); a sealed value of another cluster does not open"""
    c = rc
    c.cluster_key_hex = key_lines(c.primary)[0]  # (rotated by the test before)
    t = c.targets[0]
    body = {"phase": "add", "key": "enc:v1:AAAA"}
    assert requests.put(t.url + "/v1/daemon/cluster-key", json=body, timeout=T).status_code == 401
    r = c.intra("PUT", t, "/v1/daemon/cluster-key", json=body)
    assert r.status_code == 400, r.text
    r = c.intra("PUT", t, "/v1/daemon/cluster-key", json={"phase": "switch", "key": "x"})
    assert r.status_code == 400, r.text
