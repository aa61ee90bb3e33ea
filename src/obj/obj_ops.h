/* obj_ops: DELETE, copy and rename of one object, independent of the protocol, with their
 * statistics (del.n / err.del.n, ren.n / err.ren.n). A copy goes to the HRW owner of the
 * destination: this target (same mountpath rename fast path for a move, else the object reader
 * into the object writer) or a peer, through a mover the caller passes (obj_send_fn: the
 * target-to-target transport's tmove_send, target/tmove.h). Lock order: the
 * destination's object lock, then (after it is released) the source's; never both at once.
 * All calls block on disk I/O (pool threads or jobs). */
#ifndef AIS_OBJ_OPS_H
#define AIS_OBJ_OPS_H

#include <stddef.h>

#include "cluster/smap.h"
#include "obj/obj.h"
#include "obj/obj_get.h"

/* delete o (a chunked object's chunks too; an object with corrupted metadata is deleted anyway),
 * and its copies misplaced on the target's other mountpaths in use. 0, AIS_ENOTFOUND
 * (OBJ_WHY_NOT_FOUND), AIS_E* (OBJ_WHY_IO). */
int obj_delete(const obj_t *o, obj_why_t *why);
/* called by every obj_delete before it takes the object's lock (set once at start-up): the
 * target records a tombstone there, so that a migrated older copy arriving later is refused */
void obj_set_delete_hook(void (*fn)(const obj_t *o));

/* send the opened source src (chunked or not, obj_get_prepare'd) to peer as bucket dbck's object
 * dname; 0 or AIS_E* with a message in err */
typedef int (*obj_send_fn)(void *arg, obj_get_t *src, const snode_t *peer, const bck_t *dbck, const char *dname,
			   char *err, size_t cap);

enum { OBJ_CP_MOVE = 1 /* rename: remove the source after the copy; counts ren.n */ };

/* copy src to bucket dbck (held by the caller's BMD reference) as dname. Local copies keep the
 * source's version and custom metadata and are monolithic; the checksum is dbck's type.
 * send == NULL: a destination owned by a peer is AIS_ENOTIMPL.
 * 0, or: AIS_ENOTFOUND (OBJ_WHY_NOT_FOUND: the source), the source's open errors (obj_get_open),
 * AIS_EINVAL (OBJ_WHY_SELF, OBJ_WHY_BAD_NAME), AIS_ECONFLICT (OBJ_WHY_DIR_CONFLICT), the mover's
 * error (OBJ_WHY_REMOTE, message in err), AIS_E* (OBJ_WHY_IO). err (cap > 0) is always set. */
int obj_copy(const obj_t *src, const bck_t *dbck, const char *dname, int flags, obj_send_fn send, void *send_arg,
	     char *err, size_t cap, obj_why_t *why);
/* rename within o's bucket (obj_copy with OBJ_CP_MOVE) */
int obj_rename(const obj_t *o, const char *newname, obj_send_fn send, void *send_arg, char *err, size_t cap,
	       obj_why_t *why);

#endif
