"""The `ais` CLI (build/ais) against the session cluster: every command group, human tables and
--json output, AIStore-style errors and exit codes, help pages. Tables are compared by splitting
on whitespace (AIStore pads with TABs, as Go's tabwriter); exact layouts are covered by the unit
tests and by test_cli_transcript.py."""
import json
import os
import re
import subprocess
import time

import pytest

import requests

from cluster import ROOT, Cluster, new_bucket_name

AIS = os.environ.get("AIS_CLI", os.path.join(ROOT, "build", "ais"))


def ais(cluster, *args, input=None, check=True, env=None, timeout=60):
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = cluster.url
    e.update(env or {})
    p = subprocess.run([AIS] + list(args), input=input, capture_output=True, env=e, timeout=timeout)
    out, err = p.stdout.decode(), p.stderr.decode()
    if check:
        assert p.returncode == 0, "ais %s: rc=%d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, out, err)
    return p.returncode, out, err


def rows(out):
    """table text → list of whitespace-split rows (empty lines dropped)"""
    return [ln.split() for ln in out.splitlines() if ln.strip()]


@pytest.fixture(scope="module", autouse=True)
def _built():
    if not os.access(AIS, os.X_OK):
        pytest.fail("%s not built (run make)" % AIS)


# ---------------------------------------------------------------- help, version, errors

HELP_PATHS = [
    [], ["bucket"], ["bucket", "create"], ["bucket", "rm"], ["bucket", "ls"], ["bucket", "props"],
    ["bucket", "props", "show"], ["bucket", "props", "set"], ["object"], ["object", "put"],
    ["object", "get"], ["object", "cat"], ["object", "rm"], ["object", "show"], ["object", "mv"],
    ["object", "cp"], ["show"], ["show", "cluster"], ["show", "cluster", "smap"], ["show", "cluster", "bmd"],
    ["show", "job"], ["show", "performance"], ["show", "performance", "latency"], ["config"],
    ["config", "cluster"], ["config", "node"], ["cluster"], ["cluster", "add-remove-nodes"],
    ["cluster", "add-remove-nodes", "start-maintenance"], ["job", "show"], ["ls"], ["put"], ["get"], ["rmo"],
    ["rmb"], ["create"], ["performance"],
]


def test_help_everywhere(cluster):
    for path in HELP_PATHS:
        rc, out, _ = ais(cluster, *(path + ["--help"]))
        assert "NAME:" in out and "USAGE:" in out, (path, out)
        assert "--help, -h" in out, (path, out)
        if path:
            assert ("ais " + " ".join(path)) in out, (path, out)
    _, out, _ = ais(cluster, "help")
    assert "COMMANDS:" in out and "bucket" in out and "object" in out
    _, out, _ = ais(cluster, "--version")
    assert out.startswith("ais version ")
    _, out, _ = ais(cluster, "bucket")  # a group alone shows its help
    assert "COMMANDS:" in out and "create" in out


def test_usage_errors(cluster):
    rc, _, err = ais(cluster, "bucket", "nosuch", check=False)
    assert rc == 2 and "unknown subcommand" in err
    rc, _, err = ais(cluster, "ls", "--bogus", check=False)
    assert rc == 2 and "flag provided but not defined: -bogus" in err
    rc, _, err = ais(cluster, "object", "get", check=False)
    assert rc == 2 and "Incorrect 'ais object get' usage" in err


def test_unreachable(cluster):
    rc, out, err = ais(cluster, "ls", check=False, env={"AIS_ENDPOINT": "http://127.0.0.1:1"})
    assert rc == 1 and out == ""
    assert err.startswith("Error: AIStore cannot be reached at http://127.0.0.1:1"), err
    assert "AIS_ENDPOINT" in err


# ---------------------------------------------------------------- buckets

def test_bucket_create_ls_rm(cluster):
    b1, b2 = new_bucket_name("cli"), new_bucket_name("cli")
    _, out, _ = ais(cluster, "bucket", "create", "ais://" + b1, "ais://" + b2)
    assert out == '"ais://%s" created\n"ais://%s" created\n' % (b1, b2)
    rc, out, err = ais(cluster, "create", "ais://" + b1, check=False)
    assert rc == 1 and err == 'Error: Bucket "ais://%s" already exists\n' % b1
    _, out, _ = ais(cluster, "bucket", "create", "ais://" + b1, "--ignore-error")
    assert out == 'Bucket "ais://%s" already exists\n' % b1
    _, out, _ = ais(cluster, "ls")
    r = rows(out)
    assert r[0] == ["NAME", "PRESENT"]
    names = [x[0] for x in r[1:] if x[0].startswith("ais://")]
    assert "ais://" + b1 in names and "ais://" + b2 in names
    assert [x for x in r if x[0] == "ais://" + b1][0] == ["ais://" + b1, "yes"]
    assert any(ln.startswith("Total: [AIS bucket") for ln in out.splitlines()), out
    _, out, _ = ais(cluster, "ls", "ais://", "--json")
    lst = json.loads(out)
    assert {"name": b1, "provider": "ais", "namespace": {"uuid": "", "name": ""}} in lst
    _, out, _ = ais(cluster, "ls", "--no-headers", "--no-footers")
    assert "NAME" not in out and "Total:" not in out
    _, out, _ = ais(cluster, "bucket", "rm", "ais://" + b1, "ais://" + b2, "--yes")
    assert out == '"ais://%s" destroyed\n"ais://%s" destroyed\n' % (b1, b2)
    rc, _, err = ais(cluster, "rmb", "ais://" + b1, check=False)
    assert rc == 1 and err == 'Error: bucket "ais://%s" does not exist\n' % b1
    _, out, _ = ais(cluster, "rmb", "ais://" + b1, "--ignore-error")
    rc, _, err = ais(cluster, "bucket", "create", "cloud://x", check=False)
    assert rc == 1 and 'invalid backend provider "cloud"' in err


