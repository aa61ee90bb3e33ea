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

/* ---- msgpack (what the Python SDK decodes) ---- */
#include <msgpack.h>

static const msgpack_object *mp_get(const msgpack_object *map, const char *key)
{
	cr_assert_eq(map->type, MSGPACK_OBJECT_MAP);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		cr_assert_eq(kv->key.type, MSGPACK_OBJECT_STR);
		if (kv->key.via.str.size == strlen(key) && !memcmp(kv->key.via.str.ptr, key, strlen(key)))
			return &kv->val;
	}
	return NULL;
}

static void mp_assert_str(const msgpack_object *map, const char *key, const char *want)
{
	const msgpack_object *o = mp_get(map, key);
	cr_assert_not_null(o, "missing %s", key);
	cr_assert_eq(o->type, MSGPACK_OBJECT_STR, "%s not a string", key);
	cr_assert_eq(o->via.str.size, strlen(want), "%s", key);
	cr_assert(!memcmp(o->via.str.ptr, want, strlen(want)), "%s", key);
}

static void mp_assert_int(const msgpack_object *map, const char *key, int64_t want)
{
	const msgpack_object *o = mp_get(map, key);
	cr_assert_not_null(o, "missing %s", key);
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		cr_assert_eq((int64_t)o->via.u64, want, "%s", key);
	else
		cr_assert(o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && o->via.i64 == want, "%s", key);
}

Test(lso, res_msgpack_fields)
{
	lso_res_t r;
	lso_res_init(&r);
	r.uuid = strdup("nXaDCaRQF");
	r.continuation_token = strdup("obj-2");
	r.flags = 3;
	lso_ent_t e = {0};
	e.name = strdup("obj-1");
	e.checksum = strdup("a1b2c3d4e5f60718");
	e.atime = strdup("14 Nov 23 22:13 UTC");
	e.version = strdup("7");
	e.location = strdup("t[abc]:/mp1");
	e.custom = strdup("[ETag:\"x\"]");
	e.size = 5000000000LL; /* > 32 bits */
	e.copies = 2;
	e.flags = LSO_ENTRY_IS_CACHED | LSO_ENTRY_IS_CHUNKED;
	cr_assert_eq(lso_res_add(&r, &e), 0);
	lso_ent_t d = {0};
	d.name = strdup("dir/");
	d.flags = LSO_ENTRY_IS_DIR;
	cr_assert_eq(lso_res_add(&r, &d), 0);
	size_t len = 0;
	char *buf = lso_res_msgpack(&r, &len);
	cr_assert_not_null(buf);

	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	size_t off = 0;
	cr_assert_eq(msgpack_unpack_next(&u, buf, len, &off), MSGPACK_UNPACK_SUCCESS);
	cr_assert_eq(off, len); /* exactly one object */
	const msgpack_object *root = &u.data;
	cr_assert_eq(root->type, MSGPACK_OBJECT_MAP);
	cr_assert_eq(root->via.map.size, 4);
	/* field order as tinylib/msgp writes cmn.LsoRes */
	static const char *const order[] = {"UUID", "ContinuationToken", "Entries", "Flags"};
	for (int i = 0; i < 4; i++) {
		const msgpack_object *k = &root->via.map.ptr[i].key;
		cr_assert(k->via.str.size == strlen(order[i]) && !memcmp(k->via.str.ptr, order[i], k->via.str.size));
	}
	mp_assert_str(root, "UUID", "nXaDCaRQF");
	mp_assert_str(root, "ContinuationToken", "obj-2");
	mp_assert_int(root, "Flags", 3);
	const msgpack_object *ents = mp_get(root, "Entries");
	cr_assert_eq(ents->type, MSGPACK_OBJECT_ARRAY);
	cr_assert_eq(ents->via.array.size, 2);
	const msgpack_object *e0 = &ents->via.array.ptr[0], *e1 = &ents->via.array.ptr[1];
	cr_assert_eq(e0->via.map.size, 9);
	static const char *const eorder[] = {"n", "cs", "a", "v", "t", "m", "s", "c", "f"};
	for (int i = 0; i < 9; i++) {
		const msgpack_object *k = &e0->via.map.ptr[i].key;
		cr_assert(k->via.str.size == strlen(eorder[i]) && !memcmp(k->via.str.ptr, eorder[i], k->via.str.size));
	}
	mp_assert_str(e0, "n", "obj-1");
	mp_assert_str(e0, "cs", "a1b2c3d4e5f60718");
	mp_assert_str(e0, "a", "14 Nov 23 22:13 UTC");
	mp_assert_str(e0, "v", "7");
	mp_assert_str(e0, "t", "t[abc]:/mp1");
	mp_assert_str(e0, "m", "[ETag:\"x\"]");
	mp_assert_int(e0, "s", 5000000000LL);
	mp_assert_int(e0, "c", 2);
	mp_assert_int(e0, "f", LSO_ENTRY_IS_CACHED | LSO_ENTRY_IS_CHUNKED);
	/* omitempty: a virtual dir carries its name and flags only */
	cr_assert_eq(e1->via.map.size, 2);
	mp_assert_str(e1, "n", "dir/");
	mp_assert_int(e1, "f", LSO_ENTRY_IS_DIR);
	cr_assert_null(mp_get(e1, "s"));
	msgpack_unpacked_destroy(&u);
	free(buf);
	lso_res_fini(&r);
}

