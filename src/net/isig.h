/* isig: signatures of intra-cluster requests (the closed control plane, docs/security.md).
 * Every request a node sends to another node (hclient, the S3 forwarding upstream, transport
 * streams) carries
 *   Ais-Cluster-Sig: v1 <sender id> <unix ms> <nonce> <mac>
 * mac = base64url(HMAC-SHA256(intra key, "ais-intra-v1" LF method LF request-target LF sender LF
 * unix ms LF nonce)) with the intra key derived from the cluster secret (core/ckey.h). A receiver
 * accepts it when the mac is right (current or previous secret), the time is within
 * auth.cluster_key.nonce_window (default 1m) of its own clock and the nonce was not seen before (each signature is good
 * once). The request body is not covered: TLS (net.http.use_https) protects it in transit.
 * Thread-safe; the sender id is set once at start-up. */
#ifndef AIS_ISIG_H
#define AIS_ISIG_H

#include <stddef.h>

#include "net/http.h"

#define ISIG_HDR "Ais-Cluster-Sig"
#define ISIG_WINDOW_MS (60 * 1000) /* the default of auth.cluster_key.nonce_window */
#define ISIG_HDR_MAX 256 /* a whole "Name: value" line */

void isig_set_sender(const char *id);
const char *isig_sender(void);
/* "Ais-Cluster-Sig: v1 ..." (no line end) for method and request-target ("/v1/x?y=1"); 0, or
 * AIS_EUNAVAIL when no cluster key is loaded (the line is then empty) */
int isig_line(const char *method, const char *target, char *out, size_t cap);
/* the request-target part of an absolute URL ("http://h:p/a?b" -> "/a?b"; "/" when none) */
const char *isig_url_target(const char *url);
/* verify r: 1 when it carries no signature, 0 when it is valid (sender filled), AIS_EAUTH when
 * it is invalid, stale or replayed (why filled) */
int isig_verify(const http_req_t *r, char *sender, size_t scap, char *why, size_t wcap);
/* the same for explicit parts (unit tests, fuzzing): value is the header's value */
int isig_verify_parts(const char *method, const char *target, const char *value, long long now_ms,
		      long long window_ms, char *sender, size_t scap, char *why, size_t wcap);

#endif
