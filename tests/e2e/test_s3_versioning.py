"""S3 object versioning on AIStore's native versioning (src/s3/s3_ver.c, src/obj/obj_ver.c): the
bucket states (Enabled / Suspended, never back to unversioned), retained older versions,
ListObjectVersions (IsLatest, delete markers, KeyMarker/VersionIdMarker/MaxKeys/Prefix/Delimiter
pagination), GET / HEAD / DELETE / CopyObject source / tagging / ACL / retention /
GetObjectAttributes by versionId, delete markers (x-amz-delete-marker, x-amz-version-id; GET of a
marker: 404, 405 with its versionId; deleting it restores the object), the Suspended state's "null"
version, DeleteObjects with VersionId, object lock per version, x-amz-version-id on PUT / copy /
multipart completion, and that the native API sees only the current version. Status codes, error
codes, headers and XML as AWS S3 documents them (boto3)."""
import datetime
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError

from cluster import Cluster, new_bucket_name
from s3util import client, err_of

AK, SK = "AKIDVERUSER", "ver-secret"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
MiB = 1 << 20
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def vc():
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "region": "us-east-1",
               "keys": [{"access": AK, "secret": SK, "user": "ver-id", "display_name": "Ver"}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def s3(vc):
    return client(vc.url + "/s3", ak=AK, sk=SK)


def purge(s3, bucket):
    """every version and delete marker, then the bucket"""
    try:
        for _ in range(50):
            lst = s3.list_object_versions(Bucket=bucket)
            objs = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in lst.get("Versions", []) + lst.get("DeleteMarkers", [])]
            if not objs:
                break
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objs, "Quiet": True},
                              BypassGovernanceRetention=True)
        s3.delete_bucket(Bucket=bucket)
    except Exception:
        pass


@pytest.fixture
def vb(s3):
    name = new_bucket_name("ver")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    purge(s3, name)


def body(s3, b, k, **kw):
    return s3.get_object(Bucket=b, Key=k, **kw)["Body"].read()


def versions(s3, b, **kw):
    lst = s3.list_object_versions(Bucket=b, **kw)
    return lst.get("Versions", []), lst.get("DeleteMarkers", []), lst


def test_bucket_states(s3):
    name = new_bucket_name("verst")
    s3.create_bucket(Bucket=name)
    try:
        assert "Status" not in s3.get_bucket_versioning(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
        with pytest.raises(ClientError) as e:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Disabled"})
        assert err_of(e) == ("MalformedXML", 400)
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
    finally:
        purge(s3, name)


def test_put_versions_get_each(s3, vb, vc):
    ids = []
    for i in range(3):
        r = s3.put_object(Bucket=vb, Key="k", Body=b"v%d" % i)
        ids.append(r["VersionId"])
    assert len(set(ids)) == 3 and "null" not in ids
    assert body(s3, vb, "k") == b"v2"
    for i, v in enumerate(ids):
        r = s3.get_object(Bucket=vb, Key="k", VersionId=v)
        assert r["Body"].read() == b"v%d" % i
        assert r["VersionId"] == v
        h = s3.head_object(Bucket=vb, Key="k", VersionId=v)
        assert h["ContentLength"] == 2 and h["VersionId"] == v
    vers, dms, _ = versions(s3, vb)
    assert [v["VersionId"] for v in vers] == ids[::-1]
    assert [v["IsLatest"] for v in vers] == [True, False, False]
    assert not dms
    # the native API sees the current version only
    r = requests.get(vc.url + "/v1/objects/%s/k?provider=ais" % vb)
    assert r.status_code == 200 and r.content == b"v2"
    r = requests.get(vc.url + "/v1/buckets/%s?provider=ais" % vb, json={"action": "list", "value": {}})
    assert r.status_code == 200
    names = [e["name"] for e in (r.json().get("entries") or [])]
    assert names == ["k"]


def test_bad_and_missing_version_ids(s3, vb):
    s3.put_object(Bucket=vb, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="k", VersionId="bogus-id")
    assert err_of(e) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="k", VersionId="987654")
    assert err_of(e) == ("NoSuchVersion", 404)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=vb, Key="k", VersionId="987654")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # deleting a version that does not exist: 204, nothing changes
    r = s3.delete_object(Bucket=vb, Key="k", VersionId="987654")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert body(s3, vb, "k") == b"x"


