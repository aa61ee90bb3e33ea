/* sigv2: AWS Signature Version 2 verification of S3 requests - header "Authorization: AWS
 * <key>:<base64 HMAC-SHA1>" and presigned query "AWSAccessKeyId=..&Expires=..&Signature=..".
 * Pure functions over the request head; no state. The caller supplies the canonical resource
 * ("/bucket/key" as the client addressed it, URL-encoded as sent); sub-resources of the query
 * are added here. */
#ifndef AIS_SIGV2_H
#define AIS_SIGV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "net/http.h"
#include "s3/sigv4.h"

/* the request carries a V2 signature (header or presigned) */
bool sigv2_is(const http_req_t *r);
/* verify it: 0 (out->kind SIGV4_V2, access_key set, payload UNSIGNED, verified) or
 * AIS_EFORBIDDEN with *s3code "AccessDenied" (malformed, expired), "InvalidAccessKeyId",
 * "SignatureDoesNotMatch" or "RequestTimeTooSkewed" and a message in err. */
int sigv2_check(const http_req_t *r, const char *resource, int64_t now_s, sigv4_secret_fn secret_fn, void *arg,
		sigv4_auth_t *out, const char **s3code, char *err, size_t errcap);
/* the string to sign (exposed for tests) into b; presigned: expires replaces the date */
void sigv2_string_to_sign(const http_req_t *r, const char *resource, const char *date, sbuf_t *b);

#endif
