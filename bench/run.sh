#!/usr/bin/env bash
# bench/run.sh [--quick]: the benchmark matrix of aistore-c against its peers, driven by aisloader.
# Starts, on free loopback ports under one temp dir: a fresh playground (1 proxy + 1 target,
# 1 mountpath), nginx (../shared/bench/nginx.sh, the HTTP file-serving baseline) and Ceph RGW
# (../shared/bench/rgw.sh, the S3 server users pick instead; its own CEPHPEER_DIR and ports).
# Rows: GET 4 KiB / 1 MiB (target direct, via the proxy's redirect, via S3), PUT 1 KiB / 1 MiB,
# mixed 80% GET / 20% PUT, each with 16 and 64 workers; GET rows as a ratio to nginx, PUT, mixed
# and S3 rows as a ratio to RGW. Also: 1 KiB PUT with 4 workers, an idle target's RSS, and how
# far aisloader is from being the bottleneck. Writes bench/results/<date>.md and a PNG chart.
# Stops exactly what it started (playground pids, its nginx, its RGW), also on error/Ctrl-C.
# --quick: 3 s per row (under 5 minutes on the 2-core box); default 10 s.
# Env: DURATION (per row), WORKERS ("16 64"), N (objects per GET size, 2000 / 200 for 1 MiB),
#      NO_RGW=1, KEEP=1 (keep the temp dir), AIS_BIN, LOADER, NGINX_SH, RGW_SH.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
QUICK=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
DURATION=${DURATION:-$([ $QUICK = 1 ] && echo 3s || echo 10s)}
WORKERS=${WORKERS:-16 64}
N=${N:-2000}
N1M=$((N / 10 > 0 ? N / 10 : 1))
BIN=${AIS_BIN:-$ROOT/build/aisnode}
LOADER=${LOADER:-$ROOT/build/aisloader}
SHARED=$ROOT/../shared/bench
[ -d "$SHARED" ] || SHARED=/work/shared/bench
NGINX_SH=${NGINX_SH:-$SHARED/nginx.sh}
RGW_SH=${RGW_SH:-$SHARED/rgw.sh}

bench_need nginx curl "$PY"
for f in "$BIN" "$LOADER"; do [ -x "$f" ] || { echo "bench: $f not found; run make" >&2; exit 1; }; done
HAVE_RGW=1
if [ "${NO_RGW:-0}" = 1 ] || ! command -v radosgw >/dev/null || [ ! -f "$RGW_SH" ]; then HAVE_RGW=0; fi
HAVE_GNUPLOT=1
command -v gnuplot >/dev/null || HAVE_GNUPLOT=0

WORK=$(mktemp -d /tmp/ais-benchrun.XXXXXX)
# free ports: playground base..+1 (+1000, +2000), nginx base+3, rgw base+4, ceph mon base+5 and base+5+489
BASE=$(bench_free_base "$PY" 3 4 5 $((5 + 489)))
[ -n "$BASE" ] || { echo "bench: no free ports" >&2; exit 1; }
NGINX_PORT=$((BASE + 3))
RGW_PORT=$((BASE + 4))
MON_PORT=$((BASE + 5))
bench_pg "$BASE" "$BIN"
RGW=(env CEPHPEER_DIR="$WORK/ceph" RGW_PORT="$RGW_PORT" MON_PORT="$MON_PORT" bash "$RGW_SH")
NGINX_STARTED=0 RGW_STARTED=0 RGW_PID=""

