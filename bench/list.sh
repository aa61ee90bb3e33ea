#!/usr/bin/env bash
# bench/list.sh: list-objects of a big bucket. Starts its own playground (1 proxy + TARGETS
# targets, 1 mountpath each) under a temp dir in FS, creates N objects straight on the
# mountpaths with bench/mkobjs (valid LOMs, HRW placement: what N PUTs would leave, in seconds
# instead of an hour), then lists the whole bucket through the proxy page by page (pagesize
# PAGE, props PROPS, the listing uuid and continuation token sent back as clients do) and
# prints entries/s, the time of the first page, the median / p90 / max of the others, the cost
# per page of the first and last tenth of the listing (flat = O(page), not O(bucket)), and the
# target's and proxy's RSS after the listing. ROUNDS listings (the first one also walks the
# directories cold). Stops exactly what it started; removes the dir unless KEEP=1.
# Env: N (1000000), TARGETS (3), FS (/tmp), PAGE (10000), PROPS ("name,size"), LAYOUT (dirs|flat),
#      ROUNDS (2), THREADS (4, mkobjs), AIS_BIN, KEEP.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
N=${N:-1000000}
TARGETS=${TARGETS:-3}
FS=${FS:-/tmp}
PAGE=${PAGE:-10000}
PROPS=${PROPS:-name,size}
LAYOUT=${LAYOUT:-dirs}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-4}
BIN=${AIS_BIN:-$ROOT/build/aisnode}
LIB=$ROOT/build/libais.a
[ -x "$BIN" ] && [ -f "$LIB" ] || { echo "bench: build first (make)" >&2; exit 1; }
mkdir -p "$ROOT/build/bench"
MK=$ROOT/build/bench/mkobjs
cc -D_GNU_SOURCE -I"$ROOT/src" -std=c17 -O2 -Wall -Wextra -Werror -pthread "$ROOT/bench/mkobjs.c" "$LIB" \
  -lcurl -ljansson -lxxhash -lcrypto -lisal -lexpat -lz -lmsgpackc -lm -o "$MK"

WORK=$(mktemp -d "$FS/ais-benchlist.XXXXXX")
BASE=$(bench_free_base "$PY" $((TARGETS + 1)) $((TARGETS + 2)))
[ -n "$BASE" ] || { echo "bench: no free ports" >&2; exit 1; }
PG=(env AIS_PLAYGROUND_DIR="$WORK/pg" AIS_PORT_BASE="$BASE" AIS_BIN="$BIN" bash "$ROOT/scripts/playground.sh")
cleanup() {
  set +e
  "${PG[@]}" stop >/dev/null 2>&1
  bench_drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"${PG[@]}" start --proxies 1 --targets "$TARGETS" --mountpaths 1 >"$WORK/playground.out" 2>&1 ||
  { cat "$WORK/playground.out" >&2; exit 1; }
PROXY=http://127.0.0.1:$BASE
curl -sf -X POST -H 'Content-Type: application/json' -d '{"action":"create-bck"}' "$PROXY/v1/buckets/big" >/dev/null
curl -sf "$PROXY/v1/cluster?what=smap" >"$WORK/smap.json"
BID=$(curl -sf "$PROXY/v1/daemon?what=bmd" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["providers"]["ais"]["@#"]["big"]["bid"])')
MPS=()
for ((i = 0; i < TARGETS; i++)); do
  u=http://127.0.0.1:$((BASE + 1 + i))
  tid=$(curl -sf "$u/v1/daemon?what=snode" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["daemon_id"])')
  for mp in $(curl -sf "$u/v1/daemon?what=mountpaths" | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["available"]))'); do
    MPS+=(-mp "$tid=$mp")
  done
done
echo "bench: creating $N objects ($LAYOUT) on $TARGETS targets in $WORK ($(stat -f -c %T "$FS"))" >&2
"$MK" -smap "$WORK/smap.json" -bucket big -bid "$BID" -n "$N" -threads "$THREADS" -layout "$LAYOUT" "${MPS[@]}" >&2
PIDS="$(cat "$WORK/pg/proxy0/pid") $(for ((i = 0; i < TARGETS; i++)); do cat "$WORK/pg/target$i/pid"; done)"

"$PY" - "$PROXY" "$N" "$PAGE" "$PROPS" "$ROUNDS" "$PIDS" <<'EOF'
import json, statistics, sys, time
import requests
proxy, n, page, props, rounds, pids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6].split()

def rss_mib(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0

s = requests.Session()
for rnd in range(1, rounds + 1):
    token, uuid, total, times, names = "", "", 0, [], 0
    t0 = time.time()
    prev = None
    while True:
        msg = {"props": props, "pagesize": page, "continuation_token": token, "uuid": uuid}
        a = time.time()
        r = s.get(proxy + "/v1/buckets/big", json={"action": "list", "value": msg}, timeout=600)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        j = r.json()
        times.append(time.time() - a)
        ents = j.get("entries") or []
        if ents:
            assert prev is None or ents[0]["name"] > prev, "pages out of order"
            prev = ents[-1]["name"]
        total += len(ents)
        uuid = j.get("uuid") or uuid
        token = j.get("continuation_token") or ""
        if not token:
            break
    el = time.time() - t0
    assert total == n, "listed %d of %d" % (total, n)
    rest = times[1:] or times
    tenth = max(1, len(rest) // 10)
    print("round %d: %d entries in %d pages, %.1fs: %.0f entries/s; first page %.0f ms; other pages: median %.0f ms, "
          "p90 %.0f ms, max %.0f ms; first tenth %.0f ms/page, last tenth %.0f ms/page" % (
              rnd, total, len(times), el, total / el, times[0] * 1000, statistics.median(rest) * 1000,
              sorted(rest)[int(len(rest) * 0.9) - 1] * 1000 if len(rest) > 1 else rest[0] * 1000,
              max(rest) * 1000, statistics.mean(rest[:tenth]) * 1000, statistics.mean(rest[-tenth:]) * 1000))
    print("  RSS after: " + ", ".join("%s %.0f MiB" % ("proxy" if i == 0 else "target%d" % (i - 1), rss_mib(p))
                                     for i, p in enumerate(pids)))
time.sleep(12)
print("  RSS 12 s later: " + ", ".join("%s %.0f MiB" % ("proxy" if i == 0 else "target%d" % (i - 1), rss_mib(p))
                                      for i, p in enumerate(pids)))
EOF
