/* ld_names: the object names aisloader GETs from: listed at start, plus every name it PUTs.
 * Append-only and shared by all loop threads: ld_names_add() takes a mutex, readers
 * (ld_names_len/ld_names_at) take none - entries never move (fixed-size chunks) and len is
 * published with release semantics after the entry is written. Also the per-thread PRNG
 * (splitmix64) and AIStore-style random object names (32 letters/digits). */
#ifndef AIS_LD_NAMES_H
#define AIS_LD_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct ld_names ld_names_t;

ld_names_t *ld_names_new(void);
void ld_names_free(ld_names_t *n);
/* copies name; 0 or AIS_ENOMEM (also when full: 2^30 names) */
int ld_names_add(ld_names_t *n, const char *name);
size_t ld_names_len(const ld_names_t *n);
const char *ld_names_at(const ld_names_t *n, size_t i);
/* Fisher-Yates over the first len entries; only while no other thread uses n. */
void ld_names_shuffle(ld_names_t *n, uint64_t *rng);

uint64_t ld_names_rand(uint64_t *state);             /* splitmix64 step */
uint64_t ld_names_rand_below(uint64_t *state, uint64_t n); /* uniform in [0, n), n > 0 */
/* prefix + len random [a-zA-Z0-9] into out (cap bytes); returns length or -1 if it doesn't fit */
int ld_names_gen(char *out, size_t cap, const char *prefix, int len, uint64_t *rng);

#endif
