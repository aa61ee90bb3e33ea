/* http: the server: listening sockets (one per port, bound without SO_REUSEPORT so a port in use
 * fails; shared by every loop with EPOLLEXCLUSIVE), loop threads (one epoll each: accepts,
 * connection events, upstream-connection events of proxied requests, the post queue that brings
 * responses and continuations and blocking-stream kicks back from other threads via an eventfd,
 * a once-a-second sweep: timeouts of client and upstream connections, the fd-shortage log line,
 * malloc_trim after a flood), the connection limit and fd shortage (close the longest-idle
 * connections, else shed the backlog through a reserve fd and pause accepting), the timeout
 * defaults and their environment overrides, start/stop, and the fuzzing seams. Connections
 * themselves live in http_conn.c (buffers from http_buf.c), proxied exchanges in
 * http_upstream.c, upstream connections (the per-loop keep-alive pool) in http_uppool.c.
 * Invariants: a loop touches only its own connections and its own registration of a listening
 * socket; the server closes the listening sockets after the loops are joined; server-wide
 * counters (open connections, fd-shortage events) are atomics.
 * Stop order: loops exit (dropping their connections), the pool drains, then whatever handlers
 * handed back is freed; nothing is freed while a handler still owns it. */
#include "net/http.h"
#include "core/err.h"
#include "core/log.h"
#include "core/memtrim.h"
#include "core/util.h"
#include "net/http_fuzz.h"
#include "net/http_int.h"
#include "net/http_upstream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
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

/* ---------------------------------------------------------------- accept, fd shortage */

/* the loop stops accepting for HTTP_ACCEPT_PAUSE_NS (its listeners leave its epoll set) */
static void http_loop_pause_accept(http_loop_t *l)
{
	for (int i = 0; i < l->nlis && !l->accept_paused; i++)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->lis[i].fd, NULL);
	l->accept_paused = true;
	l->accept_resume_ns = l->now + HTTP_ACCEPT_PAUSE_NS;
}

static void http_loop_resume_accept(http_loop_t *l)
{
	for (int i = 0; i < l->nlis; i++) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &l->lis[i]};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->lis[i].fd, &ev) && errno != EEXIST)
			log_warn("http: epoll_ctl (listener): %s", strerror(errno));
	}
	l->accept_paused = false;
}

/* close idle connections of this loop, longest idle first: 1/8 of the loop's connections, at
 * least one, at most HTTP_EVICT_BATCH (as nginx drains its reusable connections when it runs
 * out); idle = between requests (or never started one) with no bytes waiting to be read, or
 * lingering. The number closed. */
