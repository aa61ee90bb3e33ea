"""test_auth: JWT access control of the native API (auth.enabled, docs/security.md), as AIStore's
ais/prxauth.go answers: no/invalid/expired token -> 401, a valid token without the permission
-> 403, the permission -> 200; nothing forbidden changes data. Tokens are made here with PyJWT
(HS256 with the configured secret; RS256 with a key pair after a signature change).
The cluster starts with auth off; turning it on takes an admin token (as AIStore)."""
import json
import os
import re
import subprocess
import time
import urllib.parse

import pytest
import requests

import authutil
from authutil import (CLU_RO, CREATE_BUCKET, DESTROY_BUCKET, RO, RW, T, hdr,  # noqa: F401 (shared names)
                      hs256_raw)
from cluster import ROOT, Cluster, new_bucket_name

SECRET = "e2e-jwt-secret-%d" % os.getpid()


def token(sub="user", admin=False, buckets=(), clusters=(), exp=3600, key=SECRET, alg="HS256", **extra):
    return authutil.make_token(sub=sub, admin=admin, buckets=buckets, clusters=clusters, exp=exp, key=key, alg=alg,
                               **extra)


@pytest.fixture(scope="module")
def ac():
    c = Cluster(nproxies=1, ntargets=2, nmountpaths=1, keepalive="1s")
    c.start()
    c.uuid = c.smap()["uuid"]
    c.bA, c.bB = new_bucket_name("authA"), new_bucket_name("authB")
    for b in (c.bA, c.bB):
        c.create_bucket(b)
        for i in range(3):
            assert requests.put(c.obj_url(b, "o%d" % i), data=b"data-%d" % i, timeout=T).status_code == 200
    yield c
    c.cleanup()


def bacl(c, name, perm):
    return authutil.bacl(c.uuid, name, perm)


@pytest.fixture(scope="module")
def on(ac):
    """auth turned on with an admin token; the tokens of the matrix"""
    q = {"auth.signature.method": "HS256", "auth.signature.key": SECRET, "auth.enabled": "true"}
    url = ac.url + "/v1/cluster/set-config"
    # without a token, with a non-admin one, with one signed by another key: refused, nothing changes
    assert requests.put(url, params=q, timeout=T).status_code == 401
    assert requests.put(url, params=q, headers=hdr(token()), timeout=T).status_code == 401
    assert requests.put(url, params=q, headers=hdr(token(admin=True, key="other")), timeout=T).status_code == 401
    assert requests.get(ac.obj_url(ac.bA, "o0"), timeout=T).status_code == 200  # still off
    r = requests.put(url, params=q, headers=hdr(token(sub="admin", admin=True)), timeout=T)
    assert r.status_code == 200, r.text
    ac.tok = {
        "admin": token(sub="admin", admin=True),
        "roA": token(sub="roA", buckets=[bacl(ac, ac.bA, RO)]),
        "rwA": token(sub="rwA", buckets=[bacl(ac, ac.bA, RW)]),
        "cluRO": token(sub="cluRO", clusters=[{"id": ac.uuid, "perm": str(CLU_RO)}]),
        "cluRW": token(sub="cluRW", clusters=[{"id": "", "perm": str(CLU_RO | CREATE_BUCKET | DESTROY_BUCKET | RW)}]),
        "none": None,
        "expired": token(sub="roA", buckets=[bacl(ac, ac.bA, RO)], exp=-10),
        "noexp": token(sub="roA", buckets=[bacl(ac, ac.bA, RO)], exp=None),
        "nosub": token(sub=None, admin=True),
        "badsig": token(sub="admin", admin=True, key="not-the-secret"),
        "hs512": token(sub="admin", admin=True, alg="HS512"),
        "garbage": "not.a.token",
    }
    return ac


def op(c, name, tok):
    """one request of the matrix; returns the status"""
    h = hdr(tok)
    a, b = c.bA, c.bB
    if name == "get-A":
        r = requests.get(c.obj_url(a, "o0"), headers=h, timeout=T)
    elif name == "head-A":
        r = requests.head(c.obj_url(a, "o0"), headers=h, allow_redirects=True, timeout=T)
    elif name == "get-B":
        r = requests.get(c.obj_url(b, "o0"), headers=h, timeout=T)
    elif name == "put-A":
        r = requests.put(c.obj_url(a, "new"), data=b"new", headers=h, timeout=T)
    elif name == "delete-A":
        r = requests.delete(c.obj_url(a, "o2"), headers=h, timeout=T)
    elif name == "list-A":
        r = requests.get(c.url + "/v1/buckets/" + a, json={"action": "list", "value": {"props": "name"}}, headers=h,
                         timeout=T)
    elif name == "list-buckets":
        r = requests.get(c.url + "/v1/buckets", json={"action": "list"}, headers=h, timeout=T)
    elif name == "create-bck":
        r = requests.post(c.url + "/v1/buckets/" + new_bucket_name("authC"), json={"action": "create-bck"},
                          headers=h, timeout=T)
    elif name == "destroy-B":
        r = requests.delete(c.url + "/v1/buckets/" + b, json={"action": "destroy-bck"}, headers=h, timeout=T)
    elif name == "show-config":
        r = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=h, timeout=T)
    elif name == "set-config":
        r = requests.put(c.url + "/v1/cluster/set-config", params={"log.level": "3"}, headers=h, timeout=T)
    elif name == "target-direct":
        r = requests.get(c.targets[0].url + "/v1/daemon", params={"what": "snode"}, headers=h, timeout=T)
    else:
        raise AssertionError(name)
    return r.status_code


