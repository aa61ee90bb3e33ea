/* membership: owns the node's joined flag, the membership thread and the join protocol (both
 * sides). Keepalive timing and primary-loss detection are kalive.c's; elections vote.c's.
 * See membership.h for the protocol. Invariants: only the membership thread joins and runs
 * the keepalive loop; mb_joined is written by that thread, by a step-down (kalive) and by
 * membership_rejoin() (any thread: it only lowers the flag). */
#include "cluster/membership.h"
#include "cluster/ckrot.h"

#include <stdatomic.h>
#include <stdint.h>
#include "core/jsonx.h"
#include "cluster/hb.h"
#include "cluster/kalive.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/suspect.h"
#include "core/ckey.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/route.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* keep-alive round trips of this node (read by stats through membership_kalive_stats) */
static _Atomic uint64_t mb_kalive_n, mb_kalive_ns, mb_kalive_errs;

void membership_kalive_note(int64_t t0, bool ok)
{
	int64_t d = mono_ns() - t0;
	atomic_fetch_add_explicit(&mb_kalive_n, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&mb_kalive_ns, d > 0 ? (uint64_t)d : 0, memory_order_relaxed);
	if (!ok)
		atomic_fetch_add_explicit(&mb_kalive_errs, 1, memory_order_relaxed);
}

void membership_kalive_stats(uint64_t *n, uint64_t *ns, uint64_t *errs)
{
	*n = atomic_load_explicit(&mb_kalive_n, memory_order_relaxed);
	*ns = atomic_load_explicit(&mb_kalive_ns, memory_order_relaxed);
	*errs = atomic_load_explicit(&mb_kalive_errs, memory_order_relaxed);
}

static pthread_t mb_thread;
static volatile int mb_running;
static volatile int mb_joined;
static volatile int mb_force_join; /* apply the next join answer with force (after a step-down) */

bool membership_joined(void) { return mb_joined; }
bool membership_running(void) { return mb_running; }

void membership_rejoin(bool force)
{
	if (force)
		mb_force_join = 1;
	mb_joined = 0;
}

/* ---------------- primary side ---------------- */

/* a non-primary proxy relays a join to the primary (so any proxy's URL works as the joining
 * node's proxy.primary_url) and relays the answer back */
static void mb_join_relay(http_req_t *r)
{
	smap_t *m = smap_get();
	const snode_t *p = m ? smap_primary(m) : NULL;
	if (!p || !strcmp(p->id, node_id()) || http_hdr_get(r, "Ais-Caller-Id")) {
		/* no primary known, or already relayed once: do not bounce between proxies */
		smap_put(m);
		http_error(r, 503, NULL, "join: %s is not the primary", node_name());
		return;
	}
	char url[320], hdrs[NODE_HDRS_MAX];
	snprintf(url, sizeof(url), "%s/v1/cluster/join", p->ctl.url);
	smap_put(m);
	node_sender_hdrs(hdrs, sizeof(hdrs));
	hreq_t q = {.method = "POST", .url = url, .body = r->body, .body_len = r->body_len, .hdrs = hdrs,
		    .timeout_ms = 10000};
	if (hclient_do(&q))
		http_error(r, 503, NULL, "join: %s failed to reach the primary: %s", node_name(), q.errmsg);
	else
		http_respond(r, q.status, q.resp.len ? "application/json" : NULL, q.resp.p, q.resp.len);
	hreq_fini(&q);
}

/* a join relayed by a proxy of this cluster (mb_join_relay) */
static bool mb_is_relay(const char *sid)
{
	smap_t *m = smap_get();
	const snode_t *p = m ? smap_find(m, sid) : NULL;
	bool ok = p && p->type == 'p';
	smap_put(m);
	return ok;
}

