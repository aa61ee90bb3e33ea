# bench/lib.sh: helpers sourced by bench/run.sh and bench/get.sh (not run on its own).
# shellcheck shell=bash
# Expects ROOT (the repository), and WORK (the run's temp dir) before bench_pg / bench_drop_work.

# bench_need TOOL...: stop unless every TOOL is on PATH
bench_need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "bench: $t not found (bash scripts/install-deps.sh)" >&2; exit 1; }
  done
}

# bench_free_base PY [OFFSET...]: print a random base port b such that the playground's ports
# (b, b+1, each +1000 and +2000) and b+OFFSET... are all free on 127.0.0.1; nothing if none found
bench_free_base() {
  local py=$1
  shift
  "$py" - "$@" <<'PYEOF'
import random, socket, sys
extra = [int(a) for a in sys.argv[1:]]
def free(p):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(500):
    b = random.randrange(10000, 29000)  # below the ephemeral range (32768+): no client socket holds it
    ports = [b + o + i for o in (0, 1000, 2000) for i in range(2)] + [b + x for x in extra]
    if all(free(p) for p in ports):
        print(b); break
PYEOF
}

# bench_pg BASE BIN: set PG to the playground command (scripts/playground.sh in $WORK/pg)
bench_pg() {
  PG=(env AIS_PLAYGROUND_DIR="$WORK/pg" AIS_PORT_BASE="$1" AIS_BIN="$2" bash "$ROOT/scripts/playground.sh")
}

# bench_pg_start: start the playground (1 proxy + 1 target + 1 mountpath); its output on failure
bench_pg_start() {
  "${PG[@]}" start --proxies 1 --targets 1 --mountpaths 1 >"$WORK/playground.out" 2>&1 ||
    { cat "$WORK/playground.out" >&2; exit 1; }
}

# bench_drop_work: remove $WORK unless KEEP=1 (the end of every cleanup)
bench_drop_work() {
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $WORK"; else rm -rf "$WORK"; fi
}
