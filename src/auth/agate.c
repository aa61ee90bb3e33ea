/* agate: see agate.h. Stateless: reads the current config and Smap per request; the verified
 * tokens are cached by jwtv. Must not: let a request through whose token did not verify (when
 * auth.enabled), or check intra-cluster requests (r->caller set by route.c). */
#include "auth/agate.h"
#include "auth/jwtv.h"
#include "auth/revoke.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/rsig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* bucket from "/v1/<what>/<bck>[/...]" into op (provider from the query, "ais" by default) */
static void ag_bck(const http_req_t *r, size_t plen, agate_op_t *op)
{
	const char *b = r->path + plen;
	size_t n = strcspn(b, "/");
	snprintf(op->bck, sizeof(op->bck), "%.*s", (int)(n < sizeof(op->bck) ? n : 0), b);
	const char *p = http_query_get(r, "provider");
	snprintf(op->provider, sizeof(op->provider), "%s", p && *p ? p : "ais");
}

static bool ag_under(const char *path, const char *prefix, size_t *plen)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) || (path[n] && path[n] != '/'))
		return false;
	*plen = n + (path[n] == '/');
	return true;
}

int agate_classify(const http_req_t *r, agate_op_t *op)
{
	memset(op, 0, sizeof(*op));
	const char *p = r->path;
	size_t pl;
	http_method_t m = r->method;
	if (ag_under(p, "/v1/health", &pl) || ag_under(p, "/metrics", &pl))
		return 0;
	if (ag_under(p, "/v1/objects", &pl)) {
		ag_bck(r, pl, op);
		if (!op->bck[0])
			return AIS_EINVAL;
		op->ace = m == HTTP_M_GET ? ACE_GET : m == HTTP_M_HEAD ? ACE_OBJ_HEAD
			: m == HTTP_M_PUT ? (http_query_get(r, "append_type") ? ACE_APPEND : ACE_PUT)
			: m == HTTP_M_DELETE ? ACE_OBJ_DELETE : m == HTTP_M_PATCH ? ACE_OBJ_UPDATE : ACE_ACCESS_RW;
		return 0;
	}
	if (ag_under(p, "/v1/buckets", &pl)) {
		ag_bck(r, pl, op);
		if (!op->bck[0]) {
			op->ace = m == HTTP_M_GET || m == HTTP_M_HEAD ? ACE_LIST_BUCKETS : ACE_ADMIN;
			return 0;
		}
		switch (m) {
		case HTTP_M_GET: op->ace = ACE_OBJ_LIST; break;
		case HTTP_M_HEAD: op->ace = ACE_BCK_HEAD; break;
		case HTTP_M_PUT:
		case HTTP_M_PATCH: op->ace = ACE_PATCH; break;
		case HTTP_M_DELETE: op->ace = ACE_DESTROY_BUCKET | ACE_OBJ_DELETE; break;
		default: op->ace = ACE_ADMIN; break; /* POST actions: create, copy, rename, ... */
		}
		return 0;
	}
	bool ro = m == HTTP_M_GET || m == HTTP_M_HEAD;
	if (ag_under(p, "/v1/cluster", &pl) || ag_under(p, "/v1/daemon", &pl) || ag_under(p, "/v1/xactions", &pl)) {
		op->ace = ro ? ACE_SHOW_CLUSTER : ACE_ADMIN;
		return 0;
	}
	op->ace = ACE_ADMIN; /* everything else of the native API (and unknown paths) */
	return 0;
}

static void ag_conf(const config_t *cfg, jwtv_conf_t *jc)
{
	jc->method = cfg->auth_sig_method;
	jc->key = cfg->auth_sig_key;
	jc->aud = cfg->auth_aud;
	jc->version = cfg->version;
	jc->oidc_iss = cfg->auth_oidc_iss;
	jc->oidc_ca = cfg->auth_oidc_ca;
	jc->jwks_rot_ns = cfg->auth_jwks_rot_ns;
}

/* the Bearer token of r, or NULL */
static const char *ag_token(const http_req_t *r)
{
	const char *h = http_hdr_get(r, "Authorization");
	if (!h || strncmp(h, "Bearer ", 7) || !h[7])
		return NULL;
	return h + 7;
}

static int ag_deny(http_req_t *r, int status, const char *why)
{
	log_warn("%s %s from %s: %s", r->method_str, r->path, r->remote_addr, why);
	http_error(r, status, NULL, "%s", why);
	return 1;
}

