/* sigv4: AWS Signature Version 4 for S3, verification side. Owns the canonical request, the
 * string to sign, the signing-key HMAC chain and the chunk/trailer signatures of streaming
 * uploads. Pure: no state, no logging; all inputs come from the request head.
 * Canonical request (S3 flavour): the path is not normalized and encoded once. We decode the raw
 * path and re-encode it (unreserved + '/' kept, uppercase %XX) so that clients that leave
 * characters unescaped still match; if that does not verify, the raw path as received is tried.
 * Query: every parameter decoded ('+' = space), RFC 3986 re-encoded, sorted by key then value.
 * Headers: exactly the SignedHeaders, lowercased, values trimmed with inner blanks collapsed,
 * repeated headers joined with ','. Signatures are compared in constant time. */
#include "s3/sigv4.h"

#include "core/cksum.h"
#include "core/err.h"
#include "core/sbuf.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SIGV4_ALGO "AWS4-HMAC-SHA256"
#define SIGV4_MAX_SKEW_S (15 * 60)
#define SIGV4_MAX_EXPIRES 604800
#define SIGV4_MAX_SIGNED 64

/* ---- helpers (the signing primitives are core/sigv4.h's) ---- */

static bool sigv4_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

static int sigv4_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* lenient percent-decoding: a malformed escape stays literal */
static void sigv4_decode(sbuf_t *b, const char *s, size_t n, bool plus_space)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '%' && i + 2 < n && sigv4_hexval(s[i + 1]) >= 0 && sigv4_hexval(s[i + 2]) >= 0) {
			ch = (char)(sigv4_hexval(s[i + 1]) * 16 + sigv4_hexval(s[i + 2]));
			i += 2;
		} else if (ch == '+' && plus_space) {
			ch = ' ';
		}
		sbuf_add(b, &ch, 1);
	}
}

/* "YYYYMMDDTHHMMSSZ" → unix seconds; -1 if malformed */
static int64_t sigv4_parse_date(const char *s)
{
	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return -1;
	struct tm tm = {0};
#define D2(p) ((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
	tm.tm_year = D2(0) * 100 + D2(2) - 1900;
	tm.tm_mon = D2(4) - 1;
	tm.tm_mday = D2(6);
	tm.tm_hour = D2(9);
	tm.tm_min = D2(11);
	tm.tm_sec = D2(13);
#undef D2
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return (int64_t)timegm(&tm);
}

static bool sigv4_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

/* ---- canonical request pieces ---- */

static void sigv4_canon_path(sbuf_t *b, const char *raw_path)
{
	if (!raw_path || !*raw_path) {
		sbuf_adds(b, "/");
		return;
	}
	sbuf_t dec = SBUF_INIT;
	sigv4_decode(&dec, raw_path, strlen(raw_path), false);
	sigv4_uri_encode(b, dec.p ? dec.p : "", dec.len, true);
	sbuf_fini(&dec);
}

typedef struct {
	char *kv;   /* "key=value", encoded */
	size_t klen; /* length of the encoded key */
} sigv4_qp_t;

static int sigv4_qp_cmp(const void *a, const void *b)
{
	const sigv4_qp_t *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->kv, y->kv, n);
	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return strcmp(x->kv + x->klen, y->kv + y->klen);
}

