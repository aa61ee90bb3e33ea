"""test_ha.py: gateway high availability (issue 12) on a private cluster of 3 proxies + 3 targets
(module-scoped; the shared session cluster is untouched): failover when the primary is killed
(time, one primary, no failed client request, metadata changes after it, the old primary
rejoining as non-primary), the primary and the next candidate killed together, set-primary
under load with every node's Smap sampled every 50 ms, a primary paused with SIGSTOP (it must
not lead again: it steps down and rejoins), bad input (set-primary, votes), the election as a
job, the CLI, force-join of two clusters, and a cluster on IPv6 (::1).
Every test leaves the cluster healed: all 6 nodes up, one primary, same Smap everywhere."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest
import requests

import rebutil
from cluster import ROOT, SCHEME, Cluster, new_bucket_name

KEEPALIVE = 1.0  # seconds; the cluster's keepalivetracker interval
AIS = os.path.join(ROOT, "build", "ais")


def smap_of(node, timeout=1.0):
    r = requests.get(node.url + "/v1/daemon?what=smap", timeout=timeout)
    r.raise_for_status()
    return r.json()


def view(node):
    """(version, primary id) of a node's Smap, None when it does not answer"""
    try:
        s = smap_of(node)
        return int(s["version"]), (s.get("proxy_si") or {}).get("daemon_id")
    except (requests.RequestException, ValueError, KeyError):
        return None


class HA:
    def __init__(self, c):
        self.c = c
        self.ids = {n.name: c.node_id(n) for n in c.nodes}
        self.by_id = {v: k for k, v in self.ids.items()}

    def node(self, daemon_id):
        return next(n for n in self.c.nodes if n.name == self.by_id[daemon_id])

    def alive(self):
        return [n for n in self.c.nodes if n.alive()]

    def agreed(self, nodes=None):
        """(version, primary id) when every given (default: live) node reports the same and the
        primary is one of them; else None"""
        nodes = nodes or self.alive()
        vs = [view(n) for n in nodes]
        if None in vs or len(set(vs)) != 1:
            return None
        v = vs[0]
        if v[1] not in self.by_id or not self.node(v[1]).alive():
            return None
        return v

    def wait_agreed(self, timeout=30, nodes=None, pred=None):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = self.agreed(nodes)
            if last and (pred is None or pred(last)):
                return last
            time.sleep(0.05)
        raise AssertionError("nodes did not agree on one primary within %ss: %s" % (
            timeout, {n.name: view(n) for n in (nodes or self.alive())}))

    def primary(self):
        v = self.wait_agreed()
        return self.node(v[1])

    def heal(self):
        """restart whatever is down or stopped, wait for all 6 nodes in one Smap"""
        for n in self.c.nodes:
            if n.alive():
                try:
                    os.kill(n.pid, signal.SIGCONT)
                except OSError:
                    pass
            else:
                n.kill9()
                n.start()
        self.c.expected_down.clear()

        def full(v):
            s = smap_of(self.node(v[1]))
            return len(s["pmap"]) == 3 and len(s["tmap"]) == 3 and \
                all(not int(x.get("flags", 0)) for x in list(s["pmap"].values()) + list(s["tmap"].values()))
        return self.wait_agreed(60, pred=full)


@pytest.fixture(scope="module")
def ha():
    c = Cluster(nproxies=3, ntargets=3, nmountpaths=1, keepalive="%ds" % KEEPALIVE)
    c.start()
    h = HA(c)
    h.wait_agreed()
    yield h
    if os.environ.get("AIS_E2E_KEEP"):
        print("\nAIS_E2E_KEEP: HA cluster dir %s" % c.dir)
    c.cleanup()


@pytest.fixture
def healthy(ha):
    ha.heal()
    yield ha
    ha.heal()