cleanup() {
  set +e
  [ -n "$RGW_PID" ] && wait "$RGW_PID" 2>/dev/null
  [ "$RGW_STARTED" = 1 ] && "${RGW[@]}" stop >/dev/null 2>&1
  "${PG[@]}" stop >/dev/null 2>&1
  [ "$NGINX_STARTED" = 1 ] && bash "$NGINX_SH" stop "$NGINX_PORT" >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T_START=$(date +%s)
log() { printf 'bench: [%3ds] %s\n' $(($(date +%s) - T_START)) "$*"; }

# Ceph takes ~20-30 s to come up: start it first, in the background
if [ $HAVE_RGW = 1 ]; then
  RGW_STARTED=1
  "${RGW[@]}" start >"$WORK/rgw.out" 2>&1 &
  RGW_PID=$!
fi

log "playground on port $BASE, dir $WORK"
bench_pg_start
PROXY=http://127.0.0.1:$BASE
TPID=$(cat "$WORK/pg/target0/pid")
sleep 1
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
RSS_IDLE=$(rss_kib "$TPID")
log "idle target RSS: $RSS_IDLE KiB"

S3_OK=0
[ "$(curl -s -o /dev/null -w '%{http_code}' "$PROXY/s3")" = 200 ] && S3_OK=1
[ $S3_OK = 1 ] || log "S3 API of the cluster not available: S3 rows are n/a"

# ---- data: AIS bucket "bench" with 4k/ and 1m/ objects (random names), nginx files, name lists
L=("$LOADER" -quiet -statsinterval=0 -cksum-type=none)
log "filling ais://bench: $N x 4 KiB, $N1M x 1 MiB"
"${L[@]}" -endpoint="$PROXY" -bucket=ais://bench -subdir=4k -pctput=100 -maxputs="$N" -minsize=4K -maxsize=4K \
  -numworkers=16 -direct -cleanup=false >"$WORK/fill.out" 2>&1
"${L[@]}" -endpoint="$PROXY" -bucket=ais://bench -subdir=1m -pctput=100 -maxputs="$N1M" -minsize=1M -maxsize=1M \
  -numworkers=16 -direct -cleanup=false >>"$WORK/fill.out" 2>&1
curl -s -X GET -H 'Content-Type: application/json' -d '{"action":"list","value":{"props":"name","pagesize":100000}}' \
  "$PROXY/v1/buckets/bench" | "$PY" -c '
import json, sys
names = [e["name"] for e in json.load(sys.stdin)["entries"]]
for sz in ("4k", "1m"):
    open(sys.argv[1] + "/ais-" + sz + ".list", "w").write("".join(n + "\n" for n in names if n.startswith(sz + "/")))
' "$WORK"
for sz in 4k 1m; do
  want=$([ $sz = 4k ] && echo "$N" || echo "$N1M")
  got=$(wc -l <"$WORK/ais-$sz.list")
  [ "$got" = "$want" ] || { echo "bench: ais://bench/$sz has $got objects, want $want" >&2; cat "$WORK/fill.out" >&2; exit 1; }
done
mkdir -p "$WORK/www/bench/4k" "$WORK/www/bench/1m"
"$PY" - "$WORK" "$N" "$N1M" <<'EOF'
import os, sys
w, n, n1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for sz, cnt, size in (("4k", n, 4096), ("1m", n1, 1 << 20)):
    data = os.urandom(size)
    with open("%s/nginx-%s.list" % (w, sz), "w") as lst:
        for i in range(cnt):
            with open("%s/www/bench/%s/o-%d" % (w, sz, i), "wb") as f:
                f.write(data)
            lst.write("%s/o-%d\n" % (sz, i))
EOF
bash "$NGINX_SH" start "$NGINX_PORT" "$WORK/www" >/dev/null
NGINX_STARTED=1
NGINX=http://127.0.0.1:$NGINX_PORT

RGW_OK=0
if [ $HAVE_RGW = 1 ]; then
  log "waiting for Ceph RGW"
  if wait "$RGW_PID"; then RGW_OK=1; else log "RGW failed to start (see $WORK/rgw.out): RGW rows n/a"; fi
  RGW_PID=""
fi
RGW_EP=http://127.0.0.1:$RGW_PORT
S3KEYS=(-s3accesskey=BENCHACCESS -s3secretkey=BENCHSECRET)
if [ $RGW_OK = 1 ]; then
  log "filling s3://bench on RGW"
  "${L[@]}" -s3endpoint="$RGW_EP" "${S3KEYS[@]}" -bucket=s3://bench -subdir=4k -pctput=100 -maxputs="$N" \
    -minsize=4K -maxsize=4K -numworkers=16 -cleanup=false >>"$WORK/fill.out" 2>&1
  "${L[@]}" -s3endpoint="$RGW_EP" "${S3KEYS[@]}" -bucket=s3://bench -subdir=1m -pctput=100 -maxputs="$N1M" \
    -minsize=1M -maxsize=1M -numworkers=16 -cleanup=false >>"$WORK/fill.out" 2>&1
fi

# ---- the matrix; every row is one aisloader run writing JSON stats to $WORK/r-<id>.json
ROWS=$WORK/rows.tsv
: >"$ROWS"
ROWID=0
# row GROUP SERVER WORKERS args... ; GROUP keys the ratio (same group = same workload)
row() {
  local group=$1 server=$2 w=$3; shift 3
  ROWID=$((ROWID + 1))
  local out="$WORK/r-$ROWID.json"
  if "${L[@]}" -json -stats-output="$out" -numworkers="$w" "$@" >"$WORK/r-$ROWID.log" 2>&1; then
    printf '%s\t%s\t%s\t%s\n' "$group" "$server" "$w" "$out" >>"$ROWS"
  else
    printf '%s\t%s\t%s\t%s\n' "$group" "$server" "$w" "FAILED:$WORK/r-$ROWID.log" >>"$ROWS"
    log "row failed: $group $server $w ($(tail -n 1 "$WORK/r-$ROWID.log"))"
  fi
}
na() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "n/a:$4" >>"$ROWS"; }
AIS=(-endpoint="$PROXY")
S3AIS=(-s3endpoint="$PROXY/s3" "${S3KEYS[@]}")
S3RGW=(-s3endpoint="$RGW_EP" "${S3KEYS[@]}")

