/* vote: owns the "election in progress" flag, the election runner hook and the became-primary
 * listeners; the election protocol itself is described in vote.h. Must not: hold
 * metasync_lock while calling other nodes (except vote_become_primary's metasync, as every
 * commit does). Wire: AIStore's VoteMessage {"vote_record"}, VoteInitiationMessage
 * {"vote_initiation"}, VoteResultMessage {"vote_result"}; answers "YES"/"NO". */
#include "cluster/vote.h"
#include "cluster/hb.h"
#include "cluster/kalive.h"
#include "cluster/membership.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/route.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VT_MAX_LISTENERS 4
#define VT_MAX_PROXIES 256
#define VT_INIT_RETRIES 3

static volatile int vt_electing;
static int (*vt_runner)(json_t *vr);
static void (*vt_listeners[VT_MAX_LISTENERS])(void); /* filled at init only */
static int vt_nlisteners;

bool vote_in_progress(void) { return vt_electing; }
void vote_set_runner(int (*start)(json_t *vr)) { vt_runner = start; }

void vote_on_primary(void (*fn)(void))
{
	if (vt_nlisteners < VT_MAX_LISTENERS)
		vt_listeners[vt_nlisteners++] = fn;
}

/* ---------------- VoteRecord ---------------- */

json_t *vote_rec_to_json(const vote_rec_t *v)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:s}", "candidate", v->candidate, "primary", v->primary, "smap",
			 v->smap ? smap_to_json(v->smap) : json_null(), "start_time", v->start_time, "initiator",
			 v->initiator);
}

void vote_rec_fini(vote_rec_t *v)
{
	smap_free(v->smap);
	v->smap = NULL;
}

/* AIStore's smapX.validate(): a primary that is in the map, a UUID, a version */
static int vt_smap_valid(const smap_t *m, char *err, size_t cap)
{
	if (!m->uuid[0] || m->version <= 0 || !m->primary_id[0]) {
		snprintf(err, cap, "invalid Smap v%lld: missing UUID, version or primary", (long long)m->version);
		return AIS_EINVAL;
	}
	const snode_t *p = smap_primary(m);
	if (!p || p->type != 'p') {
		snprintf(err, cap, "invalid Smap v%lld: primary p[%s] not in the proxy map", (long long)m->version,
			 m->primary_id);
		return AIS_EINVAL;
	}
	return 0;
}

int vote_rec_from_json(json_t *j, vote_rec_t *v, char *err, size_t cap)
{
	memset(v, 0, sizeof(*v));
	if (!json_is_object(j)) {
		snprintf(err, cap, "vote record: not a JSON object");
		return AIS_EINVAL;
	}
	const char *c = jsonx_str(j, "candidate", ""), *p = jsonx_str(j, "primary", ""), *i = jsonx_str(j, "initiator", "");
	if (strlen(c) >= sizeof(v->candidate) || strlen(p) >= sizeof(v->primary) || strlen(i) >= sizeof(v->initiator)) {
		snprintf(err, cap, "vote record: node ID too long");
		return AIS_EINVAL;
	}
	snprintf(v->candidate, sizeof(v->candidate), "%s", c);
	snprintf(v->primary, sizeof(v->primary), "%s", p);
	snprintf(v->initiator, sizeof(v->initiator), "%s", i);
	snprintf(v->start_time, sizeof(v->start_time), "%s", jsonx_str(j, "start_time", ""));
	json_t *js = json_object_get(j, "smap");
	if (!json_is_object(js)) {
		snprintf(err, cap, "vote record: missing Smap");
		return AIS_EINVAL;
	}
	v->smap = smap_from_json(js, err, cap);
	if (!v->smap)
		return AIS_EINVAL;
	if (vt_smap_valid(v->smap, err, cap)) {
		vote_rec_fini(v);
		return AIS_EINVAL;
	}
	return 0;
}

/* ---------------- the decision (pure) ---------------- */

