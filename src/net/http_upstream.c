/* http_upstream: "proxy pass" of a client request to an upstream HTTP/1.1 server on the client
 * connection's loop thread (no pool thread): the exchange's state machine, the forwarded head,
 * both bodies, timeouts. llhttp (response mode) parses the upstream's answer: head and framing.
 * Upstream connections and their per-loop keep-alive pool live in http_uppool.c.
 *
 * One exchange (upx, one per client connection, reused by its later requests):
 *
 *   http_proxy_pass ─► prepare (resolve, build the head) ──bad URL──► FAIL
 *        │ (PROXY body mode applied on the loop: http_upx_start)
 *        ▼
 *   ATTACH: idle pooled connection to host:port (closed ones are dropped when their event
 *        │   arrives, and probed with MSG_PEEK unless the request is a replayable GET/HEAD)
 *        │   or a new non-blocking connect ──refused/timeout──────────────► FAIL
 *        ▼ connected (Expect: 100-continue → "100 Continue" to the client now)
 *   SEND: head, then the client's body as its parser hands it over (Content-Length: as is,
 *        │   chunked: re-framed); the client is not parsed while `out` is above UP_OUT_MAX
 *        ▼ response head (1xx skipped)
 *   STREAM: head → client output; body → client (straight from rbuf when nothing is queued);
 *        │   the upstream is not read while the client's output is above UP_CLIENT_MAX
 *        ▼ message complete
 *   DONE: upstream back to the pool (keep-alive, whole request sent, nothing extra read) or
 *         closed; the client's request completes (http_conn_up_done) and its connection moves on.
 *
 *   upstream closed/reset before any response byte: RETRY once on a fresh connection if the
 *     broken one came from the pool and nothing of the request was sent, or the request is a
 *     replayable GET/HEAD without body; otherwise FAIL.
 *   FAIL (nothing sent to the client yet): fail_cb answers (S3: 503 ServiceUnavailable).
 *   CUT (upstream broke after the response head): the client connection ends without the end of
 *     the body (short Content-Length, no last chunk; a reset when the close delimits the body).
 *   LOST (client gone): the upstream connection is closed.
 * A response may arrive before the client's body ended: the body is still forwarded while the
 * upstream takes it; if the response completes first, the upstream connection is closed and the
 * client's connection drains or closes as after any early response (http_conn_up_done).
 * Invariants: everything here runs on the client connection's loop thread; an attached exchange
 * holds the client's h_owned (the connection outlives it); an upstream connection is idle (in the
 * pool, no exchange) or busy (exactly one exchange) or dead (closed, freed after the event batch);
 * upx_run is never re-entered (nested kicks set `again`); nothing is buffered beyond
 * UP_OUT_MAX + one client read (request) and UP_CLIENT_MAX + one upstream read (response), or
 * the pipe (spliced response bodies: Content-Length >= UP_SPLICE_MIN move socket -> pipe -> socket
 * after the head, llhttp stops at the head and the length is the framing). */
#include "net/http_upstream.h"
#include "core/err.h"
#include "core/log.h"
#include "net/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define UP_RBUF (64 * 1024)            /* upstream read buffer */
#define UP_OUT_MAX (256 * 1024)        /* request bytes queued for the upstream before the client pauses */
#define UP_CLIENT_MAX HTTP_OUT_BACKLOG /* response bytes queued for the client before the upstream pauses */
#define UP_MAX_HEAD (64 * 1024)        /* upstream response head */
#define UP_CONNECT_NS (10 * 1000000000LL)
#define UP_SPLICE_MIN (64 * 1024)      /* Content-Length bodies from this size move by splice(2) */
#define UP_PIPE (256 * 1024)           /* pipe capacity asked for (the kernel may give less) */

enum { UP_H_NONE, UP_H_FIELD, UP_H_FIELD_DONE, UP_H_VALUE }; /* response header parse state */

