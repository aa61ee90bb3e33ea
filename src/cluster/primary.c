/* primary: owns the "setting new primary" flag; the protocols are described in primary.h.
 * Invariants: the old primary changes its own Smap (stops leading) only after every node
 * passed the prepare phase, under metasync_lock so that no metadata commit interleaves;
 * a node's Smap changes here are local (same version) until the new primary's metasync. */
#include "cluster/primary.h"
#include "cluster/hb.h"
#include "cluster/kalive.h"
#include "cluster/membership.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/vote.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "net/hclient.h"
#include "net/route.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int pr_setting; /* a set-primary or force-join runs on this (primary) node */

static int pr_ms(int64_t ns) { return ns < 1000000 ? 1 : (int)(ns / 1000000); }

static int pr_tout(void)
{
	const config_t *cfg = config_get();
	int t = pr_ms(cfg->max_keepalive_ns);
	config_put(cfg);
	return t;
}

/* a prepared broadcast to every node of m but self */
typedef struct pr_bc {
	int n;
	hreq_t *q;
	char (*url)[320];
	const snode_t **who;
	char hdrs[NODE_HDRS_MAX];
} pr_bc_t;

static int pr_bc_run(pr_bc_t *bc, const smap_t *m, const char *method, const char *path, const char *body)
{
	int total = m->nproxies + m->ntargets;
	memset(bc, 0, sizeof(*bc));
	bc->q = calloc((size_t)total + 1, sizeof(*bc->q));
	bc->url = calloc((size_t)total + 1, sizeof(*bc->url));
	bc->who = calloc((size_t)total + 1, sizeof(*bc->who));
	if (!bc->q || !bc->url || !bc->who)
		return AIS_ENOMEM;
	node_sender_hdrs(bc->hdrs, sizeof(bc->hdrs));
	for (int i = 0; i < total; i++) {
		const snode_t *nd = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
		if (!strcmp(nd->id, node_id()))
			continue;
		snprintf(bc->url[bc->n], sizeof(bc->url[bc->n]), "%s%s", nd->ctl.url, path);
		bc->q[bc->n] = (hreq_t){.method = method, .url = bc->url[bc->n], .body = body,
					.body_len = body ? strlen(body) : 0, .hdrs = bc->hdrs, .timeout_ms = pr_tout()};
		bc->who[bc->n++] = nd;
	}
	if (bc->n)
		hclient_fanout(bc->q, bc->n);
	return 0;
}

static void pr_bc_fini(pr_bc_t *bc)
{
	for (int i = 0; i < bc->n; i++)
		hreq_fini(&bc->q[i]);
	free(bc->q);
	free(bc->url);
	free(bc->who);
	memset(bc, 0, sizeof(*bc));
}

/* the i-th answer's error message (the node's AIStore JSON "message", or the transport error) */
static void pr_bc_err(const pr_bc_t *bc, int i, char *out, size_t cap)
{
	const hreq_t *q = &bc->q[i];
	if (q->rc) {
		snprintf(out, cap, "%s", q->errmsg[0] ? q->errmsg : err_str(q->rc));
		return;
	}
	json_error_t je;
	json_t *e = q->resp.len ? jsonx_loadb(q->resp.p, q->resp.len, &je) : NULL;
	snprintf(out, cap, "%d: %.200s", q->status, e ? jsonx_str(e, "message", "") : sbuf_str((sbuf_t *)&q->resp));
	json_decref(e);
}

/* ---------------- node side ---------------- */

static int pr_prepare_arg(http_req_t *r, bool *prepare)
{
	const char *v = http_query_get(r, "prp");
	if (v && (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "false") || !strcmp(v, "0"))) {
		*prepare = !strcmp(v, "true") || !strcmp(v, "1");
		return 0;
	}
	http_error(r, 400, NULL, "failed to parse URL query \"prp\": invalid syntax (\"%s\")", v ? v : "");
	return AIS_EINVAL;
}

