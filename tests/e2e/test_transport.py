"""Target-to-target streams as a peer sees them: every target serves PUT /v1/transport/<trname>
on its intra-data URL (the one in the Smap); a stream whose name has no receiver is refused
with 404 before its body is read, bad names and methods are refused, and the target keeps
serving. (Objects moving over streams are covered by the unit tests; the movers that use them
come with the object core.)"""
import socket

import requests


def data_urls(cluster):
    smap = cluster.smap()
    return [sn["intra_data_net"]["direct_url"] for sn in smap["tmap"].values()]


def test_unknown_stream_refused_before_body(cluster):
    for url in data_urls(cluster):
        r = requests.put(url + "/v1/transport/no-such-stream",
                         headers={"Ais-Transport-Proto": "1", "Ais-Transport-Sid": "t[e2e]",
                                  "Expect": "100-continue", "Transfer-Encoding": "chunked"},
                         data=iter([b"x" * 10]), timeout=10)
        assert r.status_code == 404, (url, r.status_code, r.text)
        j = r.json()
        assert "no receiver for stream no-such-stream" in j["message"], j
        assert j["status"] == 404


def test_expect_continue_gets_final_answer_first(cluster):
    # a sender waits for "100 Continue" before its first frame: an unknown stream gets the 404
    # instead, so nothing is ever written into a refused stream
    url = data_urls(cluster)[0]
    host, port = url[len("http://"):].split(":")
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(b"PUT /v1/transport/nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
              b"Expect: 100-continue\r\nAis-Transport-Proto: 1\r\n\r\n")
    head = s.recv(4096)
    s.close()
    assert head.startswith(b"HTTP/1.1 404"), head[:200]


def test_bad_names_version_and_method(cluster):
    url = data_urls(cluster)[0]
    r = requests.put(url + "/v1/transport/bad%20name", data=b"", timeout=10)
    assert r.status_code == 400, r.text
    r = requests.put(url + "/v1/transport/_reply/x", data=b"", timeout=10)
    assert r.status_code == 400, r.text
    r = requests.put(url + "/v1/transport/x", headers={"Ais-Transport-Proto": "99"}, data=b"", timeout=10)
    assert r.status_code == 400 and "version 99" in r.json()["message"], r.text
    r = requests.get(url + "/v1/transport/x", timeout=10)
    assert r.status_code == 405, r.text
    # and the node keeps serving
    assert requests.get(url + "/v1/health", timeout=10).status_code == 200
