/* config: the cluster config (shared by all nodes; AIStore's cmn.ClusterConfig layout) and the
 * node-local config (confdir, log_dir, host_net, fspaths). Loaded once at start-up; the full
 * JSON is kept for `GET /v1/daemon?what=config`. Owns the process-wide config (set once by
 * config_load, read-only afterwards). */
#ifndef AIS_CONFIG_H
#define AIS_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MAX_FSPATHS 64

/* AIStore's cluster feature flags (cmn/feat): bit i = name i of feat_names() */
enum {
	FEAT_ENFORCE_INTRA_CLUSTER_ACCESS = 1 << 0,
	FEAT_SKIP_VC = 1 << 1,
	FEAT_S3_API_VIA_ROOT = 1 << 3,
	FEAT_FSYNC_PUT = 1 << 4,
	FEAT_S3_PRESIGNED_REQUEST = 1 << 9,
	FEAT_S3_REVERSE_PROXY = 1 << 13,
	FEAT_S3_USE_PATH_STYLE = 1 << 14,
	FEAT_RESUME_INTERRUPTED_MPU = 1 << 21,
};

typedef struct config {
	/* cluster */
	int64_t version;                /* config_version (0 = never set) */
	uint64_t features;              /* "features" (decimal string of flag bits) */
	char primary_url[256];          /* proxy.primary_url */
	int64_t keepalive_interval_ns;  /* keepalivetracker.target.interval */
	int keepalive_factor;           /* keepalivetracker.target.factor */
	int64_t max_keepalive_ns;       /* timeout.max_keepalive */
	int64_t cplane_timeout_ns;      /* timeout.cplane_operation */
	char cksum_type[16];            /* checksum.type */
	bool validate_warm_get;         /* checksum.validate_warm_get */
	bool validate_cold_get;
	bool versioning;                /* versioning.enabled */
	int log_level;                  /* log.level (AIStore: 3 = info) */
	json_t *cluster;                /* the whole cluster config (owned) */
	/* local */
	char confdir[512];
	char log_dir[512];
	char host[64];                  /* host_net.hostname ("" → 127.0.0.1 in the Smap) */
	char host_ctl[64], host_data[64];
	int port, port_ctl, port_data;
	char *fspaths[CONFIG_MAX_FSPATHS];
	int nfspaths;
	json_t *local;                  /* the whole local config (owned) */
} config_t;

/* feature flags: names as AIStore spells them; parse "S3-API-via-Root,Fsync-PUT" or a number or
 * "none" into a bit mask. Returns 0 or AIS_EINVAL (err names the unknown flag). */
int feat_parse(const char *s, uint64_t *out, char *err, size_t errcap);
/* comma-separated names of the set bits ("none" when zero) into out */
void feat_format(uint64_t f, char *out, size_t cap);

/* replace the cluster part of the process-wide config with a newer version (metasync,
 * set-config). Readers that hold the previous config_t keep a valid pointer (old versions are
 * retired, freed at config_cleanup). Persists to <confdir>/.ais.conf. Returns 1 installed,
 * 0 not newer, or AIS_E* (invalid; err says why). */
int config_install_cluster(json_t *cluster, bool force, char *err, size_t errcap);
/* set one dotted key ("checksum.type", "features", "timeout.max_keepalive") in a cluster config
 * JSON (modified in place). The value is converted to the existing field's JSON type; "features"
 * takes flag names. Unknown keys are rejected. Returns 0 or AIS_EINVAL (err says why). */
int config_apply_kv(json_t *cluster, const char *key, const char *val, char *err, size_t errcap);

/* a copy of a cluster config JSON safe to show to clients (secrets masked); new reference */
json_t *config_public_json(json_t *cluster);

/* free retired versions and the current config (process exit) */
void config_cleanup(void);

/* parse both files; on error returns AIS_E* and writes a message into err. */
int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap);
/* the process-wide config (NULL before config_load). */
const config_t *config_get(void);
/* parse from JSON objects (takes new references); used by tests and by config_load. */
int config_parse(config_t *c, json_t *cluster, json_t *local, char *err, size_t errcap);
void config_fini(config_t *c);

#endif
