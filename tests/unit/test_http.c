/* test_http: the HTTP/1.1 server against libcurl and raw sockets: request building (path and
 * query decoding, headers), keep-alive and pipelining, buffered/chunked/streamed bodies, limits
 * (413, 431), malformed input (400), deferred handlers and disconnects, sendfile responses, HEAD,
 * AIStore JSON errors; head checks before dispatch (HTTP/0.9, Host, Transfer-Encoding, Expect: 400,
 * 501, 417), chunk framing checked across reads, early answers that keep the connection, header /
 * body-rate / keep-alive timeouts; after every bad request the server must still serve. */
#include "core/err.h"
#include "net/http.h"

#include "http_testutil.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static http_server_t *srv;
static int port;
static char file_path[64];
#define FILE_SIZE (1024 * 1024)

static atomic_int end_status;
static atomic_int deferred_done;

/* ---------------------------------------------------------------- handlers */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct sstate {
	uint64_t h;
	size_t n;
	size_t fail_at;
};

static int st_data(http_req_t *r, const char *d, size_t n)
{
	struct sstate *s = r->user;
	s->h = fnv(s->h, d, n);
	s->n += n;
	if (s->fail_at && s->n >= s->fail_at)
		return AIS_ECKSUM;
	return 0;
}

static void st_end(http_req_t *r, int status)
{
	struct sstate *s = r->user;
	char b[64];
	int n = snprintf(b, sizeof(b), "%zu %016llx", s->n, (unsigned long long)s->h);
	free(s);
	r->user = NULL;
	atomic_store(&end_status, status);
	if (status)
		http_error_code(r, status, "stream failed");
	else
		http_respond(r, 200, "text/plain", b, (size_t)n);
}

static void echo_body(http_req_t *r)
{
	http_hdr_addf(r, "X-Body-Len", "%zu", r->body_len);
	http_respond(r, 200, "application/octet-stream", r->body, r->body_len);
}

static void deferred(http_req_t *r)
{
	usleep(20000);
	http_respond(r, 200, "text/plain", "deferred", 8);
}

static void deferred_slow(http_req_t *r)
{
	usleep(300000);
	http_respond(r, 200, "text/plain", "slow", 4);
	atomic_fetch_add(&deferred_done, 1);
}

static void deferred_read(http_req_t *r)
{
	/* continue with the body from a pool thread */
	http_read_body(r, 1 << 20, echo_body, true);
}

static void echo(http_req_t *r)
{
	char buf[8192];
	size_t o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "method=%s\npath=%s\nraw=%s\nq=%s\n", r->method_str,
			      r->path, r->raw_path, r->raw_query);
	for (int i = 0; i < r->nquery && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "[%s]=[%s]\n", r->query[i].name, r->query[i].value);
	const char *xt = http_hdr_get(r, "x-test");
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "x-test=%s\nflag=%d\ncl=%lld\nport_idx=%d\n",
			      xt ? xt : "(null)", http_query_bool(r, "flag"), (long long)r->content_length,
			      r->port_idx);
	http_hdr_add(r, "X-Echo", "1");
	http_respond(r, 200, "text/plain", buf, o);
}

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	const char *p = r->path;
	if (!strncmp(p, "/echo", 5)) {
		echo(r);
	} else if (!strcmp(p, "/body")) {
		http_read_body(r, 1 << 20, echo_body, false);
	} else if (!strcmp(p, "/bodypool")) {
		http_read_body(r, 1 << 20, echo_body, true);
	} else if (!strcmp(p, "/deferread")) {
		http_defer(r, deferred_read);
	} else if (!strcmp(p, "/longstream")) {
		struct sstate *s = calloc(1, sizeof(*s));
		s->h = 1469598103934665603ULL;
		r->user = s;
		http_body_long_lived(r);
		http_stream_body(r, st_data, st_end);
	} else if (!strcmp(p, "/stream") || !strcmp(p, "/streamfail")) {
		struct sstate *s = calloc(1, sizeof(*s));
		s->h = 1469598103934665603ULL;
		s->fail_at = p[7] == 'f' ? 1000 : 0;
		r->user = s;
		http_stream_body(r, st_data, st_end);
	} else if (!strcmp(p, "/defer")) {
		http_defer(r, deferred);
	} else if (!strcmp(p, "/deferslow")) {
		http_defer(r, deferred_slow);
	} else if (!strcmp(p, "/file")) {
		const char *o = http_query_get(r, "off"), *l = http_query_get(r, "len");
		off_t off = o ? atoll(o) : 0;
		size_t len = l ? (size_t)atoll(l) : FILE_SIZE - (size_t)off;
		int fd = open(file_path, O_RDONLY);
		http_hdr_add(r, "Content-Type", "application/octet-stream");
		http_respond_fd(r, off ? 206 : 200, fd, off, len);
	} else if (!strcmp(p, "/redir")) {
		http_redirect(r, 307, "http://example.com/x");
	} else if (!strcmp(p, "/err")) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s\" <does not> exist", "b1");
	} else if (!strcmp(p, "/early")) {
		http_error(r, 403, NULL, "no"); /* respond without reading the body */
	} else {
		http_error(r, 404, NULL, "invalid URL path %s", p);
	}
}

