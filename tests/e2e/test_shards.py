"""e2e: shards (AIStore 4.7's docs/archive.md, api/apc/query.go, lsmsg.go, multiobj.go):
- GET ?archpath= byte-exact from every format (USTAR, PAX and GNU long names, TGZ and .tar.gz,
  TAR.LZ4, ZIP stored and deflated, a shard without extension through ?archmime=), 404 absent
- ?archregx= in every ?archmode=, a TAR of the matches
- list-objects with LsArchDir over several pages: shards then their files, flags and sizes
- PUT ?archpath= with Ais-Pine (append, append-or-create, new): TAR in place, TGZ rewritten
- the archive job over objects stored on all three targets (list, template, prefix)
- bad input: corrupt, truncated, empty shards, bad archmime/archmode/archpath: 4xx, node alive
"""
import io
import json
import os
import tarfile
import time

import pytest
import requests

from cluster import hrw_pick, uname
from shardutil import LONG, lz4_compress, put, read_archive, shard_bytes, tar_bytes, zip_bytes

FILES = [("a.txt", b"hello"), ("dir/b.bin", os.urandom(70000)), (LONG, b"long name"), ("empty", b"")]


def get(cluster, bck, name, **params):
    return requests.get(cluster.obj_url(bck, name), params=params, timeout=30)


