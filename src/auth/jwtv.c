/* jwtv: see jwtv.h. Owns the verified-token cache (sharded, bounded: a full shard is emptied).
 * Must not: accept a token whose header alg differs from the configured method; log a token. */
#include "auth/jwtv.h"
#include "core/ckey.h"
#include "core/err.h"
#include "core/util.h"

#include <jansson.h>
#include <jwt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define JV_SHARDS 16
#define JV_PER_SHARD 128 /* 2048 tokens, about 10 KiB each */
#define JV_TOKEN_MAX 16384

static int jv_fail(char *why, size_t wcap, const char *msg)
{
	snprintf(why, wcap, "%s", msg);
	return AIS_EAUTH;
}

/* the configured method as a JWT alg name */
static const char *jv_alg(const char *method)
{
	if (!strcmp(method, "HMAC"))
		return "HS256";
	if (!strcmp(method, "RSA"))
		return "RS256";
	return method;
}

/* the alg of the token's header (before anything is verified) into alg */
static int jv_header_alg(const char *token, char *alg, size_t cap)
{
	const char *dot = strchr(token, '.');
	if (!dot || dot == token || (size_t)(dot - token) > 2048)
		return AIS_EINVAL;
	uint8_t buf[1600];
	long n = ckey_b64url_dec(token, (size_t)(dot - token), buf, sizeof(buf));
	if (n <= 0)
		return AIS_EINVAL;
	json_t *h = json_loadb((const char *)buf, (size_t)n, 0, NULL);
	const char *a = json_string_value(json_object_get(h, "alg"));
	int rc = a && strlen(a) < cap ? 0 : AIS_EINVAL;
	if (!rc)
		snprintf(alg, cap, "%s", a);
	json_decref(h);
	return rc;
}

static uint64_t jv_perm(json_t *p)
{
	if (json_is_integer(p))
		return (uint64_t)json_integer_value(p);
	uint64_t v = 0;
	const char *s = json_string_value(p);
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

static void jv_cpy(char *dst, size_t cap, json_t *v)
{
	const char *s = json_string_value(v);
	snprintf(dst, cap, "%s", s ? s : "");
}

int jwtv_parse_claims(const char *js, size_t len, jwtv_claims_t *out, char *why, size_t wcap)
{
	memset(out, 0, sizeof(*out));
	json_t *j = json_loadb(js, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return jv_fail(why, wcap, "invalid token: malformed claims");
	}
	int rc = 0;
	const char *sub = json_string_value(json_object_get(j, "sub"));
	json_t *exp = json_object_get(j, "exp"), *a;
	if (!sub || !*sub || strlen(sub) >= sizeof(out->sub))
		rc = jv_fail(why, wcap, "invalid token: no subject");
	else if (!json_is_integer(exp) && !json_is_real(exp))
		rc = jv_fail(why, wcap, "invalid token: token missing expiration");
	if (rc)
		goto out;
	snprintf(out->sub, sizeof(out->sub), "%s", sub);
	out->exp = json_is_integer(exp) ? (int64_t)json_integer_value(exp) : (int64_t)json_real_value(exp);
	out->admin = json_is_true(json_object_get(j, "admin"));
	size_t i;
	json_t *e;
	a = json_object_get(j, "clusters");
	json_array_foreach(a, i, e) {
		if (out->nclu == JWTV_MAX_ACL)
			break;
		jwtv_acl_t *c = &out->clu[out->nclu++];
		jv_cpy(c->id, sizeof(c->id), json_object_get(e, "id"));
		c->perm = jv_perm(json_object_get(e, "perm"));
	}
	a = json_object_get(j, "buckets");
	json_array_foreach(a, i, e) {
		if (out->nbck == JWTV_MAX_ACL)
			break;
		json_t *b = json_object_get(e, "bck");
		jwtv_acl_t *c = &out->bck[out->nbck++];
		jv_cpy(c->name, sizeof(c->name), json_object_get(b, "name"));
		jv_cpy(c->provider, sizeof(c->provider), json_object_get(b, "provider"));
		jv_cpy(c->id, sizeof(c->id), json_object_get(json_object_get(b, "namespace"), "uuid"));
		c->perm = jv_perm(json_object_get(e, "perm"));
	}
out:
	json_decref(j);
	return rc;
}

/* does the aud claim (string or list) name aud? */
static bool jv_aud_ok(jwt_t *t, const char *aud)
{
	char *js = jwt_get_grants_json(t, "aud");
	json_t *j = js ? json_loads(js, JSON_DECODE_ANY, NULL) : NULL;
	bool ok = false;
	if (json_is_string(j)) {
		ok = !strcmp(json_string_value(j), aud);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e)
			ok |= json_is_string(e) && !strcmp(json_string_value(e), aud);
	}
	json_decref(j);
	free(js);
	return ok;
}

