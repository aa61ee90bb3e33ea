/* preb: the primary's side of global rebalance (AIStore's ais/prxclu.go mustRebalance,
 * rebalanceCluster, _checkMaint and ais/rebmeta.go rmdModifier.postRm):
 *  - every Smap the primary installs goes through preb_on_smap (the Smap listener): when the set
 *    of active targets (in the map, not in maintenance, not being decommissioned) changed - a
 *    join, a removal by the keepalive tracker, a node entering or leaving maintenance - and
 *    rebalance.enabled is on, it bumps the RMD in the same metasync round (metasync_commit_smap
 *    pushes the new Smap and the new RMD together) and registers the job's status listener;
 *  - explicit start (PUT /v1/cluster start kind "rebalance") bumps the RMD alone;
 *  - the stop check: a rebalance that drains a node (maintenance not yet post-rebalance, or
 *    decommission) is aborted only with Force;
 *  - post-rebalance steps of the node lifecycle (pmaint.c): a thread polls the targets'
 *    rebalance status (GET /v1/health?rebstatus=true) until the rebalance is done everywhere,
 *    then runs pmaint_final (maintenance: flag post-rebalance; shutdown: stop the node;
 *    decommission: wipe + remove it). A rebalance preempted by a newer one hands its step to the
 *    newer one (the node's flags keep it draining there too); one that ended aborted keeps the
 *    step waiting for the next rebalance (a drain that did not happen is never finished: a
 *    decommission would wipe data that is nowhere else).
 * Must not: run on non-primary proxies (every entry checks), block the Smap listener (it runs in
 * the primary's metasync round: it only updates metadata in memory and on disk).
 * Invariant: at most one intent at a time, set and consumed under metasync_lock; the pending list
 * is guarded by preb_mu; the watcher thread runs only while something is pending. */
#include "proxy/proxy.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/rmd.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "xact/xact_nl.h"
#include "xact/xact_wire.h"

#define PREB_POLL_MS 300

typedef struct preb_post {
	struct preb_post *next;
	int64_t version;                /* the rebalance it waits for */
	char action[RMD_ACTION_MAX];
	char sid[SNODE_ID_MAX];
	json_t *opts;                   /* ActValRmNode (owned) */
	int64_t failed;                 /* `version` ended aborted: waiting for a newer one */
} preb_post_t;

static pthread_mutex_t preb_mu = PTHREAD_MUTEX_INITIALIZER;
static preb_post_t *preb_pending;
static bool preb_thread_on;
static preb_intent_t *preb_cur_intent; /* under metasync_lock */

void preb_intent(preb_intent_t *in) { preb_cur_intent = in; }

static bool preb_active(const snode_t *t) { return t && !(t->flags & (SNODE_MAINT | SNODE_DECOMM)); }

/* targets that take part in a rebalance on cur: all but those already drained (post-rebalance
 * maintenance: possibly shut down) */
static bool preb_participant(const snode_t *t) { return !(t->flags & SNODE_MAINT_POSTREB); }

/* AIStore's mustRebalance: the active set changed (added/activated or removed/deactivated);
 * fills the first changed target and the cause */
static bool preb_must(const smap_t *old, const smap_t *cur, char *tid, const char **cause)
{
	if (!smap_active_targets(old) || !smap_active_targets(cur))
		return false;
	for (int i = 0; i < cur->ntargets; i++) {
		const snode_t *t = &cur->targets[i], *o = smap_find(old, t->id);
		if (preb_active(t) && !preb_active(o)) {
			snprintf(tid, SNODE_ID_MAX, "%s", t->id);
			*cause = o ? "stop-maintenance" : "join";
			return true;
		}
	}
	for (int i = 0; i < old->ntargets; i++) {
		const snode_t *o = &old->targets[i], *t = smap_find(cur, o->id);
		if (preb_active(o) && !preb_active(t)) {
			snprintf(tid, SNODE_ID_MAX, "%s", o->id);
			*cause = t ? "start-maintenance" : "keepalive";
			return true;
		}
	}
	return false;
}

static bool preb_enabled(void)
{
	const config_t *c = config_get();
	bool on = c && c->rebalance_enabled;
	config_put(c);
	return on;
}

