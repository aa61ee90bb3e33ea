/* metasync: owns the primary's per-node "acked versions" table and the retry thread.
 * Push = PUT <node control URL>/v1/metasync with the current Smap and BMD. A node acks by
 * answering 200; its acked versions are then the pushed ones. The table is guarded by
 * ms_mu; metadata read-modify-write by the separate ms_commit_mu (metasync_lock). */
#include "cluster/metasync.h"
#include "core/jsonx.h"
#include "cluster/hb.h"
#include "cluster/node.h"
#include "cluster/rmd.h"
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

#define MS_MAX_NODES 256

struct ms_ack {
	char id[SNODE_ID_MAX];
	int64_t smap_ver, bmd_ver, conf_ver;
	int64_t rmd_ver; /* rebalance metadata (rmd.h): acked by a push only */
};

static pthread_mutex_t ms_commit_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ms_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ms_ack ms_acks[MS_MAX_NODES];
static int ms_nacks;
static pthread_t ms_thread;
static volatile int ms_running;
static volatile int ms_refused; /* a node answered 409: it follows a newer primary (primary side) */
static metasync_rev_t ms_revs[METASYNC_MAX_REVS]; /* filled at init only */
static int ms_nrevs;

int metasync_rev_register(const metasync_rev_t *rev)
{
	if (ms_nrevs >= METASYNC_MAX_REVS)
		return AIS_ENOMEM;
	ms_revs[ms_nrevs++] = *rev;
	return 0;
}

bool metasync_refused(void) { return __atomic_exchange_n(&ms_refused, 0, __ATOMIC_ACQ_REL) != 0; }

void metasync_lock(void) { pthread_mutex_lock(&ms_commit_mu); }
void metasync_unlock(void) { pthread_mutex_unlock(&ms_commit_mu); }

static struct ms_ack *ms_ack_find(const char *id, bool add)
{
	for (int i = 0; i < ms_nacks; i++)
		if (!strcmp(ms_acks[i].id, id))
			return &ms_acks[i];
	if (!add || ms_nacks >= MS_MAX_NODES)
		return NULL;
	struct ms_ack *a = &ms_acks[ms_nacks++];
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	return a;
}

void metasync_node_versions(const char *id, int64_t smap_ver, int64_t bmd_ver, int64_t conf_ver)
{
	pthread_mutex_lock(&ms_mu);
	struct ms_ack *a = ms_ack_find(id, true);
	if (a) {
		a->smap_ver = smap_ver;
		a->bmd_ver = bmd_ver;
		a->conf_ver = conf_ver;
	}
	pthread_mutex_unlock(&ms_mu);
}

json_t *metasync_payload(void)
{
	smap_t *s = smap_get();
	bmd_t *b = bmd_get();
	json_t *j = json_object();
	const config_t *cfg = config_get();
	if (cfg)
		json_object_set_new(j, "config", config_wire_json(cfg)); /* secrets sealed (ckey.h) */
	config_put(cfg);
	if (s)
		json_object_set_new(j, "smap", smap_to_json(s));
	if (b)
		json_object_set_new(j, "bmd", bmd_to_json(b));
	for (int i = 0; i < ms_nrevs; i++) {
		json_t *x = ms_revs[i].get();
		if (x)
			json_object_set_new(j, ms_revs[i].tag, x);
	}
	rmd_t rmd;
	rmd_get(&rmd);
	if (rmd.version > 0) /* after "smap": receivers install it last, once the Smap it needs is in */
		json_object_set_new(j, "rmd", rmd_to_json(&rmd));
	smap_put(s);
	bmd_put(b);
	return j;
}

int metasync_apply(json_t *payload, bool force, char *err, size_t errcap)
{
	json_t *js = json_object_get(payload, "smap"), *jb = json_object_get(payload, "bmd");
	json_t *jc = json_object_get(payload, "config");
	/* the last step of a force-join (primary-force, bump-metasync): older versions replace ours,
	 * and a BMD that lacks some of our buckets does not destroy their data */
	bool pforce = !strcmp(jsonx_str(payload, "action", ""), METASYNC_ACT_FORCE);
	if (pforce)
		force = true;
	if (jc && config_install_cluster(jc, force, err, errcap) < 0)
		return AIS_EINVAL;
	if (js) {
		smap_t *m = smap_from_json(js, err, errcap);
		if (!m)
			return AIS_EINVAL;
		smap_install(m, force);
	}
	if (jb) {
		bmd_t *m = bmd_from_json(jb, err, errcap);
		if (!m)
			return AIS_EINVAL;
		if (pforce)
			bmd_install_keep(m);
		else
			bmd_install(m, force);
	}
	for (int i = 0; i < ms_nrevs; i++) {
		json_t *x = json_object_get(payload, ms_revs[i].tag);
		if (x && ms_revs[i].apply(x, force, err, errcap))
			return AIS_EINVAL;
	}
	json_t *jr = json_object_get(payload, "rmd");
	if (jr) {
		rmd_t rmd;
		if (rmd_from_json(jr, &rmd, err, errcap))
			return AIS_EINVAL;
		rmd_install(&rmd, force);
	}
	return 0;
}

