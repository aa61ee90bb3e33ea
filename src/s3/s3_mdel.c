/* s3_mdel: DeleteObjects. The proxy (pool thread, body buffered, after its own access check)
 * groups the keys by their owning target (HRW) and sends the client's request unchanged -
 * method, path, query, headers (Host and Authorization included), body - to each target that
 * owns some of them, in parallel; every target verifies the signature and the access itself,
 * deletes the keys it owns, each under the rules of a single DELETE (the object lock: legal hold
 * and retention, x-amz-bypass-governance-retention), and answers its share as JSON
 * [{"i": <index in the request>, "code": "<S3 error code>" (absent: deleted), "msg": ...}]. The
 * proxy merges the shares into one DeleteResult in the request's order (Deleted unless Quiet,
 * Error with Key, VersionId, Code, Message); a target that does not answer makes its keys
 * errors (ServiceUnavailable). So the decision is made where the object's metadata is, and no
 * unauthenticated intra-cluster delete exists. Stateless. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "obj/obj_ops.h"
#include "s3/s3_olock.h"
#include "s3/s3_tgt.h"
#include "s3/s3xml.h"

#define S3_MDEL_MAX_BODY (2u << 20)

static int s3_mdel_parse(http_req_t *r, s3xml_delete_t *d)
{
	char err[256] = "";
	if (!r->body_len || s3xml_parse_delete(r->body, r->body_len, d, err, sizeof(err))) {
		s3_err(r, 400, "MalformedXML", "The XML you provided was not well-formed: %s",
		       r->body_len ? err : "empty request body");
		return AIS_EINVAL;
	}
	return 0;
}

/* ---- proxy ---- */

/* the client's headers to pass on: end-to-end ones, without the framing and Content-Type (sent
 * apart) */
static void s3_mdel_hdrs(const http_req_t *r, sbuf_t *out)
{
	static const char *const skip[] = {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Expect",
					   "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authorization",
					   "Content-Type", NULL};
	for (int i = 0; i < r->nhdrs; i++) {
		bool drop = false;
		for (int k = 0; skip[k] && !drop; k++)
			drop = !strcasecmp(r->hdrs[i].name, skip[k]);
		if (!drop && !strchr(r->hdrs[i].value, '\n'))
			sbuf_addf(out, "%s: %s\n", r->hdrs[i].name, r->hdrs[i].value);
	}
	sbuf_addf(out, "Ais-S3-Forwarded-By: %s\n", node_id());
}

typedef struct mdel_res {
	const char *code; /* NULL: deleted */
	char msg[200];
} mdel_res_t;

/* a target's JSON share into res */
static void s3_mdel_take(const hreq_t *q, const int *owner, int t, mdel_res_t *res, int n)
{
	json_t *a = NULL;
	if (!q->rc && q->status == 200)
		a = json_loadb(q->resp.p ? q->resp.p : "", q->resp.len, 0, NULL);
	if (!json_is_array(a)) {
		/* no share: the target's own S3 error (e.g. AccessDenied) or unreachable */
		char code[64] = "ServiceUnavailable";
		const char *x = q->resp.p ? strstr(q->resp.p, "<Code>") : NULL;
		if (!q->rc && q->status && x) {
			x += 6;
			size_t l = strcspn(x, "<");
			snprintf(code, sizeof(code), "%.*s", (int)(l < sizeof(code) ? l : sizeof(code) - 1), x);
		}
		for (int i = 0; i < n; i++)
			if (owner[i] == t) {
				res[i].code = !strcmp(code, "AccessDenied") ? "AccessDenied"
					      : !strcmp(code, "ServiceUnavailable") ? "ServiceUnavailable" : "InternalError";
				snprintf(res[i].msg, sizeof(res[i].msg), "target: status %d %s", q->status,
					 q->rc ? q->errmsg : code);
			}
		json_decref(a);
		return;
	}
	size_t k;
	json_t *e;
	json_array_foreach(a, k, e) {
		json_int_t i = json_integer_value(json_object_get(e, "i"));
		if (i < 0 || i >= n || owner[i] != t)
			continue;
		const char *code = json_string_value(json_object_get(e, "code"));
		res[i].code = NULL;
		if (code) {
			/* static strings for the XML: the codes a target answers */
			static const char *const known[] = {"AccessDenied", "InvalidArgument", "InternalError", NULL};
			res[i].code = "InternalError";
			for (int c = 0; known[c]; c++)
				if (!strcmp(code, known[c]))
					res[i].code = known[c];
			const char *msg = json_string_value(json_object_get(e, "msg"));
			snprintf(res[i].msg, sizeof(res[i].msg), "%s", msg ? msg : "");
		}
	}
	json_decref(a);
}

