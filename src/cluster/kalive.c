/* kalive: owns the non-primary's keepalive schedule (last attempt) and the stop flag; the
 * last-heard times live in hb.c. See kalive.h for the protocol and the timing argument. */
#include "cluster/kalive.h"
#include "cluster/bmd.h"
#include "cluster/hb.h"
#include "cluster/membership.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/vote.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KA_MAX_NODES 1024

static int64_t ka_last_try; /* membership thread only */
/* primary: when the tracker last completed a round (mono_ns). A primary whose tracker has not
 * run for a while (the process was paused: SIGSTOP, a VM freeze) must not trust its heartbeat
 * table - keepalives queued while it was frozen look fresh - and confirms with the nodes first */
static int64_t ka_tick_at;
static int64_t ka_prev_tick; /* membership thread only: start of the previous tracker round */

static int64_t ka_min(int64_t a, int64_t b) { return a < b ? a : b; }
static int ka_ms(int64_t ns) { return ns < 1000000 ? 1 : (int)(ns / 1000000); }

int64_t kalive_interval(const config_t *cfg)
{
	return node_role() == ROLE_PROXY ? cfg->ka_proxy_interval_ns : cfg->keepalive_interval_ns;
}

int kalive_factor(const config_t *cfg)
{
	int f = node_role() == ROLE_PROXY ? cfg->ka_proxy_factor : cfg->keepalive_factor;
	return f > 0 ? f : 3;
}

static int ka_retries(const config_t *cfg) { return cfg->ka_num_retries > 0 ? cfg->ka_num_retries : 3; }

int64_t kalive_retry_ns(const config_t *cfg)
{
	/* AIStore's cmn.KeepaliveRetryDuration, bounded so that all retries fit in half an interval */
	int64_t d = ka_min(cfg->cplane_timeout_ns * (cfg->ka_retry_factor > 0 ? cfg->ka_retry_factor : 4),
			   cfg->max_keepalive_ns + 1000000000LL);
	return ka_min(d, kalive_interval(cfg) / (2 * (ka_retries(cfg) + 1)));
}

/* ---------------- probes ---------------- */

int kalive_probe_url(const char *base_url, const char *query, int timeout_ms, json_t **out)
{
	char url[320], hdrs[NODE_HDRS_MAX];
	snprintf(url, sizeof(url), "%s/v1/health%s%s", base_url, query && *query ? "?" : "", query ? query : "");
	node_sender_hdrs(hdrs, sizeof(hdrs));
	hreq_t q = {.method = "GET", .url = url, .hdrs = hdrs, .timeout_ms = timeout_ms};
	int rc = hclient_do(&q);
	if (!rc && q.status != 200)
		rc = q.status == 404 ? AIS_ENOTFOUND : AIS_EUNAVAIL;
	if (!rc && out) {
		json_error_t je;
		*out = q.resp.len ? jsonx_loadb(q.resp.p, q.resp.len, &je) : NULL;
	}
	hreq_fini(&q);
	return rc;
}

int kalive_probe(const snode_t *n, const char *query, int timeout_ms, json_t **out)
{
	return kalive_probe_url(n->ctl.url, query, timeout_ms, out);
}

