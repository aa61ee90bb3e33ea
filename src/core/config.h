/* config: the cluster config (shared by all nodes; AIStore's cmn.ClusterConfig layout plus our
 * "s3" section) and the node-local config (cmn.LocalConfig), typed. Every member is filled from
 * one row of the config table (core/config_tab.c: path, type, default, range, scope, runtime
 * rules); nothing reads the raw JSON. Adding a field = one row + one member here.
 *
 * Versions: the process-wide config is an immutable, reference-counted version.
 *   config_get() -> reference (NULL before config_load)   config_put(ref) drops it
 * metasync and set-config install a new version; the replaced one is freed when its last reader
 * puts it. config_get is lock-free (a few atomic operations); data paths that only need the
 * feature flags use config_features() (one relaxed load, no reference). */
#ifndef AIS_CONFIG_H
#define AIS_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MAX_FSPATHS 64
#define CONFIG_MAX_S3KEYS 16
#define CONFIG_MAX_REMAIS 16  /* backend.ais: attached remote AIS clusters */
#define CONFIG_MAX_REMAIS_URLS 4
#define CONFIG_LIST_MAX 1024 /* a list of strings (CT_STRL), entries joined by '\n' */
#define CONFIG_TXT_MAX 32 /* spelling of a duration/size/log level as given ("120m", "10mb") */

/* AIStore's cluster feature flags (cmn/feat): bit i = name i of config_tab_feat_name() */
enum {
	FEAT_ENFORCE_INTRA_CLUSTER_ACCESS = 1 << 0,
	FEAT_SKIP_VC = 1 << 1,
	FEAT_S3_API_VIA_ROOT = 1 << 3,
	FEAT_FSYNC_PUT = 1 << 4,
	FEAT_S3_PRESIGNED_REQUEST = 1 << 9,
	FEAT_S3_REVERSE_PROXY = 1 << 13,
	FEAT_S3_USE_PATH_STYLE = 1 << 14,
	FEAT_DONT_SET_CPLANE_TOS = 1 << 16,
	FEAT_DETAILED_PROM = 1 << 19,
	FEAT_RESUME_INTERRUPTED_MPU = 1 << 21,
	FEAT_COUNT_404 = 1 << 24,
	FEAT_DLOAD_ALLOW_PRIVATE_EGRESS = 1 << 26,
};

/* backend providers configured in "backend" (AIStore's BackendConf keys) */
enum {
	CONFIG_BK_AWS = 1 << 0, /* "aws": {} */
	CONFIG_BK_AIS = 1 << 1, /* "ais": {"<alias>": ["<url>", ...]} (remote AIS clusters) */
};

/* one attached remote AIS cluster (cmn.BackendConfAIS: alias -> URLs) */
typedef struct config_remais {
	char alias[64];
	char urls[CONFIG_MAX_REMAIS_URLS][256];
	int nurls;
} config_remais_t;

typedef struct config_s3key {
	char access[128];
	char secret[128];
	char user[128];         /* canonical user ID the key acts as ("" = the default user) */
	char display_name[128];
	char email[128];
} config_s3key_t;

