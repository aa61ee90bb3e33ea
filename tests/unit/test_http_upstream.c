/* test_http_upstream: http_proxy_pass (non-blocking reverse proxying on the loop thread) against an
 * in-process upstream server (blocking-stream handlers) and scripted raw upstreams: GET with
 * Content-Length and chunked responses, PUT with Content-Length and chunked bodies (byte-exact,
 * both directions at once), HEAD, header forwarding (hop-by-hop dropped, filter, extra headers),
 * Expect: 100-continue, an early upstream answer, refused connections, an upstream that dies
 * mid-body (the client sees a truncated response, never a clean end), a slow client (the upstream
 * is paused, nothing buffered whole), a client that goes away, keep-alive reuse, pooled
 * connections the upstream closed (idle, and right after the request was sent), upstream
 * timeouts, malformed client bodies, concurrency. The proxy runs one loop so reuse is countable. */
#include "core/err.h"
#include "net/http.h"
#include "net/http_upstream.h"

#include "http_testutil.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024 * 1024)
#define PAT_PERIOD 1000003u

static http_server_t *up_srv, *px_srv;
static int up_port, px_port;
static char up_url[128]; /* where the proxy forwards (tests may point it elsewhere) */
static unsigned char *pat;
static atomic_long up_write_rc, up_read_rc, up_done, up_gen_bytes;

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

/* ---------------------------------------------------------------- upstream handlers (pool threads) */

static void note(atomic_long *where, long rc)
{
	if (rc < 0)
		atomic_store(where, rc);
}

/* PUT /echo: the body back (Content-Length as received, or chunked for a chunked upload) */
static void h_echo(http_req_t *r)
{
	size_t cap = 256 * 1024;
	char *buf = malloc(cap);
	ssize_t n = http_body_read(r, buf, cap);
	if (n < 0) {
		note(&up_read_rc, (long)n);
		http_error_code(r, (int)n, "read failed");
		goto out;
	}
	int rc = http_resp_begin(r, 200, "application/octet-stream", r->content_length);
	while (!rc && n > 0) {
		rc = http_resp_write(r, buf, (size_t)n);
		if (!rc)
			n = http_body_read(r, buf, cap);
	}
	note(&up_read_rc, (long)n);
	note(&up_write_rc, rc);
	http_resp_end(r);
out:
	free(buf);
	atomic_fetch_add(&up_done, 1);
}

/* GET /gen?size=N[&chunked]: N pattern bytes; counts what it produced */
static void h_gen(http_req_t *r)
{
	const char *sz = http_query_get(r, "size");
	uint64_t size = sz ? strtoull(sz, NULL, 10) : 0;
	bool chunked = http_query_bool(r, "chunked");
	char *buf = malloc(100000);
	http_hdr_add(r, "X-Gen", "yes");
	int rc = http_resp_begin(r, 200, "application/octet-stream", chunked ? -1 : (int64_t)size);
	for (uint64_t off = 0; !rc && off < size;) {
		size_t k = size - off < 100000 ? (size_t)(size - off) : 100000;
		pat_fill(buf, off, k);
		rc = http_resp_write(r, buf, k);
		off += k;
		atomic_fetch_add(&up_gen_bytes, (long)k);
	}
	note(&up_write_rc, rc);
	http_resp_end(r);
	free(buf);
	atomic_fetch_add(&up_done, 1);
}

/* PUT /upload: reads all, answers "<n> ok|bad" */
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
		note(&up_read_rc, (long)n);
		http_error_code(r, (int)n, "upload failed after %llu bytes", (unsigned long long)total);
	} else {
		char b[64];
		int k = snprintf(b, sizeof(b), "%llu %s", (unsigned long long)total, ok ? "ok" : "bad");
		http_respond(r, 200, "text/plain", b, (size_t)k);
	}
	free(buf);
	atomic_fetch_add(&up_done, 1);
}

/* 403 at once, body unread */
static void h_reject(http_req_t *r)
{
	http_error(r, 403, NULL, "rejected");
	atomic_fetch_add(&up_done, 1);
}

/* HEAD/GET: 12345 bytes announced */
static void h_head(http_req_t *r)
{
	char buf[12345];
	pat_fill(buf, 0, sizeof(buf));
	http_hdr_add(r, "X-Head", "1");
	int rc = http_resp_begin(r, 200, "application/octet-stream", sizeof(buf));
	if (!rc)
		rc = http_resp_write(r, buf, sizeof(buf));
	http_resp_end(r);
	atomic_fetch_add(&up_done, 1);
}

