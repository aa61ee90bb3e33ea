/* pxact: the proxy's job API (AIStore's ais/prxclu.go xstart/xstop/xquery/xgetRunning and the
 * IC's status queries, ais/ic.go), over the targets' /v1/xactions (target/txact.c):
 *   PUT /v1/cluster {"action":"start","value":ArgsMsg}  validate, assign the ID, start on every
 *       active target (one parallel round, control-plane timeout), register a status listener
 *       (xact/xact_nl.h), answer the ID as text. A target that refused: the others are stopped
 *       again and its error is relayed (nothing keeps running). The query string goes along
 *       (cleanup-store: dont_cleanup_time, throttle).
 *   PUT /v1/cluster {"action":"stop","value":ArgsMsg}   broadcast stop; first target error relayed
 *   GET /v1/cluster?what=qryxstats   QueryMsg → {"<tid>":[core.Snap...]} (xact.MultiSnap)
 *   GET /v1/cluster?what=running_all QueryMsg → ["kind[id]", ...]
 *   GET /v1/cluster?what=status      QueryMsg → nl.Status of one job (404 when unknown)
 *   GET /v1/cluster?what=status_all  QueryMsg → [nl.Status...] (null when none, as AIStore)
 * Keys of ArgsMsg/QueryMsg are matched case-insensitively, display names ("cleanup") accepted.
 * Threads: every handler runs on the server's pool and waits only for one fan-out round bounded
 * by timeout.max_keepalive; no thread waits for a job. Status of an unfinished job is refreshed
 * by asking the targets it still waits for (AIStore's bcastGetStats). start/stop and status go
 * to the primary (which keeps the listeners); other proxies relay them. */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/bmd.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "proxy/pbcast.h"
#include "xact/xact.h"
#include "xact/xact_nl.h"
#include "xact/xact_wire.h"

#define PXACT_BODY_MAX (1 << 20)
#define PXACT_REFRESH_MAX 64 /* status_all: listeners refreshed per request */

/* ---- fan-out to targets ---- */

static int pxact_timeout_ms(void) { return pbcast_timeout_ms(1000); }

/* targets to call: the active ones (tids NULL) or those of tids[0..ntids) still in the Smap
 * (a listed one that is gone is reported to the listener of `uuid`); with `proxies` also every
 * proxy (queries: proxies run the election job). 0 or AIS_E*. */
static int pxact_bc_init_ex(pbcast_t *bc, char (*tids)[XACT_NL_TID_MAX], int ntids, const char *uuid, bool proxies)
{
	int rc = pbcast_init(bc, tids ? tids[0] : NULL, sizeof(*tids), ntids, proxies);
	if (rc || !tids)
		return rc;
	smap_t *m = smap_get();
	for (int k = 0; m && k < ntids; k++)
		if (!smap_find(m, tids[k]))
			xact_nl_node_gone(uuid, tids[k]);
	smap_put(m);
	return 0;
}

static int pxact_bc_init(pbcast_t *bc, char (*tids)[XACT_NL_TID_MAX], int ntids, const char *uuid)
{
	return pxact_bc_init_ex(bc, tids, ntids, uuid, false);
}

/* every target (all) or the active ones */
static int pxact_bc_init_all(pbcast_t *bc, bool all)
{
	if (!all)
		return pxact_bc_init(bc, NULL, 0, NULL);
	smap_t *m = smap_get();
	int n = m ? m->ntargets : 0;
	char(*tids)[XACT_NL_TID_MAX] = calloc((size_t)n + 1, sizeof(*tids));
	for (int i = 0; tids && i < n; i++)
		snprintf(tids[i], sizeof(tids[i]), "%s", m->targets[i].id);
	smap_put(m);
	int rc = tids ? pxact_bc_init(bc, tids, n, "") : AIS_ENOMEM;
	free(tids);
	return rc;
}

/* "?<raw query>" of the client's request, with what= replaced (GETs) */
static void pxact_path(sbuf_t *p, const char *what, const http_req_t *r)
{
	sbuf_adds(p, "/v1/xactions");
	if (what)
		sbuf_addf(p, "?what=%s", what);
	if (!r || !r->raw_query[0])
		return;
	for (int i = 0; i < r->nquery; i++) {
		if (what && !strcmp(r->query[i].name, "what"))
			continue;
		char *k = url_encode(r->query[i].name, false), *v = url_encode(r->query[i].value, false);
		sbuf_addf(p, "%s%s=%s", p->len && strchr(sbuf_str(p), '?') ? "&" : "?", k ? k : "", v ? v : "");
		free(k);
		free(v);
	}
}

