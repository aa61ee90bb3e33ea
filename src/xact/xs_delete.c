/* xs_delete: "delete-listrange" (apc.ActDeleteObjects, display name delete-objects): delete a
 * list, a template or a prefix of objects. A remote bucket's objects are deleted remotely first
 * (write-through, backend/bk_obj.h), then here; a prefix of a remote bucket walks the remote
 * listing, of an ais bucket what each target stores. Counters: loc-objs = deleted objects.
 * "coer": go on after a failed one. Abort: checked before every object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "core/err.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "xact/xs.h"
#include "xact/xs_lr.h"

typedef struct dl {
	json_t *msg;
	bmd_t *bmd;
	const bck_t *b;
	xact_t *x;
	bool coer;
} dl_t;

static int dl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	dl_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->x = x;
	int rc = xs_bck(&a->bck, &p->bmd, &p->b, err, cap);
	if (rc)
		return rc;
	p->msg = json_incref(a->params);
	p->coer = xs_msg_bool(p->msg, "coer");
	char s[400];
	xs_lr_str(p->msg, s, sizeof(s));
	xact_set_ctlmsg(x, s);
	return xs_lr_validate(p->msg, err, cap);
}

static int dl_one(void *arg, const char *name, int64_t size)
{
	dl_t *p = arg;
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->b, name))
		return 0;
	int64_t sz = size > 0 ? size : 0;
	if (!obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why))
		sz = g.size;
	obj_get_close(&g);
	bk_err_t e = {0};
	int rrc = bk_delete_through(&o, &e);
	if (rrc && e.status != 404) {
		xact_add_err(p->x, "%s", e.msg);
		return p->coer ? 0 : rrc;
	}
	int rc = obj_delete(&o, &why);
	if (!rc || (bk_of(p->b) && !rrc))
		xact_objs_add(p->x, 1, sz);
	else if (rc != AIS_ENOTFOUND)
		xact_add_err(p->x, "delete %s: %s", name, err_str(rc));
	return 0;
}

static void dl_run(xact_t *x)
{
	dl_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	int rc = xs_lr_open(&it, p->b, p->msg, NULL, XS_LR_REMOTE, xs_msg_bool(p->msg, "non-recurs"), err, sizeof(err));
	if (!rc)
		rc = xs_run_workers(x, it, 4, dl_one, p, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
}

static void dl_fini(xact_t *x)
{
	dl_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_delete_ops = {.prep = dl_prep, .run = dl_run, .fini = dl_fini};
