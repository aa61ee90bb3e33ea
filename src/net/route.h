/* route: the node's routing table. Modules register (method mask, path prefix, handler) at
 * init; route_dispatch() picks the longest matching prefix whose mask has the method and calls
 * its handler on the loop thread (it may continue with http_read_body/stream/defer). Unknown
 * paths → 404, known path with wrong method → 405, both as AIStore JSON errors.
 * The closed control plane (docs/security.md) is enforced here, before any handler runs:
 *  - a request with AIStore's caller headers (Ais-Caller-Id, ...) or the S3 forwarding marks
 *    that are not those of a verified intra-cluster signature (net/isig.h; spoofed) → 401;
 *  - an intra-cluster route (route_add_intra) without a valid signature → 401 (a signature that
 *    does not verify - stale, replayed, another cluster's - is worth nothing anywhere); with
 *    ROUTE_MEMBER, a signer that the member hook does not know (not in the current Smap) → 403.
 * A verified sender is in r->caller for the handler.
 * The table is filled before the server starts and read-only afterwards. */
#ifndef AIS_ROUTE_H
#define AIS_ROUTE_H

#include "net/http.h"

#define RM(m) (1u << (m))
#define RM_ALL 0xffffffffu

void route_add(unsigned methods, const char *prefix, http_handler_cb fn);

enum {
	ROUTE_SIGNED = 1, /* any holder of the cluster key (a node that joins) */
	ROUTE_MEMBER = 2, /* a holder of the cluster key that is a member (route_set_member_hook) */
};
/* an intra-cluster route: only for requests signed with the cluster key (level ROUTE_*) */
void route_add_intra(unsigned methods, const char *prefix, http_handler_cb fn, int level);
/* is_member(sender id): true when the sender is in this node's current cluster map (or the node
 * has no map yet). Set once at start-up; without it ROUTE_MEMBER routes are refused. */
void route_set_member_hook(bool (*is_member)(const char *sid));
/* access control of client requests (auth/agate.h), run after the intra-cluster checks: returns
 * 0 to serve r, nonzero when it answered r. Set once at start-up (none: no check). */
void route_set_auth_hook(int (*check)(http_req_t *r));
void route_reset(void);
/* http_dispatch_cb-compatible */
void route_dispatch(http_req_t *r, void *arg);

/* split r->path after `prefix` into up to n '/'-separated items; the last item takes the rest
 * of the path (so object names keep their slashes). Returns the number of items found.
 * Items point into buf (cap bytes), which the caller provides. */
int route_items(const http_req_t *r, const char *prefix, char *buf, size_t cap, const char **items, int n);

#endif
