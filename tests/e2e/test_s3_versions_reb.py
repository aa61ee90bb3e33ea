"""Retained S3 versions (docs/s3-versioning.md) follow their object when the cluster map changes:
a target joins (rebalance) and a mountpath is disabled (resilver) - afterwards every version of
every key, delete markers included, is still listed once and answers GET/HEAD/DELETE by
versionId byte-exact (no NoSuchVersion after a move), and the versions live on the key's owner."""
import os

from cluster import new_bucket_name
from rebutil import active_ids, latest_reb, node_by_id, owners, smap, start_cluster, wait_reb_settled
from s3util import client

AK, SK = "AKIDVERREB", "ver-reb-secret"


def test_versions_move_with_rebalance_and_resilver():
    c = start_cluster(ntargets=3, started=2, nmountpaths=2, overrides={
        "s3": {"auth": True, "region": "us-east-1",
               "keys": [{"access": AK, "secret": SK, "user": "ver-id", "display_name": "Ver"}]}})
    try:
        s3 = client(c.url + "/s3", ak=AK, sk=SK)
        b = new_bucket_name("verreb")
        s3.create_bucket(Bucket=b)
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        keys = ["k%03d" % i for i in range(60)] + ["dir/a", "dir/a/b"]
        want = {}  # (key, version id) -> body; None for a delete marker
        for i, k in enumerate(keys):
            for j in range(3):
                body = os.urandom(100 + 37 * i + j)
                want[(k, s3.put_object(Bucket=b, Key=k, Body=body)["VersionId"])] = body
            if i % 5 == 0:  # the latest is a delete marker
                want[(k, s3.delete_object(Bucket=b, Key=k)["VersionId"])] = None
        ids0 = active_ids(smap(c))

        def check():
            vers, dms = [], []
            kw = {}
            while True:
                lst = s3.list_object_versions(Bucket=b, **kw)
                vers += lst.get("Versions", [])
                dms += lst.get("DeleteMarkers", [])
                if not lst.get("IsTruncated"):
                    break
                kw = {"KeyMarker": lst["NextKeyMarker"], "VersionIdMarker": lst["NextVersionIdMarker"]}
            got = sorted([(v["Key"], v["VersionId"]) for v in vers + dms])
            assert got == sorted(want), (len(got), len(want))
            assert sorted((d["Key"], d["VersionId"]) for d in dms) == sorted(kv for kv, v in want.items() if v is None)
            for (k, vid), body in want.items():
                if body is None:
                    continue
                r = s3.get_object(Bucket=b, Key=k, VersionId=vid)
                assert r["Body"].read() == body and r["VersionId"] == vid, (k, vid)
                assert s3.head_object(Bucket=b, Key=k, VersionId=vid)["ContentLength"] == len(body)

        check()
        reb0 = latest_reb(c)
        c.targets[2].start()
        c.wait_ready(timeout=60, ntargets=3)
        wait_reb_settled(c, reb0)
        ids = active_ids(smap(c))
        own0, own = owners(b, keys, ids0), owners(b, keys, ids)
        moved = [k for k in keys if own0[k] != own[k]]
        assert moved, "no key changed its owner"
        # on disk: the moved keys' versions are on their new owner only
        nodes = node_by_id(c)
        for k in moved:
            for tid, t in nodes.items():
                n = _nvers(t, b, k)
                assert (n > 0) == (tid == own[k]), (k, tid, own[k], n)
        check()
        # resilver: a mountpath of the new owner of a moved key disabled -> versions move too
        t = nodes[own[moved[0]]]
        r = __import__("requests").post(t.url + "/v1/daemon/mountpaths",
                                        json={"action": "disable-mp", "value": t.mountpaths[0]}, timeout=30)
        assert r.status_code == 200, r.text
        _wait_resilver(c)
        check()
        # DELETE by versionId of a moved key's oldest version works on its new owner
        k = moved[0]
        vid = [v for (kk, v), body in want.items() if kk == k and body is not None][0]
        s3.delete_object(Bucket=b, Key=k, VersionId=vid)
        del want[(k, vid)]
        check()
    finally:
        c.cleanup()


def _nvers(t, b, key):
    """version files of key on target t (any mountpath): %ov/<h2>/<sha256(key)>/<seq>"""
    import hashlib
    h = hashlib.sha256(key.encode()).hexdigest()
    n = 0
    for mp in t.mountpaths:
        d = os.path.join(mp, "@ais", b, "%ov", h[:2], h)
        n += len(os.listdir(d)) if os.path.isdir(d) else 0
    return n


def _wait_resilver(c, timeout=60):
    import time
    import requests
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"kind": "resilver"}, timeout=30)
        if r.status_code == 200:
            snaps = [x for v in r.json().values() for x in v or []]
            if snaps and not [x for x in snaps if x["end-time"].startswith("0001-")]:
                assert not [x for x in snaps if x.get("err")], snaps
                return
        time.sleep(0.2)
    raise AssertionError("resilver did not finish")
