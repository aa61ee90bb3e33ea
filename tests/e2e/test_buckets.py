"""Bucket lifecycle through the proxy: create, HEAD (props), list, set-bprops, destroy, bad names."""
import json

import requests

from cluster import new_bucket_name


def head_props(cluster, bck):
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
    assert r.status_code == 200, (r.status_code, r.headers)
    raw = r.headers.get("Ais-Bucket-Props")
    assert raw, "no Ais-Bucket-Props header: %s" % dict(r.headers)
    return json.loads(raw)


def list_buckets(cluster):
    r = requests.get(cluster.url + "/v1/buckets/", json={"action": "list"}, timeout=5)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json() or []


def test_create_head_list_destroy(cluster):
    bck = new_bucket_name("bk")
    r = requests.post(cluster.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)

    props = head_props(cluster, bck)
    assert props["provider"] == "ais"
    assert props["checksum"]["type"] == "xxhash2"  # inherited from the cluster config
    assert props["versioning"]["enabled"] is True

    bcks = list_buckets(cluster)
    mine = [b for b in bcks if b["name"] == bck]
    assert len(mine) == 1, bcks
    assert mine[0]["provider"] == "ais"

    # every node learns about the bucket (metasync of the BMD): HEAD on each target answers 200
    for t in cluster.targets:
        r = requests.head(t.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
        assert r.status_code == 200, (t, r.status_code)

    r = cluster.destroy_bucket(bck)
    assert r.status_code == 200, (r.status_code, r.text)
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
    assert r.status_code == 404, r.status_code
    assert bck not in [b["name"] for b in list_buckets(cluster)]


def test_create_twice_conflicts(cluster, bucket):
    r = requests.post(cluster.url + "/v1/buckets/" + bucket, json={"action": "create-bck"}, timeout=10)
    assert r.status_code == 409, (r.status_code, r.text)
    err = r.json()
    assert err["status"] == 409 and err["message"], err


def test_destroy_missing_is_404(cluster):
    r = cluster.destroy_bucket(new_bucket_name("missing"))
    assert r.status_code == 404, (r.status_code, r.text)
    assert r.json()["status"] == 404


def test_head_missing_is_404(cluster):
    r = requests.head(cluster.url + "/v1/buckets/" + new_bucket_name("missing"), timeout=5, allow_redirects=True)
    assert r.status_code == 404


def test_set_bprops(cluster, bucket):
    cluster.set_bprops(bucket, {"checksum": {"type": "md5"}})
    assert head_props(cluster, bucket)["checksum"]["type"] == "md5"
    # an object PUT afterwards carries an md5 checksum (the body's md5, hex)
    import hashlib
    body = b"checksum me" * 1000
    r = requests.put(cluster.obj_url(bucket, "o"), data=body, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    r = requests.head(cluster.obj_url(bucket, "o"), timeout=10, allow_redirects=True)
    assert r.status_code == 200
    assert r.headers["Ais-Checksum-Type"] == "md5"
    assert r.headers["Ais-Checksum-Value"] == hashlib.md5(body).hexdigest()
    # other props survive a partial update
    cluster.set_bprops(bucket, {"versioning": {"enabled": False}})
    p = head_props(cluster, bucket)
    assert p["checksum"]["type"] == "md5" and p["versioning"]["enabled"] is False


def test_set_bprops_invalid(cluster, bucket):
    r = requests.patch(cluster.url + "/v1/buckets/" + bucket,
                       json={"action": "set-bprops", "value": {"checksum": {"type": "no-such-hash"}}},
                       timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert head_props(cluster, bucket)["checksum"]["type"] == "xxhash2"


def test_invalid_bucket_names(cluster):
    for name in ("a..b", "bad*name", "bad%20name", "x" * 65, ".hidden", "semi;colon"):
        r = requests.post(cluster.url + "/v1/buckets/" + name, json={"action": "create-bck"},
                          timeout=10)
        assert r.status_code == 400, (name, r.status_code, r.text)
    names = [b["name"] for b in list_buckets(cluster)]
    assert not any(n in names for n in ("a..b", "bad*name", "bad name", "x" * 65))


def test_destroy_removes_objects(cluster):
    bck = new_bucket_name("bkobj")
    cluster.create_bucket(bck)
    for i in range(10):
        r = requests.put(cluster.obj_url(bck, "o%d" % i), data=b"x" * i, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
    assert cluster.files_under(bck, "%ob")
    assert cluster.destroy_bucket(bck).status_code == 200
    # recreate: the old objects must not reappear
    cluster.create_bucket(bck)
    r = requests.get(cluster.obj_url(bck, "o3"), timeout=10)
    assert r.status_code == 404, (r.status_code, r.text)
    entries, _ = cluster.list_objects(bck)
    assert entries == []
    cluster.destroy_bucket(bck)


def test_set_bprops_not_implemented_is_501(cluster, bucket):
    """Props this build does not act on cannot be switched on: 501, and nothing changes (they
    used to be accepted with 200 and ignored)."""
    before = head_props(cluster, bucket)
    for value in ({"lru": {"enabled": True}, "versioning": {"enabled": False}}, {"features": "Fsync-PUT"},
                  {"lru": {"enabled": True}}, {"write_policy": {"md": "never"}},
                  {"chunks": {"objsize_limit": "1MiB"}}, {"backend_bck": {"name": "b", "provider": "aws"}},
                  {"rate_limit": {"frontend": {"enabled": True}}}, {"access": "1"},
                  {"checksum": {"type": "md5"}, "lru": {"enabled": True}}):
        r = requests.patch(cluster.url + "/v1/buckets/" + bucket,
                           json={"action": "set-bprops", "value": value}, timeout=10)
        assert r.status_code == 501, (value, r.status_code, r.text)
        assert "not implemented" in r.json()["message"], r.text
    assert head_props(cluster, bucket) == before
    # bad input is 400, also unchanged
    for value in ({"no_such_prop": 1}, {"checksum": {"tpye": "md5"}}, {"provider": "aws"},
                  {"mirror": {"copies": 99}}, {"checksum": "md5"}):
        r = requests.patch(cluster.url + "/v1/buckets/" + bucket,
                           json={"action": "set-bprops", "value": value}, timeout=10)
        assert r.status_code == 400, (value, r.status_code, r.text)
    assert head_props(cluster, bucket) == before
    # what is stored without asking for behaviour, and the current value of a NIY prop, are fine
    cluster.set_bprops(bucket, {"mirror": {"copies": 4, "enabled": False}, "lru": {"dont_evict_time": "3h"}})
    p = head_props(cluster, bucket)
    assert p["mirror"]["copies"] == 4 and p["lru"]["dont_evict_time"] == "3h"


def test_create_with_unsupported_props_is_501(cluster):
    bck = new_bucket_name("niy")
    r = requests.post(cluster.url + "/v1/buckets/" + bck,
                      json={"action": "create-bck", "value": {"lru": {"enabled": True}}}, timeout=10)
    assert r.status_code == 501, (r.status_code, r.text)
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5, allow_redirects=True)
    assert r.status_code == 404, "a rejected create-bck left a bucket behind"


def test_default_props_follow_aistore(cluster, bucket):
    p = head_props(cluster, bucket)
    assert p["lru"]["enabled"] is False  # ais:// buckets never evict
    assert p["write_policy"] == {"data": "immediate", "md": "immediate"}
    assert p["access"] == "18446744073709551615"  # AccessAll
    assert p["mirror"]["enabled"] is False and p["ec"]["enabled"] is False
    assert set(p["rate_limit"]) == {"backend", "frontend"}
