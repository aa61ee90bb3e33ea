/* unit tests: authn/apwd.c (PBKDF2-SHA256 password hashes) and authn/abody.c (the AuthN request
 * bodies): a hash verifies its password and nothing else, never contains the password, is salted
 * (two hashes of one password differ), refuses weak or malformed hashes; bodies are canonicalized
 * and bad ones refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "authn/abody.h"
#include "authn/apwd.h"
#include "core/err.h"

Test(authn_pwd, hash_and_verify)
{
	char h1[APWD_HASH_MAX], h2[APWD_HASH_MAX];
	cr_assert_eq(apwd_hash("s3cret-Pass", h1, sizeof(h1)), 0);
	cr_assert_eq(apwd_hash("s3cret-Pass", h2, sizeof(h2)), 0);
	cr_assert(strncmp(h1, "pbkdf2-sha256$120000$", 21) == 0, "%s", h1);
	cr_assert_null(strstr(h1, "s3cret"));
	cr_assert_str_neq(h1, h2); /* random salt */
	cr_assert(apwd_verify("s3cret-Pass", h1));
	cr_assert(apwd_verify("s3cret-Pass", h2));
	cr_assert_not(apwd_verify("s3cret-pass", h1));
	cr_assert_not(apwd_verify("s3cret-Pass ", h1));
	cr_assert_not(apwd_verify("", h1));
	cr_assert(apwd_is_hash(h1));
}

Test(authn_pwd, refuses_bad_input)
{
	char h[APWD_HASH_MAX], weak[APWD_HASH_MAX];
	cr_assert_eq(apwd_hash("", h, sizeof(h)), AIS_EINVAL);
	cr_assert_eq(apwd_hash("x", h, 10), AIS_EINVAL);
	/* a clear password, another format, a tampered or weak hash: never verify */
	cr_assert_not(apwd_verify("pw", "pw"));
	cr_assert_not(apwd_is_hash("pw"));
	cr_assert_eq(apwd_hash_iter("pw", 1000, weak, sizeof(weak)), 0);
	cr_assert_not(apwd_verify("pw", weak), "below the iteration floor");
	cr_assert_not(apwd_is_hash(weak));
	cr_assert_eq(apwd_hash("pw", h, sizeof(h)), 0);
	char t[APWD_HASH_MAX];
	memcpy(t, h, sizeof(t));
	t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
	cr_assert_not(apwd_verify("pw", t));
	cr_assert_not(apwd_verify("pw", "pbkdf2-sha256$120000$$"));
	cr_assert_not(apwd_verify("pw", "pbkdf2-sha256$99999999999$AAAA$AAAA"));
	cr_assert_not(apwd_verify("pw", "bcrypt$120000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

Test(authn_body, user_role_cluster)
{
	json_t *o = NULL;
	char err[256];
	const char *u = "{\"ID\":\"bob\",\"pass\":\"pw\",\"roles\":[{\"name\":\"Guest-x\",\"desc\":\"d\",\"clusters\":[{\"id\":\"c1\",\"perm\":\"771\"}]}]}";
	cr_assert_eq(abody_user(u, strlen(u), true, &o, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(o, "id")), "bob");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "roles"), 0)), "Guest-x");
	json_decref(o);
	const char *bad[] = {"{\"id\":\"bob\",\"password\":\"pw\"}", "{\"id\":\"b b\",\"pass\":\"pw\"}", "{\"id\":5}",
			     "[1]", "{", "{\"id\":\"bob\",\"roles\":{}}", "{\"id\":\"bob\",\"roles\":[{\"name\":\"x\",\"admin\":\"yes\"}]}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(abody_user(bad[i], strlen(bad[i]), true, &o, err, sizeof(err)), AIS_EINVAL, "%s", bad[i]);
		cr_assert_null(o);
	}
	const char *r = "{\"name\":\"r\",\"buckets\":[{\"bck\":{\"name\":\"b\",\"namespace\":{\"uuid\":\"U\"}},\"perm\":\"1\"}]}";
	cr_assert_eq(abody_role(r, strlen(r), true, &o, err, sizeof(err)), 0, "%s", err);
	json_t *b = json_object_get(json_array_get(json_object_get(o, "buckets"), 0), "bck");
	cr_assert_str_eq(json_string_value(json_object_get(b, "provider")), "ais");
	json_decref(o);
	const char *rbad[] = {"{\"name\":\"r\",\"clusters\":[{\"perm\":7}]}", "{\"name\":\"r\",\"clusters\":[{\"perm\":\"-1\"}]}",
			      "{\"name\":\"r\",\"clusters\":[{\"perm\":\"99999999999999999999\"}]}",
			      "{\"name\":\"r\",\"buckets\":[{\"bck\":{},\"perm\":\"1\"}]}", "{\"desc\":\"no name\"}"};
	for (size_t i = 0; i < sizeof(rbad) / sizeof(rbad[0]); i++)
		cr_assert_eq(abody_role(rbad[i], strlen(rbad[i]), true, &o, err, sizeof(err)), AIS_EINVAL, "%s", rbad[i]);
	const char *c = "{\"id\":\"U1\",\"alias\":\"a\",\"urls\":[\"http://h:1\"]}";
	cr_assert_eq(abody_cluster(c, strlen(c), &o, err, sizeof(err)), 0, "%s", err);
	json_decref(o);
	const char *cbad = "{\"id\":\"U1\",\"urls\":[\"ftp://h\"]}";
	cr_assert_eq(abody_cluster(cbad, strlen(cbad), &o, err, sizeof(err)), AIS_EINVAL);
}

Test(authn_body, login_and_token)
{
	char pass[64], tok[64], err[256];
	bool has;
	int64_t ns;
	const char *l = "{\"password\":\"pw\",\"expires_in\":3600000000000}";
	cr_assert_eq(abody_login(l, strlen(l), pass, sizeof(pass), &has, &ns, err, sizeof(err)), 0);
	cr_assert(has && ns == 3600000000000LL);
	cr_assert_str_eq(pass, "pw");
	l = "{\"password\":\"pw\",\"expires_in\":null}";
	cr_assert_eq(abody_login(l, strlen(l), pass, sizeof(pass), &has, &ns, err, sizeof(err)), 0);
	cr_assert_not(has);
	l = "{\"password\":\"pw\",\"expires_in\":\"1h\"}";
	cr_assert_eq(abody_login(l, strlen(l), pass, sizeof(pass), &has, &ns, err, sizeof(err)), AIS_EINVAL);
	const char *t = "{\"token\":\"a.b.c\"}";
	cr_assert_eq(abody_token(t, strlen(t), tok, sizeof(tok), err, sizeof(err)), 0);
	cr_assert_str_eq(tok, "a.b.c");
	t = "{\"token\":\"\"}";
	cr_assert_eq(abody_token(t, strlen(t), tok, sizeof(tok), err, sizeof(err)), AIS_EINVAL);
	uint64_t p;
	cr_assert(abody_perm("18446744073709551615", &p) && p == UINT64_MAX);
	cr_assert_not(abody_perm("18446744073709551616", &p));
	cr_assert(abody_name_ok("Guest-e2e_1"));
	cr_assert_not(abody_name_ok("-x"));
	cr_assert_not(abody_name_ok("a/b"));
}
