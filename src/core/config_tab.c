/* config_tab: the configuration table and the per-type codecs it drives (see config_tab.h).
 * Invariants:
 *  1. every value reaches config_t only through config_tab_parse + config_tab_store of its row,
 *     so defaults, load, set-config, show and docs cannot disagree about a field;
 *  2. a row's default parses with its own row (checked by tests/unit/test_config.c);
 *  3. CF_NIY rows accept only what this build implements: a config that asks for more fails
 *     with AIS_ENOTIMPL, it is never stored and ignored.
 * Defaults, ranges and messages follow AIStore 4.7 (cmn/config.go: the section Validate()s;
 * defaults as deploy/dev/local/aisnode_config.sh writes them). Deviations are commented. */
#include "core/config_tab.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEC(x) ((int64_t)(x) * 1000000000LL)
#define MSEC(x) ((int64_t)(x) * 1000000LL)
#define MINUTE(x) SEC((int64_t)(x) * 60)
#define HOUR(x) SEC((int64_t)(x) * 3600)
#define KIB(x) ((int64_t)(x) << 10)
#define MIB(x) ((int64_t)(x) << 20)
#define GIB(x) ((int64_t)(x) << 30)
#define TIB(x) ((int64_t)(x) << 40)
#define I64MAX INT64_MAX

#define MEMBER(m) .off = offsetof(config_t, m), .size = sizeof(((config_t *)0)->m)
#define B(p, f, m, d, dc) {.path = p, .type = CT_BOOL, .flags = (f), MEMBER(m), .dflt = d, .lo = 1, .doc = dc}
#define I(p, f, m, d, l, h, dc) {.path = p, .type = CT_INT, .flags = (f), MEMBER(m), .dflt = d, .lo = l, .hi = h, .doc = dc}
#define D(p, f, m, d, l, h, dc) {.path = p, .type = CT_DUR, .flags = (f), MEMBER(m), .dflt = d, .lo = l, .hi = h, .doc = dc}
#define Z(p, f, m, d, l, h, dc) {.path = p, .type = CT_SIZE, .flags = (f), MEMBER(m), .dflt = d, .lo = l, .hi = h, .doc = dc}
#define S(p, f, m, d, dc) {.path = p, .type = CT_STR, .flags = (f), MEMBER(m), .dflt = d, .lo = 1, .doc = dc}
#define E(p, f, m, d, v, dc) {.path = p, .type = CT_ENUM, .flags = (f), MEMBER(m), .dflt = d, .lo = 1, .vals = v, .doc = dc}

/* flag shorthands */
#define G CF_GLOBAL
#define U CF_USED
#define N CF_NIY
#define RO CF_RO
#define L (CF_LOCAL | CF_RO)

static const char *const v_compress[] = {"never", "always", NULL};
static const char *const v_cksum[] = {"crc32c", "md5", "sha256", "sha512", "xxhash", "xxhash2", "none", NULL};
static const char *const v_wpolicy[] = {"", "immediate", "delayed", "never", NULL};
static const char *const ok_wpolicy[] = {"", "immediate", NULL};
static const char *const v_heartbeat[] = {"heartbeat", NULL};
static const char *const v_l4[] = {"tcp", NULL};
static const char *const v_empty[] = {"", NULL};
static const char *const v_sigmethod[] = {"", "HS256", "HS384", "HS512", "HMAC", "RS256", "RS384", "RS512", "RSA", NULL};

/* the XactConf trio AIStore embeds in ec, rebalance, tcb, tco, arch, get_batch */
#define XACT(sect, f, cm, bm, bu, bdef)                                                                      \
	E(sect ".compression", (f) | N, cm, "never", v_compress, "compression of the job's intra-cluster streams: not built (never)."), \
	I(sect ".bundle_multiplier", (f) | N, bm, bdef, 0, 16, "streams per destination target: only the default."),                  \
	I(sect ".burst_buffer", (f) | N | CF_ZERO_OK, bu, "0", 32, 10000, "work channel size: only the default (0: system default).")

