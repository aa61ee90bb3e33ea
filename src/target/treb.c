/* treb: the target's rebalance manager and the life of one generation (see treb.h).
 *
 *   RMD v<N> installed (metasync, join answer) ──► manager thread:
 *      a run is going on? abort it (TREB_RENEWED) and join its thread
 *      wait until the local Smap is at least the one the RMD names
 *      start run g<N> on its own thread:
 *
 *   INIT ──► TRAVERSE ──rx-ready barrier──► send (treb_send.c), versions (treb_ver.c) ──►
 *   POST_TRAVERSE ──barrier──►
 *   EC pieces (treb_ec.c) ──► FIN ──► DONE                (any abort: preemption, a peer's abort or newer ID, user stop,
 *                                 barrier timeout = rebalance.dest_retry_time ──► ABORT)
 *
 * A barrier polls every peer's GET /v1/health?rebstatus=true (treb_status_json) and decides with
 * treb_peer_check. Peers: the run's Smap targets but this one and those already drained
 * (maintenance post-rebalance: possibly down). Receivers accept frames of the generation this
 * target runs or last ran (treb_rx_job); older ones are refused as stale, newer ones as "not ready".
 * A marker file (<confdir>/.ais.rebalance_marker) exists while a run is unfinished: a target that
 * finds it at start-up reports the generation as aborted and asks the primary for a new one once
 * it has joined (resume). A user abort removes it (no resume).
 * Invariants (tr.mu): at most one run thread; tr.last_id only grows; the job the receivers count
 * into is always the one of tr.last_id. */
#include "target/treb_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/daemon.h"
#include "cluster/membership.h"
#include "cluster/node.h"
#include "cluster/rmd.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "net/hclient.h"
#include "obj/obj_ops.h"
#include "transport/transport.h"

#define TREB_WINDOW_NS ((int64_t)10 * 1000000000LL)          /* after a Smap change */
#define TREB_TOMB_TTL_NS ((int64_t)3600 * 1000000000LL)      /* tombstones kept this long */
#define TREB_SMAP_WAIT_MS 10000
#define TREB_RESUME_MS 120000
#define TREB_PLACED_MAX 16

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t want;          /* newest RMD version heard */
	rmd_t want_rmd;
	treb_run_t *cur;       /* the run in progress (NULL once its thread is done) */
	treb_run_t *th_run;    /* the run whose thread is to be joined (owned here) */
	pthread_t cur_th;
	bool cur_th_on;
	int64_t last_id;       /* the newest generation started here */
	int last_stage;
	bool last_aborted;
	xact_t *last_x;        /* its job (receivers count into it) */
	bool interrupted;      /* a marker was found at start: last_id was cut short */
	int64_t smap_changed;  /* mono_ns */
	smap_t *prev_smap;
	/* the maps EC pieces of this target's objects may have been placed by: the map of the last
	 * run finished here and every map this target encoded by since (treb_note_placed) */
	smap_t *placed[TREB_PLACED_MAX]; /* refs */
	int nplaced;
	uint64_t *arrived;     /* digests of EC objects received since the last EC step (malloc'd) */
	int64_t narrived, carrived;
	bool placed_lost;      /* unknown (a restart, or more maps than fit): every piece re-sent */
	bool stop;
	pthread_t mgr;
	bool mgr_on;
	char marker[1100];
	char confdir[600];
} tr = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* ---------------------------------------------------------------- shared queries */

xact_t *treb_rx_job(int64_t *id)
{
	pthread_mutex_lock(&tr.mu);
	*id = tr.last_id;
	xact_t *x = tr.last_x;
	if (x)
		xact_get(x);
	pthread_mutex_unlock(&tr.mu);
	return x;
}

bool treb_window(void)
{
	pthread_mutex_lock(&tr.mu);
	bool on = tr.cur || tr.want > tr.last_id || tr.interrupted ||
		  (tr.smap_changed && mono_ns() - tr.smap_changed < TREB_WINDOW_NS);
	pthread_mutex_unlock(&tr.mu);
	return on;
}

bool treb_gfn_window(void) { return treb_window(); }

smap_t *treb_prev_smap(void)
{
	pthread_mutex_lock(&tr.mu);
	smap_t *m = tr.prev_smap;
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&tr.mu);
	return m;
}

