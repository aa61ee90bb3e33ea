/* pbcast: one prepared fan-out round from a proxy to nodes' control URLs (the job API of
 * pxact.c, the shard actions of pshard.c). Owns its request array, URLs and node IDs until
 * pbcast_fini; the answers stay in q[] (status, body) after pbcast_run. Not thread-shared: one
 * handler builds, runs and frees it. */
#ifndef AIS_PBCAST_H
#define AIS_PBCAST_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster/smap.h"
#include "core/sbuf.h"
#include "net/hclient.h"
#include "net/http.h"

typedef struct pbcast {
	int n;  /* nodes to call */
	int nt; /* the first nt are targets, the rest proxies */
	hreq_t *q;
	sbuf_t *url;
	char (*tid)[SNODE_ID_MAX];
} pbcast_t;

/* targets: the active ones (ids NULL), or those whose ID is among the nids strings at ids,
 * ids + stride, ... (any state); with proxies also every proxy. 0 or AIS_ENOMEM. */
int pbcast_init(pbcast_t *bc, const char *ids, size_t stride, int nids, bool proxies);
/* send method path_query (+ body of len bytes) to every node in parallel; waits for all */
void pbcast_run(pbcast_t *bc, const char *method, const char *path_query, const char *body, size_t len,
		int timeout_ms);
void pbcast_fini(pbcast_t *bc);
/* relay the i-th node's failure: its own AIStore error JSON, or 503 when it was unreachable */
void pbcast_relay_err(http_req_t *r, const pbcast_t *bc, int i);
/* control-plane round timeout: timeout.max_keepalive, at least min_ms */
int pbcast_timeout_ms(int min_ms);

#endif
