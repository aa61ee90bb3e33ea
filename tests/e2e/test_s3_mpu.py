"""S3 multipart upload through the proxy's /s3 endpoint: aws cli (Debian's v2 and the newer one
with CRC32 part checksums) and boto3 transfers of large files up and down byte-identical, rclone
multipart, the low-level API (create / upload-part out of order and twice / list-parts /
list-multipart-uploads / complete / abort), the S3 error codes, UploadPartCopy, GET by
partNumber and Range of the chunked result, CopyObject of it, and native reads of it."""
import hashlib
import os
import shutil

import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from cluster import new_bucket_name
from s3util import AWS2, AWS_NEW, aws_cli, client, empty_and_delete, err_of, rclone_env, run

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3(cluster):
    return client(cluster.url + "/s3")


@pytest.fixture
def sb(s3):
    name = new_bucket_name("mpu")
    s3.create_bucket(Bucket=name)
    yield name
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    empty_and_delete(s3, name)


def big_file(path, size):
    # random 1 MiB blocks, each made unique by its index (fast, and no two parts are equal)
    blk = os.urandom(MiB)
    with open(path, "wb") as f:
        left, i = size, 0
        while left > 0:
            b = (i.to_bytes(8, "big") + blk[8:])[:min(MiB, left)]
            f.write(b)
            left -= len(b)
            i += 1
    return path


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(4 * MiB), b""):
            h.update(b)
    return h.hexdigest()


def mpu_etag(data_parts):
    d = b"".join(hashlib.md5(p).digest() for p in data_parts)
    return '"%s-%d"' % (hashlib.md5(d).hexdigest(), len(data_parts))


def native_md5(cluster, bucket, key):
    h = hashlib.md5()
    with requests.get("%s/v1/objects/%s/%s" % (cluster.url, bucket, key), stream=True, timeout=60) as r:
        assert r.status_code in (200, 307), r.status_code
        if r.status_code == 307:
            r = requests.get(r.headers["Location"], stream=True, timeout=60)
        assert r.status_code == 200
        for b in r.iter_content(4 * MiB):
            h.update(b)
    return h.hexdigest()


@pytest.mark.skipif(not os.access(AWS2, os.X_OK), reason="no /usr/bin/aws")
def test_aws_cli_v2_multipart(cluster, s3, sb, tmp_path):
    env, ep = aws_cli(cluster, tmp_path)
    src = big_file(tmp_path / "big.bin", 150 * MiB + 12345)
    run([AWS2] + ep + ["s3", "cp", str(src), "s3://%s/dir/big.bin" % sb], env)
    h = s3.head_object(Bucket=sb, Key="dir/big.bin")
    assert h["ContentLength"] == 150 * MiB + 12345
    assert h["ETag"].endswith('-19"'), h["ETag"]  # 8 MiB parts
    run([AWS2] + ep + ["s3", "cp", "s3://%s/dir/big.bin" % sb, str(tmp_path / "back.bin")], env)
    want = md5_file(src)
    assert md5_file(tmp_path / "back.bin") == want
    assert native_md5(cluster, sb, "dir/big.bin") == want


@pytest.mark.skipif(not os.access(AWS_NEW, os.X_OK), reason="no newer aws cli")
def test_aws_cli_new_multipart_crc32(cluster, s3, sb, tmp_path):
    env, ep = aws_cli(cluster, tmp_path)
    src = big_file(tmp_path / "big.bin", 100 * MiB + 7)
    run([AWS_NEW] + ep + ["s3", "cp", str(src), "s3://%s/big.bin" % sb], env)
    run([AWS_NEW] + ep + ["s3", "cp", "s3://%s/big.bin" % sb, str(tmp_path / "back.bin")], env)
    assert md5_file(tmp_path / "back.bin") == md5_file(src)
    h = s3.head_object(Bucket=sb, Key="big.bin", ChecksumMode="ENABLED")
    ck = h.get("ChecksumCRC32", "")
    assert ck.endswith("-13"), h  # composite of the 13 parts' CRC32s
    assert h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "COMPOSITE"


