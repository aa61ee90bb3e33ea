/* sigv4 (core): the pure signing half of AWS Signature Version 4, shared by the S3 API's
 * verifier (s3/sigv4.c), aisloader's signer (loader/ld_sigv4.c) and the outbound S3 backend
 * (backend/bk_s3.c): SHA-256 and HMAC helpers, the signing-key chain, the signature of a
 * canonical request, RFC 3986 encoding as SigV4 wants it, and the Authorization header of a
 * request whose canonical parts the caller supplies. Pure (OpenSSL): no state, no I/O. */
#ifndef AIS_CORE_SIGV4_H
#define AIS_CORE_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sbuf.h"

#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/* HMAC-SHA256(key, data) */
void sigv4_hmac(const unsigned char *key, size_t klen, const void *data, size_t n, unsigned char out[32]);
/* lowercase hex SHA-256 of data */
void sigv4_sha256_hex(const void *data, size_t n, char out[65]);
/* key = HMAC chain over "AWS4"+secret, date8 ("20130524"), region, service, "aws4_request" */
void sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
		       unsigned char key[32]);
/* hex signature of a canonical request: HMAC(key, "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n"
 * hex(sha256(creq))). 0, or AIS_EINVAL when date/scope are too long. */
int sigv4_sign(const unsigned char key[32], const char *amz_date, const char *scope, const char *creq, size_t creq_len,
	       char out[65]);
/* RFC 3986 encoding as SigV4's canonical request wants it: unreserved characters kept, every
 * other byte %XX (uppercase); '/' kept when keep_slash (paths). Appends to b. */
void sigv4_uri_encode(sbuf_t *b, const char *s, size_t n, bool keep_slash);

/* one signed header: lowercase name, trimmed value */
typedef struct sigv4_hdr {
	const char *name;
	const char *value;
} sigv4_hdr_t;

/* the Authorization header value of a request: "AWS4-HMAC-SHA256 Credential=<ak>/<scope>,
 * SignedHeaders=..., Signature=...". amz_date "20130524T000000Z"; uri already encoded
 * ("/bucket/key"); query canonical ("" when none: sorted, encoded); hdrs sorted by name with
 * "host" among them; payload_hash as sent in x-amz-content-sha256; service "s3". Returns the
 * length, or -1 when out (or an internal buffer) is too small. */
int sigv4_auth_header(char *out, size_t cap, const unsigned char key[32], const char *access_key,
		      const char *region, const char *service, const char *amz_date, const char *method,
		      const char *uri, const char *query, const sigv4_hdr_t *hdrs, int nhdrs,
		      const char *payload_hash);

#endif