static int http_loop_evict(http_loop_t *l)
{
	int n = 0, scanned = 0, want = l->nconns / 8;
	want = want < 1 ? 1 : want > HTTP_EVICT_BATCH ? HTTP_EVICT_BATCH : want;
	http_conn_t *prev;
	for (http_conn_t *c = l->conns_tail; c && n < want && scanned < HTTP_EVICT_SCAN; c = prev) {
		prev = c->prev;
		scanned++;
		if (!http_conn_evictable(c))
			continue;
		char b;
		if (!c->lingering && c->fd >= 0 && recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
			continue; /* a request is on its way */
		http_conn_gone_top(c, 0);
		n++;
	}
	return n;
}

/* one line per HTTP_FDLOG_NS at most, however long the shortage lasts, with what was done: the
 * first event logs at once, the sweep logs what came after it once the window has passed */
static void http_fdlog(http_loop_t *l, int err)
{
	http_server_t *s = l->srv;
	if (err >= 0)
		atomic_store_explicit(&s->fd_err, err, memory_order_relaxed);
	else if (!atomic_load_explicit(&s->fd_short, memory_order_relaxed))
		return; /* the sweep, nothing since the last line */
	err = atomic_load_explicit(&s->fd_err, memory_order_relaxed);
	int64_t last = atomic_load_explicit(&s->fdlog_ns, memory_order_relaxed);
	if (last && l->now - last < HTTP_FDLOG_NS)
		return;
	if (!atomic_compare_exchange_strong(&s->fdlog_ns, &last, l->now ? l->now : 1))
		return;
	unsigned n = atomic_exchange(&s->fd_short, 0), ev = atomic_exchange(&s->fd_evicted, 0),
		 sh = atomic_exchange(&s->fd_shed, 0);
	log_warn("http: accept: %s (%d connections open, limit %d): %u times since the last such line; "
		 "closed %u idle connections, refused %u new ones (accepts pause %lld ms when nothing can be "
		 "closed; at most one line per %lld s)",
		 err ? strerror(err) : "connection limit reached", atomic_load(&s->nconns), s->max_conns, n, ev, sh,
		 (long long)(HTTP_ACCEPT_PAUSE_NS / 1000000), (long long)(HTTP_FDLOG_NS / 1000000000LL));
}

/* out of fds (err: EMFILE, ENFILE, ENOBUFS, ENOMEM; fd -1) or at the connection limit with a new
 * connection in hand (err 0, fd): make room by closing idle connections (true: go on accepting,
 * fd included); when none can be closed, shed fd and the connections waiting in the backlog
 * (accept and close each, through the reserve fd when the process is out of fds) so their
 * clients learn it now instead of hanging, and pause accepting for a while instead of spinning
 * on the error (false) */
static bool http_loop_make_room(http_loop_t *l, http_listener_t *li, int err, int fd)
{
	http_server_t *s = l->srv;
	atomic_fetch_add_explicit(&s->fd_short, 1, memory_order_relaxed);
	int freed = http_loop_evict(l);
	if (freed) {
		atomic_fetch_add_explicit(&s->fd_evicted, (unsigned)freed, memory_order_relaxed);
		http_fdlog(l, err);
		return true;
	}
	unsigned shed = 0;
	if (fd >= 0) {
		close(fd);
		shed++;
	} else if (l->reserve_fd >= 0) {
		close(l->reserve_fd);
		l->reserve_fd = -1;
	}
	while (shed < HTTP_SHED_BATCH && (fd = accept4(li->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		close(fd);
		shed++;
	}
	atomic_fetch_add_explicit(&s->fd_shed, shed, memory_order_relaxed);
	if (l->reserve_fd < 0)
		l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	http_loop_pause_accept(l);
	http_fdlog(l, err);
	return false;
}

/* EPOLLEXCLUSIVE wakes the first idle loop in the listening socket's wait queue, which is the
 * order the loops registered in: left alone, a lightly loaded server would take every connection
 * on its first loop. A loop that accepted re-registers, which puts it at the back of the queue,
 * so new connections go round the idle loops (busy ones are skipped: they are not waiting). */
static void http_loop_requeue(http_loop_t *l, http_listener_t *li)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = li};
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, li->fd, NULL) || epoll_ctl(l->epfd, EPOLL_CTL_ADD, li->fd, &ev))
		log_warn("http: epoll_ctl (listener requeue): %s", strerror(errno));
}

static void http_loop_accept(http_loop_t *l, http_listener_t *li)
{
	http_server_t *s = l->srv;
	bool took = false;
	for (int k = 0; k < HTTP_ACCEPT_BATCH && !l->accept_paused; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(li->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			if (e == EINTR || e == ECONNABORTED)
				continue;
			if (e == EAGAIN || e == EWOULDBLOCK)
				break;
			if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
				if (!http_loop_make_room(l, li, e, -1))
					break;
				continue;
			}
			atomic_fetch_add_explicit(&s->fd_short, 1, memory_order_relaxed);
			http_fdlog(l, e);
			http_loop_pause_accept(l); /* level-triggered: do not spin on it */
			return;
		}
		int n = atomic_load_explicit(&s->nconns, memory_order_relaxed);
		if (n >= s->max_conns && !http_loop_make_room(l, li, 0, fd))
			break; /* (fd shed) */
		if (n + 1 > atomic_load_explicit(&s->conns_peak, memory_order_relaxed))
			atomic_store_explicit(&s->conns_peak, n + 1, memory_order_relaxed);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		http_conn_t *c = http_conn_new(l, fd, li->port_idx);
		if (!c) {
			close(fd);
			continue;
		}
		if (tls_on() && !(c->ssl = tls_server_new(fd))) {
			http_conn_gone_top(c, 0);
			continue;
		}
		http_fmt_addr(&ss, c->req.remote_addr, sizeof(c->req.remote_addr));
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			log_warn("http: epoll_ctl: %s", strerror(errno));
			http_conn_gone_top(c, 0);
		}
		took = true;
	}
	if (took && s->nloops > 1 && !l->accept_paused)
		http_loop_requeue(l, li);
}

