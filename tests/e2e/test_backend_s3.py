"""test_backend_s3: s3:// buckets backed by a real S3 endpoint (Ceph RGW, tests/e2e/rgw.sh; the
`rgw` and `s3cluster` fixtures in conftest.py). The issue's "Done when" items at test sizes
(bench/backend.sh runs the full sizes): objects created in RGW with the aws cli, listed (paged)
and cold-GET byte-exact; concurrent GETs of one cold object cost one remote GET (the targets'
aws.get.n counters); a change or delete behind the cluster's back noticed with
validate_warm_get; PUT/DELETE/multipart write through to RGW (checked with the aws cli against
RGW directly); prefetch by template, evict, copy-bck with a prefix, abort mid-way leaving no
partial objects; blob download; bad input (unknown provider, missing remote bucket, bad
credentials -> 403, remote down -> 5xx with healthy nodes, bad template -> 4xx); the CLI.
"""
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
import requests

from cluster import ROOT, new_bucket_name

AIS = os.path.join(ROOT, "build", "ais")
NOBJ = 300          # "Done when": 2,000 (bench/backend.sh)
BIG = 16 << 20      # "Done when": 64 MiB
NCONC = 40          # "Done when": 100
MPU = 48 << 20      # "Done when": 1 GiB


def aws(rgw, *args, check=True, input=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=rgw["access"], AWS_SECRET_ACCESS_KEY=rgw["secret"],
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    r = subprocess.run(["aws", "--endpoint-url", rgw["endpoint"]] + list(args), env=env, capture_output=True,
                       timeout=300, input=input)
    if check:
        assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
    return r


def ais(c, *args, check=True):
    r = subprocess.run([AIS] + list(args), env=dict(os.environ, AIS_ENDPOINT=c.url), capture_output=True,
                       text=True, timeout=300)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def oget(c, bck, name, **kw):
    return requests.get(c.url + "/v1/objects/%s/%s?provider=aws" % (bck, name), timeout=120, **kw)


def remote_gets(c):
    n = 0
    for t in c.targets:
        j = requests.get(t.url + "/v1/daemon?what=node_status", timeout=10).json()
        n += int(j["tracker"].get("aws.get.n", 0))
    return n


def list_all(c, bck, pagesize=0, flags=0, props="name,size,cached"):
    ents, pages, token, uuid = [], 0, "", ""
    while True:
        r = requests.get(c.url + "/v1/buckets/%s?provider=aws" % bck, timeout=60, json={
            "action": "list", "value": {"props": props, "pagesize": pagesize, "continuation_token": token,
                                        "uuid": uuid, "flags": str(flags)}})
        assert r.status_code == 200, r.text
        j = r.json()
        ents += j["entries"] or []
        pages += 1
        token, uuid = j.get("continuation_token") or "", j.get("uuid") or ""
        if not token:
            return ents, pages


def wait_job(c, xid, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = requests.get(c.url + "/v1/cluster?what=status", json={"id": xid}, timeout=10).json()
        if st.get("end_time"):
            return st
        time.sleep(0.1)
    raise AssertionError("job %s did not finish" % xid)


def job_totals(c, xid):
    j = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"id": xid}, timeout=10).json()
    objs = nbytes = 0
    for snaps in j.values():
        for s in snaps or []:
            objs += int(s["stats"]["loc-objs"])
            nbytes += int(s["stats"]["loc-bytes"])
    return objs, nbytes


@pytest.fixture(scope="module")
def dataset(rgw, s3cluster):
    """NOBJ objects obj-0000.. of distinct sizes, created in RGW with `aws s3 sync`"""
    bck = new_bucket_name("rgw")
    aws(rgw, "s3", "mb", "s3://" + bck)
    d = tempfile.mkdtemp(prefix="ais-e2e-ds-")
    data = {}
    for i in range(NOBJ):
        name = "obj-%04d" % i
        blob = os.urandom(100 + 37 * i)
        data[name] = blob
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
    try:
        aws(rgw, "s3", "sync", d, "s3://" + bck, "--only-show-errors")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return bck, data


