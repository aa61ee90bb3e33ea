#!/usr/bin/env python3
"""bench/getbatch.py PROXY PGDIR WORK: the measurements of bench/getbatch.sh (see there).
Every timing is the median of REPS runs; every output is verified once (bytes and order)."""
import glob
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time

import requests

PROXY, PGDIR, WORK = sys.argv[1:4]
N, M, FILES, REPS = (int(os.environ.get(k, d)) for k, d in (("N", 1000), ("M", 300), ("FILES", 20000), ("REPS", 5)))
S = requests.Session()


def bucket(name):
    r = S.post(PROXY + "/v1/buckets/" + name, json={"action": "create-bck"}, timeout=30)
    assert r.status_code == 200, r.text


def put(bck, name, data):
    r = S.put("%s/v1/objects/%s/%s" % (PROXY, bck, name), data=data, timeout=120)
    assert r.status_code == 200, r.text


def median_time(fn, reps=REPS):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def paired(fa, fb, reps=REPS):
    """medians of fa and fb, run alternately (a load change on a shared box hits both alike)"""
    ta, tb = [], []
    for _ in range(reps):
        for fn, ts in ((fa, ta), (fb, tb)):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def curl(args, stdin=None):
    p = subprocess.run(["curl", "-sS", "-f"] + args, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr


def moss_body(bck, names):
    return json.dumps({"in": [{"objname": n} for n in names], "strm": True}).encode()


def getbatch_curl(bck, body, out="/dev/null"):
    curl(["-L", "-X", "GET", "-H", "Content-Type: application/json", "--data-binary", "@-", "-o", out,
          "%s/v1/ml/moss/%s" % (PROXY, bck)], stdin=body)


# ---- 1: GetBatch vs sequential GETs
def bench_small():
    bck = "gb16k"
    bucket(bck)
    names = ["o-%05d" % i for i in range(N)]
    data = {}
    for n in names:
        data[n] = os.urandom(16384)
        put(bck, n, data[n])
    body = moss_body(bck, names)
    out = os.path.join(WORK, "small.tar")
    getbatch_curl(bck, body, out)  # verify once: order and bytes
    with tarfile.open(out) as t:
        got = [(m.name, t.extractfile(m).read()) for m in t.getmembers()]
    assert got == [("%s/%s" % (bck, n), data[n]) for n in names], "GetBatch output mismatch"
    urls = os.path.join(WORK, "urls.cfg")
    with open(urls, "w") as f:
        for n in names:
            f.write('url = "%s/v1/objects/%s/%s"\noutput = "/dev/null"\n' % (PROXY, bck, n))
    t_seq, t_batch = paired(lambda: curl(["-L", "-K", urls]), lambda: getbatch_curl(bck, body))

    def seq_requests():
        for n in names:
            r = S.get("%s/v1/objects/%s/%s" % (PROXY, bck, n), timeout=30)
            assert r.status_code == 200 and len(r.content) == 16384

    def batch_requests():
        r = S.get("%s/v1/ml/moss/%s" % (PROXY, bck), data=body, timeout=60)
        assert r.status_code == 200

    t_seq_py, t_batch_py = paired(seq_requests, batch_requests, max(1, REPS // 2))
    print("| %d x 16 KiB, curl | %.1f ms | %.1f ms | %.1fx |" % (N, t_seq * 1e3, t_batch * 1e3, t_seq / t_batch))
    print("| %d x 16 KiB, python-requests | %.1f ms | %.1f ms | %.1fx |" % (N, t_seq_py * 1e3, t_batch_py * 1e3,
                                                                          t_seq_py / t_batch_py))


# ---- 2: GetBatch output rate vs tar c of the same files
def bench_rate():
    bck = "gb1m"
    bucket(bck)
    names = ["m-%04d" % i for i in range(M)]
    blob = os.urandom(1 << 20)
    for i, n in enumerate(names):
        put(bck, n, blob[i:] + blob[:i])
    files = []
    for n in names:
        f = glob.glob(os.path.join(PGDIR, "target*", "mp*", "@ais", bck, "%ob", n))
        assert len(f) == 1, (n, f)
        files.append(f[0])
    total = M << 20
    body = moss_body(bck, names)
    lst = os.path.join(WORK, "files.txt")
    with open(lst, "w") as f:
        f.write("\n".join(files) + "\n")

    def tar_c():
        p = subprocess.run("tar -c -f - -P -T %s | cat > /dev/null" % lst, shell=True, stderr=subprocess.PIPE)
        assert p.returncode == 0, p.stderr

    # the reference for the HTTP path itself: one object of the same total size, plain GET (sendfile)
    wf = os.path.join(WORK, "whole.bin")
    with open(wf, "wb") as f:
        for i in range(M):
            f.write(blob[i:] + blob[:i])
    whole = "%s/v1/objects/%s/whole" % (PROXY, bck)
    curl(["-L", "-X", "PUT", "-T", wf, whole])
    os.unlink(wf)
    median_time(tar_c, 1)  # page cache warm for all
    t_tar, t_gb = paired(tar_c, lambda: getbatch_curl(bck, body))
    t_one = median_time(lambda: curl(["-L", "-o", "/dev/null", whole]))
    r_tar, r_gb, r_one = total / t_tar / 2**20, total / t_gb / 2**20, total / t_one / 2**20
    print("| %d x 1 MiB: GetBatch (curl) vs `tar c \\| cat` | %.0f MiB/s | %.0f MiB/s | %.2fx |" % (M, r_tar, r_gb,
                                                                                              r_gb / r_tar))
    print("| (reference: GET of one %d MiB object, curl) | %.0f MiB/s | %.0f MiB/s | %.2fx |" % (M, r_tar, r_one,
                                                                                           r_one / r_tar))


# ---- 3: archpath GET of the last file of a 20,000-file TAR, without and with the index
def bench_index():
    bck = "gbidx"
    bucket(bck)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as t:
        for i in range(FILES):
            ti = tarfile.TarInfo("dir/file-%06d.bin" % i)
            ti.size = 1000
            t.addfile(ti, io.BytesIO(bytes([i & 0xFF]) * 1000))
    put(bck, "big.tar", bio.getvalue())
    last = "dir/file-%06d.bin" % (FILES - 1)
    url = "%s/v1/objects/%s/big.tar?archpath=%s" % (PROXY, bck, last)
    want = bytes([(FILES - 1) & 0xFF]) * 1000
    assert S.get(url, timeout=60).content == want

    def get_last():
        r = S.get(url, timeout=60)
        assert r.status_code == 200 and r.content == want

    t_scan = median_time(get_last, REPS * 2)  # (the TAR's pages are cached: the scan reads headers only)
    r = S.post(PROXY + "/v1/buckets/" + bck, json={"action": "index-shard"}, timeout=30)
    assert r.status_code == 200, r.text
    xid = r.text
    while not S.get(PROXY + "/v1/cluster?what=status", json={"id": xid}, timeout=10).json().get("end_time"):
        time.sleep(0.1)
    get_last()
    t_idx = median_time(get_last, REPS * 2)
    print("| GET ?archpath= last of %d files (%.1f MiB TAR) | %.2f ms (scan) | %.2f ms (index) | %.1fx |" % (
        FILES, len(bio.getvalue()) / 2**20, t_scan * 1e3, t_idx * 1e3, t_scan / t_idx))


print("| measurement | baseline | aistore-c | ratio |")
print("|---|---|---|---|")
bench_small()
bench_rate()
bench_index()
