/* transport_conn: the connection of a send stream (used by its thread only): URL parsing,
 * connect with a timeout, the PUT head and the "100 Continue" handshake (the receiver accepted
 * the trname before any frame is written), writes that wait in poll() (socket, abort eventfd,
 * io timeout) and notice a peer that answers early, reading the peer's answer with llhttp, and
 * the graceful end (last chunk, 200). Must not touch the stream's queue or items.
 * Invariant: s->fd >= 0 exactly while a request is open; any failure closes it (tc_close), so
 * the next batch starts a new request. */
#include "transport/transport_int.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/isig.h"

#include <errno.h>
#include <jansson.h>
#include <llhttp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TC_HANDSHAKE_MS 10000 /* waiting for "100 Continue" at least this long */
#define TC_RESP_BODY 1024     /* bytes of an error response kept for the message */

/* "http://host[:port][/...]" (host may be "[v6]") into s->host, s->port */
int tc_parse_url(transport_stream_t *s, const char *url)
{
	const char *p = url;
	/* intra-cluster traffic is https exactly when net.http.use_https is on (net/tls.h) */
	s->tls = !strncmp(p, "https://", 8) && tls_on();
	if (strncmp(p, "http://", 7) && !s->tls)
		return AIS_EINVAL;
	p += s->tls ? 8 : 7;
	const char *hs = p, *he;
	if (*p == '[') {
		he = strchr(p, ']');
		if (!he)
			return AIS_EINVAL;
		hs = p + 1;
		p = he + 1;
	} else {
		p += strcspn(p, ":/");
		he = p;
	}
	size_t hl = (size_t)(he - hs);
	if (!hl || hl >= sizeof(s->host))
		return AIS_EINVAL;
	memcpy(s->host, hs, hl);
	s->host[hl] = '\0';
	long port = s->tls ? 443 : 80;
	if (*p == ':') {
		char *end;
		port = strtol(p + 1, &end, 10);
		if (end == p + 1 || port <= 0 || port > 65535 || (*end && *end != '/'))
			return AIS_EINVAL;
	} else if (*p && *p != '/') {
		return AIS_EINVAL;
	}
	snprintf(s->port, sizeof(s->port), "%ld", port);
	return 0;
}

typedef struct tc_resp {
	llhttp_t p;
	llhttp_settings_t set;
	int status;
	bool done;
	char body[TC_RESP_BODY + 1];
	size_t blen;
} tc_resp_t;

static int tc_resp_headers(llhttp_t *p)
{
	tc_resp_t *r = p->data;
	r->status = p->status_code;
	return 0;
}

static int tc_resp_body(llhttp_t *p, const char *at, size_t n)
{
	tc_resp_t *r = p->data;
	size_t k = TC_RESP_BODY - r->blen < n ? TC_RESP_BODY - r->blen : n;
	memcpy(r->body + r->blen, at, k);
	r->blen += k;
	r->body[r->blen] = '\0';
	return 0;
}

static int tc_resp_complete(llhttp_t *p)
{
	tc_resp_t *r = p->data;
	r->done = true;
	return HPE_PAUSED;
}

static void tc_resp_init(tc_resp_t *r)
{
	memset(r, 0, sizeof(*r));
	llhttp_settings_init(&r->set);
	r->set.on_headers_complete = tc_resp_headers;
	r->set.on_body = tc_resp_body;
	r->set.on_message_complete = tc_resp_complete;
	llhttp_init(&r->p, HTTP_RESPONSE, &r->set);
	r->p.data = r;
}

