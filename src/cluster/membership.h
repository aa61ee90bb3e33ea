/* membership: joining the cluster and staying in it.
 *   primary:  bootstraps the Smap (first start) or keeps its persisted one; serves
 *             POST /v1/cluster/join and POST /v1/cluster/keepalive; a tracker thread removes
 *             nodes silent for longer than keepalive interval x factor that also fail a
 *             health probe (timeout.max_keepalive); a keepalive also clears a suspect
 *             (suspect.h: every proxy's fast probe of the targets it redirects to).
 *   others:   join the primary at start (retrying until it answers), then send keepalives
 *             every interval; re-join when the primary no longer knows them.
 * State machine of a non-primary node:  JOINING ──ok──► MEMBER ──404 on keepalive──► JOINING */
#ifndef AIS_MEMBERSHIP_H
#define AIS_MEMBERSHIP_H

#include <stdbool.h>
#include <stdint.h>

int membership_init(void);   /* register routes (before the server starts) */
/* bootstrap or join; start the keepalive/tracker thread (and, on proxies, the suspect probe) */
int membership_start(void);
void membership_fini(void);
bool membership_joined(void);
/* one keep-alive round trip started at t0 (mono_ns); ok = false counts a failure */
void membership_kalive_note(int64_t t0, bool ok);
/* keep-alive round trips sent by this node: count, total ns, failures (for stats) */
void membership_kalive_stats(uint64_t *n, uint64_t *ns, uint64_t *errs);

#endif
