/* obj_ops: delete, copy, rename (see obj_ops.h). A local copy is the object reader feeding the
 * object writer (keep_version, the source's custom metadata); a move on the same mountpath is
 * one rename(2) under the destination's lock, the LOM travelling with the inode. */
#include "obj/obj_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "fs/fs.h"
#include "net/http.h" /* HTTP_M_POST: stats_notfound's method argument (a rename) */
#include "obj/chunk.h"
#include "obj/obj_put.h"
#include "stats/stats.h"

static void (*ops_delete_hook)(const obj_t *o); /* set once at start-up */

void obj_set_delete_hook(void (*fn)(const obj_t *o)) { ops_delete_hook = fn; }

/* under the object's lock: remove the copy at o's location; 0, AIS_ENOTFOUND, AIS_EIO; *idx set
 * when the removed copy had a shard index (to drop after the lock) */
static int ops_delete_at(const obj_t *o, bool *idx)
{
	int fd = obj_open_file(o, O_RDONLY, NULL);
	lom_md_t md;
	lom_md_init(&md);
	int rc = fd < 0 ? (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG ? AIS_ENOTFOUND : AIS_EIO)
			: obj_load(o, fd, &md);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && (md.flags & LOM_FL_CHUNKED))
		chunk_drop(o, &md);
	if (rc == 0 && (md.flags & LOM_FL_SHARDIDX))
		*idx = true;
	lom_md_fini(&md);
	bool bad_meta = rc == AIS_EINVAL || rc == AIS_ECKSUM;
	if (rc == 0 || bad_meta) /* corrupted metadata: delete anyway */
		obj_remove(o);
	return bad_meta ? 0 : rc;
}

int obj_delete(const obj_t *o, obj_why_t *why)
{
	*why = OBJ_WHY_NONE;
	if (ops_delete_hook)
		ops_delete_hook(o); /* before the lock: a later commit of an older copy sees it */
	bool idx = false;
	lom_lock(o->digest);
	int rc = ops_delete_at(o, &idx);
	/* copies left on other mountpaths (misplaced until a resilver moves them) go too: a
	 * resilver must never bring back what was deleted */
	for (int i = 0; fs_num_in_use() > 1 && (rc == 0 || rc == AIS_ENOTFOUND) && i < fs_count(); i++) {
		obj_t *alt;
		if (i == o->mpi || !fs_in_use(i) || !(alt = malloc(sizeof(*alt))))
			continue;
		if (!obj_place_on(alt, o, i)) {
			int r2 = ops_delete_at(alt, &idx);
			if (r2 == 0 || (r2 != AIS_ENOTFOUND && rc == AIS_ENOTFOUND))
				rc = r2;
		}
		free(alt);
	}
	lom_unlock(o->digest);
	if (idx)
		obj_idx_gone(o);
	if (rc == AIS_ENOTFOUND) {
		*why = OBJ_WHY_NOT_FOUND;
		stats_err(STATS_ERR_DEL, STATS_BCK(o->bck));
	} else if (rc) {
		*why = OBJ_WHY_IO;
		stats_err(rc == AIS_EIO ? STATS_ERR_IO_DEL : STATS_ERR_DEL, STATS_BCK(o->bck));
	} else {
		stats_op(STATS_DEL, STATS_BCK(o->bck), 0, -1);
	}
	return rc;
}

