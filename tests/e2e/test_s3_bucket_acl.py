"""S3 bucket level, part 1: users, bucket owners, ACLs and what they allow, against a cluster with
SigV4 on and keys of three kinds (two named users, and a key without a user = the default user).
Checks the exact status codes, error codes and XML that AWS S3 documents: GetBucketAcl /
PutBucketAcl (canned, grant headers, AccessControlPolicy XML), CreateBucket of an existing bucket
(BucketAlreadyExists / BucketAlreadyOwnedByYou), anonymous access through AllUsers grants
(including Expect: 100-continue refused before the body), ListBuckets per owner with
max-buckets / continuation-token, x-amz-expected-bucket-owner, the S3 bucket-name rules, and
that the S3 metadata lives in the BMD (replicated to every node, relayed from a non-primary
proxy, not shown in Ais-Bucket-Props)."""
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

MAIN = ("AKIDMAINUSER", "main-secret", "main-id", "Main User", "main@example.com")
ALT = ("AKIDALTUSER", "alt-secret", "alt-id", "Alt User", "alt@example.com")
LEGACY = ("AKIDLEGACY", "legacy-secret")  # no "user": the default user (ID "1")
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture(scope="module")
def ac():
    keys = [{"access": k[0], "secret": k[1], "user": k[2], "display_name": k[3], "email": k[4]} for k in (MAIN, ALT)]
    keys.append({"access": LEGACY[0], "secret": LEGACY[1]})
    c = Cluster(nproxies=2, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1", "keys": keys}})
    c.start()
    yield c
    c.cleanup()


def _cl(ac, who, proxy=0):
    return client(ac.proxies[proxy].url + "/s3", ak=who[0], sk=who[1])


@pytest.fixture(scope="module")
def main(ac):
    return _cl(ac, MAIN)


@pytest.fixture(scope="module")
def alt(ac):
    return _cl(ac, ALT)


@pytest.fixture
def mb(main):
    name = new_bucket_name("acl")
    main.create_bucket(Bucket=name)
    yield name
    try:
        main.put_bucket_acl(Bucket=name, ACL="private")
    except ClientError:
        pass
    empty_and_delete(main, name)


def signed(ac, method, path, who=MAIN, body=b"", headers=None, proxy=0):
    """a SigV4-signed raw request (exact status/XML checks, parameters boto3 1.26 lacks)"""
    url = ac.proxies[proxy].url + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(who[0], who[1]), "s3", "us-east-1").add_auth(req)
    return requests.request(method, url, data=body, headers=dict(req.headers.items()), timeout=30)


def grants_of(xml):
    root = ET.fromstring(xml)
    out = []
    for g in root.iter(NS + "Grant"):
        ge = g.find(NS + "Grantee")
        out.append((ge.get("{%s}type" % XSI), ge.findtext(NS + "ID") or ge.findtext(NS + "URI"),
                    ge.findtext(NS + "DisplayName"), g.findtext(NS + "Permission")))
    return root, out


def test_default_acl_and_owner(ac, main, mb):
    r = signed(ac, "GET", "/s3/%s?acl" % mb)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml"
    root, g = grants_of(r.content)
    assert root.tag == NS + "AccessControlPolicy"
    assert root.findtext(NS + "Owner/" + NS + "ID") == "main-id"
    assert root.findtext(NS + "Owner/" + NS + "DisplayName") == "Main User"
    assert g == [("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")]
    acl = main.get_bucket_acl(Bucket=mb)
    assert acl["Owner"] == {"ID": "main-id", "DisplayName": "Main User"}


def test_canned_acls(ac, main):
    name = new_bucket_name("canned")
    main.create_bucket(Bucket=name, ACL="public-read-write")
    try:
        _, g = grants_of(signed(ac, "GET", "/s3/%s?acl" % name).content)
        assert g == [("Group", ALL_USERS, None, "READ"), ("Group", ALL_USERS, None, "WRITE"),
                     ("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")]
        main.put_bucket_acl(Bucket=name, ACL="authenticated-read")
        _, g = grants_of(signed(ac, "GET", "/s3/%s?acl" % name).content)
        assert g == [("Group", AUTH_USERS, None, "READ"), ("CanonicalUser", "main-id", "Main User", "FULL_CONTROL")]
        r = signed(ac, "PUT", "/s3/%s?acl" % name, headers={"x-amz-acl": "no-such-canned-acl"})
        assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
        r = signed(ac, "PUT", "/s3/%s?acl" % name, headers={"x-amz-acl": "private", "x-amz-grant-read": 'id="alt-id"'})
        assert r.status_code == 400 and xml_code(r.content) == "InvalidRequest"
    finally:
        main.put_bucket_acl(Bucket=name, ACL="private")
        empty_and_delete(main, name)


