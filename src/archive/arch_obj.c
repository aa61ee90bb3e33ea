/* arch_obj: shards as objects (see arch_obj.h): format, reader, find (index, else scan), read,
 * and the index objects in ais://.sys-shardidx. */
#include "archive/arch_obj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "core/err.h"
#include "core/hrw.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "obj/lom.h"
#include "obj/obj_put.h"

#define ARCH_OBJ_IDX_MAX ((int64_t)1 << 30) /* an index object larger than this is not loaded */
#define ARCH_OBJ_BLK (256 * 1024)

/* ---------------------------------------------------------------- format and reader */

static ssize_t arch_obj_pread(void *arg, void *buf, size_t n, int64_t off)
{
	return obj_get_pread(arg, buf, n, off);
}

int arch_obj_fmt(obj_get_t *g, const char *archmime, arch_fmt_t *out, char *err, size_t cap)
{
	if (arch_mime_of(archmime, g->o->oname, out)) {
		snprintf(err, cap, "unknown mime type \"%s\"", archmime);
		return AIS_EINVAL;
	}
	if (*out != ARCH_NONE)
		return 0;
	unsigned char hdr[ARCH_MAGIC_LEN];
	ssize_t n = g->size > 0 ? obj_get_pread(g, hdr, sizeof(hdr), 0) : 0;
	if (n < 0)
		return (int)n;
	if ((*out = arch_mime_magic(hdr, (size_t)n)) != ARCH_NONE)
		return 0;
	snprintf(err, cap, "unrecognized or unsupported file format: \"%s\"", g->o->oname);
	return AIS_EINVAL;
}

int arch_obj_rd(obj_get_t *g, arch_fmt_t f, arch_rd_t **rd, char *err, size_t cap)
{
	return arch_rd_open_src(rd, f, arch_obj_pread, g, g->size, err, cap);
}

/* ---------------------------------------------------------------- find */

static int arch_obj_find_idx(obj_get_t *g, const char *archpath, arch_loc_t *loc)
{
	arch_idx_t idx;
	char err[256];
	int rc = arch_obj_idx_load(g, &idx, err, sizeof(err));
	if (rc) {
		if (rc == AIS_EINVAL)
			log_warn("%s: %s (falling back to the scan)", g->o->oname, err);
		return AIS_ENOTFOUND;
	}
	arch_idx_ent_t e;
	bool ok = arch_idx_find(&idx, archpath, &e);
	arch_idx_fini(&idx);
	if (!ok)
		return AIS_ENOTFOUND; /* not indexed (sparse, non-regular): the scan decides */
	loc->size = e.size;
	loc->data_off = e.hdr_off + 512;
	loc->indexed = true;
	return 0;
}

int arch_obj_find(obj_get_t *g, arch_fmt_t f, const char *archpath, arch_loc_t *loc, char *err, size_t cap)
{
	memset(loc, 0, sizeof(*loc));
	loc->data_off = -1;
	if (f == ARCH_TAR && arch_obj_find_idx(g, archpath, loc) == 0)
		return 0;
	arch_rd_t *rd;
	int rc = arch_obj_rd(g, f, &rd, err, cap);
	if (rc)
		return rc;
	arch_ent_t e;
	while ((rc = arch_rd_next(rd, &e)) == 1) {
		if (!e.regular || !arch_rd_name_eq(e.name, archpath))
			continue;
		loc->size = e.size;
		loc->data_off = e.data_off;
		if (e.data_off >= 0 && e.size > g->size - e.data_off) {
			snprintf(err, cap, "%s: archived file is truncated", e.name);
			arch_rd_close(rd);
			return AIS_EINVAL;
		}
		if (e.data_off >= 0) {
			arch_rd_close(rd);
		} else {
			loc->rd = rd;
		}
		return 0;
	}
	if (rc < 0)
		snprintf(err, cap, "%s", arch_rd_err(rd));
	arch_rd_close(rd);
	return rc < 0 ? rc : AIS_ENOTFOUND;
}

