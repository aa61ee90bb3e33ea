/* mpu: multipart upload core (see mpu.h for the state machine).
 * Owns the registry of open uploads: a list of entries keyed by upload id, each with its own
 * mutex and its manifest in memory; entries are loaded from the partial manifest on first use
 * after a restart. Lock order: registry mutex, then (released) entry mutex, then object lock
 * (inside chunk_commit). An entry leaves the registry when completed, aborted or cleaned up;
 * parts still in flight then find it "gone" and remove their own chunk. */
#include "obj/mpu.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <isa-l/crc.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "core/s3ck.h"
#include "obj/chunk.h"
#include "fs/fs.h"

typedef struct mpu_up {
	struct mpu_up *next;
	pthread_mutex_t mu;
	int refs;              /* registry mutex */
	bool gone;             /* entry mutex: completed/aborted/cleaned */
	char mpath[FQN_MAX];   /* partial manifest path (identifies bucket + object) */
	ufest_t u;
	int since_ckpt;
	int64_t active;        /* last activity, unix ns */
} mpu_up_t;

static pthread_mutex_t mpu_mu = PTHREAD_MUTEX_INITIALIZER;
static mpu_up_t *mpu_head;

static void up_put(mpu_up_t *e)
{
	pthread_mutex_lock(&mpu_mu);
	bool last = --e->refs == 0;
	pthread_mutex_unlock(&mpu_mu);
	if (last) {
		ufest_fini(&e->u);
		pthread_mutex_destroy(&e->mu);
		free(e);
	}
}

/* unlink from the registry (registry mutex held); drops the registry's reference later */
static bool up_unlink_locked(mpu_up_t *e)
{
	for (mpu_up_t **pp = &mpu_head; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			e->next = NULL;
			return true;
		}
	return false;
}

static void up_remove(mpu_up_t *e)
{
	pthread_mutex_lock(&mpu_mu);
	bool was = up_unlink_locked(e);
	pthread_mutex_unlock(&mpu_mu);
	if (was)
		up_put(e);
}

static mpu_up_t *up_new(void)
{
	mpu_up_t *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	pthread_mutex_init(&e->mu, NULL);
	ufest_init(&e->u);
	e->active = now_ns();
	return e;
}

/* find (or load from disk) the upload; returns a reference or NULL (*why set) */
static mpu_up_t *up_get(const obj_t *o, const char *id, mpu_why_t *why)
{
	char mp[FQN_MAX];
	*why = MPU_WHY_NO_SUCH_UPLOAD;
	if (!ufest_id_valid(id) || chunk_ufest_path(o, id, mp, sizeof(mp)))
		return NULL;
	pthread_mutex_lock(&mpu_mu);
	for (mpu_up_t *e = mpu_head; e; e = e->next)
		if (!strcmp(e->u.id, id)) {
			mpu_up_t *r = strcmp(e->mpath, mp) ? NULL : e;
			if (r)
				r->refs++;
			pthread_mutex_unlock(&mpu_mu);
			if (r)
				*why = MPU_WHY_NONE;
			return r;
		}
	pthread_mutex_unlock(&mpu_mu);
	/* not in memory: a partial manifest from before a restart? */
	mpu_up_t *e = up_new();
	if (!e)
		return NULL;
	if (ufest_load(mp, &e->u) || (e->u.flags & UFEST_FL_COMPLETED) || strcmp(e->u.id, id)) {
		ufest_fini(&e->u);
		pthread_mutex_destroy(&e->mu);
		free(e);
		return NULL;
	}
	snprintf(e->mpath, sizeof(e->mpath), "%s", mp);
	pthread_mutex_lock(&mpu_mu);
	for (mpu_up_t *x = mpu_head; x; x = x->next)
		if (!strcmp(x->u.id, id)) { /* raced with another loader */
			x->refs++;
			pthread_mutex_unlock(&mpu_mu);
			*why = MPU_WHY_NONE;
			mpu_up_t *keep = x;
			ufest_fini(&e->u);
			pthread_mutex_destroy(&e->mu);
			free(e);
			return keep;
		}
	e->refs = 2; /* registry + caller */
	e->next = mpu_head;
	mpu_head = e;
	pthread_mutex_unlock(&mpu_mu);
	log_info("upload %s of %s: reloaded %d part(s) from %s", id, e->u.oname ? e->u.oname : "?", e->u.count,
		 mp);
	*why = MPU_WHY_NONE;
	return e;
}

