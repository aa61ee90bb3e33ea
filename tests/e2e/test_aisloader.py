"""aisloader end to end: short runs of build/aisloader against the session cluster (1 proxy +
3 targets): a PUT+GET mix through the proxy (redirects), -direct (HRW computed by the loader),
-maxputs exactness, -json output that parses and whose counters agree with the bucket's
contents, -cleanup destroying the bucket, and the flag errors that must stop a run early."""
import json
import os
import subprocess

import requests

from cluster import ROOT, new_bucket_name

LOADER = os.environ.get("AIS_LOADER", os.path.join(ROOT, "build", "aisloader"))


def run_loader(cluster, *args, timeout=60):
    cmd = [LOADER, "-endpoint=" + cluster.url, "-quiet", "-statsinterval=0"] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def run_json(cluster, *args):
    p = run_loader(cluster, "-json", *args)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)  # with -json, stdout is exactly one JSON array
    assert isinstance(data, list) and data, p.stdout
    final = data[-1]
    errs = sum(int(final[k]["errors"]) for k in ("get", "put"))
    assert errs == 0, "request errors; aisloader said:\n" + p.stderr
    return data


def op(final, name):
    o = final[name]
    return int(o["count"]), int(o["bytes"]), int(o["errors"]), o


def bucket_objects(cluster, bck):
    entries, _ = cluster.list_objects(bck, props="name,size")
    return {e["name"]: int(e.get("size", 0)) for e in entries}


def test_put_get_mix_counters_consistent(cluster):
    bck = new_bucket_name("ldmix")
    try:
        data = run_json(cluster, "-bucket=ais://" + bck, "-duration=2s", "-numworkers=4", "-pctput=50",
                        "-minsize=1K", "-maxsize=8K", "-cleanup=false")
        final = data[-1]
        puts, put_bytes, put_errs, po = op(final, "put")
        gets, get_bytes, get_errs, go = op(final, "get")
        assert puts > 0 and gets > 0
        assert put_errs == 0 and get_errs == 0
        assert 1024 * puts <= put_bytes <= 8192 * puts
        assert 1024 * gets <= get_bytes <= 8192 * gets
        for o in (po, go):
            assert 0 < o["min_latency"] <= o["latency"] <= o["max_latency"]
            assert o["latency_p50"] <= o["latency_p90"] <= o["latency_p99"] <= o["max_latency"]
        # every PUT created a distinct object: the bucket holds exactly what was counted
        objs = bucket_objects(cluster, bck)
        assert len(objs) == puts
        assert sum(objs.values()) == put_bytes
        assert all(len(n) == 32 for n in objs)  # AIStore-style random names
    finally:
        cluster.destroy_bucket(bck)


def test_direct_get_and_cleanup(cluster):
    bck = new_bucket_name("lddir")
    data = run_json(cluster, "-bucket=ais://" + bck, "-pctput=100", "-maxputs=60", "-numworkers=6",
                    "-minsize=2K", "-maxsize=2K", "-direct", "-cleanup=false")
    puts, put_bytes, put_errs, _ = op(data[-1], "put")
    assert (puts, put_bytes, put_errs) == (60, 60 * 2048, 0)  # -maxputs is exact
    assert len(bucket_objects(cluster, bck)) == 60
    # read-only, straight to the owners: each object once per epoch, two epochs
    data = run_json(cluster, "-bucket=ais://" + bck, "-pctput=0", "-epochs=2", "-numworkers=5", "-direct",
                    "-cleanup=true")
    gets, get_bytes, get_errs, _ = op(data[-1], "get")
    assert (gets, get_bytes, get_errs) == (120, 120 * 2048, 0)
    assert int(data[-1]["put"]["count"]) == 0
    r = requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5)
    assert r.status_code == 404, "-cleanup=true must destroy the bucket"


