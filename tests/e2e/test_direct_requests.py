"""Requests sent straight to a target (without the proxy's redirect marker, query params pid +
utm): a target that does not own the object by HRW refuses writes with AIStore's "is expected to
be redirected" error (400) and stores nothing (regression: a direct PUT to a non-owner was stored
with 200 and then invisible through the proxy), and sends reads to the owner (GET 301, HEAD
307); the owner itself serves direct requests (aisloader -direct); marked requests (the proxy's
redirects, target-to-target copies) are served wherever they land."""
import requests

from cluster import redirect_params, hrw_pick, new_bucket_name, uname

T = 10


def owner_and_other(cluster, bck, name):
    smap = cluster.smap()["tmap"]
    oid = hrw_pick(uname(bck, name), list(smap.keys()))
    by_url = {t.url: t for t in cluster.targets}
    owner = by_url[smap[oid]["public_net"]["direct_url"]]
    other = next(t for t in cluster.targets if t is not owner)
    return owner, other, oid


def test_direct_put_to_non_owner_is_refused(cluster, bucket):
    name = "direct/put-me"
    owner, other, oid = owner_and_other(cluster, bucket, name)
    r = requests.put("%s/v1/objects/%s/%s" % (other.url, bucket, name), data=b"x" * 1000, timeout=T)
    assert r.status_code == 400, (r.status_code, r.text)
    msg = r.json()["message"]
    assert "PUT(obj) is expected to be redirected" in msg and oid in msg, msg
    assert cluster.object_files(bucket, name) == []
    assert not [p for p in cluster.files_under(bucket, "%wk")], "work file left behind"
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).status_code == 404
    # the owner takes it directly (aisloader -direct, bench), and the proxy sees it
    r = requests.put("%s/v1/objects/%s/%s" % (owner.url, bucket, name), data=b"y" * 10, timeout=T)
    assert r.status_code == 200, r.text
    assert [f[0] for f in cluster.object_files(bucket, name)] == [owner]
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).content == b"y" * 10
    # the proxy's redirect carries the marker ...
    r = requests.put("%s/v1/objects/%s/%s" % (cluster.url, bucket, name), data=b"z" * 7,
                     allow_redirects=False, timeout=T)
    assert r.status_code == 307 and "pid=" in r.headers["Location"] and "utm=" in r.headers["Location"]
    # ... and a marked request is served where it lands, as AIStore does (its Smap may be newer) -
    # when the mark is signed with the cluster key (docs/security.md): a forged mark is refused
    marked = next("marked-%d" % i for i in range(1000)
                  if owner_and_other(cluster, bucket, "marked-%d" % i)[0] is not other)
    r = requests.put("%s/v1/objects/%s/%s" % (other.url, bucket, marked), params={"pid": "px", "utm": "1"},
                     data=b"m", timeout=T)
    assert r.status_code == 401, r.text
    path = "/v1/objects/%s/%s" % (bucket, marked)
    r = requests.put(other.url + path, data=b"m", timeout=T,
                     params=redirect_params(cluster.cluster_key_hex, "PUT", path, "px", cluster.node_id(other)))
    assert r.status_code == 200, r.text
    assert [f[0] for f in cluster.object_files(bucket, marked)] == [other]


def test_direct_delete_and_rename_at_non_owner_refused(cluster, bucket):
    name = "keep-me"
    owner, other, _ = owner_and_other(cluster, bucket, name)
    assert requests.put(cluster.obj_url(bucket, name), data=b"k", timeout=T).status_code == 200
    r = requests.delete("%s/v1/objects/%s/%s" % (other.url, bucket, name), timeout=T)
    assert r.status_code == 400 and "DELETE(obj) is expected to be redirected" in r.json()["message"], r.text
    r = requests.post("%s/v1/objects/%s/%s" % (other.url, bucket, name),
                      json={"action": "rename-obj", "name": "renamed"}, timeout=T)
    assert r.status_code == 400, r.text
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).content == b"k"
    # the owner deletes it directly
    assert requests.delete("%s/v1/objects/%s/%s" % (owner.url, bucket, name), timeout=T).status_code == 200
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).status_code == 404


def test_direct_get_head_at_non_owner_redirected(cluster, bucket):
    name = "read/me please"
    owner, other, _ = owner_and_other(cluster, bucket, name)
    assert requests.put(cluster.obj_url(bucket, name), data=b"payload", timeout=T).status_code == 200
    url = "%s/v1/objects/%s/%s" % (other.url, bucket, requests.utils.quote(name))
    r = requests.get(url, params={"provider": "ais"}, allow_redirects=False, timeout=T)
    assert r.status_code == 301, r.status_code
    loc = r.headers["Location"]
    assert loc.startswith(owner.url + "/v1/objects/") and "provider=ais" in loc and "pid=" in loc, loc
    r = requests.head(url, allow_redirects=False, timeout=T)
    assert r.status_code == 307 and r.headers["Location"].startswith(owner.url)
    # followed, it is the object
    r = requests.get(url, timeout=T)
    assert r.status_code == 200 and r.content == b"payload"
    assert requests.head(url, allow_redirects=True, timeout=T).headers["Content-Length"] == "7"
    # the owner serves it directly
    r = requests.get("%s/v1/objects/%s/%s" % (owner.url, bucket, requests.utils.quote(name)),
                     allow_redirects=False, timeout=T)
    assert r.status_code == 200 and r.content == b"payload"


def test_copy_between_targets_still_works(cluster):
    """target-to-target movers address the owner with the marker: object_to across targets"""
    bck = new_bucket_name("cp")
    cluster.create_bucket(bck)
    ids = list(cluster.smap()["tmap"].keys())
    src = "src-obj"
    sid = hrw_pick(uname(bck, src), ids)
    dst = next("dst-%d" % i for i in range(1000) if hrw_pick(uname(bck, "dst-%d" % i), ids) != sid)
    assert requests.put(cluster.obj_url(bck, src), data=b"copy me", timeout=T).status_code == 200
    r = requests.put(cluster.obj_url(bck, src), params={"object_to": "ais/@#/%s/%s" % (bck, dst)}, timeout=T)
    assert r.status_code == 200, r.text
    assert requests.get(cluster.obj_url(bck, dst), timeout=T).content == b"copy me"
    cluster.destroy_bucket(bck)
