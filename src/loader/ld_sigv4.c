/* ld_sigv4: SigV4 signing (see ld_sigv4.h). Builds the canonical request in a fixed stack buffer;
 * the HMAC chain and the string to sign are the verifier's (s3/sigv4.h). Nothing is allocated. */
#include "loader/ld_sigv4.h"

#include <stdio.h>
#include <string.h>

void ld_sigv4_key(const char *secret, const char *date8, const char *region, unsigned char key[32])
{
	sigv4_signing_key(secret, date8, region, "s3", key);
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

	char date8[9];
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	char scope[128], sighex[65];
	n = snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", date8, region);
	if (n < 0 || (size_t)n >= sizeof(scope))
		return -1;
	if (sigv4_sign(key, amz_date, scope, creq, o, sighex))
		return -1;
	n = snprintf(out, cap, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", access_key, scope,
		     signed_hdrs, sighex);
	return (n < 0 || (size_t)n >= cap) ? -1 : n;
}
