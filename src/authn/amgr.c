/* amgr: see amgr.h. Invariants: a password is hashed (apwd) before it reaches the store; the
 * superuser and the Admin role cannot be deleted or demoted; a cluster is stored only after it
 * proved it accepts this service's key and received the revoked tokens. Must not: log a password
 * or a whole token (a token is logged by its first 16 characters). */
#include "authn/amgr.h"
#include "authn/abody.h"
#include "authn/apwd.h"
#include "authn/asign.h"
#include "authn/astore.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct amgr {
	aconf_t *conf;
	astore_t *db;
	asign_t *sig;
	pthread_rwlock_t sig_mu; /* guards sig (a config update may replace it) */
	pthread_mutex_t mu;      /* read-modify-write of the store; the config */
	char su[65];             /* superuser ID */
};

static int am_fail(char *err, size_t cap, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int am_fail(char *err, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return rc;
}

static long long am_now(void) { return (long long)time(NULL); }

/* ---- signing under the rwlock ---- */
static char *am_sign(amgr_t *m, json_t *claims)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	char *t = asign_sign(m->sig, claims);
	pthread_rwlock_unlock(&m->sig_mu);
	return t;
}

static int am_verify(amgr_t *m, const char *tok, jwtv_claims_t *c, char *why, size_t cap)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	int rc = asign_verify(m->sig, tok, am_now(), c, why, cap);
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
		return am_fail(err, cap, AIS_EINVAL,
			       "failed to initialize DB, no password provided for admin user. Set with \"AIS_AUTHN_SU_PASS\"");
	json_t *role = json_pack("{s:s, s:s, s:[], s:[], s:b}", "name", AMGR_ADMIN_ROLE, "desc", "AuthN administrator",
				 "clusters", "buckets", "admin", 1);
	char hash[APWD_HASH_MAX];
	int rc = apwd_hash(pass, hash, sizeof(hash));
	if (rc) {
		json_decref(role);
		return am_fail(err, cap, rc, "failed to hash the admin password");
	}
	if ((rc = astore_put(m->db, ASTORE_ROLE, AMGR_ADMIN_ROLE, json_deep_copy(role), false))) {
		json_decref(role);
		return am_fail(err, cap, rc, "failed to store the Admin role");
	}
	json_t *u = json_pack("{s:s, s:s, s:[o]}", "id", m->su, "pass", hash, "roles", role);
	if ((rc = astore_put(m->db, ASTORE_USER, m->su, u, false)))
		return am_fail(err, cap, rc, "failed to store the admin user");
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
		am_fail(err, cap, rc, "AIS_AUTHN_SU_NAME=\"%s\" is not a valid user ID", m->su);
		goto fail;
	}
	if (conf->key_external && !conf->secret[0]) {
		FILE *f = fopen(conf->key_path, "r");
		if (!f) {
			am_fail(err, cap, rc, "RSA key not found at \"%s\" and auto-generation is disabled (auth.signing_key.mode external)",
				conf->key_path);
			goto fail;
		}
		fclose(f);
	}
	if ((rc = astore_open(conf->db_path, &m->db, err, cap)) ||
	    (rc = asign_new(conf->secret, conf->key_path, conf->rsa_bits, &m->sig, err, cap)) ||
	    (rc = am_init_db(m, err, cap)))
		goto fail;
	int n = astore_prune_revoked(m->db, am_now());
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
		return am_fail(err, cap, AIS_EAUTH, "token required");
	const char *tok = authz + 7;
	char why[256];
	if (am_verify(m, tok, c, why, sizeof(why)))
		return am_fail(err, cap, AIS_EAUTH, "not authorized (%s)", why);
	json_t *rv = astore_get(m->db, ASTORE_REVOKED, tok);
	if (rv) {
		json_decref(rv);
		return am_fail(err, cap, AIS_EAUTH, "not authorized: token revoked");
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
			return am_fail(err, cap, AIS_ENOTFOUND, "role \"%s\" not found", json_string_value(n));
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
		return am_fail(err, cap, AIS_EINVAL, "invalid credentials");
	char hash[APWD_HASH_MAX];
	json_t *roles = NULL;
	int rc = am_roles(m, json_object_get(u, "roles"), &roles, err, cap);
	if (rc)
		return rc;
	if ((rc = apwd_hash(pass, hash, sizeof(hash)))) {
		json_decref(roles);
		return am_fail(err, cap, rc, "failed to hash the password");
	}
	rc = astore_put(m->db, ASTORE_USER, id, json_pack("{s:s, s:s, s:o}", "id", id, "pass", hash, "roles", roles), true);
	if (rc == AIS_EEXIST)
		return am_fail(err, cap, rc, "AuthN: user %s already exists", id);
	return rc ? am_fail(err, cap, rc, "failed to store user %s", id) : 0;
}

