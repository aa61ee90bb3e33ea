/* http_conn: one client connection's state machine on its loop thread: llhttp callbacks,
 * dispatch, body buffering/streaming/draining, the read -> parse -> respond -> write cycle
 * (writes and sendfile driven by edge-triggered epoll), lingering close, the hand-over of
 * requests to and from other threads, the checks llhttp (loose mode) leaves to us (HTTP/0.9
 * request lines, the CRLF after each chunk's data), and the per-connection timeout rules (the
 * once-a-second sweep: header read from the request's first byte, body progress at a minimum
 * rate, keep-alive idle, unread output) and what an fd shortage may close.
 * Invariants:
 *  - one request at a time: the parser is paused (HPE_PAUSED) at headers-complete while a handler
 *    decides, and at message-complete until the response is queued; pipelined requests are parsed
 *    only after that, so responses go out in order; a blocking-stream request (HTTP_BODY_PULL)
 *    is parsed on while its handler runs on a pool thread, but only while the stream's body ring
 *    has room for another read (http_stream.c); a proxied request (HTTP_BODY_PROXY) is parsed on
 *    while the exchange's queue toward the upstream is below its bound (http_upstream.c), and
 *    its response is written into `out` by the exchange (http_conn_out, http_conn_up_done);
 *  - a connection is freed only by its loop, only when it is dead (fd closed) and no handler owns
 *    its request (h_owned; an attached proxy exchange holds it too, and lets go once it has
 *    closed its upstream); frees go through the loop's grave list (end of the event batch);
 *  - request strings live in the head buffer (fixed capacity, pointers stay valid) and the
 *    arena, both reset per request; the read buffer, the head buffer and the first arena block
 *    are taken from the loop's pool (http_buf.c) when bytes arrive and given back whenever the
 *    connection is idle with nothing buffered (end of http_conn_run), so idle and half-open
 *    connections hold no buffer;
 *  - the loop's list is in order of the last request start (most recent first): fd shortages
 *    close idle connections from its tail (http_conn_evictable);
 *  - the client fd is counted in the server's open connections from accept to close. */
#include "core/err.h"
#include "core/log.h"
#include "net/http_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---------------------------------------------------------------- connection lifetime */

void http_conn_run(http_conn_t *c);
static void http_conn_write_err(http_conn_t *c);

/* the client socket; counted server-wide (the connection limit) */
static void http_conn_close_fd(http_conn_t *c)
{
	if (c->fd < 0)
		return;
	tls_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	atomic_fetch_sub_explicit(&c->loop->srv->nconns, 1, memory_order_relaxed);
}

static void http_conn_rbuf_release(http_conn_t *c)
{
	if (c->rcap == HTTP_RBUF_SMALL)
		http_buf_put(c->loop, HTTP_BUF_RBUF, c->rbuf);
	else
		free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = c->rpos = c->rlen = 0;
}

static void http_conn_hv_release(http_conn_t *c)
{
	if (c->hv != c->hv_small)
		free(c->hv);
	c->hv = c->hv_small;
	c->hv_cap = HTTP_HV_SMALL;
	c->nhv = 0;
}

void http_conn_free(http_conn_t *c)
{
	http_conn_close_fd(c);
	if (c->sf_fd >= 0)
		close(c->sf_fd);
	if (c->resp_fd >= 0)
		close(c->resp_fd);
	http_conn_rbuf_release(c);
	http_buf_put(c->loop, HTTP_BUF_HEAD, c->head);
	http_conn_hv_release(c);
	free(c->body);
	http_strm_free(c->strm ? c->strm : c->hstrm);
	http_upx_free(c->upx);
	http_arena_release(c);
	sbuf_fini(&c->rh);
	sbuf_fini(&c->resp);
	sbuf_fini(&c->out);
	free(c);
}

/* the loop's list: most recently active first, so fd shortages close the longest idle */
static void http_loop_link_head(http_loop_t *l, http_conn_t *c)
{
	c->prev = NULL;
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	else
		l->conns_tail = c;
	l->conns = c;
}

static void http_loop_unlink(http_loop_t *l, http_conn_t *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (l->conns == c)
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else if (l->conns_tail == c)
		l->conns_tail = c->prev;
	c->prev = c->next = NULL;
	l->nconns--;
}

/* free later (end of the event batch) if nothing refers to c anymore */
void http_conn_maybe_free(http_conn_t *c)
{
	if (!c->dead || c->h_owned || c->owner_pool || c->in_run || c->posted || c->in_ready)
		return;
	http_loop_t *l = c->loop;
	/* a resume may be posted by a thread that raced the request's end: the post queue's pointer
	 * must stay valid until the loop has taken it */
	pthread_mutex_lock(&l->post_mu);
	bool queued = c->post_queued;
	pthread_mutex_unlock(&l->post_mu);
	if (queued)
		return;
	http_loop_unlink(l, c);
	c->posted = true; /* never again */
	c->next = l->grave;
	l->grave = c;
}

void http_loop_bury(http_loop_t *l)
{
	while (l->grave) {
		http_conn_t *c = l->grave;
		l->grave = c->next;
		http_conn_free(c);
	}
}

/* the connection is unusable (error, reset, truncated body, timeout, shutdown): close the fd
 * now; a stream handler still waiting for its body learns about it through end_cb. */

static void http_conn_gone(http_conn_t *c, int code)
{
	if (c->dead)
		return;
	c->dead = true;
	c->no_more = true;
	http_conn_close_fd(c);
	if (c->sf_fd >= 0) {
		close(c->sf_fd);
		c->sf_fd = -1;
	}
	c->out.len = c->out_pos = 0;
	if (c->strm) /* a blocking-stream handler learns it from its next (or current) call */
		http_strm_fail(c->strm, code ? code : AIS_EIO, code ? code : AIS_EIO);
	if (c->up_on) /* a proxied request: the exchange closes its upstream and lets go */
		http_upx_client_gone(c);
	if (c->active && c->hdrs_done && !c->msg_complete && c->body_mode == HTTP_BODY_STREAM &&
	    !c->end_called && !c->owner_pool) {
		c->end_called = true;
		c->end_cb(&c->req, code ? code : AIS_EIO);
	}
}

/* gone from a top-level loop context (sweep, shutdown) */
void http_conn_gone_top(http_conn_t *c, int code)
{
	bool was = c->in_run;
	c->in_run = true;
	http_conn_gone(c, code);
	c->in_run = was;
	http_conn_maybe_free(c);
}

