/* http_int: internals shared by the http_*.c files (not for other modules): the connection,
 * loop and server structs, the per-loop buffer pools, and each file's loop-side entry points.
 * Ownership: a connection (and the http_req_t embedded in it) belongs to one loop thread. While a
 * handler owns the request (h_owned) the connection is never freed; a pool thread that owns it
 * (owner_pool) only touches req, rh, resp, hstrm and the cont_* fields, then hands it back through
 * the loop's post queue. Every other field is touched by the loop thread only.
 * Proxied requests (http_proxy_pass, http_upstream.c): the exchange (upx) and the upstream
 * connections (http_up_t, the loop's keep-alive pool, http_uppool.c) are loop-owned too; while an exchange is
 * attached to a client connection (up_on) it holds h_owned, so the client connection outlives it.
 * Blocking streams (http_defer_stream): the loop keeps parsing while the handler runs on a pool
 * thread (owner_pool stays false, h_owned true). Loop and handler share only the http_strm_t,
 * whose fields are guarded by its own mutex; the loop reaches it through `strm`, the handler
 * through `hstrm` (same object). The handler posts HTTP_POST_STREAM to have its output moved and
 * parsing resumed; lock order: strm mu before the loop's post_mu. */
#ifndef AIS_HTTP_INT_H
#define AIS_HTTP_INT_H

#include "core/sbuf.h"
#include "net/http.h"
#include "net/tls.h"

#include <llhttp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#define HTTP_DRAIN_MAX (256 * 1024)    /* unread bodies up to this are drained to keep the conn (Go: maxPostHandlerReadBytes) */
#define HTTP_OUT_BACKLOG (256 * 1024)  /* stop parsing pipelined requests above this output */
#define HTTP_RBUF_SMALL (16 * 1024)
#define HTTP_RBUF_BIG (256 * 1024)     /* read buffer while a large body streams in */
#define HTTP_ARENA_BLOCK 4096
#define HTTP_MAX_HDRS 1024
#define HTTP_LINGER_NS (2 * 1000000000LL)
#define HTTP_LINGER_TLS_MAX_NS (60 * 1000000000LL) /* TLS: lingering goes on while input keeps coming, up to this */
#define HTTP_BODY_KEEP (1024 * 1024)   /* buffers above this are freed after the request */
#define HTTP_RUN_READS 32              /* reads per run before yielding to other connections */
#define HTTP_HV_SMALL 16               /* header slots inside the connection; more are malloc'ed */
#define HTTP_BUFPOOL_MAX 64            /* free buffers of each kind a loop keeps for reuse */
#define HTTP_ACCEPT_BATCH 16           /* accepts per listener wakeup (level-triggered, EPOLLEXCLUSIVE:
					* the rest wake other idle loops, so a burst is spread) */
#define HTTP_SHED_BATCH 256            /* backlog connections shed per fd shortage */
#define HTTP_ACCEPT_PAUSE_NS (100 * 1000000LL) /* accepts stop this long when no fd can be freed */
#define HTTP_EVICT_BATCH 64            /* idle connections closed per fd shortage */
#define HTTP_EVICT_SCAN 1024           /* connections looked at per fd shortage (oldest first) */
#define HTTP_FDLOG_NS (10 * 1000000000LL) /* at most one fd-shortage log line per this */
#define HTTP_TRIM_DROP 1024            /* connections closed since the peak before a malloc_trim */

enum { HTTP_EV_CONN = 1, HTTP_EV_LISTEN, HTTP_EV_WAKE, HTTP_EV_UP };
/* PROXY: the body is forwarded to an upstream as it is parsed (http_upstream.c) */
enum { HTTP_BODY_NONE, HTTP_BODY_BUFFER, HTTP_BODY_STREAM, HTTP_BODY_DISCARD, HTTP_BODY_PULL, HTTP_BODY_PROXY };
/* post flags (a connection is queued at most once; flags accumulate until the loop takes it) */
enum { HTTP_POST_RESP = 1, HTTP_POST_CONT = 2, HTTP_POST_STREAM = 4, HTTP_POST_RESUME = 8 };
#define HTTP_STREAM_PIECE (256 * 1024) /* largest single append to a stream's output queue */

