/* metasync: distribution of Smap and BMD versions from the primary to every node, and their
 * reception. Primary side: metasync_commit_*() install the next version locally and push it
 * synchronously to all nodes (parallel, bounded by the control-plane timeout); a background
 * thread re-pushes to nodes that missed a version (every periodic.retry_sync_time). Receiver side: PUT /v1/metasync
 * {"smap":..., "bmd":..., "config":...} installs what is newer - from this node's primary only,
 * or from a proxy whose Smap is newer (Ais-Caller-Id; anything else: 409, which tells a stale
 * primary that it no longer leads). Read-modify-write of cluster metadata on the primary
 * happens under metasync_lock(). Pushes carry the sender headers (node_sender_hdrs). */
#ifndef AIS_METASYNC_H
#define AIS_METASYNC_H

#include "cluster/bmd.h"
#include "cluster/smap.h"

int metasync_init(void);     /* register the receiver route; start the retry thread */
void metasync_fini(void);
void metasync_lock(void);
void metasync_unlock(void);
/* primary: install m as version cur+1 (ownership taken) and push. Caller holds metasync_lock.
 * Returns the number of nodes that did not ack (they are retried in the background). */
int metasync_commit_smap(smap_t *m);
int metasync_commit_bmd(bmd_t *m);
/* primary: install `cluster` (a full cluster config JSON; reference taken) as config version
 * cur+1 and push it. Returns <0 (AIS_E*, err filled) when invalid, else the number of laggards. */
int metasync_commit_config(json_t *cluster, char *err, size_t errcap);
/* primary: record the versions a node reported (keepalive) so laggards get re-pushed. */
void metasync_node_versions(const char *id, int64_t smap_ver, int64_t bmd_ver, int64_t conf_ver);
/* apply a {"smap":..,"bmd":..} payload (join response, metasync). force: accept older. */
int metasync_apply(json_t *payload, bool force, char *err, size_t errcap);
/* build the payload with the current versions (new reference). */
json_t *metasync_payload(void);
/* primary: push every version to every node (a new primary; a bumped force-join). action, when
 * not NULL, goes along ("primary-force": receivers accept older versions). Caller holds
 * metasync_lock. Returns the number of nodes that did not ack. */
#define METASYNC_ACT_FORCE "primary-force"
int metasync_push_all(const char *action);
/* drop the per-node acked versions (a node that stops being primary) */
void metasync_forget_acks(void);
/* primary: true (once) when a node refused a push with 409 because it follows a newer primary */
bool metasync_refused(void);

/* More replicated metadata (the rebalance metadata, RMD, once rebalance exists) plugs in here:
 * its JSON rides in every payload under `tag` (so a new primary's metasync, join answers and
 * force-join carry it), and a receiver installs it with apply (newer only unless force; 0 or
 * AIS_E* with err filled). Register at init, before the server starts. */
typedef struct metasync_rev {
	const char *tag;
	json_t *(*get)(void);
	int (*apply)(json_t *j, bool force, char *err, size_t cap);
} metasync_rev_t;
#define METASYNC_MAX_REVS 4
int metasync_rev_register(const metasync_rev_t *rev);

#endif
