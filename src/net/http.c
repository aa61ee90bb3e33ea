/* http: the HTTP/1.1 server core: listeners, loop threads (one epoll + one SO_REUSEPORT listener
 * per port each), connections and their request state machine on top of llhttp.
 * Invariants:
 *  - one request per connection at a time: the parser is paused (HPE_PAUSED) at headers-complete
 *    while a handler decides, and at message-complete until the response is queued; pipelined
 *    requests are parsed only after that, so responses go out in order;
 *  - a connection is freed only by its loop, only when it is dead (fd closed) and no handler owns
 *    its request (h_owned); frees are deferred to the end of the event batch (grave list);
 *  - responses/continuations from other threads reach the loop via its post queue + eventfd;
 *  - request strings live in the connection's head buffer (fixed capacity) and arena, reset per
 *    request; read/output buffers are reused across requests. */
#include "net/http.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/http_fuzz.h"
#include "net/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_MAX_HDRS 1024
#define HTTP_LINGER_NS (2 * 1000000000LL)
#define HTTP_BODY_KEEP (1024 * 1024) /* body buffers above this are freed after the request */
#define HTTP_RUN_READS 32              /* reads per run before yielding to other connections */

static _Thread_local http_loop_t *http_tls_loop;

http_loop_t *http_cur_loop(void) { return http_tls_loop; }

static int64_t http_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---------------------------------------------------------------- arena */

void *http_arena_alloc(http_conn_t *c, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	http_arena_blk_t *b = c->arena;
	if (b && b->cap - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	size_t cap = n > HTTP_ARENA_BLOCK ? n : HTTP_ARENA_BLOCK;
	b = malloc(sizeof(*b) + cap);
	if (!b)
		return NULL;
	b->cap = cap;
	b->used = n;
	b->next = c->arena;
	c->arena = b;
	return b->data;
}

/* keep one standard block (the oldest), free the rest */
static void http_arena_reset(http_conn_t *c)
{
	http_arena_blk_t *b = c->arena;
	while (b && b->next) {
		http_arena_blk_t *n = b->next;
		free(b);
		b = n;
	}
	if (b && b->cap != HTTP_ARENA_BLOCK) {
		free(b);
		b = NULL;
	}
	if (b)
		b->used = 0;
	c->arena = b;
}

/* ---------------------------------------------------------------- connection lifetime */

static void http_conn_run(http_conn_t *c);

static void http_conn_free(http_conn_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->sf_fd >= 0)
		close(c->sf_fd);
	if (c->resp_fd >= 0)
		close(c->resp_fd);
	free(c->rbuf);
	free(c->head);
	free(c->hv);
	free(c->body);
	while (c->arena) {
		http_arena_blk_t *n = c->arena->next;
		free(c->arena);
		c->arena = n;
	}
	sbuf_fini(&c->rh);
	sbuf_fini(&c->resp);
	sbuf_fini(&c->out);
	free(c);
}

static void http_loop_unlink(http_loop_t *l, http_conn_t *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (l->conns == c)
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	l->nconns--;
}

/* free later (end of the event batch) if nothing refers to c anymore */
static void http_conn_maybe_free(http_conn_t *c)
{
	if (!c->dead || c->h_owned || c->owner_pool || c->in_run || c->posted || c->in_ready)
		return;
	http_loop_t *l = c->loop;
	http_loop_unlink(l, c);
	c->posted = true; /* never again */
	c->next = l->grave;
	l->grave = c;
}

static void http_loop_bury(http_loop_t *l)
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
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->sf_fd >= 0) {
		close(c->sf_fd);
		c->sf_fd = -1;
	}
	c->out.len = c->out_pos = 0;
	if (c->active && c->hdrs_done && !c->msg_complete && c->body_mode == HTTP_BODY_STREAM &&
	    !c->end_called && !c->owner_pool) {
		c->end_called = true;
		c->end_cb(&c->req, code ? code : AIS_EIO);
	}
}

/* gone from a top-level loop context (sweep, shutdown) */
static void http_conn_gone_top(http_conn_t *c, int code)
{
	bool was = c->in_run;
	c->in_run = true;
	http_conn_gone(c, code);
	c->in_run = was;
	http_conn_maybe_free(c);
}

static void http_conn_kick(http_conn_t *c)
{
	if (c->in_run) {
		c->again = true;
		return;
	}
	http_conn_run(c);
	http_conn_maybe_free(c);
}

