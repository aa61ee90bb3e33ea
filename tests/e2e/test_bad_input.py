"""Bad input is rejected with the right status and an AIStore JSON error, and the node keeps
serving afterwards: bad object names, malformed/unknown actions, bad ranges, oversize headers,
missing bucket/object, and a client that disconnects in the middle of a PUT."""
import json
import os
import socket
import time
import urllib.parse

import pytest
import requests

from cluster import new_bucket_name, raw_request, dial, half_close


def still_serves(cluster, bucket=None):
    for n in cluster.nodes:
        assert requests.get(n.url + "/v1/health", timeout=5).status_code == 200, n
    if bucket:
        url = cluster.obj_url(bucket, "canary")
        assert requests.put(url, data=b"canary", timeout=10).status_code == 200
        assert requests.get(url, timeout=10).content == b"canary"


def check_ais_error(r, status):
    assert r.status_code == status, (r.status_code, r.text[:300])
    err = r.json()
    assert err.get("status") == status, err
    assert isinstance(err.get("message"), str) and err["message"], err


@pytest.mark.parametrize("path", ["..", "a/../b", "../escape", "a/..", "./x/../../y", "/abs/path",
                                  "x/%2E%2E/y", "trailing/slashes//", "reserved/%25ob.leaf"])
# ("trailing/slash/" is a valid name since issue 10: an S3 directory marker, test_prefix_keys.py)
def test_invalid_object_names(cluster, bucket, path):
    # sent byte-for-byte (python-requests would normalise the dot segments away)
    for node in (cluster.primary, cluster.targets[0]):
        st, _, body = raw_request(node.url, "PUT", "/v1/objects/%s/%s" % (bucket, path),
                                  body=b"evil")
        assert st == 400, (node.name, path, st, body[:300])
        st, _, _ = raw_request(node.url, "GET", "/v1/objects/%s/%s" % (bucket, path))
        assert st in (400, 404), (node.name, path, st)
    # no file with the body landed anywhere (inside or outside the bucket's directories)
    for d, _, files in os.walk(cluster.dir):
        for f in files:
            p = os.path.join(d, f)
            if os.path.getsize(p) == 4:
                with open(p, "rb") as fh:
                    assert fh.read() != b"evil", "PUT %r created %s" % (path, p)
    still_serves(cluster, bucket)


def test_malformed_action_json(cluster):
    bck = new_bucket_name("badjson")
    for body in (b"{", b"not json", b'{"action": 5}', b"[]", b'{"action":"create-bck",}'):
        r = requests.post(cluster.url + "/v1/buckets/" + bck, data=body, timeout=10,
                          headers={"Content-Type": "application/json"})
        check_ais_error(r, 400)
    assert requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True).status_code == 404
    still_serves(cluster)


def test_unknown_action(cluster, bucket):
    for method in ("POST", "PUT", "DELETE"):
        r = requests.request(method, cluster.url + "/v1/buckets/" + bucket,
                             json={"action": "no-such-action"}, timeout=10)
        assert 400 <= r.status_code < 500 and r.status_code != 404, (method, r.status_code, r.text)
        assert r.json()["message"]
    r = requests.put(cluster.url + "/v1/cluster", json={"action": "no-such-action"}, timeout=10)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    still_serves(cluster, bucket)


def test_bad_range(cluster, bucket):
    url = cluster.obj_url(bucket, "r")
    assert requests.put(url, data=b"0123456789", timeout=10).status_code == 200
    for rng in ("bytes=20-30", "bytes=10-", "bytes=abc", "bytes=5-2", "items=0-1"):
        r = requests.get(url, headers={"Range": rng}, timeout=10)
        assert r.status_code in (400, 416), (rng, r.status_code)
    r = requests.get(url, headers={"Range": "bytes=20-30"}, timeout=10)
    assert r.status_code == 416
    r = requests.get(url, headers={"Range": "bytes=2-4"}, timeout=10)
    assert r.status_code == 206 and r.content == b"234"
    still_serves(cluster, bucket)


