#!/usr/bin/env bash
# bench/getbatch.sh: GetBatch and the shard index, measured against their baselines on this box
# (docs/archive.md#benchmarks). Starts its own playground (1 proxy + 3 targets, 1 mountpath each)
# under a temp dir on free ports, then bench/getbatch.py measures, every number the median of REPS:
#   1. GetBatch of N=1000 x 16 KiB objects (one request, streamed TAR, curl) vs the same N objects by
#      N sequential keep-alive GETs through the proxy (one curl process, redirects followed, its
#      connections reused); also with python-requests as the client
#   2. GetBatch output rate (MiB/s) of M=300 x 1 MiB objects vs `tar c` of the very same files
#      (the objects' files on the targets' disks, in the same order, piped into /dev/null)
#   3. GET ?archpath= of the last file of a 20,000-file TAR: without, then with the shard index
# Builds nothing (expects build/aisnode). Stops exactly what it started, also on error/Ctrl-C.
# Env: N (1000), M (300), FILES (20000), REPS (5), KEEP=1 keeps the temp dir.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
BIN=${AIS_BIN:-$ROOT/build/aisnode}
bench_need curl tar python3
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ais-bench-gb.XXXXXX)
BASE=$(bench_free_base python3 2 3 4 5 1002 1003 1004 1005 2002 2003 2004 2005)
[ -n "$BASE" ] || { echo "bench: no free ports" >&2; exit 1; }
bench_pg "$BASE" "$BIN"

cleanup() {
  set +e
  "${PG[@]}" stop >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT

"${PG[@]}" start --proxies 1 --targets 3 --mountpaths 1 >"$WORK/playground.out" 2>&1 ||
  { cat "$WORK/playground.out" >&2; exit 1; }
PROXY="http://127.0.0.1:$BASE"
N=${N:-1000} M=${M:-300} FILES=${FILES:-20000} REPS=${REPS:-5} \
  python3 "$ROOT/bench/getbatch.py" "$PROXY" "$WORK/pg" "$WORK"
