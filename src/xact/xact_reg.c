/* xact_reg: this node's registry of jobs (AIStore's xreg) and the runner. Owns the list of jobs
 * (running and finished, in start order), their threads' accounting, and the history bounds.
 * Each started job runs ops->run on its own detached thread (never on the HTTP pool); the
 * thread finishes the job and drops its reference. Must not: call a kind's code under reg_mu
 * (prep/run/fini run unlocked), know HTTP. Invariants: every listed job holds one registry
 * reference; running jobs are never pruned; reg_live counts threads not yet exited, and
 * shutdown waits for it to reach zero. */
#include "xact/xact.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

#define REG_MAX_FINISHED 1024                          /* AIStore's keepOldThreshold */
#define REG_OLD_AGE_NS ((int64_t)3600 * 1000000000LL) /* hk.OldAgeX */

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cv = PTHREAD_COND_INITIALIZER;
static xact_t **reg_v;
static int reg_n, reg_cap;
static int reg_live;
static bool reg_closed;
static int reg_max_finished = REG_MAX_FINISHED;
static int64_t reg_old_age = REG_OLD_AGE_NS;

void xact_reg_limits(int max_finished, int64_t old_age_ns)
{
	pthread_mutex_lock(&reg_mu);
	reg_max_finished = max_finished < 0 ? 0 : max_finished;
	reg_old_age = old_age_ns;
	pthread_mutex_unlock(&reg_mu);
}

/* under reg_mu: remove entry i, handing its reference to *drop (caller puts it unlocked) */
static void reg_remove_at(int i, xact_t **drop, int *ndrop)
{
	drop[(*ndrop)++] = reg_v[i];
	memmove(&reg_v[i], &reg_v[i + 1], (size_t)(reg_n - i - 1) * sizeof(*reg_v));
	reg_n--;
}

/* under reg_mu: apply the history bounds; removed references go to drop (cap >= reg_n) */
static void reg_prune(xact_t **drop, int *ndrop)
{
	int64_t now = now_ns();
	int nfin = 0;
	for (int i = 0; i < reg_n;) {
		if (xact_done(reg_v[i]) && now - xact_end_ns(reg_v[i]) > reg_old_age) {
			reg_remove_at(i, drop, ndrop);
			continue;
		}
		nfin += xact_done(reg_v[i]);
		i++;
	}
	while (nfin > reg_max_finished) {
		int oldest = -1;
		for (int i = 0; i < reg_n; i++)
			if (xact_done(reg_v[i]) && (oldest < 0 || xact_end_ns(reg_v[i]) < xact_end_ns(reg_v[oldest])))
				oldest = i;
		reg_remove_at(oldest, drop, ndrop);
		nfin--;
	}
}

/* prune and release what was dropped, outside the lock */
static void reg_prune_unlock(void)
{
	xact_t **drop = reg_n ? calloc((size_t)reg_n, sizeof(*drop)) : NULL;
	int ndrop = 0;
	if (drop)
		reg_prune(drop, &ndrop);
	pthread_mutex_unlock(&reg_mu);
	for (int i = 0; i < ndrop; i++)
		xact_put(drop[i]);
	free(drop);
}

/* under reg_mu: append x with a new (registry) reference */
static int reg_append(xact_t *x)
{
	if (reg_n == reg_cap) {
		int nc = reg_cap ? reg_cap * 2 : 64;
		xact_t **nv = realloc(reg_v, (size_t)nc * sizeof(*nv));
		if (!nv)
			return AIS_ENOMEM;
		reg_v = nv;
		reg_cap = nc;
	}
	xact_get(x);
	reg_v[reg_n++] = x;
	return 0;
}

int xact_reg_add(xact_t *x)
{
	pthread_mutex_lock(&reg_mu);
	int rc = reg_closed ? AIS_EUNAVAIL : reg_append(x);
	reg_prune_unlock();
	return rc;
}

/* under reg_mu */
static xact_t *reg_running_kind(const xact_kind_t *k)
{
	for (int i = 0; i < reg_n; i++)
		if (xact_kind(reg_v[i]) == k && xact_running(reg_v[i]))
			return reg_v[i];
	return NULL;
}

static void reg_log_end(xact_t *x)
{
	char cn[XACT_NAME_MAX + XACT_ID_MAX + 4], why[XACT_ERR_MAX + 64];
	xact_cname(x, cn, sizeof(cn));
	if (xact_state(x) == XACT_ABORTED) {
		xact_abort_err(x, why, sizeof(why));
		log_warn("x-%s aborted: %s", cn, why);
		return;
	}
	xact_err(x, why, sizeof(why));
	if (why[0])
		log_warn("x-%s finished w/err: [%s]", cn, why);
	else
		log_info("x-%s finished", cn);
}