/* the request as the upstream saw it: method, target, headers, peer */
static void h_show(http_req_t *r)
{
	char b[8192];
	size_t n = (size_t)snprintf(b, sizeof(b), "%s %s?%s\npeer %s\n", r->method_str, r->raw_path, r->raw_query,
				    r->remote_addr);
	for (int i = 0; i < r->nhdrs && n < sizeof(b); i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s: %s\n", r->hdrs[i].name, r->hdrs[i].value);
	if (n > sizeof(b))
		n = sizeof(b);
	http_hdr_add(r, "X-Custom", "kept");
	http_hdr_add(r, "Keep-Alive", "timeout=5");
	http_hdr_add(r, "Connection", "X-Private");
	http_hdr_add(r, "X-Private", "dropped");
	http_respond(r, 200, "text/plain", b, n);
}

static void h_status(http_req_t *r)
{
	const char *c = http_query_get(r, "code");
	http_respond(r, c ? atoi(c) : 200, NULL, NULL, 0);
}

static void up_dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	const char *p = r->path;
	if (!strcmp(p, "/echo"))
		http_defer_stream(r, h_echo);
	else if (!strcmp(p, "/gen"))
		http_defer_stream(r, h_gen);
	else if (!strcmp(p, "/upload"))
		http_defer_stream(r, h_upload);
	else if (!strcmp(p, "/reject"))
		http_defer_stream(r, h_reject);
	else if (!strcmp(p, "/head"))
		http_defer_stream(r, h_head);
	else if (!strcmp(p, "/show"))
		h_show(r);
	else if (!strcmp(p, "/status"))
		h_status(r);
	else
		http_error(r, 404, NULL, "no %s", p);
}

/* ---------------------------------------------------------------- the proxy */

static bool px_hdr_cb(const http_kv_t *h, void *arg)
{
	(void)arg;
	return strcasecmp(h->name, "X-Drop-Me") != 0;
}

static void px_fail_cb(http_req_t *r, int code, const char *why, void *arg)
{
	(void)arg;
	char b[512];
	int n = snprintf(b, sizeof(b), "proxy failed (%s): %s", err_str(code), why);
	http_respond(r, code == AIS_EINVAL ? 400 : 503, "text/plain", b, (size_t)n);
}

static void px_dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	if (!strcmp(r->path, "/local")) { /* served by the proxy itself */
		http_respond(r, 200, "text/plain", "local", 5);
		return;
	}
	http_hdr_add(r, "X-Proxy", "px"); /* a handler header before the pass ends up in the response */
	http_upstream_t u = {.url = up_url, .hdr_cb = px_hdr_cb, .extra_hdrs = "X-Forwarded-By: test-proxy\r\n",
			     .fail_cb = px_fail_cb};
	http_proxy_pass(r, &u);
}

static void start_with(int px_io_ms, int up_idle_ms)
{
	pat_init();
	atomic_store(&up_write_rc, 0);
	atomic_store(&up_read_rc, 0);
	atomic_store(&up_done, 0);
	atomic_store(&up_gen_bytes, 0);
	http_config_t uc = {.nloops = 1, .npool = 32, .dispatch = up_dispatch, .idle_timeout_ms = up_idle_ms};
	up_srv = http_server_new(&uc);
	cr_assert(up_srv);
	cr_assert_eq(http_server_listen(up_srv, "127.0.0.1", 0), 0);
	up_port = http_server_port(up_srv, 0);
	cr_assert_eq(http_server_start(up_srv), 0);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", up_port);
	http_config_t pc = {.nloops = 1, .npool = 1, .dispatch = px_dispatch, .io_timeout_ms = px_io_ms};
	px_srv = http_server_new(&pc);
	cr_assert(px_srv);
	cr_assert_eq(http_server_listen(px_srv, "127.0.0.1", 0), 0);
	px_port = http_server_port(px_srv, 0);
	cr_assert_eq(http_server_start(px_srv), 0);
	curl_global_init(CURL_GLOBAL_ALL);
}

static void start_default(void) { start_with(0, 0); }
static void start_short_io(void) { start_with(1000, 0); }
static void start_short_idle(void) { start_with(0, 1000); }

static void stop_all(void)
{
	http_server_stop(px_srv);
	http_server_stop(up_srv);
	px_srv = up_srv = NULL;
	curl_global_cleanup();
}

TestSuite(upstream, .init = start_default, .fini = stop_all, .timeout = 120);

static bool wait_for(atomic_long *v, long want, int ms)
{
	for (int i = 0; i < ms / 10 && atomic_load(v) != want; i++)
		usleep(10000);
	return atomic_load(v) == want;
}

/* ---------------------------------------------------------------- raw client */

