"""n-way mirroring (docs/redundancy.md) on a private cluster of 1 proxy + 1 target with 3
mountpaths: copies on distinct mountpaths written by PUT (native and S3 share the object core),
GETs that heal a deleted, corrupted or truncated main replica from a copy (byte-exact, 0 errors,
the main replica rewritten), make-n-copies 2 -> 3 -> 1, DELETE removing every copy,
list props=copies, metrics, and bad input answered 4xx with nothing changed. Also bit rot in a
bucket without redundancy: 100 % detected, 5xx JSON, never wrong bytes."""
import json
import os
import random
import time

import pytest
import requests

from cluster import hrw_pick, new_bucket_name, uname
from rebutil import put_all, start_cluster, status

T = 30


@pytest.fixture(scope="module")
def mc():
    c = start_cluster(ntargets=1, started=1, nmountpaths=3)
    yield c
    c.cleanup()


def objs_0_2mib(n, seed):
    rnd = random.Random(seed)
    out = {}
    for i in range(n):
        size = int(2 ** rnd.uniform(0, 21)) - 1  # 0 .. 2 MiB, log-uniform (most are small)
        if i < 3:
            size = (0, 2 << 20, 1)[i]
        out["m%02d/o-%04d" % (i % 17, i)] = rnd.randbytes(size)
    return out


def leaf(p):
    """the file of an object path: itself, or its leaf when longer names made it a directory
    (docs/architecture.md "On-disk layout"; copies under %cp follow the same mapping)"""
    if p.endswith("/"):
        return p + "%ob.dir"  # (a directory marker "<name>/")
    if os.path.isdir(p):
        p = os.path.join(p, "%ob.leaf")
    return p


def replicas(c, bck, name):
    """(main path or None, [copy paths]) on the one target"""
    t = c.targets[0]
    main = None
    copies = []
    for mp in t.mountpaths:
        p = leaf(os.path.join(mp, "@ais", bck, "%ob", name))
        if os.path.isfile(p):
            assert main is None, "two main replicas of %s" % name
            main = p
        q = leaf(os.path.join(mp, "@ais", bck, "%cp", name))
        if os.path.isfile(q):
            copies.append(q)
    return main, copies


def hrw_mp(c, bck, name):
    return hrw_pick(uname(bck, name), c.targets[0].mountpaths)


def check_copies(c, bck, objs, n, timeout=60):
    """every object has n replicas on distinct mountpaths, byte-exact. PUT makes the copies
    asynchronously (mirror.burst_buffer, AIStore's put-copies job): wait for them first"""
    deadline = time.time() + timeout
    while True:
        try:
            return _check_copies(c, bck, objs, n)
        except (AssertionError, OSError):  # (a copy being replaced)
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def _check_copies(c, bck, objs, n):
    for name, body in objs.items():
        main, copies = replicas(c, bck, name)
        assert main and main.startswith(hrw_mp(c, bck, name) + "/"), (name, main)
        assert len(copies) == n - 1, (name, copies)
        mps = {p.split("/@ais/")[0] for p in copies} | {main.split("/@ais/")[0]}
        assert len(mps) == n, (name, main, copies)  # distinct mountpaths
        for p in [main] + copies:
            with open(p, "rb") as f:
                assert f.read() == body, p


def flip(path, off):
    with open(path, "r+b") as f:
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0x5A]))


def props(c, bck):
    r = requests.head(c.url + "/v1/buckets/" + bck, timeout=T)
    assert r.status_code == 200
    return json.loads(r.headers["Ais-Bucket-Props"])


