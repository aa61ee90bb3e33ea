/* s3_postpol: POST object form signature and policy document (see s3_postpol.h). Pure. */
#include "s3/s3_postpol.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/s3ck.h"
#include "core/sbuf.h"
#include "s3/s3_olock.h"
#include "s3/sigv4.h"

#define S3PP_MAX_POLICY (64u << 10)

int s3_pform_add(s3_pform_t *pf, const char *name, const char *value)
{
	if (pf->n == pf->cap) {
		int nc = pf->cap ? pf->cap * 2 : 16;
		s3_pfield_t *nv = realloc(pf->v, (size_t)nc * sizeof(*nv));
		if (!nv)
			return AIS_ENOMEM;
		pf->v = nv;
		pf->cap = nc;
	}
	s3_pfield_t *e = &pf->v[pf->n];
	e->name = strdup(name);
	e->value = strdup(value);
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return AIS_ENOMEM;
	}
	pf->n++;
	return 0;
}

void s3_pform_fini(s3_pform_t *pf)
{
	for (int i = 0; i < pf->n; i++) {
		free(pf->v[i].name);
		free(pf->v[i].value);
	}
	free(pf->v);
	memset(pf, 0, sizeof(*pf));
}

const char *s3_pform_get(const s3_pform_t *pf, const char *name)
{
	for (int i = 0; i < pf->n; i++)
		if (!strcasecmp(pf->v[i].name, name))
			return pf->v[i].value;
	return NULL;
}

static bool s3pp_eq(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && !CRYPTO_memcmp(a, b, n);
}

/* ---- signature ---- */

static int s3pp_auth_v4(const s3_pform_t *pf, const s3_conf_t *c, const char *policy, char *ak, size_t akcap,
			s3_fail_t *f)
{
	const char *alg = s3_pform_get(pf, "x-amz-algorithm"), *cred = s3_pform_get(pf, "x-amz-credential"),
		   *date = s3_pform_get(pf, "x-amz-date"), *sig = s3_pform_get(pf, "x-amz-signature");
	const char *miss = !alg ? "x-amz-algorithm" : !cred ? "x-amz-credential" : !date ? "x-amz-date" : !sig ? "x-amz-signature" : NULL;
	if (miss) {
		s3_fail_set(f, 400, "InvalidArgument", "Bucket POST must contain a field named '%s'.  If it is specified, "
			    "please check the order of the fields.", miss);
		return AIS_EINVAL;
	}
	if (strcmp(alg, "AWS4-HMAC-SHA256")) {
		s3_fail_set(f, 400, "InvalidArgument", "the x-amz-algorithm must be AWS4-HMAC-SHA256");
		return AIS_EINVAL;
	}
	/* <access key>/<yyyymmdd>/<region>/<service>/aws4_request */
	char parts[5][128];
	int np = 0;
	for (const char *p = cred; np < 5;) {
		size_t n = strcspn(p, "/");
		if (n >= sizeof(parts[0]))
			break;
		memcpy(parts[np], p, n);
		parts[np++][n] = '\0';
		if (!p[n])
			break;
		p += n + 1;
	}
	if (np != 5 || strcmp(parts[4], "aws4_request") || strlen(parts[1]) != 8 || !parts[0][0]) {
		s3_fail_set(f, 400, "InvalidArgument", "malformed x-amz-credential");
		return AIS_EINVAL;
	}
	snprintf(ak, akcap, "%s", parts[0]);
	if (!c->auth)
		return 0;
	if (c->region[0] && strcmp(parts[2], c->region)) {
		s3_fail_set(f, 400, "AuthorizationHeaderMalformed", "the region '%.64s' is wrong; expecting '%s'", parts[2],
			    c->region);
		return AIS_EINVAL;
	}
	const char *secret = s3_auth_secret(parts[0], (void *)c);
	if (!secret) {
		s3_fail_set(f, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
		return AIS_EFORBIDDEN;
	}
	unsigned char key[32], mac[32];
	sigv4_signing_key(secret, parts[1], parts[2], parts[3], key);
	sigv4_hmac(key, 32, policy, strlen(policy), mac);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	if (!s3pp_eq(hex, sig)) {
		s3_fail_set(f, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
			    "signature you provided. Check your key and signing method.");
		return AIS_EFORBIDDEN;
	}
	return 0;
}

static int s3pp_auth_v2(const s3_pform_t *pf, const s3_conf_t *c, const char *policy, char *ak, size_t akcap,
			s3_fail_t *f)
{
	const char *key = s3_pform_get(pf, "AWSAccessKeyId"), *sig = s3_pform_get(pf, "signature");
	if (!key || !sig) {
		s3_fail_set(f, 400, "InvalidArgument", "Bucket POST must contain a field named '%s'.  If it is specified, "
			    "please check the order of the fields.", !key ? "AWSAccessKeyId" : "signature");
		return AIS_EINVAL;
	}
	snprintf(ak, akcap, "%s", key);
	if (!c->auth)
		return 0;
	const char *secret = s3_auth_secret(key, (void *)c);
	if (!secret) {
		s3_fail_set(f, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
		return AIS_EFORBIDDEN;
	}
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0;
	HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)policy, strlen(policy), mac, &mlen);
	char b64[64];
	s3_b64_encode(mac, mlen, b64);
	if (!s3pp_eq(b64, sig)) {
		s3_fail_set(f, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
			    "signature you provided. Check your key and signing method.");
		return AIS_EFORBIDDEN;
	}
	return 0;
}

