/* s3_access: who may do what - the access decision for an S3 request whose signature (if any)
 * is valid, plus the CORS headers of actual (non-preflight) requests. Decides from the request
 * (method, bucket, key, sub-resource) and the bucket's S3 metadata in the local BMD, so proxies
 * and targets decide alike. Rules (auth on; with auth off nothing is enforced):
 *   - the bucket owner may do everything; a bucket without an S3 owner (created through the
 *     native API) is open to every authenticated user;
 *   - others get what the bucket ACL grants them (grants to AllUsers / AuthenticatedUsers
 *     unless the public-access-block says IgnorePublicAcls): READ lists the bucket (and HEAD),
 *     WRITE creates, overwrites and deletes objects (multipart included), READ_ACP / WRITE_ACP
 *     read / replace the bucket ACL; every other bucket configuration is the owner's;
 *   - reading objects (GET/HEAD, ListParts, the source of a copy) and object sub-resources
 *     are the bucket owner's (object ACLs are not kept yet);
 *   - x-amz-expected-bucket-owner must name the owner; with BlockPublicAcls, object writes
 *     carrying a public ACL are refused; with BucketOwnerEnforced, object ACLs are rejected;
 *   - ListBuckets and CreateBucket need an authenticated user; a missing bucket is left to the
 *     handler (404 NoSuchBucket).
 * Refusals: 403 AccessDenied (400 AccessControlListNotSupported). Stateless. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/util.h"
#include "s3/s3_acl.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_cors.h"

typedef enum {
	S3OP_SERVICE,   /* GET / */
	S3OP_CREATE,    /* PUT /bucket */
	S3OP_BREAD,     /* list objects, versions, uploads; HEAD bucket */
	S3OP_BWRITE,    /* DeleteObjects */
	S3OP_BREAD_ACP, /* GET ?acl */
	S3OP_BWRITE_ACP,/* PUT ?acl */
	S3OP_BOWNER,    /* any other bucket request */
	S3OP_OREAD,     /* GET/HEAD object, ListParts */
	S3OP_OWRITE,    /* PUT/DELETE object, multipart writes */
	S3OP_OSUB,      /* object sub-resources */
} s3_op_t;

static bool has_q(const http_req_t *r, const char *k) { return http_query_get(r, k) != NULL; }

/* bucket-level query keys that select something other than a listing */
static bool s3_access_bucket_sub(const http_req_t *r)
{
	static const char *const subs[] = {"versioning", "cors", "tagging", "policy", "policyStatus", "lifecycle",
		"website", "logging", "replication", "encryption", "notification", "object-lock", "location",
		"ownershipControls", "publicAccessBlock", "requestPayment", "accelerate", "analytics", "inventory",
		"metrics", "intelligent-tiering", NULL};
	for (int i = 0; subs[i]; i++)
		if (has_q(r, subs[i]))
			return true;
	return false;
}

static bool s3_access_object_sub(const http_req_t *r)
{
	static const char *const subs[] = {"acl", "tagging", "retention", "legal-hold", "attributes", "torrent",
					   "restore", "select", NULL};
	for (int i = 0; subs[i]; i++)
		if (has_q(r, subs[i]))
			return true;
	return false;
}

static s3_op_t s3_access_op(const http_req_t *r, const s3_req_t *q)
{
	if (!q->bucket[0])
		return S3OP_SERVICE;
	if (!q->object[0]) {
		if (has_q(r, "acl"))
			return r->method == HTTP_M_PUT ? S3OP_BWRITE_ACP : r->method == HTTP_M_GET ? S3OP_BREAD_ACP : S3OP_BOWNER;
		if (s3_access_bucket_sub(r))
			return S3OP_BOWNER;
		switch (r->method) {
		case HTTP_M_PUT: return S3OP_CREATE;
		case HTTP_M_GET:
		case HTTP_M_HEAD: return S3OP_BREAD;
		case HTTP_M_POST: return has_q(r, "delete") ? S3OP_BWRITE : S3OP_BOWNER;
		default: return S3OP_BOWNER;
		}
	}
	if (s3_access_object_sub(r))
		return S3OP_OSUB;
	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD: return S3OP_OREAD;
	case HTTP_M_PUT:
	case HTTP_M_DELETE:
	case HTTP_M_POST: return S3OP_OWRITE;
	default: return S3OP_OSUB;
	}
}

static int s3_access_deny(http_req_t *r, const char *why)
{
	s3_err(r, 403, "AccessDenied", "Access Denied%s%s", why ? ": " : "", why ? why : "");
	return AIS_EFORBIDDEN;
}

static bool s3_access_pab(const json_t *s3, const char *key)
{
	return json_is_true(json_object_get(json_object_get(s3, "pab"), key));
}

/* the request's grant headers name AllUsers or AuthenticatedUsers */
static bool s3_access_public_grant_hdr(const http_req_t *r)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strncasecmp(r->hdrs[i].name, "x-amz-grant-", 12) &&
		    (strstr(r->hdrs[i].value, "/global/AllUsers") || strstr(r->hdrs[i].value, "/global/AuthenticatedUsers")))
			return true;
	return false;
}

static bool s3_access_any_grant_hdr(const http_req_t *r)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strncasecmp(r->hdrs[i].name, "x-amz-grant-", 12))
			return true;
	return false;
}