static void start_server(void)
{
	srand((unsigned)time(NULL));
	snprintf(file_path, sizeof(file_path), "/tmp/test_http_%d.bin", getpid());
	int fd = open(file_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	cr_assert(fd >= 0);
	unsigned char *b = malloc(FILE_SIZE);
	for (size_t i = 0; i < FILE_SIZE; i++)
		b[i] = (unsigned char)(i * 31 + (i >> 11));
	cr_assert(write(fd, b, FILE_SIZE) == FILE_SIZE);
	free(b);
	close(fd);
	http_set_node_name("t[test1]");
	http_config_t cfg = {.nloops = 2, .npool = 4, .dispatch = dispatch, .server_name = "aistore-c",
			     .idle_timeout_ms = 3000};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	int idx = http_server_listen(srv, "127.0.0.1", 0);
	cr_assert_eq(idx, 0);
	port = http_server_port(srv, 0);
	cr_assert(port > 0);
	cr_assert_eq(http_server_start(srv), 0);
	atomic_store(&end_status, 1);
	atomic_store(&deferred_done, 0);
	curl_global_init(CURL_GLOBAL_ALL);
}

static void stop_server(void)
{
	http_server_stop(srv);
	srv = NULL;
	unlink(file_path);
	curl_global_cleanup();
}

TestSuite(http, .init = start_server, .fini = stop_server, .timeout = 60);

/* ---------------------------------------------------------------- client helpers */

typedef struct {
	char *p;
	size_t len;
} dbuf_t;

static size_t dbuf_write(char *d, size_t sz, size_t n, void *ud)
{
	dbuf_t *b = ud;
	b->p = realloc(b->p, b->len + sz * n + 1);
	memcpy(b->p + b->len, d, sz * n);
	b->len += sz * n;
	b->p[b->len] = '\0';
	return sz * n;
}

typedef struct {
	long status;
	dbuf_t body, hdrs;
	long connects;
} resp_t;

static void resp_free(resp_t *r)
{
	free(r->body.p);
	free(r->hdrs.p);
	memset(r, 0, sizeof(*r));
}

struct upload {
	const char *p;
	size_t len, off;
};

static size_t up_read(char *d, size_t sz, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = sz * n;
	if (k > u->len - u->off)
		k = u->len - u->off;
	if (k > 70000)
		k = 70000; /* several chunks when chunked */
	memcpy(d, u->p + u->off, k);
	u->off += k;
	return k;
}

/* one request on handle h (reused for keep-alive); body/len: upload (PUT) unless NULL */
static void do_req(CURL *h, const char *method, const char *path, const char *body, size_t len, bool chunked,
		   struct curl_slist *extra, resp_t *out)
{
	char url[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	memset(out, 0, sizeof(*out));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dbuf_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, dbuf_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &out->hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOBODY, strcmp(method, "HEAD") ? 0L : 1L);
	struct upload u = {body, len, 0};
	struct curl_slist *hl = extra;
	if (body) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, up_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &u);
		if (chunked)
			hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
		else
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "HEAD") ? method : NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	CURLcode rc = curl_easy_perform(h);
	cr_assert_eq(rc, CURLE_OK, "curl %s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->connects);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	if (hl != extra || extra)
		curl_slist_free_all(hl);
}

static void simple(const char *method, const char *path, resp_t *out)
{
	CURL *h = curl_easy_init();
	do_req(h, method, path, NULL, 0, false, NULL, out);
	curl_easy_cleanup(h);
}

static void assert_serves(void)
{
	resp_t r;
	simple("GET", "/echo/alive", &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body.p, "path=/echo/alive\n"));
	resp_free(&r);
}

static int raw_connect(void) { return ht_connect(port, 5); }

/* read everything until the server closes (or timeout); returns malloc'd, NUL-terminated */
static char *raw_read_all(int fd, size_t *len)
{
	dbuf_t b = {malloc(1), 0};
	b.p[0] = '\0';
	char tmp[65536];
	for (;;) {
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n <= 0)
			break;
		dbuf_write(tmp, 1, (size_t)n, &b);
	}
	if (len)
		*len = b.len;
	return b.p;
}

static char *raw_roundtrip(const char *req, size_t len)
{
	int fd = raw_connect();
	raw_send(fd, req, len);
	shutdown(fd, SHUT_WR);
	char *out = raw_read_all(fd, NULL);
	close(fd);
	return out;
}

