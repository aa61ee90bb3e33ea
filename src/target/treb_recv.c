/* treb_recv: the receiving side of rebalance: the "reb" stream name, served by tmove's push
 * receiver (worker threads, the writer with the sender's checksum verified, atomic commit, reply)
 * with this policy:
 *   on_hdr (loop): the frame's opaque must name the generation this target runs or last ran
 *                  (an older one: 409 stale; a newer one: not ready yet - the sender keeps its
 *                  copy and a later pass or generation sends it); the sender's write time is kept;
 *   admit (worker): the overwrite rule against what is here (HRW mountpath, else a misplaced copy
 *                  on another one) and the tombstones, before a byte is written: a skip drops the
 *                  payload and answers "ok";
 *   cond (commit, under the object's lock): the same rule again, so that a PUT or DELETE that
 *                  came in between wins;
 *   done: in-objs/in-bytes of the generation's job (skipped duplicates count too, as AIStore's
 *                  "drainOk": the destination has the object).
 * See treb_rule.h for why this keeps newer versions and deletions. */
#include "target/treb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "target/tmove.h"

/* the version here: at the HRW location, else a misplaced copy on another mountpath */
static bool recv_local(const obj_t *o, lom_md_t *md)
{
	if (obj_load(o, -1, md) == 0)
		return true;
	obj_t *alt = NULL;
	bool have = obj_locate(o, &alt) == 0 && obj_load(alt, -1, md) == 0;
	free(alt);
	return have;
}

/* the rule for rx against the local version prev (NULL: none) */
static treb_verdict_t recv_verdict(tmove_rx_t *rx, const lom_md_t *prev)
{
	lom_md_t in;
	lom_md_init(&in);
	in.mtime = rx->mtime;
	in.size = rx->size;
	in.cktype = (cksum_type_t)rx->cktype;
	snprintf(in.ckval, sizeof(in.ckval), "%s", rx->ckval ? rx->ckval : "");
	treb_verdict_t v = treb_rule(prev, treb_tomb_get(rx->o->bck, rx->o->oname), &in);
	if (v != TREB_ACCEPT) {
		rx->verdict = (int)v;
		snprintf(rx->msg, sizeof(rx->msg), "skipped: %s", treb_verdict_str(v));
		if (v == TREB_SKIP_AMBIG)
			log_warn("rebalance: %s: %s - keeping the local one", rx->o->fqn, treb_verdict_str(v));
	}
	return v;
}

static int recv_on_hdr(void *arg, tmove_rx_t *rx)
{
	(void)arg;
	int64_t gen, mtime, cur;
	if (treb_opaque_dec(rx->hdr->opaque, rx->hdr->opaque_len, &gen, &mtime))
		return AIS_EINVAL;
	xact_t *x = treb_rx_job(&cur);
	if (gen != cur || !x) {
		xact_put(x);
		return gen < cur ? AIS_ECONFLICT : AIS_EAGAIN; /* stale / not (yet) running this one */
	}
	rx->mtime = mtime;
	rx->priv = x; /* the reference goes with the object until done() */
	return 0;
}

static int recv_admit(void *arg, tmove_rx_t *rx)
{
	(void)arg;
	if (rx->o->bck->ec_enabled) /* its EC pieces were placed by the sender: the EC step re-lays them */
		treb_arrived_add(rx->o->digest);
	lom_md_t cur;
	lom_md_init(&cur);
	bool have = recv_local(rx->o, &cur);
	treb_verdict_t v = recv_verdict(rx, have ? &cur : NULL);
	lom_md_fini(&cur);
	return v == TREB_ACCEPT ? 0 : TMOVE_SKIP;
}

static int recv_cond(void *arg, tmove_rx_t *rx, const lom_md_t *prev)
{
	(void)arg;
	if (rx->o->bck->ec_enabled) /* (as in recv_admit, which a whole object skips) */
		treb_arrived_add(rx->o->digest);
	lom_md_t alt;
	lom_md_init(&alt);
	if (!prev && recv_local(rx->o, &alt)) /* (a misplaced copy elsewhere: the same lock covers it) */
		prev = &alt;
	treb_verdict_t v = recv_verdict(rx, prev);
	lom_md_fini(&alt);
	return v == TREB_ACCEPT ? 0 : AIS_EEXIST;
}

static void recv_done(void *arg, tmove_rx_t *rx, int rc)
{
	(void)arg;
	xact_t *x = rx->priv;
	if (!x)
		return;
	if (rc == 0 || rc == TMOVE_SKIP)
		xact_in_add(x, 1, rx->size);
	xact_put(x);
	rx->priv = NULL;
}

static const tmove_policy_t recv_policy = {
	.on_hdr = recv_on_hdr,
	.admit = recv_admit,
	.cond = recv_cond,
	.done = recv_done,
};

int treb_recv_init(void)
{
	int rc = tmove_register(TREB_TRNAME, &recv_policy);
	if (rc)
		log_err("rebalance: cannot register the \"%s\" stream: %s", TREB_TRNAME, err_str(rc));
	return rc;
}
