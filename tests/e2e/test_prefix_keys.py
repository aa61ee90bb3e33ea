"""Object names that are prefixes of other names ("foo/bar" and "foo/bar/xyzzy") and names ending
in '/' (directory markers): both coexist, natively and over S3, in any order of creation, and
every listing (recursive, non-recursive / delimiter, S3 v1 and v2 with CommonPrefixes, paging
with continuation tokens, start-after, marker) equals what S3 answers for the same keys (a
reference model below). On disk (docs/architecture.md "On-disk layout"): "<name>/%ob.leaf" for a
name whose path is a directory, "<name>/%ob.dir" for a name ending in '/'; both reserved
segments are a 400. Deletes prune empty directories but keep those that still hold a leaf.
Run on a 1-target 1-mountpath cluster (every name on one mountpath: a file in the way of a
longer name always has to move into its leaf) and on the shared 3-target cluster."""
import os
import time
import subprocess
import urllib.parse

import pytest
import requests
from botocore.exceptions import ClientError

from cluster import ROOT, Cluster, new_bucket_name, raw_request
from s3util import aws_cli, client, empty_and_delete, rclone_env, run

T = 20
AIS = os.environ.get("AIS_CLI", os.path.join(ROOT, "build", "ais"))

# created in this order: shorter names before and after the longer ones
KEYS = ["foo/bar", "foo/bar/xyzzy", "foo/bar/", "foo/", "foo", "deep/a/b/c", "deep/a/b", "deep/a",
        "deep/a/", "deep/a/b/", "foo/bar-x", "foo/bar0", "foo/bar.x", "z/", "top"]


@pytest.fixture(scope="module", params=["one-mountpath", "shared"])
def clu(request):
    if request.param == "shared":
        yield request.getfixturevalue("cluster")
        return
    c = Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="1s")
    c.start()
    yield c
    c.cleanup()


@pytest.fixture
def bck(clu):
    name = new_bucket_name("pk")
    clu.create_bucket(name)
    yield name
    clu.destroy_bucket(name)


@pytest.fixture(scope="module")
def s3(clu):
    return client(clu.url + "/s3")


def body_of(k):
    return ("content of %r" % k).encode()


def s3_model(keys, prefix="", delimiter=None, after=""):
    """what S3 lists: (keys, common prefixes), each sorted, all > after"""
    contents, cps = [], []
    for k in sorted(set(keys)):
        if not k.startswith(prefix):
            continue
        if delimiter:
            i = k.find(delimiter, len(prefix))
            if i >= 0:
                cp = k[:i + len(delimiter)]
                if cp > after and cp not in cps:
                    cps.append(cp)
                continue
        if k > after:
            contents.append(k)
    return contents, cps


def native_put_all(clu, bck, keys):
    for k in keys:
        r = requests.put(clu.obj_url(bck, k), data=body_of(k), timeout=T)
        assert r.status_code == 200, (k, r.status_code, r.text)


def check_all_readable(clu, bck, keys):
    for k in keys:
        r = requests.get(clu.obj_url(bck, k), timeout=T)
        assert r.status_code == 200 and r.content == body_of(k), (k, r.status_code, r.content[:100])
        r = requests.head(clu.obj_url(bck, k), timeout=T, allow_redirects=True)
        assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(body_of(k)), (k, r.headers)


def dirs_under(clu, bck):
    out = []
    for t in clu.targets:
        for mp in t.mountpaths:
            top = os.path.join(mp, "@ais", bck, "%ob")
            for d, sub, _ in os.walk(top):
                out.extend(os.path.relpath(os.path.join(d, s), top) for s in sub)
    return out


# ---------------------------------------------------------------- native

