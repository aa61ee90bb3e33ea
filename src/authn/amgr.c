/* amgr: see amgr.h; users, roles, login, revocation, config (the registered clusters: amgr_clu.c).
 * Invariants: a password is hashed (apwd) before it reaches the store; the superuser and the Admin
 * role cannot be deleted or demoted. Must not: log a password or a whole token (a token is logged
 * by its first 16 characters). */
#include "authn/amgr.h"
#include "authn/amgr_int.h"
#include "authn/abody.h"
#include "authn/apwd.h"
#include "authn/asign.h"
#include "authn/astore.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


int amgr_fail(char *err, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return rc;
}

long long amgr_now(void) { return (long long)time(NULL); }

/* ---- signing under the rwlock ---- */
char *amgr_sign(amgr_t *m, json_t *claims)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	char *t = asign_sign(m->sig, claims);
	pthread_rwlock_unlock(&m->sig_mu);
	return t;
}

static int am_verify(amgr_t *m, const char *tok, jwtv_claims_t *c, char *why, size_t cap)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	int rc = asign_verify(m->sig, tok, amgr_now(), c, why, cap);
	pthread_rwlock_unlock(&m->sig_mu);
	return rc;
}

/* ---- init ---- */
static int am_init_db(amgr_t *m, char *err, size_t cap)
{
	if (astore_count(m->db, ASTORE_USER))
		return 0;
	const char *pass = getenv("AIS_AUTHN_SU_PASS");
	if (!pass || !*pass)
		return amgr_fail(err, cap, AIS_EINVAL,
			       "failed to initialize DB, no password provided for admin user. Set with \"AIS_AUTHN_SU_PASS\"");
	json_t *role = json_pack("{s:s, s:s, s:[], s:[], s:b}", "name", AMGR_ADMIN_ROLE, "desc", "AuthN administrator",
				 "clusters", "buckets", "admin", 1);
	char hash[APWD_HASH_MAX];
	int rc = apwd_hash(pass, hash, sizeof(hash));
	if (rc) {
		json_decref(role);
		return amgr_fail(err, cap, rc, "failed to hash the admin password");
	}
	if ((rc = astore_put(m->db, ASTORE_ROLE, AMGR_ADMIN_ROLE, json_deep_copy(role), false))) {
		json_decref(role);
		return amgr_fail(err, cap, rc, "failed to store the Admin role");
	}
	json_t *u = json_pack("{s:s, s:s, s:[o]}", "id", m->su, "pass", hash, "roles", role);
	if ((rc = astore_put(m->db, ASTORE_USER, m->su, u, false)))
		return amgr_fail(err, cap, rc, "failed to store the admin user");
	log_info("AuthN: created the Admin role and the admin user \"%s\"", m->su);
	return 0;
}

int amgr_open(aconf_t *conf, amgr_t **out, char *err, size_t cap)
{
	*out = NULL;
	amgr_t *m = calloc(1, sizeof(*m));
	if (!m)
		return AIS_ENOMEM;
	m->conf = conf;
	pthread_rwlock_init(&m->sig_mu, NULL);
	pthread_mutex_init(&m->mu, NULL);
	const char *su = getenv("AIS_AUTHN_SU_NAME");
	snprintf(m->su, sizeof(m->su), "%s", su && *su ? su : "admin");
	int rc = AIS_EINVAL;
	if (!abody_name_ok(m->su)) {
		amgr_fail(err, cap, rc, "AIS_AUTHN_SU_NAME=\"%s\" is not a valid user ID", m->su);
		goto fail;
	}
	if (conf->key_external && !conf->secret[0]) {
		FILE *f = fopen(conf->key_path, "r");
		if (!f) {
			amgr_fail(err, cap, rc, "RSA key not found at \"%s\" and auto-generation is disabled (auth.signing_key.mode external)",
				conf->key_path);
			goto fail;
		}
		fclose(f);
	}
	if ((rc = astore_open(conf->db_path, &m->db, err, cap)) ||
	    (rc = asign_new(conf->secret, conf->key_path, conf->rsa_bits, &m->sig, err, cap)) ||
	    (rc = am_init_db(m, err, cap)))
		goto fail;
	int n = astore_prune_revoked(m->db, amgr_now());
	if (n)
		log_info("AuthN: removed %d expired revoked tokens", n);
	*out = m;
	return 0;
fail:
	amgr_close(m);
	return rc;
}

