/* txact: the target's job endpoints (AIStore's ais/tgtxact.go), the HTTP adapter over the job
 * registry (xact/xact.h); what the proxy, and tools talking to a target directly, call:
 *   GET /v1/xactions?what=getxstats&uuid=ID    one job's core.Snap (404 when unknown)
 *   GET /v1/xactions?what=shard-summ&uuid=ID   a summary-shard job's ShardSummResult (202 while
 *                                              it runs; proxy/pshard.c sums them)
 *   GET /v1/xactions?what=qryxstats  QueryMsg   [core.Snap, ...] of the matching jobs (an ID that
 *                                               matches nothing: 404); ID may be "a,b,c"
 *   GET /v1/xactions?what=running_all QueryMsg  ["kind[id]", ...]
 *   PUT /v1/xactions {"action":"start","value":ArgsMsg}  registers and starts the job on its
 *       own thread, answers at once (200; the body is the job ID when this target made it up);
 *       the query string's params go to the kind (cleanup-store: dont_cleanup_time, throttle),
 *       and so does "ext" (params["msg"]): the kind's own message a proxy action carries
 *       (index-shard: IndexShardMsg, summary-shard: ShardSummMsg, archive: ArchiveBckMsg)
 *   PUT /v1/xactions {"action":"stop","value":ArgsMsg}   aborts by ID, or kind[+bucket] (200)
 * Errors as AIStore's: unknown kind 400, malformed ID 400, kind needing a bucket 400, unknown
 * bucket 404, a kind this build cannot run 501 ("cannot start xaction K - operation not
 * supported"). Must not: do a job's work here (handlers answer from memory, on the loop). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "backend/bk.h"
#include "cluster/bmd.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/route.h"
#include "target/tgt_int.h"
#include "xact/xact.h"
#include "xact/xact_wire.h"
#include "xact/xs.h"

#define TXACT_BODY_MAX (1 << 20)

/* resolve a cmn.Bck against the BMD (AIStore's bck.Init): fills provider "ais" when empty.
 * 0, or responds 404/501 and returns < 0 */
static int txact_bck_init(http_req_t *r, xact_bck_t *b)
{
	char cn[300];
	if (!b->provider[0])
		snprintf(b->provider, sizeof(b->provider), "ais");
	xact_wire_bck_cname(b, cn, sizeof(cn));
	const char *np = bk_norm_provider(b->provider);
	if (!np) {
		http_error(r, 400, NULL, "invalid bucket provider \"%s\"", b->provider);
		return AIS_EINVAL;
	}
	snprintf(b->provider, sizeof(b->provider), "%s", np); /* "s3" -> "aws" */
	bmd_t *m = bmd_get();
	bool ok = m && bmd_find(m, b->provider, b->ns, b->name);
	bmd_put(m);
	if (!ok) {
		http_error_code(r, AIS_ENOBUCKET, "bucket \"%s\" does not exist", cn);
		return AIS_ENOBUCKET;
	}
	return 0;
}

/* ---- GET ---- */

static void txact_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(j);
}

/* what=shard-summ: a summary-shard job's result once it finished (202 while it runs) */
static void txact_shard_summ(http_req_t *r, const char *uuid)
{
	xact_t *x = xact_reg_find(uuid);
	if (!x || strcmp(xact_kind(x)->name, "summary-shard")) {
		xact_put(x);
		http_error_code(r, AIS_ENOTFOUND, "shard-summary [%s] not found", uuid);
		return;
	}
	char err[XACT_ERR_MAX];
	xact_err(x, err, sizeof(err));
	if (!xact_done(x))
		http_respond(r, 202, "text/plain", uuid, strlen(uuid));
	else if (err[0])
		http_error(r, 500, NULL, "shard-summary [%s]: %s", uuid, err);
	else
		txact_json(r, xs_shardsumm_result(x));
	xact_put(x);
}