int mpu_init(const obj_t *o, const void *meta, size_t meta_len, char *id, size_t cap)
{
	mpu_up_t *e = up_new();
	int rc = AIS_ENOMEM;
	if (!e)
		return rc;
	gen_uuid(e->u.id, 20);
	e->u.created = now_ns();
	if ((rc = ufest_set_oname(&e->u, o->oname)) || (rc = ufest_set_meta(&e->u, meta, meta_len)))
		goto fail;
	if ((rc = chunk_ufest_path(o, e->u.id, e->mpath, sizeof(e->mpath))) || (rc = chunk_ufest_mkdirs(o, e->mpath)))
		goto fail;
	/* persisted right away: the upload survives a restart and space cleanup can find it */
	if ((rc = ufest_store(&e->u, e->mpath)))
		goto fail;
	snprintf(id, cap, "%s", e->u.id);
	pthread_mutex_lock(&mpu_mu);
	e->refs = 1;
	e->next = mpu_head;
	mpu_head = e;
	pthread_mutex_unlock(&mpu_mu);
	return 0;
fail:
	ufest_fini(&e->u);
	pthread_mutex_destroy(&e->mu);
	free(e);
	return rc;
}

/* ---- parts ---- */

struct mpu_part {
	mpu_up_t *e;
	const obj_t *o;
	int num;
	int fd;
	char work[FQN_MAX];
	char path[FQN_MAX];
	int64_t size;
	uint32_t crc;
	EVP_MD_CTX *md5;
	s3ck_t xck;
	bool have_xck;
	int err;
};

static void part_free(mpu_part_t *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->work[0])
		unlink(p->work);
	EVP_MD_CTX_free(p->md5);
	if (p->e)
		up_put(p->e);
	free(p);
}

