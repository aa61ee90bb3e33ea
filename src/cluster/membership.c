/* membership: owns the primary's last-heard table (keepalive tracker) and the node's
 * joined flag and keepalive thread. See membership.h for the protocol. */
#include "cluster/membership.h"

#include <stdatomic.h>
#include <stdint.h>
#include "core/jsonx.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/suspect.h"
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


struct mb_seen {
	char id[SNODE_ID_MAX];
	int64_t last_ns;
};


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

static pthread_mutex_t mb_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mb_seen *mb_seen; /* grows with the cluster (mb_mu) */
static int mb_nseen, mb_capseen;
static pthread_t mb_thread;
static volatile int mb_running;
static volatile int mb_joined;

bool membership_joined(void) { return mb_joined; }

static void mb_touch(const char *id)
{
	pthread_mutex_lock(&mb_mu);
	int64_t now = mono_ns();
	for (int i = 0; i < mb_nseen; i++) {
		if (!strcmp(mb_seen[i].id, id)) {
			mb_seen[i].last_ns = now;
			pthread_mutex_unlock(&mb_mu);
			return;
		}
	}
	if (mb_nseen == mb_capseen) {
		int nc = mb_capseen ? mb_capseen * 2 : 64;
		struct mb_seen *nv = realloc(mb_seen, (size_t)nc * sizeof(*nv));
		if (!nv) {
			pthread_mutex_unlock(&mb_mu);
			log_err("keepalive: out of memory tracking node %s", id);
			return;
		}
		mb_seen = nv;
		mb_capseen = nc;
	}
	snprintf(mb_seen[mb_nseen].id, SNODE_ID_MAX, "%s", id);
	mb_seen[mb_nseen++].last_ns = now;
	pthread_mutex_unlock(&mb_mu);
}

static int64_t mb_last(const char *id)
{
	int64_t t = 0;
	pthread_mutex_lock(&mb_mu);
	for (int i = 0; i < mb_nseen; i++)
		if (!strcmp(mb_seen[i].id, id))
			t = mb_seen[i].last_ns;
	pthread_mutex_unlock(&mb_mu);
	return t;
}

/* ---------------- primary side ---------------- */

