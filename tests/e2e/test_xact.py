"""Jobs (xactions) through the proxy's job API as AIStore's api/xaction.go calls it, with
cleanup-store (space cleanup) as the job: PUT /v1/cluster {"action":"start"|"stop","value":
xact.ArgsMsg}, GET /v1/cluster?what=qryxstats|running_all|status|status_all with an
xact.QueryMsg. Snapshots in core.Snap's shape from every target, nl.Status from the proxy, abort,
state transitions, case-insensitive keys, and AIStore's errors for bad input.
Slow jobs: work files planted under %wk (younger than dont_cleanup_time=1h, so they are only
visited, never removed) plus the test-only `throttle` start parameter (sleep per visited file)."""
import os
import time

import requests

T = 30
SNAP_KEYS = {"ext", "start-time", "end-time", "bck", "src-bck", "dst-bck", "id", "kind", "ctlmsg", "abort-err", "err",
             "glob.id", "stats", "aborted", "is_idle"}
STATS_KEYS = {"loc-objs", "loc-bytes", "out-objs", "out-bytes", "in-objs", "in-bytes"}
ZERO_TIME = "0001-01-01T00:00:00Z"


def clu(cluster):
    return cluster.url + "/v1/cluster"


def start(cluster, value, **params):
    return requests.put(clu(cluster), params=params, json={"action": "start", "value": value}, timeout=T)


def stop(cluster, value):
    return requests.put(clu(cluster), json={"action": "stop", "value": value}, timeout=T)


def query(cluster, what, body):
    return requests.get(clu(cluster), params={"what": what}, json=body, timeout=T)


def status(cluster, xid):
    r = query(cluster, "status", {"id": xid})
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def wait_end(cluster, xid, timeout=60):
    deadline = time.time() + timeout
    while True:
        st = status(cluster, xid)
        if st["end_time"]:
            return st
        assert time.time() < deadline, st
        time.sleep(0.1)


def plant_work(cluster, bck, n, old=False, size=100):
    """n work files on every mountpath of every target; old: mtime two hours ago"""
    paths = []
    for t in cluster.targets:
        for mp in t.mountpaths:
            d = os.path.join(mp, "@ais", bck, "%wk")
            os.makedirs(d, exist_ok=True)
            for i in range(n):
                p = os.path.join(d, "planted.%d" % i)
                with open(p, "wb") as f:
                    f.write(b"w" * size)
                if old:
                    past = time.time() - 7200
                    os.utime(p, (past, past))
                paths.append(p)
    return paths


def slow_cleanup(cluster, bck, n=100, throttle="50ms"):
    plant_work(cluster, bck, n)
    r = start(cluster, {"kind": "cleanup-store"}, dont_cleanup_time="1h", throttle=throttle)
    assert r.status_code == 200, r.text
    return r.text


def test_cleanup_snaps_and_counters(cluster, bucket):
    old = plant_work(cluster, bucket, 3, old=True, size=1000)
    r = start(cluster, {"kind": "cleanup-store"}, dont_cleanup_time="1h")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    xid = r.text
    assert 9 <= len(xid) <= 32 and xid.replace("-", "").replace("_", "").isalnum(), xid
    st = wait_end(cluster, xid)
    assert st == {"kind": "cleanup-store", "uuid": xid, "err": "", "end_time": st["end_time"], "aborted": False}
    assert all(not os.path.exists(p) for p in old)
    # every target has a snapshot in AIStore's Snap shape
    r = query(cluster, "qryxstats", {"id": xid})
    assert r.status_code == 200, r.text
    ms = r.json()
    tids = {t for t in cluster.target_ids_in_smap()}
    assert set(ms) == tids, ms
    for tid, snaps in ms.items():
        assert len(snaps) == 1
        s = snaps[0]
        assert set(s) == SNAP_KEYS, s.keys()
        assert set(s["stats"]) == STATS_KEYS
        assert all(isinstance(v, str) for v in s["stats"].values())
        assert s["id"] == xid and s["kind"] == "cleanup-store"
        assert s["aborted"] is False and s["is_idle"] is True and s["abort-err"] == "" and s["err"] == ""
        assert s["end-time"] != ZERO_TIME and s["start-time"] != ZERO_TIME and s["end-time"] >= s["start-time"]
        assert s["bck"] == {"name": "", "provider": "", "namespace": {"uuid": "", "name": ""}}
        assert s["ext"] is None and s["glob.id"] == "0"
        # 3 files on each of 2 mountpaths, 1000 bytes each, removed by this target
        assert s["stats"]["loc-objs"] == "6" and s["stats"]["loc-bytes"] == "6000", s["stats"]
        assert s["ctlmsg"].startswith("xa-cleanup-store[%s]; t[%s]: visits:" % (xid, tid)), s["ctlmsg"]
        assert "oldwork:6 " in s["ctlmsg"] and s["ctlmsg"].endswith("rm:6/5.86KiB"), s["ctlmsg"]
    # finished jobs stay queryable: by kind (display name too) with show_active false, not with true
    for kind in ("cleanup-store", "cleanup"):
        ms = query(cluster, "qryxstats", {"kind": kind, "show_active": False}).json()
        assert all(any(s["id"] == xid for s in snaps) for snaps in ms.values()), ms
        ms = query(cluster, "qryxstats", {"kind": kind, "show_active": True}).json()
        assert all(not any(s["id"] == xid for s in snaps) for snaps in ms.values()), ms
    r = query(cluster, "status_all", {"kind": "cleanup-store"})
    assert r.status_code == 200 and any(x["uuid"] == xid for x in r.json()), r.text


