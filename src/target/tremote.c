/* tremote: the target's internal endpoints for remote buckets (what AIStore's proxies ask a
 * target for: HEAD of a remote bucket on first use, and the remote listing's pages):
 *   GET  /v1/backend/<bck>?what=head   -> {"region","versioning","remais_uuid","remais_url"}
 *        (the bucket need not be in the BMD yet: this is how the proxy learns it exists)
 *   GET  /v1/backend/<bck>?what=list   body LsoMsg -> one page of the remote listing, each entry
 *        completed with what the cluster stores: this target (the proxy's designated one, as
 *        AIStore's x-lso) lists the remote page, asks every target for the local metadata of
 *        the names it owns (one parallel round) and merges: present objects get EntryIsCached
 *        and their local props; LsNotCached drops them.
 *   POST /v1/backend/<bck>?what=lmeta  body {"props","time_format","flags","names":[...]} ->
 *        {"entries":[LsoEnt...]} of the names stored here
 * All run on the pool (they wait for the network). Errors: the remote's (bk_err_t), relayed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/lso.h"
#include "backend/bk.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "fs/fs.h"
#include "net/hclient.h"
#include "net/route.h"
#include "obj/obj_get.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "target/tjson.h"

#define TR_BODY_MAX (16 << 20)

static void tr_err(http_req_t *r, const bk_err_t *e, int rc)
{
	http_error(r, e->status ? e->status : err_http_status(rc), e->status == 404 ? "ErrRemoteBckNotFound" : NULL, "%s",
		   e->msg[0] ? e->msg : err_str(rc));
}

/* the bucket of the request: from the BMD when there, else a bare one (provider, ns, name) */
static int tr_bck(http_req_t *r, const char *name, bck_t *tmp, bmd_t **bmd, const bck_t **out)
{
	char prov[16], ns[80];
	if (tobj_bck_query(r, prov, sizeof(prov), ns, sizeof(ns)))
		return AIS_EINVAL;
	if (!bk_is_remote(prov, ns)) {
		http_error(r, 400, NULL, "bucket %s://%s is not a remote bucket", prov, name);
		return AIS_EINVAL;
	}
	bk_err_t e;
	if (bk_check_configured(prov, ns, &e)) {
		tr_err(r, &e, AIS_ENOTFOUND);
		return AIS_ENOTFOUND;
	}
	*bmd = bmd_get();
	*out = *bmd ? bmd_find(*bmd, prov, ns, name) : NULL;
	if (!*out) {
		memset(tmp, 0, sizeof(*tmp));
		snprintf(tmp->provider, sizeof(tmp->provider), "%s", prov);
		snprintf(tmp->ns, sizeof(tmp->ns), "%s", ns);
		snprintf(tmp->name, sizeof(tmp->name), "%s", name);
		*out = tmp;
	}
	return 0;
}

static void tr_head(http_req_t *r, const bck_t *b)
{
	bk_bprops_t bp;
	bk_err_t e;
	int rc = bk_of(b)->head_bucket(b, &bp, &e);
	if (rc) {
		tr_err(r, &e, rc);
		return;
	}
	tjson_respond(r, json_pack("{s:s, s:b, s:s, s:s}", "region", bp.region, "versioning", bp.versioning, "remais_uuid",
			     bp.remais_uuid, "remais_url", bp.remais_url));
}

/* the local entry of one name (NULL when not stored here) */
static lso_ent_t *tr_local(const bck_t *b, const lso_msg_t *m, const char *name, lso_ent_t *e)
{
	obj_t o;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, b, name))
		return NULL;
	obj_get_t g;
	obj_why_t why;
	if (obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why)) {
		obj_get_close(&g);
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->size = g.md.size;
	e->flags = LSO_ENTRY_IS_CACHED | ((g.md.flags & LOM_FL_CHUNKED) ? LSO_ENTRY_IS_CHUNKED : 0);
	if (lso_want(m, "checksum") && g.md.cktype != CKSUM_NONE && g.md.ckval[0])
		e->checksum = strdup(g.md.ckval);
	if (lso_want(m, "atime") && g.md.atime) {
		char t[80];
		lso_fmt_time(g.md.atime, m->time_format, t, sizeof(t));
		e->atime = strdup(t);
	}
	if (lso_want(m, "version") && g.md.version[0])
		e->version = strdup(g.md.version);
	if (lso_want(m, "location")) {
		char loc[1200];
		snprintf(loc, sizeof(loc), "%s:%s", node_name(), fs_get(o.mpi)->path);
		e->location = strdup(loc);
	}
	if (lso_want(m, "copies"))
		e->copies = 1;
	if (lso_want(m, "custom")) {
		sbuf_t cb = SBUF_INIT;
		size_t pos = 0;
		const char *k, *v;
		bool any = false;
		sbuf_adds(&cb, "[");
		while (lom_md_custom_next(&g.md, &pos, &k, &v))
			if (strcmp(k, "orig_fntl")) {
				sbuf_addf(&cb, "%s%s:%s", any ? " " : "", k, v);
				any = true;
			}
		sbuf_adds(&cb, "]");
		if (any)
			e->custom = sbuf_take(&cb);
		sbuf_fini(&cb);
	}
	obj_get_close(&g);
	return e;
}

