/* s3cksum: the S3 "additional checksums" (x-amz-checksum-*): CRC32 (IEEE), CRC32C, SHA1,
 * SHA256, CRC64NVME, streaming, rendered as base64 of the big-endian digest as S3 does; plus
 * MD5 for ETag / Content-MD5 (hex and base64). State lives in the struct; no heap. */
#ifndef AIS_S3CKSUM_H
#define AIS_S3CKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef enum { S3CK_NONE = 0, S3CK_CRC32, S3CK_CRC32C, S3CK_SHA1, S3CK_SHA256, S3CK_CRC64NVME, S3CK_MD5 } s3ck_type_t;

typedef struct s3ck {
	s3ck_type_t type;
	uint64_t crc;
	unsigned char st[256]; /* hash state (OpenSSL low-level contexts fit) */
} s3ck_t;

/* "crc32" / "CRC32" / "x-amz-checksum-crc32" → type; S3CK_NONE if unknown */
s3ck_type_t s3ck_type_from_name(const char *name);
const char *s3ck_header_name(s3ck_type_t t); /* "x-amz-checksum-crc32" */
const char *s3ck_algo_name(s3ck_type_t t);   /* "CRC32" */
void s3ck_init(s3ck_t *c, s3ck_type_t t);
void s3ck_update(s3ck_t *c, const void *data, size_t len);
/* raw digest into out (<= 32 bytes); returns its length */
size_t s3ck_final_raw(s3ck_t *c, unsigned char *out);
/* base64 of the digest (out >= 48 bytes) */
void s3ck_final_b64(s3ck_t *c, char *out);
/* hex (out >= 65 bytes) */
void s3ck_final_hex(s3ck_t *c, char *out);
/* base64 encode/decode helpers (decode returns length or -1) */
void s3_b64_encode(const unsigned char *in, size_t n, char *out);
long s3_b64_decode(const char *in, unsigned char *out, size_t cap);

#endif
