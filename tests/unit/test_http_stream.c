/* test_http_stream: blocking streaming handlers on pool threads (http_defer_stream,
 * http_body_read, http_resp_begin/write/end) against libcurl and raw sockets: byte-exact 50 MiB
 * echoes (Content-Length and chunked) with bounded server buffering, client disconnects during
 * upload and download, 16 concurrent streams, HEAD, Expect: 100-continue, a handler that rejects
 * the body unread, malformed chunked bodies, short responses, pipelining after a streamed response,
 * io timeouts. Set AIS_HTTP_STREAM_BENCH=1 to measure a 1 GiB echo through one connection. */
#include "core/err.h"
#include "net/http.h"
#include "net/http_int.h"

#include "http_testutil.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024 * 1024)
#define PAT_PERIOD 1000003u /* prime: the pattern never lines up with buffer sizes */

static http_server_t *srv;
static int port;
static unsigned char *pat; /* 2 * PAT_PERIOD bytes */
static atomic_long read_rc, write_rc, handlers_done;

/* ---------------------------------------------------------------- pattern */

static void pat_init(void)
{
	if (pat)
		return;
	pat = malloc(2 * (size_t)PAT_PERIOD);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < PAT_PERIOD; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pat[i] = pat[i + PAT_PERIOD] = (unsigned char)x;
	}
}

static void pat_fill(void *dst, uint64_t off, size_t n)
{
	char *d = dst;
	while (n) {
		size_t o = (size_t)(off % PAT_PERIOD), k = n < PAT_PERIOD ? n : PAT_PERIOD;
		memcpy(d, pat + o, k);
		d += k;
		off += k;
		n -= k;
	}
}

static bool pat_check(const void *src, uint64_t off, size_t n)
{
	const char *s = src;
	while (n) {
		size_t o = (size_t)(off % PAT_PERIOD), k = n < PAT_PERIOD ? n : PAT_PERIOD;
		if (memcmp(s, pat + o, k))
			return false;
		s += k;
		off += k;
		n -= k;
	}
	return true;
}

/* ---------------------------------------------------------------- handlers (pool threads) */

static void note(atomic_long *where, long rc)
{
	if (rc < 0)
		atomic_store(where, rc);
}

/* echo the body back: Content-Length as received, or chunked (?chunked or a chunked upload) */
static void h_echo(http_req_t *r)
{
	size_t cap = 256 * 1024;
	char *buf = malloc(cap);
	bool chunked = http_query_bool(r, "chunked") || r->content_length < 0;
	ssize_t n = http_body_read(r, buf, cap); /* first: answers Expect: 100-continue */
	if (n < 0) {
		note(&read_rc, (long)n);
		http_error_code(r, (int)n, "read failed");
		goto out;
	}
	int rc = http_resp_begin(r, 200, "application/octet-stream", chunked ? -1 : r->content_length);
	while (!rc && n > 0) {
		rc = http_resp_write(r, buf, (size_t)n);
		if (!rc)
			n = http_body_read(r, buf, cap);
	}
	note(&read_rc, (long)n);
	note(&write_rc, rc);
	http_resp_end(r);
out:
	free(buf);
	atomic_fetch_add(&handlers_done, 1);
}

/* GET /gen?size=N[&chunked]: N pattern bytes */
static void h_gen(http_req_t *r)
{
	const char *sz = http_query_get(r, "size");
	uint64_t size = sz ? strtoull(sz, NULL, 10) : 0;
	bool chunked = http_query_bool(r, "chunked");
	char *buf = malloc(100000);
	int rc = http_resp_begin(r, 200, "application/octet-stream", chunked ? -1 : (int64_t)size);
	for (uint64_t off = 0; !rc && off < size;) {
		size_t k = size - off < 100000 ? (size_t)(size - off) : 100000;
		pat_fill(buf, off, k);
		rc = http_resp_write(r, buf, k);
		off += k;
	}
	note(&write_rc, rc);
	http_resp_end(r);
	free(buf);
	atomic_fetch_add(&handlers_done, 1);
}

