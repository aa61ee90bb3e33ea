/* s3_policy: bucket policy validation and evaluation (see s3_policy.h). Pure functions over the
 * parsed JSON document and the request. Evaluation is three-valued for conditions: a condition
 * whose key cannot be known here (aws:SourceIp of a request a proxy forwarded) is UNKNOWN, which
 * never lets an Allow apply and always lets a Deny apply (fail closed). */
#include "s3/s3_policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

#define ARN_S3 "arn:aws:s3:::"

typedef enum { TRI_FALSE = 0, TRI_TRUE, TRI_UNKNOWN } tri_t;

/* ---- small helpers ---- */

/* a string, or an array of strings, as a list */
static size_t pol_n(const json_t *v) { return json_is_string(v) ? 1 : json_is_array(v) ? json_array_size(v) : 0; }

static const char *pol_at(const json_t *v, size_t i)
{
	return json_is_string(v) ? json_string_value(v) : json_string_value(json_array_get(v, i));
}

static bool pol_strings(const json_t *v)
{
	if (json_is_string(v))
		return true;
	if (!json_is_array(v) || !json_array_size(v))
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return false;
	return true;
}

/* glob with * and ? */
static bool pol_glob(const char *p, const char *s, bool icase)
{
	const char *star = NULL, *ss = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p && (*p == '?' || (icase ? tolower((unsigned char)*p) == tolower((unsigned char)*s) : *p == *s))) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool pol_any_glob(const json_t *list, const char *s, bool icase)
{
	for (size_t i = 0; i < pol_n(list); i++)
		if (pol_glob(pol_at(list, i), s, icase))
			return true;
	return false;
}

static void pol_fail(s3_fail_t *f, const char *fmt, const char *arg)
{
	char m[300];
	snprintf(m, sizeof(m), fmt, arg ? arg : "");
	s3_fail_set(f, 400, "MalformedPolicy", "%s", m);
}

/* "a.b.c.d/n" or an IPv6 CIDR (prefix optional) against addr; false when malformed */
static bool pol_cidr(const char *cidr, const char *addr, bool *match)
{
	char net[64];
	const char *sl = strchr(cidr, '/');
	size_t n = sl ? (size_t)(sl - cidr) : strlen(cidr);
	if (n >= sizeof(net))
		return false;
	memcpy(net, cidr, n);
	net[n] = '\0';
	unsigned char a[16], b[16];
	int fam = strchr(net, ':') ? AF_INET6 : AF_INET, bits = fam == AF_INET ? 32 : 128;
	if (inet_pton(fam, net, a) != 1)
		return false;
	int plen = bits;
	if (sl) {
		char *end = NULL;
		long v = strtol(sl + 1, &end, 10);
		if (!sl[1] || *end || v < 0 || v > bits)
			return false;
		plen = (int)v;
	}
	*match = false;
	if (!addr || inet_pton(fam, addr, b) != 1)
		return true; /* another family (or none): no match */
	for (int i = 0; i < plen; i++) {
		unsigned char m = (unsigned char)(0x80 >> (i % 8));
		if ((a[i / 8] & m) != (b[i / 8] & m))
			return true;
	}
	*match = true;
	return true;
}

/* ---- condition keys and operators ---- */

static const char *const pol_keys[] = {"aws:SourceIp", "aws:SecureTransport", "aws:UserAgent", "aws:Referer",
	"aws:userid", "aws:username", "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:x-amz-acl", "s3:authType",
	"s3:signatureversion", NULL};

static bool pol_key_ok(const char *k)
{
	for (int i = 0; pol_keys[i]; i++)
		if (!strcasecmp(k, pol_keys[i]))
			return true;
	return false;
}

typedef enum { OP_STR, OP_STR_I, OP_LIKE, OP_IP, OP_BOOL, OP_NUM } op_kind_t;

typedef struct {
	op_kind_t kind;
	bool neg;        /* the Not... form */
	int num;         /* numeric comparison: 0 =, 1 <, 2 <=, 3 >, 4 >= (neg: !=) */
	bool if_exists;
} op_t;

