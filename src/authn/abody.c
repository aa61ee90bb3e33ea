/* abody: see abody.h. Must not: return a partially validated value (on error *out is NULL). */
#include "authn/abody.h"
#include "core/err.h"
#include "core/jsonx.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int ab_fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ab_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return AIS_EINVAL;
}

bool abody_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 64 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

bool abody_perm(const char *s, uint64_t *perm)
{
	uint64_t v = 0;
	if (!s || !*s || strlen(s) > 20)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*perm = v;
	return true;
}

/* parse b as a JSON object with keys canonicalized and checked against ok */
static json_t *ab_obj(const char *b, size_t n, const char *const *ok, const char *what, char *err, size_t cap)
{
	json_error_t je;
	if (!b || !n || n > ABODY_MAX) {
		ab_fail(err, cap, "%s: empty or oversized body", what);
		return NULL;
	}
	json_t *j = json_loadb(b, n, 0, &je);
	if (!json_is_object(j)) {
		ab_fail(err, cap, "%s: invalid JSON: %s", what, j ? "not an object" : je.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int ab_check(json_t *j, const char *const *ok, const char *what, char *err, size_t cap)
{
	if (!json_is_object(j))
		return ab_fail(err, cap, "%s: not a JSON object", what);
	if (jsonx_canon_keys(j, ok))
		return AIS_ENOMEM;
	const char *bad = jsonx_unknown_key(j, ok);
	return bad ? ab_fail(err, cap, "%s: unknown field \"%.64s\"", what, bad) : 0;
}

/* optional string member (absent or null → ""): 0, or AIS_EINVAL */
static int ab_str(json_t *j, const char *key, const char **out, size_t max, const char *what, char *err, size_t cap)
{
	json_t *v = json_object_get(j, key);
	*out = "";
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v))
		return ab_fail(err, cap, "%s: \"%s\" must be a string (at most %zu bytes)", what, key, max);
	*out = json_string_value(v);
	return 0;
}

static int ab_perm(json_t *e, uint64_t *perm, const char *what, char *err, size_t cap)
{
	json_t *p = json_object_get(e, "perm");
	*perm = 0;
	if (!p || json_is_null(p))
		return 0;
	if (!json_is_string(p) || !abody_perm(json_string_value(p), perm))
		return ab_fail(err, cap, "%s: \"perm\" must be a decimal string of access bits", what);
	return 0;
}

static json_t *ab_perm_str(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_string(b);
}

static int ab_clu_acl(json_t *e, json_t *out, char *err, size_t cap)
{
	static const char *const ok[] = {"id", "alias", "urls", "perm", NULL};
	const char *id, *alias;
	uint64_t perm;
	int rc;
	if ((rc = ab_check(e, ok, "cluster ACL", err, cap)) || (rc = ab_str(e, "id", &id, 128, "cluster ACL", err, cap)) ||
	    (rc = ab_str(e, "alias", &alias, 64, "cluster ACL", err, cap)) || (rc = ab_perm(e, &perm, "cluster ACL", err, cap)))
		return rc;
	json_array_append_new(out, json_pack("{s:s, s:o}", "id", *id ? id : alias, "perm", ab_perm_str(perm)));
	return 0;
}

static int ab_bck_acl(json_t *e, json_t *out, char *err, size_t cap)
{
	static const char *const ok[] = {"bck", "perm", NULL};
	static const char *const bok[] = {"name", "provider", "namespace", NULL};
	static const char *const nok[] = {"uuid", "name", NULL};
	const char *name, *prov, *uuid = "", *nsn = "";
	uint64_t perm;
	int rc;
	json_t *b = json_object_get(e, "bck"), *ns;
	if ((rc = ab_check(e, ok, "bucket ACL", err, cap)) || (rc = ab_perm(e, &perm, "bucket ACL", err, cap)))
		return rc;
	if ((rc = ab_check(b, bok, "bucket ACL \"bck\"", err, cap)) ||
	    (rc = ab_str(b, "name", &name, 255, "bucket ACL", err, cap)) ||
	    (rc = ab_str(b, "provider", &prov, 15, "bucket ACL", err, cap)))
		return rc;
	if (!*name)
		return ab_fail(err, cap, "bucket ACL: bucket name is required");
	ns = json_object_get(b, "namespace");
	if (ns && !json_is_null(ns) &&
	    ((rc = ab_check(ns, nok, "bucket ACL \"namespace\"", err, cap)) ||
	     (rc = ab_str(ns, "uuid", &uuid, 128, "bucket ACL", err, cap)) ||
	     (rc = ab_str(ns, "name", &nsn, 128, "bucket ACL", err, cap))))
		return rc;
	json_array_append_new(out, json_pack("{s:{s:s, s:s, s:{s:s, s:s}}, s:o}", "bck", "name", name, "provider",
					     *prov ? prov : "ais", "namespace", "uuid", uuid, "name", nsn, "perm",
					     ab_perm_str(perm)));
	return 0;
}

static int ab_list(json_t *j, const char *key, int (*fn)(json_t *, json_t *, char *, size_t), json_t *out, char *err,
		   size_t cap)
{
	json_t *a = json_object_get(j, key), *e;
	size_t i;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 256)
		return ab_fail(err, cap, "role: \"%s\" must be an array (at most 256)", key);
	json_array_foreach(a, i, e) {
		int rc = fn(e, out, err, cap);
		if (rc)
			return rc;
	}
	return 0;
}

