"""S3 API through the proxy's /s3 endpoint (forwarding mode), driven by boto3 and raw HTTP:
bucket ops and errors, object data + metadata, Content-MD5, ranges, conditional GETs, listing
(2,000 objects: v1/v2, delimiter, pagination, start-after, encoding-type=url), multi-delete,
copy (same/cross bucket, COPY/REPLACE), presigned URLs, aws-chunked bodies with checksum
trailers, native <-> S3 interoperability, S3-API-via-Root and virtual-host addressing."""
import base64
import concurrent.futures as cf
import email.utils
import hashlib
import os
import subprocess
import time
import zlib

import pytest
import requests
from botocore.exceptions import ClientError

from cluster import new_bucket_name
from s3util import client, empty_and_delete, err_of, xml_code


@pytest.fixture(scope="module")
def s3(cluster):
    return client(cluster.url + "/s3")


@pytest.fixture
def sb(s3):
    name = new_bucket_name("s3")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


def test_bucket_ops(s3, cluster):
    name = new_bucket_name("s3b")
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=name)
    assert s3.get_bucket_location(Bucket=name).get("LocationConstraint") in (None, "")
    # an ordinary ais bucket
    assert requests.head(cluster.url + "/v1/buckets/" + name).status_code == 200
    # us-east-1 (AWS's legacy rule, as Ceph RGW): re-creating one's own bucket with the same ACL
    # succeeds and changes nothing; asking for another ACL is refused (other regions answer
    # BucketAlreadyOwnedByYou: test_s3_bucket_acl.py)
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name, ACL="public-read")
    assert err_of(e) == ("BucketAlreadyExists", 409)
    s3.put_object(Bucket=name, Key="x", Body=b"1")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert err_of(e) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=name, Key="x")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert err_of(e) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=name)
    assert err_of(e) == ("NoSuchBucket", 404)
    r = requests.put(cluster.url + "/s3/bad%24name")
    assert r.status_code == 400 and xml_code(r.content) == "InvalidBucketName"


def test_object_data_and_metadata(s3, sb, cluster):
    data = os.urandom(300 * 1024 + 7)
    r = s3.put_object(Bucket=sb, Key="a/b c+d.bin", Body=data, ContentType="image/png",
                      Metadata={"color": "Blue", "n": "1"})
    md5 = hashlib.md5(data).hexdigest()
    assert r["ETag"] == '"%s"' % md5
    g = s3.get_object(Bucket=sb, Key="a/b c+d.bin")
    assert g["Body"].read() == data
    assert g["ContentType"] == "image/png"
    assert g["Metadata"] == {"color": "Blue", "n": "1"}
    assert g["ETag"] == '"%s"' % md5
    assert g["ContentLength"] == len(data)
    assert abs(g["LastModified"].timestamp() - time.time()) < 120
    h = s3.head_object(Bucket=sb, Key="a/b c+d.bin")
    assert h["ContentLength"] == len(data) and h["Metadata"]["color"] == "Blue"
    # readable natively, same bytes and metadata
    nr = requests.get(cluster.obj_url(sb, "a/b c+d.bin"))
    assert nr.status_code == 200 and nr.content == data
    assert "x-amz-meta-color=Blue" in nr.headers.get("Ais-Custom-Md", "")
    # native PUT -> S3 GET
    nd = os.urandom(5000)
    assert requests.put(cluster.obj_url(sb, "native/obj"), data=nd).status_code == 200
    assert s3.get_object(Bucket=sb, Key="native/obj")["Body"].read() == nd
    # empty object, overwrite, delete (idempotent)
    s3.put_object(Bucket=sb, Key="empty", Body=b"")
    assert s3.get_object(Bucket=sb, Key="empty")["Body"].read() == b""
    s3.put_object(Bucket=sb, Key="empty", Body=b"now")
    assert s3.get_object(Bucket=sb, Key="empty")["Body"].read() == b"now"
    s3.delete_object(Bucket=sb, Key="empty")
    s3.delete_object(Bucket=sb, Key="empty")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=sb, Key="empty")
    assert err_of(e) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=sb, Key="empty")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_content_md5(cluster, sb):
    u = cluster.url + "/s3/%s/md5obj" % sb
    data = b"hello md5"
    good = base64.b64encode(hashlib.md5(data).digest()).decode()
    bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    r = requests.put(u, data=data, headers={"Content-MD5": good})
    assert r.status_code == 200, r.text
    r = requests.put(u + "2", data=data, headers={"Content-MD5": bad})
    assert r.status_code == 400 and xml_code(r.content) == "BadDigest"
    r = requests.put(u + "3", data=data, headers={"Content-MD5": "notbase64!"})
    assert r.status_code == 400 and xml_code(r.content) == "InvalidDigest"
    assert requests.get(u + "2").status_code == 404


