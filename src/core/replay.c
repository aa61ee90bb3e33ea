/* replay: see replay.h. Each shard is an open-addressing table (linear probing) of (nonce,
 * expiry); expiry 0 marks a never-used slot. Expired entries are not removed one by one (that
 * would break probe chains): a lookup walks over them, an insert may not reuse them (a probe
 * chain must stay intact), and when used slots pass 60% of the table it is rebuilt with the
 * live entries only (capacity sized from them). Invariants: a nonce is in at most one slot;
 * every live nonce is reachable from its home slot without crossing a never-used slot. */
#include "core/replay.h"
#include "core/err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RP_SHARDS 16
#define RP_MIN_CAP 256

typedef struct rp_shard {
	pthread_mutex_t mu;
	uint64_t *keys;
	int64_t *exps; /* 0: never used */
	size_t cap;    /* power of two */
	size_t used;   /* slots with exps != 0 (live or expired) */
} rp_shard_t;

struct replay {
	size_t max_per_shard;
	rp_shard_t sh[RP_SHARDS];
};

static size_t rp_home(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static int rp_alloc(rp_shard_t *s, size_t cap)
{
	uint64_t *k = calloc(cap, sizeof(*k));
	int64_t *e = calloc(cap, sizeof(*e));
	if (!k || !e) {
		free(k);
		free(e);
		return AIS_ENOMEM;
	}
	s->keys = k;
	s->exps = e;
	s->cap = cap;
	s->used = 0;
	return 0;
}

replay_t *replay_new(size_t max)
{
	replay_t *rp = calloc(1, sizeof(*rp));
	if (!rp)
		return NULL;
	rp->max_per_shard = (max ? max : (4u << 20)) / RP_SHARDS + 1;
	for (int i = 0; i < RP_SHARDS; i++) {
		pthread_mutex_init(&rp->sh[i].mu, NULL);
		if (rp_alloc(&rp->sh[i], RP_MIN_CAP)) {
			replay_free(rp);
			return NULL;
		}
	}
	return rp;
}

void replay_free(replay_t *rp)
{
	if (!rp)
		return;
	for (int i = 0; i < RP_SHARDS; i++) {
		free(rp->sh[i].keys);
		free(rp->sh[i].exps);
		pthread_mutex_destroy(&rp->sh[i].mu);
	}
	free(rp);
}

static void rp_put(rp_shard_t *s, uint64_t k, int64_t exp)
{
	size_t m = s->cap - 1, i = rp_home(k, s->cap);
	while (s->exps[i])
		i = (i + 1) & m;
	s->keys[i] = k;
	s->exps[i] = exp;
	s->used++;
}

/* rebuild with the live entries; 0 or AIS_EAGAIN (too many live ones) / AIS_ENOMEM */
static int rp_rebuild(rp_shard_t *s, size_t max, int64_t now)
{
	size_t live = 0;
	for (size_t i = 0; i < s->cap; i++)
		if (s->exps[i] > now)
			live++;
	if (live >= max)
		return AIS_EAGAIN;
	size_t cap = RP_MIN_CAP;
	while (cap < (live + 1) * 3)
		cap <<= 1;
	rp_shard_t n = *s;
	if (rp_alloc(&n, cap))
		return AIS_ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->exps[i] > now)
			rp_put(&n, s->keys[i], s->exps[i]);
	free(s->keys);
	free(s->exps);
	s->keys = n.keys;
	s->exps = n.exps;
	s->cap = n.cap;
	s->used = n.used;
	return 0;
}

int replay_check(replay_t *rp, uint64_t nonce, int64_t now_ns, int64_t exp_ns)
{
	if (exp_ns <= now_ns)
		exp_ns = now_ns + 1;
	/* the shard from mixed bits: redirect nonces are per-thread counters (net/rsig.c), whose top
	 * bits never change - by the top bits alone one busy thread filled one shard (503s) */
	rp_shard_t *s = &rp->sh[(nonce * 0x9E3779B97F4A7C15ULL) >> 60 & (RP_SHARDS - 1)];
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	size_t m = s->cap - 1;
	for (size_t i = rp_home(nonce, s->cap); s->exps[i]; i = (i + 1) & m) {
		if (s->keys[i] == nonce && s->exps[i] > now_ns) {
			rc = AIS_EEXIST;
			goto out;
		}
	}
	if ((s->used + 1) * 10 > s->cap * 6 && (rc = rp_rebuild(s, rp->max_per_shard, now_ns)))
		goto out;
	rp_put(s, nonce, exp_ns);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

size_t replay_count(replay_t *rp, int64_t now_ns)
{
	size_t n = 0;
	for (int j = 0; j < RP_SHARDS; j++) {
		rp_shard_t *s = &rp->sh[j];
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < s->cap; i++)
			n += s->exps[i] > now_ns;
		pthread_mutex_unlock(&s->mu);
	}
	return n;
}
