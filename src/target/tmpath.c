/* tmpath: the target's mountpath API (AIStore's api/daemon.go AttachMountpath, EnableMountpath,
 * DisableMountpath, DetachMountpath; ais/tgtcp.go handleMpathReq, ais/fspathrgrp.go):
 *   PUT    /v1/daemon/mountpaths {"action":"attach-mp","value":"/path"}
 *   POST   /v1/daemon/mountpaths {"action":"enable-mp"|"disable-mp","value":"/path"}[?dntres=true]
 *   DELETE /v1/daemon/mountpaths {"action":"detach-mp","value":"/path"}[?dntres=true]
 * Attach and enable add the mountpath to placement at once (bucket directories created) and
 * start a resilver that moves objects onto it; reads find the not-yet-moved ones on the other
 * mountpaths meanwhile. Disable and detach first take the mountpath out of placement (waiting_dd:
 * still read and walked), the resilver moves its objects away and then disables/detaches it
 * (fs_dd_commit); with dntres=true (or resilver.enabled false) it is disabled/detached at once.
 * Each event preempts a running resilver (the new one covers every mountpath). Nothing to do (an
 * enabled mountpath enabled again, a disabled one disabled): 204. Errors: 404 unknown
 * mountpath, 400 otherwise (AIStore's). Runs on the pool (resilver start waits for a preempted
 * one to stop). Not persisted in the local config: a restart starts from its fspaths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "fs/fs.h"
#include "net/route.h"
#include "target/tgt_int.h"
#include "xact/xact.h"

static void mp_bck_dirs(const char *path)
{
	bmd_t *m = bmd_get();
	char p[FQN_MAX];
	for (int i = 0; m && i < m->nbcks; i++) {
		const bck_t *b = &m->bcks[i];
		if (fqn_ct_dir(p, sizeof(p), path, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0)
			fsops_mkdir_p(p);
		if (fqn_ct_dir(p, sizeof(p), path, b->provider, b->ns, b->name, FQN_CT_WORK) > 0)
			fsops_mkdir_p(p);
	}
	bmd_put(m);
}

static bool mp_resilver_on(void)
{
	const config_t *c = config_get();
	bool on = c && c->resilver_enabled;
	config_put(c);
	return on;
}

static bool mp_resilver_running(void)
{
	json_t *run = xact_reg_running("resilver");
	bool on = json_array_size(run) > 0;
	json_decref(run);
	return on;
}

/* preempt a running resilver and start one for action (logged); 0 or AIS_E* */
static int mp_resilver(const char *action, const char *path)
{
	char err[XACT_ERR_MAX];
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	xact_t *x = NULL;
	int rc = xact_reg_start(xact_table_find("resilver"), &a, &x, err, sizeof(err));
	if (rc) {
		log_err("%s %s: cannot start resilver: %s", action, path, err);
		return rc;
	}
	log_info("%s %s: resilver[%s] started", action, path, xact_id(x));
	xact_put(x);
	return 0;
}

static int mp_status(int rc) { return rc == AIS_ENOTFOUND ? 404 : 400; }

static void mp_cb(http_req_t *r)
{
	json_error_t je;
	char err[512] = "";
	json_t *msg = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	const char *action = jsonx_str(msg, "action", "");
	json_t *v = json_object_get(msg, "value");
	const char *dq = http_query_get(r, "dntres");
	bool dntres = dq && !strcmp(dq, "true");
	if (!json_is_object(msg)) {
		http_error(r, 400, NULL, "failed to unmarshal JSON action message: %s", msg ? "not an object" : je.text);
		goto out;
	}
	if (v && !json_is_string(v)) {
		http_error(r, 400, NULL, "invalid mountpath value in request");
		goto out;
	}
	const char *path = json_string_value(v);
	if (!path || !*path) {
		http_error(r, 400, NULL, "mountpath is not defined");
		goto out;
	}
	bool attach = !strcmp(action, "attach-mp"), enable = !strcmp(action, "enable-mp");
	bool disable = !strcmp(action, "disable-mp"), detach = !strcmp(action, "detach-mp");
	http_method_t want = attach ? HTTP_M_PUT : detach ? HTTP_M_DELETE : HTTP_M_POST;
	if ((!attach && !enable && !disable && !detach) || r->method != want) {
		http_error(r, 400, NULL, "invalid action \"%s\" (method %s) for /v1/daemon/mountpaths", action, r->method_str);
		goto out;
	}
	bool res = !dntres && mp_resilver_on();
	int rc;
	if (attach || enable) {
		int i = fs_find(path);
		bool noop = i >= 0 && fs_avail(i);
		if (attach && noop) {
			http_respond(r, 200, NULL, NULL, 0); /* attached already */
			goto out;
		}
		rc = attach ? fs_add(path, err, sizeof(err)) : fs_enable(path, err, sizeof(err));
		if (rc) {
			http_error(r, rc == AIS_EEXIST ? 400 : mp_status(rc), NULL, "%s: %s", node_name(), err);
			goto out;
		}
		if (enable && noop) {
			http_respond(r, 204, NULL, NULL, 0);
			goto out;
		}
		mp_bck_dirs(path);
		log_info("%s: %s %s", node_name(), action, path);
		if (res)
			mp_resilver(action, path);
		http_respond(r, 200, NULL, NULL, 0);
		goto out;
	}
	/* disable / detach */
	if (dntres && mp_resilver_running()) {
		http_error(r, 400, NULL,
			   "cannot use --no-resilver (or the respective query parameter) while resilver is in progress");
		goto out;
	}
	int i = fs_find(path);
	if (i < 0) {
		http_error(r, 404, NULL, "%s: mountpath %s does not exist", node_name(), path);
		goto out;
	}
	if (disable && fs_state(i) == FS_DISABLED) {
		http_respond(r, 204, NULL, NULL, 0);
		goto out;
	}
	if (fs_avail(i) && fs_num_avail() == 1) {
		http_error(r, 400, NULL, "%s: cannot %s %s: it is the last available mountpath", node_name(),
			   disable ? "disable" : "detach", path);
		goto out;
	}
	if (!res || !fs_avail(i)) { /* at once (or finishing one that waits: no data to move from it) */
		rc = disable ? fs_disable(path, err, sizeof(err)) : fs_detach(path, err, sizeof(err));
		if (rc) {
			http_error(r, mp_status(rc), NULL, "%s: %s", node_name(), err);
			goto out;
		}
		log_info("%s: %s %s (no resilver)", node_name(), action, path);
		http_respond(r, 200, NULL, NULL, 0);
		goto out;
	}
	rc = disable ? fs_begin_dd(path, err, sizeof(err)) : fs_begin_detach(path, err, sizeof(err));
	if (rc) {
		http_error(r, mp_status(rc), NULL, "%s: %s", node_name(), err);
		goto out;
	}
	log_info("%s: %s %s: moving its objects away first", node_name(), action, path);
	if (mp_resilver(action, path)) { /* no resilver: do it now rather than leave it half-way */
		disable ? fs_disable(path, err, sizeof(err)) : fs_detach(path, err, sizeof(err));
	}
	http_respond(r, 200, NULL, NULL, 0);
out:
	json_decref(msg);
}

static void mp_route(http_req_t *r) { http_read_body(r, 64 * 1024, mp_cb, true); }

void tmpath_init(void)
{
	route_add(RM(HTTP_M_PUT) | RM(HTTP_M_POST) | RM(HTTP_M_DELETE), "/v1/daemon/mountpaths", mp_route);
}