for sz in 4k 1m; do
  for w in $WORKERS; do
    g="GET $sz"
    log "$g, $w workers"
    D=(-duration="$DURATION" -pctput=0 -cleanup=false)
    row "$g" "nginx" "$w" -s3endpoint="$NGINX" -bucket=s3://bench -filelist="$WORK/nginx-$sz.list" "${D[@]}"
    row "$g" "aisnode target (direct)" "$w" "${AIS[@]}" -bucket=ais://bench -subdir="$sz" -direct "${D[@]}"
    row "$g" "aisnode via proxy (redirect)" "$w" "${AIS[@]}" -bucket=ais://bench -subdir="$sz" "${D[@]}"
    if [ $S3_OK = 1 ]; then
      row "$g" "aisnode S3" "$w" "${S3AIS[@]}" -bucket=s3://bench -filelist="$WORK/ais-$sz.list" "${D[@]}"
    else na "$g" "aisnode S3" "$w" "S3 API not available"; fi
    if [ $RGW_OK = 1 ]; then
      row "$g" "Ceph RGW (S3)" "$w" "${S3RGW[@]}" -bucket=s3://bench -subdir="$sz" "${D[@]}"
    else na "$g" "Ceph RGW (S3)" "$w" "RGW not available"; fi
  done
done

# PUT and mixed rows write into their own buckets, destroyed (emptied on S3) at the end of each row;
# -totalputsize caps the disk/RAM a 1 MiB row can fill
putrows() { # group w args...
  local g=$1 w=$2; shift 2
  local b="p$ROWID"
  row "$g" "aisnode target (direct)" "$w" "${AIS[@]}" -bucket=ais://"$b" -direct "$@"
  row "$g" "aisnode via proxy (redirect)" "$w" "${AIS[@]}" -bucket=ais://"$b"x "$@"
  if [ $S3_OK = 1 ]; then row "$g" "aisnode S3" "$w" "${S3AIS[@]}" -bucket=s3://"$b"s "$@"
  else na "$g" "aisnode S3" "$w" "S3 API not available"; fi
  if [ $RGW_OK = 1 ]; then row "$g" "Ceph RGW (S3)" "$w" "${S3RGW[@]}" -bucket=s3://"$b"r "$@"
  else na "$g" "Ceph RGW (S3)" "$w" "RGW not available"; fi
}
for sz in 1K 1M; do
  for w in $WORKERS; do
    log "PUT $sz, $w workers"
    cap=$([ $sz = 1M ] && echo 2G || echo 1G)
    putrows "PUT $sz" "$w" -duration="$DURATION" -pctput=100 -minsize=$sz -maxsize=$sz -totalputsize=$cap -cleanup=true
  done
done
for w in $WORKERS; do
  log "mixed 80/20 4 KiB, $w workers"
  g="mixed 80% GET/20% PUT 4k"
  M=(-duration="$DURATION" -pctput=20 -minsize=4K -maxsize=4K -cleanup=false)
  row "$g" "aisnode target (direct)" "$w" "${AIS[@]}" -bucket=ais://bench -subdir=4k -direct "${M[@]}"
  if [ $S3_OK = 1 ]; then row "$g" "aisnode S3" "$w" "${S3AIS[@]}" -bucket=s3://bench -filelist="$WORK/ais-4k.list" "${M[@]}"
  else na "$g" "aisnode S3" "$w" "S3 API not available"; fi
  if [ $RGW_OK = 1 ]; then row "$g" "Ceph RGW (S3)" "$w" "${S3RGW[@]}" -bucket=s3://bench -subdir=4k "${M[@]}"
  else na "$g" "Ceph RGW (S3)" "$w" "RGW not available"; fi