def test_bucket_create_with_props(cluster):
    b = new_bucket_name("cli")
    ais(cluster, "bucket", "create", "ais://" + b, "--props", "mirror.copies=3 versioning.enabled=false")
    try:
        props = json.loads(ais(cluster, "bucket", "props", "show", "ais://" + b, "--json")[1])
        assert props["mirror"]["copies"] == 3
        assert props["versioning"]["enabled"] is False
    finally:
        cluster.destroy_bucket(b)


def test_bucket_props_show_set(cluster, bucket):
    _, out, _ = ais(cluster, "bucket", "props", "show", "ais://" + bucket)
    r = {x[0]: x[1:] for x in rows(out)}
    assert r["PROPERTY"] == ["VALUE"]
    assert r["provider"] == ["ais"] and r["present"] == ["yes"]
    assert "checksum.type" in r and "versioning.enabled" in r and "bid" not in r
    names = [x[0] for x in rows(out)[1:]]
    assert names == sorted(names)
    _, out, _ = ais(cluster, "bucket", "props", "set", "ais://" + bucket, "checksum.type=md5",
                    "versioning.enabled=false")
    cur = cluster.set_bprops  # noqa: F841 (harness has the same API)
    assert '"checksum.type" set to: "md5" (was: "xxhash2")' in out, out
    assert '"versioning.enabled" set to: "false" (was: "true")' in out, out
    assert out.endswith("\nBucket props successfully updated.\n"), out
    props = json.loads(ais(cluster, "show", "bucket", "ais://" + bucket, "--json")[1])
    assert props["checksum"]["type"] == "md5" and props["versioning"]["enabled"] is False
    hdr = json.loads(requests.head(cluster.url + "/v1/buckets/" + bucket).headers["Ais-Bucket-Props"])
    assert hdr["checksum"]["type"] == "md5"
    _, out, _ = ais(cluster, "bucket", "props", "set", "ais://" + bucket, "checksum.type=md5")
    assert out == 'Bucket "ais://%s": property "checksum.type=md5", nothing to do\n' % bucket
    _, out, _ = ais(cluster, "bucket", "props", "set", "ais://" + bucket, '{"mirror": {"copies": 3}}')
    assert '"mirror.copies" set to: "3" (was: "2")' in out
    rc, _, err = ais(cluster, "bucket", "props", "set", "ais://" + bucket, "unknown.field=true", check=False)
    assert rc == 1 and 'unknown property "unknown.field"' in err
    rc, _, err = ais(cluster, "bucket", "props", "set", "ais://" + bucket, "provider=ais", check=False)
    assert rc == 1 and 'property "provider" is readonly' in err
    rc, _, err = ais(cluster, "bucket", "props", "set", "ais://" + bucket, "versioning.enabled=maybe", check=False)
    assert rc == 1 and "invalid value" in err
    _, out, _ = ais(cluster, "bucket", "props", "show", "ais://" + bucket, "checksum")
    assert [x[0] for x in rows(out)[1:]] == ["checksum.enable_read_range", "checksum.type",
                                              "checksum.validate_cold_get", "checksum.validate_obj_move",
                                              "checksum.validate_warm_get"]
    _, out, _ = ais(cluster, "bucket", "props", "show", "ais://" + bucket, "--compact")
    r = {x[0]: " ".join(x[1:]) for x in rows(out)}
    assert r["checksum"] == "Type: md5 | Validate: Nothing"
    assert r["versioning"] == "Disabled"
    assert r["mirror"] == "Disabled"
    _, out, _ = ais(cluster, "bucket", "props", "reset", "ais://" + bucket)
    assert out == "Bucket props successfully reset to cluster defaults\n"


# ---------------------------------------------------------------- objects

