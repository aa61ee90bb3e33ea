"""S3 object level, part 2: what an object carries besides its bytes and how requests condition on
it - object tagging (x-amz-tagging on PutObject / CreateMultipartUpload / CopyObject, Get / Put /
DeleteObjectTagging, x-amz-tagging-count, the limits), GetObjectAttributes (ETag, Checksum,
ObjectParts with pagination, StorageClass, ObjectSize), object lock (retention and legal hold:
PUT/GET, HEAD headers, the bucket's default retention, DELETE / overwrite / DeleteObjects refused
while protected, GOVERNANCE bypass, COMPLIANCE), conditional writes (If-Match / If-None-Match on
PutObject and CompleteMultipartUpload, x-amz-copy-source-if-* on CopyObject), GET ?partNumber
beyond the parts, a second CompleteMultipartUpload, part numbers given twice, composite
checksums refused when they do not match, and content headers (response-* overrides, empty and
non-ASCII x-amz-meta-*, Content-Encoding without aws-chunked, empty Content-MD5, a PUT without
Content-Length). Status codes, error codes and XML as AWS S3 documents them; boto3 from Debian
and raw requests, plus the newest boto3 for the parameters Debian's lacks (IfMatch/IfNoneMatch)."""
import base64
import datetime
import hashlib
import json
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name, dial
from s3util import client, empty_and_delete, err_of, xml_code

AK, SK = "AKIDATTRUSER", "attr-secret"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
MiB = 1 << 20
NEW_BOTO3 = "/root/.pyenv/shims/python3"
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def ac():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1",
               "keys": [{"access": AK, "secret": SK, "user": "attr-id", "display_name": "Attr"}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def s3(ac):
    return client(ac.url + "/s3", ak=AK, sk=SK)


@pytest.fixture
def b(s3):
    name = new_bucket_name("attr")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


def signed(ac, method, path, body=b"", headers=None):
    url = ac.url + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    return requests.request(method, url, data=body, headers=dict(req.headers.items()), timeout=30)


def _err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return err_of(e)


def tagset(n):
    return [{"Key": str(i), "Value": str(i)} for i in range(n)]


# ---- tagging

def test_tagging(ac, s3, b):
    s3.put_object(Bucket=b, Key="t", Body=b"x", Tagging="foo=bar&bar")
    assert s3.get_object_tagging(Bucket=b, Key="t")["TagSet"] == [{"Key": "bar", "Value": ""},
                                                                  {"Key": "foo", "Value": "bar"}]
    assert s3.head_object(Bucket=b, Key="t")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    s3.put_object_tagging(Bucket=b, Key="t", Tagging={"TagSet": tagset(10)})
    assert s3.get_object_tagging(Bucket=b, Key="t")["TagSet"] == tagset(10)
    kv = [{"Key": "k" * 128, "Value": "v" * 256}]
    s3.put_object_tagging(Bucket=b, Key="t", Tagging={"TagSet": kv})
    assert s3.get_object_tagging(Bucket=b, Key="t")["TagSet"] == kv
    for bad in (tagset(11), [{"Key": "k" * 129, "Value": "v"}], [{"Key": "k", "Value": "v" * 257}],
                [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]):
        assert _err(s3.put_object_tagging, Bucket=b, Key="t", Tagging={"TagSet": bad}) == ("InvalidTag", 400)
    assert s3.get_object_tagging(Bucket=b, Key="t")["TagSet"] == kv  # unchanged
    r = signed(ac, "PUT", "/s3/%s/t?tagging" % b, body=b"<Tagging><Tags/></Tagging>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedXML"
    assert s3.delete_object_tagging(Bucket=b, Key="t")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=b, Key="t")["TagSet"] == []
    assert "x-amz-tagging-count" not in s3.head_object(Bucket=b, Key="t")["ResponseMetadata"]["HTTPHeaders"]
    assert _err(s3.get_object_tagging, Bucket=b, Key="missing") == ("NoSuchKey", 404)
    assert _err(s3.put_object, Bucket=b, Key="x", Body=b"", Tagging="a=1&a=2") == ("InvalidTag", 400)
    # multipart upload and copy (COPY keeps the source's tags, REPLACE takes the request's)
    up = s3.create_multipart_upload(Bucket=b, Key="m", Tagging="Hello=World&foo=bar")["UploadId"]
    p = s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=b"m")
    s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
    assert [t["Key"] for t in s3.get_object_tagging(Bucket=b, Key="m")["TagSet"]] == ["Hello", "foo"]
    s3.copy_object(Bucket=b, Key="c1", CopySource={"Bucket": b, "Key": "m"})
    assert len(s3.get_object_tagging(Bucket=b, Key="c1")["TagSet"]) == 2
    s3.copy_object(Bucket=b, Key="c2", CopySource={"Bucket": b, "Key": "m"}, TaggingDirective="REPLACE", Tagging="z=1")
    assert s3.get_object_tagging(Bucket=b, Key="c2")["TagSet"] == [{"Key": "z", "Value": "1"}]