typedef struct {
	int fd;
	char b[65536];
	size_t pos, len;
	int err; /* errno of the read that ended the stream (0: clean EOF) */
} rd_t;

static int rd_byte(rd_t *r)
{
	if (r->pos == r->len) {
		ssize_t n = recv(r->fd, r->b, sizeof(r->b), 0);
		if (n <= 0) {
			r->err = n < 0 ? errno : 0;
			return -1;
		}
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

/* up to n body bytes checked against the pattern from *off; returns how many arrived */
static uint64_t rd_pat(rd_t *r, uint64_t n, uint64_t *off, bool *bad)
{
	uint64_t got = 0;
	while (got < n) {
		if (r->pos == r->len) {
			if (rd_byte(r) < 0)
				break;
			r->pos--;
		}
		size_t k = r->len - r->pos;
		if (k > n - got)
			k = (size_t)(n - got);
		if (!pat_check(r->b + r->pos, *off, k))
			*bad = true;
		*off += k;
		r->pos += k;
		got += k;
	}
	return got;
}

typedef struct {
	int status;
	char hdrs[4096];
	char body[8192]; /* text bodies */
	uint64_t len;
	bool bad, closes, complete;
} hresp_t;

/* one response; pattern bodies (pattern=true) are checked, others kept in body */
static bool rd_resp(rd_t *r, hresp_t *o, bool head, bool pattern)
{
	memset(o, 0, sizeof(*o));
	char line[2048];
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
	if (head || o->status == 204 || o->status == 304) {
		o->complete = true;
		return true;
	}
	uint64_t off = 0;
	if (strcasestr(o->hdrs, "transfer-encoding: chunked")) {
		for (;;) {
			if (!rd_line(r, line, sizeof(line)))
				return false;
			uint64_t n = strtoull(line, NULL, 16);
			if (!n) {
				o->complete = rd_line(r, line, sizeof(line)) && !line[0];
				return o->complete;
			}
			if (pattern) {
				if (rd_pat(r, n, &off, &o->bad) != n)
					return false;
			} else {
				for (uint64_t i = 0; i < n; i++) {
					int ch = rd_byte(r);
					if (ch < 0)
						return false;
					if (o->len + i < sizeof(o->body) - 1)
						o->body[o->len + i] = (char)ch;
				}
			}
			o->len += n;
			if (!rd_line(r, line, sizeof(line)) || line[0])
				return false;
		}
	}
	const char *cl = strcasestr(o->hdrs, "content-length:");
	uint64_t n = cl ? strtoull(cl + 15, NULL, 10) : UINT64_MAX; /* none: up to the close */
	if (pattern) {
		o->len = rd_pat(r, n, &off, &o->bad);
	} else {
		while (o->len < n) {
			int ch = rd_byte(r);
			if (ch < 0)
				break;
			if (o->len < sizeof(o->body) - 1)
				o->body[o->len] = (char)ch;
			o->len++;
		}
	}
	o->complete = cl ? o->len == n : r->err == 0;
	return o->complete;
}

static int px_connect(void) { return ht_connect(px_port, 10); }

static void px_send(int fd, const char *s) { cr_assert(raw_send(fd, s, strlen(s))); }

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

/* one request on a new connection to the proxy */
static void px_get(const char *req, hresp_t *o, bool pattern)
{
	int fd = px_connect();
	px_send(fd, req);
	rd_t r = {.fd = fd};
	rd_resp(&r, o, !strncmp(req, "HEAD", 4), pattern);
	close(fd);
}

/* the proxy still serves */
static void assert_serves(void)
{
	hresp_t o;
	px_get("GET /gen?size=1000 HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert_eq(o.status, 200);
	cr_assert(o.complete && !o.bad && o.len == 1000);
}

/* ---------------------------------------------------------------- curl client */

typedef struct {
	uint64_t total, off, got;
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

static CURL *x_setup(xfer_t *x, const char *path, bool put, uint64_t upload, bool chunked, struct curl_slist **hl)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", px_port, path);
	memset(x, 0, sizeof(*x));
	x->total = upload;
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, x_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, x_hdr);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
	curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	*hl = curl_slist_append(NULL, "Expect:");
	if (put) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, x_read);
		curl_easy_setopt(h, CURLOPT_READDATA, x);
		if (chunked)
			*hl = curl_slist_append(*hl, "Transfer-Encoding: chunked");
		else
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hl);
	return h;
}