void http_conn_kick(http_conn_t *c)
{
	if (c->in_run) {
		c->again = true;
		return;
	}
	http_conn_run(c);
	http_conn_maybe_free(c);
}

/* reset rather than FIN: the client must not take what it got for a complete response */
void http_conn_abort(http_conn_t *c, int code)
{
	if (c->fd >= 0) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	http_conn_gone(c, code ? code : AIS_EIO);
}

/* ---------------------------------------------------------------- request state */

/* the request's blocking stream, once its handler handed the request back */
static void http_conn_strm_release(http_conn_t *c)
{
	http_strm_free(c->strm ? c->strm : c->hstrm);
	c->strm = c->hstrm = NULL;
}

/* a request's first byte: its head buffer, the connection to the front of the loop's list, the
 * header-read clock (the first request's runs from the accept, as Go's ReadHeaderTimeout) */
static int http_req_begin(http_conn_t *c)
{
	http_req_t *r = &c->req;
	if (!c->head) {
		c->head = http_buf_get(c->loop, HTTP_BUF_HEAD);
		if (!c->head) {
			c->perr = 500;
			return HPE_USER;
		}
		c->head_cap = c->loop->srv->cfg.max_head;
	}
	http_loop_t *l = c->loop;
	if (l->conns != c) {
		http_loop_unlink(l, c);
		l->nconns++;
		http_loop_link_head(l, c);
	}
	if (c->nreq++)
		c->start_ns = l->now;
	c->active = true;
	c->hdrs_done = c->msg_complete = c->responded = c->h_owned = c->owner_pool = false;
	c->end_called = c->must_close = c->expect_cont = c->cont_sent = false;
	c->body_hold = c->body_long = false;
	c->in_field = c->in_value = c->hdr_pending = false;
	c->body_mode = HTTP_BODY_NONE;
	c->body_seen = c->discard_seen = 0;
	c->perr = 0;
	c->perr_msg = NULL;
	c->chunk_left = 0;
	c->crlf_need = 0;
	c->head_len = 0;
	c->url = NULL;
	c->nhv = 0;
	http_arena_reset(c);
	sbuf_reset(&c->rh);
	http_conn_strm_release(c);
	r->method = HTTP_M_OTHER;
	r->method_str = "";
	r->path = "";
	r->raw_path = "";
	r->raw_query = "";
	r->query = NULL;
	r->nquery = 0;
	r->hdrs = c->hv;
	r->nhdrs = 0;
	r->content_length = -1;
	r->chunked = false;
	r->body = NULL;
	r->body_len = 0;
	r->user = NULL;
	r->caller[0] = '\0';
	r->redirect_ok = false;
	return 0;
}

static void http_req_done(http_conn_t *c)
{
	if (!c->active)
		return;
	c->active = false;
	http_conn_strm_release(c);
	c->last_ns = c->loop->now;
	if (c->body_cap > HTTP_BODY_KEEP) {
		free(c->body);
		c->body = NULL;
		c->body_cap = 0;
	}
	c->req.body = NULL;
	c->req.body_len = 0;
	if (c->resp.cap > HTTP_BODY_KEEP)
		sbuf_fini(&c->resp);
}

bool http_out_pending(const http_conn_t *c)
{
	return c->out_pos < c->out.len || c->sf_fd >= 0;
}

static bool http_backlog(const http_conn_t *c)
{
	return c->sf_fd >= 0 || c->out.len - c->out_pos >= HTTP_OUT_BACKLOG;
}

/* loop thread: the handler finished; c->resp holds the response */
void http_conn_responded(http_conn_t *c)
{
	if (c->strm && http_strm_sync(c)) /* a streamed response: its tail first */
		http_conn_gone(c, AIS_ENOMEM);
	c->owner_pool = false;
	c->h_owned = false;
	c->responded = true;
	c->body_hold = false; /* an unread rest is drained or the connection closed */
	if (c->dead) {
		if (c->resp_fd >= 0) {
			close(c->resp_fd);
			c->resp_fd = -1;
		}
		sbuf_reset(&c->resp);
		return;
	}
	if (c->out_pos == c->out.len && c->sf_fd < 0) {
		sbuf_t t = c->out;
		c->out = c->resp;
		c->resp = t;
		c->out_pos = 0;
	} else {
		sbuf_add(&c->out, c->resp.p, c->resp.len);
	}
	sbuf_reset(&c->resp);
	if (c->resp_fd >= 0) {
		c->sf_fd = c->resp_fd;
		c->sf_off = c->resp_off;
		c->sf_left = c->resp_len;
		c->resp_fd = -1;
	}
	if (c->resp_close) {
		c->no_more = true;
		c->close_after = true;
	}
	if (!c->msg_complete) {
		c->end_called = true; /* a stream handler that responded early gets no end_cb */
		if (!c->no_more) {
			c->body_mode = HTTP_BODY_DISCARD;
			c->discard_seen = 0;
		}
	} else {
		http_req_done(c);
	}
}

void http_conn_post(http_conn_t *c, int flag)
{
	http_loop_t *l = c->loop;
	pthread_mutex_lock(&l->post_mu);
	c->post_flags |= flag;
	bool was_empty = !l->post_head;
	if (!c->post_queued) {
		c->post_queued = true;
		c->post_next = NULL;
		if (l->post_tail)
			l->post_tail->post_next = c;
		else
			l->post_head = c;
		l->post_tail = c;
	}
	pthread_mutex_unlock(&l->post_mu);
	if (was_empty && l->evfd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(l->evfd, &one, sizeof(one));
		(void)n;
	}
}

void http_conn_stream_post(http_conn_t *c)
{
	if (c->strm && http_strm_sync(c))
		http_conn_gone(c, AIS_ENOMEM);
}

void http_conn_stream_resume(http_conn_t *c)
{
	if (c->dead || !c->active || !c->body_hold || c->body_mode != HTTP_BODY_STREAM || c->end_called)
		return;
	c->body_hold = false;
	c->last_ns = c->loop->now; /* the wait was the handler's, not the client's */
	int rc = c->data_cb(&c->req, NULL, 0);
	if (rc == HTTP_DATA_PAUSE) {
		c->body_hold = !c->responded;
	} else if (rc < 0 && !c->responded) { /* as a failing data_cb inside the parser */
		c->no_more = true;
		c->close_after = true;
		c->must_close = true;
		c->end_called = true;
		c->end_cb(&c->req, rc);
	}
}

void http_conn_respond_done(http_conn_t *c)
{
	if (http_cur_loop() != c->loop) {
		http_conn_post(c, HTTP_POST_RESP);
		return;
	}
	http_conn_responded(c);
	http_conn_kick(c);
}