/* byte-exact against tinylib/msgp's output for the same page (smallest encodings) */
Test(lso, res_msgpack_bytes)
{
	lso_res_t r;
	lso_res_init(&r);
	r.uuid = strdup("u");
	lso_ent_t e = {0};
	e.name = strdup("a");
	e.size = 5;
	e.flags = LSO_ENTRY_IS_CACHED;
	cr_assert_eq(lso_res_add(&r, &e), 0);
	static const unsigned char want[] = {
		0x84, 0xa4, 'U', 'U', 'I', 'D', 0xa1, 'u',
		0xb1, 'C', 'o', 'n', 't', 'i', 'n', 'u', 'a', 't', 'i', 'o', 'n', 'T', 'o', 'k', 'e', 'n', 0xa0,
		0xa7, 'E', 'n', 't', 'r', 'i', 'e', 's', 0x91,
		0x83, 0xa1, 'n', 0xa1, 'a', 0xa1, 's', 0x05, 0xa1, 'f', 0x40,
		0xa5, 'F', 'l', 'a', 'g', 's', 0x00};
	size_t len = 0;
	char *buf = lso_res_msgpack(&r, &len);
	cr_assert_eq(len, sizeof(want));
	cr_assert(!memcmp(buf, want, len));
	free(buf);
	lso_res_fini(&r);
	/* empty page: an empty Entries array (not nil) */
	buf = lso_res_msgpack(&r, &len);
	static const unsigned char empty_tail[] = {0xa7, 'E', 'n', 't', 'r', 'i', 'e', 's', 0x90};
	cr_assert_not_null(memmem(buf, len, empty_tail, sizeof(empty_tail)));
	free(buf);
}

/* ---- the proxy's merge ---- */
static void add_ent(lso_res_t *r, const char *name, unsigned flags)
{
	lso_ent_t e = {0};
	e.name = strdup(name);
	e.flags = flags;
	e.size = flags & LSO_ENTRY_IS_DIR ? 0 : 10;
	cr_assert_eq(lso_res_add(r, &e), 0);
}