/* PUT size pattern bytes to /echo through the proxy: the same bytes must come back */
static void curl_echo(uint64_t size, bool chunked)
{
	xfer_t x;
	struct curl_slist *hl;
	CURL *h = x_setup(&x, "/echo", true, size, chunked, &hl);
	CURLcode rc = curl_easy_perform(h);
	cr_assert_eq(rc, CURLE_OK, "curl: %s", curl_easy_strerror(rc));
	long st = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(x.got, size, "echoed %llu of %llu", (unsigned long long)x.got, (unsigned long long)size);
	cr_assert(!x.bad, "echo differs");
	cr_assert(strcasestr(x.hdrs, chunked ? "transfer-encoding: chunked" : "content-length:"), "%s", x.hdrs);
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
}

/* ---------------------------------------------------------------- scripted raw upstream */

typedef void (*raw_script_t)(int fd, int nth);

typedef struct {
	int lfd, port;
	raw_script_t script;
	pthread_t th;
	atomic_int accepted;
	atomic_bool stop;
} raw_up_t;

static void *raw_up_main(void *arg)
{
	raw_up_t *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {.fd = s->lfd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		int nth = atomic_fetch_add(&s->accepted, 1);
		s->script(fd, nth);
		close(fd);
	}
	return NULL;
}

static void raw_up_start(raw_up_t *s, raw_script_t script)
{
	memset(s, 0, sizeof(*s));
	s->script = script;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s->lfd, 16), 0);
	socklen_t al = sizeof(a);
	getsockname(s->lfd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->th, NULL, raw_up_main, s);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", s->port);
}

static void raw_up_stop(raw_up_t *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	close(s->lfd);
}

/* read one request head (and discard) from fd; false on EOF */
static bool raw_read_head(int fd)
{
	char b[4096];
	size_t n = 0;
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (n < 4 || memcmp(b + n - 4, "\r\n\r\n", 4)) {
		if (n == sizeof(b) || recv(fd, b + n, 1, 0) != 1)
			return false;
		n++;
	}
	return true;
}

/* ---------------------------------------------------------------- tests: data paths */

Test(upstream, get_content_length)
{
	hresp_t o;
	px_get("GET /gen?size=3000017 HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert_eq(o.status, 200);
	cr_assert(o.complete && !o.bad, "len %llu", (unsigned long long)o.len);
	cr_assert_eq(o.len, 3000017);
	cr_assert(strcasestr(o.hdrs, "content-length: 3000017"), "%s", o.hdrs);
	cr_assert(strcasestr(o.hdrs, "x-gen: yes"), "%s", o.hdrs);
	cr_assert(strcasestr(o.hdrs, "x-proxy: px"), "%s", o.hdrs);
	cr_assert(!strcasestr(o.hdrs, "transfer-encoding"), "%s", o.hdrs);
	/* empty body */
	px_get("GET /gen?size=0 HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert_eq(o.status, 200);
	cr_assert(o.complete && o.len == 0);
}

Test(upstream, get_chunked)
{
	hresp_t o;
	px_get("GET /gen?size=2500001&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert_eq(o.status, 200);
	cr_assert(strcasestr(o.hdrs, "transfer-encoding: chunked"), "%s", o.hdrs);
	cr_assert(o.complete && !o.bad);
	cr_assert_eq(o.len, 2500001);
	/* an HTTP/1.0 client gets the body delimited by the close */
	int fd = px_connect();
	px_send(fd, "GET /gen?size=300000&chunked=1 HTTP/1.0\r\n\r\n");
	rd_t r = {.fd = fd};
	rd_resp(&r, &o, false, true);
	cr_assert_eq(o.status, 200);
	cr_assert(!strcasestr(o.hdrs, "transfer-encoding"), "%s", o.hdrs);
	cr_assert(o.closes);
	cr_assert(o.complete && !o.bad && o.len == 300000, "len %llu", (unsigned long long)o.len);
	close(fd);
}

Test(upstream, put_content_length_and_chunked)
{
	curl_echo(0, false);
	curl_echo(1, false);
	curl_echo(20 * MiB + 7, false);
	curl_echo(20 * MiB + 7, true);
	curl_echo(100000, true);
	cr_assert_eq(atomic_load(&up_read_rc), 0);
	cr_assert_eq(atomic_load(&up_write_rc), 0);
	/* an upload the upstream consumes before answering */
	int fd = px_connect();
	px_send(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
	raw_send_pat(fd, 0, 5000000);
	px_send(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "3\r\n");
	raw_send_pat(fd, 0, 3);
	px_send(fd, "\r\n0\r\n\r\n");
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false, false));
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "5000000 ok");
	cr_assert(rd_resp(&r, &o, false, false)); /* pipelined on the same connection */
	cr_assert_str_eq(o.body, "3 ok");
	cr_assert(!o.closes);
	close(fd);
}

Test(upstream, head_and_bodyless)
{
	int fd = px_connect();
	px_send(fd, "HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n"
		    "HEAD /gen?size=5000&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n"
		    "GET /status?code=204 HTTP/1.1\r\nHost: x\r\n\r\n"
		    "GET /status?code=304 HTTP/1.1\r\nHost: x\r\n\r\n"
		    "GET /head HTTP/1.1\r\nHost: x\r\n\r\n");
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, true, true));
	cr_assert_eq(o.status, 200);
	cr_assert(strcasestr(o.hdrs, "content-length: 12345"), "%s", o.hdrs);
	cr_assert(strcasestr(o.hdrs, "x-head: 1"), "%s", o.hdrs);
	cr_assert(rd_resp(&r, &o, true, true));
	cr_assert(strcasestr(o.hdrs, "transfer-encoding: chunked"), "%s", o.hdrs);
	cr_assert(rd_resp(&r, &o, false, true));
	cr_assert_eq(o.status, 204);
	cr_assert(!strcasestr(o.hdrs, "content-length"), "%s", o.hdrs);
	cr_assert(rd_resp(&r, &o, false, true));
	cr_assert_eq(o.status, 304);
	cr_assert(rd_resp(&r, &o, false, true)); /* no stray body bytes before this one */
	cr_assert_eq(o.status, 200);
	cr_assert(o.len == 12345 && !o.bad);
	cr_assert(!o.closes);
	close(fd);
}

