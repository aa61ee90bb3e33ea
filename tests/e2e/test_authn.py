"""test_authn: the AuthN service (aisauth, docs/authn.md) against a real cluster with auth.enabled:
users/roles/clusters management (admin only: anything less is 401, as AIStore's AuthN answers),
login (wrong password 401), tokens that carry exactly their roles' permissions on the cluster,
persistence across an aisauth restart (users, the RS256 key: old tokens stay valid), token
revocation pushed to every proxy and target (also a proxy that rejoins after the revocation),
the store's files (0600, no clear password), OIDC discovery + JWKS (the token verifies with the
published key), the cluster-side key handshake, and the `ais auth` CLI flow."""
import json
import os
import stat
import subprocess
import tempfile
import time

import jwt
import pytest
import requests

from cluster import ROOT, AuthN, new_bucket_name

T = 30
AIS = os.path.join(ROOT, "build", "ais")


def hdr(tok):
    return {"Authorization": "Bearer " + tok} if tok else {}


def wait_status(fn, want, timeout=10):
    deadline = time.time() + timeout
    st = None
    while time.time() < deadline:
        st = fn()
        if st == want:
            return st
        time.sleep(0.2)
    return st


@pytest.fixture(scope="module")
def env(authn_cluster):
    c, a = authn_cluster
    adm = hdr(c.admin_token)
    c.bck = new_bucket_name("authn")
    r = requests.post(c.url + "/v1/buckets/" + c.bck, json={"action": "create-bck"}, headers=adm, timeout=T)
    assert r.status_code == 200, r.text
    for i in range(3):
        r = requests.put(c.obj_url(c.bck, "o%d" % i), data=b"data-%d" % i, headers=adm, timeout=T)
        assert r.status_code == 200, r.text
    return c, a


def add_user(a, adm, uid, pw, roles):
    r = requests.post(a.url + "/v1/users", headers=adm, timeout=T,
                      json={"id": uid, "pass": pw, "roles": [{"name": n} for n in roles]})
    assert r.status_code == 200, r.text


# ---- management API


