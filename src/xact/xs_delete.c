/* xs_delete: "delete-listrange" (apc.ActDeleteObjects, display name delete-objects): delete a
 * list, a template or a prefix of objects. A remote bucket's objects are deleted remotely first
 * (write-through, backend/bk_obj.h), then here; a prefix of a remote bucket walks the remote
 * listing, of an ais bucket what each target stores. Counters: loc-objs = deleted objects.
 * "coer": go on after a failed one. Abort: checked before every object. */
#include "xact/xs.h"
#include "xact/xs_job.h"

typedef struct dl {
	xs_job_t j;
	bool coer;
} dl_t;

static int dl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	dl_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc)
		return rc;
	p->coer = xs_msg_bool(p->j.msg, "coer");
	xs_job_lr_ctlmsg(&p->j);
	return xs_lr_validate(p->j.msg, err, cap);
}

static int dl_one(void *arg, const char *name, int64_t size)
{
	dl_t *p = arg;
	return xs_obj_remove(p->j.x, p->j.b, name, size, true, p->coer);
}

static void dl_run(xact_t *x)
{
	dl_t *p = xact_priv(x);
	xs_job_run(x, p->j.b, p->j.msg, NULL, XS_LR_REMOTE, xs_msg_bool(p->j.msg, "non-recurs"), 4, dl_one, p);
}

const xact_ops_t xs_delete_ops = {.prep = dl_prep, .run = dl_run, .fini = xs_job_fini};