json_t *treb_status_json(void)
{
	pthread_mutex_lock(&tr.mu);
	int64_t id = tr.last_id, rebver = 0;
	int stage = tr.last_stage;
	bool running = tr.cur != NULL, aborted = tr.last_aborted || tr.interrupted;
	xact_stats_t st = {0};
	if (tr.cur) {
		stage = atomic_load(&tr.cur->stage);
		aborted = xact_aborted(tr.cur->x);
		rebver = tr.cur->smap ? tr.cur->smap->version : 0;
	}
	if (tr.last_x)
		xact_stats(tr.last_x, &st);
	pthread_mutex_unlock(&tr.mu);
	smap_t *m = smap_get();
	char sv[24], rv[24], iv[24];
	snprintf(sv, sizeof(sv), "%lld", (long long)(m ? m->version : 0));
	snprintf(rv, sizeof(rv), "%lld", (long long)rebver);
	snprintf(iv, sizeof(iv), "%lld", (long long)id);
	smap_put(m);
	json_t *stats = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "loc-objs", (json_int_t)st.objs, "loc-bytes",
				  (json_int_t)st.bytes, "out-objs", (json_int_t)st.out_objs, "out-bytes",
				  (json_int_t)st.out_bytes, "in-objs", (json_int_t)st.in_objs, "in-bytes",
				  (json_int_t)st.in_bytes);
	return json_pack("{s:[], s:s, s:s, s:s, s:o, s:i, s:b, s:b}", "targets", "smap_version", sv, "reb_version", rv,
			 "reb_id", iv, "stats", stats, "stage", stage, "aborted", aborted, "running", running);
}

/* ---------------------------------------------------------------- barriers */

static int treb_timeout_ms(void)
{
	const config_t *c = config_get();
	int64_t ms = c && c->cplane_timeout_ns > 0 ? c->cplane_timeout_ns / 1000000 : 2000;
	config_put(c);
	return ms < 500 ? 500 : (int)ms;
}

static int64_t treb_dest_retry_ns(void)
{
	const config_t *c = config_get();
	int64_t ns = c && c->rebalance_dest_retry_ns > 0 ? c->rebalance_dest_retry_ns : (int64_t)120 * 1000000000LL;
	config_put(c);
	return ns;
}

static bool treb_peer(const treb_run_t *run, const snode_t *t)
{
	return strcmp(t->id, node_id()) && !(t->flags & SNODE_MAINT_POSTREB);
}

/* sleep up to ms, waking early on abort; false when aborted */
static bool treb_nap(const treb_run_t *run, int ms)
{
	for (int i = 0; i < ms; i += 20) {
		if (xact_aborted(run->x))
			return false;
		usleep(20 * 1000);
	}
	return !xact_aborted(run->x);
}

