/* xact_nl: the proxy's job status listeners (see xact_nl.h). Owns the listener table; one mutex
 * guards it. Must not: do I/O. Invariants: a listener's end_ns is set exactly once (when its
 * last target is done or any aborted) and never cleared; `aborted` implies end_ns != 0. */
#include "xact/xact_nl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

#define NL_MAX_FINISHED 1024
#define NL_OLD_AGE_NS ((int64_t)180 * 1000000000LL) /* hk.OldAgeNotif */
#define NL_NOTIF_NS ((int64_t)3 * 1000000000LL)     /* periodic.notif_time default */

typedef struct nl {
	char uuid[XACT_ID_MAX];
	char kind[XACT_NAME_MAX];
	xact_bck_t bck;
	int nsrcs;
	char (*srcs)[XACT_NL_TID_MAX];
	bool *done;
	int64_t added_ns, end_ns;
	bool aborted;
	char err[XACT_ERR_MAX];
	int nerr;
} nl_t;

static pthread_mutex_t nl_mu = PTHREAD_MUTEX_INITIALIZER;
static nl_t **nl_v;
static int nl_n, nl_cap;
static int nl_max_finished = NL_MAX_FINISHED;
static int64_t nl_old_age = NL_OLD_AGE_NS, nl_notif = NL_NOTIF_NS;

void xact_nl_limits(int max_finished, int64_t old_age_ns, int64_t notif_ns)
{
	pthread_mutex_lock(&nl_mu);
	nl_max_finished = max_finished;
	nl_old_age = old_age_ns;
	nl_notif = notif_ns;
	pthread_mutex_unlock(&nl_mu);
}

static void nl_free(nl_t *l)
{
	if (!l)
		return;
	free(l->srcs);
	free(l->done);
	free(l);
}

/* under nl_mu */
static void nl_remove_at(int i)
{
	nl_free(nl_v[i]);
	memmove(&nl_v[i], &nl_v[i + 1], (size_t)(nl_n - i - 1) * sizeof(*nl_v));
	nl_n--;
}

/* under nl_mu: drop old finished listeners, then the oldest beyond the count bound */
static void nl_prune(void)
{
	int64_t now = now_ns();
	int nfin = 0;
	for (int i = 0; i < nl_n;) {
		if (nl_v[i]->end_ns && now - nl_v[i]->end_ns > nl_old_age) {
			nl_remove_at(i);
			continue;
		}
		nfin += nl_v[i]->end_ns != 0;
		i++;
	}
	while (nfin > nl_max_finished) {
		int oldest = -1;
		for (int i = 0; i < nl_n; i++)
			if (nl_v[i]->end_ns && (oldest < 0 || nl_v[i]->end_ns < nl_v[oldest]->end_ns))
				oldest = i;
		nl_remove_at(oldest);
		nfin--;
	}
}

/* under nl_mu */
static nl_t *nl_entry(const char *uuid)
{
	for (int i = 0; i < nl_n; i++)
		if (!strcmp(nl_v[i]->uuid, uuid))
			return nl_v[i];
	return NULL;
}

int xact_nl_add(const char *uuid, const char *kind, const xact_bck_t *bck, const char *const *srcs, int n)
{
	if (n <= 0)
		return AIS_EINVAL; /* AIStore: "cannot add ... with no active notifiers" */
	nl_t *l = calloc(1, sizeof(*l));
	if (!l)
		return AIS_ENOMEM;
	l->srcs = calloc((size_t)n, sizeof(*l->srcs));
	l->done = calloc((size_t)n, sizeof(*l->done));
	if (!l->srcs || !l->done) {
		nl_free(l);
		return AIS_ENOMEM;
	}
	snprintf(l->uuid, sizeof(l->uuid), "%s", uuid);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	if (bck)
		l->bck = *bck;
	for (int i = 0; i < n; i++)
		snprintf(l->srcs[i], sizeof(l->srcs[i]), "%s", srcs[i]);
	l->nsrcs = n;
	l->added_ns = now_ns();
	pthread_mutex_lock(&nl_mu);
	int rc = 0;
	if (nl_entry(uuid)) {
		rc = AIS_EEXIST;
	} else if (nl_n == nl_cap) {
		int nc = nl_cap ? nl_cap * 2 : 64;
		nl_t **nv = realloc(nl_v, (size_t)nc * sizeof(*nv));
		if (!nv)
			rc = AIS_ENOMEM;
		else {
			nl_v = nv;
			nl_cap = nc;
		}
	}
	if (!rc) {
		nl_v[nl_n++] = l;
		l = NULL;
	}
	nl_prune();
	pthread_mutex_unlock(&nl_mu);
	nl_free(l);
	return rc;
}

static bool nl_match(const nl_t *l, const xact_query_t *q)
{
	if (q->only_running == 1 && l->end_ns)
		return false;
	if (q->id[0])
		return !strcmp(q->id, l->uuid);
	if (q->kind[0] && strcmp(q->kind, l->kind))
		return false;
	if (!q->bck.name[0])
		return true;
	return !strcmp(q->bck.name, l->bck.name) && !strcmp(q->bck.ns, l->bck.ns);
}