static const ctab_row_t ctab[] = {
	/* ---------------- cluster ---------------- */
	{.path = "backend", .type = CT_BACKEND, .flags = G | U,
	 .doc = "remote backends: \"aws\": {} enables s3:// buckets; \"ais\": {\"alias\": [\"url\"]} attaches remote AIS clusters (ais cluster remote-attach); gcp, azure, oci, ht: not built (501)."},

	I("mirror.copies", G, mirror_copies, "2", 2, 32, "number of copies of an n-way mirrored bucket (bucket default)."),
	I("mirror.burst_buffer", G | U, mirror_burst, "512", 0, 1 << 20,
	  "queued asynchronous put-copies of a mirrored bucket (bucket default; 0: the PUT makes its copies before it answers)."),
	B("mirror.enabled", G | N, mirror_enabled, "false", "n-way mirroring (bucket default): not built."),

	I("ec.objsize_limit", G, ec_objsize_limit, "262144", -1, I64MAX, "objects below are replicated, above erasure coded (bucket default)."),
	XACT("ec", G, ec_compression, ec_bundle_mult, ec_burst, "2"),
	I("ec.data_slices", G, ec_data_slices, "1", 1, 32, "EC data slices D (bucket default)."),
	I("ec.parity_slices", G, ec_parity_slices, "1", 1, 32, "EC parity slices P (bucket default)."),
	B("ec.enabled", G | N, ec_enabled, "false", "erasure coding (bucket default): not built."),
	B("ec.disk_only", G | N, ec_disk_only, "false", "EC without in-memory buffers (bucket default): not built (false)."),

	Z("chunks.objsize_limit", G | U, chunks_objsize_limit, "0", 0, TIB(1),
	  "objects PUT above this size (0: never) are stored as chunks of chunk_size."),
	Z("chunks.chunk_size", G | U | CF_ZERO_OK, chunks_chunk_size, "1GiB", KIB(1), GIB(5), "chunk size of auto-chunked objects (0: 1GiB)."),
	Z("chunks.max_monolithic_size", G | CF_ZERO_OK, chunks_max_monolithic, "1TiB", GIB(1), TIB(1),
	  "largest object stored as one file (0: 1TiB)."),
	I("chunks.checkpoint_every", G | U, chunks_checkpoint_every, "0", 0, 1024,
	  "multipart uploads persist their partial manifest every N parts (0: keep it in memory)."),
	I("chunks.flags", G, chunks_flags, "0", 0, I64MAX, "reserved bits (AIStore)."),

	{.path = "log.level", .type = CT_LOGLVL, .flags = U, MEMBER(log_level), .dflt = "3", .lo = 1, .noun = "log level",
	 .doc = "verbosity: 3 = info, 4 and 5 add debug detail; applies at once."},
	Z("log.max_size", 0, log_max_size, "10mb", KIB(1), GIB(1), "log rotation size (log files are not rotated yet)."),
	Z("log.max_total", 0, log_max_total, "256mb", MIB(1), GIB(10), "total size of kept logs (not rotated yet)."),
	D("log.flush_time", 0, log_flush_time_ns, "60s", 0, HOUR(1), "log flush interval (lines are flushed as written)."),
	D("log.stats_time", 0, log_stats_time_ns, "60s", 0, MINUTE(10), "(not used by AIStore either)."),
	B("log.to_stderr", U | CF_RESTART, log_to_stderr, "false", "log to stderr instead of <log_dir>/aisnode.log."),

	D("periodic.stats_time", G, stats_time_ns, "10s", SEC(1), MINUTE(1), "statistics period (metrics are pulled: not used)."),
	D("periodic.notif_time", G, notif_time_ns, "30s", SEC(1), MINUTE(1), "job notification period."),
	D("periodic.retry_sync_time", G | U, retry_sync_time_ns, "2s", MSEC(10), SEC(10),
	  "the primary re-pushes metadata to nodes that missed a version this often."),

	D("timeout.cplane_operation", U, cplane_timeout_ns, "2s", MSEC(10), HOUR(1),
	  "timeout of intra-cluster control calls (join, metasync, list pages)."),
	D("timeout.max_keepalive", U, max_keepalive_ns, "5s", MSEC(20), HOUR(1),
	  "timeout of one keepalive round trip and of the health probe of a silent node."),
	D("timeout.max_host_busy", 0, max_host_busy_ns, "20s", SEC(10), HOUR(24), "2-phase transactions."),
	D("timeout.startup_time", 0, startup_time_ns, "1m", SEC(30), HOUR(24), "primary waits this long for joins at start."),
	D("timeout.join_startup_time", CF_ZERO_OK, join_startup_time_ns, "3m", SEC(1), HOUR(24),
	  "a node's join at start-up (0: 2 x startup_time)."),
	D("timeout.send_file_time", 0, send_file_time_ns, "5m", MINUTE(1), HOUR(24), "large object transfers."),
	D("timeout.ec_streams_time", CF_ZERO_OK, ec_streams_time_ns, "10m", MINUTE(5), HOUR(24), "idle EC streams."),
	D("timeout.object_md", CF_ZERO_OK, object_md_ns, "2h", MINUTE(20), HOUR(16), "object metadata cache lifetime."),
	D("timeout.cold_get_conflict", CF_ZERO_OK, cold_get_conflict_ns, "5s", SEC(1), HOUR(24), "cold GET conflict wait."),

	D("client.client_timeout", CF_ZERO_OK, client_timeout_ns, "10s", SEC(1), MINUTE(30), "client request timeout (CLI)."),
	D("client.client_long_timeout", CF_ZERO_OK, client_long_timeout_ns, "10m", SEC(1), MINUTE(30), "long client requests (CLI)."),
	D("client.list_timeout", CF_ZERO_OK, list_timeout_ns, "1m", SEC(1), MINUTE(30), "list-objects page timeout (CLI)."),

	S("proxy.primary_url", G | U, primary_url, "",
	  "public URL of the primary proxy; the proxy whose public URL equals it starts as the primary."),
	S("proxy.original_url", G, original_url, "", "the original primary's URL (AIStore)."),
	S("proxy.discovery_url", G, discovery_url, "", "alternative primary discovery URL."),
	B("proxy.non_electable", G | RO, proxy_non_electable, "false", "(deprecated in AIStore, not used)."),

	I("space.cleanupwm", 0, space_cleanupwm, "65", 1, 100, "used capacity (%) that triggers space cleanup."),
	I("space.lowwm", 0, space_lowwm, "75", 1, 100, "LRU evicts down to this used capacity (%)."),
	I("space.highwm", U, space_highwm, "90", 1, 100, "above this used capacity (%) the node reports low capacity."),
	I("space.out_of_space", U, space_oos, "95", 1, 100, "above this used capacity (%) the node reports out of space."),
	I("space.batch_size", CF_ZERO_OK, space_batch_size, "32768", 1024, 512 * 1024, "space cleanup batch (0: 32768)."),
	D("space.dont_cleanup_time", U | CF_ZERO_OK, dont_cleanup_time_ns, "120m", MINUTE(15), HOUR(24 * 365),
	  "space cleanup leaves abandoned uploads, work files and orphaned chunks younger than this (0: 1h)."),

	D("lru.dont_evict_time", 0, lru_dont_evict_time_ns, "120m", HOUR(1), HOUR(24 * 365), "LRU: no eviction after an access for this long."),
	D("lru.capacity_upd_time", 0, lru_capacity_upd_time_ns, "10m", SEC(10), HOUR(24), "capacity refresh period."),
	I("lru.batch_size", CF_ZERO_OK, lru_batch_size, "32768", 1024, 512 * 1024, "LRU eviction batch (0: 32768)."),
	B("lru.enabled", N, lru_enabled, "true", "LRU eviction (remote buckets; ais:// buckets never evict): not built."),

	D("disk.iostat_time_long", 0, disk_iostat_long_ns, "2s", SEC(2), SEC(60), "disk utilization sampling (long)."),
	D("disk.iostat_time_short", 0, disk_iostat_short_ns, "100ms", MSEC(1), SEC(60), "disk utilization sampling (short)."),
	D("disk.iostat_time_smooth", 0, disk_iostat_smooth_ns, "8s", 0, MINUTE(10), "utilization smoothing window."),
	I("disk.disk_util_low_wm", 0, disk_util_low_wm, "20", 1, 100, "no throttling below this disk utilization (%)."),
	I("disk.disk_util_high_wm", 0, disk_util_high_wm, "80", 1, 100, "throttle above this disk utilization (%)."),
	I("disk.disk_util_max_wm", 0, disk_util_max_wm, "95", 1, 100, "maximum disk utilization (%)."),

	D("rebalance.dest_retry_time", G | U, rebalance_dest_retry_ns, "2m", SEC(1), MINUTE(10),
	  "rebalance: how long a target waits for its peers at a stage barrier before it aborts."),
	E("rebalance.compression", G | N, rebalance_compression, "never", v_compress, "compression of the rebalance streams: not built (never)."),
	I("rebalance.bundle_multiplier", G | U, rebalance_bundle_mult, "2", 0, 16,
	  "rebalance: streams per destination target (0: 1; at most 4 are used)."),
	I("rebalance.burst_buffer", G | U | CF_ZERO_OK, rebalance_burst, "0", 32, 10000,
	  "rebalance: objects queued per stream before the sender waits (0: transport.burst_buffer)."),
	B("rebalance.enabled", G | U, rebalance_enabled, "true",
	  "global rebalance when the set of active targets changes (join, removal, maintenance, decommission)."),
	B("resilver.enabled", U, resilver_enabled, "true",
	  "resilver (objects to their HRW mountpath) after a mountpath is attached, enabled, disabled or detached."),

	{.path = "checksum.type", .type = CT_ENUM, .flags = G | U, MEMBER(cksum_type), .dflt = "xxhash2", .lo = 1,
	 .vals = v_cksum, .noun = "checksum type", .doc = "default object checksum of new buckets."},
	B("checksum.validate_cold_get", G | U, validate_cold_get, "false",
	  "bucket default: verify objects fetched from a remote backend (no remote backends here)."),
	B("checksum.validate_warm_get", G | U, validate_warm_get, "false",
	  "bucket default: re-hash a stored object on GET; a mismatch removes it and answers 500."),
	B("checksum.validate_obj_move", G | N, validate_obj_move, "false", "verify objects moved within the cluster: not built."),
	B("checksum.enable_read_range", G | N, enable_read_range, "false", "range checksums on range reads: not built."),

	I("transport.max_header", G | CF_ZERO_OK, transport_max_header, "4096", 512, KIB(128), "stream header buffer."),
	I("transport.burst_buffer", G | U | CF_RESTART | CF_ZERO_OK, transport_burst, "512", 256, 4096,
	  "objects a target-to-target stream queues before the sender waits (takes effect on restart)."),
	D("transport.idle_teardown", G | CF_ZERO_OK, transport_idle_teardown_ns, "4s", SEC(1), HOUR(1), "idle stream teardown."),
	D("transport.quiescent", G, transport_quiescent_ns, "10s", SEC(8), HOUR(1), "stream quiescence."),
	Z("transport.lz4_block", G, transport_lz4_block, "256kb", KIB(64), MIB(4), "lz4 block: 64KiB, 256KiB, 1MiB or 4MiB."),
	B("transport.lz4_frame_checksum", G, transport_lz4_frame_checksum, "false", "lz4 frame checksums."),

	Z("memsys.min_free", CF_RESTART | CF_ZERO_OK, memsys_min_free, "2gb", MIB(100), TIB(1), "memory reserve."),
	Z("memsys.default_buf", CF_RESTART, memsys_default_buf, "32kb", 0, KIB(128), "default buffer (multiple of 4KiB)."),
	Z("memsys.to_gc", CF_RESTART, memsys_to_gc, "4gb", 0, TIB(1), "free memory to trigger GC."),
	D("memsys.hk_time", CF_RESTART, memsys_hk_time_ns, "3m", 0, HOUR(1), "memory housekeeping period."),
	I("memsys.min_pct_total", CF_RESTART, memsys_min_pct_total, "0", 0, 95, "minimum free memory (% of total)."),
	I("memsys.min_pct_free", CF_RESTART, memsys_min_pct_free, "0", 0, 95, "minimum free memory (% of free)."),

	B("versioning.enabled", G | U, versioning, "true",
	  "bucket default: objects get a version (Ais-Version) that each overwrite increments."),
	B("versioning.validate_warm_get", G, versioning_validate_warm_get, "false",
	  "bucket default: revalidate remote versions (remote buckets only; needs versioning.enabled)."),
	B("versioning.synchronize", G, versioning_synchronize, "false", "bucket default: also delete objects gone remotely (remote buckets only)."),

	E("net.l4.proto", G | RO, net_l4_proto, "tcp", v_l4, "transport protocol."),
	I("net.l4.sndrcv_buf_size", G | RO, net_l4_sndrcv_buf_size, "131072", 0, 1 << 30, "SO_SNDBUF/SO_RCVBUF."),
	B("net.http.use_https", G | U | CF_RESTART, net_http_use_https, "false",
	  "HTTPS (TLS, OpenSSL) for the public and both intra-cluster networks (docs/https.md)."),
	S("net.http.server_crt", G | U | CF_RESTART, net_http_server_crt, "server.crt",
	  "HTTPS: the node's X.509 certificate (PEM; also its client certificate with mutual TLS); reloaded by load-x509 and SIGHUP."),
	S("net.http.server_key", G | U | CF_RESTART, net_http_server_key, "server.key", "HTTPS: the certificate's private key (PEM)."),
	E("net.http.domain_tls", G | CF_RESTART, net_http_domain_tls, "", v_empty, "must be empty (SANs belong in the X.509 certificate)."),
	S("net.http.client_ca_tls", G | U | CF_RESTART, net_http_client_ca_tls, "",
	  "HTTPS: CA bundle (PEM) that verifies client certificates and, on intra-cluster clients, the peers (\"\": system CAs)."),
	I("net.http.client_auth_tls", G | U | CF_RESTART, net_http_client_auth_tls, "0", 0, 4,
	  "tls.ClientAuthType: 0 none, 1 request, 2 require any, 3 verify if given, 4 require and verify."),
	D("net.http.idle_conn_time", G | CF_RESTART, net_http_idle_conn_time_ns, "6s", 0, SEC(30), "idle intra-cluster connections."),
	I("net.http.idle_conns_per_host", G | CF_RESTART, net_http_idle_conns_per_host, "32", 0, 128, "idle connections per host."),
	I("net.http.idle_conns", G | CF_RESTART, net_http_idle_conns, "256", 0, 4096, "idle connections in total."),
	I("net.http.write_buffer_size", G | RO, net_http_write_buffer_size, "0", 0, 1 << 30, "client write buffer (0: default)."),
	I("net.http.read_buffer_size", G | RO, net_http_read_buffer_size, "0", 0, 1 << 30, "client read buffer (0: default)."),
	B("net.http.chunked_transfer", G | CF_RESTART, net_http_chunked_transfer, "true", "(not used by AIStore either)."),
	B("net.http.skip_verify", G | U | CF_RESTART, net_http_skip_verify, "false",
	  "intra-cluster clients skip X.509 verification of the peers (self-signed certificates)."),
	B("net.use_ipv6", G | U | CF_RESTART, net_use_ipv6, "false",
	  "prefer IPv6: a node without a configured hostname advertises its first global IPv6 address (else ::1) and listens on ::; node URLs are http://[addr]:port."),

	I("fshc.test_files", 0, fshc_test_files, "4", 4, 1 << 20, "filesystem health checker: files to probe."),
	I("fshc.error_limit", 0, fshc_error_limit, "2", 2, 1 << 20, "hard errors before a mountpath is checked."),
	I("fshc.io_err_limit", CF_ZERO_OK, fshc_io_err_limit, "10", 10, 1 << 20, "I/O errors per io_err_time (0: 10)."),
	D("fshc.io_err_time", CF_ZERO_OK, fshc_io_err_time_ns, "10s", SEC(10), SEC(60), "I/O error window (0: 10s)."),
	B("fshc.enabled", N, fshc_enabled, "true", "filesystem health checker (not built; only the default)."),

	B("auth.enabled", G | U, auth_enabled, "false",
	  "JWT authentication of the native API (docs/security.md); turning it on takes an admin token."),
	E("auth.signature.method", G | U, auth_sig_method, "", v_sigmethod,
	  "how tokens are signed: HS256/384/512 (HMAC, key = the shared secret) or RS256/384/512 (key = PEM public key)."),
	S("auth.signature.key", G | U | CF_SECRET, auth_sig_key, "", "the token signature key (never shown)."),
	{.path = "auth.required_claims.aud", .type = CT_STRL, .flags = G | U, MEMBER(auth_aud), .dflt = "", .lo = 1,
	 .doc = "a token must name one of these audiences (aud claim); empty: any."},
	{.path = "auth.oidc.allowed_iss", .type = CT_STRL, .flags = G | U, MEMBER(auth_oidc_iss), .dflt = "", .lo = 1,
	 .doc = "OIDC issuers (https URLs) whose JWKS verify tokens when auth.signature.key is empty; a token of another issuer is refused."},
	S("auth.oidc.issuer_ca_bundle", G | U, auth_oidc_ca, "", "PEM CA bundle that verifies the issuers' HTTPS certificates (empty: the system's)."),
	D("auth.oidc.jwks_cache.min_rotation_refresh", G | U | CF_ZERO_OK, auth_jwks_rot_ns, "30s", SEC(1), I64MAX,
	  "a token with an unknown key ID re-fetches its issuer's JWKS at most this often (0: 30s)."),
	D("auth.oidc.jwks_cache.min_background_refresh", G | U | CF_ZERO_OK, auth_jwks_bg_ns, "15m", MINUTE(5), I64MAX,
	  "cached JWKS are re-fetched in the background this often (0: 15m)."),
	/* the cluster key (docs/security.md): intra-cluster requests and redirects are always signed
	 * with the cluster secret (<confdir>/.ais.cluster_key or $AIS_CLUSTER_KEY_FILE); these rows are
	 * AIStore's auth.cluster_key. Deviation: enabled defaults to true and cannot be turned off
	 * (AIStore's default is false, and it accepts unsigned redirects) */
	B("auth.cluster_key.enabled", G | N, auth_ck_enabled, "true",
	  "proxies sign each redirect (HMAC over method, path, node, time, nonce); always on here."),
	D("auth.cluster_key.ttl", G | U, auth_ck_ttl_ns, "0s", 0, I64MAX,
	  "the primary replaces the cluster secret this often (0: never; else >= 1h) and hands it to every node."),
	D("auth.cluster_key.nonce_window", G | U | CF_ZERO_OK, auth_ck_nonce_window_ns, "1m", MSEC(1), MINUTE(10),
	  "max clock skew between nodes: a signed intra-cluster request older or newer than this is refused (0: 1m)."),
	D("auth.cluster_key.rotation_grace", G | U | CF_ZERO_OK, auth_ck_rotation_grace_ns, "1m", SEC(1), HOUR(1),
	  "how long a cluster secret dropped from the key file stays accepted (0: 1m)."),

	D("keepalivetracker.proxy.interval", U, ka_proxy_interval_ns, "10s", SEC(1), MINUTE(1),
	  "how often a proxy reports to the primary, and how often the primary checks on silent nodes."),
	E("keepalivetracker.proxy.name", RO, ka_proxy_name, "heartbeat", v_heartbeat, "tracker kind."),
	I("keepalivetracker.proxy.factor", U, ka_proxy_factor, "3", 1, 255,
	  "the primary removes a node silent for proxy.interval x factor that also fails a health probe."),
	D("keepalivetracker.target.interval", U, keepalive_interval_ns, "10s", SEC(1), MINUTE(1),
	  "how often a target reports to the primary (keepalive)."),
	E("keepalivetracker.target.name", RO, ka_target_name, "heartbeat", v_heartbeat, "tracker kind."),
	I("keepalivetracker.target.factor", U, keepalive_factor, "3", 1, 255, "as proxy.factor, on targets."),
	I("keepalivetracker.num_retries", U | CF_ZERO_OK, ka_num_retries, "3", 1, 10,
	  "retries of a failed keepalive before the primary is declared down (0: 3); they fit in half an interval."),
	I("keepalivetracker.retry_factor", U, ka_retry_factor, "4", 1, 10,
	  "retry pause = min(cplane_operation x factor, max_keepalive + 1s, interval / (2 x (num_retries + 1)))."),

	D("downloader.timeout", 0, downloader_timeout_ns, "1h", SEC(1), HOUR(1), "downloader request timeout."),

	{.path = "distributed_sort", .type = CT_DROPOBJ, .flags = G | RO,
	 .doc = "dsort (a build-tag feature): accepted in files and dropped, as AIStore built without it."},
	{.path = "tracing", .type = CT_DROPOBJ, .flags = RO,
	 .doc = "OpenTelemetry (a build-tag feature): accepted when not enabled and dropped; enabled -> 501."},

	XACT("tcb", G, tcb_compression, tcb_bundle_mult, tcb_burst, "2"),
	XACT("tco", G, tco_compression, tco_bundle_mult, tco_burst, "2"),
	XACT("arch", G, arch_compression, arch_bundle_mult, arch_burst, "2"),

	{.path = "write_policy.data", .type = CT_ENUM, .flags = RO | N, MEMBER(write_policy_data), .dflt = "", .lo = 1,
	 .vals = v_wpolicy, .ok = ok_wpolicy, .doc = "object data writes: immediate (\"\" = immediate)."},
	{.path = "write_policy.md", .type = CT_ENUM, .flags = N, MEMBER(write_policy_md), .dflt = "", .lo = 1, .vals = v_wpolicy,
	 .ok = ok_wpolicy, .doc = "object metadata writes: only immediate (\"\" = immediate) is built."},

	XACT("get_batch", G, get_batch_compression, get_batch_bundle_mult, get_batch_burst, "0"),
	D("get_batch.max_wait", G | CF_ZERO_OK, get_batch_max_wait_ns, "10s", SEC(1), MINUTE(1), "GetBatch: wait for senders."),
	I("get_batch.warmup_workers", G, get_batch_warmup_workers, "1", -1, 10, "GetBatch read-ahead workers (-1: off)."),
	I("get_batch.max_soft_errs", G, get_batch_max_soft_errs, "8", 0, 1 << 20, "GetBatch recoverable errors."),
	I("get_batch.max_gfn", G, get_batch_max_gfn, "5", -1, 1 << 20, "GetBatch get-from-neighbor attempts."),

	I("rate_limit.backend.num_retries", 0, rl_backend_num_retries, "3", 1, 10, "bucket default: backend retries on 429/503."),
	D("rate_limit.backend.interval", 0, rl_backend_interval_ns, "1m", SEC(1), HOUR(1), "bucket default: rate window."),
	S("rate_limit.backend.per_op_max_tokens", 0, rl_backend_per_op, "", "bucket default: \"get:5000 put:1000\" overrides."),
	I("rate_limit.backend.max_tokens", 0, rl_backend_max_tokens, "1000", 1, 2147483646, "bucket default: tokens per window."),
	B("rate_limit.backend.enabled", N, rl_backend_enabled, "false", "bucket default: adaptive backend rate limit: not built."),
	I("rate_limit.frontend.burst_size", 0, rl_frontend_burst_size, "375", 1, 2147483646,
	  "bucket default: burst (at most 50% of max_tokens)."),
	D("rate_limit.frontend.interval", 0, rl_frontend_interval_ns, "1m", SEC(1), HOUR(1), "bucket default: rate window."),
	S("rate_limit.frontend.per_op_max_tokens", 0, rl_frontend_per_op, "", "bucket default: per-verb overrides."),
	I("rate_limit.frontend.max_tokens", 0, rl_frontend_max_tokens, "1000", 1, 2147483646, "bucket default: tokens per window."),
	B("rate_limit.frontend.enabled", N, rl_frontend_enabled, "false", "bucket default: frontend rate limit: not built."),

	B("s3.auth", G | U, s3_auth, "false", "S3 API: verify SigV4 signatures against the keys below (docs/s3.md)."),
	S("s3.region", G | U, s3_region, "us-east-1", "S3 API: the region requests must be signed for."),
	B("s3.redirect", G | U, s3_redirect, "false", "S3 API: answer 307 to the owning target instead of forwarding."),
	S("s3.access_key", G | U, s3_access_key, "", "S3 API: an access key."),
	S("s3.secret_key", G | U | CF_SECRET, s3_secret_key, "", "S3 API: its secret (never shown)."),
	{.path = "s3.keys", .type = CT_S3KEYS, .flags = G | U | CF_SECRET,
	 .doc = "S3 API: more key pairs [{\"access\": ..., \"secret\": ...}] (secrets never shown)."},

	{.path = "features", .type = CT_FEAT, .flags = G | U | N, MEMBER(features), .dflt = "0", .lo = 1,
	 .doc = "feature flags by name (cmn/feat); see the list below."},
	{.path = "config_version", .type = CT_INT, .flags = RO | U | CF_QUOTED, MEMBER(version), .dflt = "0", .lo = 0,
	 .hi = I64MAX, .doc = "bumped by every cluster-wide change."},
	S("uuid", RO, uuid, "", "cluster UUID."),
	S("lastupdate_time", RO | U, lastupdate_time, "", "time of the last change."),

	/* ---------------- local ---------------- */
	S("confdir", L | U, confdir, "", "the node's persistent state: daemon ID, accepted Smap, BMD and config versions."),
	S("log_dir", L | U, log_dir, "", "aisnode.log goes here (empty: stderr)."),
	{.path = "host_net.hostname", .type = CT_HOSTS, .flags = L | U, MEMBER(host), .dflt = "", .lo = 1,
	 .doc = "public address (empty: 127.0.0.1)."},
	{.path = "host_net.hostname_intra_control", .type = CT_HOSTS, .flags = L | U, MEMBER(host_ctl), .dflt = "",
	 .lo = 1, .doc = "intra-cluster control address (empty: public)."},
	{.path = "host_net.hostname_intra_data", .type = CT_HOSTS, .flags = L | U, MEMBER(host_data), .dflt = "", .lo = 1,
	 .doc = "intra-cluster data address (empty: public)."},
	{.path = "host_net.port", .type = CT_PORT, .flags = L | U | CF_REQUIRED, MEMBER(port), .lo = 1, .doc = "public port."},
	{.path = "host_net.port_intra_control", .type = CT_PORT, .flags = L | U, MEMBER(port_ctl), .lo = 1,
	 .doc = "intra-cluster control port (empty: none)."},
	{.path = "host_net.port_intra_data", .type = CT_PORT, .flags = L | U, MEMBER(port_data), .lo = 1,
	 .doc = "intra-cluster data port (empty: none)."},
	{.path = "fspaths", .type = CT_FSPATHS, .flags = L | U,
	 .doc = "targets: the mountpaths {\"/path\": {}, ...}, absolute, cleaned like Go's filepath.Clean."},
	S("test_fspaths.root", L | U, test_fsp_root, "", "testing: with count > 0, fspaths are root/mp1..mpN[/instance]."),
	I("test_fspaths.count", L | U, test_fsp_count, "0", 0, CONFIG_MAX_FSPATHS, "testing: number of generated mountpaths."),
	I("test_fspaths.instance", L | U, test_fsp_instance, "0", 0, 1 << 20, "testing: per-node subdirectory (0: none)."),
};
#define NROWS (sizeof(ctab) / sizeof(ctab[0]))

