/* tec: erasure coding of EC buckets across targets (AIStore's ec/ package; docs/redundancy.md).
 *   owner, after a commit:  obj core hook ─► bounded encode queue ─► encoder thread: read the
 *     object, D data + P parity slices (ISA-L, core/erasure.h) or P full replicas when it is
 *     below ec.objsize_limit, each to a distinct target in HRW order after the owner over the
 *     "ec" stream, with its metadata (obj/ecmeta.h; generation = the object's write time)
 *   holders: "ec" receiver ─► tmove worker: store under %ec unless a newer generation is there
 *   owner, GET of a missing main replica (pool thread): tec_restore asks every other target for
 *     its slice ("ec" pull), rebuilds the newest generation that has D slices or a replica,
 *     verifies the object's checksum and commits it (which encodes it again)
 *   delete: the owner tells every target to drop the object's slices up to its generation.
 *   rebalance: the owner re-sends the pieces whose holder changed with the Smap (tec_reb_place)
 *     and tells the targets out of the new piece set to drop theirs.
 * Counters: ec.encode.*, ec.restore.*, err.ec.queue.n, err.ec.n (stats.h). */
#ifndef AIS_TEC_H
#define AIS_TEC_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster/smap.h"
#include "obj/obj.h"

#define TEC_TRNAME "ec"

/* register the "ec" stream, start the encoder, hook the object core. 0 or AIS_E* */
int tec_init(void);
/* stop the encoder (after the HTTP server stopped) */
void tec_fini(void);
/* rebuild o's main replica from the slices or replicas on the other targets (pool threads and
 * jobs: blocks on the network). 0 (committed: read it now), AIS_ENOTFOUND (not enough of one
 * generation anywhere), AIS_E* with a message in err */
int tec_restore(const obj_t *o, char *err, size_t cap);
/* encode o now on this thread (the ec-encode job): 0, AIS_ENOTFOUND, AIS_E* */
int tec_encode_now(const obj_t *o);
/* rebalance (treb.c, after every object reached its owner): o's pieces to the targets that hold
 * them in the current Smap's HRW order, only where the holder differs in any of the nold maps
 * olds (nold < 0: every piece) - nothing is read when the owner and every holder stayed in all
 * of them; once all are stored,
 * the targets out of the piece set (and this one) drop theirs up to the object's generation.
 * sent and dropped grow by the pieces sent and the drop notices sent. 0 (also: not the owner), AIS_E* */
int tec_reb_place(const obj_t *o, const smap_t *const *olds, int nold, int64_t *sent, int64_t *dropped);

#endif