/* PUT /v1/daemon/proxy/<id>?prp=true|false (from the primary running set-primary) */
static void pr_dae_setprimary_cb(http_req_t *r)
{
	char buf[256], ss[160], err[256] = "";
	const char *items[1] = {NULL};
	bool prepare;
	if (route_items(r, "/v1/daemon/proxy", buf, sizeof(buf), items, 1) < 1 || !*items[0] || strchr(items[0], '/')) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/daemon/proxy/<id>", r->path);
		return;
	}
	const char *pid = items[0];
	if (http_query_bool(r, "frc")) {
		http_error(r, 400, NULL, "%s: set-primary with force: expecting PUT /v1/cluster/proxy/%s (to the primary)",
			   node_name(), pid);
		return;
	}
	if (pr_prepare_arg(r, &prepare))
		return;
	if (node_is_primary()) {
		http_error(r, 400, NULL, "%s (self) is primary, expecting '/v1/cluster/...' when designating a new one",
			   node_name());
		return;
	}
	if (prepare && r->body_len) {
		json_error_t je;
		json_t *cm = jsonx_loadb(r->body, r->body_len, &je);
		int rc = cm ? metasync_apply(cm, false, err, sizeof(err)) : AIS_EINVAL;
		json_decref(cm);
		if (rc) {
			http_error(r, 400, NULL, "%s: failed to receive clu-meta: %s", node_name(), cm ? err : je.text);
			return;
		}
	}
	smap_t *cur = smap_get();
	const snode_t *psi = cur ? smap_find(cur, pid) : NULL;
	smap_str(cur, ss, sizeof(ss));
	if (!strcmp(pid, node_id())) {
		bool active = psi && !(psi->flags & (SNODE_MAINT | SNODE_DECOMM));
		smap_put(cur);
		if (!active) {
			http_error(r, 400, NULL, "%s: in maintenance or decommissioned", node_name());
			return;
		}
		if (!prepare)
			vote_become_primary(NULL);
		http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	if (!psi || psi->type != 'p') {
		smap_put(cur);
		http_error(r, 404, "ErrNodeNotFound", "%s: cannot set new primary node p[%s] not present in the %s", node_name(),
			   pid, ss);
		return;
	}
	smap_put(cur);
	if (!prepare) {
		metasync_lock();
		cur = smap_get();
		smap_t *m = cur ? smap_clone(cur) : NULL;
		smap_put(cur);
		if (m) {
			snprintf(m->primary_id, sizeof(m->primary_id), "%s", pid);
			smap_install(m, true);
		}
		metasync_unlock();
		hb_heard(pid);
		log_info("%s: new primary p[%s] (set-primary)", node_name(), pid);
	}
	http_respond(r, 200, NULL, NULL, 0);
}