static void *reg_thread(void *arg)
{
	xact_t *x = arg;
	xact_kind(x)->ops->run(x);
	xact_finish(x);
	reg_log_end(x);
	xact_put(x); /* the thread's reference */
	pthread_mutex_lock(&reg_mu);
	reg_prune_unlock();
	/* last: shutdown waits for this, so nothing of this thread runs after it returns */
	pthread_mutex_lock(&reg_mu);
	reg_live--;
	pthread_cond_broadcast(&reg_cv);
	pthread_mutex_unlock(&reg_mu);
	return NULL;
}

/* under reg_mu: take x out of the list again (a start that could not spawn its thread) */
static void reg_unlist(xact_t *x)
{
	for (int i = 0; i < reg_n; i++)
		if (reg_v[i] == x) {
			memmove(&reg_v[i], &reg_v[i + 1], (size_t)(reg_n - i - 1) * sizeof(*reg_v));
			reg_n--;
			xact_put(x); /* the registry's reference; the caller still holds its own */
			return;
		}
}

int xact_reg_start(const xact_kind_t *k, const xact_args_t *a, xact_t **out, char *err, size_t cap)
{
	xact_t *x = NULL, *prev;
	int rc;
	if (out)
		*out = NULL;
	if (!k->ops || !k->ops->run) {
		snprintf(err, cap, "cannot start xaction %s - operation not supported", k->name);
		return AIS_ENOTIMPL;
	}
	x = xact_new(k, a ? a->id : NULL, a && a->bck.name[0] ? &a->bck : NULL);
	if (!x) {
		snprintf(err, cap, "out of memory");
		return AIS_ENOMEM;
	}
	if (k->ops->prep && (rc = k->ops->prep(x, a, err, cap)))
		goto fail;
	pthread_mutex_lock(&reg_mu);
	if (reg_closed) {
		pthread_mutex_unlock(&reg_mu);
		snprintf(err, cap, "node is shutting down");
		rc = AIS_EUNAVAIL;
		goto fail;
	}
	if ((k->flags & XACT_KF_SINGLE) && (prev = reg_running_kind(k))) {
		/* AIStore's WprUse: the running one serves this request too */
		xact_get(prev);
		pthread_mutex_unlock(&reg_mu);
		char cn[XACT_NAME_MAX + XACT_ID_MAX + 4];
		xact_cname(prev, cn, sizeof(cn));
		log_info("x-%s[%s]: %s is already running, using it", k->name, xact_id(x), cn);
		xact_put(x);
		if (out)
			*out = prev;
		else
			xact_put(prev);
		return 0;
	}
	if ((rc = reg_append(x))) {
		pthread_mutex_unlock(&reg_mu);
		snprintf(err, cap, "out of memory");
		goto fail;
	}
	pthread_attr_t at;
	pthread_t th;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	xact_get(x); /* the thread's reference */
	int e = pthread_create(&th, &at, reg_thread, x);
	pthread_attr_destroy(&at);
	if (e) {
		reg_unlist(x);
		pthread_mutex_unlock(&reg_mu);
		xact_put(x); /* the thread's, never started */
		snprintf(err, cap, "cannot start a thread for x-%s[%s]: %s", k->name, xact_id(x), strerror(e));
		rc = AIS_EUNAVAIL;
		goto fail;
	}
	reg_live++;
	pthread_mutex_unlock(&reg_mu);
	log_info("x-%s[%s] started", k->name, xact_id(x));
	if (out)
		*out = x;
	else
		xact_put(x);
	return 0;
fail:
	xact_put(x);
	return rc;
}

xact_t *xact_reg_find(const char *id)
{
	xact_t *x = NULL;
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < reg_n && !x; i++)
		if (!strcmp(xact_id(reg_v[i]), id)) {
			x = reg_v[i];
			xact_get(x);
		}
	pthread_mutex_unlock(&reg_mu);
	return x;
}

int xact_reg_count(void)
{
	pthread_mutex_lock(&reg_mu);
	int n = reg_n;
	pthread_mutex_unlock(&reg_mu);
	return n;
}