def test_admin_only_management(env):
    c, a = env
    adm = hdr(c.admin_token)
    # the service config: admin only, secret never shown
    assert requests.get(a.url + "/v1/daemon", timeout=T).status_code == 401
    r = requests.get(a.url + "/v1/daemon", headers=adm, timeout=T)
    assert r.status_code == 200 and r.json()["net"]["http"]["port"] == a.port
    # a role and a user
    c.uuid_ = c.smap()["uuid"]
    role = {"name": "readers", "desc": "read-only", "clusters": [],
            "buckets": [{"bck": {"name": c.bck, "provider": "ais", "namespace": {"uuid": c.uuid_, "name": ""}},
                         "perm": "771"}]}
    for h in ({}, hdr("garbage.token.here")):
        assert requests.post(a.url + "/v1/roles", json=role, headers=h, timeout=T).status_code == 401
    r = requests.post(a.url + "/v1/roles", json=role, headers=adm, timeout=T)
    assert r.status_code == 200, r.text
    assert requests.post(a.url + "/v1/roles", json=role, headers=adm, timeout=T).status_code == 409
    add_user(a, adm, "bob", "bob-pass", ["readers"])
    r = requests.post(a.url + "/v1/users", headers=adm, timeout=T, json={"id": "bob", "pass": "x", "roles": []})
    assert r.status_code == 409
    # a non-admin user can manage nothing (AIStore answers 401), read only itself
    bob = hdr(a.login("bob", "bob-pass"))
    assert requests.post(a.url + "/v1/users", headers=bob, timeout=T,
                         json={"id": "eve", "pass": "p", "roles": []}).status_code == 401
    assert requests.post(a.url + "/v1/roles", headers=bob, timeout=T, json={"name": "x"}).status_code == 401
    assert requests.delete(a.url + "/v1/roles/readers", headers=bob, timeout=T).status_code == 401
    assert requests.delete(a.url + "/v1/users/admin", headers=bob, timeout=T).status_code == 401
    assert requests.get(a.url + "/v1/users", headers=bob, timeout=T).status_code == 401
    assert requests.get(a.url + "/v1/users/admin", headers=bob, timeout=T).status_code == 401
    assert requests.get(a.url + "/v1/daemon", headers=bob, timeout=T).status_code == 401
    assert requests.put(a.url + "/v1/users/bob", headers=bob, timeout=T,
                        json={"roles": [{"name": "Admin"}]}).status_code == 401
    r = requests.get(a.url + "/v1/users/bob", headers=bob, timeout=T)
    assert r.status_code == 200 and r.json()["id"] == "bob" and "pass" not in r.json()
    assert [x["name"] for x in r.json()["roles"]] == ["readers"]
    # a user may change its own password
    assert requests.put(a.url + "/v1/users/bob", headers=bob, json={"pass": "bob-pass2"}, timeout=T).status_code == 200
    assert requests.post(a.url + "/v1/users/bob", json={"password": "bob-pass"}, timeout=T).status_code == 401
    a.login("bob", "bob-pass2")
    # the list: admin only, never a password
    users = requests.get(a.url + "/v1/users", headers=adm, timeout=T).json()
    assert {"admin", "bob"} <= set(users) and all("pass" not in u for u in users.values())
    # built-ins stay
    assert requests.delete(a.url + "/v1/users/admin", headers=adm, timeout=T).status_code == 403
    assert requests.delete(a.url + "/v1/roles/Admin", headers=adm, timeout=T).status_code == 403
    assert requests.put(a.url + "/v1/roles/Admin", headers=adm, json={"desc": "x"}, timeout=T).status_code == 403
    assert requests.post(a.url + "/v1/roles", headers=adm, json={"name": "sneaky", "admin": True},
                         timeout=T).status_code == 403
    # malformed bodies: 400, nothing stored
    for body in ({"name": "bad role"}, {"name": "r1", "clusters": [{"id": "", "perm": 5}]}, {"name": "r2", "x": 1}):
        assert requests.post(a.url + "/v1/roles", headers=adm, json=body, timeout=T).status_code == 400, body
    assert requests.post(a.url + "/v1/users", headers=adm, data=b"{nope", timeout=T).status_code == 400
    assert requests.post(a.url + "/v1/users", headers=adm, json={"id": "u2", "password": "p"},
                         timeout=T).status_code == 400
    assert requests.post(a.url + "/v1/users", headers=adm, json={"id": "u3", "pass": "p", "roles": [{"name": "nope"}]},
                         timeout=T).status_code == 404
    assert requests.get(a.url + "/v1/users/u3", headers=adm, timeout=T).status_code == 404
    # roles: a registered cluster got AIStore's default roles; update merges; delete
    names = {r["name"] for r in requests.get(a.url + "/v1/roles", timeout=T).json()}
    assert {"Admin", "ClusterOwner-e2e", "BucketOwner-e2e", "Guest-e2e", "readers"} <= names
    r = requests.put(a.url + "/v1/roles/readers", headers=adm, timeout=T,
                     json={"desc": "readers v2", "clusters": [{"id": c.uuid_, "perm": "4096"}]})
    assert r.status_code == 200, r.text
    r = requests.get(a.url + "/v1/roles/readers", timeout=T).json()
    assert r["desc"] == "readers v2" and r["clusters"][0]["perm"] == "4096" and len(r["buckets"]) == 1
    add_user(a, adm, "tmpuser", "tmp-pass", [])
    assert requests.delete(a.url + "/v1/users/tmpuser", headers=adm, timeout=T).status_code == 200
    assert requests.delete(a.url + "/v1/users/tmpuser", headers=adm, timeout=T).status_code == 404
    # clusters: registered under its Smap UUID with its alias, found by either
    clus = requests.get(a.url + "/v1/clusters", timeout=T).json()["clusters"]
    assert clus[c.uuid_]["alias"] == "e2e" and c.url in clus[c.uuid_]["urls"]
    assert c.uuid_ in requests.get(a.url + "/v1/clusters/e2e", timeout=T).json()["clusters"]
    r = requests.post(a.url + "/v1/clusters", headers=adm, timeout=T,
                      json={"id": c.uuid_, "alias": "again", "urls": [c.url]})
    assert r.status_code == 409
    # update: the key handshake again; the body's ID must be the path's
    urls = [p.url for p in c.proxies]
    r = requests.put(a.url + "/v1/clusters/" + c.uuid_, headers=adm, timeout=T, json={"id": c.uuid_, "urls": urls})
    assert r.status_code == 200, r.text
    r = requests.put(a.url + "/v1/clusters/" + c.uuid_, headers=adm, timeout=T, json={"id": "other", "urls": urls})
    assert r.status_code == 400
    r = requests.put(a.url + "/v1/clusters/" + c.uuid_, headers=bob, timeout=T, json={"id": c.uuid_, "urls": urls})
    assert r.status_code == 401
    assert requests.put(a.url + "/v1/users/bob", headers=adm, json={"id": "eve", "pass": "x"}, timeout=T).status_code == 400