/* wait until every peer reached `want` of this generation; 0, or < 0 with the run aborted */
static int treb_barrier(treb_run_t *run, int want)
{
	const smap_t *m = run->smap;
	int n = m->ntargets;
	bool *ok = calloc((size_t)n + 1, sizeof(*ok));
	hreq_t *q = calloc((size_t)n + 1, sizeof(*q));
	char(*urls)[256] = calloc((size_t)n + 1, sizeof(*urls));
	int *idx = calloc((size_t)n + 1, sizeof(*idx));
	int rc = 0;
	if (!ok || !q || !urls || !idx) {
		rc = AIS_ENOMEM;
		xact_abort(run->x, "out of memory");
		goto out;
	}
	int64_t deadline = mono_ns() + treb_dest_retry_ns();
	const char *waiting = NULL;
	for (;;) {
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (ok[i] || !treb_peer(run, &m->targets[i]))
				continue;
			snprintf(urls[k], sizeof(urls[k]), "%s/v1/health?rebstatus=true", m->targets[i].ctl.url);
			q[k] = (hreq_t){.method = "GET", .url = urls[k], .timeout_ms = treb_timeout_ms()};
			idx[k++] = i;
		}
		if (!k)
			break;
		hclient_fanout(q, k);
		waiting = NULL;
		for (int j = 0; j < k; j++) {
			const snode_t *t = &m->targets[idx[j]];
			json_t *s = !q[j].rc && q[j].status == 200 ? jsonx_loadb(q[j].resp.p ? q[j].resp.p : "", q[j].resp.len, NULL)
								   : NULL;
			hreq_fini(&q[j]);
			if (!s) {
				waiting = t->id;
				continue;
			}
			int64_t pid = atoll(jsonx_str(s, "reb_id", "0"));
			treb_peer_t v = treb_peer_check(run->id, want, pid, (int)json_integer_value(json_object_get(s, "stage")),
							json_is_true(json_object_get(s, "running")),
							json_is_true(json_object_get(s, "aborted")));
			json_decref(s);
			char why[160];
			switch (v) {
			case TREB_PEER_OK:
				ok[idx[j]] = true;
				break;
			case TREB_PEER_NEWER:
				snprintf(why, sizeof(why), "%s: t[%s] runs a newer rebalance g%lld", TREB_RENEWED, t->id, (long long)pid);
				xact_abort(run->x, why);
				break;
			case TREB_PEER_ABORTED:
				snprintf(why, sizeof(why), "t[%s] aborted g%lld", t->id, (long long)run->id);
				xact_abort(run->x, why);
				break;
			case TREB_PEER_WAIT:
				waiting = t->id;
				break;
			}
		}
		if (xact_aborted(run->x)) {
			rc = AIS_EUNAVAIL;
			break;
		}
		if (!waiting)
			continue; /* (next round finds nothing left to ask) */
		if (mono_ns() > deadline) {
			char why[200];
			snprintf(why, sizeof(why), "timed out waiting for t[%s] to reach %s stage", waiting, treb_stage_str(want));
			log_err("rebalance[g%lld]: %s", (long long)run->id, why);
			xact_abort(run->x, why);
			rc = AIS_ETIMEOUT;
			break;
		}
		if (!treb_nap(run, 50)) {
			rc = AIS_EUNAVAIL;
			break;
		}
	}
out:
	free(ok);
	free(q);
	free(urls);
	free(idx);
	return rc;
}

/* ---------------------------------------------------------------- one run */

static void treb_stage(treb_run_t *run, int stage)
{
	atomic_store(&run->stage, stage);
	char cm[96];
	snprintf(cm, sizeof(cm), "stage %s", treb_stage_str(stage));
	xact_set_ctlmsg(run->x, cm);
	pthread_mutex_lock(&tr.mu);
	tr.last_stage = stage;
	pthread_mutex_unlock(&tr.mu);
}

static void treb_marker_set(int64_t id)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "g%lld\n", (long long)id);
	if (fsops_write_atomic(tr.marker, s, (size_t)n))
		log_err("rebalance[g%lld]: cannot write %s", (long long)id, tr.marker);
}

/* (tr.mu) remember a map pieces may have been placed by; NULL: unknown */
static void treb_placed_add(smap_t *m)
{
	if (!m || tr.nplaced == TREB_PLACED_MAX) {
		tr.placed_lost = true;
		return;
	}
	for (int i = 0; i < tr.nplaced; i++)
		if (tr.placed[i] == m || tr.placed[i]->version == m->version)
			return;
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_ACQ_REL);
	tr.placed[tr.nplaced++] = m;
}

/* (tr.mu) forget them all */
static void treb_placed_clear(void)
{
	for (int i = 0; i < tr.nplaced; i++)
		smap_put(tr.placed[i]);
	tr.nplaced = 0;
	tr.placed_lost = false;
}

static _Atomic int64_t treb_noted; /* the version noted last (a cheap check before the lock) */

void treb_note_placed(smap_t *m)
{
	if (!m || atomic_load_explicit(&treb_noted, memory_order_relaxed) == m->version)
		return;
	pthread_mutex_lock(&tr.mu);
	treb_placed_add(m);
	atomic_store_explicit(&treb_noted, m->version, memory_order_relaxed);
	pthread_mutex_unlock(&tr.mu);
}