/* ---------------------------------------------------------------- feature flags */

static const char *const feat_names[] = {
	"Enforce-IntraCluster-Access", "Skip-Loading-VersionChecksum-MD", "Do-not-Auto-Detect-FileShare",
	"S3-API-via-Root", "Fsync-PUT", "LZ4-Block-1MB", "LZ4-Frame-Checksum", "Do-not-Allow-Passing-FQN-to-ETL",
	"Ignore-LimitedCoexistence-Conflicts", "S3-Presigned-Request", "Do-not-Optimize-Listing-Virtual-Dirs",
	"Disable-Cold-GET", "Streaming-Cold-GET", "S3-Reverse-Proxy", "S3-Use-Path-Style",
	"Do-not-Delete-When-Rebalancing", "Do-not-Set-Control-Plane-ToS", "Trust-Crypto-Safe-Checksums",
	"S3-ListObjectVersions", "Enable-Detailed-Prom-Metrics", "Force-Container-CPU-Mem",
	"Resume-Interrupted-MPU", "Keep-Unknown-FQN", "Load-Balance-GET", "Count-Object-NotFound-Stats",
	"Enable-Go-Runtime-Metrics", "Dload-Allow-Private-Egress",
};
#define NFEAT ((int)(sizeof(feat_names) / sizeof(feat_names[0])))

