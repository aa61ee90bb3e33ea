#!/usr/bin/env python3
"""bench/auth.py: GET 4 KiB and 1 MiB through the proxy with JWT auth off vs on, in one run on one
cluster (1 proxy, 1 target, 1 mountpath; tests/e2e/cluster.py). aisloader follows the redirects; with
auth on it sends an HS256 token (AIS_AUTHN_TOKEN) that the proxy verifies on every request (the
verified-token cache makes that one hash lookup). Rounds alternate off/on; prints GET/s and MiB/s per
run, the medians and on/off ratios (goal >= 0.9).
Env: N4K (objects of 4 KiB, 400), N1M (objects of 1 MiB, 64), DURATION (per run, 8s), WORKERS (16),
ROUNDS (3)."""
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import cluster as C  # noqa: E402
import jwt  # noqa: E402
import requests  # noqa: E402

ROOT = C.ROOT
N4K = int(os.environ.get("N4K", "400"))
N1M = int(os.environ.get("N1M", "64"))
DURATION = os.environ.get("DURATION", "8s")
WORKERS = os.environ.get("WORKERS", "16")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECRET = "bench-auth-%d" % os.getpid()


def load(c, bck, token):
    env = dict(os.environ)
    env.pop("AIS_AUTHN_TOKEN", None)
    if token:
        env["AIS_AUTHN_TOKEN"] = token
    out = subprocess.run([os.path.join(ROOT, "build", "aisloader"), "-endpoint=" + c.url, "-bucket=ais://" + bck,
                          "-cleanup=false", "-pctput=0", "-duration=" + DURATION, "-numworkers=" + WORKERS, "-quiet"],
                         capture_output=True, text=True, timeout=600, env=env)
    m = re.search(r"^GET\s+([\d,]+)\s", out.stdout, re.M)
    if not m:
        raise RuntimeError("aisloader: " + out.stdout[-2000:] + out.stderr[-2000:])
    return int(m.group(1).replace(",", "")), out.stdout


def set_auth(c, on, admin):
    q = {"auth.enabled": "true" if on else "false"}
    if on:
        q.update({"auth.signature.method": "HS256", "auth.signature.key": SECRET})
    r = requests.put(c.url + "/v1/cluster/set-config", params=q, headers={"Authorization": "Bearer " + admin},
                     timeout=10)
    assert r.status_code == 200, r.text
    time.sleep(0.5)


def main():
    admin = jwt.encode({"sub": "admin", "admin": True, "exp": int(time.time()) + 86400}, SECRET, algorithm="HS256")
    c = C.Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="10s")
    c.start()
    try:
        s = requests.Session()
        sizes = {"4KiB": (N4K, 4096), "1MiB": (N1M, 1 << 20)}
        bcks = {}
        for label, (n, size) in sizes.items():
            bcks[label] = C.new_bucket_name("ab")
            c.create_bucket(bcks[label])
            data = os.urandom(size)
            for i in range(n):
                assert s.put(c.obj_url(bcks[label], "o%d" % i), data=data, timeout=30).status_code == 200
        res = {(label, mode): [] for label in sizes for mode in ("off", "on")}
        for rnd in range(ROUNDS):
            for mode in ("off", "on"):
                set_auth(c, mode == "on", admin)
                if mode == "on":  # a request without the token is refused: auth is really on
                    assert s.get(c.obj_url(bcks["4KiB"], "o0"), timeout=10).status_code == 401
                for label in sizes:
                    ops, _ = load(c, bcks[label], admin if mode == "on" else None)
                    res[(label, mode)].append(ops)
                    mib = ops * sizes[label][1] / (1 << 20)
                    print("round %d  %-5s auth %-3s  GET/s %8d  MiB/s %8.1f" % (rnd + 1, label, mode, ops, mib),
                          flush=True)
        print()
        for label in sizes:
            off, on = statistics.median(res[(label, "off")]), statistics.median(res[(label, "on")])
            print("%-5s median GET/s  off %8d  on %8d  ratio on/off %.2f  (goal >= 0.9)" %
                  (label, off, on, on / off if off else 0))
    finally:
        c.cleanup()


if __name__ == "__main__":
    main()
