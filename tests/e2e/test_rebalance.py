"""Global rebalance on a private cluster (1 proxy + 3 targets, a 4th joins later), 5,000 small
objects: a target enters maintenance and returns while 4 threads GET every object through the
proxy (0 errors, 0 wrong bytes); after each rebalance every name is listed once, on its HRW target
and mountpath, and the job's in-objs covers every object that changed owner; a 4th target joins;
a target killed -9 is dropped by the keepalive tracker and comes back; a rebalance is preempted
by a second change; a target is killed and restarted in the middle of a rebalance (it resumes);
PUTs and DELETEs racing with the migration win over the migrated copies."""
import os
import time

import pytest
import requests

from cluster import new_bucket_name
from rebutil import (GetLoop, T, active_ids, check_placement, in_objs, latest_reb, make_objs, owners,
                     put_all, reb_snaps, smap, start_cluster, wait_new_reb, wait_reb)

NOBJ = 5000


@pytest.fixture(scope="module")
def rc():
    c = start_cluster(ntargets=4, started=3)
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def data(rc):
    bck = new_bucket_name("reb")
    rc.create_bucket(bck)
    objs = make_objs(NOBJ)
    put_all(rc, bck, objs)
    return bck, objs


def mp_files_under(mp, bck):
    top = os.path.join(mp, "@ais", bck, "%ob")
    return [os.path.join(d, f) for d, _, files in os.walk(top) for f in files]


def node_of(c, tid):
    return [t for t in c.targets if t.alive() and c.node_id(t) == tid][0]


def maint(c, action, tid, **kw):
    v = {"sid": tid}
    v.update(kw)
    return requests.put(c.url + "/v1/cluster", json={"action": action, "value": v}, timeout=T)


def test_maintenance_roundtrip_under_get_load(rc, data):
    bck, objs = data
    ids0 = active_ids(smap(rc))
    check_placement(rc, bck, objs, ids0)
    victim = ids0[1]
    loop = GetLoop(rc, bck, objs, nthreads=4)
    try:
        time.sleep(0.5)
        r = maint(rc, "start-maintenance", victim)
        assert r.status_code == 200 and r.text.startswith("g"), (r.status_code, r.text)
        x1 = r.text
        wait_reb(rc, x1)
        ids1 = active_ids(smap(rc))
        assert victim not in ids1
        moved = sum(1 for n, t in owners(bck, objs, ids0).items() if t != owners(bck, [n], ids1)[n])
        assert moved > NOBJ // 5
        check_placement(rc, bck, objs, ids1)
        assert in_objs(rc, x1) >= moved
        # the watcher marks the drained node "post-rebalance" (4|16)
        deadline = time.time() + 10
        while int(smap(rc)["tmap"][victim]["flags"]) != 20 and time.time() < deadline:
            time.sleep(0.1)
        assert int(smap(rc)["tmap"][victim]["flags"]) == 20
        # a node in maintenance stays up and keeps nothing: its copies went once moved
        vnode = node_of(rc, victim)
        assert vnode.alive()
        left = [f for mp in vnode.mountpaths for f in mp_files_under(mp, bck)]
        assert not left, left[:3]

        r = maint(rc, "stop-maintenance", victim)
        assert r.status_code == 200 and r.text.startswith("g"), (r.status_code, r.text)
        x2 = r.text
        assert int(x2[1:]) > int(x1[1:])
        wait_reb(rc, x2)
        assert active_ids(smap(rc)) == ids0
        check_placement(rc, bck, objs, ids0)
        assert in_objs(rc, x2) >= moved
        time.sleep(0.5)
    finally:
        gets, errors, wrong = loop.stop()
    assert gets >= NOBJ and min(loop.passes) >= 1, (gets, loop.passes)
    assert errors == 0 and wrong == 0, (gets, errors, wrong, loop.samples)


def test_join_fourth_target(rc, data):
    bck, objs = data
    ids0 = active_ids(smap(rc))
    x0 = latest_reb(rc)
    loop = GetLoop(rc, bck, objs, nthreads=4)
    try:
        rc.targets[3].start()
        rc.wait_ready(timeout=30, ntargets=4)
        x = wait_new_reb(rc, x0)
        wait_reb(rc, x)
        ids1 = active_ids(smap(rc))
        assert len(ids1) == 4
        moved = sum(1 for n in objs if owners(bck, [n], ids0)[n] != owners(bck, [n], ids1)[n])
        assert moved > NOBJ // 8
        check_placement(rc, bck, objs, ids1)
        assert in_objs(rc, x) >= moved
        snaps = reb_snaps(rc, x)
        assert len(snaps) == 4 and all(v[0]["id"] == x and v[0]["kind"] == "rebalance" for v in snaps.values())
    finally:
        gets, errors, wrong = loop.stop(min_passes=0)
    assert errors == 0 and wrong == 0, (gets, errors, wrong, loop.samples)