def test_native_coexist_and_list(clu, bck):
    native_put_all(clu, bck, KEYS)
    check_all_readable(clu, bck, KEYS)
    want = sorted(KEYS)
    ents, _ = clu.list_objects(bck)
    assert [e["name"] for e in ents] == want
    assert all(int(e["size"]) == len(body_of(e["name"])) for e in ents), ents
    for ps in (1, 2, 3, 7):
        ents, pages = clu.list_objects(bck, pagesize=ps)
        assert [e["name"] for e in ents] == want, ps
        assert all(len(p) <= ps for p in pages)
    # names that are only directories are no objects
    for k in ("deep", "deep/a/b/c/", "z", "foo/bar/xyzzy/"):
        assert requests.get(clu.obj_url(bck, k), timeout=T).status_code == 404, k
        assert requests.head(clu.obj_url(bck, k), timeout=T, allow_redirects=True).status_code == 404, k
    for pfx in ("foo/bar", "foo/bar/", "foo/", "deep/a/b", "z"):
        ents, _ = clu.list_objects(bck, prefix=pfx)
        assert [e["name"] for e in ents] == [k for k in want if k.startswith(pfx)], pfx
    # the on-disk forms: leaves and markers, never a reserved name in a listing
    files = [os.path.basename(f) for f in clu.files_under(bck, "%ob")]
    assert "%ob.dir" in files
    if len(clu.targets) == 1:
        assert "%ob.leaf" in files


LS_NO_RECURSION = 1 << 11   # apc.LsNoRecursion
ENTRY_IS_DIR = 1 << 8        # apc.EntryIsDir


def test_native_non_recursive(clu, bck):
    native_put_all(clu, bck, KEYS)
    ents, _ = clu.list_objects(bck, flags=LS_NO_RECURSION)
    names = [e["name"] for e in ents]
    assert len(names) == len(set(names)), names  # no duplicates across targets
    # the root level: objects "foo", "top" and virtual directories "deep/", "foo/", "z/"
    dirs = sorted(e["name"] for e in ents if e.get("flags", 0) & ENTRY_IS_DIR)
    objs = sorted(n for n in names if not n.endswith("/"))
    assert objs == ["foo", "top"], names
    assert dirs == ["deep/", "foo/", "z/"], names
    # one level down: "foo/bar" is an object and a directory
    ents, _ = clu.list_objects(bck, prefix="foo/", flags=LS_NO_RECURSION)
    names = sorted(e["name"] for e in ents)
    assert len(names) == len(set(names)), names
    assert {"foo/bar", "foo/bar/", "foo/bar-x", "foo/bar0", "foo/bar.x"} <= set(names), names


def test_native_delete_prunes_keeps_leaf(clu, bck):
    native_put_all(clu, bck, ["p/q", "p/q/r", "p/q/r/s", "p/q/"])
    for k in ("p/q/r/s", "p/q/r"):
        assert requests.delete(clu.obj_url(bck, k), timeout=T).status_code == 200, k
    check_all_readable(clu, bck, ["p/q", "p/q/"])
    assert [e["name"] for e in clu.list_objects(bck)[0]] == ["p/q", "p/q/"]
    assert requests.get(clu.obj_url(bck, "p/q/r"), timeout=T).status_code == 404
    # the directory that still holds the leaf stays, then goes with the last name
    assert requests.delete(clu.obj_url(bck, "p/q/"), timeout=T).status_code == 200
    check_all_readable(clu, bck, ["p/q"])
    assert requests.delete(clu.obj_url(bck, "p/q"), timeout=T).status_code == 200
    assert clu.list_objects(bck)[0] == []
    assert clu.files_under(bck, "%ob") == [] and dirs_under(clu, bck) == []


def test_native_overwrite_and_versions(clu, bck):
    native_put_all(clu, bck, ["v/w", "v/w/x"])
    for i in range(3):
        r = requests.put(clu.obj_url(bck, "v/w"), data=b"gen%d" % i, timeout=T)
        assert r.status_code == 200
    r = requests.get(clu.obj_url(bck, "v/w"), timeout=T)
    assert r.content == b"gen2"
    assert r.headers.get("Ais-Version") == "4", r.headers
    ents, _ = clu.list_objects(bck)
    assert [e["name"] for e in ents] == ["v/w", "v/w/x"]


def test_native_reserved_names_400(clu, bck):
    for k in ("a/%ob.leaf", "%ob.dir", "x/%ob.dir/y", "%ob.leaf/", "a//", "a//b/"):
        r = requests.put(clu.obj_url(bck, k), data=b"x", timeout=T)
        assert r.status_code == 400, (k, r.status_code, r.text)
    r = requests.put(clu.obj_url(bck, "a/%ob.leaf"), data=b"x", timeout=T)
    assert "reserved" in r.json()["message"], r.text
    assert clu.list_objects(bck)[0] == []


