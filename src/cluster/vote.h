/* vote: primary election, as AIStore's ais/vote.go (two phases over /v1/vote).
 *
 *   any node whose keepalives to the primary fail (kalive.c) ─► vote_on_primary_down(pid):
 *     1. ask the nodes for their Smaps: a newer one with another primary is adopted (the
 *        cluster already moved on; nothing to elect);
 *     2. candidate = next in HRW order over the Smap (smap_hrw_proxy, skipping the primary);
 *        self → start the election; else PUT /v1/vote/init to it (retried; a candidate that
 *        does not answer is dropped from the local copy and the next one is asked).
 *   candidate (the `election` job, vote_elect):
 *     IDLE ─► confirm the primary is down (health twice; if it answers and still claims to
 *             lead (?apr=true), back to IDLE)
 *          ─► PHASE 1: GET /v1/vote/proxy {"vote_record"} to every node but self and the old
 *             primary; answers "YES"/"NO" (an error counts as NO); won when YES > NO (or nobody
 *             to ask). Not won: retried every kalive_retry_ns() while the Smap is unchanged, up
 *             to max(2 x interval, timeout.max_keepalive) - voters refuse while they still heard
 *             the primary within one interval.
 *          ─► PHASE 2: PUT /v1/vote/result {"vote_result"} to the same nodes: each sets the
 *             candidate as primary and drops the old one (same Smap version, as AIStore)
 *          ─► PRIMARY: Smap version + 100, primary = self, old primary removed, config's
 *             proxy.primary_url = self; everything metasynced to every node; listeners run.
 *   voter (GET /v1/vote/proxy): installs the record's Smap if newer; votes NO while it still
 *     hears the primary (hb within one interval), else YES iff the candidate is the first LIVE
 *     electable proxy in HRW order (a proxy ranked higher that does not answer a health probe
 *     is skipped: with the primary and the next candidate killed together, the third wins;
 *     AIStore's voter compares with the first in HRW order only).
 * The old primary, when it comes back, finds the newer Smap and joins as non-primary
 * (membership.c at start; kalive_stepdown() when it was only paused).
 * Deviation: the old primary is not asked for a vote (it was just confirmed down; AIStore's
 * broadcast includes it and counts its error as NO). */
#ifndef AIS_VOTE_H
#define AIS_VOTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cluster/smap.h"

#define VOTE_YES "YES"
#define VOTE_NO "NO"

/* AIStore's VoteRecord (also VoteInitiation, VoteResult) */
typedef struct vote_rec {
	char candidate[SNODE_ID_MAX];
	char primary[SNODE_ID_MAX];
	char initiator[SNODE_ID_MAX];
	char start_time[64];  /* RFC 3339 */
	smap_t *smap;         /* owned (vote_rec_fini frees) */
} vote_rec_t;

json_t *vote_rec_to_json(const vote_rec_t *v);  /* new reference; NULL on OOM */
/* 0, or AIS_EINVAL with err filled (v is then empty) */
int vote_rec_from_json(json_t *j, vote_rec_t *v, char *err, size_t cap);
void vote_rec_fini(vote_rec_t *v);

/* liveness of a proxy (a health probe in the node; a table in unit tests) */
typedef bool (*vote_alive_fn)(const snode_t *p, void *arg);
/* the first live electable proxy in HRW order over m, skipping `primary`; `self` counts as
 * live without asking. NULL when there is none. */
const snode_t *vote_next_live(const smap_t *m, const char *primary, const char *self, vote_alive_fn alive,
			      void *arg);
/* the voter's decision on `candidate` given its local Smap: true = YES. primary_heard: this
 * node heard the primary within one keepalive interval (then NO). why: the reason of a NO. */
bool vote_decide(const smap_t *local, const char *candidate, bool primary_heard, const char *self,
		 vote_alive_fn alive, void *arg, char *why, size_t cap);

int vote_init(void);          /* routes /v1/vote/... (both roles; init on proxies only) */
/* the election runs as a job: the proxy layer sets how to start one (it calls vote_elect on
 * the job's thread with the VoteRecord JSON; 0 or AIS_E*). Without a runner, a plain thread. */
void vote_set_runner(int (*start)(json_t *vr));
/* called (on the new primary's election thread) right after this node became primary, e.g.
 * to resume an interrupted rebalance from the metasynced RMD. At init only. */
void vote_on_primary(void (*fn)(void));
/* an election (candidate side) is running on this node */
bool vote_in_progress(void);

/* keepalives to primary `pid` failed (membership thread): see above */
void vote_on_primary_down(const char *pid);
/* the election itself (the job's body): vr is the VoteRecord JSON. err_fn reports failures to
 * the job (may be NULL). Returns true if this node became primary. */
bool vote_elect(json_t *vr, void (*err_fn)(void *arg, const char *msg), void *arg);

/* make this proxy primary (set-primary's commit on the designated proxy, the election's last
 * step): version + 100, self as primary, `remove` (may be NULL) dropped, config's primary_url
 * updated, metasync of everything to every node, listeners. */
void vote_become_primary(const char *remove);

#endif