int mpu_part_begin(const obj_t *o, const char *id, int num, const char *xck_algo, int flags, mpu_part_t **out,
		   mpu_why_t *why)
{
	*why = MPU_WHY_NONE;
	if (num < 1 || num > UFEST_MAX_CHUNKS) {
		*why = MPU_WHY_INVALID_PART;
		return AIS_EINVAL;
	}
	s3ck_type_t xt = S3CK_NONE;
	if (xck_algo && *xck_algo && (xt = s3ck_type_from_name(xck_algo)) == S3CK_NONE)
		return AIS_EINVAL;
	mpu_part_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	p->fd = -1;
	p->o = o;
	p->num = num;
	if (!(p->e = up_get(o, id, why))) {
		free(p);
		return AIS_ENOTFOUND;
	}
	int mpi, rc;
	if ((rc = chunk_path(o, id, num, p->path, sizeof(p->path), &mpi)) ||
	    (rc = chunk_workfile(o, mpi, p->work, sizeof(p->work)))) {
		p->work[0] = '\0';
		part_free(p);
		return rc;
	}
	p->fd = open(p->work, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (p->fd < 0) {
		rc = err_from_errno(errno);
		log_err("%s: create %s: %s", node_name(), p->work, strerror(errno));
		p->work[0] = '\0';
		part_free(p);
		return rc;
	}
	if (!(flags & MPU_P_NO_MD5) &&
	    (!(p->md5 = EVP_MD_CTX_new()) || EVP_DigestInit_ex(p->md5, EVP_md5(), NULL) != 1)) {
		part_free(p);
		return AIS_ENOMEM;
	}
	p->crc = 0xFFFFFFFFu;
	if (xt != S3CK_NONE) {
		s3ck_init(&p->xck, xt);
		p->have_xck = true;
	}
	*out = p;
	return 0;
}

int mpu_part_write(mpu_part_t *p, const void *data, size_t len)
{
	if (p->err)
		return p->err;
	int rc = fsops_write_all(p->fd, data, len);
	if (rc)
		return p->err = rc;
	const unsigned char *b = data;
	size_t left = len;
	while (left) {
		int k = left > (1u << 30) ? (1 << 30) : (int)left;
		p->crc = crc32_iscsi((unsigned char *)(uintptr_t)b, k, p->crc);
		b += k;
		left -= (size_t)k;
	}
	if (p->md5)
		EVP_DigestUpdate(p->md5, data, len);
	if (p->have_xck)
		s3ck_update(&p->xck, data, len);
	p->size += (int64_t)len;
	return 0;
}

static void up_checkpoint(mpu_up_t *e, bool force)
{
	int every;
	chunk_conf(NULL, NULL, &every);
	if (!force && (every <= 0 || ++e->since_ckpt < every))
		return;
	int rc = ufest_store(&e->u, e->mpath);
	if (rc)
		log_err("upload %s: checkpoint %s: %s", e->u.id, e->mpath, err_str(rc));
	else
		e->since_ckpt = 0;
}

int mpu_part_end(mpu_part_t *p, bool ok, const char *want_xck, mpu_part_info_t *info, mpu_why_t *why)
{
	int rc = p->err;
	*why = MPU_WHY_NONE;
	memset(info, 0, sizeof(*info));
	ufest_chunk_t c;
	memset(&c, 0, sizeof(c));
	unsigned int dl = 0;
	if (p->md5)
		EVP_DigestFinal_ex(p->md5, c.md5, &dl);
	c.crc32c = p->crc ^ 0xFFFFFFFFu;
	c.num = (uint16_t)p->num;
	c.size = p->size;
	if (p->have_xck) {
		snprintf(c.xck_type, sizeof(c.xck_type), "%s", s3ck_algo_name(p->xck.type));
		s3ck_final_b64(&p->xck, c.xck_val);
		if (!rc && want_xck && *want_xck && strcmp(want_xck, c.xck_val)) {
			rc = AIS_ECKSUM;
			*why = MPU_WHY_BAD_CKSUM;
		}
	}
	if (!ok && !rc)
		rc = AIS_EINVAL;
	if (!rc && close(p->fd))
		rc = AIS_EIO;
	p->fd = -1;
	if (rc)
		goto out;
	mpu_up_t *e = p->e;
	pthread_mutex_lock(&e->mu);
	if (e->gone) {
		pthread_mutex_unlock(&e->mu);
		*why = MPU_WHY_NO_SUCH_UPLOAD;
		rc = AIS_ENOTFOUND;
		goto out;
	}
	if (rename(p->work, p->path)) {
		if (errno == ENOENT && !fsops_mkdir_parent(p->path) && !rename(p->work, p->path))
			goto renamed;
		rc = err_from_errno(errno);
		log_err("upload %s: rename %s -> %s: %s", e->u.id, p->work, p->path, strerror(errno));
		pthread_mutex_unlock(&e->mu);
		goto out;
	}
renamed:
	p->work[0] = '\0';
	c.path = strdup(p->path);
	char *old = NULL;
	rc = c.path ? ufest_add(&e->u, &c, &old) : AIS_ENOMEM;
	free(c.path);
	free(old); /* same path: the rename above already replaced the file ("last wins") */
	e->active = now_ns();
	if (!rc)
		up_checkpoint(e, false);
	pthread_mutex_unlock(&e->mu);
	if (!rc) {
		info->num = p->num;
		info->size = p->size;
		memcpy(info->md5, c.md5, 16);
		for (int i = 0; i < 16; i++)
			snprintf(info->etag + 2 * i, 3, "%02x", c.md5[i]);
		snprintf(info->xck_type, sizeof(info->xck_type), "%s", c.xck_type);
		snprintf(info->xck_val, sizeof(info->xck_val), "%s", c.xck_val);
	}
out:
	part_free(p);
	return rc;
}

int mpu_put_part(const obj_t *o, const char *id, int num, const char *xck_algo, const char *want_xck,
		 mpu_read_cb rd, void *arg, mpu_part_info_t *info, mpu_why_t *why)
{
	mpu_part_t *p;
	int rc = mpu_part_begin(o, id, num, xck_algo, 0, &p, why);
	if (rc)
		return rc;
	char *buf = malloc(256 * 1024);
	bool ok = buf != NULL;
	while (ok) {
		ssize_t n = rd(arg, buf, 256 * 1024);
		if (n < 0)
			ok = false;
		if (n <= 0)
			break;
		if (mpu_part_write(p, buf, (size_t)n))
			ok = false;
	}
	free(buf);
	return mpu_part_end(p, ok, want_xck, info, why);
}

/* ---- complete / abort / get ---- */

static int cpart_cmp(const void *a, const void *b)
{
	const mpu_cpart_t *x = a, *y = b;
	return (x->num > y->num) - (x->num < y->num);
}

static bool etag_eq(const char *given, const unsigned char md5[16])
{
	char hex[33];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md5[i]);
	size_t n = strlen(given);
	if (n >= 2 && given[0] == '"' && given[n - 1] == '"') {
		given++;
		n -= 2;
	}
	return n == 32 && !strncasecmp(given, hex, 32);
}