def test_ranges(s3, sb):
    data = bytes(range(256)) * 40
    s3.put_object(Bucket=sb, Key="r", Body=data)
    g = s3.get_object(Bucket=sb, Key="r", Range="bytes=10-19")
    assert g["Body"].read() == data[10:20] and g["ContentRange"] == "bytes 10-19/%d" % len(data)
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket=sb, Key="r", Range="bytes=-5")["Body"].read() == data[-5:]
    assert s3.get_object(Bucket=sb, Key="r", Range="bytes=10000-")["Body"].read() == data[10000:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=sb, Key="r", Range="bytes=999999-")
    assert err_of(e) == ("InvalidRange", 416)


def test_conditional_get(s3, sb, cluster):
    s3.put_object(Bucket=sb, Key="c", Body=b"cond")
    etag = s3.head_object(Bucket=sb, Key="c")["ETag"]
    u = cluster.url + "/s3/%s/c" % sb
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    future = email.utils.formatdate(time.time() + 3600, usegmt=True)
    assert requests.get(u, headers={"If-Match": etag}).status_code == 200
    r = requests.get(u, headers={"If-Match": '"0000"'})
    assert r.status_code == 412 and xml_code(r.content) == "PreconditionFailed"
    assert requests.get(u, headers={"If-None-Match": etag}).status_code == 304
    assert requests.get(u, headers={"If-None-Match": '"0000"'}).status_code == 200
    assert requests.get(u, headers={"If-Modified-Since": future}).status_code == 304
    assert requests.get(u, headers={"If-Modified-Since": past}).status_code == 200
    assert requests.get(u, headers={"If-Unmodified-Since": past}).status_code == 412
    assert requests.get(u, headers={"If-Unmodified-Since": future}).status_code == 200
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=sb, Key="c", IfMatch='"nope"')
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def _put_many(cluster, bucket, keys, body=b"x"):
    sess = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=16)
    sess.mount("http://", adapter)
    sess.mount("https://", adapter)
    base = cluster.url + "/s3/" + bucket + "/"

    def put(k):
        r = sess.put(base + requests.utils.quote(k), data=body)
        assert r.status_code == 200, r.text
    with cf.ThreadPoolExecutor(16) as ex:
        list(ex.map(put, keys))


