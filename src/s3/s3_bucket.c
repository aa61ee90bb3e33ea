/* s3_bucket: service and bucket operations at the proxy: ListBuckets, CreateBucket,
 * DeleteBucket (BucketNotEmpty while it has objects), HeadBucket, GetBucketLocation,
 * GetBucketVersioning, DeleteObjects (multi-delete, fanned out as native DELETEs to the owning
 * targets), and the list dispatch to s3_list.c (objects) and s3_uploads.c (multipart uploads). Buckets are ordinary ais:// buckets created and
 * destroyed through pbck_create/pbck_destroy (the primary's BMD + metasync). Auth is checked on
 * the loop thread; everything else runs on the pool with the (small) body buffered. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "core/hrw.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "proxy/proxy.h"
#include "core/s3ck.h"
#include "s3/s3xml.h"

#define S3_MAX_XML_BODY (4u << 20)
#define S3_DEL_BATCH 64

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

static void s3_list_buckets(http_req_t *r)
{
	bmd_t *bmd = bmd_get();
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ListAllMyBucketsResult");
	s3xml_owner(&b, "Owner");
	s3xml_open(&b, "Buckets");
	for (int i = 0; bmd && i < bmd->nbcks; i++) {
		const bck_t *bk = &bmd->bcks[i];
		if (strcmp(bk->provider, "ais") || bk->ns[0])
			continue;
		char t[40];
		s3_fmt_iso(bk->created, t, sizeof(t));
		s3xml_open(&b, "Bucket");
		s3xml_elem(&b, "Name", bk->name);
		s3xml_elem(&b, "CreationDate", t);
		s3xml_close(&b, "Bucket");
	}
	bmd_put(bmd);
	s3xml_close(&b, "Buckets");
	s3xml_close(&b, "ListAllMyBucketsResult");
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

static void s3_create_bucket(http_req_t *r, const char *name)
{
	char err[512];
	if (!bck_name_valid(name) || strlen(name) < 2) {
		s3_err(r, 400, "InvalidBucketName", "The specified bucket is not valid: \"%s\"", name);
		return;
	}
	if (r->body_len) {
		char region[64];
		if (s3xml_parse_location(r->body, r->body_len, region, sizeof(region), err, sizeof(err))) {
			s3_err(r, 400, "MalformedXML", "CreateBucketConfiguration: %s", err);
			return;
		}
	}
	if (s3_bucket_exists(name)) {
		s3_err(r, 409, "BucketAlreadyOwnedByYou",
		       "Your previous request to create the named bucket succeeded and you already own it: %s", name);
		return;
	}
	pbck_t b;
	pb_init(&b, name);
	int rc = pbck_create(&b, NULL, err, sizeof(err));
	if (rc == AIS_EEXIST) {
		s3_err(r, 409, "BucketAlreadyOwnedByYou",
		       "Your previous request to create the named bucket succeeded and you already own it: %s", name);
		return;
	}
	if (rc) {
		s3_err_code(r, rc, "%s", err);
		return;
	}
	http_hdr_addf(r, "Location", "/%s", name);
	s3_add_common_hdrs(r);
	http_respond(r, 200, NULL, NULL, 0);
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

static void s3_location(http_req_t *r, const char *name)
{
	s3_conf_t c;
	s3_conf_get(&c);
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	sbuf_addf(&b, "<LocationConstraint xmlns=\"%s\">", S3_NS);
	if (strcmp(c.region, "us-east-1"))
		s3xml_escape(&b, c.region);
	sbuf_adds(&b, "</LocationConstraint>");
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
	(void)name;
}

static void s3_versioning(http_req_t *r, const char *name)
{
	bmd_t *m = bmd_get();
	const bck_t *bk = m ? bmd_find(m, "ais", "", name) : NULL;
	bool on = bk && bk->versioning;
	bmd_put(m);
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "VersioningConfiguration");
	if (on)
		s3xml_elem(&b, "Status", "Enabled");
	s3xml_close(&b, "VersioningConfiguration");
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
}

/* DeleteObjects: native DELETE of every key at its owner, S3_DEL_BATCH in parallel */
static void s3_multi_delete(http_req_t *r, const char *name)
{
	char err[256] = "";
	s3xml_delete_t d = {0};
	if (!r->body_len || s3xml_parse_delete(r->body, r->body_len, &d, err, sizeof(err))) {
		s3_err(r, 400, "MalformedXML", "The XML you provided was not well-formed: %s", err);
		return;
	}
	if (d.nkeys > 1000) {
		s3xml_delete_fini(&d);
		s3_err(r, 400, "MalformedXML", "at most 1000 keys per DeleteObjects request");
		return;
	}
	sbuf_t out = SBUF_INIT;
	s3xml_begin(&out);
	s3xml_open_ns(&out, "DeleteResult");
	hreq_t *reqs = calloc(S3_DEL_BATCH, sizeof(*reqs));
	char **urls = calloc(S3_DEL_BATCH, sizeof(*urls));
	smap_t *sm = smap_get();
	char *qn = url_encode(name, false);
	if (!reqs || !urls || !qn || !sm) {
		s3_err(r, 500, "InternalError", "out of memory (or no cluster map)");
		goto out;
	}
	for (int base = 0; base < d.nkeys; base += S3_DEL_BATCH) {
		int n = d.nkeys - base < S3_DEL_BATCH ? d.nkeys - base : S3_DEL_BATCH;
		for (int i = 0; i < n; i++) {
			const char *key = d.keys[base + i];
			const snode_t *t = smap_owner_of(sm, "ais", "", name, key);
			char *qk = url_encode(key, true);
			sbuf_t u = SBUF_INIT;
			if (t && qk)
				sbuf_addf(&u, "%s/v1/objects/%s/%s?provider=ais", t->pub.url, qn, qk);
			free(qk);
			urls[i] = u.len ? sbuf_take(&u) : NULL;
			sbuf_fini(&u);
			reqs[i] = (hreq_t){.method = "DELETE", .url = urls[i] ? urls[i] : "http://0.0.0.0:1/",
					   .timeout_ms = 30000};
		}
		hclient_fanout(reqs, n);
		for (int i = 0; i < n; i++) {
			const char *key = d.keys[base + i];
			bool ok = !reqs[i].rc && (reqs[i].status == 200 || reqs[i].status == 404 || reqs[i].status == 204);
			if (ok && !d.quiet) {
				s3xml_open(&out, "Deleted");
				s3xml_elem(&out, "Key", key);
				s3xml_close(&out, "Deleted");
			} else if (!ok) {
				s3xml_open(&out, "Error");
				s3xml_elem(&out, "Key", key);
				s3xml_elem(&out, "Code", reqs[i].status == 400 ? "InvalidArgument" : "InternalError");
				s3xml_elemf(&out, "Message", "status %d: %.200s", reqs[i].status,
					    reqs[i].rc ? reqs[i].errmsg : sbuf_str(&reqs[i].resp));
				s3xml_close(&out, "Error");
			}
			hreq_fini(&reqs[i]);
			free(urls[i]);
			urls[i] = NULL;
		}
	}
	s3xml_close(&out, "DeleteResult");
	s3_xml_respond(r, 200, out.p, out.len);
out:
	smap_put(sm);
	free(qn);
	free(reqs);
	free(urls);
	sbuf_fini(&out);
	s3xml_delete_fini(&d);
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
	switch (r->method) {
	case HTTP_M_PUT:
		if (http_query_get(r, "versioning"))
			s3_err(r, 501, "NotImplemented", "PutBucketVersioning is not implemented");
		else
			s3_create_bucket(r, name);
		break;
	case HTTP_M_DELETE:
		s3_delete_bucket(r, name);
		break;
	case HTTP_M_POST:
		if (!s3_bucket_exists(name))
			err_nobucket(r, name);
		else if (http_query_get(r, "delete"))
			s3_multi_delete(r, name);
		else
			s3_err(r, 400, "InvalidRequest", "POST on a bucket: expecting ?delete");
		break;
	case HTTP_M_HEAD:
		if (!s3_bucket_exists(name)) {
			err_nobucket(r, name);
		} else {
			s3_conf_t c;
			s3_conf_get(&c);
			http_hdr_add(r, "x-amz-bucket-region", c.region);
			s3_add_common_hdrs(r);
			http_respond(r, 200, NULL, NULL, 0);
		}
		break;
	case HTTP_M_GET:
		if (!s3_bucket_exists(name))
			err_nobucket(r, name);
		else if (http_query_get(r, "location"))
			s3_location(r, name);
		else if (http_query_get(r, "versioning"))
			s3_versioning(r, name);
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
		free(q);
		free(x);
		if (r->method == HTTP_M_GET)
			s3_list_buckets(r);
		else
			s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		return;
	}
	x->q = q;
	r->user = x;
	http_read_body(r, S3_MAX_XML_BODY, s3_bucket_cb, true);
}
