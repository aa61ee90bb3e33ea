/* cli_reb: global rebalance, resilver and mountpaths as AIStore's CLI (cmd/cli/cli/reb_hdlr.go,
 * cluster_hdlr.go startRebHandler/stopRebHandler, job_do_hdlr.go startResilverHandler,
 * storage_hdlr.go mpathAction at v1.4.7):
 *   ais show rebalance [REB_ID] [NODE_ID] [--all] [--no-headers] [--json]
 *       "REB ID  NODE  TX OBJECTS  TX BYTES  RX OBJECTS  RX BYTES  START  END  STATE" per
 *       generation (its ctl lines above, "<id>: N objects migrated (total size S)" below)
 *   ais start rebalance [--wait [--timeout D]]  "Started rebalance[g<N>]. To monitor the progress,
 *       run 'ais show rebalance'"
 *   ais stop rebalance [--force]                 the running one; "Stopped rebalance[g<N>]"
 *   ais start resilver TARGET_ID [--wait]        "Started resilver[ID] on t[..]. To monitor ..."
 *   ais storage mountpath attach|enable|detach|disable NODE_ID=MOUNTPATH [...] [--no-resilver]
 *       straight to the target (as AIStore's api.AttachMountpath et al.): "t[..]: mountpath
 *       \"/p\" is now attached"
 * Exit codes: 0 ok, 1 an error (printed), 2 usage. */
#include "cli/cli.h"
#include "cli/cli_fmt.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "xact/xact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static int reb_put(cli_ctx_t *c, const char *act, const char *kind, const char *id, const char *node, bool force,
		   char **answer)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:b}", "Kind", kind, "ID", id ? id : "", "DaemonID", node ? node : "",
			      "Force", force);
	json_t *m = json_pack("{s:s, s:o}", "action", act, "value", v);
	char *body = jsonx_dumps(m);
	json_decref(m);
	cli_req_t r = {.method = "PUT", .path = "/v1/cluster", .body = body, .body_len = strlen(body), .fd = -1,
		       .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	if (!rc && answer) {
		*answer = calloc(1, r.resp.len + 1);
		if (*answer && r.resp.len)
			memcpy(*answer, r.resp.p, r.resp.len);
	}
	cli_req_fini(&r);
	free(body);
	return rc;
}

/* GET what=<what> with a QueryMsg; new ref or NULL (status in *st; error text in err) */
static json_t *reb_query(cli_ctx_t *c, const char *what, const char *kind, const char *id, int only_running, int *st,
			 char *err, size_t cap)
{
	json_t *q = json_pack("{s:o, s:s, s:s}", "show_active", only_running < 0 ? json_null() : json_boolean(only_running),
			      "id", id ? id : "", "kind", kind ? kind : "");
	char *body = jsonx_dumps(q), qs[64];
	json_decref(q);
	snprintf(qs, sizeof(qs), "what=%s", what);
	cli_req_t r = {.method = "GET", .path = "/v1/cluster", .query = qs, .body = body, .body_len = strlen(body),
		       .fd = -1, .timeout_ms = 60000};
	json_t *out = NULL;
	if (cli_http_do(&c->http, &r)) {
		bool unreachable;
		cli_req_errmsg(&r, err, cap, &unreachable);
	} else {
		out = jsonx_loadb(r.resp.p ? r.resp.p : "null", r.resp.len ? r.resp.len : 4, NULL);
	}
	*st = r.status;
	cli_req_fini(&r);
	free(body);
	return out;
}

static int64_t reb_i64(const json_t *stats, const char *k)
{
	const json_t *v = json_object_get(stats, k);
	if (json_is_integer(v))
		return json_integer_value(v);
	return strtoll(json_string_value(v) ?: "0", NULL, 10);
}

