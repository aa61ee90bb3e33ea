"""Bit rot on disk: with checksum.validate_warm_get on, a GET of a corrupted object must fail
(never a 200 with bad bytes); without validation the damage is not our promise to detect."""
import os

import requests

from cluster import new_bucket_name


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


def test_corrupted_object_not_served(cluster):
    bck = new_bucket_name("rot")
    cluster.create_bucket(bck, props={"checksum": {"validate_warm_get": True}})
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
    import json
    assert json.loads(r.headers["Ais-Bucket-Props"])["checksum"]["validate_warm_get"] is True

    objs = {"small": os.urandom(1000), "big": os.urandom(3 << 20), "dir/nested": os.urandom(70000)}
    for name, body in objs.items():
        assert requests.put(cluster.obj_url(bck, name), data=body, timeout=30).status_code == 200
        # intact objects read fine with validation on
        r = requests.get(cluster.obj_url(bck, name), timeout=30)
        assert r.status_code == 200 and r.content == body

    for name, body in objs.items():
        files = cluster.object_files(bck, name)
        assert len(files) == 1, files
        path = files[0][2]
        flip(path, len(body) // 2)
        try:
            r = requests.get(cluster.obj_url(bck, name), timeout=30)
            assert r.status_code != 200, "%s: corrupted object served with 200" % name
            assert r.status_code >= 400, (name, r.status_code)
        except requests.exceptions.ChunkedEncodingError:
            pass  # aborted mid-body is an acceptable failure mode too
        except requests.exceptions.ConnectionError:
            pass
        # the node is fine afterwards
        assert requests.get(cluster.url + "/v1/health", timeout=5).status_code == 200
        # a range read of the damaged object must not be served as good data either
        r2 = requests.get(cluster.obj_url(bck, name), headers={"Range": "bytes=0-9"}, timeout=30)
        if r2.status_code in (200, 206):
            assert r2.content == body[:10]
    # a fresh PUT over the damaged object restores it
    body = os.urandom(5000)
    assert requests.put(cluster.obj_url(bck, "small"), data=body, timeout=30).status_code == 200
    r = requests.get(cluster.obj_url(bck, "small"), timeout=30)
    assert r.status_code == 200 and r.content == body
    cluster.destroy_bucket(bck)


import pytest  # noqa: E402


@pytest.mark.parametrize("change", [("truncated", 4000), ("extended", 8192 + 100)])
def test_size_mismatch_never_served_by_default(cluster, bucket, change):
    """issue 17's cases with the default validate_warm_get (off): a truncated (4000 of 8192 bytes)
    or extended (+100 bytes) object file is a 500 naming the size, never 200 with the wrong
    bytes or length: GET (whole and range, via the proxy and direct at the owner) and HEAD"""
    what, size = change
    body = os.urandom(8192)
    assert requests.put(cluster.obj_url(bucket, "sz"), data=body, timeout=30).status_code == 200
    tgt, _, path = cluster.object_files(bucket, "sz")[0]
    os.truncate(path, size)
    if what == "extended":
        with open(path, "r+b") as f:  # the extension is data, not a hole
            f.seek(8192)
            f.write(os.urandom(100))
    direct = "%s/v1/objects/%s/sz" % (tgt.url, bucket)
    for url in (cluster.obj_url(bucket, "sz"), direct):
        r = requests.get(url, timeout=30)
        assert r.status_code == 500 and "size on disk %d does not match its metadata (8192)" % size in r.json()["message"], (url, r.status_code)
        r = requests.get(url, headers={"Range": "bytes=0-99"}, timeout=30)
        assert r.status_code == 500, (url, r.status_code)
        r = requests.head(url, timeout=30, allow_redirects=True)
        assert r.status_code == 500, (url, r.status_code)
    # a fresh PUT heals it
    assert requests.put(cluster.obj_url(bucket, "sz"), data=body, timeout=30).status_code == 200
    assert requests.get(cluster.obj_url(bucket, "sz"), timeout=30).content == body