/* PUT /upload: read all, respond "n ok|bad" (pattern check) */
static void h_upload(http_req_t *r)
{
	size_t cap = 70001;
	char *buf = malloc(cap);
	uint64_t total = 0;
	bool ok = true;
	ssize_t n;
	while ((n = http_body_read(r, buf, cap)) > 0) {
		ok = ok && pat_check(buf, total, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0) {
		note(&read_rc, (long)n);
		http_error_code(r, (int)n, "upload failed after %llu bytes", (unsigned long long)total);
	} else {
		char b[64];
		int k = snprintf(b, sizeof(b), "%llu %s", (unsigned long long)total, ok ? "ok" : "bad");
		http_respond(r, 200, "text/plain", b, (size_t)k);
	}
	free(buf);
	atomic_fetch_add(&handlers_done, 1);
}

/* responds 400 without reading anything */
static void h_reject(http_req_t *r)
{
	http_error(r, 400, NULL, "rejected");
	atomic_fetch_add(&handlers_done, 1);
}

/* HEAD/GET: Content-Length 12345 announced; GET gets the bytes */
static void h_head(http_req_t *r)
{
	http_hdr_add(r, "X-Stream", "1");
	char buf[12345];
	pat_fill(buf, 0, sizeof(buf));
	int rc = http_resp_begin(r, 200, "application/octet-stream", sizeof(buf));
	if (!rc)
		rc = http_resp_write(r, buf, sizeof(buf)); /* discarded for HEAD */
	note(&write_rc, rc);
	http_resp_end(r);
	atomic_fetch_add(&handlers_done, 1);
}

/* announces 100 bytes, sends 50: the server must close the connection */
static void h_short(http_req_t *r)
{
	char buf[50];
	pat_fill(buf, 0, sizeof(buf));
	http_resp_begin(r, 200, NULL, 100);
	http_resp_write(r, buf, sizeof(buf));
	http_resp_end(r);
	atomic_fetch_add(&handlers_done, 1);
}

static void h_plain(http_req_t *r) { http_respond(r, 200, "text/plain", "plain", 5); }

/* dispatched from a pool thread first (http_defer), then the stream */
static void h_via_defer(http_req_t *r) { http_defer_stream(r, h_echo); }

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	const char *p = r->path;
	if (!strcmp(p, "/echo"))
		http_defer_stream(r, h_echo);
	else if (!strcmp(p, "/deferecho"))
		http_defer(r, h_via_defer);
	else if (!strcmp(p, "/gen"))
		http_defer_stream(r, h_gen);
	else if (!strcmp(p, "/upload"))
		http_defer_stream(r, h_upload);
	else if (!strcmp(p, "/reject"))
		http_defer_stream(r, h_reject);
	else if (!strcmp(p, "/head"))
		http_defer_stream(r, h_head);
	else if (!strcmp(p, "/short"))
		http_defer_stream(r, h_short);
	else if (!strcmp(p, "/plain"))
		h_plain(r);
	else
		http_error(r, 404, NULL, "no %s", p);
}

static void start_with(int io_timeout_ms)
{
	pat_init();
	atomic_store(&read_rc, 0);
	atomic_store(&write_rc, 0);
	atomic_store(&handlers_done, 0);
	http_config_t cfg = {.nloops = 2, .npool = 32, .dispatch = dispatch, .server_name = "aistore-c",
			     .io_timeout_ms = io_timeout_ms, .body_timeout_ms = io_timeout_ms};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, "127.0.0.1", 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
	curl_global_init(CURL_GLOBAL_ALL);
}

static void start_server(void) { start_with(0); }
static void start_short(void) { start_with(1000); }

static void stop_server(void)
{
	http_server_stop(srv);
	srv = NULL;
	curl_global_cleanup();
}

TestSuite(http_stream, .init = start_server, .fini = stop_server, .timeout = 120);

/* the server never held more than this for one stream (ring + output backlog) */
static void assert_bounded(void)
{
	size_t peak = http_server_stream_peak(srv);
	cr_assert(peak <= HTTP_STREAM_BODY + HTTP_STREAM_BACKLOG, "stream buffered %zu bytes", peak);
}

static bool wait_for(atomic_long *v, long want, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (atomic_load(v) == want)
			return true;
		usleep(10000);
	}
	return atomic_load(v) == want;
}

static bool wait_nonzero(atomic_long *v, int ms)
{
	for (int i = 0; i < ms / 10 && !atomic_load(v); i++)
		usleep(10000);
	return atomic_load(v) != 0;
}

