/* fuzz_jwtv: arbitrary bytes as a bearer token through jwtv_verify (HS256 with a fixed key: the
 * header parse, libjwt's decode, the claims) and as a claims document through
 * jwtv_parse_claims. Must neither crash nor leak, and must never accept a token (the fuzzer
 * cannot forge an HMAC). */
#include "auth/jwtv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	jwtv_conf_t conf = {.method = "HS256", .key = "fuzz-secret", .aud = "", .version = 1};
	jwtv_claims_t c;
	char why[256];
	if (!jwtv_verify(&conf, buf, 1700000000LL, &c, why, sizeof(why)))
		abort();
	jwtv_parse_claims(buf, size, &c, why, sizeof(why));
	jwtv_check(&c, "C1", "ais", "b", 1, why, sizeof(why));
	free(buf);
	return 0;
}
