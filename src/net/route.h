/* route: the node's routing table. Modules register (method mask, path prefix, handler) at
 * init; route_dispatch() picks the longest matching prefix whose mask has the method and calls
 * its handler on the loop thread (it may continue with http_read_body/stream/defer). Unknown
 * paths → 404, known path with wrong method → 405, both as AIStore JSON errors.
 * The table is filled before the server starts and read-only afterwards. */
#ifndef AIS_ROUTE_H
#define AIS_ROUTE_H

#include "net/http.h"

#define RM(m) (1u << (m))
#define RM_ALL 0xffffffffu

void route_add(unsigned methods, const char *prefix, http_handler_cb fn);
void route_reset(void);
/* http_dispatch_cb-compatible */
void route_dispatch(http_req_t *r, void *arg);

/* split r->path after `prefix` into up to n '/'-separated items; the last item takes the rest
 * of the path (so object names keep their slashes). Returns the number of items found.
 * Items point into buf (cap bytes), which the caller provides. */
int route_items(const http_req_t *r, const char *prefix, char *buf, size_t cap, const char **items, int n);

#endif
