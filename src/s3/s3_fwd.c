/* s3_fwd: object requests at the proxy. Picks the owning target by HRW (smap_owner_of) and either
 * forwards the request (default: a streaming reverse proxy on the loop thread, http_proxy_pass:
 * the same method, path, query and end-to-end headers - Host and Authorization included, so the
 * target verifies SigV4 exactly as the client signed it - plus Ais-S3-Forwarded-By; bodies stream
 * both ways with bounded buffering), or, with the cluster config "s3": {"redirect": true},
 * answers 307 to the target's URL (AIStore's default; the proxy then verifies SigV4 itself
 * first). A target that cannot be reached answers 503 ServiceUnavailable as S3 XML. Stateless. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "net/http_upstream.h"
#include "net/isig.h"

/* nothing reached the client yet: S3 XML error (loop thread) */
static void fwd_fail_cb(http_req_t *r, int code, const char *why, void *arg)
{
	(void)arg;
	if (code == AIS_EINVAL) { /* the client's body broke off or was malformed */
		s3_err(r, 400, "IncompleteBody", "request body incomplete");
		return;
	}
	if (code == AIS_ENOMEM) {
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	log_warn("s3 forward %s %s: %s", r->method_str, r->raw_path, why);
	s3_err(r, 503, "ServiceUnavailable", "failed to reach the target: %s", why);
}

void s3_fwd_object(http_req_t *r, s3_req_t *q, const s3_conf_t *c)
{
	bmd_t *bmd = bmd_get();
	bool exists = bmd && bmd_find(bmd, "ais", "", q->bucket) != NULL;
	bmd_put(bmd);
	if (!exists) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
		free(q);
		return;
	}
	smap_t *smap = smap_get();
	const snode_t *t = smap_owner_of(smap, "ais", "", q->bucket, q->object);
	if (!t) {
		smap_put(smap);
		free(q);
		s3_err(r, 503, "ServiceUnavailable", "no targets in the cluster map");
		return;
	}
	if (c->redirect) {
		if (s3_auth_check(r, c, NULL)) {
			smap_put(smap);
			free(q);
			return;
		}
		sbuf_t loc = SBUF_INIT;
		sbuf_addf(&loc, "%s%s%s%s", t->pub.url, r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
		smap_put(smap);
		free(q);
		s3_add_common_hdrs(r);
		http_redirect(r, 307, sbuf_str(&loc));
		sbuf_fini(&loc);
		return;
	}
	/* the forwarding header is an intra-cluster claim: signed (net/isig.h; route.c refuses it
	 * unsigned) over the request-target the upstream sends */
	char via[160 + ISIG_HDR_MAX], sig[ISIG_HDR_MAX] = "";
	sbuf_t tgt = SBUF_INIT;
	sbuf_addf(&tgt, "%s%s%s", r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
	isig_line(r->method_str, sbuf_str(&tgt), sig, sizeof(sig));
	sbuf_fini(&tgt);
	snprintf(via, sizeof(via), "Ais-S3-Forwarded-By: %s\r\n%s%s", node_id(), sig, sig[0] ? "\r\n" : "");
	http_upstream_t up = {.url = t->pub.url, .extra_hdrs = via, .fail_cb = fwd_fail_cb};
	free(q);
	http_proxy_pass(r, &up); /* copies what it needs: the Smap reference can go */
	smap_put(smap);
}
