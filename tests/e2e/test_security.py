"""test_security: the closed control plane (docs/security.md). Each attack of issue 13 tried from
outside the cluster (no cluster key) changes nothing: Smap and BMD versions unchanged, no data
deleted, every node up, no secret in any answer or world-readable file - with auth off and with
auth on (fixture `cl`: there the attacker even holds a valid admin token, only not the cluster
key; and anonymous requests of the user API are refused too). Also: replayed, tampered,
stale and non-member signatures, spoofed caller headers, and a signed (insider) join that reuses a
live target's URLs under another ID.
"""
import json
import os
import random
import stat
import subprocess
import time
import urllib.parse

import pytest
import requests

import authutil
from cluster import ROOT, Cluster, intra_sig, new_bucket_name, redirect_params, write_secret

SK_MAIN = "main-secret-Zq81x"
SK_MORE = "more-secret-Yw27k"
T = 10


@pytest.fixture(scope="module")
def sc():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"access_key": "AKIDMAIN", "secret_key": SK_MAIN, "keys": [{"access": "AKIDMORE", "secret": SK_MORE}]}})
    c.start()
    yield c
    c.cleanup()


@pytest.fixture(scope="module")
def data(sc):
    """a bucket with objects: every attack must leave them readable"""
    bck = new_bucket_name("sec")
    sc.create_bucket(bck)
    objs = {"o%d" % i: os.urandom(1000 + i) for i in range(20)}
    for k, v in objs.items():
        assert requests.put(sc.obj_url(bck, k), data=v, timeout=T).status_code == 200
    return bck, objs


JWT_SECRET = "sec-jwt-%d" % os.getpid()


@pytest.fixture(scope="module")
def sc_on():
    """a second cluster with auth.enabled (HS256): the same attacks with auth on"""
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"access_key": "AKIDMAIN", "secret_key": SK_MAIN, "keys": [{"access": "AKIDMORE", "secret": SK_MORE}]}})
    c.start()
    c.admin = authutil.make_token(sub="admin", admin=True, key=JWT_SECRET)
    r = requests.put(c.url + "/v1/cluster/set-config", timeout=T, headers=authutil.hdr(c.admin), params={
        "auth.signature.method": "HS256", "auth.signature.key": JWT_SECRET, "auth.enabled": "true"})
    assert r.status_code == 200, r.text
    c.mode = "on"
    yield c
    c.cleanup()


def _with_token(tok):
    """wrap requests so that every request without an Authorization header carries tok (an
    explicit {"Authorization": None} sends none)"""
    orig = requests.sessions.Session.request

    def request(self, method, url, **kw):
        h = dict(kw.pop("headers", None) or {})
        if "Authorization" not in h:
            h["Authorization"] = "Bearer " + tok
        return orig(self, method, url, headers=h, **kw)
    return request


@pytest.fixture(params=["auth-off", "auth-on"])
def cl(request, monkeypatch):
    """the attack tests run against both clusters; with auth on every request carries an admin token"""
    if request.param == "auth-off":
        c = request.getfixturevalue("sc")
        c.mode = "off"
        return c
    c = request.getfixturevalue("sc_on")
    monkeypatch.setattr(requests.sessions.Session, "request", _with_token(c.admin))
    return c


@pytest.fixture
def cdata(cl):
    if not hasattr(cl, "_data"):
        bck = new_bucket_name("sec")
        r = requests.post(cl.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=T)
        assert r.status_code == 200, r.text
        objs = {"o%d" % i: os.urandom(1000 + i) for i in range(20)}
        for k, v in objs.items():
            assert requests.put(cl.obj_url(bck, k), data=v, timeout=T).status_code == 200
        cl._data = (bck, objs)
    return cl._data


def versions(c):
    """(Smap version, BMD version) as every node has them"""
    out = set()
    for n in c.nodes:
        sm = requests.get(n.url + "/v1/daemon?what=smap", timeout=T).json()
        bm = requests.get(n.url + "/v1/daemon?what=bmd", timeout=T).json()
        out.add((int(sm["version"]), int(bm["version"])))
    return out


