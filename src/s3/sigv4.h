/* sigv4: AWS Signature Version 4 verification of S3 requests (header "Authorization:
 * AWS4-HMAC-SHA256 ..." and presigned query "X-Amz-Algorithm=AWS4-HMAC-SHA256&..."), including
 * the payload modes UNSIGNED-PAYLOAD, a hex SHA-256, STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)
 * and STREAMING-UNSIGNED-PAYLOAD-TRAILER. Pure functions over the request head; no state. */
#ifndef AIS_SIGV4_H
#define AIS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sigv4.h"
#include "net/http.h"

typedef enum {
	SIGV4_NONE = 0,          /* request carries no signature (anonymous) */
	SIGV4_HEADER,            /* Authorization header */
	SIGV4_PRESIGNED,         /* X-Amz-* query parameters */
	SIGV4_V2,                /* Signature Version 2 (sigv2.h), header or presigned */
} sigv4_kind_t;

typedef enum {
	SIGV4_PAYLOAD_UNSIGNED = 0,       /* UNSIGNED-PAYLOAD (or presigned) */
	SIGV4_PAYLOAD_SHA256,             /* x-amz-content-sha256 = hex digest of the body */
	SIGV4_PAYLOAD_STREAMING,          /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, signed chunks */
	SIGV4_PAYLOAD_STREAMING_TRAILER,  /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
	SIGV4_PAYLOAD_UNSIGNED_TRAILER,   /* STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked, unsigned */
} sigv4_payload_t;

typedef struct sigv4_auth {
	sigv4_kind_t kind;
	sigv4_payload_t payload;
	char access_key[128];
	char date[17];           /* YYYYMMDDTHHMMSSZ */
	char scope[160];         /* YYYYMMDD/region/s3/aws4_request */
	char region[64];
	char signature[65];      /* hex seed signature (streaming: signs the first chunk) */
	unsigned char signing_key[32]; /* derived key, for chunk signatures */
	char payload_sha256[65]; /* when payload == SIGV4_PAYLOAD_SHA256 */
	bool verified;           /* signature verified; signing_key is valid (awschunk verifies chunks) */
} sigv4_auth_t;

/* secret for an access key; returns NULL when unknown */
typedef const char *(*sigv4_secret_fn)(const char *access_key, void *arg);

/* Parse (and, if secret_fn is non-NULL, verify) the request's signature.
 * region: the region the server accepts in the scope ("" = any).
 * now_s: current unix time (clock skew limit 15 min; presigned expiry checked against it).
 * Returns 0 ok; AIS_EFORBIDDEN with *s3code set to "SignatureDoesNotMatch", "AccessDenied",
 * "InvalidAccessKeyId", "AuthorizationQueryParametersError", "RequestTimeTooSkewed" or
 * "AuthorizationHeaderMalformed", and a message in err; or AIS_EINVAL with "InvalidRequest" (header
 * auth without x-amz-content-sha256) or "InvalidArgument" (bad x-amz-content-sha256 value, both
 * header and presigned auth). An unsigned request yields kind NONE.
 * secret_fn NULL (auth disabled): parse only and never fail - no time, region or signature
 * checks; foreign or malformed signatures yield kind NONE; out->payload is always set from
 * x-amz-content-sha256 (so the caller knows whether the body is aws-chunked); verified stays
 * false (awschunk then skips chunk signatures). s3code may be NULL. */
int sigv4_check(const http_req_t *r, const char *region, int64_t now_s, sigv4_secret_fn secret_fn, void *arg,
		sigv4_auth_t *out, const char **s3code, char *err, size_t errcap);

/* ---- streaming chunk signatures (the primitives are core/sigv4.h's) ---- */

/* the signature of one aws-chunked chunk (streaming payload), given the previous signature */
void sigv4_chunk_signature(const sigv4_auth_t *a, const char *prev_sig, const unsigned char *chunk_sha256,
			   char out[65]);
/* the signature of the trailer chunk */
void sigv4_trailer_signature(const sigv4_auth_t *a, const char *prev_sig, const char *trailer, size_t len,
			     char out[65]);

#endif