/* ---------------------------------------------------------------- request state */

static void http_req_begin(http_conn_t *c)
{
	http_req_t *r = &c->req;
	c->active = true;
	c->hdrs_done = c->msg_complete = c->responded = c->h_owned = c->owner_pool = false;
	c->end_called = c->must_close = c->expect_cont = c->cont_sent = false;
	c->in_field = c->in_value = c->hdr_pending = false;
	c->body_mode = HTTP_BODY_NONE;
	c->body_seen = c->discard_seen = 0;
	c->perr = 0;
	c->head_len = 0;
	c->url = NULL;
	c->nhv = 0;
	http_arena_reset(c);
	sbuf_reset(&c->rh);
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
}

static void http_req_done(http_conn_t *c)
{
	if (!c->active)
		return;
	c->active = false;
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

static bool http_out_pending(const http_conn_t *c)
{
	return c->out_pos < c->out.len || c->sf_fd >= 0;
}

static bool http_backlog(const http_conn_t *c)
{
	return c->sf_fd >= 0 || c->out.len - c->out_pos >= HTTP_OUT_BACKLOG;
}

/* loop thread: the handler finished; c->resp holds the response */
static void http_conn_responded(http_conn_t *c)
{
	c->owner_pool = false;
	c->h_owned = false;
	c->responded = true;
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

static void http_loop_post(http_loop_t *l, http_conn_t *c, int kind)
{
	c->post_kind = kind;
	c->post_next = NULL;
	pthread_mutex_lock(&l->post_mu);
	bool was_empty = !l->post_head;
	if (l->post_tail)
		l->post_tail->post_next = c;
	else
		l->post_head = c;
	l->post_tail = c;
	pthread_mutex_unlock(&l->post_mu);
	if (was_empty && l->evfd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(l->evfd, &one, sizeof(one));
		(void)n;
	}
}

void http_conn_respond_done(http_conn_t *c)
{
	if (http_tls_loop != c->loop) {
		http_loop_post(c->loop, c, HTTP_POST_RESP);
		return;
	}
	http_conn_responded(c);
	http_conn_kick(c);
}

/* loop thread: start buffering/streaming the body as the handler asked */
static void http_conn_apply_cont(http_conn_t *c)
{
	http_req_t *r = &c->req;
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

static void http_conn_finish_body(http_conn_t *c);

void http_conn_continue(http_conn_t *c, int mode, size_t max, http_handler_cb fn, bool on_pool,
			http_data_cb data_cb, http_end_cb end_cb)
{
	c->cont_mode = mode;
	c->cont_max = max;
	c->cont_fn = fn;
	c->cont_on_pool = on_pool;
	c->cont_data = data_cb;
	c->cont_end = end_cb;
	if (http_tls_loop != c->loop) {
		http_loop_post(c->loop, c, HTTP_POST_CONT);
		return;
	}
	http_conn_apply_cont(c);
	if (!c->dead && c->msg_complete && !c->responded)
		http_conn_finish_body(c);
	http_conn_kick(c);
}

/* message complete: hand the buffered body to fn, or end the stream */
static void http_conn_finish_body(http_conn_t *c)
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
	http_req_begin(p->data);
	return 0;
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
			http_kv_t *nv = realloc(c->hv, (size_t)ncap * sizeof(*nv));
			if (!nv) {
				c->perr = 431;
				return HPE_USER;
			}
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

static http_method_t http_method_of(uint8_t m)
{
	switch (m) {
	case HTTP_GET: return HTTP_M_GET;
	case HTTP_HEAD: return HTTP_M_HEAD;
	case HTTP_PUT: return HTTP_M_PUT;
	case HTTP_POST: return HTTP_M_POST;
	case HTTP_DELETE: return HTTP_M_DELETE;
	case HTTP_PATCH: return HTTP_M_PATCH;
	case HTTP_OPTIONS: return HTTP_M_OPTIONS;
	default: return HTTP_M_OTHER;
	}
}

static void http_parse_query(http_conn_t *c)
{
	http_req_t *r = &c->req;
	const char *q = r->raw_query;
	size_t qlen = strlen(q);
	if (!qlen)
		return;
	int n = 1;
	for (size_t i = 0; i < qlen; i++)
		n += q[i] == '&';
	http_kv_t *kv = http_arena_alloc(c, (size_t)n * sizeof(*kv));
	char *buf = http_arena_alloc(c, qlen + (size_t)n * 2 + 2);
	if (!kv || !buf)
		return;
	int k = 0;
	const char *s = q, *end = q + qlen;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *e = amp ? amp : end;
		if (e > s) {
			const char *eq = memchr(s, '=', (size_t)(e - s));
			const char *ke = eq ? eq : e;
			char *key = buf;
			long kl = url_decode(s, (size_t)(ke - s), key, true);
			if (kl >= 0) {
				char *val = key + kl + 1;
				long vl = eq ? url_decode(eq + 1, (size_t)(e - eq - 1), val, true) : (val[0] = '\0', 0);
				if (vl >= 0) { /* pairs with malformed escapes are dropped, as Go does */
					kv[k].name = key;
					kv[k].value = val;
					k++;
					buf = val + vl + 1;
				}
			}
		}
		s = e + 1;
	}
	r->query = kv;
	r->nquery = k;
}

static int http_req_build(http_conn_t *c)
{
	http_req_t *r = &c->req;
	llhttp_t *p = &c->parser;
	uint8_t m = llhttp_get_method(p);
	r->method = http_method_of(m);
	r->method_str = llhttp_method_name((llhttp_method_t)m);
	r->hdrs = c->hv;
	r->nhdrs = c->nhv;
	c->http10 = p->http_major == 1 && p->http_minor == 0;
	c->keepalive = llhttp_should_keep_alive(p);
	r->chunked = (p->flags & F_CHUNKED) != 0;
	r->content_length = (!r->chunked && (p->flags & F_CONTENT_LENGTH)) ? (int64_t)p->content_length : -1;
	const char *ex = http_hdr_get(r, "expect");
	c->expect_cont = ex && !strcasecmp(ex, "100-continue");

	char *url = (char *)(c->url ? c->url : "");
	char *qm = strchr(url, '?');
	if (qm) {
		*qm = '\0';
		r->raw_query = qm + 1;
	}
	char *hash = strchr(qm ? qm + 1 : url, '#'); /* fragments are not sent by sane clients */
	if (hash)
		*hash = '\0';
	r->raw_path = url;
	size_t plen = strlen(url);
	char *dec = http_arena_alloc(c, plen + 1);
	if (!dec)
		return AIS_ENOMEM;
	long dl = url_decode(url, plen, dec, false);
	if (dl < 0 || memchr(dec, '\0', (size_t)dl))
		return AIS_EINVAL;
	r->path = dec;
	if (url[0] != '/' && strcmp(url, "*"))
		return AIS_EINVAL;
	http_parse_query(c);
	return 0;
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
		return HPE_USER;
	}
	http_server_t *s = c->loop->srv;
	c->h_owned = true;
	s->cfg.dispatch(&c->req, s->cfg.dispatch_arg);
	return http_after_handler(c);
}

static int http_cb_body(llhttp_t *p, const char *at, size_t n)
{
	http_conn_t *c = p->data;
	http_req_t *r = &c->req;
	c->body_seen += n;
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
		return c->no_more ? HPE_PAUSED : 0; /* responded early and will close */
	}
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
	c->must_close = true;
	if (!c->active) {
		if (!http_out_pending(c))
			http_conn_gone(c, 0);
		return;
	}
	if (c->responded)
		return; /* discarding an unread body: just close after the response */
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
		if (c->perr == 400 && c->hdrs_done)
			snprintf(msg, sizeof(msg), "invalid URL path");
		else
			snprintf(msg, sizeof(msg), "malformed HTTP request: %s (%s)", llhttp_errno_name(err),
				 c->parser.reason ? c->parser.reason : "");
		http_conn_server_error(c, 400, msg);
	}
}