def test_delete_marker(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="d", Body=b"one")["VersionId"]
    r = s3.delete_object(Bucket=vb, Key="d")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert r["DeleteMarker"] is True
    dm = r["VersionId"]
    assert dm and dm not in ("null", v1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="d")
    assert err_of(e) == ("NoSuchKey", 404)
    hdrs = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs["x-amz-delete-marker"] == "true" and hdrs["x-amz-version-id"] == dm
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=vb, Key="d")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="d", VersionId=dm)
    assert err_of(e) == ("MethodNotAllowed", 405)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    # the old version is still readable by id, and listed
    assert body(s3, vb, "d", VersionId=v1) == b"one"
    vers, dms, _ = versions(s3, vb)
    assert [(v["VersionId"], v["IsLatest"]) for v in vers] == [(v1, False)]
    assert [(m["VersionId"], m["IsLatest"], m["Key"]) for m in dms] == [(dm, True, "d")]
    assert "list" and "Contents" not in s3.list_objects_v2(Bucket=vb)
    # removing the marker restores the object
    r = s3.delete_object(Bucket=vb, Key="d", VersionId=dm)
    assert r["DeleteMarker"] is True and r["VersionId"] == dm
    assert body(s3, vb, "d") == b"one"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vb)["Contents"]] == ["d"]


def test_stacked_markers_and_delete_current(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="s", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=vb, Key="s", Body=b"2")["VersionId"]
    m1 = s3.delete_object(Bucket=vb, Key="s")["VersionId"]
    m2 = s3.delete_object(Bucket=vb, Key="s")["VersionId"]
    vers, dms, _ = versions(s3, vb)
    assert [m["VersionId"] for m in dms] == [m2, m1]
    assert [m["IsLatest"] for m in dms] == [True, False]
    s3.delete_object(Bucket=vb, Key="s", VersionId=m2)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="s")
    assert err_of(e) == ("NoSuchKey", 404)
    s3.delete_object(Bucket=vb, Key="s", VersionId=m1)
    assert body(s3, vb, "s") == b"2"
    # deleting the current version makes the previous one current
    r = s3.delete_object(Bucket=vb, Key="s", VersionId=v2)
    assert r["VersionId"] == v2 and "DeleteMarker" not in r
    assert body(s3, vb, "s") == b"1"
    s3.delete_object(Bucket=vb, Key="s", VersionId=v1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vb, Key="s")
    assert err_of(e) == ("NoSuchKey", 404)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "false"
    vers, dms, _ = versions(s3, vb)
    assert not vers and not dms


def test_suspended_null_version(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="n", Body=b"enabled")["VersionId"]
    s3.put_bucket_versioning(Bucket=vb, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vb, Key="n", Body=b"null-1")
    s3.put_object(Bucket=vb, Key="n", Body=b"null-2")  # replaces the null version
    vers, _, _ = versions(s3, vb)
    assert [(v["VersionId"], v["IsLatest"]) for v in vers] == [("null", True), (v1, False)]
    assert body(s3, vb, "n", VersionId="null") == b"null-2"
    # a DELETE in a suspended bucket: a null delete marker replaces the null version
    r = s3.delete_object(Bucket=vb, Key="n")
    assert r["DeleteMarker"] is True and r["VersionId"] == "null"
    vers, dms, _ = versions(s3, vb)
    assert [v["VersionId"] for v in vers] == [v1]
    assert [(m["VersionId"], m["IsLatest"]) for m in dms] == [("null", True)]
    s3.put_bucket_versioning(Bucket=vb, VersioningConfiguration={"Status": "Enabled"})
    v3 = s3.put_object(Bucket=vb, Key="n", Body=b"again")["VersionId"]
    assert v3 not in ("null", v1)
    vers, dms, _ = versions(s3, vb)
    assert [v["VersionId"] for v in vers] == [v3, v1]
    assert [m["VersionId"] for m in dms] == ["null"]


