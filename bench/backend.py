#!/usr/bin/python3
"""bench/backend.py (run by bench/backend.sh): remote-backend numbers against a real S3 endpoint,
Ceph RGW on loopback (tests/e2e/rgw.sh), at the issue's full sizes. Starts its own RGW and a
1 proxy + 3 target cluster (tests/e2e/cluster.py) whose "aws" backend is that RGW; stops both.
Measures, each as a ratio against its peer in the same run:
  1. cold GET of NOBJ objects of OBJ_MIB (8 threads, native API) vs GET of the same objects from
     RGW directly (boto3, 8 threads) and `aws s3 cp --recursive` from RGW
  2. warm GET (the same objects again) vs cold GET
  3. prefetch by template of NPF small objects: objects/s
  4. blob download (Ais-Blob-Download, 16 MiB chunks, 8 workers) of a BLOB_MIB object vs the
     single-stream cold GET of the same object
  5. NCONC concurrent GETs of one cold CONC_MIB object: remote GETs (must be 1) and time
  6. native multipart upload of MPU_MIB through s3:// (lands in RGW, checked with boto3)
Env: NOBJ (100), OBJ_MIB (8), NPF (2000), BLOB_MIB (1024), CONC_MIB (64), NCONC (100), MPU_MIB
(1024), KEEP=1 (keep the temp dirs).
"""
import concurrent.futures as cf
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import boto3
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from cluster import Cluster  # noqa: E402
from conftest import RGW_SH, _rgw_ports  # noqa: E402

E = os.environ.get
NOBJ, OBJ = int(E("NOBJ", "100")), int(E("OBJ_MIB", "8")) << 20
NPF = int(E("NPF", "2000"))
BLOB, CONC, NCONC, MPU = int(E("BLOB_MIB", "1024")) << 20, int(E("CONC_MIB", "64")) << 20, int(E("NCONC", "100")), \
    int(E("MPU_MIB", "1024")) << 20
AK, SK = "BENCHACCESS", "BENCHSECRET"


def mib_s(nbytes, sec):
    return nbytes / sec / 2**20


def wait_job(c, xid):
    while True:
        st = requests.get(c.url + "/v1/cluster?what=status", json={"id": xid}, timeout=30).json()
        if st.get("end_time"):
            return st
        time.sleep(0.05)


def evict(c, bck):
    r = requests.delete(c.url + "/v1/buckets/%s?provider=aws&keep_bck_md=true" % bck,
                        json={"action": "evict-remote-bck"}, timeout=60)
    wait_job(c, r.text)