# user -> {op: expected status}; 200 means allowed (the op's own success code)
OK, NOAUTH, FORBID = 200, 401, 403
MATRIX = {
    "admin": {"get-A": OK, "head-A": OK, "get-B": OK, "put-A": OK, "list-A": OK, "list-buckets": OK,
              "show-config": OK, "set-config": OK, "target-direct": OK},
    "roA": {"get-A": OK, "head-A": OK, "list-A": OK, "get-B": FORBID, "put-A": FORBID, "delete-A": FORBID,
            "create-bck": FORBID, "destroy-B": FORBID, "show-config": FORBID, "set-config": FORBID,
            "list-buckets": FORBID, "target-direct": FORBID},
    "rwA": {"get-A": OK, "put-A": OK, "list-A": OK, "get-B": FORBID, "destroy-B": FORBID, "set-config": FORBID,
            "create-bck": FORBID},
    "cluRO": {"list-buckets": OK, "show-config": OK, "target-direct": OK, "get-A": FORBID, "put-A": FORBID,
              "set-config": FORBID, "create-bck": FORBID},
    "cluRW": {"get-B": OK, "put-A": OK, "list-buckets": OK, "set-config": FORBID},
    "none": {"get-A": NOAUTH, "put-A": NOAUTH, "list-A": NOAUTH, "list-buckets": NOAUTH, "show-config": NOAUTH,
             "set-config": NOAUTH, "destroy-B": NOAUTH, "target-direct": NOAUTH},
    "expired": {"get-A": NOAUTH, "list-A": NOAUTH},
    "noexp": {"get-A": NOAUTH},
    "nosub": {"get-A": NOAUTH, "set-config": NOAUTH},
    "badsig": {"get-A": NOAUTH, "destroy-B": NOAUTH, "set-config": NOAUTH},
    "hs512": {"get-A": NOAUTH},
    "garbage": {"get-A": NOAUTH},
}


def test_matrix(on):
    c = on
    n = 0
    bad = []
    for user, ops in MATRIX.items():
        for name, want in ops.items():
            got = op(c, name, c.tok[user])
            n += 1
            if got != want:
                bad.append((user, name, want, got))
    assert not bad, bad
    assert n >= 40, n
    # nothing forbidden changed data: B still there with its objects, A's o2 not deleted
    adm = hdr(c.tok["admin"])
    for b in (c.bA, c.bB):
        for i in range(3):
            r = requests.get(c.obj_url(b, "o%d" % i), headers=adm, timeout=T)
            assert r.status_code == 200 and r.content == b"data-%d" % i, (b, i, r.status_code)


def test_allowed_writes_and_destroy(on):
    c = on
    rw, adm = hdr(c.tok["rwA"]), hdr(c.tok["admin"])
    assert requests.put(c.obj_url(c.bA, "rw-obj"), data=b"rw", headers=rw, timeout=T).status_code == 200
    assert requests.get(c.obj_url(c.bA, "rw-obj"), headers=rw, timeout=T).content == b"rw"
    assert requests.delete(c.obj_url(c.bA, "rw-obj"), headers=rw, timeout=T).status_code == 200
    name = new_bucket_name("authD")
    r = requests.post(c.url + "/v1/buckets/" + name, json={"action": "create-bck"}, headers=adm, timeout=T)
    assert r.status_code == 200, r.text
    r = requests.delete(c.url + "/v1/buckets/" + name, json={"action": "destroy-bck"}, headers=adm, timeout=T)
    assert r.status_code == 200, r.text


def test_redirects_and_intra_need_no_token(on):
    """the proxy checks the token; the target serves the signed redirect it issued (clients drop
    the Authorization header on a redirect to another port); a forged redirect is 401 anyway"""
    c = on
    r = requests.get(c.obj_url(c.bA, "o1"), headers=hdr(c.tok["roA"]), allow_redirects=False, timeout=T)
    assert r.status_code == 301
    loc = r.headers["Location"]
    r = requests.get(loc, timeout=T)  # no token
    assert r.status_code == 200 and r.content == b"data-1"
    t = c.targets[0]
    r = requests.get(t.url + "/v1/objects/%s/o1" % c.bA, params={"pid": "x", "utm": "1"}, timeout=T)
    assert r.status_code == 401
    # the cluster keeps working (keepalives, metasync): a bucket created by the admin reaches targets
    assert versions_agree(c)


def versions_agree(c):
    adm = hdr(c.tok["admin"])
    vs = {requests.get(n.url + "/v1/daemon", params={"what": "smap"}, headers=adm, timeout=T).json()["version"]
          for n in c.nodes}
    return len(vs) == 1