def test_boto3_transfer(cluster, s3, sb, tmp_path):
    src = big_file(tmp_path / "b.bin", 96 * MiB + 3)
    cfg = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=10)
    s3.upload_file(str(src), sb, "t/b.bin", Config=cfg, ExtraArgs={"ContentType": "application/x-test",
                                                                    "Metadata": {"color": "blue"}})
    h = s3.head_object(Bucket=sb, Key="t/b.bin")
    assert h["ContentType"] == "application/x-test" and h["Metadata"] == {"color": "blue"}
    assert h["ETag"].endswith('-13"')
    s3.download_file(sb, "t/b.bin", str(tmp_path / "back.bin"), Config=cfg)
    assert md5_file(tmp_path / "back.bin") == md5_file(src)
    # listed with the multipart ETag and full size
    o = s3.list_objects_v2(Bucket=sb, Prefix="t/")["Contents"][0]
    assert o["Size"] == 96 * MiB + 3 and o["ETag"] == h["ETag"]


@pytest.mark.skipif(not shutil.which("rclone"), reason="no rclone")
def test_rclone_multipart(cluster, s3, sb, tmp_path):
    env = rclone_env(cluster, tmp_path)
    d = tmp_path / "src"
    d.mkdir()
    big_file(d / "r.bin", 50 * MiB + 1)
    opts = ["--s3-upload-cutoff", "8M", "--s3-chunk-size", "8M", "--s3-upload-concurrency", "4"]
    run(["rclone", "copy"] + opts + [str(d), "ais:" + sb], env)
    assert s3.head_object(Bucket=sb, Key="r.bin")["ETag"].endswith('-7"')
    run(["rclone", "check", str(d), "ais:" + sb], env)
    run(["rclone", "copy", "ais:" + sb, str(tmp_path / "back")], env)
    assert md5_file(tmp_path / "back" / "r.bin") == md5_file(d / "r.bin")


