/* fuzz driver: the small string parsers a request reaches - HTTP Range (obj_get_range), AIStore
 * durations and sizes, percent-decoding, feature-flag names and the object-name check behind
 * every object path. Input: a selector byte, then the text. Must never crash, read out of
 * bounds or return inconsistent results (asserted below). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/util.h"
#include "obj/obj_get.h"

static void check_range(const char *s, int64_t size)
{
	int64_t off = -1, len = -1;
	int rc = obj_get_range(s, size, &off, &len);
	if (rc == 1 && (off < 0 || len <= 0 || off + len > size))
		abort(); /* a satisfiable range must lie inside the object */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	int64_t v;
	uint64_t f;
	char err[160], dec[4096];
	switch (data[0] % 5) {
	case 0:
		check_range(s, 0);
		check_range(s, 1);
		check_range(s, 1 << 20);
		check_range(s, INT64_MAX / 2);
		break;
	case 1:
		if (!parse_duration(s, &v) && v < 0)
			abort();
		if (!parse_size(s, &v) && v < 0)
			abort();
		break;
	case 2: {
		long n = url_decode(s, strlen(s), dec, true);
		if (n > (long)strlen(s))
			abort();
		char *enc = url_encode(s, true);
		free(enc);
		break;
	}
	case 3:
		if (!feat_parse(s, &f, err, sizeof(err))) {
			char out[1024];
			feat_format(f, out, sizeof(out));
		}
		break;
	default:
		parse_i64(s, &v);
		break;
	}
	free(s);
	return 0;
}
