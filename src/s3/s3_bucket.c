/* s3_bucket: service and bucket operations at the proxy: ListBuckets (the requester's buckets,
 * sorted, paginated with max-buckets / continuation-token), DeleteBucket (BucketNotEmpty while
 * it has objects), HeadBucket, and the dispatch to s3_mdel.c (DeleteObjects), to s3_bsub.c (CreateBucket, bucket sub-resources), s3_list.c
 * (objects) and s3_uploads.c (multipart uploads). Buckets are ordinary ais:// buckets, created
 * with their S3 metadata by s3_bsub.c and destroyed through pbck_destroy (the primary's BMD +
 * metasync). Auth is checked on the loop thread; everything else runs on the pool with the
 * (small) body buffered. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "core/hrw.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "proxy/proxy.h"
#include "core/s3ck.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_bsub.h"
#include "s3/s3xml.h"

#define S3_MAX_XML_BODY (4u << 20)
#define S3_MAX_BUCKETS 10000

typedef struct bck_ctx {
	s3_req_t *q;
	sigv4_auth_t auth;
} bck_ctx_t;

static void pb_init(pbck_t *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->provider, sizeof(b->provider), "ais");
	snprintf(b->name, sizeof(b->name), "%s", name);
}

static int s3_bck_cmp(const void *a, const void *b)
{
	return strcmp((*(const bck_t *const *)a)->name, (*(const bck_t *const *)b)->name);
}

/* a bucket ListBuckets shows the requester: its own, and those without an S3 owner (created
 * through the native API); with auth off every bucket */
static bool s3_bck_listed(const bck_t *bk, const s3_ident_t *id, bool all)
{
	if (strcmp(bk->provider, "ais") || bk->ns[0])
		return false;
	const char *owner = s3_bm_owner(json_object_get(bk->ext, "s3"));
	return all || !*owner || !strcmp(owner, id->id);
}

/* ListBuckets: sorted by name; max-buckets (1..10000), continuation-token (the last name of the
 * previous page), prefix */
