/* obj_ver: the retained versions' files under %ov (see obj_ver.h). Owns the layout and the
 * file moves; never decides what a version means. */
#include "obj/obj_ver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/obj_get.h"

int obj_ver_dir(const obj_t *o, int mpi, char *out, size_t cap)
{
	const mpath_t *mp = fs_get(mpi);
	const bck_t *b = o->bck;
	if (!mp)
		return AIS_EINVAL;
	int n = fqn_ct_dir(out, cap, mp->path, b->provider, b->ns, b->name, FQN_CT_VER);
	if (n < 0)
		return AIS_EINVAL;
	char h[FQN_SHORT_LEN + 1];
	fqn_short(o->oname, o->olen, h);
	int m = snprintf(out + n, cap - (size_t)n, "/%.2s/%s", h + 2, h + 2);
	return m < 0 || (size_t)m >= cap - (size_t)n ? AIS_EINVAL : n + m;
}

int obj_ver_view(obj_t *dst, const obj_t *o, int64_t seq)
{
	if (dst != o)
		memcpy(dst, o, sizeof(*dst));
	dst->bmd = NULL; /* borrowed */
	if (o->oname >= o->ibuf && o->oname < o->ibuf + sizeof(o->ibuf))
		dst->oname = dst->ibuf + (o->oname - o->ibuf);
	dst->fntl = false; /* a version file's LOM always names the object */
	int n = obj_ver_dir(o, o->mpi, dst->fqn, sizeof(dst->fqn));
	if (n < 0)
		return n;
	int m = snprintf(dst->fqn + n, sizeof(dst->fqn) - (size_t)n, "/%lld", (long long)seq);
	return m < 0 || (size_t)m >= sizeof(dst->fqn) - (size_t)n ? AIS_EINVAL : 0;
}

static int seq_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* "<decimal>" > 0, else -1 */
static int64_t seq_parse(const char *s)
{
	int64_t v;
	if (!*s || *s == '0' || parse_i64(s, &v) || v <= 0)
		return -1;
	return v;
}

int obj_ver_scan(const obj_t *o, int64_t **seqs, int *n)
{
	*seqs = NULL;
	*n = 0;
	char dir[FQN_MAX];
	if (obj_ver_dir(o, o->mpi, dir, sizeof(dir)) < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int cnt = 0, cap = 0, rc = 0;
	int64_t *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		int64_t s = seq_parse(e->d_name);
		if (s < 0)
			continue;
		if (cnt == cap) {
			int nc = cap ? cap * 2 : 16;
			int64_t *nv = realloc(v, (size_t)nc * sizeof(*v));
			if (!nv) {
				rc = AIS_ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = s;
	}
	closedir(d);
	if (rc) {
		free(v);
		return rc;
	}
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), seq_desc);
	*seqs = v;
	*n = cnt;
	return 0;
}

/* the retained file's own LOM: cur with version = seq, the full name, monolithic */
static int ver_md(const obj_t *o, const lom_md_t *cur, int64_t seq, lom_md_t *md)
{
	int rc = lom_md_copy(md, cur);
	if (rc)
		return rc;
	snprintf(md->version, sizeof(md->version), "%lld", (long long)seq);
	md->flags &= ~(uint32_t)(LOM_FL_CHUNKED | LOM_FL_SHARDIDX);
	md->uid[0] = '\0';
	return lom_md_set_name(md, o->oname);
}

static int copy_sink(void *arg, const char *buf, size_t n)
{
	return fsops_write_all(*(int *)arg, buf, n) ? AIS_EIO : 0;
}

/* the current object's bytes (chunked or misplaced) into a new monolithic file at path */
static int ver_copy(const obj_t *o, const lom_md_t *vmd, const char *path)
{
	char work[FQN_MAX];
	int fd = -1;
	obj_get_t g;
	obj_why_t why;
	int rc = obj_open_work(o, "ver", O_WRONLY, work, sizeof(work), &fd);
	if (rc)
		return rc;
	rc = obj_get_open(&g, o, OBJ_GET_QUIET, &why);
	if (!rc)
		rc = obj_get_prepare(&g, &why);
	if (!rc)
		rc = obj_get_read_all(&g, copy_sink, &fd);
	obj_get_close(&g);
	if (!rc)
		rc = lom_store(fd, NULL, vmd);
	if (close(fd) && !rc)
		rc = AIS_EIO;
	if (!rc && rename(work, path)) {
		if (errno == ENOENT && !fsops_mkdir_parent(path) && !rename(work, path))
			return 0;
		rc = err_from_errno(errno);
	}
	if (rc)
		unlink(work);
	return rc;
}

