/* ld_report: table and JSON writers for aisloader's statistics (see ld_report.h). */
#include "loader/ld_report.h"
#include "core/util.h"
#include "loader/ld_fmt.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define LD_ROW "%-10s%-6s%-22s\t%-22s\t%-36s\t%-22s\t%-10s\n"

static const char *ld_op_label[LD_NOPS] = {"GET", "PUT", "GBT"};
static const char *ld_op_json[LD_NOPS] = {"get", "put", "get_batch"};

static void ld_report_header(ld_report_t *r)
{
	fprintf(r->f, "\n" LD_ROW, "Time", "OP", "Count", "Size (Total)", "Latency (min, avg, max)", "Throughput (Avg)",
		"Errors (Total)");
}

void ld_report_begin(ld_report_t *r, FILE *f, bool json, int64_t mono_start)
{
	r->f = f;
	r->json = json;
	r->first = true;
	r->run_start = now_ns();
	r->mono_start = mono_start;
	if (json)
		fputs("[", f);
	else
		ld_report_header(r);
	fflush(f);
}

static int64_t ld_bps(int64_t bytes, int64_t ns)
{
	return ns > 0 ? (int64_t)((double)bytes * 1e9 / (double)ns) : 0;
}

static char *ld_lat3(char *out, size_t cap, const ld_stat_t *s)
{
	char a[32], b[32], c[32], pa[48], pb[48], pc[48];
	snprintf(out, cap, "%s%s%s", ld_fmt_pad(pa, sizeof(pa), ld_fmt_dur(a, sizeof(a), s->lat_min), 11),
		 ld_fmt_pad(pb, sizeof(pb), ld_fmt_dur(b, sizeof(b), ld_stat_avg(s)), 11),
		 ld_fmt_pad(pc, sizeof(pc), ld_fmt_dur(c, sizeof(c), s->lat_max), 11));
	return out;
}

static json_t *ld_report_jop(const ld_report_t *r, const ld_stat_t *s, int64_t start_mono, int64_t now_mono,
			     const ld_hist_t *h)
{
	char ts[64];
	fmt_rfc3339(r->run_start + (start_mono - r->mono_start), ts, sizeof(ts));
	char cnt[32], bytes[32], thr[32];
	snprintf(cnt, sizeof(cnt), "%lld", (long long)s->cnt);
	snprintf(bytes, sizeof(bytes), "%lld", (long long)s->bytes);
	snprintf(thr, sizeof(thr), "%lld", (long long)ld_bps(s->bytes, now_mono - start_mono));
	json_t *o = json_object();
	json_object_set_new(o, "start_time", json_string(ts));
	json_object_set_new(o, "count", json_string(cnt));
	json_object_set_new(o, "bytes", json_string(bytes));
	json_object_set_new(o, "errors", json_integer(s->errs));
	json_object_set_new(o, "latency", json_integer(ld_stat_avg(s)));
	json_object_set_new(o, "duration", json_integer(now_mono - start_mono));
	json_object_set_new(o, "min_latency", json_integer(s->lat_min));
	json_object_set_new(o, "max_latency", json_integer(s->lat_max));
	json_object_set_new(o, "throughput", json_string(thr));
	if (h) {
		json_object_set_new(o, "ops_per_sec", json_real(now_mono > start_mono ? (double)s->cnt * 1e9 /
										       (double)(now_mono - start_mono)
									  : 0));
		json_object_set_new(o, "latency_p50", json_integer(ld_hist_pct(h, 50)));
		json_object_set_new(o, "latency_p90", json_integer(ld_hist_pct(h, 90)));
		json_object_set_new(o, "latency_p99", json_integer(ld_hist_pct(h, 99)));
		json_object_set_new(o, "client_cpu_per_op", json_integer(r->cpu_per_op));
	}
	return o;
}

static void ld_report_json(ld_report_t *r, const ld_stat_t *s, int64_t start_mono, int64_t now_mono, const ld_hist_t *h)
{
	json_t *o = json_object();
	for (int i = 0; i < LD_NOPS; i++)
		json_object_set_new(o, ld_op_json[i], ld_report_jop(r, &s[i], start_mono, now_mono, h ? &h[i] : NULL));
	char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	fprintf(r->f, "%s\n%s", r->first ? "" : ",", txt ? txt : "{}");
	free(txt);
	r->first = false;
}