/* the request carries object ACL headers the bucket's settings refuse: 0 or responded */
static int s3_access_obj_acl_hdrs(http_req_t *r, const json_t *s3)
{
	const char *canned = http_hdr_get(r, "x-amz-acl");
	const char *own = json_string_value(json_object_get(s3, "ownership"));
	if (own && !strcmp(own, "BucketOwnerEnforced") &&
	    ((canned && strcmp(canned, "bucket-owner-full-control")) || s3_access_any_grant_hdr(r))) {
		s3_err(r, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
		return AIS_EFORBIDDEN;
	}
	if (s3_access_pab(s3, "block_public_acls") && (s3_acl_canned_public(canned) || s3_access_public_grant_hdr(r)))
		return s3_access_deny(r, "public ACLs are blocked by the bucket's public access block");
	return 0;
}

/* may id read objects of `bucket` (the source of a copy)? phase-wise: its owner only */
static bool s3_access_may_read_objects(const char *bucket, const s3_ident_t *id)
{
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	bool ok = !bm.bck; /* missing: the copy fails with NoSuchBucket/NoSuchKey later */
	if (bm.bck) {
		const char *owner = s3_bm_owner(bm.s3);
		ok = !id->anon && (!*owner || !strcmp(owner, id->id));
	}
	s3_bm_put(&bm);
	return ok;
}

/* "bucket/key[?versionId=..]" of x-amz-copy-source (URL-encoded, optional leading '/') */
static bool s3_access_copy_bucket(const char *src, char *bucket, size_t cap)
{
	if (src[0] == '/')
		src++;
	size_t sl0 = strlen(src);
	char *dec = malloc(sl0 + 1);
	if (!dec || url_decode(src, sl0, dec, false) < 0) {
		free(dec);
		return false;
	}
	char *sl = strchr(dec, '/');
	size_t n = sl ? (size_t)(sl - dec) : strlen(dec);
	bool ok = n && n < cap;
	if (ok) {
		memcpy(bucket, dec, n);
		bucket[n] = '\0';
	}
	free(dec);
	return ok;
}

static void s3_access_cors(http_req_t *r, const json_t *s3)
{
	const char *origin = http_hdr_get(r, "Origin");
	const json_t *rules = json_object_get(s3, "cors");
	if (!origin || !json_array_size(rules))
		return;
	const char *m = http_hdr_get(r, "Access-Control-Request-Method");
	const json_t *rule = s3_cors_match(rules, origin, m ? m : r->method_str, NULL);
	if (rule)
		s3_cors_add_hdrs(r, rule, origin, NULL, false);
}

int s3_access_check(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, unsigned flags)
{
	bool enforce = flags & S3_ACC_ENFORCE;
	bool cors = !(flags & S3_ACC_NOCORS) && http_hdr_get(r, "Origin");
	if (!enforce && !cors)
		return 0;
	s3_req_t *q = malloc(sizeof(*q));
	if (!q) {
		s3_err(r, 500, "InternalError", "out of memory");
		return AIS_ENOMEM;
	}
	int rc = 0;
	s3_bm_t bm = {0};
	if (s3_req_parse(r, q))
		goto out; /* the handler answers the bad addressing */
	s3_op_t op = s3_access_op(r, q);
	if (op == S3OP_SERVICE || op == S3OP_CREATE) {
		if (enforce && id->anon)
			rc = s3_access_deny(r, "anonymous users may not list or create buckets");
		goto out;
	}
	s3_bm_get(q->bucket, &bm);
	if (!bm.bck)
		goto out;
	if (cors)
		s3_access_cors(r, bm.s3);
	if (!enforce)
		goto out;
	const char *owner = s3_bm_owner(bm.s3);
	const char *expect = http_hdr_get(r, "x-amz-expected-bucket-owner");
	if (expect && strcmp(expect, owner)) {
		rc = s3_access_deny(r, "the bucket owner is not the expected one");
		goto out;
	}
	if (op == S3OP_OWRITE && (r->method == HTTP_M_PUT || (r->method == HTTP_M_POST && has_q(r, "uploads"))) &&
	    (rc = s3_access_obj_acl_hdrs(r, bm.s3)))
		goto out;
	bool is_owner = !id->anon && (!*owner || !strcmp(owner, id->id));
	if (!is_owner) {
		bool public = !s3_access_pab(bm.s3, "ignore_public_acls");
		const json_t *acl = json_object_get(bm.s3, "acl");
		unsigned have = bm.s3 && *owner ? s3_acl_perms(acl, id, public) : 0, need;
		switch (op) {
		case S3OP_BREAD: need = S3P_READ; break;
		case S3OP_BWRITE:
		case S3OP_OWRITE: need = S3P_WRITE; break;
		case S3OP_BREAD_ACP: need = S3P_READ_ACP; break;
		case S3OP_BWRITE_ACP: need = S3P_WRITE_ACP; break;
		default: need = S3P_FULL + 1; /* the owner's */
		}
		if ((have & need) != need) {
			rc = s3_access_deny(r, NULL);
			goto out;
		}
	}
	const char *src = r->method == HTTP_M_PUT && q->object[0] ? http_hdr_get(r, "x-amz-copy-source") : NULL;
	char sb[80];
	if (src && s3_access_copy_bucket(src, sb, sizeof(sb)) && !s3_access_may_read_objects(sb, id))
		rc = s3_access_deny(r, "no permission to read the copy source");
out:
	s3_bm_put(&bm);
	free(q);
	return rc;
}
