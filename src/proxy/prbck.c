/* prbck: remote buckets at the proxy (AIStore's initAndTry/lookupRemoteBck + the remote-AIS
 * attach/detach of ais/prxclu.go):
 *   - first use of s3://b or ais://@alias/b: HEAD the remote bucket through a target
 *     (GET /v1/backend/<b>?what=head, target/tremote.c) and add it to the BMD on the primary
 *     ("add-remote-bck"; other proxies ask the primary) with what the remote said (region,
 *     versioning); a remote that says 404 is a 404 here, a backend not configured is AIStore's
 *     "... backend is missing in the cluster configuration";
 *   - PUT /v1/cluster/attach?what=remote (Ais-Remote-Alias, Ais-Remote-Url) and .../detach:
 *     backend.ais in the cluster config, committed by metasync;
 *   - GET /v1/cluster?what=remote: the attached clusters (meta.RemAisVec).
 * Pool only (network calls). */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_remais.h"
#include "cluster/bmd.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/route.h"

static void prbck_cname(const pbck_t *b, char *out, size_t cap)
{
	if (b->ns[0])
		snprintf(out, cap, "%s://%s/%s", bk_scheme(b->provider), b->ns, b->name);
	else
		snprintf(out, cap, "%s://%s", bk_scheme(b->provider), b->name);
}

/* HEAD the remote bucket through a target: 0 with props (new ref) for the BMD, or an error
 * status + message */
static int prbck_head(const pbck_t *b, json_t **props, int *status, char *err, size_t cap)
{
	smap_t *sm = smap_get();
	const snode_t *t = NULL;
	for (int i = 0; sm && i < sm->ntargets && !t; i++) {
		int k = (int)((uint64_t)rand_u64() % (uint64_t)sm->ntargets); /* any target; fall back in order */
		if (!(sm->targets[k].flags & (SNODE_MAINT | SNODE_DECOMM)))
			t = &sm->targets[k];
		else if (!(sm->targets[i].flags & (SNODE_MAINT | SNODE_DECOMM)))
			t = &sm->targets[i];
	}
	if (!t) {
		smap_put(sm);
		*status = 503;
		snprintf(err, cap, "no targets to look up the remote bucket");
		return AIS_EUNAVAIL;
	}
	char *qn = url_encode(b->name, false), *qp = url_encode(b->provider, false), *qs = url_encode(b->ns, false);
	sbuf_t u = SBUF_INIT;
	sbuf_addf(&u, "%s/v1/backend/%s?what=head&provider=%s%s%s", t->ctl.url, qn ? qn : "", qp ? qp : "",
		  b->ns[0] ? "&namespace=" : "", b->ns[0] && qs ? qs : "");
	free(qn);
	free(qp);
	free(qs);
	smap_put(sm);
	hreq_t q = {.method = "GET", .url = sbuf_str(&u), .timeout_ms = 60000};
	int rc = hclient_do(&q);
	json_error_t je;
	json_t *j = q.resp.len ? jsonx_loadb(q.resp.p, q.resp.len, &je) : NULL;
	if (rc) {
		*status = 503;
		snprintf(err, cap, "failed to reach a target to look up the remote bucket: %s", q.errmsg);
	} else if (q.status != 200) {
		*status = q.status;
		snprintf(err, cap, "%s", jsonx_str(j, "message", "remote bucket lookup failed"));
		rc = bk_status_rc(q.status);
	} else {
		*props = json_object();
		if (!strcmp(b->provider, "aws") && *jsonx_str(j, "region", ""))
			json_object_set_new(*props, "extra",
					    json_pack("{s:{s:s}}", "aws", "cloud_region", jsonx_str(j, "region", "")));
		if (json_is_true(json_object_get(j, "versioning")))
			json_object_set_new(*props, "versioning", json_pack("{s:b}", "enabled", 1));
	}
	json_decref(j);
	hreq_fini(&q);
	sbuf_fini(&u);
	return rc;
}

int prbck_add_op(bmd_t *m, const pbck_t *b, json_t *props, char *err, size_t cap)
{
	if (bmd_find(m, b->provider, b->ns, b->name))
		return 0; /* raced with another first use: fine */
	int rc = bmd_add(m, b->provider, b->ns, b->name, NULL);
	if (!rc && json_is_object(props) && json_object_size(props))
		rc = bmd_set_props(m, b->provider, b->ns, b->name, props, err, cap);
	if (rc && !err[0])
		snprintf(err, cap, "failed to add remote bucket %s://%s: %s", b->provider, b->name, err_str(rc));
	return rc;
}

