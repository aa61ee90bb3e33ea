/* http_fuzz: test seam for the fuzz driver. Runs the connection state machine (llhttp parsing,
 * request building, dispatch, body handling, response building) over `data` as if a client had
 * sent it on one connection, without sockets or threads; output is discarded. cfg->dispatch
 * must complete requests on the calling thread (no http_defer / on_pool work). */
#ifndef AIS_HTTP_FUZZ_H
#define AIS_HTTP_FUZZ_H

#include "net/http.h"

#include <stddef.h>
#include <stdint.h>

void http_fuzz_feed(const http_config_t *cfg, const uint8_t *data, size_t len);

#endif