def assert_unchanged(c, before, data):
    time.sleep(0.3)
    assert versions(c) == before
    for n in c.nodes:
        assert n.alive(), n
        assert requests.get(n.url + "/v1/health", timeout=T).status_code == 200
    bck, objs = data
    for k, v in objs.items():
        r = requests.get(c.obj_url(bck, k), timeout=T)
        assert r.status_code == 200 and r.content == v, k
    for n in c.targets:
        assert n.name and all(os.path.isdir(mp) for mp in n.mountpaths)


def ports(n):
    """the node's public, intra-control and intra-data URLs"""
    base = n.url.rsplit(":", 1)[0]
    return [n.url, "%s:%d" % (base, n.port + 1000), "%s:%d" % (base, n.port + 2000)]


def test_anonymous_shutdown_node(cl, cdata):
    sc, data = cl, cdata
    before = versions(sc)
    for t in sc.targets:
        for u in ports(t):
            for action in ("shutdown-node", "decommission-node"):
                r = requests.put(u + "/v1/daemon", json={"action": action}, timeout=T)
                assert r.status_code == 401, (u, r.text)
                assert "cluster signature" in r.json()["message"]
    assert_unchanged(sc, before, data)


def test_fake_join(cl, cdata):
    sc, data = cl, cdata
    before = versions(sc)
    smap = sc.smap()
    real = next(iter(smap["tmap"].values()))
    fake = json.loads(json.dumps(real))
    fake["daemon_id"] = "tFAKE123"
    for net in ("public_net", "intra_control_net", "intra_data_net"):
        fake[net] = dict(real[net], daemon_port="1", direct_url="http://127.0.0.1:1")
    body = {"snode": fake}
    for u in ports(sc.primary):
        r = requests.post(u + "/v1/cluster/join", json=body, timeout=T)
        assert r.status_code == 401, r.text
        # spoofed caller headers of the real primary do not help
        pid = smap["proxy_si"]["daemon_id"]
        r = requests.post(u + "/v1/cluster/join", json=body, timeout=T,
                          headers={"Ais-Caller-Id": pid, "Ais-Caller-Name": "p[%s]" % pid, "Ais-Caller-Is-Primary": "true"})
        assert r.status_code == 401, r.text
    # a signature made with another key
    other = "ab" * 32
    r = requests.post(sc.url + "/v1/cluster/join", json=body, timeout=T,
                      headers={"Ais-Cluster-Sig": intra_sig(other, "POST", "/v1/cluster/join", "tFAKE123")})
    assert r.status_code == 401 and "signature mismatch" in r.json()["message"], r.text
    assert "tFAKE123" not in sc.smap()["tmap"]
    assert_unchanged(sc, before, data)


def _forged_payload(c, drop_bucket=None, extra_target=None):
    sm = c.smap()
    bmd = requests.get(c.url + "/v1/daemon?what=bmd", timeout=T).json()
    bmd["version"] = str(int(bmd["version"]) + 1)
    if drop_bucket:
        for prov in bmd.get("buckets", {}).values():
            prov.pop(drop_bucket, None)
    if extra_target:
        sm["tmap"][extra_target["daemon_id"]] = extra_target
        sm["version"] = str(int(sm["version"]) + 1)
    return {"smap": sm, "bmd": bmd}


def test_forged_metasync_to_target(cl, cdata):
    sc, data = cl, cdata
    before = versions(sc)
    bck, _ = data
    body = _forged_payload(sc, drop_bucket=bck)
    for t in sc.targets:
        for u in ports(t):
            r = requests.put(u + "/v1/metasync", json=body, timeout=T)
            assert r.status_code == 401, r.text
            r = requests.put(u + "/v1/metasync", json=body, timeout=T,
                             headers={"Ais-Caller-Id": sc.smap()["proxy_si"]["daemon_id"]})
            assert r.status_code == 401, r.text
    assert_unchanged(sc, before, data)