/* shared state of one blocking-stream request (http_stream.c); every field under mu */
typedef struct http_strm {
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* the handler waits here: body bytes, output room, errors */
	/* request body: the loop appends, the handler consumes */
	char *ring;            /* allocated at the first body byte */
	size_t rcap, rhead, rfill;
	uint64_t seen;         /* body bytes received */
	bool done;             /* message complete */
	bool stalled;          /* the loop stopped parsing: no room for another read */
	bool resumed;          /* the handler made room after a stall */
	bool rwait, wwait;     /* the handler waits for body bytes / output room */
	int rerr, werr;        /* body failed (client gone, malformed, timeout) / output failed */
	/* response: the handler appends, the loop moves it into the connection's output */
	sbuf_t wq;
	size_t obacklog;       /* the connection's unsent output as of the loop's last look */
	bool kicked;           /* an HTTP_POST_STREAM is on its way */
	/* a file range the handler queued (http_resp_sendfile): pending until the loop takes it
	 * into the connection (sf_busy while it goes out); bytes queued after it wait in wq */
	int sf_fd;
	int64_t sf_off;
	uint64_t sf_len;
	bool sf_pending, sf_busy;
	/* handler's response state */
	bool read_called, cont_sent, began, chunked, nobody, closes, end_close;
	int64_t clen;          /* announced Content-Length; -1 chunked or close-delimited */
	uint64_t sent;
} http_strm_t;

typedef struct http_loop http_loop_t;
typedef struct http_conn http_conn_t;
typedef struct http_upx http_upx_t; /* one proxied exchange (http_upstream.c, opaque elsewhere) */

/* an upstream connection (http_uppool.c): busy with one exchange, or idle in its loop's pool */
typedef struct http_up {
	int kind; /* HTTP_EV_UP; first member: epoll data points here */
	http_loop_t *loop;
	int fd;
	struct http_up *prev, *next; /* the loop's idle or busy list (or its grave) */
	http_upx_t *x;               /* the exchange using it; NULL while idle */
	SSL *ssl;                    /* an https upstream (net/tls.h); NULL: plain */
	bool connecting, readable, writable, hup, dead, reused;
	bool handshaking;            /* (with connecting) TCP is up, the TLS handshake is not done */
	int64_t last_ns;             /* last progress (or when it went idle) */
	char key[80];                /* "host:port" (https: "host:port|s"): the pool key */
} http_up_t;

typedef struct http_arena_blk {
	struct http_arena_blk *next;
	size_t used, cap;
	char data[];
} http_arena_blk_t;

struct http_conn {
	int kind; /* HTTP_EV_CONN; first member: epoll data points here */
	http_req_t req;
	http_loop_t *loop;
	int fd;
	SSL *ssl;         /* TLS (net.http.use_https): every read/write of fd goes through it (http_conn_io_*) */
	llhttp_t parser;
	http_conn_t *prev, *next;   /* loop's connection list */
	http_conn_t *post_next;     /* loop's post queue */
	http_conn_t *task_next;     /* pool queue */

