"""e2e: GetBatch (AIStore 4.7's docs/get_batch.md, api/apc/ml.go): GET /v1/ml/moss[/<bck>] with a
MossReq. A batch of 300 items (plain objects of two buckets, archived files from every shard
format, two missing, coer) comes back in exact order and byte-exact, with __404__ placeholders,
in every output format, streamed and multipart (MossResp metadata), also four at a time; strict
mode fails cleanly (404 JSON when nothing was sent yet, a cut connection after); bad requests are
4xx with AIStore's JSON error (413 for a body over the limit, unread)."""
import base64
import json
import os
import threading

import pytest
import requests

from cluster import new_bucket_name, dial, url_hostport
from shardutil import LONG, parse_multipart, put, read_archive, shard_bytes

FORMATS = [".tar", ".tgz", ".tar.gz", ".tar.lz4", ".zip"]


@pytest.fixture(scope="module")
def batch300(cluster):
    """two buckets with plain objects and shards of every format; the 300-item request and the
    expected (name, bytes) in order"""
    b1, b2 = new_bucket_name("gb1"), new_bucket_name("gb2")
    cluster.create_bucket(b1)
    cluster.create_bucket(b2)
    s = requests.Session()
    objs = {}
    for b in (b1, b2):
        for i in range(60):
            name = "plain/%s-%03d.bin" % (b[:3], i)
            objs[(b, name)] = os.urandom(100 + i * 37 + (20000 if i % 17 == 0 else 0))
            put(cluster, b, name, objs[(b, name)], session=s)
    files = [("img/%04d.jpg" % i, os.urandom(50 + i * 11)) for i in range(30)] + [(LONG, b"long!")]
    shards = []
    for ext in FORMATS:
        name = "shards/s" + ext
        put(cluster, b1, name, shard_bytes(ext, files), session=s)
        shards.append(name)
    ins, want = [], []
    k = 0
    while len(ins) < 298:
        if k % 3 == 0:  # an archived file (every format in turn)
            sh = shards[(k // 3) % len(shards)]
            fn, data = files[(k * 7) % len(files)]
            ins.append({"objname": sh, "archpath": fn, "bucket": b1, "opaque": base64.b64encode(b"op%d" % k).decode()})
            want.append(("%s/%s/%s" % (b1, sh, fn), data))
        else:
            (b, name), data = list(objs.items())[(k * 13) % len(objs)]
            ins.append({"objname": name, "bucket": b})
            want.append(("%s/%s" % (b, name), data))
        k += 1
    ins.insert(100, {"objname": "no/such/object", "bucket": b2})
    want.insert(100, ("__404__/%s/no/such/object" % b2, b""))
    ins.insert(200, {"objname": shards[0], "archpath": "no-such-file", "bucket": b1})
    want.insert(200, ("__404__/%s/%s/no-such-file" % (b1, shards[0]), b""))
    assert len(ins) == 300
    yield {"b1": b1, "b2": b2, "ins": ins, "want": want, "shards": shards, "files": files}
    cluster.destroy_bucket(b1)
    cluster.destroy_bucket(b2)


def moss(cluster, req, bucket=None, stream=False, timeout=120):
    url = cluster.url + "/v1/ml/moss" + ("/" + bucket if bucket else "")
    return requests.get(url, data=json.dumps(req), headers={"Content-Type": "application/json"}, timeout=timeout,
                        stream=stream)


@pytest.mark.parametrize("mime", FORMATS)
@pytest.mark.parametrize("strm", [True, False])
def test_batch_300_every_format(cluster, batch300, mime, strm):
    req = {"in": batch300["ins"], "coer": True, "strm": strm, "mime": mime}
    r = moss(cluster, req, bucket=batch300["b1"])
    assert r.status_code == 200, r.text
    if strm:
        data = r.content
        want_ct = {".tar": "application/x-tar", ".tgz": "application/gzip", ".tar.gz": "application/gzip",
                   ".tar.lz4": "application/x-lz4", ".zip": "application/zip"}[mime]
        assert r.headers["Content-Type"] == want_ct
    else:
        meta, data = parse_multipart(r)
        out = meta["out"]
        assert len(out) == 300 and meta["uuid"]
        for i, (o, (name, d)) in enumerate(zip(out, batch300["want"])):
            assert o["size"] == len(d), (i, o)
            assert o["objname"] == batch300["ins"][i]["objname"]
            assert o["bucket"] == batch300["ins"][i]["bucket"]
            assert o.get("archpath", "") == batch300["ins"][i].get("archpath", "")
            assert o.get("opaque", "") == batch300["ins"][i].get("opaque", "")
            assert bool(o.get("err_msg")) == name.startswith("__404__/"), o
    got = read_archive(data, mime)
    assert [n for n, _ in got] == [n for n, _ in batch300["want"]]
    for (n, d), (wn, wd) in zip(got, batch300["want"]):
        assert d == wd, n


def test_onob_and_default_bucket(cluster, batch300):
    b1 = batch300["b1"]
    ins = [{"objname": batch300["shards"][0], "archpath": "img/0001.jpg"}, {"objname": "plain/%s-001.bin" % b1[:3]}]
    r = moss(cluster, {"in": ins, "onob": True, "strm": True}, bucket=b1)
    assert r.status_code == 200, r.text
    names = [n for n, _ in read_archive(r.content, ".tar")]
    assert names == [batch300["shards"][0] + "/img/0001.jpg", "plain/%s-001.bin" % b1[:3]]
    # no default bucket and none in the item: 400
    r = moss(cluster, {"in": [{"objname": "x"}]})
    assert r.status_code == 400


def test_four_concurrent_batches(cluster, batch300):
    results = [None] * 4

    def run(k):
        ins = batch300["ins"][k * 50:k * 50 + 120]
        want = batch300["want"][k * 50:k * 50 + 120]
        r = moss(cluster, {"in": ins, "coer": True, "strm": k % 2 == 0}, bucket=batch300["b1"])
        if r.status_code != 200:
            results[k] = "status %d %s" % (r.status_code, r.text)
            return
        data = r.content if k % 2 == 0 else parse_multipart(r)[1]
        results[k] = read_archive(data, ".tar") == want or "mismatch"

    th = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in th:
        t.start()
    for t in th:
        t.join(120)
    assert results == [True] * 4, results


def test_strict_mode_fails_cleanly(cluster, batch300):
    b1 = batch300["b1"]
    ok = {"objname": "plain/%s-002.bin" % b1[:3]}
    # missing first: nothing sent yet, a 404 JSON error
    r = moss(cluster, {"in": [{"objname": "nope"}, ok], "strm": True}, bucket=b1)
    assert r.status_code == 404 and "does not exist" in r.json()["message"], r.text
    # multipart: always a JSON error
    r = moss(cluster, {"in": [ok] * 5 + [{"objname": "nope"}], "strm": False}, bucket=b1)
    assert r.status_code == 404, r.text
    # streamed, missing after the output began (more than the DT gathers before sending): the
    # connection is cut (never a short archive)
    put(cluster, b1, "strict/big", os.urandom(600 * 1024))
    r = moss(cluster, {"in": [{"objname": "strict/big"}, ok, {"objname": "nope"}, ok], "strm": True}, bucket=b1,
             stream=True)
    assert r.status_code == 200
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        r.content
    # still within what the DT gathered: a clean 404 JSON error instead
    r = moss(cluster, {"in": [ok] * 20 + [{"objname": "nope"}], "strm": True}, bucket=b1)
    assert r.status_code == 404, r.status_code
    # beyond get_batch.max_soft_errs missing items even coer fails
    r = moss(cluster, {"in": [{"objname": "nope-%d" % i} for i in range(40)], "coer": True, "strm": False}, bucket=b1)
    assert r.status_code == 404 and "soft-errors limit" in r.json()["message"], r.text
    assert requests.get(cluster.url + "/v1/health", timeout=5).status_code == 200


@pytest.mark.parametrize("body,status", [
    (b"", 400), (b"{", 400), (b"[]", 400), (b'{"in":[]}', 400), (b'{"in":{}}', 400),
    (b'{"in":[{"objname":""}]}', 400), (b'{"in":[{"objname":"../x"}]}', 400),
    (b'{"in":[{"objname":"a","archpath":"../../etc/passwd"}]}', 400), (b'{"in":[{"objname":"a"}],"mime":"rar"}', 400),
    (b'{"in":[{"objname":"a"}],"bogus":true}', 400), (b'{"in":[{"objname":"a","length":10}]}', 501),
    (b'{"in":[{"objname":"a","opaque":"***"}]}', 400), (b'{"in":[{"objname":"a","provider":"aws"}]}', 501),
    (b'{"in":[{"objname":"a","bucket":"no-such-bucket-x"}]}', 404), (b'{"in":[{"objname":7}]}', 400),
])
def test_bad_requests(cluster, batch300, body, status):
    r = requests.get(cluster.url + "/v1/ml/moss/" + batch300["b1"], data=body, timeout=10)
    assert r.status_code == status, (body, r.status_code, r.text)
    assert r.json()["status"] == status


def test_body_over_limit_413_unread(cluster, batch300):
    s = dial(*url_hostport(cluster.url), timeout=10)
    s.sendall(b"GET /v1/ml/moss/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % (batch300["b1"].encode(), 33 << 20))
    s.sendall(b'{"in":[')  # the rest never comes: the answer must not wait for it
    resp = s.recv(4096).decode()
    s.close()
    assert resp.startswith("HTTP/1.1 413"), resp
    assert requests.get(cluster.url + "/v1/health", timeout=5).status_code == 200
    assert requests.post(cluster.url + "/v1/ml/moss", timeout=5).status_code == 405


def test_large_entries_fetched_by_the_dt(cluster, batch300):
    """entries above the push limit (4 MiB) are announced by their sender and streamed by the DT
    from their owner; order and bytes as always"""
    b2 = batch300["b2"]
    big = {"big/%d" % i: os.urandom((4 << 20) + 1000 * i) for i in range(4)}
    for n, d in big.items():
        put(cluster, b2, n, d)
    small = "plain/%s-003.bin" % b2[:3]
    ins = []
    for n in big:
        ins += [{"objname": n}, {"objname": small}]
    r = moss(cluster, {"in": ins, "strm": True}, bucket=b2)
    assert r.status_code == 200, r.text
    got = read_archive(r.content, ".tar")
    assert [n for n, _ in got] == ["%s/%s" % (b2, i["objname"]) for i in ins]
    for (n, d), i in zip(got, ins):
        if i["objname"] in big:
            assert d == big[i["objname"]]
