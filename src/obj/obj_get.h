/* obj_get: reading one object on this target, independent of the protocol (the native API,
 * S3 and background jobs all read through it). Owns: opening the object with its LOM and the
 * defunct check, the cheap size check (a monolithic object's file size must equal the LOM's: a
 * truncated or extended file is an error, never wrong bytes), the byte-range rules, the chunked
 * reader, checksum.validate_warm_get (re-hash; a corrupted object is removed) and the GET/HEAD
 * statistics. Does not: send bytes, build headers, or know HTTP beyond the Range syntax.
 *
 *   obj_get_open ──► obj_get_range_apply (optional) ──► obj_get_needs_pool?
 *        │                                   no ──► obj_get_take_fd (sendfile) ─┐
 *        │                                   yes ─► [pool] obj_get_prepare ─────┤
 *        │                                            obj_get_pread* (streamed) ─┤
 *        └── error: *why, stats counted                        obj_get_done ◄──┘ ──► obj_get_close
 *
 * Statistics (stats/stats.h) are counted here and only here: a failure where it is decided
 * (open, range, prepare), a success by obj_get_done (get.n + bytes, or head.n). */
#ifndef AIS_OBJ_GET_H
#define AIS_OBJ_GET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "obj/chunk.h"
#include "obj/obj.h"
#include "obj/ufest.h"

/* RFC 7233 single byte range as AIStore (ais/utils.go parseMultiRange) for an object of `size`:
 *   0            no range to apply (serve the whole object)
 *   1            one satisfiable range: *off, *len
 *   AIS_ERANGE   unsatisfiable (416 with "Content-Range: bytes * /size")
 *   AIS_EINVAL   malformed (416)
 *   AIS_ENOTIMPL more than one range (416, "multi-range read" unsupported)
 * Pure: no I/O, no statistics. */
int obj_get_range(const char *hdr, int64_t size, int64_t *off, int64_t *len);

enum {
	OBJ_GET_HEAD = 1,  /* metadata only: no validation, counts head.n / err.head.n */
	OBJ_GET_QUIET = 2, /* internal read (copy, append seed): no statistics, no validation */
	OBJ_GET_NOHEAL = 4, /* never restore a missing or corrupted main replica from a mirror copy */
};

/* one open object. Fields are read-only for callers. */
typedef struct obj_get {
	const obj_t *o;        /* borrowed: must outlive the reader */
	int fd;                /* the object file (chunk 1 of a chunked one); -1 once taken */
	lom_md_t md;           /* its LOM */
	int64_t size;          /* the object's size (the LOM's) */
	int flags;             /* OBJ_GET_* */
	bool chunked;          /* LOM_FL_CHUNKED: bytes come from obj_get_pread after obj_get_prepare */
	bool validate;         /* the bucket's validate_warm_get applies: obj_get_prepare re-hashes */
	bool prepared;
	ufest_t u;             /* chunked: the completed manifest (after obj_get_prepare) */
	chunk_rd_t rd;
	int64_t t0;            /* stats_now() at open */
	/* details of a failure, for the adapters' messages */
	int sys_errno;         /* OBJ_WHY_IO: errno of the failed call */
	int64_t disk_size;     /* OBJ_WHY_SIZE: the size found on disk */
	char ck_got[CKSUM_MAX_HEX]; /* OBJ_WHY_CORRUPT: computed (md.ckval holds the stored one) */
	obj_t *alt;            /* the object was found on another mountpath than its HRW one (a
				* resilver is pending or running): o points here (malloc'd copy, no BMD
				* reference of its own; freed by obj_get_close) */
	bool probe;            /* internal: a miss is not counted yet (another mountpath may hold it) */
	bool defer;            /* internal: failures are not counted yet (a mirror copy may heal them) */
	int pend_err;          /* internal: the first deferred error counter + 1 (0: none) */
	bool pend_nf;          /* internal: a deferred not-found */
	bool healed;           /* the main replica was restored from a mirror copy by this read */
	int io_mpi;            /* the mountpath read from (a mirror copy's when it was less loaded;
				* counted in fs_io_load from open to close), -1 before open */
} obj_get_t;

