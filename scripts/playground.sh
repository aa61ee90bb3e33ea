#!/usr/bin/env bash
# playground.sh: a local aistore-c cluster on 127.0.0.1 (N proxies + M targets, K mountpaths each).
# usage: playground.sh start|stop|status [--proxies N] [--targets M] [--mountpaths K] [--ipv6] [--auth] [--https]
# With N > 1 proxies the first is the primary and the others are gateways that take over if it
# dies (election); any of them serves clients. --ipv6 (or AIS_USE_IPv6=true): nodes on ::1,
# net.use_ipv6, URLs http://[::1]:port (chosen when the playground is first created).
# --https (or AIS_USE_HTTPS=true): TLS on every port (net.http.use_https) with a self-signed CA and
# a node certificate (SAN localhost, 127.0.0.1, ::1) made with the openssl CLI in $DIR/tls (also
# chosen at creation); clients use AIS_ENDPOINT=https://... and AIS_CLIENT_CA=$DIR/tls/ca.crt.
# Env: AIS_PLAYGROUND_DIR (default ~/.aistore-c), AIS_PORT_BASE (default 8080),
#      AIS_BIN (default <project>/build/aisnode), AIS_KEEPALIVE (default 10s), AIS_START_TIMEOUT (20).
# Node i (proxies first, then targets) listens on public base+i, control base+1000+i, data base+2000+i.
# --auth: also start the AuthN service (build/aisauth, docs/authn.md) with its config dir $DIR/authn
# on AIS_AUTHN_PORT (default 52001), RS256 with a key pair it makes once (HS256 when
# AIS_AUTHN_SECRET_KEY is set); the admin password is AIS_AUTHN_SU_PASS, else one generated once into
# $DIR/authn/su_pass (0600). The cluster gets auth.enabled with that key (set with an AuthN admin
# token), is registered with AuthN (alias "playground"), and readiness is checked with an admin token.
# A playground that has $DIR/authn starts AuthN again on every start.
# Layout: $DIR/cluster.json; per node $DIR/<node>/{local.json,conf/,log/,mp<k>/,pid}.
# Invariants: existing configs, identities and data are never overwritten; `stop` signals exactly the
# recorded pids (and only if they still are aisnode processes); every command is idempotent.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${AIS_PLAYGROUND_DIR:-$HOME/.aistore-c}
BASE=${AIS_PORT_BASE:-8080}
BIN=${AIS_BIN:-$ROOT/build/aisnode}
KEEPALIVE=${AIS_KEEPALIVE:-10s}
START_TIMEOUT=${AIS_START_TIMEOUT:-20}
NPROXY=1 NTARGET=3 NMP=2
EXPLICIT=0   # --proxies/--targets given: create nodes up to those counts
IPV6=${AIS_USE_IPv6:-false}
HTTPS=${AIS_USE_HTTPS:-false}

usage() { echo "usage: $0 start|stop|status [--proxies N] [--targets M] [--mountpaths K] [--ipv6] [--auth] [--https]" >&2; exit 2; }
AUTH=0
AUTHN_BIN=${AIS_AUTHN_BIN:-$(dirname "$BIN")/aisauth}
AUTHN_PORT=${AIS_AUTHN_PORT:-52001}
AUTH_HDR=()   # curl args carrying an AuthN admin token once --auth has one

cmd=${1:-}; [ -n "$cmd" ] || usage; shift
while [ $# -gt 0 ]; do
  case $1 in
    --proxies) NPROXY=${2:?}; EXPLICIT=1; shift 2 ;;
    --targets) NTARGET=${2:?}; EXPLICIT=1; shift 2 ;;
    --mountpaths) NMP=${2:?}; shift 2 ;;
    --proxies=*) NPROXY=${1#*=}; EXPLICIT=1; shift ;;
    --targets=*) NTARGET=${1#*=}; EXPLICIT=1; shift ;;
    --mountpaths=*) NMP=${1#*=}; shift ;;
    --ipv6) IPV6=true; shift ;;
    --auth) AUTH=1; shift ;;
    --https) HTTPS=true; shift ;;
    *) usage ;;
  esac
done
for v in "$NPROXY" "$NTARGET" "$NMP" "$BASE"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "playground: not a number: $v" >&2; exit 2; }
done
[ "$NPROXY" -ge 1 ] || { echo "playground: need at least one proxy" >&2; exit 2; }
case $IPV6 in true|1|yes) IPV6=true ;; *) IPV6=false ;; esac
case $HTTPS in true|1|yes) HTTPS=true ;; *) HTTPS=false ;; esac
# an existing playground keeps the address family and scheme it was created with
if [ -f "$DIR/cluster.json" ]; then
  grep -q '"use_ipv6": *true' "$DIR/cluster.json" && IPV6=true || IPV6=false
  grep -q '"use_https": *true' "$DIR/cluster.json" && HTTPS=true || HTTPS=false
