/* xact: the job framework without HTTP: the state machine (every arrow of the diagram in
 * xact.h and the refused ones), abort, errors, concurrent counters, the core.Snap JSON shape,
 * the registry (start on own thread, find, snaps, running list, abort by id/kind, XACT_KF_SINGLE
 * reuse, prep failures, history bounds), the kind table, the ArgsMsg/QueryMsg codecs
 * (case-insensitive keys, unknown keys, nulls, type errors) and the proxy's status listeners. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/util.h"
#include "xact/xact.h"
#include "xact/xact_nl.h"
#include "xact/xact_wire.h"

/* ---- test kinds ---- */

static _Atomic int t_release;  /* run() returns when set (or when aborted) */
static _Atomic int t_fini;     /* ops->fini calls */

static void t_run(xact_t *x)
{
	while (!atomic_load(&t_release) && !xact_aborted(x)) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	xact_objs_add(x, 2, 20);
}

static void t_run_quick(xact_t *x) { xact_objs_add(x, 1, 10); }

static int t_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	if (a && a->force) {
		snprintf(err, cap, "refused");
		return AIS_EINVAL;
	}
	xact_set_priv(x, malloc(16));
	return 0;
}

static void t_fini_cb(xact_t *x)
{
	atomic_fetch_add(&t_fini, 1);
	free(xact_priv(x));
}

static void t_ctl(const xact_t *x, sbuf_t *out)
{
	if (xact_priv(x))
		sbuf_addf(out, "%sdyn", out->len ? "; " : "");
}

static const xact_ops_t t_ops = {.prep = t_prep, .run = t_run, .ctlmsg = t_ctl, .fini = t_fini_cb};
static const xact_ops_t t_quick_ops = {.run = t_run_quick};
static const xact_kind_t k_slow = {"t-slow", "slow", XACT_SCOPE_G, XACT_KF_STARTABLE, &t_ops};
static const xact_kind_t k_single = {"t-single", NULL, XACT_SCOPE_G, XACT_KF_STARTABLE | XACT_KF_SINGLE, &t_ops};
static const xact_kind_t k_quick = {"t-quick", NULL, XACT_SCOPE_GB, XACT_KF_STARTABLE, &t_quick_ops};
static const xact_kind_t k_bck = {"t-bck", NULL, XACT_SCOPE_B, 0, &t_quick_ops};
static const xact_kind_t k_none = {"t-none", NULL, XACT_SCOPE_G, XACT_KF_STARTABLE, NULL};

