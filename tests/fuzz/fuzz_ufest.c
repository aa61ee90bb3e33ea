/* fuzz: the chunk manifest decoder must reject or accept any bytes without overreads; whatever
 * it accepts re-encodes and decodes to the same manifest. A second pass fixes up the XXH64
 * trailer so the zlib stream and the field parser behind the checksum gate get exercised, and a
 * third wraps the raw input as a (valid-trailer) zlib payload to reach the field parser directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zlib.h>

#include "obj/ufest.h"

static void check(const uint8_t *data, size_t size)
{
	ufest_t u, v;
	ufest_init(&u);
	ufest_init(&v);
	if (ufest_decode(data, size, &u) == 0) {
		unsigned char *b;
		size_t n;
		if (ufest_encode(&u, &b, &n) == 0) {
			if (ufest_decode(b, n, &v) != 0 || v.count != u.count || v.size != u.size ||
			    strcmp(v.id, u.id))
				abort();
			for (int i = 0; i < u.count; i++)
				if (v.chunks[i].num != u.chunks[i].num || strcmp(v.chunks[i].path, u.chunks[i].path))
					abort();
			free(b);
		}
	}
	ufest_fini(&u);
	ufest_fini(&v);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	if (size > (1u << 20))
		return 0;
	/* trailer fixed up */
	if (size >= 17) {
		uint8_t *c = malloc(size);
		if (!c)
			return 0;
		memcpy(c, data, size);
		memcpy(c, "AISU", 4);
		c[4] = 1;
		put_be(c + size - 8, XXH64(c, size - 8, 0), 8);
		check(c, size);
		free(c);
	}
	/* raw input as the payload */
	uLongf zl = compressBound((uLong)size);
	uint8_t *c = malloc(9 + zl + 8);
	if (!c)
		return 0;
	memcpy(c, "AISU", 4);
	c[4] = 1;
	put_be(c + 5, size, 4);
	if (compress2(c + 9, &zl, data, (uLong)size, 1) == Z_OK) {
		put_be(c + 9 + zl, XXH64(c, 9 + zl, 0), 8);
		check(c, 9 + zl + 8);
	}
	free(c);
	return 0;
}