/* loop thread: the exchange streamed the whole response (or gave up on a broken upstream after
 * its head: close, no end marker) into the output; the request is done */
void http_conn_up_done(http_conn_t *c, bool close)
{
	c->up_on = false;
	c->h_owned = false;
	c->responded = true;
	if (close || c->out.oom) {
		c->no_more = true;
		c->close_after = true;
	}
	if (!c->msg_complete) {
		c->end_called = true;
		if (!c->no_more) {
			c->body_mode = HTTP_BODY_DISCARD;
			c->discard_seen = 0;
		}
	} else {
		http_req_done(c);
	}
	http_conn_kick(c);
}

/* loop thread: queue bytes for the client; when nothing is queued before them they go out right
 * away, without a copy (a proxied response body straight from the upstream's read buffer) */
int http_conn_out(http_conn_t *c, const struct iovec *iov, int iovcnt)
{
	if (c->dead)
		return AIS_EIO;
	size_t total = 0, done = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (c->fd >= 0 && c->writable && !http_out_pending(c)) {
		struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
		ssize_t n;
		do
			n = c->ssl ? tls_writev(c->ssl, iov, iovcnt, NULL) : sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n > 0) {
			done = (size_t)n;
			c->last_ns = c->loop->now;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->writable = false;
		} else if (n < 0) {
			http_conn_write_err(c);
			return AIS_EIO;
		}
	}
	if (done == total)
		return 0;
	if (c->out_pos && c->out.len + (total - done) + 1 > c->out.cap) {
		/* drop the sent prefix rather than grow: the buffer stays near the backlog bound */
		memmove(c->out.p, c->out.p + c->out_pos, c->out.len - c->out_pos);
		c->out.len -= c->out_pos;
		c->out_pos = 0;
	}
	for (int i = 0; i < iovcnt; i++) {
		size_t k = iov[i].iov_len;
		if (done >= k) {
			done -= k;
			continue;
		}
		sbuf_add(&c->out, (const char *)iov[i].iov_base + done, k - done);
		done = 0;
	}
	if (c->out.oom) {
		http_conn_gone(c, AIS_ENOMEM);
		return AIS_EIO;
	}
	return 0;
}

/* loop thread: start buffering/streaming the body as the handler asked */
void http_conn_apply_cont(http_conn_t *c)
{
	http_req_t *r = &c->req;
	if (c->cont_mode == HTTP_BODY_PROXY) { /* the exchange runs on this loop (http_upstream.c) */
		if (c->dead) {
			http_upx_cancel(c);
			return;
		}
		c->body_mode = HTTP_BODY_PROXY;
		c->up_on = true;
		if (!c->msg_complete &&
		    (r->chunked || (r->content_length >= 0 && (uint64_t)r->content_length - c->body_seen > HTTP_RBUF_SMALL)))
			c->want_big = true;
		http_upx_start(c); /* may fail and respond at once */
		return;
	}
	if (c->cont_mode == HTTP_BODY_PULL) { /* the handler runs (or is queued) on a pool thread */
		c->strm = c->hstrm;
		if (c->dead) {
			http_strm_fail(c->strm, AIS_EIO, AIS_EIO);
			return;
		}
		c->body_mode = HTTP_BODY_PULL;
		if (!c->msg_complete &&
		    (r->chunked || (r->content_length >= 0 && (uint64_t)r->content_length - c->body_seen > HTTP_RBUF_SMALL)))
			c->want_big = true;
		return; /* Expect: 100-continue waits for the handler's first http_body_read */
	}
	if (c->dead) {
		if (c->cont_mode == HTTP_BODY_STREAM) {
			c->end_called = true;
			c->end_cb = c->cont_end;
			c->cont_end(r, AIS_EIO); /* the handler still responds; discarded */
		} else {
			c->h_owned = false;
		}
		return;
	}
	if (c->cont_mode == HTTP_BODY_BUFFER) {
		c->h_owned = false;
		if (r->content_length >= 0 && (uint64_t)r->content_length > c->cont_max) {
			c->must_close = true;
			c->h_owned = true;
			http_error(r, 413, NULL, "request body too large: %lld bytes exceeds the limit %zu",
				   (long long)r->content_length, c->cont_max);
			return;
		}
		size_t want = r->content_length >= 0 ? (size_t)r->content_length + 1
						      : (c->cont_max < 65536 ? c->cont_max + 1 : 65536);
		if (c->body_cap < want) {
			char *nb = realloc(c->body, want);
			if (!nb) {
				c->must_close = true;
				c->h_owned = true;
				http_error(r, 500, NULL, "out of memory");
				return;
			}
			c->body = nb;
			c->body_cap = want;
		}
		r->body_len = 0;
		c->body_max = c->cont_max;
		c->body_fn = c->cont_fn;
		c->body_on_pool = c->cont_on_pool;
		c->body_mode = HTTP_BODY_BUFFER;
	} else {
		c->data_cb = c->cont_data;
		c->end_cb = c->cont_end;
		c->body_mode = HTTP_BODY_STREAM;
	}
	if (!c->msg_complete) {
		if (r->chunked || (r->content_length >= 0 && (uint64_t)r->content_length - c->body_seen > HTTP_RBUF_SMALL))
			c->want_big = true;
		if (c->expect_cont && !c->cont_sent) {
			sbuf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
			c->cont_sent = true;
		}
	}
}

void http_conn_finish_body(http_conn_t *c);

void http_conn_continue(http_conn_t *c, int mode, size_t max, http_handler_cb fn, bool on_pool,
			http_data_cb data_cb, http_end_cb end_cb)
{
	c->cont_mode = mode;
	c->cont_max = max;
	c->cont_fn = fn;
	c->cont_on_pool = on_pool;
	c->cont_data = data_cb;
	c->cont_end = end_cb;
	if (http_cur_loop() != c->loop) {
		http_conn_post(c, HTTP_POST_CONT);
		return;
	}
	http_conn_apply_cont(c);
	if (!c->dead && c->msg_complete && !c->responded)
		http_conn_finish_body(c);
	http_conn_kick(c);
}

