/* bmd: bucket metadata (AIStore's meta.BMD): versioned, immutable once published, refcounted,
 * like smap. Buckets are keyed by (provider, namespace, name). Each bucket keeps its full
 * AIStore props JSON (`props`) plus the hot fields the data path reads.
 * JSON shape: {"providers":{"ais":{"":{"buckets":{"name":{props}}}}},"uuid","version":"N"}
 * (the namespace key is "" for the global namespace).
 * Extension metadata: a bucket may carry `ext`, a JSON object owned by layers above the BMD
 * (e.g. ext.s3: the S3 owner, ACL and bucket configurations) that AIStore's Bprops have no
 * place for. It travels with the BMD (persisted, metasynced, cloned) in a separate top-level
 * member "ext": {"<provider>":{"<ns>":{"<bucket>":{...}}}} and is never part of `props`
 * (so never shown in Ais-Bucket-Props). Treated as immutable once installed: replace it
 * with bmd_set_ext() on a clone. */
#ifndef AIS_BMD_H
#define AIS_BMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cksum.h"

#define BCK_NAME_MAX 64
#define BCK_SYS_SHARDIDX ".sys-shardidx" /* AIStore's system buckets (cmn.SysShardIdx, SysNBI) */
#define BCK_SYS_NBI ".sys-inventory"

typedef struct bck {
	char provider[16];      /* "ais" */
	char ns[80];            /* "" = global; otherwise "@uuid#name" form */
	char name[BCK_NAME_MAX + 1];
	uint64_t bid;
	int64_t created;        /* unix ns */
	cksum_type_t cksum_type;
	bool validate_warm_get; /* checksum.validate_warm_get */
	bool validate_cold_get;
	bool versioning;        /* versioning.enabled */
	int mirror_copies;      /* mirror.copies when mirror.enabled, else 0 */
	int mirror_burst;       /* mirror.burst_buffer: the async put-copies queue (0: copies inline) */
	bool ec_enabled;        /* ec.enabled */
	int ec_d, ec_p;         /* ec.data_slices, ec.parity_slices */
	int64_t ec_limit;       /* ec.objsize_limit (0: slice everything, -1: replicate everything) */
	json_t *props;          /* full Bprops JSON; owned by the bmd */
	json_t *ext;            /* extension metadata (see above) or NULL; owned by the bmd */
} bck_t;

typedef struct bmd {
	int refs;
	int64_t version;
	char uuid[40];
	bck_t *bcks; int nbcks;
} bmd_t;

bmd_t *bmd_get(void);
void bmd_put(bmd_t *m);
int bmd_install(bmd_t *m, bool force);  /* as smap_install */
/* forced install of another cluster's (or split-brain island's) BMD (force-join, AIStore's
 * "nilbmd"): the old version is not comparable, so buckets missing from m are NOT treated as
 * destroyed - their data stays on disk; new buckets get their directories. */
int bmd_install_keep(bmd_t *m);
void bmd_set_persist_path(const char *path);
int bmd_load_persisted(void);
/* called after every install with (old, new) – old may be NULL; set once at start-up. */
void bmd_set_listener(void (*cb)(const bmd_t *old, const bmd_t *cur));

bmd_t *bmd_new(void);
bmd_t *bmd_clone(const bmd_t *m);
void bmd_free(bmd_t *m);
const bck_t *bmd_find(const bmd_t *m, const char *provider, const char *ns, const char *name);
/* add a bucket with default props inherited from the cluster config, with `props` (may be NULL)
 * applied through the bucket props table (bprops_apply); assigns bid/created. AIS_EEXIST if
 * present; bprops_apply's errors for bad props. */
int bmd_add(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *props);
int bmd_del(bmd_t *m, const char *provider, const char *ns, const char *name);
/* apply `patch` (BpropsToSet JSON) to the bucket's props through the bucket props table
 * (bprops_apply: AIS_EINVAL bad input, AIS_ENOTIMPL not built; nothing changes on error);
 * refreshes hot fields. */
int bmd_set_props(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *patch,
		  char *err, size_t errcap);
/* replace the bucket's extension metadata: takes the reference to `ext` (an object, or NULL to
 * remove). AIS_ENOBUCKET (and `ext` released) if the bucket does not exist. */
int bmd_set_ext(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *ext);
/* refresh hot fields from b->props. */
void bck_sync_hot(bck_t *b);

json_t *bmd_to_json(const bmd_t *m);
bmd_t *bmd_from_json(json_t *j, char *err, size_t errcap);

/* AIStore's bucket-name rules: 1..64 chars of [A-Za-z0-9._-], not "." or "..". */
bool bck_name_valid(const char *name);
/* a bucket whose objects stay on the target that wrote them (ais://.sys-shardidx: a shard's
 * index lives next to its shard): no HRW filter in listings, never moved by a rebalance */
bool bck_node_local(const char *provider, const char *name);

#endif
