#!/usr/bin/env bash
# run-fuzz.sh JOBS tests/fuzz/fuzz_<name>.c...: runs each built libFuzzer driver
# (build-fuzz/fuzz_<name>) for FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus/fuzz_<name>)
# plus what earlier runs found (build-fuzz/corpus/fuzz_<name>), JOBS drivers at a time. A crash,
# leak or sanitizer report fails the run and prints the driver's log tail (the reproducer is
# written as build-fuzz/crash-*).
set -uo pipefail
jobs=${1:?JOBS}
shift
secs=${FUZZ_SECONDS:-20}

one() {
  local n secs=$2
  n=$(basename "$1" .c)
  mkdir -p "tests/fuzz/corpus/$n" "build-fuzz/corpus/$n"
  if ! "build-fuzz/$n" -max_total_time="$secs" -rss_limit_mb=4096 -artifact_prefix=build-fuzz/ \
       "build-fuzz/corpus/$n" "tests/fuzz/corpus/$n" >"build-fuzz/$n.log" 2>&1; then
    tail -n 40 "build-fuzz/$n.log"
    echo "fuzz: $n failed"
    return 1
  fi
  echo "== $n (${secs}s): $(tail -n 1 "build-fuzz/$n.log")"
}
export -f one
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one "$@"' _ {} "$secs"