static bool pol_op(const char *name, op_t *op)
{
	static const struct {
		const char *name;
		op_kind_t kind;
		bool neg;
		int num;
	} ops[] = {
		{"StringEquals", OP_STR, false, 0}, {"StringNotEquals", OP_STR, true, 0},
		{"StringEqualsIgnoreCase", OP_STR_I, false, 0}, {"StringNotEqualsIgnoreCase", OP_STR_I, true, 0},
		{"StringLike", OP_LIKE, false, 0}, {"StringNotLike", OP_LIKE, true, 0},
		{"IpAddress", OP_IP, false, 0}, {"NotIpAddress", OP_IP, true, 0}, {"Bool", OP_BOOL, false, 0},
		{"NumericEquals", OP_NUM, false, 0}, {"NumericNotEquals", OP_NUM, true, 0},
		{"NumericLessThan", OP_NUM, false, 1}, {"NumericLessThanEquals", OP_NUM, false, 2},
		{"NumericGreaterThan", OP_NUM, false, 3}, {"NumericGreaterThanEquals", OP_NUM, false, 4},
	};
	char base[64];
	size_t n = strlen(name);
	op->if_exists = n > 8 && !strcmp(name + n - 8, "IfExists");
	if (op->if_exists)
		n -= 8;
	if (n >= sizeof(base))
		return false;
	memcpy(base, name, n);
	base[n] = '\0';
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(base, ops[i].name)) {
			op->kind = ops[i].kind;
			op->neg = ops[i].neg;
			op->num = ops[i].num;
			return true;
		}
	return false;
}

/* the request's value of a condition key: NULL when absent; *unknown when it exists but cannot
 * be known here */
static const char *pol_key_value(const s3_pol_ctx_t *x, const char *k, bool *unknown, char *buf, size_t cap)
{
	*unknown = false;
	const http_req_t *r = x->r;
	bool signed_req = !x->id->anon && (http_hdr_get(r, "Authorization") || http_query_get(r, "X-Amz-Signature"));
	if (!strcasecmp(k, "aws:SourceIp")) {
		*unknown = !x->source_ip;
		return x->source_ip ? x->source_ip : "";
	}
	if (!strcasecmp(k, "aws:SecureTransport"))
		return "false"; /* the node serves plain HTTP */
	if (!strcasecmp(k, "aws:UserAgent"))
		return http_hdr_get(r, "User-Agent");
	if (!strcasecmp(k, "aws:Referer"))
		return http_hdr_get(r, "Referer");
	if (!strcasecmp(k, "aws:userid") || !strcasecmp(k, "aws:username"))
		return x->id->anon ? NULL : x->id->id;
	if (!strcasecmp(k, "s3:prefix"))
		return x->prefix ? x->prefix : http_query_get(r, "prefix");
	if (!strcasecmp(k, "s3:delimiter"))
		return http_query_get(r, "delimiter");
	if (!strcasecmp(k, "s3:max-keys"))
		return http_query_get(r, "max-keys");
	if (!strcasecmp(k, "s3:x-amz-acl"))
		return http_hdr_get(r, "x-amz-acl");
	if (!strcasecmp(k, "s3:authType")) {
		if (!signed_req)
			return NULL;
		snprintf(buf, cap, "%s", http_query_get(r, "X-Amz-Signature") ? "REST-QUERY-STRING" : "REST-HEADER");
		return buf;
	}
	if (!strcasecmp(k, "s3:signatureversion"))
		return signed_req ? "AWS4-HMAC-SHA256" : NULL;
	return NULL;
}

static bool pol_num(const char *s, double *v)
{
	char *end = NULL;
	if (!s || !*s)
		return false;
	*v = strtod(s, &end);
	return end && !*end;
}

/* does `val` (present) match one policy value? */
static bool pol_match1(const op_t *op, const char *want, const char *val)
{
	double a, b;
	bool m = false;
	switch (op->kind) {
	case OP_STR: return !strcmp(want, val);
	case OP_STR_I: return !strcasecmp(want, val);
	case OP_LIKE: return pol_glob(want, val, false);
	case OP_IP: return pol_cidr(want, val, &m) && m;
	case OP_BOOL: return !strcasecmp(want, val);
	case OP_NUM:
		if (!pol_num(want, &b) || !pol_num(val, &a))
			return false;
		switch (op->num) {
		case 1: return a < b;
		case 2: return a <= b;
		case 3: return a > b;
		case 4: return a >= b;
		default: return a == b;
		}
	}
	return false;
}

/* a JSON condition value as a string (strings, booleans, numbers) */
static const char *pol_cval(const json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, cap, "%g", json_real_value(v));
		return buf;
	}
	return NULL;
}

