/* obj: the object core's placement context. An obj_t names one object of one bucket on this
 * target: the bucket (from a BMD version the context holds a reference to, or borrows), the
 * validated name, its uname digest, the HRW mountpath and the on-disk path. Also the steps every
 * writer and reader shares: work files under %wk, loading the LOM with the defunct-bucket check,
 * and the commit (LOM xattr + rename into place, versioning under the object's lock), and the
 * reason codes (obj_why_t) of the whole core. The core's operations: obj_put.h (writer),
 * obj_get.h (reader), obj_ops.h (delete, copy, rename), mpu.h (multipart).
 * Knows no protocol: the native API (src/target) and S3 (src/s3) and background jobs all use it.
 * Invariant: an object path only ever receives a complete file carrying a valid LOM (rename of
 * a finished work file); the work file is removed on every failure. */
#ifndef AIS_OBJ_H
#define AIS_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "fs/fqn.h"
#include "obj/lom.h"

#define OBJ_UNAME_MAX (FQN_OBJNAME_MAX + 256)

/* why an object-core call failed, beside its AIS_E* code; each protocol maps the pair to its own
 * error (target/: AIStore JSON, s3/: S3 XML), as mpu_why_t does for multipart uploads */
typedef enum {
	OBJ_WHY_NONE = 0,
	OBJ_WHY_NOT_FOUND,    /* missing, defunct (bucket re-created) or not a regular file */
	OBJ_WHY_NO_BUCKET,    /* obj_init: no such bucket in the BMD */
	OBJ_WHY_BAD_NAME,     /* invalid object name */
	OBJ_WHY_NO_MOUNTPATH, /* no mountpath to place the object on */
	OBJ_WHY_BAD_META,     /* LOM unreadable: AIS_ECKSUM (its own checksum) or AIS_EINVAL (malformed) */
	OBJ_WHY_SIZE,         /* on-disk size differs from the LOM's: truncated or extended file */
	OBJ_WHY_CORRUPT,      /* content differs from the stored checksum; the object was removed */
	OBJ_WHY_MANIFEST,     /* chunked: manifest missing, of another version (a commit raced), corrupt */
	OBJ_WHY_IO,           /* a read, write or open failed */
	OBJ_WHY_BAD_CKSUM,    /* PUT: the client's checksum (native Ais-Checksum-*) does not match */
	OBJ_WHY_BAD_MD5,      /* PUT: Content-MD5 does not match */
	OBJ_WHY_BAD_XCK,      /* PUT: the S3 additional checksum (x-amz-checksum-*) does not match */
	OBJ_WHY_DIR_CONFLICT, /* the name is a virtual directory (or a file is in its path) */
	OBJ_WHY_SELF,         /* copy/rename of an object onto itself */
	OBJ_WHY_REMOTE,       /* copy to a peer failed (the mover's message says why) */
	OBJ_WHY_COND,         /* a commit's condition (obj_commit_cond_fn) refused it (or the commit failed) */
} obj_why_t;

const char *obj_why_str(obj_why_t why);

typedef struct obj {
	bmd_t *bmd;                 /* ref (or NULL when the caller holds one); released by obj_fini */
	const bck_t *bck;           /* inside a BMD the caller or this context holds */
	char ibuf[FQN_OBJNAME_MAX + 256];
	const char *oname;          /* object name (inside ibuf, or caller's) */
	size_t olen;
	uint64_t digest;            /* hrw_digest(uname) */
	int mpi;                    /* mountpath index */
	bool fntl;                  /* stored under the short name */
	char fqn[FQN_MAX];
} obj_t;

/* the entry that needs no request (background jobs, adapters): find bucket (provider "" = "ais",
 * ns "" = global) in the current BMD, take a reference on that BMD (o->bmd, released by obj_fini),
 * copy name into o->ibuf and place it. On failure o holds nothing (obj_fini is still safe).
 * 0, AIS_ENOBUCKET, AIS_EINVAL (bad or too long name), AIS_EUNAVAIL (no mountpath); *why
 * (optional) says which. Does not block. */
