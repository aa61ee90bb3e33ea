/* transport_tx: send streams. A stream owns one thread and at most one connection to its peer:
 * an HTTP/1.1 PUT /v1/transport/<trname> with a chunked body, one chunk per frame (or per batch
 * of small frames written with one sendmsg). The thread sleeps in poll() on an eventfd (new work,
 * answers, close) and on the socket (the peer speaking while we are idle means it is gone);
 * nothing spins. Callers only touch the queue under s->mu.
 *
 * Why our own socket code rather than libcurl: libcurl's upload read callback copies every
 * payload byte through its own buffer, so file payloads could not go out with sendfile(2) (the
 * zero-copy path that GET already uses); and it cannot tell us how far the body got when a
 * connection breaks, which we need to fail exactly the objects not written. What we need of
 * HTTP here is tiny (one request head, chunk framing, reading one response, parsed by llhttp as
 * everywhere else); intra-cluster traffic is plain HTTP in this tree, so there is no TLS to lose.
 *
 * Invariants: an item is in exactly one place: the queue (s->mu), the thread's current batch,
 * the endpoint's awaited-answer table (then transport_ep.c owns its links), or the done list;
 * each item gets exactly one done() call, on this thread, then is freed here. The connection is
 * touched by the thread only. Before a frame is reported written the socket is checked for an
 * early answer from the peer (an error response), so nothing is reported written into a
 * connection the receiver has already refused. */
#include "transport/transport_int.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <llhttp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define TX_BATCH_ITEMS 250          /* 4 iovecs each: stays under IOV_MAX */
#define TX_BATCH_BYTES (4u << 20)   /* small frames coalesced into one write up to this */
#define TX_HANDSHAKE_MS 10000       /* waiting for "100 Continue" at least this long */
#define TX_RESP_BODY 1024           /* bytes of an error response kept for the message */

/* ---------------------------------------------------------------- items */

void tp_item_free(tp_item_t *it)
{
	if (!it)
		return;
	free(it->msg);
	free(it);
}

tp_item_t *tp_item_new(const tframe_hdr_t *h, size_t max_hdr, int *rc)
{
	size_t n = tframe_encoded_len(h);
	if (n == SIZE_MAX || n > TFRAME_FIXED + TFRAME_HDR_MAX) {
		*rc = AIS_ETOOBIG;
		return NULL;
	}
	tp_item_t *it = calloc(1, sizeof(*it) + n);
	if (!it) {
		*rc = AIS_ENOMEM;
		return NULL;
	}
	char err[160];
	*rc = tframe_encode(h, max_hdr, it->hbuf, n, &it->hlen, err, sizeof(err));
	if (*rc) {
		log_warn("transport: cannot send %.128s: %s", h->objname ? h->objname : "frame", err);
		free(it);
		return NULL;
	}
	it->fd = -1;
	it->plen = h->payload_len;
	int k = snprintf(it->cline, sizeof(it->cline), "%llx\r\n", (unsigned long long)(it->hlen + it->plen));
	it->clen = (size_t)k;
	return it;
}

static void tx_done(transport_stream_t *s, tp_item_t *it, int rc, const char *msg)
{
	if (rc && !it->replied) {
		pthread_mutex_lock(&s->mu);
		s->st.errors++;
		pthread_mutex_unlock(&s->mu);
	}
	if (it->done) {
		transport_result_t res = {.id = it->id, .rc = rc, .replied = it->replied,
					  .msg = it->msg ? it->msg : msg ? msg : ""};
		it->done(it->arg, &res);
	}
	tp_item_free(it);
}

/* answered or expired items; msg: for all of them (else a timeout says so) */
static void tx_done_list(transport_stream_t *s, tp_item_t *list, const char *msg)
{
	while (list) {
		tp_item_t *it = list;
		list = it->cnext;
		const char *m = msg;
		if (!m)
			m = it->rc == AIS_ETIMEOUT && !it->replied ? "no answer within the reply timeout" : "";
		tx_done(s, it, it->rc, m);
	}
}