int mpu_composite_xck(const ufest_t *u, char *type, size_t tcap, char *val, size_t vcap)
{
	if (!u->count || !u->chunks[0].xck_type[0])
		return AIS_ENOTFOUND;
	s3ck_type_t t = s3ck_type_from_name(u->chunks[0].xck_type);
	if (t == S3CK_NONE)
		return AIS_ENOTFOUND;
	s3ck_t ck;
	s3ck_init(&ck, t);
	for (int i = 0; i < u->count; i++) {
		unsigned char raw[64];
		long n;
		if (strcmp(u->chunks[i].xck_type, u->chunks[0].xck_type) ||
		    (n = s3_b64_decode(u->chunks[i].xck_val, raw, sizeof(raw))) <= 0) {
			unsigned char sink[64];
			s3ck_final_raw(&ck, sink);
			return AIS_ENOTFOUND;
		}
		s3ck_update(&ck, raw, (size_t)n);
	}
	char b64[64];
	s3ck_final_b64(&ck, b64);
	snprintf(type, tcap, "%s", u->chunks[0].xck_type);
	snprintf(val, vcap, "%s-%d", b64, u->count);
	return 0;
}

/* the manifest of the parts to commit (S3: a subset), or AIS_E* + why */
static int select_parts(const ufest_t *u, mpu_cpart_t *parts, int n, int flags, ufest_t *sel, mpu_why_t *why)
{
	bool s3 = flags & MPU_C_S3;
	if (n < 1) {
		*why = MPU_WHY_INVALID_PART;
		return AIS_EINVAL;
	}
	if (!s3) {
		qsort(parts, (size_t)n, sizeof(*parts), cpart_cmp);
		if (n != u->count) {
			*why = MPU_WHY_PARTIAL;
			return AIS_EINVAL;
		}
		for (int i = 0; i < n; i++)
			if (parts[i].num != i + 1 || u->chunks[i].num != i + 1) {
				*why = MPU_WHY_PARTIAL;
				return AIS_EINVAL;
			}
		return ufest_copy(sel, u);
	}
	ufest_init(sel);
	memcpy(sel->id, u->id, sizeof(sel->id));
	sel->created = u->created;
	int rc = 0;
	if ((u->oname && (rc = ufest_set_oname(sel, u->oname))) || (rc = ufest_set_meta(sel, u->meta, u->meta_len)))
		goto fail;
	for (int i = 0; i < n; i++) {
		if (i && parts[i].num <= parts[i - 1].num) {
			*why = MPU_WHY_INVALID_ORDER;
			rc = AIS_EINVAL;
			goto fail;
		}
		const ufest_chunk_t *c = ufest_get(u, parts[i].num);
		if (!c || (parts[i].etag && *parts[i].etag && !etag_eq(parts[i].etag, c->md5))) {
			*why = MPU_WHY_INVALID_PART;
			rc = AIS_EINVAL;
			goto fail;
		}
		if (i < n - 1 && c->size < MPU_S3_MIN_PART) {
			*why = MPU_WHY_TOO_SMALL;
			rc = AIS_EINVAL;
			goto fail;
		}
		ufest_chunk_t cc = *c;
		char *old;
		if (!(cc.path = strdup(c->path)) || (rc = ufest_add(sel, &cc, &old))) {
			free(cc.path);
			rc = rc ? rc : AIS_ENOMEM;
			goto fail;
		}
	}
	return 0;
fail:
	ufest_fini(sel);
	return rc;
}

int mpu_complete(const obj_t *o, const char *id, mpu_cpart_t *parts, int n, int flags, mpu_md_cb cb,
		 void *cb_arg, lom_md_t *md, char *etag, size_t cap, mpu_why_t *why)
{
	mpu_up_t *e = up_get(o, id, why);
	if (!e)
		return AIS_ENOTFOUND;
	ufest_t sel;
	ufest_init(&sel);
	int rc;
	bool done = false;
	pthread_mutex_lock(&e->mu);
	if (e->gone) {
		*why = MPU_WHY_NO_SUCH_UPLOAD;
		rc = AIS_ENOTFOUND;
		goto unlock;
	}
	if ((rc = select_parts(&e->u, parts, n, flags, &sel, why)))
		goto unlock;
	ufest_etag(&sel, etag, cap);
	md->size = sel.size;
	md->atime = md->mtime = now_ns();
	if (o->bck->cksum_type != CKSUM_NONE) {
		md->cktype = CKSUM_CRC32C;
		snprintf(md->ckval, sizeof(md->ckval), "%08x", ufest_crc32c(&sel));
	}
	if (flags & MPU_C_S3) {
		char q[64];
		snprintf(q, sizeof(q), "\"%s\"", etag);
		lom_md_custom_set(md, "ETag", q);
	}
	if (cb && (rc = cb(md, &sel, cb_arg)))
		goto unlock;
	if ((rc = chunk_commit(o, &sel, md, (flags & MPU_C_KEEP_VERSION) != 0)))
		goto unlock;
	/* parts uploaded but not listed (S3) */
	for (int i = 0; i < e->u.count; i++)
		if (!ufest_get(&sel, e->u.chunks[i].num))
			unlink(e->u.chunks[i].path);
	e->gone = done = true;
unlock:
	pthread_mutex_unlock(&e->mu);
	if (done)
		up_remove(e);
	up_put(e);
	ufest_fini(&sel);
	return rc;
}

