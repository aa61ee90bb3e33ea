/* unit tests: aisloader counters, histogram and percentile math (src/loader/ld_stats.c) */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "loader/ld_stats.h"

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

Test(loader_stats, stat_add_merge)
{
	ld_stat_t a, b;
	ld_stat_reset(&a);
	ld_stat_reset(&b);
	cr_assert_eq(ld_stat_avg(&a), 0);
	ld_stat_add(&a, 100, 30);
	ld_stat_add(&a, 100, 10);
	ld_stat_err(&a);
	ld_stat_add(&b, 50, 5);
	ld_stat_add(&b, 50, 95);
	ld_stat_merge(&a, &b);
	cr_assert_eq(a.cnt, 4);
	cr_assert_eq(a.bytes, 300);
	cr_assert_eq(a.errs, 1);
	cr_assert_eq(a.lat_min, 5);
	cr_assert_eq(a.lat_max, 95);
	cr_assert_eq(ld_stat_avg(&a), 35);
	ld_stat_t empty;
	ld_stat_reset(&empty);
	ld_stat_merge(&a, &empty); /* an empty interval must not reset min */
	cr_assert_eq(a.lat_min, 5);
}

Test(loader_stats, buckets_cover_and_bound_error)
{
	int prev = -1;
	for (int64_t v = 0; v < 5000000; v += 1 + v / 97) {
		int i = ld_hist_index(v);
		cr_assert(i >= prev && i < LD_HIST_N);
		int64_t lo, hi;
		ld_hist_range(i, &lo, &hi);
		cr_assert(lo <= v && v <= hi, "v=%lld in [%lld,%lld]", (long long)v, (long long)lo, (long long)hi);
		cr_assert((double)(hi - lo) <= (double)lo / 64.0 + 1e-9, "bucket too wide at %lld", (long long)v);
		prev = i;
	}
	cr_assert_lt(ld_hist_index(INT64_MAX), LD_HIST_N);
	cr_assert_eq(ld_hist_index(-5), 0);
}

Test(loader_stats, exact_small_values)
{
	static ld_hist_t h;
	ld_hist_reset(&h);
	cr_assert_eq(ld_hist_pct(&h, 50), 0);
	for (int v = 1; v <= 100; v++)
		ld_hist_add(&h, v);
	cr_assert_eq(ld_hist_pct(&h, 50), 50);
	cr_assert_eq(ld_hist_pct(&h, 90), 90);
	cr_assert_eq(ld_hist_pct(&h, 99), 99);
	cr_assert_eq(ld_hist_pct(&h, 100), 100);
	cr_assert_eq(ld_hist_pct(&h, 0.001), 1);
}

Test(loader_stats, percentiles_match_sorted_within_error)
{
	static ld_hist_t h, h2, m;
	enum { N = 20000 };
	static int64_t v[N];
	ld_hist_reset(&h);
	ld_hist_reset(&h2);
	ld_hist_reset(&m);
	srand(7);
	for (int i = 0; i < N; i++) {
		/* latency-like: mostly 100us-1ms, a tail to 50ms */
		int64_t x = 100000 + (int64_t)(rand() % 900000);
		if (i % 100 == 0)
			x = 1000000 + (int64_t)(rand() % 49000000);
		v[i] = x;
		ld_hist_add(i % 2 ? &h : &h2, x);
	}
	ld_hist_merge(&m, &h);
	ld_hist_merge(&m, &h2);
	cr_assert_eq(m.n, N);
	qsort(v, N, sizeof(v[0]), cmp64);
	const double ps[] = {50, 90, 99, 99.9};
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		int64_t exact = v[(size_t)((ps[k] / 100.0) * N + 0.999999) - 1];
		int64_t got = ld_hist_pct(&m, ps[k]);
		double rel = (double)llabs(got - exact) / (double)exact;
		cr_assert_lt(rel, 1.0 / 64, "p%.1f: exact %lld got %lld", ps[k], (long long)exact, (long long)got);
	}
	cr_assert_eq(ld_hist_pct(&m, 100), v[N - 1]);
	cr_assert_eq(m.min, v[0]);
}
