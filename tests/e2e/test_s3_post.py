"""S3 POST object (browser-form uploads), against a cluster with SigV4 on: multipart/form-data with
the key (also with ${filename}), a policy document signed with Signature V2 (HMAC-SHA1) or V4
(AWS4-HMAC-SHA256 over the policy), anonymous forms into a public-write bucket, and the fields
that become object metadata (Content-Type, x-amz-meta-*, acl, tagging, x-amz-checksum-*).
Checks the answers AWS documents: 204 by default, success_action_status 200 / 201 (PostResponse
XML) / anything else 204, success_action_redirect 303 with bucket, key and ETag; policy errors
(400 InvalidPolicyDocument for a malformed policy, 403 AccessDenied for an expired one, a failed
condition or a field no condition names; 400 EntityTooSmall / EntityTooLarge for
content-length-range), 403 for bad signatures and unknown keys, 400 for a form without a key or
without the file. A large file streams through the proxy to its target (content compared)."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import xml.etree.ElementTree as ET
from collections import OrderedDict

import pytest
import requests
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name
from s3util import client, empty_and_delete, xml_code

AK, SK = "AKIDPOSTUSER", "post-secret"
UTC = datetime.timezone.utc
MiB = 1 << 20


@pytest.fixture(scope="module")
def pc():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1",
               "keys": [{"access": AK, "secret": SK, "user": "post-id", "display_name": "Poster"}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def s3(pc):
    return client(pc.url + "/s3", ak=AK, sk=SK)


@pytest.fixture
def b(s3):
    name = new_bucket_name("post")
    s3.create_bucket(Bucket=name)
    yield name
    try:
        s3.put_bucket_acl(Bucket=name, ACL="private")
    except ClientError:
        pass
    empty_and_delete(s3, name)


def policy(bucket, *conds, expires=6000, extra=None):
    exp = datetime.datetime.now(UTC) + datetime.timedelta(seconds=expires)
    doc = {"expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"), "conditions": [{"bucket": bucket}] + list(conds)}
    doc.update(extra or {})
    return base64.b64encode(json.dumps(doc).encode())


def v2(pol, sk=SK):
    return base64.b64encode(hmac.new(sk.encode(), pol, hashlib.sha1).digest())


def post(pc, bucket, fields, file=b"bar", filename=None):
    form = OrderedDict(fields)
    form["file"] = (filename, file) if filename else file
    return requests.post("%s/s3/%s" % (pc.url, bucket), files=form, allow_redirects=False, timeout=120)


def signed_fields(bucket, key="foo.txt", conds=(), **kw):
    pol = policy(bucket, ["starts-with", "$key", "foo"], {"acl": "private"},
                 ["starts-with", "$Content-Type", "text/plain"], ["content-length-range", 0, 1024], *conds, **kw)
    return [("key", key), ("AWSAccessKeyId", AK), ("acl", "private"), ("signature", v2(pol)), ("policy", pol),
            ("Content-Type", "text/plain")]


def test_signed_v2_and_metadata(pc, s3, b):
    f = signed_fields(b, conds=[["starts-with", "$x-amz-meta-foo", "bar"], ["starts-with", "$tagging", ""]])
    f += [("x-amz-meta-foo", "barclamp"),
          ("tagging", "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag></TagSet></Tagging>"),
          ("x-ignore-foo", "ignored")]
    r = post(pc, b, f)
    assert r.status_code == 204 and r.content == b"", r.content
    g = s3.get_object(Bucket=b, Key="foo.txt")
    assert g["Body"].read() == b"bar" and g["ContentType"] == "text/plain" and g["Metadata"] == {"foo": "barclamp"}
    assert r.headers["ETag"] == g["ETag"]
    assert s3.get_object_tagging(Bucket=b, Key="foo.txt")["TagSet"] == [{"Key": "0", "Value": "0"}]
    assert s3.get_object_acl(Bucket=b, Key="foo.txt")["Owner"]["ID"] == "post-id"  # the signer owns it


def test_signed_v4(pc, s3, b):
    now = datetime.datetime.now(UTC)
    date8, amz = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
    cred = "%s/%s/us-east-1/s3/aws4_request" % (AK, date8)
    pol = policy(b, ["starts-with", "$key", "v4/"], {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                 {"x-amz-credential": cred}, {"x-amz-date": amz})
    k = ("AWS4" + SK).encode()
    for part in (date8, "us-east-1", "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, pol, hashlib.sha256).hexdigest()
    fields = [("key", "v4/${filename}"), ("x-amz-algorithm", "AWS4-HMAC-SHA256"), ("x-amz-credential", cred),
              ("x-amz-date", amz), ("policy", pol), ("x-amz-signature", sig)]
    r = post(pc, b, fields, file=b"four", filename="dir\\up.txt")
    assert r.status_code == 204, r.content
    assert s3.get_object(Bucket=b, Key="v4/up.txt")["Body"].read() == b"four"
    fields[-1] = ("x-amz-signature", "0" * 64)
    r = post(pc, b, fields)
    assert r.status_code == 403 and xml_code(r.content) == "SignatureDoesNotMatch"


def test_anonymous_and_answers(pc, s3, b):
    r = post(pc, b, [("key", "anon"), ("acl", "public-read")])
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"  # no WRITE for anonymous
    s3.put_bucket_acl(Bucket=b, ACL="public-read-write")
    r = post(pc, b, [("key", "anon"), ("acl", "public-read"), ("Content-Type", "text/plain")])
    assert r.status_code == 204
    assert requests.get("%s/s3/%s/anon" % (pc.url, b)).content == b"bar"
    r = post(pc, b, [("key", "s201"), ("success_action_status", "201")])
    root = ET.fromstring(r.content)
    assert r.status_code == 201 and root.tag == "PostResponse" and root.findtext("Key") == "s201"
    assert root.findtext("Bucket") == b and root.findtext("ETag") == r.headers["ETag"]
    assert post(pc, b, [("key", "s200"), ("success_action_status", "200")]).status_code == 200
    r = post(pc, b, [("key", "s404"), ("success_action_status", "404")])
    assert r.status_code == 204 and r.content == b""
    redir = "http://example.com/done?x=1"
    r = post(pc, b, [("key", "redir"), ("success_action_redirect", redir)])
    etag = s3.head_object(Bucket=b, Key="redir")["ETag"]
    assert r.status_code == 303
    assert r.headers["Location"] == "%s&bucket=%s&key=redir&etag=%s" % (redir, b, requests.utils.quote(etag, safe=""))
    # no key, no file
    r = post(pc, b, [("acl", "private")])
    assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    r = requests.post("%s/s3/%s" % (pc.url, b), files=OrderedDict([("key", "nofile"), ("x", "y")]))
    assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    s3.put_bucket_acl(Bucket=b, ACL="private")


def test_policy_errors(pc, s3, b):
    def code(fields, file=b"bar"):
        r = post(pc, b, fields, file=file)
        return r.status_code, xml_code(r.content) if r.content else ""
    bad_pol = [base64.b64encode(b"{not json"),
               base64.b64encode(json.dumps({"conditions": [{"bucket": b}]}).encode()),
               base64.b64encode(json.dumps({"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": []}).encode()),
               base64.b64encode(json.dumps({"expiration": "2030-01-01 00:00", "conditions": []}).encode()),
               base64.b64encode(json.dumps({"expiration": "2030-01-01T00:00:00Z"}).encode()),
               base64.b64encode(json.dumps({"expiration": "2030-01-01T00:00:00Z", "conditions": [{}]}).encode()),
               policy(b, ["content-length-range", 0]), policy(b, ["content-length-range", -1, 0])]
    for pol in bad_pol:
        f = [("key", "foo.txt"), ("AWSAccessKeyId", AK), ("signature", v2(pol)), ("policy", pol)]
        assert code(f) == (400, "InvalidPolicyDocument"), pol
    ok = signed_fields(b)
    assert code(ok) == (204, "")
    # failed conditions and uncovered fields: 403
    assert code(signed_fields(b, key="bar.txt")) == (403, "AccessDenied")
    assert code(ok + [("x-amz-meta-extra", "1")]) == (403, "AccessDenied")
    assert code(signed_fields(b, expires=-60)) == (403, "AccessDenied")
    wrong = signed_fields(new_bucket_name("other"))
    assert code(wrong) == (403, "AccessDenied")
    # content-length-range
    assert code(ok, file=b"x" * 2048) == (400, "EntityTooLarge")
    pol = policy(b, ["starts-with", "$key", ""], ["content-length-range", 512, 1000])
    f = [("key", "small"), ("AWSAccessKeyId", AK), ("signature", v2(pol)), ("policy", pol)]
    assert code(f, file=b"tiny") == (400, "EntityTooSmall")
    # signatures and keys
    f = [x for x in ok if x[0] != "signature"]
    assert code(f) == (400, "InvalidArgument")
    f = [(k, v if k != "signature" else v2(dict(ok)["policy"], sk="wrong")) for k, v in ok]
    assert code(f) == (403, "SignatureDoesNotMatch")
    f = [(k, v if k != "AWSAccessKeyId" else "NOSUCHKEY") for k, v in ok]
    assert code(f) == (403, "InvalidAccessKeyId")
    for key in ("small", "bar.txt"):
        with pytest.raises(ClientError):
            s3.head_object(Bucket=b, Key=key)


def test_checksum_and_large_file(pc, s3, b):
    data = os.urandom(20 * MiB + 123)
    pol = policy(b, ["starts-with", "$key", "big"], ["content-length-range", 0, 64 * MiB])
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    f = [("key", "big"), ("AWSAccessKeyId", AK), ("signature", v2(pol)), ("policy", pol),
         ("x-amz-checksum-sha256", sha)]
    r = post(pc, b, f, file=data)
    assert r.status_code == 204, r.content
    g = s3.get_object(Bucket=b, Key="big", ChecksumMode="ENABLED")
    assert hashlib.md5(g["Body"].read()).digest() == hashlib.md5(data).digest()
    assert g["ChecksumSHA256"] == sha
    f[-1] = ("x-amz-checksum-sha256", "sailorjerry")
    r = post(pc, b, f, file=data)
    assert r.status_code == 400 and xml_code(r.content) == "BadDigest"
    assert hashlib.md5(s3.get_object(Bucket=b, Key="big")["Body"].read()).digest() == hashlib.md5(data).digest()