def test_forged_metasync_to_primary(cl, cdata):
    sc, data = cl, cdata
    before = versions(sc)
    real = next(iter(sc.smap()["tmap"].values()))
    extra = dict(json.loads(json.dumps(real)), daemon_id="tEXTRA99")
    body = _forged_payload(sc, extra_target=extra)
    for u in ports(sc.primary):
        r = requests.put(u + "/v1/metasync", json=body, timeout=T)
        assert r.status_code == 401, r.text
    assert_unchanged(sc, before, data)
    assert "tEXTRA99" not in sc.smap()["tmap"]


def test_other_intra_endpoints_refuse_outsiders(cl, cdata):
    sc, data = cl, cdata
    before = versions(sc)
    t = sc.targets[0]
    cases = [("POST", sc.url, "/v1/cluster/keepalive", {"daemon_id": sc.node_id(t)}),
             ("PUT", t.url, "/v1/xactions", {"action": "start", "value": {"kind": "cleanup-store"}}),
             ("PUT", t.url, "/v1/transport/obj-put", None),
             ("GET", t.url, "/v1/vote/proxy", {}),
             ("PUT", t.url, "/v1/vote/result", {}),
             ("PUT", t.url, "/v1/daemon/proxy/x", None),
             ("POST", t.url, "/v1/daemon/primary-force", {})]
    for method, base, path, body in cases:
        r = requests.request(method, base + path, json=body, timeout=T)
        assert r.status_code == 401, (path, r.status_code, r.text)
    # a spoofed caller on a public request: refused rather than trusted
    r = requests.get(t.url + "/v1/health", headers={"Ais-Caller-Id": sc.node_id(sc.primary)}, timeout=T)
    assert r.status_code == 401, r.text
    # the proxy's S3 forwarding marks (they exempt a request from aws:SourceIp): not from outside
    for h in ("Ais-S3-Forwarded-By", "Ais-S3-Relayed-By"):
        r = requests.get(t.url + "/s3/" + data[0] + "/o1", headers={h: sc.node_id(sc.primary)}, timeout=T)
        assert r.status_code == 401, r.text
    assert_unchanged(sc, before, data)


def test_target_intra_only_routes(cl, cdata):
    """the target's /v1/download (AIStore: intra-control), /v1/backend (proxy -> target only) and the
    get-batch POST (the proxy registers the batch with the DT) refuse outsiders on every port; the
    proxy's own signed fan-out keeps working"""
    sc, data = cl, cdata
    before = versions(sc)
    bck = data[0]
    for t in sc.targets:
        for u in ports(t):
            for method, path, body in (("DELETE", "/v1/download/abort", {"id": "x"}),
                                       ("DELETE", "/v1/download/remove", {"id": "x"}),
                                       ("GET", "/v1/download", {}),
                                       ("GET", "/v1/backend/%s?what=head" % bck, None),
                                       ("GET", "/v1/backend/%s?what=list" % bck, None),
                                       ("POST", "/v1/backend/%s?what=lmeta" % bck, {}),
                                       ("POST", "/v1/ml/moss/%s/x/y/1?tid=t" % bck, {"in": [{"objname": "o1"}]})):
                r = requests.request(method, u + path, json=body, timeout=T)
                assert r.status_code == 401, (u, method, path, r.status_code, r.text)
    r = requests.delete(sc.url + "/v1/download/abort", json={"id": "nonexistent-job"}, timeout=T)
    assert r.status_code == 404, r.text  # the targets answered the proxy's signed fan-out
    assert requests.get(sc.url + "/v1/download", json={}, timeout=T).status_code == 200
    assert_unchanged(sc, before, data)