const snode_t *vote_next_live(const smap_t *m, const char *primary, const char *self, vote_alive_fn alive,
			      void *arg)
{
	const snode_t *order[VT_MAX_PROXIES];
	int n = smap_hrw_proxies(m, primary, order, VT_MAX_PROXIES);
	for (int i = 0; i < n; i++)
		if ((self && !strcmp(order[i]->id, self)) || !alive || alive(order[i], arg))
			return order[i];
	return NULL;
}

bool vote_decide(const smap_t *local, const char *candidate, bool primary_heard, const char *self,
		 vote_alive_fn alive, void *arg, char *why, size_t cap)
{
	if (primary_heard) {
		snprintf(why, cap, "primary p[%s] is still alive", local->primary_id);
		return false;
	}
	const snode_t *next = vote_next_live(local, local->primary_id, self, alive, arg);
	if (!next) {
		snprintf(why, cap, "no electable proxy in the Smap v%lld", (long long)local->version);
		return false;
	}
	if (strcmp(next->id, candidate)) {
		snprintf(why, cap, "p[%s] (not p[%s]) is next in line", next->id, candidate);
		return false;
	}
	return true;
}

/* ---------------- helpers ---------------- */

static int vt_ms(int64_t ns) { return ns < 1000000 ? 1 : (int)(ns / 1000000); }

static bool vt_alive(const snode_t *p, void *arg)
{
	(void)arg;
	const config_t *cfg = config_get();
	int tout = vt_ms(cfg->cplane_timeout_ns);
	config_put(cfg);
	return kalive_probe(p, NULL, tout, NULL) == 0;
}

/* AIStore's smapOwner.synchronize for vote requests: a newer map is installed; an older one is
 * acceptable only when the candidate's entry is the same in ours. 0 or AIS_EAGAIN (downgrade). */
static int vt_sync(const smap_t *nm, const char *candidate)
{
	smap_t *cur = smap_get();
	int rc = 0;
	if (!cur || nm->version > cur->version) {
		smap_t *c = smap_clone(nm);
		if (c)
			smap_install(c, false);
	} else if (nm->version < cur->version) {
		const snode_t *a = smap_find(cur, candidate), *b = smap_find(nm, candidate);
		if (!a || !b || strcmp(a->pub.url, b->pub.url) || strcmp(a->ctl.url, b->ctl.url) || a->flags != b->flags)
			rc = AIS_EAGAIN;
	}
	smap_put(cur);
	return rc;
}

static void vt_now(char *out, size_t cap) { fmt_rfc3339(now_ns(), out, cap); }

/* read {"<key>": VoteRecord} from the request body; responds 400 and returns <0 on error */
static int vt_read(http_req_t *r, const char *key, vote_rec_t *v)
{
	char err[256] = "";
	json_error_t je;
	json_t *j = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : NULL;
	int rc = j ? vote_rec_from_json(json_object_get(j, key), v, err, sizeof(err)) : AIS_EINVAL;
	if (!j)
		snprintf(err, sizeof(err), "failed to unmarshal %s message", key);
	json_decref(j);
	if (rc)
		http_error(r, 400, NULL, "%s: %s", node_name(), err);
	return rc;
}

/* start the election on this node with record v (its smap is only read) */
static void *vt_thread(void *arg)
{
	vote_elect(arg, NULL, NULL);
	json_decref(arg);
	return NULL;
}

static void vt_start(const vote_rec_t *v)
{
	json_t *j = vote_rec_to_json(v);
	if (!j) {
		log_err("%s: failed to start election: out of memory", node_name());
		return;
	}
	if (vt_runner) {
		int rc = vt_runner(j);
		if (rc)
			log_err("%s: failed to start election: %s", node_name(), err_str(rc));
		json_decref(j);
		return;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, vt_thread, j)) {
		json_decref(j);
		return;
	}
	pthread_detach(t);
}

/* ---------------- handlers ---------------- */