def test_object_put_get_show_rm(cluster, bucket, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_bytes(b"0123456789\n")
    _, out, _ = ais(cluster, "object", "put", str(src), "ais://%s/dir/obj.txt" % bucket)
    assert out == 'PUT "%s" => ais://%s/dir/obj.txt\n\n' % (src, bucket)
    _, out, _ = ais(cluster, "put", str(src), "ais://" + bucket)  # named after the file
    assert out == 'PUT "%s" => ais://%s/hello.txt\n\n' % (src, bucket)
    # stdin
    _, out, _ = ais(cluster, "put", "-", "ais://%s/from-stdin" % bucket, input=b"x" * 100000)
    assert out == "PUT (standard input) => ais://%s/from-stdin\n\n" % bucket
    assert requests.get(cluster.obj_url(bucket, "from-stdin")).content == b"x" * 100000
    # get to a file, to a directory, to stdout, and a range
    dst = tmp_path / "out.txt"
    _, out, _ = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, str(dst))
    assert out == "GET dir/obj.txt from ais://%s as %s (11B)\n" % (bucket, dst)
    assert dst.read_bytes() == b"0123456789\n"
    d = tmp_path / "d"
    d.mkdir()
    _, out, _ = ais(cluster, "object", "get", "ais://%s/dir/obj.txt" % bucket, str(d))
    assert (d / "obj.txt").read_bytes() == b"0123456789\n"
    _, out, _ = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, "-")
    assert out == "0123456789\n"
    _, out, _ = ais(cluster, "object", "cat", "ais://%s/hello.txt" % bucket)
    assert out == "0123456789\n"
    _, out, _ = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, "-", "--offset", "2", "--length", "3")
    assert out == "234"
    _, out, _ = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, str(dst), "--offset", "1", "--length", "4",
                    "--yes")
    assert out == "Read range (length 4 at offset 1) as %s\n" % dst
    assert dst.read_bytes() == b"1234"
    _, out, _ = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, "/dev/null")
    assert out == "GET and discard dir/obj.txt from ais://%s (11B)\n" % bucket
    rc, _, err = ais(cluster, "get", "ais://%s/dir/obj.txt" % bucket, "-", "--offset", "2", check=False)
    assert rc == 1 and "must be both present" in err
    # errors
    rc, out, err = ais(cluster, "get", "ais://%s/nope" % bucket, str(tmp_path / "nope"), check=False)
    assert rc == 1 and err == 'Error: object "ais://%s/nope" does not exist\n' % bucket
    assert not (tmp_path / "nope").exists()
    rc, _, err = ais(cluster, "get", "ais://no-such-bucket-cli/o", "-", check=False)
    assert rc == 1 and err == 'Error: bucket "ais://no-such-bucket-cli" does not exist\n'
    # show
    _, out, _ = ais(cluster, "object", "show", "ais://%s/dir/obj.txt" % bucket)
    r = {x[0]: " ".join(x[1:]) for x in rows(out)}
    assert r["PROPERTY"] == "VALUE"
    assert sorted(r) == ["PROPERTY", "atime", "checksum", "name", "size"]
    assert r["name"] == "ais://%s/dir/obj.txt" % bucket and r["size"] == "11B"
    assert r["checksum"] == "xxhash2[05967d5390ac53b0]"
    _, out, _ = ais(cluster, "show", "object", "ais://%s/dir/obj.txt" % bucket, "--props", "all")
    r = {x[0]: " ".join(x[1:]) for x in rows(out)}
    for k in ("atime", "checksum", "chunked", "copies", "custom", "ec", "location", "name", "size", "version"):
        assert k in r, (k, out)
    assert r["location"].startswith("t[") and r["copies"] == "1" and r["version"] == "1"
    _, out, _ = ais(cluster, "object", "show", "ais://%s/dir/obj.txt" % bucket, "--props", "size,version",
                    "--json")
    assert json.loads(out) == {"size": 11, "version": "1"}
    rc, _, err = ais(cluster, "object", "show", "ais://%s/nope" % bucket, check=False)
    assert rc == 1 and err == 'Error: object "nope" not found in ais://%s\n' % bucket
    rc, _, err = ais(cluster, "object", "show", "ais://%s/o" % bucket, "--props", "bogus", check=False)
    assert rc == 1 and 'invalid property "bogus"' in err
    # mv, cp
    _, out, _ = ais(cluster, "object", "mv", "ais://%s/hello.txt" % bucket, "renamed.txt")
    assert out == '"hello.txt" moved to "renamed.txt"\n'
    assert requests.get(cluster.obj_url(bucket, "renamed.txt")).content == b"0123456789\n"
    assert requests.head(cluster.obj_url(bucket, "hello.txt"), allow_redirects=True).status_code == 404
    _, out, _ = ais(cluster, "object", "cp", "ais://%s/renamed.txt" % bucket, "ais://%s/copy.txt" % bucket)
    assert out == "COPY ais://%s/renamed.txt => ais://%s/copy.txt\n" % (bucket, bucket)
    assert requests.get(cluster.obj_url(bucket, "copy.txt")).content == b"0123456789\n"
    b2 = new_bucket_name("cli")
    cluster.create_bucket(b2)
    try:
        _, out, _ = ais(cluster, "object", "cp", "ais://%s/renamed.txt" % bucket, "ais://" + b2)
        assert out == "COPY ais://%s/renamed.txt => ais://%s/renamed.txt\n" % (bucket, b2)
        assert requests.get(cluster.obj_url(b2, "renamed.txt")).content == b"0123456789\n"
    finally:
        cluster.destroy_bucket(b2)
    # rm
    _, out, _ = ais(cluster, "object", "rm", "ais://%s/copy.txt" % bucket)
    assert out == 'deleted "copy.txt" from ais://%s\n' % bucket
    _, out, _ = ais(cluster, "rmo", "ais://%s/renamed.txt" % bucket, "ais://%s/from-stdin" % bucket)
    assert out.count("deleted") == 2
    rc, _, err = ais(cluster, "rmo", "ais://%s/renamed.txt" % bucket, check=False)
    assert rc == 1 and "does not exist" in err