fi
if [ "$IPV6" = true ]; then HOST=::1 HOSTURL="[::1]"; else HOST=127.0.0.1 HOSTURL=127.0.0.1; fi
TLS_DIR=$DIR/tls
if [ "$HTTPS" = true ]; then
  SCHEME=https
  export CURL_CA_BUNDLE=$TLS_DIR/ca.crt # our own curl calls trust the playground's CA
else
  SCHEME=http
fi

# --https: a CA and a node certificate signed by it, once per playground (never overwritten)
make_tls() {
  [ -f "$TLS_DIR/server.crt" ] && return 0
  command -v openssl >/dev/null || { echo "playground: --https needs the openssl CLI" >&2; exit 1; }
  mkdir -p "$TLS_DIR"; chmod 700 "$TLS_DIR"
  local ext="$TLS_DIR/server.ext"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" -days 365 \
    -subj "/CN=aistore-c playground CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" \
    -subj "/CN=localhost" 2>/dev/null
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -out "$TLS_DIR/server.crt" -days 365 -sha256 -extfile "$ext" 2>/dev/null
  chmod 600 "$TLS_DIR"/*.key
}

# node names in start order: proxies first, then targets
node_names() {
  local i
  for ((i = 0; i < NPROXY; i++)); do echo "proxy$i"; done
  for ((i = 0; i < NTARGET; i++)); do echo "target$i"; done
}
# every node that has a directory (so stop/status see nodes from an earlier, larger start)
known_nodes() {
  local d
  for d in "$DIR"/proxy* "$DIR"/target*; do
    [ -f "$d/local.json" ] && basename "$d"
  done
  return 0
}
role_of() { case $1 in proxy*) echo proxy ;; *) echo target ;; esac; }

# pid of a running node or empty: pid file present, process alive, and it is aisnode
node_pid() {
  local f="$DIR/$1/pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = aisnode ] || return 0
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 0
  echo "$pid"
}

# public port recorded in a node's local.json (or empty)
node_port() {
  sed -n 's/.*"port" *: *"\([0-9]*\)".*/\1/p' "$DIR/$1/local.json" 2>/dev/null | head -1
}

primary_url() {
  sed -n 's/.*"primary_url" *: *"\([^"]*\)".*/\1/p' "$DIR/cluster.json" 2>/dev/null | head -1
}

write_cluster_config() {
  [ -f "$DIR/cluster.json" ] && return 0
  mkdir -p "$DIR"
  local http='"use_https": false'
  if [ "$HTTPS" = true ]; then
    make_tls
    http="\"use_https\": true, \"server_crt\": \"$TLS_DIR/server.crt\", \"server_key\": \"$TLS_DIR/server.key\", \"client_ca_tls\": \"$TLS_DIR/ca.crt\""
  fi
  cat >"$DIR/cluster.json.tmp" <<EOF
{
  "proxy": {"primary_url": "$SCHEME://$HOSTURL:$BASE", "original_url": "$SCHEME://$HOSTURL:$BASE"},
  "net": {"use_ipv6": $IPV6, "http": {$http}},
  "timeout": {"cplane_operation": "2s", "max_keepalive": "4s"},
  "keepalivetracker": {
    "proxy": {"interval": "$KEEPALIVE", "name": "heartbeat", "factor": 3},
    "target": {"interval": "$KEEPALIVE", "name": "heartbeat", "factor": 3}
  },
  "checksum": {"type": "xxhash2", "validate_cold_get": false, "validate_warm_get": false},
  "versioning": {"enabled": true},
  "log": {"level": "3"}
}
EOF
  mv "$DIR/cluster.json.tmp" "$DIR/cluster.json"
}

# the cluster secret (docs/security.md): generated once per playground ($DIR/cluster_key, mode
# 0600) and given to every node as <confdir>/.ais.cluster_key; intra-cluster requests are signed
# with it, so nodes without it cannot join, push metadata or shut a node down
cluster_key() {
  [ -f "$DIR/cluster_key" ] && return 0
  mkdir -p "$DIR"
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/cluster_key.tmp" && echo >>"$DIR/cluster_key.tmp")
  mv "$DIR/cluster_key.tmp" "$DIR/cluster_key"
}

