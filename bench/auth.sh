#!/usr/bin/env bash
# bench/auth.sh: GET 4 KiB and 1 MiB through the proxy with JWT auth on vs off, in one run (see
# bench/auth.py; aisloader sends the token). Needs `make all` and python3-jwt. Not a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/aisnode ] && [ -x build/aisloader ] || { echo "bench/auth.sh: build first (make all)" >&2; exit 1; }
exec /usr/bin/python3 bench/auth.py
