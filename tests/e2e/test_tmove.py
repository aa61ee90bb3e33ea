"""Objects moving between targets over the target-to-target transport (src/target/tmove*.c):
native copy (PUT ?object_to=, api.CopyObject) and rename whose destination another target owns
("obj-put": the source's files are streamed to the owner, which commits and replies), S3
CopyObject and UploadPartCopy whose source another target owns ("obj-pull"), chunked sources,
missing sources and bad ranges, and a peer killed mid-transfer (the client gets an error, nothing
partial is visible, a rename's source stays). Every cross-target case checks that the bytes went
over the streams: the sender's stream.out and the receiver's stream.in counters (AIStore's
"stream.out.n"/"stream.in.size"... in the node's stats tracker) move by the object's size."""
import hashlib
import os
import threading
import time

import pytest

import rebutil
import requests
from botocore.exceptions import ClientError

from cluster import hrw_pick, new_bucket_name, uname
from s3util import client, empty_and_delete, err_of

T = 60
MiB = 1024 * 1024


# ---------------------------------------------------------------- helpers

def target_ids(cluster):
    return {cluster.node_id(t): t for t in cluster.targets}


def owner(cluster, bck, name):
    ids = target_ids(cluster)
    return ids[hrw_pick(uname(bck, name), list(ids))]


def names_on_different_owners(cluster, bck, prefix_a, prefix_b, dst_bck=None):
    """(a, b): object names whose HRW owners differ (b in dst_bck when given)"""
    dst_bck = dst_bck or bck
    ids = list(target_ids(cluster))
    for i in range(1000):
        a = "%s-%d" % (prefix_a, i)
        oa = hrw_pick(uname(bck, a), ids)
        for j in range(1000):
            b = "%s-%d" % (prefix_b, j)
            if hrw_pick(uname(dst_bck, b), ids) != oa:
                return a, b
    raise AssertionError("no names with different owners")


def tracker(node):
    r = requests.get(node.url + "/v1/daemon", params={"what": "node_status"}, timeout=10)
    r.raise_for_status()
    return r.json()["tracker"]


def streams(node):
    t = tracker(node)
    return {k: int(t.get(k, 0)) for k in ("stream.out.n", "stream.out.size", "stream.in.n", "stream.in.size")}


def delta(after, before):
    return {k: after[k] - before[k] for k in after}


def put(cluster, bck, name, data):
    r = requests.put(cluster.obj_url(bck, name), data=data, timeout=T)
    assert r.status_code == 200, (r.status_code, r.text)


def get(cluster, bck, name):
    return requests.get(cluster.obj_url(bck, name), timeout=T)


def head(cluster, bck, name):
    return requests.head(cluster.obj_url(bck, name), timeout=T, allow_redirects=True)


def copy_to(cluster, bck, name, dbck, dname, timeout=T):
    return requests.put(cluster.obj_url(bck, name), params={"object_to": "ais/@#/%s/%s" % (dbck, dname)},
                        timeout=timeout)


def rename(cluster, bck, name, newname, timeout=T):
    return requests.post(cluster.obj_url(bck, name), json={"action": "rename-obj", "name": newname},
                         timeout=timeout)


def mpu_object(cluster, bck, name, parts):
    """a chunked object from a native multipart upload of `parts` (list of bytes)"""
    r = requests.post(cluster.obj_url(bck, name), json={"action": "mpt-upload"}, timeout=T)
    assert r.status_code == 200, r.text
    uid = r.text
    for i, p in enumerate(parts):
        r = requests.put(cluster.obj_url(bck, name), params={"uploadId": uid, "partNumber": i + 1}, data=p, timeout=T)
        assert r.status_code == 200, r.text
    r = requests.post(cluster.obj_url(bck, name), params={"uploadId": uid},
                      json={"action": "mpt-complete", "value": [{"part-number": i + 1, "etag": ""}
                                                                for i in range(len(parts))]}, timeout=T)
    assert r.status_code == 200, r.text


def set_config(cluster, **kv):
    r = requests.put(cluster.url + "/v1/cluster/set-config", params=kv, timeout=T)
    assert r.status_code == 200, r.text


