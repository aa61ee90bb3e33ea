/* primary: administrative primary changes, as AIStore's ais/psetforce.go.
 *
 * set-primary (PUT /v1/cluster/proxy/<id> on the primary; the proxy layer forwards it there):
 *   validate (<id> is an electable proxy of this Smap: unknown → 404, a target → 404, in
 *   maintenance / decommissioned / non-electable → 400), then two phases over every node:
 *     prepare  PUT /v1/daemon/proxy/<id>?prp=true  body cluMeta (BMD, config)
 *     (local)  this proxy's Smap names <id> primary (same version) - it stops leading
 *     commit   PUT /v1/daemon/proxy/<id>?prp=false: <id> becomes primary (Smap version + 100,
 *              metasync to all); every other node names <id> primary.
 *   At no point do two nodes claim to lead: the old primary steps aside before the new one
 *   takes over. Concurrent set-primary requests: the second gets 409.
 *
 * force-join (same URL with ?frc=true&can=<URL of the other cluster's primary>, <id> not in this
 *   Smap): split-brain recovery or merging clusters. Steps: fetch the destination Smap and
 *   cluMeta (GET /v1/daemon?what=smap|smapvote), prepare (every node of this cluster health-pings
 *   the destination primary: POST /v1/daemon/primary-force?prp=true), install the destination's
 *   metadata and join it (rolled back if the join fails), commit (every node does the same:
 *   ?prp=false), then ask the destination primary to "bump-metasync" (Smap version + 100 over
 *   both clusters' versions, everything pushed with action primary-force). Buckets the
 *   destination does not know keep their data on disk (bmd_install_keep); rebalance is the
 *   operator's next step, as in AIStore.
 *
 * bump-metasync (PUT /v1/cluster {"action":"bump-metasync","value":<victim Smap version>}). */
#ifndef AIS_PRIMARY_H
#define AIS_PRIMARY_H

#include <jansson.h>

#include "net/http.h"

int primary_init(void);  /* node-side routes: /v1/daemon/proxy, /v1/daemon/primary-force */
/* PUT /v1/cluster/proxy/<npid>[?frc=true&can=URL] on the primary (pool thread; responds) */
void primary_set(http_req_t *r, const char *npid);
/* the bump-metasync action on the (destination) primary (pool thread; responds) */
void primary_bump_metasync(http_req_t *r, json_t *msg);

#endif
