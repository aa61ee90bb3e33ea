/* s3_fwd: object requests at the proxy. Picks the owning target by HRW (as pobj.c) and either
 * forwards the request (default; a streaming reverse proxy: the same method, path, query and
 * headers - Host and Authorization included, so the target verifies SigV4 exactly as the
 * client signed it - with the body pulled by libcurl from http_body_read and the response
 * pushed back with http_resp_begin/write/end; nothing is buffered whole), or, with the cluster
 * config "s3": {"redirect": true}, answers 307 to the target's URL (AIStore's default; the
 * proxy then verifies SigV4 itself first). Runs on a pool thread with a thread-local curl
 * handle (connections to targets are reused). */
#include "s3/s3_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/bmd.h"
#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"

#define FWD_MAX_HDRS 96

typedef struct fwd {
	http_req_t *r;
	bool began;        /* http_resp_begin called */
	bool gone;         /* client went away */
	bool body_err;     /* reading the client's body failed */
	int status;
	int64_t clen;
	char ctype[256];
	bool head;
} fwd_t;

/* per pool thread, freed when the thread exits (key destructor) */
static pthread_key_t fwd_key;
static pthread_once_t fwd_once = PTHREAD_ONCE_INIT;

static void fwd_curl_free(void *h) { curl_easy_cleanup(h); }
static void fwd_key_init(void) { pthread_key_create(&fwd_key, fwd_curl_free); }

static CURL *fwd_curl(void)
{
	pthread_once(&fwd_once, fwd_key_init);
	CURL *c = pthread_getspecific(fwd_key);
	if (!c && (c = curl_easy_init()) && pthread_setspecific(fwd_key, c)) {
		curl_easy_cleanup(c);
		c = NULL;
	}
	return c;
}

/* request headers we do not pass on */
static bool hop_by_hop(const char *n)
{
	static const char *const skip[] = {"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
					   "TE", "Upgrade", "Expect", "Content-Length", "Trailer", NULL};
	for (int i = 0; skip[i]; i++)
		if (!strcasecmp(n, skip[i]))
			return true;
	return false;
}

static size_t fwd_read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	fwd_t *f = arg;
	ssize_t n = http_body_read(f->r, buf, size * nitems);
	if (n < 0) {
		f->body_err = true;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static size_t fwd_hdr_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	fwd_t *f = arg;
	size_t len = size * nitems;
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);
		f->status = sp ? atoi(sp + 1) : 502;
		f->clen = -1;
		f->ctype[0] = '\0';
		return len;
	}
	if (f->status >= 100 && f->status < 200)
		return len; /* interim response */
	if (len <= 2) {
		/* end of headers: start the response */
		if (f->began)
			return len;
		f->began = true;
		int64_t cl = f->clen;
		if (f->head || f->status == 304 || f->status == 204)
			cl = f->head ? f->clen : 0;
		if (http_resp_begin(f->r, f->status, f->ctype[0] ? f->ctype : NULL, cl))
			f->gone = true;
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	char name[128];
	size_t nl = (size_t)(colon - buf);
	if (nl >= sizeof(name))
		return len;
	memcpy(name, buf, nl);
	name[nl] = '\0';
	const char *v = colon + 1;
	size_t vl = len - nl - 1;
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	char *val = strndup(v, vl);
	if (!val)
		return 0;
	if (!strcasecmp(name, "Content-Length"))
		f->clen = strtoll(val, NULL, 10);
	else if (!strcasecmp(name, "Content-Type"))
		snprintf(f->ctype, sizeof(f->ctype), "%s", val);
	else if (strcasecmp(name, "Connection") && strcasecmp(name, "Transfer-Encoding") &&
		 strcasecmp(name, "Date") && strcasecmp(name, "Keep-Alive"))
		http_hdr_add(f->r, name, val);
	free(val);
	return len;
}

static size_t fwd_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	fwd_t *f = arg;
	size_t len = size * nmemb;
	if (f->gone)
		return 0;
	if (!f->began) {
		f->began = true;
		if (http_resp_begin(f->r, f->status, f->ctype[0] ? f->ctype : NULL, f->clen)) {
			f->gone = true;
			return 0;
		}
	}
	if (http_resp_write(f->r, data, len)) {
		f->gone = true;
		return 0;
	}
	return len;
}

