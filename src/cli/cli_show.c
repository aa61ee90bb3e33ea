/* cli_show: `ais show cluster` (proxy and target tables + summary, as AIStore's teb/daeclu.go:
 * hidden columns when uniform, "[P]" primary, "[x]" nodes in maintenance), one node or one node
 * type, `ais show cluster smap` and `bmd`. Node status comes from each node's
 * GET /v1/daemon?what=node_status (stats.NodeStatus shape), fetched in parallel directly from
 * the node's public URL in the Smap (AIStore's CLI goes through the primary's /v1/reverse). */
#include "api/authtok.h"
#include "cli/cli.h"
#include "core/jsonx.h"
#include "cli/cli_fmt.h"
#include "cli/cli_tab.h"
#include "net/hclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *id;
	bool proxy;
	json_t *snode;  /* borrowed from the Smap */
	json_t *st;     /* node_status (owned) or NULL */
	char status[96];
} node_st_t;

typedef struct {
	node_st_t *n;
	int count;
} nodes_t;

/* tracker value: AIStore's {"v":"N"}, a string or a number */
static int64_t st_tracker(const json_t *st, const char *name)
{
	return cli_out_tracker(json_object_get(json_object_get(st, "tracker"), name));
}

static int64_t js_i64(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

static const char *st_str(const json_t *st, const char *k)
{
	const char *s = json_string_value(json_object_get(st, k));
	return s ? s : "";
}

static uint64_t snode_flags(const json_t *sn) { return (uint64_t)js_i64(json_object_get(sn, "flags")); }

/* fetch every node's status in parallel; statuses for unreachable nodes as AIStore shows them */
static void nodes_fetch(json_t *smap, nodes_t *ns)
{
	json_t *pm = json_object_get(smap, "pmap"), *tm = json_object_get(smap, "tmap");
	int n = (int)(json_object_size(pm) + json_object_size(tm));
	ns->n = calloc((size_t)n + 1, sizeof(node_st_t));
	ns->count = 0;
	const char *k;
	json_t *v;
	json_object_foreach(pm, k, v)
	{
		ns->n[ns->count++] = (node_st_t){.id = k, .proxy = true, .snode = v};
	}
	json_object_foreach(tm, k, v)
	{
		ns->n[ns->count++] = (node_st_t){.id = k, .proxy = false, .snode = v};
	}
	hreq_t *reqs = calloc((size_t)n + 1, sizeof(hreq_t));
	char bearer[AUTHTOK_MAX + 32];
	if (authtok_header(bearer, sizeof(bearer)))
		bearer[0] = '\0';
	char(*urls)[320] = calloc((size_t)n + 1, sizeof(*urls));
	for (int i = 0; i < n; i++) {
		snprintf(urls[i], sizeof(urls[i]), "%s/v1/daemon?what=node_status", cli_api_node_url(ns->n[i].snode));
		reqs[i] = (hreq_t){.method = "GET", .url = urls[i], .hdrs = bearer[0] ? bearer : NULL, .timeout_ms = 10000};
	}
	if (n)
		hclient_fanout(reqs, n);
	for (int i = 0; i < n; i++) {
		node_st_t *x = &ns->n[i];
		json_error_t jerr;
		if (reqs[i].rc || reqs[i].status != 200) {
			snprintf(x->status, sizeof(x->status), "[%s]", reqs[i].rc ? "unreachable" : "error");
		} else {
			x->st = jsonx_loadb(reqs[i].resp.p ? reqs[i].resp.p : "", reqs[i].resp.len, &jerr);
			snprintf(x->status, sizeof(x->status), "%s", x->st && *st_str(x->st, "status") ? st_str(x->st, "status") : "online");
		}
		/* the cluster map knows best about maintenance and decommissioning */
		uint64_t fl = snode_flags(x->snode);
		if (fl & 8)
			snprintf(x->status, sizeof(x->status), "decommission");
		else if (fl & (4 | 16))
			snprintf(x->status, sizeof(x->status), "maintenance");
		hreq_fini(&reqs[i]);
	}
	free(reqs);
	free(urls);
	/* sorted by ID, proxies first */
	for (int i = 1; i < ns->count; i++)
		for (int j = i; j > 0; j--) {
			node_st_t *a = &ns->n[j - 1], *b = &ns->n[j];
			if (a->proxy < b->proxy || (a->proxy == b->proxy && strcmp(a->id, b->id) > 0)) {
				node_st_t t = *a;
				*a = *b;
				*b = t;
			} else {
				break;
			}
		}
}

static void nodes_fini(nodes_t *ns)
{
	for (int i = 0; i < ns->count; i++)
		json_decref(ns->n[i].st);
	free(ns->n);
}

static const char *primary_id(const json_t *smap)
{
	const char *p = json_string_value(json_object_get(json_object_get(smap, "proxy_si"), "daemon_id"));
	return p ? p : "";
}

/* "p[ID][P]", "t[ID][x]" */
static void node_display(const json_t *smap, const node_st_t *x, char *out, size_t cap)
{
	char sn[96];
	cli_api_sname(x->id, x->proxy, sn, sizeof(sn));
	uint64_t fl = snode_flags(x->snode);
	const char *suffix = "";
	if (!strcmp(x->status, "online")) {
		if (!strcmp(x->id, primary_id(smap)))
			suffix = "[P]";
		else if (x->proxy && (fl & 1))
			suffix = "[n/e]";
	}
	if (fl & (4 | 8 | 16))
		suffix = "[x]";
	snprintf(out, cap, "%s%s", sn, suffix);
}

/* target capacity available (AIStore's calcCap: "dev" deployments count one mountpath) */
static int64_t node_cap_avail(const json_t *st, int *pct)
{
	json_t *cap = json_object_get(st, "capacity");
	json_t *mps = json_object_get(cap, "mountpaths");
	int64_t total = 0;
	*pct = (int)js_i64(json_object_get(cap, "pct_avg"));
	if (json_object_size(mps)) {
		const char *k;
		json_t *v;
		json_object_foreach(mps, k, v)
		{
			total += js_i64(json_object_get(v, "avail"));
			if (!strcmp(st_str(st, "deployment"), "dev"))
				break;
		}
		return total;
	}
	/* a node without Tcdf: capacity_used/capacity_total */
	int64_t used = js_i64(json_object_get(st, "capacity_used")), tot = js_i64(json_object_get(st, "capacity_total"));
	if (tot > 0)
		*pct = (int)(used * 100 / tot);
	return tot > used ? tot - used : 0;
}

/* distinct values of a status string field over the given nodes */
static int distinct(const nodes_t *ns, int which, const char *field, char vals[][96], int max)
{
	int n = 0;
	for (int i = 0; i < ns->count; i++) {
		const node_st_t *x = &ns->n[i];
		if (which >= 0 && x->proxy != (which == 1))
			continue;
		const char *v = field ? (x->st ? st_str(x->st, field) : "") : x->status;
		if (field && !x->st)
			continue;
		bool seen = false;
		for (int k = 0; k < n && !seen; k++)
			seen = !strcmp(vals[k], v);
		if (!seen && n < max)
			snprintf(vals[n++], 96, "%s", v);
	}
	return n;
}

/* cos.NodeStateFlags as AIStore prints them: "ok" when exactly node-started|cluster-started */
static const char *const alert_names[] = {
	"vote-in-progress", NULL, NULL, "rebalancing", "rebalance-interrupted", "resilvering", "resilver-interrupted",
	"restarted", "OOS", "OOM", "in-maintenance-mode", "low-usable-capacity", "low-memory", "disk-fault",
	"number-of-goroutines", "high-number-of-goroutines", "tls-cert-will-soon-expire", "tls-cert-expired",
	"tls-cert-invalid", "keep-alive-errors", "out-of-cpu", "low-cpu", "disk-OOS", "disk-low-capacity",
};

static bool alerts_ok(const json_t *st)
{
	json_t *f = json_object_get(json_object_get(st, "cluster"), "flags");
	return !f || js_i64(f) == 6;
}

static void alerts_fmt(const json_t *st, char *out, size_t cap)
{
	uint64_t f = (uint64_t)js_i64(json_object_get(json_object_get(st, "cluster"), "flags"));
	const char *names[32];
	int n = 0;
	if (alerts_ok(st)) {
		snprintf(out, cap, "ok");
		return;
	}
	if (!(f & 2))
		names[n++] = "cluster-not-started-yet";
	if (!(f & 4))
		names[n++] = "node-not-started-yet";
	/* AIStore's order: vote, rebalance..., restarted, OOS, OOM, maintenance, ... */
	for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]) && n < 30; i++)
		if (alert_names[i] && (f & (1ULL << i)))
			names[n++] = alert_names[i];
	if (n == 1) {
		snprintf(out, cap, "%s", names[0]);
		return;
	}
	size_t off = (size_t)snprintf(out, cap, "[");
	for (int i = 0; i < n && off < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? " " : "", names[i]);
	if (off < cap)
		snprintf(out + off, cap - off, "]");
}

