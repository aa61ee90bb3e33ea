/* obj_reloc: moving an object's copy between mountpaths (resilver) and dropping a moved source
 * (rebalance); see obj_reloc.h. Invariants: every decision (which copy is newer, is the source
 * unchanged) is made under the object's lock together with the rename or unlink it leads to; a
 * copy of the bytes (different filesystems, chunked objects) happens outside the lock into a work
 * file that is committed only if, under the lock, the source is still the version read and the
 * destination holds nothing newer. */
#include "obj/obj_reloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/chunk.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"

bool obj_reloc_same(const lom_md_t *a, const lom_md_t *b)
{
	return a->mtime == b->mtime && a->size == b->size && a->cktype == b->cktype && !strcmp(a->ckval, b->ckval);
}

/* under the lock: remove o's copy (and a chunked one's chunks) */
static void reloc_remove(const obj_t *o, const lom_md_t *md)
{
	if (md->flags & LOM_FL_CHUNKED)
		chunk_drop(o, md);
	obj_remove(o);
}

int obj_reloc_drop(const obj_t *o, const lom_md_t *sent)
{
	lom_md_t cur;
	lom_md_init(&cur);
	lom_lock(o->digest);
	int rc = obj_load(o, -1, &cur);
	if (rc == AIS_ENOTFOUND)
		rc = OBJ_RELOC_GONE;
	else if (!rc && !obj_reloc_same(&cur, sent))
		rc = OBJ_RELOC_CHANGED;
	else if (!rc)
		reloc_remove(o, &cur);
	lom_unlock(o->digest);
	lom_md_fini(&cur);
	return rc;
}

/* under the lock: src's current version (AIS_ENOTFOUND when gone) and whether dst holds the same
 * or a newer one */
static int reloc_state(const obj_t *src, const obj_t *dst, lom_md_t *s, bool *dst_newer, lom_md_t *d, bool *have_d)
{
	int rc = obj_load(src, -1, s);
	if (rc)
		return rc;
	*have_d = obj_load(dst, -1, d) == 0;
	*dst_newer = *have_d && d->mtime >= s->mtime;
	return 0;
}

/* same filesystem, monolithic: one rename under the lock. OBJ_RELOC_*, AIS_E*, or 0 when the
 * caller must copy (different filesystems, chunked) */
static int reloc_rename(const obj_t *src, const obj_t *dst)
{
	lom_md_t s, d;
	lom_md_init(&s);
	lom_md_init(&d);
	bool dst_newer = false, have_d = false;
	if (obj_mkdirs(dst)) /* (an object file in dst's path moves into its leaf; no lock held) */
		return AIS_ECONFLICT;
	lom_lock(src->digest);
	int rc = reloc_state(src, dst, &s, &dst_newer, &d, &have_d);
	if (rc == AIS_ENOTFOUND) {
		rc = OBJ_RELOC_GONE;
	} else if (!rc && dst_newer) {
		reloc_remove(src, &s);
		rc = OBJ_RELOC_DROPPED;
	} else if (!rc && !(s.flags & LOM_FL_CHUNKED)) {
		char sp[FQN_MAX];
		obj_fqn_now(src, sp, sizeof(sp));
		int e = obj_rename_to(dst, sp) ? errno : 0;
		if (!e) {
			if (have_d && (d.flags & LOM_FL_CHUNKED))
				chunk_drop(dst, &d); /* the older chunked version it replaced */
			obj_remove(src);     /* (the file is gone: only its empty parent dirs) */
			rc = OBJ_RELOC_MOVED;
		} else if (e != EXDEV) {
			rc = err_from_errno(e);
			log_warn("resilver: rename %s -> %s: %s", src->fqn, dst->fqn, strerror(e));
		}
	}
	lom_unlock(src->digest);
	lom_md_fini(&s);
	lom_md_fini(&d);
	return rc;
}

