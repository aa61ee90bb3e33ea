/* arch_idx: the shard index of a TAR (AIStore 4.7's archive.ShardIndex, cmn/archive/shard.go):
 * for each regular file, the offset of its 512-byte TAR header block (its data follows) and its
 * size, plus the size and checksum of the TAR it was built from. Binary layout, as AIStore's:
 *
 *   [0] meta-version 1   [1] format 0 (TAR)   [2] checksum type 1 (xxhash64)
 *   [3..10] XXH64(payload, seed 1103515245), big-endian
 *   payload: uvarint len + source checksum type, uvarint len + value, uvarint source size,
 *            uvarint count, count × (uvarint name len, name, uvarint header offset, uvarint size)
 *
 * Entries are written in TAR order, the first of repeated names wins (AIStore's ReadOne);
 * sparse and non-regular members are not indexed (a reader falls back to the scan for them).
 * Staleness: an index describes exactly one version of its shard: it is fresh only while the
 * shard's size and (when the index recorded one) checksum are those it recorded; callers also
 * require the shard's LOM flag (set when the index was saved, cleared by every rewrite).
 * Pure functions over buffers, except arch_idx_build (reads through an arch_rd_t). */
#ifndef AIS_ARCH_IDX_H
#define AIS_ARCH_IDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/arch_rd.h"

#define ARCH_IDX_PREAMBLE 11
#define ARCH_IDX_MIN_LEN (ARCH_IDX_PREAMBLE + 4) /* AIStore's ShardIdxMinLen */
#define ARCH_IDX_SEED 1103515245ULL              /* cos.MLCG32 */
#define ARCH_IDX_CKTYPE_MAX 16
#define ARCH_IDX_CKVAL_MAX 160

/* a packed index (owned bytes) and what arch_idx_parse found in it */
typedef struct arch_idx {
	unsigned char *buf;
	size_t len;
	char ck_type[ARCH_IDX_CKTYPE_MAX];  /* the source's checksum type ("none" or "" when none) */
	char ck_val[ARCH_IDX_CKVAL_MAX];
	int64_t src_size;
	uint64_t count;
	size_t ents_off;                     /* where the entries start in buf */
} arch_idx_t;

typedef struct arch_idx_ent {
	int64_t hdr_off; /* the 512-byte TAR header block; data at hdr_off + 512 */
	int64_t size;
} arch_idx_ent_t;

/* scan a TAR (r opened as ARCH_TAR over the source) into a packed index recording the source's
 * size and checksum (type "" or "none" and val "" when none). 0 with *out (caller
 * arch_idx_fini), AIS_EINVAL (malformed TAR: err), AIS_EIO, AIS_ENOMEM. */
int arch_idx_build(arch_rd_t *r, const char *ck_type, const char *ck_val, int64_t src_size, arch_idx_t *out,
		   char *err, size_t cap);
/* take buf (len bytes, malloc'd; owned by idx from now on, also on failure) and validate it:
 * preamble, checksum, every length within bounds, offsets 512-aligned and header + data within
 * src_size, no trailing bytes. 0 or AIS_EINVAL (err says why). */
int arch_idx_parse(arch_idx_t *idx, unsigned char *buf, size_t len, char *err, size_t cap);
/* the entry named name (exact match, else with a leading '/' added or dropped): true + *e */
bool arch_idx_find(const arch_idx_t *idx, const char *name, arch_idx_ent_t *e);
/* iterate: *pos starts at 0; false at the end. name (not NUL-terminated) points into idx. */
bool arch_idx_next(const arch_idx_t *idx, size_t *pos, const char **name, size_t *nlen, arch_idx_ent_t *e);
/* the index still describes a shard of this size and checksum (type/val "" or "none": none) */
bool arch_idx_fresh(const arch_idx_t *idx, int64_t size, const char *ck_type, const char *ck_val);
void arch_idx_fini(arch_idx_t *idx);

#endif
