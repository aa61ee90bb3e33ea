/* lom: LOM encode/decode, xattr load/store, per-object striped locks. See lom.h for the format.
 * Invariants: lom_decode never reads past `len` and never returns a partially valid md;
 * lom_encode output always decodes back to an equal md. The lock table is the module's only
 * global state (static mutex array, no initialization needed). */
#include "obj/lom.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "core/err.h"
#include "core/sbuf.h"
#include <xxhash.h>

enum {
	LOM_T_SIZE = 1,
	LOM_T_ATIME = 2,
	LOM_T_BID = 3,
	LOM_T_FLAGS = 4,
	LOM_T_CKSUM = 5,   /* u8 type + hex value */
	LOM_T_VERSION = 6,
	LOM_T_NAME = 7,
	LOM_T_CUSTOM = 8,  /* packed k\0v\0 pairs */
	LOM_T_UID = 9,     /* chunk manifest id (chunked objects) */
	LOM_T_MTIME = 10,  /* write time (unix ns): when this version was written by a client */
};

#define LOM_HDR 9

void lom_md_init(lom_md_t *md)
{
	memset(md, 0, sizeof(*md));
}

void lom_md_fini(lom_md_t *md)
{
	free(md->name);
	free(md->custom);
	lom_md_init(md);
}

int lom_md_set_name(lom_md_t *md, const char *name)
{
	char *n = name ? strdup(name) : NULL;
	if (name && !n)
		return AIS_ENOMEM;
	free(md->name);
	md->name = n;
	return 0;
}

bool lom_md_custom_next(const lom_md_t *md, size_t *pos, const char **key, const char **val)
{
	if (!md->custom || *pos >= md->custom_len)
		return false;
	*key = md->custom + *pos;
	size_t kl = strlen(*key);
	*val = *key + kl + 1;
	*pos += kl + 1 + strlen(*val) + 1;
	return true;
}

const char *lom_md_custom_get(const lom_md_t *md, const char *key)
{
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v))
		if (!strcmp(k, key))
			return v;
	return NULL;
}

int lom_md_custom_set(lom_md_t *md, const char *key, const char *val)
{
	/* rebuild without the key, then append */
	sbuf_t b = SBUF_INIT;
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, key))
			continue;
		sbuf_add(&b, k, strlen(k) + 1);
		sbuf_add(&b, v, strlen(v) + 1);
	}
	sbuf_add(&b, key, strlen(key) + 1);
	sbuf_add(&b, val, strlen(val) + 1);
	if (b.oom) {
		sbuf_fini(&b);
		return AIS_ENOMEM;
	}
	free(md->custom);
	md->custom_len = b.len;
	md->custom = sbuf_take(&b);
	return 0;
}

int lom_md_custom_del(lom_md_t *md, const char *key)
{
	if (!lom_md_custom_get(md, key))
		return 0;
	sbuf_t b = SBUF_INIT;
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, key))
			continue;
		sbuf_add(&b, k, strlen(k) + 1);
		sbuf_add(&b, v, strlen(v) + 1);
	}
	if (b.oom) {
		sbuf_fini(&b);
		return AIS_ENOMEM;
	}
	free(md->custom);
	md->custom_len = b.len;
	md->custom = b.len ? sbuf_take(&b) : NULL;
	sbuf_fini(&b);
	return 0;
}

