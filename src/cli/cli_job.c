/* cli_job: `ais show job [NAME] [JOB_ID] [NODE_ID] [BUCKET] [--all]` (also `ais job show`).
 * Queries GET /v1/cluster?what=qryxstats with xact.QueryMsg {"show_active","bck","id","kind",
 * "node"} as AIStore's api.QueryXactionSnaps, and prints one table per job (kind[ID] caption,
 * NODE ID KIND BUCKET OBJECTS BYTES START END STATE), or AIStore's "No running jobs." hint. */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "cli/cli_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC3339 (Go time.Time JSON) → ns; 0 for the zero time or garbage */
static int64_t job_time(const json_t *v)
{
	const char *s = json_string_value(v);
	int Y, M, D, h, m, sec;
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &Y, &M, &D, &h, &m, &sec) != 6 || Y <= 1)
		return 0;
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
	int64_t t = (int64_t)timegm(&tm);
	const char *z = s + 19;
	int64_t frac = 0;
	if (*z == '.') {
		int64_t mul = 100000000;
		for (z++; *z >= '0' && *z <= '9'; z++, mul /= 10)
			frac += (*z - '0') * mul;
	}
	if (*z == '+' || *z == '-') {
		int oh = 0, om = 0;
		sscanf(z + 1, "%d:%d", &oh, &om);
		t -= (*z == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	}
	return t * 1000000000 + frac;
}

static void job_stamp(const json_t *v, char *out, size_t cap)
{
	int64_t ns = job_time(v);
	if (!ns)
		snprintf(out, cap, "-");
	else
		cli_fmt_clock(ns, 0, out, cap);
}

static const char *job_state(const json_t *s, char *out, size_t cap)
{
	const char *ae = json_string_value(json_object_get(s, "abort-err")), *er = json_string_value(json_object_get(s, "err"));
	if (json_is_true(json_object_get(s, "aborted"))) {
		if (ae && strstr(ae, "user"))
			snprintf(out, cap, "Aborted by user");
		else
			snprintf(out, cap, "Aborted: \"%s\"", ae ? ae : "");
	} else if (job_time(json_object_get(s, "end-time"))) {
		if (er && *er)
			snprintf(out, cap, "Finished with errors: \"%s\"", er);
		else
			snprintf(out, cap, "Finished");
	} else {
		snprintf(out, cap, "%s%s%s%s", json_is_true(json_object_get(s, "is_idle")) ? "Idle" : "Running",
			 er && *er ? " with errors: \"" : "", er && *er ? er : "", er && *er ? "\"" : "");
	}
	return out;
}

static void job_bck(const json_t *b, char *out, size_t cap)
{
	const char *n = json_string_value(json_object_get(b, "name"));
	if (!n || !*n) {
		snprintf(out, cap, "-");
		return;
	}
	cli_bck_t x = {0};
	snprintf(x.provider, sizeof(x.provider), "%s", json_string_value(json_object_get(b, "provider")) ?: "ais");
	snprintf(x.name, sizeof(x.name), "%s", n);
	cli_uri_cname(&x, NULL, out, cap);
}

