/* test_jwtv: JWT verification (auth/jwtv.c) with tokens made by libjwt here: HS256 accepted with
 * the right key only; the header alg must be the configured one (HS512, "none", an HS256 token
 * keyed with an RSA public key are refused); exp, sub and aud are required as configured; the
 * cache answers the same; AIStore's permission rules (admin, cluster ACL, bucket ACL, default
 * cluster). */
#include "auth/jwtv.h"
#include "core/err.h"

#include <criterion/criterion.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000LL
static const char *KEY = "unit-secret";

static char *mk(jwt_alg_t alg, const char *key, const char *claims)
{
	jwt_t *t = NULL;
	cr_assert_eq(jwt_new(&t), 0);
	cr_assert_eq(jwt_add_grants_json(t, claims), 0);
	cr_assert_eq(jwt_set_alg(t, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0), 0);
	char *s = jwt_encode_str(t);
	jwt_free(t);
	cr_assert(s);
	return s;
}

static int ver(const char *method, const char *aud, const char *tok, jwtv_claims_t *c)
{
	char why[256];
	jwtv_conf_t conf = {.method = method, .key = KEY, .aud = aud, .version = 1};
	return jwtv_verify(&conf, tok, NOW, c, why, sizeof(why));
}

Test(jwtv, hs256_ok_and_claims)
{
	char *t = mk(JWT_ALG_HS256, KEY,
		     "{\"sub\":\"u1\",\"exp\":1700000100,\"admin\":false,\"clusters\":[{\"id\":\"C1\",\"perm\":\"12288\"}],"
		     "\"buckets\":[{\"bck\":{\"name\":\"a\",\"provider\":\"ais\",\"namespace\":{\"uuid\":\"C1\"}},\"perm\":\"771\"}]}");
	jwtv_claims_t c;
	cr_assert_eq(ver("HS256", "", t, &c), 0);
	cr_assert_str_eq(c.sub, "u1");
	cr_assert_eq(c.exp, 1700000100);
	cr_assert_eq(c.nclu, 1);
	cr_assert_eq(c.clu[0].perm, 12288u);
	cr_assert_eq(c.nbck, 1);
	cr_assert_str_eq(c.bck[0].name, "a");
	cr_assert_eq(c.bck[0].perm, 771u);
	cr_assert_eq(ver("HMAC", "", t, &c), 0); /* AIStore's alias */
	free(t);
}

Test(jwtv, refused)
{
	jwtv_claims_t c;
	char *t;
	t = mk(JWT_ALG_HS256, "other-key", "{\"sub\":\"u\",\"exp\":1700000100}");
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS512, KEY, "{\"sub\":\"u\",\"exp\":1700000100}");
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_NONE, NULL, "{\"sub\":\"u\",\"exp\":1700000100,\"admin\":true}");
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\",\"exp\":1699999999}"); /* expired */
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\"}"); /* no exp */
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS256, KEY, "{\"exp\":1700000100,\"admin\":true}"); /* no sub */
	cr_assert_eq(ver("HS256", "", t, &c), AIS_EAUTH);
	free(t);
	t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\",\"exp\":1700000100,\"aud\":\"x\"}");
	cr_assert_eq(ver("HS256", "ais", t, &c), AIS_EAUTH);
	cr_assert_eq(ver("HS256", "x", t, &c), 0);
	free(t);
	t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\",\"exp\":1700000100,\"aud\":[\"y\",\"ais\"]}");
	cr_assert_eq(ver("HS256", "ais", t, &c), 0);
	free(t);
	/* RS256 configured: an HS256 token is refused before any key is used */
	t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\",\"exp\":1700000100}");
	cr_assert_eq(ver("RS256", "", t, &c), AIS_EAUTH);
	free(t);
	static const char *junk[] = {"", "a", "a.b", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", ".."};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(ver("HS256", "", junk[i], &c), AIS_EAUTH, "%s", junk[i]);
}

