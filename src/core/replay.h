/* replay: a bounded memory of recently seen 64-bit nonces, each kept until its own expiry, so
 * that a signed message (an intra-cluster request, a signed redirect) is accepted at most once
 * while it is valid. Thread-safe (sharded by nonce bits, one mutex per shard); no I/O.
 * Full (more than max live nonces): new nonces are refused (AIS_EAGAIN) rather than forgetting
 * live ones - a refusal costs a retry, forgetting would open a replay. */
#ifndef AIS_REPLAY_H
#define AIS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct replay replay_t;

/* max: live nonces kept at most (all shards); 0: 4M. NULL when out of memory. */
replay_t *replay_new(size_t max);
void replay_free(replay_t *rp);
/* record nonce until exp_ns (wall clock, the message's own expiry). Returns 0 the first time,
 * AIS_EEXIST when it is already remembered (a replay), AIS_EAGAIN when full (or out of memory). */
int replay_check(replay_t *rp, uint64_t nonce, int64_t now_ns, int64_t exp_ns);
/* live nonces (tests, metrics) */
size_t replay_count(replay_t *rp, int64_t now_ns);

#endif