void amgr_close(amgr_t *m)
{
	if (!m)
		return;
	astore_close(m->db);
	asign_free(m->sig);
	pthread_rwlock_destroy(&m->sig_mu);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

int amgr_claims(amgr_t *m, const char *authz, jwtv_claims_t *c, char *err, size_t cap)
{
	if (!authz || strncmp(authz, "Bearer ", 7) || !authz[7])
		return amgr_fail(err, cap, AIS_EAUTH, "token required");
	const char *tok = authz + 7;
	char why[256];
	if (am_verify(m, tok, c, why, sizeof(why)))
		return amgr_fail(err, cap, AIS_EAUTH, "not authorized (%s)", why);
	json_t *rv = astore_get(m->db, ASTORE_REVOKED, tok);
	if (rv) {
		json_decref(rv);
		return amgr_fail(err, cap, AIS_EAUTH, "not authorized: token revoked");
	}
	return 0;
}

/* ---- users ---- */
static bool am_user_is_admin(json_t *u)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(u, "roles"), i, r)
		if (!strcmp(jsonx_str(r, "name", ""), AMGR_ADMIN_ROLE))
			return true;
	return false;
}

/* the stored roles named in names (an array of strings) as a new array; AIS_ENOTFOUND */
static int am_roles(amgr_t *m, json_t *names, json_t **out, char *err, size_t cap)
{
	json_t *a = json_array(), *n;
	size_t i;
	json_array_foreach(names, i, n) {
		json_t *r = astore_get(m->db, ASTORE_ROLE, json_string_value(n));
		if (!r) {
			json_decref(a);
			return amgr_fail(err, cap, AIS_ENOTFOUND, "role \"%s\" not found", json_string_value(n));
		}
		json_array_append_new(a, r);
	}
	*out = a;
	return 0;
}

int amgr_user_add(amgr_t *m, json_t *u, char *err, size_t cap)
{
	const char *id = jsonx_str(u, "id", ""), *pass = jsonx_str(u, "pass", "");
	if (!*id || !*pass)
		return amgr_fail(err, cap, AIS_EINVAL, "invalid credentials");
	char hash[APWD_HASH_MAX];
	json_t *roles = NULL;
	int rc = am_roles(m, json_object_get(u, "roles"), &roles, err, cap);
	if (rc)
		return rc;
	if ((rc = apwd_hash(pass, hash, sizeof(hash)))) {
		json_decref(roles);
		return amgr_fail(err, cap, rc, "failed to hash the password");
	}
	rc = astore_put(m->db, ASTORE_USER, id, json_pack("{s:s, s:s, s:o}", "id", id, "pass", hash, "roles", roles), true);
	if (rc == AIS_EEXIST)
		return amgr_fail(err, cap, rc, "AuthN: user %s already exists", id);
	return rc ? amgr_fail(err, cap, rc, "failed to store user %s", id) : 0;
}

