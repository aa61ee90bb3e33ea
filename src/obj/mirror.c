/* mirror: copies of an object on this target's other mountpaths, and healing from them (see
 * mirror.h). Owns the %cp content directory. Must not: know about protocols or jobs (the
 * make-n-copies job and the GET heal are callers). Invariants in mirror.h. */
#include "obj/mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/hrw.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "obj/obj_reloc.h"
#include "stats/stats.h"

/* the copy on mountpath mpi of the object file fqn (on mountpath smpi) of bucket b: the same
 * name mapping as the main replica's (obj_ct_path): <%cp>/<name>, or its leaf <name>/%ob.leaf
 * when that path is a directory on mpi (longer names' copies under it); *rel (optional) = the
 * offset of the name in out */
static int mirror_path(const bck_t *b, int smpi, const char *fqn, int mpi, char *out, size_t cap, size_t *rel)
{
	char ob[FQN_MAX];
	const mpath_t *src = fs_get(smpi), *dst = fs_get(mpi);
	if (!src || !dst)
		return AIS_EINVAL;
	int n = fqn_ct_dir(ob, sizeof(ob), src->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
	if (n < 0 || strncmp(fqn, ob, (size_t)n) || fqn[n] != '/')
		return AIS_EINVAL;
	size_t rest = strlen(fqn + n);
	if (fqn_is_leaf(fqn, strlen(fqn)))
		rest -= strlen("/" FQN_LEAF);
	int m = fqn_ct_dir(out, cap, dst->path, b->provider, b->ns, b->name, MIRROR_CT);
	if (m < 0 || (size_t)m + rest + 1 > cap)
		return AIS_EINVAL;
	memcpy(out + m, fqn + n, rest);
	out[m + rest] = '\0';
	if (rel)
		*rel = (size_t)m + 1;
	struct stat st; /* (only a leafable name's path can be a directory: short names are flat files,
			 * "<dir>/" is always inside its directory) */
	if (!stat(out, &st) && S_ISDIR(st.st_mode) && fqn_leaf(out, cap, strlen(out)) < 0)
		return AIS_EINVAL;
	return 0;
}

int mirror_copy_path(const obj_t *o, int mpi, char *out, size_t cap)
{
	return mirror_path(o->bck, o->mpi, o->fqn, mpi, out, cap, NULL);
}

int mirror_targets(const obj_t *o, int copies, int mpis[MIRROR_MAX_COPIES])
{
	uint64_t score[MIRROR_MAX_COPIES];
	int n = 0, want = copies - 1;
	if (want > MIRROR_MAX_COPIES)
		want = MIRROR_MAX_COPIES;
	for (int i = 0; want > 0 && i < fs_count(); i++) {
		if (i == o->mpi || !fs_avail(i))
			continue;
		uint64_t h = hrw_mix(fs_get(i)->digest ^ o->digest);
		int at = n < want ? n : want; /* insertion into the top `want` by descending score */
		while (at > 0 && score[at - 1] < h)
			at--;
		if (at >= want)
			continue;
		int last = n < want ? n : want - 1;
		for (int j = last; j > at; j--) {
			score[j] = score[j - 1];
			mpis[j] = mpis[j - 1];
		}
		score[at] = h;
		mpis[at] = i;
		if (n < want)
			n++;
	}
	return n;
}

/* the LOM of the copy at path; 0 or AIS_E* (AIS_ENOTFOUND when missing or of a defunct bucket) */
static int mirror_load_b(const bck_t *b, const char *path, lom_md_t *md)
{
	int rc = lom_load(-1, path, md);
	if (!rc && md->bid && b->bid && md->bid != b->bid) {
		lom_md_fini(md);
		lom_md_init(md);
		rc = AIS_ENOTFOUND;
	}
	return rc;
}

static int mirror_load(const obj_t *o, const char *path, lom_md_t *md) { return mirror_load_b(o->bck, path, md); }

static bool mirror_exists(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* unlink a copy and its empty parent dirs up to %cp */
static bool mirror_unlink(const obj_t *o, int mpi, const char *path)
{
	if (unlink(path))
		return false;
	char stop[FQN_MAX];
	const bck_t *b = o->bck;
	if (fqn_ct_dir(stop, sizeof(stop), fs_get(mpi)->path, b->provider, b->ns, b->name, MIRROR_CT) > 0)
		fsops_rm_empty_parents(path, stop);
	return true;
}

int mirror_open_read(const obj_t *o, const lom_md_t *md, int *mpi)
{
	int mpis[MIRROR_MAX_COPIES], copies = o->bck->mirror_copies;
	if (copies <= 1 || !(md->flags & LOM_FL_COPIES) || (md->flags & LOM_FL_CHUNKED))
		return -1;
	int n = mirror_targets(o, copies, mpis), best = -1;
	int64_t least = fs_io_load(o->mpi);
	for (int i = 0; i < n && least > 0; i++) {
		int64_t l = fs_io_load(mpis[i]);
		if (l < least) {
			least = l;
			best = mpis[i];
		}
	}
	char path[FQN_MAX];
	if (best < 0 || mirror_copy_path(o, best, path, sizeof(path)))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	lom_md_t cmd;
	lom_md_init(&cmd);
	bool same = !fstat(fd, &st) && S_ISREG(st.st_mode) && !lom_load(fd, NULL, &cmd) &&
		    (!cmd.bid || !o->bck->bid || cmd.bid == o->bck->bid) && obj_reloc_same(&cmd, md) &&
		    st.st_size == md->size;
	lom_md_fini(&cmd);
	if (!same) {
		close(fd);
		return -1;
	}
	*mpi = best;
	return fd;
}

int mirror_drop(const obj_t *o, bool locked)
{
	int n = 0;
	char p[FQN_MAX];
	if (!locked)
		lom_lock(o->digest);
	for (int i = 0; i < fs_count(); i++) /* disabled ones too: a re-enable must not bring it back */
		if (fs_state(i) != FS_DETACHED && !mirror_copy_path(o, i, p, sizeof(p)) && mirror_unlink(o, i, p))
			n++;
	if (!locked)
		lom_unlock(o->digest);
	return n;
}

bool mirror_count_any(const obj_t *o)
{
	char p[FQN_MAX];
	for (int i = 0; i < fs_count(); i++)
		if (fs_in_use(i) && !mirror_copy_path(o, i, p, sizeof(p)) && mirror_exists(p))
			return true;
	return false;
}

int mirror_count(const bck_t *b, int mpi, const char *fqn, const lom_md_t *md)
{
	int n = 1;
	char p[FQN_MAX];
	if (!(md->flags & LOM_FL_COPIES))
		return 1;
	for (int i = 0; i < fs_count(); i++) {
		lom_md_t c;
		lom_md_init(&c);
		if (i != mpi && fs_in_use(i) && !mirror_path(b, mpi, fqn, i, p, sizeof(p), NULL) && !mirror_load_b(b, p, &c) &&
		    obj_reloc_same(&c, md))
			n++;
		lom_md_fini(&c);
	}
	return n;
}

typedef struct mw {
	int fd;
	int64_t n;
	cksum_t ck;
	bool verify;
} mw_t;

static int mirror_sink(void *arg, const char *buf, size_t n)
{
	mw_t *w = arg;
	if (w->verify)
		cksum_update(&w->ck, buf, n);
	if (w->fd < 0)
		return 0;
	size_t off = 0;
	while (off < n) {
		ssize_t k = write(w->fd, buf + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_from_errno(errno);
		off += (size_t)k;
	}
	w->n += (int64_t)n;
	return 0;
}

/* under the lock: is the main replica still `md`'s version? */
static bool mirror_main_is(const obj_t *o, const lom_md_t *md)
{
	lom_md_t cur;
	lom_md_init(&cur);
	bool same = obj_load(o, -1, &cur) == 0 && obj_reloc_same(&cur, md);
	lom_md_fini(&cur);
	return same;
}

/* write a copy of the main replica (opened in g, version g->md) onto mountpath mpi */
static int mirror_write(const obj_t *o, obj_get_t *g, int mpi, const char *cpath)
{
	obj_t dst;
	char work[FQN_MAX], path[FQN_MAX + 16];
	size_t rel;
	(void)cpath; /* (resolved again below: a longer name may have made it a directory since) */
	mw_t w = {.fd = -1};
	lom_md_t md;
	lom_md_init(&md);
	int rc = obj_place_on(&dst, o, mpi);
	if (!rc)
		rc = obj_open_work(&dst, "mir", O_WRONLY, work, sizeof(work), &w.fd);
	if (rc)
		return rc;
	if ((rc = obj_get_read_all(g, mirror_sink, &w)))
		goto fail;
	if (w.n != g->size) {
		rc = AIS_EIO;
		goto fail;
	}
	if ((rc = lom_md_copy(&md, &g->md)))
		goto fail;
	md.flags &= ~(uint32_t)(LOM_FL_CHUNKED | LOM_FL_SHARDIDX);
	md.flags |= LOM_FL_COPIES;
	md.uid[0] = '\0';
	if ((rc = lom_store(w.fd, NULL, &md)))
		goto fail;
	if (close(w.fd)) {
		w.fd = -1;
		rc = err_from_errno(errno);
		goto fail;
	}
	w.fd = -1;
	/* the directories first, holding no lock (a shorter name's copy in the way goes into its leaf) */
	if ((rc = mirror_path(o->bck, o->mpi, o->fqn, mpi, path, sizeof(path), &rel)) ||
	    (rc = obj_ct_mkdirs(o, mpi, path, rel)))
		goto fail;
	lom_lock(o->digest);
	if (!mirror_main_is(o, &g->md)) {
		rc = AIS_EEXIST; /* replaced or removed meanwhile: its own commit makes its copies */
	} else {
		int e = obj_ct_rename(o, work, path, sizeof(path)) ? errno : 0;
		if (e == ENOENT) {
			fsops_mkdir_parent(path);
			e = obj_ct_rename(o, work, path, sizeof(path)) ? errno : 0;
		}
		rc = e ? err_from_errno(e) : 0;
	}
	lom_unlock(o->digest);
	if (rc)
		goto fail;
	lom_md_fini(&md);
	stats_mirror(STATS_MIRROR_COPY, g->size);
	return 0;
fail:
	if (w.fd >= 0)
		close(w.fd);
	unlink(work);
	lom_md_fini(&md);
	return rc;
}

/* set or clear LOM_FL_COPIES on the main replica if it still is version md */
static void mirror_flag(const obj_t *o, const lom_md_t *md, bool on)
{
	if (!!(md->flags & LOM_FL_COPIES) == on)
		return;
	lom_lock(o->digest);
	lom_md_t cur;
	lom_md_init(&cur);
	if (obj_load(o, -1, &cur) == 0 && obj_reloc_same(&cur, md)) {
		if (on)
			cur.flags |= LOM_FL_COPIES;
		else
			cur.flags &= ~(uint32_t)LOM_FL_COPIES;
		if (lom_store(-1, o->fqn, &cur))
			log_warn("%s: failed to update its metadata (copies)", o->fqn);
	}
	lom_md_fini(&cur);
	lom_unlock(o->digest);
}

int mirror_sync(const obj_t *o, int copies, mirror_res_t *res)
{
	mirror_res_t dummy;
	int tg[MIRROR_MAX_COPIES], ntg, rc = 0;
	obj_get_t g;
	obj_why_t why;
	char p[FQN_MAX];
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_NOHEAL, &why);
	if (!rc && g.o != o) { /* misplaced main: the resilver moves it first */
		obj_get_close(&g);
		return 0;
	}
	if (rc == AIS_ENOTFOUND || why == OBJ_WHY_SIZE || why == OBJ_WHY_BAD_META) {
		int r2 = mirror_restore(o, NULL);
		if (r2 && r2 != AIS_EEXIST)
			return r2 == AIS_ENOTFOUND ? AIS_ENOTFOUND : r2;
		res->restored = r2 == 0;
		rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_NOHEAL, &why);
		if (!rc && g.o != o) {
			obj_get_close(&g);
			return 0;
		}
	}
	if (rc)
		return rc;
	if ((rc = obj_get_prepare(&g, &why))) {
		obj_get_close(&g);
		return rc;
	}
	ntg = mirror_targets(o, copies, tg);
	int have_copies = 0, first_err = 0;
	for (int i = 0; i < fs_count(); i++) {
		if (!fs_in_use(i) || mirror_copy_path(o, i, p, sizeof(p)))
			continue;
		bool want = false;
		for (int j = 0; j < ntg; j++)
			want = want || tg[j] == i;
		if (!want) {
			if (mirror_exists(p) && mirror_unlink(o, i, p))
				res->removed++;
			continue;
		}
		lom_md_t c;
		lom_md_init(&c);
		bool ok = mirror_load(o, p, &c) == 0 && obj_reloc_same(&c, &g.md);
		lom_md_fini(&c);
		if (ok) {
			have_copies++;
			continue;
		}
		int r = mirror_write(o, &g, i, p);
		if (!r) {
			have_copies++;
			res->made++;
			res->bytes += g.size;
		} else if (r == AIS_EEXIST) {
			break; /* a newer version: its commit syncs its copies */
		} else {
			log_warn("%s: failed to write its copy on %s: %s", o->fqn, fs_get(i)->path, err_str(r));
			if (!first_err)
				first_err = r;
		}
	}
	mirror_flag(o, &g.md, have_copies > 0);
	obj_get_close(&g);
	return first_err;
}

void mirror_after_commit(const obj_t *o, bool had_copies)
{
	int n = o->bck->mirror_copies;
	if (n <= 1 && !had_copies)
		return;
	if (n <= 1) {
		mirror_drop(o, false);
		return;
	}
	if (o->bck->mirror_burst > 0 && mirror_q_post(o, o->bck->mirror_burst) == 0)
		return; /* the put-copies thread makes them */
	int rc = mirror_sync(o, n, NULL);
	if (rc)
		log_warn("%s: %d-way mirror: %s", o->fqn, n, err_str(rc));
}

typedef struct rs_ctx {
	const lom_md_t *want; /* NULL: any */
} rs_ctx_t;

/* restore's commit condition: only where there is no main replica, or the corrupted one it heals */
static int mirror_rs_cond(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)o;
	(void)md;
	rs_ctx_t *c = arg;
	if (!prev)
		return 0;
	return c->want && obj_reloc_same(prev, c->want) ? 0 : AIS_EEXIST;
}