	/* read side; rbuf is taken from the loop's pool at a read and given back while the connection
	 * is idle with nothing buffered (NULL, rcap 0) */
	char *rbuf;
	size_t rcap, rpos, rlen;
	bool readable, writable, peer_fin, rd_eof, paused, need_exec, in_parser, want_big;
	bool lingering;   /* write side shut, discarding input until EOF (or 2 s) before close */
	int64_t linger_ns; /* when lingering began */
	bool dead;        /* fd closed; freed once no handler owns the request */
	bool no_more;     /* parse no further requests */
	bool close_after; /* close once the output is flushed and no response is pending */
	bool in_run, again, posted;
	bool in_ready;    /* on the loop's ready list: yielded after a burst of reads */
	int nreads;       /* reads in the current run */
	http_conn_t *ready_next;
	int perr;         /* our reason for failing the parser: 400/413/417/431/501, or an AIS_E* from data_cb */
	const char *perr_msg; /* with perr 400/417/501: what was wrong (static string) */
	int64_t last_ns;  /* last progress (monotonic) */
	int64_t start_ns; /* the current request's first byte (the first request: the accept) */
	int64_t body_deadline; /* body bytes must keep coming until then (see http_conn_body_progress) */
	uint32_t nreq;    /* requests begun on this connection */
	/* chunked framing: llhttp (loose mode) skips the two bytes after a chunk's data unchecked;
	 * they must be CRLF. chunk_left: data bytes of the current chunk still to come; crlf_need:
	 * bytes of that CRLF not checked yet; exec_end: end of the bytes given to llhttp_execute */
	uint64_t chunk_left;
	int crlf_need;
	const char *exec_end;

	/* request head storage (fixed capacity, so pointers into it stay valid); head and the first
	 * arena block come from the loop's pool at a request's first byte and go back when idle */
	char *head;
	size_t head_len, head_cap;
	bool in_field, in_value, hdr_pending;
	const char *url;
	http_kv_t *hv;              /* hv_small, or malloc'ed when a request has more headers */
	int nhv, hv_cap;
	http_kv_t hv_small[HTTP_HV_SMALL];
	http_arena_blk_t *arena;    /* first block kept while the connection is busy */

	/* request state (loop-owned) */
	bool active, hdrs_done, msg_complete, responded, h_owned, owner_pool, end_called;
	bool keepalive, http10, must_close, expect_cont, cont_sent;
	bool body_hold;   /* HTTP_BODY_STREAM: data_cb paused the body until http_stream_resume */
	bool body_long;   /* http_body_long_lived: no body-progress rule, io_timeout_ms only */
	int body_mode;
	size_t body_max;
	uint64_t body_seen, discard_seen;
	bool body_on_pool;
	http_handler_cb body_fn;
	http_data_cb data_cb;
	http_end_cb end_cb;
	char *body;
	size_t body_cap;

	/* blocking stream (see the top comment) */
	struct http_strm *strm;  /* loop's pointer (set when the stream mode is applied) */
	struct http_strm *hstrm; /* handler's pointer */

	/* proxied request (http_upstream.c): upx is allocated at the first proxy pass and reused by
	 * later requests on this connection; up_on while it is attached to the current request */
	http_upx_t *upx;
	bool up_on;

	/* continuation posted from a pool thread; post_* guarded by the loop's post_mu */
	int post_flags;
	bool post_queued;
	int cont_mode;
	size_t cont_max;
	bool cont_on_pool;
	http_handler_cb cont_fn;
	http_data_cb cont_data;
	http_end_cb cont_end;
	http_handler_cb pool_fn;

	/* response being built by the handler (any thread) */
	sbuf_t rh;        /* "Name: value\r\n" lines added by http_hdr_add */
	sbuf_t resp;      /* complete head (+ body) of the response */
	int resp_fd;
	off_t resp_off;
	size_t resp_len;
	bool resp_close;

	/* output (loop-owned) */
	sbuf_t out;
	size_t out_pos;
	int sf_fd;
	bool corked;
	off_t sf_off;
	size_t sf_left;
};

/* a loop's registration of one of the server's listening sockets (the socket is shared by every
 * loop, registered with EPOLLEXCLUSIVE in each; the server owns and closes it) */
typedef struct http_listener {
	int kind; /* HTTP_EV_LISTEN */
	int fd;
	int port_idx;
	http_loop_t *loop;
} http_listener_t;

/* a loop's free buffers of one size (loop thread only) */
typedef struct http_bufstack {
	void *items[HTTP_BUFPOOL_MAX];
	int n;
} http_bufstack_t;
enum { HTTP_BUF_RBUF, HTTP_BUF_HEAD, HTTP_BUF_ARENA, HTTP_BUF_NKINDS };

