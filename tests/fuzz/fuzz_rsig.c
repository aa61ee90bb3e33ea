/* fuzz_rsig: arbitrary bytes as the redirect parameters of a request (lines: method, path, pid,
 * node, utm, vpams, x, u) through rsig_verify_parts with a fixed key and clock. Must neither
 * crash nor leak, and must never accept (the fuzzer cannot forge an HMAC). */
#include "core/ckey.h"
#include "net/rsig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		uint8_t k[CKEY_LEN];
		memset(k, 0x33, sizeof(k));
		ckey_set(k, NULL);
		init = 1;
	}
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *f[8] = {NULL};
	char *p = buf;
	for (int i = 0; i < 8 && p; i++) {
		f[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	char why[200];
	if (!rsig_verify_parts(f[0] ? f[0] : "GET", f[1] ? f[1] : "/", f[2], f[3] ? f[3] : "t", f[4], f[5], f[6], f[7],
			       1700000000000000000LL, 60000000000LL, why, sizeof(why)))
		abort();
	free(buf);
	return 0;
}