void treb_arrived_add(uint64_t digest)
{
	pthread_mutex_lock(&tr.mu);
	if (tr.narrived == tr.carrived) {
		int64_t cap = tr.carrived ? 2 * tr.carrived : 1024;
		uint64_t *a = realloc(tr.arrived, (size_t)cap * sizeof(*a));
		if (!a) {
			tr.placed_lost = true; /* (cannot remember it: the next step re-lays every object) */
			pthread_mutex_unlock(&tr.mu);
			return;
		}
		tr.arrived = a;
		tr.carrived = cap;
	}
	tr.arrived[tr.narrived++] = digest;
	pthread_mutex_unlock(&tr.mu);
}

static int treb_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool treb_arrived_in(const uint64_t *ars, int64_t n, uint64_t digest)
{
	return n > 0 && bsearch(&digest, ars, (size_t)n, sizeof(*ars), treb_u64_cmp) != NULL;
}

/* the EC step of a run: against the maps pieces may have been placed by */
static int treb_run_ec(treb_run_t *run)
{
	smap_t *olds[TREB_PLACED_MAX];
	pthread_mutex_lock(&tr.mu);
	int n = tr.placed_lost ? -1 : tr.nplaced;
	for (int i = 0; i < n; i++) {
		olds[i] = tr.placed[i];
		__atomic_add_fetch(&olds[i]->refs, 1, __ATOMIC_ACQ_REL);
	}
	int64_t nars = tr.narrived; /* (every arrival of this run came before the barrier) */
	uint64_t *ars = nars ? malloc((size_t)nars * sizeof(*ars)) : NULL;
	if (ars)
		memcpy(ars, tr.arrived, (size_t)nars * sizeof(*ars));
	else if (nars)
		n = -1;
	pthread_mutex_unlock(&tr.mu);
	if (ars)
		qsort(ars, (size_t)nars, sizeof(*ars), treb_u64_cmp);
	int rc = treb_ec_place(run, (const smap_t *const *)olds, n, ars, ars ? nars : 0);
	for (int i = 0; i < n; i++)
		smap_put(olds[i]);
	free(ars);
	if (!rc && nars) { /* those are placed now (later arrivals stay for the next step) */
		pthread_mutex_lock(&tr.mu);
		memmove(tr.arrived, tr.arrived + nars, (size_t)(tr.narrived - nars) * sizeof(*tr.arrived));
		tr.narrived -= nars;
		pthread_mutex_unlock(&tr.mu);
	}
	return rc;
}

static void *treb_run_main(void *arg)
{
	treb_run_t *run = arg;
	int64_t t0 = mono_ns();
	treb_marker_set(run->id);
	bool member = smap_find(run->smap, node_id()) != NULL;
	log_info("rebalance[g%lld]: starting on Smap v%lld (%d targets, %d active)%s", (long long)run->id,
		 (long long)run->smap->version, run->smap->ntargets, smap_active_targets(run->smap),
		 member ? "" : " - this target is not in it: nothing to do");
	treb_stage(run, TREB_ST_INIT);
	int rc = 0;
	if (member) {
		treb_stage(run, TREB_ST_TRAVERSE);
		rc = treb_barrier(run, TREB_ST_TRAVERSE);
		if (!rc)
			rc = treb_send_all(run);
		if (!rc && !xact_aborted(run->x))
			rc = treb_ver_send_all(run);
		if (!rc && !xact_aborted(run->x)) {
			treb_stage(run, TREB_ST_POST_TRAVERSE);
			rc = treb_barrier(run, TREB_ST_POST_TRAVERSE);
		}
		if (!rc && !xact_aborted(run->x)) /* every object is at its owner: EC pieces follow */
			rc = treb_run_ec(run);
	}
	bool aborted = xact_aborted(run->x);
	treb_stage(run, aborted ? TREB_ST_ABORT : TREB_ST_FIN);
	if (!aborted)
		treb_stage(run, TREB_ST_DONE);
	xact_finish(run->x);
	char why[XACT_ERR_MAX], err[XACT_ERR_MAX + 64];
	xact_abort_err(run->x, why, sizeof(why));
	xact_err(run->x, err, sizeof(err));
	xact_stats_t st;
	xact_stats(run->x, &st);
	if (!aborted || !strcmp(why, "user abort"))
		unlink(tr.marker); /* done (or stopped on purpose): nothing to resume */
	log_info("rebalance[g%lld]: %s in %.1fs: sent %lld objects (%lld bytes), received %lld (%lld bytes)%s%s%s",
		 (long long)run->id, aborted ? "aborted" : "finished", (double)(mono_ns() - t0) / 1e9,
		 (long long)st.out_objs, (long long)st.out_bytes, (long long)st.in_objs, (long long)st.in_bytes,
		 aborted ? ": " : "", aborted ? why : "", err[0] ? " - errors: " : "");
	if (err[0])
		log_warn("rebalance[g%lld]: %s", (long long)run->id, err);
	pthread_mutex_lock(&tr.mu);
	tr.cur = NULL;
	tr.last_aborted = aborted;
	if (!aborted && member && !rc) { /* what the EC pieces are placed by now */
		treb_placed_clear();
		treb_placed_add(run->smap);
		atomic_store(&treb_noted, 0);
	}
	bool idle = tr.want <= tr.last_id;
	pthread_mutex_unlock(&tr.mu);
	if (idle && !aborted)
		treb_tomb_gc(TREB_TOMB_TTL_NS);
	(void)rc;
	return NULL;
}

