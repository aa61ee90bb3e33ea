/* pobj: object requests at the proxy. The proxy stores nothing: it checks the bucket, picks the
 * owner by HRW and redirects (GET 301, everything else 307, as AIStore 4.7) to the target's
 * public URL with the same path and query plus pid (this proxy), utm (unix ns), vpams and the
 * signature of the redirect (net/rsig.h: x, u); while the
 * owner is suspect (refuses connections, cluster/suspect.h) it answers 503 with Retry-After
 * instead. Runs on the loop thread: no I/O besides the response. */
#include "proxy/proxy.h"
#include "backend/bk.h"
#include "cluster/bmd.h"
#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "cluster/suspect.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "fs/fqn.h"
#include "core/util.h"
#include "net/route.h"
#include "net/rsig.h"
#include "stats/stats.h"

#include <stdio.h>
#include <string.h>

/* AIStore's object name checks (cos.ValidOname) plus ours: no "." / ".." segments, no NUL */
static void pobj_handle(http_req_t *r);

/* pool: a remote bucket's first use (it goes into the BMD), then the usual redirect */
static void pobj_remote_cb(http_req_t *r)
{
	char buf[8192];
	const char *items[2] = {NULL, NULL};
	pbck_t b;
	if (route_items(r, "/v1/objects", buf, sizeof(buf), items, 2) < 1 || pbck_parse(r, items[0], &b) ||
	    prbck_ensure(r, &b))
		return;
	pobj_handle(r);
}

/* pool, body read: POST /v1/objects/<bck> {"action":"promote"|"blob-download"} */
static void pobj_bck_post_cb(http_req_t *r)
{
	char buf[8192];
	const char *items[2] = {NULL, NULL};
	pbck_t b;
	json_error_t je;
	if (route_items(r, "/v1/objects", buf, sizeof(buf), items, 2) < 1 || pbck_parse(r, items[0], &b))
		return;
	json_t *msg = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	if (!json_is_object(msg)) {
		http_error(r, 400, NULL, "failed to unmarshal JSON action message: %s", msg ? "not an object" : je.text);
	} else if (!prbck_ensure(r, &b) && !pjob_obj_action(r, &b, NULL, msg)) {
		http_error(r, 400, NULL, "invalid action \"%s\" for POST %s", json_string_value(json_object_get(msg, "action")) ?
			   json_string_value(json_object_get(msg, "action")) : "", r->path);
	}
	json_decref(msg);
}

static void pobj_handle(http_req_t *r)
{
	char buf[8192];
	const char *items[2] = {NULL, NULL};
	int n = route_items(r, "/v1/objects", buf, sizeof(buf), items, 2);
	if (n < 0) {
		http_error(r, 400, NULL, "object name too long");
		return;
	}
	if (n == 1 && *items[0] && r->method == HTTP_M_POST) {
		http_read_body(r, 1 << 20, pobj_bck_post_cb, true);
		return;
	}
	if (n < 2 || !*items[1]) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/objects/<bucket>/<object>", r->path);
		return;
	}
	pbck_t b;
	if (pbck_parse(r, items[0], &b))
		return;
	size_t nl = strlen(items[1]);
	const char *bad = fqn_invalid(items[1], nl); /* (the targets' rules: one place, fs/fqn.c) */
	if (bad) {
		char q[512];
		stats_redirect(r->method, http_query_get(r, "append_type") != NULL, false, STATS_BCK(&b));
		http_error(r, 400, NULL, "invalid object name \"%s\": %s", utf8_quote(items[1], nl, q, sizeof(q)), bad);
		return;
	}
	bmd_t *bmd = bmd_get();
	bool exists = bmd_find(bmd, b.provider, b.ns, b.name) != NULL;
	bmd_put(bmd);
	if (!exists && bk_is_remote(b.provider, b.ns)) {
		http_defer(r, pobj_remote_cb); /* (the HEAD of the remote bucket waits on the network) */
		return;
	}
	if (!exists) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b.provider, b.name);
		return;
	}
	smap_t *smap = smap_get();
	const snode_t *t = smap_owner_of(smap, b.provider, b.ns, b.name, items[1]);
	if (!t) {
		stats_redirect(r->method, http_query_get(r, "append_type") != NULL, false, STATS_BCK(&b));
		smap_put(smap);
		/* transient (a target rejoining after the tracker dropped it): clients may retry */
		http_hdr_addf(r, "Retry-After", "%d", suspect_retry_after());
		http_error(r, 503, NULL, "no targets in the cluster map (%s)", node_name());
		return;
	}
	if (suspect_is(t->id)) {
		/* the owner refuses connections: a redirect would send the client to a dead address;
		 * its place in HRW stays until the keepalive tracker decides (suspect.h) */
		char tid[SNODE_ID_MAX];
		snprintf(tid, sizeof(tid), "%s", t->id);
		smap_put(smap);
		stats_redirect(r->method, http_query_get(r, "append_type") != NULL, false, STATS_BCK(&b));
		http_hdr_addf(r, "Retry-After", "%d", suspect_retry_after());
		http_error(r, 503, NULL, "%s: target t[%s] that owns %s://%s/%s is not responding: retry later",
			   node_name(), tid, b.provider, b.name, items[1]);
		return;
	}
	sbuf_t loc = SBUF_INIT;
	sbuf_addf(&loc, "%s%s?", t->pub.url, r->raw_path);
	if (r->raw_query[0])
		sbuf_addf(&loc, "%s&", r->raw_query);
	/* + the Smap version the owner was chosen by (AIStore's vpams, base 36): a target that does
	 * not have that version yet waits for it before it answers "not found" (rebalance) */
	char v36[16];
	/* signed with the cluster key (net/rsig.h): the target serves it only as issued, once */
	int src = rsig_sign(&loc, r->method_str, r->path, node_id(), t->id, (int64_t)now_ns(),
			    u64_base36((uint64_t)smap->version, v36, sizeof(v36)));
	smap_put(smap);
	stats_redirect(r->method, http_query_get(r, "append_type") != NULL, !loc.oom && !src, STATS_BCK(&b));
	if (src)
		http_error_code(r, src, "%s: cannot sign the redirect: %s", node_name(), err_str(src));
	else if (loc.oom)
		http_error(r, 500, NULL, "out of memory");
	else
		http_redirect(r, r->method == HTTP_M_GET ? 301 : 307, sbuf_str(&loc));
	sbuf_fini(&loc);
}

int pobj_init(void)
{
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_HEAD) | RM(HTTP_M_PUT) | RM(HTTP_M_DELETE) | RM(HTTP_M_POST) |
			  RM(HTTP_M_PATCH),
		  "/v1/objects", pobj_handle);
	return 0;
}
