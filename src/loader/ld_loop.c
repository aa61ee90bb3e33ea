/* ld_loop: event loops, workers and HTTP/1.1 over non-blocking sockets (see ld_loop.h).
 * Worker state machine (one op at a time):
 *
 *   next --(pick op, name, endpoint)--> send --(request fully written)--> wait response
 *     ^                                   ^                                   |
 *     |                                   +---- 3xx + Location (<= 4 hops) ---+
 *     +------------- 2xx: stats; other status, I/O error, timeout: error -----+
 *
 * Invariants: a worker owns its connections (fd -1 when closed) and uses one at a time (cur);
 * an idle connection only ever gets closed (peer closed it); a stale keep-alive connection
 * (closed by the server before any response byte) is retried once on a fresh one. Workers
 * become runnable through the loop's run queue, never by recursion. */
#include "loader/ld_loop.h"

#include "core/sbuf.h"
#include "core/hrw.h"
#include "core/err.h"
#include "core/util.h"
#include "loader/ld_sigv4.h"
#include "net/tls.h"

#include <errno.h>
#include <llhttp.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define LD_RBUF (256 * 1024)   /* per-loop receive buffer (bodies are counted, not kept) */
#define LD_MAX_HOPS 4
#define LD_EXPECT_MIN (256 * 1024) /* PUT to the proxy above this: Expect: 100-continue (below, the proxy drains the body and keeps the connection) */
#define LD_OBJ_LEN 32          /* AIStore's random object name length */
#define LD_RETRIES 10          /* an op retried after a refused connection or a 503 + Retry-After */
#define LD_RETRY_MAX_MS 2000   /* longest wait before a retry (a larger Retry-After is cut) */

struct ld_worker;

typedef struct ld_conn {
	int fd;
	SSL *ssl;               /* an https endpoint (net/tls.h); NULL: plain */
	bool handshaking, hs_ww; /* (with ssl) the TLS handshake is not done (waits to write) */
	bool connecting, reused, got_bytes;
	struct ld_worker *w;
	llhttp_t parser;
} ld_conn_t;

typedef struct ld_worker {
	struct ld_loop *l;
	ld_conn_t *conns;       /* [cfg->neps] */
	ld_conn_t *cur;
	int cur_ep;
	bool busy, stopped, queued;
	/* the op */
	int op;
	char name[512];
	int64_t size, t0;
	int hops, retries;
	int attempts;           /* retries of the whole op (refused, 503 + Retry-After) */
	bool sleeping;          /* waiting until wake_ns to retry the op */
	bool refused;           /* the current hop's connect was refused */
	int64_t wake_ns;
	char path0[2048];       /* the op's first hop (a retry starts over from it) */
	int ep0;
	char cksum[CKSUM_MAX_HEX];
	size_t body_start;
	char *bbody;            /* GetBatch: the MossReq (size bytes); reused across ops */
	size_t bcap;
	/* the current hop */
	char path[2048];
	char req[4096];
	size_t req_len, req_off;
	int64_t body_off;
	bool writing, expect, wait_continue;
	bool send_rest; /* a final answer came before 100 Continue and keeps the connection: send the body, then act on it */
	/* the response */
	int status;
	int64_t rbody;
	bool msg_done, ka;
	char hfield[16];
	size_t hfield_len;
	bool in_value, is_loc, is_ra;
	char loc[2048];
	size_t loc_len;
	int retry_after;        /* Retry-After seconds of the response, -1 when absent */
} ld_worker_t;

struct ld_loop {
	ld_cfg_t *cfg;
	int id, epfd, nw;
	pthread_t th;
	bool started;
	_Atomic bool done;
	ld_worker_t *w;
	ld_worker_t **runq;
	int nrun;
	int active;
	uint64_t rng;
	char *rbuf;
	llhttp_settings_t settings;
	/* S3 signing: date cache */
	time_t s3_sec;
	char amz_date[20], date8[9];
	unsigned char s3key[32];
	/* counters (mu) */
	pthread_mutex_t mu;
	ld_stat_t ival[LD_NOPS];
	ld_hist_t hist[LD_NOPS];
};

/* ---- llhttp callbacks ---- */

static int ld_on_hfield(llhttp_t *p, const char *at, size_t len)
{
	ld_worker_t *w = p->data;
	if (w->in_value) {
		w->in_value = false;
		w->hfield_len = 0;
	}
	for (size_t i = 0; i < len && w->hfield_len < sizeof(w->hfield); i++)
		w->hfield[w->hfield_len++] = at[i];
	if (w->hfield_len >= sizeof(w->hfield))
		w->hfield_len = sizeof(w->hfield); /* too long to be "location" */
	return 0;
}