int amgr_user_update(amgr_t *m, const char *id, json_t *u, char *err, size_t cap)
{
	json_t *names = json_object_get(u, "roles"), *roles = NULL;
	const char *pass = jsonx_str(u, "pass", "");
	char hash[APWD_HASH_MAX];
	int rc;
	if (*pass && (rc = apwd_hash(pass, hash, sizeof(hash))))
		return am_fail(err, cap, rc, "failed to hash the password");
	pthread_mutex_lock(&m->mu);
	json_t *cur = astore_get(m->db, ASTORE_USER, id);
	if (!cur) {
		rc = am_fail(err, cap, AIS_ENOTFOUND, "AuthN: user %s does not exist", id);
		goto out;
	}
	if (!strcmp(id, m->su) && json_array_size(names)) {
		rc = am_fail(err, cap, AIS_EFORBIDDEN, "cannot change administrator's role");
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
		am_fail(err, cap, rc, "failed to store user %s", id);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_user_del(amgr_t *m, const char *id, char *err, size_t cap)
{
	if (!strcmp(id, m->su))
		return am_fail(err, cap, AIS_EFORBIDDEN, "cannot remove built-in \"%s\" account", m->su);
	int rc = astore_del(m->db, ASTORE_USER, id);
	return rc == AIS_ENOTFOUND ? am_fail(err, cap, rc, "AuthN: user %s does not exist", id)
	       : rc		    ? am_fail(err, cap, rc, "failed to delete user %s", id)
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

/* ---- clusters ---- */
/* the stored ID of the cluster whose ID is id or whose ID/alias is alias ("" none) */
static void am_clu_lookup(amgr_t *m, const char *id, const char *alias, char *out, size_t cap)
{
	json_t *all = astore_all(m->db, ASTORE_CLUSTER), *c;
	const char *k;
	*out = 0;
	json_object_foreach(all, k, c) {
		if ((*id && !strcmp(k, id)) || (*alias && (!strcmp(k, alias) || !strcmp(jsonx_str(c, "alias", ""), alias)))) {
			snprintf(out, cap, "%s", k);
			break;
		}
	}
	json_decref(all);
}

/* a short-lived admin token for this service's own calls to a cluster (AIStore sends none; with
 * auth.enabled our clusters require an admin token on /v1/tokens) */
static char *am_self_token(amgr_t *m, const char *cid)
{
	long long now = am_now();
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:b, s:n}", "iss", m->conf->external_url, "sub", "AuthN", "iat",
			      (json_int_t)now, "exp", (json_int_t)(now + 300), "admin", 1, "clusters");
	if (cid && *cid)
		json_object_set_new(c, "aud", json_pack("[s]", cid));
	char *t = am_sign(m, c);
	json_decref(c);
	return t;
}

/* method path body to the first URL of clu that answers 2xx: 0, or AIS_E* with err (the
 * cluster's status as the code: 4xx → EINVAL/EFORBIDDEN/EAUTH; unreachable → EUNAVAIL) */
static int am_call(amgr_t *m, json_t *clu, const char *method, json_t *body, char *err, size_t cap)
{
	char *js = jsonx_dumps(body), *tok = am_self_token(m, jsonx_str(clu, "id", ""));
	char hdr[8400];
	int rc = AIS_EINTERNAL;
	if (!js || !tok)
		goto out;
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	size_t i;
	json_t *u;
	int64_t tmo = m->conf->timeout_ns / 1000000;
	rc = am_fail(err, cap, AIS_EUNAVAIL, "cluster %s has no URLs", jsonx_str(clu, "id", ""));
	json_array_foreach(json_object_get(clu, "urls"), i, u) {
		char url[512];
		snprintf(url, sizeof(url), "%s/v1/tokens", json_string_value(u));
		hreq_t r = {.method = method, .url = url, .body = js, .body_len = strlen(js), .hdrs = hdr,
			    .timeout_ms = (int)(tmo > 10000 || tmo <= 0 ? 10000 : tmo)};
		hclient_do(&r);
		if (!r.rc && r.status / 100 == 2) {
			rc = 0;
			hreq_fini(&r);
			break;
		}
		if (r.rc)
			rc = am_fail(err, cap, AIS_EUNAVAIL, "cluster %s at %s: %s", jsonx_str(clu, "id", ""), url, r.errmsg);
		else
			rc = am_fail(err, cap, r.status == 401 ? AIS_EAUTH : r.status == 403 ? AIS_EFORBIDDEN : AIS_EINVAL,
				     "cluster %s at %s: status %d: %.300s", jsonx_str(clu, "id", ""), url, r.status,
				     sbuf_str(&r.resp));
		hreq_fini(&r);
	}
out:
	free(js);
	free(tok);
	return rc;
}

static json_t *am_validation_conf(amgr_t *m)
{
	pthread_rwlock_rdlock(&m->sig_mu);
	json_t *v = asign_validation_conf(m->sig);
	pthread_rwlock_unlock(&m->sig_mu);
	return v;
}

/* the revoked tokens that are still valid (expired and invalid ones are dropped) */
static json_t *am_revoked_list(amgr_t *m)
{
	astore_prune_revoked(m->db, am_now());
	json_t *all = astore_all(m->db, ASTORE_REVOKED), *a = json_array(), *v;
	const char *k;
	json_object_foreach(all, k, v)
		json_array_append_new(a, json_string(k));
	json_decref(all);
	return a;
}

static int am_clu_handshake(amgr_t *m, json_t *clu, bool sync, char *err, size_t cap)
{
	json_t *vc = am_validation_conf(m);
	int rc = am_call(m, clu, "POST", vc, err, cap);
	json_decref(vc);
	if (rc || !sync)
		return rc;
	json_t *toks = am_revoked_list(m);
	if (json_array_size(toks)) {
		json_t *tl = json_pack("{s:O, s:s}", "tokens", toks, "version", "0");
		rc = am_call(m, clu, "DELETE", tl, err, cap);
		json_decref(tl);
	}
	json_decref(toks);
	return rc;
}

static void am_clu_roles(amgr_t *m, json_t *clu)
{
	static const struct {
		const char *prefix, *desc;
		const char *perm;
	} pr[] = {
		{"ClusterOwner", "Admin access to %s", "18446744073709551615"},
		{"BucketOwner", "Full access to buckets in %s", "127"},      /* apc.AccessRW */
		{"Guest", "Read-only access to buckets in %s", "771"},       /* apc.AccessRO */
	};
	const char *id = jsonx_str(clu, "id", ""), *alias = jsonx_str(clu, "alias", "");
	char cname[200];
	snprintf(cname, sizeof(cname), *alias ? "%s[%s]" : "%s", id, alias);
	for (size_t i = 0; i < sizeof(pr) / sizeof(pr[0]); i++) {
		char name[200], desc[300];
		snprintf(name, sizeof(name), "%s-%s", pr[i].prefix, *alias ? alias : id);
		snprintf(desc, sizeof(desc), pr[i].desc, cname);
		json_t *r = json_pack("{s:s, s:s, s:[{s:s, s:s}], s:[], s:b}", "name", name, "desc", desc, "clusters", "id",
				      id, "perm", pr[i].perm, "buckets", "admin", 0);
		int rc = astore_put(m->db, ASTORE_ROLE, name, r, true);
		if (rc && rc != AIS_EEXIST)
			log_err("AuthN: failed to create role %s for cluster %s", name, id);
	}
}

int amgr_clu_add(amgr_t *m, json_t *c, char *err, size_t cap)
{
	const char *id = jsonx_str(c, "id", ""), *alias = jsonx_str(c, "alias", "");
	char cid[160];
	if (!*id)
		return am_fail(err, cap, AIS_EINVAL, "cluster UUID is undefined");
	pthread_mutex_lock(&m->mu);
	int rc;
	am_clu_lookup(m, id, alias, cid, sizeof(cid));
	if (*cid) {
		rc = am_fail(err, cap, AIS_EEXIST, "cluster %s[%s] already registered", id, cid);
		goto out;
	}
	if ((rc = am_clu_handshake(m, c, true, err, cap)))
		goto out;
	if ((rc = astore_put(m->db, ASTORE_CLUSTER, id, json_incref(c), true))) {
		am_fail(err, cap, rc, "failed to store cluster %s", id);
		goto out;
	}
	am_clu_roles(m, c);
	log_info("AuthN: registered cluster %s (alias \"%s\")", id, alias);
out:
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_clu_update(amgr_t *m, const char *id, json_t *c, char *err, size_t cap)
{
	if (!*jsonx_str(c, "id", ""))
		return am_fail(err, cap, AIS_EINVAL, "cluster ID is undefined");
	pthread_mutex_lock(&m->mu);
	int rc;
	json_t *cur = astore_get(m->db, ASTORE_CLUSTER, id);
	if (!cur) {
		rc = am_fail(err, cap, AIS_ENOTFOUND, "AuthN: cluster %s does not exist", id);
		goto out;
	}
	const char *alias = jsonx_str(c, "alias", "");
	if (*alias) {
		char cid[160];
		am_clu_lookup(m, "", alias, cid, sizeof(cid));
		if (*cid && strcmp(cid, id)) {
			rc = am_fail(err, cap, AIS_EEXIST, "alias \"%s\" is used for cluster \"%s\"", alias, cid);
			goto out;
		}
		json_object_set_new(cur, "alias", json_string(alias));
	}
	if (json_array_size(json_object_get(c, "urls")))
		json_object_set(cur, "urls", json_object_get(c, "urls"));
	if ((rc = am_clu_handshake(m, cur, false, err, cap)))
		goto out;
	if ((rc = astore_put(m->db, ASTORE_CLUSTER, id, json_incref(cur), false)))
		am_fail(err, cap, rc, "failed to store cluster %s", id);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_clu_del(amgr_t *m, const char *id, char *err, size_t cap)
{
	char cid[160];
	pthread_mutex_lock(&m->mu);
	am_clu_lookup(m, id, id, cid, sizeof(cid));
	int rc = *cid ? astore_del(m->db, ASTORE_CLUSTER, cid) : AIS_ENOTFOUND;
	pthread_mutex_unlock(&m->mu);
	if (rc == AIS_ENOTFOUND)
		return am_fail(err, cap, rc, "AuthN: cluster %s does not exist", id);
	return rc ? am_fail(err, cap, rc, "failed to delete cluster %s", id) : 0;
}

json_t *amgr_clu_get(amgr_t *m, const char *id)
{
	char cid[160];
	am_clu_lookup(m, id, id, cid, sizeof(cid));
	json_t *c = *cid ? astore_get(m->db, ASTORE_CLUSTER, cid) : NULL;
	return c ? json_pack("{s:{s:o}}", "clusters", cid, c) : NULL;
}

json_t *amgr_clu_list(amgr_t *m)
{
	json_t *all = astore_all(m->db, ASTORE_CLUSTER);
	if (!json_object_size(all)) {
		json_decref(all);
		return json_object();
	}
	return json_pack("{s:o}", "clusters", all);
}

/* ---- roles ---- */
int amgr_role_add(amgr_t *m, json_t *r, char *err, size_t cap)
{
	const char *name = jsonx_str(r, "name", "");
	if (json_is_true(json_object_get(r, "admin")))
		return am_fail(err, cap, AIS_EFORBIDDEN, "only built-in roles can have \"admin\" permissions");
	int rc = astore_put(m->db, ASTORE_ROLE, name, json_incref(r), true);
	if (rc == AIS_EEXIST)
		return am_fail(err, cap, rc, "AuthN: role %s already exists", name);
	return rc ? am_fail(err, cap, rc, "failed to store role %s", name) : 0;
}

int amgr_role_update(amgr_t *m, const char *name, json_t *r, char *err, size_t cap)
{
	if (!strcmp(name, AMGR_ADMIN_ROLE))
		return am_fail(err, cap, AIS_EFORBIDDEN, "cannot modify built-in \"%s\" role", AMGR_ADMIN_ROLE);
	if (json_is_true(json_object_get(r, "admin")))
		return am_fail(err, cap, AIS_EFORBIDDEN, "only built-in roles can have \"admin\" permissions");
	pthread_mutex_lock(&m->mu);
	int rc = 0;
	json_t *cur = astore_get(m->db, ASTORE_ROLE, name);
	if (!cur) {
		rc = am_fail(err, cap, AIS_ENOTFOUND, "AuthN: role %s does not exist", name);
		goto out;
	}
	if (*jsonx_str(r, "desc", ""))
		json_object_set(cur, "desc", json_object_get(r, "desc"));
	am_merge(json_object_get(cur, "clusters"), json_object_get(r, "clusters"), false);
	am_merge(json_object_get(cur, "buckets"), json_object_get(r, "buckets"), true);
	if ((rc = astore_put(m->db, ASTORE_ROLE, name, json_incref(cur), false)))
		am_fail(err, cap, rc, "failed to store role %s", name);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_role_del(amgr_t *m, const char *name, char *err, size_t cap)
{
	if (!strcmp(name, AMGR_ADMIN_ROLE))
		return am_fail(err, cap, AIS_EFORBIDDEN, "cannot remove built-in \"%s\" role", AMGR_ADMIN_ROLE);
	int rc = astore_del(m->db, ASTORE_ROLE, name);
	if (rc == AIS_ENOTFOUND)
		return am_fail(err, cap, rc, "AuthN: role %s does not exist", name);
	return rc ? am_fail(err, cap, rc, "failed to delete role %s", name) : 0;
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
		am_clu_lookup(m, id, id, cid, sizeof(cid));
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
			return am_fail(err, cap, AIS_EINVAL, "invalid requested expiry date: must be 0 or >= 1m");
		if (d > m->conf->max_age_ns)
			return am_fail(err, cap, AIS_EINVAL,
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
		return am_fail(err, cap, AIS_EAUTH, "empty password");
	json_t *u = astore_get(m->db, ASTORE_USER, id);
	/* an unknown user costs a KDF run too: no timing oracle for user names */
	bool ok = apwd_verify(pass, u ? jsonx_str(u, "pass", "") :
			      "pbkdf2-sha256$120000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	int rc = 0;
	if (!u || !ok) {
		rc = am_fail(err, cap, AIS_EAUTH, "failed to generate token for %s: invalid credentials", id);
		goto out;
	}
	long long now = am_now(), exp = 0;
	pthread_mutex_lock(&m->mu);
	rc = am_exp(m, has_exp, exp_ns, now, &exp, err, cap);
	pthread_mutex_unlock(&m->mu);
	if (rc)
		goto out;
	json_t *c = am_claims_for(m, u, now, exp);
	*tok = c ? am_sign(m, c) : NULL;
	json_decref(c);
	if (!*tok)
		rc = am_fail(err, cap, AIS_EINTERNAL, "failed to sign the token");
out:
	json_decref(u);
	return rc;
}

/* ---- tokens ---- */
static void am_broadcast(amgr_t *m, const char *token)
{
	json_t *all = astore_all(m->db, ASTORE_CLUSTER), *c;
	json_t *tl = json_pack("{s:[s], s:s}", "tokens", token, "version", "0");
	const char *k;
	json_object_foreach(all, k, c) {
		char err[512];
		if (am_call(m, c, "DELETE", tl, err, sizeof(err)))
			log_err("AuthN: failed to broadcast-revoked with %s: %s", k, err);
	}
	json_decref(tl);
	json_decref(all);
}

int amgr_revoke(amgr_t *m, const char *token, char *err, size_t cap)
{
	jwtv_claims_t c;
	char why[256];
	if (am_verify(m, token, &c, why, sizeof(why)))
		return am_fail(err, cap, AIS_EAUTH, "%s", why);
	int rc = astore_put(m->db, ASTORE_REVOKED, token, json_integer((json_int_t)c.exp), false);
	if (rc)
		return am_fail(err, cap, rc, "failed to revoke token");
	log_info("AuthN: revoked a token of %s (%.16s...)", c.sub, token);
	astore_prune_revoked(m->db, am_now());
	am_broadcast(m, token);
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
