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
#include <string.h>
#include <time.h>

#include "backend/bk_blob.h"
#include "backend/bk_obj.h"
#include "core/err.h"
#include "core/util.h"
#include "xact/xs.h"
#include "xact/xs_job.h"

typedef struct pf {
	xs_job_t j;
	bool latest, coer, non_recurs;
	int64_t blob_thr, blob_chunk;
	int blob_workers, nworkers;
	int64_t throttle;
} pf_t;

static int pf_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	pf_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc || (rc = xs_job_remote(&p->j, "prefetch", "", err, cap)))
		return rc;
	json_t *msg = p->j.msg;
	if ((rc = xs_lr_validate(msg, err, cap)))
		return rc;
	p->latest = xs_msg_bool(msg, "latest-ver");
	p->coer = xs_msg_bool(msg, "coer");
	p->non_recurs = xs_msg_bool(msg, "non-recurs");
	p->blob_thr = xs_msg_size(msg, "blob-threshold", 0);
	p->blob_chunk = xs_msg_size(msg, "blob-chunk-size", 0);
	p->blob_workers = (int)xs_msg_int(msg, "blob-num-workers", 0);
	p->nworkers = (int)xs_msg_int(msg, "num-workers", 0);
	const char *th = xs_msg_str(msg, "throttle", "");
	if (*th && parse_duration(th, &p->throttle)) {
		snprintf(err, cap, "prefetch: invalid throttle \"%s\"", th);
		return AIS_EINVAL;
	}
	if (p->blob_thr < 0 || p->blob_chunk < 0) {
		snprintf(err, cap, "prefetch: invalid blob-threshold or blob-chunk-size");
		return AIS_EINVAL;
	}
	xs_job_lr_ctlmsg(&p->j);
	return 0;
}

static int pf_one(void *arg, const char *name, int64_t size)
{
	pf_t *p = arg;
	xact_t *x = p->j.x;
	if (p->throttle > 0) {
		struct timespec ts = {.tv_sec = p->throttle / 1000000000, .tv_nsec = p->throttle % 1000000000};
		nanosleep(&ts, NULL);
		if (xact_aborted(x))
			return 0;
	}
	obj_t o;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->j.b, name)) {
		xact_add_err(x, "prefetch: invalid object name \"%s\"", name);
		return p->coer ? 0 : AIS_EINVAL;
	}
	bool refresh;
	if (xs_obj_current(&o, p->latest, &refresh))
		return 0; /* present (and the latest): nothing to do */
	bk_err_t e = {0};
	int rc;
	if (p->blob_thr > 0 && size >= p->blob_thr) {
		bk_blob_opts_t bo = {.chunk_size = p->blob_chunk, .nworkers = p->blob_workers, .full_size = size};
		rc = bk_blob_get(&o, &bo, NULL, &e);
	} else {
		rc = bk_fetch(&o, refresh, &e);
	}
	if (rc) {
		xact_add_err(x, "%s", e.msg[0] ? e.msg : err_str(rc));
		return p->coer ? 0 : rc;
	}
	int64_t have = xs_obj_size(&o);
	xact_objs_add(x, 1, have > 0 ? have : 0);
	return 0;
}

static void pf_run(xact_t *x)
{
	pf_t *p = xact_priv(x);
	xs_job_run(x, p->j.b, p->j.msg, NULL, XS_LR_REMOTE, p->non_recurs,
		   p->nworkers == 0 ? 4 : p->nworkers < 0 ? 1 : p->nworkers, pf_one, p);
}

const xact_ops_t xs_prefetch_ops = {.prep = pf_prep, .run = pf_run, .fini = xs_job_fini};
