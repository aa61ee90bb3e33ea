"""s3util.py: helpers shared by the S3 e2e tests: boto3 clients for a cluster's /s3 endpoint
(path-style, SigV4), bucket teardown through the S3 API, S3 error parsing, and running the
external S3 clients (aws cli, rclone) against a cluster."""
import os
import subprocess
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config

AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS2 = "/usr/bin/aws"  # Debian's aws cli v2
AWS_NEW = "/root/.pyenv/shims/aws"  # the newer aws cli (aws-chunked bodies, CRC32 checksums)


def client(endpoint, ak=AK, sk=SK, region="us-east-1", style="path", **kw):
    cfg = Config(s3={"addressing_style": style}, signature_version="s3v4",
                 retries={"max_attempts": 1, "mode": "standard"}, **kw)
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                        region_name=region, config=cfg)


def empty_and_delete(s3, bucket):
    try:
        for _ in range(100):  # (bounded: a delete that keeps failing must not hang the suite)
            lst = s3.list_objects_v2(Bucket=bucket)
            keys = [{"Key": o["Key"]} for o in lst.get("Contents", [])]
            if not keys:
                break
            r = s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            if len(r.get("Errors", [])) == len(keys):
                break
        s3.delete_bucket(Bucket=bucket)
    except Exception:
        pass


def xml_code(body):
    """<Error><Code> of an S3 error document"""
    root = ET.fromstring(body)
    return root.findtext("Code")


def err_of(exc):
    """(S3 error code, HTTP status) of a pytest.raises(ClientError) result"""
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def aws_cli(cluster, tmp_path):
    """(env, endpoint args) for running the aws cli against cluster's /s3 with path-style addressing"""
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(tmp_path / "awsconfig"), "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"})
    (tmp_path / "awsconfig").write_text("[default]\ns3 =\n  addressing_style = path\n")
    return env, ["--endpoint-url", cluster.url + "/s3"]


def rclone_env(cluster, tmp_path):
    """env for rclone with a remote "ais:" at cluster's /s3"""
    env = dict(os.environ)
    env.pop("AWS_CA_BUNDLE", None)
    env.update({"RCLONE_CONFIG": str(tmp_path / "rclone.conf"), "RCLONE_CONFIG_AIS_TYPE": "s3",
                "RCLONE_CONFIG_AIS_PROVIDER": "Other", "RCLONE_CONFIG_AIS_ENDPOINT": cluster.url + "/s3",
                "RCLONE_CONFIG_AIS_ACCESS_KEY_ID": AK, "RCLONE_CONFIG_AIS_SECRET_ACCESS_KEY": SK,
                "RCLONE_CONFIG_AIS_REGION": "us-east-1", "RCLONE_CONFIG_AIS_FORCE_PATH_STYLE": "true"})
    (tmp_path / "rclone.conf").write_text("")
    return env


def run(cmd, env, **kw):
    """run an external client; it must succeed. Returns its stdout."""
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=120, **kw)
    assert p.returncode == 0, (cmd, p.stdout[-2000:], p.stderr[-2000:])
    return p.stdout.decode()
