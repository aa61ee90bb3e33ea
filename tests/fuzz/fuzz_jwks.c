/* fuzz_jwks: arbitrary bytes as an issuer's openid-configuration (jwks_parse_discovery) and as a
 * JWKS document (jwks_parse: JSON, base64url n/e, OpenSSL key construction, PEM output). Must
 * neither crash nor leak; every key kept has a PEM. */
#include "auth/jwks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uri[JWKS_URI_MAX];
	jwks_parse_discovery((const char *)data, size, uri, sizeof(uri));
	jwks_set_t s;
	if (!jwks_parse((const char *)data, size, &s)) {
		for (int i = 0; i < s.n; i++)
			if (!s.keys[i].pem || strncmp(s.keys[i].pem, "-----BEGIN PUBLIC KEY-----", 26))
				abort();
		jwks_find(&s, "k1");
		jwks_set_free(&s);
	}
	return 0;
}
