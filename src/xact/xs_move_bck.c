/* xs_move_bck: "move-bck" (AIStore's rename bucket, apc.ActMoveBck; display name rename-bucket):
 * every object of an ais bucket moves into "tobck" (same name); each target moves what it
 * stores - to itself when it owns the new name (a rename on the same mountpath), else to the
 * new owner over the transport, the source removed only once the copy is committed (obj_copy
 * with OBJ_CP_MOVE). The proxy created the destination before the start and removes the source
 * from the BMD once every target finished (proxy/pjob.c). Counters: loc-objs/loc-bytes moved. */
#include <stdio.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_job.h"

typedef struct mb {
	xs_job_t j;
	xs_copy_t c;
} mb_t;

static int mb_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	mb_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc)
		return rc;
	xact_bck_t db;
	p->c.x = x;
	p->c.src = p->j.b;
	p->c.move = true;
	if ((rc = xs_copy_dst(&p->c, p->j.bmd, p->j.msg, &db, err, cap)))
		return rc;
	if (bk_of(p->c.src) || bk_of(p->c.dst)) {
		snprintf(err, cap, "move-bck: only ais:// buckets can be renamed");
		return AIS_EINVAL;
	}
	char s[400];
	snprintf(s, sizeof(s), "%s=>%s", p->c.src->name, p->c.dst->name);
	xact_set_ctlmsg(x, s);
	return 0;
}

static void mb_run(xact_t *x)
{
	mb_t *p = xact_priv(x);
	xs_job_run(x, p->c.src, NULL, "", XS_LR_LOCAL, false, 4, xs_copy_work, &p->c);
}

const xact_ops_t xs_move_bck_ops = {.prep = mb_prep, .run = mb_run, .fini = xs_job_fini};
