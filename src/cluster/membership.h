/* membership: joining the cluster and staying in it.
 *   primary:  bootstraps the Smap (first start) or keeps its persisted one; serves
 *             POST /v1/cluster/join and POST /v1/cluster/keepalive; a tracker thread removes
 *             nodes silent for longer than keepalive interval x factor that also fail a
 *             health probe (timeout.max_keepalive).
 *   others:   join the primary at start (retrying until it answers), then send keepalives
 *             every interval; re-join when the primary no longer knows them.
 * State machine of a non-primary node:  JOINING ──ok──► MEMBER ──404 on keepalive──► JOINING */
#ifndef AIS_MEMBERSHIP_H
#define AIS_MEMBERSHIP_H

#include <stdbool.h>

int membership_init(void);   /* register routes (before the server starts) */
int membership_start(void);  /* bootstrap or join; start the keepalive/tracker thread */
void membership_fini(void);
bool membership_joined(void);

#endif
