/* mirror: n-way mirroring of an object within this target (AIStore's bucket prop `mirror`,
 * docs/storage_svcs.md): besides the main replica at its HRW mountpath, copies-1 full copies on
 * distinct other mountpaths, chosen in HRW order (by the object's uname digest) over the
 * available mountpaths. A copy is a complete file with the main replica's LOM (monolithic even
 * when the main is chunked) under <mp>/@<provider>/[ns/]<bck>/%cp/<name as under %ob>: a content
 * directory of its own, so that listing, rebalance, resilver and shard walks (which read %ob)
 * never take a copy for an object. The main replica's LOM carries LOM_FL_COPIES while copies may
 * exist, so that a plain overwrite knows it has copies to drop.
 * Invariants: a copy is installed (rename under the object's lock) only while the main replica
 * is still the version it was copied from; a restore (healing) installs only a copy whose bytes
 * match its own stored checksum, and never over a newer main replica.
 * Blocking (disk I/O): job threads, pool threads, the PUT path after the main replica's commit. */
#ifndef AIS_MIRROR_H
#define AIS_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "obj/lom.h"
#include "obj/obj.h"

#define MIRROR_CT "%cp"
#define MIRROR_MAX_COPIES 32

typedef struct mirror_res {
	int made;         /* copies written */
	int removed;      /* copies removed (unwanted or stale) */
	int64_t bytes;    /* bytes written into copies */
	bool restored;    /* the main replica was restored from a copy */
} mirror_res_t;

/* the copy's path of o on mountpath mpi. 0 or AIS_EINVAL */
int mirror_copy_path(const obj_t *o, int mpi, char *out, size_t cap);
/* the mountpaths that hold o's copies when the bucket keeps `copies` in total: the first
 * copies-1 available mountpaths but o->mpi in HRW order; returns how many (may be fewer than
 * copies-1 when the target has fewer mountpaths) */
int mirror_targets(const obj_t *o, int copies, int mpis[MIRROR_MAX_COPIES]);
/* bring o to exactly `copies` replicas in total (1: the main only, every copy removed): restore a
 * missing main replica from a copy first, then write missing or stale copies and remove the
 * others (a copy on a mountpath that is not a target, e.g. the main's own after a mountpath
 * change). res (optional) says what was done. 0, AIS_ENOTFOUND (no main replica and no usable
 * copy), AIS_E* of the first failed write (the other copies are still attempted). */
int mirror_sync(const obj_t *o, int copies, mirror_res_t *res);
/* after a commit of o's main replica (the object core calls it): the bucket's copies when it is
 * mirrored, or drop the copies a replaced version had (had_copies). With mirror.burst_buffer B >
 * 0 the copies are made asynchronously (mirror_q: AIStore's put-copies job, whose work channel
 * holds B objects): queued while fewer than B wait, else made inline (the committing thread pays:
 * back-pressure). B = 0: inline. Failures are logged: the main replica is committed either way. */
void mirror_after_commit(const obj_t *o, bool had_copies);
/* mirror_q.c: queue o for its bucket's copies on the put-copies thread (started on first use):
 * 0, or AIS_EAGAIN when `burst` objects are waiting already (make them inline), AIS_ENOMEM */
int mirror_q_post(const obj_t *o, int burst);
/* wait until the queue is empty and no copy is in progress (tests, benches); the number of
 * objects the put-copies thread has handled so far */
int64_t mirror_q_drain(void);
/* heal: replace o's missing or corrupted main replica with a copy. want (optional) = the
 * version that must be restored (a corrupted main's LOM); else the newest copy whose bytes
 * verify. The copy is checked against its stored checksum while it is read. 0 (restored),
 * AIS_ENOTFOUND (no usable copy), AIS_EEXIST (a main replica appeared meanwhile: re-read it),
 * AIS_E*. Counts mirror.restore.n. */
int mirror_restore(const obj_t *o, const lom_md_t *want);
/* the least-loaded replica for a read of o whose main replica (LOM md, on o->mpi) is open:
 * among the main and its copies (mirror_targets of the bucket's copies), the mountpath with the
 * fewest reads in flight (fs_io_load; ties: the main). A copy is used only when its LOM is the
 * same version as md (write time, size, checksum). Returns an fd of the copy (O_RDONLY, the
 * caller owns it) and *mpi = its mountpath, or -1 (read the main). */
int mirror_open_read(const obj_t *o, const lom_md_t *md, int *mpi);
/* remove every copy of o (on every mountpath in use); returns how many were removed. Takes the
 * object's lock unless locked (the caller holds it). */
int mirror_drop(const obj_t *o, bool locked);
/* does any mountpath in use hold a copy of o? */
bool mirror_count_any(const obj_t *o);
/* number of replicas (main + copies of the same version) on this target of the object file fqn
 * on mountpath mpi of bucket b whose LOM is md: for list-objects props=copies */
int mirror_count(const bck_t *b, int mpi, const char *fqn, const lom_md_t *md);

#endif
