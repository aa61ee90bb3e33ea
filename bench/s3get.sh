#!/usr/bin/env bash
# bench/s3get.sh: S3 GET through the proxy (forwarding mode) vs nginx, same files, same client (wrk).
# Starts its own playground (1 proxy + 1 target + 1 mountpath; S3 authentication is off by default,
# so unsigned requests are served) and an nginx baseline on free ports under a temp dir, PUTs N
# objects of 4 KiB and N of 1 MiB, copies the same files into nginx's root, then runs wrk (-t1,
# CONNS connections) against:
#   - nginx:                     GET /<bck>/<size>/o-<i>
#   - S3 via proxy (forwarded):  GET <proxy>/s3/<bck>/<size>/o-<i> (proxy -> owning target -> proxy)
#   - S3 target direct:          GET <target>/s3/<bck>/<size>/o-<i> (the ceiling for the proxy row)
# and prints req/s, MiB/s and the ratio to nginx. Builds nothing (expects build/aisnode; AIS_BIN to
# measure another binary, e.g. a build of main for a before/after comparison). Stops exactly what it
# started, also on error/Ctrl-C.
# Env: N (objects per size, default 200), DURATION (wrk, default 10s), CONNS ("16 64"), SIZES
#      ("4k 1m"), NGINX_SH (default <root>/../shared/bench/nginx.sh), AIS_BIN, KEEP=1 keeps the dir.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
BIN=${AIS_BIN:-$ROOT/build/aisnode}
N=${N:-200}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16 64}
SIZES=${SIZES:-4k 1m}
NGINX_SH=${NGINX_SH:-$ROOT/../shared/bench/nginx.sh}
[ -f "$NGINX_SH" ] || NGINX_SH=/work/shared/bench/nginx.sh

bench_need wrk nginx curl python3
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make" >&2; exit 1; }
[ -f "$NGINX_SH" ] || { echo "bench: nginx.sh not found (set NGINX_SH)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ais-s3get.XXXXXX)
BASE=$(bench_free_base python3 3)
[ -n "$BASE" ] || { echo "bench: no free ports" >&2; exit 1; }
NGINX_PORT=$((BASE + 3))
bench_pg "$BASE" "$BIN"
NGINX_STARTED=0

cleanup() {
  set +e
  "${PG[@]}" stop >/dev/null 2>&1
  [ "$NGINX_STARTED" = 1 ] && bash "$NGINX_SH" stop "$NGINX_PORT" >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: starting playground on port $BASE (dir $WORK, binary $BIN)"
bench_pg_start
PROXY=http://127.0.0.1:$BASE
TARGET=$(curl -s "$PROXY/v1/cluster?what=smap" |
  python3 -c 'import json,sys; m=json.load(sys.stdin)["tmap"]; print(next(iter(m.values()))["public_net"]["direct_url"])')
BCK=bench
curl -sf -X POST -H 'Content-Type: application/json' -d '{"action":"create-bck"}' "$PROXY/v1/buckets/$BCK" >/dev/null

echo "bench: writing and PUTting $N objects of each size ($SIZES)"
for sz in $SIZES; do
  mkdir -p "$WORK/www/$BCK/$sz"
  case $sz in 4k) bs=4096 ;; 64k) bs=65536 ;; 1m) bs=1048576 ;; *) echo "bench: size $sz?" >&2; exit 1 ;; esac
  for ((i = 0; i < N; i++)); do
    head -c "$bs" /dev/urandom >"$WORK/www/$BCK/$sz/o-$i"
    curl -sf -L -X PUT -T "$WORK/www/$BCK/$sz/o-$i" "$PROXY/v1/objects/$BCK/$sz/o-$i" >/dev/null ||
      { echo "bench: PUT $sz/o-$i failed" >&2; exit 1; }
  done
done
bash "$NGINX_SH" start "$NGINX_PORT" "$WORK/www" >/dev/null
NGINX_STARTED=1
NGINX=http://127.0.0.1:$NGINX_PORT

# sanity: every server returns the right bytes before we time it (and S3 answers unsigned GETs)
for sz in $SIZES; do
  f="$WORK/www/$BCK/$sz/o-1"
  curl -sf "$PROXY/s3/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: S3 GET via proxy mismatch" >&2; exit 1; }
  curl -sf "$TARGET/s3/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: S3 GET on target mismatch" >&2; exit 1; }
  curl -sf "$NGINX/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: nginx GET mismatch" >&2; exit 1; }
done

mklua() { # prefix size file
  {
    echo "local paths = {}"
    echo "for i = 0, $N - 1 do paths[#paths + 1] = \"$1/$2/o-\" .. i end"
    echo "local k = 0"
    echo "request = function() k = k % #paths + 1; return wrk.format(\"GET\", paths[k]) end"
  } >"$3"
}

# runwrk URL LUA CONNS -> "reqs_per_sec errors"
runwrk() {
  local out rps errs
  out=$(wrk -t1 -c"$3" -d"$DURATION" -s "$2" "$1" 2>&1)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  errs=$(awk 'BEGIN {e = 0}
    /Non-2xx or 3xx responses:/ {e += $5}
    /Socket errors:/ {gsub(",", ""); for (i = 3; i < NF; i += 2) e += $(i + 1)}
    END {print e}' <<<"$out")
  echo "${rps:-0} $errs"
}

echo "bench: wrk -t1 -d$DURATION, connections: $CONNS ($(nproc) CPUs; nginx workers: ${NGINX_WORKERS:-1})"
printf '\n%-5s %-5s %-26s %12s %10s %9s %7s\n' size conns server req/s MiB/s vs-nginx errors
for sz in $SIZES; do
  case $sz in 4k) bytes=4096 ;; 64k) bytes=65536 ;; 1m) bytes=1048576 ;; esac
  mklua "/$BCK" "$sz" "$WORK/nginx-$sz.lua"
  mklua "/s3/$BCK" "$sz" "$WORK/s3-$sz.lua"
  for c in $CONNS; do
    read -r ng_rps ng_err < <(runwrk "$NGINX" "$WORK/nginx-$sz.lua" "$c")
    read -r p_rps p_err < <(runwrk "$PROXY" "$WORK/s3-$sz.lua" "$c")
    read -r t_rps t_err < <(runwrk "$TARGET" "$WORK/s3-$sz.lua" "$c")
    python3 - "$sz" "$c" "$bytes" "$ng_rps" "$ng_err" "$p_rps" "$p_err" "$t_rps" "$t_err" <<'EOF'
import sys
sz, c, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
ng, nge, p, pe, t, te = float(sys.argv[4]), sys.argv[5], float(sys.argv[6]), sys.argv[7], float(sys.argv[8]), sys.argv[9]
mib = lambda r: "%.0f" % (r * size / 1048576)
ratio = lambda r: "%.2f" % (r / ng) if ng else "-"
row = "%-5s %-5s %-26s %12.0f %10s %9s %7s"
print(row % (sz, c, "nginx", ng, mib(ng), "1.00", nge))
print(row % (sz, c, "S3 via proxy (forwarded)", p, mib(p), ratio(p), pe))
print(row % (sz, c, "S3 target direct", t, mib(t), ratio(t), te))
EOF
  done
done
echo
echo "S3 via proxy: client -> proxy /s3 -> owning target -> proxy -> client (s3.redirect off, auth off)."