int amgr_user_update(amgr_t *m, const char *id, json_t *u, char *err, size_t cap)
{
	json_t *names = json_object_get(u, "roles"), *roles = NULL;
	const char *pass = jsonx_str(u, "pass", "");
	char hash[APWD_HASH_MAX];
	int rc;
	if (*pass && (rc = apwd_hash(pass, hash, sizeof(hash))))
		return amgr_fail(err, cap, rc, "failed to hash the password");
	pthread_mutex_lock(&m->mu);
	json_t *cur = astore_get(m->db, ASTORE_USER, id);
	if (!cur) {
		rc = amgr_fail(err, cap, AIS_ENOTFOUND, "AuthN: user %s does not exist", id);
		goto out;
	}
	if (!strcmp(id, m->su) && json_array_size(names)) {
		rc = amgr_fail(err, cap, AIS_EFORBIDDEN, "cannot change administrator's role");
		goto out;
	}
	if (json_array_size(names)) {
		if ((rc = am_roles(m, names, &roles, err, cap)))
			goto out;
		json_object_set_new(cur, "roles", roles);
	}
	if (*pass)
		json_object_set_new(cur, "pass", json_string(hash));
	rc = astore_put(m->db, ASTORE_USER, id, json_incref(cur), false);
	if (rc)
		amgr_fail(err, cap, rc, "failed to store user %s", id);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_user_del(amgr_t *m, const char *id, char *err, size_t cap)
{
	if (!strcmp(id, m->su))
		return amgr_fail(err, cap, AIS_EFORBIDDEN, "cannot remove built-in \"%s\" account", m->su);
	int rc = astore_del(m->db, ASTORE_USER, id);
	return rc == AIS_ENOTFOUND ? amgr_fail(err, cap, rc, "AuthN: user %s does not exist", id)
	       : rc		    ? amgr_fail(err, cap, rc, "failed to delete user %s", id)
				    : 0;
}

json_t *amgr_user_get(amgr_t *m, const char *id)
{
	json_t *u = astore_get(m->db, ASTORE_USER, id);
	if (u)
		json_object_del(u, "pass");
	return u;
}

json_t *amgr_user_list(amgr_t *m)
{
	json_t *all = astore_all(m->db, ASTORE_USER), *u;
	const char *k;
	json_object_foreach(all, k, u)
		json_object_del(u, "pass");
	return all;
}

/* ---- ACL merging (AIStore utils.go): same ID/bucket → permissions replaced, else appended ---- */
static bool am_same_bck(json_t *a, json_t *b)
{
	json_t *x = json_object_get(a, "bck"), *y = json_object_get(b, "bck");
	return !strcmp(jsonx_str(x, "name", ""), jsonx_str(y, "name", "")) &&
	       !strcmp(jsonx_str(x, "provider", ""), jsonx_str(y, "provider", "")) &&
	       !strcmp(jsonx_str(json_object_get(x, "namespace"), "uuid", ""),
		       jsonx_str(json_object_get(y, "namespace"), "uuid", "")) &&
	       !strcmp(jsonx_str(json_object_get(x, "namespace"), "name", ""),
		       jsonx_str(json_object_get(y, "namespace"), "name", ""));
}

static void am_merge(json_t *to, json_t *from, bool bck)
{
	size_t i, j;
	json_t *n, *o;
	json_array_foreach(from, i, n) {
		bool upd = false;
		json_array_foreach(to, j, o) {
			if (bck ? am_same_bck(o, n) : !strcmp(jsonx_str(o, "id", ""), jsonx_str(n, "id", ""))) {
				json_object_set(o, "perm", json_object_get(n, "perm"));
				upd = true;
				break;
			}
		}
		if (!upd)
			json_array_append_new(to, json_deep_copy(n));
	}
}

/* ---- roles ---- */
int amgr_role_add(amgr_t *m, json_t *r, char *err, size_t cap)
{
	const char *name = jsonx_str(r, "name", "");
	if (json_is_true(json_object_get(r, "admin")))
		return amgr_fail(err, cap, AIS_EFORBIDDEN, "only built-in roles can have \"admin\" permissions");
	int rc = astore_put(m->db, ASTORE_ROLE, name, json_incref(r), true);
	if (rc == AIS_EEXIST)
		return amgr_fail(err, cap, rc, "AuthN: role %s already exists", name);
	return rc ? amgr_fail(err, cap, rc, "failed to store role %s", name) : 0;
}

int amgr_role_update(amgr_t *m, const char *name, json_t *r, char *err, size_t cap)
{
	if (!strcmp(name, AMGR_ADMIN_ROLE))
		return amgr_fail(err, cap, AIS_EFORBIDDEN, "cannot modify built-in \"%s\" role", AMGR_ADMIN_ROLE);
	if (json_is_true(json_object_get(r, "admin")))
		return amgr_fail(err, cap, AIS_EFORBIDDEN, "only built-in roles can have \"admin\" permissions");
	pthread_mutex_lock(&m->mu);
	int rc = 0;
	json_t *cur = astore_get(m->db, ASTORE_ROLE, name);
	if (!cur) {
		rc = amgr_fail(err, cap, AIS_ENOTFOUND, "AuthN: role %s does not exist", name);
		goto out;
	}
	if (*jsonx_str(r, "desc", ""))
		json_object_set(cur, "desc", json_object_get(r, "desc"));
	am_merge(json_object_get(cur, "clusters"), json_object_get(r, "clusters"), false);
	am_merge(json_object_get(cur, "buckets"), json_object_get(r, "buckets"), true);
	if ((rc = astore_put(m->db, ASTORE_ROLE, name, json_incref(cur), false)))
		amgr_fail(err, cap, rc, "failed to store role %s", name);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_role_del(amgr_t *m, const char *name, char *err, size_t cap)
{
	if (!strcmp(name, AMGR_ADMIN_ROLE))
		return amgr_fail(err, cap, AIS_EFORBIDDEN, "cannot remove built-in \"%s\" role", AMGR_ADMIN_ROLE);
	int rc = astore_del(m->db, ASTORE_ROLE, name);
	if (rc == AIS_ENOTFOUND)
		return amgr_fail(err, cap, rc, "AuthN: role %s does not exist", name);
	return rc ? amgr_fail(err, cap, rc, "failed to delete role %s", name) : 0;
}

json_t *amgr_role_get(amgr_t *m, const char *name)
{
	json_t *r = astore_get(m->db, ASTORE_ROLE, name), *c;
	size_t i;
	json_array_foreach(json_object_get(r, "clusters"), i, c) {
		json_t *clu = astore_get(m->db, ASTORE_CLUSTER, jsonx_str(c, "id", ""));
		if (clu && *jsonx_str(clu, "alias", ""))
			json_object_set(c, "alias", json_object_get(clu, "alias"));
		json_decref(clu);
	}
	return r;
}

json_t *amgr_role_list(amgr_t *m)
{
	json_t *all = astore_all(m->db, ASTORE_ROLE), *a = json_array(), *r;
	const char *k;
	json_object_foreach(all, k, r)
		json_array_append(a, r);
	json_decref(all);
	return a;
}

/* ---- login ---- */
/* cluster ACL IDs that name a cluster alias become that cluster's ID */
static void am_fix_ids(amgr_t *m, json_t *acls)
{
	size_t i;
	json_t *a;
	json_array_foreach(acls, i, a) {
		char cid[160];
		const char *id = jsonx_str(a, "id", "");
		if (!*id)
			continue;
		amgr_clu_lookup(m, id, id, cid, sizeof(cid));
		if (*cid && strcmp(cid, id))
			json_object_set_new(a, "id", json_string(cid));
	}
}

/* sorted unique cluster IDs of the ACLs (AIStore getAud) */
static json_t *am_aud(json_t *clu, json_t *bck)
{
	json_t *ids = json_object(), *a, *e, *v;
	size_t i;
	const char *k;
	json_array_foreach(clu, i, e)
		if (*jsonx_str(e, "id", ""))
			json_object_set_new(ids, jsonx_str(e, "id", ""), json_true());
	json_array_foreach(bck, i, e) {
		const char *u = jsonx_str(json_object_get(json_object_get(e, "bck"), "namespace"), "uuid", "");
		if (*u)
			json_object_set_new(ids, u, json_true());
	}
	a = json_array();
	char *dump = json_dumps(ids, JSON_SORT_KEYS | JSON_COMPACT); /* sorted keys, then re-read in order */
	json_t *sorted = dump ? json_loads(dump, JSON_PRESERVE_ORDER, NULL) : NULL;
	json_object_foreach(sorted, k, v)
		json_array_append_new(a, json_string(k));
	json_decref(sorted);
	free(dump);
	json_decref(ids);
	return a;
}

static int am_exp(amgr_t *m, bool has, int64_t ns, long long now, long long *exp, char *err, size_t cap)
{
	int64_t d = m->conf->expire_ns;
	if (has) {
		d = ns == 0 ? m->conf->max_age_ns : ns;
		if (ns != 0 && ns < 60LL * 1000000000LL)
			return amgr_fail(err, cap, AIS_EINVAL, "invalid requested expiry date: must be 0 or >= 1m");
		if (d > m->conf->max_age_ns)
			return amgr_fail(err, cap, AIS_EINVAL,
				       "invalid requested expiry date: cannot exceed configured max token age: %llds",
				       (long long)(m->conf->max_age_ns / 1000000000LL));
	}
	*exp = now + d / 1000000000LL;
	return 0;
}

static json_t *am_claims_for(amgr_t *m, json_t *u, long long now, long long exp)
{
	/* jti (RFC 7519; AIStore's tokens have none): two logins within a second get different
	 * tokens, so revoking one session's token leaves the other's alone */
	char jti[23];
	rand_alnum(jti, sizeof(jti) - 1);
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:s}", "iss", m->conf->external_url, "sub", jsonx_str(u, "id", ""),
			      "exp", (json_int_t)exp, "iat", (json_int_t)now, "jti", jti);
	if (am_user_is_admin(u)) {
		/* admin tokens name every registered cluster as audience */
		json_t *all = astore_all(m->db, ASTORE_CLUSTER), *cl = json_array(), *v;
		const char *k;
		json_object_foreach(all, k, v)
			json_array_append_new(cl, json_pack("{s:s}", "id", k));
		json_decref(all);
		json_t *aud = am_aud(cl, NULL);
		json_decref(cl);
		if (json_array_size(aud))
			json_object_set(c, "aud", aud);
		json_decref(aud);
		json_object_set_new(c, "admin", json_true());
		json_object_set_new(c, "clusters", json_null());
		return c;
	}
	json_t *clu = json_array(), *bck = json_array(), *r;
	size_t i;
	json_array_foreach(json_object_get(u, "roles"), i, r) {
		/* the role as stored now (a deleted role grants nothing) */
		json_t *cur = astore_get(m->db, ASTORE_ROLE, jsonx_str(r, "name", ""));
		if (!cur)
			continue;
		am_merge(clu, json_object_get(cur, "clusters"), false);
		am_merge(bck, json_object_get(cur, "buckets"), true);
		json_decref(cur);
	}
	am_fix_ids(m, clu);
	json_t *aud = am_aud(clu, bck);
	if (json_array_size(aud))
		json_object_set(c, "aud", aud);
	json_decref(aud);
	json_object_set_new(c, "admin", json_false());
	json_object_set_new(c, "clusters", json_array_size(clu) ? clu : json_null());
	if (json_array_size(bck))
		json_object_set_new(c, "buckets", bck);
	else
		json_decref(bck);
	if (!json_array_size(clu))
		json_decref(clu);
	return c;
}