smap_t *kalive_max_smap(const smap_t *local, const char *skip, const char *const *urls, int nurls, int timeout_ms)
{
	int total = (local ? local->nproxies + local->ntargets : 0) + nurls, n = 0;
	hreq_t *q = calloc((size_t)total + 1, sizeof(*q));
	char (*u)[300] = calloc((size_t)total + 1, sizeof(*u));
	char hdrs[NODE_HDRS_MAX];
	smap_t *best = NULL;
	if (!q || !u)
		goto out;
	node_sender_hdrs(hdrs, sizeof(hdrs));
	for (int i = 0; i < total; i++) {
		const char *base;
		if (local && i < local->nproxies + local->ntargets) {
			const snode_t *nd = i < local->nproxies ? &local->proxies[i] : &local->targets[i - local->nproxies];
			if (!strcmp(nd->id, node_id()) || (skip && !strcmp(nd->id, skip)))
				continue;
			base = nd->ctl.url;
		} else {
			base = urls[i - (local ? local->nproxies + local->ntargets : 0)];
			if (!base || !*base || !strcmp(base, node_self()->pub.url) || !strcmp(base, node_self()->ctl.url))
				continue;
		}
		snprintf(u[n], sizeof(u[n]), "%s/v1/daemon?what=smap", base);
		q[n] = (hreq_t){.method = "GET", .url = u[n], .hdrs = hdrs, .timeout_ms = timeout_ms};
		n++;
	}
	if (n)
		hclient_fanout(q, n);
	for (int i = 0; i < n; i++) {
		json_error_t je;
		char err[128];
		if (q[i].rc || q[i].status != 200 || !q[i].resp.len)
			continue;
		json_t *j = jsonx_loadb(q[i].resp.p, q[i].resp.len, &je);
		smap_t *m = j ? smap_from_json(j, err, sizeof(err)) : NULL;
		json_decref(j);
		if (!m || !m->version || !m->primary_id[0] || (local && local->uuid[0] && strcmp(m->uuid, local->uuid)) ||
		    (best && m->version <= best->version)) {
			smap_free(m);
			continue;
		}
		smap_free(best);
		best = m;
	}
out:
	for (int i = 0; i < n; i++)
		hreq_fini(&q[i]);
	free(q);
	free(u);
	return best;
}

/* ---------------- non-primary: keepalive to the primary ---------------- */

