/* xs_moss: GetBatch on targets (AIStore's x-moss, xact/xs/moss.go, job kind "get-batch"): one
 * request for many objects and archived files, answered by a designated target (DT) as one
 * archive in the exact order of the request. Phases (the proxy drives them, proxy/pml.c):
 *
 *   1  proxy ─POST─► DT: xs_moss_prep registers the work item (wid): which target stores each
 *      item (HRW, the DT's Smap); answers the job ID (xid)
 *   2  client ─GET─► DT (307 from the proxy): xs_moss_assemble emits the items in order: its own
 *      from disk (plain TAR payloads by sendfile), the others as their senders push them
 *   3  proxy ─POST─► every other target: xs_moss_send pushes that target's items, in request
 *      order, to the DT on the shared transport stream "moss"
 *
 * Memory bounds: a sender keeps at most MOSS_WIN_BYTES / MOSS_WIN_N of one batch in flight to
 * the DT (each push wants a reply; the DT replies when it has emitted the entry), so the DT holds
 * at most that much per sender and batch, whatever the client's speed; entries larger than
 * MOSS_PUSH_MAX are not pushed: the sender announces them and the DT streams them from their
 * owner when their turn comes (a GET with the redirect marker, xs_gfn). The output is never
 * buffered: streamed (strm) straight into the response; multipart (strm:false) spooled to an
 * unnamed temporary file on a mountpath, then sent by sendfile.
 * Errors: with coer a missing item (or one a sender could not read, or that did not arrive in
 * get_batch.max_wait and could not be fetched) is a zero-size "__404__/<name>" entry, at most
 * get_batch.max_soft_errs of them; without coer (or beyond the limit) the request fails: an
 * AIStore JSON error while nothing was sent (always, in multipart mode), else the connection is
 * cut. Threads: phase 2 runs on the HTTP pool (http_defer_stream), phase 3 on a thread per batch,
 * the receive callbacks on loop threads (copy only), the job's own thread collects abandoned
 * work items (no phase 2 within MOSS_ABANDON_S). */
#ifndef AIS_XS_MOSS_H
#define AIS_XS_MOSS_H

#include <stdbool.h>
#include <stddef.h>

#include "archive/moss.h"
#include "net/http.h"
#include "xact/xact.h"

#define MOSS_TRNAME "moss"
#define MOSS_PUSH_MAX ((int64_t)4 << 20)   /* larger entries are fetched by the DT */
#define MOSS_WIN_BYTES ((int64_t)16 << 20) /* per sender and batch, in flight */
#define MOSS_WIN_N 64
#define MOSS_ABANDON_S 60
#define MOSS_IDLE_S 60                     /* the job ends after this long without batches */

/* the routing of one batch as the proxy sent it */
typedef struct moss_ctx {
	const char *wid;        /* work item id (the proxy's) */
	const char *xid;        /* the job (phases 2, 3) */
	const char *dt;         /* the designated target's id */
	const char *bucket;     /* default bucket ("" none) */
	const char *ns;         /* its namespace as the BMD keeps it */
	int nat;                /* active targets the proxy counted */
} moss_ctx_t;

/* register the receive handler on the node's transport endpoint (targets, at start) */
int xs_moss_init(void);
void xs_moss_fini(void);
/* phase 1 (DT): take req (moved: *req is left empty) as work item ctx->wid; xid receives the job
 * ID. 0, or AIS_ENOBUCKET / AIS_EINVAL / AIS_ECONFLICT (targets differ from the proxy's count)
 * / AIS_EEXIST (wid taken) with err. */
int xs_moss_prep(const moss_ctx_t *ctx, moss_req_t *req, char *xid, size_t xcap, char *err, size_t cap);
/* phase 2 (DT, pool thread of an http_defer_stream'ed GET): assemble and respond */
void xs_moss_assemble(http_req_t *r, const moss_ctx_t *ctx);
/* phase 3 (sender): start pushing this target's items of req (moved) to ctx->dt; returns at
 * once. 0, or AIS_E* with err (nothing started). */
int xs_moss_send(const moss_ctx_t *ctx, moss_req_t *req, char *err, size_t cap);

extern const xact_ops_t xs_moss_ops;

#endif
