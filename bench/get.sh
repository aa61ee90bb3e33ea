#!/usr/bin/env bash
# bench/get.sh: GET throughput of aistore-c vs nginx on this machine, same files, same client.
# Starts its own playground (1 proxy + 1 target + 1 mountpath) and an nginx baseline on free ports
# under a temp dir, PUTs N objects of 4 KiB and N of 1 MiB, copies the same files into nginx's
# root, runs wrk (-t1, 16 and 64 connections) against: the target directly, the proxy (its 301
# redirect only; wrk does not follow redirects) and nginx; prints req/s, MiB/s and ratio vs nginx.
# Builds nothing (expects build/aisnode). Stops exactly what it started, also on error/Ctrl-C.
# Env: N (objects per size, default 200), DURATION (wrk, default 10s), CONNS ("16 64"),
#      NGINX_SH (default <root>/../shared/bench/nginx.sh), KEEP=1 keeps the temp dir.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
BIN=${AIS_BIN:-$ROOT/build/aisnode}
N=${N:-200}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16 64}
NGINX_SH=${NGINX_SH:-$ROOT/../shared/bench/nginx.sh}
[ -f "$NGINX_SH" ] || NGINX_SH=/work/shared/bench/nginx.sh

bench_need wrk nginx curl python3
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make" >&2; exit 1; }
[ -f "$NGINX_SH" ] || { echo "bench: nginx.sh not found (set NGINX_SH)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ais-bench.XXXXXX)
# free ports: base..base+1 (+1000, +2000) for the playground, base+3 for nginx
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

echo "bench: starting playground on port $BASE (dir $WORK)"
bench_pg_start
PROXY=http://127.0.0.1:$BASE
TARGET=$(curl -s "$PROXY/v1/cluster?what=smap" |
  python3 -c 'import json,sys; m=json.load(sys.stdin)["tmap"]; print(next(iter(m.values()))["public_net"]["direct_url"])')
BCK=bench
curl -sf -X POST -H 'Content-Type: application/json' -d '{"action":"create-bck"}' "$PROXY/v1/buckets/$BCK" >/dev/null

# the same bytes for both servers: $WORK/www/<bck>/<size>/o-<i>
echo "bench: writing and PUTting $N x 4 KiB and $N x 1 MiB objects"
for sz in 4k 1m; do
  mkdir -p "$WORK/www/$BCK/$sz"
  case $sz in 4k) bs=4096 ;; 1m) bs=1048576 ;; esac
  for ((i = 0; i < N; i++)); do
    head -c "$bs" /dev/urandom >"$WORK/www/$BCK/$sz/o-$i"
  done
  for ((i = 0; i < N; i++)); do
    curl -sf -L -X PUT -T "$WORK/www/$BCK/$sz/o-$i" "$PROXY/v1/objects/$BCK/$sz/o-$i" >/dev/null ||
      { echo "bench: PUT $sz/o-$i failed" >&2; exit 1; }
  done
done
bash "$NGINX_SH" start "$NGINX_PORT" "$WORK/www" >/dev/null
NGINX_STARTED=1
NGINX=http://127.0.0.1:$NGINX_PORT

# sanity: every server returns the right bytes before we time it
for sz in 4k 1m; do
  f="$WORK/www/$BCK/$sz/o-1"
  curl -sf "$TARGET/v1/objects/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: target GET mismatch" >&2; exit 1; }
  curl -sf -L "$PROXY/v1/objects/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: proxy GET mismatch" >&2; exit 1; }
  curl -sf "$NGINX/$BCK/$sz/o-1" | cmp -s - "$f" || { echo "bench: nginx GET mismatch" >&2; exit 1; }
done

# wrk script cycling over the N object paths under a prefix
mklua() { # prefix size file
  {
    echo "local paths = {}"
    echo "for i = 0, $N - 1 do paths[#paths + 1] = \"$1/$2/o-\" .. i end"
    echo "local k = 0"
    echo "request = function() k = k % #paths + 1; return wrk.format(\"GET\", paths[k]) end"
  } >"$3"
}

# run URL LUA -> "reqs_per_sec errors"
runwrk() {
  local out rps errs
  out=$(wrk -t1 -c"$3" -d"$DURATION" -s "$2" "$1" 2>&1)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  # non-2xx/3xx responses plus socket errors (connect, read, write, timeout)
  errs=$(awk 'BEGIN {e = 0}
    /Non-2xx or 3xx responses:/ {e += $5}
    /Socket errors:/ {gsub(",", ""); for (i = 3; i < NF; i += 2) e += $(i + 1)}
    END {print e}' <<<"$out")
  echo "${rps:-0} $errs"
}

echo "bench: wrk -t1 -d$DURATION, connections: $CONNS ($(nproc) CPUs)"
printf '\n%-5s %-5s %-24s %12s %10s %9s %7s\n' size conns server req/s MiB/s vs-nginx errors
for sz in 4k 1m; do
  case $sz in 4k) bytes=4096 ;; 1m) bytes=1048576 ;; esac
  mklua "/$BCK" "$sz" "$WORK/nginx-$sz.lua"
  mklua "/v1/objects/$BCK" "$sz" "$WORK/ais-$sz.lua"
  for c in $CONNS; do
    read -r ng_rps ng_err < <(runwrk "$NGINX" "$WORK/nginx-$sz.lua" "$c")
    read -r t_rps t_err < <(runwrk "$TARGET" "$WORK/ais-$sz.lua" "$c")
    read -r p_rps p_err < <(runwrk "$PROXY" "$WORK/ais-$sz.lua" "$c")
    python3 - "$sz" "$c" "$bytes" "$ng_rps" "$ng_err" "$t_rps" "$t_err" "$p_rps" "$p_err" <<'EOF'
import sys
sz, c, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
ng, nge, t, te, p, pe = float(sys.argv[4]), sys.argv[5], float(sys.argv[6]), sys.argv[7], float(sys.argv[8]), sys.argv[9]
mib = lambda r: "%.0f" % (r * size / 1048576)
ratio = lambda r: "%.2f" % (r / ng) if ng else "-"
row = "%-5s %-5s %-24s %12.0f %10s %9s %7s"
print(row % (sz, c, "nginx", ng, mib(ng), "1.00", nge))
print(row % (sz, c, "aisnode target (direct)", t, mib(t), ratio(t), te))
print(row % (sz, c, "aisnode proxy (301 only)", p, "-", ratio(p), pe))
# a client that follows the redirect pays both round trips in series on each connection
est = 1 / (1 / t + 1 / p) if t and p else 0
print(row % (sz, c, "proxy+target (est.)", est, mib(est), ratio(est), "-"))
EOF
  done
done
echo
echo "proxy (301 only): the proxy's redirect responses, which is all a GET costs the proxy."
echo "proxy+target (est.): 1/(1/redirect + 1/target), a client following every redirect serially."
