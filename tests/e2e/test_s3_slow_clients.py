"""S3 forwarding under slow clients: the proxy reverse-proxies S3 object requests on its event
loops, so clients that read slowly cost it buffers, not threads. 500 concurrent S3 GETs of an
object larger than the kernel buffers along the path, each read at 1 byte/s through a socket with
a small receive buffer, stall; meanwhile 50 GETs by a fast client must complete within seconds,
byte-exact. (With one pool thread per forwarded request, as before, the 500 take every thread and
the fast GETs wait.) Afterwards the slow clients' responses are checked to have started right and
the proxy keeps serving after they all hang up. Also: a target that cannot be reached answers
503 ServiceUnavailable (S3 XML), and forwarding resumes once it is back."""
import concurrent.futures as cf
import hashlib
import os
import socket
import ssl
import threading
import time
import urllib.parse

import requests

from cluster import new_bucket_name, tls_context

NSLOW = 500
NFAST = 50
BIG = 16 * 1024 * 1024  # more than client rcvbuf + proxy sndbuf + pipe + target's buffers
SMALL = 64 * 1024


def _recv1_nowait(s):
    """one byte if there is one (BlockingIOError if not); plain or TLS socket"""
    if not isinstance(s, ssl.SSLSocket):
        return s.recv(1, socket.MSG_DONTWAIT)
    s.setblocking(False)
    try:
        return s.recv(1)
    except ssl.SSLWantReadError:
        raise BlockingIOError()
    finally:
        s.settimeout(10)


def _put(url, data):
    r = requests.put(url, data=data, timeout=60)
    assert r.status_code == 200, r.text


def test_slow_clients_do_not_block_fast_ones(cluster):
    s3 = cluster.url + "/s3"
    bck = new_bucket_name("slow")
    assert requests.put("%s/%s" % (s3, bck), timeout=30).status_code == 200
    big, small = os.urandom(BIG), os.urandom(SMALL)
    _put("%s/%s/big" % (s3, bck), big)
    _put("%s/%s/small" % (s3, bck), small)
    u = urllib.parse.urlsplit(cluster.url)
    req = ("GET /s3/%s/big HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (bck, u.hostname, u.port)).encode()

    slow = []
    stop = threading.Event()
    got = {}
    try:
        for _ in range(NSLOW):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.connect((u.hostname, u.port))
            if u.scheme == "https":
                s = tls_context().wrap_socket(s, server_hostname=u.hostname)
            s.sendall(req)
            slow.append(s)

        def trickle():  # every slow client reads one byte a second
            while not stop.is_set():
                for s in slow:
                    try:
                        b = _recv1_nowait(s)
                        got[s] = got.get(s, b"") + b
                    except (BlockingIOError, InterruptedError):
                        pass
                stop.wait(1.0)

        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        time.sleep(3)  # the slow responses have begun and filled what they can

        want = hashlib.md5(small).hexdigest()

        def fast(i):
            t0 = time.monotonic()
            r = requests.get("%s/%s/small" % (s3, bck), timeout=30)
            assert r.status_code == 200, r.text
            assert hashlib.md5(r.content).hexdigest() == want
            return time.monotonic() - t0

        t0 = time.monotonic()
        with cf.ThreadPoolExecutor(8) as ex:
            lat = list(ex.map(fast, range(NFAST)))
        took = time.monotonic() - t0
        print("\n%d fast GETs beside %d stalled slow ones: %.2f s (slowest %.3f s)" % (NFAST, NSLOW, took, max(lat)))
        assert took < 10, "fast GETs took %.1f s while %d slow clients stalled" % (took, NSLOW)

        # the slow ones are served (slowly), not refused: their responses began with a 200
        stop.set()
        t.join(5)
        sample = slow[:: NSLOW // 20]
        for s in sample:
            s.settimeout(10)
            head = got.get(s, b"")
            while len(head) < 12:
                b = s.recv(12 - len(head))
                assert b, "a slow client was dropped"
                head += b
            assert head.startswith(b"HTTP/1.1 200"), head
    finally:
        stop.set()
        for s in slow:
            s.close()

    # all hung up: the proxy (and its upstream pool) still serves, byte-exact
    r = requests.get("%s/%s/big" % (s3, bck), timeout=60)
    assert r.status_code == 200 and r.content == big
    requests.delete("%s/%s/big" % (s3, bck), timeout=30)
    requests.delete("%s/%s/small" % (s3, bck), timeout=30)
    requests.delete("%s/%s" % (s3, bck), timeout=30)


def test_target_down_is_503():
    """a target that cannot be reached: S3 GET/HEAD/PUT through the proxy answer 503
    ServiceUnavailable as S3 XML (own cluster: the dead target stays in the Smap meanwhile)"""
    from cluster import Cluster
    from s3util import xml_code
    c = Cluster(nproxies=1, ntargets=1, nmountpaths=1, keepalive="10s")
    c.start()
    try:
        s3 = c.url + "/s3"
        bck = new_bucket_name("down")
        assert requests.put("%s/%s" % (s3, bck), timeout=30).status_code == 200
        _put("%s/%s/obj" % (s3, bck), b"x" * 1000)
        assert requests.get("%s/%s/obj" % (s3, bck), timeout=30).content == b"x" * 1000
        t = c.targets[0]
        c.expected_down.add(t.name)
        t.kill9()
        r = requests.get("%s/%s/obj" % (s3, bck), timeout=30)
        assert r.status_code == 503, r.text
        assert xml_code(r.content) == "ServiceUnavailable", r.text
        assert "failed to reach the target" in r.text
        r = requests.head("%s/%s/obj" % (s3, bck), timeout=30)
        assert r.status_code == 503 and not r.content
        r = requests.put("%s/%s/new" % (s3, bck), data=b"y" * 10000, timeout=30)
        assert r.status_code == 503 and xml_code(r.content) == "ServiceUnavailable", r.text
        t.start()  # back: forwarding resumes (fresh connections to it)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(t.url + "/v1/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        r = requests.get("%s/%s/obj" % (s3, bck), timeout=30)
        assert r.status_code == 200 and r.content == b"x" * 1000, r.text
    finally:
        c.cleanup()
