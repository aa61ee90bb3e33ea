"""Chunked objects and the native multipart upload API (AIStore api/mpt.go):
initiate (POST {"action":"mpt-upload"}) -> upload parts (PUT ?uploadId&partNumber, any order,
duplicates: last wins) -> complete (POST {"action":"mpt-complete"}) or abort (DELETE
{"action":"mpt-abort"}); reads (whole, ranges across chunk boundaries), HEAD, list, copy, rename,
delete of chunked objects; restart of a target mid-upload; space cleanup of aborted and
abandoned uploads; auto-chunking above chunks.objsize_limit."""
import os
import random
import time

import requests

from cluster import new_bucket_name

T = 30


def mpu_start(cluster, bck, name):
    r = requests.post(cluster.obj_url(bck, name), json={"action": "mpt-upload"}, timeout=T)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.text
    return r.text


def mpu_part(cluster, bck, name, uid, num, data):
    r = requests.put(cluster.obj_url(bck, name), params={"uploadId": uid, "partNumber": num}, data=data,
                     timeout=T)
    assert r.status_code == 200, (r.status_code, r.text)
    return r


def mpu_complete(cluster, bck, name, uid, nums):
    return requests.post(cluster.obj_url(bck, name), params={"uploadId": uid},
                         json={"action": "mpt-complete", "value": [{"part-number": n, "etag": ""} for n in nums]},
                         timeout=T)


def mpu_abort(cluster, bck, name, uid):
    return requests.delete(cluster.obj_url(bck, name), params={"uploadId": uid}, json={"action": "mpt-abort"},
                           timeout=T)


def cleanup(cluster, dont="0s"):
    """space cleanup is a job (AIStore's api.StartXaction answers its ID at once): start it, then
    wait for it to finish through the status API (api.WaitForXactionIC)"""
    r = requests.put(cluster.url + "/v1/cluster", params={"dont_cleanup_time": dont},
                     json={"action": "start", "value": {"kind": "cleanup-store"}}, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text)
    xid = r.text
    deadline = time.time() + 60
    while True:
        st = requests.get(cluster.url + "/v1/cluster", params={"what": "status"}, json={"id": xid}, timeout=T)
        assert st.status_code == 200, (st.status_code, st.text)
        st = st.json()
        if st["end_time"]:
            assert not st["aborted"], st
            return xid
        assert time.time() < deadline, "cleanup %s did not finish: %s" % (xid, st)
        time.sleep(0.05)


def chunk_files(cluster, bck):
    return cluster.files_under(bck, "%ch"), cluster.files_under(bck, "%ut")


def test_mpu_50_parts_out_of_order_with_duplicates(cluster, bucket):
    name = "big/mpu-50"
    psize = 64 * 1024 + 123
    parts = {i: os.urandom(psize if i < 50 else 777) for i in range(1, 51)}
    uid = mpu_start(cluster, bucket, name)
    order = list(parts)
    random.shuffle(order)
    for n in order[:10]:  # stale copies first: the later upload of the same number wins
        mpu_part(cluster, bucket, name, uid, n, os.urandom(1000))
    for n in order:
        mpu_part(cluster, bucket, name, uid, n, parts[n])
    # not yet visible
    assert requests.head(cluster.obj_url(bucket, name), timeout=T, allow_redirects=True).status_code == 404
    r = mpu_complete(cluster, bucket, name, uid, list(reversed(order)))
    assert r.status_code == 200, r.text
    whole = b"".join(parts[i] for i in range(1, 51))
    r = requests.get(cluster.obj_url(bucket, name), timeout=T)
    assert r.status_code == 200 and r.content == whole
    h = requests.head(cluster.obj_url(bucket, name), timeout=T, allow_redirects=True)
    assert h.status_code == 200 and int(h.headers["Content-Length"]) == len(whole)
    assert h.headers.get("Ais-Checksum-Type") == "crc32c"
    # spread over mountpaths of the owner; chunk 1 lives in %ob, the manifest in %ut
    chunks, mans = chunk_files(cluster, bucket)
    assert len(chunks) == 49 and len(mans) == 1
    assert len(cluster.object_files(bucket, name)) == 1
    assert len({os.path.dirname(p).split("/@ais/")[0] for p in chunks}) > 1
    # listing shows the full size
    ents, _ = cluster.list_objects(bucket, props="name,size")
    assert [(e["name"], int(e["size"])) for e in ents] == [(name, len(whole))]
    # the upload id is gone
    assert mpu_part_status(cluster, bucket, name, uid) == 404
    # delete removes every chunk and the manifest
    assert requests.delete(cluster.obj_url(bucket, name), timeout=T).status_code == 200
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).status_code == 404
    assert chunk_files(cluster, bucket) == ([], [])


