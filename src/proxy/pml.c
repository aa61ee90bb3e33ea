/* pml: the proxy's GetBatch endpoint (AIStore's proxy mlHandler, ais/ml.go):
 *   GET /v1/ml/moss[/<bucket>] with a MossReq body (archive/moss.h), query provider/namespace
 *   (the default bucket's) and coloc.
 * Checks the request (400 malformed, 404 unknown bucket, 501 ranges or remote providers, 413 a
 * body over MOSS_BODY_MAX, unread), picks the designated target (DT: a random active target, or
 * with coloc >= 1 the one storing most of the items), registers the work item there (phase 1,
 * POST, the DT answers the job ID), redirects the client to the DT with 307 (phase 2), then tells
 * every other active target to push its items to the DT (phase 3, POST, after the redirect went
 * out; a sender that fails is noticed by the DT, which then fetches those items itself).
 * Runs on the pool. Other methods: 405. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/moss.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "cluster/suspect.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/rsig.h"
#include "net/route.h"
#include "proxy/proxy.h"

#define PML_XID_MAX 64

/* every item's bucket must exist (the request's own or the item's) */
static int pml_check_bcks(http_req_t *r, const moss_req_t *req, const pbck_t *dflt)
{
	bmd_t *m = bmd_get();
	int rc = 0;
	for (int i = 0; i < req->n && !rc; i++) {
		const moss_in_t *in = &req->in[i];
		const char *bn = moss_in_bucket(in, dflt ? dflt->name : "");
		const char *ns = *in->ns ? in->ns : *in->bucket ? "" : dflt ? dflt->ns : "";
		if (!*bn) {
			http_error(r, 400, NULL, "missing bucket specification for object \"%s\" (in[%d])", in->objname, i);
			rc = AIS_EINVAL;
		} else if (!m || !bmd_find(m, "ais", ns, bn)) {
			http_error(r, 404, "ErrBckNotFound", "bucket \"ais://%s\" does not exist", bn);
			rc = AIS_ENOBUCKET;
		}
	}
	bmd_put(m);
	return rc;
}

static bool pml_usable(const snode_t *t) { return !(t->flags & (SNODE_MAINT | SNODE_DECOMM)) && !suspect_is(t->id); }

/* AIStore's _selectDT for coloc >= 1: the target storing most items (first to reach the max) */
static const snode_t *pml_dt_coloc(const smap_t *m, const moss_req_t *req, const pbck_t *dflt)
{
	int *score = calloc((size_t)m->ntargets, sizeof(*score)), best = -1;
	for (int i = 0; score && i < req->n; i++) {
		const moss_in_t *in = &req->in[i];
		const char *ns = *in->ns ? in->ns : *in->bucket ? "" : dflt ? dflt->ns : "";
		const snode_t *t = smap_owner_of(m, "ais", ns, moss_in_bucket(in, dflt ? dflt->name : ""), in->objname);
		if (!t || !pml_usable(t))
			continue;
		int k = (int)(t - m->targets);
		if (++score[k] > (best < 0 ? 0 : score[best]))
			best = k;
	}
	free(score);
	return best < 0 ? NULL : &m->targets[best];
}

static const snode_t *pml_dt(const smap_t *m, const moss_req_t *req, const pbck_t *dflt, int coloc)
{
	const snode_t *t = coloc > 0 ? pml_dt_coloc(m, req, dflt) : NULL;
	if (t)
		return t;
	int n = 0;
	for (int i = 0; i < m->ntargets; i++)
		n += pml_usable(&m->targets[i]);
	if (!n)
		return NULL;
	int pick = (int)(rand_u64() % (uint64_t)n);
	for (int i = 0; i < m->ntargets; i++)
		if (pml_usable(&m->targets[i]) && !pick--)
			return &m->targets[i];
	return NULL;
}

/* "/v1/ml/moss[/<bck>]/<xid>/<wid>/<nat>?<query>&tid=<dt>" */
static void pml_path(sbuf_t *p, const http_req_t *r, const pbck_t *b, const char *xid, const char *wid, int nat,
		     const char *dt)
{
	char *bn = b ? url_encode(b->name, false) : NULL;
	sbuf_adds(p, "/v1/ml/moss");
	if (bn)
		sbuf_addf(p, "/%s", bn);
	sbuf_addf(p, "/%s/%s/%d?", xid, wid, nat);
	if (r->raw_query[0])
		sbuf_addf(p, "%s&", r->raw_query);
	sbuf_addf(p, "tid=%s", dt);
	free(bn);
}

static int pml_timeout_ms(void)
{
	const config_t *c = config_get();
	int64_t ms = c && c->max_keepalive_ns > 0 ? c->max_keepalive_ns / 1000000 : 4000;
	config_put(c);
	return ms < 2000 ? 2000 : (int)ms;
}

/* phase 3: every active target but the DT starts pushing (best effort: the DT fetches what
 * does not come) */
static void pml_senders(const smap_t *m, const char *dt, const char *path, const char *body, size_t len)
{
	hreq_t *q = calloc((size_t)m->ntargets, sizeof(*q));
	sbuf_t *url = calloc((size_t)m->ntargets, sizeof(*url));
	int n = 0;
	for (int i = 0; q && url && i < m->ntargets; i++) {
		const snode_t *t = &m->targets[i];
		if (!strcmp(t->id, dt) || (t->flags & (SNODE_MAINT | SNODE_DECOMM)))
			continue;
		url[n] = (sbuf_t)SBUF_INIT;
		sbuf_addf(&url[n], "%s%s", t->ctl.url, path);
		q[n] = (hreq_t){.method = "POST", .url = sbuf_str(&url[n]), .body = body, .body_len = len,
				.timeout_ms = pml_timeout_ms()};
		n++;
	}
	if (n)
		hclient_fanout(q, n);
	for (int i = 0; i < n; i++) {
		if (q[i].rc || q[i].status != 200)
			log_warn("get-batch phase 3 (%s): %d %s %.*s", q[i].url, q[i].status, q[i].errmsg, (int)q[i].resp.len,
				 q[i].resp.p ? q[i].resp.p : "");
		hreq_fini(&q[i]);
		sbuf_fini(&url[i]);
	}
	free(q);
	free(url);
}

