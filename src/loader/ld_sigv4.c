/* ld_sigv4: SigV4 signing (see ld_sigv4.h). Builds the canonical request and string-to-sign in
 * fixed stack buffers; nothing is allocated. */
#include "loader/ld_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

static void ld_sigv4_hmac(const unsigned char *key, size_t klen, const char *msg, size_t mlen, unsigned char out[32])
{
	unsigned int olen = 32;
	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &olen);
}

static void ld_sigv4_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void ld_sigv4_key(const char *secret, const char *date8, const char *region, unsigned char key[32])
{
	char k0[256];
	int n = snprintf(k0, sizeof(k0), "AWS4%s", secret);
	if (n < 0 || (size_t)n >= sizeof(k0))
		n = (int)sizeof(k0) - 1;
	unsigned char a[32], b[32];
	ld_sigv4_hmac((const unsigned char *)k0, (size_t)n, date8, strlen(date8), a);
	ld_sigv4_hmac(a, 32, region, strlen(region), b);
	ld_sigv4_hmac(b, 32, "s3", 2, a);
	ld_sigv4_hmac(a, 32, "aws4_request", 12, key);
}

int ld_sigv4_auth(char *out, size_t cap, const unsigned char key[32], const char *access_key,
		  const char *region, const char *amz_date, const char *method, const char *uri, const char *query,
		  const ld_sigv4_hdr_t *hdrs, int nhdrs, const char *payload_hash)
{
	char creq[4096], signed_hdrs[512];
	size_t o = 0, so = 0;
	int n = snprintf(creq, sizeof(creq), "%s\n%s\n%s\n", method, uri, query);
	if (n < 0 || (size_t)n >= sizeof(creq))
		return -1;
	o = (size_t)n;
	signed_hdrs[0] = '\0';
	for (int i = 0; i < nhdrs; i++) {
		n = snprintf(creq + o, sizeof(creq) - o, "%s:%s\n", hdrs[i].name, hdrs[i].value);
		if (n < 0 || (size_t)n >= sizeof(creq) - o)
			return -1;
		o += (size_t)n;
		n = snprintf(signed_hdrs + so, sizeof(signed_hdrs) - so, "%s%s", i ? ";" : "", hdrs[i].name);
		if (n < 0 || (size_t)n >= sizeof(signed_hdrs) - so)
			return -1;
		so += (size_t)n;
	}
	n = snprintf(creq + o, sizeof(creq) - o, "\n%s\n%s", signed_hdrs, payload_hash);
	if (n < 0 || (size_t)n >= sizeof(creq) - o)
		return -1;
	o += (size_t)n;

	unsigned char h[32];
	char hhex[65];
	SHA256((const unsigned char *)creq, o, h);
	ld_sigv4_hex(h, 32, hhex);

	char date8[9];
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	char scope[128], sts[512];
	n = snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", date8, region);
	if (n < 0 || (size_t)n >= sizeof(scope))
		return -1;
	n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hhex);
	if (n < 0 || (size_t)n >= sizeof(sts))
		return -1;
	unsigned char sig[32];
	char sighex[65];
	ld_sigv4_hmac(key, 32, sts, (size_t)n, sig);
	ld_sigv4_hex(sig, 32, sighex);
	n = snprintf(out, cap, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", access_key, scope,
		     signed_hdrs, sighex);
	return (n < 0 || (size_t)n >= cap) ? -1 : n;
}
