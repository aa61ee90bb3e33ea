/* ld_api: control-plane requests of aisloader (see ld_api.h). One libcurl easy handle per call
 * (these are a handful of requests per run), a curl multi for S3 cleanup deletes; list pages
 * are parsed with jansson (native) or expat (S3 ListObjectsV2). */
#include "net/hclient.h"
#include "loader/ld_api.h"
#include "core/jsonx.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"

#include <curl/curl.h>
#include <expat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LD_API_TIMEOUT_MS 120000L
#define LD_API_PAR 16 /* parallel S3 DELETEs during cleanup */

void ld_api_init(ld_api_t *a, const ld_params_t *p)
{
	a->p = p;
	a->s3 = p->s3endpoint[0] != '\0';
	a->base = a->s3 ? p->s3endpoint : p->proxy_url;
}

static size_t ld_api_write_cb(char *d, size_t sz, size_t n, void *ud)
{
	sbuf_t *b = ud;
	return sbuf_add(b, d, sz * n) ? 0 : sz * n;
}

static size_t ld_api_discard_cb(char *d, size_t sz, size_t n, void *ud)
{
	return sz * n;
}

/* configure h for method + url (+ JSON body); S3 signing when keys are set */
static void ld_api_setup(ld_api_t *a, CURL *h, const char *method, const char *url, const char *body,
			 struct curl_slist **hdrs, char *sigv4, size_t sigcap, char *userpwd, size_t upcap)
{
	hclient_tls_env(h); /* https: AIS_CLIENT_CA, AIS_SKIP_VERIFY_CRT, AIS_CRT(_KEY) */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, LD_API_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "aisloader");
	if (getenv("LD_CURL_VERBOSE"))
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		*hdrs = curl_slist_append(*hdrs, "Content-Type: application/json");
	} else if (!strcmp(method, "PUT")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	/* no "Expect:" override: bodies here are small (libcurl adds Expect only above 1 MiB), and
	 * libcurl 7.88's SigV4 would sign the suppressed header */
	if (!a->s3 && a->p->bearer[0])
		*hdrs = curl_slist_append(*hdrs, a->p->bearer);
	if (a->s3 && a->p->s3accesskey[0]) /* libcurl 7.88 does not add it; S3 servers require it */
		*hdrs = curl_slist_append(*hdrs, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	if (a->s3 && a->p->s3accesskey[0]) {
		snprintf(sigv4, sigcap, "aws:amz:%s:s3", a->p->s3region);
		snprintf(userpwd, upcap, "%s:%s", a->p->s3accesskey, a->p->s3secretkey);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	}
}

/* one blocking request; returns the HTTP status (>0) or AIS_E* */
static int ld_api_do(ld_api_t *a, const char *method, const char *url, const char *body, sbuf_t *resp, char *err,
		     size_t cap)
{
	CURL *h = curl_easy_init();
	if (!h)
		return AIS_ENOMEM;
	struct curl_slist *hdrs = NULL;
	char sig[64], up[300];
	ld_api_setup(a, h, method, url, body, &hdrs, sig, sizeof(sig), up, sizeof(up));
	if (resp) {
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ld_api_write_cb);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	} else {
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ld_api_discard_cb);
	}
	CURLcode cc = curl_easy_perform(h);
	long st = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "%s %s: %s", method, url, curl_easy_strerror(cc));
		return AIS_EUNAVAIL;
	}
	return (int)st;
}

static void ld_api_errbody(char *err, size_t cap, const char *what, int st, const sbuf_t *b)
{
	snprintf(err, cap, "%s: HTTP %d %.300s", what, st, b ? sbuf_str(b) : "");
}

smap_t *ld_api_smap(ld_api_t *a, char *err, size_t cap)
{
	char url[1024];
	snprintf(url, sizeof(url), "%s/v1/cluster?what=smap", a->base);
	sbuf_t b = SBUF_INIT;
	smap_t *m = NULL;
	int st = ld_api_do(a, "GET", url, NULL, &b, err, cap);
	if (st != 200) {
		if (st > 0)
			ld_api_errbody(err, cap, "get cluster map", st, &b);
		goto out;
	}
	json_error_t je;
	json_t *j = jsonx_loadb(sbuf_str(&b), b.len, &je);
	if (!j) {
		snprintf(err, cap, "cluster map: bad JSON: %s", je.text);
		goto out;
	}
	m = smap_from_json(j, err, cap);
	json_decref(j);
out:
	sbuf_fini(&b);
	return m;
}

static void ld_api_bck_url(ld_api_t *a, char *url, size_t cap)
{
	char *enc = url_encode(a->p->bucket, false);
	if (a->s3)
		snprintf(url, cap, "%s/%s", a->base, enc ? enc : "");
	else
		snprintf(url, cap, "%s/v1/buckets/%s", a->base, enc ? enc : "");
	free(enc);
}

