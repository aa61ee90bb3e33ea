/* xact: jobs ("xactions", AIStore's xact.Base + xreg): the kind table, the job object with its
 * state machine, counters and abort flag, the per-node registry, and the runner (each job on its
 * own thread, never on the HTTP pool). No HTTP here: adapters (target/txact.c, proxy/pxact.c)
 * parse requests into xact_args_t / xact_filter_t and answer with the JSON built here.
 *
 * State machine of one job (xact_state_t):
 *
 *     xact_reg_start() ──► RUNNING ◄──── xact_set_idle(x, false) ────┐
 *                            │  │                                    │
 *                            │  └──── xact_set_idle(x, true) ────► IDLE   (Idles kinds only)
 *                            │                                      │
 *          xact_abort() ─────┼──────────────────────────────────────┤
 *                            │                                      ▼
 *                            │                                  ABORTING  (abort flag up, abort-err
 *                            │                                      │      set; run() polls
 *                            │ run() returns                        │      xact_aborted(), returns)
 *                            ▼                                      ▼
 *                         FINISHED (err kept, if any)            ABORTED
 *
 * Invariants: FINISHED and ABORTED are terminal and the only states with an end time; every
 * transition is one CAS on `state`, so a job ends exactly once; xact_abort() on a terminal or
 * aborting job is a no-op (returns false); "running" in AIStore's sense (IsRunning) = RUNNING or
 * IDLE; the snapshot's "aborted" is true from ABORTING on. Counters are atomics any thread may
 * bump; the error and abort strings are guarded by the job's own mutex.
 *
 * Ownership: xact_t is refcounted. The registry holds one reference while the job is listed, the
 * job's thread one while it runs; xact_reg_find() returns one more (drop it with xact_put).
 * A kind = one row in the table (xact_table.c) + one file with its xact_ops_t (xs_<kind>.c). */
#ifndef AIS_XACT_H
#define AIS_XACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

#define XACT_ID_MAX 64      /* valid IDs are <= 32 chars (cos.IsAlphaNice), rebalance "g<N>" */
#define XACT_NAME_MAX 48    /* kind or display name */
#define XACT_BNAME_MAX 128
#define XACT_ERR_MAX 512

/* AIStore's xact.Scope* */
typedef enum { XACT_SCOPE_G = 1, XACT_SCOPE_B, XACT_SCOPE_GB, XACT_SCOPE_T } xact_scope_t;

enum {
	XACT_KF_STARTABLE = 1 << 0, /* Startable: api.StartXaction may start it */
	XACT_KF_IDLES = 1 << 1,     /* Idles: may be IDLE between requests */
	XACT_KF_IC = 1 << 2,        /* ICMode != ICNone: the proxy keeps a status listener */
	XACT_KF_SINGLE = 1 << 3,    /* one running per node: a second start reuses it (WprUse) */
	XACT_KF_NS_PUTS = 1 << 4,   /* generic start refused: driven by PUTs (put-copies) */
	XACT_KF_NS_API = 1 << 5,    /* generic start refused: "separate documented API" */
};

typedef enum { XACT_RUNNING = 1, XACT_IDLE, XACT_ABORTING, XACT_FINISHED, XACT_ABORTED } xact_state_t;

/* a bucket as cmn.Bck: provider ("" when not given), ns in the BMD's "@uuid#name" form ("" =
 * global namespace), name ("" = no bucket) */
typedef struct xact_bck {
	char provider[16];
	char ns[80];
	char name[XACT_BNAME_MAX];
} xact_bck_t;

/* start arguments (AIStore's xact.ArgsMsg), see xact_wire.h for the JSON codec */
typedef struct xact_args {
	char id[XACT_ID_MAX];       /* "" → generated */
	char kind[XACT_NAME_MAX];   /* kind or display name as sent */
	char node[64];              /* DaemonID */
	xact_bck_t bck;
	xact_bck_t *buckets;        /* Buckets (malloc'd; xact_args_fini frees) */
	int nbuckets;
	int64_t timeout_ns;
	uint32_t flags;
	bool force, only_running;
	json_t *params;             /* adapter extras (e.g. query params); borrowed, may be NULL */
} xact_args_t;

