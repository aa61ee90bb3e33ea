/* fuzz: the LOM xattr decoder must reject or accept any bytes without overreads, and whatever
 * it accepts must re-encode and decode to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obj/lom.h"
#include <xxhash.h>

static void one(const uint8_t *data, size_t size);

/* Also decode a copy whose stored checksum is fixed up, so the record parser gets exercised
 * beyond the checksum gate. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size);
	if (size >= 9 && size <= LOM_MAX_ENCODED) {
		uint8_t *c = malloc(size);
		if (!c)
			return 0;
		memcpy(c, data, size);
		c[0] = LOM_FMT_VERSION;
		uint64_t h = XXH64(c + 9, size - 9, 0);
		for (int i = 0; i < 8; i++)
			c[1 + i] = (uint8_t)(h >> (8 * i));
		one(c, size);
		free(c);
	}
	return 0;
}

static void one(const uint8_t *data, size_t size)
{
	lom_md_t md, md2;
	lom_md_init(&md);
	lom_md_init(&md2);
	if (lom_decode(data, size, &md) == 0) {
		unsigned char *buf = NULL;
		size_t len = 0;
		if (lom_encode(&md, &buf, &len) == 0) {
			if (lom_decode(buf, len, &md2) != 0 || md2.size != md.size || md2.bid != md.bid || md2.mtime != md.mtime ||
			    strcmp(md2.ckval, md.ckval) || strcmp(md2.version, md.version))
				abort();
			free(buf);
		}
	}
	lom_md_fini(&md);
	lom_md_fini(&md2);
}
