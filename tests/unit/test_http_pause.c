/* test_http_pause: a streamed request body paused by its data_cb (HTTP_DATA_PAUSE) and resumed
 * from another thread (http_stream_resume): byte-exact bodies (Content-Length and chunked), no
 * data_cb while paused, the replay call (len 0) after each resume, a pause longer than the io
 * timeout that does not kill the connection, keep-alive after a paused request, a client that
 * disconnects while paused (end_cb runs, the late resume is harmless), resumes that overtake
 * their pause. */
#include "core/err.h"
#include "net/http.h"

#include "http_testutil.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static http_server_t *srv;
static int port;

typedef struct preq {
	http_req_t *r;
	pthread_mutex_t mu;
	bool paused, ended;
	uint64_t bytes, h;
	int chunks, replays, violations;
	int long_pause_ms;  /* the first pause lasts this long */
	bool inline_resume; /* resume inside data_cb, before returning the pause */
} preq_t;

/* ---------------------------------------------------------------- resumer thread */

/* pauses waiting for their resume, each due at its own time (the loop never waits for us) */
typedef struct pjob {
	struct pjob *next;
	preq_t *p;
	int64_t due;
} pjob_t;

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static pjob_t *q_head;
static bool q_stop;
static pthread_t q_th;
static atomic_int ended_with_error, late_resumes;

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void q_push(preq_t *p, int delay_ms)
{
	pjob_t *j = calloc(1, sizeof(*j));
	j->p = p;
	j->due = now_ms() + delay_ms;
	pthread_mutex_lock(&q_mu);
	pjob_t **pp = &q_head;
	while (*pp && (*pp)->due <= j->due)
		pp = &(*pp)->next;
	j->next = *pp;
	*pp = j;
	pthread_cond_broadcast(&q_cv);
	pthread_mutex_unlock(&q_mu);
}

static void *resumer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&q_mu);
	for (;;) {
		if (!q_head) {
			if (q_stop)
				break;
			pthread_cond_wait(&q_cv, &q_mu);
			continue;
		}
		int64_t wait = q_head->due - now_ms();
		if (wait > 0) {
			pthread_mutex_unlock(&q_mu);
			msleep(wait > 5 ? 5 : (int)wait);
			pthread_mutex_lock(&q_mu);
			continue;
		}
		pjob_t *j = q_head;
		q_head = j->next;
		pthread_mutex_unlock(&q_mu);
		preq_t *p = j->p;
		free(j);
		pthread_mutex_lock(&p->mu);
		p->paused = false;
		bool ended = p->ended;
		if (!ended)
			http_stream_resume(p->r); /* only while we own the request */
		pthread_mutex_unlock(&p->mu);
		if (ended) {
			atomic_fetch_add(&late_resumes, 1);
			pthread_mutex_destroy(&p->mu);
			free(p); /* end_cb left it to us */
		}
		pthread_mutex_lock(&q_mu);
	}
	pthread_mutex_unlock(&q_mu);
	return NULL;
}

/* ---------------------------------------------------------------- handler */

static int p_data(http_req_t *r, const char *data, size_t len)
{
	preq_t *p = r->user;
	pthread_mutex_lock(&p->mu);
	if (p->paused)
		p->violations++;
	if (!data && !len) {
		p->replays++;
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)data[i] != (unsigned char)((p->bytes + i) * 7 + 1))
			p->violations++;
	}
	p->bytes += len;
	p->chunks++;
	if (p->inline_resume) {
		pthread_mutex_unlock(&p->mu);
		http_stream_resume(r);
		return HTTP_DATA_PAUSE;
	}
	p->paused = true;
	int d = p->long_pause_ms ? p->long_pause_ms : 1;
	p->long_pause_ms = 0;
	pthread_mutex_unlock(&p->mu);
	q_push(p, d);
	return HTTP_DATA_PAUSE;
}

static void p_end(http_req_t *r, int status)
{
	preq_t *p = r->user;
	char body[200];
	pthread_mutex_lock(&p->mu);
	int n = snprintf(body, sizeof(body), "bytes=%llu chunks=%d replays=%d violations=%d status=%d",
			 (unsigned long long)p->bytes, p->chunks, p->replays, p->violations, status);
	if (status)
		atomic_fetch_add(&ended_with_error, 1);
	p->ended = true;
	bool resumer_owns = p->paused; /* a resume is on its way: the resumer frees p */
	pthread_mutex_unlock(&p->mu);
	r->user = NULL;
	http_respond(r, 200, "text/plain", body, (size_t)n);
	if (!resumer_owns) {
		pthread_mutex_destroy(&p->mu);
		free(p);
	}
}

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	preq_t *p = calloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	p->r = r;
	const char *lp = http_query_get(r, "long");
	p->long_pause_ms = lp ? atoi(lp) : 0;
	p->inline_resume = http_query_bool(r, "inline");
	r->user = p;
	http_stream_body(r, p_data, p_end);
}

static void start(void)
{
	http_config_t cfg = {.nloops = 1, .npool = 1, .dispatch = dispatch, .io_timeout_ms = 1000};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, "127.0.0.1", 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
	q_stop = false;
	pthread_create(&q_th, NULL, resumer, NULL);
}

static void stop(void)
{
	http_server_stop(srv);
	pthread_mutex_lock(&q_mu);
	q_stop = true;
	pthread_cond_broadcast(&q_cv);
	pthread_mutex_unlock(&q_mu);
	pthread_join(q_th, NULL);
}

