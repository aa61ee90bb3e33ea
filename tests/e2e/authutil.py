"""authutil: helpers shared by the JWT/OIDC e2e tests (test_auth.py, test_auth_matrix.py): tokens made
with PyJWT, AIStore's access bits, bucket ACL claims, and a tiny OIDC issuer (HTTPS, self-signed
certificate made here) serving /.well-known/openid-configuration and a JWKS of RSA keys that a test
can rotate."""
import base64
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import ssl
import threading
import time

import jwt

T = 10
# AIStore's access bits (api/apc/access.go)
GET, OBJ_HEAD, PUT, APPEND, OBJ_DELETE, OBJ_MOVE, PROMOTE = 1, 2, 4, 8, 16, 32, 64
BCK_HEAD, OBJ_LIST, PATCH = 256, 512, 1024
LIST_BUCKETS, SHOW_CLUSTER, CREATE_BUCKET, DESTROY_BUCKET = 1 << 12, 1 << 13, 1 << 14, 1 << 15
RO = GET | OBJ_HEAD | BCK_HEAD | OBJ_LIST
RW = RO | PUT | APPEND | OBJ_DELETE | OBJ_MOVE | PROMOTE
CLU_RO = LIST_BUCKETS | SHOW_CLUSTER


def make_token(sub="user", admin=False, buckets=(), clusters=(), exp=3600, key=None, alg="HS256", headers=None,
               **extra):
    claims = {"sub": sub, "admin": admin, "exp": int(time.time()) + (exp or 0), **extra}
    if buckets:
        claims["buckets"] = list(buckets)
    if clusters:
        claims["clusters"] = list(clusters)
    if sub is None:
        del claims["sub"]
    if exp is None:
        del claims["exp"]
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def hs256_raw(claims, key):
    """an HS256 token signed with arbitrary key bytes (PyJWT refuses a PEM as an HMAC secret)"""
    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=")
    si = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + b64(json.dumps(claims).encode())
    return (si + b"." + b64(hmac.new(key, si, hashlib.sha256).digest())).decode()


def hdr(tok):
    return {"Authorization": "Bearer " + tok} if tok else {}


def bacl(uuid, name, perm):
    """a bucket ACL claim of AIStore's AuthN tokens"""
    return {"bck": {"name": name, "provider": "ais", "namespace": {"uuid": uuid, "name": ""}}, "perm": str(perm)}


def _b64u_int(v):
    b = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk_of(priv, kid, alg="RS256"):
    """the public JWK of an RSA private key (cryptography)"""
    pn = priv.public_key().public_numbers()
    j = {"kty": "RSA", "kid": kid, "use": "sig", "n": _b64u_int(pn.n), "e": _b64u_int(pn.e)}
    if alg:
        j["alg"] = alg
    return j


def _self_signed(dirpath):
    """a self-signed certificate for 127.0.0.1 (also its own CA): (cert path, key path)"""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    key = rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "e2e-oidc-issuer")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cp, kp = os.path.join(dirpath, "issuer.crt"), os.path.join(dirpath, "issuer.key")
    with open(cp, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(kp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    return cp, kp


class Issuer:
    """an OIDC issuer at https://127.0.0.1:<port>: discovery + JWKS; keys by kid, rotate with add()/drop();
    counts the JWKS fetches (jwks_hits)"""

    def __init__(self, dirpath):
        self.keys = {}
        self.jwks_hits = 0
        self.ca, keyf = _self_signed(dirpath)
        issuer = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    issuer.jwks_hits += 1
                    body = {"keys": [jwk_of(k, kid) for kid, k in list(issuer.keys.items())]}
                else:
                    self.send_error(404)
                    return
                b = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca, keyf)
        self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.srv.server_address[1]
        self.th = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.th.start()

    def add(self, kid):
        self.keys[kid] = rsa_key()
        return self.keys[kid]

    def drop(self, kid):
        self.keys.pop(kid, None)

    def token(self, kid, iss=None, key=None, **kw):
        """an RS256 token of this issuer signed with key kid (or key), its header naming kid"""
        return make_token(key=key or self.keys[kid], alg="RS256", headers={"kid": kid}, iss=iss or self.url, **kw)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()
