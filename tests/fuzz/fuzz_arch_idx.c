/* fuzz: the shard index parser (archive/arch_idx.c, AIStore's packed ShardIndex): arbitrary bytes
 * (raw, and again with the preamble's checksum repaired so the payload decoder is reached); a
 * parsed index walks without overrun, every entry lies inside the recorded shard size, every
 * name is found again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "archive/arch_idx.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	unsigned char *b = malloc(size ? size : 1);
	if (!b)
		return;
	memcpy(b, data, size);
	arch_idx_t idx;
	char err[128];
	if (arch_idx_parse(&idx, b, size, err, sizeof(err)))
		return; /* (b freed by the parser) */
	size_t pos = 0, nl;
	const char *name;
	arch_idx_ent_t e, f;
	while (arch_idx_next(&idx, &pos, &name, &nl, &e)) {
		if (e.hdr_off < 0 || e.size < 0 || e.hdr_off + 512 + e.size > idx.src_size)
			abort();
		char *z = strndup(name, nl);
		if (z && memchr(name, 0, nl) == NULL && !arch_idx_find(&idx, z, &f))
			abort();
		free(z);
	}
	arch_idx_fresh(&idx, idx.src_size, "xxhash", "00");
	arch_idx_fini(&idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(data, size);
	if (size >= ARCH_IDX_PREAMBLE) {
		unsigned char *b = malloc(size);
		memcpy(b, data, size);
		b[0] = 1;
		b[1] = 0;
		b[2] = 1;
		uint64_t h = XXH64(b + ARCH_IDX_PREAMBLE, size - ARCH_IDX_PREAMBLE, ARCH_IDX_SEED);
		for (int i = 0; i < 8; i++)
			b[3 + i] = (unsigned char)(h >> (56 - 8 * i));
		fuzz_one(b, size);
		free(b);
	}
	return 0;
}