TestSuite(http_pause, .init = start, .fini = stop, .timeout = 60);

/* ---------------------------------------------------------------- client */

static char *body_of(size_t n, uint64_t from)
{
	char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)((from + i) * 7 + 1);
	return b;
}

/* read one response (Content-Length) into out; returns the status */
static int read_resp(int fd, char *out, size_t cap)
{
	char buf[8192];
	size_t have = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
		cr_assert_gt(n, 0, "response cut short");
		have += (size_t)n;
		buf[have] = '\0';
		char *eoh = strstr(buf, "\r\n\r\n");
		if (!eoh)
			continue;
		char *cl = strcasestr(buf, "content-length:");
		cr_assert_not_null(cl);
		size_t clen = strtoul(cl + 15, NULL, 10);
		size_t hl = (size_t)(eoh + 4 - buf);
		if (have < hl + clen)
			continue;
		snprintf(out, cap, "%.*s", (int)clen, eoh + 4);
		return atoi(buf + 9);
	}
}

static void put_cl(int fd, const char *path, size_t n)
{
	char head[256];
	int hn = snprintf(head, sizeof(head), "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", path, n);
	cr_assert(raw_send(fd, head, (size_t)hn));
	char *b = body_of(n, 0);
	cr_assert(raw_send(fd, b, n));
	free(b);
}

Test(http_pause, content_length_body_exact)
{
	int fd = ht_connect(port, 30);
	size_t n = 6 * 1024 * 1024 + 3;
	put_cl(fd, "/p", n);
	char out[256];
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	unsigned long long bytes;
	int chunks, replays, viol, st;
	cr_assert_eq(sscanf(out, "bytes=%llu chunks=%d replays=%d violations=%d status=%d", &bytes, &chunks, &replays,
			    &viol, &st), 5, "%s", out);
	cr_assert_eq(bytes, n);
	cr_assert_eq(viol, 0, "%s", out);
	cr_assert_eq(st, 0);
	cr_assert_gt(chunks, 1);
	cr_assert_eq(replays, chunks, "one replay call per resume: %s", out);
	/* keep-alive: the connection serves the next request */
	put_cl(fd, "/p", 1000);
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	cr_assert(strstr(out, "bytes=1000 "), "%s", out);
	close(fd);
}

Test(http_pause, chunked_body_exact)
{
	int fd = ht_connect(port, 30);
	const char *head = "PUT /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	cr_assert(raw_send(fd, head, strlen(head)));
	uint64_t off = 0;
	for (int i = 0; i < 40; i++) {
		size_t k = 1 + (size_t)i * 7777;
		char cl[32];
		int cn = snprintf(cl, sizeof(cl), "%zx\r\n", k);
		char *b = body_of(k, off);
		cr_assert(raw_send(fd, cl, (size_t)cn) && raw_send(fd, b, k) && raw_send(fd, "\r\n", 2));
		free(b);
		off += k;
	}
	cr_assert(raw_send(fd, "0\r\n\r\n", 5));
	char out[256];
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	char want[64];
	snprintf(want, sizeof(want), "bytes=%llu ", (unsigned long long)off);
	cr_assert(strstr(out, want), "%s", out);
	cr_assert(strstr(out, "violations=0 status=0"), "%s", out);
	close(fd);
}

Test(http_pause, pause_longer_than_io_timeout)
{
	int fd = ht_connect(port, 30);
	put_cl(fd, "/p?long=2500", 512 * 1024); /* io timeout is 1 s */
	char out[256];
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	cr_assert(strstr(out, "bytes=524288 "), "%s", out);
	cr_assert(strstr(out, "status=0"), "%s", out);
	close(fd);
}

Test(http_pause, resume_overtakes_pause)
{
	int fd = ht_connect(port, 30);
	put_cl(fd, "/p?inline=1", 3 * 1024 * 1024);
	char out[256];
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	cr_assert(strstr(out, "bytes=3145728 "), "%s", out);
	cr_assert(strstr(out, "violations=0 status=0"), "%s", out);
	close(fd);
}

Test(http_pause, client_gone_while_paused)
{
	atomic_store(&ended_with_error, 0);
	atomic_store(&late_resumes, 0);
	for (int round = 0; round < 20; round++) {
		int fd = ht_connect(port, 30);
		char head[128];
		int hn = snprintf(head, sizeof(head), "PUT /p?long=%d HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
				  round % 2 ? 300 : 1);
		cr_assert(raw_send(fd, head, (size_t)hn));
		char *b = body_of(5000, 0);
		cr_assert(raw_send(fd, b, 5000));
		free(b);
		msleep(round % 3 ? 20 : 1);
		struct linger lg = {1, 0};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)); /* RST */
		close(fd);
	}
	for (int i = 0; i < 750 && atomic_load(&ended_with_error) < 20; i++) /* (15 s: a loaded box, ASan) */
		msleep(20);
	cr_assert_eq(atomic_load(&ended_with_error), 20, "every cut body ends with an error (%d)", atomic_load(&ended_with_error));
	msleep(400); /* the late resumes run against ended requests: nothing may break */
	cr_assert_gt(atomic_load(&late_resumes), 0);
	/* the server still serves */
	int fd = ht_connect(port, 30);
	put_cl(fd, "/p", 100);
	char out[256];
	cr_assert_eq(read_resp(fd, out, sizeof(out)), 200);
	close(fd);
}