/* s->mu held */
void tp_done_push(transport_stream_t *s, tp_item_t *it)
{
	it->cnext = NULL;
	if (s->dtail)
		s->dtail->cnext = it;
	else
		s->dhead = it;
	s->dtail = it;
	if (s->sleeping) {
		uint64_t one = 1;
		ssize_t n = write(s->evfd, &one, sizeof(one));
		(void)n;
	}
}

/* ---------------------------------------------------------------- queue */

static bool tx_room(const transport_stream_t *s, uint64_t plen)
{
	if (!s->qcount)
		return true;
	return s->qcount < s->burst && s->qbytes + plen <= s->max_bytes;
}

static void tx_wake(transport_stream_t *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->evfd, &one, sizeof(one));
	(void)n;
}

static void tx_timespec_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int tp_enqueue(transport_stream_t *s, tp_item_t *it, bool wait)
{
	int rc;
	it->s = s;
	it->next = NULL;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->closing) {
			rc = AIS_EUNAVAIL;
			break;
		}
		if (tx_room(s, it->plen)) {
			if (s->qtail)
				s->qtail->next = it;
			else
				s->qhead = it;
			s->qtail = it;
			s->qcount++;
			s->qbytes += it->plen;
			if (s->sleeping)
				tx_wake(s);
			rc = 0;
			break;
		}
		if (!wait) {
			rc = AIS_EAGAIN;
			break;
		}
		pthread_cond_wait(&s->room_cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int transport_wait_room(transport_stream_t *s, int timeout_ms)
{
	struct timespec ts;
	if (timeout_ms >= 0)
		tx_timespec_in(&ts, timeout_ms);
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	while (!s->closing && !tx_room(s, 0)) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&s->room_cv, &s->mu);
		} else if (pthread_cond_timedwait(&s->room_cv, &s->mu, &ts) == ETIMEDOUT) {
			rc = tx_room(s, 0) ? 0 : AIS_ETIMEOUT;
			break;
		}
	}
	if (s->closing)
		rc = AIS_EUNAVAIL;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* pop the next batch: one file-backed item, or up to TX_BATCH_* consecutive in-memory ones */
static tp_item_t *tx_take_batch(transport_stream_t *s)
{
	tp_item_t *head = s->qhead, *last = head;
	int n = 1;
	uint64_t bytes = head->hlen + head->plen;
	if (head->src != TRANSPORT_SRC_FD) {
		while (last->next && last->next->src != TRANSPORT_SRC_FD && n < TX_BATCH_ITEMS &&
		       bytes + last->next->hlen + last->next->plen <= TX_BATCH_BYTES) {
			last = last->next;
			bytes += last->hlen + last->plen;
			n++;
		}
	}
	s->qhead = last->next;
	if (!s->qhead)
		s->qtail = NULL;
	last->next = NULL;
	for (tp_item_t *it = head; it; it = it->next) {
		s->qcount--;
		s->qbytes -= it->plen;
	}
	pthread_cond_broadcast(&s->room_cv);
	return head;
}

/* everything still queued (s->mu taken here) */
static tp_item_t *tx_take_all(transport_stream_t *s)
{
	pthread_mutex_lock(&s->mu);
	tp_item_t *all = s->qhead;
	s->qhead = s->qtail = NULL;
	s->qcount = 0;
	s->qbytes = 0;
	pthread_cond_broadcast(&s->room_cv);
	pthread_mutex_unlock(&s->mu);
	return all;
}

/* ---------------------------------------------------------------- connection */

typedef struct tx_resp {
	llhttp_t p;
	llhttp_settings_t set;
	int status;
	bool done;
	char body[TX_RESP_BODY + 1];
	size_t blen;
} tx_resp_t;

static int tx_resp_headers(llhttp_t *p)
{
	tx_resp_t *r = p->data;
	r->status = p->status_code;
	return 0;
}

static int tx_resp_body(llhttp_t *p, const char *at, size_t n)
{
	tx_resp_t *r = p->data;
	size_t k = TX_RESP_BODY - r->blen < n ? TX_RESP_BODY - r->blen : n;
	memcpy(r->body + r->blen, at, k);
	r->blen += k;
	r->body[r->blen] = '\0';
	return 0;
}

