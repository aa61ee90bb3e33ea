/* xact: the job object (AIStore's xact.Base): identity, the state machine drawn in xact.h,
 * atomic counters, abort flag and reason, the error summary, and the core.Snap JSON.
 * Must not: know HTTP, the registry's list, or any kind's work. Invariants: `state` changes
 * only by CAS along the arrows of the diagram; end_ns is written once, before the terminal state
 * is published; err/abort_err/ctlmsg are read and written under `mu`. */
#include "xact/xact.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "xact/xact_wire.h"

struct xact {
	const xact_kind_t *kind;
	char id[XACT_ID_MAX];
	xact_bck_t bck;
	int64_t start_ns;
	_Atomic int64_t end_ns;
	_Atomic int state;
	_Atomic int refs;
	_Atomic int64_t objs, bytes, out_objs, out_bytes, in_objs, in_bytes;
	pthread_mutex_t mu; /* err, nerr, abort_err, ctlmsg */
	char err[XACT_ERR_MAX];
	int nerr;
	char abort_err[XACT_ERR_MAX];
	char ctlmsg[XACT_ERR_MAX];
	void *priv;
};

/* ---- IDs ---- */

bool xact_id_is_reb(const char *id)
{
	if (!id || id[0] != 'g' || !id[1])
		return false;
	for (const char *p = id + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

void xact_gen_id(char out[XACT_ID_MAX])
{
	do
		gen_uuid(out, 9);
	while (xact_id_is_reb(out));
}

static bool id_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool xact_id_valid(const char *id)
{
	if (!id)
		return false;
	if (xact_id_is_reb(id))
		return true;
	size_t l = strlen(id);
	if (l < 9 || l > 32)
		return false;
	for (size_t i = 0; i < l; i++) {
		if (id_alnum(id[i]))
			continue;
		if ((id[i] != '-' && id[i] != '_') || i == 0 || i == l - 1)
			return false;
	}
	return true;
}

/* ---- life cycle ---- */

xact_t *xact_new(const xact_kind_t *k, const char *id, const xact_bck_t *bck)
{
	xact_t *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->kind = k;
	if (id && *id)
		snprintf(x->id, sizeof(x->id), "%s", id);
	else
		xact_gen_id(x->id);
	if (bck)
		x->bck = *bck;
	x->start_ns = now_ns();
	atomic_init(&x->state, XACT_RUNNING);
	atomic_init(&x->refs, 1);
	pthread_mutex_init(&x->mu, NULL);
	return x;
}

void xact_get(xact_t *x) { atomic_fetch_add(&x->refs, 1); }

void xact_put(xact_t *x)
{
	if (!x || atomic_fetch_sub(&x->refs, 1) != 1)
		return;
	if (x->kind && x->kind->ops && x->kind->ops->fini)
		x->kind->ops->fini(x);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

const char *xact_id(const xact_t *x) { return x->id; }
const xact_kind_t *xact_kind(const xact_t *x) { return x->kind; }
const xact_bck_t *xact_bck(const xact_t *x) { return &x->bck; }
xact_state_t xact_state(const xact_t *x) { return (xact_state_t)atomic_load(&((xact_t *)x)->state); }
int64_t xact_start_ns(const xact_t *x) { return x->start_ns; }
int64_t xact_end_ns(const xact_t *x)
{
	/* the end time is written just before the terminal state: show it only with that state */
	return xact_done(x) ? atomic_load(&((xact_t *)x)->end_ns) : 0;
}
void *xact_priv(const xact_t *x) { return x->priv; }
void xact_set_priv(xact_t *x, void *priv) { x->priv = priv; }

bool xact_running(const xact_t *x)
{
	xact_state_t s = xact_state(x);
	return s == XACT_RUNNING || s == XACT_IDLE;
}

bool xact_done(const xact_t *x)
{
	xact_state_t s = xact_state(x);
	return s == XACT_FINISHED || s == XACT_ABORTED;
}

bool xact_is_idle(const xact_t *x) { return xact_state(x) != XACT_RUNNING; }

bool xact_aborted(const xact_t *x)
{
	xact_state_t s = xact_state(x);
	return s == XACT_ABORTING || s == XACT_ABORTED;
}

void xact_set_ctlmsg(xact_t *x, const char *msg)
{
	pthread_mutex_lock(&x->mu);
	snprintf(x->ctlmsg, sizeof(x->ctlmsg), "%s", msg ? msg : "");
	pthread_mutex_unlock(&x->mu);
}

/* ---- counters ---- */

void xact_objs_add(xact_t *x, int64_t n, int64_t bytes)
{
	atomic_fetch_add(&x->objs, n);
	atomic_fetch_add(&x->bytes, bytes);
}

void xact_out_add(xact_t *x, int64_t n, int64_t bytes)
{
	atomic_fetch_add(&x->out_objs, n);
	if (bytes > 0)
		atomic_fetch_add(&x->out_bytes, bytes);
}

void xact_in_add(xact_t *x, int64_t n, int64_t bytes)
{
	atomic_fetch_add(&x->in_objs, n);
	atomic_fetch_add(&x->in_bytes, bytes);
}

void xact_stats(const xact_t *x, xact_stats_t *s)
{
	xact_t *w = (xact_t *)x;
	s->objs = atomic_load(&w->objs);
	s->bytes = atomic_load(&w->bytes);
	s->out_objs = atomic_load(&w->out_objs);
	s->out_bytes = atomic_load(&w->out_bytes);
	s->in_objs = atomic_load(&w->in_objs);
	s->in_bytes = atomic_load(&w->in_bytes);
}

/* ---- transitions ---- */

static bool xact_cas(xact_t *x, int from, int to)
{
	return atomic_compare_exchange_strong(&x->state, &from, to);
}

bool xact_abort(xact_t *x, const char *reason)
{
	/* publish the reason before the state so that any reader seeing ABORTING finds it */
	for (;;) {
		int s = atomic_load(&x->state);
		if (s != XACT_RUNNING && s != XACT_IDLE)
			return false;
		pthread_mutex_lock(&x->mu);
		bool won = xact_cas(x, s, XACT_ABORTING);
		if (won)
			snprintf(x->abort_err, sizeof(x->abort_err), "%s", reason && *reason ? reason : "user abort");
		pthread_mutex_unlock(&x->mu);
		if (won)
			return true;
	}
}

void xact_abort_err(const xact_t *x, char *out, size_t cap)
{
	xact_t *w = (xact_t *)x;
	pthread_mutex_lock(&w->mu);
	snprintf(out, cap, "%s", w->abort_err);
	pthread_mutex_unlock(&w->mu);
}

bool xact_set_idle(xact_t *x, bool idle)
{
	return idle ? xact_cas(x, XACT_RUNNING, XACT_IDLE) : xact_cas(x, XACT_IDLE, XACT_RUNNING);
}

void xact_add_err(xact_t *x, const char *fmt, ...)
{
	if (xact_aborted(x))
		return;
	char msg[XACT_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&x->mu);
	if (!x->nerr++)
		snprintf(x->err, sizeof(x->err), "%s", msg);
	pthread_mutex_unlock(&x->mu);
}

void xact_err(const xact_t *x, char *out, size_t cap)
{
	xact_t *w = (xact_t *)x;
	pthread_mutex_lock(&w->mu);
	if (w->nerr > 1)
		snprintf(out, cap, "%s (and %d more error%s)", w->err, w->nerr - 1, w->nerr > 2 ? "s" : "");
	else
		snprintf(out, cap, "%s", w->nerr ? w->err : "");
	pthread_mutex_unlock(&w->mu);
}

bool xact_finish(xact_t *x)
{
	for (;;) {
		int s = atomic_load(&x->state);
		if (s == XACT_FINISHED || s == XACT_ABORTED)
			return false;
		int64_t prev = 0;
		/* end time first (only the CAS winner below may have written it) */
		if (!atomic_compare_exchange_strong(&x->end_ns, &prev, now_ns()) && prev == 0)
			continue;
		if (xact_cas(x, s, s == XACT_ABORTING ? XACT_ABORTED : XACT_FINISHED))
			return true;
		/* lost a race against abort/idle: the end time stays, retry the state */
	}
}

/* ---- wire ---- */

void xact_cname(const xact_t *x, char *out, size_t cap) { snprintf(out, cap, "%s[%s]", x->kind->name, x->id); }

bool xact_match(const xact_t *x, const xact_filter_t *f)
{
	if (f->only_running >= 0 && (f->only_running != 0) != xact_running(x))
		return false;
	if (f->id[0])
		return !strcmp(f->id, x->id);
	if (f->kind[0] && strcmp(f->kind, x->kind->name))
		return false;
	if (x->kind->scope != XACT_SCOPE_B || !f->bck.name[0])
		return true;
	return !strcmp(f->bck.name, x->bck.name) && !strcmp(f->bck.ns, x->bck.ns) &&
	       !strcmp(f->bck.provider[0] ? f->bck.provider : "ais", x->bck.provider[0] ? x->bck.provider : "ais");
}

static json_t *xact_time_json(int64_t ns)
{
	char b[48];
	if (!ns)
		return json_string("0001-01-01T00:00:00Z"); /* Go's zero time.Time */
	fmt_rfc3339(ns, b, sizeof(b));
	return json_string(b);
}

static json_t *xact_i64s(int64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%lld", (long long)v);
	return json_string(b);
}

json_t *xact_snap_json(const xact_t *x)
{
	xact_stats_t st;
	xact_stats(x, &st);
	xact_bck_t none;
	memset(&none, 0, sizeof(none));
	char err[XACT_ERR_MAX + 64], abrt[XACT_ERR_MAX], ctl[XACT_ERR_MAX];
	xact_err(x, err, sizeof(err));
	xact_abort_err(x, abrt, sizeof(abrt));
	pthread_mutex_lock(&((xact_t *)x)->mu);
	snprintf(ctl, sizeof(ctl), "%s", x->ctlmsg);
	pthread_mutex_unlock(&((xact_t *)x)->mu);
	sbuf_t cm = SBUF_INIT;
	sbuf_adds(&cm, ctl);
	if (x->kind->ops && x->kind->ops->ctlmsg)
		x->kind->ops->ctlmsg(x, &cm);
	bool aborted = xact_aborted(x);
	json_t *stats = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "loc-objs", xact_i64s(st.objs), "loc-bytes",
				  xact_i64s(st.bytes), "out-objs", xact_i64s(st.out_objs), "out-bytes", xact_i64s(st.out_bytes),
				  "in-objs", xact_i64s(st.in_objs), "in-bytes", xact_i64s(st.in_bytes));
	json_t *j = json_pack("{s:n, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "ext", "start-time", xact_time_json(x->start_ns),
			      "end-time", xact_time_json(xact_end_ns(x)), "bck", xact_wire_bck_json(&x->bck), "src-bck",
			      xact_wire_bck_json(&none), "dst-bck", xact_wire_bck_json(&none), "id", x->id, "kind", x->kind->name);
	if (j && cm.len)
		json_object_set_new(j, "ctlmsg", json_string(sbuf_str(&cm)));
	if (j) {
		json_object_set_new(j, "abort-err", json_string(aborted ? abrt : ""));
		json_object_set_new(j, "err", json_string(err));
		json_object_set_new(j, "glob.id", json_string("0"));
		json_object_set_new(j, "stats", stats);
		json_object_set_new(j, "aborted", json_boolean(aborted));
		json_object_set_new(j, "is_idle", json_boolean(xact_is_idle(x)));
	} else {
		json_decref(stats);
	}
	sbuf_fini(&cm);
	return j;
}
