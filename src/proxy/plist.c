/* plist: list-objects at the proxy (AIStore's A-flow, ais/plstcx.go). Parses the LsoMsg (keys
 * ignoring case), generates the listing uuid on the first page (the client sends it back with
 * the continuation token; the SDK's iterators stop on it), asks every active target for its
 * next page (same message) in parallel, and merges with lso_res_merge: sorted, virtual
 * directories deduplicated under LsNoRecursion, at most `pagesize` entries, the token being the
 * last name of a full page ("" = last page). Answers msgpack to `Accept: application/msgpack`
 * (cos.AcceptsMsgPack), JSON otherwise. Runs on the pool. */
#include "proxy/proxy.h"
#include "api/lso.h"
#include "backend/bk.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "cluster/suspect.h"
#include "proxy/plcache.h"
#include "core/err.h"
#include "core/log.h"
#include "core/memtrim.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "stats/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLIST_UUID_LEN 9 /* as AIStore's short IDs (cos.GenUUID) */

/* parse the LsoMsg, fill defaults; 0 or AIS_EINVAL with pe filled */
static int plist_msg(json_t *lsmsg, lso_msg_t *m, plist_err_t *pe)
{
	char err[256] = "";
	if (lsmsg && !json_is_null(lsmsg) && !json_is_object(lsmsg)) {
		pe->status = 400;
		snprintf(pe->msg, sizeof(pe->msg), "invalid list-objects message: expecting a JSON object");
		return AIS_EINVAL;
	}
	if (lso_msg_from_json(lsmsg, m, err, sizeof(err))) {
		pe->status = 400;
		snprintf(pe->msg, sizeof(pe->msg), "%s", err);
		return AIS_EINVAL;
	}
	if (!m->uuid || !*m->uuid) {
		free(m->uuid);
		m->uuid = malloc(PLIST_UUID_LEN + 1);
		if (!m->uuid)
			return AIS_ENOMEM;
		gen_uuid(m->uuid, PLIST_UUID_LEN);
	}
	lso_msg_normalize(m);
	if (m->pagesize <= 0 || m->pagesize > LSO_MAX_PAGE_AIS)
		m->pagesize = LSO_MAX_PAGE_AIS;
	return 0;
}

/* what identifies a listing besides its uuid: the bucket and every LsoMsg field but uuid and
 * token (malloc'd; NULL on ENOMEM) */
static char *plist_key(const pbck_t *b, lso_msg_t *m)
{
	char *uuid = m->uuid, *tok = m->continuation_token;
	m->uuid = NULL;
	m->continuation_token = NULL;
	json_t *j = lso_msg_to_json(m);
	m->uuid = uuid;
	m->continuation_token = tok;
	char *js = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	sbuf_t k = SBUF_INIT;
	sbuf_addf(&k, "%s|%s|%s|%s", b->provider, b->ns, b->name, js ? js : "");
	free(js);
	if (!js || k.oom) {
		sbuf_fini(&k);
		return NULL;
	}
	return sbuf_take(&k);
}

/* the request body for target t of listing c: after its own last name, as many as the page
 * can still use. NULL when it has nothing more to give (or has a page's worth kept already). */
static char *plist_body(lso_msg_t *m, const plcache_tgt_t *t, bool *oom)
{
	int64_t want = m->pagesize - (int64_t)t->left.n;
	if (t->end || want <= 0)
		return NULL;
	char *tok = m->continuation_token;
	int64_t ps = m->pagesize;
	if (t->last)
		m->continuation_token = t->last;
	m->pagesize = want;
	json_t *val = lso_msg_to_json(m);
	m->continuation_token = tok;
	m->pagesize = ps;
	json_t *act = val ? json_pack("{s:s, s:o}", "action", "list", "value", val) : NULL;
	char *body = act ? jsonx_dumps(act) : NULL;
	json_decref(act);
	*oom = !body;
	return body;
}

/* target t's answer: appended to what it sent before (still kept); its last name and whether it
 * is done. 0 or AIS_E* */
static int plist_take_page(plcache_tgt_t *t, const sbuf_t *resp, lso_res_t *page)
{
	json_error_t jerr;
	char err[128];
	lso_res_t np;
	lso_res_init(&np);
	json_t *j = jsonx_loadb(resp->p, resp->len, &jerr);
	int rc = j ? lso_res_from_json(j, &np, err, sizeof(err)) : AIS_EINVAL;
	json_decref(j);
	if (!rc && np.n) {
		char *last = strdup(np.entries[np.n - 1].name ? np.entries[np.n - 1].name : "");
		if (!last)
			rc = AIS_ENOMEM;
		free(t->last);
		t->last = last;
	}
	t->end = t->end || !np.continuation_token || !*np.continuation_token;
	page->flags |= np.flags;
	for (size_t i = 0; !rc && i < np.n; i++)
		rc = lso_res_add(page, &np.entries[i]);
	lso_res_fini(&np);
	return rc;
}

