/* plist: list-objects at the proxy. Asks every active target for its next page (same LsoMsg,
 * same continuation token) in parallel, merges the sorted pages by name, keeps the first
 * `pagesize` entries and sets continuation_token to the last returned name when any target
 * has more (AIStore's token is the last listed name). Runs on the pool. */
#include "proxy/proxy.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "stats/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLIST_MAX_PAGE 10000

static int plist_entry_cmp(const void *a, const void *b)
{
	const char *x = jsonx_str(*(json_t *const *)a, "name", "");
	const char *y = jsonx_str(*(json_t *const *)b, "name", "");
	return strcmp(x, y);
}

int plist_page(const pbck_t *b, json_t *lsmsg, json_t **outp, plist_err_t *pe)
{
	hreq_t *reqs = NULL;
	char **urls = NULL;
	char *body = NULL;
	json_t *msg = NULL, *res = NULL, **ents = NULL;
	int ntgt = 0, rc = 0;
	size_t total = 0;
	*outp = NULL;
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
	if (lsmsg && !json_is_null(lsmsg) && !json_is_object(lsmsg)) {
		pe->status = 400;
		snprintf(pe->msg, sizeof(pe->msg), "invalid list-objects message: expecting a JSON object");
		rc = AIS_EINVAL;
		goto cleanup;
	}
	msg = json_is_object(lsmsg) ? json_deep_copy(lsmsg) : json_object();
	json_int_t pagesize = json_integer_value(json_object_get(msg, "pagesize"));
	if (pagesize <= 0 || pagesize > PLIST_MAX_PAGE)
		pagesize = PLIST_MAX_PAGE;
	json_object_set_new(msg, "pagesize", json_integer(pagesize));
	json_t *act = json_pack("{s:s, s:O}", "action", "list", "value", msg);
	body = jsonx_dumps(act);
	json_decref(act);
	int n = smap ? smap->ntargets : 0;
	reqs = calloc((size_t)n + 1, sizeof(*reqs));
	urls = calloc((size_t)n + 1, sizeof(*urls));
	if (!body || !reqs || !urls) {
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
		rc = AIS_ENOMEM;
		goto cleanup;
	}
	char *qprov = url_encode(b->provider, false), *qns = url_encode(b->ns, false), *qname = url_encode(b->name, false);
	for (int i = 0; i < n; i++) {
		const snode_t *t = &smap->targets[i];
		if (t->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		size_t ul = strlen(t->pub.url) + strlen(qname) + strlen(qprov) + strlen(qns) + 64;
		urls[ntgt] = malloc(ul);
		if (!urls[ntgt])
			continue;
		snprintf(urls[ntgt], ul, "%s/v1/buckets/%s?provider=%s%s%s", t->pub.url, qname, qprov,
			 b->ns[0] ? "&namespace=" : "", qns);
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
	size_t cap = 0;
	bool more = false;
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
		json_t *page = jsonx_loadb(reqs[i].resp.p, reqs[i].resp.len, &jerr);
		json_t *arr = json_object_get(page, "entries");
		if (jsonx_str(page, "continuation_token", "")[0])
			more = true;
		size_t k;
		json_t *e;
		json_array_foreach(arr, k, e) {
			if (total == cap) {
				cap = cap ? cap * 2 : 1024;
				json_t **ne = realloc(ents, cap * sizeof(*ents));
				if (!ne)
					break;
				ents = ne;
			}
			ents[total++] = json_incref(e);
		}
		json_decref(page);
	}
	if (total)
		qsort(ents, total, sizeof(*ents), plist_entry_cmp);
	size_t keep = total < (size_t)pagesize ? total : (size_t)pagesize;
	if (total > keep)
		more = true;
	json_t *arr = json_array();
	for (size_t i = 0; i < keep; i++)
		json_array_append(arr, ents[i]);
	const char *token = more && keep ? jsonx_str(ents[keep - 1], "name", "") : "";
	res = json_pack("{s:s, s:s, s:o, s:i}", "uuid", jsonx_str(msg, "uuid", ""), "continuation_token", token,
			"entries", arr, "flags", 0);
	if (!res) {
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
		rc = AIS_ENOMEM;
	}
	*outp = res;
cleanup:
	for (size_t i = 0; i < total; i++)
		json_decref(ents[i]);
	for (int i = 0; i < ntgt; i++) {
		hreq_fini(&reqs[i]);
		free(urls[i]);
	}
	free(ents);
	free(reqs);
	free(urls);
	free(body);
	json_decref(msg);
	smap_put(smap);
	return rc;
}

void plist_objects(http_req_t *r, const pbck_t *b, json_t *lsmsg)
{
	json_t *res = NULL;
	plist_err_t pe;
	char *out = NULL;
	int64_t t0 = stats_now();
	if (plist_page(b, lsmsg, &res, &pe)) {
		stats_err(STATS_ERR_LIST, STATS_BCK(b));
		if (pe.relay)
			http_respond(r, pe.status, "application/json", pe.relay, pe.relay_len);
		else
			http_error(r, pe.status, pe.tcode, "%s", pe.msg);
		free(pe.relay);
		return;
	}
	stats_op(STATS_LIST, STATS_BCK(b), t0, -1);
	out = jsonx_dumps(res);
	if (!out)
		http_error(r, 500, NULL, "out of memory");
	else
		http_respond(r, 200, "application/json", out, strlen(out));
	free(out);
	json_decref(res);
}
