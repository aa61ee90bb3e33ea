#!/usr/bin/env python3
"""check-layers: the include rules of docs/architecture.md, checked on every `make test`.

Each folder of src/ sits on a layer; a file may include headers of its own folder and of folders
on LOWER layers only (so there is no include cycle between folders), and never another folder's
private header (*_int.h). A new folder must be given a layer here (and in the doc)."""
import os
import re
import sys

LAYERS = {
    "core": 0,                 # base types, errors, log, config, checksums, hashing, json
    "fs": 1, "net": 1, "api": 1,  # mountpaths + names; HTTP server/client; wire structs
    "cluster": 2,              # Smap, BMD, metasync, membership, node identity
    "stats": 3, "transport": 3,  # counters; target-to-target streams
    "auth": 3,                 # JWT verification and access control of client requests
    "authn": 4,                # the AuthN service (aisauth): users, roles, clusters, token issue
    "obj": 4,                  # the object core
    "archive": 5,              # shard formats (libarchive), shard index, MossReq, shards over obj/
    "backend": 5,              # remote backends (S3, remote AIS, HTTP), cold GET, write-through
    "xact": 6,                 # jobs
    "target": 7, "proxy": 7,   # native API adapters (storage node, gateway)
    "s3": 8,                   # S3 API (gateway and target sides)
    "cli": 9,                  # the `ais` CLI
    "loader": 10,              # aisloader
}

INC = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/([A-Za-z0-9_.]+)"', re.M)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    bad = []
    for d in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, d)):
            continue
        if d not in LAYERS:
            bad.append("src/%s/: folder has no layer in scripts/check-layers.py" % d)
            continue
        for f in sorted(os.listdir(os.path.join(root, d))):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(root, d, f)
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            for m in INC.finditer(text):
                tdir, hdr = m.group(1), m.group(2)
                line = text.count("\n", 0, m.start()) + 1
                where = "src/%s/%s:%d" % (d, f, line)
                if tdir == d:
                    continue
                if tdir not in LAYERS:
                    bad.append("%s: includes %s/%s from an unknown folder" % (where, tdir, hdr))
                elif hdr.endswith("_int.h"):
                    bad.append("%s: includes another folder's private header %s/%s" % (where, tdir, hdr))
                elif LAYERS[tdir] >= LAYERS[d]:
                    bad.append("%s: %s (layer %d) includes %s/%s (layer %d): only lower layers may be included"
                               % (where, d, LAYERS[d], tdir, hdr, LAYERS[tdir]))
    for b in bad:
        print("check-layers: " + b)
    if bad:
        return 1
    print("check-layers: ok (%d folders)" % len(LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
