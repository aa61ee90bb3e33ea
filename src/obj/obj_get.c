/* obj_get: reading one object (see obj_get.h): open with the LOM, the defunct and size checks,
 * Range resolution, the chunk manifest and reader, validate-on-read and the GET/HEAD counters.
 * Invariant: no byte is handed out of an object whose LOM failed to load, whose monolithic file
 * size differs from the LOM's, or (validate_warm_get) whose checksum does not match; a corrupted
 * object is removed only if the file at its path is still the one that was read. */
#include "obj/obj_get.h"
#include "obj/mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "net/http.h" /* HTTP_M_GET/HEAD: stats_notfound's method argument */
#include "stats/stats.h"

static int parse_num(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 18)
		return AIS_EINVAL;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return AIS_EINVAL;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

int obj_get_range(const char *hdr, int64_t size, int64_t *off, int64_t *len)
{
	if (!hdr || !*hdr)
		return 0;
	if (strncmp(hdr, "bytes=", 6))
		return AIS_EINVAL;
	const char *p = hdr + 6;
	int nr = 0;
	bool no_overlap = false;
	while (1) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;
		trim(&s, &n);
		if (n) {
			const char *dash = memchr(s, '-', n);
			if (!dash)
				return AIS_EINVAL;
			const char *a = s, *b = dash + 1;
			size_t an = (size_t)(dash - s), bn = n - an - 1;
			trim(&a, &an);
			trim(&b, &bn);
			int64_t o, l, x;
			if (an == 0) {
				/* suffix: last x bytes */
				if (parse_num(b, bn, &x))
					return AIS_EINVAL;
				if (x == 0) {
					no_overlap = true;
					goto next;
				}
				if (x > size)
					x = size;
				o = size - x;
				l = x;
				if (l == 0) {
					no_overlap = true;
					goto next;
				}
			} else {
				if (parse_num(a, an, &o))
					return AIS_EINVAL;
				if (o >= size) {
					no_overlap = true;
					goto next;
				}
				if (bn == 0) {
					l = size - o;
				} else {
					if (parse_num(b, bn, &x) || x < o)
						return AIS_EINVAL;
					if (x >= size)
						x = size - 1;
					l = x - o + 1;
				}
			}
			if (++nr > 1)
				return AIS_ENOTIMPL;
			*off = o;
			*len = l;
		}
next:
		if (!comma)
			break;
		p = comma + 1;
	}
	if (nr == 1)
		return 1;
	return no_overlap ? AIS_ERANGE : 0;
}


static void get_err(obj_get_t *g, stats_err_t e)
{
	if (g->flags & OBJ_GET_QUIET)
		return;
	if (g->defer) {
		if (!g->pend_err)
			g->pend_err = (int)e + 1;
		return;
	}
	stats_err(e, STATS_BCK(g->o->bck));
}

static void get_notfound(obj_get_t *g)
{
	if (g->flags & OBJ_GET_QUIET || g->probe)
		return;
	if (g->defer) {
		g->pend_nf = true;
		return;
	}
	stats_notfound((g->flags & OBJ_GET_HEAD) ? HTTP_M_HEAD : HTTP_M_GET, STATS_BCK(g->o->bck));
}

static void get_remove_corrupted(obj_get_t *g);

/* the end of a heal attempt: count what failed (count) or forget it (healed) */
static void get_undefer(obj_get_t *g, bool count)
{
	int e = g->pend_err;
	bool nf = g->pend_nf;
	g->defer = false;
	g->pend_err = 0;
	g->pend_nf = false;
	if (count && e)
		get_err(g, (stats_err_t)(e - 1));
	else if (count && nf)
		get_notfound(g);
}

/* can a failed read of g's main replica be healed from a mirror copy? */
static bool get_healable(const obj_get_t *g)
{
	return !(g->flags & OBJ_GET_NOHEAL) && !g->alt && fs_num_in_use() > 1;
}

static void get_init(obj_get_t *g, const obj_t *o, int flags)
{
	memset(g, 0, sizeof(*g));
	g->o = o;
	g->fd = -1;
	g->io_mpi = -1;
	g->flags = flags;
	lom_md_init(&g->md);
	ufest_init(&g->u);
	chunk_rd_init(&g->rd, &g->u, -1);
	g->t0 = stats_now();
}

