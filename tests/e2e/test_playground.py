"""scripts/playground.sh: start (idempotent, keeps identities), status, stop (exactly its pids),
in a temp dir on free ports so it never touches a developer's running playground."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import requests

from cluster import BIN, ROOT, find_port_base

SCRIPT = os.path.join(ROOT, "scripts", "playground.sh")


def run(env, *args, check=True):
    p = subprocess.run(["bash", SCRIPT] + list(args), env=env, capture_output=True, text=True,
                       timeout=60)
    if check:
        assert p.returncode == 0, "playground %s rc=%d\n%s\n%s" % (args, p.returncode, p.stdout,
                                                                   p.stderr)
    return p


def wait_json(url, timeout=15):
    deadline = time.time() + timeout
    while True:
        try:
            r = requests.get(url, timeout=2)
            if r.status_code == 200:
                return r.json()
        except requests.RequestException:
            if time.time() > deadline:
                raise
        time.sleep(0.2)


def running_aisnode(pid):
    """pid is a live (not zombie) aisnode process"""
    try:
        with open("/proc/%d/status" % pid) as f:
            st = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
    except OSError:
        return False
    return st.get("Name", "").strip() == "aisnode" and not st.get("State", "").strip().startswith("Z")


def pids(d):
    out = {}
    for n in os.listdir(d):
        f = os.path.join(d, n, "pid")
        if os.path.exists(f):
            out[n] = int(open(f).read().strip())
    return out


def test_playground_start_status_stop():
    d = tempfile.mkdtemp(prefix="ais-pg-")
    base = find_port_base(3)
    env = dict(os.environ, AIS_PLAYGROUND_DIR=d, AIS_PORT_BASE=str(base), AIS_BIN=BIN,
               AIS_KEEPALIVE="1s")
    started = {}
    try:
        p = run(env, "start", "--proxies", "1", "--targets", "2", "--mountpaths", "1")
        assert "curl" in p.stdout
        started = pids(d)
        assert set(started) == {"proxy0", "target0", "target1"}
        url = "http://127.0.0.1:%d" % base
        smap = requests.get(url + "/v1/cluster?what=smap", timeout=5).json()
        assert len(smap["tmap"]) == 2
        ports = sorted(int(sn["public_net"]["daemon_port"]) for sn in smap["tmap"].values())
        assert ports == [base + 1, base + 2]
        ctl = sorted(int(sn["intra_control_net"]["daemon_port"]) for sn in smap["tmap"].values())
        assert ctl == [base + 1001, base + 1002]
        for n in ("proxy0", "target0", "target1"):
            for f in ("local.json", "conf", "log"):
                assert os.path.exists(os.path.join(d, n, f)), (n, f)
        assert os.path.isdir(os.path.join(d, "target0", "mp0"))
        assert os.path.exists(os.path.join(d, "cluster.json"))

        # idempotent: a second start starts nothing new
        run(env, "start", "--proxies", "1", "--targets", "2", "--mountpaths", "1")
        assert pids(d) == started

        st = run(env, "status").stdout
        for n in started:
            assert re.search(r"^%s\s+\S+\s+%d\s+%d\s+up" % (n, started[n], base + (
                0 if n == "proxy0" else 1 + int(n[-1]))), st, re.M), st

        # a node killed behind the script's back is restarted by start, with the same identity
        tid = requests.get("http://127.0.0.1:%d/v1/daemon?what=snode" % (base + 2), timeout=5).json()["daemon_id"]
        os.kill(started["target1"], signal.SIGKILL)
        run(env, "start")
        now = pids(d)
        assert now["proxy0"] == started["proxy0"] and now["target1"] != started["target1"]
        started = now
        assert wait_json("http://127.0.0.1:%d/v1/daemon?what=snode" % (base + 2))["daemon_id"] == tid

        run(env, "stop")
        for n, pid in started.items():
            assert not os.path.exists(os.path.join(d, n, "pid"))
            assert not running_aisnode(pid), "%s (pid %d) still running" % (n, pid)
        st = run(env, "status").stdout
        assert "up" not in st.split("STATE", 1)[1], st
        run(env, "stop")  # idempotent
    finally:
        subprocess.run(["bash", SCRIPT, "stop"], env=env, capture_output=True, timeout=60)
        started.update(pids(d) if os.path.isdir(d) else {})
        for n, pid in started.items():
            if running_aisnode(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(d, ignore_errors=True)


def _pg_env(nnodes, host="127.0.0.1"):
    d = tempfile.mkdtemp(prefix="ais-pg-")
    base = find_port_base(nnodes, host=host)
    env = dict(os.environ, AIS_PLAYGROUND_DIR=d, AIS_PORT_BASE=str(base), AIS_BIN=BIN, AIS_KEEPALIVE="1s")
    return d, base, env


def _pg_cleanup(d, env, started):
    subprocess.run(["bash", SCRIPT, "stop"], env=env, capture_output=True, timeout=60)
    started.update(pids(d) if os.path.isdir(d) else {})
    for n, pid in started.items():
        if running_aisnode(pid):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(d, ignore_errors=True)


def test_playground_three_proxies_failover_restart():
    """start --proxies 3: every proxy in the Smap; kill the primary: another leads; stop and
    start again: the cluster comes back with one primary and all nodes"""
    d, base, env = _pg_env(5)
    started = {}
    try:
        run(env, "start", "--proxies", "3", "--targets", "2", "--mountpaths", "1")
        started = pids(d)
        assert set(started) == {"proxy0", "proxy1", "proxy2", "target0", "target1"}
        urls = ["http://127.0.0.1:%d" % (base + i) for i in range(3)]
        deadline = time.time() + 20
        while time.time() < deadline:
            sm = [requests.get(u + "/v1/daemon?what=smap", timeout=2).json() for u in urls]
            if all(len(s["pmap"]) == 3 and s["version"] == sm[0]["version"] for s in sm):
                break
            time.sleep(0.2)
        assert all(len(s["pmap"]) == 3 and len(s["tmap"]) == 2 for s in sm), sm
        old = sm[0]["proxy_si"]["daemon_id"]
        os.kill(started["proxy0"], signal.SIGKILL)
        deadline = time.time() + 20
        while time.time() < deadline:  # both survivors know the new primary
            ss = [requests.get(u + "/v1/daemon?what=smap", timeout=2).json() for u in urls[1:]]
            if all(s["proxy_si"]["daemon_id"] != old for s in ss):
                break
            time.sleep(0.1)
        assert all(s["proxy_si"]["daemon_id"] != old for s in ss), ss
        r = requests.post(urls[2] + "/v1/buckets/pgha", json={"action": "create-bck"}, timeout=10)
        assert r.status_code == 200, r.text
        run(env, "stop")
        run(env, "start")
        started = pids(d)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                sm = [requests.get(u + "/v1/daemon?what=smap", timeout=2).json() for u in urls]
                if all(len(x["pmap"]) == 3 and len(x["tmap"]) == 2 and x["version"] == sm[0]["version"] for x in sm):
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        assert all(x["proxy_si"]["daemon_id"] == sm[0]["proxy_si"]["daemon_id"] for x in sm), sm
        assert len(sm[0]["pmap"]) == 3 and len(sm[0]["tmap"]) == 2, sm[0]
        r = requests.get(urls[0] + "/v1/buckets/pgha", json={"action": "list"}, timeout=10)
        assert r.status_code == 200, r.text
    finally:
        _pg_cleanup(d, env, started)


def test_playground_ipv6():
    """start --ipv6: nodes on ::1 with bracketed URLs"""
    d, base, env = _pg_env(3, host="::1")
    started = {}
    try:
        p = run(env, "start", "--proxies", "1", "--targets", "2", "--mountpaths", "1", "--ipv6")
        started = pids(d)
        url = "http://[::1]:%d" % base
        assert url in p.stdout
        smap = requests.get(url + "/v1/cluster?what=smap", timeout=5).json()
        assert len(smap["tmap"]) == 2
        for sn in list(smap["tmap"].values()) + list(smap["pmap"].values()):
            assert sn["public_net"]["direct_url"].startswith("http://[::1]:"), sn
        cfg = requests.get(url + "/v1/cluster?what=config", timeout=5).json()
        assert cfg["net"]["use_ipv6"] is True
        st = run(env, "status").stdout
        assert st.count(" up") == 3, st
    finally:
        _pg_cleanup(d, env, started)
