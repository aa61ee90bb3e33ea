"""S3 object level, part 1: object owners and ACLs, against a cluster with SigV4 on and two named
users. Checks the status codes, error codes and XML AWS S3 documents: the owner of a new object
(the writer; the bucket owner under BucketOwnerEnforced, or under BucketOwnerPreferred with
bucket-owner-full-control), x-amz-acl / x-amz-grant-* on PutObject, CopyObject and
CreateMultipartUpload, GetObjectAcl / PutObjectAcl (canned, grants, AccessControlPolicy XML),
what an object's ACL lets others do (READ, READ_ACP, WRITE_ACP; the copy source), 404 NoSuchKey
versus 403 for missing keys (by the right to list the bucket, s3:prefix of a policy included),
Owner in ListObjects (v1 always, v2 with fetch-owner) and ListObjectVersions, Initiator and
Owner in ListMultipartUploads and ListParts, and that PutObjectAcl leaves Last-Modified alone."""
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name
from s3util import client, empty_and_delete, err_of, xml_code

MAIN = ("AKIDOBJMAIN", "objmain-secret", "main-id", "Main User", "main@example.com")
ALT = ("AKIDOBJALT", "objalt-secret", "alt-id", "Alt User", "alt@example.com")
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture(scope="module")
def oc():
    keys = [{"access": k[0], "secret": k[1], "user": k[2], "display_name": k[3], "email": k[4]} for k in (MAIN, ALT)]
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1", "keys": keys}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def main(oc):
    return client(oc.url + "/s3", ak=MAIN[0], sk=MAIN[1])


@pytest.fixture(scope="module")
def alt(oc):
    return client(oc.url + "/s3", ak=ALT[0], sk=ALT[1])


@pytest.fixture
def mb(main):
    name = new_bucket_name("oacl")
    main.create_bucket(Bucket=name)
    yield name
    try:
        main.delete_bucket_policy(Bucket=name)
        main.put_bucket_acl(Bucket=name, ACL="private")
    except ClientError:
        pass
    empty_and_delete(main, name)


def signed(oc, method, path, who=MAIN, body=b"", headers=None):
    url = oc.url + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(who[0], who[1]), "s3", "us-east-1").add_auth(req)
    return requests.request(method, url, data=body, headers=dict(req.headers.items()), timeout=30)


def grants(resp):
    """[(type, id or uri, display name, permission)] of a GetObjectAcl answer, sorted"""
    out = []
    for g in resp["Grants"]:
        ge = g["Grantee"]
        out.append((ge["Type"], ge.get("ID") or ge.get("URI"), ge.get("DisplayName"), g["Permission"]))
    return sorted(out)