/* after a flood of connections ended, give the heap they used back to the OS (glibc keeps freed
 * memory in its arenas otherwise, and RSS stays at the flood's peak) */
static void http_server_trim(http_loop_t *l)
{
	http_server_t *s = l->srv;
	int n = atomic_load(&s->nconns), peak = atomic_load(&s->conns_peak);
	if (peak - n < HTTP_TRIM_DROP || !atomic_compare_exchange_strong(&s->conns_peak, &peak, n))
		return;
	memtrim_after(0, true); /* the end of a burst: trim whatever its size (rate-limited) */
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
	http_conn_t *next;
	for (http_conn_t *c = l->conns; c; c = next) {
		next = c->next;
		http_conn_sweep(c);
	}
	http_fdlog(l, -1);
	http_server_trim(l);
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
		int64_t wake = l->accept_paused && l->accept_resume_ns < next_sweep ? l->accept_resume_ns : next_sweep;
		int64_t wait_ms = (wake - l->now) / 1000000 + 1;
		if (wait_ms < 0)
			wait_ms = 0;
		int n = epoll_wait(l->epfd, evs, 256, l->ready ? 0 : (int)wait_ms);
		l->now = http_mono();
		if (l->accept_paused && l->now >= l->accept_resume_ns)
			http_loop_resume_accept(l);
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
	/* shutdown: stop accepting (the server closes the shared listening sockets after the
	 * loops are joined), drop every connection (stream handlers get end_cb) */
	if (!l->accept_paused)
		for (int i = 0; i < l->nlis; i++)
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->lis[i].fd, NULL);
	l->accept_paused = true;
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

static void http_config_defaults(http_config_t *cfg)
{
	if (!cfg->max_head)
		cfg->max_head = 16 * 1024;
	if (cfg->idle_timeout_ms <= 0)
		cfg->idle_timeout_ms = HTTP_IDLE_TIMEOUT_MS;
	if (cfg->io_timeout_ms <= 0)
		cfg->io_timeout_ms = 5 * 60 * 1000;
	if (cfg->header_timeout_ms <= 0)
		cfg->header_timeout_ms = HTTP_HEADER_TIMEOUT_MS;
	if (cfg->body_timeout_ms <= 0)
		cfg->body_timeout_ms = HTTP_BODY_TIMEOUT_MS;
	if (cfg->body_min_rate <= 0)
		cfg->body_min_rate = HTTP_BODY_MIN_RATE;
}

/* RLIMIT_NOFILE less a reserve for everything else the node opens (object files, intra-cluster
 * connections, logs): 1/8 of the limit, at least 64, at most 4096 */
static int http_default_max_conns(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	rlim_t n = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 24) ? (1u << 24) : rl.rlim_cur;
	if (n < 128)
		return (int)(n / 2);
	rlim_t reserve = n / 8 < 64 ? 64 : n / 8 > 4096 ? 4096 : n / 8;
	return (int)(n - reserve);
}

static void http_env_ms(const char *name, int *ms)
{
	const char *v = getenv(name);
	int64_t ns;
	if (!v || !*v)
		return;
	if (parse_duration(v, &ns) || ns <= 0 || ns / 1000000 > INT32_MAX) {
		log_err("http: invalid env %s=%s (expecting a positive duration, e.g. \"16s\"): ignored", name, v);
		return;
	}
	*ms = ns / 1000000 ? (int)(ns / 1000000) : 1;
}