/* POST <primary ctl>/v1/cluster/keepalive; 0, AIS_ENOTFOUND (unknown to the primary), AIS_E* */
static int ka_send(const char *purl, int timeout_ms)
{
	char url[320], hdrs[NODE_HDRS_MAX];
	snprintf(url, sizeof(url), "%s/v1/cluster/keepalive", purl);
	smap_t *s = smap_get();
	bmd_t *b = bmd_get();
	const config_t *cfg = config_get();
	json_t *j = json_pack("{s:s, s:I, s:I, s:I}", "daemon_id", node_id(), "smap_version",
			      (json_int_t)(s ? s->version : 0), "bmd_version", (json_int_t)(b ? b->version : 0),
			      "config_version", (json_int_t)cfg->version);
	config_put(cfg);
	smap_put(s);
	bmd_put(b);
	char *body = j ? jsonx_dumps(j) : NULL;
	json_decref(j);
	if (!body)
		return AIS_ENOMEM;
	node_sender_hdrs(hdrs, sizeof(hdrs));
	hreq_t q = {.method = "POST", .url = url, .body = body, .body_len = strlen(body), .hdrs = hdrs,
		    .timeout_ms = timeout_ms};
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

/* the primary this node reports to (ID and control URL); false when none is known */
static bool ka_primary(char *pid, size_t pcap, char *url, size_t ucap)
{
	smap_t *s = smap_get();
	const snode_t *p = s ? smap_primary(s) : NULL;
	bool ok = p && strcmp(p->id, node_id());
	if (ok) {
		snprintf(pid, pcap, "%s", p->id);
		snprintf(url, ucap, "%s", p->ctl.url);
	}
	smap_put(s);
	return ok;
}

/* sleep up to ns; true (stop retrying) when the primary changed, spoke, or we are stopping */
static bool ka_wait(int64_t ns, const char *pid, int64_t since)
{
	int64_t end = mono_ns() + ns;
	while (mono_ns() < end) {
		if (!membership_running())
			return true;
		usleep(20 * 1000);
		char cur[SNODE_ID_MAX] = "", u[256];
		if (!ka_primary(cur, sizeof(cur), u, sizeof(u)) || strcmp(cur, pid) || hb_last(pid) > since)
			return true;
	}
	return false;
}

int kalive_node_tick(void)
{
	char pid[SNODE_ID_MAX], url[256];
	if (!ka_primary(pid, sizeof(pid), url, sizeof(url)))
		return 0;
	const config_t *cfg = config_get();
	int64_t ival = kalive_interval(cfg), retry = kalive_retry_ns(cfg);
	int nretries = ka_retries(cfg);
	int t_first = ka_ms(ka_min(cfg->cplane_timeout_ns, ival)), t_retry = ka_ms(ka_min(cfg->max_keepalive_ns, ival));
	config_put(cfg);
	int64_t now = mono_ns(), last = hb_last(pid);
	if (ka_last_try > last)
		last = ka_last_try;
	if (now - last < ival)
		return 0;
	ka_last_try = now;
	int rc = ka_send(url, t_first);
	if (!rc) {
		hb_heard(pid);
		return 0;
	}
	if (rc == AIS_ENOTFOUND)
		return 1;
	log_warn("%s => p[%s]: keepalive failed (%s) - retrying", node_name(), pid, err_str(rc));
	for (int i = 1; i <= nretries; i++) {
		if (ka_wait(retry, pid, now))
			return 0;
		rc = ka_send(url, t_retry);
		if (!rc) {
			hb_heard(pid);
			log_info("%s => p[%s]: keepalive OK after %d attempt(s)", node_name(), pid, i);
			return 0;
		}
		if (rc == AIS_ENOTFOUND)
			return 1;
	}
	log_warn("%s => p[%s]: keepalive failed after %d retries: primary is down", node_name(), pid, nretries);
	vote_on_primary_down(pid);
	ka_last_try = mono_ns();
	return 0;
}

/* ---------------- primary: probe silent nodes, remove dead ones ---------------- */

bool kalive_stepdown(void)
{
	if (!node_is_primary())
		return false;
	const config_t *cfg = config_get();
	int tout = ka_ms(cfg->cplane_timeout_ns);
	config_put(cfg);
	smap_t *cur = smap_get();
	smap_t *best = kalive_max_smap(cur, NULL, NULL, 0, tout);
	bool down = false;
	if (best && cur && best->version > cur->version && strcmp(best->primary_id, node_id())) {
		const snode_t *np = smap_primary(best);
		/* the newer primary must itself confirm (AIStore's "ask primary" health query) */
		if (np && !kalive_probe(np, "apr=true", tout, NULL)) {
			char a[160], b[160];
			smap_str(cur, a, sizeof(a));
			smap_str(best, b, sizeof(b));
			metasync_lock();
			if (smap_install(best, false)) {
				down = true;
				metasync_forget_acks();
			}
			best = NULL; /* owned by smap_install either way */
			metasync_unlock();
			if (down) {
				log_warn("%s: no longer primary: local %s, cluster %s - re-joining as non-primary", node_name(),
					 a, b);
				membership_rejoin(true);
			}
		}
	}
	smap_free(best);
	smap_put(cur);
	return down;
}

bool kalive_primary_confirmed(void)
{
	if (!node_is_primary())
		return false;
	const config_t *cfg = config_get();
	int64_t ival = kalive_interval(cfg), window = ival * kalive_factor(cfg), now = mono_ns();
	config_put(cfg);
	int64_t ticked = __atomic_load_n(&ka_tick_at, __ATOMIC_ACQUIRE);
	if (now - ticked > (2 * ival > 1000000000LL ? 2 * ival : 1000000000LL)) {
		kalive_stepdown(); /* the tracker has not run lately: ask the nodes */
		return node_is_primary();
	}
	smap_t *s = smap_get();
	bool others = false, heard = false;
	for (int i = 0; s && i < s->nproxies + s->ntargets && !heard; i++) {
		const snode_t *n = i < s->nproxies ? &s->proxies[i] : &s->targets[i - s->nproxies];
		if (!strcmp(n->id, node_id()))
			continue;
		others = true;
		int64_t t = hb_last(n->id);
		heard = t && now - t < window;
	}
	smap_put(s);
	if (!others || heard)
		return true;
	kalive_stepdown();
	return node_is_primary();
}

/* remove the nodes in dead[] (primary, under metasync_lock) */
static void ka_remove(char (*dead)[SNODE_ID_MAX], int ndead)
{
	metasync_lock();
	smap_t *cur = smap_get(), *m = node_is_primary() && cur ? smap_clone(cur) : NULL;
	smap_put(cur);
	int k = 0;
	for (int i = 0; m && i < ndead; i++) {
		if (smap_remove(m, dead[i]))
			continue;
		log_warn("keepalive: removing unresponsive node %s from the cluster map", dead[i]);
		k++;
	}
	if (m && k)
		metasync_commit_smap(m);
	else
		smap_free(m);
	metasync_unlock();
}

void kalive_primary_tick(void)
{
	const config_t *cfg = config_get();
	int64_t ival = kalive_interval(cfg), limit = ival * kalive_factor(cfg), now = mono_ns();
	int probe_ms = ka_ms(cfg->max_keepalive_ns);
	config_put(cfg);
	/* a gap since the previous round means this process was frozen (or this proxy just took
	 * over): heartbeats that were queued meanwhile look fresh, so ask the nodes first */
	int64_t gap = ka_prev_tick ? now - ka_prev_tick : INT64_MAX;
	ka_prev_tick = now;
	if (gap > 2 * ival) {
		if (gap != INT64_MAX)
			log_warn("%s: primary tracker resumes after %.1fs: confirming the primary role", node_name(), gap / 1e9);
		if (kalive_stepdown())
			return;
	}
	/* the tracker runs: handlers may trust the heartbeat table again (after the check above,
	 * never before it; set again at the end of a round that probed) */
	__atomic_store_n(&ka_tick_at, mono_ns(), __ATOMIC_RELEASE);
	smap_t *s = smap_get();
	if (!s)
		return;
	int total = s->nproxies + s->ntargets, n = 0, ndead = 0;
	if (total > KA_MAX_NODES)
		total = KA_MAX_NODES;
	hreq_t *q = calloc((size_t)total + 1, sizeof(*q));
	const snode_t **who = calloc((size_t)total + 1, sizeof(*who));
	char (*u)[300] = calloc((size_t)total + 1, sizeof(*u));
	char (*dead)[SNODE_ID_MAX] = calloc((size_t)total + 1, SNODE_ID_MAX);
	char hdrs[NODE_HDRS_MAX];
	bool stale = false;
	if (!q || !who || !u || !dead) {
		log_err("keepalive: out of memory");
		goto out;
	}
	node_sender_hdrs(hdrs, sizeof(hdrs));
	for (int i = 0; i < total; i++) {
		const snode_t *nd = i < s->nproxies ? &s->proxies[i] : &s->targets[i - s->nproxies];
		if (!strcmp(nd->id, node_id()))
			continue;
		int64_t last = hb_last(nd->id);
		if (!last) {
			hb_heard(nd->id); /* first look (a new primary, or this one restarted) */
			continue;
		}
		if (now - last < ival)
			continue;
		snprintf(u[n], sizeof(u[n]), "%s/v1/health?cii=true", nd->ctl.url);
		q[n] = (hreq_t){.method = "GET", .url = u[n], .hdrs = hdrs, .timeout_ms = probe_ms};
		who[n++] = nd;
	}
	if (n)
		hclient_fanout(q, n);
	for (int i = 0; i < n; i++) {
		if (!q[i].rc && q[i].status == 200) {
			hb_heard(who[i]->id);
			json_error_t je;
			json_t *j = q[i].resp.len ? jsonx_loadb(q[i].resp.p, q[i].resp.len, &je) : NULL;
			json_t *js = json_object_get(j, "smap");
			const char *ver = jsonx_str(js, "version", "0");
			const char *pid = jsonx_str(json_object_get(js, "primary"), "id", "");
			if (!strcmp(jsonx_str(js, "uuid", ""), s->uuid) && atoll(ver) > s->version && *pid &&
			    strcmp(pid, node_id()))
				stale = true;
			json_decref(j);
			continue;
		}
		if (now - hb_last(who[i]->id) >= limit)
			snprintf(dead[ndead++], SNODE_ID_MAX, "%s", who[i]->id);
	}
	bool refused = metasync_refused();
	if ((stale || refused) && kalive_stepdown())
		goto out;
	if (ndead)
		ka_remove(dead, ndead);
	__atomic_store_n(&ka_tick_at, mono_ns(), __ATOMIC_RELEASE);
out:
	for (int i = 0; i < n; i++)
		hreq_fini(&q[i]);
	free(q);
	free(who);
	free(u);
	free(dead);
	smap_put(s);
}