def _denied(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    assert err_of(e) == ("AccessDenied", 403)


def test_default_owner_and_acl(oc, main, mb):
    main.put_object(Bucket=mb, Key="o", Body=b"x")
    r = main.get_object_acl(Bucket=mb, Key="o")
    assert r["Owner"] == {"ID": "main-id", "DisplayName": "Main User"}
    assert grants(r) == [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")]
    # the document itself: namespaces and xsi:type as S3 writes them
    x = signed(oc, "GET", "/s3/%s/o?acl" % mb)
    assert x.status_code == 200 and x.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(x.content)
    assert root.tag == NS + "AccessControlPolicy"
    ge = root.find(NS + "AccessControlList/" + NS + "Grant/" + NS + "Grantee")
    assert ge.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "CanonicalUser"
    # a missing object: 404 for the owner
    with pytest.raises(ClientError) as e:
        main.get_object_acl(Bucket=mb, Key="missing")
    assert err_of(e) == ("NoSuchKey", 404)


def test_canned_and_grants_at_create(main, mb):
    cases = {
        "public-read": [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL"), ("Group", ALL_USERS, None, "READ")],
        "public-read-write": [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL"),
                              ("Group", ALL_USERS, None, "READ"), ("Group", ALL_USERS, None, "WRITE")],
        "authenticated-read": [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL"),
                               ("Group", AUTH_USERS, None, "READ")],
        "private": [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")],
    }
    for canned, want in cases.items():
        main.put_object(Bucket=mb, Key=canned, Body=b"x", ACL=canned)
        assert grants(main.get_object_acl(Bucket=mb, Key=canned)) == sorted(want), canned
    main.put_object(Bucket=mb, Key="g", Body=b"x", GrantRead='id="alt-id"', GrantFullControl='id="main-id"')
    assert grants(main.get_object_acl(Bucket=mb, Key="g")) == sorted(
        [("CanonicalUser", "alt-id", "Alt User", "READ"), ("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")])
    # bad ACL input: nothing is written
    for kw, code in ((dict(ACL="nope"), "InvalidArgument"), (dict(GrantRead='id="nobody"'), "InvalidArgument"),
                     (dict(GrantRead='emailAddress="who@nowhere"'), "UnresolvableGrantByEmailAddress")):
        with pytest.raises(ClientError) as e:
            main.put_object(Bucket=mb, Key="bad", Body=b"x", **kw)
        assert err_of(e) == (code, 400), kw
    _missing(main, mb, "bad")
    # multipart upload and copy take their own ACL
    up = main.create_multipart_upload(Bucket=mb, Key="mpu", ACL="public-read")["UploadId"]
    p = main.upload_part(Bucket=mb, Key="mpu", UploadId=up, PartNumber=1, Body=b"m")
    main.complete_multipart_upload(Bucket=mb, Key="mpu", UploadId=up,
                                   MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
    assert ("Group", ALL_USERS, None, "READ") in grants(main.get_object_acl(Bucket=mb, Key="mpu"))
    main.copy_object(Bucket=mb, Key="cp", CopySource={"Bucket": mb, "Key": "mpu"})  # not the source's ACL
    assert grants(main.get_object_acl(Bucket=mb, Key="cp")) == [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")]
    main.copy_object(Bucket=mb, Key="cp2", CopySource={"Bucket": mb, "Key": "g"}, ACL="authenticated-read")
    assert ("Group", AUTH_USERS, None, "READ") in grants(main.get_object_acl(Bucket=mb, Key="cp2"))


def _missing(s3, bucket, key):
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key=key)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_put_object_acl(oc, main, alt, mb):
    main.put_object(Bucket=mb, Key="o", Body=b"data")
    head = main.head_object(Bucket=mb, Key="o")
    time.sleep(1.1)
    _denied(alt.get_object, Bucket=mb, Key="o")
    _denied(alt.get_object_acl, Bucket=mb, Key="o")
    main.put_object_acl(Bucket=mb, Key="o", ACL="public-read")
    assert alt.get_object(Bucket=mb, Key="o")["Body"].read() == b"data"
    assert requests.get(oc.url + "/s3/%s/o" % mb).content == b"data"  # AllUsers: anonymous too
    # data, ETag, Content-Type and Last-Modified are untouched by an ACL change
    h2 = main.head_object(Bucket=mb, Key="o")
    assert (h2["ETag"], h2["LastModified"], h2["ContentType"]) == (head["ETag"], head["LastModified"], head["ContentType"])
    # READ gives no READ_ACP; grants given to alt one by one
    _denied(alt.get_object_acl, Bucket=mb, Key="o")
    for perm, allowed in (("READ_ACP", "get_acl"), ("WRITE_ACP", "put_acl")):
        main.put_object_acl(Bucket=mb, Key="o", AccessControlPolicy={
            "Owner": {"ID": "main-id"}, "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": "main-id"}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "CanonicalUser", "ID": "alt-id"}, "Permission": perm}]})
        _denied(alt.get_object, Bucket=mb, Key="o")
        if allowed == "get_acl":
            assert alt.get_object_acl(Bucket=mb, Key="o")["Owner"]["ID"] == "main-id"
            _denied(alt.put_object_acl, Bucket=mb, Key="o", ACL="public-read")
        else:
            _denied(alt.get_object_acl, Bucket=mb, Key="o")
            alt.put_object_acl(Bucket=mb, Key="o", ACL="public-read")  # stays main's object
            assert main.get_object_acl(Bucket=mb, Key="o")["Owner"]["ID"] == "main-id"
    # the document must name the object's owner; bad documents are MalformedACLError
    r = signed(oc, "PUT", "/s3/%s/o?acl" % mb, body=b"<AccessControlPolicy><Owner><ID>alt-id</ID></Owner>"
               b"<AccessControlList/></AccessControlPolicy>")
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    r = signed(oc, "PUT", "/s3/%s/o?acl" % mb, body=b"<nope/>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedACLError"
    r = signed(oc, "PUT", "/s3/%s/o?acl" % mb)
    assert r.status_code == 400 and xml_code(r.content) == "MissingSecurityHeader"
    # the owner keeps READ_ACP / WRITE_ACP even when its grant says otherwise
    main.put_object_acl(Bucket=mb, Key="o", AccessControlPolicy={
        "Owner": {"ID": "main-id"}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "main-id"},
                                               "Permission": "WRITE"}]})
    assert grants(main.get_object_acl(Bucket=mb, Key="o")) == [("CanonicalUser", "main-id", "Main User", "WRITE")]
    _denied(main.get_object, Bucket=mb, Key="o")
    main.put_object_acl(Bucket=mb, Key="o", ACL="private")
    assert main.get_object(Bucket=mb, Key="o")["Body"].read() == b"data"