# ---- GetObjectAttributes

def test_attributes(ac, s3, b):
    all5 = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
    r = s3.put_object(Bucket=b, Key="plain", Body=b"A" * 1024, ChecksumAlgorithm="SHA256")
    sha = base64.b64encode(hashlib.sha256(b"A" * 1024).digest()).decode()
    a = s3.get_object_attributes(Bucket=b, Key="plain", ObjectAttributes=all5)
    assert a["ETag"] == r["ETag"].strip('"') and a["ObjectSize"] == 1024 and a["StorageClass"] == "STANDARD"
    assert a["Checksum"]["ChecksumSHA256"] == sha and "ObjectParts" not in a and "VersionId" not in a
    parts, data = [], b""
    up = s3.create_multipart_upload(Bucket=b, Key="mp", ChecksumAlgorithm="SHA256")["UploadId"]
    for i in range(6):
        body = bytes([65 + i]) * (5 * MiB)
        data += body
        p = s3.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=i + 1, Body=body, ChecksumAlgorithm="SHA256")
        parts.append({"PartNumber": i + 1, "ETag": p["ETag"], "ChecksumSHA256": p["ChecksumSHA256"]})
    c = s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up, MultipartUpload={"Parts": parts})
    a = s3.get_object_attributes(Bucket=b, Key="mp", ObjectAttributes=all5)
    assert a["ETag"] == c["ETag"].strip('"') and a["ObjectSize"] == 30 * MiB
    assert a["Checksum"]["ChecksumSHA256"] == c["ChecksumSHA256"]
    op = a["ObjectParts"]
    assert op["TotalPartsCount"] == 6 and op["IsTruncated"] is False
    assert [(p["PartNumber"], p["Size"], p["ChecksumSHA256"]) for p in op["Parts"]] == \
        [(p["PartNumber"], 5 * MiB, p["ChecksumSHA256"]) for p in parts]
    a = s3.get_object_attributes(Bucket=b, Key="mp", ObjectAttributes=["ObjectParts"], MaxParts=1, PartNumberMarker=3)
    op = a["ObjectParts"]
    assert (op["MaxParts"], op["PartNumberMarker"], op["IsTruncated"], op["NextPartNumberMarker"]) == (1, 3, True, 4)
    assert [p["PartNumber"] for p in op["Parts"]] == [4] and "ObjectSize" not in a
    # the raw document; bad requests
    r = signed(ac, "GET", "/s3/%s/plain?attributes" % b, headers={"x-amz-object-attributes": "ObjectSize,ETag"})
    root = ET.fromstring(r.content)
    assert r.status_code == 200 and root.tag == NS + "GetObjectAttributesResponse" and "Last-Modified" in r.headers
    assert root.findtext(NS + "ObjectSize") == "1024"
    r = signed(ac, "GET", "/s3/%s/plain?attributes" % b)
    assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    r = signed(ac, "GET", "/s3/%s/plain?attributes" % b, headers={"x-amz-object-attributes": "Colour"})
    assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    assert _err(s3.get_object_attributes, Bucket=b, Key="nope", ObjectAttributes=["ETag"]) == ("NoSuchKey", 404)
    # GET ?partNumber: the part's checksum with checksum mode; beyond the parts: 400 InvalidPart
    g = s3.get_object(Bucket=b, Key="mp", PartNumber=2, ChecksumMode="ENABLED")
    assert g["ChecksumSHA256"] == parts[1]["ChecksumSHA256"] and g["PartsCount"] == 6
    assert g["Body"].read() == data[5 * MiB:10 * MiB]
    assert _err(s3.get_object, Bucket=b, Key="mp", PartNumber=7) == ("InvalidPart", 400)
    assert _err(s3.get_object, Bucket=b, Key="plain", PartNumber=2) == ("InvalidPart", 400)
    assert s3.get_object(Bucket=b, Key="plain", PartNumber=1)["Body"].read() == b"A" * 1024


