"""A CLI transcript: create → put a directory → ls → get → rm, compared byte for byte (TABs
included: AIStore's Go tabwriter layout) with the expected session; volatile fields (bucket
name, temp paths) are masked as $BUCKET, $DIR, $OUT."""
import os
import subprocess

from cluster import ROOT, new_bucket_name

AIS = os.environ.get("AIS_CLI", os.path.join(ROOT, "build", "ais"))

EXPECTED = (
    "$ ais bucket create ais://$BUCKET\n"
    "\"ais://$BUCKET\" created\n"
    "$ ais put $DIR ais://$BUCKET --recursive --yes\n"
    "Files to upload:\n"
    "EXTENSION\t COUNT\t SIZE\n"
    ".json\t\t 1\t 8B\n"
    ".txt\t\t 2\t 13B\n"
    "TOTAL\t\t 3\t 21B\n"
    "\n"
    "PUT 3 files (one directory, recursively) => ais://$BUCKET\n"
    "$ ais ls ais://$BUCKET\n"
    "NAME\t\t SIZE\t \n"
    "a.txt\t\t 6B\t \n"
    "b.txt\t\t 7B\t \n"
    "sub/c.json\t 8B\t \n"
    "$ ais get ais://$BUCKET/sub/c.json $OUT\n"
    "GET sub/c.json from ais://$BUCKET as $OUT (8B)\n"
    "$ ais object rm ais://$BUCKET/a.txt\n"
    "deleted \"a.txt\" from ais://$BUCKET\n"
    "$ ais ls ais://$BUCKET --props name,size,version\n"
    "NAME\t\t SIZE\t VERSION\t \n"
    "b.txt\t\t 7B\t 1\t\t \n"
    "sub/c.json\t 8B\t 1\t\t \n"
    "$ ais bucket rm ais://$BUCKET --yes\n"
    "\"ais://$BUCKET\" destroyed\n"
)


def test_cli_transcript(cluster, tmp_path):
    bck = new_bucket_name("tr")
    top = tmp_path / "data"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_bytes(b"hello\n")
    (top / "b.txt").write_bytes(b"world!\n")
    (top / "sub" / "c.json").write_bytes(b'{"k":1}\n')
    out_file = tmp_path / "c.json"
    env = dict(os.environ, AIS_ENDPOINT=cluster.url)
    steps = [
        ["bucket", "create", "ais://" + bck],
        ["put", str(top), "ais://" + bck, "--recursive", "--yes"],
        ["ls", "ais://" + bck],
        ["get", "ais://%s/sub/c.json" % bck, str(out_file)],
        ["object", "rm", "ais://%s/a.txt" % bck],
        ["ls", "ais://" + bck, "--props", "name,size,version"],
        ["bucket", "rm", "ais://" + bck, "--yes"],
    ]
    transcript = ""
    try:
        for argv in steps:
            p = subprocess.run([AIS] + argv, capture_output=True, env=env, timeout=60)
            assert p.returncode == 0, (argv, p.stdout, p.stderr)
            assert p.stderr == b"", (argv, p.stderr)
            transcript += "$ ais " + " ".join(argv) + "\n" + p.stdout.decode()
    finally:
        cluster.destroy_bucket(bck)
    masked = transcript.replace(str(out_file), "$OUT").replace(str(top), "$DIR").replace(bck, "$BUCKET")
    assert masked == EXPECTED, "\n--- got ---\n%s\n--- expected ---\n%s" % (masked, EXPECTED)
    assert out_file.read_bytes() == b'{"k":1}\n'
