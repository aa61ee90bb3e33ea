/* fuzz driver: the election messages' parser (VoteMessage / VoteInitiationMessage /
 * VoteResultMessage: jsonx_loadb → vote_rec_from_json, with the Smap inside) must reject or
 * accept arbitrary bytes without crashing or leaking; an accepted record round-trips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cluster/vote.h"
#include "core/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *j = jsonx_loadb((const char *)data, size, NULL);
	if (!j)
		return 0;
	static const char *const keys[] = {"vote_record", "vote_initiation", "vote_result"};
	for (int i = 0; i < 3; i++) {
		json_t *x = json_object_get(j, keys[i]);
		vote_rec_t v;
		if (vote_rec_from_json(x ? x : j, &v, err, sizeof(err)))
			continue;
		json_t *back = vote_rec_to_json(&v);
		char *txt = back ? jsonx_dumps(back) : NULL;
		free(txt);
		json_decref(back);
		vote_rec_fini(&v);
	}
	json_decref(j);
	return 0;
}