# ---- object lock

def _lock_bucket(s3):
    name = new_bucket_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def _clean_lock_bucket(s3, name):
    # an object-lock bucket is versioned: every version and delete marker goes, by version ID
    lst = s3.list_object_versions(Bucket=name)
    for o in lst.get("Versions", []) + lst.get("DeleteMarkers", []):
        try:
            s3.put_object_legal_hold(Bucket=name, Key=o["Key"], VersionId=o["VersionId"],
                                     LegalHold={"Status": "OFF"})
        except ClientError:
            pass
        s3.delete_object(Bucket=name, Key=o["Key"], VersionId=o["VersionId"], BypassGovernanceRetention=True)
    s3.delete_bucket(Bucket=name)


def test_lock_retention_and_legal_hold(ac, s3, b):
    # without object lock on the bucket: 400 InvalidRequest
    s3.put_object(Bucket=b, Key="f", Body=b"1")
    assert _err(s3.put_object_retention, Bucket=b, Key="f",
                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": "2030-01-01T00:00:00Z"}) == ("InvalidRequest", 400)
    assert _err(s3.put_object, Bucket=b, Key="g", Body=b"1", ObjectLockMode="GOVERNANCE",
                ObjectLockRetainUntilDate="2030-01-01T00:00:00Z") == ("InvalidRequest", 400)
    lb = _lock_bucket(s3)
    try:
        v = s3.put_object(Bucket=lb, Key="f", Body=b"1")["VersionId"]
        assert _err(s3.get_object_retention, Bucket=lb, Key="f") == ("NoSuchObjectLockConfiguration", 404)
        until = datetime.datetime(2030, 1, 1, tzinfo=UTC)
        s3.put_object_retention(Bucket=lb, Key="f", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
        assert s3.get_object_retention(Bucket=lb, Key="f")["Retention"] == {"Mode": "GOVERNANCE",
                                                                            "RetainUntilDate": until}
        h = s3.head_object(Bucket=lb, Key="f")
        assert (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"], h["VersionId"]) == ("GOVERNANCE", until, v)
        # protected: deleting the version is refused, the bypass opens GOVERNANCE; an overwrite or a
        # DELETE without version ID only adds a version / a delete marker (the bucket is versioned)
        assert _err(s3.delete_object, Bucket=lb, Key="f", VersionId=v) == ("AccessDenied", 403)
        v2 = s3.put_object(Bucket=lb, Key="f", Body=b"2")["VersionId"]
        assert v2 != v and s3.get_object(Bucket=lb, Key="f", VersionId=v)["Body"].read() == b"1"
        s3.delete_object(Bucket=lb, Key="f", VersionId=v2)
        m = s3.delete_object(Bucket=lb, Key="f")
        assert m["DeleteMarker"] is True
        s3.delete_object(Bucket=lb, Key="f", VersionId=m["VersionId"])
        assert s3.get_object(Bucket=lb, Key="f")["Body"].read() == b"1"
        # shortening or changing the mode needs the bypass; extending does not
        later = datetime.datetime(2030, 1, 3, tzinfo=UTC)
        s3.put_object_retention(Bucket=lb, Key="f", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": later})
        assert _err(s3.put_object_retention, Bucket=lb, Key="f",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until}) == ("AccessDenied", 403)
        s3.put_object_retention(Bucket=lb, Key="f", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until},
                                BypassGovernanceRetention=True)
        for mode in ("governance", "abc"):
            assert _err(s3.put_object_retention, Bucket=lb, Key="f",
                        Retention={"Mode": mode, "RetainUntilDate": until}) == ("MalformedXML", 400)
        r = signed(ac, "PUT", "/s3/%s/f?retention" % lb, body=b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>"
                   b"2001-01-01T00:00:00Z</RetainUntilDate></Retention>")
        assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"  # in the past
        # legal hold: refuses the bypass too
        s3.put_object_legal_hold(Bucket=lb, Key="f", LegalHold={"Status": "ON"})
        assert s3.get_object_legal_hold(Bucket=lb, Key="f")["LegalHold"] == {"Status": "ON"}
        assert s3.head_object(Bucket=lb, Key="f")["ObjectLockLegalHoldStatus"] == "ON"
        assert _err(s3.delete_object, Bucket=lb, Key="f", VersionId=v,
                    BypassGovernanceRetention=True) == ("AccessDenied", 403)
        assert _err(s3.put_object_legal_hold, Bucket=lb, Key="f", LegalHold={"Status": "abc"}) == ("MalformedXML", 400)
        s3.put_object_legal_hold(Bucket=lb, Key="f", LegalHold={"Status": "OFF"})
        # DeleteObjects: per key, with VersionId echoed; the bypass header applies to all
        s3.put_object(Bucket=lb, Key="free", Body=b"1")
        d = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": "f", "VersionId": v}, {"Key": "free"}]})
        assert [(e["Key"], e["Code"], e["VersionId"]) for e in d["Errors"]] == [("f", "AccessDenied", v)]
        assert [x["Key"] for x in d["Deleted"]] == ["free"]
        d = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": "f"}]}, BypassGovernanceRetention=True)
        assert [x["Key"] for x in d["Deleted"]] == ["f"] and not d.get("Errors")
    finally:
        _clean_lock_bucket(s3, lb)


def test_lock_on_write_and_default(ac, s3):
    lb = _lock_bucket(s3)
    try:
        soon = datetime.datetime.now(UTC) + datetime.timedelta(seconds=3)
        vc = s3.put_object(Bucket=lb, Key="c", Body=b"1", ObjectLockMode="COMPLIANCE",
                           ObjectLockRetainUntilDate=soon)["VersionId"]
        h = s3.head_object(Bucket=lb, Key="c")
        assert h["ObjectLockMode"] == "COMPLIANCE"
        assert _err(s3.delete_object, Bucket=lb, Key="c", VersionId=vc,
                    BypassGovernanceRetention=True) == ("AccessDenied", 403)
        assert _err(s3.put_object_retention, Bucket=lb, Key="c", BypassGovernanceRetention=True,
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon}) == ("AccessDenied", 403)
        # lock headers: both or none, a known mode, a future date
        for kw in (dict(ObjectLockMode="GOVERNANCE"), dict(ObjectLockRetainUntilDate=soon),
                   dict(ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate="2001-01-01T00:00:00Z"),
                   dict(ObjectLockLegalHoldStatus="MAYBE")):
            assert _err(s3.put_object, Bucket=lb, Key="bad", Body=b"", **kw) == ("InvalidArgument", 400), kw
        # the bucket's default retention applies to new objects (multipart too)
        s3.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
        s3.put_object(Bucket=lb, Key="d", Body=b"1")
        r = s3.get_object_retention(Bucket=lb, Key="d")["Retention"]
        assert r["Mode"] == "GOVERNANCE"
        assert abs((r["RetainUntilDate"] - datetime.datetime.now(UTC)).total_seconds() - 86400) < 120
        up = s3.create_multipart_upload(Bucket=lb, Key="m", ObjectLockLegalHoldStatus="ON")["UploadId"]
        p = s3.upload_part(Bucket=lb, Key="m", UploadId=up, PartNumber=1, Body=b"m")
        vm = s3.complete_multipart_upload(Bucket=lb, Key="m", UploadId=up,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})["VersionId"]
        assert s3.head_object(Bucket=lb, Key="m")["ObjectLockLegalHoldStatus"] == "ON"
        assert _err(s3.delete_object, Bucket=lb, Key="m", VersionId=vm,
                    BypassGovernanceRetention=True) == ("AccessDenied", 403)
        # a completed upload does not replace a protected version: it becomes a new one
        vd = s3.head_object(Bucket=lb, Key="d")["VersionId"]
        up = s3.create_multipart_upload(Bucket=lb, Key="d")["UploadId"]
        p = s3.upload_part(Bucket=lb, Key="d", UploadId=up, PartNumber=1, Body=b"new")
        r = s3.complete_multipart_upload(Bucket=lb, Key="d", UploadId=up,
                                         MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
        assert r["VersionId"] != vd
        assert s3.get_object(Bucket=lb, Key="d", VersionId=vd)["Body"].read() == b"1"
        assert _err(s3.delete_object, Bucket=lb, Key="d", VersionId=vd) == ("AccessDenied", 403)
        time.sleep(max(0, (soon - datetime.datetime.now(UTC)).total_seconds()) + 0.5)
        s3.delete_object(Bucket=lb, Key="c", VersionId=vc)  # COMPLIANCE expired
    finally:
        _clean_lock_bucket(s3, lb)


# ---- conditional writes and copies

def test_conditional_put_and_copy(ac, s3, b):
    e1 = s3.put_object(Bucket=b, Key="o", Body=b"bar")["ETag"]
    r = signed(ac, "PUT", "/s3/%s/o" % b, body=b"zar", headers={"If-Match": '"ABCORZ"'})
    assert r.status_code == 412 and xml_code(r.content) == "PreconditionFailed"
    r = signed(ac, "PUT", "/s3/%s/o" % b, body=b"zar", headers={"If-None-Match": "*"})
    assert r.status_code == 412
    r = signed(ac, "PUT", "/s3/%s/new" % b, body=b"n", headers={"If-Match": e1})
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchKey"
    assert s3.get_object(Bucket=b, Key="o")["Body"].read() == b"bar"
    r = signed(ac, "PUT", "/s3/%s/o" % b, body=b"zar", headers={"If-Match": e1})
    assert r.status_code == 200
    r = signed(ac, "PUT", "/s3/%s/fresh" % b, body=b"f", headers={"If-None-Match": "*"})
    assert r.status_code == 200
    e2 = s3.head_object(Bucket=b, Key="o")["ETag"]
    assert _err(s3.copy_object, Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "o"},
                CopySourceIfMatch="ABCORZ") == ("PreconditionFailed", 412)
    assert _err(s3.copy_object, Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "o"},
                CopySourceIfNoneMatch=e2) == ("PreconditionFailed", 412)
    future = datetime.datetime.now(UTC) + datetime.timedelta(days=1)
    assert _err(s3.copy_object, Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "o"},
                CopySourceIfModifiedSince=future) == ("PreconditionFailed", 412)
    s3.copy_object(Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "o"}, CopySourceIfMatch=e2,
                   CopySourceIfUnmodifiedSince=future)
    assert s3.get_object(Bucket=b, Key="c")["Body"].read() == b"zar"
    _missing = _err(s3.head_object, Bucket=b, Key="c2")
    assert _missing[1] == 404


