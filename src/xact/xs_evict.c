/* xs_evict: "evict-listrange" (apc.ActEvictObjects, display name evict-objects): remove the
 * in-cluster copies of a remote bucket's objects - a list, a template, or a prefix (then what is
 * stored on each target) - leaving the remote untouched. Each target evicts what it holds.
 * Counters: loc-objs/loc-bytes = evicted. Abort: checked before every object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "core/err.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "xact/xs.h"
#include "xact/xs_lr.h"

typedef struct ev {
	json_t *msg;
	bmd_t *bmd;
	const bck_t *b;
	xact_t *x;
} ev_t;

static int ev_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	ev_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->x = x;
	int rc = xs_bck(&a->bck, &p->bmd, &p->b, err, cap);
	if (rc)
		return rc;
	if (!bk_of(p->b)) {
		snprintf(err, cap, "evict: bucket %s://%s is not a remote bucket (nothing to evict)", p->b->provider,
			 p->b->name);
		return AIS_EINVAL;
	}
	p->msg = json_incref(a->params);
	char s[400];
	xs_lr_str(p->msg, s, sizeof(s));
	xact_set_ctlmsg(x, s);
	return xs_lr_validate(p->msg, err, cap);
}

static int ev_one(void *arg, const char *name, int64_t size)
{
	ev_t *p = arg;
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->b, name))
		return 0;
	int64_t sz = 0;
	if (!obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why))
		sz = g.size;
	obj_get_close(&g);
	int rc = obj_delete(&o, &why);
	if (!rc)
		xact_objs_add(p->x, 1, sz);
	else if (rc != AIS_ENOTFOUND)
		xact_add_err(p->x, "evict %s: %s", name, err_str(rc));
	return 0;
}

static void ev_run(xact_t *x)
{
	ev_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	int rc = xs_lr_open(&it, p->b, p->msg, NULL, XS_LR_LOCAL, xs_msg_bool(p->msg, "non-recurs"), err, sizeof(err));
	if (!rc)
		rc = xs_run_workers(x, it, 1, ev_one, p, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void ev_fini(xact_t *x)
{
	ev_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_evict_ops = {.prep = ev_prep, .run = ev_run, .fini = ev_fini};