/* canonical query string of raw_query; skip_sig drops X-Amz-Signature (presigned). */
static int sigv4_canon_query(sbuf_t *out, const char *raw_query, bool skip_sig)
{
	int rc = AIS_ENOMEM, np = 0, cap = 0;
	sigv4_qp_t *ps = NULL;
	const char *p = raw_query ? raw_query : "";
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		if (seg) {
			const char *eq = memchr(p, '=', seg);
			size_t kl = eq ? (size_t)(eq - p) : seg;
			sbuf_t k = SBUF_INIT, v = SBUF_INIT, e = SBUF_INIT;
			sigv4_decode(&k, p, kl, true);
			if (eq)
				sigv4_decode(&v, eq + 1, seg - kl - 1, true);
			bool skip = skip_sig && !strcmp(sbuf_str(&k), "X-Amz-Signature");
			if (!skip) {
				sigv4_uri_encode(&e, sbuf_str(&k), k.len, false);
				size_t klen = e.len;
				sbuf_add(&e, "=", 1);
				sigv4_uri_encode(&e, sbuf_str(&v), v.len, false);
				if (np == cap) {
					int ncap = cap ? cap * 2 : 16;
					sigv4_qp_t *nps = realloc(ps, (size_t)ncap * sizeof(*ps));
					if (!nps) {
						sbuf_fini(&k), sbuf_fini(&v), sbuf_fini(&e);
						goto out;
					}
					ps = nps;
					cap = ncap;
				}
				if (e.oom || !e.p) {
					sbuf_fini(&k), sbuf_fini(&v), sbuf_fini(&e);
					goto out;
				}
				ps[np].klen = klen;
				ps[np].kv = sbuf_take(&e);
				np++;
			}
			sbuf_fini(&k);
			sbuf_fini(&v);
			sbuf_fini(&e);
		}
		p += seg;
		if (*p == '&')
			p++;
	}
	if (np)
		qsort(ps, (size_t)np, sizeof(*ps), sigv4_qp_cmp);
	for (int i = 0; i < np; i++) {
		if (i)
			sbuf_add(out, "&", 1);
		sbuf_adds(out, ps[i].kv);
	}
	rc = 0;
out:
	for (int i = 0; i < np; i++)
		free(ps[i].kv);
	free(ps);
	return rc;
}

/* value trimmed, runs of blanks collapsed to one space */
static void sigv4_trimall(sbuf_t *b, const char *v)
{
	bool pending = false, any = false;
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			pending = any;
			continue;
		}
		if (pending)
			sbuf_add(b, " ", 1);
		pending = false;
		any = true;
		sbuf_add(b, v, 1);
	}
}

/* signed: "host;x-amz-date" (as the client sent it). Appends "name:value\n" per name. */
static int sigv4_canon_headers(sbuf_t *out, sbuf_t *signed_lc, const http_req_t *r, const char *signed_hdrs)
{
	const char *p = signed_hdrs;
	int n = 0;
	while (*p) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		if (!len || len > 128 || ++n > SIGV4_MAX_SIGNED)
			return AIS_EINVAL;
		char name[129];
		for (size_t i = 0; i < len; i++)
			name[i] = (char)tolower((unsigned char)p[i]);
		name[len] = '\0';
		if (signed_lc->len)
			sbuf_add(signed_lc, ";", 1);
		sbuf_adds(signed_lc, name);
		sbuf_adds(out, name);
		sbuf_add(out, ":", 1);
		bool first = true;
		for (int i = 0; i < r->nhdrs; i++) {
			if (strcasecmp(r->hdrs[i].name, name))
				continue;
			if (!first)
				sbuf_add(out, ",", 1);
			first = false;
			sigv4_trimall(out, r->hdrs[i].value ? r->hdrs[i].value : "");
		}
		sbuf_add(out, "\n", 1);
		p += len;
		if (*p == ';')
			p++;
	}
	return n ? 0 : AIS_EINVAL;
}