static void wait_done(xact_t *x)
{
	for (int i = 0; i < 5000 && !xact_done(x); i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	cr_assert(xact_done(x), "job did not end");
}

static xact_t *start(const xact_kind_t *k, const xact_args_t *a)
{
	xact_t *x = NULL;
	char err[256] = "";
	cr_assert_eq(xact_reg_start(k, a, &x, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(x);
	return x;
}

/* ---- state machine ---- */

Test(xact, ids)
{
	char id[XACT_ID_MAX];
	for (int i = 0; i < 200; i++) {
		xact_gen_id(id);
		cr_assert_eq(strlen(id), 9);
		cr_assert(xact_id_valid(id), "%s", id);
		cr_assert(!xact_id_is_reb(id));
	}
	cr_assert(xact_id_valid("g42"));
	cr_assert(xact_id_is_reb("g42"));
	cr_assert(!xact_id_valid("abc"));                              /* too short */
	cr_assert(!xact_id_valid("-abcdefghij"));                      /* '-' first */
	cr_assert(!xact_id_valid("abcdefghij_"));                      /* '_' last */
	cr_assert(!xact_id_valid("abc def ghi"));                      /* space */
	cr_assert(!xact_id_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 chars */
	cr_assert(xact_id_valid("tco-cysbohAGL"));
}

Test(xact, finish_path)
{
	xact_t *x = xact_new(&k_quick, NULL, NULL);
	cr_assert_eq(xact_state(x), XACT_RUNNING);
	cr_assert(xact_running(x) && !xact_done(x) && !xact_is_idle(x) && !xact_aborted(x));
	cr_assert_eq(xact_end_ns(x), 0);
	cr_assert_gt(xact_start_ns(x), 0);
	cr_assert(xact_set_idle(x, true));
	cr_assert_eq(xact_state(x), XACT_IDLE);
	cr_assert(xact_running(x) && xact_is_idle(x));
	cr_assert(!xact_set_idle(x, true), "IDLE → IDLE is not an arrow");
	cr_assert(xact_set_idle(x, false));
	cr_assert_eq(xact_state(x), XACT_RUNNING);
	cr_assert(xact_finish(x));
	cr_assert_eq(xact_state(x), XACT_FINISHED);
	cr_assert(xact_done(x) && !xact_running(x) && xact_is_idle(x) && !xact_aborted(x));
	cr_assert_geq(xact_end_ns(x), xact_start_ns(x));
	cr_assert(!xact_finish(x), "a job ends once");
	cr_assert(!xact_abort(x, NULL), "terminal: abort is a no-op");
	cr_assert(!xact_set_idle(x, true) && !xact_set_idle(x, false));
	cr_assert_eq(xact_state(x), XACT_FINISHED);
	xact_put(x);
}

Test(xact, abort_path)
{
	char why[128];
	xact_t *x = xact_new(&k_quick, "abcdefghi", NULL);
	cr_assert_str_eq(xact_id(x), "abcdefghi");
	cr_assert(xact_set_idle(x, true));
	cr_assert(xact_abort(x, NULL), "IDLE → ABORTING");
	cr_assert_eq(xact_state(x), XACT_ABORTING);
	cr_assert(xact_aborted(x) && !xact_running(x) && !xact_done(x) && xact_is_idle(x));
	cr_assert_eq(xact_end_ns(x), 0, "no end time before the job has wound down");
	xact_abort_err(x, why, sizeof(why));
	cr_assert_str_eq(why, "user abort");
	cr_assert(!xact_abort(x, "again"), "aborting twice");
	xact_abort_err(x, why, sizeof(why));
	cr_assert_str_eq(why, "user abort", "the first reason stays");
	cr_assert(!xact_set_idle(x, false));
	xact_add_err(x, "ignored once aborted");
	xact_err(x, why, sizeof(why));
	cr_assert_str_eq(why, "");
	cr_assert(xact_finish(x));
	cr_assert_eq(xact_state(x), XACT_ABORTED);
	cr_assert_gt(xact_end_ns(x), 0);
	cr_assert(!xact_finish(x));
	xact_put(x);

	x = xact_new(&k_quick, NULL, NULL);
	cr_assert(xact_abort(x, "node is shutting down"));
	xact_abort_err(x, why, sizeof(why));
	cr_assert_str_eq(why, "node is shutting down");
	xact_put(x);
}

Test(xact, errors_summary)
{
	char e[256];
	xact_t *x = xact_new(&k_quick, NULL, NULL);
	xact_add_err(x, "first %d", 1);
	xact_err(x, e, sizeof(e));
	cr_assert_str_eq(e, "first 1");
	xact_add_err(x, "second");
	xact_err(x, e, sizeof(e));
	cr_assert_str_eq(e, "first 1 (and 1 more error)");
	xact_add_err(x, "third");
	xact_err(x, e, sizeof(e));
	cr_assert_str_eq(e, "first 1 (and 2 more errors)");
	xact_finish(x);
	cr_assert_eq(xact_state(x), XACT_FINISHED, "errors do not make an abort");
	xact_put(x);
}

static void *bump(void *arg)
{
	xact_t *x = arg;
	for (int i = 0; i < 20000; i++) {
		xact_objs_add(x, 1, 3);
		xact_out_add(x, 1, 0); /* unsized */
		xact_in_add(x, 2, 5);
	}
	return NULL;
}

Test(xact, counters_concurrent)
{
	xact_t *x = xact_new(&k_quick, NULL, NULL);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, bump, x);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	xact_stats_t s;
	xact_stats(x, &s);
	cr_assert_eq(s.objs, 80000);
	cr_assert_eq(s.bytes, 240000);
	cr_assert_eq(s.out_objs, 80000);
	cr_assert_eq(s.out_bytes, 0);
	cr_assert_eq(s.in_objs, 160000);
	cr_assert_eq(s.in_bytes, 400000);
	xact_put(x);
}

static void *racer_abort(void *arg)
{
	xact_abort(arg, "race");
	return NULL;
}

Test(xact, finish_vs_abort_race)
{
	for (int i = 0; i < 300; i++) {
		xact_t *x = xact_new(&k_quick, NULL, NULL);
		pthread_t th;
		pthread_create(&th, NULL, racer_abort, x);
		bool fin = xact_finish(x);
		pthread_join(th, NULL);
		if (!xact_done(x))
			cr_assert(xact_finish(x));
		cr_assert(fin || xact_done(x));
		xact_state_t s = xact_state(x);
		cr_assert(s == XACT_FINISHED || s == XACT_ABORTED, "state %d", s);
		cr_assert_gt(xact_end_ns(x), 0);
		xact_put(x);
	}
}

/* ---- snapshot JSON ---- */

static const char *str(json_t *j, const char *k) { return json_string_value(json_object_get(j, k)); }

Test(xact, snap_shape)
{
	xact_bck_t b = {"ais", "@uuid1#ns1", "bkt"};
	xact_t *x = xact_new(&k_slow, "SnapTest1", &b); /* no prep: no private state, no dynamic ctlmsg */
	xact_objs_add(x, 3, 300);
	json_t *j = xact_snap_json(x);
	static const char *const keys[] = {"ext", "start-time", "end-time", "bck", "src-bck", "dst-bck", "id", "kind",
					   "abort-err", "err", "glob.id", "stats", "aborted", "is_idle"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_not_null(json_object_get(j, keys[i]), "missing %s", keys[i]);
	cr_assert_eq(json_object_size(j), sizeof(keys) / sizeof(keys[0]), "no ctlmsg when empty");
	cr_assert(json_is_null(json_object_get(j, "ext")));
	cr_assert_str_eq(str(j, "id"), "SnapTest1");
	cr_assert_str_eq(str(j, "kind"), "t-slow");
	cr_assert_str_eq(str(j, "end-time"), "0001-01-01T00:00:00Z");
	cr_assert_eq(strlen(str(j, "start-time")), strlen("2026-01-02T03:04:05.123456789Z"));
	cr_assert_str_eq(str(j, "glob.id"), "0");
	json_t *st = json_object_get(j, "stats");
	cr_assert_eq(json_object_size(st), 6);
	cr_assert_str_eq(str(st, "loc-objs"), "3");
	cr_assert_str_eq(str(st, "loc-bytes"), "300");
	cr_assert_str_eq(str(st, "in-bytes"), "0");
	json_t *bj = json_object_get(j, "bck");
	cr_assert_str_eq(str(bj, "name"), "bkt");
	cr_assert_str_eq(str(bj, "provider"), "ais");
	cr_assert_str_eq(str(json_object_get(bj, "namespace"), "uuid"), "uuid1");
	cr_assert_str_eq(str(json_object_get(bj, "namespace"), "name"), "ns1");
	cr_assert_str_eq(str(json_object_get(j, "src-bck"), "name"), "");
	cr_assert(json_is_false(json_object_get(j, "aborted")));
	cr_assert(json_is_false(json_object_get(j, "is_idle")));
	cr_assert_str_eq(str(j, "abort-err"), "");
	json_decref(j);

	xact_set_priv(x, malloc(16)); /* freed by t_fini_cb */
	xact_set_ctlmsg(x, "static");
	xact_add_err(x, "oops");
	xact_abort(x, NULL);
	xact_finish(x);
	j = xact_snap_json(x);
	cr_assert_str_eq(str(j, "ctlmsg"), "static; dyn");
	cr_assert(json_is_true(json_object_get(j, "aborted")));
	cr_assert(json_is_true(json_object_get(j, "is_idle")));
	cr_assert_str_eq(str(j, "abort-err"), "user abort");
	cr_assert_str_eq(str(j, "err"), "oops");
	cr_assert_str_neq(str(j, "end-time"), "0001-01-01T00:00:00Z");
	json_decref(j);
	char cn[64];
	xact_cname(x, cn, sizeof(cn));
	cr_assert_str_eq(cn, "t-slow[SnapTest1]");
	xact_put(x);
}

/* ---- registry and runner ---- */

Test(xact, reg_start_find_abort)
{
	atomic_store(&t_release, 0);
	xact_t *x = start(&k_slow, NULL);
	const char *id = xact_id(x);
	cr_assert(xact_id_valid(id));
	cr_assert_eq(xact_reg_count(), 1);
	xact_t *f = xact_reg_find(id);
	cr_assert_eq(f, x);
	xact_put(f);
	cr_assert_null(xact_reg_find("NoSuchJob1"));
	json_t *r = xact_reg_running(NULL);
	cr_assert_eq(json_array_size(r), 1);
	char cn[64];
	snprintf(cn, sizeof(cn), "t-slow[%s]", id);
	cr_assert_str_eq(json_string_value(json_array_get(r, 0)), cn);
	json_decref(r);
	r = xact_reg_running("t-quick");
	cr_assert_eq(json_array_size(r), 0);
	json_decref(r);
	/* abort by kind */
	xact_filter_t flt = {.only_running = -1};
	snprintf(flt.kind, sizeof(flt.kind), "t-slow");
	cr_assert_eq(xact_reg_abort(&flt, NULL), 1);
	wait_done(x);
	cr_assert_eq(xact_state(x), XACT_ABORTED);
	cr_assert_eq(xact_reg_abort(&flt, NULL), 0, "nothing running any more");
	xact_stats_t s;
	xact_stats(x, &s);
	cr_assert_eq(s.objs, 2, "the job ran (on its own thread)");
	xact_put(x);
	xact_reg_shutdown(2000);
	cr_assert_eq(atomic_load(&t_fini), 1, "private state freed with the last reference");
}

Test(xact, reg_snaps_filters)
{
	char err[256];
	json_t *out;
	atomic_store(&t_release, 0);
	xact_t *slow = start(&k_slow, NULL);
	xact_t *q = start(&k_quick, NULL);
	wait_done(q);
	xact_filter_t f = {.only_running = -1};
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 2);
	json_decref(out);
	f.only_running = 1;
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	cr_assert_str_eq(str(json_array_get(out, 0), "kind"), "t-slow");
	json_decref(out);
	f.only_running = 0;
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	cr_assert_str_eq(str(json_array_get(out, 0), "kind"), "t-quick");
	json_decref(out);
	/* by ID: found, only-running vs finished, kind mismatch, unknown */
	f.only_running = -1;
	snprintf(f.id, sizeof(f.id), "%s", xact_id(q));
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	json_decref(out);
	f.only_running = 1;
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), AIS_ENOTFOUND);
	cr_assert(strstr(err, "only-running"), "%s", err);
	f.only_running = -1;
	snprintf(f.kind, sizeof(f.kind), "t-slow");
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), AIS_ENOTFOUND);
	cr_assert(strstr(err, "kind=t-slow"), "%s", err);
	memset(&f, 0, sizeof(f));
	f.only_running = -1;
	snprintf(f.id, sizeof(f.id), "NoSuchJob1");
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), AIS_ENOTFOUND);
	cr_assert_str_eq(err, "xaction ID=NoSuchJob1 not found");
	/* abort by ID */
	memset(&f, 0, sizeof(f));
	snprintf(f.id, sizeof(f.id), "%s", xact_id(slow));
	cr_assert_eq(xact_reg_abort(&f, "stop it"), 1);
	wait_done(slow);
	char why[64];
	xact_abort_err(slow, why, sizeof(why));
	cr_assert_str_eq(why, "stop it");
	xact_put(slow);
	xact_put(q);
	xact_reg_shutdown(2000);
}

