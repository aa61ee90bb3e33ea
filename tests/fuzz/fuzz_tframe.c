/* fuzz: the stream frame decoder must accept or reject any bytes, split anywhere, without
 * overreads; payload events stay inside the input and add up to the declared length; every header
 * it accepts re-encodes to exactly the bytes it was decoded from (the format is canonical).
 * A second pass repairs magic, version, header length and checksum of the input taken as one
 * frame, so the mutations reach the object-header parser behind the checksum gate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "transport/tframe.h"

static void decode(const uint8_t *data, size_t size, uint32_t seed)
{
	tframe_dec_t *d = tframe_dec_new(0);
	if (!d)
		return;
	size_t pos = 0;
	uint64_t got = 0;
	uint8_t *re = malloc(TFRAME_FIXED + TFRAME_HDR_MAX);
	while (pos <= size && re) {
		seed = seed * 1103515245u + 12345u;
		size_t piece = (seed >> 16) % 97 + 1; /* the input arrives in pieces of 1..97 bytes */
		size_t end = size - pos < piece ? size : pos + piece;
		size_t off = pos;
		int rc = 0;
		for (;;) {
			size_t used = 0;
			tframe_ev_t ev;
			rc = tframe_dec_next(d, data + off, end - off, &used, &ev);
			if (rc)
				break;
			if (used > end - off)
				abort();
			off += used;
			if (ev.type == TFRAME_EV_NONE)
				break;
			const tframe_hdr_t *h = tframe_dec_hdr(d);
			if (ev.type == TFRAME_EV_BEGIN) {
				size_t n = 0;
				if (tframe_encode(h, 0, re, TFRAME_FIXED + TFRAME_HDR_MAX, &n, NULL, 0))
					abort(); /* accepted, so it must be valid */
				if (n > off || memcmp(re, data + off - n, n))
					abort(); /* not canonical */
				got = 0;
			} else if (ev.type == TFRAME_EV_DATA) {
				if (ev.data < data + pos || ev.data + ev.len > data + end || !ev.len)
					abort();
				got += ev.len;
				if (got > h->payload_len)
					abort();
			} else if (got != h->payload_len) {
				abort();
			}
		}
		if (rc || end == size)
			break;
		pos = end;
	}
	free(re);
	tframe_dec_free(d);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = size ? data[0] : 0;
	decode(data, size, seed);
	if (size < TFRAME_FIXED || size > TFRAME_FIXED + TFRAME_HDR_MAX)
		return 0;
	uint8_t *c = malloc(size);
	if (!c)
		return 0;
	memcpy(c, data, size);
	put_be(c, TFRAME_MAGIC, 4);
	c[4] = TFRAME_PROTO;
	put_be(c + 8, size - TFRAME_FIXED, 4);
	XXH32_state_t st;
	XXH32_reset(&st, 0);
	XXH32_update(&st, c, 12);
	XXH32_update(&st, c + 16, size - 16);
	put_be(c + 12, XXH32_digest(&st), 4);
	decode(c, size, seed ^ 0x9e37u);
	free(c);
	return 0;
}
