"""test_obj_core.py: native and S3 requests go through one object core, so they behave alike:
- S3 PUT/GET/HEAD/DELETE move the same target /metrics counters (counts and bytes) as native ones
- S3 GET with checksum.validate_warm_get detects on-disk corruption as native GET does: 500, the
  object removed, never the bad bytes (monolithic and chunked objects)
- S3 PUT above chunks.objsize_limit stores a chunked object (chunk files under %ch, a manifest
  under %ut, LOM flag "chunked"), readable whole and by range over both APIs
- a truncated or extended object file is a 500 over both APIs (the size check), never wrong bytes
"""
import hashlib
import os
import struct

import pytest
import requests
from botocore.exceptions import ClientError

from cluster import new_bucket_name
from s3util import client, empty_and_delete, xml_code
from test_metrics import parse, scrape, total

T = 30
KEYS = ("ais_target_put_count", "ais_target_put_bytes", "ais_target_get_count", "ais_target_get_bytes",
        "ais_target_head_count", "ais_target_del_count", "ais_target_err_get_count",
        "ais_target_err_put_count")
LOM_T_FLAGS, LOM_FL_CHUNKED = 4, 2


@pytest.fixture(scope="module")
def s3(cluster):
    return client(cluster.url + "/s3")


@pytest.fixture
def sb(s3):
    name = new_bucket_name("core")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


def counters(cluster):
    out = dict.fromkeys(KEYS, 0)
    for t in cluster.targets:
        samples, _ = parse(scrape(t))
        for k in KEYS:
            out[k] += total(samples, k)
    return out


def delta(a, b):
    return {k: b[k] - a[k] for k in KEYS}


def set_config(cluster, **kv):
    r = requests.put(cluster.url + "/v1/cluster/set-config", params=kv, timeout=T)
    assert r.status_code == 200, r.text


def lom_flags(path):
    """LOM_T_FLAGS of the object's user.ais.lom xattr (format: version, xxh64, then tag/u32 len/value)"""
    b = os.getxattr(path, "user.ais.lom")
    pos, flags = 9, 0
    while pos + 5 <= len(b):
        tag, n = b[pos], struct.unpack_from("<I", b, pos + 1)[0]
        if tag == LOM_T_FLAGS:
            flags = struct.unpack_from("<I", b, pos + 5)[0]
        pos += 5 + n
    return flags


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        c = f.read(1)
        f.seek(offset)
        f.write(bytes([c[0] ^ 0xFF]))


def s3_url(cluster, bck, key):
    return "%s/s3/%s/%s" % (cluster.url, bck, key)


def test_s3_moves_the_same_counters_as_native(cluster, s3, sb):
    sizes = [1, 100, 4096, 12345, 65536]
    bodies = [os.urandom(n) for n in sizes]
    sess = requests.Session()

    c0 = counters(cluster)
    for i, body in enumerate(bodies):
        sess.put(cluster.obj_url(sb, "n%d" % i), data=body, timeout=T).raise_for_status()
    for _ in range(2):
        for i, body in enumerate(bodies):
            r = sess.get(cluster.obj_url(sb, "n%d" % i), timeout=T)
            assert r.status_code == 200 and r.content == body
    for i in range(len(bodies)):
        assert sess.head(cluster.obj_url(sb, "n%d" % i), timeout=T, allow_redirects=True).status_code == 200
        sess.delete(cluster.obj_url(sb, "n%d" % i), timeout=T).raise_for_status()
    c1 = counters(cluster)

    for i, body in enumerate(bodies):
        s3.put_object(Bucket=sb, Key="s%d" % i, Body=body)
    for _ in range(2):
        for i, body in enumerate(bodies):
            assert s3.get_object(Bucket=sb, Key="s%d" % i)["Body"].read() == body
    for i in range(len(bodies)):
        s3.head_object(Bucket=sb, Key="s%d" % i)
        s3.delete_object(Bucket=sb, Key="s%d" % i)
    c2 = counters(cluster)

    native, over_s3 = delta(c0, c1), delta(c1, c2)
    assert native["ais_target_put_count"] == len(sizes)
    assert native["ais_target_put_bytes"] == sum(sizes)
    assert native["ais_target_get_count"] == 2 * len(sizes)
    assert native["ais_target_get_bytes"] == 2 * sum(sizes)
    assert native["ais_target_head_count"] == len(sizes)
    assert native["ais_target_del_count"] == len(sizes)
    assert native["ais_target_err_get_count"] == 0 and native["ais_target_err_put_count"] == 0
    assert over_s3 == native, (over_s3, native)

    # S3 GET of a ranged read counts the bytes sent, as native does
    s3.put_object(Bucket=sb, Key="r", Body=bodies[-1])
    c3 = counters(cluster)
    assert s3.get_object(Bucket=sb, Key="r", Range="bytes=10-109")["Body"].read() == bodies[-1][10:110]
    r = sess.get(cluster.obj_url(sb, "r"), headers={"Range": "bytes=10-109"}, timeout=T)
    assert r.status_code == 206 and r.content == bodies[-1][10:110]
    d = delta(c3, counters(cluster))
    assert d["ais_target_get_count"] == 2 and d["ais_target_get_bytes"] == 200


