/* cksum: streaming checksums byte-for-byte identical to AIStore 4.7 (cmn/cos/cksum.go):
 *   "xxhash"  = XXH64, seed 0 (OneOfOne xxhash New64)      → %016x of the uint64 (big-endian Sum)
 *   "xxhash2" = XXH64, seed 0 (cespare xxhash/v2 New)      → same value as "xxhash"; NOT XXH3
 *   "crc32c"  = CRC-32/Castagnoli (Go crc32.New(Castagnoli)) → %08x (big-endian Sum)
 *   "md5", "sha256" (plain SHA-256), "sha512"              → lowercase hex of the digest
 * State: XXH64 and CRC live inside cksum_t (no allocation); md5/sha use a heap EVP_MD_CTX in
 * c->ctx, owned by the cksum and released by cksum_final/cksum_abort. After final/abort the
 * cksum is reset to CKSUM_NONE so a second final/abort is harmless. */
#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t definition, so the state fits in cksum_t */
#include "core/cksum.h"
#include "core/err.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <openssl/evp.h>
#include <string.h>
#include <xxhash.h>

_Static_assert(sizeof(XXH64_state_t) <= sizeof(((cksum_t *)0)->st.raw), "XXH64 state must fit in cksum_t");

static const char *const cksum_names[CKSUM_NTYPES] = {
	[CKSUM_NONE] = "none",     [CKSUM_XXHASH] = "xxhash", [CKSUM_XXHASH2] = "xxhash2",
	[CKSUM_MD5] = "md5",       [CKSUM_SHA256] = "sha256", [CKSUM_SHA512] = "sha512",
	[CKSUM_CRC32C] = "crc32c",
};

int cksum_type_from_str(const char *s)
{
	if (!s || !*s)
		return CKSUM_NONE;
	for (int i = 0; i < CKSUM_NTYPES; i++)
		if (!strcmp(s, cksum_names[i]))
			return i;
	return -1;
}

const char *cksum_type_str(cksum_type_t t)
{
	if ((int)t < 0 || t >= CKSUM_NTYPES)
		return "none";
	return cksum_names[t];
}

static const EVP_MD *cksum_evp(cksum_type_t t)
{
	switch (t) {
	case CKSUM_MD5: return EVP_md5();
	case CKSUM_SHA256: return EVP_sha256();
	case CKSUM_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

static XXH64_state_t *cksum_xxstate(cksum_t *c) { return (XXH64_state_t *)(void *)c->st.raw; }

int cksum_init(cksum_t *c, cksum_type_t t)
{
	memset(c, 0, sizeof(*c));
	switch (t) {
	case CKSUM_NONE:
		return 0;
	case CKSUM_XXHASH:
	case CKSUM_XXHASH2:
		XXH64_reset(cksum_xxstate(c), 0);
		break;
	case CKSUM_CRC32C:
		c->st.u32 = 0xFFFFFFFFu; /* isa-l's crc32_iscsi neither pre- nor post-inverts */
		break;
	case CKSUM_MD5:
	case CKSUM_SHA256:
	case CKSUM_SHA512: {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		if (!ctx)
			return AIS_ENOMEM;
		if (EVP_DigestInit_ex(ctx, cksum_evp(t), NULL) != 1) {
			EVP_MD_CTX_free(ctx);
			return AIS_EINTERNAL;
		}
		c->ctx = ctx;
		break;
	}
	default:
		return AIS_EINVAL;
	}
	c->type = t;
	return 0;
}

void cksum_update(cksum_t *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	if (!len)
		return;
	switch (c->type) {
	case CKSUM_XXHASH:
	case CKSUM_XXHASH2:
		XXH64_update(cksum_xxstate(c), p, len);
		break;
	case CKSUM_CRC32C:
		while (len) {
			int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;
			c->st.u32 = crc32_iscsi((unsigned char *)(uintptr_t)p, n, c->st.u32);
			p += n;
			len -= (size_t)n;
		}
		break;
	case CKSUM_MD5:
	case CKSUM_SHA256:
	case CKSUM_SHA512:
		if (c->ctx)
			EVP_DigestUpdate(c->ctx, p, len);
		break;
	default:
		break;
	}
}

void cksum_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* big-endian bytes of v (as Go's hash.Hash64/Hash32 Sum) → hex */
static void cksum_hex_be(uint64_t v, int nbytes, char *out)
{
	unsigned char b[8];
	for (int i = 0; i < nbytes; i++)
		b[i] = (unsigned char)(v >> (8 * (nbytes - 1 - i)));
	cksum_hex(b, (size_t)nbytes, out);
}

void cksum_final(cksum_t *c, char *out)
{
	out[0] = '\0';
	switch (c->type) {
	case CKSUM_XXHASH:
	case CKSUM_XXHASH2:
		cksum_hex_be(XXH64_digest(cksum_xxstate(c)), 8, out);
		break;
	case CKSUM_CRC32C:
		cksum_hex_be(c->st.u32 ^ 0xFFFFFFFFu, 4, out);
		break;
	case CKSUM_MD5:
	case CKSUM_SHA256:
	case CKSUM_SHA512: {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int n = 0;
		if (c->ctx && EVP_DigestFinal_ex(c->ctx, md, &n) == 1)
			cksum_hex(md, n, out);
		break;
	}
	default:
		break;
	}
	cksum_abort(c);
}

void cksum_abort(cksum_t *c)
{
	if (c->ctx)
		EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
	c->type = CKSUM_NONE;
}

int cksum_buf(cksum_type_t t, const void *data, size_t len, char *out)
{
	cksum_t c;
	out[0] = '\0';
	int rc = cksum_init(&c, t);
	if (rc)
		return rc;
	cksum_update(&c, data, len);
	cksum_final(&c, out);
	return 0;
}

uint64_t cksum_xxh64(const void *data, size_t len, uint64_t seed) { return XXH64(data, len, seed); }
