"""s3util.py: helpers shared by the S3 e2e tests: boto3 clients for a cluster's /s3 endpoint
(path-style, SigV4), bucket teardown through the S3 API, and S3 XML error parsing."""
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config

AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def client(endpoint, ak=AK, sk=SK, region="us-east-1", style="path", **kw):
    cfg = Config(s3={"addressing_style": style}, signature_version="s3v4",
                 retries={"max_attempts": 1, "mode": "standard"}, **kw)
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                        region_name=region, config=cfg)


def empty_and_delete(s3, bucket):
    try:
        while True:
            lst = s3.list_objects_v2(Bucket=bucket)
            keys = [{"Key": o["Key"]} for o in lst.get("Contents", [])]
            if not keys:
                break
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        s3.delete_bucket(Bucket=bucket)
    except Exception:
        pass


def xml_code(body):
    """<Error><Code> of an S3 error document"""
    root = ET.fromstring(body)
    return root.findtext("Code")