int s3_postpol_auth(const s3_pform_t *pf, const s3_conf_t *c, int64_t now_s, s3_ident_t *id, s3_fail_t *f)
{
	(void)now_s;
	const char *policy = s3_pform_get(pf, "policy");
	bool v4 = s3_pform_get(pf, "x-amz-algorithm") || s3_pform_get(pf, "x-amz-credential") ||
		  s3_pform_get(pf, "x-amz-signature");
	bool v2 = s3_pform_get(pf, "AWSAccessKeyId") || s3_pform_get(pf, "signature");
	sigv4_auth_t a;
	memset(&a, 0, sizeof(a));
	if (!policy && !v2 && !v4) {
		s3_auth_ident(c, &a, id); /* anonymous */
		return 0;
	}
	if (!policy) {
		s3_fail_set(f, 400, "InvalidArgument", "Bucket POST must contain a field named 'policy'.  If it is "
			    "specified, please check the order of the fields.");
		return AIS_EINVAL;
	}
	if (!v2 && !v4) {
		s3_fail_set(f, 400, "InvalidArgument", "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it "
			    "is specified, please check the order of the fields.");
		return AIS_EINVAL;
	}
	int rc = v4 ? s3pp_auth_v4(pf, c, policy, a.access_key, sizeof(a.access_key), f)
		    : s3pp_auth_v2(pf, c, policy, a.access_key, sizeof(a.access_key), f);
	if (rc)
		return rc;
	a.kind = v4 ? SIGV4_HEADER : SIGV4_V2;
	a.verified = c->auth;
	s3_auth_ident(c, &a, id);
	return 0;
}

/* ---- policy ---- */

static void s3pp_bad(s3_fail_t *f, const char *why)
{
	s3_fail_set(f, 400, "InvalidPolicyDocument", "Invalid Policy: %s", why);
}

static bool s3pp_exempt(const char *name)
{
	static const char *const ex[] = {"awsaccesskeyid", "signature", "x-amz-signature", "policy", "file", NULL};
	for (int i = 0; ex[i]; i++)
		if (!strcasecmp(name, ex[i]))
			return true;
	return !strncasecmp(name, "x-ignore-", 9) || !strncasecmp(name, "x-amz-checksum-", 15);
}

/* the value a condition on field names: the URL's bucket, the substituted key, else the form's */
static const char *s3pp_value(const s3_pform_t *pf, const char *field, const char *bucket, const char *key)
{
	if (!strcasecmp(field, "bucket"))
		return bucket;
	if (!strcasecmp(field, "key"))
		return key;
	return s3_pform_get(pf, field);
}

static void s3pp_cover(const s3_pform_t *pf, bool *covered, const char *field)
{
	for (int i = 0; i < pf->n; i++)
		if (!strcasecmp(pf->v[i].name, field))
			covered[i] = true;
}