/* what this build does with a flag set: S3-API-via-Root (s3_router), Fsync-PUT (obj commit),
 * S3-Use-Path-Style (the S3 backend's requests), Dload-Allow-Private-Egress (the downloader),
 * Enable-Detailed-Prom-Metrics and Count-Object-NotFound-Stats (stats); Do-not-Set-Control-Plane-ToS
 * asks for what we always do (we never set ToS) */
#define FEAT_SUPPORTED                                                                                       \
	(FEAT_S3_API_VIA_ROOT | FEAT_FSYNC_PUT | FEAT_DONT_SET_CPLANE_TOS | FEAT_DETAILED_PROM | FEAT_COUNT_404 | \
	 FEAT_S3_USE_PATH_STYLE | FEAT_DLOAD_ALLOW_PRIVATE_EGRESS)

const char *config_tab_feat_name(int bit) { return bit >= 0 && bit < NFEAT ? feat_names[bit] : NULL; }
uint64_t config_tab_feat_supported(void) { return FEAT_SUPPORTED; }

int feat_parse(const char *s, uint64_t *out, char *err, size_t errcap)
{
	uint64_t f = 0;
	int64_t num;
	if (!s || !*s || !strcasecmp(s, "none") || !strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!parse_i64(s, &num)) {
		if (num < 0 || (uint64_t)num >= (1ULL << NFEAT)) {
			snprintf(err, errcap, "invalid feature flags %lld (expecting bits 0..%d)", (long long)num, NFEAT - 1);
			return AIS_EINVAL;
		}
		*out = (uint64_t)num;
		return 0;
	}
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ", ");
		if (n) {
			int i;
			for (i = 0; i < NFEAT; i++)
				if (strlen(feat_names[i]) == n && !strncasecmp(feat_names[i], p, n))
					break;
			if (i == NFEAT) {
				snprintf(err, errcap, "unknown feature flag \"%.*s\"", (int)(n > 64 ? 64 : n), p);
				return AIS_EINVAL;
			}
			f |= 1ULL << i;
		}
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	*out = f;
	return 0;
}

void feat_format(uint64_t f, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < NFEAT && o < cap; i++)
		if (f & (1ULL << i))
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", feat_names[i]);
	if (!o)
		snprintf(out, cap, "none");
}

/* ---------------------------------------------------------------- lookup and messages */

const ctab_row_t *config_tab_rows(size_t *n)
{
	*n = NROWS;
	return ctab;
}

size_t config_tab_index(const ctab_row_t *r) { return (size_t)(r - ctab); }

const ctab_row_t *config_tab_find(const char *path)
{
	for (size_t i = 0; i < NROWS; i++)
		if (!strcmp(ctab[i].path, path))
			return &ctab[i];
	return NULL;
}

static int ctab_fail(char *err, size_t errcap, const char *what, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* "<what>: <path>: <message>" (what and path optional); returns AIS_EINVAL */
static int ctab_fail(char *err, size_t errcap, const char *what, const char *path, const char *fmt, ...)
{
	if (!err || !errcap)
		return AIS_EINVAL;
	int n = snprintf(err, errcap, "%s%s%s%s", what ? what : "", what ? ": " : "", path ? path : "", path ? ": " : "");
	if (n >= 0 && (size_t)n < errcap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return AIS_EINVAL;
}

/* the noun a bad value is called: the row's, else its last path segment with spaces */
static void ctab_noun(const ctab_row_t *r, char *out, size_t cap)
{
	if (r->noun) {
		snprintf(out, cap, "%s", r->noun);
		return;
	}
	const char *s = strrchr(r->path, '.');
	snprintf(out, cap, "%s", s ? s + 1 : r->path);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

/* Go-like duration text of ns: the largest unit that divides it ("2m", "100ms", "90s") */
static void ctab_fmt_dur(int64_t ns, char *out, size_t cap)
{
	static const struct {
		int64_t mul;
		const char *u;
	} units[] = {{HOUR(1), "h"}, {MINUTE(1), "m"}, {SEC(1), "s"}, {MSEC(1), "ms"}, {1000, "us"}, {1, "ns"}};
	if (ns == 0) {
		snprintf(out, cap, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].mul == 0) {
			snprintf(out, cap, "%lld%s", (long long)(ns / units[i].mul), units[i].u);
			return;
		}
}

/* IEC size text: the largest unit that divides it ("1GiB", "256KiB", "100B") */
static void ctab_fmt_size(int64_t b, char *out, size_t cap)
{
	static const char *const u[] = {"TiB", "GiB", "MiB", "KiB"};
	for (int i = 0; i < 4; i++) {
		int64_t mul = (int64_t)1 << (10 * (4 - i));
		if (b && b % mul == 0) {
			snprintf(out, cap, "%lld%s", (long long)(b / mul), u[i]);
			return;
		}
	}
	snprintf(out, cap, "%lldB", (long long)b);
}

static void ctab_fmt_num(const ctab_row_t *r, int64_t v, char *out, size_t cap)
{
	if (r->type == CT_DUR)
		ctab_fmt_dur(v, out, cap);
	else if (r->type == CT_SIZE)
		ctab_fmt_size(v, out, cap);
	else
		snprintf(out, cap, "%lld", (long long)v);
}

static int ctab_range(const ctab_row_t *r, int64_t v, const char *what, char *err, size_t errcap)
{
	if (r->lo > r->hi || (v >= r->lo && v <= r->hi) || (v == 0 && (r->flags & CF_ZERO_OK)))
		return 0;
	char a[40], b[40], x[40];
	ctab_fmt_num(r, v, x, sizeof(x));
	ctab_fmt_num(r, r->lo, a, sizeof(a));
	ctab_fmt_num(r, r->hi, b, sizeof(b));
	return ctab_fail(err, errcap, what, r->path, "%s out of range (expecting [%s, %s]%s)", x, a, b,
			 (r->flags & CF_ZERO_OK) ? " or 0 for the default" : "");
}

static void ctab_join(const char *const *vals, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; vals[i] && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", *vals[i] ? vals[i] : "\"\"");
}

/* ---------------------------------------------------------------- scalar codecs */

/* an integer given as a JSON number or a decimal string */
static int ctab_int(const ctab_row_t *r, json_t *v, int64_t *out, const char *what, char *err, size_t errcap)
{
	char noun[64];
	ctab_noun(r, noun, sizeof(noun));
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		if (parse_i64(json_string_value(v), out))
			return ctab_fail(err, errcap, what, r->path, "invalid %s \"%.64s\"", noun, json_string_value(v));
		return 0;
	}
	return ctab_fail(err, errcap, what, r->path, "invalid %s (expecting a number)", noun);
}

/* the spelling of a value, bounded (it is shown back as given) */
static int ctab_spell(const ctab_row_t *r, const char *s, ctab_val_t *out, const char *what, char *err, size_t errcap)
{
	if (strlen(s) >= sizeof(out->txt))
		return ctab_fail(err, errcap, what, r->path, "value \"%.40s...\" too long", s);
	snprintf(out->txt, sizeof(out->txt), "%s", s);
	return 0;
}

/* a list of strings (CT_STRL) joined by '\n' into out->lst */
static int ctab_strl(const ctab_row_t *r, json_t *v, ctab_val_t *out, const char *what, char *err, size_t errcap)
{
	size_t i, o = 0, cap = r->size < sizeof(out->lst) ? r->size : sizeof(out->lst);
	json_t *e;
	out->lst[0] = '\0';
	out->s = out->lst;
	if (json_is_string(v) && !json_string_length(v))
		return 0;
	if (!json_is_array(v) && !json_is_string(v))
		return ctab_fail(err, errcap, what, r->path, "expecting a list of strings");
	json_t *one = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
	int rc = 0;
	json_array_foreach(one, i, e) {
		const char *es = json_string_value(e);
		size_t n = es ? json_string_length(e) : 0;
		if (!es || !n || memchr(es, '\0', n) || memchr(es, '\n', n)) {
			rc = ctab_fail(err, errcap, what, r->path, "expecting a list of non-empty strings");
			break;
		}
		if (o + n + 2 > cap) {
			rc = ctab_fail(err, errcap, what, r->path, "list too long (max %zu bytes)", cap - 1);
			break;
		}
		if (o)
			out->lst[o++] = '\n';
		memcpy(out->lst + o, es, n);
		o += n;
		out->lst[o] = '\0';
	}
	json_decref(one);
	return rc;
}

/* AIStore's query form of a []string: "[a b]" or "a b" (spaces separate), "none" = empty;
 * a JSON array is accepted too */
static json_t *ctab_strl_from_str(const char *s)
{
	if (s[0] == '[' && s[1] == '"') {
		json_t *j = json_loads(s, 0, NULL);
		if (json_is_array(j))
			return j;
		json_decref(j);
	}
	json_t *a = json_array();
	size_t n = strlen(s);
	if (n && s[0] == '[')
		s++, n--;
	if (n && s[n - 1] == ']')
		n--;
	if (n == 4 && !strncmp(s, "none", 4))
		return a;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i)
			json_array_append_new(a, json_stringn(s + i, j - i));
		i = j + 1;
	}
	return a;
}