typedef struct http_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	http_conn_t *head, *tail;
	bool stop;
	int n;
	pthread_t *th;
} http_pool_t;

#define HTTP_MAX_PORTS 8

struct http_loop {
	int kind; /* HTTP_EV_WAKE (epoll data for the eventfd) */
	http_server_t *srv;
	int idx;
	int epfd, evfd;
	pthread_t th;
	bool started;
	http_listener_t lis[HTTP_MAX_PORTS];
	int nlis;
	bool accept_paused;       /* listeners taken out of epoll (no fd could be freed) until ... */
	int64_t accept_resume_ns; /* ... then */
	int reserve_fd;           /* spare fd: closed to accept-and-shed one connection when out of fds */
	/* connections, most recently active first (a request's first byte moves it to the head):
	 * an fd shortage closes idle ones from the tail */
	http_conn_t *conns, *conns_tail;
	http_conn_t *grave; /* unlinked dead connections, freed after the current event batch */
	http_conn_t *ready; /* connections that yielded with input left; run again before sleeping */
	int64_t now;        /* monotonic ns, refreshed once per epoll_wait */
	int nconns;
	/* upstream connections (http_upstream.c): idle ones (the keep-alive pool, most recently
	 * used first), busy ones (attached to an exchange), and closed ones freed after the batch */
	http_up_t *up_idle, *up_busy, *up_grave;
	int up_nidle;
	pthread_mutex_t post_mu;
	http_conn_t *post_head, *post_tail;
	http_bufstack_t bufs[HTTP_BUF_NKINDS]; /* http_buf.c */
};

struct http_server {
	http_config_t cfg;
	char *server_name;
	int nloops;
	http_loop_t *loops;
	int nports;
	int ports[HTTP_MAX_PORTS];
	int lfd[HTTP_MAX_PORTS];   /* listening sockets, one per port, shared by the loops */
	int max_conns;             /* client connections above this: idle ones are closed, new ones shed */
	atomic_int nconns;         /* open client connections (sockets), all loops */
	atomic_int conns_peak;     /* most since the last malloc_trim */
	_Atomic int64_t fdlog_ns;  /* the last fd-shortage log line */
	atomic_uint fd_short, fd_evicted, fd_shed; /* since that line */
	atomic_int fd_err;         /* the last shortage's errno (0: the connection limit) */
	http_pool_t pool;
	atomic_bool stopping;
	bool started;
	atomic_size_t stream_peak; /* most bytes one blocking stream held buffered (body + output) */
};

static inline http_conn_t *http_conn_of(const http_req_t *r)
{
	return (http_conn_t *)((char *)r - offsetof(http_conn_t, req));
}

/* http.c: the calling thread's loop (NULL on pool and foreign threads) */
http_loop_t *http_cur_loop(void);

/* http_req.c: request building and the per-request arena (owner of the request only) */
int http_req_build(http_conn_t *c); /* at headers-complete; AIS_EINVAL: bad path */
/* after http_req_build: 0, or the status to refuse the request with (400, 417, 501; perr_msg
 * says why); sets expect_cont */
int http_req_check(http_conn_t *c);
void *http_arena_alloc(http_conn_t *c, size_t n);
void http_arena_reset(http_conn_t *c);
void http_arena_release(http_conn_t *c); /* every block back (the connection went idle) */

/* http_buf.c: a loop's pools of connection buffers (loop thread only). get: a buffer of the
 * kind's size (RBUF: HTTP_RBUF_SMALL, HEAD: cfg.max_head, ARENA: an arena block of
 * HTTP_ARENA_BLOCK), pooled or malloc'ed; NULL when out of memory. put: back to the pool, or
 * freed when the pool is full (NULL is ignored). fini: free the pools (loop shutdown). */
void *http_buf_get(http_loop_t *l, int kind);
void http_buf_put(http_loop_t *l, int kind, void *p);
void http_buf_fini(http_loop_t *l);