def main():
    work = tempfile.mkdtemp(prefix="ais-bench-backend-")
    port, mon = _rgw_ports()
    renv = dict(os.environ, CEPHPEER_DIR=os.path.join(work, "ceph"), RGW_PORT=str(port), MON_PORT=str(mon))
    ep = "http://127.0.0.1:%d" % port
    c = None
    rows = []
    try:
        print("starting RGW (%s) ..." % ep, flush=True)
        subprocess.run(["bash", RGW_SH, "start"], env=renv, check=True, capture_output=True, timeout=300)
        c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, cluster_overrides={"backend": {"aws": {}}},
                    env={"S3_ENDPOINT": ep, "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
                         "AWS_REGION": "us-east-1"})
        c.start()
        s3 = boto3.client("s3", endpoint_url=ep, aws_access_key_id=AK, aws_secret_access_key=SK,
                          region_name="us-east-1")
        bck = "bench"
        s3.create_bucket(Bucket=bck)
        blob = os.urandom(OBJ)
        print("creating %d x %d MiB objects ..." % (NOBJ, OBJ >> 20), flush=True)
        with cf.ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda i: s3.put_object(Bucket=bck, Key="big/o-%04d" % i, Body=blob), range(NOBJ)))
        names = ["big/o-%04d" % i for i in range(NOBJ)]
        tl = __import__("threading").local()

        def ais_get(n):  # (1 MiB reads: requests' default 10 KiB chunks would measure the client)
            if not hasattr(tl, "s"):
                tl.s = requests.Session()
            r = tl.s.get(c.url + "/v1/objects/%s/%s?provider=aws" % (bck, n), timeout=300, stream=True)
            got = sum(len(b) for b in r.iter_content(1 << 20))
            assert r.status_code == 200 and got == OBJ, (n, r.status_code, got)
        def rgw_get(n):
            assert len(s3.get_object(Bucket=bck, Key=n)["Body"].read()) == OBJ
        tot = NOBJ * OBJ
        t = time.time()
        with cf.ThreadPoolExecutor(8) as ex:
            list(ex.map(rgw_get, names))
        t_rgw = time.time() - t
        d = os.path.join(work, "dl")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_DEFAULT_REGION="us-east-1")
        t = time.time()
        subprocess.run(["aws", "--endpoint-url", ep, "s3", "cp", "--recursive", "--only-show-errors",
                        "s3://%s/big/" % bck, d], env=env, check=True)
        t_cli = time.time() - t
        shutil.rmtree(d, ignore_errors=True)
        t = time.time()
        with cf.ThreadPoolExecutor(8) as ex:
            list(ex.map(ais_get, names))
        t_cold = time.time() - t
        t = time.time()
        with cf.ThreadPoolExecutor(8) as ex:
            list(ex.map(ais_get, names))
        t_warm = time.time() - t
        rows.append(("RGW direct GET (boto3, 8 threads)", "%.0f MiB/s" % mib_s(tot, t_rgw), "1.00"))
        rows.append(("aws s3 cp --recursive from RGW", "%.0f MiB/s" % mib_s(tot, t_cli), "%.2f" % (t_rgw / t_cli)))
        rows.append(("cold GET via aistore-c (8 threads)", "%.0f MiB/s" % mib_s(tot, t_cold), "%.2f" % (t_rgw / t_cold)))
        rows.append(("warm GET via aistore-c (8 threads)", "%.0f MiB/s" % mib_s(tot, t_warm),
                     "%.2f (warm/cold %.1fx)" % (t_rgw / t_warm, t_cold / t_warm)))
        # prefetch
        print("creating %d small objects ..." % NPF, flush=True)
        small = os.urandom(16 << 10)
        with cf.ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda i: s3.put_object(Bucket=bck, Key="pf/o-%05d" % i, Body=small), range(NPF)))
        t = time.time()
        r = requests.post(c.url + "/v1/buckets/%s?provider=aws" % bck, timeout=60, json={
            "action": "prefetch-listrange", "value": {"template": "pf/o-{00000..%05d}" % (NPF - 1), "num-workers": 8}})
        st = wait_job(c, r.text)
        t_pf = time.time() - t
        assert not st["err"], st
        rows.append(("prefetch %d x 16 KiB (template, 8 workers/target)" % NPF, "%.0f objects/s" % (NPF / t_pf), ""))
        # blob vs single stream
        print("blob download vs single-stream cold GET of %d MiB ..." % (BLOB >> 20), flush=True)
        bb = os.urandom(BLOB)
        s3.upload_fileobj(__import__("io").BytesIO(bb), bck, "blob")
        want = hashlib.md5(bb).hexdigest()
        del bb
        def md5_of(url, hdrs=None):
            h = hashlib.md5()
            r = requests.get(url, timeout=900, stream=True, headers=hdrs or {})
            for b in r.iter_content(4 << 20):
                h.update(b)
            return h.hexdigest()
        ourl = c.url + "/v1/objects/%s/blob?provider=aws" % bck
        # single stream: the cold GET as curl receives it (to /dev/null: the client costs nothing)
        t = time.time()
        subprocess.run(["curl", "-sfL", "-o", "/dev/null", ourl], check=True)
        t_single = time.time() - t
        assert md5_of(ourl) == want
        evict(c, bck)
        # blob download: the job, from start to end (same object, nothing stored before)
        t = time.time()
        r = requests.post(c.url + "/v1/objects/%s?provider=aws" % bck, timeout=60, json={
            "action": "blob-download", "name": "blob", "value": {"chunk-size": 16 << 20, "num-workers": 8}})
        st = wait_job(c, r.text)
        t_blob = time.time() - t
        assert not st["err"] and md5_of(ourl) == want, st
        evict(c, bck)
        t = time.time()  # and the GET with Ais-Blob-Download, as curl receives it
        subprocess.run(["curl", "-sfL", "-o", "/dev/null", "-H", "Ais-Blob-Download: true", "-H", "Ais-Blob-Chunk: 16MiB",
                        "-H", "Ais-Blob-Workers: 8", ourl], check=True)
        t_blobget = time.time() - t
        rows.append(("cold GET %d MiB, single stream (curl)" % (BLOB >> 20), "%.0f MiB/s" % mib_s(BLOB, t_single), "1.00"))
        rows.append(("blob-download job %d MiB (16 MiB x 8)" % (BLOB >> 20), "%.0f MiB/s" % mib_s(BLOB, t_blob),
                     "%.2f" % (t_single / t_blob)))
        rows.append(("GET with Ais-Blob-Download %d MiB (curl)" % (BLOB >> 20), "%.0f MiB/s" % mib_s(BLOB, t_blobget),
                     "%.2f" % (t_single / t_blobget)))
        # concurrency
        cb = os.urandom(CONC)
        s3.put_object(Bucket=bck, Key="conc", Body=cb)
        want = hashlib.md5(cb).hexdigest()
        def nget():
            n = 0
            for tn in c.targets:
                n += int(requests.get(tn.url + "/v1/daemon?what=node_status", timeout=10).json()["tracker"].get(
                    "aws.get.n", 0))
            return n
        before = nget()
        t = time.time()
        def cget(_):
            return md5_of(c.url + "/v1/objects/%s/conc?provider=aws" % bck) == want
        with cf.ThreadPoolExecutor(NCONC) as ex:
            ok = all(ex.map(cget, range(NCONC)))
        t_conc = time.time() - t
        rows.append(("%d concurrent GETs of one cold %d MiB object" % (NCONC, CONC >> 20),
                     "%d remote GET(s), %.1f s, all byte-exact: %s" % (nget() - before, t_conc, ok), ""))
        # MPU through s3://
        print("multipart upload of %d MiB through s3:// ..." % (MPU >> 20), flush=True)
        url = c.url + "/v1/objects/%s/mpu?provider=aws" % bck
        uid = requests.post(url, json={"action": "mpt-upload"}, timeout=30).text
        psz, h = 64 << 20, hashlib.md5()
        t = time.time()
        for i in range(MPU // psz):
            part = os.urandom(psz)
            h.update(part)
            assert requests.put(url + "&uploadId=%s&partNumber=%d" % (uid, i + 1), data=part, timeout=600).status_code == 200
        r = requests.post(url + "&uploadId=" + uid, timeout=1800, json={
            "action": "mpt-complete", "value": [{"part-number": k + 1} for k in range(MPU // psz)]})
        t_mpu = time.time() - t
        assert r.status_code == 200, r.text
        g = hashlib.md5()
        body = s3.get_object(Bucket=bck, Key="mpu")["Body"]
        for chunk in iter(lambda: body.read(8 << 20), b""):
            g.update(chunk)
        rows.append(("multipart upload %d MiB through s3:// (64 MiB parts)" % (MPU >> 20),
                     "%.0f MiB/s, in RGW byte-exact: %s" % (mib_s(MPU, t_mpu), g.digest() == h.digest()), ""))
    finally:
        if c:
            c.stop()
        subprocess.run(["bash", RGW_SH, "stop"], env=renv, capture_output=True, timeout=120)
        if not E("KEEP"):
            if c:
                c.cleanup()
            shutil.rmtree(work, ignore_errors=True)
    w = max(len(r[0]) for r in rows)
    print("\n%-*s  %-40s  %s" % (w, "measurement", "result", "ratio"))
    for r in rows:
        print("%-*s  %-40s  %s" % (w, r[0], r[1], r[2]))


if __name__ == "__main__":
    main()
