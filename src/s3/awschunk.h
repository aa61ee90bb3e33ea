/* awschunk: incremental decoder of "Content-Encoding: aws-chunked" request bodies
 * (<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=..]\r\n[trailers]\r\n),
 * verifying chunk signatures (signed streaming) and collecting trailing headers
 * (x-amz-checksum-crc32 / -crc32c / -sha1 / -sha256 / -crc64nvme, x-amz-trailer-signature).
 * Bounded memory: never buffers chunk data, only header lines. */
#ifndef AIS_AWSCHUNK_H
#define AIS_AWSCHUNK_H

#include <stdbool.h>
#include <stddef.h>

#include "s3/sigv4.h"

typedef struct awschunk awschunk_t;

/* data callback: decoded payload bytes; return 0 or a negative AIS_E* to stop */
typedef int (*awschunk_data_cb)(void *arg, const char *data, size_t len);

/* auth may be NULL (unsigned streaming); it is copied. */
awschunk_t *awschunk_new(const sigv4_auth_t *auth, awschunk_data_cb cb, void *arg);
void awschunk_free(awschunk_t *d);
/* feed raw body bytes. Returns 0, or AIS_EINVAL (malformed), AIS_EFORBIDDEN (bad chunk
 * signature), or the callback's error; errors are sticky. */
int awschunk_feed(awschunk_t *d, const char *in, size_t n);
/* after the last byte: 0 if the final chunk (and trailer) arrived and verified, else AIS_E*. */
int awschunk_finish(awschunk_t *d);
/* trailer value by (case-insensitive) name, NULL if absent */
const char *awschunk_trailer(const awschunk_t *d, const char *name);
/* total decoded payload bytes */
size_t awschunk_decoded(const awschunk_t *d);
/* message of the last error */
const char *awschunk_error(const awschunk_t *d);

#endif