/* message complete: hand the buffered body to fn, or end the stream */
void http_conn_finish_body(http_conn_t *c)
{
	http_req_t *r = &c->req;
	if (c->body_mode == HTTP_BODY_BUFFER && !c->responded && !c->h_owned) {
		if (!c->body) {
			c->body = malloc(1);
			c->body_cap = c->body ? 1 : 0;
		}
		if (c->body)
			c->body[r->body_len] = '\0';
		r->body = c->body;
		c->h_owned = true;
		if (c->body_on_pool && c->loop->srv->pool.n) {
			c->owner_pool = true;
			c->pool_fn = c->body_fn;
			http_pool_push(&c->loop->srv->pool, c);
		} else {
			c->body_fn(r);
		}
	} else if (c->body_mode == HTTP_BODY_STREAM && !c->end_called) {
		c->end_called = true;
		c->end_cb(r, 0);
	} else if (c->body_mode == HTTP_BODY_PULL && !c->responded) {
		http_strm_done(c->strm);
	} else if (c->body_mode == HTTP_BODY_PROXY && c->up_on) {
		http_upx_body_end(c);
	}
}

/* ---------------------------------------------------------------- llhttp callbacks */

static int http_head_add(http_conn_t *c, const char *at, size_t n)
{
	if (c->head_len + n + 1 > c->head_cap) {
		c->perr = 431;
		return HPE_USER;
	}
	memcpy(c->head + c->head_len, at, n);
	c->head_len += n;
	return 0;
}

static int http_head_nul(http_conn_t *c)
{
	if (c->head_len + 1 > c->head_cap) {
		c->perr = 431;
		return HPE_USER;
	}
	c->head[c->head_len++] = '\0';
	return 0;
}

static int http_cb_message_begin(llhttp_t *p)
{
	return http_req_begin(p->data);
}

static int http_cb_url(llhttp_t *p, const char *at, size_t n)
{
	http_conn_t *c = p->data;
	if (!c->url)
		c->url = c->head + c->head_len;
	return http_head_add(c, at, n);
}

static int http_cb_url_complete(llhttp_t *p)
{
	http_conn_t *c = p->data;
	if (p->http_major == 0 && p->http_minor == 9) {
		/* llhttp takes "GET /x\r\n" for HTTP/0.9 and then waits for headers that never come */
		c->perr = 400;
		c->perr_msg = "malformed HTTP request: no HTTP version (HTTP/0.9 is not supported)";
		return HPE_USER;
	}
	if (!c->url)
		c->url = c->head + c->head_len;
	return http_head_nul(c);
}

static void http_hdr_commit(http_conn_t *c)
{
	if (c->hdr_pending) {
		c->nhv++;
		c->hdr_pending = false;
	}
}

static int http_cb_header_field(llhttp_t *p, const char *at, size_t n)
{
	http_conn_t *c = p->data;
	if (!c->in_field) {
		http_hdr_commit(c);
		if (c->nhv >= HTTP_MAX_HDRS) {
			c->perr = 431;
			return HPE_USER;
		}
		if (c->nhv + 1 > c->hv_cap) {
			int ncap = c->hv_cap * 2;
			http_kv_t *nv = c->hv == c->hv_small ? malloc((size_t)ncap * sizeof(*nv))
							      : realloc(c->hv, (size_t)ncap * sizeof(*nv));
			if (!nv) {
				c->perr = 431;
				return HPE_USER;
			}
			if (c->hv == c->hv_small)
				memcpy(nv, c->hv_small, sizeof(c->hv_small));
			c->hv = nv;
			c->hv_cap = ncap;
		}
		c->hv[c->nhv].name = c->head + c->head_len;
		c->hv[c->nhv].value = "";
		c->in_field = true;
	}
	return http_head_add(c, at, n);
}

static int http_cb_header_field_complete(llhttp_t *p)
{
	http_conn_t *c = p->data;
	if (!c->in_field) /* empty name: llhttp rejects these, be safe anyway */
		return HPE_USER;
	c->in_field = false;
	c->hdr_pending = true;
	return http_head_nul(c);
}

static int http_cb_header_value(llhttp_t *p, const char *at, size_t n)
{
	http_conn_t *c = p->data;
	if (!c->hdr_pending)
		return HPE_USER;
	if (!c->in_value) {
		c->hv[c->nhv].value = c->head + c->head_len;
		c->in_value = true;
	}
	return http_head_add(c, at, n);
}

static int http_cb_header_value_complete(llhttp_t *p)
{
	http_conn_t *c = p->data;
	int rc = 0;
	if (c->in_value)
		rc = http_head_nul(c);
	c->in_value = false;
	http_hdr_commit(c);
	return rc;
}

/* after the handler returned on the loop: keep parsing (body) or pause */

static int http_after_handler(http_conn_t *c)
{
	if (c->responded)
		return c->no_more ? HPE_PAUSED : 0;
	if (c->owner_pool || c->body_mode == HTTP_BODY_NONE)
		return HPE_PAUSED; /* the handler still decides */
	return 0;              /* buffer or stream the body */
}

static int http_cb_headers_complete(llhttp_t *p)
{
	http_conn_t *c = p->data;
	http_hdr_commit(c);
	c->hdrs_done = true;
	int rc = http_req_build(c);
	if (rc) {
		c->perr = 400;
		c->perr_msg = "invalid URL path";
		return HPE_USER;
	}
	if ((rc = http_req_check(c))) {
		c->perr = rc;
		return HPE_USER;
	}
	c->body_deadline = c->loop->now + (int64_t)c->loop->srv->cfg.body_timeout_ms * 1000000LL;
	http_server_t *s = c->loop->srv;
	c->h_owned = true;
	s->cfg.dispatch(&c->req, s->cfg.dispatch_arg);
	return http_after_handler(c);
}

/* the bytes llhttp skips after a chunk's data, from p on, must be what is left of CRLF */
static bool http_chunk_crlf_ok(http_conn_t *c, const char *p, const char *end)
{
	for (; c->crlf_need && p < end; p++, c->crlf_need--)
		if (*p != (c->crlf_need == 2 ? '\r' : '\n'))
			return false;
	return true;
}

static const char http_chunk_bad[] = "malformed chunked body: chunk data longer than its size line";

static int http_cb_chunk_header(llhttp_t *p)
{
	http_conn_t *c = p->data;
	c->chunk_left = p->content_length; /* the size line just parsed */
	return 0;
}

/* body bytes arrived: the body deadline moves on by n / body_min_rate, but never past a full
 * body_timeout from now, so a client that stops, or trickles slower than the minimum rate, runs
 * out of time however it spaces its bytes */
static void http_conn_body_progress(http_conn_t *c, size_t n)
{
	const http_config_t *cfg = &c->loop->srv->cfg;
	int64_t now = c->loop->now, cap = now + (int64_t)cfg->body_timeout_ms * 1000000LL;
	int64_t d = c->body_deadline + (int64_t)((double)n * 1e9 / (double)cfg->body_min_rate);
	c->body_deadline = d < cap ? d : cap;
}

