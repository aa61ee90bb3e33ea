#!/usr/bin/env bash
# bench/redund.sh: the cost of redundancy (not a test). Builds bench/ecrate (ISA-L encode/decode
# rate vs memcpy), then runs bench/redund.py: a private cluster of 1 proxy + 7 targets with 2
# mountpaths each; 1 MiB PUT throughput into a plain bucket, a 2-way mirror and an EC 4+2 bucket
# (each as a ratio of the plain one, same run), and GET latency p50/p99 of healthy objects vs
# objects whose main replica was deleted (rebuilt from EC slices / restored from a mirror copy).
# Env: N (objects per bucket, 200), THREADS (8), FS (/tmp), KEEP.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/build/libais.a
for f in "$ROOT/build/aisnode" "$LIB"; do
  [ -e "$f" ] || { echo "bench: $f not found; run make" >&2; exit 1; }
done
mkdir -p "$ROOT/build/bench"
cc -D_GNU_SOURCE -I"$ROOT/src" -std=c17 -O2 -Wall -Wextra -Werror "$ROOT/bench/ecrate.c" "$LIB" -lisal \
  -o "$ROOT/build/bench/ecrate"
"$ROOT/build/bench/ecrate"
exec /usr/bin/python3 "$ROOT/bench/redund.py"