def mpu_part_status(cluster, bck, name, uid):
    return requests.put(cluster.obj_url(bck, name), params={"uploadId": uid, "partNumber": 1}, data=b"x",
                        timeout=T).status_code


def test_range_get_across_chunks(cluster, bucket):
    name = "ranges"
    sizes = [100_000, 1, 50_000, 70_000, 3]
    parts = [os.urandom(s) for s in sizes]
    uid = mpu_start(cluster, bucket, name)
    for i, p in enumerate(parts):
        mpu_part(cluster, bucket, name, uid, i + 1, p)
    assert mpu_complete(cluster, bucket, name, uid, range(1, len(parts) + 1)).status_code == 200
    whole = b"".join(parts)
    url = cluster.obj_url(bucket, name)
    cases = [(99_990, 100_000 + 1 + 50_000 + 10), (0, 0), (100_000, 100_000), (len(whole) - 5, len(whole) - 1)]
    for a, b in cases:  # the first spans chunks 1, 2, 3 and 4
        r = requests.get(url, headers={"Range": "bytes=%d-%d" % (a, b)}, timeout=T)
        assert r.status_code == 206, (a, b, r.status_code)
        assert r.content == whole[a:b + 1], (a, b)
        assert r.headers["Content-Range"] == "bytes %d-%d/%d" % (a, b, len(whole))
    r = requests.get(url, headers={"Range": "bytes=-7"}, timeout=T)
    assert r.status_code == 206 and r.content == whole[-7:]
    r = requests.get(url, headers={"Range": "bytes=%d-" % (len(whole) + 1)}, timeout=T)
    assert r.status_code == 416


def test_complete_rules_and_abort(cluster, bucket):
    name = "rules"
    uid = mpu_start(cluster, bucket, name)
    for n in (1, 2, 4):
        mpu_part(cluster, bucket, name, uid, n, b"p%d" % n)
    assert mpu_complete(cluster, bucket, name, uid, [1, 2]).status_code == 501  # partial
    assert mpu_complete(cluster, bucket, name, uid, [1, 2, 3]).status_code >= 400  # gap
    assert mpu_complete(cluster, bucket, name, uid, [1, 2, 4]).status_code >= 400
    assert mpu_complete(cluster, bucket, name, "nosuchupload", [1]).status_code == 404
    # a second parallel upload of the same object
    uid2 = mpu_start(cluster, bucket, name)
    assert uid2 != uid
    mpu_part(cluster, bucket, name, uid2, 1, b"second")
    assert mpu_abort(cluster, bucket, name, uid).status_code == 200
    assert mpu_abort(cluster, bucket, name, uid).status_code == 404
    assert mpu_complete(cluster, bucket, name, uid2, [1]).status_code == 200
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).content == b"second"
    chunks, mans = chunk_files(cluster, bucket)
    assert chunks == [] and len(mans) == 1  # one chunk: it is the %ob file