Test(upstream, headers_forwarded)
{
	hresp_t o;
	/* two Host headers: 400 before anything is forwarded (RFC 9112 3.2, as Go's net/http) */
	px_get("GET /show HTTP/1.1\r\nHost: example.com:9\r\nHost: second\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 400);
	cr_assert(strstr(o.body, "too many Host headers"), "%s", o.body);
	px_get("GET /show?a=1&b=%2F HTTP/1.1\r\nHost: example.com:9\r\nAuthorization: AWS4-HMAC-SHA256 sig\r\n"
	       "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=3\r\nX-Drop-Me: 1\r\n"
	       "Proxy-Authorization: secret\r\nX-Amz-Date: 20260101T000000Z\r\n\r\n",
	       &o, false);
	cr_assert_eq(o.status, 200);
	const char *b = o.body;
	cr_assert(strstr(b, "GET /show?a=1&b=%2F\n"), "%s", b);
	cr_assert(strstr(b, "Host: example.com:9\n"), "%s", b);
	cr_assert(!strstr(b, "Host: second"), "%s", b);
	cr_assert(strstr(b, "Authorization: AWS4-HMAC-SHA256 sig\n"), "%s", b);
	cr_assert(strstr(b, "X-Amz-Date: 20260101T000000Z\n"), "%s", b);
	cr_assert(strstr(b, "X-Forwarded-By: test-proxy\n"), "%s", b);
	cr_assert(!strcasestr(b, "connection:"), "%s", b);
	cr_assert(!strcasestr(b, "x-hop"), "%s", b);
	cr_assert(!strcasestr(b, "keep-alive"), "%s", b);
	cr_assert(!strcasestr(b, "x-drop-me"), "%s", b);
	cr_assert(!strcasestr(b, "proxy-authorization"), "%s", b);
	/* response: end-to-end headers kept, hop-by-hop (and what its Connection lists) dropped */
	cr_assert(strcasestr(o.hdrs, "x-custom: kept"), "%s", o.hdrs);
	cr_assert(!strcasestr(o.hdrs, "keep-alive"), "%s", o.hdrs);
	cr_assert(!strcasestr(o.hdrs, "x-private"), "%s", o.hdrs);
	cr_assert(strcasestr(o.hdrs, "date:"), "%s", o.hdrs);
}

Test(upstream, expect_continue)
{
	int fd = px_connect();
	px_send(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n");
	rd_t r = {.fd = fd};
	char line[256];
	cr_assert(rd_line(&r, line, sizeof(line)));
	cr_assert_str_eq(line, "HTTP/1.1 100 Continue");
	cr_assert(rd_line(&r, line, sizeof(line)));
	cr_assert_str_eq(line, "");
	raw_send_pat(fd, 0, 3000000);
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false, false));
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "3000000 ok");
	close(fd);
}

/* the upstream answers before reading a large body: the answer is relayed, the connection ends */
Test(upstream, early_answer)
{
	int fd = px_connect();
	px_send(fd, "PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n");
	raw_send_pat(fd, 0, 256 * 1024);
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false, false));
	cr_assert_eq(o.status, 403);
	cr_assert(strstr(o.body, "rejected"), "%s", o.body);
	cr_assert(o.closes, "%s", o.hdrs);
	cr_assert(ht_closed_within(fd, 5000, true));
	close(fd);
	assert_serves();
}

