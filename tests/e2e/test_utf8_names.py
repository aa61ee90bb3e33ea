"""Invalid UTF-8: a native object name that is not UTF-8 is a 400 with a clear message (at the
proxy and at a target, nothing stored; regression: it was stored and then listed with an empty
name), and S3 listing parameters (prefix, continuation-token, start-after, marker, delimiter)
and keys that are not UTF-8 are 400 InvalidArgument with a message (regression: 500
InternalError with an empty message). Error bodies stay valid JSON / XML."""
import json
import xml.etree.ElementTree as ET

import pytest
import requests

from cluster import new_bucket_name, raw_request
from s3util import client, empty_and_delete

T = 10


@pytest.fixture(scope="module")
def s3(cluster):
    return client(cluster.url + "/s3")


@pytest.mark.parametrize("name", ["bad%FFname", "dir/%C3", "%ED%A0%80surrogate", "%C0%AFoverlong"])
def test_native_invalid_utf8_name(cluster, bucket, name):
    for node in (cluster.primary, cluster.targets[0]):
        st, _, body = raw_request(node.url, "PUT", "/v1/objects/%s/%s" % (bucket, name), body=b"data")
        assert st == 400, (node.name, st, body[:200])
        err = json.loads(body.decode("utf-8"))  # well-formed UTF-8 JSON
        assert "not valid UTF-8" in err["message"] and "\\x" in err["message"], err
        st, _, body = raw_request(node.url, "GET", "/v1/objects/%s/%s" % (bucket, name))
        assert st == 400, (node.name, st)
    entries, _ = cluster.list_objects(bucket)
    assert entries == [], entries
    assert cluster.files_under(bucket, "%ob") == [] and cluster.files_under(bucket, "%wk") == []
    # valid UTF-8 is fine
    good = "caf\u00e9/\u65e5\u672c"
    assert requests.put(cluster.obj_url(bucket, good), data=b"ok", timeout=T).status_code == 200
    assert [e["name"] for e in cluster.list_objects(bucket)[0]] == [good]


def s3_err(body):
    root = ET.fromstring(body)  # well-formed XML
    return root.findtext("Code"), root.findtext("Message")


@pytest.mark.parametrize("query", ["list-type=2&prefix=%FF", "list-type=2&continuation-token=%FFab",
                                   "list-type=2&start-after=a%C3", "marker=%ED%A0%80", "delimiter=%FF",
                                   "list-type=2&prefix=ok&start-after=%80"])
def test_s3_list_invalid_utf8_params(cluster, s3, query):
    bck = new_bucket_name("s3u")
    s3.create_bucket(Bucket=bck)
    try:
        st, _, body = raw_request(cluster.url, "GET", "/s3/%s?%s" % (bck, query))
        assert st == 400, (st, body[:300])
        code, msg = s3_err(body)
        assert code == "InvalidArgument" and msg and "UTF-8" in msg, (code, msg)
        # valid parameters still list
        st, _, body = raw_request(cluster.url, "GET", "/s3/%s?list-type=2&prefix=%%C3%%A9" % bck)
        assert st == 200, body[:300]
    finally:
        empty_and_delete(s3, bck)


def test_s3_invalid_utf8_key(cluster, s3):
    bck = new_bucket_name("s3k")
    s3.create_bucket(Bucket=bck)
    try:
        for method in ("PUT", "GET", "HEAD"):
            st, _, body = raw_request(cluster.url, method, "/s3/%s/bad%%FFkey" % bck,
                                      body=b"data" if method == "PUT" else None)
            assert st == 400, (method, st, body[:300])
            if method != "HEAD":
                code, msg = s3_err(body)
                assert code == "InvalidArgument" and "not valid UTF-8" in msg, (code, msg)
        assert s3.list_objects_v2(Bucket=bck).get("KeyCount") == 0
    finally:
        empty_and_delete(s3, bck)