void s3_mdel_proxy(http_req_t *r, const char *bucket)
{
	s3xml_delete_t d = {0};
	if (s3_mdel_parse(r, &d))
		return;
	smap_t *sm = smap_get();
	int nt = sm ? sm->ntargets : 0;
	int *owner = calloc((size_t)d.nkeys, sizeof(*owner));
	mdel_res_t *res = calloc((size_t)d.nkeys, sizeof(*res));
	hreq_t *reqs = nt ? calloc((size_t)nt, sizeof(*reqs)) : NULL;
	sbuf_t hdrs = SBUF_INIT, url = SBUF_INIT, out = SBUF_INIT;
	int *tix = nt ? calloc((size_t)nt, sizeof(*tix)) : NULL; /* request index -> target index */
	if (!nt) {
		s3_err(r, 503, "ServiceUnavailable", "no targets in the cluster map");
		goto done;
	}
	if (!owner || !res || !reqs || !tix) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto done;
	}
	for (int i = 0; i < d.nkeys; i++) {
		const snode_t *t = smap_owner_of(sm, "ais", "", bucket, d.keys[i]);
		owner[i] = t ? (int)(t - sm->targets) : -1;
		if (!t) {
			res[i].code = "ServiceUnavailable";
			snprintf(res[i].msg, sizeof(res[i].msg), "no target for the key");
		}
	}
	s3_mdel_hdrs(r, &hdrs);
	sbuf_addf(&url, "%s%s%s", r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
	const char *ct = http_hdr_get(r, "Content-Type");
	int nreq = 0;
	char **urls = calloc((size_t)nt, sizeof(*urls));
	if (!urls) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto done;
	}
	for (int t = 0; t < nt; t++) {
		bool any = false;
		for (int i = 0; i < d.nkeys && !any; i++)
			any = owner[i] == t;
		if (!any)
			continue;
		sbuf_t u = SBUF_INIT;
		sbuf_addf(&u, "%s%s", sm->targets[t].pub.url, sbuf_str(&url));
		urls[nreq] = sbuf_take(&u);
		sbuf_fini(&u);
		reqs[nreq] = (hreq_t){.method = "POST", .url = urls[nreq] ? urls[nreq] : "http://0.0.0.0:1/",
				      .body = r->body, .body_len = r->body_len, .ctype = ct ? ct : "",
				      .hdrs = sbuf_str(&hdrs), .timeout_ms = 120000};
		tix[nreq++] = t;
	}
	hclient_fanout(reqs, nreq);
	for (int k = 0; k < nreq; k++) {
		s3_mdel_take(&reqs[k], owner, tix[k], res, d.nkeys);
		hreq_fini(&reqs[k]);
		free(urls[k]);
	}
	free(urls);
	s3xml_begin(&out);
	s3xml_open_ns(&out, "DeleteResult");
	for (int i = 0; i < d.nkeys; i++) {
		if (!res[i].code && d.quiet)
			continue;
		s3xml_open(&out, res[i].code ? "Error" : "Deleted");
		s3xml_elem(&out, "Key", d.keys[i]);
		if (d.versions && d.versions[i])
			s3xml_elem(&out, "VersionId", d.versions[i]);
		if (res[i].code) {
			s3xml_elem(&out, "Code", res[i].code);
			s3xml_elem(&out, "Message", res[i].msg);
		}
		s3xml_close(&out, res[i].code ? "Error" : "Deleted");
	}
	s3xml_close(&out, "DeleteResult");
	if (out.oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, out.p, out.len);
