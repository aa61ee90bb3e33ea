/* suspect: the proxy's table of targets that refuse connections and the probe thread that keeps
 * it current (see suspect.h). The table (sp_mu) holds one row per target of the last probed
 * Smap; sp_nsuspect mirrors how many rows are suspect so that suspect_is() costs one atomic load
 * on the redirect path while the cluster is healthy. Probes are raw non-blocking sockets (no
 * libcurl: a refused connect must be told apart from a timeout), all targets of a round in
 * parallel under one deadline. */
#include "cluster/suspect.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/tls.h"

typedef struct sp_row {
	char id[SNODE_ID_MAX];
	bool suspect;
} sp_row_t;

static pthread_mutex_t sp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sp_cv = PTHREAD_COND_INITIALIZER;
static sp_row_t *sp_rows; /* sp_mu */
static int sp_nrows;      /* sp_mu */
static _Atomic int sp_nsuspect;
static bool sp_wake;      /* sp_mu: a report arrived */
static bool sp_running;   /* sp_mu */
static pthread_t sp_thread;
static bool sp_started;   /* start/stop only (one caller) */

/* ---- one probe round ---- */

typedef struct sp_probe {
	const char *host;
	int port;
	int fd;
	bool sent;
	SSL *ssl;       /* https (net.http.use_https): the probe speaks TLS */
	bool hs, hs_ww; /* the TLS handshake is under way (and waits to write) */
	char buf[16];
	size_t got;
	suspect_probe_t res;
	bool done;
} sp_probe_t;

static suspect_probe_t sp_errno_res(int e)
{
	return (e == ECONNREFUSED || e == ECONNRESET || e == EHOSTUNREACH || e == ENETUNREACH || e == ECONNABORTED)
		       ? SUSPECT_PROBE_REFUSED
		       : SUSPECT_PROBE_UNKNOWN;
}

static void sp_finish(sp_probe_t *p, suspect_probe_t res)
{
	tls_free(p->ssl);
	p->ssl = NULL;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->res = res;
	p->done = true;
}

static void sp_open(sp_probe_t *p)
{
	char port[16];
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	p->fd = -1;
	p->done = false;
	p->sent = false;
	p->ssl = NULL;
	p->hs = false;
	p->got = 0;
	snprintf(port, sizeof(port), "%d", p->port);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(p->host, port, &hints, &ai)) {
		hints.ai_flags = AI_NUMERICSERV;
		if (getaddrinfo(p->host, port, &hints, &ai)) {
			sp_finish(p, SUSPECT_PROBE_UNKNOWN);
			return;
		}
	}
	p->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		freeaddrinfo(ai);
		sp_finish(p, SUSPECT_PROBE_UNKNOWN);
		return;
	}
	int rc = connect(p->fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc < 0 && errno != EINPROGRESS)
		sp_finish(p, sp_errno_res(errno));
}

static void sp_send(sp_probe_t *p)
{
	char req[256];
	int n = snprintf(req, sizeof(req),
			 "GET /v1/health?readiness=true HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: ais-probe\r\n"
			 "Connection: close\r\n\r\n",
			 p->host, p->port);
	ssize_t w = p->ssl ? tls_write(p->ssl, req, (size_t)n, NULL) : send(p->fd, req, (size_t)n, MSG_NOSIGNAL);
	if (w != n)
		sp_finish(p, w < 0 ? sp_errno_res(errno) : SUSPECT_PROBE_UNKNOWN);
	else
		p->sent = true;
}

/* "HTTP/1.x 200" → OK; any other complete status line → UNKNOWN (alive but not ready) */
static void sp_recv(sp_probe_t *p)
{
	size_t cap = sizeof(p->buf) - 1 - p->got;
	ssize_t n = p->ssl ? tls_read(p->ssl, p->buf + p->got, cap, NULL) : recv(p->fd, p->buf + p->got, cap, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			sp_finish(p, sp_errno_res(errno));
		return;
	}
	if (n == 0) {
		sp_finish(p, SUSPECT_PROBE_UNKNOWN);
		return;
	}
	p->got += (size_t)n;
	if (p->got < 12)
		return;
	p->buf[p->got] = '\0';
	bool ok = !strncmp(p->buf, "HTTP/1.", 7) && !strncmp(p->buf + 8, " 200", 4);
	sp_finish(p, ok ? SUSPECT_PROBE_OK : SUSPECT_PROBE_UNKNOWN);
}

