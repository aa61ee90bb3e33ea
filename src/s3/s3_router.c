/* s3_router: entry of every S3 request on both roles. Parses the addressing (path-style under
 * /s3 or at the root with S3-API-via-Root; virtual-host style from the Host header when its
 * first label names an existing bucket), then dispatches: proxy → service/bucket operations
 * (s3_bucket.c, s3_list.c; bucket sub-resources and CORS preflight in s3_bsub.c) or object
 * forwarding (s3_fwd.c; an object request with Expect: 100-continue is checked by the proxy
 * first, so a refusal comes before the body); target → object operations (s3_object.c,
 * multipart in s3_mpu.c). Multipart object requests (?uploads, ?uploadId) are forwarded like
 * any object request; bucket-level GET ?uploads (ListMultipartUploads) is merged from every
 * target (s3_uploads.c), whose share a target serves as JSON. Sub-resources not served
 * (?lifecycle, ?website, object ?torrent / ?restore / ?select, ...) answer 501 NotImplemented
 * as S3 XML; the object sub-resources served (?acl, ?tagging, ?retention, ?legal-hold,
 * ?attributes) go to the object's target like any object request. DeleteObjects goes to every
 * target that owns some of its keys (s3_mdel.c); so does a browser-form POST (s3_post.c).
 * Holds only the role, set once at init. */
#include "s3/s3.h"
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/bmd.h"
#include "core/config.h"
#include "s3/s3_bsub.h"
#include "core/err.h"
#include "net/route.h"

static bool s3_on_proxy; /* set once by s3_init before the server starts */

static bool bucket_exists(const char *name)
{
	bmd_t *m = bmd_get();
	bool ok = m && bmd_find(m, "ais", "", name) != NULL;
	bmd_put(m);
	return ok;
}

static bool is_ipv4(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			return false;
	return true;
}

/* virtual-host bucket from the Host header; "" when none applies */
static void vhost_bucket(const http_req_t *r, const char *rest, char *out, size_t cap)
{
	out[0] = '\0';
	const char *h = http_hdr_get(r, "Host");
	if (!h || h[0] == '[')
		return;
	const char *colon = strchr(h, ':');
	size_t hl = colon ? (size_t)(colon - h) : strlen(h);
	const char *dot = memchr(h, '.', hl);
	if (!dot || dot == h || is_ipv4(h, hl) || (size_t)(dot - h) >= cap)
		return;
	char label[80];
	snprintf(label, sizeof(label), "%.*s", (int)(dot - h), h);
	if (!bck_name_valid(label))
		return;
	/* first path segment */
	char seg[80] = "";
	const char *sl = strchr(rest, '/');
	size_t sn = sl ? (size_t)(sl - rest) : strlen(rest);
	if (sn < sizeof(seg))
		snprintf(seg, sizeof(seg), "%.*s", (int)sn, rest);
	if (bucket_exists(label)) {
		if (!seg[0] || !bucket_exists(seg))
			snprintf(out, cap, "%s", label);
	} else if (!seg[0] && r->method == HTTP_M_PUT) {
		snprintf(out, cap, "%s", label); /* CreateBucket, virtual-host style */
	}
}

/* fill q from the path after `prefix`; 0, or AIS_EINVAL with code and msg set (not responded) */
static int s3_parse_q(const http_req_t *r, const char *prefix, s3_req_t *q, const char **code, const char **msg)
{
	const char *p = r->path + strlen(prefix);
	while (*p == '/')
		p++;
	size_t n = strlen(p);
	q->vhost = false;
	if (n + 1 > sizeof(q->buf)) {
		*code = "KeyTooLongError", *msg = "object key is too long";
		return AIS_EINVAL;
	}
	memcpy(q->buf, p, n + 1);
	vhost_bucket(r, q->buf, q->bucket, sizeof(q->bucket));
	if (q->bucket[0]) {
		q->vhost = true;
		q->object = q->buf;
		return 0;
	}
	char *sl = strchr(q->buf, '/');
	if (sl) {
		*sl = '\0';
		q->object = sl + 1;
	} else {
		q->object = "";
	}
	size_t blen = strlen(q->buf);
	if (blen >= sizeof(q->bucket)) {
		*code = "InvalidBucketName", *msg = "bucket name is too long";
		return AIS_EINVAL;
	}
	memcpy(q->bucket, q->buf, blen + 1);
	return 0;
}

/* fill q from the path after `prefix`; 0 or responds 400 and returns < 0 */
static int s3_parse(http_req_t *r, const char *prefix, s3_req_t *q)
{
	const char *code = NULL, *msg = NULL;
	int rc = s3_parse_q(r, prefix, q, &code, &msg);
	if (rc)
		s3_err(r, 400, code, "%s", msg);
	return rc;
}