static int http_cb_body(llhttp_t *p, const char *at, size_t n)
{
	http_conn_t *c = p->data;
	http_req_t *r = &c->req;
	if (!n)
		return 0; /* llhttp replays an empty span after a pause: nothing to hand over */
	if (r->chunked) {
		c->chunk_left -= n < c->chunk_left ? n : c->chunk_left;
		if (!c->chunk_left) {
			c->crlf_need = 2;
			if (!http_chunk_crlf_ok(c, at + n, c->exec_end)) {
				c->perr = 400;
				c->perr_msg = http_chunk_bad;
				return HPE_USER;
			}
		}
	}
	c->body_seen += n;
	http_conn_body_progress(c, n);
	switch (c->body_mode) {
	case HTTP_BODY_BUFFER:
		if (r->body_len + n > c->body_max) {
			c->perr = 413;
			return HPE_USER;
		}
		if (r->body_len + n + 1 > c->body_cap) {
			size_t ncap = c->body_cap ? c->body_cap : 4096;
			while (ncap < r->body_len + n + 1)
				ncap *= 2;
			if (ncap > c->body_max + 1)
				ncap = c->body_max + 1;
			char *nb = realloc(c->body, ncap);
			if (!nb) {
				c->perr = 500;
				return HPE_USER;
			}
			c->body = nb;
			c->body_cap = ncap;
		}
		memcpy(c->body + r->body_len, at, n);
		r->body_len += n;
		return 0;
	case HTTP_BODY_STREAM: {
		int rc = c->data_cb(r, at, n);
		if (rc < 0) {
			c->perr = rc;
			return HPE_USER;
		}
		if (rc == HTTP_DATA_PAUSE && !c->responded) {
			c->body_hold = true; /* http_stream_resume lifts it */
			return HPE_PAUSED;
		}
		return c->no_more ? HPE_PAUSED : 0; /* responded early and will close */
	}
	case HTTP_BODY_PULL:
		if (http_strm_body(c, at, n)) {
			c->perr = 500;
			return HPE_USER;
		}
		return 0;
	case HTTP_BODY_PROXY:
		if (c->up_on && http_upx_body(c, at, n)) {
			c->perr = 500;
			return HPE_USER;
		}
		return 0;
	case HTTP_BODY_DISCARD:
		c->discard_seen += n;
		if (c->discard_seen > HTTP_DRAIN_MAX) {
			c->perr = 1; /* silent: the response is out, just close */
			return HPE_USER;
		}
		return 0;
	default:
		return 0;
	}
}

static int http_cb_message_complete(llhttp_t *p)
{
	http_conn_t *c = p->data;
	c->msg_complete = true;
	http_conn_finish_body(c);
	if (c->responded) {
		http_req_done(c);
		return (c->no_more || http_backlog(c)) ? HPE_PAUSED : 0;
	}
	return HPE_PAUSED;
}

static const llhttp_settings_t http_settings = {
	.on_message_begin = http_cb_message_begin,
	.on_url = http_cb_url,
	.on_url_complete = http_cb_url_complete,
	.on_header_field = http_cb_header_field,
	.on_header_field_complete = http_cb_header_field_complete,
	.on_header_value = http_cb_header_value,
	.on_header_value_complete = http_cb_header_value_complete,
	.on_headers_complete = http_cb_headers_complete,
	.on_body = http_cb_body,
	.on_chunk_header = http_cb_chunk_header,
	.on_message_complete = http_cb_message_complete,
};

/* ---------------------------------------------------------------- parsing driver */

static void http_conn_server_error(http_conn_t *c, int status, const char *msg)
{
	c->must_close = true;
	c->h_owned = true;
	http_error(&c->req, status, NULL, "%s", msg);
}

static void http_conn_parse_error(http_conn_t *c, llhttp_errno_t err)
{
	http_req_t *r = &c->req;
	c->no_more = true;
	c->close_after = true;
	if (!c->strm) /* a blocking-stream handler reads that from the strm (it runs concurrently) */
		c->must_close = true;
	if (!c->active) {
		if (!http_out_pending(c))
			http_conn_gone(c, 0);
		return;
	}
	if (c->responded)
		return; /* discarding an unread body: just close after the response */
	if (c->hdrs_done && c->body_mode == HTTP_BODY_PULL) {
		http_strm_fail(c->strm, c->perr < 0 ? c->perr : c->perr == 500 ? AIS_ENOMEM : AIS_EINVAL, 0);
		return; /* the handler responds (its response can still go out) */
	}
	if (c->hdrs_done && c->body_mode == HTTP_BODY_PROXY && c->up_on) {
		http_upx_client_err(c, c->perr < 0 ? c->perr : c->perr == 500 ? AIS_ENOMEM : AIS_EINVAL);
		return; /* the exchange responds, or cuts the response it already began */
	}
	if (c->hdrs_done && c->body_mode == HTTP_BODY_STREAM) {
		if (!c->end_called) {
			c->end_called = true;
			c->end_cb(r, c->perr < 0 ? c->perr : AIS_EINVAL);
		}
		return;
	}
	if (c->h_owned)
		return; /* the handler responds */
	char msg[160];
	if (err == HPE_INVALID_TRANSFER_ENCODING && !c->perr) {
		c->perr = 501; /* as Go's net/http: a coding we cannot undo is not implemented */
		c->perr_msg = "unsupported Transfer-Encoding (only \"chunked\" is implemented)";
	}
	switch (c->perr) {
	case 431:
		http_conn_server_error(c, 431, "request header fields too large");
		break;
	case 413:
		snprintf(msg, sizeof(msg), "request body too large (limit %zu)", c->body_max);
		http_conn_server_error(c, 413, msg);
		break;
	case 500:
		http_conn_server_error(c, 500, "out of memory");
		break;
	default:
		if (c->perr_msg && (c->perr == 400 || c->perr == 417 || c->perr == 501)) {
			http_conn_server_error(c, c->perr, c->perr_msg);
			break;
		}
		snprintf(msg, sizeof(msg), "malformed HTTP request: %s (%s)", llhttp_errno_name(err),
			 c->parser.reason ? c->parser.reason : "");
		http_conn_server_error(c, 400, msg);
	}
}