done
log "PUT 1 KiB, 4 workers (goal >= 30k/s)"
row "goal: PUT 1K x4" "aisnode target (direct)" 4 "${AIS[@]}" -bucket=ais://goal -direct -duration="$DURATION" \
  -pctput=100 -minsize=1K -maxsize=1K -cleanup=true
row "goal: PUT 1K x4" "aisnode via proxy (redirect)" 4 "${AIS[@]}" -bucket=ais://goalx -duration="$DURATION" \
  -pctput=100 -minsize=1K -maxsize=1K -cleanup=true
sleep 2
RSS_AFTER=$(rss_kib "$TPID")

# ---- report
mkdir -p "$ROOT/bench/results"
STAMP=$(date +%Y-%m-%d-%H%M)
MD=$ROOT/bench/results/$STAMP.md
PNG=$ROOT/bench/results/$STAMP.png
"$PY" - "$ROWS" "$MD" "$WORK/chart.dat" "$RSS_IDLE" "$RSS_AFTER" "$DURATION" "$QUICK" "$S3_OK" "$RGW_OK" \
  "$(basename "$PNG")" "$HAVE_GNUPLOT" <<'EOF'
import json, os, platform, subprocess, sys, time
rows_f, md, dat, rss_idle, rss_after, dur, quick, s3ok, rgwok, png, have_gp = sys.argv[1:]
rows = []
for line in open(rows_f):
    g, server, w, res = line.rstrip("\n").split("\t")
    r = {"group": g, "server": server, "w": int(w), "res": res}
    if res.startswith("n/a:") or res.startswith("FAILED:"):
        r["na"] = res.split(":", 1)[1] if res.startswith("n/a:") else "failed"
    else:
        f = json.load(open(res))[-1]
        secs = int(f["get"]["duration"]) / 1e9 or 1
        cnt = {k: int(f[k]["count"]) for k in ("get", "put")}
        r["ops"] = (cnt["get"] + cnt["put"]) / secs
        r["mibs"] = (int(f["get"]["bytes"]) + int(f["put"]["bytes"])) / secs / 2**20
        main = "put" if cnt["put"] > cnt["get"] else "get"
        r["p50"] = f[main].get("latency_p50", 0) / 1e6
        r["p99"] = max(f[k].get("latency_p99", 0) for k in ("get", "put")) / 1e6
        r["errs"] = int(f["get"]["errors"]) + int(f["put"]["errors"])
        r["cpu"] = f["get"].get("client_cpu_per_op", 0)
    rows.append(r)

def base(r, server):
    for b in rows:
        if b["group"] == r["group"] and b["w"] == r["w"] and b["server"] == server and "ops" in b:
            return b["ops"]
    return None

out = []
p = out.append
p("# aistore-c benchmark, %s" % time.strftime("%Y-%m-%d %H:%M"))
p("")
p("`bench/run.sh%s` on %s, %d CPUs, %s; %s per row; loopback; client (aisloader), servers and peers share "
  "the same CPUs, so ratios are the meaningful output (noisy, +-15%%)." %
  (" --quick" if quick == "1" else "", platform.node(), os.cpu_count(), platform.release(), dur))
p("Playground: 1 proxy + 1 target, 1 mountpath. nginx: one worker, sendfile. Ceph RGW: memstore, "
  "beast tcp_nodelay=1, SigV4 (as aisnode S3). GET rows: ratio to nginx; PUT, mixed and S3 rows: ratio to RGW.")