/* POST /v1/cluster/join {"snode":{...}} → {"smap":..,"bmd":..} */
static void mb_join_cb(http_req_t *r)
{
	json_error_t jerr;
	json_t *j = jsonx_loadb(r->body, r->body_len, &jerr), *resp = NULL;
	snode_t n;
	if (!j || snode_from_json(json_object_get(j, "snode"), &n)) {
		http_error(r, 400, NULL, "join: invalid node info");
		goto out;
	}
	if (!node_is_primary()) {
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
	mb_touch(n.id);
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

/* POST /v1/cluster/keepalive {"daemon_id","smap_version","bmd_version"} */
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
	smap_t *m = smap_get();
	bool known = m && smap_find(m, id);
	smap_put(m);
	if (!known) {
		http_error(r, 404, NULL, "keepalive: node %s is not in the cluster map", id);
	} else {
		mb_touch(id);
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

static bool mb_probe(const snode_t *n, int timeout_ms)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/v1/health", n->ctl.url);
	hreq_t q = {.method = "GET", .url = url, .timeout_ms = timeout_ms};
	hclient_do(&q);
	bool ok = q.rc == 0 && q.status == 200;
	hreq_fini(&q);
	return ok;
}

/* primary: remove nodes silent past interval x factor that also fail a probe */
static void mb_track(void)
{
	const config_t *cfg = config_get();
	int64_t limit = cfg->keepalive_interval_ns * cfg->keepalive_factor, now = mono_ns();
	int probe_ms = (int)(cfg->max_keepalive_ns / 1000000);
	config_put(cfg);
	smap_t *s = smap_get();
	if (!s)
		return;
	char (*dead)[SNODE_ID_MAX] = calloc((size_t)(s->nproxies + s->ntargets) + 1, SNODE_ID_MAX);
	int ndead = 0;
	if (!dead) {
		smap_put(s);
		log_err("keepalive: out of memory");
		return;
	}
	for (int i = 0; i < s->nproxies + s->ntargets; i++) {
		const snode_t *n = i < s->nproxies ? &s->proxies[i] : &s->targets[i - s->nproxies];
		if (!strcmp(n->id, node_id()))
			continue;
		/* nodes in maintenance (or being decommissioned) stay in the map without keepalives:
		 * a shut-down node in maintenance returns with stop-maintenance (AIStore's palive) */
		if (n->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		int64_t last = mb_last(n->id);
		if (!last) {
			mb_touch(n->id); /* first look (e.g. after the primary restarted) */
			continue;
		}
		if (now - last < limit)
			continue;
		if (mb_probe(n, probe_ms)) {
			mb_touch(n->id);
			continue;
		}
		snprintf(dead[ndead++], SNODE_ID_MAX, "%s", n->id);
	}
	smap_put(s);
	if (!ndead) {
		free(dead);
		return;
	}
	metasync_lock();
	smap_t *cur = smap_get(), *m = smap_clone(cur);
	smap_put(cur);
	for (int i = 0; m && i < ndead; i++) {
		log_warn("keepalive: removing unresponsive node %s from the cluster map", dead[i]);
		smap_remove(m, dead[i]);
	}
	if (m)
		metasync_commit_smap(m);
	metasync_unlock();
	free(dead);
}

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

/* ---------------- non-primary side ---------------- */

static const char *mb_primary_url(char *buf, size_t cap)
{
	smap_t *s = smap_get();
	const snode_t *p = s ? smap_primary(s) : NULL;
	const config_t *cfg = config_get();
	/* prefer the configured primary: the persisted map may name an old one */
	snprintf(buf, cap, "%s", cfg->primary_url[0] ? cfg->primary_url : (p ? p->ctl.url : ""));
	config_put(cfg);
	smap_put(s);
	return buf;
}

static int mb_join_primary(void)
{
	char purl[256], url[320], err[256] = "";
	mb_primary_url(purl, sizeof(purl));
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
	static bool mismatch_logged; /* the membership thread only */
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
		 * drop the data of a bucket created meanwhile) */
		rc = resp ? metasync_apply(resp, false, err, sizeof(err)) : AIS_EINVAL;
		json_decref(resp);
	}
	if (rc)
		log_dbg("join %s: rc %d status %d %s %s", url, rc, q.status, q.errmsg, err);
	hreq_fini(&q);
	free(body);
	return rc;
}

static int mb_keepalive_send(void)
{
	char purl[256], url[320];
	mb_primary_url(purl, sizeof(purl));
	snprintf(url, sizeof(url), "%s/v1/cluster/keepalive", purl);
	smap_t *s = smap_get();
	bmd_t *b = bmd_get();
	const config_t *cfg = config_get();
	json_t *j = json_pack("{s:s, s:I, s:I, s:I}", "daemon_id", node_id(), "smap_version",
			      (json_int_t)(s ? s->version : 0), "bmd_version", (json_int_t)(b ? b->version : 0),
			      "config_version", (json_int_t)cfg->version);
	int timeout_ms = (int)(cfg->max_keepalive_ns / 1000000);
	config_put(cfg);
	smap_put(s);
	bmd_put(b);
	char *body = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	if (!body)
		return AIS_ENOMEM;
	hreq_t q = {.method = "POST", .url = url, .body = body, .body_len = strlen(body), .timeout_ms = timeout_ms};
	int64_t t0 = mono_ns();
	int rc = hclient_do(&q);
	if (!rc && q.status == 404)
		rc = AIS_ENOTFOUND;
	else if (!rc && q.status != 200)
		rc = AIS_EUNAVAIL;
	membership_kalive_note(t0, rc == 0);
	hreq_fini(&q);
	free(body);
	return rc;
}

static void mb_sleep_ns(int64_t ns)
{
	int64_t end = mono_ns() + ns;
	while (mb_running && mono_ns() < end)
		usleep(50 * 1000);
}

static void *mb_thread_fn(void *arg)
{
	(void)arg;
	while (mb_running) {
		/* read per round: set-config may change the interval */
		const config_t *cfg = config_get();
		int64_t interval = cfg->keepalive_interval_ns;
		int64_t track_every = interval / 2 > 200000000 ? interval / 2 : 200000000;
		config_put(cfg);
		if (node_is_primary()) {
			mb_joined = 1;
			mb_track();
			mb_sleep_ns(track_every);
			continue;
		}
		if (!mb_joined) {
			if (!mb_join_primary()) {
				mb_joined = 1;
				log_info("%s joined the cluster", node_name());
			} else {
				mb_sleep_ns(500000000);
			}
			continue;
		}
		mb_sleep_ns(interval);
		if (!mb_running)
			break;
		int rc = mb_keepalive_send();
		if (rc == AIS_ENOTFOUND) {
			log_warn("primary does not know %s: re-joining", node_name());
			mb_joined = 0;
		} else if (rc) {
			log_warn("keepalive to the primary failed (%s)", err_str(rc));
		}
	}
	return NULL;
}

int membership_init(void)
{
	route_add(RM(HTTP_M_POST), "/v1/cluster/join", mb_join);
	route_add(RM(HTTP_M_POST), "/v1/cluster/keepalive", mb_keepalive);
	return 0;
}

int membership_start(void)
{
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
