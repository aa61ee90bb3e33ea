#!/usr/bin/env bash
# bench/backend.sh: remote-backend numbers at full size against Ceph RGW (see bench/backend.py):
# cold GET vs RGW direct / aws cli, warm vs cold, prefetch objects/s, blob download vs single
# stream, 100 concurrent cold GETs (1 remote GET), 1 GiB multipart through s3://.
# Needs radosgw ceph-mon ceph-osd awscli python3-boto3 (scripts/install-deps.sh) and `make all`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v radosgw >/dev/null || { echo "bench/backend.sh: radosgw not installed (scripts/install-deps.sh)" >&2; exit 1; }
[ -x build/aisnode ] || { echo "bench/backend.sh: build first (make all)" >&2; exit 1; }
exec /usr/bin/python3 bench/backend.py