static void s3_list_buckets(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id)
{
	const char *mb = http_query_get(r, "max-buckets"), *tok = http_query_get(r, "continuation-token");
	const char *prefix = http_query_get(r, "prefix");
	long max = S3_MAX_BUCKETS;
	if (mb) {
		char *end = NULL;
		max = strtol(mb, &end, 10);
		if (!*mb || *end || max < 1 || max > S3_MAX_BUCKETS) {
			s3_err(r, 400, "InvalidArgument", "max-buckets must be an integer between 1 and %d", S3_MAX_BUCKETS);
			return;
		}
	}
	bmd_t *bmd = bmd_get();
	int n = 0;
	const bck_t **v = bmd && bmd->nbcks ? malloc(sizeof(*v) * (size_t)bmd->nbcks) : NULL;
	for (int i = 0; v && i < bmd->nbcks; i++) {
		const bck_t *bk = &bmd->bcks[i];
		if (s3_bck_listed(bk, id, !c->auth) && (!prefix || !strncmp(bk->name, prefix, strlen(prefix))) &&
		    (!tok || strcmp(bk->name, tok) > 0))
			v[n++] = bk;
	}
	if (n)
		qsort(v, (size_t)n, sizeof(*v), s3_bck_cmp);
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ListAllMyBucketsResult");
	s3xml_open(&b, "Owner");
	s3xml_elem(&b, "ID", id->id);
	s3xml_elem(&b, "DisplayName", id->name);
	s3xml_close(&b, "Owner");
	s3xml_open(&b, "Buckets");
	int shown = n < max ? n : (int)max;
	for (int i = 0; i < shown; i++) {
		char t[40];
		s3_fmt_iso(v[i]->created, t, sizeof(t));
		s3xml_open(&b, "Bucket");
		s3xml_elem(&b, "Name", v[i]->name);
		s3xml_elem(&b, "CreationDate", t);
		s3xml_elem(&b, "BucketRegion", c->region);
		s3xml_close(&b, "Bucket");
	}
	s3xml_close(&b, "Buckets");
	if (shown < n)
		s3xml_elem(&b, "ContinuationToken", v[shown - 1]->name);
	if (prefix)
		s3xml_elem(&b, "Prefix", prefix);
	s3xml_close(&b, "ListAllMyBucketsResult");
	free(v);
	bmd_put(bmd);
	if (b.oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
}

static bool s3_bucket_exists(const char *name)
{
	bmd_t *m = bmd_get();
	bool ok = m && bmd_find(m, "ais", "", name) != NULL;
	bmd_put(m);
	return ok;
}

static void err_nobucket(http_req_t *r, const char *name)
{
	s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", name);
}

static void s3_delete_bucket(http_req_t *r, const char *name)
{
	char err[512];
	pbck_t b;
	pb_init(&b, name);
	if (!s3_bucket_exists(name)) {
		err_nobucket(r, name);
		return;
	}
	json_t *msg = json_pack("{s:i, s:s}", "pagesize", 1, "props", "name");
	json_t *page = NULL;
	plist_err_t pe;
	int rc = plist_page(&b, msg, &page, &pe);
	json_decref(msg);
	if (rc) {
		free(pe.relay);
		if (rc == AIS_ENOBUCKET)
			err_nobucket(r, name);
		else
			s3_err_code(r, rc, "%s", pe.msg);
		return;
	}
	size_t n = json_array_size(json_object_get(page, "entries"));
	json_decref(page);
	if (n) {
		s3_err(r, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty: %s", name);
		return;
	}
	rc = pbck_destroy(&b, err, sizeof(err));
	if (rc == AIS_ENOBUCKET) {
		err_nobucket(r, name);
		return;
	}
	if (rc) {
		s3_err_code(r, rc, "%s", err);
		return;
	}
	s3_add_common_hdrs(r);
	http_respond(r, 204, NULL, NULL, 0);
}

/* pool: the body (if any) is buffered */
static void s3_bucket_cb(http_req_t *r)
{
	bck_ctx_t *x = r->user;
	r->user = NULL;
	s3_req_t *q = x->q;
	const char *name = q->bucket;
	if (x->auth.kind != SIGV4_NONE && x->auth.payload == SIGV4_PAYLOAD_SHA256) {
		s3ck_t ck;
		char hex[80];
		s3ck_init(&ck, S3CK_SHA256);
		s3ck_update(&ck, r->body ? r->body : "", r->body_len);
		s3ck_final_hex(&ck, hex);
		if (strcasecmp(hex, x->auth.payload_sha256)) {
			s3_err(r, 400, "XAmzContentSHA256Mismatch",
			       "The provided 'x-amz-content-sha256' header does not match what was computed.");
			goto out;
		}
	}
	s3_conf_t c;
	s3_ident_t id;
	s3_conf_get(&c);
	s3_auth_ident(&c, &x->auth, &id);
	if (s3_bsub_is(r) && r->method != HTTP_M_POST && r->method != HTTP_M_HEAD) {
		s3_bsub_handle(r, name, &c, &id);
		goto out;
	}
	switch (r->method) {
	case HTTP_M_PUT:
		s3_bsub_create(r, name, &c, &id);
		break;
	case HTTP_M_DELETE:
		s3_delete_bucket(r, name);
		break;
	case HTTP_M_POST:
		if (!s3_bucket_exists(name))
			err_nobucket(r, name);
		else if (http_query_get(r, "delete"))
			s3_mdel_proxy(r, name);
		else
			s3_err(r, 400, "InvalidRequest", "POST on a bucket: expecting ?delete");
		break;
	case HTTP_M_HEAD:
		if (!s3_bucket_exists(name)) {
			err_nobucket(r, name);
		} else {
			http_hdr_add(r, "x-amz-bucket-region", c.region);
			s3_add_common_hdrs(r);
			http_respond(r, 200, NULL, NULL, 0);
		}
		break;
	case HTTP_M_GET:
		if (!s3_bucket_exists(name))
			err_nobucket(r, name);
		else if (http_query_get(r, "versions"))
			s3_list_versions(r, name);
		else if (http_query_get(r, "uploads"))
			s3_uploads_list(r, name);
		else
			s3_list_objects(r, name);
		break;
	default:
		s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
	}
out:
	free(q);
	free(x);
}

void s3_bucket_handle(http_req_t *r, s3_req_t *q, const s3_conf_t *c)
{
	bck_ctx_t *x = calloc(1, sizeof(*x));
	if (!x) {
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	if (s3_auth_check(r, c, &x->auth)) {
		free(q);
		free(x);
		return;
	}
	if (!q->bucket[0]) {
		s3_ident_t id;
		s3_auth_ident(c, &x->auth, &id);
		free(q);
		free(x);
		if (r->method == HTTP_M_GET)
			s3_list_buckets(r, c, &id);
		else
			s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		return;
	}
	x->q = q;
	r->user = x;
	http_read_body(r, S3_MAX_XML_BODY, s3_bucket_cb, true);
}
