/* ld_names: append-only shared name list + PRNG helpers (see ld_names.h).
 * Invariant: chunk[i] pointers, once set, never change until ld_names_free; len only grows. */
#include "loader/ld_names.h"
#include "core/err.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LD_CHUNK_BITS 16
#define LD_CHUNK (1u << LD_CHUNK_BITS)
#define LD_NCHUNKS (1u << 14)

struct ld_names {
	pthread_mutex_t mu;
	_Atomic size_t len;
	char **chunk[LD_NCHUNKS];
};

ld_names_t *ld_names_new(void)
{
	ld_names_t *n = calloc(1, sizeof(*n));
	if (n)
		pthread_mutex_init(&n->mu, NULL);
	return n;
}

void ld_names_free(ld_names_t *n)
{
	if (!n)
		return;
	size_t len = atomic_load(&n->len);
	for (size_t i = 0; i < len; i++)
		free(n->chunk[i >> LD_CHUNK_BITS][i & (LD_CHUNK - 1)]);
	for (size_t c = 0; c < LD_NCHUNKS && n->chunk[c]; c++)
		free(n->chunk[c]);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

int ld_names_add(ld_names_t *n, const char *name)
{
	char *dup = strdup(name);
	if (!dup)
		return AIS_ENOMEM;
	pthread_mutex_lock(&n->mu);
	size_t i = atomic_load_explicit(&n->len, memory_order_relaxed);
	size_t c = i >> LD_CHUNK_BITS;
	if (c >= LD_NCHUNKS || (!n->chunk[c] && !(n->chunk[c] = calloc(LD_CHUNK, sizeof(char *))))) {
		pthread_mutex_unlock(&n->mu);
		free(dup);
		return AIS_ENOMEM;
	}
	n->chunk[c][i & (LD_CHUNK - 1)] = dup;
	atomic_store_explicit(&n->len, i + 1, memory_order_release);
	pthread_mutex_unlock(&n->mu);
	return 0;
}

size_t ld_names_len(const ld_names_t *n)
{
	return atomic_load_explicit(&((ld_names_t *)n)->len, memory_order_acquire);
}

const char *ld_names_at(const ld_names_t *n, size_t i)
{
	return n->chunk[i >> LD_CHUNK_BITS][i & (LD_CHUNK - 1)];
}

void ld_names_shuffle(ld_names_t *n, uint64_t *rng)
{
	size_t len = ld_names_len(n);
	for (size_t i = len; i > 1; i--) {
		size_t j = (size_t)ld_names_rand_below(rng, i);
		char **a = &n->chunk[(i - 1) >> LD_CHUNK_BITS][(i - 1) & (LD_CHUNK - 1)];
		char **b = &n->chunk[j >> LD_CHUNK_BITS][j & (LD_CHUNK - 1)];
		char *t = *a;
		*a = *b;
		*b = t;
	}
}

uint64_t ld_names_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ld_names_rand_below(uint64_t *s, uint64_t n)
{
	/* Lemire's multiply-shift; the bias is < n / 2^64, irrelevant here */
	return (uint64_t)(((unsigned __int128)ld_names_rand(s) * n) >> 64);
}

int ld_names_gen(char *out, size_t cap, const char *prefix, int len, uint64_t *rng)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t pl = strlen(prefix);
	if (len < 0 || pl + (size_t)len + 1 > cap)
		return -1;
	memcpy(out, prefix, pl);
	uint64_t r = 0;
	for (int i = 0; i < len; i++) {
		if (i % 10 == 0)
			r = ld_names_rand(rng);
		out[pl + (size_t)i] = al[r % 62];
		r /= 62;
	}
	out[pl + (size_t)len] = '\0';
	return (int)(pl + (size_t)len);
}
