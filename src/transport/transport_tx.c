/* transport_tx: send streams. A stream owns one thread and at most one connection to its peer
 * (transport_conn.c): an HTTP/1.1 PUT /v1/transport/<trname> with a chunked body, one chunk per
 * frame (or per batch of small frames written with one sendmsg; file payloads with sendfile).
 * The thread sleeps in poll() on an eventfd (new work, answers, close) and on the socket (the
 * peer speaking while we are idle means it is gone); nothing spins. Callers only touch the queue
 * under s->mu.
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
 * each item gets exactly one done() call, on this thread, then is freed here. Before a frame is
 * reported written the socket is checked for an early answer from the peer (an error response),
 * so nothing is reported written into a connection the receiver has already refused. */
#include "transport/transport_int.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
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
	if (!tp_src_file(head->src)) {
		while (last->next && !tp_src_file(last->next->src) && n < TX_BATCH_ITEMS &&
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

/* ---------------------------------------------------------------- writing frames */

/* sendfile len bytes of fd from off into the connection. 0 or AIS_E* */
/* TLS: the file through the stream's buffer (pread, then SSL_write) */
static int tx_sendfile_tls(transport_stream_t *s, int fd, int64_t off, uint64_t left, char *msg, size_t cap)
{
	if (!s->tlsbuf && !(s->tlsbuf = malloc(TLS_FILE_BUF))) {
		tc_msg(s, msg, cap, "out of memory");
		return AIS_ENOMEM;
	}
	while (left) {
		size_t want = left > TLS_FILE_BUF ? TLS_FILE_BUF : (size_t)left;
		ssize_t n = pread(fd, s->tlsbuf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n)
				tc_msg(s, msg, cap, "payload read: %s", strerror(errno));
			else
				tc_msg(s, msg, cap, "payload file ends %llu bytes early", (unsigned long long)left);
			return AIS_EIO;
		}
		int rc = tc_write_all(s, s->tlsbuf, (size_t)n, msg, cap);
		if (rc)
			return rc;
		off += n;
		left -= (uint64_t)n;
	}
	return 0;
}

static int tx_sendfile(transport_stream_t *s, int fd, int64_t off0, uint64_t left, char *msg, size_t cap)
{
	if (s->ssl)
		return tx_sendfile_tls(s, fd, off0, left, msg, cap);
	off_t off = (off_t)off0;
	int rc = 0;
	while (!rc && left) {
		size_t want = left > (1u << 30) ? (1u << 30) : (size_t)left;
		ssize_t n = sendfile(s->fd, fd, &off, want);
		if (n > 0) {
			left -= (uint64_t)n;
			continue;
		}
		if (n == 0) {
			tc_msg(s, msg, cap, "payload file ends %llu bytes early", (unsigned long long)left);
			rc = AIS_EIO; /* the frame cannot be completed: the connection must go */
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			short rev = 0;
			rc = tc_poll(s, POLLOUT | POLLIN | POLLRDHUP, s->io_ms, &rev);
			if (rc) {
				tc_msg(s, msg, cap, rc == AIS_ETIMEOUT ? "no progress sending" : "stream aborted");
			} else if (rev & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) {
				rc = tc_peer_spoke(s, msg, cap);
			}
			continue;
		}
		int e = errno;
		tc_msg(s, msg, cap, "sendfile: %s", strerror(e));
		rc = e == EPIPE || e == ECONNRESET || e == ENOTCONN ? AIS_EUNAVAIL : AIS_EIO;
	}
	return rc;
}

/* the segments of a SEGS item, each asked for just before it goes out. 0 or AIS_E* */
static int tx_send_segs(transport_stream_t *s, tp_item_t *it, char *msg, size_t cap)
{
	uint64_t left = it->plen;
	int rc = 0;
	for (int i = 0; !rc && i < it->nseg; i++) {
		int fd = -1;
		int64_t off = 0;
		uint64_t len = 0;
		if ((rc = it->seg(it->seg_arg, i, &fd, &off, &len))) {
			tc_msg(s, msg, cap, "payload segment %d of %d: %s", i + 1, it->nseg, err_str(rc));
			return AIS_EIO; /* the frame cannot be completed */
		}
		if (fd < 0 || off < 0 || len > left) {
			tc_msg(s, msg, cap, "payload segment %d of %d: bad segment (fd %d, offset %lld, %llu of %llu bytes "
				   "left)", i + 1, it->nseg, fd, (long long)off, (unsigned long long)len,
				   (unsigned long long)left);
			return AIS_EIO;
		}
		rc = tx_sendfile(s, fd, off, len, msg, cap);
		left -= len;
	}
	if (!rc && left) {
		tc_msg(s, msg, cap, "payload segments end %llu bytes early", (unsigned long long)left);
		rc = AIS_EIO;
	}
	return rc;
}

/* file payload (FD or SEGS): chunk line + header, sendfile, CRLF. 0 or AIS_E* */
static int tx_write_fd_item(transport_stream_t *s, tp_item_t *it, char *msg, size_t cap)
{
	struct iovec iov[2] = {{it->cline, it->clen}, {it->hbuf, it->hlen}};
	uint64_t sent = 0;
	int rc = tc_writev(s, iov, 2, &sent, msg, cap);
	if (!rc)
		rc = it->src == TRANSPORT_SRC_SEGS ? tx_send_segs(s, it, msg, cap)
						   : tx_sendfile(s, it->fd, it->off, it->plen, msg, cap);
	if (!rc)
		rc = tc_write_all(s, "\r\n", 2, msg, cap);
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
	int rc = tc_writev(s, iov, n, &sent, msg, cap);
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
	if (s->fd >= 0 && tc_peer_pending(s)) { /* ended or refused while we were idle: nothing of */
		rc = tc_peer_spoke(s, msg, sizeof(msg)); /* this batch was written, so reconnect */
		log_info("%s (reconnecting: %s)", msg, err_str(rc));
		rc = 0;
	}
	if (s->fd < 0)
		rc = tc_connect(s, msg, sizeof(msg));
	bool added = !rc; /* items awaiting an answer are in the table (unless answered meanwhile) */
	if (!rc) {
		for (tp_item_t *it = batch; it; it = it->next)
			if (it->awaits)
				tp_await_add(s->ep, it);
		if (tp_src_file(batch->src)) {
			rc = tx_write_fd_item(s, batch, msg, sizeof(msg));
			nfull = rc ? 0 : 1;
		} else {
			rc = tx_write_mem_batch(s, batch, &nfull, msg, sizeof(msg));
		}
		if (!rc && tc_peer_pending(s)) { /* answered while we wrote: nothing of it counts */
			rc = tc_peer_spoke(s, msg, sizeof(msg));
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
	tc_close(s);
	/* queued behind the broken connection: taken before anyone hears of the failure, so what a
	 * done() callback sends next goes out on a new connection */
	tp_item_t *queued = tx_take_all(s);
	for (int i = nfull; i < n; i++) { /* not (wholly) written; never added (no connection): still ours */
		if (!items[i]->awaits || !added || tp_await_unlink_unsent(s->ep, items[i]))
			tx_done(s, items[i], rc, msg);
	}
	tx_fail_all(s, queued, rc, msg);
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
		tc_drain_evfd(s);
	if (s->fd >= 0 && pf[1].revents) {
		char msg[320];
		int rc = tc_peer_spoke(s, msg, sizeof(msg));
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
				tc_end_request(s);
		}
	}
	bool aborted = tc_aborting(s);
	if (aborted)
		tc_close(s); /* the receiver sees a truncated stream */
	else if (s->fd >= 0)
		tc_end_request(s);
	char msg[200];
	tc_msg(s, msg, sizeof(msg), "stream %s", aborted ? "aborted" : "closed");
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
	int rc = tc_parse_url(s, url);
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
	tc_close(s);
	free(s->tlsbuf);
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
		    : o->src == TRANSPORT_SRC_SEGS ? !o->seg || o->nseg <= 0 || (uint64_t)o->nseg > h.payload_len
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
	it->seg = o->seg;
	it->seg_arg = o->seg_arg;
	it->nseg = o->nseg;
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