static int count_str(const char *h, const char *n)
{
	int k = 0;
	for (const char *p = h; (p = strstr(p, n)); p += strlen(n))
		k++;
	return k;
}

/* ---------------------------------------------------------------- tests */

Test(http, get_query_headers)
{
	CURL *h = curl_easy_init();
	resp_t r;
	struct curl_slist *hl = curl_slist_append(NULL, "X-Test: hello world");
	do_req(h, "GET", "/echo/b%20k/obj%2Fx?x=1&y=a+b%26c&flag&bad=%zz&e=&z=%41", NULL, 0, false, hl, &r);
	cr_assert_eq(r.status, 200);
	const char *b = r.body.p;
	cr_assert(strstr(b, "method=GET\n"));
	cr_assert(strstr(b, "path=/echo/b k/obj/x\n"), "%s", b);
	cr_assert(strstr(b, "raw=/echo/b%20k/obj%2Fx\n"), "%s", b);
	cr_assert(strstr(b, "q=x=1&y=a+b%26c&flag&bad=%zz&e=&z=%41\n"), "%s", b);
	cr_assert(strstr(b, "[x]=[1]\n[y]=[a b&c]\n[flag]=[]\n[e]=[]\n[z]=[A]\n"), "%s", b);
	cr_assert(!strstr(b, "[bad]"));
	cr_assert(strstr(b, "x-test=hello world\n"));
	cr_assert(strstr(b, "flag=1\n"));
	cr_assert(strstr(b, "cl=-1\n"));
	cr_assert(strstr(b, "port_idx=0\n"));
	const char *hd = r.hdrs.p;
	cr_assert(strstr(hd, "HTTP/1.1 200 OK\r\n"));
	cr_assert(strstr(hd, "X-Echo: 1\r\n"));
	cr_assert(strstr(hd, "Server: aistore-c\r\n"));
	cr_assert(strstr(hd, "Date: "));
	cr_assert(strstr(hd, "GMT\r\n"));
	cr_assert(strstr(hd, "Content-Type: text/plain\r\n"));
	char cl[64];
	snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", r.body.len);
	cr_assert(strstr(hd, cl));
	resp_free(&r);
	curl_easy_cleanup(h);
}

Test(http, bad_escapes)
{
	const char esc[] = "GET /echo/a%zzb HTTP/1.1\r\nHost: x\r\n\r\n";
	char *o = raw_roundtrip(esc, sizeof(esc) - 1);
	cr_assert(!strncmp(o, "HTTP/1.1 400 Bad Request\r\n", 26), "%s", o);
	cr_assert(strstr(o, "Connection: close\r\n"));
	cr_assert(strstr(o, "Content-Type: application/json\r\n"));
	free(o);
	const char nul[] = "GET /echo/a%00b HTTP/1.1\r\nHost: x\r\n\r\n";
	o = raw_roundtrip(nul, sizeof(nul) - 1);
	cr_assert(!strncmp(o, "HTTP/1.1 400 ", 13), "%s", o);
	free(o);
	const char trunc[] = "GET /echo/a% HTTP/1.1\r\nHost: x\r\n\r\n";
	o = raw_roundtrip(trunc, sizeof(trunc) - 1);
	cr_assert(!strncmp(o, "HTTP/1.1 400 ", 13), "%s", o);
	free(o);
	assert_serves();
}

Test(http, keepalive_reuse)
{
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "GET", "/echo/1", NULL, 0, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.connects, 1);
	resp_free(&r);
	do_req(h, "GET", "/echo/2", NULL, 0, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.connects, 0, "second request must reuse the connection");
	cr_assert(strstr(r.body.p, "path=/echo/2\n"));
	resp_free(&r);
	curl_easy_cleanup(h);
	/* a request with a small unread body keeps the connection too (the body is drained) */
	const char req[] = "PUT /early HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabcdef"
			   "GET /echo/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char *o = raw_roundtrip(req, sizeof(req) - 1);
	cr_assert(!strncmp(o, "HTTP/1.1 403 Forbidden\r\n", 24), "%s", o);
	cr_assert(strstr(o, "HTTP/1.1 200 OK\r\n") && strstr(o, "path=/echo/3\n"), "%s", o);
	free(o);
}

Test(http, pipelined)
{
	const char req[] = "GET /echo/p1 HTTP/1.1\r\nHost: x\r\n\r\n"
			   "PUT /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
			   "GET /defer HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /echo/p2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char *o = raw_roundtrip(req, sizeof(req) - 1);
	cr_assert_eq(count_str(o, "HTTP/1.1 200 OK\r\n"), 4, "%s", o);
	const char *a = strstr(o, "path=/echo/p1"), *b = strstr(o, "hello"), *c = strstr(o, "deferred"),
		   *d = strstr(o, "path=/echo/p2");
	cr_assert(a && b && c && d && a < b && b < c && c < d, "order: %s", o);
	free(o);
}

