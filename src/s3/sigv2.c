/* sigv2: AWS Signature Version 2 (see sigv2.h). StringToSign = Method \n Content-MD5 \n
 * Content-Type \n Date (or Expires when presigned; empty when x-amz-date is sent) \n
 * x-amz-* headers (lower-cased, sorted, "name:value\n", repeated values joined with ',')
 * resource (+ "?" and the sub-resources S3 signs, sorted, values decoded). Signature =
 * base64(HMAC-SHA1(secret, StringToSign)), compared in constant time. A signed Date older or
 * newer than 15 minutes is refused, as is a presigned URL past its Expires. */
#include "s3/sigv2.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/err.h"

#define SIGV2_MAX_SKEW_S (15 * 60)
#define SIGV2_MAX_AMZ 64

/* the query keys that are part of the signed resource (as botocore and S3 define them) */
static const char *const sigv2_subs[] = {
	"accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "legal-hold",
	"lifecycle", "location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy",
	"replication", "requestPayment", "response-cache-control", "response-content-disposition",
	"response-content-encoding", "response-content-language", "response-content-type", "response-expires",
	"restore", "retention", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId",
	"uploads", "versionId", "versioning", "versions", "website", NULL};

static const char *sigv2_hdr(const http_req_t *r, const char *n)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strcasecmp(r->hdrs[i].name, n))
			return r->hdrs[i].value;
	return NULL;
}

static const char *sigv2_query(const http_req_t *r, const char *k)
{
	for (int i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, k))
			return r->query[i].value;
	return NULL;
}

bool sigv2_is(const http_req_t *r)
{
	const char *a = sigv2_hdr(r, "Authorization");
	return (a && !strncmp(a, "AWS ", 4)) || (sigv2_query(r, "AWSAccessKeyId") && sigv2_query(r, "Signature"));
}

/* RFC 1123 ("Sun, 06 Nov 1994 08:49:37 GMT" or "+0000"), RFC 850 or ISO 8601 basic ("19941106T084937Z")
 * -> unix seconds; -1 when none of these */
static int64_t sigv2_date(const char *d)
{
	static const char *const fmts[] = {"%a, %d %b %Y %H:%M:%S GMT", "%a, %d %b %Y %H:%M:%S %z",
					   "%A, %d-%b-%y %H:%M:%S GMT", "%Y%m%dT%H%M%SZ"};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct tm tm = {0};
		const char *end = strptime(d, fmts[i], &tm);
		if (end && !*end)
			return (int64_t)timegm(&tm) - (int64_t)tm.tm_gmtoff;
	}
	return -1;
}

static int sigv2_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sigv2_trim(sbuf_t *b, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	sbuf_add(b, v, n);
}

void sigv2_string_to_sign(const http_req_t *r, const char *resource, const char *date, sbuf_t *b)
{
	const char *md5 = sigv2_hdr(r, "Content-MD5"), *ct = sigv2_hdr(r, "Content-Type");
	sbuf_addf(b, "%s\n%s\n%s\n%s\n", r->method_str ? r->method_str : "GET", md5 ? md5 : "", ct ? ct : "",
		  date ? date : "");
	/* x-amz-* headers: distinct lower-cased names, sorted */
	char *names[SIGV2_MAX_AMZ];
	int n = 0;
	for (int i = 0; i < r->nhdrs && n < SIGV2_MAX_AMZ; i++) {
		if (strncasecmp(r->hdrs[i].name, "x-amz-", 6))
			continue;
		char *lc = strdup(r->hdrs[i].name);
		if (!lc)
			continue;
		for (char *p = lc; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		bool dup = false;
		for (int k = 0; k < n && !dup; k++)
			dup = !strcmp(names[k], lc);
		if (dup)
			free(lc);
		else
			names[n++] = lc;
	}
	qsort(names, (size_t)n, sizeof(names[0]), sigv2_name_cmp);
	for (int k = 0; k < n; k++) {
		sbuf_adds(b, names[k]);
		sbuf_add(b, ":", 1);
		bool first = true;
		for (int i = 0; i < r->nhdrs; i++) {
			if (strcasecmp(r->hdrs[i].name, names[k]))
				continue;
			if (!first)
				sbuf_add(b, ",", 1);
			first = false;
			sigv2_trim(b, r->hdrs[i].value ? r->hdrs[i].value : "");
		}
		sbuf_add(b, "\n", 1);
		free(names[k]);
	}
	sbuf_adds(b, resource);
	/* sub-resources in name order (sigv2_subs is sorted) with their decoded values */
	bool first = true;
	for (int s = 0; sigv2_subs[s]; s++) {
		for (int i = 0; i < r->nquery; i++) {
			if (strcmp(r->query[i].name, sigv2_subs[s]))
				continue;
			sbuf_add(b, first ? "?" : "&", 1);
			first = false;
			sbuf_adds(b, r->query[i].name);
			if (r->query[i].value && *r->query[i].value) {
				sbuf_add(b, "=", 1);
				sbuf_adds(b, r->query[i].value);
			}
			break;
		}
	}
}

static void sigv2_sign(const char *secret, const char *sts, size_t len, char out[64])
{
	unsigned char mac[20];
	unsigned int mlen = sizeof(mac);
	HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)sts, len, mac, &mlen);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)mlen);
}

