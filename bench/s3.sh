#!/usr/bin/env bash
# bench/s3.sh: S3 PUT/GET (4 KiB and 1 MiB) through aistore-c's /s3 endpoint vs Ceph RGW and nginx,
# boto3 with a thread pool (bench/s3bench.py). RGW=1 (default) starts the Ceph RGW peer with
# ../shared/bench/rgw.sh (takes ~20 s; see RGW.md) and stops it afterwards; RGW=0 skips it.
# Env: N4K, N1M, THREADS (see s3bench.py), RGW_SH, KEEP=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RGW=${RGW:-1}
RGW_SH=${RGW_SH:-$ROOT/../shared/bench/rgw.sh}
[ -f "$RGW_SH" ] || RGW_SH=/work/shared/bench/rgw.sh
[ -x "$ROOT/build/aisnode" ] || { echo "bench: build/aisnode not found; run make" >&2; exit 1; }
RGW_STARTED=0
cleanup() { [ "$RGW_STARTED" = 1 ] && bash "$RGW_SH" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
if [ "$RGW" = 1 ]; then
  if bash "$RGW_SH" start > /tmp/ais-s3bench-rgw.log 2>&1; then
    RGW_STARTED=1
    export RGW_URL=http://127.0.0.1:${RGW_PORT:-7480} RGW_AK=BENCHACCESS RGW_SK=BENCHSECRET
  else
    echo "bench: RGW did not start (see /tmp/ais-s3bench-rgw.log); continuing without it" >&2
    tail -5 /tmp/ais-s3bench-rgw.log >&2 || true
  fi
fi
/usr/bin/python3 "$ROOT/bench/s3bench.py"
