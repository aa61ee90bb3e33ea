"""test_auth_matrix: issue 13's access matrix with auth on (docs/security.md), one cluster for the module:
identities (tokens made here: HS256 with the configured secret; RS256 from an OIDC issuer this test runs,
verified through its JWKS; S3 SigV4 keys) x operations (object GET/PUT/DELETE, list, bucket create and
destroy, cluster set-config). Each case asserts AIStore's answer (200 / 401 / 403) and that a refused
operation changed nothing (the object or bucket is still there, the config value did not move), an
allowed one did what it says.
Phases: static key (auth.signature, required audiences as a list: any one matches), then OIDC
(auth.signature.key empty, auth.oidc.allowed_iss: tokens verified with the key their kid names in the
issuer's JWKS, fetched over HTTPS with auth.oidc.issuer_ca_bundle; a rotated key is picked up), then
S3 with SigV4 keys."""
import itertools
import os
import time
import urllib.parse

import pytest
import requests
from botocore.exceptions import ClientError

import authutil
from authutil import RO, RW, T, hdr, make_token
from cluster import Cluster, new_bucket_name
from s3util import AK, SK, client

SECRET = "mx-secret-%d" % os.getpid()
AUD = "ais-mx"
OK, NOAUTH, FORBID = 200, 401, 403
OPS = ["get", "put", "delete", "list", "create-bck", "destroy-bck", "set-config"]
_seq = itertools.count(1)


@pytest.fixture(scope="module")
def mx(tmp_path_factory):
    d = tmp_path_factory.mktemp("oidc")
    iss = authutil.Issuer(str(d))
    iss.add("k1")
    untrusted = authutil.Issuer(str(tmp_path_factory.mktemp("oidc2")))  # its certificate is not in the bundle
    untrusted.add("u1")
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s", cluster_overrides={
        "s3": {"auth": True, "access_key": AK, "secret_key": SK, "region": "us-east-1"}})
    c.start()
    c.iss, c.untrusted = iss, untrusted
    c.uuid = c.smap()["uuid"]
    c.bA, c.bB = new_bucket_name("mxA"), new_bucket_name("mxB")
    for b in (c.bA, c.bB):
        c.create_bucket(b)
        for i in range(3):
            assert requests.put(c.obj_url(b, "o%d" % i), data=b"data-%d" % i, timeout=T).status_code == 200
    c.admin = make_token(sub="admin", admin=True, key=SECRET, aud=AUD)
    q = {"auth.signature.method": "HS256", "auth.signature.key": SECRET, "auth.enabled": "true",
         "auth.required_claims.aud": "[%s ais-mx2]" % AUD}
    r = requests.put(c.url + "/v1/cluster/set-config", params=q, headers=hdr(c.admin), timeout=T)
    assert r.status_code == 200, r.text
    c.phase = "static"
    yield c
    c.cleanup()
    iss.close()
    untrusted.close()


def acl(c, perm):
    return [authutil.bacl(c.uuid, c.bA, perm)]


def static_tokens(c):
    other = authutil.rsa_key()
    return {
        "admin": c.admin,
        "admin-aud2": make_token(sub="admin2", admin=True, key=SECRET, aud=["other", "ais-mx2"]),
        "roA": make_token(sub="roA", buckets=acl(c, RO), key=SECRET, aud=AUD),
        "rwA": make_token(sub="rwA", buckets=acl(c, RW), key=SECRET, aud=AUD),
        "none": None,
        "expired": make_token(sub="roA", buckets=acl(c, RO), key=SECRET, aud=AUD, exp=-10),
        "badsig": make_token(sub="admin", admin=True, key="not-" + SECRET, aud=AUD),
        "wrong-aud": make_token(sub="admin", admin=True, key=SECRET, aud="other"),
        "no-aud": make_token(sub="admin", admin=True, key=SECRET),
        "rs256-static": make_token(sub="admin", admin=True, key=other, alg="RS256", aud=AUD),
    }