#define SIGV2_FAIL(c, ...)                                      \
	do {                                                    \
		*s3code = (c);                                  \
		if (err && errcap)                              \
			snprintf(err, errcap, __VA_ARGS__);     \
		goto fail;                                      \
	} while (0)

int sigv2_check(const http_req_t *r, const char *resource, int64_t now_s, sigv4_secret_fn secret_fn, void *arg,
		sigv4_auth_t *out, const char **s3code, char *err, size_t errcap)
{
	const char *dummy;
	if (!s3code)
		s3code = &dummy;
	*s3code = NULL;
	memset(out, 0, sizeof(*out));
	out->kind = SIGV4_V2;
	out->payload = SIGV4_PAYLOAD_UNSIGNED;
	char sig[64] = "", date[64] = "", date2[64] = "";
	const char *authz = sigv2_hdr(r, "Authorization");
	bool presigned = !(authz && !strncmp(authz, "AWS ", 4));
	sbuf_t sts = SBUF_INIT;
	if (presigned) {
		const char *ak = sigv2_query(r, "AWSAccessKeyId"), *s = sigv2_query(r, "Signature"),
			   *ex = sigv2_query(r, "Expires");
		char *end = NULL;
		long long exp = ex ? strtoll(ex, &end, 10) : -1;
		if (!ak || !s || !ex || !*ex || *end || strlen(ak) >= sizeof(out->access_key) || strlen(s) >= sizeof(sig))
			SIGV2_FAIL("AccessDenied", "Query-string authentication requires the Signature, Expires and "
				   "AWSAccessKeyId parameters");
		snprintf(out->access_key, sizeof(out->access_key), "%s", ak);
		snprintf(sig, sizeof(sig), "%s", s);
		if (exp < now_s)
			SIGV2_FAIL("AccessDenied", "Request has expired");
		snprintf(date, sizeof(date), "%s", ex);
	} else {
		const char *p = authz + 4, *colon = strrchr(p, ':');
		while (*p == ' ')
			p++;
		if (!colon || colon == p || (size_t)(colon - p) >= sizeof(out->access_key) || strlen(colon + 1) >= sizeof(sig))
			SIGV2_FAIL("AccessDenied", "The authorization header is malformed (AWS <key>:<signature>)");
		snprintf(out->access_key, sizeof(out->access_key), "%.*s", (int)(colon - p), p);
		snprintf(sig, sizeof(sig), "%s", colon + 1);
		const char *amz = sigv2_hdr(r, "x-amz-date"), *d = amz ? amz : sigv2_hdr(r, "Date");
		int64_t t = d ? sigv2_date(d) : -1;
		if (t < 0)
			SIGV2_FAIL("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
		if (t > now_s + SIGV2_MAX_SKEW_S || t < now_s - SIGV2_MAX_SKEW_S)
			SIGV2_FAIL("RequestTimeTooSkewed", "The difference between the request time and the current time "
				   "is too large.");
		if (!amz)
			snprintf(date, sizeof(date), "%s", d);
		else if (sigv2_hdr(r, "Date")) /* some clients (botocore) sign Date along with x-amz-date */
			snprintf(date2, sizeof(date2), "%s", sigv2_hdr(r, "Date"));
	}
	const char *secret = secret_fn(out->access_key, arg);
	if (!secret)
		SIGV2_FAIL("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
	/* what the client may have signed: the resource as addressed, or a bucket as "/bucket/" (the
	 * form S3 documents for virtual-host requests, which botocore uses for every bucket request);
	 * the date as specified, or Date next to x-amz-date */
	char want[64];
	bool bucket_only = resource[0] == '/' && resource[1] && !strchr(resource + 1, '/');
	bool ok = false;
	for (int v = 0; v < 4 && !ok; v++) {
		if ((v & 1) && !bucket_only)
			continue;
		if ((v & 2) && !date2[0])
			continue;
		sts.len = 0;
		sbuf_t res = SBUF_INIT;
		sbuf_addf(&res, "%s%s", resource, (v & 1) ? "/" : "");
		sigv2_string_to_sign(r, sbuf_str(&res), (v & 2) ? date2 : date, &sts);
		bool oom = sts.oom || res.oom;
		sbuf_fini(&res);
		if (oom)
			SIGV2_FAIL("AccessDenied", "out of memory");
		sigv2_sign(secret, sbuf_str(&sts), sts.len, want);
		ok = strlen(want) == strlen(sig) && !CRYPTO_memcmp(want, sig, strlen(sig));
	}
	if (!ok)
		SIGV2_FAIL("SignatureDoesNotMatch", "The request signature we calculated does not match the signature "
			   "you provided. Check your key and signing method.");
	sbuf_fini(&sts);
	out->verified = true;
	return 0;
fail:
	sbuf_fini(&sts);
	return AIS_EFORBIDDEN;
}