/* GET /v1/vote/proxy {"vote_record": VR}: the vote */
static void vt_getvote_cb(http_req_t *r)
{
	vote_rec_t v;
	char why[512] = "", ss[160];
	if (vt_read(r, "vote_record", &v))
		return;
	smap_t *cur = smap_get();
	int status = 0;
	if (!v.candidate[0]) {
		status = 400;
		snprintf(why, sizeof(why), "%s: unexpected: empty candidate field", node_name());
	} else if (!cur || !cur->primary_id[0]) {
		status = 400;
		snprintf(why, sizeof(why), "%s: current primary undefined", node_name());
	} else if (!strcmp(v.candidate, cur->primary_id)) {
		smap_str(cur, ss, sizeof(ss));
		status = 400;
		snprintf(why, sizeof(why), "%s: candidate \"%s\" _is_ the current primary, %s", node_name(), v.candidate, ss);
	} else if (!smap_find(v.smap, v.candidate) || smap_find(v.smap, v.candidate)->type != 'p') {
		smap_str(v.smap, ss, sizeof(ss));
		status = 400;
		snprintf(why, sizeof(why), "%s: candidate \"%s\" not present in the VoteRecord %s", node_name(), v.candidate,
			 ss);
	} else if (!smap_find(v.smap, node_id())) {
		smap_str(v.smap, ss, sizeof(ss));
		status = 400;
		snprintf(why, sizeof(why), "%s: not present in the VoteRecord %s", node_name(), ss);
	}
	smap_put(cur);
	if (status) {
		vote_rec_fini(&v);
		http_error(r, status, NULL, "%s", why);
		return;
	}
	bool yes = false;
	if (vt_sync(v.smap, v.candidate)) {
		snprintf(why, sizeof(why), "stale Smap v%lld in the vote request", (long long)v.smap->version);
	} else {
		const config_t *cfg = config_get();
		int64_t ival = kalive_interval(cfg);
		config_put(cfg);
		cur = smap_get();
		bool heard = cur && !hb_timed_out(cur->primary_id, ival);
		yes = cur && vote_decide(cur, v.candidate, heard, node_id(), vt_alive, NULL, why, sizeof(why));
		smap_put(cur);
	}
	log_info("%s: voting %s for p[%s] (initiator %s)%s%s", node_name(), yes ? VOTE_YES : VOTE_NO, v.candidate,
		 v.initiator, yes ? "" : ": ", yes ? "" : why);
	vote_rec_fini(&v);
	const char *ans = yes ? VOTE_YES : VOTE_NO;
	http_respond(r, 200, NULL, ans, strlen(ans));
}

/* PUT /v1/vote/result {"vote_result": VR}: the candidate won */
static void vt_result_cb(http_req_t *r)
{
	vote_rec_t v;
	if (vt_read(r, "vote_result", &v))
		return;
	log_info("%s: received vote result: new primary p[%s] (old p[%s])", node_name(), v.candidate, v.primary);
	metasync_lock(); /* read-modify-write of the local Smap (no version change, as AIStore) */
	smap_t *cur = smap_get(), *m = NULL;
	const snode_t *psi = cur ? smap_find(cur, v.candidate) : NULL;
	if (!psi || psi->type != 'p') {
		char ss[160];
		smap_str(cur, ss, sizeof(ss));
		smap_put(cur);
		metasync_unlock();
		vote_rec_fini(&v);
		http_error(r, 404, "ErrNodeNotFound", "%s: cannot accept new primary election: node p[%s] not present in the %s",
			   node_name(), v.candidate, ss);
		return;
	}
	if ((m = smap_clone(cur))) {
		snprintf(m->primary_id, sizeof(m->primary_id), "%s", v.candidate);
		if (v.primary[0] && strcmp(v.primary, v.candidate))
			smap_remove(m, v.primary);
		smap_install(m, true);
	}
	smap_put(cur);
	metasync_unlock();
	hb_heard(v.candidate); /* a fresh start for the keepalives to the new primary */
	vote_rec_fini(&v);
	if (m)
		http_respond(r, 200, NULL, NULL, 0);
	else
		http_error(r, 500, NULL, "out of memory");
}

