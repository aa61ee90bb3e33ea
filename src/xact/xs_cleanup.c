/* xs_cleanup: the "cleanup-store" job (AIStore's space.XactCln, apc.ActStoreCleanup; display name
 * "cleanup"), this target's part of space cleanup, reduced to what chunked objects and
 * multipart uploads leave behind. Per bucket (all in the BMD, or the ArgsMsg's Bck/Buckets),
 * per mountpath:
 *   - partial manifests (%ut/<rel>.<id>) of uploads idle longer than space.dont_cleanup_time:
 *     the upload, its chunks and the manifest go;
 *   - completed manifests no object refers to (object gone, monolithic now, other id);
 *   - chunk files (%ch) no kept manifest lists and no live upload owns;
 *   - work files (%wk) older than the threshold (interrupted PUTs/parts).
 * Anything newer than the threshold is never touched, so in-flight uploads and PUTs are safe.
 * Counters: loc-objs/loc-bytes = files/bytes removed (AIStore's ObjsAdd of removed files); the
 * ctlmsg adds "t[<id>]: visits:N oldwork:N orphans:N rm:N/<size>" as AIStore's.
 * Parameters (xact_args_t.params, from the start request's query): "dont_cleanup_time"
 * (duration; overrides the config, tests use 0s) and "throttle" (duration slept per visited
 * file; test-only, makes the job slow enough to watch and abort). The job polls its abort flag
 * per file and ends ABORTED when asked. Must not: touch anything newer than the threshold. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fqn.h"
#include "fs/fs.h"
#include "obj/chunk.h"
#include "obj/lom.h"
#include "obj/mpu.h"
#include "obj/ufest.h"
#include "xact/xact_wire.h"
#include "xact/xs.h"

#define CLN_DEFAULT_DONT_NS ((int64_t)60 * 60 * 1000000000LL) /* dont_cleanup_time 0: AIStore's 1h */
#define CLN_MAX_DEPTH 256
#define CLN_FLAG_ZERO_SIZE 1u     /* xact.FlagZeroSize */
#define CLN_FLAG_KEEP_MISPLACED 8u /* xact.FlagKeepMisplaced */

typedef struct strset {
	char **v;
	size_t n, cap;
	bool sorted;
} strset_t;

/* the job's private state: parameters (set in prep) and per-run counters (atomics, read by
 * the snapshot's ctlmsg while the job runs) */
typedef struct cln {
	int64_t dont, throttle;
	xact_bck_t *bcks; /* NULL: every bucket in the BMD */
	int nbcks;
	_Atomic int64_t visits, oldwork, orphans, uploads;
	/* run-time, job thread only */
	xact_t *x;
	int64_t now;
	strset_t refs;   /* chunk paths listed by kept manifests */
	strset_t live;   /* ids of kept partial uploads */
} cln_t;

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

static int ss_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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

static int64_t mtime_ns(const struct stat *st) { return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec; }

static bool cln_old(const cln_t *c, int64_t t) { return c->now - t > c->dont; }

/* remove one file, counting it (and its size) as removed */
static bool cln_rm(cln_t *c, const char *path)
{
	struct stat st;
	int64_t sz = lstat(path, &st) ? 0 : (int64_t)st.st_size;
	if (unlink(path))
		return false;
	xact_objs_add(c->x, 1, sz);
	return true;
}

/* per visited file: the test-only throttle, then the abort check; false = stop */
static bool cln_visit(cln_t *c)
{
	c->visits++;
	if (c->throttle > 0) {
		struct timespec ts = {.tv_sec = c->throttle / 1000000000, .tv_nsec = c->throttle % 1000000000};
		nanosleep(&ts, NULL);
	}
	return !xact_aborted(c->x);
}

typedef void (*cln_file_cb)(cln_t *c, const char *path, const char *base, const struct stat *st);

static void cln_walk(cln_t *c, const char *top, cln_file_cb cb)
{
	char *stack[CLN_MAX_DEPTH];
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
				if (sp < CLN_MAX_DEPTH)
					stack[sp++] = strdup(p);
			} else if (S_ISREG(st.st_mode)) {
				if (!cln_visit(c))
					break;
				cb(c, p, nm, &st);
			}
		}
		if (dd)
			closedir(dd);
		free(d);
		if (xact_aborted(c->x)) /* unwind the rest of the stack */
			while (sp > 0)
				free(stack[--sp]);
	}
}

