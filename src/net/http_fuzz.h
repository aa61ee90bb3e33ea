/* http_fuzz: test seams for the fuzz drivers. Runs the connection state machine (llhttp parsing,
 * request building, dispatch, body handling, response building) over `data` as if a client had
 * sent it on one connection, without sockets or threads; output is discarded. cfg->dispatch
 * must complete requests on the calling thread (no http_defer / on_pool work). The upstream seam
 * does the same for the response side of a proxied request (http_upstream.c). */
#ifndef AIS_HTTP_FUZZ_H
#define AIS_HTTP_FUZZ_H

#include "net/http.h"

#include <stddef.h>
#include <stdint.h>

void http_fuzz_feed(const http_config_t *cfg, const uint8_t *data, size_t len);

/* Runs a proxied exchange (http_proxy_pass) over `data` as if an upstream had answered with it:
 * data[0] picks the client's request (GET, HEAD, HTTP/1.0 GET, chunked PUT with Expect) and the
 * read step; the rest is the upstream's byte stream, then its close. No sockets or threads. */
void http_fuzz_feed_upstream(const uint8_t *data, size_t len);

#endif
