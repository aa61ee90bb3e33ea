/* test_tls: net/tls.c - non-blocking handshakes and data over a socketpair (both directions,
 * byte-exact), the HTTP server over TLS (file bodies through the buffered pread + SSL_write path,
 * byte-exact, keep-alive), certificate reload (new connections see the new serial, old ones keep
 * working), mutual TLS (a client without a certificate is refused at the handshake, the node's own
 * client certificate is accepted), and the refusals (mismatched key, client_auth out of range,
 * reload while plain). Certificates are made with the openssl CLI in a temp dir. */
#include "core/err.h"
#include "net/http.h"
#include "net/tls.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char dir[] = "/tmp/test_tls_XXXXXX";
static char ca[300], crt[300], key[300], crt2[300], key2[300], ccrt[300], ckey[300];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* a certificate signed by the CA in dir (serial given) */
static void mkcert(const char *name, int serial, const char *eku)
{
	sh("cd %s && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=%s\\n' > %s.ext && "
	   "openssl req -new -newkey rsa:2048 -nodes -keyout %s.key -out %s.csr -subj /CN=%s 2>/dev/null && "
	   "openssl x509 -req -in %s.csr -CA ca.crt -CAkey ca.key -out %s.crt -days 2 -set_serial %d "
	   "-extfile %s.ext 2>/dev/null",
	   dir, eku, name, name, name, name, name, name, serial, name);
}

static void certs(void)
{
	if (ca[0])
		return;
	cr_assert(mkdtemp(dir));
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=testca "
	   "-addext basicConstraints=critical,CA:TRUE 2>/dev/null",
	   dir);
	mkcert("server", 4660, "serverAuth,clientAuth");
	mkcert("server2", 22136, "serverAuth,clientAuth");
	mkcert("client", 77, "clientAuth");
	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(crt, sizeof(crt), "%s/server.crt", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	snprintf(crt2, sizeof(crt2), "%s/server2.crt", dir);
	snprintf(key2, sizeof(key2), "%s/server2.key", dir);
	snprintf(ccrt, sizeof(ccrt), "%s/client.crt", dir);
	snprintf(ckey, sizeof(ckey), "%s/client.key", dir);
}

