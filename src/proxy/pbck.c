/* pbck: bucket operations at the proxy: list buckets, create/destroy, HEAD (props in
 * Ais-Bucket-Props), set/reset props, and list-objects dispatch. Mutations happen on the
 * primary under metasync_lock: clone BMD → change → commit (pushed to every node before the
 * response, so the next request to any target sees it). Non-primary proxies forward. */
#include "proxy/proxy.h"
#include "backend/bk.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/metasync.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/hrw.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "cluster/smap.h"
#include "net/hclient.h"
#include "net/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ns_valid(const char *ns)
{
	for (const char *p = ns; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '@' || c == '#' || c == '.'))
			return false;
	}
	return strlen(ns) < 80;
}

int pbck_parse(http_req_t *r, const char *name, pbck_t *b)
{
	const char *prov = http_query_get(r, "provider");
	const char *ns = http_query_get(r, "namespace");
	memset(b, 0, sizeof(*b));
	const char *np = bk_norm_provider(prov);
	if (!np) {
		http_error(r, 400, NULL, "invalid bucket provider \"%s\"", prov);
		return AIS_EINVAL;
	}
	prov = np;
	if (!bck_name_valid(name)) {
		if (!*name)
			http_error(r, 400, NULL, "bucket name is missing");
		else
			http_error(r, 400, NULL, "bucket name \"%.100s\" is invalid: may only contain letters, numbers, dashes (-), underscores (_), and dots (.)", name);
		return AIS_EINVAL;
	}
	if (ns && !ns_valid(ns)) {
		http_error(r, 400, NULL, "invalid namespace \"%.100s\"", ns);
		return AIS_EINVAL;
	}
	snprintf(b->provider, sizeof(b->provider), "%s", prov);
	snprintf(b->ns, sizeof(b->ns), "%s", ns && strcmp(ns, "@#") ? ns : "");
	if (b->ns[0] == '#') /* "#name": a local namespace as the BMD keeps it */
		snprintf(b->ns, sizeof(b->ns), "@%s", ns);
	size_t nl = strlen(b->ns);
	if (nl > 1 && b->ns[nl - 1] == '#') /* "@alias#": the remote cluster's global namespace */
		b->ns[nl - 1] = '\0';
	snprintf(b->name, sizeof(b->name), "%s", name);
	if (bk_is_remote(b->provider, b->ns)) {
		bk_err_t e;
		if (bk_check_configured(b->provider, b->ns, &e)) {
			http_error(r, e.status, NULL, "%s", e.msg);
			return AIS_ENOTFOUND;
		}
	} else if (strcmp(b->provider, "ais")) {
		http_error(r, 404, NULL, "%s backend is missing in the cluster configuration (not built into this aisnode)",
			   b->provider);
		return AIS_ENOTFOUND;
	}
	return 0;
}

/* parse the ActMsg body ({"action","name","value"}, keys in any case, canonical spelling after
 * return); NULL body → NULL msg, no error */
static int pbck_actmsg(http_req_t *r, json_t **out)
{
	static const char *const keys[] = {"action", "name", "value", NULL};
	*out = NULL;
	if (!r->body_len)
		return 0;
	json_error_t jerr;
	json_t *j = json_loadb(r->body, r->body_len, 0, &jerr);
	if (!j || !json_is_object(j)) {
		http_error(r, 400, NULL, "failed to unmarshal JSON action message: %s", j ? "not an object" : jerr.text);
		json_decref(j);
		return AIS_EINVAL;
	}
	/* AIStore matches ActMsg keys ignoring case ({"Action": ...}, cmn/cos/json.go) */
	const char *bad = jsonx_unknown_key_ci(j, keys);
	if (!bad && jsonx_canon_keys(j, keys)) {
		http_error(r, 500, NULL, "out of memory");
		json_decref(j);
		return AIS_ENOMEM;
	}
	json_t *a = json_object_get(j, "action");
	if (bad || (a && !json_is_string(a))) {
		http_error(r, 400, NULL, "invalid action message: %s%s", bad ? "unknown field " : "action must be a string",
			   bad ? bad : "");
		json_decref(j);
		return AIS_EINVAL;
	}
	*out = j;
	return 0;
}