int s3_req_parse(const http_req_t *r, s3_req_t *q)
{
	const char *code, *msg;
	/* the route table sends "/s3..." to the /s3 route, everything else to the root one */
	bool s3 = !strncmp(r->path, "/s3", 3) && (r->path[3] == '\0' || r->path[3] == '/');
	return s3_parse_q(r, s3 ? "/s3" : "", q, &code, &msg);
}

static bool has_q(const http_req_t *r, const char *k) { return http_query_get(r, k) != NULL; }

/* sub-resources not served (bucket level: everything but s3_bsub.c's; object level: all) */
static bool unsupported_subresource(http_req_t *r, bool obj)
{
	static const char *const bsubs[] = {"lifecycle", "website", "logging", "replication",
					    "encryption", "notification", "retention", "legal-hold", "torrent",
					    "requestPayment", "accelerate", "analytics", "inventory", "metrics",
					    "intelligent-tiering", "restore", "select", "attributes", NULL};
	static const char *const osubs[] = {"torrent", "restore", "select", NULL};
	const char *const *subs = obj ? osubs : bsubs;
	for (int i = 0; subs[i]; i++)
		if (has_q(r, subs[i]))
			return true;
	return false;
}

static void s3_handle(http_req_t *r, const char *prefix)
{
	s3_conf_t c;
	s3_conf_get(&c);
	s3_req_t *q = malloc(sizeof(*q));
	if (!q) {
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	memset(q, 0, sizeof(*q));
	if (s3_parse(r, prefix, q)) {
		free(q);
		return;
	}
	bool obj = q->object[0] != '\0';
	if (!s3_on_proxy) {
		if (!obj && r->method == HTTP_M_GET && has_q(r, "uploads") && q->bucket[0]) {
			s3_mpu_list_local(r, q);
			return;
		}
		if (!obj && r->method == HTTP_M_POST && has_q(r, "delete") && q->bucket[0]) {
			s3_mdel_local(r, q); /* this target's share of a DeleteObjects */
			return;
		}
		if (!obj && q->bucket[0] && s3_post_is(r)) {
			s3_post_target(r, q); /* checks the form's own signature and policy */
			return;
		}
		if (!obj) {
			free(q);
			s3_err(r, 400, "InvalidRequest", "bucket and service requests go to a proxy, not to a target");
			return;
		}
		if (r->method == HTTP_M_OPTIONS) {
			free(q);
			s3_err(r, 405, "MethodNotAllowed", "CORS preflight goes to a proxy, not to a target");
			return;
		}
		s3_obj_handle(r, q);
		return;
	}
	if (r->method == HTTP_M_OPTIONS) {
		s3_bsub_preflight(r, q->bucket);
		free(q);
		return;
	}
	if (unsupported_subresource(r, obj) || (!obj && has_q(r, "uploadId"))) {
		if (q->bucket[0] && !bucket_exists(q->bucket))
			s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
		else if (!obj && has_q(r, "uploadId") && !unsupported_subresource(r, obj))
			s3_err(r, 400, "InvalidRequest", "uploadId requires an object key");
		else
			s3_err(r, 501, "NotImplemented", "the requested sub-resource is not implemented by this S3 endpoint");
		free(q);
		return;
	}
	if (!obj && q->bucket[0] && !has_q(r, "delete") && s3_post_is(r)) {
		s3_post_proxy(r, q); /* a browser-form upload: to the key's target, which checks it */
		return;
	}
	if (!obj) {
		s3_bucket_handle(r, q, &c);
		return;
	}
	if (!q->bucket[0]) {
		free(q);
		s3_err(r, 400, "InvalidBucketName", "missing bucket name");
		return;
	}
	const char *expect = http_hdr_get(r, "Expect");
	if (expect && !strcasecmp(expect, "100-continue") && !c.redirect && bucket_exists(q->bucket) &&
	    s3_auth_precheck(r, &c)) {
		free(q);
		return;
	}
	s3_fwd_object(r, q, &c);
}

static void s3_route_cb(http_req_t *r) { s3_handle(r, "/s3"); }

static void s3_root_cb(http_req_t *r)
{
	bool on = config_features() & FEAT_S3_API_VIA_ROOT;
	if (!strncmp(r->path, "/v1/", 4) || !strcmp(r->path, "/v1")) {
		/* a /v1 path whose route does not take this method: what route_dispatch says */
		http_error(r, 405, NULL, "invalid method %s for %s", r->method_str, r->path);
		return;
	}
	if (!on) {
		http_error(r, 404, NULL, "invalid URL path %s", r->path);
		return;
	}
	s3_handle(r, "");
}

int s3_init(bool is_proxy)
{
	s3_on_proxy = is_proxy;
	unsigned m = RM(HTTP_M_GET) | RM(HTTP_M_HEAD) | RM(HTTP_M_PUT) | RM(HTTP_M_POST) | RM(HTTP_M_DELETE) |
		     RM(HTTP_M_OPTIONS);
	route_add(m, "/s3", s3_route_cb);
	route_add(m, "/", s3_root_cb);
	return 0;
}
