"""List-objects pages come from per-listing cursors (targets: a sorted snapshot per listing
uuid, one walk per listing; proxy: each target's entries a page left out) instead of a walk of
the whole bucket per page. What a user sees: every name exactly once and in order across pages
of any size (also non-recursive, where every target reports the same directories), full pages
until the last, objects deleted during a listing skipped without short pages, a listing that
goes back to an earlier token or interleaves with others still correct, and the listing is a
snapshot: an object PUT after its first page is not in it (a new listing has it)."""
import concurrent.futures
import json

import pytest
import requests

from cluster import new_bucket_name

T = 30


def put_many(cluster, bck, names, body=b"x"):
    s = requests.Session()

    def put(n):
        r = s.put(cluster.obj_url(bck, n), data=body, timeout=T)
        assert r.status_code == 200, (n, r.status_code)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(put, names))


def page(cluster, bck, token="", uuid="", pagesize=0, flags=0, prefix="", props="name,size"):
    msg = {"pagesize": pagesize, "prefix": prefix, "props": props, "continuation_token": token, "uuid": uuid,
           "flags": str(flags)}
    r = requests.get(cluster.url + "/v1/buckets/" + bck, json={"action": "list", "value": msg}, timeout=T)
    assert r.status_code == 200, r.text
    j = r.json()
    return [e["name"] for e in j.get("entries") or []], j.get("continuation_token") or "", j["uuid"]


def list_all(cluster, bck, pagesize, **kw):
    token, uuid, names, sizes = "", "", [], []
    while True:
        got, token, uuid = page(cluster, bck, token, uuid, pagesize, **kw)
        names += got
        sizes.append(len(got))
        if not token:
            return names, sizes


@pytest.fixture(scope="module")
def big(cluster):
    bck = new_bucket_name("lcur")
    cluster.create_bucket(bck)
    names = ["d%02d/o-%04d" % (i % 13, i) for i in range(1200)] + ["top-%03d" % i for i in range(100)]
    put_many(cluster, bck, names)
    yield bck, sorted(names)
    cluster.destroy_bucket(bck)


@pytest.mark.parametrize("pagesize", [1, 7, 100, 333, 1299, 1300, 5000])
def test_pages_exact_and_full(cluster, big, pagesize):
    bck, want = big
    names, sizes = list_all(cluster, bck, pagesize)
    assert names == want
    # full pages until the last (which may be empty when the listing ends on a boundary)
    assert all(s == pagesize for s in sizes[:-1]), sizes
    assert sizes[-1] <= pagesize


@pytest.mark.parametrize("pagesize", [1, 3, 50])
def test_non_recursive_pages(cluster, big, pagesize):
    bck, want = big
    names, sizes = list_all(cluster, bck, pagesize, flags=1 << 11)  # LsNoRecursion
    top = sorted({n.split("/")[0] + "/" for n in want if "/" in n} | {n for n in want if "/" not in n})
    assert names == top, (names[:20], top[:20])
    assert all(s == pagesize for s in sizes[:-1]), sizes


def test_prefix_and_start_after(cluster, big):
    bck, want = big
    names, _ = list_all(cluster, bck, 50, prefix="d03/")
    assert names == [n for n in want if n.startswith("d03/")]
    msg = {"pagesize": 40, "props": "name", "start_after": "d05/o-0500", "uuid": "", "continuation_token": ""}
    out, token, uuid = [], "", ""
    while True:
        msg.update(continuation_token=token, uuid=uuid)
        j = requests.get(cluster.url + "/v1/buckets/" + bck, json={"action": "list", "value": msg}, timeout=T).json()
        out += [e["name"] for e in j.get("entries") or []]
        token, uuid = j.get("continuation_token") or "", j["uuid"]
        if not token:
            break
    assert out == [n for n in want if n > "d05/o-0500"]


def test_deleted_during_listing_skipped_pages_stay_full(cluster):
    bck = new_bucket_name("ldel")
    cluster.create_bucket(bck)
    names = ["o-%04d" % i for i in range(600)]
    put_many(cluster, bck, names)
    got, token, uuid = page(cluster, bck, pagesize=100)
    assert got == names[:100]
    # every other one of the last pages: names no target has sent yet (each sent at most a
    # page, ~names[:300]); those sent already may still show (AIStore's targets buffer ahead too)
    gone = set(names[420:600:2])
    for n in gone:
        assert requests.delete(cluster.obj_url(bck, n), timeout=T).status_code == 200
    rest, sizes = [], []
    while token:
        got, token, uuid = page(cluster, bck, token, uuid, pagesize=100)
        rest += got
        sizes.append(len(got))
    assert rest == [n for n in names[100:] if n not in gone]
    assert all(s == 100 for s in sizes[:-1]), sizes
    cluster.destroy_bucket(bck)


def test_listing_is_a_snapshot_and_goes_back(cluster):
    bck = new_bucket_name("lsnap")
    cluster.create_bucket(bck)
    names = ["o-%04d" % i for i in range(300)]
    put_many(cluster, bck, names)
    p1, t1, uuid = page(cluster, bck, pagesize=100)
    p2, t2, _ = page(cluster, bck, t1, uuid, pagesize=100)
    # PUT after the first page, sorting at the end: not in this listing ...
    assert requests.put(cluster.obj_url(bck, "zz-late"), data=b"l", timeout=T).status_code == 200
    p3, t3, _ = page(cluster, bck, t2, uuid, pagesize=100)
    tail, _, _ = page(cluster, bck, t3, uuid, pagesize=100)
    assert p1 + p2 + p3 + tail == names
    # ... a new one has it
    assert list_all(cluster, bck, 1000)[0] == names + ["zz-late"]
    # the same listing asked again from an earlier token (a client retrying a page): right page
    again, t2b, _ = page(cluster, bck, t1, uuid, pagesize=100)
    assert again == p2 and t2b == t2
    cluster.destroy_bucket(bck)


def test_interleaved_listings(cluster, big):
    bck, want = big
    a = {"token": "", "uuid": "", "names": [], "prefix": ""}
    b = {"token": "", "uuid": "", "names": [], "prefix": "d07/"}
    c = {"token": "", "uuid": "", "names": [], "prefix": "", "pagesize": 250}
    done = set()
    while len(done) < 3:
        for i, st in enumerate((a, b, c)):
            if i in done:
                continue
            got, st["token"], st["uuid"] = page(cluster, bck, st["token"], st["uuid"], st.get("pagesize", 90),
                                                prefix=st["prefix"])
            st["names"] += got
            if not st["token"]:
                done.add(i)
    assert a["names"] == want and c["names"] == want
    assert b["names"] == [n for n in want if n.startswith("d07/")]


def test_msgpack_and_sdk_shape_unchanged(cluster, big):
    """the cursor changes nothing on the wire: msgpack pages (the SDK's) carry the same names"""
    import msgpack
    bck, want = big
    token, uuid, names = "", "", []
    while True:
        msg = {"pagesize": 400, "props": "name", "continuation_token": token, "uuid": uuid}
        r = requests.get(cluster.url + "/v1/buckets/" + bck, json={"action": "list", "value": msg},
                         headers={"Accept": "application/msgpack"}, timeout=T)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/msgpack"
        j = msgpack.unpackb(r.content, raw=False)
        names += [e["n"] for e in j["Entries"] or []]
        token, uuid = j["ContinuationToken"], j["UUID"]
        if not token:
            break
    assert names == want
    assert json.dumps(names)  # (plain strings)