def expect_moved(before, after, sender, receiver, nbytes, nobj=1):
    """the sender's stream.out and the receiver's stream.in moved by nobj objects of nbytes in all"""
    ds, dr = delta(after[sender], before[sender]), delta(after[receiver], before[receiver])
    assert ds["stream.out.n"] == nobj and ds["stream.out.size"] == nbytes, ds
    assert dr["stream.in.n"] == nobj and dr["stream.in.size"] == nbytes, dr


def all_streams(cluster):
    return {t.name: streams(t) for t in cluster.targets}


def restart(cluster, t):
    t.start()
    cluster.expected_down.discard(t.name)
    cluster.wait_ready(timeout=30)
    cluster._wait(lambda: cluster._get_ok(t.url + "/v1/health"), 30, "restarted target answering")
    # the kill and the return each started a global rebalance: let the last one finish
    time.sleep(0.5)
    xid = rebutil.latest_reb(cluster)
    if xid:
        rebutil.wait_reb(cluster, xid, ok=False)


# ---------------------------------------------------------------- native: obj-put

def test_copy_across_targets(cluster, bucket):
    src, dst = names_on_different_owners(cluster, bucket, "src", "dst")
    ts, td = owner(cluster, bucket, src), owner(cluster, bucket, dst)
    data = os.urandom(3 * MiB + 17)
    put(cluster, bucket, src, data)
    put(cluster, bucket, src, data)  # version 2: a copy keeps the source's version
    hs = head(cluster, bucket, src)
    before = all_streams(cluster)
    r = copy_to(cluster, bucket, src, bucket, dst)
    assert r.status_code == 200, r.text
    after = all_streams(cluster)
    expect_moved(before, after, ts.name, td.name, len(data))
    assert get(cluster, bucket, dst).content == data
    assert get(cluster, bucket, src).content == data
    hd = head(cluster, bucket, dst)
    assert hd.headers["Ais-Version"] == hs.headers["Ais-Version"] == "2"
    assert hd.headers["Ais-Checksum-Type"] == hs.headers["Ais-Checksum-Type"]
    assert hd.headers["Ais-Checksum-Value"] == hs.headers["Ais-Checksum-Value"]
    # the destination is a complete object file on its owner only, no work files left
    assert [f[0].name for f in cluster.object_files(bucket, dst)] == [td.name]
    assert cluster.files_under(bucket, "%wk") == []
    # an empty object too
    put(cluster, bucket, src, b"")
    assert copy_to(cluster, bucket, src, bucket, dst).status_code == 200
    assert get(cluster, bucket, dst).content == b""


def test_copy_long_names_across_targets(cluster, bucket):
    """names too long for the filesystem (stored under a hashed short name) travel in full"""
    src, dst = names_on_different_owners(cluster, bucket, "d/" + "s" * 300, "d/" + "t" * 400)
    data = os.urandom(70_000)
    put(cluster, bucket, src, data)
    assert copy_to(cluster, bucket, src, bucket, dst).status_code == 200
    assert get(cluster, bucket, dst).content == data
    assert rename(cluster, bucket, dst, dst + "-moved").status_code == 200
    assert get(cluster, bucket, dst + "-moved").content == data
    ents, _ = cluster.list_objects(bucket)
    assert sorted(e["name"] for e in ents) == sorted([src, dst + "-moved"])


