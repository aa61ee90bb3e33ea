/* jwtv: see jwtv.h. Owns the verified-token cache (sharded, bounded: a full shard is emptied).
 * Must not: accept a token whose header alg differs from the configured method; log a token. */
#include "auth/jwtv.h"
#include "auth/oidc.h"
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
#define JV_KID_MAX 128
#define JV_PEM_MAX 4096

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

/* one base64url JSON segment of a token (before anything is verified): the object or NULL */
static json_t *jv_segment(const char *seg, size_t n)
{
	if (!n || n > JV_TOKEN_MAX)
		return NULL;
	uint8_t *buf = malloc(n);
	long m = buf ? ckey_b64url_dec(seg, n, buf, n) : -1;
	json_t *j = m > 0 ? json_loadb((const char *)buf, (size_t)m, 0, NULL) : NULL;
	free(buf);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* the header's alg and kid ("" none) and the payload's iss ("" none), unverified */
static int jv_header(const char *token, char *alg, size_t cap, char *kid, size_t kcap, char *iss, size_t icap)
{
	const char *dot = strchr(token, '.'), *dot2 = dot ? strchr(dot + 1, '.') : NULL;
	if (!dot || dot == token || (size_t)(dot - token) > 2048 || !dot2)
		return AIS_EINVAL;
	json_t *h = jv_segment(token, (size_t)(dot - token));
	const char *a = json_string_value(json_object_get(h, "alg"));
	const char *k = json_string_value(json_object_get(h, "kid"));
	int rc = a && strlen(a) < cap && (!k || strlen(k) < kcap) ? 0 : AIS_EINVAL;
	if (!rc) {
		snprintf(alg, cap, "%s", a);
		snprintf(kid, kcap, "%s", k ? k : "");
	}
	json_decref(h);
	json_t *p = rc ? NULL : jv_segment(dot + 1, (size_t)(dot2 - dot - 1));
	const char *i = json_string_value(json_object_get(p, "iss"));
	snprintf(iss, icap, "%s", i && strlen(i) < icap ? i : "");
	json_decref(p);
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
	if (json_is_integer(exp)) {
		out->exp = (int64_t)json_integer_value(exp);
	} else { /* a real outside int64 (1e300) must not be cast: clamp */
		double d = json_real_value(exp);
		out->exp = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
	}
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

/* is s one of the '\n'-joined list? */
static bool jv_in_list(const char *list, const char *s)
{
	size_t sl = strlen(s);
	for (const char *p = list; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == sl && !memcmp(p, s, n))
			return true;
		p += n + (nl ? 1 : 0);
	}
	return false;
}

/* does the aud claim (string or list) name one of the '\n'-joined audiences? */
static bool jv_aud_ok(jwt_t *t, const char *aud)
{
	char *js = jwt_get_grants_json(t, "aud");
	json_t *j = js ? json_loads(js, JSON_DECODE_ANY, NULL) : NULL;
	bool ok = false;
	if (json_is_string(j)) {
		ok = jv_in_list(aud, json_string_value(j));
	} else if (json_is_array(j)) {
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e)
			ok |= json_is_string(e) && jv_in_list(aud, json_string_value(e));
	}
	json_decref(j);
	free(js);
	return ok;
}

/* the key of an OIDC token (its issuer's JWKS) into pem: 0 or AIS_EAUTH with why */
static int jv_oidc_key(const jwtv_conf_t *conf, const char *alg, const char *kid, const char *iss, char *pem,
		       size_t pcap, char *why, size_t wcap)
{
	if (strcmp(alg, "RS256") && strcmp(alg, "RS384") && strcmp(alg, "RS512"))
		return jv_fail(why, wcap, "invalid token: signing method is not RS256/RS384/RS512 (OIDC)");
	if (!*iss)
		return jv_fail(why, wcap, "invalid token: missing 'iss' claim");
	if (!oidc_allowed(conf->oidc_iss, iss))
		return jv_fail(why, wcap, "invalid token: provided 'iss' claim not in configured allowed list");
	if (!*kid)
		return jv_fail(why, wcap, "invalid token: invalid 'kid' header -- required for fetching public key from issuer");
	oidc_params_t p = {.allowed = conf->oidc_iss, .ca = conf->oidc_ca ? conf->oidc_ca : "", .rot_ns = conf->jwks_rot_ns};
	char jalg[16], e[320];
	if (oidc_key(&p, iss, kid, pem, pcap, jalg, sizeof(jalg), e, sizeof(e))) {
		snprintf(why, wcap, "invalid token: %s", e);
		return AIS_EAUTH;
	}
	if (*jalg && strcmp(jalg, alg))
		return jv_fail(why, wcap, "invalid token: signing method is not the key's (JWK alg)");
	return 0;
}

int jwtv_verify(const jwtv_conf_t *conf, const char *token, int64_t now, jwtv_claims_t *out, char *why, size_t wcap)
{
	char alg[16], kid[JV_KID_MAX], iss[512], pem[JV_PEM_MAX];
	bool oidc = (!conf->key || !*conf->key) && conf->oidc_iss && *conf->oidc_iss;
	if (!oidc && (!conf->method || !*conf->method || !conf->key || !*conf->key))
		return jv_fail(why, wcap, "invalid token: no signature key configured");
	if (strlen(token) > JV_TOKEN_MAX || jv_header(token, alg, sizeof(alg), kid, sizeof(kid), iss, sizeof(iss)))
		return jv_fail(why, wcap, "invalid token: malformed");
	const char *key = conf->key, *want = oidc ? alg : jv_alg(conf->method);
	if (oidc) {
		if (jv_oidc_key(conf, alg, kid, iss, pem, sizeof(pem), why, wcap))
			return AIS_EAUTH;
		key = pem;
	} else if (strcmp(alg, want)) {
		return jv_fail(why, wcap, "invalid token: signing method is not the configured one");
	}
	jwt_t *t = NULL;
	if (jwt_decode(&t, token, (const unsigned char *)key, (int)strlen(key)) || !t) {
		jwt_free(t);
		return jv_fail(why, wcap, "invalid token: signature is invalid");
	}
	if (strcmp(jwt_alg_str(jwt_get_alg(t)), want)) {
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
