/* fuzz: the EC slice metadata decoder (obj/ecmeta.h) accepts or rejects any bytes without
 * overreads; whatever it accepts is valid, re-encodes, and decodes back to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obj/ecmeta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ecmeta_t m, m2;
	if (ecmeta_decode((const char *)data, size, &m))
		return 0;
	char buf[ECMETA_MAX + 1];
	int n = ecmeta_encode(&m, buf, sizeof(buf));
	if (n < 0)
		abort(); /* accepted but not encodable */
	if (ecmeta_decode(buf, (size_t)n, &m2) || memcmp(&m, &m2, sizeof(m)))
		abort(); /* not a fixed point */
	if (ecmeta_slice_len(&m) < 0)
		abort();
	return 0;
}