def test_null_version_from_before_versioning(s3):
    name = new_bucket_name("vernull")
    s3.create_bucket(Bucket=name)
    try:
        s3.put_object(Bucket=name, Key="old", Body=b"before")
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        v = s3.put_object(Bucket=name, Key="old", Body=b"after")["VersionId"]
        vers, _, _ = versions(s3, name)
        assert [x["VersionId"] for x in vers] == [v, "null"]
        assert body(s3, name, "old", VersionId="null") == b"before"
        s3.delete_object(Bucket=name, Key="old", VersionId="null")
        vers, _, _ = versions(s3, name)
        assert [x["VersionId"] for x in vers] == [v]
    finally:
        purge(s3, name)


def test_list_versions_pagination(s3, vb):
    want = []
    for k in ["a", "b/x", "b/y", "c"]:
        for i in range(2):
            want.append((k, s3.put_object(Bucket=vb, Key=k, Body=b"%d" % i)["VersionId"]))
    # newest first within a key
    want = sorted(want, key=lambda kv: (kv[0], -int(kv[1])))
    got, km, vm = [], None, None
    pages = 0
    while True:
        kw = {"MaxKeys": 3}
        if km is not None:
            kw.update(KeyMarker=km, VersionIdMarker=vm)
        vers, dms, lst = versions(s3, vb, **kw)
        pages += 1
        got += [(v["Key"], v["VersionId"]) for v in vers]
        assert len(vers) <= 3
        if not lst["IsTruncated"]:
            break
        km, vm = lst["NextKeyMarker"], lst["NextVersionIdMarker"]
    assert got == want and pages == 3
    # delimiter: the common prefix counts once
    vers, dms, lst = versions(s3, vb, Delimiter="/")
    assert [p["Prefix"] for p in lst["CommonPrefixes"]] == ["b/"]
    assert sorted({v["Key"] for v in vers}) == ["a", "c"]
    vers, dms, lst = versions(s3, vb, Prefix="b/")
    assert {v["Key"] for v in vers} == {"b/x", "b/y"} and len(vers) == 4
    # a key marker alone skips all of that key's versions
    vers, _, _ = versions(s3, vb, KeyMarker="b/y")
    assert {v["Key"] for v in vers} == {"c"}


def test_copy_from_version(s3, vb):
    # several source keys so that sources land on different targets than destinations
    for i in range(6):
        k = "src%d" % i
        v1 = s3.put_object(Bucket=vb, Key=k, Body=b"first%d" % i)["VersionId"]
        s3.put_object(Bucket=vb, Key=k, Body=b"second%d" % i)
        r = s3.copy_object(Bucket=vb, Key="dst%d" % i, CopySource={"Bucket": vb, "Key": k, "VersionId": v1})
        assert r["CopySourceVersionId"] == v1
        assert r["VersionId"] and r["VersionId"] != "null"
        assert body(s3, vb, "dst%d" % i) == b"first%d" % i
    m = s3.delete_object(Bucket=vb, Key="src0")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=vb, Key="dstm", CopySource={"Bucket": vb, "Key": "src0", "VersionId": m})
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=vb, Key="dstm", CopySource={"Bucket": vb, "Key": "src0", "VersionId": "424242"})
    assert err_of(e) == ("NoSuchVersion", 404)


def test_subresources_by_version(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="t", Body=b"1", Tagging="a=1")["VersionId"]
    v2 = s3.put_object(Bucket=vb, Key="t", Body=b"22", Tagging="a=2")["VersionId"]
    assert s3.get_object_tagging(Bucket=vb, Key="t", VersionId=v1)["TagSet"] == [{"Key": "a", "Value": "1"}]
    r = s3.get_object_tagging(Bucket=vb, Key="t")
    assert r["TagSet"] == [{"Key": "a", "Value": "2"}] and r["VersionId"] == v2
    s3.put_object_tagging(Bucket=vb, Key="t", VersionId=v1, Tagging={"TagSet": [{"Key": "b", "Value": "x"}]})
    assert s3.get_object_tagging(Bucket=vb, Key="t", VersionId=v1)["TagSet"] == [{"Key": "b", "Value": "x"}]
    assert s3.get_object_tagging(Bucket=vb, Key="t", VersionId=v2)["TagSet"] == [{"Key": "a", "Value": "2"}]
    a = s3.get_object_attributes(Bucket=vb, Key="t", VersionId=v1, ObjectAttributes=["ObjectSize", "ETag"])
    assert a["ObjectSize"] == 1 and a["VersionId"] == v1
    s3.put_object_acl(Bucket=vb, Key="t", VersionId=v1, ACL="public-read")
    g1 = s3.get_object_acl(Bucket=vb, Key="t", VersionId=v1)["Grants"]
    g2 = s3.get_object_acl(Bucket=vb, Key="t", VersionId=v2)["Grants"]
    assert len(g1) == 2 and len(g2) == 1
    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=vb, Key="t", VersionId="31337")
    assert err_of(e) == ("NoSuchVersion", 404)


