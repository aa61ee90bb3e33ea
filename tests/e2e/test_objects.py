"""Objects through the proxy (redirects followed by the client): PUT/GET/HEAD of 1,000 objects of
random sizes, placement on disk, list-objects paging/prefix/non-recursive, ranges, delete, rename,
append, versions, checksum verification on PUT, and the redirect responses themselves."""
import hashlib
import os
import random
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from cluster import hrw_pick, new_bucket_name, uname, xxh64

MiB = 1 << 20
NOBJ = 1000
_tls = threading.local()


def session():
    s = getattr(_tls, "s", None)
    if s is None:
        s = _tls.s = requests.Session()
    return s


def obj_name(i):
    k = i % 4
    if k == 0:
        return "top-%04d" % i
    if k == 1:
        return "d%d/obj-%04d" % (i % 10, i)
    if k == 2:
        return "d%d/sub/obj-%04d" % (i % 10, i)
    return "flat-%04d" % i


def obj_size(rng, i):
    if i == 0:
        return 0
    if i == 1:
        return 8 * MiB
    if i < 6:
        return rng.randint(1 * MiB, 8 * MiB)
    if i < 60:
        return rng.randint(64 * 1024, 1 * MiB)
    return rng.randint(0, 64 * 1024)


class Dataset:
    def __init__(self, cluster, bck):
        self.cluster = cluster
        self.bck = bck
        rng = random.Random(4711)
        self.objs = {}
        for i in range(NOBJ):
            self.objs[obj_name(i)] = rng.randbytes(obj_size(rng, i))

    def url(self, name):
        return self.cluster.obj_url(self.bck, name)


def _put(ds, name):
    r = session().put(ds.url(name), data=ds.objs[name], timeout=60)
    return name, r.status_code, r.text


@pytest.fixture(scope="module")
def ds(cluster):
    bck = new_bucket_name("objs")
    cluster.create_bucket(bck)
    d = Dataset(cluster, bck)
    with ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda n: _put(d, n), d.objs))
    bad = [x for x in res if x[1] != 200]
    assert not bad, "PUT failures (name, status, body): %s" % bad[:5]
    yield d
    cluster.destroy_bucket(bck)


def test_get_all_byte_identical(ds):
    def get(name):
        r = session().get(ds.url(name), timeout=60)
        return name, r.status_code, r.content
    with ThreadPoolExecutor(8) as ex:
        for name, st, body in ex.map(get, ds.objs):
            assert st == 200, (name, st, body[:200])
            assert len(body) == len(ds.objs[name]), name
            assert body == ds.objs[name], "content differs: %s" % name


def test_spread_over_targets_and_mountpaths(cluster, ds):
    used_targets, used_mps = set(), set()
    for name, data in ds.objs.items():
        files = cluster.object_files(ds.bck, name)
        assert len(files) == 1, "%s: expected exactly one data file, found %s" % (name, files)
        t, mp, path = files[0]
        assert os.path.getsize(path) == len(data), name
        used_targets.add(t.name)
        used_mps.add(mp)
    assert used_targets == {t.name for t in cluster.targets}
    assert used_mps == {mp for t in cluster.targets for mp in t.mountpaths}
    # no leftovers from the PUTs
    assert cluster.files_under(ds.bck, "%wk") == []


def test_placement_is_aistore_hrw(cluster, ds):
    """Target and mountpath of every object are AIStore's HRW choices (same IDs, same paths)."""
    tmap = cluster.smap()["tmap"]
    by_url = {t.url: t for t in cluster.targets}
    for did, sn in tmap.items():
        if "id_digest" in sn:
            assert int(sn["id_digest"]) == int(xxh64(did.encode(), 1103515245), 16), did
    wrong = []
    for name in ds.objs:
        un = uname(ds.bck, name)
        tid = hrw_pick(un, list(tmap))
        t = by_url[tmap[tid]["public_net"]["direct_url"]]
        mp = hrw_pick(un, t.mountpaths)
        actual = cluster.object_files(ds.bck, name)[0]
        if (actual[0], actual[1]) != (t, mp):
            wrong.append((name, (t.name, mp), (actual[0].name, actual[1])))
    assert not wrong, "%d of %d objects off HRW; first: %s" % (len(wrong), len(ds.objs), wrong[:3])


