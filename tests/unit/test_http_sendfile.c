/* test_http_sendfile: file ranges inside streamed responses (http_resp_sendfile) and failed
 * streams (http_resp_abort): bytes written and file ranges interleave in exactly the handler's
 * order, chunked and with Content-Length, small and large (1 MiB) ranges, many in a row; the
 * caller's fd stays its own; an aborted chunked response ends without its terminator (the client
 * sees a broken transfer, never a complete short body); keep-alive works after a mixed response. */
#include "core/err.h"
#include "net/http.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FSIZE (3 * 1024 * 1024)

static http_server_t *srv;
static int port;
static int file_fd = -1;
static unsigned char *fdata;

/* the response the handler produces: for i in 0..n-1: "<hdr i>" then file range i */
static void range_of(int i, int64_t *off, int64_t *len)
{
	*off = (int64_t)(((uint64_t)i * 7919u * 131u) % (FSIZE / 2));
	*len = i % 5 == 0 ? 1024 * 1024 : 1 + (i * 4093) % 70000;
}

static void expected(int n, unsigned char **out, size_t *olen)
{
	size_t cap = 0;
	for (int i = 0; i < n; i++) {
		int64_t off, len;
		range_of(i, &off, &len);
		cap += 32 + (size_t)len;
	}
	unsigned char *b = malloc(cap + 16), *p = b;
	for (int i = 0; i < n; i++) {
		int64_t off, len;
		range_of(i, &off, &len);
		p += snprintf((char *)p, 32, "<hdr %d>", i);
		memcpy(p, fdata + off, (size_t)len);
		p += len;
	}
	*out = b;
	*olen = (size_t)(p - b);
}

static void h_mix(http_req_t *r)
{
	const char *ns = http_query_get(r, "n");
	int n = ns ? atoi(ns) : 1;
	bool chunked = http_query_bool(r, "chunked"), abort_it = http_query_bool(r, "abort");
	unsigned char *exp;
	size_t elen;
	expected(n, &exp, &elen);
	int rc = http_resp_begin(r, 200, "application/octet-stream", chunked ? -1 : (int64_t)elen);
	for (int i = 0; !rc && i < n; i++) {
		char h[32];
		int hl = snprintf(h, sizeof(h), "<hdr %d>", i);
		int64_t off, len;
		range_of(i, &off, &len);
		rc = http_resp_write(r, h, (size_t)hl);
		if (!rc)
			rc = http_resp_sendfile(r, file_fd, off, (uint64_t)len);
		if (abort_it && i == n / 2)
			break;
	}
	free(exp);
	if (abort_it || rc)
		http_resp_abort(r);
	else
		http_resp_end(r);
}

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	if (!strcmp(r->path, "/mix"))
		http_defer_stream(r, h_mix);
	else
		http_error(r, 404, NULL, "no %s", r->path);
}

static void start(void)
{
	char path[] = "/tmp/test_http_sendfile_XXXXXX";
	file_fd = mkstemp(path);
	cr_assert(file_fd >= 0);
	unlink(path);
	fdata = malloc(FSIZE);
	for (size_t i = 0; i < FSIZE; i++)
		fdata[i] = (unsigned char)(i * 131 + (i >> 11));
	cr_assert_eq(write(file_fd, fdata, FSIZE), FSIZE);
	http_config_t cfg = {.nloops = 2, .npool = 8, .dispatch = dispatch};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, "127.0.0.1", 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
	curl_global_init(CURL_GLOBAL_ALL);
}

static void stop(void)
{
	http_server_stop(srv);
	curl_global_cleanup();
	close(file_fd);
	free(fdata);
}

TestSuite(http_sendfile, .init = start, .fini = stop, .timeout = 60);

typedef struct got {
	unsigned char *p;
	size_t len, cap;
} got_t;

static size_t on_data(char *d, size_t sz, size_t n, void *ud)
{
	got_t *g = ud;
	size_t k = sz * n;
	if (g->len + k > g->cap) {
		g->cap = (g->len + k) * 2;
		g->p = realloc(g->p, g->cap);
	}
	memcpy(g->p + g->len, d, k);
	g->len += k;
	return k;
}

static CURLcode fetch(CURL *h, const char *query, got_t *g)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/mix?%s", port, query);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, g);
	g->len = 0;
	return curl_easy_perform(h);
}

static void check(int n, bool chunked)
{
	CURL *h = curl_easy_init();
	got_t g = {0};
	char q[64];
	snprintf(q, sizeof(q), "n=%d%s", n, chunked ? "&chunked" : "");
	for (int rep = 0; rep < 2; rep++) { /* the second time over the same keep-alive connection */
		cr_assert_eq(fetch(h, q, &g), CURLE_OK);
		unsigned char *exp;
		size_t elen;
		expected(n, &exp, &elen);
		cr_assert_eq(g.len, elen, "n=%d chunked=%d: %zu bytes, want %zu", n, chunked, g.len, elen);
		cr_assert(!memcmp(g.p, exp, elen), "n=%d chunked=%d: content differs", n, chunked);
		free(exp);
	}
	long conns = 0;
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	cr_assert_eq(conns, 0, "the connection was not kept alive");
	free(g.p);
	curl_easy_cleanup(h);
}

Test(http_sendfile, interleaved_chunked) { check(40, true); }

Test(http_sendfile, interleaved_content_length) { check(40, false); }

Test(http_sendfile, one_range) { check(1, true); }

Test(http_sendfile, abort_cuts_the_stream)
{
	CURL *h = curl_easy_init();
	got_t g = {0};
	CURLcode cc = fetch(h, "n=10&chunked&abort", &g);
	cr_assert(cc == CURLE_PARTIAL_FILE || cc == CURLE_RECV_ERROR, "curl: %s", curl_easy_strerror(cc));
	cr_assert_gt(g.len, 0);
	/* the same with Content-Length: short, and so broken */
	cc = fetch(h, "n=10&abort", &g);
	cr_assert(cc == CURLE_PARTIAL_FILE || cc == CURLE_RECV_ERROR, "curl: %s", curl_easy_strerror(cc));
	/* the file descriptor is still the handler's: later responses read it fine */
	cr_assert_eq(fetch(h, "n=3&chunked", &g), CURLE_OK);
	free(g.p);
	curl_easy_cleanup(h);
}