def wait_job(c, xid, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st, s = status(c, id=xid)
        if st == 200 and s.get("end_time"):
            assert not s["aborted"] and not s["err"], s
            return s
        time.sleep(0.2)
    raise AssertionError("job %s did not finish:\n%s" % (xid, c.log_tails(15)))


def metric(c, name):
    txt = requests.get(c.targets[0].url + "/metrics", timeout=T).text
    tot = 0
    for ln in txt.splitlines():
        if ln.startswith(name + " ") or ln.startswith(name + "{"):
            tot += float(ln.rsplit(" ", 1)[1])
    return tot


def make_n(c, bck, value):
    return requests.post(c.url + "/v1/buckets/" + bck, json={"action": "make-n-copies", "value": value}, timeout=T)


def test_mirror_heal_and_make_n_copies(mc):
    bck = new_bucket_name("mir")
    mc.create_bucket(bck)
    r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {
        "mirror": {"enabled": True, "copies": 2}, "checksum": {"validate_warm_get": True}}}, timeout=T)
    assert r.status_code == 200, r.text
    p = props(mc, bck)
    assert p["mirror"]["enabled"] is True and p["mirror"]["copies"] == 2

    objs = objs_0_2mib(1000, seed=3)
    put_all(mc, bck, objs)
    check_copies(mc, bck, objs, 2)

    # list props=copies
    r = requests.get(mc.url + "/v1/buckets/" + bck, json={"action": "list", "value": {"props": "name,copies", "pagesize": 2000}}, timeout=T)
    assert r.status_code == 200
    ents = r.json()["entries"]
    assert len(ents) == 1000 and all(e.get("copies") == 2 for e in ents), ents[:3]

    # damage 300 main replicas: 120 deleted, 120 with a flipped byte, 60 truncated
    rnd = random.Random(11)
    victims = rnd.sample([n for n, b in objs.items() if len(b) > 1], 300)
    for i, name in enumerate(victims):
        main, _ = replicas(mc, bck, name)
        if i < 120:
            os.unlink(main)
        elif i < 240:
            flip(main, rnd.randrange(len(objs[name])))
        else:
            os.truncate(main, len(objs[name]) // 2)
    restored0 = metric(mc, "ais_target_mirror_restore_count")
    errs0 = metric(mc, "ais_target_err_get_count")

    s = requests.Session()
    bad = [n for n, body in objs.items() if (lambda r: r.status_code != 200 or r.content != body)(s.get(mc.obj_url(bck, n), timeout=T))]
    assert not bad, (len(bad), bad[:5])
    check_copies(mc, bck, objs, 2)  # the main replicas are back, copies intact
    assert metric(mc, "ais_target_mirror_restore_count") - restored0 == 300
    assert metric(mc, "ais_target_err_get_count") == errs0

    # make-n-copies 2 -> 3 -> 1 (value as a number, then as a string, as the Go client may send)
    r = make_n(mc, bck, 3)
    assert r.status_code == 200, r.text
    wait_job(mc, r.text)
    assert props(mc, bck)["mirror"] == {"enabled": True, "copies": 3, "burst_buffer": p["mirror"]["burst_buffer"]}
    check_copies(mc, bck, objs, 3)
    r = make_n(mc, bck, "1")
    assert r.status_code == 200, r.text
    wait_job(mc, r.text)
    assert props(mc, bck)["mirror"]["enabled"] is False
    check_copies(mc, bck, objs, 1)
    assert not mc.files_under(bck, "%cp")

    # back to 2 through set-bprops (starts make-n-copies for the existing objects: answers its ID)
    r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {"mirror": {"enabled": True, "copies": 2}}}, timeout=T)
    assert r.status_code == 200 and r.text, r.text
    wait_job(mc, r.text)
    some = dict(list(objs.items())[:50])
    check_copies(mc, bck, some, 2)

    # DELETE removes every copy; a GET after it is a 404 (nothing restored)
    for name in list(some)[:20]:
        assert requests.delete(mc.obj_url(bck, name), timeout=T).status_code == 200
        assert replicas(mc, bck, name) == (None, [])
        assert requests.get(mc.obj_url(bck, name), timeout=T).status_code == 404
    # a lost main replica with its copy: DELETE still succeeds and removes the copy
    name = list(some)[30]
    os.unlink(replicas(mc, bck, name)[0])
    assert requests.delete(mc.obj_url(bck, name), timeout=T).status_code == 200
    assert replicas(mc, bck, name) == (None, [])
    # overwrite: the copies follow the new version
    name = list(some)[40]
    assert requests.put(mc.obj_url(bck, name), data=b"new content", timeout=T).status_code == 200
    check_copies(mc, bck, {name: b"new content"}, 2)
    assert metric(mc, "ais_target_mirror_copy_count") > 1000
    mc.destroy_bucket(bck)


def test_mirror_burst_buffer(mc):
    """mirror.burst_buffer is the put-copies queue: 0 = the PUT makes its copies before it answers
    (no wait needed); the default (512) = asynchronously, the copies follow"""
    bck = new_bucket_name("mirburst")
    mc.create_bucket(bck)
    r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {
        "mirror": {"enabled": True, "copies": 3, "burst_buffer": 0}}}, timeout=T)
    assert r.status_code == 200, r.text
    assert props(mc, bck)["mirror"]["burst_buffer"] == 0
    objs = objs_0_2mib(60, seed=31)
    s = requests.Session()
    for name, body in objs.items():
        assert s.put(mc.obj_url(bck, name), data=body, timeout=T).status_code == 200
        assert len(replicas(mc, bck, name)[1]) == 2, name  # inline: there when the PUT answered
    _check_copies(mc, bck, objs, 3)
    r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {
        "mirror": {"burst_buffer": 512}}}, timeout=T)
    assert r.status_code == 200, r.text
    more = objs_0_2mib(100, seed=32)
    more = {"b/" + n: b for n, b in more.items()}
    put_all(mc, bck, more)
    check_copies(mc, bck, more, 3)
    mc.destroy_bucket(bck)