static bool http_conn_can_parse(http_conn_t *c)
{
	if (c->dead || c->no_more)
		return false;
	if (c->active && c->body_hold)
		return false; /* the stream handler paused the body */
	if (c->active && c->body_mode == HTTP_BODY_PULL && c->hdrs_done && !c->msg_complete &&
	    !http_strm_room(c, true))
		return false; /* the handler has not consumed enough yet: it posts when it has */
	if (c->active && c->body_mode == HTTP_BODY_PROXY && c->up_on && !c->msg_complete && !http_upx_room(c, true))
		return false; /* the upstream has not taken enough yet: the exchange kicks us when it has */
	if (!c->paused)
		return true;
	if (c->active) {
		if (!c->hdrs_done)
			return true;
		if (c->msg_complete)
			return false; /* waiting for the response */
		return !c->owner_pool && c->body_mode != HTTP_BODY_NONE;
	}
	return !http_backlog(c);
}

/* the parser needs more bytes and the peer has shut its side */

static void http_conn_eof(http_conn_t *c)
{
	if (!c->active || !c->hdrs_done) {
		c->no_more = true;
		c->close_after = true;
		if (!http_out_pending(c))
			http_conn_gone(c, 0);
		return;
	}
	if (c->body_mode == HTTP_BODY_DISCARD) {
		c->no_more = true;
		c->close_after = true;
		return;
	}
	http_conn_gone(c, AIS_EIO); /* truncated body */
}

/* one read into an empty buffer; false when nothing more can be read now */

bool http_conn_rbuf(http_conn_t *c)
{
	if (c->rbuf)
		return true;
	c->rbuf = http_buf_get(c->loop, HTTP_BUF_RBUF);
	c->rcap = c->rbuf ? HTTP_RBUF_SMALL : 0;
	c->rpos = c->rlen = 0;
	return c->rbuf != NULL;
}

static bool http_conn_read(http_conn_t *c)
{
	if (!http_conn_rbuf(c)) {
		http_conn_gone(c, AIS_ENOMEM);
		return false;
	}
	if (c->want_big && c->rcap < HTTP_RBUF_BIG) {
		char *nb = realloc(c->rbuf, HTTP_RBUF_BIG);
		if (nb) {
			c->rbuf = nb;
			c->rcap = HTTP_RBUF_BIG;
		}
		c->want_big = false;
	}
	for (;;) {
		bool ww = false;
		ssize_t n = c->ssl ? tls_read(c->ssl, c->rbuf, c->rcap, &ww) : read(c->fd, c->rbuf, c->rcap);
		if (n > 0) {
			c->rpos = 0;
			c->rlen = (size_t)n;
			c->last_ns = c->loop->now;
			/* (TLS: a short read is one record; only EAGAIN says the socket is drained) */
			if ((size_t)n < c->rcap && !c->peer_fin && !c->ssl)
				c->readable = false; /* drained: edge-triggered epoll reports new data */
			return true;
		}
		if (n == 0) {
			c->rd_eof = true;
			c->readable = false;
			return false;
		}
		if (errno == EINTR)
			continue;
		if (ww && errno == EAGAIN)
			return false; /* TLS wants to write first (the handshake): EPOLLOUT retries the read */
		c->readable = false;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			http_conn_gone(c, AIS_EIO);
		return false;
	}
}

static void http_conn_parse(http_conn_t *c)
{
	while (http_conn_can_parse(c)) {
		if (c->paused) {
			llhttp_resume(&c->parser);
			c->paused = false;
			c->need_exec = true;
		}
		size_t avail = c->rlen - c->rpos;
		if (!avail && !c->need_exec) {
			if (c->rd_eof) {
				http_conn_eof(c);
				break;
			}
			if (c->readable && ++c->nreads > HTTP_RUN_READS) {
				if (!c->in_ready) { /* fairness: let the other connections run */
					c->in_ready = true;
					c->ready_next = c->loop->ready;
					c->loop->ready = c;
				}
				break;
			}
			if (!c->readable || c->fd < 0 || !http_conn_read(c)) {
				if (c->rd_eof)
					continue;
				break;
			}
			continue;
		}
		c->need_exec = false;
		static const char none[1];
		const char *start = c->rbuf ? c->rbuf + c->rpos : none;
		if (c->crlf_need && !http_chunk_crlf_ok(c, start, start + avail)) {
			c->perr = 400; /* the bytes after the last chunk's data, in this read */
			c->perr_msg = http_chunk_bad;
			http_conn_parse_error(c, HPE_USER);
			break;
		}
		c->exec_end = start + avail;
		c->in_parser = true;
		llhttp_errno_t err = llhttp_execute(&c->parser, start, avail);
		c->in_parser = false;
		size_t used = avail;
		if (err != HPE_OK) {
			const char *ep = llhttp_get_error_pos(&c->parser);
			if (ep && ep >= start && ep <= start + avail)
				used = (size_t)(ep - start);
		}
		c->rpos += used;
		if (c->rpos == c->rlen)
			c->rpos = c->rlen = 0;
		if (err == HPE_OK)
			continue;
		if (err == HPE_PAUSED) {
			c->paused = true;
			continue;
		}
		if (err == HPE_PAUSED_UPGRADE) {
			c->paused = true;
			c->no_more = true;
			c->close_after = true;
			break;
		}
		http_conn_parse_error(c, err);
		break;
	}
}

/* write out what is queued until done or the socket is full (then EPOLLOUT resumes) */

/* a failed write to the client: count it (AIStore's err.http.write.n) and drop the connection */
static void http_conn_write_err(http_conn_t *c)
{
	if (c->loop->srv->cfg.on_write_err)
		c->loop->srv->cfg.on_write_err();
	http_conn_gone(c, AIS_EIO);
}

/* after a send/sendfile that moved nothing (n <= 0): false to retry (EINTR); true when the
 * flush must stop - socket full (wait for EPOLLOUT) or a real failure (connection dropped) */
void http_conn_write_error(http_conn_t *c) { http_conn_write_err(c); }

static bool http_conn_write_failed(http_conn_t *c, ssize_t n)
{
	if (n < 0 && errno == EINTR)
		return false;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		c->writable = false;
	else
		http_conn_write_err(c);
	return true;
}

/* the file range is out: close it, uncork */
static void http_conn_sf_done(http_conn_t *c)
{
	close(c->sf_fd);
	c->sf_fd = -1;
	int zero = 0;
	setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero));
	c->corked = false;
}

/* write the queued output (plain send or SSL_write); false when the connection cannot take more
 * now or failed (http_conn_write_failed handled it) */
static bool http_conn_drain_out(http_conn_t *c)
{
	while (c->out_pos < c->out.len) {
		const char *p = c->out.p + c->out_pos;
		size_t len = c->out.len - c->out_pos;
		ssize_t n = c->ssl ? tls_write(c->ssl, p, len, NULL) : send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_pos += (size_t)n;
			c->last_ns = c->loop->now;
			continue;
		}
		if (http_conn_write_failed(c, n))
			return false;
	}
	c->out.len = c->out_pos = 0;
	return true;
}