static void names_eq(const lso_res_t *r, const char *const *want, size_t n)
{
	cr_assert_eq(r->n, n, "got %zu entries, want %zu", r->n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(r->entries[i].name, want[i]);
}

Test(lso, merge_norec_dedupes_dirs)
{
	lso_res_t pages[3], out;
	for (int i = 0; i < 3; i++)
		lso_res_init(&pages[i]);
	lso_res_init(&out);
	/* every target has d1/ and d2/, objects are spread */
	add_ent(&pages[0], "a", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[0], "d1/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[0], "d2/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[1], "d1/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[1], "d2/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[1], "z", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[2], "d1", LSO_ENTRY_IS_CACHED); /* an object named like the dir */
	add_ent(&pages[2], "d1/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[2], "d2/", LSO_ENTRY_IS_DIR);
	pages[1].flags = 4;
	lso_msg_t m;
	lso_msg_init(&m);
	m.uuid = strdup("U1");
	m.flags = LS_NO_RECURSION;
	m.pagesize = 0;
	cr_assert_eq(lso_res_merge(pages, 3, &m, &out), 0);
	static const char *const all[] = {"a", "d1", "d1/", "d2/", "z"};
	names_eq(&out, all, 5);
	cr_assert_str_eq(out.uuid, "U1");
	cr_assert_null(out.continuation_token); /* not full: the last page */
	cr_assert_eq(out.flags, 4);
	cr_assert_eq(out.entries[2].flags, LSO_ENTRY_IS_DIR);
	cr_assert_eq(out.entries[2].size, 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pages[i].n, 0);
	lso_res_fini(&out);
	lso_msg_fini(&m);
	for (int i = 0; i < 3; i++)
		lso_res_fini(&pages[i]);
}

Test(lso, merge_norec_page_cut_after_dedupe)
{
	lso_res_t pages[3], out;
	lso_res_init(&out);
	for (int i = 0; i < 3; i++) {
		lso_res_init(&pages[i]);
		add_ent(&pages[i], "d1/", LSO_ENTRY_IS_DIR);
		add_ent(&pages[i], "d2/", LSO_ENTRY_IS_DIR);
		add_ent(&pages[i], "d3/", LSO_ENTRY_IS_DIR);
	}
	lso_msg_t m;
	lso_msg_init(&m);
	m.flags = LS_NO_RECURSION;
	m.pagesize = 2;
	cr_assert_eq(lso_res_merge(pages, 3, &m, &out), 0);
	static const char *const two[] = {"d1/", "d2/"};
	names_eq(&out, two, 2);
	cr_assert_str_eq(out.continuation_token, "d2/");
	lso_res_fini(&out);
	/* exactly a full page: AIStore still sets the token (the next page comes back empty) */
	for (int i = 0; i < 3; i++) {
		lso_res_fini(&pages[i]);
		add_ent(&pages[i], "d1/", LSO_ENTRY_IS_DIR);
		add_ent(&pages[i], "d2/", LSO_ENTRY_IS_DIR);
	}
	cr_assert_eq(lso_res_merge(pages, 3, &m, &out), 0);
	names_eq(&out, two, 2);
	cr_assert_str_eq(out.continuation_token, "d2/");
	lso_res_fini(&out);
	lso_msg_fini(&m);
	for (int i = 0; i < 3; i++)
		lso_res_fini(&pages[i]);
}

Test(lso, merge_recursive_sorts_and_cuts)
{
	lso_res_t pages[2], out;
	lso_res_init(&out);
	lso_res_init(&pages[0]);
	lso_res_init(&pages[1]);
	add_ent(&pages[0], "b", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[0], "d", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "a", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "c", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "b", LSO_ENTRY_IS_CACHED | 2); /* misplaced copy: after the ok one */
	lso_msg_t m;
	lso_msg_init(&m);
	m.pagesize = 4;
	cr_assert_eq(lso_res_merge(pages, 2, &m, &out), 0);
	static const char *const want[] = {"a", "b", "b", "c"};
	names_eq(&out, want, 4);
	cr_assert_eq(out.entries[1].flags & LSO_STATUS_MASK, 0);
	cr_assert_eq(out.entries[2].flags & LSO_STATUS_MASK, 2);
	cr_assert_str_eq(out.continuation_token, "c");
	lso_res_fini(&out);
	lso_msg_fini(&m);
	lso_res_fini(&pages[0]);
	lso_res_fini(&pages[1]);
}

Test(lso, msg_keys_ignore_case)
{
	lso_msg_t m;
	lso_msg_init(&m);
	cr_assert_eq(parse("{\"Prefix\":\"p/\",\"PageSize\":7,\"UUID\":\"x\",\"Continuation_Token\":\"p/1\","
			   "\"FLAGS\":\"2048\",\"Props\":\"name\"}", &m), 0);
	cr_assert_str_eq(m.prefix, "p/");
	cr_assert_eq(m.pagesize, 7);
	cr_assert_str_eq(m.uuid, "x");
	cr_assert_str_eq(m.continuation_token, "p/1");
	cr_assert_eq(m.flags, LS_NO_RECURSION);
	cr_assert_str_eq(m.props, "name");
	lso_msg_fini(&m);
	cr_assert_eq(parse("{\"PageSizes\":7}", &m), AIS_EINVAL); /* still strict */
	lso_msg_fini(&m);
}

/* the proxy keeps what a page left out, per target (plcache.h): the entries after the cut go
 * back to their source in order; copies of the directory the page ended with do not (they are
 * not above the token); a page that is not full leaves nothing */
Test(lso, merge_rest_returns_leftovers_to_sources)
{
	lso_res_t pages[3], rest[3], out;
	lso_res_init(&out);
	for (int i = 0; i < 3; i++) {
		lso_res_init(&pages[i]);
		lso_res_init(&rest[i]);
	}
	add_ent(&pages[0], "a", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[0], "d/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[0], "k", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "b", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "d/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[1], "m", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[1], "n", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[2], "d/", LSO_ENTRY_IS_DIR);
	add_ent(&pages[2], "e", LSO_ENTRY_IS_CACHED);
	lso_msg_t m;
	lso_msg_init(&m);
	m.flags = LS_NO_RECURSION;
	m.pagesize = 3;
	cr_assert_eq(lso_res_merge_rest(pages, 3, &m, &out, rest), 0);
	static const char *const page[] = {"a", "b", "d/"};
	names_eq(&out, page, 3);
	cr_assert_str_eq(out.continuation_token, "d/");
	static const char *const r0[] = {"k"}, *const r1[] = {"m", "n"}, *const r2[] = {"e"};
	names_eq(&rest[0], r0, 1);
	names_eq(&rest[1], r1, 2);
	names_eq(&rest[2], r2, 1);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(pages[i].n, 0);
		lso_res_fini(&rest[i]);
		lso_res_init(&rest[i]);
	}
	lso_res_fini(&out);
	/* not full: the listing's last page, nothing left over */
	add_ent(&pages[0], "x", LSO_ENTRY_IS_CACHED);
	add_ent(&pages[2], "y", LSO_ENTRY_IS_CACHED);
	m.flags = 0;
	cr_assert_eq(lso_res_merge_rest(pages, 3, &m, &out, rest), 0);
	static const char *const last[] = {"x", "y"};
	names_eq(&out, last, 2);
	cr_assert_null(out.continuation_token);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(rest[i].n, 0);
		lso_res_fini(&pages[i]);
		lso_res_fini(&rest[i]);
	}
	lso_res_fini(&out);
	lso_msg_fini(&m);
}