/* is the node at url alive and still who the map says (its own answer to what=snode)? */
static bool mb_alive_as(const char *url, const char *id)
{
	char u[320];
	snprintf(u, sizeof(u), "%s/v1/daemon?what=snode", url);
	hreq_t q = {.method = "GET", .url = u, .timeout_ms = 1500};
	bool alive = false;
	if (!hclient_do(&q) && q.status == 200) {
		json_t *j = jsonx_loadb(q.resp.p, q.resp.len, NULL);
		alive = j && !strcmp(jsonx_str(j, "daemon_id", ""), id);
		json_decref(j);
	}
	hreq_fini(&q);
	return alive;
}

/* another ID on one of n's URLs: a node that lost its identity is replaced below, but a live
 * node that still answers as itself is not evicted by a newcomer claiming its address (409,
 * answered here; true). Called under metasync_lock (the probe is bounded: 1.5 s). */
static bool mb_url_taken(const smap_t *cur, const snode_t *n, http_req_t *r)
{
	for (int i = 0; cur && i < cur->nproxies + cur->ntargets; i++) {
		const snode_t *o = i < cur->nproxies ? &cur->proxies[i] : &cur->targets[i - cur->nproxies];
		if (!strcmp(o->id, n->id) || strcmp(o->pub.url, n->pub.url))
			continue;
		if (mb_alive_as(o->ctl.url, o->id)) {
			log_warn("join: refusing %s: %s is alive at %s", n->id, o->id, n->pub.url);
			http_error(r, 409, NULL, "join: %s: %s is in use by live node %s", node_name(), n->pub.url, o->id);
			return true;
		}
	}
	return false;
}

/* POST /v1/cluster/join {"snode":{...},"cluster_uuid":..} → {"smap":..,"bmd":..,"config":..} */
static void mb_join_cb(http_req_t *r)
{
	json_error_t jerr;
	json_t *j = jsonx_loadb(r->body, r->body_len, &jerr), *resp = NULL;
	snode_t n;
	if (!j || snode_from_json(json_object_get(j, "snode"), &n)) {
		http_error(r, 400, NULL, "join: invalid node info");
		goto out;
	}
	if (strcmp(n.id, r->caller) && !mb_is_relay(r->caller)) {
		http_error(r, 403, NULL, "join: node %s cannot join as %s", r->caller, n.id);
		goto out;
	}
	if (!node_is_primary()) {
		if (node_role() == ROLE_PROXY)
			mb_join_relay(r);
		else
			http_error(r, 503, NULL, "join: %s is not the primary", node_name());
		goto out;
	}
	metasync_lock();
	smap_t *cur = smap_get();
	/* a node that belonged to another cluster (its persisted map has another UUID) stays out:
	 * its data and metadata are not this cluster's */
	const char *cuuid = jsonx_str(j, "cluster_uuid", "");
	if (cur && cuuid[0] && cur->uuid[0] && strcmp(cuuid, cur->uuid)) {
		smap_put(cur);
		metasync_unlock();
		log_warn("join: refusing %s: cluster UUID mismatch (node's %s, ours %s)", n.id, cuuid, cur->uuid);
		http_error(r, 409, NULL, "join: %s: cluster UUID mismatch: %s belongs to cluster %s, this is %s",
			   node_name(), n.id, cuuid, cur->uuid);
		goto out;
	}
	if (mb_url_taken(cur, &n, r)) {
		smap_put(cur);
		metasync_unlock();
		goto out;
	}
	const snode_t *old = smap_find(cur, n.id);
	bool same = old && !memcmp(&old->pub, &n.pub, sizeof(n.pub)) && !memcmp(&old->ctl, &n.ctl, sizeof(n.ctl)) &&
		    !memcmp(&old->data, &n.data, sizeof(n.data)) && old->type == n.type;
	if (!same) {
		smap_t *m = smap_clone(cur);
		/* another ID on the same public URL is a node that lost its identity: replace it */
		for (int i = 0; m && i < m->nproxies + m->ntargets; i++) {
			const snode_t *o = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
			if (strcmp(o->id, n.id) && !strcmp(o->pub.url, n.pub.url)) {
				log_warn("join: %s replaces %s at %s", n.id, o->id, n.pub.url);
				smap_remove(m, o->id);
				i = -1;
			}
		}
		if (old)
			n.flags = old->flags; /* a re-join keeps maintenance state */
		if (!m || smap_upsert(m, &n)) {
			smap_free(m);
			smap_put(cur);
			metasync_unlock();
			http_error(r, 500, NULL, "join: out of memory");
			goto out;
		}
		log_info("join: %s %s at %s", n.type == 'p' ? "proxy" : "target", n.id, n.pub.url);
		metasync_commit_smap(m);
	}
	smap_put(cur);
	hb_heard(n.id);
	resp = metasync_payload();
	metasync_unlock();
	char *s = jsonx_dumps(resp);
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error(r, 500, NULL, "join: out of memory");
	free(s);
out:
	json_decref(resp);
	json_decref(j);
}

