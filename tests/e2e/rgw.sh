#!/usr/bin/env bash
# rgw.sh: a Ceph RADOS Gateway (a real S3 endpoint) on loopback for the remote-backend e2e tests and
# bench/backend.sh: one mon + one OSD (memstore) + radosgw, all under $D (CEPHPEER_DIR).
# usage: rgw.sh start | stop | status
# (the team's bench peer, ../shared/bench/rgw.sh, trimmed to what the tests need)
# env: RGW_PORT (7480), MON_PORT (40300 v2; v1 = MON_PORT+489), CEPHPEER_STORE (memstore|bluestore),
#      CEPHPEER_DIR (/tmp/cephpeer), RGW_THREADS (rgw_thread_pool_size, 512 = Ceph default),
#      RGW_DEBUG (debug_rgw, default 0/0 = no per-request log line; Ceph's default is 1/5)
#      RGW_NODELAY (beast tcp_nodelay, default 1; Ceph default 0 costs ~40 ms per small GET: Nagle + delayed ACK)
# Needs Debian 12 packages: radosgw ceph-mon ceph-osd (16.2.15), uuid-runtime, curl (scripts/install-deps.sh).
# No mgr (not needed for S3).
# start wipes $D first (after stopping what a previous start left). stop kills only the pids recorded in $D/pids.
# S3 user: access BENCHACCESS, secret BENCHSECRET, path-style, region us-east-1 (any is accepted).
set -eu
cmd=${1:?start|stop|status}
D=${CEPHPEER_DIR:-/tmp/cephpeer}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-40300}
MON_PORT1=$((MON_PORT + 489))
STORE=${CEPHPEER_STORE:-memstore}
CONF=$D/ceph.conf
AK=BENCHACCESS SK=BENCHSECRET

log() { echo "rgw.sh: $*" >&2; }
trap 'log "FAILED at line $LINENO (rc=$?); logs in $D/log; daemons left running, run: $0 stop"' ERR

stop_all() {
  [ -f "$D/pids" ] || return 0
  # reverse order: rgw, osd, mon
  # only pids that are still our daemons (their command line names our ceph.conf): guards against pid reuse
  local pids="" p
  for p in $(tac "$D/pids" | awk '{print $1}'); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "-c $CONF " && pids="$pids $p"
  done
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    local alive=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  rm -f "$D/pids"
}

wait_for() { # desc seconds cmd...
  local desc=$1 t=$2; shift 2
  for i in $(seq 1 $((t * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  log "timeout waiting for $desc"; return 1
}

ceph_() { timeout 30 ceph -c "$CONF" "$@"; }

case $cmd in
start)
  stop_all
  for port in $RGW_PORT $MON_PORT $MON_PORT1; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then log "127.0.0.1:$port is already in use"; exit 1; fi
  done
  rm -rf "$D"; mkdir -p "$D/log" "$D/run" "$D/mon.a" "$D/osd0"
  FSID=$(uuidgen)
  cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
# radosgw defaults ms_mon_client_mode=secure, impossible with auth none (-> get_initial_auth_request returned -13)
ms mon client mode = crc
ms client mode = crc
keyring = $D/keyring
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
ms bind ipv6 = false
[mon]
mon data = $D/mon.\$id
[osd]
osd data = $D/osd\$id
osd objectstore = $STORE
memstore device bytes = $((8 << 30))
bluestore block path = $D/osd\$id.block
bluestore block create = true
bluestore block size = $((16 << 30))
bluestore block db create = false
bluestore block wal create = false
bluestore cache autotune = true
osd memory target = $((1 << 30))
osd max object size = $((128 << 20))
osd op num shards = 2
osd op num threads per shard = 2
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=${RGW_NODELAY:-1}
rgw thread pool size = ${RGW_THREADS:-512}
rgw data = $D/rgw
rgw enable usage log = false
rgw enable ops log = false
debug rgw = ${RGW_DEBUG:-0/0}
CONF
  # keyrings exist only because mkfs wants them; auth is "none" everywhere
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]" "$D/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >"$D/log/mkfs-mon.out" 2>&1
  ceph-mon -c "$CONF" -i a -f >>"$D/log/mon.a.out" 2>&1 &
  echo "$! mon.a" >>"$D/pids"
  wait_for "mon" 60 ceph_ mon stat
  OSD_UUID=$(uuidgen)
  id=$(ceph_ osd new "$OSD_UUID")
  [ "$id" = 0 ] || { log "osd new gave id '$id'"; exit 1; }
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$D/log/mkfs-osd.out" 2>&1
  ceph-osd -c "$CONF" -i 0 -f >>"$D/log/osd.0.out" 2>&1 &
  echo "$! osd.0" >>"$D/pids"
  wait_for "osd up" 90 sh -c "ceph -c '$CONF' osd dump 2>/dev/null | grep -q '^osd.0 up'"
  mkdir -p "$D/rgw"
  radosgw -c "$CONF" -n client.rgw.a -f >>"$D/log/rgw.a.out" 2>&1 &
  echo "$! rgw.a" >>"$D/pids"
  wait_for "rgw on 127.0.0.1:$RGW_PORT" 120 curl -sf -o /dev/null "http://127.0.0.1:$RGW_PORT/"
  timeout 60 radosgw-admin -c "$CONF" -n client.admin user create --uid=bench --display-name=bench \
    --access-key=$AK --secret-key=$SK >"$D/user.json" 2>>"$D/log/radosgw-admin.out"
  "$0" status
  ;;
stop)
  stop_all
  log "stopped (data left in $D)"
  ;;
status)
  if [ ! -f "$D/pids" ]; then echo "not running"; exit 1; fi
  rc=0
  while read -r p name; do
    if kill -0 "$p" 2>/dev/null; then echo "$name pid $p up"; else echo "$name pid $p DOWN"; rc=1; fi
  done <"$D/pids"
  echo "store=$(awk '/^osd objectstore/{print $4}' "$CONF")"
  echo "endpoint=http://127.0.0.1:$RGW_PORT"
  echo "access_key=$AK"
  echo "secret_key=$SK"
  echo "conf=$CONF  (ceph -c $CONF -s ; radosgw-admin -c $CONF ...)"
  exit $rc
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