/* replace remote entry re's props with the local ones of le (present here or there) */
static void tr_merge_ent(lso_ent_t *re, lso_ent_t *le)
{
	re->flags |= le->flags;
	re->size = le->size;
	char **dst[] = {&re->checksum, &re->atime, &re->version, &re->location, &re->custom};
	char **src[] = {&le->checksum, &le->atime, &le->version, &le->location, &le->custom};
	for (int k = 0; k < 5; k++)
		if (*src[k]) {
			free(*dst[k]);
			*dst[k] = *src[k];
			*src[k] = NULL;
		}
	if (le->copies)
		re->copies = le->copies;
}

static void tr_lmeta(http_req_t *r, const bck_t *b)
{
	json_error_t je;
	json_t *j = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	json_t *names = json_object_get(j, "names");
	if (!json_is_array(names)) {
		http_error(r, 400, NULL, "lmeta: expecting {\"names\": [...]}");
		json_decref(j);
		return;
	}
	lso_msg_t m;
	lso_msg_init(&m);
	m.props = strdup(jsonx_str(j, "props", ""));
	m.time_format = strdup(jsonx_str(j, "time_format", ""));
	json_t *out = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		lso_ent_t e;
		if (!json_is_string(n) || !tr_local(b, &m, json_string_value(n), &e))
			continue;
		json_array_append_new(out, lso_ent_to_json(&e));
		lso_ent_fini(&e);
	}
	lso_msg_fini(&m);
	json_decref(j);
	tjson_respond(r, json_pack("{s:o}", "entries", out));
}

/* the page's non-dir names grouped by owner; local ones filled here, the others asked for */
static int tr_add_lmeta(const bck_t *b, const lso_msg_t *m, lso_res_t *page)
{
	smap_t *sm = smap_get();
	int nt = sm ? sm->ntargets : 0, rc = 0;
	json_t **groups = calloc((size_t)nt + 1, sizeof(*groups));
	hreq_t *reqs = calloc((size_t)nt + 1, sizeof(*reqs));
	char **urls = calloc((size_t)nt + 1, sizeof(*urls)), **bodies = calloc((size_t)nt + 1, sizeof(*bodies));
	int *ri = calloc((size_t)nt + 1, sizeof(*ri));
	if (!groups || !reqs || !urls || !bodies || !ri) {
		rc = AIS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < page->n; i++) {
		lso_ent_t *re = &page->entries[i];
		if (re->flags & LSO_ENTRY_IS_DIR)
			continue;
		const snode_t *t = smap_owner_of(sm, b->provider, b->ns, b->name, re->name);
		if (!t)
			continue;
		if (!strcmp(t->id, node_id())) {
			lso_ent_t le;
			if (tr_local(b, m, re->name, &le)) {
				tr_merge_ent(re, &le);
				lso_ent_fini(&le);
			}
			continue;
		}
		int k = (int)(t - sm->targets);
		if (!groups[k])
			groups[k] = json_array();
		json_array_append_new(groups[k], json_string(re->name));
	}
	int nreq = 0;
	char *qn = url_encode(b->name, false), *qp = url_encode(b->provider, false), *qs = url_encode(b->ns, false);
	for (int k = 0; k < nt && qn && qp && qs; k++) {
		if (!groups[k])
			continue;
		json_t *body = json_pack("{s:s, s:s, s:O}", "props", m->props ? m->props : "", "time_format",
					 m->time_format ? m->time_format : "", "names", groups[k]);
		bodies[nreq] = body ? jsonx_dumps(body) : NULL;
		json_decref(body);
		sbuf_t u = SBUF_INIT;
		sbuf_addf(&u, "%s/v1/backend/%s?what=lmeta&provider=%s%s%s", sm->targets[k].ctl.url, qn, qp,
			  b->ns[0] ? "&namespace=" : "", b->ns[0] ? qs : "");
		urls[nreq] = sbuf_take(&u);
		if (!bodies[nreq] || !urls[nreq]) {
			free(bodies[nreq]);
			free(urls[nreq]);
			rc = AIS_ENOMEM;
			break;
		}
		reqs[nreq] = (hreq_t){.method = "POST", .url = urls[nreq], .body = bodies[nreq],
				      .body_len = strlen(bodies[nreq]), .timeout_ms = 60000};
		ri[nreq++] = k;
	}
	free(qn);
	free(qp);
	free(qs);
	if (!rc && nreq)
		hclient_fanout(reqs, nreq);
	for (int q = 0; q < nreq; q++) {
		if (reqs[q].rc || reqs[q].status != 200) {
			log_warn("remote list: local metadata from t[%s]: %s (%d)", sm->targets[ri[q]].id, reqs[q].errmsg,
				 reqs[q].status);
			continue; /* those entries stay "not cached": the listing goes on */
		}
		json_error_t je;
		json_t *j = jsonx_loadb(reqs[q].resp.p ? reqs[q].resp.p : "", reqs[q].resp.len, &je);
		size_t i;
		json_t *ej;
		json_array_foreach(json_object_get(j, "entries"), i, ej) {
			lso_ent_t le;
			memset(&le, 0, sizeof(le));
			if (lso_ent_from_json(ej, &le) || !le.name) {
				lso_ent_fini(&le);
				continue;
			}
			/* the page is sorted by the remote: a linear search is fine for a page */
			for (size_t p = 0; p < page->n; p++)
				if (page->entries[p].name && !strcmp(page->entries[p].name, le.name)) {
					tr_merge_ent(&page->entries[p], &le);
					break;
				}
			lso_ent_fini(&le);
		}
		json_decref(j);
	}
out:
	for (int k = 0; groups && k < nt; k++)
		json_decref(groups[k]);
	for (int q = 0; reqs && q < nt; q++) {
		if (reqs[q].url)
			hreq_fini(&reqs[q]);
		free(urls ? urls[q] : NULL);
		free(bodies ? bodies[q] : NULL);
	}
	free(groups);
	free(reqs);
	free(urls);
	free(bodies);
	free(ri);
	smap_put(sm);
	return rc;
}

