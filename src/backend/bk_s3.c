/* bk_s3: the "aws" backend (AIStore's ais/backend/aws.go + awsmpt.go) over libcurl (bk_http.h)
 * and the shared SigV4 signing core (core/sigv4.h); no AWS SDK. Every request is built by
 * s3_req(): URL (path-style or virtual-hosted, bk_awscfg.h), canonical URI and query, the signed
 * headers (host, x-amz-content-sha256, x-amz-date, x-amz-security-token, x-amz-meta-*), and
 * Authorization; payloads are UNSIGNED-PAYLOAD (bodies stream, as the SDK does over TLS).
 * Errors follow awsErrorToAISError: NoSuchBucket -> 404 "aws bucket \"s3://b\" does not exist",
 * NoSuchKey -> 404 "aws-error[NoSuchKey: s3://b/o]", 429/503 -> the same status, anything else
 * -> the remote's status and "aws-error[Code: message]"; no answer at all -> 500.
 * AIStore's custom metadata travels as x-amz-meta-ais-cksum-type/-val (cos.S3MetadataChecksum*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/bk.h"
#include "backend/bk_awscfg.h"
#include "backend/bk_http.h"
#include "backend/bk_int.h"
#include "backend/bk_xml.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/sigv4.h"
#include "core/util.h"

#define S3_MAX_QP 8
#define S3_META_CKTYPE "x-amz-meta-ais-cksum-type"
#define S3_META_CKVAL "x-amz-meta-ais-cksum-val"
#define S3_DEFAULT_PART (8 << 20) /* aiss3.DefaultPartSize */
#define S3_MAX_PAGE 1000

typedef struct s3kv {
	const char *k, *v;
} s3kv_t;