/* POST /v1/cluster/keepalive {"daemon_id","smap_version","bmd_version","config_version"} */
static void mb_keepalive_cb(http_req_t *r)
{
	json_error_t jerr;
	json_t *j = jsonx_loadb(r->body, r->body_len, &jerr);
	const char *id = j ? jsonx_str(j, "daemon_id", NULL) : NULL;
	if (!id) {
		http_error(r, 400, NULL, "keepalive: invalid payload");
		json_decref(j);
		return;
	}
	if (strcmp(id, r->caller)) {
		http_error(r, 403, NULL, "keepalive: node %s cannot speak for %s", r->caller, id);
		json_decref(j);
		return;
	}
	if (!node_is_primary()) {
		smap_t *m = smap_get();
		char ss[160];
		smap_str(m, ss, sizeof(ss));
		smap_put(m);
		http_error(r, 503, NULL, "keepalive from %s: %s is not primary, %s", id, node_name(), ss);
		json_decref(j);
		return;
	}
	smap_t *m = smap_get();
	bool known = m && smap_find(m, id);
	smap_put(m);
	if (!known) {
		http_error(r, 404, NULL, "keepalive: node %s is not in the cluster map", id);
	} else {
		hb_heard(id);
		suspect_clear(id);
		metasync_node_versions(id, (int64_t)json_integer_value(json_object_get(j, "smap_version")),
				       (int64_t)json_integer_value(json_object_get(j, "bmd_version")),
				       (int64_t)json_integer_value(json_object_get(j, "config_version")));
		http_respond(r, 200, NULL, NULL, 0);
	}
	json_decref(j);
}

static void mb_join(http_req_t *r) { http_read_body(r, 1 << 20, mb_join_cb, true); }
static void mb_keepalive(http_req_t *r) { http_read_body(r, 1 << 20, mb_keepalive_cb, true); }

static int mb_bootstrap(void)
{
	smap_t *cur = smap_get();
	metasync_lock();
	smap_t *m = cur ? smap_clone(cur) : smap_new();
	if (!m) {
		metasync_unlock();
		smap_put(cur);
		return AIS_ENOMEM;
	}
	if (!cur) {
		gen_uuid(m->uuid, 9);
		fmt_rfc3339(now_ns(), m->creation_time, sizeof(m->creation_time));
	}
	snprintf(m->primary_id, sizeof(m->primary_id), "%s", node_id());
	smap_upsert(m, node_self());
	smap_put(cur);
	metasync_commit_smap(m);
	bmd_t *b = bmd_get();
	if (!b) {
		bmd_t *nb = bmd_new();
		if (nb) {
			gen_uuid(nb->uuid, 9);
			metasync_commit_bmd(nb);
		}
	}
	bmd_put(b);
	metasync_unlock();
	mb_joined = 1;
	return 0;
}