static void pbck_list_buckets(http_req_t *r)
{
	bmd_t *bmd = bmd_get();
	json_t *arr = json_array();
	const char *prov = http_query_get(r, "provider");
	for (int i = 0; bmd && i < bmd->nbcks; i++) {
		const bck_t *b = &bmd->bcks[i];
		if (prov && *prov && strcmp(prov, b->provider))
			continue;
		char uuid[sizeof(b->ns)], name[sizeof(b->ns)];
		hrw_ns_split(b->ns, uuid, sizeof(uuid), name, sizeof(name));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", b->name, "provider", b->provider,
						     "namespace", "uuid", uuid, "name", name));
	}
	bmd_put(bmd);
	char *s = jsonx_dumps(arr);
	json_decref(arr);
	http_respond(r, 200, "application/json", s, s ? strlen(s) : 0);
	free(s);
}

static void pbck_head(http_req_t *r, const pbck_t *b)
{
	bmd_t *bmd = bmd_get();
	const bck_t *bk = bmd_find(bmd, b->provider, b->ns, b->name);
	if (!bk) {
		bmd_put(bmd);
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b->provider, b->name);
		return;
	}
	char *props = jsonx_dumps(bk->props);
	bmd_put(bmd);
	if (props)
		http_hdr_add(r, "Ais-Bucket-Props", props);
	free(props);
	http_respond(r, 200, NULL, NULL, 0);
}

/* mutate the BMD on the primary; op returns 0 or AIS_E* with err filled */
typedef int (*pbck_op_fn)(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap);

static int op_create(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	json_t *v = json_object_get(msg, "value");
	if (v && !json_is_null(v) && !json_is_object(v)) {
		snprintf(err, cap, "invalid bucket props: expecting a JSON object");
		return AIS_EINVAL;
	}
	int rc = bmd_add(m, b->provider, b->ns, b->name, NULL);
	if (rc == AIS_EEXIST) {
		snprintf(err, cap, "bucket \"%s://%s\" already exists", b->provider, b->name);
		return rc;
	}
	if (!rc && json_is_object(v) && json_object_size(v))
		rc = bmd_set_props(m, b->provider, b->ns, b->name, v, err, cap);
	return rc;
}

static int op_destroy(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	int rc = bmd_del(m, b->provider, b->ns, b->name);
	if (rc)
		snprintf(err, cap, "bucket \"%s://%s\" does not exist", b->provider, b->name);
	return rc;
}

static int op_set_props(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	json_t *v = json_object_get(msg, "value");
	if (!json_is_object(v)) {
		snprintf(err, cap, "set-bprops: expecting bucket props in \"value\"");
		return AIS_EINVAL;
	}
	return bmd_set_props(m, b->provider, b->ns, b->name, v, err, cap);
}

static int op_reset_props(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	const bck_t *bk = bmd_find(m, b->provider, b->ns, b->name);
	if (!bk) {
		snprintf(err, cap, "bucket \"%s://%s\" does not exist", b->provider, b->name);
		return AIS_ENOBUCKET;
	}
	json_t *keep = json_pack("{s:O?, s:O?}", "bid", json_object_get(bk->props, "bid"), "created",
				 json_object_get(bk->props, "created"));
	json_t *ext = json_incref(bk->ext); /* not props: survives a reset (e.g. the S3 owner and ACL) */
	bmd_del(m, b->provider, b->ns, b->name);
	int rc = bmd_add(m, b->provider, b->ns, b->name, NULL);
	const bck_t *nb = rc ? NULL : bmd_find(m, b->provider, b->ns, b->name);
	if (nb) {
		json_object_update(nb->props, keep);
		bck_sync_hot((bck_t *)nb);
		bmd_set_ext(m, b->provider, b->ns, b->name, ext);
	} else {
		json_decref(ext);
	}
	json_decref(keep);
	return rc;
}

static int op_add_remote(bmd_t *m, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	if (!bk_is_remote(b->provider, b->ns)) {
		snprintf(err, cap, "add-remote-bck: %s://%s is not a remote bucket", b->provider, b->name);
		return AIS_EINVAL;
	}
	return prbck_add_op(m, b, json_object_get(msg, "value"), err, cap);
}

