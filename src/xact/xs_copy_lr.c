/* xs_copy_lr: "copy-listrange" (apc.ActCopyObjects, cmn.TCOMsg; display name copy-objects): copy
 * a list or a template (or a prefix) of objects into "tobck", each target the ones it owns,
 * with copy-bck's options (xs_copy.h). Counters and abort as copy-bck. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_lr.h"

typedef struct cl {
	json_t *msg;
	bmd_t *bmd;
	xs_copy_t c;
	int nworkers;
} cl_t;

static int cl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	cl_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->c.x = x;
	p->msg = json_incref(a->params);
	int rc = xs_bck(&a->bck, &p->bmd, &p->c.src, err, cap);
	if (rc || (rc = xs_lr_validate(p->msg, err, cap)))
		return rc;
	xact_bck_t db;
	if ((rc = xs_copy_dst(p->msg, &db, err, cap)))
		return rc;
	p->c.dst = bmd_find(p->bmd, db.provider, db.ns, db.name);
	if (!p->c.dst) {
		snprintf(err, cap, "destination bucket \"%s://%s\" does not exist", db.provider, db.name);
		return AIS_ENOBUCKET;
	}
	if (bk_of(p->c.dst)) {
		snprintf(err, cap, "copy-listrange: a remote destination is not supported by this build");
		return AIS_ENOTIMPL;
	}
	snprintf(p->c.prepend, sizeof(p->c.prepend), "%s", xs_msg_str(p->msg, "prepend", ""));
	p->c.dry_run = xs_msg_bool(p->msg, "dry_run");
	p->c.latest = xs_msg_bool(p->msg, "latest-ver");
	p->nworkers = (int)xs_msg_int(p->msg, "num-workers", 0);
	char s[400];
	xs_lr_str(p->msg, s, sizeof(s));
	xact_set_ctlmsg(x, s);
	return 0;
}

static int cl_one(void *arg, const char *name, int64_t size)
{
	cl_t *p = arg;
	xs_copy_one(&p->c, name, size);
	return 0;
}

static void cl_run(xact_t *x)
{
	cl_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	int rc = xs_lr_open(&it, p->c.src, p->msg, NULL, XS_LR_REMOTE, xs_msg_bool(p->msg, "non-recurs"), err,
			    sizeof(err));
	if (!rc)
		rc = xs_run_workers(x, it, p->nworkers > 0 ? p->nworkers : 4, cl_one, p, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void cl_fini(xact_t *x)
{
	cl_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_copy_lr_ops = {.prep = cl_prep, .run = cl_run, .fini = cl_fini};
