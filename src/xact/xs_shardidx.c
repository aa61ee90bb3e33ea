/* xs_shardidx: the "index-shard" job (AIStore 4.7's xact/xs/shard_idx.go, apc.ActIndexShard):
 * this target's part of indexing a bucket's TAR shards. For every local object whose name ends
 * with ".tar" (AIStore's Mime("", name) == ".tar") and starts with the prefix: skip it when it
 * has a fresh index (or, with skip-verify, any index flag), else scan it once and store its
 * index (archive/arch_obj.h: ais://.sys-shardidx + the LOM flag). A shard that changes while it
 * is scanned is not flagged (the save notices). Counters: loc-objs/loc-bytes = shards indexed and
 * their bytes; the ctlmsg as AIStore's: "prefix:.., skip-nontar:N, skip-indexed:N, index:N,
 * re-stale:N, errs:N". Parameters: params["msg"] = apc.IndexShardMsg ({"prefix", "num-workers",
 * "skip-verify"}); num-workers is accepted and shown (this job indexes on its own thread).
 * Polls the abort flag per object. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archive/arch_idx.h"
#include "archive/arch_obj.h"
#include "cluster/bmd.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "obj/lom.h"
#include "obj/obj_get.h"
#include "xact/xs.h"
#include "xact/xs_bwalk.h"

typedef struct sidx {
	xact_t *x;
	char prefix[1024];
	int nworkers;
	bool skip_verify;
	_Atomic int64_t nontar, skipped, indexed, restale, errs;
} sidx_t;

/* params["msg"]: IndexShardMsg (unknown fields refused, as AIStore's strict decoding) */
int xs_shardidx_msg(json_t *m, char *prefix, size_t pcap, int *nworkers, bool *skip_verify, char *err, size_t cap)
{
	static const char *const keys[] = {"prefix", "num-workers", "skip-verify", NULL};
	*nworkers = 0;
	*skip_verify = false;
	prefix[0] = '\0';
	if (!m || json_is_null(m))
		return 0;
	const char *bad = json_is_object(m) ? jsonx_unknown_key(m, keys) : "(not an object)";
	if (bad) {
		snprintf(err, cap, "invalid index-shard message: unknown field %s", bad);
		return AIS_EINVAL;
	}
	json_t *p = json_object_get(m, "prefix"), *n = json_object_get(m, "num-workers"),
	       *s = json_object_get(m, "skip-verify");
	if ((p && !json_is_string(p) && !json_is_null(p)) || (n && !json_is_integer(n) && !json_is_null(n)) ||
	    (s && !json_is_boolean(s) && !json_is_null(s))) {
		snprintf(err, cap, "invalid index-shard message: a field has the wrong type");
		return AIS_EINVAL;
	}
	if (json_is_string(p) && strlen(json_string_value(p)) >= pcap) {
		snprintf(err, cap, "prefix too long");
		return AIS_EINVAL;
	}
	snprintf(prefix, pcap, "%s", json_is_string(p) ? json_string_value(p) : "");
	if (json_is_integer(n)) {
		json_int_t v = json_integer_value(n);
		if (v < -1 || v > 1024) {
			snprintf(err, cap, "invalid num-workers %lld", (long long)v);
			return AIS_EINVAL;
		}
		*nworkers = (int)v;
	}
	*skip_verify = json_is_true(s);
	return 0;
}

static int sidx_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	sidx_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	json_t *m = a && a->params ? json_object_get(a->params, "msg") : NULL;
	int rc = xs_shardidx_msg(m, c->prefix, sizeof(c->prefix), &c->nworkers, &c->skip_verify, err, cap);
	if (rc) {
		free(c);
		return rc;
	}
	c->x = x;
	xact_set_priv(x, c);
	return 0;
}