def test_multi_delete_versions(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="m", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=vb, Key="m", Body=b"2")["VersionId"]
    r = s3.delete_objects(Bucket=vb, Delete={"Objects": [{"Key": "m", "VersionId": v1}, {"Key": "x"}]})
    dele = {d["Key"]: d for d in r["Deleted"]}
    assert dele["m"]["VersionId"] == v1
    assert dele["x"]["DeleteMarker"] is True and dele["x"]["DeleteMarkerVersionId"]
    vers, dms, _ = versions(s3, vb)
    assert [v["VersionId"] for v in vers] == [v2]
    assert [m["Key"] for m in dms] == ["x"]
    r = s3.delete_objects(Bucket=vb, Delete={"Objects": [{"Key": "x", "VersionId": dms[0]["VersionId"]}]})
    assert r["Deleted"][0]["DeleteMarker"] is True
    assert r["Deleted"][0]["DeleteMarkerVersionId"] == dms[0]["VersionId"]
    _, dms, _ = versions(s3, vb)
    assert not dms


def test_multipart_version(s3, vb):
    v1 = s3.put_object(Bucket=vb, Key="mp", Body=b"small")["VersionId"]
    up = s3.create_multipart_upload(Bucket=vb, Key="mp")["UploadId"]
    parts = []
    for n in (1, 2):
        e = s3.upload_part(Bucket=vb, Key="mp", UploadId=up, PartNumber=n, Body=b"%d" % n * (5 * MiB if n == 1 else 10))
        parts.append({"PartNumber": n, "ETag": e["ETag"]})
    r = s3.complete_multipart_upload(Bucket=vb, Key="mp", UploadId=up, MultipartUpload={"Parts": parts})
    v2 = r["VersionId"]
    assert v2 and v2 not in ("null", v1)
    assert len(body(s3, vb, "mp")) == 5 * MiB + 10
    assert body(s3, vb, "mp", VersionId=v1) == b"small"
    # the multipart version retained when overwritten, readable whole
    s3.put_object(Bucket=vb, Key="mp", Body=b"third")
    got = body(s3, vb, "mp", VersionId=v2)
    assert len(got) == 5 * MiB + 10 and got[:1] == b"1" and got[-1:] == b"2"


def test_object_lock_per_version(s3):
    name = new_bucket_name("verlock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        until = datetime.datetime.now(UTC) + datetime.timedelta(days=1)
        v1 = s3.put_object(Bucket=name, Key="l", Body=b"1", ObjectLockMode="GOVERNANCE",
                           ObjectLockRetainUntilDate=until)["VersionId"]
        # overwriting and a DELETE without versionId are allowed (new version, delete marker)
        v2 = s3.put_object(Bucket=name, Key="l", Body=b"2")["VersionId"]
        r = s3.delete_object(Bucket=name, Key="l")
        assert r["DeleteMarker"] is True
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=name, Key="l", VersionId=v1)
        assert err_of(e) == ("AccessDenied", 403)
        assert s3.get_object_retention(Bucket=name, Key="l", VersionId=v1)["Retention"]["Mode"] == "GOVERNANCE"
        with pytest.raises(ClientError) as e:
            s3.get_object_retention(Bucket=name, Key="l", VersionId=v2)
        assert err_of(e)[1] == 404
        s3.put_object_legal_hold(Bucket=name, Key="l", VersionId=v2, LegalHold={"Status": "ON"})
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=name, Key="l", VersionId=v2)
        assert err_of(e) == ("AccessDenied", 403)
        s3.put_object_legal_hold(Bucket=name, Key="l", VersionId=v2, LegalHold={"Status": "OFF"})
        s3.delete_object(Bucket=name, Key="l", VersionId=v2)
        r = s3.delete_object(Bucket=name, Key="l", VersionId=v1, BypassGovernanceRetention=True)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
        # versioning of an object-lock bucket cannot be suspended
        with pytest.raises(ClientError) as e:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        assert err_of(e)[1] == 409
    finally:
        purge(s3, name)