/* stop job uuid of kind on the given targets (best effort: failures are logged) */
static void pxact_stop_on(const char *uuid, const char *kind, char (*tids)[XACT_NL_TID_MAX], int n, const char *why)
{
	pbcast_t bc;
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", uuid);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	json_t *v = xact_wire_args_json(&a);
	json_t *msg = json_pack("{s:s, s:o, s:s}", "action", "stop", "value", v, "name", why ? why : "");
	char *body = msg ? jsonx_dumps(msg) : NULL;
	json_decref(msg);
	if (body && !pxact_bc_init(&bc, tids, n, uuid)) {
		pbcast_run(&bc, "PUT", "/v1/xactions", body, strlen(body), pxact_timeout_ms());
		for (int i = 0; i < bc.n; i++)
			if (bc.q[i].rc || bc.q[i].status != 200)
				log_warn("x-%s[%s]: stop on t[%s] failed (%d %s)", kind, uuid, bc.tid[i], bc.q[i].status,
					 bc.q[i].errmsg);
		pbcast_fini(&bc);
	}
	free(body);
}

static void pxact_refresh(const xact_nl_view_t *v);

/* ---- start / stop ---- */

static int pxact_args(http_req_t *r, json_t *msg, xact_args_t *a)
{
	char err[XACT_ERR_MAX];
	if (xact_wire_args_parse(json_object_get(msg, "value"), a, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s: failed to unmarshal %s action's value (xact.ArgsMsg), err: %s", node_name(),
			   jsonx_str(msg, "action", ""), err);
		return AIS_EINVAL;
	}
	return 0;
}

/* the checks every target would make, done once here so that nothing starts anywhere */
static const xact_kind_t *pxact_start_check(http_req_t *r, xact_args_t *a)
{
	char s[512];
	const xact_kind_t *k = xact_table_find(a->kind);
	xact_wire_args_str(a, s, sizeof(s));
	if (!k) {
		http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\": %s", a->kind, s);
		return NULL;
	}
	snprintf(a->kind, sizeof(a->kind), "%s", k->name); /* display name → kind */
	if (!strcmp(k->name, "resilver") && !a->node[0]) {
		http_error(r, 501, NULL, "cannot run resilver on all targets in the cluster - operation not supported");
		return NULL;
	}
	if (k->scope == XACT_SCOPE_B && !a->bck.name[0]) {
		http_error(r, 400, NULL, "xaction \"%s\" requires a bucket to start", k->name);
		return NULL;
	}
	if (k->flags & XACT_KF_NS_PUTS) {
		http_error(r, 400, NULL, "cannot start \"%s\" (is driven by PUTs into a mirrored bucket)", s);
		return NULL;
	}
	if (k->flags & XACT_KF_NS_API) {
		http_error(r, 400, NULL, "initiating \"%s\" must be done via a separate documented API", s);
		return NULL;
	}
	if (!k->ops) {
		http_error(r, 501, NULL, "cannot start xaction %s - operation not supported", k->name);
		return NULL;
	}
	if (a->bck.name[0]) {
		char cn[300];
		xact_wire_bck_cname(&a->bck, cn, sizeof(cn));
		bmd_t *m = bmd_get();
		bool ok = m && bmd_find(m, a->bck.provider[0] ? a->bck.provider : "ais", a->bck.ns, a->bck.name);
		bmd_put(m);
		if (!ok) {
			http_error_code(r, AIS_ENOBUCKET, "bucket \"%s\" does not exist", cn);
			return NULL;
		}
	}
	return k;
}