int abody_role_json(json_t *j, bool need_name, json_t **out, char *err, size_t cap)
{
	static const char *const ok[] = {"name", "desc", "clusters", "buckets", "admin", NULL};
	const char *name, *desc;
	*out = NULL;
	int rc;
	if ((rc = ab_check(j, ok, "role", err, cap)) || (rc = ab_str(j, "name", &name, 64, "role", err, cap)) ||
	    (rc = ab_str(j, "desc", &desc, 1024, "role", err, cap)))
		return rc;
	if (need_name && !*name)
		return ab_fail(err, cap, "role name is undefined");
	if (*name && !abody_name_ok(name))
		return ab_fail(err, cap, "role name \"%.64s\" is invalid: may only contain letters, numbers, dashes (-), underscores (_)", name);
	json_t *adm = json_object_get(j, "admin");
	if (adm && !json_is_boolean(adm) && !json_is_null(adm))
		return ab_fail(err, cap, "role: \"admin\" must be a boolean");
	json_t *r = json_pack("{s:s, s:s, s:[], s:[], s:b}", "name", name, "desc", desc, "clusters", "buckets", "admin",
			      json_is_true(adm));
	if (!r)
		return AIS_ENOMEM;
	if ((rc = ab_list(j, "clusters", ab_clu_acl, json_object_get(r, "clusters"), err, cap)) ||
	    (rc = ab_list(j, "buckets", ab_bck_acl, json_object_get(r, "buckets"), err, cap))) {
		json_decref(r);
		return rc;
	}
	*out = r;
	return 0;
}

int abody_role(const char *b, size_t n, bool need_name, json_t **out, char *err, size_t cap)
{
	*out = NULL;
	json_t *j = ab_obj(b, n, NULL, "role", err, cap);
	if (!j)
		return AIS_EINVAL;
	int rc = abody_role_json(j, need_name, out, err, cap);
	json_decref(j);
	return rc;
}

int abody_user(const char *b, size_t n, bool need_id, json_t **out, char *err, size_t cap)
{
	static const char *const ok[] = {"id", "pass", "roles", NULL};
	const char *id, *pass;
	*out = NULL;
	json_t *j = ab_obj(b, n, ok, "user", err, cap), *roles = NULL, *e;
	if (!j)
		return AIS_EINVAL;
	int rc;
	if ((rc = ab_check(j, ok, "user", err, cap)) || (rc = ab_str(j, "id", &id, 64, "user", err, cap)) ||
	    (rc = ab_str(j, "pass", &pass, 1024, "user", err, cap)))
		goto out;
	if ((need_id || *id) && !abody_name_ok(id)) {
		rc = ab_fail(err, cap, "user ID \"%.64s\" is invalid: may only contain letters, numbers, dashes (-), underscores (_)", id);
		goto out;
	}
	json_t *a = json_object_get(j, "roles");
	roles = json_array();
	if (a && !json_is_null(a) && (!json_is_array(a) || json_array_size(a) > 256)) {
		rc = ab_fail(err, cap, "user: \"roles\" must be an array of roles");
		goto out;
	}
	size_t i;
	json_array_foreach(a, i, e) {
		json_t *r = NULL;
		if ((rc = abody_role_json(e, true, &r, err, cap)))
			goto out;
		json_array_append_new(roles, json_incref(json_object_get(r, "name")));
		json_decref(r);
	}
	*out = json_pack("{s:s, s:s, s:O}", "id", id, "pass", pass, "roles", roles);
	rc = *out ? 0 : AIS_ENOMEM;
out:
	json_decref(roles);
	json_decref(j);
	return rc;
}