/* selection (AIStore's xreg.Flt): empty strings match all; only_running -1 = unset */
typedef struct xact_filter {
	char id[XACT_ID_MAX];
	char kind[XACT_NAME_MAX];   /* a kind (not a display name) */
	xact_bck_t bck;             /* bck.name "" = any */
	int only_running;
} xact_filter_t;

typedef struct xact xact_t;

typedef struct xact_ops {
	/* before the job is registered, on the caller's thread: validate and set private state
	 * (xact_set_priv). 0, or AIS_E* with err filled (nothing registered). May be NULL. */
	int (*prep)(xact_t *x, const xact_args_t *a, char *err, size_t cap);
	/* the job body, on its own thread: do the work, bump counters, poll xact_aborted() often,
	 * report failures with xact_add_err(). The runner finishes the job when it returns. */
	void (*run)(xact_t *x);
	/* optional: dynamic part of the snapshot's "ctlmsg" (appended after the static part) */
	void (*ctlmsg)(const xact_t *x, sbuf_t *out);
	/* optional: free private state (at the last reference) */
	void (*fini)(xact_t *x);
} xact_ops_t;

/* one row of the kind table (AIStore's xact.Table entry) */
typedef struct xact_kind {
	const char *name;      /* kind (apc.Act*) */
	const char *display;   /* DisplayName, or NULL (= name) */
	xact_scope_t scope;
	unsigned flags;        /* XACT_KF_* */
	const xact_ops_t *ops; /* NULL: a kind this build cannot run (start answers 501) */
} xact_kind_t;

/* ---- kind table (xact_table.c) ---- */
/* by kind or display name (GetDescriptor); NULL if unknown */
const xact_kind_t *xact_table_find(const char *kind_or_name);
/* the i-th row (stable order), NULL past the end */
const xact_kind_t *xact_table_at(int i);
/* DisplayName or kind */
const char *xact_table_dname(const xact_kind_t *k);
/* AIStore's xact.GetSimilar: exact kind/name, or the one kind whose kind or display name starts
 * with "<s>-"; NULL when none or ambiguous */
const xact_kind_t *xact_table_similar(const char *s);

/* ---- IDs ---- */
/* a fresh short UUID (9 chars, letters and digits, first a letter; never "g<digits>") */
void xact_gen_id(char out[XACT_ID_MAX]);
/* cos.IsValidUUID (>= 9 chars, <= 32, [A-Za-z0-9_-], no -/_ at either end) or a rebalance ID */
bool xact_id_valid(const char *id);
/* "g<digits>" */
bool xact_id_is_reb(const char *id);

/* ---- the job object (xact.c) ---- */
/* a new job in RUNNING, start time now, refs = 1 (the caller's). id NULL/"" → generated; bck may
 * be NULL. NULL on OOM. */
xact_t *xact_new(const xact_kind_t *k, const char *id, const xact_bck_t *bck);
void xact_get(xact_t *x);
void xact_put(xact_t *x);   /* NULL ok; frees (ops->fini) at zero */

const char *xact_id(const xact_t *x);
const xact_kind_t *xact_kind(const xact_t *x);
const xact_bck_t *xact_bck(const xact_t *x);  /* name "" when none */
xact_state_t xact_state(const xact_t *x);
int64_t xact_start_ns(const xact_t *x);
int64_t xact_end_ns(const xact_t *x);        /* 0 until FINISHED/ABORTED */
bool xact_running(const xact_t *x);          /* RUNNING or IDLE (AIStore's IsRunning) */
bool xact_done(const xact_t *x);             /* FINISHED or ABORTED */
bool xact_is_idle(const xact_t *x);          /* the snapshot's is_idle: not RUNNING */
void *xact_priv(const xact_t *x);
void xact_set_priv(xact_t *x, void *priv);
/* static part of the snapshot's ctlmsg (e.g. the request echo), set before start */
void xact_set_ctlmsg(xact_t *x, const char *msg);

