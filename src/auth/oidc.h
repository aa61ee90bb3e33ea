/* oidc: OIDC issuer key discovery and the JWKS cache (docs/security.md; AIStore cmd/authn/tok
 * key_mgr.go). When auth.signature.key is empty and auth.oidc.allowed_iss lists issuers, a token
 * is verified with the key its header's kid names in the JWKS of its iss:
 *   GET <iss>/.well-known/openid-configuration -> jwks_uri (https) -> GET jwks_uri -> keys by kid
 * fetched with libcurl over HTTPS only (auth.oidc.issuer_ca_bundle verifies the issuer's
 * certificate; empty: the system's CA store), cached per issuer. An unknown kid re-fetches its
 * issuer's JWKS at most once per auth.oidc.jwks_cache.min_rotation_refresh; a background thread
 * re-fetches every cached set each min_background_refresh and prefetches the configured issuers
 * (with auth.enabled)
 * (so the first token of an issuer normally finds its key cached).
 * A fetch on the request path (first key of an issuer, a rotated key) blocks the calling thread
 * for at most OIDC_FETCH_TIMEOUT_MS per document. Thread-safe; the cache lives until exit. */
#ifndef AIS_OIDC_H
#define AIS_OIDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OIDC_MAX_ISSUERS 16
#define OIDC_FETCH_TIMEOUT_MS 3000
#define OIDC_DOC_MAX (1 << 20) /* openid-configuration and JWKS documents */

typedef struct oidc_params {
	const char *allowed; /* the allowed issuers, '\n'-joined (config auth.oidc.allowed_iss) */
	const char *ca;      /* CA bundle file, or "" */
	int64_t rot_ns;      /* min_rotation_refresh (0: 30s) */
} oidc_params_t;

/* is iss one of the '\n'-joined allowed issuers? */
bool oidc_allowed(const char *allowed, const char *iss);
/* the PEM public key (into pem) and the JWK's alg ("" none, into alg) of (iss, kid); iss must be
 * allowed (the caller checks). 0, or AIS_EAUTH with why filled. */
int oidc_key(const oidc_params_t *p, const char *iss, const char *kid, char *pem, size_t pcap, char *alg, size_t acap,
	     char *why, size_t wcap);
/* start the background refresh thread (idempotent); it reads the current config each second */
void oidc_start(void);
/* drop every cached key set (tests) */
void oidc_cache_clear(void);

#endif