int config_tab_parse(const ctab_row_t *r, json_t *v, ctab_val_t *out, const char *what, char *err, size_t errcap)
{
	char noun[64], list[256];
	memset(out, 0, sizeof(*out));
	switch (r->type) {
	case CT_BOOL:
		if (!json_is_boolean(v))
			return ctab_fail(err, errcap, what, r->path, "expecting true or false");
		out->i = json_is_true(v);
		return 0;
	case CT_INT:
		if (ctab_int(r, v, &out->i, what, err, errcap))
			return AIS_EINVAL;
		return ctab_range(r, out->i, what, err, errcap);
	case CT_DUR:
		if (!json_is_string(v))
			return ctab_fail(err, errcap, what, r->path, "expecting a duration string (e.g. \"10s\")");
		if (parse_duration(json_string_value(v), &out->i))
			return ctab_fail(err, errcap, what, r->path, "invalid duration \"%.64s\"", json_string_value(v));
		if (ctab_spell(r, json_string_value(v), out, what, err, errcap))
			return AIS_EINVAL;
		return ctab_range(r, out->i, what, err, errcap);
	case CT_SIZE:
		if (json_is_integer(v)) {
			out->i = json_integer_value(v);
			snprintf(out->txt, sizeof(out->txt), "%lld", (long long)out->i);
		} else if (!json_is_string(v)) {
			return ctab_fail(err, errcap, what, r->path, "expecting a size string (e.g. \"1GiB\")");
		} else if (parse_size(json_string_value(v), &out->i)) {
			return ctab_fail(err, errcap, what, r->path, "invalid size \"%.64s\"", json_string_value(v));
		} else if (ctab_spell(r, json_string_value(v), out, what, err, errcap)) {
			return AIS_EINVAL;
		}
		return ctab_range(r, out->i, what, err, errcap);
	case CT_STRL:
		return ctab_strl(r, v, out, what, err, errcap);
	case CT_STR:
	case CT_HOSTS:
	case CT_ENUM:
		if (!json_is_string(v))
			return ctab_fail(err, errcap, what, r->path, "expecting a string");
		out->s = json_string_value(v);
		if (memchr(out->s, '\0', json_string_length(v)))
			return ctab_fail(err, errcap, what, r->path, "embedded NUL");
		if (r->type == CT_ENUM) {
			for (int i = 0; r->vals[i]; i++)
				if (!strcmp(r->vals[i], out->s))
					return 0;
			ctab_noun(r, noun, sizeof(noun));
			ctab_join(r->vals, list, sizeof(list));
			return ctab_fail(err, errcap, what, r->path, "invalid %s \"%.64s\" (expecting %s)", noun, out->s, list);
		}
		if (json_string_length(v) >= r->size)
			return ctab_fail(err, errcap, what, r->path, "value too long (%zu bytes, max %zu)",
					 json_string_length(v), r->size - 1);
		return 0;
	case CT_FEAT: {
		char ferr[160] = "";
		uint64_t f = 0;
		if (json_is_integer(v)) {
			if (json_integer_value(v) < 0 || json_integer_value(v) >= (1LL << NFEAT))
				return ctab_fail(err, errcap, what, r->path, "invalid feature flags %lld",
						 (long long)json_integer_value(v));
			f = (uint64_t)json_integer_value(v);
		} else if (!json_is_string(v)) {
			return ctab_fail(err, errcap, what, r->path, "expecting a string");
		} else if (feat_parse(json_string_value(v), &f, ferr, sizeof(ferr))) {
			return ctab_fail(err, errcap, what, r->path, "%s", ferr);
		}
		out->i = (int64_t)f;
		return 0;
	}
	case CT_LOGLVL: {
		int64_t n;
		if (ctab_int(r, v, &n, what, err, errcap))
			return AIS_EINVAL;
		if (n < 0 || n > (1 << 20) || (n & 7) == 0 || (n & 7) > 5)
			return ctab_fail(err, errcap, what, r->path, "invalid level %lld (expecting 1..5)", (long long)n);
		out->i = n & 7;
		if (json_is_string(v))
			return ctab_spell(r, json_string_value(v), out, what, err, errcap);
		snprintf(out->txt, sizeof(out->txt), "%lld", (long long)n);
		return 0;
	}
	case CT_PORT: {
		int64_t n = 0;
		if (json_is_string(v) && !json_string_length(v) && !(r->flags & CF_REQUIRED))
			return 0; /* optional intra-cluster port left empty */
		if (json_is_string(v) && parse_i64(json_string_value(v), &n))
			return ctab_fail(err, errcap, what, r->path, "invalid port \"%.64s\"", json_string_value(v));
		if (!json_is_string(v) && !json_is_integer(v))
			return ctab_fail(err, errcap, what, r->path, "invalid port (expecting a string or a number)");
		if (json_is_integer(v))
			n = json_integer_value(v);
		if (n <= 0 || n >= 65536)
			return ctab_fail(err, errcap, what, r->path, "invalid port %lld (expecting 1..65535)", (long long)n);
		out->i = n;
		return 0;
	}
	default:
		return ctab_fail(err, errcap, what, r->path, "not a scalar field");
	}
}

json_t *config_tab_from_str(const ctab_row_t *r, const char *s, char *err, size_t errcap)
{
	int64_t n;
	switch (r->type) {
	case CT_BOOL:
		if (!strcasecmp(s, "true") || !strcmp(s, "1"))
			return json_true();
		if (!strcasecmp(s, "false") || !strcmp(s, "0"))
			return json_false();
		ctab_fail(err, errcap, NULL, NULL, "invalid value \"%.64s\" for %s (expecting true or false)", s, r->path);
		return NULL;
	case CT_INT:
		if (r->flags & CF_QUOTED)
			return json_string(s);
		if (parse_i64(s, &n)) {
			ctab_fail(err, errcap, NULL, NULL, "invalid value \"%.64s\" for %s (expecting an integer)", s, r->path);
			return NULL;
		}
		return json_integer(n);
	case CT_FSPATHS:
	case CT_S3KEYS:
	case CT_BACKEND:
	case CT_EMPTYOBJ:
	case CT_DROPOBJ:
		ctab_fail(err, errcap, NULL, NULL, "%s takes a JSON value, not \"%.64s\"", r->path, s);
		return NULL;
	case CT_STRL:
		return ctab_strl_from_str(s);
	default:
		return json_string(s);
	}
}

json_t *config_tab_val_json(const ctab_row_t *r, const ctab_val_t *v)
{
	char buf[64];
	switch (r->type) {
	case CT_BOOL:
		return json_boolean(v->i);
	case CT_INT:
		if (!(r->flags & CF_QUOTED))
			return json_integer(v->i);
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		return json_string(buf);
	case CT_DUR:
	case CT_SIZE:
	case CT_LOGLVL:
		if (v->txt[0])
			return json_string(v->txt);
		ctab_fmt_num(r, v->i, buf, sizeof(buf));
		return json_string(buf);
	case CT_FEAT:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(uint64_t)v->i);
		return json_string(buf);
	case CT_PORT:
		if (!v->i)
			return json_string("");
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		return json_string(buf);
	case CT_STRL: {
		json_t *a = json_array();
		for (const char *p = v->s ? v->s : ""; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			json_array_append_new(a, json_stringn(p, n));
			p += n + (nl ? 1 : 0);
		}
		return a;
	}
	default:
		return json_string(v->s ? v->s : "");
	}
}

/* the text a supported-values list is compared with */
static void ctab_val_text(const ctab_row_t *r, const ctab_val_t *v, char *out, size_t cap)
{
	if (r->type == CT_BOOL)
		snprintf(out, cap, "%s", v->i ? "true" : "false");
	else if (r->type == CT_INT)
		snprintf(out, cap, "%lld", (long long)v->i);
	else if (r->type == CT_DUR || r->type == CT_SIZE)
		ctab_fmt_num(r, v->i, out, cap);
	else
		snprintf(out, cap, "%s", v->s ? v->s : "");
}

