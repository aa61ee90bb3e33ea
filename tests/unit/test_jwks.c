/* test_jwks: OIDC discovery and JWKS parsing (auth/jwks.c): a JWK's n/e become the same PEM public
 * key OpenSSL writes for the original key, and libjwt verifies an RS256 token signed with the
 * private key using it; unusable keys (EC, "use": "enc", HS alg, small or malformed modulus, even
 * exponent) are skipped; discovery needs a jwks_uri. Plus the OIDC branch of jwtv_verify that
 * decides before any fetch (issuer not allowed, no kid, not RS*), and audience lists. */
#include "auth/jwks.h"
#include "auth/jwtv.h"
#include "core/ckey.h"
#include "core/err.h"

#include <criterion/criterion.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* base64url of a BIGNUM */
static char *b64bn(const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	uint8_t *b = malloc((size_t)n);
	BN_bn2bin(bn, b);
	char *out = malloc((size_t)n * 2 + 8);
	cr_assert(ckey_b64url(b, (size_t)n, out, (size_t)n * 2 + 8) > 0);
	free(b);
	return out;
}

static char *pem_of(EVP_PKEY *pk, bool priv)
{
	BIO *bio = BIO_new(BIO_s_mem());
	cr_assert(priv ? PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_PUBKEY(bio, pk));
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	char *s = strndup(p, (size_t)n);
	BIO_free(bio);
	return s;
}

typedef struct {
	EVP_PKEY *pk;
	char *n, *e;
} rsakey_t;

static rsakey_t gen(unsigned bits)
{
	rsakey_t k = {.pk = EVP_RSA_gen(bits)};
	cr_assert(k.pk);
	BIGNUM *n = NULL, *e = NULL;
	cr_assert(EVP_PKEY_get_bn_param(k.pk, OSSL_PKEY_PARAM_RSA_N, &n));
	cr_assert(EVP_PKEY_get_bn_param(k.pk, OSSL_PKEY_PARAM_RSA_E, &e));
	k.n = b64bn(n);
	k.e = b64bn(e);
	BN_free(n);
	BN_free(e);
	return k;
}

static void drop(rsakey_t *k)
{
	EVP_PKEY_free(k->pk);
	free(k->n);
	free(k->e);
}

Test(jwks, rsa_jwk_to_pem_matches_openssl)
{
	rsakey_t k = gen(2048);
	char *pem = NULL, *want = pem_of(k.pk, false);
	cr_assert_eq(jwks_rsa_pem(k.n, k.e, &pem), 0);
	cr_assert_str_eq(pem, want);
	/* libjwt verifies a token signed with the private key using the converted key */
	char *priv = pem_of(k.pk, true);
	jwt_t *t = NULL;
	cr_assert_eq(jwt_new(&t), 0);
	jwt_add_grant(t, "sub", "u");
	cr_assert_eq(jwt_set_alg(t, JWT_ALG_RS256, (const unsigned char *)priv, (int)strlen(priv)), 0);
	char *tok = jwt_encode_str(t);
	jwt_free(t);
	cr_assert(tok);
	jwt_t *d = NULL;
	cr_assert_eq(jwt_decode(&d, tok, (const unsigned char *)pem, (int)strlen(pem)), 0);
	cr_assert_str_eq(jwt_get_grant(d, "sub"), "u");
	jwt_free(d);
	/* another key's PEM does not verify it */
	rsakey_t o = gen(2048);
	char *opem = NULL;
	cr_assert_eq(jwks_rsa_pem(o.n, o.e, &opem), 0);
	d = NULL;
	cr_assert_neq(jwt_decode(&d, tok, (const unsigned char *)opem, (int)strlen(opem)), 0);
	jwt_free(d);
	free(tok), free(priv), free(pem), free(want), free(opem);
	drop(&k), drop(&o);
}

Test(jwks, bad_numbers_refused)
{
	rsakey_t small = gen(512), k = gen(2048);
	char *pem = NULL;
	cr_assert_eq(jwks_rsa_pem(small.n, small.e, &pem), AIS_EINVAL); /* below 1024 bits */
	cr_assert_eq(jwks_rsa_pem(k.n, "AAI", &pem), AIS_EINVAL);       /* e = 2: even */
	cr_assert_eq(jwks_rsa_pem(k.n, "AQ", &pem), AIS_EINVAL);        /* e = 1 */
	cr_assert_eq(jwks_rsa_pem("!!!", k.e, &pem), AIS_EINVAL);
	cr_assert_eq(jwks_rsa_pem("", k.e, &pem), AIS_EINVAL);
	cr_assert_null(pem);
	/* padding is tolerated */
	char padded[1024];
	snprintf(padded, sizeof(padded), "%s==", k.e);
	cr_assert_eq(jwks_rsa_pem(k.n, padded, &pem), 0);
	free(pem);
	drop(&small), drop(&k);
}

