/* cli_cluster: `ais cluster add-remove-nodes start-maintenance|stop-maintenance|shutdown|decommission
 * NODE_ID`: PUT /v1/cluster {"action": "start-maintenance"|"stop-maintenance"|
 * "decommission-node", "value": apc.ActValRmNode} as AIStore's api.StartMaintenance et al.
 * and "shutdown" (shutdown-node). With a rebalance (a target, without --no-rebalance) the answer is
 * its ID: "Started rebalance "g<N>" (to monitor, run 'ais show rebalance')." and AIStore's
 * messages for each action (cmd/cli/cli/cluster_hdlr.go at v1.4.7). */
#include "cli/cli.h"
#include "core/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_cluster_maint(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting NODE_ID");
	const char *cmd = c->cmd->name;
	bool decomm = !strcmp(cmd, "decommission"), start = !strcmp(cmd, "start-maintenance");
	bool shut = !strcmp(cmd, "shutdown"), stop = !strcmp(cmd, "stop-maintenance");
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
	bool skip = cli_flag(c, "no-rebalance") || isp;
	if (skip && !isp) {
		cli_warn(c, "executing \"%s\" _and_ not running global rebalance may lead to a loss of data!\n", cmd);
		printf("To rebalance the cluster manually at a later time, run: `ais start rebalance`\n");
	}
	if (!cli_flag(c, "yes") && c->in_tty) {
		if (start)
			snprintf(prompt, sizeof(prompt), "about to put %s in maintenance mode. Proceed?", sname);
		else if (decomm)
			snprintf(prompt, sizeof(prompt), "about to permanently decommission %s. The operation cannot be undone! Proceed?",
				 sname);
		else if (shut)
			snprintf(prompt, sizeof(prompt), "Shut down %s", sname);
		else
			snprintf(prompt, sizeof(prompt), "Take %s out of maintenance mode", sname);
		if (!cli_confirm(c, prompt))
			goto out;
	}
	const char *action = decomm ? "decommission-node" : shut ? "shutdown-node" : cmd;
	json_t *msg = json_pack("{s:s, s:{s:s, s:b, s:b, s:b, s:b}}", "action", action, "value", "sid", sid,
				"skip_rebalance", skip, "rm_user_data", decomm && cli_flag(c, "rm-user-data"),
				"keep_initial_config", decomm && cli_flag(c, "keep-initial-config"), "no_shutdown",
				decomm && cli_flag(c, "no-shutdown"));
	char *body = jsonx_dumps(msg);
	json_decref(msg);
	cli_req_t r = {.method = "PUT", .path = "/v1/cluster", .body = body, .body_len = strlen(body), .fd = -1,
		       .timeout_ms = 60000};
	rc = cli_api_do(c, &r);
	free(body);
	if (!rc) {
		if (r.resp.len)
			printf("Started rebalance \"%.*s\" (to monitor, run 'ais show rebalance').\n", (int)r.resp.len, r.resp.p);
		if (stop) {
			printf("%s is now active\n", sname);
		} else if (decomm) {
			if (skip)
				printf("%s has been decommissioned (permanently removed from the cluster)\n", sname);
			else
				printf("%s is being decommissioned, please wait for cluster rebalancing to finish...\n", sname);
		} else if (shut) {
			if (skip)
				printf("%s has been shut down\n", sname);
			else
				printf("%s is shutting down, please wait for cluster rebalancing to finish\n", sname);
			printf("\nNote: the node %s is _not_ decommissioned - it remains in the cluster map and can be manually\n",
			       sname);
			printf("restarted at any later time (and subsequently activated via 'stop-maintenance' operation).\n");
		} else {
			printf("%s is now in maintenance mode\n", sname);
		}
	}
	cli_req_fini(&r);
out:
	json_decref(smap);
	return rc;
}