p("")
p("| workload | workers | server | ops/s | MiB/s | p50 ms | p99 ms | errors | vs nginx | vs RGW |")
p("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
chart = []
for r in rows:
    if "na" in r:
        p("| %s | %d | %s | %s | | | | | | |" % (r["group"], r["w"], r["server"],
          "n/a (S3 API not available)" if "S3 API" in r["na"] else "n/a (%s)" % r["na"]))
        continue
    ng = base(r, "nginx") if r["group"].startswith("GET") else None
    rg = base(r, "Ceph RGW (S3)")
    rn = "%.2f" % (r["ops"] / ng) if ng else ""
    rr = "%.2f" % (r["ops"] / rg) if rg else ""
    p("| %s | %d | %s | %.0f | %.1f | %.3f | %.3f | %d | %s | %s |" %
      (r["group"], r["w"], r["server"], r["ops"], r["mibs"], r["p50"], r["p99"], r["errs"], rn, rr))
    chart.append(r)
p("")
p("## Goals")
def find(g, server, w):
    for r in rows:
        if r["group"] == g and r["server"] == server and r["w"] == w and "ops" in r:
            return r
put4 = find("goal: PUT 1K x4", "aisnode target (direct)", 4)
put4p = find("goal: PUT 1K x4", "aisnode via proxy (redirect)", 4)
if put4:
    p("- 1 KiB PUT, 4 workers: %.0f/s direct to the target%s (goal >= 30k/s: %s; AIStore's dev playground: ~10k/s)." %
      (put4["ops"], ", %.0f/s via the proxy's redirect" % put4p["ops"] if put4p else "",
       "met" if put4["ops"] >= 30000 else "not met"))
p("- Idle target RSS (VmRSS right after start): %.1f MiB (goal <= 16 MiB: %s); after the runs: %.1f MiB." %
  (int(rss_idle) / 1024, "met" if int(rss_idle) <= 16 * 1024 else "not met", int(rss_after) / 1024))
ng = find("GET 4k", "nginx", 16)
tg = find("GET 4k", "aisnode target (direct)", 16)
if ng and tg:
    ceiling = 1e9 / ng["cpu"] if ng["cpu"] else 0
    p("- Loader headroom: against nginx aisloader reached %.0f GET/s (4 KiB, 16 workers), %.2fx its rate "
      "against the aisnode target (%.0f/s); its own CPU cost is %.1f us per request (one loop thread), i.e. a "
      "ceiling of ~%.0f req/s per thread = %.1fx the target's rate (goal >= 2x: %s)." %
      (ng["ops"], ng["ops"] / tg["ops"], tg["ops"], ng["cpu"] / 1e3, ceiling, ceiling / tg["ops"],
       "met" if ceiling >= 2 * tg["ops"] else "not met"))
if s3ok != "1":
    p("- S3 rows of aisnode: n/a (S3 API not available: `GET /s3` did not answer 200).")
if rgwok != "1":
    p("- Ceph RGW rows: n/a (radosgw not installed or failed to start).")
if have_gp == "1":
    p("")
    p("![throughput and p99 latency](%s)" % png)
open(md, "w").write("\n".join(out) + "\n")
with open(dat, "w") as f:
    for i, r in enumerate(chart):
        label = "%s %s x%d" % (r["group"].replace("mixed 80% GET/20% PUT", "mix"), r["server"]
                               .replace("aisnode target (direct)", "ais-direct")
                               .replace("aisnode via proxy (redirect)", "ais-proxy")
                               .replace("aisnode S3", "ais-S3").replace("Ceph RGW (S3)", "RGW"), r["w"])
        f.write('%d "%s" %.1f %.3f\n' % (i, label, r["ops"], r["p99"]))
print("\n".join(out))
EOF
if [ $HAVE_GNUPLOT = 1 ]; then
  gnuplot <<EOF
set terminal pngcairo size 1600,1000 noenhanced font ",9"
set output "$PNG"
set multiplot layout 2,1
set style fill solid 0.8
set boxwidth 0.7
set grid ytics
set xtics rotate by -60 font ",7"
set logscale y
set ylabel "ops/s (log)"
set title "aistore-c vs nginx and Ceph RGW: throughput (aisloader, $DURATION per row)"
plot "$WORK/chart.dat" using 1:3:xtic(2) with boxes notitle lc rgb "#3b6ea5"
set ylabel "p99 latency, ms (log)"
set title "p99 latency"
plot "$WORK/chart.dat" using 1:4:xtic(2) with boxes notitle lc rgb "#c0504d"
unset multiplot
EOF
  log "chart: $PNG"
else
  log "gnuplot not installed (scripts/install-deps.sh): no chart"
fi
log "report: $MD"
