/* arch_obj: shards as objects of this target, over the object core (obj/): a shard's format
 * (archmime, else extension, else magic), a reader over its bytes (monolithic or chunked),
 * finding one archived file (through the shard index when it is fresh, else by a scan), and the
 * shard index objects themselves, kept in ais://.sys-shardidx under AIStore's name
 * (the uname of "<shard>.idx": "ais/@#/<bucket>/<shard>.idx"), on the shard's own target.
 *
 * Freshness rule (an index is used only if all hold): the shard's LOM carries LOM_FL_SHARDIDX
 * (set by arch_obj_idx_save only when the LOM it finds still has the size and checksum the index
 * recorded; every commit of new content, and every append, writes a LOM without it), the index
 * object parses (arch_idx_parse: checksum, bounds), and its recorded size and checksum equal the
 * shard's (arch_idx_fresh). Anything else falls back to the scan, which is authoritative.
 * Locks: the shard's object lock (lom_lock) only while its LOM flag is set; never with another.
 * All calls block on disk I/O: pool or job threads. */
#ifndef AIS_ARCH_OBJ_H
#define AIS_ARCH_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/arch_idx.h"
#include "archive/arch_mime.h"
#include "archive/arch_rd.h"
#include "obj/obj.h"
#include "obj/obj_get.h"

/* the format of an open (prepared) shard g: archmime when given (AIS_EINVAL when unknown),
 * else o's extension, else the magic of its first bytes (AIS_EINVAL: "not an archive"). */
int arch_obj_fmt(obj_get_t *g, const char *archmime, arch_fmt_t *out, char *err, size_t cap);
/* a reader over g's bytes [0, g->size) (chunked objects through obj_get_pread) */
int arch_obj_rd(obj_get_t *g, arch_fmt_t f, arch_rd_t **rd, char *err, size_t cap);

/* where an archived file is */
typedef struct arch_loc {
	int64_t size;       /* its bytes */
	int64_t data_off;   /* plain TAR: its data in the shard at [data_off, data_off + size) (read
			     * with obj_get_pread, or sendfile from a monolithic shard's fd); -1:
			     * read it through rd */
	arch_rd_t *rd;      /* data_off < 0: a reader positioned at the file's data */
	bool indexed;       /* found through the shard index: no TAR header was parsed */
} arch_loc_t;

/* find archpath (a leading '/' ignored, AIStore's namesEq) in the open shard g of format f.
 * 0 with *loc (arch_loc_fini), AIS_ENOTFOUND, AIS_EINVAL (malformed or truncated shard: err),
 * AIS_EIO, AIS_ENOMEM. */
int arch_obj_find(obj_get_t *g, arch_fmt_t f, const char *archpath, arch_loc_t *loc, char *err, size_t cap);
void arch_loc_fini(arch_loc_t *loc);
/* read a found file into sink in blocks (data_off: obj_get_pread; else the reader). 0, the sink's
 * error, AIS_EINVAL (corrupted data: err), AIS_EIO */
int arch_obj_read(obj_get_t *g, arch_loc_t *loc, obj_sink_fn sink, void *arg, char *err, size_t cap);

/* ---- shard index objects ---- */

/* the index object's name in ais://.sys-shardidx for bucket b's shard oname; length or -1 */
int arch_obj_idx_name(const bck_t *b, const char *oname, char *out, size_t cap);
/* the fresh index of the open shard g (see the rule above): 0 with *idx (arch_idx_fini),
 * AIS_ENOTFOUND (no flag, no index object, no system bucket), AIS_ECONFLICT (stale),
 * AIS_EINVAL (unreadable index: err). */
int arch_obj_idx_load(obj_get_t *g, arch_idx_t *idx, char *err, size_t cap);
/* store idx (built from shard o's version with size idx->src_size and its checksum) and flag
 * the shard's LOM, unless the shard changed since (AIS_ECONFLICT: the index object is removed).
 * AIS_ENOBUCKET when ais://.sys-shardidx does not exist. */
int arch_obj_idx_save(const obj_t *o, const arch_idx_t *idx, char *err, size_t cap);
/* remove the shard's index object (best effort; absent is fine) */
void arch_obj_idx_drop(const bck_t *b, const char *oname);
/* register arch_obj_idx_drop as the object core's obj_idx_gone hook (targets, at start) */
void arch_obj_init(void);
/* a shard that could have an index: its name ends with ".tar" */
bool arch_obj_indexable(const char *oname);

#endif