Test(upstream, concurrent_16)
{
	enum { N = 16 };
	xfer_t xs[N];
	CURL *hs[N];
	struct curl_slist *hl[N];
	uint64_t sizes[N];
	CURLM *m = curl_multi_init();
	for (int i = 0; i < N; i++) {
		sizes[i] = 2 * MiB + (uint64_t)i * 7919;
		hs[i] = x_setup(&xs[i], "/echo", true, sizes[i], i % 2, &hl[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	int running = 1;
	while (running) {
		cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < N; i++) {
		long st = 0;
		curl_easy_getinfo(hs[i], CURLINFO_RESPONSE_CODE, &st);
		cr_assert_eq(st, 200);
		cr_assert_eq(xs[i].got, sizes[i], "stream %d: %llu", i, (unsigned long long)xs[i].got);
		cr_assert(!xs[i].bad, "stream %d differs", i);
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		curl_slist_free_all(hl[i]);
	}
	curl_multi_cleanup(m);
}

/* ---------------------------------------------------------------- back-pressure, client gone */

/* a client that does not read: the upstream is paused once the buffers between are full, with
 * nothing like the whole body held; then everything arrives intact. Content-Length bodies move
 * by splice (the pipe is the buffer), chunked ones through the read buffer and the output queue. */
static void slow_client(bool chunked)
{
	const uint64_t size = 256ULL * MiB;
	atomic_store(&up_gen_bytes, 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int sz = 16 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)px_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	char req[128];
	snprintf(req, sizeof(req), "GET /gen?size=%llu%s HTTP/1.1\r\nHost: x\r\n\r\n", (unsigned long long)size,
		 chunked ? "&chunked=1" : "");
	px_send(fd, req);
	long prev = -1, cur = 0;
	for (int i = 0; i < 50; i++) { /* wait until the upstream stops producing */
		usleep(200000);
		cur = atomic_load(&up_gen_bytes);
		if (cur == prev && cur > 0)
			break;
		prev = cur;
	}
	cr_assert(cur == prev, "the upstream is not paused (%ld bytes produced)", cur);
	cr_log_info("slow client (%s): the upstream paused after %ld KiB", chunked ? "chunked" : "splice", cur >> 10);
	cr_assert(cur < 64 * MiB, "the upstream produced %ld bytes for a client that read nothing", cur);
	rd_t r = {.fd = fd};
	struct timeval tv = {20, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	hresp_t o;
	rd_resp(&r, &o, false, true);
	cr_assert_eq(o.status, 200);
	cr_assert(o.complete && !o.bad, "got %llu of %llu", (unsigned long long)o.len, (unsigned long long)size);
	close(fd);
}

Test(upstream, slow_client_pauses_upstream) { slow_client(false); }
Test(upstream, slow_client_pauses_upstream_chunked) { slow_client(true); }

/* the client goes away mid-download: the upstream connection is closed (its writer fails) */
Test(upstream, client_gone_closes_upstream)
{
	int fd = px_connect();
	px_send(fd, "GET /gen?size=1073741824 HTTP/1.1\r\nHost: x\r\n\r\n");
	char b[65536];
	size_t got = 0;
	while (got < MiB) {
		ssize_t n = recv(fd, b, sizeof(b), 0);
		cr_assert(n > 0);
		got += (size_t)n;
	}
	close(fd);
	cr_assert(wait_for(&up_done, 1, 10000), "the upstream's writer was not stopped");
	cr_assert(atomic_load(&up_write_rc) < 0);
	cr_assert(atomic_load(&up_gen_bytes) < 512L * MiB);
	assert_serves();
}

/* the client goes away mid-upload: the upstream sees its body cut */
Test(upstream, client_gone_mid_upload)
{
	int fd = px_connect();
	px_send(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n");
	raw_send_pat(fd, 0, 2 * MiB);
	usleep(100000);
	close(fd);
	cr_assert(wait_for(&up_done, 1, 10000), "the upstream handler was not released");
	cr_assert(atomic_load(&up_read_rc) < 0);
	assert_serves();
}

Test(upstream, malformed_client_body)
{
	int fd = px_connect();
	px_send(fd, "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "10\r\n0123456789abcdef\r\n");
	usleep(300000); /* the upstream handler is reading the body by now */
	px_send(fd, "zz\r\n");
	rd_t r = {.fd = fd};
	hresp_t o;
	cr_assert(rd_resp(&r, &o, false, false));
	cr_assert_eq(o.status, 400, "%d %s", o.status, o.body);
	cr_assert(strstr(o.body, "proxy failed"), "%s", o.body);
	cr_assert(o.closes);
	close(fd);
	cr_assert(wait_for(&up_done, 1, 10000));
	cr_assert(atomic_load(&up_read_rc) < 0, "the upstream must not see a complete body");
	assert_serves();
}

/* ---------------------------------------------------------------- keep-alive pool */

/* the peer port the upstream saw (from /show) */
static int shown_peer_port(void)
{
	hresp_t o;
	px_get("GET /show HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 200);
	const char *p = strstr(o.body, "peer 127.0.0.1:");
	cr_assert(p, "%s", o.body);
	return atoi(p + 16);
}

Test(upstream, connection_reuse)
{
	int first = shown_peer_port();
	for (int i = 0; i < 20; i++) /* separate client connections, one proxy loop: one upstream connection */
		cr_assert_eq(shown_peer_port(), first, "request %d used a new upstream connection", i);
	/* a large transfer and a HEAD leave it reusable too */
	hresp_t o;
	px_get("GET /gen?size=5000000 HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert(o.complete && !o.bad);
	px_get("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n", &o, true);
	cr_assert_eq(o.status, 200);
	curl_echo(3 * MiB, true);
	cr_assert_eq(shown_peer_port(), first);
}

TestSuite(upstream_idle, .init = start_short_idle, .fini = stop_all, .timeout = 60);

/* the upstream closes the pooled connection while idle: the next request uses a fresh one */
Test(upstream_idle, pooled_closed_while_idle)
{
	int first = shown_peer_port();
	sleep(3); /* the upstream's idle timeout (1 s) closes it */
	int second = shown_peer_port();
	cr_assert_neq(first, second);
	curl_echo(1 * MiB, false); /* a body on the fresh pooled connection */
	cr_assert_eq(shown_peer_port(), second);
}

/* a connection the upstream closes right after reading the next request (the race a pool has):
 * a GET is retried on a fresh connection; a PUT whose body was sent is not replayed (503) */
static void script_close_second(int fd, int nth)
{
	(void)nth;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	if (!raw_read_head(fd))
		return;
	raw_send(fd, ok, sizeof(ok) - 1);
	raw_read_head(fd); /* the next request on this connection: dropped unanswered */
}

Test(upstream, pooled_closed_after_send)
{
	raw_up_t s;
	raw_up_start(&s, script_close_second);
	hresp_t o;
	px_get("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 200);
	cr_assert_str_eq(o.body, "ok");
	px_get("GET /b HTTP/1.1\r\nHost: x\r\n\r\n", &o, false); /* pooled, closed after reading: retried */
	cr_assert_eq(o.status, 200, "%d %s", o.status, o.body);
	cr_assert_str_eq(o.body, "ok");
	cr_assert_eq(atomic_load(&s.accepted), 2);
	px_get("PUT /c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", &o, false);
	cr_assert_eq(o.status, 503, "%d %s", o.status, o.body);
	cr_assert(strstr(o.body, "proxy failed"), "%s", o.body);
	raw_up_stop(&s);
}

/* ---------------------------------------------------------------- upstream failures */

Test(upstream, refused)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0); /* a port nobody listens on */
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(lfd, (struct sockaddr *)&a, sizeof(a));
	socklen_t al = sizeof(a);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	close(lfd);
	hresp_t o;
	px_get("GET /x HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 503);
	cr_assert(strstr(o.body, "proxy failed (unavailable)"), "%s", o.body);
	cr_assert(strstr(o.body, "refused"), "%s", o.body);
	/* with a large body and Expect: no 100, the answer, and the connection ends (the body is
	 * not worth draining) */
	int fd = px_connect();
	px_send(fd, "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
	rd_t r = {.fd = fd};
	cr_assert(rd_resp(&r, &o, false, false));
	cr_assert_eq(o.status, 503);
	cr_assert(o.closes);
	close(fd);
	/* a small one: the connection ends too (only a redirect keeps it for a small unasked body:
	 * botocore would read a kept early answer again as the answer to its next request) */
	fd = px_connect();
	px_send(fd, "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
	rd_t r2 = {.fd = fd};
	cr_assert(rd_resp(&r2, &o, false, false));
	cr_assert_eq(o.status, 503);
	cr_assert(o.closes);
	close(fd);
	/* a bad URL */
	snprintf(up_url, sizeof(up_url), "https://127.0.0.1:1");
	px_get("GET /x HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 503);
	cr_assert(strstr(o.body, "unsupported upstream URL"), "%s", o.body);
	/* the proxy itself is fine */
	px_get("GET /local HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_str_eq(o.body, "local");
}

static void script_cut_cl(int fd, int nth)
{
	(void)nth;
	if (!raw_read_head(fd))
		return;
	static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	raw_send_pat(fd, 0, 100000);
	usleep(100000);
}

static void script_cut_chunked(int fd, int nth)
{
	(void)nth;
	if (!raw_read_head(fd))
		return;
	static const char h[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n186a0\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	raw_send_pat(fd, 0, 100000);
	raw_send(fd, "\r\n186a0\r\n", 9);
	raw_send_pat(fd, 100000, 5000);
	usleep(100000);
}

static void script_garbage(int fd, int nth)
{
	(void)nth;
	if (!raw_read_head(fd))
		return;
	static const char h[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
}

/* the upstream dies mid-body: the client gets what there was, then the end of the connection
 * without the end of the body (short of Content-Length; no last chunk; a reset for HTTP/1.0) */
Test(upstream, upstream_dies_mid_body)
{
	raw_up_t s;
	raw_up_start(&s, script_cut_cl);
	hresp_t o;
	int fd = px_connect();
	px_send(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
	rd_t r = {.fd = fd};
	cr_assert(!rd_resp(&r, &o, false, true));
	cr_assert_eq(o.status, 200);
	cr_assert(strcasestr(o.hdrs, "content-length: 1000000"), "%s", o.hdrs);
	cr_assert(!o.complete && !o.bad);
	cr_assert_eq(o.len, 100000);
	close(fd);
	raw_up_stop(&s);

	raw_up_start(&s, script_cut_chunked);
	fd = px_connect();
	px_send(fd, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
	rd_t r2 = {.fd = fd};
	cr_assert(!rd_resp(&r2, &o, false, true));
	cr_assert_eq(o.status, 200);
	cr_assert(strcasestr(o.hdrs, "transfer-encoding: chunked"), "%s", o.hdrs);
	cr_assert(!o.complete && !o.bad);
	cr_assert(o.len >= 100000 && o.len < 200000, "%llu", (unsigned long long)o.len);
	close(fd);

	/* HTTP/1.0: the close would delimit the body: the connection is reset instead */
	fd = px_connect();
	px_send(fd, "GET /x HTTP/1.0\r\n\r\n");
	rd_t r3 = {.fd = fd};
	cr_assert(!rd_resp(&r3, &o, false, true));
	cr_assert_eq(o.status, 200);
	cr_assert(!strcasestr(o.hdrs, "content-length"), "%s", o.hdrs);
	cr_assert_eq(r3.err, ECONNRESET, "the end must not look clean (err %d, %llu bytes)", r3.err,
		     (unsigned long long)o.len);
	close(fd);
	raw_up_stop(&s);

	raw_up_start(&s, script_garbage);
	px_get("GET /x HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	cr_assert_eq(o.status, 503);
	cr_assert(strstr(o.body, "invalid response"), "%s", o.body);
	raw_up_stop(&s);
	snprintf(up_url, sizeof(up_url), "http://127.0.0.1:%d", up_port);
	assert_serves();
}

TestSuite(upstream_timeouts, .init = start_short_io, .fini = stop_all, .timeout = 60);

static void script_silent(int fd, int nth)
{
	(void)nth;
	if (!raw_read_head(fd))
		return;
	char b[16];
	struct timeval tv = {4, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (recv(fd, b, sizeof(b), 0) > 0) /* never answers; returns once the proxy gives up */
		;
}

/* a client that stops reading a spliced body: the proxy drops it after io_timeout (the bytes wait
 * in the pipe, which the client connection's own sweep does not see), and the upstream with it */
Test(upstream_timeouts, stalled_client_spliced)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int sz = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)px_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	px_send(fd, "GET /gen?size=1073741824 HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert(wait_for(&up_done, 1, 8000), "the upstream writer was not released");
	cr_assert(atomic_load(&up_write_rc) < 0);
	cr_assert(ht_closed_within(fd, 3000, true), "the stalled client was not dropped");
	close(fd);
}

Test(upstream_timeouts, silent_upstream)
{
	raw_up_t s;
	raw_up_start(&s, script_silent);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hresp_t o;
	px_get("GET /x HTTP/1.1\r\nHost: x\r\n\r\n", &o, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(o.status, 503, "%d %s", o.status, o.body);
	cr_assert(strstr(o.body, "timed out") || strstr(o.body, "no progress"), "%s", o.body);
	cr_assert(t1.tv_sec - t0.tv_sec <= 4);
	raw_up_stop(&s);
}
