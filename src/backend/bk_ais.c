/* bk_ais: the remote AIS backend (AIStore's AISbp, ais/backend/ais.go): a bucket
 * ais://@<alias|uuid>/<name> is the bucket ais://<name> of another AIStore cluster, reached
 * through that cluster's native API at its attached URL (bk_remais.h): HEAD/list buckets,
 * HEAD/GET/PUT/DELETE objects (following its gateway's redirects). The remote's JSON errors
 * are relayed with their status and the prefix "remote-cluster[<uuid>/@<alias>]: ". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_http.h"
#include "backend/bk_int.h"
#include "backend/bk_remais.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sbuf.h"

/* "<url>/v1/<what>/<bucket>[/<obj>]?provider=ais" into a malloc'd string */
static char *ais_url(const bk_remais_t *ra, const char *what, const char *bucket, const char *obj)
{
	char *eb = bk_http_escape(bucket, false), *eo = obj ? bk_http_escape(obj, true) : NULL;
	sbuf_t u = SBUF_INIT;
	if (eb && (!obj || eo))
		sbuf_addf(&u, "%s/v1/%s/%s%s%s?provider=ais", ra->url, what, eb, obj ? "/" : "", obj ? eo : "");
	free(eb);
	free(eo);
	if (u.oom || !u.len) {
		sbuf_fini(&u);
		return NULL;
	}
	return sbuf_take(&u);
}

/* one request to a remote cluster: ais_req, (ais_send), ais_done */
typedef struct ais_call {
	bk_remais_t ra; /* the remote cluster */
	bk_http_req_t q;
	char *url;
} ais_call_t;

/* b's remote cluster and a request on its "<what>/<bucket>[/<obj>]" that follows the gateway's
 * redirects. 0 (then ais_done), or AIS_E* (e; nothing to release) */
static int ais_req(ais_call_t *k, const char *method, const bck_t *b, const char *what, const char *obj, bk_err_t *e)
{
	int rc = bk_remais_resolve(b->ns, &k->ra, e);
	if (rc)
		return rc;
	if (!(k->url = ais_url(&k->ra, what, b->name, obj)))
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_init(&k->q, method, k->url);
	k->q.node_tls = true;
	k->q.follow = true;
	return 0;
}

static void ais_done(ais_call_t *k)
{
	bk_http_fini(&k->q);
	free(k->url);
}

static int ais_err(const bk_http_req_t *q, const bk_remais_t *ra, const bck_t *b, const char *oname, bk_err_t *e)
{
	char cn[1024];
	bk_cname(b, oname, cn, sizeof(cn));
	if (!q->status)
		return bk_fail(e, 503, NULL, "remote-cluster[%s/@%s]: %s: %s", ra->uuid, ra->alias, cn,
			       q->errmsg[0] ? q->errmsg : err_str(q->rc));
	const char *msg = NULL;
	json_error_t je;
	json_t *j = q->resp.len ? jsonx_loadb(q->resp.p, q->resp.len, &je) : NULL;
	msg = json_string_value(json_object_get(j, "message"));
	if (!msg) /* HEAD: the error is in the Hdr-Error header */
		msg = bk_http_rhdr(q, "hdr-error");
	json_t *hj = NULL;
	if (msg && msg[0] == '{') {
		hj = jsonx_loadb(msg, strlen(msg), &je);
		if (json_string_value(json_object_get(hj, "message")))
			msg = json_string_value(json_object_get(hj, "message"));
	}
	int rc = bk_fail(e, q->status, NULL, "remote-cluster[%s/@%s]: %s", ra->uuid, ra->alias,
			 msg ? msg : q->status == 404 ? (oname ? "object not found" : "bucket does not exist") : "error");
	if (q->status == 404 && !msg && oname)
		bk_fail(e, 404, NULL, "remote-cluster[%s/@%s]: %s does not exist", ra->uuid, ra->alias, cn);
	json_decref(j);
	json_decref(hj);
	return rc;
}

static void ais_oattrs(const bk_http_req_t *q, bk_oattrs_t *oa)
{
	bk_oattrs_size(q, oa);
	const char *v;
	if ((v = bk_http_rhdr(q, "ais-version")))
		snprintf(oa->version, sizeof(oa->version), "%s", v);
	const char *ct = bk_http_rhdr(q, "ais-checksum-type"), *cv = bk_http_rhdr(q, "ais-checksum-value");
	if (ct && cv && cksum_type_from_str(ct) > CKSUM_NONE && strlen(cv) < sizeof(oa->ckval)) {
		oa->cktype = (cksum_type_t)cksum_type_from_str(ct);
		snprintf(oa->ckval, sizeof(oa->ckval), "%s", cv);
	}
	/* the remote's checksum + version identify its content (as an ETag would) */
	if (oa->ckval[0])
		snprintf(oa->etag, sizeof(oa->etag), "%.*s", (int)sizeof(oa->etag) - 1, oa->ckval);
	if ((v = bk_http_rhdr(q, "ais-atime")))
		oa->mtime_ns = strtoll(v, NULL, 10);
}

/* send q (timeout_ms: 0 none); a status other than 200 becomes the remote's error (ais_err) */
static int ais_send(ais_call_t *k, const bck_t *b, const char *oname, int timeout_ms, bk_err_t *e)
{
	k->q.timeout_ms = timeout_ms;
	bk_http_do(&k->q);
	return k->q.rc || k->q.status != 200 ? ais_err(&k->q, &k->ra, b, oname, e) : 0;
}

