/* http: the node's HTTP/1.1 server. N loop threads, each with its own epoll instance; one
 * listening socket per bound port shared by the loops (EPOLLEXCLUSIVE; no SO_REUSEPORT, so a
 * port in use is a start-up error); llhttp parses; keep-alive; per-connection state machine;
 * timeouts as nginx/HAProxy have them (header read, body progress, keep-alive idle, output);
 * bounded connections (fd shortage closes idle ones, sheds and pauses accepts); connection
 * buffers pooled per loop. Plus a small worker pool for blocking handlers.
 *
 * Request lifecycle (one request per connection at a time; pipelined requests wait):
 *   head parsed ─► dispatch(r) ─┬─► http_respond*(r, ...)            respond now (body drained)
 *                               ├─► http_read_body(r, max, fn, pool)  buffer body, then fn(r)
 *                               ├─► http_stream_body(r, data_cb, end_cb)  body chunks streamed
 *                               ├─► http_defer(r, fn)                 run fn(r) on the pool
 *                               ├─► http_defer_stream(r, fn)          fn(r) on the pool pulls the
 *                               │     body (http_body_read) and may push a streamed response
 *                               │     (http_resp_begin/write/end) with blocking calls
 *                               └─► http_proxy_pass(r, up)            (net/http_upstream.h) the
 *                                     request is forwarded to an upstream server and its answer
 *                                     streamed back, both ways on the loop thread (no pool thread)
 * Exactly one http_respond* call (or http_proxy_pass) completes a request. Until then the handler
 * that currently runs the request owns `r` (loop thread or pool thread); http_respond* may be
 * called from any thread and hands `r` back to the server (do not touch `r` afterwards).
 * Responses: headers added with http_hdr_add() before responding; bodies are copied, or a
 * file descriptor is sent with sendfile (the server closes it). HEAD responses carry headers
 * only. Oversized heads get 431, bodies over a buffering limit 413, parse errors 400 (also
 * HTTP/0.9 request lines, chunk data longer than its size line, HTTP/1.1 without exactly one
 * Host), a Transfer-Encoding other than "chunked" 501, an Expect other than "100-continue" 417,
 * all as AIStore JSON errors before any handler sees the request; the connection is then closed.
 *
 * Timeouts (a connection that runs out of one is closed without a response; a stream handler's
 * end_cb gets AIS_ETIMEOUT, so a PUT's work file goes away):
 *   header_timeout_ms  the request head must be complete this long after its first byte (the
 *                      first request's: after the accept), however the bytes are spaced
 *                      (AIStore's ReadHeaderTimeout, 16 s; env AIS_READ_HEADER_TIMEOUT)
 *   body_timeout_ms    while the server waits for body bytes, each byte buys 1/body_min_rate
 *   body_min_rate      s of time, never more than body_timeout_ms ahead: a client that stops
 *                      for body_timeout_ms, or sends slower than body_min_rate on average, is
 *                      cut (mod_reqtimeout's body=20,MinRate=500); waits for the handler, the
 *                      upstream or a 100 Continue not sent yet do not count
 *   idle_timeout_ms    keep-alive connection between requests (AIStore's IdleTimeout, 30 s)
 *   io_timeout_ms      a response the client does not read (nginx's send_timeout)
 * Connections: at most max_conns (default: RLIMIT_NOFILE less a reserve); at the limit, or when
 * accept fails for want of fds or memory, the loop closes its longest-idle connections (idle
 * between requests or half-open, as nginx reuses keep-alive connections); when none can be
 * closed it sheds the connections waiting in the backlog (a reserve fd makes that possible at
 * EMFILE) and stops accepting for 100 ms. One log line per 10 s says how often and what was done. */
#ifndef AIS_HTTP_H
#define AIS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
	HTTP_M_OTHER = 0,
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_PUT,
	HTTP_M_POST,
	HTTP_M_DELETE,
	HTTP_M_PATCH,
	HTTP_M_OPTIONS,
} http_method_t;

typedef struct {
	const char *name;  /* NUL-terminated */
	const char *value; /* NUL-terminated */
} http_kv_t;

typedef struct http_req http_req_t;
typedef struct http_server http_server_t;

struct http_req {
	/* read-only for handlers; valid until the response has been handed over */
	http_method_t method;
	const char *method_str;
	const char *path;      /* percent-decoded path, e.g. "/v1/objects/b/a b" */
	const char *raw_path;  /* as received, without the query */
	const char *raw_query; /* raw query string without '?', "" if none */
	const http_kv_t *query; int nquery; /* decoded ('+' = space) query params, in order */
	const http_kv_t *hdrs; int nhdrs;   /* headers as received */
	int64_t content_length; /* -1 when absent or chunked */
	bool chunked;
	int port_idx;           /* which http_server_listen() call accepted it (0-based) */
	char remote_addr[64];   /* "ip:port" */
	char caller[64];        /* the sender of a verified intra-cluster signature (net/isig.h), set by
				 * route_dispatch; "" for every other request */
	bool redirect_ok;       /* its signed redirect verified (net/rsig.h): once per request, however
				 * often a handler re-enters (a redirect's nonce is good once) */
	/* set by http_read_body before calling the handler; owned by the server */
	char *body; size_t body_len;
	/* free for the handler's own per-request state; the handler frees what it sets */
	void *user;
};