Test(http, read_body_length_and_chunked)
{
	size_t n = 300000;
	char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)rand();
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "PUT", "/body", data, n, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, n);
	cr_assert(!memcmp(r.body.p, data, n));
	resp_free(&r);
	do_req(h, "PUT", "/body", data, n, true, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, n);
	cr_assert(!memcmp(r.body.p, data, n));
	resp_free(&r);
	do_req(h, "POST", "/bodypool", data, n, true, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, n);
	cr_assert(!memcmp(r.body.p, data, n));
	resp_free(&r);
	do_req(h, "PUT", "/deferread", data, 1000, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, 1000);
	cr_assert(!memcmp(r.body.p, data, 1000));
	resp_free(&r);
	do_req(h, "PUT", "/body", data, 0, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, 0);
	resp_free(&r);
	curl_easy_cleanup(h);
	free(data);
}

Test(http, body_too_large)
{
	size_t n = (1 << 20) + 10;
	char *data = calloc(1, n);
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "PUT", "/body", data, n, false, NULL, &r);
	cr_assert_eq(r.status, 413);
	cr_assert(strstr(r.body.p, "\"status\":413"));
	resp_free(&r);
	curl_easy_cleanup(h);
	h = curl_easy_init();
	do_req(h, "PUT", "/body", data, n, true, NULL, &r); /* chunked: detected while reading */
	cr_assert_eq(r.status, 413);
	resp_free(&r);
	curl_easy_cleanup(h);
	free(data);
	assert_serves();
}

Test(http, stream_body)
{
	size_t n = 5 << 20;
	char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)rand();
	char want[64];
	snprintf(want, sizeof(want), "%zu %016llx", n, (unsigned long long)fnv(1469598103934665603ULL, data, n));
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "PUT", "/stream", data, n, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body.p, want);
	cr_assert_eq(atomic_load(&end_status), 0);
	resp_free(&r);
	do_req(h, "PUT", "/stream", data, n, true, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body.p, want);
	resp_free(&r);
	curl_easy_cleanup(h);
	free(data);
}

Test(http, stream_data_cb_error)
{
	char *data = calloc(1, 100000);
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "PUT", "/streamfail", data, 100000, false, NULL, &r);
	cr_assert_eq(r.status, err_http_status(AIS_ECKSUM));
	cr_assert_eq(atomic_load(&end_status), AIS_ECKSUM);
	resp_free(&r);
	curl_easy_cleanup(h);
	free(data);
	assert_serves();
}

Test(http, stream_client_disconnect)
{
	int fd = raw_connect();
	const char hdr[] = "PUT /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n";
	raw_send(fd, hdr, sizeof(hdr) - 1);
	char *junk = calloc(1, 100000);
	raw_send(fd, junk, 100000);
	free(junk);
	usleep(50000);
	close(fd);
	for (int i = 0; i < 200 && atomic_load(&end_status) == 1; i++)
		usleep(10000);
	cr_assert(atomic_load(&end_status) < 0, "end_cb status %d", atomic_load(&end_status));
	assert_serves();
}

Test(http, defer_pool)
{
	resp_t r;
	simple("GET", "/defer", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body.p, "deferred");
	resp_free(&r);
	/* keep-alive across deferred requests */
	CURL *h = curl_easy_init();
	for (int i = 0; i < 5; i++) {
		do_req(h, "GET", "/defer", NULL, 0, false, NULL, &r);
		cr_assert_eq(r.status, 200);
		cr_assert_eq(r.connects, i ? 0 : 1);
		resp_free(&r);
	}
	curl_easy_cleanup(h);
}