/* POST /v1/daemon/primary-force?prp=true|false {"action":"primary-force","value":<Smap|cluMeta>} */
static void pr_dae_forcejoin_cb(http_req_t *r)
{
	bool prepare;
	char err[256] = "";
	if (pr_prepare_arg(r, &prepare))
		return;
	json_error_t je;
	json_t *msg = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	json_t *val = json_object_get(msg, "value");
	if (!json_is_object(val) || strcmp(jsonx_str(msg, "action", ""), METASYNC_ACT_FORCE)) {
		json_decref(msg);
		http_error(r, 400, NULL, "%s: force-join: expecting {\"action\":\"%s\",\"value\":{...}}", node_name(),
			   METASYNC_ACT_FORCE);
		return;
	}
	if (prepare) {
		/* only from our primary; then make sure we can reach the destination primary */
		const char *sid = http_hdr_get(r, "Ais-Caller-Id");
		smap_t *cur = smap_get();
		bool from_primary = sid && cur && !strcmp(sid, cur->primary_id);
		smap_put(cur);
		smap_t *ns = from_primary ? smap_from_json(json_object_get(val, "smap") ? json_object_get(val, "smap") : val,
						       err, sizeof(err))
					  : NULL;
		const snode_t *np = ns ? smap_primary(ns) : NULL;
		if (!from_primary)
			http_error(r, 400, NULL, "%s expecting prep-force-join: call from primary, got \"%s\"", node_name(),
				   sid ? sid : "");
		else if (!np)
			http_error(r, 400, NULL, "%s: prep-force-join: invalid destination Smap %s", node_name(), err);
		else if (kalive_probe(np, NULL, pr_tout(), NULL) && kalive_probe_url(np->pub.url, NULL, pr_tout(), NULL))
			http_error(r, 503, NULL, "prep-force-join: %s failed to reach the destination primary p[%s]", node_name(),
				   np->id);
		else
			http_respond(r, 200, NULL, NULL, 0);
		smap_free(ns);
		json_decref(msg);
		return;
	}
	/* commit: adopt the destination's metadata (brute force) and join its primary */
	smap_t *ns = smap_from_json(json_object_get(val, "smap"), err, sizeof(err));
	const snode_t *np = ns ? smap_primary(ns) : NULL;
	char ctl[128] = "", pub[128] = "", npid[SNODE_ID_MAX] = "";
	if (np) {
		snprintf(ctl, sizeof(ctl), "%s", np->ctl.url);
		snprintf(pub, sizeof(pub), "%s", np->pub.url);
		snprintf(npid, sizeof(npid), "%s", np->id);
	}
	smap_free(ns);
	if (!np) {
		json_decref(msg);
		http_error(r, 400, NULL, "commit-force-join: %s: invalid destination Smap %s", node_name(), err);
		return;
	}
	json_object_set_new(val, "action", json_string(METASYNC_ACT_FORCE));
	int rc = metasync_apply(val, true, err, sizeof(err));
	json_decref(msg);
	if (rc) {
		http_error(r, 400, NULL, "commit-force-join: %s: %s", node_name(), err);
		return;
	}
	log_warn("commit-force-join: %s (self) -> p[%s]", node_name(), npid);
	rc = membership_join_via(ctl, false);
	if (rc && strcmp(ctl, pub)) {
		sleep(1);
		rc = membership_join_via(pub, false);
	}
	if (rc) {
		http_error(r, 500, NULL, "commit-force-join: %s -> p[%s] failed: %s", node_name(), npid, err_str(rc));
		return;
	}
	hb_heard(npid);
	log_info("commit-force-join: %s -> p[%s] done", node_name(), npid);
	http_respond(r, 200, NULL, NULL, 0);
}

static void pr_dae_setprimary(http_req_t *r) { http_read_body(r, 64u << 20, pr_dae_setprimary_cb, true); }
static void pr_dae_forcejoin(http_req_t *r) { http_read_body(r, 256u << 20, pr_dae_forcejoin_cb, true); }

int primary_init(void)
{
	route_add_intra(RM(HTTP_M_PUT), "/v1/daemon/proxy", pr_dae_setprimary, ROUTE_MEMBER);
	route_add_intra(RM(HTTP_M_POST), "/v1/daemon/primary-force", pr_dae_forcejoin, ROUTE_SIGNED);
	return 0;
}

/* ---------------- primary side: set-primary ---------------- */

/* AIStore's _checkFlags: 0 or 400 with msg */
static int pr_check_flags(const snode_t *p, char *msg, size_t cap)
{
	if (p->flags & (SNODE_MAINT | SNODE_DECOMM)) {
		snprintf(msg, cap, "p[%s] cannot become new primary as it is currently %s", p->id,
			 (p->flags & SNODE_MAINT) ? "under maintenance" : "being decommissioned");
		return AIS_EINVAL;
	}
	if (p->flags & SNODE_NONELECTABLE) {
		snprintf(msg, cap, "p[%s] is non-electable and cannot become new primary", p->id);
		return AIS_EINVAL;
	}
	return 0;
}

