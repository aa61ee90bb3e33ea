/* chunk: placement of chunks over mountpaths, the cross-chunk reader, the auto-chunking PUT
 * writer and the commit (flip) of a chunk set into the current object version. See chunk.h for
 * the on-disk layout and the ordering that keeps readers consistent: LOM on chunk 1 first,
 * then the completed manifest, then the rename of chunk 1 into %ob, all under the object lock;
 * the previous version's chunks are removed only after the flip. */
#include "obj/chunk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isa-l/crc.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "core/hrw.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"

const char *chunk_rel(const obj_t *o)
{
	const char *p = strstr(o->fqn, "/" FQN_CT_OBJ "/");
	if (fqn_is_leaf(o->fqn, strlen(o->fqn)))
		return o->oname; /* the name's own path, wherever its file is (a leaf is never short) */
	return p ? p + 5 : o->oname;
}

static int ct_path(const obj_t *o, int mpi, const char *ct, char *out, size_t cap)
{
	const bck_t *b = o->bck;
	int n = fqn_ct_dir(out, cap, fs_get(mpi)->path, b->provider, b->ns, b->name, ct);
	return n < 0 ? AIS_EINVAL : n;
}

int chunk_path(const obj_t *o, const char *id, int num, char *out, size_t cap, int *mpi)
{
	char key[UFEST_ID_MAX + 16];
	int kl = snprintf(key, sizeof(key), "%s%04d", id, num);
	int m = num == 1 ? o->mpi : fs_hrw(hrw_digest(key, (size_t)kl));
	if (m < 0)
		return AIS_EUNAVAIL;
	int n = ct_path(o, m, FQN_CT_CHUNK, out, cap);
	if (n < 0 || snprintf(out + n, cap - (size_t)n, "/%s.%s.%04d", chunk_rel(o), id, num) >= (int)(cap - (size_t)n))
		return AIS_EINVAL;
	if (mpi)
		*mpi = m;
	return 0;
}

int chunk_ufest_path(const obj_t *o, const char *id, char *out, size_t cap)
{
	int n = ct_path(o, o->mpi, FQN_CT_UFEST, out, cap);
	if (n < 0)
		return AIS_EINVAL;
	int w = id ? snprintf(out + n, cap - (size_t)n, "/%s.%s", chunk_rel(o), id)
		   : snprintf(out + n, cap - (size_t)n, "/%s", chunk_rel(o));
	if (w >= (int)(cap - (size_t)n))
		return AIS_EINVAL;
	/* the completed manifest is named as the object: when its path is a directory (longer
	 * names' manifests), it is that directory's leaf, as in %ob (obj.h) */
	struct stat st;
	if (!id && !stat(out, &st) && S_ISDIR(st.st_mode) && fqn_leaf(out, cap, strlen(out)) < 0)
		return AIS_EINVAL;
	return 0;
}

/* the parent directories of manifest path p (on o's mountpath): a completed manifest in the
 * way (a shorter chunked name) moves into its leaf; call holding no object lock */
int chunk_ufest_mkdirs(const obj_t *o, const char *p)
{
	char d[FQN_MAX];
	int n = ct_path(o, o->mpi, FQN_CT_UFEST, d, sizeof(d));
	size_t rel = (size_t)n + 1, pl = strlen(p);
	if (n < 0 || pl <= rel || pl >= sizeof(d))
		return AIS_EINVAL;
	/* only a completed manifest named as its object moves into a leaf: anything else in the
	 * way (an upload in progress "<name>.<id>" that a longer name happens to spell) conflicts */
	memcpy(d, p, pl + 1);
	for (size_t i = rel; i < pl; i++) {
		if (d[i] != '/')
			continue;
		struct stat st;
		d[i] = '\0';
		bool file = !lstat(d, &st) && S_ISREG(st.st_mode), ok = true;
		if (file) {
			ufest_t u;
			ufest_init(&u);
			ok = !ufest_load(d, &u) && (u.flags & UFEST_FL_COMPLETED) && u.oname && !strcmp(u.oname, d + rel);
			ufest_fini(&u);
		}
		d[i] = '/';
		if (!ok)
			return AIS_ECONFLICT;
	}
	return obj_mkdirs_at(o, p, rel);
}

int chunk_workfile(const obj_t *o, int mpi, char *out, size_t cap)
{
	int n = ct_path(o, mpi, FQN_CT_WORK, out, cap);
	if (n < 0 || (size_t)n + 40 > cap)
		return AIS_EINVAL;
	fsops_mkdir_p(out);
	char rnd[17];
	rand_alnum(rnd, 16);
	snprintf(out + n, cap - (size_t)n, "/chunk.%s", rnd);
	return 0;
}

