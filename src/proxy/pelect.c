/* pelect: the proxy side of high availability that needs the job framework or the proxy's
 * action table: the election runs as an `election` job (xact/xs_election.c) started here
 * (cluster/vote.c's runner hook); proxies answer job queries for their own registry
 *   GET /v1/xactions?what=qryxstats|running_all  QueryMsg  (as a target's txact.c; 404 when
 *       no job of this proxy matches, so a proxy without jobs adds nothing to a cluster query)
 * so that `ais show job election` lists elections next to the targets' jobs; and the
 * "bump-metasync" action of PUT /v1/cluster (the last step of a force-join, primary.c).
 * Must not: run the election here (the job's thread does, in vote_elect). */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/primary.h"
#include "cluster/vote.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "net/route.h"
#include "xact/xact.h"
#include "xact/xact_wire.h"

/* vote_set_runner: one election job (a second start while one runs reuses it: XACT_KF_SINGLE) */
static int pelect_start(json_t *vr)
{
	const xact_kind_t *k = xact_table_find("election");
	xact_args_t a;
	char err[XACT_ERR_MAX] = "";
	xact_t *x = NULL;
	memset(&a, 0, sizeof(a));
	snprintf(a.kind, sizeof(a.kind), "election");
	a.params = vr;
	int rc = k ? xact_reg_start(k, &a, &x, err, sizeof(err)) : AIS_ENOTFOUND;
	if (rc)
		log_err("%s: cannot start the election job: %s", node_name(), err);
	else if (x)
		log_info("%s: election job %s", node_name(), xact_id(x));
	xact_put(x);
	return rc;
}

static void pelect_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(j);
}

/* GET /v1/xactions?what=qryxstats|running_all on a proxy */
static void pelect_xactions_cb(http_req_t *r)
{
	const char *what = http_query_get(r, "what");
	xact_query_t q;
	char err[XACT_ERR_MAX] = "";
	const xact_kind_t *k = NULL;
	if (xact_wire_query_parse(r->body, r->body_len, &q, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		return;
	}
	if (q.kind[0] && !(k = xact_table_find(q.kind))) {
		http_error(r, 400, NULL, "invalid xaction (job) kind \"%s\"", q.kind);
		return;
	}
	if (what && !strcmp(what, "running_all")) {
		pelect_json(r, xact_reg_running(k ? k->name : ""));
		return;
	}
	if (!what || strcmp(what, "qryxstats")) {
		http_error(r, 400, NULL, "unexpected query [what=%s]", what ? what : "");
		return;
	}
	xact_filter_t f;
	json_t *out = NULL;
	int rc = AIS_ENOTFOUND;
	memset(&f, 0, sizeof(f));
	f.only_running = q.only_running;
	f.bck = q.bck;
	if (k)
		snprintf(f.kind, sizeof(f.kind), "%s", k->name);
	if (!q.id[0])
		rc = xact_reg_snaps(&f, &out, err, sizeof(err));
	for (const char *p = q.id; *p && rc == AIS_ENOTFOUND;) {
		size_t l = strcspn(p, ",");
		if (l && l < sizeof(f.id)) {
			snprintf(f.id, sizeof(f.id), "%.*s", (int)l, p);
			rc = xact_reg_snaps(&f, &out, err, sizeof(err));
		}
		p += l + (p[l] == ',');
	}
	if (!rc && !json_array_size(out)) {
		json_decref(out);
		out = NULL;
		rc = AIS_ENOTFOUND;
		snprintf(err, sizeof(err), "%s: no matching jobs", node_name());
	}
	if (rc) {
		json_decref(out);
		http_error_code(r, rc, "%s", err[0] ? err : "not found");
		return;
	}
	pelect_json(r, out);
}

static void pelect_xactions(http_req_t *r) { http_read_body(r, 1 << 20, pelect_xactions_cb, true); }

/* PUT /v1/cluster {"action":"bump-metasync","value":<victim Smap version>} */
static void pelect_bump(http_req_t *r, json_t *msg)
{
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	primary_bump_metasync(r, msg);
}

int pelect_init(void)
{
	vote_set_runner(pelect_start);
	route_add(RM(HTTP_M_GET), "/v1/xactions", pelect_xactions);
	pclu_action_add("bump-metasync", pelect_bump);
	return 0;
}