void http_config_env(http_config_t *cfg)
{
	http_env_ms(HTTP_ENV_HEADER_TIMEOUT, &cfg->header_timeout_ms);
	http_env_ms(HTTP_ENV_BODY_TIMEOUT, &cfg->body_timeout_ms);
	http_env_ms(HTTP_ENV_IDLE_TIMEOUT, &cfg->idle_timeout_ms);
}

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
	http_config_defaults(&s->cfg);
	for (int i = 0; i < HTTP_MAX_PORTS; i++)
		s->lfd[i] = -1;
	s->max_conns = s->cfg.max_conns > 0 ? s->cfg.max_conns : http_default_max_conns();
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
		l->reserve_fd = -1;
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
		l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	return s;
fail:
	log_err("http: server init: %s", strerror(errno));
	http_server_stop(s);
	return NULL;
}

/* One listening socket per port, shared by every loop (EPOLLEXCLUSIVE: a new connection wakes
 * one idle loop, not all). Bound without SO_REUSEPORT, so a port another process (another
 * aisnode, another playground) listens on is an error here rather than a silent split of its
 * connections between the two. SO_REUSEADDR only lets a restart bind over TIME_WAIT leftovers. */
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
	int idx = s->nports, rc = 0, fd = -1, one = 1;
	struct sockaddr_storage ss;
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) || listen(fd, 4096)) {
		int e = errno;
		rc = e == EADDRINUSE ? AIS_EEXIST : err_from_errno(e);
		if (e == EADDRINUSE)
			log_err("http: listen on %s:%d: address in use (another process listens on this port)",
				host ? host : "*", port);
		else
			log_err("http: listen on %s:%d: %s", host ? host : "*", port, strerror(e));
		goto fail;
	}
	int actual = port;
	if (!actual) {
		socklen_t sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
			rc = AIS_EIO;
			goto fail;
		}
		actual = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	for (int i = 0; i < s->nloops; i++) {
		http_loop_t *l = &s->loops[i];
		http_listener_t *li = &l->lis[idx];
		li->kind = HTTP_EV_LISTEN;
		li->port_idx = idx;
		li->loop = l;
		li->fd = fd;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = li};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			log_err("http: epoll_ctl (listener %s:%d): %s", host ? host : "*", actual, strerror(errno));
			for (int k = 0; k < i; k++)
				epoll_ctl(s->loops[k].epfd, EPOLL_CTL_DEL, fd, NULL);
			rc = AIS_EIO;
			goto fail;
		}
	}
	freeaddrinfo(ai);
	s->lfd[idx] = fd;
	s->ports[idx] = actual;
	s->nports++;
	for (int i = 0; i < s->nloops; i++)
		s->loops[i].nlis = s->nports;
	return idx;
fail:
	freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
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
		http_buf_fini(l);
		http_tls_loop = NULL;
		if (l->epfd >= 0)
			close(l->epfd);
		if (l->evfd >= 0)
			close(l->evfd);
		if (l->reserve_fd >= 0)
			close(l->reserve_fd);
		pthread_mutex_destroy(&l->post_mu);
	}
	for (int i = 0; i < s->nports; i++)
		if (s->lfd[i] >= 0)
			close(s->lfd[i]);
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
	http_config_defaults(&e->s.cfg);
	e->s.cfg.server_name = NULL;
	e->s.max_conns = 1;
	atomic_init(&e->s.stopping, false);
	atomic_init(&e->s.stream_peak, 0);
	e->l.kind = HTTP_EV_WAKE;
	e->l.srv = &e->s;
	e->l.epfd = e->l.evfd = e->l.reserve_fd = -1;
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
	http_buf_fini(&e->l);
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
			if (!http_conn_rbuf(c))
				break;
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
		if (!http_conn_rbuf(c)) {
			http_fuzz_env_fini(&e, c);
			http_uppool_fuzz_source(NULL, 0, 0);
			return;
		}
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
