/* bk_http: streaming libcurl requests for the backends and the downloader (see bk_http.h).
 * Handles: one thread-local easy handle for backend traffic (keep-alive per remote); requests
 * with the egress guard get a fresh handle each time, so a connection opened without the guard
 * (or under a different policy) is never reused for a guarded download.
 * Invariants: the sink only ever sees the body of a 2xx answer; anything else lands in resp
 * (bounded) for the caller's error parsing; on_hdrs runs at most once, before the first byte. */
#include "backend/bk_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/bk_egress.h"
#include "core/err.h"
#include "net/hclient.h"

#define BK_HTTP_ERRBODY_MAX (64 * 1024)
#define BK_HTTP_BODY_MAX (64 << 20)

static pthread_key_t bh_key;
static pthread_once_t bh_once = PTHREAD_ONCE_INIT;

static void bh_handle_free(void *p) { curl_easy_cleanup((CURL *)p); }
static void bh_key_init(void) { pthread_key_create(&bh_key, bh_handle_free); }

void bk_http_init(bk_http_req_t *q, const char *method, const char *url)
{
	memset(q, 0, sizeof(*q));
	q->method = method;
	q->url = url;
	q->body_fd = -1;
	q->body_size = -1;
}

int bk_http_hdr(bk_http_req_t *q, const char *fmt, ...)
{
	if (q->nhdrs >= BK_HTTP_MAX_HDRS)
		return AIS_ETOOBIG;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return AIS_ENOMEM;
	q->hdrs[q->nhdrs++] = s;
	return 0;
}

void bk_http_fini(bk_http_req_t *q)
{
	for (int i = 0; i < q->nhdrs; i++)
		free(q->hdrs[i]);
	q->nhdrs = 0;
	sbuf_fini(&q->resp);
	sbuf_fini(&q->rhdrs);
}

const char *bk_http_rhdr(const bk_http_req_t *q, const char *name)
{
	const char *p = q->rhdrs.p, *end = p ? p + q->rhdrs.len : NULL;
	size_t nl = strlen(name);
	while (p && p < end) {
		size_t l = strlen(p);
		if (l > nl + 1 && !strncmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
		p += l + 1;
	}
	return NULL;
}

char *bk_http_escape(const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *o = malloc(n * 3 + 1), *w = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (keep_slash && c == '/')) {
			*w++ = (char)c;
		} else {
			*w++ = '%';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		}
	}
	*w = '\0';
	return o;
}

/* ---- callbacks ---- */

typedef struct bh_ctx {
	bk_http_req_t *q;
	CURL *h;
	bool hdrs_called;
	int64_t body_pos; /* fd/source bytes sent */
} bh_ctx_t;

static int bh_status(bh_ctx_t *x)
{
	long st = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	return (int)st;
}

static size_t bh_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	bh_ctx_t *x = ud;
	bk_http_req_t *q = x->q;
	size_t n = size * nmemb;
	int st = bh_status(x);
	q->status = st;
	bool ok = st >= 200 && st < 300;
	if (ok && !x->hdrs_called) {
		x->hdrs_called = true;
		if (q->on_hdrs && (q->sink_rc = q->on_hdrs(q->hdrs_arg, st)))
			return 0;
	}
	q->nbody += (int64_t)n;
	if (ok && q->sink) {
		if ((q->sink_rc = q->sink(q->sink_arg, ptr, n)))
			return 0;
		return n;
	}
	size_t lim = ok ? BK_HTTP_BODY_MAX : BK_HTTP_ERRBODY_MAX;
	if (q->resp.len + n > lim)
		return ok ? 0 : n; /* error bodies: keep the head only */
	return sbuf_add(&q->resp, ptr, n) ? 0 : n;
}

static size_t bh_hdr_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	bh_ctx_t *x = ud;
	size_t n = size * nitems;
	if (n >= 5 && !strncmp(buf, "HTTP/", 5)) { /* a new response (redirect, 100-continue) */
		sbuf_reset(&x->q->rhdrs);
		return n;
	}
	const char *colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	size_t end = n;
	while (end > 0 && (buf[end - 1] == '\r' || buf[end - 1] == '\n'))
		end--;
	char line[2048];
	if (end >= sizeof(line))
		return n; /* absurdly long header: not one we read */
	for (size_t i = 0; i < end; i++)
		line[i] = (char)((buf + i < colon && buf[i] >= 'A' && buf[i] <= 'Z') ? buf[i] + 32 : buf[i]);
	line[end] = '\0';
	sbuf_add(&x->q->rhdrs, line, end + 1);
	return n;
}