/* same mountpath, same bucket, short names, monolithic: one rename; 0 or AIS_E* */
static int ops_rename_fast(const obj_t *src, const obj_t *dst)
{
	char sp[FQN_MAX];
	int e = obj_mkdirs(dst) ? ENOTDIR : 0; /* (an object file in dst's path moves into its leaf) */
	lom_lock(dst->digest);
	obj_fqn_now(src, sp, sizeof(sp));
	if (!e)
		e = obj_rename_to(dst, sp) ? errno : 0;
	int rc = !e ? 0 : (e == ENOTDIR || e == EISDIR || e == ENOTEMPTY) ? AIS_ECONFLICT : err_from_errno(e);
	lom_unlock(dst->digest);
	if (!rc) {
		lom_lock(src->digest);
		char stop[FQN_MAX];
		const bck_t *b = src->bck;
		if (fqn_ct_dir(stop, sizeof(stop), fs_get(src->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0)
			fsops_rm_empty_parents(sp, stop);
		lom_unlock(src->digest);
	}
	return rc;
}

static int ops_write_sink(void *arg, const char *buf, size_t n)
{
	return obj_put_write(arg, buf, n);
}

/* src (opened, prepared) → dst on this target through the writer */
static int ops_copy_local(obj_get_t *src, const obj_t *dst, obj_why_t *why)
{
	obj_put_opts_t opt = {.size_hint = -1, .keep_version = true, .acct = OBJ_ACCT_NONE, .tag = "copy"};
	obj_put_t *w;
	int rc = obj_put_begin(dst, &opt, &w, why);
	if (rc)
		return rc;
	lom_md_t *md = obj_put_md(w);
	lom_md_fini(md);
	if ((rc = lom_md_copy(md, &src->md))) { /* version, custom metadata, name (set again at commit) */
		lom_md_init(md);
		obj_put_abort(w, 0);
		return rc;
	}
	md->flags &= ~(uint32_t)LOM_FL_CHUNKED; /* the copy is monolithic */
	md->uid[0] = '\0';
	if ((rc = obj_get_read_all(src, ops_write_sink, w))) {
		*why = OBJ_WHY_IO;
		obj_put_abort(w, 0);
		return rc;
	}
	obj_put_res_t res;
	rc = obj_put_commit(w, &res, why);
	lom_md_fini(&res.md);
	return rc;
}

int obj_copy(const obj_t *src, const bck_t *dbck, const char *dname, int flags, obj_send_fn send, void *send_arg,
	     char *err, size_t cap, obj_why_t *why)
{
	bool move = flags & OBJ_CP_MOVE;
	obj_get_t g;
	obj_t *dst = NULL;
	char cn[OBJ_UNAME_MAX];
	obj_cname(src->bck, src->oname, cn, sizeof(cn));
	if (cap)
		err[0] = '\0';
	*why = OBJ_WHY_NONE;
	int rc = obj_get_open(&g, src, OBJ_GET_QUIET, why);
	if (rc == AIS_ENOTFOUND) {
		if (move)
			stats_notfound(HTTP_M_POST, STATS_BCK(src->bck));
		goto out;
	}
	if (rc)
		goto fail;
	if (dbck == src->bck && !strcmp(dname, src->oname)) {
		*why = OBJ_WHY_SELF;
		rc = AIS_EINVAL;
		snprintf(err, cap, "cannot rename/move object %s onto itself", cn);
		goto out;
	}
	if (!(dst = calloc(1, sizeof(*dst)))) {
		rc = AIS_ENOMEM;
		goto fail;
	}
	if ((rc = obj_place(dst, dbck, dname))) {
		*why = rc == AIS_EINVAL ? OBJ_WHY_BAD_NAME : OBJ_WHY_NO_MOUNTPATH;
		goto out;
	}
	snode_t peer;
	bool local = !obj_remote_owner(dbck, dname, &peer);
	if (local && move && dst->mpi == src->mpi && dst->bck == src->bck && !src->fntl && !dst->fntl && !g.chunked &&
	    g.md.bid == src->bck->bid) {
		obj_get_close(&g); /* the inode moves */
		if ((rc = ops_rename_fast(src, dst))) {
			*why = rc == AIS_ECONFLICT ? OBJ_WHY_DIR_CONFLICT : OBJ_WHY_IO;
			goto fail;
		}
		stats_op(STATS_REN, STATS_BCK(src->bck), 0, -1);
		goto out;
	}
	if ((rc = obj_get_prepare(&g, why)))
		goto fail;
	if (local) {
		rc = ops_copy_local(&g, dst, why);
		if (rc == AIS_ECONFLICT)
			*why = OBJ_WHY_DIR_CONFLICT;
	} else if (!send) {
		rc = AIS_ENOTIMPL;
		snprintf(err, cap, "no mover to send %s to %s", cn, peer.id);
	} else if ((rc = send(send_arg, &g, &peer, dbck, dname, err, cap))) {
		*why = OBJ_WHY_REMOTE;
	}
	if (rc)
		goto fail;
	if (move) {
		stats_op(STATS_REN, STATS_BCK(src->bck), 0, -1);
		lom_lock(src->digest);
		if (g.chunked)
			chunk_drop(src, &g.md);
		obj_remove(src);
		lom_unlock(src->digest);
		if (g.md.flags & LOM_FL_SHARDIDX)
			obj_idx_gone(src);
	}
	goto out;
fail:
	if (move)
		stats_err(STATS_ERR_REN, STATS_BCK(src->bck));
	if (cap && !err[0])
		snprintf(err, cap, "%s", err_str(rc));
out:
	if (rc && cap && !err[0])
		snprintf(err, cap, "%s", err_str(rc));
	obj_get_close(&g);
	free(dst);
	return rc;
}

int obj_rename(const obj_t *o, const char *newname, obj_send_fn send, void *send_arg, char *err, size_t cap,
	       obj_why_t *why)
{
	return obj_copy(o, o->bck, newname, OBJ_CP_MOVE, send, send_arg, err, cap, why);
}
