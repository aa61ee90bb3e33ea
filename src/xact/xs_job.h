/* xs_job: the skeleton the bucket jobs share (delete-, evict- and prefetch-listrange,
 * copy-bck, copy-listrange, move-bck, blob-download, promote). Their private state starts with
 * an xs_job_t - the job, its message and the BMD reference that keeps the job's bucket valid -
 * allocated (xs_job_prep) and released (xs_job_fini, usable as the kind's .fini) here; the run of
 * a per-object step over a selection (xs_lr.h) on the job's workers; and the per-object steps
 * more than one job takes (is it here, is it current, remove it). Owns no state of its own.
 * Everything past prep blocks (disk, remote): job threads only. */
#ifndef AIS_XS_JOB_H
#define AIS_XS_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "obj/obj.h"
#include "xact/xact.h"
#include "xact/xs_lr.h"

typedef struct xs_job {
	xact_t *x;
	json_t *msg;    /* the job's message (a reference) */
	bmd_t *bmd;     /* keeps b valid */
	const bck_t *b; /* the job's bucket */
} xs_job_t;

/* allocate size zeroed bytes starting with an xs_job_t as x's private data (*out), take a
 * reference to the job's message and find its bucket: 0, AIS_ENOMEM, or AIS_ENOBUCKET (err).
 * After an error the state (when allocated) is still x's, freed by xs_job_fini. */
int xs_job_prep(xact_t *x, const xact_args_t *a, size_t size, void **out, char *err, size_t cap);
/* the job's bucket must be remote: 0, or AIS_EINVAL with err
 * "<kind>: bucket <provider>://<name> is not a remote bucket<note>" */
int xs_job_remote(const xs_job_t *j, const char *kind, const char *note, char *err, size_t cap);
/* the control message of a list/range job: its selection (xs_lr_str) */
void xs_job_lr_ctlmsg(const xs_job_t *j);
/* a kind's .fini: drops the message and BMD references and frees the state (NULL: nothing) */
void xs_job_fini(xact_t *x);

/* open the selection of b (xs_lr_open: msg may be NULL, then everything under prefix) and run
 * fn over it on n workers (xs_run_workers). A failed listing or fn's error is added to x's
 * errors and returned (< 0); 0 when done or aborted. */
int xs_job_run(xact_t *x, const bck_t *b, json_t *msg, const char *prefix, xs_lr_src_t src, bool non_recurs, int n,
	       xs_work_fn fn, void *arg);

/* the size of o when it is here, else -1 (a quiet HEAD: no statistics) */
int64_t xs_obj_size(const obj_t *o);
/* a remote bucket's object: is it here (*here) and - when latest - unchanged at the remote? A
 * remote that cannot answer counts as unchanged. True: nothing to fetch. */
bool xs_obj_current(const obj_t *o, bool latest, bool *here);
/* remove one object of a list/range job: through (delete) the remote's copy first (a remote
 * 404 is no error), then the local one; else (evict) only the local one. Counts loc-objs and
 * loc-bytes (the local size, else size) per removed object, records failures in x's errors.
 * 0, or the remote's error when coer is not set (the job stops). */
int xs_obj_remove(xact_t *x, const bck_t *b, const char *name, int64_t size, bool through, bool coer);

#endif
