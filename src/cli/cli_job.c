/* cli_job: jobs (xactions) as AIStore's CLI (cmd/cli/cli/job_show_hdlr.go, job_do_hdlr.go,
 * storage_hdlr.go at v1.4.7):
 *   ais show job [NAME] [JOB_ID] [NODE_ID] [BUCKET] [--all] [--json]   (also `ais job show`)
 *   ais job stop [NAME] [JOB_ID] [NODE_ID] [BUCKET] [--all] [--yes]    (also `ais stop`)
 *   ais job wait [NAME] [JOB_ID] [NODE_ID] [BUCKET] [--timeout D]      (also `ais wait`)
 *   ais storage cleanup [BUCKET] [--wait] [--timeout D]                (also `ais space-cleanup`,
 *                                                                      `ais job start cleanup`)
 * over the proxy's job API: GET /v1/cluster?what=qryxstats|running_all|status with an
 * xact.QueryMsg, PUT /v1/cluster {"action":"start"|"stop","value":xact.ArgsMsg}. Arguments are
 * resolved as AIStore's jobArgs: the first one is a job name (kind or display name, or a
 * prefix like "cleanup") or else a job ID; a BUCKET is anything with "://"; a node ID may stand
 * anywhere after the name. Tables: one per job, "<name>[<id>] (ctl: <ctlmsg>)" caption, rows by
 * node, NODE ID KIND [BUCKET] OBJECTS BYTES START END STATE, a "Total:" row for several nodes. */
#include "cli/cli.h"
#include "cli/cli_fmt.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "xact/xact.h"
#include "xact/xact_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- selection (AIStore's jobArgs) ---- */

typedef struct job_sel {
	const xact_kind_t *k; /* NAME resolved, or NULL */
	char prefix[32];      /* multi-match shortcut ("evict", "copy-", ...) */
	char xid[XACT_ID_MAX];
	char node[64];
	cli_bck_t bck;
} job_sel_t;

static bool job_is_bck(const char *a, cli_bck_t *b)
{
	char err[256];
	return strstr(a, "://") && !cli_uri_parse(a, b, NULL, 0, err, sizeof(err)) && b->name[0];
}

/* AIStore's xid2Name multi-match shortcuts */
static bool job_multimatch(const char *s, char *prefix, size_t cap)
{
	static const char *const sh[][2] = {{"evict", "evict"}, {"prefetch", "prefetch"}, {"delete", "delete"},
					    {"copy", "copy-"},  {"cp", "copy-"},            {"ec", "ec-"},
					    {"encode", "ec-"},  {"etl", "etl-"},            {"transform", "etl-"}};
	for (size_t i = 0; i < sizeof(sh) / sizeof(sh[0]); i++)
		if (!strcmp(s, sh[i][0])) {
			snprintf(prefix, cap, "%s", sh[i][1]);
			return true;
		}
	return false;
}

static int job_args(cli_ctx_t *c, job_sel_t *s)
{
	const char *a[3] = {NULL, NULL, NULL};
	int na = 0;
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < c->nargs; i++) {
		if (job_is_bck(c->args[i], &s->bck))
			continue;
		if (na < 3)
			a[na++] = c->args[i];
		else
			return cli_args_usage_err(c, "too many arguments");
	}
	if (a[0]) {
		const xact_kind_t *k = !strcmp(a[0], "ls") ? xact_table_find("list") : xact_table_similar(a[0]);
		if (k) {
			s->k = k;
		} else if (job_multimatch(a[0], s->prefix, sizeof(s->prefix))) {
			/* shortcut */
		} else {
			a[2] = a[1];
			a[1] = a[0];
		}
	}
	if (a[1])
		snprintf(s->xid, sizeof(s->xid), "%s", a[1]);
	if (a[2])
		snprintf(s->node, sizeof(s->node), "%s", a[2]);
	/* an argument that names a node is the NODE_ID */
	if (s->xid[0] || s->node[0]) {
		json_t *smap = cli_api_smap(c);
		if (!smap)
			return 1;
		json_t *sn;
		if (s->xid[0] && !s->node[0] && (sn = cli_api_smap_node(smap, s->xid, NULL))) {
			snprintf(s->node, sizeof(s->node), "%s", json_string_value(json_object_get(sn, "daemon_id")));
			s->xid[0] = '\0';
		} else if (s->node[0] && (sn = cli_api_smap_node(smap, s->node, NULL))) {
			snprintf(s->node, sizeof(s->node), "%s", json_string_value(json_object_get(sn, "daemon_id")));
		}
		json_decref(smap);
	}
	return 0;
}

