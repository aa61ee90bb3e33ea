/* arch_apnd: one file into a shard (see arch_apnd.h): new shard, in-place TAR append under a
 * write lease, or a rewrite through the object writer.
 * In-place order of writes (crash-safety): the new tail (header, data, padding, two zero blocks)
 * is written at the old end-of-archive offset X in one pwrite, the file is cut if it got
 * shorter, then the LOM (size, "none" checksum, next version, no index flag) is stored; a crash
 * before the LOM is stored leaves a size that differs from the LOM's, which the reader reports
 * (500) rather than serving wrong bytes. */
#include "archive/arch_apnd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/arch_obj.h"
#include "archive/arch_rd.h"
#include "archive/arch_wr.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "obj/lom.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"

#define APND_NLOCKS 256
#define APND_BLK (256 * 1024)

static pthread_mutex_t apnd_locks[APND_NLOCKS] = {[0 ... APND_NLOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t apnd_sig_once = PTHREAD_ONCE_INIT;

/* a lease break signals its holder (SIGIO by default, whose default action ends the process):
 * the holder here releases within microseconds anyway, so the signal is ignored */
static void apnd_sig_init(void)
{
	struct sigaction sa;
	if (sigaction(SIGIO, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGIO, SIG_IGN);
}

/* ---------------------------------------------------------------- the new file's bytes */

typedef struct apnd {
	const arch_apnd_args_t *a;
	obj_get_t g;        /* the existing shard (open when `exists`) */
	bool exists;
	arch_fmt_t fmt;
	char *err;
	size_t cap;
	/* scan of an existing plain TAR */
	int64_t tar_end;    /* X: where the end-of-archive blocks start; -1 unknown */
	bool gnu;
	/* the file, when read ahead (in-place) */
	char *body;
	lom_md_t seen;      /* the LOM the scan saw (in-place: nothing may have changed since) */
} apnd_t;

/* the whole file from the caller (exactly a->size bytes) */
static int apnd_read_all(apnd_t *p)
{
	const arch_apnd_args_t *a = p->a;
	if (!(p->body = malloc((size_t)a->size)))
		return AIS_ENOMEM;
	int64_t got = 0;
	while (got < a->size) {
		ssize_t n = a->read(a->read_arg, p->body + got, (size_t)(a->size - got));
		if (n <= 0) {
			snprintf(p->err, p->cap, "body ended after %lld of %lld bytes", (long long)got, (long long)a->size);
			return n < 0 ? (int)n : AIS_EINVAL;
		}
		got += n;
	}
	char extra;
	ssize_t n = a->read(a->read_arg, &extra, 1);
	if (n != 0) {
		snprintf(p->err, p->cap, "body longer than its Content-Length %lld", (long long)a->size);
		return n < 0 ? (int)n : AIS_EINVAL;
	}
	return 0;
}

/* the new entry into w: from the read-ahead body or straight from the caller */
static int apnd_entry(apnd_t *p, arch_wr_t *w)
{
	const arch_apnd_args_t *a = p->a;
	int rc = arch_wr_begin(w, a->name, a->size, a->mtime_s);
	if (rc) {
		snprintf(p->err, p->cap, "%s", arch_wr_err(w));
		return rc;
	}
	if (p->body)
		return arch_wr_data(w, p->body, (size_t)a->size);
	char *buf = malloc(APND_BLK);
	if (!buf)
		return AIS_ENOMEM;
	int64_t got = 0;
	while (!rc && got < a->size) {
		size_t want = a->size - got < APND_BLK ? (size_t)(a->size - got) : APND_BLK;
		ssize_t n = a->read(a->read_arg, buf, want);
		if (n <= 0) {
			snprintf(p->err, p->cap, "body ended after %lld of %lld bytes", (long long)got, (long long)a->size);
			rc = n < 0 ? (int)n : AIS_EINVAL;
			break;
		}
		rc = arch_wr_data(w, buf, (size_t)n);
		got += n;
	}
	if (!rc && a->read(a->read_arg, buf, 1) != 0) {
		snprintf(p->err, p->cap, "body longer than its Content-Length %lld", (long long)a->size);
		rc = AIS_EINVAL;
	}
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- writer sinks */

static int apnd_put_sink(void *arg, const void *buf, size_t len) { return obj_put_write(arg, buf, len); }

static int apnd_mem_sink(void *arg, const void *buf, size_t len) { return sbuf_add(arg, buf, len) ? AIS_ENOMEM : 0; }

static int apnd_copy_sink(void *arg, const char *buf, size_t len) { return obj_put_write(arg, buf, len); }

/* ---------------------------------------------------------------- scan */

/* a plain TAR: where its end blocks start (X), and its header flavor; also validates it */
static int apnd_scan_tar(apnd_t *p)
{
	arch_rd_t *rd;
	int rc = arch_obj_rd(&p->g, ARCH_TAR, &rd, p->err, p->cap);
	if (rc)
		return rc;
	arch_ent_t e;
	p->tar_end = 0;
	while ((rc = arch_rd_next(rd, &e)) == 1) {
		p->tar_end = e.end_off; /* -1 (sparse) makes in-place impossible */
		p->gnu = e.gnu;
		if (e.end_off < 0)
			break;
	}
	if (rc < 0)
		snprintf(p->err, p->cap, "%s", arch_rd_err(rd));
	arch_rd_close(rd);
	if (!rc && p->tar_end > p->g.size)
		p->tar_end = -1;
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- new shard, rewrite */

static int apnd_commit(apnd_t *p, obj_put_t *w, arch_wr_t *aw, int rc, obj_why_t *why)
{
	if (!rc)
		rc = arch_wr_close(aw);
	if (rc && !*p->err)
		snprintf(p->err, p->cap, "%s", *arch_wr_err(aw) ? arch_wr_err(aw) : err_str(rc));
	arch_wr_free(aw);
	if (rc) {
		obj_put_abort(w, rc);
		return rc;
	}
	obj_put_res_t res;
	rc = obj_put_commit(w, &res, why);
	lom_md_fini(&res.md);
	if (rc)
		snprintf(p->err, p->cap, "commit: %s", obj_why_str(*why));
	return rc;
}

int arch_apnd_copy(obj_get_t *g, arch_fmt_t f, arch_wr_t *aw, char *err, size_t cap)
{
	arch_rd_t *rd;
	int rc = arch_obj_rd(g, f, &rd, err, cap);
	char *buf = rc ? NULL : malloc(APND_BLK);
	if (!rc && !buf)
		rc = AIS_ENOMEM;
	arch_ent_t e;
	while (!rc && (rc = arch_rd_next(rd, &e)) == 1) {
		if (f == ARCH_ZIP && !e.regular) {
			rc = 0;
			continue;
		}
		rc = f == ARCH_ZIP ? arch_wr_begin(aw, e.name, e.size, e.mtime) : arch_wr_begin_from(aw, arch_rd_entry(rd));
		ssize_t n = 0;
		while (!rc && (n = arch_rd_read(rd, buf, APND_BLK)) > 0)
			rc = arch_wr_data(aw, buf, (size_t)n);
		if (!rc && n < 0)
			rc = (int)n;
	}
	if (rc < 0 && cap && !*err)
		snprintf(err, cap, "%s", rd && *arch_rd_err(rd) ? arch_rd_err(rd) : arch_wr_err(aw));
	free(buf);
	arch_rd_close(rd);
	return rc < 0 ? rc : 0;
}

static int apnd_copy_entries(apnd_t *p, arch_wr_t *aw) { return arch_apnd_copy(&p->g, p->fmt, aw, p->err, p->cap); }

/* [0, X) of a plain TAR, as is */
static int apnd_copy_raw(apnd_t *p, obj_put_t *w)
{
	arch_loc_t loc = {.size = p->tar_end, .data_off = 0};
	return arch_obj_read(&p->g, &loc, apnd_copy_sink, w, p->err, p->cap);
}

static int apnd_rewrite(apnd_t *p, bool fresh, obj_why_t *why)
{
	const arch_apnd_args_t *a = p->a;
	obj_put_opts_t opt = {.size_hint = (fresh ? 0 : p->g.size) + a->size + 4096, .acct = OBJ_ACCT_PUT,
			      .tag = "apnd-arch"};
	obj_put_t *w;
	int rc = obj_put_begin(a->o, &opt, &w, why);
	if (rc) {
		snprintf(p->err, p->cap, "%s", obj_why_str(*why));
		return rc;
	}
	arch_sink_t sink = {.write = apnd_put_sink, .arg = w};
	arch_wr_t *aw = NULL;
	bool raw = !fresh && p->fmt == ARCH_TAR && p->tar_end >= 0;
	if (raw && !(rc = apnd_copy_raw(p, w)))
		rc = arch_wr_new_tar(&aw, p->gnu ? ARCH_TAR_GNU : ARCH_TAR_AUTO, &sink);
	else if (!raw)
		rc = arch_wr_new(&aw, p->fmt, &sink);
	if (!rc && !fresh && !raw)
		rc = apnd_copy_entries(p, aw);
	if (!rc)
		rc = apnd_entry(p, aw);
	if (!aw) {
		obj_put_abort(w, rc);
		return rc;
	}
	return apnd_commit(p, w, aw, rc, why);
}

/* ---------------------------------------------------------------- in place */

/* the bytes at X must be the end-of-archive blocks: zeros up to the end (at least 1024) */
static bool apnd_end_blocks(int fd, int64_t x, int64_t size)
{
	char b[4096];
	if (size - x < 1024)
		return false;
	for (int64_t pos = x; pos < size;) {
		size_t want = size - pos < (int64_t)sizeof(b) ? (size_t)(size - pos) : sizeof(b);
		ssize_t n = pread(fd, b, want, pos);
		if (n <= 0)
			return false;
		for (ssize_t i = 0; i < n; i++)
			if (b[i])
				return false;
		pos += n;
	}
	return true;
}

/* same version as scanned (nothing committed since) */
static bool apnd_same(const lom_md_t *x, const lom_md_t *y)
{
	return x->size == y->size && x->cktype == y->cktype && !strcmp(x->ckval, y->ckval) &&
	       !strcmp(x->version, y->version) && x->atime == y->atime;
}

/* write tail T at X over the end blocks; AIS_EAGAIN: not possible now (rewrite instead) */
static int apnd_in_place_locked(apnd_t *p, const sbuf_t *tail, int64_t *newsize)
{
	const obj_t *o = p->a->o;
	int fd = obj_open_file(o, O_RDWR, NULL);
	if (fd < 0)
		return AIS_EAGAIN;
	int rc = AIS_EAGAIN;
	if (fcntl(fd, F_SETLEASE, F_WRLCK)) /* someone has it open (a GET, a copy, ...) */
		goto out;
	lom_md_t md;
	lom_md_init(&md);
	if (obj_load(o, fd, &md) || !apnd_same(&md, &p->seen) || !apnd_end_blocks(fd, p->tar_end, md.size))
		goto unlease;
	int64_t x = p->tar_end, nsz = x + (int64_t)tail->len;
	errno = 0;
	if (pwrite(fd, tail->p, tail->len, x) != (ssize_t)tail->len || (nsz < md.size && ftruncate(fd, nsz))) {
		int e = errno ? errno : ENOSPC;
		rc = err_from_errno(e);
		snprintf(p->err, p->cap, "in-place append: %s", strerror(e));
		/* the old end blocks are gone: restore them so the shard stays what its LOM says */
		char z[1024] = {0};
		if (pwrite(fd, z, sizeof(z), x) != (ssize_t)sizeof(z) || ftruncate(fd, md.size))
			log_err("%s: in-place append failed and could not be undone", o->fqn);
		goto unlease;
	}
	char ver[LOM_VERSION_MAX];
	if (o->bck->versioning) {
		lom_version_next(md.version, ver);
		snprintf(md.version, sizeof(md.version), "%s", ver);
	}
	md.size = nsz;
	md.cktype = CKSUM_NONE; /* AIStore's fast append: the checksum is not recomputed */
	md.ckval[0] = '\0';
	md.atime = now_ns();
	md.flags &= ~(uint32_t)LOM_FL_SHARDIDX;
	if ((rc = lom_store(fd, NULL, &md)) == 0 && (config_features() & FEAT_FSYNC_PUT) && fsync(fd))
		rc = err_from_errno(errno);
	*newsize = nsz;
unlease:
	lom_md_fini(&md);
	fcntl(fd, F_SETLEASE, F_UNLCK);
out:
	close(fd);
	return rc;
}

static int apnd_in_place(apnd_t *p, int64_t *newsize)
{
	const arch_apnd_args_t *a = p->a;
	sbuf_t tail = SBUF_INIT;
	arch_sink_t sink = {.write = apnd_mem_sink, .arg = &tail};
	arch_wr_t *aw;
	int rc = arch_wr_new_tar(&aw, p->gnu ? ARCH_TAR_GNU : ARCH_TAR_AUTO, &sink);
	if (!rc && !(rc = apnd_entry(p, aw)))
		rc = arch_wr_close(aw);
	if (rc && !*p->err)
		snprintf(p->err, p->cap, "%s", arch_wr_err(aw));
	if (!rc) {
		pthread_once(&apnd_sig_once, apnd_sig_init);
		lom_lock(a->o->digest);
		rc = apnd_in_place_locked(p, &tail, newsize);
		lom_unlock(a->o->digest);
	}
	arch_wr_free(aw);
	sbuf_fini(&tail);
	return rc;
}

/* ---------------------------------------------------------------- entry */

static int apnd_format(apnd_t *p)
{
	const arch_apnd_args_t *a = p->a;
	if (p->exists)
		return arch_obj_fmt(&p->g, a->archmime, &p->fmt, p->err, p->cap);
	if (arch_mime_of(a->archmime, a->o->oname, &p->fmt)) {
		snprintf(p->err, p->cap, "unknown mime type \"%s\"", a->archmime);
		return AIS_EINVAL;
	}
	if (p->fmt == ARCH_NONE) {
		snprintf(p->err, p->cap, "unknown archive format of \"%s\": expecting one of .tar, .tgz, .tar.gz, "
			 ".zip, .tar.lz4 (or archmime)", a->o->oname);
		return AIS_EINVAL;
	}
	return 0;
}

static int apnd_open(apnd_t *p, obj_why_t *why)
{
	int rc = obj_get_open(&p->g, p->a->o, OBJ_GET_QUIET, why);
	if (rc == AIS_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	p->exists = true;
	if (p->g.chunked && (rc = obj_get_prepare(&p->g, why)))
		snprintf(p->err, p->cap, "%s", obj_why_str(*why));
	return rc;
}

static int apnd_do(apnd_t *p, arch_apnd_res_t *res, obj_why_t *why)
{
	const arch_apnd_args_t *a = p->a;
	int rc = apnd_open(p, why);
	if (rc)
		return rc;
	if (!p->exists && a->flags == ARCH_APND_ONLY) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(a->o->bck, a->o->oname, cn, sizeof(cn));
		snprintf(p->err, p->cap, "%s does not exist (nothing to append to)", cn);
		*why = OBJ_WHY_NOT_FOUND;
		return AIS_ENOTFOUND;
	}
	if ((rc = apnd_format(p)))
		return rc;
	bool fresh = !p->exists || !a->flags;
	res->created = fresh;
	if (fresh)
		return apnd_rewrite(p, true, why);
	p->tar_end = -1;
	if (p->fmt == ARCH_TAR && (rc = apnd_scan_tar(p)))
		return rc;
	if (p->fmt == ARCH_TAR && !p->g.chunked && p->tar_end >= 0 && a->size <= ARCH_APND_INPLACE_MAX) {
		if ((rc = apnd_read_all(p)) || (rc = lom_md_copy(&p->seen, &p->g.md)))
			return rc;
		obj_get_close(&p->g); /* the lease needs the shard closed by everyone, us included */
		p->exists = false;
		rc = apnd_in_place(p, &res->size);
		if (rc != AIS_EAGAIN) {
			res->in_place = !rc;
			return rc;
		}
		/* busy (or changed): rewrite whatever is there now */
		if ((rc = apnd_open(p, why)))
			return rc;
		if (!p->exists) {
			snprintf(p->err, p->cap, "%s was removed while appending", a->o->oname);
			*why = OBJ_WHY_NOT_FOUND;
			return AIS_ENOTFOUND;
		}
		if ((rc = apnd_scan_tar(p)))
			return rc;
	}
	return apnd_rewrite(p, false, why);
}

int arch_apnd(const arch_apnd_args_t *a, arch_apnd_res_t *res, obj_why_t *why, char *err, size_t cap)
{
	apnd_t p = {.a = a, .err = err, .cap = cap, .tar_end = -1};
	lom_md_init(&p.seen);
	memset(res, 0, sizeof(*res));
	*why = OBJ_WHY_NONE;
	err[0] = '\0';
	if (a->size <= 0 || !a->name || !*a->name) {
		snprintf(err, cap, "%s", a->size <= 0 ? "missing Content-Length (the archived file's size)"
						      : "archive path is not defined");
		return AIS_EINVAL;
	}
	pthread_mutex_t *mu = &apnd_locks[a->o->digest % APND_NLOCKS];
	pthread_mutex_lock(mu);
	int rc = apnd_do(&p, res, why);
	if (p.exists)
		obj_get_close(&p.g);
	pthread_mutex_unlock(mu);
	free(p.body);
	lom_md_fini(&p.seen);
	if (!rc && arch_obj_indexable(a->o->oname))
		arch_obj_idx_drop(a->o->bck, a->o->oname); /* of the previous version: stale now */
	return rc;
}
