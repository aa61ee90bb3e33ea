/* fuzz_http_upstream: arbitrary bytes as an upstream server's answer to a proxied request
 * (http_proxy_pass): llhttp in response mode, header accumulation and hop-by-hop filtering
 * (Connection tokens), framing decisions (Content-Length, chunked, close-delimited, HEAD,
 * 1xx/204/304), re-chunking toward the client, truncated and garbage answers, through the
 * http_fuzz_feed_upstream seam; must neither crash nor leak. */
#include "net/http_fuzz.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_fuzz_feed_upstream(data, size);
	return 0;
}