/* PUT /v1/vote/init {"vote_initiation": VR}: a node asks this proxy to run the election */
static void vt_init_cb(http_req_t *r)
{
	vote_rec_t v;
	char ss[160];
	if (vt_read(r, "vote_initiation", &v))
		return;
	smap_str(v.smap, ss, sizeof(ss));
	log_info("%s: election request from %s, %s", node_name(), v.initiator, ss);
	if (!smap_find(v.smap, node_id())) {
		vote_rec_fini(&v);
		http_error(r, 400, NULL, "%s: not present in the Vote Request, %s", node_name(), ss);
		return;
	}
	if (vt_sync(v.smap, v.candidate)) {
		vote_rec_fini(&v);
		http_error(r, 400, NULL, "%s: failed to synchronize %s (local Smap is newer)", node_name(), ss);
		return;
	}
	vote_rec_fini(&v);
	smap_t *cur = smap_get();
	const snode_t *next = cur ? vote_next_live(cur, cur->primary_id, node_id(), vt_alive, NULL) : NULL;
	if (!next || strcmp(next->id, node_id())) {
		log_warn("%s: not the next in line [vs %s]", node_name(), next ? next->id : "none");
		smap_put(cur);
		http_respond(r, 200, NULL, NULL, 0); /* as AIStore: nothing to do here */
		return;
	}
	if (!membership_joined()) {
		smap_put(cur);
		http_error(r, 503, NULL, "%s: not ready yet to be elected - starting up", node_name());
		return;
	}
	vote_rec_t vr = {.smap = cur};
	snprintf(vr.candidate, sizeof(vr.candidate), "%s", node_id());
	snprintf(vr.primary, sizeof(vr.primary), "%s", cur->primary_id);
	snprintf(vr.initiator, sizeof(vr.initiator), "%s", node_id());
	vt_now(vr.start_time, sizeof(vr.start_time));
	vt_start(&vr);
	smap_put(cur);
	http_respond(r, 200, NULL, NULL, 0);
}

static void vt_getvote(http_req_t *r) { http_read_body(r, 64u << 20, vt_getvote_cb, true); }
static void vt_result(http_req_t *r) { http_read_body(r, 64u << 20, vt_result_cb, true); }
static void vt_init(http_req_t *r) { http_read_body(r, 64u << 20, vt_init_cb, true); }

static void vt_bad(http_req_t *r) { http_error(r, 400, NULL, "invalid URL path %s", r->path); }

int vote_init(void)
{
	route_add_intra(RM(HTTP_M_GET) | RM(HTTP_M_PUT), "/v1/vote", vt_bad, ROUTE_MEMBER);
	route_add_intra(RM(HTTP_M_GET), "/v1/vote/proxy", vt_getvote, ROUTE_MEMBER);
	route_add_intra(RM(HTTP_M_PUT), "/v1/vote/result", vt_result, ROUTE_MEMBER);
	if (node_role() == ROLE_PROXY)
		route_add_intra(RM(HTTP_M_PUT), "/v1/vote/init", vt_init, ROUTE_MEMBER);
	return 0;
}

/* ---------------- initiator: the primary is down ---------------- */

/* PUT /v1/vote/init to the candidate; 0 when it took the request */
static int vt_request_election(const vote_rec_t *v, const snode_t *cand, int64_t retry_ns, int tout)
{
	json_t *j = json_pack("{s:o}", "vote_initiation", vote_rec_to_json(v));
	char *body = j ? jsonx_dumps(j) : NULL, url[320], hdrs[NODE_HDRS_MAX];
	json_decref(j);
	if (!body)
		return AIS_ENOMEM;
	snprintf(url, sizeof(url), "%s/v1/vote/init", cand->ctl.url);
	node_sender_hdrs(hdrs, sizeof(hdrs));
	int rc = AIS_EUNAVAIL;
	for (int i = 0; i <= VT_INIT_RETRIES; i++) {
		if (i)
			usleep((useconds_t)(retry_ns / 1000));
		hreq_t q = {.method = "PUT", .url = url, .body = body, .body_len = strlen(body), .hdrs = hdrs, .timeout_ms = tout};
		rc = hclient_do(&q);
		if (!rc && q.status != 200) {
			log_warn("%s: candidate p[%s] refused the election request: %d %.200s", node_name(), cand->id, q.status,
				 sbuf_str(&q.resp));
			rc = AIS_EUNAVAIL;
			hreq_fini(&q);
			break; /* an answer, not a connection problem: do not insist */
		}
		hreq_fini(&q);
		if (!rc)
			break;
	}
	free(body);
	if (rc)
		log_err("%s: failed to request election from the next primary p[%s]", node_name(), cand->id);
	return rc;
}

