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

typedef struct config {
	/* cluster */
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

/* parse both files; on error returns AIS_E* and writes a message into err. */
int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap);
/* the process-wide config (NULL before config_load). */
const config_t *config_get(void);
/* parse from JSON objects (takes new references); used by tests and by config_load. */
int config_parse(config_t *c, json_t *cluster, json_t *local, char *err, size_t errcap);
void config_fini(config_t *c);

#endif