static void tr_list(http_req_t *r, const bck_t *b)
{
	char err[256];
	lso_msg_t m;
	lso_res_t page;
	lso_msg_init(&m);
	lso_res_init(&page);
	json_error_t je;
	json_t *j = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	if (lso_msg_from_json(j, &m, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		goto out;
	}
	lso_msg_normalize(&m);
	bk_err_t e;
	int rc = bk_of(b)->list_page(b, &m, &page, &e);
	if (rc) {
		tr_err(r, &e, rc);
		goto out;
	}
	if (!(m.flags & LS_NAME_ONLY) || (m.flags & LS_NOT_CACHED) || lso_want(&m, "cached")) {
		if ((rc = tr_add_lmeta(b, &m, &page))) {
			http_error_code(r, rc, "out of memory");
			goto out;
		}
	} else {
		rc = tr_add_lmeta(b, &m, &page); /* names only: still the cached flag */
	}
	if (m.flags & LS_NOT_CACHED) { /* only what is not stored in the cluster */
		size_t w = 0;
		for (size_t i = 0; i < page.n; i++) {
			if (page.entries[i].flags & LSO_ENTRY_IS_CACHED) {
				lso_ent_fini(&page.entries[i]);
				continue;
			}
			page.entries[w++] = page.entries[i];
		}
		page.n = w;
	}
	tjson_respond(r, lso_res_to_json(&page));
out:
	json_decref(j);
	lso_msg_fini(&m);
	lso_res_fini(&page);
}

static void tr_cb(http_req_t *r)
{
	char buf[512];
	const char *items[1] = {NULL};
	bck_t tmp;
	bmd_t *bmd = NULL;
	const bck_t *b = NULL;
	int n = route_items(r, "/v1/backend", buf, sizeof(buf), items, 1);
	const char *what = http_query_get(r, "what");
	if (n < 1 || !items[0][0] || strchr(items[0], '/') || !what) {
		http_error(r, 400, NULL, "invalid URL %s: expecting /v1/backend/<bucket>?what=head|list|lmeta", r->path);
		return;
	}
	if (tr_bck(r, items[0], &tmp, &bmd, &b))
		goto out;
	if (!strcmp(what, "head") && r->method == HTTP_M_GET)
		tr_head(r, b);
	else if (!strcmp(what, "list") && r->method == HTTP_M_GET)
		tr_list(r, b);
	else if (!strcmp(what, "lmeta") && r->method == HTTP_M_POST)
		tr_lmeta(r, b);
	else
		http_error(r, 400, NULL, "unexpected query [what=%s] for %s", what, r->method_str);
out:
	bmd_put(bmd);
}

static void tr_route_cb(http_req_t *r) { http_read_body(r, TR_BODY_MAX, tr_cb, true); }

/* proxy -> target only (prbck.c, prlist.c): never a client's */
void tremote_init(void) { route_add_intra(RM(HTTP_M_GET) | RM(HTTP_M_POST), "/v1/backend", tr_route_cb, ROUTE_MEMBER); }