static int ld_on_hvalue(llhttp_t *p, const char *at, size_t len)
{
	ld_worker_t *w = p->data;
	if (!w->in_value) {
		w->in_value = true;
		w->is_loc = w->hfield_len == 8 && !strncasecmp(w->hfield, "location", 8);
		w->is_ra = w->hfield_len == 11 && !strncasecmp(w->hfield, "retry-after", 11);
		if (w->is_loc)
			w->loc_len = 0;
		if (w->is_ra)
			w->retry_after = 0;
	}
	for (size_t i = 0; w->is_ra && i < len; i++) {
		if (at[i] >= '0' && at[i] <= '9' && w->retry_after < 3600)
			w->retry_after = w->retry_after * 10 + (at[i] - '0');
		else if (at[i] != ' ' && at[i] != '\t')
			w->is_ra = false, w->retry_after = -1; /* (an HTTP date: not ours, ignored) */
	}
	if (w->is_loc) {
		size_t n = len < sizeof(w->loc) - 1 - w->loc_len ? len : sizeof(w->loc) - 1 - w->loc_len;
		memcpy(w->loc + w->loc_len, at, n);
		w->loc_len += n;
		w->loc[w->loc_len] = '\0';
	}
	return 0;
}

static int ld_on_headers_complete(llhttp_t *p)
{
	ld_worker_t *w = p->data;
	w->status = p->status_code;
	return 0;
}

static int ld_on_body(llhttp_t *p, const char *at, size_t len)
{
	ld_worker_t *w = p->data;
	w->rbody += (int64_t)len;
	return 0;
}

static int ld_on_message_complete(llhttp_t *p)
{
	ld_worker_t *w = p->data;
	w->msg_done = true;
	w->ka = llhttp_should_keep_alive(p);
	return HPE_PAUSED; /* one response per read: nothing may follow it (no pipelining) */
}

/* ---- connections ---- */

static void ld_conn_close(ld_conn_t *c)
{
	if (c->ssl) { /* take the server's close_notify if it is in, answer it: a FIN, not a reset */
		char b[256];
		(void)tls_read(c->ssl, b, sizeof(b), NULL);
		tls_close_notify(c->ssl);
	}
	tls_free(c->ssl);
	c->ssl = NULL;
	c->handshaking = false;
	if (c->fd >= 0) {
		close(c->fd); /* also removes it from the epoll set */
		c->fd = -1;
	}
	c->connecting = c->reused = c->got_bytes = false;
}