/* ---------------------------------------------------------------- curl client */

typedef struct {
	uint64_t total, off; /* upload */
	uint64_t got;        /* download */
	bool bad;
	char hdrs[4096];
	size_t hlen;
} xfer_t;

static size_t x_read(char *d, size_t sz, size_t n, void *ud)
{
	xfer_t *x = ud;
	size_t k = sz * n;
	if (k > x->total - x->off)
		k = (size_t)(x->total - x->off);
	pat_fill(d, x->off, k);
	x->off += k;
	return k;
}

static size_t x_write(char *d, size_t sz, size_t n, void *ud)
{
	xfer_t *x = ud;
	if (!pat_check(d, x->got, sz * n))
		x->bad = true;
	x->got += sz * n;
	return sz * n;
}

static size_t x_hdr(char *d, size_t sz, size_t n, void *ud)
{
	xfer_t *x = ud;
	size_t k = sz * n;
	if (k > sizeof(x->hdrs) - 1 - x->hlen)
		k = sizeof(x->hdrs) - 1 - x->hlen;
	memcpy(x->hdrs + x->hlen, d, k);
	x->hlen += k;
	x->hdrs[x->hlen] = '\0';
	return sz * n;
}

/* put: PUT upload bytes (chunked: with Transfer-Encoding: chunked); else GET */
static CURL *x_setup(xfer_t *x, const char *path, bool put, uint64_t upload, bool chunked, struct curl_slist **hl)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	memset(x, 0, sizeof(*x));
	x->total = upload;
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, x_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, x_hdr);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 100L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
	curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	*hl = NULL;
	if (put) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, x_read);
		curl_easy_setopt(h, CURLOPT_READDATA, x);
		if (chunked)
			*hl = curl_slist_append(*hl, "Transfer-Encoding: chunked");
		else
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hl);
	}
	return h;
}

/* PUT upload bytes of the pattern to path; the response must be the same bytes */
static void curl_echo(const char *path, uint64_t size, bool chunked_up, const char *want_hdr, double *secs)
{
	xfer_t x;
	struct curl_slist *hl;
	CURL *h = x_setup(&x, path, true, size, chunked_up, &hl);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CURLcode rc = curl_easy_perform(h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (secs)
		*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_eq(rc, CURLE_OK, "curl: %s", curl_easy_strerror(rc));
	long st = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(x.got, size, "echoed %llu of %llu", (unsigned long long)x.got, (unsigned long long)size);
	cr_assert(!x.bad, "echo differs");
	if (want_hdr)
		cr_assert(strcasestr(x.hdrs, want_hdr), "no %s in %s", want_hdr, x.hdrs);
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
}

/* ---------------------------------------------------------------- raw client */

static int raw_connect(void) { return ht_connect(port, 10); }

static void raw_send_pat(int fd, uint64_t off, uint64_t n)
{
	char buf[65536];
	while (n) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		pat_fill(buf, off, k);
		if (!raw_send(fd, buf, k))
			return;
		off += k;
		n -= k;
	}
}

typedef struct {
	int fd;
	char b[65536];
	size_t pos, len;
} rd_t;

static int rd_byte(rd_t *r)
{
	if (r->pos == r->len) {
		ssize_t n = recv(r->fd, r->b, sizeof(r->b), 0);
		if (n <= 0)
			return -1;
		r->pos = 0;
		r->len = (size_t)n;
	}
	return (unsigned char)r->b[r->pos++];
}

