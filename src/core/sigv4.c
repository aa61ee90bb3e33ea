/* sigv4 (core): the signing primitives of AWS SigV4 (see sigv4.h). The canonical request of an
 * outgoing request is built in one heap buffer sized to its parts; nothing else allocates. */
#include "core/sigv4.h"

#include "core/cksum.h"
#include "core/err.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGV4_ALGO "AWS4-HMAC-SHA256"

void sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
	cksum_hex(md, 32, out);
}

void sigv4_hmac(const unsigned char *key, size_t klen, const void *data, size_t n, unsigned char out[32])
{
	unsigned int olen = 32;
	HMAC(EVP_sha256(), key, (int)klen, data, n, out, &olen);
}

void sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
		       unsigned char key[32])
{
	size_t slen = strlen(secret), klen = slen + 4;
	unsigned char k0buf[256], *k0 = klen <= sizeof(k0buf) ? k0buf : malloc(klen);
	if (!k0) { /* out of memory: a key nobody can match */
		memset(key, 0, 32);
		return;
	}
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, slen);
	unsigned char a[32], b[32];
	sigv4_hmac(k0, klen, date8, strlen(date8), a);
	sigv4_hmac(a, 32, region, strlen(region), b);
	sigv4_hmac(b, 32, service, strlen(service), a);
	sigv4_hmac(a, 32, "aws4_request", 12, key);
	OPENSSL_cleanse(k0, klen);
	if (k0 != k0buf)
		free(k0);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
}

int sigv4_sign(const unsigned char key[32], const char *amz_date, const char *scope, const char *creq, size_t creq_len,
	       char out[65])
{
	char crhash[65], sts[512];
	sigv4_sha256_hex(creq, creq_len, crhash);
	int n = snprintf(sts, sizeof(sts), "%s\n%s\n%s\n%s", SIGV4_ALGO, amz_date, scope, crhash);
	if (n < 0 || (size_t)n >= sizeof(sts))
		return AIS_EINVAL;
	unsigned char sig[32];
	sigv4_hmac(key, 32, sts, (size_t)n, sig);
	cksum_hex(sig, 32, out);
	return 0;
}

static bool sigv4_unreserved(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

void sigv4_uri_encode(sbuf_t *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (sigv4_unreserved(ch) || (keep_slash && ch == '/')) {
			sbuf_add(b, &s[i], 1);
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			sbuf_add(b, e, 3);
		}
	}
}

int sigv4_auth_header(char *out, size_t cap, const unsigned char key[32], const char *access_key,
		      const char *region, const char *service, const char *amz_date, const char *method,
		      const char *uri, const char *query, const sigv4_hdr_t *hdrs, int nhdrs,
		      const char *payload_hash)
{
	sbuf_t creq = SBUF_INIT, sh = SBUF_INIT;
	int rc = -1;
	sbuf_addf(&creq, "%s\n%s\n%s\n", method, uri, query);
	for (int i = 0; i < nhdrs; i++) {
		sbuf_addf(&creq, "%s:%s\n", hdrs[i].name, hdrs[i].value);
		sbuf_addf(&sh, "%s%s", i ? ";" : "", hdrs[i].name);
	}
	sbuf_addf(&creq, "\n%s\n%s", sbuf_str(&sh), payload_hash);
	if (creq.oom || sh.oom || strlen(amz_date) < 8)
		goto out;
	char date8[9], scope[160], sighex[65];
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	int n = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date8, region, service);
	if (n < 0 || (size_t)n >= sizeof(scope) || sigv4_sign(key, amz_date, scope, creq.p, creq.len, sighex))
		goto out;
	n = snprintf(out, cap, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", SIGV4_ALGO, access_key, scope,
		     sbuf_str(&sh), sighex);
	rc = (n < 0 || (size_t)n >= cap) ? -1 : n;
out:
	sbuf_fini(&creq);
	sbuf_fini(&sh);
	return rc;
}
