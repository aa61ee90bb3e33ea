/* http_uppool: upstream connections of a loop (for proxied requests, http_upstream.c): the
 * keep-alive pool of idle ones per "host:port" (most recently used first), non-blocking connects,
 * liveness of pooled connections, the idle timeout, closing (freed after the event batch), the
 * upstream address (URL parsing, resolution), and the fuzzing seam's socketless connections.
 * Invariants: loop thread only; a connection is on exactly one of the loop's lists - idle (no
 * exchange), busy (one exchange), grave (closed, freed by http_uppool_bury after the batch, since
 * epoll may still report it in the current batch); an idle connection is registered with epoll
 * (edge-triggered), so the upstream closing it is seen without a request. Must not: know about
 * exchanges beyond the u->x back-pointer, block (but see http_uppool_addr). */
#include "core/err.h"
#include "net/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UP_IDLE_NS (20 * 1000000000LL) /* pooled connections close after this (servers keep 60 s) */
#define UP_MAX_IDLE 256                /* pooled connections per loop */

/* fuzzing (http_fuzz_feed_upstream): connections without a socket read the upstream's bytes
 * from here, in varying steps; what they would write is dropped. Set only by the fuzz seam. */
static _Thread_local struct {
	const uint8_t *p;
	size_t len, step;
	bool on;
} up_fz;

void http_uppool_fuzz_source(const uint8_t *data, size_t len, size_t step)
{
	up_fz.p = data;
	up_fz.len = len;
	up_fz.step = step ? step : 1;
	up_fz.on = data != NULL;
}

ssize_t http_uppool_recv(http_up_t *u, char *buf, size_t cap)
{
	if (u->fd >= 0 && u->ssl) {
		ssize_t n = tls_read(u->ssl, buf, cap, NULL);
		if (n < 0 && errno == EAGAIN)
			errno = EWOULDBLOCK;
		return n;
	}
	if (u->fd >= 0)
		return read(u->fd, buf, cap);
	size_t n = up_fz.len < up_fz.step ? up_fz.len : up_fz.step;
	n = n < cap ? n : cap;
	memcpy(buf, up_fz.p, n);
	up_fz.p += n;
	up_fz.len -= n;
	up_fz.step = up_fz.step * 7 % 4093 + 1;
	return (ssize_t)n; /* 0 at the end of the input: the upstream closed */
}

ssize_t http_uppool_send(http_up_t *u, const void *p, size_t n)
{
	if (u->ssl)
		return tls_write(u->ssl, p, n, NULL);
	return send(u->fd, p, n, MSG_NOSIGNAL);
}

/* ---------------------------------------------------------------- lists */

static void up_unlink(http_up_t **head, http_up_t *u)
{
	if (u->prev)
		u->prev->next = u->next;
	else if (*head == u)
		*head = u->next;
	if (u->next)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
}

static void up_push(http_up_t **head, http_up_t *u)
{
	u->prev = NULL;
	u->next = *head;
	if (*head)
		(*head)->prev = u;
	*head = u;
}

/* close u (off the idle/busy lists already); freed after the event batch */
static void up_close(http_up_t *u)
{
	tls_free(u->ssl);
	u->ssl = NULL;
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->dead = true; /* (a fuzzing connection never had a socket) */
	u->x = NULL;
	up_push(&u->loop->up_grave, u);
}

void http_uppool_bury(http_loop_t *l)
{
	while (l->up_grave) {
		http_up_t *u = l->up_grave;
		l->up_grave = u->next;
		free(u);
	}
}