void vote_on_primary_down(const char *pid)
{
	const config_t *cfg = config_get();
	int tout = vt_ms(cfg->cplane_timeout_ns);
	int64_t retry = kalive_retry_ns(cfg);
	config_put(cfg);
	smap_t *cur = smap_get();
	if (!cur || strcmp(cur->primary_id, pid)) {
		smap_put(cur);
		return; /* the primary changed meanwhile */
	}
	/* 1. has the cluster moved on? (a node that was away, e.g. paused, while others elected) */
	smap_t *best = kalive_max_smap(cur, pid, NULL, 0, tout);
	if (best && best->version > cur->version) {
		char a[160], b[160];
		smap_str(cur, a, sizeof(a));
		smap_str(best, b, sizeof(b));
		bool moved = strcmp(best->primary_id, pid) != 0;
		log_warn("%s: upgrading local %s to cluster max-ver %s%s", node_name(), a, b,
			 moved ? " (new primary already elected)" : "");
		smap_install(best, false);
		best = NULL;
		if (moved) {
			smap_put(cur);
			return;
		}
		smap_put(cur);
		cur = smap_get();
	}
	smap_free(best);
	log_info("%s: primary p[%s] is no longer online and must be reelected", node_name(), pid);
	/* 2. the candidates in HRW order */
	smap_t *clone = cur ? smap_clone(cur) : NULL;
	smap_put(cur);
	while (clone && membership_running()) {
		const snode_t *next = smap_hrw_proxy(clone, pid);
		if (!next) {
			log_err("%s: no electable proxy to replace p[%s]", node_name(), pid);
			break;
		}
		vote_rec_t v = {.smap = clone};
		snprintf(v.candidate, sizeof(v.candidate), "%s", next->id);
		snprintf(v.primary, sizeof(v.primary), "%s", pid);
		snprintf(v.initiator, sizeof(v.initiator), "%s", node_id());
		vt_now(v.start_time, sizeof(v.start_time));
		if (!strcmp(next->id, node_id())) {
			log_info("%s: starting election (candidate = self)", node_name());
			vt_start(&v);
			break;
		}
		log_info("%s: trying p[%s] as the new primary candidate", node_name(), next->id);
		if (!vt_request_election(&v, next, retry, tout))
			break;
		char drop[SNODE_ID_MAX];
		snprintf(drop, sizeof(drop), "%s", next->id);
		smap_remove(clone, drop);
	}
	smap_free(clone);
}

/* ---------------- candidate: the election ---------------- */

/* phase 1: 1 if elected */
static bool vt_phase1(const vote_rec_t *v, const smap_t *m, int tout, int *y, int *n)
{
	int total = m->nproxies + m->ntargets, k = 0;
	hreq_t *q = calloc((size_t)total + 1, sizeof(*q));
	char (*u)[320] = calloc((size_t)total + 1, sizeof(*u)), hdrs[NODE_HDRS_MAX];
	json_t *j = json_pack("{s:o}", "vote_record", vote_rec_to_json(v));
	char *body = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	*y = *n = 0;
	if (!q || !u || !body) {
		free(q);
		free(u);
		free(body);
		(*n)++;
		return false;
	}
	node_sender_hdrs(hdrs, sizeof(hdrs));
	for (int i = 0; i < total; i++) {
		const snode_t *nd = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
		if (!strcmp(nd->id, node_id()) || !strcmp(nd->id, v->primary))
			continue;
		snprintf(u[k], sizeof(u[k]), "%s/v1/vote/proxy?can=%s", nd->ctl.url, node_id());
		q[k] = (hreq_t){.method = "GET", .url = u[k], .body = body, .body_len = strlen(body), .hdrs = hdrs,
				.timeout_ms = tout};
		k++;
	}
	if (k)
		hclient_fanout(q, k);
	for (int i = 0; i < k; i++) {
		bool yes = !q[i].rc && q[i].status == 200 && q[i].resp.len == strlen(VOTE_YES) &&
			   !memcmp(q[i].resp.p, VOTE_YES, q[i].resp.len);
		if (yes)
			(*y)++;
		else
			(*n)++;
		hreq_fini(&q[i]);
	}
	free(q);
	free(u);
	free(body);
	bool won = *y > *n || *y + *n == 0;
	log_info("%s: vote results: Y %d, N %d, victory %s", node_name(), *y, *n, won ? "true" : "false");
	return won;
}