Test(http, defer_client_gone)
{
	for (int i = 0; i < 3; i++) {
		int fd = raw_connect();
		const char req[] = "GET /deferslow HTTP/1.1\r\nHost: x\r\n\r\n";
		raw_send(fd, req, sizeof(req) - 1);
		usleep(20000);
		if (i == 2) { /* reset instead of FIN */
			struct linger lg = {1, 0};
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(fd);
	}
	for (int i = 0; i < 300 && atomic_load(&deferred_done) < 3; i++)
		usleep(10000);
	cr_assert_eq(atomic_load(&deferred_done), 3);
	usleep(50000);
	assert_serves();
}

Test(http, respond_fd)
{
	unsigned char *want = malloc(FILE_SIZE);
	int fd = open(file_path, O_RDONLY);
	cr_assert(read(fd, want, FILE_SIZE) == FILE_SIZE);
	close(fd);
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "GET", "/file?off=100&len=1000", NULL, 0, false, NULL, &r);
	cr_assert_eq(r.status, 206);
	cr_assert_eq(r.body.len, 1000);
	cr_assert(!memcmp(r.body.p, want + 100, 1000));
	cr_assert(strstr(r.hdrs.p, "Content-Length: 1000\r\n"));
	cr_assert(strstr(r.hdrs.p, "Content-Type: application/octet-stream\r\n"));
	resp_free(&r);
	for (int i = 0; i < 3; i++) {
		do_req(h, "GET", "/file", NULL, 0, false, NULL, &r);
		cr_assert_eq(r.status, 200);
		cr_assert_eq(r.body.len, FILE_SIZE);
		cr_assert(!memcmp(r.body.p, want, FILE_SIZE));
		cr_assert_eq(r.connects, 0);
		resp_free(&r);
	}
	do_req(h, "HEAD", "/file", NULL, 0, false, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, 0);
	cr_assert(strstr(r.hdrs.p, "Content-Length: 1048576\r\n"));
	resp_free(&r);
	curl_easy_cleanup(h);
	free(want);
	/* the fd-response head is followed directly by the next pipelined response */
	const char req[] = "GET /file?off=5&len=10 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: x\r\n\r\n";
	char *o = raw_roundtrip(req, sizeof(req) - 1);
	cr_assert_eq(count_str(o, "HTTP/1.1 "), 2, "%s", o);
	cr_assert(strstr(o, "path=/echo/after"));
	free(o);
}

Test(http, head)
{
	resp_t r;
	simple("HEAD", "/echo/h", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body.len, 0);
	cr_assert(strstr(r.hdrs.p, "Content-Length: "));
	cr_assert(!strstr(r.hdrs.p, "Content-Length: 0\r\n"));
	resp_free(&r);
	/* raw: no body bytes follow a HEAD response; the next response starts right after */
	const char req[] = "HEAD /echo/h HTTP/1.1\r\nHost: x\r\n\r\nGET /err HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char *o = raw_roundtrip(req, sizeof(req) - 1);
	const char *second = strstr(o, "\r\n\r\n");
	cr_assert(second && !strncmp(second + 4, "HTTP/1.1 404 Not Found\r\n", 24), "%s", o);
	free(o);
}

