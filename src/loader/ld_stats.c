/* ld_stats: counters and the log-linear histogram (see ld_stats.h). Bucket layout: values below
 * 2*SUB map to themselves; above, each power of two [2^k, 2^(k+1)) is split into SUB equal
 * buckets, so a bucket's width is at most 1/SUB of its lower bound. */
#include "loader/ld_stats.h"

#include <string.h>

void ld_stat_reset(ld_stat_t *s)
{
	memset(s, 0, sizeof(*s));
}

void ld_stat_add(ld_stat_t *s, int64_t bytes, int64_t lat)
{
	if (s->cnt == 0 || lat < s->lat_min)
		s->lat_min = lat;
	if (lat > s->lat_max)
		s->lat_max = lat;
	s->cnt++;
	s->bytes += bytes;
	s->lat_sum += lat;
}

void ld_stat_err(ld_stat_t *s)
{
	s->errs++;
}

void ld_stat_merge(ld_stat_t *d, const ld_stat_t *s)
{
	if (s->cnt) {
		if (d->cnt == 0 || s->lat_min < d->lat_min)
			d->lat_min = s->lat_min;
		if (s->lat_max > d->lat_max)
			d->lat_max = s->lat_max;
	}
	d->cnt += s->cnt;
	d->bytes += s->bytes;
	d->errs += s->errs;
	d->lat_sum += s->lat_sum;
}

int64_t ld_stat_avg(const ld_stat_t *s)
{
	return s->cnt ? s->lat_sum / s->cnt : 0;
}

void ld_hist_reset(ld_hist_t *h)
{
	memset(h, 0, sizeof(*h));
}

int ld_hist_index(int64_t v)
{
	if (v < 0)
		v = 0;
	if (v < 2 * LD_HIST_SUB)
		return (int)v;
	int msb = 63 - __builtin_clzll((unsigned long long)v);
	int shift = msb - 6; /* v >> shift in [SUB, 2*SUB) with SUB = 64 */
	int64_t mant = v >> shift;
	return 2 * LD_HIST_SUB + (shift - 1) * LD_HIST_SUB + (int)(mant - LD_HIST_SUB);
}

void ld_hist_range(int idx, int64_t *lo, int64_t *hi)
{
	if (idx < 2 * LD_HIST_SUB) {
		*lo = *hi = idx;
		return;
	}
	int k = idx - 2 * LD_HIST_SUB;
	int shift = k / LD_HIST_SUB + 1;
	int64_t mant = LD_HIST_SUB + k % LD_HIST_SUB;
	*lo = mant << shift;
	*hi = ((mant + 1) << shift) - 1;
}

void ld_hist_add(ld_hist_t *h, int64_t v)
{
	if (v < 0)
		v = 0;
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->n++;
	h->b[ld_hist_index(v)]++;
}

void ld_hist_merge(ld_hist_t *d, const ld_hist_t *s)
{
	if (!s->n)
		return;
	if (d->n == 0 || s->min < d->min)
		d->min = s->min;
	if (s->max > d->max)
		d->max = s->max;
	d->n += s->n;
	for (int i = 0; i < LD_HIST_N; i++)
		d->b[i] += s->b[i];
}

int64_t ld_hist_pct(const ld_hist_t *h, double p)
{
	if (h->n == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p > 100)
		p = 100;
	int64_t rank = (int64_t)((p / 100.0) * (double)h->n + 0.999999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	int64_t acc = 0;
	for (int i = 0; i < LD_HIST_N; i++) {
		acc += h->b[i];
		if (acc >= rank) {
			int64_t lo, hi;
			ld_hist_range(i, &lo, &hi);
			int64_t v = lo + (hi - lo) / 2;
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}
