"""cluster.py: the e2e harness. Starts a private aistore-c playground (N proxies + M targets on
127.0.0.1, free ports found by probing, configs and mountpaths in a temp dir), waits until the
primary's Smap shows every target, and offers helpers: kill -9 / restart one node, find an
object's files on disk, raw HTTP requests that bypass client-side URL normalisation.
Invariants: only pids this harness spawned are ever signalled; every spawned node is stopped at
stop() and again at interpreter exit (atexit), also when a test or the start-up fails.
"""
import atexit
import base64
import hashlib
import hmac
import http.client
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("AIS_BIN", os.path.join(ROOT, "build", "aisnode"))

# every Popen this module ever started and has not reaped; atexit kills exactly these
_SPAWNED = {}
_BCK_COUNTER = itertools.count()


def new_bucket_name(prefix="b"):
    """unique, valid bucket name"""
    return "%s-%d-%d" % (prefix, os.getpid() % 10000, next(_BCK_COUNTER))


def _kill_spawned():
    for p in list(_SPAWNED.values()):
        if p.poll() is None:
            try:
                p.kill()
                p.wait(timeout=5)
            except Exception:
                pass
    _SPAWNED.clear()


atexit.register(_kill_spawned)


def _port_free(port, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def write_secret(path, text):
    """create path with mode 0600 (never readable by others, not even for an instant)"""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def intra_sig(key_hex, method, target, sender="e2e-tester", ms=None, nonce=None):
    """the Ais-Cluster-Sig header value a node holding key_hex would send (net/isig.h)"""
    ms = int(time.time() * 1000) if ms is None else ms
    nonce = nonce or "%016x" % random.getrandbits(64)
    ikey = hmac.new(bytes.fromhex(key_hex), b"ais-intra-v1", hashlib.sha256).digest()
    data = "ais-intra-v1\n%s\n%s\n%s\n%d\n%s" % (method, target, sender, ms, nonce)
    mac = base64.urlsafe_b64encode(hmac.new(ikey, data.encode(), hashlib.sha256).digest()).rstrip(b"=")
    return "v1 %s %d %s %s" % (sender, ms, nonce, mac.decode())


def _b36(v):
    out = ""
    while True:
        v, d = divmod(v, 36)
        out = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + out
        if not v:
            return out


def redirect_params(key_hex, method, path, pid, node, utm=None, vpams="", nonce=None):
    """the query parameters of a redirect signed as a node holding key_hex would sign it
    (net/rsig.h); path is the decoded URL path, node the target's ID"""
    utm = str(time.time_ns() if utm is None else utm)
    x = _b36(random.getrandbits(63) if nonce is None else nonce)
    rkey = hmac.new(bytes.fromhex(key_hex), b"ais-redirect-v1", hashlib.sha256).digest()
    data = b"".join(f.encode() + b"\0" for f in ("ais-redirect-v1", method, path, pid, node, utm, vpams, x))
    mac = base64.urlsafe_b64encode(hmac.new(rkey, data, hashlib.sha256).digest()).rstrip(b"=").decode()
    q = {"pid": pid, "utm": utm, "x": x, "u": mac}
    if vpams:
        q["vpams"] = vpams
    return q


# ---- HTTPS (docs/https.md): AIS_E2E_HTTPS=1 starts every test cluster with TLS on, with a
# self-signed CA and a node certificate (SAN localhost, 127.0.0.1, ::1) created once per run; the
# test process's clients (requests, http.client, curl, aws, boto3, the ais CLI) trust that CA
# through their usual environment variables (set by use_tls_env()).
HTTPS = os.environ.get("AIS_E2E_HTTPS", "").lower() not in ("", "0", "false", "no")
SCHEME = "https" if HTTPS else "http"
_TLS = {}


def _openssl(*args, cwd=None):
    subprocess.run(("openssl",) + args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=60)


def make_tls(d, cn="localhost", serial=None, ca=None):
    """a CA (unless ca, an earlier result, is given) and a node certificate/key signed by it in
    d; also a client certificate (for mutual TLS). Returns the paths: ca, crt, key, client_crt,
    client_key (and ca_key)."""
    os.makedirs(d, exist_ok=True)
    san = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
    out = dict(ca or {})
    if not ca:
        out["ca"], out["ca_key"] = os.path.join(d, "ca.crt"), os.path.join(d, "ca.key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", out["ca_key"], "-out", out["ca"],
                 "-days", "30", "-subj", "/CN=aistore-c e2e CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for who, eku in (("server", "serverAuth,clientAuth"), ("client", "clientAuth")):
        key, csr, crt = (os.path.join(d, who + ext) for ext in (".key", ".csr", ".crt"))
        ext = os.path.join(d, who + ".ext")
        with open(ext, "w") as f:
            f.write("%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=%s\n" % (san, eku))
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                 "-subj", "/CN=%s" % (cn if who == "server" else "e2e-client"))
        _openssl("x509", "-req", "-in", csr, "-CA", out["ca"], "-CAkey", out["ca_key"], "-out", crt,
                 "-days", "30", "-sha256", "-extfile", ext,
                 "-set_serial", str(serial if serial and who == "server" else random.getrandbits(63)))
        os.chmod(key, 0o600)
        if who == "server":
            out["crt"], out["key"] = crt, key
        else:
            out["client_crt"], out["client_key"] = crt, key
    return out


def tls_files():
    """this run's CA and node certificate (created at the first call)"""
    if not _TLS:
        d = tempfile.mkdtemp(prefix="ais-e2e-tls-")
        _TLS.update(make_tls(d))
        atexit.register(shutil.rmtree, d, True)
    return _TLS


def use_tls_env(ca=None):
    """make the test process's HTTP clients trust ca (default: this run's CA) besides the CAs
    trusted before (one bundle of every CA a cluster of this process uses): requests, python ssl,
    curl, aws cli/boto3, the ais CLI and aisloader"""
    ca = ca or tls_files()["ca"]
    bundle = os.path.join(os.path.dirname(tls_files()["ca"]), "bundle.pem")
    have = open(bundle).read() if os.path.exists(bundle) else ""
    pem = open(ca).read()
    if pem not in have:
        with open(bundle + ".tmp", "w") as f:
            f.write(have + pem)
        os.replace(bundle + ".tmp", bundle)
    for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE", "AIS_CLIENT_CA"):
        os.environ[k] = bundle
    return bundle


def tls_context():
    """an ssl context for http.client that trusts the CAs of this process's clusters"""
    import ssl
    return ssl.create_default_context(cafile=use_tls_env())


def dial(host, port, timeout=None, https=None):
    """a connected socket to a node's port for raw HTTP: TLS-wrapped when the cluster speaks
    https (https None: AIS_E2E_HTTPS)"""
    s = socket.create_connection((host, int(port)), timeout=timeout)
    if not (HTTPS if https is None else https):
        return s
    try:
        return tls_context().wrap_socket(s, server_hostname=host)
    except BaseException:
        s.close()
        raise


def half_close(s):
    """shutdown(SHUT_WR) for a plain socket; a TLS socket cannot half-close its stream without
    leaving TLS (python's SSLSocket.shutdown drops the session), so it only stops writing"""
    import ssl
    if not isinstance(s, ssl.SSLSocket):
        s.shutdown(socket.SHUT_WR)


def url_hostport(url):
    """(host, port) of "http(s)://host:port[/...]" """
    u = urllib.parse.urlsplit(url)
    return u.hostname, u.port


def node_url(host, port, scheme=None):
    """http(s)://host:port, IPv6 literals in brackets"""
    return "%s://%s:%d" % (scheme or SCHEME, "[%s]" % host if ":" in host else host, port)


def spawn_aisnode(role, cluster_json, local_json, logf, env=None, nofile=None):
    """start one aisnode (recorded for the atexit kill); env: extra environment variables;
    nofile: RLIMIT_NOFILE (soft and hard) for the node"""
    def limits():
        if nofile:
            import resource
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    proc = subprocess.Popen(
        [BIN, "-role=" + role, "-config=" + cluster_json, "-local_config=" + local_json],
        stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
        start_new_session=True, env=dict(os.environ, **(env or {})),
        preexec_fn=limits if nofile else None)
    _SPAWNED[proc.pid] = proc
    return proc


AUTHN_BIN = os.environ.get("AIS_AUTHN_BIN", os.path.join(os.path.dirname(BIN), "aisauth"))


class AuthN:
    """one aisauth (docs/authn.md) in its own config dir on a free port: RS256 (a key pair made at
    first start) unless secret is given (HS256). Started and stopped like a node (atexit kill)."""

    def __init__(self, base_dir=None, su_pass="admin-pass", secret=None, port=None):
        if not os.access(AUTHN_BIN, os.X_OK):
            raise RuntimeError("%s not built (run make)" % AUTHN_BIN)
        self.own_dir = base_dir is None
        self.dir = base_dir or tempfile.mkdtemp(prefix="ais-authn-")
        self.port = port or find_port_base(1, lo=40000, hi=50000)
        self.url = "http://127.0.0.1:%d" % self.port
        self.su_pass, self.secret = su_pass, secret
        self.proc, self.logf = None, None
        conf = {"log": {"dir": os.path.join(self.dir, "log"), "level": "3"},
                "net": {"external_url": self.url, "http": {"port": self.port, "use_https": False}},
                "auth": {"expiration_time": "24h"}, "timeout": {"default_timeout": "10s"}}
        with open(os.path.join(self.dir, "authn.json"), "w") as f:
            json.dump(conf, f, indent=2)

    def start(self, timeout=20):
        env = dict(os.environ, AIS_AUTHN_SU_PASS=self.su_pass)
        env.pop("AIS_AUTHN_SECRET_KEY", None)
        if self.secret:
            env["AIS_AUTHN_SECRET_KEY"] = self.secret
        self.logf = open(os.path.join(self.dir, "stderr.log"), "ab")
        self.proc = subprocess.Popen([AUTHN_BIN, "-config", self.dir], stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT, start_new_session=True, env=env)
        _SPAWNED[self.proc.pid] = self.proc
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("aisauth exited (rc=%s): %s" % (self.proc.returncode, self.log_tail()))
            try:
                if requests.get(self.url + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError("aisauth not answering at %s" % self.url)

    def stop(self, grace=5.0):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _SPAWNED.pop(self.proc.pid, None)
        self.proc = None
        if self.logf:
            self.logf.close()
            self.logf = None

    def cleanup(self):
        self.stop()
        if self.own_dir and not os.environ.get("AIS_E2E_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n=30):
        try:
            with open(os.path.join(self.dir, "log", "authn.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def login(self, user, password, expires_in=None):
        body = {"password": password}
        if expires_in is not None:
            body["expires_in"] = expires_in
        r = requests.post(self.url + "/v1/users/" + user, json=body, timeout=30)
        r.raise_for_status()
        return r.json()["token"]

    def admin_token(self):
        return self.login("admin", self.su_pass)

    def signature(self):
        """(method, key) a cluster validates this service's tokens with"""
        if self.secret:
            return "HS256", self.secret
        r = requests.get(self.url + "/v1/public-key", timeout=10)
        r.raise_for_status()
        return "RS256", r.json()["public_key"]


def enable_authn(cluster, authn, alias="e2e"):
    """turn auth.enabled on with authn's key (an admin token of authn's is the credential), register
    the cluster with authn and check readiness with an admin token; returns that token"""
    method, key = authn.signature()
    tok = authn.admin_token()
    hdr = {"Authorization": "Bearer " + tok}
    r = requests.put(cluster.url + "/v1/cluster/set-config", headers=hdr, timeout=30,
                     params={"auth.signature.method": method, "auth.signature.key": key, "auth.enabled": "true"})
    assert r.status_code == 200, r.text
    cluster.auth_headers = hdr
    uuid = cluster.smap()["uuid"]
    r = requests.post(authn.url + "/v1/clusters", headers=hdr, timeout=60,
                      json={"id": uuid, "alias": alias, "urls": [p.url for p in cluster.proxies]})
    assert r.status_code == 200, r.text
    # the token names the cluster as audience once it is registered: log in again
    tok = authn.admin_token()
    cluster.auth_headers = {"Authorization": "Bearer " + tok}
    cluster.wait_ready(30)
    return tok


def reap_spawned(proc):
    """forget a process spawn_aisnode started (after it exited)"""
    _SPAWNED.pop(proc.pid, None)


def find_port_base(nnodes, lo=10000, hi=32000, tries=200, host="127.0.0.1"):
    """A base such that base+i, base+1000+i, base+2000+i are free for i < nnodes. Below Linux's
    ephemeral range (32768+), so no outgoing connection holds a port between probe and bind."""
    rnd = random.Random(os.getpid() ^ int(time.time()) ^ random.getrandbits(16))
    for _ in range(tries):
        base = rnd.randrange(lo, hi - 3000)
        ports = [base + off + i for off in (0, 1000, 2000) for i in range(nnodes)]
        if all(_port_free(p, host) for p in ports):
            return base
    raise RuntimeError("no free port range found")


class Node:
    def __init__(self, cluster, name, role, idx):
        self.cluster = cluster
        self.name = name
        self.role = role
        self.idx = idx
        self.dir = os.path.join(cluster.dir, name)
        self.port = cluster.base + idx
        self.url = node_url(cluster.host, self.port, cluster.scheme)
        self.mountpaths = []
        self.proc = None
        self.logf = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def write_config(self, nmp):
        os.makedirs(os.path.join(self.dir, "conf"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "log"), exist_ok=True)
        fspaths = {}
        if self.role == "target":
            for k in range(nmp):
                mp = os.path.join(self.dir, "mp%d" % k)
                os.makedirs(mp, exist_ok=True)
                self.mountpaths.append(mp)
                fspaths[mp] = {}
        local = {
            "confdir": os.path.join(self.dir, "conf"),
            "log_dir": os.path.join(self.dir, "log"),
            "host_net": {
                "hostname": self.cluster.host,
                "hostname_intra_control": self.cluster.host,
                "hostname_intra_data": self.cluster.host,
                "port": str(self.port),
                "port_intra_control": str(self.port + 1000),
                "port_intra_data": str(self.port + 2000),
            },
            "fspaths": fspaths,
        }
        with open(os.path.join(self.dir, "local.json"), "w") as f:
            json.dump(local, f, indent=2)
        # the cluster secret (docs/security.md): every node of the cluster has the same one
        kf = os.path.join(self.dir, "conf", ".ais.cluster_key")
        if not os.path.exists(kf):
            write_secret(kf, self.cluster.cluster_key_hex + "\n")

    def start(self):
        assert not self.alive(), "%s already running" % self.name
        self.logf = open(os.path.join(self.dir, "log", "stderr.log"), "ab")
        self.proc = spawn_aisnode(self.role, self.cluster.cluster_json,
                                  os.path.join(self.dir, "local.json"), self.logf,
                                  self.cluster.env, self.cluster.nofile)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _reap(self):
        _SPAWNED.pop(self.proc.pid, None)
        if self.logf:
            self.logf.close()
            self.logf = None

    def kill9(self):
        """SIGKILL the node (only the pid we started) and reap it."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self.proc:
            self._reap()

    def stop(self, grace=5.0):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc:
            self._reap()

    def log_tail(self, n=30):
        out = []
        for fn in ("aisnode.log", "stderr.log"):
            p = os.path.join(self.dir, "log", fn)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
                out.append("---- %s %s (rc=%s)\n%s" % (
                    self.name, fn, self.proc.poll() if self.proc else None, "\n".join(lines)))
        return "\n".join(out)

    def __repr__(self):
        return "<%s %s pid=%s>" % (self.name, self.url, self.pid)


class Cluster:
    def __init__(self, nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s", base_dir=None,
                 cluster_overrides=None, host="127.0.0.1", env=None, nofile=None, cluster_key=None,
                 https=None, tls=None):
        if not os.access(BIN, os.X_OK):
            raise RuntimeError("%s not built (run make)" % BIN)
        # https: None follows AIS_E2E_HTTPS; tls: the certificate files (make_tls), default this run's
        self.https = HTTPS if https is None else https
        self.scheme = "https" if self.https else "http"
        self.tls = (tls or tls_files()) if self.https else None
        if self.https:
            use_tls_env(self.tls["ca"])
        self.own_dir = base_dir is None
        self.dir = base_dir or tempfile.mkdtemp(prefix="ais-e2e-")
        self.host = host
        self.base = find_port_base(nproxies + ntargets, host=host)
        self.nmp = nmountpaths
        self.keepalive = keepalive
        self.proxies = [Node(self, "proxy%d" % i, "proxy", i) for i in range(nproxies)]
        self.targets = [Node(self, "target%d" % i, "target", nproxies + i) for i in range(ntargets)]
        self.primary = self.proxies[0]
        self.url = self.primary.url
        self.cluster_json = os.path.join(self.dir, "cluster.json")
        self.overrides = cluster_overrides or {}
        self.env = env or {}      # extra environment of every node (e.g. AIS_READ_HEADER_TIMEOUT)
        self.nofile = nofile      # RLIMIT_NOFILE of every node (None: inherited)
        self.expected_down = set()  # node names a test killed on purpose
        self.auth_headers = {}      # with auth.enabled: {"Authorization": "Bearer <admin token>"}
        os.makedirs(self.dir, exist_ok=True)
        kf = os.path.join(self.dir, "cluster_key")
        if not os.path.exists(kf):  # cluster_key: another cluster's (clusters that will merge)
            write_secret(kf, (cluster_key or "%064x" % random.SystemRandom().getrandbits(256)) + "\n")
        with open(kf) as f:
            self.cluster_key_hex = f.read().split()[0]

    @property
    def nodes(self):
        return self.proxies + self.targets

    def write_configs(self):
        conf = {
            "proxy": {"primary_url": self.url, "original_url": self.url},
            "timeout": {"cplane_operation": "2s", "max_keepalive": "4s"},
            "keepalivetracker": {
                "proxy": {"interval": self.keepalive, "name": "heartbeat", "factor": 3},
                "target": {"interval": self.keepalive, "name": "heartbeat", "factor": 3},
            },
            "checksum": {"type": "xxhash2", "validate_cold_get": False, "validate_warm_get": False},
            "versioning": {"enabled": True},
            "log": {"level": "3"},
        }
        if ":" in self.host:
            conf["net"] = {"use_ipv6": True}
        if self.https:
            conf.setdefault("net", {})["http"] = {
                "use_https": True, "server_crt": self.tls["crt"], "server_key": self.tls["key"],
                "client_ca_tls": self.tls["ca"], "skip_verify": False}
        for k, v in self.overrides.items():
            conf.setdefault(k, {}).update(v)
        with open(self.cluster_json, "w") as f:
            json.dump(conf, f, indent=2)
        for n in self.nodes:
            n.write_config(self.nmp)

    def start(self, timeout=30):
        self.write_configs()
        try:
            self.primary.start()
            self._wait(lambda: self._get_ok(self.primary.url + "/v1/daemon?what=smap", self.auth_headers), timeout,
                       "primary answering")
            for n in self.nodes[1:]:
                n.start()
            self.wait_ready(timeout)
        except BaseException:
            logs = self.log_tails()
            self.stop()
            raise RuntimeError("cluster did not start:\n" + logs)
        return self

    def stop(self):
        for n in self.nodes:
            n.stop()

    def cleanup(self):
        self.stop()
        if self.own_dir and not os.environ.get("AIS_E2E_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tails(self, n=30):
        return "\n".join(x.log_tail(n) for x in self.nodes)

    # ---- readiness
    @staticmethod
    def _get_ok(url, headers=None):
        try:
            return requests.get(url, headers=headers, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _wait(self, cond, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for n in self.nodes:
                if n.proc is not None and n.name not in self.expected_down and not n.alive():
                    raise RuntimeError("%s exited (rc=%s) while waiting for %s" % (
                        n.name, n.proc.poll(), what))
            if cond():
                return
            time.sleep(0.2)
        raise TimeoutError("timed out after %ss waiting for %s" % (timeout, what))

    def intra(self, method, node, path, params=None, sender=None, timeout=10, **kw):
        """an intra-cluster request signed with this cluster's key (as sender: by default the
        primary's ID, a member of every node's map); path may carry a query, params are added"""
        target = path
        if params:
            target += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
        sender = sender or self.node_id(self.primary)
        hdrs = dict(kw.pop("headers", None) or {})
        hdrs["Ais-Cluster-Sig"] = intra_sig(self.cluster_key_hex, method, target, sender)
        return requests.request(method, node.url + target, headers=hdrs, timeout=timeout, **kw)

    def smap(self, node=None):
        url = (node.url if node else self.url) + "/v1/cluster?what=smap"
        r = requests.get(url, headers=self.auth_headers, timeout=5)
        r.raise_for_status()
        return r.json()

    def target_ids_in_smap(self):
        try:
            return set((self.smap().get("tmap") or {}).keys())
        except (requests.RequestException, ValueError):
            return None

    def wait_ready(self, timeout=30, ntargets=None):
        want = len(self.targets) if ntargets is None else ntargets

        def ready():
            ids = self.target_ids_in_smap()
            return ids is not None and len(ids) == want and \
                self._get_ok(self.url + "/v1/health") and \
                all(self._get_ok(t.url + "/v1/health?readiness=true") for t in self.targets
                    if t.proc is not None and t.alive() and t.name not in self.expected_down)
        self._wait(ready, timeout, "%d targets in the Smap" % want)

    def wait_smap_targets(self, want, timeout=30):
        self._wait(lambda: len(self.target_ids_in_smap() or ()) == want, timeout,
                   "%d targets in the Smap" % want)

    def node_id(self, node):
        r = requests.get(node.url + "/v1/daemon?what=snode", headers=self.auth_headers, timeout=5)
        r.raise_for_status()
        return r.json()["daemon_id"]

    # ---- on-disk helpers
    def object_files(self, bck, name):
        """[(target, mountpath, path)] of every copy of the object's data file."""
        out = []
        for t in self.targets:
            for mp in t.mountpaths:
                p = os.path.join(mp, "@ais", bck, "%ob", name)
                if os.path.isfile(p):
                    out.append((t, mp, p))
        return out

    def files_under(self, bck, sub):
        """all files under <mp>/@ais/<bck>/<sub> on every target."""
        out = []
        for t in self.targets:
            for mp in t.mountpaths:
                top = os.path.join(mp, "@ais", bck, sub)
                for d, _, files in os.walk(top):
                    out.extend(os.path.join(d, f) for f in files)
        return out

    # ---- API helpers
    def create_bucket(self, bck, props=None):
        r = requests.post(self.url + "/v1/buckets/" + bck, json={"action": "create-bck"}, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        if props:
            self.set_bprops(bck, props)

    def set_bprops(self, bck, props):
        r = requests.patch(self.url + "/v1/buckets/" + bck,
                           json={"action": "set-bprops", "value": props}, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)

    def destroy_bucket(self, bck):
        return requests.delete(self.url + "/v1/buckets/" + bck, json={"action": "destroy-bck"},
                               timeout=30)

    def obj_url(self, bck, name):
        return "%s/v1/objects/%s/%s" % (self.url, bck, urllib.parse.quote(name))

    def list_objects(self, bck, pagesize=0, prefix="", props="name,size", flags=0, session=None,
                     max_pages=10000):
        """all pages; returns (entries, pages) where pages is a list of per-page entry lists."""
        s = session or requests
        token, uuid, entries, pages = "", "", [], []
        for _ in range(max_pages):
            msg = {"pagesize": pagesize, "prefix": prefix, "props": props,
                   "continuation_token": token, "uuid": uuid, "flags": str(flags)}
            r = s.get(self.url + "/v1/buckets/" + bck, json={"action": "list", "value": msg},
                      timeout=60)
            assert r.status_code == 200, (r.status_code, r.text)
            lst = r.json()
            page = lst.get("entries") or []
            # AIStore sets the token whenever a page is full, so a listing that ends exactly on
            # a page boundary gets one more, empty, page: not counted as a page here
            if page or not pages:
                pages.append(page)
            entries.extend(page)
            token = lst.get("continuation_token") or ""
            uuid = lst.get("uuid") or uuid
            if not token:
                return entries, pages
        raise AssertionError("list-objects did not finish after %d pages" % max_pages)


def raw_request(url, method, path, headers=None, body=None, follow=True, timeout=10):
    """HTTP request with the path sent byte-for-byte (no dot-segment removal, no quoting).
    Follows 301/302/307/308 by hand (re-sending method and body). Returns (status, headers, body)."""
    for _ in range(5):
        u = urllib.parse.urlsplit(url)
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=tls_context())
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            # a Host given by the caller replaces http.client's own (two Host headers are a 400)
            conn.putrequest(method, path, skip_accept_encoding=True,
                            skip_host=any(k.lower() == "host" for k in hdrs))
            if body is not None:
                hdrs.setdefault("Content-Length", str(len(body)))
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            st, rh = resp.status, {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        if follow and st in (301, 302, 307, 308) and "location" in rh:
            loc = urllib.parse.urlsplit(rh["location"])
            url = "%s://%s" % (loc.scheme, loc.netloc)
            path = loc.path + ("?" + loc.query if loc.query else "")
            continue
        return st, rh, data
    raise AssertionError("too many redirects")


# ---- XXH64 (seed 0) in pure Python: AIStore's "xxhash2" checksum (cespare/xxhash/v2), hex of the
# big-endian digest. Slow (about 10 MB/s); use for small objects only.
_P1, _P2, _P3, _P4, _P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                           0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)
_M64 = (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc, lane):
    acc = (acc + lane * _P2) & _M64
    return (_rotl(acc, 31) * _P1) & _M64


def _merge(acc, val):
    acc ^= _round(0, val)
    return (acc * _P1 + _P4) & _M64


def xxh64(data, seed=0):
    import struct
    n = len(data)
    i = 0
    if n >= 32:
        v1 = (seed + _P1 + _P2) & _M64
        v2 = (seed + _P2) & _M64
        v3 = seed
        v4 = (seed - _P1) & _M64
        lanes = struct.unpack_from("<%dQ" % ((n // 32) * 4), data)
        for j in range(0, len(lanes), 4):
            v1 = _round(v1, lanes[j])
            v2 = _round(v2, lanes[j + 1])
            v3 = _round(v3, lanes[j + 2])
            v4 = _round(v4, lanes[j + 3])
        i = (n // 32) * 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M64
        for v in (v1, v2, v3, v4):
            h = _merge(h, v)
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        (k,) = struct.unpack_from("<Q", data, i)
        h ^= _round(0, k)
        h = (_rotl(h, 27) * _P1 + _P4) & _M64
        i += 8
    if i + 4 <= n:
        (k,) = struct.unpack_from("<I", data, i)
        h ^= (k * _P1) & _M64
        h = (_rotl(h, 23) * _P2 + _P3) & _M64
        i += 4
    while i < n:
        h ^= (data[i] * _P5) & _M64
        h = (_rotl(h, 11) * _P1) & _M64
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M64
    h ^= h >> 29
    h = (h * _P3) & _M64
    h ^= h >> 32
    return "%016x" % h


# ---- HRW placement as AIStore computes it (core/meta/hrw.go, fs/hrw.go; see API.md §HRW)
HRW_SEED = 1103515245


def _hrw_mix(z):
    z = (z + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    z = ((z ^ (z >> 31)) + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    z = ((z ^ (z >> 31)) * 5) & _M64
    return (_rotl(z, 7) * 9) & _M64


def _xxh64_int(s):
    return int(xxh64(s.encode() if isinstance(s, str) else s, HRW_SEED), 16)


def hrw_pick(uname, keys):
    """the key (daemon ID or mountpath) with the highest random weight for uname"""
    digest = _xxh64_int(uname)
    return max(keys, key=lambda k: _hrw_mix(_xxh64_int(k) ^ digest))


def uname(bck, obj, provider="ais"):
    return "%s/@#/%s/%s" % (provider, bck, obj)
