"""conftest.py: pytest fixtures for the e2e suite.
- `cluster`: one private playground per session (1 proxy + 3 targets, 2 mountpaths each, keepalive
  1s x 3), stopped at session end (and by cluster.py's atexit hook if pytest dies).
- `bucket`: a fresh bucket per test, destroyed afterwards.
- autouse `_nodes_survive`: after every test, any node that died without the test asking for it
  fails that test (with its log tail) and is restarted so later tests still have a full cluster.
Set AIS_E2E_KEEP=1 to keep the temp dir (configs, logs, mountpaths) for post-mortem.
"""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from cluster import Cluster, new_bucket_name  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s")
    c.start()
    yield c
    if os.environ.get("AIS_E2E_KEEP"):
        print("\nAIS_E2E_KEEP: cluster dir %s" % c.dir)
    c.cleanup()


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