static bool http_conn_can_parse(const http_conn_t *c)
{
	if (c->dead || c->no_more)
		return false;
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
static bool http_conn_read(http_conn_t *c)
{
	if (c->want_big && c->rcap < HTTP_RBUF_BIG) {
		char *nb = realloc(c->rbuf, HTTP_RBUF_BIG);
		if (nb) {
			c->rbuf = nb;
			c->rcap = HTTP_RBUF_BIG;
		}
		c->want_big = false;
	}
	for (;;) {
		ssize_t n = read(c->fd, c->rbuf, c->rcap);
		if (n > 0) {
			c->rpos = 0;
			c->rlen = (size_t)n;
			c->last_ns = c->loop->now;
			if ((size_t)n < c->rcap && !c->peer_fin)
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
		const char *start = c->rbuf + c->rpos;
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

/* write out what is queued; false if the socket is full or gone */
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
	while (c->out_pos < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->out_pos, c->out.len - c->out_pos, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_pos += (size_t)n;
			c->last_ns = c->loop->now;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->writable = false;
			return;
		}
		http_conn_gone(c, AIS_EIO);
		return;
	}
	c->out.len = c->out_pos = 0;
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
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->writable = false;
			return;
		}
		if (n == 0)
			log_warn("http: sendfile to %s: file shorter than announced", c->req.remote_addr);
		http_conn_gone(c, AIS_EIO);
		return;
	}
}

