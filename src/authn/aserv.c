/* aserv: see aserv.h. Must not: answer a password or hash, or act before the caller's token was
 * checked. One amgr per process (set once by aserv_init before the server starts). */
#include "authn/aserv.h"
#include "authn/abody.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static amgr_t *as_mgr; /* set once at init, read-only afterwards */

static int as_status(int rc)
{
	switch (rc) {
	case AIS_EINVAL: return 400;
	case AIS_EAUTH: return 401;
	case AIS_EFORBIDDEN: return 403;
	case AIS_ENOTFOUND: return 404;
	case AIS_EEXIST: return 409;
	case AIS_ENOTIMPL: return 501;
	case AIS_EUNAVAIL: return 502;
	default: return 500;
	}
}

static void as_err(http_req_t *r, int rc, const char *msg)
{
	if (rc == AIS_EAUTH || rc == AIS_EFORBIDDEN)
		log_warn("AuthN: %s %s from %s: %s", r->method_str, r->path, r->remote_addr, msg);
	http_error(r, as_status(rc), NULL, "%s", msg);
}

static void as_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	if (!s) {
		http_error(r, 500, NULL, "out of memory");
		return;
	}
	http_respond(r, 200, "application/json", s, strlen(s));
	free(s);
}

static void as_ok(http_req_t *r) { http_respond(r, 200, NULL, NULL, 0); }

/* the path items after prefix (at most n); -1 when the path is not under prefix or has more */
static int as_items(http_req_t *r, const char *prefix, char *buf, size_t cap, const char **it, int n)
{
	size_t pl = strlen(prefix);
	if (strncmp(r->path, prefix, pl) || (r->path[pl] && r->path[pl] != '/'))
		return -1;
	const char *x[4];
	int k = route_items(r, prefix, buf, cap, x, 4);
	if (k < 0 || k > n)
		return -1;
	for (int i = 0; i < k; i++) {
		if (!*x[i] || strchr(x[i], '/'))
			return -1;
		it[i] = x[i];
	}
	return k;
}

/* a body's ID (empty: none given) must be the one in the path: 0 or AIS_EINVAL */
static int as_same_id(json_t *v, const char *path_id, const char *what, char *err, size_t cap)
{
	const char *id = json_string_value(v);
	if (id && *id && strcmp(id, path_id)) {
		snprintf(err, cap, "%s in the body (%.64s) differs from the URL path (%.64s)", what, id, path_id);
		return AIS_EINVAL;
	}
	return 0;
}

static bool as_admin(http_req_t *r, jwtv_claims_t *c)
{
	char err[320];
	int rc = amgr_claims(as_mgr, http_hdr_get(r, "Authorization"), c, err, sizeof(err));
	if (rc) {
		as_err(r, rc, err);
		return false;
	}
	if (!c->admin) {
		snprintf(err, sizeof(err), "not authorized: requires admin (%s)", c->sub);
		as_err(r, AIS_EAUTH, err);
		return false;
	}
	return true;
}

static void as_done(http_req_t *r, int rc, const char *err)
{
	if (rc)
		as_err(r, rc, err);
	else
		as_ok(r);
}