/* http_conn.c: connection lifetime and state machine (loop thread unless noted) */
http_conn_t *http_conn_new(http_loop_t *l, int fd, int port_idx);
void http_conn_free(http_conn_t *c);
bool http_conn_rbuf(http_conn_t *c);            /* make sure c has a read buffer; false: out of memory */
/* once a second: close c when the phase it is in ran out of time (header read, body progress,
 * keep-alive idle, a client that does not read its response) */
void http_conn_sweep(http_conn_t *c);
/* may c be closed to free its fd (idle between requests, or lingering)? */
bool http_conn_evictable(const http_conn_t *c);
void http_conn_event(http_conn_t *c, uint32_t epoll_events);
void http_conn_run(http_conn_t *c);
void http_conn_kick(http_conn_t *c);            /* run now unless running; may free */
void http_conn_maybe_free(http_conn_t *c);
void http_conn_gone_top(http_conn_t *c, int code);
void http_loop_bury(http_loop_t *l);            /* free the grave list */
bool http_out_pending(const http_conn_t *c);
void http_conn_responded(http_conn_t *c);       /* a posted response arrived */
void http_conn_apply_cont(http_conn_t *c);      /* a posted continuation arrived */
void http_conn_finish_body(http_conn_t *c);
/* any thread: the response in c->resp is complete; hand it to the connection */
void http_conn_respond_done(http_conn_t *c);
/* any thread: queue c on its loop's post queue with flag HTTP_POST_* */
void http_conn_post(http_conn_t *c, int flag);
/* loop thread: a handler posted HTTP_POST_STREAM: move its output, resume parsing */
void http_conn_stream_post(http_conn_t *c);
/* loop thread: a handler posted HTTP_POST_RESUME: lift a data_cb pause (HTTP_DATA_PAUSE) */
void http_conn_stream_resume(http_conn_t *c);
/* any thread: continue with a body mode */
void http_conn_continue(http_conn_t *c, int mode, size_t max, http_handler_cb fn, bool on_pool,
			http_data_cb data_cb, http_end_cb end_cb);

/* http_resp.c */
const char *http_reason(int status);
/* build the response head (and copy body unless HEAD) into c->resp; decides Connection: close */
void http_resp_build(http_conn_t *c, int status, const char *ctype, const void *body, size_t len,
		     bool send_body);
/* append a response head to dst: clen >= 0 Content-Length, HTTP_CLEN_CHUNKED, HTTP_CLEN_NONE */
#define HTTP_CLEN_CHUNKED (-1)
#define HTTP_CLEN_NONE (-2)
void http_resp_head(http_conn_t *c, sbuf_t *dst, int status, const char *ctype, int64_t clen, bool close);
/* will a response built now end the connection (keep-alive, request body state)? */
bool http_resp_closes(const http_conn_t *c, int status);

/* loop thread: queue bytes for the client (sent right away when nothing is queued before them;
 * the rest appended to the output); 0, or AIS_EIO once the connection is gone */
struct iovec;
int http_conn_out(http_conn_t *c, const struct iovec *iov, int iovcnt);
void http_conn_write_error(http_conn_t *c); /* a write to the client failed: counted, connection gone */
/* loop thread: an attached exchange streamed the whole response into the output (close: end the
 * connection after it); the request is complete, the connection moves on */
void http_conn_up_done(http_conn_t *c, bool close);
/* loop thread: the client connection is unusable; attached exchange or not */
void http_conn_abort(http_conn_t *c, int code);

/* http_upstream.c: the loop-side hooks of proxied requests (loop thread; x = c->upx, c->up_on) */
void http_upx_start(http_conn_t *c);              /* the PROXY body mode was applied: connect */
void http_upx_cancel(http_conn_t *c);             /* the client was gone before the start */
int http_upx_body(http_conn_t *c, const char *at, size_t n); /* client body bytes; 0 or AIS_E* */
void http_upx_body_end(http_conn_t *c);           /* the client's whole body was parsed */
bool http_upx_room(http_conn_t *c, bool mark_stall); /* may the client parser take another read? */
void http_upx_client_err(http_conn_t *c, int code); /* the client's body is malformed */
void http_upx_client_gone(http_conn_t *c);        /* from http_conn_gone */
void http_upx_client_ran(http_conn_t *c);         /* after the client's parse/flush: resume the exchange if it waits */
void http_upx_free(http_upx_t *x);                /* with the client connection */
void http_up_event(http_up_t *u, uint32_t epoll_events);
void http_up_sweep(http_loop_t *l);               /* once a second: timeouts, idle pool */
void http_upx_lost_upstream(http_upx_t *x);       /* its upstream connection was closed under it */