def test_getbatch_redirect_signed(cl, cdata):
    """the proxy's 307 to the designated target carries the cluster's redirect signature; the DT
    serves it once, as issued: unsigned, tampered or replayed -> 401"""
    sc, data = cl, cdata
    bck, objs = data
    body = json.dumps({"in": [{"objname": "o1"}, {"objname": "o2"}], "mime": ".tar", "strm": True})
    hj = {"Content-Type": "application/json"}
    r = requests.get(sc.url + "/v1/ml/moss/" + bck, data=body, headers=hj, timeout=T)
    assert r.status_code == 200 and objs["o1"] in r.content and objs["o2"] in r.content, r.status_code
    r = requests.get(sc.url + "/v1/ml/moss/" + bck, data=body, headers=hj, allow_redirects=False, timeout=T)
    assert r.status_code == 307, r.text
    loc = r.headers["Location"]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    assert q.get("u") and q.get("x") and q.get("pid") and q.get("utm"), loc
    path = urllib.parse.urlsplit(loc).path
    unsigned = loc.split("&pid=")[0]
    assert requests.get(unsigned, data=body, headers=hj, timeout=T).status_code == 401
    tampered = loc.replace(path, path.rsplit("/", 1)[0] + "/7")
    assert requests.get(tampered, data=body, headers=hj, timeout=T).status_code == 401
    g = requests.get(loc, data=body, headers=hj, timeout=T)  # as issued: served
    assert g.status_code == 200 and objs["o1"] in g.content, g.status_code
    assert requests.get(loc, data=body, headers=hj, timeout=T).status_code == 401  # replayed


def test_anonymous_user_api_with_auth_on(sc_on):
    """issue 13's user-API attacks with auth on, anonymous: destroy-bck, set-config (s3.auth, auth.enabled),
    reading or writing objects through /v1 -> 401, and nothing changes"""
    c = sc_on
    adm = authutil.hdr(c.admin)
    none = {"Authorization": None}
    bck = new_bucket_name("anon")
    assert requests.post(c.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, headers=adm,
                         timeout=T).status_code == 200
    assert requests.put(c.obj_url(bck, "o"), data=b"v", headers=adm, timeout=T).status_code == 200
    cfg0 = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=adm, timeout=T).json()
    cases = [("DELETE", c.url + "/v1/buckets/" + bck, {"json": {"action": "destroy-bck"}}),
             ("PUT", c.url + "/v1/cluster/set-config?s3.auth=false", {}),
             ("PUT", c.url + "/v1/cluster/set-config?auth.enabled=false", {}),
             ("GET", c.obj_url(bck, "o"), {}),
             ("PUT", c.obj_url(bck, "new"), {"data": b"x"}),
             ("DELETE", c.obj_url(bck, "o"), {}),
             ("PUT", c.targets[0].url + "/v1/daemon/set-config?auth.enabled=false", {})]
    for method, url, kw in cases:
        for h in (none, {"Authorization": "Bearer " + authutil.make_token(sub="x", admin=True, key="wrong")}):
            r = requests.request(method, url, headers=h, timeout=T, **kw)
            assert r.status_code == 401, (method, url, r.status_code, r.text)
    cfg1 = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=adm, timeout=T).json()
    assert cfg1["auth"] == cfg0["auth"] and cfg1["s3"] == cfg0["s3"]
    r = requests.get(c.obj_url(bck, "o"), headers=adm, timeout=T)
    assert r.status_code == 200 and r.content == b"v"
    assert requests.head(c.obj_url(bck, "new"), headers=adm, allow_redirects=True, timeout=T).status_code == 404


