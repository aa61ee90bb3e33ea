/* cli_http: libcurl client for the CLI (see cli_http.h). Owns the easy handle; a request's
 * buffers are owned by the cli_req_t (cli_req_fini). */
#include "net/hclient.h"
#include "api/authtok.h"
#include "cli/cli_http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct {
	cli_req_t *r;
	CURL *h;
	off_t fd_start;
	int64_t delivered; /* 2xx body bytes handed to the sink (a retry would repeat them) */
} http_xfer_t;

#define CLI_HTTP_RETRIES 8        /* retries of an idempotent request (after the first try) */
#define CLI_HTTP_RETRY_MAX_MS 5000 /* longest wait between two tries (a larger Retry-After is cut) */

int cli_http_init(cli_http_t *c, const char *base)
{
	memset(c, 0, sizeof(*c));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c->curl = curl_easy_init();
	snprintf(c->base, sizeof(c->base), "%s", base);
	size_t l = strlen(c->base);
	while (l > 0 && c->base[l - 1] == '/')
		c->base[--l] = '\0';
	return c->curl ? 0 : -1;
}

void cli_http_fini(cli_http_t *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

void cli_req_fini(cli_req_t *r)
{
	sbuf_fini(&r->resp);
	sbuf_fini(&r->rhdrs);
}

static size_t http_write_cb(char *p, size_t sz, size_t n, void *arg)
{
	http_xfer_t *x = arg;
	size_t len = sz * n;
	long code = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 300 && code < 400)
		return len; /* body of a redirect being followed */
	if (code >= 200 && code < 300 && x->r->sink) {
		x->delivered += (int64_t)len;
		return x->r->sink(p, len, x->r->sink_arg);
	}
	return sbuf_add(&x->r->resp, p, len) ? 0 : len;
}

static size_t http_hdr_cb(char *p, size_t sz, size_t n, void *arg)
{
	http_xfer_t *x = arg;
	size_t len = sz * n;
	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		sbuf_reset(&x->r->rhdrs); /* a new response (after a redirect) */
		return len;
	}
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len) {
		sbuf_add(&x->r->rhdrs, p, len);
		sbuf_add(&x->r->rhdrs, "\n", 1);
	}
	return sz * n;
}

static size_t http_read_cb(char *p, size_t sz, size_t n, void *arg)
{
	http_xfer_t *x = arg;
	ssize_t got = read(x->r->fd, p, sz * n);
	return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
}

