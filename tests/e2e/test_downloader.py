"""test_downloader: /v1/download (AIStore's downloader) and its egress policy (ext/dload/client.go):
loopback, unspecified, link-local (cloud metadata 169.254.169.254), multicast and their
IPv4-mapped forms are refused whatever the flag; RFC 1918 and ULA addresses only with the
Dload-Allow-Private-Egress feature flag; decided on the resolved address of every connection,
so decimal/hex/octal IP spellings, host names and redirects get no way around it.
A local HTTP server answers on every address of the machine; the private (and one "public"
TEST-NET) addresses it needs are added to the loopback interface when the test runs as root
(and removed afterwards); without that the rows that need them are skipped.
"""
import http.server
import os
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest
import requests

from cluster import new_bucket_name

PRIV4 = ["10.254.254.1", "172.31.254.1", "192.168.254.1"]
PUB4 = "198.51.100.7"   # TEST-NET-2: not private for Go's IsPrivate (nor for us)
ULA6 = "fd5a:a15d:1::1"
HOSTNAME = "ais-dload-private.invalid"
BODY = os.urandom(200000)


class _H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/file.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif u.path == "/redir":
            self.send_response(302)
            self.send_header("Location", urllib.parse.parse_qs(u.query)["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *a):
        pass


class _V6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def _ip(*args):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True).returncode == 0


@pytest.fixture(scope="module")
def net():
    """the HTTP server and the addresses it can be reached at"""
    srv = _V6Server(("::", 0), _H)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    added, hosts_line = [], None
    if os.geteuid() == 0:
        for a in PRIV4 + [PUB4]:
            if _ip("addr", "add", a + "/32", "dev", "lo"):
                added.append((a, "/32"))
        if _ip("-6", "addr", "add", ULA6 + "/128", "dev", "lo"):
            added.append((ULA6, "/128"))
        try:
            with open("/etc/hosts", "a") as f:
                hosts_line = "%s %s\n" % (PRIV4[0], HOSTNAME)
                f.write(hosts_line)
        except OSError:
            hosts_line = None
    have = {a for a, _ in added}
    yield {"port": srv.server_address[1], "have": have, "hosts": hosts_line is not None}
    srv.shutdown()
    for a, m in added:
        _ip("addr", "del", a + m, "dev", "lo")
    if hosts_line:
        with open("/etc/hosts") as f:
            lines = f.readlines()
        with open("/etc/hosts", "w") as f:
            f.writelines(l for l in lines if l != hosts_line)


def _features(cluster, v):
    r = requests.put(cluster.url + "/v1/cluster/set-config", params={"features": v}, timeout=30)
    assert r.status_code == 200, r.text


def _download(cluster, bck, objects, timeout=60):
    r = requests.post(cluster.url + "/v1/download", timeout=30, json={
        "type": "multi", "bucket": {"name": bck, "provider": "ais"}, "objects": objects, "timeout": "5s",
        "description": "egress"})
    assert r.status_code == 200, r.text
    jid = r.json()["id"]
    assert jid.startswith("dnl-")
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = requests.get(cluster.url + "/v1/download", json={"id": jid}, timeout=10).json()
        if not st["finished_time"].startswith("0001-"):
            return jid, st
        time.sleep(0.2)
    raise AssertionError("download %s did not finish: %s" % (jid, st))


def _table(port, have, hosts):
    """(name, url, needs, private): private = refused unless the flag is set; otherwise refused always"""
    P = port
    rows = [
        ("lo4", "http://127.0.0.1:%d/file.bin" % P, None, False),
        ("lo4b", "http://127.7.7.7:%d/file.bin" % P, None, False),
        ("lo6", "http://[::1]:%d/file.bin" % P, None, False),
        ("localhost", "http://localhost:%d/file.bin" % P, None, False),
        ("dec", "http://2130706433:%d/file.bin" % P, None, False),
        ("hex", "http://0x7f000001:%d/file.bin" % P, None, False),
        ("oct", "http://0177.0.0.1:%d/file.bin" % P, None, False),
        ("mapped-lo", "http://[::ffff:127.0.0.1]:%d/file.bin" % P, None, False),
        ("metadata", "http://169.254.169.254/latest/meta-data/", None, False),
        ("mapped-meta", "http://[::ffff:169.254.169.254]/latest/meta-data/", None, False),
        ("linklocal", "http://169.254.10.10:%d/file.bin" % P, None, False),
        ("linklocal6", "http://[fe80::1]:%d/file.bin" % P, None, False),
        ("unspec4", "http://0.0.0.0:%d/file.bin" % P, None, False),
        ("unspec6", "http://[::]:%d/file.bin" % P, None, False),
        ("multicast", "http://224.0.0.1:%d/file.bin" % P, None, False),
        ("rfc1918-10", "http://%s:%d/file.bin" % (PRIV4[0], P), PRIV4[0], True),
        ("rfc1918-172", "http://%s:%d/file.bin" % (PRIV4[1], P), PRIV4[1], True),
        ("rfc1918-192", "http://%s:%d/file.bin" % (PRIV4[2], P), PRIV4[2], True),
        ("mapped-10", "http://[::ffff:%s]:%d/file.bin" % (PRIV4[0], P), PRIV4[0], True),
        ("ula", "http://[%s]:%d/file.bin" % (ULA6, P), ULA6, True),
        ("dns-private", "http://%s:%d/file.bin" % (HOSTNAME, P), "hosts", True),
        ("redir-lo", "http://%s:%d/redir?to=http://127.0.0.1:%d/file.bin" % (PRIV4[0], P, P), PRIV4[0], "via-private"),
        ("redir-meta", "http://%s:%d/redir?to=http://169.254.169.254/" % (PRIV4[0], P), PRIV4[0], "via-private"),
        ("pub-redir-priv", "http://%s:%d/redir?to=http://%s:%d/file.bin" % (PUB4, P, PRIV4[0], P), PUB4, True),
    ]
    out = []
    for name, url, need, private in rows:
        if need == "hosts" and not hosts:
            continue
        if need and need != "hosts" and need not in have:
            continue
        out.append((name, url, private))
    return out


def _check(st, rows, flag):
    errs = {e["name"]: e["error"] for e in st.get("download_errors") or []}
    for name, url, private in rows:
        blocked = private is False or (private is True and not flag) or private == "via-private" and flag
        if private == "via-private" and not flag:
            blocked = True  # the first hop is private already
        if blocked:
            assert name in errs and "egress blocked" in errs[name], (name, url, errs.get(name))
        else:
            assert name not in errs, (name, url, errs[name])


def test_egress_table(cluster, net):
    rows = _table(net["port"], net["have"], net["hosts"])
    assert len(rows) >= 15
    bck = new_bucket_name("dl")
    _features(cluster, "none")
    jid, st = _download(cluster, bck, {n: u for n, u, _ in rows})
    _check(st, rows, False)
    assert st["error_cnt"] == len(rows)
    if not net["have"]:
        pytest.skip("not root (or no NET_ADMIN): no private addresses to download from; the refusals were checked")
    bck2 = new_bucket_name("dl")
    _features(cluster, "Dload-Allow-Private-Egress")
    try:
        jid, st = _download(cluster, bck2, {n: u for n, u, _ in rows})
        _check(st, rows, True)
        allowed = [n for n, _, p in rows if p is True]
        assert len(allowed) >= 4
        for n in allowed:  # byte-exact from the private addresses
            r = requests.get(cluster.obj_url(bck2, n), timeout=10)
            assert r.status_code == 200 and r.content == BODY, n
            h = requests.head(cluster.obj_url(bck2, n), timeout=10, allow_redirects=True)
            assert "orig_url=" in h.headers.get("Ais-Custom-Md", "")
    finally:
        _features(cluster, "none")
    assert len(rows) >= 19, "the full table needs root (private addresses on lo) and /etc/hosts"
    cluster.destroy_bucket(bck)
    cluster.destroy_bucket(bck2)


def test_download_api(cluster, net):
    bck = new_bucket_name("dl")
    # bad input: 4xx, nothing started
    for body in ({"type": "single", "bucket": {"name": bck}},
                 {"type": "nope", "bucket": {"name": bck}, "link": "http://x/y"},
                 {"type": "range", "bucket": {"name": bck}, "template": "http://x/{3..1}"},
                 {"type": "single", "bucket": {"name": ""}, "link": "http://x/y"},
                 {"type": "single", "bucket": {"name": bck}, "link": "http://x/y", "timeout": "soon"}):
        r = requests.post(cluster.url + "/v1/download", json=body, timeout=10)
        assert r.status_code == 400, (body, r.text)
    assert requests.get(cluster.url + "/v1/download", json={"id": "dnl-nosuchjob"}, timeout=10).status_code == 404
    if PRIV4[0] not in net["have"]:
        pytest.skip("not root: no private address for a successful download")
    _features(cluster, "Dload-Allow-Private-Egress")
    try:
        P = net["port"]
        r = requests.post(cluster.url + "/v1/download", timeout=10, json={
            "type": "range", "bucket": {"name": bck}, "template": "http://%s:%d/file{0..1}.bin" % (PRIV4[0], P),
            "subdir": "d"})
        assert r.status_code == 200, r.text
        jid = r.json()["id"]
        for _ in range(100):
            st = requests.get(cluster.url + "/v1/download", json={"id": jid}, timeout=10).json()
            if not st["finished_time"].startswith("0001-"):
                break
            time.sleep(0.1)
        assert st["total"] == 2 and st["error_cnt"] == 2  # /file0.bin: 404 from the server
        r = requests.post(cluster.url + "/v1/download", timeout=10, json={
            "type": "single", "bucket": {"name": bck}, "link": "http://%s:%d/file.bin" % (PRIV4[0], P),
            "object_name": "one"})
        jid = r.json()["id"]
        for _ in range(100):
            st = requests.get(cluster.url + "/v1/download", json={"id": jid}, timeout=10).json()
            if st["finished_cnt"] == 1:
                break
            time.sleep(0.1)
        assert requests.get(cluster.obj_url(bck, "one"), timeout=10).content == BODY
        lst = requests.get(cluster.url + "/v1/download", json={"regex": ""}, timeout=10).json()
        assert any(j["id"] == jid for j in lst)
        assert requests.delete(cluster.url + "/v1/download/remove", json={"id": jid}, timeout=10).status_code == 200
        assert requests.get(cluster.url + "/v1/download", json={"id": jid}, timeout=10).status_code == 404
    finally:
        _features(cluster, "none")
        cluster.destroy_bucket(bck)
