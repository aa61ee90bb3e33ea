/* pdload: the downloader API at the proxy (AIStore's ais/prxdl.go, ext/dload/api.go):
 *   POST   /v1/download         dload.Body {"type": single|range|multi|backend, "bucket", ...}
 *          -> {"id": "dnl-..."}: validated here (4xx before anything starts), the ais bucket
 *          created when missing, then one "download" job with that ID on every target
 *   GET    /v1/download {"id"}   dload.StatusResp aggregated over the targets (404 unknown)
 *   GET    /v1/download {"regex"} [dload.Job...] of the jobs (description matching)
 *   DELETE /v1/download/abort  {"id"}  abort everywhere
 *   DELETE /v1/download/remove {"id"}  forget a finished job
 * Primary only for starting (it keeps the status listener); queries go to every target.
 * Pool only. */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/route.h"
#include "xact/xact.h"
#include "xact/xs_download.h"

static void pd_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumpf(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(j);
}

static void pd_post(http_req_t *r)
{
	char err[512] = "";
	json_error_t je;
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	json_t *body = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	if (!json_is_object(body)) {
		http_error(r, 400, NULL, "%s: failed to unmarshal download request: %s", node_name(),
			   body ? "not an object" : je.text);
		json_decref(body);
		return;
	}
	if (xs_download_validate(body, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		json_decref(body);
		return;
	}
	json_t *bj = json_object_get(body, "bucket");
	pbck_t b;
	memset(&b, 0, sizeof(b));
	const char *np = bk_norm_provider(jsonx_str(bj, "provider", "ais"));
	snprintf(b.provider, sizeof(b.provider), "%s", np ? np : "");
	snprintf(b.name, sizeof(b.name), "%s", jsonx_str(bj, "name", ""));
	json_t *ns = json_object_get(bj, "namespace");
	if (json_is_object(ns) && *jsonx_str(ns, "uuid", "") )
		snprintf(b.ns, sizeof(b.ns), "@%s", jsonx_str(ns, "uuid", ""));
	if (!np || !bck_name_valid(b.name)) {
		http_error(r, 400, NULL, "download: invalid bucket \"%s\"", b.name);
		goto out;
	}
	if (bk_is_remote(b.provider, b.ns)) {
		if (prbck_ensure(r, &b))
			goto out;
	} else {
		int rc = pbck_create(&b, NULL, err, sizeof(err));
		if (rc && rc != AIS_EEXIST) {
			http_error_code(r, rc, "download: failed to create bucket %s: %s", b.name, err);
			goto out;
		}
	}
	const xact_kind_t *k = xact_table_find("download");
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	char id[16];
	gen_uuid(id, 9);
	snprintf(a.id, sizeof(a.id), "dnl-%s", id);
	snprintf(a.kind, sizeof(a.kind), "download");
	json_object_set_new(body, "bucket", json_pack("{s:s, s:s}", "name", b.name, "provider", b.provider));
	if (pxact_start_job(r, k, &a, body))
		goto out;
	log_info("download %s (%s) started", a.id, jsonx_str(body, "type", ""));
	pd_json(r, json_pack("{s:s}", "id", a.id));
out:
	json_decref(body);
}

/* GET / DELETE: every target, then aggregate (dladm) */
static void pd_admin(http_req_t *r)
{
	json_error_t je;
	json_t *body = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : json_object();
	const char *id = jsonx_str(body, "id", ""), *re = jsonx_str(body, "regex", "");
	if (*id && *re) {
		http_error(r, 400, NULL, "regex \"%s\" and job ID \"%s\" cannot be defined together (choose one or the other)", re,
			   id);
		goto out0;
	}
	if (r->method == HTTP_M_DELETE) {
		if (!*id) {
			http_error(r, 400, NULL, "UUID not specified");
			goto out0;
		}
		if (strcmp(r->path, "/v1/download/abort") && strcmp(r->path, "/v1/download/remove")) {
			http_error(r, 400, NULL, "invalid action \"%s\"", r->path + strlen("/v1/download/"));
			goto out0;
		}
	}
	smap_t *sm = smap_get();
	int n = sm ? sm->ntargets : 0, nr = 0;
	hreq_t *q = calloc((size_t)n + 1, sizeof(*q));
	char **urls = calloc((size_t)n + 1, sizeof(*urls));
	char *b = jsonx_dumps(body);
	for (int i = 0; q && urls && b && i < n; i++) {
		if (sm->targets[i].flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		size_t ul = strlen(sm->targets[i].ctl.url) + strlen(r->path) + 1;
		if (!(urls[nr] = malloc(ul)))
			break;
		snprintf(urls[nr], ul, "%s%s", sm->targets[i].ctl.url, r->path);
		q[nr] = (hreq_t){.method = r->method_str, .url = urls[nr], .body = b, .body_len = strlen(b), .timeout_ms = 20000};
		nr++;
	}
	smap_put(sm);
	if (nr)
		hclient_fanout(q, nr);
	int n404 = 0, bad = -1;
	json_t *agg = NULL;
	for (int i = 0; i < nr; i++) {
		if (q[i].rc || (q[i].status != 200 && q[i].status != 404)) {
			bad = i;
			break;
		}
		if (q[i].status == 404) {
			n404++;
			continue;
		}
		if (r->method != HTTP_M_GET)
			continue;
		json_t *j = jsonx_loadb(q[i].resp.p ? q[i].resp.p : "{}", q[i].resp.len ? q[i].resp.len : 2, &je);
		if (!*id) { /* list: {"<id>": Job} merged */
			if (!agg)
				agg = json_object();
			const char *k;
			json_t *v;
			json_object_foreach(j, k, v) {
				json_t *cur = json_object_get(agg, k);
				if (!cur) {
					json_object_set(agg, k, v);
					continue;
				}
				static const char *const cnt[] = {"finished_cnt", "scheduled_cnt", "skipped_cnt", "error_cnt", "total"};
				for (size_t c = 0; c < sizeof(cnt) / sizeof(cnt[0]); c++)
					json_object_set_new(cur, cnt[c], json_integer(json_integer_value(json_object_get(cur, cnt[c])) +
										       json_integer_value(json_object_get(v, cnt[c]))));
			}
		} else if (!agg) {
			agg = json_incref(j);
		} else { /* StatusResp.Aggregate */
			static const char *const cnt[] = {"finished_cnt", "scheduled_cnt", "skipped_cnt", "error_cnt", "total"};
			for (size_t c = 0; c < sizeof(cnt) / sizeof(cnt[0]); c++)
				json_object_set_new(agg, cnt[c], json_integer(json_integer_value(json_object_get(agg, cnt[c])) +
									       json_integer_value(json_object_get(j, cnt[c]))));
			json_object_set_new(agg, "all_dispatched", json_boolean(json_is_true(json_object_get(agg, "all_dispatched")) &&
									     json_is_true(json_object_get(j, "all_dispatched"))));
			json_object_set_new(agg, "aborted", json_boolean(json_is_true(json_object_get(agg, "aborted")) ||
								      json_is_true(json_object_get(j, "aborted"))));
			const char *ft = jsonx_str(j, "finished_time", ""), *at = jsonx_str(agg, "finished_time", "");
			if (!strncmp(ft, "0001-", 5) || (strncmp(at, "0001-", 5) && strcmp(ft, at) > 0))
				json_object_set_new(agg, "finished_time", json_string(ft));
			static const char *const arr[] = {"current_tasks", "finished_tasks", "download_errors"};
			for (size_t c = 0; c < 3; c++) {
				json_t *x = json_object_get(j, arr[c]);
				if (!json_array_size(x))
					continue;
				if (!json_object_get(agg, arr[c]))
					json_object_set_new(agg, arr[c], json_array());
				json_array_extend(json_object_get(agg, arr[c]), x);
			}
		}
		json_decref(j);
	}
	if (bad >= 0) {
		if (q[bad].rc)
			http_error(r, 503, NULL, "download: failed to reach a target: %s", q[bad].errmsg);
		else
			http_respond(r, q[bad].status, "application/json", q[bad].resp.p, q[bad].resp.len);
	} else if (!nr) {
		http_error(r, 503, NULL, "no storage targets in the cluster (%s)", node_name());
	} else if (*id && n404 == nr) {
		http_error(r, 404, "ErrNotFound", "download job %s not found", id);
	} else if (r->method == HTTP_M_GET && !*id) { /* JobInfos: a list */
		json_t *lst = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(agg, k, v) json_array_append(lst, v);
		pd_json(r, lst);
	} else if (r->method == HTTP_M_GET) {
		pd_json(r, agg);
		agg = NULL;
	} else {
		http_respond(r, 200, NULL, NULL, 0);
	}
	json_decref(agg);
	for (int i = 0; i < nr; i++) {
		hreq_fini(&q[i]);
		free(urls[i]);
	}
	free(q);
	free(urls);
	free(b);
out0:
	json_decref(body);
}

static void pd_cb(http_req_t *r)
{
	if (r->method == HTTP_M_POST)
		pd_post(r);
	else
		pd_admin(r);
}

static void pd_route(http_req_t *r) { http_read_body(r, 64 << 20, pd_cb, true); }

int pdload_init(void)
{
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_POST) | RM(HTTP_M_DELETE), "/v1/download", pd_route);
	return 0;
}
