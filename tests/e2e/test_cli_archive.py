"""e2e: the CLI's shard commands (AIStore 4.7's docs/cli/archive.md, docs/cli/ml.md) against the
session cluster, results checked through the REST API and with Python's tarfile:
- ais archive put (file with --archpath, directory with -r, --append in place), ls, get
- ais archive bucket (a template over objects of all targets, into a .tgz), ais ls --archive
- ais archive gen-shards (count, file count and size), ais bucket shard-index build|summary
- ais ml get-batch (list, an archived file, --omit-src-bck, --cont-on-err, streaming, --spec with
  the bucket as default), errors
"""
import io
import json
import os
import subprocess
import tarfile

import pytest
import requests

from cluster import ROOT

AIS = os.environ.get("AIS_CLI", os.path.join(ROOT, "build", "ais"))


def ais(cluster, *args, check=True, cwd=None, input=None):
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = cluster.url
    p = subprocess.run([AIS] + list(args), capture_output=True, env=e, timeout=60, cwd=cwd, input=input)
    out, err = p.stdout.decode(), p.stderr.decode()
    if check:
        assert p.returncode == 0, "ais %s: rc=%d\nstdout: %s\nstderr: %s" % (" ".join(args), p.returncode, out, err)
    return p.returncode, out, err


def members(data, mode="r:"):
    with tarfile.open(fileobj=io.BytesIO(data), mode=mode) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def obj(cluster, b, name, **params):
    r = requests.get(cluster.obj_url(b, name), params=params, timeout=30)
    assert r.status_code == 200, (name, r.status_code, r.text)
    return r.content


def test_archive_put_ls_get_append(cluster, bucket, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"hello")
    (src / "sub" / "b.bin").write_bytes(os.urandom(3000))
    # a directory, recursively; no append flag and no terminal: AIStore's warning, then append-or-put
    rc, out, err = ais(cluster, "archive", "put", str(src), "ais://%s/s1.tar" % bucket, "-r", input=b"")
    assert "requires either '--append' or '--append-or-put'" in err
    assert "Archived 2 files" in out, out
    got = members(obj(cluster, bucket, "s1.tar"))
    assert got == {"a.txt": b"hello", "sub/b.bin": (src / "sub" / "b.bin").read_bytes()}
    # one file under another name, appended
    (tmp_path / "c.txt").write_bytes(b"more")
    ais(cluster, "archive", "put", str(tmp_path / "c.txt"), "ais://%s/s1.tar" % bucket, "--archpath", "x/c.txt",
        "--append")
    assert members(obj(cluster, bucket, "s1.tar"))["x/c.txt"] == b"more"
    # --append to a shard that does not exist: an error, nothing created
    rc, _, err = ais(cluster, "archive", "put", str(tmp_path / "c.txt"), "ais://%s/nope.tar" % bucket,
                     "--archpath", "c.txt", "--append", check=False)
    assert rc != 0 and "does not exist" in err, err
    assert requests.head(cluster.obj_url(bucket, "nope.tar"), timeout=10, allow_redirects=True).status_code == 404
    # ls lists the shard and its files
    _, out, _ = ais(cluster, "archive", "ls", "ais://%s/s1.tar" % bucket)
    names = [ln.split()[0] for ln in out.splitlines()[1:] if ln.strip()]
    assert names == ["s1.tar", "s1.tar/a.txt", "s1.tar/sub/b.bin", "s1.tar/x/c.txt"], out
    # get one archived file (both spellings)
    ais(cluster, "archive", "get", "ais://%s/s1.tar/sub/b.bin" % bucket, str(tmp_path / "o1"))
    assert (tmp_path / "o1").read_bytes() == (src / "sub" / "b.bin").read_bytes()
    ais(cluster, "get", "ais://%s/s1.tar" % bucket, str(tmp_path / "o2"), "--archpath", "a.txt")
    assert (tmp_path / "o2").read_bytes() == b"hello"
    rc, _, err = ais(cluster, "get", "ais://%s/s1.tar" % bucket, str(tmp_path / "o3"), "--archpath", "zzz",
                     check=False)
    assert rc != 0 and "does not exist" in err and not (tmp_path / "o3").exists()


