/* bk_http: the outbound data-plane HTTP client of the backends and the downloader (libcurl, one
 * reusable easy handle per calling thread: keep-alive to each remote). Unlike net/hclient (small
 * control-plane bodies in memory) bodies stream: a request body is pulled from a source
 * callback (or a pread'able fd), a 2xx response body is pushed into a sink callback; an error
 * body (at most 64 KiB) is kept for the caller to parse. Response headers are kept.
 * Egress guard (the downloader's SSRF policy, bk_egress.h): when set, every connection curl
 * opens - the first and every redirect's - is checked on its resolved address and refused when
 * the policy says so (the request then fails with rc AIS_EFORBIDDEN).
 * Blocking: pool and job threads only. */
#ifndef AIS_BK_HTTP_H
#define AIS_BK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/sbuf.h"

#define BK_HTTP_MAX_HDRS 24

typedef struct bk_http_req {
	/* in */
	const char *method;
	const char *url;
	char *hdrs[BK_HTTP_MAX_HDRS];     /* "Name: value" lines to send (owned: bk_http_hdr) */
	int nhdrs;
	const void *body;                 /* small in-memory body, or */
	size_t body_len;
	int body_fd;                      /* body from fd (pread from body_off), -1 none */
	int64_t body_off, body_size;      /* fd body range; body_size also sets Content-Length */
	ssize_t (*src)(void *arg, char *buf, size_t cap); /* or a pulled body of body_size bytes (-1: chunked) */
	void *src_arg;
	int (*sink)(void *arg, const char *buf, size_t n); /* 2xx body; NULL: kept in resp (<= 64 MiB) */
	void *sink_arg;
	int (*on_hdrs)(void *arg, int status); /* called once before the first body byte; non-zero aborts */
	void *hdrs_arg;
	bool head;                        /* HEAD: no body expected */
	bool follow;                      /* follow redirects (remote AIS: its proxy redirects) */
	const char *cainfo;               /* https: CA bundle file (NULL: libcurl's default) */
	bool node_tls;                    /* another AIStore: https as the node's own intra-cluster
					   * clients (CA client_ca_tls, client certificate; net/hclient.h) */
	bool egress_guard;                /* the downloader's egress policy on every connection */
	bool allow_private;               /* with egress_guard: RFC 1918 / ULA allowed (feature flag) */
	int timeout_ms;                   /* whole transfer; 0: none (low-speed limit instead) */
	int connect_timeout_ms;           /* 0: 5 s */
	/* out */
	int status;                       /* HTTP status, 0 when no response */
	int rc;                           /* 0 (any status), or AIS_E* transport error */
	int sink_rc;                      /* what the sink returned when it stopped the transfer */
	bool egress_blocked;              /* the guard refused a connection */
	char blocked_ip[64];
	char errmsg[256];                 /* transport error text */
	sbuf_t resp;                      /* error body (non-2xx) or whole body (sink NULL) */
	sbuf_t rhdrs;                     /* response headers, "name: value\0" each, lowercase names */
	int64_t nbody;                    /* body bytes received */
	char eff_url[512];                /* last URL (after redirects) */
} bk_http_req_t;

void bk_http_init(bk_http_req_t *q, const char *method, const char *url);
/* add a header line (formatted, copied). 0 or AIS_ENOMEM/AIS_ETOOBIG */
int bk_http_hdr(bk_http_req_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* perform (blocking). Returns q->rc. */
int bk_http_do(bk_http_req_t *q);
/* a response header's value (name lowercase), NULL when absent */
const char *bk_http_rhdr(const bk_http_req_t *q, const char *name);
void bk_http_fini(bk_http_req_t *q);

/* percent-encode a path (keep '/') or a query value, RFC 3986 (SigV4's rules) */
char *bk_http_escape(const char *s, bool keep_slash);

#endif
