/* target: the storage node's public face: mountpaths, the object data path and the
 * target side of bucket operations. Registers its routes with route_add() in tgt_init():
 *   /v1/objects/<bck>/<obj>  GET HEAD PUT DELETE POST(rename/copy/append via action or appendty)
 *   /v1/buckets/<bck>        GET (list page of this target's objects, body {"action":"list",
 *                            "value":LsoMsg}), HEAD (does the bucket exist here)
 *   /v1/xactions             GET (job snapshots), PUT (start/stop a job): txact.c over xact/
 * and reacts to BMD changes (new bucket → dirs; destroyed bucket → data removed). */
#ifndef AIS_TARGET_H
#define AIS_TARGET_H

#include "cluster/bmd.h"
#include "core/config.h"

/* open/create every fspath (mountpath) from the local config; register routes. */
int tgt_init(const config_t *cfg);
void tgt_fini(void);
/* BMD listener: create dirs of new buckets, remove data of destroyed ones. */
void tgt_on_bmd(const bmd_t *old, const bmd_t *cur);
/* JSON array of mountpath info for GET /v1/daemon?what=mountpaths ({"available":[...],...}). */
json_t *tgt_mountpaths_json(void);
/* GetBatch (tmoss.c): /v1/ml/moss on targets; init registers the route and the transport
 * receive handler (call after transport_init), fini drops the work items (before
 * transport_fini) */
void tmoss_init(void);
void tmoss_fini(void);
/* capacity: used and total bytes over all mountpaths. */
void tgt_capacity(uint64_t *used, uint64_t *total);

#endif