def test_login(env):
    c, a = env
    bad = requests.post(a.url + "/v1/users/admin", json={"password": "wrong"}, timeout=T)
    assert bad.status_code == 401 and '"token":' not in bad.text
    assert requests.post(a.url + "/v1/users/nobody", json={"password": "x"}, timeout=T).status_code == 401
    assert requests.post(a.url + "/v1/users/admin", json={"password": ""}, timeout=T).status_code == 401
    # expiry: default 24h; a requested one (ns) >= 1m and <= max_token_age
    claims = jwt.decode(a.admin_token(), options={"verify_signature": False})
    assert 86000 < claims["exp"] - time.time() < 86500
    assert claims["sub"] == "admin" and claims["admin"] is True and claims["iss"] == a.url
    assert c.smap()["uuid"] in claims["aud"]
    assert a.admin_token() != a.admin_token()  # each login its own token (jti): revoking one spares the other
    claims = jwt.decode(a.login("admin", a.su_pass, expires_in=3600 * 10**9), options={"verify_signature": False})
    assert 3500 < claims["exp"] - time.time() < 3700
    for ns in (10**9, 200 * 24 * 3600 * 10**9):
        r = requests.post(a.url + "/v1/users/admin", json={"password": a.su_pass, "expires_in": ns}, timeout=T)
        assert r.status_code == 400, r.text


# ---- tokens on the cluster


def test_token_permissions(env):
    c, a = env
    adm = hdr(c.admin_token)
    add_user(a, adm, "guest", "guest-pass", ["Guest-e2e"])
    add_user(a, adm, "owner", "owner-pass", ["BucketOwner-e2e"])
    guest, owner = hdr(a.login("guest", "guest-pass")), hdr(a.login("owner", "owner-pass"))
    claims = jwt.decode(a.login("guest", "guest-pass"), options={"verify_signature": False})
    uuid = c.smap()["uuid"]
    assert claims["admin"] is False and claims["clusters"] == [{"id": uuid, "perm": "771"}]
    url = c.obj_url(c.bck, "o0")
    # no token 401; read-only: GET 200, PUT 403, DELETE 403
    assert requests.get(url, timeout=T).status_code == 401
    r = requests.get(url, headers=guest, timeout=T)
    assert r.status_code == 200 and r.content == b"data-0"
    assert requests.put(c.obj_url(c.bck, "g"), data=b"x", headers=guest, timeout=T).status_code == 403
    assert requests.delete(url, headers=guest, timeout=T).status_code == 403
    assert requests.get(c.url + "/v1/buckets/" + c.bck, headers=guest, timeout=T).status_code == 200  # list
    assert requests.get(c.obj_url(c.bck, "g"), headers=adm, timeout=T).status_code == 404  # nothing written
    # read-write: PUT 200; neither may change the cluster
    assert requests.put(c.obj_url(c.bck, "w"), data=b"w", headers=owner, timeout=T).status_code == 200
    for h in (guest, owner):
        r = requests.put(c.url + "/v1/cluster/set-config", params={"auth.enabled": "false"}, headers=h, timeout=T)
        assert r.status_code == 403
    # bucket-scoped role (created above in test_admin_only_management or here)
    r = requests.post(a.url + "/v1/roles", headers=adm, timeout=T,
                      json={"name": "bck-ro", "buckets": [{"bck": {"name": c.bck, "provider": "ais",
                                                                   "namespace": {"uuid": uuid, "name": ""}},
                                                           "perm": "1"}]})
    assert r.status_code in (200, 409)
    add_user(a, adm, "bckro", "bckro-pass", ["bck-ro"])
    b = hdr(a.login("bckro", "bckro-pass"))
    assert requests.get(url, headers=b, timeout=T).status_code == 200
    assert requests.head(url, headers=b, timeout=T).status_code == 403  # GET only, no HEAD-OBJECT