/* push the current versions to the nodes that need them (all: every node but self); action
 * (may be NULL) goes along as the payload's "action" */
static int ms_push(bool all, const char *action)
{
	smap_t *s = smap_get();
	bmd_t *b = bmd_get();
	int failed = 0, n = 0;
	if (!s)
		goto out;
	int total = s->nproxies + s->ntargets;
	hreq_t *reqs = calloc((size_t)total + 1, sizeof(hreq_t));
	const snode_t **dst = calloc((size_t)total + 1, sizeof(*dst));
	char **urls = calloc((size_t)total + 1, sizeof(char *));
	const config_t *cfg = config_get(); /* this version's number is what the nodes ack */
	int64_t rmd_ver = rmd_version();
	json_t *j = metasync_payload();
	if (j && action)
		json_object_set_new(j, "action", json_string(action));
	char *body = j ? jsonx_dumps(j) : NULL;
	char hdrs[NODE_HDRS_MAX];
	json_decref(j);
	node_sender_hdrs(hdrs, sizeof(hdrs));
	if (!reqs || !dst || !urls || !body)
		goto free;
	pthread_mutex_lock(&ms_mu);
	for (int i = 0; i < total; i++) {
		const snode_t *nd = i < s->nproxies ? &s->proxies[i] : &s->targets[i - s->nproxies];
		if (!strcmp(nd->id, node_id()))
			continue;
		struct ms_ack *a = ms_ack_find(nd->id, true);
		if (!all && a && a->smap_ver >= s->version && (!b || a->bmd_ver >= b->version) &&
		    a->conf_ver >= cfg->version && a->rmd_ver >= rmd_ver)
			continue;
		size_t ul = strlen(nd->ctl.url) + 16;
		urls[n] = malloc(ul);
		if (!urls[n])
			continue;
		snprintf(urls[n], ul, "%s/v1/metasync", nd->ctl.url);
		reqs[n] = (hreq_t){.method = "PUT", .url = urls[n], .body = body, .body_len = strlen(body), .hdrs = hdrs,
				   .timeout_ms = (int)(cfg->cplane_timeout_ns / 1000000) * 2};
		dst[n++] = nd;
	}
	pthread_mutex_unlock(&ms_mu);
	if (n)
		hclient_fanout(reqs, n);
	pthread_mutex_lock(&ms_mu);
	for (int i = 0; i < n; i++) {
		struct ms_ack *a = ms_ack_find(dst[i]->id, true);
		if (reqs[i].rc == 0 && reqs[i].status == 200) {
			if (a) {
				a->smap_ver = s->version;
				a->bmd_ver = b ? b->version : 0;
				a->conf_ver = cfg->version;
				a->rmd_ver = rmd_ver;
			}
		} else {
			failed++;
			if (!reqs[i].rc && reqs[i].status == 409) /* follows a newer primary: see kalive */
				__atomic_store_n(&ms_refused, 1, __ATOMIC_RELEASE);
			log_warn("metasync to %s failed: status %d %s%.200s", dst[i]->id, reqs[i].status, reqs[i].errmsg,
				 reqs[i].rc ? "" : sbuf_str(&reqs[i].resp));
		}
	}
	pthread_mutex_unlock(&ms_mu);
free:
	for (int i = 0; i < n; i++) {
		hreq_fini(&reqs[i]);
		free(urls[i]);
	}
	free(urls);
	free(dst);
	free(reqs);
	free(body);
	config_put(cfg);
out:
	smap_put(s);
	bmd_put(b);
	return failed;
}

int metasync_commit_smap(smap_t *m)
{
	smap_t *cur = smap_get();
	m->version = (cur ? cur->version : 0) + 1;
	smap_put(cur);
	smap_install(m, true);
	return ms_push(false, NULL);
}

int metasync_commit_bmd(bmd_t *m)
{
	bmd_t *cur = bmd_get();
	m->version = (cur ? cur->version : 0) + 1;
	bmd_put(cur);
	bmd_install(m, true);
	return ms_push(false, NULL);
}