static int ais_head_bucket(const bck_t *b, bk_bprops_t *out, bk_err_t *e)
{
	ais_call_t k;
	memset(out, 0, sizeof(*out));
	int rc = ais_req(&k, "HEAD", b, "buckets", NULL, e);
	if (rc)
		return rc;
	if (!(rc = ais_send(&k, b, NULL, 30000, e))) {
		json_error_t je;
		const char *p = bk_http_rhdr(&k.q, "ais-bucket-props");
		json_t *props = p ? jsonx_loadb(p, strlen(p), &je) : NULL;
		out->versioning = json_is_true(json_object_get(json_object_get(props, "versioning"), "enabled"));
		json_decref(props);
		snprintf(out->remais_uuid, sizeof(out->remais_uuid), "%s", k.ra.uuid);
		snprintf(out->remais_url, sizeof(out->remais_url), "%s", k.ra.url);
	}
	ais_done(&k);
	return rc;
}

static int ais_list_page(const bck_t *b, const lso_msg_t *m, lso_res_t *out, bk_err_t *e)
{
	ais_call_t k;
	int rc = ais_req(&k, "GET", b, "buckets", NULL, e);
	if (rc)
		return rc;
	lso_msg_t rm = *m; /* shallow: the remote starts its own listing per page (AIStore: UUID "") */
	rm.uuid = NULL;
	rm.target = NULL;
	rm.flags &= ~(uint64_t)(LS_CACHED | LS_DIFF | LS_NOT_CACHED);
	json_t *val = lso_msg_to_json(&rm);
	json_t *act = val ? json_pack("{s:s, s:o}", "action", "list", "value", val) : NULL;
	char *body = act ? jsonx_dumps(act) : NULL;
	json_decref(act);
	if (!body) {
		ais_done(&k);
		return bk_fail(e, 500, NULL, "out of memory");
	}
	k.q.body = body;
	k.q.body_len = strlen(body);
	bk_http_hdr(&k.q, "Content-Type: application/json");
	if (!(rc = ais_send(&k, b, NULL, 120000, e))) {
		json_error_t je;
		char err[128];
		lso_res_t r;
		lso_res_init(&r);
		json_t *j = jsonx_loadb(k.q.resp.p ? k.q.resp.p : "", k.q.resp.len, &je);
		if (!j || lso_res_from_json(j, &r, err, sizeof(err))) {
			rc = bk_fail(e, 500, NULL, "remote-cluster[%s/@%s]: malformed list-objects page", k.ra.uuid, k.ra.alias);
		} else {
			for (size_t i = 0; i < r.n && !rc; i++) {
				r.entries[i].flags &= ~(unsigned)LSO_ENTRY_IS_CACHED; /* cached *here* is decided later */
				rc = lso_res_add(out, &r.entries[i]) ? bk_fail(e, 500, NULL, "out of memory") : 0;
			}
			free(out->continuation_token);
			out->continuation_token = r.continuation_token;
			r.continuation_token = NULL;
		}
		json_decref(j);
		lso_res_fini(&r);
	}
	ais_done(&k);
	free(body);
	return rc;
}

static int ais_head_obj(const bck_t *b, const char *name, bk_oattrs_t *oa, bk_err_t *e)
{
	ais_call_t k;
	int rc = ais_req(&k, "HEAD", b, "objects", name, e);
	if (rc)
		return rc;
	if (!(rc = ais_send(&k, b, name, 30000, e)))
		ais_oattrs(&k.q, oa);
	ais_done(&k);
	return rc;
}

static int ais_get_obj(const bck_t *b, const char *name, int64_t off, int64_t len, bk_hdr_fn hdr, bk_sink_fn sink,
		       void *arg, bk_oattrs_t *oa, bk_err_t *e)
{
	ais_call_t k;
	int rc = ais_req(&k, "GET", b, "objects", name, e);
	if (rc)
		return rc;
	rc = bk_get_stream(&k.q, name, off, len, ais_oattrs, hdr, sink, arg, oa, e);
	if (rc == BK_GET_HTTP)
		rc = ais_err(&k.q, &k.ra, b, name, e);
	else if (rc == BK_GET_SHORT)
		rc = bk_fail(e, 500, NULL, "remote-cluster[%s/@%s]: %s: short read", k.ra.uuid, k.ra.alias, name);
	ais_done(&k);
	return rc;
}

static int ais_put_obj(const bck_t *b, const char *name, int fd, int64_t size, const lom_md_t *md, bk_oattrs_t *oa,
		       bk_err_t *e)
{
	ais_call_t k;
	int rc = ais_req(&k, "PUT", b, "objects", name, e);
	if (rc)
		return rc;
	k.q.body_fd = fd;
	k.q.body_size = size;
	if (md && md->cktype != CKSUM_NONE && md->ckval[0]) {
		bk_http_hdr(&k.q, "Ais-Checksum-Type: %s", cksum_type_str(md->cktype));
		bk_http_hdr(&k.q, "Ais-Checksum-Value: %s", md->ckval);
	}
	if (!(rc = ais_send(&k, b, name, 0, e))) {
		ais_oattrs(&k.q, oa);
		oa->size = size; /* (the PUT answer has no Content-Length of the object) */
	}
	ais_done(&k);
	return rc;
}

static int ais_delete_obj(const bck_t *b, const char *name, bk_err_t *e)
{
	ais_call_t k;
	int rc = ais_req(&k, "DELETE", b, "objects", name, e);
	if (rc)
		return rc;
	rc = ais_send(&k, b, name, 60000, e);
	ais_done(&k);
	return rc;
}

const bk_ops_t bk_ais_ops = {
	.name = "ais",
	.head_bucket = ais_head_bucket,
	.list_page = ais_list_page,
	.head_obj = ais_head_obj,
	.get_obj = ais_get_obj,
	.put_obj = ais_put_obj,
	.delete_obj = ais_delete_obj,
};
