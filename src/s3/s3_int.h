/* s3_int: what the S3 API's files share (not for other modules): the parsed S3 request
 * (bucket/object from path-style, root or virtual-host addressing), the per-request S3 view
 * of the cluster config, XML error responses, and the handlers the router dispatches to.
 * Proxy side: s3_bucket.c, s3_bsub.c (bucket sub-resources, CORS preflight), s3_bmeta.c (a
 * bucket's S3 metadata in the BMD), s3_list.c, s3_fwd.c, s3_uploads.c; target side:
 * s3_object.c, s3_mpu.c (s3_tgt.h); both: s3_auth.c (+ sigv4.c, sigv2.c), s3_access.c,
 * s3_acl.c, s3_cors.c, s3_policy.c.
 * Custom metadata keys an S3 PUT stores with the object (LOM custom md) are defined here. */
#ifndef AIS_S3_INT_H
#define AIS_S3_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/config.h"
#include "net/http.h"
#include "s3/sigv4.h"

/* LOM custom metadata keys of S3 objects */
#define S3MD_ETAG "ETag"              /* quoted hex MD5 */
#define S3MD_CTYPE "Content-Type"
#define S3MD_META_PREFIX "x-amz-meta-" /* user metadata, lower-cased names */
#define S3MD_CKSUM_PREFIX "x-amz-checksum-" /* e.g. x-amz-checksum-crc32 = base64 */

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"

typedef struct s3_req {
	char bucket[80];    /* "" = service level (ListBuckets) */
	const char *object; /* "" = bucket level; points into buf */
	char buf[8192];
	bool vhost;         /* bucket came from the Host header */
} s3_req_t;

/* the "s3" section of the cluster config, copied per request (a config version may be freed
 * while the request runs, so nothing here points into it). Key pairs are copied only with auth. */
typedef struct s3_conf {
	bool auth;          /* verify SigV4 */
	bool redirect;      /* 307 to the owning target instead of forwarding */
	char region[64];    /* default "us-east-1" */
	int nkeys;          /* keys[0] is s3.access_key/secret_key (when set), then s3.keys */
	config_s3key_t keys[CONFIG_MAX_S3KEYS + 1];
} s3_conf_t;

void s3_conf_get(s3_conf_t *c);

/* the query of a keyed S3 listing (ListObjectVersions, ListMultipartUploads): prefix, delimiter,
 * key-marker and the second marker named m2 ("" when absent), the page limit named lim (capped
 * at cap) and encoding-type=url. 0, or responded 400 (s3_list.c) */
typedef struct s3_lq {
	const char *prefix, *delim, *km, *m2;
	int64_t max;
	bool enc;
} s3_lq_t;
int s3_lq_parse(http_req_t *r, const char *m2, const char *lim, int64_t cap, s3_lq_t *q);
/* the proxy's per-target share of a keyed listing: GET <target>/s3/<bucket>?<sub>&prefix=<prefix>
 * on every target in parallel, each answering a JSON array. *docs: one array per target (the
 * caller decrefs each and frees *docs), *ndocs their count. A target answering 404 -> NoSuchBucket,
 * one failing otherwise -> 503 (never a partial set). 0, or answered and < 0. */
int s3_lq_fanout(http_req_t *r, const char *bucket, const char *sub, const char *prefix, json_t ***docs, int *ndocs);