/* A proxy about to lead (its persisted Smap, or with none its config, names it primary) first
 * asks the nodes it knows (and the configured primary, original and discovery URLs) for their
 * Smaps: a newer one with another primary means the cluster moved on while this node was away
 * (failover, set-primary), and it joins that primary instead (AIStore's determineRole and
 * tryConfirmPrimaryViaConfig). */
static void mb_discover_role(void)
{
	const config_t *cfg = config_get();
	const char *urls[3] = {cfg->primary_url, cfg->original_url, cfg->discovery_url};
	int tout = (int)(cfg->cplane_timeout_ns / 1000000);
	smap_t *cur = smap_get();
	smap_t *best = kalive_max_smap(cur, NULL, urls, 3, tout > 0 ? tout : 2000);
	config_put(cfg);
	if (best && best->version > (cur ? cur->version : 0) && strcmp(best->primary_id, node_id())) {
		char a[160], b[160];
		smap_str(cur, a, sizeof(a));
		smap_str(best, b, sizeof(b));
		log_warn("%s: cannot assume the primary role: local %s < %s - joining as non-primary", node_name(), a, b);
		/* forced: with no local map any UUID is taken; with one, kalive_max_smap kept ours */
		smap_install(best, true);
		best = NULL;
		mb_force_join = 1;
	}
	smap_free(best);
	smap_put(cur);
}

/* ---------------- non-primary side ---------------- */

/* the i-th URL to join through: the Smap's primary, then the configured primary, original and
 * discovery URLs (skipping empty ones and this node) */
static bool mb_join_url(int i, char *buf, size_t cap)
{
	smap_t *s = smap_get();
	const snode_t *p = s ? smap_primary(s) : NULL;
	const config_t *cfg = config_get();
	const char *c[4] = {p && strcmp(p->id, node_id()) ? p->ctl.url : "", cfg->primary_url, cfg->original_url,
			    cfg->discovery_url};
	int k = 0;
	bool ok = false;
	for (int j = 0; j < 4 && !ok; j++) {
		if (!c[j][0] || !strcmp(c[j], node_self()->pub.url) || !strcmp(c[j], node_self()->ctl.url))
			continue;
		if (k++ == i) {
			snprintf(buf, cap, "%s", c[j]);
			ok = true;
		}
	}
	config_put(cfg);
	smap_put(s);
	return ok;
}

int membership_join_via(const char *purl, bool force)
{
	char url[320], err[256] = "";
	snprintf(url, sizeof(url), "%s/v1/cluster/join", purl);
	smap_t *mine = smap_get();
	json_t *j = json_pack("{s:o, s:s}", "snode", snode_to_json(node_self()), "cluster_uuid",
			      mine ? mine->uuid : "");
	smap_put(mine);
	char *body = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	if (!body)
		return AIS_ENOMEM;
	hreq_t q = {.method = "POST", .url = url, .body = body, .body_len = strlen(body), .timeout_ms = 10000};
	int rc = hclient_do(&q);
	static bool mismatch_logged;
	if (!rc && q.status == 409 && !mismatch_logged) {
		mismatch_logged = true;
		log_err("join %s: %.300s", url, sbuf_str(&q.resp));
	}
	if (!rc && q.status != 200)
		rc = AIS_EUNAVAIL;
	if (!rc) {
		json_error_t jerr;
		json_t *resp = jsonx_loadb(q.resp.p, q.resp.len, &jerr);
		/* not forced: a newer version that metasync pushed while this answer was on its way
		 * must not be replaced by the older one in it (an older BMD would make this target
		 * drop the data of a bucket created meanwhile). Forced once after a step-down or a
		 * start that found a newer cluster: this node's own versions may be a stale primary's. */
		rc = resp ? metasync_apply(resp, force, err, sizeof(err)) : AIS_EINVAL;
		if (!rc) {
			smap_t *s = smap_get();
			if (s && s->primary_id[0])
				hb_heard(s->primary_id);
			smap_put(s);
		}
		json_decref(resp);
	}
	if (rc)
		log_dbg("join %s: rc %d status %d %s %s", url, rc, q.status, q.errmsg, err);
	hreq_fini(&q);
	free(body);
	return rc;
}

