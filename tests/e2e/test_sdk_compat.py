"""AIStore's Python SDK on the wire (python/aistore/sdk at v1.4.7), spoken here byte for byte
without the SDK itself: list-objects with `Accept: application/msgpack` decoded by Debian's
python3-msgpack (LsoRes/LsoEnt as cmn/objlist_gen.go), the listing uuid and continuation token
walked to the last page the way the SDK's ObjectIterator / list_all_objects stop, ActMsg and
LsoMsg keys in any case (Go clients and the SDK send {"Kind":..}, {"Action":..}), the
non-recursive listing across 3 targets (one entry per virtual directory, AIStore's levels),
S3's delimiter levels kept, and HEAD errors in the Hdr-Error header."""
import json

import msgpack
import pytest
import requests

from cluster import hrw_pick, new_bucket_name, uname
from s3util import client, empty_and_delete

MSGPACK = "application/msgpack"
LS_NO_RECURSION, LS_NO_DIRS = 1 << 11, 1 << 13
ENTRY_IS_CACHED, ENTRY_IS_DIR = 1 << 6, 1 << 8


def sdk_list(cluster, bck, page_size=0, uuid="", token="", prefix="", props="", flags=0, accept=MSGPACK,
             action_key="action", value_key="value"):
    """one list_objects call exactly as Bucket.list_objects sends it"""
    value = {"prefix": prefix, "pagesize": page_size, "uuid": uuid, "props": props,
             "continuation_token": token, "flags": str(flags), "target": ""}
    body = {action_key: "list", "name": "", value_key: value}
    hdrs = {"Accept": accept} if accept else {}
    r = requests.get(cluster.url + "/v1/buckets/" + bck, params={"provider": "ais"}, json=body, headers=hdrs,
                     timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r


def decode_page(r):
    """utils.decode_response: msgpack when the Content-Type says so (msgspec, strict types)"""
    assert r.headers["Content-Type"] == MSGPACK, r.headers
    page = msgpack.unpackb(r.content, raw=False)
    assert set(page) == {"UUID", "ContinuationToken", "Entries", "Flags"}, page.keys()
    assert isinstance(page["UUID"], str) and isinstance(page["ContinuationToken"], str)
    assert isinstance(page["Flags"], int)
    assert page["Entries"] is None or isinstance(page["Entries"], list)
    for e in page["Entries"] or []:
        assert set(e) <= {"n", "cs", "a", "v", "t", "m", "s", "c", "f"}, e
        assert isinstance(e["n"], str)
        for k in ("cs", "a", "v", "t", "m"):
            assert isinstance(e.get(k, ""), str), e
        for k in ("s", "c", "f"):
            assert isinstance(e.get(k, 0), int), e
    return page


def put(cluster, bck, name, data):
    r = requests.put(cluster.obj_url(bck, name), data=data, timeout=30)
    assert r.status_code == 200, (name, r.status_code, r.text[:200])


def on_target(cluster, bck, want_tid, prefix, n=1):
    """n object names under prefix that HRW places on target want_tid"""
    tids = list(cluster.smap()["tmap"])
    out, i = [], 0
    while len(out) < n:
        name = "%s%04d" % (prefix, i)
        if hrw_pick(uname(bck, name), tids) == want_tid:
            out.append(name)
        i += 1
    return out


@pytest.fixture
def b30(cluster):
    """30 objects (3 full pages of 10)"""
    name = new_bucket_name("sdk")
    cluster.create_bucket(name)
    objs = {"obj-%03d" % i: b"x" * (i + 1) for i in range(30)}
    for k, v in objs.items():
        put(cluster, name, k, v)
    yield name, objs
    cluster.destroy_bucket(name)


def test_msgpack_pages_to_the_end(cluster, b30):
    """list_objects_iter: 3 pages of 10 in msgpack, the uuid kept, the token the last name; the
    page after an exactly full one comes back empty with token "" (ais/plstcx.go finLsoA)"""
    bck, objs = b30
    uuid, token, names, pages = "", "", [], 0
    while True:
        page = decode_page(sdk_list(cluster, bck, page_size=10, uuid=uuid, token=token))
        pages += 1
        assert page["UUID"], "no listing uuid: the SDK's iterator would never stop"
        if uuid:
            assert page["UUID"] == uuid
        uuid = page["UUID"]
        ents = page["Entries"] or []
        for e in ents:
            assert e["s"] == len(objs[e["n"]]), e      # default props name,size
            assert e["f"] & ENTRY_IS_CACHED, e
            assert not e["f"] & 0x1f, e                  # status ok
        names += [e["n"] for e in ents]
        # ObjectIterator: stop on an empty page with an empty token
        if not ents and page["ContinuationToken"] == "":
            break
        if ents and len(ents) == 10:
            assert page["ContinuationToken"] == ents[-1]["n"]
        token = page["ContinuationToken"]
        if token == "":  # list_all_objects stops here
            break
        assert pages < 10, "listing does not end"
    assert names == sorted(objs)
    assert pages == 4  # 10 + 10 + 10 + the empty last page


def test_msgpack_short_last_page(cluster, b30):
    bck, objs = b30
    p1 = decode_page(sdk_list(cluster, bck, page_size=12))
    p2 = decode_page(sdk_list(cluster, bck, page_size=12, uuid=p1["UUID"], token=p1["ContinuationToken"]))
    p3 = decode_page(sdk_list(cluster, bck, page_size=12, uuid=p2["UUID"], token=p2["ContinuationToken"]))
    assert [len(p["Entries"]) for p in (p1, p2, p3)] == [12, 12, 6]
    assert p1["ContinuationToken"] == "obj-011" and p2["ContinuationToken"] == "obj-023"
    assert p3["ContinuationToken"] == ""
    assert p1["UUID"] == p2["UUID"] == p3["UUID"]
    # all props: strings and ints as msgspec's BucketEntry types want them
    p = decode_page(sdk_list(cluster, bck, page_size=5, props="name,size,checksum,atime,version,location,copies"))
    for e in p["Entries"]:
        assert e["cs"] and e["a"] and e["v"] == "1" and e["t"] and e["c"] == 1, e


def test_accept_negotiation(cluster, b30):
    bck, _ = b30
    r = sdk_list(cluster, bck, page_size=3, accept="application/json, application/msgpack;q=0.5")
    assert decode_page(r)["Entries"][0]["n"] == "obj-000"
    # no msgpack in Accept: JSON as before, with the generated uuid
    for accept in (None, "application/json", "application/msgpackx", "*/*"):
        r = sdk_list(cluster, bck, page_size=3, accept=accept)
        assert r.headers["Content-Type"].startswith("application/json"), (accept, r.headers)
        lst = r.json()
        assert lst["uuid"] and lst["continuation_token"] == "obj-002", lst
        assert [e["name"] for e in lst["entries"]] == ["obj-000", "obj-001", "obj-002"]


def test_capitalized_keys(cluster):
    """{"Action": ..., "Value": ...} as Go's encoding/json and json-iterator accept"""
    bck = new_bucket_name("sdkci")
    r = requests.post(cluster.url + "/v1/buckets/" + bck, json={"Action": "create-bck"}, timeout=30)
    assert r.status_code == 200, r.text
    try:
        for i in range(5):
            put(cluster, bck, "k%d" % i, b"v")
        body = {"ACTION": "list", "Value": {"Prefix": "k", "PageSize": 2, "Props": "name",
                                            "Continuation_Token": "k0", "Flags": "0"}}
        r = requests.get(cluster.url + "/v1/buckets/" + bck, json=body, timeout=30)
        assert r.status_code == 200, r.text
        lst = r.json()
        assert [e["name"] for e in lst["entries"]] == ["k1", "k2"]
        assert lst["continuation_token"] == "k2"
        # the SDK with capitalized keys, msgpack
        page = decode_page(sdk_list(cluster, bck, page_size=10, action_key="Action", value_key="Value"))
        assert [e["n"] for e in page["Entries"]] == ["k%d" % i for i in range(5)]
        # still strict: an unknown key (in any case) is a 400, not silently ignored
        r = requests.get(cluster.url + "/v1/buckets/" + bck, json={"Action": "list", "Valu": {}}, timeout=30)
        assert r.status_code == 400, r.text
        r = requests.get(cluster.url + "/v1/buckets/" + bck, json={"action": "list", "value": {"PageSizes": 1}},
                         timeout=30)
        assert r.status_code == 400, r.text
        assert "PageSizes" in r.json()["message"]
    finally:
        r = requests.delete(cluster.url + "/v1/buckets/" + bck, json={"aCtIoN": "destroy-bck"}, timeout=30)
        assert r.status_code == 200, r.text
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=10)
    assert r.status_code == 404