static void treb_run_free(treb_run_t *run)
{
	if (!run)
		return;
	smap_put(run->smap);
	xact_put(run->x);
	free(run);
}

/* under tr.mu: start generation m on s (a ref taken over) */
static int treb_start_locked(const rmd_t *m, smap_t *s)
{
	char xid[32];
	rmd_xid(m->version, xid, sizeof(xid));
	const xact_kind_t *k = xact_table_find("rebalance");
	treb_run_t *run = calloc(1, sizeof(*run));
	xact_t *x = run && k ? xact_new(k, xid, NULL) : NULL;
	if (!x || xact_reg_add(x)) {
		xact_put(x);
		free(run);
		smap_put(s);
		return AIS_ENOMEM;
	}
	run->id = m->version;
	run->smap = s;
	run->x = x;
	atomic_init(&run->stage, TREB_ST_INACTIVE);
	xact_t *old = tr.last_x;
	xact_get(x);
	tr.last_x = x;
	tr.last_id = m->version;
	tr.last_stage = TREB_ST_INIT;
	tr.last_aborted = false;
	tr.interrupted = false;
	tr.cur = run;
	if (pthread_create(&tr.cur_th, NULL, treb_run_main, run)) {
		tr.cur = NULL;
		xact_abort(x, "cannot start a thread");
		xact_finish(x);
		xact_put(old);
		treb_run_free(run);
		return AIS_ENOMEM;
	}
	tr.cur_th_on = true;
	tr.th_run = run;
	xact_put(old);
	return 0;
}

/* the Smap the RMD was made for (or newer); NULL if it does not come */
static smap_t *treb_wait_smap(int64_t ver)
{
	for (int i = 0; i < TREB_SMAP_WAIT_MS / 20; i++) {
		smap_t *m = smap_get();
		if (m && m->version >= ver)
			return m;
		smap_put(m);
		pthread_mutex_lock(&tr.mu);
		bool stop = tr.stop;
		pthread_mutex_unlock(&tr.mu);
		if (stop)
			return NULL;
		usleep(20 * 1000);
	}
	smap_t *m = smap_get();
	log_warn("rebalance: Smap v%lld not here after %d ms (have v%lld): running on what we have", (long long)ver,
		 TREB_SMAP_WAIT_MS, (long long)(m ? m->version : 0));
	return m;
}

static void *treb_mgr(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tr.mu);
	for (;;) {
		while (!tr.stop && tr.want <= tr.last_id)
			pthread_cond_wait(&tr.cv, &tr.mu);
		if (tr.stop)
			break;
		if (tr.cur_th_on) { /* preempt: abort, wait for it to wind down (its streams closed) */
			treb_run_t *run = tr.th_run;
			pthread_t th = tr.cur_th;
			xact_abort(run->x, TREB_RENEWED); /* (a no-op when it has finished) */
			pthread_mutex_unlock(&tr.mu);
			pthread_join(th, NULL);
			pthread_mutex_lock(&tr.mu);
			tr.cur_th_on = false;
			tr.th_run = NULL;
			treb_run_free(run);
			continue;
		}
		rmd_t m = tr.want_rmd;
		pthread_mutex_unlock(&tr.mu);
		smap_t *s = treb_wait_smap(m.smap_version);
		pthread_mutex_lock(&tr.mu);
		if (!s)
			continue;
		if (tr.stop || m.version != tr.want) {
			smap_put(s);
			continue;
		}
		if (treb_start_locked(&m, s))
			log_err("rebalance[g%lld]: failed to start", (long long)m.version);
	}
	pthread_mutex_unlock(&tr.mu);
	return NULL;
}