def test_abort_and_state_transitions(cluster, bucket):
    xid = slow_cleanup(cluster, bucket)
    # running: visible as running everywhere
    st = status(cluster, xid)
    assert st["end_time"] == 0 and st["aborted"] is False, st
    r = query(cluster, "running_all", {})
    assert r.status_code == 200 and "cleanup-store[%s]" % xid in r.json(), r.text
    r = requests.get(clu(cluster), params={"what": "running_all"}, timeout=T)  # no body at all (curl)
    assert r.status_code == 200 and "cleanup-store[%s]" % xid in r.json(), r.text
    ms = query(cluster, "qryxstats", {"kind": "cleanup", "show_active": True}).json()
    assert len(ms) == 3
    for snaps in ms.values():
        s = [x for x in snaps if x["id"] == xid]
        assert len(s) == 1 and s[0]["end-time"] == ZERO_TIME and s[0]["is_idle"] is False and not s[0]["aborted"]
    # abort by ID
    r = stop(cluster, {"id": xid})
    assert r.status_code == 200, r.text
    st = wait_end(cluster, xid, timeout=10)
    assert st["aborted"] is True and st["end_time"] > 0 and xid in st["err"], st
    # each target's job ends (ABORTING -> ABORTED) once its thread sees the flag
    deadline = time.time() + 10
    while True:
        ms = query(cluster, "qryxstats", {"id": xid}).json()
        if all(snaps[0]["end-time"] != ZERO_TIME for snaps in ms.values()) or time.time() > deadline:
            break
        time.sleep(0.05)
    for snaps in ms.values():
        s = snaps[0]
        assert s["aborted"] is True and s["abort-err"] == "user abort" and s["is_idle"] is True, s
        assert s["end-time"] != ZERO_TIME
        assert int(s["stats"]["loc-objs"]) == 0  # young work files: visited, never removed
    assert "cleanup-store[%s]" % xid not in query(cluster, "running_all", {"kind": "cleanup-store"}).json()
    # the planted files are still there (aborted long before the end, and too young anyway)
    assert len(cluster.files_under(bucket, "%wk")) == 3 * 2 * 100
    # aborting again is a no-op
    assert stop(cluster, {"id": xid}).status_code == 200
    assert status(cluster, xid)["aborted"] is True


def test_abort_by_kind_go_client_keys(cluster, bucket):
    """Go's api.AbortXaction/QueryXactionSnaps send "Kind"/"ID" (field names); keys match
    case-insensitively and unknown keys are ignored"""
    xid = slow_cleanup(cluster, bucket)
    r = query(cluster, "qryxstats", {"ID": xid, "Kind": "cleanup-store", "OnlyRunning": True, "unknown": 1})
    assert r.status_code == 200 and all(s[0]["id"] == xid for s in r.json().values()), r.text
    r = query(cluster, "status", {"ID": xid, "KIND": "cleanup"})
    assert r.status_code == 200 and r.json()["uuid"] == xid, r.text
    r = stop(cluster, {"Kind": "cleanup-store", "ID": "", "DaemonID": "", "Bck": {"name": "", "provider": "",
                       "namespace": {"uuid": "", "name": ""}}, "Buckets": None, "Timeout": 0, "Force": False,
                       "OnlyRunning": False})
    assert r.status_code == 200, r.text
    st = wait_end(cluster, xid, timeout=10)
    assert st["aborted"] is True, st