@pytest.fixture(scope="module")
def tree(cluster):
    """top-level objects, and dirs d1/ (with d1/sub/), d2/ present on EVERY target, so each target
    reports each virtual directory"""
    bck = new_bucket_name("sdknr")
    cluster.create_bucket(bck)
    tids = list(cluster.smap()["tmap"])
    assert len(tids) == 3
    names = []
    for tid in tids:
        names += on_target(cluster, bck, tid, "d1/f", 2) + on_target(cluster, bck, tid, "d1/sub/g", 1)
        names += on_target(cluster, bck, tid, "d2/h", 1) + on_target(cluster, bck, tid, "top", 1)
        names += on_target(cluster, bck, tid, "d1x/i", 1)
    for n in names:
        put(cluster, bck, n, b"12345")
    yield bck, set(names)
    cluster.destroy_bucket(bck)


def walk(cluster, bck, prefix="", page_size=0, flags=LS_NO_RECURSION):
    uuid, token, ents = "", "", []
    for _ in range(100):
        page = decode_page(sdk_list(cluster, bck, page_size=page_size, uuid=uuid, token=token, prefix=prefix,
                                    flags=flags))
        ents += page["Entries"] or []
        uuid, token = page["UUID"], page["ContinuationToken"]
        if not token:
            return ents
    raise AssertionError("listing does not end")


