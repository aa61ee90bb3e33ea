/* s3_bmeta: a bucket's S3 metadata in the BMD (ext.s3; see s3_bmeta.h): reads from the node's
 * current BMD; writes on the primary proxy as one BMD version each (clone, edit, metasync under
 * metasync_lock, like every bucket operation); on other proxies the S3 request is relayed to
 * the primary unchanged (its signature stays valid: same method, path, query, headers, body).
 * No state of its own. */
#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"

#include "net/hclient.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "net/isig.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"

#define S3_RELAY_HDR "Ais-S3-Relayed-By"

void s3_bm_get(const char *bucket, s3_bm_t *out)
{
	out->bmd = bmd_get();
	out->bck = out->bmd ? bmd_find(out->bmd, "ais", "", bucket) : NULL;
	json_t *s3 = out->bck ? json_object_get(out->bck->ext, "s3") : NULL;
	out->s3 = json_is_object(s3) ? s3 : NULL;
}

void s3_bm_put(s3_bm_t *m)
{
	bmd_put(m->bmd);
	memset(m, 0, sizeof(*m));
}

const char *s3_bm_owner(const json_t *s3)
{
	const char *id = json_string_value(json_object_get(json_object_get(s3, "owner"), "id"));
	return id ? id : "";
}

const char *s3_bm_owner_name(const json_t *s3)
{
	const char *n = json_string_value(json_object_get(json_object_get(s3, "owner"), "name"));
	return n ? n : "";
}

void s3_fail_set(s3_fail_t *f, int status, const char *code, const char *fmt, ...)
{
	f->status = status;
	f->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

/* the bucket's ext with "s3" replaced (new reference) */
static json_t *s3_bm_ext_with(const json_t *ext, json_t *s3)
{
	json_t *x = json_is_object(ext) ? json_deep_copy(ext) : json_object();
	if (x)
		json_object_set(x, "s3", s3);
	return x;
}

int s3_bm_update(const char *bucket, s3_bm_edit_fn fn, void *arg, s3_fail_t *f)
{
	AIS_ASSERT(node_is_primary());
	metasync_lock();
	int rc;
	json_t *s3 = NULL;
	bmd_t *cur = bmd_get();
	bmd_t *m = cur ? bmd_clone(cur) : NULL;
	bmd_put(cur);
	const bck_t *b = m ? bmd_find(m, "ais", "", bucket) : NULL;
	if (!m) {
		s3_fail_set(f, 500, "InternalError", "out of memory (or no BMD yet)");
		rc = AIS_ENOMEM;
		goto out;
	}
	if (!b) {
		s3_fail_set(f, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
		rc = AIS_ENOBUCKET;
		goto out;
	}
	json_t *old = json_object_get(b->ext, "s3");
	s3 = json_is_object(old) ? json_deep_copy(old) : json_object();
	if (!s3) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		rc = AIS_ENOMEM;
		goto out;
	}
	rc = fn(m, b, s3, arg, f);
	if (rc == S3_BM_NOCHANGE) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	b = bmd_find(m, "ais", "", bucket); /* fn may have patched props (same slot, but be exact) */
	json_t *ext = s3_bm_ext_with(b->ext, s3);
	if (!ext || bmd_set_ext(m, "ais", "", bucket, ext)) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		rc = AIS_ENOMEM;
		goto out;
	}
	int failed = metasync_commit_bmd(m);
	m = NULL;
	if (failed)
		log_warn("s3 bucket %s: %d node(s) did not ack the new BMD yet", bucket, failed);
out:
	metasync_unlock();
	json_decref(s3);
	bmd_free(m);
	return rc;
}

int s3_bm_create(const char *bucket, json_t *props, json_t *s3, json_t **existing, s3_fail_t *f)
{
	*existing = NULL;
	AIS_ASSERT(node_is_primary());
	metasync_lock();
	int rc;
	bmd_t *cur = bmd_get();
	bmd_t *m = cur ? bmd_clone(cur) : bmd_new();
	bmd_put(cur);
	if (!m) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		rc = AIS_ENOMEM;
		goto out;
	}
	const bck_t *ex = bmd_find(m, "ais", "", bucket);
	if (ex) {
		json_t *x = json_object_get(ex->ext, "s3");
		*existing = json_is_object(x) ? json_deep_copy(x) : NULL;
		rc = AIS_EEXIST;
		goto out;
	}
	rc = bmd_add(m, "ais", "", bucket, props);
	if (!rc) {
		json_t *ext = json_object();
		if (ext)
			json_object_set(ext, "s3", s3);
		rc = ext ? bmd_set_ext(m, "ais", "", bucket, ext) : AIS_ENOMEM;
	}
	if (rc) {
		s3_fail_set(f, 500, "InternalError", "failed to add the bucket: %s", err_str(rc));
		goto out;
	}
	int failed = metasync_commit_bmd(m);
	m = NULL;
	if (failed)
		log_warn("s3 create bucket %s: %d node(s) did not ack the new BMD yet", bucket, failed);
