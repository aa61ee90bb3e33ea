/* ufest: chunk manifest in memory, its packed + zlib-compressed + XXH64-trailed encoding, and
 * its durable store/load (see ufest.h for the format). Invariants kept by every mutator:
 * chunks sorted by num and unique, size == sum of chunk sizes, count <= UFEST_MAX_CHUNKS.
 * The decoder trusts nothing: every length is bounded by what remains of the input. */
#include "obj/ufest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>
#include <zlib.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/sbuf.h"

#define UFEST_MAGIC "AISU"
#define UFEST_VER 1
#define UFEST_HDR 9 /* magic + version + u32 payload length */
#define UFEST_PATH_MAX 4096
#define UFEST_META_MAX (1u << 20)

void ufest_init(ufest_t *u)
{
	memset(u, 0, sizeof(*u));
}

void ufest_fini(ufest_t *u)
{
	for (int i = 0; i < u->count; i++)
		free(u->chunks[i].path);
	free(u->chunks);
	free(u->oname);
	free(u->meta);
	ufest_init(u);
}

bool ufest_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n >= UFEST_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

int ufest_set_oname(ufest_t *u, const char *oname)
{
	char *s = strdup(oname);
	if (!s)
		return AIS_ENOMEM;
	free(u->oname);
	u->oname = s;
	return 0;
}

int ufest_set_meta(ufest_t *u, const void *meta, size_t len)
{
	char *m = NULL;
	if (len) {
		if (len > UFEST_META_MAX)
			return AIS_EINVAL;
		if (!(m = malloc(len)))
			return AIS_ENOMEM;
		memcpy(m, meta, len);
	}
	free(u->meta);
	u->meta = m;
	u->meta_len = len;
	return 0;
}

