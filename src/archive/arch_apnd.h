/* arch_apnd: PUT of one file into a shard (AIStore's putA2I, api.PutApndArch): a new one-file
 * shard, or an append to an existing one. Flags as AIStore's Ais-Pine header:
 *   0                      a new shard holding just this file (replaces an existing object)
 *   ARCH_APND_ONLY (1)     append; AIS_ENOTFOUND when there is no such shard
 *   ARCH_APND_OR_PUT (2)   append, or create when there is none
 * How: a plain TAR (not chunked) is appended in place, over its end-of-archive blocks, when
 * nobody has it open (a write lease, F_SETLEASE, proves that; openers wait in open(2) for the
 * few microseconds the new tail takes to write); the new file's bytes are read first, so the
 * in-place window never waits for a client. Its checksum then becomes "none", as AIStore's fast
 * append. Otherwise (TGZ, TAR.LZ4, ZIP, a chunked or busy TAR, a large file) the shard is
 * rewritten through the object writer (old entries copied, the new one last) and committed
 * atomically with a fresh checksum. Either way the shard's LOM loses its shard-index flag and
 * the index object is dropped: a stale index is never used.
 * Concurrency: appends to one shard are serialized (a striped lock of this module); the
 * in-place tail is written under the object's lock, so a PUT's commit and an append never
 * interleave; a PUT that commits while a rewrite (copy path) is in progress may be overwritten
 * by it (as with two PUTs, the last commit wins). Blocks: pool threads. */
#ifndef AIS_ARCH_APND_H
#define AIS_ARCH_APND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "archive/arch_mime.h"
#include "archive/arch_wr.h"
#include "obj/obj.h"
#include "obj/obj_get.h"

enum { ARCH_APND_ONLY = 1, ARCH_APND_OR_PUT = 2 };

#define ARCH_APND_INPLACE_MAX (4 << 20) /* larger files go through the rewrite */

typedef struct arch_apnd_args {
	const obj_t *o;         /* the shard (placed) */
	const char *archmime;   /* "" or NULL: the shard's extension (then its magic) */
	const char *name;       /* the archived file's name (validated by the caller) */
	int64_t size;           /* its size (> 0) */
	int64_t mtime_s;
	int flags;              /* 0, ARCH_APND_ONLY, ARCH_APND_OR_PUT */
	/* the file's bytes: n > 0, 0 at the end, < 0 AIS_E* (the body failed) */
	ssize_t (*read)(void *arg, void *buf, size_t n);
	void *read_arg;
} arch_apnd_args_t;

typedef struct arch_apnd_res {
	bool created;     /* a new shard */
	bool in_place;    /* appended over the end blocks */
	int64_t size;     /* the shard's new size */
} arch_apnd_res_t;

/* 0, or: AIS_ENOTFOUND (ARCH_APND_ONLY, no shard), AIS_EINVAL (unknown format, not an archive of
 * its format, corrupt or truncated shard, a name the format cannot hold, a body shorter or longer
 * than size: err says which), the body's error, AIS_E* of the object core (why). Nothing changes
 * on failure. */
int arch_apnd(const arch_apnd_args_t *a, arch_apnd_res_t *res, obj_why_t *why, char *err, size_t cap);

/* copy every entry of the open shard g (format f) into aw: TAR family headers as they are, ZIP's
 * regular files (stored). 0, AIS_EINVAL (corrupt: err), the writer's error. (Also the archive
 * job's append-if-exists.) */
int arch_apnd_copy(obj_get_t *g, arch_fmt_t f, arch_wr_t *aw, char *err, size_t cap);

#endif