static int mb_join_primary(int attempt)
{
	char purl[256];
	if (!mb_join_url(attempt, purl, sizeof(purl)) && !mb_join_url(0, purl, sizeof(purl)))
		return AIS_EUNAVAIL;
	int rc = membership_join_via(purl, mb_force_join);
	if (!rc)
		mb_force_join = 0;
	return rc;
}

static void mb_sleep_ns(int64_t ns)
{
	int64_t end = mono_ns() + ns;
	while (mb_running && mono_ns() < end)
		usleep(20 * 1000);
}

/* a rotated cluster secret is picked up without a restart (core/ckey.h): every 2 s */
static void mb_ckey_reload(int64_t grace_ns)
{
	static int64_t last;
	int64_t now = now_ns();
	if (now - last < 2000000000LL)
		return;
	last = now;
	char err[256] = "";
	if (ckey_reload(now, grace_ns, err, sizeof(err)) < 0)
		log_err("%s (keeping the keys loaded before)", err);
}

static void *mb_thread_fn(void *arg)
{
	(void)arg;
	int attempt = 0;
	while (mb_running) {
		/* read per round: set-config may change the interval */
		const config_t *cfg = config_get();
		int64_t interval = kalive_interval(cfg);
		int64_t track_every = interval / 2 > 200000000 ? interval / 2 : 200000000;
		int64_t grace = cfg->auth_ck_rotation_grace_ns > 0 ? cfg->auth_ck_rotation_grace_ns : 60000000000LL;
		config_put(cfg);
		mb_ckey_reload(grace);
		if (node_is_primary()) {
			mb_joined = 1;
			ckrot_tick();
			kalive_primary_tick();
			mb_sleep_ns(track_every);
			continue;
		}
		if (!mb_joined) {
			if (!mb_join_primary(attempt)) {
				mb_joined = 1;
				attempt = 0;
				log_info("%s joined the cluster", node_name());
			} else {
				attempt++;
				mb_sleep_ns(500000000);
			}
			continue;
		}
		if (kalive_node_tick()) {
			log_warn("primary does not know %s: re-joining", node_name());
			mb_joined = 0;
			continue;
		}
		mb_sleep_ns(50000000);
	}
	return NULL;
}

/* the control plane's member check (net/route.h): the signer is in the current Smap, or this
 * node has no map yet (it is starting: only a holder of the cluster key can sign anyway) */
static bool mb_is_member(const char *sid)
{
	smap_t *m = smap_get();
	bool ok = !m || (m->nproxies + m->ntargets == 0) || smap_find(m, sid) || !strcmp(sid, node_id());
	smap_put(m);
	return ok;
}

int membership_init(void)
{
	route_set_member_hook(mb_is_member);
	route_add_intra(RM(HTTP_M_POST), "/v1/cluster/join", mb_join, ROUTE_SIGNED);
	ckrot_init(); /* automatic cluster key rotation (cluster/ckrot.h) */
	route_add_intra(RM(HTTP_M_POST), "/v1/cluster/keepalive", mb_keepalive, ROUTE_SIGNED);
	return 0;
}

int membership_start(void)
{
	if (node_is_primary())
		mb_discover_role();
	if (node_is_primary()) {
		int rc = mb_bootstrap();
		if (rc)
			return rc;
	}
	mb_running = 1;
	if (pthread_create(&mb_thread, NULL, mb_thread_fn, NULL)) {
		mb_running = 0;
		return AIS_ENOMEM;
	}
	/* proxies probe the targets they redirect to (suspect.h) */
	return node_role() == ROLE_PROXY ? suspect_start() : 0;
}

void membership_fini(void)
{
	suspect_stop();
	if (!mb_running)
		return;
	mb_running = 0;
	pthread_join(mb_thread, NULL);
}