struct http_upx {
	http_conn_t *c;
	http_up_t *u;
	/* the upstream */
	char key[80]; /* "host:port" ("host:port|s": https) */
	struct sockaddr_storage sa;
	socklen_t salen;
	http_up_fail_cb fail_cb;
	void *arg;
	/* request bytes for the upstream: the head, then (re-framed) body bytes */
	sbuf_t out;
	size_t out_pos;
	uint64_t wrote;    /* request bytes written on the current connection */
	bool has_body, req_chunked;
	bool replay;       /* GET/HEAD without a body: safe to send again */
	bool body_done;    /* the client's whole body is queued */
	bool body_cut;     /* further body bytes are dropped (early response, failure) */
	bool cstall;       /* the client's parser waits for room in out */
	/* the response */
	llhttp_t parser;
	char *rbuf;
	size_t rpos, rlen;
	sbuf_t hb;         /* header fields of the response so far: name NUL value NUL ... */
	int hstate;
	bool head_req;
	bool resp_any;     /* a response byte arrived on the current connection */
	bool began;        /* the response head is in the client's output */
	bool done;         /* the final response is complete */
	bool ukeep;        /* the upstream keeps the connection (as of message complete) */
	bool chunked_out, eof_out, close_out;
	bool ublocked;     /* the upstream is not read: the client's output is full */
	size_t rh_base;    /* handler headers (c->rh) before the upstream's */
	/* zero-copy body (Content-Length, large): upstream socket -> pipe -> client socket */
	bool spl;          /* the body after the head moves by splice, not through llhttp */
	uint64_t sp_left;  /* body bytes still in the upstream socket */
	size_t sp_pipe;    /* body bytes in the pipe */
	int pfd[2];        /* the pipe (kept with the client connection); -1 when none */
	size_t pcap;
	/* driving */
	bool active, in_run, again, want, fresh;
	bool cgone;        /* the client connection is gone */
	int cerr;          /* the client's body failed */
	int uerr, werr;    /* the upstream failed / a write to it failed */
	int tries;
	char why[192];
};

static const llhttp_settings_t up_settings;
void http_upx_client_ran(http_conn_t *c);

/* ---------------------------------------------------------------- exchange helpers */

static void upx_seterr(http_upx_t *x, int *slot, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void upx_seterr(http_upx_t *x, int *slot, int code, const char *fmt, ...)
{
	if (*slot)
		return;
	*slot = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
}

static size_t upx_backlog(const http_conn_t *c) { return c->out.len - c->out_pos; }

static void upx_pipe_close(http_upx_t *x)
{
	for (int i = 0; i < 2; i++) {
		if (x->pfd[i] >= 0)
			close(x->pfd[i]);
		x->pfd[i] = -1;
	}
	x->sp_pipe = 0;
}

/* the exchange's pipe, created at its first large body; 0 or AIS_EIO */
static int upx_pipe(http_upx_t *x)
{
	if (x->pfd[0] >= 0)
		return 0;
	if (pipe2(x->pfd, O_NONBLOCK | O_CLOEXEC)) {
		x->pfd[0] = x->pfd[1] = -1;
		return AIS_EIO;
	}
	fcntl(x->pfd[1], F_SETPIPE_SZ, UP_PIPE); /* best effort: the per-user pipe budget may refuse */
	int cap = fcntl(x->pfd[1], F_GETPIPE_SZ);
	x->pcap = cap > 0 ? (size_t)cap : 4096;
	return 0;
}

static void upx_reset_response(http_upx_t *x)
{
	if (x->sp_pipe) /* bytes of an exchange that ended early */
		upx_pipe_close(x);
	llhttp_init(&x->parser, HTTP_RESPONSE, &up_settings);
	x->parser.data = x;
	x->rpos = x->rlen = 0;
	sbuf_reset(&x->hb);
	x->hstate = UP_H_NONE;
	x->resp_any = x->began = x->done = x->ukeep = false;
	x->chunked_out = x->eof_out = x->close_out = x->ublocked = false;
	x->spl = false;
	x->sp_left = 0;
	x->sp_pipe = 0; /* an exchange that ended with bytes in the pipe dropped the pipe */
}

/* let go of the upstream connection: back to the pool when it is clean, else closed */
static void upx_drop_upstream(http_upx_t *x, bool reuse)
{
	http_up_t *u = x->u;
	if (!u)
		return;
	x->u = NULL;
	http_uppool_release(u, reuse);
}

void http_upx_lost_upstream(http_upx_t *x) { x->u = NULL; }

static void upx_connected(http_upx_t *x)
{
	http_conn_t *c = x->c;
	if (c->expect_cont && !c->cont_sent && !c->msg_complete && x->has_body && !x->body_cut) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		struct iovec iov = {(void *)cont, sizeof(cont) - 1};
		c->cont_sent = true;
		http_conn_out(c, &iov, 1); /* a failure makes the client gone (cgone) */
	}
}

/* take a pooled connection to the upstream or start a new one; 0 or AIS_E* (why set) */
static int upx_attach(http_upx_t *x)
{
	http_loop_t *l = x->c->loop;
	/* probe what cannot be replayed; a replayable request that finds a pooled connection closed
	 * is retried on a fresh one (a syscall less per request on the common path) */
	http_up_t *u = x->fresh ? NULL : http_uppool_take(l, x->key, !x->replay);
	if (!u) {
		int rc = http_uppool_connect(l, x->key, &x->sa, x->salen, &u, x->why, sizeof(x->why));
		if (rc) {
			x->uerr = rc;
			return rc;
		}
	}
	u->x = x;
	x->u = u;
	if (!u->connecting)
		upx_connected(x);
	return 0;
}

