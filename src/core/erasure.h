/* erasure: Reed-Solomon erasure coding of D data slices into P parity slices with ISA-L
 * (libisal: gf_gen_cauchy1_matrix, ec_init_tables, ec_encode_data, gf_invert_matrix); no Galois
 * arithmetic here beyond assembling the decode matrix from ISA-L's own gf_mul. Any D of the D+P
 * slices rebuild the others. Pure computation: no I/O, no state outside an erasure_t (which is
 * read-only after erasure_init, so one may serve many threads). Slices are equal-sized; an
 * object is split with erasure_slice_size and its last data slice zero-padded. */
#ifndef AIS_ERASURE_H
#define AIS_ERASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ERASURE_MAX_SLICES 32 /* D and P each 1..32 (AIStore's MinSliceCount..MaxSliceCount) */

typedef struct erasure {
	int d, p;
	unsigned char *a;  /* (d+p) x d encode matrix (identity on top of a Cauchy matrix) */
	unsigned char *gt; /* ISA-L tables of the parity rows: 32 * d * p bytes */
} erasure_t;

/* 0, AIS_EINVAL (d or p outside 1..32), AIS_ENOMEM */
int erasure_init(erasure_t *e, int d, int p);
void erasure_fini(erasure_t *e);
/* bytes per slice for an object of size bytes (at least 1) */
size_t erasure_slice_size(int64_t size, int d);
/* parity[0..p-1] (len bytes each, caller's buffers) from data[0..d-1] (len bytes each) */
void erasure_encode(const erasure_t *e, size_t len, unsigned char *const *data, unsigned char *const *parity);
/* slices[0..d+p-1]: data then parity, len bytes each; have[i] says which hold valid bytes. Every
 * slice that is not valid is rebuilt into its buffer (the caller provides one for each). 0,
 * AIS_EINVAL (fewer than d valid), AIS_ENOMEM, AIS_EINTERNAL (singular matrix: cannot happen for
 * a Cauchy matrix, checked anyway). */
int erasure_decode(const erasure_t *e, size_t len, unsigned char *const *slices, const bool *have);

#endif