static int ufest_search(const ufest_t *u, int num)
{
	int lo = 0, hi = u->count;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (u->chunks[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ufest_add(ufest_t *u, ufest_chunk_t *c, char **old_path)
{
	*old_path = NULL;
	if (c->num < 1 || c->num > UFEST_MAX_CHUNKS || c->size < 0 || !c->path)
		return AIS_EINVAL;
	int i = ufest_search(u, c->num);
	if (i < u->count && u->chunks[i].num == c->num) {
		*old_path = u->chunks[i].path;
		u->size += c->size - u->chunks[i].size;
		u->chunks[i] = *c;
		c->path = NULL;
		return 0;
	}
	if (u->count == u->cap) {
		int nc = u->cap ? u->cap * 2 : 16;
		ufest_chunk_t *nv = realloc(u->chunks, (size_t)nc * sizeof(*nv));
		if (!nv)
			return AIS_ENOMEM;
		u->chunks = nv;
		u->cap = nc;
	}
	memmove(&u->chunks[i + 1], &u->chunks[i], (size_t)(u->count - i) * sizeof(*u->chunks));
	u->chunks[i] = *c;
	c->path = NULL;
	u->count++;
	u->size += u->chunks[i].size;
	return 0;
}

const ufest_chunk_t *ufest_get(const ufest_t *u, int num)
{
	int i = ufest_search(u, num);
	return i < u->count && u->chunks[i].num == num ? &u->chunks[i] : NULL;
}

int ufest_find(const ufest_t *u, int64_t off, int64_t *coff)
{
	if (off < 0 || off >= u->size)
		return -1;
	int64_t pos = 0;
	/* linear: chunk counts are small relative to the bytes read per lookup */
	for (int i = 0; i < u->count; i++) {
		if (off < pos + u->chunks[i].size) {
			*coff = pos;
			return i;
		}
		pos += u->chunks[i].size;
	}
	return -1;
}

int ufest_copy(ufest_t *dst, const ufest_t *src)
{
	ufest_init(dst);
	memcpy(dst->id, src->id, sizeof(dst->id));
	dst->created = src->created;
	dst->flags = src->flags;
	if (src->oname && ufest_set_oname(dst, src->oname))
		goto oom;
	if (src->meta_len && ufest_set_meta(dst, src->meta, src->meta_len))
		goto oom;
	if (src->count) {
		dst->chunks = calloc((size_t)src->count, sizeof(*dst->chunks));
		if (!dst->chunks)
			goto oom;
		dst->cap = src->count;
		for (int i = 0; i < src->count; i++) {
			dst->chunks[i] = src->chunks[i];
			dst->chunks[i].path = strdup(src->chunks[i].path);
			dst->count = i + 1;
			if (!dst->chunks[i].path)
				goto oom;
		}
	}
	dst->size = src->size;
	return 0;
oom:
	ufest_fini(dst);
	return AIS_ENOMEM;
}

void ufest_etag(const ufest_t *u, char *out, size_t cap)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		snprintf(out, cap, "%s", "");
		return;
	}
	for (int i = 0; i < u->count; i++)
		EVP_DigestUpdate(ctx, u->chunks[i].md5, 16);
	EVP_DigestFinal_ex(ctx, d, &dl);
	EVP_MD_CTX_free(ctx);
	char hex[33];
	for (unsigned i = 0; i < 16 && i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	snprintf(out, cap, "%s-%d", hex, u->count);
}

/* GF(2) polynomial arithmetic modulo the (reflected) Castagnoli polynomial; in this
 * representation x^0 is the top bit. */
#define CRC32C_POLY 0x82f63b78u

static uint32_t gf_mulmod(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;
	while (m) {
		if (a & m)
			p ^= b;
		m >>= 1;
		b = (b & 1) ? (b >> 1) ^ CRC32C_POLY : b >> 1;
	}
	return p;
}

/* x^(8 * n) mod P */
static uint32_t gf_x8n(uint64_t n)
{
	uint32_t p = 1u << 31;       /* x^0 */
	uint32_t sq = 1u << 23;      /* x^8 */
	while (n) {
		if (n & 1)
			p = gf_mulmod(sq, p);
		sq = gf_mulmod(sq, sq);
		n >>= 1;
	}
	return p;
}

uint32_t ufest_crc32c_combine(uint32_t a, uint32_t b, int64_t blen)
{
	if (blen <= 0)
		return a;
	return gf_mulmod(gf_x8n((uint64_t)blen), a) ^ b;
}

uint32_t ufest_crc32c(const ufest_t *u)
{
	uint32_t crc = 0; /* crc32c of the empty string */
	for (int i = 0; i < u->count; i++)
		crc = ufest_crc32c_combine(crc, u->chunks[i].crc32c, u->chunks[i].size);
	return crc;
}

/* ---- encoding ---- */

static void put_be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void add_int(sbuf_t *b, uint64_t v, int n)
{
	unsigned char x[8];
	put_be(x, v, n);
	sbuf_add(b, x, (size_t)n);
}

/* u32 length + bytes (strings and opaque blobs) */
static void add_bytes(sbuf_t *b, const void *p, size_t n)
{
	add_int(b, n, 4);
	if (n)
		sbuf_add(b, p, n);
}

int ufest_encode(const ufest_t *u, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!ufest_id_valid(u->id) || u->count > UFEST_MAX_CHUNKS)
		return AIS_EINVAL;
	sbuf_t b = SBUF_INIT;
	add_bytes(&b, u->id, strlen(u->id));
	add_int(&b, (uint64_t)u->created, 8);
	add_int(&b, u->flags, 2);
	add_int(&b, (uint64_t)u->size, 8);
	add_bytes(&b, u->oname ? u->oname : "", u->oname ? strlen(u->oname) : 0);
	add_bytes(&b, u->meta, u->meta_len);
	add_int(&b, (uint64_t)u->count, 4);
	for (int i = 0; i < u->count; i++) {
		const ufest_chunk_t *c = &u->chunks[i];
		add_int(&b, (uint64_t)c->size, 8);
		add_int(&b, c->num, 2);
		add_int(&b, c->flags, 2);
		add_int(&b, c->crc32c, 4);
		sbuf_add(&b, c->md5, 16);
		add_bytes(&b, c->path, strlen(c->path));
		add_bytes(&b, c->xck_type, strnlen(c->xck_type, UFEST_XCK_TYPE_MAX - 1));
		add_bytes(&b, c->xck_val, strnlen(c->xck_val, UFEST_XCK_VAL_MAX - 1));
	}
	if (b.oom || b.len > UFEST_MAX_ENCODED) {
		sbuf_fini(&b);
		return b.oom ? AIS_ENOMEM : AIS_ETOOBIG;
	}
	uLongf zl = compressBound((uLong)b.len);
	unsigned char *o = malloc(UFEST_HDR + zl + 8);
	if (!o) {
		sbuf_fini(&b);
		return AIS_ENOMEM;
	}
	memcpy(o, UFEST_MAGIC, 4);
	o[4] = UFEST_VER;
	put_be(o + 5, b.len, 4);
	int zrc = compress2(o + UFEST_HDR, &zl, (const Bytef *)b.p, (uLong)b.len, 1);
	sbuf_fini(&b);
	if (zrc != Z_OK) {
		free(o);
		return AIS_EINTERNAL;
	}
	size_t n = UFEST_HDR + zl;
	put_be(o + n, XXH64(o, n, 0), 8);
	*out = o;
	*len = n + 8;
	return 0;
}

typedef struct rd {
	const unsigned char *p;
	size_t n;
} rd_t;

static int rd_int(rd_t *r, int n, uint64_t *v)
{
	if (r->n < (size_t)n)
		return AIS_EINVAL;
	*v = get_be(r->p, n);
	r->p += n;
	r->n -= (size_t)n;
	return 0;
}

/* a length-prefixed field of at most max bytes, no NUL when str */
static int rd_bytes(rd_t *r, size_t max, bool str, const unsigned char **v, size_t *l)
{
	uint64_t n;
	if (rd_int(r, 4, &n) || n > max || n > r->n)
		return AIS_EINVAL;
	*v = r->p;
	*l = (size_t)n;
	if (str && memchr(r->p, '\0', (size_t)n))
		return AIS_EINVAL;
	r->p += n;
	r->n -= (size_t)n;
	return 0;
}

static int rd_fixed(rd_t *r, char *dst, size_t cap)
{
	const unsigned char *v;
	size_t l;
	if (rd_bytes(r, cap - 1, true, &v, &l))
		return AIS_EINVAL;
	memcpy(dst, v, l);
	dst[l] = '\0';
	return 0;
}

static int ufest_unpack(rd_t *r, ufest_t *u)
{
	uint64_t v, cnt;
	const unsigned char *s;
	size_t l;
	if (rd_fixed(r, u->id, sizeof(u->id)) || !ufest_id_valid(u->id))
		return AIS_EINVAL;
	if (rd_int(r, 8, &v))
		return AIS_EINVAL;
	u->created = (int64_t)v;
	if (rd_int(r, 2, &v))
		return AIS_EINVAL;
	u->flags = (uint16_t)v;
	uint64_t want_size;
	if (rd_int(r, 8, &want_size) || (int64_t)want_size < 0)
		return AIS_EINVAL;
	if (rd_bytes(r, UFEST_PATH_MAX, true, &s, &l))
		return AIS_EINVAL;
	if (!(u->oname = strndup((const char *)s, l)))
		return AIS_ENOMEM;
	if (rd_bytes(r, UFEST_META_MAX, false, &s, &l) || ufest_set_meta(u, s, l))
		return AIS_EINVAL;
	if (rd_int(r, 4, &cnt) || cnt > UFEST_MAX_CHUNKS)
		return AIS_EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		ufest_chunk_t c;
		memset(&c, 0, sizeof(c));
		uint64_t sz, num, fl, crc;
		if (rd_int(r, 8, &sz) || (int64_t)sz < 0 || rd_int(r, 2, &num) || rd_int(r, 2, &fl) ||
		    rd_int(r, 4, &crc) || r->n < 16)
			return AIS_EINVAL;
		if (num < 1 || num > UFEST_MAX_CHUNKS)
			return AIS_EINVAL;
		if (u->count && u->chunks[u->count - 1].num >= num)
			return AIS_EINVAL; /* sorted, unique */
		c.size = (int64_t)sz;
		c.num = (uint16_t)num;
		c.flags = (uint16_t)fl;
		c.crc32c = (uint32_t)crc;
		memcpy(c.md5, r->p, 16);
		r->p += 16;
		r->n -= 16;
		if (rd_bytes(r, UFEST_PATH_MAX, true, &s, &l) || l == 0)
			return AIS_EINVAL;
		if (rd_fixed(r, c.xck_type, sizeof(c.xck_type)) || rd_fixed(r, c.xck_val, sizeof(c.xck_val)))
			return AIS_EINVAL;
		if (!(c.path = strndup((const char *)s, l)))
			return AIS_ENOMEM;
		if (u->size > INT64_MAX - c.size) {
			free(c.path);
			return AIS_EINVAL;
		}
		char *old;
		int rc = ufest_add(u, &c, &old);
		if (rc) {
			free(c.path);
			return rc;
		}
	}
	if (r->n != 0 || (uint64_t)u->size != want_size)
		return AIS_EINVAL;
	return 0;
}

