/* plist: list-objects at the proxy. Asks every active target for its next page (same LsoMsg,
 * same continuation token) in parallel, merges the sorted pages by name, keeps the first
 * `pagesize` entries and sets continuation_token to the last returned name when any target
 * has more (AIStore's token is the last listed name). Runs on the pool. */
#include "proxy/proxy.h"
#include "api/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"

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

void plist_objects(http_req_t *r, const pbck_t *b, json_t *lsmsg)
{
	hreq_t *reqs = NULL;
	char **urls = NULL;
	char *body = NULL, *out = NULL;
	json_t *msg = NULL, *res = NULL, **ents = NULL;
	int ntgt = 0;
	bmd_t *bmd = bmd_get();
	bool exists = bmd_find(bmd, b->provider, b->ns, b->name) != NULL;
	bmd_put(bmd);
	smap_t *smap = smap_get();
	if (!exists) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b->provider, b->name);
		goto cleanup;
	}
	if (lsmsg && !json_is_null(lsmsg) && !json_is_object(lsmsg)) {
		http_error(r, 400, NULL, "invalid list-objects message: expecting a JSON object");
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
		http_error(r, 500, NULL, "out of memory");
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
		http_error(r, 503, NULL, "no targets to list bucket %s://%s", b->provider, b->name);
		goto cleanup;
	}
	hclient_fanout(reqs, ntgt);
	size_t total = 0, cap = 0;
	bool more = false;
	for (int i = 0; i < ntgt; i++) {
		if (reqs[i].rc || reqs[i].status != 200) {
			if (reqs[i].status >= 400 && reqs[i].status < 500 && reqs[i].resp.len) {
				/* a target rejected the message: relay its error */
				http_respond(r, reqs[i].status, "application/json", reqs[i].resp.p, reqs[i].resp.len);
			} else {
				http_error(r, 503, NULL, "list-objects %s://%s: target %s: %s", b->provider, b->name,
					   urls[i], reqs[i].rc ? reqs[i].errmsg : "error");
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
	out = res ? jsonx_dumps(res) : NULL;
	if (!out)
		http_error(r, 500, NULL, "out of memory");
	else
		http_respond(r, 200, "application/json", out, strlen(out));
	for (size_t i = 0; i < total; i++)
		json_decref(ents[i]);
cleanup:
	for (int i = 0; i < ntgt; i++) {
		hreq_fini(&reqs[i]);
		free(urls[i]);
	}
	free(ents);
	free(reqs);
	free(urls);
	free(body);
	free(out);
	json_decref(res);
	json_decref(msg);
	smap_put(smap);
}