def test_list_and_cold_get_all(s3cluster, dataset):
    c, (bck, data) = s3cluster, dataset
    ents, pages = list_all(c, bck, pagesize=100)
    assert pages >= 3
    names = {e["name"]: int(e["size"]) for e in ents}
    assert names == {k: len(v) for k, v in data.items()}
    assert not any((e.get("flags", 0) & 64) for e in ents), "nothing is cached yet"
    s = requests.Session()
    with cf.ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda n: (n, s.get(c.url + "/v1/objects/%s/%s?provider=aws" % (bck, n), timeout=60)),
                          sorted(data)))
    for n, r in got:
        assert r.status_code == 200 and r.content == data[n], n
    ents, _ = list_all(c, bck, pagesize=100)
    assert all(e.get("flags", 0) & 64 for e in ents), "every object is cached now"
    cached, _ = list_all(c, bck, flags=1)  # LsCached: the in-cluster listing
    assert len(cached) == NOBJ
    # the cold GET stored the remote's identity
    h = requests.head(c.url + "/v1/objects/%s/obj-0007?provider=aws" % bck, timeout=10, allow_redirects=True)
    md = " ".join(h.headers.get("Ais-Custom-Md", "").split())
    assert "source=aws" in md and "ETag=" + hashlib.md5(data["obj-0007"]).hexdigest() in md


def test_cold_get_single_flight(rgw, s3cluster, dataset):
    c, (bck, _) = s3cluster, dataset
    blob = os.urandom(BIG)
    with tempfile.NamedTemporaryFile() as f:
        f.write(blob)
        f.flush()
        aws(rgw, "s3", "cp", f.name, "s3://%s/big" % bck, "--only-show-errors")
    before = remote_gets(c)
    want = hashlib.md5(blob).hexdigest()

    def get(_):
        r = requests.get(c.url + "/v1/objects/%s/big?provider=aws" % bck, timeout=120)
        return r.status_code, hashlib.md5(r.content).hexdigest()
    with cf.ThreadPoolExecutor(NCONC) as ex:
        res = list(ex.map(get, range(NCONC)))
    assert all(st == 200 and h == want for st, h in res), res[:3]
    assert remote_gets(c) - before == 1, "one remote GET for %d concurrent cold GETs" % NCONC


def test_warm_get_validation(rgw, s3cluster, dataset):
    c, (bck, _) = s3cluster, dataset
    aws(rgw, "s3", "cp", "-", "s3://%s/warm" % bck, input=b"version-one")
    assert oget(c, bck, "warm").content == b"version-one"
    c.set_bprops(bck + "?provider=aws", {"versioning": {"enabled": True, "validate_warm_get": True}})
    try:
        aws(rgw, "s3", "cp", "-", "s3://%s/warm" % bck, input=b"version-two, longer")
        assert oget(c, bck, "warm").content == b"version-two, longer"
        aws(rgw, "s3", "rm", "s3://%s/warm" % bck)
        r = oget(c, bck, "warm")
        assert r.status_code == 404, r.text
    finally:
        c.set_bprops(bck + "?provider=aws", {"versioning": {"validate_warm_get": False}})


