/* ld_stats: per-operation counters and a log-linear latency histogram for aisloader.
 * ld_stat_t is what a stats line shows (count, bytes, errors, latency min/avg/max over an
 * interval); ld_hist_t keeps every latency of the whole run with <= 1/64 relative error for the
 * final p50/p90/p99. Pure data: callers own the structs and do their own locking. */
#ifndef AIS_LD_STATS_H
#define AIS_LD_STATS_H

#include <stdint.h>

typedef struct ld_stat {
	int64_t cnt, bytes, errs;
	int64_t lat_sum, lat_min, lat_max; /* ns, successful requests only */
} ld_stat_t;

#define LD_HIST_SUB 64                    /* sub-buckets per power of two */
#define LD_HIST_N (2 * LD_HIST_SUB + 58 * LD_HIST_SUB)

typedef struct ld_hist {
	int64_t n;
	int64_t min, max;
	int64_t b[LD_HIST_N];
} ld_hist_t;

void ld_stat_reset(ld_stat_t *s);
void ld_stat_add(ld_stat_t *s, int64_t bytes, int64_t lat_ns);
void ld_stat_err(ld_stat_t *s);
void ld_stat_merge(ld_stat_t *dst, const ld_stat_t *src);
int64_t ld_stat_avg(const ld_stat_t *s);      /* ns; 0 when empty */

void ld_hist_reset(ld_hist_t *h);
void ld_hist_add(ld_hist_t *h, int64_t v);
void ld_hist_merge(ld_hist_t *dst, const ld_hist_t *src);
/* value at percentile p (0 < p <= 100): the smallest recorded bucket holding the ceil(p% * n)-th
 * value, reported as that bucket's midpoint clamped to [min, max]; 0 when empty. */
int64_t ld_hist_pct(const ld_hist_t *h, double p);
/* bucket index of a value and the [lo, hi] range it covers (tests). */
int ld_hist_index(int64_t v);
void ld_hist_range(int idx, int64_t *lo, int64_t *hi);

#endif