/* one table: which = 1 proxies, 0 targets */
static void cluster_table(cli_ctx_t *c, const json_t *smap, const nodes_t *ns, int which, bool no_hdr, sbuf_t *out)
{
	bool tgt = which == 0;
	cli_tab_t t;
	cli_tab_init(&t, tgt ? "TARGET|MEM USED(%)|MEM AVAIL|CAP USED(%)|CAP AVAIL|SYS CPU(%)|LOAD AVERAGE|UPTIME|K8s "
			       "POD|STATUS|VERSION|BUILD TIME|ALERT"
			     : "PROXY|MEM USED(%)|MEM AVAIL|SYS CPU(%)|LOAD AVERAGE|UPTIME|K8s POD|STATUS|VERSION|BUILD "
			       "TIME|ALERT");
	enum { C_NODE, C_MEMU, C_MEMA, C_CAPU, C_CAPA, C_CPU, C_LOAD, C_UP, C_POD, C_STATUS, C_VER, C_BUILD, C_ALERT };
	/* column index in this table for a logical column */
#define COL(x) (tgt ? (x) : ((x) < C_CAPU ? (x) : (x) - 2))
	bool all_cpu = true, any_pod = false, all_ok = true, all_online = true;
	char vals[16][96];
	for (int i = 0; i < ns->count; i++) {
		const node_st_t *x = &ns->n[i];
		if (x->proxy != (which == 1))
			continue;
		json_t *si = x->st ? json_object_get(x->st, "sys_info") : NULL;
		if (x->st && !json_object_get(si, "cpu_util"))
			all_cpu = false;
		if (x->st && *st_str(x->st, "k8s_pod_name"))
			any_pod = true;
		if (x->st && !alerts_ok(x->st))
			all_ok = false;
		if (strcmp(x->status, "online"))
			all_online = false;
	}
	int nver = distinct(ns, which, "ais_version", vals, 16), nbuild = distinct(ns, which, "build_time", vals, 16);
	cli_tab_hide(&t, COL(C_CPU), !all_cpu);
	cli_tab_hide(&t, COL(C_LOAD), !(cli_flag(c, "verbose") || !all_cpu));
	cli_tab_hide(&t, COL(C_POD), !any_pod);
	cli_tab_hide(&t, COL(C_STATUS), all_online);
	cli_tab_hide(&t, COL(C_VER), nver <= 1 && nbuild <= 1);
	cli_tab_hide(&t, COL(C_BUILD), nver <= 1 && nbuild <= 1);
	cli_tab_hide(&t, COL(C_ALERT), all_ok);
	for (int i = 0; i < ns->count; i++) {
		const node_st_t *x = &ns->n[i];
		if (x->proxy != (which == 1))
			continue;
		char name[128], memu[32] = "-", mema[32] = "-", capu[32] = "-", capa[32] = "-", cpu[32] = "-", load[64] = "-",
				up[48] = "-", alert[256] = "ok";
		node_display(smap, x, name, sizeof(name));
		const char *row[13] = {0};
		row[COL(C_NODE)] = name;
		if (x->st && !strcmp(x->status, "online")) {
			json_t *si = json_object_get(x->st, "sys_info");
			if (si) {
				snprintf(memu, sizeof(memu), "%.2f%%", json_number_value(json_object_get(si, "pct_mem_used")));
				cli_fmt_size(js_i64(json_object_get(si, "mem_avail")), c->units, 2, mema, sizeof(mema));
				json_t *la = json_object_get(si, "load_avg");
				double l1 = json_number_value(json_object_get(la, "One")), l5 = json_number_value(json_object_get(la, "Five")),
				       l15 = json_number_value(json_object_get(la, "Fifteen"));
				int64_t cu = js_i64(json_object_get(si, "cpu_util"));
				if (l1 == 0 && l5 == 0 && l15 == 0)
					snprintf(load, sizeof(load), "n/a");
				else
					snprintf(load, sizeof(load), "[%.1f %.1f %.1f]", l1, l5, l15);
				if (!(cu == 0 && l1 == 0 && l5 == 0 && l15 == 0))
					snprintf(cpu, sizeof(cpu), "%lld%%", (long long)cu);
			} else {
				snprintf(load, sizeof(load), "n/a");
			}
			int64_t upns = st_tracker(x->st, "up.ns.time");
			if (!upns)
				upns = js_i64(json_object_get(x->st, "uptime"));
			if (upns)
				cli_fmt_duration(upns, up, sizeof(up));
			if (tgt) {
				int pct = 0;
				int64_t avail = node_cap_avail(x->st, &pct);
				if (avail) {
					snprintf(capu, sizeof(capu), "%d%%", pct);
					cli_fmt_size(avail, c->units, 3, capa, sizeof(capa));
				} else {
					snprintf(capu, sizeof(capu), "n/a");
					snprintf(capa, sizeof(capa), "n/a");
				}
			}
			alerts_fmt(x->st, alert, sizeof(alert));
		} else {
			snprintf(alert, sizeof(alert), "-");
		}
		row[COL(C_MEMU)] = memu;
		row[COL(C_MEMA)] = mema;
		if (tgt) {
			row[C_CAPU] = capu;
			row[C_CAPA] = capa;
		}
		row[COL(C_CPU)] = cpu;
		row[COL(C_LOAD)] = load;
		row[COL(C_UP)] = up;
		row[COL(C_POD)] = x->st ? st_str(x->st, "k8s_pod_name") : "";
		row[COL(C_STATUS)] = x->status;
		row[COL(C_VER)] = x->st ? st_str(x->st, "ais_version") : "";
		row[COL(C_BUILD)] = x->st ? st_str(x->st, "build_time") : "";
		row[COL(C_ALERT)] = alert;
		cli_tab_row(&t, row);
	}
#undef COL
	cli_tab_text(&t, no_hdr, out);
	cli_tab_fini(&t);
}

