/* pmaint: node lifecycle at the proxy (AIStore's ais/prxclu.go rmNode, stopMaintenance,
 * rmNodeFinal; docs/lifecycle_node.md): PUT /v1/cluster {"action": "start-maintenance" |
 * "shutdown-node" | "decommission-node" | "stop-maintenance", "value": apc.ActValRmNode
 * {"sid","skip_rebalance","rm_user_data","keep_initial_config","no_shutdown"} (keys in any case)}.
 *
 *   start-maintenance / shutdown-node / decommission-node (a target, rebalance on):
 *     Smap: flags |= maintenance(4) | decommission(8) ──metasync (+ RMD g<N>, preb.c)──► answer "g<N>"
 *       ... rebalance g<N> drains the node (HRW skips flagged targets) ...
 *     preb's watcher, once g<N> is done everywhere ──► pmaint_final:
 *       maintenance: flags |= post-rebalance(16); shutdown: the node is asked to exit, then 16;
 *       decommission: the node wipes itself (rm_user_data) and exits, the Smap drops it
 *   skip_rebalance, rebalance disabled, a proxy, or a node already in maintenance: the final step
 *   runs at once (no rebalance ID in the answer).
 *   stop-maintenance: the node must answer its health check; flags cleared ──► rebalance g<N+1>
 *   moves its objects back ("g<N+1>" answered).
 * Errors as AIStore's: unknown node 404 "p[..]: node X does not exist"; the primary itself 400
 * "p[..] is the current primary, cannot perform action ... on itself"; already in maintenance 400
 * "t[..] is already in maintenance mode"; stop-maintenance of an active node 400 "node t[..] is
 * not in maintenance mode - nothing to do". On the primary only (others forward), Smap changes
 * under metasync_lock. */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/metasync.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/rmd.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/hclient.h"

typedef struct pmaint_req {
	const char *action;
	char sid[SNODE_ID_MAX];
	bool skip_reb, rm_user_data, keep_initial_config, no_shutdown;
	json_t *value; /* borrowed */
} pmaint_req_t;

static bool pmaint_is(const char *a, const char *b) { return !strcmp(a, b); }

/* apc.ActValRmNode; 0 or responds 400 */
static int pmaint_parse(http_req_t *r, json_t *msg, pmaint_req_t *q)
{
	memset(q, 0, sizeof(*q));
	q->action = jsonx_str(msg, "action", "");
	json_t *v = json_object_get(msg, "value");
	q->value = v;
	if (v && !json_is_null(v) && !json_is_object(v)) {
		http_error(r, 400, NULL, "%s: failed to unmarshal %s action's value (apc.ActValRmNode): expecting an object",
			   node_name(), q->action);
		return AIS_EINVAL;
	}
	static const struct {
		const char *key;
		size_t off;
	} bools[] = {
		{"skip_rebalance", offsetof(pmaint_req_t, skip_reb)},
		{"rm_user_data", offsetof(pmaint_req_t, rm_user_data)},
		{"keep_initial_config", offsetof(pmaint_req_t, keep_initial_config)},
		{"no_shutdown", offsetof(pmaint_req_t, no_shutdown)},
	};
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		json_t *b = jsonx_get_ci(v, bools[i].key);
		if (b && !json_is_null(b) && !json_is_boolean(b)) {
			http_error(r, 400, NULL, "%s: failed to unmarshal %s action's value (apc.ActValRmNode): \"%s\" must be a boolean",
				   node_name(), q->action, bools[i].key);
			return AIS_EINVAL;
		}
		*(bool *)((char *)q + bools[i].off) = json_is_true(b);
	}
	json_t *sid = jsonx_get_ci(v, "sid");
	if (sid && !json_is_null(sid) && !json_is_string(sid)) {
		http_error(r, 400, NULL, "%s: failed to unmarshal %s action's value (apc.ActValRmNode): \"sid\" must be a string",
			   node_name(), q->action);
		return AIS_EINVAL;
	}
	const char *s = json_string_value(sid);
	if (!s || !*s) {
		http_error(r, 400, NULL, "%s: missing node ID (\"value\": {\"sid\": ...})", q->action);
		return AIS_EINVAL;
	}
	if (strlen(s) >= sizeof(q->sid)) {
		http_error(r, 404, "ErrNodeNotFound", "%s: node %.64s does not exist", node_name(), s);
		return AIS_EINVAL;
	}
	snprintf(q->sid, sizeof(q->sid), "%s", s);
	return 0;
}

static bool pmaint_reb_enabled(void)
{
	const config_t *c = config_get();
	bool on = c && c->rebalance_enabled;
	config_put(c);
	return on;
}

/* PUT <node>/v1/daemon {"action": action[, "value": opts]}: best effort, the node may exit before
 * it answers */