def test_native_rename_and_copy_onto_prefixes(clu, bck):
    native_put_all(clu, bck, ["src1", "src2", "dst/x/y"])
    # rename "src1" to "dst/x" (a directory already): stored as its leaf
    r = requests.post(clu.obj_url(bck, "src1"), json={"action": "rename-obj", "name": "dst/x"}, timeout=T)
    assert r.status_code == 200, r.text
    r = requests.get(clu.obj_url(bck, "dst/x"), timeout=T)
    assert r.status_code == 200 and r.content == body_of("src1")
    # rename "src2" to "dst/x/y/z" (a file in the way)
    r = requests.post(clu.obj_url(bck, "src2"), json={"action": "rename-obj", "name": "dst/x/y/z"}, timeout=T)
    assert r.status_code == 200, r.text
    check_all_readable(clu, bck, ["dst/x/y"])
    assert requests.get(clu.obj_url(bck, "dst/x/y/z"), timeout=T).content == body_of("src2")
    assert [e["name"] for e in clu.list_objects(bck)[0]] == ["dst/x", "dst/x/y", "dst/x/y/z"]


def test_native_append_to_leaf(clu, bck):
    native_put_all(clu, bck, ["ap/x/y"])
    url = clu.obj_url(bck, "ap/x")
    r = requests.put(url + "?append_type=append", data=b"hello ", timeout=T)
    assert r.status_code == 200, r.text
    h = r.headers.get("Ais-Append-Handle", "")
    r = requests.put(url + "?append_type=append&append_handle=" + urllib.parse.quote(h), data=b"world",
                     timeout=T)
    assert r.status_code == 200, r.text
    r = requests.put(url + "?append_type=flush&append_handle=" + urllib.parse.quote(r.headers.get(
        "Ais-Append-Handle", h)), timeout=T)
    assert r.status_code == 200, r.text
    assert requests.get(url, timeout=T).content == b"hello world"


def ais(clu, *args):
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = clu.url
    p = subprocess.run([AIS] + list(args), capture_output=True, env=e, timeout=60)
    assert p.returncode == 0, (args, p.stdout.decode(), p.stderr.decode())
    return p.stdout.decode()


def test_cli(clu, bck, tmp_path):
    src = tmp_path / "f"
    for k in ("c/d", "c/d/e"):
        src.write_bytes(body_of(k))
        ais(clu, "put", str(src), "ais://%s/%s" % (bck, k))
    native_put_all(clu, bck, ["c/d/"])  # (the CLI puts "dst/" as "dst/<file name>", as AIStore's)
    out = ais(clu, "ls", "ais://" + bck, "--name-only", "-H")
    assert out.split() == ["c/d", "c/d/", "c/d/e"], out
    for k in ("c/d", "c/d/", "c/d/e"):
        dst = tmp_path / "out"
        ais(clu, "get", "ais://%s/%s" % (bck, k), str(dst))
        assert dst.read_bytes() == body_of(k), k


# ---------------------------------------------------------------- S3

def s3_list_all_v2(s3, bck, **kw):
    keys, cps = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bck, **kw):
        keys += [o["Key"] for o in page.get("Contents", [])]
        cps += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return keys, cps


def s3_list_all_v1(s3, bck, **kw):
    keys, cps = [], []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bck, **kw):
        keys += [o["Key"] for o in page.get("Contents", [])]
        cps += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return keys, cps


@pytest.fixture
def s3b(clu, s3):
    name = new_bucket_name("pks")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


PREFIXES = ["", "foo", "foo/", "foo/bar", "foo/bar/", "deep/", "deep/a", "deep/a/", "deep/a/b/", "z", "nope/"]