def test_overwrite_copy_rename(cluster, bucket):
    name = "ovw"
    parts = [os.urandom(30_000), os.urandom(20_000), os.urandom(10)]
    uid = mpu_start(cluster, bucket, name)
    for i, p in enumerate(parts):
        mpu_part(cluster, bucket, name, uid, i + 1, p)
    assert mpu_complete(cluster, bucket, name, uid, [1, 2, 3]).status_code == 200
    whole = b"".join(parts)
    # copy and rename (chunked source -> monolithic destination, any owner)
    for i in range(6):
        dst = "copy-%d" % i
        r = requests.put(cluster.obj_url(bucket, name), params={"object_to": "ais/@#/%s/%s" % (bucket, dst)},
                         timeout=T)
        assert r.status_code == 200, r.text
        assert requests.get(cluster.obj_url(bucket, dst), timeout=T).content == whole
    r = requests.post(cluster.obj_url(bucket, "copy-0"), json={"action": "rename-obj", "name": "renamed"},
                      timeout=T)
    assert r.status_code == 200
    assert requests.get(cluster.obj_url(bucket, "renamed"), timeout=T).content == whole
    # monolithic overwrite drops the chunks; a new MPU over a monolithic object works too
    assert requests.put(cluster.obj_url(bucket, name), data=b"mono", timeout=T).status_code == 200
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).content == b"mono"
    assert chunk_files(cluster, bucket) == ([], [])
    uid = mpu_start(cluster, bucket, name)
    mpu_part(cluster, bucket, name, uid, 2, b"B" * 5000)
    mpu_part(cluster, bucket, name, uid, 1, b"A" * 5000)
    assert mpu_complete(cluster, bucket, name, uid, [1, 2]).status_code == 200
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).content == b"A" * 5000 + b"B" * 5000
    # rename of a chunked object
    r = requests.post(cluster.obj_url(bucket, name), json={"action": "rename-obj", "name": "moved"}, timeout=T)
    assert r.status_code == 200
    assert requests.get(cluster.obj_url(bucket, "moved"), timeout=T).content == b"A" * 5000 + b"B" * 5000
    assert requests.get(cluster.obj_url(bucket, name), timeout=T).status_code == 404
    names = sorted(e["name"] for e in cluster.list_objects(bucket)[0])
    assert names == ["copy-1", "copy-2", "copy-3", "copy-4", "copy-5", "moved", "renamed"]


def set_config(cluster, **kv):
    r = requests.put(cluster.url + "/v1/cluster/set-config", params=kv, timeout=T)
    assert r.status_code == 200, r.text


def test_target_restart_mid_upload(cluster):
    bck = new_bucket_name("mpurst")
    cluster.create_bucket(bck)
    set_config(cluster, **{"chunks.checkpoint_every": "1"})
    try:
        name = "survivor"
        parts = {i: os.urandom(20_000 + i) for i in range(1, 9)}
        uid = mpu_start(cluster, bck, name)
        for n in (3, 1, 2, 5, 4):
            mpu_part(cluster, bck, name, uid, n, parts[n])
        victim = cluster.object_files(bck, name) or None
        # the owner: where the partial manifest lives
        man = cluster.files_under(bck, "%ut")
        assert len(man) == 1
        owner = [t for t in cluster.targets if man[0].startswith(t.dir)][0]
        cluster.expected_down.add(owner.name)
        owner.kill9()
        owner.start()
        cluster.expected_down.discard(owner.name)
        cluster.wait_ready(timeout=30)
        cluster._wait(lambda: cluster._get_ok(owner.url + "/v1/health"), 30, "restarted target answering")
        for n in (8, 6, 7):
            mpu_part(cluster, bck, name, uid, n, parts[n])
        r = mpu_complete(cluster, bck, name, uid, range(1, 9))
        assert r.status_code == 200, r.text
        assert requests.get(cluster.obj_url(bck, name), timeout=T).content == b"".join(parts[i] for i in range(1, 9))
        assert victim is None
    finally:
        set_config(cluster, **{"chunks.checkpoint_every": "0"})
        cluster.destroy_bucket(bck)