static void pmaint_tell(const snode_t *n, const char *action, json_t *opts)
{
	char url[300];
	snprintf(url, sizeof(url), "%s/v1/daemon", n->ctl.url);
	json_t *m = json_pack("{s:s}", "action", action);
	if (m && opts)
		json_object_set(m, "value", opts);
	char *body = m ? jsonx_dumps(m) : NULL;
	json_decref(m);
	if (!body)
		return;
	hreq_t q = {.method = "PUT", .url = url, .body = body, .body_len = strlen(body), .timeout_ms = 5000};
	if (hclient_do(&q) || q.status != 200)
		log_warn("%s: could not tell %c[%s] to %s (%s)", node_name(), n->type, n->id, action,
			 q.errmsg[0] ? q.errmsg : "status");
	hreq_fini(&q);
	free(body);
}

/* under metasync_lock: commit the Smap with sid's flags changed (set, clr) or the node removed;
 * in (may be NULL) names the cause for the rebalance trigger (preb_on_smap). 0 or AIS_ENOTFOUND */
static int pmaint_commit(const char *sid, uint64_t set, uint64_t clr, bool remove, preb_intent_t *in)
{
	smap_t *cur = smap_get();
	smap_t *m = cur ? smap_clone(cur) : NULL;
	smap_put(cur);
	if (!m)
		return AIS_ENOMEM;
	const snode_t *n = smap_find(m, sid);
	if (!n) {
		smap_free(m);
		return AIS_ENOTFOUND;
	}
	if (remove) {
		smap_remove(m, sid);
	} else {
		snode_t nn = *n;
		nn.flags = (nn.flags | set) & ~clr;
		smap_upsert(m, &nn);
	}
	preb_intent(in);
	int lag = metasync_commit_smap(m);
	preb_intent(NULL);
	if (lag)
		log_warn("%s: %d node(s) did not ack the Smap yet", sid, lag);
	return 0;
}

int pmaint_final(const char *action, const char *sid, json_t *opts, bool after_reb, char *err, size_t cap)
{
	smap_t *m = smap_get();
	const snode_t *n = m ? smap_find(m, sid) : NULL;
	snode_t node;
	if (n)
		node = *n;
	smap_put(m);
	if (!n) {
		snprintf(err, cap, "%s: node %s does not exist", node_name(), sid);
		return AIS_ENOTFOUND;
	}
	int rc = 0;
	if (pmaint_is(action, "decommission-node")) {
		pmaint_tell(&node, "decommission-node", opts);
		metasync_lock();
		rc = pmaint_commit(sid, 0, 0, true, NULL);
		metasync_unlock();
		log_info("%c[%s] decommissioned: removed from the cluster map", node.type, sid);
	} else if (pmaint_is(action, "shutdown-node") || pmaint_is(action, "start-maintenance")) {
		if (pmaint_is(action, "shutdown-node"))
			pmaint_tell(&node, "shutdown-node", NULL);
		/* only a target that was drained by a rebalance becomes "post-rebalance" */
		if (after_reb && node.type == 't' && (node.flags & SNODE_MAINT)) {
			metasync_lock();
			rc = pmaint_commit(sid, SNODE_MAINT_POSTREB, 0, false, NULL);
			metasync_unlock();
		}
	}
	if (rc)
		snprintf(err, cap, "%s %s: %s", action, sid, err_str(rc));
	return rc;
}

/* is a rebalance running on any target (AIStore's notifs.isRebRunning)? xid filled */
static bool pmaint_reb_running(char *xid, size_t cap)
{
	smap_t *m = smap_get();
	bool running = false;
	for (int i = 0; m && i < m->ntargets && !running; i++) {
		const snode_t *t = &m->targets[i];
		if (t->flags & SNODE_MAINT_POSTREB)
			continue;
		char url[256];
		snprintf(url, sizeof(url), "%s/v1/health?rebstatus=true", t->ctl.url);
		hreq_t q = {.method = "GET", .url = url, .timeout_ms = 2000};
		if (!hclient_do(&q) && q.status == 200) {
			json_t *j = jsonx_loadb(q.resp.p ? q.resp.p : "", q.resp.len, NULL);
			if (json_is_true(json_object_get(j, "running"))) {
				running = true;
				snprintf(xid, cap, "g%s", jsonx_str(j, "reb_id", "0"));
			}
			json_decref(j);
		}
		hreq_fini(&q);
	}
	smap_put(m);
	return running;
}