static bool rd_line(rd_t *r, char *out, size_t cap)
{
	size_t n = 0;
	for (;;) {
		int ch = rd_byte(r);
		if (ch < 0)
			return false;
		if (ch == '\n')
			break;
		if (n + 1 < cap)
			out[n++] = (char)ch;
	}
	if (n && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return true;
}

/* n bytes into out (may be NULL: checked against the pattern from *off instead) */
static bool rd_n(rd_t *r, char *out, size_t n, uint64_t *off, bool *bad)
{
	while (n) {
		if (r->pos == r->len && rd_byte(r) >= 0)
			r->pos--;
		if (r->pos == r->len)
			return false;
		size_t k = r->len - r->pos < n ? r->len - r->pos : n;
		if (out) {
			memcpy(out, r->b + r->pos, k);
			out += k;
		} else {
			if (!pat_check(r->b + r->pos, *off, k))
				*bad = true;
			*off += k;
		}
		r->pos += k;
		n -= k;
	}
	return true;
}

typedef struct {
	int status;
	char hdrs[4096];
	char body[4096];    /* first bytes, NUL-terminated */
	uint64_t len;       /* body length */
	bool bad;           /* body is not the pattern */
	bool closes;
} hresp_t;

/* one response (1xx skipped); body bytes checked against the pattern; false on EOF/garbage */
static bool rd_resp(rd_t *r, hresp_t *o, bool head)
{
	memset(o, 0, sizeof(*o));
	char line[1024];
	do {
		if (!rd_line(r, line, sizeof(line)) || sscanf(line, "HTTP/1.%*d %d", &o->status) != 1)
			return false;
		size_t hl = 0;
		o->hdrs[0] = '\0';
		for (;;) {
			if (!rd_line(r, line, sizeof(line)))
				return false;
			if (!line[0])
				break;
			hl += (size_t)snprintf(o->hdrs + hl, sizeof(o->hdrs) - hl, "%s\n", line);
			if (hl >= sizeof(o->hdrs))
				hl = sizeof(o->hdrs) - 1;
		}
	} while (o->status < 200);
	o->closes = strcasestr(o->hdrs, "connection: close") != NULL;
	if (head || o->status == 204 || o->status == 304)
		return true;
	uint64_t off = 0;
	const char *cl = strcasestr(o->hdrs, "content-length:");
	if (strcasestr(o->hdrs, "transfer-encoding: chunked")) {
		for (;;) {
			if (!rd_line(r, line, sizeof(line)))
				return false;
			size_t n = strtoul(line, NULL, 16);
			if (!n)
				return rd_line(r, line, sizeof(line)) && !line[0];
			size_t keep = o->len < sizeof(o->body) - 1 ? sizeof(o->body) - 1 - (size_t)o->len : 0;
			keep = keep < n ? keep : n;
			uint64_t boff = off;
			if (keep && !rd_n(r, o->body + o->len, keep, NULL, NULL))
				return false;
			if (keep && !pat_check(o->body + o->len, boff, keep))
				o->bad = true;
			off += keep;
			if (!rd_n(r, NULL, n - keep, &off, &o->bad))
				return false;
			o->len += n;
			if (!rd_line(r, line, sizeof(line)) || line[0])
				return false;
		}
	}
	uint64_t n = cl ? strtoull(cl + 15, NULL, 10) : 0;
	size_t keep = n < sizeof(o->body) - 1 ? (size_t)n : sizeof(o->body) - 1;
	if (!rd_n(r, o->body, keep, NULL, NULL))
		return false;
	if (!pat_check(o->body, 0, keep))
		o->bad = true;
	off = keep;
	if (!rd_n(r, NULL, n - keep, &off, &o->bad))
		return false;
	o->len = n;
	return true;
}

static bool closed_within(int fd, int ms) { return ht_closed_within(fd, ms, true); }

static void assert_serves(void)
{
	int fd = raw_connect();
	const char req[] = "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 200);
	close(fd);
}

/* ---------------------------------------------------------------- tests */

Test(http_stream, echo_50m_content_length)
{
	curl_echo("/echo", 50 * MiB, false, "content-length: 52428800", NULL);
	assert_bounded();
	cr_assert_eq(atomic_load(&read_rc), 0);
	cr_assert_eq(atomic_load(&write_rc), 0);
}

Test(http_stream, echo_50m_chunked)
{
	curl_echo("/echo", 50 * MiB, true, "transfer-encoding: chunked", NULL);
	curl_echo("/echo?chunked=1", 3 * MiB + 17, false, "transfer-encoding: chunked", NULL);
	assert_bounded();
}

Test(http_stream, echo_small_and_empty)
{
	curl_echo("/echo", 0, false, "content-length: 0", NULL);
	curl_echo("/echo", 1, false, NULL, NULL);
	curl_echo("/echo", 100000, true, NULL, NULL);
	curl_echo("/deferecho", 2 * MiB + 3, false, NULL, NULL); /* http_defer_stream from a pool thread */
	xfer_t x;
	struct curl_slist *hl;
	CURL *h = x_setup(&x, "/echo", false, 0, false, &hl); /* GET: no body at all */
	cr_assert_eq(curl_easy_perform(h), CURLE_OK);
	cr_assert_eq(x.got, 0);
	curl_easy_cleanup(h);
}

/* a slow reader with small socket buffers: the server must stop reading the upload instead of
 * buffering; full duplex on one non-blocking socket */
Test(http_stream, slow_reader_bounded)
{
	const uint64_t size = 50 * MiB;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int sz = 64 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	char head[256];
	int hn = snprintf(head, sizeof(head), "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %llu\r\n\r\n",
			  (unsigned long long)size);
	raw_send(fd, head, (size_t)hn);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	uint64_t sent = 0, got = 0, max_lead = 0;
	char *sbuf = malloc(65536), *rbuf = malloc(65536);
	char rh[4096];
	size_t rhl = 0;
	bool in_body = false, bad = false;
	int slow = 0;
	while (got < size) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < size ? POLLOUT : 0)};
		cr_assert(poll(&p, 1, 10000) > 0, "stalled at sent %llu got %llu", (unsigned long long)sent,
			  (unsigned long long)got);
		if ((p.revents & POLLOUT) && sent < size) {
			size_t k = size - sent < 65536 ? (size_t)(size - sent) : 65536;
			pat_fill(sbuf, sent, k);
			ssize_t n = send(fd, sbuf, k, MSG_NOSIGNAL);
			if (n > 0)
				sent += (uint64_t)n;
		}
		if (p.revents & POLLIN) {
			if (++slow % 4) /* read at a quarter of the pace we could */
				usleep(200);
			ssize_t n = recv(fd, rbuf, in_body ? 16384 : 1, 0);
			cr_assert(n > 0 || errno == EAGAIN);
			if (n <= 0)
				continue;
			if (!in_body) {
				rh[rhl++] = rbuf[0];
				cr_assert(rhl < sizeof(rh));
				if (rhl >= 4 && !memcmp(rh + rhl - 4, "\r\n\r\n", 4)) {
					rh[rhl] = '\0';
					cr_assert(!strncmp(rh, "HTTP/1.1 200", 12), "%s", rh);
					in_body = true;
				}
				continue;
			}
			if (!pat_check(rbuf, got, (size_t)n))
				bad = true;
			got += (uint64_t)n;
		}
		if (sent - got > max_lead)
			max_lead = sent - got;
	}
	cr_assert(!bad);
	cr_log_info("slow reader: client ran ahead by at most %llu KiB; server peak %zu KiB",
		    (unsigned long long)(max_lead >> 10), http_server_stream_peak(srv) >> 10);
	assert_bounded();
	free(sbuf);
	free(rbuf);
	close(fd);
}