/* Called on the loop thread when a request head is complete. Must call exactly one of the
 * continuation functions above (or a respond). */
typedef void (*http_dispatch_cb)(http_req_t *r, void *arg);
typedef void (*http_handler_cb)(http_req_t *r);
/* body chunk: return 0 to continue, or a negative AIS_E* to stop reading (the handler must
 * then respond from end_cb, which is called with that code), or HTTP_DATA_PAUSE: the chunk was
 * taken, but read no more of the body (the socket is left unread, so the client is throttled by
 * TCP) until the handler calls http_stream_resume(r). Then, on the loop thread, data_cb is called
 * once with len 0 before parsing continues (it may pause again). A paused request is not subject
 * to the io timeout (it waits for the handler, not the client); if the connection fails meanwhile
 * end_cb still runs. */
#define HTTP_DATA_PAUSE 1
typedef int (*http_data_cb)(http_req_t *r, const char *data, size_t len);
/* end of body: status 0 = the whole body arrived; AIS_E* if the client disconnected or the
 * body was malformed/truncated, or the code data_cb returned. When the client is gone the
 * handler cleans up and still calls http_respond (the server discards it). */
typedef void (*http_end_cb)(http_req_t *r, int status);

typedef struct {
	int nloops;             /* loop threads (0: number of CPUs) */
	int npool;              /* pool threads for deferred handlers (0: 8) */
	size_t max_head;        /* request line + headers limit (0: 16 KiB) */
	int idle_timeout_ms;    /* keep-alive idle close (0: HTTP_IDLE_TIMEOUT_MS) */
	int io_timeout_ms;      /* a response the client does not read; proxied upstreams (0: 5 min) */
	int header_timeout_ms;  /* request head complete after its first byte (0: HTTP_HEADER_TIMEOUT_MS) */
	int body_timeout_ms;    /* body progress window (0: HTTP_BODY_TIMEOUT_MS), see above */
	int body_min_rate;      /* body bytes/s each connection must average (0: HTTP_BODY_MIN_RATE) */
	int max_conns;          /* client connections (0: from RLIMIT_NOFILE, see above) */
	http_dispatch_cb dispatch;
	void *dispatch_arg;
	const char *server_name; /* "Server:" header value; NULL: none */
	void (*on_write_err)(void); /* called (loop thread) when a response write to a client fails */
} http_config_t;

#define HTTP_HEADER_TIMEOUT_MS (16 * 1000) /* AIStore's apc.ReadHeaderTimeout */
#define HTTP_BODY_TIMEOUT_MS (20 * 1000)
#define HTTP_BODY_MIN_RATE 500              /* bytes/s */
#define HTTP_IDLE_TIMEOUT_MS (30 * 1000)   /* AIStore's cmn.DfltMaxIdleTimeout (http.Server.IdleTimeout) */
/* environment overrides read by http_config_env (Go durations: "16s", "500ms"); the first is
 * AIStore's own, the other two are aistore-c's (tests use short values) */
#define HTTP_ENV_HEADER_TIMEOUT "AIS_READ_HEADER_TIMEOUT"
#define HTTP_ENV_BODY_TIMEOUT "AIS_READ_BODY_TIMEOUT"
#define HTTP_ENV_IDLE_TIMEOUT "AIS_IDLE_TIMEOUT"
/* set header/body/idle timeouts from the environment where given (invalid values: logged, kept) */
void http_config_env(http_config_t *cfg);

http_server_t *http_server_new(const http_config_t *cfg);
/* bind host:port (host NULL/"" = all). May be called several times; returns the port index or
 * AIS_E*: AIS_EEXIST when another socket (process) listens on the port. Connections queue from
 * here on and are served once the server starts. port 0 picks a free port: read it with
 * http_server_port(). */
int http_server_listen(http_server_t *s, const char *host, int port);
int http_server_port(http_server_t *s, int port_idx);
/* start loop and pool threads; returns immediately. */
int http_server_start(http_server_t *s);
/* stop accepting, close connections, join threads, free everything. */
void http_server_stop(http_server_t *s);

/* request accessors */
const char *http_hdr_get(const http_req_t *r, const char *name);  /* case-insensitive; NULL if absent */
const char *http_query_get(const http_req_t *r, const char *key);  /* first value; NULL if absent */
bool http_query_bool(const http_req_t *r, const char *key);        /* "true"/"1"/"yes"/"" present */