/* TLS: a step of the handshake, then the request (a node that fails the handshake is alive) */
static void sp_handshake(sp_probe_t *p)
{
	if (!p->ssl && !(p->ssl = tls_client_new(p->fd, p->host))) {
		sp_finish(p, SUSPECT_PROBE_UNKNOWN);
		return;
	}
	p->hs = true;
	if (!tls_handshake(p->ssl, &p->hs_ww)) {
		p->hs = false;
		sp_send(p);
	} else if (errno != EAGAIN) {
		sp_finish(p, errno == ECONNRESET || errno == ECONNREFUSED ? sp_errno_res(errno) : SUSPECT_PROBE_UNKNOWN);
	}
}

/* run every probe to completion or to the deadline (still open: UNKNOWN) */
static void sp_probe_all(sp_probe_t *v, int n, int timeout_ms)
{
	struct pollfd *pf = calloc((size_t)n + 1, sizeof(*pf));
	int *idx = calloc((size_t)n + 1, sizeof(*idx));
	for (int i = 0; i < n; i++)
		sp_open(&v[i]);
	int64_t deadline = mono_ns() + (int64_t)timeout_ms * 1000000;
	while (pf && idx) {
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (v[i].done)
				continue;
			short ev = v[i].hs ? (v[i].hs_ww ? POLLOUT : POLLIN) : v[i].sent ? POLLIN : POLLOUT;
			pf[k] = (struct pollfd){.fd = v[i].fd, .events = ev};
			idx[k++] = i;
		}
		int64_t left = (deadline - mono_ns()) / 1000000;
		if (!k || left <= 0)
			break;
		int rc = poll(pf, (nfds_t)k, (int)left);
		if (rc < 0 && errno != EINTR)
			break;
		for (int j = 0; rc > 0 && j < k; j++) {
			sp_probe_t *p = &v[idx[j]];
			if (!pf[j].revents)
				continue;
			if (p->hs) {
				sp_handshake(p);
			} else if (!p->sent) {
				int err = 0;
				socklen_t el = sizeof(err);
				if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err)
					sp_finish(p, sp_errno_res(err ? err : errno));
				else if (tls_on())
					sp_handshake(p);
				else
					sp_send(p);
			} else {
				sp_recv(p);
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (!v[i].done)
			sp_finish(&v[i], SUSPECT_PROBE_UNKNOWN);
	free(pf);
	free(idx);
}

suspect_probe_t suspect_probe(const char *host, int port, int timeout_ms)
{
	sp_probe_t p = {.host = host, .port = port};
	sp_probe_all(&p, 1, timeout_ms);
	return p.res;
}

/* ---- the table ---- */

static sp_row_t *sp_find(const char *id)
{
	for (int i = 0; i < sp_nrows; i++)
		if (!strcmp(sp_rows[i].id, id))
			return &sp_rows[i];
	return NULL;
}

static void sp_set(sp_row_t *row, bool suspect, const char *why)
{
	if (row->suspect == suspect)
		return;
	row->suspect = suspect;
	atomic_fetch_add(&sp_nsuspect, suspect ? 1 : -1);
	if (suspect)
		log_warn("target %s %s: suspect (its objects answer 503 until it is back)", row->id, why);
	else
		log_info("target %s %s: no longer suspect", row->id, why);
}

/* rows = the Smap's targets, keeping the state of those already known */
static void sp_sync_rows(const smap_t *m)
{
	int n = m ? m->ntargets : 0;
	sp_row_t *nv = calloc((size_t)n + 1, sizeof(*nv));
	if (!nv)
		return;
	pthread_mutex_lock(&sp_mu);
	int ns = 0;
	for (int i = 0; i < n; i++) {
		snprintf(nv[i].id, sizeof(nv[i].id), "%s", m->targets[i].id);
		const sp_row_t *old = sp_find(nv[i].id);
		nv[i].suspect = old && old->suspect;
		ns += nv[i].suspect;
	}
	free(sp_rows);
	sp_rows = nv;
	sp_nrows = n;
	atomic_store(&sp_nsuspect, ns);
	pthread_mutex_unlock(&sp_mu);
}

static void sp_round(void)
{
	smap_t *m = smap_get();
	sp_sync_rows(m);
	int n = m ? m->ntargets : 0;
	sp_probe_t *v = n ? calloc((size_t)n, sizeof(*v)) : NULL;
	if (v) {
		for (int i = 0; i < n; i++) {
			v[i].host = m->targets[i].pub.host;
			v[i].port = m->targets[i].pub.port;
		}
		sp_probe_all(v, n, SUSPECT_PROBE_TIMEOUT_MS);
		pthread_mutex_lock(&sp_mu);
		for (int i = 0; i < n; i++) {
			sp_row_t *row = sp_find(m->targets[i].id);
			if (row && v[i].res == SUSPECT_PROBE_REFUSED)
				sp_set(row, true, "refuses connections");
			else if (row && v[i].res == SUSPECT_PROBE_OK)
				sp_set(row, false, "answers again");
		}
		pthread_mutex_unlock(&sp_mu);
	}
	free(v);
	smap_put(m);
}

static void *sp_thread_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sp_mu);
	while (sp_running) {
		pthread_mutex_unlock(&sp_mu);
		sp_round();
		pthread_mutex_lock(&sp_mu);
		if (!sp_wake && sp_running) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)SUSPECT_PROBE_MS * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&sp_cv, &sp_mu, &ts);
		}
		sp_wake = false;
	}
	pthread_mutex_unlock(&sp_mu);
	return NULL;
}