static void pr_set(http_req_t *r, const char *npid)
{
	char path[320], emsg[512];
	pr_bc_t bc;
	json_t *cm = metasync_payload();
	if (cm) {
		json_object_del(cm, "smap"); /* cmetaFillOpt{skipSmap: true} */
		json_object_set_new(cm, "si", snode_to_json(node_self()));
	}
	char *body = cm ? jsonx_dumps(cm) : NULL;
	json_decref(cm);
	if (!body) {
		http_error(r, 500, NULL, "set-primary: out of memory");
		return;
	}
	/* (I.1) prepare: everybody agrees to the change and has our BMD and config */
	metasync_lock();
	smap_t *cur = smap_get();
	snprintf(path, sizeof(path), "/v1/daemon/proxy/%s?prp=true", npid);
	int rc = pr_bc_run(&bc, cur, "PUT", path, body);
	free(body);
	for (int i = 0; !rc && i < bc.n; i++) {
		if (!bc.q[i].rc && bc.q[i].status == 200)
			continue;
		char e[256];
		pr_bc_err(&bc, i, e, sizeof(e));
		snprintf(emsg, sizeof(emsg), "node %c[%s] failed to set primary p[%s] in the prepare phase (err: %s)",
			 bc.who[i]->type, bc.who[i]->id, npid, e);
		rc = bc.q[i].rc ? AIS_EUNAVAIL : AIS_EINVAL;
	}
	pr_bc_fini(&bc);
	if (rc) {
		smap_put(cur);
		metasync_unlock();
		log_warn("set-primary: %s", emsg);
		http_error(r, rc == AIS_EUNAVAIL ? 503 : 400, NULL, "%s", emsg);
		return;
	}
	/* (I.2) this proxy stops leading */
	smap_t *m = smap_clone(cur);
	smap_put(cur);
	if (m) {
		snprintf(m->primary_id, sizeof(m->primary_id), "%s", npid);
		smap_install(m, true);
	}
	metasync_forget_acks();
	metasync_unlock();
	hb_heard(npid);
	log_info("set-primary: %s hands over to p[%s]", node_name(), npid);
	/* (II) commit */
	cur = smap_get();
	snprintf(path, sizeof(path), "/v1/daemon/proxy/%s?prp=false", npid);
	rc = cur ? pr_bc_run(&bc, cur, "PUT", path, NULL) : AIS_ENOMEM;
	smap_put(cur);
	int status = 200;
	emsg[0] = '\0';
	for (int i = 0; !rc && i < bc.n; i++) {
		if (!bc.q[i].rc && bc.q[i].status == 200)
			continue;
		char e[256];
		pr_bc_err(&bc, i, e, sizeof(e));
		if (!strcmp(bc.who[i]->id, npid)) {
			status = 500;
			snprintf(emsg, sizeof(emsg), "commit phase failure: new primary p[%s] returned %s", npid, e);
		}
		log_err("node %c[%s] failed to set new primary p[%s] in the commit phase (err: %s)", bc.who[i]->type,
			bc.who[i]->id, npid, e);
	}
	pr_bc_fini(&bc);
	if (status != 200)
		http_error(r, status, NULL, "%s", emsg);
	else
		http_respond(r, 200, NULL, NULL, 0);
}

/* ---------------- primary side: force-join ---------------- */

/* GET <base>/v1/daemon?what=<what> → parsed JSON (new ref) or NULL with err */
static json_t *pr_get_json(const char *base, const char *what, char *err, size_t cap)
{
	char url[320], hdrs[NODE_HDRS_MAX];
	snprintf(url, sizeof(url), "%s/v1/daemon?what=%s", base, what);
	node_sender_hdrs(hdrs, sizeof(hdrs));
	hreq_t q = {.method = "GET", .url = url, .hdrs = hdrs, .timeout_ms = pr_tout()};
	json_t *j = NULL;
	if (hclient_do(&q))
		snprintf(err, cap, "failed to get %s from %s: %s", what, base, q.errmsg);
	else if (q.status != 200)
		snprintf(err, cap, "failed to get %s from %s: status %d", what, base, q.status);
	else {
		json_error_t je;
		j = jsonx_loadb(q.resp.p, q.resp.len, &je);
		if (!j)
			snprintf(err, cap, "failed to get %s from %s: %s", what, base, je.text);
	}
	hreq_fini(&q);
	return j;
}

