/* jwks: see jwks.h. Pure parsing and key conversion (jansson, OpenSSL 3 EVP_PKEY_fromdata). */
#include "auth/jwks.h"
#include "core/ckey.h"
#include "core/err.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JK_N_MAX 2048 /* modulus bytes: 16384 bits */

int jwks_parse_discovery(const char *js, size_t len, char *uri, size_t cap)
{
	json_t *j = json_loadb(js, len, 0, NULL);
	json_t *u = json_object_get(j, "jwks_uri");
	const char *s = json_string_value(u);
	int rc = s && *s && json_string_length(u) < cap && !memchr(s, '\0', json_string_length(u)) ? 0 : AIS_EINVAL;
	if (!rc)
		snprintf(uri, cap, "%s", s);
	json_decref(j);
	return rc;
}

/* base64url (padding tolerated) into a BIGNUM; NULL when malformed or larger than max bytes */
static BIGNUM *jk_bn(const char *b64, size_t max)
{
	size_t n = strlen(b64);
	while (n && b64[n - 1] == '=')
		n--;
	if (!n || n > (max * 4 + 2) / 3 + 1)
		return NULL;
	uint8_t buf[JK_N_MAX + 4];
	long m = ckey_b64url_dec(b64, n, buf, sizeof(buf));
	if (m <= 0 || (size_t)m > max)
		return NULL;
	return BN_bin2bn(buf, (int)m, NULL);
}

int jwks_rsa_pem(const char *n_b64, const char *e_b64, char **pem)
{
	*pem = NULL;
	BIGNUM *n = jk_bn(n_b64, JK_N_MAX), *e = jk_bn(e_b64, 8);
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	int rc = AIS_EINVAL;
	if (!n || !e || BN_num_bits(n) < 1024 || !BN_is_odd(n) || !BN_is_odd(e) || BN_num_bits(e) < 2)
		goto out;
	rc = AIS_ENOMEM;
	if (!(bld = OSSL_PARAM_BLD_new()) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)))
		goto out;
	rc = AIS_EINVAL;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	rc = AIS_ENOMEM;
	if (!(bio = BIO_new(BIO_s_mem())) || !PEM_write_bio_PUBKEY(bio, pk))
		goto out;
	char *p;
	long plen = BIO_get_mem_data(bio, &p);
	if (plen <= 0 || !(*pem = malloc((size_t)plen + 1)))
		goto out;
	memcpy(*pem, p, (size_t)plen);
	(*pem)[plen] = '\0';
	rc = 0;
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return rc;
}

/* one JWK into k: 0 when it is a usable RSA signing key */
static int jk_key(json_t *e, jwks_key_t *k)
{
	const char *kty = json_string_value(json_object_get(e, "kty"));
	const char *use = json_string_value(json_object_get(e, "use"));
	const char *kid = json_string_value(json_object_get(e, "kid"));
	const char *alg = json_string_value(json_object_get(e, "alg"));
	const char *n = json_string_value(json_object_get(e, "n"));
	const char *x = json_string_value(json_object_get(e, "e"));
	if (!kty || strcmp(kty, "RSA") || (use && strcmp(use, "sig")) || !n || !x)
		return AIS_EINVAL;
	if ((kid && strlen(kid) >= sizeof(k->kid)) || (alg && strlen(alg) >= sizeof(k->alg)))
		return AIS_EINVAL;
	if (alg && strcmp(alg, "RS256") && strcmp(alg, "RS384") && strcmp(alg, "RS512"))
		return AIS_EINVAL;
	memset(k, 0, sizeof(*k));
	snprintf(k->kid, sizeof(k->kid), "%s", kid ? kid : "");
	snprintf(k->alg, sizeof(k->alg), "%s", alg ? alg : "");
	return jwks_rsa_pem(n, x, &k->pem);
}

int jwks_parse(const char *js, size_t len, jwks_set_t *out)
{
	memset(out, 0, sizeof(*out));
	json_t *j = json_loadb(js, len, 0, NULL);
	json_t *keys = json_object_get(j, "keys"), *e;
	size_t i;
	if (!json_is_array(keys)) {
		json_decref(j);
		return AIS_EINVAL;
	}
	json_array_foreach(keys, i, e) {
		if (out->n == JWKS_MAX_KEYS)
			break;
		if (!jk_key(e, &out->keys[out->n]))
			out->n++;
	}
	json_decref(j);
	return 0;
}

void jwks_set_free(jwks_set_t *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->keys[i].pem);
	s->n = 0;
}

const jwks_key_t *jwks_find(const jwks_set_t *s, const char *kid)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i].kid, kid ? kid : ""))
			return &s->keys[i];
	return NULL;
}
