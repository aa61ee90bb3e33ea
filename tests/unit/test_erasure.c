/* erasure (ISA-L Reed-Solomon): for every (D, P) in 2..8 x 2..4, encode random data, then lose
 * every combination of up to P slices (data and parity alike) and rebuild them byte-exact; also
 * D = 1 (replicas), the maximum 32 + 32, bad arguments, fewer than D survivors. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/erasure.h"
#include "core/err.h"

static void fill(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
}

/* encode d+p slices of len bytes; returns the buffers (orig: the reference copy) */
static void make(const erasure_t *e, size_t len, unsigned char **sl, unsigned char **orig, unsigned seed)
{
	int m = e->d + e->p;
	for (int i = 0; i < m; i++) {
		sl[i] = malloc(len);
		orig[i] = malloc(len);
	}
	for (int i = 0; i < e->d; i++)
		fill(sl[i], len, seed + (unsigned)i);
	erasure_encode(e, len, sl, sl + e->d);
	for (int i = 0; i < m; i++)
		memcpy(orig[i], sl[i], len);
}

static void check_mask(const erasure_t *e, size_t len, unsigned char **sl, unsigned char **orig, uint64_t mask)
{
	int m = e->d + e->p;
	bool have[64];
	for (int i = 0; i < m; i++) {
		have[i] = !(mask & (1ull << i));
		if (!have[i])
			memset(sl[i], 0xA5, len); /* garbage where a lost slice was */
	}
	cr_assert_eq(erasure_decode(e, len, sl, have), 0);
	for (int i = 0; i < m; i++)
		cr_assert(!memcmp(sl[i], orig[i], len), "D=%d P=%d mask %llx: slice %d differs", e->d, e->p, (unsigned long long)mask, i);
}

Test(erasure, every_dp_any_p_missing)
{
	for (int d = 2; d <= 8; d++) {
		for (int p = 2; p <= 4; p++) {
			erasure_t e;
			cr_assert_eq(erasure_init(&e, d, p), 0);
			size_t len = 1000 + (size_t)d * 7 + (size_t)p;
			unsigned char *sl[12], *orig[12];
			make(&e, len, sl, orig, (unsigned)(d * 10 + p));
			int m = d + p, combos = 0;
			for (unsigned mask = 1; mask < (1u << m); mask++) {
				if (__builtin_popcount(mask) > p)
					continue;
				check_mask(&e, len, sl, orig, mask);
				combos++;
			}
			cr_assert_gt(combos, 0);
			/* one more lost than P: refused, nothing claimed */
			bool have[12];
			for (int i = 0; i < m; i++)
				have[i] = i > p;
			cr_assert_eq(erasure_decode(&e, len, sl, have), AIS_EINVAL);
			for (int i = 0; i < m; i++) {
				free(sl[i]);
				free(orig[i]);
			}
			erasure_fini(&e);
		}
	}
}

Test(erasure, parity_differs_from_data_and_changes_with_it)
{
	erasure_t e;
	cr_assert_eq(erasure_init(&e, 4, 2), 0);
	unsigned char *sl[6], *orig[6];
	make(&e, 4096, sl, orig, 1);
	sl[0][100] ^= 1;
	erasure_encode(&e, 4096, sl, sl + 4);
	cr_assert(memcmp(sl[4], orig[4], 4096) || memcmp(sl[5], orig[5], 4096));
	for (int i = 0; i < 6; i++) {
		free(sl[i]);
		free(orig[i]);
	}
	erasure_fini(&e);
}

Test(erasure, replicas_max_and_bad_args)
{
	erasure_t e;
	cr_assert_eq(erasure_init(&e, 0, 2), AIS_EINVAL);
	cr_assert_eq(erasure_init(&e, 2, 33), AIS_EINVAL);
	cr_assert_eq(erasure_init(&e, 33, 1), AIS_EINVAL);
	/* D = 1 codes too (AIStore stores P full replicas instead; the codec does not care) */
	cr_assert_eq(erasure_init(&e, 1, 3), 0);
	unsigned char *sl[4], *orig[4];
	make(&e, 333, sl, orig, 9);
	check_mask(&e, 333, sl, orig, 0x7);
	for (int i = 0; i < 4; i++) {
		free(sl[i]);
		free(orig[i]);
	}
	erasure_fini(&e);
	/* 32 + 32: lose all 32 data slices */
	cr_assert_eq(erasure_init(&e, 32, 32), 0);
	unsigned char *s2[64], *o2[64];
	make(&e, 64, s2, o2, 3);
	check_mask(&e, 64, s2, o2, 0xFFFFFFFFu);
	for (int i = 0; i < 64; i++) {
		free(s2[i]);
		free(o2[i]);
	}
	erasure_fini(&e);
	cr_assert_eq(erasure_slice_size(0, 4), 1);
	cr_assert_eq(erasure_slice_size(10, 4), 3);
	cr_assert_eq(erasure_slice_size(12, 4), 3);
}
