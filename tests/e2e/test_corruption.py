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
