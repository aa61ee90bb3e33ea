/* apwd: see apwd.h. Must not: log or keep a password; accept a hash it did not make (format,
 * iteration floor). The salt comes from RAND_bytes; the comparison is CRYPTO_memcmp. */
#include "authn/apwd.h"
#include "core/ckey.h"
#include "core/err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APWD_PREFIX "pbkdf2-sha256$"
#define APWD_SALT 16
#define APWD_DK 32

static int apwd_derive(const char *pass, const uint8_t *salt, size_t slen, int iter, uint8_t dk[APWD_DK])
{
	if (PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, (int)slen, iter, EVP_sha256(), APWD_DK, dk) != 1)
		return AIS_EINTERNAL;
	return 0;
}

int apwd_hash_iter(const char *pass, int iter, char *out, size_t cap)
{
	uint8_t salt[APWD_SALT], dk[APWD_DK];
	char s64[32], d64[48];
	if (!pass || !*pass || cap < APWD_HASH_MAX || iter < 1 || iter > APWD_MAX_ITER)
		return AIS_EINVAL;
	if (RAND_bytes(salt, sizeof(salt)) != 1 || apwd_derive(pass, salt, sizeof(salt), iter, dk))
		return AIS_EINTERNAL;
	ckey_b64url(salt, sizeof(salt), s64, sizeof(s64));
	ckey_b64url(dk, sizeof(dk), d64, sizeof(d64));
	OPENSSL_cleanse(dk, sizeof(dk));
	int n = snprintf(out, cap, APWD_PREFIX "%d$%s$%s", iter, s64, d64);
	return n > 0 && (size_t)n < cap ? 0 : AIS_EINVAL;
}

int apwd_hash(const char *pass, char *out, size_t cap) { return apwd_hash_iter(pass, APWD_ITER, out, cap); }

/* split hash into its iteration count, salt and derived key: 0 or AIS_EINVAL */
static int apwd_parse(const char *hash, int *iter, uint8_t *salt, long *slen, uint8_t dk[APWD_DK])
{
	size_t pl = strlen(APWD_PREFIX);
	if (!hash || strncmp(hash, APWD_PREFIX, pl))
		return AIS_EINVAL;
	const char *p = hash + pl, *d1 = strchr(p, '$'), *d2 = d1 ? strchr(d1 + 1, '$') : NULL;
	if (!d1 || !d2 || d1 == p || d1 - p > 8 || strchr(d2 + 1, '$'))
		return AIS_EINVAL;
	long it = 0;
	for (const char *c = p; c < d1; c++) {
		if (*c < '0' || *c > '9')
			return AIS_EINVAL;
		it = it * 10 + (*c - '0');
	}
	if (it < APWD_MIN_ITER || it > APWD_MAX_ITER)
		return AIS_EINVAL;
	*iter = (int)it;
	*slen = ckey_b64url_dec(d1 + 1, (size_t)(d2 - d1 - 1), salt, APWD_SALT);
	long dl = ckey_b64url_dec(d2 + 1, strlen(d2 + 1), dk, APWD_DK);
	return *slen == APWD_SALT && dl == APWD_DK ? 0 : AIS_EINVAL;
}

bool apwd_is_hash(const char *hash)
{
	int iter;
	long sl;
	uint8_t salt[APWD_SALT], dk[APWD_DK];
	return apwd_parse(hash, &iter, salt, &sl, dk) == 0;
}

bool apwd_verify(const char *pass, const char *hash)
{
	int iter;
	long sl;
	uint8_t salt[APWD_SALT], want[APWD_DK], got[APWD_DK];
	if (!pass || !*pass || apwd_parse(hash, &iter, salt, &sl, want))
		return false;
	if (apwd_derive(pass, salt, (size_t)sl, iter, got))
		return false;
	bool ok = CRYPTO_memcmp(got, want, APWD_DK) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}