/* open the object file, load its LOM, check the size: the part of open that a reload repeats */
static int get_load(obj_get_t *g, obj_why_t *why)
{
	const obj_t *o = g->o;
	bool head = g->flags & OBJ_GET_HEAD;
	struct stat st;
	g->fd = obj_open_file(o, O_RDONLY, &st);
	if (g->fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG) {
		g->sys_errno = errno;
		log_err("open %s: %s", o->fqn, strerror(errno));
		get_err(g, head ? STATS_ERR_HEAD : STATS_ERR_IO_GET);
		*why = OBJ_WHY_IO;
		return AIS_EIO;
	}
	if (g->fd < 0 || !S_ISREG(st.st_mode)) {
		get_notfound(g);
		*why = OBJ_WHY_NOT_FOUND;
		return AIS_ENOTFOUND;
	}
	int rc = obj_load(o, g->fd, &g->md);
	if (rc == AIS_ENOTFOUND) {
		get_notfound(g);
		*why = OBJ_WHY_NOT_FOUND;
		return rc;
	}
	if (rc) {
		log_err("%s: corrupted metadata: %s", o->fqn, err_str(rc));
		get_err(g, head ? STATS_ERR_HEAD : STATS_ERR_GET);
		*why = OBJ_WHY_BAD_META;
		return rc;
	}
	g->chunked = g->md.flags & LOM_FL_CHUNKED;
	g->size = g->md.size;
	if (!g->chunked && st.st_size != g->md.size) {
		g->disk_size = st.st_size;
		log_err("%s: size on disk %lld != %lld in its metadata (truncated or extended)", o->fqn,
			(long long)st.st_size, (long long)g->md.size);
		get_err(g, head ? STATS_ERR_HEAD : STATS_ERR_GET);
		*why = OBJ_WHY_SIZE;
		return AIS_EIO;
	}
	return 0;
}

static void get_unload(obj_get_t *g)
{
	chunk_rd_fini(&g->rd);
	ufest_fini(&g->u);
	ufest_init(&g->u);
	chunk_rd_init(&g->rd, &g->u, -1);
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	lom_md_fini(&g->md);
	lom_md_init(&g->md);
}

int obj_get_open(obj_get_t *g, const obj_t *o, int flags, obj_why_t *why)
{
	*why = OBJ_WHY_NONE;
	get_init(g, o, flags);
	g->defer = get_healable(g);
	bool probe = g->probe = fs_num_in_use() > 1;
	int rc = get_load(g, why);
	g->probe = false;
	if (probe && rc == AIS_ENOTFOUND && *why == OBJ_WHY_NOT_FOUND) {
		if (obj_locate(o, &g->alt) == 0) { /* misplaced (resilver pending): serve it from there */
			get_unload(g);
			g->o = g->alt;
			rc = get_load(g, why);
		} else {
			get_notfound(g);
		}
	}
	if (rc && g->defer && !g->alt && (rc == AIS_ENOTFOUND || *why == OBJ_WHY_SIZE || *why == OBJ_WHY_BAD_META)) {
		/* a truncated or extended file: the same version from a copy (replacing it); unreadable
		 * metadata: the file goes, then the newest copy that verifies; missing: that copy */
		lom_md_t want;
		lom_md_init(&want);
		bool same = *why == OBJ_WHY_SIZE && !lom_md_copy(&want, &g->md);
		if (*why == OBJ_WHY_BAD_META && g->fd >= 0 && mirror_count_any(o))
			get_remove_corrupted(g);
		get_unload(g);
		int hr = mirror_restore(o, same ? &want : NULL);
		lom_md_fini(&want);
		if (hr == 0 || hr == AIS_EEXIST) {
			g->healed = hr == 0;
			rc = get_load(g, why);
		}
	}
	get_undefer(g, rc != 0);
	if (rc) {
		get_unload(g);
		return rc;
	}
	g->validate = !(flags & (OBJ_GET_HEAD | OBJ_GET_QUIET)) && o->bck->validate_warm_get &&
		      g->md.cktype != CKSUM_NONE && g->md.ckval[0];
	g->io_mpi = g->o->mpi;
	if (!(flags & (OBJ_GET_HEAD | OBJ_GET_QUIET)) && !g->validate && !g->alt && !g->chunked) {
		int mpi, fd = mirror_open_read(g->o, &g->md, &mpi);
		if (fd >= 0) { /* the same version on a less loaded mountpath */
			close(g->fd);
			g->fd = fd;
			g->io_mpi = mpi;
		}
	}
	fs_io_begin(g->io_mpi);
	return 0;
}

