/* jwks: the pure half of OIDC issuer key discovery (docs/security.md, AIStore cmd/authn/tok
 * key_mgr.go): parse an issuer's openid-configuration for its jwks_uri, parse a JSON Web Key Set
 * (RFC 7517) and turn each RSA signing key ({"kty":"RSA","kid","n","e"}) into the PEM public key
 * libjwt verifies RS256/384/512 tokens with (OpenSSL builds the key from n and e).
 * Must not: do I/O (auth/oidc.h fetches), keep state. Keys of other types (EC, oct), keys meant
 * for encryption ("use": "enc") and malformed entries are skipped, never fatal; a set keeps at
 * most JWKS_MAX_KEYS keys. Ownership: a jwks_set_t owns its keys' PEM strings (jwks_set_free). */
#ifndef AIS_JWKS_H
#define AIS_JWKS_H

#include <stddef.h>

#define JWKS_MAX_KEYS 32
#define JWKS_KID_MAX 128
#define JWKS_URI_MAX 1024

typedef struct jwks_key {
	char kid[JWKS_KID_MAX]; /* "" when the JWK has none */
	char alg[16];           /* the JWK's alg ("" when absent): a token must use it */
	char *pem;              /* "-----BEGIN PUBLIC KEY-----..." (owned) */
} jwks_key_t;

typedef struct jwks_set {
	int n;
	jwks_key_t keys[JWKS_MAX_KEYS];
} jwks_set_t;

/* the jwks_uri of an openid-configuration document into uri: 0, or AIS_EINVAL (not JSON, no
 * jwks_uri, too long) */
int jwks_parse_discovery(const char *json, size_t len, char *uri, size_t cap);
/* parse a JWKS document: 0 and out filled (possibly with no usable key), or AIS_EINVAL when it is
 * not {"keys": [...]}; on success the caller frees with jwks_set_free */
int jwks_parse(const char *json, size_t len, jwks_set_t *out);
void jwks_set_free(jwks_set_t *s);
/* the key with kid (NULL: none) */
const jwks_key_t *jwks_find(const jwks_set_t *s, const char *kid);
/* an RSA public key from the JWK's base64url n and e as a PEM string (*pem owned by the caller,
 * free()): 0, or AIS_EINVAL (bad encoding, modulus below 1024 or above 16384 bits, even or
 * tiny exponent), AIS_ENOMEM */
int jwks_rsa_pem(const char *n_b64, const char *e_b64, char **pem);

#endif
