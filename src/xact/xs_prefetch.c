/* xs_prefetch: "prefetch-listrange" (AIStore's xs/prefetch.go, apc.PrefetchMsg; display name
 * prefetch-objects): bring a remote bucket's objects into the cluster - a list, a template or a
 * prefix (then the remote listing), each target fetching the objects it owns through the
 * single flight of backend/bk_obj.h (a concurrent GET of the same object costs no second
 * remote request). Present objects are skipped unless "latest-ver" (then a changed one is
 * fetched again); objects at or above "blob-threshold" go through the blob downloader.
 * Workers: "num-workers" (0: 4, -1: none besides the job thread). "coer": keep going on
 * per-object errors (else the first one ends the job). Counters: loc-objs/loc-bytes = fetched.
 * Abort: checked before every object; an object being fetched completes or leaves nothing.
 * "throttle" (a duration, from the start request's query): sleep that long per object - test
 * only (makes a job slow enough to abort mid-way), as cleanup-store's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/bk.h"
#include "backend/bk_blob.h"
#include "backend/bk_obj.h"
#include "core/err.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "xact/xs.h"
#include "xact/xs_lr.h"

typedef struct pf {
	json_t *msg;
	bmd_t *bmd;
	const bck_t *b;
	xact_t *x;
	bool latest, coer, non_recurs;
	int64_t blob_thr, blob_chunk;
	int blob_workers, nworkers;
	int64_t throttle;
} pf_t;

static int pf_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	pf_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->x = x;
	int rc = xs_bck(&a->bck, &p->bmd, &p->b, err, cap);
	if (rc)
		return rc;
	if (!bk_of(p->b)) {
		snprintf(err, cap, "prefetch: bucket %s://%s is not a remote bucket", p->b->provider, p->b->name);
		return AIS_EINVAL;
	}
	p->msg = json_incref(a->params);
	if ((rc = xs_lr_validate(p->msg, err, cap)))
		return rc;
	p->latest = xs_msg_bool(p->msg, "latest-ver");
	p->coer = xs_msg_bool(p->msg, "coer");
	p->non_recurs = xs_msg_bool(p->msg, "non-recurs");
	p->blob_thr = xs_msg_size(p->msg, "blob-threshold", 0);
	p->blob_chunk = xs_msg_size(p->msg, "blob-chunk-size", 0);
	p->blob_workers = (int)xs_msg_int(p->msg, "blob-num-workers", 0);
	p->nworkers = (int)xs_msg_int(p->msg, "num-workers", 0);
	const char *th = xs_msg_str(p->msg, "throttle", "");
	if (*th && parse_duration(th, &p->throttle)) {
		snprintf(err, cap, "prefetch: invalid throttle \"%s\"", th);
		return AIS_EINVAL;
	}
	if (p->blob_thr < 0 || p->blob_chunk < 0) {
		snprintf(err, cap, "prefetch: invalid blob-threshold or blob-chunk-size");
		return AIS_EINVAL;
	}
	char s[400];
	xs_lr_str(p->msg, s, sizeof(s));
	xact_set_ctlmsg(x, s);
	return 0;
}

static int pf_one(void *arg, const char *name, int64_t size)
{
	pf_t *p = arg;
	if (p->throttle > 0) {
		struct timespec ts = {.tv_sec = p->throttle / 1000000000, .tv_nsec = p->throttle % 1000000000};
		nanosleep(&ts, NULL);
		if (xact_aborted(p->x))
			return 0;
	}
	obj_t o;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->b, name)) {
		xact_add_err(p->x, "prefetch: invalid object name \"%s\"", name);
		return p->coer ? 0 : AIS_EINVAL;
	}
	obj_get_t g;
	obj_why_t why;
	bk_err_t e = {0};
	int rc = obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	bool refresh = false;
	if (!rc) {
		bk_warm_t v = BK_WARM_SAME;
		if (p->latest && bk_warm_check(&o, &g.md, &v, &e))
			v = BK_WARM_SAME;
		obj_get_close(&g);
		if (v != BK_WARM_CHANGED)
			return 0; /* present (and the latest): nothing to do */
		refresh = true;
	} else {
		obj_get_close(&g);
	}
	if (p->blob_thr > 0 && size >= p->blob_thr) {
		bk_blob_opts_t bo = {.chunk_size = p->blob_chunk, .nworkers = p->blob_workers, .full_size = size};
		rc = bk_blob_get(&o, &bo, NULL, &e);
	} else {
		rc = bk_fetch(&o, refresh, &e);
	}
	if (rc) {
		xact_add_err(p->x, "%s", e.msg[0] ? e.msg : err_str(rc));
		return p->coer ? 0 : rc;
	}
	obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	xact_objs_add(p->x, 1, g.size > 0 ? g.size : 0);
	obj_get_close(&g);
	return 0;
}

static void pf_run(xact_t *x)
{
	pf_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	int rc = xs_lr_open(&it, p->b, p->msg, NULL, XS_LR_REMOTE, p->non_recurs, err, sizeof(err));
	if (!rc)
		rc = xs_run_workers(x, it, p->nworkers == 0 ? 4 : p->nworkers < 0 ? 1 : p->nworkers, pf_one, p, err,
				    sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void pf_fini(xact_t *x)
{
	pf_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_prefetch_ops = {.prep = pf_prep, .run = pf_run, .fini = pf_fini};