def test_kill9_dropped_by_keepalive_then_back(rc, data):
    bck, objs = data
    ids0 = active_ids(smap(rc))
    victim_id = ids0[2]
    victim = node_of(rc, victim_id)
    lost = [n for n, t in owners(bck, objs, ids0).items() if t == victim_id]
    x0 = latest_reb(rc)
    rc.expected_down.add(victim.name)
    try:
        victim.kill9()
        rc.wait_smap_targets(len(ids0) - 1, timeout=30)
        x = wait_new_reb(rc, x0)
        wait_reb(rc, x)
        # the others hold everything but what lived on the dead one (no copies: EC/mirroring are
        # not here), each name once, where HRW puts it now
        rest = set(objs) - set(lost)
        check_placement(rc, bck, rest)
        # written while it is away: those it owns once back move there then
        fresh = make_objs(300, prefix="k", seed=11)
        put_all(rc, bck, fresh)
        objs.update(fresh)
        back = [n for n in fresh if owners(bck, [n], ids0)[n] == victim_id]
        assert back
        victim.start()
        rc.wait_ready(timeout=30, ntargets=len(ids0))
    finally:
        rc.expected_down.discard(victim.name)
        if not victim.alive():
            victim.start()
    x2 = wait_new_reb(rc, x)
    wait_reb(rc, x2)
    assert active_ids(smap(rc)) == ids0
    check_placement(rc, bck, objs, ids0)
    assert in_objs(rc, x2) >= len(back)
    s = requests.Session()
    for n in back:
        g = s.get(rc.obj_url(bck, n), timeout=T)
        assert g.status_code == 200 and g.content == objs[n], n


def test_preempted_by_second_change(rc, data):
    bck, objs = data
    ids0 = active_ids(smap(rc))
    a, b = ids0[0], ids0[-1]
    r1 = maint(rc, "start-maintenance", a)
    r2 = maint(rc, "start-maintenance", b)
    assert r1.status_code == 200 and r2.status_code == 200, (r1.text, r2.text)
    xa, xb = r1.text, r2.text
    assert int(xb[1:]) == int(xa[1:]) + 1
    sb = wait_reb(rc, xb)
    sa = wait_reb(rc, xa, ok=False)
    assert sa["aborted"], sa  # preempted by the newer generation
    aborted = [s for v in reb_snaps(rc, xa).values() for s in v if s["aborted"]]
    assert aborted and any("renewed" in s["abort-err"] for s in aborted), aborted
    assert not sb["aborted"]
    ids1 = active_ids(smap(rc))
    assert a not in ids1 and b not in ids1
    check_placement(rc, bck, objs, ids1)
    # both drained nodes end up post-rebalance (the first one's step moved to the newer rebalance)
    deadline = time.time() + 10
    while time.time() < deadline and not all(int(smap(rc)["tmap"][t]["flags"]) == 20 for t in (a, b)):
        time.sleep(0.1)
    assert all(int(smap(rc)["tmap"][t]["flags"]) == 20 for t in (a, b))
    for t in (a, b):
        r = maint(rc, "stop-maintenance", t, skip_rebalance=(t == a))
        assert r.status_code == 200, r.text
        if t == a:
            assert r.text == ""  # skip_rebalance: no rebalance ID
    wait_reb(rc, r.text)
    check_placement(rc, bck, objs, ids0)


def test_restart_mid_rebalance_resumes(rc, data):
    bck, objs = data
    ids0 = active_ids(smap(rc))
    away = ids0[1]
    r = maint(rc, "start-maintenance", away, skip_rebalance=True)
    assert r.status_code == 200 and r.text == "", r.text
    # the node is out of placement but still holds its objects: bringing it back moves nothing;
    # a rebalance now moves its objects to the others - kill one of the receivers in the middle
    x0 = latest_reb(rc)
    r = requests.put(rc.url + "/v1/cluster", json={"action": "start", "value": {"kind": "rebalance"}}, timeout=T)
    assert r.status_code == 200 and r.text.startswith("g"), r.text
    x1 = r.text
    assert int(x1[1:]) > int(x0[1:] or 0)
    victim = node_of(rc, ids0[2])
    rc.expected_down.add(victim.name)
    try:
        time.sleep(0.15)
        victim.kill9()
        time.sleep(0.3)
        victim.start()
        rc.wait_ready(timeout=30, ntargets=len(ids0))
    finally:
        rc.expected_down.discard(victim.name)
        if not victim.alive():
            victim.start()
    # the restarted target asks for a new generation: it preempts what was left of x1
    x2 = wait_new_reb(rc, x1, timeout=60)
    wait_reb(rc, x2)
    ids1 = active_ids(smap(rc))
    assert away not in ids1
    check_placement(rc, bck, objs, ids1)
    r = maint(rc, "stop-maintenance", away)
    assert r.status_code == 200 and r.text.startswith("g"), r.text
    wait_reb(rc, r.text)
    check_placement(rc, bck, objs, ids0)


