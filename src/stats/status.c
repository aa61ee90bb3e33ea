/* status: the JSON side of node statistics, in AIStore's shapes (stats.Node, stats.NodeStatus):
 * the cumulative "tracker" ({"get.n": 5, ...} as stats.copyCumulative: counters, sizes and
 * totals only when non-zero; latencies, throughputs, uptime and state flags always), the target's
 * "capacity" (fs.Tcdf), "sys_info" (apc.MemCPUInfo) and "cluster" (cos.NodeStateInfo), added to
 * the node_status object that cluster/daemon builds. Read-only; allocates only the JSON. */
#include "stats/stats.h"
#include "stats/stats_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/util.h"

static void tr_set(json_t *t, const char *name, uint64_t v)
{
	json_object_set_new(t, name, json_integer((json_int_t)v));
}

json_t *stats_tracker_json(void)
{
	json_t *t = json_object();
	if (!t)
		return NULL;
	bool tgt = st_is_target();
	uint64_t sum[SM_NB] = {0}, v[SM_NB];
	for (int i = 0; i < st_nslots(); i++)
		if (st_slot_read(i, v, NULL))
			for (int k = 0; k < SM_NB; k++)
				sum[k] += v[k];
	for (int k = 0; k < SM_NB; k++) {
		const st_mdef_t *d = &st_mdefs[k];
		if (d->target_only && !tgt)
			continue;
		if (d->kind == SK_LATENCY || sum[k])
			tr_set(t, d->name, sum[k]);
	}
	/* KindLatency twins of the totals (cumulative ns, always present) */
	tr_set(t, "get.ns", sum[SM_GET_NS_TOTAL]);
	if (tgt) {
		tr_set(t, "put.ns", sum[SM_PUT_NS_TOTAL]);
		/* KindThroughput: "<op>.bps" and "<op>.size" both carry the cumulative size */
		tr_set(t, "get.bps", sum[SM_GET_SIZE]);
		tr_set(t, "get.size", sum[SM_GET_SIZE]);
		tr_set(t, "put.bps", sum[SM_PUT_SIZE]);
		tr_set(t, "put.size", sum[SM_PUT_SIZE]);
	}
	uint64_t n[SN_NB];
	st_node_read(n);
	tr_set(t, "kalive.ns", n[SN_KALIVE_NS]);
	if (n[SN_ERR_KALIVE_N])
		tr_set(t, "err.kalive.n", n[SN_ERR_KALIVE_N]);
	if (n[SN_ERR_HTTP_WRITE_N])
		tr_set(t, "err.http.write.n", n[SN_ERR_HTTP_WRITE_N]);
	static const struct { int idx; const char *name; } streams[] = {
		{SN_STREAM_OUT_N, "stream.out.n"}, {SN_STREAM_OUT_SIZE, "stream.out.size"},
		{SN_STREAM_IN_N, "stream.in.n"}, {SN_STREAM_IN_SIZE, "stream.in.size"}};
	for (size_t i = 0; tgt && i < sizeof(streams) / sizeof(streams[0]); i++)
		if (n[streams[i].idx])
			tr_set(t, streams[i].name, n[streams[i].idx]);
	static const char *const rb[] = {"aws", "remais"};
	static const char *const rop[] = {"get.n", "get.size", "get.ns.total", "put.n", "put.size", "put.ns.total", "head.n"};
	for (int b = 0; tgt && b < 2; b++)
		for (int k = 0; k < SN_RB_PER; k++) {
			uint64_t rv = n[SN_RB0 + b * SN_RB_PER + k];
			char name[48];
			snprintf(name, sizeof(name), "%s.%s", rb[b], rop[k]);
			if (rv)
				tr_set(t, name, rv);
		}
	tr_set(t, "up.ns.time", (uint64_t)st_uptime_ns());
	return t;
}

static json_t *u64s(uint64_t v) /* Go's `json:",string"` on integers */
{
	char b[32];
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_string(b);
}

/* fs.Tcdf */
static json_t *st_tcdf(const st_mpath_cap_t *caps, int n)
{
	json_t *mps = n ? json_object() : json_null();
	uint64_t tused = 0, tavail = 0;
	int pmax = 0, pmin = n ? 100 : 0, psum = 0;
	for (int i = 0; i < n; i++) {
		const st_mpath_cap_t *c = &caps[i];
		json_t *fsid = json_pack("[i,i]", (int)c->fsid[0], (int)c->fsid[1]);
		json_t *fs = json_pack("{s:s, s:s, s:o}", "Fs", c->fs, "FsType", c->fstype, "FsID", fsid);
		json_t *cdf = json_pack("{s:s, s:o, s:[], s:o, s:o, s:i}", "mountpath_label", "", "fs", fs, "disks", "used",
					u64s(c->used), "avail", u64s(c->avail), "pct_used", c->pct_used);
		json_object_set_new(mps, c->path, cdf);
		/* count each filesystem once */
		bool dup = false;
		for (int j = 0; j < i; j++)
			if (!memcmp(caps[j].fsid, c->fsid, sizeof(c->fsid)) && !strcmp(caps[j].fs, c->fs))
				dup = true;
		if (!dup) {
			tused += c->used;
			tavail += c->avail;
		}
		pmax = c->pct_used > pmax ? c->pct_used : pmax;
		pmin = c->pct_used < pmin ? c->pct_used : pmin;
		psum += c->pct_used;
	}
	return json_pack("{s:o, s:s, s:o, s:o, s:i, s:i, s:i}", "mountpaths", mps, "cs_err", "", "total_used", u64s(tused),
			 "total_avail", u64s(tavail), "pct_max", pmax, "pct_avg", n ? psum / n : 0, "pct_min", pmin);
}

