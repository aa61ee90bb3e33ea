/* hclient: the intra-cluster HTTP client (libcurl). Blocking calls, meant for pool threads and
 * the cluster's own threads, never for a loop thread. One reusable curl handle per thread
 * (keep-alive connection reuse); hclient_fanout() runs many requests in parallel on one
 * curl multi handle. Response bodies are collected in memory (control-plane sizes only). */
#ifndef AIS_HCLIENT_H
#define AIS_HCLIENT_H

#include <stdbool.h>
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
	/* a streamed request body instead of `body` (read_cb != NULL): read_cb fills up to cap
	 * bytes and returns n > 0, 0 at the end, or < 0 to abort the request (rc AIS_EINVAL); the
	 * body is read_len bytes long (Content-Length), or chunked when read_len < 0 */
	long (*read_cb)(void *arg, char *buf, size_t cap);
	void *read_arg;
	long long read_len;
	bool want_hdrs;       /* collect the response's header lines into resp_hdrs */
	/* out */
	int status;           /* HTTP status, 0 on transport error */
	int rc;               /* 0 ok (any HTTP status), AIS_E* on transport error/timeout */
	sbuf_t resp;          /* response body; caller frees with hreq_fini */
	sbuf_t resp_hdrs;     /* want_hdrs: the final response's "Name: value\r\n" lines (hreq_fini) */
	char errmsg[160];
} hreq_t;

void hclient_global_init(void);
void hclient_global_fini(void);
/* perform one request (thread-local handle). Returns r->rc. */
int hclient_do(hreq_t *r);
/* perform n requests in parallel; returns when all are done. */
void hclient_fanout(hreq_t *reqs, int n);
void hreq_fini(hreq_t *r);
/* a response header (want_hdrs; case-insensitive name, first occurrence) copied into out;
 * false when absent or longer than cap - 1 */
bool hreq_resp_hdr(const hreq_t *r, const char *name, char *out, size_t cap);

/* an intra-cluster libcurl handle speaks TLS as the node does (net.http.use_https): the CA
 * bundle client_ca_tls (or the system's), skip_verify, and the node's certificate as its client
 * certificate (mutual TLS). With TLS off (a client tool): hclient_tls_env. For every curl handle
 * that talks to a node. */
typedef void CURL;
void hclient_tls_setup(CURL *h);
/* a client tool's handle (ais CLI, aisloader) from AIStore's client environment (api/env):
 * AIS_CLIENT_CA (CA bundle), AIS_SKIP_VERIFY_CRT (true: no verification), AIS_CRT and AIS_CRT_KEY
 * (client certificate for mutual TLS). Only https URLs are affected. */
void hclient_tls_env(CURL *h);

#endif