def test_table_output_and_intervals(cluster):
    bck = new_bucket_name("ldtab")
    try:
        p = subprocess.run([LOADER, "-endpoint=" + cluster.url, "-bucket=" + bck, "-duration=2500ms",
                            "-numworkers=2", "-pctput=100", "-minsize=1K", "-maxsize=1K",
                            "-statsinterval=1", "-cleanup=false"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        out = p.stdout
        assert "Runtime configuration:" in out
        assert out.count("Latency (min, avg, max)") == 2  # the periodic table and the final one
        rows = [ln for ln in out.splitlines() if ln[8:14].strip() == "PUT"]
        assert len(rows) >= 3, out  # >= 2 intervals + the final totals
        assert "p50" in out and "p99" in out
        assert "Actual run duration" in out
    finally:
        cluster.destroy_bucket(bck)


def test_cleanup_only_run(cluster):
    bck = new_bucket_name("ldcln")
    cluster.create_bucket(bck)
    p = run_loader(cluster, "-bucket=" + bck, "-duration=0s", "-totalputsize=0", "-cleanup=true")
    assert p.returncode == 0, p.stderr
    assert requests.head(cluster.url + "/v1/buckets/" + bck, timeout=5).status_code == 404


def test_flag_errors(cluster):
    p = run_loader(cluster, "-bucket=x", "-duration=1s")
    assert p.returncode == 2 and "-cleanup" in p.stderr
    p = run_loader(cluster, "-bucket=x", "-get-batchsize=-8", "-cleanup=false")
    assert p.returncode == 2 and "get-batchsize" in p.stderr
    p = run_loader(cluster, "-bucket=x", "-bogus", "-cleanup=false")
    assert p.returncode == 2 and "not defined" in p.stderr
    # 100% GET from an empty (new) bucket cannot run
    bck = new_bucket_name("ldempty")
    cluster.create_bucket(bck)
    try:
        p = run_loader(cluster, "-bucket=" + bck, "-pctput=0", "-duration=1s", "-cleanup=false")
        assert p.returncode == 1 and "empty" in p.stderr
    finally:
        cluster.destroy_bucket(bck)


def test_subdir_and_filelist(cluster, tmp_path):
    bck = new_bucket_name("ldsub")
    try:
        run_json(cluster, "-bucket=" + bck, "-subdir=a/b", "-pctput=100", "-maxputs=10", "-numworkers=2",
                 "-minsize=100", "-maxsize=100", "-cleanup=false")
        names = sorted(bucket_objects(cluster, bck))
        assert len(names) == 10 and all(n.startswith("a/b/") and len(n) == 36 for n in names)
        # GET-only over the listed prefix: every object once per epoch
        data = run_json(cluster, "-bucket=" + bck, "-subdir=a/b", "-pctput=0", "-epochs=3", "-cleanup=false")
        assert int(data[-1]["get"]["count"]) == 30
        # -filelist instead of listing; a missing name counts as an error
        lst = tmp_path / "names.txt"
        lst.write_text("\n".join(names[:3] + ["a/b/missing"]) + "\n")
        p = run_loader(cluster, "-json", "-bucket=" + bck, "-filelist=%s" % lst, "-pctput=0", "-epochs=1",
                       "-cleanup=false")
        assert p.returncode == 0, p.stderr
        final = json.loads(p.stdout)[-1]
        assert (int(final["get"]["count"]), int(final["get"]["errors"])) == (3, 1)
        assert "HTTP 404" in p.stderr
    finally:
        cluster.destroy_bucket(bck)


def test_get_batch_workload(cluster):
    """-get-batchsize: GETs become GetBatch requests of that many listed objects (GBT stats)"""
    bck = new_bucket_name("ldgbt")
    p = run_loader(cluster, "-bucket=" + bck, "-pctput=100", "-maxputs=64", "-minsize=4K", "-maxsize=4K",
                   "-numworkers=4", "-cleanup=false", "-statsinterval=0")
    assert p.returncode == 0, p.stderr
    p = run_loader(cluster, "-bucket=" + bck, "-pctput=0", "-get-batchsize=16", "-epochs=1", "-numworkers=2",
                   "-cleanup=true", "-statsinterval=0", "-json")
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout[p.stdout.index("["):p.stdout.rindex("]") + 1])[-1]
    gb = rep["get_batch"]
    assert int(gb["count"]) >= 4 and gb["errors"] == 0, gb
    assert int(gb["bytes"]) >= 4 * 16 * 4096, gb