int obj_init(obj_t *o, const char *provider, const char *ns, const char *bucket, const char *name,
	     obj_why_t *why);
/* place bucket bck's object `name` (validated) on this target; bck must stay valid (a BMD
 * reference held by the caller or in o->bmd). 0, AIS_EINVAL (bad name), AIS_EUNAVAIL (no
 * mountpath), AIS_ENOMEM. */
int obj_place(obj_t *o, const bck_t *bck, const char *name);
/* move a context (its BMD reference and its name) from src to dst; src is left empty */
void obj_move(obj_t *dst, obj_t *src);
void obj_fini(obj_t *o);
/* "ais://bck/obj" (or "ais://@uuid#ns/bck/obj") */
void obj_cname(const bck_t *b, const char *oname, char *out, size_t cap);
/* "<mp>/@ais/<bck>/%wk/<tag>.<random>"; creates the %wk dir when missing. 0 or AIS_E* */
int obj_workfile(const obj_t *o, const char *tag, char *out, size_t cap);
/* create and open a fresh work file (obj_workfile, O_CREAT|O_EXCL|accmode, accmode O_WRONLY or
 * O_RDWR; a missing parent dir is made and the open retried once). 0 with *fd open and the path in
 * work, or AIS_E* with *fd = -1 and work = "". */
int obj_open_work(const obj_t *o, const char *tag, int accmode, char *work, size_t cap, int *fd);
/* read an object's bytes from fd (through crd when chunked, NULL: plain pread) from offset 0 to
 * EOF in 256 KiB blocks, handing each to sink (non-zero return stops). 0, AIS_ENOMEM, AIS_EIO or
 * the sink's error; *nread (optional) = bytes read. */
typedef int (*obj_sink_fn)(void *arg, const char *buf, size_t n);
struct chunk_rd;
int obj_read_all(int fd, struct chunk_rd *crd, obj_sink_fn sink, void *arg, int64_t *nread);
/* HRW owner of bucket b's object name: true (and *peer = a copy of it) when another target owns
 * it; false when this target does, or when there is no usable cluster map */
bool obj_remote_owner(const bck_t *b, const char *name, snode_t *peer);
/* the object on another mountpath in use than its HRW one (misplaced: a resilver has not moved
 * it yet): 0 with *alt a malloc'd copy of o placed there (no BMD reference of its own: o's must
 * outlive it; free() it), AIS_ENOTFOUND when no other mountpath holds the file, AIS_ENOMEM. */
int obj_locate(const obj_t *o, obj_t **alt);
/* o placed on mountpath mpi instead of its HRW one (dst is a copy that borrows o's BMD
 * reference); 0 or AIS_EINVAL */
int obj_place_on(obj_t *dst, const obj_t *o, int mpi);
/* Names that are a file and a directory at once (fqn.h, docs/architecture.md "On-disk layout"):
 * object N lives at <N> while that path is a regular file, and at <N>/FQN_LEAF once it is a
 * directory (a longer name "N/..." needed it; the move is obj_mkdirs'). o->fqn is always <N>
 * (obj_place costs no syscall); the calls below resolve at use, when the path is a directory. */
/* open o's file (flags: O_RDONLY or O_RDWR; O_CLOEXEC is added) - its leaf when o->fqn is (or
 * became) a directory - and fstat it into *st (optional). fd, or -1 with errno set (ENOENT when
 * neither is there). */
int obj_open_file(const obj_t *o, int flags, struct stat *st);
/* o's path now: o->fqn, or o->fqn + "/" FQN_LEAF when o->fqn is a directory */
void obj_fqn_now(const obj_t *o, char *out, size_t cap);
/* o's path under another content directory ct (mirror copies %cp, EC pieces %ec) on mountpath
 * mpi, with the same name mapping as the main replica's: <ct>/<name as under %ob>, and its leaf
 * <ct>/<name>/%ob.leaf when that path is a directory there (longer names of the same prefix).
 * *rel (optional) = the offset of the name in out (for obj_ct_mkdirs). 0 or AIS_EINVAL */