/* the request signature (hex) for the given canonical path */
static int sigv4_compute(const http_req_t *r, const char *canon_path_override, bool presigned,
			 const char *signed_hdrs, const char *hashed_payload, const sigv4_auth_t *a, char out[65])
{
	sbuf_t cr = SBUF_INIT, sl = SBUF_INIT;
	int rc;
	sbuf_adds(&cr, r->method_str ? r->method_str : "GET");
	sbuf_add(&cr, "\n", 1);
	if (canon_path_override)
		sbuf_adds(&cr, canon_path_override);
	else
		sigv4_canon_path(&cr, r->raw_path);
	sbuf_add(&cr, "\n", 1);
	if ((rc = sigv4_canon_query(&cr, r->raw_query, presigned)))
		goto out;
	sbuf_add(&cr, "\n", 1);
	if ((rc = sigv4_canon_headers(&cr, &sl, r, signed_hdrs)))
		goto out;
	sbuf_add(&cr, "\n", 1);
	sbuf_adds(&cr, sbuf_str(&sl));
	sbuf_add(&cr, "\n", 1);
	sbuf_adds(&cr, hashed_payload);
	if (cr.oom || sl.oom) {
		rc = AIS_ENOMEM;
		goto out;
	}
	rc = sigv4_sign(a->signing_key, a->date, a->scope, cr.p, cr.len, out);
out:
	sbuf_fini(&cr);
	sbuf_fini(&sl);
	return rc;
}

/* ---- parsing ---- */

static const char *sigv4_hdr(const http_req_t *r, const char *name)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strcasecmp(r->hdrs[i].name, name))
			return r->hdrs[i].value;
	return NULL;
}

static const char *sigv4_query(const http_req_t *r, const char *key)
{
	for (int i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, key))
			return r->query[i].value;
	return NULL;
}

/* x-amz-content-sha256 → payload mode; false if the value is not a known form */
static bool sigv4_parse_payload(const char *v, sigv4_auth_t *out)
{
	out->payload = SIGV4_PAYLOAD_UNSIGNED;
	if (!v || !strcmp(v, "UNSIGNED-PAYLOAD"))
		return true;
	if (!strcmp(v, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") || !strcmp(v, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")) {
		out->payload = SIGV4_PAYLOAD_STREAMING;
		return true;
	}
	if (!strcmp(v, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") ||
	    !strcmp(v, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")) {
		out->payload = SIGV4_PAYLOAD_STREAMING_TRAILER;
		return true;
	}
	if (!strcmp(v, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")) {
		out->payload = SIGV4_PAYLOAD_UNSIGNED_TRAILER;
		return true;
	}
	if (strlen(v) == 64 && sigv4_is_hex(v, 64)) {
		out->payload = SIGV4_PAYLOAD_SHA256;
		for (int i = 0; i < 64; i++)
			out->payload_sha256[i] = (char)tolower((unsigned char)v[i]);
		out->payload_sha256[64] = '\0';
		return true;
	}
	return false;
}

/* "AK/20130524/us-east-1/s3/aws4_request" → access key, scope, region, service */
static bool sigv4_parse_cred(const char *cred, sigv4_auth_t *out, char *service, size_t scap)
{
	size_t n = strlen(cred);
	const char *slash[4];
	int k = 0;
	for (size_t i = n; i-- > 0 && k < 4;)
		if (cred[i] == '/')
			slash[k++] = cred + i;
	if (k < 4)
		return false;
	/* slash[3] ends the access key; the scope follows it */
	const char *scope = slash[3] + 1, *date = scope, *region = slash[2] + 1, *svc = slash[1] + 1,
		   *term = slash[0] + 1;
	if (slash[3] == cred || slash[2] - date != 8 || strcmp(term, "aws4_request") || slash[0] == svc)
		return false;
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)date[i]))
			return false;
	return sigv4_copy(out->access_key, sizeof(out->access_key), cred, (size_t)(slash[3] - cred)) &&
	       sigv4_copy(out->scope, sizeof(out->scope), scope, strlen(scope)) &&
	       sigv4_copy(out->region, sizeof(out->region), region, (size_t)(slash[1] - region)) &&
	       sigv4_copy(service, scap, svc, (size_t)(slash[0] - svc));
}

#define SIGV4_FAIL(c, r, ...)                                    \
	do {                                                     \
		*s3code = (c);                                   \
		if (err && errcap)                               \
			snprintf(err, errcap, __VA_ARGS__);      \
		rc = (r);                                        \
		goto out;                                        \
	} while (0)

