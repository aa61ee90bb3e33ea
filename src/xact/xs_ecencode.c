/* xs_ecencode: the "ec-encode" job (AIStore's ec.XactBckEncode, display name "ec-bucket"): this
 * target's part of erasure coding a bucket's existing objects - every object it owns by HRW (a
 * main replica under %ob) is encoded and its slices or replicas sent to the other targets,
 * replacing whatever they hold of the same generation (obj_ec_encode_sync: target/tec.c). With
 * params["msg"] = {"recover": true} (AIStore's ActMsg name "recover") it is the check-and-recover
 * pass: the same walk, so that missing or corrupted slices are written again. Counters:
 * loc-objs/loc-bytes = objects encoded; ctlmsg "visited:N encoded:N errors:N". Must not: run
 * when the bucket's EC is off (the prep refuses). Polls the abort flag per object. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/lom.h"
#include "obj/obj.h"
#include "obj/obj_walk.h"
#include "xact/xs.h"

typedef struct ece {
	xact_t *x;
	const bck_t *bck;
	bool recover;
	_Atomic int64_t visited, encoded, errs;
	obj_t o;
} ece_t;

static int ece_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	json_t *m = a && a->params ? json_object_get(a->params, "msg") : NULL;
	const xact_bck_t *xb = &a->bck;
	bmd_t *bmd = bmd_get();
	const bck_t *b = bmd ? bmd_find(bmd, xb->provider[0] ? xb->provider : "ais", xb->ns, xb->name) : NULL;
	bool on = b && b->ec_enabled;
	bmd_put(bmd);
	if (!on) {
		snprintf(err, cap, "bucket %s: erasure coding is not enabled", xb->name);
		return AIS_EINVAL;
	}
	ece_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	p->x = x;
	p->recover = json_is_true(json_object_get(m, "recover"));
	xact_set_priv(x, p);
	return 0;
}

static int ece_visit(void *arg, const char *name, size_t nlen, const char *fqn)
{
	(void)fqn;
	ece_t *p = arg;
	if (xact_aborted(p->x))
		return 1;
	obj_t *o = &p->o;
	memset(o, 0, sizeof(*o));
	if (nlen >= sizeof(o->ibuf))
		return 0;
	memcpy(o->ibuf, name, nlen + 1);
	snode_t owner;
	if (obj_place(o, p->bck, o->ibuf) || obj_remote_owner(p->bck, o->oname, &owner))
		return 0; /* another target owns it (a rebalance will move it) */
	atomic_fetch_add(&p->visited, 1);
	lom_md_t md;
	lom_md_init(&md);
	int64_t size = lom_load(-1, o->fqn, &md) == 0 ? md.size : 0;
	lom_md_fini(&md);
	int rc = obj_ec_encode_sync(o);
	if (!rc) {
		atomic_fetch_add(&p->encoded, 1);
		xact_objs_add(p->x, 1, size);
	} else if (rc != AIS_ENOTFOUND) {
		atomic_fetch_add(&p->errs, 1);
		xact_add_err(p->x, "%s: %s", o->oname, err_str(rc));
	}
	return 0;
}

static void ece_run(xact_t *x)
{
	ece_t *p = xact_priv(x);
	const xact_bck_t *xb = xact_bck(x);
	bmd_t *bmd = bmd_get();
	p->bck = bmd ? bmd_find(bmd, xb->provider[0] ? xb->provider : "ais", xb->ns, xb->name) : NULL;
	for (int i = 0; p->bck && i < fs_count() && !xact_aborted(x); i++) {
		if (!fs_in_use(i))
			continue;
		int rc = obj_walk(p->bck, i, ece_visit, p);
		if (rc < 0)
			xact_add_err(x, "walk %s: %s", fs_get(i)->path, err_str(rc));
	}
	if (!p->bck)
		xact_add_err(x, "bucket %s does not exist", xb->name);
	bmd_put(bmd);
	log_info("ec-encode[%s] %s%s: visited %lld, encoded %lld, errors %lld", xact_id(x), xb->name,
		 p->recover ? " (recover)" : "", (long long)atomic_load(&p->visited), (long long)atomic_load(&p->encoded),
		 (long long)atomic_load(&p->errs));
}

static void ece_ctlmsg(const xact_t *x, sbuf_t *out)
{
	ece_t *p = xact_priv(x);
	if (p)
		sbuf_addf(out, "%s%svisited:%lld encoded:%lld errors:%lld", out->len ? " " : "", p->recover ? "recover " : "",
			  (long long)atomic_load(&p->visited), (long long)atomic_load(&p->encoded),
			  (long long)atomic_load(&p->errs));
}

static void ece_fini(xact_t *x) { free(xact_priv(x)); }

const xact_ops_t xs_ecencode_ops = {.prep = ece_prep, .run = ece_run, .ctlmsg = ece_ctlmsg, .fini = ece_fini};
