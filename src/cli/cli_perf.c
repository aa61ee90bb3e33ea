/* cli_perf: `ais show performance [counters|throughput|latency] [TARGET_ID]` from the targets'
 * stats trackers (GET /v1/daemon?what=node_status). As AIStore's CLI: counters and sizes as
 * they are; throughput and latency computed over the '--refresh' interval (default 5s) from two
 * samples; zero columns hidden; metric names become columns ("get.n" → GET(n), "put.size" →
 * PUT(size), "get.ns.total" → GET(t), "get.bps" → GET(bw), "err.get.n" → ERR-GET(n)) with
 * error columns last. Metric kinds are inferred from the name suffix. */
#include "api/authtok.h"
#include "cli/cli.h"
#include "core/jsonx.h"
#include "cli/cli_fmt.h"
#include "core/util.h"
#include "net/hclient.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { K_OTHER, K_COUNTER, K_SIZE, K_LATENCY, K_TOTAL, K_BW, K_TIME };

static int perf_kind(const char *name)
{
	/* by name suffix; ".ns.total" before ".ns" */
	static const struct {
		const char *sfx;
		int kind;
	} kinds[] = {{".ns.total", K_TOTAL}, {".n", K_COUNTER}, {".size", K_SIZE},
		     {".ns", K_LATENCY},     {".bps", K_BW},     {".time", K_TIME}};
	size_t l = strlen(name);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t sl = strlen(kinds[i].sfx);
		if (l >= sl && !strcmp(name + l - sl, kinds[i].sfx))
			return kinds[i].kind;
	}
	return K_OTHER;
}

typedef struct {
	char id[64];
	json_t *tr; /* name → int64 (owned object of integers) */
	bool ok;
} ptgt_t;

typedef struct {
	ptgt_t *t;
	int n;
} psample_t;

static void sample_fini(psample_t *s)
{
	for (int i = 0; i < s->n; i++)
		json_decref(s->t[i].tr);
	free(s->t);
	memset(s, 0, sizeof(*s));
}

/* one sample of every (active) target's tracker, sorted by ID */
static int perf_sample(cli_ctx_t *c, const json_t *smap, const char *only, psample_t *s)
{
	json_t *tm = json_object_get(smap, "tmap");
	int n = (int)json_object_size(tm);
	s->t = calloc((size_t)n + 1, sizeof(ptgt_t));
	s->n = 0;
	hreq_t *reqs = calloc((size_t)n + 1, sizeof(hreq_t));
	char bearer[AUTHTOK_MAX + 32];
	if (authtok_header(bearer, sizeof(bearer)))
		bearer[0] = '\0';
	char(*urls)[320] = calloc((size_t)n + 1, sizeof(*urls));
	const char *k;
	json_t *v;
	json_object_foreach(tm, k, v)
	{
		json_t *fl = json_object_get(v, "flags");
		if (json_integer_value(fl) & (4 | 8))
			continue;
		if (only && strcmp(only, k))
			continue;
		snprintf(s->t[s->n].id, sizeof(s->t[0].id), "%s", k);
		snprintf(urls[s->n], sizeof(urls[0]), "%s/v1/daemon?what=node_status", cli_api_node_url(v));
		reqs[s->n] = (hreq_t){.method = "GET", .url = urls[s->n], .hdrs = bearer[0] ? bearer : NULL, .timeout_ms = 10000};
		s->n++;
	}
	if (s->n)
		hclient_fanout(reqs, s->n);
	for (int i = 0; i < s->n; i++) {
		json_error_t jerr;
		json_t *st = !reqs[i].rc && reqs[i].status == 200 ? jsonx_loadb(reqs[i].resp.p, reqs[i].resp.len, &jerr) : NULL;
		json_t *tr = json_object_get(st, "tracker");
		s->t[i].tr = json_object();
		s->t[i].ok = st != NULL;
		json_object_foreach(tr, k, v) json_object_set_new(s->t[i].tr, k, json_integer(cli_out_tracker(v)));
		json_decref(st);
		hreq_fini(&reqs[i]);
	}
	free(reqs);
	free(urls);
	for (int i = 1; i < s->n; i++)
		for (int j = i; j > 0 && strcmp(s->t[j - 1].id, s->t[j].id) > 0; j--) {
			ptgt_t x = s->t[j];
			s->t[j] = s->t[j - 1];
			s->t[j - 1] = x;
		}
	(void)c;
	return 0;
}

static int64_t sval(const ptgt_t *t, const char *name) { return json_integer_value(json_object_get(t->tr, name)); }

