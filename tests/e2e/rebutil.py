"""rebutil: helpers of the rebalance/maintenance/resilver e2e tests: a private cluster whose last
targets can be started later, parallel PUTs, the GET loop that counts errors and wrong bytes,
waiting for a rebalance, and the placement check (every name listed once, on its HRW target and
mountpath under the current Smap)."""
import os
import random
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import requests

from cluster import Cluster, hrw_pick, uname

T = (3, 30)


def start_cluster(ntargets, started, nmountpaths=2, overrides=None, keepalive="1s"):
    """1 proxy + ntargets targets of which the first `started` are started now"""
    c = Cluster(nproxies=1, ntargets=ntargets, nmountpaths=nmountpaths, keepalive=keepalive,
                cluster_overrides=overrides)
    c.write_configs()
    try:
        c.primary.start()
        c._wait(lambda: c._get_ok(c.primary.url + "/v1/daemon?what=smap"), 30, "primary answering")
        for t in c.targets[:started]:
            t.start()
        c.wait_ready(timeout=30, ntargets=started)
    except BaseException:
        logs = c.log_tails()
        c.cleanup()
        raise RuntimeError("cluster did not start:\n" + logs)
    return c


def put_all(c, bck, objs, nthreads=8):
    """PUT straight to each object's HRW owner (half the requests of going through the proxy)"""
    names = list(objs)
    sm = smap(c)
    ids = active_ids(sm)
    url = {tid: sm["tmap"][tid]["public_net"]["direct_url"] for tid in ids}
    dst = owners(bck, names, ids)

    def work(k):
        s = requests.Session()
        for n in names[k::nthreads]:
            u = "%s/v1/objects/%s/%s" % (url[dst[n]], bck, urllib.parse.quote(n))
            r = s.put(u, data=objs[n], timeout=T)
            assert r.status_code == 200, (n, r.status_code, r.text)
    with ThreadPoolExecutor(nthreads) as ex:
        list(ex.map(work, range(nthreads)))


def make_objs(n, prefix="o", lo=16, hi=600, seed=7):
    rnd = random.Random(seed)
    return {"%s%02d/x-%05d" % (prefix, i % 40, i): rnd.randbytes(rnd.randint(lo, hi)) for i in range(n)}


class GetLoop:
    """nthreads GET every object through the proxy, in a loop (each thread its share of the
    names, shuffled), until stop(): counts errors (anything but 200) and wrong bytes; stop()
    first waits until every thread went through its share at least once"""

    def __init__(self, c, bck, objs, nthreads=4, names=None):
        self.c, self.bck, self.objs = c, bck, objs
        self.names = list(names if names is not None else objs)
        self.stop_ev = threading.Event()
        self.lock = threading.Lock()
        self.gets = self.errors = self.wrong = 0
        self.passes = [0] * nthreads
        self.samples = []
        self.threads = [threading.Thread(target=self._run, args=(k, nthreads), daemon=True)
                        for k in range(nthreads)]
        for t in self.threads:
            t.start()

    def _run(self, k, nthreads):
        s = requests.Session()
        names = self.names[k::nthreads]
        random.Random(k).shuffle(names)
        i = 0
        while not self.stop_ev.is_set():
            n = names[i % len(names)]
            i += 1
            if i % len(names) == 0:
                self.passes[k] += 1
            try:
                r = s.get(self.c.obj_url(self.bck, n), timeout=T)
                st, body = r.status_code, r.content
            except requests.RequestException as e:
                st, body = type(e).__name__, b""
            with self.lock:
                self.gets += 1
                if st != 200:
                    self.errors += 1
                    if len(self.samples) < 10:
                        self.samples.append((n, st, body[:300]))
                elif body != self.objs[n]:
                    self.wrong += 1
                    if len(self.samples) < 10:
                        self.samples.append((n, "wrong bytes", len(body)))

    def stop(self, min_passes=1, timeout=120):
        deadline = time.time() + timeout
        while min(self.passes) < min_passes and time.time() < deadline:
            time.sleep(0.1)
        self.stop_ev.set()
        for t in self.threads:
            t.join(timeout=60)
        return self.gets, self.errors, self.wrong


def smap(c):
    return requests.get(c.url + "/v1/cluster?what=smap", timeout=T).json()


