/* rmd: rebalance metadata (AIStore's meta.RMD, ais/rebmeta.go): the cluster-wide, ever-increasing
 * rebalance version. Global rebalance N runs as the job "g<N>" on every target. The primary is
 * the only writer: it bumps the version with the Smap change that needs a rebalance (or on an
 * explicit start) and metasyncs both in one payload ("smap" then "rmd"); every node persists the
 * RMD (<confdir>/.ais.rmd) and accepts only newer versions. Targets start rebalance N from the
 * listener (rmd_set_listener), the proxy answers "g<N>" to the client.
 *
 * JSON (AIStore's RMD + our "ext"): {"ext":{"action":"start-maintenance","smap_version":"12",
 * "sid":"<node>"},"cluster_id":"<Smap uuid>","target_ids":["..."],"version":7}; ext names what
 * triggered it and the Smap version the rebalance runs on (a target starts it once its Smap is at
 * least that new). Unknown keys are ignored; ext is optional (AIStore's own RMDs lack it).
 *
 * Value type: rmd_t is copied in and out (no references); the module owns the current version,
 * guarded by a mutex. The listener runs after each install, outside the lock, in install order. */
#ifndef AIS_RMD_H
#define AIS_RMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/smap.h"

#define RMD_TIDS_MAX 8
#define RMD_ACTION_MAX 32

typedef struct rmd {
	int64_t version;                          /* N of g<N>; 0: never rebalanced */
	char cluster_id[40];
	int ntids;
	char target_ids[RMD_TIDS_MAX][SNODE_ID_MAX]; /* the nodes whose change triggered it */
	/* ext */
	char action[RMD_ACTION_MAX];              /* "rebalance" (user), "join", "keepalive",
						   * "start-maintenance", ..., "resume" */
	char sid[SNODE_ID_MAX];                   /* the node the action was about ("" if none) */
	int64_t smap_version;                     /* the Smap it runs on (at least) */
} rmd_t;

/* ---- the node's current RMD ---- */
void rmd_get(rmd_t *out);            /* a copy (version 0 before any) */
int64_t rmd_version(void);
/* install m if newer (or force); persists it. 1 installed, 0 rejected as not newer. */
int rmd_install(const rmd_t *m, bool force);
void rmd_set_persist_path(const char *path);
/* load the persisted RMD (if any) without calling the listener: 0, AIS_ENOTFOUND, AIS_EINVAL */
int rmd_load_persisted(void);
/* called after every install with the previous and the new version (copies), in install order;
 * set once at start-up */
void rmd_set_listener(void (*cb)(const rmd_t *old, const rmd_t *cur));

/* ---- pure ---- */
/* "g<N>" */
void rmd_xid(int64_t version, char *out, size_t cap);
json_t *rmd_to_json(const rmd_t *m); /* new reference */
/* 0 or AIS_EINVAL with err */
int rmd_from_json(json_t *j, rmd_t *out, char *err, size_t cap);
/* add a target id (no duplicates; silently bounded by RMD_TIDS_MAX) */
void rmd_add_tid(rmd_t *m, const char *tid);

#endif