static int tx_resp_complete(llhttp_t *p)
{
	tx_resp_t *r = p->data;
	r->done = true;
	return HPE_PAUSED;
}

static void tx_resp_init(tx_resp_t *r)
{
	memset(r, 0, sizeof(*r));
	llhttp_settings_init(&r->set);
	r->set.on_headers_complete = tx_resp_headers;
	r->set.on_body = tx_resp_body;
	r->set.on_message_complete = tx_resp_complete;
	llhttp_init(&r->p, HTTP_RESPONSE, &r->set);
	r->p.data = r;
}

static void tx_msg(transport_stream_t *s, char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void tx_msg(transport_stream_t *s, char *msg, size_t cap, const char *fmt, ...)
{
	int n = snprintf(msg, cap, "transport %s -> %s: ", s->trname, s->url);
	if (n < 0 || (size_t)n >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}

static void tx_close_conn(transport_stream_t *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

static bool tx_aborting(transport_stream_t *s)
{
	pthread_mutex_lock(&s->mu);
	bool a = s->aborting;
	pthread_mutex_unlock(&s->mu);
	return a;
}

static void tx_drain_evfd(transport_stream_t *s)
{
	uint64_t v;
	ssize_t n = read(s->evfd, &v, sizeof(v));
	(void)n;
}

/* wait for events on the socket (or an abort): 0 ready, AIS_ETIMEOUT, AIS_EUNAVAIL (aborted) */
static int tx_poll(transport_stream_t *s, short events, int timeout_ms, short *revents)
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
			tx_drain_evfd(s);
			if (tx_aborting(s))
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
static int tx_status_rc(int status)
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
static int tx_read_resp(transport_stream_t *s, tx_resp_t *r, int timeout_ms, char *msg, size_t cap)
{
	char buf[4096];
	for (;;) {
		short rev = 0;
		int rc = tx_poll(s, POLLIN | POLLRDHUP, timeout_ms, &rev);
		if (rc) {
			tx_msg(s, msg, cap, "%s waiting for the peer's response",
			       rc == AIS_ETIMEOUT ? "timed out" : "aborted");
			return rc;
		}
		ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (!n && llhttp_finish(&r->p) == HPE_OK && r->done)
				return 0;
			tx_msg(s, msg, cap, "connection closed by the peer%s%s", n < 0 ? ": " : "",
			       n < 0 ? strerror(errno) : "");
			return AIS_EUNAVAIL;
		}
		llhttp_errno_t e = llhttp_execute(&r->p, buf, (size_t)n);
		if (r->done)
			return 0;
		if (e != HPE_OK) {
			tx_msg(s, msg, cap, "malformed response: %s", llhttp_errno_name(e));
			return AIS_EIO;
		}
	}
}

/* an error response: its AIStore JSON message, else the raw body */
static void tx_resp_msg(transport_stream_t *s, const tx_resp_t *r, char *msg, size_t cap)
{
	json_t *j = json_loadb(r->body, r->blen, 0, NULL);
	const char *m = j ? json_string_value(json_object_get(j, "message")) : NULL;
	tx_msg(s, msg, cap, "peer answered %d: %s", r->status, m ? m : r->blen ? r->body : "(no message)");
	json_decref(j);
}

/* the peer spoke while we were sending or idle: it refused or ended the stream */
static int tx_peer_spoke(transport_stream_t *s, char *msg, size_t cap)
{
	tx_resp_t r;
	tx_resp_init(&r);
	int rc = tx_read_resp(s, &r, 1000, msg, cap);
	if (!rc) {
		tx_resp_msg(s, &r, msg, cap);
		rc = r.status == 200 ? AIS_EUNAVAIL : tx_status_rc(r.status);
	}
	tx_close_conn(s);
	return rc;
}

/* anything readable now (an early response, a close)? */
static bool tx_peer_pending(transport_stream_t *s)
{
	char c;
	ssize_t n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n > 0 || n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* write all of iov (n entries; modified); *sent counts bytes written. 0 or AIS_E* */
static int tx_writev(transport_stream_t *s, struct iovec *iov, int n, uint64_t *sent, char *msg, size_t cap)
{
	while (n) {
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t k = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
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
			int rc = tx_poll(s, POLLOUT | POLLIN | POLLRDHUP, s->io_ms, &rev);
			if (rc == AIS_ETIMEOUT) {
				tx_msg(s, msg, cap, "no progress sending for %d ms", s->io_ms);
				return rc;
			}
			if (rc) {
				tx_msg(s, msg, cap, "stream aborted");
				return rc;
			}
			if (rev & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))
				return tx_peer_spoke(s, msg, cap);
			continue;
		}
		tx_msg(s, msg, cap, "send: %s", strerror(errno));
		return AIS_EUNAVAIL;
	}
	return 0;
}

static int tx_write_all(transport_stream_t *s, const void *p, size_t n, char *msg, size_t cap)
{
	struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
	uint64_t sent = 0;
	return tx_writev(s, &iov, 1, &sent, msg, cap);
}

static int tx_connect_fd(transport_stream_t *s, char *msg, size_t cap)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int e = getaddrinfo(s->host, s->port, &hints, &ai);
	if (e || !ai) {
		tx_msg(s, msg, cap, "cannot resolve %s: %s", s->host, gai_strerror(e));
		return AIS_EUNAVAIL;
	}
	int rc = AIS_EUNAVAIL;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			tx_msg(s, msg, cap, "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
			tx_msg(s, msg, cap, "connect: %s", strerror(errno));
			close(fd);
			continue;
		}
		s->fd = fd;
		short rev = 0;
		rc = tx_poll(s, POLLOUT, s->connect_ms, &rev);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (!rc && (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr)) {
			tx_msg(s, msg, cap, "connect: %s", strerror(soerr ? soerr : errno));
			rc = AIS_EUNAVAIL;
		} else if (rc) {
			tx_msg(s, msg, cap, "connect: %s", rc == AIS_ETIMEOUT ? "timed out" : "aborted");
		}
		if (!rc)
			break;
		tx_close_conn(s);
		if (tx_aborting(s))
			break;
	}
	freeaddrinfo(ai);
	if (rc)
		return rc;
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* connect, send the request head, wait for "100 Continue": the receiver accepted the stream */
static int tx_connect(transport_stream_t *s, char *msg, size_t cap)
{
	int rc = tx_connect_fd(s, msg, cap);
	if (rc)
		return rc;
	transport_ep_t *ep = s->ep;
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "PUT %s/%s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: aisnode/transport\r\n"
			 "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n"
			 "Ais-Transport-Proto: %d\r\nAis-Transport-Sid: %s\r\nAis-Transport-Reply-Url: %s\r\n\r\n",
			 TRANSPORT_PATH, s->trname, s->host, s->port, TFRAME_PROTO, ep->node_id, ep->reply_url);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		tx_close_conn(s);
		tx_msg(s, msg, cap, "request head too long");
		return AIS_EINVAL;
	}
	rc = tx_write_all(s, head, (size_t)n, msg, cap);
	tx_resp_t r;
	tx_resp_init(&r);
	if (!rc)
		rc = tx_read_resp(s, &r, s->connect_ms > TX_HANDSHAKE_MS ? s->connect_ms : TX_HANDSHAKE_MS, msg, cap);
	if (!rc && r.status != 100) {
		tx_resp_msg(s, &r, msg, cap);
		rc = tx_status_rc(r.status);
	}
	if (rc) {
		tx_close_conn(s);
		return rc;
	}
	pthread_mutex_lock(&s->mu);
	s->st.connects++;
	pthread_mutex_unlock(&s->mu);
	s->last_ns = mono_ns();
	return 0;
}