done:
	smap_put(sm);
	free(owner);
	free(res);
	free(reqs);
	free(tix);
	sbuf_fini(&hdrs);
	sbuf_fini(&url);
	sbuf_fini(&out);
	s3xml_delete_fini(&d);
}

/* ---- target ---- */

/* delete one key owned here: NULL, or the S3 error code (msg set) */
static const char *s3_mdel_one(http_req_t *r, const char *bucket, const char *key, bool bypass, char *msg, size_t cap)
{
	obj_t o;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	int rc = obj_init(&o, "ais", "", bucket, key, &why);
	const char *code = NULL;
	if (rc) {
		code = why == OBJ_WHY_BAD_NAME ? "InvalidArgument" : "InternalError";
		snprintf(msg, cap, "%s", err_str(rc));
		goto out;
	}
	const json_t *bs3 = json_object_get(o.bck->ext, "s3");
	bool lock = s3_lock_enabled(json_is_object(bs3) ? bs3 : NULL);
	if (lock)
		s3_olock(o.digest);
	if (lock) {
		lom_md_t md;
		bool have;
		rc = s3_obj_current(&o, &md, &have);
		s3_lock_t l;
		s3_lock_load(&md, &l);
		lom_md_fini(&md);
		const char *deny = !rc && have ? s3_lock_denies(&l, now_ns(), bypass) : NULL;
		if (deny) {
			code = "AccessDenied";
			snprintf(msg, cap, "Access Denied: %s", deny);
		}
	}
	if (!code && !rc)
		rc = obj_delete(&o, &why);
	if (lock)
		s3_ounlock(o.digest);
	if (!code && rc && rc != AIS_ENOTFOUND) {
		code = "InternalError";
		snprintf(msg, cap, "%s", err_str(rc));
	}
out:
	obj_fini(&o);
	(void)r;
	return code;
}

static void s3_mdel_local_cb(http_req_t *r)
{
	s3_req_t *q = r->user;
	r->user = NULL;
	s3xml_delete_t d = {0};
	json_t *a = json_array();
	smap_t *sm = smap_get();
	if (!a || !sm) {
		s3_err(r, 503, "ServiceUnavailable", "out of memory or no cluster map");
		goto out;
	}
	if (s3_mdel_parse(r, &d))
		goto out;
	bool bypass = s3_lock_bypass(r);
	for (int i = 0; i < d.nkeys; i++) {
		const snode_t *t = smap_owner_of(sm, "ais", "", q->bucket, d.keys[i]);
		if (!t || strcmp(t->id, node_id()))
			continue; /* another target's */
		char msg[200] = "";
		const char *code = s3_mdel_one(r, q->bucket, d.keys[i], bypass, msg, sizeof(msg));
		json_t *e = code ? json_pack("{s:i, s:s, s:s}", "i", i, "code", code, "msg", msg) : json_pack("{s:i}", "i", i);
		if (e)
			json_array_append_new(a, e);
	}
	char *s = json_dumps(a, JSON_COMPACT);
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		s3_err(r, 500, "InternalError", "out of memory");
	free(s);
out:
	smap_put(sm);
	json_decref(a);
	s3xml_delete_fini(&d);
	free(q);
}

void s3_mdel_local(http_req_t *r, s3_req_t *q)
{
	s3_conf_t *c = malloc(sizeof(*c));
	if (!c) {
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	s3_conf_get(c);
	/* the client's signature and the bucket-level WRITE, as at the proxy */
	int rc = s3_auth_check(r, c, NULL);
	free(c);
	if (rc) {
		free(q);
		return;
	}
	r->user = q;
	http_read_body(r, S3_MDEL_MAX_BODY, s3_mdel_local_cb, true);
}