/* primary only: clone BMD, op, commit (metasync). 0 or AIS_E* with err filled. */
static int pbck_apply(const pbck_t *b, json_t *msg, pbck_op_fn op, char *err, size_t cap)
{
	metasync_lock();
	bmd_t *cur = bmd_get();
	bmd_t *m = cur ? bmd_clone(cur) : bmd_new();
	bmd_put(cur);
	int rc = m ? op(m, b, msg, err, cap) : AIS_ENOMEM;
	if (rc) {
		bmd_free(m);
		metasync_unlock();
		if (!err[0])
			snprintf(err, cap, "%s", err_str(rc));
		return rc;
	}
	int failed = metasync_commit_bmd(m);
	metasync_unlock();
	if (failed)
		log_warn("%s %s: %d node(s) did not ack the new BMD yet", jsonx_str(msg, "action", "?"), b->name, failed);
	return 0;
}

static void pbck_mutate(http_req_t *r, const pbck_t *b, json_t *msg, pbck_op_fn op)
{
	char err[512] = "";
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	int rc = pbck_apply(b, msg, op, err, sizeof(err));
	if (rc) {
		http_error_code(r, rc, "%s", err);
		return;
	}
	http_respond(r, 200, NULL, NULL, 0);
}

/* non-primary: the same action through the primary's native API */
static int pbck_via_primary(const char *method, const pbck_t *b, json_t *msg, char *err, size_t cap)
{
	smap_t *sm = smap_get();
	const snode_t *p = sm ? smap_primary(sm) : NULL;
	if (!p) {
		smap_put(sm);
		snprintf(err, cap, "primary proxy is not known yet");
		return AIS_EUNAVAIL;
	}
	char *qn = url_encode(b->name, false), *qns = url_encode(b->ns, false);
	sbuf_t url = SBUF_INIT;
	sbuf_addf(&url, "%s/v1/buckets/%s?provider=%s%s%s", p->pub.url, qn ? qn : "", b->provider,
		  b->ns[0] ? "&namespace=" : "", b->ns[0] && qns ? qns : "");
	smap_put(sm);
	free(qn);
	free(qns);
	char *body = jsonx_dumps(msg);
	hreq_t q = {.method = method, .url = sbuf_str(&url), .body = body, .body_len = body ? strlen(body) : 0,
		    .timeout_ms = 60000};
	int rc = hclient_do(&q);
	if (rc) {
		snprintf(err, cap, "failed to reach the primary: %s", q.errmsg);
	} else if (q.status != 200) {
		json_error_t je;
		json_t *e = json_loadb(q.resp.p ? q.resp.p : "", q.resp.len, 0, &je);
		snprintf(err, cap, "%s", jsonx_str(e, "message", "primary proxy error"));
		json_decref(e);
		rc = q.status == 404 ? AIS_ENOBUCKET : q.status == 409 ? AIS_EEXIST : q.status == 400 ? AIS_EINVAL
										      : AIS_EUNAVAIL;
	}
	hreq_fini(&q);
	sbuf_fini(&url);
	free(body);
	return rc;
}

int pbck_create(const pbck_t *b, json_t *props, char *err, size_t cap)
{
	json_t *msg = json_pack("{s:s, s:O?}", "action", "create-bck", "value", props);
	err[0] = '\0';
	int rc = !msg ? AIS_ENOMEM
		 : kalive_primary_confirmed() ? pbck_apply(b, msg, op_create, err, cap)
				     : pbck_via_primary("POST", b, msg, err, cap);
	json_decref(msg);
	return rc;
}

int pbck_add_remote(const pbck_t *b, json_t *props, char *err, size_t cap)
{
	json_t *msg = json_pack("{s:s, s:O?}", "action", "add-remote-bck", "value", props);
	err[0] = '\0';
	int rc = !msg ? AIS_ENOMEM
		 : node_is_primary() ? pbck_apply(b, msg, op_add_remote, err, cap)
				     : pbck_via_primary("POST", b, msg, err, cap);
	json_decref(msg);
	return rc;
}

