/* fuzz_config: libFuzzer driver for config_parse. The input is "<cluster JSON>\0<local JSON>"
 * (no NUL: the whole input is tried as both). A part that is not valid JSON is replaced by a
 * minimal valid config so the other part still reaches the field parsers. Must never crash or
 * leak; the error message must always be NUL-terminated. */
#include "core/config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static json_t *fuzz_json(const uint8_t *p, size_t n, const char *fallback)
{
	json_t *j = json_loadb((const char *)p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	return j ? j : json_loads(fallback, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	const uint8_t *p2 = nul ? nul + 1 : data;
	size_t n2 = nul ? size - n1 - 1 : size;
	json_t *cluster = fuzz_json(data, n1, "{}");
	json_t *local = fuzz_json(p2, n2, "{\"host_net\": {\"port\": \"8080\"}}");
	config_t c;
	char err[128];

	memset(err, 'x', sizeof(err));
	if (config_parse(&c, cluster, local, err, sizeof(err)) == 0) {
		for (int i = 0; i < c.nfspaths; i++)
			if (c.fspaths[i][0] != '/')
				__builtin_trap();
		config_fini(&c);
	} else if (!memchr(err, '\0', sizeof(err))) {
		__builtin_trap();
	}
	json_decref(cluster);
	json_decref(local);
	return 0;
}