int abody_cluster(const char *b, size_t n, json_t **out, char *err, size_t cap)
{
	static const char *const ok[] = {"id", "alias", "urls", "perm", NULL};
	const char *id, *alias;
	uint64_t perm;
	*out = NULL;
	json_t *j = ab_obj(b, n, ok, "cluster", err, cap), *urls = NULL, *e;
	if (!j)
		return AIS_EINVAL;
	int rc;
	if ((rc = ab_check(j, ok, "cluster", err, cap)) || (rc = ab_str(j, "id", &id, 128, "cluster", err, cap)) ||
	    (rc = ab_str(j, "alias", &alias, 64, "cluster", err, cap)) || (rc = ab_perm(j, &perm, "cluster", err, cap)))
		goto out;
	if (*id && !abody_name_ok(id)) {
		rc = ab_fail(err, cap, "cluster ID \"%.64s\" is invalid", id);
		goto out;
	}
	if (*alias && !abody_name_ok(alias)) {
		rc = ab_fail(err, cap, "cluster alias \"%.64s\" is invalid: may only contain letters, numbers, dashes (-), underscores (_)", alias);
		goto out;
	}
	json_t *a = json_object_get(j, "urls");
	urls = json_array();
	if (a && !json_is_null(a) && (!json_is_array(a) || json_array_size(a) > 64)) {
		rc = ab_fail(err, cap, "cluster: \"urls\" must be an array of URLs");
		goto out;
	}
	size_t i;
	json_array_foreach(a, i, e) {
		const char *u = json_string_value(e);
		if (!u || json_string_length(e) > 256 || strlen(u) != json_string_length(e) ||
		    (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) || strpbrk(u, " \r\n\t")) {
			rc = ab_fail(err, cap, "cluster: invalid URL in \"urls\" (expected http[s]://host:port)");
			goto out;
		}
		json_array_append(urls, e);
	}
	*out = json_pack("{s:s, s:s, s:O}", "id", id, "alias", alias, "urls", urls);
	rc = *out ? 0 : AIS_ENOMEM;
out:
	json_decref(urls);
	json_decref(j);
	return rc;
}

int abody_login(const char *b, size_t n, char *pass, size_t pcap, bool *has_exp, int64_t *exp_ns, char *err,
		size_t cap)
{
	static const char *const ok[] = {"password", "expires_in", NULL};
	const char *p;
	*has_exp = false;
	*exp_ns = 0;
	json_t *j = ab_obj(b, n, ok, "login", err, cap);
	if (!j)
		return AIS_EINVAL;
	int rc;
	if ((rc = ab_check(j, ok, "login", err, cap)) || (rc = ab_str(j, "password", &p, pcap - 1, "login", err, cap)))
		goto out;
	json_t *e = json_object_get(j, "expires_in");
	if (e && !json_is_null(e)) {
		if (!json_is_integer(e)) {
			rc = ab_fail(err, cap, "login: \"expires_in\" must be a duration in nanoseconds");
			goto out;
		}
		*has_exp = true;
		*exp_ns = json_integer_value(e);
	}
	snprintf(pass, pcap, "%s", p);
out:
	json_decref(j);
	return rc;
}

int abody_token(const char *b, size_t n, char *tok, size_t tcap, char *err, size_t cap)
{
	static const char *const ok[] = {"token", NULL};
	const char *t;
	json_t *j = ab_obj(b, n, ok, "token", err, cap);
	if (!j)
		return AIS_EINVAL;
	int rc;
	if (!(rc = ab_check(j, ok, "token", err, cap)) && !(rc = ab_str(j, "token", &t, tcap - 1, "token", err, cap))) {
		if (!*t)
			rc = ab_fail(err, cap, "empty token");
		else
			snprintf(tok, tcap, "%s", t);
	}
	json_decref(j);
	return rc;
}
