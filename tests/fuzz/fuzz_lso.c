/* fuzz: the LsoMsg JSON parser (strict fields) and its re-serialization. */
#include <stdint.h>
#include <stdlib.h>

#include "api/lso.h"

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
	return 0;
}