Test(http_stream, client_gone_mid_upload)
{
	int fd = raw_connect();
	const char head[] = "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n";
	raw_send(fd, head, sizeof(head) - 1);
	raw_send_pat(fd, 0, 2 * MiB);
	usleep(100000);
	close(fd);
	cr_assert(wait_for(&handlers_done, 1, 5000), "handler not done");
	long rc = atomic_load(&read_rc);
	cr_assert(rc < 0, "body_read: %ld", rc);
	assert_serves();
}

Test(http_stream, client_gone_mid_download)
{
	int fd = raw_connect();
	const char req[] = "GET /gen?size=1073741824 HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	char b[65536];
	size_t got = 0;
	while (got < MiB) {
		ssize_t n = recv(fd, b, sizeof(b), 0);
		cr_assert(n > 0);
		got += (size_t)n;
	}
	close(fd);
	cr_assert(wait_for(&handlers_done, 1, 5000), "writer not woken");
	cr_assert(atomic_load(&write_rc) < 0);
	assert_bounded();
	assert_serves();
}

struct par {
	xfer_t x;
	CURL *h;
	struct curl_slist *hl;
	uint64_t size;
};

Test(http_stream, concurrent_16)
{
	enum { N = 16 };
	struct par *ps = calloc(N, sizeof(*ps));
	CURLM *m = curl_multi_init();
	for (int i = 0; i < N; i++) {
		ps[i].size = 3 * MiB + (uint64_t)i * 7919;
		const char *path = i % 3 == 0 ? "/echo?chunked=1" : i % 3 == 1 ? "/echo" : "/deferecho";
		ps[i].h = x_setup(&ps[i].x, path, true, ps[i].size, i % 2, &ps[i].hl);
		curl_multi_add_handle(m, ps[i].h);
	}
	int running = 1;
	while (running) {
		cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	CURLMsg *msg;
	int left, done = 0;
	while ((msg = curl_multi_info_read(m, &left))) {
		if (msg->msg == CURLMSG_DONE) {
			cr_assert_eq(msg->data.result, CURLE_OK, "%s", curl_easy_strerror(msg->data.result));
			done++;
		}
	}
	cr_assert_eq(done, N);
	for (int i = 0; i < N; i++) {
		long st = 0;
		curl_easy_getinfo(ps[i].h, CURLINFO_RESPONSE_CODE, &st);
		cr_assert_eq(st, 200);
		cr_assert_eq(ps[i].x.got, ps[i].size, "stream %d: %llu bytes", i, (unsigned long long)ps[i].x.got);
		cr_assert(!ps[i].x.bad, "stream %d differs", i);
		curl_multi_remove_handle(m, ps[i].h);
		curl_easy_cleanup(ps[i].h);
		curl_slist_free_all(ps[i].hl);
	}
	curl_multi_cleanup(m);
	free(ps);
	assert_bounded();
}

Test(http_stream, head_and_get_keepalive)
{
	int fd = raw_connect();
	const char req[] = "HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /head HTTP/1.1\r\nHost: x\r\n\r\n"
			   "HEAD /gen?size=1000&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, true));
	cr_assert_eq(o.status, 200);
	cr_assert(strcasestr(o.hdrs, "content-length: 12345"), "%s", o.hdrs);
	cr_assert(strcasestr(o.hdrs, "x-stream: 1"));
	cr_assert(!o.closes);
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 200);
	cr_assert_eq(o.len, 12345);
	cr_assert(!o.bad);
	cr_assert(rd_resp(&r, &o, true));
	cr_assert(strcasestr(o.hdrs, "transfer-encoding: chunked"), "%s", o.hdrs);
	cr_assert(rd_resp(&r, &o, false)); /* no stray body bytes before this one */
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "plain");
	close(fd);
	/* libcurl HEAD */
	xfer_t x;
	struct curl_slist *hl;
	CURL *h = x_setup(&x, "/head", false, 0, false, &hl);
	curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	cr_assert_eq(curl_easy_perform(h), CURLE_OK);
	cr_assert_eq(x.got, 0);
	curl_easy_cleanup(h);
}

