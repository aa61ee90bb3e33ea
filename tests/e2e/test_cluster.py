"""Cluster map, node info and health as a client sees them (AIStore Smap/Snode JSON)."""
import requests

from cluster import SCHEME

NETS = ("public_net", "intra_control_net", "intra_data_net")


def check_snode(sn, role):
    assert sn["daemon_type"] == role, sn
    assert isinstance(sn["daemon_id"], str) and sn["daemon_id"], sn
    for net in NETS:
        ni = sn[net]
        assert ni["node_ip_addr"] == "127.0.0.1", (net, ni)
        assert str(ni["daemon_port"]).isdigit(), (net, ni)
        assert ni["direct_url"] == "%s://127.0.0.1:%s" % (SCHEME, ni["daemon_port"]), (net, ni)


def check_smap(cluster, smap):
    for k in ("pmap", "tmap", "proxy_si", "version", "uuid"):
        assert k in smap, "smap lacks %r: %s" % (k, smap)
    assert int(smap["version"]) > 0
    assert isinstance(smap["uuid"], str) and smap["uuid"]
    assert len(smap["pmap"]) == len(cluster.proxies)
    assert len(smap["tmap"]) == len(cluster.targets)
    for did, sn in smap["pmap"].items():
        check_snode(sn, "proxy")
        assert sn["daemon_id"] == did
    for did, sn in smap["tmap"].items():
        check_snode(sn, "target")
        assert sn["daemon_id"] == did
    check_snode(smap["proxy_si"], "proxy")
    assert smap["proxy_si"]["public_net"]["direct_url"] == cluster.url
    # all three networks of a node are distinct ports (public, control, data)
    ports = set()
    for sn in list(smap["pmap"].values()) + list(smap["tmap"].values()):
        for net in NETS:
            ports.add(sn[net]["daemon_port"])
    assert len(ports) == 3 * len(cluster.nodes)
    pubs = {sn["public_net"]["direct_url"] for sn in smap["tmap"].values()}
    assert pubs == {t.url for t in cluster.targets}


def test_cluster_smap(cluster):
    r = requests.get(cluster.url + "/v1/cluster?what=smap", timeout=5)
    assert r.status_code == 200
    assert r.headers.get("Content-Type", "").startswith("application/json")
    check_smap(cluster, r.json())


def test_daemon_smap_same_on_every_node(cluster):
    ref = cluster.smap()
    for n in cluster.nodes:
        r = requests.get(n.url + "/v1/daemon?what=smap", timeout=5)
        assert r.status_code == 200, (n, r.status_code, r.text)
        sm = r.json()
        check_smap(cluster, sm)
        assert sm["uuid"] == ref["uuid"], n
        assert sm["version"] == ref["version"], n
        assert set(sm["tmap"]) == set(ref["tmap"]), n


def test_daemon_snode(cluster):
    smap = cluster.smap()
    for n in cluster.nodes:
        r = requests.get(n.url + "/v1/daemon?what=snode", timeout=5)
        assert r.status_code == 200, (n, r.status_code, r.text)
        sn = r.json()
        check_snode(sn, n.role)
        assert sn["public_net"]["direct_url"] == n.url
        m = smap["pmap"] if n.role == "proxy" else smap["tmap"]
        assert sn["daemon_id"] in m, (n, sn["daemon_id"])


def test_health(cluster):
    for n in cluster.nodes:
        r = requests.get(n.url + "/v1/health", timeout=5)
        assert r.status_code == 200, (n, r.status_code, r.text)


def test_unknown_what_and_path(cluster):
    r = requests.get(cluster.url + "/v1/cluster?what=no-such-thing", timeout=5)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    r = requests.get(cluster.url + "/v1/no-such-resource", timeout=5)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert requests.get(cluster.url + "/v1/health", timeout=5).status_code == 200


def test_join_with_another_cluster_uuid_is_refused(cluster):
    """A node whose persisted cluster map names another cluster does not get in (409), and the
    cluster map does not change. (The join is signed with the cluster key, as a node holding it
    would send it: an unsigned one never gets that far, see test_security.py.)"""
    before = cluster.smap()
    any_target = next(iter(before["tmap"].values()))
    fake = dict(any_target)
    fake["daemon_id"] = "tFAKEuuid"
    for net in NETS:
        fake[net] = dict(any_target[net], daemon_port="1", direct_url="http://127.0.0.1:1")
    r = cluster.intra("POST", cluster.primary, "/v1/cluster/join", sender="tFAKEuuid", timeout=5,
                      json={"snode": fake, "cluster_uuid": "not-" + before["uuid"]})
    assert r.status_code == 409, (r.status_code, r.text)
    assert "cluster UUID mismatch" in r.json()["message"]
    after = cluster.smap()
    assert after["version"] == before["version"] and set(after["tmap"]) == set(before["tmap"])