static bool preb_have_buckets(void)
{
	bmd_t *b = bmd_get();
	bool any = b && b->nbcks > 0;
	bmd_put(b);
	return any;
}

/* the status listener of rebalance version on cur's participants */
static void preb_listen(int64_t version, const smap_t *cur)
{
	char xid[32];
	rmd_xid(version, xid, sizeof(xid));
	const char **srcs = calloc((size_t)cur->ntargets + 1, sizeof(*srcs));
	int n = 0;
	for (int i = 0; srcs && i < cur->ntargets; i++)
		if (preb_participant(&cur->targets[i]))
			srcs[n++] = cur->targets[i].id;
	int rc = srcs ? xact_nl_add(xid, "rebalance", NULL, srcs, n) : AIS_ENOMEM;
	if (rc)
		log_warn("rebalance[%s]: no status listener (%s)", xid, err_str(rc));
	free(srcs);
}

/* a new RMD version for cur (installed here; pushed by the caller's metasync round) */
static int64_t preb_bump(const smap_t *cur, const char *action, const char *sid)
{
	rmd_t m;
	rmd_get(&m);
	m.version++;
	snprintf(m.cluster_id, sizeof(m.cluster_id), "%s", cur->uuid);
	snprintf(m.action, sizeof(m.action), "%s", action);
	snprintf(m.sid, sizeof(m.sid), "%s", sid ? sid : "");
	m.ntids = 0;
	rmd_add_tid(&m, sid);
	m.smap_version = cur->version;
	rmd_install(&m, false);
	preb_listen(m.version, cur);
	log_info("rebalance[g%lld]: %s%s%s (Smap v%lld)", (long long)m.version, action, sid && *sid ? " " : "",
		 sid ? sid : "", (long long)cur->version);
	return m.version;
}

void preb_on_smap(const smap_t *old, const smap_t *cur)
{
	preb_intent_t *in = preb_cur_intent;
	preb_cur_intent = NULL;
	if (!old || !node_is_primary() || cur->version <= old->version)
		return;
	char tid[SNODE_ID_MAX] = "";
	const char *cause = NULL;
	if (!preb_must(old, cur, tid, &cause))
		return;
	if (in && in->skip) {
		log_info("Smap v%lld: %s %s - skipping rebalance as requested", (long long)cur->version, in->action, in->sid);
		return;
	}
	if (!preb_enabled()) {
		log_warn("Smap v%lld: %s %s - not rebalancing: rebalance is disabled", (long long)cur->version, cause, tid);
		return;
	}
	if (!preb_have_buckets()) /* no buckets: nothing to move, no rebalance (as AIStore skips one) */
		return;
	int64_t v = preb_bump(cur, in ? in->action : cause, in ? in->sid : tid);
	if (in)
		in->version = v;
}

/* ---------------------------------------------------------------- explicit start / stop */

static int preb_timeout_ms(void)
{
	const config_t *c = config_get();
	int64_t ms = c && c->cplane_timeout_ns > 0 ? c->cplane_timeout_ns / 1000000 : 2000;
	config_put(c);
	return ms < 500 ? 500 : (int)ms;
}

void preb_start(http_req_t *r, const xact_args_t *a)
{
	(void)a;
	if (!preb_enabled()) {
		http_error(r, 400, NULL, "rebalance is disabled");
		return;
	}
	metasync_lock();
	smap_t *m = smap_get();
	if (!m || m->ntargets < 2) {
		int n = m ? smap_active_targets(m) : 0;
		long long v = m ? (long long)m->version : 0;
		smap_put(m);
		metasync_unlock();
		http_error(r, 400, NULL, "%s: not enough targets: Smap v%lld, need 2, have %d", node_name(), v, n);
		return;
	}
	if (smap_active_targets(m) < 2)
		log_warn("%s: not enough active targets (%d) - proceeding to rebalance cluster anyway", node_name(),
			 smap_active_targets(m));
	rmd_t next;
	rmd_get(&next);
	next.version++;
	snprintf(next.cluster_id, sizeof(next.cluster_id), "%s", m->uuid);
	snprintf(next.action, sizeof(next.action), "rebalance");
	next.sid[0] = '\0';
	next.ntids = 0;
	next.smap_version = m->version;
	preb_listen(next.version, m);
	smap_put(m);
	int lag = metasync_commit_rmd(&next);
	metasync_unlock();
	char xid[32];
	rmd_xid(next.version, xid, sizeof(xid));
	log_info("rebalance[%s]: started by %s%s", xid, r->remote_addr, lag ? " (some targets did not ack yet)" : "");
	http_respond(r, 200, "text/plain", xid, strlen(xid));
}