int cli_job_show(cli_ctx_t *c)
{
	const char *name = "", *id = "", *node = "";
	cli_bck_t b = {0};
	json_t *smap = NULL;
	for (int i = 0; i < c->nargs; i++) {
		const char *a = c->args[i];
		if (strstr(a, "://")) {
			char err[256];
			if (cli_uri_parse(a, &b, NULL, 0, err, sizeof(err)))
				return cli_err(c, "%s", err);
			continue;
		}
		if (!smap && !(smap = cli_api_smap(c)))
			return 1;
		bool isp;
		json_t *sn = cli_api_smap_node(smap, a, &isp);
		if (sn)
			node = json_string_value(json_object_get(sn, "daemon_id"));
		else if (!*name)
			name = a;
		else
			id = a;
	}
	bool all = cli_flag(c, "all");
	json_t *q = json_pack("{s:o, s:{s:s, s:s}, s:s, s:s}", "show_active", all ? json_null() : json_true(), "bck", "name",
			      b.name, "provider", b.name[0] ? b.provider : "", "id", id, "kind", name);
	if (*node)
		json_object_set_new(q, "node", json_string(node));
	char *body = jsonx_dumps(q);
	json_decref(q);
	cli_req_t r = {.method = "GET", .path = "/v1/cluster", .query = "what=qryxstats", .body = body,
		       .body_len = strlen(body), .fd = -1, .timeout_ms = 30000};
	int rc = cli_api_do(c, &r);
	free(body);
	json_t *ms = NULL;
	if (rc)
		goto out;
	json_error_t jerr;
	ms = jsonx_loadb(r.resp.p ? r.resp.p : "{}", r.resp.len ? r.resp.len : 2, &jerr);
	if (cli_flag(c, "json")) {
		cli_out_json(c, ms ? ms : json_object());
		goto out;
	}
	/* distinct (kind, id) in first-seen order */
	const char *kinds[256], *ids[256];
	int nj = 0;
	const char *tid;
	json_t *snaps, *s;
	size_t k;
	json_object_foreach(ms, tid, snaps)
	{
		if (*node && strcmp(node, tid))
			continue;
		json_array_foreach(snaps, k, s)
		{
			const char *kd = json_string_value(json_object_get(s, "kind")) ?: "", *xi = json_string_value(json_object_get(s, "id")) ?: "";
			bool seen = false;
			for (int j = 0; j < nj && !seen; j++)
				seen = !strcmp(kinds[j], kd) && !strcmp(ids[j], xi);
			if (!seen && nj < 256) {
				kinds[nj] = kd;
				ids[nj++] = xi;
			}
		}
	}
	if (!nj) {
		if (!all)
			printf("No running%s%s%s jobs. Use '--all' to show all, '--all' <TAB-TAB> to select, '--help' for details.\n",
			       *name ? " '" : "", name, *name ? "'" : "");
		goto out;
	}
	for (int j = 0; j < nj; j++) {
		char cap[320], cb[400];
		snprintf(cap, sizeof(cap), "%s[%s]", kinds[j], ids[j]);
		printf("%s\n", cli_out_cyan(c, cap, cb, sizeof(cb)));
		sbuf_t t = SBUF_INIT;
		if (!cli_flag(c, "no-headers"))
			sbuf_adds(&t, "NODE\t ID\t KIND\t BUCKET\t OBJECTS\t BYTES\t START\t END\t STATE\n");
		json_object_foreach(ms, tid, snaps)
		{
			if (*node && strcmp(node, tid))
				continue;
			json_array_foreach(snaps, k, s)
			{
				if (strcmp(json_string_value(json_object_get(s, "kind")) ?: "", kinds[j]) ||
				    strcmp(json_string_value(json_object_get(s, "id")) ?: "", ids[j]))
					continue;
				json_t *st = json_object_get(s, "stats");
				char objs[32] = "-", bytes[32] = "-", bk[300], st1[16], st2[16], state[256];
				const char *o = json_string_value(json_object_get(st, "loc-objs")), *by = json_string_value(json_object_get(st, "loc-bytes"));
				if (o && strcmp(o, "0"))
					snprintf(objs, sizeof(objs), "%s", o);
				if (by && strcmp(by, "0"))
					cli_fmt_size(strtoll(by, NULL, 10), c->units, 2, bytes, sizeof(bytes));
				job_bck(json_object_get(s, "bck"), bk, sizeof(bk));
				job_stamp(json_object_get(s, "start-time"), st1, sizeof(st1));
				job_stamp(json_object_get(s, "end-time"), st2, sizeof(st2));
				sbuf_addf(&t, "%s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\n", tid, ids[j][0] ? ids[j] : "-", kinds[j], bk, objs,
					  bytes, st1, st2, job_state(s, state, sizeof(state)));
			}
		}
		cli_out_tab(c, sbuf_str(&t));
		sbuf_fini(&t);
	}
out:
	json_decref(ms);
	json_decref(smap);
	cli_req_fini(&r);
	return rc;
}