static void job_bck_json(json_t *q, const char *key, const cli_bck_t *b)
{
	json_object_set_new(q, key,
			    json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", b->name, "provider", b->name[0] ? b->provider : "",
				      "namespace", "uuid", b->ns_uuid, "name", b->ns_name));
}

/* GET /v1/cluster?what=<what> with a QueryMsg; 0 with *out (new ref), or 1 with the server's
 * message in err (not printed) */
static int job_get(cli_ctx_t *c, const char *what, const char *kind, const char *id, const cli_bck_t *b,
		   int only_running, json_t **out, char *err, size_t cap, int *status)
{
	json_t *q = json_pack("{s:o, s:s, s:s}", "show_active", only_running < 0 ? json_null() : json_boolean(only_running),
			      "id", id ? id : "", "kind", kind ? kind : "");
	job_bck_json(q, "bck", b);
	char *body = jsonx_dumps(q), qs[64];
	json_decref(q);
	snprintf(qs, sizeof(qs), "what=%s", what);
	cli_req_t r = {.method = "GET", .path = "/v1/cluster", .query = qs, .body = body, .body_len = strlen(body),
		       .fd = -1, .timeout_ms = 60000};
	int rc = 0;
	*out = NULL;
	if (cli_http_do(&c->http, &r)) {
		bool unreachable = false;
		cli_req_errmsg(&r, err, cap, &unreachable);
		if (unreachable) {
			char m[600];
			snprintf(m, sizeof(m), "%s", err);
			snprintf(err, cap,
				 "AIStore cannot be reached at %s\nMake sure that environment 'AIS_ENDPOINT' has the address of "
				 "any AIS gateway (proxy).\n(%s)",
				 c->endpoint, m);
		}
		rc = 1;
	} else {
		json_error_t je;
		*out = jsonx_loadb(r.resp.p ? r.resp.p : "null", r.resp.len ? r.resp.len : 4, &je);
		if (!*out) {
			snprintf(err, cap, "GET /v1/cluster?%s: invalid JSON in response: %s", qs, je.text);
			rc = 1;
		}
	}
	if (status)
		*status = r.status;
	cli_req_fini(&r);
	free(body);
	return rc;
}

/* PUT /v1/cluster {"action":act,"value":ArgsMsg}; 0 with the answer (malloc'd, may be "") or 1
 * (error printed) */