/* RFC3339 → clock "HH:MM:SS" or "-" */
static void reb_stamp(const json_t *v, char *out, size_t cap)
{
	const char *s = json_string_value(v);
	int Y, M, D, h, m, sec;
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &Y, &M, &D, &h, &m, &sec) != 6 || Y <= 1) {
		snprintf(out, cap, "-");
		return;
	}
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
	cli_fmt_clock((int64_t)timegm(&tm) * 1000000000LL, 0, out, cap);
}

static const char *reb_state(const json_t *s, char *out, size_t cap)
{
	const char *ae = json_string_value(json_object_get(s, "abort-err")) ?: "",
		   *er = json_string_value(json_object_get(s, "err")) ?: "";
	const char *et = json_string_value(json_object_get(s, "end-time")) ?: "";
	bool ended = *et && strncmp(et, "0001-", 5);
	if (json_is_true(json_object_get(s, "aborted")))
		snprintf(out, cap, !strcmp(ae, "user abort") ? "Aborted by user" : "Aborted: \"%s\"", ae);
	else if (ended)
		snprintf(out, cap, *er ? "Finished with errors: \"%s\"" : "Finished", er);
	else
		snprintf(out, cap, *er ? "Running with errors: \"%s\"" : "Running", er);
	return out;
}

typedef struct reb_row {
	const char *tid;
	json_t *snap;
} reb_row_t;

/* by rebalance ID (numerically), then target ID */
static int reb_row_cmp(const void *a, const void *b)
{
	const reb_row_t *x = a, *y = b;
	const char *ix = json_string_value(json_object_get(x->snap, "id")) ?: "",
		   *iy = json_string_value(json_object_get(y->snap, "id")) ?: "";
	long long nx = atoll(ix + (*ix == 'g')), ny = atoll(iy + (*iy == 'g'));
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->tid, y->tid);
}

static const char *reb_id(const reb_row_t *r) { return json_string_value(json_object_get(r->snap, "id")) ?: ""; }

/* one generation: ctl lines, table, "<id>: N objects migrated" */
static void reb_group(cli_ctx_t *c, const reb_row_t *rows, int n)
{
	char idc[96];
	const char *id = reb_id(&rows[0]);
	const char *msgs[n > 0 ? n : 1];
	int nm = 0;
	for (int i = 0; i < n; i++) {
		const char *m = json_string_value(json_object_get(rows[i].snap, "ctlmsg"));
		bool seen = !m || !*m;
		for (int j = 0; j < nm && !seen; j++)
			seen = !strcmp(msgs[j], m);
		if (!seen)
			msgs[nm++] = m;
	}
	for (int i = 1; i < nm; i++)
		for (int j = i; j > 0 && strcmp(msgs[j - 1], msgs[j]) > 0; j--) {
			const char *t = msgs[j];
			msgs[j] = msgs[j - 1];
			msgs[j - 1] = t;
		}
	if (nm) {
		printf("%s ctl:\n", cli_out_cyan(c, id, idc, sizeof(idc)));
		for (int i = 0; i < nm; i++)
			printf("  %s\n", msgs[i]);
	}
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, "REB ID\t NODE\t TX OBJECTS\t TX BYTES\t RX OBJECTS\t RX BYTES\t START\t END\t STATE\n");
	int64_t tobjs = 0, tbytes = 0;
	for (int i = 0; i < n; i++) {
		json_t *st = json_object_get(rows[i].snap, "stats");
		int64_t oo = reb_i64(st, "out-objs"), ob = reb_i64(st, "out-bytes"), io = reb_i64(st, "in-objs"),
			ib = reb_i64(st, "in-bytes");
		char obs[32], ibs[32], s1[32], s2[32], state[1100];
		cli_fmt_size(ob, c->units, 2, obs, sizeof(obs));
		cli_fmt_size(ib, c->units, 2, ibs, sizeof(ibs));
		reb_stamp(json_object_get(rows[i].snap, "start-time"), s1, sizeof(s1));
		reb_stamp(json_object_get(rows[i].snap, "end-time"), s2, sizeof(s2));
		sbuf_addf(&t, "%s\t %s\t %lld\t %s\t %lld\t %s\t %s\t %s\t %s\n", id, rows[i].tid, (long long)oo, obs,
			  (long long)io, ibs, s1, s2, reb_state(rows[i].snap, state, sizeof(state)));
		tobjs += oo;
		tbytes += ob;
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	if (tobjs) {
		char sz[32];
		cli_fmt_size(tbytes, c->units, 1, sz, sizeof(sz));
		printf("%s: %lld objects migrated (total size %s)\n", cli_out_cyan(c, id, idc, sizeof(idc)), (long long)tobjs, sz);
	}
}