def test_signature_checks(sc, data):
    """what a signature is good for: once, for its method and path, within the nonce window,
    from a member (a node in the current Smap) where membership is required"""
    before = versions(sc)
    t = sc.targets[0]
    tid = sc.node_id(t)
    ka = {"daemon_id": tid, "smap_version": 0, "bmd_version": 0, "config_version": 0}
    hdr = {"Ais-Cluster-Sig": intra_sig(sc.cluster_key_hex, "POST", "/v1/cluster/keepalive", tid)}
    r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T)
    assert r.status_code == 200, r.text
    r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T)
    assert r.status_code == 401 and "replayed" in r.json()["message"], r.text
    # tampered: signed for another path / method
    hdr = {"Ais-Cluster-Sig": intra_sig(sc.cluster_key_hex, "POST", "/v1/cluster/join", tid)}
    r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T)
    assert r.status_code == 401 and "mismatch" in r.json()["message"], r.text
    hdr = {"Ais-Cluster-Sig": intra_sig(sc.cluster_key_hex, "GET", "/v1/cluster/keepalive", tid)}
    r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T)
    assert r.status_code == 401, r.text
    # stale (outside auth.cluster_key.nonce_window, 1m)
    old = int(time.time() * 1000) - 5 * 60 * 1000
    hdr = {"Ais-Cluster-Sig": intra_sig(sc.cluster_key_hex, "POST", "/v1/cluster/keepalive", tid, ms=old)}
    r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T)
    assert r.status_code == 401 and "time window" in r.json()["message"], r.text
    # malformed
    for bad in ("", "v1", "v2 a 1 0123456789abcdef " + "A" * 43, "v1 t 12 0123 xyz"):
        r = requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers={"Ais-Cluster-Sig": bad}, timeout=T)
        assert r.status_code == 401, (bad, r.text)
    # a node speaking for another one
    r = sc.intra("POST", sc.primary, "/v1/cluster/keepalive", sender="tSOMEONE", json=ka)
    assert r.status_code == 403, r.text
    # a key holder that is not in the map cannot push metadata or shut a node down
    r = sc.intra("PUT", t, "/v1/metasync", sender="pNOTMEMBER", json=_forged_payload(sc))
    assert r.status_code == 403 and "not in this node's cluster map" in r.json()["message"], r.text
    r = sc.intra("PUT", t, "/v1/daemon", sender="pNOTMEMBER", json={"action": "shutdown-node"})
    assert r.status_code == 403, r.text
    assert_unchanged(sc, before, data)


def test_join_cannot_evict_live_target(cl, cdata):
    """even signed (an insider's misconfiguration), a join that reuses a live target's URLs
    under another ID does not evict it"""
    sc, data = cl, cdata
    before = versions(sc)
    smap = sc.smap()
    tid, real = next(iter(smap["tmap"].items()))
    dup = dict(json.loads(json.dumps(real)), daemon_id="tDUP4242")
    r = sc.intra("POST", sc.primary, "/v1/cluster/join", sender="tDUP4242", json={"snode": dup})
    assert r.status_code == 409 and "in use by live node" in r.json()["message"], r.text
    assert tid in sc.smap()["tmap"] and "tDUP4242" not in sc.smap()["tmap"]
    assert_unchanged(sc, before, data)


def test_no_secret_leaks(cl, cdata):
    sc, data = cl, cdata
    for n in sc.nodes:
        txt = requests.get(n.url + "/v1/daemon?what=config", timeout=T).text
        assert SK_MAIN not in txt and SK_MORE not in txt
        # files that hold secrets: only the owner may read them
        conf = os.path.join(n.dir, "conf")
        for fn in (".ais.conf", ".ais.cluster_key"):
            p = os.path.join(conf, fn)
            if fn == ".ais.conf" and not os.path.exists(p):
                continue  # written at the first config change (see test_config_secrets_reach_nodes)
            mode = stat.S_IMODE(os.stat(p).st_mode)
            assert mode & 0o077 == 0, (p, oct(mode))
    # the join answer (to a node holding the key: an existing target rejoining as itself)
    smap = sc.smap()
    tid, real = next(iter(smap["tmap"].items()))
    r = sc.intra("POST", sc.primary, "/v1/cluster/join", sender=tid, json={"snode": real, "cluster_uuid": smap["uuid"]})
    assert r.status_code == 200, r.text
    assert SK_MAIN not in r.text and SK_MORE not in r.text
    s3 = r.json()["config"]["s3"]
    assert s3["secret_key"].startswith("enc:v1:") and s3["keys"][0]["secret"].startswith("enc:v1:")
    assert int(sc.smap()["version"]) == int(smap["version"])


def test_config_secrets_reach_nodes(sc, data):
    """sealed on the wire, opened by every node: a cluster-wide change of a secret arrives"""
    r = requests.put(sc.url + "/v1/cluster/set-config", params={"s3.secret_key": "rotated-" + SK_MAIN}, timeout=T)
    assert r.status_code == 200, r.text
    for n in sc.nodes:
        with open(os.path.join(n.dir, "conf", ".ais.conf")) as f:
            assert ("rotated-" + SK_MAIN) in f.read(), n
        assert stat.S_IMODE(os.stat(os.path.join(n.dir, "conf", ".ais.conf")).st_mode) == 0o600


