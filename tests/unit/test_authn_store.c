/* unit tests: authn/astore.c (the AuthN database file) and auth/revoke.c (the cluster's revoked
 * tokens): the store survives a reopen, is written 0600 and atomically (no work file left), keeps
 * the in-memory state when a write fails, refuses a group/other-readable file and a malformed one,
 * prunes expired revoked tokens; the revoked set answers membership, drops expired tokens, keeps
 * tokens without a readable exp, and parses only well-formed TokenLists. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/revoke.h"
#include "authn/astore.h"
#include "core/ckey.h"
#include "core/err.h"

static char st_dir[256], st_path[300];

static void st_setup(void)
{
	snprintf(st_dir, sizeof(st_dir), "/tmp/test_authn_store.XXXXXX");
	cr_assert_not_null(mkdtemp(st_dir));
	snprintf(st_path, sizeof(st_path), "%s/authn.db", st_dir);
}

static void st_teardown(void)
{
	char cmd[400];
	chmod(st_dir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", st_dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(authn_store, .init = st_setup, .fini = st_teardown);

Test(authn_store, persist_and_reopen)
{
	astore_t *s;
	char err[256];
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), 0, "%s", err);
	struct stat sb;
	cr_assert_eq(stat(st_path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(astore_put(s, ASTORE_USER, "bob", json_pack("{s:s}", "id", "bob"), true), 0);
	cr_assert_eq(astore_put(s, ASTORE_USER, "bob", json_pack("{s:s}", "id", "x"), true), AIS_EEXIST);
	cr_assert_eq(astore_put(s, ASTORE_ROLE, "r", json_pack("{s:s}", "name", "r"), false), 0);
	cr_assert_eq(astore_del(s, ASTORE_ROLE, "nope"), AIS_ENOTFOUND);
	cr_assert_eq(astore_put(s, ASTORE_REVOKED, "old", json_integer(1000), false), 0);
	cr_assert_eq(astore_put(s, ASTORE_REVOKED, "new", json_integer((json_int_t)time(NULL) + 3600), false), 0);
	cr_assert_eq(astore_prune_revoked(s, (long long)time(NULL)), 1);
	astore_close(s);
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), 0, "%s", err);
	json_t *u = astore_get(s, ASTORE_USER, "bob");
	cr_assert_str_eq(json_string_value(json_object_get(u, "id")), "bob");
	json_decref(u);
	cr_assert_eq(astore_count(s, ASTORE_ROLE), 1);
	cr_assert_eq(astore_count(s, ASTORE_REVOKED), 1);
	cr_assert_eq(astore_del(s, ASTORE_USER, "bob"), 0);
	cr_assert_null(astore_get(s, ASTORE_USER, "bob"));
	astore_close(s);
	DIR *d = opendir(st_dir);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".tmp"), "work file left: %s", e->d_name);
	closedir(d);
}

Test(authn_store, failed_write_changes_nothing)
{
	astore_t *s;
	char err[256], tmp[320];
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), 0);
	cr_assert_eq(astore_put(s, ASTORE_USER, "a", json_string("1"), false), 0);
	/* the work file cannot be created (a directory is in its place, even for root) */
	snprintf(tmp, sizeof(tmp), "%s.tmp", st_path);
	cr_assert_eq(mkdir(tmp, 0700), 0);
	cr_assert_eq(astore_put(s, ASTORE_USER, "b", json_string("2"), false), AIS_EIO);
	cr_assert_eq(astore_put(s, ASTORE_USER, "a", json_string("changed"), false), AIS_EIO);
	cr_assert_eq(astore_del(s, ASTORE_USER, "a"), AIS_EIO);
	cr_assert_eq(rmdir(tmp), 0);
	cr_assert_null(astore_get(s, ASTORE_USER, "b"));
	json_t *a = astore_get(s, ASTORE_USER, "a");
	cr_assert_str_eq(json_string_value(a), "1");
	json_decref(a);
	astore_close(s);
	/* and the file holds what the memory holds */
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), 0);
	cr_assert_eq(astore_count(s, ASTORE_USER), 1);
	astore_close(s);
}

Test(authn_store, refuses_unsafe_or_malformed_file)
{
	astore_t *s;
	char err[256];
	FILE *f = fopen(st_path, "w");
	fputs("{\"user\": {}}", f);
	fclose(f);
	chmod(st_path, 0644);
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_null(s);
	chmod(st_path, 0600);
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), 0, "%s", err);
	astore_close(s);
	f = fopen(st_path, "w");
	fputs("{\"user\": [1]}", f);
	fclose(f);
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), AIS_EINVAL);
	f = fopen(st_path, "w");
	fputs("{nope", f);
	fclose(f);
	cr_assert_eq(astore_open(st_path, &s, err, sizeof(err)), AIS_EINVAL);
}

/* an unsigned JWT with the given exp (revoke does not verify signatures) */
static void mk_tok(long long exp, const char *sub, char *out, size_t cap)
{
	char claims[128], b64[256];
	snprintf(claims, sizeof(claims), "{\"sub\":\"%s\",\"exp\":%lld}", sub, exp);
	ckey_b64url((const uint8_t *)claims, strlen(claims), b64, sizeof(b64));
	snprintf(out, cap, "eyJhbGciOiJIUzI1NiJ9.%s.c2ln", b64);
}

Test(revoke, set_and_prune)
{
	char t1[512], t2[512], err[256];
	revoke_clear();
	cr_assert_not(revoke_has("x"));
	mk_tok((long long)time(NULL) + 3600, "a", t1, sizeof(t1));
	mk_tok((long long)time(NULL) - 10, "b", t2, sizeof(t2));
	json_t *l = json_pack("[s,s,s]", t1, t2, "no-exp-token");
	cr_assert_eq(revoke_add(l, err, sizeof(err)), 0);
	json_decref(l);
	cr_assert(revoke_has(t1));
	cr_assert_not(revoke_has(t2), "expired: not kept");
	cr_assert(revoke_has("no-exp-token"));
	cr_assert_eq(revoke_count(), 2);
	json_t *j = revoke_list_json();
	cr_assert_eq(json_array_size(json_object_get(j, "tokens")), 2);
	cr_assert(json_is_string(json_object_get(j, "version")));
	json_decref(j);
	revoke_clear();
	cr_assert_null(revoke_list_json());
}

Test(revoke, parse)
{
	json_t *t;
	char err[256];
	const char *ok = "{\"tokens\":[\"a.b.c\"],\"version\":\"3\"}";
	cr_assert_eq(revoke_parse(ok, strlen(ok), &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(json_array_size(t), 1);
	json_decref(t);
	const char *bad[] = {"", "{", "[]", "{\"tokens\":\"x\"}", "{\"tokens\":[1]}", "{\"tokens\":[\"\"]}", "{\"x\":[]}",
			     "{\"tokens\":[],\"version\":{}}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(revoke_parse(bad[i], strlen(bad[i]), &t, err, sizeof(err)), AIS_EINVAL, "%s", bad[i]);
		cr_assert_null(t);
	}
}