def test_redirect_points_at_owner(cluster, ds):
    """The proxy's redirect for an object names the target that stores it."""
    for name in list(ds.objs)[:40]:
        r = requests.get(ds.url(name), allow_redirects=False, timeout=10)
        assert r.status_code == 301, (name, r.status_code)
        loc = urllib.parse.urlsplit(r.headers["Location"])
        owner = cluster.object_files(ds.bck, name)[0][0]
        assert "%s://%s" % (loc.scheme, loc.netloc) == owner.url, (name, r.headers["Location"])


def test_redirect_codes(cluster, ds):
    name = "top-0004"
    target_urls = {t.url for t in cluster.targets}
    for method, code in (("GET", 301), ("PUT", 307), ("HEAD", 307), ("DELETE", 307)):
        r = requests.request(method, ds.url(name), allow_redirects=False, timeout=10,
                             data=b"" if method == "PUT" else None)
        assert r.status_code == code, (method, r.status_code, r.text)
        loc = urllib.parse.urlsplit(r.headers["Location"])
        assert "%s://%s" % (loc.scheme, loc.netloc) in target_urls, r.headers["Location"]
        assert loc.path == "/v1/objects/%s/%s" % (ds.bck, name), loc.path
    # nothing was changed by the un-followed PUT/DELETE
    r = requests.get(ds.url(name), timeout=10)
    assert r.status_code == 200 and r.content == ds.objs[name]


def test_head_headers(ds):
    for name in list(ds.objs)[:60]:
        data = ds.objs[name]
        r = session().head(ds.url(name), timeout=10, allow_redirects=True)
        assert r.status_code == 200, (name, r.status_code)
        assert int(r.headers["Content-Length"]) == len(data), name
        assert r.headers["Ais-Checksum-Type"] == "xxhash2", name
        if len(data) <= 256 * 1024:
            assert r.headers["Ais-Checksum-Value"] == xxh64(data), name
        else:
            assert len(r.headers["Ais-Checksum-Value"]) == 16
        assert r.headers["Ais-Version"] == "1", name
        assert "Ais-Atime" in r.headers, name
        # GET carries the same object attributes
        g = session().get(ds.url(name), timeout=30)
        assert g.headers["Ais-Checksum-Value"] == r.headers["Ais-Checksum-Value"]
        assert g.headers.get("Ais-Version") == "1"


def test_list_pages_sorted(cluster, ds):
    entries, pages = cluster.list_objects(ds.bck, pagesize=100, props="name,size",
                                          session=session())
    names = [e["name"] for e in entries]
    assert names == sorted(ds.objs), "listing not sorted or not complete (%d names)" % len(names)
    assert len(pages) == NOBJ // 100, [len(p) for p in pages]
    for p in pages:
        assert len(p) == 100, [len(p) for p in pages]
    for e in entries:
        assert int(e.get("size", 0)) == len(ds.objs[e["name"]]), e


def test_list_default_page(cluster, ds):
    entries, pages = cluster.list_objects(ds.bck, props="name")
    assert sorted(e["name"] for e in entries) == sorted(ds.objs)


def test_list_prefix(cluster, ds):
    want = sorted(n for n in ds.objs if n.startswith("d3/"))
    assert want
    entries, _ = cluster.list_objects(ds.bck, pagesize=7, prefix="d3/")
    assert [e["name"] for e in entries] == want
    entries, _ = cluster.list_objects(ds.bck, prefix="no-such-prefix/")
    assert entries == []