/* end the request (last chunk), read the receiver's verdict, close */
static void tx_end_request(transport_stream_t *s)
{
	char msg[256] = "";
	int rc = tx_write_all(s, "0\r\n\r\n", 5, msg, sizeof(msg));
	tx_resp_t r;
	tx_resp_init(&r);
	if (!rc && s->fd >= 0)
		rc = tx_read_resp(s, &r, s->io_ms, msg, sizeof(msg));
	if (!rc && r.status != 200) {
		tx_resp_msg(s, &r, msg, sizeof(msg));
		rc = tx_status_rc(r.status);
	}
	if (rc)
		log_warn("%s (at the end of the stream)", msg);
	tx_close_conn(s);
}

/* ---------------------------------------------------------------- writing frames */

/* file payload: chunk line + header, sendfile, CRLF. 0 or AIS_E* */
static int tx_write_fd_item(transport_stream_t *s, tp_item_t *it, char *msg, size_t cap)
{
	struct iovec iov[2] = {{it->cline, it->clen}, {it->hbuf, it->hlen}};
	uint64_t sent = 0;
	int rc = tx_writev(s, iov, 2, &sent, msg, cap);
	off_t off = (off_t)it->off;
	uint64_t left = it->plen;
	while (!rc && left) {
		size_t want = left > (1u << 30) ? (1u << 30) : (size_t)left;
		ssize_t n = sendfile(s->fd, it->fd, &off, want);
		if (n > 0) {
			left -= (uint64_t)n;
			continue;
		}
		if (n == 0) {
			tx_msg(s, msg, cap, "payload file ends %llu bytes early", (unsigned long long)left);
			rc = AIS_EIO; /* the frame cannot be completed: the connection must go */
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			short rev = 0;
			rc = tx_poll(s, POLLOUT | POLLIN | POLLRDHUP, s->io_ms, &rev);
			if (rc) {
				tx_msg(s, msg, cap, rc == AIS_ETIMEOUT ? "no progress sending" : "stream aborted");
			} else if (rev & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) {
				rc = tx_peer_spoke(s, msg, cap);
			}
			continue;
		}
		int e = errno;
		tx_msg(s, msg, cap, "sendfile: %s", strerror(e));
		rc = e == EPIPE || e == ECONNRESET || e == ENOTCONN ? AIS_EUNAVAIL : AIS_EIO;
	}
	if (!rc)
		rc = tx_write_all(s, "\r\n", 2, msg, cap);
	return rc;
}