def test_required_audience(on):
    c = on
    adm = hdr(c.tok["admin"])
    r = requests.put(c.url + "/v1/cluster/set-config", params={"auth.required_claims.aud": "ais-e2e"}, headers=adm,
                     timeout=T)
    assert r.status_code == 200, r.text
    try:
        r = requests.get(c.obj_url(c.bA, "o0"), headers=hdr(c.tok["roA"]), timeout=T)
        assert r.status_code == 401 and "audience" in r.json()["message"], r.text
        good = token(sub="roA", buckets=[bacl(c, c.bA, RO)], aud=["other", "ais-e2e"])
        assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(good), timeout=T).status_code == 200
        wrong = token(sub="roA", buckets=[bacl(c, c.bA, RO)], aud="other")
        assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(wrong), timeout=T).status_code == 401
        c.tok["admin"] = token(sub="admin", admin=True, aud="ais-e2e")
    finally:
        r = requests.put(c.url + "/v1/cluster/set-config", params={"auth.required_claims.aud": ""},
                         headers=hdr(c.tok["admin"]), timeout=T)
        assert r.status_code == 200, r.text


def test_rs256_after_signature_change(on):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    c = on
    priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = priv.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    r = requests.put(c.url + "/v1/cluster/set-config", params={"auth.signature.method": "RS256",
                                                              "auth.signature.key": pem},
                     headers=hdr(c.tok["admin"]), timeout=T)
    assert r.status_code == 200, r.text
    rs_ro = token(sub="roA", buckets=[bacl(c, c.bA, RO)], key=priv, alg="RS256")
    rs_adm = token(sub="admin", admin=True, key=priv, alg="RS256")
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(rs_ro), timeout=T).status_code == 200
    assert requests.put(c.obj_url(c.bA, "x"), data=b"x", headers=hdr(rs_ro), timeout=T).status_code == 403
    # the old HS256 tokens no longer verify; nor an HS256 token made with the public key as secret
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(c.tok["admin"]), timeout=T).status_code == 401
    confused = hs256_raw({"sub": "admin", "admin": True, "exp": int(time.time()) + 600}, pem.encode())
    assert requests.get(c.obj_url(c.bA, "o0"), headers=hdr(confused), timeout=T).status_code == 401
    c.tok["admin"] = rs_adm
    r = requests.get(c.url + "/v1/cluster", params={"what": "config"}, headers=hdr(rs_adm), timeout=T)
    assert r.status_code == 200
    assert r.json()["auth"]["signature"]["key"] in ("********", "**********") or "PUBLIC KEY" in r.text


def test_cli_and_aisloader_send_the_token(on, tmp_path):
    """AIS_AUTHN_TOKEN, or the token file (AIS_AUTHN_TOKEN_FILE, ~/.config/ais/cli/auth.token)"""
    c = on
    ais, ld = os.path.join(ROOT, "build", "ais"), os.path.join(ROOT, "build", "aisloader")
    base = dict(os.environ, AIS_ENDPOINT=c.url, HOME=str(tmp_path))
    base.pop("AIS_AUTHN_TOKEN", None)
    out = subprocess.run([ais, "ls", "ais://" + c.bA], env=base, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0, out.stdout
    out = subprocess.run([ais, "ls", "ais://" + c.bA], env=dict(base, AIS_AUTHN_TOKEN=c.tok["admin"]),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "o1" in out.stdout, out.stdout + out.stderr
    tf = tmp_path / ".config" / "ais" / "cli"
    tf.mkdir(parents=True)
    (tf / "auth.token").write_text(json.dumps({"token": c.tok["admin"]}))
    out = subprocess.run([ais, "get", "ais://%s/o1" % c.bA, "-"], env=base, capture_output=True, timeout=60)
    assert out.returncode == 0 and out.stdout == b"data-1", out.stderr
    out = subprocess.run([ld, "-endpoint=" + c.url, "-bucket=ais://" + c.bA, "-cleanup=false", "-pctput=0",
                          "-duration=2s", "-numworkers=2", "-quiet"], env=base, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"^GET\s+[\d,]+", out.stdout, re.M), out.stdout


def test_s3_needs_sigv4_with_auth_on(on):
    c = on
    r = requests.get(c.url + "/s3/" + urllib.parse.quote(c.bA) + "/o0", timeout=T)
    assert r.status_code == 401, r.text


def test_turn_off_needs_admin(on):
    c = on
    url = c.url + "/v1/cluster/set-config"
    assert requests.put(url, params={"auth.enabled": "false"}, timeout=T).status_code == 401
    assert requests.put(url, params={"auth.enabled": "false"}, headers=hdr(token(sub="x")),
                        timeout=T).status_code == 401  # HS256 no longer verifies: RS256 now
    r = requests.put(url, params={"auth.enabled": "false"}, headers=hdr(c.tok["admin"]), timeout=T)
    assert r.status_code == 200, r.text
    assert requests.get(c.obj_url(c.bA, "o0"), timeout=T).status_code == 200