def test_bad_input(cluster, bucket):
    before = query(cluster, "running_all", {}).json()
    # unknown kind: 400, nothing started
    r = start(cluster, {"kind": "no-such-job"})
    assert r.status_code == 400 and 'invalid xaction (job) kind \\"no-such-job\\"' in r.text, r.text
    # kinds AIStore knows that this build cannot run: 501; ones that need a bucket: 400
    r = start(cluster, {"kind": "lru"})
    assert r.status_code == 501 and "cannot start xaction lru - operation not supported" in r.json()["message"]
    r = start(cluster, {"kind": "rechunk"})
    assert r.status_code == 400 and r.json()["message"] == 'xaction "rechunk" requires a bucket to start'
    r = start(cluster, {"kind": "download"})
    assert r.status_code == 400 and "must be done via a separate documented API" in r.json()["message"]
    # a bucket that does not exist: 404; a flag that is not built: 501
    r = start(cluster, {"kind": "cleanup-store", "bck": {"name": "no-such-bucket", "provider": "ais"}})
    assert r.status_code == 404 and r.json()["message"] == 'bucket "ais://no-such-bucket" does not exist', r.text
    r = start(cluster, {"kind": "cleanup-store", "flags": 1})
    assert r.status_code == 501, r.text
    # a value of the wrong type, malformed JSON
    r = start(cluster, {"kind": 5})
    assert r.status_code == 400 and "cannot unmarshal number" in r.text, r.text
    r = requests.put(clu(cluster), data=b'{"action":"start","value":', timeout=T)
    assert r.status_code == 400
    assert query(cluster, "running_all", {}).json() == before
    # stop: a well-formed ID nobody knows is a no-op (as AIStore's xreg.DoAbort); malformed: 400
    assert stop(cluster, {"id": "NoSuchJob12"}).status_code == 200
    r = stop(cluster, {"id": "bad"})
    assert r.status_code == 400 and 'invalid xaction (job) UUID \\"bad\\"' in r.text, r.text
    r = stop(cluster, {})
    assert r.status_code == 400 and "expecting a valid kind and/or UUID" in r.text, r.text
    # status / qryxstats of an unknown ID: 404
    r = query(cluster, "status", {"id": "NoSuchJob12"})
    assert r.status_code == 404 and "does not exist" in r.json()["message"], r.text
    r = query(cluster, "qryxstats", {"id": "NoSuchJob12"})
    assert r.status_code == 404 and r.json()["message"] == '"x-[NoSuchJob12]" not found', r.text
    r = query(cluster, "status", {})
    assert r.status_code == 400 and r.json()["message"] == "invalid x-", r.text
    r = query(cluster, "qryxstats", {"kind": "nonsense"})
    assert r.status_code == 400
    r = requests.get(clu(cluster), params={"what": "qryxstats"}, data=b"{not json", timeout=T)
    assert r.status_code == 400


def test_target_endpoints(cluster, bucket):
    """the targets' own /v1/xactions as AIStore's proxy calls them (ais/tgtxact.go)"""
    t = cluster.targets[0]
    r = cluster.intra("PUT", t, "/v1/xactions", params={"dont_cleanup_time": "1h"},
                      json={"action": "start", "value": {"kind": "cleanup-store"}}, timeout=T)
    assert r.status_code == 200 and r.text, r.text  # this target made up the ID
    xid = r.text
    deadline = time.time() + 30
    while True:
        r = requests.get(t.url + "/v1/xactions", params={"what": "getxstats", "uuid": xid}, timeout=T)
        assert r.status_code == 200, r.text
        if r.json()["end-time"] != ZERO_TIME:
            break
        assert time.time() < deadline
        time.sleep(0.05)
    assert set(r.json()) == SNAP_KEYS
    r = requests.get(t.url + "/v1/xactions", params={"what": "getxstats", "uuid": "NoSuchJob12"}, timeout=T)
    assert r.status_code == 404
    r = requests.get(t.url + "/v1/xactions", params={"what": "qryxstats"}, json={"id": "NoSuchJob12," + xid},
                     timeout=T)
    assert r.status_code == 200 and r.json()[0]["id"] == xid, r.text
    r = requests.get(t.url + "/v1/xactions", params={"what": "bogus"}, json={}, timeout=T)
    assert r.status_code == 400 and "unexpected query [what=bogus]" in r.text
    r = cluster.intra("PUT", t, "/v1/xactions", json={"action": "bogus", "value": {}}, timeout=T)
    assert r.status_code == 400 and 'invalid action \\"bogus\\"' in r.text
    # the proxy never heard of it: no status listener
    assert query(cluster, "status", {"id": xid}).status_code == 404