def test_s3_get_validates_like_native(cluster, s3, sb):
    cluster.set_bprops(sb, {"checksum": {"validate_warm_get": True}})
    objs = {"small": os.urandom(1000), "big": os.urandom(3 << 20), "dir/nested": os.urandom(70000)}
    for name, body in objs.items():
        s3.put_object(Bucket=sb, Key=name, Body=body)
        assert s3.get_object(Bucket=sb, Key=name)["Body"].read() == body  # intact: served
    before = counters(cluster)
    for name, body in objs.items():
        files = cluster.object_files(sb, name)
        assert len(files) == 1, files
        flip(files[0][2], len(body) // 2)
        r = requests.get(s3_url(cluster, sb, name), timeout=T)
        assert r.status_code == 500, (name, r.status_code)
        assert xml_code(r.content) == "InternalError"
        assert b"BAD DATA CHECKSUM" in r.content
        assert cluster.object_files(sb, name) == [], "corrupted object not removed"
        assert requests.get(cluster.obj_url(sb, name), timeout=T).status_code == 404
        with pytest.raises(ClientError) as e:
            s3.head_object(Bucket=sb, Key=name)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert delta(before, counters(cluster))["ais_target_err_get_count"] == len(objs)
    # the same object damaged the same way, read natively: the same outcome
    body = os.urandom(50000)
    assert requests.put(cluster.obj_url(sb, "native"), data=body, timeout=T).status_code == 200
    flip(cluster.object_files(sb, "native")[0][2], 7)
    r = requests.get(cluster.obj_url(sb, "native"), timeout=T)
    assert r.status_code == 500 and "BAD DATA CHECKSUM" in r.text
    assert cluster.object_files(sb, "native") == []
    # a range read validates the whole object first
    s3.put_object(Bucket=sb, Key="ranged", Body=body)
    flip(cluster.object_files(sb, "ranged")[0][2], 40000)
    r = requests.get(s3_url(cluster, sb, "ranged"), headers={"Range": "bytes=0-9"}, timeout=T)
    assert r.status_code == 500
    assert cluster.object_files(sb, "ranged") == []


def test_s3_put_above_limit_is_chunked(cluster, s3):
    bck = new_bucket_name("core-chunk")
    s3.create_bucket(Bucket=bck)
    set_config(cluster, **{"chunks.objsize_limit": "100KiB", "chunks.chunk_size": "32KiB"})
    try:
        big, small = os.urandom(300_000), os.urandom(50_000)
        r = s3.put_object(Bucket=bck, Key="big", Body=big)
        assert r["ETag"] == '"%s"' % hashlib.md5(big).hexdigest()
        # unsigned, plain Content-Length (boto3 may send aws-chunked): chunked too
        r = requests.put(s3_url(cluster, bck, "raw-big"), data=big, timeout=T)
        assert r.status_code == 200, r.text
        s3.put_object(Bucket=bck, Key="small", Body=small)
        chunks = cluster.files_under(bck, "%ch")
        mans = cluster.files_under(bck, "%ut")
        assert len(mans) == 2, mans
        assert len(chunks) == 2 * (300_000 // 32768), chunks  # 10 chunks each: 1 in %ob + 9
        for name in ("big", "raw-big"):
            files = cluster.object_files(bck, name)
            assert len(files) == 1 and os.path.getsize(files[0][2]) == 32768
            assert lom_flags(files[0][2]) & LOM_FL_CHUNKED
        assert not lom_flags(cluster.object_files(bck, "small")[0][2]) & LOM_FL_CHUNKED
        # read back over both APIs, whole and by range
        assert s3.get_object(Bucket=bck, Key="big")["Body"].read() == big
        assert requests.get(cluster.obj_url(bck, "raw-big"), timeout=T).content == big
        got = s3.get_object(Bucket=bck, Key="big", Range="bytes=32000-100000")["Body"].read()
        assert got == big[32000:100001]
        h = s3.head_object(Bucket=bck, Key="big")
        assert h["ContentLength"] == len(big)
        assert h["ETag"] == '"%s"' % hashlib.md5(big).hexdigest()
        # with validate_warm_get, a flipped byte in a later chunk: 500 and every file of it gone
        cluster.set_bprops(bck, {"checksum": {"validate_warm_get": True}})
        assert s3.get_object(Bucket=bck, Key="big")["Body"].read() == big
        victim = sorted(p for p in cluster.files_under(bck, "%ch") if "/big." in p)[3]
        flip(victim, 100)
        r = requests.get(s3_url(cluster, bck, "big"), timeout=T)
        assert r.status_code == 500 and xml_code(r.content) == "InternalError"
        assert cluster.object_files(bck, "big") == []
        assert not [p for p in cluster.files_under(bck, "%ch") + cluster.files_under(bck, "%ut") if "/big." in p
                    or p.endswith("/big")]
        # the same natively
        victim = sorted(p for p in cluster.files_under(bck, "%ch") if "/raw-big." in p)[5]
        flip(victim, 1)
        r = requests.get(cluster.obj_url(bck, "raw-big"), timeout=T)
        assert r.status_code == 500 and "BAD DATA CHECKSUM" in r.text
        assert cluster.files_under(bck, "%ch") == [] and cluster.files_under(bck, "%ut") == []
        assert cluster.files_under(bck, "%wk") == []
    finally:
        set_config(cluster, **{"chunks.objsize_limit": "0", "chunks.chunk_size": "1GiB"})
        empty_and_delete(s3, bck)


@pytest.mark.parametrize("change", ["truncated", "extended"])
def test_size_mismatch_is_an_error_on_both_apis(cluster, s3, sb, change):
    body = os.urandom(20000)
    s3.put_object(Bucket=sb, Key="obj", Body=body)
    path = cluster.object_files(sb, "obj")[0][2]
    os.truncate(path, 15000 if change == "truncated" else 25000)
    r = requests.get(cluster.obj_url(sb, "obj"), timeout=T)
    assert r.status_code == 500, r.status_code
    assert "size on disk" in r.text
    r = requests.get(cluster.obj_url(sb, "obj"), headers={"Range": "bytes=0-9"}, timeout=T)
    assert r.status_code == 500
    r = requests.get(s3_url(cluster, sb, "obj"), timeout=T)
    assert r.status_code == 500 and xml_code(r.content) == "InternalError"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=sb, Key="obj", Range="bytes=0-9")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert requests.head(cluster.obj_url(sb, "obj"), timeout=T, allow_redirects=True).status_code == 500
    # a fresh PUT restores it
    s3.put_object(Bucket=sb, Key="obj", Body=body)
    assert requests.get(cluster.obj_url(sb, "obj"), timeout=T).content == body