static void txact_get_one(http_req_t *r, const char *what, const char *uuid)
{
	if (!strcmp(what, "shard-summ")) {
		txact_shard_summ(r, uuid);
		return;
	}
	if (strcmp(what, "getxstats")) {
		http_error(r, 400, NULL, "unexpected query [what=%s]", what);
		return;
	}
	xact_t *x = xact_reg_find(uuid);
	if (!x) {
		http_error_code(r, AIS_ENOTFOUND, "xaction [%s] not found", uuid);
		return;
	}
	txact_json(r, xact_snap_json(x));
	xact_put(x);
}

/* qryxstats: one ID, a comma-separated list (first that exists), or kind/bucket selection */
static void txact_query(http_req_t *r, const xact_query_t *q, const xact_kind_t *k)
{
	xact_filter_t f;
	char err[XACT_ERR_MAX] = "";
	json_t *out = NULL;
	int rc = AIS_ENOTFOUND;
	memset(&f, 0, sizeof(f));
	f.only_running = q->only_running;
	f.bck = q->bck;
	if (k)
		snprintf(f.kind, sizeof(f.kind), "%s", k->name);
	if (!q->id[0])
		rc = xact_reg_snaps(&f, &out, err, sizeof(err));
	for (const char *p = q->id; *p && rc == AIS_ENOTFOUND;) {
		size_t l = strcspn(p, ",");
		if (l && l < sizeof(f.id)) {
			snprintf(f.id, sizeof(f.id), "%.*s", (int)l, p);
			rc = xact_reg_snaps(&f, &out, err, sizeof(err));
		}
		p += l + (p[l] == ',');
	}
	if (rc == AIS_ENOTFOUND && !err[0])
		snprintf(err, sizeof(err), "xaction ID=%s not found", q->id);
	if (rc)
		http_error_code(r, rc, "%s", err);
	else
		txact_json(r, out);
}

static void txact_get(http_req_t *r)
{
	const char *what = http_query_get(r, "what");
	const char *uuid = http_query_get(r, "uuid");
	xact_query_t q;
	char err[XACT_ERR_MAX];
	const xact_kind_t *k = NULL;
	if (!what)
		what = "";
	if (uuid && *uuid) {
		txact_get_one(r, what, uuid);
		return;
	}
	if (xact_wire_query_parse(r->body, r->body_len, &q, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		return;
	}
	if (q.kind[0] && !(k = xact_table_find(q.kind))) {
		http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\"", q.kind);
		return;
	}
	if (!strcmp(what, "running_all")) {
		txact_json(r, xact_reg_running(k ? k->name : ""));
		return;
	}
	if (strcmp(what, "qryxstats")) {
		http_error(r, 400, NULL, "unexpected query [what=%s]", what);
		return;
	}
	if (q.bck.name[0] && txact_bck_init(r, &q.bck))
		return;
	txact_query(r, &q, k);
}

/* ---- PUT ---- */

/* the request's query params as a JSON object of strings (the kind's parameters) */
static json_t *txact_params(const http_req_t *r)
{
	json_t *p = json_object();
	for (int i = 0; p && i < r->nquery; i++)
		json_object_set_new(p, r->query[i].name, json_string(r->query[i].value));
	return p;
}

static void txact_start(http_req_t *r, xact_args_t *a, json_t *ext, json_t *jparams)
{
	char s[512], err[XACT_ERR_MAX];
	const xact_kind_t *k = xact_table_find(a->kind);
	xact_wire_args_str(a, s, sizeof(s));
	if (!k) {
		http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\": %s", a->kind, s);
		return;
	}
	if (k->scope == XACT_SCOPE_B && !a->bck.name[0]) {
		http_error(r, 400, NULL, "xaction \"%s\" requires a bucket to start", k->name);
		return;
	}
	if (k->flags & XACT_KF_NS_PUTS) {
		http_error(r, 400, NULL, "cannot start \"%s\" (is driven by PUTs into a mirrored bucket)", s);
		return;
	}
	if ((k->flags & XACT_KF_NS_API) && !json_is_object(jparams) && !ext) { /* ("params" or "ext": the proxy's documented API) */
		http_error(r, 400, NULL, "initiating \"%s\" must be done via a separate documented API", s);
		return;
	}
	bool gen = !a->id[0];
	if (!gen && !xact_id_valid(a->id)) {
		http_error(r, 400, NULL, "invalid xaction (job) UUID \"%s\": %s", a->id, s);
		return;
	}
	a->params = txact_params(r);
	if (a->params && ext) /* the kind's own message (e.g. apc.IndexShardMsg), from the proxy */
		json_object_set(a->params, "msg", ext);
	if (a->params && json_is_object(jparams)) /* the job's own message (the proxy's "params") */
		json_object_update(a->params, jparams);
	xact_t *x = NULL;
	int rc = xact_reg_start(k, a, &x, err, sizeof(err));
	json_decref(a->params);
	a->params = NULL;
	if (rc) {
		http_error_code(r, rc, "%s", err);
		return;
	}
	if (gen)
		http_respond(r, 200, "text/plain", xact_id(x), strlen(xact_id(x)));
	else
		http_respond(r, 200, NULL, NULL, 0);
	xact_put(x);
}

