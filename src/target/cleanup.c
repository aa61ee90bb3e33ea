/* cleanup: this target's part of AIStore's space cleanup (apc.ActStoreCleanup "cleanup-store"),
 * reduced to what chunked objects and multipart uploads leave behind:
 *   - partial manifests (%ut/<rel>.<id>) of uploads idle longer than space.dont_cleanup_time:
 *     the upload, its chunks and the manifest go;
 *   - completed manifests no object refers to (object gone, monolithic now, other id);
 *   - chunk files (%ch) no kept manifest lists and no live upload owns;
 *   - work files (%wk) older than the threshold (interrupted PUTs/parts).
 * Entry: PUT /v1/xactions {"action":"start","value":{"kind":"cleanup-store"}} (what AIStore's
 * proxy sends its targets), optional query dont_cleanup_time=<duration> (tests). Runs on a pool
 * thread, synchronously; answers {"uploads":n,"manifests":n,"chunks":n,"work":n}. Anything newer
 * than the threshold is never touched, so in-flight uploads and PUTs are safe. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/route.h"
#include "obj/chunk.h"
#include "fs/fs.h"
#include "obj/mpu.h"
#include "target/tgt_int.h"

typedef struct strset {
	char **v;
	size_t n, cap;
	bool sorted;
} strset_t;

static void ss_add(strset_t *s, const char *x)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		char **nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return;
		s->v = nv;
		s->cap = nc;
	}
	char *d = strdup(x);
	if (d)
		s->v[s->n++] = d;
	s->sorted = false;
}

static int ss_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ss_has(strset_t *s, const char *x)
{
	if (!s->n)
		return false;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), ss_cmp);
		s->sorted = true;
	}
	return bsearch(&x, s->v, s->n, sizeof(*s->v), ss_cmp) != NULL;
}

static void ss_fini(strset_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

typedef struct cln {
	const bck_t *bck;
	int64_t now, dont;
	strset_t refs;   /* chunk paths listed by kept manifests */
	strset_t live;   /* ids of kept partial uploads */
	int uploads, manifests, chunks, work;
} cln_t;

typedef void (*cln_file_cb)(cln_t *c, const char *path, const char *base, const struct stat *st, int mpi);

