/* xs_move_bck: "move-bck" (AIStore's rename bucket, apc.ActMoveBck; display name rename-bucket):
 * every object of an ais bucket moves into "tobck" (same name); each target moves what it
 * stores - to itself when it owns the new name (a rename on the same mountpath), else to the
 * new owner over the transport, the source removed only once the copy is committed (obj_copy
 * with OBJ_CP_MOVE). The proxy created the destination before the start and removes the source
 * from the BMD once every target finished (proxy/pjob.c). Counters: loc-objs/loc-bytes moved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_lr.h"

typedef struct mb {
	json_t *msg;
	bmd_t *bmd;
	xs_copy_t c;
} mb_t;

static int mb_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	mb_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->c.x = x;
	p->c.move = true;
	p->msg = json_incref(a->params);
	int rc = xs_bck(&a->bck, &p->bmd, &p->c.src, err, cap);
	if (rc)
		return rc;
	xact_bck_t db;
	if ((rc = xs_copy_dst(p->msg, &db, err, cap)))
		return rc;
	p->c.dst = bmd_find(p->bmd, db.provider, db.ns, db.name);
	if (!p->c.dst) {
		snprintf(err, cap, "destination bucket \"%s://%s\" does not exist", db.provider, db.name);
		return AIS_ENOBUCKET;
	}
	if (bk_of(p->c.src) || bk_of(p->c.dst)) {
		snprintf(err, cap, "move-bck: only ais:// buckets can be renamed");
		return AIS_EINVAL;
	}
	char s[400];
	snprintf(s, sizeof(s), "%s=>%s", p->c.src->name, p->c.dst->name);
	xact_set_ctlmsg(x, s);
	return 0;
}

static int mb_one(void *arg, const char *name, int64_t size)
{
	mb_t *p = arg;
	xs_copy_one(&p->c, name, size);
	return 0;
}

static void mb_run(xact_t *x)
{
	mb_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	json_t *all = json_object();
	int rc = xs_lr_open(&it, p->c.src, all, "", XS_LR_LOCAL, false, err, sizeof(err));
	json_decref(all);
	if (!rc)
		rc = xs_run_workers(x, it, 4, mb_one, p, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void mb_fini(xact_t *x)
{
	mb_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_move_bck_ops = {.prep = mb_prep, .run = mb_run, .fini = mb_fini};