static smap_t *pr_smap_valid(json_t *j, char *err, size_t cap)
{
	smap_t *m = j ? smap_from_json(j, err, cap) : NULL;
	const snode_t *p = m ? smap_primary(m) : NULL;
	if (m && (!m->uuid[0] || m->version <= 0 || !p || p->type != 'p')) {
		snprintf(err, cap, "invalid Smap v%lld (UUID \"%s\", primary \"%s\")", (long long)m->version, m->uuid,
			 m->primary_id);
		smap_free(m);
		m = NULL;
	}
	return m;
}

/* a POST /v1/daemon/primary-force round over the nodes of src; 0 or AIS_E* with msg */
static int pr_force_bc(const smap_t *src, bool prepare, json_t *value, char *msg, size_t cap)
{
	json_t *am = json_pack("{s:s, s:O}", "action", METASYNC_ACT_FORCE, "value", value);
	char *body = am ? jsonx_dumps(am) : NULL, path[80];
	json_decref(am);
	if (!body) {
		snprintf(msg, cap, "out of memory");
		return AIS_ENOMEM;
	}
	snprintf(path, sizeof(path), "/v1/daemon/primary-force?prp=%s", prepare ? "true" : "false");
	pr_bc_t bc;
	int rc = pr_bc_run(&bc, src, "POST", path, body);
	free(body);
	for (int i = 0; !rc && i < bc.n; i++) {
		if (!bc.q[i].rc && bc.q[i].status == 200)
			continue;
		char e[256];
		pr_bc_err(&bc, i, e, sizeof(e));
		snprintf(msg, cap, "node %c[%s] failed %s: %s", bc.who[i]->type, bc.who[i]->id,
			 prepare ? "to contact the new primary in the prepare phase" : "to commit", e);
		rc = AIS_EUNAVAIL;
	}
	pr_bc_fini(&bc);
	return rc;
}