static size_t pol_cn(const json_t *v) { return json_is_array(v) ? json_array_size(v) : 1; }
static const json_t *pol_cat(const json_t *v, size_t i) { return json_is_array(v) ? json_array_get(v, i) : v; }

static tri_t pol_cond(const json_t *cond, const s3_pol_ctx_t *x)
{
	tri_t res = TRI_TRUE;
	const char *opname, *key;
	json_t *kv, *vals;
	json_object_foreach((json_t *)cond, opname, kv) {
		op_t op;
		if (!pol_op(opname, &op))
			return TRI_FALSE; /* validated at set time; be safe */
		json_object_foreach(kv, key, vals) {
			bool unknown;
			char kb[64], vb[64];
			const char *val = pol_key_value(x, key, &unknown, kb, sizeof(kb));
			tri_t t;
			if (unknown) {
				t = TRI_UNKNOWN;
			} else if (!val) {
				t = op.if_exists || op.neg ? TRI_TRUE : TRI_FALSE;
			} else {
				bool any = false;
				for (size_t i = 0; i < pol_cn(vals) && !any; i++) {
					const char *w = pol_cval(pol_cat(vals, i), vb, sizeof(vb));
					any = w && pol_match1(&op, w, val);
				}
				t = any != op.neg ? TRI_TRUE : TRI_FALSE;
			}
			if (t == TRI_FALSE)
				return TRI_FALSE;
			if (t == TRI_UNKNOWN)
				res = TRI_UNKNOWN;
		}
	}
	return res;
}

/* ---- principals ---- */

static bool pol_principal_wild(const json_t *p)
{
	if (json_is_string(p))
		return !strcmp(json_string_value(p), "*");
	const json_t *aws = json_object_get(p, "AWS");
	for (size_t i = 0; i < pol_n(aws); i++)
		if (!strcmp(pol_at(aws, i), "*"))
			return true;
	return false;
}

/* "id", "arn:aws:iam::id:root", "arn:aws:iam::<acct>:user/id" name the user id */
static bool pol_aws_names(const char *v, const char *id)
{
	if (!strcmp(v, "*") || !strcmp(v, id))
		return true;
	if (strncmp(v, "arn:aws:iam::", 13))
		return false;
	const char *acct = v + 13, *colon = strchr(acct, ':');
	if (!colon)
		return false;
	if (!strcmp(colon + 1, "root"))
		return (size_t)(colon - acct) == strlen(id) && !strncmp(acct, id, strlen(id));
	return !strncmp(colon + 1, "user/", 5) && !strcmp(colon + 6, id);
}

static bool pol_principal_match(const json_t *p, const s3_ident_t *id)
{
	if (pol_principal_wild(p))
		return true;
	if (id->anon || !json_is_object(p))
		return false;
	const json_t *aws = json_object_get(p, "AWS"), *cu = json_object_get(p, "CanonicalUser");
	for (size_t i = 0; i < pol_n(aws); i++)
		if (pol_aws_names(pol_at(aws, i), id->id))
			return true;
	for (size_t i = 0; i < pol_n(cu); i++)
		if (!strcmp(pol_at(cu, i), id->id))
			return true;
	return false;
}

/* ---- validation ---- */

static bool pol_principal_ok(const json_t *p)
{
	if (json_is_string(p))
		return !strcmp(json_string_value(p), "*");
	if (!json_is_object(p) || !json_object_size(p))
		return false;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)p, k, v)
		if ((strcmp(k, "AWS") && strcmp(k, "CanonicalUser") && strcmp(k, "Service") && strcmp(k, "Federated")) ||
		    !pol_strings(v))
			return false;
	return true;
}