/* ---------------------------------------------------------------- listeners and hooks */

static void treb_on_rmd(const rmd_t *old, const rmd_t *cur)
{
	(void)old;
	pthread_mutex_lock(&tr.mu);
	if (cur->version > tr.want) {
		tr.want = cur->version;
		tr.want_rmd = *cur;
		pthread_cond_broadcast(&tr.cv);
	}
	pthread_mutex_unlock(&tr.mu);
}

static void treb_on_smap(const smap_t *old, const smap_t *cur)
{
	(void)cur;
	pthread_mutex_lock(&tr.mu);
	smap_t *prev = tr.prev_smap;
	tr.prev_smap = (smap_t *)old;
	if (old)
		__atomic_add_fetch(&tr.prev_smap->refs, 1, __ATOMIC_ACQ_REL);
	tr.smap_changed = mono_ns(); /* (the first one too: a joining target learns its peers) */
	pthread_mutex_unlock(&tr.mu);
	smap_put(prev);
}

/* every DELETE (native, S3, jobs) during a rebalance window leaves a tombstone */
static void treb_on_delete(const obj_t *o)
{
	if (treb_window())
		treb_tomb_add(o->bck, o->oname, now_ns());
}

/* ---------------------------------------------------------------- resume after restart */

static void *treb_resume(void *arg)
{
	(void)arg;
	int64_t t0 = mono_ns();
	while (mono_ns() - t0 < (int64_t)TREB_RESUME_MS * 1000000) {
		usleep(500 * 1000);
		pthread_mutex_lock(&tr.mu);
		bool done = tr.stop || !tr.interrupted;
		pthread_mutex_unlock(&tr.mu);
		if (done)
			return NULL; /* stopping, or a newer rebalance came anyway */
		smap_t *m = smap_get();
		const snode_t *p = m && membership_joined() && smap_find(m, node_id()) ? smap_primary(m) : NULL;
		char url[300];
		if (p)
			snprintf(url, sizeof(url), "%s/v1/cluster", p->ctl.url);
		smap_put(m);
		if (!p)
			continue;
		static const char body[] = "{\"action\":\"start\",\"value\":{\"kind\":\"rebalance\"},\"name\":\"resume\"}";
		hreq_t q = {.method = "PUT", .url = url, .body = body, .body_len = sizeof(body) - 1, .timeout_ms = 10000};
		int rc = hclient_do(&q);
		int st = q.status;
		log_info("rebalance: resuming the interrupted g%lld: %s%.*s", (long long)tr.last_id,
			 rc ? q.errmsg : st == 200 ? "started " : "refused: ", (int)(rc ? 0 : q.resp.len),
			 q.resp.p ? q.resp.p : "");
		hreq_fini(&q);
		if (!rc && st == 200)
			return NULL;
		if (!rc && st >= 400 && st < 500) { /* rebalance disabled, too few targets: nothing to resume */
			pthread_mutex_lock(&tr.mu);
			tr.interrupted = false;
			pthread_mutex_unlock(&tr.mu);
			unlink(tr.marker);
			return NULL;
		}
	}
	log_err("rebalance: could not resume the interrupted rebalance (start it with 'ais start rebalance')");
	return NULL;
}

/* ---------------------------------------------------------------- decommission */

