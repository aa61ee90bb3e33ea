/* xs_copy_bck: "copy-bck" (AIStore's xs/tcb.go, apc.TCBMsg; display name copy-bucket): copy a
 * bucket (or its "prefix") into the destination bucket ("tobck", created by the proxy when it
 * is an ais bucket that does not exist). Each target copies the source objects it owns: an ais
 * source by walking what it stores, a remote source by walking the remote listing (objects not
 * here yet are fetched first, through the single flight); copies to another target's objects
 * travel over the transport (xs_copy.h). "dry_run" counts without copying, "latest-ver"
 * refreshes changed remote objects first, "synchronize" also removes destination objects whose
 * source is gone, "prepend" prefixes destination names. Counters: loc-objs/loc-bytes copied
 * (out-objs: sent to other targets). Abort: checked before every object; an object being copied
 * completes or leaves nothing (the writer's work file). */
#include <stdio.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_job.h"

typedef struct cb {
	xs_job_t j;
	xs_copy_t c;
	bool sync, non_recurs;
	int nworkers;
	char prefix[1024];
} cb_t;

static int cb_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	cb_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc)
		return rc;
	json_t *msg = p->j.msg;
	xact_bck_t db;
	p->c.x = x;
	p->c.src = p->j.b;
	if ((rc = xs_copy_dst(&p->c, p->j.bmd, msg, &db, err, cap)))
		return rc;
	if (bk_of(p->c.dst)) {
		snprintf(err, cap, "copy-bck: a remote destination (%s://%s) is not supported by this build", db.provider,
			 db.name);
		return AIS_ENOTIMPL;
	}
	if (p->c.dst == p->c.src) {
		snprintf(err, cap, "cannot copy bucket %s onto itself", db.name);
		return AIS_EINVAL;
	}
	xs_copy_opts(&p->c, msg);
	snprintf(p->prefix, sizeof(p->prefix), "%s", xs_msg_str(msg, "prefix", ""));
	p->sync = xs_msg_bool(msg, "synchronize");
	p->non_recurs = xs_msg_bool(msg, "non-recurs");
	p->nworkers = (int)xs_msg_int(msg, "num-workers", 0);
	char s[XACT_ERR_MAX];
	snprintf(s, sizeof(s), "%s://%s=>%s://%s%s%.200s%s%s", p->c.src->provider, p->c.src->name, p->c.dst->provider,
		 p->c.dst->name, p->prefix[0] ? ", prefix:" : "", p->prefix, p->c.dry_run ? ", dry-run" : "",
		 p->sync ? ", flags:sync" : "");
	xact_set_ctlmsg(x, s);
	return 0;
}

static void cb_run(xact_t *x)
{
	cb_t *p = xact_priv(x);
	int rc = xs_job_run(x, p->c.src, NULL, p->prefix, XS_LR_REMOTE, p->non_recurs,
			    p->nworkers > 0 ? p->nworkers : 4, xs_copy_work, &p->c);
	char err[XACT_ERR_MAX] = "";
	if (!rc && p->sync && !p->c.dry_run && !xact_aborted(x) && xs_copy_sync(&p->c, err, sizeof(err)) < 0 && err[0])
		xact_add_err(x, "%s", err);
}

const xact_ops_t xs_copy_bck_ops = {.prep = cb_prep, .run = cb_run, .fini = xs_job_fini};
