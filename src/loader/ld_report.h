/* ld_report: aisloader's statistics output, AIStore's layout: a header, one line per op type
 * and interval ("count (total)", "size (total)", latency min/avg/max, "throughput (average)",
 * "errors (total)"), then the final totals and (ours) the p50/p90/p99 latencies and the
 * client's own CPU time per request (how far the loader is from being the bottleneck). With -json the
 * stream is one JSON array: an object per interval, the final object last. Single-threaded:
 * only the main thread writes reports. */
#ifndef AIS_LD_REPORT_H
#define AIS_LD_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/ld_loop.h"
#include "loader/ld_stats.h"

typedef struct ld_report {
	FILE *f;
	bool json;
	bool first;        /* no JSON object written yet */
	int64_t run_start; /* wall clock ns, for start_time */
	int64_t mono_start;
	int64_t cpu_per_op; /* aisloader's own CPU time (user+sys) per request, ns: set before _final */
} ld_report_t;

void ld_report_begin(ld_report_t *r, FILE *f, bool json, int64_t mono_start);
/* one interval: iv = counters since the previous call, tot = totals so far; iv_ns = interval length */
void ld_report_interval(ld_report_t *r, const ld_stat_t *iv, const ld_stat_t *tot, int64_t iv_start_mono,
			int64_t now_mono);
/* final totals + percentiles; closes the JSON array */
void ld_report_final(ld_report_t *r, const ld_stat_t *tot, const ld_hist_t *hist, int64_t now_mono);

#endif