def test_revocation_pushed_everywhere(env):
    c, a = env
    adm = hdr(c.admin_token)
    add_user(a, adm, "rev", "rev-pass", ["Guest-e2e"])
    tok = a.login("rev", "rev-pass")
    other = a.login("rev", "rev-pass", expires_in=7200 * 10**9)  # another token of the same user
    path = "/v1/objects/%s/o1" % c.bck
    tgt = c.targets[0]
    nodes = [p.url for p in c.proxies] + [tgt.url]
    for u in nodes:  # direct requests to a target are checked too
        assert requests.get(u + path, headers=hdr(tok), timeout=T).status_code == 200, u
    # revoking needs a valid token (the token itself); garbage 401, empty 400
    assert requests.delete(a.url + "/v1/tokens", json={"token": "x.y.z"}, timeout=T).status_code == 401
    assert requests.delete(a.url + "/v1/tokens", json={"token": ""}, timeout=T).status_code == 400
    r = requests.delete(a.url + "/v1/tokens", json={"token": tok}, timeout=T)
    assert r.status_code == 200, r.text
    for u in nodes:
        st = wait_status(lambda: requests.get(u + path, headers=hdr(tok), timeout=T).status_code, 401)
        assert st == 401, u
        assert requests.get(u + path, headers=hdr(other), timeout=T).status_code == 200, u
    # aisauth itself refuses it
    assert requests.get(a.url + "/v1/users/rev", headers=hdr(tok), timeout=T).status_code == 401
    # a proxy that (re)joins after the revocation gets the list with the cluster metadata
    p1 = c.proxies[1]
    c.expected_down.add(p1.name)
    p1.stop()
    p1.start()
    c.expected_down.discard(p1.name)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(p1.url + "/v1/health", timeout=2).status_code == 200 and \
                    p1_in_smap(c, p1):
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)
    assert requests.get(p1.url + path, headers=hdr(tok), timeout=T).status_code == 401
    assert requests.get(p1.url + path, headers=hdr(other), timeout=T).status_code == 200


def p1_in_smap(c, p1):
    try:
        sid = c.node_id(p1)
        return sid in (c.smap(p1).get("pmap") or {})
    except (requests.RequestException, ValueError, KeyError):
        return False


def test_cluster_tokens_endpoint(env):
    c, a = env
    adm = hdr(c.admin_token)
    pub = requests.get(a.url + "/v1/public-key", timeout=T).json()["public_key"]
    # the key handshake AuthN runs before registering: right key 200, another 403, HMAC 400
    r = requests.post(c.url + "/v1/tokens", json={"public_key": pub}, headers=adm, timeout=T)
    assert r.status_code == 200, r.text
    assert requests.post(c.url + "/v1/tokens", json={"public_key": pub}, timeout=T).status_code == 401
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    other = k.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert requests.post(c.url + "/v1/tokens", json={"public_key": other}, headers=adm, timeout=T).status_code == 403
    assert requests.post(c.url + "/v1/tokens", json={"secret": "ab" * 32}, headers=adm, timeout=T).status_code == 400
    assert requests.post(c.url + "/v1/tokens", json={"bogus": 1}, headers=adm, timeout=T).status_code == 400
    # a revocation needs an admin token when auth is on; malformed lists 400
    assert requests.delete(c.url + "/v1/tokens", json={"tokens": ["a.b.c"]}, timeout=T).status_code == 401
    for body in ({"tokens": "x"}, {"tokens": [1]}, {"tokens": [""]}, {"x": []}):
        assert requests.delete(c.url + "/v1/tokens", json=body, headers=adm, timeout=T).status_code == 400, body
    # an AuthN with another key (HS256) cannot register this cluster
    h = AuthN(secret="another-hmac-secret-%d" % os.getpid())
    try:
        h.start()
        assert requests.get(h.url + "/.well-known/jwks.json", timeout=T).status_code == 400
        assert requests.get(h.url + "/v1/public-key", timeout=T).status_code == 400
        htok = h.admin_token()
        assert jwt.get_unverified_header(htok)["alg"] == "HS256"
        jwt.decode(htok, h.secret, algorithms=["HS256"], options={"verify_aud": False})
        r = requests.post(h.url + "/v1/clusters", headers=hdr(htok), timeout=T,
                          json={"id": c.smap()["uuid"], "alias": "x", "urls": [c.url]})
        assert r.status_code in (400, 401), r.text
        assert requests.get(h.url + "/v1/clusters", timeout=T).json() == {}
        # and its tokens mean nothing to the cluster
        assert requests.get(c.obj_url(c.bck, "o0"), headers=hdr(htok), timeout=T).status_code == 401
    finally:
        h.cleanup()