void ld_report_interval(ld_report_t *r, const ld_stat_t *iv, const ld_stat_t *tot, int64_t iv_start, int64_t now)
{
	if (r->json) {
		ld_report_json(r, iv, iv_start, now, NULL);
		fflush(r->f);
		return;
	}
	char clk[16];
	ld_fmt_clock(clk, sizeof(clk));
	for (int i = 0; i < LD_NOPS; i++) {
		const ld_stat_t *s = &iv[i], *t = &tot[i];
		if (s->cnt == 0 && s->errs == 0)
			continue;
		char a[32], b[32], c[64], d[32], e[32], lat[64], sp1[32], sp2[32], errs[64];
		snprintf(c, sizeof(c), "%s (%s)", ld_fmt_num(a, sizeof(a), s->cnt), ld_fmt_num(b, sizeof(b), t->cnt));
		char sz[64];
		snprintf(sz, sizeof(sz), "%s (%s)", ld_fmt_bytes(d, sizeof(d), s->bytes), ld_fmt_bytes(e, sizeof(e), t->bytes));
		char thr[80];
		snprintf(thr, sizeof(thr), "%s (%s)", ld_fmt_speed(sp1, sizeof(sp1), ld_bps(s->bytes, now - iv_start)),
			 ld_fmt_speed(sp2, sizeof(sp2), ld_bps(t->bytes, now - r->mono_start)));
		if (t->errs)
			snprintf(errs, sizeof(errs), "%s (%s)", ld_fmt_num(a, sizeof(a), s->errs),
				 ld_fmt_num(b, sizeof(b), t->errs));
		else
			snprintf(errs, sizeof(errs), "-");
		char plat[80];
		fprintf(r->f, LD_ROW, clk, ld_op_label[i], c, sz, ld_fmt_pad(plat, sizeof(plat), ld_lat3(lat, sizeof(lat), s), 36),
			thr, errs);
	}
	fflush(r->f);
}

void ld_report_final(ld_report_t *r, const ld_stat_t *tot, const ld_hist_t *hist, int64_t now)
{
	if (r->json) {
		ld_report_json(r, tot, r->mono_start, now, hist);
		fputs("\n]\n", r->f);
		fflush(r->f);
		return;
	}
	char clk[16];
	ld_fmt_clock(clk, sizeof(clk));
	ld_report_header(r);
	for (int i = 0; i < LD_NOPS; i++) {
		const ld_stat_t *t = &tot[i];
		if (t->cnt == 0 && t->errs == 0)
			continue;
		char c[32], sz[32], lat[64], thr[32], errs[32];
		char plat[80];
		fprintf(r->f, LD_ROW, clk, ld_op_label[i], ld_fmt_num(c, sizeof(c), t->cnt),
			ld_fmt_bytes(sz, sizeof(sz), t->bytes),
			ld_fmt_pad(plat, sizeof(plat), ld_lat3(lat, sizeof(lat), t), 36),
			ld_fmt_speed(thr, sizeof(thr), ld_bps(t->bytes, now - r->mono_start)),
			ld_fmt_num(errs, sizeof(errs), t->errs));
	}
	fprintf(r->f, "\n%-6s%-14s%-11s%-11s%-11s%-11s%s\n", "OP", "ops/s", "p50", "p90", "p99", "max", "client CPU/op");
	for (int i = 0; i < LD_NOPS; i++) {
		const ld_hist_t *h = &hist[i];
		if (h->n == 0)
			continue;
		char a[32], b[32], c[32], d[32], e[32], f[32], pa[48], pb[48], pc[48], pd[48];
		double secs = (double)(now - r->mono_start) / 1e9;
		int64_t ops = secs > 0 ? (int64_t)((double)tot[i].cnt / secs) : 0;
		fprintf(r->f, "%-6s%-14s%s%s%s%s%s\n", ld_op_label[i], ld_fmt_num(e, sizeof(e), ops),
			ld_fmt_pad(pa, sizeof(pa), ld_fmt_dur(a, sizeof(a), ld_hist_pct(h, 50)), 11),
			ld_fmt_pad(pb, sizeof(pb), ld_fmt_dur(b, sizeof(b), ld_hist_pct(h, 90)), 11),
			ld_fmt_pad(pc, sizeof(pc), ld_fmt_dur(c, sizeof(c), ld_hist_pct(h, 99)), 11),
			ld_fmt_pad(pd, sizeof(pd), ld_fmt_dur(d, sizeof(d), h->max), 11),
			ld_fmt_dur(f, sizeof(f), r->cpu_per_op));
	}
	fflush(r->f);
}
