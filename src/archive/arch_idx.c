/* arch_idx: the shard index format, builder and lookups (see arch_idx.h). The builder keeps a
 * small open-addressing set of the names seen (XXH64 → entry offset) for first-wins; lookups
 * walk the packed entries (no table is built per request: an index is used once per GET).
 * Invariant: a parsed index has been bounds-checked entirely, so the walkers need no checks. */
#include "archive/arch_idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/err.h"
#include "core/sbuf.h"

/* ---------------------------------------------------------------- uvarint (Go's encoding/binary) */

static int arch_idx_put_uv(sbuf_t *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;
	while (v >= 0x80) {
		t[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (unsigned char)v;
	return sbuf_add(b, t, n);
}

/* 0 with *v and *pos advanced, or AIS_EINVAL (truncated, overflow) */
static int arch_idx_get_uv(const unsigned char *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	unsigned s = 0;
	for (size_t i = 0; i < 10; i++) {
		if (*pos >= len)
			return AIS_EINVAL;
		unsigned char c = p[(*pos)++];
		if (c < 0x80) {
			if (i == 9 && c > 1)
				return AIS_EINVAL;
			*v = x | (uint64_t)c << s;
			return 0;
		}
		x |= (uint64_t)(c & 0x7f) << s;
		s += 7;
	}
	return AIS_EINVAL;
}

/* ---------------------------------------------------------------- build */

typedef struct arch_idx_set {
	uint64_t *h;      /* hash (0 = empty slot; hashes of 0 become 1) */
	size_t *off;      /* where the name's record starts in ents */
	size_t cap, n;
} arch_idx_set_t;

static int arch_idx_set_grow(arch_idx_set_t *s)
{
	size_t nc = s->cap ? s->cap * 2 : 1024;
	uint64_t *h = calloc(nc, sizeof(*h));
	size_t *off = calloc(nc, sizeof(*off));
	if (!h || !off) {
		free(h);
		free(off);
		return AIS_ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->h[i])
			continue;
		size_t j = s->h[i] & (nc - 1);
		while (h[j])
			j = (j + 1) & (nc - 1);
		h[j] = s->h[i];
		off[j] = s->off[i];
	}
	free(s->h);
	free(s->off);
	s->h = h;
	s->off = off;
	s->cap = nc;
	return 0;
}

/* record name's entry at `at` of ents unless it was seen: 1 = new, 0 = repeated, AIS_ENOMEM */
static int arch_idx_set_add(arch_idx_set_t *s, const sbuf_t *ents, const char *name, size_t nl, size_t at)
{
	if ((s->n + 1) * 2 > s->cap && arch_idx_set_grow(s))
		return AIS_ENOMEM;
	uint64_t h = XXH64(name, nl, 0);
	if (!h)
		h = 1;
	size_t j = h & (s->cap - 1);
	for (; s->h[j]; j = (j + 1) & (s->cap - 1)) {
		if (s->h[j] != h)
			continue;
		size_t pos = s->off[j];
		uint64_t l;
		if (!arch_idx_get_uv((const unsigned char *)ents->p, ents->len, &pos, &l) && l == nl &&
		    !memcmp(ents->p + pos, name, nl))
			return 0;
	}
	s->h[j] = h;
	s->off[j] = at;
	s->n++;
	return 1;
}

static int arch_idx_pack(arch_idx_t *out, const sbuf_t *ents, uint64_t count, const char *ck_type,
			 const char *ck_val, int64_t src_size)
{
	sbuf_t b = SBUF_INIT;
	const char *ty = ck_type && *ck_type ? ck_type : "none";
	const char *val = ck_val ? ck_val : "";
	if (strlen(ty) >= ARCH_IDX_CKTYPE_MAX || strlen(val) >= ARCH_IDX_CKVAL_MAX)
		return AIS_EINVAL;
	sbuf_reserve(&b, ARCH_IDX_PREAMBLE + 64 + ents->len);
	sbuf_add(&b, "\0\0\0\0\0\0\0\0\0\0\0", ARCH_IDX_PREAMBLE);
	arch_idx_put_uv(&b, strlen(ty));
	sbuf_adds(&b, ty);
	arch_idx_put_uv(&b, strlen(val));
	sbuf_adds(&b, val);
	arch_idx_put_uv(&b, (uint64_t)src_size);
	arch_idx_put_uv(&b, count);
	sbuf_add(&b, ents->p, ents->len);
	if (b.oom) {
		sbuf_fini(&b);
		return AIS_ENOMEM;
	}
	unsigned char *p = (unsigned char *)b.p;
	uint64_t h = XXH64(p + ARCH_IDX_PREAMBLE, b.len - ARCH_IDX_PREAMBLE, ARCH_IDX_SEED);
	p[0] = 1;
	p[1] = 0;
	p[2] = 1;
	for (int i = 0; i < 8; i++)
		p[3 + i] = (unsigned char)(h >> (56 - 8 * i));
	size_t len = b.len;
	char err[8];
	return arch_idx_parse(out, (unsigned char *)sbuf_take(&b), len, err, sizeof(err));
}

int arch_idx_build(arch_rd_t *r, const char *ck_type, const char *ck_val, int64_t src_size, arch_idx_t *out,
		   char *err, size_t cap)
{
	sbuf_t ents = SBUF_INIT;
	arch_idx_set_t set = {0};
	arch_ent_t e;
	uint64_t count = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	while ((rc = arch_rd_next(r, &e)) == 1) {
		if (!e.regular || e.data_off < 512)
			continue; /* not indexed: directories, links, sparse files */
		size_t nl = strlen(e.name), at = ents.len;
		int added = arch_idx_set_add(&set, &ents, e.name, nl, at);
		if (added < 0) {
			rc = added;
			break;
		}
		if (!added)
			continue;
		arch_idx_put_uv(&ents, nl);
		sbuf_add(&ents, e.name, nl);
		arch_idx_put_uv(&ents, (uint64_t)(e.data_off - 512));
		arch_idx_put_uv(&ents, (uint64_t)e.size);
		count++;
		if (ents.oom) {
			rc = AIS_ENOMEM;
			break;
		}
	}
	if (rc < 0)
		snprintf(err, cap, "%s", rc == AIS_ENOMEM ? "out of memory" : arch_rd_err(r));
	else
		rc = arch_idx_pack(out, &ents, count, ck_type, ck_val, src_size);
	free(set.h);
	free(set.off);
	sbuf_fini(&ents);
	return rc;
}

/* ---------------------------------------------------------------- parse */

static int arch_idx_str(const unsigned char *p, size_t len, size_t *pos, char *out, size_t cap)
{
	uint64_t l;
	if (arch_idx_get_uv(p, len, pos, &l) || l >= cap || l > len - *pos)
		return AIS_EINVAL;
	memcpy(out, p + *pos, (size_t)l);
	out[l] = '\0';
	*pos += (size_t)l;
	return 0;
}

static int arch_idx_i64(const unsigned char *p, size_t len, size_t *pos, int64_t *v)
{
	uint64_t u;
	if (arch_idx_get_uv(p, len, pos, &u) || u > (uint64_t)INT64_MAX)
		return AIS_EINVAL;
	*v = (int64_t)u;
	return 0;
}

static const char *arch_idx_check(arch_idx_t *idx)
{
	const unsigned char *p = idx->buf;
	size_t len = idx->len, pos = ARCH_IDX_PREAMBLE;
	if (len < ARCH_IDX_MIN_LEN)
		return "too short";
	if (p[0] != 1)
		return "unsupported meta-version";
	if (p[1] != 0)
		return "unsupported format";
	if (p[2] != 1)
		return "unsupported checksum type";
	uint64_t want = 0;
	for (int i = 0; i < 8; i++)
		want = want << 8 | p[3 + i];
	if (XXH64(p + ARCH_IDX_PREAMBLE, len - ARCH_IDX_PREAMBLE, ARCH_IDX_SEED) != want)
		return "checksum mismatch";
	if (arch_idx_str(p, len, &pos, idx->ck_type, sizeof(idx->ck_type)) ||
	    arch_idx_str(p, len, &pos, idx->ck_val, sizeof(idx->ck_val)))
		return "bad source checksum";
	if (arch_idx_i64(p, len, &pos, &idx->src_size) || arch_idx_get_uv(p, len, &pos, &idx->count))
		return "bad source size or entry count";
	idx->ents_off = pos;
	for (uint64_t i = 0; i < idx->count; i++) {
		uint64_t nl;
		int64_t off, size;
		if (arch_idx_get_uv(p, len, &pos, &nl) || !nl || nl > len - pos)
			return "entry name overruns the buffer";
		pos += (size_t)nl;
		if (arch_idx_i64(p, len, &pos, &off) || arch_idx_i64(p, len, &pos, &size))
			return "bad entry offset or size";
		if (off % 512 || off > idx->src_size - 512 || size > idx->src_size - off - 512)
			return "entry outside the shard";
	}
	return pos == len ? NULL : "trailing bytes";
}

int arch_idx_parse(arch_idx_t *idx, unsigned char *buf, size_t len, char *err, size_t cap)
{
	memset(idx, 0, sizeof(*idx));
	idx->buf = buf;
	idx->len = len;
	const char *why = buf ? arch_idx_check(idx) : "empty";
	if (why) {
		snprintf(err, cap, "shard index: %s", why);
		arch_idx_fini(idx);
		return AIS_EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- lookups */

bool arch_idx_next(const arch_idx_t *idx, size_t *pos, const char **name, size_t *nlen, arch_idx_ent_t *e)
{
	if (!*pos)
		*pos = idx->ents_off;
	if (*pos >= idx->len)
		return false;
	uint64_t nl, off, size;
	arch_idx_get_uv(idx->buf, idx->len, pos, &nl);
	*name = (const char *)idx->buf + *pos;
	*nlen = (size_t)nl;
	*pos += (size_t)nl;
	arch_idx_get_uv(idx->buf, idx->len, pos, &off);
	arch_idx_get_uv(idx->buf, idx->len, pos, &size);
	e->hdr_off = (int64_t)off;
	e->size = (int64_t)size;
	return true;
}

static bool arch_idx_find_exact(const arch_idx_t *idx, const char *name, size_t want, arch_idx_ent_t *e)
{
	size_t pos = 0, nl;
	const char *n;
	while (arch_idx_next(idx, &pos, &n, &nl, e))
		if (nl == want && !memcmp(n, name, nl))
			return true;
	return false;
}

bool arch_idx_find(const arch_idx_t *idx, const char *name, arch_idx_ent_t *e)
{
	size_t l = strlen(name);
	if (!l || !idx->buf)
		return false;
	if (arch_idx_find_exact(idx, name, l, e))
		return true;
	if (name[0] == '/')
		return l > 1 && arch_idx_find_exact(idx, name + 1, l - 1, e);
	char *slashed = malloc(l + 2);
	if (!slashed)
		return false;
	slashed[0] = '/';
	memcpy(slashed + 1, name, l + 1);
	bool ok = arch_idx_find_exact(idx, slashed, l + 1, e);
	free(slashed);
	return ok;
}

static bool arch_idx_none(const char *ty) { return !ty || !*ty || !strcmp(ty, "none"); }

bool arch_idx_fresh(const arch_idx_t *idx, int64_t size, const char *ck_type, const char *ck_val)
{
	if (!idx->buf || idx->src_size != size)
		return false;
	if (arch_idx_none(idx->ck_type) || !idx->ck_val[0])
		return true;
	if (arch_idx_none(ck_type))
		return false; /* recorded a checksum the shard no longer has: rewritten */
	return !strcmp(idx->ck_type, ck_type) && !strcmp(idx->ck_val, ck_val ? ck_val : "");
}

void arch_idx_fini(arch_idx_t *idx)
{
	free(idx->buf);
	memset(idx, 0, sizeof(*idx));
}
