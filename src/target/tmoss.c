/* tmoss: the target's GetBatch endpoint (AIStore's target mlHandler, ais/ml.go), the HTTP adapter
 * over xact/xs_moss.h. Paths as the proxy builds them (proxy/pml.c):
 *   /v1/ml/moss[/<bck>]/<xid>/<wid>/<nat>?tid=<designated target>[&provider=..&namespace=..]
 *   POST, tid = this target, xid "noxid"   phase 1: register the work item; the body (MossReq)
 *                                          is parsed again; answers the job ID (text/plain)
 *   POST, tid = another target             phase 3: push this target's items to tid; 200 at once
 *   GET (the client, redirected)           phase 2: the archive (streamed or multipart)
 * Bodies above MOSS_BODY_MAX are refused with 413 before they are read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/moss.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/route.h"
#include "net/rsig.h"
#include "target/target.h"
#include "target/tgt_int.h"
#include "xact/xact.h"
#include "xact/xs_moss.h"

#define TMOSS_NO_XID "noxid" /* the xid path segment of a request sent without a job ID (AIStore's) */

typedef struct tmoss_path {
	char buf[1024];
	char ns[80];
	const char *bucket, *xid, *wid;
	int nat;
} tmoss_path_t;

/* parse the path and query; on failure responds and returns < 0 */
static int tmoss_parse(http_req_t *r, tmoss_path_t *p, moss_ctx_t *ctx)
{
	const char *it[4] = {NULL};
	int n = route_items(r, "/v1/ml/moss", p->buf, sizeof(p->buf), it, 4);
	int64_t nat = 0;
	memset(ctx, 0, sizeof(*ctx));
	if (n < 3 || parse_i64(it[n - 1], &nat) || nat <= 0 || nat > 100000 || strchr(it[n - 1], '/')) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/ml/moss[/<bucket>]/<xid>/<wid>/<nat>", r->path);
		return AIS_EINVAL;
	}
	p->bucket = n == 4 ? it[0] : "";
	p->xid = it[n - 3];
	p->wid = it[n - 2];
	p->nat = (int)nat;
	char prov[16];
	if (tobj_bck_query(r, prov, sizeof(prov), p->ns, sizeof(p->ns)))
		return AIS_EINVAL;
	if (strcmp(prov, "ais")) {
		http_error(r, 501, NULL, "x-moss: GetBatch from a remote bucket (provider \"%s\") is not supported", prov);
		return AIS_ENOTIMPL;
	}
	const char *tid = http_query_get(r, "tid");
	if (!tid || !*tid || !*p->wid) {
		http_error(r, 400, NULL, "x-moss: missing designated target (tid) or work item id");
		return AIS_EINVAL;
	}
	ctx->wid = p->wid;
	ctx->xid = p->xid;
	ctx->dt = tid;
	ctx->bucket = p->bucket;
	ctx->ns = p->ns;
	ctx->nat = p->nat;
	return 0;
}

static void tmoss_post_cb(http_req_t *r)
{
	tmoss_path_t p;
	moss_ctx_t ctx;
	moss_req_t req;
	char err[512], xid[XACT_ID_MAX];
	if (tmoss_parse(r, &p, &ctx))
		return;
	int rc = moss_req_parse(r->body, r->body_len, &req, err, sizeof(err));
	if (rc) {
		http_error(r, rc == AIS_ENOTIMPL ? 501 : 400, NULL, "%s", err);
		return;
	}
	if (!strcmp(ctx.dt, node_id())) {
		if (strcmp(p.xid, TMOSS_NO_XID)) {
			http_error(r, 400, NULL, "x-moss: expected '%s', got \"%s\"", TMOSS_NO_XID, p.xid);
		} else if ((rc = xs_moss_prep(&ctx, &req, xid, sizeof(xid), err, sizeof(err)))) {
			http_error_code(r, rc, "%s", err);
		} else {
			http_hdr_add(r, "Ais-Xaction-Id", xid);
			http_respond(r, 200, "text/plain", xid, strlen(xid));
		}
	} else if (!xact_id_valid(p.xid)) {
		http_error(r, 400, NULL, "x-moss: invalid xid \"%s\" at phase 3 (non-DT)", p.xid);
	} else if ((rc = xs_moss_send(&ctx, &req, err, sizeof(err)))) {
		http_error_code(r, rc, "%s", err);
	} else {
		http_respond(r, 200, NULL, NULL, 0);
	}
	moss_req_fini(&req);
}

static void tmoss_get_cb(http_req_t *r)
{
	tmoss_path_t p;
	moss_ctx_t ctx;
	if (tmoss_parse(r, &p, &ctx))
		return;
	if (strcmp(ctx.dt, node_id())) {
		http_error(r, 400, NULL, "x-moss: t[%s] is not the designated target t[%s]", node_id(), ctx.dt);
		return;
	}
	xs_moss_assemble(r, &ctx);
}

static bool tmoss_too_big(http_req_t *r)
{
	if (r->content_length < 0 || (uint64_t)r->content_length <= MOSS_BODY_MAX_DFLT)
		return false;
	http_error(r, 413, NULL, "get-batch request body of %lld bytes exceeds the limit of %zu", (long long)r->content_length,
		   MOSS_BODY_MAX_DFLT);
	return true;
}

/* the client's GET comes by the proxy's redirect, signed (net/rsig.h): 0, or answered (401/503) */
static int tmoss_check_redirect(http_req_t *r)
{
	char why[200] = "unsigned redirect: a get-batch GET must come by the proxy's redirect";
	int rc = r->redirect_ok ? 0 : rsig_present(r) ? rsig_verify(r, node_id(), why, sizeof(why)) : AIS_EAUTH;
	if (!rc) {
		r->redirect_ok = true;
		return 0;
	}
	if (rc == AIS_EAGAIN)
		http_hdr_add(r, "Retry-After", "1");
	http_error(r, rc == AIS_EAGAIN ? 503 : 401, NULL, "%s: %s", node_name(), why);
	return rc;
}

static void tmoss_cb(http_req_t *r)
{
	if (tmoss_too_big(r))
		return;
	if (r->method == HTTP_M_POST)
		http_read_body(r, MOSS_BODY_MAX_DFLT, tmoss_post_cb, true);
	else if (r->method == HTTP_M_GET && !tmoss_check_redirect(r))
		http_defer_stream(r, tmoss_get_cb);
	else if (r->method != HTTP_M_GET)
		http_error(r, 405, NULL, "invalid method %s for %s", r->method_str, r->path);
}

void tmoss_init(void)
{
	/* the DT's registration (phase 1) and the senders' start (phase 3) come from the proxy only */
	route_add(RM(HTTP_M_GET), "/v1/ml/moss", tmoss_cb);
	route_add_intra(RM(HTTP_M_POST), "/v1/ml/moss", tmoss_cb, ROUTE_MEMBER);
	if (xs_moss_init())
		log_warn("get-batch: no receive handler on the transport endpoint (peers cannot push)");
}

void tmoss_fini(void) { xs_moss_fini(); }
