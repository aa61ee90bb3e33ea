/* tjson: the JSON answer of the target's control endpoints (downloader, remote buckets): one
 * place that serializes a document, answers 200 application/json (or 500 when out of memory)
 * and releases it. Runs wherever the handler runs (loop or pool); no state. */
#ifndef AIS_TJSON_H
#define AIS_TJSON_H

#include <jansson.h>

#include "net/http.h"

/* answer j (taken: released here; NULL answers 500 "out of memory") */
void tjson_respond(http_req_t *r, json_t *j);

#endif