typedef struct config {
	/* ---------------- cluster ---------------- */
	unsigned backends;              /* CONFIG_BK_*: providers present in "backend" */
	config_remais_t remais[CONFIG_MAX_REMAIS]; /* backend.ais */
	int nremais;
	int64_t version;                /* config_version (0 = never set) */
	char uuid[64];
	char lastupdate_time[64];
	uint64_t features;              /* "features" (decimal string of flag bits) */
	/* proxy */
	char primary_url[256];
	char original_url[256];
	char discovery_url[256];
	bool proxy_non_electable;
	/* keepalivetracker */
	int64_t ka_proxy_interval_ns;
	char ka_proxy_name[16];
	int ka_proxy_factor;
	int64_t keepalive_interval_ns;  /* keepalivetracker.target.interval */
	char ka_target_name[16];
	int keepalive_factor;           /* keepalivetracker.target.factor */
	int ka_num_retries;
	int ka_retry_factor;
	/* timeout */
	int64_t cplane_timeout_ns;      /* timeout.cplane_operation */
	int64_t max_keepalive_ns;       /* timeout.max_keepalive */
	int64_t max_host_busy_ns;
	int64_t startup_time_ns;
	int64_t join_startup_time_ns;
	int64_t send_file_time_ns;
	int64_t ec_streams_time_ns;
	int64_t object_md_ns;
	int64_t cold_get_conflict_ns;
	/* client */
	int64_t client_timeout_ns;
	int64_t client_long_timeout_ns;
	int64_t list_timeout_ns;
	/* checksum */
	char cksum_type[16];
	bool validate_cold_get;
	bool validate_warm_get;
	bool validate_obj_move;
	bool enable_read_range;
	/* versioning */
	bool versioning;                /* versioning.enabled */
	bool versioning_validate_warm_get;
	bool versioning_synchronize;
	/* log */
	int log_level;                  /* log.level verbosity (AIStore: 3 = info) */
	int64_t log_max_size;
	int64_t log_max_total;
	int64_t log_flush_time_ns;
	int64_t log_stats_time_ns;
	bool log_to_stderr;
	/* periodic */
	int64_t stats_time_ns;
	int64_t notif_time_ns;
	int64_t retry_sync_time_ns;
	/* space */
	int space_cleanupwm;
	int space_lowwm;
	int space_highwm;
	int space_oos;                  /* space.out_of_space */
	int64_t space_batch_size;
	int64_t dont_cleanup_time_ns;   /* space.dont_cleanup_time */
	/* lru */
	int64_t lru_dont_evict_time_ns;
	int64_t lru_capacity_upd_time_ns;
	int64_t lru_batch_size;
	bool lru_enabled;
	/* disk */
	int64_t disk_iostat_long_ns;
	int64_t disk_iostat_short_ns;
	int64_t disk_iostat_smooth_ns;
	int disk_util_low_wm;
	int disk_util_high_wm;
	int disk_util_max_wm;
	/* mirror */
	int64_t mirror_copies;
	int mirror_burst;
	bool mirror_enabled;
	/* ec */
	int64_t ec_objsize_limit;
	char ec_compression[16];
	int ec_bundle_mult;
	int ec_burst;
	int ec_data_slices;
	int ec_parity_slices;
	bool ec_enabled;
	bool ec_disk_only;
	/* chunks */
	int64_t chunks_objsize_limit;
	int64_t chunks_max_monolithic;
	int64_t chunks_chunk_size;
	int chunks_checkpoint_every;
	int64_t chunks_flags;
	/* rebalance, resilver */
	int64_t rebalance_dest_retry_ns;
	char rebalance_compression[16];
	int rebalance_bundle_mult;
	int rebalance_burst;
	bool rebalance_enabled;
	bool resilver_enabled;
	/* transport */
	int transport_max_header;
	int transport_burst;
	int64_t transport_idle_teardown_ns;
	int64_t transport_quiescent_ns;
	int64_t transport_lz4_block;
	bool transport_lz4_frame_checksum;
	/* memsys */
	int64_t memsys_min_free;
	int64_t memsys_default_buf;
	int64_t memsys_to_gc;
	int64_t memsys_hk_time_ns;
	int memsys_min_pct_total;
	int memsys_min_pct_free;
	/* net */
	char net_l4_proto[8];
	int net_l4_sndrcv_buf_size;
	bool net_http_use_https;
	char net_http_server_crt[256];
	char net_http_server_key[256];
	char net_http_domain_tls[256];
	char net_http_client_ca_tls[256];
	int net_http_client_auth_tls;
	int64_t net_http_idle_conn_time_ns;
	int net_http_idle_conns_per_host;
	int net_http_idle_conns;
	int net_http_write_buffer_size;
	int net_http_read_buffer_size;
	bool net_http_chunked_transfer;
	bool net_http_skip_verify;
	bool net_use_ipv6;
	/* fshc */
	int fshc_test_files;
	int fshc_error_limit;
	int fshc_io_err_limit;
	int64_t fshc_io_err_time_ns;
	bool fshc_enabled;
	/* auth */
	bool auth_enabled;
	char auth_sig_method[8];
	char auth_sig_key[4096];
	char auth_aud[CONFIG_LIST_MAX];      /* entries joined by '\n' */
	char auth_oidc_iss[CONFIG_LIST_MAX]; /* entries joined by '\n' */
	char auth_oidc_ca[1024];
	int64_t auth_jwks_rot_ns;
	int64_t auth_jwks_bg_ns;
	bool auth_ck_enabled;
	int64_t auth_ck_ttl_ns;
	int64_t auth_ck_nonce_window_ns;
	int64_t auth_ck_rotation_grace_ns;
	/* downloader */
	int64_t downloader_timeout_ns;
	/* tcb, tco, arch (XactConf) */
	char tcb_compression[16];
	int tcb_bundle_mult;
	int tcb_burst;
	char tco_compression[16];
	int tco_bundle_mult;
	int tco_burst;
	char arch_compression[16];
	int arch_bundle_mult;
	int arch_burst;
	/* write_policy */
	char write_policy_data[16];
	char write_policy_md[16];
	/* get_batch */
	char get_batch_compression[16];
	int get_batch_bundle_mult;
	int get_batch_burst;
	int64_t get_batch_max_wait_ns;
	int get_batch_warmup_workers;
	int get_batch_max_soft_errs;
	int get_batch_max_gfn;
	/* rate_limit */
	int rl_backend_num_retries;
	int64_t rl_backend_interval_ns;
	char rl_backend_per_op[256];
	int rl_backend_max_tokens;
	bool rl_backend_enabled;
	int rl_frontend_burst_size;
	int64_t rl_frontend_interval_ns;
	char rl_frontend_per_op[256];
	int rl_frontend_max_tokens;
	bool rl_frontend_enabled;
	/* s3 (our S3 API: docs/s3.md) */
	bool s3_auth;
	bool s3_redirect;
	char s3_region[64];
	char s3_access_key[128];
	char s3_secret_key[128];
	config_s3key_t s3_keys[CONFIG_MAX_S3KEYS];
	int s3_nkeys;

	/* ---------------- local ---------------- */
	char confdir[512];
	char log_dir[512];
	char host[64];                  /* host_net.hostname ("" -> 127.0.0.1 in the Smap) */
	char host_ctl[64], host_data[64];
	int port, port_ctl, port_data;
	char *fspaths[CONFIG_MAX_FSPATHS]; /* cleaned; owned */
	int nfspaths;
	char test_fsp_root[512];
	int test_fsp_count;
	int test_fsp_instance;

	/* the spelling of DUR/SIZE/LOGLVL values as given, by table row (owned; may be NULL) */
	char (*txt)[CONFIG_TXT_MAX];
} config_t;