static void pr_force_join(http_req_t *r, const char *npid, const char *nurl)
{
	char err[512] = "", msg[1024] = "", ss[160], ns_s[160];
	json_t *jn = NULL, *ncm = NULL, *backup = NULL;
	smap_t *cur = smap_get(), *nsmap = NULL;
	int status = 400;
	/* 2. the destination Smap */
	jn = pr_get_json(nurl, "smap", err, sizeof(err));
	if (!jn || !(nsmap = pr_smap_valid(jn, err, sizeof(err)))) {
		status = 503;
		snprintf(msg, sizeof(msg), "force-join %s to designated primary p[%s] at %s: %s", node_name(), npid, nurl, err);
		goto out;
	}
	smap_str(cur, ss, sizeof(ss));
	smap_str(nsmap, ns_s, sizeof(ns_s));
	const snode_t *npsi = smap_primary(nsmap);
	if (strcmp(npsi->id, npid)) {
		snprintf(msg, sizeof(msg), "%s: according to the destination %s designated primary p[%s] is not _the_ primary",
			 node_name(), ns_s, npid);
		goto out;
	}
	if (!strcmp(npsi->id, node_id())) {
		snprintf(msg, sizeof(msg), "%s: the destination %s names this proxy primary: nothing to join", node_name(), ns_s);
		goto out;
	}
	if (pr_check_flags(npsi, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "%s", err);
		goto out;
	}
	log_warn("force-join entire cluster [%s %s] to %s [p[%s] %s]", node_name(), ss,
		 strcmp(cur->uuid, nsmap->uuid) ? "a different cluster:" : "(split-brain):", npid, ns_s);
	/* 4. the destination's cluMeta */
	ncm = pr_get_json(npsi->ctl.url, "smapvote", err, sizeof(err));
	if (!ncm)
		ncm = pr_get_json(nurl, "smapvote", err, sizeof(err));
	smap_t *cms = ncm ? pr_smap_valid(json_object_get(ncm, "smap"), err, sizeof(err)) : NULL;
	if (!cms || !json_is_object(json_object_get(ncm, "bmd")) || !json_is_object(json_object_get(ncm, "config"))) {
		status = 503;
		snprintf(msg, sizeof(msg), "cannot force-join %s(self, primary) -> p[%s]: destination cluMeta: %s", node_name(),
			 npid, cms ? "missing BMD or config" : err);
		smap_free(cms);
		goto out;
	}
	if (strcmp(cms->uuid, nsmap->uuid) || cms->version != nsmap->version) {
		status = 409;
		snprintf(msg, sizeof(msg), "cannot force-join %s(self, primary) -> p[%s]: detected Smap change at the destination (v%lld vs v%lld)",
			 node_name(), npid, (long long)cms->version, (long long)nsmap->version);
		smap_free(cms);
		goto out;
	}
	smap_free(cms);
	/* 5. backup for the rollback */
	backup = metasync_payload();
	/* 6. prepare: every member reaches the destination primary */
	json_t *nsj = smap_to_json(nsmap);
	int rc = pr_force_bc(cur, true, nsj, err, sizeof(err));
	json_decref(nsj);
	if (rc) {
		status = 503;
		snprintf(msg, sizeof(msg), "force-join prepare: %s", err);
		goto out;
	}
	/* 7. adopt the destination's metadata; 8. join self */
	json_object_set_new(ncm, "action", json_string(METASYNC_ACT_FORCE));
	metasync_lock();
	rc = metasync_apply(ncm, true, err, sizeof(err));
	metasync_forget_acks();
	metasync_unlock();
	if (!rc) {
		rc = membership_join_via(npsi->ctl.url, false);
		if (rc && strcmp(npsi->ctl.url, npsi->pub.url))
			rc = membership_join_via(npsi->pub.url, false);
		if (rc) {
			sleep(1);
			rc = membership_join_via(npsi->ctl.url, false);
		}
	}
	if (rc) {
		/* rollback: our own metadata back (the Smap names us primary again) */
		json_object_set_new(backup, "action", json_string(METASYNC_ACT_FORCE));
		metasync_lock();
		metasync_apply(backup, true, msg, sizeof(msg));
		metasync_unlock();
		status = 503;
		snprintf(msg, sizeof(msg), "force-join: %s failed to join p[%s]: %s (rolled back)", node_name(), npid,
			 err[0] ? err : err_str(rc));
		goto out;
	}
	hb_heard(npid);
	/* 9. commit: every member of our former cluster does the same */
	json_object_del(ncm, "action");
	if (pr_force_bc(cur, false, ncm, err, sizeof(err))) {
		status = 500;
		snprintf(msg, sizeof(msg), "force-join commit: %s", err);
		goto out;
	}
	sleep(1);
	/* 10. the destination primary bumps and pushes everything */
	char url[320], hdrs[NODE_HDRS_MAX], body[128];
	snprintf(body, sizeof(body), "{\"action\":\"bump-metasync\",\"value\":%lld}", (long long)cur->version);
	node_sender_hdrs(hdrs, sizeof(hdrs));
	rc = AIS_EUNAVAIL;
	for (int i = 0; i < 2 && rc; i++) {
		snprintf(url, sizeof(url), "%s/v1/cluster", i ? npsi->pub.url : npsi->ctl.url);
		hreq_t q = {.method = "PUT", .url = url, .body = body, .body_len = strlen(body), .hdrs = hdrs,
			    .timeout_ms = pr_tout() + 1000};
		rc = hclient_do(&q);
		if (!rc && q.status != 200) {
			rc = AIS_EUNAVAIL;
			snprintf(err, sizeof(err), "status %d %.200s", q.status, sbuf_str(&q.resp));
		} else if (rc) {
			snprintf(err, sizeof(err), "%s", q.errmsg);
		}
		hreq_fini(&q);
	}
	if (rc) {
		status = 500;
		snprintf(msg, sizeof(msg), "%s: failed to \"bump\" metasync => p[%s]: %s", node_name(), npid, err);
		goto out;
	}
	log_warn("force-join: %s and its cluster joined p[%s]", node_name(), npid);
	status = 200;
out:
	if (status == 200)
		http_respond(r, 200, NULL, NULL, 0);
	else
		http_error(r, status, NULL, "%s", msg);
	json_decref(jn);
	json_decref(ncm);
	json_decref(backup);
	smap_free(nsmap);
	smap_put(cur);
}

