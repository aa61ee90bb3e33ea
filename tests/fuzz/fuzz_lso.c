/* fuzz: the LsoMsg JSON parser (strict fields, keys in any case) and its re-serialization;
 * the LsoRes JSON parser (target pages at the proxy), the msgpack encoding of what it parsed
 * (must decode back as one object) and the merge of two copies (norecursion dedupe, cut). */
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/lso.h"

static void fuzz_res(const uint8_t *data, size_t size)
{
	char err[256];
	json_error_t je;
	json_t *j = json_loadb((const char *)data, size, 0, &je);
	if (!j)
		return;
	lso_res_t pages[2], out;
	lso_res_init(&pages[0]);
	lso_res_init(&pages[1]);
	lso_res_init(&out);
	if (lso_res_from_json(j, &pages[0], err, sizeof(err)) == 0 &&
	    lso_res_from_json(j, &pages[1], err, sizeof(err)) == 0) {
		size_t len = 0, off = 0;
		char *buf = lso_res_msgpack(&pages[0], &len);
		if (!buf)
			abort();
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
		    u.data.type != MSGPACK_OBJECT_MAP || u.data.via.map.size != 4)
			abort();
		msgpack_unpacked_destroy(&u);
		free(buf);
		lso_msg_t m;
		lso_msg_init(&m);
		m.flags = size & 1 ? LS_NO_RECURSION : 0;
		m.pagesize = (int64_t)(size % 7);
		if (lso_res_merge(pages, 2, &m, &out) == 0 && m.pagesize && out.n > (size_t)m.pagesize)
			abort();
		lso_msg_fini(&m);
	}
	lso_res_fini(&out);
	lso_res_fini(&pages[0]);
	lso_res_fini(&pages[1]);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	lso_msg_t m;
	lso_msg_init(&m);
	if (lso_msg_parse((const char *)data, size, &m, err, sizeof(err)) == 0) {
		lso_msg_normalize(&m);
		(void)lso_want(&m, "size");
		json_t *j = lso_msg_to_json(&m);
		if (!j)
			abort();
		lso_msg_t m2;
		lso_msg_init(&m2);
		if (lso_msg_from_json(j, &m2, err, sizeof(err)) != 0)
			abort();
		lso_msg_fini(&m2);
		json_decref(j);
	}
	lso_msg_fini(&m);
	fuzz_res(data, size);
	return 0;
}