void tc_msg(transport_stream_t *s, char *msg, size_t cap, const char *fmt, ...)
{
	int n = snprintf(msg, cap, "transport %s -> %s: ", s->trname, s->url);
	if (n < 0 || (size_t)n >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}

void tc_close(transport_stream_t *s)
{
	tls_free(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

bool tc_aborting(transport_stream_t *s)
{
	pthread_mutex_lock(&s->mu);
	bool a = s->aborting;
	pthread_mutex_unlock(&s->mu);
	return a;
}

void tc_drain_evfd(transport_stream_t *s)
{
	uint64_t v;
	ssize_t n = read(s->evfd, &v, sizeof(v));
	(void)n;
}

/* wait for events on the socket (or an abort): 0 ready, AIS_ETIMEOUT, AIS_EUNAVAIL (aborted) */
int tc_poll(transport_stream_t *s, short events, int timeout_ms, short *revents)
{
	int64_t end = mono_ns() + (int64_t)timeout_ms * 1000000LL;
	for (;;) {
		struct pollfd pf[2] = {{.fd = s->fd, .events = events}, {.fd = s->evfd, .events = POLLIN}};
		int64_t left = (end - mono_ns()) / 1000000LL;
		if (left < 0)
			left = 0;
		int n = poll(pf, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return AIS_EIO;
		if (pf[1].revents) {
			tc_drain_evfd(s);
			if (tc_aborting(s))
				return AIS_EUNAVAIL;
		}
		if (pf[0].revents) {
			*revents = pf[0].revents;
			return 0;
		}
		if (!n || mono_ns() >= end)
			return AIS_ETIMEOUT;
	}
}

/* the error a refusing response stands for */
static int tc_status_rc(int status)
{
	switch (status) {
	case 404:
		return AIS_ENOTFOUND;
	case 400:
		return AIS_EINVAL;
	case 413:
	case 431:
		return AIS_ETOOBIG;
	case 503:
		return AIS_EUNAVAIL;
	default:
		return AIS_EIO;
	}
}

/* read one response (or its start) within timeout_ms. 0 with r->done, or AIS_E* (connection
 * closed, timeout, garbage); msg says what happened. */
static int tc_read_resp(transport_stream_t *s, tc_resp_t *r, int timeout_ms, char *msg, size_t cap)
{
	char buf[4096];
	for (;;) {
		short rev = 0;
		int rc = s->ssl && tls_pending(s->ssl) ? 0 : tc_poll(s, POLLIN | POLLRDHUP, timeout_ms, &rev);
		if (rc) {
			tc_msg(s, msg, cap, "%s waiting for the peer's response",
			       rc == AIS_ETIMEOUT ? "timed out" : "aborted");
			return rc;
		}
		ssize_t n = s->ssl ? tls_read(s->ssl, buf, sizeof(buf), NULL) : recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (!n && llhttp_finish(&r->p) == HPE_OK && r->done)
				return 0;
			tc_msg(s, msg, cap, "connection closed by the peer%s%s", n < 0 ? ": " : "",
			       n < 0 ? strerror(errno) : "");
			return AIS_EUNAVAIL;
		}
		llhttp_errno_t e = llhttp_execute(&r->p, buf, (size_t)n);
		if (r->done)
			return 0;
		if (e != HPE_OK) {
			tc_msg(s, msg, cap, "malformed response: %s", llhttp_errno_name(e));
			return AIS_EIO;
		}
	}
}

/* an error response: its AIStore JSON message, else the raw body */
static void tc_resp_msg(transport_stream_t *s, const tc_resp_t *r, char *msg, size_t cap)
{
	json_t *j = json_loadb(r->body, r->blen, 0, NULL);
	const char *m = j ? json_string_value(json_object_get(j, "message")) : NULL;
	tc_msg(s, msg, cap, "peer answered %d: %s", r->status, m ? m : r->blen ? r->body : "(no message)");
	json_decref(j);
}

/* the peer spoke while we were sending or idle: it refused or ended the stream */
int tc_peer_spoke(transport_stream_t *s, char *msg, size_t cap)
{
	tc_resp_t r;
	tc_resp_init(&r);
	int rc = tc_read_resp(s, &r, 1000, msg, cap);
	if (!rc) {
		tc_resp_msg(s, &r, msg, cap);
		rc = r.status == 200 ? AIS_EUNAVAIL : tc_status_rc(r.status);
	}
	tc_close(s);
	return rc;
}

/* anything readable now (an early response, a close)? */
bool tc_peer_pending(transport_stream_t *s)
{
	char c;
	if (s->ssl && tls_pending(s->ssl))
		return true;
	ssize_t n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n > 0 || n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* write all of iov (n entries; modified); *sent counts bytes written. 0 or AIS_E* */
int tc_writev(transport_stream_t *s, struct iovec *iov, int n, uint64_t *sent, char *msg, size_t cap)
{
	while (n) {
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t k = s->ssl ? tls_writev(s->ssl, iov, n, NULL) : sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0) {
			*sent += (uint64_t)k;
			while (n && (size_t)k >= iov->iov_len) {
				k -= (ssize_t)iov->iov_len;
				iov++;
				n--;
			}
			if (n) {
				iov->iov_base = (char *)iov->iov_base + k;
				iov->iov_len -= (size_t)k;
			}
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			short rev = 0;
			int rc = tc_poll(s, POLLOUT | POLLIN | POLLRDHUP, s->io_ms, &rev);
			if (rc == AIS_ETIMEOUT) {
				tc_msg(s, msg, cap, "no progress sending for %d ms", s->io_ms);
				return rc;
			}
			if (rc) {
				tc_msg(s, msg, cap, "stream aborted");
				return rc;
			}
			if (rev & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))
				return tc_peer_spoke(s, msg, cap);
			continue;
		}
		tc_msg(s, msg, cap, "send: %s", strerror(errno));
		return AIS_EUNAVAIL;
	}
	return 0;
}

int tc_write_all(transport_stream_t *s, const void *p, size_t n, char *msg, size_t cap)
{
	struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
	uint64_t sent = 0;
	return tc_writev(s, &iov, 1, &sent, msg, cap);
}

/* the TLS client handshake on the connected socket, within connect_ms. 0 or AIS_E* (closed) */
static int tc_tls_handshake(transport_stream_t *s, char *msg, size_t cap)
{
	s->ssl = tls_client_new(s->fd, s->host);
	if (!s->ssl) {
		tc_msg(s, msg, cap, "cannot set up TLS");
		tc_close(s);
		return AIS_EUNAVAIL;
	}
	int64_t end = mono_ns() + (int64_t)s->connect_ms * 1000000LL;
	for (;;) {
		bool ww = false;
		if (!tls_handshake(s->ssl, &ww))
			return 0;
		int rc = 0;
		if (errno != EAGAIN) {
			tc_msg(s, msg, cap, "TLS handshake failed (%s)", strerror(errno));
			rc = AIS_EUNAVAIL;
		} else {
			int64_t left = (end - mono_ns()) / 1000000LL;
			short rev = 0;
			rc = left <= 0 ? AIS_ETIMEOUT : tc_poll(s, ww ? POLLOUT : POLLIN, (int)left, &rev);
			if (rc)
				tc_msg(s, msg, cap, "TLS handshake %s", rc == AIS_ETIMEOUT ? "timed out" : "aborted");
		}
		if (rc) {
			tc_close(s);
			return rc;
		}
	}
}

static int tc_connect_fd(transport_stream_t *s, char *msg, size_t cap)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int e = getaddrinfo(s->host, s->port, &hints, &ai);
	if (e || !ai) {
		tc_msg(s, msg, cap, "cannot resolve %s: %s", s->host, gai_strerror(e));
		return AIS_EUNAVAIL;
	}
	int rc = AIS_EUNAVAIL;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			tc_msg(s, msg, cap, "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
			tc_msg(s, msg, cap, "connect: %s", strerror(errno));
			close(fd);
			continue;
		}
		s->fd = fd;
		short rev = 0;
		rc = tc_poll(s, POLLOUT, s->connect_ms, &rev);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (!rc && (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr)) {
			tc_msg(s, msg, cap, "connect: %s", strerror(soerr ? soerr : errno));
			rc = AIS_EUNAVAIL;
		} else if (rc) {
			tc_msg(s, msg, cap, "connect: %s", rc == AIS_ETIMEOUT ? "timed out" : "aborted");
		}
		if (!rc)
			break;
		tc_close(s);
		if (tc_aborting(s))
			break;
	}
	freeaddrinfo(ai);
	if (rc)
		return rc;
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s->tls ? tc_tls_handshake(s, msg, cap) : 0;
}