static int job_put(cli_ctx_t *c, const char *act, const char *kind, const char *id, const cli_bck_t *b, uint32_t flags,
		   bool force, char **answer)
{
	json_t *v = json_pack("{s:s, s:s, s:b}", "Kind", kind ? kind : "", "ID", id ? id : "", "Force", force);
	job_bck_json(v, "Bck", b);
	if (flags)
		json_object_set_new(v, "flags", json_integer(flags));
	json_t *m = json_pack("{s:s, s:o}", "action", act, "value", v);
	char *body = jsonx_dumps(m);
	json_decref(m);
	sbuf_t q = SBUF_INIT;
	if (b->name[0])
		cli_api_bck_query(b, &q);
	cli_req_t r = {.method = "PUT", .path = "/v1/cluster", .query = q.len ? sbuf_str(&q) : NULL, .body = body,
		       .body_len = strlen(body), .fd = -1, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	if (!rc && answer) {
		*answer = malloc(r.resp.len + 1);
		if (*answer) {
			memcpy(*answer, r.resp.p ? r.resp.p : "", r.resp.len);
			(*answer)[r.resp.len] = '\0';
		}
	}
	cli_req_fini(&r);
	sbuf_fini(&q);
	free(body);
	return rc;
}

/* AIStore's formatXactMsg */
static void job_msg(const char *xid, const char *xname, const cli_bck_t *b, char *out, size_t cap)
{
	char sb[320] = "";
	if (b->name[0]) {
		char cn[300];
		snprintf(sb, sizeof(sb), ", %s", cli_uri_cname(b, NULL, cn, sizeof(cn)));
	}
	if (xname[0] && xid[0])
		snprintf(out, cap, "%s[%s]%s", xname, xid, sb);
	else if (xname[0])
		snprintf(out, cap, "%s%s", xname, sb);
	else
		snprintf(out, cap, "[%s]%s", xid, sb);
}

/* ---- show ---- */

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

/* teb.FmtXactRunFinAbrt */
static const char *job_state(const json_t *s, char *out, size_t cap)
{
	const char *ae = json_string_value(json_object_get(s, "abort-err")) ?: "",
		   *er = json_string_value(json_object_get(s, "err")) ?: "";
	if (json_is_true(json_object_get(s, "aborted"))) {
		if (!strcmp(ae, "user abort"))
			snprintf(out, cap, "Aborted by user");
		else
			snprintf(out, cap, "Aborted: \"%s\"", ae);
	} else if (job_time(json_object_get(s, "end-time"))) {
		if (*er)
			snprintf(out, cap, "Finished with errors: \"%s\"", er);
		else
			snprintf(out, cap, "Finished");
	} else {
		snprintf(out, cap, "%s%s%s%s", json_is_true(json_object_get(s, "is_idle")) ? "Idle" : "Running",
			 *er ? " with errors: \"" : "", er, *er ? "\"" : "");
	}
	return out;
}

static bool job_has_bck(const json_t *s)
{
	const char *n = json_string_value(json_object_get(json_object_get(s, "bck"), "name"));
	return n && *n;
}

static void job_bck_cname(const json_t *b, char *out, size_t cap)
{
	cli_bck_t x;
	memset(&x, 0, sizeof(x));
	snprintf(x.provider, sizeof(x.provider), "%s", json_string_value(json_object_get(b, "provider")) ?: "ais");
	if (!x.provider[0])
		snprintf(x.provider, sizeof(x.provider), "ais");
	snprintf(x.name, sizeof(x.name), "%s", json_string_value(json_object_get(b, "name")) ?: "");
	json_t *ns = json_object_get(b, "namespace");
	snprintf(x.ns_uuid, sizeof(x.ns_uuid), "%s", json_string_value(json_object_get(ns, "uuid")) ?: "");
	snprintf(x.ns_name, sizeof(x.ns_name), "%s", json_string_value(json_object_get(ns, "name")) ?: "");
	cli_uri_cname(&x, NULL, out, cap);
}

typedef struct job_row {
	const char *tid;
	json_t *snap;
} job_row_t;

static int64_t job_stat(const json_t *st, const char *k)
{
	return strtoll(json_string_value(json_object_get(st, k)) ?: "0", NULL, 10);
}

/* the rebalance rows (xactRebalanceBodyOne) and their "Total:" row */
static void job_reb_rows(cli_ctx_t *c, sbuf_t *t, const job_row_t *rows, int n, const char *xid)
{
	int64_t tot[4] = {0, 0, 0, 0};
	static const char *const keys[4] = {"out-objs", "out-bytes", "in-objs", "in-bytes"};
	for (int i = 0; i < n; i++) {
		json_t *sn = rows[i].snap, *st = json_object_get(sn, "stats");
		char col[4][32], st1[32], st2[32], state[1100];
		for (int k = 0; k < 4; k++) {
			int64_t v = job_stat(st, keys[k]);
			tot[k] += v;
			if (!v)
				snprintf(col[k], sizeof(col[k]), "-");
			else if (k & 1)
				cli_fmt_size(v, c->units, 2, col[k], sizeof(col[k]));
			else
				snprintf(col[k], sizeof(col[k]), "%lld", (long long)v);
		}
		job_stamp(json_object_get(sn, "start-time"), st1, sizeof(st1));
		job_stamp(json_object_get(sn, "end-time"), st2, sizeof(st2));
		sbuf_addf(t, "%s\t %s\t rebalance\t %s\t %s\t %s\t %s\t %s\t %s\t %s\n", rows[i].tid, xid[0] ? xid : "-",
			  col[0], col[1], col[2], col[3], st1, st2, job_state(sn, state, sizeof(state)));
	}
	if (n > 1 && (tot[0] || tot[2])) {
		char b1[32] = "-", b2[32] = "-", chk[32];
		if (tot[1])
			cli_fmt_size(tot[1], c->units, 2, b1, sizeof(b1));
		if (tot[3])
			cli_fmt_size(tot[3], c->units, 2, b2, sizeof(b2));
		sbuf_addf(t, "\t\tTotal:\t%lld\t%s\t%lld\t%s%s\n", (long long)tot[0], b1, (long long)tot[2], b2,
			  tot[3] ? cli_out_blue(c, " \xe2\x9c\x93", chk, sizeof(chk)) : "");
	}
}

static int job_row_cmp(const void *a, const void *b) { return strcmp(((const job_row_t *)a)->tid, ((const job_row_t *)b)->tid); }

/* one job's table (AIStore's xlistByKindID); returns the number of rows */
static int job_show_one(cli_ctx_t *c, json_t *ms, const char *kind, const char *xid, const char *node)
{
	const char *tid;
	json_t *snaps, *s;
	size_t k;
	int n = 0, cap = 0;
	job_row_t *rows = NULL;
	bool have_bck = false;
	json_object_foreach(ms, tid, snaps)
	{
		if (*node && strcmp(node, tid))
			continue;
		json_array_foreach(snaps, k, s)
		{
			if (strcmp(json_string_value(json_object_get(s, "kind")) ?: "", kind) ||
			    strcmp(json_string_value(json_object_get(s, "id")) ?: "", xid))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				job_row_t *nr = realloc(rows, (size_t)cap * sizeof(*rows));
				if (!nr)
					break;
				rows = nr;
			}
			rows[n++] = (job_row_t){tid, s};
			have_bck |= job_has_bck(s);
			break; /* first snap of this job per node */
		}
	}
	if (!n) {
		free(rows);
		return 0;
	}
	qsort(rows, (size_t)n, sizeof(*rows), job_row_cmp);
	/* caption: "<name>[<id>] (ctl: <msg>)", distinct ctl messages sorted */
	const xact_kind_t *xk = xact_table_find(kind);
	char cap1[160], cb[200];
	snprintf(cap1, sizeof(cap1), "%s[%s]", xk ? xact_table_dname(xk) : kind, xid);
	const char *msgs[n];
	int nm = 0;
	for (int i = 0; i < n; i++) {
		const char *m = json_string_value(json_object_get(rows[i].snap, "ctlmsg"));
		bool seen = !m || !*m;
		for (int j = 0; j < nm && !seen; j++)
			seen = !strcmp(msgs[j], m);
		if (!seen)
			msgs[nm++] = m;
	}
	for (int i = 1; i < nm; i++) /* sort.Strings */
		for (int j = i; j > 0 && strcmp(msgs[j - 1], msgs[j]) > 0; j--) {
			const char *t = msgs[j];
			msgs[j] = msgs[j - 1];
			msgs[j - 1] = t;
		}
	sbuf_t t = SBUF_INIT;
	if (nm == 1) {
		char mb[1100];
		printf("%s (ctl: %s) \n", cli_out_cyan(c, cap1, cb, sizeof(cb)), cli_out_cyan(c, msgs[0], mb, sizeof(mb)));
	} else if (nm > 1) {
		sbuf_adds(&t, "\n  ");
		for (int i = 0; i < nm; i++)
			sbuf_addf(&t, "%s%s", i ? "\n  " : "", msgs[i]);
		sbuf_adds(&t, "\n");
		char *mb = malloc(t.len + 32);
		printf("%s (ctl: %s) \n", cli_out_cyan(c, cap1, cb, sizeof(cb)),
		       mb ? cli_out_cyan(c, sbuf_str(&t), mb, t.len + 32) : sbuf_str(&t));
		free(mb);
		sbuf_fini(&t);
	} else {
		printf("%s \n", cli_out_cyan(c, cap1, cb, sizeof(cb)));
	}
	bool reb = !strcmp(kind, "rebalance"); /* teb.XactRebalanceTmpl: TX/RX split */
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, reb ? "NODE\t ID\t KIND\t TX OBJECTS\t TX BYTES\t RX OBJECTS\t RX BYTES\t START\t END\t STATE\n"
			      : have_bck ? "NODE\t ID\t KIND\t BUCKET\t OBJECTS\t BYTES\t START\t END\t STATE\n"
					 : "NODE\t ID\t KIND\t OBJECTS\t BYTES\t START\t END\t STATE\n");
	if (reb) {
		job_reb_rows(c, &t, rows, n, xid);
		goto print;
	}
	int64_t tobjs = 0, tbytes = 0;
	for (int i = 0; i < n; i++) {
		json_t *sn = rows[i].snap, *st = json_object_get(sn, "stats");
		int64_t o = strtoll(json_string_value(json_object_get(st, "loc-objs")) ?: "0", NULL, 10);
		int64_t by = strtoll(json_string_value(json_object_get(st, "loc-bytes")) ?: "0", NULL, 10);
		char objs[32] = "-", bytes[32] = "-", bk[320] = "", st1[32], st2[32], state[1100];
		tobjs += o;
		tbytes += by;
		if (o)
			snprintf(objs, sizeof(objs), "%lld", (long long)o);
		if (by)
			cli_fmt_size(by, c->units, 2, bytes, sizeof(bytes));
		job_stamp(json_object_get(sn, "start-time"), st1, sizeof(st1));
		job_stamp(json_object_get(sn, "end-time"), st2, sizeof(st2));
		if (have_bck) {
			if (job_has_bck(sn))
				job_bck_cname(json_object_get(sn, "bck"), bk, sizeof(bk));
			sbuf_addf(&t, "%s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\n", rows[i].tid, xid[0] ? xid : "-", kind, bk,
				  objs, bytes, st1, st2, job_state(sn, state, sizeof(state)));
		} else {
			sbuf_addf(&t, "%s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\n", rows[i].tid, xid[0] ? xid : "-", kind, objs, bytes,
				  st1, st2, job_state(sn, state, sizeof(state)));
		}
	}
	if (n > 1 && tobjs > 0) { /* teb.XactColTotals */
		char bytes[32] = "-", chk[32];
		if (tbytes)
			cli_fmt_size(tbytes, c->units, 2, bytes, sizeof(bytes));
		sbuf_addf(&t, "\t\tTotal:\t%s%lld\t%s%s\n", have_bck ? "\t" : "", (long long)tobjs, bytes,
			  tbytes ? cli_out_blue(c, " \xe2\x9c\x93", chk, sizeof(chk)) : "");
	}
