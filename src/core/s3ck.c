/* s3cksum: S3 "additional checksums" and MD5, streaming, with all state inside s3ck_t (no heap).
 *   CRC32     = CRC-32/ISO-HDLC (zlib's crc32; isa-l crc32_gzip_refl, which pre/post-inverts)
 *   CRC32C    = CRC-32/ISCSI (isa-l crc32_iscsi, which does not invert: we keep ~crc)
 *   CRC64NVME = CRC-64/NVME (reflected poly 0x9a6c9329ac4bc9b5, init/xorout ~0; isa-l has no
 *               such variant here, so a slicing-by-8 table built once under pthread_once)
 *   SHA1, SHA256, MD5 = OpenSSL low-level contexts stored in s3ck_t.st (plain data, copyable).
 * Digests render big-endian (as S3 shows them), in base64 for x-amz-checksum-* and hex for ETags. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: the only allocation-free streaming API */
#include "core/s3ck.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/cksum.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((s3ck_t *)0)->st), "SHA256_CTX must fit in s3ck_t");
_Static_assert(sizeof(SHA_CTX) <= sizeof(((s3ck_t *)0)->st), "SHA_CTX must fit in s3ck_t");
_Static_assert(sizeof(MD5_CTX) <= sizeof(((s3ck_t *)0)->st), "MD5_CTX must fit in s3ck_t");

#define S3CK_PREFIX "x-amz-checksum-"

static const struct {
	s3ck_type_t t;
	const char *name; /* lowercase, as in the header suffix */
	const char *algo; /* as in x-amz-checksum-algorithm / XML element suffix */
	const char *hdr;
} s3ck_tab[] = {
	{S3CK_CRC32, "crc32", "CRC32", "x-amz-checksum-crc32"},
	{S3CK_CRC32C, "crc32c", "CRC32C", "x-amz-checksum-crc32c"},
	{S3CK_SHA1, "sha1", "SHA1", "x-amz-checksum-sha1"},
	{S3CK_SHA256, "sha256", "SHA256", "x-amz-checksum-sha256"},
	{S3CK_CRC64NVME, "crc64nvme", "CRC64NVME", "x-amz-checksum-crc64nvme"},
	{S3CK_MD5, "md5", "MD5", "content-md5"},
};
#define S3CK_NTAB (sizeof(s3ck_tab) / sizeof(s3ck_tab[0]))

s3ck_type_t s3ck_type_from_name(const char *name)
{
	if (!name)
		return S3CK_NONE;
	if (!strncasecmp(name, S3CK_PREFIX, sizeof(S3CK_PREFIX) - 1))
		name += sizeof(S3CK_PREFIX) - 1;
	for (size_t i = 0; i < S3CK_NTAB; i++)
		if (!strcasecmp(name, s3ck_tab[i].name) || !strcasecmp(name, s3ck_tab[i].hdr))
			return s3ck_tab[i].t;
	return S3CK_NONE;
}

const char *s3ck_header_name(s3ck_type_t t)
{
	for (size_t i = 0; i < S3CK_NTAB; i++)
		if (s3ck_tab[i].t == t)
			return s3ck_tab[i].hdr;
	return "";
}

const char *s3ck_algo_name(s3ck_type_t t)
{
	for (size_t i = 0; i < S3CK_NTAB; i++)
		if (s3ck_tab[i].t == t)
			return s3ck_tab[i].algo;
	return "";
}

/* ---- CRC-64/NVME, slicing by 8 ---- */
#define S3CK_CRC64_POLY 0x9a6c9329ac4bc9b5ULL
static uint64_t s3ck_crc64_tab[8][256];
static pthread_once_t s3ck_crc64_once = PTHREAD_ONCE_INIT;

static void s3ck_crc64_init_tab(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint64_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ S3CK_CRC64_POLY : c >> 1;
		s3ck_crc64_tab[0][i] = c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++) {
			uint64_t prev = s3ck_crc64_tab[t - 1][i];
			s3ck_crc64_tab[t][i] = (prev >> 8) ^ s3ck_crc64_tab[0][prev & 0xff];
		}
}