int pxact_start_job(http_req_t *r, const xact_kind_t *k, xact_args_t *a, json_t *params)
{
	pbcast_t bc = {0};
	char *body = NULL;
	sbuf_t path = SBUF_INIT;
	int rc = AIS_EINVAL;
	if (!a->id[0])
		xact_gen_id(a->id);
	if (pxact_bc_init(&bc, NULL, 0, NULL)) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	if (k->scope == XACT_SCOPE_T) { /* a single-target kind (resilver): only a.node */
		int keep = -1;
		for (int i = 0; i < bc.n; i++)
			if (!strcmp(bc.tid[i], a->node))
				keep = i;
		if (keep < 0) {
			http_error(r, 404, NULL, "%s: cannot %s: node t[%s] does not exist", node_name(), k->name, a->node);
			goto out;
		}
		memmove(bc.tid[0], bc.tid[keep], sizeof(bc.tid[0]));
		sbuf_t u = bc.url[keep];
		bc.url[keep] = bc.url[0];
		bc.url[0] = u;
		for (int i = 1; i < bc.n; i++)
			sbuf_fini(&bc.url[i]);
		bc.n = 1;
	}
	if (!bc.n) {
		http_error(r, 503, NULL, "no storage targets in the cluster (%s)", node_name());
		goto out;
	}
	json_t *m2 = json_pack("{s:s, s:o}", "action", "start", "value", xact_wire_args_json(a));
	if (m2 && params)
		json_object_set(m2, "params", params); /* the job's own message (targets: xact_args_t.params) */
	body = m2 ? jsonx_dumps(m2) : NULL;
	json_decref(m2);
	if (!body) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	pxact_path(&path, NULL, params ? NULL : r);
	pbcast_run(&bc, "PUT", sbuf_str(&path), body, strlen(body), pxact_timeout_ms());
	int bad = -1, nok = 0;
	for (int i = 0; i < bc.n; i++) {
		if (bc.q[i].rc || bc.q[i].status != 200) {
			if (bad < 0)
				bad = i;
		} else {
			memmove(bc.tid[nok++], bc.tid[i], sizeof(bc.tid[0]));
		}
	}
	if (bad >= 0) {
		/* nothing partial: stop it where it did start, then report the refusal */
		if (nok)
			pxact_stop_on(a->id, k->name, bc.tid, nok, NULL);
		pbcast_relay_err(r, &bc, bad);
		goto out;
	}
	const char **srcs = calloc((size_t)(bc.n > 0 ? bc.n : 1), sizeof(*srcs));
	for (int i = 0; srcs && i < bc.n; i++)
		srcs[i] = bc.tid[i];
	int lrc = srcs ? xact_nl_add(a->id, k->name, a->bck.name[0] ? &a->bck : NULL, srcs, bc.n) : AIS_ENOMEM;
	free(srcs);
	if (lrc)
		log_warn("x-%s[%s]: no status listener (%s)", k->name, a->id, err_str(lrc));
	log_info("x-%s[%s] started on %d target(s)", k->name, a->id, bc.n);
	rc = 0;
out:
	pbcast_fini(&bc);
	sbuf_fini(&path);
	free(body);
	return rc;
}

