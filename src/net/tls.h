/* tls: the node's TLS (OpenSSL) - the process-wide server and client contexts built from
 * net.http.{use_https, server_crt, server_key, client_ca_tls, client_auth_tls, skip_verify},
 * certificate reload without restart, and read(2)/write(2)-like wrappers over a non-blocking SSL
 * so the epoll loops and the blocking clients keep their errno conventions.
 * Owns: the two SSL_CTXs (swapped as a pair under a mutex by tls_reload; an SSL made before a
 * reload keeps the old context alive through its own reference) and a copy of the settings.
 * Must not: know about HTTP, connections or the cluster; block (except tls_reload, which reads
 * files, and tls_connect_blocking, which polls its own socket).
 * Invariants: tls_on() is fixed between tls_init and tls_fini (use_https takes effect on a
 * restart, as AIStore's); every SSL handed out is in partial-write, moving-buffer mode; a server
 * context always holds a certificate whose private key matches it. */
#ifndef AIS_TLS_H
#define AIS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct ssl_st SSL;

/* tls.ClientAuthType (Go crypto/tls), AIStore's net.http.client_auth_tls */
enum {
	TLS_CLIENT_AUTH_NONE = 0,
	TLS_CLIENT_AUTH_REQUEST = 1,
	TLS_CLIENT_AUTH_REQUIRE_ANY = 2,
	TLS_CLIENT_AUTH_VERIFY_IF_GIVEN = 3,
	TLS_CLIENT_AUTH_REQUIRE_VERIFY = 4,
};

typedef struct tls_conf {
	bool enabled;      /* net.http.use_https */
	const char *crt;   /* server_crt (PEM chain): served, and presented as the client certificate */
	const char *key;   /* server_key (PEM) */
	const char *ca;    /* client_ca_tls: verifies client certificates and intra-cluster peers; "" system */
	int client_auth;   /* TLS_CLIENT_AUTH_* */
	bool skip_verify;  /* intra-cluster clients do not verify the peer */
	bool ktls;         /* try kernel TLS (SSL_OP_ENABLE_KTLS) on server connections */
} tls_conf_t;

/* build both contexts (enabled false: nothing, tls_on() false). 0 or AIS_E*, err says why
 * (unreadable or mismatched certificate/key, bad CA bundle, client_auth out of range). */
int tls_init(const tls_conf_t *c, char *err, size_t cap);
void tls_fini(void);
/* a client tool (aisloader): the client context only - CA bundle ca ("" system), the client
 * certificate crt/key ("" none), skip_verify; tls_on() stays false (no server). 0 or AIS_E*. */
int tls_client_init(const char *ca, const char *crt, const char *key, bool skip_verify, char *err, size_t cap);
bool tls_on(void);
const char *tls_scheme(void); /* "https" or "http" */

/* re-read the certificate and key (and CA) - paths given, or NULL for those of tls_init / the
 * last reload - into new contexts used by connections made from now on. 0 or AIS_E* (the old
 * contexts stay), err says why. */
int tls_reload(const char *crt, const char *key, char *err, size_t cap);
/* the current certificate's serial (hex) and notAfter ("Jan  2 15:04:05 2027 GMT"); 0 or AIS_E* */
int tls_cert_info(char *serial, size_t scap, char *not_after, size_t ncap);
/* the current certificate as AIStore's GET /v1/daemon?what=certificate shows it (certloader.Props) */
typedef struct tls_cert_props {
	char version[24], issuer_cn[128], sig_alg[64], pk_alg[32], serial[80], valid[96];
} tls_cert_props_t;
int tls_cert_props(tls_cert_props_t *p); /* 0 or AIS_ENOTFOUND (TLS off) */
/* how many reloads succeeded (tests, logs) */
uint64_t tls_generation(void);

/* client settings for libcurl users: CA bundle ("" none: system), client cert/key, skip_verify.
 * Copied into the caller's buffers (paths may change on reload). */
void tls_client_paths(char *ca, size_t cacap, char *crt, size_t crtcap, char *key, size_t keycap, bool *skip);

/* a server-side SSL on fd (accept state, handshake done by the first tls_read/tls_write) or a
 * client-side one (connect state; host: SNI and the name or IP the peer's certificate must
 * carry unless skip_verify). NULL: out of memory or TLS off. Free with tls_free. */
SSL *tls_server_new(int fd);
SSL *tls_client_new(int fd, const char *host);
void tls_free(SSL *s);                 /* SSL_free; the fd is the caller's */
void tls_close_notify(SSL *s);         /* best effort close_notify (non-blocking) */

/* read(2)/send(2)-like: > 0 bytes, 0 clean EOF (read), -1 with errno EAGAIN (the socket must
 * become readable or writable; *want_write tells which when not NULL), or EIO/ECONNRESET/EPROTO.
 * tls_write retried after EAGAIN must be given the same bytes again (at least as many). */
ssize_t tls_read(SSL *s, void *buf, size_t n, bool *want_write);
ssize_t tls_write(SSL *s, const void *buf, size_t n, bool *want_write);
/* the iovecs in order until one would block: bytes written, or -1 (errno as tls_write) when none */
ssize_t tls_writev(SSL *s, const struct iovec *iov, int iovcnt, bool *want_write);
/* drive the handshake: 0 done, -1 with errno EAGAIN (*want_write) or a failure */
int tls_handshake(SSL *s, bool *want_write);
/* decrypted bytes buffered inside s (read without touching the socket) */
size_t tls_pending(SSL *s);

/* does s send through kernel TLS (then tls_sendfile moves file bytes without a copy)? */
bool tls_ktls_send(SSL *s);
/* kTLS only: sendfile(2)-like, *off advanced; -1 with errno as tls_write */
ssize_t tls_sendfile(SSL *s, int fd, off_t *off, size_t n, bool *want_write);

/* blocking client handshake on a connected non-blocking socket within timeout_ms (abort_fd >= 0
 * readable: give up). 0 or AIS_E*, err says why (certificate verification, timeout). */
int tls_connect_blocking(SSL *s, int timeout_ms, int abort_fd, char *err, size_t cap);

/* the buffer size of the copy path for file bodies over TLS (pread + SSL_write) */
#define TLS_FILE_BUF (256 * 1024)

#endif