static void on(int client_auth)
{
	certs();
	tls_fini();
	tls_conf_t c = {.enabled = true, .crt = crt, .key = key, .ca = ca, .client_auth = client_auth};
	char err[256] = "";
	cr_assert_eq(tls_init(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert(tls_on());
	cr_assert_str_eq(tls_scheme(), "https");
}

static void fini(void)
{
	tls_fini();
	if (dir[0] && ca[0]) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
}

TestSuite(tls, .fini = fini, .timeout = 60);

static void pair(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

/* drive both handshakes to the end; true when both finished */
static bool handshake(SSL *s, SSL *c)
{
	bool sd = false, cd = false;
	for (int i = 0; i < 1000 && !(sd && cd); i++) {
		bool ww;
		if (!sd) {
			if (!tls_handshake(s, &ww))
				sd = true;
			else if (errno != EAGAIN)
				return false;
		}
		if (!cd) {
			if (!tls_handshake(c, &ww))
				cd = true;
			else if (errno != EAGAIN)
				return false;
		}
	}
	return sd && cd;
}

/* move n bytes from a to b through SSL, alternating partial writes and reads */
static void transfer(SSL *a, SSL *b, size_t n)
{
	unsigned char *src = malloc(n), *dst = malloc(n);
	for (size_t i = 0; i < n; i++)
		src[i] = (unsigned char)(i * 7 + (i >> 9));
	size_t w = 0, r = 0;
	for (int spins = 0; r < n && spins < 100000; spins++) {
		if (w < n) {
			ssize_t k = tls_write(a, src + w, n - w, NULL);
			if (k > 0)
				w += (size_t)k;
			else
				cr_assert_eq(errno, EAGAIN);
		}
		ssize_t k = tls_read(b, dst + r, n - r, NULL);
		if (k > 0)
			r += (size_t)k;
		else
			cr_assert(k < 0 && errno == EAGAIN, "read %zd errno %d", k, errno);
	}
	cr_assert_eq(r, n);
	cr_assert(!memcmp(src, dst, n));
	free(src);
	free(dst);
}

Test(tls, socketpair_handshake_and_data_both_ways)
{
	on(TLS_CLIENT_AUTH_NONE);
	int sv[2];
	pair(sv);
	SSL *s = tls_server_new(sv[0]), *c = tls_client_new(sv[1], "127.0.0.1");
	cr_assert(s && c);
	cr_assert(handshake(s, c));
	transfer(c, s, 3 * 1024 * 1024 + 17);
	transfer(s, c, 1024 * 1024 + 1);
	/* EOF: close_notify, then the reader sees 0 */
	tls_close_notify(c);
	char b[16];
	ssize_t k;
	for (int i = 0; i < 100 && (k = tls_read(s, b, sizeof(b), NULL)) < 0; i++)
		;
	cr_assert_eq(k, 0);
	tls_free(s);
	tls_free(c);
	close(sv[0]);
	close(sv[1]);
}

Test(tls, wrong_name_fails_verification)
{
	on(TLS_CLIENT_AUTH_NONE);
	int sv[2];
	pair(sv);
	SSL *s = tls_server_new(sv[0]), *c = tls_client_new(sv[1], "10.1.2.3"); /* not in the SAN */
	cr_assert(!handshake(s, c));
	cr_assert_neq(SSL_get_verify_result(c), X509_V_OK);
	tls_free(s);
	tls_free(c);
	close(sv[0]);
	close(sv[1]);
}

static long peer_serial(SSL *c)
{
	X509 *x = SSL_get1_peer_certificate(c);
	cr_assert(x);
	long v = ASN1_INTEGER_get(X509_get0_serialNumber(x));
	X509_free(x);
	return v;
}

Test(tls, reload_new_connections_see_the_new_certificate)
{
	on(TLS_CLIENT_AUTH_NONE);
	char serial[64], na[64], err[256] = "";
	cr_assert_eq(tls_cert_info(serial, sizeof(serial), na, sizeof(na)), 0);
	cr_assert_str_eq(serial, "1234"); /* 4660 */
	int sv[2], sw[2];
	pair(sv);
	SSL *s = tls_server_new(sv[0]), *c = tls_client_new(sv[1], "127.0.0.1");
	cr_assert(handshake(s, c));
	uint64_t gen = tls_generation();
	cr_assert_eq(tls_reload(crt2, key2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tls_generation(), gen + 1);
	cr_assert_eq(tls_cert_info(serial, sizeof(serial), na, sizeof(na)), 0);
	cr_assert_str_eq(serial, "5678"); /* 22136 */
	tls_cert_props_t cp;
	cr_assert_eq(tls_cert_props(&cp), 0);
	cr_assert_str_eq(cp.serial, "22136");
	cr_assert_str_eq(cp.issuer_cn, "testca");
	cr_assert_str_eq(cp.version, "3");
	cr_assert_str_eq(cp.pk_alg, "RSA");
	cr_assert(!strncmp(cp.valid, "from 20", 7), "%s", cp.valid);
	/* the old connection goes on */
	transfer(s, c, 100000);
	cr_assert_eq(peer_serial(c), 4660);
	pair(sw);
	SSL *s2 = tls_server_new(sw[0]), *c2 = tls_client_new(sw[1], "127.0.0.1");
	cr_assert(handshake(s2, c2));
	cr_assert_eq(peer_serial(c2), 22136);
	/* a bad pair keeps the current one */
	cr_assert_neq(tls_reload(crt, key2, err, sizeof(err)), 0);
	cr_assert(strstr(err, "does not match") || strstr(err, "mismatch"), "%s", err);
	cr_assert_eq(tls_cert_info(serial, sizeof(serial), na, sizeof(na)), 0);
	cr_assert_str_eq(serial, "5678");
	tls_free(s);
	tls_free(c);
	tls_free(s2);
	tls_free(c2);
	close(sv[0]);
	close(sv[1]);
	close(sw[0]);
	close(sw[1]);
}

Test(tls, mutual_tls_refuses_a_client_without_certificate)
{
	on(TLS_CLIENT_AUTH_REQUIRE_VERIFY);
	int sv[2];
	pair(sv);
	/* a client that has no certificate */
	SSL_CTX *bare = SSL_CTX_new(TLS_client_method());
	SSL_CTX_load_verify_locations(bare, ca, NULL);
	SSL *c = SSL_new(bare);
	SSL_set_fd(c, sv[1]);
	SSL_set_connect_state(c);
	SSL *s = tls_server_new(sv[0]);
	bool ok = handshake(s, c);
	if (ok) { /* TLS 1.3: the client may finish first; the server's verdict arrives with the next read */
		char b[8];
		ssize_t k = -1;
		for (int i = 0; i < 100 && k < 0; i++) {
			k = tls_read(c, b, sizeof(b), NULL);
			if (k < 0 && errno != EAGAIN)
				break;
		}
		ok = k > 0;
	}
	cr_assert(!ok, "a client without a certificate was let in");
	tls_free(s);
	SSL_free(c);
	SSL_CTX_free(bare);
	close(sv[0]);
	close(sv[1]);
	/* the node's own client (tls_client_new presents server_crt) is accepted */
	pair(sv);
	s = tls_server_new(sv[0]);
	c = tls_client_new(sv[1], "127.0.0.1");
	cr_assert(handshake(s, c));
	transfer(c, s, 5000);
	tls_free(s);
	tls_free(c);
	close(sv[0]);
	close(sv[1]);
}

Test(tls, refusals)
{
	certs();
	tls_fini();
	char err[256] = "";
	cr_assert(!tls_on());
	cr_assert_str_eq(tls_scheme(), "http");
	cr_assert_null(tls_server_new(0));
	cr_assert_neq(tls_reload(NULL, NULL, err, sizeof(err)), 0);
	cr_assert(strstr(err, "plain HTTP"), "%s", err);
	tls_conf_t c = {.enabled = true, .crt = crt, .key = key2, .ca = ca};
	cr_assert_eq(tls_init(&c, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "does not match") || strstr(err, "mismatch"), "%s", err);
	cr_assert(!tls_on());
	c.key = key;
	c.client_auth = 5;
	cr_assert_eq(tls_init(&c, err, sizeof(err)), AIS_EINVAL);
	c.client_auth = 0;
	c.crt = "/nonexistent.crt";
	cr_assert_eq(tls_init(&c, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "/nonexistent.crt"), "%s", err);
	tls_conf_t off = {.enabled = false};
	cr_assert_eq(tls_init(&off, err, sizeof(err)), 0);
	cr_assert(!tls_on());
}

/* ---------------------------------------------------------------- the HTTP server over TLS */

#define FSIZE (3 * 1024 * 1024 + 12345)
static int file_fd = -1;
static unsigned char *fdata;

static void h_file(http_req_t *r)
{
	/* the whole file, or the range ?off=&len= (the server owns the dup'ed fd) */
	const char *o = http_query_get(r, "off"), *l = http_query_get(r, "len");
	off_t off = o ? atol(o) : 0;
	size_t len = l ? (size_t)atol(l) : FSIZE;
	http_respond_fd(r, 200, dup(file_fd), off, len);
}

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	if (!strcmp(r->path, "/file"))
		http_defer(r, h_file);
	else
		http_respond(r, 200, "text/plain", "hello", 5);
}

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

Test(tls, http_server_file_bodies_byte_exact)
{
	on(TLS_CLIENT_AUTH_NONE);
	char path[] = "/tmp/test_tls_file_XXXXXX";
	file_fd = mkstemp(path);
	cr_assert(file_fd >= 0);
	unlink(path);
	fdata = malloc(FSIZE);
	for (size_t i = 0; i < FSIZE; i++)
		fdata[i] = (unsigned char)(i * 131 + (i >> 11));
	cr_assert_eq(write(file_fd, fdata, FSIZE), FSIZE);
	http_config_t cfg = {.nloops = 2, .npool = 4, .dispatch = dispatch};
	http_server_t *srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, "127.0.0.1", 0), 0);
	int port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
	curl_global_init(CURL_GLOBAL_ALL);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	got_t g = {0};
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &g);
	struct {
		size_t off, len;
	} cases[] = {{0, FSIZE}, {1, 1}, {7, 300000}, {262144, 262144}, {FSIZE - 100, 100}, {0, FSIZE}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char url[200];
		snprintf(url, sizeof(url), "https://127.0.0.1:%d/file?off=%zu&len=%zu", port, cases[i].off, cases[i].len);
		curl_easy_setopt(h, CURLOPT_URL, url);
		g.len = 0;
		CURLcode cc = curl_easy_perform(h);
		cr_assert_eq(cc, CURLE_OK, "%s: %s", url, curl_easy_strerror(cc));
		cr_assert_eq(g.len, cases[i].len, "%s: %zu bytes", url, g.len);
		cr_assert(!memcmp(g.p, fdata + cases[i].off, cases[i].len), "%s: content differs", url);
	}
	long conns = 0;
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
	cr_assert_eq(conns, 0, "the connection was not kept alive");
	/* plain HTTP to the TLS port: no answer in clear */
	char url[200];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	CURL *p = curl_easy_init();
	curl_easy_setopt(p, CURLOPT_URL, url);
	curl_easy_setopt(p, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(p, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(p, CURLOPT_WRITEDATA, &g);
	g.len = 0;
	cr_assert_neq(curl_easy_perform(p), CURLE_OK);
	cr_assert(g.len < 5 || memcmp(g.p, "hello", 5));
	curl_easy_cleanup(p);
	curl_easy_cleanup(h);
	free(g.p);
	http_server_stop(srv);
	curl_global_cleanup();
	close(file_fd);
	free(fdata);
}