/* ---- one config value (pure) ---- */

/* parse both JSON documents (not modified; no references kept) into c: every field starts at
 * its table default; unknown fields, wrong types, out-of-range and unsupported values are
 * rejected with a message naming the field ("cluster config: checksum.type: ..."). Returns 0 or
 * AIS_EINVAL/AIS_ENOTIMPL/AIS_ENOMEM (c is then empty: config_fini not needed). */
int config_parse(config_t *c, json_t *cluster, json_t *local, char *err, size_t errcap);
/* c with every field at its default (no local config: port 0); 0 or AIS_ENOMEM */
int config_defaults(config_t *c);
/* deep copy; 0 or AIS_ENOMEM (dst then empty) */
int config_copy(config_t *dst, const config_t *src);
void config_fini(config_t *c);
/* the cluster part as JSON (table order; secrets in clear: for persisting and local edits); new ref */
json_t *config_cluster_json(const config_t *c);
/* the cluster part for the wire (join answers, metasync): secrets sealed with the cluster key
 * (core/ckey.h); NULL when a secret cannot be sealed (no cluster key). config_install_cluster
 * opens them. New reference. */
json_t *config_wire_json(const config_t *c);
/* the local part as JSON; new reference */
json_t *config_local_json(const config_t *c);
/* what `GET /v1/daemon?what=config` shows: cluster (secrets masked) + local; new reference */
json_t *config_show_json(const config_t *c);
/* the cluster part safe to show to clients (secrets masked); new reference */
json_t *config_public_json(const config_t *c);

/* feature flags: names as AIStore spells them; parse "S3-API-via-Root,Fsync-PUT" or a number or
 * "none" into a bit mask. Returns 0 or AIS_EINVAL (err names the unknown flag). */
int feat_parse(const char *s, uint64_t *out, char *err, size_t errcap);
/* comma-separated names of the set bits ("none" when zero) into out */
void feat_format(uint64_t f, char *out, size_t cap);

/* set-config scope: cluster-wide (primary, then metasync) or this node only */
enum { CONFIG_SET_CLUSTER = 0, CONFIG_SET_NODE = 1 };
/* set one dotted key ("checksum.type", "features", "timeout.max_keepalive") in a cluster config
 * JSON (modified in place) through the table: unknown keys, local and read-only fields, and
 * cluster-only fields set per node -> AIS_EINVAL; invalid values -> AIS_EINVAL; values this build
 * does not implement (mirror.enabled=true) -> AIS_ENOTIMPL. err says why; nothing is changed
 * on error. Cross-field rules are checked when the result is installed. */
int config_apply_kv(json_t *cluster, const char *key, const char *val, int scope, char *err, size_t errcap);
/* the same with a JSON value (the ActMsg form {"value": {"mirror": {"copies": 3}}}; s3.keys takes
 * an array); a string is converted as in the query form */
int config_apply_value(json_t *cluster, const char *key, json_t *val, int scope, char *err, size_t errcap);

/* ---- the process-wide config ---- */

/* parse both files; the persisted cluster config (<confdir>/.ais.conf) wins when newer. On error
 * returns AIS_E* with a message in err and keeps the previous config. */
int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap);
/* a reference to the current version (NULL before config_load); drop it with config_put */
const config_t *config_get(void);
void config_put(const config_t *c);
/* the current feature flags (no reference taken; cheap enough for every request) */
uint64_t config_features(void);
/* replace the cluster part with a newer version (metasync, set-config): parsed and validated with
 * this node's local config. force: install even if not newer. Persists to <confdir>/.ais.conf.
 * Returns 1 installed, 0 not newer, or AIS_E* (invalid; err says why). */
/* (cluster may carry sealed secrets, config_wire_json: they are opened in place first; one that
 * does not open - another cluster's key, tampered - fails the install with AIS_EINVAL) */
int config_install_cluster(json_t *cluster, bool force, char *err, size_t errcap);
/* number of config versions alive (installed or still referenced): for leak tests */
int config_versions_alive(void);
/* drop the current version (process exit; readers still holding one free it on put) */
void config_cleanup(void);
/* cb(old, cur) after every installed cluster config (set-config, metasync), on the installing
 * thread, outside the module's lock; both valid for the call only. Set once at start-up. */
void config_set_listener(void (*cb)(const config_t *old, const config_t *cur));

#endif