int agate_check(http_req_t *r)
{
	const config_t *cfg = config_get();
	if (!cfg || !cfg->auth_enabled || r->caller[0]) {
		config_put(cfg);
		return 0;
	}
	bool s3 = strncmp(r->path, "/v1/", 4) && strcmp(r->path, "/v1") && strcmp(r->path, "/metrics");
	if (s3) {
		bool sigv4 = cfg->s3_auth;
		config_put(cfg);
		return sigv4 ? 0 : ag_deny(r, 401, "S3 API: with auth.enabled, S3 requests must be signed (s3.auth)");
	}
	agate_op_t op;
	if (agate_classify(r, &op)) {
		config_put(cfg);
		return 0; /* malformed: the handler answers 400 */
	}
	/* a redirect the cluster signed: the target verifies it (tobj.c, tmoss.c); the proxy checked the token */
	if (!op.ace || (node_role() == ROLE_TARGET && rsig_present(r) &&
			(!strncmp(r->path, "/v1/objects/", 12) || !strncmp(r->path, "/v1/ml/moss", 11)))) {
		config_put(cfg);
		return 0;
	}
	jwtv_conf_t jc;
	ag_conf(cfg, &jc);
	char why[256];
	jwtv_claims_t c;
	const char *tok = ag_token(r);
	int rc = tok ? jwtv_verify_cached(&jc, tok, (int64_t)time(NULL), &c, why, sizeof(why)) : AIS_EAUTH;
	config_put(cfg);
	if (!tok)
		snprintf(why, sizeof(why), "token required: no Authorization: Bearer token");
	if (tok && !rc && revoke_has(tok)) { /* AuthN revoked it (auth/revoke.h) */
		rc = AIS_EAUTH;
		snprintf(why, sizeof(why), "invalid token: token revoked");
	}
	if (rc)
		return ag_deny(r, 401, why);
	smap_t *m = smap_get();
	char cid[128];
	snprintf(cid, sizeof(cid), "%s", m ? m->uuid : "");
	smap_put(m);
	bool bucket = op.bck[0] && (op.ace & (ACE_ACCESS_RW | ACE_BUCKET_ADMIN));
	rc = jwtv_check(&c, cid, op.provider, bucket ? op.bck : NULL, op.ace, why, sizeof(why));
	return rc ? ag_deny(r, 403, why) : 0;
}

/* a JSON list of strings '\n'-joined into out (what does not fit is dropped) */
static void ag_join(json_t *a, char *out, size_t cap)
{
	size_t i, o = 0;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		if (s && o + strlen(s) + 2 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "\n" : "", s);
	}
}

int agate_enable_check(http_req_t *r, json_t *nc)
{
	json_t *a = json_object_get(nc, "auth");
	if (!json_is_true(json_object_get(a, "enabled")))
		return 0;
	const config_t *cfg = config_get();
	bool was = cfg && cfg->auth_enabled;
	config_put(cfg);
	if (was)
		return 0;
	/* the new config's signature, audiences and issuers (lists '\n'-joined as config_t keeps them) */
	json_t *sig = json_object_get(a, "signature"), *oidc = json_object_get(a, "oidc");
	char aud[CONFIG_LIST_MAX], iss[CONFIG_LIST_MAX];
	ag_join(json_object_get(json_object_get(a, "required_claims"), "aud"), aud, sizeof(aud));
	ag_join(json_object_get(oidc, "allowed_iss"), iss, sizeof(iss));
	int64_t rot = 0;
	parse_duration(jsonx_str(json_object_get(oidc, "jwks_cache"), "min_rotation_refresh", "0s"), &rot);
	jwtv_conf_t jc = {.method = jsonx_str(sig, "method", ""), .key = jsonx_str(sig, "key", ""), .aud = aud,
			  .version = -1, .oidc_iss = iss, .oidc_ca = jsonx_str(oidc, "issuer_ca_bundle", ""),
			  .jwks_rot_ns = rot};
	char why[256];
	jwtv_claims_t c;
	const char *tok = ag_token(r);
	if (!tok)
		return ag_deny(r, 401, "enabling JWT auth requires a valid token (Authorization: Bearer)");
	if (jwtv_verify(&jc, tok, (int64_t)time(NULL), &c, why, sizeof(why))) {
		char msg[320];
		snprintf(msg, sizeof(msg), "enabling JWT auth requires a valid token [err: %s]", why);
		return ag_deny(r, 401, msg);
	}
	if (!c.admin)
		return ag_deny(r, 401, "enabling JWT auth requires a token with an 'admin' claim");
	return 0;
}
