/* pmaint: cluster membership actions at the proxy (AIStore's api.StartMaintenance,
 * StopMaintenance, DecommissionNode): PUT /v1/cluster {"action":"start-maintenance" |
 * "stop-maintenance" | "decommission-node", "value":{"sid":ID, ...}} (apc.ActValRmNode).
 * On the primary, under metasync_lock: clone the Smap, set or clear SNODE_MAINT (start/stop) or
 * remove the node (decommission), metasync_commit_smap. Other proxies forward to the primary.
 * There is no rebalance in this version: the response body is the (empty) rebalance ID, and
 * a target in maintenance keeps its objects on disk but HRW placement skips it. The primary
 * itself cannot be put in maintenance or decommissioned. */
#include "proxy/proxy.h"
#include "core/jsonx.h"
#include "cluster/metasync.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/log.h"
#include "net/hclient.h"

#include <string.h>

/* a decommissioned node leaves: ask it to shut down (as AIStore's node does on decommission),
 * so it does not rejoin through its next keepalive. Best effort: a node that is already down
 * simply stays out of the map. */
static void pmaint_shutdown(const char *ctl_url, const char *sname)
{
	char url[300];
	static const char body[] = "{\"action\":\"shutdown-node\"}";
	snprintf(url, sizeof(url), "%s/v1/daemon", ctl_url);
	hreq_t q = {.method = "PUT", .url = url, .body = body, .body_len = sizeof(body) - 1, .timeout_ms = 3000};
	if (hclient_do(&q) || q.status != 200)
		log_warn("decommission: could not ask %s to shut down (%s)", sname, q.errmsg[0] ? q.errmsg : "status");
	hreq_fini(&q);
}

static void pmaint_do(http_req_t *r, json_t *msg)
{
	const char *action = jsonx_str(msg, "action", "");
	json_t *v = json_object_get(msg, "value");
	const char *sid = json_string_value(jsonx_get_ci(v, "sid")); /* ActValRmNode, keys in any case */
	if (!sid || !*sid) {
		http_error(r, 400, NULL, "%s: missing node ID (\"value\": {\"sid\": ...})", action);
		return;
	}
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	metasync_lock();
	smap_t *cur = smap_get();
	const snode_t *n = cur ? smap_find(cur, sid) : NULL;
	char sname[SNODE_ID_MAX + 4];
	snprintf(sname, sizeof(sname), "%c[%s]", n ? n->type : 't', sid);
	int status = 0;
	char err[256] = "";
	if (!n) {
		status = 404;
		snprintf(err, sizeof(err), "node %s does not exist", sid);
	} else if (cur && !strcmp(cur->primary_id, sid)) {
		status = 400;
		snprintf(err, sizeof(err), "%s is primary (cannot %s the primary node)", sname, action);
	} else if (!strcmp(action, "start-maintenance") && (n->flags & SNODE_MAINT)) {
		status = 400;
		snprintf(err, sizeof(err), "%s is already in maintenance", sname);
	} else if (!strcmp(action, "stop-maintenance") && !(n->flags & (SNODE_MAINT | SNODE_MAINT_POSTREB))) {
		status = 400;
		snprintf(err, sizeof(err), "%s is not in maintenance", sname);
	}
	if (status) {
		smap_put(cur);
		metasync_unlock();
		http_error(r, status, status == 404 ? "ErrNodeNotFound" : NULL, "%s", err);
		return;
	}
	smap_t *m = smap_clone(cur);
	smap_put(cur);
	if (!m) {
		metasync_unlock();
		http_error(r, 500, NULL, "%s: out of memory", action);
		return;
	}
	char ctl_url[sizeof(n->ctl.url)] = "";
	if (!strcmp(action, "decommission-node")) {
		snprintf(ctl_url, sizeof(ctl_url), "%s", smap_find(m, sid)->ctl.url);
		smap_remove(m, sid);
	} else {
		snode_t nn = *smap_find(m, sid);
		if (!strcmp(action, "start-maintenance"))
			nn.flags |= SNODE_MAINT;
		else
			nn.flags &= ~(uint64_t)(SNODE_MAINT | SNODE_MAINT_POSTREB | SNODE_DECOMM);
		smap_upsert(m, &nn);
	}
	int failed = metasync_commit_smap(m);
	metasync_unlock();
	if (ctl_url[0])
		pmaint_shutdown(ctl_url, sname);
	log_info("%s %s: done (no rebalance in this version)%s", action, sname, failed ? "; some nodes did not ack yet" : "");
	http_respond(r, 200, NULL, NULL, 0); /* no rebalance: empty xaction ID */
}

int pmaint_init(void)
{
	pclu_action_add("start-maintenance", pmaint_do);
	pclu_action_add("stop-maintenance", pmaint_do);
	pclu_action_add("decommission-node", pmaint_do);
	return 0;
}