def oidc_tokens(c):
    iss = c.iss
    return {
        "oidc-admin": iss.token("k1", sub="oadmin", admin=True, aud=AUD),
        "oidc-roA": iss.token("k1", sub="oroA", buckets=acl(c, RO), aud=AUD),
        "oidc-rwA": iss.token("k1", sub="orwA", buckets=acl(c, RW), aud=AUD),
        "oidc-rotated": iss.token("k2", sub="orot", admin=True, aud=AUD),
        "oidc-wrong-iss": iss.token("k1", iss="https://127.0.0.1:1", sub="oadmin", admin=True, aud=AUD),
        "oidc-unknown-kid": iss.token("nope", key=iss.keys["k1"], sub="oadmin", admin=True, aud=AUD),
        "oidc-forged": iss.token("k1", key=authutil.rsa_key(), sub="oadmin", admin=True, aud=AUD),
        "oidc-no-kid": make_token(sub="oadmin", admin=True, key=iss.keys["k1"], alg="RS256", iss=iss.url, aud=AUD),
        "oidc-hs256": make_token(sub="oadmin", admin=True, key=SECRET, aud=AUD, iss=iss.url),
        "oidc-untrusted": c.untrusted.token("u1", sub="oadmin", admin=True, aud=AUD),
        "oidc-expired": iss.token("k1", sub="oadmin", admin=True, aud=AUD, exp=-10),
    }


ADMIN = {op: OK for op in OPS}
DENY = {op: NOAUTH for op in OPS}
RO_A = {"get": OK, "list": OK, "put": FORBID, "delete": FORBID, "create-bck": FORBID, "destroy-bck": FORBID,
        "set-config": FORBID}
RW_A = dict(RO_A, put=OK, delete=OK)
STATIC = {"admin": ADMIN, "admin-aud2": ADMIN, "roA": RO_A, "rwA": RW_A, "none": DENY, "expired": DENY,
          "badsig": DENY, "wrong-aud": DENY, "no-aud": DENY, "rs256-static": DENY}
OIDC = {"oidc-admin": ADMIN, "oidc-roA": RO_A, "oidc-rwA": RW_A, "oidc-rotated": ADMIN, "oidc-wrong-iss": DENY,
        "oidc-unknown-kid": DENY, "oidc-forged": DENY, "oidc-no-kid": DENY, "oidc-hs256": DENY,
        "oidc-untrusted": DENY, "oidc-expired": DENY}


# ---------------------------------------------------------------- operations and their effects

def bucket_exists(c, name):
    return requests.head(c.url + "/v1/buckets/" + name, headers=hdr(c.admin), timeout=T).status_code == 200


def obj_exists(c, name):
    return requests.head(c.obj_url(c.bA, name), headers=hdr(c.admin), allow_redirects=True,
                         timeout=T).status_code == 200


def notif_time(c):
    r = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=hdr(c.admin), timeout=T)
    assert r.status_code == 200, r.text
    return r.json()["periodic"]["notif_time"]


def run_op(c, name, tok):
    """perform one operation with tok; returns (status, effect) with effect True when the operation's
    change is visible afterwards (checked with the admin token)"""
    h, n, adm = hdr(tok), next(_seq), hdr(c.admin)
    if name == "get":
        r = requests.get(c.obj_url(c.bA, "o0"), headers=h, timeout=T)
        return r.status_code, r.status_code == 200 and r.content == b"data-0"
    if name == "list":
        r = requests.get(c.url + "/v1/buckets/" + c.bA, json={"action": "list", "value": {"props": "name"}},
                         headers=h, timeout=T)
        return r.status_code, r.status_code == 200 and "o1" in r.text
    if name == "put":
        obj = "put-%d" % n
        r = requests.put(c.obj_url(c.bA, obj), data=b"new", headers=h, timeout=T)
        return r.status_code, obj_exists(c, obj)
    if name == "delete":
        obj = "del-%d" % n
        assert requests.put(c.obj_url(c.bA, obj), data=b"x", headers=adm, timeout=T).status_code == 200
        r = requests.delete(c.obj_url(c.bA, obj), headers=h, timeout=T)
        return r.status_code, not obj_exists(c, obj)
    if name == "create-bck":
        b = new_bucket_name("mxC")
        r = requests.post(c.url + "/v1/buckets/" + b, json={"action": "create-bck"}, headers=h, timeout=T)
        made = bucket_exists(c, b)
        if made:
            requests.delete(c.url + "/v1/buckets/" + b, json={"action": "destroy-bck"}, headers=adm, timeout=T)
        return r.status_code, made
    if name == "destroy-bck":
        b = new_bucket_name("mxD")
        r = requests.post(c.url + "/v1/buckets/" + b, json={"action": "create-bck"}, headers=adm, timeout=T)
        assert r.status_code == 200, r.text
        r = requests.delete(c.url + "/v1/buckets/" + b, json={"action": "destroy-bck"}, headers=h, timeout=T)
        gone = not bucket_exists(c, b)
        if not gone:
            requests.delete(c.url + "/v1/buckets/" + b, json={"action": "destroy-bck"}, headers=adm, timeout=T)
        return r.status_code, gone
    if name == "set-config":
        want = "%ds" % (10 + n % 50)
        if notif_time(c) == want:
            want = "%ds" % (10 + (n + 1) % 50)
        r = requests.put(c.url + "/v1/cluster/set-config", params={"periodic.notif_time": want}, headers=h,
                         timeout=T)
        return r.status_code, notif_time(c) == want
    raise AssertionError(name)