def test_bucket_acl_versus_object_acl(oc, main, alt, mb):
    main.put_bucket_acl(Bucket=mb, ACL="public-read-write")
    main.put_object(Bucket=mb, Key="main-private", Body=b"m")
    # bucket WRITE: alt may write and overwrite; the object it writes is its own
    alt.put_object(Bucket=mb, Key="by-alt", Body=b"a")
    assert alt.get_object_acl(Bucket=mb, Key="by-alt")["Owner"] == {"ID": "alt-id", "DisplayName": "Alt User"}
    _denied(alt.get_object, Bucket=mb, Key="main-private")
    _denied(main.get_object, Bucket=mb, Key="by-alt")  # another user's object: not the bucket owner's to read
    alt.put_object(Bucket=mb, Key="by-alt2", Body=b"a", ACL="bucket-owner-read")
    assert main.get_object(Bucket=mb, Key="by-alt2")["Body"].read() == b"a"
    assert grants(alt.get_object_acl(Bucket=mb, Key="by-alt2")) == sorted(
        [("CanonicalUser", "alt-id", "Alt User", "FULL_CONTROL"), ("CanonicalUser", "main-id", "Main User", "READ")])
    # listing shows each object's owner (v1 always, v2 with FetchOwner)
    owners = {o["Key"]: o["Owner"]["ID"] for o in alt.list_objects(Bucket=mb)["Contents"]}
    assert owners == {"by-alt": "alt-id", "by-alt2": "alt-id", "main-private": "main-id"}
    assert "Owner" not in main.list_objects_v2(Bucket=mb)["Contents"][0]
    v2 = main.list_objects_v2(Bucket=mb, FetchOwner=True)["Contents"]
    assert {o["Key"]: o["Owner"]["DisplayName"] for o in v2}["by-alt"] == "Alt User"
    vers = main.list_object_versions(Bucket=mb)["Versions"]
    assert {v["Key"]: v["Owner"]["ID"] for v in vers}["by-alt"] == "alt-id"
    # the bucket owner deletes whatever is in its bucket
    main.delete_object(Bucket=mb, Key="by-alt")


def test_missing_key_404_or_403(oc, main, alt, mb):
    # no right to list: a missing key is 403 (nothing is told about what exists)
    r = signed(oc, "GET", "/s3/%s/nope" % mb, who=ALT)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    assert requests.head(oc.url + "/s3/%s/nope" % mb).status_code == 403
    main.put_bucket_acl(Bucket=mb, ACL="public-read")
    r = requests.get(oc.url + "/s3/%s/nope" % mb)
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchKey"
    main.put_bucket_acl(Bucket=mb, ACL="private")
    # s3:ListBucket granted by a policy for some prefixes only
    pol = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
           '"Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s","Condition":{"StringLike":{"s3:prefix":"public/*"}}}]}'
           % mb)
    main.put_bucket_policy(Bucket=mb, Policy=pol)
    assert signed(oc, "HEAD", "/s3/%s/public/x" % mb, who=ALT).status_code == 404
    assert signed(oc, "HEAD", "/s3/%s/private/x" % mb, who=ALT).status_code == 403


def test_copy_source_needs_read(main, alt, mb):
    ab = new_bucket_name("oaclalt")
    alt.create_bucket(Bucket=ab)
    try:
        main.put_object(Bucket=mb, Key="src", Body=b"s")
        main.put_bucket_acl(Bucket=mb, ACL="public-read")  # listable, but the object stays private
        _denied(alt.copy_object, Bucket=ab, Key="c", CopySource={"Bucket": mb, "Key": "src"})
        _missing(alt, ab, "c")
        main.put_object_acl(Bucket=mb, Key="src", GrantRead='id="alt-id"')
        alt.copy_object(Bucket=ab, Key="c", CopySource={"Bucket": mb, "Key": "src"})
        assert alt.get_object_acl(Bucket=ab, Key="c")["Owner"]["ID"] == "alt-id"
        # UploadPartCopy checks the source the same way
        main.put_object_acl(Bucket=mb, Key="src", ACL="private")
        up = alt.create_multipart_upload(Bucket=ab, Key="m")["UploadId"]
        _denied(alt.upload_part_copy, Bucket=ab, Key="m", UploadId=up, PartNumber=1,
                CopySource={"Bucket": mb, "Key": "src"})
        alt.abort_multipart_upload(Bucket=ab, Key="m", UploadId=up)
    finally:
        empty_and_delete(alt, ab)


