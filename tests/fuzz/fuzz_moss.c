/* fuzz: the GetBatch request parser (archive/moss.c: MossReq JSON, strict fields) and the names it
 * builds: a request that parses has at least one item, every objname is a valid object name,
 * every archpath valid; naming never overflows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/moss.h"
#include "fs/fqn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	moss_req_t r;
	char err[512];
	if (moss_req_parse((const char *)data, size, &r, err, sizeof(err)))
		return 0;
	if (r.n < 1)
		abort();
	sbuf_t n = SBUF_INIT;
	for (int i = 0; i < r.n; i++) {
		const moss_in_t *in = &r.in[i];
		if (fqn_validate(in->objname, strlen(in->objname)))
			abort();
		if (*in->archpath && !moss_archpath_ok(in->archpath))
			abort();
		moss_name(&r, in, moss_in_bucket(in, "dflt"), i & 1, &n);
	}
	sbuf_fini(&n);
	moss_req_fini(&r);
	return 0;
}