out:
	metasync_unlock();
	json_decref(s3);
	bmd_free(m);
	return rc;
}

/* ---- relay to the primary ---- */

bool s3_bm_relayed(const http_req_t *r) { return http_hdr_get(r, S3_RELAY_HDR) != NULL; }

typedef struct relay {
	http_req_t *r;
	int status;
	char ctype[128];
	sbuf_t body;
} relay_t;

static size_t relay_hdr_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	relay_t *x = arg;
	size_t len = size * nitems;
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);
		x->status = sp ? atoi(sp + 1) : 502;
		return len;
	}
	if (x->status >= 100 && x->status < 200)
		return len;
	const char *colon = memchr(buf, ':', len);
	if (!colon || (size_t)(colon - buf) >= 128)
		return len;
	char name[128];
	size_t nl = (size_t)(colon - buf);
	memcpy(name, buf, nl);
	name[nl] = '\0';
	const char *v = colon + 1;
	size_t vl = len - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	char *val = strndup(v, vl);
	if (!val)
		return 0;
	if (!strcasecmp(name, "Content-Type"))
		snprintf(x->ctype, sizeof(x->ctype), "%s", val);
	else if (!strncasecmp(name, "x-amz-", 6) || !strcasecmp(name, "Location") || !strcasecmp(name, "ETag"))
		http_hdr_add(x->r, name, val); /* (CORS headers: added here by s3_auth_check already) */
	free(val);
	return len;
}

static size_t relay_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	relay_t *x = arg;
	size_t len = size * nmemb;
	if (x->body.len + len > (8u << 20))
		return 0;
	sbuf_add(&x->body, data, len);
	return x->body.oom ? 0 : len;
}

static bool relay_skip(const char *n)
{
	static const char *const skip[] = {"Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade",
					   "Expect", "Content-Length", "Trailer", S3_RELAY_HDR, ISIG_HDR, NULL};
	for (int i = 0; skip[i]; i++)
		if (!strcasecmp(n, skip[i]))
			return true;
	return false;
}

void s3_bm_relay(http_req_t *r)
{
	relay_t x = {.r = r, .body = SBUF_INIT};
	struct curl_slist *hl = NULL;
	sbuf_t url = SBUF_INIT, line = SBUF_INIT;
	CURL *c = NULL;
	if (s3_bm_relayed(r)) {
		s3_err(r, 503, "ServiceUnavailable", "relayed bucket request reached a non-primary proxy");
		goto out;
	}
	smap_t *sm = smap_get();
	const snode_t *p = sm ? smap_primary(sm) : NULL;
	if (p)
		sbuf_addf(&url, "%s%s%s%s", p->pub.url, r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
	smap_put(sm);
	if (!p || url.oom || !(c = curl_easy_init())) {
		s3_err(r, 503, "ServiceUnavailable", "the primary proxy is not known (or out of memory)");
		goto out;
	}
	for (int i = 0; i < r->nhdrs; i++) {
		if (relay_skip(r->hdrs[i].name))
			continue;
		line.len = 0;
		sbuf_addf(&line, "%s: %s", r->hdrs[i].name, r->hdrs[i].value);
		struct curl_slist *nl = line.oom ? NULL : curl_slist_append(hl, sbuf_str(&line));
		if (nl)
			hl = nl;
	}
	line.len = 0;
	sbuf_addf(&line, "%s: %s", S3_RELAY_HDR, node_id());
	struct curl_slist *nl = curl_slist_append(hl, sbuf_str(&line));
	/* the relay mark is an intra-cluster claim: signed (net/isig.h) over the same target */
	char sig[ISIG_HDR_MAX];
	if (nl && !isig_line(r->method_str, isig_url_target(sbuf_str(&url)), sig, sizeof(sig))) {
		struct curl_slist *sl = curl_slist_append(nl, sig);
		nl = sl ? sl : nl;
	}
	hl = nl ? curl_slist_append(nl, "Expect:") : hl;
	hclient_tls_setup(c);
	curl_easy_setopt(c, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, relay_hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, relay_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	if (r->method == HTTP_M_HEAD) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method_str);
		if (r->body_len || r->method == HTTP_M_PUT || r->method == HTTP_M_POST) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? r->body : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		}
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		s3_err(r, 503, "ServiceUnavailable", "failed to reach the primary proxy: %s", curl_easy_strerror(cc));
		goto out;
	}
	http_respond(r, x.status ? x.status : 502, x.ctype[0] ? x.ctype : NULL, x.body.p, x.body.len);
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	sbuf_fini(&url);
	sbuf_fini(&line);
	sbuf_fini(&x.body);
}
