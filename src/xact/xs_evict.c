/* xs_evict: "evict-listrange" (apc.ActEvictObjects, display name evict-objects): remove the
 * in-cluster copies of a remote bucket's objects - a list, a template, or a prefix (then what is
 * stored on each target) - leaving the remote untouched. Each target evicts what it holds.
 * Counters: loc-objs/loc-bytes = evicted. Abort: checked before every object. */
#include "xact/xs.h"
#include "xact/xs_job.h"

static int ev_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	xs_job_t *j;
	int rc = xs_job_prep(x, a, sizeof(*j), (void **)&j, err, cap);
	if (rc || (rc = xs_job_remote(j, "evict", " (nothing to evict)", err, cap)))
		return rc;
	xs_job_lr_ctlmsg(j);
	return xs_lr_validate(j->msg, err, cap);
}

static int ev_one(void *arg, const char *name, int64_t size)
{
	(void)size; /* counted: the local size only */
	xs_job_t *j = arg;
	return xs_obj_remove(j->x, j->b, name, 0, false, false);
}

static void ev_run(xact_t *x)
{
	xs_job_t *j = xact_priv(x);
	xs_job_run(x, j->b, j->msg, NULL, XS_LR_LOCAL, xs_msg_bool(j->msg, "non-recurs"), 1, ev_one, j);
}

const xact_ops_t xs_evict_ops = {.prep = ev_prep, .run = ev_run, .fini = xs_job_fini};