int ld_api_bck_exists(ld_api_t *a, char *err, size_t cap)
{
	char url[1024];
	ld_api_bck_url(a, url, sizeof(url));
	int st = ld_api_do(a, "HEAD", url, NULL, NULL, err, cap);
	if (st < 0)
		return st;
	if (st >= 200 && st < 400)
		return 1; /* 3xx: e.g. a plain web server's directory redirect */
	if (st == 404)
		return 0;
	snprintf(err, cap, "HEAD bucket %s: HTTP %d", a->p->bucket, st);
	return AIS_EUNAVAIL;
}

/* one bucket-level request (create, destroy): 200 or ok_alt is success, else the error body */
static int ld_api_bck_req(ld_api_t *a, const char *method, const char *body, int ok_alt, const char *what, char *err,
			  size_t cap)
{
	char url[1024];
	ld_api_bck_url(a, url, sizeof(url));
	sbuf_t b = SBUF_INIT;
	int st = ld_api_do(a, method, url, body, &b, err, cap);
	int rc = 0;
	if (st < 0)
		rc = st;
	else if (st != 200 && st != ok_alt) {
		ld_api_errbody(err, cap, what, st, &b);
		rc = AIS_EUNAVAIL;
	}
	sbuf_fini(&b);
	return rc;
}

int ld_api_bck_create(ld_api_t *a, char *err, size_t cap)
{
	if (a->s3)
		return ld_api_bck_req(a, "PUT", NULL, 200, "create bucket", err, cap);
	return ld_api_bck_req(a, "POST", "{\"action\":\"create-bck\"}", 200, "create bucket", err, cap);
}

/* S3: DELETE every name, LD_API_PAR at a time; 404 counts as deleted */
static int ld_api_s3_delete_objs(ld_api_t *a, ld_names_t *names, char *err, size_t cap)
{
	size_t n = ld_names_len(names), next = 0, failed = 0;
	CURLM *m = curl_multi_init();
	if (!m)
		return AIS_ENOMEM;
	struct slot {
		CURL *h;
		struct curl_slist *hdrs;
		char url[2048], sig[64], up[300];
	} *slots = calloc(LD_API_PAR, sizeof(*slots));
	if (!slots) {
		curl_multi_cleanup(m);
		return AIS_ENOMEM;
	}
	int running = 0;
	for (;;) {
		for (int i = 0; i < LD_API_PAR && next < n; i++) {
			struct slot *s = &slots[i];
			if (s->h)
				continue;
			char *enc = url_encode(ld_names_at(names, next++), true);
			char bu[1024];
			ld_api_bck_url(a, bu, sizeof(bu));
			snprintf(s->url, sizeof(s->url), "%s/%s", bu, enc ? enc : "");
			free(enc);
			s->h = curl_easy_init();
			if (!s->h) {
				failed++;
				continue;
			}
			ld_api_setup(a, s->h, "DELETE", s->url, NULL, &s->hdrs, s->sig, sizeof(s->sig), s->up, sizeof(s->up));
			curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, ld_api_discard_cb);
			curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
			curl_multi_add_handle(m, s->h);
			running++;
		}
		if (running == 0)
			break;
		int still = 0;
		curl_multi_perform(m, &still);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct slot *s = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			long st = 0;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &st);
			if (msg->data.result != CURLE_OK || (st != 204 && st != 200 && st != 404))
				failed++;
			curl_multi_remove_handle(m, s->h);
			curl_easy_cleanup(s->h);
			curl_slist_free_all(s->hdrs);
			s->h = NULL;
			s->hdrs = NULL;
			running--;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	free(slots);
	curl_multi_cleanup(m);
	if (failed) {
		snprintf(err, cap, "S3 cleanup: %zu of %zu object deletes failed", failed, n);
		return AIS_EIO;
	}
	return 0;
}

int ld_api_bck_destroy(ld_api_t *a, ld_names_t *names, char *err, size_t cap)
{
	if (a->s3) {
		int rc = ld_api_s3_delete_objs(a, names, err, cap);
		if (rc)
			return rc;
	}
	return ld_api_bck_req(a, "DELETE", a->s3 ? NULL : "{\"action\":\"destroy-bck\"}", 204, "destroy bucket", err,
			      cap);
}

/* ---- native list ---- */