def test_put_delete_mpu_write_through(rgw, s3cluster, dataset):
    c, (bck, _) = s3cluster, dataset
    body = os.urandom(3 << 20)
    r = requests.put(c.url + "/v1/objects/%s/wt/put1?provider=aws" % bck, data=body, timeout=60)
    assert r.status_code == 200, r.text
    with tempfile.TemporaryDirectory() as d:
        aws(rgw, "s3", "cp", "s3://%s/wt/put1" % bck, d + "/x", "--only-show-errors")
        assert open(d + "/x", "rb").read() == body
    assert requests.delete(c.url + "/v1/objects/%s/wt/put1?provider=aws" % bck, timeout=60).status_code == 200
    assert aws(rgw, "s3api", "head-object", "--bucket", bck, "--key", "wt/put1", check=False).returncode != 0
    assert oget(c, bck, "wt/put1").status_code == 404
    # native multipart upload through s3://: the parts reach RGW as a multipart upload
    data = os.urandom(MPU)
    url = c.url + "/v1/objects/%s/wt/mpu?provider=aws" % bck
    uid = requests.post(url, json={"action": "mpt-upload"}, timeout=30).text
    psz = 8 << 20
    for i in range(0, MPU, psz):
        r = requests.put(url + "&uploadId=%s&partNumber=%d" % (uid, i // psz + 1), data=data[i:i + psz], timeout=120)
        assert r.status_code == 200, r.text
    r = requests.post(url + "&uploadId=" + uid, timeout=300, json={
        "action": "mpt-complete", "value": [{"part-number": k + 1} for k in range(MPU // psz)]})
    assert r.status_code == 200, r.text
    with tempfile.TemporaryDirectory() as d:
        aws(rgw, "s3", "cp", "s3://%s/wt/mpu" % bck, d + "/m", "--only-show-errors")
        assert hashlib.sha256(open(d + "/m", "rb").read()).digest() == hashlib.sha256(data).digest()
    head = aws(rgw, "s3api", "head-object", "--bucket", bck, "--key", "wt/mpu").stdout
    assert b'-%d' % (MPU // psz) in head, "a multipart ETag: the upload went through as one"


def _work_files(c, bck):
    out = []
    for t in c.targets:
        for mp in t.mountpaths:
            for d, _, fs in os.walk(os.path.join(mp, "@aws", bck, "%wk")):
                out += [os.path.join(d, f) for f in fs]
    return out


def test_prefetch_evict_copy_abort(s3cluster, dataset):
    c, (bck, data) = s3cluster, dataset
    burl = c.url + "/v1/buckets/%s?provider=aws" % bck
    # evict everything cached so far (the bucket stays)
    r = requests.delete(burl + "&keep_bck_md=true", json={"action": "evict-remote-bck"}, timeout=30)
    assert r.status_code == 200, r.text
    assert wait_job(c, r.text)["aborted"] is False
    assert list_all(c, bck, flags=1)[0] == []
    # prefetch by template: exact counts and bytes
    r = requests.post(burl, json={"action": "prefetch-listrange", "value": {"template": "obj-{0000..0199}"}}, timeout=30)
    assert r.status_code == 200, r.text
    st = wait_job(c, r.text)
    assert st["kind"] == "prefetch-listrange" and not st["aborted"] and not st["err"], st
    want = sum(len(data["obj-%04d" % i]) for i in range(200))
    assert job_totals(c, r.text) == (200, want)
    cached = {e["name"] for e in list_all(c, bck, flags=1)[0]}
    assert cached == {"obj-%04d" % i for i in range(200)}
    # evict a template
    r = requests.delete(burl, json={"action": "evict-listrange", "value": {"template": "obj-{0000..0049}"}}, timeout=30)
    assert r.status_code == 200
    wait_job(c, r.text)
    assert job_totals(c, r.text) == (50, sum(len(data["obj-%04d" % i]) for i in range(50)))
    assert len(list_all(c, bck, flags=1)[0]) == 150
    # copy-bck of s3://bck -> ais://dst with a prefix (objects not cached are fetched first)
    dst = new_bucket_name("cp")
    r = requests.post(burl + "&bck_to=ais/@%%23/%s/" % dst, json={"action": "copy-bck", "value": {"prefix": "obj-00"}},
                      timeout=30)
    assert r.status_code == 200, r.text
    st = wait_job(c, r.text)
    assert not st["aborted"] and not st["err"], st
    names = ["obj-%04d" % i for i in range(100)]
    assert job_totals(c, r.text) == (100, sum(len(data[n]) for n in names))
    got = c.list_objects(dst)[0]
    assert sorted(e["name"] for e in got) == names
    for n in names[::7]:
        assert requests.get(c.url + "/v1/objects/%s/%s" % (dst, n), timeout=30).content == data[n]
    c.destroy_bucket(dst)
    # abort mid-way: what is there is complete, nothing partial anywhere
    requests.delete(burl + "&keep_bck_md=true", json={"action": "evict-remote-bck"}, timeout=30)
    time.sleep(0.5)
    r = requests.post(burl, json={"action": "prefetch-listrange",
                                  "value": {"template": "obj-{0000..0299}", "num-workers": 1, "throttle": "20ms"}},
                      timeout=30)
    xid = r.text
    time.sleep(0.6)
    assert requests.put(c.url + "/v1/cluster", json={"action": "stop", "value": {"ID": xid}}, timeout=30).status_code == 200
    st = wait_job(c, xid)
    assert st["aborted"] is True
    present = {e["name"] for e in list_all(c, bck, flags=1)[0]}
    assert 0 < len(present) < NOBJ, len(present)
    for n in present:
        assert oget(c, bck, n, params={"presence": "2"}).content == data[n]
    assert _work_files(c, bck) == []


def test_blob_download(rgw, s3cluster, dataset):
    c, (bck, _) = s3cluster, dataset
    blob = os.urandom(24 << 20)
    with tempfile.NamedTemporaryFile() as f:
        f.write(blob)
        f.flush()
        aws(rgw, "s3", "cp", f.name, "s3://%s/blob/a" % bck, "--only-show-errors")
        aws(rgw, "s3", "cp", f.name, "s3://%s/blob/b" % bck, "--only-show-errors")
    r = requests.post(c.url + "/v1/objects/%s?provider=aws" % bck, timeout=30,
                      json={"action": "blob-download", "name": "blob/a", "value": {"chunk-size": 2 << 20, "num-workers": 4}})
    assert r.status_code == 200, r.text
    st = wait_job(c, r.text)
    assert st["kind"] == "blob-download" and not st["err"], st
    h = requests.head(c.url + "/v1/objects/%s/blob/a?provider=aws" % bck, params={"presence": "2"}, timeout=10,
                      allow_redirects=True)
    assert h.status_code == 200 and h.headers.get("Ais-Present") == "true"
    assert oget(c, bck, "blob/a").content == blob
    r = oget(c, bck, "blob/b", headers={"Ais-Blob-Download": "true", "Ais-Blob-Chunk": "1MiB", "Ais-Blob-Workers": "3"})
    assert r.status_code == 200 and r.content == blob
    r = oget(c, bck, "blob/b", headers={"Ais-Blob-Download": "true", "Ais-Blob-Workers": "999"})
    assert r.status_code == 200  # present: served as is
    r = requests.post(c.url + "/v1/objects/%s?provider=aws" % bck, timeout=30,
                      json={"action": "blob-download", "name": "blob/a", "value": {"chunk-size": 1}})
    assert r.status_code == 400, r.text


def test_bad_input(rgw, s3cluster, dataset):
    c, (bck, _) = s3cluster, dataset
    r = requests.get(c.url + "/v1/objects/%s/x?provider=nope" % bck, timeout=10)
    assert r.status_code == 400 and "invalid bucket provider" in r.json()["message"]
    r = requests.get(c.url + "/v1/objects/%s/x?provider=gcp" % bck, timeout=10)
    assert r.status_code == 404 and "backend is missing" in r.json()["message"]
    r = requests.get(c.url + "/v1/objects/no-such-remote-bucket/x?provider=aws", timeout=30)
    assert r.status_code == 404 and "does not exist" in r.json()["message"], r.text
    r = requests.get(c.url + "/v1/buckets/no-such-remote-bucket?provider=aws", json={"action": "list"}, timeout=30)
    assert r.status_code == 404
    # bad credentials: the remote's 403 surfaces as 403
    b403 = new_bucket_name("creds")
    aws(rgw, "s3", "mb", "s3://" + b403)
    aws(rgw, "s3", "cp", "-", "s3://%s/k" % b403, input=b"secret")
    assert requests.head(c.url + "/v1/buckets/%s?provider=aws" % b403, timeout=30).status_code == 200
    c.set_bprops(b403 + "?provider=aws", {"extra": {"aws": {"profile": "bad"}}})
    r = requests.get(c.url + "/v1/objects/%s/k?provider=aws" % b403, timeout=30)
    assert r.status_code == 403, r.text
    assert "SignatureDoesNotMatch" in r.json()["message"] or "AccessDenied" in r.json()["message"]
    # remote down: a clear 5xx, the nodes stay healthy
    c.set_bprops(b403 + "?provider=aws", {"extra": {"aws": {"profile": "", "endpoint": "http://127.0.0.1:9"}}})
    r = requests.get(c.url + "/v1/objects/%s/k?provider=aws" % b403, timeout=60)
    assert 500 <= r.status_code < 600 and "127.0.0.1:9" in r.text, r.text
    for n in c.nodes:
        assert requests.get(n.url + "/v1/health", timeout=5).status_code == 200
    # bad template: 4xx, nothing started
    r = requests.post(c.url + "/v1/buckets/%s?provider=aws" % bck, timeout=30,
                      json={"action": "prefetch-listrange", "value": {"template": "obj-{0010..0001}"}})
    assert r.status_code == 400 and "'start' cannot be greater" in r.text
    r = requests.post(c.url + "/v1/buckets/%s?provider=aws" % bck, timeout=30,
                      json={"action": "prefetch-listrange", "value": {"template": "obj-{00..1x}"}})
    assert r.status_code == 400
    # prefetch of an ais bucket, remote creation: 4xx
    r = requests.post(c.url + "/v1/buckets/%s?provider=aws" % new_bucket_name("c"), json={"action": "create-bck"},
                      timeout=10)
    assert r.status_code == 400


def test_cli(s3cluster, dataset):
    c, (bck, data) = s3cluster, dataset
    out = ais(c, "ls", "s3://" + bck, "--limit", "5").stdout
    assert out.splitlines()[0].split() == ["NAME", "SIZE", "CACHED"], out
    ais(c, "evict", "s3://" + bck, "--keep-md", "--wait")
    out = ais(c, "prefetch", "s3://" + bck, "--template", "obj-{0000..0009}", "--wait").stdout
    assert "prefetch-objects[" in out and "Done." in out, out
    out = ais(c, "ls", "s3://" + bck, "--cached").stdout
    assert "obj-0009" in out and "obj-0010" not in out, out
    with tempfile.TemporaryDirectory() as d:
        ais(c, "get", "s3://%s/obj-0042" % bck, d + "/o")
        assert open(d + "/o", "rb").read() == data["obj-0042"]
    out = ais(c, "evict", "s3://" + bck, "--list", "obj-0000,obj-0001", "--wait").stdout
    assert "evict-objects[" in out
    dst = new_bucket_name("clicp")
    out = ais(c, "bucket", "cp", "s3://" + bck, "ais://" + dst, "--prefix", "obj-000", "--wait").stdout
    assert "copy-bucket[" in out and "Done." in out, out
    assert len(c.list_objects(dst)[0]) == 10
    dst2 = new_bucket_name("climv")
    out = ais(c, "bucket", "mv", "ais://" + dst, "ais://" + dst2, "--wait").stdout
    assert "rename-bucket[" in out
    deadline = time.time() + 20
    while time.time() < deadline and requests.head(c.url + "/v1/buckets/" + dst, timeout=5).status_code == 200:
        time.sleep(0.2)
    assert requests.head(c.url + "/v1/buckets/" + dst, timeout=5).status_code == 404
    assert len(c.list_objects(dst2)[0]) == 10
    c.destroy_bucket(dst2)
    out = ais(c, "show", "job", "--all").stdout
    assert "prefetch-listrange" in out and "copy-bck" in out