/* phase 2: tell everybody (failures are logged: the metasync that follows reaches them) */
static void vt_phase2(const vote_rec_t *v, const smap_t *m, int tout)
{
	int total = m->nproxies + m->ntargets, k = 0;
	hreq_t *q = calloc((size_t)total + 1, sizeof(*q));
	char (*u)[320] = calloc((size_t)total + 1, sizeof(*u)), hdrs[NODE_HDRS_MAX];
	vote_rec_t res = *v;
	vt_now(res.start_time, sizeof(res.start_time));
	snprintf(res.initiator, sizeof(res.initiator), "%s", node_id());
	json_t *j = json_pack("{s:o}", "vote_result", vote_rec_to_json(&res));
	char *body = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	if (!q || !u || !body)
		goto out;
	node_sender_hdrs(hdrs, sizeof(hdrs));
	for (int i = 0; i < total; i++) {
		const snode_t *nd = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
		if (!strcmp(nd->id, node_id()) || !strcmp(nd->id, v->primary))
			continue;
		snprintf(u[k], sizeof(u[k]), "%s/v1/vote/result", nd->ctl.url);
		q[k] = (hreq_t){.method = "PUT", .url = u[k], .body = body, .body_len = strlen(body), .hdrs = hdrs,
				.timeout_ms = tout};
		k++;
	}
	if (k)
		hclient_fanout(q, k);
	for (int i = 0; i < k; i++) {
		if (q[i].rc || q[i].status != 200)
			log_warn("%s: failed to confirm election with %s: %d %s", node_name(), q[i].url, q[i].status,
				 q[i].errmsg);
		hreq_fini(&q[i]);
	}
out:
	free(q);
	free(u);
	free(body);
}

void vote_become_primary(const char *remove)
{
	char err[256] = "", ss[160];
	metasync_lock();
	smap_t *cur = smap_get(), *m = cur ? smap_clone(cur) : NULL;
	if (!m) {
		smap_put(cur);
		metasync_unlock();
		log_err("%s: cannot become primary: no Smap", node_name());
		return;
	}
	if (remove && *remove && strcmp(remove, node_id()) && smap_find(m, remove)) {
		log_info("%s: removing failed primary p[%s]", node_name(), remove);
		smap_remove(m, remove);
	}
	if (!smap_find(m, node_id()))
		smap_upsert(m, node_self());
	snprintf(m->primary_id, sizeof(m->primary_id), "%s", node_id());
	m->version = cur->version + 100;
	smap_put(cur);
	smap_str(m, ss, sizeof(ss));
	smap_install(m, true);
	metasync_forget_acks();
	/* AIStore's ensureConfigURLs: the cluster config names the new primary (a node restarted
	 * without a Smap joins through it) */
	const config_t *cfg = config_get();
	bool same = !strcmp(cfg->primary_url, node_self()->pub.url);
	json_t *cl = same ? NULL : config_cluster_json(cfg);
	config_put(cfg);
	json_t *px = cl ? json_object_get(cl, "proxy") : NULL;
	int rc = -1;
	if (json_is_object(px)) {
		json_object_set_new(px, "primary_url", json_string(node_self()->pub.url));
		rc = metasync_commit_config(cl, err, sizeof(err)); /* takes cl; pushes everything */
		cl = NULL;
		if (rc < 0)
			log_err("%s: failed to update proxy.primary_url: %s", node_name(), err);
	}
	json_decref(cl);
	if (rc < 0)
		metasync_push_all(NULL);
	metasync_unlock();
	log_info("%s: became primary: %s distributed", node_name(), ss);
	for (int i = 0; i < vt_nlisteners; i++)
		vt_listeners[i]();
}