# write $DIR/<node>/local.json for node index $2 if missing; create dirs
write_local_config() {
  local name=$1 idx=$2 nd="$DIR/$1" k fsp=""
  mkdir -p "$nd/conf" "$nd/log"
  cluster_key
  [ -f "$nd/conf/.ais.cluster_key" ] || (umask 077 && cp "$DIR/cluster_key" "$nd/conf/.ais.cluster_key")
  [ -f "$nd/local.json" ] && return 0
  if [ "$(role_of "$name")" = target ]; then
    for ((k = 0; k < NMP; k++)); do
      mkdir -p "$nd/mp$k"
      fsp+="${fsp:+, }\"$nd/mp$k\": {}"
    done
  fi
  cat >"$nd/local.json.tmp" <<EOF
{
  "confdir": "$nd/conf",
  "log_dir": "$nd/log",
  "host_net": {
    "hostname": "$HOST",
    "hostname_intra_control": "$HOST",
    "hostname_intra_data": "$HOST",
    "port": "$((BASE + idx))",
    "port_intra_control": "$((BASE + 1000 + idx))",
    "port_intra_data": "$((BASE + 2000 + idx))"
  },
  "fspaths": {${fsp}}
}
EOF
  mv "$nd/local.json.tmp" "$nd/local.json"
}

start_node() {
  local name=$1 nd="$DIR/$1" pid
  if [ -n "$(node_pid "$name")" ]; then
    echo "  $name already running (pid $(node_pid "$name"))"
    return 0
  fi
  # setsid: the node gets its own session, so a Ctrl-C in this terminal does not reach it.
  setsid "$BIN" -role="$(role_of "$name")" -config="$DIR/cluster.json" \
    -local_config="$nd/local.json" </dev/null >>"$nd/log/stderr.log" 2>&1 &
  pid=$!
  echo "$pid" >"$nd/pid"
  echo "  started $name (pid $pid, port $(node_port "$name"))"
}

print_log_tails() {
  local n
  local n f
  for n in $(known_nodes); do
    for f in "$DIR/$n/log/aisnode.log" "$DIR/$n/log/stderr.log"; do
      [ -s "$f" ] || continue
      echo "---- $f (last lines)" >&2
      tail -n 12 "$f" >&2
    done
  done
}

# the process recorded in the pid file still exists (it may not have exec'ed aisnode yet)
pid_alive() {
  local pid
  pid=$(cat "$DIR/$1/pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # a child that exited while we still run is a zombie until we exit: treat as dead
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# number of targets in the primary's Smap (0 if unreachable)
smap_targets() {
  curl -s --max-time 2 "${AUTH_HDR[@]+"${AUTH_HDR[@]}"}" "$(primary_url)/v1/cluster?what=smap" 2>/dev/null |
    python3 -c 'import json,sys
try: print(len(json.load(sys.stdin).get("tmap") or {}))
except Exception: print(0)' 2>/dev/null || echo 0
}

# ---- the AuthN service (--auth)
AUTHN_DIR=$DIR/authn
authn_url() { echo "http://127.0.0.1:$AUTHN_PORT"; }
authn_pid() {
  local pid; pid=$(cat "$AUTHN_DIR/pid" 2>/dev/null) || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = aisauth ] && echo "$pid"
  return 0
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

authn_start() {
  [ -x "$AUTHN_BIN" ] || { echo "playground: $AUTHN_BIN not found; run 'make' first" >&2; exit 1; }
  mkdir -p "$AUTHN_DIR"; chmod 700 "$AUTHN_DIR"
  if [ -z "${AIS_AUTHN_SU_PASS:-}" ]; then
    [ -f "$AUTHN_DIR/su_pass" ] || (umask 077; openssl rand -hex 16 > "$AUTHN_DIR/su_pass")
    AIS_AUTHN_SU_PASS=$(cat "$AUTHN_DIR/su_pass")
  fi
  export AIS_AUTHN_SU_PASS
  if [ ! -f "$AUTHN_DIR/authn.json" ]; then
    printf '{\n  "log": {"dir": "%s/log", "level": "3"},\n  "net": {"external_url": "%s", "http": {"port": %s, "use_https": false}},\n  "auth": {"expiration_time": "24h"},\n  "timeout": {"default_timeout": "30s"}\n}\n' \
      "$AUTHN_DIR" "$(authn_url)" "$AUTHN_PORT" > "$AUTHN_DIR/authn.json"
  fi
  if [ -z "$(authn_pid)" ]; then
    # an https cluster: AuthN's calls to it (registration, revocations) trust the playground's CA
    ca=(); [ "$HTTPS" = true ] && ca=(AIS_CLIENT_CA="$TLS_DIR/ca.crt")
    env "${ca[@]}" AIS_AUTHN_PORT="$AUTHN_PORT" nohup "$AUTHN_BIN" -config "$AUTHN_DIR" >> "$AUTHN_DIR/stderr.log" 2>&1 < /dev/null &
    echo $! > "$AUTHN_DIR/pid"
    echo "  started aisauth (pid $!) on $(authn_url)"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until curl -sf -o /dev/null --max-time 1 "$(authn_url)/.well-known/openid-configuration"; do
    if [ -z "$(authn_pid)" ] || [ $SECONDS -ge $deadline ]; then
      echo "playground: aisauth did not come up" >&2; tail -n 20 "$AUTHN_DIR/stderr.log" >&2; exit 1
    fi
    sleep 0.2
  done
  authn_login
}

# an admin token of AuthN into AUTH_HDR
authn_login() {
  local tok
  tok=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"password": sys.argv[1]}))' "$AIS_AUTHN_SU_PASS")" \
    "$(authn_url)/v1/users/${AIS_AUTHN_SU_NAME:-admin}" | json_field token) || true
  [ -n "$tok" ] || { echo "playground: AuthN login as admin failed (AIS_AUTHN_SU_PASS?)" >&2; exit 1; }
  AUTH_HDR=(-H "Authorization: Bearer $tok")
}