static int http_seek_cb(void *arg, curl_off_t off, int origin)
{
	http_xfer_t *x = arg;
	if (origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	return lseek(x->r->fd, x->fd_start + (off_t)off, SEEK_SET) < 0 ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

static int http_prog_cb(void *arg, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	http_xfer_t *x = arg;
	if (x->r->fd >= 0)
		x->r->prog(x->r->prog_arg, (int64_t)uln, (int64_t)(ult ? ult : x->r->fd_size));
	else
		x->r->prog(x->r->prog_arg, (int64_t)dln, (int64_t)dlt);
	return 0;
}

/* Retry-After of the last answer in ms (seconds form only), or -1 */
static long http_retry_after_ms(const cli_req_t *r)
{
	char v[32];
	if (!cli_req_hdr(r, "Retry-After", v, sizeof(v)))
		return -1;
	char *end;
	long s = strtol(v, &end, 10);
	return end != v && !*end && s >= 0 ? s * 1000 : -1;
}

/* how long to wait before trying r again, or -1 not to: idempotent requests (GET, HEAD, and PUT
 * whose body can be sent again) that met a refused connection (a target that just died, before
 * the proxy marks it) or a 503 with Retry-After (the proxy while the owner is suspect) */
static long http_retry_wait(const cli_req_t *r, const http_xfer_t *x, CURLcode cc, int attempt)
{
	bool idem = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD") ||
		    (!strcmp(r->method, "PUT") && (r->fd < 0 || x->fd_start >= 0));
	if (!idem || x->delivered || attempt >= CLI_HTTP_RETRIES)
		return -1;
	long ms = -1;
	if (cc == CURLE_COULDNT_CONNECT)
		ms = 100L * (attempt + 1);
	else if (cc == CURLE_OK && r->status == 503)
		ms = http_retry_after_ms(r);
	return ms > CLI_HTTP_RETRY_MAX_MS ? CLI_HTTP_RETRY_MAX_MS : ms;
}

static int http_do_once(cli_http_t *c, cli_req_t *r, http_xfer_t *x, CURLcode *ccp);

/* uploads up to this are redirected by hand (below); the server drains unrequested bodies up to
 * 256 KiB and keeps the connection (net/http_int.h HTTP_DRAIN_MAX) */
#define CLI_HTTP_KEEP_MAX (256 * 1024)

/* Follow the proxy's redirects of a small upload by hand: libcurl closes a connection that gets
 * a redirect mid-upload (here: a 307 before "100 Continue"), but with KEEP_SENDING_ON_ERROR and
 * without FOLLOWLOCATION it sends the small body instead (the proxy drains it) and keeps the
 * connection for the next request. Each hop re-sends the file from where it started. */
static CURLcode http_perform(CURL *h, const http_xfer_t *x, bool by_hand)
{
	CURLcode cc = curl_easy_perform(h);
	for (int hop = 0; by_hand && cc == CURLE_OK && hop < 5; hop++) {
		long code = 0;
		char *loc = NULL;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if ((code != 301 && code != 302 && code != 307 && code != 308) ||
		    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
			break;
		if (lseek(x->r->fd, x->fd_start, SEEK_SET) < 0)
			break;
		curl_easy_setopt(h, CURLOPT_URL, loc); /* (copied by libcurl) */
		cc = curl_easy_perform(h);
	}
	return cc;
}

int cli_http_do(cli_http_t *c, cli_req_t *r)
{
	http_xfer_t x = {.r = r, .h = c->curl, .fd_start = -1};
	if (r->fd >= 0 && !r->head)
		x.fd_start = lseek(r->fd, 0, SEEK_CUR);
	for (int attempt = 0;; attempt++) {
		CURLcode cc;
		int rc = http_do_once(c, r, &x, &cc);
		long wait = rc ? http_retry_wait(r, &x, cc, attempt) : -1;
		if (wait < 0)
			return rc;
		if (x.fd_start >= 0 && lseek(r->fd, x.fd_start, SEEK_SET) < 0)
			return rc;
		sbuf_reset(&r->resp);
		sbuf_reset(&r->rhdrs);
		r->errmsg[0] = '\0';
		usleep((useconds_t)wait * 1000);
	}
}

static int http_do_once(cli_http_t *c, cli_req_t *r, http_xfer_t *xp, CURLcode *ccp)
{
	CURL *h = c->curl;
	http_xfer_t x = *xp;
	sbuf_t url = SBUF_INIT;
	struct curl_slist *hl = NULL;
	curl_easy_reset(h);
	hclient_tls_env(h); /* https endpoints: AIS_CLIENT_CA, AIS_SKIP_VERIFY_CRT, AIS_CRT(_KEY) */
	sbuf_addf(&url, "%s%s%s%s", r->base ? r->base : c->base, r->path, r->query && *r->query ? "?" : "",
		  r->query ? r->query : "");
	curl_easy_setopt(h, CURLOPT_URL, sbuf_str(&url));
	bool by_hand = r->fd >= 0 && !r->head && r->fd_size > 0 && r->fd_size <= CLI_HTTP_KEEP_MAX;
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, by_hand ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_KEEP_SENDING_ON_ERROR, by_hand ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (r->timeout_ms)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_hdr_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ais-cli (aistore-c)");
	/* uploads of any size wait for "100 Continue": a proxy answers 307 without the body */
	hl = curl_slist_append(hl, r->fd >= 0 && r->fd_size > 0 && !r->head ? "Expect: 100-continue" : "Expect:");
	for (int i = 0; r->hdrs && r->hdrs[i]; i++)
		hl = curl_slist_append(hl, r->hdrs[i]);
	/* AuthN token (AIS_AUTHN_TOKEN, ~/.config/ais/cli/auth.token): api/authtok.h */
	char bearer[AUTHTOK_MAX + 32];
	if (!authtok_header(bearer, sizeof(bearer)) && bearer[0])
		hl = curl_slist_append(hl, bearer);
	if (r->head) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (r->fd >= 0) {
		if (x.fd_start < 0)
			x.fd_start = 0;
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, http_read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, &x);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, http_seek_cb);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &x);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->fd_size);
		if (strcmp(r->method, "PUT"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	} else if (r->body) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET")) {
		if (!strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		}
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	if (r->prog) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, http_prog_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	}
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode cc = http_perform(h, &x, by_hand);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	r->status = cc == CURLE_OK ? (int)code : 0;
	if (cc != CURLE_OK)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s %.200s: %.200s", r->method, sbuf_str(&url),
			 ebuf[0] ? ebuf : curl_easy_strerror(cc));
	curl_slist_free_all(hl);
	sbuf_fini(&url);
	xp->delivered = x.delivered;
	*ccp = cc;
	return r->status >= 200 && r->status < 300 ? 0 : -1;
}

const char *cli_req_hdr(const cli_req_t *r, const char *name, char *out, size_t cap)
{
	const char *p = sbuf_str(&r->rhdrs);
	size_t nl = strlen(name);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(out, cap, "%.*s", (int)(l - (size_t)(v - p)), v);
			return out;
		}
		p = e ? e + 1 : p + l;
	}
	return NULL;
}

static json_t *http_err_json(const cli_req_t *r)
{
	if (!r->resp.len || r->resp.p[0] != '{')
		return NULL;
	json_error_t jerr;
	return json_loadb(r->resp.p, r->resp.len, 0, &jerr);
}

const char *cli_req_errmsg(const cli_req_t *r, char *out, size_t cap, bool *unreachable)
{
	if (unreachable)
		*unreachable = r->status == 0;
	if (r->status == 0) {
		snprintf(out, cap, "%s", r->errmsg);
		return out;
	}
	json_t *j = http_err_json(r);
	const char *m = j ? json_string_value(json_object_get(j, "message")) : NULL;
	if (m) {
		snprintf(out, cap, "%s", m);
	} else if (r->resp.len) {
		size_t l = r->resp.len;
		while (l && (r->resp.p[l - 1] == '\n' || r->resp.p[l - 1] == '\r'))
			l--;
		snprintf(out, cap, "%.*s", (int)l, r->resp.p);
	} else {
		snprintf(out, cap, "HTTP %d", r->status);
	}
	json_decref(j);
	return out;
}

const char *cli_req_tcode(const cli_req_t *r, char *out, size_t cap)
{
	json_t *j = http_err_json(r);
	const char *t = j ? json_string_value(json_object_get(j, "tcode")) : NULL;
	snprintf(out, cap, "%s", t ? t : "");
	json_decref(j);
	return out;
}