static void pml_get(http_req_t *r)
{
	char buf[512], err[512], wid[40], xid[PML_XID_MAX] = "";
	const char *items[2] = {NULL};
	pbck_t b, *dflt = NULL;
	moss_req_t req;
	int n = route_items(r, "/v1/ml/moss", buf, sizeof(buf), items, 2);
	if (n > 1 || (n == 1 && (!*items[0] || strchr(items[0], '/')))) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/ml/moss[/<bucket>]", r->path);
		return;
	}
	if (n == 1) {
		if (pbck_parse(r, items[0], &b))
			return;
		dflt = &b;
	}
	int rc = moss_req_parse(r->body, r->body_len, &req, err, sizeof(err));
	if (rc) {
		http_error(r, rc == AIS_ENOTIMPL ? 501 : 400, NULL, "%s", err);
		return;
	}
	if (pml_check_bcks(r, &req, dflt)) {
		moss_req_fini(&req);
		return;
	}
	const char *cq = http_query_get(r, "coloc");
	int64_t coloc = req.coloc;
	if (cq && (parse_i64(cq, &coloc) || coloc < 0 || coloc > 2)) {
		moss_req_fini(&req);
		http_error(r, 400, NULL, "invalid 'coloc=%s' (expecting 0, 1, or 2)", cq);
		return;
	}
	smap_t *m = smap_get();
	const snode_t *dt = m ? pml_dt(m, &req, dflt, (int)coloc) : NULL;
	moss_req_fini(&req);
	if (!dt) {
		smap_put(m);
		http_error(r, 503, NULL, "no targets available for get-batch (%s)", node_name());
		return;
	}
	int nat = smap_active_targets(m);
	rand_alnum(wid, 16);
	sbuf_t p1 = SBUF_INIT, loc = SBUF_INIT, p3 = SBUF_INIT;
	pml_path(&p1, r, dflt, "noxid", wid, nat, dt->id);
	sbuf_t u1 = SBUF_INIT;
	sbuf_addf(&u1, "%s%s", dt->ctl.url, sbuf_str(&p1));
	hreq_t q = {.method = "POST", .url = sbuf_str(&u1), .body = r->body, .body_len = r->body_len,
		    .timeout_ms = pml_timeout_ms()};
	rc = hclient_do(&q);
	if (rc) {
		http_error(r, 503, NULL, "%s: get-batch: failed to reach t[%s]: %s", node_name(), dt->id, q.errmsg);
	} else if (q.status != 200) {
		http_respond(r, q.status, "application/json", q.resp.p, q.resp.len); /* the DT's error */
	} else {
		snprintf(xid, sizeof(xid), "%.*s", (int)(q.resp.len < sizeof(xid) ? q.resp.len : 0), q.resp.p ? q.resp.p : "");
		pml_path(&p3, r, dflt, xid, wid, nat, dt->id);
		/* signed with the cluster key (net/rsig.h): the DT serves the batch only as issued, once */
		sbuf_t dp = SBUF_INIT;
		sbuf_adds(&dp, "/v1/ml/moss");
		if (dflt)
			sbuf_addf(&dp, "/%s", dflt->name);
		sbuf_addf(&dp, "/%s/%s/%d", xid, wid, nat);
		sbuf_addf(&loc, "%s%s&", dt->pub.url, sbuf_str(&p3));
		if (dp.oom || rsig_sign(&loc, r->method_str, sbuf_str(&dp), node_id(), dt->id, (int64_t)now_ns(), NULL))
			loc.oom = true;
		sbuf_fini(&dp);
		char *body = nat > 1 ? malloc(r->body_len ? r->body_len : 1) : NULL;
		size_t blen = r->body_len;
		if (body)
			memcpy(body, r->body, blen);
		char dtid[SNODE_ID_MAX];
		snprintf(dtid, sizeof(dtid), "%s", dt->id);
		if (!xid[0] || loc.oom)
			http_error(r, 500, NULL, "get-batch: invalid job ID from t[%s]", dtid);
		else
			http_redirect(r, 307, sbuf_str(&loc));
		if (body && xid[0]) /* r is the server's again: only our copies from here */
			pml_senders(m, dtid, sbuf_str(&p3), body, blen);
		free(body);
	}
	hreq_fini(&q);
	smap_put(m);
	sbuf_fini(&p1);
	sbuf_fini(&u1);
	sbuf_fini(&p3);
	sbuf_fini(&loc);
}

static void pml_handle(http_req_t *r)
{
	if (r->content_length > 0 && (uint64_t)r->content_length > MOSS_BODY_MAX_DFLT) {
		http_error(r, 413, NULL, "get-batch request body of %lld bytes exceeds the limit of %zu",
			   (long long)r->content_length, MOSS_BODY_MAX_DFLT);
		return;
	}
	http_read_body(r, MOSS_BODY_MAX_DFLT, pml_get, true);
}

int pml_init(void)
{
	route_add(RM(HTTP_M_GET), "/v1/ml/moss", pml_handle);
	return 0;
}