bool treb_decommission(json_t *opts)
{
	bool rm_data = json_is_true(jsonx_get_ci(opts, "rm_user_data"));
	bool keep_cfg = json_is_true(jsonx_get_ci(opts, "keep_initial_config"));
	bool no_shutdown = json_is_true(jsonx_get_ci(opts, "no_shutdown"));
	log_warn("%s: decommissioning (rm_user_data=%d, keep_initial_config=%d, no_shutdown=%d)", node_name(), rm_data,
		 keep_cfg, no_shutdown);
	if (rm_data) {
		for (int i = 0; i < fs_count(); i++) {
			const mpath_t *mp = fs_get(i);
			if (!mp || fs_state(i) == FS_DETACHED)
				continue;
			if (fsops_rm_rf(mp->path) || fsops_mkdir_p(mp->path))
				log_err("decommission: failed to clean up %s", mp->path);
			else
				log_info("decommission: removed all content of %s", mp->path);
		}
	}
	if (!keep_cfg) {
		static const char *const files[] = {".ais.smap", ".ais.bmd", ".ais.rmd", ".ais.rebalance_marker",
						    ".ais.reb_tombs", ".ais.conf"};
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char p[700];
			snprintf(p, sizeof(p), "%s/%s", tr.confdir, files[i]);
			unlink(p);
		}
	}
	return !no_shutdown;
}

/* ---------------------------------------------------------------- init / fini */

int treb_init(const config_t *cfg)
{
	char p[700];
	snprintf(tr.confdir, sizeof(tr.confdir), "%s", cfg->confdir);
	snprintf(tr.marker, sizeof(tr.marker), "%s/.ais.rebalance_marker", cfg->confdir);
	snprintf(p, sizeof(p), "%s/.ais.reb_tombs", cfg->confdir);
	treb_tomb_init(p);
	int rc = treb_recv_init();
	if (!rc)
		rc = treb_ver_init();
	if (rc)
		return rc;
	tr.last_id = rmd_version(); /* persisted: never run a generation twice */
	smap_t *sm = smap_get(); /* (loaded from disk: a restart, so no map says where its EC pieces are) */
	tr.placed_lost = sm || tr.last_id;
	smap_put(sm);
	tr.last_stage = tr.last_id ? TREB_ST_DONE : TREB_ST_INACTIVE;
	char *s = NULL;
	if (!fsops_read_file(tr.marker, 64, &s, NULL)) {
		tr.interrupted = true;
		log_warn("rebalance: %.*s was interrupted (found %s): will resume once joined", (int)strcspn(s, "\n"), s,
			 tr.marker);
		free(s);
	}
	rmd_set_listener(treb_on_rmd);
	smap_set_listener(treb_on_smap);
	obj_set_delete_hook(treb_on_delete);
	daemon_set_rebstatus_hook(treb_status_json);
	daemon_set_decommission_hook(treb_decommission);
	if (pthread_create(&tr.mgr, NULL, treb_mgr, NULL))
		return AIS_ENOMEM;
	tr.mgr_on = true;
	if (tr.interrupted) {
		pthread_t th;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &at, treb_resume, NULL))
			log_err("rebalance: cannot start the resume thread");
		pthread_attr_destroy(&at);
	}
	return 0;
}

void treb_fini(void)
{
	pthread_mutex_lock(&tr.mu);
	tr.stop = true;
	if (tr.cur)
		xact_abort(tr.cur->x, "node is shutting down");
	pthread_cond_broadcast(&tr.cv);
	bool mgr = tr.mgr_on;
	tr.mgr_on = false;
	pthread_mutex_unlock(&tr.mu);
	if (mgr)
		pthread_join(tr.mgr, NULL);
	pthread_mutex_lock(&tr.mu);
	treb_run_t *run = tr.cur_th_on ? tr.th_run : NULL;
	bool join = tr.cur_th_on;
	pthread_t th = tr.cur_th;
	tr.cur_th_on = false;
	tr.th_run = NULL;
	pthread_mutex_unlock(&tr.mu);
	if (join)
		pthread_join(th, NULL);
	treb_run_free(run);
	transport_ep_t *ep = transport_node();
	if (ep)
		transport_unregister(ep, TREB_TRNAME);
	treb_ver_fini();
	pthread_mutex_lock(&tr.mu);
	xact_put(tr.last_x);
	tr.last_x = NULL;
	smap_put(tr.prev_smap);
	tr.prev_smap = NULL;
	treb_placed_clear();
	free(tr.arrived);
	tr.arrived = NULL;
	tr.narrived = tr.carrived = 0;
	pthread_mutex_unlock(&tr.mu);
	treb_tomb_fini();
}