int preb_check_stop(http_req_t *r, const xact_args_t *a)
{
	char s[512];
	xact_wire_args_str(a, s, sizeof(s));
	smap_t *m = smap_get();
	int rc = 0;
	for (int i = 0; m && i < m->ntargets && !rc; i++) {
		const snode_t *t = &m->targets[i];
		const char *why = NULL;
		if ((t->flags & SNODE_MAINT) && !(t->flags & SNODE_MAINT_POSTREB))
			why = "transitions to maintenance mode";
		else if (t->flags & SNODE_DECOMM)
			why = "is being decommissioned";
		if (!why)
			continue;
		if (a->force) {
			log_err("Warning: cluster is currently rebalancing while t[%s] %s - proceeding anyway", t->id, why);
			continue;
		}
		http_error(r, 400, NULL, "cannot abort %s: cluster is currently rebalancing while t[%s] %s", s, t->id, why);
		rc = AIS_EINVAL;
	}
	smap_put(m);
	return rc;
}

/* ---------------------------------------------------------------- post-rebalance steps */

typedef enum { PREB_WAIT, PREB_DONE, PREB_FAILED, PREB_NEWER } preb_state_t;

/* the rebalance status of every participant of version v: done (all finished it), failed (all
 * finished, some aborted), newer (someone runs a newer one), or keep waiting */
static preb_state_t preb_poll(int64_t v, int64_t *newer)
{
	smap_t *m = smap_get();
	int n = 0;
	hreq_t *q = m ? calloc((size_t)m->ntargets + 1, sizeof(*q)) : NULL;
	char (*urls)[256] = m ? calloc((size_t)m->ntargets + 1, sizeof(*urls)) : NULL;
	preb_state_t st = PREB_WAIT;
	if (!q || !urls)
		goto out;
	for (int i = 0; i < m->ntargets; i++) {
		if (!preb_participant(&m->targets[i]))
			continue;
		snprintf(urls[n], sizeof(urls[n]), "%s/v1/health?rebstatus=true", m->targets[i].ctl.url);
		q[n] = (hreq_t){.method = "GET", .url = urls[n], .timeout_ms = preb_timeout_ms()};
		n++;
	}
	if (n)
		hclient_fanout(q, n);
	int done = 0, aborted = 0;
	for (int i = 0; i < n; i++) {
		json_t *j = !q[i].rc && q[i].status == 200 ? jsonx_loadb(q[i].resp.p ? q[i].resp.p : "", q[i].resp.len, NULL)
							   : NULL;
		const char *ids = jsonx_str(j, "reb_id", "0");
		int64_t id = atoll(ids);
		bool running = json_is_true(json_object_get(j, "running"));
		if (id > v && id > *newer)
			*newer = id;
		if (id == v && !running) {
			done++;
			aborted += json_is_true(json_object_get(j, "aborted"));
		}
		json_decref(j);
	}
	if (*newer > v)
		st = PREB_NEWER;
	else if (n && done == n)
		st = aborted ? PREB_FAILED : PREB_DONE;
out:
	for (int i = 0; q && i < n; i++)
		hreq_fini(&q[i]);
	free(q);
	free(urls);
	smap_put(m);
	return st;
}

static void preb_post_free(preb_post_t *p)
{
	json_decref(p->opts);
	free(p);
}

static void preb_unlink(preb_post_t *p)
{
	pthread_mutex_lock(&preb_mu);
	for (preb_post_t **pp = &preb_pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&preb_mu);
}

/* the node is still in the map and still flagged for the action (a stop-maintenance or a forced
 * removal since makes the step moot) */
static bool preb_still_wanted(const preb_post_t *p)
{
	smap_t *m = smap_get();
	const snode_t *n = m ? smap_find(m, p->sid) : NULL;
	bool want = n && (n->flags & (SNODE_MAINT | SNODE_DECOMM)) && !(n->flags & SNODE_MAINT_POSTREB);
	smap_put(m);
	return want;
}