static void http_conn_linger(http_conn_t *c)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(c->fd, tmp, sizeof(tmp));
		if (n > 0)
			continue;
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

static void http_conn_run(http_conn_t *c)
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
			if (!c->dead && !http_out_pending(c) && c->paused && !c->active && !c->no_more)
				c->again = true; /* pipelined requests were waiting for the output */
		}
		if (!c->dead && c->close_after && !http_out_pending(c) && !(c->active && !c->responded)) {
			if (c->rd_eof || c->fd < 0) {
				http_conn_gone(c, 0);
			} else {
				/* let the peer read the response before the close: no RST over unread input */
				shutdown(c->fd, SHUT_WR);
				c->lingering = true;
				c->last_ns = c->loop->now;
				c->again = true;
			}
		}
	} while (c->again && !c->dead);
	c->in_run = false;
}

/* ---------------------------------------------------------------- continuations (any thread) */

const char *http_hdr_get(const http_req_t *r, const char *name)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strcasecmp(r->hdrs[i].name, name))
			return r->hdrs[i].value;
	return NULL;
}

const char *http_query_get(const http_req_t *r, const char *key)
{
	for (int i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, key))
			return r->query[i].value;
	return NULL;
}

bool http_query_bool(const http_req_t *r, const char *key)
{
	const char *v = http_query_get(r, key);
	if (!v)
		return false;
	return !*v || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "t");
}

void http_read_body(http_req_t *r, size_t max, http_handler_cb fn, bool on_pool)
{
	http_conn_continue(http_conn_of(r), HTTP_BODY_BUFFER, max, fn, on_pool, NULL, NULL);
}

void http_stream_body(http_req_t *r, http_data_cb data_cb, http_end_cb end_cb)
{
	http_conn_continue(http_conn_of(r), HTTP_BODY_STREAM, 0, NULL, false, data_cb, end_cb);
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
	if (http_tls_loop == c->loop)
		c->owner_pool = true;
	http_pool_push(&s->pool, c);
}

/* ---------------------------------------------------------------- loop */

static http_conn_t *http_conn_new(http_loop_t *l, int fd, int port_idx)
{
	http_server_t *s = l->srv;
	http_conn_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = HTTP_EV_CONN;
	c->loop = l;
	c->fd = fd;
	c->sf_fd = c->resp_fd = -1;
	c->rcap = HTTP_RBUF_SMALL;
	c->rbuf = malloc(c->rcap);
	c->head_cap = s->cfg.max_head;
	c->head = malloc(c->head_cap);
	c->hv_cap = 16;
	c->hv = malloc((size_t)c->hv_cap * sizeof(*c->hv));
	sbuf_t z = SBUF_INIT;
	c->rh = c->resp = c->out = z;
	if (!c->rbuf || !c->head || !c->hv || !http_arena_alloc(c, 1)) {
		c->fd = -1;
		http_conn_free(c);
		return NULL;
	}
	http_arena_reset(c);
	llhttp_init(&c->parser, HTTP_REQUEST, &http_settings);
	c->parser.data = c;
	c->req.port_idx = port_idx;
	c->req.method_str = c->req.path = c->req.raw_path = c->req.raw_query = "";
	c->writable = true;
	c->last_ns = l->now;
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->nconns++;
	return c;
}

static void http_fmt_addr(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "";
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(out, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
	} else {
		snprintf(out, cap, "unknown");
	}
}

