"""S3 with SigV4 verification on (a second cluster whose config has "s3": {"auth": true, ...}):
valid header, presigned and signed-streaming (aws-chunked, chunk signatures) requests pass;
wrong secret, unknown key, unsigned, tampered, expired presigned, wrong region and a forged
chunk are refused with 403 and the S3 error code, and the nodes keep serving; Signature Version 2
(header and presigned). Plus the 307 redirect mode (a third cluster with "s3": {"redirect": true})."""
import datetime
import hashlib
import hmac
import os
import subprocess
import time

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name, raw_request
from s3util import AK, SK, client, empty_and_delete, err_of, xml_code

AK2, SK2 = "AKIDSECOND", "second-secret"


@pytest.fixture(scope="module")
def acl():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "access_key": AK, "secret_key": SK, "region": "us-east-1",
               "keys": [{"access": AK2, "secret": SK2}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def s3a(acl):
    return client(acl.url + "/s3")


@pytest.fixture
def ab(s3a):
    name = new_bucket_name("auth")
    s3a.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3a, name)


def test_valid_requests(acl, s3a, ab):
    data = os.urandom(100000)
    s3a.put_object(Bucket=ab, Key="k/1", Body=data, Metadata={"a": "b"})
    assert s3a.get_object(Bucket=ab, Key="k/1")["Body"].read() == data
    assert [o["Key"] for o in s3a.list_objects_v2(Bucket=ab)["Contents"]] == ["k/1"]
    s3a.copy_object(Bucket=ab, Key="k/2", CopySource={"Bucket": ab, "Key": "k/1"})
    s3a.delete_objects(Bucket=ab, Delete={"Objects": [{"Key": "k/2"}]})
    # the second key pair
    s2 = client(acl.url + "/s3", ak=AK2, sk=SK2)
    assert s2.get_object(Bucket=ab, Key="k/1")["Body"].read() == data
    # presigned GET/PUT with curl
    put = s3a.generate_presigned_url("put_object", Params={"Bucket": ab, "Key": "pre"}, ExpiresIn=60)
    p = subprocess.run(["curl", "-sf", "-X", "PUT", "--data-binary", "presigned!", put], capture_output=True)
    assert p.returncode == 0, p.stdout
    get = s3a.generate_presigned_url("get_object", Params={"Bucket": ab, "Key": "pre"}, ExpiresIn=60)
    assert subprocess.run(["curl", "-sf", get], capture_output=True).stdout == b"presigned!"


