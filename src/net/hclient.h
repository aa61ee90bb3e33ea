/* hclient: the intra-cluster HTTP client (libcurl). Blocking calls, meant for pool threads and
 * the cluster's own threads, never for a loop thread. One reusable curl handle per thread
 * (keep-alive connection reuse); hclient_fanout() runs many requests in parallel on one
 * curl multi handle. Response bodies are collected in memory (control-plane sizes only). */
#ifndef AIS_HCLIENT_H
#define AIS_HCLIENT_H

#include <stddef.h>

#include "core/sbuf.h"

typedef struct hreq {
	/* in */
	const char *method;   /* "GET", "PUT", ... */
	const char *url;
	const char *body;     /* may be NULL */
	size_t body_len;
	const char *ctype;    /* Content-Type of body; NULL: application/json when body */
	const char *hdrs;     /* extra request headers, "Name: value" lines separated by '\n'; may be NULL */
	int timeout_ms;       /* whole request; 0: 10 s */
	/* out */
	int status;           /* HTTP status, 0 on transport error */
	int rc;               /* 0 ok (any HTTP status), AIS_E* on transport error/timeout */
	sbuf_t resp;          /* response body; caller frees with hreq_fini */
	char errmsg[160];
} hreq_t;

void hclient_global_init(void);
void hclient_global_fini(void);
/* perform one request (thread-local handle). Returns r->rc. */
int hclient_do(hreq_t *r);
/* perform n requests in parallel; returns when all are done. */
void hclient_fanout(hreq_t *reqs, int n);
void hreq_fini(hreq_t *r);

#endif