def test_put_dir_ls(cluster, bucket, tmp_path):
    top = tmp_path / "src"
    (top / "sub" / "deeper").mkdir(parents=True)
    for i in range(12):
        (top / ("f%02d.txt" % i)).write_bytes(b"x" * (i + 1))
    (top / "sub" / "a.bin").write_bytes(b"a" * 1024)
    (top / "sub" / "deeper" / "noext").write_bytes(b"b")
    _, out, _ = ais(cluster, "put", str(top), "ais://%s/pre/" % bucket, "--recursive")
    assert "\x1b" not in out  # no progress bar when stdout is not a terminal
    r = rows(out)
    assert r[0] == ["Files", "to", "upload:"] and r[1] == ["EXTENSION", "COUNT", "SIZE"]
    by_ext = {x[0]: x[1:] for x in r[2:5]}
    assert by_ext[".bin"] == ["1", "1.00KiB"] and by_ext[".txt"] == ["12", "78B"]
    assert ["TOTAL", "14", "1.08KiB"] in r
    assert out.endswith("\nPUT 14 files (one directory, recursively) => ais://%s/pre/\n" % bucket), out
    # non-recursive: top-level files only
    _, out, _ = ais(cluster, "put", str(top), "ais://%s/flat" % bucket)
    assert out.endswith("PUT 12 files (one directory, non-recursive) => ais://%s/flat\n" % bucket), out
    _, out, _ = ais(cluster, "ls", "ais://" + bucket)
    r = rows(out)
    assert r[0] == ["NAME", "SIZE"]
    names = [x[0] for x in r[1:-1]]
    assert "pre/sub/deeper/noext" in names and "pre/sub/a.bin" in names and "flatf00.txt" in names
    assert r[-1] == ["Listed", "26", "names"]
    _, out, _ = ais(cluster, "ls", "ais://%s/pre/sub/" % bucket, "--props", "name,size,version,checksum")
    r = rows(out)
    assert r[0] == ["NAME", "SIZE", "VERSION", "CHECKSUM"]
    assert [x[0] for x in r[1:]] == ["pre/sub/a.bin", "pre/sub/deeper/noext"]
    assert r[1][1] == "1.00KiB" and r[1][2] == "1"
    _, out, _ = ais(cluster, "ls", "ais://" + bucket, "--prefix", "pre/f0", "--json")
    ents = json.loads(out)
    assert [e["name"] for e in ents] == ["pre/f%02d.txt" % i for i in range(10)]
    assert ents[0]["size"] == "1"
    _, out, _ = ais(cluster, "ls", "ais://" + bucket, "--prefix", "pre/f", "--paged", "--page-size", "5",
                    "--limit", "12", "-H")
    assert [x[0] for x in rows(out)] == ["pre/f%02d.txt" % i for i in range(12)]
    _, out, _ = ais(cluster, "ls", "ais://" + bucket, "--props", "all", "--prefix", "pre/sub/a")
    r = rows(out)
    assert r[0] == ["NAME", "SIZE", "CHECKSUM", "ATIME", "VERSION", "COPIES", "CUSTOM", "LOCATION", "CHUNKED",
                    "STATUS"]
    assert r[1][-1] == "ok"
    _, out, _ = ais(cluster, "ls", "ais://" + bucket, "--limit", "3", "-H")
    assert len(rows(out)) == 3
    rc, _, err = ais(cluster, "ls", "ais://" + bucket, "--prefix", "zzz", check=False)
    assert rc == 1 and "ais://%s/zzz not found" % bucket in err
    rc, _, err = ais(cluster, "ls", "ais://" + bucket, "--props", "bogus", check=False)
    assert rc == 1 and 'unknown object property "bogus"' in err
    b2 = new_bucket_name("cli")
    cluster.create_bucket(b2)
    try:
        _, out, _ = ais(cluster, "ls", "ais://" + b2)
        assert out == "No objects in ais://%s\n" % b2
    finally:
        cluster.destroy_bucket(b2)