int obj_ver_retain(const obj_t *o, const lom_md_t *cur, int64_t seq)
{
	obj_t v;
	int rc = obj_ver_view(&v, o, seq);
	if (rc)
		return rc;
	lom_md_t md;
	lom_md_init(&md);
	if ((rc = ver_md(o, cur, seq, &md)))
		goto out;
	if (!(cur->flags & LOM_FL_CHUNKED)) {
		int e = link(o->fqn, v.fqn) ? errno : 0;
		if (e == ENOENT && !fsops_mkdir_parent(v.fqn))
			e = link(o->fqn, v.fqn) ? errno : 0;
		if (!e) {
			if ((rc = lom_store(-1, v.fqn, &md)))
				unlink(v.fqn);
			goto out;
		}
		if (e == EEXIST) {
			rc = AIS_EEXIST;
			goto out;
		}
		/* misplaced (another mountpath) or no hard links here: copy */
	}
	rc = ver_copy(o, &md, v.fqn);
out:
	if (rc)
		log_warn("retain %s/%s as version %lld: %s", o->bck->name, o->oname, (long long)seq, err_str(rc));
	lom_md_fini(&md);
	return rc;
}

int obj_ver_put_empty(const obj_t *o, int64_t seq, lom_md_t *md)
{
	obj_t v;
	char work[FQN_MAX];
	int fd = -1;
	int rc = obj_ver_view(&v, o, seq);
	if (rc)
		return rc;
	snprintf(md->version, sizeof(md->version), "%lld", (long long)seq);
	md->size = 0;
	md->bid = o->bck->bid;
	md->flags = 0;
	md->uid[0] = '\0';
	if ((rc = lom_md_set_name(md, o->oname)))
		return rc;
	if ((rc = obj_open_work(o, "vdm", O_WRONLY, work, sizeof(work), &fd)))
		return rc;
	rc = lom_store(fd, NULL, md);
	if (close(fd) && !rc)
		rc = AIS_EIO;
	if (!rc && renameat2(AT_FDCWD, work, AT_FDCWD, v.fqn, RENAME_NOREPLACE)) {
		rc = err_from_errno(errno);
		if (errno == ENOENT && !fsops_mkdir_parent(v.fqn))
			rc = renameat2(AT_FDCWD, work, AT_FDCWD, v.fqn, RENAME_NOREPLACE) ? err_from_errno(errno) : 0;
	}
	if (rc)
		unlink(work);
	return rc;
}

/* remove the directories above fqn up to (not including) %ov */
static void ver_rm_parents(const obj_t *o, const char *fqn)
{
	char stop[FQN_MAX];
	const bck_t *b = o->bck;
	if (fqn_ct_dir(stop, sizeof(stop), fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_VER) > 0)
		fsops_rm_empty_parents(fqn, stop);
}

int obj_ver_remove(const obj_t *o, int64_t seq)
{
	obj_t v;
	int rc = obj_ver_view(&v, o, seq);
	if (rc)
		return rc;
	if (unlink(v.fqn))
		return errno == ENOENT ? AIS_ENOTFOUND : err_from_errno(errno);
	ver_rm_parents(o, v.fqn);
	return 0;
}

int obj_ver_promote(const obj_t *o, int64_t seq)
{
	obj_t v;
	int rc = obj_ver_view(&v, o, seq);
	if (rc)
		return rc;
	lom_md_t md;
	lom_md_init(&md);
	lom_lock(o->digest);
	if ((rc = lom_load(-1, v.fqn, &md)))
		goto out;
	if (o->fntl) {
		md.flags |= LOM_FL_FNTL;
	} else {
		md.flags &= ~(uint32_t)LOM_FL_FNTL;
		lom_md_set_name(&md, NULL);
	}
	if ((rc = lom_store(-1, v.fqn, &md)))
		goto out;
	int e = renameat2(AT_FDCWD, v.fqn, AT_FDCWD, o->fqn, RENAME_NOREPLACE) ? errno : 0;
	if (e == ENOENT && !fsops_mkdir_parent(o->fqn))
		e = renameat2(AT_FDCWD, v.fqn, AT_FDCWD, o->fqn, RENAME_NOREPLACE) ? errno : 0;
	if (e) {
		rc = e == EEXIST ? AIS_EEXIST : err_from_errno(e);
		lom_md_set_name(&md, o->oname); /* stays a version: it must keep naming the object */
		lom_store(-1, v.fqn, &md);
		goto out;
	}
	ver_rm_parents(o, v.fqn);
out:
	lom_unlock(o->digest);
	lom_md_fini(&md);
	return rc;
}

