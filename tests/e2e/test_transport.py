"""Target-to-target streams as a peer sees them: every target serves PUT /v1/transport/<trname>
on its intra-data URL (the one in the Smap); a stream whose name has no receiver is refused
with 404 before its body is read, bad names and methods are refused, and the target keeps
serving. (Objects moving over streams are covered by the unit tests; the movers that use them
come with the object core.) Streams are intra-cluster requests: the probes here are signed with
the cluster key as a peer's would be (an unsigned one is refused with 401, see the last test)."""

import requests

from cluster import intra_sig, dial, url_hostport


def sig(cluster, method, path):
    """the Ais-Cluster-Sig header of a member (the primary's ID)"""
    return {"Ais-Cluster-Sig": intra_sig(cluster.cluster_key_hex, method, path, cluster.node_id(cluster.primary))}


def data_urls(cluster):
    smap = cluster.smap()
    return [sn["intra_data_net"]["direct_url"] for sn in smap["tmap"].values()]


def test_unknown_stream_refused_before_body(cluster):
    for url in data_urls(cluster):
        r = requests.put(url + "/v1/transport/no-such-stream",
                         headers=dict(sig(cluster, "PUT", "/v1/transport/no-such-stream"), **{
                             "Ais-Transport-Proto": "1", "Ais-Transport-Sid": "t[e2e]",
                             "Expect": "100-continue", "Transfer-Encoding": "chunked"}),
                         data=iter([b"x" * 10]), timeout=10)
        assert r.status_code == 404, (url, r.status_code, r.text)
        j = r.json()
        assert "no receiver for stream no-such-stream" in j["message"], j
        assert j["status"] == 404


def test_expect_continue_gets_final_answer_first(cluster):
    # a sender waits for "100 Continue" before its first frame: an unknown stream gets the 404
    # instead, so nothing is ever written into a refused stream
    url = data_urls(cluster)[0]
    s = dial(*url_hostport(url), timeout=10)
    hs = sig(cluster, "PUT", "/v1/transport/nope")["Ais-Cluster-Sig"].encode()
    s.sendall(b"PUT /v1/transport/nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
              b"Expect: 100-continue\r\nAis-Transport-Proto: 1\r\nAis-Cluster-Sig: " + hs + b"\r\n\r\n")
    head = s.recv(4096)
    s.close()
    assert head.startswith(b"HTTP/1.1 404"), head[:200]


def test_bad_names_version_and_method(cluster):
    url = data_urls(cluster)[0]
    r = requests.put(url + "/v1/transport/bad%20name", data=b"", timeout=10,
                     headers=sig(cluster, "PUT", "/v1/transport/bad%20name"))
    assert r.status_code == 400, r.text
    r = requests.put(url + "/v1/transport/_reply/x", data=b"", timeout=10,
                     headers=sig(cluster, "PUT", "/v1/transport/_reply/x"))
    assert r.status_code == 400, r.text
    r = requests.put(url + "/v1/transport/x", headers=dict(sig(cluster, "PUT", "/v1/transport/x"),
                                                           **{"Ais-Transport-Proto": "99"}), data=b"", timeout=10)
    assert r.status_code == 400 and "version 99" in r.json()["message"], r.text
    r = requests.get(url + "/v1/transport/x", timeout=10)
    assert r.status_code == 405, r.text
    # and the node keeps serving
    assert requests.get(url + "/v1/health", timeout=10).status_code == 200


def test_unsigned_stream_refused(cluster):
    """a stream from outside the cluster (no cluster key) is refused before its body is read"""
    for url in data_urls(cluster):
        r = requests.put(url + "/v1/transport/obj-put", headers={"Ais-Transport-Proto": "1"}, data=b"x", timeout=10)
        assert r.status_code == 401, (url, r.text)