/* an idle connection the upstream has not closed (nor sent anything on) */
static bool up_alive(const http_up_t *u)
{
	char b;
	ssize_t n = recv(u->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* ---------------------------------------------------------------- take, connect, release */

http_up_t *http_uppool_take(http_loop_t *l, const char *key, bool probe)
{
	http_up_t *u, *next;
	for (u = l->up_idle; u; u = next) {
		next = u->next;
		if (strcmp(u->key, key))
			continue;
		up_unlink(&l->up_idle, u);
		l->up_nidle--;
		if (probe && !up_alive(u)) {
			up_close(u);
			continue;
		}
		up_push(&l->up_busy, u);
		u->reused = true;
		u->writable = true;
		u->last_ns = l->now;
		return u;
	}
	return NULL;
}

int http_uppool_connect(http_loop_t *l, const char *key, const struct sockaddr_storage *sa, socklen_t salen,
			http_up_t **out, char *why, size_t whycap)
{
	*out = NULL;
	http_up_t *u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(why, whycap, "out of memory");
		return AIS_ENOMEM;
	}
	u->kind = HTTP_EV_UP;
	u->loop = l;
	u->fd = -1;
	u->last_ns = l->now;
	snprintf(u->key, sizeof(u->key), "%s", key);
	if (up_fz.on) { /* fuzzing: connected at once, reads come from up_fz */
		u->readable = u->hup = u->writable = true;
		up_push(&l->up_busy, u);
		*out = u;
		return 0;
	}
	int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, whycap, "socket: %s", strerror(errno));
		free(u);
		return AIS_EUNAVAIL;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc;
	do
		rc = connect(fd, (const struct sockaddr *)sa, salen);
	while (rc < 0 && errno == EINTR);
	if (rc < 0 && errno != EINPROGRESS) {
		snprintf(why, whycap, "connect to %s: %s", key, strerror(errno));
		close(fd);
		free(u);
		return AIS_EUNAVAIL;
	}
	u->fd = fd;
	u->connecting = rc < 0;
	size_t kl = strlen(key);
	if (kl > 2 && !strcmp(key + kl - 2, "|s")) { /* https: the handshake follows the connect */
		char host[64];
		const char *h = key, *e = strrchr(key, ':');
		if (*h == '[')
			h++, e = strchr(key, ']');
		snprintf(host, sizeof(host), "%.*s", (int)(e && e > h ? e - h : 0), h);
		u->ssl = tls_client_new(fd, host);
		if (!u->ssl) {
			snprintf(why, whycap, "connect to %s: cannot set up TLS", key);
			close(fd);
			free(u);
			return AIS_EUNAVAIL;
		}
		u->connecting = u->handshaking = true;
		if (!rc) {
			bool ww;
			(void)tls_handshake(u->ssl, &ww); /* ClientHello out now; the answer comes as an event */
		}
	}
	u->writable = !u->connecting;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = u};
	if (l->epfd >= 0 && epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		snprintf(why, whycap, "epoll_ctl: %s", strerror(errno));
		up_close(u);
		return AIS_EUNAVAIL;
	}
	up_push(&l->up_busy, u);
	*out = u;
	return 0;
}

int http_uppool_connected(http_up_t *u, char *why, size_t whycap)
{
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &el))
		err = errno;
	if (!err && u->ssl) {
		bool ww = false;
		if (tls_handshake(u->ssl, &ww)) {
			if (errno == EAGAIN)
				return EINPROGRESS;
			err = errno ? errno : EPROTO;
			snprintf(why, whycap, "TLS handshake with %s failed", u->key);
		}
		u->handshaking = false;
	} else if (err) {
		snprintf(why, whycap, "connect to %s: %s", u->key, strerror(err));
	}
	u->connecting = false;
	if (!err)
		u->writable = true;
	return err;
}

void http_uppool_release(http_up_t *u, bool reuse)
{
	http_loop_t *l = u->loop;
	up_unlink(&l->up_busy, u);
	u->x = NULL;
	if (reuse && !u->hup && l->up_nidle < UP_MAX_IDLE && !atomic_load(&l->srv->stopping)) {
		u->last_ns = l->now;
		u->readable = false;
		up_push(&l->up_idle, u);
		l->up_nidle++;
		return;
	}
	up_close(u);
}

void http_uppool_idle_event(http_up_t *u, uint32_t ev)
{
	/* the upstream closed it (or sent something unasked): a writable edge alone means nothing */
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		up_unlink(&u->loop->up_idle, u);
		u->loop->up_nidle--;
		up_close(u);
	}
}

void http_uppool_sweep(http_loop_t *l)
{
	http_up_t *u, *next;
	for (u = l->up_idle; u; u = next) {
		next = u->next;
		if (l->now - u->last_ns > UP_IDLE_NS) {
			up_unlink(&l->up_idle, u);
			l->up_nidle--;
			up_close(u);
		}
	}
}

