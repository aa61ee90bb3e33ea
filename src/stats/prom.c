/* prom: the Prometheus text exposition (format 0.0.4) of this node, as AIStore 4.7 publishes it:
 * ais_<target|proxy>_<metric>{bucket=..,node_id=..[,xkind=..]} for the data-path counters
 * (a labelled series appears once used, like AIStore's CounterVec), unlabelled node counters,
 * uptime and state flags, ais_node_primary_info{primary_id}, plus what AIStore's Go runtime
 * would give and C has not (documented in docs/metrics.md as aistore-c additions): mountpath
 * capacity, thread count, process_* and log2 latency histograms. Families are sorted by name
 * (as the Go registry does); label values and help are escaped per the format. Read-only. */
#include "stats/stats_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "cluster/smap.h"

void prom_escape_label(sbuf_t *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*p == '"')
			sbuf_add(b, "\\\"", 2);
		else if (*p == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, p, 1);
	}
}

void prom_escape_help(sbuf_t *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*p == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, p, 1);
	}
}

void prom_add_double(sbuf_t *b, double v)
{
	if (isnan(v))
		sbuf_adds(b, "NaN");
	else if (isinf(v))
		sbuf_adds(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		sbuf_addf(b, "%.0f", v);
	else {
		/* shortest representation that reads back as the same double (as Go's 'g', -1) */
		char t[32];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(t, sizeof(t), "%.*g", prec, v);
			if (strtod(t, NULL) == v)
				break;
		}
		sbuf_adds(b, t);
	}
}

/* ---- families ---- */

enum fam_kind {
	FK_BUCKET,     /* per-bucket-label metric st_mdefs[idx] */
	FK_NODE,       /* unlabelled node counter (idx: SN_*) */
	FK_UPTIME,
	FK_FLAGS,
	FK_PRIMARY,
	FK_CAP_USED,
	FK_CAP_TOTAL,
	FK_HIST,       /* idx: SH_* */
	FK_THREADS,
	FK_PROC,       /* idx: PROC_* */
	FK_SCRAPE_INFLIGHT,
	FK_SCRAPE_TOTAL,
};

enum { PROC_CPU, PROC_RSS, PROC_VSIZE, PROC_START, PROC_FDS, PROC_NB };

typedef struct fam {
	char name[96];
	const char *help;
	const char *type;
	enum fam_kind kind;
	int idx;
} fam_t;

typedef struct render_ctx {
	sbuf_t *b;
	const char *role;
	char nid[80];         /* node_id label value ('.' → '_', as AIStore) */
	uint64_t slots_nz[SM_NB]; /* any sample in the family */
	st_sys_t sys;
	st_mpath_cap_t caps[64];
	int ncaps;
	uint64_t node[SN_NB];
	char primary[64];
} render_ctx_t;

static int fam_cmp(const void *a, const void *b)
{
	return strcmp(((const fam_t *)a)->name, ((const fam_t *)b)->name);
}

static void head(render_ctx_t *c, const fam_t *f)
{
	sbuf_addf(c->b, "# HELP %s ", f->name);
	prom_escape_help(c->b, f->help);
	sbuf_addf(c->b, "\n# TYPE %s %s\n", f->name, f->type);
}

static void node_lbl(render_ctx_t *c)
{
	sbuf_adds(c->b, "node_id=\"");
	prom_escape_label(c->b, c->nid);
	sbuf_adds(c->b, "\"");
}

static void sample_u(render_ctx_t *c, const char *name, uint64_t v)
{
	sbuf_addf(c->b, "%s{", name);
	node_lbl(c);
	sbuf_addf(c->b, "} %llu\n", (unsigned long long)v);
}

static void sample_d(render_ctx_t *c, const char *name, double v)
{
	sbuf_addf(c->b, "%s{", name);
	node_lbl(c);
	sbuf_adds(c->b, "} ");
	prom_add_double(c->b, v);
	sbuf_adds(c->b, "\n");
}

static void render_bucket(render_ctx_t *c, const fam_t *f)
{
	if (!c->slots_nz[f->idx])
		return; /* no series yet: AIStore's vectors show nothing either */
	head(c, f);
	uint64_t v[SM_NB];
	const char *label;
	for (int i = 0; i < st_nslots(); i++) {
		if (!st_slot_read(i, v, &label) || !v[f->idx])
			continue;
		sbuf_addf(c->b, "%s{bucket=\"", f->name);
		prom_escape_label(c->b, label);
		sbuf_adds(c->b, "\",");
		node_lbl(c);
		if (st_mdefs[f->idx].xkind)
			sbuf_adds(c->b, ",xkind=\"\"");
		sbuf_addf(c->b, "} %llu\n", (unsigned long long)v[f->idx]);
	}
}

