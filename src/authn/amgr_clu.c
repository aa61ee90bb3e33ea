/* amgr_clu: the registered clusters of the AuthN manager (amgr.h; AIStore cmd/authn/mgr.go
 * clusters + aisreq.go): registration after the key handshake (POST /v1/tokens) and the sync of the
 * revoked tokens, the default roles of a new cluster, updates, lookups by ID or alias, and the
 * revocation broadcast. Calls to a cluster carry a 5-minute admin token of this service and go to
 * its URLs in order until one answers 2xx. Invariant: a cluster is stored only after it proved it
 * accepts this service's key and received the revoked tokens. Blocking (pool threads only). */
#include "authn/amgr_int.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/hclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clusters ---- */
/* the stored ID of the cluster whose ID is id or whose ID/alias is alias ("" none) */
void amgr_clu_lookup(amgr_t *m, const char *id, const char *alias, char *out, size_t cap)
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
	long long now = amgr_now();
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:b, s:n}", "iss", m->conf->external_url, "sub", "AuthN", "iat",
			      (json_int_t)now, "exp", (json_int_t)(now + 300), "admin", 1, "clusters");
	if (cid && *cid)
		json_object_set_new(c, "aud", json_pack("[s]", cid));
	char *t = amgr_sign(m, c);
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
	rc = amgr_fail(err, cap, AIS_EUNAVAIL, "cluster %s has no URLs", jsonx_str(clu, "id", ""));
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
			rc = amgr_fail(err, cap, AIS_EUNAVAIL, "cluster %s at %s: %s", jsonx_str(clu, "id", ""), url, r.errmsg);
		else
			rc = amgr_fail(err, cap, r.status == 401 ? AIS_EAUTH : r.status == 403 ? AIS_EFORBIDDEN : AIS_EINVAL,
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
	astore_prune_revoked(m->db, amgr_now());
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
		return amgr_fail(err, cap, AIS_EINVAL, "cluster UUID is undefined");
	pthread_mutex_lock(&m->mu);
	int rc;
	amgr_clu_lookup(m, id, alias, cid, sizeof(cid));
	if (*cid) {
		rc = amgr_fail(err, cap, AIS_EEXIST, "cluster %s[%s] already registered", id, cid);
		goto out;
	}
	if ((rc = am_clu_handshake(m, c, true, err, cap)))
		goto out;
	if ((rc = astore_put(m->db, ASTORE_CLUSTER, id, json_incref(c), true))) {
		amgr_fail(err, cap, rc, "failed to store cluster %s", id);
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
		return amgr_fail(err, cap, AIS_EINVAL, "cluster ID is undefined");
	pthread_mutex_lock(&m->mu);
	int rc;
	json_t *cur = astore_get(m->db, ASTORE_CLUSTER, id);
	if (!cur) {
		rc = amgr_fail(err, cap, AIS_ENOTFOUND, "AuthN: cluster %s does not exist", id);
		goto out;
	}
	const char *alias = jsonx_str(c, "alias", "");
	if (*alias) {
		char cid[160];
		amgr_clu_lookup(m, "", alias, cid, sizeof(cid));
		if (*cid && strcmp(cid, id)) {
			rc = amgr_fail(err, cap, AIS_EEXIST, "alias \"%s\" is used for cluster \"%s\"", alias, cid);
			goto out;
		}
		json_object_set_new(cur, "alias", json_string(alias));
	}
	if (json_array_size(json_object_get(c, "urls")))
		json_object_set(cur, "urls", json_object_get(c, "urls"));
	if ((rc = am_clu_handshake(m, cur, false, err, cap)))
		goto out;
	if ((rc = astore_put(m->db, ASTORE_CLUSTER, id, json_incref(cur), false)))
		amgr_fail(err, cap, rc, "failed to store cluster %s", id);
out:
	json_decref(cur);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int amgr_clu_del(amgr_t *m, const char *id, char *err, size_t cap)
{
	char cid[160];
	pthread_mutex_lock(&m->mu);
	amgr_clu_lookup(m, id, id, cid, sizeof(cid));
	int rc = *cid ? astore_del(m->db, ASTORE_CLUSTER, cid) : AIS_ENOTFOUND;
	pthread_mutex_unlock(&m->mu);
	if (rc == AIS_ENOTFOUND)
		return amgr_fail(err, cap, rc, "AuthN: cluster %s does not exist", id);
	return rc ? amgr_fail(err, cap, rc, "failed to delete cluster %s", id) : 0;
}

json_t *amgr_clu_get(amgr_t *m, const char *id)
{
	char cid[160];
	amgr_clu_lookup(m, id, id, cid, sizeof(cid));
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

void amgr_clu_broadcast(amgr_t *m, const char *token)
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

