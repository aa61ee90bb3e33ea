/* s3_access: who may do what - the access decision for an S3 request whose signature (if any)
 * is valid, plus the CORS headers of actual (non-preflight) requests. Decides from the request
 * (method, bucket, key, sub-resource), the bucket's S3 metadata in the local BMD (so proxies and
 * targets decide alike) and, for what depends on an object, that object's owner and ACL (from
 * its LOM, at the target: s3_access_object). Rules (auth on; with auth off nothing is enforced):
 *   - an explicit Deny of the bucket policy refuses (the owner too, except for the policy
 *     itself); an Allow admits (not for wildcard principals under RestrictPublicBuckets);
 *   - bucket requests: the bucket owner may do everything; a bucket without an S3 owner (created
 *     through the native API) is open to every authenticated user; others get what the bucket
 *     ACL grants (to them, AuthenticatedUsers or AllUsers unless IgnorePublicAcls): READ lists
 *     the bucket (and HEAD), WRITE creates, overwrites and deletes objects (multipart included,
 *     ListParts too), READ_ACP / WRITE_ACP read / replace the bucket ACL; every other bucket
 *     configuration is the owner's;
 *   - object reads (GET/HEAD, ?attributes, the source of a copy) need READ in the object's ACL,
 *     object ?acl READ_ACP / WRITE_ACP (the object owner has both implicitly); ?tagging,
 *     ?retention, ?legal-hold are the object's or the bucket's owner's; under
 *     BucketOwnerEnforced object ACLs do not count and the bucket owner may do everything;
 *   - a missing key is 404 NoSuchKey for requesters that may list the bucket (READ, or s3:ListBucket
 *     for s3:prefix = the key), else 403;
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
#include "core/sbuf.h"
#include "core/util.h"
#include "s3/s3_acl.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_cors.h"
#include "s3/s3_policy.h"

typedef enum {
	S3OP_SERVICE,   /* GET / */
	S3OP_OLIST,     /* ListParts: the bucket's WRITE */
	S3OP_CREATE,    /* PUT /bucket */
	S3OP_BREAD,     /* list objects, versions, uploads; HEAD bucket */
	S3OP_BWRITE,    /* DeleteObjects */
	S3OP_BREAD_ACP, /* GET ?acl */
	S3OP_BWRITE_ACP,/* PUT ?acl */
	S3OP_BOWNER,    /* any other bucket request */
	S3OP_OREAD,     /* GET/HEAD object */
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
	case HTTP_M_HEAD: return has_q(r, "uploadId") ? S3OP_OLIST : S3OP_OREAD;
	case HTTP_M_PUT:
	case HTTP_M_DELETE:
	case HTTP_M_POST: return S3OP_OWRITE;
	default: return S3OP_OSUB;
	}
}

