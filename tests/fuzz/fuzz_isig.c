/* fuzz_isig: arbitrary bytes as an Ais-Cluster-Sig header value (first line), the method
 * (second) and request-target (third) through isig_verify_parts with a fixed key and clock;
 * then as a sealed secret through ckey_open. Must neither crash nor leak, and must never accept
 * (the fuzzer cannot forge an HMAC). */
#include "core/ckey.h"
#include "net/isig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		uint8_t k[CKEY_LEN];
		memset(k, 0x5a, sizeof(k));
		ckey_set(k, NULL);
		init = 1;
	}
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *f[3] = {buf, "PUT", "/v1/metasync"};
	char *p = buf;
	for (int i = 1; i < 3 && p; i++) {
		p = strchr(p, '\n');
		if (p) {
			*p++ = '\0';
			f[i] = p;
		}
	}
	char sender[64], why[160], out[600];
	if (!isig_verify_parts(f[1], f[2], f[0], 1700000000000LL, 60000, sender, sizeof(sender), why, sizeof(why)))
		abort();
	ckey_open(f[0], out, sizeof(out));
	free(buf);
	return 0;
}
