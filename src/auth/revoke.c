/* revoke: see revoke.h. Invariant: rv_n == json_object_size(rv_set) (published for the lock-free
 * emptiness check). Must not: drop a token before its expiry. */
#include "auth/revoke.h"
#include "cluster/metasync.h"
#include "core/ckey.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_rwlock_t rv_mu = PTHREAD_RWLOCK_INITIALIZER;
static json_t *rv_set;       /* token → exp (unix s, 0 unknown); created on first add */
static long long rv_version; /* bumped on every change */
static size_t rv_n;          /* atomic copy of the set's size */

bool revoke_has(const char *token)
{
	if (!__atomic_load_n(&rv_n, __ATOMIC_ACQUIRE) || !token)
		return false;
	pthread_rwlock_rdlock(&rv_mu);
	bool has = json_object_get(rv_set, token) != NULL;
	pthread_rwlock_unlock(&rv_mu);
	return has;
}

/* the token's exp claim, unverified (0 when unreadable) */
static long long rv_exp(const char *tok)
{
	const char *p = strchr(tok, '.'), *q = p ? strchr(p + 1, '.') : NULL;
	if (!q || q - p - 1 > 12000)
		return 0;
	size_t n = (size_t)(q - p - 1);
	uint8_t *buf = malloc(n + 1);
	long dl = buf ? ckey_b64url_dec(p + 1, n, buf, n + 1) : -1;
	long long exp = 0;
	if (dl > 0) {
		json_t *j = json_loadb((const char *)buf, (size_t)dl, 0, NULL), *e = json_object_get(j, "exp");
		exp = json_is_integer(e) ? (long long)json_integer_value(e) : json_is_real(e) ? (long long)json_real_value(e) : 0;
		json_decref(j);
	}
	free(buf);
	return exp;
}

int revoke_parse(const char *body, size_t len, json_t **tokens, char *err, size_t cap)
{
	static const char *const ok[] = {"tokens", "version", NULL};
	json_error_t je;
	*tokens = NULL;
	json_t *j = body && len ? json_loadb(body, len, 0, &je) : NULL, *a, *t;
	int rc = AIS_EINVAL;
	if (!json_is_object(j)) {
		snprintf(err, cap, "invalid token list: %s", j ? "not a JSON object" : body && len ? je.text : "empty body");
		goto out;
	}
	jsonx_canon_keys(j, ok);
	const char *bad = jsonx_unknown_key(j, ok);
	if (bad) {
		snprintf(err, cap, "invalid token list: unknown field \"%.64s\"", bad);
		goto out;
	}
	json_t *v = json_object_get(j, "version");
	if (v && !json_is_null(v) && !json_is_string(v) && !json_is_integer(v)) {
		snprintf(err, cap, "invalid token list: \"version\" must be a decimal string");
		goto out;
	}
	a = json_object_get(j, "tokens");
	if (!json_is_array(a) || json_array_size(a) > REVOKE_MAX) {
		snprintf(err, cap, "invalid token list: \"tokens\" must be an array of tokens");
		goto out;
	}
	size_t i;
	json_array_foreach(a, i, t) {
		if (!json_is_string(t) || !json_string_length(t) || json_string_length(t) > REVOKE_TOKEN_MAX ||
		    strlen(json_string_value(t)) != json_string_length(t)) {
			snprintf(err, cap, "invalid token list: token %zu is not a non-empty string (at most %d bytes)", i,
				 REVOKE_TOKEN_MAX);
			goto out;
		}
	}
	*tokens = json_incref(a);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/* drop expired tokens; caller holds the write lock */
static void rv_prune(long long now)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(rv_set, tmp, k, v) {
		long long e = (long long)json_integer_value(v);
		if (e > 0 && e < now)
			json_object_del(rv_set, k);
	}
}

int revoke_add(json_t *tokens, char *err, size_t cap)
{
	long long now = (long long)time(NULL);
	int rc = 0;
	pthread_rwlock_wrlock(&rv_mu);
	if (!rv_set && !(rv_set = json_object())) {
		rc = AIS_ENOMEM;
		goto out;
	}
	rv_prune(now);
	if (json_object_size(rv_set) + json_array_size(tokens) > REVOKE_MAX) {
		snprintf(err, cap, "too many revoked tokens (at most %d)", REVOKE_MAX);
		rc = AIS_ETOOBIG;
		goto out;
	}
	size_t i, added = 0;
	json_t *t;
	json_array_foreach(tokens, i, t) {
		const char *s = json_string_value(t);
		if (!s || json_object_get(rv_set, s))
			continue;
		long long e = rv_exp(s);
		if (e > 0 && e < now)
			continue; /* expired already: refused anyway */
		json_object_set_new(rv_set, s, json_integer(e));
		added++;
	}
	if (added) {
		rv_version++;
		log_info("revoked tokens: %zu added, %zu in the list (v%lld)", added, json_object_size(rv_set), rv_version);
	}
out:
	__atomic_store_n(&rv_n, rv_set ? json_object_size(rv_set) : 0, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&rv_mu);
	return rc;
}

json_t *revoke_list_json(void)
{
	pthread_rwlock_rdlock(&rv_mu);
	json_t *j = NULL, *a, *v;
	const char *k;
	if (json_object_size(rv_set)) {
		a = json_array();
		json_object_foreach(rv_set, k, v)
			json_array_append_new(a, json_string(k));
		char ver[32];
		snprintf(ver, sizeof(ver), "%lld", rv_version);
		j = json_pack("{s:o, s:s}", "tokens", a, "version", ver);
	}
	pthread_rwlock_unlock(&rv_mu);
	return j;
}

size_t revoke_count(void) { return __atomic_load_n(&rv_n, __ATOMIC_ACQUIRE); }

void revoke_clear(void)
{
	pthread_rwlock_wrlock(&rv_mu);
	json_decref(rv_set);
	rv_set = NULL;
	__atomic_store_n(&rv_n, 0, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&rv_mu);
}

/* metasync rev "tokens": receivers keep adding (AIStore: no versioning of the list's content) */
static json_t *rv_ms_get(void) { return revoke_list_json(); }

static int rv_ms_apply(json_t *j, bool force, char *err, size_t cap)
{
	(void)force;
	char *s = json_dumps(j, JSON_COMPACT);
	json_t *toks = NULL;
	int rc = s ? revoke_parse(s, strlen(s), &toks, err, cap) : AIS_ENOMEM;
	free(s);
	if (!rc)
		rc = revoke_add(toks, err, cap);
	json_decref(toks);
	return rc;
}

int revoke_init(void)
{
	static const metasync_rev_t rev = {.tag = "tokens", .get = rv_ms_get, .apply = rv_ms_apply};
	return metasync_rev_register(&rev);
}
