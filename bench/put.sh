#!/usr/bin/env bash
# bench/put.sh: small PUTs against this machine's limit. Measures, on one filesystem (FS):
#   limit   bench/putsys: threads doing only the PUT syscall sequence (create work file, write,
#           fsetxattr, close, rename into place), no HTTP: the most this box can store per second
#   direct  aisloader -direct: PUT straight to the target (the data path after a redirect)
#   proxy   aisloader through the proxy (307 redirect, then the target)
# for 1 KiB objects at each worker count (threads = workers), ROUNDS times interleaved, and
# prints the medians, direct/limit and proxy/direct, and CPU time per PUT (server processes +
# aisloader for HTTP, the threads for the limit): CPU/op is steadier than ops/s on a shared box.
# Starts its own playground (1 proxy + 1 target + 1 mountpath) under a temp dir in FS, on free
# ports; stops exactly what it started and removes the dir (KEEP=1 keeps it).
# Env: FS (/tmp; /dev/shm for tmpfs), DURATION (5, seconds per run), ROUNDS (3), WORKERS ("4 16"),
#      SIZE (1024), AIS_BIN, LOADER, KEEP.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
FS=${FS:-/tmp}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-4 16}
SIZE=${SIZE:-1024}
BIN=${AIS_BIN:-$ROOT/build/aisnode}
LOADER=${LOADER:-$ROOT/build/aisloader}
PUTSYS=$ROOT/build/bench/putsys
for f in "$BIN" "$LOADER"; do [ -x "$f" ] || { echo "bench: $f not found; run make" >&2; exit 1; }; done
mkdir -p "$ROOT/build/bench"
cc -O2 -Wall -Wextra -Werror -pthread "$ROOT/bench/putsys.c" -o "$PUTSYS"

WORK=$(mktemp -d "$FS/ais-benchput.XXXXXX")
BASE=$(bench_free_base "$PY")
[ -n "$BASE" ] || { echo "bench: no free ports" >&2; exit 1; }
bench_pg "$BASE" "$BIN"
cleanup() {
  set +e
  "${PG[@]}" stop >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_pg_start
PROXY=http://127.0.0.1:$BASE
TPID=$(cat "$WORK/pg/target0/pid")
PPID_=$(cat "$WORK/pg/proxy0/pid")
# utime + stime of a process in clock ticks
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
srv_ticks() { echo $(($(ticks "$TPID") + $(ticks "$PPID_"))); }
HZ=$(getconf CLK_TCK)
RES=$WORK/res.tsv
: >"$RES"
L=("$LOADER" -quiet -statsinterval=0 -cksum-type=none -json -pctput=100 -minsize="$SIZE" -maxsize="$SIZE"
   -duration="${DURATION}s" -cleanup=true)
echo "bench: FS=$FS ($(stat -f -c %T "$FS")), ${DURATION}s per run, $ROUNDS rounds, workers: $WORKERS" >&2
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKERS; do
    rm -rf "$WORK/ps"
    "$PUTSYS" -dir "$WORK/ps" -threads "$w" -duration "$DURATION" -size "$SIZE" -json >"$WORK/ps.json"
    rm -rf "$WORK/ps"
    printf 'limit\t%s\t%s\t%s\n' "$w" "$r" "$WORK/ps.json.$r.$w" >>"$RES"
    mv "$WORK/ps.json" "$WORK/ps.json.$r.$w"
    for kind in direct proxy; do
      out=$WORK/$kind.$r.$w.json
      extra=()
      [ $kind = direct ] && extra=(-direct)
      t0=$(srv_ticks)
      "${L[@]}" -endpoint="$PROXY" -bucket="ais://b$kind$r$w" -numworkers="$w" "${extra[@]}" -stats-output="$out" \
        >"$WORK/$kind.$r.$w.log" 2>&1 || { echo "bench: aisloader failed:" >&2; tail -5 "$WORK/$kind.$r.$w.log" >&2; exit 1; }
      t1=$(srv_ticks)
      printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$w" "$r" "$out" "$(((t1 - t0)))" >>"$RES"
    done
    echo "bench: round $r, $w workers done" >&2
  done
done

"$PY" - "$RES" "$HZ" "$SIZE" <<'EOF'
import json, statistics, sys
res, hz, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows, srv_cpu = {}, {}
for line in open(res):
    f = line.rstrip("\n").split("\t")
    kind, w, path = f[0], int(f[1]), f[3]
    if kind == "limit":
        j = json.load(open(path))
        ops, cpu, errs = j["ops_per_sec"], j["cpu_us_per_op"], j["errors"]
    else:
        j = json.load(open(path))[-1]["put"]
        n, secs = int(j["count"]), int(j["duration"]) / 1e9
        ops = n / secs if secs else 0
        # the servers' CPU during the run (ticks) over the PUTs, plus aisloader's own
        srv = int(f[4]) / hz * 1e6 / n if n else 0
        cpu = srv + int(j.get("client_cpu_per_op", 0)) / 1e3
        errs = int(j["errors"])
        srv_cpu.setdefault((kind, w), []).append(srv)
    rows.setdefault((kind, w), []).append((ops, cpu, errs))
med = lambda v: statistics.median(v)
print("| PUT %s | workers | limit ops/s | direct ops/s | proxy ops/s | direct/limit | proxy/direct | "
      "CPU us/op limit | direct | proxy | errors |" % ("1 KiB" if size == 1024 else "%d B" % size))
print("|---|---|---|---|---|---|---|---|---|---|---|")
for w in sorted({k[1] for k in rows}):
    L, D, P = rows[("limit", w)], rows[("direct", w)], rows[("proxy", w)]
    lo, do, po = med([x[0] for x in L]), med([x[0] for x in D]), med([x[0] for x in P])
    errs = sum(x[2] for x in L + D + P)
    print("| | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %.1f | %.1f | %d |" % (
        w, lo, do, po, do / lo if lo else 0, po / do if do else 0, med([x[1] for x in L]),
        med([x[1] for x in D]), med([x[1] for x in P]), errs))
print()
print("CPU us/op of the aisnode processes alone (the rest of the direct/proxy column is aisloader's): " +
      ", ".join("%s/%d: %.1f" % (k[0], k[1], med(v)) for k, v in sorted(srv_cpu.items())))
print("runs (ops/s): " + "; ".join("%s/%d: %s" % (k[0], k[1], " ".join("%.0f" % x[0] for x in v))
                                   for k, v in sorted(rows.items())))
EOF