# ---- persistence, files, OIDC


def test_restart_keeps_users_and_key(env):
    c, a = env
    adm = hdr(c.admin_token)
    add_user(a, adm, "persist", "persist-pass", ["Guest-e2e"])
    tok = a.login("persist", "persist-pass")
    pub = requests.get(a.url + "/v1/public-key", timeout=T).json()["public_key"]
    a.stop()
    a.start()
    assert requests.get(a.url + "/v1/public-key", timeout=T).json()["public_key"] == pub
    a.login("persist", "persist-pass")
    r = requests.get(a.url + "/v1/users/persist", headers=hdr(tok), timeout=T)
    assert r.status_code == 200, r.text
    assert requests.get(c.obj_url(c.bck, "o0"), headers=hdr(tok), timeout=T).status_code == 200
    assert requests.get(a.url + "/v1/daemon", headers=adm, timeout=T).status_code == 200  # the admin token too


def test_store_files(env):
    c, a = env
    for f in ("authn.db", "authn_rsa.key"):
        m = stat.S_IMODE(os.stat(os.path.join(a.dir, f)).st_mode)
        assert m == 0o600, (f, oct(m))
    with open(os.path.join(a.dir, "authn.db")) as f:
        text = f.read()
    db = json.loads(text)
    for secret in (a.su_pass, "bob-pass2", "guest-pass", "owner-pass"):
        assert secret not in text
    assert all(u["pass"].startswith("pbkdf2-sha256$") for u in db["user"].values())
    assert not [x for x in os.listdir(a.dir) if x.endswith(".tmp")]


def test_oidc_and_jwks(env):
    c, a = env
    r = requests.get(a.url + "/.well-known/openid-configuration", timeout=T)
    assert r.status_code == 200
    d = r.json()
    assert d["issuer"] == a.url and d["jwks_uri"] == a.url + "/.well-known/jwks.json"
    assert d["token_endpoint"] == a.url + "/v1/tokens" and "RS256" in d["id_token_signing_alg_values_supported"]
    r = requests.get(d["jwks_uri"], timeout=T)
    assert r.status_code == 200 and "max-age" in r.headers.get("Cache-Control", "")
    keys = r.json()["keys"]
    assert len(keys) == 1
    k = keys[0]
    assert k["kty"] == "RSA" and k["alg"] == "RS256" and k["use"] == "sig" and k["n"] and k["e"] and k["kid"]
    tok = a.admin_token()
    assert jwt.get_unverified_header(tok)["kid"] == k["kid"]
    pubkey = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(k))
    claims = jwt.decode(tok, pubkey, algorithms=["RS256"], options={"verify_aud": False})
    assert claims["sub"] == "admin"
    # the kid is the RFC 7638 thumbprint of the key
    import base64
    import hashlib
    tp = json.dumps({"e": k["e"], "kty": "RSA", "n": k["n"]}, separators=(",", ":"), sort_keys=True)
    assert base64.urlsafe_b64encode(hashlib.sha256(tp.encode()).digest()).rstrip(b"=").decode() == k["kid"]


# ---- the CLI