/* continuations */
/* (before a continuation, on the loop thread) the body is a long-lived stream whose sender may
 * idle or trickle at will, e.g. an intra-cluster transport stream (its sender has its own idle
 * teardown): the body-progress rule does not apply, only io_timeout_ms without any byte */
void http_body_long_lived(http_req_t *r);
void http_read_body(http_req_t *r, size_t max, http_handler_cb fn, bool on_pool);
void http_stream_body(http_req_t *r, http_data_cb data_cb, http_end_cb end_cb);
/* any thread: continue a body paused by HTTP_DATA_PAUSE. Only while the handler still owns r
 * (before it responds); a resume of a request that is not paused is ignored. */
void http_stream_resume(http_req_t *r);
/* true on a loop thread (of any server): code that may block must not run there */
bool http_on_loop(void);
void http_defer(http_req_t *r, http_handler_cb fn);

/* response building: add a header (copied). Content-Length, Date, Connection are automatic. */
void http_hdr_add(http_req_t *r, const char *name, const char *value);
void http_hdr_addf(http_req_t *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* complete the request with a copied body (ctype may be NULL). */
void http_respond(http_req_t *r, int status, const char *ctype, const void *body, size_t len);
/* complete the request with len bytes of fd from offset off via sendfile; takes ownership of fd. */
void http_respond_fd(http_req_t *r, int status, int fd, off_t off, size_t len);
/* redirect: status 301/307, Location header. */
void http_redirect(http_req_t *r, int status, const char *location);
/* AIStore JSON error {"message","method","url_path","remote_addr","caller","node","status","tcode"};
 * node name set by http_set_node_name(). */
void http_error(http_req_t *r, int status, const char *tcode, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* shorthand: status/tcode from an AIS_E* code */
void http_error_code(http_req_t *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void http_set_node_name(const char *name);

/* ---- blocking streaming for handlers that run on a pool thread ----
 * For work that waits on the network (reverse proxying, assembling archives): the handler runs
 * on a pool thread, pulls the request body and pushes the response body with blocking calls;
 * the loop thread moves the bytes with bounded buffering (parsing pauses while the body buffer
 * is full; writers block while the output backlog is above HTTP_STREAM_BACKLOG).
 * Expect: 100-continue is answered at the handler's first http_body_read (not if it responds
 * first). The handler may also complete the request with http_respond/http_error instead of
 * http_resp_begin (an unread body is then drained, or the connection closed). A client that goes
 * away (or stalls past io_timeout) makes blocked calls return promptly with AIS_E*; the handler
 * still completes the request (http_resp_end or a respond), which the server then discards.
 * Each such handler occupies a pool thread for the whole exchange: size http_config_t.npool.
 * Reverse proxying does not need this: http_proxy_pass (net/http_upstream.h) runs on the loop. */
#define HTTP_STREAM_BACKLOG (1024 * 1024) /* queued response bytes above which writers block */
#define HTTP_STREAM_BODY (1024 * 1024)    /* request body bytes buffered ahead of the handler */
/* run fn on the pool with the request body left unread (fn pulls it with http_body_read).
 * From the loop (dispatch) or from a handler that owns r on another thread (then fn runs inline). */
void http_defer_stream(http_req_t *r, http_handler_cb fn);
/* pool thread: read up to cap body bytes. Returns n > 0, 0 at the end of the body, or a negative
 * AIS_E* (client gone, malformed chunked body, timeout). */
ssize_t http_body_read(http_req_t *r, void *buf, size_t cap);
/* pool thread: start a streamed response (headers added before with http_hdr_add);
 * content_length -1 → chunked transfer encoding. Returns 0 or AIS_E*. */
int http_resp_begin(http_req_t *r, int status, const char *ctype, int64_t content_length);
/* pool thread: send body bytes (copied); blocks while the output backlog is high. Returns 0 or
 * AIS_E* once the client is gone (stop writing, still call http_resp_end). */
int http_resp_write(http_req_t *r, const void *data, size_t len);
/* pool thread: send len bytes of fd from off with sendfile, after the bytes written before and
 * before those written after (fd is dup'ed: the caller keeps its own; one range is in flight at
 * a time, so this waits for the previous one). Returns 0 or AIS_E* as http_resp_write. */
int http_resp_sendfile(http_req_t *r, int fd, int64_t off, uint64_t len);
/* pool thread: finish the streamed response; completes the request (like http_respond).
 * A Content-Length response that got fewer bytes than announced closes the connection. */
void http_resp_end(http_req_t *r);
/* pool thread: finish the streamed response as failed: no chunked terminator, the connection is
 * closed, so the client sees a truncated body, never a well-formed short one. */
void http_resp_abort(http_req_t *r);

#endif