def test_mirror_prefix_names(mc):
    """names that are prefixes of other names (and a directory marker) in a mirrored bucket: the
    copies follow the main replica's mapping (<name>/%ob.leaf once <name>/... exists), in every
    order of arrival; GET heals such a name from its copy; DELETE removes its copies only"""
    bck = new_bucket_name("mirpfx")
    mc.create_bucket(bck)
    r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": {
        "mirror": {"enabled": True, "copies": 3, "burst_buffer": 0}, "checksum": {"validate_warm_get": True}}}, timeout=T)
    assert r.status_code == 200, r.text
    objs = {n: os.urandom(1000 + 100 * i) for i, n in enumerate(
        ["p/q", "p/q/r", "p/q/r/s", "p/q/", "t/u/v", "t/u", "t", "t/u/v/w/x"])}
    s = requests.Session()
    for name, body in objs.items():
        assert s.put(mc.obj_url(bck, name), data=body, timeout=T).status_code == 200, name
    _check_copies(mc, bck, objs, 3)
    # (a name's file is its leaf on the mountpaths where a longer name's file made its path a
    # directory; with 3 replicas of each on 3 mountpaths, copies are among them)
    cp_leaves = [p for n in objs for p in replicas(mc, bck, n)[1] if p.endswith("/%ob.leaf")]
    assert len(cp_leaves) >= 3, cp_leaves
    # heal: a prefix name's main replica lost or corrupted -> served from a copy, rewritten
    os.unlink(replicas(mc, bck, "p/q")[0])
    flip(replicas(mc, bck, "t/u")[0], 10)
    for name, body in objs.items():
        r = s.get(mc.obj_url(bck, name), timeout=T)
        assert r.status_code == 200 and r.content == body, (name, r.status_code)
    _check_copies(mc, bck, objs, 3)
    # DELETE of a prefix name: its copies go, the longer names' stay
    assert s.delete(mc.obj_url(bck, "p/q"), timeout=T).status_code == 200
    assert replicas(mc, bck, "p/q") == (None, [])
    del objs["p/q"]
    _check_copies(mc, bck, objs, 3)
    mc.destroy_bucket(bck)


def test_mirror_bad_input(mc):
    bck = new_bucket_name("mirbad")
    mc.create_bucket(bck)
    before = props(mc, bck)
    cases = [
        ({"mirror": {"enabled": True, "copies": 33}}, 400, "mirror.copies"),
        ({"mirror": {"enabled": True, "copies": 4}}, 400, "not enough mountpaths (3)"),
        ({"mirror": {"copies": -1}}, 400, "mirror.copies"),
        ({"mirror": {"nope": 1}}, 400, "unknown property"),
        ({"ec": {"enabled": True}}, 400, "not enough target nodes: EC configuration (D = 1, P = 1) requires at least 3 targets (have 1)"),
        ({"ec": {"data_slices": 33}}, 400, "ec.data_slices"),
        ({"ec": {"parity_slices": 0}}, 400, "ec.parity_slices"),
    ]
    for patch, code, msg in cases:
        r = requests.patch(mc.url + "/v1/buckets/" + bck, json={"action": "set-bprops", "value": patch}, timeout=T)
        assert r.status_code == code and msg in r.json()["message"], (patch, r.status_code, r.text)
        assert props(mc, bck) == before
    for v, msg in [(4, "exceeds the number of mountpaths (3)"), (0, "must be in [1, 32] range"),
                   (33, "must be in [1, 32] range"), ("abc", "unexpected type"), (None, "unexpected type")]:
        r = make_n(mc, bck, v)
        assert r.status_code == 400 and msg in r.json()["message"], (v, r.status_code, r.text)
        assert props(mc, bck) == before
    r = make_n(mc, "no-such-bucket-xyz", 2)
    assert r.status_code == 404
    r = requests.post(mc.url + "/v1/buckets/" + bck, json={"action": "ec-encode", "value": {"data_slices": 2, "parity_slices": 2}}, timeout=T)
    assert r.status_code == 400 and "requires at least 5 targets (have 1)" in r.json()["message"], r.text
    assert props(mc, bck) == before
    mc.destroy_bucket(bck)


