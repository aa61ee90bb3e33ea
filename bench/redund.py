"""bench/redund.py (run by bench/redund.sh): PUT throughput of 1 MiB objects into a plain bucket,
a 2-way mirror and EC 4+2 (objsize_limit 256 KiB; 4+2 needs 7 targets) on one private cluster (1 proxy + 7 targets, 2
mountpaths each, under FS), as ratios of the plain bucket's; then GET latency p50/p99 of healthy
objects vs objects whose main replica was deleted on disk. PUT rates twice: when the PUTs were
answered, and when every object was protected (its slices or copies stored: the EC encode and,
with mirror.burst_buffer, the copies run after the PUT answered) (the first GET rebuilds it: EC slices
pulled from the other targets and decoded, or a mirror copy). Prints one table. Not a test.
Env: N (objects per bucket, 200), THREADS (8), FS (/tmp), KEEP."""
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from cluster import Cluster  # noqa: E402

N = int(os.environ.get("N", "200"))
THREADS = int(os.environ.get("THREADS", "8"))
FS = os.environ.get("FS", "/tmp")
SIZE = 1 << 20


def put_rate(c, bck, body):
    s = [requests.Session() for _ in range(THREADS)]

    def put(i):
        r = s[i % THREADS].put(c.obj_url(bck, "o-%05d" % i), data=body, timeout=60)
        assert r.status_code == 200, r.text
    t0 = time.time()
    with ThreadPoolExecutor(THREADS) as ex:
        list(ex.map(put, range(N)))
    return N * SIZE / (time.time() - t0)


def metric(c, name):
    tot = 0
    for t in c.targets:
        for ln in requests.get(t.url + "/metrics", timeout=30).text.splitlines():
            if ln.startswith(name + " ") or ln.startswith(name + "{"):
                tot += float(ln.rsplit(" ", 1)[1])
    return tot


def put_protected(c, bck, body, counter):
    """PUT N objects, then wait until `counter` (objects encoded / copies made, summed over the
    targets) grew by N: (answered rate, protected rate) - the second is what the redundancy
    costs, since PUT answers before the EC encode (and, with burst_buffer, the copies)"""
    m0 = metric(c, counter)
    t0 = time.time()
    answered = put_rate(c, bck, body)
    while metric(c, counter) - m0 < N:
        assert time.time() - t0 < 600, "%s: %s stuck at %d of %d" % (bck, counter, metric(c, counter) - m0, N)
        time.sleep(0.02)
    return answered, N * SIZE / (time.time() - t0)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))] * 1000


def get_lat(c, bck, names):
    s = requests.Session()
    out = []
    for n in names:
        t0 = time.time()
        r = s.get(c.obj_url(bck, n), timeout=60)
        assert r.status_code == 200 and len(r.content) == SIZE, (n, r.status_code)
        out.append(time.time() - t0)
    return out


def main_files(c, bck, names):
    out = {}
    for t in c.targets:
        for mp in t.mountpaths:
            for n in names:
                p = os.path.join(mp, "@ais", bck, "%ob", n)
                if os.path.isfile(p):
                    out[n] = p
    return out


def main():
    work = tempfile.mkdtemp(prefix="ais-redund-", dir=FS)
    c = Cluster(nproxies=1, ntargets=7, nmountpaths=2, keepalive="2s", base_dir=work)
    c.start()
    try:
        body = os.urandom(SIZE)
        props = {"plain": None, "mirror2": {"mirror": {"enabled": True, "copies": 2}},
                 "ec4p2": {"ec": {"enabled": True, "data_slices": 4, "parity_slices": 2, "objsize_limit": 262144}}}
        rate, prot = {}, {}
        counters = {"mirror2": "ais_target_mirror_copy_count", "ec4p2": "ais_target_ec_encode_count"}
        for b, p in props.items():
            c.create_bucket(b)
            if p:
                c.set_bprops(b, p)
            if b in counters:
                rate[b], prot[b] = put_protected(c, b, body, counters[b])
            else:
                rate[b] = prot[b] = put_rate(c, b, body)
        print("PUT 1 MiB, %d objects, %d threads, 7 targets x 2 mountpaths (answered | all copies/slices stored):" % (N, THREADS))
        for b in props:
            print("  %-8s %8.1f MiB/s  %.2fx plain | %8.1f MiB/s  %.2fx plain" % (
                b, rate[b] / (1 << 20), rate[b] / rate["plain"], prot[b] / (1 << 20), prot[b] / rate["plain"]))
        names = ["o-%05d" % i for i in range(min(N, 100))]
        for b in ("ec4p2", "mirror2"):
            healthy = get_lat(c, b, names)
            for p in main_files(c, b, names).values():
                os.unlink(p)
            rebuilt = get_lat(c, b, names)
            print("GET 1 MiB %-8s healthy p50 %.1f ms p99 %.1f ms | main replica deleted: p50 %.1f ms p99 %.1f ms" %
                  (b, pct(healthy, 50), pct(healthy, 99), pct(rebuilt, 50), pct(rebuilt, 99)))
    finally:
        c.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