/* does the object at chunk 1's path (the object file) refer to this completed manifest? */
static bool cln_obj_refers(const ufest_t *u)
{
	lom_md_t md;
	lom_md_init(&md);
	char leaf[FQN_MAX];
	bool loaded = u->count > 0 && lom_load(-1, u->chunks[0].path, &md) == 0;
	/* the object file moved into its leaf since (a longer name needed its path: fqn.h) */
	if (!loaded && u->count > 0 && snprintf(leaf, sizeof(leaf), "%s", u->chunks[0].path) > 0 &&
	    fqn_leaf(leaf, sizeof(leaf), strlen(leaf)) > 0)
		loaded = lom_load(-1, leaf, &md) == 0;
	bool yes = loaded && (md.flags & LOM_FL_CHUNKED) && !strcmp(md.uid, u->id);
	lom_md_fini(&md);
	return yes;
}

static void cln_manifest_cb(cln_t *c, const char *path, const char *base, const struct stat *st)
{
	ufest_t u;
	ufest_init(&u);
	(void)base;
	if (ufest_load(path, &u)) {
		if (cln_old(c, mtime_ns(st)) && cln_rm(c, path)) {
			log_warn("space cleanup: removed unreadable manifest %s", path);
			c->orphans++;
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
				cln_rm(c, u.chunks[i].path);
			cln_rm(c, path);
			c->uploads++;
			c->orphans++;
			log_info("space cleanup: removed abandoned upload %s of %s (%d part(s))", u.id, u.oname ? u.oname : "?",
				 u.count);
		} else {
			ss_add(&c->live, u.id);
			for (int i = 0; i < u.count; i++)
				ss_add(&c->refs, u.chunks[i].path);
		}
	} else if (!cln_obj_refers(&u) && cln_old(c, mtime_ns(st))) {
		for (int i = 1; i < u.count; i++)
			cln_rm(c, u.chunks[i].path);
		cln_rm(c, path);
		c->orphans++;
		log_info("space cleanup: removed orphaned manifest %s", path);
	} else {
		for (int i = 0; i < u.count; i++)
			ss_add(&c->refs, u.chunks[i].path);
	}
	ufest_fini(&u);
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

static void cln_chunk_cb(cln_t *c, const char *path, const char *base, const struct stat *st)
{
	char id[UFEST_ID_MAX];
	if (ss_has(&c->refs, path))
		return;
	if (cln_chunk_id(base, id, sizeof(id)) && ss_has(&c->live, id))
		return;
	if (cln_old(c, mtime_ns(st)) && cln_rm(c, path))
		c->orphans++;
}

static void cln_work_cb(cln_t *c, const char *path, const char *base, const struct stat *st)
{
	(void)base;
	if (cln_old(c, mtime_ns(st)) && cln_rm(c, path))
		c->oldwork++;
}

static void cln_bucket(cln_t *c, const bck_t *b)
{
	static const struct {
		const char *ct;
		cln_file_cb cb;
	} passes[] = {{FQN_CT_UFEST, cln_manifest_cb}, {FQN_CT_CHUNK, cln_chunk_cb}, {FQN_CT_WORK, cln_work_cb}};
	char dir[FQN_MAX];
	for (size_t p = 0; p < sizeof(passes) / sizeof(passes[0]) && !xact_aborted(c->x); p++)
		for (int i = 0; i < fs_count() && !xact_aborted(c->x); i++)
			if (fs_in_use(i) && fqn_ct_dir(dir, sizeof(dir), fs_get(i)->path, b->provider, b->ns, b->name, passes[p].ct) > 0)
				cln_walk(c, dir, passes[p].cb);
	ss_fini(&c->refs);
	ss_fini(&c->live);
}

/* space.dont_cleanup_time; 0 means AIStore's system default (1h, cmn/config.go) */
static int64_t cln_dont_cleanup(void)
{
	const config_t *cfg = config_get();
	int64_t ns = cfg ? cfg->dont_cleanup_time_ns : 0;
	config_put(cfg);
	return ns ? ns : CLN_DEFAULT_DONT_NS;
}

static int cln_param_dur(const xact_args_t *a, const char *key, int64_t *out, char *err, size_t cap)
{
	const char *s = a && a->params ? json_string_value(json_object_get(a->params, key)) : NULL;
	if (!s || !*s)
		return 0;
	if (parse_duration(s, out) || *out < 0) {
		snprintf(err, cap, "invalid %s=%s: expecting a duration, e.g. 10s", key, s);
		return AIS_EINVAL;
	}
	return 1;
}

static int cln_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	cln_t *c = calloc(1, sizeof(*c));
	int rc;
	if (!c) {
		snprintf(err, cap, "out of memory");
		return AIS_ENOMEM;
	}
	/* xact.Flag*: keep-misplaced (8) is what this cleanup always does (it never removes objects);
	 * zero-size removal (1) and the others are not built */
	if (a && (a->flags & ~CLN_FLAG_KEEP_MISPLACED)) {
		snprintf(err, cap, "cleanup-store: flags 0x%x are not supported (%s)", a->flags & ~CLN_FLAG_KEEP_MISPLACED,
			 (a->flags & CLN_FLAG_ZERO_SIZE) ? "removing zero-size objects is not implemented" : "not implemented");
		rc = AIS_ENOTIMPL;
		goto fail;
	}
	c->dont = cln_dont_cleanup();
	if ((rc = cln_param_dur(a, "dont_cleanup_time", &c->dont, err, cap)) < 0 ||
	    (rc = cln_param_dur(a, "throttle", &c->throttle, err, cap)) < 0)
		goto fail;
	/* AIStore: no Buckets but a Bck → that one bucket */
	int n = a ? (a->nbuckets ? a->nbuckets : (a->bck.name[0] ? 1 : 0)) : 0;
	if (n) {
		c->bcks = calloc((size_t)n, sizeof(*c->bcks));
		if (!c->bcks) {
			snprintf(err, cap, "out of memory");
			rc = AIS_ENOMEM;
			goto fail;
		}
		for (int i = 0; i < n; i++)
			c->bcks[i] = a->nbuckets ? a->buckets[i] : a->bck;
		c->nbcks = n;
	}
	/* static ctlmsg: the buckets (as Go's %v of []cmn.Bck), then ArgsMsg.String() */
	sbuf_t m = SBUF_INIT;
	for (int i = 0; i < c->nbcks; i++) {
		char cn[300];
		xact_wire_bck_cname(&c->bcks[i], cn, sizeof(cn));
		sbuf_addf(&m, "%s%s%s", i ? " " : "[", cn, i == c->nbcks - 1 ? "]; " : "");
	}
	xact_args_t echo;
	memset(&echo, 0, sizeof(echo));
	if (a)
		echo = *a;
	snprintf(echo.kind, sizeof(echo.kind), "%s", xact_kind(x)->name);
	snprintf(echo.id, sizeof(echo.id), "%s", xact_id(x));
	char s[512];
	xact_wire_args_str(&echo, s, sizeof(s));
	sbuf_adds(&m, s);
	xact_set_ctlmsg(x, sbuf_str(&m));
	sbuf_fini(&m);
	c->x = x;
	xact_set_priv(x, c);
	return 0;
fail:
	free(c->bcks);
	free(c);
	return rc;
}