/* ---- /v1/users ---- */
static void as_users_cb(http_req_t *r)
{
	char buf[512], err[512] = "";
	const char *it[1] = {NULL};
	int n = as_items(r, "/v1/users", buf, sizeof(buf), it, 1), rc;
	jwtv_claims_t c;
	json_t *u = NULL;
	if (n < 0) {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
		return;
	}
	switch (r->method) {
	case HTTP_M_GET:
		if (!n) {
			if (as_admin(r, &c))
				as_json(r, amgr_user_list(as_mgr));
			return;
		}
		if ((rc = amgr_claims(as_mgr, http_hdr_get(r, "Authorization"), &c, err, sizeof(err)))) {
			as_err(r, rc, err);
			return;
		}
		if (!c.admin && strcmp(c.sub, it[0])) {
			as_err(r, AIS_EAUTH, "not authorized: requires admin or self");
			return;
		}
		u = amgr_user_get(as_mgr, it[0]);
		if (!u) {
			snprintf(err, sizeof(err), "AuthN: user %s does not exist", it[0]);
			as_err(r, AIS_ENOTFOUND, err);
			return;
		}
		as_json(r, u);
		return;
	case HTTP_M_POST:
		if (n) { /* login */
			char pass[1024];
			bool has;
			int64_t exp;
			char *tok = NULL;
			if ((rc = abody_login(r->body, r->body_len, pass, sizeof(pass), &has, &exp, err, sizeof(err)))) {
				as_err(r, rc, err);
				return;
			}
			rc = amgr_login(as_mgr, it[0], pass, has, exp, &tok, err, sizeof(err));
			memset(pass, 0, sizeof(pass));
			if (rc) {
				as_err(r, rc, err);
				return;
			}
			json_t *j = json_pack("{s:s}", "token", tok);
			free(tok);
			as_json(r, j);
			return;
		}
		if (!as_admin(r, &c))
			return;
		if ((rc = abody_user(r->body, r->body_len, true, &u, err, sizeof(err))) == 0)
			rc = amgr_user_add(as_mgr, u, err, sizeof(err));
		break;
	case HTTP_M_PUT:
		if (n != 1) {
			as_err(r, AIS_EINVAL, "user ID is required");
			return;
		}
		if ((rc = amgr_claims(as_mgr, http_hdr_get(r, "Authorization"), &c, err, sizeof(err)))) {
			as_err(r, rc, err);
			return;
		}
		if ((rc = abody_user(r->body, r->body_len, false, &u, err, sizeof(err))))
			break;
		if ((rc = as_same_id(json_object_get(u, "id"), it[0], "user ID", err, sizeof(err))))
			break;
		if (!c.admin && (strcmp(c.sub, it[0]) || json_array_size(json_object_get(u, "roles")))) {
			snprintf(err, sizeof(err), "not authorized: (%s)", c.sub);
			rc = AIS_EAUTH;
			break;
		}
		rc = amgr_user_update(as_mgr, it[0], u, err, sizeof(err));
		break;
	case HTTP_M_DELETE:
		if (n != 1) {
			as_err(r, AIS_EINVAL, "user ID is required");
			return;
		}
		if (!as_admin(r, &c))
			return;
		rc = amgr_user_del(as_mgr, it[0], err, sizeof(err));
		break;
	default:
		as_err(r, AIS_EINVAL, "unsupported method");
		return;
	}
	if (u)
		json_object_del(u, "pass");
	json_decref(u);
	as_done(r, rc, err);
}

/* ---- /v1/roles ---- */
static void as_roles_cb(http_req_t *r)
{
	char buf[512], err[512] = "";
	const char *it[1] = {NULL};
	int n = as_items(r, "/v1/roles", buf, sizeof(buf), it, 1), rc;
	jwtv_claims_t c;
	json_t *role = NULL;
	if (n < 0) {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
		return;
	}
	if (r->method == HTTP_M_GET) {
		if (!n) {
			as_json(r, amgr_role_list(as_mgr));
			return;
		}
		role = amgr_role_get(as_mgr, it[0]);
		if (!role) {
			snprintf(err, sizeof(err), "AuthN: role %s does not exist", it[0]);
			as_err(r, AIS_ENOTFOUND, err);
			return;
		}
		as_json(r, role);
		return;
	}
	if (r->method != HTTP_M_POST && n != 1) {
		as_err(r, AIS_EINVAL, "role name is required");
		return;
	}
	if (!as_admin(r, &c))
		return;
	switch (r->method) {
	case HTTP_M_POST:
		if ((rc = abody_role(r->body, r->body_len, true, &role, err, sizeof(err))) == 0)
			rc = amgr_role_add(as_mgr, role, err, sizeof(err));
		break;
	case HTTP_M_PUT:
		if ((rc = abody_role(r->body, r->body_len, false, &role, err, sizeof(err))) == 0 &&
		    (rc = as_same_id(json_object_get(role, "name"), it[0], "role name", err, sizeof(err))) == 0)
			rc = amgr_role_update(as_mgr, it[0], role, err, sizeof(err));
		break;
	default:
		rc = amgr_role_del(as_mgr, it[0], err, sizeof(err));
		break;
	}
	json_decref(role);
	as_done(r, rc, err);
}

/* ---- /v1/clusters ---- */
static void as_clusters_cb(http_req_t *r)
{
	char buf[512], err[1024] = "";
	const char *it[1] = {NULL};
	int n = as_items(r, "/v1/clusters", buf, sizeof(buf), it, 1), rc;
	jwtv_claims_t c;
	json_t *clu = NULL;
	if (n < 0) {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
		return;
	}
	if (r->method == HTTP_M_GET) {
		if (!n) {
			as_json(r, amgr_clu_list(as_mgr));
			return;
		}
		clu = amgr_clu_get(as_mgr, it[0]);
		if (!clu) {
			snprintf(err, sizeof(err), "AuthN: cluster %s does not exist", it[0]);
			as_err(r, AIS_ENOTFOUND, err);
			return;
		}
		as_json(r, clu);
		return;
	}
	if (!as_admin(r, &c))
		return;
	switch (r->method) {
	case HTTP_M_POST:
		if (n) {
			as_err(r, AIS_EINVAL, "invalid URL path: POST /v1/clusters registers a cluster");
			return;
		}
		if ((rc = abody_cluster(r->body, r->body_len, &clu, err, sizeof(err))) == 0)
			rc = amgr_clu_add(as_mgr, clu, err, sizeof(err));
		break;
	case HTTP_M_PUT:
		if (n != 1) {
			as_err(r, AIS_EINVAL, "cluster ID is required");
			return;
		}
		if ((rc = abody_cluster(r->body, r->body_len, &clu, err, sizeof(err))) == 0 &&
		    (rc = as_same_id(json_object_get(clu, "id"), it[0], "cluster ID", err, sizeof(err))) == 0)
			rc = amgr_clu_update(as_mgr, it[0], clu, err, sizeof(err));
		break;
	default:
		if (n != 1) {
			as_err(r, AIS_EINVAL, "cluster name or ID not defined");
			return;
		}
		rc = amgr_clu_del(as_mgr, it[0], err, sizeof(err));
		break;
	}
	json_decref(clu);
	as_done(r, rc, err);
}