int obj_get_range_apply(obj_get_t *g, const char *hdr, int64_t *off, int64_t *len)
{
	int rc = obj_get_range(hdr, g->size, off, len);
	if (rc < 0)
		get_err(g, STATS_ERR_GET);
	return rc;
}

bool obj_get_needs_pool(const obj_get_t *g)
{
	return !g->prepared && !(g->flags & OBJ_GET_HEAD) && (g->chunked || g->validate);
}

/* chunked: the manifest of the version we opened; a commit racing with us (another manifest id)
 * is retried with the object re-opened, which may now be monolithic */
static int get_manifest(obj_get_t *g, obj_why_t *why)
{
	int rc = chunk_load(g->o, &g->md, &g->u);
	for (int i = 0; rc == AIS_ECONFLICT && i < 5; i++) {
		usleep(2000);
		get_unload(g);
		if ((rc = get_load(g, why)))
			return rc; /* counted by get_load */
		if (!g->chunked)
			return 0;
		rc = chunk_load(g->o, &g->md, &g->u);
	}
	if (rc == AIS_ENOTFOUND) {
		get_notfound(g);
		*why = OBJ_WHY_NOT_FOUND;
		return rc;
	}
	if (rc) {
		get_err(g, STATS_ERR_GET);
		*why = OBJ_WHY_MANIFEST;
		return rc;
	}
	struct stat st;
	st.st_size = -1;
	if (fstat(g->fd, &st) || st.st_size != g->u.chunks[0].size) {
		g->disk_size = st.st_size;
		log_err("%s: chunk 1 size on disk %lld != %lld in the manifest", g->o->fqn, (long long)st.st_size,
			(long long)g->u.chunks[0].size);
		get_err(g, STATS_ERR_GET);
		*why = OBJ_WHY_SIZE;
		return AIS_EIO;
	}
	chunk_rd_init(&g->rd, &g->u, g->fd);
	return 0;
}

static int get_cksum_sink(void *arg, const char *buf, size_t n)
{
	cksum_update(arg, buf, n);
	return 0;
}

/* remove the corrupted object we read, unless it was replaced meanwhile */
static void get_remove_corrupted(obj_get_t *g)
{
	const obj_t *o = g->o;
	struct stat a, b;
	char p[FQN_MAX];
	lom_lock(o->digest);
	obj_fqn_now(o, p, sizeof(p));
	if (!fstat(g->fd, &a) && !stat(p, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		if (g->chunked)
			chunk_drop(o, &g->md);
		obj_remove(o);
	}
	lom_unlock(o->digest);
}

static int get_validate(obj_get_t *g, obj_why_t *why)
{
	cksum_t ck;
	if (g->md.cktype == CKSUM_NONE || !g->md.ckval[0])
		return 0; /* re-opened meanwhile: the new version has no checksum to compare */
	if (cksum_init(&ck, g->md.cktype))
		return AIS_EINTERNAL;
	g->sys_errno = EIO;
	int rc = obj_get_read_all(g, get_cksum_sink, &ck);
	if (rc) {
		cksum_abort(&ck);
		if (rc == AIS_EIO) {
			get_err(g, STATS_ERR_IO_GET);
			*why = OBJ_WHY_IO;
		}
		return rc;
	}
	cksum_final(&ck, g->ck_got);
	if (strcmp(g->ck_got, g->md.ckval)) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(g->o->bck, g->o->oname, cn, sizeof(cn));
		log_err("corrupted object %s (%s): stored %s, computed %s - removing", cn, g->o->fqn, g->md.ckval,
			g->ck_got);
		get_remove_corrupted(g);
		get_err(g, STATS_ERR_GET);
		*why = OBJ_WHY_CORRUPT;
		return AIS_ECKSUM;
	}
	return 0;
}

/* the main replica failed validation (and was removed): restore the same version from a copy,
 * re-open and re-validate it. 0 or the original AIS_ECKSUM (why unchanged) */
static int get_heal_corrupt(obj_get_t *g, obj_why_t *why)
{
	lom_md_t want;
	lom_md_init(&want);
	if (lom_md_copy(&want, &g->md))
		return AIS_ECKSUM;
	int hr = mirror_restore(g->o, &want);
	lom_md_fini(&want);
	if (hr && hr != AIS_EEXIST)
		return AIS_ECKSUM;
	get_unload(g);
	obj_why_t w2;
	int rc = get_load(g, &w2);
	if (!rc && g->chunked)
		rc = get_manifest(g, &w2);
	if (!rc)
		rc = get_validate(g, &w2);
	if (rc) {
		*why = w2;
		return rc;
	}
	*why = OBJ_WHY_NONE;
	g->healed = hr == 0;
	return 0;
}