static int pol_check_stmt(const json_t *s, const char *bucket, s3_fail_t *f)
{
	static const char *const keys[] = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
					   "Resource", "NotResource", "Condition", NULL};
	const char *k;
	json_t *v;
	if (!json_is_object(s))
		return pol_fail(f, "a Statement must be an object%s", NULL), AIS_EINVAL;
	json_object_foreach((json_t *)s, k, v) {
		bool ok = false;
		for (int i = 0; keys[i] && !ok; i++)
			ok = !strcmp(k, keys[i]);
		if (!ok)
			return pol_fail(f, "unknown field %s in a Statement", k), AIS_EINVAL;
	}
	const char *eff = json_string_value(json_object_get(s, "Effect"));
	if (!eff || (strcmp(eff, "Allow") && strcmp(eff, "Deny")))
		return pol_fail(f, "Effect must be Allow or Deny%s", NULL), AIS_EINVAL;
	const json_t *p = json_object_get(s, "Principal"), *np = json_object_get(s, "NotPrincipal");
	if (!p == !np)
		return pol_fail(f, "a Statement needs Principal or NotPrincipal%s", NULL), AIS_EINVAL;
	if (np && !strcmp(eff, "Allow"))
		return pol_fail(f, "NotPrincipal may only be used with Deny%s", NULL), AIS_EINVAL;
	if (!pol_principal_ok(p ? p : np))
		return pol_fail(f, "Invalid principal in policy%s", NULL), AIS_EINVAL;
	const json_t *a = json_object_get(s, "Action"), *na = json_object_get(s, "NotAction");
	if (!a == !na || !pol_strings(a ? a : na))
		return pol_fail(f, "a Statement needs Action or NotAction%s", NULL), AIS_EINVAL;
	for (size_t i = 0; i < pol_n(a ? a : na); i++) {
		const char *act = pol_at(a ? a : na, i);
		if (strcmp(act, "*") && strncasecmp(act, "s3:", 3))
			return pol_fail(f, "Policy has invalid action: %s", act), AIS_EINVAL;
	}
	const json_t *res = json_object_get(s, "Resource"), *nr = json_object_get(s, "NotResource");
	if (!res == !nr || !pol_strings(res ? res : nr))
		return pol_fail(f, "a Statement needs Resource or NotResource%s", NULL), AIS_EINVAL;
	for (size_t i = 0; i < pol_n(res ? res : nr); i++) {
		const char *rs = pol_at(res ? res : nr, i);
		char b[128];
		if (strncmp(rs, ARN_S3, strlen(ARN_S3)))
			return pol_fail(f, "Policy has invalid resource: %s", rs), AIS_EINVAL;
		const char *bp = rs + strlen(ARN_S3), *sl = strchr(bp, '/');
		size_t bl = sl ? (size_t)(sl - bp) : strlen(bp);
		if (!bl || bl >= sizeof(b))
			return pol_fail(f, "Policy has invalid resource: %s", rs), AIS_EINVAL;
		memcpy(b, bp, bl);
		b[bl] = '\0';
		if (!pol_glob(b, bucket, false))
			return pol_fail(f, "Policy has invalid resource (not in this bucket): %s", rs), AIS_EINVAL;
	}
	const json_t *cond = json_object_get(s, "Condition");
	if (cond) {
		if (!json_is_object(cond))
			return pol_fail(f, "Condition must be an object%s", NULL), AIS_EINVAL;
		const char *opn, *key;
		json_t *kv, *vals;
		json_object_foreach((json_t *)cond, opn, kv) {
			op_t op;
			if (!pol_op(opn, &op))
				return pol_fail(f, "unsupported condition operator %s", opn), AIS_EINVAL;
			if (!json_is_object(kv) || !json_object_size(kv))
				return pol_fail(f, "condition %s must map keys to values", opn), AIS_EINVAL;
			json_object_foreach(kv, key, vals) {
				if (!pol_key_ok(key))
					return pol_fail(f, "unsupported condition key %s", key), AIS_EINVAL;
				if (json_is_array(vals) && !json_array_size(vals))
					return pol_fail(f, "condition key %s has no values", key), AIS_EINVAL;
				for (size_t i = 0; i < pol_cn(vals); i++) {
					char vb[64];
					const char *w = pol_cval(pol_cat(vals, i), vb, sizeof(vb));
					bool m;
					if (!w)
						return pol_fail(f, "invalid value for condition key %s", key), AIS_EINVAL;
					if (op.kind == OP_IP && !pol_cidr(w, NULL, &m))
						return pol_fail(f, "invalid IP address or CIDR: %s", w), AIS_EINVAL;
				}
			}
		}
	}
	return 0;
}