/* one object: 1 indexed, 0 skipped, < 0 failed */
static int sidx_one(sidx_t *c, const bck_t *b, const char *name, bool *stale)
{
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	char err[512] = "";
	arch_idx_t idx;
	*stale = false;
	memset(&o, 0, sizeof(o));
	int rc = obj_place(&o, b, name);
	if (rc || (rc = obj_get_open(&g, &o, OBJ_GET_QUIET, &why)))
		return rc == AIS_ENOTFOUND ? 0 : rc; /* gone meanwhile */
	if (g.chunked && (rc = obj_get_prepare(&g, &why)))
		goto out;
	if (g.md.flags & LOM_FL_SHARDIDX) {
		if (c->skip_verify) {
			c->skipped++;
			goto out;
		}
		rc = arch_obj_idx_load(&g, &idx, err, sizeof(err));
		if (!rc) {
			arch_idx_fini(&idx);
			c->skipped++;
			goto out;
		}
		*stale = true; /* stale, corrupt or gone: index again */
	}
	arch_rd_t *rd;
	if ((rc = arch_obj_rd(&g, ARCH_TAR, &rd, err, sizeof(err))))
		goto out;
	rc = arch_idx_build(rd, cksum_type_str(g.md.cktype), g.md.ckval, g.size, &idx, err, sizeof(err));
	arch_rd_close(rd);
	if (!rc) {
		int64_t sz = g.size;
		obj_get_close(&g);
		rc = arch_obj_idx_save(&o, &idx, err, sizeof(err));
		arch_idx_fini(&idx);
		if (!rc)
			xact_objs_add(c->x, 1, sz);
		obj_fini(&o);
		if (rc)
			xact_add_err(c->x, "index %s: %s", name, err);
		return rc ? rc : 1;
	}
out:
	if (rc)
		xact_add_err(c->x, "index %s: %s", name, *err ? err : err_str(rc));
	obj_get_close(&g);
	obj_fini(&o);
	return rc;
}

typedef struct sidx_walk {
	sidx_t *c;
	const bck_t *b;
} sidx_walk_t;

static bool sidx_visit(void *arg, const char *name)
{
	sidx_walk_t *w = arg;
	sidx_t *c = w->c;
	if (xact_aborted(c->x))
		return false;
	if (!arch_obj_indexable(name)) {
		c->nontar++;
		return true;
	}
	bool stale;
	int rc = sidx_one(c, w->b, name, &stale);
	if (rc < 0)
		c->errs++;
	else if (rc > 0 && stale)
		c->restale++;
	else if (rc > 0)
		c->indexed++;
	return true;
}

static void sidx_run(xact_t *x)
{
	sidx_t *c = xact_priv(x);
	const xact_bck_t *xb = xact_bck(x);
	bmd_t *bmd = bmd_get();
	const bck_t *b = bmd ? bmd_find(bmd, xb->provider[0] ? xb->provider : "ais", xb->ns, xb->name) : NULL;
	if (!b) {
		xact_add_err(x, "bucket %s does not exist", xb->name);
	} else {
		sidx_walk_t w = {c, b};
		if (xs_bwalk(b, c->prefix, sidx_visit, &w))
			xact_add_err(x, "walk %s: out of memory", b->name);
	}
	bmd_put(bmd);
	log_info("index-shard %s: indexed %lld, re-indexed %lld (stale), skipped %lld indexed and %lld non-TAR, %lld error(s)%s",
		 xact_id(x), (long long)c->indexed, (long long)c->restale, (long long)c->skipped, (long long)c->nontar,
		 (long long)c->errs, xact_aborted(x) ? " (aborted)" : "");
}

static void sidx_kv(sbuf_t *out, const char *k, const char *v)
{
	sbuf_addf(out, "%s%s:%s", out->len ? ", " : "", k, v);
}

static void sidx_kn(sbuf_t *out, const char *k, int64_t n)
{
	if (n > 0)
		sbuf_addf(out, "%s%s:%lld", out->len ? ", " : "", k, (long long)n);
}

static void sidx_ctlmsg(const xact_t *x, sbuf_t *out)
{
	sidx_t *c = xact_priv(x);
	if (!c)
		return;
	if (c->prefix[0])
		sidx_kv(out, "prefix", c->prefix);
	if (c->nworkers == -1)
		sidx_kv(out, "num-workers", "none");
	else if (c->nworkers > 0)
		sidx_kn(out, "num-workers", c->nworkers);
	if (c->skip_verify)
		sidx_kv(out, "skip-verify", "true");
	sidx_kn(out, "skip-nontar", c->nontar);
	sidx_kn(out, "skip-indexed", c->skipped);
	sidx_kn(out, "index", c->indexed);
	sidx_kn(out, "re-stale", c->restale);
	sidx_kn(out, "errs", c->errs);
}

static void sidx_fini(xact_t *x)
{
	free(xact_priv(x));
	xact_set_priv(x, NULL);
}

const xact_ops_t xs_shardidx_ops = {
	.prep = sidx_prep,
	.run = sidx_run,
	.ctlmsg = sidx_ctlmsg,
	.fini = sidx_fini,
};