int obj_ver_walk(const bck_t *b, int mpi, obj_ver_walk_fn cb, void *arg)
{
	const mpath_t *mp = fs_get(mpi);
	if (!mp)
		return 0;
	char *path = malloc(FQN_MAX);
	if (!path)
		return AIS_ENOMEM;
	int n = fqn_ct_dir(path, FQN_MAX, mp->path, b->provider, b->ns, b->name, FQN_CT_VER);
	int rc = 0;
	DIR *d1 = n > 0 ? opendir(path) : NULL;
	struct dirent *e1;
	while (d1 && !rc && (e1 = readdir(d1))) {
		if (e1->d_name[0] == '.')
			continue;
		int n1 = n + snprintf(path + n, FQN_MAX - (size_t)n, "/%s", e1->d_name);
		DIR *d2 = opendir(path);
		struct dirent *e2;
		while (d2 && !rc && (e2 = readdir(d2))) {
			if (e2->d_name[0] == '.')
				continue;
			int n2 = n1 + snprintf(path + n1, FQN_MAX - (size_t)n1, "/%s", e2->d_name);
			DIR *d3 = opendir(path);
			struct dirent *e3;
			while (d3 && !rc && (e3 = readdir(d3))) {
				if (seq_parse(e3->d_name) < 0)
					continue;
				snprintf(path + n2, FQN_MAX - (size_t)n2, "/%s", e3->d_name);
				rc = cb(arg, path);
			}
			if (d3)
				closedir(d3);
			path[n1] = '\0';
		}
		if (d2)
			closedir(d2);
		path[n] = '\0';
	}
	if (d1)
		closedir(d1);
	free(path);
	return rc;
}

int obj_ver_ident(const bck_t *b, const char *fqn, obj_t *o, lom_md_t *md, int64_t *seq)
{
	const char *slash = strrchr(fqn, '/');
	*seq = slash ? seq_parse(slash + 1) : -1;
	memset(o, 0, sizeof(*o));
	int rc = lom_load(-1, fqn, md);
	if (rc)
		return rc;
	if (*seq <= 0 || !md->name || strlen(md->name) >= sizeof(o->ibuf))
		return AIS_EINVAL;
	memcpy(o->ibuf, md->name, strlen(md->name) + 1);
	return obj_place(o, b, o->ibuf);
}

/* a new file at path with len bytes and LOM md (a work file on o's mountpath renamed there,
 * unless a file is there already); 0, AIS_EEXIST, AIS_E* */
static int ver_write_new(const obj_t *o, const char *path, const lom_md_t *md, const void *data, size_t len)
{
	char work[FQN_MAX];
	int fd = -1;
	int rc = obj_open_work(o, "ver", O_WRONLY, work, sizeof(work), &fd);
	if (rc)
		return rc;
	if (len && fsops_write_all(fd, data, len))
		rc = AIS_EIO;
	if (!rc)
		rc = lom_store(fd, NULL, md);
	if (close(fd) && !rc)
		rc = AIS_EIO;
	if (!rc) {
		if (fsops_mkdir_parent(path))
			rc = AIS_EIO;
		else if (link(work, path)) /* (no-replace: a version already there is kept) */
			rc = errno == EEXIST ? AIS_EEXIST : err_from_errno(errno);
	}
	unlink(work);
	return rc;
}

int obj_ver_install(const obj_t *o, int64_t seq, const lom_md_t *md, const void *data, size_t len)
{
	obj_t v;
	lom_md_t vmd;
	lom_md_init(&vmd);
	int rc = obj_ver_view(&v, o, seq);
	if (!rc && md->size != (int64_t)len)
		rc = AIS_EINVAL;
	if (!rc)
		rc = ver_md(o, md, seq, &vmd);
	if (!rc)
		rc = ver_write_new(o, v.fqn, &vmd, data, len);
	lom_md_fini(&vmd);
	return rc;
}

int obj_ver_move_here(const obj_t *o, int64_t seq, const char *fqn)
{
	obj_t v;
	int rc = obj_ver_view(&v, o, seq);
	if (rc)
		return rc;
	if (fsops_mkdir_parent(v.fqn))
		return AIS_EIO;
	if (!link(fqn, v.fqn) || errno == EEXIST) { /* (no-replace: one there already wins) */
		unlink(fqn);
		return 0;
	}
	if (errno != EXDEV)
		return err_from_errno(errno);
	/* another filesystem: copy the bytes and the LOM */
	lom_md_t md;
	lom_md_init(&md);
	char *buf = NULL;
	size_t len = 0;
	rc = lom_load(-1, fqn, &md);
	if (!rc && fsops_read_file(fqn, (size_t)md.size + 1, &buf, &len))
		rc = AIS_EIO;
	if (!rc)
		rc = ver_write_new(o, v.fqn, &md, buf, len);
	if (!rc || rc == AIS_EEXIST) {
		unlink(fqn);
		rc = 0;
	}
	free(buf);
	lom_md_fini(&md);
	return rc;
}