def test_refused_requests(acl, s3a, ab):
    s3a.put_object(Bucket=ab, Key="obj", Body=b"secret data")
    with pytest.raises(ClientError) as e:
        client(acl.url + "/s3", sk="wrong").get_object(Bucket=ab, Key="obj")
    assert err_of(e) == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        client(acl.url + "/s3", sk="wrong").list_buckets()
    assert err_of(e) == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        client(acl.url + "/s3", ak="AKIDUNKNOWN").put_object(Bucket=ab, Key="x", Body=b"1")
    assert err_of(e)[1] == 403 and err_of(e)[0] in ("InvalidAccessKeyId", "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as e:
        client(acl.url + "/s3", region="eu-west-1").get_object(Bucket=ab, Key="obj")
    assert err_of(e) == ("AuthorizationHeaderMalformed", 403)
    # unsigned
    r = requests.get(acl.url + "/s3/%s/obj" % ab)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    r = requests.put(acl.url + "/s3/%s/unsigned" % ab, data=b"x")
    assert r.status_code == 403
    # tampered: sign one URL, send another
    req = AWSRequest(method="GET", url=acl.url + "/s3/%s/obj" % ab,
                     headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    hdrs = dict(req.headers.items())
    assert requests.get(acl.url + "/s3/%s/obj" % ab, headers=hdrs).status_code == 200
    r = requests.get(acl.url + "/s3/%s/obj?x=1" % ab, headers=hdrs)
    assert r.status_code == 403 and xml_code(r.content) == "SignatureDoesNotMatch"
    hdrs2 = dict(hdrs, **{"X-Amz-Date": "20200101T000000Z"})
    r = requests.get(acl.url + "/s3/%s/obj" % ab, headers=hdrs2)
    assert r.status_code == 403
    # expired presigned URL
    url = s3a.generate_presigned_url("get_object", Params={"Bucket": ab, "Key": "obj"}, ExpiresIn=1)
    time.sleep(2.1)
    r = requests.get(url)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    # nothing was stored by the refused PUTs; the cluster still serves
    assert [o["Key"] for o in s3a.list_objects_v2(Bucket=ab)["Contents"]] == ["obj"]
    assert all(n.alive() for n in acl.nodes)


def _hx(b):
    return hashlib.sha256(b).hexdigest()


def _signed_streaming_put(url, host, path, data, region="us-east-1", chunk=65536, corrupt=None):
    now = datetime.datetime.utcnow()
    amzdate, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    total = sum(len("%x" % len(c)) + 17 + 64 + 2 + len(c) + 2 for c in chunks)
    h = {"content-encoding": "aws-chunked", "content-length": str(total), "host": host,
         "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-date": amzdate,
         "x-amz-decoded-content-length": str(len(data))}
    signed = ";".join(sorted(h))
    canon = "\n".join(["PUT", path, "", "".join("%s:%s\n" % (k, h[k]) for k in sorted(h)), signed,
                       "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])
    scope = "%s/%s/s3/aws4_request" % (date, region)
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, _hx(canon.encode())])
    k = ("AWS4" + SK).encode()
    for m in (date, region, "s3", "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    seed = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    prev, body = seed, b""
    for i, c in enumerate(chunks):
        csts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amzdate, scope, prev, _hx(b""), _hx(c)])
        s = hmac.new(k, csts.encode(), hashlib.sha256).hexdigest()
        if corrupt == i and c:
            c = bytes([c[0] ^ 1]) + c[1:]
        body += b"%x;chunk-signature=%s\r\n" % (len(c), s.encode()) + c + b"\r\n"
        prev = s
    h["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        AK, scope, signed, seed)
    h["Content-Length"] = h.pop("content-length")
    return raw_request(url, "PUT", path, headers=h, body=body)


def test_signed_streaming(acl, s3a, ab):
    host = acl.url.split("//")[1]
    data = os.urandom(200000)
    st, _, body = _signed_streaming_put(acl.url, host, "/s3/%s/streamed" % ab, data)
    assert st == 200, body
    assert s3a.get_object(Bucket=ab, Key="streamed")["Body"].read() == data
    st, _, body = _signed_streaming_put(acl.url, host, "/s3/%s/forged" % ab, data, corrupt=1)
    assert st == 403 and xml_code(body) == "SignatureDoesNotMatch"
    assert "Contents" not in s3a.list_objects_v2(Bucket=ab, Prefix="forged")


def test_multipart_signed(acl, s3a, ab):
    """multipart upload with SigV4 on: every part (and ListMultipartUploads, fanned out by the
    proxy to the targets) passes; a wrong secret is refused"""
    from boto3.s3.transfer import TransferConfig
    data = os.urandom(11 * 1024 * 1024 + 5)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3a.upload_fileobj(__import__("io").BytesIO(data), ab, "mp/obj", Config=cfg)
    o = s3a.get_object(Bucket=ab, Key="mp/obj")
    assert o["ETag"].endswith('-3"') and o["Body"].read() == data
    uid = s3a.create_multipart_upload(Bucket=ab, Key="mp/open")["UploadId"]
    assert [u["UploadId"] for u in s3a.list_multipart_uploads(Bucket=ab)["Uploads"]] == [uid]
    bad = client(acl.url + "/s3", sk="wrong")
    with pytest.raises(ClientError) as e:
        bad.list_multipart_uploads(Bucket=ab)
    assert err_of(e) == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as e:
        bad.upload_part(Bucket=ab, Key="mp/open", UploadId=uid, PartNumber=1, Body=b"x")
    assert err_of(e) == ("SignatureDoesNotMatch", 403)
    s3a.abort_multipart_upload(Bucket=ab, Key="mp/open", UploadId=uid)


@pytest.fixture(scope="module")
def rcl():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s",
                cluster_overrides={"s3": {"redirect": True}})
    c.start()
    yield c
    c.cleanup()


def test_redirect_mode(rcl):
    s3 = client(rcl.url + "/s3")
    b = new_bucket_name("redir")
    s3.create_bucket(Bucket=b)  # bucket ops are served by the proxy
    try:
        st, h, _ = raw_request(rcl.url, "PUT", "/s3/%s/obj" % b, body=b"redirected", follow=False)
        assert st == 307 and "/s3/%s/obj" % b in h["location"]
        assert not h["location"].startswith(rcl.url + "/")
        st, _, _ = raw_request(rcl.url, "PUT", "/s3/%s/obj" % b, body=b"redirected")
        assert st == 200
        r = requests.get(rcl.url + "/s3/%s/obj" % b)
        assert r.status_code == 200 and r.content == b"redirected" and r.history[0].status_code == 307
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"]] == ["obj"]
    finally:
        empty_and_delete(s3, b)


def test_signature_v2(acl):
    """AWS Signature Version 2 (botocore's "s3" signer): header-signed requests and presigned URLs;
    a wrong secret, an unknown key and an expired URL are refused"""
    from botocore.config import Config
    import boto3
    def v2(ak=AK, sk=SK):
        return boto3.client("s3", endpoint_url=acl.url + "/s3", aws_access_key_id=ak, aws_secret_access_key=sk,
                            region_name="us-east-1", config=Config(signature_version="s3", s3={"addressing_style": "path"},
                                                                   retries={"max_attempts": 1}))
    s3 = v2()
    name = new_bucket_name("sigv2")
    s3.create_bucket(Bucket=name)
    try:
        s3.put_object(Bucket=name, Key="dir/a b", Body=b"v2 data", Metadata={"m": "1"})
        s3.head_bucket(Bucket=name)
        assert s3.get_object(Bucket=name, Key="dir/a b")["Body"].read() == b"v2 data"
        assert [o["Key"] for o in s3.list_objects(Bucket=name)["Contents"]] == ["dir/a b"]
        # (botocore 1.29's V2 signer signs bucket sub-resources as "/b?acl?acl": not usable here)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "dir/a b"}, ExpiresIn=60)
        assert "Signature=" in url and "AWSAccessKeyId=" in url
        assert requests.get(url).content == b"v2 data"
        put = s3.generate_presigned_url("put_object", Params={"Bucket": name, "Key": "pre"}, ExpiresIn=60)
        assert requests.put(put, data=b"presigned").status_code == 200
        assert s3.get_object(Bucket=name, Key="pre")["Body"].read() == b"presigned"
        with pytest.raises(ClientError) as e:
            v2(sk="wrong").get_object(Bucket=name, Key="pre")
        assert err_of(e) == ("SignatureDoesNotMatch", 403)
        with pytest.raises(ClientError) as e:
            v2(ak="AKIDUNKNOWN").list_objects(Bucket=name)
        assert err_of(e) == ("InvalidAccessKeyId", 403)
        r = requests.get(url.replace("Signature=", "Signature=x"))
        assert r.status_code == 403 and xml_code(r.content) == "SignatureDoesNotMatch"
        old = s3.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "pre"}, ExpiresIn=-10)
        r = requests.get(old)
        assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
        s3.delete_object(Bucket=name, Key="pre")
        s3.delete_object(Bucket=name, Key="dir/a b")
    finally:
        empty_and_delete(client(acl.url + "/s3"), name)