/* header form: fills credential, signed headers and signature; false when malformed */
static bool sigv4_parse_authz(const char *h, char *cred, size_t ccap, char *signed_hdrs, size_t shcap, char *sig,
			      size_t sigcap)
{
	const char *p = h + strlen(SIGV4_ALGO);
	if (*p != ' ' && *p != '\t')
		return false;
	bool have_c = false, have_h = false, have_s = false;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *eq = strchr(p, '=');
		if (!eq)
			return false;
		size_t nl = (size_t)(eq - p);
		const char *v = eq + 1;
		const char *end = v;
		while (*end && *end != ',')
			end++;
		const char *vend = end;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		size_t vl = (size_t)(vend - v);
		if (nl == 10 && !strncmp(p, "Credential", 10)) {
			if (have_c || !sigv4_copy(cred, ccap, v, vl))
				return false;
			have_c = true;
		} else if (nl == 13 && !strncmp(p, "SignedHeaders", 13)) {
			if (have_h || !sigv4_copy(signed_hdrs, shcap, v, vl))
				return false;
			have_h = true;
		} else if (nl == 9 && !strncmp(p, "Signature", 9)) {
			if (have_s || !sigv4_copy(sig, sigcap, v, vl))
				return false;
			have_s = true;
		} else {
			return false;
		}
		p = end;
	}
	return have_c && have_h && have_s;
}