/* TLS: the queued output through SSL_write; a file range by SSL_sendfile when the kernel does
 * the encryption (kTLS), else read into the output buffer TLS_FILE_BUF at a time and written
 * from there (a write that would block is retried with the same bytes, as SSL requires) */
static void http_conn_flush_tls(http_conn_t *c)
{
	for (;;) {
		if (!http_conn_drain_out(c))
			return;
		if (c->sf_fd < 0)
			break;
		if (!c->sf_left) {
			http_conn_sf_done(c);
			break;
		}
		if (tls_ktls_send(c->ssl)) {
			size_t chunk = c->sf_left > (1u << 30) ? (1u << 30) : c->sf_left;
			ssize_t n = tls_sendfile(c->ssl, c->sf_fd, &c->sf_off, chunk, NULL);
			if (n > 0) {
				c->sf_left -= (size_t)n;
				c->last_ns = c->loop->now;
				continue;
			}
			if (http_conn_write_failed(c, n))
				return;
			continue;
		}
		size_t want = c->sf_left > TLS_FILE_BUF ? TLS_FILE_BUF : c->sf_left;
		if (sbuf_reserve(&c->out, want)) {
			http_conn_gone(c, AIS_ENOMEM);
			return;
		}
		ssize_t r = pread(c->sf_fd, c->out.p, want, c->sf_off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_warn("http: read of the file for %s: %s", c->req.remote_addr,
				 r ? strerror(errno) : "file shorter than announced");
			http_conn_gone(c, AIS_EIO);
			return;
		}
		c->out.len = (size_t)r;
		c->sf_off += r;
		c->sf_left -= (size_t)r;
	}
	if (c->out.cap > HTTP_BODY_KEEP)
		sbuf_fini(&c->out);
}

static void http_conn_flush(http_conn_t *c)
{
	if (c->fd < 0) { /* fuzzing: no socket, output is dropped */
		c->out.len = c->out_pos = 0;
		if (c->sf_fd >= 0) {
			close(c->sf_fd);
			c->sf_fd = -1;
		}
		return;
	}
	if (c->sf_fd >= 0 && !c->corked) {
		/* full segments for head + file: cork until the file is out */
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
		c->corked = true;
	}
	if (c->ssl) {
		http_conn_flush_tls(c);
		return;
	}
	if (!http_conn_drain_out(c))
		return;
	if (c->out.cap > HTTP_BODY_KEEP)
		sbuf_fini(&c->out);
	while (c->sf_fd >= 0) {
		size_t chunk = c->sf_left > (1u << 30) ? (1u << 30) : c->sf_left;
		ssize_t n = sendfile(c->fd, c->sf_fd, &c->sf_off, chunk);
		if (n > 0) {
			c->sf_left -= (size_t)n;
			c->last_ns = c->loop->now;
			if (!c->sf_left) {
				close(c->sf_fd);
				c->sf_fd = -1;
				int zero = 0;
				setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero));
				c->corked = false;
			}
			continue;
		}
		if (n == 0)
			log_warn("http: sendfile to %s: file shorter than announced", c->req.remote_addr);
		if (http_conn_write_failed(c, n))
			return;
	}
}

static void http_conn_linger(http_conn_t *c)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(c->fd, tmp, sizeof(tmp));
		if (n > 0) {
			/* TLS: a client cannot tell a close from a broken stream while it still sends (its
			 * TLS stack reports the reset, not our answer), so the 2 s count from its last byte */
			if (c->ssl)
				c->last_ns = c->loop->now;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->readable = false;
			return;
		}
		http_conn_gone(c, 0);
		return;
	}
}

/* between requests with nothing buffered: the buffers go back to the loop's pool (an idle
 * keep-alive or half-open connection costs its struct and its socket only) */
static void http_conn_idle_release(http_conn_t *c)
{
	if (c->rbuf)
		http_conn_rbuf_release(c);
	if (c->head) {
		http_buf_put(c->loop, HTTP_BUF_HEAD, c->head);
		c->head = NULL;
		c->head_cap = c->head_len = 0;
	}
	if (c->hv != c->hv_small)
		http_conn_hv_release(c);
	http_arena_release(c);
	if (c->rh.cap > HTTP_ARENA_BLOCK)
		sbuf_fini(&c->rh);
	if (c->resp.cap > HTTP_ARENA_BLOCK)
		sbuf_fini(&c->resp);
	if (!http_out_pending(c) && c->out.cap > HTTP_ARENA_BLOCK)
		sbuf_fini(&c->out);
}

void http_conn_run(http_conn_t *c)
{
	if (c->in_run) {
		c->again = true;
		return;
	}
	c->in_run = true;
	c->nreads = 0;
	do {
		c->again = false;
		if (c->lingering) {
			if (c->readable)
				http_conn_linger(c);
			break;
		}
		http_conn_parse(c);
		if (!c->dead && c->writable && http_out_pending(c)) {
			http_conn_flush(c);
			if (c->strm && !c->dead && http_strm_flushed(c)) {
				/* a streamed file range went out: move what waited behind it */
				if (http_strm_sync(c))
					http_conn_gone(c, AIS_ENOMEM);
				c->again = true;
			}
			if (!c->dead && !http_out_pending(c) && c->paused && !c->active && !c->no_more)
				c->again = true; /* pipelined requests were waiting for the output */
		}
		if (c->up_on) /* the exchange may wait for body bytes just parsed or output room */
			http_upx_client_ran(c);
		if (!c->dead && c->close_after && !http_out_pending(c) && !(c->active && !c->responded)) {
			if (c->rd_eof || c->fd < 0) {
				http_conn_gone(c, 0);
			} else {
				/* let the peer read the response before the close: no RST over unread input */
				tls_close_notify(c->ssl);
				shutdown(c->fd, SHUT_WR);
				c->lingering = true;
				c->last_ns = c->linger_ns = c->loop->now;
				c->again = true;
			}
		}
	} while (c->again && !c->dead);
	c->in_run = false;
	if (!c->dead && !c->active && c->rpos == c->rlen && !c->need_exec)
		http_conn_idle_release(c);
}

/* ---------------------------------------------------------------- timeouts, fd shortage */

/* is the body the client's turn (we would read it now), rather than the handler's or the
 * upstream's? (a stream handler's pause, a full stream ring, a proxied body the upstream has not
 * taken yet, a 100 Continue not sent yet: the client is not the one who is late) */