static void cln_run(xact_t *x)
{
	cln_t *c = xact_priv(x);
	c->now = now_ns();
	bmd_t *bmd = bmd_get();
	for (int i = 0; bmd && i < bmd->nbcks && !xact_aborted(x); i++) {
		const bck_t *b = &bmd->bcks[i];
		bool want = !c->nbcks;
		for (int k = 0; k < c->nbcks && !want; k++)
			want = !strcmp(c->bcks[k].name, b->name) && !strcmp(c->bcks[k].ns, b->ns) &&
			       !strcmp(c->bcks[k].provider[0] ? c->bcks[k].provider : "ais", b->provider);
		if (want)
			cln_bucket(c, b);
	}
	bmd_put(bmd);
	xact_stats_t st;
	xact_stats(x, &st);
	log_info("space cleanup %s: removed %lld file(s), %lld byte(s): %lld upload(s), %lld orphan(s), %lld work file(s)%s",
		 xact_id(x), (long long)st.objs, (long long)st.bytes, (long long)c->uploads, (long long)c->orphans,
		 (long long)c->oldwork, xact_aborted(x) ? " (aborted)" : "");
}

/* cos.IEC(v, 2) */
static void cln_iec(int64_t v, char *out, size_t cap)
{
	static const char *const u[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	if (v < 1024) {
		snprintf(out, cap, "%lldB", (long long)v);
		return;
	}
	double d = (double)v;
	int i = -1;
	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(out, cap, "%.2f%s", d, u[i]);
}

static void cln_ctlmsg(const xact_t *x, sbuf_t *out)
{
	cln_t *c = xact_priv(x);
	xact_stats_t st;
	if (!c)
		return;
	xact_stats(x, &st);
	sbuf_addf(out, "%st[%s]: visits:%lld", out->len ? "; " : "", node_id(), (long long)c->visits);
	if (c->oldwork)
		sbuf_addf(out, " oldwork:%lld", (long long)c->oldwork);
	if (c->orphans)
		sbuf_addf(out, " orphans:%lld", (long long)c->orphans);
	if (st.objs) {
		char sz[32];
		cln_iec(st.bytes, sz, sizeof(sz));
		sbuf_addf(out, " rm:%lld/%s", (long long)st.objs, sz);
	}
}

static void cln_fini(xact_t *x)
{
	cln_t *c = xact_priv(x);
	if (!c)
		return;
	ss_fini(&c->refs);
	ss_fini(&c->live);
	free(c->bcks);
	free(c);
	xact_set_priv(x, NULL);
}

const xact_ops_t xs_cleanup_ops = {
	.prep = cln_prep,
	.run = cln_run,
	.ctlmsg = cln_ctlmsg,
	.fini = cln_fini,
};