/* XML error response (S3 <Error> document, x-amz-request-id) */
void s3_err(http_req_t *r, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* from an AIS_E* code: status and S3 code from err.h's table */
void s3_err_code(http_req_t *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* a complete XML document response */
void s3_xml_respond(http_req_t *r, int status, const char *xml, size_t len);
void s3_add_common_hdrs(http_req_t *r);

/* The S3 front door, called by every S3 handler before it acts (proxy: bucket requests, and
 * object requests it redirects or that carry Expect: 100-continue; target: object requests):
 * SigV4 (when auth is on), then the access decision for the requester (s3_access.c: bucket
 * owner, bucket ACL, anonymous access through AllUsers grants, public-access-block, expected
 * bucket owner), and the CORS response headers of the bucket's CORS rules for a request with
 * an Origin header. 0: go ahead; otherwise it has responded (403, or 400 for malformed
 * signatures) and returns AIS_E*. out (may be NULL) receives the parsed signature. */
int s3_auth_check(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out);
/* the same for an object request at the target: acc receives the bucket-level verdict */
struct s3_acc;
int s3_auth_check_obj(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out, struct s3_acc *acc);
/* secret lookup for sigv4_check/awschunk (arg = s3_conf_t*) */
const char *s3_auth_secret(const char *access_key, void *arg);

/* Identities. A configured key may name its user: "keys": [{"access", "secret", "user" (the
 * canonical user ID), "display_name", "email"}]. Keys without "user" (and the single
 * access_key/secret_key pair) all act as one default user, S3_DEFAULT_ID. */
#define S3_DEFAULT_ID "1"
#define S3_DEFAULT_NAME "ais"
#define S3_ID_MAX 160
typedef struct s3_ident {
	bool anon;             /* no signature (anonymous) */
	char id[S3_ID_MAX];    /* canonical user ID; "" when anonymous */
	char name[S3_ID_MAX];  /* display name */
} s3_ident_t;
/* the requester of a parsed (with auth on: verified) signature; anonymous when a->kind is NONE */
void s3_auth_ident(const s3_conf_t *c, const sigv4_auth_t *a, s3_ident_t *out);
/* a configured user by canonical ID (display name into name), or by email (ID into id) */
bool s3_auth_user(const s3_conf_t *c, const char *id, char *name, size_t cap);
bool s3_auth_email(const s3_conf_t *c, const char *email, char *id, size_t cap);

/* The bucket-level verdict on an object request, for the object-level one that needs the
 * object's own metadata (owner, ACL: s3_access_object). Filled by s3_auth_check_obj. */
#define S3_NEED_OWNER 16u /* (with S3P_* bits) only the object's or the bucket's owner */
typedef struct s3_acc {
	s3_ident_t id;          /* the requester */
	bool enforce;           /* auth is on: the decision applies */
	bool admitted;          /* decided at the bucket level (auth off, bucket owner where that
				 * suffices, a native bucket, a policy Allow): no object check */
	bool owner_enforced;    /* the bucket's ObjectOwnership is BucketOwnerEnforced */
	bool public_ok;         /* grants to AllUsers / AuthenticatedUsers count (no IgnorePublicAcls) */
	bool may_list;          /* may list the bucket: a missing key is 404 NoSuchKey, else 403 */
	bool bucket_owner;      /* the requester owns the bucket */
	unsigned need;          /* what the object's ACL must grant (S3P_* of s3_acl.h, S3_NEED_OWNER) */
	char bowner[S3_ID_MAX]; /* the bucket's owner ("" none) */
} s3_acc_t;

/* the access decision of s3_auth_check (s3_access.c), for a requester whose signature (if any)
 * is valid: 0, or responds (403 AccessDenied; 400 AccessControlListNotSupported) and returns
 * AIS_EFORBIDDEN. flags: S3_ACC_ENFORCE (auth is on; otherwise only the CORS headers are
 * added), S3_ACC_NOCORS (a proxy's early check of a request a target checks again).
 * Requests whose answer depends on the object's ACL (GET/HEAD, object ?acl, ?attributes,
 * ?tagging, ?retention, ?legal-hold) pass here unless refused by the bucket policy or for a
 * missing permission that no object ACL can give; acc (may be NULL) receives what the
 * object-level decision needs. */
#define S3_ACC_ENFORCE 1u
#define S3_ACC_NOCORS 2u
int s3_access_check(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, unsigned flags, s3_acc_t *acc);
/* the object-level decision: owner (NULL: the object does not exist) and its grants (NULL: the
 * owner FULL_CONTROL). 0, or responds (403 AccessDenied, or 404 NoSuchKey for a missing object
 * when the requester may list the bucket; object name for the message in key) and returns
 * AIS_EFORBIDDEN / AIS_ENOTFOUND. need overrides acc->need when non-zero (a copy source: READ). */
int s3_access_object(http_req_t *r, const s3_acc_t *acc, unsigned need, const char *owner, const json_t *grants,
		     const char *bucket, const char *key);
/* PutObject of bucket/key by id through a browser-form POST (the identity comes from the form,
 * not from the request's headers), with the form's canned ACL (may be NULL): 0, or < 0 with f
 * set (404 NoSuchBucket, 403 AccessDenied, 400 AccessControlListNotSupported) */
struct s3_fail;
int s3_access_post(http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const char *bucket, const char *key,
		   const char *canned, struct s3_fail *f);
/* the same without responding: 0 or AIS_EFORBIDDEN / AIS_ENOTFOUND */
int s3_access_object_q(const s3_acc_t *acc, unsigned need, const char *owner, const json_t *grants);
/* the bucket-level verdict for reading (s3:GetObject) bucket/key by the requester of acc's kind,
 * e.g. a copy source in another bucket; never refuses at this point except for a policy Deny
 * (false) */
bool s3_access_src(const http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const char *bucket,
		   const char *key, s3_acc_t *out);
/* proxy: s3_auth_check of an object request before it is forwarded (for Expect: 100-continue,
 * so that a refusal comes before the client sends the body); adds no CORS headers */
int s3_auth_precheck(http_req_t *r, const s3_conf_t *c);

/* parse the request's addressing (as the router does) without responding: 0 or AIS_EINVAL */
int s3_req_parse(const http_req_t *r, s3_req_t *q);

/* the request is an aws-chunked body (STREAMING-* payload, or Content-Encoding: aws-chunked with
 * x-amz-decoded-content-length) */
bool s3_is_aws_chunked(const http_req_t *r);

/* proxy handlers */
void s3_bucket_handle(http_req_t *r, s3_req_t *q, const s3_conf_t *c); /* takes q */
void s3_list_objects(http_req_t *r, const char *bucket);               /* pool */
void s3_list_versions(http_req_t *r, const char *bucket);              /* pool */
void s3_fwd_object(http_req_t *r, s3_req_t *q, const s3_conf_t *c);   /* takes q */

/* DeleteObjects (s3_mdel.c): proxy (pool, body buffered): the request to every target that owns
 * some of the keys, their answers merged; target: its share (the client's request, checked
 * again), answered as JSON. Both take/respond; s3_mdel_local takes q. */
void s3_mdel_proxy(http_req_t *r, const char *bucket);
void s3_mdel_local(http_req_t *r, s3_req_t *q);

/* POST object (browser forms, s3_post.c): the request is one (POST, multipart/form-data);
 * proxy: send it to the key's owner (takes q); target: check and store it (takes q) */
bool s3_post_is(const http_req_t *r);
void s3_post_proxy(http_req_t *r, s3_req_t *q);
void s3_post_target(http_req_t *r, s3_req_t *q);

/* ListMultipartUploads: proxy (pool): every target's uploads merged (s3_uploads.c) */
void s3_uploads_list(http_req_t *r, const char *bucket);

/* target handler: object GET/HEAD/PUT/DELETE/copy and multipart (s3_mpu.c); takes q */
void s3_obj_handle(http_req_t *r, s3_req_t *q);
/* target: this target's uploads of bucket q->bucket as JSON [{"key","id","created"}] for the
 * proxy's ListMultipartUploads (intra-cluster: no SigV4); takes q */
void s3_mpu_list_local(http_req_t *r, s3_req_t *q);

/* time formats */
void s3_fmt_iso(int64_t ns, char *out, size_t cap);  /* 2006-01-02T15:04:05.000Z */

#endif
