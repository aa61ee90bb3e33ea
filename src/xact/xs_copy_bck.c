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
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_copy.h"
#include "xact/xs_lr.h"

typedef struct cb {
	json_t *msg;
	bmd_t *bmd;
	xs_copy_t c;
	bool sync, non_recurs;
	int nworkers;
	char prefix[1024];
} cb_t;

static int cb_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	cb_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	xact_set_priv(x, p);
	p->c.x = x;
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
	if (bk_of(p->c.dst)) {
		snprintf(err, cap, "copy-bck: a remote destination (%s://%s) is not supported by this build", db.provider,
			 db.name);
		return AIS_ENOTIMPL;
	}
	if (p->c.dst == p->c.src) {
		snprintf(err, cap, "cannot copy bucket %s onto itself", db.name);
		return AIS_EINVAL;
	}
	snprintf(p->c.prepend, sizeof(p->c.prepend), "%s", xs_msg_str(p->msg, "prepend", ""));
	snprintf(p->prefix, sizeof(p->prefix), "%s", xs_msg_str(p->msg, "prefix", ""));
	p->c.dry_run = xs_msg_bool(p->msg, "dry_run");
	p->c.latest = xs_msg_bool(p->msg, "latest-ver");
	p->sync = xs_msg_bool(p->msg, "synchronize");
	p->non_recurs = xs_msg_bool(p->msg, "non-recurs");
	p->nworkers = (int)xs_msg_int(p->msg, "num-workers", 0);
	char s[XACT_ERR_MAX];
	snprintf(s, sizeof(s), "%s://%s=>%s://%s%s%.200s%s%s", p->c.src->provider, p->c.src->name, p->c.dst->provider,
		 p->c.dst->name, p->prefix[0] ? ", prefix:" : "", p->prefix, p->c.dry_run ? ", dry-run" : "",
		 p->sync ? ", flags:sync" : "");
	xact_set_ctlmsg(x, s);
	return 0;
}

static int cb_one(void *arg, const char *name, int64_t size)
{
	cb_t *p = arg;
	xs_copy_one(&p->c, name, size);
	return 0; /* per-object errors are recorded; the copy goes on (AIStore's TCB) */
}

static void cb_run(xact_t *x)
{
	cb_t *p = xact_priv(x);
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	json_t *all = json_object();
	int rc = xs_lr_open(&it, p->c.src, all, p->prefix, XS_LR_REMOTE, p->non_recurs, err, sizeof(err));
	json_decref(all);
	if (!rc)
		rc = xs_run_workers(x, it, p->nworkers > 0 ? p->nworkers : 4, cb_one, p, err, sizeof(err));
	xs_lr_close(it);
	if (!rc && p->sync && !p->c.dry_run && !xact_aborted(x))
		rc = xs_copy_sync(&p->c, err, sizeof(err));
	if (rc < 0 && err[0])
		xact_add_err(x, "%s", err);
}

static void cb_fini(xact_t *x)
{
	cb_t *p = xact_priv(x);
	if (!p)
		return;
	json_decref(p->msg);
	bmd_put(p->bmd);
	free(p);
}

const xact_ops_t xs_copy_bck_ops = {.prep = cb_prep, .run = cb_run, .fini = cb_fini};