static int ld_api_list_ais(ld_api_t *a, const char *prefix, ld_names_t *names, char *err, size_t cap)
{
	char url[1024];
	ld_api_bck_url(a, url, sizeof(url));
	char *token = strdup("");
	int rc = 0;
	while (token) {
		json_t *msg = json_pack("{s:s, s:{s:s, s:s, s:s, s:i}}", "action", "list", "value", "props", "name", "prefix",
					prefix, "continuation_token", token, "pagesize", 10000);
		char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
		json_decref(msg);
		free(token);
		token = NULL;
		if (!body)
			return AIS_ENOMEM;
		sbuf_t b = SBUF_INIT;
		int st = ld_api_do(a, "GET", url, body, &b, err, cap);
		free(body);
		if (st != 200) {
			if (st > 0)
				ld_api_errbody(err, cap, "list objects", st, &b);
			sbuf_fini(&b);
			return st < 0 ? st : AIS_EUNAVAIL;
		}
		json_error_t je;
		json_t *j = json_loads(sbuf_str(&b), 0, &je);
		sbuf_fini(&b);
		if (!j) {
			snprintf(err, cap, "list objects: bad JSON: %s", je.text);
			return AIS_EINVAL;
		}
		json_t *ents = json_object_get(j, "entries"), *e;
		size_t i;
		json_array_foreach(ents, i, e)
		{
			const char *nm = json_string_value(json_object_get(e, "name"));
			if (nm && (rc = ld_names_add(names, nm)))
				break;
		}
		const char *t = json_string_value(json_object_get(j, "continuation_token"));
		if (!rc && t && *t && json_array_size(ents) > 0)
			token = strdup(t);
		json_decref(j);
		if (rc)
			return rc;
	}
	return rc;
}

/* ---- S3 ListObjectsV2 ---- */

typedef struct ld_s3ls {
	ld_names_t *names;
	int depth;
	bool in_key, in_token, in_contents;
	sbuf_t text;
	char *token;
	int rc;
} ld_s3ls_t;

static void XMLCALL ld_s3ls_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
	ld_s3ls_t *s = ud;
	s->depth++;
	if (s->depth == 2 && !strcmp(el, "Contents"))
		s->in_contents = true;
	s->in_key = s->in_contents && s->depth == 3 && !strcmp(el, "Key");
	s->in_token = s->depth == 2 && !strcmp(el, "NextContinuationToken");
	sbuf_reset(&s->text);
}

static void XMLCALL ld_s3ls_text(void *ud, const XML_Char *t, int len)
{
	ld_s3ls_t *s = ud;
	if (s->in_key || s->in_token)
		sbuf_add(&s->text, t, (size_t)len);
}

static void XMLCALL ld_s3ls_end(void *ud, const XML_Char *el)
{
	ld_s3ls_t *s = ud;
	if (s->in_key && !s->rc)
		s->rc = ld_names_add(s->names, sbuf_str(&s->text));
	if (s->in_token) {
		free(s->token);
		s->token = strdup(sbuf_str(&s->text));
	}
	if (s->depth == 2 && !strcmp(el, "Contents"))
		s->in_contents = false;
	s->in_key = s->in_token = false;
	s->depth--;
}

static int ld_api_list_s3(ld_api_t *a, const char *prefix, ld_names_t *names, char *err, size_t cap)
{
	char bu[1024];
	ld_api_bck_url(a, bu, sizeof(bu));
	char *token = NULL;
	char *pfx = url_encode(prefix, false);
	int rc = 0;
	do {
		char *tok = token ? url_encode(token, false) : NULL;
		char url[4096];
		/* parameters in canonical (sorted) order: libcurl 7.88's SigV4 signs the query as given */
		snprintf(url, sizeof(url), "%s?%s%s%slist-type=2&max-keys=1000&prefix=%s", bu, tok ? "continuation-token=" : "",
			 tok ? tok : "", tok ? "&" : "", pfx ? pfx : "");
		free(tok);
		free(token);
		token = NULL;
		sbuf_t b = SBUF_INIT;
		int st = ld_api_do(a, "GET", url, NULL, &b, err, cap);
		if (st != 200) {
			if (st > 0)
				ld_api_errbody(err, cap, "S3 list objects", st, &b);
			sbuf_fini(&b);
			rc = st < 0 ? st : AIS_EUNAVAIL;
			break;
		}
		ld_s3ls_t s = {.names = names, .text = SBUF_INIT};
		XML_Parser xp = XML_ParserCreate(NULL);
		XML_SetUserData(xp, &s);
		XML_SetElementHandler(xp, ld_s3ls_start, ld_s3ls_end);
		XML_SetCharacterDataHandler(xp, ld_s3ls_text);
		if (XML_Parse(xp, b.p ? b.p : "", (int)b.len, 1) != XML_STATUS_OK) {
			snprintf(err, cap, "S3 list objects: bad XML: %s", XML_ErrorString(XML_GetErrorCode(xp)));
			rc = AIS_EINVAL;
		}
		XML_ParserFree(xp);
		sbuf_fini(&s.text);
		sbuf_fini(&b);
		if (!rc)
			rc = s.rc;
		token = s.token;
		if (token && !*token) {
			free(token);
			token = NULL;
		}
	} while (!rc && token);
	free(token);
	free(pfx);
	return rc;
}

int ld_api_list(ld_api_t *a, const char *prefix, ld_names_t *names, char *err, size_t cap)
{
	return a->s3 ? ld_api_list_s3(a, prefix, names, err, cap) : ld_api_list_ais(a, prefix, names, err, cap);
}
