/* tobj: the native API's side of the object context: parse /v1/objects/<bck>/<obj> with the
 * provider/namespace query into a placed obj_t (answering the request's errors), the HRW
 * ownership check of direct requests (those without the proxy's pid/utm marker), and the
 * native object headers and 404 message. */
#include "target/tgt_int.h"

#include <stdio.h>
#include <string.h>

#include "backend/bk.h"
#include "cluster/node.h"
#include "net/rsig.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "net/route.h"

int tobj_bck_query(http_req_t *r, char *prov, size_t pcap, char *ns, size_t nscap)
{
	const char *q = http_query_get(r, "provider");
	const char *np = bk_norm_provider(q);
	if (!np) {
		http_error(r, 400, NULL, "invalid bucket provider \"%s\"", q);
		return AIS_EINVAL;
	}
	if (strcmp(np, "ais") && strcmp(np, "aws")) {
		http_error(r, 404, NULL, "provider \"%s\": backend is missing in the cluster configuration "
			   "(not built into this aisnode)", q);
		return AIS_ENOTFOUND;
	}
	snprintf(prov, pcap, "%s", np);
	q = http_query_get(r, "namespace");
	ns[0] = '\0';
	if (q && *q && strcmp(q, "@#")) {
		if (q[0] == '#')
			snprintf(ns, nscap, "@%s", q);
		else
			snprintf(ns, nscap, "%s", q);
		size_t l = strlen(ns);
		if (l > 1 && ns[l - 1] == '#') /* "@alias#": a remote cluster's global namespace */
			ns[l - 1] = '\0';
	}
	return 0;
}

/* AIStore's isRedirect: the proxy (or a target moving an object to its owner) marks what it
 * sends with pid (its id) and utm (unix ns) - and here signs it (net/rsig.h); tobj_init has
 * verified the signature of every request that carries the marks */
static bool tobj_redirected(const http_req_t *r)
{
	const char *pid = http_query_get(r, "pid"), *utm = http_query_get(r, "utm");
	return pid && *pid && utm && *utm;
}

/* a request with redirect marks must carry a valid signature: 0, or answered (401/503) */
static int tobj_check_redirect(http_req_t *r)
{
	if (r->redirect_ok || !rsig_present(r))
		return 0;
	char why[200];
	int rc = rsig_verify(r, node_id(), why, sizeof(why));
	if (!rc) {
		r->redirect_ok = true;
		return 0;
	}
	if (rc == AIS_EAGAIN) {
		http_hdr_add(r, "Retry-After", "1");
		http_error(r, 503, NULL, "%s: %s", node_name(), why);
	} else {
		http_error(r, 401, NULL, "%s: %s", node_name(), why);
	}
	return AIS_EAUTH;
}

/* a direct request (no marker) for an object another target owns by HRW: GET/HEAD are
 * redirected to the owner (marked, so that two targets with different Smaps cannot bounce it);
 * anything else (PUT, DELETE, POST, ...) is refused as AIStore refuses unredirected writes:
 * storing it here would make it invisible through the proxy. 0 = serve it here. */
static int tobj_check_owner(const obj_t *o, http_req_t *r)
{
	snode_t owner;
	if (tobj_redirected(r) || !obj_remote_owner(o->bck, o->oname, &owner))
		return 0;
	if (r->method == HTTP_M_GET || r->method == HTTP_M_HEAD) {
		sbuf_t loc = SBUF_INIT;
		sbuf_addf(&loc, "%s%s?%s%s", owner.pub.url, r->raw_path, r->raw_query, r->raw_query[0] ? "&" : "");
		int src = rsig_sign(&loc, r->method_str, r->path, node_id(), owner.id, (int64_t)now_ns(), NULL);
		if (src)
			http_error_code(r, src, "%s: cannot sign the redirect: %s", node_name(), err_str(src));
		else if (loc.oom)
			http_error_code(r, AIS_ENOMEM, "out of memory");
		else
			http_redirect(r, r->method == HTTP_M_GET ? 301 : 307, sbuf_str(&loc));
		sbuf_fini(&loc);
		return AIS_EINVAL;
	}
	char cn[OBJ_UNAME_MAX], q[512];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	http_error(r, 400, NULL, "%s: %s(obj) is expected to be redirected or replicated (%s belongs to t[%s])",
		   node_name(), r->method_str, utf8_quote(cn, strlen(cn), q, sizeof(q)), owner.id);
	return AIS_EINVAL;
}

int tobj_init(obj_t *o, http_req_t *r)
{
	memset(o, 0, sizeof(*o));
	o->mpi = -1;
	if (tobj_check_redirect(r))
		return AIS_EAUTH;
	const char *items[2] = {NULL, NULL};
	char prov[16], ns[80], buf[sizeof(o->ibuf)];
	int n = route_items(r, "/v1/objects", buf, sizeof(buf), items, 2);
	if (n < 0) {
		http_error(r, 400, NULL, "object name too long");
		return AIS_EINVAL;
	}
	if (n < 2 || !items[1][0]) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/objects/<bucket>/<object>", r->path);
		return AIS_EINVAL;
	}
	if (tobj_bck_query(r, prov, sizeof(prov), ns, sizeof(ns)))
		return AIS_EINVAL;
	obj_why_t why;
	int rc = obj_init(o, prov, ns, items[0], items[1], &why);
	if (why == OBJ_WHY_NO_BUCKET) {
		if (ns[0])
			http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s/%s\" does not exist", bk_scheme(prov), ns,
				   items[0]);
		else
			http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", bk_scheme(prov), items[0]);
	} else if (why == OBJ_WHY_BAD_NAME) {
		size_t nl = strlen(items[1]);
		const char *bad = fqn_invalid(items[1], nl);
		char q[512];
		http_error(r, 400, NULL, "invalid object name \"%s\": %s", utf8_quote(items[1], nl, q, sizeof(q)),
			   bad ? bad : "name too long");
	} else if (rc) {
		http_error_code(r, rc, "%s: no mountpaths available", node_name());
	}
	if (!rc && (rc = tobj_check_owner(o, r)))
		obj_fini(o);
	return rc;
}

void tobj_err_notfound(http_req_t *r, const obj_t *o)
{
	char cn[FQN_OBJNAME_MAX + 256];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	http_error(r, 404, "ErrNotFound", "%s: %s does not exist", node_name(), cn);
}

void tobj_add_md_hdrs(http_req_t *r, const lom_md_t *md)
{
	if (md->cktype != CKSUM_NONE && md->ckval[0]) {
		http_hdr_add(r, "Ais-Checksum-Type", cksum_type_str(md->cktype));
		http_hdr_add(r, "Ais-Checksum-Value", md->ckval);
	}
	if (md->atime)
		http_hdr_addf(r, "Ais-Atime", "%lld", (long long)md->atime);
	if (md->version[0])
		http_hdr_add(r, "Ais-Version", md->version);
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, "orig_fntl"))
			continue;
		http_hdr_addf(r, "Ais-Custom-Md", "%s=%s", k, v);
		if (!strcmp(k, "ETag"))
			http_hdr_add(r, "ETag", v);
	}
}
