/* obj: the object core's placement context and the steps every writer and reader shares
 * (see obj.h): placement, work files, LOM load with the defunct check, commit; and the one place
 * that decides on disk whether a name lives at its path or as that directory's leaf (fqn.h:
 * resolution where the disk is touched, the atomic move of a file in the way into its leaf). */
#include "obj/obj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/chunk.h"
#include "obj/mirror.h"

void obj_cname(const bck_t *b, const char *oname, char *out, size_t cap)
{
	const char *sch = strcmp(b->provider, "aws") ? b->provider : "s3"; /* apc.ToScheme */
	if (b->ns[0])
		snprintf(out, cap, "%s://%s/%s%s%s", sch, b->ns, b->name, oname ? "/" : "", oname ? oname : "");
	else
		snprintf(out, cap, "%s://%s%s%s", sch, b->name, oname ? "/" : "", oname ? oname : "");
}

const char *obj_why_str(obj_why_t why)
{
	static const char *const names[] = {
		[OBJ_WHY_NONE] = "none",
		[OBJ_WHY_NOT_FOUND] = "not found",
		[OBJ_WHY_NO_BUCKET] = "bucket does not exist",
		[OBJ_WHY_BAD_NAME] = "invalid object name",
		[OBJ_WHY_NO_MOUNTPATH] = "no mountpaths available",
		[OBJ_WHY_BAD_META] = "corrupted metadata",
		[OBJ_WHY_SIZE] = "size mismatch",
		[OBJ_WHY_CORRUPT] = "corrupted content",
		[OBJ_WHY_MANIFEST] = "chunk manifest",
		[OBJ_WHY_IO] = "I/O error",
		[OBJ_WHY_BAD_CKSUM] = "bad checksum",
		[OBJ_WHY_BAD_MD5] = "bad Content-MD5",
		[OBJ_WHY_BAD_XCK] = "bad checksum",
		[OBJ_WHY_DIR_CONFLICT] = "virtual directory conflict",
		[OBJ_WHY_SELF] = "onto itself",
		[OBJ_WHY_REMOTE] = "peer failed",
		[OBJ_WHY_COND] = "commit condition",
	};
	return (unsigned)why < sizeof(names) / sizeof(names[0]) && names[why] ? names[why] : "error";
}

int obj_init(obj_t *o, const char *provider, const char *ns, const char *bucket, const char *name,
	     obj_why_t *why)
{
	obj_why_t w = OBJ_WHY_NONE;
	int rc = 0;
	memset(o, 0, sizeof(*o));
	o->mpi = -1;
	size_t n = name ? strlen(name) : 0;
	if (!n || n >= sizeof(o->ibuf)) {
		w = OBJ_WHY_BAD_NAME;
		rc = AIS_EINVAL;
		goto out;
	}
	o->bmd = bmd_get();
	const bck_t *b = o->bmd ? bmd_find(o->bmd, provider && *provider ? provider : "ais", ns ? ns : "", bucket)
				: NULL;
	if (!b) {
		w = OBJ_WHY_NO_BUCKET;
		rc = AIS_ENOBUCKET;
		goto out;
	}
	memcpy(o->ibuf, name, n + 1);
	rc = obj_place(o, b, o->ibuf);
	if (rc)
		w = rc == AIS_EUNAVAIL ? OBJ_WHY_NO_MOUNTPATH : OBJ_WHY_BAD_NAME;
out:
	if (rc)
		obj_fini(o);
	if (why)
		*why = w;
	return rc;
}

void obj_move(obj_t *dst, obj_t *src)
{
	if (dst == src)
		return;
	memcpy(dst, src, sizeof(*dst));
	if (src->oname >= src->ibuf && src->oname < src->ibuf + sizeof(src->ibuf))
		dst->oname = dst->ibuf + (src->oname - src->ibuf);
	src->bmd = NULL;
	src->bck = NULL;
}

/* a name that can be a directory's leaf: not stored under its short name, not "<dir>/" */
static bool obj_leafable(const obj_t *o)
{
	return !o->fntl && o->olen && o->oname[o->olen - 1] != '/';
}

