/* lom: object metadata (AIStore's LOM) kept in one xattr, `user.ais.lom`, on the object file.
 * Encoding (ours, in the spirit of AIStore's core/lmeta.go: packed binary, versioned, with its
 * own checksum):
 *   byte 0       format version (LOM_FMT_VERSION)
 *   bytes 1..8   XXH64(seed 0) of the payload, little-endian
 *   payload      records: u8 tag, u32 LE length, value; unknown tags are skipped
 * Decoding rejects truncated input, a bad checksum, malformed records. A decoded lom_md_t owns
 * its heap fields (name, custom) and is released with lom_md_fini(). Also: a striped lock table
 * keyed by the object's uname digest serializing writers of the same object. */
#ifndef AIS_LOM_H
#define AIS_LOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cksum.h"

#define LOM_XATTR "user.ais.lom"
#define LOM_FMT_VERSION 1
#define LOM_VERSION_MAX 64
#define LOM_MAX_ENCODED 8192

enum {
	LOM_FL_FNTL = 1,    /* stored under a short name; `name` holds the full name */
	LOM_FL_CHUNKED = 2, /* data = chunk 1 here + chunks 2..N per the completed manifest `uid` (ufest.h) */
	LOM_FL_SHARDIDX = 4, /* a shard index of this version exists (archive/arch_obj.h); a commit of
			      * new content never carries it */
};
#define LOM_UID_MAX 72 /* chunk manifest (upload) id */

typedef struct lom_md {
	int64_t size;
	int64_t atime;            /* unix ns */
	int64_t mtime;            /* unix ns: when this version was written (PUT, copy, append, MPU
				   * completion); kept by moves (rebalance, resilver) so that two copies
				   * of one object compare by it. Decoded as atime when not stored. */
	uint64_t bid;             /* bucket ID at write time (defunct if it differs) */
	uint32_t flags;           /* LOM_FL_* */
	cksum_type_t cktype;
	char ckval[CKSUM_MAX_HEX];
	char version[LOM_VERSION_MAX];
	char uid[LOM_UID_MAX];    /* chunked: id of the completed manifest ("" otherwise) */
	char *name;               /* full object name (FNTL only); owned */
	char *custom;             /* packed "k\0v\0k\0v\0..."; owned */
	size_t custom_len;
} lom_md_t;

void lom_md_init(lom_md_t *md);
void lom_md_fini(lom_md_t *md);
/* heap copies of strings; 0 or AIS_ENOMEM */
int lom_md_set_name(lom_md_t *md, const char *name);
int lom_md_custom_set(lom_md_t *md, const char *key, const char *val);
/* remove key (absent: nothing to do); 0 or AIS_ENOMEM */
int lom_md_custom_del(lom_md_t *md, const char *key);
const char *lom_md_custom_get(const lom_md_t *md, const char *key);
/* iterate: *pos starts at 0; returns false at the end */
bool lom_md_custom_next(const lom_md_t *md, size_t *pos, const char **key, const char **val);
/* deep copy; 0 or AIS_ENOMEM */
int lom_md_copy(lom_md_t *dst, const lom_md_t *src);

/* encode into a malloc'd buffer (*out, *len); 0 or AIS_E*. */
int lom_encode(const lom_md_t *md, unsigned char **out, size_t *len);
/* decode; md must be lom_md_init'ed (it is reset). 0 or AIS_EINVAL (malformed), AIS_ECKSUM. */
int lom_decode(const unsigned char *buf, size_t len, lom_md_t *md);

/* xattr I/O: fd-based (path == NULL) or path-based. load: AIS_ENOTFOUND when the file or the
 * xattr is missing, AIS_ECKSUM/AIS_EINVAL when corrupted. */
int lom_load(int fd, const char *path, lom_md_t *md);
int lom_store(int fd, const char *path, const lom_md_t *md);

/* "1" for "" and non-numeric, else n+1. out >= LOM_VERSION_MAX */
void lom_version_next(const char *cur, char *out);

/* striped per-object lock (by uname digest) */
void lom_lock(uint64_t digest);
void lom_unlock(uint64_t digest);

#endif