static void cln_walk(cln_t *c, const char *top, int mpi, cln_file_cb cb)
{
	char *stack[256];
	int sp = 0;
	stack[sp++] = strdup(top);
	while (sp > 0) {
		char *d = stack[--sp];
		DIR *dd = d ? opendir(d) : NULL;
		struct dirent *de;
		while (dd && (de = readdir(dd))) {
			const char *nm = de->d_name;
			if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
				continue;
			char p[FQN_MAX];
			if (snprintf(p, sizeof(p), "%s/%s", d, nm) >= (int)sizeof(p))
				continue;
			struct stat st;
			if (lstat(p, &st))
				continue;
			if (S_ISDIR(st.st_mode)) {
				if (sp < 256)
					stack[sp++] = strdup(p);
			} else if (S_ISREG(st.st_mode)) {
				cb(c, p, nm, &st, mpi);
			}
		}
		if (dd)
			closedir(dd);
		free(d);
	}
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static bool cln_old(const cln_t *c, int64_t t)
{
	return c->now - t > c->dont;
}

/* does the object at chunk 1's path (the object file) refer to this completed manifest? */
static bool cln_obj_refers(const ufest_t *u)
{
	lom_md_t md;
	lom_md_init(&md);
	bool yes = u->count > 0 && lom_load(-1, u->chunks[0].path, &md) == 0 && (md.flags & LOM_FL_CHUNKED) &&
		   !strcmp(md.uid, u->id);
	lom_md_fini(&md);
	return yes;
}

static void cln_manifest_cb(cln_t *c, const char *path, const char *base, const struct stat *st, int mpi)
{
	ufest_t u;
	ufest_init(&u);
	if (ufest_load(path, &u)) {
		if (cln_old(c, mtime_ns(st)) && !unlink(path)) {
			log_warn("space cleanup: removed unreadable manifest %s", path);
			c->manifests++;
		}
		ufest_fini(&u);
		return;
	}
	bool completed = u.flags & UFEST_FL_COMPLETED;
	if (!completed) {
		int64_t t = u.created;
		if (mtime_ns(st) > t)
			t = mtime_ns(st);
		int64_t a = mpu_last_active(u.id);
		if (a > t)
			t = a;
		if (cln_old(c, t)) {
			mpu_forget(u.id);
			for (int i = 0; i < u.count; i++)
				if (!unlink(u.chunks[i].path))
					c->chunks++;
			unlink(path);
			c->uploads++;
			log_info("space cleanup: removed abandoned upload %s of %s (%d part(s))", u.id,
				 u.oname ? u.oname : "?", u.count);
		} else {
			ss_add(&c->live, u.id);
			for (int i = 0; i < u.count; i++)
				ss_add(&c->refs, u.chunks[i].path);
		}
	} else if (!cln_obj_refers(&u) && cln_old(c, mtime_ns(st))) {
		for (int i = 1; i < u.count; i++)
			if (!unlink(u.chunks[i].path))
				c->chunks++;
		unlink(path);
		c->manifests++;
		log_info("space cleanup: removed orphaned manifest %s", path);
	} else {
		for (int i = 0; i < u.count; i++)
			ss_add(&c->refs, u.chunks[i].path);
	}
	ufest_fini(&u);
	(void)base;
	(void)mpi;
}

/* "<rel>.<id>.<NNNN>": the id */
static bool cln_chunk_id(const char *base, char *id, size_t cap)
{
	const char *b = strrchr(base, '.');
	if (!b || b == base)
		return false;
	const char *a = b - 1;
	while (a > base && *a != '.')
		a--;
	if (*a != '.' || (size_t)(b - a - 1) >= cap)
		return false;
	snprintf(id, cap, "%.*s", (int)(b - a - 1), a + 1);
	return true;
}

static void cln_chunk_cb(cln_t *c, const char *path, const char *base, const struct stat *st, int mpi)
{
	char id[UFEST_ID_MAX];
	if (ss_has(&c->refs, path))
		return;
	if (cln_chunk_id(base, id, sizeof(id)) && ss_has(&c->live, id))
		return;
	if (!cln_old(c, mtime_ns(st)))
		return;
	if (!unlink(path))
		c->chunks++;
	(void)mpi;
}

static void cln_work_cb(cln_t *c, const char *path, const char *base, const struct stat *st, int mpi)
{
	if (cln_old(c, mtime_ns(st)) && !unlink(path))
		c->work++;
	(void)base;
	(void)mpi;
}

static void cln_bucket(cln_t *c, const bck_t *b)
{
	char dir[FQN_MAX];
	c->bck = b;
	for (int i = 0; i < fs_count(); i++)
		if (fs_in_use(i) && fqn_ct_dir(dir, sizeof(dir), fs_get(i)->path, b->provider, b->ns, b->name, FQN_CT_UFEST) > 0)
			cln_walk(c, dir, i, cln_manifest_cb);
	for (int i = 0; i < fs_count(); i++)
		if (fs_in_use(i) && fqn_ct_dir(dir, sizeof(dir), fs_get(i)->path, b->provider, b->ns, b->name, FQN_CT_CHUNK) > 0)
			cln_walk(c, dir, i, cln_chunk_cb);
	for (int i = 0; i < fs_count(); i++)
		if (fs_in_use(i) && fqn_ct_dir(dir, sizeof(dir), fs_get(i)->path, b->provider, b->ns, b->name, FQN_CT_WORK) > 0)
			cln_walk(c, dir, i, cln_work_cb);
	ss_fini(&c->refs);
	ss_fini(&c->live);
}

static int64_t cln_dont_cleanup(void)
{
	/* space.dont_cleanup_time; 0 means AIStore's system default (1h) */
	const config_t *cfg = config_get();
	int64_t ns = cfg ? cfg->dont_cleanup_time_ns : 0;
	config_put(cfg);
	return ns ? ns : (int64_t)3600 * 1000000000;
}

static void cln_handle(http_req_t *r)
{
	json_error_t je;
	json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	const char *act = j ? json_string_value(json_object_get(j, "action")) : NULL;
	const char *kind = j ? json_string_value(json_object_get(json_object_get(j, "value"), "kind")) : NULL;
	if (!act || strcmp(act, "start") || !kind || strcmp(kind, "cleanup-store")) {
		http_error(r, 400, NULL, "%s: unsupported xaction request (action \"%s\", kind \"%s\")", node_name(),
			   act ? act : "", kind ? kind : "");
		goto out;
	}
	cln_t c;
	memset(&c, 0, sizeof(c));
	c.now = now_ns();
	c.dont = cln_dont_cleanup();
	const char *q = http_query_get(r, "dont_cleanup_time");
	int64_t ov;
	if (q && *q && !parse_duration(q, &ov))
		c.dont = ov;
	bmd_t *bmd = bmd_get();
	for (int i = 0; bmd && i < bmd->nbcks; i++)
		cln_bucket(&c, &bmd->bcks[i]);
	bmd_put(bmd);
	log_info("space cleanup: removed %d upload(s), %d manifest(s), %d chunk(s), %d work file(s)", c.uploads,
		 c.manifests, c.chunks, c.work);
	char out[160];
	int n = snprintf(out, sizeof(out), "{\"uploads\":%d,\"manifests\":%d,\"chunks\":%d,\"work\":%d}", c.uploads,
			 c.manifests, c.chunks, c.work);
	http_respond(r, 200, "application/json", out, (size_t)n);
out:
	if (j)
		json_decref(j);
}

static void cln_route_cb(http_req_t *r)
{
	http_read_body(r, 64 * 1024, cln_handle, true);
}

void cleanup_init(void)
{
	route_add(RM(HTTP_M_PUT), "/v1/xactions", cln_route_cb);
}
