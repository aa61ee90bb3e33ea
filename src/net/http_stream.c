/* http_stream: blocking streaming for handlers on pool threads (http_defer_stream, http_body_read,
 * http_resp_begin/write/end) and the loop-side half that moves their bytes.
 * Loop and handler share one http_strm_t per request, every field under its mutex:
 *  - body: the loop appends de-chunked body bytes to a bounded ring and stops parsing while the
 *    ring has no room for another socket read (`stalled`); the handler consumes, and posts
 *    HTTP_POST_STREAM once half the ring is free again;
 *  - output: the handler appends to wq (at most HTTP_STREAM_BACKLOG queued, counting what the
 *    loop has not sent yet) and posts HTTP_POST_STREAM unless one is in flight (`kicked`); the
 *    loop moves wq into the connection's output and after every flush reports the unsent
 *    backlog, waking a blocked writer once it fell to half;
 *  - errors (client gone, timeout, malformed body) are set by the loop and wake the handler.
 * Lock order: strm mu, then the loop's post_mu. The loop frees the strm only after the handler
 * handed the request back (http_resp_end or a respond). */
#include "core/err.h"
#include "net/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- shared state */

http_strm_t *http_strm_new(const http_req_t *r)
{
	http_strm_t *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	sbuf_t z = SBUF_INIT;
	s->wq = z;
	s->clen = -1;
	s->sf_fd = -1;
	s->rcap = HTTP_STREAM_BODY;
	if (!r->chunked && r->content_length >= 0 && (uint64_t)r->content_length < s->rcap)
		s->rcap = (size_t)r->content_length; /* the whole body fits: never stalls */
	return s;
}

