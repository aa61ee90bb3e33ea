/* s3_cors: a bucket's CORS configuration as data and its evaluation (no storage: the rules live
 * in the bucket's S3 metadata, s3_bmeta.h). Rules in JSON: [{"id", "methods": [..],
 * "origins": [..], "headers": [..], "expose": [..], "max_age": N}] (arrays of strings; a
 * pattern may hold one '*'). The first rule that matches origin, method (and, for a preflight,
 * every requested header) applies, as in S3. */
#ifndef AIS_S3_CORS_H
#define AIS_S3_CORS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/sbuf.h"
#include "net/http.h"
#include "s3/s3_bmeta.h"

/* CORSConfiguration XML -> rules (new reference); < 0 with f set (MalformedXML, InvalidRequest) */
int s3_cors_from_xml(const char *xml, size_t len, json_t **out, s3_fail_t *f);
void s3_cors_xml(sbuf_t *b, const json_t *rules);
/* the first rule matching; req_headers: the preflight's Access-Control-Request-Headers or NULL */
const json_t *s3_cors_match(const json_t *rules, const char *origin, const char *method, const char *req_headers);
/* add the Access-Control-* (and Vary) response headers of a matched rule */
void s3_cors_add_hdrs(http_req_t *r, const json_t *rule, const char *origin, const char *req_headers, bool preflight);
/* pattern with at most one '*' against s (case-sensitive for origins, -insensitive for headers) */
bool s3_cors_wild(const char *pat, const char *s, bool icase);

#endif
