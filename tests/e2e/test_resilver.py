"""Resilver (docs/resilver.md) on a private cluster (1 proxy + 2 targets, 3 mountpaths each):
while 4 threads GET every object through the proxy, one target's mountpath is disabled, enabled
again, a new one attached and then detached (API and CLI); each change runs a resilver job on that
target; 0 GET errors, 0 wrong bytes, and afterwards every object is on its HRW mountpath (one copy,
nowhere else) and listed there. Also: resilver started by hand (kind "resilver" + target ID),
--no-resilver (dntres), and bad mountpath requests."""
import os
import subprocess
import time

import pytest
import requests

from cluster import ROOT, hrw_pick, new_bucket_name, uname
from rebutil import GetLoop, T, active_ids, check_placement, make_objs, put_all, smap, start_cluster

AIS = os.path.join(ROOT, "build", "ais")


@pytest.fixture(scope="module")
def rs():
    c = start_cluster(ntargets=2, started=2, nmountpaths=3)
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def data(rs):
    bck = new_bucket_name("res")
    rs.create_bucket(bck)
    objs = make_objs(1500, seed=5)
    put_all(rs, bck, objs)
    return bck, objs


def ais(c, *args, check=True):
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = c.url
    p = subprocess.run([AIS] + list(args), capture_output=True, env=e, timeout=120)
    out, err = p.stdout.decode(), p.stderr.decode()
    if check:
        assert p.returncode == 0, "ais %s: rc=%d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, out, err)
    return p.returncode, out, err


def mpl(node):
    return requests.get(node.url + "/v1/daemon?what=mountpaths", timeout=T).json()


def mp_req(node, method, action, path, query=""):
    return requests.request(method, node.url + "/v1/daemon/mountpaths" + query,
                            json={"action": action, "value": path}, timeout=T)


def resilvers(c, tid):
    r = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"kind": "resilver"}, timeout=T)
    if r.status_code == 404:
        return []
    assert r.status_code == 200, r.text
    return r.json().get(tid) or []


