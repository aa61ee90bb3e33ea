#!/usr/bin/env bash
# bench/mpu.sh: multipart upload vs single-stream PUT, and GET of a chunked vs a monolithic object,
# same data, same machine, same run. Starts its own cluster (1 proxy + 1 target, 2 mountpaths) on
# free ports under a temp dir through the e2e harness (tests/e2e/cluster.py) and stops exactly
# what it started. Prints MiB/s of each and the ratios.
#   SIZE     object size (default 1GiB)     PART    MPU part size (default 8MiB)
#   THREADS  parallel part uploads (8)      KEEP=1  keep the temp dir
# Builds nothing (expects build/aisnode).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -x "$ROOT/build/aisnode" ] || { echo "bench: build/aisnode not found; run make" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench: curl not found" >&2; exit 1; }
export SIZE=${SIZE:-1GiB} PART=${PART:-8MiB} THREADS=${THREADS:-8}
[ -n "${KEEP:-}" ] && export AIS_E2E_KEEP=1
cd "$ROOT"
exec /usr/bin/python3 - <<'EOF'
import concurrent.futures as cf
import os
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, "tests/e2e")
from cluster import Cluster  # noqa: E402


def size(s):
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    for u, m in units.items():
        if s.endswith(u):
            return int(float(s[:-len(u)]) * m)
    return int(s)


SIZE, PART, THREADS = size(os.environ["SIZE"]), size(os.environ["PART"]), int(os.environ["THREADS"])
c = Cluster(nproxies=1, ntargets=1, nmountpaths=2)
c.start()
try:
    fd, src = tempfile.mkstemp(prefix="mpu-bench-", dir=c.dir)
    with os.fdopen(fd, "wb") as f:
        left = SIZE
        while left:
            n = min(left, 64 << 20)
            f.write(os.urandom(n))
            left -= n
    c.create_bucket("bench")

    def target_url(name):
        r = requests.put(c.obj_url("bench", name), allow_redirects=False, timeout=30)
        assert r.status_code == 307, r.status_code
        return r.headers["Location"].split("?")[0]

    def mibs(nbytes, secs):
        return nbytes / secs / (1 << 20)

    # 1. single-stream PUT (curl, straight to the owning target)
    url = target_url("mono")
    t0 = time.time()
    out = subprocess.run(["curl", "-sf", "-T", src, "-o", "/dev/null", "-w", "%{http_code}", url],
                         capture_output=True, text=True)
    t_put = time.time() - t0
    assert out.stdout == "200", out

    # 2. MPU: THREADS parallel part uploads of PART bytes
    url = target_url("mpu")
    r = requests.post(url, json={"action": "mpt-upload"}, timeout=30)
    uid = r.text
    nparts = (SIZE + PART - 1) // PART
    sess = [requests.Session() for _ in range(THREADS)]

    def part(i):
        s = sess[i % THREADS]
        with open(src, "rb") as f:
            data = os.pread(f.fileno(), PART, i * PART)
        rr = s.put(url, params={"uploadId": uid, "partNumber": i + 1}, data=data, timeout=300)
        assert rr.status_code == 200, rr.text
    t0 = time.time()
    with cf.ThreadPoolExecutor(THREADS) as ex:
        list(ex.map(part, range(nparts)))
    rr = requests.post(url, params={"uploadId": uid}, timeout=300,
                       json={"action": "mpt-complete", "value": [{"part-number": i + 1} for i in range(nparts)]})
    assert rr.status_code == 200, rr.text
    t_mpu = time.time() - t0

    # 3. GET chunked vs monolithic (curl to /dev/null, best of 3)
    def get(name):
        u = target_url(name)
        best = 0
        for _ in range(3):
            o = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", u],
                               capture_output=True, text=True)
            sp, n = o.stdout.split()
            assert int(float(n)) == SIZE, o.stdout
            best = max(best, float(sp))
        return best / (1 << 20)
    g_mono, g_chunk = get("mono"), get("mpu")

    print("object %d MiB, MPU %d parts of %d MiB, %d threads" % (SIZE >> 20, nparts, PART >> 20, THREADS))
    print("%-28s %10.1f MiB/s" % ("PUT single stream", mibs(SIZE, t_put)))
    print("%-28s %10.1f MiB/s   ratio vs single: %.2f" % ("PUT multipart", mibs(SIZE, t_mpu), t_put / t_mpu))
    print("%-28s %10.1f MiB/s" % ("GET monolithic", g_mono))
    print("%-28s %10.1f MiB/s   ratio vs monolithic: %.2f" % ("GET chunked", g_chunk, g_chunk / g_mono))
finally:
    c.cleanup()
EOF