def test_low_level(cluster, s3, sb):
    key = "low/level.bin"
    p1, p2, p3 = os.urandom(5 * MiB), os.urandom(5 * MiB + 17), os.urandom(1234)
    up = s3.create_multipart_upload(Bucket=sb, Key=key, ContentType="text/x-parts",
                                    Metadata={"k": "v"})
    uid = up["UploadId"]
    assert up["Key"] == key and up["Bucket"] == sb
    # out of order, part 2 twice (the last one wins)
    e3 = s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=3, Body=p3)["ETag"]
    s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=2, Body=os.urandom(5 * MiB))
    e2 = s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=2, Body=p2)["ETag"]
    e1 = s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    assert e1 == '"%s"' % hashlib.md5(p1).hexdigest() and e2 == '"%s"' % hashlib.md5(p2).hexdigest()
    lp = s3.list_parts(Bucket=sb, Key=key, UploadId=uid)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in lp["Parts"]] == \
        [(1, e1, len(p1)), (2, e2, len(p2)), (3, e3, len(p3))]
    assert not lp["IsTruncated"]
    pg = s3.list_parts(Bucket=sb, Key=key, UploadId=uid, MaxParts=2)
    assert [p["PartNumber"] for p in pg["Parts"]] == [1, 2] and pg["IsTruncated"]
    pg = s3.list_parts(Bucket=sb, Key=key, UploadId=uid, PartNumberMarker=pg["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in pg["Parts"]] == [3]
    # a second upload of another key, then list (merged from all targets), prefix, pagination
    other = s3.create_multipart_upload(Bucket=sb, Key="low/other")["UploadId"]
    third = s3.create_multipart_upload(Bucket=sb, Key="zzz")["UploadId"]
    lu = s3.list_multipart_uploads(Bucket=sb)
    assert [(u["Key"], u["UploadId"]) for u in lu["Uploads"]] == \
        [("low/level.bin", uid), ("low/other", other), ("zzz", third)]
    lu = s3.list_multipart_uploads(Bucket=sb, Prefix="low/", MaxUploads=1)
    assert [u["UploadId"] for u in lu["Uploads"]] == [uid] and lu["IsTruncated"]
    lu = s3.list_multipart_uploads(Bucket=sb, Prefix="low/", KeyMarker=lu["NextKeyMarker"],
                                   UploadIdMarker=lu["NextUploadIdMarker"])
    assert [u["UploadId"] for u in lu["Uploads"]] == [other] and not lu["IsTruncated"]
    lu = s3.list_multipart_uploads(Bucket=sb, Delimiter="/")
    assert [c["Prefix"] for c in lu["CommonPrefixes"]] == ["low/"]
    assert [u["Key"] for u in lu["Uploads"]] == ["zzz"]
    s3.abort_multipart_upload(Bucket=sb, Key="low/other", UploadId=other)
    s3.abort_multipart_upload(Bucket=sb, Key="zzz", UploadId=third)
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=sb, Key="zzz", UploadId=third)
    assert err_of(e) == ("NoSuchUpload", 404)
    # complete
    res = s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e3}]})
    assert res["ETag"] == mpu_etag([p1, p2, p3])
    assert s3.list_multipart_uploads(Bucket=sb).get("Uploads", []) == []
    o = s3.get_object(Bucket=sb, Key=key)
    assert o["Body"].read() == p1 + p2 + p3
    assert o["ContentType"] == "text/x-parts" and o["Metadata"] == {"k": "v"} and o["ETag"] == res["ETag"]
    # ranges across part boundaries; GET and HEAD by part number
    r = s3.get_object(Bucket=sb, Key=key, Range="bytes=%d-%d" % (len(p1) - 10, len(p1) + 9))
    assert r["Body"].read() == (p1 + p2)[len(p1) - 10:len(p1) + 10]
    r = s3.get_object(Bucket=sb, Key=key, PartNumber=2)
    assert r["Body"].read() == p2 and r["PartsCount"] == 3
    assert r["ContentRange"] == "bytes %d-%d/%d" % (len(p1), len(p1) + len(p2) - 1, len(p1 + p2 + p3))
    assert s3.head_object(Bucket=sb, Key=key, PartNumber=3)["ContentLength"] == len(p3)
    with pytest.raises(ClientError) as e:  # beyond the object's parts: 400 InvalidPart (AWS)
        s3.get_object(Bucket=sb, Key=key, PartNumber=4)
    assert err_of(e) == ("InvalidPart", 400)
    # native API: the same bytes
    assert native_md5(cluster, sb, key) == hashlib.md5(p1 + p2 + p3).hexdigest()
    # CopyObject of the chunked object
    s3.copy_object(Bucket=sb, Key="low/copy", CopySource={"Bucket": sb, "Key": key})
    assert s3.get_object(Bucket=sb, Key="low/copy")["Body"].read() == p1 + p2 + p3
    # the upload is gone
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=sb, Key=key, UploadId=uid)
    assert err_of(e) == ("NoSuchUpload", 404)


def test_errors(s3, sb):
    key = "err.bin"
    for call in (lambda: s3.upload_part(Bucket=sb, Key=key, UploadId="nosuchid", PartNumber=1, Body=b"x"),
                 lambda: s3.list_parts(Bucket=sb, Key=key, UploadId="nosuchid"),
                 lambda: s3.abort_multipart_upload(Bucket=sb, Key=key, UploadId="nosuchid"),
                 lambda: s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId="nosuchid", MultipartUpload={
                     "Parts": [{"PartNumber": 1, "ETag": '"00"'}]})):
        with pytest.raises(ClientError) as e:
            call()
        assert err_of(e) == ("NoSuchUpload", 404)
    uid = s3.create_multipart_upload(Bucket=sb, Key=key)["UploadId"]
    small = os.urandom(1000)
    e1 = s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=1, Body=small)["ETag"]
    e2 = s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=2, Body=small[:10])["ETag"]
    cases = [
        ([{"PartNumber": 1, "ETag": '"%s"' % ("0" * 32)}], "InvalidPart"),
        ([{"PartNumber": 5, "ETag": e2}], "InvalidPart"),
        ([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}], "InvalidPartOrder"),
        ([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}], "EntityTooSmall"),
    ]
    for parts, code in cases:
        with pytest.raises(ClientError) as e:
            s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid, MultipartUpload={"Parts": parts})
        assert err_of(e) == (code, 400), parts
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=sb, Key=key, UploadId=uid, PartNumber=10001, Body=b"x")
    assert err_of(e)[1] == 400
    # a single small part is fine (the last part has no minimum)
    res = s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid,
                                       MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}]})
    assert res["ETag"] == mpu_etag([small[:10]])
    assert s3.get_object(Bucket=sb, Key=key)["Body"].read() == small[:10]
    # completing it again: 200 with the same ETag while the object is that upload's result (AWS)
    again = s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid,
                                         MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}]})
    assert again["ETag"] == res["ETag"]
    s3.put_object(Bucket=sb, Key=key, Body=b"replaced")
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid,
                                     MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}]})
    assert err_of(e) == ("NoSuchUpload", 404)