print:
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	free(rows);
	return n;
}

typedef struct job_id {
	const char *kind, *dname, *id;
	int64_t start;
} job_id_t;

static int job_id_cmp(const void *a, const void *b)
{
	const job_id_t *x = a, *y = b;
	int d = strcmp(x->dname, y->dname);
	if (d)
		return d;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* drop empty per-node lists (and, with a node filter, the other nodes) */
static void job_prune(json_t *ms, const char *node)
{
	const char *tid;
	json_t *snaps;
	void *tmp;
	json_object_foreach_safe(ms, tmp, tid, snaps)
	{
		if (!json_array_size(snaps) || (*node && strcmp(node, tid)))
			json_object_del(ms, tid);
	}
}

int cli_job_show(cli_ctx_t *c)
{
	job_sel_t s;
	char err[1024];
	json_t *ms = NULL;
	int rc = job_args(c, &s);
	if (rc)
		return rc;
	bool all = cli_flag(c, "all");
	if (s.xid[0] && !xact_id_valid(s.xid))
		return cli_err(c, "UUID \"%s\" is invalid (typo?)", s.xid);
	/* finished or not, always show a job named by its ID */
	if (job_get(c, "qryxstats", s.k ? s.k->name : "", s.xid, &s.bck, all || s.xid[0] ? -1 : 1, &ms, err, sizeof(err),
		    NULL)) {
		/* nothing matched anywhere: no jobs to show */
		if (strstr(err, "not found") && !s.xid[0])
			ms = json_object();
		else
			return cli_err(c, "%s", err);
	}
	if (!json_is_object(ms)) {
		json_decref(ms);
		ms = json_object();
	}
	job_prune(ms, s.node);
	if (cli_flag(c, "json")) {
		cli_out_json(c, ms);
		json_decref(ms);
		return 0;
	}
	/* distinct (kind, id): kinds by display name, IDs by earliest start */
	int nj = 0, cap = 0, l = 0;
	job_id_t *ids = NULL;
	const char *tid;
	json_t *snaps, *sn;
	size_t k;
	json_object_foreach(ms, tid, snaps)
	{
		json_array_foreach(snaps, k, sn)
		{
			const char *kd = json_string_value(json_object_get(sn, "kind")) ?: "",
				   *xi = json_string_value(json_object_get(sn, "id")) ?: "";
			const xact_kind_t *xk = xact_table_find(kd);
			const char *dn = xk ? xact_table_dname(xk) : kd;
			if (s.prefix[0] && strncmp(dn, s.prefix, strlen(s.prefix)))
				continue;
			int64_t st = job_time(json_object_get(sn, "start-time"));
			int j;
			for (j = 0; j < nj; j++)
				if (!strcmp(ids[j].kind, kd) && !strcmp(ids[j].id, xi))
					break;
			if (j < nj) {
				if (st < ids[j].start)
					ids[j].start = st;
				continue;
			}
			if (nj == cap) {
				cap = cap ? cap * 2 : 16;
				job_id_t *nv = realloc(ids, (size_t)cap * sizeof(*ids));
				if (!nv)
					break;
				ids = nv;
			}
			ids[nj++] = (job_id_t){kd, dn, xi, st};
		}
	}
	if (nj)
		qsort(ids, (size_t)nj, sizeof(*ids), job_id_cmp);
	for (int j = 0; j < nj; j++)
		l += job_show_one(c, ms, ids[j].kind, ids[j].id, s.node);
	if (!l && !all) {
		const char *nm = s.k ? xact_table_dname(s.k) : s.prefix;
		printf("No running%s%s%s jobs. Use '--all' to show all, '--all' <TAB-TAB> to select, '--help' for details.\n",
		       *nm ? " '" : "", nm, *nm ? "'" : "");
	}
	free(ids);
	json_decref(ms);
	return 0;
}

/* ---- stop ---- */

/* AIStore's stopXactionKindOrAll: stop every running job of kind (or all) */
static int job_stop_kind(cli_ctx_t *c, const xact_kind_t *k, const cli_bck_t *b)
{
	json_t *names = NULL;
	char err[1024];
	if (job_get(c, "running_all", k ? k->name : "", "", &(cli_bck_t){0}, -1, &names, err, sizeof(err), NULL))
		return cli_err(c, "%s", err);
	if (!json_array_size(names)) {
		if (k)
			printf("No running '%s' jobs, nothing to do\n", xact_table_dname(k));
		else
			printf("No running jobs, nothing to do\n");
		json_decref(names);
		return 0;
	}
	size_t i;
	json_t *e;
	json_array_foreach(names, i, e)
	{
		char kind[XACT_NAME_MAX], id[XACT_ID_MAX];
		const char *cn = json_string_value(e);
		if (!cn || xact_wire_parse_cname(cn, kind, sizeof(kind), id, sizeof(id)))
			continue;
		if (job_put(c, "stop", kind, id, b, 0, false, NULL))
			continue; /* error printed */
		printf("Stopped %s\n", cn);
	}
	json_decref(names);
	return 0;
}

int cli_job_stop(cli_ctx_t *c)
{
	job_sel_t s;
	char msg[512], err[1024], prompt[160];
	json_t *ms = NULL;
	int rc = job_args(c, &s);
	if (rc)
		return rc;
	if (!s.k && !s.prefix[0] && !s.xid[0] && !cli_flag(c, "all"))
		return cli_args_usage_err(c, "missing arguments \"[NAME] [JOB_ID] [NODE_ID] [BUCKET]\"");
	if ((s.k && !strcmp(s.k->name, "rebalance")) || (!s.k && xact_id_is_reb(s.xid)))
		return cli_reb_stop(c); /* AIStore's stopRebHandler / stopReb */
	if (s.node[0])
		cli_warn(c, "node ID \"%s\" will be ignored (stopping job on a given node not supported)\n", s.node);
	if (s.xid[0] && cli_flag(c, "all"))
		cli_warn(c, "ignoring flag '--all' in presence of JOB_ID argument ('%s')", s.xid);
	if (s.prefix[0] && !s.xid[0]) { /* multi-match: every kind whose display name has the prefix */
		for (int i = 0; xact_table_at(i); i++)
			if (!strncmp(xact_table_dname(xact_table_at(i)), s.prefix, strlen(s.prefix)))
				rc |= job_stop_kind(c, xact_table_at(i), &s.bck);
		return rc;
	}
	if (!s.xid[0]) {
		if (s.k && !cli_flag(c, "yes") && !cli_flag(c, "all") && strcmp(s.k->name, "rebalance")) {
			snprintf(prompt, sizeof(prompt), "Stop all '%s' jobs?", xact_table_dname(s.k));
			if (!cli_confirm(c, prompt))
				return 0;
		}
		return job_stop_kind(c, s.k, &s.bck);
	}
	const char *xname = s.k ? xact_table_dname(s.k) : "";
	job_msg(s.xid, xname, &s.bck, msg, sizeof(msg));
	if (!xact_id_valid(s.xid))
		return cli_err(c, "invalid xaction (job) UUID \"%s\"", s.xid);
	if (job_get(c, "qryxstats", s.k ? s.k->name : "", s.xid, &(cli_bck_t){0}, -1, &ms, err, sizeof(err), NULL))
		return cli_err(c, "cannot stop %s: %s", msg, err);
	/* summarize (AIStore's queryXactions): aborted everywhere? running anywhere? */
	bool any = false, aborted = true, running = false;
	const char *tid;
	json_t *snaps, *sn;
	size_t k;
	json_object_foreach(ms, tid, snaps)
	{
		json_array_foreach(snaps, k, sn)
		{
			any = true;
			aborted = aborted && json_is_true(json_object_get(sn, "aborted"));
			running = running || (!json_is_true(json_object_get(sn, "aborted")) && !job_time(json_object_get(sn, "end-time")));
		}
	}
	json_decref(ms);
	if (!any) {
		cli_warn(c, "%s not found, nothing to do", msg);
		return 0;
	}
	if (aborted) {
		printf("%s is aborted, nothing to do\n", msg);
		return 0;
	}
	if (!running) {
		printf("%s already finished, nothing to do\n", msg);
		return 0;
	}
	if (job_put(c, "stop", s.k ? s.k->name : "", s.xid, &s.bck, 0, false, NULL))
		return 1;
	printf("Stopped %s\n\n", msg);
	return 0;
}

/* ---- wait ---- */

/* "10s", "1m", or a plain number of seconds; 0 = not given */
static int job_timeout(cli_ctx_t *c, int64_t *ns)
{
	const char *s = cli_flag_str(c, "timeout", NULL);
	int64_t v;
	*ns = 0;
	if (!s)
		return 0;
	if (!parse_i64(s, &v) && v >= 0) {
		*ns = v * 1000000000LL;
		return 0;
	}
	if (parse_duration(s, ns) || *ns < 0)
		return cli_err(c, "invalid value \"%s\" for flag --timeout: expecting a duration, e.g. 10s, 1m", s);
	return 0;
}

static void job_sleep_ns(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
	nanosleep(&ts, NULL);
}

/* api.WaitForXactionIC: poll what=status from now on at 2s, x1.5 up to min(30s, timeout/..)
 * until finished (or aborted, or an error, or the timeout). 0 finished, 1 otherwise (err). */
static int job_wait_status(cli_ctx_t *c, const char *kind, const char *id, int64_t timeout, bool *aborted, char *err,
			   size_t cap)
{
	int64_t total = timeout > 0 ? timeout : (int64_t)60 * 1000000000LL; /* xact.DefWaitTimeShort */
	int64_t sleep = 2000000000LL, max_sleep = total / 4, begin = mono_ns();
	if (max_sleep < 2000000000LL)
		max_sleep = 2000000000LL;
	if (max_sleep > 30000000000LL)
		max_sleep = 30000000000LL;
	*aborted = false;
	for (;;) {
		json_t *st = NULL;
		int status = 0;
		if (job_get(c, "status", kind, id, &(cli_bck_t){0}, -1, &st, err, cap, &status)) {
			if (status != 503) /* only "unavailable" is retried (api._isRetriable) */
				return 1;
		} else {
			bool fin = json_integer_value(json_object_get(st, "end_time")) > 0;
			*aborted = json_is_true(json_object_get(st, "aborted"));
			json_decref(st);
			if (fin)
				return 0;
		}
		job_sleep_ns(sleep);
		sleep += sleep / 2;
		if (sleep > max_sleep)
			sleep = max_sleep;
		if (mono_ns() - begin >= total) {
			snprintf(err, cap, "api.wait-status: timed out (%llds) waiting for xa-%s[%s]", (long long)(total / 1000000000LL),
				 kind, id);
			return 1;
		}
	}
}

/* AIStore's waitJobWithRefresh: status every --refresh (at least 1s), "In progress..." lines */
static int job_wait_refresh(cli_ctx_t *c, const char *kind, const char *id, const char *msg, int64_t timeout)
{
	const char *rs = cli_flag_str(c, "refresh", "1s");
	int64_t every, total = 0, v;
	char err[1024];
	if (!parse_i64(rs, &v) && v >= 0)
		every = v * 1000000000LL;
	else if (parse_duration(rs, &every))
		return cli_err(c, "invalid value \"%s\" for flag --refresh: expecting a duration, e.g. 10s", rs);
	if (every < 1000000000LL)
		every = 1000000000LL; /* refreshRateMinDur */
	for (;;) {
		json_t *st = NULL;
		if (job_get(c, "status", kind, id, &(cli_bck_t){0}, -1, &st, err, sizeof(err), NULL))
			return cli_err(c, "%s", err);
		bool aborted = json_is_true(json_object_get(st, "aborted"));
		bool fin = json_integer_value(json_object_get(st, "end_time")) > 0;
		json_decref(st);
		if (aborted)
			return cli_err(c, "%s was aborted", msg);
		if (fin)
			break;
		if (timeout > 0 && total + every > timeout) {
			job_sleep_ns(timeout - total);
			return cli_err(c, "timed out waiting for %s: context deadline exceeded", msg);
		}
		job_sleep_ns(every);
		total += every;
		printf("\rIn progress...(%llds elapsed)", (long long)(total / 1000000000LL));
		fflush(stdout);
	}
	printf("Done.\n");
	return 0;
}

int cli_job_wait_started(cli_ctx_t *c, const char *kind, const char *id, const char *msg)
{
	int64_t timeout;
	int rc = job_timeout(c, &timeout);
	if (rc)
		return rc;
	if (cli_flag(c, "progress"))
		return job_wait_refresh(c, kind, id, msg, timeout);
	char err[1024];
	bool aborted = false;
	if (job_wait_status(c, kind, id, timeout, &aborted, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (aborted)
		return cli_err(c, "%s was aborted", msg);
	printf("Done.\n");
	return 0;
}

int cli_job_wait(cli_ctx_t *c)
{
	job_sel_t s;
	char msg[512], err[1024];
	int64_t timeout;
	int rc = job_args(c, &s);
	if (rc)
		return rc;
	if (!s.k && !s.xid[0]) {
		if (s.prefix[0])
			return cli_err(c, "cannot wait on \"%s\" prefix", s.prefix);
		return cli_args_usage_err(c, "missing arguments \"[NAME] [JOB_ID] [NODE_ID] [BUCKET]\"");
	}
	if (s.node[0])
		cli_warn(c, "node ID \"%s\" will be ignored (waiting for a single target not supported)\n", s.node);
	if ((rc = job_timeout(c, &timeout)))
		return rc;
	if (s.xid[0] && !xact_id_valid(s.xid))
		return cli_err(c, "invalid xaction (job) UUID \"%s\"", s.xid);
	const xact_kind_t *k = s.k;
	if (!k) { /* find out the kind from any node's snapshot */
		json_t *ms = NULL;
		if (job_get(c, "qryxstats", "", s.xid, &(cli_bck_t){0}, -1, &ms, err, sizeof(err), NULL))
			return cli_err(c, "%s", err);
		const char *tid;
		json_t *snaps;
		json_object_foreach(ms, tid, snaps)
		{
			if (json_array_size(snaps) && !k)
				k = xact_table_find(json_string_value(json_object_get(json_array_get(snaps, 0), "kind")));
		}
		json_decref(ms);
		if (!k)
			return cli_err(c, "xaction [%s] not found", s.xid);
	}
	job_msg(s.xid, xact_table_dname(k), &s.bck, msg, sizeof(msg));
	if (cli_flag(c, "progress"))
		cli_warn(c, "ignoring flag '--progress'  - not fully implemented yet");
	printf("Waiting for %s ...\n", msg);
	fflush(stdout);
	if (cli_flag_str(c, "refresh", NULL))
		return job_wait_refresh(c, k->name, s.xid, msg, timeout);
	bool aborted;
	/* AIStore's waitJob prints "Done." on success and otherwise nothing, exiting 0 either way */
	if (!job_wait_status(c, k->name, s.xid, timeout, &aborted, err, sizeof(err)) && !aborted)
		printf("Done.\n");
	return 0;
}

/* ---- start: space cleanup ---- */

int cli_job_cleanup(cli_ctx_t *c)
{
	cli_bck_t b;
	char err[1024], *xid = NULL;
	int64_t timeout;
	int rc;
	memset(&b, 0, sizeof(b));
	if (c->nargs > 1)
		return cli_args_usage_err(c, "too many arguments");
	if (c->nargs == 1) {
		if (cli_uri_parse(c->args[0], &b, NULL, 0, err, sizeof(err)))
			return cli_err(c, "%s", err);
		if (!b.name[0])
			return cli_err(c, "missing bucket name: \"%s\"", c->args[0]);
		if (cli_api_head_bck(c, &b, NULL))
			return 1;
	}
	if ((rc = job_timeout(c, &timeout)))
		return rc;
	uint32_t flags = (cli_flag(c, "rm-zero-size") ? 1u : 0) | (cli_flag(c, "keep-misplaced") ? 8u : 0);
	bool force = cli_flag(c, "force");
	if (job_put(c, "start", "cleanup-store", "", &b, flags, force, &xid))
		return 1;
	if (force)
		cli_warn(c, "running with '--force': will remove misplaced objects despite (possibly) ongoing or interrupted "
			    "rebalance/resilver...\n");
	bool wait = cli_flag(c, "wait") || cli_flag_str(c, "timeout", NULL);
	if (!wait) {
		if (!xid || !*xid)
			printf("Started storage cleanup\n");
		else if (cli_flag(c, "non-verbose"))
			printf("%s\n", xid);
		else
			printf("Started cleanup-store[%s]. To monitor the progress, run 'ais show job %s'\n", xid, xid);
		free(xid);
		return 0;
	}
	printf("Started storage cleanup %s...\n", xid ? xid : "");
	fflush(stdout);
	bool aborted;
	rc = job_wait_status(c, "cleanup-store", xid ? xid : "", timeout, &aborted, err, sizeof(err));
	if (rc)
		rc = cli_err(c, "%s", err);
	else if (aborted)
		rc = cli_err(c, "cleanup[%s] aborted", xid ? xid : "");
	else
		printf("Done.\n");
	free(xid);
	return rc;
}
