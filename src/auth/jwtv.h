/* jwtv: JWT verification and AIStore's token claims (docs/security.md, AIStore cmd/authn/tok).
 * A token is accepted when its header's alg is the configured auth.signature.method (no other,
 * never "none": no algorithm confusion), its signature verifies with auth.signature.key (libjwt),
 * it has a subject (sub), an expiry (exp) in the future, and - with auth.required_claims.aud - that
 * audience (any of a '\n'-joined list). With no key and auth.oidc.allowed_iss, the key is the one
 * the token's kid names in the JWKS of its iss, which must be allowed (auth/oidc.h; RS* only).
 * Claims kept: sub, exp, admin, clusters [{id, perm}], buckets [{bck:{name, provider,
 * namespace:{uuid}}, perm}] with perm AIStore's access bits (apc.AccessAttrs, a decimal string).
 * Verified tokens are cached (keyed by the whole token, per config version) until they expire,
 * so a request with a known token costs one hash lookup. Thread-safe. */
#ifndef AIS_JWTV_H
#define AIS_JWTV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AIStore's access bits (api/apc/access.go) */
enum {
	ACE_GET = 1 << 0, ACE_OBJ_HEAD = 1 << 1, ACE_PUT = 1 << 2, ACE_APPEND = 1 << 3, ACE_OBJ_DELETE = 1 << 4,
	ACE_OBJ_MOVE = 1 << 5, ACE_PROMOTE = 1 << 6, ACE_OBJ_UPDATE = 1 << 7, ACE_BCK_HEAD = 1 << 8,
	ACE_OBJ_LIST = 1 << 9, ACE_PATCH = 1 << 10, ACE_BCK_SET_ACL = 1 << 11, ACE_LIST_BUCKETS = 1 << 12,
	ACE_SHOW_CLUSTER = 1 << 13, ACE_CREATE_BUCKET = 1 << 14, ACE_DESTROY_BUCKET = 1 << 15,
	ACE_MOVE_BUCKET = 1 << 16, ACE_ADMIN = 1 << 17,
};
#define ACE_ACCESS_RO (ACE_GET | ACE_OBJ_HEAD | ACE_BCK_HEAD | ACE_OBJ_LIST)
#define ACE_ACCESS_RW (ACE_ACCESS_RO | ACE_PUT | ACE_APPEND | ACE_OBJ_DELETE | ACE_OBJ_MOVE | ACE_PROMOTE)
#define ACE_BUCKET_ADMIN (ACE_PATCH | ACE_BCK_SET_ACL | ACE_OBJ_UPDATE)
#define ACE_CLUSTER_RO (ACE_LIST_BUCKETS | ACE_SHOW_CLUSTER)
#define ACE_CLUSTER_RW (ACE_CLUSTER_RO | ACE_CREATE_BUCKET | ACE_DESTROY_BUCKET | ACE_MOVE_BUCKET)

#define JWTV_MAX_ACL 16

typedef struct jwtv_acl {
	char id[128];       /* cluster ACL: cluster ID ("" = any cluster); bucket ACL: namespace uuid */
	char name[128];     /* bucket ACL: bucket name */
	char provider[16];  /* bucket ACL: provider ("ais" when empty) */
	uint64_t perm;
} jwtv_acl_t;

typedef struct jwtv_claims {
	char sub[128];
	int64_t exp;   /* unix seconds */
	bool admin;
	int nclu, nbck;
	jwtv_acl_t clu[JWTV_MAX_ACL], bck[JWTV_MAX_ACL];
} jwtv_claims_t;

typedef struct jwtv_conf {
	const char *method; /* HS256.. RS512, HMAC (= HS256), RSA (= RS256) */
	const char *key;    /* HMAC secret or PEM public key */
	const char *aud;    /* required audiences, '\n'-joined (any one), or "" */
	int64_t version;    /* cache generation (the config version) */
	const char *oidc_iss; /* allowed OIDC issuers, '\n'-joined; used when key is empty (NULL/"": none) */
	const char *oidc_ca;  /* the issuers' CA bundle or "" */
	int64_t jwks_rot_ns;  /* auth.oidc.jwks_cache.min_rotation_refresh */
} jwtv_conf_t;

/* verify token (no "Bearer ") against conf at now (unix s): 0 and *out filled, or AIS_EAUTH with
 * why filled (invalid, expired, wrong audience, no subject) */
int jwtv_verify(const jwtv_conf_t *conf, const char *token, int64_t now, jwtv_claims_t *out, char *why, size_t wcap);
/* the same through the verified-token cache */
int jwtv_verify_cached(const jwtv_conf_t *conf, const char *token, int64_t now, jwtv_claims_t *out, char *why,
		       size_t wcap);
/* AIStore's CheckPermissions: does c grant perms on cluster cid (and bucket provider/name, or
 * NULL for cluster-level access)? 0, or AIS_EFORBIDDEN with why filled */
int jwtv_check(const jwtv_claims_t *c, const char *cid, const char *provider, const char *bname, uint64_t perms,
	       char *why, size_t wcap);
/* parse the claims JSON of a verified token (exposed for fuzzing): 0 or AIS_EAUTH */
int jwtv_parse_claims(const char *json, size_t len, jwtv_claims_t *out, char *why, size_t wcap);
void jwtv_cache_clear(void);

#endif