/* counters (AIStore's core.Stats): locally processed, transmitted, received */
void xact_objs_add(xact_t *x, int64_t n, int64_t bytes);
void xact_out_add(xact_t *x, int64_t n, int64_t bytes);
void xact_in_add(xact_t *x, int64_t n, int64_t bytes);
typedef struct xact_stats {
	int64_t objs, bytes, out_objs, out_bytes, in_objs, in_bytes;
} xact_stats_t;
void xact_stats(const xact_t *x, xact_stats_t *s);

/* abort: RUNNING/IDLE → ABORTING with the reason (NULL → "user abort", AIStore's
 * ErrXactUserAbort). true if this call aborted it. Thread-safe. */
bool xact_abort(xact_t *x, const char *reason);
bool xact_aborted(const xact_t *x);          /* the flag the job polls */
/* copies the abort reason ("" if not aborted) */
void xact_abort_err(const xact_t *x, char *out, size_t cap);
/* RUNNING ↔ IDLE; false when the job is not in the from-state */
bool xact_set_idle(xact_t *x, bool idle);
/* record an error (kept: the first one and the count; ignored once aborted, as AIStore) */
void xact_add_err(xact_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<first> (and N more errors)" or "" */
void xact_err(const xact_t *x, char *out, size_t cap);
/* end the job: ABORTING → ABORTED, RUNNING/IDLE → FINISHED, end time now. false if already
 * ended. The runner calls it when run() returns; kinds without a thread may call it. */
bool xact_finish(xact_t *x);

/* AIStore's core.Snap JSON (core/xaction_wire.go): "ext","start-time","end-time","bck","src-bck",
 * "dst-bck","id","kind","ctlmsg"(omitted when empty),"abort-err","err","glob.id","stats"
 * {"loc-objs",...,"in-bytes" as strings},"aborted","is_idle". New reference (NULL on OOM). */
json_t *xact_snap_json(const xact_t *x);
/* "kind[id]" (xact.Cname) */
void xact_cname(const xact_t *x, char *out, size_t cap);
/* true if x matches the filter (AIStore's Flt.Matches) */
bool xact_match(const xact_t *x, const xact_filter_t *f);

/* ---- the per-node registry and runner (xact_reg.c) ---- */
/* start a job of kind k: xact_new + ops->prep + register + its own thread running ops->run,
 * then finish. Returns once the job is registered and its thread started: 0 with *out (a new
 * reference, may be NULL) or AIS_E* with err filled (nothing registered). A XACT_KF_SINGLE kind
 * that is already running returns 0 with the running job in *out (no new job). */
int xact_reg_start(const xact_kind_t *k, const xact_args_t *a, xact_t **out, char *err, size_t cap);
/* register a job that some other code drives (no thread): +1 ref kept by the registry */
int xact_reg_add(xact_t *x);
/* by ID (running or finished); new reference or NULL */
xact_t *xact_reg_find(const char *id);
/* AIStore's xreg.GetSnap: JSON array of snapshots of the matching jobs (new reference). With an
 * ID that matches nothing (or only_running vs finished, or another kind): AIS_ENOTFOUND and
 * err = AIStore's "xaction ... not found" text; else 0. */
int xact_reg_snaps(const xact_filter_t *f, json_t **out, char *err, size_t cap);
/* AIStore's xreg.GetAllRunning: ["kind[id]", ...] of RUNNING/IDLE jobs (kind "" = all) */
json_t *xact_reg_running(const char *kind);
/* AIStore's xreg.DoAbort: by ID, else kind(+bucket), else bucket, else all running.
 * Returns the number of jobs this call aborted. */
int xact_reg_abort(const xact_filter_t *f, const char *reason);
/* jobs listed (running + kept finished) */
int xact_reg_count(void);
/* history bounds: at most max_finished finished jobs are kept (the oldest go first), and none
 * that ended more than old_age_ns ago (AIStore's keepOldThreshold 1024 and hk.OldAgeX 1 h, the
 * defaults). Running jobs are never dropped. Applied on every registry change and listing. */
void xact_reg_limits(int max_finished, int64_t old_age_ns);
/* abort every running job, wait (up to wait_ms) for their threads, drop everything. */
void xact_reg_shutdown(int wait_ms);

#endif