/* column name from metric name and kind */
static void col_name(const char *m, int kind, bool totavg, char *out, size_t cap)
{
	char parts[8][48];
	int np = 0;
	const char *p = m;
	while (*p && np < 8) {
		size_t l = strcspn(p, ".");
		snprintf(parts[np++], sizeof(parts[0]), "%.*s", (int)l, p);
		p += l;
		if (*p == '.')
			p++;
	}
	char first[48];
	if (!strcmp(parts[0], "lst"))
		snprintf(first, sizeof(first), "LIST");
	else if (!strcmp(parts[0], "del"))
		snprintf(first, sizeof(first), "DELETE");
	else if (!strcmp(parts[0], "ren"))
		snprintf(first, sizeof(first), "RENAME");
	else if (!strcmp(parts[0], "ver"))
		snprintf(first, sizeof(first), "VERSION");
	else {
		size_t i = 0;
		for (; parts[0][i] && i < sizeof(first) - 1; i++)
			first[i] = (char)(parts[0][i] >= 'a' && parts[0][i] <= 'z' ? parts[0][i] - 32 : parts[0][i]);
		first[i] = '\0';
	}
	int l = np - 1;
	if (!strcmp(parts[l], "total"))
		l--;
	size_t off = (size_t)snprintf(out, cap, "%s", first);
	for (int j = 1; j < l && off < cap; j++) {
		off += (size_t)snprintf(out + off, cap - off, "-");
		for (char *q = parts[j]; *q && off + 1 < cap; q++)
			out[off++] = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
		out[off] = '\0';
	}
	const char *suf = "";
	switch (kind) {
	case K_BW: suf = "(bw)"; break;
	case K_LATENCY:
	case K_TOTAL: suf = "(t)"; break;
	case K_SIZE: suf = totavg ? "(total/avg size)" : "(size)"; break;
	case K_COUNTER: suf = "(n)"; break;
	}
	snprintf(out + strlen(out), cap - strlen(out), "%s", suf);
}

static void cell_val(cli_ctx_t *c, const ptgt_t *t, const char *m, int kind, bool avg, char *out, size_t cap)
{
	int64_t v = sval(t, m);
	char a[32], b[32];
	if (v == 0) {
		snprintf(out, cap, "0");
		return;
	}
	switch (kind) {
	case K_TIME:
	case K_LATENCY:
	case K_TOTAL: cli_fmt_duration(v, out, cap); break;
	case K_SIZE:
		cli_fmt_size(v, c->units, 2, a, sizeof(a));
		if (avg) {
			char cnt[96];
			snprintf(cnt, sizeof(cnt), "%.*s.n", (int)(strlen(m) - 5), m);
			int64_t n = sval(t, cnt);
			if (n > 0) {
				cli_fmt_size(v / n, c->units, 2, b, sizeof(b));
				snprintf(out, cap, "%s  %s", a, b);
				break;
			}
		}
		snprintf(out, cap, "%s", a);
		break;
	case K_BW:
		cli_fmt_size(v, c->units, 2, a, sizeof(a));
		snprintf(out, cap, "%s/s", a);
		break;
	default: snprintf(out, cap, "%lld", (long long)v); break;
	}
}

typedef bool (*perf_sel_fn)(const char *name, int kind, bool verbose);

static bool sel_counters(const char *n, int k, bool v) { return k == K_COUNTER || k == K_SIZE; }
static bool sel_throughput(const char *n, int k, bool v)
{
	if (!strncmp(n, "err.io.", 7))
		return true;
	if (!strncmp(n, "err.", 4))
		return v && (strstr(n, "get") || strstr(n, "put"));
	if (k == K_COUNTER || k == K_SIZE)
		return !strcmp(n, "get.n") || !strcmp(n, "put.n") || !strcmp(n, "get.size") || !strcmp(n, "put.size");
	return k == K_BW && (!strcmp(n, "get.bps") || !strcmp(n, "put.bps"));
}
/* latencies (recomputed over the interval) and the matching operation counters */
static bool sel_latency(const char *n, int k, bool v)
{
	if (!strncmp(n, "err.", 4))
		return false;
	if (k == K_TOTAL)
		return true;
	static const char *const cnts[] = {"get.n", "put.n", "head.n", "del.n", "ren.n", "lst.n", "append.n", NULL};
	for (int i = 0; k == K_COUNTER && cnts[i]; i++)
		if (!strcmp(n, cnts[i]))
			return true;
	return false;
}

static int name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	bool ex = !strncmp(x, "err", 3), ey = !strncmp(y, "err", 3);
	if (ex != ey)
		return ex ? 1 : -1;
	return strcmp(x, y);
}

static void perf_caption(cli_ctx_t *c, const char *tab)
{
	char stamp[32], dashes[64], cb[96];
	cli_fmt_clock(now_ns(), 1, stamp, sizeof(stamp));
	int n = 40 - (int)strlen(stamp) - (int)strlen(tab);
	if (n < 1)
		n = 1;
	memset(dashes, '-', (size_t)n);
	dashes[n] = '\0';
	printf("%s %s %s\n", cli_out_cyan(c, tab, cb, sizeof(cb)), dashes, stamp);
}

