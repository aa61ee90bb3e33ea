/* unit tests: authn/asign.c (the AuthN token signer): RS256 with a key pair generated once, stored
 * 0600 and reloaded (same kid, old tokens still verify), kid = RFC 7638 thumbprint shape, a token
 * of another key or a tampered one fails, a group-readable key file is refused; HS256 with a
 * secret: no JWKS or public key, the validation conf is the secret's SHA-256 in hex. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authn/asign.h"
#include "core/err.h"

static char sg_dir[256], sg_key[300];

static void sg_setup(void)
{
	snprintf(sg_dir, sizeof(sg_dir), "/tmp/test_authn_sign.XXXXXX");
	cr_assert_not_null(mkdtemp(sg_dir));
	snprintf(sg_key, sizeof(sg_key), "%s/authn_rsa.key", sg_dir);
}

static void sg_teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sg_dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(authn_sign, .init = sg_setup, .fini = sg_teardown);

static char *sg_token(asign_t *s, const char *sub, long long exp)
{
	json_t *c = json_pack("{s:s, s:I, s:b}", "sub", sub, "exp", (json_int_t)exp, "admin", 0);
	char *t = asign_sign(s, c);
	json_decref(c);
	cr_assert_not_null(t);
	return t;
}

Test(authn_sign, rs256_persisted_key)
{
	asign_t *s = NULL, *s2 = NULL;
	char err[256], why[256];
	long long now = (long long)time(NULL);
	cr_assert_eq(asign_new("", sg_key, 2048, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(asign_method(s), "RS256");
	struct stat st;
	cr_assert_eq(stat(sg_key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(strlen(asign_kid(s)), 43); /* base64url(SHA-256) */
	cr_assert_not_null(strstr(asign_pubkey(s), "BEGIN PUBLIC KEY"));
	json_t *jwks = asign_jwks(s);
	json_t *k = json_array_get(json_object_get(jwks, "keys"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(k, "kid")), asign_kid(s));
	cr_assert_str_eq(json_string_value(json_object_get(k, "e")), "AQAB");
	json_decref(jwks);
	char *t = sg_token(s, "alice", now + 600);
	jwtv_claims_t c;
	cr_assert_eq(asign_verify(s, t, now, &c, why, sizeof(why)), 0, "%s", why);
	cr_assert_str_eq(c.sub, "alice");
	/* reloaded: same key, the old token verifies */
	cr_assert_eq(asign_new("", sg_key, 2048, &s2, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(asign_kid(s2), asign_kid(s));
	cr_assert_eq(asign_verify(s2, t, now, &c, why, sizeof(why)), 0, "%s", why);
	/* expired, tampered, another signer's */
	cr_assert_eq(asign_verify(s2, t, now + 3600, &c, why, sizeof(why)), AIS_EAUTH);
	char *bad = strdup(t);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	cr_assert_eq(asign_verify(s2, bad, now, &c, why, sizeof(why)), AIS_EAUTH);
	free(bad);
	asign_t *h = NULL;
	cr_assert_eq(asign_new("a-secret", NULL, 0, &h, err, sizeof(err)), 0);
	cr_assert_eq(asign_verify(h, t, now, &c, why, sizeof(why)), AIS_EAUTH, "RS256 token vs HS256 signer");
	json_t *vc = asign_validation_conf(s);
	cr_assert_str_eq(json_string_value(json_object_get(vc, "public_key")), asign_pubkey(s));
	json_decref(vc);
	free(t);
	asign_free(h);
	asign_free(s2);
	asign_free(s);
	/* a key file others may read is refused */
	chmod(sg_key, 0640);
	cr_assert_eq(asign_new("", sg_key, 2048, &s, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_null(s);
}

Test(authn_sign, hs256)
{
	asign_t *s = NULL;
	char err[256], why[256];
	long long now = (long long)time(NULL);
	cr_assert_eq(asign_new("keyForSigningTokens", NULL, 0, &s, err, sizeof(err)), 0);
	cr_assert_str_eq(asign_method(s), "HS256");
	cr_assert_null(asign_jwks(s));
	cr_assert_null(asign_pubkey(s));
	cr_assert_str_eq(asign_kid(s), "");
	char *t = sg_token(s, "bob", now + 60);
	jwtv_claims_t c;
	cr_assert_eq(asign_verify(s, t, now, &c, why, sizeof(why)), 0, "%s", why);
	json_t *vc = asign_validation_conf(s);
	/* sha256("keyForSigningTokens") */
	const char *hex = json_string_value(json_object_get(vc, "secret"));
	cr_assert_str_eq(hex, "6412681137812f51f71a1c11158d8058c2c01a222c324e987a0c8de841abc0a3");
	json_decref(vc);
	free(t);
	asign_free(s);
}
