/* xs_evict_bck: "evict-remote-bck" (display name evict-remote-bucket): remove every in-cluster
 * copy of a remote bucket's objects while keeping the bucket in the BMD (api.EvictRemoteBucket
 * with keep_bck_md; without it the proxy removes the bucket from the BMD and the targets drop
 * its data as for any destroyed bucket). Each target walks what it stores. Counters:
 * loc-objs/loc-bytes = evicted. Abort: checked before every object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "core/err.h"
#include "obj/obj_ops.h"
#include "xact/xs.h"
#include "xact/xs_lr.h"

typedef struct eb {
	bmd_t *bmd;
	const bck_t *b;
	xact_t *x;
} eb_t;

static int eb_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	eb_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->x = x;
	int rc = xs_bck(&a->bck, &p->bmd, &p->b, err, cap);
	if (!rc && !bk_of(p->b)) {
		snprintf(err, cap, "evict-remote-bck: bucket %s://%s is not a remote bucket", p->b->provider, p->b->name);
		rc = AIS_EINVAL;
	}
	return rc;
}

static int eb_one(void *arg, const char *name, int64_t size)
{
	eb_t *p = arg;
	obj_t o;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (!obj_place(&o, p->b, name) && !obj_delete(&o, &why))
		xact_objs_add(p->x, 1, size > 0 ? size : 0);
	return 0;
}

static void eb_run(xact_t *x)
{
	eb_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	json_t *all = json_object();
	int rc = xs_lr_open(&it, p->b, all, "", XS_LR_LOCAL, false, err, sizeof(err));
	json_decref(all);
	if (!rc)
		rc = xs_run_workers(x, it, 1, eb_one, p, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void eb_fini(xact_t *x)
{
	eb_t *p = xact_priv(x);
	if (!p)
		return;
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_evict_bck_ops = {.prep = eb_prep, .run = eb_run, .fini = eb_fini};