def test_s3_coexist_and_list(clu, s3, s3b):
    for k in KEYS:
        s3.put_object(Bucket=s3b, Key=k, Body=body_of(k))
    for k in KEYS:
        assert s3.get_object(Bucket=s3b, Key=k)["Body"].read() == body_of(k), k
        assert s3.head_object(Bucket=s3b, Key=k)["ContentLength"] == len(body_of(k)), k
    for k in ("deep", "deep/a/b/c/", "z"):
        with pytest.raises(ClientError) as e:
            s3.head_object(Bucket=s3b, Key=k)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404, k
    for pfx in PREFIXES:
        for delim in (None, "/"):
            kw = {"Prefix": pfx}
            if delim:
                kw["Delimiter"] = delim
            want = s3_model(KEYS, pfx, delim)
            for ps in (1000, 1, 2):
                got = s3_list_all_v2(s3, s3b, PaginationConfig={"PageSize": ps}, **kw)
                assert got == want, (pfx, delim, ps, got, want)
            got = s3_list_all_v1(s3, s3b, PaginationConfig={"PageSize": 2}, **kw)
            assert got == want, ("v1", pfx, delim, got, want)
    # start-after and marker
    for after in ("foo/bar", "foo/bar/", "deep/a", "foo"):
        want = s3_model(KEYS, "", "/", after)
        got = s3_list_all_v2(s3, s3b, Delimiter="/", StartAfter=after)
        assert got == want, (after, got, want)
        want = s3_model(KEYS, "", None, after)
        got = s3_list_all_v1(s3, s3b, Marker=after)
        assert got == want, (after, got, want)


def test_s3_delete_and_reserved(clu, s3, s3b):
    keys = ["m/n", "m/n/o", "m/n/"]
    for k in keys:
        s3.put_object(Bucket=s3b, Key=k, Body=body_of(k))
    s3.delete_object(Bucket=s3b, Key="m/n/o")
    assert s3_list_all_v2(s3, s3b)[0] == ["m/n", "m/n/"]
    assert s3_list_all_v2(s3, s3b, Prefix="m/", Delimiter="/") == (["m/n"], ["m/n/"])
    s3.delete_object(Bucket=s3b, Key="m/n/")
    # a directory that holds only a leaf is no common prefix (no key starts with "m/n/")
    assert s3_list_all_v2(s3, s3b, Prefix="m/", Delimiter="/") == (["m/n"], [])
    assert s3_list_all_v1(s3, s3b, Delimiter="/") == ([], ["m/"])
    s3.put_object(Bucket=s3b, Key="m/n/", Body=body_of("m/n/"))
    assert s3.get_object(Bucket=s3b, Key="m/n")["Body"].read() == body_of("m/n")
    assert s3.get_object(Bucket=s3b, Key="m/n/")["Body"].read() == body_of("m/n/")
    r = s3.delete_objects(Bucket=s3b, Delete={"Objects": [{"Key": "m/n"}, {"Key": "m/n/"}]})
    assert len(r.get("Deleted", [])) == 2, r
    assert s3_list_all_v2(s3, s3b) == ([], [])
    for k in ("x/%ob.leaf", "%ob.dir"):
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=s3b, Key=k, Body=b"x")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, k


