/* fuzz: the job API's decoders (xact_wire.h): arbitrary bytes as an xact.QueryMsg body and as
 * an ActMsg whose "value" is an xact.ArgsMsg; what decodes must re-encode, and the re-encoded
 * ArgsMsg must decode to the same fields (round trip); cnames and the String() forms must not
 * overflow. Must neither crash nor leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "xact/xact.h"
#include "xact/xact_wire.h"

static void fz_args(json_t *v)
{
	xact_args_t a, b;
	char err[256], s[512];
	if (xact_wire_args_parse(v, &a, err, sizeof(err)))
		return;
	xact_wire_args_str(&a, s, sizeof(s));
	json_t *j = xact_wire_args_json(&a);
	if (!j)
		abort();
	if (xact_wire_args_parse(j, &b, err, sizeof(err)))
		abort();
	if (strcmp(a.id, b.id) || strcmp(a.kind, b.kind) || strcmp(a.node, b.node) || memcmp(&a.bck, &b.bck, sizeof(a.bck)) ||
	    a.nbuckets != b.nbuckets || a.flags != b.flags || a.force != b.force || a.timeout_ns != b.timeout_ns)
		abort();
	(void)xact_table_find(a.kind);
	(void)xact_table_similar(a.kind);
	(void)xact_id_valid(a.id);
	xact_wire_args_fini(&b);
	xact_wire_args_fini(&a);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xact_query_t q;
	char err[256], s[512], k[64], id[64];
	if (!xact_wire_query_parse((const char *)data, size, &q, err, sizeof(err))) {
		xact_wire_query_str(&q, s, sizeof(s));
		json_t *j = xact_wire_query_json(&q);
		if (!j)
			abort();
		json_decref(j);
	}
	json_error_t je;
	json_t *m = jsonx_loadb((const char *)data, size, &je);
	if (m) {
		fz_args(json_is_object(m) ? json_object_get(m, "value") : m);
		json_decref(m);
	}
	char cn[128];
	size_t l = size < sizeof(cn) - 1 ? size : sizeof(cn) - 1;
	memcpy(cn, data, l);
	cn[l] = '\0';
	(void)xact_wire_parse_cname(cn, k, sizeof(k), id, sizeof(id));
	return 0;
}