/* the exchange lets go of the client's request (it has been or is being answered otherwise) */
static void upx_detach(http_upx_t *x)
{
	x->active = false;
	x->c->up_on = false;
}

/* nothing reached the client: answer through fail_cb */
static void upx_fail(http_upx_t *x, int code, const char *why)
{
	http_conn_t *c = x->c;
	char msg[sizeof(x->why)];
	snprintf(msg, sizeof(msg), "%s", why && *why ? why : err_str(code));
	upx_drop_upstream(x, false);
	x->body_cut = true;
	upx_detach(x);
	c->rh.len = x->rh_base; /* no partial upstream headers in the error response */
	if (c->rh.p)
		c->rh.p[c->rh.len] = '\0';
	if (x->fail_cb)
		x->fail_cb(&c->req, code, msg, x->arg);
	else
		http_error_code(&c->req, code, "%s", msg);
}

/* the client is gone: close the upstream and let the connection be freed */
static void upx_client_lost(http_upx_t *x)
{
	http_conn_t *c = x->c;
	upx_drop_upstream(x, false);
	upx_detach(x);
	c->h_owned = false;
}

/* the upstream failed (uerr): retry, fail, or cut the response short */
static void upx_upstream_broke(http_upx_t *x)
{
	http_conn_t *c = x->c;
	if (!x->resp_any && x->u && x->u->reused && !x->tries && (x->wrote == 0 || x->replay)) {
		upx_drop_upstream(x, false);
		x->tries++;
		x->fresh = true;
		x->out_pos = 0; /* the head (and any body) is still whole: nothing was sent or no body */
		x->wrote = 0;
		x->uerr = x->werr = 0;
		upx_reset_response(x);
		x->again = true;
		return;
	}
	if (!x->began) {
		log_warn("http: proxy %s %s to %s: %s", c->req.method_str, c->req.raw_path, x->key, x->why);
		upx_fail(x, x->uerr, x->why);
		return;
	}
	log_warn("http: proxy %s %s to %s: %s; response cut short", c->req.method_str, c->req.raw_path, x->key, x->why);
	upx_drop_upstream(x, false);
	x->active = false;
	if (x->eof_out) { /* the close would look like the end of the body: reset instead */
		c->up_on = false;
		c->h_owned = false;
		http_conn_abort(c, AIS_EIO);
	} else {
		http_conn_up_done(c, true); /* what we have, then the close: short of the framing's end */
	}
}

/* the final response is complete */
static void upx_finish(http_upx_t *x)
{
	http_conn_t *c = x->c;
	bool reuse = x->ukeep && x->body_done && !x->body_cut && !x->werr && x->out_pos == x->out.len &&
		     x->rpos == x->rlen;
	upx_drop_upstream(x, reuse);
	x->active = false;
	http_conn_up_done(c, x->close_out); /* last: may start the connection's next request */
}

/* write queued request bytes */
static void upx_flush(http_upx_t *x)
{
	http_up_t *u = x->u;
	if (u->fd < 0) { /* fuzzing: written is as good as sent */
		x->wrote += x->out.len - x->out_pos;
		x->out_pos = x->out.len;
	}
	while (x->out_pos < x->out.len && u->writable) {
		ssize_t n = http_uppool_send(u, x->out.p + x->out_pos, x->out.len - x->out_pos);
		if (n > 0) {
			x->out_pos += (size_t)n;
			x->wrote += (uint64_t)n;
			u->last_ns = u->loop->now;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			u->writable = false;
			break;
		}
		/* the upstream stopped taking the request: what it answered may still be readable */
		upx_seterr(x, &x->werr, AIS_EUNAVAIL, "write to %s: %s", x->key, strerror(n < 0 ? errno : EPIPE));
		x->body_cut = true;
		u->readable = true;
		return;
	}
	if (x->out_pos == x->out.len && x->has_body) /* a bodiless request keeps its head for a replay */
		x->out.len = x->out_pos = 0;
	if (x->cstall && x->out.len - x->out_pos <= UP_OUT_MAX / 2) {
		x->cstall = false;
		http_conn_kick(x->c); /* parse more of the client's body */
	}
}

static void upx_parse(http_upx_t *x)
{
	const char *start = x->rbuf + x->rpos;
	size_t avail = x->rlen - x->rpos;
	llhttp_errno_t e = llhttp_execute(&x->parser, start, avail);
	size_t used = avail;
	if (e != HPE_OK) {
		const char *ep = llhttp_get_error_pos(&x->parser);
		if (ep && ep >= start && ep <= start + avail)
			used = (size_t)(ep - start);
	}
	x->rpos += used;
	if (e == HPE_OK || (e == HPE_PAUSED && (x->done || x->spl)) || x->cgone || x->uerr)
		return;
	upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "invalid response from %s: %s (%s)", x->key, llhttp_errno_name(e),
		   x->parser.reason ? x->parser.reason : "");
}