def check(c, ident, name, tokens, want):
    got, effect = run_op(c, name, tokens[ident])
    assert got == want, (ident, name, want, got)
    assert effect == (want == OK), (ident, name, "allowed op had no effect" if want == OK else "refused op changed data")


# ---------------------------------------------------------------- static key

@pytest.mark.parametrize("ident,name", [(i, o) for i in STATIC for o in OPS])
def test_static(mx, ident, name):
    assert mx.phase == "static"
    if not hasattr(mx, "stok"):
        mx.stok = static_tokens(mx)
    check(mx, ident, name, mx.stok, STATIC[ident][name])


# ---------------------------------------------------------------- OIDC issuer and JWKS

@pytest.fixture(scope="module")
def oidc(mx):
    c = mx
    q = {"auth.signature.key": "", "auth.oidc.allowed_iss": "[%s %s]" % (c.iss.url, c.untrusted.url),
         "auth.oidc.issuer_ca_bundle": c.iss.ca, "auth.oidc.jwks_cache.min_rotation_refresh": "1s"}
    r = requests.put(c.url + "/v1/cluster/set-config", params=q, headers=hdr(c.admin), timeout=T)
    assert r.status_code == 200, r.text
    old_admin = c.admin
    c.admin = c.iss.token("k1", sub="oadmin", admin=True, aud=AUD)
    deadline = time.time() + 20
    while requests.get(c.obj_url(c.bA, "o0"), headers=hdr(c.admin), timeout=T).status_code != 200:
        assert time.time() < deadline, "the OIDC admin token never verified"
        time.sleep(0.3)
    # the static key is gone: its tokens no longer verify
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(old_admin), timeout=T).status_code == 401
    # key rotation at the issuer: a token with a new kid verifies once the JWKS is re-fetched (at most
    # once per min_rotation_refresh)
    k2 = make_token(sub="early", admin=True, key=authutil.rsa_key(), alg="RS256", headers={"kid": "k2"},
                    iss=c.iss.url, aud=AUD)
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(k2), timeout=T).status_code == 401
    hits = c.iss.jwks_hits
    c.iss.add("k2")
    time.sleep(1.2)
    rot = c.iss.token("k2", sub="rot", admin=True, aud=AUD)
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(rot), timeout=T).status_code == 200
    assert c.iss.jwks_hits > hits
    c.phase = "oidc"
    c.otok = oidc_tokens(c)
    return c


@pytest.mark.parametrize("ident,name", [(i, o) for i in OIDC for o in OPS])
def test_oidc(oidc, ident, name):
    check(oidc, ident, name, oidc.otok, OIDC[ident][name])


def test_oidc_refresh_is_throttled(oidc):
    """unknown kids do not make every request hit the issuer: at most one JWKS fetch per
    min_rotation_refresh (1s here)"""
    c = oidc
    bad = c.iss.token("nope", key=c.iss.keys["k1"], sub="x", admin=True, aud=AUD)
    time.sleep(1.1)
    hits = c.iss.jwks_hits
    t0 = time.time()
    for _ in range(20):
        assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(bad), timeout=T).status_code == 401
    elapsed = time.time() - t0
    assert c.iss.jwks_hits - hits <= 1 + int(elapsed), (c.iss.jwks_hits - hits, elapsed)


