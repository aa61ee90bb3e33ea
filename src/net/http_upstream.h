/* http_upstream: non-blocking reverse proxying ("proxy pass") of the current request to an
 * upstream HTTP/1.1 server, run entirely by the client connection's loop thread: no thread is
 * held per request. The request head is forwarded (same method, request-target and end-to-end
 * headers; hop-by-hop headers dropped; the caller may drop more and add its own), the request
 * body streams client -> upstream and the response (status, end-to-end headers, body) streams
 * upstream -> client, both with bounded buffering (a side is not read while the other side's
 * output is above a bound). Upstream connections are kept alive in a per-loop pool.
 * Owns nothing of the caller's: the options are copied; the callbacks run on the loop thread.
 * Errors: before the first response byte reached the client, fail_cb (or an AIStore JSON error)
 * answers; after that, a broken upstream closes the client connection so the client sees a
 * truncated response, never a clean end. */
#ifndef AIS_HTTP_UPSTREAM_H
#define AIS_HTTP_UPSTREAM_H

#include "net/http.h"

/* the exchange failed before any response byte reached the client: respond now (any
 * http_respond*, on the loop thread). code: AIS_EUNAVAIL (cannot connect; the upstream closed or
 * broke the protocol before its response), AIS_ETIMEOUT (no progress for io_timeout), AIS_EINVAL
 * (the client's body was malformed or cut), AIS_ENOMEM. why: a short human-readable reason. */
typedef void (*http_up_fail_cb)(http_req_t *r, int code, const char *why, void *arg);
/* request header filter: false drops the header (hop-by-hop ones never reach it) */
typedef bool (*http_up_hdr_cb)(const http_kv_t *h, void *arg);

typedef struct http_upstream {
	const char *url;       /* "http://host[:port]" (a path after it is ignored): the upstream */
	const char *target;    /* request-target sent upstream; NULL: the client's raw path and query */
	http_up_hdr_cb hdr_cb; /* NULL: forward every end-to-end header */
	const char *extra_hdrs; /* "Name: value\r\n" lines added to the forwarded head, or NULL */
	http_up_fail_cb fail_cb; /* NULL: AIStore JSON error from the code */
	void *arg;             /* for the callbacks; must stay valid until the request completes */
} http_upstream_t;

/* Forward r to the upstream and stream the answer back; completes r (like a respond: do not
 * touch r afterwards). From the loop thread (dispatch) or from a thread that owns r.
 * Expect: 100-continue is answered once the upstream connection is ready for the body. A pooled
 * connection that turns out closed is replaced before anything is sent; one that fails before any
 * response byte arrived is retried once on a fresh connection when nothing of the request was
 * sent yet or the request (GET/HEAD without a body) can be replayed. */
void http_proxy_pass(http_req_t *r, const http_upstream_t *u);

#endif
