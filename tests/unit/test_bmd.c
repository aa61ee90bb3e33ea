/* unit tests: cluster/bmd.c — bucket add/del/props, AIStore JSON shape, name rules. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "core/config.h"
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

/* ---------------- bucket props through the table (cluster/bprops.c) ---------------- */

static int set_props(bmd_t *m, const char *patch, char *err, size_t cap)
{
	json_t *p = json_loads(patch, 0, NULL);
	cr_assert_not_null(p, "bad test JSON %s", patch);
	int rc = bmd_set_props(m, "ais", "", "b", p, err, cap);
	json_decref(p);
	return rc;
}

static json_t *props_of(bmd_t *m) { return bmd_find(m, "ais", "", "b")->props; }

Test(bprops, defaults_inherited_from_the_config)
{
	config_t c;
	char err[256];
	json_t *jc = json_loads("{\"checksum\": {\"type\": \"md5\"}, \"mirror\": {\"copies\": 3},"
				" \"lru\": {\"dont_evict_time\": \"3h\"}, \"versioning\": {\"enabled\": false}}", 0, NULL);
	json_t *jl = json_loads("{\"host_net\": {\"port\": \"1\"}}", 0, NULL);
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	json_t *p = bprops_default("ais", &c);
	cr_assert_str_eq(bprops_str(p, "checksum.type", ""), "md5");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p, "mirror"), "copies")), 3);
	cr_assert_str_eq(bprops_str(p, "lru.dont_evict_time", ""), "3h");
	cr_assert_not(bprops_bool(p, "lru.enabled", true), "LRU is off for ais:// buckets (AIStore DefaultProps)");
	cr_assert_not(bprops_bool(p, "versioning.enabled", true));
	cr_assert_str_eq(bprops_str(p, "write_policy.md", ""), "immediate");
	cr_assert_str_eq(bprops_str(p, "access", ""), "18446744073709551615");
	cr_assert_str_eq(bprops_str(p, "provider", ""), "ais");
	cr_assert(json_is_object(json_object_get(p, "rate_limit")));
	cr_assert_null(json_object_get(p, "backend_bck"));
	json_decref(p);
	/* without a config: the table's defaults */
	p = bprops_default("ais", NULL);
	cr_assert_str_eq(bprops_str(p, "checksum.type", ""), "xxhash2");
	cr_assert(bprops_bool(p, "versioning.enabled", false));
	json_decref(p);
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

