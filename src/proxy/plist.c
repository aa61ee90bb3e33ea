/* plist: list-objects at the proxy (AIStore's A-flow, ais/plstcx.go). Parses the LsoMsg (keys
 * ignoring case), generates the listing uuid on the first page (the client sends it back with
 * the continuation token; the SDK's iterators stop on it), asks every active target for its
 * next page (same message) in parallel, and merges with lso_res_merge: sorted, virtual
 * directories deduplicated under LsNoRecursion, at most `pagesize` entries, the token being the
 * last name of a full page ("" = last page). Answers msgpack to `Accept: application/msgpack`
 * (cos.AcceptsMsgPack), JSON otherwise. Runs on the pool. */
#include "proxy/proxy.h"
#include "api/lso.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "cluster/suspect.h"
#include "core/err.h"
#include "core/log.h"
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

int plist_page_res(const pbck_t *b, json_t *lsmsg, lso_res_t *out, plist_err_t *pe)
{
	hreq_t *reqs = NULL;
	char **urls = NULL;
	char *body = NULL;
	lso_res_t *pages = NULL;
	const char **tids = NULL; /* target ids of reqs[] (inside smap) */
	lso_msg_t m;
	int ntgt = 0, rc = 0;
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
	json_t *val = lso_msg_to_json(&m);
	json_t *act = val ? json_pack("{s:s, s:o}", "action", "list", "value", val) : NULL;
	body = act ? jsonx_dumps(act) : NULL;
	json_decref(act);
	int n = smap ? smap->ntargets : 0;
	reqs = calloc((size_t)n + 1, sizeof(*reqs));
	urls = calloc((size_t)n + 1, sizeof(*urls));
	pages = calloc((size_t)n + 1, sizeof(*pages));
	tids = calloc((size_t)n + 1, sizeof(*tids));
	if (!body || !reqs || !urls || !pages || !tids) {
		rc = AIS_ENOMEM;
		goto oom_or_out;
	}
	char *qprov = url_encode(b->provider, false), *qns = url_encode(b->ns, false), *qname = url_encode(b->name, false);
	for (int i = 0; qprov && qns && qname && i < n; i++) {
		const snode_t *t = &smap->targets[i];
		if (t->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		size_t ul = strlen(t->pub.url) + strlen(qname) + strlen(qprov) + strlen(qns) + 64;
		urls[ntgt] = malloc(ul);
		if (!urls[ntgt])
			continue;
		snprintf(urls[ntgt], ul, "%s/v1/buckets/%s?provider=%s%s%s", t->pub.url, qname, qprov,
			 b->ns[0] ? "&namespace=" : "", qns);
		tids[ntgt] = t->id;
		reqs[ntgt] = (hreq_t){.method = "GET", .url = urls[ntgt], .body = body, .body_len = strlen(body),
				      .timeout_ms = 60000};
		ntgt++;
	}
	free(qprov);
	free(qns);
	free(qname);
	if (!ntgt) {
		pe->status = 503;
		snprintf(pe->msg, sizeof(pe->msg), "no targets to list bucket %s://%s", b->provider, b->name);
		rc = AIS_EUNAVAIL;
		goto cleanup;
	}
	hclient_fanout(reqs, ntgt);
	for (int i = 0; i < ntgt; i++)
		if (reqs[i].rc == AIS_EUNAVAIL) /* could not connect (or reset): let the probe look now */
			suspect_report(tids[i]);
	for (int i = 0; i < ntgt; i++) {
		if (reqs[i].rc || reqs[i].status != 200) {
			if (reqs[i].status >= 400 && reqs[i].status < 500 && reqs[i].resp.len) {
				/* a target rejected the message: relay its error */
				pe->status = reqs[i].status;
				pe->relay = sbuf_take(&reqs[i].resp);
				pe->relay_len = pe->relay ? strlen(pe->relay) : 0;
				snprintf(pe->msg, sizeof(pe->msg), "%.400s", pe->relay ? pe->relay : "");
				rc = AIS_EINVAL;
			} else {
				pe->status = 503;
				snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: target %s: %s", b->provider,
					 b->name, urls[i], reqs[i].rc ? reqs[i].errmsg : "error");
				rc = AIS_EUNAVAIL;
			}
			goto cleanup;
		}
		json_error_t jerr;
		char err[128];
		json_t *page = jsonx_loadb(reqs[i].resp.p, reqs[i].resp.len, &jerr);
		rc = page ? lso_res_from_json(page, &pages[i], err, sizeof(err)) : AIS_EINVAL;
		json_decref(page);
		if (rc) {
			pe->status = 503;
			snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: target %s: malformed page", b->provider,
				 b->name, urls[i]);
			rc = AIS_EUNAVAIL;
			goto cleanup;
		}
	}
	rc = lso_res_merge(pages, (size_t)ntgt, &m, out);
oom_or_out:
	if (rc == AIS_ENOMEM) {
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
	}
cleanup:
	for (int i = 0; i < ntgt; i++) {
		hreq_fini(&reqs[i]);
		free(urls[i]);
		lso_res_fini(&pages[i]);
	}
	free(pages);
	free(tids);
	free(reqs);
	free(urls);
	free(body);
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
	lso_res_fini(&res);
}