def wait_job(cluster, xid, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = requests.get(cluster.url + "/v1/cluster?what=status", json={"id": xid}, timeout=10)
        if r.status_code == 200 and r.json().get("end_time"):
            return r.json()
        time.sleep(0.1)
    raise AssertionError("job %s did not finish" % xid)


def test_archpath_every_format(cluster, bucket):
    shards = {
        "ustar.tar": tar_bytes([("a.txt", b"hello"), ("x/y.z", b"yz")], fmt=tarfile.USTAR_FORMAT),
        "pax.tar": tar_bytes(FILES, fmt=tarfile.PAX_FORMAT),
        "gnu.tar": tar_bytes(FILES, fmt=tarfile.GNU_FORMAT),
        "s.tgz": shard_bytes(".tgz", FILES),
        "s.tar.gz": shard_bytes(".tar.gz", FILES),
        "s.tar.lz4": lz4_compress(tar_bytes(FILES)),
        "s.zip": zip_bytes(FILES),
    }
    for name, data in shards.items():
        put(cluster, bucket, name, data)
    for name in shards:
        files = [("a.txt", b"hello"), ("x/y.z", b"yz")] if name == "ustar.tar" else FILES
        for fn, data in files:
            r = get(cluster, bucket, name, archpath=fn)
            assert r.status_code == 200, (name, fn, r.status_code, r.text)
            assert r.content == data, (name, fn)
            assert int(r.headers["Content-Length"]) == len(data)
        r = get(cluster, bucket, name, archpath="nope.txt")
        assert r.status_code == 404, (name, r.status_code)
        assert "nope.txt" in r.json()["message"]
    # a leading '/' and "<shard>/<file>" both name the file
    assert get(cluster, bucket, "pax.tar", archpath="/a.txt").content == b"hello"
    assert get(cluster, bucket, "pax.tar", archpath="pax.tar/a.txt").content == b"hello"
    # no extension: the format from archmime (or the magic)
    put(cluster, bucket, "noext-shard", shards["s.zip"])
    r = get(cluster, bucket, "noext-shard", archpath="dir/b.bin", archmime="application/zip")
    assert r.status_code == 200 and r.content == FILES[1][1]
    put(cluster, bucket, "noext-tar", shards["pax.tar"])
    assert get(cluster, bucket, "noext-tar", archpath="a.txt").content == b"hello"  # by magic


def test_archregx_modes(cluster, bucket):
    files = [("s/aaa.jpg", b"1"), ("s/aaa.json", b"22"), ("s/bbb.jpg", b"333"), ("s/aaab.cls", b"4"),
             ("t/ccc.txt", b"55555")]
    for ext in (".tar", ".zip", ".tar.lz4"):
        put(cluster, bucket, "w" + ext, shard_bytes(ext, files))
        cases = {("prefix", "s/a"): ["s/aaa.jpg", "s/aaa.json", "s/aaab.cls"],
                 ("suffix", ".jpg"): ["s/aaa.jpg", "s/bbb.jpg"],
                 ("substr", "aa"): ["s/aaa.jpg", "s/aaa.json", "s/aaab.cls"],
                 ("wdskey", "s/aaa"): ["s/aaa.jpg", "s/aaa.json"],
                 ("regexp", "^[st]/[bc]+\\."): ["s/bbb.jpg", "t/ccc.txt"],
                 ("prefix", ""): [f for f, _ in files]}
        for (mode, pat), want in cases.items():
            r = get(cluster, bucket, "w" + ext, archregx=pat, archmode=mode)
            assert r.status_code == 200, (ext, mode, pat, r.text)
            assert r.headers["Content-Type"] == "application/x-tar"
            got = read_archive(r.content, ".tar")
            assert [n for n, _ in got] == want, (ext, mode, got)
            assert all(dict(files)[n] == d for n, d in got)
        r = get(cluster, bucket, "w" + ext, archregx="zzz", archmode="prefix")
        assert r.status_code == 404, r.text
    assert get(cluster, bucket, "w.tar", archregx="a", archmode="glob").status_code == 400
    assert get(cluster, bucket, "w.tar", archregx="a(", archmode="regexp").status_code == 400
    r = get(cluster, bucket, "w.tar", archpath="s/aaa.jpg", archmode="prefix")
    assert r.status_code == 400 and "mutually exclusive" in r.json()["message"]


def test_bad_shards_and_params(cluster, bucket):
    good = tar_bytes(FILES)
    put(cluster, bucket, "junk.tar", os.urandom(5000))
    put(cluster, bucket, "junk.zip", b"PK" + os.urandom(3000))
    put(cluster, bucket, "junk.tgz", b"\x1f\x8b" + os.urandom(3000))
    put(cluster, bucket, "empty.tar", b"")
    put(cluster, bucket, "trunc.tar", good[:1200])  # cut inside dir/b.bin's data
    put(cluster, bucket, "plain.tar", good)
    put(cluster, bucket, "notarch", b"just bytes, no archive at all")
    for name in ("junk.tar", "junk.zip", "junk.tgz"):
        r = get(cluster, bucket, name, archpath="a.txt")
        assert r.status_code == 400, (name, r.status_code, r.text)
    assert get(cluster, bucket, "empty.tar", archpath="a.txt").status_code == 404
    assert get(cluster, bucket, "trunc.tar", archpath="a.txt").content == b"hello"
    r = get(cluster, bucket, "trunc.tar", archpath="dir/b.bin")
    assert r.status_code == 400 and "truncated" in r.text.lower(), r.text
    # a TAR of matches that meets the truncation after its first file is cut, never short but whole
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(cluster, bucket, "trunc.tar", archregx="", archmode="prefix")
    assert get(cluster, bucket, "notarch", archpath="a").status_code == 400
    assert get(cluster, bucket, "plain.tar", archpath="a.txt", archmime="rar").status_code == 400
    assert get(cluster, bucket, "plain.tar", archpath="../etc/passwd").status_code == 400
    assert get(cluster, bucket, "plain.tar", archpath="a/~/b").status_code == 400
    assert get(cluster, bucket, "plain.tar", archpath="dir/").status_code == 400
    r = requests.get(cluster.obj_url(bucket, "plain.tar"), params={"archpath": "a.txt"},
                     headers={"Range": "bytes=0-1"}, timeout=10)
    assert r.status_code == 400
    # a tgz read as what its name says is refused; the right archmime reads it
    put(cluster, bucket, "mislabeled.tar", shard_bytes(".tgz", FILES))
    assert get(cluster, bucket, "mislabeled.tar", archpath="a.txt").status_code == 400
    assert get(cluster, bucket, "mislabeled.tar", archpath="a.txt", archmime="tgz").content == b"hello"
    assert requests.get(cluster.url + "/v1/health", timeout=5).status_code == 200


def test_list_archive_pages(cluster, bucket):
    shard_files = {"s1.tar": [("f%02d" % i, b"x" * i) for i in range(12)],
                   "s2.zip": [("z/f%02d" % i, b"y" * (i + 1)) for i in range(9)],
                   "s3.tar.lz4": [("./l%d" % i, b"z" * 3) for i in range(5)]}
    for name, files in shard_files.items():
        put(cluster, bucket, name, shard_bytes(os.path.splitext(name)[1] if name != "s3.tar.lz4" else ".tar.lz4",
                                               files))
    for i in range(6):
        put(cluster, bucket, "plain-%d" % i, b"p")
    want = {}
    for name, files in shard_files.items():
        want[name] = None
        for f, d in files:
            want[name + "/" + f.lstrip("./")] = len(d)
    for i in range(6):
        want["plain-%d" % i] = None
    entries, pages = cluster.list_objects(bucket, pagesize=7, flags=8)
    assert len(pages) > 3
    names = [e["name"] for e in entries]
    assert names == sorted(want), names
    for e in entries:
        f = e.get("flags", 0)
        if e["name"] in shard_files:
            assert f & 512, e  # EntryIsArchive
        elif "/" in e["name"]:
            assert f & 128 and not f & 512, e  # EntryInArch
            assert int(e.get("size", 0)) == want[e["name"]], e
        assert not f & 256  # no directory entries
    # without the flag: objects only
    entries, _ = cluster.list_objects(bucket, pagesize=7)
    assert [e["name"] for e in entries] == sorted(list(shard_files) + ["plain-%d" % i for i in range(6)])


def test_append_tar_and_tgz(cluster, bucket):
    base = [("a.txt", b"hello"), ("b.txt", b"world" * 300)]
    for name in ("app.tar", "app.tgz", "gnu.tar"):
        fmt = tarfile.GNU_FORMAT if name == "gnu.tar" else tarfile.PAX_FORMAT
        data = tar_bytes(base, fmt=fmt) if name.endswith(".tar") else shard_bytes(".tgz", base)
        put(cluster, bucket, name, data)
        added = []
        for i, name_in in enumerate(["new/c%d.txt" % i for i in range(3)] + [LONG]):
            payload = ("appended-%d" % i).encode() * (i * 100 + 1)
            r = requests.put(cluster.obj_url(bucket, name), params={"archpath": name_in}, data=payload,
                             headers={"Ais-Pine": "1"}, timeout=30)
            assert r.status_code == 200, (name, r.text)
            added.append((name_in, payload))
        got = read_archive(get(cluster, bucket, name).content, ".tgz" if name.endswith(".tgz") else ".tar")
        assert got == base + added, (name, [n for n, _ in got])
        for n, d in base + added:
            assert get(cluster, bucket, name, archpath=n).content == d
    # Ais-Pine 1 without the shard: 404; 2 creates; none makes a new one-file shard
    r = requests.put(cluster.obj_url(bucket, "none.tar"), params={"archpath": "x"}, data=b"x",
                     headers={"Ais-Pine": "1"}, timeout=10)
    assert r.status_code == 404, r.text
    assert get(cluster, bucket, "none.tar").status_code == 404
    r = requests.put(cluster.obj_url(bucket, "new.zip"), params={"archpath": "x"}, data=b"x1",
                     headers={"Ais-Pine": "2"}, timeout=10)
    assert r.status_code == 200
    r = requests.put(cluster.obj_url(bucket, "new.zip"), params={"archpath": "y"}, data=b"y2",
                     headers={"Ais-Pine": "2"}, timeout=10)
    assert read_archive(get(cluster, bucket, "new.zip").content, ".zip") == [("x", b"x1"), ("y", b"y2")]
    r = requests.put(cluster.obj_url(bucket, "app.tar"), params={"archpath": "only"}, data=b"one", timeout=10)
    assert r.status_code == 200
    assert read_archive(get(cluster, bucket, "app.tar").content, ".tar") == [("only", b"one")]
    # bad input changes nothing
    assert requests.put(cluster.obj_url(bucket, "app.tar"), params={"archpath": "../x"}, data=b"x",
                        headers={"Ais-Pine": "1"}, timeout=10).status_code == 400
    assert requests.put(cluster.obj_url(bucket, "app.tar"), params={"archpath": "x"}, data=b"x",
                        headers={"Ais-Pine": "zz"}, timeout=10).status_code == 400
    assert requests.put(cluster.obj_url(bucket, "noext"), params={"archpath": "x"}, data=b"x",
                        timeout=10).status_code == 400
    put(cluster, bucket, "corrupt.tar", os.urandom(4096))
    assert requests.put(cluster.obj_url(bucket, "corrupt.tar"), params={"archpath": "x"}, data=b"x",
                        headers={"Ais-Pine": "1"}, timeout=10).status_code == 400
    assert read_archive(get(cluster, bucket, "app.tar").content, ".tar") == [("only", b"one")]


def test_archive_job_three_targets(cluster, bucket):
    smap = cluster.smap()
    tids = list(smap["tmap"].keys())
    names = ["src/obj-%03d" % i for i in range(30)]
    owners = {hrw_pick(uname(bucket, n), tids) for n in names}
    assert len(owners) == 3, "sources should live on all three targets"
    data = {}
    for n in names:
        data[n] = os.urandom(1000 + len(n))
        put(cluster, bucket, n, data[n])

    def archive(value):
        r = requests.put(cluster.url + "/v1/buckets/" + bucket, json={"action": "archive", "value": value}, timeout=30)
        assert r.status_code == 200, r.text
        return wait_job(cluster, r.text)

    st = archive({"archname": "out/list.tar", "objnames": names[::-1]})
    assert not st["aborted"] and not st["err"], st
    assert read_archive(get(cluster, bucket, "out/list.tar").content, ".tar") == [(n, data[n]) for n in names[::-1]]
    st = archive({"archname": "out/tmpl.tgz", "template": "src/obj-{000..029..2}", "bnonly": True})
    assert not st["err"], st
    assert read_archive(get(cluster, bucket, "out/tmpl.tgz").content, ".tgz") == \
        [(n.split("/")[1], data[n]) for n in names[::2]]
    st = archive({"archname": "out/prefix.zip", "template": "src/", "isbn": True})
    assert not st["err"], st
    assert read_archive(get(cluster, bucket, "out/prefix.zip").content, ".zip") == \
        [(bucket + "/" + n, data[n]) for n in names]
    # append if exists
    st = archive({"archname": "out/list.tar", "objnames": names[:2], "aate": True})
    assert [n for n, _ in read_archive(get(cluster, bucket, "out/list.tar").content, ".tar")] == names[::-1] + names[:2]
    # a missing listed object fails the job and nothing appears; with coer it is skipped
    st = archive({"archname": "out/missing.tar", "objnames": [names[0], "no-such"]})
    assert st["aborted"] or st["err"], st
    assert get(cluster, bucket, "out/missing.tar").status_code == 404
    st = archive({"archname": "out/coer.tar", "objnames": [names[0], "no-such"], "coer": True})
    assert [n for n, _ in read_archive(get(cluster, bucket, "out/coer.tar").content, ".tar")] == [names[0]]
    # bad input
    for bad in ({"archname": "x.rar", "objnames": names[:1]}, {"archname": "x.tar", "mime": "zip"},
                {"archname": "x.tar", "bogus": 1}):
        r = requests.put(cluster.url + "/v1/buckets/" + bucket, json={"action": "archive", "value": bad}, timeout=10)
        assert r.status_code == 400, (bad, r.text)