# ---------------------------------------------------------------- cluster

def smap_of(cluster):
    return requests.get(cluster.url + "/v1/cluster?what=smap").json()


def test_show_cluster(cluster):
    smap = smap_of(cluster)
    pid = smap["proxy_si"]["daemon_id"]
    _, out, _ = ais(cluster, "show", "cluster")
    lines = out.splitlines()
    hdr_p = lines[0].split("\t")
    hdr_p = [h.strip() for h in hdr_p if h.strip()]
    assert hdr_p[:3] == ["PROXY", "MEM USED(%)", "MEM AVAIL"] and "UPTIME" in hdr_p, hdr_p
    assert lines[1].startswith("p[%s][P]" % pid), lines[1]
    ti = [i for i, ln in enumerate(lines) if ln.startswith("TARGET")][0]
    hdr_t = [h.strip() for h in lines[ti].split("\t") if h.strip()]
    assert hdr_t[:5] == ["TARGET", "MEM USED(%)", "MEM AVAIL", "CAP USED(%)", "CAP AVAIL"], hdr_t
    tids = sorted(smap["tmap"])
    assert [ln.split()[0] for ln in lines[ti + 1:ti + 1 + len(tids)]] == ["t[%s]" % t for t in tids]
    for ln in lines[ti + 1:ti + 1 + len(tids)]:
        cells = [c.strip() for c in ln.split("\t") if c.strip()]
        assert cells[1].endswith("%") and cells[2].endswith("iB") and cells[3].endswith("%"), cells
    summary = "\n".join(lines[ti + 1 + len(tids):])
    for key in ("Cluster:", "CLI Endpoint:", "Proxies:", "Targets:", "Capacity:", "Cluster Map:", "Software:",
                "Deployment:", "Status:", "Rebalance:", "Authentication:", "Version:", "Build:"):
        assert key in summary, (key, summary)
    assert "CLI Endpoint:\t" + cluster.url in summary
    assert "%d online" % len(cluster.nodes) in summary
    assert "primary p[%s]" % pid in summary
    # one node type, one node, JSON
    _, out, _ = ais(cluster, "show", "cluster", "target")
    assert rows(out)[0][0] == "TARGET" and len(rows(out)) == 1 + len(tids)
    _, out, _ = ais(cluster, "show", "cluster", tids[0])
    assert rows(out)[1][0] == "t[%s]" % tids[0] and len(rows(out)) == 2
    _, out, _ = ais(cluster, "cluster", "show", "t[%s]" % tids[0], "--json")
    assert json.loads(out)["snode"]["daemon_id"] == tids[0]
    _, out, _ = ais(cluster, "show", "cluster", "--json")
    j = json.loads(out)
    assert set(j["Stst"]["Tmap"]) == set(tids) and set(j["Stst"]["Pmap"]) == set(smap["pmap"])
    assert j["Smap"]["uuid"] == smap["uuid"] and j["Endpoint"] == cluster.url
    rc, _, err = ais(cluster, "show", "cluster", "FOO", check=False)
    assert rc == 1 and "expecting a valid NODE_ID or node type" in err


def test_show_smap_bmd(cluster, bucket):
    smap = smap_of(cluster)
    pid = smap["proxy_si"]["daemon_id"]
    _, out, _ = ais(cluster, "show", "cluster", "smap")
    r = rows(out)
    assert r[0] == ["NODE", "TYPE", "PUBLIC", "URL"]
    assert r[1] == ["p[%s][P]" % pid, "proxy", cluster.url]
    tl = [x for x in r if len(x) == 3 and x[1] == "target"]
    assert sorted(x[0] for x in tl) == sorted("t[%s]" % t for t in smap["tmap"])
    assert "Primary Proxy:\t%s" % pid in out
    assert 'Summary:\tproxies(%d), targets(%d), cluster map(v%s), cluster ID("%s")' % (
        len(smap["pmap"]), len(smap["tmap"]), smap["version"], smap["uuid"]) in out, out
    _, out, _ = ais(cluster, "show", "cluster", "smap", "--json")
    assert json.loads(out)["uuid"] == smap["uuid"]
    tid = sorted(smap["tmap"])[0]
    _, out, _ = ais(cluster, "show", "cluster", "smap", tid, "--extended")
    assert out.startswith("Cluster map from: t[%s]\n" % tid)
    assert "INTRA CONTROL URL" in out
    _, out, _ = ais(cluster, "show", "cluster", "bmd")
    r = rows(out)
    assert r[0] == ["PROVIDER", "NAMESPACE", "NAME", "BACKEND", "COPIES", "EC", "CREATED"]
    assert any(x[:2] == ["ais", bucket] for x in r), out
    assert "\nVersion:\t" in out and "\nUUID:\t\t" in out
    _, out, _ = ais(cluster, "show", "cluster", "bmd", "--json")
    assert bucket in json.loads(out)["providers"]["ais"]["@#"]


