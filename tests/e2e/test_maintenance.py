"""Node lifecycle (docs/lifecycle_node.md) on a private cluster (1 proxy + 4 targets): bad inputs
answer AIStore's 4xx errors and change nothing (no Smap version, no rebalance, no data touched);
a rebalance that drains a node is aborted only with Force; shutdown-node drains, stops the node
and keeps it in the map (it comes back with stop-maintenance); decommission with rm_user_data
drains it, takes it out of the map and leaves its mountpaths empty; the CLI's rebalance and
lifecycle commands answer as AIStore's (IDs, tables, messages, exit codes)."""
import json
import os
import re
import subprocess
import time

import pytest
import requests

from cluster import ROOT, new_bucket_name
from rebutil import (T, active_ids, check_placement, latest_reb, make_objs, mp_files, put_all, reb_snaps, smap,
                     start_cluster, status, wait_new_reb, wait_reb)

AIS = os.path.join(ROOT, "build", "ais")


@pytest.fixture(scope="module")
def mc():
    c = start_cluster(ntargets=4, started=4)
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def data(mc):
    bck = new_bucket_name("mnt")
    mc.create_bucket(bck)
    objs = make_objs(800, seed=3)
    put_all(mc, bck, objs)
    return bck, objs


def put_cluster(c, body, raw=False):
    if raw:
        return requests.put(c.url + "/v1/cluster", data=body, headers={"Content-Type": "application/json"}, timeout=T)
    return requests.put(c.url + "/v1/cluster", json=body, timeout=T)


def act(c, action, **v):
    return put_cluster(c, {"action": action, "value": v})


def ais(c, *args, check=True):
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = c.url
    p = subprocess.run([AIS] + list(args), capture_output=True, env=e, timeout=120)
    out, err = p.stdout.decode(), p.stderr.decode()
    if check:
        assert p.returncode == 0, "ais %s: rc=%d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, out, err)
    return p.returncode, out, err


def err_json(r):
    j = r.json()
    assert set(j) >= {"message", "status"} and j["status"] == r.status_code, j
    return j["message"]


def node_of(c, tid):
    return [t for t in c.targets if t.name not in c.expected_down and t.alive() and c.node_id(t) == tid][0]