void obj_fqn_now(const obj_t *o, char *out, size_t cap)
{
	struct stat st;
	size_t n = strlen(o->fqn);
	snprintf(out, cap, "%s", o->fqn);
	if (obj_leafable(o) && !fqn_is_leaf(out, n) && !stat(out, &st) && S_ISDIR(st.st_mode))
		fqn_leaf(out, cap, n);
}

int obj_open_file(const obj_t *o, int flags, struct stat *st)
{
	struct stat sb;
	if (!st)
		st = &sb;
	int fd = open(o->fqn, flags | O_CLOEXEC);
	if (fd < 0 && errno == EISDIR && obj_leafable(o)) { /* (O_RDWR on a directory) */
		char p[FQN_MAX];
		obj_fqn_now(o, p, sizeof(p));
		fd = open(p, flags | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, st))
		goto fail;
	if (S_ISDIR(st->st_mode) && obj_leafable(o)) { /* its path is a directory: the leaf */
		int lfd = openat(fd, FQN_LEAF, flags | O_CLOEXEC);
		int e = errno;
		close(fd);
		errno = e;
		if ((fd = lfd) < 0)
			return -1;
		if (fstat(fd, st))
			goto fail;
	}
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* under no object lock: the object file at p (name rel, of o's bucket and mountpath) into its
 * leaf p/FQN_LEAF. A work directory gets a hard link to the file as its leaf and is swapped with
 * the file atomically (RENAME_EXCHANGE); without that (EINVAL: the filesystem cannot) the file
 * is moved out and back as the leaf, with a moment when neither is there. 0 or AIS_E* */
static int obj_to_leaf(const obj_t *o, const char *p, const char *rel)
{
	const bck_t *b = o->bck;
	uint64_t d;
	char tmp[FQN_MAX], lp[FQN_MAX + 16];
	struct stat st;
	int rc = hrw_obj_digest(b->provider, b->ns, b->name, rel, &d);
	if (rc)
		return rc;
	if ((rc = obj_workfile(o, "leaf", tmp, sizeof(tmp))))
		return rc;
	if (mkdir(tmp, 0755) && (errno != ENOENT || fsops_mkdir_parent(tmp) || mkdir(tmp, 0755)))
		return err_from_errno(errno);
	snprintf(lp, sizeof(lp), "%s/%s", tmp, FQN_LEAF);
	lom_lock(d);
	if (lstat(p, &st) || !S_ISREG(st.st_mode)) { /* moved or removed meanwhile */
		rmdir(tmp);
		goto unlock;
	}
	if (link(p, lp)) {
		rc = err_from_errno(errno);
		rmdir(tmp);
		goto unlock;
	}
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, p, RENAME_EXCHANGE)) {
		unlink(tmp); /* the file's old name (the leaf is its other link) */
		goto unlock;
	}
	if (errno != EINVAL || unlink(p) || rename(tmp, p)) {
		rc = err_from_errno(errno);
		log_err("%s: move into %s/%s: %s", p, p, FQN_LEAF, strerror(errno));
		unlink(lp);
		rmdir(tmp);
	}
unlock:
	lom_unlock(d);
	if (!rc)
		log_info("%s: moved into %s/%s (a longer name needs its path)", rel, p, FQN_LEAF);
	return rc;
}

