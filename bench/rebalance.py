"""bench/rebalance.py (run by bench/rebalance.sh): global rebalance throughput against this box's
loopback TCP limit, and GET p99 during a rebalance against idle.

1. The limit: bench/tcploop (sendfile from a page-cached file over S loopback connections, the
   receiver drops the bytes), S = 1, 2, 4; the best is the limit.
2. A private cluster (tests/e2e/cluster.py: 1 proxy + 3 targets, 2 mountpaths each) under FS.
3. Per object size: bench/mkobjs writes objects straight onto one target's mountpaths (what PUTs
   would leave: HRW mountpath, LOM), TOTAL bytes of them; aisloader GETs them through the proxy
   for IDLE_SECS (idle p99); the target goes into maintenance: the rebalance moves all of its
   objects to the two others while aisloader keeps GETting (p99 during); rate = bytes moved /
   (last end - first start of the rebalance job's snapshots). Every object must be listed on its
   new owner afterwards.
4. One table: size, objects, GiB moved, seconds, GiB/s, x loopback, GET p99 idle / during.
Env: FS, TOTAL (bytes, 2 GiB), SIZES ("1m 64k"), IDLE_SECS (5), GETLOAD (1; 0: no GETs during), KEEP."""
import json
import os
import signal
import subprocess
import sys
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from cluster import Cluster  # noqa: E402

FS = os.environ.get("FS", "/tmp")
TOTAL = int(os.environ.get("TOTAL", str(2 << 30)))
SIZES = os.environ.get("SIZES", "1m 64k").split()
IDLE = int(os.environ.get("IDLE_SECS", "5"))
GETLOAD = os.environ.get("GETLOAD", "1") != "0"  # 0: the rebalance alone (no GETs during it)
B = os.path.join(ROOT, "build", "bench")
LOADER = os.path.join(ROOT, "build", "aisloader")
SZ = {"1m": 1 << 20, "64k": 64 << 10, "256k": 256 << 10, "4m": 4 << 20}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def loopback_limit(work):
    f = os.path.join(work, "tcploop.dat")
    with open(f, "wb") as fh:
        fh.write(os.urandom(256 << 20))
    best, lines = 0.0, []
    for s in (1, 2, 4):
        out = subprocess.run([os.path.join(B, "tcploop"), "-file", f, "-bytes", str(4 << 30), "-streams", str(s)],
                             capture_output=True, text=True, check=True).stdout.strip()
        lines.append(out)
        best = max(best, float(out.split("GiB/s=")[1]))
    os.unlink(f)
    return best, lines


def loader(c, bck, seconds, names, stoppable=False):
    args = [LOADER, "-endpoint", c.url, "-bucket", bck, "-filelist", names, "-pctput", "0", "-numworkers", "4", "-json",
            "-cleanup=false", "-quiet", "-statsinterval", "0", "-duration", "%ds" % seconds]
    if stoppable:
        args.append("-stoppable")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def p99_ms(proc):
    out, err = proc.communicate(timeout=120)
    try:
        arr = json.loads(out)
        g = arr[-1]["get"]
        return g["latency_p99"] / 1e6, int(g["count"]), g["errors"]
    except (ValueError, KeyError, IndexError):
        raise RuntimeError("aisloader: %s %s" % (out[-500:], err[-500:]))