bool vote_elect(json_t *vrj, void (*err_fn)(void *arg, const char *msg), void *arg)
{
	vote_rec_t v;
	char err[512] = "";
	bool became = false;
	if (vote_rec_from_json(vrj, &v, err, sizeof(err))) {
		if (err_fn)
			err_fn(arg, err);
		return false;
	}
	if (__atomic_exchange_n(&vt_electing, 1, __ATOMIC_ACQ_REL)) {
		vote_rec_fini(&v);
		return false; /* one election at a time */
	}
	const config_t *cfg = config_get();
	int tout = vt_ms(cfg->cplane_timeout_ns);
	int64_t ival = kalive_interval(cfg), retry = kalive_retry_ns(cfg);
	int64_t window = 2 * ival > cfg->max_keepalive_ns ? 2 * ival : cfg->max_keepalive_ns;
	config_put(cfg);
	int64_t deadline = mono_ns() + window;
	if (node_is_primary()) {
		log_info("%s: already in primary state", node_name());
		goto out;
	}
	/* 1. is the current primary really down? */
	const snode_t *old = smap_find(v.smap, v.primary);
	if (old && (!kalive_probe(old, NULL, tout, NULL) || !kalive_probe(old, NULL, tout, NULL))) {
		if (!kalive_probe(old, "apr=true", tout, NULL)) {
			log_info("%s: the current primary p[%s] is up, moving back to idle", node_name(), v.primary);
			snprintf(err, sizeof(err), "%s: the current primary p[%s] is up", node_name(), v.primary);
		} else {
			snprintf(err, sizeof(err), "%s: current primary(?) p[%s] responds but does not consider itself primary",
				 node_name(), v.primary);
		}
		if (err_fn)
			err_fn(arg, err);
		goto out;
	}
	log_warn("%s: primary p[%s] is confirmed down: moving to election state phase 1 (prepare)", node_name(), v.primary);
	/* 2. phase 1, in rounds: voters refuse while they still heard the primary */
	for (;;) {
		smap_t *cur = smap_get();
		if (!cur || cur->version > v.smap->version || strcmp(cur->primary_id, v.primary)) {
			char ss[160];
			smap_str(cur, ss, sizeof(ss));
			snprintf(err, sizeof(err), "%s: %s is newer than the vote record's v%lld - moving back to idle", node_name(),
				 ss, (long long)v.smap->version);
			log_warn("%s", err);
			smap_put(cur);
			if (err_fn)
				err_fn(arg, err);
			goto out;
		}
		vote_rec_t rec = v;
		rec.smap = cur;
		int y, n;
		bool won = vt_phase1(&rec, cur, 2 * tout, &y, &n);
		if (won) {
			log_info("%s: moving to election state phase 2 (commit)", node_name());
			vt_phase2(&rec, cur, tout);
			smap_put(cur);
			break;
		}
		smap_put(cur);
		if (mono_ns() + retry > deadline || !membership_running()) {
			snprintf(err, sizeof(err), "%s: election phase 1 (prepare) failed: primary still p[%s] w/ status unknown",
				 node_name(), v.primary);
			log_warn("%s", err);
			if (err_fn)
				err_fn(arg, err);
			goto out;
		}
		usleep((useconds_t)(retry / 1000));
	}
	/* 3. become */
	log_info("%s: becoming primary", node_name());
	vote_become_primary(v.primary);
	became = true;
out:
	vote_rec_fini(&v);
	__atomic_store_n(&vt_electing, 0, __ATOMIC_RELEASE);
	return became;
}