static void render_cap(render_ctx_t *c, const fam_t *f, bool used)
{
	if (!c->ncaps)
		return;
	head(c, f);
	for (int i = 0; i < c->ncaps; i++) {
		sbuf_addf(c->b, "%s{mountpath=\"", f->name);
		prom_escape_label(c->b, c->caps[i].path);
		sbuf_adds(c->b, "\",");
		node_lbl(c);
		sbuf_addf(c->b, "} %llu\n", (unsigned long long)(used ? c->caps[i].used : c->caps[i].total));
	}
}

static void render_hist(render_ctx_t *c, const fam_t *f)
{
	uint64_t bk[ST_HIST_NB + 1], sum, n;
	st_hist_read(f->idx, bk, &sum, &n);
	head(c, f);
	uint64_t cum = 0;
	for (int i = 0; i <= ST_HIST_NB; i++) {
		cum += bk[i];
		sbuf_addf(c->b, "%s_bucket{le=\"", f->name);
		if (i == ST_HIST_NB)
			sbuf_adds(c->b, "+Inf");
		else
			sbuf_addf(c->b, "%.9g", (double)(1ull << (ST_HIST_LO + i)) / 1e9);
		sbuf_adds(c->b, "\",");
		node_lbl(c);
		sbuf_addf(c->b, "} %llu\n", (unsigned long long)cum);
	}
	char nm[sizeof(f->name) + 16];
	snprintf(nm, sizeof(nm), "%.95s_sum", f->name);
	sample_d(c, nm, (double)sum / 1e9);
	snprintf(nm, sizeof(nm), "%.95s_count", f->name);
	sample_u(c, nm, n);
}

static void render(render_ctx_t *c, const fam_t *f)
{
	switch (f->kind) {
	case FK_BUCKET:
		render_bucket(c, f);
		break;
	case FK_NODE:
		head(c, f);
		sample_u(c, f->name, c->node[f->idx]);
		break;
	case FK_UPTIME:
		head(c, f);
		sample_d(c, f->name, (double)st_uptime_ns() / 1e9);
		break;
	case FK_FLAGS:
		head(c, f);
		sample_u(c, f->name, st_state_flags(c->caps, c->ncaps));
		break;
	case FK_PRIMARY:
		if (!c->primary[0])
			return;
		head(c, f);
		sbuf_addf(c->b, "%s{", f->name);
		node_lbl(c);
		sbuf_adds(c->b, ",primary_id=\"");
		prom_escape_label(c->b, c->primary);
		sbuf_adds(c->b, "\"} 1\n");
		break;
	case FK_CAP_USED:
	case FK_CAP_TOTAL:
		render_cap(c, f, f->kind == FK_CAP_USED);
		break;
	case FK_HIST:
		render_hist(c, f);
		break;
	case FK_THREADS:
		head(c, f);
		sample_u(c, f->name, (uint64_t)c->sys.threads);
		break;
	case FK_PROC:
		head(c, f);
		switch (f->idx) {
		case PROC_CPU:
			sample_d(c, f->name, c->sys.cpu_seconds);
			break;
		case PROC_RSS:
			sample_u(c, f->name, c->sys.rss_bytes);
			break;
		case PROC_VSIZE:
			sample_u(c, f->name, c->sys.vsize_bytes);
			break;
		case PROC_START:
			sample_d(c, f->name, c->sys.start_time_s);
			break;
		default:
			sample_u(c, f->name, (uint64_t)c->sys.open_fds);
			break;
		}
		break;
	case FK_SCRAPE_INFLIGHT: {
		uint64_t tot;
		int64_t inflight;
		st_scrapes(&tot, &inflight);
		head(c, f);
		sbuf_addf(c->b, "%s %lld\n", f->name, (long long)inflight);
		break;
	}
	case FK_SCRAPE_TOTAL: {
		uint64_t tot;
		int64_t inflight;
		st_scrapes(&tot, &inflight);
		head(c, f);
		sbuf_addf(c->b, "%s{code=\"200\"} %llu\n", f->name, (unsigned long long)tot);
		sbuf_addf(c->b, "%s{code=\"500\"} 0\n", f->name);
		sbuf_addf(c->b, "%s{code=\"503\"} 0\n", f->name);
		break;
	}
	}
}