def one_size(c, name, size):
    bck = "rb-" + name
    c.create_bucket(bck)
    bmd = requests.get(c.url + "/v1/cluster?what=bmd", timeout=10).json()
    bid = bmd["providers"]["ais"]["@#"][bck]["bid"]
    smap = requests.get(c.url + "/v1/cluster?what=smap", timeout=10).json()
    smapf = os.path.join(c.dir, "smap.json")
    with open(smapf, "w") as f:
        json.dump(smap, f)
    victim = c.targets[0]
    vid = c.node_id(victim)
    n = TOTAL // size
    mps = []
    for mp in victim.mountpaths:
        mps += ["-mp", "%s=%s" % (vid, mp)]
    # names owned by the other targets are skipped: ask for 3x, keep what lands on the victim
    out = subprocess.run([os.path.join(B, "mkobjs"), "-smap", smapf, "-bucket", bck, "-bid", str(bid), "-n",
                          str(n * len(c.targets)), "-threads", "2", "-size", str(size), "-layout", "flat"] + mps,
                         capture_output=True, text=True)
    log(out.stdout.strip(), out.stderr.strip()[-200:])
    subprocess.run(["sync"])
    ents, _ = c.list_objects(bck, props="name")
    names = os.path.join(c.dir, "names.txt")
    with open(names, "w") as f:
        f.write("".join(e["name"] + "\n" for e in ents))
    p_idle, n_idle, e_idle = p99_ms(loader(c, bck, IDLE, names))
    t0 = time.time()
    r = requests.put(c.url + "/v1/cluster", json={"action": "start-maintenance", "value": {"sid": vid}}, timeout=30)
    assert r.status_code == 200 and r.text.startswith("g"), r.text
    xid = r.text
    ld = loader(c, bck, 600, names, stoppable=True) if GETLOAD else None
    while True:
        s = requests.get(c.url + "/v1/cluster?what=status", json={"id": xid}, timeout=10).json()
        if s.get("end_time"):
            break
        if time.time() - t0 > 1800:
            raise RuntimeError("rebalance did not finish")
        time.sleep(0.05)
    wall = time.time() - t0
    p_reb, n_reb, e_reb = 0.0, 0, 0
    if ld:
        ld.send_signal(signal.SIGINT)
        p_reb, n_reb, e_reb = p99_ms(ld)
    assert not s["aborted"] and not s["err"], s
    snaps = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"id": xid}, timeout=10).json()
    moved = sum(int(x["stats"]["in-bytes"]) for v in snaps.values() for x in v)
    nobj = sum(int(x["stats"]["in-objs"]) for v in snaps.values() for x in v)

    def ts(x):  # RFC3339 with ns → float seconds
        from datetime import datetime
        d, frac = x.rstrip("Z").split(".") if "." in x else (x.rstrip("Z"), "0")
        return datetime.strptime(d, "%Y-%m-%dT%H:%M:%S").timestamp() + float("0." + frac)
    starts = [ts(x["start-time"]) for v in snaps.values() for x in v]
    ends = [ts(x["end-time"]) for v in snaps.values() for x in v]
    secs = max(ends) - min(starts)
    ents, _ = c.list_objects(bck, props="name,location")
    assert len(ents) == nobj == len(open(names).read().split()), (len(ents), nobj)
    assert not any(e["location"].startswith("t[%s]" % vid) for e in ents)
    requests.put(c.url + "/v1/cluster", json={"action": "stop-maintenance",
                                              "value": {"sid": vid, "skip_rebalance": True}}, timeout=30)
    c.destroy_bucket(bck)
    return {"size": name, "objs": nobj, "gib": moved / (1 << 30), "secs": secs, "wall": wall,
            "rate": moved / secs / (1 << 30), "p99_idle": p_idle, "p99_reb": p_reb,
            "gets": (n_idle, n_reb), "errs": (e_idle, e_reb)}


def main():
    work = os.path.join(FS, "ais-benchreb.%d" % os.getpid())
    os.makedirs(work)
    limit, lines = loopback_limit(work)
    for ln in lines:
        log("loopback:", ln)
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="2s", base_dir=work)
    rows = []
    try:
        c.start()
        for name in SIZES:
            rows.append(one_size(c, name, SZ[name]))
    finally:
        c.stop()
        if not os.environ.get("KEEP"):
            subprocess.run(["rm", "-rf", work])
    print("loopback TCP limit (best of 1/2/4 streams): %.2f GiB/s" % limit)
    print("%-5s %8s %7s %7s %8s %10s %13s %13s %s" % ("size", "objects", "GiB", "secs", "GiB/s", "x loopback",
                                                     "GET p99 idle", "p99 during", "GET errors"))
    for r in rows:
        print("%-5s %8d %7.2f %7.2f %8.2f %10.2f %11.2fms %11.2fms %s" % (
            r["size"], r["objs"], r["gib"], r["secs"], r["rate"], r["rate"] / limit, r["p99_idle"], r["p99_reb"],
            "%d/%d" % (r["errs"][0], r["errs"][1])))


if __name__ == "__main__":
    main()