def sample_ok(c, bck, objs, n=200):
    s = requests.Session()
    for name in list(objs)[:: max(1, len(objs) // n)]:
        g = s.get(c.obj_url(bck, name), timeout=T)
        assert g.status_code == 200 and g.content == objs[name], (name, g.status_code)


def test_bad_inputs_change_nothing(mc, data):
    bck, objs = data
    sm0 = smap(mc)
    v0, x0 = sm0["version"], latest_reb(mc)
    pid = sm0["proxy_si"]["daemon_id"]
    tid = active_ids(sm0)[0]
    # jobs: unknown kind, unknown ID, malformed ID
    r = put_cluster(mc, {"action": "start", "value": {"kind": "no-such-job"}})
    assert r.status_code == 400 and 'invalid xaction (job) kind "no-such-job"' in err_json(r)
    st, s = status(mc, id="g9999")
    assert st == 404, s
    st, s = status(mc, id="abcdefghijk")
    assert st == 404, s
    r = put_cluster(mc, {"action": "stop", "value": {"id": "no"}})
    assert r.status_code == 400 and "invalid xaction (job) UUID" in err_json(r)
    # lifecycle: unknown, missing or mistyped sid; the primary; an active node out of maintenance
    r = act(mc, "start-maintenance", sid="nosuchnode")
    assert r.status_code == 404 and "node nosuchnode does not exist" in err_json(r)
    r = put_cluster(mc, {"action": "start-maintenance", "value": {}})
    assert r.status_code == 400 and "missing node ID" in err_json(r)
    r = put_cluster(mc, {"action": "decommission-node", "value": {"sid": 12}})
    assert r.status_code == 400 and '"sid" must be a string' in err_json(r)
    r = put_cluster(mc, {"action": "shutdown-node", "value": {"sid": tid, "rm_user_data": "yes"}})
    assert r.status_code == 400 and '"rm_user_data" must be a boolean' in err_json(r)
    r = act(mc, "start-maintenance", sid=pid)
    assert r.status_code == 400 and "is the current primary, cannot perform action \"start-maintenance\" on itself" \
        in err_json(r)
    r = act(mc, "stop-maintenance", sid=tid)
    assert r.status_code == 400 and err_json(r) == "node t[%s] is not in maintenance mode - nothing to do" % tid
    r = put_cluster(mc, b'{"action": "start-maintenance", "value": {"sid": ', raw=True)
    assert r.status_code == 400, r.text
    r = act(mc, "stop", Kind="rebalance", ID="g9999")
    assert r.status_code == 200  # a well-formed ID nobody knows: a no-op (AIStore's xreg.DoAbort)
    # nothing changed
    sm1 = smap(mc)
    assert sm1["version"] == v0 and sm1["tmap"] == sm0["tmap"]
    assert latest_reb(mc) == x0
    sample_ok(mc, bck, objs)


def test_draining_rebalance_needs_force(mc, data):
    bck, objs = data
    ids0 = active_ids(smap(mc))
    tid = ids0[1]
    r = act(mc, "start-maintenance", sid=tid)
    assert r.status_code == 200 and r.text.startswith("g"), r.text
    xid = r.text
    r2 = act(mc, "start-maintenance", sid=tid)
    assert r2.status_code == 400 and err_json(r2) == "t[%s] is already in maintenance mode" % tid
    r3 = put_cluster(mc, {"action": "stop", "value": {"kind": "rebalance", "id": xid}})
    assert r3.status_code == 400, r3.text
    assert "cannot abort" in err_json(r3) and "t[%s] transitions to maintenance mode" % tid in err_json(r3)
    rc_, out, err = ais(mc, "stop", "rebalance", check=False)
    assert rc_ == 1 and "cannot abort" in err, (out, err)
    r4 = put_cluster(mc, {"action": "stop", "value": {"kind": "rebalance", "id": xid, "force": True}})
    assert r4.status_code == 200, r4.text
    s = wait_reb(mc, xid, ok=False)
    assert s["aborted"], s
    snaps = [x for v in reb_snaps(mc, xid).values() for x in v]
    assert any(x["abort-err"] == "user abort" for x in snaps), snaps
    time.sleep(1)
    assert int(smap(mc)["tmap"][tid]["flags"]) == 4  # not "post-rebalance": it was not drained
    # back: stop-maintenance rebalances what moved (or was left) back into place
    r = act(mc, "stop-maintenance", sid=tid)
    assert r.status_code == 200 and r.text.startswith("g"), r.text
    wait_reb(mc, r.text)
    check_placement(mc, bck, objs, ids0)
    sample_ok(mc, bck, objs)


def test_shutdown_drains_and_keeps_node_in_map(mc, data):
    bck, objs = data
    ids0 = active_ids(smap(mc))
    tid = ids0[2]
    node = node_of(mc, tid)
    mc.expected_down.add(node.name)
    try:
        rc_, out, _ = ais(mc, "cluster", "add-remove-nodes", "shutdown", tid, "-y")
        m = re.match(r"Started rebalance \"(g\d+)\" \(to monitor, run 'ais show rebalance'\)\.\n"
                     r"t\[%s\] is shutting down, please wait for cluster rebalancing to finish\n\n"
                     r"Note: the node t\[%s\] is _not_ decommissioned" % (tid, tid), out)
        assert m, out
        wait_reb(mc, m.group(1))
        deadline = time.time() + 20
        while node.alive() and time.time() < deadline:
            time.sleep(0.1)
        assert not node.alive(), "shut-down node still running"
        node.kill9()  # (reap)
        time.sleep(4)  # keepalive 1s x 3: a node in maintenance is not dropped
        sm = smap(mc)
        assert tid in sm["tmap"] and int(sm["tmap"][tid]["flags"]) == 20
        check_placement(mc, bck, objs, [t for t in ids0 if t != tid])
        sample_ok(mc, bck, objs)
        # back: restart, then stop-maintenance
        node.start()
        time.sleep(1)
        rc_, out, _ = ais(mc, "cluster", "add-remove-nodes", "stop-maintenance", tid, "-y")
        m = re.match(r"Started rebalance \"(g\d+)\" \(to monitor, run 'ais show rebalance'\)\.\nt\[%s\] is now active\n$"
                     % tid, out)
        assert m, out
        wait_reb(mc, m.group(1))
    finally:
        mc.expected_down.discard(node.name)
        if not node.alive():
            node.start()
    check_placement(mc, bck, objs, ids0)


def test_cli_rebalance(mc, data):
    bck, objs = data
    rc_, out, _ = ais(mc, "start", "rebalance")
    m = re.match(r"Started rebalance\[(g\d+)\]\. To monitor the progress, run 'ais show rebalance'\n$", out)
    assert m, out
    xid = m.group(1)
    rc_, out, _ = ais(mc, "wait", xid, "--timeout", "60s")
    assert out.startswith("Waiting for rebalance[%s] ...\n" % xid) and out.endswith("Done.\n"), out
    rc_, out, _ = ais(mc, "show", "rebalance", xid)
    lines = out.splitlines()
    hdr = [ln for ln in lines if ln.startswith("REB ID")]
    assert hdr and hdr[0].split() == ["REB", "ID", "NODE", "TX", "OBJECTS", "TX", "BYTES", "RX", "OBJECTS", "RX",
                                      "BYTES", "START", "END", "STATE"], out
    rows = [ln.split() for ln in lines if ln.split() and ln.split()[0] == xid and "ctl:" not in ln]
    assert len(rows) == len(smap(mc)["tmap"]) and all(r[-1] == "Finished" for r in rows), out
    assert ("Rebalance %s completed." % xid) in out
    rc_, out, _ = ais(mc, "show", "rebalance", "--all", "--json")
    js = json.loads(out)
    assert all(any(s["id"] == xid and s["kind"] == "rebalance" for s in v) for v in js.values()), js
    rc_, out, _ = ais(mc, "show", "job", "rebalance", xid)
    assert "NODE" in out and "TX OBJECTS" in out and "RX OBJECTS" in out, out
    rc_, out, err = ais(mc, "stop", "rebalance", check=False)
    assert rc_ == 1 and "rebalance is not running" in err, (out, err)
    rc_, out, _ = ais(mc, "show", "rebalance")
    assert out.startswith("Global rebalance is not running. Use '--all' to show history"), out


def test_decommission_rm_user_data(mc, data):
    bck, objs = data
    ids0 = active_ids(smap(mc))
    tid = ids0[0]
    node = node_of(mc, tid)
    assert mp_files(node)
    mc.expected_down.add(node.name)
    try:
        r = act(mc, "decommission-node", sid=tid, rm_user_data=True)
        assert r.status_code == 200 and r.text.startswith("g"), r.text
        wait_reb(mc, r.text)
        deadline = time.time() + 20
        while (tid in smap(mc)["tmap"] or node.alive()) and time.time() < deadline:
            time.sleep(0.1)
        assert tid not in smap(mc)["tmap"]
        assert not node.alive(), "decommissioned node did not exit"
        node.kill9()  # (reap)
        left = mp_files(node)
        assert not left, left[:5]
        assert all(os.listdir(mp) == [] for mp in node.mountpaths)
        check_placement(mc, bck, objs, [t for t in ids0 if t != tid])
        sample_ok(mc, bck, objs, n=len(objs))
    finally:
        pass  # the node stays out (its data is gone): the module's last test