/* connect, send the request head, wait for "100 Continue": the receiver accepted the stream */
int tc_connect(transport_stream_t *s, char *msg, size_t cap)
{
	int rc = tc_connect_fd(s, msg, cap);
	if (rc)
		return rc;
	transport_ep_t *ep = s->ep;
	char head[1024], target[160], sig[ISIG_HDR_MAX + 2] = "";
	/* the stream is an intra-cluster request: signed with the cluster key (net/isig.h) */
	snprintf(target, sizeof(target), "%s/%s", TRANSPORT_PATH, s->trname);
	if (!isig_line("PUT", target, sig, ISIG_HDR_MAX))
		memcpy(sig + strlen(sig), "\r\n", 3);
	int n = snprintf(head, sizeof(head),
			 "PUT %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: aisnode/transport\r\n"
			 "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n"
			 "Ais-Transport-Proto: %d\r\nAis-Transport-Sid: %s\r\nAis-Transport-Reply-Url: %s\r\n%s\r\n",
			 target, s->host, s->port, TFRAME_PROTO, ep->node_id, ep->reply_url, sig);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		tc_close(s);
		tc_msg(s, msg, cap, "request head too long");
		return AIS_EINVAL;
	}
	rc = tc_write_all(s, head, (size_t)n, msg, cap);
	tc_resp_t r;
	tc_resp_init(&r);
	if (!rc)
		rc = tc_read_resp(s, &r, s->connect_ms > TC_HANDSHAKE_MS ? s->connect_ms : TC_HANDSHAKE_MS, msg, cap);
	if (!rc && r.status != 100) {
		tc_resp_msg(s, &r, msg, cap);
		rc = tc_status_rc(r.status);
	}
	if (rc) {
		tc_close(s);
		return rc;
	}
	pthread_mutex_lock(&s->mu);
	s->st.connects++;
	pthread_mutex_unlock(&s->mu);
	s->last_ns = mono_ns();
	return 0;
}

/* end the request (last chunk), read the receiver's verdict, close */
void tc_end_request(transport_stream_t *s)
{
	char msg[256] = "";
	int rc = tc_write_all(s, "0\r\n\r\n", 5, msg, sizeof(msg));
	tc_resp_t r;
	tc_resp_init(&r);
	if (!rc && s->fd >= 0)
		rc = tc_read_resp(s, &r, s->io_ms, msg, sizeof(msg));
	if (!rc && r.status != 200) {
		tc_resp_msg(s, &r, msg, sizeof(msg));
		rc = tc_status_rc(r.status);
	}
	if (rc)
		log_warn("%s (at the end of the stream)", msg);
	tc_close(s);
}