# auth.enabled on the cluster with AuthN's key; the cluster registered with AuthN
authn_enable() {
  local url; url=$(primary_url)
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/v1/cluster?what=smap")
  if [ "$code" != 401 ]; then
    local method key
    if [ -n "${AIS_AUTHN_SECRET_KEY:-}" ]; then
      method=HS256 key=$AIS_AUTHN_SECRET_KEY
    else
      method=RS256 key=$(curl -sf "$(authn_url)/v1/public-key" | json_field public_key)
    fi
    curl -sf -o /dev/null -G -X PUT "${AUTH_HDR[@]}" --data-urlencode "auth.signature.method=$method" \
      --data-urlencode "auth.signature.key=$key" --data-urlencode "auth.enabled=true" "$url/v1/cluster/set-config" ||
      { echo "playground: turning auth on failed" >&2; exit 1; }
    echo "  auth.enabled=true ($method, key from AuthN)"
  fi
  local uuid; uuid=$(curl -sf "${AUTH_HDR[@]}" "$url/v1/cluster?what=smap" | json_field uuid)
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$(authn_url)/v1/clusters/$uuid")" != 200 ]; then
    local urls=() n
    for n in $(known_nodes); do [ "$(role_of "$n")" = proxy ] && urls+=("$SCHEME://$HOSTURL:$(node_port "$n")"); done
    curl -sf -o /dev/null -X POST "${AUTH_HDR[@]}" -H 'Content-Type: application/json' \
      -d "$(python3 -c 'import json,sys; print(json.dumps({"id": sys.argv[1], "alias": "playground", "urls": sys.argv[2:]}))' "$uuid" "${urls[@]}")" \
      "$(authn_url)/v1/clusters" || { echo "playground: registering the cluster with AuthN failed" >&2; exit 1; }
    echo "  cluster $uuid registered with AuthN (alias playground)"
  fi
  authn_login   # the admin token names the registered cluster now
  [ "$(curl -s -o /dev/null -w '%{http_code}' "${AUTH_HDR[@]}" "$url/v1/cluster?what=smap")" = 200 ] ||
    { echo "playground: the cluster does not accept AuthN's admin token" >&2; exit 1; }
}

authn_stop() {
  local pid; pid=$(authn_pid)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  echo "  stopping aisauth (pid $pid)"
  rm -f "$AUTHN_DIR/pid"
}