typedef struct fwd_job {
	s3_req_t *q;
	char url[8192 + 512];
} fwd_job_t;

static void fwd_run_cb(http_req_t *r)
{
	fwd_job_t *j = r->user;
	r->user = NULL;
	fwd_t f = {.r = r, .clen = -1, .head = r->method == HTTP_M_HEAD};
	struct curl_slist *hl = NULL;
	char *line = NULL;
	CURL *c = fwd_curl();
	if (!c) {
		s3_err(r, 500, "InternalError", "curl init failed");
		goto out;
	}
	curl_easy_reset(c);
	for (int i = 0; i < r->nhdrs; i++) {
		const http_kv_t *h = &r->hdrs[i];
		if (hop_by_hop(h->name))
			continue;
		size_t n = strlen(h->name) + strlen(h->value) + 4;
		line = malloc(n);
		if (!line)
			continue;
		snprintf(line, n, "%s: %s", h->name, h->value);
		struct curl_slist *nl = curl_slist_append(hl, line);
		free(line);
		line = NULL;
		if (nl)
			hl = nl;
	}
	hl = curl_slist_append(hl, "Expect:");
	hl = curl_slist_append(hl, "Accept:");
	char via[160];
	snprintf(via, sizeof(via), "Ais-S3-Forwarded-By: %s", node_id());
	hl = curl_slist_append(hl, via);
	bool has_body = r->content_length > 0 || r->chunked;
	if (has_body && r->chunked)
		hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
	curl_easy_setopt(c, CURLOPT_URL, j->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fwd_hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwd_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (r->method == HTTP_M_HEAD) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (has_body) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, fwd_read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &f);
		curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
		if (!r->chunked)
			curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->content_length);
		if (r->method != HTTP_M_PUT)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method_str);
	} else if (r->method == HTTP_M_PUT) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, fwd_read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &f);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
	} else if (r->method != HTTP_M_GET) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method_str);
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK && !f.began) {
		if (f.body_err) {
			/* the client's body broke off: nobody to answer, but the request must complete */
			s3_err(r, 400, "IncompleteBody", "request body incomplete");
		} else {
			log_warn("s3 forward %s %s: %s", r->method_str, j->url, curl_easy_strerror(cc));
			s3_err(r, 503, "ServiceUnavailable", "failed to reach the target: %s", curl_easy_strerror(cc));
		}
		goto out;
	}
	if (!f.began) {
		f.began = true;
		http_resp_begin(r, f.status ? f.status : 502, f.ctype[0] ? f.ctype : NULL, f.head ? f.clen : 0);
	}
	http_resp_end(r);
out:
	curl_slist_free_all(hl);
	free(j->q);
	free(j);
}

void s3_fwd_object(http_req_t *r, s3_req_t *q, const s3_conf_t *c)
{
	bmd_t *bmd = bmd_get();
	bool exists = bmd && bmd_find(bmd, "ais", "", q->bucket) != NULL;
	bmd_put(bmd);
	if (!exists) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
		free(q);
		return;
	}
	smap_t *smap = smap_get();
	const snode_t *t = smap_owner_of(smap, "ais", "", q->bucket, q->object);
	if (!t) {
		smap_put(smap);
		free(q);
		s3_err(r, 503, "ServiceUnavailable", "no targets in the cluster map");
		return;
	}
	if (c->redirect) {
		if (s3_auth_check(r, c, NULL)) {
			smap_put(smap);
			free(q);
			return;
		}
		sbuf_t loc = SBUF_INIT;
		sbuf_addf(&loc, "%s%s%s%s", t->pub.url, r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
		smap_put(smap);
		free(q);
		s3_add_common_hdrs(r);
		http_redirect(r, 307, sbuf_str(&loc));
		sbuf_fini(&loc);
		return;
	}
	fwd_job_t *j = malloc(sizeof(*j));
	if (!j) {
		smap_put(smap);
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	j->q = q;
	snprintf(j->url, sizeof(j->url), "%s%s%s%s", t->pub.url, r->raw_path, r->raw_query[0] ? "?" : "",
		 r->raw_query);
	smap_put(smap);
	r->user = j;
	http_defer_stream(r, fwd_run_cb);
}
