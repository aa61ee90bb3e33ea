/* treb: global rebalance on a target (AIStore's reb/ package): runs rebalance g<N> when the
 * primary metasyncs RMD version N (cluster/rmd.h), walks this target's objects and streams
 * every one it no longer owns by HRW to its new owner over target-to-target streams ("reb"
 * trname, transport/), drops the local copy once the owner acknowledged it, and meets its peers
 * at stage barriers (GET /v1/health?rebstatus=true). A newer RMD preempts the running one; a
 * target restarted in the middle asks the primary to resume (a new generation). Reads of objects
 * not here yet are served by getting them from a neighbour (treb_gfn); deletes during a
 * rebalance leave tombstones so a migrated older copy cannot resurrect them. See
 * docs/rebalance.md and treb_rule.h (the overwrite invariant). */
#ifndef AIS_TREB_H
#define AIS_TREB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "obj/obj.h"

/* register the "reb" stream name, the listeners (RMD, Smap), the delete hook, the status hook;
 * restore tombstones; start the manager (and the resume request when the last run was cut
 * short). After transport_init/tmove_init, before the server starts. 0 or AIS_E*. */
int treb_init(const config_t *cfg);
/* abort the running rebalance (its marker stays: the node resumes after restart), stop the
 * manager. After the HTTP server stopped, before tmove_fini. */
void treb_fini(void);

/* AIStore's reb.Status (GET /v1/health?rebstatus=true): {"targets","smap_version","reb_version",
 * "reb_id","stats","stage","aborted","running"} (new reference) */
json_t *treb_status_json(void);

/* get from neighbour: o is owned here (HRW) but missing; during a rebalance window, fetch it from
 * the target that had it (the owner under the previous Smap first, then any other) and store it
 * here (keeping its write time and version; never over a newer one). Blocks (pool threads).
 * 0 = stored here now (open it again), AIS_EEXIST = a neighbour has it but it was deleted here
 * after that version was written (it is gone), AIS_ENOTFOUND = nobody has it or no window, AIS_E*. */
int treb_gfn(const obj_t *o, char *err, size_t cap);
/* the window in which a miss is worth a treb_gfn (cheap) */
bool treb_gfn_window(void);

/* decommission (PUT /v1/daemon {"action":"decommission-node","value":ActValRmNode}): with
 * rm_user_data every mountpath's content goes; the cluster metadata in confdir (Smap, BMD,
 * RMD, markers) goes unless keep_initial_config. Returns whether the node should exit. */
bool treb_decommission(json_t *opts);

/* EC (tec.c): this target placed pieces of objects it owns by Smap m; the next rebalance moves
 * the pieces whose holders differ between any such map and its own (treb_ec.c) */
void treb_note_placed(smap_t *m);

#endif