def test_acl_xml_and_grant_headers(ac, main, mb):
    owner = {"ID": "main-id", "DisplayName": "Main User"}
    pol = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": "main-id"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "alt@example.com"}, "Permission": "READ_ACP"},
        {"Grantee": {"Type": "Group", "URI": AUTH_USERS}, "Permission": "READ"}]}
    main.put_bucket_acl(Bucket=mb, AccessControlPolicy=pol)
    _, g = grants_of(signed(ac, "GET", "/s3/%s?acl" % mb).content)
    # the email grant is kept as the user it names; groups are listed first
    assert g == [("Group", AUTH_USERS, None, "READ"), ("CanonicalUser", "main-id", "Main User", "FULL_CONTROL"),
                 ("CanonicalUser", "alt-id", "Alt User", "READ_ACP")]
    # unknown user / email / group, bad permission, another owner
    for grantee, code in (({"Type": "CanonicalUser", "ID": "_nobody"}, "InvalidArgument"),
                          ({"Type": "AmazonCustomerByEmail", "EmailAddress": "x@invalid"},
                           "UnresolvableGrantByEmailAddress"),
                          ({"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/Nobody"},
                           "InvalidArgument")):
        with pytest.raises(ClientError) as e:
            main.put_bucket_acl(Bucket=mb, AccessControlPolicy={"Owner": owner, "Grants": [
                {"Grantee": grantee, "Permission": "FULL_CONTROL"}]})
        assert err_of(e) == (code, 400)
    bad = (b'<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="%s" xsi:type="CanonicalUser">'
           b'<ID>main-id</ID></Grantee><Permission>EVERYTHING</Permission></Grant></AccessControlList>'
           b'</AccessControlPolicy>' % XSI.encode())
    r = signed(ac, "PUT", "/s3/%s?acl" % mb, body=bad)
    assert r.status_code == 400 and xml_code(r.content) == "MalformedACLError"
    r = signed(ac, "PUT", "/s3/%s?acl" % mb, body=b"<AccessControlPolicy><Owner>")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedACLError"
    other = (b'<AccessControlPolicy><Owner><ID>alt-id</ID></Owner><AccessControlList/></AccessControlPolicy>')
    r = signed(ac, "PUT", "/s3/%s?acl" % mb, body=other)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    # grant headers: exactly the grants given (no implicit owner grant)
    r = signed(ac, "PUT", "/s3/%s?acl" % mb, headers={
        "x-amz-grant-read": 'id="alt-id", uri="%s"' % ALL_USERS, "x-amz-grant-write-acp": 'emailAddress="alt@example.com"'})
    assert r.status_code == 200, r.text
    _, g = grants_of(signed(ac, "GET", "/s3/%s?acl" % mb).content)
    assert g == [("Group", ALL_USERS, None, "READ"), ("CanonicalUser", "alt-id", "Alt User", "READ"),
                 ("CanonicalUser", "alt-id", "Alt User", "WRITE_ACP")]
    # the owner keeps READ_ACP/WRITE_ACP without any grant (revoke-all, then restore)
    main.put_bucket_acl(Bucket=mb, AccessControlPolicy={"Owner": owner, "Grants": []})
    assert main.get_bucket_acl(Bucket=mb)["Grants"] == []
    main.put_bucket_acl(Bucket=mb, ACL="private")


