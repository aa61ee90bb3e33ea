/* erasure: ISA-L Reed-Solomon (see erasure.h). The encode matrix is ISA-L's Cauchy matrix (any
 * d of its rows are independent); decoding inverts the d x d matrix of d surviving rows and
 * expresses each lost row (data or parity) over the survivors, then runs ec_encode_data with
 * those rows as coefficients. Owns: the matrices of one erasure_t. */
#include "core/erasure.h"

#include <isa-l/erasure_code.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int erasure_init(erasure_t *e, int d, int p)
{
	memset(e, 0, sizeof(*e));
	if (d < 1 || d > ERASURE_MAX_SLICES || p < 1 || p > ERASURE_MAX_SLICES)
		return AIS_EINVAL;
	int m = d + p;
	e->a = malloc((size_t)m * (size_t)d);
	e->gt = malloc(32u * (size_t)d * (size_t)p);
	if (!e->a || !e->gt) {
		erasure_fini(e);
		return AIS_ENOMEM;
	}
	e->d = d;
	e->p = p;
	gf_gen_cauchy1_matrix(e->a, m, d);
	ec_init_tables(d, p, e->a + (size_t)d * (size_t)d, e->gt);
	return 0;
}

void erasure_fini(erasure_t *e)
{
	free(e->a);
	free(e->gt);
	memset(e, 0, sizeof(*e));
}

size_t erasure_slice_size(int64_t size, int d)
{
	if (size <= 0 || d < 1)
		return 1;
	return (size_t)((size + d - 1) / d);
}

void erasure_encode(const erasure_t *e, size_t len, unsigned char *const *data, unsigned char *const *parity)
{
	ec_encode_data((int)len, e->d, e->p, e->gt, (unsigned char **)data, (unsigned char **)parity);
}

int erasure_decode(const erasure_t *e, size_t len, unsigned char *const *slices, const bool *have)
{
	int d = e->d, m = e->d + e->p, nsurv = 0, nlost = 0;
	int surv[ERASURE_MAX_SLICES], lost[2 * ERASURE_MAX_SLICES];
	for (int i = 0; i < m; i++) {
		if (have[i] && nsurv < d)
			surv[nsurv++] = i;
		else if (!have[i])
			lost[nlost++] = i;
	}
	if (nsurv < d)
		return AIS_EINVAL;
	if (!nlost)
		return 0;
	size_t dd = (size_t)d * (size_t)d;
	unsigned char *b = malloc(dd), *inv = malloc(dd), *c = malloc((size_t)nlost * (size_t)d),
		      *gt = malloc(32u * (size_t)d * (size_t)nlost);
	unsigned char *src[ERASURE_MAX_SLICES], *dst[2 * ERASURE_MAX_SLICES];
	int rc = 0;
	if (!b || !inv || !c || !gt) {
		rc = AIS_ENOMEM;
		goto out;
	}
	for (int r = 0; r < d; r++) /* the survivors' rows of the encode matrix */
		memcpy(b + (size_t)r * d, e->a + (size_t)surv[r] * d, (size_t)d);
	if (gf_invert_matrix(b, inv, d)) {
		rc = AIS_EINTERNAL;
		goto out;
	}
	for (int k = 0; k < nlost; k++) {
		int row = lost[k];
		unsigned char *cr = c + (size_t)k * d;
		if (row < d) { /* a data slice: its row of the inverse */
			memcpy(cr, inv + (size_t)row * d, (size_t)d);
			continue;
		}
		/* a parity slice: its encode row times the inverse */
		for (int j = 0; j < d; j++) {
			unsigned char s = 0;
			for (int t = 0; t < d; t++)
				s ^= gf_mul(e->a[(size_t)row * d + t], inv[(size_t)t * d + j]);
			cr[j] = s;
		}
	}
	for (int r = 0; r < d; r++)
		src[r] = slices[surv[r]];
	for (int k = 0; k < nlost; k++)
		dst[k] = slices[lost[k]];
	ec_init_tables(d, nlost, c, gt);
	ec_encode_data((int)len, d, nlost, gt, src, dst);
out:
	free(b);
	free(inv);
	free(c);
	free(gt);
	return rc;
}