/* the body of a spliced response: what the last read brought after the head goes out as a copy,
 * the rest moves upstream socket -> pipe -> client socket (the pipe is the only buffer) */
static void upx_splice(http_upx_t *x)
{
	http_conn_t *c = x->c;
	http_up_t *u = x->u;
	if (x->rpos < x->rlen && x->sp_left) {
		size_t k = x->rlen - x->rpos;
		if (k > x->sp_left)
			k = (size_t)x->sp_left;
		struct iovec iov = {x->rbuf + x->rpos, k};
		if (http_conn_out(c, &iov, 1))
			return; /* the client is gone (cgone) */
		x->rpos += k;
		x->sp_left -= k;
	}
	bool full = false;
	for (;;) {
		bool moved = false;
		if (x->sp_pipe && c->writable && !http_out_pending(c)) { /* after what is queued */
			ssize_t n = splice(x->pfd[0], NULL, c->fd, NULL, x->sp_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				x->sp_pipe -= (size_t)n;
				c->last_ns = c->loop->now;
				moved = true;
				full = false;
			} else if (n < 0 && errno == EINTR) {
				continue;
			} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				c->writable = false;
			} else {
				http_conn_write_error(c); /* the client is gone (cgone) */
				return;
			}
		}
		if (x->sp_left && u->readable && !full && x->sp_pipe < x->pcap) {
			size_t want = x->pcap - x->sp_pipe;
			if (want > x->sp_left)
				want = (size_t)x->sp_left;
			ssize_t n = splice(u->fd, NULL, x->pfd[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				x->sp_left -= (uint64_t)n;
				x->sp_pipe += (size_t)n;
				x->resp_any = true;
				u->last_ns = u->loop->now;
				moved = true;
			} else if (n < 0 && errno == EINTR) {
				continue;
			} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				if (x->sp_pipe)
					full = true; /* the pipe's slots, or the socket: retried once the pipe drains */
				else
					u->readable = false; /* an empty pipe: the socket has nothing */
			} else {
				u->readable = false;
				u->hup = true;
				if (n == 0)
					upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "%s closed the connection before the end of its response",
						   x->key);
				else
					upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "read from %s: %s", x->key, strerror(errno));
				return;
			}
		}
		if (!moved)
			break;
	}
	x->ublocked = x->sp_pipe > 0; /* waits for the client; the upstream's events wake us too */
	if (!x->sp_left && !x->sp_pipe)
		x->done = true; /* every byte is in the client's socket or output */
}

/* read and relay the response while the client's output has room */
static void upx_read(http_upx_t *x)
{
	http_conn_t *c = x->c;
	http_up_t *u = x->u;
	while (!x->done && !x->uerr && !x->cgone) {
		if (x->spl) {
			upx_splice(x);
			return;
		}
		if (x->rpos < x->rlen) {
			upx_parse(x);
			if (http_out_pending(c) && c->writable)
				http_conn_kick(c); /* flush now: the next relayed bytes may then skip the queue */
			continue;
		}
		if (upx_backlog(c) >= UP_CLIENT_MAX) {
			x->ublocked = true; /* the client's flush resumes us (http_upx_client_ran) */
			return;
		}
		x->ublocked = false;
		if (!u->readable)
			return;
		ssize_t n = http_uppool_recv(u, x->rbuf, UP_RBUF);
		if (n > 0) {
			x->rpos = 0;
			x->rlen = (size_t)n;
			x->resp_any = true;
			u->last_ns = u->loop->now;
			if ((size_t)n < UP_RBUF && !u->hup && !u->ssl)
				u->readable = false; /* drained: edge-triggered epoll reports new data (TLS: a
						      * short read is one record; only EAGAIN says drained) */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			u->readable = false;
			return;
		}
		u->readable = false;
		u->hup = true;
		if (n == 0) {
			llhttp_finish(&x->parser); /* completes a response delimited by the close */
			if (!x->done && !x->cgone)
				upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "%s closed the connection%s", x->key,
					   x->resp_any ? " before the end of its response" : "");
		} else {
			upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "read from %s: %s", x->key, strerror(errno));
		}
		return;
	}
}

