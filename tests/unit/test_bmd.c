/* unit tests: cluster/bmd.c — bucket add/del/props, AIStore JSON shape, name rules. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "core/err.h"

Test(bmd, names)
{
	cr_assert(bck_name_valid("abc"));
	cr_assert(bck_name_valid("a.b-c_d"));
	cr_assert_not(bck_name_valid(""));
	cr_assert_not(bck_name_valid(".hidden"));
	cr_assert_not(bck_name_valid("a..b"));
	cr_assert_not(bck_name_valid("a/b"));
	cr_assert_not(bck_name_valid("a b"));
	char longn[80];
	memset(longn, 'x', 65);
	longn[65] = '\0';
	cr_assert_not(bck_name_valid(longn));
}

Test(bmd, add_del_props_roundtrip)
{
	bmd_t *m = bmd_new();
	cr_assert_eq(bmd_add(m, "ais", "", "b1", NULL), 0);
	cr_assert_eq(bmd_add(m, "ais", "", "b1", NULL), AIS_EEXIST);
	cr_assert_eq(bmd_add(m, "ais", "", "b2", NULL), 0);
	const bck_t *b = bmd_find(m, "ais", "", "b1");
	cr_assert_not_null(b);
	cr_assert(b->versioning);
	cr_assert_neq(b->bid, 0);
	char err[256] = "";
	json_t *patch = json_pack("{s:{s:s, s:b}}", "checksum", "type", "md5", "validate_warm_get", 1);
	cr_assert_eq(bmd_set_props(m, "ais", "", "b1", patch, err, sizeof(err)), 0, "%s", err);
	json_decref(patch);
	b = bmd_find(m, "ais", "", "b1");
	cr_assert_eq(b->cksum_type, CKSUM_MD5);
	cr_assert(b->validate_warm_get);
	patch = json_pack("{s:{s:s}}", "checksum", "type", "nope");
	cr_assert_eq(bmd_set_props(m, "ais", "", "b1", patch, err, sizeof(err)), AIS_EINVAL);
	json_decref(patch);
	patch = json_pack("{s:i}", "bogus", 1);
	cr_assert_eq(bmd_set_props(m, "ais", "", "b1", patch, err, sizeof(err)), AIS_EINVAL);
	json_decref(patch);

	m->version = 7;
	json_t *j = bmd_to_json(m);
	json_t *bj = json_object_get(json_object_get(json_object_get(json_object_get(j, "providers"), "ais"), "@#"), "b1");
	cr_assert(json_is_object(bj));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(bj, "checksum"), "type")), "md5");
	cr_assert(json_is_string(json_object_get(bj, "bid")));
	bmd_t *m2 = bmd_from_json(j, err, sizeof(err));
	cr_assert_not_null(m2, "%s", err);
	cr_assert_eq(m2->version, 7);
	cr_assert_eq(m2->nbcks, 2);
	const bck_t *b2 = bmd_find(m2, "ais", "", "b1");
	cr_assert_eq(b2->cksum_type, CKSUM_MD5);
	cr_assert_eq(b2->bid, b->bid);
	cr_assert_eq(bmd_del(m2, "ais", "", "b1"), 0);
	cr_assert_eq(bmd_del(m2, "ais", "", "b1"), AIS_ENOBUCKET);
	json_decref(j);
	bmd_free(m);
	bmd_free(m2);
}

Test(bmd, ext_roundtrip_clone_not_in_props)
{
	bmd_t *m = bmd_new();
	cr_assert_eq(bmd_add(m, "ais", "", "b1", NULL), 0);
	cr_assert_eq(bmd_add(m, "ais", "", "b2", NULL), 0);
	cr_assert_null(bmd_find(m, "ais", "", "b1")->ext);
	cr_assert_eq(bmd_set_ext(m, "ais", "", "b1", json_pack("{s:{s:s}}", "s3", "owner", "u1")), 0);
	cr_assert_eq(bmd_set_ext(m, "ais", "", "nope", json_object()), AIS_ENOBUCKET);
	/* a clone is independent */
	bmd_t *c = bmd_clone(m);
	cr_assert_eq(bmd_set_ext(c, "ais", "", "b1", json_pack("{s:{s:s}}", "s3", "owner", "u2")), 0);
	const bck_t *b = bmd_find(m, "ais", "", "b1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b->ext, "s3"), "owner")), "u1");
	/* JSON: top-level "ext", never inside the bucket's props */
	char err[256] = "";
	json_t *j = bmd_to_json(c);
	json_t *bj = json_object_get(json_object_get(json_object_get(json_object_get(j, "providers"), "ais"), "@#"), "b1");
	cr_assert_null(json_object_get(bj, "ext"));
	cr_assert_null(json_object_get(bj, "s3"));
	json_t *xj = json_object_get(json_object_get(json_object_get(json_object_get(j, "ext"), "ais"), "@#"), "b1");
	cr_assert(json_is_object(xj));
	cr_assert_null(json_object_get(json_object_get(json_object_get(json_object_get(j, "ext"), "ais"), "@#"), "b2"));
	bmd_t *m2 = bmd_from_json(j, err, sizeof(err));
	cr_assert_not_null(m2, "%s", err);
	b = bmd_find(m2, "ais", "", "b1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b->ext, "s3"), "owner")), "u2");
	cr_assert_null(bmd_find(m2, "ais", "", "b2")->ext);
	cr_assert_null(json_object_get(b->props, "ext"));
	/* removal; deleting a bucket with ext frees it (ASan) */
	cr_assert_eq(bmd_set_ext(m2, "ais", "", "b1", NULL), 0);
	cr_assert_null(bmd_find(m2, "ais", "", "b1")->ext);
	cr_assert_eq(bmd_del(c, "ais", "", "b1"), 0);
	json_t *j2 = bmd_to_json(m2);
	cr_assert_null(json_object_get(j2, "ext"));
	json_decref(j2);
	json_decref(j);
	bmd_free(m);
	bmd_free(c);
	bmd_free(m2);
}

static int listener_calls;
static void on_bmd(const bmd_t *old, const bmd_t *cur)
{
	(void)old;
	(void)cur;
	listener_calls++;
}

Test(bmd, install_versions_and_listener)
{
	bmd_set_listener(on_bmd);
	bmd_t *a = bmd_new();
	a->version = 2;
	cr_assert_eq(bmd_install(a, false), 1);
	bmd_t *b = bmd_new();
	b->version = 2;
	cr_assert_eq(bmd_install(b, false), 0);
	cr_assert_eq(listener_calls, 1);
	bmd_set_listener(NULL);
}