typedef struct reloc_ctx {
	const obj_t *src;
	const lom_md_t *s;   /* the version copied */
	int verdict;         /* why the commit was refused */
	int64_t atime;
} reloc_ctx_t;

/* commit condition (under the lock): src unchanged, dst holds nothing as new */
static int reloc_cond(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)o;
	(void)md;
	reloc_ctx_t *c = arg;
	if (prev && prev->mtime >= c->s->mtime) {
		c->verdict = OBJ_RELOC_DROPPED;
		return AIS_EEXIST;
	}
	lom_md_t cur;
	lom_md_init(&cur);
	int rc = obj_load(c->src, -1, &cur);
	if (rc || !obj_reloc_same(&cur, c->s)) {
		c->verdict = rc == AIS_ENOTFOUND ? OBJ_RELOC_GONE : OBJ_RELOC_CHANGED;
		rc = AIS_EEXIST;
	}
	lom_md_fini(&cur);
	return rc;
}

static int reloc_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	(void)res;
	reloc_ctx_t *c = arg;
	if (c->atime > 0)
		md->atime = c->atime;
	return 0;
}

static int reloc_sink(void *arg, const char *buf, size_t n) { return obj_put_write(arg, buf, n); }

/* through the reader into a work file on dst's mountpath, committed under reloc_cond */
static int reloc_copy(const obj_t *src, const obj_t *dst)
{
	obj_get_t g;
	obj_why_t why;
	obj_put_t *w = NULL;
	int rc = obj_get_open(&g, src, OBJ_GET_QUIET, &why);
	if (!rc && g.o != src) { /* found elsewhere: not the copy we were asked to move */
		obj_get_close(&g);
		return OBJ_RELOC_GONE;
	}
	if (rc == AIS_ENOTFOUND)
		return OBJ_RELOC_GONE;
	if (!rc)
		rc = obj_get_prepare(&g, &why);
	if (rc)
		goto out;
	reloc_ctx_t c = {.src = src, .s = &g.md, .atime = g.md.atime};
	obj_put_opts_t opt = {.size_hint = -1, .keep_version = true, .keep_mtime = true, .acct = OBJ_ACCT_NONE,
			      .tag = "res", .cond = reloc_cond, .cond_arg = &c, .md_cb = reloc_md_cb, .md_arg = &c};
	if ((rc = obj_put_begin(dst, &opt, &w, &why)))
		goto out;
	lom_md_t *md = obj_put_md(w);
	lom_md_fini(md);
	if ((rc = lom_md_copy(md, &g.md))) {
		lom_md_init(md);
		goto out;
	}
	md->flags &= ~(uint32_t)LOM_FL_CHUNKED;
	md->uid[0] = '\0';
	if ((rc = obj_get_read_all(&g, reloc_sink, w)))
		goto out;
	obj_put_t *ww = w;
	w = NULL;
	obj_put_res_t res;
	rc = obj_put_commit(ww, &res, &why);
	lom_md_fini(&res.md);
	if (rc == AIS_EEXIST && c.verdict) {
		rc = c.verdict;
		if (rc == OBJ_RELOC_DROPPED) {
			int r2 = obj_reloc_drop(src, &g.md);
			rc = r2 == 0 ? OBJ_RELOC_DROPPED : r2;
		}
		goto out;
	}
	if (!rc) {
		int r2 = obj_reloc_drop(src, &g.md);
		rc = r2 == 0 || r2 == OBJ_RELOC_GONE ? OBJ_RELOC_MOVED : r2;
	}
out:
	obj_put_abort(w, 0);
	obj_get_close(&g);
	return rc;
}

int obj_reloc_mpath(const obj_t *src, const obj_t *dst, int64_t *bytes)
{
	if (bytes) {
		lom_md_t s;
		lom_md_init(&s);
		*bytes = obj_load(src, -1, &s) == 0 ? s.size : 0;
		lom_md_fini(&s);
	}
	int rc = reloc_rename(src, dst);
	return rc ? rc : reloc_copy(src, dst);
}