/* apc.MemCPUInfo */
static json_t *st_sysinfo(const st_sys_t *s)
{
	uint64_t used = s->mem_total > s->mem_free ? s->mem_total - s->mem_free : 0;
	uint64_t aused = s->mem_total > s->mem_avail ? s->mem_total - s->mem_avail : 0;
	json_t *mem = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "Total", (json_int_t)s->mem_total,
				"Used", (json_int_t)used, "Free", (json_int_t)s->mem_free, "BuffCache",
				(json_int_t)s->buffcache, "ActualFree", (json_int_t)s->mem_avail, "ActualUsed",
				(json_int_t)aused, "SwapTotal", (json_int_t)s->swap_total, "SwapFree",
				(json_int_t)s->swap_free, "SwapUsed",
				(json_int_t)(s->swap_total > s->swap_free ? s->swap_total - s->swap_free : 0));
	long hz = 100; /* USER_HZ on Linux; ticks → ms */
	uint64_t ums = s->cpu_user_ticks * (1000 / hz), sms = s->cpu_sys_ticks * (1000 / hz);
	json_t *proc = json_pack("{s:{s:I, s:I, s:I, s:I, s:f}, s:{s:I, s:I, s:I}}", "CPU", "User", (json_int_t)ums,
				 "System", (json_int_t)sms, "Total", (json_int_t)(ums + sms), "LastTime",
				 (json_int_t)(now_ns() / 1000000), "Percent", s->pct_cpu, "Mem", "Size",
				 (json_int_t)s->vsize_bytes, "Resident", (json_int_t)s->rss_bytes, "Share",
				 (json_int_t)s->shared_bytes);
	return json_pack("{s:I, s:I, s:f, s:f, s:{s:f, s:f, s:f}, s:I, s:o, s:o}", "mem_used", (json_int_t)s->rss_bytes,
			 "mem_avail", (json_int_t)s->mem_avail, "pct_mem_used",
			 s->mem_total ? (double)s->rss_bytes * 100.0 / (double)s->mem_total : 0.0, "pct_cpu_used",
			 s->pct_cpu, "load_avg", "One", s->load1, "Five", s->load5, "Fifteen", s->load15, "cpu_util",
			 (json_int_t)s->cpu_util, "mem", mem, "proc", proc);
}

/* cos.NodeStateInfo */
static json_t *st_nsti(uint64_t flags)
{
	smap_t *m = smap_get();
	bmd_t *b = bmd_get();
	const snode_t *p = m ? smap_primary(m) : NULL;
	const config_t *cfg = config_get();
	int64_t conf_ver = cfg ? cfg->version : 0;
	config_put(cfg);
	json_t *j = json_pack("{s:{s:{s:s, s:s, s:s}, s:s, s:o}, s:{s:s, s:o}, s:{s:s}, s:{s:o}, s:{s:s}, s:I}", "smap",
			      "Primary", "pub_url", p ? p->pub.url : "", "control_url", p ? p->ctl.url : "", "id",
			      p ? p->id : "", "uuid", m ? m->uuid : "", "version", u64s(m ? (uint64_t)m->version : 0),
			      "bmd", "uuid", b ? b->uuid : "", "version", u64s(b ? (uint64_t)b->version : 0), "rmd",
			      "version", "0", "config", "version", u64s((uint64_t)conf_ver),
			      "etlmd", "version", "0", "flags", (json_int_t)flags);
	bmd_put(b);
	smap_put(m);
	return j;
}

void stats_status_json(json_t *j)
{
	if (!j)
		return;
	st_sys_t sys;
	sysinfo_read(&sys);
	st_mpath_cap_t *caps = calloc(64, sizeof(*caps));
	int n = caps && st_is_target() ? sysinfo_mpaths(caps, 64) : 0;
	const char *pod = getenv("MY_POD");
	json_object_set_new(j, "tracker", stats_tracker_json());
	json_object_set_new(j, "capacity", st_tcdf(caps, n));
	json_object_set_new(j, "sys_info", st_sysinfo(&sys));
	json_object_set_new(j, "cluster", st_nsti(st_state_flags(caps, n)));
	json_object_set_new(j, "deployment", json_string(getenv("KUBERNETES_SERVICE_HOST") ? "K8s" : "dev"));
	json_object_set_new(j, "ais_version", json_string("4.7"));
	json_object_set_new(j, "build_time", json_string(""));
	json_object_set_new(j, "k8s_pod_name", json_string(pod ? pod : ""));
	free(caps);
}