/* ---- show rebalance ---- */

int cli_reb_show(cli_ctx_t *c)
{
	char xid[XACT_ID_MAX] = "", node[64] = "", err[1024];
	bool all = cli_flag(c, "all");
	if (c->nargs > 2)
		return cli_args_usage_err(c, "too many arguments");
	for (int i = 0; i < c->nargs; i++) {
		if (xact_id_is_reb(c->args[i])) {
			snprintf(xid, sizeof(xid), "%s", c->args[i]);
			continue;
		}
		json_t *smap = cli_api_smap(c), *sn;
		if (!smap)
			return 1;
		if ((sn = cli_api_smap_node(smap, c->args[i], NULL)))
			snprintf(node, sizeof(node), "%s", json_string_value(json_object_get(sn, "daemon_id")));
		json_decref(smap);
		if (!node[0])
			return cli_err(c, "\"%s\" is neither a rebalance ID (g<N>) nor a node (see 'ais show cluster')", c->args[i]);
	}
	int st = 0;
	json_t *ms = reb_query(c, "qryxstats", "rebalance", xid, all || xid[0] ? -1 : 1, &st, err, sizeof(err));
	if (!ms && st == 404) {
		printf("Rebalance is not running or hasn't started yet.\n");
		return 0;
	}
	if (!ms)
		return cli_err(c, "%s", err);
	if (cli_flag(c, "json")) {
		cli_out_json(c, ms);
		json_decref(ms);
		return 0;
	}
	int n = 0, cap = 0;
	reb_row_t *rows = NULL;
	const char *tid;
	json_t *snaps, *s;
	size_t k;
	json_object_foreach(ms, tid, snaps)
	{
		if (*node && strcmp(node, tid))
			continue;
		json_array_foreach(snaps, k, s)
		{
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				reb_row_t *nr = realloc(rows, (size_t)cap * sizeof(*rows));
				if (!nr)
					break;
				rows = nr;
			}
			rows[n++] = (reb_row_t){tid, s};
		}
	}
	if (n)
		qsort(rows, (size_t)n, sizeof(*rows), reb_row_cmp);
	int from = 0, ngroups = 0;
	/* without --all: only the most recent generation */
	if (!all && n) {
		from = n - 1;
		while (from > 0 && !strcmp(reb_id(&rows[from - 1]), reb_id(&rows[n - 1])))
			from--;
	}
	bool aborted = false, finished = false;
	for (int i = from; i < n;) {
		int j = i;
		while (j < n && !strcmp(reb_id(&rows[j]), reb_id(&rows[i])))
			j++;
		if (ngroups++)
			printf("\n");
		reb_group(c, rows + i, j - i);
		aborted = finished = false;
		for (int r = i; r < j; r++) {
			const char *et = json_string_value(json_object_get(rows[r].snap, "end-time")) ?: "";
			aborted |= json_is_true(json_object_get(rows[r].snap, "aborted"));
			finished |= *et && strncmp(et, "0001-", 5);
		}
		i = j;
	}
	if (ngroups && !all && finished) {
		char idc[96];
		printf("\nRebalance %s %s.\n", cli_out_cyan(c, reb_id(&rows[n - 1]), idc, sizeof(idc)),
		       aborted ? "aborted" : "completed");
	}
	if (!ngroups && !all)
		printf("Global rebalance is not running. Use '--all' to show history, '--help' for details.\n");
	free(rows);
	json_decref(ms);
	return 0;
}