int obj_ct_path(const obj_t *o, int mpi, const char *ct, char *out, size_t cap, size_t *rel);
/* before a rename into such a path (holding no object lock): its parent directories, a shorter
 * name's file in the way moved into its leaf (as obj_mkdirs for %ob). 0 or AIS_E* */
int obj_ct_mkdirs(const obj_t *o, int mpi, const char *path, size_t rel);
/* rename src to such a path (under o's lock): into the leaf when the path is a directory by now.
 * 0 or -1 with errno */
int obj_ct_rename(const obj_t *o, const char *src, char *path, size_t cap);
/* make the parent directories of o's path; an object file that is in the way (a shorter name
 * "a/b" of "a/b/c" on this mountpath) moves into its leaf, under that object's lock, atomically
 * (readers see the file or the directory holding it, never neither). Call holding no object
 * lock. 0 or AIS_E* */
int obj_mkdirs(const obj_t *o);
/* the same for another path of o's mountpath whose names are object names from offset rel on
 * (a chunked object's completed manifest under %ut: chunk.c) */
int obj_mkdirs_at(const obj_t *o, const char *path, size_t rel);
/* rename file src to o's path (replacing: a rename, a resilver, a chunked commit), under o's
 * lock: parents are made, a path that became a directory gets src as its leaf. 0 or -1 with
 * errno (ENOTDIR: an object file is in the way: unlock, obj_mkdirs, retry) */
int obj_rename_to(const obj_t *o, const char *src);
/* load the LOM of an existing object through an open fd, with the defunct-bucket check:
 * AIS_ENOTFOUND when missing or defunct. */
int obj_load(const obj_t *o, int fd, lom_md_t *md);
/* remove the object file and its now-empty parent dirs up to %ob (caller holds the object's
 * lock; a chunked object's other chunks are the caller's: chunk_drop) */
void obj_remove(const obj_t *o);
/* a removed or replaced object whose LOM carried LOM_FL_SHARDIDX: the layer that keeps shard
 * indexes (archive/arch_obj.c) registers, once at start, what to do (drop the index object).
 * obj_delete, obj_commit (replacing) and a rename's source removal call it after the object's
 * lock is released. */
typedef void (*obj_idx_gone_fn)(const obj_t *o);
void obj_set_idx_gone(obj_idx_gone_fn fn);
void obj_idx_gone(const obj_t *o);
/* erasure coding (target/tec.c registers it once at start): a main replica of an EC bucket was
 * committed (deleted = false: encode it) or deleted (true: its slices go). The object core calls
 * it after the commit or delete, outside the object's lock; it must not block for long. */
typedef void (*obj_ec_fn)(const obj_t *o, bool deleted);
void obj_set_ec_hook(obj_ec_fn fn);
void obj_ec_event(const obj_t *o, bool deleted);
/* the same layer's synchronous encode (the ec-encode job): 0, AIS_ENOTFOUND, AIS_E*;
 * AIS_ENOTIMPL before target/tec.c registered it */
typedef int (*obj_ec_sync_fn)(const obj_t *o);
void obj_set_ec_sync(obj_ec_sync_fn fn);
int obj_ec_encode_sync(const obj_t *o);

/* finalize a written work file: set LOM (xattr on fd), rename into o->fqn (mkdir parents).
 * Handles versioning under the object's lock. Closes fd. 0 or AIS_E* (work file removed). */
int obj_commit(const obj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version);
/* a commit's condition, checked under the object's lock right before the rename (so that no PUT,
 * DELETE or other commit of the same object can come in between): prev is the object's current
 * LOM, NULL when there is none (missing, defunct or unreadable). 0 lets the commit proceed; any
 * AIS_E* makes it fail with that code (nothing replaced, the work file removed). Movers use it
 * for "a migrated older copy never replaces a newer one" (see target/treb_rule.h). */
typedef int (*obj_commit_cond_fn)(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md);
/* obj_commit with a condition (cond NULL: obj_commit) */
int obj_commit_cond(const obj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version,
		    obj_commit_cond_fn cond, void *cond_arg);

#endif