int pxact_wait_done(const char *uuid, int64_t timeout_ns, bool *aborted)
{
	int64_t deadline = mono_ns() + timeout_ns;
	*aborted = false;
	for (;;) {
		xact_query_t q;
		memset(&q, 0, sizeof(q));
		snprintf(q.id, sizeof(q.id), "%s", uuid);
		xact_nl_view_t *v = NULL;
		int n = xact_nl_find(&q, true, &v);
		if (n)
			pxact_refresh(&v[0]);
		xact_nl_views_free(v, n);
		json_t *st = xact_nl_status_json(uuid);
		bool done = !st || json_integer_value(json_object_get(st, "end_time")) != 0;
		*aborted = json_is_true(json_object_get(st, "aborted"));
		json_decref(st);
		if (!st)
			return AIS_ENOTFOUND;
		if (done)
			return 0;
		if (mono_ns() > deadline)
			return AIS_ETIMEOUT;
		struct timespec ts = {0, 300 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void pxact_start(http_req_t *r, json_t *msg)
{
	xact_args_t a;
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	if (pxact_args(r, msg, &a))
		return;
	const xact_kind_t *k0 = xact_table_find(a.kind);
	if (k0 && !strcmp(k0->name, "rebalance")) { /* global: a new RMD version (preb.c) */
		preb_start(r, &a);
		xact_wire_args_fini(&a);
		return;
	}
	const xact_kind_t *k = pxact_start_check(r, &a);
	if (k && !pxact_start_job(r, k, &a, NULL))
		http_respond(r, 200, "text/plain", a.id, strlen(a.id));
	xact_wire_args_fini(&a);
}

static void pxact_stop(http_req_t *r, json_t *msg)
{
	xact_args_t a;
	pbcast_t bc = {0};
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	if (pxact_args(r, msg, &a))
		return;
	const xact_kind_t *k = xact_table_find(a.kind);
	if (k)
		snprintf(a.kind, sizeof(a.kind), "%s", k->name);
	if (!a.kind[0] && xact_id_is_reb(a.id))
		snprintf(a.kind, sizeof(a.kind), "rebalance");
	char *body = NULL;
	bool reb = !strcmp(a.kind, "rebalance");
	if (reb && preb_check_stop(r, &a))
		goto out;
	json_t *m2 = json_pack("{s:s, s:o}", "action", "stop", "value", xact_wire_args_json(&a));
	body = m2 ? jsonx_dumps(m2) : NULL;
	json_decref(m2);
	/* a rebalance runs on the nodes being drained too */
	if (!body || pxact_bc_init_all(&bc, reb)) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	pbcast_run(&bc, "PUT", "/v1/xactions", body, strlen(body), pxact_timeout_ms());
	for (int i = 0; i < bc.n; i++)
		if (bc.q[i].rc || bc.q[i].status != 200) {
			pbcast_relay_err(r, &bc, i);
			goto out;
		}
	http_respond(r, 200, NULL, NULL, 0);
out:
	pbcast_fini(&bc);
	free(body);
	xact_wire_args_fini(&a);
}

/* ---- queries ---- */

static void pxact_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumpf(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(j);
}

/* QueryMsg from the body, kind resolved (display name → kind); responds 400 on error */
static int pxact_query(http_req_t *r, xact_query_t *q)
{
	char err[XACT_ERR_MAX];
	if (xact_wire_query_parse(r->body, r->body_len, q, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		return AIS_EINVAL;
	}
	if (q->kind[0]) {
		const xact_kind_t *k = xact_table_find(q->kind);
		if (!k) {
			http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\"", q->kind);
			return AIS_EINVAL;
		}
		snprintf(q->kind, sizeof(q->kind), "%s", k->name);
	}
	return 0;
}

/* qryxstats and running_all: the same broadcast, different merge */
static void pxact_bcast_query(http_req_t *r, const char *what, const xact_query_t *q)
{
	pbcast_t bc = {0};
	sbuf_t path = SBUF_INIT;
	json_t *qj = xact_wire_query_json(q), *out = NULL;
	char *body = qj ? jsonx_dumps(qj) : NULL;
	bool all = !strcmp(what, "running_all");
	json_decref(qj);
	if (!body || pxact_bc_init_ex(&bc, NULL, 0, NULL, true)) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	pxact_path(&path, what, r);
	pbcast_run(&bc, "GET", sbuf_str(&path), body, strlen(body), pxact_timeout_ms());
	out = all ? json_array() : json_object();
	for (int i = 0; i < bc.n; i++) {
		json_error_t je;
		if (!bc.q[i].rc && bc.q[i].status == 404)
			continue;
		if (i >= bc.nt && (bc.q[i].rc || bc.q[i].status != 200))
			continue; /* a proxy that is down or does not answer has no jobs to show */
		if (bc.q[i].rc || bc.q[i].status != 200) {
			pbcast_relay_err(r, &bc, i);
			goto out;
		}
		json_t *v = jsonx_loadb(bc.q[i].resp.p ? bc.q[i].resp.p : "null", bc.q[i].resp.len ? bc.q[i].resp.len : 4, &je);
		if (!all) {
			json_object_set_new(out, bc.tid[i], v ? v : json_null());
			continue;
		}
		size_t k;
		json_t *e;
		json_array_foreach(v, k, e)
		{
			bool dup = false;
			for (size_t j = 0; j < json_array_size(out) && !dup; j++)
				dup = json_equal(json_array_get(out, j), e);
			if (!dup && json_is_string(e))
				json_array_append(out, e);
		}
		json_decref(v);
	}
	if (!all && !json_object_size(out) && bc.n) {
		char s[512];
		xact_wire_query_str(q, s, sizeof(s));
		http_error_code(r, AIS_ENOTFOUND, "\"%s\" not found", s);
		goto out;
	}
	pxact_json(r, out);
	out = NULL;
out:
	json_decref(out);
	pbcast_fini(&bc);
	sbuf_fini(&path);
	free(body);
}

/* ask the targets an unfinished listener still waits for; stop the job everywhere when one
 * of them aborted it (AIStore's notifs.done) */
static void pxact_refresh(const xact_nl_view_t *v)
{
	pbcast_t bc;
	char path[160];
	if (v->finished || !v->nactive || pxact_bc_init(&bc, v->active, v->nactive, v->uuid))
		return;
	snprintf(path, sizeof(path), "/v1/xactions?what=getxstats&uuid=%s", v->uuid);
	pbcast_run(&bc, "GET", path, NULL, 0, pxact_timeout_ms());
	bool aborted = false;
	for (int i = 0; i < bc.n; i++) {
		json_error_t je;
		if (bc.q[i].rc)
			continue; /* unreachable now: ask again next time */
		if (bc.q[i].status == 404) {
			aborted |= xact_nl_update(v->uuid, bc.tid[i], NULL);
			continue;
		}
		if (bc.q[i].status != 200)
			continue;
		json_t *snap = jsonx_loadb(bc.q[i].resp.p ? bc.q[i].resp.p : "", bc.q[i].resp.len, &je);
		if (json_is_object(snap))
			aborted |= xact_nl_update(v->uuid, bc.tid[i], snap);
		json_decref(snap);
	}
	pbcast_fini(&bc);
	if (aborted) /* the listener's targets (the aborting one is a no-op) */
		pxact_stop_on(v->uuid, v->kind, v->active, v->nactive, "IC(notifications) abort");
}

void pxact_nl_sync(const char *uuid)
{
	xact_query_t q;
	memset(&q, 0, sizeof(q));
	snprintf(q.id, sizeof(q.id), "%s", uuid);
	q.only_running = -1;
	xact_nl_view_t *v = NULL;
	int n = xact_nl_find(&q, true, &v);
	if (n)
		pxact_refresh(&v[0]);
	xact_nl_views_free(v, n);
}

static void pxact_status(http_req_t *r, const xact_query_t *q, bool one)
{
	xact_nl_view_t *v = NULL;
	char s[512];
	if (!node_is_primary()) {
		pfwd_to_primary(r);
		return;
	}
	xact_wire_query_str(q, s, sizeof(s));
	if (one && !q->id[0] && !q->kind[0]) {
		http_error(r, 400, NULL, "invalid %s", s);
		return;
	}
	if (q->bck.name[0]) {
		char cn[300];
		xact_wire_bck_cname(&q->bck, cn, sizeof(cn));
		bmd_t *m = bmd_get();
		bool ok = m && bmd_find(m, q->bck.provider[0] ? q->bck.provider : "ais", q->bck.ns, q->bck.name);
		bmd_put(m);
		if (!ok) {
			http_error_code(r, AIS_ENOBUCKET, "bucket \"%s\" does not exist", cn);
			return;
		}
	}
	int n = xact_nl_find(q, one, &v);
	if (one && !n) {
		http_error_code(r, AIS_ENOTFOUND, "%s: nl [%s] does not exist", node_name(), s);
		return;
	}
	if (one && q->kind[0] && strcmp(q->kind, v[0].kind)) {
		http_error(r, 400, NULL, "kind mismatch: %s, expected kind=%s", s, v[0].kind);
		xact_nl_views_free(v, n);
		return;
	}
	json_t *out = one ? NULL : (n ? json_array() : json_null());
	for (int i = 0; i < n; i++) {
		if (i < PXACT_REFRESH_MAX) /* bounded: one fan-out round per unfinished listener */
			pxact_refresh(&v[i]);
		json_t *st = xact_nl_status_json(v[i].uuid);
		if (one)
			out = st;
		else if (st)
			json_array_append_new(out, st);
	}
	xact_nl_views_free(v, n);
	if (!out) {
		http_error_code(r, AIS_ENOTFOUND, "%s: nl [%s] does not exist", node_name(), s);
		return;
	}
	pxact_json(r, out);
}

static void pxact_get_cb(http_req_t *r)
{
	const char *what = http_query_get(r, "what");
	xact_query_t q;
	if (pxact_query(r, &q))
		return;
	if (!strcmp(what, "status"))
		pxact_status(r, &q, true);
	else if (!strcmp(what, "status_all"))
		pxact_status(r, &q, false);
	else
		pxact_bcast_query(r, what, &q);
}

bool pxact_get(http_req_t *r, const char *what)
{
	if (strcmp(what, "status") && strcmp(what, "status_all") && strcmp(what, "qryxstats") && strcmp(what, "running_all"))
		return false;
	http_read_body(r, PXACT_BODY_MAX, pxact_get_cb, true);
	return true;
}

int pxact_init(void)
{
	pclu_action_add("start", pxact_start);
	pclu_action_add("stop", pxact_stop);
	return 0;
}
