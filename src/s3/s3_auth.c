/* s3_auth: the S3 front door. SigV4 is off by default: requests are accepted whether signed or
 * not (signatures are not checked, as AIStore without authentication), and the access rules
 * are not enforced (only CORS headers apply). With the cluster config's "s3": {"auth": true, ...}
 * a signature (Authorization header or presigned query), when present, must be valid for one
 * of the configured keys:
 *   "access_key"/"secret_key" (one pair) and/or "keys": [{"access": .., "secret": .., "user": ..,
 *   "display_name": .., "email": ..}, ...]
 * in the region "region" (default us-east-1); then s3_access.c decides what the requester
 * (a user, or anonymous) may do. Keys name their user (canonical ID) with "user"; keys without
 * one act as the default user S3_DEFAULT_ID. Chunk signatures of streaming bodies are checked by
 * the body decoder (awschunk) with the key derived here. Signature V2 (sigv2.h: "Authorization:
 * AWS key:sig" or AWSAccessKeyId/Expires/Signature) is verified too. Stateless. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "s3/sigv2.h"

/* the configured key for an access key (keys[0] is the single access_key/secret_key pair when
 * set, then s3.keys: see s3_conf_get); NULL when unknown */
static const config_s3key_t *s3_auth_key(const s3_conf_t *c, const char *access_key)
{
	if (!c || !access_key)
		return NULL;
	for (int i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].access, access_key))
			return &c->keys[i];
	return NULL;
}

const char *s3_auth_secret(const char *access_key, void *arg)
{
	const config_s3key_t *k = s3_auth_key(arg, access_key);
	return k ? k->secret : NULL;
}

static void s3_auth_default(s3_ident_t *out)
{
	snprintf(out->id, sizeof(out->id), "%s", S3_DEFAULT_ID);
	snprintf(out->name, sizeof(out->name), "%s", S3_DEFAULT_NAME);
}

void s3_auth_ident(const s3_conf_t *c, const sigv4_auth_t *a, s3_ident_t *out)
{
	memset(out, 0, sizeof(*out));
	if (!a || a->kind == SIGV4_NONE) {
		if (c->auth) {
			out->anon = true;
			return;
		}
		s3_auth_default(out); /* auth off: everybody is the default user */
		return;
	}
	const config_s3key_t *k = s3_auth_key(c, a->access_key);
	if (!k || !k->user[0]) {
		s3_auth_default(out);
		return;
	}
	snprintf(out->id, sizeof(out->id), "%s", k->user);
	snprintf(out->name, sizeof(out->name), "%s", k->display_name[0] ? k->display_name : k->user);
}

bool s3_auth_user(const s3_conf_t *c, const char *id, char *name, size_t cap)
{
	if (!strcmp(id, S3_DEFAULT_ID)) {
		snprintf(name, cap, "%s", S3_DEFAULT_NAME);
		return true;
	}
	for (int i = 0; i < c->nkeys; i++) {
		const config_s3key_t *k = &c->keys[i];
		if (k->user[0] && !strcmp(k->user, id)) {
			snprintf(name, cap, "%s", k->display_name[0] ? k->display_name : k->user);
			return true;
		}
	}
	return false;
}

bool s3_auth_email(const s3_conf_t *c, const char *email, char *id, size_t cap)
{
	for (int i = 0; i < c->nkeys; i++) {
		const config_s3key_t *k = &c->keys[i];
		if (k->email[0] && k->user[0] && !strcasecmp(k->email, email)) {
			snprintf(id, cap, "%s", k->user);
			return true;
		}
	}
	return false;
}

bool s3_is_aws_chunked(const http_req_t *r)
{
	const char *p = http_hdr_get(r, "x-amz-content-sha256");
	if (p && !strncmp(p, "STREAMING-", 10))
		return true;
	/* Content-Encoding: aws-chunked alone may just be a declared coding (botocore sends it as
	 * given, with a plain body): the body is aws-chunked only with its decoded length */
	const char *ce = http_hdr_get(r, "Content-Encoding");
	return ce && strstr(ce, "aws-chunked") && http_hdr_get(r, "x-amz-decoded-content-length");
}

/* Signature V2: the resource the client signed is "/bucket/key" as it addressed them (without
 * the /s3 prefix; with the bucket of a virtual-host request) */
static int s3_auth_v2(const http_req_t *r, const s3_conf_t *c, sigv4_auth_t *a, const char **code, char *err,
		      size_t cap)
{
	s3_req_t *q = malloc(sizeof(*q));
	sbuf_t res = SBUF_INIT;
	int rc = AIS_EFORBIDDEN;
	if (!q || s3_req_parse(r, q)) {
		*code = "AccessDenied";
		snprintf(err, cap, "cannot parse the request for Signature V2");
		goto out;
	}
	const char *p = r->raw_path;
	if (!strncmp(p, "/s3", 3) && (p[3] == '\0' || p[3] == '/'))
		p += 3;
	if (q->vhost)
		sbuf_addf(&res, "/%s", q->bucket);
	sbuf_adds(&res, *p ? p : "/");
	rc = sigv2_check(r, sbuf_str(&res), (int64_t)time(NULL), s3_auth_secret, (void *)c, a, code, err, cap);
out:
	sbuf_fini(&res);
	free(q);
	return rc;
}

static int s3_auth_do(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out, unsigned flags, s3_acc_t *acc)
{
	sigv4_auth_t tmp;
	sigv4_auth_t *a = out ? out : &tmp;
	memset(a, 0, sizeof(*a));
	const char *code = NULL;
	char err[512] = "";
	s3_ident_t id;
	if (!c->auth) {
		/* parse only: the payload mode tells whether the body is aws-chunked */
		if (sigv4_check(r, "", (int64_t)time(NULL), NULL, NULL, a, &code, err, sizeof(err)))
			memset(a, 0, sizeof(*a));
		s3_auth_ident(c, a, &id);
		return s3_access_check(r, c, &id, flags, acc);
	}
	int rc = sigv2_is(r) ? s3_auth_v2(r, c, a, &code, err, sizeof(err))
			     : sigv4_check(r, c->region, (int64_t)time(NULL), s3_auth_secret, (void *)c, a, &code, err,
					   sizeof(err));
	if (rc) {
		int st = rc == AIS_EINVAL ? 400 : 403;
		s3_err(r, st, code ? code : st == 400 ? "InvalidRequest" : "AccessDenied", "%s",
		       err[0] ? err : "access denied");
		return rc;
	}
	s3_auth_ident(c, a, &id);
	return s3_access_check(r, c, &id, flags | S3_ACC_ENFORCE, acc);
}

int s3_auth_check(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out) { return s3_auth_do(r, c, out, 0, NULL); }

int s3_auth_check_obj(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out, s3_acc_t *acc)
{
	return s3_auth_do(r, c, out, 0, acc);
}

int s3_auth_precheck(http_req_t *r, const s3_conf_t *c) { return s3_auth_do(r, c, NULL, S3_ACC_NOCORS, NULL); }