def test_list_non_recursive(cluster, ds):
    LS_NO_RECURSION, ENTRY_IS_DIR = 1 << 11, 1 << 8
    entries, _ = cluster.list_objects(ds.bck, prefix="d3/", flags=LS_NO_RECURSION)
    files = sorted(e["name"] for e in entries if not (int(e.get("flags", 0)) & ENTRY_IS_DIR))
    dirs = sorted(e["name"].rstrip("/") for e in entries if int(e.get("flags", 0)) & ENTRY_IS_DIR)
    direct = sorted(n for n in ds.objs if n.startswith("d3/") and "/" not in n[3:])
    assert files == direct
    assert dirs in ([], ["d3/sub"]), dirs
    # at the top level: top-*, flat-* objects and (optionally) d0..d9 dirs, nothing deeper
    entries, _ = cluster.list_objects(ds.bck, flags=LS_NO_RECURSION)
    files = sorted(e["name"] for e in entries if not (int(e.get("flags", 0)) & ENTRY_IS_DIR))
    assert files == sorted(n for n in ds.objs if "/" not in n)


def test_ranges(ds):
    name = obj_name(1)  # the 8 MiB object
    data = ds.objs[name]
    size = len(data)
    s = session()
    for rng, lo, hi in (("bytes=0-0", 0, 0), ("bytes=100-199", 100, 199),
                        ("bytes=-10", size - 10, size - 1), ("bytes=%d-" % (size - 1000), size - 1000, size - 1),
                        ("bytes=5000000-99999999", 5000000, size - 1)):
        r = s.get(ds.url(name), headers={"Range": rng}, timeout=30)
        assert r.status_code == 206, (rng, r.status_code, r.text[:200])
        assert r.headers["Content-Range"] == "bytes %d-%d/%d" % (lo, hi, size), (rng, r.headers)
        assert int(r.headers["Content-Length"]) == hi - lo + 1
        assert r.content == data[lo:hi + 1], rng
    for bad in ("bytes=%d-%d" % (size, size + 10), "bytes=%d-" % (size + 5)):
        r = s.get(ds.url(name), headers={"Range": bad}, timeout=30)
        assert r.status_code == 416, (bad, r.status_code)
    # a 0-byte object: any byte range is unsatisfiable
    r = s.get(ds.url(obj_name(0)), headers={"Range": "bytes=0-0"}, timeout=30)
    assert r.status_code == 416, r.status_code


def test_zero_and_large_objects(ds):
    for i in (0, 1):
        name = obj_name(i)
        r = session().get(ds.url(name), timeout=60)
        assert r.status_code == 200
        assert r.content == ds.objs[name]
        assert r.headers["Content-Length"] == str(len(ds.objs[name]))