int metasync_commit_rmd(const rmd_t *m)
{
	rmd_install(m, false);
	return ms_push(false, NULL);
}

int metasync_commit_config(json_t *cluster, char *err, size_t errcap)
{
	const config_t *cur = config_get();
	char ver[32], ts[64];
	snprintf(ver, sizeof(ver), "%lld", (long long)(cur->version + 1));
	config_put(cur);
	fmt_rfc3339(now_ns(), ts, sizeof(ts));
	json_object_set_new(cluster, "config_version", json_string(ver));
	json_object_set_new(cluster, "lastupdate_time", json_string(ts));
	int rc = config_install_cluster(cluster, true, err, errcap);
	json_decref(cluster);
	if (rc < 0)
		return rc;
	return ms_push(false, NULL);
}

int metasync_push_all(const char *action) { return ms_push(true, action); }

void metasync_forget_acks(void)
{
	pthread_mutex_lock(&ms_mu);
	ms_nacks = 0;
	pthread_mutex_unlock(&ms_mu);
}

static void *ms_thread_fn(void *arg)
{
	(void)arg;
	while (ms_running) {
		const config_t *cfg = config_get(); /* periodic.retry_sync_time, read per round */
		int64_t wait_ns = cfg ? cfg->retry_sync_time_ns : 2000000000LL;
		config_put(cfg);
		for (int64_t t = 0; t < wait_ns && ms_running; t += 10 * 1000000LL)
			usleep(10 * 1000);
		if (ms_running && node_is_primary()) {
			metasync_lock();
			ms_push(false, NULL);
			metasync_unlock();
		}
	}
	return NULL;
}

/* the sender (Ais-Caller-Id) must be this node's primary, unless it brings a newer Smap (a
 * primary elected or designated meanwhile, AIStore's checkIntraCall): a stale primary's push
 * is refused with 409 so that it learns it no longer leads. 0 or 409 with msg filled. */
static int ms_check_sender(const http_req_t *r, json_t *payload, char *msg, size_t cap)
{
	const char *sid = http_hdr_get(r, "Ais-Caller-Id");
	smap_t *cur = smap_get();
	int rc = 0;
	if (sid && cur && cur->primary_id[0] && strcmp(sid, cur->primary_id)) {
		json_t *jv = json_object_get(json_object_get(payload, "smap"), "version");
		int64_t v = json_is_string(jv) ? atoll(json_string_value(jv)) : (int64_t)json_integer_value(jv);
		if (v <= cur->version) {
			char ss[160];
			smap_str(cur, ss, sizeof(ss));
			snprintf(msg, cap, "%s: expected metasync from primary p[%s], not p[%s] (Smap v%lld), local %s",
				 node_name(), cur->primary_id, sid, (long long)v, ss);
			rc = 409;
		}
	}
	smap_put(cur);
	return rc;
}

/* PUT /v1/metasync (receiver; runs on the pool) */
static void ms_recv_cb(http_req_t *r)
{
	char err[256] = "", msg[512];
	json_error_t jerr;
	json_t *j = jsonx_loadb(r->body, r->body_len, &jerr);
	if (!j) {
		http_error(r, 400, NULL, "metasync: malformed payload: %s", jerr.text);
		return;
	}
	if (ms_check_sender(r, j, msg, sizeof(msg))) {
		json_decref(j);
		log_warn("%s", msg);
		http_error(r, 409, NULL, "%s", msg);
		return;
	}
	int rc = metasync_apply(j, false, err, sizeof(err));
	json_decref(j);
	if (rc) {
		http_error(r, 400, NULL, "metasync: %s", err);
		return;
	}
	smap_t *cur = smap_get();
	const char *sid = http_hdr_get(r, "Ais-Caller-Id");
	if (cur && sid && !strcmp(sid, cur->primary_id))
		hb_heard(sid); /* the primary spoke: no keepalive needed for a while */
	smap_put(cur);
	http_respond(r, 200, NULL, NULL, 0);
}

static void ms_recv(http_req_t *r) { http_read_body(r, 256u << 20, ms_recv_cb, true); }

int metasync_init(void)
{
	route_add_intra(RM(HTTP_M_PUT), "/v1/metasync", ms_recv, ROUTE_MEMBER);
	ms_running = 1;
	if (pthread_create(&ms_thread, NULL, ms_thread_fn, NULL)) {
		ms_running = 0;
		return AIS_ENOMEM;
	}
	return 0;
}

void metasync_fini(void)
{
	if (!ms_running)
		return;
	ms_running = 0;
	pthread_join(ms_thread, NULL);
}