def _denied(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    assert err_of(e) == ("AccessDenied", 403)


def test_acl_enforcement(ac, main, alt, mb):
    main.put_object(Bucket=mb, Key="obj", Body=b"data")
    _denied(alt.list_objects_v2, Bucket=mb)
    r = signed(ac, "HEAD", "/s3/%s" % mb, who=ALT)
    assert r.status_code == 403
    _denied(alt.put_object, Bucket=mb, Key="alt", Body=b"x")
    _denied(alt.get_bucket_acl, Bucket=mb)
    _denied(alt.delete_bucket, Bucket=mb)
    _denied(alt.get_bucket_versioning, Bucket=mb)
    for perm, can in (("READ", "list"), ("WRITE", "write"), ("READ_ACP", "readacp"), ("WRITE_ACP", "writeacp")):
        main.put_bucket_acl(Bucket=mb, AccessControlPolicy={
            "Owner": {"ID": "main-id"}, "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": "main-id"}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "CanonicalUser", "ID": "alt-id"}, "Permission": perm}]})
        ops = {"list": lambda: alt.list_objects_v2(Bucket=mb),
               "write": lambda: alt.put_object(Bucket=mb, Key="alt", Body=b"x"),
               "readacp": lambda: alt.get_bucket_acl(Bucket=mb),
               "writeacp": lambda: alt.put_bucket_acl(Bucket=mb, ACL="private")}
        for name, op in ops.items():
            if name == can:
                op()
            else:
                with pytest.raises(ClientError) as e:
                    op()
                assert err_of(e) == ("AccessDenied", 403), (perm, name)
    # reading objects stays the bucket owner's (object ACLs are not kept yet)
    main.put_bucket_acl(Bucket=mb, ACL="public-read")
    _denied(alt.get_object, Bucket=mb, Key="obj")
    assert main.get_object(Bucket=mb, Key="obj")["Body"].read() == b"data"
    # nor may alt copy from main's bucket into its own
    ab = new_bucket_name("altb")
    alt.create_bucket(Bucket=ab)
    try:
        _denied(alt.copy_object, Bucket=ab, Key="c", CopySource={"Bucket": mb, "Key": "obj"})
    finally:
        empty_and_delete(alt, ab)


def test_anonymous(ac, main, mb):
    url = ac.url + "/s3/" + mb
    r = requests.get(url)
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    assert requests.get(ac.url + "/s3").status_code == 403  # ListBuckets
    r = requests.put(ac.url + "/s3/" + new_bucket_name("anon"))
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    main.put_bucket_acl(Bucket=mb, ACL="public-read")
    r = requests.get(url + "?list-type=2")
    assert r.status_code == 200 and b"ListBucketResult" in r.content
    assert requests.put(url + "/anon", data=b"x").status_code == 403
    main.put_bucket_acl(Bucket=mb, ACL="public-read-write")
    assert requests.put(url + "/anon", data=b"anonymous").status_code == 200
    assert main.get_object(Bucket=mb, Key="anon")["Body"].read() == b"anonymous"
    assert requests.delete(url + "/anon").status_code == 204
    # still the owner's: configuration, ACL, deletion, object reads
    assert requests.get(url + "?acl").status_code == 403
    assert requests.get(url + "?versioning").status_code == 403
    assert requests.delete(url).status_code == 403
    main.put_object(Bucket=mb, Key="o", Body=b"1")
    assert requests.get(url + "/o").status_code == 403
    # a missing bucket is 404 NoSuchBucket for everybody
    r = requests.get(ac.url + "/s3/nosuchbucket-acl-x")
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchBucket"


def _put_100_continue(ac, path):
    """send the head of a PUT with Expect: 100-continue; the status line the server answers first"""
    s = dial("127.0.0.1", ac.primary.port, timeout=10)
    try:
        s.sendall(("PUT %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
                   % path).encode())
        line = s.recv(4096).split(b"\r\n")[0]
        return int(line.split()[1])
    finally:
        s.close()


def test_100_continue_after_access_check(ac, main, mb):
    assert _put_100_continue(ac, "/s3/%s/obj" % mb) == 403
    main.put_bucket_acl(Bucket=mb, ACL="public-read-write")
    assert _put_100_continue(ac, "/s3/%s/obj" % mb) == 100


def test_create_existing(ac, main, alt, mb):
    with pytest.raises(ClientError) as e:
        alt.create_bucket(Bucket=mb)
    assert err_of(e) == ("BucketAlreadyExists", 409)
    main.create_bucket(Bucket=mb)  # us-east-1: own bucket, same ACL -> 200, nothing changes
    with pytest.raises(ClientError) as e:
        main.create_bucket(Bucket=mb, ACL="public-read")
    assert err_of(e) == ("BucketAlreadyExists", 409)
    assert len(main.get_bucket_acl(Bucket=mb)["Grants"]) == 1


