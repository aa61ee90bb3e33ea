/* ptokens: the proxy's /v1/tokens endpoint for the AuthN service (AIStore ais/prxauth.go
 * tokenHandler):
 *   POST   {"secret": <sha256 hex of the HMAC secret>} or {"public_key": <PEM>} (authn.ServerConf):
 *          does this cluster validate tokens with that key? 200, 403 (another key), 400 (the
 *          cluster is not configured for that kind of key). AuthN calls it before registering.
 *   DELETE {"tokens": [...], "version": "N"} (authn.TokenList): revoke; a non-primary proxy
 *          relays to the primary, which adds the tokens (auth/revoke.h) and metasyncs the list
 *          to every node.
 * With auth.enabled both need an admin token (auth/agate.c classifies /v1/tokens as ADMIN; AIStore
 * requires none - our AuthN sends a short-lived admin token of its own). */
#include "auth/revoke.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/route.h"
#include "proxy/proxy.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static EVP_PKEY *ptok_pem(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return k;
}

/* 0 (matches), or the HTTP status with msg filled */
static int ptok_validate(json_t *j, char *msg, size_t cap)
{
	const config_t *cfg = config_get();
	const char *m = cfg ? cfg->auth_sig_method : "";
	bool hmac = !strncasecmp(m, "HS", 2) || !strcasecmp(m, "HMAC"), rsa = !strncasecmp(m, "RS", 2) || !strcasecmp(m, "RSA");
	const char *sec = jsonx_str(j, "secret", ""), *pub = jsonx_str(j, "public_key", "");
	int st = 0;
	if (!*sec && !*pub) {
		st = 400;
		snprintf(msg, cap, "no secret or public key provided to validate");
	} else if (*pub) {
		EVP_PKEY *want = rsa ? ptok_pem(cfg->auth_sig_key) : NULL, *got = ptok_pem(pub);
		if (!want) {
			st = 400;
			snprintf(msg, cap, "cannot validate public key: AIS not configured with RSA");
		} else if (!got) {
			st = 400;
			snprintf(msg, cap, "invalid public key (%.16s...)", pub);
		} else if (EVP_PKEY_eq(want, got) != 1) {
			st = 403;
			snprintf(msg, cap, "provided public key (%.16s...) does not match cluster's public key", pub);
		}
		EVP_PKEY_free(want);
		EVP_PKEY_free(got);
	}
	if (!st && *sec) {
		if (!hmac || !cfg->auth_sig_key[0]) {
			st = 400;
			snprintf(msg, cap, "cannot validate secret checksum: AIS not configured with HMAC secret");
		} else {
			unsigned char d[SHA256_DIGEST_LENGTH];
			char hex[2 * SHA256_DIGEST_LENGTH + 1];
			SHA256((const unsigned char *)cfg->auth_sig_key, strlen(cfg->auth_sig_key), d);
			for (size_t i = 0; i < sizeof(d); i++)
				snprintf(hex + 2 * i, 3, "%02x", d[i]);
			if (strcasecmp(hex, sec)) {
				st = 403;
				snprintf(msg, cap, "invalid secret sha256(%.8s...)", sec);
			}
		}
	}
	config_put(cfg);
	return st;
}

static void ptok_post(http_req_t *r)
{
	/* authn.ServerConf: only secret/public_key carry meaning here; the rest must be empty */
	static const char *const ok[] = {"secret", "public_key", "expiration_time", "max_token_age", "rsa_key_bits",
					 "signing_key", "db", NULL};
	json_error_t je;
	char msg[320];
	json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		http_error(r, 400, NULL, "invalid key validation request: %s", r->body_len ? je.text : "empty body");
		return;
	}
	jsonx_canon_keys(j, ok);
	const char *bad = jsonx_unknown_key(j, ok);
	json_t *s = json_object_get(j, "secret"), *p = json_object_get(j, "public_key");
	int st = 0;
	if (bad) {
		st = 400;
		snprintf(msg, sizeof(msg), "invalid key validation request: unknown field \"%.64s\"", bad);
	} else if ((s && !json_is_string(s) && !json_is_null(s)) || (p && !json_is_string(p) && !json_is_null(p))) {
		st = 400;
		snprintf(msg, sizeof(msg), "invalid key validation request: secret and public_key must be strings");
	} else {
		st = ptok_validate(j, msg, sizeof(msg));
	}
	json_decref(j);
	if (st)
		http_error(r, st, NULL, "%s", msg);
	else
		http_respond(r, 200, NULL, NULL, 0);
}

static void ptok_delete(http_req_t *r)
{
	char err[256];
	json_t *toks = NULL;
	if (revoke_parse(r->body, r->body_len, &toks, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		return;
	}
	if (!node_is_primary()) {
		json_decref(toks);
		pfwd_to_primary(r);
		return;
	}
	int rc = revoke_add(toks, err, sizeof(err));
	json_decref(toks);
	if (rc) {
		http_error(r, 400, NULL, "revoke token: %s", err);
		return;
	}
	metasync_lock();
	int lag = metasync_push_all(NULL);
	metasync_unlock();
	if (lag)
		log_warn("revoked tokens: %d nodes did not take the list yet", lag);
	http_respond(r, 200, NULL, NULL, 0);
}

static void ptok_cb(http_req_t *r)
{
	if (strcmp(r->path, "/v1/tokens")) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/tokens", r->path);
		return;
	}
	if (r->method == HTTP_M_POST)
		ptok_post(r);
	else
		ptok_delete(r);
}

static void ptok(http_req_t *r) { http_read_body(r, 64u << 20, ptok_cb, true); }

int ptokens_init(void)
{
	route_add(RM(HTTP_M_POST) | RM(HTTP_M_DELETE), "/v1/tokens", ptok);
	return 0;
}
