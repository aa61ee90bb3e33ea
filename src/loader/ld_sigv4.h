/* ld_sigv4: AWS Signature Version 4 for aisloader's S3 requests (header auth, service "s3").
 * Pure (OpenSSL HMAC/SHA-256); the caller supplies the date, the canonical URI and query and the
 * signed headers sorted by lowercase name, "host" included. The signing key depends only on
 * secret, date and region, so callers cache it per day with ld_sigv4_key(). */
#ifndef AIS_LD_SIGV4_H
#define AIS_LD_SIGV4_H

#include <stddef.h>

#include "core/sigv4.h"

typedef struct ld_sigv4_hdr {
	const char *name;  /* lowercase */
	const char *value; /* trimmed */
} ld_sigv4_hdr_t;

#define LD_SIGV4_UNSIGNED SIGV4_UNSIGNED_PAYLOAD
#define LD_SIGV4_EMPTY_SHA SIGV4_EMPTY_SHA256

/* key = sigv4_signing_key(secret, date8 ("20130524"), region, "s3") */
void ld_sigv4_key(const char *secret, const char *date8, const char *region, unsigned char key[32]);
/* writes the Authorization header value into out. amz_date "20130524T000000Z"; uri already
 * URI-encoded ("/bucket/key"); query canonical ("" when none); payload_hash as sent in
 * x-amz-content-sha256. Returns the length, or -1 if out is too small. */
int ld_sigv4_auth(char *out, size_t cap, const unsigned char key[32], const char *access_key,
		  const char *region, const char *amz_date, const char *method, const char *uri, const char *query,
		  const ld_sigv4_hdr_t *hdrs, int nhdrs, const char *payload_hash);

#endif