int pbck_destroy(const pbck_t *b, char *err, size_t cap)
{
	json_t *msg = json_pack("{s:s}", "action", "destroy-bck");
	err[0] = '\0';
	int rc = !msg ? AIS_ENOMEM
		 : kalive_primary_confirmed() ? pbck_apply(b, msg, op_destroy, err, cap)
				     : pbck_via_primary("DELETE", b, msg, err, cap);
	json_decref(msg);
	return rc;
}

/* all bucket requests land here after the body (if any) is read; runs on the pool */
static void pbck_handle_cb(http_req_t *r)
{
	char buf[512];
	const char *items[1] = {NULL};
	int n = route_items(r, "/v1/buckets", buf, sizeof(buf), items, 1);
	json_t *msg = NULL;
	if (pbck_actmsg(r, &msg))
		return;
	const char *action = jsonx_str(msg, "action", "");
	if (n <= 0 || !*items[0]) {
		if (r->method == HTTP_M_GET && (!*action || !strcmp(action, "list")))
			pbck_list_buckets(r);
		else
			http_error(r, 400, NULL, "invalid URL path %s: bucket name is missing", r->path);
		goto out;
	}
	if (strchr(items[0], '/')) {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
		goto out;
	}
	pbck_t b;
	if (pbck_parse(r, items[0], &b))
		goto out;
	/* a remote bucket's first use adds it to the BMD (but not for the add itself, and not
	 * when it is being created or destroyed) */
	if (strcmp(action, "add-remote-bck") && strcmp(action, "create-bck") && strcmp(action, "destroy-bck") &&
	    prbck_ensure(r, &b))
		goto out;
	switch (r->method) {
	case HTTP_M_HEAD:
		pbck_head(r, &b);
		break;
	case HTTP_M_GET:
		if (!strcmp(action, "summary-shard"))
			pshard_summary(r, &b, msg);
		else if (*action && strcmp(action, "list"))
			http_error(r, 400, NULL, "invalid action \"%s\" for GET %s", action, r->path);
		else
			plist_objects(r, &b, json_object_get(msg, "value"));
		break;
	case HTTP_M_POST:
		if (!strcmp(action, "create-bck") && bk_is_remote(b.provider, b.ns))
			http_error(r, 400, NULL, "cannot create remote bucket %s://%s: it is added on first use "
				   "(see docs/bucket.md)", bk_scheme(b.provider), b.name);
		else if (!strcmp(action, "create-bck"))
			pbck_mutate(r, &b, msg, op_create);
		else if (!strcmp(action, "index-shard"))
			pshard_index(r, &b, msg);
		else if (!strcmp(action, "add-remote-bck"))
			pbck_mutate(r, &b, msg, op_add_remote);
		else if (!pjob_bck_action(r, &b, msg))
			http_error(r, 400, NULL, "invalid action \"%s\" for POST %s", action, r->path);
		break;
	case HTTP_M_PUT:
		if (!strcmp(action, "archive"))
			pshard_archive(r, &b, msg);
		else
			http_error(r, 400, NULL, "invalid action \"%s\" for PUT %s", action, r->path);
		break;
	case HTTP_M_DELETE:
		if (!strcmp(action, "destroy-bck"))
			pbck_mutate(r, &b, msg, op_destroy);
		else if (!pjob_bck_action(r, &b, msg))
			http_error(r, 400, NULL, "invalid action \"%s\" for DELETE %s", action, r->path);
		break;
	case HTTP_M_PATCH:
		if (!strcmp(action, "set-bprops"))
			pbck_mutate(r, &b, msg, op_set_props);
		else if (!strcmp(action, "reset-bprops"))
			pbck_mutate(r, &b, msg, op_reset_props);
		else
			http_error(r, 400, NULL, "invalid action \"%s\" for PATCH %s", action, r->path);
		break;
	default:
		http_error(r, 405, NULL, "invalid method %s for %s", r->method_str, r->path);
	}
out:
	json_decref(msg);
}

static void pbck_handle(http_req_t *r) { http_read_body(r, 4u << 20, pbck_handle_cb, true); }

int pbck_init(void)
{
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_HEAD) | RM(HTTP_M_POST) | RM(HTTP_M_PUT) | RM(HTTP_M_DELETE) |
			  RM(HTTP_M_PATCH),
		  "/v1/buckets", pbck_handle);
	return 0;
}