int jwtv_verify(const jwtv_conf_t *conf, const char *token, int64_t now, jwtv_claims_t *out, char *why, size_t wcap)
{
	char alg[16];
	if (!conf->method || !*conf->method || !conf->key || !*conf->key)
		return jv_fail(why, wcap, "invalid token: no signature key configured");
	if (strlen(token) > JV_TOKEN_MAX || jv_header_alg(token, alg, sizeof(alg)))
		return jv_fail(why, wcap, "invalid token: malformed");
	if (strcmp(alg, jv_alg(conf->method)))
		return jv_fail(why, wcap, "invalid token: signing method is not the configured one");
	jwt_t *t = NULL;
	if (jwt_decode(&t, token, (const unsigned char *)conf->key, (int)strlen(conf->key)) || !t) {
		jwt_free(t);
		return jv_fail(why, wcap, "invalid token: signature is invalid");
	}
	if (strcmp(jwt_alg_str(jwt_get_alg(t)), jv_alg(conf->method))) {
		jwt_free(t);
		return jv_fail(why, wcap, "invalid token: signing method is not the configured one");
	}
	char *js = jwt_get_grants_json(t, NULL);
	int rc = js ? jwtv_parse_claims(js, strlen(js), out, why, wcap) : jv_fail(why, wcap, "invalid token: no claims");
	free(js);
	if (!rc && conf->aud && *conf->aud && !jv_aud_ok(t, conf->aud))
		rc = jv_fail(why, wcap, "invalid token: token has invalid audience");
	jwt_free(t);
	if (!rc && out->exp <= now)
		rc = jv_fail(why, wcap, "invalid token: token is expired");
	return rc;
}

/* ---------------------------------------------------------------- cache */

typedef struct jv_ent {
	uint64_t h;
	char *token;
	int64_t version;
	jwtv_claims_t c;
} jv_ent_t;

typedef struct jv_shard {
	pthread_mutex_t mu;
	int n;
	jv_ent_t e[JV_PER_SHARD];
} jv_shard_t;

static jv_shard_t jv_cache[JV_SHARDS];
static pthread_once_t jv_once = PTHREAD_ONCE_INIT;

static void jv_init(void)
{
	for (int i = 0; i < JV_SHARDS; i++)
		pthread_mutex_init(&jv_cache[i].mu, NULL);
}

static void jv_shard_clear(jv_shard_t *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->e[i].token);
	s->n = 0;
}

void jwtv_cache_clear(void)
{
	pthread_once(&jv_once, jv_init);
	for (int i = 0; i < JV_SHARDS; i++) {
		pthread_mutex_lock(&jv_cache[i].mu);
		jv_shard_clear(&jv_cache[i]);
		pthread_mutex_unlock(&jv_cache[i].mu);
	}
}

int jwtv_verify_cached(const jwtv_conf_t *conf, const char *token, int64_t now, jwtv_claims_t *out, char *why,
		       size_t wcap)
{
	pthread_once(&jv_once, jv_init);
	size_t tl = strlen(token);
	uint64_t h = XXH64(token, tl, 0x6a77747600ULL);
	jv_shard_t *s = &jv_cache[h % JV_SHARDS];
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->n; i++) {
		jv_ent_t *e = &s->e[i];
		if (e->h != h || e->version != conf->version || strcmp(e->token, token))
			continue;
		if (e->c.exp <= now) {
			free(e->token);
			*e = s->e[--s->n];
			break;
		}
		*out = e->c;
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	pthread_mutex_unlock(&s->mu);
	int rc = jwtv_verify(conf, token, now, out, why, wcap);
	if (rc)
		return rc;
	char *dup = strdup(token);
	if (!dup)
		return 0;
	pthread_mutex_lock(&s->mu);
	if (s->n == JV_PER_SHARD)
		jv_shard_clear(s);
	s->e[s->n++] = (jv_ent_t){.h = h, .token = dup, .version = conf->version, .c = *out};
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* ---------------------------------------------------------------- permissions */

static int jv_deny(char *why, size_t wcap, const jwtv_claims_t *c, const char *what)
{
	snprintf(why, wcap, "user `%s` has insufficient permissions%s%s", c->sub, what ? ": " : "", what ? what : "");
	return AIS_EFORBIDDEN;
}

int jwtv_check(const jwtv_claims_t *c, const char *cid, const char *provider, const char *bname, uint64_t perms,
	       char *why, size_t wcap)
{
	if (c->admin)
		return 0;
	if (!perms)
		return jv_deny(why, wcap, c, "empty permissions requested");
	uint64_t clu = perms & (ACE_CLUSTER_RW | ACE_ADMIN), obj = perms & (ACE_ACCESS_RW | ACE_BUCKET_ADMIN);
	if (perms & ~(clu | obj))
		return jv_deny(why, wcap, c, "invalid permissions");
	const jwtv_acl_t *ca = NULL;
	for (int i = 0; i < c->nclu; i++) {
		if (!strcmp(c->clu[i].id, cid)) {
			ca = &c->clu[i];
			break;
		}
		if (!c->clu[i].id[0])
			ca = &c->clu[i];
	}
	if (clu && (!ca || (ca->perm & clu) != clu))
		return jv_deny(why, wcap, c, "cluster");
	if (!obj)
		return 0;
	if (!bname)
		return jv_deny(why, wcap, c, "requested bucket permissions without a bucket");
	const char *prov = provider && *provider ? provider : "ais";
	for (int i = 0; i < c->nbck; i++) {
		const jwtv_acl_t *b = &c->bck[i];
		if (strcmp(b->id, cid) || strcmp(b->name, bname) || strcmp(b->provider[0] ? b->provider : "ais", prov))
			continue;
		return (b->perm & obj) == obj ? 0 : jv_deny(why, wcap, c, "bucket");
	}
	if (!ca || (ca->perm & obj) != obj)
		return jv_deny(why, wcap, c, "bucket");
	return 0;
}