int obj_get_prepare(obj_get_t *g, obj_why_t *why)
{
	*why = OBJ_WHY_NONE;
	if (g->prepared)
		return 0;
	int rc = 0;
	if (g->chunked && (rc = get_manifest(g, why)))
		return rc;
	if (g->validate) {
		g->defer = get_healable(g);
		rc = get_validate(g, why);
		if (rc == AIS_ECKSUM && g->defer)
			rc = get_heal_corrupt(g, why);
		get_undefer(g, rc != 0);
		if (rc)
			return rc;
	}
	g->prepared = true;
	return 0;
}

int obj_get_take_fd(obj_get_t *g)
{
	int fd = g->fd;
	g->fd = -1;
	return fd;
}

ssize_t obj_get_pread(obj_get_t *g, void *buf, size_t n, int64_t off)
{
	if (g->chunked)
		return g->rd.fd1 >= 0 ? chunk_rd_pread(&g->rd, buf, n, off) : AIS_EINVAL; /* manifest loaded? */
	if (off >= g->size)
		return 0;
	if ((int64_t)n > g->size - off)
		n = (size_t)(g->size - off);
	while (1) {
		ssize_t k = pread(g->fd, buf, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			g->sys_errno = k ? errno : EIO;
			log_err("read %s: %s", g->o->fqn, k ? strerror(errno) : "short file");
			return AIS_EIO;
		}
		return k;
	}
}

int obj_get_nsegs(const obj_get_t *g, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0 || off > g->size - len || (!g->chunked && g->fd < 0))
		return AIS_EINVAL;
	if (!g->chunked)
		return 1;
	if (g->rd.fd1 < 0)
		return AIS_EINVAL; /* not prepared: no manifest */
	int64_t c0, c1;
	int a = ufest_find(&g->u, off, &c0), b = ufest_find(&g->u, off + len - 1, &c1);
	return a < 0 || b < a ? AIS_EINVAL : b - a + 1;
}

int obj_get_seg(obj_get_t *g, int64_t off, int64_t len, int i, int *fd, int64_t *foff, int64_t *flen)
{
	int n = obj_get_nsegs(g, off, len);
	if (n < 0 || i < 0 || i >= n)
		return AIS_EINVAL;
	if (!g->chunked) {
		*fd = g->fd;
		*foff = off;
		*flen = len;
		return 0;
	}
	int64_t cstart;
	int k = ufest_find(&g->u, off, &cstart);
	for (int j = 0; j < i; j++, k++)
		cstart += g->u.chunks[k].size; /* where chunk k + 1 starts in the object */
	const ufest_chunk_t *c = &g->u.chunks[k];
	int64_t from = off > cstart ? off - cstart : 0, to = off + len - cstart;
	if (to > c->size)
		to = c->size;
	int rc = chunk_rd_fd(&g->rd, k, fd);
	if (rc)
		return rc;
	*foff = from;
	*flen = to - from;
	return 0;
}

int obj_get_read_all(obj_get_t *g, obj_sink_fn sink, void *arg)
{
	enum { BLK = 256 * 1024 };
	char *buf = malloc(BLK);
	if (!buf)
		return AIS_ENOMEM;
	int rc = 0;
	for (int64_t pos = 0; !rc && pos < g->size;) {
		ssize_t n = obj_get_pread(g, buf, BLK, pos);
		if (n <= 0) {
			rc = n ? (int)n : AIS_EIO;
			break;
		}
		rc = sink(arg, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	return rc;
}

void obj_get_done(obj_get_t *g, int64_t bytes)
{
	if (g->flags & OBJ_GET_QUIET)
		return;
	bool head = g->flags & OBJ_GET_HEAD;
	stats_op(head ? STATS_HEAD : STATS_GET, STATS_BCK(g->o->bck), g->t0, head ? -1 : bytes);
}

void obj_get_close(obj_get_t *g)
{
	if (!g->o)
		return;
	if (g->io_mpi >= 0)
		fs_io_end(g->io_mpi);
	g->io_mpi = -1;
	get_unload(g);
	free(g->alt);
	g->alt = NULL;
	g->o = NULL;
}