/* ---- /v1/tokens, /v1/daemon, keys ---- */
static void as_tokens_cb(http_req_t *r)
{
	char err[512] = "", *tok = malloc(16384);
	if (!tok) {
		as_err(r, AIS_ENOMEM, "out of memory");
		return;
	}
	int rc = strcmp(r->path, "/v1/tokens") ? AIS_EINVAL : 0;
	if (rc)
		snprintf(err, sizeof(err), "invalid URL path %s", r->path);
	if (!rc && !(rc = abody_token(r->body, r->body_len, tok, 16384, err, sizeof(err))))
		rc = amgr_revoke(as_mgr, tok, err, sizeof(err));
	free(tok);
	as_done(r, rc, err);
}

static void as_daemon_cb(http_req_t *r)
{
	jwtv_claims_t c;
	char err[512] = "";
	if (!as_admin(r, &c))
		return;
	if (r->method == HTTP_M_GET) {
		as_json(r, amgr_conf(as_mgr));
		return;
	}
	as_done(r, amgr_conf_update(as_mgr, r->body, r->body_len, err, sizeof(err)), err);
}

static void as_pubkey_cb(http_req_t *r)
{
	char *p = amgr_pubkey(as_mgr);
	if (!p) {
		as_err(r, AIS_EINVAL, "current signing method does not have a public key");
		return;
	}
	json_t *j = json_pack("{s:s}", "public_key", p);
	free(p);
	as_json(r, j);
}

static void as_rotate_cb(http_req_t *r)
{
	jwtv_claims_t c;
	if (!as_admin(r, &c))
		return;
	char *p = amgr_pubkey(as_mgr);
	if (!p) {
		as_err(r, AIS_EINVAL, "rotation not supported for current signing method");
		return;
	}
	free(p);
	as_err(r, AIS_ENOTIMPL, "AuthN: signing key rotation is not built in aisauth");
}

static void as_oidc_cb(http_req_t *r) { as_json(r, amgr_oidc(as_mgr)); }

static void as_jwks_cb(http_req_t *r)
{
	json_t *j = amgr_jwks(as_mgr);
	if (!j) {
		as_err(r, AIS_EINVAL, "JWKS not available for current signing method");
		return;
	}
	http_hdr_add(r, "Cache-Control", "max-age=86400, public");
	as_json(r, j);
}

/* every handler reads a small body on the pool */
#define AS_ROUTE(name, cb)                                                                                             \
	static void name(http_req_t *r) { http_read_body(r, ABODY_MAX, cb, true); }
AS_ROUTE(as_users, as_users_cb)
AS_ROUTE(as_roles, as_roles_cb)
AS_ROUTE(as_clusters, as_clusters_cb)
AS_ROUTE(as_tokens, as_tokens_cb)
AS_ROUTE(as_daemon, as_daemon_cb)
AS_ROUTE(as_pubkey, as_pubkey_cb)
AS_ROUTE(as_rotate, as_rotate_cb)
AS_ROUTE(as_oidc, as_oidc_cb)
AS_ROUTE(as_jwks, as_jwks_cb)

void aserv_init(amgr_t *m)
{
	const unsigned crud = RM(HTTP_M_GET) | RM(HTTP_M_POST) | RM(HTTP_M_PUT) | RM(HTTP_M_DELETE);
	as_mgr = m;
	route_add(crud, "/v1/users", as_users);
	route_add(crud, "/v1/roles", as_roles);
	route_add(crud, "/v1/clusters", as_clusters);
	route_add(RM(HTTP_M_DELETE), "/v1/tokens", as_tokens);
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_PUT), "/v1/daemon", as_daemon);
	route_add(RM(HTTP_M_GET), "/v1/public-key", as_pubkey);
	route_add(RM(HTTP_M_POST), "/v1/rotate-key", as_rotate);
	route_add(RM(HTTP_M_GET), "/.well-known/openid-configuration", as_oidc);
	route_add(RM(HTTP_M_GET), "/.well-known/jwks.json", as_jwks);
}
