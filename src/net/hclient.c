/* hclient: libcurl-based blocking client. Owns one curl easy handle per calling thread
 * (thread-local, reused for keep-alive; freed at thread exit via a pthread key). Every request
 * carries the node's intra-cluster signature (net/isig.h) when a cluster key is loaded. */
#include "net/hclient.h"
#include "net/tls.h"
#include "core/err.h"
#include "net/isig.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_key_t hc_key;
static pthread_once_t hc_once = PTHREAD_ONCE_INIT;

static void hc_handle_free(void *p) { curl_easy_cleanup((CURL *)p); }
static void hc_key_init(void) { pthread_key_create(&hc_key, hc_handle_free); }

void hclient_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_once(&hc_once, hc_key_init);
}

void hclient_global_fini(void) { curl_global_cleanup(); }

void hreq_fini(hreq_t *r)
{
	sbuf_fini(&r->resp);
	sbuf_fini(&r->resp_hdrs);
}

bool hreq_resp_hdr(const hreq_t *r, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *p = sbuf_str(&r->resp_hdrs); *p;) {
		size_t n = strcspn(p, "\r\n");
		if (n > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
			const char *v = p + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t vl = (size_t)(p + n - v);
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (vl >= cap)
				return false;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	return false;
}

static size_t hc_header_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	hreq_t *r = ud;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(ptr, "HTTP/", 5))
		sbuf_reset(&r->resp_hdrs); /* a new (final or interim) response: keep only the last */
	else if (r->resp_hdrs.len + n > (64u << 10) || sbuf_add(&r->resp_hdrs, ptr, n))
		return 0;
	return n;
}

static size_t hc_read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	hreq_t *r = ud;
	long n = r->read_cb(r->read_arg, buf, size * nitems);
	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static size_t hc_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	hreq_t *r = ud;
	size_t n = size * nmemb;
	if (r->resp.len + n > (256u << 20)) /* control plane: refuse absurd bodies */
		return 0;
	return sbuf_add(&r->resp, ptr, n) ? 0 : n;
}

/* configure h for r; *hdrs receives the header list the caller frees after the transfer */
void hclient_tls_setup(CURL *h)
{
	if (!tls_on()) {
		hclient_tls_env(h); /* a client tool (the CLI's fan-outs): AIStore's client environment */
		return;
	}
	char ca[1024], crt[1024], key[1024];
	bool skip = false;
	tls_client_paths(ca, sizeof(ca), crt, sizeof(crt), key, sizeof(key), &skip);
	if (ca[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, ca); /* (libcurl copies strings) */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, skip ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, skip ? 0L : 2L);
	if (crt[0] && key[0]) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, crt);
		curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	}
}

void hclient_tls_env(CURL *h)
{
	const char *ca = getenv("AIS_CLIENT_CA"), *skip = getenv("AIS_SKIP_VERIFY_CRT");
	const char *crt = getenv("AIS_CRT"), *key = getenv("AIS_CRT_KEY");
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	if (skip && (!strcasecmp(skip, "true") || !strcmp(skip, "1") || !strcasecmp(skip, "yes"))) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (crt && *crt && key && *key) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, crt);
		curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	}
}

static void hc_setup(CURL *h, hreq_t *r, struct curl_slist **hdrs)
{
	curl_easy_reset(h);
	hclient_tls_setup(h);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(r->timeout_ms > 0 ? r->timeout_ms : 10000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hc_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errmsg);
	if (!strcmp(r->method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	*hdrs = curl_slist_append(NULL, "Expect:");
	/* every intra-cluster request is signed with the cluster key (net/isig.h) */
	char sig[ISIG_HDR_MAX];
	if (!isig_line(r->method, isig_url_target(r->url), sig, sizeof(sig)))
		*hdrs = curl_slist_append(*hdrs, sig);
	if (r->want_hdrs) {
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, hc_header_cb);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	}
	if (r->read_cb) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, hc_read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, r);
		if (r->read_len >= 0)
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->read_len);
		else
			*hdrs = curl_slist_append(*hdrs, "Transfer-Encoding: chunked");
	} else if (r->body) {
		char ct[256];
		/* ctype "": no Content-Type at all (curl would add one of its own) */
		snprintf(ct, sizeof(ct), "Content-Type:%s%s", r->ctype && !*r->ctype ? "" : " ",
			 r->ctype ? r->ctype : "application/json");
		*hdrs = curl_slist_append(*hdrs, ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	for (const char *p = r->hdrs; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *line = n ? strndup(p, n) : NULL;
		if (line) {
			*hdrs = curl_slist_append(*hdrs, line);
			free(line);
		}
		p += n + (p[n] == '\n');
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	r->errmsg[0] = '\0';
	r->status = 0;
	r->rc = 0;
}

static void hc_finish(CURL *h, hreq_t *r, CURLcode cc)
{
	long st = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	r->status = (int)st;
	if (cc == CURLE_OK)
		r->rc = 0;
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		r->rc = AIS_ETIMEOUT;
	else if (cc == CURLE_ABORTED_BY_CALLBACK)
		r->rc = AIS_EINVAL;
	else
		r->rc = AIS_EUNAVAIL;
	if (cc != CURLE_OK && !r->errmsg[0])
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", curl_easy_strerror(cc));
}

int hclient_do(hreq_t *r)
{
	pthread_once(&hc_once, hc_key_init);
	CURL *h = pthread_getspecific(hc_key);
	if (!h) {
		h = curl_easy_init();
		if (!h)
			return r->rc = AIS_ENOMEM;
		pthread_setspecific(hc_key, h);
	}
	struct curl_slist *hdrs = NULL;
	hc_setup(h, r, &hdrs);
	CURLcode cc = curl_easy_perform(h);
	hc_finish(h, r, cc);
	curl_slist_free_all(hdrs);
	return r->rc;
}

void hclient_fanout(hreq_t *reqs, int n)
{
	if (n == 1) {
		hclient_do(&reqs[0]);
		return;
	}
	CURLM *m = curl_multi_init();
	CURL *hs[n];
	struct curl_slist *hdrs[n];
	for (int i = 0; i < n; i++) {
		hs[i] = curl_easy_init();
		hdrs[i] = NULL;
		if (!hs[i]) {
			reqs[i].rc = AIS_ENOMEM;
			continue;
		}
		hc_setup(hs[i], &reqs[i], &hdrs[i]);
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, &reqs[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	}
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		hreq_t *r = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r)
			hc_finish(msg->easy_handle, r, msg->data.result);
	}
	for (int i = 0; i < n; i++) {
		if (!hs[i])
			continue;
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		curl_slist_free_all(hdrs[i]);
	}
	curl_multi_cleanup(m);
}