/* one pass over the exchange's state */
static void upx_step(http_upx_t *x)
{
	http_conn_t *c = x->c;
	if (x->cgone) {
		upx_client_lost(x);
		return;
	}
	if (x->cerr && !x->began) {
		log_warn("http: proxy %s %s: client body failed: %s", c->req.method_str, c->req.raw_path, err_str(x->cerr));
		upx_fail(x, x->cerr == AIS_ENOMEM ? AIS_ENOMEM : AIS_EINVAL, "request body incomplete or malformed");
		return;
	}
	if (!x->u && upx_attach(x)) {
		log_warn("http: proxy %s %s: %s", c->req.method_str, c->req.raw_path, x->why);
		upx_fail(x, x->uerr, x->why);
		return;
	}
	if (x->cgone) /* answering 100-continue found the client gone */
		return;
	if (x->u->connecting && !x->uerr)
		return; /* the writable event completes it */
	if (!x->uerr && !x->werr)
		upx_flush(x);
	if (!x->uerr)
		upx_read(x);
	if (x->werr && !x->uerr && !x->done && !x->u->readable)
		upx_seterr(x, &x->uerr, x->werr, "%s", x->why); /* nothing (more) to read: it is broken */
	if (x->cgone)
		return;
	if (x->done) {
		upx_finish(x);
		return;
	}
	if (x->uerr) {
		upx_upstream_broke(x);
		return;
	}
	if (http_out_pending(c) && c->writable)
		http_conn_kick(c); /* flush what the response added */
}

static void upx_run(http_upx_t *x)
{
	if (x->in_run) {
		x->again = true;
		return;
	}
	x->in_run = true;
	do {
		x->again = false;
		x->want = false;
		if (x->active)
			upx_step(x); /* may end the exchange, and a nested start may begin the next one */
	} while (x->again);
	x->in_run = false;
}

/* an event on an upstream connection */
void http_up_event(http_up_t *u, uint32_t ev)
{
	if (u->dead)
		return;
	http_upx_t *x = u->x;
	if (!x) {
		http_uppool_idle_event(u, ev);
		return;
	}
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		u->readable = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP))
		u->hup = true;
	if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		u->writable = true;
	http_conn_t *c = x->c;
	if (u->connecting && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR | (u->handshaking ? EPOLLIN : 0)))) {
		char why[160] = "";
		int err = http_uppool_connected(u, why, sizeof(why));
		if (err == EINPROGRESS)
			return; /* the TLS handshake waits for the upstream */
		if (err)
			upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "%s", why);
		else
			upx_connected(x); /* may find the client gone: cgone */
	}
	x->want = true;
	http_upx_client_ran(c); /* runs the exchange */
	http_conn_maybe_free(c);
}

/* ---------------------------------------------------------------- llhttp (response) callbacks */

static int upx_hb_add(http_upx_t *x, const char *at, size_t n)
{
	if (x->hb.len + n + 1 > UP_MAX_HEAD) {
		upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "response head from %s over %d bytes", x->key, UP_MAX_HEAD);
		return HPE_USER;
	}
	if (sbuf_add(&x->hb, at, n)) {
		upx_seterr(x, &x->uerr, AIS_ENOMEM, "out of memory");
		return HPE_USER;
	}
	return 0;
}

static int up_cb_message_begin(llhttp_t *p)
{
	http_upx_t *x = p->data;
	sbuf_reset(&x->hb);
	x->hstate = UP_H_NONE;
	return 0;
}

static int up_cb_header_field(llhttp_t *p, const char *at, size_t n)
{
	http_upx_t *x = p->data;
	if (x->hstate == UP_H_FIELD_DONE && upx_hb_add(x, "", 1)) /* the previous field had no value */
		return HPE_USER;
	x->hstate = UP_H_FIELD;
	return upx_hb_add(x, at, n);
}

static int up_cb_header_field_complete(llhttp_t *p)
{
	http_upx_t *x = p->data;
	x->hstate = UP_H_FIELD_DONE;
	return upx_hb_add(x, "", 1);
}

static int up_cb_header_value(llhttp_t *p, const char *at, size_t n)
{
	http_upx_t *x = p->data;
	x->hstate = UP_H_VALUE;
	return upx_hb_add(x, at, n);
}

static int up_cb_header_value_complete(llhttp_t *p)
{
	http_upx_t *x = p->data;
	int rc = x->hstate == UP_H_NONE ? 0 : upx_hb_add(x, "", 1);
	x->hstate = UP_H_NONE;
	return rc;
}

/* hop-by-hop headers (RFC 9110 7.6.1) and those the proxy sets itself */
static bool up_hop(const char *n)
{
	static const char *const hop[] = {"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE",
					  "Trailer", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization", NULL};
	for (int i = 0; hop[i]; i++)
		if (!strcasecmp(n, hop[i]))
			return true;
	return false;
}

/* is name one of the comma-separated tokens of a Connection header value? */
static bool up_conn_listed(const char *conn, const char *name)
{
	size_t nl = strlen(name);
	for (const char *s = conn; s && *s;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		const char *e = s;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - s) == nl && !strncasecmp(s, name, nl))
			return true;
		s = e;
	}
	return false;
}

