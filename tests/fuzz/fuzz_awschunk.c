/* fuzz_awschunk: arbitrary bytes as an aws-chunked body. The first byte picks the mode (unsigned,
 * signed streaming, signed streaming with trailer - with a fixed verified key, so signature
 * checks run) and the split pattern; the rest is fed in pieces. Must neither crash nor leak,
 * and errors must be sticky. */
#include "core/err.h"
#include "s3/awschunk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int fz_data(void *arg, const char *data, size_t len)
{
	size_t *seen = arg;
	*seen += len;
	return (len && data[0] == '!') ? AIS_ECKSUM : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++, size--;
	sigv4_auth_t a;
	memset(&a, 0, sizeof(a));
	a.kind = SIGV4_HEADER;
	a.verified = true;
	memcpy(a.date, "20130524T000000Z", 17);
	memcpy(a.scope, "20130524/us-east-1/s3/aws4_request", 35);
	memset(a.signature, 'a', 64);
	for (int i = 0; i < 32; i++)
		a.signing_key[i] = (unsigned char)i;
	const sigv4_auth_t *ap = NULL;
	switch (mode % 4) {
	case 1: a.payload = SIGV4_PAYLOAD_STREAMING; ap = &a; break;
	case 2: a.payload = SIGV4_PAYLOAD_STREAMING_TRAILER; ap = &a; break;
	case 3: a.payload = SIGV4_PAYLOAD_UNSIGNED_TRAILER; ap = &a; break;
	default: break;
	}
	size_t seen = 0;
	awschunk_t *d = awschunk_new(ap, fz_data, &seen);
	if (!d)
		return 0;
	size_t step = (mode >> 2) ? (size_t)(mode >> 2) : size + 1;
	int rc = 0;
	for (size_t off = 0; off < size;) {
		size_t k = size - off < step ? size - off : step;
		int r = awschunk_feed(d, (const char *)data + off, k);
		if (rc && r != rc)
			abort(); /* errors are sticky */
		rc = r;
		off += k;
	}
	int fin = awschunk_finish(d);
	if (rc && fin != rc)
		abort();
	if (awschunk_decoded(d) != seen)
		abort();
	(void)awschunk_trailer(d, "x-amz-checksum-crc32");
	(void)awschunk_error(d);
	awschunk_free(d);
	return 0;
}