def test_conditional_writes_newest_boto3(ac, s3, b):
    """PutObject / CompleteMultipartUpload with IfMatch / IfNoneMatch (botocore >= 1.35)"""
    script = """
import boto3, json, sys
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
                  region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
b, out = sys.argv[4], []
def code(fn, **kw):
    try:
        fn(**kw)
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]
e = s3.put_object(Bucket=b, Key="k", Body=b"1")["ETag"]
out.append(code(s3.put_object, Bucket=b, Key="k", Body=b"2", IfNoneMatch="*"))
out.append(code(s3.put_object, Bucket=b, Key="k", Body=b"2", IfMatch='"0000"'))
out.append(code(s3.put_object, Bucket=b, Key="k", Body=b"2", IfMatch=e))
up = s3.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
p = s3.upload_part(Bucket=b, Key="k", UploadId=up, PartNumber=1, Body=b"3")
parts = {"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]}
out.append(code(s3.complete_multipart_upload, Bucket=b, Key="k", UploadId=up, MultipartUpload=parts, IfNoneMatch="*"))
out.append(code(s3.complete_multipart_upload, Bucket=b, Key="k", UploadId=up, MultipartUpload=parts))
out.append(s3.get_object(Bucket=b, Key="k")["Body"].read().decode())
print(json.dumps(out))
"""
    p = subprocess.run([NEW_BOTO3, "-c", script, ac.url + "/s3", AK, SK, b], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    assert json.loads(p.stdout) == ["PreconditionFailed", "PreconditionFailed", "ok", "PreconditionFailed", "ok", "3"]


# ---- multipart

def test_multipart_completion_rules(ac, s3, b):
    up = s3.create_multipart_upload(Bucket=b, Key="m", ChecksumAlgorithm="SHA256")["UploadId"]
    p1 = s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=b"A" * 1024, ChecksumAlgorithm="SHA256")
    parts = {"Parts": [{"PartNumber": 1, "ETag": p1["ETag"], "ChecksumSHA256": p1["ChecksumSHA256"]}]}
    # a composite checksum that does not match: 400 BadDigest, nothing committed
    assert _err(s3.complete_multipart_upload, Bucket=b, Key="m", UploadId=up, MultipartUpload=parts,
                ChecksumSHA256="bad") == ("BadDigest", 400)
    assert _err(s3.head_object, Bucket=b, Key="m")[1] == 404
    composite = base64.b64encode(hashlib.sha256(base64.b64decode(p1["ChecksumSHA256"])).digest()).decode() + "-1"
    r1 = s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up, MultipartUpload=parts, ChecksumSHA256=composite)
    assert r1["ChecksumSHA256"] == composite
    r2 = s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up, MultipartUpload=parts, ChecksumSHA256=composite)
    assert (r2["ETag"], r2["ChecksumSHA256"]) == (r1["ETag"], r1["ChecksumSHA256"])
    # a part number given twice (a re-sent part): the later entry stands
    up = s3.create_multipart_upload(Bucket=b, Key="twice")["UploadId"]
    old = s3.upload_part(Bucket=b, Key="twice", UploadId=up, PartNumber=1, Body=b"old")["ETag"]
    new = s3.upload_part(Bucket=b, Key="twice", UploadId=up, PartNumber=1, Body=b"new")["ETag"]
    s3.complete_multipart_upload(Bucket=b, Key="twice", UploadId=up, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": old}, {"PartNumber": 1, "ETag": new}]})
    assert s3.get_object(Bucket=b, Key="twice")["Body"].read() == b"new"
    # UploadPartCopy outside the source: 400 InvalidRange
    up = s3.create_multipart_upload(Bucket=b, Key="pc")["UploadId"]
    assert _err(s3.upload_part_copy, Bucket=b, Key="pc", UploadId=up, PartNumber=1, CopySource={"Bucket": b, "Key": "m"},
                CopySourceRange="bytes=0-5000") == ("InvalidRange", 400)
    s3.abort_multipart_upload(Bucket=b, Key="pc", UploadId=up)


# ---- content headers

def test_metadata_and_response_headers(ac, s3, b):
    def meta(**kw):  # botocore sends (and signs) a non-ASCII header value as UTF-8
        kw["params"]["headers"].update({"x-amz-meta-empty": "", "x-amz-meta-utf8": "Hello World\u00e9"})
    s3.meta.events.register("before-call.s3.PutObject", meta)
    try:
        s3.put_object(Bucket=b, Key="m", Body=b"x", ContentEncoding="gzip, aws-chunked", ContentType="text/x-one")
    finally:
        s3.meta.events.unregister("before-call.s3.PutObject", meta)
    g = requests.get(s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "m"}))
    raw = {k.lower(): v for k, v in g.raw.headers.items()}
    assert raw["x-amz-meta-empty"] == ""
    assert raw["x-amz-meta-utf8"].encode("latin-1") == "Hello World\u00e9".encode("utf-8")  # the bytes as stored
    assert raw["content-encoding"] == "gzip"
    r = s3.get_object(Bucket=b, Key="m", ResponseContentType="foo/bar", ResponseContentDisposition="bla",
                      ResponseContentEncoding="aaa", ResponseContentLanguage="esperanto",
                      ResponseCacheControl="no-cache", ResponseExpires=datetime.datetime(2030, 1, 1, tzinfo=UTC))
    h = r["ResponseMetadata"]["HTTPHeaders"]
    assert (h["content-type"], h["content-disposition"], h["content-encoding"], h["content-language"],
            h["cache-control"]) == ("foo/bar", "bla", "aaa", "esperanto", "no-cache")
    assert s3.head_object(Bucket=b, Key="m")["ContentType"] == "text/x-one"  # overrides are per response
    s3.put_object(Bucket=b, Key="ac", Body=b"", ContentEncoding="aws-chunked")
    assert "ContentEncoding" not in s3.head_object(Bucket=b, Key="ac")
    # empty Content-MD5: 400 InvalidDigest; no Content-Length and no chunked body: 411
    r = signed(ac, "PUT", "/s3/%s/md5" % b, body=b"x", headers={"Content-MD5": ""})
    assert r.status_code == 400 and xml_code(r.content) == "InvalidDigest"
    req = AWSRequest(method="PUT", url=ac.url + "/s3/%s/nolen" % b)
    S3SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    head = "PUT /s3/%s/nolen HTTP/1.1\r\nHost: %s\r\n" % (b, ac.url.split("//")[1]) + "".join(
        "%s: %s\r\n" % (k, v) for k, v in req.headers.items() if k.lower() != "content-length") + "\r\n"
    with dial("127.0.0.1", ac.primary.port, timeout=10) as sk:
        sk.sendall(head.encode())
        resp = sk.recv(65536)
    assert resp.split(b"\r\n")[0].split()[1] == b"411" and b"MissingContentLength" in resp
    # anonymous requests may not ask for response overrides
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    s3.put_object_acl(Bucket=b, Key="m", ACL="public-read")
    r = requests.get(ac.url + "/s3/%s/m?response-content-type=a/b" % b)
    assert r.status_code == 400 and xml_code(r.content) == "InvalidRequest"
    s3.put_bucket_acl(Bucket=b, ACL="private")