def test_listing_2000(s3, sb, cluster):
    keys = ["d%d/sub%d/o%03d" % (i % 10, i % 3, i) for i in range(1980)] + ["top%02d" % i for i in range(20)]
    _put_many(cluster, sb, keys)
    want = sorted(keys)
    # v2, no delimiter, default pages of 1000
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=sb))
    got = [o["Key"] for p in pages for o in p.get("Contents", [])]
    assert got == want and len(pages) == 2
    # v2, small pages
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=sb, PaginationConfig={"PageSize": 333}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == want
    assert all(p["KeyCount"] <= 333 for p in pages)
    # v1 with marker
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=sb, PaginationConfig={"PageSize": 700}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == want
    # delimiter at the top: 10 prefixes + 20 keys
    r = s3.list_objects_v2(Bucket=sb, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d%d/" % i for i in range(10)]
    assert [o["Key"] for o in r["Contents"]] == ["top%02d" % i for i in range(20)]
    assert r["KeyCount"] == 30 and not r["IsTruncated"]
    # delimiter, paginated by 4 (prefixes count toward max-keys), v1 and v2
    for op in ("list_objects_v2", "list_objects"):
        pages = list(s3.get_paginator(op).paginate(Bucket=sb, Delimiter="/", PaginationConfig={"PageSize": 4}))
        cps = [p["Prefix"] for pg in pages for p in pg.get("CommonPrefixes", [])]
        ks = [o["Key"] for pg in pages for o in pg.get("Contents", [])]
        assert cps == ["d%d/" % i for i in range(10)], op
        assert ks == ["top%02d" % i for i in range(20)], op
    # prefix + delimiter one level down
    r = s3.list_objects_v2(Bucket=sb, Prefix="d3/", Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d3/sub0/", "d3/sub1/", "d3/sub2/"]
    assert "Contents" not in r
    # prefix without a trailing slash, deeper
    r = s3.list_objects_v2(Bucket=sb, Prefix="d3/sub1/o1", MaxKeys=1000)
    assert [o["Key"] for o in r["Contents"]] == [k for k in want if k.startswith("d3/sub1/o1")]
    # non-'/' delimiter rolls up a recursive listing
    r = s3.list_objects_v2(Bucket=sb, Prefix="d1/", Delimiter="b")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d1/sub"]
    # start-after
    r = s3.list_objects_v2(Bucket=sb, StartAfter="d9/sub2/o1000", Prefix="d9/")
    assert [o["Key"] for o in r["Contents"]] == [k for k in want if k.startswith("d9/") and k > "d9/sub2/o1000"]
    # max-keys=0 and the versions listing
    assert s3.list_objects_v2(Bucket=sb, MaxKeys=0)["KeyCount"] == 0
    vers = list(s3.get_paginator("list_object_versions").paginate(Bucket=sb, PaginationConfig={"PageSize": 900}))
    assert [v["Key"] for p in vers for v in p.get("Versions", [])] == want


def test_listing_url_encoding(s3, sb, cluster):
    keys = ["sp ace/x", "plus+sign", "pct%20lit", "uni/é€", "amp&lt<>"]
    for k in keys:
        s3.put_object(Bucket=sb, Key=k, Body=k.encode())
    r = s3.list_objects_v2(Bucket=sb)  # botocore asks for encoding-type=url and decodes
    assert sorted(o["Key"] for o in r["Contents"]) == sorted(keys)
    raw = requests.get(cluster.url + "/s3/%s?list-type=2&encoding-type=url&prefix=sp%%20ace/" % sb)
    assert b"<Key>sp%20ace/x</Key>" in raw.content and b"<EncodingType>url</EncodingType>" in raw.content
    raw = requests.get(cluster.url + "/s3/%s?list-type=2&prefix=amp" % sb)
    assert b"<Key>amp&amp;lt&lt;&gt;</Key>" in raw.content
    for k in keys:
        assert s3.get_object(Bucket=sb, Key=k)["Body"].read() == k.encode()


def test_multi_delete(s3, sb, cluster):
    keys = ["md/%02d" % i for i in range(50)]
    _put_many(cluster, sb, keys)
    r = s3.delete_objects(Bucket=sb, Delete={"Objects": [{"Key": k} for k in keys[:30]] + [{"Key": "nope"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(keys[:30] + ["nope"])
    assert not r.get("Errors")
    r = s3.delete_objects(Bucket=sb, Delete={"Objects": [{"Key": k} for k in keys[30:]], "Quiet": True})
    assert not r.get("Deleted") and not r.get("Errors")
    assert s3.list_objects_v2(Bucket=sb)["KeyCount"] == 0
    bad = requests.post(cluster.url + "/s3/%s?delete" % sb, data=b"<Delete><Object>")
    assert bad.status_code == 400 and xml_code(bad.content) == "MalformedXML"


def test_copy(s3, sb, cluster):
    other = new_bucket_name("s3c")
    s3.create_bucket(Bucket=other)
    try:
        data = os.urandom(70000)
        s3.put_object(Bucket=sb, Key="src/o 1", Body=data, ContentType="text/x-src", Metadata={"k": "v"})
        # same bucket, COPY directive (default): metadata kept; copy-source URL-encoded by boto3
        r = s3.copy_object(Bucket=sb, Key="dst/one", CopySource={"Bucket": sb, "Key": "src/o 1"})
        assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        g = s3.get_object(Bucket=sb, Key="dst/one")
        assert g["Body"].read() == data and g["Metadata"] == {"k": "v"} and g["ContentType"] == "text/x-src"
        # cross bucket, REPLACE
        s3.copy_object(Bucket=other, Key="many/copies/%d" % 0, CopySource="%s/src/o 1" % sb,
                       MetadataDirective="REPLACE", ContentType="text/plain", Metadata={"new": "1"})
        g = s3.get_object(Bucket=other, Key="many/copies/0")
        assert g["Body"].read() == data and g["Metadata"] == {"new": "1"} and g["ContentType"] == "text/plain"
        # several destinations (different owners) with a versionId in the source
        for i in range(1, 8):
            s3.copy_object(Bucket=other, Key="many/copies/%d" % i,
                           CopySource={"Bucket": sb, "Key": "src/o 1", "VersionId": "1"})
            assert s3.get_object(Bucket=other, Key="many/copies/%d" % i)["Body"].read() == data
        # onto itself: only with REPLACE
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=sb, Key="src/o 1", CopySource={"Bucket": sb, "Key": "src/o 1"})
        assert err_of(e) == ("InvalidRequest", 400)
        s3.copy_object(Bucket=sb, Key="src/o 1", CopySource={"Bucket": sb, "Key": "src/o 1"},
                       MetadataDirective="REPLACE", Metadata={"again": "yes"})
        g = s3.get_object(Bucket=sb, Key="src/o 1")
        assert g["Body"].read() == data and g["Metadata"] == {"again": "yes"}
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=sb, Key="x", CopySource={"Bucket": sb, "Key": "missing"})
        assert err_of(e) == ("NoSuchKey", 404)
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=sb, Key="x", CopySource={"Bucket": "no-such-bucket-x", "Key": "a"})
        assert err_of(e) == ("NoSuchBucket", 404)
    finally:
        empty_and_delete(s3, other)


def test_presigned_urls(s3, sb):
    put = s3.generate_presigned_url("put_object", Params={"Bucket": sb, "Key": "pre/signed"}, ExpiresIn=300)
    with open("/proc/self/exe", "rb") as f:
        data = f.read(200000)
    p = subprocess.run(["curl", "-sf", "-X", "PUT", "--data-binary", "@-", put], input=data, capture_output=True)
    assert p.returncode == 0, p.stderr
    get = s3.generate_presigned_url("get_object", Params={"Bucket": sb, "Key": "pre/signed"}, ExpiresIn=300)
    p = subprocess.run(["curl", "-sf", get], capture_output=True)
    assert p.returncode == 0 and p.stdout == data


def test_not_implemented_and_errors(s3, sb, cluster):
    # bucket ?acl, ?tagging, ?cors and ?policy are served now (test_s3_bucket_acl.py,
    # test_s3_bucket_conf.py); these are not
    for q in ("lifecycle", "website", "logging", "replication", "encryption", "notification"):
        r = requests.get(cluster.url + "/s3/%s?%s" % (sb, q))
        assert r.status_code == 501 and xml_code(r.content) == "NotImplemented", q
    # object ?tagging is served now (test_s3_object_attrs.py); ?torrent is not
    r = requests.get(cluster.url + "/s3/%s/obj?torrent" % sb)
    assert r.status_code == 501 and xml_code(r.content) == "NotImplemented"
    r = requests.get(cluster.url + "/s3/%s?uploadId=x" % sb)  # multipart: see test_s3_mpu.py
    assert r.status_code == 400 and xml_code(r.content) == "InvalidRequest"
    r = requests.get(cluster.url + "/s3/%s/missing" % sb)
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchKey"
    assert r.headers["Content-Type"] == "application/xml"
    r = requests.get(cluster.url + "/s3/nosuchbucket-zz/k")
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchBucket"
    r = requests.get(cluster.url + "/s3/%s?versioning" % sb)
    assert r.status_code == 200 and b"VersioningConfiguration" in r.content


def _crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _aws_chunked(data, trailer_name, trailer_val, chunk=65536):
    out = b""
    for i in range(0, len(data), chunk):
        c = data[i:i + chunk]
        out += b"%x\r\n" % len(c) + c + b"\r\n"
    out += b"0\r\n"
    if trailer_name:
        out += ("%s:%s\r\n" % (trailer_name, trailer_val)).encode()
    return out + b"\r\n"


def test_aws_chunked_trailer_checksum(cluster, sb, s3):
    data = os.urandom(200000)
    u = cluster.url + "/s3/%s/chunked" % sb
    hdrs = {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": "x-amz-checksum-crc32"}
    r = requests.put(u, data=_aws_chunked(data, "x-amz-checksum-crc32", _crc32_b64(data)), headers=hdrs)
    assert r.status_code == 200, r.text
    assert r.headers["x-amz-checksum-crc32"] == _crc32_b64(data)
    g = s3.get_object(Bucket=sb, Key="chunked", ChecksumMode="ENABLED")
    assert g["Body"].read() == data and g["ChecksumCRC32"] == _crc32_b64(data)
    assert "ChecksumCRC32" not in s3.head_object(Bucket=sb, Key="chunked")
    # wrong trailer: BadDigest, nothing stored
    r = requests.put(u + "2", data=_aws_chunked(data, "x-amz-checksum-crc32", _crc32_b64(b"x")), headers=hdrs)
    assert r.status_code == 400 and xml_code(r.content) == "BadDigest"
    assert requests.head(u + "2").status_code == 404
    # checksum in a header, plain body
    r = requests.put(u + "3", data=data, headers={"x-amz-checksum-crc32": _crc32_b64(b"y")})
    assert r.status_code == 400 and xml_code(r.content) == "BadDigest"
    # truncated chunked body
    r = requests.put(u + "4", data=_aws_chunked(data, None, None)[:-20], headers=hdrs)
    assert r.status_code == 400
    assert requests.head(u + "4").status_code == 404


def _set_features(cluster, val):
    try:
        return requests.put(cluster.url + "/v1/cluster/set-config?features=" + val, timeout=10).status_code
    except requests.RequestException:
        return 0


def test_s3_via_root_and_vhost(cluster, s3, sb):
    s3.put_object(Bucket=sb, Key="root/obj", Body=b"via root")
    port = cluster.url.rsplit(":", 1)[1]
    # virtual-host style on /s3: Host: <bucket>.localhost
    r = requests.get(cluster.url + "/s3/root/obj", headers={"Host": "%s.localhost:%s" % (sb, port)})
    assert r.status_code == 200 and r.content == b"via root"
    r = requests.get(cluster.url + "/s3/?list-type=2", headers={"Host": "%s.localhost:%s" % (sb, port)})
    assert r.status_code == 200 and b"<Key>root/obj</Key>" in r.content
    # root: off by default
    assert requests.get(cluster.url + "/%s/root/obj" % sb).status_code == 404
    st = _set_features(cluster, "S3-API-via-Root")
    if st != 200:
        pytest.skip("PUT /v1/cluster/set-config?features= not available (status %s)" % st)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            r = requests.get(cluster.url + "/%s/root/obj" % sb)
            if r.status_code == 200:
                break
            time.sleep(0.2)
        assert r.status_code == 200 and r.content == b"via root"
        root = client(cluster.url)
        root.put_object(Bucket=sb, Key="root/2", Body=b"two")
        assert root.get_object(Bucket=sb, Key="root/2")["Body"].read() == b"two"
        assert sb in [b["Name"] for b in root.list_buckets()["Buckets"]]
        # /v1 keeps working
        assert requests.get(cluster.url + "/v1/cluster?what=smap").status_code == 200
    finally:
        _set_features(cluster, "none")