class Load:
    """n client threads doing PUT then GET (verified) through the given proxies, round robin"""

    def __init__(self, proxies, bck, nthreads=4, size=4096):
        self.proxies = list(proxies)
        self.bck = bck
        self.stop = threading.Event()
        self.ok = 0
        self.failed = []
        self.lock = threading.Lock()
        self.size = size
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(nthreads)]

    def run(self, tid):
        s = requests.Session()
        k = 0
        while not self.stop.is_set():
            p = self.proxies[(tid + k) % len(self.proxies)]
            name = "t%d/o%d" % (tid, k % 50)
            data = (b"%d-%d-" % (tid, k)) * (self.size // 8)
            url = "%s/v1/objects/%s/%s" % (p.url, self.bck, name)
            t0 = time.time()
            try:
                r = s.put(url, data=data, timeout=10)
                ok = r.status_code == 200
                what = "PUT %s" % r.status_code
                if ok:
                    r = s.get(url, timeout=10)
                    ok = r.status_code == 200 and r.content == data
                    what = "GET %s len=%d" % (r.status_code, len(r.content))
            except requests.RequestException as e:
                ok, what = False, repr(e)
            with self.lock:
                if ok:
                    self.ok += 1
                else:
                    self.failed.append((t0, p.name, name, what))
            k += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def node_bmd_has(node, bck):
    r = requests.get(node.url + "/v1/daemon?what=bmd", timeout=5)
    r.raise_for_status()
    return bck in json.dumps(r.json())


def wait_bmd(nodes, bck, present=True, timeout=10):
    """every node's BMD has (or lacks) the bucket; a node that just joined installs the Smap of
    the join answer a moment before its BMD"""
    deadline = time.time() + timeout
    while True:
        missing = [n.name for n in nodes if node_bmd_has(n, bck) != present]
        if not missing:
            return
        if time.time() > deadline:
            raise AssertionError("bucket %s %s on %s" % (bck, "missing" if present else "still present", missing))
        time.sleep(0.1)


def node_config(node):
    r = requests.get(node.url + "/v1/daemon?what=config", timeout=5)
    r.raise_for_status()
    return r.json()


# ---------------------------------------------------------------------------------------------

def test_nonprimary_gateways(healthy):
    """every proxy is a full gateway: in the pmap, same Smap, data path and forwarded metadata"""
    ha = healthy
    prim = ha.primary()
    others = [p for p in ha.c.proxies if p is not prim]
    s = smap_of(prim)
    assert set(s["pmap"]) == {ha.ids[p.name] for p in ha.c.proxies}
    bck = new_bucket_name("ha-gw")
    r = requests.post(others[0].url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, r.text
    for n in ha.c.nodes:
        assert node_bmd_has(n, bck), n.name
    r = requests.put(others[0].url + "/v1/objects/%s/x" % bck, data=b"abc", timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(others[1].url + "/v1/objects/%s/x" % bck, timeout=10)
    assert r.status_code == 200 and r.content == b"abc"
    r = requests.put(others[1].url + "/s3/%s/y" % bck, data=b"s3", timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(others[0].url + "/s3/%s/y" % bck, timeout=10)
    assert r.status_code == 200 and r.content == b"s3"
    # the health query every node answers with its cluster-info (AIStore's NodeStateInfo)
    r = requests.get(others[0].url + "/v1/health?cii=true", timeout=5)
    nsti = r.json()
    assert nsti["smap"]["primary"]["id"] == ha.ids[prim.name] and nsti["smap"]["version"] == s["version"]
    r = requests.get(others[0].url + "/v1/health?apr=true", timeout=5)
    assert r.status_code == 400 and "misdirected" in r.json()["message"]
    assert requests.get(prim.url + "/v1/health?apr=true", timeout=5).status_code == 200
    requests.delete(others[1].url + "/v1/buckets/" + bck, json={"action": "destroy-bck"}, timeout=10)


def test_failover_kill_primary(healthy):
    """Done-when 1: kill -9 the primary under load through the two other proxies"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    v0 = view(prim)
    others = [p for p in c.proxies if p is not prim]
    bck = new_bucket_name("ha-fo")
    r = requests.post(others[0].url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, r.text
    with Load(others, bck) as load:
        time.sleep(1.5)
        c.expected_down.add(prim.name)
        t_kill = time.time()
        prim.kill9()
        survivors = [n for n in c.nodes if n is not prim]
        v = ha.wait_agreed(timeout=20, nodes=survivors, pred=lambda x: x[1] != ha.ids[prim.name])
        t_failover = time.time() - t_kill
        time.sleep(2)  # keep the load going on the new primary
    assert load.ok > 20, load.ok
    assert not load.failed, load.failed[:5]
    assert t_failover <= 2 * KEEPALIVE, "failover took %.2fs" % t_failover
    assert v[0] > v0[0] and ha.by_id[v[1]] in [p.name for p in others]
    newp = ha.node(v[1])
    # one primary only: every survivor agrees, and only the new one claims the role
    for n in survivors:
        s = smap_of(n)
        assert s["proxy_si"]["daemon_id"] == v[1] and int(s["version"]) == v[0]
        assert ha.ids[prim.name] not in s["pmap"]
    # metadata after failover: bucket create and set-config reach every (live) node
    other = next(p for p in others if p is not newp)
    b2 = new_bucket_name("ha-after")
    r = requests.post(other.url + "/v1/buckets/" + b2, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.put(other.url + "/v1/cluster/set-config?periodic.retry_sync_time=3s", timeout=10)
    assert r.status_code == 200, r.text
    for n in survivors:
        assert node_bmd_has(n, b2), n.name
        assert node_config(n)["periodic"]["retry_sync_time"] == "3s", n.name
        assert node_config(n)["proxy"]["primary_url"] == newp.url, n.name
    # the job list shows the election (on the new primary)
    r = requests.get(other.url + "/v1/cluster?what=qryxstats", json={"kind": "election"}, timeout=10)
    assert r.status_code == 200, r.text
    snaps = r.json()
    assert v[1] in snaps and snaps[v[1]][0]["kind"] == "election" and snaps[v[1]][0]["end-time"], snaps
    # the old primary restarts and rejoins as non-primary
    prim.start()
    c.expected_down.discard(prim.name)
    v2 = ha.wait_agreed(timeout=30, pred=lambda x: ha.ids[prim.name] in smap_of(newp)["pmap"])
    assert v2[1] == v[1], "the old primary took over again"
    wait_bmd([prim], b2)
    assert node_config(prim)["periodic"]["retry_sync_time"] == "3s"
    r = requests.get(prim.url + "/v1/objects/%s/t0/o0" % bck, timeout=10)
    assert r.status_code == 200
    for b in (bck, b2):
        requests.delete(other.url + "/v1/buckets/" + b, json={"action": "destroy-bck"}, timeout=30)
    requests.put(other.url + "/v1/cluster/set-config?periodic.retry_sync_time=2s", timeout=10)


def hrw_proxy_order(smap, skip):
    """electable proxies by id_digest, highest first (AIStore's HrwProxy order)"""
    ps = [(int(p["id_digest"]), pid) for pid, p in smap["pmap"].items() if pid != skip and not int(p.get("flags", 0))]
    return [pid for _, pid in sorted(ps, reverse=True)]


def test_kill_primary_and_next_candidate(healthy):
    """Done-when 2: the primary and the next in HRW order die together: the third proxy wins"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    s = smap_of(prim)
    order = hrw_proxy_order(s, ha.ids[prim.name])
    cand, third = ha.node(order[0]), ha.node(order[1])
    c.expected_down.update({prim.name, cand.name})
    t0 = time.time()
    prim.kill9()
    cand.kill9()
    survivors = [n for n in c.nodes if n not in (prim, cand)]
    v = ha.wait_agreed(timeout=40, nodes=survivors, pred=lambda x: x[1] == ha.ids[third.name])
    took = time.time() - t0
    assert v[1] == ha.ids[third.name]
    # the dead candidate leaves the map too (keepalive), the cluster keeps working
    ha.wait_agreed(timeout=30, nodes=survivors, pred=lambda x: ha.ids[cand.name] not in smap_of(third)["pmap"])
    bck = new_bucket_name("ha-two")
    r = requests.post(third.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, r.text
    for n in survivors:
        assert node_bmd_has(n, bck)
    requests.delete(third.url + "/v1/buckets/" + bck, json={"action": "destroy-bck"}, timeout=30)
    print("two proxies down: p[%s] primary after %.2fs" % (ha.ids[third.name], took))


def test_set_primary_under_load(healthy):
    """Done-when 3: set-primary under load, every node's Smap sampled every 50 ms"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    newp = next(p for p in c.proxies if p is not prim)
    bck = new_bucket_name("ha-set")
    r = requests.post(prim.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200
    samples = []  # (t_send, t_recv, node name, version, primary id)
    stop = threading.Event()

    def sampler(n):
        s = requests.Session()
        while not stop.is_set():
            t0 = time.time()
            try:
                j = s.get(n.url + "/v1/daemon?what=smap", timeout=2).json()
                samples.append((t0, time.time(), n.name, int(j["version"]), j["proxy_si"]["daemon_id"]))
            except requests.RequestException:
                samples.append((t0, time.time(), n.name, None, None))
            time.sleep(max(0, 0.05 - (time.time() - t0)))

    th = [threading.Thread(target=sampler, args=(n,), daemon=True) for n in c.nodes]
    for t in th:
        t.start()
    with Load(c.proxies, bck) as load:
        time.sleep(1)
        r = requests.put(prim.url + "/v1/cluster/proxy/" + ha.ids[newp.name], timeout=30)
        assert r.status_code == 200, r.text
        v = ha.wait_agreed(timeout=10, pred=lambda x: x[1] == ha.ids[newp.name])
        time.sleep(1.5)
    stop.set()
    for t in th:
        t.join(5)
    assert not load.failed, load.failed[:5]
    assert load.ok > 20
    # no two primaries at any point: all samples where the old primary claims the role precede
    # (were sent before the answer of) every sample where the new one does
    claims = {}
    for t_send, t_recv, name, ver, pid in samples:
        assert name in ha.ids and (ver is not None), "node %s did not answer a sample" % name
        assert pid in (ha.ids[prim.name], ha.ids[newp.name]), (name, pid)
        if pid == ha.ids[name]:
            claims.setdefault(name, []).append((t_send, t_recv))
    assert set(claims) <= {prim.name, newp.name}
    if prim.name in claims and newp.name in claims:
        last_old = max(ts for ts, _ in claims[prim.name])
        first_new = min(tr for _, tr in claims[newp.name])
        assert last_old < first_new, "old and new primary claimed the role at the same time"
    assert len(samples) > 6 * 20
    assert v[1] == ha.ids[newp.name]
    # the new primary leads: metadata through the old one is forwarded
    r = requests.delete(prim.url + "/v1/buckets/" + bck, json={"action": "destroy-bck"}, timeout=30)
    assert r.status_code == 200
    for n in c.nodes:
        assert not node_bmd_has(n, bck)


def test_sigstop_primary_partition(healthy):
    """Done-when 5: the primary is paused longer than the keepalive timeout, then resumed: the
    others elect a new primary; the old one does not lead again, it steps down and rejoins"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    pid = ha.ids[prim.name]
    others = [n for n in c.nodes if n is not prim]
    os.kill(prim.pid, signal.SIGSTOP)
    try:
        v = ha.wait_agreed(timeout=60, nodes=others, pred=lambda x: x[1] != pid)
    finally:
        os.kill(prim.pid, signal.SIGCONT)
    newp = ha.node(v[1])
    # right after resuming, a metadata change sent to the old primary must not be applied by it
    # as a primary: it is either refused or lands in the new primary's BMD (everywhere)
    bck = new_bucket_name("ha-stop")
    r = requests.post(prim.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=30)
    assert r.status_code in (200, 503), r.text
    v2 = ha.wait_agreed(timeout=30, pred=lambda x: pid in smap_of(newp)["pmap"])
    assert v2[1] == v[1], "the resumed proxy took the primary role back"
    assert view(prim)[1] == v[1]
    if r.status_code == 200:
        wait_bmd(c.nodes, bck)
        requests.delete(newp.url + "/v1/buckets/" + bck, json={"action": "destroy-bck"}, timeout=30)
    else:
        assert not node_bmd_has(newp, bck)
    # no node follows the old primary (the version may have moved on: joins, removals)
    v3 = ha.wait_agreed(timeout=10)
    assert v3[1] == v[1] and v3[0] >= v2[0]


def test_bad_input(healthy):
    """Done-when 6: set-primary to an unknown ID, a target, a proxy in maintenance; votes"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    other = next(p for p in c.proxies if p is not prim)
    v0 = view(prim)
    r = requests.put(other.url + "/v1/cluster/proxy/nosuchnode", timeout=10)
    assert r.status_code == 404, r.text
    e = r.json()
    assert "does not exist" in e["message"] or "not present" in e["message"]
    assert e["status"] == 404
    tid = ha.ids[c.targets[0].name]
    r = requests.put(prim.url + "/v1/cluster/proxy/" + tid, timeout=10)
    assert r.status_code == 404 and "not present" in r.json()["message"], r.text
    # force without a URL
    r = requests.put(prim.url + "/v1/cluster/proxy/nosuchnode?frc=true", timeout=10)
    assert r.status_code == 404 and "'can' query is empty" in r.json()["message"], r.text
    # a proxy in maintenance cannot lead
    mid = ha.ids[other.name]
    r = requests.put(prim.url + "/v1/cluster", json={"action": "start-maintenance", "value": {"sid": mid}}, timeout=10)
    assert r.status_code == 200, r.text
    try:
        r = requests.put(prim.url + "/v1/cluster/proxy/" + mid, timeout=10)
        assert r.status_code == 400 and "maintenance" in r.json()["message"], r.text
    finally:
        r = requests.put(prim.url + "/v1/cluster", json={"action": "stop-maintenance", "value": {"sid": mid}},
                         timeout=10)
        assert r.status_code == 200, r.text
    # set-primary to itself: nothing to do
    assert requests.put(prim.url + "/v1/cluster/proxy/" + ha.ids[prim.name], timeout=10).status_code == 200
    # nothing changed hands
    assert view(prim)[1] == v0[1]
    # votes: a well-formed request while the primary is alive is refused ("still heard")
    smap = smap_of(prim)
    cand = next(pid for pid in smap["pmap"] if pid != smap["proxy_si"]["daemon_id"])
    rec = {"candidate": cand, "primary": smap["proxy_si"]["daemon_id"], "smap": smap,
           "start_time": "2026-01-01T00:00:00Z", "initiator": cand}
    t = c.targets[1]
    r = c.intra("GET", t, "/v1/vote/proxy?can=" + cand, sender=cand, json={"vote_record": rec}, timeout=10)
    assert r.status_code == 200 and r.text == "NO", r.text
    # a stale Smap (older version, the candidate's entry changed): refused
    stale = json.loads(json.dumps(smap))
    stale["version"] = str(int(smap["version"]) - 1)
    stale["pmap"][cand]["public_net"]["daemon_port"] = "1"
    stale["pmap"][cand]["public_net"]["direct_url"] = "http://127.0.0.1:1"
    srec = dict(rec, smap=stale)
    r = c.intra("GET", t, "/v1/vote/proxy?can=" + cand, sender=cand, json={"vote_record": srec}, timeout=10)
    assert r.status_code == 200 and r.text == "NO", r.text
    r = c.intra("PUT", other, "/v1/vote/init", sender=cand, json={"vote_initiation": srec}, timeout=10)
    assert r.status_code == 400 and "failed to synchronize" in r.json()["message"], r.text
    # malformed
    for body in (b"{", b"{}", b'{"vote_record": {"candidate": "x"}}'):
        r = c.intra("GET", t, "/v1/vote/proxy", sender=cand, data=body, timeout=10)
        assert r.status_code == 400, (body, r.text)
    r = c.intra("GET", t, "/v1/vote/proxy", sender=cand, json={"vote_record": dict(rec, candidate="")}, timeout=10)
    assert r.status_code == 400 and "empty candidate" in r.json()["message"]
    r = c.intra("GET", t, "/v1/vote/proxy", sender=cand, json={"vote_record": dict(rec, candidate=rec["primary"])},
                timeout=10)
    assert r.status_code == 400 and "_is_ the current primary" in r.json()["message"]
    r = c.intra("PUT", t, "/v1/vote/result", sender=cand, json={"vote_result": dict(rec, candidate="nosuchproxy")},
                timeout=10)
    assert r.status_code == 404, r.text
    assert c.intra("PUT", t, "/v1/vote/init", sender=cand, json={}, timeout=10).status_code in (400, 404, 405)
    r = c.intra("PUT", t, "/v1/daemon/proxy/" + cand + "?prp=maybe", sender=cand, timeout=10)
    assert r.status_code == 400 and "prp" in r.json()["message"]
    # nothing moved (the maintenance round trip above bumped the version only)
    assert ha.wait_agreed(timeout=5)[1] == v0[1]


def test_cli_set_primary_and_show(healthy):
    """`ais cluster set-primary`, `ais show cluster` marks the primary, `ais show job election`"""
    ha = healthy
    c = ha.c
    prim = ha.primary()
    newp = next(p for p in c.proxies if p is not prim)
    env = dict(os.environ, AIS_ENDPOINT=newp.url)
    out = subprocess.run([AIS, "show", "cluster", "proxy"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "p[%s][P]" % ha.ids[prim.name] in out.stdout, out.stdout
    out = subprocess.run([AIS, "cluster", "set-primary", "p[%s]" % ha.ids[newp.name]], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "p[%s] is now a new primary" % ha.ids[newp.name] in out.stdout
    ha.wait_agreed(pred=lambda x: x[1] == ha.ids[newp.name])
    out = subprocess.run([AIS, "show", "cluster", "proxy"], env=env, capture_output=True, text=True, timeout=30)
    assert "p[%s][P]" % ha.ids[newp.name] in out.stdout and "p[%s][P]" % ha.ids[prim.name] not in out.stdout
    out = subprocess.run([AIS, "cluster", "set-primary", "t[%s]" % ha.ids[c.targets[0].name]], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "is not a proxy" in out.stdout + out.stderr
    out = subprocess.run([AIS, "cluster", "set-primary", "nosuchnode"], env=env, capture_output=True, text=True,
                         timeout=30)
    assert out.returncode != 0 and "does not exist" in out.stdout + out.stderr
    out = subprocess.run([AIS, "cluster", "set-primary", ha.ids[prim.name], "ftp://x"], env=env, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode != 0 and "invalid URL" in out.stdout + out.stderr
    # elections are jobs: one ran in test_failover_* (if they ran first) - here force one
    victim = ha.primary()
    c.expected_down.add(victim.name)
    victim.kill9()
    rest = [n for n in c.nodes if n is not victim]
    v = ha.wait_agreed(timeout=30, nodes=rest, pred=lambda x: x[1] != ha.ids[victim.name])
    env = dict(os.environ, AIS_ENDPOINT=ha.node(v[1]).url)
    out = subprocess.run([AIS, "show", "job", "election", "--all"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "elect-primary" in out.stdout or "election" in out.stdout, out.stdout
    assert v[1] in out.stdout, out.stdout
    out = subprocess.run([AIS, "start", "election"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode != 0


def test_force_join_other_cluster(ha):
    """set-primary --force: a separate 1-proxy + 1-target cluster force-joins ours (merging
    clusters / split-brain recovery); afterwards one cluster, one primary, both targets' data"""
    ha.heal()
    dst = ha.primary()
    # clusters that merge share the cluster key (a node of another key cannot even ask)
    src = Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="1s", cluster_key=ha.c.cluster_key_hex)
    src.start()
    try:
        sp, st = src.proxies[0], src.targets[0]
        sp_id, st_id = src.node_id(sp), src.node_id(st)
        bck = new_bucket_name("ha-src")
        src.create_bucket(bck)
        r = requests.put(src.obj_url(bck, "kept"), data=b"source data", timeout=10)
        assert r.status_code == 200
        # a node of another cluster joining normally is refused (UUID mismatch)
        s_src, s_dst = smap_of(sp), smap_of(dst)
        assert s_src["uuid"] != s_dst["uuid"]
        body = {"snode": s_src["tmap"][st_id], "cluster_uuid": s_src["uuid"]}
        r = src.intra("POST", dst, "/v1/cluster/join", sender=st_id, json=body, timeout=10)
        assert r.status_code == 409 and "UUID mismatch" in r.json()["message"], r.text
        # force-join the whole source cluster to ours
        did = ha.ids[dst.name]
        r = requests.put(sp.url + "/v1/cluster/proxy/%s?frc=true&can=%s" % (did, dst.url), timeout=60)
        assert r.status_code == 200, r.text
        deadline = time.time() + 30
        while time.time() < deadline:
            s = smap_of(dst)
            if sp_id in s["pmap"] and st_id in s["tmap"] and view(sp) == view(dst) and view(st) == view(dst):
                break
            time.sleep(0.2)
        s = smap_of(dst)
        assert sp_id in s["pmap"] and st_id in s["tmap"], s
        assert s["proxy_si"]["daemon_id"] == did
        assert view(sp) == view(dst) and view(st) == view(dst)
        assert smap_of(st)["uuid"] == s_dst["uuid"]
        # the source bucket is not in the destination BMD, but its data stays on disk
        files = [os.path.join(d, f) for mp in st.mountpaths for d, _, fs in os.walk(mp) for f in fs
                 if f == "kept"]
        assert files, "force-join removed the source target's data"
        # the merged cluster works: a bucket across all 4 targets
        b2 = new_bucket_name("ha-merged")
        r = requests.post(sp.url + "/v1/buckets/" + b2, json={"action": "create-bck"}, timeout=10)
        assert r.status_code == 200, r.text
        assert node_bmd_has(st, b2) and node_bmd_has(ha.c.targets[0], b2)
        requests.delete(dst.url + "/v1/buckets/" + b2, json={"action": "destroy-bck"}, timeout=30)
    finally:
        # take the source nodes out of our cluster again
        for n in (src.targets[0], src.proxies[0]):
            try:
                nid = src.node_id(n)
                requests.put(dst.url + "/v1/cluster", json={"action": "decommission-node", "value": {"sid": nid}},
                             timeout=10)
            except requests.RequestException:
                pass
        src.cleanup()
    ha.heal()


def test_ipv6_cluster():
    """net.use_ipv6: a 2-proxy + 2-target cluster on ::1 forms, node URLs are bracketed, the data
    path works, and a failover works over IPv6 too"""
    c = Cluster(nproxies=2, ntargets=2, nmountpaths=1, keepalive="1s", host="::1")
    c.start()
    try:
        s = c.smap()
        for n in list(s["pmap"].values()) + list(s["tmap"].values()):
            for net in ("public_net", "intra_control_net", "intra_data_net"):
                assert n[net]["direct_url"].startswith("%s://[::1]:" % SCHEME), n
                assert n[net]["node_ip_addr"] == "::1"
        bck = new_bucket_name("v6")
        c.create_bucket(bck)
        r = requests.put(c.obj_url(bck, "o"), data=b"over v6", timeout=10)
        assert r.status_code == 200, r.text
        r = requests.get(c.proxies[1].url + "/v1/objects/%s/o" % bck, timeout=10)
        assert r.status_code == 200 and r.content == b"over v6"
        assert "[::1]" in r.url  # followed the redirect to a target's bracketed URL
        r = requests.put(c.proxies[1].url + "/s3/%s/s" % bck, data=b"s3 over v6", timeout=10)
        assert r.status_code == 200, r.text
        r = requests.get(c.proxies[0].url + "/s3/%s/s" % bck, timeout=10)
        assert r.status_code == 200 and r.content == b"s3 over v6"
        ha = HA(c)
        prim = ha.primary()
        c.expected_down.add(prim.name)
        prim.kill9()
        rest = [n for n in c.nodes if n is not prim]
        v = ha.wait_agreed(timeout=20, nodes=rest, pred=lambda x: x[1] != ha.ids[prim.name])
        newp = ha.node(v[1])
        assert node_config(newp)["proxy"]["primary_url"].startswith("%s://[::1]:" % SCHEME)
        r = requests.get(newp.url + "/v1/objects/%s/o" % bck, timeout=10)
        assert r.status_code == 200 and r.content == b"over v6"
    finally:
        c.cleanup()


def _reb_done_everywhere(c, xid_n, tids):
    """every target in tids ran rebalance g<xid_n> (or a newer one) to its end, not aborted"""
    nodes = rebutil.node_by_id(c)
    for tid in tids:
        try:
            s = requests.get(nodes[tid].url + "/v1/health?rebstatus=true", timeout=2).json()
        except (requests.RequestException, ValueError, KeyError):
            return False
        if int(s["reb_id"]) < xid_n or s["running"] or s["aborted"]:
            return False
    return True


def test_primary_killed_during_maintenance_rebalance(healthy):
    """issue 12, item 4: the primary dies while a maintenance rebalance runs; the rebalance
    finishes (the targets run it from the RMD they have), every object ends on its HRW owner
    and the GETs through a surviving proxy never fail"""
    h = healthy
    c = h.c
    p = h.primary()
    via = next(n for n in c.proxies if n is not p)
    url0 = c.url
    c.url = via.url
    loop = None
    try:
        bck = new_bucket_name("harb")
        c.create_bucket(bck)
        objs = rebutil.make_objs(800, lo=4096, hi=96 * 1024)
        rebutil.put_all(c, bck, objs)
        ids0 = rebutil.active_ids(rebutil.smap(c))
        victim = ids0[0]
        loop = rebutil.GetLoop(c, bck, objs, nthreads=4)
        time.sleep(0.3)
        r = requests.put(c.url + "/v1/cluster", json={"action": "start-maintenance", "value": {"sid": victim}},
                         timeout=(3, 30))
        assert r.status_code == 200 and r.text.startswith("g"), (r.status_code, r.text)
        xid_n = int(r.text[1:])
        c.expected_down.add(p.name)
        p.kill9()
        live = [n for n in c.nodes if n is not p]
        v = h.wait_agreed(30, nodes=live, pred=lambda v: v[1] != h.ids[p.name])
        assert v[1] != h.ids[p.name]
        ids1 = [t for t in ids0 if t != victim]
        deadline = time.time() + 90
        while not _reb_done_everywhere(c, xid_n, ids1 + [victim]):
            assert time.time() < deadline, "rebalance g%d did not finish after the failover:\n%s" % (
                xid_n, c.log_tails(10))
            time.sleep(0.2)
        sm = rebutil.smap(c)
        assert rebutil.active_ids(sm) == ids1, sm["tmap"]
        rebutil.check_placement(c, bck, objs, ids1)
        gets, errors, wrong = loop.stop()
        loop = None
        assert gets >= len(objs) and errors == 0 and wrong == 0, (gets, errors, wrong)
        # the drained target comes back: stop-maintenance through the new primary
        r = requests.put(c.url + "/v1/cluster", json={"action": "stop-maintenance", "value": {"sid": victim}},
                         timeout=(3, 30))
        assert r.status_code == 200, r.text
        if r.text.startswith("g"):
            rebutil.wait_reb(c, r.text)
        rebutil.check_placement(c, bck, objs, ids0)
    finally:
        if loop:
            loop.stop()
        c.url = url0