def active_ids(sm):
    return sorted(tid for tid, t in sm["tmap"].items() if not int(t.get("flags", 0)) & (4 | 8))


def status(c, **q):
    r = requests.get(c.url + "/v1/cluster?what=status", json=q, timeout=T)
    return r.status_code, (r.json() if r.status_code == 200 else r.text)


def wait_reb(c, xid, timeout=90, ok=True):
    """wait until rebalance xid ended everywhere; returns its nl.Status"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        st, s = status(c, id=xid)
        if st == 200 and s.get("end_time"):
            if ok:
                assert not s["aborted"] and not s["err"], s
            return s
        time.sleep(0.2)
    raise AssertionError("rebalance %s did not finish in %ss:\n%s" % (xid, timeout, c.log_tails(15)))


def latest_reb(c):
    """the ID of the most recent rebalance the primary knows of ("" if none)"""
    st, s = status(c, kind="rebalance")
    return s["uuid"] if st == 200 else ""


def wait_new_reb(c, after, timeout=30):
    """the ID of a rebalance newer than `after` (g<N> compared by N), once it started"""
    n0 = int(after[1:]) if after else 0
    deadline = time.time() + timeout
    while time.time() < deadline:
        x = latest_reb(c)
        if x and int(x[1:]) > n0:
            return x
        time.sleep(0.1)
    raise AssertionError("no rebalance after %s in %ss" % (after, timeout))


def reb_snaps(c, xid):
    r = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"id": xid}, timeout=T)
    assert r.status_code == 200, r.text
    return r.json()


def in_objs(c, xid):
    return sum(int(s["stats"]["in-objs"]) for v in reb_snaps(c, xid).values() for s in v or [])


def owners(bck, names, ids):
    return {n: hrw_pick(uname(bck, n), ids) for n in names}


def node_by_id(c):
    out = {}
    for t in c.targets:
        if t.alive():
            out[c.node_id(t)] = t
    return out


def check_placement(c, bck, expect_names, ids=None):
    """list with location: every expected name exactly once, on its HRW target (among the active
    ones) and its HRW mountpath there"""
    sm = smap(c)
    ids = ids or active_ids(sm)
    nodes = node_by_id(c)
    ents, _ = c.list_objects(bck, props="name,size,location")
    names = [e["name"] for e in ents]
    dups = len(names) - len(set(names))
    assert dups == 0, "%d duplicate names in the listing" % dups
    missing = set(expect_names) - set(names)
    extra = set(names) - set(expect_names)
    assert not missing and not extra, "missing %d (e.g. %s), extra %d (e.g. %s)" % (
        len(missing), sorted(missing)[:3], len(extra), sorted(extra)[:3])
    bad = []
    for e in ents:
        un = uname(bck, e["name"])
        tid = hrw_pick(un, ids)
        loc = e.get("location", "")
        want_t = "t[%s]" % tid
        mp = hrw_pick(un, nodes[tid].mountpaths) if tid in nodes else None
        if not loc.startswith(want_t + ":") or (mp and loc != "%s:%s" % (want_t, mp)):
            bad.append((e["name"], loc, want_t, mp))
    assert not bad, "%d misplaced, e.g. %s" % (len(bad), bad[:3])
    return ents


def mp_files(node):
    out = []
    for mp in node.mountpaths:
        for d, _, files in os.walk(mp):
            out.extend(os.path.join(d, f) for f in files)
    return out


def wait_reb_settled(c, after, timeout=180):
    """wait for the rebalance(s) started after `after` to settle: the newest one ended, not
    aborted, and none newer started meanwhile (each returning target may start a newer one,
    preempting the last) - conditions, not sleeps; returns its status"""
    deadline = time.time() + timeout
    x = wait_new_reb(c, after, timeout=60)
    while True:
        st = wait_reb(c, x, timeout=max(5, deadline - time.time()), ok=False)
        newest = latest_reb(c)
        if newest == x and not st["aborted"]:
            assert not st["err"], st
            return st
        assert time.time() < deadline, ("rebalance did not settle", st, c.log_tails(10))
        x = newest if newest != x else wait_new_reb(c, x, timeout=max(5, deadline - time.time()))
