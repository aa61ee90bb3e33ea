"""S3 bucket level, part 2: bucket configurations - versioning (mapped onto the bucket prop
versioning.enabled), CORS (configuration, OPTIONS preflight, headers on actual requests),
tagging, public-access-block (and what it blocks), ownership controls, object lock
configuration (and object retention requests on buckets without it), bucket policies
(validation, Allow/Deny, principals, conditions, public-access-block), policy status and
location - with the status codes, error codes and XML AWS S3 documents. Auth is on (SigV4) so
that anonymous requests and the access rules are exercised too."""
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name
from s3util import client, empty_and_delete, err_of, xml_code

AK, SK = "AKIDCONFUSER", "conf-secret"
AK2, SK2 = "AKIDCONFOTHER", "other-secret"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@pytest.fixture(scope="module")
def cc():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1",
               "keys": [{"access": AK, "secret": SK, "user": "conf-id", "display_name": "Conf"},
                        {"access": AK2, "secret": SK2, "user": "other-id"}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def s3(cc):
    return client(cc.url + "/s3", ak=AK, sk=SK)


@pytest.fixture
def b(s3):
    name = new_bucket_name("conf")
    s3.create_bucket(Bucket=name)
    yield name
    try:
        s3.delete_public_access_block(Bucket=name)
        s3.delete_bucket_ownership_controls(Bucket=name)
        s3.put_bucket_acl(Bucket=name, ACL="private")
    except ClientError:
        pass
    empty_and_delete(s3, name)


def signed(cc, method, path, body=b"", headers=None):
    url = cc.url + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    return requests.request(method, url, data=body, headers=dict(req.headers.items()), timeout=30)


def _err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return err_of(e)


def _native_versioning(cc, name):
    return json.loads(requests.head(cc.url + "/v1/buckets/" + name).headers["Ais-Bucket-Props"])["versioning"]["enabled"]


def test_versioning(cc, s3, b):
    r = signed(cc, "GET", "/s3/%s?versioning" % b)
    root = ET.fromstring(r.content)
    assert r.status_code == 200 and root.tag == NS + "VersioningConfiguration" and len(root) == 0
    assert "Status" not in s3.get_bucket_versioning(Bucket=b)
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
    assert _native_versioning(cc, b) is False
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
    assert _native_versioning(cc, b) is True
    # the native prop is the state: switched off natively -> Suspended
    cc.set_bprops(b, {"versioning": {"enabled": False}})
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
    for body in (b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
                 b"<VersioningConfiguration/>", b"<Versioning><Status>Enabled</Status></Versioning>", b"not xml"):
        r = signed(cc, "PUT", "/s3/%s?versioning" % b, body=body)
        assert r.status_code == 400 and xml_code(r.content) == "MalformedXML", body
    r = signed(cc, "PUT", "/s3/%s?versioning" % b, body=b"<VersioningConfiguration><Status>Enabled</Status>"
               b"<MfaDelete>Enabled</MfaDelete></VersioningConfiguration>")
    assert r.status_code == 501 and xml_code(r.content) == "NotImplemented"
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"  # unchanged
    assert requests.get(cc.url + "/s3/%s?versioning" % b).status_code == 403  # anonymous


CORS = {"CORSRules": [
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*.example.com"], "AllowedHeaders": ["x-amz-*"],
     "ExposeHeaders": ["ETag", "x-amz-meta-a"], "MaxAgeSeconds": 600, "ID": "r1"},
    {"AllowedMethods": ["PUT", "DELETE"], "AllowedOrigins": ["https://put.org"]},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}


def test_cors_config(cc, s3, b):
    assert _err(s3.get_bucket_cors, Bucket=b) == ("NoSuchCORSConfiguration", 404)
    s3.put_bucket_cors(Bucket=b, CORSConfiguration=CORS)
    got = s3.get_bucket_cors(Bucket=b)["CORSRules"]
    assert got[0] == CORS["CORSRules"][0] and got[1] == CORS["CORSRules"][1] and len(got) == 3
    bad = {"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]}
    assert _err(s3.put_bucket_cors, Bucket=b, CORSConfiguration=bad) == ("InvalidRequest", 400)
    bad = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*a*b"]}]}
    assert _err(s3.put_bucket_cors, Bucket=b, CORSConfiguration=bad) == ("InvalidRequest", 400)
    r = signed(cc, "PUT", "/s3/%s?cors" % b, body=b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
               b"</CORSRule></CORSConfiguration>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedXML"
    assert len(s3.get_bucket_cors(Bucket=b)["CORSRules"]) == 3  # unchanged
    r = signed(cc, "DELETE", "/s3/%s?cors" % b)
    assert r.status_code == 204
    assert _err(s3.get_bucket_cors, Bucket=b) == ("NoSuchCORSConfiguration", 404)


def _opt(cc, path, hdrs):
    return requests.options(cc.url + path, headers=hdrs, timeout=10)


def test_cors_preflight_and_actual(cc, s3, b):
    r = _opt(cc, "/s3/%s/k" % b, {"Origin": "https://a.example.com", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 403 and xml_code(r.content) == "AccessForbidden"  # no configuration yet
    s3.put_bucket_cors(Bucket=b, CORSConfiguration=CORS)
    assert _opt(cc, "/s3/%s/k" % b, {}).status_code == 400
    assert _opt(cc, "/s3/%s/k" % b, {"Origin": "https://a.example.com"}).status_code == 400
    r = _opt(cc, "/s3/%s/k" % b, {"Origin": "https://a.example.com", "Access-Control-Request-Method": "GET",
                                   "Access-Control-Request-Headers": "x-amz-date, X-Amz-Meta-Q"})
    assert r.status_code == 200, r.text
    h = r.headers
    assert h["Access-Control-Allow-Origin"] == "https://a.example.com"
    assert h["Access-Control-Allow-Methods"] == "GET"
    assert h["Access-Control-Allow-Headers"] == "x-amz-date, X-Amz-Meta-Q"
    assert h["Access-Control-Expose-Headers"] == "ETag, x-amz-meta-a"
    assert h["Access-Control-Max-Age"] == "600"
    # a header rule 1 does not allow: rule 3 (any origin, no headers) does not match either
    r = _opt(cc, "/s3/%s/k" % b, {"Origin": "https://a.example.com", "Access-Control-Request-Method": "GET",
                                   "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    r = _opt(cc, "/s3/%s" % b, {"Origin": "https://put.org", "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Methods"] == "PUT, DELETE"
    r = _opt(cc, "/s3/%s" % b, {"Origin": "https://x.net", "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 403
    r = _opt(cc, "/s3/%s" % b, {"Origin": "https://x.net", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert _opt(cc, "/s3/nosuchbucket-cors", {"Origin": "o", "Access-Control-Request-Method": "GET"}).status_code == 404
    # actual requests carry the headers of the matching rule - also refusals
    s3.put_object(Bucket=b, Key="k", Body=b"1")
    r = signed(cc, "GET", "/s3/%s/k" % b, headers={"Origin": "https://a.example.com"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "https://a.example.com"
    r = signed(cc, "GET", "/s3/%s?list-type=2" % b, headers={"Origin": "https://z.net"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    r = requests.put(cc.url + "/s3/%s/anon" % b, data=b"x", headers={"Origin": "https://put.org"})
    assert r.status_code == 403 and r.headers["Access-Control-Allow-Origin"] == "https://put.org"
    r = signed(cc, "GET", "/s3/%s/k" % b)
    assert "Access-Control-Allow-Origin" not in r.headers


def test_tagging(cc, s3, b):
    assert _err(s3.get_bucket_tagging, Bucket=b) == ("NoSuchTagSet", 404)
    tags = [{"Key": "k%d" % i, "Value": "v%d" % i} for i in range(3)]
    s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=b)["TagSet"] == tags
    dup = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    assert _err(s3.put_bucket_tagging, Bucket=b, Tagging={"TagSet": dup}) == ("InvalidTag", 400)
    many = [{"Key": "k%d" % i, "Value": ""} for i in range(51)]
    assert _err(s3.put_bucket_tagging, Bucket=b, Tagging={"TagSet": many}) == ("InvalidTag", 400)
    assert _err(s3.put_bucket_tagging, Bucket=b, Tagging={"TagSet": [{"Key": "k" * 129, "Value": ""}]}) == \
        ("InvalidTag", 400)
    assert s3.get_bucket_tagging(Bucket=b)["TagSet"] == tags
    r = signed(cc, "DELETE", "/s3/%s?tagging" % b)
    assert r.status_code == 204
    assert _err(s3.get_bucket_tagging, Bucket=b) == ("NoSuchTagSet", 404)


def test_public_access_block(cc, s3, b):
    assert _err(s3.get_public_access_block, Bucket=b) == ("NoSuchPublicAccessBlockConfiguration", 404)
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    assert requests.get(cc.url + "/s3/" + b).status_code == 200
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is True
    conf = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False}
    s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=conf)
    assert s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"] == conf
    # IgnorePublicAcls: the public grant no longer counts
    r = requests.get(cc.url + "/s3/" + b)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    # BlockPublicAcls: no new public ACLs, on the bucket or on objects
    for acl in ("public-read", "public-read-write", "authenticated-read"):
        assert _err(s3.put_bucket_acl, Bucket=b, ACL=acl) == ("AccessDenied", 403)
        assert _err(s3.put_object, Bucket=b, Key="o", Body=b"", ACL=acl) == ("AccessDenied", 403)
    s3.put_object(Bucket=b, Key="o", Body=b"", ACL="private")
    r = signed(cc, "PUT", "/s3/%s?publicAccessBlock" % b,
               body=b"<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls>"
               b"</PublicAccessBlockConfiguration>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedXML"
    assert signed(cc, "DELETE", "/s3/%s?publicAccessBlock" % b).status_code == 204
    assert _err(s3.get_public_access_block, Bucket=b) == ("NoSuchPublicAccessBlockConfiguration", 404)
    assert requests.get(cc.url + "/s3/" + b).status_code == 200


def test_ownership_controls(cc, s3, b):
    assert _err(s3.get_bucket_ownership_controls, Bucket=b) == ("OwnershipControlsNotFoundError", 404)
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    assert _err(s3.put_bucket_ownership_controls, Bucket=b, OwnershipControls=enforced) == \
        ("InvalidBucketAclWithObjectOwnership", 400)
    s3.put_bucket_acl(Bucket=b, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls=enforced)
    assert s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"] == enforced
    assert _err(s3.put_bucket_acl, Bucket=b, ACL="private") == ("AccessControlListNotSupported", 400)
    assert _err(s3.put_object, Bucket=b, Key="o", Body=b"", ACL="public-read") == \
        ("AccessControlListNotSupported", 400)
    s3.put_object(Bucket=b, Key="o", Body=b"", ACL="bucket-owner-full-control")
    r = signed(cc, "PUT", "/s3/%s?ownershipControls" % b,
               body=b"<OwnershipControls><Rule><ObjectOwnership>Whoever</ObjectOwnership></Rule></OwnershipControls>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedXML"
    assert signed(cc, "DELETE", "/s3/%s?ownershipControls" % b).status_code == 204
    assert _err(s3.get_bucket_ownership_controls, Bucket=b) == ("OwnershipControlsNotFoundError", 404)
    name = new_bucket_name("own")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    try:
        assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == \
            [{"ObjectOwnership": "ObjectWriter"}]
        assert _err(s3.create_bucket, Bucket=name + "e", ACL="public-read", ObjectOwnership="BucketOwnerEnforced") \
            == ("InvalidBucketAclWithObjectOwnership", 400)
    finally:
        s3.delete_bucket(Bucket=name)


LOCK = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}


def test_object_lock_configuration(cc, s3, b):
    assert _err(s3.get_object_lock_configuration, Bucket=b) == ("ObjectLockConfigurationNotFoundError", 404)
    assert _err(s3.put_object_lock_configuration, Bucket=b, ObjectLockConfiguration=LOCK) == \
        ("InvalidBucketState", 409)
    s3.put_object(Bucket=b, Key="f", Body=b"1")
    assert _err(s3.put_object_retention, Bucket=b, Key="f", Retention={"Mode": "GOVERNANCE",
                "RetainUntilDate": "2030-01-01T00:00:00Z"}) == ("InvalidRequest", 400)
    assert _err(s3.get_object_legal_hold, Bucket=b, Key="f") == ("InvalidRequest", 400)
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration=LOCK)  # allowed once versioned
    assert s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"] == LOCK
    assert _err(s3.put_bucket_versioning, Bucket=b, VersioningConfiguration={"Status": "Suspended"}) == \
        ("InvalidBucketState", 409)

    name = new_bucket_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
        conf = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 2}}}
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=conf)
        assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == conf
        bad = [({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
               ({"Mode": "abc", "Days": 1}, "MalformedXML"), ({"Mode": "governance", "Days": 1}, "MalformedXML"),
               ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidRetentionPeriod"),
               ({"Mode": "GOVERNANCE", "Years": -1}, "InvalidRetentionPeriod")]
        for dr, code in bad:
            c = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": dr}}
            assert _err(s3.put_object_lock_configuration, Bucket=name, ObjectLockConfiguration=c) == (code, 400), dr
        c = {"ObjectLockEnabled": "Disabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
        assert _err(s3.put_object_lock_configuration, Bucket=name, ObjectLockConfiguration=c) == ("MalformedXML", 400)
        assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == conf  # unchanged
        # the default retention applies to new objects (test_s3_object_lock.py has the rest); a
        # COMPLIANCE one could not be deleted by this test, so a GOVERNANCE day first
        gov = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=gov)
        s3.put_object(Bucket=name, Key="f", Body=b"1")
        r = signed(cc, "GET", "/s3/%s/f?retention" % name)
        assert r.status_code == 200 and b"<Mode>GOVERNANCE</Mode>" in r.content
        assert _err(s3.delete_object, Bucket=name, Key="f") == ("AccessDenied", 403)
        s3.delete_object(Bucket=name, Key="f", BypassGovernanceRetention=True)
    finally:
        s3.delete_bucket(Bucket=name)


def test_policy_status_location_and_unsupported(cc, s3, b):
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    s3.put_bucket_acl(Bucket=b, ACL="authenticated-read")
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is True
    r = signed(cc, "GET", "/s3/%s?location" % b)
    root = ET.fromstring(r.content)
    assert r.status_code == 200 and root.tag == NS + "LocationConstraint" and not root.text
    name = new_bucket_name("loc")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "us-east-1"
    s3.delete_bucket(Bucket=name)
    assert _err(s3.create_bucket, Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}) == \
        ("IllegalLocationConstraintException", 400)
    r = signed(cc, "DELETE", "/s3/%s?versioning" % b)
    assert r.status_code == 405 and xml_code(r.content) == "MethodNotAllowed"
    r = signed(cc, "GET", "/s3/nosuchbucket-conf?cors")
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchBucket"


def _policy(bucket, stmts):
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


def test_bucket_policy(cc, s3, b):
    other = client(cc.url + "/s3", ak=AK2, sk=SK2)
    assert _err(s3.get_bucket_policy, Bucket=b) == ("NoSuchBucketPolicy", 404)
    arn, objs = "arn:aws:s3:::" + b, "arn:aws:s3:::" + b + "/*"
    bad = [b"{not json", json.dumps({"Statement": []}).encode(),
           _policy(b, [{"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "s3:ListBucket", "Resource": arn}]),
           _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::another-bucket/*"}]),
           _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "iam:PassRole", "Resource": arn}]),
           _policy(b, [{"Effect": "Maybe", "Principal": "*", "Action": "s3:*", "Resource": arn}]),
           _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": arn,
                        "Condition": {"StringEquals": {"s3:ExistingObjectTag/x": "y"}}}]),
           _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": arn,
                        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]),
           _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": arn,
                        "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}}}])]
    for doc in bad:
        r = signed(cc, "PUT", "/s3/%s?policy" % b, body=doc if isinstance(doc, bytes) else doc.encode())
        assert r.status_code == 400 and xml_code(r.content) == "MalformedPolicy", doc
    assert _err(s3.get_bucket_policy, Bucket=b) == ("NoSuchBucketPolicy", 404)

    s3.put_object(Bucket=b, Key="public/o", Body=b"pub")
    s3.put_object(Bucket=b, Key="private/o", Body=b"priv")
    pub = _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": arn + "/public/*"}])
    r = signed(cc, "PUT", "/s3/%s?policy" % b, body=pub.encode())
    assert r.status_code == 204
    assert json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == json.loads(pub)
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is True
    assert requests.get(cc.url + "/s3/%s/public/o" % b).content == b"pub"
    assert requests.get(cc.url + "/s3/%s/private/o" % b).status_code == 403
    assert requests.get(cc.url + "/s3/%s" % b).status_code == 403  # no ListBucket
    assert other.get_object(Bucket=b, Key="public/o")["Body"].read() == b"pub"
    assert _err(other.put_object, Bucket=b, Key="public/x", Body=b"") == ("AccessDenied", 403)
    # RestrictPublicBuckets: the public statement no longer admits others; the owner is not affected
    s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    assert requests.get(cc.url + "/s3/%s/public/o" % b).status_code == 403
    assert s3.get_object(Bucket=b, Key="public/o")["Body"].read() == b"pub"
    # BlockPublicPolicy: a public policy cannot be set (a non-public one can)
    s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    assert _err(s3.put_bucket_policy, Bucket=b, Policy=pub) == ("AccessDenied", 403)
    named = _policy(b, [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::other-id:root"},
                         "Action": ["s3:ListBucket", "s3:PutObject"], "Resource": [arn, objs]}])
    s3.put_bucket_policy(Bucket=b, Policy=named)
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    other.put_object(Bucket=b, Key="by-other", Body=b"1")
    assert [o["Key"] for o in other.list_objects_v2(Bucket=b)["Contents"]] == ["by-other", "private/o", "public/o"]
    # the policy gives no s3:GetObject: other reads only the object it owns (its writer; object ACLs)
    assert other.get_object(Bucket=b, Key="by-other")["Body"].read() == b"1"
    assert _err(other.get_object, Bucket=b, Key="private/o") == ("AccessDenied", 403)
    assert requests.get(cc.url + "/s3/%s" % b).status_code == 403
    s3.delete_public_access_block(Bucket=b)


def test_bucket_policy_conditions_and_deny(cc, s3, b):
    arn = "arn:aws:s3:::" + b
    # s3:prefix: anonymous may list public/ only
    pol = _policy(b, [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:ListBucket", "Resource": arn,
                       "Condition": {"StringLike": {"s3:prefix": "public/*"}}}])
    s3.put_bucket_policy(Bucket=b, Policy=pol)
    assert requests.get(cc.url + "/s3/%s?list-type=2&prefix=public/" % b).status_code == 200
    assert requests.get(cc.url + "/s3/%s?list-type=2&prefix=private/" % b).status_code == 403
    assert requests.get(cc.url + "/s3/%s?list-type=2" % b).status_code == 403
    # aws:SourceIp: known for requests the proxy serves itself; a forwarded object request's
    # address is not known to the target, so an IP-conditioned Allow does not apply (fail closed)
    s3.put_object(Bucket=b, Key="o", Body=b"1")
    pol = _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": ["s3:ListBucket", "s3:GetObject"],
                       "Resource": [arn, arn + "/*"], "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}])
    s3.put_bucket_policy(Bucket=b, Policy=pol)
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    assert requests.get(cc.url + "/s3/%s?list-type=2" % b).status_code == 200
    assert requests.get(cc.url + "/s3/%s/o" % b).status_code == 403
    pol = _policy(b, [{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": arn,
                       "Condition": {"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}}])
    s3.put_bucket_policy(Bucket=b, Policy=pol)
    assert requests.get(cc.url + "/s3/%s?list-type=2" % b).status_code == 403
    # an explicit Deny binds the owner too - but never for the policy itself
    pol = _policy(b, [{"Sid": "d", "Effect": "Deny", "Principal": "*", "Action": "s3:GetBucket*", "Resource": arn},
                      {"Effect": "Deny", "Principal": "*", "Action": "s3:*Policy", "Resource": arn}])
    s3.put_bucket_policy(Bucket=b, Policy=pol)
    assert _err(s3.get_bucket_tagging, Bucket=b) == ("AccessDenied", 403)
    assert _err(s3.get_bucket_versioning, Bucket=b) == ("AccessDenied", 403)
    s3.list_objects_v2(Bucket=b)
    assert json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == json.loads(pol)
    assert signed(cc, "DELETE", "/s3/%s?policy" % b).status_code == 204
    assert _err(s3.get_bucket_tagging, Bucket=b) == ("NoSuchTagSet", 404)
    assert _err(s3.get_bucket_policy, Bucket=b) == ("NoSuchBucketPolicy", 404)