def test_raw_xml_and_headers(s3, vb, vc):
    v1 = s3.put_object(Bucket=vb, Key="r", Body=b"1")["VersionId"]
    m = s3.delete_object(Bucket=vb, Key="r")["VersionId"]
    url = s3.generate_presigned_url("list_object_versions", Params={"Bucket": vb})
    r = requests.get(url)
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert root.tag == NS + "ListVersionsResult"
    kids = [c.tag[len(NS):] for c in root]
    assert kids.index("Name") < kids.index("KeyMarker") < kids.index("IsTruncated")
    dm = root.find(NS + "DeleteMarker")
    assert dm.findtext(NS + "VersionId") == m and dm.findtext(NS + "IsLatest") == "true"
    assert dm.find(NS + "Size") is None and dm.find(NS + "Owner/" + NS + "ID").text == "ver-id"
    v = root.find(NS + "Version")
    assert v.findtext(NS + "VersionId") == v1 and v.findtext(NS + "IsLatest") == "false"
    assert v.findtext(NS + "Size") == "1" and v.findtext(NS + "StorageClass") == "STANDARD"
    url = s3.generate_presigned_url("get_object", Params={"Bucket": vb, "Key": "r", "VersionId": m})
    r = requests.get(url)
    assert r.status_code == 405 and r.headers["x-amz-delete-marker"] == "true"
    assert r.headers["x-amz-version-id"] == m
    assert ET.fromstring(r.content).findtext("Code") == "MethodNotAllowed"


def test_delete_bucket_with_versions_left(s3):
    name = new_bucket_name("verdel")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    try:
        v = s3.put_object(Bucket=name, Key="x", Body=b"1")["VersionId"]
        s3.delete_object(Bucket=name, Key="x")  # only a version and a marker are left
        assert "Contents" not in s3.list_objects_v2(Bucket=name)
        with pytest.raises(ClientError) as e:
            s3.delete_bucket(Bucket=name)
        assert err_of(e) == ("BucketNotEmpty", 409)
        s3.delete_object(Bucket=name, Key="x", VersionId=v)
        with pytest.raises(ClientError) as e:
            s3.delete_bucket(Bucket=name)
        assert err_of(e) == ("BucketNotEmpty", 409)
        _, dms, _ = versions(s3, name)
        s3.delete_object(Bucket=name, Key="x", VersionId=dms[0]["VersionId"])
        s3.delete_bucket(Bucket=name)
    finally:
        purge(s3, name)


def test_post_object_keeps_versions(s3, vb, vc):
    v1 = s3.put_object(Bucket=vb, Key="p", Body=b"put")["VersionId"]
    post = s3.generate_presigned_post(vb, "p")
    r = requests.post(vc.url + "/s3/" + vb, data=post["fields"], files={"file": ("p", b"posted")})
    assert r.status_code == 204, r.text
    v2 = r.headers["x-amz-version-id"]
    assert v2 != v1
    assert body(s3, vb, "p") == b"posted"
    assert body(s3, vb, "p", VersionId=v1) == b"put"


def test_copy_source_version_of_unversioned_bucket(s3):
    """an unversioned bucket's object answers to "null" and to its native version"""
    name = new_bucket_name("vernat")
    s3.create_bucket(Bucket=name)
    try:
        s3.put_object(Bucket=name, Key="s", Body=b"native")
        for i, vid in enumerate(["null", "1"]):
            s3.copy_object(Bucket=name, Key="d%d" % i, CopySource={"Bucket": name, "Key": "s", "VersionId": vid})
            assert body(s3, name, "d%d" % i) == b"native"
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=name, Key="d9", CopySource={"Bucket": name, "Key": "s", "VersionId": "2"})
        assert err_of(e) == ("NoSuchVersion", 404)
        with pytest.raises(ClientError) as e:
            s3.get_object(Bucket=name, Key="s", VersionId="2")
        assert err_of(e) == ("NoSuchVersion", 404)
        assert body(s3, name, "s", VersionId="null") == b"native"
    finally:
        purge(s3, name)