static fam_t *fam_add(fam_t *fams, int *n, enum fam_kind k, int idx, const char *type, const char *help,
		      const char *fmt, const char *role, const char *suffix)
{
	fam_t *f = &fams[(*n)++];
	f->kind = k;
	f->idx = idx;
	f->type = type;
	f->help = help;
	snprintf(f->name, sizeof(f->name), fmt, role, suffix);
	return f;
}

void prom_render(sbuf_t *b)
{
	render_ctx_t *c = calloc(1, sizeof(*c));
	if (!c) {
		b->oom = true;
		return;
	}
	c->b = b;
	bool tgt = st_is_target();
	c->role = tgt ? "target" : "proxy";
	const char *id = node_id();
	snprintf(c->nid, sizeof(c->nid), "%s", id ? id : "");
	for (char *p = c->nid; *p; p++)
		if (*p == '.')
			*p = '_';
	sysinfo_read(&c->sys);
	if (tgt)
		c->ncaps = sysinfo_mpaths(c->caps, (int)(sizeof(c->caps) / sizeof(c->caps[0])));
	st_node_read(c->node);
	smap_t *m = smap_get();
	if (m && m->primary_id[0])
		snprintf(c->primary, sizeof(c->primary), "%s", m->primary_id);
	smap_put(m);
	uint64_t v[SM_NB];
	for (int i = 0; i < st_nslots(); i++)
		if (st_slot_read(i, v, NULL))
			for (int k = 0; k < SM_NB; k++)
				c->slots_nz[k] |= v[k];

	fam_t fams[SM_NB + 48];
	int n = 0;
	for (int k = 0; k < SM_NB; k++) {
		const st_mdef_t *d = &st_mdefs[k];
		if (!d->prom || (d->target_only && !tgt))
			continue;
		fam_add(fams, &n, FK_BUCKET, k, "counter", d->help, "ais_%s_%s", c->role, d->prom);
	}
	fam_add(fams, &n, FK_NODE, SN_ERR_KALIVE_N, "counter", "total number of keep-alive failures", "ais_%s_%s",
		c->role, "err_kalive_count");
	fam_add(fams, &n, FK_NODE, SN_ERR_HTTP_WRITE_N, "counter", "total number of HTTP write-response errors",
		"ais_%s_%s", c->role, "err_http_write_count");
	fam_add(fams, &n, FK_UPTIME, 0, "gauge", "this node's uptime since its startup (seconds)", "ais_%s_%s", c->role,
		"uptime");
	fam_add(fams, &n, FK_FLAGS, 0, "gauge",
		"bitwise 64-bit value that carries enumerated node-state flags, including warnings and alerts; "
		"see https://github.com/NVIDIA/aistore/blob/main/cmn/cos/node_state.go for details",
		"ais_%s_%s", c->role, "state_flags");
	fam_add(fams, &n, FK_PRIMARY, 0, "gauge", "Primary proxy information for this node.", "ais_%s%s", "node",
		"_primary_info");
	fam_add(fams, &n, FK_THREADS, 0, "gauge", "number of OS threads of this node's process (aistore-c)", "ais_%s_%s",
		c->role, "threads");
	if (tgt) {
		fam_add(fams, &n, FK_NODE, SN_STREAM_OUT_N, "counter",
			"intra-cluster streaming communications: number of sent objects", "ais_%s_%s", c->role,
			"stream_out_count");
		fam_add(fams, &n, FK_NODE, SN_STREAM_OUT_SIZE, "counter",
			"intra-cluster streaming communications: total cumulative size (bytes) of all transmitted objects",
			"ais_%s_%s", c->role, "stream_out_bytes");
		fam_add(fams, &n, FK_NODE, SN_STREAM_IN_N, "counter",
			"intra-cluster streaming communications: number of received objects", "ais_%s_%s", c->role,
			"stream_in_count");
		fam_add(fams, &n, FK_NODE, SN_STREAM_IN_SIZE, "counter",
			"intra-cluster streaming communications: total cumulative size (bytes) of all received objects",
			"ais_%s_%s", c->role, "stream_in_bytes");
		fam_add(fams, &n, FK_NODE, SN_MIRROR_COPY_N, "counter",
			"n-way mirror: number of object copies written (aistore-c)", "ais_%s_%s", c->role,
			"mirror_copy_count");
		fam_add(fams, &n, FK_NODE, SN_MIRROR_COPY_SIZE, "counter",
			"n-way mirror: total size (bytes) of object copies written (aistore-c)", "ais_%s_%s", c->role,
			"mirror_copy_bytes");
		fam_add(fams, &n, FK_NODE, SN_MIRROR_RESTORE_N, "counter",
			"n-way mirror: number of missing or corrupted main replicas restored from a copy (aistore-c)",
			"ais_%s_%s", c->role, "mirror_restore_count");
		fam_add(fams, &n, FK_NODE, SN_EC_ENCODE_N, "counter", "EC: objects encoded (aistore-c)", "ais_%s_%s",
			c->role, "ec_encode_count");
		fam_add(fams, &n, FK_NODE, SN_EC_ENCODE_SIZE, "counter", "EC: bytes of slices and replicas sent (aistore-c)",
			"ais_%s_%s", c->role, "ec_encode_bytes");
		fam_add(fams, &n, FK_NODE, SN_EC_RESTORE_N, "counter", "EC: objects rebuilt from slices or replicas (aistore-c)",
			"ais_%s_%s", c->role, "ec_restore_count");
		fam_add(fams, &n, FK_NODE, SN_EC_RESTORE_SIZE, "counter", "EC: bytes of objects rebuilt (aistore-c)",
			"ais_%s_%s", c->role, "ec_restore_bytes");
		fam_add(fams, &n, FK_NODE, SN_EC_QFULL_N, "counter",
			"EC: encodes dropped because the encode queue stayed full (aistore-c)", "ais_%s_%s", c->role,
			"err_ec_queue_count");
		fam_add(fams, &n, FK_NODE, SN_EC_ERR_N, "counter", "EC: failed encodes and restores (aistore-c)",
			"ais_%s_%s", c->role, "err_ec_count");
		fam_add(fams, &n, FK_CAP_USED, 0, "gauge", "mountpath: used capacity (bytes)", "ais_%s_%s", c->role,
			"capacity_used");
		fam_add(fams, &n, FK_CAP_TOTAL, 0, "gauge", "mountpath: total capacity (bytes)", "ais_%s_%s", c->role,
			"capacity_total");
		fam_add(fams, &n, FK_HIST, SH_GET, "histogram", "GET: latency distribution (seconds; aistore-c)",
			"ais_%s_%s", c->role, "get_latency_seconds");
		fam_add(fams, &n, FK_HIST, SH_PUT, "histogram", "PUT: latency distribution (seconds; aistore-c)",
			"ais_%s_%s", c->role, "put_latency_seconds");
	}
	fam_add(fams, &n, FK_PROC, PROC_CPU, "counter", "Total user and system CPU time spent in seconds.", "%s%s",
		"process_", "cpu_seconds_total");
	fam_add(fams, &n, FK_PROC, PROC_RSS, "gauge", "Resident memory size in bytes.", "%s%s", "process_",
		"resident_memory_bytes");
	fam_add(fams, &n, FK_PROC, PROC_VSIZE, "gauge", "Virtual memory size in bytes.", "%s%s", "process_",
		"virtual_memory_bytes");
	fam_add(fams, &n, FK_PROC, PROC_START, "gauge", "Start time of the process since unix epoch in seconds.",
		"%s%s", "process_", "start_time_seconds");
	fam_add(fams, &n, FK_PROC, PROC_FDS, "gauge", "Number of open file descriptors.", "%s%s", "process_",
		"open_fds");
	fam_add(fams, &n, FK_SCRAPE_INFLIGHT, 0, "gauge", "Current number of scrapes being served.", "%s%s",
		"promhttp_metric_handler_", "requests_in_flight");
	fam_add(fams, &n, FK_SCRAPE_TOTAL, 0, "counter", "Total number of scrapes by HTTP status code.", "%s%s",
		"promhttp_metric_handler_", "requests_total");

	qsort(fams, (size_t)n, sizeof(fams[0]), fam_cmp);
	for (int i = 0; i < n; i++)
		render(c, &fams[i]);
	free(c);
}

char *stats_prom_text(void)
{
	sbuf_t b = SBUF_INIT;
	sbuf_reserve(&b, 16 * 1024);
	prom_render(&b);
	if (b.oom) {
		sbuf_fini(&b);
		return NULL;
	}
	return sbuf_take(&b);
}
