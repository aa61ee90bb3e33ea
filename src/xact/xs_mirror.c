/* xs_mirror: the "make-n-copies" job (AIStore's mirror.mncXact, display name "mirror"): this
 * target's objects of one bucket brought to N replicas each (the main one included) on distinct
 * mountpaths, raising or lowering the count (obj/mirror.h mirror_sync). Walks the main replicas
 * (%ob) on every mountpath in use, then the copies (%cp) whose main replica is missing: the main
 * replica is restored from them first (so N = 1 keeps the object, never only its copies).
 * Also what the resilver calls for a mirrored bucket (xs_mirror_bucket) so that a mountpath
 * event keeps the copy count. Parameters: params["msg"] = {"copies": N} (the proxy's
 * make-n-copies or set-bprops); N must be 1..32 and at most the available mountpaths (AIStore's
 * fs.ValidateNCopies, refused in prep: nothing starts). Counters: loc-objs/loc-bytes = copies
 * written and their bytes; ctlmsg "copies:N visited:N made:N removed:N restored:N".
 * Polls the abort flag per object. Must not: move anything between targets. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/mirror.h"
#include "obj/obj.h"
#include "obj/obj_walk.h"
#include "xact/xs.h"

typedef struct mnc {
	xact_t *x;
	const bck_t *bck;
	int copies;
	bool copies_pass;                /* walking %cp: only names whose main replica is missing */
	_Atomic int64_t visited, made, removed, restored;
	obj_t o;                         /* scratch */
} mnc_t;

int xs_mirror_validate(int copies, char *err, size_t cap)
{
	if (copies < 1 || copies > MIRROR_MAX_COPIES) {
		snprintf(err, cap, "%s: invalid num copies %d, must be in [1, %d] range", node_name(), copies,
			 MIRROR_MAX_COPIES);
		return AIS_EINVAL;
	}
	int avail = fs_num_avail();
	if (avail < copies) {
		snprintf(err, cap, "%s: number of copies (%d) exceeds the number of mountpaths (%d)", node_name(), copies,
			 avail);
		return AIS_EINVAL;
	}
	return 0;
}

static int mnc_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	json_t *m = a && a->params ? json_object_get(a->params, "msg") : NULL;
	json_t *c = json_object_get(m, "copies");
	if (!json_is_integer(c)) {
		snprintf(err, cap, "make-n-copies: expecting {\"copies\": N}");
		return AIS_EINVAL;
	}
	json_int_t n = json_integer_value(c);
	int rc = xs_mirror_validate(n < 0 || n > 1000 ? -1 : (int)n, err, cap);
	if (rc)
		return rc;
	mnc_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	p->x = x;
	p->copies = (int)n;
	xact_set_priv(x, p);
	return 0;
}

static int mnc_visit(void *arg, const char *name, size_t nlen, const char *fqn)
{
	(void)fqn;
	mnc_t *p = arg;
	if (p->x && xact_aborted(p->x))
		return 1;
	obj_t *o = &p->o;
	memset(o, 0, sizeof(*o));
	if (nlen >= sizeof(o->ibuf))
		return 0;
	memcpy(o->ibuf, name, nlen + 1);
	if (obj_place(o, p->bck, o->ibuf))
		return 0;
	struct stat st;
	if (p->copies_pass && !stat(o->fqn, &st))
		return 0; /* has its main replica: the first pass synced it */
	atomic_fetch_add(&p->visited, 1);
	mirror_res_t res;
	int rc = mirror_sync(o, p->copies, &res);
	atomic_fetch_add(&p->made, res.made);
	atomic_fetch_add(&p->removed, res.removed);
	atomic_fetch_add(&p->restored, res.restored ? 1 : 0);
	if (p->x && res.made)
		xact_objs_add(p->x, res.made, res.bytes);
	if (rc && rc != AIS_ENOTFOUND && p->x)
		xact_add_err(p->x, "%s: %s", o->fqn, err_str(rc));
	return 0;
}

/* both passes over every mountpath in use */
static void mnc_bucket(mnc_t *p)
{
	for (int pass = 0; pass < 2; pass++) {
		p->copies_pass = pass == 1;
		for (int i = 0; i < fs_count() && !(p->x && xact_aborted(p->x)); i++) {
			if (!fs_in_use(i))
				continue;
			int rc = obj_walk_ct(p->bck, i, pass ? MIRROR_CT : FQN_CT_OBJ, mnc_visit, p);
			if (rc < 0 && p->x)
				xact_add_err(p->x, "walk %s: %s", fs_get(i)->path, err_str(rc));
		}
	}
}

int xs_mirror_bucket(xact_t *x, const bck_t *b, int copies)
{
	mnc_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	p->x = x;
	p->bck = b;
	p->copies = copies;
	mnc_bucket(p);
	int made = (int)atomic_load(&p->made);
	free(p);
	return made;
}

static void mnc_run(xact_t *x)
{
	mnc_t *p = xact_priv(x);
	const xact_bck_t *xb = xact_bck(x);
	bmd_t *bmd = bmd_get();
	p->bck = bmd ? bmd_find(bmd, xb->provider, xb->ns, xb->name) : NULL;
	if (!p->bck)
		xact_add_err(x, "bucket %s://%s does not exist", xb->provider, xb->name);
	else
		mnc_bucket(p);
	bmd_put(bmd);
	log_info("make-n-copies[%s] %s: copies %d, visited %lld, made %lld, removed %lld, restored %lld", xact_id(x),
		 xb->name, p->copies, (long long)atomic_load(&p->visited), (long long)atomic_load(&p->made),
		 (long long)atomic_load(&p->removed), (long long)atomic_load(&p->restored));
}

static void mnc_ctlmsg(const xact_t *x, sbuf_t *out)
{
	mnc_t *p = xact_priv(x);
	if (p)
		sbuf_addf(out, "%scopies:%d visited:%lld made:%lld removed:%lld restored:%lld", out->len ? " " : "",
			  p->copies, (long long)atomic_load(&p->visited), (long long)atomic_load(&p->made),
			  (long long)atomic_load(&p->removed), (long long)atomic_load(&p->restored));
}

static void mnc_fini(xact_t *x) { free(xact_priv(x)); }

const xact_ops_t xs_mirror_ops = {.prep = mnc_prep, .run = mnc_run, .ctlmsg = mnc_ctlmsg, .fini = mnc_fini};
