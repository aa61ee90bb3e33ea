/* tlnames: the list walk's name arena (see tlnames.h). Invariant after tln_sort: items sorted,
 * unique, and item i's bytes (name, then its rel path if any) precede item i+1's in the blob. */
#include "target/tlnames.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

void tln_init(tln_t *s, size_t budget)
{
	memset(s, 0, sizeof(*s));
	s->budget = budget;
}

void tln_fini(tln_t *s)
{
	free(s->v);
	free(s->blob);
	size_t b = s->budget;
	tln_init(s, b);
}

size_t tln_bytes(const tln_t *s)
{
	return s->cap * sizeof(*s->v) + s->bcap;
}

static int tln_grow(void **p, size_t *cap, size_t need, size_t elem, size_t min)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : min;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return AIS_ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

int tln_add(tln_t *s, const char *name, size_t nlen, const char *rel, size_t rlen, int mpi, bool dir)
{
	if (rel && rlen == nlen && !memcmp(rel, name, nlen))
		rel = NULL;
	size_t add = nlen + (rel ? rlen : 0);
	if (s->blen + add > UINT32_MAX)
		return AIS_ETOOBIG;
	if (s->budget && (s->n + 1) * sizeof(*s->v) + s->blen + add > s->budget)
		return AIS_ETOOBIG;
	if (tln_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v), 256) ||
	    tln_grow((void **)&s->blob, &s->bcap, s->blen + add, 1, 16384))
		return AIS_ENOMEM;
	tln_item_t *it = &s->v[s->n++];
	it->off = (uint32_t)s->blen;
	it->len = (uint32_t)nlen;
	memcpy(s->blob + s->blen, name, nlen);
	s->blen += nlen;
	it->roff = 0;
	it->rlen = 0;
	if (rel) {
		it->roff = (uint32_t)s->blen;
		it->rlen = (uint32_t)rlen;
		memcpy(s->blob + s->blen, rel, rlen);
		s->blen += rlen;
	}
	it->mpi = (uint16_t)mpi;
	it->dir = dir;
	it->arch = 0;
	return 0;
}

int tln_add_member(tln_t *s, const char *name, size_t nlen, int64_t size, int mpi)
{
	unsigned char sz[8];
	for (int i = 0; i < 8; i++)
		sz[i] = (unsigned char)((uint64_t)size >> (8 * i));
	/* the size rides in the blob where a long name keeps its path: it moves with the item */
	int rc = tln_add(s, name, nlen, (const char *)sz, sizeof(sz), mpi, false);
	if (!rc && s->v[s->n - 1].rlen != sizeof(sz)) { /* (the size bytes happened to equal the name) */
		s->n--;
		s->blen -= nlen;
		return AIS_EINVAL;
	}
	if (!rc)
		s->v[s->n - 1].arch = TLN_MEMBER;
	return rc;
}

int64_t tln_member_size(const tln_t *s, size_t i)
{
	const tln_item_t *it = &s->v[i];
	uint64_t v = 0;
	if (it->arch != TLN_MEMBER || it->rlen != 8)
		return 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | (unsigned char)s->blob[it->roff + (uint32_t)k];
	return (int64_t)v;
}

static int tln_item_cmp(const void *a, const void *b, void *arg)
{
	const char *blob = arg;
	const tln_item_t *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(blob + x->off, blob + y->off, m);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int tln_sort(tln_t *s)
{
	if (!s->n)
		return 0;
	qsort_r(s->v, s->n, sizeof(*s->v), tln_item_cmp, s->blob);
	size_t k = 0, bytes = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (k && !tln_item_cmp(&s->v[k - 1], &s->v[i], s->blob))
			continue;
		s->v[k++] = s->v[i];
		bytes += s->v[i].len + s->v[i].rlen;
	}
	s->n = k;
	char *nb = malloc(bytes ? bytes : 1);
	if (!nb)
		return AIS_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < s->n; i++) {
		tln_item_t *it = &s->v[i];
		memcpy(nb + o, s->blob + it->off, it->len);
		it->off = (uint32_t)o;
		o += it->len;
		if (it->rlen) {
			memcpy(nb + o, s->blob + it->roff, it->rlen);
			it->roff = (uint32_t)o;
			o += it->rlen;
		}
	}
	free(s->blob);
	s->blob = nb;
	s->blen = s->bcap = bytes;
	return 0;
}

void tln_truncate(tln_t *s, size_t k)
{
	if (k >= s->n)
		return;
	s->n = k;
	s->blen = k ? s->v[k - 1].off + s->v[k - 1].len + s->v[k - 1].rlen : 0;
}

void tln_drop_front(tln_t *s, size_t k)
{
	if (!k)
		return;
	if (k >= s->n) {
		s->n = 0;
		s->blen = 0;
	} else {
		uint32_t base = s->v[k].off;
		memmove(s->v, s->v + k, (s->n - k) * sizeof(*s->v));
		s->n -= k;
		for (size_t i = 0; i < s->n; i++) {
			s->v[i].off -= base;
			if (s->v[i].rlen)
				s->v[i].roff -= base;
		}
		memmove(s->blob, s->blob + base, s->blen - base);
		s->blen -= base;
	}
	/* give memory back once less than half is in use */
	if (s->cap > 1024 && s->n < s->cap / 2) {
		size_t nc = s->n ? s->n : 1;
		tln_item_t *nv = realloc(s->v, nc * sizeof(*s->v));
		if (nv) {
			s->v = nv;
			s->cap = nc;
		}
	}
	if (s->bcap > 65536 && s->blen < s->bcap / 2) {
		size_t nc = s->blen ? s->blen : 1;
		char *nb = realloc(s->blob, nc);
		if (nb) {
			s->blob = nb;
			s->bcap = nc;
		}
	}
}

bool tln_rel(const tln_t *s, size_t i, char *out, size_t cap)
{
	const tln_item_t *it = &s->v[i];
	size_t l = it->rlen ? it->rlen : it->len;
	if (l + 1 > cap)
		return false;
	memcpy(out, s->blob + (it->rlen ? it->roff : it->off), l);
	out[l] = '\0';
	return true;
}

int tln_cmp(const tln_t *s, size_t i, const char *key, size_t klen)
{
	const tln_item_t *it = &s->v[i];
	size_t m = it->len < klen ? it->len : klen;
	int c = memcmp(s->blob + it->off, key, m);
	if (c)
		return c;
	return it->len < klen ? -1 : it->len > klen;
}

size_t tln_upper(const tln_t *s, const char *key)
{
	size_t kl = key ? strlen(key) : 0, lo = 0, hi = s->n;
	if (!kl)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tln_cmp(s, mid, key, kl) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
