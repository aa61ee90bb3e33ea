/* xs_job: the bucket jobs' shared skeleton and per-object steps (see xs_job.h). */
#include "xact/xs_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "core/err.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"

int xs_job_prep(xact_t *x, const xact_args_t *a, size_t size, void **out, char *err, size_t cap)
{
	xs_job_t *j = calloc(1, size);
	*out = j;
	if (!j)
		return AIS_ENOMEM;
	xact_set_priv(x, j);
	j->x = x;
	j->msg = json_incref(a->params);
	return xs_bck(&a->bck, &j->bmd, &j->b, err, cap);
}

int xs_job_remote(const xs_job_t *j, const char *kind, const char *note, char *err, size_t cap)
{
	if (bk_of(j->b))
		return 0;
	snprintf(err, cap, "%s: bucket %s://%s is not a remote bucket%s", kind, j->b->provider, j->b->name, note);
	return AIS_EINVAL;
}

void xs_job_lr_ctlmsg(const xs_job_t *j)
{
	char s[400];
	xs_lr_str(j->msg, s, sizeof(s));
	xact_set_ctlmsg(j->x, s);
}

void xs_job_fini(xact_t *x)
{
	xs_job_t *j = xact_priv(x);
	if (!j)
		return;
	json_decref(j->msg);
	bmd_put(j->bmd);
	free(j);
}

int xs_job_run(xact_t *x, const bck_t *b, json_t *msg, const char *prefix, xs_lr_src_t src, bool non_recurs, int n,
	       xs_work_fn fn, void *arg)
{
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	int rc = xs_lr_open(&it, b, msg, prefix, src, non_recurs, err, sizeof(err));
	if (!rc)
		rc = xs_run_workers(x, it, n, fn, arg, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
	xs_lr_close(it);
	return rc < 0 ? rc : 0;
}

int64_t xs_obj_size(const obj_t *o)
{
	obj_get_t g;
	obj_why_t why;
	int64_t size = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why) ? -1 : g.size;
	obj_get_close(&g);
	return size;
}

bool xs_obj_current(const obj_t *o, bool latest, bool *here)
{
	obj_get_t g;
	obj_why_t why;
	*here = !obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	bk_warm_t v = BK_WARM_SAME;
	if (*here && latest) {
		bk_err_t e = {0};
		bk_warm_check(o, &g.md, &v, &e); /* no answer: v stays SAME */
	}
	obj_get_close(&g);
	return *here && v != BK_WARM_CHANGED;
}

int xs_obj_remove(xact_t *x, const bck_t *b, const char *name, int64_t size, bool through, bool coer)
{
	obj_t o;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, b, name))
		return 0;
	int64_t sz = xs_obj_size(&o);
	if (sz < 0)
		sz = size > 0 ? size : 0;
	int rrc = 0;
	if (through) {
		bk_err_t e = {0};
		rrc = bk_delete_through(&o, &e);
		if (rrc && e.status != 404) {
			xact_add_err(x, "%s", e.msg);
			return coer ? 0 : rrc;
		}
	}
	int rc = obj_delete(&o, &why);
	if (!rc || (through && bk_of(b) && !rrc))
		xact_objs_add(x, 1, sz);
	else if (rc != AIS_ENOTFOUND)
		xact_add_err(x, "%s %s: %s", through ? "delete" : "evict", name, err_str(rc));
	return 0;
}
