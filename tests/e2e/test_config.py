"""Cluster configuration: set-config (query form and ActMsg form) is validated on the primary,
bumps config_version, reaches every node by metasync, survives a node restart, and rejects
unknown keys, bad values and unknown feature flags with 400."""
import time

import requests


def node_config(node):
    r = requests.get(node.url + "/v1/daemon", params={"what": "config"}, timeout=5)
    assert r.status_code == 200
    return r.json()


def cluster_config(cluster):
    r = requests.get(cluster.url + "/v1/cluster", params={"what": "config"}, timeout=5)
    assert r.status_code == 200
    return r.json()


def test_full_aistore_layout(cluster):
    cfg = cluster_config(cluster)
    for sect in ("checksum", "versioning", "timeout", "keepalivetracker", "chunks", "mirror", "ec", "net",
                 "space", "lru", "log", "periodic", "rebalance"):
        assert isinstance(cfg.get(sect), dict), sect
    assert "features" in cfg and "config_version" in cfg


def test_set_config_query_reaches_all_nodes(cluster):
    v0 = int(cluster_config(cluster)["config_version"])
    r = requests.put(cluster.url + "/v1/cluster/set-config",
                     params={"periodic.stats_time": "7s", "features": "Fsync-PUT"}, timeout=10)
    assert r.status_code == 200, r.text
    for n in cluster.nodes:
        cfg = node_config(n)
        assert int(cfg["config_version"]) == v0 + 1, n.name
        assert cfg["periodic"]["stats_time"] == "7s", n.name
        assert cfg["features"] == "16", n.name  # Fsync-PUT is bit 4
    r = requests.put(cluster.url + "/v1/cluster", timeout=10,
                     json={"action": "set-config", "value": {"periodic": {"stats_time": "10s"}, "features": "none"}})
    assert r.status_code == 200, r.text
    for n in cluster.nodes:
        cfg = node_config(n)
        assert int(cfg["config_version"]) == v0 + 2
        assert cfg["periodic"]["stats_time"] == "10s"
        assert cfg["features"] == "0"


def test_set_config_rejects_bad_input(cluster):
    v0 = cluster_config(cluster)["config_version"]
    for params in ({"no.such.key": "1"}, {"checksum.type": "crc99"}, {"versioning.enabled": "maybe"},
                   {"features": "No-Such-Feature"}, {"timeout.max_keepalive": "abc"}, {}):
        r = requests.put(cluster.url + "/v1/cluster/set-config", params=params, timeout=10)
        assert r.status_code == 400, (params, r.status_code, r.text)
        assert "message" in r.json()
    r = requests.put(cluster.url + "/v1/cluster", data=b"{not json", timeout=10)
    assert r.status_code == 400
    r = requests.put(cluster.url + "/v1/cluster", json={"action": "no-such-action"}, timeout=10)
    assert r.status_code == 400
    assert cluster_config(cluster)["config_version"] == v0


def test_config_survives_target_restart(cluster):
    r = requests.put(cluster.url + "/v1/cluster/set-config", params={"lru.dont_evict_time": "3h"}, timeout=10)
    assert r.status_code == 200, r.text
    t = cluster.targets[-1]
    t.stop()
    t.start()
    cluster.wait_ready(timeout=30)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(t.url + "/v1/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    assert node_config(t)["lru"]["dont_evict_time"] == "3h"
    requests.put(cluster.url + "/v1/cluster/set-config", params={"lru.dont_evict_time": "120m"}, timeout=10)


def test_daemon_set_config_is_local(cluster):
    t0, t1 = cluster.targets[0], cluster.targets[1]
    r = requests.put(t0.url + "/v1/daemon/set-config", params={"log.max_size": "20mb"}, timeout=10)
    assert r.status_code == 200, r.text
    assert node_config(t0)["log"]["max_size"] == "20mb"
    assert node_config(t1)["log"]["max_size"] != "20mb"
    r = requests.put(t0.url + "/v1/daemon/set-config", params={"bogus": "1"}, timeout=10)
    assert r.status_code == 400


def test_s3_secret_never_shown(cluster):
    r = requests.put(cluster.url + "/v1/cluster/set-config",
                     params={"s3.access_key": "AK1", "s3.secret_key": "very-secret"}, timeout=10)
    assert r.status_code == 200, r.text
    try:
        for n in cluster.nodes:
            r = requests.get(n.url + "/v1/daemon", params={"what": "config"}, timeout=5)
            assert "very-secret" not in r.text
            assert r.json()["s3"]["access_key"] == "AK1"
        r = requests.get(cluster.url + "/v1/cluster", params={"what": "config"}, timeout=5)
        assert "very-secret" not in r.text
    finally:
        requests.put(cluster.url + "/v1/cluster/set-config",
                     params={"s3.access_key": "", "s3.secret_key": ""}, timeout=10)
