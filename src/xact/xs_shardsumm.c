/* xs_shardsumm: the "summary-shard" job (AIStore 4.7's xact/xs/shard_summ.go,
 * apc.ActSummaryShard, display name "shard-summary"): this target's shard-index coverage of a
 * bucket (by prefix): TAR objects and their bytes, those with a fresh index (count, bytes,
 * indexed files), stale indexes, unreadable ones. The result is apc.ShardSummResult
 * (xs_shardsumm_result); the proxy sums the targets'. Parameters: params["msg"] =
 * apc.ShardSummMsg ({"uuid", "prefix"}). Read-only: it never changes a LOM or an index. */
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

typedef struct ssum {
	xact_t *x;
	char prefix[1024];
	const bck_t *b;
	_Atomic int64_t tar_objs, tar_size, shards, shard_size, archived, stale, invalid;
} ssum_t;

static int ssum_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	static const char *const keys[] = {"uuid", "prefix", NULL};
	json_t *m = a && a->params ? json_object_get(a->params, "msg") : NULL;
	const char *bad = m && !json_is_null(m) ? (json_is_object(m) ? jsonx_unknown_key(m, keys) : "(not an object)") : NULL;
	json_t *p = m ? json_object_get(m, "prefix") : NULL;
	if (bad || (p && !json_is_string(p) && !json_is_null(p))) {
		snprintf(err, cap, "invalid shard-summary message: %s%s", bad ? "unknown field " : "prefix must be a string",
			 bad ? bad : "");
		return AIS_EINVAL;
	}
	ssum_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	snprintf(c->prefix, sizeof(c->prefix), "%s", json_is_string(p) ? json_string_value(p) : "");
	c->x = x;
	xact_set_priv(x, c);
	return 0;
}

static bool ssum_visit(void *arg, const char *name)
{
	ssum_t *c = arg;
	if (xact_aborted(c->x))
		return false;
	if (!arch_obj_indexable(name))
		return true;
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, c->b, name) || obj_get_open(&g, &o, OBJ_GET_QUIET, &why))
		return true;
	c->tar_objs++;
	c->tar_size += g.size;
	xact_objs_add(c->x, 1, g.size);
	if (g.md.flags & LOM_FL_SHARDIDX) {
		arch_idx_t idx;
		char err[256];
		int rc = arch_obj_idx_load(&g, &idx, err, sizeof(err));
		if (!rc) {
			c->shards++;
			c->shard_size += g.size;
			c->archived += (int64_t)idx.count;
			arch_idx_fini(&idx);
		} else if (rc == AIS_ECONFLICT) {
			c->stale++;
		} else {
			c->invalid++;
		}
	}
	obj_get_close(&g);
	return true;
}

static void ssum_run(xact_t *x)
{
	ssum_t *c = xact_priv(x);
	const xact_bck_t *xb = xact_bck(x);
	bmd_t *bmd = bmd_get();
	c->b = bmd ? bmd_find(bmd, xb->provider[0] ? xb->provider : "ais", xb->ns, xb->name) : NULL;
	if (!c->b)
		xact_add_err(x, "bucket %s does not exist", xb->name);
	else if (xs_bwalk(c->b, c->prefix, ssum_visit, c))
		xact_add_err(x, "walk %s: out of memory", xb->name);
	c->b = NULL;
	bmd_put(bmd);
}

static json_t *ssum_num(int64_t v)
{
	char s[32];
	snprintf(s, sizeof(s), "%lld", (long long)v);
	return json_string(s);
}

json_t *xs_shardsumm_result(const xact_t *x)
{
	ssum_t *c = xact_priv(x);
	if (!c)
		return NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tar-objs", ssum_num(c->tar_objs), "tar-size",
			 ssum_num(c->tar_size), "shards", ssum_num(c->shards), "shard-size", ssum_num(c->shard_size),
			 "archived-objs", ssum_num(c->archived), "stale-indexes", ssum_num(c->stale), "invalid-indexes",
			 ssum_num(c->invalid));
}

static void ssum_ctlmsg(const xact_t *x, sbuf_t *out)
{
	ssum_t *c = xact_priv(x);
	if (!c)
		return;
	if (c->prefix[0])
		sbuf_addf(out, "%sprefix:%s", out->len ? ", " : "", c->prefix);
	sbuf_addf(out, "%star-objs:%lld, tar-size:%lld, shards:%lld, shard-size:%lld, archived-objs:%lld",
		  out->len ? ", " : "", (long long)c->tar_objs, (long long)c->tar_size, (long long)c->shards,
		  (long long)c->shard_size, (long long)c->archived);
	if (c->stale)
		sbuf_addf(out, ", stale:%lld", (long long)c->stale);
	if (c->invalid)
		sbuf_addf(out, ", invalid-index:%lld", (long long)c->invalid);
}

static void ssum_fini(xact_t *x)
{
	free(xact_priv(x));
	xact_set_priv(x, NULL);
}

const xact_ops_t xs_shardsumm_ops = {
	.prep = ssum_prep,
	.run = ssum_run,
	.ctlmsg = ssum_ctlmsg,
	.fini = ssum_fini,
};