int lom_md_copy(lom_md_t *dst, const lom_md_t *src)
{
	*dst = *src;
	dst->name = NULL;
	dst->custom = NULL;
	if (src->name && !(dst->name = strdup(src->name)))
		goto oom;
	if (src->custom) {
		if (!(dst->custom = malloc(src->custom_len)))
			goto oom;
		memcpy(dst->custom, src->custom, src->custom_len);
	}
	return 0;
oom:
	lom_md_fini(dst);
	return AIS_ENOMEM;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void rec(sbuf_t *b, unsigned tag, const void *data, size_t len)
{
	unsigned char h[5];
	h[0] = (unsigned char)tag;
	put_u32(h + 1, (uint32_t)len);
	sbuf_add(b, h, 5);
	if (len)
		sbuf_add(b, data, len);
}

static void rec_u64(sbuf_t *b, unsigned tag, uint64_t v)
{
	unsigned char x[8];
	put_u64(x, v);
	rec(b, tag, x, 8);
}

int lom_encode(const lom_md_t *md, unsigned char **out, size_t *len)
{
	sbuf_t b = SBUF_INIT;
	unsigned char hdr[LOM_HDR] = {LOM_FMT_VERSION};
	sbuf_add(&b, hdr, LOM_HDR);
	rec_u64(&b, LOM_T_SIZE, (uint64_t)md->size);
	rec_u64(&b, LOM_T_ATIME, (uint64_t)md->atime);
	rec_u64(&b, LOM_T_BID, md->bid);
	if (md->mtime && md->mtime != md->atime)
		rec_u64(&b, LOM_T_MTIME, (uint64_t)md->mtime);
	if (md->flags) {
		unsigned char x[4];
		put_u32(x, md->flags);
		rec(&b, LOM_T_FLAGS, x, 4);
	}
	if (md->cktype != CKSUM_NONE) {
		size_t vl = strnlen(md->ckval, CKSUM_MAX_HEX - 1);
		unsigned char t = (unsigned char)md->cktype;
		unsigned char h[5];
		h[0] = LOM_T_CKSUM;
		put_u32(h + 1, (uint32_t)(vl + 1));
		sbuf_add(&b, h, 5);
		sbuf_add(&b, &t, 1);
		sbuf_add(&b, md->ckval, vl);
	}
	if (md->version[0])
		rec(&b, LOM_T_VERSION, md->version, strnlen(md->version, LOM_VERSION_MAX - 1));
	if (md->name)
		rec(&b, LOM_T_NAME, md->name, strlen(md->name));
	if (md->uid[0])
		rec(&b, LOM_T_UID, md->uid, strnlen(md->uid, LOM_UID_MAX - 1));
	if (md->custom && md->custom_len)
		rec(&b, LOM_T_CUSTOM, md->custom, md->custom_len);
	if (b.oom) {
		sbuf_fini(&b);
		return AIS_ENOMEM;
	}
	unsigned char *p = (unsigned char *)b.p;
	put_u64(p + 1, XXH64(p + LOM_HDR, b.len - LOM_HDR, 0));
	*len = b.len;
	*out = (unsigned char *)sbuf_take(&b);
	return 0;
}

/* a string value: no embedded NUL */
static char *dup_str(const unsigned char *v, size_t l)
{
	if (memchr(v, '\0', l))
		return NULL;
	char *s = malloc(l + 1);
	if (!s)
		return NULL;
	memcpy(s, v, l);
	s[l] = '\0';
	return s;
}

/* packed pairs: an even number of NUL-terminated strings filling exactly l bytes */
static bool custom_ok(const unsigned char *v, size_t l)
{
	size_t n = 0, pos = 0;
	while (pos < l) {
		const unsigned char *z = memchr(v + pos, '\0', l - pos);
		if (!z)
			return false;
		pos = (size_t)(z - v) + 1;
		n++;
	}
	return n % 2 == 0;
}

int lom_decode(const unsigned char *buf, size_t len, lom_md_t *md)
{
	lom_md_fini(md);
	if (!buf || len < LOM_HDR || len > LOM_MAX_ENCODED)
		return AIS_EINVAL;
	if (buf[0] != LOM_FMT_VERSION)
		return AIS_EINVAL;
	if (get_u64(buf + 1) != XXH64(buf + LOM_HDR, len - LOM_HDR, 0))
		return AIS_ECKSUM;
	size_t pos = LOM_HDR;
	bool have_size = false;
	while (pos < len) {
		if (len - pos < 5)
			goto bad;
		unsigned tag = buf[pos];
		size_t l = get_u32(buf + pos + 1);
		pos += 5;
		if (l > len - pos)
			goto bad;
		const unsigned char *v = buf + pos;
		pos += l;
		switch (tag) {
		case LOM_T_SIZE:
		case LOM_T_ATIME:
		case LOM_T_BID:
		case LOM_T_MTIME:
			if (l != 8)
				goto bad;
			if (tag == LOM_T_MTIME) {
				md->mtime = (int64_t)get_u64(v);
			} else if (tag == LOM_T_SIZE) {
				md->size = (int64_t)get_u64(v);
				if (md->size < 0)
					goto bad;
				have_size = true;
			} else if (tag == LOM_T_ATIME) {
				md->atime = (int64_t)get_u64(v);
			} else {
				md->bid = get_u64(v);
			}
			break;
		case LOM_T_FLAGS:
			if (l != 4)
				goto bad;
			md->flags = get_u32(v);
			break;
		case LOM_T_CKSUM:
			if (l < 1 || l - 1 >= CKSUM_MAX_HEX || v[0] >= CKSUM_NTYPES)
				goto bad;
			if (memchr(v + 1, '\0', l - 1))
				goto bad;
			md->cktype = (cksum_type_t)v[0];
			memcpy(md->ckval, v + 1, l - 1);
			md->ckval[l - 1] = '\0';
			if (md->cktype == CKSUM_NONE)
				md->ckval[0] = '\0'; /* a "none" checksum has no value */
			break;
		case LOM_T_VERSION:
			if (l >= LOM_VERSION_MAX || memchr(v, '\0', l))
				goto bad;
			memcpy(md->version, v, l);
			md->version[l] = '\0';
			break;
		case LOM_T_UID:
			if (l == 0 || l >= LOM_UID_MAX || memchr(v, '\0', l))
				goto bad;
			memcpy(md->uid, v, l);
			md->uid[l] = '\0';
			break;
		case LOM_T_NAME:
			if (md->name || l == 0 || !(md->name = dup_str(v, l)))
				goto bad;
			break;
		case LOM_T_CUSTOM:
			if (md->custom || l == 0 || !custom_ok(v, l) || !(md->custom = malloc(l)))
				goto bad;
			memcpy(md->custom, v, l);
			md->custom_len = l;
			break;
		default:
			break; /* newer writer: skip */
		}
	}
	if (!have_size)
		goto bad;
	if (!md->mtime)
		md->mtime = md->atime; /* not stored when equal (and by writers older than the field) */
	if ((md->flags & LOM_FL_FNTL) && !md->name)
		goto bad;
	if ((md->flags & LOM_FL_CHUNKED) && !md->uid[0])
		goto bad;
	return 0;
bad:
	lom_md_fini(md);
	return AIS_EINVAL;
}

int lom_load(int fd, const char *path, lom_md_t *md)
{
	unsigned char buf[LOM_MAX_ENCODED];
	ssize_t n = path ? getxattr(path, LOM_XATTR, buf, sizeof(buf))
			 : fgetxattr(fd, LOM_XATTR, buf, sizeof(buf));
	if (n < 0) {
		if (errno == ENODATA || errno == ENOENT || errno == ENOTDIR)
			return AIS_ENOTFOUND;
		if (errno == ERANGE)
			return AIS_EINVAL;
		return err_from_errno(errno);
	}
	return lom_decode(buf, (size_t)n, md);
}

int lom_store(int fd, const char *path, const lom_md_t *md)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = lom_encode(md, &buf, &len);
	if (rc)
		return rc;
	if (len > LOM_MAX_ENCODED) {
		free(buf);
		return AIS_ETOOBIG;
	}
	int e = path ? setxattr(path, LOM_XATTR, buf, len, 0) : fsetxattr(fd, LOM_XATTR, buf, len, 0);
	rc = e ? (errno == E2BIG || errno == ENOSPC ? AIS_ETOOBIG : err_from_errno(errno)) : 0;
	free(buf);
	return rc;
}

void lom_version_next(const char *cur, char *out)
{
	unsigned long long v = 0;
	char *end = NULL;
	if (cur && *cur) {
		errno = 0;
		v = strtoull(cur, &end, 10);
		if (errno || *end)
			v = 0;
	}
	snprintf(out, LOM_VERSION_MAX, "%llu", v + 1);
}

#define LOM_NLOCKS 256
static pthread_mutex_t lom_locks[LOM_NLOCKS] = {[0 ... LOM_NLOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};

void lom_lock(uint64_t digest)
{
	pthread_mutex_lock(&lom_locks[digest % LOM_NLOCKS]);
}

void lom_unlock(uint64_t digest)
{
	pthread_mutex_unlock(&lom_locks[digest % LOM_NLOCKS]);
}