/* crc is the running (inverted) register */
static uint64_t s3ck_crc64_update(uint64_t crc, const unsigned char *p, size_t n)
{
	while (n >= 8) {
		uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
			     (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
		crc ^= w;
		crc = s3ck_crc64_tab[7][crc & 0xff] ^ s3ck_crc64_tab[6][(crc >> 8) & 0xff] ^
		      s3ck_crc64_tab[5][(crc >> 16) & 0xff] ^ s3ck_crc64_tab[4][(crc >> 24) & 0xff] ^
		      s3ck_crc64_tab[3][(crc >> 32) & 0xff] ^ s3ck_crc64_tab[2][(crc >> 40) & 0xff] ^
		      s3ck_crc64_tab[1][(crc >> 48) & 0xff] ^ s3ck_crc64_tab[0][crc >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ s3ck_crc64_tab[0][(crc ^ *p++) & 0xff];
	return crc;
}

void s3ck_init(s3ck_t *c, s3ck_type_t t)
{
	memset(c, 0, sizeof(*c));
	c->type = t;
	switch (t) {
	case S3CK_CRC32:
		c->crc = 0; /* crc32_gzip_refl takes and returns the final (non-inverted) value */
		break;
	case S3CK_CRC32C:
		c->crc = 0xFFFFFFFFu;
		break;
	case S3CK_CRC64NVME:
		pthread_once(&s3ck_crc64_once, s3ck_crc64_init_tab);
		c->crc = ~0ULL;
		break;
	case S3CK_SHA1:
		SHA1_Init((SHA_CTX *)(void *)c->st);
		break;
	case S3CK_SHA256:
		SHA256_Init((SHA256_CTX *)(void *)c->st);
		break;
	case S3CK_MD5:
		MD5_Init((MD5_CTX *)(void *)c->st);
		break;
	default:
		c->type = S3CK_NONE;
		break;
	}
}

void s3ck_update(s3ck_t *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	if (!len)
		return;
	switch (c->type) {
	case S3CK_CRC32:
		c->crc = crc32_gzip_refl((uint32_t)c->crc, p, len);
		break;
	case S3CK_CRC32C:
		while (len) {
			int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;
			c->crc = crc32_iscsi((unsigned char *)(uintptr_t)p, n, (unsigned int)c->crc);
			p += n;
			len -= (size_t)n;
		}
		break;
	case S3CK_CRC64NVME:
		c->crc = s3ck_crc64_update(c->crc, p, len);
		break;
	case S3CK_SHA1:
		SHA1_Update((SHA_CTX *)(void *)c->st, p, len);
		break;
	case S3CK_SHA256:
		SHA256_Update((SHA256_CTX *)(void *)c->st, p, len);
		break;
	case S3CK_MD5:
		MD5_Update((MD5_CTX *)(void *)c->st, p, len);
		break;
	default:
		break;
	}
}

static size_t s3ck_be(uint64_t v, int nbytes, unsigned char *out)
{
	for (int i = 0; i < nbytes; i++)
		out[i] = (unsigned char)(v >> (8 * (nbytes - 1 - i)));
	return (size_t)nbytes;
}

size_t s3ck_final_raw(s3ck_t *c, unsigned char *out)
{
	size_t n = 0;
	switch (c->type) {
	case S3CK_CRC32:
		n = s3ck_be(c->crc & 0xFFFFFFFFu, 4, out);
		break;
	case S3CK_CRC32C:
		n = s3ck_be((c->crc ^ 0xFFFFFFFFu) & 0xFFFFFFFFu, 4, out);
		break;
	case S3CK_CRC64NVME:
		n = s3ck_be(~c->crc, 8, out);
		break;
	case S3CK_SHA1:
		SHA1_Final(out, (SHA_CTX *)(void *)c->st);
		n = SHA_DIGEST_LENGTH;
		break;
	case S3CK_SHA256:
		SHA256_Final(out, (SHA256_CTX *)(void *)c->st);
		n = SHA256_DIGEST_LENGTH;
		break;
	case S3CK_MD5:
		MD5_Final(out, (MD5_CTX *)(void *)c->st);
		n = MD5_DIGEST_LENGTH;
		break;
	default:
		break;
	}
	/* reset so a second final yields the digest of nothing rather than garbage */
	s3ck_init(c, c->type);
	return n;
}

void s3ck_final_b64(s3ck_t *c, char *out)
{
	unsigned char raw[32];
	size_t n = s3ck_final_raw(c, raw);
	s3_b64_encode(raw, n, out);
}

void s3ck_final_hex(s3ck_t *c, char *out)
{
	unsigned char raw[32];
	size_t n = s3ck_final_raw(c, raw);
	cksum_hex(raw, n, out);
}

void s3_b64_encode(const unsigned char *in, size_t n, char *out)
{
	/* EVP_EncodeBlock takes an int length; encode in groups of 3 so any size works */
	size_t o = 0;
	while (n) {
		size_t k = n > 3 * (1u << 20) ? 3 * (1u << 20) : n;
		o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in, (int)k);
		in += k;
		n -= k;
	}
	out[o] = '\0';
}

static bool s3_b64_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
	       ch == '/';
}

/* strict standard base64: length a multiple of 4, '=' only as the last one or two characters */
long s3_b64_decode(const char *in, unsigned char *out, size_t cap)
{
	size_t n = strlen(in);
	if (n % 4)
		return -1;
	size_t pad = 0;
	if (n && in[n - 1] == '=')
		pad = (n >= 2 && in[n - 2] == '=') ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++)
		if (!s3_b64_char(in[i]))
			return -1;
	size_t olen = n / 4 * 3 - pad;
	if (olen > cap || olen > (size_t)LONG_MAX)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		unsigned char tmp[3];
		if (EVP_DecodeBlock(tmp, (const unsigned char *)in + i, 4) != 3)
			return -1;
		size_t take = (i + 4 == n) ? 3 - pad : 3;
		memcpy(out + o, tmp, take);
		o += take;
	}
	return (long)o;
}