/* in-memory payloads: one sendmsg for the batch. *nfull: frames wholly written. */
static int tx_write_mem_batch(transport_stream_t *s, tp_item_t *batch, int *nfull, char *msg, size_t cap)
{
	struct iovec iov[TX_BATCH_ITEMS * 4];
	uint64_t ends[TX_BATCH_ITEMS];
	int n = 0, k = 0;
	uint64_t total = 0;
	for (tp_item_t *it = batch; it; it = it->next, k++) {
		iov[n++] = (struct iovec){it->cline, it->clen};
		iov[n++] = (struct iovec){it->hbuf, it->hlen};
		if (it->plen)
			iov[n++] = (struct iovec){(void *)it->mem, (size_t)it->plen};
		iov[n++] = (struct iovec){"\r\n", 2};
		total += it->clen + it->hlen + it->plen + 2;
		ends[k] = total;
	}
	uint64_t sent = 0;
	int rc = tx_writev(s, iov, n, &sent, msg, cap);
	int full = 0;
	while (full < k && ends[full] <= sent)
		full++;
	*nfull = rc ? full : k;
	return rc;
}

static void tx_fail_all(transport_stream_t *s, tp_item_t *list, int rc, const char *msg)
{
	while (list) {
		tp_item_t *it = list;
		list = it->next;
		it->replied = false;
		tx_done(s, it, rc, msg);
	}
}

/* write one batch; report each item; on a broken connection fail the rest and the queue.
 * The batch's `next` links are not read after the write: an answer may complete an item (and
 * the stream's done list take it) as soon as its frame is out. */
