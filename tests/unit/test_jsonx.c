/* unit tests: api/jsonx.c — uint64 numbers both ways, unknown-key check. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonx.h"

Test(jsonx, u64_dump_and_load)
{
	json_t *j = json_pack("{s:o, s:s}", "d", jsonx_u64(18446744073709551615ULL), "s", "x\"1\\");
	char *s = jsonx_dumps(j);
	cr_assert_str_eq(s, "{\"d\":18446744073709551615,\"s\":\"x\\\"1\\\\\"}");
	json_t *back = jsonx_loadb(s, strlen(s), NULL);
	cr_assert_not_null(back);
	cr_assert_eq(jsonx_get_u64(json_object_get(back, "d")), 18446744073709551615ULL);
	cr_assert_str_eq(json_string_value(json_object_get(back, "s")), "x\"1\\");
	free(s);
	json_decref(j);
	json_decref(back);
}

Test(jsonx, small_numbers_untouched)
{
	const char *t = "{\"a\":9223372036854775807,\"b\":-5,\"c\":1.5e30,\"d\":\"99999999999999999999\"}";
	json_t *j = jsonx_loadb(t, strlen(t), NULL);
	cr_assert(json_is_integer(json_object_get(j, "a")));
	cr_assert_eq(json_integer_value(json_object_get(j, "b")), -5);
	cr_assert(json_is_real(json_object_get(j, "c")));
	cr_assert(json_is_string(json_object_get(j, "d")));
	json_decref(j);
	cr_assert_null(jsonx_loadb("{\"a\":", 5, NULL));
}

Test(jsonx, unknown_key)
{
	static const char *const keys[] = {"a", "b", NULL};
	json_t *j = json_pack("{s:i, s:i}", "a", 1, "zz", 2);
	cr_assert_str_eq(jsonx_unknown_key(j, keys), "zz");
	json_object_del(j, "zz");
	cr_assert_null(jsonx_unknown_key(j, keys));
	json_decref(j);
}

/* AIStore (json-iterator) matches keys ignoring case; the last matching key wins */
Test(jsonx, get_ci)
{
	const char *t = "{\"Action\":\"list\",\"VALUE\":{\"x\":1},\"other\":true}";
	json_t *j = jsonx_loadb(t, strlen(t), NULL);
	cr_assert_str_eq(json_string_value(jsonx_get_ci(j, "action")), "list");
	cr_assert(json_is_object(jsonx_get_ci(j, "value")));
	cr_assert_null(jsonx_get_ci(j, "name"));
	cr_assert_null(jsonx_get_ci(j, "actio"));   /* whole key only */
	cr_assert_null(jsonx_get_ci(NULL, "action"));
	json_decref(j);
	t = "{\"action\":\"first\",\"ACTION\":\"second\"}";
	j = jsonx_loadb(t, strlen(t), NULL);
	cr_assert_str_eq(json_string_value(jsonx_get_ci(j, "action")), "second");
	json_decref(j);
}

Test(jsonx, canon_keys)
{
	static const char *const keys[] = {"action", "name", "value", NULL};
	const char *t = "{\"ACTION\":\"a1\",\"Name\":\"n\",\"action\":\"a2\",\"Action\":\"a3\",\"extra\":1}";
	json_t *j = jsonx_loadb(t, strlen(t), NULL);
	cr_assert_str_eq(jsonx_unknown_key_ci(j, keys), "extra");
	cr_assert_str_eq(jsonx_unknown_key(j, keys), "ACTION");
	cr_assert_eq(jsonx_canon_keys(j, keys), 0);
	cr_assert_str_eq(jsonx_str(j, "action", ""), "a3");
	cr_assert_str_eq(jsonx_str(j, "name", ""), "n");
	cr_assert_null(json_object_get(j, "ACTION"));
	cr_assert_null(json_object_get(j, "Action"));
	cr_assert_null(json_object_get(j, "Name"));
	cr_assert_eq(json_object_size(j), 3); /* action, name, extra */
	json_object_del(j, "extra");
	cr_assert_null(jsonx_unknown_key(j, keys));
	cr_assert_eq(jsonx_canon_keys(NULL, keys), 0);
	json_decref(j);
}
