/* treb_gfn: get from neighbour (AIStore's ais/tgtobj.go getFromNeighbor): during a rebalance
 * window a read of an object this target owns but does not have yet fetches it from the target
 * that had it - the owner under the previous Smap first, then every other target (one that is
 * being drained included) - over the "obj-pull" mover, stores it here through the writer
 * (checksum verified, the owner's version, write time and atime kept, committed only if nothing
 * newer and no later delete is here: treb_rule.h) and lets the read go on locally. The copy left
 * at the old owner is dropped when its rebalance sends it (the new owner answers "same").
 * Blocks: pool threads. */
#include "target/treb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "obj/obj_put.h"
#include "target/tmove.h"

#define GFN_MAX_PEERS 64

typedef struct gfn {
	const obj_t *o;
	lom_md_t smd;          /* the owner's attributes (tmove_pull fills them) */
	int verdict;
} gfn_t;

static int gfn_cond(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)md;
	gfn_t *g = arg;
	lom_md_t in;
	lom_md_init(&in);
	in.mtime = g->smd.mtime;
	in.size = g->smd.size;
	in.cktype = g->smd.cktype;
	snprintf(in.ckval, sizeof(in.ckval), "%s", g->smd.ckval);
	treb_verdict_t v = treb_rule(prev, treb_tomb_get(o->bck, o->oname), &in);
	if (v == TREB_ACCEPT)
		return 0;
	g->verdict = (int)v;
	return AIS_EEXIST;
}

static int gfn_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	(void)res;
	gfn_t *g = arg;
	if (g->smd.atime > 0)
		md->atime = g->smd.atime;
	return 0;
}

static int gfn_sink(void *arg, const char *buf, size_t n) { return obj_put_write(arg, buf, n); }

/* one peer: 0 stored (or something as new is here), AIS_EEXIST (it has it, but it was deleted here
 * since), AIS_ENOTFOUND (not there), AIS_E* */
static int gfn_from(const obj_t *o, const snode_t *peer, char *err, size_t cap)
{
	gfn_t g = {.o = o};
	lom_md_init(&g.smd);
	obj_put_opts_t opt = {.size_hint = -1, .keep_version = true, .keep_mtime = true, .acct = OBJ_ACCT_NONE,
			      .tag = "gfn", .cond = gfn_cond, .cond_arg = &g, .md_cb = gfn_md_cb, .md_arg = &g};
	obj_put_t *w = NULL;
	obj_why_t why;
	int rc = obj_put_begin(o, &opt, &w, &why);
	if (!rc)
		rc = tmove_pull(peer, o->bck, o->oname, 0, -1, gfn_sink, w, &g.smd, NULL, err, cap);
	if (!rc) {
		lom_md_t *md = obj_put_md(w);
		lom_md_fini(md);
		rc = lom_md_copy(md, &g.smd); /* version, custom metadata, write time */
		if (rc)
			lom_md_init(md);
		md->flags = 0;
		md->uid[0] = '\0';
		lom_md_set_name(md, NULL);
	}
	if (!rc) {
		obj_put_t *ww = w;
		w = NULL;
		obj_put_res_t res;
		rc = obj_put_commit(ww, &res, &why);
		lom_md_fini(&res.md);
		if (rc == AIS_EEXIST && why == OBJ_WHY_COND && g.verdict)
			rc = g.verdict == TREB_SKIP_DELETED ? AIS_EEXIST : 0; /* deleted here since / a newer one is here */
	}
	obj_put_abort(w, 0);
	lom_md_fini(&g.smd);
	return rc;
}

int treb_gfn(const obj_t *o, char *err, size_t cap)
{
	if (cap)
		err[0] = '\0';
	if (!treb_window())
		return AIS_ENOTFOUND;
	smap_t *prev = treb_prev_smap(), *cur = smap_get();
	snode_t peers[GFN_MAX_PEERS];
	int n = 0;
	const snode_t *p = prev ? smap_owner(prev, o->digest) : NULL;
	if (p && strcmp(p->id, node_id()) && cur && smap_find(cur, p->id))
		peers[n++] = *p; /* (one no longer in the map - killed, removed - cannot answer: not asked) */
	for (int i = 0; cur && i < cur->ntargets && n < GFN_MAX_PEERS; i++) {
		const snode_t *t = &cur->targets[i];
		bool dup = !strcmp(t->id, node_id());
		for (int k = 0; k < n && !dup; k++)
			dup = !strcmp(peers[k].id, t->id);
		if (!dup)
			peers[n++] = *t;
	}
	smap_put(prev);
	smap_put(cur);
	int rc = AIS_ENOTFOUND, last = AIS_ENOTFOUND;
	for (int i = 0; i < n; i++) {
		rc = gfn_from(o, &peers[i], err, cap);
		if (!rc) {
			log_dbg("gfn: %s from t[%s]", o->oname, peers[i].id);
			return 0;
		}
		if (rc == AIS_EEXIST)
			return rc;
		if (rc != AIS_ENOTFOUND && rc != AIS_ENOBUCKET)
			last = rc; /* unreachable, ...: try the others */
	}
	return last;
}