int amgr_login(amgr_t *m, const char *id, const char *pass, bool has_exp, int64_t exp_ns, char **tok, char *err,
	       size_t cap)
{
	*tok = NULL;
	if (!*pass)
		return amgr_fail(err, cap, AIS_EAUTH, "empty password");
	json_t *u = astore_get(m->db, ASTORE_USER, id);
	/* an unknown user costs a KDF run too: no timing oracle for user names */
	bool ok = apwd_verify(pass, u ? jsonx_str(u, "pass", "") :
			      "pbkdf2-sha256$120000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	int rc = 0;
	if (!u || !ok) {
		rc = amgr_fail(err, cap, AIS_EAUTH, "failed to generate token for %s: invalid credentials", id);
		goto out;
	}
	long long now = amgr_now(), exp = 0;
	pthread_mutex_lock(&m->mu);
	rc = am_exp(m, has_exp, exp_ns, now, &exp, err, cap);
	pthread_mutex_unlock(&m->mu);
	if (rc)
		goto out;
	json_t *c = am_claims_for(m, u, now, exp);
	*tok = c ? amgr_sign(m, c) : NULL;
	json_decref(c);
	if (!*tok)
		rc = amgr_fail(err, cap, AIS_EINTERNAL, "failed to sign the token");
out:
	json_decref(u);
	return rc;
}

/* ---- tokens ---- */
int amgr_revoke(amgr_t *m, const char *token, char *err, size_t cap)
{
	jwtv_claims_t c;
	char why[256];
	if (am_verify(m, token, &c, why, sizeof(why)))
		return amgr_fail(err, cap, AIS_EAUTH, "%s", why);
	int rc = astore_put(m->db, ASTORE_REVOKED, token, json_integer((json_int_t)c.exp), false);
	if (rc)
		return amgr_fail(err, cap, rc, "failed to revoke token");
	log_info("AuthN: revoked a token of %s (%.16s...)", c.sub, token);
	astore_prune_revoked(m->db, amgr_now());
	amgr_clu_broadcast(m, token);
	return 0;
}

/* ---- config and keys ---- */
json_t *amgr_conf(amgr_t *m)
{
	pthread_mutex_lock(&m->mu);
	json_t *j = aconf_json(m->conf);
	pthread_mutex_unlock(&m->mu);
	return j;
}

int amgr_conf_update(amgr_t *m, const char *body, size_t len, char *err, size_t cap)
{
	bool changed;
	pthread_mutex_lock(&m->mu);
	int rc = aconf_update(m->conf, body, len, &changed, err, cap);
	if (!rc && changed) {
		asign_t *s = NULL;
		if ((rc = asign_new(m->conf->secret, m->conf->key_path, m->conf->rsa_bits, &s, err, cap)) == 0) {
			pthread_rwlock_wrlock(&m->sig_mu);
			asign_t *old = m->sig;
			m->sig = s;
			pthread_rwlock_unlock(&m->sig_mu);
			asign_free(old);
			log_info("AuthN: signing with the new HMAC secret (HS256)");
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

json_t *amgr_oidc(amgr_t *m)
{
	const char *u = m->conf->external_url;
	char tok[600], users[600], jwks[600];
	snprintf(tok, sizeof(tok), "%s/v1/tokens", u);
	snprintf(users, sizeof(users), "%s/v1/users", u);
	snprintf(jwks, sizeof(jwks), "%s/.well-known/jwks.json", u);
	return json_pack("{s:s, s:s, s:s, s:s, s:[s,s]}", "issuer", u, "token_endpoint", tok, "userinfo_endpoint", users,
			 "jwks_uri", jwks, "id_token_signing_alg_values_supported", "HS256", "RS256");
}

json_t *amgr_jwks(amgr_t *m)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	json_t *j = asign_jwks(m->sig);
	pthread_rwlock_unlock(&m->sig_mu);
	return j;
}

char *amgr_pubkey(amgr_t *m)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	const char *p = asign_pubkey(m->sig);
	char *s = p ? strdup(p) : NULL;
	pthread_rwlock_unlock(&m->sig_mu);
	return s;
}
