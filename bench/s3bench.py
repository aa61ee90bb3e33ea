#!/usr/bin/env python3
"""s3bench.py: S3 PUT/GET throughput of aistore-c's /s3 endpoint side by side with Ceph RGW and
nginx (static GET + dav PUT), same client (boto3 + a thread pool), same object sizes.
Starts its own aistore-c playground (tests/e2e/cluster.py: 1 proxy + 1 target, 1 mountpath) and
an nginx instance (../shared/bench/nginx.sh) on free ports; RGW is used when RGW_URL answers
(bench/s3.sh starts it with rgw.sh). Prints ops/s, MiB/s and ratios. Stops what it started.
Env: N4K (4 KiB objects, 2000), N1M (1 MiB objects, 200), THREADS (8), RGW_URL, RGW_AK, RGW_SK."""
import concurrent.futures as cf
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import requests
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from cluster import Cluster  # noqa: E402

NGINX_SH = os.environ.get("NGINX_SH", os.path.join(ROOT, "..", "shared", "bench", "nginx.sh"))
if not os.path.exists(NGINX_SH):
    NGINX_SH = "/work/shared/bench/nginx.sh"
N4K = int(os.environ.get("N4K", "2000"))
N1M = int(os.environ.get("N1M", "200"))
THREADS = int(os.environ.get("THREADS", "8"))


def s3client(ep, ak="bench", sk="bench"):
    cfg = Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                 max_pool_connections=THREADS * 2, retries={"max_attempts": 1})
    return boto3.client("s3", endpoint_url=ep, aws_access_key_id=ak, aws_secret_access_key=sk,
                        region_name="us-east-1", config=cfg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(cli, bucket, size, n, tag):
    body = os.urandom(size)
    keys = ["%s/%d/o-%05d" % (tag, size, i) for i in range(n)]

    def put(k):
        cli.put_object(Bucket=bucket, Key=k, Body=body)

    def get(k):
        d = cli.get_object(Bucket=bucket, Key=k)["Body"].read()
        assert len(d) == size

    out = {}
    for op, fn in (("PUT", put), ("GET", get)):
        t = time.time()
        with cf.ThreadPoolExecutor(THREADS) as ex:
            list(ex.map(fn, keys))
        dt = time.time() - t
        out[op] = n / dt
    return out


def main():
    results = {}
    work = tempfile.mkdtemp(prefix="ais-s3bench-")
    c = Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="1s", base_dir=os.path.join(work, "ais"))
    os.makedirs(c.dir, exist_ok=True)
    nport = free_port()
    nginx_up = False
    try:
        c.start()
        ais = s3client(c.url + "/s3")
        ais.create_bucket(Bucket="bench")
        servers = [("aistore-c /s3 (forward)", ais, "bench")]
        rgw = os.environ.get("RGW_URL")
        if rgw:
            try:
                rc = s3client(rgw, os.environ.get("RGW_AK", "BENCHACCESS"), os.environ.get("RGW_SK", "BENCHSECRET"))
                try:
                    rc.create_bucket(Bucket="aisbench")
                except Exception:
                    pass
                servers.append(("ceph rgw", rc, "aisbench"))
            except Exception as e:
                print("rgw: unusable (%s)" % e)
        os.makedirs(os.path.join(work, "www", "bench"))
        subprocess.run(["bash", NGINX_SH, "start", str(nport), os.path.join(work, "www")], check=True,
                       capture_output=True)
        nginx_up = True
        servers.append(("nginx (dav PUT, static GET)", s3client("http://127.0.0.1:%d" % nport), "bench"))
        for size, n in ((4096, N4K), (1 << 20, N1M)):
            for name, cli, b in servers:
                results[(size, name)] = run(cli, b, size, n, "t%d" % int(time.time()))
        print("threads=%d, boto3 %s, objects: %d x 4 KiB, %d x 1 MiB" % (THREADS, boto3.__version__, N4K, N1M))
        print("%-5s %-4s %-28s %10s %10s %9s %9s" % ("size", "op", "server", "ops/s", "MiB/s", "vs-rgw", "vs-nginx"))
        for size in (4096, 1 << 20):
            for op in ("PUT", "GET"):
                ref_rgw = results.get((size, "ceph rgw"), {}).get(op)
                ref_ng = results.get((size, "nginx (dav PUT, static GET)"), {}).get(op)
                for name, _, _ in servers:
                    v = results[(size, name)][op]
                    print("%-5s %-4s %-28s %10.0f %10.1f %9s %9s" % (
                        "4k" if size == 4096 else "1m", op, name, v, v * size / (1 << 20),
                        "%.2f" % (v / ref_rgw) if ref_rgw else "-", "%.2f" % (v / ref_ng) if ref_ng else "-"))
    finally:
        if nginx_up:
            subprocess.run(["bash", NGINX_SH, "stop", str(nport)], capture_output=True)
        c.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
