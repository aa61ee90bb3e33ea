/* xs_gfn: streamed GET from a peer target (see xs_gfn.h). The body goes to the callbacks as it
 * arrives when the status is 200; any other status collects (at most 4 KiB of) its AIStore JSON
 * error for the message. */
#include "xact/xs_gfn.h"

#include "net/hclient.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "net/rsig.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sbuf.h"
#include "core/util.h"

static pthread_key_t gfn_key;
static pthread_once_t gfn_once = PTHREAD_ONCE_INIT;

static void gfn_handle_free(void *p) { curl_easy_cleanup((CURL *)p); }
static void gfn_key_init(void) { pthread_key_create(&gfn_key, gfn_handle_free); }

typedef struct gfn {
	CURL *h;
	const xs_gfn_cb_t *cb;
	int status;
	bool begun;
	int rc;       /* a callback's error */
	sbuf_t ebody; /* a non-200 answer */
} gfn_t;

static int gfn_begin(gfn_t *g)
{
	long code = 0;
	curl_off_t cl = -1;
	curl_easy_getinfo(g->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(g->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	g->status = (int)code;
	g->begun = true;
	if (code != 200)
		return 0;
	return g->cb->begin ? g->cb->begin(g->cb->arg, cl >= 0 ? (int64_t)cl : -1) : 0;
}

static size_t gfn_write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	gfn_t *g = ud;
	size_t n = size * nmemb;
	if (!g->begun && (g->rc = gfn_begin(g)))
		return 0;
	if (g->status != 200) {
		if (g->ebody.len < 4096)
			sbuf_add(&g->ebody, p, n < 4096 ? n : 4096);
		return n;
	}
	if ((g->rc = g->cb->data(g->cb->arg, p, n)))
		return 0;
	return n;
}

static CURL *gfn_handle(void)
{
	pthread_once(&gfn_once, gfn_key_init);
	CURL *h = pthread_getspecific(gfn_key);
	if (!h && (h = curl_easy_init()))
		pthread_setspecific(gfn_key, h);
	return h;
}

static int gfn_url(sbuf_t *u, const snode_t *owner, const bck_t *b, const char *oname, const char *archpath)
{
	char *bn = url_encode(b->name, false), *on = url_encode(oname, true);
	char *ap = archpath && *archpath ? url_encode(archpath, false) : NULL;
	char *ns = b->ns[0] ? url_encode(b->ns, false) : NULL;
	sbuf_addf(u, "%s/v1/objects/%s/%s?provider=%s", owner->pub.url, bn ? bn : "", on ? on : "", b->provider);
	if (ns)
		sbuf_addf(u, "&namespace=%s", ns);
	if (ap)
		sbuf_addf(u, "&archpath=%s", ap);
	/* marked and signed as a redirect (net/rsig.h): the owner serves it wherever it landed */
	sbuf_t path = SBUF_INIT;
	sbuf_addf(&path, "/v1/objects/%s/%s", b->name, oname);
	sbuf_adds(u, "&");
	int rc = path.oom ? AIS_ENOMEM : rsig_sign(u, "GET", sbuf_str(&path), node_id(), owner->id, (int64_t)now_ns(), NULL);
	sbuf_fini(&path);
	free(bn);
	free(on);
	free(ap);
	free(ns);
	return rc ? rc : u->oom ? AIS_ENOMEM : 0;
}

int xs_gfn_get(const snode_t *owner, const bck_t *b, const char *oname, const char *archpath, int timeout_ms,
	       const xs_gfn_cb_t *cb, int *status, char *err, size_t cap)
{
	gfn_t g = {.cb = cb, .ebody = SBUF_INIT};
	sbuf_t url = SBUF_INIT;
	char cerr[CURL_ERROR_SIZE] = "";
	int rc = gfn_url(&url, owner, b, oname, archpath);
	if (status)
		*status = 0;
	if (rc || !(g.h = gfn_handle())) {
		sbuf_fini(&url);
		return AIS_ENOMEM;
	}
	curl_easy_reset(g.h);
	hclient_tls_setup(g.h);
	curl_easy_setopt(g.h, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(g.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(g.h, CURLOPT_TIMEOUT_MS, (long)(timeout_ms > 0 ? timeout_ms : 60000));
	curl_easy_setopt(g.h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(g.h, CURLOPT_WRITEFUNCTION, gfn_write_cb);
	curl_easy_setopt(g.h, CURLOPT_WRITEDATA, &g);
	curl_easy_setopt(g.h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(g.h, CURLOPT_ERRORBUFFER, cerr);
	CURLcode cc = curl_easy_perform(g.h);
	if (cc == CURLE_OK && !g.begun)
		g.rc = gfn_begin(&g); /* an empty body */
	if (status)
		*status = g.status;
	if (g.rc) {
		rc = g.rc;
		snprintf(err, cap, "%s", err_str(rc));
	} else if (cc != CURLE_OK) {
		rc = cc == CURLE_OPERATION_TIMEDOUT ? AIS_ETIMEOUT : AIS_EUNAVAIL;
		snprintf(err, cap, "GET from t[%s]: %s", owner->id, cerr[0] ? cerr : curl_easy_strerror(cc));
	} else if (g.status != 200) {
		json_error_t je;
		json_t *j = jsonx_loadb(g.ebody.p ? g.ebody.p : "", g.ebody.len, &je);
		snprintf(err, cap, "%s", j ? jsonx_str(j, "message", "") : "");
		if (!err[0])
			snprintf(err, cap, "GET from t[%s]: status %d", owner->id, g.status);
		json_decref(j);
		rc = g.status == 404 ? AIS_ENOTFOUND : g.status == 400 ? AIS_EINVAL : AIS_EUNAVAIL;
	}
	sbuf_fini(&url);
	sbuf_fini(&g.ebody);
	return rc;
}
