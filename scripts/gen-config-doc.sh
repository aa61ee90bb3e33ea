#!/usr/bin/env bash
# gen-config-doc.sh: regenerate the configuration reference in docs/configuration.md from the
# tables compiled into aisnode (src/core/config_tab.c, src/cluster/bprops.c). Replaces what is
# between each "<!-- BEGIN generated: aisnode -dump-... -->" marker and the next
# "<!-- END generated -->"; everything else in the file is left as is. Deterministic: run it
# after changing a table row (tests/unit/test_config.c fails while the docs are stale).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AIS_BIN:-build/aisnode}
DOC=docs/configuration.md
[ -x "$BIN" ] || { echo "gen-config-doc: $BIN not built (run make)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT
"$BIN" -dump-config-table >"$tmp.config"
"$BIN" -dump-bprops-table >"$tmp.bprops"
awk -v cfg="$tmp.config" -v bp="$tmp.bprops" '
  /^<!-- BEGIN generated: aisnode -dump-config-table -->$/ { print; while ((getline l < cfg) > 0) print l; skip = 1; next }
  /^<!-- BEGIN generated: aisnode -dump-bprops-table -->$/ { print; while ((getline l < bp) > 0) print l; skip = 1; next }
  /^<!-- END generated -->$/ { skip = 0 }
  !skip { print }
' "$DOC" >"$tmp"
grep -q -- "-dump-config-table -->" "$tmp" || { echo "gen-config-doc: markers missing in $DOC" >&2; exit 1; }
cp "$tmp" "$DOC"