/* one condition: 0, or < 0 with f set */
static int s3pp_cond(const json_t *cond, const s3_pform_t *pf, const char *bucket, const char *key, bool *covered,
		     int64_t *min, int64_t *max, s3_fail_t *f)
{
	const char *op, *field, *want;
	if (json_is_object(cond)) {
		if (json_object_size(cond) != 1) {
			s3pp_bad(f, "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
			return AIS_EINVAL;
		}
		void *it = json_object_iter((json_t *)cond);
		op = "eq";
		field = json_object_iter_key(it);
		want = json_string_value(json_object_iter_value(it));
		if (!want) {
			s3pp_bad(f, "Invalid Simple-Condition: the value must be a string.");
			return AIS_EINVAL;
		}
	} else if (json_is_array(cond) && json_array_size(cond) >= 1 && json_is_string(json_array_get(cond, 0))) {
		op = json_string_value(json_array_get(cond, 0));
		if (!strcasecmp(op, "content-length-range")) {
			const json_t *a = json_array_get(cond, 1), *b = json_array_get(cond, 2);
			if (json_array_size(cond) != 3 || !json_is_integer(a) || !json_is_integer(b) ||
			    json_integer_value(a) < 0 || json_integer_value(b) < json_integer_value(a)) {
				s3pp_bad(f, "Invalid content-length-range: expecting two non-negative integers, min <= max.");
				return AIS_EINVAL;
			}
			*min = json_integer_value(a);
			*max = json_integer_value(b);
			return 0;
		}
		const char *fv = json_string_value(json_array_get(cond, 1));
		want = json_string_value(json_array_get(cond, 2));
		if (json_array_size(cond) != 3 || !fv || fv[0] != '$' || !want ||
		    (strcasecmp(op, "eq") && strcasecmp(op, "starts-with"))) {
			s3pp_bad(f, "Invalid condition: expecting [\"eq\" | \"starts-with\", \"$field\", \"value\"].");
			return AIS_EINVAL;
		}
		field = fv + 1;
	} else {
		s3pp_bad(f, "Invalid condition: expecting an object or an array.");
		return AIS_EINVAL;
	}
	const char *got = s3pp_value(pf, field, bucket, key);
	bool ok = got && (!strcasecmp(op, "eq") ? !strcmp(got, want) : !strncmp(got, want, strlen(want)));
	if (!ok) {
		s3_fail_set(f, 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"%s\", "
			    "\"$%.64s\", \"%.128s\"]", op, field, want);
		return AIS_EFORBIDDEN;
	}
	s3pp_cover(pf, covered, field);
	return 0;
}

int s3_postpol_check(const s3_pform_t *pf, const char *bucket, const char *key, int64_t now, int64_t *min,
		     int64_t *max, s3_fail_t *f)
{
	*min = *max = -1;
	const char *pol = s3_pform_get(pf, "policy");
	if (!pol)
		return 0;
	size_t pl = strlen(pol);
	unsigned char *raw = pl <= S3PP_MAX_POLICY ? malloc(pl + 4) : NULL;
	bool *covered = calloc((size_t)pf->n + 1, sizeof(*covered));
	json_t *doc = NULL;
	int rc = AIS_EINVAL;
	long n = raw ? s3_b64_decode(pol, raw, pl + 4) : -1;
	if (!covered) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		rc = AIS_ENOMEM;
		goto out;
	}
	if (n <= 0 || !(doc = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL)) ||
	    !json_is_object(doc)) {
		s3pp_bad(f, "Invalid JSON.");
		goto out;
	}
	const char *exp = json_string_value(json_object_get(doc, "expiration"));
	int64_t exp_ns;
	if (!exp) {
		s3pp_bad(f, "Policy missing expiration.");
		goto out;
	}
	if (s3_iso_parse(exp, &exp_ns)) {
		s3pp_bad(f, "Invalid 'expiration' value.");
		goto out;
	}
	const json_t *conds = json_object_get(doc, "conditions");
	if (!json_is_array(conds)) {
		s3pp_bad(f, "Policy missing conditions.");
		goto out;
	}
	if (exp_ns <= now) {
		s3_fail_set(f, 403, "AccessDenied", "Invalid according to Policy: Policy expired.");
		rc = AIS_EFORBIDDEN;
		goto out;
	}
	size_t i;
	const json_t *c;
	rc = 0;
	json_array_foreach(conds, i, c) {
		if ((rc = s3pp_cond(c, pf, bucket, key, covered, min, max, f)))
			goto out;
	}
	for (int k = 0; k < pf->n; k++)
		if (!covered[k] && !s3pp_exempt(pf->v[k].name)) {
			s3_fail_set(f, 403, "AccessDenied", "Invalid according to Policy: Extra input fields: %.128s",
				    pf->v[k].name);
			rc = AIS_EFORBIDDEN;
			goto out;
		}
out:
	json_decref(doc);
	free(raw);
	free(covered);
	return rc;
}