cmd_start() {
  [ -x "$BIN" ] || { echo "playground: $BIN not found; run 'make' first" >&2; exit 1; }
  # an existing playground restarts as it is unless --proxies/--targets ask for more nodes
  local names=() n i=0
  if [ -f "$DIR/cluster.json" ] && [ "$EXPLICIT" = 0 ]; then
    mapfile -t names < <(known_nodes)
  fi
  write_cluster_config
  if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names < <(node_names)
    # node i gets ports base+i (proxies first, then targets); a node added to an existing
    # playground takes the next index whose port no existing node uses
    local used=" "
    for n in $(known_nodes); do used+="$(node_port "$n") "; done
    for n in "${names[@]}"; do
      [ -f "$DIR/$n/local.json" ] && continue
      while [[ $used == *" $((BASE + i)) "* ]]; do i=$((i + 1)); done
      write_local_config "$n" "$i"
      used+="$((BASE + i)) "
      i=$((i + 1))
    done
  fi
  # every target with a directory is expected in the Smap, including ones from an earlier start
  local want=0
  for n in $(known_nodes); do [ "$(role_of "$n")" = target ] && want=$((want + 1)); done
  echo "playground: $DIR (primary $(primary_url))"
  # --auth, or a playground that has AuthN already: AuthN first (its admin token checks readiness)
  if [ "$AUTH" = 1 ] || [ -f "$AUTHN_DIR/authn.json" ]; then AUTH=1; authn_start; fi
  # primary first; wait for it to answer before starting the others
  start_node proxy0
  local deadline=$((SECONDS + START_TIMEOUT))
  until curl -s -o /dev/null --max-time 1 "$(primary_url)/v1/daemon?what=smap"; do
    if ! pid_alive proxy0 || [ $SECONDS -ge $deadline ]; then
      echo "playground: primary proxy did not come up" >&2
      print_log_tails; exit 1
    fi
    sleep 0.2
  done
  for n in $(known_nodes); do [ "$n" = proxy0 ] || start_node "$n"; done
  until [ "$(smap_targets)" -ge "$want" ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(primary_url)/v1/health")" = 200 ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "playground: cluster not ready after ${START_TIMEOUT}s ($(smap_targets)/$want targets in Smap)" >&2
      print_log_tails; exit 1
    fi
    for n in $(known_nodes); do
      if ! pid_alive "$n"; then
        echo "playground: $n exited during start-up" >&2
        print_log_tails; exit 1
      fi
    done
    sleep 0.3
  done
  local url; url=$(primary_url)
  if [ "$AUTH" = 1 ]; then
    authn_enable
    echo "playground: auth is on; AuthN at $(authn_url). Log in (password: AIS_AUTHN_SU_PASS or $AUTHN_DIR/su_pass):"
    echo "  AIS_AUTHN_URL=$(authn_url) ais auth login ${AIS_AUTHN_SU_NAME:-admin} -p PASSWORD"
  fi
  cat <<EOF
playground: ready, $want target(s) in the cluster map. Try:
  curl -s $url/v1/cluster?what=smap | python3 -m json.tool
  curl -i -X POST -H 'Content-Type: application/json' -d '{"action":"create-bck"}' $url/v1/buckets/abc
  curl -L -X PUT -T /etc/hostname $url/v1/objects/abc/hello
  curl -L $url/v1/objects/abc/hello
  curl -s -X GET -H 'Content-Type: application/json' -d '{"action":"list"}' $url/v1/buckets/abc
  $0 status | stop      (data and logs stay in $DIR)
EOF
  if [ "$HTTPS" = true ]; then
    echo "  (https: curl uses --cacert $TLS_DIR/ca.crt; ais/aisloader: AIS_ENDPOINT=$url AIS_CLIENT_CA=$TLS_DIR/ca.crt)"
  fi
}

cmd_stop() {
  local n pid pids=() i
  for n in $(known_nodes); do
    pid=$(node_pid "$n")
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      echo "  stopping $n (pid $pid)"
    fi
    rm -f "$DIR/$n/pid"
  done
  for ((i = 0; i < 50 && ${#pids[@]} > 0; i++)); do
    local alive=()
    for pid in "${pids[@]}"; do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = aisnode ] &&
        ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && alive+=("$pid")
    done
    pids=("${alive[@]+"${alive[@]}"}")
    [ ${#pids[@]} -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    echo "  pid $pid did not exit after TERM; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  done
  authn_stop
  echo "playground: stopped"
}

cmd_status() {
  local n pid state
  printf '%-10s %-7s %-8s %-6s %s\n' NODE ROLE PID PORT STATE
  for n in $(known_nodes); do
    pid=$(node_pid "$n")
    if [ -n "$pid" ]; then
      if curl -s -o /dev/null --max-time 1 "$SCHEME://$HOSTURL:$(node_port "$n")/v1/health"; then
        state=up
      else
        state="running (not answering)"
      fi
    else
      pid=-; state=down
    fi
    printf '%-10s %-7s %-8s %-6s %s\n' "$n" "$(role_of "$n")" "$pid" "$(node_port "$n")" "$state"
  done
}

case $cmd in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