def test_cleanup_aborted_and_abandoned(cluster, bucket):
    # aborted: nothing left right away
    uid = mpu_start(cluster, bucket, "aborted")
    for n in range(1, 4):
        mpu_part(cluster, bucket, "aborted", uid, n, os.urandom(10_000))
    assert mpu_abort(cluster, bucket, "aborted", uid).status_code == 200
    assert chunk_files(cluster, bucket) == ([], [])
    # abandoned: survives a cleanup with the default threshold, not one with 0s
    uid = mpu_start(cluster, bucket, "abandoned")
    for n in range(1, 5):
        mpu_part(cluster, bucket, "abandoned", uid, n, os.urandom(10_000))
    # and a completed chunked object that must stay
    uid2 = mpu_start(cluster, bucket, "kept")
    for n in range(1, 4):
        mpu_part(cluster, bucket, "kept", uid2, n, b"%d" % n * 3000)
    assert mpu_complete(cluster, bucket, "kept", uid2, [1, 2, 3]).status_code == 200
    cleanup(cluster, dont="1h")
    chunks, mans = chunk_files(cluster, bucket)
    assert len(mans) == 2 and len(chunks) == 4 + 2
    cleanup(cluster, dont="0s")
    chunks, mans = chunk_files(cluster, bucket)
    assert len(mans) == 1 and len(chunks) == 2, (chunks, mans)
    assert all("abandoned" not in p for p in chunks + mans)
    assert mpu_part_status(cluster, bucket, "abandoned", uid) == 404
    assert requests.get(cluster.obj_url(bucket, "kept"), timeout=T).content == b"1" * 3000 + b"2" * 3000 + b"3" * 3000
    assert cluster.files_under(bucket, "%wk") == []


def test_auto_chunking(cluster):
    bck = new_bucket_name("autochunk")
    cluster.create_bucket(bck)
    set_config(cluster, **{"chunks.objsize_limit": "100KiB", "chunks.chunk_size": "32KiB"})
    try:
        big = os.urandom(300_000)
        small = os.urandom(50_000)
        assert requests.put(cluster.obj_url(bck, "big"), data=big, timeout=T).status_code == 200
        assert requests.put(cluster.obj_url(bck, "small"), data=small, timeout=T).status_code == 200
        chunks, mans = chunk_files(cluster, bck)
        assert len(mans) == 1 and len(chunks) == 300_000 // 32768  # 10 chunks: 1 in %ob + 9
        assert requests.get(cluster.obj_url(bck, "big"), timeout=T).content == big
        r = requests.get(cluster.obj_url(bck, "big"), headers={"Range": "bytes=32000-100000"}, timeout=T)
        assert r.status_code == 206 and r.content == big[32000:100001]
        h = requests.head(cluster.obj_url(bck, "big"), timeout=T, allow_redirects=True)
        assert int(h.headers["Content-Length"]) == len(big)
        assert h.headers.get("Ais-Checksum-Type") == "xxhash2"  # the bucket's, computed while streaming
        assert requests.get(cluster.obj_url(bck, "small"), timeout=T).content == small
        ents, _ = cluster.list_objects(bck, props="name,size")
        assert sorted((e["name"], int(e["size"])) for e in ents) == [("big", 300_000), ("small", 50_000)]
        # overwrite with another chunked version: the old chunks go
        big2 = os.urandom(200_000)
        assert requests.put(cluster.obj_url(bck, "big"), data=big2, timeout=T).status_code == 200
        assert requests.get(cluster.obj_url(bck, "big"), timeout=T).content == big2
        chunks, mans = chunk_files(cluster, bck)
        assert len(mans) == 1 and len(chunks) == 200_000 // 32768
    finally:
        set_config(cluster, **{"chunks.objsize_limit": "0", "chunks.chunk_size": "1GiB"})
        cluster.destroy_bucket(bck)