int mpu_abort(const obj_t *o, const char *id, mpu_why_t *why)
{
	mpu_up_t *e = up_get(o, id, why);
	if (!e)
		return AIS_ENOTFOUND;
	pthread_mutex_lock(&e->mu);
	int rc = 0;
	if (e->gone) {
		*why = MPU_WHY_NO_SUCH_UPLOAD;
		rc = AIS_ENOTFOUND;
	} else {
		chunk_remove_upload(o, &e->u);
		e->gone = true;
	}
	pthread_mutex_unlock(&e->mu);
	up_remove(e);
	up_put(e);
	return rc;
}

int mpu_get(const obj_t *o, const char *id, ufest_t *copy, mpu_why_t *why)
{
	mpu_up_t *e = up_get(o, id, why);
	if (!e)
		return AIS_ENOTFOUND;
	pthread_mutex_lock(&e->mu);
	int rc = e->gone ? AIS_ENOTFOUND : ufest_copy(copy, &e->u);
	if (e->gone)
		*why = MPU_WHY_NO_SUCH_UPLOAD;
	pthread_mutex_unlock(&e->mu);
	up_put(e);
	return rc;
}

int64_t mpu_last_active(const char *id)
{
	int64_t t = 0;
	pthread_mutex_lock(&mpu_mu);
	for (mpu_up_t *e = mpu_head; e; e = e->next)
		if (!strcmp(e->u.id, id))
			t = e->active;
	pthread_mutex_unlock(&mpu_mu);
	return t;
}

void mpu_forget(const char *id)
{
	pthread_mutex_lock(&mpu_mu);
	mpu_up_t *e = mpu_head;
	for (; e; e = e->next)
		if (!strcmp(e->u.id, id))
			break;
	if (e)
		up_unlink_locked(e);
	pthread_mutex_unlock(&mpu_mu);
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->gone = true;
	pthread_mutex_unlock(&e->mu);
	up_put(e);
}

int mpu_list(const bck_t *b, const char *prefix, mpu_list_cb cb, void *arg)
{
	size_t pl = prefix ? strlen(prefix) : 0;
	char dir[FQN_MAX];
	for (int i = 0; i < fs_count(); i++) {
		if (!fs_in_use(i))
			continue; /* disabled or detached */
		int n = fqn_ct_dir(dir, sizeof(dir), fs_get(i)->path, b->provider, b->ns, b->name, FQN_CT_UFEST);
		if (n < 0)
			continue;
		/* partial manifests: "<rel>.<id>" anywhere under %ut */
		char *stack[64];
		int sp = 0;
		stack[sp++] = strdup(dir);
		while (sp > 0) {
			char *d = stack[--sp];
			DIR *dd = d ? opendir(d) : NULL;
			struct dirent *de;
			while (dd && (de = readdir(dd))) {
				if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
					continue;
				char p[FQN_MAX];
				if (snprintf(p, sizeof(p), "%s/%s", d, de->d_name) >= (int)sizeof(p))
					continue;
				struct stat st;
				if (lstat(p, &st))
					continue;
				if (S_ISDIR(st.st_mode)) {
					if (sp < 64)
						stack[sp++] = strdup(p);
					continue;
				}
				ufest_t u;
				ufest_init(&u);
				if (!strchr(de->d_name, '.') || ufest_load(p, &u)) {
					ufest_fini(&u);
					continue;
				}
				if (!(u.flags & UFEST_FL_COMPLETED) && u.oname && (!pl || !strncmp(u.oname, prefix, pl)))
					cb(u.oname, u.id, u.created, arg);
				ufest_fini(&u);
			}
			if (dd)
				closedir(dd);
			free(d);
		}
	}
	return 0;
}