static void tx_send_batch(transport_stream_t *s, tp_item_t *batch)
{
	char msg[320] = "";
	int rc = 0, nfull = 0, n = 0;
	tp_item_t *items[TX_BATCH_ITEMS];
	for (tp_item_t *it = batch; it; it = it->next)
		items[n++] = it;
	if (s->fd >= 0 && tx_peer_pending(s)) { /* ended or refused while we were idle: nothing of */
		rc = tx_peer_spoke(s, msg, sizeof(msg)); /* this batch was written, so reconnect */
		log_info("%s (reconnecting: %s)", msg, err_str(rc));
		rc = 0;
	}
	if (s->fd < 0)
		rc = tx_connect(s, msg, sizeof(msg));
	if (!rc) {
		for (tp_item_t *it = batch; it; it = it->next)
			if (it->awaits)
				tp_await_add(s->ep, it);
		if (batch->src == TRANSPORT_SRC_FD) {
			rc = tx_write_fd_item(s, batch, msg, sizeof(msg));
			nfull = rc ? 0 : 1;
		} else {
			rc = tx_write_mem_batch(s, batch, &nfull, msg, sizeof(msg));
		}
		if (!rc && tx_peer_pending(s)) { /* answered while we wrote: nothing of it counts */
			rc = tx_peer_spoke(s, msg, sizeof(msg));
			nfull = 0;
		}
	}
	int64_t now = mono_ns();
	s->last_ns = now;
	uint64_t objs = 0, bytes = 0;
	for (int i = 0; i < nfull; i++) {
		if (items[i]->kind != TP_K_REPLY) {
			objs++;
			bytes += items[i]->plen;
		}
	}
	pthread_mutex_lock(&s->mu); /* counted before the callbacks run: they may look */
	s->st.objs += objs;
	s->st.bytes += bytes;
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < nfull; i++) {
		if (items[i]->awaits)
			tp_await_arm(s->ep, items[i], now); /* now the answer (or expiry) completes it */
		else
			tx_done(s, items[i], 0, NULL);
	}
	if (!rc)
		return;
	log_warn("%s", msg);
	tx_close_conn(s);
	for (int i = nfull; i < n; i++) { /* not (wholly) written */
		if (!items[i]->awaits || tp_await_unlink_unsent(s->ep, items[i]))
			tx_done(s, items[i], rc, msg);
	}
	tx_fail_all(s, tx_take_all(s), rc, msg); /* queued behind a broken connection */
}

/* ---------------------------------------------------------------- the stream thread */

/* idle: sleep until work arrives, a deadline passes or the peer speaks */
static void tx_sleep(transport_stream_t *s, int64_t now)
{
	int64_t wake = tp_await_next_deadline(s);
	if (s->fd >= 0 && s->last_ns + (int64_t)s->idle_ms * 1000000LL < wake)
		wake = s->last_ns + (int64_t)s->idle_ms * 1000000LL;
	int timeout = -1;
	if (wake != INT64_MAX)
		timeout = wake <= now ? 0 : (int)((wake - now) / 1000000LL + 1);
	struct pollfd pf[2] = {{.fd = s->evfd, .events = POLLIN}, {.fd = s->fd, .events = POLLIN | POLLRDHUP}};
	int n = poll(pf, s->fd >= 0 ? 2 : 1, timeout);
	if (n <= 0)
		return;
	if (pf[0].revents)
		tx_drain_evfd(s);
	if (s->fd >= 0 && pf[1].revents) {
		char msg[320];
		int rc = tx_peer_spoke(s, msg, sizeof(msg));
		log_info("%s (idle connection closed: %s)", msg, err_str(rc));
	}
}