static size_t bh_read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	bh_ctx_t *x = ud;
	bk_http_req_t *q = x->q;
	size_t cap = size * nitems;
	if (q->src) {
		ssize_t n = q->src(q->src_arg, buf, cap);
		if (n < 0)
			return CURL_READFUNC_ABORT;
		x->body_pos += n;
		return (size_t)n;
	}
	int64_t left = q->body_size - x->body_pos;
	if (left <= 0)
		return 0;
	if ((int64_t)cap > left)
		cap = (size_t)left;
	ssize_t n;
	do
		n = pread(q->body_fd, buf, cap, q->body_off + x->body_pos);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return CURL_READFUNC_ABORT; /* a short file: the remote must not get a truncated object */
	x->body_pos += n;
	return (size_t)n;
}

static int bh_seek_cb(void *ud, curl_off_t off, int origin)
{
	bh_ctx_t *x = ud;
	if (x->q->src || origin != SEEK_SET || off < 0 || off > x->q->body_size)
		return CURL_SEEKFUNC_CANTSEEK;
	x->body_pos = off;
	return CURL_SEEKFUNC_OK;
}

static curl_socket_t bh_opensocket_cb(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	bh_ctx_t *x = ud;
	bk_http_req_t *q = x->q;
	if (purpose == CURLSOCKTYPE_IPCXN && bk_egress_blocked(&a->addr, q->allow_private)) {
		char ip[64] = "?";
		if (a->family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, ip, sizeof(ip));
		else if (a->family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, ip, sizeof(ip));
		q->egress_blocked = true;
		snprintf(q->blocked_ip, sizeof(q->blocked_ip), "%s", ip);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* ---- perform ---- */

static void bh_setup(CURL *h, bh_ctx_t *x, struct curl_slist **hl)
{
	bk_http_req_t *q = x->q;
	curl_easy_reset(h);
	if (q->node_tls)
		hclient_tls_setup(h);
	else if (q->cainfo && *q->cainfo)
		curl_easy_setopt(h, CURLOPT_CAINFO, q->cainfo);
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, q->errmsg);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bh_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, bh_hdr_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(q->connect_timeout_ms > 0 ? q->connect_timeout_ms : 5000));
	if (q->timeout_ms > 0) {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)q->timeout_ms);
	} else { /* large transfers: no total limit, but a stalled one ends */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	}
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (q->follow) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 8L);
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
		curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	}
	if (q->egress_guard) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, bh_opensocket_cb);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
		curl_easy_setopt(h, CURLOPT_PROXY, ""); /* no proxy from the environment: the guard sees the real peer */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L); /* AIStore's downloader: TLS SkipVerify */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (!strcmp(q->method, "HEAD") || q->head) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(q->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	}
	*hl = curl_slist_append(NULL, "Expect:");
	for (int i = 0; i < q->nhdrs; i++)
		*hl = curl_slist_append(*hl, q->hdrs[i]);
	if (q->body_fd >= 0 || q->src) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, bh_read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, x);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, bh_seek_cb);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
		if (q->body_size >= 0)
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_size);
	} else if (q->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method); /* (a GET with a body stays a GET) */
	} else if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD") && strcmp(q->method, "DELETE")) {
		*hl = curl_slist_append(*hl, "Content-Length: 0");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hl);
}

int bk_http_do(bk_http_req_t *q)
{
	pthread_once(&bh_once, bh_key_init);
	bool fresh = q->egress_guard;
	CURL *h = fresh ? NULL : pthread_getspecific(bh_key);
	if (!h) {
		if (!(h = curl_easy_init()))
			return q->rc = AIS_ENOMEM;
		if (!fresh)
			pthread_setspecific(bh_key, h);
	}
	bh_ctx_t x = {.q = q, .h = h};
	struct curl_slist *hl = NULL;
	q->errmsg[0] = '\0';
	q->status = 0;
	q->rc = 0;
	q->nbody = 0;
	sbuf_reset(&q->resp);
	sbuf_reset(&q->rhdrs);
	bh_setup(h, &x, &hl);
	CURLcode cc = curl_easy_perform(h);
	long st = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	q->status = (int)st;
	char *eff = NULL;
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
		snprintf(q->eff_url, sizeof(q->eff_url), "%s", eff);
	if (cc == CURLE_OK && q->status >= 200 && q->status < 300 && !x.hdrs_called && q->on_hdrs)
		q->sink_rc = q->on_hdrs(q->hdrs_arg, q->status); /* empty body */
	if (q->egress_blocked)
		q->rc = AIS_EFORBIDDEN;
	else if (cc == CURLE_WRITE_ERROR && q->sink_rc)
		q->rc = q->sink_rc;
	else if (cc == CURLE_OK)
		q->rc = q->sink_rc;
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		q->rc = AIS_ETIMEOUT;
	else
		q->rc = AIS_EUNAVAIL;
	if (cc != CURLE_OK && !q->errmsg[0])
		snprintf(q->errmsg, sizeof(q->errmsg), "%s", curl_easy_strerror(cc));
	curl_slist_free_all(hl);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	if (fresh)
		curl_easy_cleanup(h);
	return q->rc;
}
