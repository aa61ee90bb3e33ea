/* xs_election: the "election" job (AIStore's xs.Election, apc.ActElection; display name
 * "elect-primary"): one primary election run by the candidate proxy (cluster/vote.c does the
 * work; this file only gives it a job's identity so that `ais show job election` lists it with
 * its start/end time and error, e.g. "primary still alive"). Started by the proxy layer's runner
 * (vote_set_runner) with the VoteRecord JSON as xact_args_t.params; never through the generic
 * start API (its row is XACT_KF_NS_API). Must not: run on a target (prep refuses). */
#include <jansson.h>
#include <stdio.h>

#include "cluster/node.h"
#include "cluster/vote.h"
#include "core/err.h"
#include "xact/xs.h"

static int el_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	if (node_role() != ROLE_PROXY || !json_is_object(a ? a->params : NULL)) {
		snprintf(err, cap, "election: only a proxy with a vote record runs an election");
		return AIS_EINVAL;
	}
	xact_set_priv(x, json_incref(a->params));
	return 0;
}

static void el_err(void *arg, const char *msg) { xact_add_err(arg, "%s", msg); }

static void el_run(xact_t *x) { vote_elect(xact_priv(x), el_err, x); }

static void el_fini(xact_t *x) { json_decref(xact_priv(x)); }

const xact_ops_t xs_election_ops = {.prep = el_prep, .run = el_run, .fini = el_fini};