int sigv4_check(const http_req_t *r, const char *region, int64_t now_s, sigv4_secret_fn secret_fn, void *arg,
		sigv4_auth_t *out, const char **s3code, char *err, size_t errcap)
{
	const char *dummy_code = NULL;
	int rc = 0;
	bool verify = secret_fn != NULL;
	char cred[512], signed_hdrs[2048], sig[80], service[32];
	const char *cs = sigv4_hdr(r, "x-amz-content-sha256");
	const char *authz = sigv4_hdr(r, "authorization");
	bool presigned = sigv4_query(r, "X-Amz-Algorithm") || sigv4_query(r, "X-Amz-Credential") ||
			 sigv4_query(r, "X-Amz-Signature");
	if (!s3code)
		s3code = &dummy_code;
	*s3code = NULL;
	memset(out, 0, sizeof(*out));
	if (err && errcap)
		err[0] = '\0';
	bool payload_ok = sigv4_parse_payload(cs, out);

	bool is_v4 = authz && !strncmp(authz, SIGV4_ALGO, strlen(SIGV4_ALGO));
	if (authz && !is_v4) {
		if (!verify)
			return 0; /* not ours to judge (auth disabled) */
		SIGV4_FAIL("AccessDenied", AIS_EFORBIDDEN, "unsupported authorization type (only %s)", SIGV4_ALGO);
	}
	if (!authz && !presigned)
		return 0; /* anonymous */
	if (authz && presigned)
		SIGV4_FAIL("InvalidArgument", AIS_EINVAL, "Only one auth mechanism allowed; only the X-Amz-Algorithm "
							 "query parameter or the Authorization header should be specified");

	const char *malformed = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
	if (presigned) {
		out->kind = SIGV4_PRESIGNED;
		const char *algo = sigv4_query(r, "X-Amz-Algorithm"), *c = sigv4_query(r, "X-Amz-Credential"),
			   *d = sigv4_query(r, "X-Amz-Date"), *sh = sigv4_query(r, "X-Amz-SignedHeaders"),
			   *s = sigv4_query(r, "X-Amz-Signature"), *ex = sigv4_query(r, "X-Amz-Expires");
		if (!algo || !c || !d || !sh || !s || !ex)
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN,
				   "Query-string authentication version 4 requires the X-Amz-Algorithm, "
				   "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
				   "X-Amz-Expires parameters.");
		if (strcmp(algo, SIGV4_ALGO))
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "X-Amz-Algorithm only supports \"%s\"", SIGV4_ALGO);
		if (!sigv4_copy(cred, sizeof(cred), c, strlen(c)) ||
		    !sigv4_copy(signed_hdrs, sizeof(signed_hdrs), sh, strlen(sh)) || !sigv4_copy(sig, sizeof(sig), s, strlen(s)))
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "malformed query-string authentication parameters");
		if (!sigv4_copy(out->date, sizeof(out->date), d, strlen(d)) || sigv4_parse_date(d) < 0)
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "X-Amz-Date must be in the ISO8601 Long Format "
							      "\"yyyyMMdd'T'HHmmss'Z'\"");
		int64_t exp = -1;
		if (*ex && strlen(ex) <= 10 && strspn(ex, "0123456789") == strlen(ex))
			exp = strtoll(ex, NULL, 10);
		if (exp < 0)
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, ex[0] == '-' ? "X-Amz-Expires must be non-negative"
									 : "X-Amz-Expires should be a number");
		if (exp > SIGV4_MAX_EXPIRES)
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "X-Amz-Expires must be less than a week (in seconds) that "
							      "is, the given X-Amz-Expires must be less than 604800 seconds");
		/* presigned URLs sign no payload unless the URL pins one */
		const char *qcs = sigv4_query(r, "X-Amz-Content-Sha256");
		if (qcs) {
			payload_ok = sigv4_parse_payload(qcs, out);
			cs = qcs;
		} else {
			cs = "UNSIGNED-PAYLOAD";
			out->payload = SIGV4_PAYLOAD_UNSIGNED;
			payload_ok = true;
		}
		if (verify) {
			int64_t t = sigv4_parse_date(d);
			if (t > now_s + SIGV4_MAX_SKEW_S)
				SIGV4_FAIL("AccessDenied", AIS_EFORBIDDEN, "Request is not valid yet");
			if (exp == 0 ? t <= now_s : t + exp < now_s) /* valid for 0 s: expired at once */
				SIGV4_FAIL("AccessDenied", AIS_EFORBIDDEN, "Request has expired");
		}
	} else {
		out->kind = SIGV4_HEADER;
		if (!sigv4_parse_authz(authz, cred, sizeof(cred), signed_hdrs, sizeof(signed_hdrs), sig, sizeof(sig)))
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "The authorization header is malformed");
		const char *d = sigv4_hdr(r, "x-amz-date");
		if (!d) {
			const char *hd = sigv4_hdr(r, "date");
			if (hd && sigv4_parse_date(hd) >= 0)
				d = hd;
		}
		if (!d || !sigv4_copy(out->date, sizeof(out->date), d, strlen(d)) || sigv4_parse_date(d) < 0)
			SIGV4_FAIL("AccessDenied", AIS_EFORBIDDEN,
				   "AWS authentication requires a valid Date or x-amz-date header");
		if (verify && !cs)
			SIGV4_FAIL("InvalidRequest", AIS_EINVAL, "Missing required header for this request: "
								"x-amz-content-sha256");
		if (verify) {
			int64_t t = sigv4_parse_date(d), skew = t - now_s;
			if (skew > SIGV4_MAX_SKEW_S || skew < -SIGV4_MAX_SKEW_S)
				SIGV4_FAIL("RequestTimeTooSkewed", AIS_EFORBIDDEN,
					   "The difference between the request time and the server's time is too large.");
		}
	}
	if (!payload_ok)
		SIGV4_FAIL("InvalidArgument", AIS_EINVAL, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
							  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.");
	if (!sigv4_parse_cred(cred, out, service, sizeof(service)))
		SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "%s: invalid credential \"%s\"",
			   presigned ? "Error parsing the X-Amz-Credential parameter" : "The authorization header is malformed",
			   cred);
	if (strncmp(out->scope, out->date, 8))
		SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "Invalid credential date. Date is not the same as X-Amz-Date.");
	if (strlen(sig) != 64 || !sigv4_is_hex(sig, 64))
		SIGV4_FAIL(verify ? "SignatureDoesNotMatch" : malformed, AIS_EFORBIDDEN,
			   "The request signature we calculated does not match the signature you provided.");
	for (int i = 0; i < 64; i++)
		out->signature[i] = (char)tolower((unsigned char)sig[i]);
	out->signature[64] = '\0';
	if (!verify)
		return 0;

	if (region && *region && strcmp(region, out->region))
		SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "%s; the region '%s' is wrong; expecting '%s'",
			   presigned ? "Error parsing the X-Amz-Credential parameter" : "The authorization header is malformed",
			   out->region, region);
	const char *secret = secret_fn(out->access_key, arg);
	if (!secret)
		SIGV4_FAIL("InvalidAccessKeyId", AIS_EFORBIDDEN,
			   "The AWS Access Key Id you provided does not exist in our records.");
	char date8[9];
	memcpy(date8, out->date, 8);
	date8[8] = '\0';
	sigv4_signing_key(secret, date8, out->region, service, out->signing_key);

	char expect[65];
	if ((rc = sigv4_compute(r, NULL, presigned, signed_hdrs, cs, out, expect))) {
		if (rc == AIS_EINVAL)
			SIGV4_FAIL(malformed, AIS_EFORBIDDEN, "invalid SignedHeaders \"%s\"", signed_hdrs);
		SIGV4_FAIL("InternalError", rc, "out of memory");
	}
	bool ok = !CRYPTO_memcmp(expect, out->signature, 64);
	if (!ok && r->raw_path && *r->raw_path) {
		/* a client that signed the path exactly as it sent it (non-canonical escaping) */
		sbuf_t canon = SBUF_INIT;
		sigv4_canon_path(&canon, r->raw_path);
		if (strcmp(sbuf_str(&canon), r->raw_path) && !sigv4_compute(r, r->raw_path, presigned, signed_hdrs, cs, out, expect))
			ok = !CRYPTO_memcmp(expect, out->signature, 64);
		sbuf_fini(&canon);
	}
	if (!ok)
		SIGV4_FAIL("SignatureDoesNotMatch", AIS_EFORBIDDEN,
			   "The request signature we calculated does not match the signature you provided. "
			   "Check your key and signing method.");
	out->verified = true;
	return 0;