Test(bprops, set_validates_and_rejects_what_is_not_built)
{
	bmd_t *m = bmd_new();
	char err[512];
	cr_assert_eq(bmd_add(m, "ais", "", "b", NULL), 0);
	json_t *before = json_deep_copy(props_of(m));
	struct {
		const char *patch;
		int rc;
		const char *want;
	} bad[] = {
		{"{\"lru\": {\"enabled\": true}}", AIS_ENOTIMPL, "lru.enabled=true is not implemented"},
		{"{\"mirror\": {\"enabled\": true, \"copies\": 33}}", AIS_EINVAL, "mirror.copies"},
		{"{\"rate_limit\": {\"backend\": {\"enabled\": true}}}", AIS_ENOTIMPL, "rate_limit.backend.enabled"},
		{"{\"lru\": {\"enabled\": true}}", AIS_ENOTIMPL, "lru.enabled"},
		{"{\"rate_limit\": {\"frontend\": {\"enabled\": true}}}", AIS_ENOTIMPL, "rate_limit.frontend.enabled"},
		{"{\"write_policy\": {\"md\": \"never\"}}", AIS_ENOTIMPL, "write_policy.md"},
		{"{\"backend_bck\": {\"name\": \"x\", \"provider\": \"aws\"}}", AIS_ENOTIMPL, "backend_bck.name"},
		{"{\"chunks\": {\"objsize_limit\": \"1MiB\"}}", AIS_ENOTIMPL, "chunks.objsize_limit"},
		{"{\"access\": \"1\"}", AIS_ENOTIMPL, "access"},
		{"{\"features\": \"Fsync-PUT\"}", AIS_ENOTIMPL, "features"},
		{"{\"checksum\": {\"enable_read_range\": true}}", AIS_ENOTIMPL, "checksum.enable_read_range"},
		{"{\"extra\": {\"aws\": {\"cloud_region\": \"us-west-2\"}}}", AIS_ENOTIMPL, "extra.aws.cloud_region"},
		{"{\"checksum\": {\"type\": \"nope\"}}", AIS_EINVAL, "checksum.type: invalid checksum type \"nope\""},
		{"{\"checksum\": \"md5\"}", AIS_EINVAL, "checksum: expecting a JSON object"},
		{"{\"mirror\": {\"copies\": 40}}", AIS_EINVAL, "mirror.copies: 40 out of range"},
		{"{\"versioning\": {\"enabled\": \"maybe\"}}", AIS_EINVAL, "invalid value"},
		{"{\"lru\": {\"dont_evict_time\": \"1m\"}}", AIS_EINVAL, "lru.dont_evict_time"},
		{"{\"bogus\": 1}", AIS_EINVAL, "unknown property \"bogus\""},
		{"{\"checksum\": {\"typo\": 1}}", AIS_EINVAL, "unknown property \"checksum.typo\""},
		{"{\"provider\": \"aws\"}", AIS_EINVAL, "property \"provider\" is readonly"},
		{"{\"bid\": \"1\"}", AIS_EINVAL, "readonly"},
		{"{\"extra\": {\"custom\": \"a\\u0001b\"}}", AIS_EINVAL, "control character"},
		{"{\"checksum\": {\"type\": \"md5\"}, \"lru\": {\"enabled\": true}}", AIS_ENOTIMPL, "lru.enabled"},
		{"[1]", AIS_EINVAL, "expecting a JSON object"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		int rc = set_props(m, bad[i].patch, err, sizeof(err));
		cr_expect_eq(rc, bad[i].rc, "%s: rc %d (%s)", bad[i].patch, rc, err);
		cr_expect(strstr(err, bad[i].want) != NULL, "%s: \"%s\" lacks \"%s\"", bad[i].patch, err, bad[i].want);
		cr_expect(json_equal(before, props_of(m)), "%s changed the props", bad[i].patch);
	}
	/* what is built, or stored without asking for behaviour, is accepted */
	cr_assert_eq(set_props(m, "{\"checksum\": {\"type\": \"sha256\", \"validate_warm_get\": true}, \"force\": true}", err,
			       sizeof(err)), 0, "%s", err);
	const bck_t *b = bmd_find(m, "ais", "", "b");
	cr_assert_eq(b->cksum_type, CKSUM_SHA256);
	cr_assert(b->validate_warm_get);
	cr_assert_eq(set_props(m, "{\"versioning\": {\"enabled\": \"false\"}, \"mirror\": {\"copies\": \"3\"}}", err,
			       sizeof(err)), 0, "%s", err);
	b = bmd_find(m, "ais", "", "b");
	cr_assert_not(b->versioning);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(b->props, "mirror"), "copies")), 3);
	cr_assert_eq(set_props(m, "{\"mirror\": {\"enabled\": false}, \"write_policy\": {\"md\": \"\"},"
				  " \"chunks\": {\"chunk_size\": \"1024MiB\"}, \"extra\": {\"custom\": \"team=a\"}}",
			       err, sizeof(err)), 0, "unchanged / supported values: %s", err);
	cr_assert_str_eq(bprops_str(props_of(m), "extra.custom", ""), "team=a");
	cr_assert_str_eq(bprops_str(props_of(m), "write_policy.md", "?"), "");
	cr_assert_eq(set_props(m, "{\"lru\": {\"dont_evict_time\": \"5h\"}, \"ec\": {\"data_slices\": 4}}", err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(bprops_str(props_of(m), "lru.dont_evict_time", ""), "5h");
	/* create-bck with props goes through the same table */
	/* n-way mirroring is built: enabled with the configured copies, the data path's hot field */
	cr_assert_eq(set_props(m, "{\"mirror\": {\"enabled\": true}}", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bmd_find(m, "ais", "", "b")->mirror_copies, 3);
	cr_assert_eq(set_props(m, "{\"mirror\": {\"enabled\": false}}", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bmd_find(m, "ais", "", "b")->mirror_copies, 0);
	/* erasure coding is built: D and P change only while it is off, objsize_limit only with force */
	cr_assert_eq(set_props(m, "{\"ec\": {\"enabled\": true, \"data_slices\": 2, \"parity_slices\": 2}}", err,
			       sizeof(err)), 0, "%s", err);
	const bck_t *eb = bmd_find(m, "ais", "", "b");
	cr_assert(eb->ec_enabled && eb->ec_d == 2 && eb->ec_p == 2);
	cr_assert_eq(set_props(m, "{\"ec\": {\"data_slices\": 3}}", err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "once enabled, EC configuration can be only disabled but cannot change"), "%s", err);
	cr_assert_eq(set_props(m, "{\"ec\": {\"objsize_limit\": 1000}}", err, sizeof(err)), AIS_EINVAL);
	cr_assert_eq(set_props(m, "{\"ec\": {\"objsize_limit\": 1000}, \"force\": true}", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(set_props(m, "{\"ec\": {\"data_slices\": 33}}", err, sizeof(err)), AIS_EINVAL);
	cr_assert_eq(set_props(m, "{\"ec\": {\"enabled\": false}}", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(set_props(m, "{\"ec\": {\"data_slices\": 3}}", err, sizeof(err)), 0, "%s", err);
	cr_assert_not(bmd_find(m, "ais", "", "b")->ec_enabled);
	json_t *p = json_loads("{\"lru\": {\"enabled\": true}}", 0, NULL);
	cr_assert_eq(bmd_add(m, "ais", "", "b2", p), AIS_ENOTIMPL);
	cr_assert_null(bmd_find(m, "ais", "", "b2"));
	json_decref(p);
	p = json_loads("{\"checksum\": {\"type\": \"md5\"}}", 0, NULL);
	cr_assert_eq(bmd_add(m, "ais", "", "b2", p), 0);
	cr_assert_eq(bmd_find(m, "ais", "", "b2")->cksum_type, CKSUM_MD5);
	json_decref(p);
	json_decref(before);
	bmd_free(m);
}