def test_put_and_delete_racing_migration_win(rc, data):
    """objects PUT (new content) or DELETEd through the proxy while the rebalance that moves them
    runs: the new content is what every GET returns afterwards, the deleted ones stay deleted"""
    bck, objs = data
    ids0 = active_ids(smap(rc))
    victim = ids0[0]
    ids1 = [t for t in ids0 if t != victim]
    moving = [n for n in objs if owners(bck, [n], ids0)[n] == victim][:300]
    new = {n: b"new-" + n.encode() for n in moving[:150]}
    gone = moving[150:]
    r = maint(rc, "start-maintenance", victim)
    assert r.status_code == 200, r.text
    x = r.text
    s = requests.Session()
    for n, body in new.items():
        assert s.put(rc.obj_url(bck, n), data=body, timeout=T).status_code == 200
    for n in gone:
        assert s.delete(rc.obj_url(bck, n), timeout=T).status_code == 200, n
    wait_reb(rc, x)
    for n, body in new.items():
        g = s.get(rc.obj_url(bck, n), timeout=T)
        assert g.status_code == 200 and g.content == body, (n, g.status_code)
    for n in gone:
        assert s.get(rc.obj_url(bck, n), timeout=T).status_code == 404, n
    want = set(objs) - set(gone)
    check_placement(rc, bck, want, ids1)
    r = maint(rc, "stop-maintenance", victim)
    wait_reb(rc, r.text)
    for n, body in list(new.items())[:50]:
        assert s.get(rc.obj_url(bck, n), timeout=T).content == body
    for n in gone[:50]:
        assert s.get(rc.obj_url(bck, n), timeout=T).status_code == 404
    check_placement(rc, bck, want, ids0)
    for n in gone:
        objs.pop(n)
    objs.update(new)


def test_chunked_objects_move(rc, data):
    """multipart (chunked) objects go over the stream chunk file by chunk file and arrive whole;
    the old owner keeps no chunk or manifest behind"""
    bck, objs = data
    ids0 = active_ids(smap(rc))
    victim = ids0[0]
    s = requests.Session()
    made = {}
    i = 0
    while len(made) < 3:
        name = "mpu/c-%d" % i
        i += 1
        if owners(bck, [name], ids0)[name] != victim:
            continue
        r = s.post(rc.obj_url(bck, name), json={"action": "mpt-upload"}, timeout=T)
        assert r.status_code == 200, r.text
        uid, parts = r.text, [os.urandom(70000 + k) for k in range(3)]
        for k, p in enumerate(parts):
            r = s.put(rc.obj_url(bck, name), params={"uploadId": uid, "partNumber": k + 1}, data=p, timeout=T)
            assert r.status_code == 200, r.text
        r = s.post(rc.obj_url(bck, name), params={"uploadId": uid},
                   json={"action": "mpt-complete", "value": [{"part-number": k + 1, "etag": ""} for k in range(3)]},
                   timeout=T)
        assert r.status_code == 200, r.text
        made[name] = b"".join(parts)
    vnode = node_of(rc, victim)
    chunk_files = lambda n: [f for mp in n.mountpaths for sub in ("%ch", "%ut")  # noqa: E731
                             for d, _, fs in os.walk(os.path.join(mp, "@ais", bck, sub)) for f in fs]
    assert chunk_files(vnode)
    r = maint(rc, "start-maintenance", victim)
    assert r.status_code == 200, r.text
    wait_reb(rc, r.text)
    for name, body in made.items():
        g = s.get(rc.obj_url(bck, name), timeout=T)
        assert g.status_code == 200 and g.content == body, name
    assert not chunk_files(vnode), chunk_files(vnode)[:3]
    objs.update(made)
    check_placement(rc, bck, objs, [t for t in ids0 if t != victim])
    r = maint(rc, "stop-maintenance", victim)
    wait_reb(rc, r.text)
    for name, body in made.items():
        assert s.get(rc.obj_url(bck, name), timeout=T).content == body
    check_placement(rc, bck, objs, ids0)