def test_copy_across_buckets_and_metadata(cluster, bucket):
    other = new_bucket_name("tmv")
    cluster.create_bucket(other)
    try:
        s3 = client(cluster.url + "/s3")
        src, dst = names_on_different_owners(cluster, bucket, "m/src", "m/dst", dst_bck=other)
        data = os.urandom(100_000)
        s3.put_object(Bucket=bucket, Key=src, Body=data, ContentType="text/x-tm", Metadata={"color": "blue"})
        before = all_streams(cluster)
        assert copy_to(cluster, bucket, src, other, dst).status_code == 200
        after = all_streams(cluster)
        expect_moved(before, after, owner(cluster, bucket, src).name, owner(cluster, other, dst).name, len(data))
        g = s3.get_object(Bucket=other, Key=dst)
        assert g["Body"].read() == data
        assert g["Metadata"] == {"color": "blue"} and g["ContentType"] == "text/x-tm"
        assert g["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    finally:
        requests.delete(cluster.url + "/v1/buckets/" + other, timeout=T)


def test_rename_across_targets(cluster, bucket):
    src, dst = names_on_different_owners(cluster, bucket, "r/src", "r/dst")
    data = os.urandom(2 * MiB + 5)
    put(cluster, bucket, src, data)
    before = all_streams(cluster)
    r = rename(cluster, bucket, src, dst)
    assert r.status_code == 200, r.text
    after = all_streams(cluster)
    expect_moved(before, after, owner(cluster, bucket, src).name, owner(cluster, bucket, dst).name, len(data))
    assert get(cluster, bucket, dst).content == data
    assert get(cluster, bucket, src).status_code == 404
    assert cluster.object_files(bucket, src) == []
    ents, _ = cluster.list_objects(bucket)
    assert [e["name"] for e in ents] == [dst]


def test_chunked_source_across_targets(cluster, bucket):
    src, dst = names_on_different_owners(cluster, bucket, "c/src", "c/dst")
    parts = [os.urandom(5 * MiB + i * 1000) for i in range(3)] + [os.urandom(12345)]
    whole = b"".join(parts)
    mpu_object(cluster, bucket, src, parts)
    before = all_streams(cluster)
    assert copy_to(cluster, bucket, src, bucket, dst).status_code == 200
    after = all_streams(cluster)
    expect_moved(before, after, owner(cluster, bucket, src).name, owner(cluster, bucket, dst).name, len(whole))
    assert get(cluster, bucket, dst).content == whole
    # the copy is an ordinary (monolithic) object with the whole content's checksum
    assert len(cluster.object_files(bucket, dst)) == 1
    assert not any(("/%s." % dst.split("/")[-1]) in p for p in cluster.files_under(bucket, "%ch"))
    r = get(cluster, bucket, dst)
    assert r.headers["Ais-Checksum-Type"] == "xxhash2"
    # rename of the chunked object to another target: its chunks and manifest go away
    nchunks = len(cluster.files_under(bucket, "%ch"))
    assert nchunks == len(parts) - 1
    dst2 = names_on_different_owners(cluster, bucket, src, "c/moved")[1]
    assert rename(cluster, bucket, src, dst2).status_code == 200
    assert get(cluster, bucket, dst2).content == whole
    assert get(cluster, bucket, src).status_code == 404
    assert cluster.files_under(bucket, "%ch") == [] and cluster.files_under(bucket, "%ut") == []


def test_chunked_source_to_chunked_destination(cluster, bucket):
    """with auto-chunking on, the receiving writer chunks the copy too (size known up front)"""
    set_config(cluster, **{"chunks.objsize_limit": "100KiB", "chunks.chunk_size": "32KiB"})
    try:
        src, dst = names_on_different_owners(cluster, bucket, "ac/src", "ac/dst")
        data = os.urandom(300_000)
        put(cluster, bucket, src, data)
        assert copy_to(cluster, bucket, src, bucket, dst).status_code == 200
        assert get(cluster, bucket, dst).content == data
        r = requests.get(cluster.obj_url(bucket, dst), headers={"Range": "bytes=40000-200000"}, timeout=T)
        assert r.status_code == 206 and r.content == data[40000:200001]
        mans = cluster.files_under(bucket, "%ut")
        assert len(mans) == 2, mans  # source and copy are chunked
    finally:
        set_config(cluster, **{"chunks.objsize_limit": "0", "chunks.chunk_size": "1GiB"})


def test_copy_errors(cluster, bucket):
    src, dst = names_on_different_owners(cluster, bucket, "e/src", "e/dst")
    r = copy_to(cluster, bucket, src, bucket, dst)
    assert r.status_code == 404, r.text
    r = rename(cluster, bucket, src, dst)
    assert r.status_code == 404, r.text
    put(cluster, bucket, src, b"x" * 1000)
    r = copy_to(cluster, bucket, src, "no-such-bucket-tmv", dst)
    assert r.status_code == 404, r.text
    assert get(cluster, bucket, dst).status_code == 404
    assert get(cluster, bucket, src).content == b"x" * 1000
    assert cluster.files_under(bucket, "%wk") == []


# ---------------------------------------------------------------- S3: obj-pull

@pytest.fixture(scope="module")
def s3(cluster):
    return client(cluster.url + "/s3")


@pytest.fixture
def sb(s3):
    name = new_bucket_name("tmv")
    s3.create_bucket(Bucket=name)
    yield name
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    empty_and_delete(s3, name)


def test_s3_copy_object_source_on_other_target(cluster, s3, sb):
    src, dst = names_on_different_owners(cluster, sb, "s3/src", "s3/dst")
    data = os.urandom(4 * MiB + 3)
    s3.put_object(Bucket=sb, Key=src, Body=data, ContentType="text/x-src", Metadata={"k": "v"})
    before = all_streams(cluster)
    r = s3.copy_object(Bucket=sb, Key=dst, CopySource={"Bucket": sb, "Key": src})
    after = all_streams(cluster)
    # the destination's owner pulled the source from the source's owner
    expect_moved(before, after, owner(cluster, sb, src).name, owner(cluster, sb, dst).name, len(data))
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    g = s3.get_object(Bucket=sb, Key=dst)
    assert g["Body"].read() == data and g["Metadata"] == {"k": "v"} and g["ContentType"] == "text/x-src"
    # REPLACE
    s3.copy_object(Bucket=sb, Key=dst, CopySource={"Bucket": sb, "Key": src}, MetadataDirective="REPLACE",
                   Metadata={"n": "1"})
    g = s3.get_object(Bucket=sb, Key=dst)
    assert g["Body"].read() == data and g["Metadata"] == {"n": "1"}
    # a chunked (multipart) source
    csrc = names_on_different_owners(cluster, sb, "s3/mpu", dst)[0]
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB + 1), os.urandom(333)]
    uid = s3.create_multipart_upload(Bucket=sb, Key=csrc)["UploadId"]
    done = [{"PartNumber": i + 1, "ETag": s3.upload_part(Bucket=sb, Key=csrc, UploadId=uid, PartNumber=i + 1,
                                                          Body=p)["ETag"]} for i, p in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=sb, Key=csrc, UploadId=uid, MultipartUpload={"Parts": done})
    s3.copy_object(Bucket=sb, Key=dst, CopySource={"Bucket": sb, "Key": csrc})
    assert s3.get_object(Bucket=sb, Key=dst)["Body"].read() == b"".join(parts)
    # missing source, missing bucket
    miss = names_on_different_owners(cluster, sb, "s3/missing", dst)[0]
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=sb, Key=dst, CopySource={"Bucket": sb, "Key": miss})
    assert err_of(e) == ("NoSuchKey", 404)
    assert s3.get_object(Bucket=sb, Key=dst)["Body"].read() == b"".join(parts)  # unchanged
    assert cluster.files_under(sb, "%wk") == []