Test(jwks, parse_set_skips_unusable)
{
	rsakey_t a = gen(2048), b = gen(2048);
	char doc[8192];
	snprintf(doc, sizeof(doc),
		 "{\"keys\":["
		 "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"%s\",\"e\":\"%s\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"hs\",\"alg\":\"HS256\",\"n\":\"%s\",\"e\":\"%s\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"bad\",\"n\":\"***\",\"e\":\"AQAB\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"k2\",\"n\":\"%s\",\"e\":\"%s\"},"
		 "\"junk\", 5, null]}",
		 a.n, a.e, a.n, a.e, a.n, a.e, b.n, b.e);
	jwks_set_t s;
	cr_assert_eq(jwks_parse(doc, strlen(doc), &s), 0);
	cr_assert_eq(s.n, 2);
	const jwks_key_t *k1 = jwks_find(&s, "k1"), *k2 = jwks_find(&s, "k2");
	cr_assert(k1 && k2);
	cr_assert_str_eq(k1->alg, "RS256");
	cr_assert_str_eq(k2->alg, "");
	char *want = pem_of(b.pk, false);
	cr_assert_str_eq(k2->pem, want);
	cr_assert_null(jwks_find(&s, "enc"));
	cr_assert_null(jwks_find(&s, "nope"));
	jwks_set_free(&s);
	free(want);
	cr_assert_eq(jwks_parse("{\"keys\":{}}", 11, &s), AIS_EINVAL);
	cr_assert_eq(jwks_parse("[]", 2, &s), AIS_EINVAL);
	cr_assert_eq(jwks_parse("{\"keys\":[]}", 11, &s), 0);
	cr_assert_eq(s.n, 0);
	drop(&a), drop(&b);
}

Test(jwks, discovery)
{
	char uri[JWKS_URI_MAX];
	const char *ok = "{\"issuer\":\"https://i\",\"jwks_uri\":\"https://i/keys\"}";
	cr_assert_eq(jwks_parse_discovery(ok, strlen(ok), uri, sizeof(uri)), 0);
	cr_assert_str_eq(uri, "https://i/keys");
	cr_assert_eq(jwks_parse_discovery("{\"issuer\":\"x\"}", 14, uri, sizeof(uri)), AIS_EINVAL);
	cr_assert_eq(jwks_parse_discovery("{\"jwks_uri\":5}", 14, uri, sizeof(uri)), AIS_EINVAL);
	cr_assert_eq(jwks_parse_discovery("{\"jwks_uri\":\"\"}", 15, uri, sizeof(uri)), AIS_EINVAL);
	cr_assert_eq(jwks_parse_discovery("not json", 8, uri, sizeof(uri)), AIS_EINVAL);
	cr_assert_eq(jwks_parse_discovery(ok, strlen(ok), uri, 5), AIS_EINVAL);
}

/* ---- jwtv: the OIDC branch's checks before any fetch; audience lists */

static char *mk(jwt_alg_t alg, const char *key, const char *kid, const char *claims)
{
	jwt_t *t = NULL;
	cr_assert_eq(jwt_new(&t), 0);
	cr_assert_eq(jwt_add_grants_json(t, claims), 0);
	if (kid)
		jwt_add_header(t, "kid", kid);
	cr_assert_eq(jwt_set_alg(t, alg, (const unsigned char *)key, (int)strlen(key)), 0);
	char *s = jwt_encode_str(t);
	jwt_free(t);
	return s;
}

Test(jwks, jwtv_oidc_refusals_before_fetch)
{
	rsakey_t k = gen(2048);
	char *priv = pem_of(k.pk, true), why[400];
	jwtv_conf_t conf = {.method = "", .key = "", .aud = "", .version = 1,
			    .oidc_iss = "https://a.example\nhttps://b.example", .oidc_ca = "", .jwks_rot_ns = 0};
	jwtv_claims_t c;
	char *t = mk(JWT_ALG_RS256, priv, "k1", "{\"sub\":\"u\",\"exp\":1800000000,\"iss\":\"https://evil.example\"}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "not in configured allowed list"), "%s", why);
	free(t);
	t = mk(JWT_ALG_RS256, priv, NULL, "{\"sub\":\"u\",\"exp\":1800000000,\"iss\":\"https://b.example\"}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "kid"), "%s", why);
	free(t);
	t = mk(JWT_ALG_RS256, priv, "k1", "{\"sub\":\"u\",\"exp\":1800000000}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "missing 'iss'"), "%s", why);
	free(t);
	t = mk(JWT_ALG_HS256, "secret", "k1", "{\"sub\":\"u\",\"exp\":1800000000,\"iss\":\"https://a.example\"}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "RS256"), "%s", why);
	free(t);
	free(priv);
	drop(&k);
}

Test(jwks, jwtv_audience_list_any_match)
{
	jwtv_conf_t conf = {.method = "HS256", .key = "k", .aud = "aud-1\naud-2", .version = 1};
	jwtv_claims_t c;
	char why[256];
	char *t = mk(JWT_ALG_HS256, "k", NULL, "{\"sub\":\"u\",\"exp\":1800000000,\"aud\":\"aud-2\"}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), 0);
	free(t);
	t = mk(JWT_ALG_HS256, "k", NULL, "{\"sub\":\"u\",\"exp\":1800000000,\"aud\":[\"x\",\"aud-1\"]}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), 0);
	free(t);
	t = mk(JWT_ALG_HS256, "k", NULL, "{\"sub\":\"u\",\"exp\":1800000000,\"aud\":\"aud-\"}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS256, "k", NULL, "{\"sub\":\"u\",\"exp\":1800000000}");
	cr_assert_eq(jwtv_verify(&conf, t, 1700000000, &c, why, sizeof(why)), AIS_EAUTH);
	free(t);
}