int ufest_decode(const unsigned char *buf, size_t len, ufest_t *u)
{
	ufest_fini(u);
	if (!buf || len < UFEST_HDR + 8 || len > UFEST_MAX_ENCODED)
		return AIS_EINVAL;
	if (memcmp(buf, UFEST_MAGIC, 4) || buf[4] != UFEST_VER)
		return AIS_EINVAL;
	if (get_be(buf + len - 8, 8) != XXH64(buf, len - 8, 0))
		return AIS_ECKSUM;
	uint64_t plen = get_be(buf + 5, 4);
	if (plen == 0 || plen > UFEST_MAX_ENCODED)
		return AIS_EINVAL;
	unsigned char *p = malloc(plen);
	if (!p)
		return AIS_ENOMEM;
	uLongf got = (uLongf)plen;
	int rc = 0;
	if (uncompress(p, &got, buf + UFEST_HDR, (uLong)(len - 8 - UFEST_HDR)) != Z_OK || got != plen) {
		rc = AIS_EINVAL;
	} else {
		rd_t r = {p, plen};
		rc = ufest_unpack(&r, u);
	}
	free(p);
	if (rc)
		ufest_fini(u);
	return rc == AIS_ENOMEM ? rc : rc ? AIS_EINVAL : 0;
}

int ufest_store(const ufest_t *u, const char *path)
{
	unsigned char *b;
	size_t n;
	int rc = ufest_encode(u, &b, &n);
	if (rc)
		return rc;
	rc = fsops_write_atomic(path, b, n);
	if (rc == AIS_ENOTFOUND || rc == AIS_EIO) {
		/* missing parent dir (first manifest of the bucket on this mountpath) */
		if (!fsops_mkdir_parent(path))
			rc = fsops_write_atomic(path, b, n);
	}
	free(b);
	return rc;
}

int ufest_load(const char *path, ufest_t *u)
{
	char *b = NULL;
	size_t n = 0;
	int rc = fsops_read_file(path, UFEST_MAX_ENCODED, &b, &n);
	if (rc)
		return rc;
	rc = ufest_decode((const unsigned char *)b, n, u);
	free(b);
	return rc;
}