void arch_loc_fini(arch_loc_t *loc)
{
	arch_rd_close(loc->rd);
	loc->rd = NULL;
}

int arch_obj_read(obj_get_t *g, arch_loc_t *loc, obj_sink_fn sink, void *arg, char *err, size_t cap)
{
	char *buf = malloc(ARCH_OBJ_BLK);
	int rc = 0;
	if (!buf)
		return AIS_ENOMEM;
	int64_t left = loc->size, off = loc->data_off;
	while (left > 0 && !rc) {
		size_t want = left < ARCH_OBJ_BLK ? (size_t)left : ARCH_OBJ_BLK;
		ssize_t n = loc->data_off >= 0 ? obj_get_pread(g, buf, want, off) : arch_rd_read(loc->rd, buf, want);
		if (n <= 0) {
			rc = n < 0 ? (int)n : AIS_EINVAL;
			snprintf(err, cap, "%s", loc->rd && n < 0 ? arch_rd_err(loc->rd) : "archived file is truncated");
			break;
		}
		rc = sink(arg, buf, (size_t)n);
		off += n;
		left -= n;
	}
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- index objects */

bool arch_obj_indexable(const char *oname) { return arch_mime_by_ext(oname) == ARCH_TAR; }

int arch_obj_idx_name(const bck_t *b, const char *oname, char *out, size_t cap)
{
	char uuid[80], nsn[80], *obj;
	size_t l = strlen(oname);
	if (!(obj = malloc(l + 5)))
		return -1;
	memcpy(obj, oname, l);
	memcpy(obj + l, ".idx", 5);
	hrw_ns_split(b->ns, uuid, sizeof(uuid), nsn, sizeof(nsn));
	int n = hrw_uname(out, cap, b->provider, uuid, nsn, b->name, obj);
	free(obj);
	return n;
}

static int arch_obj_idx_init(const bck_t *b, const char *oname, obj_t *io)
{
	char name[FQN_OBJNAME_MAX + 1];
	memset(io, 0, sizeof(*io));
	if (arch_obj_idx_name(b, oname, name, sizeof(name)) < 0)
		return AIS_EINVAL;
	return obj_init(io, "ais", "", BCK_SYS_SHARDIDX, name, NULL);
}

static int arch_obj_sink_buf(void *arg, const char *buf, size_t n)
{
	sbuf_t *b = arg;
	return sbuf_add(b, buf, n) ? AIS_ENOMEM : 0;
}

int arch_obj_idx_load(obj_get_t *g, arch_idx_t *idx, char *err, size_t cap)
{
	obj_t io;
	obj_get_t ig;
	memset(idx, 0, sizeof(*idx));
	if (!(g->md.flags & LOM_FL_SHARDIDX))
		return AIS_ENOTFOUND;
	int rc = arch_obj_idx_init(g->o->bck, g->o->oname, &io);
	if (rc)
		return rc == AIS_EINVAL ? AIS_EINVAL : AIS_ENOTFOUND;
	obj_why_t why;
	rc = obj_get_open(&ig, &io, OBJ_GET_QUIET, &why);
	if (!rc && (ig.chunked || ig.size > ARCH_OBJ_IDX_MAX))
		rc = AIS_EINVAL;
	sbuf_t b = SBUF_INIT;
	if (!rc && !(rc = sbuf_reserve(&b, (size_t)ig.size) ? AIS_ENOMEM : 0))
		rc = obj_get_read_all(&ig, arch_obj_sink_buf, &b);
	obj_get_close(&ig);
	obj_fini(&io);
	if (rc) {
		sbuf_fini(&b);
		snprintf(err, cap, "shard index of %s: %s", g->o->oname, err_str(rc));
		return rc == AIS_ENOTFOUND ? rc : AIS_EINVAL;
	}
	size_t len = b.len;
	if ((rc = arch_idx_parse(idx, (unsigned char *)sbuf_take(&b), len, err, cap)))
		return rc;
	if (!arch_idx_fresh(idx, g->size, cksum_type_str(g->md.cktype), g->md.ckval)) {
		arch_idx_fini(idx);
		return AIS_ECONFLICT;
	}
	return 0;
}

static int arch_obj_idx_write(obj_t *io, const arch_idx_t *idx, char *err, size_t cap)
{
	obj_put_opts_t opt = {.size_hint = (int64_t)idx->len, .acct = OBJ_ACCT_NONE, .tag = "shardidx"};
	obj_put_t *w;
	obj_put_res_t res;
	obj_why_t why;
	int rc = obj_put_begin(io, &opt, &w, &why);
	if (rc) {
		snprintf(err, cap, "shard index: %s", obj_why_str(why));
		return rc;
	}
	if ((rc = obj_put_write(w, idx->buf, idx->len))) {
		obj_put_abort(w, rc);
		snprintf(err, cap, "shard index: write: %s", err_str(rc));
		return rc;
	}
	rc = obj_put_commit(w, &res, &why);
	lom_md_fini(&res.md);
	if (rc)
		snprintf(err, cap, "shard index: commit: %s", obj_why_str(why));
	return rc;
}

/* flag o's LOM, under its lock, if it still is the version the index describes */
static int arch_obj_idx_flag(const obj_t *o, const arch_idx_t *idx)
{
	int rc = 0;
	lom_lock(o->digest);
	int fd = obj_open_file(o, O_RDONLY, NULL);
	if (fd < 0) {
		rc = errno == ENOENT ? AIS_ECONFLICT : err_from_errno(errno);
		goto out;
	}
	lom_md_t md;
	lom_md_init(&md);
	if (!(rc = obj_load(o, fd, &md))) {
		if ((md.flags & LOM_FL_CHUNKED) || !arch_idx_fresh(idx, md.size, cksum_type_str(md.cktype), md.ckval))
			rc = AIS_ECONFLICT;
		else if (!(md.flags & LOM_FL_SHARDIDX)) {
			md.flags |= LOM_FL_SHARDIDX;
			rc = lom_store(fd, NULL, &md);
		}
	}
	lom_md_fini(&md);
	close(fd);
out:
	lom_unlock(o->digest);
	return rc;
}

int arch_obj_idx_save(const obj_t *o, const arch_idx_t *idx, char *err, size_t cap)
{
	obj_t io;
	int rc = arch_obj_idx_init(o->bck, o->oname, &io);
	if (rc) {
		snprintf(err, cap, "%s", rc == AIS_ENOBUCKET ? "ais://" BCK_SYS_SHARDIDX " does not exist"
							      : "name too long for a shard index");
		return rc;
	}
	/* the index object first: a flagged LOM always finds its index (a crash in between leaves an
	 * unused index object that the next build overwrites) */
	if (!(rc = arch_obj_idx_write(&io, idx, err, cap)) && (rc = arch_obj_idx_flag(o, idx))) {
		snprintf(err, cap, "%s changed while it was indexed (%s)", o->oname, err_str(rc));
		lom_lock(io.digest);
		obj_remove(&io);
		lom_unlock(io.digest);
	}
	obj_fini(&io);
	return rc;
}

void arch_obj_idx_drop(const bck_t *b, const char *oname)
{
	obj_t io;
	if (arch_obj_idx_init(b, oname, &io))
		return;
	lom_lock(io.digest);
	char ip[FQN_MAX];
	obj_fqn_now(&io, ip, sizeof(ip));
	if (access(ip, F_OK) == 0)
		obj_remove(&io);
	lom_unlock(io.digest);
	obj_fini(&io);
}

static void arch_obj_gone(const obj_t *o) { arch_obj_idx_drop(o->bck, o->oname); }

void arch_obj_init(void) { obj_set_idx_gone(arch_obj_gone); }
