/* s3_auth: SigV4 at the S3 front door. Off by default: requests are accepted whether signed or
 * not (signatures are not checked, as AIStore without authentication). With the cluster
 * config's "s3": {"auth": true, ...} every request must carry a valid SigV4 signature
 * (Authorization header or presigned query) for one of the configured keys:
 *   "access_key"/"secret_key" (one pair) and/or "keys": [{"access": .., "secret": ..}, ...]
 * in the region "region" (default us-east-1). Chunk signatures of streaming bodies are checked
 * by the body decoder (awschunk) with the key derived here. Stateless. */
#include "s3/s3_int.h"

#include <string.h>
#include <time.h>

#include "core/err.h"

const char *s3_auth_secret(const char *access_key, void *arg)
{
	const s3_conf_t *c = arg;
	if (!c || !access_key)
		return NULL;
	for (int i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].access, access_key))
			return c->keys[i].secret;
	return NULL;
}

bool s3_is_aws_chunked(const http_req_t *r)
{
	const char *p = http_hdr_get(r, "x-amz-content-sha256");
	if (p && !strncmp(p, "STREAMING-", 10))
		return true;
	const char *ce = http_hdr_get(r, "Content-Encoding");
	return ce && strstr(ce, "aws-chunked");
}

int s3_auth_check(http_req_t *r, const s3_conf_t *c, sigv4_auth_t *out)
{
	sigv4_auth_t tmp;
	sigv4_auth_t *a = out ? out : &tmp;
	memset(a, 0, sizeof(*a));
	const char *code = NULL;
	char err[512] = "";
	if (!c->auth) {
		/* parse only: the payload mode tells whether the body is aws-chunked */
		if (sigv4_check(r, "", (int64_t)time(NULL), NULL, NULL, a, &code, err, sizeof(err)))
			memset(a, 0, sizeof(*a));
		return 0;
	}
	int rc = sigv4_check(r, c->region, (int64_t)time(NULL), s3_auth_secret, (void *)c, a, &code, err, sizeof(err));
	if (rc) {
		int st = rc == AIS_EINVAL ? 400 : 403;
		s3_err(r, st, code ? code : st == 400 ? "InvalidRequest" : "AccessDenied", "%s",
		       err[0] ? err : "access denied");
		return rc;
	}
	if (a->kind == SIGV4_NONE) {
		s3_err(r, 403, "AccessDenied", "anonymous access is not allowed (S3 authentication is enabled)");
		return AIS_EFORBIDDEN;
	}
	return 0;
}
