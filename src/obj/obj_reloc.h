/* obj_reloc: moving one object's copy to where it belongs, with the rule every mover keeps:
 * a copy never replaces a newer version of the same object (by the LOM's write time, mtime),
 * and a source is removed only if it is still the version that was moved.
 *   - obj_reloc_mpath: resilver's move between two mountpaths of this target (rename on the same
 *     filesystem, else a copy through the object reader; chunked objects become monolithic);
 *   - obj_reloc_drop: rebalance's removal of the local copy once its new owner has it.
 * Both take the object's lock (lom_lock) for the decision and the rename/unlink, never across a
 * copy of the bytes. Blocking: job threads. */
#ifndef AIS_OBJ_RELOC_H
#define AIS_OBJ_RELOC_H

#include <stdbool.h>
#include <stdint.h>

#include "obj/lom.h"
#include "obj/obj.h"

enum {
	OBJ_RELOC_MOVED = 1,   /* the copy is at dst now (and gone from src) */
	OBJ_RELOC_DROPPED = 2, /* dst already had the same or a newer version: src removed */
	OBJ_RELOC_GONE = 3,    /* src vanished meanwhile (deleted or moved by someone else) */
	OBJ_RELOC_CHANGED = 4, /* src was replaced meanwhile (a newer version): left alone */
};

/* "the same version": equal write time, size and checksum value */
bool obj_reloc_same(const lom_md_t *a, const lom_md_t *b);

/* move the object at src (its copy on src->mpi) to dst (the same object placed on dst->mpi).
 * *bytes (optional) = the object's size. OBJ_RELOC_* (> 0) or AIS_E* (< 0, nothing changed). */
int obj_reloc_mpath(const obj_t *src, const obj_t *dst, int64_t *bytes);

/* remove the copy at o if it still is the version `sent` describes (a chunked one with its
 * chunks): 0 removed, OBJ_RELOC_GONE, OBJ_RELOC_CHANGED, AIS_E* */
int obj_reloc_drop(const obj_t *o, const lom_md_t *sent);

#endif
