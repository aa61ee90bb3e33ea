/* tls: OpenSSL contexts, reload, and the non-blocking SSL I/O wrappers (see tls.h). */
#include "net/tls.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define TLS_PATH_MAX 1024

static struct {
	pthread_mutex_t mu;
	bool on;
	SSL_CTX *srv, *cli; /* current pair; replaced by tls_reload */
	char crt[TLS_PATH_MAX], key[TLS_PATH_MAX], ca[TLS_PATH_MAX];
	int client_auth;
	bool skip_verify, ktls;
	uint64_t gen;
} g_tls = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void tls_errf(char *err, size_t cap, const char *what, const char *path)
{
	char e[256] = "";
	unsigned long code = ERR_peek_last_error();
	if (code)
		ERR_error_string_n(code, e, sizeof(e));
	ERR_clear_error();
	snprintf(err, cap, "%s%s%s%s%s", what, path ? " " : "", path ? path : "", *e ? ": " : "", e);
}

/* client_auth 1 and 2 ask for a certificate but do not verify it (Go's RequestClientCert,
 * RequireAnyClientCert) */
static int tls_accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static int tls_ctx_common(SSL_CTX *ctx, const char *crt, const char *key, bool need, char *err, size_t cap)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				      SSL_MODE_RELEASE_BUFFERS);
	/* a peer that closes without close_notify ends the stream (HTTP frames its own messages) */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
	if (!crt || !*crt) {
		if (!need)
			return 0;
		snprintf(err, cap, "net.http.server_crt is empty");
		return AIS_EINVAL;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1) {
		if (!need) {
			ERR_clear_error();
			return 0;
		}
		tls_errf(err, cap, "cannot load X.509 certificate", crt);
		return AIS_EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tls_errf(err, cap, "cannot load X.509 key", key);
		return AIS_EINVAL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_errf(err, cap, "X.509 key does not match the certificate", crt);
		return AIS_EINVAL;
	}
	return 0;
}

static int tls_load_ca(SSL_CTX *ctx, const char *ca, char *err, size_t cap)
{
	if (ca && *ca) {
		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
			tls_errf(err, cap, "cannot load CA bundle", ca);
			return AIS_EINVAL;
		}
		return 0;
	}
	SSL_CTX_set_default_verify_paths(ctx);
	return 0;
}

static SSL_CTX *tls_server_ctx(const char *crt, const char *key, char *err, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		tls_errf(err, cap, "SSL_CTX_new", NULL);
		return NULL;
	}
	if (tls_ctx_common(ctx, crt, key, true, err, cap))
		goto fail;
	static const unsigned char sid[] = "aisnode";
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_set_num_tickets(ctx, 0); /* no post-handshake bytes on an idle pooled connection */
	if (g_tls.ktls)
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	int mode = SSL_VERIFY_NONE;
	SSL_verify_cb cb = NULL;
	switch (g_tls.client_auth) {
	case TLS_CLIENT_AUTH_REQUEST:
		mode = SSL_VERIFY_PEER, cb = tls_accept_any;
		break;
	case TLS_CLIENT_AUTH_REQUIRE_ANY:
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, cb = tls_accept_any;
		break;
	case TLS_CLIENT_AUTH_VERIFY_IF_GIVEN:
		mode = SSL_VERIFY_PEER;
		break;
	case TLS_CLIENT_AUTH_REQUIRE_VERIFY:
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		break;
	default:
		break;
	}
	if (mode != SSL_VERIFY_NONE) {
		if (tls_load_ca(ctx, g_tls.ca, err, cap))
			goto fail;
		if (g_tls.ca[0]) {
			STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(g_tls.ca);
			if (names)
				SSL_CTX_set_client_CA_list(ctx, names);
			ERR_clear_error();
		}
	}
	SSL_CTX_set_verify(ctx, mode, cb);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static SSL_CTX *tls_client_ctx(const char *crt, const char *key, bool need, char *err, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		tls_errf(err, cap, "SSL_CTX_new", NULL);
		return NULL;
	}
	/* the node's own certificate is its client certificate too (mutual TLS between nodes) */
	if (tls_ctx_common(ctx, crt, key, need, err, cap) || tls_load_ca(ctx, g_tls.ca, err, cap)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, g_tls.skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	return ctx;
}

/* new pair from crt/key (g_tls.mu held); 0 or AIS_E* */
static int tls_build(const char *crt, const char *key, char *err, size_t cap)
{
	SSL_CTX *s = tls_server_ctx(crt, key, err, cap);
	if (!s)
		return AIS_EINVAL;
	SSL_CTX *c = tls_client_ctx(crt, key, false, err, cap);
	if (!c) {
		SSL_CTX_free(s);
		return AIS_EINVAL;
	}
	SSL_CTX_free(g_tls.srv);
	SSL_CTX_free(g_tls.cli);
	g_tls.srv = s;
	g_tls.cli = c;
	if (crt != g_tls.crt)
		snprintf(g_tls.crt, sizeof(g_tls.crt), "%s", crt);
	if (key != g_tls.key)
		snprintf(g_tls.key, sizeof(g_tls.key), "%s", key);
	g_tls.gen++;
	return 0;
}