/* open o for reading (blocks on open/fstat/xattr only). In a mirrored bucket a GET (not HEAD, not
 * internal, not validated: validation reads the main so that bit rot in it is found) reads the
 * copy on the mountpath with the fewest reads in flight when that is less loaded than the main's
 * (mirror_open_read; g->fd is then the copy's, g->io_mpi its mountpath). An object missing at its HRW mountpath
 * is looked for on the target's other mountpaths in use (obj_locate: misplaced until a resilver
 * moves it); g->o then points at that location. On failure g is closed already (calling
 * obj_get_close is still safe) and: AIS_ENOTFOUND (OBJ_WHY_NOT_FOUND), AIS_ECKSUM or AIS_EINVAL
 * (OBJ_WHY_BAD_META), AIS_EIO (OBJ_WHY_IO with sys_errno, or OBJ_WHY_SIZE with disk_size). */
int obj_get_open(obj_get_t *g, const obj_t *o, int flags, obj_why_t *why);
/* obj_get_range on g->size; a range error also counts err.get.n. Same return values. */
int obj_get_range_apply(obj_get_t *g, const char *hdr, int64_t *off, int64_t *len);
/* a GET whose bytes cannot go out by sendfile right away: a chunked object, or one to validate
 * (never for OBJ_GET_HEAD: a HEAD of a chunked object needs obj_get_prepare only to read its
 * manifest, e.g. S3's parts count) */
bool obj_get_needs_pool(const obj_get_t *g);
/* pool thread (blocks, reads the whole object when validating): load the chunk manifest (retrying
 * a commit that raced with the open; the object may turn out monolithic, re-checked, with a new
 * g->size), then validate. 0, or: AIS_ENOTFOUND (OBJ_WHY_NOT_FOUND), AIS_ECONFLICT/AIS_EINVAL
 * (OBJ_WHY_MANIFEST), AIS_EIO (OBJ_WHY_SIZE / OBJ_WHY_IO), AIS_ECKSUM (OBJ_WHY_CORRUPT: stored
 * md.ckval, computed ck_got; the object has been removed), AIS_ENOMEM. */
int obj_get_prepare(obj_get_t *g, obj_why_t *why);
/* the sendfile plan of a monolithic object: its fd (the caller owns it now). A chunked object's
 * fd holds chunk 1 only: stream it with obj_get_pread instead (a HEAD may still take the fd to
 * answer with the length and no body). */
int obj_get_take_fd(obj_get_t *g);
/* pread over the whole object (chunked after obj_get_prepare, or monolithic): n > 0, 0 at the
 * end, AIS_EIO */
ssize_t obj_get_pread(obj_get_t *g, void *buf, size_t n, int64_t off);
/* the sendfile plan of bytes [off, off+len) (len > 0, within the object) of a prepared object, one
 * file at a time (a mover sends it without reading it into memory): the number of (file, offset,
 * length) segments (1 for a monolithic object, one per chunk touched for a chunked one; AIS_EINVAL
 * for an empty or out-of-bounds range), and segment i of them. A chunk's file is opened by
 * obj_get_seg (the previous one closed; its size checked against the manifest, AIS_EIO when it
 * differs); *fd is borrowed (valid until the next call or obj_get_close). Not with
 * obj_get_take_fd. 0 or AIS_EINVAL, AIS_EIO. */
int obj_get_nsegs(const obj_get_t *g, int64_t off, int64_t len);
int obj_get_seg(obj_get_t *g, int64_t off, int64_t len, int i, int *fd, int64_t *foff, int64_t *flen);
/* read [0, size) into sink in 256 KiB blocks (obj_sink_fn); 0, AIS_EIO, AIS_ENOMEM or the sink's */
int obj_get_read_all(obj_get_t *g, obj_sink_fn sink, void *arg);
/* count the success: get.n (+ bytes, latency) or head.n */
void obj_get_done(obj_get_t *g, int64_t bytes);
void obj_get_close(obj_get_t *g);

#endif