def test_oversize_header(cluster, bucket):
    big = "x" * (100 * 1024)
    for node in (cluster.primary, cluster.targets[0]):
        try:
            st, _, _ = raw_request(node.url, "GET", "/v1/objects/%s/r" % bucket,
                                   headers={"X-Big": big}, follow=False)
            assert st in (400, 431), (node.name, st)
        except (ConnectionResetError, BrokenPipeError):
            pytest.fail("%s reset the connection instead of answering 431/400" % node.name)
    # many headers adding up to a huge header block
    hdrs = {"X-H%d" % i: "v" * 1000 for i in range(200)}
    st, _, _ = raw_request(cluster.url, "GET", "/v1/health", headers=hdrs, follow=False)
    assert st in (400, 431), st
    still_serves(cluster, bucket)


def test_put_missing_bucket(cluster):
    bck = new_bucket_name("nobck")
    r = requests.put(cluster.obj_url(bck, "o"), data=b"data", timeout=10)
    check_ais_error(r, 404)
    r = requests.get(cluster.obj_url(bck, "o"), timeout=10)
    check_ais_error(r, 404)
    r = requests.get(cluster.url + "/v1/buckets/" + bck, json={"action": "list"}, timeout=10)
    check_ais_error(r, 404)
    still_serves(cluster)


def test_get_missing_object(cluster, bucket):
    r = requests.get(cluster.obj_url(bucket, "no/such/object"), timeout=10)
    check_ais_error(r, 404)
    assert r.headers.get("Content-Type", "").startswith("application/json")
    r = requests.head(cluster.obj_url(bucket, "no/such/object"), timeout=10, allow_redirects=True)
    assert r.status_code == 404
    r = requests.delete(cluster.obj_url(bucket, "no/such/object"), timeout=10)
    check_ais_error(r, 404)


def test_bad_method(cluster, bucket):
    r = requests.request("PATCH", cluster.obj_url(bucket, "x"), timeout=10)
    assert 400 <= r.status_code < 500, r.status_code
    r = requests.request("BREW", cluster.url + "/v1/health", timeout=10)
    assert 400 <= r.status_code < 600, r.status_code
    still_serves(cluster, bucket)


def test_garbage_request(cluster):
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"GET /v1/health HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
        s = dial("127.0.0.1", cluster.primary.port, timeout=5)
        try:
            s.sendall(junk)
            half_close(s)
            resp = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    resp += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            if resp:
                assert resp[:9] in (b"HTTP/1.1 ", b"HTTP/1.0 ") and resp[9:10] in b"45", (junk, resp[:100])
        finally:
            s.close()
    still_serves(cluster)


def test_client_disconnect_mid_put(cluster):
    bck = new_bucket_name("disconnect")
    cluster.create_bucket(bck)
    name = "half/written"
    # where does the proxy send this PUT? talk to that target directly
    r = requests.put(cluster.obj_url(bck, name), data=b"", allow_redirects=False, timeout=10)
    assert r.status_code == 307, r.status_code
    loc = urllib.parse.urlsplit(r.headers["Location"])
    path = loc.path + ("?" + loc.query if loc.query else "")
    for _ in range(3):
        s = dial(loc.hostname, loc.port, timeout=5)
        s.sendall(("PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n" %
                   (path, loc.netloc, 1 << 20)).encode())
        s.sendall(b"z" * (100 * 1024))
        time.sleep(0.1)
        s.close()
    # the object never appears, and the work files are removed
    deadline = time.time() + 10
    while time.time() < deadline:
        left = cluster.files_under(bck, "%wk") + cluster.files_under(bck, "%ob")
        if not left:
            break
        time.sleep(0.2)
    assert cluster.files_under(bck, "%ob") == []
    assert cluster.files_under(bck, "%wk") == [], "work files left behind"
    assert requests.head(cluster.obj_url(bck, name), timeout=10, allow_redirects=True).status_code == 404
    # the same target accepts the same PUT afterwards
    r = requests.put(cluster.obj_url(bck, name), data=b"z" * (1 << 20), timeout=10)
    assert r.status_code == 200
    assert requests.get(cluster.obj_url(bck, name), timeout=10).content == b"z" * (1 << 20)
    still_serves(cluster, bck)
    cluster.destroy_bucket(bck)


def test_error_json_shape(cluster, bucket):
    r = requests.get(cluster.obj_url(bucket, "missing"), timeout=10)
    err = json.loads(r.content)
    for k in ("message", "status"):
        assert k in err, err