static void http_loop_accept(http_loop_t *l, http_listener_t *li)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(li->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("http: accept: %s", strerror(errno));
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		http_conn_t *c = http_conn_new(l, fd, li->port_idx);
		if (!c) {
			close(fd);
			continue;
		}
		http_fmt_addr(&ss, c->req.remote_addr, sizeof(c->req.remote_addr));
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			log_warn("http: epoll_ctl: %s", strerror(errno));
			http_conn_gone_top(c, 0);
		}
	}
}

static void http_conn_event(http_conn_t *c, uint32_t ev)
{
	if (c->dead)
		return;
	if (ev & EPOLLERR) {
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

static void http_loop_drain_posts(http_loop_t *l)
{
	uint64_t v;
	if (l->evfd >= 0) {
		ssize_t n = read(l->evfd, &v, sizeof(v));
		(void)n;
	}
	pthread_mutex_lock(&l->post_mu);
	http_conn_t *c = l->post_head;
	l->post_head = l->post_tail = NULL;
	pthread_mutex_unlock(&l->post_mu);
	while (c) {
		http_conn_t *next = c->post_next;
		c->post_next = NULL;
		if (c->post_kind == HTTP_POST_RESP) {
			http_conn_responded(c);
		} else {
			c->owner_pool = false;
			c->in_run = true;
			http_conn_apply_cont(c);
			if (!c->dead && c->msg_complete && !c->responded)
				http_conn_finish_body(c);
			c->in_run = false;
		}
		http_conn_kick(c);
		c = next;
	}
}

static void http_loop_sweep(http_loop_t *l)
{
	const http_config_t *cfg = &l->srv->cfg;
	int64_t now = l->now, idle = (int64_t)cfg->idle_timeout_ms * 1000000LL,
		io = (int64_t)cfg->io_timeout_ms * 1000000LL;
	http_conn_t *next;
	for (http_conn_t *c = l->conns; c; c = next) {
		next = c->next;
		if (c->dead || c->owner_pool)
			continue;
		int64_t quiet = now - c->last_ns;
		if (c->lingering) {
			if (quiet > HTTP_LINGER_NS)
				http_conn_gone_top(c, 0);
			continue;
		}
		bool waiting_client = http_out_pending(c) ||
				      (c->active && (!c->hdrs_done ||
						     (!c->msg_complete && c->body_mode != HTTP_BODY_NONE &&
						      !(c->body_mode == HTTP_BODY_STREAM && c->end_called))));
		if (waiting_client) {
			if (quiet > io)
				http_conn_gone_top(c, AIS_ETIMEOUT);
		} else if (!c->active) {
			if (quiet > idle)
				http_conn_gone_top(c, 0);
		}
	}
}

static void *http_loop_main(void *arg)
{
	http_loop_t *l = arg;
	http_server_t *s = l->srv;
	http_tls_loop = l;
	struct epoll_event evs[256];
	l->now = http_mono();
	int64_t next_sweep = l->now + 1000000000LL;
	while (!atomic_load(&s->stopping)) {
		int64_t wait_ms = (next_sweep - l->now) / 1000000 + 1;
		if (wait_ms < 0)
			wait_ms = 0;
		int n = epoll_wait(l->epfd, evs, 256, l->ready ? 0 : (int)wait_ms);
		l->now = http_mono();
		for (int i = 0; i < n; i++) {
			int kind = *(int *)evs[i].data.ptr;
			if (kind == HTTP_EV_CONN)
				http_conn_event(evs[i].data.ptr, evs[i].events);
			else if (kind == HTTP_EV_LISTEN)
				http_loop_accept(l, evs[i].data.ptr);
			else
				http_loop_drain_posts(l);
		}
		http_conn_t *rd = l->ready;
		l->ready = NULL;
		while (rd) {
			http_conn_t *c = rd;
			rd = c->ready_next;
			c->in_ready = false;
			http_conn_run(c);
			http_conn_maybe_free(c);
		}
		if (l->now >= next_sweep) {
			http_loop_sweep(l);
			next_sweep = l->now + 1000000000LL;
		}
		http_loop_bury(l);
	}
	/* shutdown: stop accepting, drop every connection (stream handlers get end_cb) */
	for (int i = 0; i < l->nlis; i++) {
		if (l->lis[i].fd >= 0) {
			close(l->lis[i].fd);
			l->lis[i].fd = -1;
		}
	}
	for (http_conn_t *c = l->ready; c; c = c->ready_next)
		c->in_ready = false;
	l->ready = NULL;
	http_conn_t *next;
	for (http_conn_t *c = l->conns; c; c = next) {
		next = c->next;
		http_conn_gone_top(c, AIS_EUNAVAIL);
	}
	http_loop_bury(l);
	http_tls_loop = NULL;
	return NULL;
}

/* ---------------------------------------------------------------- server */

http_server_t *http_server_new(const http_config_t *cfg)
{
	http_server_t *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.nloops <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->cfg.nloops = n > 0 ? (int)n : 1;
	}
	if (s->cfg.npool <= 0)
		s->cfg.npool = 8;
	if (!s->cfg.max_head)
		s->cfg.max_head = 16 * 1024;
	if (s->cfg.idle_timeout_ms <= 0)
		s->cfg.idle_timeout_ms = 60 * 1000;
	if (s->cfg.io_timeout_ms <= 0)
		s->cfg.io_timeout_ms = 5 * 60 * 1000;
	if (cfg->server_name) {
		s->server_name = strdup(cfg->server_name);
		if (!s->server_name)
			goto fail;
	}
	s->cfg.server_name = s->server_name;
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->pool.mu, NULL);
	pthread_cond_init(&s->pool.cv, NULL);
	s->nloops = s->cfg.nloops;
	s->loops = calloc((size_t)s->nloops, sizeof(*s->loops));
	if (!s->loops)
		goto fail;
	for (int i = 0; i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		l->kind = HTTP_EV_WAKE;
		l->srv = s;
		l->idx = i;
		l->epfd = l->evfd = -1;
		pthread_mutex_init(&l->post_mu, NULL);
	}
	for (int i = 0; i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		l->epfd = epoll_create1(EPOLL_CLOEXEC);
		l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (l->epfd < 0 || l->evfd < 0)
			goto fail;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev))
			goto fail;
	}
	return s;
