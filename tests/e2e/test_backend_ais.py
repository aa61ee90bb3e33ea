"""test_backend_ais: a second aistore-c cluster as the remote of this one, both ways AIStore
allows - as a remote AIS cluster (`PUT /v1/cluster/attach`, buckets ais://@alias/name, read and
written through its native API; detach -> a clear 4xx) and as an S3 endpoint (its /s3 API as
the "aws" backend). Needs no external service: the session `cluster` is the remote ("B"); "A"
is started here with backend.aws pointing at B's /s3.
"""
import os
import subprocess

import pytest
import requests

from cluster import ROOT, Cluster, new_bucket_name

AIS = os.path.join(ROOT, "build", "ais")


@pytest.fixture(scope="module")
def pair(cluster):
    a = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={"backend": {"aws": {}}},
                env={"S3_ENDPOINT": cluster.url + "/s3", "AWS_ACCESS_KEY_ID": "any", "AWS_SECRET_ACCESS_KEY": "any",
                     "AWS_REGION": "us-east-1", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                     "AWS_CONFIG_FILE": "/nonexistent"})
    a.start()
    yield a, cluster
    a.cleanup()


def ais(c, *args, check=True):
    r = subprocess.run([AIS] + list(args), env=dict(os.environ, AIS_ENDPOINT=c.url), capture_output=True, text=True,
                       timeout=120)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def test_remote_ais_attach_list_get_put_detach(pair):
    a, b = pair
    bck = new_bucket_name("rais")
    b.create_bucket(bck)
    blobs = {"x/%d" % i: os.urandom(1000 + i) for i in range(20)}
    for k, v in blobs.items():
        assert requests.put(b.obj_url(bck, k), data=v, timeout=10).status_code == 200
    r = requests.put(a.url + "/v1/cluster/attach?what=remote", timeout=30,
                     headers={"Ais-Remote-Alias": "remb", "Ais-Remote-Url": b.url})
    assert r.status_code == 200, r.text
    out = ais(a, "show", "remote-cluster").stdout
    assert "remb" in out and b.url in out, out
    vec = requests.get(a.url + "/v1/cluster?what=remote", timeout=30).json()
    uuid = b.smap()["uuid"]
    assert [(x["alias"], x["uuid"]) for x in vec["a"]] == [("remb", uuid)]
    q = "?provider=ais&namespace=@remb%23"
    r = requests.get(a.url + "/v1/buckets/%s%s" % (bck, q), json={"action": "list", "value": {"props": "name,size"}},
                     timeout=30)
    assert r.status_code == 200, r.text
    assert sorted(e["name"] for e in r.json()["entries"]) == sorted(blobs)
    for k, v in list(blobs.items())[:5]:
        r = requests.get(a.url + "/v1/objects/%s/%s%s" % (bck, k, q), timeout=30)
        assert r.status_code == 200 and r.content == v, k
    # PUT through ais://@remb/...: lands in B
    body = os.urandom(70000)
    r = requests.put(a.url + "/v1/objects/%s/new%s" % (bck, q), data=body, timeout=30)
    assert r.status_code == 200, r.text
    assert requests.get(b.obj_url(bck, "new"), timeout=10).content == body
    # the remote's UUID names the same cluster; CLI ls
    r = requests.get(a.url + "/v1/objects/%s/new?provider=ais&namespace=@%s" % (bck, uuid), timeout=30)
    assert r.status_code == 200 and r.content == body
    out = ais(a, "ls", "ais://@remb/" + bck).stdout
    assert "new" in out and "CACHED" in out.splitlines()[0], out
    # a missing object and a missing remote bucket: 404
    assert requests.get(a.url + "/v1/objects/%s/nope%s" % (bck, q), timeout=30).status_code == 404
    assert requests.get(a.url + "/v1/objects/nobck/x%s" % q, timeout=30).status_code == 404
    # detach: a clear 4xx
    r = requests.put(a.url + "/v1/cluster/detach?what=remote", headers={"Ais-Remote-Alias": "remb"}, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.get(a.url + "/v1/objects/%s/x/1%s" % (bck, q), timeout=30)
    assert 400 <= r.status_code < 500 and "remb" in r.json()["message"], r.text
    r = requests.put(a.url + "/v1/cluster/detach?what=remote", headers={"Ais-Remote-Alias": "remb"}, timeout=30)
    assert r.status_code == 404
    r = requests.put(a.url + "/v1/cluster/attach?what=remote", headers={"Ais-Remote-Alias": "x"}, timeout=30)
    assert r.status_code == 400
    b.destroy_bucket(bck)


def test_s3_backend_is_another_aistore(pair):
    """the "aws" backend at B's /s3: cold GET, write-through PUT and DELETE, listing with cached flags"""
    a, b = pair
    bck = new_bucket_name("s3b")
    b.create_bucket(bck)
    data = os.urandom(300000)
    assert requests.put(b.obj_url(bck, "d/o1"), data=data, timeout=10).status_code == 200
    r = requests.get(a.url + "/v1/buckets/%s?provider=aws" % bck, json={"action": "list", "value": {
        "props": "name,size,cached"}}, timeout=30)
    assert r.status_code == 200, r.text
    assert [(e["name"], e["size"], e.get("flags", 0) & 64) for e in r.json()["entries"]] == [("d/o1", "300000", 0)]
    r = requests.get(a.url + "/v1/objects/%s/d/o1?provider=s3" % bck, timeout=30)
    assert r.status_code == 200 and r.content == data
    r = requests.get(a.url + "/v1/buckets/%s?provider=aws" % bck, json={"action": "list", "value": {
        "props": "name,size,cached"}}, timeout=30)
    assert r.json()["entries"][0]["flags"] & 64
    up = os.urandom(123456)
    assert requests.put(a.url + "/v1/objects/%s/up?provider=aws" % bck, data=up, timeout=30).status_code == 200
    assert requests.get(b.obj_url(bck, "up"), timeout=10).content == up
    assert requests.delete(a.url + "/v1/objects/%s/up?provider=aws" % bck, timeout=30).status_code == 200
    assert requests.get(b.obj_url(bck, "up"), timeout=10).status_code == 404
    b.destroy_bucket(bck)