def test_upload_part_copy(cluster, s3, sb):
    # sources on (very likely) different targets than the destination
    srcs = {}
    for i in range(4):
        srcs["src%d" % i] = os.urandom(6 * MiB + i)
        s3.put_object(Bucket=sb, Key="src%d" % i, Body=srcs["src%d" % i])
    key = "copied.bin"
    uid = s3.create_multipart_upload(Bucket=sb, Key=key)["UploadId"]
    parts, want = [], b""
    for i in range(4):
        name = "src%d" % i
        if i % 2:
            rng = "bytes=%d-%d" % (100, 100 + 5 * MiB)
            data = srcs[name][100:100 + 5 * MiB + 1]
            r = s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=i + 1,
                                    CopySource={"Bucket": sb, "Key": name}, CopySourceRange=rng)
        else:
            data = srcs[name]
            r = s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=i + 1,
                                    CopySource={"Bucket": sb, "Key": name})
        assert r["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        parts.append({"PartNumber": i + 1, "ETag": r["CopyPartResult"]["ETag"]})
        want += data
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=9,
                            CopySource={"Bucket": sb, "Key": "missing"})
    assert err_of(e) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket=sb, Key=key, UploadId=uid, PartNumber=9,
                            CopySource={"Bucket": sb, "Key": "src0"}, CopySourceRange="bytes=0-%d" % (7 * MiB))
    assert err_of(e) == ("InvalidRange", 400)
    s3.complete_multipart_upload(Bucket=sb, Key=key, UploadId=uid, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=sb, Key=key)["Body"].read() == want
    # a part copied from the chunked (multipart) object itself, ranged across its parts
    uid = s3.create_multipart_upload(Bucket=sb, Key="second")["UploadId"]
    r = s3.upload_part_copy(Bucket=sb, Key="second", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": sb, "Key": key},
                            CopySourceRange="bytes=%d-%d" % (6 * MiB - 5, 6 * MiB + 4))
    s3.complete_multipart_upload(Bucket=sb, Key="second", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=sb, Key="second")["Body"].read() == want[6 * MiB - 5:6 * MiB + 5]


def test_raw_http_codes(cluster, sb):
    """the XML error codes as a client without an SDK sees them"""
    from s3util import xml_code
    r = requests.post(cluster.url + "/s3/%s/raw?uploads" % sb)
    assert r.status_code == 200 and b"<UploadId>" in r.content
    uid = r.text.split("<UploadId>")[1].split("</UploadId>")[0]
    r = requests.post(cluster.url + "/s3/%s/raw?uploadId=%s" % (sb, uid), data=b"<bad")
    assert r.status_code == 400 and xml_code(r.content) == "MalformedXML"
    r = requests.put(cluster.url + "/s3/%s/raw?uploadId=%s&partNumber=0" % (sb, uid), data=b"x")
    assert r.status_code == 400 and xml_code(r.content) == "InvalidArgument"
    r = requests.delete(cluster.url + "/s3/%s/raw?uploadId=%s" % (sb, uid))
    assert r.status_code == 204
    r = requests.get(cluster.url + "/s3/%s/raw?uploadId=%s" % (sb, uid))
    assert r.status_code == 404 and xml_code(r.content) == "NoSuchUpload"