fail:
	log_err("http: server init: %s", strerror(errno));
	http_server_stop(s);
	return NULL;
}

static void http_close_port(http_server_t *s, int idx)
{
	for (int i = 0; i < s->nloops; i++) {
		http_listener_t *li = &s->loops[i].lis[idx];
		if (li->fd >= 0)
			close(li->fd);
		li->fd = -1;
	}
}

int http_server_listen(http_server_t *s, const char *host, int port)
{
	if (s->started || s->nports >= HTTP_MAX_PORTS || port < 0 || port > 65535)
		return AIS_EINVAL;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	if (!host || !*host) {
		host = NULL;
		hints.ai_family = AF_INET;
	}
	if (getaddrinfo(host, "0", &hints, &ai) || !ai) {
		log_err("http: cannot resolve listen address %s", host ? host : "");
		return AIS_EINVAL;
	}
	int idx = s->nports, rc = 0, actual = port;
	for (int i = 0; i < s->nloops; i++)
		s->loops[i].lis[idx].fd = -1;
	for (int i = 0; i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		http_listener_t *li = &l->lis[idx];
		li->kind = HTTP_EV_LISTEN;
		li->port_idx = idx;
		li->loop = l;
		struct sockaddr_storage ss;
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)actual);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)actual);
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) || listen(fd, 4096)) {
			rc = err_from_errno(errno);
			log_err("http: listen on %s:%d: %s", host ? host : "*", actual, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		li->fd = fd;
		if (i == 0 && actual == 0) {
			socklen_t sl = sizeof(ss);
			if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
				rc = AIS_EIO;
				goto fail;
			}
			actual = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
							       : ((struct sockaddr_in6 *)&ss)->sin6_port);
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = li};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			rc = AIS_EIO;
			goto fail;
		}
	}
	freeaddrinfo(ai);
	s->ports[idx] = actual;
	s->nports++;
	for (int i = 0; i < s->nloops; i++)
		s->loops[i].nlis = s->nports;
	return idx;
fail:
	freeaddrinfo(ai);
	http_close_port(s, idx);
	return rc ? rc : AIS_EIO;
}

int http_server_port(http_server_t *s, int port_idx)
{
	if (port_idx < 0 || port_idx >= s->nports)
		return AIS_EINVAL;
	return s->ports[port_idx];
}