int plist_page_res(const pbck_t *b, json_t *lsmsg, lso_res_t *out, plist_err_t *pe)
{
	hreq_t *reqs = NULL;
	char **urls = NULL, **bodies = NULL, *key = NULL;
	lso_res_t *pages = NULL, *rest = NULL;
	const char **tids = NULL; /* active target ids (inside smap) */
	int *ri = NULL;           /* reqs[k] asks target ri[k] */
	plcache_t *c = NULL;
	lso_msg_t m;
	int ntgt = 0, nreq = 0, rc = 0;
	lso_msg_init(&m);
	memset(pe, 0, sizeof(*pe));
	bmd_t *bmd = bmd_get();
	bool exists = bmd_find(bmd, b->provider, b->ns, b->name) != NULL;
	bmd_put(bmd);
	smap_t *smap = smap_get();
	if (!exists) {
		pe->status = 404;
		pe->tcode = "ErrBckNotFound";
		snprintf(pe->msg, sizeof(pe->msg), "bucket \"%s://%s\" does not exist", b->provider, b->name);
		rc = AIS_ENOBUCKET;
		goto cleanup;
	}
	rc = plist_msg(lsmsg, &m, pe);
	if (rc)
		goto oom_or_out;
	if (bk_is_remote(b->provider, b->ns) && !(m.flags & LS_CACHED)) { /* R-flow: prlist.c */
		rc = prlist_page(b, &m, out, pe);
		goto oom_or_out;
	}
	int n = smap ? smap->ntargets : 0;
	reqs = calloc((size_t)n + 1, sizeof(*reqs));
	urls = calloc((size_t)n + 1, sizeof(*urls));
	bodies = calloc((size_t)n + 1, sizeof(*bodies));
	pages = calloc((size_t)n + 1, sizeof(*pages));
	rest = calloc((size_t)n + 1, sizeof(*rest));
	tids = calloc((size_t)n + 1, sizeof(*tids));
	ri = calloc((size_t)n + 1, sizeof(*ri));
	key = plist_key(b, &m);
	if (!reqs || !urls || !bodies || !pages || !rest || !tids || !ri || !key) {
		rc = AIS_ENOMEM;
		goto oom_or_out;
	}
	for (int i = 0; i < n; i++)
		if (!(smap->targets[i].flags & (SNODE_MAINT | SNODE_DECOMM)))
			tids[ntgt++] = smap->targets[i].id;
	if (!ntgt) {
		pe->status = 503;
		snprintf(pe->msg, sizeof(pe->msg), "no targets to list bucket %s://%s", b->provider, b->name);
		rc = AIS_EUNAVAIL;
		goto cleanup;
	}
	/* the listing where its previous page left it (plcache.h), or from scratch */
	c = plcache_take(m.uuid, key, m.continuation_token, tids, ntgt);
	if (!c && !(c = plcache_new(m.uuid, key, tids, ntgt))) {
		rc = AIS_ENOMEM;
		goto oom_or_out;
	}
	char *qprov = url_encode(b->provider, false), *qns = url_encode(b->ns, false), *qname = url_encode(b->name, false);
	for (int i = 0; qprov && qns && qname && i < ntgt && !rc; i++) {
		bool oom = false;
		const snode_t *t = smap_find(smap, tids[i]);
		char *body = plist_body(&m, &c->t[i], &oom);
		if (oom)
			rc = AIS_ENOMEM;
		if (!body)
			continue;
		size_t ul = strlen(t->pub.url) + strlen(qname) + strlen(qprov) + strlen(qns) + 64;
		bodies[nreq] = body;
		if (!(urls[nreq] = malloc(ul))) {
			rc = AIS_ENOMEM;
			break;
		}
		snprintf(urls[nreq], ul, "%s/v1/buckets/%s?provider=%s%s%s", t->pub.url, qname, qprov,
			 b->ns[0] ? "&namespace=" : "", qns);
		reqs[nreq] = (hreq_t){.method = "GET", .url = urls[nreq], .body = body, .body_len = strlen(body),
				      .timeout_ms = 60000};
		ri[nreq++] = i;
	}
	if (!qprov || !qns || !qname)
		rc = AIS_ENOMEM;
	free(qprov);
	free(qns);
	free(qname);
	if (rc)
		goto oom_or_out;
	if (nreq)
		hclient_fanout(reqs, nreq);
	for (int k = 0; k < nreq; k++)
		if (reqs[k].rc == AIS_EUNAVAIL) /* could not connect (or reset): let the probe look now */
			suspect_report(tids[ri[k]]);
	for (int k = 0; k < nreq; k++) {
		if (reqs[k].rc || reqs[k].status != 200) {
			if (reqs[k].status >= 400 && reqs[k].status < 500 && reqs[k].resp.len) {
				/* a target rejected the message: relay its error */
				pe->status = reqs[k].status;
				pe->relay = sbuf_take(&reqs[k].resp);
				pe->relay_len = pe->relay ? strlen(pe->relay) : 0;
				snprintf(pe->msg, sizeof(pe->msg), "%.400s", pe->relay ? pe->relay : "");
				rc = AIS_EINVAL;
			} else {
				pe->status = 503;
				snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: target %s: %s", b->provider,
					 b->name, urls[k], reqs[k].rc ? reqs[k].errmsg : "error");
				rc = AIS_EUNAVAIL;
			}
			goto cleanup;
		}
	}
	/* each target's entries: what it sent before (kept) and what it sent now */
	for (int i = 0; i < ntgt && !rc; i++) {
		pages[i] = c->t[i].left;
		lso_res_init(&c->t[i].left);
	}
	for (int k = 0; k < nreq && !rc; k++) {
		if ((rc = plist_take_page(&c->t[ri[k]], &reqs[k].resp, &pages[ri[k]])) && rc != AIS_ENOMEM) {
			pe->status = 503;
			snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: target %s: malformed page", b->provider,
				 b->name, urls[k]);
			rc = AIS_EUNAVAIL;
			goto cleanup;
		}
	}
	if (!rc)
		rc = lso_res_merge_rest(pages, (size_t)ntgt, &m, out, rest);
	if (!rc && out->continuation_token && *out->continuation_token) {
		/* more to come: keep what the page left out for the next one */
		for (int i = 0; i < ntgt; i++) {
			c->t[i].left = rest[i];
			lso_res_init(&rest[i]);
		}
		free(c->token);
		if ((c->token = strdup(out->continuation_token))) {
			plcache_put(c);
			c = NULL;
		}
	}