@pytest.fixture(scope="module")
def idle_cluster():
    """a cluster no other test has run a job on (the session cluster has seen many)"""
    c = Cluster(nproxies=1, ntargets=3, nmountpaths=2, keepalive="1s")
    c.start()
    yield c
    c.cleanup()


def test_show_job(idle_cluster):
    cluster = idle_cluster
    _, out, _ = ais(cluster, "show", "job")
    assert out == ("No running jobs. Use '--all' to show all, '--all' <TAB-TAB> to select, "
                   "'--help' for details.\n")
    _, out, _ = ais(cluster, "job", "show", "--json")
    assert json.loads(out) == {}
    _, out, _ = ais(cluster, "show", "job", "rebalance")
    assert out.startswith("No running 'rebalance' jobs.")
    _, out, _ = ais(cluster, "show", "job", "--all")
    assert out == ""


def test_show_performance(cluster, bucket):
    for i in range(6):
        requests.put(cluster.obj_url(bucket, "p%d" % i), data=b"y" * 4096)
        requests.get(cluster.obj_url(bucket, "p%d" % i))
    _, out, err = ais(cluster, "show", "performance", "counters")
    r = rows(out)
    assert r[0][0] == "TARGET" and "GET(n)" in r[0] and "PUT(n)" in r[0] and "PUT(size)" in r[0], out
    tids = sorted(smap_of(cluster)["tmap"])
    assert [x[0] for x in r[1:]] == ["t[%s]" % t for t in tids]
    gi = r[0].index("GET(n)")
    assert sum(int(x[gi]) for x in r[1:]) >= 6
    _, out, _ = ais(cluster, "performance", "counters", tids[0], "--regex", "put")
    r = rows(out)
    assert len(r) == 2 and all("PUT" in h for h in r[0][1:]), out
    _, out, _ = ais(cluster, "show", "performance", "throughput", "--refresh", "1s", "--count", "1")
    assert rows(out)[0][0] == "TARGET"
    _, out, _ = ais(cluster, "show", "performance", "latency", "--refresh", "1", "--count", "1")
    assert rows(out)[0][0] == "TARGET"
    _, out, _ = ais(cluster, "show", "performance", "--refresh", "1s", timeout=60)
    for tab in ("counters ", "throughput ", "latency "):
        assert any(ln.startswith(tab + "-") for ln in out.splitlines()), out
    rc, _, err = ais(cluster, "show", "performance", "--refresh", "100ms", check=False)
    assert rc == 1 and "expecting [1s - 1m]" in err


# ---------------------------------------------------------------- config

def test_config_cluster_and_node(cluster):
    _, out, _ = ais(cluster, "config", "cluster", "checksum")
    r = {x[0]: x[1:] for x in rows(out)}
    assert r["PROPERTY"] == ["VALUE"] and r["checksum.type"] == ["xxhash2"]
    _, out, _ = ais(cluster, "config", "cluster", "checksum", "--json")
    assert json.loads(out)["checksum"]["type"] == "xxhash2"
    _, out, _ = ais(cluster, "show", "config", "cluster", "--json")
    full = json.loads(out)
    assert "checksum" in full and "log" in full
    old = full["log"]["level"]
    try:
        _, out, _ = ais(cluster, "config", "cluster", "log.level=4")
        assert "log.level" in out and out.endswith("\nCluster config updated\n"), out
        cfg = requests.get(cluster.url + "/v1/cluster?what=config").json()
        assert str(cfg["log"]["level"]) == "4"
        _, out, _ = ais(cluster, "config", "cluster", "set", "log.level", str(old))
        assert out.endswith("\nCluster config updated\n")
    finally:
        requests.put(cluster.url + "/v1/cluster/set-config?log.level=%s" % old)
    rc, _, err = ais(cluster, "config", "cluster", "nope.nope=1", check=False)
    assert rc == 1 and 'invalid property name "nope.nope"' in err
    tid = sorted(smap_of(cluster)["tmap"])[0]
    _, out, _ = ais(cluster, "config", "node", tid, "log.level=4")
    assert json.loads(out.split("\n\n")[0]) == {"log.level": "4"}
    assert out.endswith("\nnode t[%s] config updated\n" % tid)
    _, out, _ = ais(cluster, "config", "node", tid, "inherited", "log")
    assert ["log.level", "4"] in rows(out)
    _, out, _ = ais(cluster, "config", "node", tid, "local", "--json")
    assert "host_net" in json.loads(out)
    ais(cluster, "config", "node", tid, "log.level=%s" % old)


# ---------------------------------------------------------------- membership

