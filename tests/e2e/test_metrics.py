"""test_metrics.py: GET /metrics (Prometheus) and the node_status tracker on every node.
- every node's exposition passes `promtool check metrics` (when promtool is installed)
- N PUTs and M GETs of known sizes through the proxy move the targets' counters and byte totals
  by exactly that (summed over targets), and the proxy's redirect counters by the same counts
- a GET of a missing object is not an error by default (AIStore's Count-Object-NotFound-Stats off)
- ais_node_primary_info{primary_id=<primary>} 1 on every node
- GET /v1/daemon?what=node_status carries the same counters in AIStore's "tracker"
"""
import os
import re
import shutil
import subprocess
import time

import pytest
import requests

from cluster import dial

PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if os.path.exists("/usr/bin/promtool") else None)
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(node):
    r = requests.get(node.url + "/metrics", timeout=10)
    assert r.status_code == 200, (node.name, r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def parse(text):
    """{(name, frozenset(labels.items())): value} and {family: type}"""
    samples, types = {}, {}
    for ln in text.splitlines():
        if ln.startswith("# TYPE "):
            _, _, fam, typ = ln.split(" ", 3)
            types[fam] = typ
            continue
        if not ln or ln.startswith("#"):
            continue
        m = SAMPLE.match(ln)
        assert m, "bad sample line: %r" % ln
        labels = dict(LABEL.findall(m.group(3) or ""))
        samples[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return samples, types


def total(samples, name, **want):
    """sum of a metric over all series whose labels include `want`"""
    return sum(v for (n, lbl), v in samples.items()
               if n == name and all(dict(lbl).get(k) == x for k, x in want.items()))


def targets_sum(cluster, name):
    return sum(total(parse(scrape(t))[0], name) for t in cluster.targets)


# promtool 2.42 exits 3 on lint findings; AIStore's own names (get_count, get_ns_total, counters
# without "_total", capacity_total as a gauge) always trigger these four, nothing else may appear
ALLOWED_LINTS = (
    'counter metrics should have "_total" suffix',
    'non-histogram and non-summary metrics should not have "_count" suffix',
    'metric names should not contain abbreviated units',
    'non-counter metrics should not have "_total" suffix',
)


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")
def test_promtool_check_every_node(cluster, bucket):
    # some traffic first so the labelled families are present too
    requests.put(cluster.obj_url(bucket, "p"), data=b"x" * 10, timeout=10).raise_for_status()
    requests.get(cluster.obj_url(bucket, "p"), timeout=10).raise_for_status()
    requests.get(cluster.obj_url(bucket, "missing"), timeout=10)
    for n in cluster.nodes:
        text = scrape(n)
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(), capture_output=True,
                           timeout=30)
        out = (p.stdout + p.stderr).decode()
        assert p.returncode in (0, 3), (n.name, p.returncode, out)  # 1 = parse error
        for ln in out.splitlines():
            assert any(a in ln for a in ALLOWED_LINTS), (n.name, ln)


def test_counters_move_exactly(cluster, bucket):
    sizes = [1, 100, 4096, 12345, 65536, 3]
    nget = 4  # GETs of each object
    before = {k: targets_sum(cluster, k) for k in (
        "ais_target_put_count", "ais_target_put_bytes", "ais_target_get_count", "ais_target_get_bytes",
        "ais_target_err_get_count", "ais_target_get_ns_total", "ais_target_put_ns_total")}
    px_before, _ = parse(scrape(cluster.primary))
    s = requests.Session()
    for i, sz in enumerate(sizes):
        s.put(cluster.obj_url(bucket, "o%d" % i), data=os.urandom(sz), timeout=10).raise_for_status()
    for _ in range(nget):
        for i, sz in enumerate(sizes):
            r = s.get(cluster.obj_url(bucket, "o%d" % i), timeout=10)
            assert r.status_code == 200 and len(r.content) == sz
    after = {k: targets_sum(cluster, k) for k in before}
    assert after["ais_target_put_count"] - before["ais_target_put_count"] == len(sizes)
    assert after["ais_target_put_bytes"] - before["ais_target_put_bytes"] == sum(sizes)
    assert after["ais_target_get_count"] - before["ais_target_get_count"] == nget * len(sizes)
    assert after["ais_target_get_bytes"] - before["ais_target_get_bytes"] == nget * sum(sizes)
    assert after["ais_target_get_ns_total"] > before["ais_target_get_ns_total"]
    assert after["ais_target_put_ns_total"] > before["ais_target_put_ns_total"]
    assert after["ais_target_err_get_count"] == before["ais_target_err_get_count"]

    # the proxy counts its redirects per bucket (AIStore's IncBck), PUT with xkind=""
    px, types = parse(scrape(cluster.primary))
    cname = "ais://" + bucket
    assert total(px, "ais_proxy_get_count", bucket=cname) - total(px_before, "ais_proxy_get_count", bucket=cname) \
        == nget * len(sizes)
    assert total(px, "ais_proxy_put_count", bucket=cname, xkind="") == len(sizes)
    assert types["ais_proxy_get_count"] == "counter"

    # targets label by bucket only with Enable-Detailed-Prom-Metrics: default is bucket="".
    # A labeled family appears once it has a sample (as AIStore's vectors): look at a target
    # that served some of the GETs above.
    scraped = [parse(scrape(t)) for t in cluster.targets]
    t0, ttypes = next(x for x in scraped if total(x[0], "ais_target_get_count") > 0)
    assert all(dict(l).get("bucket") == "" for (n, l) in t0 if n == "ais_target_get_count")
    assert ttypes.get("ais_target_get_bytes") == "counter"
    assert ttypes.get("ais_target_uptime") == "gauge"
    assert ttypes.get("ais_target_get_latency_seconds") == "histogram"

    # histogram: +Inf bucket == _count, and it counted every GET
    hist = sum(total(parse(scrape(t))[0], "ais_target_get_latency_seconds_bucket", le="+Inf")
               for t in cluster.targets)
    cnt = sum(total(parse(scrape(t))[0], "ais_target_get_latency_seconds_count") for t in cluster.targets)
    assert hist == cnt and cnt >= nget * len(sizes)


def test_missing_object_not_an_error_by_default(cluster, bucket):
    before = targets_sum(cluster, "ais_target_err_get_count")
    r = requests.get(cluster.obj_url(bucket, "no-such-object"), timeout=10)
    assert r.status_code == 404
    assert targets_sum(cluster, "ais_target_err_get_count") == before
    # DELETE of a missing object is an error (AIStore's err.del.n)
    before = targets_sum(cluster, "ais_target_err_del_count")
    r = requests.delete(cluster.obj_url(bucket, "no-such-object"), timeout=10)
    assert r.status_code == 404
    assert targets_sum(cluster, "ais_target_err_del_count") == before + 1


def test_delete_rename_append_list(cluster, bucket):
    keys = ("ais_target_del_count", "ais_target_ren_count", "ais_target_append_count")
    before = {k: targets_sum(cluster, k) for k in keys}
    px0, _ = parse(scrape(cluster.primary))
    requests.put(cluster.obj_url(bucket, "a"), data=b"abc", timeout=10).raise_for_status()
    r = requests.post(cluster.obj_url(bucket, "a"), json={"action": "rename-obj", "name": "b"}, timeout=10)
    assert r.status_code == 200, r.text
    requests.delete(cluster.obj_url(bucket, "b"), timeout=10).raise_for_status()
    r = requests.put(cluster.obj_url(bucket, "c") + "?append_type=append", data=b"12", timeout=10)
    assert r.status_code == 200, r.text
    cluster.list_objects(bucket)
    after = {k: targets_sum(cluster, k) for k in keys}
    assert after["ais_target_del_count"] - before["ais_target_del_count"] == 1
    assert after["ais_target_ren_count"] - before["ais_target_ren_count"] == 1
    assert after["ais_target_append_count"] - before["ais_target_append_count"] == 1
    px, _ = parse(scrape(cluster.primary))
    cname = "ais://" + bucket
    assert total(px, "ais_proxy_lst_count", bucket=cname) - total(px0, "ais_proxy_lst_count", bucket=cname) == 1
    assert total(px, "ais_proxy_del_count", bucket=cname) - total(px0, "ais_proxy_del_count", bucket=cname) == 1
    assert total(px, "ais_proxy_append_count", bucket=cname) == 1


def test_primary_info_and_node_metrics(cluster):
    primary_id = cluster.node_id(cluster.primary)
    for n in cluster.nodes:
        samples, types = parse(scrape(n))
        nid = cluster.node_id(n).replace(".", "_")
        info = [(dict(l), v) for (name, l), v in samples.items() if name == "ais_node_primary_info"]
        assert len(info) == 1, (n.name, info)
        lbl, v = info[0]
        assert v == 1 and lbl["node_id"] == nid
        assert lbl["primary_id"] == primary_id
        assert types["ais_node_primary_info"] == "gauge"
        role = "target" if n in cluster.targets else "proxy"
        assert total(samples, "ais_%s_uptime" % role, node_id=nid) > 0
        assert total(samples, "ais_%s_threads" % role) >= 2
        flags = int(total(samples, "ais_%s_state_flags" % role))
        assert flags & 4 and flags & 2, flags  # NodeStarted | ClusterStarted
        # every ais_ sample carries node_id
        for (name, l) in samples:
            if name.startswith("ais_"):
                assert dict(l).get("node_id") == nid, (name, l)
        if role == "target":
            mp = [dict(l)["mountpath"] for (name, l) in samples if name == "ais_target_capacity_total"]
            assert sorted(mp) == sorted(n.mountpaths)
            assert all(total(samples, "ais_target_capacity_used", mountpath=m) > 0 for m in mp)


def test_node_status_tracker(cluster, bucket):
    requests.put(cluster.obj_url(bucket, "t"), data=b"y" * 777, timeout=10).raise_for_status()
    tsum = 0
    for t in cluster.targets:
        st = requests.get(t.url + "/v1/daemon?what=node_status", timeout=10).json()
        tr = st["tracker"]
        assert "up.ns.time" in tr and "get.ns" in tr and "kalive.ns" in tr
        samples, _ = parse(scrape(t))
        assert tr.get("put.n", 0) == total(samples, "ais_target_put_count")
        assert tr["put.size"] == total(samples, "ais_target_put_bytes")
        tsum += tr.get("put.n", 0)
        cap = st["capacity"]
        assert set(cap["mountpaths"]) == set(t.mountpaths)
        assert int(cap["total_used"]) > 0
        assert st["sys_info"]["mem_used"] > 0
        assert st["cluster"]["flags"] & 4
    assert tsum >= 1
    st = requests.get(cluster.url + "/v1/daemon?what=node_status", timeout=10).json()
    assert "tracker" in st and st["cluster"]["smap"]["Primary"]["id"] == cluster.node_id(cluster.primary)


def test_features_detailed_labels_and_404(cluster, bucket):
    """Enable-Detailed-Prom-Metrics: targets label by bucket; Count-Object-NotFound-Stats: a GET
    404 counts in err_get_count. Both are cluster features (set-config), reset afterwards."""
    r = requests.put(cluster.url + "/v1/cluster/set-config",
                     params={"features": "Enable-Detailed-Prom-Metrics,Count-Object-NotFound-Stats"}, timeout=10)
    assert r.status_code == 200, r.text
    try:
        for n in cluster.nodes:  # metasync is asynchronous
            cluster._wait(lambda: requests.get(n.url + "/v1/daemon?what=config", timeout=5).json()["features"]
                          != "0", 10, "features on " + n.name)
        cname = "ais://" + bucket
        requests.put(cluster.obj_url(bucket, "d"), data=b"q" * 33, timeout=10).raise_for_status()
        requests.get(cluster.obj_url(bucket, "d"), timeout=10).raise_for_status()
        err0 = sum(total(parse(scrape(t))[0], "ais_target_err_get_count", bucket=cname) for t in cluster.targets)
        assert requests.get(cluster.obj_url(bucket, "nope"), timeout=10).status_code == 404
        per = [parse(scrape(t))[0] for t in cluster.targets]
        assert sum(total(s, "ais_target_get_count", bucket=cname) for s in per) == 1
        assert sum(total(s, "ais_target_get_bytes", bucket=cname) for s in per) == 33
        assert sum(total(s, "ais_target_put_bytes", bucket=cname, xkind="") for s in per) == 33
        assert sum(total(s, "ais_target_err_get_count", bucket=cname) for s in per) == err0 + 1
    finally:
        requests.put(cluster.url + "/v1/cluster/set-config", params={"features": "none"}, timeout=10)
        for n in cluster.nodes:
            cluster._wait(lambda: requests.get(n.url + "/v1/daemon?what=config", timeout=5).json()["features"]
                          == "0", 10, "features off " + n.name)


def test_client_gone_mid_response_counts_write_error(cluster, bucket):
    """A client that resets the connection while a large GET is being sent makes the target's
    write fail: err_http_write_count goes up, and the target keeps serving."""
    import socket
    import struct
    import urllib.parse

    data = os.urandom(32 << 20)
    r = requests.put(cluster.obj_url(bucket, "big"), data=data, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.get(cluster.obj_url(bucket, "big"), allow_redirects=False, timeout=10)
    loc = urllib.parse.urlparse(r.headers["Location"])
    before = targets_sum(cluster, "ais_target_err_http_write_count")
    for _ in range(3):
        s = dial(loc.hostname, loc.port, timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(("GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n" % (loc.path, loc.query)).encode())
        s.recv(1024)  # the head and the first bytes: the rest is still being sent
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()  # RST
    deadline = time.time() + 10
    while time.time() < deadline and targets_sum(cluster, "ais_target_err_http_write_count") <= before:
        time.sleep(0.2)
    assert targets_sum(cluster, "ais_target_err_http_write_count") > before
    r = requests.get(cluster.obj_url(bucket, "big"), timeout=30)
    assert r.status_code == 200 and r.content == data