int config_tab_niy_check(const ctab_row_t *r, const ctab_val_t *v, char *err, size_t errcap)
{
	if (!(r->flags & CF_NIY))
		return 0;
	if (r->type == CT_FEAT) {
		uint64_t bad = (uint64_t)v->i & ~(uint64_t)FEAT_SUPPORTED;
		for (int i = 0; i < NFEAT; i++)
			if (bad & (1ULL << i)) {
				ctab_fail(err, errcap, NULL, r->path, "feature flag \"%s\" is not implemented by this build",
					  feat_names[i]);
				return AIS_ENOTIMPL;
			}
		return 0;
	}
	char txt[300], dflt[64];
	ctab_val_text(r, v, txt, sizeof(txt));
	const char *one[] = {r->dflt, NULL};
	const char *const *ok = r->ok ? r->ok : one;
	for (int i = 0; ok[i]; i++) {
		if (!strcmp(ok[i], txt))
			return 0;
		if ((r->type == CT_DUR || r->type == CT_SIZE)) { /* compare values, not spellings */
			int64_t x;
			if (!(r->type == CT_DUR ? parse_duration(ok[i], &x) : parse_size(ok[i], &x)) && x == v->i)
				return 0;
		}
	}
	ctab_join(ok, dflt, sizeof(dflt));
	ctab_fail(err, errcap, NULL, r->path, "%s is not implemented by this build (supported: %s)",
		  *txt ? txt : "\"\"", dflt);
	return AIS_ENOTIMPL;
}

/* ---------------------------------------------------------------- typed storage */

void config_tab_store(const ctab_row_t *r, config_t *c, const ctab_val_t *v)
{
	char *p = (char *)c + r->off;
	size_t i = config_tab_index(r);
	if (!r->size)
		return;
	switch (r->type) {
	case CT_BOOL:
		*(bool *)p = v->i != 0;
		break;
	case CT_STR:
	case CT_STRL:
	case CT_ENUM:
		snprintf(p, r->size, "%s", v->s ? v->s : "");
		break;
	case CT_HOSTS: { /* AIStore strips spaces from host lists */
		size_t o = 0;
		for (const char *s = v->s ? v->s : ""; *s && o + 1 < r->size; s++)
			if (*s != ' ')
				p[o++] = *s;
		p[o] = '\0';
		break;
	}
	case CT_FEAT:
		*(uint64_t *)p = (uint64_t)v->i;
		break;
	default: /* INT, DUR, SIZE, LOGLVL, PORT */
		if (r->size == sizeof(int))
			*(int *)p = (int)v->i;
		else
			*(int64_t *)p = v->i;
		break;
	}
	if (c->txt && i < NROWS)
		snprintf(c->txt[i], CONFIG_TXT_MAX, "%s", v->txt);
}

void config_tab_load(const ctab_row_t *r, const config_t *c, ctab_val_t *out)
{
	const char *p = (const char *)c + r->off;
	size_t i = config_tab_index(r);
	memset(out, 0, sizeof(*out));
	if (!r->size)
		return;
	switch (r->type) {
	case CT_BOOL:
		out->i = *(const bool *)p;
		break;
	case CT_STR:
	case CT_STRL:
	case CT_ENUM:
	case CT_HOSTS:
		out->s = p;
		break;
	case CT_FEAT:
		out->i = (int64_t)*(const uint64_t *)p;
		break;
	default:
		out->i = r->size == sizeof(int) ? *(const int *)p : *(const int64_t *)p;
		break;
	}
	if (c->txt && i < NROWS)
		snprintf(out->txt, sizeof(out->txt), "%s", c->txt[i]);
}

json_t *config_tab_json(const ctab_row_t *r, const config_t *c, bool pub)
{
	ctab_val_t v;
	switch (r->type) {
	case CT_FSPATHS: {
		json_t *o = json_object();
		for (int i = 0; i < c->nfspaths; i++)
			json_object_set_new(o, c->fspaths[i], json_object());
		return o;
	}
	case CT_S3KEYS: {
		json_t *a = json_array();
		for (int i = 0; i < c->s3_nkeys; i++) {
			const config_s3key_t *k = &c->s3_keys[i];
			json_t *o = json_pack("{s:s, s:s}", "access", k->access, "secret", pub ? "********" : k->secret);
			if (k->user[0])
				json_object_set_new(o, "user", json_string(k->user));
			if (k->display_name[0])
				json_object_set_new(o, "display_name", json_string(k->display_name));
			if (k->email[0])
				json_object_set_new(o, "email", json_string(k->email));
			json_array_append_new(a, o);
		}
		return a;
	}
	case CT_BACKEND: {
		json_t *o = json_object();
		if (c->backends & CONFIG_BK_AWS)
			json_object_set_new(o, "aws", json_object());
		if (c->backends & CONFIG_BK_AIS) {
			json_t *a = json_object();
			for (int i = 0; i < c->nremais; i++) {
				json_t *u = json_array();
				for (int k = 0; k < c->remais[i].nurls; k++)
					json_array_append_new(u, json_string(c->remais[i].urls[k]));
				json_object_set_new(a, c->remais[i].alias, u);
			}
			json_object_set_new(o, "ais", a);
		}
		return o;
	}
	case CT_EMPTYOBJ:
		return json_object();
	case CT_DROPOBJ:
		return NULL;
	default:
		config_tab_load(r, c, &v);
		if (pub && (r->flags & CF_SECRET) && v.s && *v.s)
			return json_string("********");
		return config_tab_val_json(r, &v);
	}
}

/* ---------------------------------------------------------------- special types */

/* Go's filepath.Clean for an absolute path: collapse "//", drop ".", resolve "..", strip trailing
 * "/". Writes into out (cap >= strlen(in)+1). */
