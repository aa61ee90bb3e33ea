/* stats_int: what stats.c, prom.c and sysinfo.c share (not for other modules): the metric table
 * (AIStore internal name, Prometheus name, kind, help), the read side of the sharded counters
 * (per bucket-label slot, summed over shards), the latency histograms, and the process/system
 * snapshot that sysinfo.c takes at read time. */
#ifndef AIS_STATS_INT_H
#define AIS_STATS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "stats/stats.h"

/* metric kinds, as AIStore's stats.Kind* */
typedef enum {
	SK_COUNTER, /* "*.n"        → <name>_count, Prometheus counter */
	SK_SIZE,    /* "*.size"     → <name>_bytes, counter */
	SK_TOTAL,   /* "*.ns.total" → <name>_ns_total, counter */
	SK_LATENCY, /* "*.ns"       → not exported to Prometheus (v3.26+); JSON: cumulative ns */
} st_kind_t;

/* per-bucket-label metrics (index into a slot's counters) */
enum {
	SM_GET_N, SM_PUT_N, SM_HEAD_N, SM_APPEND_N, SM_DEL_N, SM_REN_N, SM_LST_N,
	SM_ERR_GET_N, SM_ERR_PUT_N, SM_ERR_HEAD_N, SM_ERR_APPEND_N, SM_ERR_DEL_N, SM_ERR_REN_N, SM_ERR_LST_N,
	SM_GET_NS_TOTAL, SM_PUT_NS_TOTAL, SM_HEAD_NS_TOTAL,
	SM_GET_SIZE, SM_PUT_SIZE,
	SM_ERR_PUT_CKSUM_N, SM_ERR_IO_GET_N, SM_ERR_IO_PUT_N, SM_ERR_IO_DEL_N,
	SM_APPEND_NS, SM_LST_NS,
	SM_NB
};

typedef struct st_mdef {
	const char *name;  /* AIStore internal name ("get.n") */
	const char *prom;  /* Prometheus name after ais_<role>_ ("get_count"); NULL: not exported */
	st_kind_t kind;
	bool target_only;  /* registered by AIStore's Trunner only */
	bool xkind;        /* has the xkind variable label besides bucket */
	const char *help;
} st_mdef_t;

extern const st_mdef_t st_mdefs[SM_NB];

/* node-level (unlabeled) counters */
enum {
	SN_ERR_KALIVE_N, SN_ERR_HTTP_WRITE_N, SN_KALIVE_NS, SN_KALIVE_N,
	SN_STREAM_OUT_N, SN_STREAM_OUT_SIZE, SN_STREAM_IN_N, SN_STREAM_IN_SIZE, /* targets: objects over streams */
	/* remote backends (targets), per backend b (STATS_RB_*): SN_RB0 + b * SN_RB_PER + STATS_RB_<op> */
	SN_RB0,
	SN_NB = SN_RB0 + 2 * 7
};
enum { SN_RB_PER = 7 };

/* latency histograms (aistore-c extension): fixed log2 buckets over ns, upper bounds
 * 2^ST_HIST_LO .. 2^(ST_HIST_LO + ST_HIST_NB - 1) ns, plus +Inf */
#define ST_HIST_LO 14 /* 16.384 us */
#define ST_HIST_NB 23 /* .. 2^36 ns = 68.7 s */
enum { SH_GET, SH_PUT, SH_NB };

/* bucket index of an observation of ns nanoseconds: 0..ST_HIST_NB (== +Inf) */
int st_hist_index(uint64_t ns);

/* ---- read side (stats.c) ---- */
/* number of slot indices to iterate (0 is the "" label) */
int st_nslots(void);
/* sums of slot i into out[SM_NB]; label (cname or "") into *label. false: slot unused */
bool st_slot_read(int i, uint64_t out[SM_NB], const char **label);
void st_node_read(uint64_t out[SN_NB]);
/* cumulative bucket counts (not yet cumulative: per-bucket), sum (ns) and count */
void st_hist_read(int h, uint64_t buckets[ST_HIST_NB + 1], uint64_t *sum_ns, uint64_t *count);
bool st_is_target(void);
/* tests: act as role 't' or 'p' regardless of cluster/node (0: back to node_role()) */
void st_force_role(int role);
int64_t st_uptime_ns(void);
/* the scrape counters of GET /metrics itself (promhttp_metric_handler_*) */
void st_scrapes(uint64_t *total200, int64_t *in_flight);

/* cname of a bucket as AIStore's Bck.Cname(""): "ais://b", "s3://b", "ais://@uuid#ns/b" */
int st_cname(char *out, size_t cap, const char *provider, const char *ns, const char *name);

/* ---- prom.c ---- */
void prom_escape_label(sbuf_t *b, const char *v);   /* \\, \", \n */
void prom_escape_help(sbuf_t *b, const char *v);    /* \\, \n */
/* Prometheus float: integers exactly, others the shortest %g that round-trips; NaN, +Inf, -Inf */
void prom_add_double(sbuf_t *b, double v);
/* render into b (for tests: with explicit inputs via the normal readers) */
void prom_render(sbuf_t *b);

/* ---- sysinfo.c ---- */
typedef struct st_mpath_cap {
	char path[1024];
	char fs[256];      /* device ("/dev/nvme0n1p1") when known */
	char fstype[32];
	int32_t fsid[2];   /* statfs f_fsid */
	uint64_t used, avail, total;
	int pct_used;
} st_mpath_cap_t;

typedef struct st_sys {
	uint64_t rss_bytes, vsize_bytes, shared_bytes;
	uint64_t cpu_user_ticks, cpu_sys_ticks; /* clock ticks */
	double cpu_seconds;
	double start_time_s;   /* unix seconds */
	int threads;
	int open_fds;
	uint64_t mem_total, mem_free, mem_avail, buffcache, swap_total, swap_free;
	double load1, load5, load15;
	double pct_cpu;        /* process CPU %: lifetime average over all CPUs */
	int cpu_util;          /* machine CPU utilization % since the previous read */
	int ncpu;
} st_sys_t;

/* cos.NodeStateFlags of this node: NodeStarted, ClusterStarted once joined, MaintenanceMode
 * from the Smap, LowCapacity/OOS from the mountpath capacities vs space.highwm/space.oos */
uint64_t st_state_flags(const st_mpath_cap_t *caps, int ncaps);

/* fill what /proc allows; fields it cannot read stay 0. Returns 0. */
int sysinfo_read(st_sys_t *s);
/* capacity of this target's mountpaths (statvfs); returns the number written (<= cap) */
int sysinfo_mpaths(st_mpath_cap_t *out, int cap);

#endif
