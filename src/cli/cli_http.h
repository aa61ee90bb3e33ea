/* cli_http: the CLI's HTTP client over libcurl. One reusable easy handle (keep-alive) per
 * client; redirects from proxies to targets are followed with the method and body kept
 * (301/307, uploads rewound through the source fd). Response bodies of 2xx answers go to a
 * caller sink (streaming GET) or are collected; error bodies are always collected so that
 * cli_req_errmsg() can return the node's AIStore JSON "message". Blocking; not thread-safe
 * (one client per thread). */
#ifndef AIS_CLI_HTTP_H
#define AIS_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

typedef struct cli_http {
	void *curl; /* CURL* */
	char base[256];
} cli_http_t;

typedef size_t (*cli_sink_fn)(const char *p, size_t n, void *arg); /* return n to continue */
typedef void (*cli_prog_fn)(void *arg, int64_t done, int64_t total);

typedef struct cli_req {
	/* in */
	const char *method;     /* "GET", "PUT", ... */
	const char *base;       /* NULL: the client's endpoint; else e.g. a node's direct URL */
	const char *path;       /* "/v1/..." escaped */
	const char *query;      /* "k=v&..." escaped, or NULL */
	const char *body;       /* in-memory request body (JSON), or NULL */
	size_t body_len;
	int fd;                 /* >= 0: upload fd_size bytes from fd at its current offset */
	int64_t fd_size;
	const char *const *hdrs; /* NULL-terminated "Name: value" list, or NULL */
	bool head;
	cli_sink_fn sink;       /* 2xx body consumer; NULL: collect into resp */
	void *sink_arg;
	cli_prog_fn prog;       /* transfer progress (download or upload), or NULL */
	void *prog_arg;
	int timeout_ms;         /* 0: none */
	/* out */
	int status;             /* final HTTP status; 0 on transport error */
	sbuf_t resp;
	sbuf_t rhdrs;           /* "name: value\n" lines of the final response */
	char errmsg[512];       /* transport error text */
} cli_req_t;

int cli_http_init(cli_http_t *c, const char *base);
void cli_http_fini(cli_http_t *c);
/* perform; 0 when the final status is 2xx, -1 otherwise (transport error or HTTP error). */
int cli_http_do(cli_http_t *c, cli_req_t *r);
void cli_req_fini(cli_req_t *r);
/* response header value (case-insensitive name) copied into out; NULL if absent */
const char *cli_req_hdr(const cli_req_t *r, const char *name, char *out, size_t cap);
/* one-line error: the node's JSON "message" (else the body, else "HTTP <status>"), or the
 * transport error; sets *unreachable for connection failures. */
const char *cli_req_errmsg(const cli_req_t *r, char *out, size_t cap, bool *unreachable);
/* the JSON error's "tcode" ("ErrBckNotFound" ...) or "" */
const char *cli_req_tcode(const cli_req_t *r, char *out, size_t cap);

#endif
