"""Native object API leftovers of issue 10, against the session cluster:
- HEAD with ?props= (AIStore's v2 HEAD, ais/tgthead.go): only the asked properties come back
  (checksum, atime, version, custom, last-modified, etag, location, copies, chunked); name and
  size are always valid; an unknown property is a 400 carried in Hdr-Error (HEAD has no body);
  without props the v1 HEAD is unchanged.
- Hdr-Error on HEAD errors (404 object, 404 bucket).
- Custom metadata (PATCH /v1/objects/..., api.SetObjectCustomProps): add/replace keys, or replace
  the whole set with ?set-new-custom=true; shows in HEAD and in listings; bad values 400, nothing changed.
- An empty (or unsized) multipart part: 400 "put-part invalid size (0)", as AIStore's ups._put.
- Settings that are not built answer 501 and change nothing (read back): bucket mirror.enabled,
  ec.enabled, config auth.enabled."""
import json
import re

import pytest
import requests

T = 20


def head(cluster, bck, name, **params):
    return requests.head(cluster.obj_url(bck, name), params=params, timeout=T, allow_redirects=True)


def put(cluster, bck, name, data=b"hello world"):
    r = requests.put(cluster.obj_url(bck, name), data=data, timeout=T)
    assert r.status_code == 200, r.text


def test_head_v2_props(cluster, bucket):
    put(cluster, bucket, "o1", b"x" * 1234)
    r = head(cluster, bucket, "o1", props="name,size")
    assert r.status_code == 200, r.headers
    assert r.headers["Content-Length"] == "1234" and r.headers["Ais-Present"] == "true"
    for h in ("Ais-Checksum-Type", "Ais-Atime", "Ais-Version", "Ais-Location", "Last-Modified", "ETag"):
        assert h not in r.headers, (h, r.headers)
    r = head(cluster, bucket, "o1", props="checksum, atime,version,last-modified,etag,location,copies,custom,ec,chunked")
    assert r.status_code == 200, r.headers
    h = r.headers
    assert h["Ais-Checksum-Type"] == "xxhash2" and h["Ais-Checksum-Value"]
    assert int(h["Ais-Atime"]) > 0 and h["Ais-Version"] == "1"
    assert re.match(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$", h["Last-Modified"]), h
    assert re.match(r'^"v1-%s-[0-9a-z]+"$' % h["Ais-Checksum-Value"], h["ETag"]), h["ETag"]
    assert ":" in h["Ais-Location"] and h["Ais-Mirror-Copies"] == "1" and h["Ais-Mirror-Paths"]
    assert "Ais-Chunks-Count" not in h  # monolithic
    # v1 HEAD unchanged
    r = head(cluster, bucket, "o1")
    assert r.status_code == 200 and r.headers["Ais-Checksum-Type"] == "xxhash2" and "Ais-Name" in r.headers


def test_head_v2_chunked(cluster, bucket):
    uid = requests.post(cluster.obj_url(bucket, "mp"), json={"action": "mpt-upload"}, timeout=T).text
    for n, data in ((1, b"a" * 3000), (2, b"b" * 1000)):
        r = requests.put(cluster.obj_url(bucket, "mp"), params={"uploadId": uid, "partNumber": n}, data=data,
                         timeout=T)
        assert r.status_code == 200, r.text
    r = requests.post(cluster.obj_url(bucket, "mp"), params={"uploadId": uid}, timeout=T,
                      json={"action": "mpt-complete", "value": [{"part-number": 1, "etag": ""},
                                                                {"part-number": 2, "etag": ""}]})
    assert r.status_code == 200, r.text
    r = head(cluster, bucket, "mp", props="chunked")
    assert r.status_code == 200
    assert r.headers["Ais-Chunks-Count"] == "2" and r.headers["Ais-Chunks-Max-Chunk-Size"] == "3000", r.headers


def test_head_v2_unknown_prop_and_hdr_error(cluster, bucket):
    put(cluster, bucket, "o2")
    r = head(cluster, bucket, "o2", props="name,bogus")
    assert r.status_code == 400
    err = json.loads(r.headers["Hdr-Error"])
    assert 'invalid property "bogus"' in err["message"] and err["status"] == 400, err
    # HEAD errors carry Hdr-Error: missing object, missing bucket
    r = head(cluster, bucket, "nope")
    assert r.status_code == 404 and "does not exist" in json.loads(r.headers["Hdr-Error"])["message"]
    r = requests.head(cluster.url + "/v1/objects/no-such-bucket-xyz/x", timeout=T, allow_redirects=True)
    assert r.status_code == 404 and json.loads(r.headers["Hdr-Error"])["status"] == 404
    # a missing object with a bad prop: 404 (the object is looked up first, as AIStore)
    assert head(cluster, bucket, "nope", props="bogus").status_code == 404


def custom_of(headers):
    out = {}
    for v in (headers.get("Ais-Custom-Md") or "").split(","):
        v = v.strip()
        if v:
            k, _, val = v.partition("=")
            out[k] = val
    return out


def patch(cluster, bck, name, value, new=False):
    params = {"set-new-custom": "true"} if new else {}
    return requests.patch(cluster.obj_url(bck, name), params=params, timeout=T,
                          json={"action": "set-custom", "value": value})


def test_custom_props(cluster, bucket):
    put(cluster, bucket, "c1")
    r = patch(cluster, bucket, "c1", {"k1": "v1", "k2": "v2"})
    assert r.status_code == 200, r.text
    assert custom_of(head(cluster, bucket, "c1").headers) == {"k1": "v1", "k2": "v2"}
    r = patch(cluster, bucket, "c1", {"k2": "V2", "k3": "v3"})
    assert r.status_code == 200, r.text
    assert custom_of(head(cluster, bucket, "c1", props="custom").headers) == {"k1": "v1", "k2": "V2", "k3": "v3"}
    r = patch(cluster, bucket, "c1", {"only": "this"}, new=True)
    assert r.status_code == 200, r.text
    assert custom_of(head(cluster, bucket, "c1").headers) == {"only": "this"}
    # keys of the ActMsg in any case (AIStore's JSON decoding)
    r = requests.patch(cluster.obj_url(bucket, "c1"), json={"Action": "set-custom", "Value": {"K": "v"}}, timeout=T)
    assert r.status_code == 200, r.text
    assert custom_of(head(cluster, bucket, "c1").headers) == {"only": "this", "K": "v"}
    # in listings
    ents, _ = cluster.list_objects(bucket, props="name,custom")
    assert "only:this" in ents[0].get("custom-md", ""), ents
    # bad input: 400 and nothing changed; a missing object: 404
    for bad in ({"a": 1}, ["x"], "str", {"a": None}):
        r = patch(cluster, bucket, "c1", bad)
        assert r.status_code == 400, (bad, r.status_code, r.text)
    r = requests.patch(cluster.obj_url(bucket, "c1"), data=b"{not json", timeout=T)
    assert r.status_code == 400
    assert custom_of(head(cluster, bucket, "c1").headers) == {"only": "this", "K": "v"}
    assert patch(cluster, bucket, "missing", {"a": "b"}).status_code == 404
    # the content is untouched
    assert requests.get(cluster.obj_url(bucket, "c1"), timeout=T).content == b"hello world"


def test_empty_mpu_part(cluster, bucket):
    uid = requests.post(cluster.obj_url(bucket, "e"), json={"action": "mpt-upload"}, timeout=T).text
    r = requests.put(cluster.obj_url(bucket, "e"), params={"uploadId": uid, "partNumber": 1}, data=b"", timeout=T)
    assert r.status_code == 400 and "put-part invalid size (0)" in r.json()["message"], r.text
    # the upload goes on with real parts
    r = requests.put(cluster.obj_url(bucket, "e"), params={"uploadId": uid, "partNumber": 1}, data=b"ok", timeout=T)
    assert r.status_code == 200, r.text
    r = requests.post(cluster.obj_url(bucket, "e"), params={"uploadId": uid}, timeout=T,
                      json={"action": "mpt-complete", "value": [{"part-number": 1, "etag": ""}]})
    assert r.status_code == 200, r.text
    assert requests.get(cluster.obj_url(bucket, "e"), timeout=T).content == b"ok"


def bprops(cluster, bck):
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=T)
    assert r.status_code == 200
    return json.loads(r.headers["Ais-Bucket-Props"])