static int nl_view(const nl_t *l, xact_nl_view_t *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->uuid, sizeof(v->uuid), "%s", l->uuid);
	snprintf(v->kind, sizeof(v->kind), "%s", l->kind);
	v->finished = l->end_ns != 0;
	v->active = calloc((size_t)l->nsrcs, sizeof(*v->active));
	if (!v->active)
		return AIS_ENOMEM;
	for (int i = 0; i < l->nsrcs && !v->finished; i++)
		if (!l->done[i])
			snprintf(v->active[v->nactive++], XACT_NL_TID_MAX, "%s", l->srcs[i]);
	return 0;
}

void xact_nl_views_free(xact_nl_view_t *v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i].active);
	free(v);
}

int xact_nl_find(const xact_query_t *q, bool one, xact_nl_view_t **out)
{
	int cnt = 0;
	*out = NULL;
	pthread_mutex_lock(&nl_mu);
	nl_prune();
	const nl_t *pick = NULL;
	xact_nl_view_t *v = calloc((size_t)nl_n + 1, sizeof(*v));
	for (int i = 0; v && i < nl_n; i++) {
		const nl_t *l = nl_v[i];
		if (!nl_match(l, q))
			continue;
		if (!one) {
			if (nl_view(l, &v[cnt]) == 0)
				cnt++;
			continue;
		}
		/* running first, else the most recently finished */
		if (!pick || (pick->end_ns && (!l->end_ns || l->end_ns > pick->end_ns)))
			pick = l;
	}
	if (one && pick && v && nl_view(pick, &v[0]) == 0)
		cnt = 1;
	pthread_mutex_unlock(&nl_mu);
	if (!cnt) {
		xact_nl_views_free(v, 0);
		return 0;
	}
	*out = v;
	return cnt;
}

/* under nl_mu: the AIStore Errs accumulation */
static void nl_add_err(nl_t *l, const char *msg)
{
	if (!l->nerr++)
		snprintf(l->err, sizeof(l->err), "%.*s", (int)sizeof(l->err) - 1, msg);
}

/* under nl_mu: mark target i done; true when this ended the listener */
static bool nl_mark(nl_t *l, int i, bool aborted, const char *why)
{
	if (l->end_ns)
		return false;
	l->done[i] = true;
	if (aborted) {
		char msg[XACT_ERR_MAX + 160];
		l->aborted = true;
		snprintf(msg, sizeof(msg), "nl-%s[%s] aborted (from t[%s]%s%s)", l->kind, l->uuid, l->srcs[i], why && *why ? ": " : "",
			 why ? why : "");
		nl_add_err(l, msg);
	}
	int active = 0;
	for (int k = 0; k < l->nsrcs; k++)
		active += !l->done[k];
	if (active && !aborted)
		return false;
	l->end_ns = now_ns();
	return true;
}

static int nl_src(const nl_t *l, const char *tid)
{
	for (int i = 0; i < l->nsrcs; i++)
		if (!strcmp(l->srcs[i], tid))
			return i;
	return -1;
}

bool xact_nl_update(const char *uuid, const char *tid, const json_t *snap)
{
	bool ended_aborted = false;
	pthread_mutex_lock(&nl_mu);
	nl_t *l = nl_entry(uuid);
	int i = l ? nl_src(l, tid) : -1;
	if (i < 0 || l->done[i] || l->end_ns)
		goto out;
	if (!snap) {
		char why[160];
		if (now_ns() - l->added_ns < nl_notif)
			goto out; /* likely not started there yet */
		snprintf(why, sizeof(why), "x-%s[%s] not found", l->kind, l->uuid);
		ended_aborted = nl_mark(l, i, true, why);
		goto out;
	}
	const char *end = json_string_value(json_object_get(snap, "end-time"));
	bool aborted = json_is_true(json_object_get(snap, "aborted"));
	bool finished = end && strncmp(end, "0001-01-01", 10);
	if (aborted)
		ended_aborted = nl_mark(l, i, true, json_string_value(json_object_get(snap, "abort-err")));
	else if (finished)
		nl_mark(l, i, false, NULL);
out:
	pthread_mutex_unlock(&nl_mu);
	return ended_aborted;
}

void xact_nl_node_gone(const char *uuid, const char *tid)
{
	pthread_mutex_lock(&nl_mu);
	nl_t *l = nl_entry(uuid);
	int i = l ? nl_src(l, tid) : -1;
	if (i >= 0 && !l->done[i] && !l->end_ns) {
		char why[160];
		snprintf(why, sizeof(why), "node t[%s] is no longer in the cluster map", tid);
		nl_mark(l, i, true, why);
	}
	pthread_mutex_unlock(&nl_mu);
}

json_t *xact_nl_status_json(const char *uuid)
{
	json_t *j = NULL;
	pthread_mutex_lock(&nl_mu);
	const nl_t *l = nl_entry(uuid);
	if (l) {
		char err[XACT_ERR_MAX + 64];
		if (l->nerr > 1)
			snprintf(err, sizeof(err), "%s (and %d more error%s)", l->err, l->nerr - 1, l->nerr > 2 ? "s" : "");
		else
			snprintf(err, sizeof(err), "%s", l->nerr ? l->err : "");
		j = xact_wire_status_json(l->kind, l->uuid, err, l->end_ns, l->aborted, false);
	}
	pthread_mutex_unlock(&nl_mu);
	return j;
}

void xact_nl_reset(void)
{
	pthread_mutex_lock(&nl_mu);
	for (int i = 0; i < nl_n; i++)
		nl_free(nl_v[i]);
	free(nl_v);
	nl_v = NULL;
	nl_n = nl_cap = 0;
	pthread_mutex_unlock(&nl_mu);
}