/* http_uppool.c: a loop's upstream connections (loop thread) */
/* the upstream of url ("http://host[:port]", or "https://..." when TLS is on): pool key
 * "host:port" ("host:port|s" for https) and address; 0 or AIS_EINVAL (not such a URL) /
 * AIS_EUNAVAIL (cannot resolve), why set. Blocks only to resolve a name. */
int http_uppool_addr(const char *url, char *key, size_t keycap, struct sockaddr_storage *sa, socklen_t *salen,
		     char *why, size_t whycap);
/* an idle pooled connection to key, now busy (probe: drop those the upstream closed); or NULL */
http_up_t *http_uppool_take(http_loop_t *l, const char *key, bool probe);
/* a new busy connection (u->connecting while the connect is under way); 0 or AIS_E*, why set */
int http_uppool_connect(http_loop_t *l, const char *key, const struct sockaddr_storage *sa, socklen_t salen,
			http_up_t **out, char *why, size_t whycap);
/* the connect (or the TLS handshake after it) made progress: 0 connected, EINPROGRESS the TLS
 * handshake goes on (u->connecting stays), or the errno of the failure (why set) */
int http_uppool_connected(http_up_t *u, char *why, size_t whycap);
ssize_t http_uppool_send(http_up_t *u, const void *p, size_t n); /* send(2) (or SSL) */
void http_uppool_release(http_up_t *u, bool reuse); /* busy -> idle (reuse, when clean) or closed */
ssize_t http_uppool_recv(http_up_t *u, char *buf, size_t cap); /* read(2) (or SSL, or the fuzz input) */
void http_uppool_idle_event(http_up_t *u, uint32_t epoll_events);
void http_uppool_sweep(http_loop_t *l);           /* close idle connections past their time */
void http_uppool_fini(http_loop_t *l);            /* shutdown: close every connection */
void http_uppool_bury(http_loop_t *l);            /* free the closed connections (after a batch) */
/* fuzzing: new connections read data (in varying steps) instead of a socket; NULL ends it */
void http_uppool_fuzz_source(const uint8_t *data, size_t len, size_t step);

/* http_stream.c: loop-side half of blocking streams (loop thread; strm = c->strm) */
http_strm_t *http_strm_new(const http_req_t *r);
void http_strm_free(http_strm_t *s);
bool http_strm_room(http_conn_t *c, bool mark_stall); /* may the parser consume another read? */
int http_strm_body(http_conn_t *c, const char *at, size_t n);  /* 0 or AIS_ENOMEM */
void http_strm_done(http_strm_t *s);                             /* message complete */
void http_strm_fail(http_strm_t *s, int rerr, int werr);         /* 0: leave as is */
int http_strm_sync(http_conn_t *c);    /* take the handler's output; 0 or AIS_ENOMEM */
bool http_strm_flushed(http_conn_t *c); /* after a flush: report the backlog, wake a writer; true
					 * when a file range finished and held output can move now */
/* handler thread: must a response sent now close the connection (body state)? whole: the
 * response is complete now (an unread large body forces the close) */
bool http_strm_closes(const http_conn_t *c, http_strm_t *s, bool whole);
/* test/metrics: most bytes a blocking stream held buffered (request body + response backlog) */
size_t http_server_stream_peak(http_server_t *s);

/* http_pool.c */
int http_pool_start(http_pool_t *p, int n);
void http_pool_push(http_pool_t *p, http_conn_t *c);
void http_pool_stop(http_pool_t *p);

#endif
