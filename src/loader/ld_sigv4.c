/* ld_sigv4: SigV4 signing for aisloader (see ld_sigv4.h): a thin layer over the shared signing
 * core (core/sigv4.h), which the S3 verifier and the S3 backend use too. */
#include "loader/ld_sigv4.h"


void ld_sigv4_key(const char *secret, const char *date8, const char *region, unsigned char key[32])
{
	sigv4_signing_key(secret, date8, region, "s3", key);
}

int ld_sigv4_auth(char *out, size_t cap, const unsigned char key[32], const char *access_key,
		  const char *region, const char *amz_date, const char *method, const char *uri, const char *query,
		  const ld_sigv4_hdr_t *hdrs, int nhdrs, const char *payload_hash)
{
	sigv4_hdr_t h[32];
	if (nhdrs < 0 || nhdrs > (int)(sizeof(h) / sizeof(h[0])))
		return -1;
	for (int i = 0; i < nhdrs; i++)
		h[i] = (sigv4_hdr_t){hdrs[i].name, hdrs[i].value};
	return sigv4_auth_header(out, cap, key, access_key, region, "s3", amz_date, method, uri, query, h, nhdrs,
				 payload_hash);
}