out:
	if (rc && !verify) {
		/* auth disabled: a malformed signature is ignored like any other; keep the payload mode */
		sigv4_payload_t payload = out->payload;
		char sha[65];
		memcpy(sha, out->payload_sha256, sizeof(sha));
		memset(out, 0, sizeof(*out));
		out->payload = payload;
		memcpy(out->payload_sha256, sha, sizeof(sha));
		*s3code = NULL;
		return 0;
	}
	if (rc)
		OPENSSL_cleanse(out->signing_key, sizeof(out->signing_key));
	return rc;
}

void sigv4_chunk_signature(const sigv4_auth_t *a, const char *prev_sig, const unsigned char *chunk_sha256,
			   char out[65])
{
	char hx[65], sts[512];
	cksum_hex(chunk_sha256, 32, hx);
	int n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n%s\n%s", a->date, a->scope, prev_sig,
			 SIGV4_EMPTY_SHA256, hx);
	size_t len = n < 0 ? 0 : ((size_t)n >= sizeof(sts) ? sizeof(sts) - 1 : (size_t)n);
	unsigned char sig[32];
	sigv4_hmac(a->signing_key, 32, sts, len, sig);
	cksum_hex(sig, 32, out);
}

void sigv4_trailer_signature(const sigv4_auth_t *a, const char *prev_sig, const char *trailer, size_t len,
			     char out[65])
{
	char hx[65], sts[512];
	sigv4_sha256_hex(trailer, len, hx);
	int n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%s\n%s", a->date, a->scope, prev_sig, hx);
	size_t slen = n < 0 ? 0 : ((size_t)n >= sizeof(sts) ? sizeof(sts) - 1 : (size_t)n);
	unsigned char sig[32];
	sigv4_hmac(a->signing_key, 32, sts, slen, sig);
	cksum_hex(sig, 32, out);
}