static void tls_log_cert(void)
{
	char serial[128], na[64];
	if (!tls_cert_info(serial, sizeof(serial), na, sizeof(na)))
		log_info("tls: %s (serial %s, valid until %s)", g_tls.crt, serial, na);
}

int tls_init(const tls_conf_t *c, char *err, size_t cap)
{
	if (!c->enabled)
		return 0;
	if (c->client_auth < TLS_CLIENT_AUTH_NONE || c->client_auth > TLS_CLIENT_AUTH_REQUIRE_VERIFY) {
		snprintf(err, cap, "net.http.client_auth_tls: %d is not a tls.ClientAuthType (0..4)", c->client_auth);
		return AIS_EINVAL;
	}
	pthread_mutex_lock(&g_tls.mu);
	snprintf(g_tls.ca, sizeof(g_tls.ca), "%s", c->ca ? c->ca : "");
	g_tls.client_auth = c->client_auth;
	g_tls.skip_verify = c->skip_verify;
	g_tls.ktls = c->ktls;
	int rc = tls_build(c->crt ? c->crt : "", c->key ? c->key : "", err, cap);
	if (!rc)
		g_tls.on = true;
	pthread_mutex_unlock(&g_tls.mu);
	if (!rc)
		tls_log_cert();
	return rc;
}

int tls_client_init(const char *ca, const char *crt, const char *key, bool skip_verify, char *err, size_t cap)
{
	pthread_mutex_lock(&g_tls.mu);
	snprintf(g_tls.ca, sizeof(g_tls.ca), "%s", ca ? ca : "");
	g_tls.skip_verify = skip_verify;
	int rc = 0;
	if (crt && *crt && (!key || !*key)) {
		snprintf(err, cap, "a client certificate without its key");
		rc = AIS_EINVAL;
	}
	SSL_CTX *c = rc ? NULL : tls_client_ctx(crt ? crt : "", key ? key : "", crt && *crt, err, cap);
	if (c) {
		SSL_CTX_free(g_tls.cli);
		g_tls.cli = c;
	} else if (!rc) {
		rc = AIS_EINVAL;
	}
	pthread_mutex_unlock(&g_tls.mu);
	return rc;
}

void tls_fini(void)
{
	pthread_mutex_lock(&g_tls.mu);
	SSL_CTX_free(g_tls.srv);
	SSL_CTX_free(g_tls.cli);
	g_tls.srv = g_tls.cli = NULL;
	g_tls.on = false;
	pthread_mutex_unlock(&g_tls.mu);
}

bool tls_on(void)
{
	pthread_mutex_lock(&g_tls.mu);
	bool on = g_tls.on;
	pthread_mutex_unlock(&g_tls.mu);
	return on;
}

const char *tls_scheme(void) { return tls_on() ? "https" : "http"; }

int tls_reload(const char *crt, const char *key, char *err, size_t cap)
{
	pthread_mutex_lock(&g_tls.mu);
	if (!g_tls.on) {
		pthread_mutex_unlock(&g_tls.mu);
		snprintf(err, cap, "invalid request to reload X509 certs (running plain HTTP)");
		return AIS_EINVAL;
	}
	char c[TLS_PATH_MAX], k[TLS_PATH_MAX];
	snprintf(c, sizeof(c), "%s", crt && *crt ? crt : g_tls.crt);
	snprintf(k, sizeof(k), "%s", key && *key ? key : g_tls.key);
	int rc = tls_build(c, k, err, cap);
	pthread_mutex_unlock(&g_tls.mu);
	if (rc)
		log_warn("tls: reload failed: %s", err);
	else
		tls_log_cert();
	return rc;
}

int tls_cert_info(char *serial, size_t scap, char *not_after, size_t ncap)
{
	int rc = AIS_ENOTFOUND;
	pthread_mutex_lock(&g_tls.mu);
	X509 *x = g_tls.srv ? SSL_CTX_get0_certificate(g_tls.srv) : NULL;
	if (x) {
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		char *hex = bn ? BN_bn2hex(bn) : NULL;
		snprintf(serial, scap, "%s", hex ? hex : "");
		OPENSSL_free(hex);
		BN_free(bn);
		BIO *b = BIO_new(BIO_s_mem());
		char *p = NULL;
		long n = b && ASN1_TIME_print(b, X509_get0_notAfter(x)) ? BIO_get_mem_data(b, &p) : 0;
		snprintf(not_after, ncap, "%.*s", (int)(n > 0 ? n : 0), p ? p : "");
		BIO_free(b);
		rc = 0;
	}
	pthread_mutex_unlock(&g_tls.mu);
	return rc;
}

