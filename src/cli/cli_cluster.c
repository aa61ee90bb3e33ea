/* cli_cluster: `ais cluster add-remove-nodes start-maintenance|stop-maintenance|decommission
 * NODE_ID`: PUT /v1/cluster {"action": "start-maintenance"|"stop-maintenance"|
 * "decommission-node", "value": apc.ActValRmNode} as AIStore's api.StartMaintenance et al.
 * (proxies too: a proxy in maintenance is never elected primary).
 * This version has no rebalance: the command says so and what it means for the node's objects.
 * `ais cluster set-primary NODE_ID [URL] [--force]`: see cli_cluster_setprimary below. */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_cluster_maint(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting NODE_ID");
	const char *cmd = c->cmd->name;
	bool decomm = !strcmp(cmd, "decommission"), start = !strcmp(cmd, "start-maintenance");
	if (!decomm && (cli_flag(c, "no-shutdown") || cli_flag(c, "rm-user-data")))
		return cli_err(c, "option '--%s' is valid only for decommissioning",
			       cli_flag(c, "no-shutdown") ? "no-shutdown" : "rm-user-data");
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	bool isp = false;
	int rc = 0;
	json_t *sn = cli_api_smap_node(smap, c->args[0], &isp);
	char sname[128], prompt[256];
	if (!sn) {
		rc = cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", c->args[0]);
		goto out;
	}
	const char *sid = json_string_value(json_object_get(sn, "daemon_id"));
	cli_api_sname(sid, isp, sname, sizeof(sname));
	const char *pid = json_string_value(json_object_get(json_object_get(smap, "proxy_si"), "daemon_id"));
	if (pid && !strcmp(pid, sid)) {
		rc = cli_err(c, "%s is primary (cannot %s the primary node)", sname, cmd);
		goto out;
	}
	if (!cli_flag(c, "yes") && c->in_tty) {
		if (start)
			snprintf(prompt, sizeof(prompt), "about to put %s in maintenance mode. Proceed?", sname);
		else if (decomm)
			snprintf(prompt, sizeof(prompt), "about to permanently decommission %s. The operation cannot be undone! Proceed?",
				 sname);
		else
			snprintf(prompt, sizeof(prompt), "Take %s out of maintenance mode", sname);
		if (!cli_confirm(c, prompt))
			goto out;
	}
	json_t *msg = json_pack("{s:s, s:{s:s, s:b, s:b, s:b, s:b}}", "action", decomm ? "decommission-node" : cmd, "value",
				"sid", sid, "skip_rebalance", cli_flag(c, "no-rebalance") || isp, "rm_user_data",
				cli_flag(c, "rm-user-data"), "keep_initial_config", cli_flag(c, "keep-initial-config"),
				"no_shutdown", cli_flag(c, "no-shutdown"));
	char *body = jsonx_dumps(msg);
	json_decref(msg);
	cli_req_t r = {.method = "PUT", .path = "/v1/cluster", .body = body, .body_len = strlen(body), .fd = -1,
		       .timeout_ms = 60000};
	rc = cli_api_do(c, &r);
	free(body);
	if (!rc) {
		if (r.resp.len) /* a rebalance ID, once rebalance exists */
			printf("Started rebalance \"%.*s\" (to monitor, run 'ais show rebalance').\n", (int)r.resp.len, r.resp.p);
		if (start) {
			printf("%s is now in maintenance mode\n", sname);
			if (!isp)
				printf("Note: no rebalance (not implemented in this version): the objects stored on %s stay on its disks "
				       "and are unavailable until 'ais cluster add-remove-nodes stop-maintenance %s'\n",
				       sname, sid);
		} else if (decomm) {
			printf("%s has been decommissioned (permanently removed from the cluster)\n", sname);
			if (!isp)
				printf("Note: no rebalance (not implemented in this version): the objects stored on %s are no longer "
				       "reachable through the cluster.\n", sname);
			printf("The node's aisnode process shuts down; its data stays on its mountpaths (a restarted node "
			       "joins again).\n");
		} else {
			printf("%s is now active\n", sname);
		}
	}
	cli_req_fini(&r);
out:
	json_decref(smap);
	return rc;
}

/* `ais cluster set-primary NODE_ID [URL] [--force]`: PUT /v1/cluster/proxy/<id>[?frc=true]
 * [&can=URL] (AIStore's api.SetPrimary). Without --force: an orderly handover to an electable
 * proxy of this cluster. With --force and a NODE_ID this cluster does not know: force-join this
 * whole cluster to the cluster led by NODE_ID at URL (split-brain recovery, merging clusters). */