def wait_resilver(c, tid, n_before, timeout=60):
    """wait until a resilver newer than the first n_before ones ran on tid and none is running"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        snaps = resilvers(c, tid)
        running = [s for s in snaps if s["end-time"].startswith("0001-")]
        if len(snaps) > n_before and not running:
            return snaps
        time.sleep(0.1)
    raise AssertionError("resilver on %s did not finish:\n%s" % (tid, c.log_tails(10)))


def check_mountpaths(node, bck, objs, names_owned, all_mps):
    """every object this target owns: exactly one file, at its HRW mountpath among the available"""
    avail = mpl(node)["available"]
    bad = []
    for n in names_owned:
        want = hrw_pick(uname(bck, n), avail)
        have = [mp for mp in all_mps if os.path.isfile(os.path.join(mp, "@ais", bck, "%ob", n))]
        if have != [want]:
            bad.append((n, want, have))
    assert not bad, "%d objects off their HRW mountpath, e.g. %s" % (len(bad), bad[:3])


def test_mountpath_changes_under_get_load(rs, data):
    bck, objs = data
    node = rs.targets[0]
    tid = rs.node_id(node)
    ids = active_ids(smap(rs))
    owned = [n for n in objs if hrw_pick(uname(bck, n), ids) == tid]
    mp1 = node.mountpaths[1]
    extra = os.path.join(node.dir, "mp-extra")
    all_mps = node.mountpaths + [extra]
    check_mountpaths(node, bck, objs, owned, all_mps)
    loop = GetLoop(rs, bck, objs, nthreads=4)
    try:
        # disable: its objects move to the other mountpaths, then it is disabled
        n0 = len(resilvers(rs, tid))
        r = mp_req(node, "POST", "disable-mp", mp1)
        assert r.status_code == 200, r.text
        wait_resilver(rs, tid, n0)
        m = mpl(node)
        assert m["disabled"] == [mp1] and mp1 not in m["available"] and m["waiting_dd"] == [], m
        check_mountpaths(node, bck, objs, owned, all_mps)
        moved = sum(int(s["stats"]["loc-objs"]) for s in resilvers(rs, tid)[n0:])
        assert moved > 0
        # enable again (CLI): objects whose HRW is mp1 move back
        n0 = len(resilvers(rs, tid))
        _, out, _ = ais(rs, "storage", "mountpath", "enable", "%s=%s" % (tid, mp1))
        assert out == 't[%s]: mountpath "%s" is now enabled\n' % (tid, mp1), out
        wait_resilver(rs, tid, n0)
        assert sorted(mpl(node)["available"]) == sorted(node.mountpaths)
        check_mountpaths(node, bck, objs, owned, all_mps)
        # attach a new one (CLI)
        n0 = len(resilvers(rs, tid))
        _, out, _ = ais(rs, "storage", "mountpath", "attach", "t[%s]=%s" % (tid, extra))
        assert out == 't[%s]: mountpath "%s" is now attached\n' % (tid, extra), out
        wait_resilver(rs, tid, n0)
        assert extra in mpl(node)["available"]
        check_mountpaths(node, bck, objs, owned, all_mps)
        assert any(os.path.isfile(os.path.join(extra, "@ais", bck, "%ob", n)) for n in owned)
        # and detach it: its objects move away first
        n0 = len(resilvers(rs, tid))
        r = mp_req(node, "DELETE", "detach-mp", extra)
        assert r.status_code == 200, r.text
        wait_resilver(rs, tid, n0)
        m = mpl(node)
        assert extra not in m["available"] + m["disabled"] + m["waiting_dd"], m
        check_mountpaths(node, bck, objs, owned, all_mps)
        check_placement(rs, bck, objs)
    finally:
        gets, errors, wrong = loop.stop()
    assert min(loop.passes) >= 1 and errors == 0 and wrong == 0, (gets, errors, wrong, loop.samples)


def test_resilver_by_hand_and_no_resilver(rs, data):
    bck, objs = data
    node = rs.targets[1]
    tid = rs.node_id(node)
    ids = active_ids(smap(rs))
    owned = [n for n in objs if hrw_pick(uname(bck, n), ids) == tid]
    mp0 = node.mountpaths[0]
    # --no-resilver: disabled at once, its objects stay where they are (unreachable until enabled)
    r = mp_req(node, "POST", "disable-mp", mp0, "?dntres=true")
    assert r.status_code == 200, r.text
    assert mpl(node)["disabled"] == [mp0]
    on_mp0 = [n for n in owned if os.path.isfile(os.path.join(mp0, "@ais", bck, "%ob", n))]
    assert on_mp0
    r = mp_req(node, "POST", "disable-mp", mp0)
    assert r.status_code == 204, r.text  # nothing to do
    # enabled again without a resilver, then one started by hand (CLI)
    r = mp_req(node, "POST", "enable-mp", mp0, "?dntres=true")
    assert r.status_code in (200, 204), r.text
    n0 = len(resilvers(rs, tid))
    _, out, _ = ais(rs, "start", "resilver", tid)
    assert out.startswith("Started resilver[") and ("] on t[%s]. To monitor the progress, run 'ais show job "
                                                    "resilver'" % tid) in out, out
    wait_resilver(rs, tid, n0)
    check_mountpaths(node, bck, objs, owned, node.mountpaths)
    s = requests.Session()
    for n in on_mp0[:100]:
        g = s.get(rs.obj_url(bck, n), timeout=T)
        assert g.status_code == 200 and g.content == objs[n], n


def test_bad_mountpath_requests(rs):
    node = rs.targets[0]
    tid = rs.node_id(node)
    r = mp_req(node, "POST", "disable-mp", "/no/such/mountpath")
    assert r.status_code == 404 and "does not exist" in r.json()["message"], r.text
    r = mp_req(node, "DELETE", "detach-mp", "/no/such/mountpath")
    assert r.status_code == 404, r.text
    r = mp_req(node, "POST", "frobnicate-mp", node.mountpaths[0])
    assert r.status_code == 400 and "invalid action" in r.json()["message"], r.text
    r = requests.post(node.url + "/v1/daemon/mountpaths", json={"action": "enable-mp"}, timeout=T)
    assert r.status_code == 400 and r.json()["message"] == "mountpath is not defined", r.text
    r = requests.post(node.url + "/v1/daemon/mountpaths", json={"action": "enable-mp", "value": 7}, timeout=T)
    assert r.status_code == 400 and "invalid mountpath value" in r.json()["message"], r.text
    r = mp_req(node, "PUT", "attach-mp", "relative/path")
    assert r.status_code == 400, r.text
    # a resilver needs a target: the whole cluster at once is not supported
    r = requests.put(rs.url + "/v1/cluster", json={"action": "start", "value": {"kind": "resilver"}}, timeout=T)
    assert r.status_code == 501, r.text
    r = requests.put(rs.url + "/v1/cluster", json={"action": "start", "value": {"kind": "resilver", "DaemonID": "nope"}},
                     timeout=T)
    assert r.status_code == 404, r.text
    rc_, _, err = ais(rs, "storage", "mountpath", "disable", tid, check=False)
    assert rc_ == 1 and "missing mountpath" in err, err
    assert sorted(mpl(node)["available"]) == sorted(node.mountpaths)