def test_maintenance_and_decommission(cluster, bucket):
    smap = smap_of(cluster)
    pid = smap["proxy_si"]["daemon_id"]
    tid = sorted(smap["tmap"])[0]
    node = [t for t in cluster.targets if cluster.node_id(t) == tid][0]
    rc, _, err = ais(cluster, "cluster", "add-remove-nodes", "start-maintenance", pid, "-y", check=False)
    assert rc == 1 and "is primary (cannot start-maintenance the primary node)" in err
    _, out, _ = ais(cluster, "cluster", "add-remove-nodes", "start-maintenance", tid, "-y")
    # a rebalance drains it (the cluster has a bucket): its ID first, as AIStore's CLI
    assert re.match(r"Started rebalance \"g\d+\" \(to monitor, run 'ais show rebalance'\)\.\nt\[%s\] is now in "
                    r"maintenance mode\n$" % tid, out), out
    try:
        assert smap_of(cluster)["tmap"][tid]["flags"] & 4
        _, out, _ = ais(cluster, "show", "cluster", "target")
        line = [ln for ln in out.splitlines() if ln.startswith("t[%s]" % tid)][0]
        assert line.startswith("t[%s][x]" % tid) and "maintenance" in line, out
        # placement skips the node: new objects land elsewhere
        for i in range(8):
            requests.put(cluster.obj_url(bucket, "m%d" % i), data=b"z")
        for i in range(8):
            assert all(t is not node for t, _, _ in cluster.object_files(bucket, "m%d" % i))
        rc, _, err = ais(cluster, "cluster", "add-remove-nodes", "start-maintenance", tid, "-y", check=False)
        assert rc == 1 and "already in maintenance" in err
    finally:
        _, out, _ = ais(cluster, "cluster", "add-remove-nodes", "stop-maintenance", tid, "-y")
    assert re.match(r"Started rebalance \"g\d+\" \(to monitor, run 'ais show rebalance'\)\.\nt\[%s\] is now "
                    r"active\n$" % tid, out), out
    assert not smap_of(cluster)["tmap"][tid]["flags"] & 4
    # decommission: the node leaves the map and its aisnode exits by itself
    cluster.expected_down.add(node.name)
    try:
        _, out, _ = ais(cluster, "cluster", "add-remove-nodes", "decommission", tid, "-y")
        assert out.endswith("t[%s] is being decommissioned, please wait for cluster rebalancing to finish...\n"
                            % tid), out
        # the node leaves the map once the rebalance that drains it is done
        deadline = time.time() + 30
        while tid in smap_of(cluster)["tmap"] and time.time() < deadline:
            time.sleep(0.1)
        assert tid not in smap_of(cluster)["tmap"]
        deadline = time.time() + 15
        while node.alive() and time.time() < deadline:
            time.sleep(0.1)
        assert not node.alive(), "decommissioned node did not shut down"
        time.sleep(0.5)
        assert tid not in smap_of(cluster)["tmap"]
        rc, _, err = ais(cluster, "cluster", "add-remove-nodes", "decommission", tid, "-y", check=False)
        assert rc == 1 and "does not exist" in err
    finally:
        node.stop()
        node.start()
        cluster.expected_down.discard(node.name)
        cluster.wait_ready(timeout=30)


# ---------------------------------------------------------------- jobs: space cleanup, show/stop/wait

def _plant_work(cluster, bck, n):
    """n young work files per mountpath: a cleanup with dont_cleanup_time=1h visits and keeps them"""
    for t in cluster.targets:
        for mp in t.mountpaths:
            d = os.path.join(mp, "@ais", bck, "%wk")
            os.makedirs(d, exist_ok=True)
            for i in range(n):
                with open(os.path.join(d, "planted.%d" % i), "wb") as f:
                    f.write(b"w")