static int setprimary_url_ok(const char *u)
{
	const char *h = !strncmp(u, "http://", 7) ? u + 7 : !strncmp(u, "https://", 8) ? u + 8 : NULL;
	return h && *h && *h != '/' && *h != ':';
}

int cli_cluster_setprimary(cli_ctx_t *c)
{
	if (c->nargs == 0)
		return cli_args_usage_err(c, "missing arguments \"NODE_ID [URL]\"");
	if (c->nargs > 2)
		return cli_args_usage_err(c, "too many arguments");
	const char *url = c->nargs == 2 ? c->args[1] : NULL;
	if (url && !setprimary_url_ok(url))
		return cli_err(c, "invalid URL \"%s\": expecting full URL, e.g. http://host:port", url);
	bool force = cli_flag(c, "force");
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	bool isp = false;
	int rc = 0;
	char sname[128], pid[128];
	json_t *sn = cli_api_smap_node(smap, c->args[0], &isp);
	if (!sn) {
		const char *a = c->args[0];
		if (!force) {
			rc = cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", a);
			goto out;
		}
		if (!url) {
			rc = cli_err(c, "force-joining source cluster to destination cluster requires destination primary URL");
			goto out;
		}
		if (!strncmp(a, "t[", 2)) {
			rc = cli_args_usage_err(c, "expecting proxy ID or name, got target %s", a);
			goto out;
		}
		size_t l = strlen(a);
		if (!strncmp(a, "p[", 2) && l > 3 && a[l - 1] == ']')
			snprintf(pid, sizeof(pid), "%.*s", (int)(l - 3), a + 2);
		else
			snprintf(pid, sizeof(pid), "%s", a);
		cli_api_sname(pid, true, sname, sizeof(sname));
		const char *suuid = json_string_value(json_object_get(smap, "uuid"));
		json_t *ps = json_object_get(smap, "proxy_si");
		fprintf(stderr,
			"Warning: about to force-join cluster (UUID=%s, primary=[%s, %s]) to a different cluster where primary=[%s, %s]\n"
			"Prerequisite: destination cluster rebalance must be disabled, e.g.:\n"
			"  AIS_ENDPOINT=%s ais config cluster rebalance.enabled false\n",
			suuid ? suuid : "", jsonx_str(ps, "daemon_id", ""), cli_api_node_url(ps) ? cli_api_node_url(ps) : "", pid,
			url, url);
		if (c->in_tty && !cli_flag(c, "yes") && !cli_confirm(c, "The operation cannot be undone. Proceed?"))
			goto out;
	} else {
		const char *sid = json_string_value(json_object_get(sn, "daemon_id"));
		snprintf(pid, sizeof(pid), "%s", sid ? sid : c->args[0]);
		cli_api_sname(pid, isp, sname, sizeof(sname));
		if (!isp) {
			rc = cli_args_usage_err(c, "%s is not a proxy", sname);
			goto out;
		}
		int64_t fl = json_integer_value(json_object_get(sn, "flags"));
		if (!force && (fl & 4)) {
			rc = cli_err(c, "%s is currently in maintenance", sname);
			goto out;
		}
		if (!force && (fl & 8)) {
			rc = cli_err(c, "%s is currently being decommissioned", sname);
			goto out;
		}
		if (!force && (fl & 1)) {
			rc = cli_err(c, "%s is non-electable", sname);
			goto out;
		}
	}
	sbuf_t path = SBUF_INIT, q = SBUF_INIT;
	char *epid = url_encode(pid, false);
	sbuf_addf(&path, "/v1/cluster/proxy/%s", epid ? epid : pid);
	free(epid);
	if (force)
		sbuf_adds(&q, "frc=true");
	if (url) {
		char *eu = url_encode(url, false);
		sbuf_addf(&q, "%scan=%s", q.len ? "&" : "", eu ? eu : url);
		free(eu);
	}
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&path), .query = q.len ? sbuf_str(&q) : NULL, .fd = -1,
		       .timeout_ms = 120000};
	rc = cli_api_do(c, &r);
	if (!rc) {
		if (force)
			printf("%s%s%s%s is now a new primary (set with force)\n", sname, url ? " (at " : "", url ? url : "",
			       url ? ")" : "");
		else
			printf("%s is now a new primary\n", sname);
	}
	cli_req_fini(&r);
	sbuf_fini(&path);
	sbuf_fini(&q);
out:
	json_decref(smap);
	return rc;
}