static void *tx_main(void *arg)
{
	transport_stream_t *s = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		int npend = tp_await_count(s); /* only this thread adds: the count can only shrink */
		tp_item_t *batch = NULL, *done;
		bool stop = false;
		pthread_mutex_lock(&s->mu);
		done = s->dhead;
		s->dhead = s->dtail = NULL;
		if (s->aborting) {
			stop = true;
		} else if (s->qhead) {
			batch = tx_take_batch(s);
		} else if (!done) {
			if (s->closing && !npend) {
				stop = true;
			} else {
				s->sleeping = true;
				pthread_mutex_unlock(&s->mu);
				tx_sleep(s, mono_ns());
				pthread_mutex_lock(&s->mu);
				s->sleeping = false;
			}
		}
		pthread_mutex_unlock(&s->mu);
		tx_done_list(s, done, NULL);
		if (batch)
			tx_send_batch(s, batch);
		int64_t now = mono_ns();
		tx_done_list(s, tp_await_expire(s, now, false), NULL);
		if (stop)
			break;
		if (s->fd >= 0 && !batch && now - s->last_ns >= (int64_t)s->idle_ms * 1000000LL) {
			pthread_mutex_lock(&s->mu);
			bool more = s->qhead != NULL;
			pthread_mutex_unlock(&s->mu);
			if (!more)
				tx_end_request(s);
		}
	}
	bool aborted = tx_aborting(s);
	if (aborted)
		tx_close_conn(s); /* the receiver sees a truncated stream */
	else if (s->fd >= 0)
		tx_end_request(s);
	char msg[200];
	tx_msg(s, msg, sizeof(msg), "stream %s", aborted ? "aborted" : "closed");
	tx_fail_all(s, tx_take_all(s), AIS_EUNAVAIL, msg);
	tx_done_list(s, tp_await_expire(s, 0, true), msg);
	pthread_mutex_lock(&s->mu);
	tp_item_t *done = s->dhead;
	s->dhead = s->dtail = NULL;
	s->exited = true;
	pthread_mutex_unlock(&s->mu);
	tx_done_list(s, done, NULL);
	return NULL;
}

/* ---------------------------------------------------------------- open / close */

/* "http://host[:port][/...]" (host may be "[v6]") into s->host, s->port */
static int tx_parse_url(transport_stream_t *s, const char *url)
{
	const char *p = url;
	if (strncmp(p, "http://", 7))
		return AIS_EINVAL; /* intra-cluster traffic is plain HTTP in this tree */
	p += 7;
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
	long port = 80;
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

int tp_stream_new(transport_ep_t *ep, const char *url, const char *trname, const transport_opts_t *o,
		  bool shared, transport_stream_t **out)
{
	*out = NULL;
	if (!ep || !url || strlen(url) >= TRANSPORT_URL_MAX || !tp_trname_ok(trname, shared))
		return AIS_EINVAL;
	transport_stream_t *s = calloc(1, sizeof(*s));
	if (!s)
		return AIS_ENOMEM;
	s->fd = s->evfd = -1;
	int rc = tx_parse_url(s, url);
	if (rc) {
		free(s);
		return rc;
	}
	transport_opts_t z = {0};
	if (!o)
		o = &z;
	s->ep = ep;
	snprintf(s->url, sizeof(s->url), "%s", url);
	snprintf(s->trname, sizeof(s->trname), "%s", trname);
	s->burst = o->burst > 0 ? o->burst : ep->burst;
	s->max_bytes = o->max_bytes ? o->max_bytes : TP_DEF_MAX_BYTES;
	s->idle_ms = o->idle_ms > 0 ? o->idle_ms : ep->idle_ms;
	s->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : TP_DEF_CONNECT_MS;
	s->io_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : TP_DEF_IO_MS;
	s->shared = shared;
	s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->evfd < 0) {
		free(s);
		return AIS_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->room_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->th, NULL, tx_main, s)) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->room_cv);
		close(s->evfd);
		free(s);
		return AIS_ENOMEM;
	}
	*out = s;
	return 0;
}

int transport_open(transport_ep_t *ep, const char *url, const char *trname, const transport_opts_t *o,
		   transport_stream_t **out)
{
	return tp_stream_new(ep, url, trname, o, false, out);
}

int transport_open_node(transport_ep_t *ep, const snode_t *si, const char *trname, const transport_opts_t *o,
			transport_stream_t **out)
{
	if (!si) {
		*out = NULL;
		return AIS_EINVAL;
	}
	return transport_open(ep, si->data.url, trname, o, out);
}

void tp_stream_close(transport_stream_t *s, bool abort)
{
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	if (abort)
		s->aborting = true;
	pthread_cond_broadcast(&s->room_cv);
	tx_wake(s);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	AIS_ASSERT(!s->qhead && !s->dhead && !s->pend_head && !s->claimed);
	tx_close_conn(s);
	close(s->evfd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->room_cv);
	free(s);
}

