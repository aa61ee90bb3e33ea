#!/usr/bin/env python3
"""ha.py: gateway high availability numbers (issue 12).
1. Time to failover: a 3-proxy + 3-target cluster (tests/e2e/cluster.py, private, free ports),
   KILLS times: kill -9 the current primary, time until every surviving node reports the same
   new primary (polled every 10 ms), restart the killed proxy, wait until it is back in the map.
   Prints each time, median and max, also as a multiple of the keepalive interval.
2. Requests/s through 3 proxies vs 1: wrk (-t1 per proxy, CONNS connections in total, a Lua
   script cycling over N objects) against one proxy, then split over the three proxies, for
   (a) native GET: the proxy's 301 redirect (wrk does not follow it: the proxy's whole share of a
       GET) and (b) S3 GET: the proxy forwards the request to the target and streams the object
       back (the full request through the proxy). Ratio = 3-proxy req/s / 1-proxy req/s.
   Everything shares this machine's CPUs: on a 2-core box more proxies cannot add CPU, so the
   ratio shows the cost or benefit of spreading clients, not the scaling of a real deployment.
Env: KILLS (10), KEEPALIVE (1s), N (objects, 200), SIZE (4096), CONNS (48), DURATION (8s).
Stops exactly what it started."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from cluster import Cluster  # noqa: E402

KILLS = int(os.environ.get("KILLS", "10"))
KEEPALIVE = os.environ.get("KEEPALIVE", "1s")
N = int(os.environ.get("N", "200"))
SIZE = int(os.environ.get("SIZE", "4096"))
CONNS = int(os.environ.get("CONNS", "48"))
DURATION = os.environ.get("DURATION", "8s")


def view(n):
    try:
        s = requests.get(n.url + "/v1/daemon?what=smap", timeout=1).json()
        return int(s["version"]), s["proxy_si"]["daemon_id"], len(s["pmap"]), len(s["tmap"])
    except Exception:
        return None


def agreed(nodes):
    vs = [view(n) for n in nodes]
    return vs[0] if vs and None not in vs and len(set(vs)) == 1 else None


def failover(c, ids):
    by_id = {v: k for k, v in ids.items()}
    times = []
    for i in range(KILLS):
        v = agreed(c.nodes)
        deadline = time.time() + 60
        while (not v or v[2] != 3 or v[3] != 3) and time.time() < deadline:
            time.sleep(0.1)
            v = agreed(c.nodes)
        if not v:
            raise RuntimeError("cluster did not settle before kill %d" % i)
        prim = next(n for n in c.proxies if n.name == by_id[v[1]])
        rest = [n for n in c.nodes if n is not prim]
        c.expected_down.add(prim.name)
        t0 = time.time()
        prim.kill9()
        while True:
            a = agreed(rest)
            if a and a[1] != v[1]:
                break
            if time.time() - t0 > 60:
                raise RuntimeError("no failover after 60s")
            time.sleep(0.01)
        dt = time.time() - t0
        times.append(dt)
        print("kill %2d: p[%s] -> p[%s] in %.3fs" % (i + 1, v[1], a[1], dt), flush=True)
        prim.start()
        c.expected_down.discard(prim.name)
    return times


WRK_LUA = """
local n = %d
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", string.format("%s%%d", i %% n))
end
"""


def wrk(urls, prefix, conns, tmp):
    """run one wrk per URL concurrently; return total req/s and errors"""
    lua = os.path.join(tmp, "cycle-%d.lua" % abs(hash(prefix)))
    with open(lua, "w") as f:
        f.write(WRK_LUA % (N, prefix))
    per = max(1, conns // len(urls))
    procs = [subprocess.Popen(["wrk", "-t1", "-c%d" % per, "-d" + DURATION, "-s", lua, u],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for u in urls]
    total, errs = 0.0, 0
    for p in procs:
        out = p.communicate(timeout=120)[0]
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                total += float(line.split()[1])
            if "Non-2xx or 3xx responses" in line:
                errs += int(line.split()[-1])
            if line.strip().startswith("Socket errors"):
                errs += sum(int(x.split()[-1]) for x in line.split(":", 1)[1].split(","))
    return total, errs


def throughput(c, tmp):
    s = requests.Session()
    r = s.post(c.proxies[0].url + "/v1/buckets/hab", json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, r.text
    data = os.urandom(SIZE)
    for i in range(N):
        r = s.put(c.proxies[0].url + "/v1/objects/hab/o%d" % i, data=data, timeout=10)
        assert r.status_code == 200, r.text
    rows = []
    for what, prefix in (("native GET (301)", "/v1/objects/hab/o"), ("S3 GET (forwarded)", "/s3/hab/o")):
        one, e1 = wrk([c.proxies[0].url], prefix, CONNS, tmp)
        three, e3 = wrk([p.url for p in c.proxies], prefix, CONNS, tmp)
        rows.append((what, one, three, e1 + e3))
    return rows


def main():
    c = Cluster(nproxies=3, ntargets=3, nmountpaths=1, keepalive=KEEPALIVE)
    c.start()
    tmp = tempfile.mkdtemp(prefix="ais-bench-ha-")
    try:
        ids = {n.name: c.node_id(n) for n in c.nodes}
        times = failover(c, ids)
        ka = float(KEEPALIVE.rstrip("s"))
        med, mx = statistics.median(times), max(times)
        print("\ntime to failover over %d kills (keepalive %s): median %.3fs (%.2f x interval), max %.3fs (%.2f x)"
              % (len(times), KEEPALIVE, med, med / ka, mx, mx / ka))
        # settle: all nodes back
        deadline = time.time() + 60
        while time.time() < deadline:
            v = agreed(c.nodes)
            if v and v[2] == 3 and v[3] == 3:
                break
            time.sleep(0.2)
        rows = throughput(c, tmp)
        print("\n%d objects of %d bytes, %d connections, %s, %d CPUs" % (N, SIZE, CONNS, DURATION, os.cpu_count()))
        print("%-22s %12s %12s %8s %7s" % ("request", "1 proxy", "3 proxies", "ratio", "errors"))
        for what, one, three, errs in rows:
            print("%-22s %12.0f %12.0f %8.2f %7d" % (what, one, three, three / one if one else 0, errs))
    finally:
        c.cleanup()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
