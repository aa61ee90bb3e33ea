/* fuzz: the shard readers (archive/arch_rd.c over libarchive) on arbitrary bytes as each of the
 * four formats: walk every entry, read every byte (the bytes are never trusted: sizes, offsets
 * and names come from the input); for a plain TAR, every regular entry's data offset must lie
 * inside the input, and the index built over it must parse and find each of its names.
 * Also the format detection (magic, MIME strings) and the match modes on the input's names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/arch_idx.h"
#include "archive/arch_match.h"
#include "archive/arch_mime.h"
#include "archive/arch_rd.h"

static void fuzz_fmt(const uint8_t *data, size_t size, arch_fmt_t f)
{
	arch_rd_t *r;
	char err[256], buf[4096];
	if (arch_rd_open_mem(&r, f, data, size, err, sizeof(err)))
		return;
	arch_ent_t e;
	int n = 0;
	while (n < 2000 && arch_rd_next(r, &e) == 1) {
		n++;
		if (e.data_off >= 0 && (e.data_off > (int64_t)size))
			abort(); /* an offset outside the source */
		arch_match_t m;
		if (!arch_match_init(&m, "a", ARCH_MM_WDSKEY, err, sizeof(err))) {
			arch_match_do(&m, e.name);
			arch_match_fini(&m);
		}
		for (int k = 0; k < 64 && arch_rd_read(r, buf, sizeof(buf)) > 0; k++)
			;
	}
	arch_rd_close(r);
	if (f != ARCH_TAR || arch_rd_open_mem(&r, f, data, size, err, sizeof(err)))
		return;
	arch_idx_t idx;
	if (!arch_idx_build(r, "xxhash", "00", (int64_t)size, &idx, err, sizeof(err))) {
		size_t pos = 0, nl;
		const char *name;
		arch_idx_ent_t ie, fe;
		while (arch_idx_next(&idx, &pos, &name, &nl, &ie)) {
			char *z = strndup(name, nl);
			if (!z || !arch_idx_find(&idx, z, &fe))
				abort(); /* every indexed name is found */
			if (ie.hdr_off + 512 + ie.size > (int64_t)size)
				abort();
			free(z);
		}
		arch_idx_fini(&idx);
	}
	arch_rd_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int f = ARCH_TAR; f <= ARCH_ZIP; f++)
		fuzz_fmt(data, size, (arch_fmt_t)f);
	arch_fmt_t f;
	arch_mime_magic(data, size);
	char s[64];
	size_t l = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, l);
	s[l] = '\0';
	arch_mime_norm(s, &f);
	arch_mime_by_ext(s);
	return 0;
}