/* "2026-12-02 08:42:59" (UTC, as AIStore shows it) */
static void tls_asn1_time(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, cap, "?");
}

int tls_cert_props(tls_cert_props_t *p)
{
	memset(p, 0, sizeof(*p));
	int rc = AIS_ENOTFOUND;
	pthread_mutex_lock(&g_tls.mu);
	X509 *x = g_tls.srv ? SSL_CTX_get0_certificate(g_tls.srv) : NULL;
	if (x) {
		snprintf(p->version, sizeof(p->version), "%ld", X509_get_version(x) + 1);
		X509_NAME_get_text_by_NID(X509_get_issuer_name(x), NID_commonName, p->issuer_cn, sizeof(p->issuer_cn));
		int sn = X509_get_signature_nid(x), pk = EVP_PKEY_get_base_id(X509_get0_pubkey(x));
		snprintf(p->sig_alg, sizeof(p->sig_alg), "%s", sn ? OBJ_nid2ln(sn) : "");
		snprintf(p->pk_alg, sizeof(p->pk_alg), "%s", pk == EVP_PKEY_RSA ? "RSA" : pk == EVP_PKEY_EC ? "ECDSA" :
							    pk == EVP_PKEY_ED25519 ? "Ed25519" : "unknown");
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		char *dec = bn ? BN_bn2dec(bn) : NULL;
		snprintf(p->serial, sizeof(p->serial), "%s", dec ? dec : "");
		OPENSSL_free(dec);
		BN_free(bn);
		char nb[40], na[40];
		tls_asn1_time(X509_get0_notBefore(x), nb, sizeof(nb));
		tls_asn1_time(X509_get0_notAfter(x), na, sizeof(na));
		snprintf(p->valid, sizeof(p->valid), "from %s to %s", nb, na);
		rc = 0;
	}
	pthread_mutex_unlock(&g_tls.mu);
	return rc;
}

uint64_t tls_generation(void)
{
	pthread_mutex_lock(&g_tls.mu);
	uint64_t n = g_tls.gen;
	pthread_mutex_unlock(&g_tls.mu);
	return n;
}

void tls_client_paths(char *ca, size_t cacap, char *crt, size_t crtcap, char *key, size_t keycap, bool *skip)
{
	pthread_mutex_lock(&g_tls.mu);
	snprintf(ca, cacap, "%s", g_tls.ca);
	snprintf(crt, crtcap, "%s", g_tls.crt);
	snprintf(key, keycap, "%s", g_tls.key);
	*skip = g_tls.skip_verify;
	pthread_mutex_unlock(&g_tls.mu);
}

/* ---------------------------------------------------------------- connections */

static SSL *tls_new(int fd, bool server)
{
	pthread_mutex_lock(&g_tls.mu);
	SSL_CTX *ctx = server ? g_tls.srv : g_tls.cli;
	SSL *s = ctx ? SSL_new(ctx) : NULL; /* (SSL_new takes its own reference on ctx) */
	pthread_mutex_unlock(&g_tls.mu);
	if (!s)
		return NULL;
	if (SSL_set_fd(s, fd) != 1) {
		SSL_free(s);
		ERR_clear_error();
		return NULL;
	}
	if (server)
		SSL_set_accept_state(s);
	else
		SSL_set_connect_state(s);
	return s;
}

SSL *tls_server_new(int fd) { return tls_new(fd, true); }

SSL *tls_client_new(int fd, const char *host)
{
	SSL *s = tls_new(fd, false);
	if (!s || !host || !*host)
		return s;
	unsigned char bin[16];
	bool ip = inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1;
	X509_VERIFY_PARAM *vp = SSL_get0_param(s);
	int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) : SSL_set1_host(s, host);
	if (!ip)
		SSL_set_tlsext_host_name(s, host);
	if (ok != 1) {
		SSL_free(s);
		ERR_clear_error();
		return NULL;
	}
	return s;
}

void tls_free(SSL *s) { SSL_free(s); }

void tls_close_notify(SSL *s)
{
	if (!s || !SSL_is_init_finished(s))
		return;
	ERR_clear_error();
	(void)SSL_shutdown(s);
	ERR_clear_error();
}

/* failed handshakes (a client that does not trust us, speaks plain HTTP, or has no certificate
 * under mutual TLS): one line per TLS_HSLOG_NS with the count, however many there are */
