"""shardutil.py: building shards (TAR in USTAR/PAX/GNU, TGZ, TAR.LZ4 via the lz4 tool, ZIP stored
and deflated) and reading archives back, for the archive and GetBatch e2e tests."""
import io
import os
import subprocess
import tarfile
import zipfile

import requests

LONG = "d/" * 60 + "long-name-beyond-one-hundred-bytes.bin"


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT, mode="w"):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode=mode, format=fmt) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    return bio.getvalue()


def lz4_compress(data):
    return subprocess.run(["lz4", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def lz4_decompress(data):
    return subprocess.run(["lz4", "-q", "-d", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def zip_bytes(entries, deflate_every=2):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as z:
        for i, (name, data) in enumerate(entries):
            ct = zipfile.ZIP_DEFLATED if i % deflate_every else zipfile.ZIP_STORED
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=ct)
    return bio.getvalue()


def shard_bytes(ext, entries):
    """a shard of the format its extension names"""
    if ext == ".tar":
        return tar_bytes(entries)
    if ext in (".tgz", ".tar.gz"):
        return tar_bytes(entries, mode="w:gz")
    if ext == ".tar.lz4":
        return lz4_compress(tar_bytes(entries))
    if ext == ".zip":
        return zip_bytes(entries)
    raise ValueError(ext)


def read_archive(data, fmt):
    """[(name, bytes)] of an archive in order (regular files only)"""
    if fmt == ".zip":
        z = zipfile.ZipFile(io.BytesIO(data))
        return [(i.filename, z.read(i)) for i in z.infolist()]
    if fmt == ".tar.lz4":
        data = lz4_decompress(data)
    t = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    out = []
    for m in t.getmembers():
        if m.isfile():
            out.append((m.name, t.extractfile(m).read()))
    return out


def put(cluster, bck, name, data, session=None, **kw):
    s = session or requests
    r = s.put(cluster.obj_url(bck, name), data=data, timeout=60, **kw)
    assert r.status_code == 200, (name, r.status_code, r.text)


def rand(n, seed):
    return bytes((i * 131 + seed * 7 + (i >> 7)) & 0xFF for i in range(n)) if n < 4096 else os.urandom(n)


def parse_multipart(resp):
    """(metadata JSON, archive bytes) of a GetBatch multipart answer (Go's mime/multipart layout:
    --B CRLF headers CRLF CRLF body CRLF --B ... CRLF --B-- CRLF), parsed byte-exactly"""
    import json
    ct = resp.headers["Content-Type"]
    assert ct.startswith("multipart/mixed; boundary="), ct
    b = ct.split("boundary=", 1)[1].encode()
    body = resp.content
    assert body.startswith(b"--" + b + b"\r\n"), body[:100]
    assert body.endswith(b"\r\n--" + b + b"--\r\n"), body[-100:]
    inner = body[len(b) + 4:-(len(b) + 8)]
    parts = inner.split(b"\r\n--" + b + b"\r\n")
    assert len(parts) == 2, len(parts)
    out = []
    for p in parts:
        head, data = p.split(b"\r\n\r\n", 1)
        out.append((head.decode(), data))
    assert 'name="metadata"' in out[0][0] and 'name="archive"' in out[1][0], (out[0][0], out[1][0])
    return json.loads(out[0][1]), out[1][1]