def test_archive_bucket_gen_shards_index(cluster, bucket, tmp_path):
    for i in range(12):
        requests.put(cluster.obj_url(bucket, "o%02d" % i), data=b"obj-%d" % i, timeout=10).raise_for_status()
    ais(cluster, "archive", "bucket", "ais://%s" % bucket, "ais://%s/all.tgz" % bucket, "--template",
        "o{00..11}", "--wait")
    got = members(obj(cluster, bucket, "all.tgz"), "r:gz")
    assert got == {"o%02d" % i: b"obj-%d" % i for i in range(12)}
    _, out, _ = ais(cluster, "ls", "ais://%s" % bucket, "--archive", "--prefix", "all")
    names = [ln.split()[0] for ln in out.splitlines()[1:] if ln.strip() and not ln.startswith("Listed")]
    assert names == ["all.tgz"] + ["all.tgz/o%02d" % i for i in range(12)], out
    # gen-shards: 4 TAR shards of 3 files of 2 KiB
    _, out, _ = ais(cluster, "archive", "gen-shards", "ais://%s/gen-{0..3}.tar" % bucket, "--fcount", "3",
                    "--fsize", "2KiB")
    for i in range(4):
        m = members(obj(cluster, bucket, "gen-%d.tar" % i))
        assert len(m) == 3 and all(len(v) == 2048 for v in m.values()), m.keys()
    rc, _, err = ais(cluster, "archive", "gen-shards", "ais://%s/g-{0..1}.rar" % bucket, check=False)
    assert rc != 0 and "extension" in err
    # the shard index over the TARs, then its summary
    ais(cluster, "bucket", "shard-index", "build", "ais://%s" % bucket, "--wait")
    _, out, _ = ais(cluster, "bucket", "shard-index", "summary", "ais://%s" % bucket, "--json")
    s = json.loads(out)
    assert int(s["tar-objs"]) == 4 and int(s["shards"]) == 4 and int(s["archived-objs"]) == 12, s


def test_ml_get_batch(cluster, bucket, tmp_path):
    for i in range(5):
        requests.put(cluster.obj_url(bucket, "m%d" % i), data=b"m-%d" % i, timeout=10).raise_for_status()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        ti = tarfile.TarInfo("in/f.txt")
        ti.size = 6
        t.addfile(ti, io.BytesIO(b"inside"))
    requests.put(cluster.obj_url(bucket, "sh.tar"), data=buf.getvalue(), timeout=10).raise_for_status()
    dst = tmp_path / "b.tar"
    ais(cluster, "ml", "get-batch", "ais://%s" % bucket, "--list", "m3,m0,m4", str(dst))
    with tarfile.open(dst) as t:
        assert t.getnames() == ["%s/m3" % bucket, "%s/m0" % bucket, "%s/m4" % bucket]
    # an archived file and an object, names without the bucket, streamed, as a .tgz
    dst = tmp_path / "c.tgz"
    ais(cluster, "ml", "get-batch", "ais://%s/sh.tar/in/f.txt" % bucket, "ais://%s/m1" % bucket, str(dst),
        "--omit-src-bck", "--streaming")
    assert members(dst.read_bytes(), "r:gz") == {"sh.tar/in/f.txt": b"inside", "m1": b"m-1"}
    # a missing object: an error, unless --cont-on-err (then a __404__ placeholder and a warning)
    rc, _, err = ais(cluster, "ml", "get-batch", "ais://%s" % bucket, "--list", "m0,nope", str(tmp_path / "d.tar"),
                     check=False)
    assert rc != 0 and "nope" in err, err
    _, _, err = ais(cluster, "ml", "get-batch", "ais://%s" % bucket, "--list", "m0,nope", str(tmp_path / "e.tar"),
                    "--cont-on-err")
    with tarfile.open(tmp_path / "e.tar") as t:
        assert t.getnames() == ["%s/m0" % bucket, "__404__/%s/nope" % bucket]
    # --spec: a MossReq as inline JSON
    spec = json.dumps({"in": [{"objname": "m2"}, {"objname": "m1"}], "onob": True})
    ais(cluster, "ml", "get-batch", "ais://%s" % bucket, str(tmp_path / "f.tar"), "--spec", spec)
    with tarfile.open(tmp_path / "f.tar") as t:
        assert t.getnames() == ["m2", "m1"]
    # a bare bucket is the default bucket of --spec's items; without --spec it names nothing
    rc, _, err = ais(cluster, "ml", "get-batch", "ais://%s" % bucket, str(tmp_path / "g.tar"), check=False)
    assert rc != 0 and "expecting object names" in err and not (tmp_path / "g.tar").exists(), err
