/* obj_md: changing an existing object's metadata in place (its LOM's custom key/values) without
 * touching its data, independent of the protocol (S3 object ACLs, tags, retention and legal hold
 * use it; a native set-custom could). Under the object's lock (lom_lock, the one writers commit
 * under): open the object, load its LOM with the defunct check, let the caller edit it, store it
 * back on the same inode. Size, checksum, version and atime (S3's Last-Modified) stay as they
 * were. Does not: count statistics, know S3. Blocks on disk I/O (xattr). */
#ifndef AIS_OBJ_MD_H
#define AIS_OBJ_MD_H

#include "obj/obj.h"

/* the edit: change md (custom entries only) and return 0 to store it, OBJ_MD_NOCHANGE to leave
 * the object as it is (the call then returns 0), or a negative AIS_E* to refuse (returned as is,
 * nothing stored). Runs with the object's lock held: it must not call back into the core. */
#define OBJ_MD_NOCHANGE 1
typedef int (*obj_md_edit_fn)(void *arg, lom_md_t *md);

/* 0, the edit's error, or: AIS_ENOTFOUND (OBJ_WHY_NOT_FOUND: missing, defunct, not a regular
 * file), AIS_ECKSUM / AIS_EINVAL (OBJ_WHY_BAD_META), AIS_ETOOBIG (the metadata would exceed
 * LOM_MAX_ENCODED; nothing stored), AIS_EIO (OBJ_WHY_IO). */
int obj_md_update(const obj_t *o, obj_md_edit_fn fn, void *arg, obj_why_t *why);

#endif