/* ---- wait (as 'ais job wait': status polling) ---- */

static int reb_wait(cli_ctx_t *c, const char *kind, const char *id)
{
	const char *ts = cli_flag_str(c, "timeout", NULL);
	int64_t timeout = 0, v;
	if (ts && !parse_i64(ts, &v))
		timeout = v * 1000000000LL;
	else if (ts && parse_duration(ts, &timeout))
		return cli_err(c, "invalid value \"%s\" for flag --timeout: expecting a duration, e.g. 10s, 1m", ts);
	int64_t t0 = mono_ns();
	char err[1024];
	for (;;) {
		int st = 0;
		json_t *s = reb_query(c, "status", kind, id, -1, &st, err, sizeof(err));
		if (!s && st != 503)
			return cli_err(c, "%s", err);
		bool fin = s && json_integer_value(json_object_get(s, "end_time")) > 0;
		bool aborted = s && json_is_true(json_object_get(s, "aborted"));
		json_decref(s);
		if (fin && aborted)
			return cli_err(c, "%s[%s] was aborted", kind, id);
		if (fin)
			break;
		if (timeout && mono_ns() - t0 > timeout)
			return cli_err(c, "timed out waiting for %s[%s]: context deadline exceeded", kind, id);
		usleep(500 * 1000);
	}
	printf("Done.\n");
	return 0;
}

/* ---- start / stop ---- */

int cli_reb_start(cli_ctx_t *c)
{
	char *xid = NULL;
	if (c->nargs)
		return cli_err(c, "limiting the scope of rebalance to a bucket is not supported by this version (\"%s\")",
			       c->args[0]);
	if (reb_put(c, "start", "rebalance", "", "", false, &xid))
		return 1;
	if (!xid || !*xid) {
		cli_warn(c, "The operation returned an empty UUID (a no-op?). To investigate, run 'ais show rebalance'\n");
		free(xid);
		return 0;
	}
	printf("Started rebalance[%s]. To monitor the progress, run 'ais show rebalance'\n", xid);
	int rc = cli_flag(c, "wait") || cli_flag_str(c, "timeout", NULL) ? reb_wait(c, "rebalance", xid) : 0;
	free(xid);
	return rc;
}

/* the running rebalance's ID ("" if none); 0 or 1 (error printed) */
static int reb_running(cli_ctx_t *c, char *xid, size_t cap)
{
	char err[1024];
	int st = 0;
	xid[0] = '\0';
	json_t *ms = reb_query(c, "qryxstats", "rebalance", "", 1, &st, err, sizeof(err));
	if (!ms)
		return st == 404 ? 0 : cli_err(c, "%s", err);
	const char *tid;
	json_t *snaps, *s;
	size_t k;
	json_object_foreach(ms, tid, snaps)
	{
		json_array_foreach(snaps, k, s)
		{
			const char *id = json_string_value(json_object_get(s, "id")) ?: "";
			if (!xid[0] || atoll(id + 1) > atoll(xid + 1))
				snprintf(xid, cap, "%s", id);
		}
	}
	json_decref(ms);
	return 0;
}

int cli_reb_stop(cli_ctx_t *c)
{
	char xid[XACT_ID_MAX];
	if (c->nargs && xact_id_is_reb(c->args[0]))
		snprintf(xid, sizeof(xid), "%s", c->args[0]);
	else if (reb_running(c, xid, sizeof(xid)))
		return 1;
	if (!xid[0])
		return cli_err(c, "rebalance is not running");
	if (reb_put(c, "stop", "rebalance", xid, "", cli_flag(c, "force"), NULL))
		return 1;
	printf("Stopped rebalance[%s]\n", xid);
	return 0;
}