def test_s3_upload_part_copy_source_on_other_target(cluster, s3, sb):
    key = "upc/dst"
    srcs = {}
    ids = list(target_ids(cluster))
    dst_owner = hrw_pick(uname(sb, key), ids)
    i = 0
    while len(srcs) < 2:  # sources another target owns
        n = "upc/src-%d" % i
        i += 1
        if hrw_pick(uname(sb, n), ids) != dst_owner:
            srcs[n] = os.urandom(6 * MiB + i)
            s3.put_object(Bucket=sb, Key=n, Body=srcs[n])
    (s1, d1), (s2, d2) = sorted(srcs.items())
    uid = s3.create_multipart_upload(Bucket=sb, Key=key)["UploadId"]
    before = all_streams(cluster)
    r1 = s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=1, CopySource={"Bucket": sb, "Key": s1})
    lo, hi = 1000, 1000 + 5 * MiB
    r2 = s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=2, CopySource={"Bucket": sb, "Key": s2},
                             CopySourceRange="bytes=%d-%d" % (lo, hi))
    after = all_streams(cluster)
    dn = [t.name for t in cluster.targets if cluster.node_id(t) == dst_owner][0]
    assert delta(after[dn], before[dn])["stream.in.size"] == len(d1) + (hi - lo + 1)
    assert delta(after[dn], before[dn])["stream.in.n"] == 2
    assert r1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(d1).hexdigest()
    assert r2["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(d2[lo:hi + 1]).hexdigest()
    # errors: missing source, range beyond the source (the owner tells its size), the end past it
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=3,
                            CopySource={"Bucket": sb, "Key": "upc/missing-%d" % i})
    assert err_of(e) == ("NoSuchKey", 404)
    for rng in ("bytes=%d-%d" % (len(d1), len(d1) + 10), "bytes=0-%d" % len(d1)):
        with pytest.raises(ClientError) as e:
            s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=3,
                                CopySource={"Bucket": sb, "Key": s1}, CopySourceRange=rng)
        assert err_of(e) == ("InvalidRange", 400)
        assert ("of size: %d" % len(d1)) in e.value.response["Error"]["Message"], e.value.response
    # a range across the chunk boundaries of a chunked (multipart) source on another target
    csrc = "upc/chunked-%d" % i
    while hrw_pick(uname(sb, csrc), ids) == dst_owner:
        i += 1
        csrc = "upc/chunked-%d" % i
    cparts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(4321)]
    cu = s3.create_multipart_upload(Bucket=sb, Key=csrc)["UploadId"]
    cdone = [{"PartNumber": k + 1, "ETag": s3.upload_part(Bucket=sb, Key=csrc, UploadId=cu, PartNumber=k + 1,
                                                          Body=p)["ETag"]} for k, p in enumerate(cparts)]
    s3.complete_multipart_upload(Bucket=sb, Key=csrc, UploadId=cu, MultipartUpload={"Parts": cdone})
    whole = b"".join(cparts)
    clo, chi = 5 * MiB - 7, 10 * MiB + 100  # from chunk 1 through chunk 2 into chunk 3
    r3 = s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=3, CopySource={"Bucket": sb, "Key": csrc},
                             CopySourceRange="bytes=%d-%d" % (clo, chi))
    assert r3["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(whole[clo:chi + 1]).hexdigest()
    s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]},
        {"PartNumber": 3, "ETag": r3["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=sb, Key=key)["Body"].read() == d1 + d2[lo:hi + 1] + whole[clo:chi + 1]


def test_concurrent_moves(cluster, s3, sb):
    """pushes and pulls at once, many per peer (shared streams, one object at a time per stream on
    the receive side): every one lands intact"""
    from concurrent.futures import ThreadPoolExecutor
    objs = {"cc/%d" % i: os.urandom(200_000 + i * 5000) for i in range(24)}
    for k, v in objs.items():
        put(cluster, sb, k, v)

    def native(k):
        r = copy_to(cluster, sb, k, sb, k + ".ncopy")
        assert r.status_code == 200, r.text
        return k

    def pull(k):
        s3.copy_object(Bucket=sb, Key=k + ".s3copy", CopySource={"Bucket": sb, "Key": k})
        return k

    before = all_streams(cluster)
    with ThreadPoolExecutor(16) as ex:
        futs = [ex.submit(native, k) for k in objs] + [ex.submit(pull, k) for k in objs]
        for f in futs:
            f.result(timeout=120)
    after = all_streams(cluster)
    for k, v in objs.items():
        assert get(cluster, sb, k + ".ncopy").content == v, k
        assert get(cluster, sb, k + ".s3copy").content == v, k
    moved = sum(len(v) for k, v in objs.items() for suffix in (".ncopy", ".s3copy")
                if owner(cluster, sb, k) is not owner(cluster, sb, k + suffix))
    assert sum(delta(after[t], before[t])["stream.in.size"] for t in after) == moved
    assert sum(delta(after[t], before[t])["stream.out.size"] for t in after) == moved
    assert cluster.files_under(sb, "%wk") == []


# ---------------------------------------------------------------- a peer dies mid-transfer

def wait_workfile(t, bck, timeout=60):
    """until a non-empty work file of bck shows up on target t"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for mp in t.mountpaths:
            top = os.path.join(mp, "@ais", bck, "%wk")
            for d, _, files in os.walk(top):
                for f in files:
                    try:
                        if os.path.getsize(os.path.join(d, f)) > 0:
                            return True
                    except OSError:
                        pass
        time.sleep(0.005)
    return False


def big_file(path, size):
    blk = os.urandom(MiB)
    h = hashlib.md5()
    with open(path, "wb") as f:
        for i in range(size // MiB):
            b = i.to_bytes(8, "big") + blk[8:]
            f.write(b)
            h.update(b)
    return h.hexdigest()


def md5_of(resp):
    h = hashlib.md5()
    for b in resp.iter_content(4 * MiB):
        h.update(b)
    return h.hexdigest()


def test_destination_killed_mid_rename(cluster, bucket, tmp_path):
    src, dst = names_on_different_owners(cluster, bucket, "k/src", "k/dst")
    size = 768 * MiB
    digest = big_file(tmp_path / "big", size)
    with open(tmp_path / "big", "rb") as f:
        put(cluster, bucket, src, f)
    td = owner(cluster, bucket, dst)
    res = {}

    def go():
        try:
            res["r"] = rename(cluster, bucket, src, dst, timeout=400)
        except requests.RequestException as e:
            res["exc"] = e
    th = threading.Thread(target=go)
    cluster.expected_down.add(td.name)
    try:
        th.start()
        assert wait_workfile(td, bucket), "the copy never started on the destination"
        td.kill9()
        th.join(400)
        assert not th.is_alive()
        assert "r" in res, res
        r = res["r"]
        assert r.status_code >= 500, (r.status_code, r.text)
        assert "failed to copy" in r.json()["message"], r.text
    finally:
        if not td.alive():
            restart(cluster, td)
    # nothing of it at the destination; the source intact
    assert get(cluster, bucket, dst).status_code == 404
    assert cluster.object_files(bucket, dst) == []
    r = requests.get(cluster.obj_url(bucket, src), stream=True, timeout=T)
    assert r.status_code == 200 and md5_of(r) == digest
    # and the same rename works now
    assert rename(cluster, bucket, src, dst, timeout=400).status_code == 200
    r = requests.get(cluster.obj_url(bucket, dst), stream=True, timeout=T)
    assert r.status_code == 200 and md5_of(r) == digest


def test_source_owner_killed_mid_s3_copy(cluster, s3, sb, tmp_path):
    src, dst = names_on_different_owners(cluster, sb, "ks/src", "ks/dst")
    size = 768 * MiB
    big_file(tmp_path / "big", size)
    with open(tmp_path / "big", "rb") as f:
        put(cluster, sb, src, f)
    ts, td = owner(cluster, sb, src), owner(cluster, sb, dst)
    res = {}

    def go():
        try:
            s3.copy_object(Bucket=sb, Key=dst, CopySource={"Bucket": sb, "Key": src})
            res["ok"] = True
        except ClientError as e:
            res["err"] = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        except Exception as e:  # noqa: BLE001 - anything but success is what we expect
            res["exc"] = e
    th = threading.Thread(target=go)
    cluster.expected_down.add(ts.name)
    try:
        th.start()
        assert wait_workfile(td, sb), "the copy never started on the destination"
        ts.kill9()
        th.join(400)
        assert not th.is_alive()
        assert "ok" not in res, res
        assert "err" in res, res  # an S3 error document, not a hang or a dropped connection
        assert res["err"][1] >= 500, res
        # the destination aborted its writer: no object, no work file
        assert cluster.object_files(sb, dst) == []
        assert [p for p in cluster.files_under(sb, "%wk") if p.startswith(td.dir)] == []
    finally:
        if not ts.alive():
            restart(cluster, ts)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=sb, Key=dst)
    assert err_of(e)[1] == 404