static void pmaint_answer(http_req_t *r, int64_t version)
{
	if (!version) {
		http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	char xid[32];
	rmd_xid(version, xid, sizeof(xid));
	http_respond(r, 200, "text/plain", xid, strlen(xid));
}

/* start-maintenance, shutdown-node, decommission-node (AIStore's rmNode) */
static void pmaint_rm(http_req_t *r, pmaint_req_t *q)
{
	char sname[SNODE_ID_MAX + 4], err[512] = "";
	smap_t *cur = smap_get();
	const snode_t *n = cur ? smap_find(cur, q->sid) : NULL;
	snode_t node;
	if (n)
		node = *n;
	bool primary = cur && !strcmp(cur->primary_id, q->sid);
	smap_put(cur);
	if (!n) {
		http_error(r, 404, "ErrNodeNotFound", "%s: node %s does not exist", node_name(), q->sid);
		return;
	}
	snprintf(sname, sizeof(sname), "%c[%s]", node.type, node.id);
	bool in_maint = node.flags & (SNODE_MAINT | SNODE_DECOMM);
	if (in_maint) { /* only (maintenance => decommission|shutdown) */
		if (pmaint_is(q->action, "start-maintenance")) {
			http_error(r, 400, NULL, "%s is %s", sname,
				   (node.flags & SNODE_MAINT) ? "already in maintenance mode" : "currently being decommissioned");
			return;
		}
		char xid[32];
		if (pmaint_reb_running(xid, sizeof(xid))) {
			http_error(r, 400, NULL, "rebalance[%s] is currently running, please try (%s %s) later", xid, q->action,
				   sname);
			return;
		}
		if (!(node.flags & SNODE_MAINT))
			log_err("Warning: %s is currently being decommissioned", sname);
	}
	if (primary) {
		http_error(r, 400, NULL, "%s is the current primary, cannot perform action \"%s\" on itself", node_name(),
			   q->action);
		return;
	}
	bool decomm = pmaint_is(q->action, "decommission-node");
	bool reb = node.type == 't' && !q->skip_reb && !in_maint && pmaint_reb_enabled();
	log_info("%s: %s(%s) reb=%d", node_name(), q->action, sname, reb);
	if (!in_maint) {
		preb_intent_t in = {.action = q->action, .sid = q->sid, .skip = !reb};
		metasync_lock();
		int rc = pmaint_commit(q->sid, decomm ? SNODE_DECOMM : SNODE_MAINT, 0, false, &in);
		metasync_unlock();
		if (rc) {
			http_error_code(r, rc, "%s: failed to %s %s: %s", node_name(), q->action, sname, err_str(rc));
			return;
		}
		if (in.version) { /* the final step runs once the rebalance is done */
			preb_post_add(in.version, q->action, q->sid, q->value);
			pmaint_answer(r, in.version);
			return;
		}
	}
	if (pmaint_final(q->action, q->sid, q->value, false, err, sizeof(err))) {
		http_error(r, 500, NULL, "%s: failed to %s %s: %s", node_name(), q->action, sname, err);
		return;
	}
	pmaint_answer(r, 0);
}

/* the node must be up before it goes back into service (AIStore probes it, retrying while it
 * starts); 0 or responds */
static int pmaint_probe(http_req_t *r, const snode_t *n, const char *sname)
{
	char url[300];
	snprintf(url, sizeof(url), "%s/v1/health", n->ctl.url);
	int status = 0;
	char msg[160] = "";
	for (int i = 0; i < 5; i++) {
		if (i)
			usleep(500 * 1000);
		hreq_t q = {.method = "GET", .url = url, .timeout_ms = 2000};
		int rc = hclient_do(&q);
		status = q.status;
		snprintf(msg, sizeof(msg), "%s", q.errmsg);
		hreq_fini(&q);
		if (!rc && status == 200)
			return 0;
		if (!rc && status != 503)
			break;
	}
	if (status == 503) {
		log_err("%s: node %s takes unusually long time to start - proceeding anyway", node_name(), sname);
		return 0;
	}
	http_error(r, 400, NULL, "%s is unreachable: %s(%d)", sname, msg[0] ? msg : "error", status);
	return AIS_EUNAVAIL;
}

static void pmaint_stop(http_req_t *r, pmaint_req_t *q)
{
	char sname[SNODE_ID_MAX + 4];
	smap_t *cur = smap_get();
	const snode_t *n = cur ? smap_find(cur, q->sid) : NULL;
	snode_t node;
	if (n)
		node = *n;
	smap_put(cur);
	if (!n) {
		http_error(r, 404, "ErrNodeNotFound", "%s: node %s does not exist", node_name(), q->sid);
		return;
	}
	snprintf(sname, sizeof(sname), "%c[%s]", node.type, node.id);
	if (!(node.flags & SNODE_MAINT)) {
		http_error(r, 400, NULL, "node %s is not in maintenance mode - nothing to do", sname);
		return;
	}
	if (pmaint_probe(r, &node, sname))
		return;
	preb_intent_t in = {.action = q->action, .sid = q->sid, .skip = q->skip_reb};
	metasync_lock();
	int rc = pmaint_commit(q->sid, 0, SNODE_MAINT | SNODE_MAINT_POSTREB, false, &in);
	metasync_unlock();
	if (rc) {
		http_error_code(r, rc, "%s: cannot take %s out of maintenance: %s", node_name(), sname, err_str(rc));
		return;
	}
	log_info("%s: %s is active again%s", node_name(), sname, in.version ? " (rebalancing)" : "");
	pmaint_answer(r, in.version);
}

static void pmaint_do(http_req_t *r, json_t *msg)
{
	pmaint_req_t q;
	if (pmaint_parse(r, msg, &q))
		return;
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	if (pmaint_is(q.action, "stop-maintenance"))
		pmaint_stop(r, &q);
	else
		pmaint_rm(r, &q);
}

int pmaint_init(void)
{
	pclu_action_add("start-maintenance", pmaint_do);
	pclu_action_add("stop-maintenance", pmaint_do);
	pclu_action_add("shutdown-node", pmaint_do);
	pclu_action_add("decommission-node", pmaint_do);
	return 0;
}