#define TLS_HSLOG_NS (10 * 1000000000LL)
static _Atomic uint64_t tls_hs_fail;
static _Atomic int64_t tls_hs_logged;

static void tls_log_handshake_err(const char *m)
{
	uint64_t n = atomic_fetch_add(&tls_hs_fail, 1) + 1;
	int64_t now = mono_ns(), last = atomic_load(&tls_hs_logged);
	if ((last && now - last < TLS_HSLOG_NS) || !atomic_compare_exchange_strong(&tls_hs_logged, &last, now))
		return;
	log_info("tls: handshake failed: %s (%llu failed handshakes so far)", m, (unsigned long long)n);
}

/* SSL result -> errno convention; r <= 0 */
static ssize_t tls_fail(SSL *s, int r, bool *want_write, bool reading)
{
	int e = SSL_get_error(s, r);
	int saved = errno;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		if (want_write)
			*want_write = false;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		if (want_write)
			*want_write = true;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		if (reading)
			return 0;
		errno = EPIPE;
		return -1;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (!saved && reading)
			return 0; /* EOF without close_notify */
		errno = saved ? saved : EPIPE;
		return -1;
	default: {
		char m[200] = "";
		unsigned long code = ERR_peek_last_error();
		if (code)
			ERR_error_string_n(code, m, sizeof(m));
		ERR_clear_error();
		if (!SSL_is_init_finished(s))
			tls_log_handshake_err(m);
		errno = EPROTO;
		return -1;
	}
	}
}

ssize_t tls_read(SSL *s, void *buf, size_t n, bool *want_write)
{
	if (n > INT_MAX)
		n = INT_MAX;
	ERR_clear_error();
	errno = 0;
	int r = SSL_read(s, buf, (int)n);
	return r > 0 ? r : tls_fail(s, r, want_write, true);
}

ssize_t tls_write(SSL *s, const void *buf, size_t n, bool *want_write)
{
	if (!n)
		return 0;
	if (n > INT_MAX)
		n = INT_MAX;
	ERR_clear_error();
	errno = 0;
	int r = SSL_write(s, buf, (int)n);
	return r > 0 ? r : tls_fail(s, r, want_write, false);
}

ssize_t tls_writev(SSL *s, const struct iovec *iov, int iovcnt, bool *want_write)
{
	ssize_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		size_t off = 0;
		while (off < iov[i].iov_len) {
			ssize_t k = tls_write(s, (const char *)iov[i].iov_base + off, iov[i].iov_len - off, want_write);
			if (k < 0)
				return total ? total : -1;
			off += (size_t)k;
			total += k;
		}
	}
	return total;
}

int tls_handshake(SSL *s, bool *want_write)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_do_handshake(s);
	if (r == 1)
		return 0;
	ssize_t x = tls_fail(s, r, want_write, false);
	if (!x && !errno)
		errno = ECONNRESET;
	return -1;
}

size_t tls_pending(SSL *s) { return (size_t)SSL_pending(s); }

bool tls_ktls_send(SSL *s) { return BIO_get_ktls_send(SSL_get_wbio(s)) > 0; }

ssize_t tls_sendfile(SSL *s, int fd, off_t *off, size_t n, bool *want_write)
{
	ERR_clear_error();
	errno = 0;
	ossl_ssize_t r = SSL_sendfile(s, fd, *off, n, 0);
	if (r > 0) {
		*off += r;
		return r;
	}
	return tls_fail(s, (int)r, want_write, false);
}

int tls_connect_blocking(SSL *s, int timeout_ms, int abort_fd, char *err, size_t cap)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_ms * 1000000LL;
	for (;;) {
		bool ww = false;
		if (!tls_handshake(s, &ww))
			return 0;
		if (errno != EAGAIN) {
			long v = SSL_get_verify_result(s);
			if (v != X509_V_OK)
				snprintf(err, cap, "TLS handshake: certificate verification failed: %s",
					 X509_verify_cert_error_string(v));
			else
				snprintf(err, cap, "TLS handshake failed (%s)", strerror(errno));
			return AIS_EUNAVAIL;
		}
		int64_t left = (deadline - mono_ns()) / 1000000LL;
		if (left <= 0) {
			snprintf(err, cap, "TLS handshake timed out");
			return AIS_ETIMEOUT;
		}
		struct pollfd p[2] = {{.fd = SSL_get_fd(s), .events = ww ? POLLOUT : POLLIN}, {.fd = abort_fd, .events = POLLIN}};
		int n = poll(p, abort_fd >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno != EINTR) {
			snprintf(err, cap, "poll: %s", strerror(errno));
			return AIS_EIO;
		}
		if (abort_fd >= 0 && (p[1].revents & POLLIN)) {
			snprintf(err, cap, "aborted");
			return AIS_EUNAVAIL;
		}
	}
}
