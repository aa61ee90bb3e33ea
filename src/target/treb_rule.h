/* treb_rule: the pure parts of global rebalance (no I/O, no state), unit-tested on their own
 * (tests/unit/test_treb_rule.c):
 *
 * 1. THE OVERWRITE INVARIANT. Every copy of an object carries the write time of its version
 *    (LOM mtime: set when a client PUT, copy, append or multipart completion wrote it; kept by
 *    rebalance and resilver moves and by get-from-neighbour). A migrated copy M arriving at the
 *    new owner is committed only under the object's lock and only if
 *      (a) no tombstone (a DELETE seen by this target at time T) has T >= M.mtime, and
 *      (b) the local version L (if any) is older: L.mtime < M.mtime.
 *    Otherwise it is skipped and the sender is told "ok" (the destination holds the object's
 *    latest state, or its deletion), so the sender may drop its copy. Hence a migrated older copy
 *    never overwrites an object PUT meanwhile (its mtime is newer) nor resurrects one deleted
 *    meanwhile (its tombstone is newer), whatever the order in which the copy, the GET-from-
 *    neighbour, the PUT and the DELETE reach the new owner. Equal mtimes with equal size and
 *    checksum are the same version (duplicate: skipped); equal mtimes with different content
 *    cannot be decided - the local one stays (logged as an ambiguity).
 *    The sender, on "ok", removes its copy only if it is still the version it sent (a PUT that
 *    reached the old owner meanwhile is kept; obj_reloc_drop).
 *
 * 2. The frame's opaque blob: 'R', version 1, rebalance ID (u64), mtime (i64) - big-endian.
 *
 * 3. Stages (AIStore's reb/globrun.go) and the barrier decision from a peer's reported status:
 *    INIT ─► TRAVERSE (ready to receive; rx-ready barrier: every peer at >= TRAVERSE of the same
 *    ID) ─► sending ─► POST_TRAVERSE (all my sends acknowledged; barrier: every peer at >=
 *    POST_TRAVERSE, i.e. nothing more will arrive) ─► FIN ─► DONE. A peer running a newer ID
 *    preempts us; a peer that aborted the same ID aborts us; an older ID means "keep waiting". */
#ifndef AIS_TREB_RULE_H
#define AIS_TREB_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obj/lom.h"

typedef enum {
	TREB_ACCEPT = 0,       /* write it */
	TREB_SKIP_SAME = 1,    /* the same version is here already */
	TREB_SKIP_NEWER = 2,   /* a newer version is here (a PUT won) */
	TREB_SKIP_DELETED = 3, /* deleted here after this version was written */
	TREB_SKIP_AMBIG = 4,   /* same write time, other content: the local one stays */
} treb_verdict_t;

/* the rule: local = the destination's current version (NULL: none); tomb_ns = the latest DELETE
 * of the name seen here (0: none); in = the incoming copy's LOM (mtime, size, checksum) */
treb_verdict_t treb_rule(const lom_md_t *local, int64_t tomb_ns, const lom_md_t *in);
const char *treb_verdict_str(treb_verdict_t v);

#define TREB_OPAQUE_LEN 18
void treb_opaque_enc(uint8_t out[TREB_OPAQUE_LEN], int64_t reb_id, int64_t mtime);
/* 0 or -1 (wrong length, magic or version) */
int treb_opaque_dec(const void *p, size_t len, int64_t *reb_id, int64_t *mtime);

enum {
	TREB_ST_INACTIVE = 0,
	TREB_ST_INIT,
	TREB_ST_TRAVERSE,
	TREB_ST_POST_TRAVERSE,
	TREB_ST_FIN,
	TREB_ST_FIN_STREAMS,
	TREB_ST_DONE,
	TREB_ST_ABORT,
};
/* "<traverse>" etc. (AIStore's stage names) */
const char *treb_stage_str(int stage);

typedef enum {
	TREB_PEER_WAIT,    /* not there yet (older ID, lower stage, unreachable): ask again */
	TREB_PEER_OK,      /* reached the stage (or finished this ID) */
	TREB_PEER_NEWER,   /* runs a newer rebalance: ours is preempted */
	TREB_PEER_ABORTED, /* aborted this very rebalance: so do we */
} treb_peer_t;
treb_peer_t treb_peer_check(int64_t my_id, int want_stage, int64_t peer_id, int peer_stage, bool peer_running,
			    bool peer_aborted);

#endif