Test(xact, reg_bucket_filter)
{
	char err[256];
	json_t *out;
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.bck.provider, sizeof(a.bck.provider), "ais");
	snprintf(a.bck.name, sizeof(a.bck.name), "b1");
	xact_t *x1 = start(&k_bck, &a);
	snprintf(a.bck.name, sizeof(a.bck.name), "b2");
	xact_t *x2 = start(&k_bck, &a);
	wait_done(x1);
	wait_done(x2);
	cr_assert_str_eq(xact_bck(x1)->name, "b1");
	xact_filter_t f = {.only_running = -1};
	snprintf(f.bck.name, sizeof(f.bck.name), "b2");
	cr_assert_eq(xact_reg_snaps(&f, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	cr_assert_str_eq(str(json_object_get(json_array_get(out, 0), "bck"), "name"), "b2");
	json_decref(out);
	xact_put(x1);
	xact_put(x2);
	xact_reg_shutdown(2000);
}

Test(xact, reg_single_reuse_prep_and_unsupported)
{
	char err[256] = "";
	xact_t *x = NULL, *y = NULL;
	atomic_store(&t_release, 0);
	x = start(&k_single, NULL);
	cr_assert_eq(xact_reg_start(&k_single, NULL, &y, err, sizeof(err)), 0);
	cr_assert_eq(y, x, "a running single job serves the second start");
	cr_assert_eq(xact_reg_count(), 1);
	xact_put(y);
	/* prep refuses: nothing registered */
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	a.force = true;
	y = NULL;
	cr_assert_eq(xact_reg_start(&k_slow, &a, &y, err, sizeof(err)), AIS_EINVAL);
	cr_assert_str_eq(err, "refused");
	cr_assert_null(y);
	cr_assert_eq(xact_reg_count(), 1);
	/* a kind without ops */
	cr_assert_eq(xact_reg_start(&k_none, NULL, &y, err, sizeof(err)), AIS_ENOTIMPL);
	cr_assert_str_eq(err, "cannot start xaction t-none - operation not supported");
	atomic_store(&t_release, 1);
	wait_done(x);
	cr_assert_eq(xact_state(x), XACT_FINISHED);
	/* not running any more: a new single job starts */
	y = start(&k_single, NULL);
	cr_assert_neq(y, x);
	wait_done(y);
	xact_put(x);
	xact_put(y);
	xact_reg_shutdown(2000);
}

Test(xact, reg_history_bound)
{
	atomic_store(&t_release, 0);
	xact_reg_limits(3, (int64_t)3600 * 1000000000LL);
	xact_t *run = start(&k_slow, NULL); /* never pruned while running */
	char first[XACT_ID_MAX] = "", last[XACT_ID_MAX] = "";
	for (int i = 0; i < 10; i++) {
		xact_t *q = start(&k_quick, NULL);
		wait_done(q);
		if (!i)
			snprintf(first, sizeof(first), "%s", xact_id(q));
		snprintf(last, sizeof(last), "%s", xact_id(q));
		xact_put(q);
	}
	/* the runner's thread prunes after it ended the job: let the last one get there */
	for (int i = 0; i < 1000 && xact_reg_count() > 4; i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(xact_reg_count(), 4, "3 finished + 1 running, got %d", xact_reg_count());
	cr_assert_null(xact_reg_find(first), "the oldest finished job went first");
	xact_t *l = xact_reg_find(last);
	cr_assert_not_null(l, "the newest finished job stays");
	xact_put(l);
	l = xact_reg_find(xact_id(run));
	cr_assert_not_null(l);
	xact_put(l);
	/* age bound: every finished one is older than 0 ns */
	xact_reg_limits(100, 0);
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	json_t *r = xact_reg_running(NULL); /* any listing prunes */
	json_decref(r);
	cr_assert_eq(xact_reg_count(), 1, "only the running job is left");
	atomic_store(&t_release, 1);
	wait_done(run);
	xact_put(run);
	xact_reg_shutdown(2000);
	cr_assert_eq(xact_reg_count(), 0);
}

Test(xact, reg_shutdown_aborts_running)
{
	atomic_store(&t_release, 0);
	xact_t *x = start(&k_slow, NULL);
	xact_reg_shutdown(5000);
	cr_assert_eq(xact_state(x), XACT_ABORTED);
	char why[64];
	xact_abort_err(x, why, sizeof(why));
	cr_assert_str_eq(why, "node is shutting down");
	char err[128];
	xact_t *y = NULL;
	cr_assert_eq(xact_reg_start(&k_slow, NULL, &y, err, sizeof(err)), AIS_EUNAVAIL, "closed after shutdown");
	xact_put(x);
}

Test(xact, reg_add_external)
{
	/* a job some other code drives (no runner thread), e.g. a rebalance with its own streams */
	char err[128];
	json_t *out;
	xact_t *x = xact_new(&k_quick, "g17", NULL);
	cr_assert_eq(xact_reg_add(x), 0);
	xact_in_add(x, 5, 500);
	xact_t *f = xact_reg_find("g17");
	cr_assert_eq(f, x);
	xact_put(f);
	xact_filter_t flt = {.only_running = 1};
	cr_assert_eq(xact_reg_snaps(&flt, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	cr_assert_str_eq(str(json_object_get(json_array_get(out, 0), "stats"), "in-objs"), "5");
	json_decref(out);
	cr_assert(xact_finish(x));
	cr_assert_eq(xact_reg_snaps(&flt, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 0, "finished: not running any more");
	json_decref(out);
	flt.only_running = 0; /* AIStore's Flt: false = only the ones not running */
	cr_assert_eq(xact_reg_snaps(&flt, &out, err, sizeof(err)), 0);
	cr_assert_eq(json_array_size(out), 1);
	json_decref(out);
	xact_put(x);
	xact_reg_shutdown(1000);
	cr_assert_eq(xact_reg_count(), 0);
}

/* ---- kind table ---- */

Test(xact, table)
{
	const xact_kind_t *k = xact_table_find("cleanup-store");
	cr_assert_not_null(k);
	cr_assert_eq(xact_table_find("cleanup"), k, "display name");
	cr_assert_str_eq(xact_table_dname(k), "cleanup");
	cr_assert_eq(k->scope, XACT_SCOPE_GB);
	cr_assert(k->flags & XACT_KF_STARTABLE);
	cr_assert_not_null(k->ops);
	cr_assert_null(xact_table_find("nope"));
	cr_assert_null(xact_table_find(""));
	cr_assert_eq(xact_table_similar("prefetch"), xact_table_find("prefetch-listrange"));
	cr_assert_eq(xact_table_similar("mirror"), xact_table_find("make-n-copies"));
	cr_assert_null(xact_table_similar("ec"), "ec-get, ec-put, ec-resp, ec-bucket: ambiguous");
	cr_assert_null(xact_table_similar("zzz"));
	/* names unique; display names sorted (the CLI's listing order) */
	int n = 0;
	for (int i = 0; xact_table_at(i); i++, n++)
		for (int j = i + 1; xact_table_at(j); j++) {
			cr_assert_str_neq(xact_table_at(i)->name, xact_table_at(j)->name);
			cr_assert_str_neq(xact_table_dname(xact_table_at(i)), xact_table_dname(xact_table_at(j)));
			cr_assert_lt(strcmp(xact_table_dname(xact_table_at(i)), xact_table_dname(xact_table_at(j))), 0);
		}
	cr_assert_geq(n, 34);
	cr_assert_null(xact_table_find("rebalance")->ops, "kinds not built here answer 501");
	cr_assert(xact_table_find("download")->flags & XACT_KF_NS_API);
}

/* ---- wire ---- */

static json_t *J(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &je);
	cr_assert_not_null(j, "%s: %s", s, je.text);
	return j;
}

Test(xact, args_parse_case_insensitive)
{
	xact_args_t a;
	char err[256];
	json_t *v = J("{\"ID\":\"abcdefghi\",\"Kind\":\"cleanup\",\"DaemonID\":\"t1\",\"Bck\":{\"name\":\"b\",\"provider\":"
		      "\"ais\",\"namespace\":{\"uuid\":\"u\",\"name\":\"n\"}},\"Buckets\":[{\"name\":\"x\"},null],"
		      "\"Timeout\":5000000000,\"flags\":8,\"Force\":true,\"OnlyRunning\":true,\"unknown\":[1,2]}");
	cr_assert_eq(xact_wire_args_parse(v, &a, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(a.id, "abcdefghi");
	cr_assert_str_eq(a.kind, "cleanup");
	cr_assert_str_eq(a.node, "t1");
	cr_assert_str_eq(a.bck.name, "b");
	cr_assert_str_eq(a.bck.provider, "ais");
	cr_assert_str_eq(a.bck.ns, "@u#n");
	cr_assert_eq(a.nbuckets, 2);
	cr_assert_str_eq(a.buckets[0].name, "x");
	cr_assert_eq(a.timeout_ns, 5000000000LL);
	cr_assert_eq(a.flags, 8);
	cr_assert(a.force && a.only_running);
	char s[256];
	xact_wire_args_str(&a, s, sizeof(s));
	cr_assert_str_eq(s, "xa-cleanup[abcdefghi]-ais://@u#n/b-node[t1]-0x8");
	xact_wire_args_fini(&a);
	json_decref(v);

	v = J("{\"kind\":\"lru\",\"id\":null,\"KIND\":\"cleanup-store\",\"bck\":{\"NAME\":\"q\"}}");
	cr_assert_eq(xact_wire_args_parse(v, &a, err, sizeof(err)), 0, "%s", err);
	cr_assert(!strcmp(a.kind, "cleanup-store") || !strcmp(a.kind, "lru")); /* later key wins (object order) */
	cr_assert_str_eq(a.id, "");
	cr_assert_str_eq(a.bck.name, "q");
	xact_wire_args_fini(&a);
	json_decref(v);
	cr_assert_eq(xact_wire_args_parse(NULL, &a, err, sizeof(err)), 0);
	cr_assert_str_eq(a.kind, "");
}

Test(xact, args_parse_errors)
{
	static const char *const bad[] = {
		"{\"Kind\":5}", "{\"ID\":true}", "{\"Force\":\"yes\"}", "{\"Timeout\":1.5}", "{\"flags\":-1}",
		"{\"Bck\":\"ais://b\"}", "{\"Buckets\":{}}", "{\"Buckets\":[5]}", "[1]", "\"str\"",
		"{\"Bck\":{\"namespace\":{\"uuid\":7}}}",
		"{\"ID\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xact_args_t a;
		char err[256] = "";
		json_t *v = J(bad[i]);
		cr_assert_eq(xact_wire_args_parse(v, &a, err, sizeof(err)), AIS_EINVAL, "%s", bad[i]);
		cr_assert(err[0], "%s: no message", bad[i]);
		cr_assert_null(a.buckets);
		json_decref(v);
	}
	xact_args_t a;
	char err[256];
	json_t *v = J("{\"Kind\":5}");
	xact_wire_args_parse(v, &a, err, sizeof(err));
	cr_assert_str_eq(err, "json: cannot unmarshal number into Go struct field xact.ArgsMsg.Kind of type string");
	json_decref(v);
}

Test(xact, query_parse_and_json)
{
	xact_query_t q;
	char err[256], s[256];
	const char *b = "{\"show_active\":true,\"ID\":\"a,b\",\"Kind\":\"cleanup\",\"Node\":\"t1\",\"bck\":{\"name\":\"x\","
			"\"provider\":\"ais\"},\"buckets\":null,\"whatever\":{}}";
	cr_assert_eq(xact_wire_query_parse(b, strlen(b), &q, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(q.only_running, 1);
	cr_assert_str_eq(q.id, "a,b");
	cr_assert_str_eq(q.kind, "cleanup");
	cr_assert_str_eq(q.node, "t1");
	xact_wire_query_str(&q, s, sizeof(s));
	cr_assert_str_eq(s, "x-cleanup[a,b]-ais://x-node[t1]-only-running");
	json_t *j = xact_wire_query_json(&q);
	cr_assert(json_is_true(json_object_get(j, "show_active")));
	cr_assert_str_eq(str(j, "node"), "t1");
	json_decref(j);
	cr_assert_eq(xact_wire_query_parse("{\"show_active\":null}", 20, &q, err, sizeof(err)), 0);
	cr_assert_eq(q.only_running, -1);
	j = xact_wire_query_json(&q);
	cr_assert(json_is_null(json_object_get(j, "show_active")));
	cr_assert_null(json_object_get(j, "node"), "omitempty");
	json_decref(j);
	cr_assert_eq(xact_wire_query_parse(NULL, 0, &q, err, sizeof(err)), 0);
	xact_wire_query_str(&q, s, sizeof(s));
	cr_assert_str_eq(s, "x-");
	cr_assert_eq(xact_wire_query_parse("{bad", 4, &q, err, sizeof(err)), AIS_EINVAL);
	cr_assert_eq(xact_wire_query_parse("{\"show_active\":1}", 17, &q, err, sizeof(err)), AIS_EINVAL);
}

Test(xact, status_json_and_cname)
{
	json_t *j = xact_wire_status_json("cleanup-store", "abcdefghi", "", 123, false, false);
	cr_assert_eq(json_object_size(j), 5, "is_idle omitted when false");
	cr_assert_eq(json_integer_value(json_object_get(j, "end_time")), 123);
	cr_assert(json_is_false(json_object_get(j, "aborted")));
	json_decref(j);
	j = xact_wire_status_json("k", "u", "e", 0, true, true);
	cr_assert(json_is_true(json_object_get(j, "is_idle")));
	json_decref(j);
	char k[32], id[32];
	cr_assert_eq(xact_wire_parse_cname("cleanup-store[abcdefghi]", k, sizeof(k), id, sizeof(id)), 0);
	cr_assert_str_eq(k, "cleanup-store");
	cr_assert_str_eq(id, "abcdefghi");
	cr_assert_eq(xact_wire_parse_cname("nobrackets", k, sizeof(k), id, sizeof(id)), AIS_EINVAL);
	cr_assert_eq(xact_wire_parse_cname("a[b", k, sizeof(k), id, sizeof(id)), AIS_EINVAL);
	cr_assert_eq(xact_wire_parse_cname("", k, sizeof(k), id, sizeof(id)), AIS_EINVAL);
}

/* ---- the proxy's status listeners ---- */

static json_t *snap(bool finished, bool aborted, const char *abort_err)
{
	return json_pack("{s:s, s:b, s:s}", "end-time", finished ? "2026-01-01T00:00:00.000000001Z" : "0001-01-01T00:00:00Z",
			 "aborted", aborted, "abort-err", abort_err ? abort_err : "");
}

static json_t *nl_status(const char *uuid)
{
	json_t *j = xact_nl_status_json(uuid);
	cr_assert_not_null(j);
	return j;
}

Test(xact, nl_finish_all)
{
	const char *srcs[] = {"t1", "t2", "t3"};
	cr_assert_eq(xact_nl_add("NlJob0001", "cleanup-store", NULL, srcs, 3), 0);
	cr_assert_eq(xact_nl_add("NlJob0001", "cleanup-store", NULL, srcs, 3), AIS_EEXIST);
	cr_assert_eq(xact_nl_add("NlJob0002", "cleanup-store", NULL, srcs, 0), AIS_EINVAL);
	json_t *s = snap(true, false, NULL), *r = snap(false, false, NULL);
	cr_assert(!xact_nl_update("NlJob0001", "t1", s));
	cr_assert(!xact_nl_update("NlJob0001", "t2", r), "still running there");
	cr_assert(!xact_nl_update("NlJob0001", "t9", s), "not one of its targets");
	json_t *st = nl_status("NlJob0001");
	cr_assert_eq(json_integer_value(json_object_get(st, "end_time")), 0);
	json_decref(st);
	xact_query_t q = {.only_running = -1};
	snprintf(q.id, sizeof(q.id), "NlJob0001");
	xact_nl_view_t *v;
	cr_assert_eq(xact_nl_find(&q, true, &v), 1);
	cr_assert_eq(v[0].nactive, 2, "t2 and t3 are still awaited");
	cr_assert_str_eq(v[0].active[0], "t2");
	xact_nl_views_free(v, 1);
	cr_assert(!xact_nl_update("NlJob0001", "t2", s));
	cr_assert(!xact_nl_update("NlJob0001", "t3", s));
	st = nl_status("NlJob0001");
	cr_assert_gt(json_integer_value(json_object_get(st, "end_time")), 0);
	cr_assert(json_is_false(json_object_get(st, "aborted")));
	cr_assert_str_eq(str(st, "err"), "");
	cr_assert_str_eq(str(st, "kind"), "cleanup-store");
	cr_assert_str_eq(str(st, "uuid"), "NlJob0001");
	json_decref(st);
	cr_assert_null(xact_nl_status_json("NoSuchJob1"));
	json_decref(s);
	json_decref(r);
	xact_nl_reset();
}

Test(xact, nl_abort_and_notfound)
{
	const char *srcs[] = {"t1", "t2"};
	xact_nl_limits(1024, (int64_t)180 * 1000000000LL, 0); /* no grace period for 404s */
	cr_assert_eq(xact_nl_add("NlAbort01", "cleanup-store", NULL, srcs, 2), 0);
	json_t *a = snap(false, true, "user abort");
	cr_assert(xact_nl_update("NlAbort01", "t2", a), "one aborted target ends the job");
	cr_assert(!xact_nl_update("NlAbort01", "t1", a), "already ended");
	json_t *st = nl_status("NlAbort01");
	cr_assert(json_is_true(json_object_get(st, "aborted")));
	cr_assert_gt(json_integer_value(json_object_get(st, "end_time")), 0);
	cr_assert(strstr(str(st, "err"), "aborted (from t[t2]: user abort)"), "%s", str(st, "err"));
	json_decref(st);
	json_decref(a);
	cr_assert_eq(xact_nl_add("NlGone001", "cleanup-store", NULL, srcs, 2), 0);
	cr_assert(xact_nl_update("NlGone001", "t1", NULL), "404 past the grace period: aborted");
	st = nl_status("NlGone001");
	cr_assert(strstr(str(st, "err"), "not found"), "%s", str(st, "err"));
	json_decref(st);
	/* within the grace period a 404 is ignored */
	xact_nl_limits(1024, (int64_t)180 * 1000000000LL, (int64_t)60 * 1000000000LL);
	cr_assert_eq(xact_nl_add("NlGrace01", "cleanup-store", NULL, srcs, 2), 0);
	cr_assert(!xact_nl_update("NlGrace01", "t1", NULL));
	st = nl_status("NlGrace01");
	cr_assert_eq(json_integer_value(json_object_get(st, "end_time")), 0);
	json_decref(st);
	xact_nl_node_gone("NlGrace01", "t2");
	st = nl_status("NlGrace01");
	cr_assert(json_is_true(json_object_get(st, "aborted")));
	json_decref(st);
	xact_nl_reset();
}

Test(xact, nl_find_and_bounds)
{
	const char *srcs[] = {"t1"};
	json_t *fin = snap(true, false, NULL);
	xact_nl_limits(2, (int64_t)180 * 1000000000LL, 0);
	cr_assert_eq(xact_nl_add("NlOld0001", "cleanup-store", NULL, srcs, 1), 0);
	xact_nl_update("NlOld0001", "t1", fin);
	cr_assert_eq(xact_nl_add("NlRun0001", "cleanup-store", NULL, srcs, 1), 0);
	cr_assert_eq(xact_nl_add("NlLru0001", "lru", NULL, srcs, 1), 0);
	xact_query_t q = {.only_running = -1};
	snprintf(q.kind, sizeof(q.kind), "cleanup-store");
	xact_nl_view_t *v;
	cr_assert_eq(xact_nl_find(&q, true, &v), 1);
	cr_assert_str_eq(v[0].uuid, "NlRun0001", "a running match first");
	xact_nl_views_free(v, 1);
	cr_assert_eq(xact_nl_find(&q, false, &v), 2);
	xact_nl_views_free(v, 2);
	q.only_running = 1;
	cr_assert_eq(xact_nl_find(&q, false, &v), 1);
	xact_nl_views_free(v, 1);
	/* count bound: 2 finished listeners at most */
	xact_nl_update("NlRun0001", "t1", fin);
	xact_nl_update("NlLru0001", "t1", fin);
	cr_assert_eq(xact_nl_add("NlNew0001", "cleanup-store", NULL, srcs, 1), 0);
	cr_assert_null(xact_nl_status_json("NlOld0001"), "the oldest finished listener went");
	json_t *st = xact_nl_status_json("NlLru0001");
	cr_assert_not_null(st);
	json_decref(st);
	/* age bound */
	xact_nl_limits(1024, 0, 0);
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	memset(&q, 0, sizeof(q));
	q.only_running = -1;
	cr_assert_eq(xact_nl_find(&q, false, &v), 1, "only the unfinished one is left");
	cr_assert_str_eq(v[0].uuid, "NlNew0001");
	xact_nl_views_free(v, 1);
	json_decref(fin);
	xact_nl_reset();
}