int s3_policy_parse(const char *text, size_t len, const char *bucket, json_t **out, s3_fail_t *f)
{
	*out = NULL;
	if (!len) {
		pol_fail(f, "the policy is empty%s", NULL);
		return AIS_EINVAL;
	}
	if (len > S3_POLICY_MAX) {
		pol_fail(f, "Policies must be no larger than 20 KB%s", NULL);
		return AIS_EINVAL;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(j)) {
		pol_fail(f, "This policy contains invalid Json: %s", j ? "not an object" : je.text);
		json_decref(j);
		return AIS_EINVAL;
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
		if (strcmp(k, "Version") && strcmp(k, "Id") && strcmp(k, "Statement")) {
			pol_fail(f, "unknown top-level field %s", k);
			goto fail;
		}
	const char *ver = json_string_value(json_object_get(j, "Version"));
	if (json_object_get(j, "Version") && (!ver || (strcmp(ver, "2012-10-17") && strcmp(ver, "2008-10-17")))) {
		pol_fail(f, "invalid Version (2012-10-17 or 2008-10-17)%s", NULL);
		goto fail;
	}
	json_t *st = json_object_get(j, "Statement");
	if (json_is_object(st)) {
		if (pol_check_stmt(st, bucket, f))
			goto fail;
	} else if (json_is_array(st) && json_array_size(st)) {
		size_t i;
		json_array_foreach(st, i, v)
			if (pol_check_stmt(v, bucket, f))
				goto fail;
	} else {
		pol_fail(f, "Missing required field Statement%s", NULL);
		goto fail;
	}
	*out = j;
	return 0;
fail:
	json_decref(j);
	return AIS_EINVAL;
}

/* ---- evaluation ---- */

static size_t pol_nstmt(const json_t *pol)
{
	const json_t *st = json_object_get(pol, "Statement");
	return json_is_array(st) ? json_array_size(st) : st ? 1 : 0;
}

static const json_t *pol_stmt(const json_t *pol, size_t i)
{
	const json_t *st = json_object_get(pol, "Statement");
	return json_is_array(st) ? json_array_get(st, i) : st;
}

/* a condition that pins who may use the statement */
static bool pol_pinning(const json_t *cond)
{
	const char *opn, *key;
	json_t *kv, *vals;
	json_object_foreach((json_t *)cond, opn, kv) {
		json_object_foreach(kv, key, vals) {
			if (!strcasecmp(key, "aws:userid") || !strcasecmp(key, "aws:username"))
				return true;
			if (strcasecmp(key, "aws:SourceIp"))
				continue;
			for (size_t i = 0; i < pol_cn(vals); i++) {
				const char *w = json_string_value(pol_cat(vals, i));
				if (!w || (strcmp(w, "0.0.0.0/0") && strcmp(w, "::/0")))
					return true;
			}
		}
	}
	return false;
}

bool s3_policy_is_public(const json_t *pol)
{
	for (size_t i = 0; i < pol_nstmt(pol); i++) {
		const json_t *s = pol_stmt(pol, i);
		const char *eff = json_string_value(json_object_get(s, "Effect"));
		const json_t *p = json_object_get(s, "Principal");
		if (eff && !strcmp(eff, "Allow") && p && pol_principal_wild(p) && !pol_pinning(json_object_get(s, "Condition")))
			return true;
	}
	return false;
}

s3_pol_res_t s3_policy_eval(const json_t *pol, const s3_pol_ctx_t *x)
{
	s3_pol_res_t res = S3POL_NONE;
	for (size_t i = 0; i < pol_nstmt(pol); i++) {
		const json_t *s = pol_stmt(pol, i);
		const char *eff = json_string_value(json_object_get(s, "Effect"));
		bool deny = eff && !strcmp(eff, "Deny");
		const json_t *p = json_object_get(s, "Principal"), *np = json_object_get(s, "NotPrincipal");
		if (p ? !pol_principal_match(p, x->id) : pol_principal_match(np, x->id))
			continue;
		const json_t *a = json_object_get(s, "Action"), *na = json_object_get(s, "NotAction");
		if (a ? !pol_any_glob(a, x->action, true) : pol_any_glob(na, x->action, true))
			continue;
		const json_t *rs = json_object_get(s, "Resource"), *nr = json_object_get(s, "NotResource");
		if (rs ? !pol_any_glob(rs, x->resource, false) : pol_any_glob(nr, x->resource, false))
			continue;
		const json_t *cond = json_object_get(s, "Condition");
		tri_t c = cond ? pol_cond(cond, x) : TRI_TRUE;
		if (deny && c != TRI_FALSE)
			return S3POL_DENY;
		if (!deny && c == TRI_TRUE && !(x->skip_public && p && pol_principal_wild(p)))
			res = S3POL_ALLOW;
	}
	return res;
}