def test_oidc_config_checks(oidc):
    c = oidc
    adm = hdr(c.admin)
    url = c.url + "/v1/cluster/set-config"
    v0 = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=adm, timeout=T).json()
    # AIStore's ValidateIssuerURL: https with a host; jwks_cache minimums (1s, 5m)
    for q in ({"auth.oidc.allowed_iss": "http://plain.example"}, {"auth.oidc.allowed_iss": "[https:// x]"},
              {"auth.oidc.jwks_cache.min_rotation_refresh": "500ms"},
              {"auth.oidc.jwks_cache.min_background_refresh": "1m"}):
        r = requests.put(url, params=q, headers=adm, timeout=T)
        assert r.status_code == 400, (q, r.status_code, r.text)
    v1 = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=adm, timeout=T).json()
    assert v1["auth"]["oidc"] == v0["auth"]["oidc"]
    assert v1["auth"]["oidc"]["allowed_iss"] == [c.iss.url, c.untrusted.url]
    assert v1["auth"]["required_claims"]["aud"] == [AUD, "ais-mx2"]


# ---------------------------------------------------------------- S3 with SigV4 keys

S3_OPS = ["get", "put", "delete", "list", "create-bck", "destroy-bck"]


def s3_op(c, who, name):
    """(status, effect) of an S3 operation by who: "key" (the configured SigV4 key), "wrong-secret", "unsigned"
    """
    n = next(_seq)
    base = c.url + "/s3"
    good = client(base)
    s3 = good if who == "key" else client(base, sk="wrong") if who == "wrong-secret" else None

    def call(fn, ok_status, **kw):
        if s3 is None:
            return None
        try:
            getattr(s3, fn)(**kw)
            return ok_status
        except ClientError as e:
            return e.response["ResponseMetadata"]["HTTPStatusCode"]

    def raw(method, path, data=None):
        return requests.request(method, base + path, data=data, timeout=T).status_code

    qa = urllib.parse.quote(c.bA)
    if name == "get":
        st = call("get_object", 200, Bucket=c.bA, Key="o0") if s3 else raw("GET", "/%s/o0" % qa)
        return st, st == 200
    if name == "list":
        st = call("list_objects_v2", 200, Bucket=c.bA) if s3 else raw("GET", "/%s" % qa)
        return st, st == 200
    if name == "put":
        obj = "s3put-%d" % n
        st = call("put_object", 200, Bucket=c.bA, Key=obj, Body=b"x") if s3 else raw("PUT", "/%s/%s" % (qa, obj), b"x")
        return st, obj_exists(c, obj)
    if name == "delete":
        obj = "s3del-%d" % n
        good.put_object(Bucket=c.bA, Key=obj, Body=b"x")
        st = call("delete_object", 204, Bucket=c.bA, Key=obj) if s3 else raw("DELETE", "/%s/%s" % (qa, obj))
        return st, not obj_exists(c, obj)
    if name == "create-bck":
        b = new_bucket_name("mxs")
        st = call("create_bucket", 200, Bucket=b) if s3 else raw("PUT", "/" + b)
        made = bucket_exists(c, b)
        if made:
            good.delete_bucket(Bucket=b)
        return st, made
    if name == "destroy-bck":
        b = new_bucket_name("mxs")
        good.create_bucket(Bucket=b)
        st = call("delete_bucket", 204, Bucket=b) if s3 else raw("DELETE", "/" + b)
        gone = not bucket_exists(c, b)
        if not gone:
            good.delete_bucket(Bucket=b)
        return st, gone
    raise AssertionError(name)


S3_WANT = {"key": {"get": 200, "list": 200, "put": 200, "delete": 204, "create-bck": 200, "destroy-bck": 204},
           "wrong-secret": {o: 403 for o in S3_OPS}, "unsigned": {o: 403 for o in S3_OPS}}


@pytest.mark.parametrize("who,name", [(w, o) for w in S3_WANT for o in S3_OPS])
def test_s3_keys(mx, who, name):
    want = S3_WANT[who][name]
    got, effect = s3_op(mx, who, name)
    assert got == want, (who, name, want, got)
    assert effect == (want < 300), (who, name, effect)


def test_data_intact(mx):
    """after the whole matrix: the buckets and their objects are there, unchanged"""
    for b in (mx.bA, mx.bB):
        for i in range(3):
            r = requests.get(mx.obj_url(b, "o%d" % i), headers=hdr(mx.admin), timeout=T)
            assert r.status_code == 200 and r.content == b"data-%d" % i, (b, i, r.status_code)


def test_matrix_size():
    n = len(STATIC) * len(OPS) + len(OIDC) * len(OPS) + sum(len(v) for v in S3_WANT.values())
    assert n >= 40, n