Test(http_stream, reject_unread_body)
{
	/* small body: drained, the connection stays */
	int fd = raw_connect();
	char req[512];
	int n = snprintf(req, sizeof(req), "PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
	raw_send(fd, req, (size_t)n);
	raw_send_pat(fd, 0, 5000);
	const char next[] = "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, next, sizeof(next) - 1);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 400);
	cr_assert(strstr(o.body, "rejected"));
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "plain");
	close(fd);

	/* large body: 400 with Connection: close, then the close */
	fd = raw_connect();
	n = snprintf(req, sizeof(req), "PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n");
	raw_send(fd, req, (size_t)n);
	raw_send_pat(fd, 0, 256 * 1024);
	rd_t r2 = {.fd = fd};
	cr_assert(rd_resp(&r2, &o, false));
	cr_assert_eq(o.status, 400);
	cr_assert(o.closes, "%s", o.hdrs);
	cr_assert(closed_within(fd, 5000));
	close(fd);

	/* Expect: 100-continue and no read: no 100, 400, close */
	fd = raw_connect();
	n = snprintf(req, sizeof(req),
		     "PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
	raw_send(fd, req, (size_t)n);
	rd_t r3 = {.fd = fd};
	char line[256];
	cr_assert(rd_line(&r3, line, sizeof(line)));
	cr_assert(!strncmp(line, "HTTP/1.1 400", 12), "%s", line);
	close(fd);
	assert_serves();
}

Test(http_stream, expect_continue)
{
	int fd = raw_connect();
	const char head[] = "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n";
	raw_send(fd, head, sizeof(head) - 1);
	rd_t r = {.fd = fd};
	char line[256];
	cr_assert(rd_line(&r, line, sizeof(line)));
	cr_assert_str_eq(line, "HTTP/1.1 100 Continue");
	cr_assert(rd_line(&r, line, sizeof(line)));
	cr_assert_str_eq(line, "");
	raw_send_pat(fd, 0, 3000000);
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "3000000 ok");
	cr_assert(!o.closes);
	close(fd);
}