# ---------------- signed redirects (net/rsig.h)

def _redirect(c, method, bck, name, **kw):
    r = requests.request(method, c.obj_url(bck, name), allow_redirects=False, timeout=T, **kw)
    assert r.status_code in (301, 307), r.text
    return r.headers["Location"]


def test_redirect_tampering(sc, data):
    bck, objs = data
    loc = _redirect(sc, "GET", bck, "o1")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    assert {"pid", "utm", "vpams", "x", "u"} <= set(q), loc
    # as issued: once
    r = requests.get(loc, timeout=T)
    assert r.status_code == 200 and r.content == objs["o1"]
    r = requests.get(loc, timeout=T)
    assert r.status_code == 401 and "replayed" in r.json()["message"], r.text
    # altered path, altered node (another target), unsigned, signature or nonce altered
    loc = _redirect(sc, "GET", bck, "o1")
    r = requests.get(loc.replace("/o1?", "/o2?"), timeout=T)
    assert r.status_code == 401 and "mismatch" in r.json()["message"], r.text
    owner = urllib.parse.urlsplit(loc).netloc
    other = next(t for t in sc.targets if urllib.parse.urlsplit(t.url).netloc != owner)
    r = requests.get(other.url + loc[loc.index("/v1/"):], timeout=T)
    assert r.status_code == 401, r.text
    base, query = loc.split("?", 1)
    kept = "&".join(kv for kv in query.split("&") if not kv.startswith(("x=", "u=")))
    r = requests.get(base + "?" + kept, timeout=T)
    assert r.status_code == 401 and "not signed" in r.json()["message"], r.text
    r = requests.get(loc.replace("&x=", "&x=1"), timeout=T)
    assert r.status_code == 401, r.text
    r = requests.get(loc, timeout=T)  # the untouched one still works once
    assert r.status_code == 200 and r.content == objs["o1"]
    # method: a GET's redirect cannot delete
    loc = _redirect(sc, "GET", bck, "o3")
    r = requests.delete(loc, timeout=T)
    assert r.status_code == 401, r.text
    assert requests.get(sc.obj_url(bck, "o3"), timeout=T).content == objs["o3"]
    # expired (signed correctly, 2 minutes ago; auth.cluster_key.nonce_window is 1m)
    t = next(t for t in sc.targets if urllib.parse.urlsplit(t.url).netloc == owner)
    path = "/v1/objects/%s/o1" % bck
    old = time.time_ns() - 120 * 10**9
    qp = redirect_params(sc.cluster_key_hex, "GET", path, sc.node_id(sc.primary), sc.node_id(t), utm=old)
    r = requests.get(t.url + path, params=qp, timeout=T)
    assert r.status_code == 401 and "expired" in r.json()["message"], r.text
    qp = redirect_params(sc.cluster_key_hex, "GET", path, sc.node_id(sc.primary), sc.node_id(t))
    r = requests.get(t.url + path, params=qp, timeout=T)
    assert r.status_code == 200 and r.content == objs["o1"]
    # a write through a forged mark changes nothing
    qp = redirect_params("cd" * 32, "PUT", path, sc.node_id(sc.primary), sc.node_id(t))
    r = requests.put(t.url + path, params=qp, data=b"evil", timeout=T)
    assert r.status_code == 401, r.text
    assert requests.get(sc.obj_url(bck, "o1"), timeout=T).content == objs["o1"]