static int mirror_put_sink(void *arg, const char *buf, size_t n) { return obj_put_write(arg, buf, n); }

typedef struct rs_sink {
	obj_put_t *w;
	mw_t v;
} rs_sink_t;

static int mirror_rs_sink(void *arg, const char *buf, size_t n)
{
	rs_sink_t *s = arg;
	mirror_sink(&s->v, buf, n);
	return mirror_put_sink(s->w, buf, n);
}

/* restore o from the copy on mountpath mpi (LOM cmd) */
static int mirror_restore_from(const obj_t *o, int mpi, const char *path, const lom_md_t *cmd, const lom_md_t *want)
{
	obj_t src;
	obj_put_t *w = NULL;
	obj_why_t why;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return AIS_ENOTFOUND;
	struct stat st;
	int rc = obj_place_on(&src, o, mpi);
	if (!rc && (fstat(fd, &st) || st.st_size != cmd->size)) {
		log_err("copy %s: size on disk differs from its metadata: removing it", path);
		lom_lock(o->digest);
		mirror_unlink(o, mpi, path);
		lom_unlock(o->digest);
		rc = AIS_ECKSUM;
	}
	rs_sink_t s = {.v = {.fd = -1}};
	s.v.verify = cmd->cktype != CKSUM_NONE && cmd->ckval[0];
	if (!rc && s.v.verify && cksum_init(&s.v.ck, cmd->cktype))
		rc = AIS_EINTERNAL;
	if (rc) {
		close(fd);
		return rc;
	}
	rs_ctx_t c = {.want = want};
	obj_put_opts_t opt = {.size_hint = -1, .keep_version = true, .keep_mtime = true, .acct = OBJ_ACCT_NONE,
			      .tag = "heal", .cond = mirror_rs_cond, .cond_arg = &c};
	if ((rc = obj_put_begin(o, &opt, &w, &why)))
		goto out;
	lom_md_t *md = obj_put_md(w);
	lom_md_fini(md);
	if ((rc = lom_md_copy(md, cmd))) {
		lom_md_init(md);
		goto out;
	}
	md->flags &= ~(uint32_t)LOM_FL_COPIES;
	s.w = w;
	if ((rc = obj_read_all(fd, NULL, mirror_rs_sink, &s, NULL)))
		goto out;
	if (s.v.verify) {
		char got[CKSUM_MAX_HEX];
		cksum_final(&s.v.ck, got);
		s.v.verify = false;
		if (strcmp(got, cmd->ckval)) {
			log_err("copy %s is corrupted too (stored %s, computed %s): removing it", path, cmd->ckval, got);
			lom_lock(o->digest);
			mirror_unlink(o, mpi, path);
			lom_unlock(o->digest);
			rc = AIS_ECKSUM;
			goto out;
		}
	}
	obj_put_t *ww = w;
	w = NULL;
	obj_put_res_t res;
	rc = obj_put_commit(ww, &res, &why);
	lom_md_fini(&res.md);
out:
	if (s.v.verify)
		cksum_abort(&s.v.ck);
	obj_put_abort(w, 0);
	close(fd);
	return rc;
}

