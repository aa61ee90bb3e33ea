"""e2e: the shard index (AIStore 4.7: api/apc/shard_idx.go, core/shard_idx.go, relnotes 4.5/4.7):
POST /v1/buckets/<b> {"action":"index-shard"} builds per-TAR indexes in ais://.sys-shardidx
(a job, status through GET /v1/cluster?what=status); GET ?archpath= and GetBatch then seek (a TAR
whose earlier headers were damaged on disk still serves its files: no scan happened); an index
is never used once stale (overwrite, append), is dropped with its shard, and results are the same
with and without it; summary-shard reports the coverage."""
import json
import os
import time

import requests

from shardutil import parse_multipart, put, read_archive, tar_bytes


def wait_job(cluster, xid, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = requests.get(cluster.url + "/v1/cluster?what=status", json={"id": xid}, timeout=10)
        if r.status_code == 200 and r.json().get("end_time"):
            return r.json()
        time.sleep(0.1)
    raise AssertionError("job %s did not finish" % xid)


def index(cluster, bucket, value=None):
    r = requests.post(cluster.url + "/v1/buckets/" + bucket, json={"action": "index-shard", "value": value or {}},
                      timeout=30)
    assert r.status_code == 200, r.text
    st = wait_job(cluster, r.text)
    assert not st["err"] and not st["aborted"], st
    return r.text


def summary(cluster, bucket, prefix=""):
    r = requests.get(cluster.url + "/v1/buckets/" + bucket,
                     json={"action": "summary-shard", "value": {"prefix": prefix}}, timeout=30)
    assert r.status_code == 202, r.text
    uuid = r.text
    for _ in range(300):
        r = requests.get(cluster.url + "/v1/buckets/" + bucket,
                         json={"action": "summary-shard", "value": {"uuid": uuid}}, timeout=30)
        if r.status_code == 200:
            return {k: int(v) for k, v in r.json().items()}
        assert r.status_code == 202, r.text
        time.sleep(0.1)
    raise AssertionError("summary did not finish")


def idx_objects(cluster):
    entries, _ = cluster.list_objects(".sys-shardidx")
    return sorted(e["name"] for e in entries)


def damage_first_header(cluster, bucket, name):
    [(t, mp, path)] = cluster.object_files(bucket, name)
    with open(path, "r+b") as f:
        f.write(b"\xee" * 512)


def get(cluster, bucket, name, **params):
    return requests.get(cluster.obj_url(bucket, name), params=params, timeout=30)


def files_of(k, n=40):
    return [("f/%03d-%d.bin" % (i, k), os.urandom(300 + 97 * i)) for i in range(n)]


def test_build_use_seek_summary(cluster, bucket):
    shards = {"s%d.tar" % k: files_of(k) for k in range(6)}
    for name, files in shards.items():
        put(cluster, bucket, name, tar_bytes(files))
    put(cluster, bucket, "other.tgz", b"not indexed: not a plain TAR")
    st = summary(cluster, bucket)
    assert st["tar-objs"] == 6 and st["shards"] == 0, st
    index(cluster, bucket)
    st = summary(cluster, bucket)
    assert st["tar-objs"] == 6 and st["shards"] == 6 and st["archived-objs"] == 240, st
    assert st["stale-indexes"] == 0 and st["invalid-indexes"] == 0
    assert len([n for n in idx_objects(cluster) if "/%s/" % bucket in n]) == 6
    # the first header on disk is garbage now: only a seek can serve the files (a scan fails)
    damage_first_header(cluster, bucket, "s0.tar")
    for fn, data in shards["s0.tar"][::7]:
        r = get(cluster, bucket, "s0.tar", archpath=fn)
        assert r.status_code == 200 and r.content == data, (fn, r.status_code, r.text[:200])
    # GetBatch seeks too, whichever target assembles it
    ins = [{"objname": "s0.tar", "archpath": fn} for fn, _ in shards["s0.tar"][1:]]
    r = requests.get(cluster.url + "/v1/ml/moss/" + bucket, data=json.dumps({"in": ins, "strm": True}), timeout=60)
    assert r.status_code == 200, r.text
    assert [d for _, d in read_archive(r.content, ".tar")] == [d for _, d in shards["s0.tar"][1:]]
    # a name the index does not know falls back to the scan, which meets the damage: 400
    assert get(cluster, bucket, "s0.tar", archpath="not-there").status_code == 400
    # a second build skips what is indexed (and verifies it)
    index(cluster, bucket)
    assert summary(cluster, bucket)["shards"] == 6


def test_stale_index_never_used(cluster, bucket):
    a, b = os.urandom(5000), os.urandom(10)
    put(cluster, bucket, "ow.tar", tar_bytes([("a", a), ("b", b)]))
    put(cluster, bucket, "ap.tar", tar_bytes([("a", a), ("b", b)]))
    index(cluster, bucket)
    before = [n for n in idx_objects(cluster) if "/%s/" % bucket in n]
    assert len(before) == 2
    # overwrite with the same size, other layout: offsets of the old index would be wrong
    a2, b2 = os.urandom(10), os.urandom(5000)
    put(cluster, bucket, "ow.tar", tar_bytes([("b", b2), ("a", a2)]))
    assert get(cluster, bucket, "ow.tar", archpath="a").content == a2
    assert get(cluster, bucket, "ow.tar", archpath="b").content == b2
    # append (in place): the index goes, the new file is there
    r = requests.put(cluster.obj_url(bucket, "ap.tar"), params={"archpath": "c"}, data=b"ccc",
                     headers={"Ais-Pine": "1"}, timeout=10)
    assert r.status_code == 200, r.text
    assert get(cluster, bucket, "ap.tar", archpath="c").content == b"ccc"
    assert get(cluster, bucket, "ap.tar", archpath="a").content == a
    after = [n for n in idx_objects(cluster) if "/%s/" % bucket in n]
    assert after == [], after
    st = summary(cluster, bucket)
    assert st["tar-objs"] == 2 and st["shards"] == 0, st
    # index again: fresh for the new versions
    index(cluster, bucket)
    assert summary(cluster, bucket)["shards"] == 2


def test_dropped_with_shard_and_same_results(cluster, bucket):
    files = files_of(9, 25)
    put(cluster, bucket, "x.tar", tar_bytes(files))
    put(cluster, bucket, "y.tar", tar_bytes(files))
    # the same bytes with and without the index (x indexed, y not: the prefix selects)
    index(cluster, bucket, {"prefix": "x"})
    assert summary(cluster, bucket)["shards"] == 1
    for fn, data in files:
        assert get(cluster, bucket, "x.tar", archpath=fn).content == data
        assert get(cluster, bucket, "y.tar", archpath=fn).content == data
    ins = [{"objname": s, "archpath": fn} for fn, _ in files for s in ("x.tar", "y.tar")]
    r = requests.get(cluster.url + "/v1/ml/moss/" + bucket, data=json.dumps({"in": ins}), timeout=60)
    meta, data = parse_multipart(r)
    got = read_archive(data, ".tar")
    assert [d for _, d in got[0::2]] == [d for _, d in got[1::2]] == [d for _, d in files]
    # removed with its shard (delete, and rename's source)
    assert any("/%s/x.tar.idx" % bucket in n for n in idx_objects(cluster))
    r = requests.delete(cluster.obj_url(bucket, "x.tar"), timeout=10)
    assert r.status_code == 200
    assert not any("/%s/x.tar.idx" % bucket in n for n in idx_objects(cluster))
    # bad input
    r = requests.post(cluster.url + "/v1/buckets/" + bucket, json={"action": "index-shard", "value": {"bogus": 1}},
                      timeout=10)
    assert r.status_code == 400
    r = requests.post(cluster.url + "/v1/buckets/no-such-bck-idx", json={"action": "index-shard"}, timeout=10)
    assert r.status_code == 404