def _job_status(cluster, xid):
    r = requests.get(cluster.url + "/v1/cluster", params={"what": "status"}, json={"id": xid}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_job_help(cluster):
    for path in (["job", "stop"], ["job", "wait"], ["job", "start", "cleanup"], ["storage", "cleanup"], ["stop"],
                 ["wait"], ["space-cleanup"]):
        _, out, _ = ais(cluster, *(path + ["--help"]))
        assert "NAME:" in out and "USAGE:" in out and ("ais " + " ".join(path)) in out, (path, out)
    _, out, _ = ais(cluster, "job", "--help")
    assert [r[0] for r in rows(out.split("COMMANDS:")[1].split("OPTIONS:")[0])] == ["start", "stop", "wait", "show"]


def test_space_cleanup_and_show_job(cluster):
    _, out, _ = ais(cluster, "space-cleanup")
    m = out.strip().split()
    assert out.startswith("Started cleanup-store[") and "To monitor the progress, run 'ais show job " in out, out
    xid = m[1][len("cleanup-store["):-2]
    assert out == "Started cleanup-store[%s]. To monitor the progress, run 'ais show job %s'\n" % (xid, xid)
    deadline = time.time() + 30
    while not _job_status(cluster, xid)["end_time"]:
        assert time.time() < deadline
        time.sleep(0.05)
    # finished: not among the running jobs, shown with --all and by ID
    _, out, _ = ais(cluster, "show", "job", "cleanup")
    assert out.startswith("No running 'cleanup' jobs. Use '--all' to show all"), out
    for args in (["show", "job", "cleanup", "--all"], ["job", "show", xid], ["show", "job", "--all"]):
        _, out, _ = ais(cluster, *args)
        lines = out.splitlines()
        i = next(k for k, ln in enumerate(lines) if ln.startswith("cleanup[%s] (ctl: " % xid))
        hdr = next(k for k in range(i, len(lines)) if lines[k].startswith("NODE"))
        assert lines[hdr].split() == ["NODE", "ID", "KIND", "OBJECTS", "BYTES", "START", "END", "STATE"], out
        body = [ln.split() for ln in lines[hdr + 1:hdr + 4]]
        assert sorted(r[0] for r in body) == sorted(cluster.target_ids_in_smap()), out
        assert all(r[1:3] == [xid, "cleanup-store"] and r[-1] == "Finished" for r in body), out
    _, out, _ = ais(cluster, "show", "job", xid, "--json")
    ms = json.loads(out)
    assert len(ms) == 3 and all(s[0]["id"] == xid and s[0]["kind"] == "cleanup-store" for s in ms.values())
    # storage cleanup --wait: returns when the job is done
    _, out, _ = ais(cluster, "storage", "cleanup", "--wait")
    lines = out.splitlines()
    assert lines[0].startswith("Started storage cleanup ") and lines[0].endswith("...") and lines[1:] == ["Done."], out
    xid2 = lines[0][len("Started storage cleanup "):-3]
    assert _job_status(cluster, xid2)["end_time"] > 0
    # job wait on a finished job; stop on a finished one
    _, out, _ = ais(cluster, "job", "wait", xid)
    assert out == "Waiting for cleanup[%s] ...\nDone.\n" % xid
    _, out, _ = ais(cluster, "wait", "cleanup", xid2)
    assert out == "Waiting for cleanup[%s] ...\nDone.\n" % xid2
    _, out, _ = ais(cluster, "job", "stop", xid)
    assert out == "[%s] already finished, nothing to do\n" % xid
    _, out, _ = ais(cluster, "stop", "cleanup")
    assert out == "No running 'cleanup' jobs, nothing to do\n"


def test_job_stop_running(idle_cluster):
    cluster = idle_cluster  # (the session cluster may have other jobs running, e.g. an idling get-batch)
    bucket = new_bucket_name("e2e")
    cluster.create_bucket(bucket)
    _plant_work(cluster, bucket, 100)
    r = requests.put(cluster.url + "/v1/cluster", params={"dont_cleanup_time": "1h", "throttle": "50ms"},
                     json={"action": "start", "value": {"kind": "cleanup-store"}}, timeout=10)
    assert r.status_code == 200, r.text
    xid = r.text
    for args in (["show", "job"], ["show", "job", "--all"], ["show", "job", "cleanup"]):
        _, out, _ = ais(cluster, *args)
        assert "cleanup[%s]" % xid in out and out.count(" Running") == 3, (args, out)
    _, out, _ = ais(cluster, "job", "stop", xid)
    assert out == "Stopped [%s]\n\n" % xid
    deadline = time.time() + 10
    while True:
        _, out, _ = ais(cluster, "show", "job", xid)
        if out.count("Aborted by user") == 3 or time.time() > deadline:
            break
        time.sleep(0.1)
    assert out.count("Aborted by user") == 3, out
    assert _job_status(cluster, xid)["aborted"] is True
    _, out, _ = ais(cluster, "job", "stop", xid)
    assert out == "[%s] is aborted, nothing to do\n" % xid
    # stop by name, with the confirmation skipped
    r = requests.put(cluster.url + "/v1/cluster", params={"dont_cleanup_time": "1h", "throttle": "50ms"},
                     json={"action": "start", "value": {"kind": "cleanup-store"}}, timeout=10)
    xid2 = r.text
    _, out, _ = ais(cluster, "stop", "cleanup", "--yes")
    assert out == "Stopped cleanup-store[%s]\n" % xid2, out
    deadline = time.time() + 10
    while not _job_status(cluster, xid2)["aborted"]:
        assert time.time() < deadline
        time.sleep(0.05)


def test_job_errors(cluster):
    rc, out, err = ais(cluster, "job", "stop", "NoSuchJob12", check=False)
    assert rc == 1 and err == 'Error: cannot stop [NoSuchJob12]: "x-[NoSuchJob12]" not found\n', (out, err)
    rc, out, err = ais(cluster, "show", "job", "NoSuchJob12", check=False)
    assert rc == 1 and "not found" in err
    rc, out, err = ais(cluster, "job", "stop", check=False)
    assert rc == 2 and "missing arguments" in err
    rc, out, err = ais(cluster, "space-cleanup", "--rm-zero-size", check=False)
    assert rc == 1 and "not supported" in err, err
    rc, out, err = ais(cluster, "storage", "cleanup", "ais://no-such-bucket", check=False)
    assert rc == 1 and err == 'Error: bucket "ais://no-such-bucket" does not exist\n', err