int chunk_load(const obj_t *o, const lom_md_t *md, ufest_t *u)
{
	char p[FQN_MAX];
	if (chunk_ufest_path(o, NULL, p, sizeof(p)))
		return AIS_EINVAL;
	int rc = ufest_load(p, u);
	if (rc)
		return rc == AIS_ENOTFOUND ? AIS_ECONFLICT : rc;
	if (strcmp(u->id, md->uid)) {
		ufest_fini(u);
		return AIS_ECONFLICT;
	}
	if (!(u->flags & UFEST_FL_COMPLETED) || u->size != md->size || u->count < 1) {
		ufest_fini(u);
		return AIS_EINVAL;
	}
	return 0;
}

/* ---- reader ---- */

void chunk_rd_init(chunk_rd_t *r, const ufest_t *u, int fd1)
{
	r->u = u;
	r->fd1 = fd1;
	r->idx = -1;
	r->fd = -1;
}

void chunk_rd_fini(chunk_rd_t *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->idx = -1;
}

int chunk_rd_fd(chunk_rd_t *r, int i, int *fd)
{
	if (i < 0 || i >= r->u->count)
		return AIS_EINVAL;
	if (i == 0) {
		*fd = r->fd1;
		return 0;
	}
	const ufest_chunk_t *c = &r->u->chunks[i];
	if (r->idx != i) {
		chunk_rd_fini(r);
		r->fd = open(c->path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			log_err("open chunk %s: %s", c->path, strerror(errno));
			return AIS_EIO;
		}
		struct stat st;
		st.st_size = -1;
		if (fstat(r->fd, &st) || st.st_size != c->size) {
			log_err("chunk %d of %s (%s): size on disk %lld != %lld in the manifest", c->num,
				r->u->oname ? r->u->oname : "", c->path, (long long)st.st_size, (long long)c->size);
			chunk_rd_fini(r);
			return AIS_EIO;
		}
		r->idx = i;
	}
	*fd = r->fd;
	return 0;
}

ssize_t chunk_rd_pread(chunk_rd_t *r, void *buf, size_t n, int64_t off)
{
	int64_t coff;
	int i = ufest_find(r->u, off, &coff);
	if (i < 0)
		return 0;
	const ufest_chunk_t *c = &r->u->chunks[i];
	int fd, rc = chunk_rd_fd(r, i, &fd);
	if (rc)
		return rc;
	int64_t in = off - coff;
	size_t want = (size_t)(c->size - in) < n ? (size_t)(c->size - in) : n;
	while (1) {
		ssize_t k = pread(fd, buf, want, in);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			log_err("read chunk %d of %s (%s): %s", c->num, r->u->oname ? r->u->oname : "", c->path,
				k ? strerror(errno) : "short file");
			return AIS_EIO;
		}
		return k;
	}
}

/* ---- commit ---- */

static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	char *buf = malloc(1 << 20);
	if (in < 0 || !buf) {
		rc = in < 0 ? err_from_errno(errno) : AIS_ENOMEM;
		goto out;
	}
	fsops_mkdir_parent(dst);
	out = open(dst, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	if (out < 0) {
		rc = err_from_errno(errno);
		goto out;
	}
	while (!rc) {
		ssize_t k = read(in, buf, 1 << 20);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			rc = AIS_EIO;
		if (k <= 0)
			break;
		rc = fsops_write_all(out, buf, (size_t)k);
	}
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && !rc)
		rc = AIS_EIO;
	if (rc && out >= 0)
		unlink(dst);
	return rc;
}