def test_bitrot_without_redundancy(mc):
    bck = new_bucket_name("rot")
    mc.create_bucket(bck, props={"checksum": {"validate_warm_get": True}})
    objs = objs_0_2mib(100, seed=9)
    objs = {n: (b if len(b) > 0 else b"x") for n, b in objs.items()}
    put_all(mc, bck, objs)
    rnd = random.Random(5)
    for name, body in objs.items():
        main, copies = replicas(mc, bck, name)
        assert main and not copies
        flip(main, rnd.randrange(len(body)))
    detected = 0
    for name, body in objs.items():
        r = requests.get(mc.obj_url(bck, name), timeout=T)
        assert r.status_code >= 500, (name, r.status_code)
        assert r.content != body
        e = r.json()
        assert e["tcode"] == "ErrBadCksum" and "BAD DATA CHECKSUM" in e["message"], r.text
        detected += 1
    assert detected == 100
    mc.destroy_bucket(bck)


def ais(c, *args):
    import subprocess
    from cluster import ROOT
    e = dict(os.environ)
    e["AIS_ENDPOINT"] = c.url
    p = subprocess.run([os.path.join(ROOT, "build", "ais")] + list(args), capture_output=True, env=e, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def resilvers(c):
    r = requests.get(c.url + "/v1/cluster?what=qryxstats", json={"kind": "resilver"}, timeout=T)
    if r.status_code == 404:
        return []
    assert r.status_code == 200, r.text
    return [x for v in r.json().values() for x in v or []]


def test_mirror_cli_s3_and_lost_mountpath(mc):
    """CLI `ais start mirror`, an S3 PUT gets its copies too, and a lost mountpath (its content
    gone, then disabled): the resilver restores the main replicas it held from their copies and
    brings every object back to 2 replicas on the 2 mountpaths left"""
    from s3util import client
    bck = new_bucket_name("mircli")
    mc.create_bucket(bck)
    rc, out, err = ais(mc, "start", "mirror", "ais://" + bck, "--copies", "2")
    assert rc == 0 and out.startswith("Configured ais://%s as 2-way mirror. To monitor the progress, run 'ais show job " % bck), (out, err)
    rc, out, _ = ais(mc, "start", "mirror", "ais://" + bck, "--copies", "2")
    assert rc == 0 and out == "ais://%s is already 2-way mirror, nothing to do\n" % bck, out
    rc, out, err = ais(mc, "start", "mirror", "ais://" + bck, "--copies", "7")
    assert rc != 0 and "exceeds the number of mountpaths (3)" in err, (out, err)
    objs = objs_0_2mib(200, seed=21)
    put_all(mc, bck, objs)
    s3 = client(mc.url + "/s3")
    s3.put_object(Bucket=bck, Key="via-s3", Body=b"s3 body" * 1000)
    objs["via-s3"] = b"s3 body" * 1000
    check_copies(mc, bck, objs, 2)

    t = mc.targets[0]
    lost = t.mountpaths[1]
    import shutil
    shutil.rmtree(os.path.join(lost, "@ais", bck))
    n0 = len(resilvers(mc))
    r = requests.post(t.url + "/v1/daemon/mountpaths", json={"action": "disable-mp", "value": lost}, timeout=T)
    assert r.status_code == 200, r.text
    deadline = time.time() + 60
    while True:
        snaps = resilvers(mc)
        if len(snaps) > n0 and not [x for x in snaps if x["end-time"].startswith("0001-")]:
            break
        assert time.time() < deadline, mc.log_tails(10)
        time.sleep(0.1)
    assert not [x for x in snaps if x.get("err")], snaps
    left = [mp for mp in t.mountpaths if mp != lost]
    for name, body in objs.items():
        main, copies = replicas(mc, bck, name)
        assert main and main.startswith(hrw_pick(uname(bck, name), left) + "/"), (name, main)
        assert len(copies) == 1 and not copies[0].startswith(lost + "/"), (name, copies)
        for p in (main, copies[0]):
            with open(p, "rb") as f:
                assert f.read() == body, p
    s = requests.Session()
    for name, body in objs.items():
        r = s.get(mc.obj_url(bck, name), timeout=T)
        assert r.status_code == 200 and r.content == body, name
    r = requests.post(t.url + "/v1/daemon/mountpaths", json={"action": "enable-mp", "value": lost}, timeout=T)
    assert r.status_code == 200, r.text
    mc.destroy_bucket(bck)
