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
	memset(oa, 0, sizeof(*oa));
	oa->size = -1;
	const char *v;
	if ((v = bk_http_rhdr(q, "content-length")))
		oa->size = strtoll(v, NULL, 10);
	if ((v = bk_http_rhdr(q, "content-range")) && (v = strchr(v, '/')))
		oa->size = strtoll(v + 1, NULL, 10);
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

static int ais_head_bucket(const bck_t *b, bk_bprops_t *out, bk_err_t *e)
{
	bk_remais_t ra;
	memset(out, 0, sizeof(*out));
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	char *url = ais_url(&ra, "buckets", b->name, NULL);
	if (!url)
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_req_t q;
	bk_http_init(&q, "HEAD", url);
	q.timeout_ms = 30000;
	q.follow = true;
	bk_http_do(&q);
	if (q.rc || q.status != 200) {
		rc = ais_err(&q, &ra, b, NULL, e);
	} else {
		json_error_t je;
		const char *p = bk_http_rhdr(&q, "ais-bucket-props");
		json_t *props = p ? jsonx_loadb(p, strlen(p), &je) : NULL;
		out->versioning = json_is_true(json_object_get(json_object_get(props, "versioning"), "enabled"));
		json_decref(props);
		snprintf(out->remais_uuid, sizeof(out->remais_uuid), "%s", ra.uuid);
		snprintf(out->remais_url, sizeof(out->remais_url), "%s", ra.url);
	}
	bk_http_fini(&q);
	free(url);
	return rc;
}

static int ais_list_page(const bck_t *b, const lso_msg_t *m, lso_res_t *out, bk_err_t *e)
{
	bk_remais_t ra;
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	lso_msg_t rm = *m; /* shallow: the remote starts its own listing per page (AIStore: UUID "") */
	rm.uuid = NULL;
	rm.target = NULL;
	rm.flags &= ~(uint64_t)(LS_CACHED | LS_DIFF | LS_NOT_CACHED);
	json_t *val = lso_msg_to_json(&rm);
	json_t *act = val ? json_pack("{s:s, s:o}", "action", "list", "value", val) : NULL;
	char *body = act ? jsonx_dumps(act) : NULL, *url = ais_url(&ra, "buckets", b->name, NULL);
	json_decref(act);
	if (!body || !url) {
		free(body);
		free(url);
		return bk_fail(e, 500, NULL, "out of memory");
	}
	bk_http_req_t q;
	bk_http_init(&q, "GET", url);
	q.body = body;
	q.body_len = strlen(body);
	bk_http_hdr(&q, "Content-Type: application/json");
	q.timeout_ms = 120000;
	q.follow = true;
	bk_http_do(&q);
	if (q.rc || q.status != 200) {
		rc = ais_err(&q, &ra, b, NULL, e);
	} else {
		json_error_t je;
		char err[128];
		lso_res_t r;
		lso_res_init(&r);
		json_t *j = jsonx_loadb(q.resp.p ? q.resp.p : "", q.resp.len, &je);
		if (!j || lso_res_from_json(j, &r, err, sizeof(err))) {
			rc = bk_fail(e, 500, NULL, "remote-cluster[%s/@%s]: malformed list-objects page", ra.uuid, ra.alias);
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
	bk_http_fini(&q);
	free(body);
	free(url);
	return rc;
}

static int ais_head_obj(const bck_t *b, const char *name, bk_oattrs_t *oa, bk_err_t *e)
{
	bk_remais_t ra;
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	char *url = ais_url(&ra, "objects", b->name, name);
	if (!url)
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_req_t q;
	bk_http_init(&q, "HEAD", url);
	q.timeout_ms = 30000;
	q.follow = true;
	bk_http_do(&q);
	if (q.rc || q.status != 200)
		rc = ais_err(&q, &ra, b, name, e);
	else
		ais_oattrs(&q, oa);
	bk_http_fini(&q);
	free(url);
	return rc;
}

typedef struct ais_get {
	bk_http_req_t *q;
	bk_oattrs_t *oa;
	bk_hdr_fn hdr;
	void *arg;
} ais_get_t;

static int ais_get_hdrs(void *arg, int status)
{
	ais_get_t *g = arg;
	ais_oattrs(g->q, g->oa);
	return g->hdr ? g->hdr(g->arg, g->oa) : 0;
}

static int ais_get_obj(const bck_t *b, const char *name, int64_t off, int64_t len, bk_hdr_fn hdr, bk_sink_fn sink,
		       void *arg, bk_oattrs_t *oa, bk_err_t *e)
{
	bk_remais_t ra;
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	char *url = ais_url(&ra, "objects", b->name, name);
	if (!url)
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_req_t q;
	bk_http_init(&q, "GET", url);
	q.follow = true;
	if (len > 0)
		bk_http_hdr(&q, "Range: bytes=%lld-%lld", (long long)off, (long long)(off + len - 1));
	ais_get_t g = {.q = &q, .oa = oa, .hdr = hdr, .arg = arg};
	q.on_hdrs = ais_get_hdrs;
	q.hdrs_arg = &g;
	q.sink = sink;
	q.sink_arg = arg;
	bk_http_do(&q);
	if (q.sink_rc) {
		rc = q.sink_rc;
		bk_fail(e, err_http_status(rc), NULL, "%s: failed to store: %s", name, err_str(rc));
	} else if (q.rc || (q.status != 200 && q.status != 206)) {
		rc = ais_err(&q, &ra, b, name, e);
	} else if (oa->size >= 0 && q.nbody != (len > 0 ? len : oa->size)) {
		rc = bk_fail(e, 500, NULL, "remote-cluster[%s/@%s]: %s: short read", ra.uuid, ra.alias, name);
	}
	bk_http_fini(&q);
	free(url);
	return rc;
}

static int ais_put_obj(const bck_t *b, const char *name, int fd, int64_t size, const lom_md_t *md, bk_oattrs_t *oa,
		       bk_err_t *e)
{
	bk_remais_t ra;
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	char *url = ais_url(&ra, "objects", b->name, name);
	if (!url)
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_req_t q;
	bk_http_init(&q, "PUT", url);
	q.follow = true;
	q.body_fd = fd;
	q.body_size = size;
	if (md && md->cktype != CKSUM_NONE && md->ckval[0]) {
		bk_http_hdr(&q, "Ais-Checksum-Type: %s", cksum_type_str(md->cktype));
		bk_http_hdr(&q, "Ais-Checksum-Value: %s", md->ckval);
	}
	bk_http_do(&q);
	if (q.rc || q.status != 200) {
		rc = ais_err(&q, &ra, b, name, e);
	} else {
		ais_oattrs(&q, oa);
		oa->size = size; /* (the PUT answer has no Content-Length of the object) */
	}
	bk_http_fini(&q);
	free(url);
	return rc;
}

static int ais_delete_obj(const bck_t *b, const char *name, bk_err_t *e)
{
	bk_remais_t ra;
	int rc = bk_remais_resolve(b->ns, &ra, e);
	if (rc)
		return rc;
	char *url = ais_url(&ra, "objects", b->name, name);
	if (!url)
		return bk_fail(e, 500, NULL, "out of memory");
	bk_http_req_t q;
	bk_http_init(&q, "DELETE", url);
	q.follow = true;
	q.timeout_ms = 60000;
	bk_http_do(&q);
	if (q.rc || q.status != 200)
		rc = ais_err(&q, &ra, b, name, e);
	bk_http_fini(&q);
	free(url);
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