void transport_close(transport_stream_t *s, bool abort)
{
	if (!s)
		return;
	AIS_ASSERT(!http_on_loop());
	AIS_ASSERT(!s->shared); /* the endpoint closes its own */
	AIS_ASSERT(!pthread_equal(pthread_self(), s->th)); /* not from a done() callback */
	tp_stream_close(s, abort);
}

void transport_stats(transport_stream_t *s, transport_stats_t *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	st->queued = s->qcount;
	pthread_mutex_unlock(&s->mu);
}

/* ---------------------------------------------------------------- sending */

static int tx_prepare(transport_stream_t *s, transport_obj_t *o, int kind, tp_item_t **out)
{
	tframe_hdr_t h = o->hdr;
	transport_ep_t *ep = s->ep;
	if (kind == TP_K_REQ) {
		if (o->src != TRANSPORT_SRC_NONE || h.payload_len)
			return AIS_EINVAL;
		h.opcode = TFRAME_OP_REQ;
		h.flags &= TFRAME_F_RANGE;
		h.corr = 0;
	} else {
		if (o->src == TRANSPORT_SRC_NONE ? h.payload_len != 0
		    : o->src == TRANSPORT_SRC_MEM ? h.payload_len && !o->mem
		    : o->src == TRANSPORT_SRC_FD ? o->fd < 0 || o->off < 0
						  : true)
			return AIS_EINVAL;
		h.opcode = TFRAME_OP_OBJ;
		if (o->want_reply)
			h.flags |= TFRAME_F_REPLY;
		else
			h.flags &= (uint16_t)~TFRAME_F_REPLY;
	}
	h.sid = ep->node_id;
	h.id = tp_next_id(ep);
	int rc;
	tp_item_t *it = tp_item_new(&h, ep->max_hdr, &rc);
	if (!it)
		return rc;
	it->id = h.id;
	it->kind = kind;
	it->src = o->src;
	it->mem = o->mem;
	it->fd = o->fd;
	it->off = o->off;
	it->done = o->done;
	it->arg = o->arg;
	it->awaits = kind == TP_K_REQ || o->want_reply;
	it->reply_ms = o->reply_timeout_ms > 0 ? o->reply_timeout_ms : ep->reply_ms;
	o->id = it->id;
	*out = it;
	return 0;
}

static int tx_send(transport_stream_t *s, transport_obj_t *o, int kind, bool wait)
{
	tp_item_t *it;
	int rc = tx_prepare(s, o, kind, &it);
	if (rc)
		return rc;
	rc = tp_enqueue(s, it, wait);
	if (rc)
		tp_item_free(it);
	return rc;
}

int transport_send(transport_stream_t *s, transport_obj_t *o)
{
	AIS_ASSERT(!http_on_loop()); /* blocking: job and pool threads only */
	return tx_send(s, o, TP_K_OBJ, true);
}

int transport_try_send(transport_stream_t *s, transport_obj_t *o) { return tx_send(s, o, TP_K_OBJ, false); }

int transport_request(transport_stream_t *s, transport_obj_t *o)
{
	AIS_ASSERT(!http_on_loop());
	return tx_send(s, o, TP_K_REQ, true);
}

typedef struct tx_waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int rc;
	char *msg;
	size_t cap;
} tx_waiter_t;

static void tx_waiter_cb(void *arg, const transport_result_t *res)
{
	tx_waiter_t *w = arg;
	pthread_mutex_lock(&w->mu);
	w->rc = res->rc;
	if (w->msg && w->cap)
		snprintf(w->msg, w->cap, "%s", res->msg ? res->msg : "");
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int transport_send_wait(transport_stream_t *s, transport_obj_t *o, char *msg, size_t msgcap)
{
	AIS_ASSERT(!http_on_loop());
	tx_waiter_t w = {.msg = msg, .cap = msgcap};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	o->done = tx_waiter_cb;
	o->arg = &w;
	int rc = tx_send(s, o, TP_K_OBJ, true);
	if (!rc) { /* done() always comes: the write and the reply wait are both bounded */
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		rc = w.rc;
		pthread_mutex_unlock(&w.mu);
	} else if (msg && msgcap) {
		snprintf(msg, msgcap, "%s", err_str(rc));
	}
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return rc;
}