int suspect_start(void)
{
	if (sp_started)
		return 0;
	pthread_mutex_lock(&sp_mu);
	sp_running = true;
	pthread_mutex_unlock(&sp_mu);
	if (pthread_create(&sp_thread, NULL, sp_thread_fn, NULL)) {
		sp_running = false;
		return AIS_ENOMEM;
	}
	sp_started = true;
	return 0;
}

void suspect_stop(void)
{
	if (sp_started) {
		pthread_mutex_lock(&sp_mu);
		sp_running = false;
		pthread_cond_signal(&sp_cv);
		pthread_mutex_unlock(&sp_mu);
		pthread_join(sp_thread, NULL);
		sp_started = false;
	}
	pthread_mutex_lock(&sp_mu);
	free(sp_rows);
	sp_rows = NULL;
	sp_nrows = 0;
	atomic_store(&sp_nsuspect, 0);
	pthread_mutex_unlock(&sp_mu);
}

bool suspect_is(const char *id)
{
	if (atomic_load_explicit(&sp_nsuspect, memory_order_acquire) == 0)
		return false;
	pthread_mutex_lock(&sp_mu);
	const sp_row_t *row = sp_find(id);
	bool s = row && row->suspect;
	pthread_mutex_unlock(&sp_mu);
	return s;
}

void suspect_report(const char *id)
{
	pthread_mutex_lock(&sp_mu);
	if (sp_running) {
		log_dbg("request path reports %s unreachable: probing now", id);
		sp_wake = true;
		pthread_cond_signal(&sp_cv);
	}
	pthread_mutex_unlock(&sp_mu);
}

void suspect_clear(const char *id)
{
	if (atomic_load_explicit(&sp_nsuspect, memory_order_acquire) == 0)
		return;
	pthread_mutex_lock(&sp_mu);
	sp_row_t *row = sp_find(id);
	if (row)
		sp_set(row, false, "sent a keepalive");
	pthread_mutex_unlock(&sp_mu);
}

int suspect_retry_after(void)
{
	return SUSPECT_RETRY_AFTER_S;
}
