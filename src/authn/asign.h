/* asign: the AuthN service's token signer (AIStore cmd/authn/signing): HS256 with a configured
 * secret (AIS_AUTHN_SECRET_KEY or auth.secret), else RS256 with an RSA key pair generated once
 * (OpenSSL EVP, auth.signing_key.bits, default 2048) and kept as a PKCS#8 PEM file of mode 0600
 * (AIStore's authn_rsa.key in the config dir, or AIS_AUTHN_PRIVATE_KEY_FILE), reused at every
 * start. RS256 tokens carry the key ID in their "kid" header: the RFC 7638 thumbprint of the
 * public key (as AIStore's jwk.AssignKeyID). Verification of the service's own tokens goes through
 * auth/jwtv with the public key or secret. Immutable after init except asign_set_secret (a config
 * update to a new HMAC secret); readers hold a reference (asign_get/asign_put). */
#ifndef AIS_ASIGN_H
#define AIS_ASIGN_H

#include <jansson.h>
#include <stddef.h>

#include "auth/jwtv.h"

typedef struct asign asign_t;

/* secret "" → RS256 with keyfile (created when absent; bits for a new key). 0 or AIS_E* + err */
int asign_new(const char *secret, const char *keyfile, int bits, asign_t **out, char *err, size_t cap);
void asign_free(asign_t *s);
/* "HS256" or "RS256" */
const char *asign_method(const asign_t *s);
/* sign claims (borrowed): a new token (caller frees), or NULL */
char *asign_sign(const asign_t *s, json_t *claims);
/* verify a token this signer issued at now: 0 and c filled, or AIS_EAUTH with why */
int asign_verify(const asign_t *s, const char *token, long long now, jwtv_claims_t *c, char *why, size_t cap);
/* the PEM public key (RS256) or NULL */
const char *asign_pubkey(const asign_t *s);
/* the key ID (RS256) or "" */
const char *asign_kid(const asign_t *s);
/* {"keys": [{"kty","n","e","kid","alg","use"}]} (RS256), else NULL; new reference */
json_t *asign_jwks(const asign_t *s);
/* what a cluster compares with its own key (AIStore authn.ServerConf): {"secret": sha256 hex of
 * the secret} or {"public_key": PEM}; new reference */
json_t *asign_validation_conf(const asign_t *s);

#endif