int prbck_ensure(http_req_t *r, const pbck_t *b)
{
	bmd_t *m = bmd_get();
	bool have = m && bmd_find(m, b->provider, b->ns, b->name);
	bmd_put(m);
	if (have || !bk_is_remote(b->provider, b->ns))
		return 0;
	char cn[400], err[512] = "";
	prbck_cname(b, cn, sizeof(cn));
	bk_err_t e;
	if (bk_check_configured(b->provider, b->ns, &e)) {
		http_error(r, e.status, NULL, "failed to lookup bucket %s: %s", cn, e.msg);
		return AIS_ENOTFOUND;
	}
	json_t *props = NULL;
	int status = 0;
	int rc = prbck_head(b, &props, &status, err, sizeof(err));
	if (rc) {
		http_error(r, status, status == 404 ? "ErrRemoteBckNotFound" : NULL, "%s", err);
		return rc;
	}
	rc = pbck_add_remote(b, props, err, sizeof(err));
	json_decref(props);
	if (rc) {
		http_error_code(r, rc, "%s", err);
		return rc;
	}
	log_info("added remote bucket %s to the BMD", cn);
	return 0;
}

/* ---- remote AIS clusters: attach / detach / show ---- */

static void prbck_remais(http_req_t *r, bool attach)
{
	const char *what = http_query_get(r, "what");
	if (!what || strcmp(what, "remote")) {
		http_error(r, 400, NULL, "unrecognized \"what=%s\" query", what ? what : "");
		return;
	}
	if (!node_is_primary()) {
		pfwd_to_primary(r);
		return;
	}
	const char *alias = http_hdr_get(r, "Ais-Remote-Alias"), *url = http_hdr_get(r, "Ais-Remote-Url");
	if (!alias || !*alias || (attach && (!url || !*url))) {
		http_error(r, 400, NULL, "%s remote cluster: missing %s header", attach ? "attach" : "detach",
			   !alias || !*alias ? "Ais-Remote-Alias" : "Ais-Remote-Url");
		return;
	}
	char err[512] = "";
	metasync_lock();
	const config_t *cfg = config_get();
	json_t *cl = config_cluster_json(cfg);
	config_put(cfg);
	json_t *bk = json_deep_copy(json_object_get(cl, "backend"));
	if (!json_is_object(bk)) {
		json_decref(bk);
		bk = json_object();
	}
	json_t *ais = json_object_get(bk, "ais");
	if (!json_is_object(ais)) {
		ais = json_object();
		json_object_set_new(bk, "ais", ais);
	}
	int rc = 0, status = 400;
	if (attach) {
		json_t *cur = json_object_get(ais, alias);
		bool same = cur && json_array_size(cur) == 1 && !strcmp(json_string_value(json_array_get(cur, 0)), url);
		if (cur && !same) {
			snprintf(err, sizeof(err), "%s: remote cluster [alias %s => %s] is already attached", node_name(), alias,
				 url);
			rc = AIS_EEXIST;
			status = 409;
		} else {
			json_object_set_new(ais, alias, json_pack("[s]", url));
		}
	} else if (!json_object_get(ais, alias)) {
		snprintf(err, sizeof(err), "%s: failed to detach remote cluster \"%s\": not found", node_name(), alias);
		rc = AIS_ENOTFOUND;
		status = 404;
	} else {
		json_object_del(ais, alias);
		if (!json_object_size(ais))
			json_object_del(bk, "ais");
	}
	if (!rc && (rc = config_apply_value(cl, "backend", bk, CONFIG_SET_CLUSTER, err, sizeof(err))))
		status = err_http_status(rc);
	if (!rc) { /* the commit takes our reference of cl */
		json_t *give = cl;
		cl = NULL;
		if ((rc = metasync_commit_config(give, err, sizeof(err))) < 0)
			status = err_http_status(rc);
	}
	metasync_unlock();
	json_decref(bk);
	json_decref(cl);
	if (rc < 0) {
		http_error(r, status, NULL, "%s", err);
		return;
	}
	log_info("remote cluster %s: %s %s", alias, attach ? "attached at" : "detached", attach ? url : "");
	http_respond(r, 200, NULL, NULL, 0);
}

static void prbck_attach_cb(http_req_t *r) { prbck_remais(r, true); }
static void prbck_detach_cb(http_req_t *r) { prbck_remais(r, false); }
static void prbck_attach(http_req_t *r) { http_read_body(r, 4096, prbck_attach_cb, true); }
static void prbck_detach(http_req_t *r) { http_read_body(r, 4096, prbck_detach_cb, true); }

static void prbck_show_cb(http_req_t *r)
{
	json_t *v = bk_remais_vec();
	char *s = v ? jsonx_dumps(v) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(v);
}

bool prbck_get(http_req_t *r, const char *what)
{
	if (strcmp(what, "remote"))
		return false;
	http_defer(r, prbck_show_cb);
	return true;
}

int prbck_init(void)
{
	route_add(RM(HTTP_M_PUT), "/v1/cluster/attach", prbck_attach);
	route_add(RM(HTTP_M_PUT), "/v1/cluster/detach", prbck_detach);
	return 0;
}
