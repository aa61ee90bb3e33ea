#!/usr/bin/env bash
# bench/https.sh: GET throughput over HTTPS vs plain HTTP on this machine, in one run: two
# playgrounds (1 proxy + 1 target + 1 mountpath each; one plain, one --https with its self-signed
# CA), the same N objects of 4 KiB and 1 MiB in each, wrk (-t1, CONNS connections, keep-alive)
# GETting them from each target directly (the data path after the proxy's redirect); prints req/s,
# MiB/s and the HTTPS/HTTP ratio per size (goal for 1 MiB: >= 0.6). Not a timed test.
# Whether the TLS side used kTLS (SSL_sendfile) or the buffered pread + SSL_write path is printed
# from the target's /proc/net/tls_stat when the kernel has it.
# Builds nothing (expects build/aisnode). Stops exactly what it started, also on error/Ctrl-C.
# Env: N (objects per size, default 100), DURATION (wrk, default 5s), CONNS ("16"), REPS (3
# alternating http/https rounds; the medians are compared), KEEP=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
BIN=${AIS_BIN:-$ROOT/build/aisnode}
N=${N:-100}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}
REPS=${REPS:-3}

bench_need wrk curl python3 openssl
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ais-bench-https.XXXXXX)
BASE_P=$(bench_free_base python3)
BASE_S=$(bench_free_base python3)
[ -n "$BASE_P" ] && [ -n "$BASE_S" ] && [ "$BASE_P" != "$BASE_S" ] || { echo "bench: no free ports" >&2; exit 1; }
PGP=(env AIS_PLAYGROUND_DIR="$WORK/plain" AIS_PORT_BASE="$BASE_P" AIS_BIN="$BIN" bash "$ROOT/scripts/playground.sh")
PGS=(env AIS_PLAYGROUND_DIR="$WORK/tls" AIS_PORT_BASE="$BASE_S" AIS_BIN="$BIN" bash "$ROOT/scripts/playground.sh")

cleanup() {
  set +e
  "${PGP[@]}" stop >/dev/null 2>&1
  "${PGS[@]}" stop >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: starting a plain playground on $BASE_P and an https one on $BASE_S (dir $WORK)"
"${PGP[@]}" start --proxies 1 --targets 1 --mountpaths 1 >"$WORK/plain.out" 2>&1 || { cat "$WORK/plain.out" >&2; exit 1; }
"${PGS[@]}" start --proxies 1 --targets 1 --mountpaths 1 --https >"$WORK/tls.out" 2>&1 || { cat "$WORK/tls.out" >&2; exit 1; }
CA=$WORK/tls/tls/ca.crt
target_of() { # proxy URL -> the target's direct URL
  curl -s --cacert "$CA" "$1/v1/cluster?what=smap" |
    python3 -c 'import json,sys; m=json.load(sys.stdin)["tmap"]; print(next(iter(m.values()))["public_net"]["direct_url"])'
}
PROXY_P=http://127.0.0.1:$BASE_P
PROXY_S=https://127.0.0.1:$BASE_S
TARGET_P=$(target_of "$PROXY_P")
TARGET_S=$(target_of "$PROXY_S")
BCK=bench

echo "bench: writing and PUTting $N x 4 KiB and $N x 1 MiB objects into both"
for proxy in "$PROXY_P" "$PROXY_S"; do
  curl -sf --cacert "$CA" -X POST -H 'Content-Type: application/json' -d '{"action":"create-bck"}' \
    "$proxy/v1/buckets/$BCK" >/dev/null
done
for sz in 4k 1m; do
  mkdir -p "$WORK/data/$sz"
  case $sz in 4k) bs=4096 ;; 1m) bs=1048576 ;; esac
  for ((i = 0; i < N; i++)); do
    head -c "$bs" /dev/urandom >"$WORK/data/$sz/o-$i"
    for proxy in "$PROXY_P" "$PROXY_S"; do
      curl -sf --cacert "$CA" -L -X PUT -T "$WORK/data/$sz/o-$i" "$proxy/v1/objects/$BCK/$sz/o-$i" >/dev/null ||
        { echo "bench: PUT $sz/o-$i to $proxy failed" >&2; exit 1; }
    done
  done
  # sanity: both return the right bytes
  for t in "$TARGET_P" "$TARGET_S"; do
    curl -sf --cacert "$CA" "$t/v1/objects/$BCK/$sz/o-1" | cmp -s - "$WORK/data/$sz/o-1" ||
      { echo "bench: GET mismatch at $t" >&2; exit 1; }
  done
done

mklua() { # size file
  {
    echo "local paths = {}"
    echo "for i = 0, $N - 1 do paths[#paths + 1] = \"/v1/objects/$BCK/$1/o-\" .. i end"
    echo "local k = 0"
    echo "request = function() k = k % #paths + 1; return wrk.format(\"GET\", paths[k]) end"
  } >"$2"
}

runwrk() { # URL LUA CONNS -> "req/s errors"
  local out rps errs
  out=$(wrk -t1 -c"$3" -d"$DURATION" -s "$2" "$1" 2>&1)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  errs=$(awk 'BEGIN {e = 0}
    /Non-2xx or 3xx responses:/ {e += $5}
    /Socket errors:/ {gsub(",", ""); for (i = 3; i < NF; i += 2) e += $(i + 1)}
    END {print e}' <<<"$out")
  echo "${rps:-0} $errs"
}

ktls="no (buffered pread + SSL_write, 256 KiB)"
if [ -r /proc/net/tls_stat ]; then
  ktls="kernel has tls: $(awk '/TlsTxSw|TlsCurrTxSw/ {printf "%s=%s ", $1, $2}' /proc/net/tls_stat)"
fi
echo "bench: wrk -t1 -d$DURATION, connections: $CONNS ($(nproc) CPUs); kTLS: $ktls"
printf '\n%-5s %-5s %-8s %12s %10s %9s %7s\n' size conns scheme req/s MiB/s https/http errors
for sz in 4k 1m; do
  case $sz in 4k) bytes=4096 ;; 1m) bytes=1048576 ;; esac
  mklua "$sz" "$WORK/$sz.lua"
  for c in $CONNS; do
    # REPS alternating rounds (http, https, http, ...): a shared box's noise hits both alike;
    # the medians are compared
    ps="" ss="" pe=0 se=0
    for ((r = 0; r < REPS; r++)); do
      read -r p_rps p_err < <(runwrk "$TARGET_P" "$WORK/$sz.lua" "$c")
      read -r s_rps s_err < <(runwrk "$TARGET_S" "$WORK/$sz.lua" "$c")
      ps+="$p_rps," ss+="$s_rps," pe=$((pe + p_err)) se=$((se + s_err))
    done
    python3 - "$sz" "$c" "$bytes" "$ps" "$pe" "$ss" "$se" <<'PYEOF'
import statistics, sys
sz, c, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
pl = [float(x) for x in sys.argv[4].split(",") if x]
sl = [float(x) for x in sys.argv[6].split(",") if x]
p, pe, s, se = statistics.median(pl), sys.argv[5], statistics.median(sl), sys.argv[7]
mib = lambda r: "%.0f" % (r * size / 1048576)
row = "%-5s %-5s %-8s %12.0f %10s %9s %7s   %s"
runs = lambda v: "runs: " + " ".join("%.0f" % x for x in v)
print(row % (sz, c, "http", p, mib(p), "1.00", pe, runs(pl)))
print(row % (sz, c, "https", s, mib(s), "%.2f" % (s / p) if p else "-", se, runs(sl)))
PYEOF
  done
done