static bool http_conn_body_waits_client(const http_conn_t *c)
{
	if (!c->active || !c->hdrs_done || c->msg_complete || c->body_mode == HTTP_BODY_NONE)
		return false;
	if (c->expect_cont && !c->cont_sent && !c->responded)
		return false; /* (after an early answer the client owes the body: see http_resp_closes) */
	if (c->body_mode == HTTP_BODY_STREAM && c->end_called)
		return false;
	if (c->body_hold)
		return false;
	if (c->body_mode == HTTP_BODY_PULL && !c->responded && !http_strm_room((http_conn_t *)c, false))
		return false;
	if (c->body_mode == HTTP_BODY_PROXY && c->up_on && !http_upx_room((http_conn_t *)c, false))
		return false;
	return true;
}

void http_conn_sweep(http_conn_t *c)
{
	const http_config_t *cfg = &c->loop->srv->cfg;
	int64_t now = c->loop->now, quiet = now - c->last_ns;
	if (c->dead || c->owner_pool)
		return;
	if (c->lingering) {
		if (quiet > HTTP_LINGER_NS || now - c->linger_ns > HTTP_LINGER_TLS_MAX_NS)
			http_conn_gone_top(c, 0);
		return;
	}
	if (http_conn_body_waits_client(c)) {
		if (c->body_long ? quiet > (int64_t)cfg->io_timeout_ms * 1000000LL : now > c->body_deadline)
			http_conn_gone_top(c, AIS_ETIMEOUT); /* stopped, or trickling below body_min_rate */
		return;
	}
	if (c->active && c->hdrs_done && !c->msg_complete) {
		/* the handler's (or upstream's) turn: the client gets a full body_timeout when its
		 * turn comes */
		int64_t d = now + (int64_t)cfg->body_timeout_ms * 1000000LL;
		if (c->body_deadline < d)
			c->body_deadline = d;
	}
	if (http_out_pending(c)) {
		if (quiet > (int64_t)cfg->io_timeout_ms * 1000000LL)
			http_conn_gone_top(c, AIS_ETIMEOUT); /* the client does not read its response */
	} else if (c->active && !c->hdrs_done) {
		if (now - c->start_ns > (int64_t)cfg->header_timeout_ms * 1000000LL)
			http_conn_gone_top(c, AIS_ETIMEOUT); /* however slowly the head's bytes came */
	} else if (!c->active) {
		/* a fresh connection must send its first head within the header timeout; between
		 * requests a keep-alive connection may idle for idle_timeout */
		int64_t limit = c->nreq ? (int64_t)cfg->idle_timeout_ms * 1000000LL
					: (int64_t)cfg->header_timeout_ms * 1000000LL;
		if ((c->nreq ? quiet : now - c->start_ns) > limit) {
			http_conn_gone_top(c, 0);
		} else if (c->upx && !c->up_on && quiet > 1000000000LL) {
			http_upx_free(c->upx); /* an idle connection keeps no proxy buffers or pipe */
			c->upx = NULL;
		}
	}
}

bool http_conn_evictable(const http_conn_t *c)
{
	if (c->dead || c->in_run || c->posted || c->in_ready || c->owner_pool || c->h_owned || c->up_on)
		return false;
	return c->lingering || (!c->active && !http_out_pending(c));
}

/* ---------------------------------------------------------------- continuations (any thread) */

void http_body_long_lived(http_req_t *r)
{
	http_conn_of(r)->body_long = true;
}

void http_read_body(http_req_t *r, size_t max, http_handler_cb fn, bool on_pool)
{
	http_conn_continue(http_conn_of(r), HTTP_BODY_BUFFER, max, fn, on_pool, NULL, NULL);
}

void http_stream_body(http_req_t *r, http_data_cb data_cb, http_end_cb end_cb)
{
	http_conn_continue(http_conn_of(r), HTTP_BODY_STREAM, 0, NULL, false, data_cb, end_cb);
}

void http_stream_resume(http_req_t *r)
{
	/* always through the post queue, even from the loop: a data_cb may call this before it
	 * returns HTTP_DATA_PAUSE, and the loop applies the resume only after that */
	http_conn_post(http_conn_of(r), HTTP_POST_RESUME);
}

void http_defer(http_req_t *r, http_handler_cb fn)
{
	http_conn_t *c = http_conn_of(r);
	http_server_t *s = c->loop->srv;
	if (!s->pool.n) { /* no pool (not started): run inline */
		fn(r);
		return;
	}
	c->pool_fn = fn;
	if (http_cur_loop() == c->loop)
		c->owner_pool = true;
	http_pool_push(&s->pool, c);
}

/* no buffer yet: they come from the loop's pool once bytes arrive (http_conn_rbuf,
 * http_req_begin); fd (if not -1) is counted in the server's open connections from here on */
http_conn_t *http_conn_new(http_loop_t *l, int fd, int port_idx)
{
	http_conn_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = HTTP_EV_CONN;
	c->loop = l;
	c->fd = fd;
	if (fd >= 0)
		atomic_fetch_add_explicit(&l->srv->nconns, 1, memory_order_relaxed);
	c->sf_fd = c->resp_fd = -1;
	c->hv = c->hv_small;
	c->hv_cap = HTTP_HV_SMALL;
	sbuf_t z = SBUF_INIT;
	c->rh = c->resp = c->out = z;
	llhttp_init(&c->parser, HTTP_REQUEST, &http_settings);
	c->parser.data = c;
	c->req.port_idx = port_idx;
	c->req.method_str = c->req.path = c->req.raw_path = c->req.raw_query = "";
	c->req.hdrs = c->hv;
	c->writable = true;
	c->last_ns = c->start_ns = l->now;
	http_loop_link_head(l, c);
	l->nconns++;
	return c;
}

void http_conn_event(http_conn_t *c, uint32_t ev)
{
	if (c->dead)
		return;
	if (ev & EPOLLERR) {
		/* a reset that arrives while response bytes wait for room is a failed write too (the
		 * same as a send that hits ECONNRESET): count it, whichever the kernel reports first */
		if ((c->out_pos < c->out.len || c->sf_left) && c->loop->srv->cfg.on_write_err)
			c->loop->srv->cfg.on_write_err();
		http_conn_gone_top(c, AIS_EIO);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP))
		c->readable = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP)) {
		c->peer_fin = true;
		c->readable = true;
	}
	if (ev & (EPOLLOUT | EPOLLHUP))
		c->writable = true;
	http_conn_run(c);
	http_conn_maybe_free(c);
}