int obj_mkdirs(const obj_t *o)
{
	const bck_t *b = o->bck;
	char p[FQN_MAX];
	int n = fqn_ct_dir(p, sizeof(p), fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
	if (n < 0)
		return AIS_EINVAL;
	return obj_mkdirs_at(o, o->fqn, (size_t)n + 1);
}

int obj_mkdirs_at(const obj_t *o, const char *path, size_t rel)
{
	char p[FQN_MAX];
	size_t flen = strlen(path);
	if (flen <= rel || flen >= sizeof(p))
		return AIS_EINVAL;
	memcpy(p, path, flen + 1);
	/* each ancestor of the object's path below %ob: a directory, missing, or a file to move */
	for (size_t i = rel; i < flen; i++) {
		if (p[i] != '/')
			continue;
		struct stat st;
		p[i] = '\0';
		int rc = 0;
		bool gone = lstat(p, &st) != 0;
		if (!gone && S_ISREG(st.st_mode))
			rc = obj_to_leaf(o, p, p + rel);
		p[i] = '/';
		if (rc)
			return rc;
		if (gone)
			break;
	}
	return fsops_mkdir_parent(path);
}

int obj_ct_path(const obj_t *o, int mpi, const char *ct, char *out, size_t cap, size_t *rel)
{
	const bck_t *b = o->bck;
	const mpath_t *src = fs_get(o->mpi), *dst = fs_get(mpi);
	char ob[FQN_MAX];
	if (!src || !dst)
		return AIS_EINVAL;
	int n = fqn_ct_dir(ob, sizeof(ob), src->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
	if (n < 0 || strncmp(o->fqn, ob, (size_t)n) || o->fqn[n] != '/')
		return AIS_EINVAL;
	size_t rest = strlen(o->fqn + n);
	if (fqn_is_leaf(o->fqn, strlen(o->fqn))) /* (a leaf's path names its directory's object) */
		rest -= strlen("/" FQN_LEAF);
	int m = fqn_ct_dir(out, cap, dst->path, b->provider, b->ns, b->name, ct);
	if (m < 0 || (size_t)m + rest + 1 > cap)
		return AIS_EINVAL;
	memcpy(out + m, o->fqn + n, rest);
	out[m + rest] = '\0';
	if (rel)
		*rel = (size_t)m + 1;
	struct stat st;
	if (obj_leafable(o) && !stat(out, &st) && S_ISDIR(st.st_mode) && fqn_leaf(out, cap, strlen(out)) < 0)
		return AIS_EINVAL;
	return 0;
}

int obj_ct_mkdirs(const obj_t *o, int mpi, const char *path, size_t rel)
{
	obj_t on;
	int rc = obj_place_on(&on, o, mpi); /* (a leaf's work directory on that mountpath) */
	return rc ? rc : obj_mkdirs_at(&on, path, rel);
}

int obj_ct_rename(const obj_t *o, const char *src, char *path, size_t cap)
{
	if (!rename(src, path))
		return 0;
	if (errno != EISDIR || !obj_leafable(o) || fqn_is_leaf(path, strlen(path)) ||
	    fqn_leaf(path, cap, strlen(path)) < 0)
		return -1;
	return rename(src, path); /* a longer name made it a directory meanwhile: its leaf */
}

int obj_rename_to(const obj_t *o, const char *src)
{
	char dst[FQN_MAX];
	obj_fqn_now(o, dst, sizeof(dst));
	for (int attempt = 0;; attempt++) {
		if (!rename(src, dst))
			return 0;
		if (errno == EISDIR && obj_leafable(o) && !fqn_is_leaf(dst, strlen(dst)))
			fqn_leaf(dst, sizeof(dst), strlen(dst)); /* became a directory meanwhile */
		else if (errno != ENOENT || attempt)
			return -1;
		else
			fsops_mkdir_parent(dst);
		if (attempt > 1)
			return -1;
	}
}

int obj_place(obj_t *o, const bck_t *bck, const char *name)
{
	o->bck = bck;
	o->oname = name;
	o->olen = strlen(name);
	if (fqn_validate(name, o->olen))
		return AIS_EINVAL;
	int rc = hrw_obj_digest(bck->provider, bck->ns, bck->name, name, &o->digest);
	if (rc)
		return rc;
	o->mpi = fs_hrw(o->digest);
	if (o->mpi < 0)
		return AIS_EUNAVAIL;
	if (fqn_obj(o->fqn, sizeof(o->fqn), fs_get(o->mpi)->path, bck->provider, bck->ns, bck->name, name,
		    &o->fntl) < 0)
		return AIS_EINVAL;
	return 0;
}

int obj_place_on(obj_t *dst, const obj_t *o, int mpi)
{
	if (dst != o)
		memcpy(dst, o, sizeof(*dst));
	dst->bmd = NULL; /* borrowed */
	if (o->oname >= o->ibuf && o->oname < o->ibuf + sizeof(o->ibuf))
		dst->oname = dst->ibuf + (o->oname - o->ibuf);
	const mpath_t *mp = fs_get(mpi);
	if (!mp)
		return AIS_EINVAL;
	dst->mpi = mpi;
	const bck_t *b = o->bck;
	if (fqn_obj(dst->fqn, sizeof(dst->fqn), mp->path, b->provider, b->ns, b->name, dst->oname, &dst->fntl) < 0)
		return AIS_EINVAL;
	return 0;
}

int obj_locate(const obj_t *o, obj_t **alt)
{
	*alt = NULL;
	for (int i = 0; i < fs_count(); i++) {
		if (i == o->mpi || !fs_in_use(i))
			continue;
		char p[FQN_MAX];
		bool fntl;
		const bck_t *b = o->bck;
		struct stat st;
		if (fqn_obj(p, sizeof(p), fs_get(i)->path, b->provider, b->ns, b->name, o->oname, &fntl) < 0 ||
		    stat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode) && !fntl && o->oname[o->olen - 1] != '/' && fqn_leaf(p, sizeof(p), strlen(p)) > 0 &&
		    stat(p, &st))
			continue; /* (its leaf) */
		if (!S_ISREG(st.st_mode))
			continue;
		obj_t *a = malloc(sizeof(*a));
		if (!a)
			return AIS_ENOMEM;
		if (obj_place_on(a, o, i)) {
			free(a);
			continue;
		}
		*alt = a;
		return 0;
	}
	return AIS_ENOTFOUND;
}

void obj_fini(obj_t *o)
{
	if (o->bmd)
		bmd_put(o->bmd);
	o->bmd = NULL;
	o->bck = NULL;
}


int obj_workfile(const obj_t *o, const char *tag, char *out, size_t cap)
{
	const bck_t *b = o->bck;
	int n = fqn_ct_dir(out, cap, fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_WORK);
	if (n < 0 || (size_t)n + 40 > cap)
		return AIS_EINVAL;
	char rnd[17];
	rand_alnum(rnd, 16);
	snprintf(out + n, cap - (size_t)n, "/%s.%s", tag, rnd);
	return 0;
}

int obj_open_work(const obj_t *o, const char *tag, int accmode, char *work, size_t cap, int *fd)
{
	*fd = -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (obj_workfile(o, tag, work, cap)) {
			work[0] = '\0';
			return AIS_EINVAL;
		}
		*fd = open(work, O_CREAT | O_EXCL | accmode | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		if (errno != ENOENT)
			break;
		fsops_mkdir_parent(work);
	}
	int rc = err_from_errno(errno);
	work[0] = '\0';
	return rc;
}

int obj_read_all(int fd, struct chunk_rd *crd, obj_sink_fn sink, void *arg, int64_t *nread)
{
	enum { BLK = 256 * 1024 };
	char *buf = malloc(BLK);
	off_t pos = 0;
	int rc = buf ? 0 : AIS_ENOMEM;
	while (!rc) {
		ssize_t n = crd ? chunk_rd_pread(crd, buf, BLK, pos) : pread(fd, buf, BLK, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = AIS_EIO;
			break;
		}
		if (n == 0)
			break;
		rc = sink(arg, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	if (nread)
		*nread = pos;
	return rc;
}

bool obj_remote_owner(const bck_t *b, const char *name, snode_t *peer)
{
	smap_t *sm = smap_get();
	const snode_t *owner = smap_owner_of(sm, b->provider, b->ns, b->name, name);
	if (owner)
		*peer = *owner;
	smap_put(sm);
	return owner && strcmp(peer->id, node_id());
}

/* the LOM of o through fd, or by path (fd < 0: o->fqn), with the defunct and short-name checks */
static int obj_load_md(const obj_t *o, int fd, lom_md_t *md)
{
	char p[FQN_MAX];
	if (fd < 0)
		obj_fqn_now(o, p, sizeof(p));
	int rc = lom_load(fd, fd < 0 ? p : NULL, md);
	if (rc)
		return rc;
	if (md->bid && o->bck->bid && md->bid != o->bck->bid)
		rc = AIS_ENOTFOUND; /* defunct: the bucket was re-created */
	else if (o->fntl && (!md->name || strcmp(md->name, o->oname)))
		rc = AIS_ENOTFOUND;
	if (rc)
		lom_md_fini(md);
	return rc;
}

int obj_load(const obj_t *o, int fd, lom_md_t *md)
{
	return obj_load_md(o, fd, md);
}

void obj_remove(const obj_t *o)
{
	char p[FQN_MAX];
	snprintf(p, sizeof(p), "%s", o->fqn);
	if (unlink(p) && errno == EISDIR && obj_leafable(o) && fqn_leaf(p, sizeof(p), strlen(p)) > 0)
		unlink(p); /* (its path is a directory: the leaf) */
	char stop[FQN_MAX];
	const bck_t *b = o->bck;
	/* (a directory that still holds a leaf or a longer name is not empty: it stays) */
	if (fqn_ct_dir(stop, sizeof(stop), fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0)
		fsops_rm_empty_parents(p, stop);
}

/* rename work into o->fqn; noreplace: fail with EEXIST (errno) rather than replace. A missing
 * parent directory is created and the rename retried once. 0 or -1 with errno set. */
static int obj_rename(const char *work, const char *fqn, bool noreplace)
{
	for (int attempt = 0;; attempt++) {
		int rc = noreplace ? renameat2(AT_FDCWD, work, AT_FDCWD, fqn, RENAME_NOREPLACE) : rename(work, fqn);
		if (!rc || errno != ENOENT || attempt)
			return rc;
		fsops_mkdir_parent(fqn);
	}
}

static _Atomic(obj_idx_gone_fn) obj_idx_gone_cb;

void obj_set_idx_gone(obj_idx_gone_fn fn) { atomic_store(&obj_idx_gone_cb, fn); }

void obj_idx_gone(const obj_t *o)
{
	obj_idx_gone_fn fn = atomic_load(&obj_idx_gone_cb);
	if (fn)
		fn(o);
}

static _Atomic(obj_ec_fn) obj_ec_cb;

void obj_set_ec_hook(obj_ec_fn fn) { atomic_store(&obj_ec_cb, fn); }

void obj_ec_event(const obj_t *o, bool deleted)
{
	obj_ec_fn fn = atomic_load(&obj_ec_cb);
	if (fn && o->bck->ec_enabled)
		fn(o, deleted);
}

static _Atomic(obj_ec_sync_fn) obj_ec_sync_cb;

void obj_set_ec_sync(obj_ec_sync_fn fn) { atomic_store(&obj_ec_sync_cb, fn); }

int obj_ec_encode_sync(const obj_t *o)
{
	obj_ec_sync_fn fn = atomic_load(&obj_ec_sync_cb);
	return fn ? fn(o) : AIS_ENOTIMPL;
}

int obj_commit(const obj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version)
{
	return obj_commit_cond(o, fd, work, md, keep_version, NULL, NULL);
}

/* under the object's lock: the commit condition against the current version (if any) */
static int obj_check_cond(const obj_t *o, const lom_md_t *md, obj_commit_cond_fn cond, void *arg)
{
	lom_md_t cur;
	lom_md_init(&cur);
	bool have = obj_load_md(o, -1, &cur) == 0;
	int rc = cond(arg, o, have ? &cur : NULL, md);
	lom_md_fini(&cur);
	return rc;
}

/* the LOM onto the work file (fsync if configured), which is closed: 0 or AIS_E* (fd closed) */
static int commit_store(int fd, const char *work, lom_md_t *md)
{
	int rc = lom_store(fd, NULL, md);
	if (!rc && (config_features() & FEAT_FSYNC_PUT) && fsync(fd)) { /* feature Fsync-PUT: before close+rename */
		rc = err_from_errno(errno);
		log_err("fsync %s: %s", work, strerror(errno));
	}
	if (close(fd) && !rc)
		rc = err_from_errno(errno);
	return rc;
}

/* under o's lock: work into o's path. New objects (the common case) take the fast path: a
 * rename that refuses to replace; only when something is there already is the previous version
 * loaded (its version number; its chunks once replaced: kept in *prev when chunked). Returns
 * the rename's errno (0: done); *rc for a failed LOM update. */
static int commit_rename(const obj_t *o, const char *work, lom_md_t *md, bool vnext, lom_md_t *prev,
			 bool *idx_gone, bool *had_copies, int *rc)
{
	char dst[FQN_MAX];
	snprintf(dst, sizeof(dst), "%s", o->fqn);
	int e = obj_rename(work, dst, true) ? errno : 0;
	if (e != EEXIST && e != EINVAL) /* EEXIST: there is one (EINVAL: no RENAME_NOREPLACE here) */
		return e;
	struct stat st;
	if (obj_leafable(o) && !stat(dst, &st) && S_ISDIR(st.st_mode)) {
		/* the path is a directory (longer names): this object is (or goes in as) its leaf */
		fqn_leaf(dst, sizeof(dst), strlen(dst));
		e = obj_rename(work, dst, true) ? errno : 0;
		if (e != EEXIST && e != EINVAL)
			return e;
	}
	bool have_prev = obj_load_md(o, -1, prev) == 0;
	*idx_gone = have_prev && (prev->flags & LOM_FL_SHARDIDX);
	*had_copies = have_prev && (prev->flags & LOM_FL_COPIES);
	if (vnext && have_prev && prev->version[0]) {
		lom_version_next(prev->version, md->version);
		if ((*rc = lom_store(-1, work, md)))
			return 0;
	}
	if (!have_prev || !(prev->flags & LOM_FL_CHUNKED)) {
		lom_md_fini(prev); /* keep only a chunked predecessor (uid set) for chunk_drop */
		lom_md_init(prev);
	}
	e = obj_rename(work, dst, false) ? errno : 0;
	if (e == EISDIR && obj_leafable(o) && !fqn_is_leaf(dst, strlen(dst))) {
		/* a longer name made the path a directory meanwhile (no leaf in it: that is made
		 * under this lock): this object goes in as its leaf */
		fqn_leaf(dst, sizeof(dst), strlen(dst));
		e = obj_rename(work, dst, true) ? errno : 0;
	}
	return e;
}

int obj_commit_cond(const obj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version,
		    obj_commit_cond_fn cond, void *cond_arg)
{
	bool idx_gone = false, had_copies = false;
	int rc = 0;
	/* the work file is ours, under %wk, and is never the object itself */
	AIS_ASSERT(md->size >= 0 && work[0] && o->fqn[0] && strcmp(work, o->fqn));
	md->bid = o->bck->bid;
	if (o->fntl) {
		md->flags |= LOM_FL_FNTL;
		if ((rc = lom_md_set_name(md, o->oname)))
			goto fail;
	} else {
		md->flags &= ~(uint32_t)LOM_FL_FNTL;
		lom_md_set_name(md, NULL);
	}
	md->flags &= ~(uint32_t)(LOM_FL_CHUNKED | LOM_FL_COPIES); /* copies are made after the commit */
	md->uid[0] = '\0';
	/* the LOM as if there were no previous version (commit_rename updates it if there is) */
	bool vnext = !keep_version && o->bck->versioning;
	if (!keep_version) {
		md->version[0] = '\0';
		if (vnext)
			lom_version_next("", md->version);
	}
	lom_md_t prev;
	lom_md_init(&prev);
	int e = 0;
	for (int attempt = 0;; attempt++) {
		lom_lock(o->digest);
		if (cond && (rc = obj_check_cond(o, md, cond, cond_arg)))
			goto unlock;
		if (fd >= 0) {
			rc = commit_store(fd, work, md); /* (closes fd) */
			fd = -1;
			if (rc)
				goto unlock;
		}
		if ((e = commit_rename(o, work, md, vnext, &prev, &idx_gone, &had_copies, &rc)) != ENOTDIR || attempt == 2)
			break;
		/* an object file is in the way ("a/b" of "a/b/c"): into its leaf, holding no lock */
		lom_unlock(o->digest);
		lom_md_fini(&prev);
		lom_md_init(&prev);
		idx_gone = had_copies = false;
		if ((rc = obj_mkdirs(o))) {
			log_warn("%s: %s", o->fqn, err_str(rc));
			goto fail;
		}
	}
	if (rc)
		goto unlock;
	if (e) {
		rc = (e == ENOTDIR || e == EISDIR || e == ENOTEMPTY || e == EEXIST) ? AIS_ECONFLICT : err_from_errno(e);
		log_warn("rename %s -> %s: %s", work, o->fqn, strerror(e));
	}
unlock:
	if (!rc && prev.uid[0])
		chunk_drop(o, &prev);
	lom_md_fini(&prev);
	lom_unlock(o->digest);
	if (!rc && idx_gone)
		obj_idx_gone(o);
	if (!rc) {
		mirror_after_commit(o, had_copies);
		obj_ec_event(o, false);
	}
fail:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(work);
	return rc;
}
