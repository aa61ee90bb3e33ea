"""conftest.py: pytest fixtures for the e2e suite.
- `cluster`: one private playground per session (1 proxy + 3 targets, 2 mountpaths each, keepalive
  1s x 3), stopped at session end (and by cluster.py's atexit hook if pytest dies).
- `bucket`: a fresh bucket per test, destroyed afterwards.
- `authn_cluster`: per module, a cluster (2 proxies + 2 targets) and an aisauth (RS256, its key
  pair made at first start) with auth.enabled on the cluster under aisauth's public key, the
  cluster registered with aisauth (alias "e2e") and its readiness checked with an admin token.
- autouse `_nodes_survive`: after every test, any node that died without the test asking for it
  fails that test (with its log tail) and is restarted so later tests still have a full cluster.
Set AIS_E2E_KEEP=1 to keep the temp dir (configs, logs, mountpaths) for post-mortem.
"""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from cluster import AuthN, Cluster, enable_authn, new_bucket_name  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s")
    c.start()
    yield c
    if os.environ.get("AIS_E2E_KEEP"):
        print("\nAIS_E2E_KEEP: cluster dir %s" % c.dir)
    c.cleanup()


@pytest.fixture(scope="module")
def authn_cluster():
    c = Cluster(nproxies=2, ntargets=2, nmountpaths=1, keepalive="1s")
    a = AuthN()
    try:
        c.start()
        a.start()
        c.admin_token = enable_authn(c, a)
    except BaseException:
        c.cleanup()
        a.cleanup()
        raise
    yield c, a
    c.cleanup()
    a.cleanup()


@pytest.fixture
def bucket(cluster):
    name = new_bucket_name("e2e")
    cluster.create_bucket(name)
    yield name
    try:
        cluster.destroy_bucket(name)
    except Exception:
        pass


@pytest.fixture(autouse=True)
def _nodes_survive(request):
    if "cluster" not in request.fixturenames:
        yield
        return
    c = request.getfixturevalue("cluster")
    yield
    dead = [n for n in c.nodes if n.name not in c.expected_down and not n.alive()]
    if not dead:
        return
    tails = "\n".join(n.log_tail(40) for n in dead)
    for n in dead:
        n.kill9()  # reap
        n.start()
    try:
        c.wait_ready(timeout=30)
    except Exception as e:  # the next test will notice too
        tails += "\n(restart after crash failed: %s)" % e
    time.sleep(0.1)
    pytest.fail("node(s) died during the test: %s\n%s" % ([n.name for n in dead], tails),
                pytrace=False)


# ---- remote backends (test_backend_*.py): a real S3 endpoint (Ceph RGW) and clusters that use it

RGW_SH = os.path.join(os.path.dirname(__file__), "rgw.sh")
RGW_KEYS = ("BENCHACCESS", "BENCHSECRET")


def _rgw_ports():
    """(rgw, mon) with rgw, mon and mon+489 (Ceph's msgr1 port) free, below the ephemeral range"""
    import random
    import socket

    def free(p):
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            return True
        except OSError:
            return False
        finally:
            s.close()
    rnd = random.Random(os.getpid() ^ int(time.time()))
    for _ in range(200):
        rgw_port, mon = rnd.randrange(10000, 19000), rnd.randrange(10000, 19000)
        ports = {rgw_port, mon, mon + 489}
        if len(ports) == 3 and all(free(p) for p in ports):
            return rgw_port, mon
    raise RuntimeError("no free ports for RGW")


@pytest.fixture(scope="session")
def rgw():
    """Ceph RGW on loopback (tests/e2e/rgw.sh), started once per session (~20 s). Skipped with a
    clear message only when the radosgw package is absent."""
    import shutil
    import subprocess
    import tempfile
    if not shutil.which("radosgw") or not shutil.which("ceph-mon") or not shutil.which("ceph-osd"):
        pytest.skip("radosgw/ceph-mon/ceph-osd not installed (scripts/install-deps.sh installs them): "
                    "no real S3 endpoint for the remote-backend tests")
    d = tempfile.mkdtemp(prefix="ais-e2e-rgw-")
    port, mon = _rgw_ports()
    env = dict(os.environ, CEPHPEER_DIR=os.path.join(d, "ceph"), RGW_PORT=str(port), MON_PORT=str(mon))
    try:
        r = subprocess.run(["bash", RGW_SH, "start"], env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        r = subprocess.CompletedProcess(e.cmd, 1, str(e.stdout), "timed out after 300 s")
    if r.returncode != 0:
        subprocess.run(["bash", RGW_SH, "stop"], env=env, capture_output=True, timeout=60)
        pytest.fail("rgw.sh start failed:\n%s\n%s" % (r.stdout[-2000:], r.stderr[-4000:]))
    info = {"endpoint": "http://127.0.0.1:%d" % port, "access": RGW_KEYS[0], "secret": RGW_KEYS[1], "dir": d}
    yield info
    subprocess.run(["bash", RGW_SH, "stop"], env=env, capture_output=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def s3cluster(rgw, tmp_path_factory):
    """a cluster whose "aws" backend is the RGW above (env S3_ENDPOINT + keys; a credentials
    file with a profile "bad" whose secret is wrong, for the 403 test)"""
    creds = tmp_path_factory.mktemp("awscreds") / "credentials"
    creds.write_text("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                     "[bad]\naws_access_key_id = %s\naws_secret_access_key = wrong-secret\n"
                     % (rgw["access"], rgw["secret"], rgw["access"]))
    env = {"S3_ENDPOINT": rgw["endpoint"], "AWS_ACCESS_KEY_ID": rgw["access"],
           "AWS_SECRET_ACCESS_KEY": rgw["secret"], "AWS_REGION": "us-east-1",
           "AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(creds) + ".none"}
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s",
                cluster_overrides={"backend": {"aws": {}}}, env=env)
    c.start()
    yield c
    if os.environ.get("AIS_E2E_KEEP"):
        print("\nAIS_E2E_KEEP: s3cluster dir %s" % c.dir)
    c.cleanup()