/* the S3 action name of a request (for bucket policies) */
static const char *s3_access_action(const http_req_t *r, const s3_req_t *q)
{
	static const struct {
		const char *q, *get, *put, *del;
	} bsub[] = {
		{"acl", "s3:GetBucketAcl", "s3:PutBucketAcl", NULL},
		{"versioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning", NULL},
		{"cors", "s3:GetBucketCORS", "s3:PutBucketCORS", "s3:PutBucketCORS"},
		{"tagging", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:PutBucketTagging"},
		{"publicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
		 "s3:PutBucketPublicAccessBlock"},
		{"ownershipControls", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
		 "s3:PutBucketOwnershipControls"},
		{"object-lock", "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", NULL},
		{"policyStatus", "s3:GetBucketPolicyStatus", NULL, NULL},
		{"policy", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
		{"location", "s3:GetBucketLocation", NULL, NULL},
		{"versions", "s3:ListBucketVersions", NULL, NULL},
		{"uploads", "s3:ListBucketMultipartUploads", NULL, NULL},
	}, osub[] = {
		{"acl", "s3:GetObjectAcl", "s3:PutObjectAcl", NULL},
		{"tagging", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"},
		{"retention", "s3:GetObjectRetention", "s3:PutObjectRetention", NULL},
		{"legal-hold", "s3:GetObjectLegalHold", "s3:PutObjectLegalHold", NULL},
		{"attributes", "s3:GetObjectAttributes", NULL, NULL},
		{"uploadId", "s3:ListMultipartUploadParts", "s3:PutObject", "s3:AbortMultipartUpload"},
	};
	bool obj = q->object[0];
	size_t n = obj ? sizeof(osub) / sizeof(osub[0]) : sizeof(bsub) / sizeof(bsub[0]);
	for (size_t i = 0; i < n; i++) {
		const char *k = obj ? osub[i].q : bsub[i].q;
		if (!has_q(r, k))
			continue;
		const char *get = obj ? osub[i].get : bsub[i].get, *put = obj ? osub[i].put : bsub[i].put,
			   *del = obj ? osub[i].del : bsub[i].del;
		const char *a = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD ? get
				: r->method == HTTP_M_DELETE				? del
											: put;
		if (a)
			return a;
		break;
	}
	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD: return obj ? "s3:GetObject" : "s3:ListBucket";
	case HTTP_M_PUT: return obj ? "s3:PutObject" : "s3:CreateBucket";
	case HTTP_M_DELETE: return obj ? "s3:DeleteObject" : "s3:DeleteBucket";
	case HTTP_M_POST: return !obj && has_q(r, "delete") ? "s3:DeleteObject" : "s3:PutObject";
	default: return "s3:Unknown";
	}
}

/* the client's address for aws:SourceIp; NULL when the request came through a proxy */
static const char *s3_access_source_ip(const http_req_t *r, char *buf, size_t cap)
{
	if (http_hdr_get(r, "Ais-S3-Forwarded-By") || http_hdr_get(r, "Ais-S3-Relayed-By"))
		return NULL;
	const char *a = r->remote_addr;
	const char *end = a[0] == '[' ? strchr(a, ']') : strrchr(a, ':');
	if (a[0] == '[')
		a++;
	size_t n = end ? (size_t)(end - a) : strlen(a);
	if (!n || n >= cap)
		return NULL;
	memcpy(buf, a, n);
	buf[n] = '\0';
	return buf;
}

/* the bucket policy's verdict on the request (S3POL_NONE without a policy) */
static s3_pol_res_t s3_access_policy(const http_req_t *r, const json_t *s3, const char *bucket, const char *key,
				     const char *action, const s3_ident_t *id, bool is_owner)
{
	const json_t *pol = json_object_get(s3, "policy");
	if (!pol)
		return S3POL_NONE;
	char ipb[64];
	sbuf_t res = SBUF_INIT;
	sbuf_addf(&res, "arn:aws:s3:::%s%s%s", bucket, key ? "/" : "", key ? key : "");
	bool restrict_ = json_is_true(json_object_get(json_object_get(s3, "pab"), "restrict_public_buckets"));
	s3_pol_ctx_t x = {.id = id, .action = action, .resource = sbuf_str(&res), .r = r,
			  .source_ip = s3_access_source_ip(r, ipb, sizeof(ipb)),
			  .skip_public = restrict_ && !is_owner && s3_policy_is_public(pol)};
	s3_pol_res_t v = res.oom ? S3POL_DENY : s3_policy_eval(pol, &x);
	sbuf_fini(&res);
	return v;
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

/* "bucket/key[?versionId=..]" of x-amz-copy-source (URL-encoded, optional leading '/'): the
 * bucket into bucket, the key (without ?versionId) into key */
static bool s3_access_copy_src(const char *src, char *bucket, size_t cap, char *key, size_t kcap)
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
		const char *k = sl ? sl + 1 : "";
		char *vq = strstr(k, "?versionId=");
		size_t kl = vq ? (size_t)(vq - k) : strlen(k);
		ok = kl < kcap;
		if (ok) {
			memcpy(key, k, kl);
			key[kl] = '\0';
		}
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

/* what an object request needs from the object's ACL */
static unsigned s3_access_need(const http_req_t *r)
{
	bool get = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;
	if (has_q(r, "acl"))
		return get ? S3P_READ_ACP : r->method == HTTP_M_PUT ? S3P_WRITE_ACP : S3_NEED_OWNER;
	if (has_q(r, "attributes"))
		return get ? S3P_READ : S3_NEED_OWNER;
	if (s3_access_object_sub(r))
		return S3_NEED_OWNER;
	return S3P_READ;
}

/* may the requester list the bucket, with s3:prefix = key (a missing key: 404, not 403)? */
static bool s3_access_may_list(const http_req_t *r, const json_t *s3, const char *bucket, const char *key,
			       const s3_ident_t *id, bool is_owner)
{
	if (is_owner)
		return true;
	bool public = !s3_access_pab(s3, "ignore_public_acls");
	if (s3_acl_perms(json_object_get(s3, "acl"), id, public) & S3P_READ)
		return true;
	const json_t *pol = json_object_get(s3, "policy");
	if (!pol)
		return false;
	char res[128];
	snprintf(res, sizeof(res), "arn:aws:s3:::%s", bucket);
	bool restrict_ = s3_access_pab(s3, "restrict_public_buckets");
	s3_pol_ctx_t x = {.id = id, .action = "s3:ListBucket", .resource = res, .r = r, .source_ip = NULL,
			  .skip_public = restrict_ && s3_policy_is_public(pol), .prefix = key};
	return s3_policy_eval(pol, &x) == S3POL_ALLOW;
}

static void s3_access_acc_init(s3_acc_t *acc, const s3_ident_t *id, bool enforce)
{
	memset(acc, 0, sizeof(*acc));
	acc->id = *id;
	acc->enforce = enforce;
	acc->admitted = !enforce;
	acc->public_ok = true;
	acc->may_list = true;
	acc->need = S3P_READ;
}

/* the bucket-level facts of acc (owner, ObjectOwnership, public grants) */
static void s3_access_acc_bucket(s3_acc_t *acc, const json_t *s3, bool is_owner)
{
	snprintf(acc->bowner, sizeof(acc->bowner), "%s", s3_bm_owner(s3));
	const char *own = json_string_value(json_object_get(s3, "ownership"));
	acc->owner_enforced = own && !strcmp(own, "BucketOwnerEnforced");
	acc->public_ok = !s3_access_pab(s3, "ignore_public_acls");
	acc->bucket_owner = is_owner;
}

bool s3_access_src(const http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const char *bucket,
		   const char *key, s3_acc_t *out)
{
	s3_access_acc_init(out, id, c->auth);
	if (!c->auth)
		return true;
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	bool ok = true;
	out->admitted = !bm.bck; /* missing: the copy fails with NoSuchBucket later */
	if (bm.bck) {
		const char *owner = s3_bm_owner(bm.s3);
		bool native = !*owner, is_owner = !id->anon && (native || !strcmp(owner, id->id));
		s3_access_acc_bucket(out, bm.s3, is_owner);
		s3_pol_res_t pr = s3_access_policy(r, bm.s3, bucket, key, "s3:GetObject", id, is_owner);
		ok = pr != S3POL_DENY;
		out->admitted = pr == S3POL_ALLOW || (native && !id->anon) || (out->owner_enforced && is_owner);
		out->may_list = s3_access_may_list(r, bm.s3, bucket, key, id, is_owner);
	}
	s3_bm_put(&bm);
	return ok;
}

int s3_access_object_q(const s3_acc_t *acc, unsigned need, const char *owner, const json_t *grants)
{
	if (!owner)
		return !acc->enforce || acc->admitted || acc->may_list ? AIS_ENOTFOUND : AIS_EFORBIDDEN;
	if (!acc->enforce || acc->admitted)
		return 0;
	if (!need)
		need = acc->need;
	if (acc->owner_enforced)
		return acc->bucket_owner ? 0 : AIS_EFORBIDDEN;
	bool is_oowner = !acc->id.anon && !strcmp(owner, acc->id.id);
	if (need & S3_NEED_OWNER)
		return is_oowner || acc->bucket_owner ? 0 : AIS_EFORBIDDEN;
	unsigned have = grants ? s3_acl_perms(grants, &acc->id, acc->public_ok) : is_oowner ? (unsigned)S3P_FULL : 0;
	if (is_oowner)
		have |= S3P_READ_ACP | S3P_WRITE_ACP;
	return (have & need) == need ? 0 : AIS_EFORBIDDEN;
}

int s3_access_object(http_req_t *r, const s3_acc_t *acc, unsigned need, const char *owner, const json_t *grants,
		     const char *bucket, const char *key)
{
	int rc = s3_access_object_q(acc, need, owner, grants);
	if (rc == AIS_ENOTFOUND)
		s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", bucket, key);
	else if (rc)
		s3_access_deny(r, NULL);
	return rc;
}

int s3_access_post(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const char *bucket, const char *key,
		   const char *canned, s3_fail_t *f)
{
	if (!c->auth)
		return 0;
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	int rc = 0;
	if (!bm.bck) {
		s3_fail_set(f, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
		rc = AIS_ENOBUCKET;
		goto out;
	}
	const char *owner = s3_bm_owner(bm.s3);
	const char *own = json_string_value(json_object_get(bm.s3, "ownership"));
	if (own && !strcmp(own, "BucketOwnerEnforced") && canned && strcmp(canned, "bucket-owner-full-control")) {
		s3_fail_set(f, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
		rc = AIS_EFORBIDDEN;
		goto out;
	}
	if (s3_access_pab(bm.s3, "block_public_acls") && s3_acl_canned_public(canned)) {
		s3_fail_set(f, 403, "AccessDenied", "Access Denied: public ACLs are blocked by the bucket's public access block");
		rc = AIS_EFORBIDDEN;
		goto out;
	}
	bool native = !*owner, is_owner = !id->anon && (native || !strcmp(owner, id->id));
	s3_pol_res_t pr = s3_access_policy(r, bm.s3, bucket, key, "s3:PutObject", id, is_owner);
	bool ok = pr != S3POL_DENY &&
		  (is_owner || pr == S3POL_ALLOW ||
		   (s3_acl_perms(json_object_get(bm.s3, "acl"), id, !s3_access_pab(bm.s3, "ignore_public_acls")) & S3P_WRITE));
	if (!ok) {
		s3_fail_set(f, 403, "AccessDenied", "Access Denied");
		rc = AIS_EFORBIDDEN;
	}
out:
	s3_bm_put(&bm);
	return rc;
}

int s3_access_check(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, unsigned flags, s3_acc_t *acc)
{
	bool enforce = flags & S3_ACC_ENFORCE;
	bool cors = !(flags & S3_ACC_NOCORS) && http_hdr_get(r, "Origin");
	s3_acc_t tmp;
	if (!acc)
		acc = &tmp;
	s3_access_acc_init(acc, id, enforce);
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
	if (!bm.bck) {
		acc->admitted = true; /* the handler answers NoSuchBucket */
		goto out;
	}
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
	bool native = !*owner, is_owner = !id->anon && (native || !strcmp(owner, id->id));
	s3_access_acc_bucket(acc, bm.s3, is_owner);
	const char *action = s3_access_action(r, q);
	const char *key = q->object[0] ? q->object : NULL;
	s3_pol_res_t pr = s3_access_policy(r, bm.s3, q->bucket, key, action, id, is_owner);
	/* the owner cannot lock itself out of its policy */
	if (pr == S3POL_DENY && !(is_owner && has_q(r, "policy") && !q->object[0])) {
		rc = s3_access_deny(r, "explicitly denied by the bucket policy");
		goto out;
	}
	if (op == S3OP_OREAD || op == S3OP_OSUB) {
		/* the rest depends on the object: s3_access_object */
		acc->need = s3_access_need(r);
		acc->admitted = pr == S3POL_ALLOW || (native && !id->anon) || (acc->owner_enforced && is_owner);
		acc->may_list = s3_access_may_list(r, bm.s3, q->bucket, q->object, id, is_owner);
		goto out;
	}
	acc->admitted = true;
	if (!is_owner && pr != S3POL_ALLOW) {
		bool public = !s3_access_pab(bm.s3, "ignore_public_acls");
		const json_t *acl = json_object_get(bm.s3, "acl");
		unsigned have = bm.s3 && *owner ? s3_acl_perms(acl, id, public) : 0, need;
		switch (op) {
		case S3OP_BREAD: need = S3P_READ; break;
		case S3OP_BWRITE:
		case S3OP_OWRITE:
		case S3OP_OLIST: need = S3P_WRITE; break;
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
	if (src) {
		/* the source's bucket policy may refuse here; its object ACL is checked by the copy */
		char sb[80];
		char *sk = malloc(sizeof(q->buf));
		s3_acc_t sacc;
		if (!sk)
			rc = s3_access_deny(r, "out of memory");
		else if (s3_access_copy_src(src, sb, sizeof(sb), sk, sizeof(q->buf)) &&
			 !s3_access_src(r, c, id, sb, sk, &sacc))
			rc = s3_access_deny(r, "no permission to read the copy source");
		free(sk);
	}
out:
	s3_bm_put(&bm);
	free(q);
	return rc;
}