/* the final response head: end-to-end headers and the framing toward the client */
static int up_cb_headers_complete(llhttp_t *p)
{
	http_upx_t *x = p->data;
	http_conn_t *c = x->c;
	if (x->hstate == UP_H_FIELD_DONE && upx_hb_add(x, "", 1))
		return HPE_USER;
	int status = p->status_code;
	if (status < 200) {
		if (status == 101) {
			upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "%s switched protocols", x->key);
			return HPE_USER;
		}
		return 0; /* interim response: not relayed */
	}
	if (x->cgone)
		return HPE_USER;
	const char *conn = NULL;
	for (size_t i = 0; i < x->hb.len;) {
		const char *n = x->hb.p + i, *v = n + strlen(n) + 1;
		if (!strcasecmp(n, "Connection"))
			conn = v;
		i = (size_t)(v + strlen(v) + 1 - x->hb.p);
	}
	for (size_t i = 0; i < x->hb.len;) {
		char *n = x->hb.p + i, *v = n + strlen(n) + 1;
		i = (size_t)(v + strlen(v) + 1 - x->hb.p);
		if (up_hop(n) || !strcasecmp(n, "Date") || !strcasecmp(n, "Content-Length") ||
		    (conn && up_conn_listed(conn, n)))
			continue;
		size_t vl = strlen(v);
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			v[--vl] = '\0';
		http_hdr_add(&c->req, n, v);
	}
	bool bodyless = status == 204 || status == 304;
	bool nobody = bodyless || x->head_req;
	bool up_chunked = (p->flags & F_CHUNKED) != 0;
	bool up_cl = (p->flags & F_CONTENT_LENGTH) && !up_chunked;
	/* a response that comes before the client's body ended (an echo, or a refusal): the body is
	 * still forwarded while the upstream takes it; the connection closes as for any response
	 * that may leave a large unread body behind */
	bool close = http_resp_closes(c, status);
	int64_t clen;
	if (bodyless) {
		clen = HTTP_CLEN_NONE;
	} else if (up_cl) {
		clen = (int64_t)p->content_length;
	} else if (nobody) {
		clen = up_chunked && !c->http10 ? HTTP_CLEN_CHUNKED : HTTP_CLEN_NONE;
	} else if (c->http10) {
		clen = HTTP_CLEN_NONE; /* HTTP/1.0 has no chunking: the close delimits the body */
		close = true;
		x->eof_out = true;
	} else {
		clen = HTTP_CLEN_CHUNKED;
		x->chunked_out = true;
	}
	x->close_out = close;
	http_resp_head(c, &c->out, status, NULL, clen, close);
	if (c->out.oom) {
		http_conn_abort(c, AIS_ENOMEM); /* the client is gone now (cgone) */
		return HPE_USER;
	}
	x->began = true;
	if (!nobody && up_cl && p->content_length >= UP_SPLICE_MIN && c->fd >= 0 && !c->ssl && !x->u->ssl &&
	    !upx_pipe(x)) {
		x->spl = true; /* the body moves by splice: llhttp stops here (framing = the length) */
		x->sp_left = p->content_length;
		x->ukeep = llhttp_should_keep_alive(p);
		return HPE_PAUSED;
	}
	return x->head_req ? 1 : 0; /* 1: the response to a HEAD has no body */
}

static int up_cb_body(llhttp_t *p, const char *at, size_t n)
{
	http_upx_t *x = p->data;
	if (x->cgone)
		return HPE_USER;
	struct iovec iov[3];
	int k = 0;
	char hx[24];
	if (x->chunked_out) {
		int hn = snprintf(hx, sizeof(hx), "%zx\r\n", n);
		iov[k++] = (struct iovec){hx, (size_t)hn};
	}
	iov[k++] = (struct iovec){(void *)at, n};
	if (x->chunked_out)
		iov[k++] = (struct iovec){(void *)"\r\n", 2};
	return http_conn_out(x->c, iov, k) ? HPE_USER : 0;
}

static int up_cb_message_complete(llhttp_t *p)
{
	http_upx_t *x = p->data;
	if (p->status_code < 200)
		return 0; /* interim: the final response follows */
	x->ukeep = llhttp_should_keep_alive(p);
	if (x->chunked_out && !x->cgone) {
		struct iovec iov = {(void *)"0\r\n\r\n", 5};
		if (http_conn_out(x->c, &iov, 1))
			return HPE_USER;
	}
	x->done = true;
	return HPE_PAUSED; /* anything after the response is not ours to parse */
}

static const llhttp_settings_t up_settings = {
	.on_message_begin = up_cb_message_begin,
	.on_header_field = up_cb_header_field,
	.on_header_field_complete = up_cb_header_field_complete,
	.on_header_value = up_cb_header_value,
	.on_header_value_complete = up_cb_header_value_complete,
	.on_headers_complete = up_cb_headers_complete,
	.on_body = up_cb_body,
	.on_message_complete = up_cb_message_complete,
};