oom_or_out:
	if (rc == AIS_ENOMEM) {
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
	}
cleanup:
	plcache_free(c);
	for (int k = 0; k < nreq; k++) {
		hreq_fini(&reqs[k]);
		free(urls[k]);
		free(bodies[k]);
	}
	for (int i = 0; pages && i < ntgt; i++) {
		lso_res_fini(&pages[i]);
		lso_res_fini(&rest[i]);
	}
	free(pages);
	free(rest);
	free(tids);
	free(ri);
	free(reqs);
	free(urls);
	free(bodies);
	free(key);
	lso_msg_fini(&m);
	smap_put(smap);
	if (rc)
		lso_res_fini(out);
	return rc;
}

int plist_page(const pbck_t *b, json_t *lsmsg, json_t **outp, plist_err_t *pe)
{
	lso_res_t res;
	lso_res_init(&res);
	*outp = NULL;
	int rc = plist_page_res(b, lsmsg, &res, pe);
	if (!rc && !(*outp = lso_res_to_json(&res))) {
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
		rc = AIS_ENOMEM;
	}
	lso_res_fini(&res);
	return rc;
}

/* cos.AcceptsMsgPack: any comma-separated media type (parameters dropped) equal to it */
static bool plist_wants_msgpack(http_req_t *r)
{
	static const char mp[] = "application/msgpack";
	const char *v = http_hdr_get(r, "Accept");
	while (v && *v) {
		size_t n = strcspn(v, ",");
		const char *p = v, *e = v + strcspn(v, ",;");
		if (e > v + n)
			e = v + n;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - p) == sizeof(mp) - 1 && !memcmp(p, mp, sizeof(mp) - 1))
			return true;
		v += n;
		if (*v == ',')
			v++;
	}
	return false;
}

void plist_objects(http_req_t *r, const pbck_t *b, json_t *lsmsg)
{
	lso_res_t res;
	plist_err_t pe;
	char *out = NULL;
	size_t len = 0;
	int64_t t0 = stats_now();
	lso_res_init(&res);
	if (plist_page_res(b, lsmsg, &res, &pe)) {
		stats_err(STATS_ERR_LIST, STATS_BCK(b));
		if (pe.relay)
			http_respond(r, pe.status, "application/json", pe.relay, pe.relay_len);
		else
			http_error(r, pe.status, pe.tcode, "%s", pe.msg);
		free(pe.relay);
		return;
	}
	stats_op(STATS_LIST, STATS_BCK(b), t0, -1);
	bool mp = plist_wants_msgpack(r);
	if (mp) {
		out = lso_res_msgpack(&res, &len);
	} else {
		json_t *j = lso_res_to_json(&res);
		out = j ? jsonx_dumps(j) : NULL;
		len = out ? strlen(out) : 0;
		json_decref(j);
	}
	if (!out)
		http_error(r, 500, NULL, "out of memory");
	else
		http_respond(r, 200, mp ? "application/msgpack" : "application/json", out, len);
	free(out);
	size_t n = res.n;
	bool last = !res.continuation_token || !*res.continuation_token;
	lso_res_fini(&res);
	memtrim_after(n * 256, last); /* (roughly what a page's trees and entries took on this thread) */
}