Test(http, head_too_large)
{
	size_t n = 100 * 1024;
	char *req = malloc(n + 200);
	int k = snprintf(req, n + 200, "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + k, 'a', n);
	memcpy(req + k + n, "\r\n\r\n", 4);
	char *o = raw_roundtrip(req, (size_t)k + n + 4);
	cr_assert(!strncmp(o, "HTTP/1.1 431 ", 13), "%.200s", o);
	cr_assert(strstr(o, "\"status\":431"));
	free(o);
	free(req);
	assert_serves();
}

Test(http, garbage)
{
	const char *bad[] = {
		"GARBAGE\r\n\r\n",
		"GET /x HTTP/9.9\r\n\r\n",
		"GET /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
		"PUT /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
		"GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
		"GET x HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *o = raw_roundtrip(bad[i], strlen(bad[i]));
		cr_assert(!strncmp(o, "HTTP/1.1 400 ", 13), "%zu: %s", i, o);
		cr_assert(strstr(o, "\"status\":400"));
		free(o);
		assert_serves();
	}
	/* a partial head, then the client goes away */
	int fd = raw_connect();
	raw_send(fd, "GET /echo", 9);
	close(fd);
	assert_serves();
}

Test(http, errors_and_redirect)
{
	resp_t r;
	simple("GET", "/err", &r);
	cr_assert_eq(r.status, 404);
	const char *b = r.body.p;
	cr_assert(!strncmp(b, "{\"tcode\":\"ErrBckNotFound\",\"message\":\"bucket \\\"b1\\\" \\u003cdoes not\\u003e exist\","
			       "\"method\":\"GET\",\"url_path\":\"/err\",\"remote_addr\":\"127.0.0.1:",
		       strlen("{\"tcode\":\"ErrBckNotFound\",\"message\":\"bucket \\\"b1\\\" \\u003cdoes not\\u003e exist\","
			      "\"method\":\"GET\",\"url_path\":\"/err\",\"remote_addr\":\"127.0.0.1:")),
		  "%s", b);
	cr_assert(strstr(b, "\",\"caller\":\"\",\"node\":\"t[test1]\",\"status\":404}"), "%s", b);
	cr_assert(strstr(r.hdrs.p, "Content-Type: application/json\r\n"));
	resp_free(&r);
	simple("HEAD", "/err", &r);
	cr_assert_eq(r.status, 404);
	cr_assert_eq(r.body.len, 0);
	resp_free(&r);
	simple("GET", "/redir", &r);
	cr_assert_eq(r.status, 307);
	cr_assert(strstr(r.hdrs.p, "Location: http://example.com/x\r\n"));
	cr_assert(strstr(r.hdrs.p, "Content-Length: 0\r\n"));
	resp_free(&r);
}

Test(http, early_response_large_body)
{
	/* 403 before reading a 2 MiB body: the server closes after the response */
	size_t n = 2 << 20;
	char *data = calloc(1, n);
	CURL *h = curl_easy_init();
	resp_t r;
	do_req(h, "PUT", "/early", data, n, false, NULL, &r);
	cr_assert_eq(r.status, 403);
	resp_free(&r);
	curl_easy_cleanup(h);
	free(data);
	assert_serves();
}

Test(http, http10)
{
	char *o = raw_roundtrip("GET /echo/10 HTTP/1.0\r\n\r\n", 25);
	cr_assert(!strncmp(o, "HTTP/1.1 200 OK\r\n", 17), "%s", o);
	cr_assert(strstr(o, "Connection: close\r\n"));
	free(o);
}

Test(http, many_parallel)
{
	CURLM *m = curl_multi_init();
	enum { N = 64 };
	CURL *hs[N];
	dbuf_t bodies[N];
	for (int i = 0; i < N; i++) {
		hs[i] = curl_easy_init();
		bodies[i] = (dbuf_t){NULL, 0};
		char url[128];
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, i % 2 ? "/defer" : "/echo/m");
		curl_easy_setopt(hs[i], CURLOPT_URL, url);
		curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, dbuf_write);
		curl_easy_setopt(hs[i], CURLOPT_WRITEDATA, &bodies[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	for (int i = 0; i < N; i++) {
		long st = 0;
		curl_easy_getinfo(hs[i], CURLINFO_RESPONSE_CODE, &st);
		cr_assert_eq(st, 200);
		cr_assert(bodies[i].len > 0);
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		free(bodies[i].p);
	}
	curl_multi_cleanup(m);
}

/* ---------------------------------------------------------------- timeouts */

static void start_short(void)
{
	start_server();
	http_server_stop(srv);
	http_config_t cfg = {.nloops = 1, .npool = 2, .dispatch = dispatch, .idle_timeout_ms = 1000,
			     .io_timeout_ms = 1000, .header_timeout_ms = 1000, .body_timeout_ms = 1000};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, NULL, 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
}

TestSuite(http_timeouts, .init = start_short, .fini = stop_server, .timeout = 30);

static bool closed_within(int fd, int ms) { return ht_closed_within(fd, ms, false); }

Test(http_timeouts, idle_and_io)
{
	int idle = raw_connect();
	const char req[] = "GET /echo/i HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(idle, req, sizeof(req) - 1);
	int partial = raw_connect();
	raw_send(partial, "GET /echo/x HTTP/1.1\r\nHo", 24);
	int body = raw_connect();
	const char put[] = "PUT /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc";
	raw_send(body, put, sizeof(put) - 1);
	cr_assert(closed_within(idle, 4000), "idle keep-alive connection not closed");
	cr_assert(closed_within(partial, 4000), "stalled head not closed");
	cr_assert(closed_within(body, 4000), "stalled body not closed");
	cr_assert_eq(atomic_load(&end_status), AIS_ETIMEOUT);
	close(idle);
	close(partial);
	close(body);
	assert_serves();
}

/* ---------------------------------------------------------------- head checks, framing (issue 17) */

/* send req and keep our side open; what arrives until the server closes (closed) or ms pass */
static char *raw_until_close(const char *req, size_t len, int ms, bool *closed)
{
	int fd = raw_connect();
	raw_send(fd, req, len);
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	dbuf_t b = {malloc(1), 0};
	b.p[0] = '\0';
	char tmp[4096];
	*closed = false;
	for (;;) {
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			*closed = true;
			break;
		}
		if (n < 0)
			break;
		dbuf_write(tmp, 1, (size_t)n, &b);
	}
	close(fd);
	return b.p;
}

/* one response (head + Content-Length body) from a keep-alive connection into buf */
static size_t raw_read_resp(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	char *eoh = NULL;
	while (!eoh) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		cr_assert(n > 0, "connection closed before a response");
		len += (size_t)n;
		buf[len] = '\0';
		eoh = strstr(buf, "\r\n\r\n");
	}
	const char *cl = strcasestr(buf, "\r\nContent-Length: ");
	size_t want = (size_t)(eoh + 4 - buf) + (cl && cl < eoh ? (size_t)atol(cl + 18) : 0);
	while (len < want) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		cr_assert(n > 0);
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

Test(http, refused_heads_answer_and_close)
{
	static const struct {
		const char *req, *status, *msg;
	} cases[] = {
		{"GET /echo/x\r\n", "HTTP/1.1 400 ", "HTTP/0.9"},
		{"GET /echo/x HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ", "missing required Host header"},
		{"GET /echo/x HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "HTTP/1.1 400 ", "too many Host headers"},
		{"PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
		 "HTTP/1.1 501 ", "Transfer-Encoding"},
		{"PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 ", "Transfer-Encoding"},
		{"PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "HTTP/1.1 501 ",
		 "Transfer-Encoding"},
		{"PUT /body HTTP/1.1\r\nHost: x\r\nExpect: 999-bogus\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 417 ",
		 "Expect"},
		/* the example: llhttp (loose) would take "ef" for the next size line and wait */
		{"PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n",
		 "HTTP/1.1 400 ", "chunk data longer than its size line"},
		{"PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\n\r0\r\n\r\n", "HTTP/1.1 400 ",
		 "chunk data longer than its size line"},
		/* a stream handler owns the request: it answers (from end_cb with AIS_EINVAL) */
		{"PUT /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n0\r\n\r\n",
		 "HTTP/1.1 400 ", "stream failed"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool closed;
		char *o = raw_until_close(cases[i].req, strlen(cases[i].req), 2000, &closed);
		cr_assert(!strncmp(o, cases[i].status, strlen(cases[i].status)), "%zu: %s", i, o);
		cr_assert(strstr(o, cases[i].msg), "%zu: %s", i, o);
		cr_assert(strstr(o, "Connection: close\r\n"), "%zu: %s", i, o);
		cr_assert(closed, "%zu: not closed", i);
		free(o);
	}
	assert_serves();
}

Test(http, chunk_crlf_checked_across_reads)
{
	char buf[8192];
	/* good: the CRLF after the data comes a byte per read */
	int fd = raw_connect();
	const char h[] = "PUT /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab";
	raw_send(fd, h, sizeof(h) - 1);
	usleep(50000);
	raw_send(fd, "\r", 1);
	usleep(50000);
	raw_send(fd, "\n3\r\ncde\r\n0\r\n\r\n", 15);
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 200 ", 13), "%s", buf);
	cr_assert(strstr(buf, "X-Body-Len: 5\r\n") && strstr(buf, "\r\n\r\nabcde"), "%s", buf);
	close(fd);
	/* bad: the byte after the CR, in a later read, is not LF */
	fd = raw_connect();
	raw_send(fd, h, sizeof(h) - 1);
	usleep(50000);
	raw_send(fd, "\r", 1);
	usleep(50000);
	raw_send(fd, "X0\r\n\r\n", 6);
	size_t n = 0;
	char *o = raw_read_all(fd, &n);
	cr_assert(!strncmp(o, "HTTP/1.1 400 ", 13), "%s", o);
	cr_assert(strstr(o, "chunk data longer than its size line"), "%s", o);
	free(o);
	close(fd);
	assert_serves();
}

Test(http, expect_token_list)
{
	/* 100-continue among other tokens, any case: honoured */
	int fd = raw_connect();
	const char h[] = "PUT /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	cr_assert(n > 0);
	buf[n] = '\0';
	cr_assert(!strncmp(buf, "HTTP/1.1 100 Continue\r\n\r\n", 25), "%s", buf);
	raw_send(fd, "xyz", 3);
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 200 ", 13), "%s", buf);
	close(fd);
}

Test(http, early_answer_keeps_connection_for_small_body)
{
	/* a redirect (the proxy's 307 of a PUT) before 100 Continue: a small body is then sent and
	 * drained, the connection serves on */
	int fd = raw_connect();
	const char h[] = "PUT /redir HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	char buf[8192];
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 307 ", 13), "%s", buf);
	cr_assert(!strstr(buf, "Connection: close"), "%s", buf);
	char body[1000];
	memset(body, 'b', sizeof(body));
	raw_send(fd, body, sizeof(body));
	const char g[] = "GET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, g, sizeof(g) - 1);
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 200 ", 13) && strstr(buf, "path=/echo/next\n"), "%s", buf);
	close(fd);
	/* a large body nobody asked for: the answer closes */
	bool closed;
	const char big[] = "PUT /redir HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n";
	char *o = raw_until_close(big, sizeof(big) - 1, 3000, &closed);
	cr_assert(!strncmp(o, "HTTP/1.1 307 ", 13) && strstr(o, "Connection: close\r\n") && closed, "%s", o);
	free(o);
	/* any other early status closes even for a small body: botocore would read it again as the
	 * answer to its next request on the connection */
	const char small[] = "PUT /early HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n";
	o = raw_until_close(small, sizeof(small) - 1, 3000, &closed);
	cr_assert(!strncmp(o, "HTTP/1.1 403 ", 13) && strstr(o, "Connection: close\r\n") && closed, "%s", o);
	free(o);
}

/* ---------------------------------------------------------------- header / body / idle timeouts */

static void start_hard(void)
{
	start_server();
	http_server_stop(srv);
	http_config_t cfg = {.nloops = 1, .npool = 2, .dispatch = dispatch, .idle_timeout_ms = 1500,
			     .header_timeout_ms = 1000, .body_timeout_ms = 1000, .body_min_rate = 500};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, NULL, 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
}

TestSuite(http_hard, .init = start_hard, .fini = stop_server, .timeout = 30);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* send a byte every step_ms until the server closes; seconds until then (-1: not within max_s) */
static double trickle_until_closed(int fd, int step_ms, double max_s)
{
	double t0 = now_s();
	struct timeval tv = {0, step_ms * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (now_s() - t0 < max_s) {
		if (send(fd, "a", 1, MSG_NOSIGNAL) != 1)
			return now_s() - t0;
		char b[256];
		ssize_t n = recv(fd, b, sizeof(b), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return now_s() - t0;
		cr_assert(n < 0, "the server answered a timed-out request");
	}
	return -1;
}

Test(http_hard, head_trickle_is_cut)
{
	int fd = raw_connect();
	const char h[] = "GET /echo/x HTTP/1.1\r\nX-Slow: ";
	raw_send(fd, h, sizeof(h) - 1);
	double s = trickle_until_closed(fd, 100, 6);
	cr_assert(s > 0.8 && s < 3, "head cut after %.2f s", s);
	close(fd);
	/* a connection that never sends a byte: the same timeout, from the accept */
	fd = raw_connect();
	double t0 = now_s();
	cr_assert(ht_closed_within(fd, 4000, true));
	cr_assert(now_s() - t0 > 0.8, "%.2f", now_s() - t0);
	close(fd);
	assert_serves();
}

Test(http_hard, body_trickle_is_cut)
{
	int fd = raw_connect();
	const char h[] = "PUT /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	char pad[100];
	memset(pad, 'p', sizeof(pad));
	raw_send(fd, pad, sizeof(pad));
	double s = trickle_until_closed(fd, 100, 6); /* 10 B/s, far below 500 */
	cr_assert(s > 0.8 && s < 3.5, "body cut after %.2f s", s);
	for (int i = 0; i < 100 && atomic_load(&end_status) != AIS_ETIMEOUT; i++)
		usleep(10000); /* (the socket is closed before end_cb runs) */
	cr_assert_eq(atomic_load(&end_status), AIS_ETIMEOUT);
	close(fd);
	assert_serves();
}

Test(http_hard, body_above_min_rate_is_read)
{
	/* 3000 bytes over 2 s at 1500 B/s: longer than the 1 s window, above the minimum rate */
	int fd = raw_connect();
	const char h[] = "PUT /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	char part[150];
	memset(part, 'q', sizeof(part));
	for (int i = 0; i < 20; i++) {
		cr_assert(raw_send(fd, part, sizeof(part)), "cut at %d", i);
		usleep(100000);
	}
	char buf[8192];
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 200 ", 13) && strstr(buf, "X-Body-Len: 3000\r\n"), "%.300s", buf);
	close(fd);
}

Test(http_hard, keepalive_idle)
{
	int fd = raw_connect();
	const char g[] = "GET /echo/i HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, g, sizeof(g) - 1);
	char buf[8192];
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!ht_closed_within(fd, 1000, true), "closed before the idle timeout");
	cr_assert(ht_closed_within(fd, 3000, true), "idle connection not closed");
	close(fd);
}

Test(http_hard, long_lived_body_may_idle)
{
	/* a transport-like stream: idle for twice the body timeout, then the rest: read, 200 */
	int fd = raw_connect();
	const char h[] = "PUT /longstream HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n0123456789";
	raw_send(fd, h, sizeof(h) - 1);
	cr_assert(!ht_closed_within(fd, 2200, true), "a long-lived body was cut while idle");
	raw_send(fd, "abcdefghij", 10);
	char buf[8192];
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 200 ", 13) && strstr(buf, "\r\n\r\n20 "), "%s", buf);
	close(fd);
}

Test(http_hard, early_answer_then_no_body_is_cut)
{
	/* a 307 before 100 Continue keeps the connection for the (small) body; a client that then
	 * sends neither the body nor a close is cut by the body timeout, not kept forever */
	int fd = raw_connect();
	const char h[] = "PUT /redir HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n";
	raw_send(fd, h, sizeof(h) - 1);
	char buf[8192];
	raw_read_resp(fd, buf, sizeof(buf));
	cr_assert(!strncmp(buf, "HTTP/1.1 307 ", 13) && !strstr(buf, "Connection: close"), "%s", buf);
	double t0 = now_s();
	cr_assert(ht_closed_within(fd, 4000, true), "a connection owing its body was kept");
	cr_assert(now_s() - t0 > 0.8, "%.2f", now_s() - t0);
	close(fd);
}