def test_object_ownership(main, alt):
    pub = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*",' \
          '"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}]}'
    for mode in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"):
        b = new_bucket_name("own")
        main.create_bucket(Bucket=b, ObjectOwnership=mode)
        try:
            main.put_bucket_policy(Bucket=b, Policy=pub % (b, b))
            alt.put_object(Bucket=b, Key="plain", Body=b"1")
            alt.put_object(Bucket=b, Key="bofc", Body=b"1", ACL="bucket-owner-full-control")
            up = alt.create_multipart_upload(Bucket=b, Key="up")["UploadId"]
            owner = lambda k: alt.get_object_acl(Bucket=b, Key=k)["Owner"]["ID"]
            parts_owner = alt.list_parts(Bucket=b, Key="up", UploadId=up)["Owner"]["ID"]
            if mode == "BucketOwnerEnforced":
                assert (owner("plain"), owner("bofc"), parts_owner) == ("main-id", "main-id", "main-id")
                with pytest.raises(ClientError) as e:
                    alt.put_object(Bucket=b, Key="x", Body=b"1", ACL="private")
                assert err_of(e) == ("AccessControlListNotSupported", 400)
                with pytest.raises(ClientError) as e:
                    alt.put_object_acl(Bucket=b, Key="plain", ACL="private")
                assert err_of(e) == ("AccessControlListNotSupported", 400)
            elif mode == "BucketOwnerPreferred":
                assert (owner("plain"), owner("bofc"), parts_owner) == ("alt-id", "main-id", "alt-id")
            else:
                assert (owner("plain"), owner("bofc"), parts_owner) == ("alt-id", "alt-id", "alt-id")
            alt.abort_multipart_upload(Bucket=b, Key="up", UploadId=up)
        finally:
            main.delete_bucket_policy(Bucket=b)
            empty_and_delete(main, b)


def test_uploads_initiator(main, alt, mb):
    main.put_bucket_acl(Bucket=mb, ACL="public-read-write")
    u1 = main.create_multipart_upload(Bucket=mb, Key="k1")["UploadId"]
    u2 = alt.create_multipart_upload(Bucket=mb, Key="k2")["UploadId"]
    try:
        ups = alt.list_multipart_uploads(Bucket=mb)["Uploads"]
        got = [(u["Key"], u["UploadId"], u["Initiator"]["ID"], u["Initiator"]["DisplayName"], u["Owner"]["ID"])
               for u in ups]
        assert got == [("k1", u1, "main-id", "Main User", "main-id"), ("k2", u2, "alt-id", "Alt User", "alt-id")]
        lp = alt.list_parts(Bucket=mb, Key="k2", UploadId=u2)
        assert lp["Initiator"] == {"ID": "alt-id", "DisplayName": "Alt User"}
    finally:
        main.abort_multipart_upload(Bucket=mb, Key="k1", UploadId=u1)
        alt.abort_multipart_upload(Bucket=mb, Key="k2", UploadId=u2)


def test_block_public_acls_on_objects(oc, main, mb):
    main.put_object(Bucket=mb, Key="o", Body=b"x")
    main.put_public_access_block(Bucket=mb, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    try:
        _denied(main.put_object_acl, Bucket=mb, Key="o", ACL="public-read")
        _denied(main.put_object, Bucket=mb, Key="p", Body=b"x", ACL="public-read")
        main.put_object_acl(Bucket=mb, Key="o", ACL="private")
    finally:
        main.delete_public_access_block(Bucket=mb)
    # IgnorePublicAcls: a public object ACL stops counting
    main.put_object_acl(Bucket=mb, Key="o", ACL="public-read")
    assert requests.get(oc.url + "/s3/%s/o" % mb).status_code == 200
    main.put_public_access_block(Bucket=mb, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    try:
        assert requests.get(oc.url + "/s3/%s/o" % mb).status_code == 403
    finally:
        main.delete_public_access_block(Bucket=mb)