static int s3_kv_cmp(const void *a, const void *b)
{
	const s3kv_t *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

/* one request to S3: s3_req (or s3_open), (s3_send), s3_done */
typedef struct s3_call {
	bk_http_req_t q;
	char *url; /* malloc'd; q.url points into it */
} s3_call_t;

static void s3_done(s3_call_t *k)
{
	bk_http_fini(&k->q);
	free(k->url);
	k->url = NULL;
}

/* build k: method, URL, signed headers. extra: additional headers to send and sign (lowercase
 * names, sorted by the caller is not needed). 0 (then s3_done), or AIS_E* with e filled
 * (nothing to release). */
static int s3_req(s3_call_t *k, const bk_awscfg_t *c, const char *method, const char *bucket, const char *key,
		  const s3kv_t *qp, int nqp, const sigv4_hdr_t *extra, int nextra, bk_err_t *e)
{
	sbuf_t uri = SBUF_INIT, qs = SBUF_INIT, u = SBUF_INIT;
	bk_http_req_t *q = &k->q;
	char host[320];
	int rc = 0;
	k->url = NULL;
	if (c->path_style || !bucket || !*bucket)
		snprintf(host, sizeof(host), "%s", c->host);
	else
		snprintf(host, sizeof(host), "%s.%s", bucket, c->host);
	sbuf_adds(&uri, c->base_path);
	if (c->path_style && bucket && *bucket) {
		sbuf_adds(&uri, "/");
		sigv4_uri_encode(&uri, bucket, strlen(bucket), false);
	}
	sbuf_adds(&uri, "/");
	if (key)
		sigv4_uri_encode(&uri, key, strlen(key), true);
	s3kv_t sorted[S3_MAX_QP];
	if (nqp > S3_MAX_QP)
		return bk_fail(e, 500, NULL, "s3: too many query parameters");
	if (nqp > 0) {
		memcpy(sorted, qp, (size_t)nqp * sizeof(*qp));
		qsort(sorted, (size_t)nqp, sizeof(*sorted), s3_kv_cmp);
	}
	for (int i = 0; i < nqp; i++) {
		if (i)
			sbuf_adds(&qs, "&");
		sigv4_uri_encode(&qs, sorted[i].k, strlen(sorted[i].k), false);
		sbuf_adds(&qs, "=");
		sigv4_uri_encode(&qs, sorted[i].v, strlen(sorted[i].v), false);
	}
	sbuf_addf(&u, "%s://%s%s%s%s", c->scheme, host, sbuf_str(&uri), qs.len ? "?" : "", sbuf_str(&qs));
	if (uri.oom || qs.oom || u.oom) {
		rc = bk_fail(e, 500, NULL, "out of memory");
		goto out;
	}
	k->url = sbuf_take(&u);
	bk_http_init(q, method, k->url);
	q->cainfo = getenv("AWS_CA_BUNDLE"); /* as the AWS SDKs (an https S3 endpoint with a private CA) */
	/* headers to sign: host, x-amz-*, the extras; sorted by name */
	char amz_date[20];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
	sigv4_hdr_t h[24];
	int nh = 0;
	h[nh++] = (sigv4_hdr_t){"host", host};
	h[nh++] = (sigv4_hdr_t){"x-amz-content-sha256", SIGV4_UNSIGNED_PAYLOAD};
	h[nh++] = (sigv4_hdr_t){"x-amz-date", amz_date};
	if (!c->anon && c->token[0])
		h[nh++] = (sigv4_hdr_t){"x-amz-security-token", c->token};
	for (int i = 0; i < nextra && nh < 24; i++)
		h[nh++] = extra[i];
	for (int i = 1; i < nh; i++) /* insertion sort by name */
		for (int j = i; j > 0 && strcmp(h[j - 1].name, h[j].name) > 0; j--) {
			sigv4_hdr_t t = h[j];
			h[j] = h[j - 1];
			h[j - 1] = t;
		}
	for (int i = 0; i < nh; i++)
		if (strcmp(h[i].name, "host"))
			bk_http_hdr(q, "%s: %s", h[i].name, h[i].value);
	if (!c->anon) {
		unsigned char key8[32];
		char authz[1024], date8[9];
		memcpy(date8, amz_date, 8);
		date8[8] = '\0';
		sigv4_signing_key(c->secret, date8, c->region, "s3", key8);
		if (sigv4_auth_header(authz, sizeof(authz), key8, c->access, c->region, "s3", amz_date, method,
				      sbuf_str(&uri), sbuf_str(&qs), h, nh, SIGV4_UNSIGNED_PAYLOAD) < 0) {
			rc = bk_fail(e, 500, NULL, "s3: failed to sign the request");
			goto out;
		}
		bk_http_hdr(q, "Authorization: %s", authz);
	}
out:
	if (rc && k->url)
		s3_done(k);
	sbuf_fini(&uri);
	sbuf_fini(&qs);
	sbuf_fini(&u);
	return rc;
}

/* ---- errors (awsErrorToAISError) ---- */

static int s3_err(const bk_http_req_t *q, const bck_t *b, const char *oname, bk_err_t *e)
{
	char cn[1024], code[64] = "", msg[300] = "";
	bk_cname(b, oname, cn, sizeof(cn));
	if (q->rc && q->rc != AIS_ECONFLICT && !q->status) { /* no answer: name the endpoint */
		const char *h = strstr(q->url, "://");
		size_t hl = h ? 3 + strcspn(h + 3, "/") : 0;
		return bk_fail(e, 500, NULL, "aws-error[%s: %s (endpoint %.*s)]", cn, q->errmsg[0] ? q->errmsg : err_str(q->rc),
			       (int)(h ? (size_t)(h - q->url) + hl : 0), q->url);
	}
	if (q->resp.len) {
		bk_xml_get(q->resp.p, q->resp.len, "Error/Code", code, sizeof(code));
		bk_xml_get(q->resp.p, q->resp.len, "Error/Message", msg, sizeof(msg));
	}
	if (!code[0]) { /* HEAD answers carry no body */
		switch (q->status) {
		case 404:
			snprintf(code, sizeof(code), "%s", oname ? "NotFound" : "NoSuchBucket");
			break;
		case 403:
			snprintf(code, sizeof(code), "Forbidden");
			break;
		case 301:
			snprintf(code, sizeof(code), "PermanentRedirect");
			break;
		default:
			snprintf(code, sizeof(code), "%d", q->status);
		}
	}
	if (!strcmp(code, "NoSuchBucket") || q->status == 301) {
		char bcn[512];
		bk_cname(b, NULL, bcn, sizeof(bcn));
		bk_fail(e, 404, code, "aws bucket \"%s\" does not exist", bcn);
	} else if (!strcmp(code, "NoSuchKey") || (q->status == 404 && oname)) {
		bk_fail(e, 404, code, "aws-error[%s: %s]", code, cn);
	} else if (q->status == 429 || q->status == 503) {
		bk_fail(e, q->status, code, "aws-error[%s: %s]", code, cn);
	} else {
		bk_fail(e, q->status ? q->status : 500, code, "aws-error[%s: %s%s%s]", code, msg[0] ? msg : cn,
			msg[0] ? " " : "", msg[0] ? cn : "");
	}
	return bk_status_rc(e->status);
}

static int s3_head_obj(const bck_t *b, const char *name, bk_oattrs_t *oa, bk_err_t *e);

/* b's S3 configuration (*c) and q signed for a bodiless request on b[/key] (s3_req) */
static int s3_open(s3_call_t *k, bk_awscfg_t *c, const char *method, const bck_t *b, const char *key, bk_err_t *e)
{
	int rc = bk_awscfg_resolve(b, c, e);
	return rc ? rc : s3_req(k, c, method, b->name, key, NULL, 0, NULL, 0, e);
}

/* send q (timeout_ms > 0: the whole transfer's limit); a status other than 200 (or 204 when
 * no_content) becomes the S3 error (s3_err) */
static int s3_send(s3_call_t *k, const bck_t *b, const char *key, int timeout_ms, bool no_content, bk_err_t *e)
{
	bk_http_req_t *q = &k->q;
	if (timeout_ms > 0)
		q->timeout_ms = timeout_ms;
	bk_http_do(q);
	return q->rc || (q->status != 200 && !(no_content && q->status == 204)) ? s3_err(q, b, key, e) : 0;
}

/* ---- attributes from response headers ---- */

static int64_t s3_http_date(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%a, %d %b %Y %H:%M:%S", &tm))
		return 0;
	return (int64_t)timegm(&tm) * 1000000000LL;
}

static int64_t s3_iso_date(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return 0;
	int64_t ns = (int64_t)timegm(&tm) * 1000000000LL;
	if (*p == '.') {
		int64_t frac = 0, scale = 100000000;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
		ns += frac;
	}
	return ns;
}

void bk_s3_etag(const char *raw, char *etag, size_t ecap, char *md5)
{
	size_t l = raw ? strlen(raw) : 0;
	if (l >= 2 && raw[0] == '"' && raw[l - 1] == '"') {
		raw++;
		l -= 2;
	}
	snprintf(etag, ecap, "%.*s", (int)l, raw ? raw : "");
	md5[0] = '\0';
	if (l == 32) {
		for (size_t i = 0; i < 32; i++)
			if (!strchr("0123456789abcdefABCDEF", raw[i]))
				return;
		for (size_t i = 0; i < 32; i++)
			md5[i] = (char)(raw[i] >= 'A' && raw[i] <= 'F' ? raw[i] + 32 : raw[i]);
		md5[32] = '\0';
	}
}

static void s3_oattrs(const bk_http_req_t *q, bk_oattrs_t *oa)
{
	bk_oattrs_size(q, oa);
	const char *v;
	if ((v = bk_http_rhdr(q, "x-amz-version-id")) && strcmp(v, "null"))
		snprintf(oa->version, sizeof(oa->version), "%s", v);
	bk_s3_etag(bk_http_rhdr(q, "etag"), oa->etag, sizeof(oa->etag), oa->md5);
	if ((v = bk_http_rhdr(q, "last-modified"))) {
		snprintf(oa->last_modified, sizeof(oa->last_modified), "%s", v);
		oa->mtime_ns = s3_http_date(v);
	}
	if ((v = bk_http_rhdr(q, "content-type")))
		snprintf(oa->ctype, sizeof(oa->ctype), "%s", v);
	const char *ct = bk_http_rhdr(q, S3_META_CKTYPE), *cv = bk_http_rhdr(q, S3_META_CKVAL);
	if (ct && cv && cksum_type_from_str(ct) > CKSUM_NONE && strlen(cv) < sizeof(oa->ckval)) {
		oa->cktype = (cksum_type_t)cksum_type_from_str(ct);
		snprintf(oa->ckval, sizeof(oa->ckval), "%s", cv);
	}
}

/* ---- bucket ---- */

static int s3_head_bucket(const bck_t *b, bk_bprops_t *out, bk_err_t *e)
{
	bk_awscfg_t c;
	s3_call_t k;
	memset(out, 0, sizeof(*out));
	int rc = s3_open(&k, &c, "HEAD", b, NULL, e);
	if (rc)
		return rc;
	if ((rc = s3_send(&k, b, NULL, 30000, false, e)))
		goto out;
	const char *reg = bk_http_rhdr(&k.q, "x-amz-bucket-region");
	snprintf(out->region, sizeof(out->region), "%s", reg && *reg ? reg : c.region);
	s3_done(&k);
	/* versioning (GetBucketVersioning) */
	s3kv_t qp[] = {{"versioning", ""}};
	if ((rc = s3_req(&k, &c, "GET", b->name, NULL, qp, 1, NULL, 0, e)))
		return rc;
	if ((rc = s3_send(&k, b, NULL, 30000, false, e)))
		goto out;
	char st[32] = "";
	bk_xml_get(k.q.resp.p, k.q.resp.len, "VersioningConfiguration/Status", st, sizeof(st));
	out->versioning = !strcmp(st, "Enabled");
out:
	s3_done(&k);
	return rc;
}

/* ---- list (ListObjectsV2) ---- */

typedef struct s3_lst {
	const lso_msg_t *m;
	lso_res_t *out;
	lso_ent_t cur;
	char etag[BK_ETAG_MAX];
	char lastmod[64];
	bool truncated;
	char *token;
	int rc;
} s3_lst_t;

static int s3_lst_cb(void *arg, const char *path, int depth, const char *text, size_t len)
{
	s3_lst_t *l = arg;
	const lso_msg_t *m = l->m;
	if (!strcmp(path, "ListBucketResult/Contents/Key")) {
		free(l->cur.name);
		l->cur.name = strndup(text, len);
	} else if (!strcmp(path, "ListBucketResult/Contents/Size")) {
		l->cur.size = strtoll(text, NULL, 10);
	} else if (!strcmp(path, "ListBucketResult/Contents/ETag")) {
		char md5[33];
		bk_s3_etag(text, l->etag, sizeof(l->etag), md5);
	} else if (!strcmp(path, "ListBucketResult/Contents/LastModified")) {
		snprintf(l->lastmod, sizeof(l->lastmod), "%s", text);
	} else if (!strcmp(path, "ListBucketResult/Contents")) {
		lso_ent_t *e = &l->cur;
		size_t nl = e->name ? strlen(e->name) : 0;
		bool dir = e->size == 0 && nl && e->name[nl - 1] == '/';
		if (dir && (m->flags & LS_NO_DIRS)) {
			lso_ent_fini(e);
		} else {
			if (dir) {
				e->flags = LSO_ENTRY_IS_DIR;
			} else if (!(m->flags & (LS_NAME_ONLY | LS_NAME_SIZE))) {
				char md5[33], et[BK_ETAG_MAX];
				bk_s3_etag(l->etag, et, sizeof(et), md5);
				if (md5[0])
					e->checksum = strdup(md5);
				if (lso_want(m, "custom")) {
					char rfc[64];
					int64_t ns = s3_iso_date(l->lastmod);
					fmt_rfc3339(ns, rfc, sizeof(rfc));
					sbuf_t cs = SBUF_INIT;
					sbuf_addf(&cs, "[ETag:%s LastModified:%s]", md5[0] ? md5 : l->etag, rfc);
					e->custom = sbuf_take(&cs);
				}
			}
			if (lso_res_add(l->out, e))
				l->rc = AIS_ENOMEM;
		}
		memset(&l->cur, 0, sizeof(l->cur));
		l->etag[0] = l->lastmod[0] = '\0';
	} else if (!strcmp(path, "ListBucketResult/CommonPrefixes/Prefix")) {
		if (!(m->flags & LS_NO_DIRS)) {
			lso_ent_t d = {.name = strndup(text, len), .flags = LSO_ENTRY_IS_DIR};
			if (!d.name || lso_res_add(l->out, &d))
				l->rc = AIS_ENOMEM;
		}
	} else if (!strcmp(path, "ListBucketResult/IsTruncated")) {
		l->truncated = len == 4 && !strncmp(text, "true", 4);
	} else if (!strcmp(path, "ListBucketResult/NextContinuationToken")) {
		free(l->token);
		l->token = strndup(text, len);
	}
	(void)depth;
	return l->rc;
}

static int s3_list_page(const bck_t *b, const lso_msg_t *m, lso_res_t *out, bk_err_t *e)
{
	bk_awscfg_t c;
	s3_call_t k;
	char maxk[24];
	int rc = bk_awscfg_resolve(b, &c, e);
	if (rc)
		return rc;
	int64_t ps = m->pagesize > 0 ? m->pagesize : S3_MAX_PAGE;
	int64_t bmax = b->props ? (int64_t)json_integer_value(json_object_get(
					  json_object_get(json_object_get(b->props, "extra"), "aws"), "max_pagesize"))
				: 0;
	if (ps > S3_MAX_PAGE)
		ps = S3_MAX_PAGE;
	if (bmax > 0 && ps > bmax)
		ps = bmax;
	snprintf(maxk, sizeof(maxk), "%lld", (long long)ps);
	s3kv_t qp[S3_MAX_QP];
	int n = 0;
	qp[n++] = (s3kv_t){"list-type", "2"};
	qp[n++] = (s3kv_t){"max-keys", maxk};
	if (m->prefix && *m->prefix)
		qp[n++] = (s3kv_t){"prefix", m->prefix};
	if (m->continuation_token && *m->continuation_token)
		qp[n++] = (s3kv_t){"continuation-token", m->continuation_token};
	if (m->start_after && *m->start_after)
		qp[n++] = (s3kv_t){"start-after", m->start_after};
	if (m->flags & LS_NO_RECURSION)
		qp[n++] = (s3kv_t){"delimiter", "/"};
	if ((rc = s3_req(&k, &c, "GET", b->name, NULL, qp, n, NULL, 0, e)))
		return rc;
	if ((rc = s3_send(&k, b, NULL, 120000, false, e)))
		goto out;
	s3_lst_t l = {.m = m, .out = out};
	rc = bk_xml_walk(k.q.resp.p, k.q.resp.len, s3_lst_cb, &l);
	lso_ent_fini(&l.cur);
	if (rc) {
		rc = bk_fail(e, 500, NULL, "aws-error[%s: malformed ListObjectsV2 answer]", b->name);
	} else if (l.truncated && l.token) {
		free(out->continuation_token);
		out->continuation_token = l.token;
		l.token = NULL;
	}
	free(l.token);
out:
	s3_done(&k);
	return rc;
}

/* ---- objects ---- */

static int s3_head_obj(const bck_t *b, const char *name, bk_oattrs_t *oa, bk_err_t *e)
{
	bk_awscfg_t c;
	s3_call_t k;
	int rc = s3_open(&k, &c, "HEAD", b, name, e);
	if (rc)
		return rc;
	if (!(rc = s3_send(&k, b, name, 30000, false, e)))
		s3_oattrs(&k.q, oa);
	s3_done(&k);
	return rc;
}

static int s3_get_obj(const bck_t *b, const char *name, int64_t off, int64_t len, bk_hdr_fn hdr, bk_sink_fn sink,
		      void *arg, bk_oattrs_t *oa, bk_err_t *e)
{
	bk_awscfg_t c;
	s3_call_t k;
	int rc = s3_open(&k, &c, "GET", b, name, e);
	if (rc)
		return rc;
	rc = bk_get_stream(&k.q, name, off, len, s3_oattrs, hdr, sink, arg, oa, e);
	if (rc == BK_GET_HTTP) {
		rc = s3_err(&k.q, b, name, e);
	} else if (rc == BK_GET_SHORT) {
		rc = bk_fail(e, 500, NULL, "aws-error[%s: short read %lld of %lld bytes]", name, (long long)k.q.nbody,
			     (long long)(len > 0 ? len : oa->size));
	}
	s3_done(&k);
	return rc;
}

/* metadata headers of a PUT: AIStore's checksum (signed) */
static int s3_meta_hdrs(const lom_md_t *md, sigv4_hdr_t *h, char *ckt, size_t tcap)
{
	int n = 0;
	if (md && md->cktype != CKSUM_NONE && md->ckval[0]) {
		snprintf(ckt, tcap, "%s", cksum_type_str(md->cktype));
		h[n++] = (sigv4_hdr_t){S3_META_CKTYPE, ckt};
		h[n++] = (sigv4_hdr_t){S3_META_CKVAL, md->ckval};
	}
	return n;
}

static void s3_put_attrs(const bk_http_req_t *q, bk_oattrs_t *oa, int64_t size)
{
	memset(oa, 0, sizeof(*oa));
	oa->size = size;
	const char *v = bk_http_rhdr(q, "x-amz-version-id");
	if (v && strcmp(v, "null"))
		snprintf(oa->version, sizeof(oa->version), "%s", v);
	bk_s3_etag(bk_http_rhdr(q, "etag"), oa->etag, sizeof(oa->etag), oa->md5);
}

static int s3_put_one(const bck_t *b, const bk_awscfg_t *c, const char *name, int fd, int64_t size,
		      const lom_md_t *md, bk_oattrs_t *oa, bk_err_t *e)
{
	s3_call_t k;
	char ckt[32];
	sigv4_hdr_t h[4];
	int nh = s3_meta_hdrs(md, h, ckt, sizeof(ckt));
	int rc = s3_req(&k, c, "PUT", b->name, name, NULL, 0, h, nh, e);
	if (rc)
		return rc;
	k.q.body_fd = fd;
	k.q.body_off = 0;
	k.q.body_size = size;
	if (!(rc = s3_send(&k, b, name, 0, false, e)))
		s3_put_attrs(&k.q, oa, size);
	s3_done(&k);
	return rc;
}

static int s3_mpt_start_c(const bck_t *b, const bk_awscfg_t *c, const char *name, const lom_md_t *md, char *id,
			  size_t cap, bk_err_t *e)
{
	s3_call_t k;
	char ckt[32];
	sigv4_hdr_t h[4];
	int nh = s3_meta_hdrs(md, h, ckt, sizeof(ckt));
	s3kv_t qp[] = {{"uploads", ""}};
	int rc = s3_req(&k, c, "POST", b->name, name, qp, 1, h, nh, e);
	if (rc)
		return rc;
	rc = s3_send(&k, b, name, 60000, false, e);
	if (!rc && (bk_xml_get(k.q.resp.p, k.q.resp.len, "InitiateMultipartUploadResult/UploadId", id, cap) || !id[0]))
		rc = bk_fail(e, 500, NULL, "aws-error[%s: no UploadId in CreateMultipartUpload's answer]", name);
	s3_done(&k);
	return rc;
}

static int s3_mpt_part_c(const bck_t *b, const bk_awscfg_t *c, const char *name, const char *id, int num, int fd,
			 int64_t off, int64_t size, char *etag, size_t cap, bk_err_t *e)
{
	s3_call_t k;
	char pn[16];
	snprintf(pn, sizeof(pn), "%d", num);
	s3kv_t qp[] = {{"partNumber", pn}, {"uploadId", id}};
	int rc = s3_req(&k, c, "PUT", b->name, name, qp, 2, NULL, 0, e);
	if (rc)
		return rc;
	k.q.body_fd = fd;
	k.q.body_off = off;
	k.q.body_size = size;
	if (!(rc = s3_send(&k, b, name, 0, false, e))) {
		char md5[33];
		bk_s3_etag(bk_http_rhdr(&k.q, "etag"), etag, cap, md5);
	}
	s3_done(&k);
	return rc;
}

static int s3_mpt_complete_c(const bck_t *b, const bk_awscfg_t *c, const char *name, const char *id,
			     const bk_part_t *parts, int n, bk_oattrs_t *oa, bk_err_t *e)
{
	s3_call_t k;
	sbuf_t body = SBUF_INIT;
	sbuf_adds(&body, "<CompleteMultipartUpload>");
	for (int i = 0; i < n; i++)
		sbuf_addf(&body, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>", parts[i].num, parts[i].etag);
	sbuf_adds(&body, "</CompleteMultipartUpload>");
	if (body.oom) {
		sbuf_fini(&body);
		return bk_fail(e, 500, NULL, "out of memory");
	}
	s3kv_t qp[] = {{"uploadId", id}};
	sigv4_hdr_t h[] = {{"content-type", "application/xml"}};
	int rc = s3_req(&k, c, "POST", b->name, name, qp, 1, h, 1, e);
	if (rc) {
		sbuf_fini(&body);
		return rc;
	}
	k.q.body = body.p;
	k.q.body_len = body.len;
	k.q.timeout_ms = 600000;
	bk_http_do(&k.q);
	char code[64] = "";
	if (!k.q.rc && k.q.status == 200 && k.q.resp.len)
		bk_xml_get(k.q.resp.p, k.q.resp.len, "Error/Code", code, sizeof(code)); /* S3: errors may come with 200 */
	if (k.q.rc || k.q.status != 200 || code[0]) {
		if (code[0] && k.q.status == 200)
			k.q.status = 500;
		rc = s3_err(&k.q, b, name, e);
	} else {
		char et[BK_ETAG_MAX] = "", md5[33];
		s3_put_attrs(&k.q, oa, -1);
		bk_xml_get(k.q.resp.p, k.q.resp.len, "CompleteMultipartUploadResult/ETag", et, sizeof(et));
		if (et[0])
			bk_s3_etag(et, oa->etag, sizeof(oa->etag), md5);
	}
	s3_done(&k);
	sbuf_fini(&body);
	if (!rc && !oa->etag[0]) { /* (RGW answers an empty ETag): ask for it */
		bk_oattrs_t ha;
		bk_err_t he;
		if (!s3_head_obj(b, name, &ha, &he)) {
			snprintf(oa->etag, sizeof(oa->etag), "%s", ha.etag);
			if (!oa->version[0])
				snprintf(oa->version, sizeof(oa->version), "%s", ha.version);
		}
	}
	return rc;
}

static int s3_mpt_abort_c(const bck_t *b, const bk_awscfg_t *c, const char *name, const char *id, bk_err_t *e)
{
	s3_call_t k;
	s3kv_t qp[] = {{"uploadId", id}};
	int rc = s3_req(&k, c, "DELETE", b->name, name, qp, 1, NULL, 0, e);
	if (rc)
		return rc;
	rc = s3_send(&k, b, name, 60000, true, e);
	s3_done(&k);
	return rc;
}

/* the part size of a write-through PUT: extra.aws.multipart_size (-1: one part; 0: 8 MiB) */
static int64_t s3_part_size(const bck_t *b)
{
	json_t *v = b->props ? json_object_get(json_object_get(json_object_get(b->props, "extra"), "aws"), "multipart_size")
			     : NULL;
	int64_t ps = 0;
	if (json_is_integer(v))
		ps = json_integer_value(v);
	else if (json_is_string(v))
		parse_size(json_string_value(v), &ps);
	return ps == 0 ? S3_DEFAULT_PART : ps;
}

/* PutObj: s3manager.Uploader semantics - one PUT up to the part size, a multipart upload above */
static int s3_put_obj(const bck_t *b, const char *name, int fd, int64_t size, const lom_md_t *md, bk_oattrs_t *oa,
		      bk_err_t *e)
{
	bk_awscfg_t c;
	int rc = bk_awscfg_resolve(b, &c, e);
	if (rc)
		return rc;
	int64_t ps = s3_part_size(b);
	if (ps < 0 || size <= ps)
		return s3_put_one(b, &c, name, fd, size, md, oa, e);
	if (ps < (5 << 20))
		ps = 5 << 20;
	char id[512];
	if ((rc = s3_mpt_start_c(b, &c, name, md, id, sizeof(id), e)))
		return rc;
	int np = (int)((size + ps - 1) / ps);
	bk_part_t *parts = calloc((size_t)np, sizeof(*parts));
	if (!parts) {
		rc = bk_fail(e, 500, NULL, "out of memory");
		goto abort;
	}
	for (int i = 0; i < np && !rc; i++) {
		int64_t off = (int64_t)i * ps, len = size - off < ps ? size - off : ps;
		parts[i].num = i + 1;
		rc = s3_mpt_part_c(b, &c, name, id, i + 1, fd, off, len, parts[i].etag, sizeof(parts[i].etag), e);
	}
	if (!rc)
		rc = s3_mpt_complete_c(b, &c, name, id, parts, np, oa, e);
	free(parts);
	if (!rc) {
		oa->size = size;
		return 0;
	}
abort:;
	bk_err_t ae;
	s3_mpt_abort_c(b, &c, name, id, &ae);
	return rc;
}

static int s3_delete_obj(const bck_t *b, const char *name, bk_err_t *e)
{
	bk_awscfg_t c;
	s3_call_t k;
	int rc = s3_open(&k, &c, "DELETE", b, name, e);
	if (rc)
		return rc;
	rc = s3_send(&k, b, name, 60000, true, e);
	s3_done(&k);
	return rc;
}

/* ---- multipart as the interface wants it ---- */

static int s3_mpt_start(const bck_t *b, const char *name, char *id, size_t cap, bk_err_t *e)
{
	bk_awscfg_t c;
	int rc = bk_awscfg_resolve(b, &c, e);
	return rc ? rc : s3_mpt_start_c(b, &c, name, NULL, id, cap, e);
}

static int s3_mpt_part(const bck_t *b, const char *name, const char *id, int num, int fd, int64_t off, int64_t size,
		       char *etag, size_t cap, bk_err_t *e)
{
	bk_awscfg_t c;
	int rc = bk_awscfg_resolve(b, &c, e);
	return rc ? rc : s3_mpt_part_c(b, &c, name, id, num, fd, off, size, etag, cap, e);
}

static int s3_mpt_complete(const bck_t *b, const char *name, const char *id, const bk_part_t *parts, int n,
			   bk_oattrs_t *oa, bk_err_t *e)
{
	bk_awscfg_t c;
	int rc = bk_awscfg_resolve(b, &c, e);
	return rc ? rc : s3_mpt_complete_c(b, &c, name, id, parts, n, oa, e);
}

static int s3_mpt_abort(const bck_t *b, const char *name, const char *id, bk_err_t *e)
{
	bk_awscfg_t c;
	int rc = bk_awscfg_resolve(b, &c, e);
	return rc ? rc : s3_mpt_abort_c(b, &c, name, id, e);
}

const bk_ops_t bk_s3_ops = {
	.name = "aws",
	.head_bucket = s3_head_bucket,
	.list_page = s3_list_page,
	.head_obj = s3_head_obj,
	.get_obj = s3_get_obj,
	.put_obj = s3_put_obj,
	.delete_obj = s3_delete_obj,
	.mpt_start = s3_mpt_start,
	.mpt_part = s3_mpt_part,
	.mpt_complete = s3_mpt_complete,
	.mpt_abort = s3_mpt_abort,
};