/* render one table from sample s (values already recomputed where needed) */
static void perf_table(cli_ctx_t *c, const json_t *smap, const psample_t *s, perf_sel_fn sel, bool avg, bool totals)
{
	(void)smap;
	const char *names[256];
	int nn = 0;
	bool verbose = cli_flag(c, "verbose");
	const char *rx = cli_flag_str(c, "regex", NULL);
	regex_t re;
	bool have_re = rx && !regcomp(&re, rx, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	for (int i = 0; i < s->n; i++) {
		const char *k;
		json_t *v;
		json_object_foreach(s->t[i].tr, k, v)
		{
			int kind = perf_kind(k);
			if (!sel(k, kind, verbose))
				continue;
			bool seen = false;
			for (int j = 0; j < nn && !seen; j++)
				seen = !strcmp(names[j], k);
			if (!seen && nn < 256)
				names[nn++] = k;
		}
	}
	/* drop all-zero columns (unless a regex asks for specific ones), then filter by regex */
	int w = 0;
	for (int j = 0; j < nn; j++) {
		bool nz = false;
		for (int i = 0; i < s->n && !nz; i++)
			nz = sval(&s->t[i], names[j]) != 0;
		char cn[128];
		col_name(names[j], perf_kind(names[j]), avg, cn, sizeof(cn));
		if (have_re) {
			if (regexec(&re, names[j], 0, NULL, 0) && regexec(&re, cn, 0, NULL, 0))
				continue;
		} else if (!nz) {
			continue;
		}
		names[w++] = names[j];
	}
	nn = w;
	if (have_re)
		regfree(&re);
	qsort(names, (size_t)nn, sizeof(char *), name_cmp);
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers")) {
		sbuf_adds(&t, "TARGET");
		for (int j = 0; j < nn; j++) {
			char cn[128];
			col_name(names[j], perf_kind(names[j]), avg, cn, sizeof(cn));
			sbuf_addf(&t, "\t %s", cn);
		}
		sbuf_adds(&t, "\n");
	}
	if (nn) {
		for (int i = 0; i < s->n; i++) {
			char sn[96];
			sbuf_adds(&t, cli_api_sname(s->t[i].id, false, sn, sizeof(sn)));
			for (int j = 0; j < nn; j++) {
				char v[96];
				cell_val(c, &s->t[i], names[j], perf_kind(names[j]), avg, v, sizeof(v));
				sbuf_addf(&t, "\t %s", v);
			}
			sbuf_adds(&t, "\n");
		}
		bool any_bw = false;
		for (int j = 0; j < nn; j++)
			any_bw = any_bw || perf_kind(names[j]) == K_BW;
		if (totals && any_bw && s->n > 1) {
			sbuf_adds(&t, "--- Cluster:");
			for (int j = 0; j < nn; j++) {
				int kind = perf_kind(names[j]);
				if (kind != K_BW) {
					sbuf_adds(&t, "\t ");
					continue;
				}
				int64_t sum = 0;
				for (int i = 0; i < s->n; i++)
					sum += sval(&s->t[i], names[j]);
				char a[32];
				sbuf_addf(&t, "\t %s/s", cli_fmt_size(sum, c->units, 2, a, sizeof(a)));
			}
			sbuf_adds(&t, "\n");
		}
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
}

/* the target(s), --refresh and --count (once: a single round, as in 'ais show performance') */
static int perf_args(cli_ctx_t *c, bool once, json_t **smap, const char **only, int64_t *refresh_ns, int64_t *count)
{
	*smap = cli_api_smap(c);
	if (!*smap)
		return 1;
	*only = NULL;
	if (c->nargs > 0) {
		bool isp = false;
		json_t *sn = cli_api_smap_node(*smap, c->args[0], &isp);
		if (!sn || isp)
			return cli_err(c, "\"%s\" is not a target (see 'ais show cluster target')", c->args[0]);
		*only = json_string_value(json_object_get(sn, "daemon_id"));
	}
	if (!json_object_size(json_object_get(*smap, "tmap")))
		return cli_err(c, "no targets in the cluster");
	const char *r = cli_flag_str(c, "refresh", NULL);
	*refresh_ns = 5000000000LL;
	if (r) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s%s", r, r[0] && r[strlen(r) - 1] >= '0' && r[strlen(r) - 1] <= '9' ? "s" : "");
		if (parse_duration(buf, refresh_ns))
			return cli_err(c, "invalid '--refresh %s'", r);
		if (*refresh_ns < 1000000000LL || *refresh_ns > 60000000000LL)
			return cli_err(c, "invalid '--refresh' value, got %s, expecting [1s - 1m]", r);
	}
	if (cli_flag_int(c, "count", r ? 0 : 1, count))
		return 1;
	if (once)
		*count = 1;
	return 0;
}