int mirror_restore(const obj_t *o, const lom_md_t *want)
{
	char p[FQN_MAX];
	for (int tries = 0; tries < MIRROR_MAX_COPIES; tries++) {
		int best = -1;
		lom_md_t bmd;
		lom_md_init(&bmd);
		for (int i = 0; i < fs_count(); i++) {
			lom_md_t c;
			lom_md_init(&c);
			if (!fs_in_use(i) || mirror_copy_path(o, i, p, sizeof(p)) || mirror_load(o, p, &c) ||
			    (want && !obj_reloc_same(&c, want)) || (best >= 0 && c.mtime <= bmd.mtime)) {
				lom_md_fini(&c);
				continue;
			}
			lom_md_fini(&bmd);
			bmd = c;
			best = i;
		}
		if (best < 0) {
			lom_md_fini(&bmd);
			return AIS_ENOTFOUND;
		}
		mirror_copy_path(o, best, p, sizeof(p));
		int rc = mirror_restore_from(o, best, p, &bmd, want);
		lom_md_fini(&bmd);
		if (rc == AIS_ECKSUM)
			continue; /* that copy is bad (and removed, if corrupted): try the next */
		if (!rc) {
			stats_mirror(STATS_MIRROR_RESTORE, 0);
			log_info("%s: main replica restored from the copy on %s", o->fqn, fs_get(best)->path);
		}
		return rc;
	}
	return AIS_ENOTFOUND;
}