static void ctab_path_clean(const char *in, char *out)
{
	size_t o = 0;
	const char *p = in;
	out[o++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the '/' before the dropped element */
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
}

/* add one mountpath (cleaned, unique) to c */
static int ctab_fspath_add(config_t *c, const char *key, const char *what, char *err, size_t errcap)
{
	const char *path = "fspaths";
	if (key[0] != '/')
		return ctab_fail(err, errcap, what, path, "invalid mountpath \"%.256s\": must be an absolute path", key);
	if (c->nfspaths >= CONFIG_MAX_FSPATHS)
		return ctab_fail(err, errcap, what, path, "too many mountpaths (max %d)", CONFIG_MAX_FSPATHS);
	size_t n = strlen(key);
	if (n > 4096)
		return ctab_fail(err, errcap, what, path, "mountpath too long");
	char *clean = malloc(n + 1);
	if (!clean) {
		ctab_fail(err, errcap, what, path, "out of memory");
		return AIS_ENOMEM;
	}
	ctab_path_clean(key, clean);
	if (!strcmp(clean, "/")) {
		free(clean);
		return ctab_fail(err, errcap, what, path,
				 "invalid mountpath \"%.256s\": root directory is not a valid mountpath", key);
	}
	for (int i = 0; i < c->nfspaths; i++) {
		if (!strcmp(c->fspaths[i], clean)) {
			free(clean);
			return ctab_fail(err, errcap, what, path, "\"%.256s\" is duplicated", key);
		}
	}
	c->fspaths[c->nfspaths++] = clean; /* owned by c; freed by config_fini */
	return 0;
}

int config_tab_fspaths(config_t *c, json_t *fsp, const char *what, char *err, size_t errcap)
{
	const char *key;
	json_t *val;
	if (!json_is_object(fsp))
		return ctab_fail(err, errcap, what, "fspaths", "expecting a JSON object {\"/path\": {}, ...}");
	json_object_foreach(fsp, key, val) {
		if (!json_is_object(val) && !json_is_string(val) && !json_is_null(val))
			return ctab_fail(err, errcap, what, "fspaths", "%.256s: expecting {} or a label string", key);
		int rc = ctab_fspath_add(c, key, what, err, errcap);
		if (rc)
			return rc;
	}
	return 0;
}

/* AIStore's testing layout: count > 0 replaces fspaths with root/mp1..mpN[/instance] */
int config_tab_test_fspaths(config_t *c, const char *what, char *err, size_t errcap)
{
	if (c->test_fsp_count <= 0)
		return 0;
	if (c->test_fsp_root[0] != '/')
		return ctab_fail(err, errcap, what, "test_fspaths.root", "must be an absolute path with count > 0");
	for (int i = 0; i < c->nfspaths; i++)
		free(c->fspaths[i]);
	c->nfspaths = 0;
	for (int i = 1; i <= c->test_fsp_count; i++) {
		char p[700];
		if (c->test_fsp_instance > 0)
			snprintf(p, sizeof(p), "%s/mp%d/%d", c->test_fsp_root, i, c->test_fsp_instance);
		else
			snprintf(p, sizeof(p), "%s/mp%d", c->test_fsp_root, i);
		int rc = ctab_fspath_add(c, p, what, err, errcap);
		if (rc)
			return rc;
	}
	return 0;
}

int config_tab_s3keys(config_t *c, json_t *keys, const char *what, char *err, size_t errcap)
{
	size_t i;
	json_t *k;
	if (!json_is_array(keys))
		return ctab_fail(err, errcap, what, "s3.keys", "expecting an array [{\"access\": ..., \"secret\": ...}]");
	if (json_array_size(keys) > CONFIG_MAX_S3KEYS)
		return ctab_fail(err, errcap, what, "s3.keys", "too many keys (%zu, max %d)", json_array_size(keys),
				 CONFIG_MAX_S3KEYS);
	json_array_foreach(keys, i, k) {
		static const char *const allowed[] = {"access", "secret", "user", "display_name", "email", NULL};
		json_t *a = json_object_get(k, "access"), *s = json_object_get(k, "secret");
		const char *key;
		json_t *x;
		if (!json_is_object(k) || !json_is_string(a) || !json_is_string(s) || !json_string_length(a))
			return ctab_fail(err, errcap, what, "s3.keys", "[%zu]: expecting {\"access\": \"...\", \"secret\": \"...\"}", i);
		json_object_foreach(k, key, x) {
			int known = 0;
			for (int j = 0; allowed[j]; j++)
				known |= !strcmp(allowed[j], key);
			if (!known)
				return ctab_fail(err, errcap, what, "s3.keys", "[%zu]: unknown field \"%.64s\"", i, key);
		}
		if (json_string_length(a) >= sizeof(c->s3_keys[0].access) ||
		    json_string_length(s) >= sizeof(c->s3_keys[0].secret))
			return ctab_fail(err, errcap, what, "s3.keys", "[%zu]: key too long (max %zu bytes)", i,
					 sizeof(c->s3_keys[0].access) - 1);
		/* optional identity of the key's user (S3 owners and ACLs, docs/s3.md) */
		static const char *const idf[] = {"user", "display_name", "email"};
		const char *idv[3] = {"", "", ""};
		for (int f = 0; f < 3; f++) {
			json_t *v = json_object_get(k, idf[f]);
			if (v && !json_is_string(v))
				return ctab_fail(err, errcap, what, "s3.keys", "[%zu]: %s: expecting a string", i, idf[f]);
			if (v && json_string_length(v) >= sizeof(c->s3_keys[0].user))
				return ctab_fail(err, errcap, what, "s3.keys", "[%zu]: %s too long (max %zu bytes)", i,
						 idf[f], sizeof(c->s3_keys[0].user) - 1);
			if (v)
				idv[f] = json_string_value(v);
		}
		if (c) {
			config_s3key_t *o = &c->s3_keys[i];
			snprintf(o->access, sizeof(o->access), "%s", json_string_value(a));
			snprintf(o->secret, sizeof(o->secret), "%s", json_string_value(s));
			snprintf(o->user, sizeof(o->user), "%s", idv[0]);
			snprintf(o->display_name, sizeof(o->display_name), "%s", idv[1]);
			snprintf(o->email, sizeof(o->email), "%s", idv[2]);
		}
	}
	if (c)
		c->s3_nkeys = (int)json_array_size(keys);
	return 0;
}

/* cmn.ValidateRemAlias: at least 2 characters of [A-Za-z0-9_-] (cos.CheckAlphaPlus), not "what" */
static int ctab_remais_alias(const char *a, const char *what, char *err, size_t errcap)
{
	size_t l = strlen(a);
	if (!strcmp(a, "what"))
		return ctab_fail(err, errcap, what, "backend.ais", "cannot use \"what\" as an alias");
	if (l < 2)
		return ctab_fail(err, errcap, what, "backend.ais",
				 "remote AIS alias \"%.64s\" is too short: must have at least 2 letters", a);
	if (l >= sizeof(((config_remais_t *)0)->alias))
		return ctab_fail(err, errcap, what, "backend.ais", "remote AIS alias \"%.64s...\" is too long", a);
	for (const char *p = a; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return ctab_fail(err, errcap, what, "backend.ais",
					 "remote AIS alias \"%.64s\" is invalid: may only contain letters, numbers, "
					 "dashes (-), underscores (_)", a);
	return 0;
}

static int ctab_remais(config_t *c, json_t *ais, const char *what, char *err, size_t errcap)
{
	const char *alias;
	json_t *urls;
	int rc, n = 0;
	if (!json_is_object(ais))
		return ctab_fail(err, errcap, what, "backend.ais", "expecting {\"<alias>\": [\"<url>\", ...]}");
	if (json_object_size(ais) > CONFIG_MAX_REMAIS)
		return ctab_fail(err, errcap, what, "backend.ais", "too many remote clusters (max %d)", CONFIG_MAX_REMAIS);
	json_object_foreach(ais, alias, urls) {
		size_t i;
		json_t *u;
		if ((rc = ctab_remais_alias(alias, what, err, errcap)))
			return rc;
		if (!json_is_array(urls) || !json_array_size(urls))
			return ctab_fail(err, errcap, what, "backend.ais", "no URL(s) to connect to remote AIS cluster \"%s\"",
					 alias);
		if (json_array_size(urls) > CONFIG_MAX_REMAIS_URLS)
			return ctab_fail(err, errcap, what, "backend.ais", "%s: too many URLs (max %d)", alias,
					 CONFIG_MAX_REMAIS_URLS);
		json_array_foreach(urls, i, u) {
			const char *s = json_string_value(u);
			if (!s || (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) ||
			    strlen(s) >= sizeof(c->remais[0].urls[0]))
				return ctab_fail(err, errcap, what, "backend.ais", "%s: invalid URL \"%.100s\"", alias,
						 s ? s : "(not a string)");
			if (c)
				snprintf(c->remais[n].urls[i], sizeof(c->remais[n].urls[i]), "%s", s);
		}
		if (c) {
			snprintf(c->remais[n].alias, sizeof(c->remais[n].alias), "%s", alias);
			c->remais[n].nurls = (int)json_array_size(urls);
		}
		n++;
	}
	if (c)
		c->nremais = n;
	return 0;
}

int config_tab_backend(config_t *c, json_t *v, const char *what, char *err, size_t errcap)
{
	const char *prov;
	json_t *conf;
	unsigned bk = 0;
	int rc;
	if (!json_is_object(v))
		return ctab_fail(err, errcap, what, "backend", "expecting a JSON object");
	if (c)
		c->nremais = 0;
	json_object_foreach(v, prov, conf) {
		if (!strcmp(prov, "aws")) {
			if (!json_is_object(conf) && !json_is_null(conf))
				return ctab_fail(err, errcap, what, "backend.aws", "expecting a JSON object");
			bk |= CONFIG_BK_AWS;
		} else if (!strcmp(prov, "ais")) {
			if (json_is_null(conf))
				continue;
			if ((rc = ctab_remais(c, conf, what, err, errcap)))
				return rc;
			bk |= CONFIG_BK_AIS;
		} else if (!strcmp(prov, "gcp") || !strcmp(prov, "azure") || !strcmp(prov, "oci") || !strcmp(prov, "ht")) {
			ctab_fail(err, errcap, what, "backend", "%s: backend provider not built into this aisnode", prov);
			return AIS_ENOTIMPL;
		} else {
			return ctab_fail(err, errcap, what, "backend", "unknown backend provider \"%.32s\"", prov);
		}
	}
	if (c)
		c->backends = bk;
	return 0;
}

int config_tab_dropobj(const ctab_row_t *r, json_t *v, const char *what, char *err, size_t errcap)
{
	if (!json_is_object(v))
		return ctab_fail(err, errcap, what, r->path, "expecting a JSON object");
	json_t *en = json_object_get(v, "enabled");
	if (json_is_true(en)) {
		ctab_fail(err, errcap, what, r->path, "enabled: not implemented by this build");
		return AIS_ENOTIMPL;
	}
	return 0;
}

/* ---------------------------------------------------------------- cross-field rules */

static int ctab_check_space(const config_t *c, const char *what, char *err, size_t errcap)
{
	if (c->space_cleanupwm > 0 && c->space_cleanupwm <= c->space_lowwm && c->space_lowwm <= c->space_highwm &&
	    c->space_highwm <= c->space_oos && c->space_oos <= 100)
		return 0;
	return ctab_fail(err, errcap, what, "space",
			 "invalid watermarks cleanupwm=%d, lowwm=%d, highwm=%d, out_of_space=%d (expecting 0 < cleanupwm <= "
			 "lowwm <= highwm <= out_of_space <= 100)",
			 c->space_cleanupwm, c->space_lowwm, c->space_highwm, c->space_oos);
}

static int ctab_check_disk(const config_t *c, const char *what, char *err, size_t errcap)
{
	if (c->disk_util_low_wm > 0 && c->disk_util_low_wm < c->disk_util_high_wm &&
	    c->disk_util_high_wm < c->disk_util_max_wm && c->disk_util_max_wm <= 100)
		return 0;
	return ctab_fail(err, errcap, what, "disk",
			 "invalid disk_util_low_wm=%d, disk_util_high_wm=%d, disk_util_max_wm=%d (expecting 0 < low < high < "
			 "max <= 100)",
			 c->disk_util_low_wm, c->disk_util_high_wm, c->disk_util_max_wm);
}

/* "get:5000 put:1000": space-separated verb:tokens */
static int ctab_check_per_op(const char *path, const char *s, const char *what, char *err, size_t errcap)
{
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		size_t n = strcspn(s, " ");
		const char *colon = memchr(s, ':', n);
		char num[24];
		int64_t t;
		size_t nl = colon ? n - (size_t)(colon - s) - 1 : 0;
		if (!colon || colon == s || !nl || nl >= sizeof(num))
			return ctab_fail(err, errcap, what, path, "invalid format \"%.*s\" (expecting verb:tokens)", (int)n, s);
		memcpy(num, colon + 1, nl);
		num[nl] = '\0';
		if (parse_i64(num, &t) || t <= 0 || t > 2147483647)
			return ctab_fail(err, errcap, what, path, "invalid number of tokens in \"%.*s\"", (int)n, s);
		s += n;
	}
	return 0;
}

/* AIStore's ValidateIssuerURL: https with a host */
static bool ctab_iss_ok(const char *s, size_t n)
{
	return n > 8 && !strncmp(s, "https://", 8) && s[8] != '/' && s[8] != ':' && !memchr(s, ' ', n);
}

/* the lowest auth.cluster_key.ttl (AIStore: 1h; $AIS_TEST_CLUSTER_KEY_MIN_TTL lowers it so that the
 * e2e tests can watch rotations) */
static int64_t ctab_ck_min_ttl(void)
{
	int64_t d;
	const char *e = getenv("AIS_TEST_CLUSTER_KEY_MIN_TTL");
	return e && !parse_duration(e, &d) && d > 0 ? d : HOUR(1);
}

static int ctab_check_auth(const config_t *c, const char *what, char *err, size_t errcap)
{
	for (const char *p = c->auth_oidc_iss; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!ctab_iss_ok(p, n))
			return ctab_fail(err, errcap, what, "auth.oidc.allowed_iss",
					 "invalid issuer URL \"%.*s\" (must use HTTPS and have a host)", (int)(n > 128 ? 128 : n), p);
		p += n + (nl ? 1 : 0);
	}
	if (c->auth_ck_ttl_ns && c->auth_ck_ttl_ns < ctab_ck_min_ttl()) {
		char a[32], b[32];
		ctab_fmt_dur(c->auth_ck_ttl_ns, a, sizeof(a));
		ctab_fmt_dur(ctab_ck_min_ttl(), b, sizeof(b));
		return ctab_fail(err, errcap, what, "auth.cluster_key.ttl", "invalid cluster_key.ttl %s (expecting >= %s)", a, b);
	}
	return 0;
}

