/* membership: joining the cluster and staying in it.
 *   primary:  bootstraps the Smap (first start) or keeps its persisted one - after asking the
 *             nodes it knows whether the cluster moved on to another primary meanwhile (then it
 *             joins that one instead); serves POST /v1/cluster/join and /v1/cluster/keepalive
 *             (a keepalive also clears a suspect: suspect.h, every proxy's fast probe of the
 *             targets it redirects to).
 *   others:   join at start (through the Smap's primary, else proxy.primary_url, original_url,
 *             discovery_url; a non-primary proxy relays a join to its primary), then keep alive
 *             (kalive.c); re-join when the primary no longer knows them.
 * State machine of a node (the membership thread):
 *
 *     JOINING ──join ok──► MEMBER ──keepalive 404──► JOINING
 *        ▲                   │ primary lost: vote.c (elect / adopt a newer Smap)
 *        │                   ▼
 *        │ step-down     MEMBER of the new primary ... or PRIMARY (won the election,
 *        └─────────────  PRIMARY ◄── set-primary)    tracker: kalive_primary_tick */
#ifndef AIS_MEMBERSHIP_H
#define AIS_MEMBERSHIP_H

#include <stdbool.h>
#include <stdint.h>

int membership_init(void);   /* register routes (before the server starts) */
/* bootstrap or join; start the keepalive/tracker thread (and, on proxies, the suspect probe) */
int membership_start(void);
void membership_fini(void);
bool membership_joined(void);
bool membership_running(void); /* the membership thread runs (false once stopping) */
/* join again (the primary forgot this node, or this proxy stopped leading); force: apply the
 * next join answer even where it is older than what this node has */
void membership_rejoin(bool force);
/* POST <url>/v1/cluster/join with this node's Snode; applies the answer (force: even older
 * versions). Blocking. 0 or AIS_E*. */
int membership_join_via(const char *url, bool force);
/* one keep-alive round trip started at t0 (mono_ns); ok = false counts a failure */
void membership_kalive_note(int64_t t0, bool ok);
/* keep-alive round trips sent by this node: count, total ns, failures (for stats) */
void membership_kalive_stats(uint64_t *n, uint64_t *ns, uint64_t *errs);

#endif
