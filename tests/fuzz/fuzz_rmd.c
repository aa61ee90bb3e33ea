/* fuzz driver: the rebalance metadata codec (rmd_from_json, rebalance's part of every metasync
 * and join payload) and the rebalance frame's opaque blob (treb_opaque_dec): arbitrary bytes are
 * accepted or refused without crashing or leaking; what is accepted encodes and decodes back
 * to the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/rmd.h"
#include "core/jsonx.h"
#include "target/treb_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t id, mt;
	if (!treb_opaque_dec(data, size, &id, &mt)) {
		uint8_t b[TREB_OPAQUE_LEN];
		treb_opaque_enc(b, id, mt);
		if (memcmp(b, data, TREB_OPAQUE_LEN))
			abort();
	}
	char err[256];
	json_t *j = jsonx_loadb((const char *)data, size, NULL);
	if (!j)
		return 0;
	rmd_t m, back;
	if (!rmd_from_json(json_object_get(j, "rmd") ? json_object_get(j, "rmd") : j, &m, err, sizeof(err))) {
		json_t *e = rmd_to_json(&m);
		if (!e || rmd_from_json(e, &back, err, sizeof(err)) || back.version != m.version ||
		    back.smap_version != m.smap_version || back.ntids != m.ntids || strcmp(back.action, m.action))
			abort();
		json_decref(e);
	}
	json_decref(j);
	return 0;
}
