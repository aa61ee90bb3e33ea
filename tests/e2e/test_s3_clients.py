"""Unmodified S3 clients against the proxy's /s3 endpoint: Debian's aws cli v2 (s3 mb/cp/ls/
sync/rm/rb, s3api), the newer aws cli on PATH (aws-chunked bodies with CRC32 trailers), s3cmd
and rclone (sync of 500 files up and back, byte-identical)."""
import filecmp
import os
import shutil

import pytest

from cluster import new_bucket_name
from s3util import AK, AWS2, AWS_NEW, SK, aws_cli, client, empty_and_delete, rclone_env, run


def _tree(root, n, size_fn):
    os.makedirs(root, exist_ok=True)
    for i in range(n):
        d = os.path.join(root, "d%d" % (i % 7))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%03d.bin" % i), "wb") as f:
            f.write(os.urandom(size_fn(i)))


def _same_tree(a, b):
    for d, _, files in os.walk(a):
        for f in files:
            p = os.path.join(d, f)
            q = os.path.join(b, os.path.relpath(p, a))
            assert os.path.isfile(q), q
            assert filecmp.cmp(p, q, shallow=False), q
    na = sum(len(f) for _, _, f in os.walk(a))
    nb = sum(len(f) for _, _, f in os.walk(b))
    assert na == nb


@pytest.mark.skipif(not os.access(AWS2, os.X_OK), reason="no /usr/bin/aws")
def test_aws_cli_v2(cluster, tmp_path):
    env, ep = aws_cli(cluster, tmp_path)
    b = new_bucket_name("awscli")
    run([AWS2] + ep + ["s3", "mb", "s3://" + b], env)
    try:
        assert b in run([AWS2] + ep + ["s3", "ls"], env)
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
        run([AWS2] + ep + ["s3", "cp", str(big), "s3://%s/big/one.bin" % b], env)
        run([AWS2] + ep + ["s3", "cp", "s3://%s/big/one.bin" % b, str(tmp_path / "back.bin")], env)
        assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()
        src = tmp_path / "tree"
        _tree(str(src), 30, lambda i: 100 * i + 1)
        run([AWS2] + ep + ["s3", "sync", str(src), "s3://%s/tree" % b], env)
        out = run([AWS2] + ep + ["s3", "ls", "--recursive", "s3://%s/tree/" % b], env)
        assert len(out.strip().splitlines()) == 30
        # a second sync has nothing to do
        assert run([AWS2] + ep + ["s3", "sync", str(src), "s3://%s/tree" % b], env).strip() == ""
        run([AWS2] + ep + ["s3", "sync", "s3://%s/tree" % b, str(tmp_path / "down")], env)
        _same_tree(str(src), str(tmp_path / "down"))
        out = run([AWS2] + ep + ["s3api", "head-object", "--bucket", b, "--key", "big/one.bin"], env)
        assert '"ContentLength": 3145733' in out
        run([AWS2] + ep + ["s3", "rm", "--recursive", "s3://%s/" % b], env)
        assert run([AWS2] + ep + ["s3", "ls", "--recursive", "s3://%s/" % b], env).strip() == ""
        run([AWS2] + ep + ["s3", "rb", "s3://" + b], env)
    finally:
        empty_and_delete(client(cluster.url + "/s3"), b)


@pytest.mark.skipif(not os.access(AWS_NEW, os.X_OK), reason="no newer aws cli on PATH")
def test_aws_cli_new_trailers(cluster, tmp_path):
    env, ep = aws_cli(cluster, tmp_path)
    b = new_bucket_name("awsnew")
    s3 = client(cluster.url + "/s3")
    s3.create_bucket(Bucket=b)
    try:
        f = tmp_path / "f.bin"
        f.write_bytes(os.urandom(1024 * 1024 + 3))
        run([AWS_NEW] + ep + ["s3", "cp", str(f), "s3://%s/f.bin" % b], env)
        run([AWS_NEW] + ep + ["s3api", "put-object", "--bucket", b, "--key", "g.bin", "--body", str(f),
                              "--checksum-algorithm", "SHA256"], env)
        run([AWS_NEW] + ep + ["s3", "cp", "s3://%s/f.bin" % b, str(tmp_path / "f.out")], env)
        assert (tmp_path / "f.out").read_bytes() == f.read_bytes()
        assert s3.get_object(Bucket=b, Key="g.bin")["Body"].read() == f.read_bytes()
        h = s3.head_object(Bucket=b, Key="g.bin", ChecksumMode="ENABLED")
        assert h.get("ChecksumSHA256")
    finally:
        empty_and_delete(s3, b)


@pytest.mark.skipif(not shutil.which("s3cmd"), reason="no s3cmd")
def test_s3cmd(cluster, tmp_path):
    hp = cluster.url.split("//")[1]
    cfg = tmp_path / "s3cfg"
    cfg.write_text("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s/s3\nhost_bucket = %s/s3\n"
                   "use_https = %s\nsignature_v2 = False\nbucket_location = us-east-1\n"
                   "check_ssl_certificate = False\n" % (AK, SK, hp, hp, cluster.https))
    b = new_bucket_name("s3cmd")
    env = dict(os.environ)
    base = ["s3cmd", "-c", str(cfg)]
    run(base + ["mb", "s3://" + b], env)
    try:
        f = tmp_path / "x.bin"
        f.write_bytes(os.urandom(123457))
        run(base + ["put", str(f), "s3://%s/dir/x.bin" % b], env)
        assert "dir/x.bin" in run(base + ["ls", "-r", "s3://" + b], env)
        run(base + ["get", "s3://%s/dir/x.bin" % b, str(tmp_path / "y.bin")], env)
        assert (tmp_path / "y.bin").read_bytes() == f.read_bytes()
        run(base + ["info", "s3://%s/dir/x.bin" % b], env)
        run(base + ["del", "s3://%s/dir/x.bin" % b], env)
        run(base + ["rb", "s3://" + b], env)
    finally:
        empty_and_delete(client(cluster.url + "/s3"), b)


@pytest.mark.skipif(not shutil.which("rclone"), reason="no rclone")
def test_rclone_sync_500(cluster, tmp_path):
    env = rclone_env(cluster, tmp_path)
    b = new_bucket_name("rclone")
    src = tmp_path / "src"
    _tree(str(src), 500, lambda i: (i * 37) % 5000 + 1)
    run(["rclone", "mkdir", "ais:" + b], env)
    try:
        run(["rclone", "sync", "--transfers", "16", "--checkers", "16", str(src), "ais:" + b], env)
        run(["rclone", "check", str(src), "ais:" + b], env)
        run(["rclone", "sync", "--transfers", "16", "ais:" + b, str(tmp_path / "back")], env)
        _same_tree(str(src), str(tmp_path / "back"))
        run(["rclone", "purge", "ais:" + b], env)
    finally:
        empty_and_delete(client(cluster.url + "/s3"), b)
