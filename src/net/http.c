/* http: the server: listeners (one SO_REUSEPORT socket per loop per port), loop threads (one
 * epoll each: accepts, connection events, upstream-connection events of proxied requests, the
 * post queue that brings responses and continuations and blocking-stream kicks back from other
 * threads via an eventfd, a once-a-second timeout sweep of client and upstream connections),
 * start/stop, and the fuzzing seams. Connections themselves live in http_conn.c, proxied
 * exchanges in http_upstream.c, upstream connections (the per-loop keep-alive pool) in
 * http_uppool.c.
 * Stop order: loops exit (dropping their connections), the pool drains, then whatever handlers
 * handed back is freed; nothing is freed while a handler still owns it. */
#include "net/http.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/http_fuzz.h"
#include "net/http_int.h"
#include "net/http_upstream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static _Thread_local http_loop_t *http_tls_loop;

http_loop_t *http_cur_loop(void) { return http_tls_loop; }

bool http_on_loop(void) { return http_tls_loop != NULL; }

static int64_t http_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---------------------------------------------------------------- loop */

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

static void http_loop_drain_posts(http_loop_t *l)
{
	uint64_t v;
	if (l->evfd >= 0) {
		ssize_t n = read(l->evfd, &v, sizeof(v));
		(void)n;
	}
	/* one at a time: a handler may post its connection again while we process it */
	for (;;) {
		pthread_mutex_lock(&l->post_mu);
		http_conn_t *c = l->post_head;
		if (c) {
			l->post_head = c->post_next;
			if (!l->post_head)
				l->post_tail = NULL;
			c->post_next = NULL;
			c->post_queued = false;
		}
		int flags = c ? c->post_flags : 0;
		if (c)
			c->post_flags = 0;
		pthread_mutex_unlock(&l->post_mu);
		if (!c)
			break;
		c->in_run = true;
		if (flags & HTTP_POST_CONT) {
			c->owner_pool = false;
			http_conn_apply_cont(c);
			if (!c->dead && c->msg_complete && !c->responded)
				http_conn_finish_body(c);
		}
		if (flags & HTTP_POST_STREAM)
			http_conn_stream_post(c);
		if (flags & HTTP_POST_RESUME)
			http_conn_stream_resume(c);
		if (flags & HTTP_POST_RESP)
			http_conn_responded(c);
		c->in_run = false;
		http_conn_kick(c);
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
						      !(c->body_mode == HTTP_BODY_STREAM && c->end_called) &&
						      !c->body_hold && /* paused by its stream handler */
						      /* a full stream ring waits for the handler, not the client */
						      !(c->body_mode == HTTP_BODY_PULL && !c->responded &&
							!http_strm_room(c, false)) &&
						      /* nor does a body the upstream has not taken yet */
						      !(c->body_mode == HTTP_BODY_PROXY && c->up_on &&
							!http_upx_room(c, false)))));
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
			else if (kind == HTTP_EV_UP)
				http_up_event(evs[i].data.ptr, evs[i].events);
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
			http_up_sweep(l);
			next_sweep = l->now + 1000000000LL;
		}
		http_loop_bury(l);
		http_uppool_bury(l);
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
	http_uppool_fini(l); /* the exchanges let go of their upstreams above; close the pool */
	http_loop_bury(l);
	http_uppool_bury(l);
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
	atomic_init(&s->stream_peak, 0);
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
		http_uppool_fini(l);
		http_loop_bury(l);
		http_uppool_bury(l);
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

/* ---------------------------------------------------------------- fuzzing seams */

/* a server with one loop and no threads, sockets or epoll, run on the calling thread */
typedef struct {
	http_server_t s;
	http_loop_t l;
	http_loop_t *saved;
} http_fuzz_env_t;

static void http_fuzz_env_init(http_fuzz_env_t *e, const http_config_t *cfg)
{
	memset(e, 0, sizeof(*e));
	e->s.cfg = *cfg;
	if (!e->s.cfg.max_head)
		e->s.cfg.max_head = 16 * 1024;
	if (e->s.cfg.io_timeout_ms <= 0)
		e->s.cfg.io_timeout_ms = 5 * 60 * 1000;
	e->s.cfg.server_name = NULL;
	atomic_init(&e->s.stopping, false);
	atomic_init(&e->s.stream_peak, 0);
	e->l.kind = HTTP_EV_WAKE;
	e->l.srv = &e->s;
	e->l.epfd = e->l.evfd = -1;
	pthread_mutex_init(&e->l.post_mu, NULL);
	e->s.loops = &e->l;
	e->s.nloops = 1;
	e->saved = http_tls_loop;
	http_tls_loop = &e->l;
}

/* drop the connection (and whatever it still holds), free everything */
static void http_fuzz_env_fini(http_fuzz_env_t *e, http_conn_t *c)
{
	if (c)
		http_conn_gone_top(c, AIS_EUNAVAIL);
	http_uppool_fini(&e->l);
	http_loop_bury(&e->l);
	http_uppool_bury(&e->l);
	if (e->l.conns) /* a handler kept the request: not expected from the fuzz dispatchers */
		http_conn_free(e->l.conns);
	http_tls_loop = e->saved;
	pthread_mutex_destroy(&e->l.post_mu);
}

void http_fuzz_feed(const http_config_t *cfg, const uint8_t *data, size_t len)
{
	http_fuzz_env_t e;
	http_fuzz_env_init(&e, cfg);
	http_conn_t *c = http_conn_new(&e.l, -1, 0);
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
	}
	http_fuzz_env_fini(&e, c);
}

static void http_fuzz_up_dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	http_hdr_add(r, "X-Handler", "1");
	http_upstream_t u = {.url = "http://127.0.0.1:9", .extra_hdrs = "X-Fz: 1\r\n"};
	http_proxy_pass(r, &u);
}

void http_fuzz_feed_upstream(const uint8_t *data, size_t len)
{
	static const char *const reqs[] = {
		"GET /o?x=1 HTTP/1.1\r\nHost: h\r\nConnection: X-A\r\nX-A: 1\r\n\r\n",
		"HEAD /o HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /o HTTP/1.0\r\n\r\n",
		"PUT /o HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	};
	unsigned flags = len ? data[0] : 0;
	if (len) {
		data++;
		len--;
	}
	http_config_t cfg = {.dispatch = http_fuzz_up_dispatch};
	http_fuzz_env_t e;
	http_fuzz_env_init(&e, &cfg);
	http_uppool_fuzz_source(data, len, (flags >> 2) * 61 + 1);
	http_conn_t *c = http_conn_new(&e.l, -1, 0);
	if (c) {
		snprintf(c->req.remote_addr, sizeof(c->req.remote_addr), "127.0.0.1:1");
		const char *q = reqs[flags & 3];
		size_t n = strlen(q);
		memcpy(c->rbuf, q, n);
		c->rlen = n;
		http_conn_run(c); /* the exchange reads the whole upstream input, then its close */
		if (!c->dead) {
			c->rd_eof = true;
			http_conn_run(c);
		}
	}
	http_fuzz_env_fini(&e, c);
	http_uppool_fuzz_source(NULL, 0, 0);
}