/* ---------------------------------------------------------------- hooks from http_conn.c */

void http_upx_start(http_conn_t *c)
{
	http_upx_t *x = c->upx;
	x->active = true;
	x->rh_base = c->rh.len;
	upx_run(x);
}

void http_upx_cancel(http_conn_t *c) { c->h_owned = false; }

int http_upx_body(http_conn_t *c, const char *at, size_t n)
{
	http_upx_t *x = c->upx;
	if (!x->active || x->body_cut)
		return 0; /* dropped: the exchange no longer forwards the body */
	if (x->req_chunked) {
		char hx[24];
		int hn = snprintf(hx, sizeof(hx), "%zx\r\n", n);
		sbuf_add(&x->out, hx, (size_t)hn);
		sbuf_add(&x->out, at, n);
		sbuf_add(&x->out, "\r\n", 2);
	} else {
		http_up_t *u = x->u;
		if (x->out_pos == x->out.len && u && u->fd >= 0 && !u->connecting && u->writable && !x->werr) {
			/* nothing queued: straight from the client's read buffer */
			ssize_t w;
			do
				w = http_uppool_send(u, at, n);
			while (w < 0 && errno == EINTR);
			if (w > 0) {
				x->wrote += (uint64_t)w;
				u->last_ns = u->loop->now;
				at += w;
				n -= (size_t)w;
			} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				u->writable = false;
			} else {
				upx_seterr(x, &x->werr, AIS_EUNAVAIL, "write to %s: %s", x->key, strerror(w < 0 ? errno : EPIPE));
				x->body_cut = true;
				u->readable = true;
				x->want = true;
				return 0;
			}
			if (!n)
				return 0;
		}
		if (x->out_pos && x->out.len + n + 1 > x->out.cap) {
			memmove(x->out.p, x->out.p + x->out_pos, x->out.len - x->out_pos);
			x->out.len -= x->out_pos;
			x->out_pos = 0;
		}
		sbuf_add(&x->out, at, n);
	}
	if (x->out.oom)
		return AIS_ENOMEM;
	x->want = true;
	return 0;
}

void http_upx_body_end(http_conn_t *c)
{
	http_upx_t *x = c->upx;
	if (!x->active)
		return;
	if (x->req_chunked && !x->body_cut && sbuf_adds(&x->out, "0\r\n\r\n"))
		x->cerr = AIS_ENOMEM;
	x->body_done = true;
	x->want = true;
}

bool http_upx_room(http_conn_t *c, bool mark_stall)
{
	http_upx_t *x = c->upx;
	if (!x->active || x->body_cut)
		return true;
	bool ok = x->out.len - x->out_pos < UP_OUT_MAX;
	if (!ok && mark_stall)
		x->cstall = true;
	return ok;
}

void http_upx_client_err(http_conn_t *c, int code)
{
	http_upx_t *x = c->upx;
	if (!x->cerr)
		x->cerr = code;
	x->body_cut = true;
	x->want = true;
}

void http_upx_client_gone(http_conn_t *c)
{
	http_upx_t *x = c->upx;
	x->cgone = true;
	upx_run(x);
}

void http_upx_client_ran(http_conn_t *c)
{
	http_upx_t *x = c->upx;
	if (!x->active)
		return;
	if (x->want || (x->ublocked && upx_backlog(c) < UP_CLIENT_MAX / 2))
		upx_run(x);
}

void http_upx_free(http_upx_t *x)
{
	if (!x)
		return;
	if (x->u) /* not expected: exchanges let go of their upstream before the client is freed */
		upx_drop_upstream(x, false);
	upx_pipe_close(x);
	sbuf_fini(&x->out);
	sbuf_fini(&x->hb);
	free(x->rbuf);
	free(x);
}

/* ---------------------------------------------------------------- loop: timeouts, shutdown */

void http_up_sweep(http_loop_t *l)
{
	int64_t now = l->now, io = (int64_t)l->srv->cfg.io_timeout_ms * 1000000LL;
	http_up_t *u, *next;
	for (u = l->up_busy; u; u = next) {
		next = u->next;
		http_upx_t *x = u->x;
		int64_t quiet = now - u->last_ns;
		bool waits = x->out_pos < x->out.len || (x->body_done && !x->done && !x->ublocked);
		if (x->sp_pipe && !http_out_pending(x->c) && now - x->c->last_ns > io) {
			/* the pipe is output the client's own sweep does not see */
			http_conn_gone_top(x->c, AIS_ETIMEOUT);
			continue;
		}
		if (u->connecting && quiet > UP_CONNECT_NS)
			upx_seterr(x, &x->uerr, AIS_EUNAVAIL, "connect to %s: timed out", x->key);
		else if (!u->connecting && waits && quiet > io)
			upx_seterr(x, &x->uerr, AIS_ETIMEOUT, "%s: no progress for %d ms", x->key,
				   l->srv->cfg.io_timeout_ms);
		else
			continue;
		http_conn_t *c = x->c;
		upx_run(x);
		http_conn_maybe_free(c);
	}
	http_uppool_sweep(l);
}

