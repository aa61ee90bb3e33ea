/* cksum: streaming checksums of AIStore 4.7's types (cmn/cos/cksum.go): "xxhash" (XXH64 seed 0,
 * OneOfOne), "xxhash2" (XXH64 seed 0, cespare/xxhash v2 - the same values as "xxhash", NOT XXH3),
 * "md5", "sha256", "sha512", "crc32c" (Castagnoli), "none". Values are lowercase hex of the
 * big-endian digest exactly as AIStore formats them (xxhash: 16 digits, crc32c: 8).
 * A cksum_t lives on the caller's stack or inside a request; xxhash/crc32c need no allocation,
 * md5/sha keep an EVP context in ctx (freed by cksum_final/cksum_abort). */
#ifndef AIS_CKSUM_H
#define AIS_CKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	CKSUM_NONE = 0,
	CKSUM_XXHASH,
	CKSUM_XXHASH2,
	CKSUM_MD5,
	CKSUM_SHA256,
	CKSUM_SHA512,
	CKSUM_CRC32C,
	CKSUM_NTYPES
} cksum_type_t;

#define CKSUM_MAX_HEX 129 /* sha512 hex + NUL */

typedef struct cksum {
	cksum_type_t type;
	union {
		uint64_t u64;
		uint32_t u32;
		unsigned char raw[512]; /* opaque state for xxhash/md5/sha (sized for OpenSSL/XXH3 state) */
	} st;
	void *ctx; /* heap state owned by the cksum (EVP_MD_CTX, XXH3 state); freed by cksum_final/cksum_abort */
} cksum_t;

/* "xxhash" → CKSUM_XXHASH ... ; returns -1 for an unknown name. "" → CKSUM_NONE. */
int cksum_type_from_str(const char *s);
const char *cksum_type_str(cksum_type_t t);

int cksum_init(cksum_t *c, cksum_type_t t);
void cksum_update(cksum_t *c, const void *data, size_t len);
/* writes the hex value into out (>= CKSUM_MAX_HEX bytes; "" for none) and releases state. */
void cksum_final(cksum_t *c, char *out);
/* releases state without a result (error paths). */
void cksum_abort(cksum_t *c);
/* one-shot convenience. */
int cksum_buf(cksum_type_t t, const void *data, size_t len, char *out);

/* lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated) */
void cksum_hex(const unsigned char *b, size_t n, char *out);

/* XXH64 of data with the given seed (used by HRW). */
uint64_t cksum_xxh64(const void *data, size_t len, uint64_t seed);

#endif