void primary_set(http_req_t *r, const char *npid)
{
	char ss[160], msg[300];
	smap_t *cur = smap_get();
	smap_str(cur, ss, sizeof(ss));
	if (!cur || !node_is_primary()) {
		smap_put(cur);
		http_error(r, 503, NULL, "%s is (already?) not primary, please review cluster map for changes (%s) and try again",
			   node_name(), ss);
		return;
	}
	if (!strcmp(npid, node_id())) {
		smap_put(cur);
		log_warn("%s (self) is already primary, nothing to do", node_name());
		http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	const snode_t *n = smap_find(cur, npid);
	const snode_t *npsi = n && n->type == 'p' ? n : NULL;
	if (!npsi) {
		/* a) another cluster (or split brain), with force */
		const char *nurl = http_query_get(r, "can");
		bool frc = http_query_bool(r, "frc");
		smap_put(cur);
		if (!frc || !nurl || !*nurl) {
			http_error(r, 404, "ErrNodeNotFound", "%s: set-primary failure ('%s' query is %s): node %c[%s] not present in the %s",
				   node_name(), !frc ? "frc" : "can", !frc ? "false" : "empty", n ? n->type : 'p', npid, ss);
			return;
		}
		if (__atomic_exchange_n(&pr_setting, 1, __ATOMIC_ACQ_REL)) {
			http_error(r, 409, NULL, "setting new primary is already in progress, cannot use force");
			return;
		}
		pr_force_join(r, npid, nurl);
		__atomic_store_n(&pr_setting, 0, __ATOMIC_RELEASE);
		return;
	}
	/* b) regular set-primary, same cluster */
	int rc = pr_check_flags(npsi, msg, sizeof(msg));
	smap_put(cur);
	if (rc) {
		http_error(r, 400, NULL, "%s", msg);
		return;
	}
	if (__atomic_exchange_n(&pr_setting, 1, __ATOMIC_ACQ_REL)) {
		http_error(r, 409, NULL, "setting new primary is already in progress");
		return;
	}
	pr_set(r, npid);
	__atomic_store_n(&pr_setting, 0, __ATOMIC_RELEASE);
}

void primary_bump_metasync(http_req_t *r, json_t *msg)
{
	json_t *v = json_object_get(msg, "value");
	int64_t victim = json_is_number(v) ? (int64_t)json_number_value(v)
					   : json_is_string(v) ? atoll(json_string_value(v)) : 0;
	if (!node_is_primary()) {
		http_error(r, 400, NULL, "%s: bump-metasync: not primary", node_name());
		return;
	}
	metasync_lock();
	smap_t *cur = smap_get(), *m = cur ? smap_clone(cur) : NULL;
	if (!m) {
		smap_put(cur);
		metasync_unlock();
		http_error(r, 500, NULL, "bump-metasync: out of memory");
		return;
	}
	int64_t nver = (cur->version > victim ? cur->version : victim) + 100;
	log_warn("metasync \"bumped\" Smap %lld => %lld", (long long)cur->version, (long long)nver);
	smap_put(cur);
	m->version = nver;
	smap_install(m, true);
	metasync_forget_acks();
	int failed = metasync_push_all(METASYNC_ACT_FORCE);
	metasync_unlock();
	if (failed)
		log_warn("bump-metasync: %d node(s) did not ack yet", failed);
	http_respond(r, 200, NULL, NULL, 0);
}