int http_server_start(http_server_t *s)
{
	if (s->started)
		return AIS_EINVAL;
	if (!s->cfg.dispatch)
		return AIS_EINVAL;
	/* our threads never take SIGPIPE: sendfile(2) has no MSG_NOSIGNAL; a write to a reset
	 * connection returns EPIPE instead (the signal stays pending, blocked, on that thread) */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	int rc = http_pool_start(&s->pool, s->cfg.npool);
	if (!rc) {
		s->started = true;
		for (int i = 0; i < s->nloops; i++) {
			if (pthread_create(&s->loops[i].th, NULL, http_loop_main, &s->loops[i])) {
				log_err("http: cannot start loop thread %d", i);
				rc = AIS_ENOMEM; /* the caller stops the server */
				break;
			}
			s->loops[i].started = true;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void http_server_stop(http_server_t *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	for (int i = 0; s->loops && i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		if (l->started && l->evfd >= 0) {
			uint64_t one = 1;
			ssize_t n = write(l->evfd, &one, sizeof(one));
			(void)n;
		}
	}
	for (int i = 0; s->loops && i < s->nloops; i++)
		if (s->loops[i].started)
			pthread_join(s->loops[i].th, NULL);
	/* handlers still running on the pool finish (their responses are discarded) */
	http_pool_stop(&s->pool);
	for (int i = 0; s->loops && i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		http_tls_loop = l;
		l->now = http_mono();
		while (l->post_head)
			http_loop_drain_posts(l);
		http_conn_t *next;
		for (http_conn_t *c = l->conns; c; c = next) {
			next = c->next;
			http_conn_gone_top(c, AIS_EUNAVAIL);
		}
		http_loop_bury(l);
		/* whatever a handler never gave back */
		for (http_conn_t *c = l->conns; c; c = next) {
			next = c->next;
			http_conn_free(c);
		}
		l->conns = NULL;
		http_tls_loop = NULL;
		for (int k = 0; k < l->nlis; k++)
			if (l->lis[k].fd >= 0)
				close(l->lis[k].fd);
		if (l->epfd >= 0)
			close(l->epfd);
		if (l->evfd >= 0)
			close(l->evfd);
		pthread_mutex_destroy(&l->post_mu);
	}
	pthread_mutex_destroy(&s->pool.mu);
	pthread_cond_destroy(&s->pool.cv);
	free(s->loops);
	free(s->server_name);
	free(s);
}

/* ---------------------------------------------------------------- fuzzing seam */

void http_fuzz_feed(const http_config_t *cfg, const uint8_t *data, size_t len)
{
	http_server_t s;
	memset(&s, 0, sizeof(s));
	s.cfg = *cfg;
	if (!s.cfg.max_head)
		s.cfg.max_head = 16 * 1024;
	s.cfg.server_name = NULL;
	atomic_init(&s.stopping, false);
	http_loop_t l;
	memset(&l, 0, sizeof(l));
	l.kind = HTTP_EV_WAKE;
	l.srv = &s;
	l.epfd = l.evfd = -1;
	pthread_mutex_init(&l.post_mu, NULL);
	s.loops = &l;
	s.nloops = 1;
	http_loop_t *saved = http_tls_loop;
	http_tls_loop = &l;
	http_conn_t *c = http_conn_new(&l, -1, 0);
	if (c) {
		snprintf(c->req.remote_addr, sizeof(c->req.remote_addr), "127.0.0.1:1");
		size_t step = len ? (size_t)data[0] % 64 + 1 : 1;
		size_t off = 0;
		while (off < len && !c->dead) {
			if (c->rlen == c->rpos)
				c->rpos = c->rlen = 0;
			size_t room = c->rcap - c->rlen;
			if (!room)
				break; /* stalled (paused with a full buffer) */
			size_t n = len - off < step ? len - off : step;
			n = n < room ? n : room;
			memcpy(c->rbuf + c->rlen, data + off, n);
			c->rlen += n;
			off += n;
			step = step * 7 % 61 + 1;
			http_conn_run(c);
		}
		if (!c->dead) {
			c->rd_eof = true;
			http_conn_run(c);
		}
		http_conn_gone_top(c, AIS_EUNAVAIL);
		http_loop_bury(&l);
		if (l.conns) /* a handler kept the request: not expected from the fuzz dispatcher */
			http_conn_free(l.conns);
	}
	http_tls_loop = saved;
	pthread_mutex_destroy(&l.post_mu);
}