static void txact_stop(http_req_t *r, const xact_args_t *a, const char *name)
{
	char s[512];
	xact_filter_t f;
	const xact_kind_t *k = NULL;
	xact_wire_args_str(a, s, sizeof(s));
	if (a->kind[0] && !(k = xact_table_find(a->kind))) {
		http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\": %s", a->kind, s);
		return;
	}
	if (a->id[0] && !xact_id_valid(a->id)) {
		http_error(r, 400, NULL, "invalid xaction (job) UUID \"%s\": %s", a->id, s);
		return;
	}
	if (!k && !a->id[0]) {
		http_error(r, 400, NULL, "cannot stop xaction given '%s' - expecting a valid kind and/or UUID", s);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.only_running = -1;
	snprintf(f.id, sizeof(f.id), "%s", a->id);
	if (k)
		snprintf(f.kind, sizeof(f.kind), "%s", k->name);
	f.bck = a->bck;
	int n = xact_reg_abort(&f, name && !strcmp(name, "IC(notifications) abort") ? name : "user abort");
	if (n)
		log_info("%s: stopped %d job(s)", s, n);
	http_respond(r, 200, NULL, NULL, 0);
}

static void txact_put(http_req_t *r)
{
	json_error_t je;
	xact_args_t a;
	char err[XACT_ERR_MAX];
	json_t *msg = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	if (!json_is_object(msg)) {
		http_error(r, 400, NULL, "failed to unmarshal JSON action message: %s", msg ? "not an object" : je.text);
		json_decref(msg);
		return;
	}
	const char *act = jsonx_str(msg, "action", "");
	bool start = !strcmp(act, "start"), stop = !strcmp(act, "stop");
	if (!start && !stop) {
		http_error(r, 400, NULL, "invalid action \"%s\"", act);
		goto out;
	}
	if (xact_wire_args_parse(json_object_get(msg, "value"), &a, err, sizeof(err))) {
		http_error(r, 400, NULL, "failed to unmarshal %s action's value: %s", act, err);
		goto out;
	}
	/* a bucket must exist to start with it; stopping proceeds anyway (AIStore) */
	if (a.bck.name[0] && start && txact_bck_init(r, &a.bck))
		goto fini;
	for (int i = 0; start && i < a.nbuckets; i++)
		if (a.buckets[i].name[0] && txact_bck_init(r, &a.buckets[i]))
			goto fini;
	if (start)
		txact_start(r, &a, json_object_get(msg, "ext"), json_object_get(msg, "params"));
	else
		txact_stop(r, &a, jsonx_str(msg, "name", ""));
fini:
	xact_wire_args_fini(&a);
out:
	json_decref(msg);
}

static void txact_cb(http_req_t *r)
{
	if (r->method == HTTP_M_GET)
		txact_get(r);
	else
		txact_put(r);
}

static void txact_route_cb(http_req_t *r) { http_read_body(r, TXACT_BODY_MAX, txact_cb, false); }

void txact_init(void)
{
	route_add(RM(HTTP_M_GET), "/v1/xactions", txact_route_cb);
	/* start/stop are the proxy's (signed, from a member: net/route.h) */
	route_add_intra(RM(HTTP_M_PUT), "/v1/xactions", txact_route_cb, ROUTE_MEMBER);
}

void txact_fini(void)
{
	xact_reg_shutdown(5000);
}
