/* treb_ec: the EC step of one rebalance generation (AIStore's reb/ec.go moves slices and
 * metafiles whose HRW target changed). Here the owner drives it: once every object is at its
 * owner (after the POST_TRAVERSE barrier), each target walks the main replicas it owns in EC
 * buckets and, for each object that arrived from another target (its pieces were placed by the
 * sender: all are re-laid) or whose piece holders differ between the run's map and any map this
 * target placed pieces by (the last run finished here and every map it encoded by since:
 * treb.c), rebuilds the moved pieces from the main replica and
 * sends them to their new holders over the "ec" stream (tec_reb_place), then tells the targets
 * out of the new piece set to drop theirs. Never serves or keeps a stale piece as current: a
 * drop is sent only after every new piece was stored, and only up to the object's generation.
 * Must not: touch main replicas (treb_send.c moved them). Polls the job's abort flag per object. */
#include "target/treb_int.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/obj.h"
#include "obj/obj_walk.h"
#include "target/tec.h"

typedef struct tre {
	treb_run_t *run;
	const smap_t *const *olds;
	int nold;
	const uint64_t *ars; /* arrivals (sorted): every piece re-laid */
	int64_t nars;
	const bck_t *bck;
	int64_t visited, sent, dropped, failed;
	char first_err[200];
	obj_t o;
} tre_t;

static int tre_visit(void *arg, const char *name, size_t nlen, const char *fqn)
{
	(void)fqn;
	tre_t *c = arg;
	if (xact_aborted(c->run->x))
		return 1;
	obj_t *o = &c->o;
	memset(o, 0, sizeof(*o));
	if (nlen >= sizeof(o->ibuf))
		return 0;
	memcpy(o->ibuf, name, nlen + 1);
	snode_t owner;
	if (obj_place(o, c->bck, o->ibuf) || obj_remote_owner(c->bck, o->oname, &owner))
		return 0;
	c->visited++;
	bool arrived = treb_arrived_in(c->ars, c->nars, o->digest);
	int rc = tec_reb_place(o, c->olds, arrived ? -1 : c->nold, &c->sent, &c->dropped);
	if (rc && rc != AIS_ENOTFOUND && !c->failed++)
		snprintf(c->first_err, sizeof(c->first_err), "%.120s: %.60s", o->oname, err_str(rc));
	return 0;
}

int treb_ec_place(treb_run_t *run, const smap_t *const *olds, int nold, const uint64_t *ars, int64_t nars)
{
	bmd_t *bmd = bmd_get();
	tre_t c = {.run = run, .olds = olds, .nold = nold, .ars = ars, .nars = nars};
	int64_t t0 = mono_ns();
	for (int b = 0; bmd && b < bmd->nbcks && !xact_aborted(run->x); b++) {
		c.bck = &bmd->bcks[b];
		if (!c.bck->ec_enabled)
			continue;
		for (int i = 0; i < fs_count() && !xact_aborted(run->x); i++) {
			if (!fs_in_use(i))
				continue;
			int rc = obj_walk(c.bck, i, tre_visit, &c);
			if (rc < 0 && !c.failed++)
				snprintf(c.first_err, sizeof(c.first_err), "walk %.120s: %.40s", fs_get(i)->path, err_str(rc));
		}
	}
	bmd_put(bmd);
	if (c.visited)
		log_info("rebalance[g%lld]: EC: %lld object(s) checked against %d earlier map(s)%s, %lld piece(s) sent, "
			 "%lld drop(s), %lld failed in %.1fs", (long long)run->id, (long long)c.visited, nold < 0 ? 0 : nold,
			 nold < 0 ? " (unknown: every piece re-sent)" : "", (long long)c.sent,
			 (long long)c.dropped, (long long)c.failed, (double)(mono_ns() - t0) / 1e9);
	if (c.failed && !xact_aborted(run->x)) {
		xact_add_err(run->x, "EC: %lld object(s) not placed, e.g. %s", (long long)c.failed, c.first_err);
		return AIS_EUNAVAIL;
	}
	return 0;
}
