/* xact_nl: the proxy's status listeners for the jobs it started (AIStore's nl.ListenerBase and
 * the IC's notification table, ais/prxnotif.go): per job ID the kind, the targets it runs on
 * and which of them are done, the aggregated end time, abort flag and error. The proxy feeds it
 * the targets' snapshots (xact_nl_update) and answers what=status|status_all from it
 * (xact_nl_status_json: nl.Status). No HTTP here and no thread: the proxy polls the targets a
 * listener still waits for, at query time, bounded by the control-plane timeout.
 * Rules (as AIStore's notifs.markFinished): a target whose snapshot is finished is done; one
 * that aborted ends the whole job as aborted (the proxy then stops it on the others); a target
 * that no longer knows the job (404) past the first notification interval counts as aborted
 * with a not-found error. End time = when the listener saw its last target finish.
 * Finished listeners are kept for 3 minutes (hk.OldAgeNotif) and at most 1024 of them. */
#ifndef AIS_XACT_NL_H
#define AIS_XACT_NL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "xact/xact_wire.h"

#define XACT_NL_TID_MAX 64

/* a copy of one listener's identity and the targets it still waits for */
typedef struct xact_nl_view {
	char uuid[XACT_ID_MAX];
	char kind[XACT_NAME_MAX];
	bool finished;
	int nactive;
	char (*active)[XACT_NL_TID_MAX]; /* malloc'd; xact_nl_views_free */
} xact_nl_view_t;

/* start listening for job uuid of kind on targets srcs[0..n). 0, AIS_EEXIST, or AIS_E*. */
int xact_nl_add(const char *uuid, const char *kind, const xact_bck_t *bck, const char *const *srcs, int n);
/* listeners matching q (AIStore's nlFilter: the ID, or kind and bucket; show_active true = only
 * unfinished). one = AIStore's find (the ID, else a running match, else the most recently
 * finished one); otherwise all matches. Returns the count, *out (free with xact_nl_views_free). */
int xact_nl_find(const xact_query_t *q, bool one, xact_nl_view_t **out);
void xact_nl_views_free(xact_nl_view_t *v, int n);
/* a target's answer for job uuid: its snapshot (core.Snap JSON), or NULL when it answered 404.
 * Returns true when this update ended the job as aborted (the caller stops it elsewhere). */
bool xact_nl_update(const char *uuid, const char *tid, const json_t *snap);
/* a target left the cluster map: abort the listener (AIStore's ListenSmapChanged) */
void xact_nl_node_gone(const char *uuid, const char *tid);
/* nl.Status JSON of uuid (new reference), NULL if unknown */
json_t *xact_nl_status_json(const char *uuid);
/* limits (tests): keep finished listeners for old_age_ns, at most max_finished */
void xact_nl_limits(int max_finished, int64_t old_age_ns, int64_t notif_ns);
/* forget everything (process exit, tests) */
void xact_nl_reset(void);

#endif
