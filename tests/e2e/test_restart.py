"""A target dies (kill -9): requests for its objects fail fast and cleanly, the others keep
working, the dead node leaves the Smap after the keepalive timeout; restarted with the same
configs it rejoins under the same identity and every object is readable again."""
import os
import time

import requests

from cluster import new_bucket_name

TIMEOUT = (3, 5)  # connect, read: nothing may hang


def get(cluster, bck, name):
    """(status or exception class name, body)"""
    try:
        r = requests.get(cluster.obj_url(bck, name), timeout=TIMEOUT)
        return r.status_code, r.content
    except requests.RequestException as e:
        return type(e).__name__, b""


def test_kill_and_restart_target(cluster):
    bck = new_bucket_name("restart")
    cluster.create_bucket(bck)
    objs = {"o-%03d" % i: os.urandom(100 + i * 37) for i in range(150)}
    for name, body in objs.items():
        assert requests.put(cluster.obj_url(bck, name), data=body, timeout=10).status_code == 200
    owner = {name: cluster.object_files(bck, name)[0][0] for name in objs}
    victim = cluster.targets[1]
    victim_id = cluster.node_id(victim)
    on_victim = [n for n in objs if owner[n] is victim]
    elsewhere = [n for n in objs if owner[n] is not victim]
    assert on_victim and elsewhere

    cluster.expected_down.add(victim.name)
    try:
        victim.kill9()
        # right away and until it leaves the Smap: its objects fail within the timeouts,
        # the others are served
        for name in on_victim[:10]:
            t0 = time.time()
            st, _ = get(cluster, bck, name)
            assert st != 200, "%s served although its target is dead" % name
            assert time.time() - t0 < 9, "%s: took %.1fs to fail" % (name, time.time() - t0)
        for name in elsewhere[:30]:
            st, body = get(cluster, bck, name)
            assert st == 200 and body == objs[name], (name, st)
        assert requests.get(cluster.url + "/v1/health", timeout=TIMEOUT).status_code == 200

        # keepalive 1s x 3: the primary drops the dead target from the Smap
        cluster.wait_smap_targets(len(cluster.targets) - 1, timeout=20)
        assert victim_id not in cluster.smap()["tmap"]
        for name in on_victim[:10]:
            st, _ = get(cluster, bck, name)
            assert st != 200, (name, st)  # no rebalance yet: not found elsewhere, but no hang
        for name in elsewhere:
            st, body = get(cluster, bck, name)
            assert st == 200 and body == objs[name], (name, st)
        # list-objects without the dead target still answers (with what is reachable)
        entries, _ = cluster.list_objects(bck)
        assert set(e["name"] for e in entries) >= set(elsewhere)

        # restart with the same configs: same identity, back in the Smap
        victim.start()
        cluster.wait_ready(timeout=30)
    finally:
        cluster.expected_down.discard(victim.name)
        if not victim.alive():
            victim.start()
    assert cluster.node_id(victim) == victim_id
    assert victim_id in cluster.smap()["tmap"]
    for name, body in objs.items():
        st, got = get(cluster, bck, name)
        assert st == 200 and got == body, (name, st)
    entries, _ = cluster.list_objects(bck)
    assert sorted(e["name"] for e in entries) == sorted(objs)
    cluster.destroy_bucket(bck)


def test_restart_proxy_keeps_buckets(cluster):
    bck = new_bucket_name("prestart")
    cluster.create_bucket(bck)
    assert requests.put(cluster.obj_url(bck, "x"), data=b"persist", timeout=10).status_code == 200
    smap_uuid = cluster.smap()["uuid"]
    p = cluster.primary
    cluster.expected_down.add(p.name)
    try:
        p.stop()
        p.start()
        cluster.wait_ready(timeout=30)
    finally:
        cluster.expected_down.discard(p.name)
    assert cluster.smap()["uuid"] == smap_uuid
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
    assert r.status_code == 200
    r = requests.get(cluster.obj_url(bck, "x"), timeout=10)
    assert r.status_code == 200 and r.content == b"persist"
    cluster.destroy_bucket(bck)