def test_non_recursive_dirs_once(cluster, tree):
    bck, names = tree
    ents = walk(cluster, bck)
    got = [e["n"] for e in ents]
    assert len(got) == len(set(got)), "duplicates: %s" % got
    dirs = [e for e in ents if e.get("f", 0) & ENTRY_IS_DIR]
    # a virtual dir: its name with a trailing '/', flags EntryIsDir and nothing else
    assert dirs == [{"n": "d1/", "f": ENTRY_IS_DIR}, {"n": "d1x/", "f": ENTRY_IS_DIR},
                    {"n": "d2/", "f": ENTRY_IS_DIR}], dirs
    files = [e["n"] for e in ents if not e.get("f", 0) & ENTRY_IS_DIR]
    assert files == sorted(n for n in names if "/" not in n)
    assert got == sorted(got)  # lexicographic (SortLsoLex), dirs among the names
    # the same across small pages: dedupe happens before the cut, nothing lost or repeated
    for ps in (1, 2, 3):
        assert [e["n"] for e in walk(cluster, bck, page_size=ps)] == got, ps


def test_non_recursive_levels(cluster, tree):
    bck, names = tree
    d1 = sorted(n for n in names if n.startswith("d1/") and "/" not in n[3:])
    want = sorted(d1 + ["d1/sub/"])
    assert [e["n"] for e in walk(cluster, bck, prefix="d1/")] == want
    assert [e["n"] for e in walk(cluster, bck, prefix="d1/", page_size=2)] == want
    # a prefix naming a directory lists that directory's level (fs.Walk's root, CheckDirNoRecurs)
    assert [e["n"] for e in walk(cluster, bck, prefix="d1")] == want
    # a prefix that is no directory: the bucket root's matching entries
    assert [e["n"] for e in walk(cluster, bck, prefix="to")] == sorted(n for n in names if n.startswith("top"))
    assert [e["n"] for e in walk(cluster, bck, prefix="d")] == ["d1/", "d1x/", "d2/"]
    # a prefix with a '/' that ends inside a name: AIStore's walk skips "d1" (nothing listed)
    assert walk(cluster, bck, prefix="d1/s") == []
    # "/": the bucket root's directories only (no object name starts with '/')
    assert [e["n"] for e in walk(cluster, bck, prefix="/")] == ["d1/", "d1x/", "d2/"]
    # LsNoDirs: no virtual directories
    assert [e["n"] for e in walk(cluster, bck, prefix="d1/", flags=LS_NO_RECURSION | LS_NO_DIRS)] == d1
    # recursive: every object, no dirs
    assert [e["n"] for e in walk(cluster, bck, flags=0)] == sorted(names)


def test_s3_delimiter_levels(cluster, tree):
    """S3 keeps its delimiter semantics (LsIsS3): the level right under the prefix wherever it ends"""
    bck, names = tree
    s3 = client(cluster.url + "/s3")
    r = s3.list_objects_v2(Bucket=bck, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d1/", "d1x/", "d2/"]
    assert [o["Key"] for o in r["Contents"]] == sorted(n for n in names if "/" not in n)
    r = s3.list_objects_v2(Bucket=bck, Delimiter="/", Prefix="d1")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d1/", "d1x/"]
    assert "Contents" not in r
    r = s3.list_objects_v2(Bucket=bck, Delimiter="/", Prefix="d1/s")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d1/sub/"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bck, Delimiter="/",
                                                              PaginationConfig={"PageSize": 1}))
    cps = [p["Prefix"] for pg in pages for p in pg.get("CommonPrefixes", [])]
    assert cps == ["d1/", "d1x/", "d2/"]


def test_head_error_in_header(cluster, bucket):
    """HEAD has no body: the AIStore JSON error travels in Hdr-Error (cmn/err.go)"""
    r = requests.head(cluster.obj_url(bucket, "no-such-object"), allow_redirects=True, timeout=10)
    assert r.status_code == 404 and not r.content
    err = json.loads(r.headers["Hdr-Error"])
    assert err["status"] == 404 and "no-such-object" in err["message"], err
    r = requests.head(cluster.url + "/v1/buckets/no-such-bucket-sdk", timeout=10)
    assert r.status_code == 404 and not r.content
    err = json.loads(r.headers["Hdr-Error"])
    assert err["status"] == 404 and "no-such-bucket-sdk" in err["message"], err
    # the other methods keep the error in the body, not in a header
    r = requests.get(cluster.url + "/v1/buckets/no-such-bucket-sdk", json={"action": "list"}, timeout=10)
    assert r.status_code == 404 and "Hdr-Error" not in r.headers and r.json()["status"] == 404