/* one round over the pending steps; false when none is left */
static bool preb_round(void)
{
	pthread_mutex_lock(&preb_mu);
	preb_post_t *p = preb_pending;
	pthread_mutex_unlock(&preb_mu);
	if (!p)
		return false;
	if (!node_is_primary()) {
		usleep(PREB_POLL_MS * 1000);
		return true;
	}
	/* one at a time, oldest first: their nodes' steps run in the order they were asked */
	while (p->next)
		p = p->next;
	if (!preb_still_wanted(p)) {
		log_info("%s %s: nothing left to do after rebalance[g%lld] (the node changed meanwhile)", p->action, p->sid,
			 (long long)p->version);
		preb_unlink(p);
		preb_post_free(p);
		return true;
	}
	int64_t newer = 0;
	preb_state_t st = preb_poll(p->version, &newer);
	if (st == PREB_WAIT || (st == PREB_FAILED && p->failed == p->version)) {
		usleep((p->failed ? 4 : 1) * PREB_POLL_MS * 1000);
		return true;
	}
	if (st == PREB_NEWER) {
		log_warn("rebalance[g%lld] got renewed (g%lld): %s %s waits for it", (long long)p->version, (long long)newer,
			 p->action, p->sid);
		p->version = newer;
		p->failed = 0;
		return true;
	}
	if (st == PREB_FAILED) {
		/* never finish a drain that did not happen (a decommission would wipe the data): the
		 * node stays flagged, and the step waits for the next rebalance (a resumed one, or
		 * 'ais start rebalance') */
		log_err("operation \"%s\" => rebalance[g%lld] aborted: t[%s] is not drained - waiting for the next "
			"rebalance (ais start rebalance)", p->action, (long long)p->version, p->sid);
		p->failed = p->version;
		return true;
	}
	preb_unlink(p);
	char err[512] = "", xid[32];
	rmd_xid(p->version, xid, sizeof(xid));
	pxact_nl_sync(xid); /* (its status listener hears from the node before it may go away) */
	log_info("post-rebalance[g%lld] commit: %s %s", (long long)p->version, p->action, p->sid);
	if (pmaint_final(p->action, p->sid, p->opts, true, err, sizeof(err)))
		log_err("%s %s: final step failed: %s", p->action, p->sid, err);
	preb_post_free(p);
	return true;
}

static void *preb_thread(void *arg)
{
	(void)arg;
	for (;;) {
		if (preb_round())
			continue;
		pthread_mutex_lock(&preb_mu);
		if (!preb_pending) {
			preb_thread_on = false;
			pthread_mutex_unlock(&preb_mu);
			return NULL;
		}
		pthread_mutex_unlock(&preb_mu);
	}
}

void preb_post_add(int64_t version, const char *action, const char *sid, json_t *opts)
{
	preb_post_t *p = calloc(1, sizeof(*p));
	if (!p) {
		log_err("%s %s: out of memory: the post-rebalance step will not run", action, sid);
		return;
	}
	p->version = version;
	snprintf(p->action, sizeof(p->action), "%s", action);
	snprintf(p->sid, sizeof(p->sid), "%s", sid);
	p->opts = opts ? json_deep_copy(opts) : NULL;
	pthread_mutex_lock(&preb_mu);
	p->next = preb_pending;
	preb_pending = p;
	bool start = !preb_thread_on;
	preb_thread_on = true;
	pthread_mutex_unlock(&preb_mu);
	if (!start)
		return;
	pthread_attr_t at;
	pthread_t th;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, preb_thread, NULL)) {
		pthread_mutex_lock(&preb_mu);
		preb_thread_on = false;
		pthread_mutex_unlock(&preb_mu);
		log_err("post-rebalance watcher: cannot start a thread");
	}
	pthread_attr_destroy(&at);
}

bool preb_pending_for(const char *sid)
{
	bool any = false;
	pthread_mutex_lock(&preb_mu);
	for (preb_post_t *p = preb_pending; p && !any; p = p->next)
		any = !strcmp(p->sid, sid);
	pthread_mutex_unlock(&preb_mu);
	return any;
}

int preb_init(void)
{
	smap_set_listener(preb_on_smap);
	return 0;
}