static int ld_conn_open(ld_worker_t *w, ld_conn_t *c, int ep)
{
	const ld_ep_t *e = &w->l->cfg->eps[ep];
	w->refused = false;
	int fd = socket(e->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_from_errno(errno);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->connecting = false;
	if (connect(fd, (const struct sockaddr *)&e->sa, e->salen) < 0) {
		if (errno != EINPROGRESS) {
			w->refused = errno == ECONNREFUSED;
			int rc = err_from_errno(errno);
			close(fd);
			return rc;
		}
		c->connecting = true;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
	if (epoll_ctl(w->l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return AIS_EINTERNAL;
	}
	c->fd = fd;
	c->reused = c->got_bytes = false;
	if (e->tls) {
		if (!(c->ssl = tls_client_new(fd, e->host))) {
			close(fd);
			c->fd = -1;
			return AIS_ENOMEM;
		}
		c->handshaking = true;
	}
	llhttp_init(&c->parser, HTTP_RESPONSE, &w->l->settings);
	c->parser.data = w;
	return 0;
}

/* ---- stats ---- */

static void ld_loop_record(ld_loop_t *l, int op, bool ok, int64_t bytes, int64_t lat)
{
	pthread_mutex_lock(&l->mu);
	if (ok) {
		ld_stat_add(&l->ival[op], bytes, lat);
		ld_hist_add(&l->hist[op], lat);
	} else {
		ld_stat_err(&l->ival[op]);
	}
	pthread_mutex_unlock(&l->mu);
}

static void ld_worker_queue(ld_worker_t *w)
{
	if (!w->queued) {
		w->queued = true;
		w->l->runq[w->l->nrun++] = w;
	}
}

/* the first few failures are printed (to stderr) so that error counts come with a reason */
static void ld_worker_report(ld_worker_t *w, int why)
{
	ld_cfg_t *cfg = w->l->cfg;
	if (atomic_fetch_add(&cfg->errors_printed, 1) >= 5)
		return;
	const char *op = w->op == LD_OP_GET ? "GET" : "PUT";
	if (w->status)
		fprintf(stderr, "aisloader: %s %s: HTTP %d (endpoint %s)\n", op, w->path, w->status,
			cfg->eps[w->cur_ep].hostport);
	else
		fprintf(stderr, "aisloader: %s %s: %s (endpoint %s)\n", op, w->path, err_str(why),
			cfg->eps[w->cur_ep].hostport);
}

static void ld_worker_end(ld_worker_t *w, bool ok)
{
	ld_loop_t *l = w->l;
	int64_t lat = mono_ns() - w->t0;
	int64_t bytes = w->op == LD_OP_PUT ? w->size : w->rbody;
	ld_loop_record(l, w->op, ok, bytes, lat);
	if (ok && w->op == LD_OP_PUT)
		(void)ld_names_add(l->cfg->names, w->name);
	w->busy = false;
	w->cur = NULL;
	ld_worker_queue(w);
}

/* ---- requests ---- */

static void ld_s3_date(ld_loop_t *l)
{
	time_t now = time(NULL);
	if (now == l->s3_sec)
		return;
	l->s3_sec = now;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(l->amz_date, sizeof(l->amz_date), "%Y%m%dT%H%M%SZ", &tm);
	if (strncmp(l->date8, l->amz_date, 8)) {
		memcpy(l->date8, l->amz_date, 8);
		l->date8[8] = '\0';
		const ld_params_t *p = l->cfg->p;
		ld_sigv4_key(p->s3secretkey, l->date8, p->s3region, l->s3key);
	}
}

/* build the request line + headers of the current hop into w->req; 0 or -1 (too long) */
static int ld_worker_build(ld_worker_t *w, const ld_ep_t *e)
{
	ld_loop_t *l = w->l;
	const ld_cfg_t *cfg = l->cfg;
	const char *method = w->op == LD_OP_PUT ? "PUT" : "GET";
	int n = snprintf(w->req, sizeof(w->req), "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: aisloader\r\n", method,
			 w->path, e->hostport);
	if (n < 0 || (size_t)n >= sizeof(w->req))
		return -1;
	size_t o = (size_t)n;
#define LD_ADD(...)                                                                                                    \
	do {                                                                                                           \
		n = snprintf(w->req + o, sizeof(w->req) - o, __VA_ARGS__);                                             \
		if (n < 0 || (size_t)n >= sizeof(w->req) - o)                                                          \
			return -1;                                                                                     \
		o += (size_t)n;                                                                                        \
	} while (0)
	if (w->op == LD_OP_BATCH)
		LD_ADD("Content-Length: %lld\r\nContent-Type: application/json\r\n", (long long)w->size);
	if (w->op == LD_OP_PUT) {
		LD_ADD("Content-Length: %lld\r\nContent-Type: application/octet-stream\r\n", (long long)w->size);
		if (w->cksum[0])
			LD_ADD("Ais-Checksum-Type: %s\r\nAis-Checksum-Value: %s\r\n", cksum_type_str(cfg->cksum), w->cksum);
		if (w->expect)
			LD_ADD("Expect: 100-continue\r\n");
	}
	if (!cfg->s3 && cfg->p->bearer[0])
		LD_ADD("%s\r\n", cfg->p->bearer);
	if (cfg->s3 && cfg->p->s3accesskey[0]) {
		ld_s3_date(l);
		char auth[512];
		/* path and query split for the canonical request; our generated paths have no query */
		const ld_sigv4_hdr_t hd[] = {
			{"host", e->hostport}, {"x-amz-content-sha256", LD_SIGV4_UNSIGNED}, {"x-amz-date", l->amz_date}};
		if (ld_sigv4_auth(auth, sizeof(auth), l->s3key, cfg->p->s3accesskey, cfg->p->s3region, l->amz_date, method,
				  w->path, "", hd, 3, LD_SIGV4_UNSIGNED) < 0)
			return -1;
		LD_ADD("x-amz-content-sha256: " LD_SIGV4_UNSIGNED "\r\nx-amz-date: %s\r\nAuthorization: %s\r\n", l->amz_date,
		       auth);
	}
	LD_ADD("\r\n");
#undef LD_ADD
	w->req_len = o;
	return 0;
}

static void ld_worker_fail(ld_worker_t *w, int why);
static void ld_worker_write(ld_worker_t *w);
static void ld_worker_read(ld_worker_t *w);
static void ld_worker_response(ld_worker_t *w);

/* the op failed in a way worth another try (the endpoint refused the connection: a target that
 * just died, before the proxy marks it suspect; or 503 with Retry-After: the proxy while it is
 * suspect): sleep wait_ms, then start over from the first hop. Both GET and PUT are idempotent
 * here (a PUT body comes from the shared buffer). false when the op is out of retries. */
static bool ld_worker_retry(ld_worker_t *w, int64_t wait_ms)
{
	if (w->attempts >= LD_RETRIES || atomic_load_explicit(&w->l->cfg->stop, memory_order_relaxed))
		return false;
	w->attempts++;
	w->cur = NULL; /* (the failed connection is closed; a kept-alive one stays for later ops) */
	w->sleeping = true;
	w->wake_ns = mono_ns() + (wait_ms > LD_RETRY_MAX_MS ? LD_RETRY_MAX_MS : wait_ms) * 1000000LL;
	return true;
}

/* start the current hop (w->path) towards endpoint ep */
static void ld_loop_event(struct ld_loop *l, ld_conn_t *c, uint32_t ev);

static void ld_worker_send(ld_worker_t *w, int ep)
{
	ld_conn_t *c = &w->conns[ep];
	const ld_cfg_t *cfg = w->l->cfg;
	w->cur_ep = ep;
	w->refused = false;
	w->expect = w->op == LD_OP_PUT && ep == 0 && !cfg->s3 && w->size > LD_EXPECT_MIN;
	if (ld_worker_build(w, &cfg->eps[ep])) {
		ld_worker_fail(w, AIS_ETOOBIG);
		return;
	}
	if (c->fd >= 0) {
		c->reused = true;
	} else {
		int rc = ld_conn_open(w, c, ep);
		if (rc) {
			w->status = 0;
			if (w->refused && ld_worker_retry(w, 100LL * (w->attempts + 1)))
				return;
			ld_worker_report(w, rc);
			ld_worker_end(w, false);
			return;
		}
	}
	c->got_bytes = false;
	w->cur = c;
	w->req_off = 0;
	w->body_off = 0;
	w->writing = true;
	w->wait_continue = w->send_rest = false;
	w->status = 0;
	w->rbody = 0;
	w->msg_done = false;
	w->ka = false;
	w->in_value = false;
	w->hfield_len = 0;
	w->loc_len = 0;
	w->loc[0] = '\0';
	w->is_ra = false;
	w->retry_after = -1;
	if (!c->connecting && !c->handshaking)
		ld_worker_write(w);
	else if (!c->connecting && c->handshaking)
		ld_loop_event(w->l, c, EPOLLOUT); /* connected at once: start the handshake */
}

static void ld_worker_write(ld_worker_t *w)
{
	ld_conn_t *c = w->cur;
	const ld_cfg_t *cfg = w->l->cfg;
	while (w->writing && !w->wait_continue) {
		struct iovec iov[3];
		int n = 0;
		if (w->req_off < w->req_len)
			iov[n++] = (struct iovec){w->req + w->req_off, w->req_len - w->req_off};
		bool body = w->op != LD_OP_GET && !(w->expect && w->req_off < w->req_len);
		int64_t left = body ? w->size - w->body_off : 0;
		size_t pos = (w->body_start + (size_t)w->body_off) % cfg->rlen;
		if (w->op == LD_OP_BATCH && left > 0) {
			iov[n++] = (struct iovec){w->bbody + w->body_off, (size_t)left};
			left = 0;
		}
		for (int k = 0; k < 2 && left > 0; k++) {
			size_t len = cfg->rlen - pos;
			if ((int64_t)len > left)
				len = (size_t)left;
			iov[n++] = (struct iovec){(void *)(cfg->rbuf + pos), len};
			left -= (int64_t)len;
			pos = 0;
		}
		if (n == 0) {
			w->writing = false;
			break;
		}
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t wr = c->ssl ? tls_writev(c->ssl, iov, n, NULL) : sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (wr < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			/* the server may have answered (e.g. a redirect) and closed: read what is there */
			w->writing = false;
			if (w->send_rest) { /* the answer is in already */
				w->send_rest = false;
				w->ka = false;
				ld_worker_response(w);
				return;
			}
			ld_worker_read(w);
			return;
		}
		size_t h = w->req_len - w->req_off;
		if ((size_t)wr <= h) {
			w->req_off += (size_t)wr;
		} else {
			w->req_off = w->req_len;
			w->body_off += (int64_t)((size_t)wr - h);
		}
		if (w->req_off == w->req_len && w->expect && w->body_off == 0 && !w->wait_continue) {
			w->wait_continue = true; /* headers out; the body waits for 100 Continue */
			return;
		}
		if (w->req_off == w->req_len && (w->op == LD_OP_GET || w->body_off >= w->size))
			w->writing = false;
	}
	if (!w->writing && w->send_rest) {
		w->send_rest = false;
		ld_worker_response(w);
	}
}

/* op failed on the current connection: retry once if a reused keep-alive connection went stale */
static void ld_worker_fail(ld_worker_t *w, int why)
{
	ld_conn_t *c = w->cur;
	w->status = 0;
	bool stale = c && c->reused && !c->got_bytes && w->retries == 0 && why != AIS_ETIMEOUT && why != AIS_ETOOBIG;
	if (c)
		ld_conn_close(c);
	if (stale) {
		w->retries++;
		ld_worker_send(w, w->cur_ep);
		return;
	}
	if (w->refused && ld_worker_retry(w, 100LL * (w->attempts + 1)))
		return;
	ld_worker_report(w, why);
	ld_worker_end(w, false);
}

static void ld_worker_response(ld_worker_t *w)
{
	ld_conn_t *c = w->cur;
	ld_cfg_t *cfg = w->l->cfg;
	llhttp_resume(&c->parser);
	if (w->status == 100 && w->wait_continue) {
		/* interim response: send the body, then parse the final one */
		w->wait_continue = false;
		w->msg_done = false;
		w->status = 0;
		ld_worker_write(w);
		return;
	}
	if (w->wait_continue && w->ka) {
		/* a final answer (the proxy's 307) before 100 Continue that keeps the connection: the
		 * server reads and drops the body, so it goes out before the connection is reused */
		w->wait_continue = false;
		w->send_rest = true;
		ld_worker_write(w);
		return;
	}
	if (!w->ka || w->writing)
		ld_conn_close(c); /* the server closes, or we abandoned a half-sent body */
	int st = w->status;
	if (st >= 300 && st < 400 && w->loc_len > 0 && w->hops < LD_MAX_HOPS) {
		char host[256];
		int port;
		const char *rest;
		if (ld_ep_split(w->loc, host, sizeof(host), &port, &rest) == 0) {
			int ep = ld_ep_find(cfg->eps, cfg->neps, host, strlen(host), port);
			if (ep >= 0 && strlen(rest) < sizeof(w->path)) {
				memmove(w->path, rest, strlen(rest) + 1);
				w->hops++;
				w->retries = 0;
				ld_worker_send(w, ep);
				return;
			}
			if (ep < 0 && atomic_fetch_add(&cfg->redirect_unknown, 1) == 0)
				fprintf(stderr, "aisloader: redirect to %s: not a node of the Smap read at start\n", w->loc);
		}
		ld_worker_report(w, AIS_EINVAL);
		ld_worker_end(w, false);
		return;
	}
	if (st == 503 && w->retry_after >= 0 && ld_worker_retry(w, (int64_t)w->retry_after * 1000))
		return;
	if (st < 200 || st >= 300)
		ld_worker_report(w, AIS_EINVAL);
	ld_worker_end(w, st >= 200 && st < 300);
}

static void ld_worker_read(ld_worker_t *w)
{
	ld_conn_t *c = w->cur;
	char *buf = w->l->rbuf;
	for (;;) {
		ssize_t n = c->ssl ? tls_read(c->ssl, buf, LD_RBUF, NULL) : recv(c->fd, buf, LD_RBUF, 0);
		if (n > 0) {
			c->got_bytes = true;
			enum llhttp_errno e = llhttp_execute(&c->parser, buf, (size_t)n);
			if (e != HPE_OK && e != HPE_PAUSED) {
				ld_worker_fail(w, AIS_EINVAL);
				return;
			}
			if (w->msg_done) {
				ld_worker_response(w);
				return;
			}
			if ((size_t)n < LD_RBUF && !c->ssl)
				return; /* drained; edge-triggered epoll reports the next bytes (TLS: a
					 * short read is one record, EAGAIN says drained) */
			continue;
		}
		if (n == 0) {
			enum llhttp_errno fe = c->got_bytes ? llhttp_finish(&c->parser) : HPE_OK;
			if (c->got_bytes && (fe == HPE_OK || fe == HPE_PAUSED) && w->msg_done) {
				w->ka = false;
				ld_worker_response(w);
				return;
			}
			ld_worker_fail(w, AIS_EIO);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			ld_worker_fail(w, err_from_errno(errno));
		return;
	}
}

/* ---- ops ---- */

/* GetBatch: a MossReq of get-batchsize names from the k-th on (the listed names, in their
 * shuffled order) into w->bbody; w->size its length. 0 or -1 (out of memory). */
static int ld_worker_batch(ld_worker_t *w, size_t k)
{
	const ld_cfg_t *cfg = w->l->cfg;
	size_t nn = ld_names_len(cfg->names);
	sbuf_t b = SBUF_INIT;
	sbuf_adds(&b, "{\"in\":[");
	for (int64_t i = 0; i < cfg->p->get_batchsize; i++) {
		const char *nm = ld_names_at(cfg->names, (k + (size_t)i) % nn);
		sbuf_adds(&b, i ? ",{\"objname\":\"" : "{\"objname\":\"");
		for (const char *c = nm; *c; c++) { /* JSON string escaping */
			if (*c == '"' || *c == '\\')
				sbuf_addf(&b, "\\%c", *c);
			else if ((unsigned char)*c < 0x20)
				sbuf_addf(&b, "\\u%04x", (unsigned char)*c);
			else
				sbuf_add(&b, c, 1);
		}
		sbuf_adds(&b, "\"}");
	}
	sbuf_addf(&b, "],\"strm\":true%s}", cfg->p->cont_on_err ? ",\"coer\":true" : "");
	if (b.oom) {
		sbuf_fini(&b);
		return -1;
	}
	free(w->bbody);
	w->bbody = sbuf_take(&b);
	w->size = (int64_t)strlen(w->bbody);
	return 0;
}

static void ld_worker_next(ld_worker_t *w)
{
	ld_loop_t *l = w->l;
	ld_cfg_t *cfg = l->cfg;
	const ld_params_t *p = cfg->p;
	if (atomic_load_explicit(&cfg->stop, memory_order_relaxed)) {
		for (int i = 0; i < cfg->neps; i++)
			ld_conn_close(&w->conns[i]);
		w->stopped = true;
		l->active--;
		return;
	}
	size_t nnames = ld_names_len(cfg->names);
	int op = (p->pctput > 0 && (int)ld_names_rand_below(&l->rng, 100) < p->pctput) ? LD_OP_PUT : LD_OP_GET;
	if (op == LD_OP_GET && nnames == 0)
		op = LD_OP_PUT; /* nothing to read yet (mixed workload on an empty bucket) */
	if (op == LD_OP_PUT) {
		int64_t sz = p->minsize;
		if (p->maxsize > p->minsize)
			sz += (int64_t)ld_names_rand_below(&l->rng, (uint64_t)(p->maxsize - p->minsize + 1));
		if (p->maxputs > 0 && atomic_fetch_add(&cfg->puts_issued, 1) >= p->maxputs)
			goto stop;
		if (p->totalputsize > 0 && atomic_fetch_add(&cfg->put_bytes_issued, sz) >= p->totalputsize)
			goto stop;
		w->size = sz;
		if (ld_names_gen(w->name, sizeof(w->name), cfg->name_prefix, LD_OBJ_LEN, &l->rng) < 0)
			goto stop;
		w->body_start = (size_t)ld_names_rand_below(&l->rng, cfg->rlen);
		w->cksum[0] = '\0';
		if (cfg->cksum != CKSUM_NONE && !cfg->s3) {
			cksum_t ck;
			cksum_init(&ck, cfg->cksum);
			int64_t left = sz;
			size_t pos = w->body_start;
			while (left > 0) {
				size_t len = cfg->rlen - pos;
				if ((int64_t)len > left)
					len = (size_t)left;
				cksum_update(&ck, cfg->rbuf + pos, len);
				left -= (int64_t)len;
				pos = 0;
			}
			cksum_final(&ck, w->cksum);
		}
	} else {
		/* a GetBatch request reads get-batchsize objects: it counts that many toward -epochs */
		int64_t i = atomic_fetch_add(&cfg->gets_issued, p->get_batchsize > 0 ? p->get_batchsize : 1);
		if (p->epochs > 0 && cfg->nlisted > 0 && i >= p->epochs * (int64_t)cfg->nlisted)
			goto stop;
		size_t k;
		if (p->pctput == 0 && cfg->nlisted > 0)
			k = (size_t)i % cfg->nlisted; /* read-only: every object once per pass, shuffled order */
		else
			k = (size_t)ld_names_rand_below(&l->rng, nnames);
		snprintf(w->name, sizeof(w->name), "%s", ld_names_at(cfg->names, k));
		w->size = 0;
		if (p->get_batchsize > 0) {
			op = LD_OP_BATCH;
			if (ld_worker_batch(w, k))
				goto stop;
		}
	}
	w->op = op;
	w->busy = true;
	w->hops = 0;
	w->retries = 0;
	w->attempts = 0;
	w->sleeping = false;
	/* generated names are the prefix + [a-zA-Z0-9]: only the prefix needs encoding (done once);
	 * listed names are encoded here */
	int n;
	if (op == LD_OP_PUT) {
		n = snprintf(w->path, sizeof(w->path), "%s%s%s", cfg->obj_prefix, cfg->name_prefix_enc,
			     w->name + strlen(cfg->name_prefix));
	} else if (op == LD_OP_BATCH) {
		n = snprintf(w->path, sizeof(w->path), "%s", cfg->moss_path);
	} else {
		char *enc = url_encode(w->name, true);
		n = enc ? snprintf(w->path, sizeof(w->path), "%s%s", cfg->obj_prefix, enc) : -1;
		free(enc);
	}
	w->t0 = mono_ns();
	if (n < 0 || (size_t)n >= sizeof(w->path)) {
		ld_worker_end(w, false);
		return;
	}
	int ep = 0;
	if (cfg->smap && op != LD_OP_BATCH) {
		const snode_t *t = smap_owner_of(cfg->smap, "ais", "", p->bucket, w->name);
		if (!t) {
			ld_worker_end(w, false);
			return;
		}
		ep = cfg->tgt_ep[t - cfg->smap->targets];
	}
	memcpy(w->path0, w->path, sizeof(w->path0));
	w->ep0 = ep;
	ld_worker_send(w, ep);
	return;
stop:
	atomic_store(&cfg->stop, 1);
	ld_worker_next(w); /* stops it (one level: stop is set now) */
}

/* ---- the loop ---- */

static void ld_loop_event(ld_loop_t *l, ld_conn_t *c, uint32_t ev)
{
	ld_worker_t *w = c->w;
	if (c->fd < 0)
		return;
	if (c != w->cur) {
		/* idle keep-alive connection: the only news can be that the peer closed it */
		char b[256];
		ssize_t n = c->ssl ? tls_read(c->ssl, b, sizeof(b), NULL) : recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (ev & (EPOLLERR | EPOLLHUP)))
			ld_conn_close(c);
		return;
	}
	if (c->connecting) {
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		int err = 0;
		socklen_t el = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			w->refused = err == ECONNREFUSED;
			ld_worker_fail(w, err_from_errno(err));
			return;
		}
		c->connecting = false;
		if (!c->ssl) {
			ld_worker_write(w);
			if (w->cur != c || c->fd < 0)
				return;
		}
	}
	if (c->handshaking) { /* https: the handshake, then the request goes out */
		if (tls_handshake(c->ssl, &c->hs_ww)) {
			if (errno != EAGAIN)
				ld_worker_fail(w, AIS_EUNAVAIL);
			return;
		}
		c->handshaking = false;
		ld_worker_write(w);
		if (w->cur != c || c->fd < 0)
			return;
	}
	if ((ev & EPOLLOUT) && w->writing)
		ld_worker_write(w);
	if (w->cur == c && c->fd >= 0 && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		ld_worker_read(w);
}

/* start over the ops whose retry wait is over; returns ms until the next wake (or 100) */
static int ld_loop_wake(ld_loop_t *l, int64_t now)
{
	int64_t next = 100;
	for (int i = 0; i < l->nw; i++) {
		ld_worker_t *w = &l->w[i];
		if (!w->sleeping)
			continue;
		if (w->wake_ns <= now) {
			w->sleeping = false;
			w->hops = 0;
			w->retries = 0;
			memcpy(w->path, w->path0, sizeof(w->path));
			ld_worker_send(w, w->ep0);
		} else if ((w->wake_ns - now) / 1000000 < next) {
			next = (w->wake_ns - now) / 1000000;
		}
	}
	return (int)next;
}

static void ld_loop_timeouts(ld_loop_t *l, int64_t now)
{
	int64_t to = l->cfg->p->timeout_ns;
	if (to <= 0)
		return;
	for (int i = 0; i < l->nw; i++) {
		ld_worker_t *w = &l->w[i];
		if (w->busy && now - w->t0 > to) {
			w->sleeping = false;
			w->refused = false;
			ld_worker_fail(w, AIS_ETIMEOUT);
		}
	}
}

static void *ld_loop_main(void *arg)
{
	ld_loop_t *l = arg;
	struct epoll_event evs[256];
	int64_t last_check = mono_ns();
	for (int i = 0; i < l->nw; i++)
		ld_worker_queue(&l->w[i]);
	while (l->active > 0) {
		/* runnable workers start their next op; new ones may queue meanwhile (end of a failed op) */
		for (int guard = 0; l->nrun > 0 && guard < 4; guard++) {
			int n = l->nrun;
			ld_worker_t *batch[n];
			memcpy(batch, l->runq, sizeof(batch[0]) * (size_t)n);
			l->nrun = 0;
			for (int i = 0; i < n; i++) {
				batch[i]->queued = false;
				ld_worker_next(batch[i]);
			}
		}
		if (l->active == 0)
			break;
		int wait = ld_loop_wake(l, mono_ns());
		int n = epoll_wait(l->epfd, evs, 256, l->nrun ? 0 : wait);
		for (int i = 0; i < n; i++)
			ld_loop_event(l, evs[i].data.ptr, evs[i].events);
		int64_t now = mono_ns();
		if (now - last_check > 100000000LL) {
			last_check = now;
			ld_loop_timeouts(l, now);
		}
	}
	atomic_store(&l->done, true);
	return NULL;
}

ld_loop_t *ld_loop_new(ld_cfg_t *cfg, int id, int nworkers, uint64_t seed)
{
	ld_loop_t *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = cfg;
	l->id = id;
	l->nw = nworkers;
	l->active = nworkers;
	l->rng = seed;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->w = calloc((size_t)nworkers, sizeof(*l->w));
	l->runq = calloc((size_t)nworkers, sizeof(*l->runq));
	l->rbuf = malloc(LD_RBUF);
	pthread_mutex_init(&l->mu, NULL);
	if (l->epfd < 0 || !l->w || !l->runq || !l->rbuf)
		goto fail;
	llhttp_settings_init(&l->settings);
	l->settings.on_header_field = ld_on_hfield;
	l->settings.on_header_value = ld_on_hvalue;
	l->settings.on_headers_complete = ld_on_headers_complete;
	l->settings.on_body = ld_on_body;
	l->settings.on_message_complete = ld_on_message_complete;
	for (int i = 0; i < nworkers; i++) {
		ld_worker_t *w = &l->w[i];
		w->l = l;
		w->conns = calloc((size_t)cfg->neps, sizeof(*w->conns));
		if (!w->conns)
			goto fail;
		for (int k = 0; k < cfg->neps; k++) {
			w->conns[k].fd = -1;
			w->conns[k].w = w;
		}
	}
	return l;
fail:
	ld_loop_free(l);
	return NULL;
}

int ld_loop_start(ld_loop_t *l)
{
	if (pthread_create(&l->th, NULL, ld_loop_main, l))
		return AIS_EINTERNAL;
	l->started = true;
	return 0;
}

bool ld_loop_done(ld_loop_t *l)
{
	return atomic_load(&l->done);
}

void ld_loop_join(ld_loop_t *l)
{
	if (l->started) {
		pthread_join(l->th, NULL);
		l->started = false;
	}
}

void ld_loop_take(ld_loop_t *l, ld_stat_t *out)
{
	pthread_mutex_lock(&l->mu);
	for (int i = 0; i < LD_NOPS; i++) {
		ld_stat_merge(&out[i], &l->ival[i]);
		ld_stat_reset(&l->ival[i]);
	}
	pthread_mutex_unlock(&l->mu);
}

void ld_loop_hist(ld_loop_t *l, ld_hist_t *out)
{
	pthread_mutex_lock(&l->mu);
	for (int i = 0; i < LD_NOPS; i++)
		ld_hist_merge(&out[i], &l->hist[i]);
	pthread_mutex_unlock(&l->mu);
}

void ld_loop_free(ld_loop_t *l)
{
	if (!l)
		return;
	ld_loop_join(l);
	if (l->w) {
		for (int i = 0; i < l->nw; i++) {
			free(l->w[i].bbody);
			if (!l->w[i].conns)
				continue;
			for (int k = 0; k < l->cfg->neps; k++)
				ld_conn_close(&l->w[i].conns[k]);
			free(l->w[i].conns);
		}
	}
	if (l->epfd >= 0)
		close(l->epfd);
	pthread_mutex_destroy(&l->mu);
	free(l->w);
	free(l->runq);
	free(l->rbuf);
	free(l);
}