def test_cli_flow(env):
    c, a = env
    home = tempfile.mkdtemp(prefix="ais-cli-home-")
    e = dict(os.environ, HOME=home, AIS_ENDPOINT=c.url, AIS_AUTHN_URL=a.url)
    for k in ("AIS_AUTHN_TOKEN", "AIS_AUTHN_TOKEN_FILE"):
        e.pop(k, None)

    def ais(*args, ok=True):
        p = subprocess.run([AIS] + list(args), env=e, capture_output=True, text=True, timeout=60)
        if ok:
            assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p

    p = ais("ls", ok=False)
    assert p.returncode != 0
    p = ais("auth", "login", "admin", "-p", "wrong", ok=False)
    assert p.returncode != 0 and "invalid credentials" in p.stderr
    p = ais("auth", "login", "admin", "-p", a.su_pass)
    tf = os.path.join(home, ".config", "ais", "cli", "auth.token")
    assert "Logged in (%s)" % tf in p.stdout
    assert stat.S_IMODE(os.stat(tf).st_mode) == 0o600
    with open(tf) as f:
        tok = json.load(f)["token"]
    assert c.bck in ais("ls").stdout
    out = ais("auth", "show", "cluster").stdout
    assert "CLUSTER ID" in out and "e2e" in out and c.url in out
    ais("auth", "add", "role", "cli-ro", "--cluster", "e2e", "--desc", "CLI readers", "ro", "LIST-BUCKETS")
    out = ais("auth", "show", "role").stdout
    assert "ROLE" in out and "cli-ro" in out and "CLI readers" in out
    ais("auth", "add", "user", "carol", "-p", "carol-pass", "cli-ro")
    out = ais("auth", "show", "user").stdout
    assert "NAME" in out and "carol" in out and "cli-ro" in out
    # carol: read-only with her own token file
    cf = os.path.join(home, "carol.token")
    ais("auth", "login", "carol", "-p", "carol-pass", "-f", cf, "--expire", "1h")
    e2 = dict(e, AIS_AUTHN_TOKEN_FILE=cf)
    p = subprocess.run([AIS, "ls", "ais://" + c.bck], env=e2, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "o0" in p.stdout, p.stderr
    src = os.path.join(home, "f.txt")
    with open(src, "w") as f:
        f.write("x")
    p = subprocess.run([AIS, "put", src, "ais://%s/cli-put" % c.bck], env=e2, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    ais("auth", "rm", "user", "carol")
    ais("auth", "rm", "role", "cli-ro")
    assert "carol" not in ais("auth", "show", "user").stdout
    assert json.loads(ais("auth", "show", "oidc", "--json").stdout)["issuer"] == a.url
    assert json.loads(ais("auth", "show", "jwks").stdout)["keys"][0]["kty"] == "RSA"
    assert "BEGIN PUBLIC KEY" in ais("auth", "show", "public-key").stdout
    # logout revokes the token and removes the file
    p = ais("auth", "logout")
    assert "Logged out" in p.stdout and not os.path.exists(tf)
    st = wait_status(lambda: requests.get(c.url + "/v1/buckets/" + c.bck, headers=hdr(tok), timeout=T).status_code,
                     401)
    assert st == 401
    assert ais("ls", ok=False).returncode != 0


def test_hs256_deployment():
    """AuthN with an HMAC secret (AIS_AUTHN_SECRET_KEY) and a cluster validating with the same
    secret: the registration handshake compares the secret's SHA-256, logins work on the cluster,
    a token revoked before the cluster registered is refused once it registers (AuthN sends its
    list)"""
    from cluster import Cluster, enable_authn
    secret = "hs256-e2e-secret-%d" % os.getpid()
    a = AuthN(secret=secret)
    c = Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="1s")
    try:
        a.start()
        c.start()
        early = a.admin_token()
        assert requests.delete(a.url + "/v1/tokens", json={"token": early}, timeout=T).status_code == 200
        tok = enable_authn(c, a, alias="hs")
        assert jwt.get_unverified_header(tok)["alg"] == "HS256"
        r = requests.post(c.url + "/v1/tokens", json={"secret": "00" * 32}, headers=hdr(tok), timeout=T)
        assert r.status_code == 403
        assert requests.get(c.url + "/v1/cluster?what=smap", headers=hdr(tok), timeout=T).status_code == 200
        assert requests.get(c.url + "/v1/cluster?what=smap", headers=hdr(early), timeout=T).status_code == 401
        names = {r["name"] for r in requests.get(a.url + "/v1/roles", timeout=T).json()}
        assert {"ClusterOwner-hs", "BucketOwner-hs", "Guest-hs"} <= names
    finally:
        c.cleanup()
        a.cleanup()