def test_delete(cluster, bucket):
    url = cluster.obj_url(bucket, "del/me")
    assert requests.put(url, data=b"bye" * 100, timeout=10).status_code == 200
    assert cluster.object_files(bucket, "del/me")
    r = requests.delete(url, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert requests.get(url, timeout=10).status_code == 404
    assert requests.head(url, timeout=10, allow_redirects=True).status_code == 404
    assert cluster.object_files(bucket, "del/me") == []
    r = requests.delete(url, timeout=10)
    assert r.status_code == 404, r.status_code
    entries, _ = cluster.list_objects(bucket)
    assert entries == []


def test_overwrite_bumps_version(cluster, bucket):
    url = cluster.obj_url(bucket, "v")
    versions = []
    for i in range(3):
        body = ("content %d" % i).encode() * (i + 1)
        assert requests.put(url, data=body, timeout=10).status_code == 200
        r = requests.get(url, timeout=10)
        assert r.content == body
        versions.append(r.headers.get("Ais-Version"))
    assert versions == ["1", "2", "3"], versions
    assert len(cluster.object_files(bucket, "v")) == 1


def test_rename(cluster, bucket):
    body = os.urandom(100000)
    src, dst = "dir1/src-object", "dir2/renamed"
    assert requests.put(cluster.obj_url(bucket, src), data=body, timeout=10).status_code == 200
    r = requests.post(cluster.obj_url(bucket, src), json={"action": "rename-obj", "name": dst},
                      timeout=30)
    assert r.status_code == 200, (r.status_code, r.text)
    r = requests.get(cluster.obj_url(bucket, dst), timeout=10)
    assert r.status_code == 200 and r.content == body
    assert requests.get(cluster.obj_url(bucket, src), timeout=10).status_code == 404
    entries, _ = cluster.list_objects(bucket)
    assert [e["name"] for e in entries] == [dst]
    assert len(cluster.object_files(bucket, dst)) == 1
    assert cluster.object_files(bucket, src) == []


def test_rename_missing(cluster, bucket):
    r = requests.post(cluster.obj_url(bucket, "nope"), json={"action": "rename-obj", "name": "x"},
                      timeout=30)
    assert r.status_code == 404, (r.status_code, r.text)


def test_append(cluster, bucket):
    url = cluster.obj_url(bucket, "appended")
    parts = [b"hello ", b"world", os.urandom(70000)]
    handle = ""
    for p in parts:
        r = requests.put(url, params={"append_type": "append", "append_handle": handle}, data=p,
                         timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        handle = r.headers.get("Ais-Append-Handle", "")
        assert handle, dict(r.headers)
    # not visible before flush
    assert requests.head(url, timeout=10, allow_redirects=True).status_code == 404
    r = requests.put(url, params={"append_type": "flush", "append_handle": handle}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200
    assert r.content == b"".join(parts)
    assert cluster.files_under(bucket, "%wk") == []


def test_put_checksum_verified(cluster, bucket):
    body = os.urandom(50000)
    ok = cluster.obj_url(bucket, "cksum-ok")
    r = requests.put(ok, data=body, timeout=10,
                     headers={"Ais-Checksum-Type": "xxhash2", "Ais-Checksum-Value": xxh64(body)})
    assert r.status_code == 200, (r.status_code, r.text)
    r = requests.put(cluster.obj_url(bucket, "cksum-ok-md5"), data=body, timeout=10,
                     headers={"Ais-Checksum-Type": "md5",
                              "Ais-Checksum-Value": hashlib.md5(body).hexdigest()})
    assert r.status_code == 200, (r.status_code, r.text)

    for ty, val in (("xxhash2", "0123456789abcdef"), ("md5", "0" * 32)):
        bad = cluster.obj_url(bucket, "cksum-bad-" + ty)
        r = requests.put(bad, data=body, timeout=10,
                         headers={"Ais-Checksum-Type": ty, "Ais-Checksum-Value": val})
        assert 400 <= r.status_code < 500, (ty, r.status_code, r.text)
        assert requests.head(bad, timeout=10, allow_redirects=True).status_code == 404
        assert cluster.object_files(bucket, "cksum-bad-" + ty) == []
    assert cluster.files_under(bucket, "%wk") == []
    # a bad checksum on overwrite keeps the previous content
    r = requests.put(ok, data=b"other", timeout=10,
                     headers={"Ais-Checksum-Type": "xxhash2", "Ais-Checksum-Value": "0" * 16})
    assert 400 <= r.status_code < 500
    assert requests.get(ok, timeout=10).content == body


@pytest.mark.parametrize("name", [
    "with space", "unicode-\u00f1\u00e9-\u6587\u4ef6", "plus+sign", "percent%25literal",
    "q?mark", "hash#tag", "a/b/c/d/e/f/g/h/deep", "n" * 200, "trailing-dot.", "-dash",
])
def test_special_names(cluster, bucket, name):
    body = name.encode() * 3
    url = "%s/v1/objects/%s/%s" % (cluster.url, bucket, urllib.parse.quote(name, safe="/"))
    r = requests.put(url, data=body, timeout=10)
    assert r.status_code == 200, (name, r.status_code, r.text)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == body, name
    entries, _ = cluster.list_objects(bucket)
    assert [e["name"] for e in entries] == [name]