def test_redirects_followed_by_clients(sc, data):
    """the normal flow: requests (GET 301, PUT 307), curl -L, the ais CLI"""
    bck, objs = data
    r = requests.put(sc.obj_url(bck, "new-1"), data=b"n1", timeout=T)
    assert r.status_code == 200
    assert requests.get(sc.obj_url(bck, "new-1"), timeout=T).content == b"n1"
    assert requests.head(sc.obj_url(bck, "new-1"), allow_redirects=True, timeout=T).status_code == 200
    out = subprocess.run(["curl", "-sfL", sc.obj_url(bck, "o5")], capture_output=True, timeout=30)
    assert out.returncode == 0 and out.stdout == objs["o5"]
    ais = os.path.join(ROOT, "build", "ais")
    env = dict(os.environ, AIS_ENDPOINT=sc.url)
    out = subprocess.run([ais, "get", "ais://%s/o6" % bck, "-"], env=env, capture_output=True, timeout=30)
    assert out.returncode == 0 and out.stdout == objs["o6"], out.stderr
    assert requests.delete(sc.obj_url(bck, "new-1"), timeout=T).status_code == 200


def test_key_rotation_without_downtime(sc, data):
    """OLD,NEW -> NEW,OLD -> NEW on every node (reloaded within seconds, no restart): the
    cluster keeps working throughout; OLD stays accepted for rotation_grace, then not"""
    bck, objs = data
    r = requests.put(sc.url + "/v1/cluster/set-config", params={"auth.cluster_key.rotation_grace": "3s"}, timeout=T)
    assert r.status_code == 200, r.text
    old, new = sc.cluster_key_hex, "%064x" % random.SystemRandom().getrandbits(256)

    def install(lines):
        for n in sc.nodes:
            p = os.path.join(n.dir, "conf", ".ais.cluster_key")
            tmp = p + ".new"
            write_secret(tmp, "\n".join(lines) + "\n")
            os.replace(tmp, p)
        time.sleep(3)  # nodes re-read the file every 2 s

    def works():
        name = "rot-%d" % random.getrandbits(30)
        assert requests.put(sc.obj_url(bck, name), data=b"r", timeout=T).status_code == 200
        assert requests.get(sc.obj_url(bck, name), timeout=T).content == b"r"
        assert_unchanged(sc, versions(sc), data)

    def accepted(key):
        tid = sc.node_id(sc.targets[0])
        ka = {"daemon_id": tid, "smap_version": 0, "bmd_version": 0, "config_version": 0}
        hdr = {"Ais-Cluster-Sig": intra_sig(key, "POST", "/v1/cluster/keepalive", tid)}
        return requests.post(sc.url + "/v1/cluster/keepalive", json=ka, headers=hdr, timeout=T).status_code == 200

    install([old, new])
    works()
    assert accepted(old) and accepted(new)
    install([new, old])
    sc.cluster_key_hex = new
    works()
    assert accepted(old) and accepted(new)
    install([new])
    works()
    assert accepted(new)
    deadline = time.time() + 10
    while accepted(old):
        assert time.time() < deadline, "the dropped key is still accepted after its grace"
        time.sleep(0.5)
    works()


def test_promote_to_owner_is_signed(sc, data, tmp_path):
    """promote with one target ("tid", not a share): the files other targets own are PUT to them
    with signed redirect marks (xs_promote), and land"""
    bck, _ = data
    files = {"p%02d" % i: os.urandom(100 + i) for i in range(12)}
    for k, v in files.items():
        (tmp_path / k).write_bytes(v)
    tid = sc.node_id(sc.targets[0])
    r = requests.post(sc.url + "/v1/objects/" + bck, timeout=T, json={
        "action": "promote", "name": str(tmp_path), "value": {"src": str(tmp_path), "obj": "prom/", "tid": tid}})
    assert r.status_code == 200, r.text
    deadline = time.time() + 30
    while True:
        st = requests.get(sc.url + "/v1/cluster", params={"what": "status"}, json={"id": r.text}, timeout=T)
        if st.status_code == 200 and st.json().get("end_time"):
            break
        assert time.time() < deadline, st.text
        time.sleep(0.2)
    assert not st.json().get("err"), st.text
    for k, v in files.items():
        g = requests.get(sc.obj_url(bck, "prom/" + k), timeout=T)
        assert g.status_code == 200 and g.content == v, (k, g.status_code)