static void perf_sleep(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	nanosleep(&ts, NULL);
}

static int do_counters(cli_ctx_t *c, bool caption, bool once)
{
	json_t *smap;
	const char *only;
	int64_t refresh, count;
	int rc = perf_args(c, once, &smap, &only, &refresh, &count);
	if (rc)
		goto out;
	for (int64_t it = 0; count == 0 || it < count; it++) {
		psample_t s = {0};
		perf_sample(c, smap, only, &s);
		if (caption || it > 0)
			perf_caption(c, "counters");
		bool any = false;
		for (int i = 0; i < s.n; i++) {
			const char *k;
			json_t *v;
			json_object_foreach(s.t[i].tr, k, v) if (sel_counters(k, perf_kind(k), false) && json_integer_value(v)) any = true;
		}
		if (!any && !cli_flag_str(c, "regex", NULL))
			cli_note(c, "the cluster is completely idle: all collected counters have zero values");
		perf_table(c, smap, &s, sel_counters, cli_flag(c, "average-size"), false);
		sample_fini(&s);
		if (count == 0 || it + 1 < count)
			perf_sleep(refresh);
	}
out:
	json_decref(smap);
	return rc;
}

/* throughput (size deltas / seconds → "<op>.bps") or latency (total-ns deltas / count deltas) */
static int do_rates(cli_ctx_t *c, bool latency, bool caption, bool once)
{
	json_t *smap;
	const char *only;
	int64_t refresh, count;
	int rc = perf_args(c, once, &smap, &only, &refresh, &count);
	if (rc)
		goto out;
	psample_t a = {0};
	perf_sample(c, smap, only, &a);
	for (int64_t it = 0; count == 0 || it < count; it++) {
		perf_sleep(refresh);
		psample_t b = {0};
		perf_sample(c, smap, only, &b);
		/* recompute into a copy of b */
		for (int i = 0; i < b.n; i++) {
			const ptgt_t *pa = NULL;
			for (int k = 0; k < a.n; k++)
				if (!strcmp(a.t[k].id, b.t[i].id))
					pa = &a.t[k];
			json_t *tr = b.t[i].tr;
			if (!latency) {
				static const char *const ops[] = {"get", "put"};
				for (int o = 0; o < 2; o++) {
					char sz[16], cnt[16], bps[16];
					snprintf(sz, sizeof(sz), "%s.size", ops[o]);
					snprintf(cnt, sizeof(cnt), "%s.n", ops[o]);
					snprintf(bps, sizeof(bps), "%s.bps", ops[o]);
					int64_t d = pa ? sval(&b.t[i], sz) - sval(pa, sz) : 0;
					int64_t dn = pa ? sval(&b.t[i], cnt) - sval(pa, cnt) : 0;
					int64_t secs = refresh / 1000000000 > 0 ? refresh / 1000000000 : 1;
					json_object_set_new(tr, bps, json_integer(dn > 0 && d > 0 ? d / secs : 0));
				}
			} else {
				const char *k;
				json_t *v;
				void *tmp;
				json_object_foreach_safe(tr, tmp, k, v)
				{
					if (perf_kind(k) != K_TOTAL)
						continue;
					char cnt[96];
					snprintf(cnt, sizeof(cnt), "%.*s.n", (int)(strlen(k) - 9), k);
					int64_t dn = pa ? sval(&b.t[i], cnt) - sval(pa, cnt) : 0;
					int64_t dt = pa ? sval(&b.t[i], k) - sval(pa, k) : 0;
					json_object_set_new(tr, k, json_integer(dn > 0 ? dt / dn : 0));
				}
			}
		}
		if (caption || it > 0)
			perf_caption(c, latency ? "latency" : "throughput");
		perf_table(c, smap, &b, latency ? sel_latency : sel_throughput, !latency, !latency);
		sample_fini(&a);
		perf_sample(c, smap, only, &a); /* the next interval starts now */
		sample_fini(&b);
	}
	sample_fini(&a);
out:
	json_decref(smap);
	return rc;
}

int cli_perf_counters(cli_ctx_t *c) { return do_counters(c, false, false); }
int cli_perf_throughput(cli_ctx_t *c) { return do_rates(c, false, false, false); }
int cli_perf_latency(cli_ctx_t *c) { return do_rates(c, true, false, false); }

int cli_perf_all(cli_ctx_t *c)
{
	int rc = do_counters(c, true, true);
	if (!rc) {
		printf("\n");
		rc = do_rates(c, false, true, true);
	}
	if (!rc) {
		printf("\n");
		rc = do_rates(c, true, true, true);
	}
	if (!rc)
		printf("\n");
	return rc;
}
