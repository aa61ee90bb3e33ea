/* lso: LsoMsg parsing (valid, invalid, unknown fields), LsoEnt/LsoRes JSON, time formats. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api/lso.h"
#include "core/err.h"

static int parse(const char *s, lso_msg_t *m)
{
	char err[256];
	return lso_msg_parse(s, strlen(s), m, err, sizeof(err));
}

Test(lso, valid_msg)
{
	lso_msg_t m;
	lso_msg_init(&m);
	cr_assert_eq(parse("{\"uuid\":\"u1\",\"props\":\"name,size,checksum\",\"time_format\":\"\","
			   "\"prefix\":\"a/\",\"start_after\":\"a/0\",\"continuation_token\":\"a/1\","
			   "\"target\":\"\",\"flags\":\"2048\",\"pagesize\":100,\"hdr\":{}}", &m), 0);
	cr_assert_str_eq(m.uuid, "u1");
	cr_assert_str_eq(m.prefix, "a/");
	cr_assert_str_eq(m.start_after, "a/0");
	cr_assert_str_eq(m.continuation_token, "a/1");
	cr_assert_eq(m.flags, LS_NO_RECURSION);
	cr_assert_eq(m.pagesize, 100);
	cr_assert(lso_want(&m, "checksum"));
	cr_assert(!lso_want(&m, "atime"));
	lso_msg_fini(&m);
	/* numeric flags and nulls are accepted too */
	cr_assert_eq(parse("{\"flags\":32,\"prefix\":null}", &m), 0);
	cr_assert_eq(m.flags, LS_NAME_SIZE);
	cr_assert_null(m.prefix);
	lso_msg_fini(&m);
	cr_assert_eq(parse("{}", &m), 0);
	cr_assert_eq(parse("null", &m), 0);
	lso_msg_fini(&m);
}

Test(lso, invalid_msg)
{
	lso_msg_t m;
	lso_msg_init(&m);
	cr_assert_eq(parse("{\"page_size\":10}", &m), AIS_EINVAL);        /* unknown field */
	cr_assert_eq(parse("{\"pagesize\":\"10\"}", &m), AIS_EINVAL);      /* wrong type */
	cr_assert_eq(parse("{\"pagesize\":-1}", &m), AIS_EINVAL);
	cr_assert_eq(parse("{\"flags\":\"x1\"}", &m), AIS_EINVAL);
	cr_assert_eq(parse("{\"prefix\":5}", &m), AIS_EINVAL);
	cr_assert_eq(parse("[1]", &m), AIS_EINVAL);
	cr_assert_eq(parse("{\"prefix\":", &m), AIS_EINVAL);
	cr_assert_eq(parse("{\"prefix\":\"a\\u0000b\"}", &m), AIS_EINVAL);
	lso_msg_fini(&m);
}

Test(lso, normalize)
{
	lso_msg_t m;
	lso_msg_init(&m);
	lso_msg_normalize(&m);
	cr_assert_str_eq(m.props, "name,size,cached");
	cr_assert(m.flags & LS_NAME_SIZE);
	lso_msg_fini(&m);
	cr_assert_eq(parse("{\"props\":\"name\"}", &m), 0);
	lso_msg_normalize(&m);
	cr_assert(m.flags & LS_NAME_ONLY);
	lso_msg_fini(&m);
}

Test(lso, res_json)
{
	lso_res_t r, b;
	lso_res_init(&r);
	lso_res_init(&b);
	r.uuid = strdup("u");
	r.continuation_token = strdup("obj2");
	lso_ent_t e = {0};
	e.name = strdup("obj1");
	e.size = 1024;
	e.checksum = strdup("abcd");
	e.flags = LSO_ENTRY_IS_CACHED;
	cr_assert_eq(lso_res_add(&r, &e), 0);
	lso_ent_t d = {0};
	d.name = strdup("dir/");
	d.flags = LSO_ENTRY_IS_DIR;
	cr_assert_eq(lso_res_add(&r, &d), 0);
	json_t *j = lso_res_to_json(&r);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(s, "{\"continuation_token\":\"obj2\",\"entries\":[{\"checksum\":\"abcd\",\"flags\":64,"
			    "\"name\":\"obj1\",\"size\":\"1024\"},{\"flags\":256,\"name\":\"dir/\"}],\"flags\":0,"
			    "\"uuid\":\"u\"}");
	char err[128];
	cr_assert_eq(lso_res_from_json(j, &b, err, sizeof(err)), 0);
	cr_assert_eq(b.n, 2);
	cr_assert_eq(b.entries[0].size, 1024);
	cr_assert_str_eq(b.entries[1].name, "dir/");
	cr_assert_str_eq(b.continuation_token, "obj2");
	free(s);
	json_decref(j);
	lso_res_fini(&r);
	lso_res_fini(&b);
	/* empty page still has an entries array */
	j = lso_res_to_json(&r);
	cr_assert(json_is_array(json_object_get(j, "entries")));
	json_decref(j);
}

Test(lso, time_format)
{
	char t[80];
	int64_t ns = 1700000000123456789LL; /* 2023-11-14T22:13:20.123456789Z */
	lso_fmt_time(ns, "", t, sizeof(t));
	cr_assert_str_eq(t, "14 Nov 23 22:13 UTC");
	lso_fmt_time(ns, "2006-01-02T15:04:05Z07:00", t, sizeof(t));
	cr_assert_str_eq(t, "2023-11-14T22:13:20Z");
	lso_fmt_time(ns, "2006-01-02T15:04:05.999999999Z07:00", t, sizeof(t));
	cr_assert_str_eq(t, "2023-11-14T22:13:20.123456789Z");
	lso_fmt_time(ns, "Mon, 02 Jan 2006 15:04:05 MST", t, sizeof(t));
	cr_assert_str_eq(t, "Tue, 14 Nov 2023 22:13:20 UTC");
}