/* ---------------------------------------------------------------- proxy pass */

/* the forwarded request head: same method and target, end-to-end headers, our framing */
static void upx_build_head(http_upx_t *x, const http_req_t *r, const http_upstream_t *o)
{
	sbuf_t *b = &x->out;
	sbuf_adds(b, r->method_str);
	sbuf_add(b, " ", 1);
	if (o->target) {
		sbuf_adds(b, o->target);
	} else {
		sbuf_adds(b, r->raw_path);
		if (r->raw_query[0]) {
			sbuf_add(b, "?", 1);
			sbuf_adds(b, r->raw_query);
		}
	}
	sbuf_adds(b, " HTTP/1.1\r\n");
	const char *conn = http_hdr_get(r, "Connection");
	bool host = false;
	for (int i = 0; i < r->nhdrs; i++) {
		const http_kv_t *h = &r->hdrs[i];
		if (up_hop(h->name) || !strcasecmp(h->name, "Content-Length") || !strcasecmp(h->name, "Expect") ||
		    (conn && up_conn_listed(conn, h->name)))
			continue;
		bool is_host = !strcasecmp(h->name, "Host");
		if ((is_host && host) || (o->hdr_cb && !o->hdr_cb(h, o->arg)))
			continue; /* one Host (the first), as libcurl forwarded it */
		host = host || is_host;
		sbuf_adds(b, h->name);
		sbuf_add(b, ": ", 2);
		sbuf_adds(b, h->value);
		sbuf_add(b, "\r\n", 2);
	}
	if (!host)
		sbuf_addf(b, "Host: %s\r\n", x->key);
	if (r->chunked)
		sbuf_adds(b, "Transfer-Encoding: chunked\r\n");
	else if (r->content_length >= 0)
		sbuf_addf(b, "Content-Length: %lld\r\n", (long long)r->content_length);
	if (o->extra_hdrs)
		sbuf_adds(b, o->extra_hdrs);
	sbuf_add(b, "\r\n", 2);
}

void http_proxy_pass(http_req_t *r, const http_upstream_t *o)
{
	http_conn_t *c = http_conn_of(r);
	http_upx_t *x = c->upx;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (x)
			x->rbuf = malloc(UP_RBUF);
		if (!x || !x->rbuf) {
			free(x);
			if (o->fail_cb)
				o->fail_cb(r, AIS_ENOMEM, "out of memory", o->arg);
			else
				http_error_code(r, AIS_ENOMEM, "out of memory");
			return;
		}
		sbuf_t z = SBUF_INIT;
		x->out = x->hb = z;
		x->pfd[0] = x->pfd[1] = -1;
		c->upx = x;
	}
	x->c = c;
	x->u = NULL;
	x->fail_cb = o->fail_cb;
	x->arg = o->arg;
	sbuf_reset(&x->out);
	x->out_pos = 0;
	x->wrote = 0;
	x->has_body = r->chunked || r->content_length > 0;
	x->req_chunked = r->chunked;
	x->body_done = x->body_cut = x->cstall = false;
	x->head_req = r->method == HTTP_M_HEAD;
	x->replay = !x->has_body && (r->method == HTTP_M_GET || r->method == HTTP_M_HEAD);
	x->active = x->again = x->want = x->fresh = x->cgone = false;
	x->cerr = x->uerr = x->werr = x->tries = 0;
	x->why[0] = '\0';
	upx_reset_response(x);

	int rc = http_uppool_addr(o->url, x->key, sizeof(x->key), &x->sa, &x->salen, x->why, sizeof(x->why));
	if (!rc) {
		upx_build_head(x, r, o);
		if (x->out.oom) {
			rc = AIS_ENOMEM;
			snprintf(x->why, sizeof(x->why), "out of memory");
		}
	}
	if (rc) {
		log_warn("http: proxy %s %s: %s", r->method_str, r->raw_path, x->why);
		if (o->fail_cb)
			o->fail_cb(r, rc == AIS_EINVAL ? AIS_EUNAVAIL : rc, x->why, o->arg);
		else
			http_error_code(r, rc == AIS_EINVAL ? AIS_EUNAVAIL : rc, "%s", x->why);
		return;
	}
	/* the loop applies the PROXY body mode (inline here, or posted) and starts the exchange */
	http_conn_continue(c, HTTP_BODY_PROXY, 0, NULL, false, NULL, NULL);
}