@pytest.mark.parametrize("props", [{"rate_limit": {"frontend": {"enabled": True}}},
                                   {"checksum": {"enable_read_range": True}},
                                   {"ec": {"compression": "always"}}, {"ec": {"disk_only": True}},
                                   {"ec": {"bundle_multiplier": 4}}])
def test_unbuilt_bucket_props_501(cluster, bucket, props):
    before = bprops(cluster, bucket)
    r = requests.patch(cluster.url + "/v1/buckets/" + bucket, json={"action": "set-bprops", "value": props},
                       timeout=T)
    assert r.status_code == 501, (r.status_code, r.text)
    assert r.json()["message"], r.text
    assert bprops(cluster, bucket) == before


def test_unbuilt_config_501(cluster):
    def auth_enabled():
        r = requests.get(cluster.url + "/v1/cluster?what=config", timeout=T)
        return r.json()["auth"]["enabled"]
    assert auth_enabled() is False
    r = requests.put(cluster.url + "/v1/cluster/set-config", params={"fshc.enabled": "false"}, timeout=T)
    assert r.status_code == 501, (r.status_code, r.text)
    # JWT auth is built (docs/security.md): turning it on without an admin token is 401, as AIStore
    r = requests.put(cluster.url + "/v1/cluster/set-config", params={"auth.enabled": "true"}, timeout=T)
    assert r.status_code == 401, (r.status_code, r.text)
    assert auth_enabled() is False


def test_cli_set_custom(cluster, bucket):
    import os
    import subprocess
    from cluster import ROOT
    put(cluster, bucket, "cli1")
    env = dict(os.environ, AIS_ENDPOINT=cluster.url)
    ais = os.path.join(ROOT, "build", "ais")

    def run(*args):
        p = subprocess.run([ais] + list(args), capture_output=True, env=env, timeout=60)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    rc, out, err = run("object", "set-custom", "ais://%s/cli1" % bucket, "k1=v1", "k2 = v2")
    assert rc == 0 and "Custom props successfully updated" in out, (rc, out, err)
    assert custom_of(head(cluster, bucket, "cli1").headers) == {"k1": "v1", "k2": "v2"}
    rc, out, err = run("object", "set-custom", "ais://%s/cli1" % bucket, '{"j": "son"}', "--set-new-custom")
    assert rc == 0, (out, err)
    assert custom_of(head(cluster, bucket, "cli1").headers) == {"j": "son"}
    rc, out, err = run("object", "set-custom", "ais://%s/cli1" % bucket, "novalue")
    assert rc != 0 and "invalid custom property" in err, (rc, out, err)
    rc, out, err = run("object", "set-custom", "ais://%s/missing" % bucket, "a=b")
    assert rc != 0, (out, err)
    assert custom_of(head(cluster, bucket, "cli1").headers) == {"j": "son"}