Test(http_stream, malformed_chunked_body)
{
	int fd = raw_connect();
	const char req[] = "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "10\r\n0123456789abcdef\r\nzz\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 400, "%d %s", o.status, o.body);
	cr_assert(o.closes);
	cr_assert_eq(atomic_load(&read_rc), AIS_EINVAL);
	cr_assert(closed_within(fd, 3000));
	close(fd);
	assert_serves();
}

Test(http_stream, short_response_closes)
{
	int fd = raw_connect();
	const char req[] = "GET /short HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	size_t len = 0;
	char b[4096];
	ssize_t n;
	while ((n = recv(fd, b + len, sizeof(b) - 1 - len, 0)) > 0)
		len += (size_t)n;
	b[len] = '\0';
	cr_assert(strstr(b, "Content-Length: 100\r\n"));
	cr_assert(!strstr(b, "plain"), "the pipelined request must not be answered");
	cr_assert_eq(n, 0, "connection not closed");
	close(fd);
}

Test(http_stream, pipelined_after_stream)
{
	int fd = raw_connect();
	char req[512];
	int n = snprintf(req, sizeof(req), "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n");
	raw_send(fd, req, (size_t)n);
	raw_send_pat(fd, 0, 300000);
	const char more[] = "GET /gen?size=2000000&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n"
			    "PUT /echo?chunked=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			    "5\r\n";
	raw_send(fd, more, sizeof(more) - 1);
	raw_send_pat(fd, 0, 5);
	const char tail[] = "\r\n0\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, tail, sizeof(tail) - 1);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.status, 200);
	cr_assert_eq(o.len, 300000);
	cr_assert(!o.bad);
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.len, 2000000);
	cr_assert(!o.bad);
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_eq(o.len, 5);
	cr_assert(!o.bad);
	cr_assert(rd_resp(&r, &o, false));
	cr_assert_str_eq(o.body, "plain");
	cr_assert(!o.closes);
	close(fd);
}

/* AIS_HTTP_STREAM_BENCH=1: 1 GiB through one connection (PUT, echoed back concurrently) */
Test(http_stream, bench_1g_echo, .timeout = 600)
{
	if (!getenv("AIS_HTTP_STREAM_BENCH"))
		return;
	double cl_s, ch_s;
	curl_echo("/echo", 1024ULL * MiB, false, NULL, &cl_s);
	curl_echo("/echo", 1024ULL * MiB, true, NULL, &ch_s);
	fprintf(stderr, "bench: 1 GiB echo, one connection: Content-Length %.0f MB/s, chunked %.0f MB/s (peak buffered %zu KiB)\n",
		1073.741824 / cl_s, 1073.741824 / ch_s, http_server_stream_peak(srv) >> 10);
	assert_bounded();
}

/* ---------------------------------------------------------------- timeouts */

TestSuite(http_stream_timeouts, .init = start_short, .fini = stop_server, .timeout = 30);

Test(http_stream_timeouts, stalled_upload)
{
	int fd = raw_connect();
	const char head[] = "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n";
	raw_send(fd, head, sizeof(head) - 1);
	raw_send_pat(fd, 0, 1000);
	cr_assert(wait_nonzero(&read_rc, 5000));
	cr_assert_eq(atomic_load(&read_rc), AIS_ETIMEOUT);
	cr_assert(closed_within(fd, 3000));
	close(fd);
}

Test(http_stream_timeouts, stalled_download)
{
	int fd = raw_connect();
	int sz = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	const char req[] = "GET /gen?size=1073741824 HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, req, sizeof(req) - 1);
	cr_assert(wait_nonzero(&write_rc, 8000), "writer not failed");
	cr_assert_eq(atomic_load(&write_rc), AIS_ETIMEOUT);
	cr_assert(wait_for(&handlers_done, 1, 3000));
	close(fd);
}