def test_s3_copy_and_mpu(clu, s3, s3b):
    s3.put_object(Bucket=s3b, Key="k/l/m", Body=b"deep")
    s3.put_object(Bucket=s3b, Key="src", Body=b"copied")
    s3.copy_object(Bucket=s3b, Key="k/l", CopySource={"Bucket": s3b, "Key": "src"})
    s3.copy_object(Bucket=s3b, Key="k/l/", CopySource={"Bucket": s3b, "Key": "src"})
    assert s3.get_object(Bucket=s3b, Key="k/l")["Body"].read() == b"copied"
    assert s3.get_object(Bucket=s3b, Key="k/l/")["Body"].read() == b"copied"
    part = b"p" * (5 * 1024 * 1024)
    for key in ("k", "k/l/m/n", "k/"):
        up = s3.create_multipart_upload(Bucket=s3b, Key=key)["UploadId"]
        e1 = s3.upload_part(Bucket=s3b, Key=key, UploadId=up, PartNumber=1, Body=part)["ETag"]
        e2 = s3.upload_part(Bucket=s3b, Key=key, UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
        s3.complete_multipart_upload(Bucket=s3b, Key=key, UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        got = s3.get_object(Bucket=s3b, Key=key)["Body"].read()
        assert got == part + b"tail", key
    keys = ["k", "k/", "k/l", "k/l/", "k/l/m", "k/l/m/n", "src"]
    assert s3_list_all_v2(s3, s3b) == (keys, [])
    assert s3_list_all_v2(s3, s3b, Prefix="k/", Delimiter="/") == (["k/", "k/l"], ["k/l/"])
    assert s3.get_object(Bucket=s3b, Key="k/l/m")["Body"].read() == b"deep"


def test_aws_cli_and_rclone(clu, s3, s3b, tmp_path):
    env, ep = aws_cli(clu, tmp_path)
    f = tmp_path / "f"
    f.write_bytes(b"cli")
    run(["aws"] + ep + ["s3", "cp", str(f), "s3://%s/r/s" % s3b], env)
    run(["aws"] + ep + ["s3", "cp", str(f), "s3://%s/r/s/t" % s3b], env)
    run(["aws"] + ep + ["s3api", "put-object", "--bucket", s3b, "--key", "r/s/"], env)
    out = run(["aws"] + ep + ["s3", "ls", "s3://%s/r/" % s3b], env)
    lines = [ln.split() for ln in out.splitlines()]
    assert ["PRE", "s/"] in lines and any(ln[-1] == "s" for ln in lines if ln[0] != "PRE"), out
    out = run(["aws"] + ep + ["s3", "ls", "--recursive", "s3://%s" % s3b], env)
    assert [ln.split()[-1] for ln in out.splitlines()] == ["r/s", "r/s/", "r/s/t"], out
    if not os.access("/usr/bin/rclone", os.X_OK):
        return
    renv = rclone_env(clu, tmp_path)
    run(["rclone", "mkdir", "ais:%s/emptydir" % s3b], renv)  # (no-op for s3 without markers)
    out = run(["rclone", "lsf", "-R", "--files-only", "ais:%s" % s3b], renv)
    assert sorted(out.split()) == ["r/s", "r/s/t"] or sorted(out.split()) == ["r/s", "r/s/", "r/s/t"], out
    assert run(["rclone", "lsf", "ais:%s/r/s/" % s3b], renv).split() == ["t"]
    assert run(["rclone", "cat", "ais:%s/r/s/t" % s3b], renv) == "cli"
    assert run(["rclone", "cat", "ais:%s/r/s" % s3b], renv) == "cli"
    d = tmp_path / "dl"
    run(["rclone", "copy", "ais:%s/r/s/" % s3b, str(d)], renv)
    assert (d / "t").read_bytes() == b"cli"


def test_raw_trailing_slash_put(clu, bck):
    # the native API over the proxy, byte-exact path
    st, _, body = raw_request(clu.url, "PUT", "/v1/objects/%s/dm/" % bck, body=b"")
    assert st == 200, body
    st, _, body = raw_request(clu.url, "GET", "/v1/objects/%s/dm/" % bck)
    assert st == 200 and body == b""
    st, _, body = raw_request(clu.url, "GET", "/v1/objects/%s/dm" % bck)
    assert st == 404


# ---------------------------------------------------------------- rebalance, resilver

def test_rebalance_and_resilver(tmp_path):
    """names that are files and directories at once survive a resilver (a mountpath disabled:
    everything collapses onto the other one, where files in the way move into their leaves; and
    back) and a rebalance (a second target joins), with every name listed once"""
    from rebutil import latest_reb, start_cluster, wait_new_reb, wait_reb
    c = start_cluster(ntargets=2, started=1, nmountpaths=2)
    try:
        bck = new_bucket_name("pkr")
        c.create_bucket(bck)
        names = []
        for i in range(40):
            names += ["d%02d" % i, "d%02d/x" % i, "d%02d/" % i, "d%02d/x/y" % i, "d%02d/x/" % i]
        native_put_all(c, bck, names)
        want = sorted(names)

        def check():
            check_all_readable(c, bck, names)
            assert [e["name"] for e in c.list_objects(bck)[0]] == want

        check()
        node = c.targets[0]
        mp0 = node.mountpaths[0]

        def mp(action):
            r = requests.post(node.url + "/v1/daemon/mountpaths", json={"action": action, "value": mp0},
                              timeout=T)
            assert r.status_code in (200, 204), r.text
        mp("disable-mp")
        deadline = time.time() + 60
        while c.files_under(bck, "%ob") and any(f.startswith(mp0) for f in c.files_under(bck, "%ob")):
            assert time.time() < deadline, "resilver did not empty " + mp0
            time.sleep(0.2)
        check()
        mp("enable-mp")
        time.sleep(1)
        check()
        x0 = latest_reb(c)
        c.targets[1].start()
        c.wait_ready(timeout=30, ntargets=2)
        x = wait_new_reb(c, x0)
        wait_reb(c, x)
        check()
        for k in names[::-1]:  # longest first, then each leaf, then the shorter names
            assert requests.delete(c.obj_url(bck, k), timeout=T).status_code == 200, k
        assert c.list_objects(bck)[0] == []
        assert c.files_under(bck, "%ob") == [] and dirs_under(c, bck) == []
    finally:
        c.cleanup()


def test_archive_shard_that_is_also_a_prefix(clu, bck):
    """a shard whose name is also a directory: read by archpath, appended to in place (its leaf
    opened for writing), listed with its files (LsArchDir)"""
    from shardutil import tar_bytes
    native_put_all(clu, bck, ["sh/s.tar/inner"])
    r = requests.put(clu.obj_url(bck, "sh/s.tar"), data=tar_bytes([("a.txt", b"hello")]), timeout=T)
    assert r.status_code == 200, r.text
    native_put_all(clu, bck, ["sh/s.tar/more"])  # (and one more after it)
    r = requests.get(clu.obj_url(bck, "sh/s.tar"), params={"archpath": "a.txt"}, timeout=T)
    assert r.status_code == 200 and r.content == b"hello", (r.status_code, r.text)
    r = requests.put(clu.obj_url(bck, "sh/s.tar"), params={"archpath": "b.txt"}, data=b"appended",
                     headers={"Ais-Pine": "1"}, timeout=T)
    assert r.status_code == 200, r.text
    r = requests.get(clu.obj_url(bck, "sh/s.tar"), params={"archpath": "b.txt"}, timeout=T)
    assert r.status_code == 200 and r.content == b"appended"
    LS_ARCH_DIR = 1 << 3  # apc.LsArchDir
    ents, _ = clu.list_objects(bck, flags=LS_ARCH_DIR)
    assert [e["name"] for e in ents] == ["sh/s.tar", "sh/s.tar/a.txt", "sh/s.tar/b.txt", "sh/s.tar/inner",
                                         "sh/s.tar/more"], ents
    check_all_readable(clu, bck, ["sh/s.tar/inner", "sh/s.tar/more"])


def test_concurrent_file_into_leaf(clu, bck):
    """while a name's file moves into its leaf (a longer name arrives), readers of that name
    never miss it (the swap is atomic) and concurrent writers of both lose nothing"""
    import threading
    n = 40
    short = ["cc%02d" % i for i in range(n)]
    native_put_all(clu, bck, short)
    errors = []
    stop = threading.Event()

    def reader():
        s = requests.Session()
        while not stop.is_set():
            for k in short:
                r = s.get(clu.obj_url(bck, k), timeout=T)
                if r.status_code != 200 or r.content != body_of(k):
                    errors.append((k, r.status_code))

    def writer(names):
        s = requests.Session()
        for k in names:
            r = s.put(clu.obj_url(bck, k), data=body_of(k), timeout=T)
            if r.status_code != 200:
                errors.append((k, r.status_code, r.text))
    rd = [threading.Thread(target=reader) for _ in range(2)]
    for t in rd:
        t.start()
    longer = ["%s/x" % k for k in short] + ["%s/y/z" % k for k in short]
    ws = [threading.Thread(target=writer, args=(longer[i::4],)) for i in range(4)]
    # and the short names overwritten at the same time
    ws.append(threading.Thread(target=writer, args=(short,)))
    for t in ws:
        t.start()
    for t in ws:
        t.join()
    stop.set()
    for t in rd:
        t.join()
    assert not errors, errors[:5]
    check_all_readable(clu, bck, short + longer)
    assert [e["name"] for e in clu.list_objects(bck)[0]] == sorted(short + longer)
