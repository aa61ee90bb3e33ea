/* fuzz driver: the metasync/join payload parsers (jsonx_loadb → smap_from_json, bmd_from_json)
 * must reject or accept arbitrary bytes without crashing or leaking. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/smap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *j = jsonx_loadb((const char *)data, size, NULL);
	if (!j)
		return 0;
	smap_t *s = smap_from_json(json_object_get(j, "smap") ? json_object_get(j, "smap") : j, err, sizeof(err));
	if (s) {
		json_t *back = smap_to_json(s);
		char *txt = jsonx_dumps(back);
		free(txt);
		json_decref(back);
		smap_free(s);
	}
	bmd_t *b = bmd_from_json(json_object_get(j, "bmd") ? json_object_get(j, "bmd") : j, err, sizeof(err));
	if (b) {
		json_t *back = bmd_to_json(b);
		json_decref(back);
		bmd_free(b);
	}
	json_decref(j);
	return 0;
}
