/* ufest: the chunk manifest of a chunked object or of an in-progress multipart upload (AIStore's
 * core/ufest.go "Ufest"): upload id, creation time, flags (completed), object name, opaque
 * metadata carried from initiate to complete, and the chunks ordered by number, each with size,
 * path, CRC32C, MD5 (S3 ETag) and an optional S3 additional checksum (algorithm + base64).
 * On-disk encoding (ours): "AISU" | u8 version | u32 BE payload length | zlib(payload) |
 * u64 BE XXH64(seed 0) of everything before it. The payload is big-endian packed fields with
 * u16-length-prefixed strings. Decoding is strict (bounded sizes, sorted unique chunk numbers,
 * size = sum of chunks) so a damaged manifest is reported, never half-read.
 * A ufest_t owns its heap fields; release with ufest_fini(). Not thread-safe: the owner locks. */
#ifndef AIS_UFEST_H
#define AIS_UFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UFEST_ID_MAX 64          /* upload id: [A-Za-z0-9_-]{1,63} */
#define UFEST_MAX_CHUNKS 10000   /* S3's part number limit */
#define UFEST_MAX_ENCODED (64u << 20)
#define UFEST_XCK_TYPE_MAX 16
#define UFEST_XCK_VAL_MAX 96

enum { UFEST_FL_COMPLETED = 1 };

typedef struct ufest_chunk {
	int64_t size;
	uint16_t num;                         /* 1..UFEST_MAX_CHUNKS (u16 fits 10000) */
	uint16_t flags;                       /* reserved (compression, encryption) */
	uint32_t crc32c;                      /* CRC32C (Castagnoli, standard) of the chunk */
	unsigned char md5[16];
	char *path;                           /* absolute path of the chunk file; owned */
	char xck_type[UFEST_XCK_TYPE_MAX];    /* S3 additional checksum algorithm ("CRC32", ...) or "" */
	char xck_val[UFEST_XCK_VAL_MAX];      /* its base64 value */
} ufest_chunk_t;

typedef struct ufest {
	char id[UFEST_ID_MAX];
	int64_t created;       /* unix ns */
	uint16_t flags;        /* UFEST_FL_* */
	int64_t size;          /* sum of chunk sizes */
	char *oname;           /* object name; owned */
	char *meta;            /* opaque metadata (e.g. packed k\0v\0 pairs); owned, may be NULL */
	size_t meta_len;
	ufest_chunk_t *chunks; /* sorted by num, unique */
	int count, cap;
} ufest_t;

void ufest_init(ufest_t *u);
void ufest_fini(ufest_t *u);
/* [A-Za-z0-9_-]{1,63} */
bool ufest_id_valid(const char *id);
int ufest_set_oname(ufest_t *u, const char *oname);
int ufest_set_meta(ufest_t *u, const void *meta, size_t len);
/* add or replace ("last wins") chunk c->num; takes ownership of c->path. *old_path receives the
 * replaced chunk's path (caller frees; NULL if none). 0, AIS_EINVAL, AIS_ENOMEM. */
int ufest_add(ufest_t *u, ufest_chunk_t *c, char **old_path);
/* chunk by number or NULL */
const ufest_chunk_t *ufest_get(const ufest_t *u, int num);
/* index of the chunk holding byte `off` (0 <= off < size); -1 if out of range. *coff = offset
 * of that chunk's first byte within the object. */
int ufest_find(const ufest_t *u, int64_t off, int64_t *coff);
/* deep copy; 0 or AIS_ENOMEM */
int ufest_copy(ufest_t *dst, const ufest_t *src);

/* S3 multipart ETag: hex(MD5(md5_1 || ... || md5_N)) + "-N" (no quotes); out >= 48 */
void ufest_etag(const ufest_t *u, char *out, size_t cap);
/* CRC32C of the whole object from the chunks' CRC32Cs */
uint32_t ufest_crc32c(const ufest_t *u);
/* crc32c(A || B) from crc32c(A), crc32c(B) and len(B) */
uint32_t ufest_crc32c_combine(uint32_t a, uint32_t b, int64_t blen);

/* encode into a malloc'd buffer; 0 or AIS_E* */
int ufest_encode(const ufest_t *u, unsigned char **out, size_t *len);
/* decode (u is reset first). 0, AIS_EINVAL (malformed), AIS_ECKSUM (trailer mismatch) */
int ufest_decode(const unsigned char *buf, size_t len, ufest_t *u);
/* durable store (temp + fsync + rename) / load; load: AIS_ENOTFOUND when missing */
int ufest_store(const ufest_t *u, const char *path);
int ufest_load(const char *path, ufest_t *u);

#endif