/* references to the listed jobs matching f (n filled); caller puts each and frees the array */
static xact_t **reg_select(const xact_filter_t *f, int *n)
{
	pthread_mutex_lock(&reg_mu);
	xact_t **v = calloc((size_t)reg_n + 1, sizeof(*v));
	*n = 0;
	for (int i = 0; v && i < reg_n; i++)
		if (!f || xact_match(reg_v[i], f)) {
			xact_get(reg_v[i]);
			v[(*n)++] = reg_v[i];
		}
	reg_prune_unlock();
	return v;
}

static void reg_release(xact_t **v, int n)
{
	for (int i = 0; i < n; i++)
		xact_put(v[i]);
	free(v);
}

int xact_reg_snaps(const xact_filter_t *f, json_t **out, char *err, size_t cap)
{
	*out = NULL;
	if (f->id[0]) {
		xact_t *x = xact_reg_find(f->id);
		char cn[XACT_NAME_MAX + XACT_ID_MAX + 4];
		if (!x) {
			snprintf(err, cap, "xaction ID=%s not found", f->id);
			return AIS_ENOTFOUND;
		}
		xact_cname(x, cn, sizeof(cn));
		if (f->only_running == 1 && !xact_running(x)) {
			snprintf(err, cap, "xaction [only-running vs x-%s] not found", cn);
			xact_put(x);
			return AIS_ENOTFOUND;
		}
		if (f->kind[0] && strcmp(f->kind, xact_kind(x)->name)) {
			snprintf(err, cap, "xaction [kind=%s vs x-%s] not found", f->kind, cn);
			xact_put(x);
			return AIS_ENOTFOUND;
		}
		*out = json_array();
		json_array_append_new(*out, xact_snap_json(x));
		xact_put(x);
		return 0;
	}
	int n;
	xact_t **v = reg_select(f, &n);
	*out = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(*out, xact_snap_json(v[i]));
	reg_release(v, n);
	return 0;
}

json_t *xact_reg_running(const char *kind)
{
	xact_filter_t f;
	memset(&f, 0, sizeof(f));
	f.only_running = 1;
	snprintf(f.kind, sizeof(f.kind), "%s", kind ? kind : "");
	int n;
	xact_t **v = reg_select(&f, &n);
	json_t *a = json_array();
	char cn[XACT_NAME_MAX + XACT_ID_MAX + 4];
	for (int i = 0; i < n; i++) {
		xact_cname(v[i], cn, sizeof(cn));
		json_array_append_new(a, json_string(cn));
	}
	reg_release(v, n);
	return a;
}

static bool reg_same_bck(const xact_t *x, const xact_bck_t *b)
{
	const xact_bck_t *xb = xact_bck(x);
	return xb->name[0] && !strcmp(xb->name, b->name) && !strcmp(xb->ns, b->ns) &&
	       !strcmp(xb->provider[0] ? xb->provider : "ais", b->provider[0] ? b->provider : "ais");
}

int xact_reg_abort(const xact_filter_t *f, const char *reason)
{
	int n, cnt = 0;
	xact_filter_t all;
	memset(&all, 0, sizeof(all));
	all.only_running = 1;
	if (f->id[0]) {
		xact_t *x = xact_reg_find(f->id);
		if (x && (!f->kind[0] || !strcmp(f->kind, xact_kind(x)->name)))
			cnt += xact_abort(x, reason);
		xact_put(x);
		return cnt;
	}
	xact_t **v = reg_select(&all, &n);
	for (int i = 0; i < n; i++) {
		bool kind_ok = !f->kind[0] || !strcmp(f->kind, xact_kind(v[i])->name);
		bool bck_ok = !f->bck.name[0] || reg_same_bck(v[i], &f->bck);
		if (kind_ok && bck_ok)
			cnt += xact_abort(v[i], reason);
	}
	reg_release(v, n);
	return cnt;
}

void xact_reg_shutdown(int wait_ms)
{
	pthread_mutex_lock(&reg_mu);
	reg_closed = true;
	pthread_mutex_unlock(&reg_mu);
	xact_filter_t all;
	memset(&all, 0, sizeof(all));
	all.only_running = -1;
	xact_reg_abort(&all, "node is shutting down");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&reg_mu);
	while (reg_live > 0)
		if (pthread_cond_timedwait(&reg_cv, &reg_mu, &ts) == ETIMEDOUT)
			break;
	if (reg_live > 0)
		log_warn("xact: %d job thread(s) still running at shutdown", reg_live);
	xact_t **v = reg_v;
	int n = reg_n;
	reg_v = NULL;
	reg_n = reg_cap = 0;
	pthread_mutex_unlock(&reg_mu);
	for (int i = 0; i < n; i++)
		xact_put(v[i]);
	free(v);
}
