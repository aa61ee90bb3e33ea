"""HTTPS (net.http.use_https, docs/https.md): a TLS cluster with a self-signed CA made by the test.
GET/PUT/list through curl --cacert (redirects to targets are https), the ais CLI (AIS_ENDPOINT=
https://..., AIS_CLIENT_CA), aws cli (--ca-bundle) and boto3 (verify=ca); a target's port does not
answer plain HTTP; intra-cluster traffic (target-to-target copies) runs over TLS; certificate reload
without restart (SIGHUP, PUT /v1/daemon/load-x509, PUT /v1/cluster/load-x509): new connections see
the new certificate's serial; mutual TLS (client_auth_tls=4) refuses a client without a
certificate at the handshake and serves one with a certificate signed by client_ca_tls."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

import boto3
import pytest
import requests
from botocore.config import Config

from cluster import Cluster, make_tls, new_bucket_name
from s3util import AK, AWS2, SK, aws_cli, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AIS = os.environ.get("AIS_CLI", os.path.join(ROOT, "build", "ais"))
T = 20


@pytest.fixture(scope="module")
def tls_dir():
    d = tempfile.mkdtemp(prefix="ais-e2e-https-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def tc(tls_dir):
    """a TLS cluster whose certificate files the tests may replace (reload)"""
    files = make_tls(os.path.join(tls_dir, "pki"), serial=1001)
    c = Cluster(nproxies=1, ntargets=3, https=True, tls=files, base_dir=os.path.join(tls_dir, "cluster"))
    c.start()
    yield c
    c.cleanup()


def _s(cluster):
    s = requests.Session()
    s.verify = cluster.tls["ca"]
    return s


def _curl(cluster, *args, check=True):
    p = subprocess.run(["curl", "-sS", "--cacert", cluster.tls["ca"]] + list(args), capture_output=True, timeout=60)
    if check:
        assert p.returncode == 0, (args, p.stderr.decode())
    return p


def _serial(host, port, cafile, cert=None):
    """the serial number of the certificate a new TLS connection to host:port is served"""
    ctx = ssl.create_default_context(cafile=cafile)
    if cert:
        ctx.load_cert_chain(*cert)
    with socket.create_connection((host, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            der = s.getpeercert(binary_form=True)
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der, capture_output=True,
                       check=True)
    return int(p.stdout.decode().strip().split("=")[1], 16)


def test_urls_and_redirects_are_https(tc):
    s = _s(tc)
    smap = s.get(tc.url + "/v1/cluster?what=smap", timeout=T).json()
    for m in ("pmap", "tmap"):
        for node in smap[m].values():
            for net in ("public_net", "intra_control_net", "intra_data_net"):
                assert node[net]["direct_url"].startswith("https://"), node
    b = new_bucket_name("tls")
    tc.create_bucket(b)
    r = s.put(tc.url + "/v1/objects/%s/o" % b, data=b"x" * 1000, timeout=T, allow_redirects=False)
    assert r.status_code in (301, 307), r.text
    assert r.headers["Location"].startswith("https://127.0.0.1:"), r.headers["Location"]
    r = s.put(tc.url + "/v1/objects/%s/o" % b, data=b"x" * 1000, timeout=T)
    assert r.status_code == 200, r.text
    r = s.get(tc.url + "/v1/objects/%s/o" % b, timeout=T)
    assert r.status_code == 200 and r.content == b"x" * 1000


def test_curl_put_get_list(tc, tmp_path):
    b = new_bucket_name("curl")
    tc.create_bucket(b)
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom((1 << 20) * 5 + 123))
    _curl(tc, "-L", "-f", "-X", "PUT", "-T", str(src), "%s/v1/objects/%s/big" % (tc.url, b))
    dst = tmp_path / "dst.bin"
    _curl(tc, "-L", "-f", "-o", str(dst), "%s/v1/objects/%s/big" % (tc.url, b))
    assert dst.read_bytes() == src.read_bytes()
    p = _curl(tc, "-f", "-X", "GET", "-H", "Content-Type: application/json", "-d", '{"action":"list"}',
              "%s/v1/buckets/%s" % (tc.url, b))
    assert b'"big"' in p.stdout
    # without the CA the certificate is not trusted
    p = subprocess.run(["curl", "-sS", "-o", "/dev/null", tc.url + "/v1/health"], capture_output=True, timeout=30,
                       env=dict(os.environ, CURL_CA_BUNDLE="/dev/null", SSL_CERT_FILE="/dev/null"))
    assert p.returncode != 0


def test_target_refuses_plain_http(tc):
    t = tc.targets[0]
    for port in (t.port, t.port + 1000, t.port + 2000):  # public, intra-control, intra-data
        with pytest.raises(requests.RequestException):
            requests.get("http://127.0.0.1:%d/v1/health" % port, timeout=5)
    # a raw plain request gets no HTTP answer in clear
    with socket.create_connection(("127.0.0.1", t.port), timeout=5) as s:
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert not data.startswith(b"HTTP/1.1 200"), data


def test_ais_cli(tc, tmp_path):
    env = dict(os.environ, AIS_ENDPOINT=tc.url, AIS_CLIENT_CA=tc.tls["ca"])
    b = new_bucket_name("cli")

    def ais(*args):
        p = subprocess.run([AIS] + list(args), env=env, capture_output=True, timeout=60)
        assert p.returncode == 0, (args, p.stdout.decode(), p.stderr.decode())
        return p.stdout.decode()

    ais("bucket", "create", "ais://" + b)
    f = tmp_path / "f.bin"
    f.write_bytes(os.urandom(2 << 20))
    ais("put", str(f), "ais://%s/f" % b)
    ais("get", "ais://%s/f" % b, str(tmp_path / "g.bin"))
    assert (tmp_path / "g.bin").read_bytes() == f.read_bytes()
    assert "f" in ais("ls", "ais://" + b)
    out = ais("show", "cluster")
    assert "unreachable" not in out, out
    # the CLI without the CA: refused (the server's certificate is not trusted)
    p = subprocess.run([AIS, "ls", "ais://" + b], capture_output=True, timeout=60,
                       env=dict(os.environ, AIS_ENDPOINT=tc.url, AIS_CLIENT_CA="", SSL_CERT_FILE="/dev/null",
                                CURL_CA_BUNDLE="/dev/null"))
    assert p.returncode != 0
    # AIS_SKIP_VERIFY_CRT=true: accepted without the CA
    p = subprocess.run([AIS, "ls", "ais://" + b], capture_output=True, timeout=60,
                       env=dict(os.environ, AIS_ENDPOINT=tc.url, AIS_CLIENT_CA="", AIS_SKIP_VERIFY_CRT="true",
                                SSL_CERT_FILE="/dev/null", CURL_CA_BUNDLE="/dev/null"))
    assert p.returncode == 0, p.stderr.decode()


def test_boto3_verify_ca(tc):
    s3 = boto3.client("s3", endpoint_url=tc.url + "/s3", aws_access_key_id=AK, aws_secret_access_key=SK,
                      region_name="us-east-1", verify=tc.tls["ca"],
                      config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                    retries={"max_attempts": 1, "mode": "standard"}))
    b = new_bucket_name("boto")
    s3.create_bucket(Bucket=b)
    body = os.urandom((1 << 20) + 7)
    s3.put_object(Bucket=b, Key="k/1", Body=body)
    assert s3.get_object(Bucket=b, Key="k/1")["Body"].read() == body
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"]] == ["k/1"]
    s3.delete_object(Bucket=b, Key="k/1")
    s3.delete_bucket(Bucket=b)


@pytest.mark.skipif(not os.access(AWS2, os.X_OK), reason="no /usr/bin/aws")
def test_aws_cli_ca_bundle(tc, tmp_path):
    env, ep = aws_cli(tc, tmp_path)
    env.pop("AWS_CA_BUNDLE", None)
    ep += ["--ca-bundle", tc.tls["ca"]]
    b = new_bucket_name("awstls")
    run([AWS2] + ep + ["s3", "mb", "s3://" + b], env)
    f = tmp_path / "a.bin"
    f.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    run([AWS2] + ep + ["s3", "cp", str(f), "s3://%s/a.bin" % b], env)
    run([AWS2] + ep + ["s3", "cp", "s3://%s/a.bin" % b, str(tmp_path / "b.bin")], env)
    assert (tmp_path / "b.bin").read_bytes() == f.read_bytes()
    assert "a.bin" in run([AWS2] + ep + ["s3", "ls", "s3://%s/" % b], env)
    run([AWS2] + ep + ["s3", "rm", "s3://%s/a.bin" % b], env)
    run([AWS2] + ep + ["s3", "rb", "s3://" + b], env)


def test_aisloader_over_https(tc):
    """aisloader's own HTTP client (epoll, no libcurl) over TLS: PUTs then GETs, redirects to https
    targets, no errors; without the CA it cannot connect"""
    loader = os.environ.get("AIS_LOADER", os.path.join(ROOT, "build", "aisloader"))
    b = new_bucket_name("ldtls")
    tc.create_bucket(b)
    env = dict(os.environ, AIS_CLIENT_CA=tc.tls["ca"])
    p = subprocess.run([loader, "-endpoint=" + tc.url, "-bucket=" + b, "-duration=3s", "-pctput=50",
                        "-minsize=4KiB", "-maxsize=1MiB", "-numworkers=4", "-cleanup=true", "-quiet",
                        "-statsinterval=0", "-json"], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    final = json.loads(p.stdout)[-1]  # with -json, stdout is one JSON array
    assert int(final["put"]["count"]) > 0 and int(final["get"]["count"]) > 0, final
    assert int(final["put"]["errors"]) == 0 and int(final["get"]["errors"]) == 0, p.stderr
    p = subprocess.run([loader, "-endpoint=" + tc.url, "-bucket=" + b, "-duration=1s", "-pctput=100",
                        "-minsize=1KiB", "-maxsize=1KiB", "-numworkers=1", "-cleanup=true", "-quiet",
                        "-statsinterval=0"], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, AIS_CLIENT_CA=os.devnull, SSL_CERT_FILE=os.devnull,
                                CURL_CA_BUNDLE=os.devnull))
    assert p.returncode != 0, p.stdout + p.stderr


def test_intra_cluster_copy_over_tls(tc):
    """copy-bck moves objects target to target (transport streams, over TLS)"""
    s = _s(tc)
    b, dst = new_bucket_name("cpsrc"), new_bucket_name("cpdst")
    tc.create_bucket(b)
    data = {("o%d" % i): os.urandom(1000 + i * 3001) for i in range(40)}
    for k, v in data.items():
        assert s.put(tc.url + "/v1/objects/%s/%s" % (b, k), data=v, timeout=T).status_code == 200
    r = s.post(tc.url + "/v1/buckets/%s?bck_to=ais/@%%23/%s/" % (b, dst), timeout=T,
               json={"action": "copy-bck", "value": {}})
    assert r.status_code == 200, r.text
    deadline = time.time() + 60
    while time.time() < deadline:
        names = [e["name"] for e in tc.list_objects(dst)[0]] if s.head(tc.url + "/v1/buckets/" + dst,
                                                                        timeout=T).ok else []
        if len(names) == len(data):
            break
        time.sleep(0.5)
    for k, v in data.items():
        r = s.get(tc.url + "/v1/objects/%s/%s" % (dst, k), timeout=T)
        assert r.status_code == 200 and r.content == v, k


def _replace_cert(tc, serial):
    """new certificate and key (same CA) written over the files the cluster was started with"""
    d = tempfile.mkdtemp(prefix="newcert-", dir=os.path.dirname(tc.tls["crt"]))
    new = make_tls(d, serial=serial, ca=tc.tls)
    # key first, then the certificate: each replaced atomically (rename)
    for k in ("key", "crt"):
        os.replace(new[k], tc.tls[k] + ".tmp")
        os.replace(tc.tls[k] + ".tmp", tc.tls[k])


def _wait_serial(host, port, cafile, want, timeout=10):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = _serial(host, port, cafile)
        if got == want:
            return got
        time.sleep(0.2)
    return got


def test_reload_sighup_and_api(tc):
    ca = tc.tls["ca"]
    p, t = tc.primary, tc.targets[1]
    assert _serial("127.0.0.1", p.port, ca) in (1001, 2002, 3003)
    before = {n.name: _serial("127.0.0.1", n.port, ca) for n in tc.nodes}
    # SIGHUP: one node re-reads its files; the others still serve the old certificate
    _replace_cert(tc, 2002)
    t.proc.send_signal(signal.SIGHUP)
    assert _wait_serial("127.0.0.1", t.port, ca, 2002) == 2002
    assert _serial("127.0.0.1", t.port + 2000, ca) == 2002  # every port of the node
    assert _serial("127.0.0.1", p.port, ca) == before[p.name]
    # PUT /v1/daemon/load-x509: the node asked
    r = requests.put(tc.targets[0].url + "/v1/daemon/load-x509", timeout=T)
    assert r.status_code == 200, r.text
    assert _serial("127.0.0.1", tc.targets[0].port, ca) == 2002
    # PUT /v1/cluster/load-x509: every node
    _replace_cert(tc, 3003)
    r = requests.put(tc.url + "/v1/cluster/load-x509", timeout=T)
    assert r.status_code == 200, r.text
    for n in tc.nodes:
        assert _serial("127.0.0.1", n.port, ca) == 3003, n.name
        # GET /v1/daemon?what=certificate (AIStore's certloader.Props)
        props = requests.get(n.url + "/v1/daemon?what=certificate", timeout=T).json()
        assert props["serial-number"] == "3003", props
        assert props["issued-by (CN)"] == "aistore-c e2e CA" and props["valid"].startswith("from "), props
    # the cluster keeps working (intra-cluster clients trust the same CA)
    b = new_bucket_name("afterreload")
    tc.create_bucket(b)
    assert requests.put(tc.url + "/v1/objects/%s/x" % b, data=b"abc", timeout=T).status_code == 200
    assert requests.get(tc.url + "/v1/objects/%s/x" % b, timeout=T).content == b"abc"
    # an unknown node: 404
    r = requests.put(tc.url + "/v1/cluster/load-x509/nosuchnode", timeout=T)
    assert r.status_code == 404, r.text


def test_set_config_cert_paths_reload(tc):
    """set-config of net.http.server_crt/server_key: every node loads the new files at once"""
    ca = tc.tls["ca"]
    d = tempfile.mkdtemp(prefix="setcfg-", dir=os.path.dirname(tc.tls["crt"]))
    new = make_tls(d, serial=4004, ca=tc.tls)
    old = _serial("127.0.0.1", tc.primary.port, ca)
    try:
        r = requests.put(tc.url + "/v1/cluster/set-config", timeout=T,
                         params={"net.http.server_crt": new["crt"], "net.http.server_key": new["key"]})
        assert r.status_code == 200, r.text
        for n in tc.nodes:
            assert _wait_serial("127.0.0.1", n.port, ca, 4004) == 4004, n.name
        b = new_bucket_name("setcfg")
        tc.create_bucket(b)
        assert requests.put(tc.url + "/v1/objects/%s/x" % b, data=b"1", timeout=T).status_code == 200
    finally:
        r = requests.put(tc.url + "/v1/cluster/set-config", timeout=T,
                         params={"net.http.server_crt": tc.tls["crt"], "net.http.server_key": tc.tls["key"]})
        assert r.status_code == 200, r.text
    for n in tc.nodes:
        assert _wait_serial("127.0.0.1", n.port, ca, old) == old, n.name


def test_ais_tls_commands(tc):
    """ais tls show [NODE] / ais show tls, ais tls load-certificate [NODE]"""
    env = dict(os.environ, AIS_ENDPOINT=tc.url, AIS_CLIENT_CA=tc.tls["ca"])

    def ais(*args):
        p = subprocess.run([AIS] + list(args), env=env, capture_output=True, timeout=60)
        assert p.returncode == 0, (args, p.stdout.decode(), p.stderr.decode())
        return p.stdout.decode()

    tid = tc.node_id(tc.targets[0])
    serial = str(_serial("127.0.0.1", tc.targets[0].port, tc.tls["ca"]))
    out = ais("tls", "show", tid)
    assert out.splitlines()[0].split() == ["PROPERTY", "VALUE"], out
    assert "serial-number" in out and serial in out and "issued-by (CN)" in out, out
    assert serial in ais("show", "tls")
    assert "Done: all nodes." in ais("tls", "load-certificate")
    assert "Done: %s." % tid in ais("tls", "load-certificate", tid)
    p = subprocess.run([AIS, "tls", "load-certificate", "nosuchnode"], env=env, capture_output=True, timeout=60)
    assert p.returncode != 0


def test_reload_bad_files_keeps_serving(tc, tls_dir):
    ca = tc.tls["ca"]
    n = tc.targets[2]
    was = _serial("127.0.0.1", n.port, ca)
    keep = open(tc.tls["key"], "rb").read()
    try:
        with open(tc.tls["key"], "w") as f:
            f.write("not a key\n")
        r = requests.put(n.url + "/v1/daemon/load-x509", timeout=T)
        assert r.status_code == 400, r.text
        assert "key" in r.json()["message"], r.text
        assert _serial("127.0.0.1", n.port, ca) == was
        assert requests.get(n.url + "/v1/health", timeout=T).status_code == 200
    finally:
        with open(tc.tls["key"], "wb") as f:
            f.write(keep)


def test_mutual_tls(tls_dir):
    files = make_tls(os.path.join(tls_dir, "mtls"))
    c = Cluster(nproxies=1, ntargets=2, https=True, tls=files, base_dir=os.path.join(tls_dir, "mtls-cluster"),
                cluster_overrides={"net": {"http": {
                    "use_https": True, "server_crt": files["crt"], "server_key": files["key"],
                    "client_ca_tls": files["ca"], "client_auth_tls": 4}}})
    # the harness's own readiness probes must present a certificate too
    old = {k: os.environ.get(k) for k in ("AIS_CRT", "AIS_CRT_KEY")}
    cert = (files["client_crt"], files["client_key"])

    class _S(requests.Session):
        def request(self, *a, **kw):
            kw.setdefault("cert", cert)
            kw.setdefault("verify", files["ca"])
            return super().request(*a, **kw)

    orig = requests.Session
    requests.Session = _S  # (requests.get & co. build a Session per call)
    requests.sessions.Session = _S
    try:
        c.start()
        # no client certificate: refused at the handshake
        with pytest.raises(requests.exceptions.SSLError):
            orig().get(c.url + "/v1/health", timeout=T, verify=files["ca"])
        p = subprocess.run(["curl", "-sS", "--cacert", files["ca"], c.url + "/v1/health"], capture_output=True,
                           timeout=30)
        assert p.returncode != 0
        # with one: served, and the cluster works inside (nodes present their own certificate)
        r = orig().get(c.url + "/v1/health", timeout=T, verify=files["ca"], cert=cert)
        assert r.status_code == 200
        b = new_bucket_name("mtls")
        s = orig()
        s.verify, s.cert = files["ca"], cert
        assert s.post(c.url + "/v1/buckets/" + b, json={"action": "create-bck"}, timeout=T).status_code == 200
        assert s.put(c.url + "/v1/objects/%s/o" % b, data=b"m" * 5000, timeout=T).status_code == 200
        assert s.get(c.url + "/v1/objects/%s/o" % b, timeout=T).content == b"m" * 5000
        p = subprocess.run(["curl", "-sS", "-f", "-L", "--cacert", files["ca"], "--cert", files["client_crt"],
                            "--key", files["client_key"], "%s/v1/objects/%s/o" % (c.url, b)], capture_output=True,
                           timeout=30)
        assert p.returncode == 0 and p.stdout == b"m" * 5000, p.stderr
        # the CLI with AIS_CRT / AIS_CRT_KEY
        env = dict(os.environ, AIS_ENDPOINT=c.url, AIS_CLIENT_CA=files["ca"], AIS_CRT=files["client_crt"],
                   AIS_CRT_KEY=files["client_key"])
        p = subprocess.run([AIS, "ls", "ais://" + b], env=env, capture_output=True, timeout=60)
        assert p.returncode == 0 and "o" in p.stdout.decode(), p.stderr.decode()
    finally:
        requests.Session = orig
        requests.sessions.Session = orig
        for k, v in old.items():
            if v is not None:
                os.environ[k] = v
        c.cleanup()


def test_load_x509_on_plain_http_is_400(tls_dir):
    c = Cluster(nproxies=1, ntargets=1, https=False, base_dir=os.path.join(tls_dir, "plain"))
    c.start()
    try:
        r = requests.put(c.url + "/v1/cluster/load-x509", timeout=T)
        assert r.status_code == 400 and "plain HTTP" in r.json()["message"], r.text
        r = requests.put(c.targets[0].url + "/v1/daemon/load-x509", timeout=T)
        assert r.status_code == 400 and "plain HTTP" in r.json()["message"], r.text
        r = requests.get(c.targets[0].url + "/v1/daemon?what=certificate", timeout=T)
        assert r.status_code == 400, r.text
    finally:
        c.cleanup()