void http_strm_free(http_strm_t *s)
{
	if (!s)
		return;
	free(s->ring);
	if (s->sf_fd >= 0)
		close(s->sf_fd);
	sbuf_fini(&s->wq);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

static void http_strm_peak(http_conn_t *c, const http_strm_t *s)
{
	atomic_size_t *pk = &c->loop->srv->stream_peak;
	size_t v = s->rfill + s->wq.len + s->obacklog;
	size_t cur = atomic_load_explicit(pk, memory_order_relaxed);
	while (v > cur && !atomic_compare_exchange_weak(pk, &cur, v))
		;
}

size_t http_server_stream_peak(http_server_t *s) { return atomic_load(&s->stream_peak); }

/* ---------------------------------------------------------------- loop side */

/* room in the ring for everything the parser may hand over from one read buffer */
bool http_strm_room(http_conn_t *c, bool mark_stall)
{
	http_strm_t *s = c->strm;
	const http_req_t *r = &c->req;
	size_t need = c->rcap;
	if (!r->chunked && r->content_length >= 0) {
		uint64_t rem = (uint64_t)r->content_length - c->body_seen;
		if (rem < need)
			need = (size_t)rem;
	}
	pthread_mutex_lock(&s->mu);
	bool ok = s->rcap - s->rfill >= need;
	if (!ok && mark_stall)
		s->stalled = true;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

int http_strm_body(http_conn_t *c, const char *at, size_t n)
{
	http_strm_t *s = c->strm;
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	if (!s->ring && s->rcap)
		s->ring = malloc(s->rcap);
	if (!s->ring || n > s->rcap - s->rfill) { /* the room check makes the second impossible */
		rc = AIS_ENOMEM;
		goto out;
	}
	size_t tail = (s->rhead + s->rfill) % s->rcap;
	size_t k = s->rcap - tail < n ? s->rcap - tail : n;
	memcpy(s->ring + tail, at, k);
	memcpy(s->ring, at + k, n - k);
	s->rfill += n;
	s->seen += n;
	http_strm_peak(c, s);
	if (s->rwait)
		pthread_cond_signal(&s->cv);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void http_strm_done(http_strm_t *s)
{
	pthread_mutex_lock(&s->mu);
	s->done = true;
	if (s->rwait)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void http_strm_fail(http_strm_t *s, int rerr, int werr)
{
	pthread_mutex_lock(&s->mu);
	if (rerr && !s->rerr)
		s->rerr = rerr;
	if (werr && !s->werr)
		s->werr = werr;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int http_strm_sync(http_conn_t *c)
{
	http_strm_t *s = c->strm;
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	s->kicked = false;
	if (s->resumed) {
		s->resumed = false;
		c->last_ns = c->loop->now; /* the stall was the handler's, not the client's */
	}
	if (c->dead && s->sf_fd >= 0) {
		close(s->sf_fd);
		s->sf_fd = -1;
		s->sf_pending = false;
	}
	if (c->sf_fd >= 0 && !c->dead) {
		/* a file range is going out: what was queued after it waits (http_strm_flushed) */
		s->obacklog = c->out.len - c->out_pos;
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	if (s->wq.len) {
		if (c->dead) {
			sbuf_reset(&s->wq);
		} else if (c->out_pos == c->out.len && c->sf_fd < 0) {
			sbuf_t t = c->out;
			c->out = s->wq;
			c->out_pos = 0;
			s->wq = t;
			sbuf_reset(&s->wq);
		} else {
			if (c->out_pos && c->out.len + s->wq.len + 1 > c->out.cap) {
				/* drop the sent prefix rather than grow: the buffer stays near the backlog */
				memmove(c->out.p, c->out.p + c->out_pos, c->out.len - c->out_pos);
				c->out.len -= c->out_pos;
				c->out_pos = 0;
			}
			if (sbuf_add(&c->out, s->wq.p, s->wq.len))
				rc = AIS_ENOMEM;
			sbuf_reset(&s->wq);
		}
	}
	if (!rc && s->sf_pending && !c->dead) {
		/* the bytes before the file are in out now, the file follows them */
		c->sf_fd = s->sf_fd;
		c->sf_off = (off_t)s->sf_off;
		c->sf_left = s->sf_len;
		s->sf_fd = -1;
		s->sf_pending = false;
		s->sf_busy = true;
		pthread_cond_broadcast(&s->cv);
	}
	s->obacklog = c->out.len - c->out_pos;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

bool http_strm_flushed(http_conn_t *c)
{
	http_strm_t *s = c->strm;
	bool more = false;
	pthread_mutex_lock(&s->mu);
	s->obacklog = c->out.len - c->out_pos;
	if (s->sf_busy && c->sf_fd < 0) {
		s->sf_busy = false;
		more = s->wq.len || s->sf_pending;
		pthread_cond_broadcast(&s->cv);
	} else if (s->wwait && s->wq.len + s->obacklog <= HTTP_STREAM_BACKLOG / 2) {
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return more;
}

/* ---------------------------------------------------------------- handler side */

bool http_strm_closes(const http_conn_t *c, http_strm_t *s, bool whole)
{
	const http_req_t *r = &c->req;
	pthread_mutex_lock(&s->mu);
	bool close = s->rerr != 0;
	if (c->expect_cont && !s->cont_sent)
		close = true; /* ambiguous body; and botocore needs the close (see http_resp_closes) */
	if (!s->done && (r->chunked || r->content_length > 0)) {
		if (whole && !r->chunked && (uint64_t)r->content_length - s->seen > HTTP_DRAIN_MAX)
			close = true;
	}
	pthread_mutex_unlock(&s->mu);
	return close;
}

/* the handler's wait: bounded, so a stopping server never leaves it blocked */
static void http_strm_wait(http_conn_t *c, http_strm_t *s)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 1;
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	if (atomic_load(&c->loop->srv->stopping)) {
		if (!s->rerr)
			s->rerr = AIS_EUNAVAIL;
		if (!s->werr)
			s->werr = AIS_EUNAVAIL;
	}
}

/* with mu held: have the loop look at this stream (one post in flight at a time) */
static void http_strm_kick(http_conn_t *c, http_strm_t *s)
{
	if (s->kicked)
		return;
	s->kicked = true;
	http_conn_post(c, HTTP_POST_STREAM);
}

void http_defer_stream(http_req_t *r, http_handler_cb fn)
{
	http_conn_t *c = http_conn_of(r);
	http_server_t *srv = c->loop->srv;
	bool on_loop = http_cur_loop() == c->loop;
	if (!on_loop && c->hstrm) { /* already streaming on a pool thread (a handler that defers again) */
		fn(r);
		return;
	}
	if (on_loop && !srv->pool.n) {
		http_error(r, 500, NULL, "no worker threads for a streaming handler");
		return;
	}
	http_strm_t *s = http_strm_new(r);
	if (!s) {
		http_error(r, 500, NULL, "out of memory");
		return;
	}
	c->hstrm = s;
	/* the loop applies the pull mode (inline here, or posted), then parses the body into s */
	http_conn_continue(c, HTTP_BODY_PULL, 0, NULL, false, NULL, NULL);
	if (on_loop) {
		c->pool_fn = fn;
		http_pool_push(&srv->pool, c);
	} else {
		fn(r);
	}
}

ssize_t http_body_read(http_req_t *r, void *buf, size_t cap)
{
	http_conn_t *c = http_conn_of(r);
	http_strm_t *s = c->hstrm;
	if (!s || !cap)
		return AIS_EINVAL;
	ssize_t rc;
	pthread_mutex_lock(&s->mu);
	if (!s->read_called) {
		s->read_called = true;
		if (c->expect_cont && !s->began && !s->done && !s->seen && (r->chunked || r->content_length > 0)) {
			sbuf_adds(&s->wq, "HTTP/1.1 100 Continue\r\n\r\n");
			s->cont_sent = true;
			http_strm_kick(c, s);
		}
	}
	while (!s->rfill && !s->done && !s->rerr) {
		s->rwait = true;
		http_strm_wait(c, s);
		s->rwait = false;
	}
	if (s->rerr) {
		rc = s->rerr;
	} else if (!s->rfill) {
		rc = 0;
	} else {
		size_t n = s->rfill < cap ? s->rfill : cap;
		size_t k = s->rcap - s->rhead < n ? s->rcap - s->rhead : n;
		memcpy(buf, s->ring + s->rhead, k);
		memcpy((char *)buf + k, s->ring, n - k);
		s->rhead = (s->rhead + n) % s->rcap;
		s->rfill -= n;
		if (!s->rfill)
			s->rhead = 0;
		rc = (ssize_t)n;
		if (s->stalled && s->rcap - s->rfill >= s->rcap / 2) {
			s->stalled = false;
			s->resumed = true;
			http_strm_kick(c, s);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int http_resp_begin(http_req_t *r, int status, const char *ctype, int64_t content_length)
{
	http_conn_t *c = http_conn_of(r);
	http_strm_t *s = c->hstrm;
	if (!s || s->began)
		return AIS_EINVAL;
	if (status < 200 || status > 999)
		status = 500;
	bool bodyless = status == 204 || status == 304;
	bool nobody = bodyless || r->method == HTTP_M_HEAD;
	bool close = !c->keepalive || c->must_close || atomic_load(&c->loop->srv->stopping) ||
		     http_strm_closes(c, s, false);
	int64_t clen = content_length < 0 ? HTTP_CLEN_CHUNKED : content_length;
	if (bodyless) {
		clen = HTTP_CLEN_NONE;
	} else if (clen == HTTP_CLEN_CHUNKED && c->http10) {
		clen = HTTP_CLEN_NONE; /* HTTP/1.0 has no chunking: the close delimits the body */
		close = true;
	}
	sbuf_reset(&c->resp);
	http_resp_head(c, &c->resp, status, ctype, clen, close);
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	s->began = true;
	s->nobody = nobody;
	s->chunked = clen == HTTP_CLEN_CHUNKED && !nobody;
	s->clen = clen >= 0 ? clen : -1;
	s->closes = close;
	if (c->resp.oom) {
		s->werr = AIS_ENOMEM;
		c->resp.oom = false;
	}
	rc = s->werr;
	if (!rc) {
		if (sbuf_add(&s->wq, c->resp.p, c->resp.len))
			rc = s->werr = AIS_ENOMEM;
		else
			http_strm_kick(c, s);
	}
	http_strm_peak(c, s);
	pthread_mutex_unlock(&s->mu);
	sbuf_reset(&c->resp);
	return rc;
}

int http_resp_write(http_req_t *r, const void *data, size_t len)
{
	http_conn_t *c = http_conn_of(r);
	http_strm_t *s = c->hstrm;
	if (!s || !s->began)
		return AIS_EINVAL;
	const char *p = data;
	pthread_mutex_lock(&s->mu);
	int rc = s->werr;
	if (!rc && s->clen >= 0 && len > (uint64_t)s->clen - s->sent) {
		rc = AIS_EINVAL; /* more than announced: the response is broken, close at the end */
		s->end_close = true;
	}
	if (!rc && s->nobody) {
		s->sent += len;
		len = 0;
	}
	while (!rc && len) {
		size_t piece = len < HTTP_STREAM_PIECE ? len : HTTP_STREAM_PIECE;
		size_t need = piece + (s->chunked ? 32 : 0);
		while (!s->werr && s->wq.len + s->obacklog &&
		       s->wq.len + s->obacklog + need > HTTP_STREAM_BACKLOG) {
			s->wwait = true;
			http_strm_wait(c, s);
			s->wwait = false;
		}
		if (s->werr) {
			rc = s->werr;
			break;
		}
		if (s->chunked) {
			char hx[24];
			int hn = snprintf(hx, sizeof(hx), "%zx\r\n", piece);
			sbuf_add(&s->wq, hx, (size_t)hn);
		}
		sbuf_add(&s->wq, p, piece);
		if (s->chunked)
			sbuf_add(&s->wq, "\r\n", 2);
		if (s->wq.oom) { /* the stream is broken now */
			rc = s->werr = AIS_ENOMEM;
			s->wq.oom = false;
			sbuf_reset(&s->wq);
			s->end_close = true;
			break;
		}
		s->sent += piece;
		p += piece;
		len -= piece;
		http_strm_peak(c, s);
		http_strm_kick(c, s);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int http_resp_sendfile(http_req_t *r, int fd, int64_t off, uint64_t len)
{
	http_conn_t *c = http_conn_of(r);
	http_strm_t *s = c->hstrm;
	if (!s || !s->began || fd < 0)
		return AIS_EINVAL;
	pthread_mutex_lock(&s->mu);
	int rc = s->werr;
	if (!rc && s->clen >= 0 && len > (uint64_t)s->clen - s->sent) {
		rc = AIS_EINVAL;
		s->end_close = true;
	}
	if (!rc && (s->nobody || !len)) {
		s->sent += len;
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	while (!rc && (s->sf_pending || s->sf_busy)) { /* one file range at a time */
		s->wwait = true;
		http_strm_wait(c, s);
		s->wwait = false;
		rc = s->werr;
	}
	int dfd = rc ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (!rc && dfd < 0)
		rc = AIS_EIO;
	if (!rc && s->chunked) {
		char hx[24];
		int hn = snprintf(hx, sizeof(hx), "%llx\r\n", (unsigned long long)len);
		sbuf_add(&s->wq, hx, (size_t)hn);
	}
	if (!rc) {
		s->sf_fd = dfd;
		s->sf_off = off;
		s->sf_len = len;
		s->sf_pending = true;
		s->sent += len;
		http_strm_kick(c, s);
		while (!s->werr && s->sf_pending) { /* the loop takes it after the bytes before it */
			s->wwait = true;
			http_strm_wait(c, s);
			s->wwait = false;
		}
		rc = s->werr;
		if (!rc && s->chunked)
			sbuf_add(&s->wq, "\r\n", 2); /* held until the file is out */
		if (!rc && s->wq.oom) {
			rc = s->werr = AIS_ENOMEM;
			s->end_close = true;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void http_resp_finish(http_req_t *r, bool abort)
{
	http_conn_t *c = http_conn_of(r);
	http_strm_t *s = c->hstrm;
	if (!s || !s->began) {
		http_error(r, 500, NULL, "streamed response ended before it began");
		return;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->werr && (s->sf_pending || s->sf_busy)) { /* the bytes held behind a file go first */
		s->wwait = true;
		http_strm_wait(c, s);
		s->wwait = false;
	}
	if (abort) {
		s->end_close = true; /* no terminator: the client sees a cut body, never a short whole one */
	} else if (!s->werr) {
		if (s->chunked && sbuf_adds(&s->wq, "0\r\n\r\n"))
			s->end_close = true;
		if (s->clen >= 0 && !s->nobody && s->sent != (uint64_t)s->clen)
			s->end_close = true; /* short body: only a close tells the client */
	}
	c->resp_close = s->closes || s->end_close;
	pthread_mutex_unlock(&s->mu);
	sbuf_reset(&c->resp);
	c->resp_fd = -1;
	http_conn_respond_done(c); /* the loop takes the rest of wq first */
}

void http_resp_end(http_req_t *r) { http_resp_finish(r, false); }

void http_resp_abort(http_req_t *r) { http_resp_finish(r, true); }