void http_uppool_fini(http_loop_t *l)
{
	while (l->up_idle) {
		http_up_t *u = l->up_idle;
		up_unlink(&l->up_idle, u);
		up_close(u);
	}
	l->up_nidle = 0;
	while (l->up_busy) { /* not expected: the client connections (and their exchanges) are gone */
		http_up_t *u = l->up_busy;
		up_unlink(&l->up_busy, u);
		if (u->x)
			http_upx_lost_upstream(u->x);
		up_close(u);
	}
}

/* ---------------------------------------------------------------- the upstream's address */

/* "http://host[:port][/...]" (or https:// with TLS on) -> host (brackets removed), port */
static int up_parse_url(const char *url, char *host, size_t cap, int *port, bool *tls)
{
	*tls = url && !strncasecmp(url, "https://", 8) && tls_on();
	if (!url || (strncasecmp(url, "http://", 7) && !*tls))
		return AIS_EINVAL;
	const char *h = url + (*tls ? 8 : 7), *end = h + strcspn(h, "/?#");
	const char *colon = NULL;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb)
			return AIS_EINVAL;
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		else if (rb + 1 != end)
			return AIS_EINVAL;
		if ((size_t)(rb - h - 1) >= cap)
			return AIS_EINVAL;
		memcpy(host, h + 1, (size_t)(rb - h - 1));
		host[rb - h - 1] = '\0';
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		const char *he = colon ? colon : end;
		if (he == h || (size_t)(he - h) >= cap)
			return AIS_EINVAL;
		memcpy(host, h, (size_t)(he - h));
		host[he - h] = '\0';
	}
	*port = *tls ? 443 : 80;
	if (colon) {
		char *pe;
		long v = strtol(colon + 1, &pe, 10);
		if (pe != end || v <= 0 || v > 65535)
			return AIS_EINVAL;
		*port = (int)v;
	}
	return 0;
}

#define UP_DNS_CACHE 8
#define UP_DNS_TTL_S 30

/* numeric addresses directly; names through getaddrinfo, which blocks: a small per-thread cache
 * keeps it off the common path (cluster URLs are normally IP addresses) */
static int up_resolve(const char *host, int port, struct sockaddr_storage *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	static _Thread_local struct {
		char host[64];
		time_t at;
		struct sockaddr_storage sa;
		socklen_t len;
	} cache[UP_DNS_CACHE];
	static _Thread_local unsigned cache_next;
	time_t now = time(NULL);
	for (int i = 0; i < UP_DNS_CACHE; i++) {
		if (cache[i].len && now - cache[i].at < UP_DNS_TTL_S && !strcmp(cache[i].host, host)) {
			memcpy(sa, &cache[i].sa, cache[i].len);
			*len = cache[i].len;
			goto port;
		}
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	if (getaddrinfo(host, NULL, &hints, &ai) || !ai)
		return AIS_EUNAVAIL;
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (strlen(host) < sizeof(cache[0].host)) {
		unsigned k = cache_next++ % UP_DNS_CACHE;
		snprintf(cache[k].host, sizeof(cache[k].host), "%s", host);
		cache[k].at = now;
		memcpy(&cache[k].sa, sa, *len);
		cache[k].len = *len;
	}
port:
	if (sa->ss_family == AF_INET)
		a4->sin_port = htons((uint16_t)port);
	else
		a6->sin6_port = htons((uint16_t)port);
	return 0;
}

int http_uppool_addr(const char *url, char *key, size_t keycap, struct sockaddr_storage *sa, socklen_t *salen,
		     char *why, size_t whycap)
{
	char host[64];
	int port;
	bool tls;
	if (up_parse_url(url, host, sizeof(host), &port, &tls)) {
		snprintf(why, whycap, "unsupported upstream URL %s", url ? url : "(null)");
		return AIS_EINVAL;
	}
	snprintf(key, keycap, strchr(host, ':') ? "[%s]:%d%s" : "%s:%d%s", host, port, tls ? "|s" : "");
	if (up_resolve(host, port, sa, salen)) {
		snprintf(why, whycap, "cannot resolve %s", host);
		return AIS_EUNAVAIL;
	}
	return 0;
}