int config_tab_validate(const config_t *c, const char *what, char *err, size_t errcap)
{
	char a[32], b[32];
	if (c->max_keepalive_ns < 2 * c->cplane_timeout_ns) {
		ctab_fmt_dur(c->max_keepalive_ns, a, sizeof(a));
		ctab_fmt_dur(c->cplane_timeout_ns, b, sizeof(b));
		return ctab_fail(err, errcap, what, "timeout.max_keepalive",
				 "%s must be >= 2 x timeout.cplane_operation (%s)", a, b);
	}
	if (c->join_startup_time_ns && c->join_startup_time_ns < 2 * c->startup_time_ns)
		return ctab_fail(err, errcap, what, "timeout.join_startup_time", "must be >= 2 x timeout.startup_time");
	if (c->cold_get_conflict_ns > c->max_host_busy_ns)
		return ctab_fail(err, errcap, what, "timeout.cold_get_conflict", "must be <= timeout.max_host_busy");
	if (c->client_long_timeout_ns && c->client_long_timeout_ns < c->client_timeout_ns)
		return ctab_fail(err, errcap, what, "client.client_long_timeout", "cannot be less than client.client_timeout");
	/* (auth.enabled without auth.signature: every token fails, 401 - closed, not open; turning it
	 * on through the API takes a token valid under the new signature, auth/agate.h) */
	if (ctab_check_auth(c, what, err, errcap))
		return AIS_EINVAL;
	if (c->log_max_size > c->log_max_total / 2)
		return ctab_fail(err, errcap, what, "log.max_total", "must be >= 2 x log.max_size");
	if (ctab_check_space(c, what, err, errcap) || ctab_check_disk(c, what, err, errcap))
		return AIS_EINVAL;
	if (c->disk_iostat_long_ns < c->disk_iostat_short_ns)
		return ctab_fail(err, errcap, what, "disk.iostat_time_long", "shorter than disk.iostat_time_short");
	if (c->disk_iostat_smooth_ns > 10 * c->disk_iostat_long_ns)
		return ctab_fail(err, errcap, what, "disk.iostat_time_smooth", "must be <= 10 x disk.iostat_time_long");
	if (c->chunks_objsize_limit > (c->chunks_max_monolithic ? c->chunks_max_monolithic : TIB(1)))
		return ctab_fail(err, errcap, what, "chunks.objsize_limit", "cannot be greater than chunks.max_monolithic_size");
	/* AIStore also wants keepalivetracker.*.interval >= timeout.max_keepalive; not enforced: our
	 * playgrounds and tests run 1s keepalives with a 4s max_keepalive */
	if (c->ka_proxy_interval_ns * c->ka_proxy_factor > MINUTE(2))
		return ctab_fail(err, errcap, what, "keepalivetracker.proxy", "interval x factor exceeds 2m");
	if (c->keepalive_interval_ns * c->keepalive_factor > MINUTE(2))
		return ctab_fail(err, errcap, what, "keepalivetracker.target", "interval x factor exceeds 2m");
	if (!c->versioning && c->versioning_validate_warm_get)
		return ctab_fail(err, errcap, what, "versioning.validate_warm_get", "requires versioning.enabled");
	if (c->transport_lz4_block != KIB(64) && c->transport_lz4_block != KIB(256) && c->transport_lz4_block != MIB(1) &&
	    c->transport_lz4_block != MIB(4))
		return ctab_fail(err, errcap, what, "transport.lz4_block", "expecting one of 64KiB, 256KiB, 1MiB, 4MiB");
	if (c->memsys_default_buf % KIB(4))
		return ctab_fail(err, errcap, what, "memsys.default_buf", "must be a multiple of 4KiB");
	if (c->net_http_idle_conns_per_host > c->net_http_idle_conns)
		return ctab_fail(err, errcap, what, "net.http.idle_conns_per_host", "cannot exceed net.http.idle_conns");
	if (c->get_batch_max_gfn > 0 && c->get_batch_max_gfn > c->get_batch_max_soft_errs)
		return ctab_fail(err, errcap, what, "get_batch.max_gfn", "cannot exceed get_batch.max_soft_errs");
	if (c->rl_frontend_burst_size > c->rl_frontend_max_tokens / 2)
		return ctab_fail(err, errcap, what, "rate_limit.frontend.burst_size", "must be <= 50%% of max_tokens");
	if (ctab_check_per_op("rate_limit.backend.per_op_max_tokens", c->rl_backend_per_op, what, err, errcap) ||
	    ctab_check_per_op("rate_limit.frontend.per_op_max_tokens", c->rl_frontend_per_op, what, err, errcap))
		return AIS_EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- docs */

static void md_type(const ctab_row_t *r, sbuf_t *b)
{
	static const char *const names[] = {
		[CT_BOOL] = "bool", [CT_INT] = "int", [CT_DUR] = "duration", [CT_SIZE] = "size (IEC)",
		[CT_STR] = "string", [CT_ENUM] = "enum", [CT_FEAT] = "feature flags", [CT_LOGLVL] = "log level",
		[CT_PORT] = "port", [CT_HOSTS] = "host list", [CT_FSPATHS] = "mountpaths", [CT_S3KEYS] = "key list",
		[CT_BACKEND] = "object", [CT_EMPTYOBJ] = "object", [CT_DROPOBJ] = "object",
		[CT_STRL] = "list of strings",
	};
	char lo[40], hi[40], list[256];
	sbuf_adds(b, names[r->type]);
	if ((r->type == CT_INT || r->type == CT_DUR || r->type == CT_SIZE) && r->lo <= r->hi) {
		ctab_fmt_num(r, r->lo, lo, sizeof(lo));
		if (r->hi == I64MAX)
			snprintf(hi, sizeof(hi), "...");
		else
			ctab_fmt_num(r, r->hi, hi, sizeof(hi));
		sbuf_addf(b, " [%s, %s]%s", lo, hi, (r->flags & CF_ZERO_OK) ? " or 0" : "");
	} else if (r->type == CT_STR || r->type == CT_HOSTS) {
		sbuf_addf(b, " (max %zu)", r->size - 1);
	} else if (r->type == CT_ENUM) {
		ctab_join(r->vals, list, sizeof(list));
		sbuf_addf(b, ": %s", list);
	}
}

static void md_status(const ctab_row_t *r, sbuf_t *b)
{
	char list[256];
	if (r->type == CT_FEAT) {
		sbuf_adds(b, "used; flags not listed as supported below answer 501");
	} else if (r->flags & CF_NIY) {
		const char *one[] = {r->dflt, NULL};
		ctab_join(r->ok ? r->ok : one, list, sizeof(list));
		sbuf_addf(b, "only %s (anything else: 501)", r->type == CT_EMPTYOBJ ? "{}" : list);
	} else if (r->type == CT_DROPOBJ) {
		sbuf_adds(b, "dropped");
	} else {
		sbuf_adds(b, (r->flags & CF_USED) ? "used" : "stored and shown, not used yet");
	}
}

static void md_runtime(const ctab_row_t *r, sbuf_t *b)
{
	if (r->flags & CF_LOCAL)
		sbuf_adds(b, "local file");
	else if (r->flags & CF_RO)
		sbuf_adds(b, "read-only");
	else if (r->flags & CF_GLOBAL)
		sbuf_adds(b, (r->flags & CF_RESTART) ? "cluster-wide; restart" : "cluster-wide");
	else
		sbuf_adds(b, (r->flags & CF_RESTART) ? "cluster or node; restart" : "cluster or node");
}

char *config_tab_markdown(void)
{
	sbuf_t b = SBUF_INIT;
	char sect[64] = "";
	for (size_t i = 0; i < NROWS; i++) {
		const ctab_row_t *r = &ctab[i];
		const char *dot = strchr(r->path, '.');
		char s[64];
		snprintf(s, sizeof(s), "%.*s", dot ? (int)(dot - r->path) : (int)strlen(r->path), r->path);
		bool obj = r->type == CT_EMPTYOBJ || r->type == CT_DROPOBJ || r->type == CT_BACKEND; /* a whole section */
		if (!dot && !obj)
			snprintf(s, sizeof(s), "%s", (r->flags & CF_LOCAL) ? "(local config)" : "(top level)");
		if (strcmp(s, sect)) {
			snprintf(sect, sizeof(sect), "%s", s);
			sbuf_addf(&b, "\n### %s%s%s\n\n| field | type | default | set at runtime | status | meaning |\n"
				      "|---|---|---|---|---|---|\n",
				  s[0] == '(' ? "" : "`", s, s[0] == '(' ? "" : "`");
		}
		sbuf_addf(&b, "| `%s` | ", r->path);
		md_type(r, &b);
		if (r->dflt)
			sbuf_addf(&b, " | `%s` | ", *r->dflt ? r->dflt : "\"\"");
		else
			sbuf_adds(&b, " | - | ");
		md_runtime(r, &b);
		sbuf_adds(&b, " | ");
		md_status(r, &b);
		sbuf_addf(&b, " | %s |\n", r->doc ? r->doc : "");
	}
	sbuf_adds(&b, "\n### feature flags\n\n| bit | name | this build |\n|---|---|---|\n");
	for (int i = 0; i < NFEAT; i++)
		sbuf_addf(&b, "| %d | `%s` | %s |\n", i, feat_names[i],
			  (FEAT_SUPPORTED & (1ULL << i)) ? "supported" : "501 (not implemented)");
	return sbuf_take(&b);
}