int cli_resilver_start(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting TARGET_ID");
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	bool isp = false;
	json_t *sn = cli_api_smap_node(smap, c->args[0], &isp);
	char tid[64] = "", *xid = NULL;
	if (sn)
		snprintf(tid, sizeof(tid), "%s", json_string_value(json_object_get(sn, "daemon_id")));
	json_decref(smap);
	if (!tid[0])
		return cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", c->args[0]);
	if (isp)
		return cli_err(c, "p[%s] is a proxy: resilver runs on targets", tid);
	if (reb_put(c, "start", "resilver", "", tid, false, &xid))
		return 1;
	printf("Started resilver%s%s%s on t[%s]. To monitor the progress, run 'ais show job resilver'\n",
	       xid && *xid ? "[" : "", xid ? xid : "", xid && *xid ? "]" : "", tid);
	int rc = xid && *xid && (cli_flag(c, "wait") || cli_flag_str(c, "timeout", NULL)) ? reb_wait(c, "resilver", xid) : 0;
	free(xid);
	return rc;
}

/* ---- storage mountpath attach|enable|detach|disable NODE_ID=MOUNTPATH ... ---- */

int cli_mpath_action(cli_ctx_t *c)
{
	const char *cmd = c->cmd->name;
	struct {
		const char *cmd, *action, *method, *acted;
	} const acts[] = {{"attach", "attach-mp", "PUT", "attached"},
			  {"enable", "enable-mp", "POST", "enabled"},
			  {"detach", "detach-mp", "DELETE", "detached"},
			  {"disable", "disable-mp", "POST", "disabled"}};
	int a = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(acts[i].cmd, cmd))
			a = i;
	if (a < 0)
		return cli_args_usage_err(c, "invalid mountpath action \"%s\"", cmd);
	if (!c->nargs)
		return cli_args_usage_err(c, "missing arguments \"NODE_ID=MOUNTPATH [NODE_ID=MOUNTPATH...]\"");
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	int rc = 0;
	for (int i = 0; i < c->nargs && !rc; i++) {
		const char *eq = strchr(c->args[i], '=');
		char id[128];
		if (!eq) {
			bool isp;
			if (cli_api_smap_node(smap, c->args[i], &isp) && !isp) {
				rc = cli_err(c, "target %s: missing mountpath to %s", c->args[i], acts[a].action);
				break;
			}
			rc = cli_args_usage_err(c, "invalid key=value pair \"%s\"", c->args[i]);
			break;
		}
		snprintf(id, sizeof(id), "%.*s", (int)(eq - c->args[i]), c->args[i]);
		const char *mp = eq + 1;
		bool isp = false;
		json_t *sn = cli_api_smap_node(smap, id, &isp);
		if (!sn) {
			rc = cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", id);
			break;
		}
		const char *tid = json_string_value(json_object_get(sn, "daemon_id"));
		if (isp) {
			rc = cli_err(c, "node \"%s\" is a proxy (hint: press <TAB-TAB> or run 'ais show cluster target' to select)", tid);
			break;
		}
		json_t *m = json_pack("{s:s, s:s}", "action", acts[a].action, "value", mp);
		char *body = jsonx_dumps(m);
		json_decref(m);
		bool nores = cli_flag(c, "no-resilver") && a >= 2;
		cli_req_t r = {.method = acts[a].method, .base = cli_api_node_url(sn), .path = "/v1/daemon/mountpaths",
			       .query = nores ? "dntres=true" : NULL, .body = body, .body_len = strlen(body), .fd = -1,
			       .timeout_ms = 60000};
		rc = cli_api_do(c, &r);
		cli_req_fini(&r);
		free(body);
		if (!rc)
			printf("t[%s]: mountpath \"%s\" is now %s\n", tid, mp, acts[a].acted);
	}
	json_decref(smap);
	return rc;
}
