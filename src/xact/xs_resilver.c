/* xs_resilver: the "resilver" job (AIStore's xs.Resilver, docs/resilver.md): this target's
 * objects to their HRW mountpath under the current set of available mountpaths, after a mountpath
 * was attached, enabled, disabled or detached (or when started by hand: kind "resilver" + the
 * target's ID). For every bucket and every mountpath in use (available or waiting_dd), each
 * object whose HRW mountpath is another one is moved there (obj_reloc_mpath: rename on the same
 * filesystem, else a copy; never over a newer version, a source that changed meanwhile is left
 * alone). Reads find misplaced objects meanwhile (obj_get_open looks on every mountpath in use).
 * When the walk completes, mountpaths waiting to be disabled or detached get there (fs_dd_commit);
 * an abort by the user puts them back into service (fs_dd_cancel); an abort by a newer mountpath
 * event (a new resilver preempts this one, prep) keeps them waiting for the next run.
 * Counters: loc-objs/loc-bytes = objects moved (AIStore's "main replicas restored"); the ctlmsg
 * adds "visited:N moved:N dropped:N". Must not: move anything between targets. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/obj.h"
#include "obj/obj_reloc.h"
#include "obj/obj_ver.h"
#include "obj/obj_walk.h"
#include "xact/xs.h"

#define RES_PREEMPT_WAIT_MS 15000

typedef struct res {
	xact_t *x;
	const bck_t *bck;
	int mpi;
	int64_t throttle_ns; /* test-only: sleep per visited object (params "throttle") */
	_Atomic int64_t visited, moved, dropped;
	obj_t o, src;        /* scratch (8 KiB each) */
} res_t;

/* a newer mountpath event supersedes the running resilver: abort it and wait until it ended */
static int res_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	(void)err;
	(void)cap;
	res_t *r = calloc(1, sizeof(*r));
	if (!r)
		return AIS_ENOMEM;
	r->x = x;
	const char *th = a && a->params ? json_string_value(json_object_get(a->params, "throttle")) : NULL;
	if (th && parse_duration(th, &r->throttle_ns))
		r->throttle_ns = 0;
	xact_set_priv(x, r);
	xact_filter_t f;
	memset(&f, 0, sizeof(f));
	f.only_running = 1;
	snprintf(f.kind, sizeof(f.kind), "resilver");
	if (!xact_reg_abort(&f, "renewed: a new mountpath event"))
		return 0;
	for (int i = 0; i < RES_PREEMPT_WAIT_MS / 20; i++) {
		json_t *run = xact_reg_running("resilver");
		size_t n = json_array_size(run);
		json_decref(run);
		if (!n)
			return 0;
		usleep(20 * 1000);
	}
	log_warn("resilver[%s]: the previous resilver takes long to finish, starting anyway", xact_id(x));
	return 0;
}

static int res_visit(void *arg, const char *name, size_t nlen, const char *fqn)
{
	(void)nlen;
	(void)fqn;
	res_t *r = arg;
	if (xact_aborted(r->x))
		return 1;
	atomic_fetch_add(&r->visited, 1);
	if (r->throttle_ns)
		usleep((useconds_t)(r->throttle_ns / 1000));
	obj_t *o = &r->o;
	memset(o, 0, sizeof(*o));
	if (strlen(name) >= sizeof(o->ibuf))
		return 0;
	memcpy(o->ibuf, name, strlen(name) + 1);
	if (obj_place(o, r->bck, o->ibuf) || o->mpi == r->mpi)
		return 0; /* at its HRW mountpath (or nowhere to go) */
	if (obj_place_on(&r->src, o, r->mpi))
		return 0;
	int64_t bytes = 0;
	int rc = obj_reloc_mpath(&r->src, o, &bytes);
	if (rc == OBJ_RELOC_MOVED) {
		atomic_fetch_add(&r->moved, 1);
		xact_objs_add(r->x, 1, bytes);
	} else if (rc == OBJ_RELOC_DROPPED) {
		atomic_fetch_add(&r->dropped, 1);
	} else if (rc < 0) {
		xact_add_err(r->x, "%s: failed to move to %s: %s", r->src.fqn, fs_get(o->mpi)->path, err_str(rc));
	}
	return 0;
}

/* a retained version (S3 versioning) on a mountpath that is not its object's HRW one: there */
static int res_ver_visit(void *arg, const char *fqn)
{
	res_t *r = arg;
	if (xact_aborted(r->x))
		return 1;
	obj_t o;
	lom_md_t md;
	int64_t seq;
	lom_md_init(&md);
	if (!obj_ver_ident(r->bck, fqn, &o, &md, &seq) && o.mpi != r->mpi) {
		int rc = obj_ver_move_here(&o, seq, fqn);
		if (rc)
			xact_add_err(r->x, "%s: version %lld failed to move to %s: %s", o.oname, (long long)seq,
				     fs_get(o.mpi)->path, err_str(rc));
		else
			atomic_fetch_add(&r->moved, 1);
	}
	lom_md_fini(&md);
	return 0;
}

static void res_run(xact_t *x)
{
	res_t *r = xact_priv(x);
	bmd_t *bmd = bmd_get();
	for (int b = 0; bmd && b < bmd->nbcks && !xact_aborted(x); b++) {
		r->bck = &bmd->bcks[b];
		for (int i = 0; i < fs_count() && !xact_aborted(x); i++) {
			if (!fs_in_use(i))
				continue;
			r->mpi = i;
			int rc = obj_walk(r->bck, i, res_visit, r);
			if (rc < 0)
				xact_add_err(x, "walk %s: %s", fs_get(i)->path, err_str(rc));
			if (!xact_aborted(x) && (rc = obj_ver_walk(r->bck, i, res_ver_visit, r)) < 0)
				xact_add_err(x, "walk versions %s: %s", fs_get(i)->path, err_str(rc));
		}
		if (r->bck->mirror_copies > 1 && !xact_aborted(x)) /* keep the copy count (mountpaths changed) */
			xs_mirror_bucket(x, r->bck, r->bck->mirror_copies);
	}
	bmd_put(bmd);
	char why[XACT_ERR_MAX];
	xact_abort_err(x, why, sizeof(why));
	int n;
	if (!xact_aborted(x)) {
		if ((n = fs_dd_commit()))
			log_info("resilver[%s]: %d mountpath(s) disabled/detached", xact_id(x), n);
	} else if (!strcmp(why, "user abort") && (n = fs_dd_cancel())) {
		log_warn("resilver[%s]: aborted by the user: %d mountpath(s) back in service", xact_id(x), n);
	}
	log_info("resilver[%s]: visited %lld, moved %lld, dropped %lld", xact_id(x), (long long)atomic_load(&r->visited),
		 (long long)atomic_load(&r->moved), (long long)atomic_load(&r->dropped));
}

static void res_ctlmsg(const xact_t *x, sbuf_t *out)
{
	const res_t *r = xact_priv(x);
	if (r)
		sbuf_addf(out, "%svisited:%lld moved:%lld dropped:%lld", out->len ? " " : "",
			  (long long)atomic_load(&((res_t *)r)->visited), (long long)atomic_load(&((res_t *)r)->moved),
			  (long long)atomic_load(&((res_t *)r)->dropped));
}

static void res_fini(xact_t *x) { free(xact_priv(x)); }

const xact_ops_t xs_resilver_ops = {.prep = res_prep, .run = res_run, .ctlmsg = res_ctlmsg, .fini = res_fini};