def test_create_existing_other_region():
    c = Cluster(nproxies=1, ntargets=1, nmountpaths=1, cluster_overrides={"s3": {"region": "eu-west-1"}})
    c.start()
    try:
        s3 = client(c.url + "/s3", region="eu-west-1")
        name = new_bucket_name("reg")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        with pytest.raises(ClientError) as e:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert err_of(e) == ("BucketAlreadyOwnedByYou", 409)
        with pytest.raises(ClientError) as e:
            s3.create_bucket(Bucket=name + "x", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        assert err_of(e) == ("IllegalLocationConstraintException", 400)
        s3.delete_bucket(Bucket=name)
    finally:
        c.cleanup()


def test_bucket_names(ac, main):
    for bad in ("aa", "a" * 64, "192.168.5.123", "bad..name", ".dot", "sp ace"):
        r = signed(ac, "PUT", "/s3/" + bad.replace(" ", "%20"))
        assert r.status_code == 400 and xml_code(r.content) == "InvalidBucketName", bad
    name = "a" * 63
    main.create_bucket(Bucket=name)
    main.delete_bucket(Bucket=name)


def _names(xml):
    root = ET.fromstring(xml)
    return [b.findtext(NS + "Name") for b in root.iter(NS + "Bucket")], root.findtext(NS + "ContinuationToken"), root


def test_list_buckets_owner_and_pages(ac, main, alt):
    mine = sorted(new_bucket_name("lbm") for _ in range(3))
    theirs = new_bucket_name("lba")
    for n in mine:
        main.create_bucket(Bucket=n)
    alt.create_bucket(Bucket=theirs)
    try:
        names = [b["Name"] for b in main.list_buckets()["Buckets"]]
        assert set(mine) <= set(names) and theirs not in names and names == sorted(names)
        assert theirs in [b["Name"] for b in alt.list_buckets()["Buckets"]]
        assert main.list_buckets()["Owner"] == {"ID": "main-id", "DisplayName": "Main User"}
        got, tok = [], None
        for _ in range(20):
            q = "?max-buckets=1&prefix=lbm-" + ("&continuation-token=" + tok if tok else "")
            r = signed(ac, "GET", "/s3" + q)
            assert r.status_code == 200
            page, tok, root = _names(r.content)
            assert len(page) <= 1 and root.findtext(NS + "Prefix") == "lbm-"
            got += page
            if not tok:
                break
        assert [n for n in got if n in mine] == mine
        for bad in ("0", "10001", "x"):
            r = signed(ac, "GET", "/s3?max-buckets=" + bad)
            assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    finally:
        for n in mine:
            main.delete_bucket(Bucket=n)
        alt.delete_bucket(Bucket=theirs)


NEW_BOTO3 = "/root/.pyenv/shims/python3"


@pytest.mark.skipif(subprocess.run([NEW_BOTO3, "-c", "import boto3"], capture_output=True).returncode != 0,
                    reason="no newer python3 with boto3 on PATH")
def test_list_buckets_pages_newest_boto3(ac, main):
    mine = sorted(new_bucket_name("nbp") for _ in range(2))
    for n in mine:
        main.create_bucket(Bucket=n)
    script = """
import boto3, json, sys
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
                  region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
out, kw = [], {"MaxBuckets": 1, "Prefix": "nbp-"}
while True:
    r = s3.list_buckets(**kw)
    out.append([b["Name"] for b in r["Buckets"]])
    if "ContinuationToken" not in r:
        break
    kw["ContinuationToken"] = r["ContinuationToken"]
print(json.dumps(out))
"""
    try:
        p = subprocess.run([NEW_BOTO3, "-c", script, ac.url + "/s3", MAIN[0], MAIN[1]], capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        pages = json.loads(p.stdout)
        assert pages[:2] == [[mine[0]], [mine[1]]] and all(len(x) <= 1 for x in pages)
    finally:
        for n in mine:
            main.delete_bucket(Bucket=n)


def test_expected_bucket_owner(ac, main, mb):
    r = signed(ac, "GET", "/s3/%s?list-type=2" % mb, headers={"x-amz-expected-bucket-owner": "main-id"})
    assert r.status_code == 200
    r = signed(ac, "GET", "/s3/%s?list-type=2" % mb, headers={"x-amz-expected-bucket-owner": "alt-id"})
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    r = signed(ac, "PUT", "/s3/%s/k" % mb, body=b"x", headers={"x-amz-expected-bucket-owner": "other"})
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"


def test_legacy_key_is_default_user(ac):
    legacy = _cl(ac, LEGACY)
    name = new_bucket_name("leg")
    legacy.create_bucket(Bucket=name)
    try:
        assert legacy.get_bucket_acl(Bucket=name)["Owner"] == {"ID": "1", "DisplayName": "ais"}
        _denied(_cl(ac, MAIN).list_objects_v2, Bucket=name)
    finally:
        legacy.delete_bucket(Bucket=name)


def test_native_bucket_open_to_users(ac, main, alt):
    name = new_bucket_name("nat")
    ac.create_bucket(name)  # native API: no S3 owner
    try:
        main.put_object(Bucket=name, Key="a", Body=b"1")
        assert alt.get_object(Bucket=name, Key="a")["Body"].read() == b"1"
        assert requests.get(ac.url + "/s3/" + name).status_code == 403  # anonymous: no
        # PutBucketAcl makes the requester its S3 owner
        main.put_bucket_acl(Bucket=name, ACL="private")
        _denied(alt.get_object, Bucket=name, Key="a")
        main.delete_object(Bucket=name, Key="a")
    finally:
        ac.destroy_bucket(name)


def test_metadata_in_bmd_and_relayed(ac, main, mb):
    # through the non-primary proxy: relayed to the primary, then on every node
    second = _cl(ac, MAIN, proxy=1)
    second.put_bucket_acl(Bucket=mb, ACL="public-read")
    name = new_bucket_name("relay")
    second.create_bucket(Bucket=name, ACL="authenticated-read")
    try:
        for n in ac.nodes:
            bmd = requests.get(n.url + "/v1/daemon?what=bmd", timeout=5).json()
            ext = bmd["ext"]["ais"]["@#"]
            assert ext[mb]["s3"]["owner"]["id"] == "main-id", n.name
            assert {"uri": ALL_USERS, "perm": "READ"} in ext[mb]["s3"]["acl"], n.name
            assert ext[name]["s3"]["owner"]["id"] == "main-id", n.name
        props = json.loads(requests.head(ac.url + "/v1/buckets/" + mb, timeout=5).headers["Ais-Bucket-Props"])
        assert "s3" not in props and "ext" not in props and "acl" not in json.dumps(props)
        with pytest.raises(ClientError) as e:
            _cl(ac, ALT, proxy=1).create_bucket(Bucket=name)
        assert err_of(e) == ("BucketAlreadyExists", 409)
    finally:
        second.delete_bucket(Bucket=name)


def test_refused_empty_put_then_reuse(ac, main, mb):
    """boto3 sends Expect: 100-continue even for an empty PutObject; an answer without the 100 must
    end the connection, or botocore misreads the next response on it (it hung until the timeout)"""
    alt = client(ac.url + "/s3", ak=ALT[0], sk=ALT[1], read_timeout=5)
    ab = new_bucket_name("reuse")
    alt.create_bucket(Bucket=ab)
    try:
        t0 = time.time()
        for _ in range(3):
            _denied(alt.put_object, Bucket=mb, Key="x", Body=b"")
            alt.put_object(Bucket=ab, Key="e", Body=b"")
            alt.put_object(Bucket=ab, Key="f", Body=b"data")
            assert alt.get_object(Bucket=ab, Key="f")["Body"].read() == b"data"
        assert time.time() - t0 < 4, "a request waited for its read timeout"
    finally:
        empty_and_delete(alt, ab)


def test_presigned_expires_bounds(ac, main, mb):
    """X-Amz-Expires: 1..604800 seconds; 0 (already expired), negative and above a week -> 403
    (signed by hand: the CRT-based signers refuse such values client-side)"""
    from botocore.auth import S3SigV4QueryAuth
    main.put_object(Bucket=mb, Key="p", Body=b"presigned")
    url = ac.url + "/s3/%s/p" % mb

    def presign(expires):
        req = AWSRequest(method="GET", url=url)
        S3SigV4QueryAuth(Credentials(MAIN[0], MAIN[1]), "s3", "us-east-1", expires=expires).add_auth(req)
        return req.url
    assert requests.get(presign(100000)).content == b"presigned"
    r = requests.options(presign(100000))  # preflight without Origin
    assert r.status_code == 400
    r = requests.get(presign(0))
    assert r.status_code == 403 and xml_code(r.content) == "AccessDenied"
    for bad in (-7, 604801):
        r = requests.get(presign(bad))
        assert r.status_code == 403 and xml_code(r.content) == "AuthorizationQueryParametersError", bad
