#!/usr/bin/env python3
"""bench/redirect.py: GET 4 KiB through the proxy (301 + the target's GET of the signed redirect,
aisloader following it) for one or more aisnode binaries, alternating runs on one machine.
usage: python3 bench/redirect.py [AISNODE ...]   (default: build/aisnode)
Env: N (objects, 200), DURATION (per run, 10s), WORKERS (16), ROUNDS (3).
Each binary gets its own private cluster (1 proxy, 1 target, 1 mountpath, tests/e2e/cluster.py);
prints GET/s per run and the median per binary."""
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import cluster as C  # noqa: E402
import requests  # noqa: E402

ROOT = C.ROOT
N = int(os.environ.get("N", "200"))
DURATION = os.environ.get("DURATION", "10s")
WORKERS = os.environ.get("WORKERS", "16")
ROUNDS = int(os.environ.get("ROUNDS", "3"))


def run(binary):
    C.BIN = binary
    c = C.Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="10s")
    c.start()
    try:
        bck = C.new_bucket_name("rb")
        c.create_bucket(bck)
        data = os.urandom(4096)
        s = requests.Session()
        for i in range(N):
            assert s.put(c.obj_url(bck, "o%d" % i), data=data, timeout=10).status_code == 200
        out = subprocess.run([os.path.join(ROOT, "build", "aisloader"), "-endpoint=" + c.url, "-bucket=ais://" + bck,
                              "-cleanup=false", "-pctput=0", "-duration=" + DURATION, "-numworkers=" + WORKERS,
                              "-quiet"], capture_output=True, text=True, timeout=600)
        errs = subprocess.run(["grep", "-c", "invalid redirect", os.path.join(c.targets[0].dir, "log", "aisnode.log")],
                              capture_output=True, text=True).stdout.strip()
        return out.stdout, errs
    finally:
        c.cleanup()


def ops(txt):
    """GET ops/s from aisloader's summary table"""
    m = re.search(r"^GET\s+([\d,]+)\s", txt, re.M)
    return int(m.group(1).replace(",", "")) if m else 0


def main():
    bins = sys.argv[1:] or [os.path.join(ROOT, "build", "aisnode")]
    res = {b: [] for b in bins}
    for _ in range(ROUNDS):
        for b in bins:
            txt, errs = run(b)
            res[b].append(ops(txt))
            print("%-50s GET/s %7d   (refused redirects in the target log: %s)" % (b, res[b][-1], errs), flush=True)
    for b in bins:
        print("%-50s median GET/s %7d  runs %s" % (b, statistics.median(res[b]), res[b]))


if __name__ == "__main__":
    main()