static json_t *status_map_json(const nodes_t *ns, bool proxies)
{
	json_t *m = json_object();
	for (int i = 0; i < ns->count; i++)
		if (ns->n[i].proxy == proxies)
			json_object_set(m, ns->n[i].id, ns->n[i].st ? ns->n[i].st : json_null());
	return m;
}

int cli_show_cluster(cli_ctx_t *c)
{
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	int rc = 0;
	nodes_t ns = {0};
	json_t *cfg = NULL;
	nodes_fetch(smap, &ns);
	const char *arg = c->nargs ? c->args[0] : NULL;
	bool no_hdr = cli_flag(c, "no-headers");
	if (arg) {
		bool isp = false;
		json_t *sn = strcmp(arg, "proxy") && strcmp(arg, "target") ? cli_api_smap_node(smap, arg, &isp) : NULL;
		if (!sn && strcmp(arg, "proxy") && strcmp(arg, "target")) {
			rc = cli_err(c, "expecting a valid NODE_ID or node type (\"proxy\" or \"target\"), got \"%s\"", arg);
			goto out;
		}
		if (sn) {
			/* only that node */
			nodes_t one = {0};
			for (int i = 0; i < ns.count; i++)
				if (ns.n[i].snode == sn)
					one.n = &ns.n[i], one.count = 1;
			if (cli_flag(c, "json")) {
				cli_out_json(c, one.count && one.n->st ? one.n->st : json_null());
			} else {
				sbuf_t t = SBUF_INIT;
				cluster_table(c, smap, &one, isp ? 1 : 0, no_hdr, &t);
				cli_out_tab(c, sbuf_str(&t));
				sbuf_fini(&t);
			}
			goto out;
		}
		bool px = !strcmp(arg, "proxy");
		if (cli_flag(c, "json")) {
			json_t *j = status_map_json(&ns, px);
			cli_out_json(c, j);
			json_decref(j);
		} else {
			sbuf_t t = SBUF_INIT;
			cluster_table(c, smap, &ns, px ? 1 : 0, no_hdr, &t);
			cli_out_tab(c, sbuf_str(&t));
			sbuf_fini(&t);
		}
		goto out;
	}
	cfg = cli_api_get_json(c, NULL, "/v1/cluster", "what=config", true);
	/* summary values */
	int64_t used = 0, avail = 0;
	int ndisks = 0, nprox = 0, ntgt = 0, nonline = 0, ninactive_t = 0, ninactive_p = 0, nnonelect = 0;
	for (int i = 0; i < ns.count; i++) {
		node_st_t *x = &ns.n[i];
		uint64_t fl = snode_flags(x->snode);
		if (x->proxy) {
			nprox++;
			ninactive_p += (fl & (4 | 8)) != 0;
			nnonelect += (fl & 1) != 0;
		} else {
			ntgt++;
			ninactive_t += (fl & (4 | 8)) != 0;
		}
	}
	bool counted = false;
	for (int i = 0; i < ns.count && !counted; i++) {
		node_st_t *x = &ns.n[i];
		if (x->proxy || !x->st)
			continue;
		json_t *mps = json_object_get(json_object_get(x->st, "capacity"), "mountpaths");
		const char *k;
		json_t *v;
		char fsids[64][64];
		int nf = 0;
		json_object_foreach(mps, k, v)
		{
			char id[64];
			json_t *fsid = json_object_get(json_object_get(v, "fs"), "FsID");
			char *fs = json_dumps(fsid, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(id, sizeof(id), "%s", fs ? fs : "");
			free(fs);
			bool dup = false;
			for (int f = 0; f < nf && !dup; f++)
				dup = !strcmp(fsids[f], id);
			if (dup)
				continue;
			if (nf < 64)
				snprintf(fsids[nf++], sizeof(fsids[0]), "%s", id);
			used += js_i64(json_object_get(v, "used"));
			avail += js_i64(json_object_get(v, "avail"));
			ndisks += (int)json_array_size(json_object_get(v, "disks"));
			if (!strcmp(st_str(x->st, "deployment"), "dev")) {
				counted = true;
				break;
			}
		}
		if (!json_object_size(mps)) { /* older status shape */
			int64_t u = js_i64(json_object_get(x->st, "capacity_used")), tt = js_i64(json_object_get(x->st, "capacity_total"));
			used += u;
			avail += tt > u ? tt - u : 0;
			counted = true;
		}
	}
	char capacity[160] = "";
	if (avail) {
		char a[32], b[32];
		int64_t pct = used * 100 / (used + avail);
		snprintf(capacity, sizeof(capacity), "used %s (%lld%%), available %s", cli_fmt_size(used, c->units, 2, a, sizeof(a)),
			 (long long)pct, cli_fmt_size(avail, c->units, 2, b, sizeof(b)));
	}
	char vers[16][96], builds[16][96], deps[16][96], sts[16][96];
	int nver = distinct(&ns, -1, "ais_version", vers, 16), nbuild = distinct(&ns, -1, "build_time", builds, 16);
	int ndep = distinct(&ns, -1, "deployment", deps, 16), nst = distinct(&ns, -1, NULL, sts, 16);
	for (int i = 0; i < ns.count; i++)
		nonline += !strcmp(ns.n[i].status, "online");
	if (cli_flag(c, "json")) {
		json_t *j = json_pack("{s:O, s:O?, s:{s:o, s:o}, s:s, s:s, s:s, s:i, s:s, s:s}", "Smap", smap, "CluConfig", cfg,
				      "Stst", "Pmap", status_map_json(&ns, true), "Tmap", status_map_json(&ns, false),
				      "Capacity", capacity, "Version", nver == 1 ? vers[0] : "", "BuildTime",
				      nbuild == 1 ? builds[0] : "", "NumDisks", ndisks, "Backend", "None", "Endpoint", c->endpoint);
		cli_out_json(c, j);
		json_decref(j);
		goto out;
	}
	sbuf_t t = SBUF_INIT;
	cluster_table(c, smap, &ns, 1, false, &t);
	sbuf_adds(&t, "\n");
	cluster_table(c, smap, &ns, 0, false, &t);
	sbuf_adds(&t, "\n");
	char title[64];
	sbuf_addf(&t, "%s\n", cli_out_blue(c, "Cluster:", title, sizeof(title)));
	sbuf_addf(&t, "   CLI Endpoint:\t%s\n", c->endpoint);
	if (nprox != nprox - ninactive_p)
		sbuf_addf(&t, "   Proxies:\t%d (%d inactive)\n", nprox, ninactive_p);
	else if (nnonelect)
		sbuf_addf(&t, "   Proxies:\t%d (%d unelectable)\n", nprox, nnonelect);
	else if (nprox == 1)
		sbuf_addf(&t, "   Proxies:\t%d\n", nprox);
	else
		sbuf_addf(&t, "   Proxies:\t%d (all electable)\n", nprox);
	char disks[64] = "";
	if (ndisks > 0)
		snprintf(disks, sizeof(disks), ntgt - ninactive_t > 1 && ndisks > 1 ? " (total disks: %d)"
					       : ndisks > 1		       ? " (num disks: %d)"
									       : " (one disk)",
			 ndisks);
	if (ninactive_t)
		sbuf_addf(&t, "   Targets:\t%d (%d inactive)%s\n", ntgt, ninactive_t, disks);
	else
		sbuf_addf(&t, "   Targets:\t%d%s\n", ntgt, disks);
	sbuf_addf(&t, "   Capacity:\t%s\n", capacity);
	char psn[96];
	sbuf_addf(&t, "   Cluster Map:\tversion %s, UUID %s, primary %s\n",
		  json_string_value(json_object_get(smap, "version")) ?: "0", json_string_value(json_object_get(smap, "uuid")) ?: "",
		  cli_api_sname(primary_id(smap), true, psn, sizeof(psn)));
	if (nver == 1 && vers[0][0])
		sbuf_addf(&t, "   Software:\t%s (build: %s)\n", vers[0], nbuild == 1 && builds[0][0] ? builds[0] : "-");
	else
		sbuf_addf(&t, "   Software:\t-\n");
	sbuf_addf(&t, "   Backend:\tNone\n");
	sbuf_adds(&t, "   Deployment:\t");
	if (ndep == 0)
		sbuf_adds(&t, "n/a");
	for (int i = 0; i < ndep; i++)
		sbuf_addf(&t, "%s%s%s", ndep > 1 && !i ? "[" : "", i ? ", " : "", deps[i]);
	sbuf_addf(&t, "%s\n", ndep > 1 ? "]" : "");
	sbuf_adds(&t, "   Status:\t");
	for (int i = 0; i < nst; i++) {
		int cnt = 0;
		for (int k = 0; k < ns.count; k++)
			cnt += !strcmp(ns.n[k].status, sts[i]);
		sbuf_addf(&t, "%s%s%d %s", nst > 1 && !i ? "[" : "", i ? ", " : "", cnt, sts[i]);
	}
	sbuf_addf(&t, "%s\n", nst > 1 ? "]" : "");
	json_t *reb = json_object_get(json_object_get(cfg, "rebalance"), "enabled");
	sbuf_addf(&t, "   Rebalance:\t%s\n", json_is_false(reb) ? "disabled" : "-");
	sbuf_addf(&t, "   Authentication:\t%s\n",
		  json_is_true(json_object_get(json_object_get(cfg, "auth"), "enabled")) ? "enabled" : "disabled");
	/* AIStore's toString: one value as is, several as "[a, b]", none as "n/a" */
	for (int w = 0; w < 2; w++) {
		char(*vv)[96] = w ? builds : vers;
		int nv = 0;
		const char *list[16];
		for (int i = 0; i < (w ? nbuild : nver); i++)
			if (vv[i][0])
				list[nv++] = vv[i];
		sbuf_addf(&t, "   %s:\t", w ? "Build" : "Version");
		if (!nv)
			sbuf_adds(&t, "n/a");
		for (int i = 0; i < nv; i++)
			sbuf_addf(&t, "%s%s", nv > 1 ? (i ? ", " : "[") : "", list[i]);
		sbuf_addf(&t, "%s\n", nv > 1 ? "]" : "");
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	(void)nonline;
out:
	json_decref(cfg);
	nodes_fini(&ns);
	json_decref(smap);
	return rc;
}

/* GET what from one node (NODE_ID argument) or from the cluster */
static json_t *show_meta(cli_ctx_t *c, const char *what, json_t **smap_out, char *from, size_t fcap)
{
	json_t *smap = NULL, *j = NULL;
	char q[64];
	snprintf(q, sizeof(q), "what=%s", what);
	from[0] = '\0';
	if (c->nargs > 0) {
		smap = cli_api_smap(c);
		if (!smap)
			return NULL;
		bool isp = false;
		json_t *sn = cli_api_smap_node(smap, c->args[0], &isp);
		if (!sn) {
			cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", c->args[0]);
			json_decref(smap);
			return NULL;
		}
		cli_api_sname(json_string_value(json_object_get(sn, "daemon_id")) ?: c->args[0], isp, from, fcap);
		j = cli_api_get_json(c, cli_api_node_url(sn), "/v1/daemon", q, false);
	} else {
		j = cli_api_get_json(c, NULL, "/v1/cluster", q, false);
	}
	if (smap_out)
		*smap_out = smap;
	else
		json_decref(smap);
	return j;
}

static void smap_nodes(const json_t *smap, const json_t *map, bool ext, sbuf_t *t)
{
	const char *k;
	json_t *v;
	const char *keys[512];
	int n = 0;
	json_object_foreach((json_t *)map, k, v)
	{
		if (n < 512)
			keys[n++] = k;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *x = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = x;
		}
	for (int i = 0; i < n; i++) {
		json_t *sn = json_object_get(map, keys[i]);
		const char *type = json_string_value(json_object_get(sn, "daemon_type")) ?: "";
		node_st_t x = {.id = keys[i], .proxy = !strcmp(type, "proxy"), .snode = sn};
		uint64_t fl = snode_flags(sn);
		snprintf(x.status, sizeof(x.status), "%s", fl & 8 ? "decommission" : fl & (4 | 16) ? "maintenance" : "online");
		char name[128];
		node_display(smap, &x, name, sizeof(name));
		sbuf_addf(t, "%s\t %s\t %s", name, type, cli_api_node_url(sn));
		if (ext)
			sbuf_addf(t, "\t %s\t %s",
				  json_string_value(json_object_get(json_object_get(sn, "intra_control_net"), "direct_url")) ?: "",
				  json_string_value(json_object_get(json_object_get(sn, "intra_data_net"), "direct_url")) ?: "");
		sbuf_adds(t, "\n");
	}
}

int cli_show_smap(cli_ctx_t *c)
{
	char from[128];
	json_t *smap = show_meta(c, "smap", NULL, from, sizeof(from));
	if (!smap)
		return 1;
	if (cli_flag(c, "json")) {
		cli_out_json(c, smap);
		json_decref(smap);
		return 0;
	}
	if (from[0])
		printf("Cluster map from: %s\n", from);
	bool ext = cli_flag(c, "extended"), no_hdr = cli_flag(c, "no-headers");
	const char *hdr = ext ? "NODE\t TYPE\t PUBLIC URL\t INTRA CONTROL URL\t INTRA DATA URL\n" : "NODE\t TYPE\t PUBLIC URL\n";
	sbuf_t t = SBUF_INIT;
	json_t *pm = json_object_get(smap, "pmap"), *tm = json_object_get(smap, "tmap");
	if (!no_hdr)
		sbuf_adds(&t, hdr);
	smap_nodes(smap, pm, ext, &t);
	sbuf_adds(&t, "\n");
	if (!no_hdr)
		sbuf_adds(&t, hdr);
	smap_nodes(smap, tm, ext, &t);
	sbuf_adds(&t, "\nNon-Electable:\n");
	const char *k;
	json_t *v;
	json_object_foreach(pm, k, v)
	{
		sbuf_adds(&t, " ");
		if (snode_flags(v) & 1)
			sbuf_addf(&t, " ProxyID: %s\n", k);
	}
	sbuf_addf(&t, "\nPrimary Proxy:\t%s\n", primary_id(smap));
	sbuf_addf(&t, "Summary:\tproxies(%zu), targets(%zu), cluster map(v%s), cluster ID(\"%s\")\n", json_object_size(pm),
		  json_object_size(tm), json_string_value(json_object_get(smap, "version")) ?: "0",
		  json_string_value(json_object_get(smap, "uuid")) ?: "");
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	json_decref(smap);
	return 0;
}

int cli_show_bmd(cli_ctx_t *c)
{
	char from[128];
	json_t *bmd = show_meta(c, "bmd", NULL, from, sizeof(from));
	if (!bmd)
		return 1;
	if (from[0])
		printf("BMD from: %s\n", from);
	const char *ver = json_string_value(json_object_get(bmd, "version"));
	char vbuf[32];
	if (!ver) {
		snprintf(vbuf, sizeof(vbuf), "%lld", (long long)js_i64(json_object_get(bmd, "version")));
		ver = vbuf;
	}
	json_t *provs = json_object_get(bmd, "providers");
	size_t nb = 0;
	const char *p, *nsu, *bn;
	json_t *nss, *bcks, *props;
	json_object_foreach(provs, p, nss) json_object_foreach(nss, nsu, bcks) nb += json_object_size(bcks);
	if (!nb) {
		printf("BMD v%s - is empty\n", ver);
		json_decref(bmd);
		return 0;
	}
	if (cli_flag(c, "json")) {
		cli_out_json(c, bmd);
		json_decref(bmd);
		return 0;
	}
	sbuf_t t = SBUF_INIT, out = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, "PROVIDER\tNAMESPACE\tNAME\tBACKEND\tCOPIES\tEC\tCREATED\n");
	json_object_foreach(provs, p, nss)
	{
		json_object_foreach(nss, nsu, bcks)
		{
			json_object_foreach(bcks, bn, props)
			{
				char copies[16] = "", ec[96] = "", created[64] = "", ns[128];
				json_t *m = json_object_get(props, "mirror"), *e = json_object_get(props, "ec");
				if (json_is_true(json_object_get(m, "enabled")))
					snprintf(copies, sizeof(copies), "%lld", (long long)js_i64(json_object_get(m, "copies")));
				if (json_is_true(json_object_get(e, "enabled"))) {
					char sz[32];
					cli_fmt_size(js_i64(json_object_get(e, "objsize_limit")), CLI_UNITS_IEC, 0, sz, sizeof(sz));
					snprintf(ec, sizeof(ec), "D=%lld, P=%lld (size limit %s)",
						 (long long)js_i64(json_object_get(e, "data_slices")),
						 (long long)js_i64(json_object_get(e, "parity_slices")), sz);
				}
				int64_t cr = js_i64(json_object_get(props, "created"));
				if (cr)
					cli_fmt_rfc822(cr, created, sizeof(created));
				snprintf(ns, sizeof(ns), "%s", strcmp(nsu, "@#") ? nsu : "");
				json_t *bb = json_object_get(props, "backend_bck");
				char backend[160] = "";
				if (json_string_value(json_object_get(bb, "name")) && *json_string_value(json_object_get(bb, "name")))
					snprintf(backend, sizeof(backend), "%s://%s", json_string_value(json_object_get(bb, "provider")) ?: "",
						 json_string_value(json_object_get(bb, "name")));
				sbuf_addf(&t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p, ns, bn, backend, copies, ec, created);
			}
		}
	}
	cli_tab_render_opts(sbuf_str(&t), t.len, &out, 2, ' ');
	fwrite(out.p ? out.p : "", 1, out.len, stdout);
	printf("\nVersion:\t%s\nUUID:\t\t%s\n", ver, json_string_value(json_object_get(bmd, "uuid")) ?: "");
	sbuf_fini(&t);
	sbuf_fini(&out);
	json_decref(bmd);
	return 0;
}
