/* xs_copy_lr: "copy-listrange" (apc.ActCopyObjects, cmn.TCOMsg; display name copy-objects): copy
 * a list or a template (or a prefix) of objects into "tobck", each target the ones it owns,
 * with copy-bck's options (xs_copy.h). Counters and abort as copy-bck. */
#include <stdio.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_job.h"

typedef struct cl {
	xs_job_t j;
	xs_copy_t c;
	int nworkers;
} cl_t;

static int cl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	cl_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc || (rc = xs_lr_validate(p->j.msg, err, cap)))
		return rc;
	xact_bck_t db;
	p->c.x = x;
	p->c.src = p->j.b;
	if ((rc = xs_copy_dst(&p->c, p->j.bmd, p->j.msg, &db, err, cap)))
		return rc;
	if (bk_of(p->c.dst)) {
		snprintf(err, cap, "copy-listrange: a remote destination is not supported by this build");
		return AIS_ENOTIMPL;
	}
	xs_copy_opts(&p->c, p->j.msg);
	p->nworkers = (int)xs_msg_int(p->j.msg, "num-workers", 0);
	xs_job_lr_ctlmsg(&p->j);
	return 0;
}

static void cl_run(xact_t *x)
{
	cl_t *p = xact_priv(x);
	xs_job_run(x, p->c.src, p->j.msg, NULL, XS_LR_REMOTE, xs_msg_bool(p->j.msg, "non-recurs"),
		   p->nworkers > 0 ? p->nworkers : 4, xs_copy_work, &p->c);
}

const xact_ops_t xs_copy_lr_ops = {.prep = cl_prep, .run = cl_run, .fini = xs_job_fini};
