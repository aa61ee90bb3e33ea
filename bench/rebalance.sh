#!/usr/bin/env bash
# bench/rebalance.sh: global rebalance throughput as a ratio of this machine's loopback TCP limit,
# and GET p99 during a rebalance vs idle. Builds bench/tcploop and bench/mkobjs, then runs
# bench/rebalance.py (see its docstring): a private 1 proxy + 3 target cluster under FS, TOTAL
# bytes of objects of each size in SIZES written onto one target, which then enters maintenance;
# the rebalance moves them all to the other two while aisloader GETs them through the proxy.
# Env: FS (/tmp; /dev/shm for tmpfs), TOTAL (2147483648), SIZES ("1m 64k"), IDLE_SECS (5), KEEP.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/build/libais.a
for f in "$ROOT/build/aisnode" "$ROOT/build/aisloader" "$LIB"; do
  [ -e "$f" ] || { echo "bench: $f not found; run make" >&2; exit 1; }
done
mkdir -p "$ROOT/build/bench"
cc -O2 -Wall -Wextra -Werror -pthread "$ROOT/bench/tcploop.c" -o "$ROOT/build/bench/tcploop"
cc -D_GNU_SOURCE -I"$ROOT/src" -std=c17 -O2 -Wall -Wextra -Werror -pthread "$ROOT/bench/mkobjs.c" "$LIB" \
  -lcurl -ljansson -lxxhash -lcrypto -lisal -lexpat -lz -lmsgpackc -lm -o "$ROOT/build/bench/mkobjs"
exec /usr/bin/python3 "$ROOT/bench/rebalance.py"