Test(jwtv, cache)
{
	jwtv_claims_t c;
	char why[256];
	jwtv_conf_t conf = {.method = "HS256", .key = KEY, .aud = "", .version = 7};
	char *t = mk(JWT_ALG_HS256, KEY, "{\"sub\":\"u\",\"exp\":1700000100,\"admin\":true}");
	cr_assert_eq(jwtv_verify_cached(&conf, t, NOW, &c, why, sizeof(why)), 0);
	cr_assert_eq(jwtv_verify_cached(&conf, t, NOW, &c, why, sizeof(why)), 0);
	cr_assert(c.admin);
	/* expired meanwhile: not served from the cache */
	cr_assert_eq(jwtv_verify_cached(&conf, t, 1700000100, &c, why, sizeof(why)), AIS_EAUTH);
	/* a key change (new config version) re-verifies */
	conf.key = "changed";
	conf.version = 8;
	cr_assert_eq(jwtv_verify_cached(&conf, t, NOW, &c, why, sizeof(why)), AIS_EAUTH);
	jwtv_cache_clear();
	free(t);
}

Test(jwtv, permissions)
{
	jwtv_claims_t c = {.nclu = 1, .nbck = 1};
	char why[256];
	snprintf(c.sub, sizeof(c.sub), "u");
	snprintf(c.clu[0].id, sizeof(c.clu[0].id), "C1");
	c.clu[0].perm = ACE_CLUSTER_RO;
	snprintf(c.bck[0].id, sizeof(c.bck[0].id), "C1");
	snprintf(c.bck[0].name, sizeof(c.bck[0].name), "a");
	c.bck[0].perm = ACE_ACCESS_RO;
	cr_assert_eq(jwtv_check(&c, "C1", "ais", "a", ACE_GET, why, sizeof(why)), 0);
	cr_assert_eq(jwtv_check(&c, "C1", "ais", "a", ACE_PUT, why, sizeof(why)), AIS_EFORBIDDEN);
	cr_assert_eq(jwtv_check(&c, "C1", "ais", "b", ACE_GET, why, sizeof(why)), AIS_EFORBIDDEN);
	cr_assert_eq(jwtv_check(&c, "C1", NULL, NULL, ACE_LIST_BUCKETS, why, sizeof(why)), 0);
	cr_assert_eq(jwtv_check(&c, "C1", NULL, NULL, ACE_CREATE_BUCKET, why, sizeof(why)), AIS_EFORBIDDEN);
	cr_assert_eq(jwtv_check(&c, "C2", NULL, NULL, ACE_LIST_BUCKETS, why, sizeof(why)), AIS_EFORBIDDEN);
	cr_assert_eq(jwtv_check(&c, "C2", "ais", "a", ACE_GET, why, sizeof(why)), AIS_EFORBIDDEN); /* other cluster */
	cr_assert_eq(jwtv_check(&c, "C1", NULL, NULL, ACE_ADMIN, why, sizeof(why)), AIS_EFORBIDDEN);
	cr_assert_eq(jwtv_check(&c, "C1", "ais", "a", 0, why, sizeof(why)), AIS_EFORBIDDEN);
	/* a default cluster ACL ("") with object bits covers buckets without their own ACL */
	snprintf(c.clu[0].id, sizeof(c.clu[0].id), "%s", "");
	c.clu[0].perm = ACE_CLUSTER_RO | ACE_ACCESS_RW;
	cr_assert_eq(jwtv_check(&c, "C9", "ais", "b", ACE_PUT, why, sizeof(why)), 0);
	cr_assert_eq(jwtv_check(&c, "C9", "ais", "b", ACE_PATCH, why, sizeof(why)), AIS_EFORBIDDEN);
	c.admin = true;
	cr_assert_eq(jwtv_check(&c, "C1", NULL, NULL, ACE_ADMIN, why, sizeof(why)), 0);
}