static int move_file(const char *src, const char *dst)
{
	if (!rename(src, dst))
		return 0;
	if (errno == ENOENT && !fsops_mkdir_parent(dst) && !rename(src, dst))
		return 0;
	if (errno != EXDEV)
		return (errno == ENOTDIR || errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
			       ? AIS_ECONFLICT : err_from_errno(errno);
	int rc = copy_file(src, dst);
	if (!rc)
		unlink(src);
	return rc;
}

static void remove_chunks(const ufest_t *u, int from)
{
	for (int i = from; i < u->count; i++)
		if (unlink(u->chunks[i].path) && errno != ENOENT)
			log_warn("remove chunk %s: %s", u->chunks[i].path, strerror(errno));
}

/* the first chunk becomes the object file (obj_rename_to; a copy across filesystems) */
static int chunk_move_in(const obj_t *o, const char *first)
{
	if (!obj_rename_to(o, first))
		return 0;
	if (errno != EXDEV)
		return (errno == ENOTDIR || errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
			       ? AIS_ECONFLICT : err_from_errno(errno);
	char dst[FQN_MAX];
	obj_fqn_now(o, dst, sizeof(dst));
	return move_file(first, dst);
}

void chunk_drop(const obj_t *o, const lom_md_t *md)
{
	char p[FQN_MAX];
	ufest_t u;
	ufest_init(&u);
	if (chunk_ufest_path(o, NULL, p, sizeof(p)))
		return;
	if (ufest_load(p, &u) == 0 && !strcmp(u.id, md->uid)) {
		remove_chunks(&u, 1);
		unlink(p);
	}
	ufest_fini(&u);
}

void chunk_remove_upload(const obj_t *o, const ufest_t *u)
{
	remove_chunks(u, 0);
	char p[FQN_MAX];
	if (!chunk_ufest_path(o, u->id, p, sizeof(p)))
		unlink(p);
}

int chunk_commit(const obj_t *o, const ufest_t *u, lom_md_t *md, bool keep_version)
{
	ufest_t c, old;
	lom_md_t omd;
	char mpath[FQN_MAX], first[FQN_MAX];
	bool have_old = false;
	int rc;
	ufest_init(&old);
	lom_md_init(&omd);
	if (u->count < 1)
		return AIS_EINVAL;
	if ((rc = ufest_copy(&c, u)))
		return rc;
	snprintf(first, sizeof(first), "%s", c.chunks[0].path);
	free(c.chunks[0].path);
	if (!(c.chunks[0].path = strdup(o->fqn))) {
		ufest_fini(&c);
		return AIS_ENOMEM;
	}
	c.flags |= UFEST_FL_COMPLETED;
	md->size = c.size;
	md->bid = o->bck->bid;
	md->flags |= LOM_FL_CHUNKED;
	snprintf(md->uid, sizeof(md->uid), "%s", c.id);
	if (o->fntl) {
		md->flags |= LOM_FL_FNTL;
		if ((rc = lom_md_set_name(md, o->oname)))
			goto out;
	} else {
		md->flags &= ~(uint32_t)LOM_FL_FNTL;
		lom_md_set_name(md, NULL);
	}
	if ((rc = chunk_ufest_path(o, NULL, mpath, sizeof(mpath))) || (rc = chunk_ufest_mkdirs(o, mpath)))
		goto out;
	if ((rc = chunk_ufest_path(o, NULL, mpath, sizeof(mpath)))) /* (it may be a leaf now) */
		goto out;
	if ((rc = obj_mkdirs(o))) /* (an object file in the way moves into its leaf) */
		goto out;

	lom_lock(o->digest);
	int ofd = obj_open_file(o, O_RDONLY, NULL);
	if (ofd >= 0 && obj_load(o, ofd, &omd) == 0)
		have_old = true;
	if (ofd >= 0)
		close(ofd);
	if (!keep_version) {
		md->version[0] = '\0';
		if (o->bck->versioning)
			lom_version_next(have_old ? omd.version : "", md->version);
	}
	if (have_old && (omd.flags & LOM_FL_CHUNKED)) {
		if (ufest_load(mpath, &old) || strcmp(old.id, omd.uid))
			ufest_fini(&old);
	}
	if ((rc = lom_store(-1, first, md)))
		goto unlock;
	if ((rc = ufest_store(&c, mpath)))
		goto unlock;
	if ((rc = chunk_move_in(o, first))) {
		log_err("commit %s: rename %s: %s", o->fqn, first, err_str(rc));
		if (old.count)
			ufest_store(&old, mpath); /* the previous version stays current */
		else
			unlink(mpath);
		goto unlock;
	}
unlock:
	lom_unlock(o->digest);
	if (!rc) {
		if (old.count && strcmp(old.id, c.id))
			remove_chunks(&old, 1);
		char pp[FQN_MAX];
		if (!chunk_ufest_path(o, u->id, pp, sizeof(pp)))
			unlink(pp);
	}
out:
	ufest_fini(&c);
	ufest_fini(&old);
	lom_md_fini(&omd);
	return rc;
}

/* ---- auto-chunking writer ---- */

struct chunk_w {
	const obj_t *o;
	int64_t chunk_size;
	ufest_t u;
	int fd;                 /* current chunk's file (at its final chunk path) */
	char path[FQN_MAX];
	int64_t cur;            /* bytes in the current chunk */
	uint32_t crc;
	EVP_MD_CTX *md5;
};

static int cw_finish_chunk(chunk_w_t *w)
{
	if (w->fd < 0)
		return 0;
	ufest_chunk_t c;
	memset(&c, 0, sizeof(c));
	c.num = (uint16_t)(w->u.count + 1);
	c.size = w->cur;
	c.crc32c = w->crc ^ 0xFFFFFFFFu;
	unsigned int dl = 0;
	EVP_DigestFinal_ex(w->md5, c.md5, &dl);
	int rc = close(w->fd) ? AIS_EIO : 0;
	w->fd = -1;
	if (rc) {
		unlink(w->path);
		return rc;
	}
	if (!(c.path = strdup(w->path))) {
		unlink(w->path);
		return AIS_ENOMEM;
	}
	char *old;
	if ((rc = ufest_add(&w->u, &c, &old))) {
		unlink(c.path);
		free(c.path);
	}
	free(old);
	return rc;
}

static int cw_start_chunk(chunk_w_t *w)
{
	int num = w->u.count + 1;
	if (num > UFEST_MAX_CHUNKS)
		return AIS_ETOOBIG;
	int rc = chunk_path(w->o, w->u.id, num, w->path, sizeof(w->path), NULL);
	if (rc)
		return rc;
	w->fd = open(w->path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	if (w->fd < 0 && errno == ENOENT && !fsops_mkdir_parent(w->path))
		w->fd = open(w->path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		rc = err_from_errno(errno);
		log_err("create chunk %s: %s", w->path, strerror(errno));
		return rc;
	}
	w->cur = 0;
	w->crc = 0xFFFFFFFFu;
	EVP_DigestInit_ex(w->md5, EVP_md5(), NULL);
	return 0;
}

int chunk_w_open(const obj_t *o, int64_t chunk_size, chunk_w_t **out)
{
	chunk_w_t *w = calloc(1, sizeof(*w));
	if (!w)
		return AIS_ENOMEM;
	w->o = o;
	w->fd = -1;
	w->chunk_size = chunk_size > 0 ? chunk_size : (int64_t)1 << 30;
	ufest_init(&w->u);
	gen_uuid(w->u.id, 16);
	w->u.created = now_ns();
	if (!(w->md5 = EVP_MD_CTX_new()) || ufest_set_oname(&w->u, o->oname)) {
		chunk_w_abort(w);
		return AIS_ENOMEM;
	}
	*out = w;
	return 0;
}

int chunk_w_write(chunk_w_t *w, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n) {
		int rc;
		if (w->fd < 0 && (rc = cw_start_chunk(w)))
			return rc;
		size_t room = (size_t)(w->chunk_size - w->cur);
		size_t k = n < room ? n : room;
		if ((rc = fsops_write_all(w->fd, b, k)))
			return rc;
		w->crc = crc32_iscsi((unsigned char *)(uintptr_t)b, (int)k, w->crc);
		EVP_DigestUpdate(w->md5, b, k);
		w->cur += (int64_t)k;
		b += k;
		n -= k;
		if (w->cur == w->chunk_size && (rc = cw_finish_chunk(w)))
			return rc;
	}
	return 0;
}

int chunk_w_commit(chunk_w_t *w, lom_md_t *md, bool keep_version)
{
	int rc = cw_finish_chunk(w);
	if (!rc && w->u.count == 0)
		rc = cw_start_chunk(w) ? AIS_EIO : cw_finish_chunk(w); /* empty object: one empty chunk */
	if (!rc)
		rc = chunk_commit(w->o, &w->u, md, keep_version);
	if (rc) {
		chunk_w_abort(w);
		return rc;
	}
	ufest_fini(&w->u);
	EVP_MD_CTX_free(w->md5);
	free(w);
	return 0;
}

void chunk_w_abort(chunk_w_t *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->path);
	}
	remove_chunks(&w->u, 0);
	ufest_fini(&w->u);
	EVP_MD_CTX_free(w->md5);
	free(w);
}

/* ---- config ---- */

void chunk_conf(int64_t *objsize_limit, int64_t *chunk_size, int *checkpoint_every)
{
	/* the typed chunks.* of the current config (validated ranges; chunk_size 0 = 1GiB) */
	const config_t *cfg = config_get();
	int64_t lim = cfg ? cfg->chunks_objsize_limit : 0;
	int64_t cs = cfg && cfg->chunks_chunk_size ? cfg->chunks_chunk_size : (int64_t)1 << 30;
	int ce = cfg ? cfg->chunks_checkpoint_every : 0;
	config_put(cfg);
	if (objsize_limit)
		*objsize_limit = lim;
	if (chunk_size)
		*chunk_size = cs;
	if (checkpoint_every)
		*checkpoint_every = ce;
}
