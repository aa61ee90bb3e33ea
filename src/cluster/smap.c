/* smap: the node's current cluster map plus pure Smap operations and the AIStore JSON codec.
 * Invariants: an installed smap_t is never modified (clone → modify → install); versions only
 * grow (smap_install rejects older/equal unless forced); node arrays stay sorted by id so every
 * node iterates targets in the same order (HRW tie-breaking is then identical cluster-wide).
 * The current-map pointer is guarded by a mutex; refcounts are atomic. */
#include "cluster/smap.h"
#include "core/jsonx.h"
#include "core/hrw.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "net/tls.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t smap_mu = PTHREAD_MUTEX_INITIALIZER;
static smap_t *smap_cur;
static char smap_path[1024];
static void (*smap_listener)(const smap_t *old, const smap_t *cur); /* set once at start-up */

void smap_set_listener(void (*cb)(const smap_t *old, const smap_t *cur)) { smap_listener = cb; }

smap_t *smap_new(void)
{
	smap_t *m = calloc(1, sizeof(*m));
	if (m)
		m->refs = 1;
	return m;
}

void smap_free(smap_t *m)
{
	if (!m)
		return;
	free(m->proxies);
	free(m->targets);
	free(m);
}

smap_t *smap_clone(const smap_t *m)
{
	smap_t *c = smap_new();
	if (!c)
		return NULL;
	memcpy(c->uuid, m->uuid, sizeof(c->uuid));
	memcpy(c->creation_time, m->creation_time, sizeof(c->creation_time));
	memcpy(c->primary_id, m->primary_id, sizeof(c->primary_id));
	c->version = m->version;
	if (m->nproxies) {
		c->proxies = malloc(sizeof(snode_t) * (size_t)m->nproxies);
		if (!c->proxies)
			goto fail;
		memcpy(c->proxies, m->proxies, sizeof(snode_t) * (size_t)m->nproxies);
		c->nproxies = m->nproxies;
	}
	if (m->ntargets) {
		c->targets = malloc(sizeof(snode_t) * (size_t)m->ntargets);
		if (!c->targets)
			goto fail;
		memcpy(c->targets, m->targets, sizeof(snode_t) * (size_t)m->ntargets);
		c->ntargets = m->ntargets;
	}
	return c;
fail:
	smap_free(c);
	return NULL;
}

smap_t *smap_get(void)
{
	pthread_mutex_lock(&smap_mu);
	smap_t *m = smap_cur;
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&smap_mu);
	return m;
}

void smap_put(smap_t *m)
{
	if (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		smap_free(m);
}

void smap_set_persist_path(const char *path) { snprintf(smap_path, sizeof(smap_path), "%s", path); }

static void smap_persist(const smap_t *m)
{
	if (!smap_path[0])
		return;
	json_t *j = smap_to_json(m);
	char *s = j ? jsonx_dumps(j) : NULL;
	if (!s || fsops_write_atomic(smap_path, s, strlen(s)))
		log_err("failed to persist Smap v%lld to %s", (long long)m->version, smap_path);
	free(s);
	json_decref(j);
}

/* what every installed Smap satisfies: node arrays sorted by id with no duplicates (placement
 * and lookups rely on it), each node of the right type, a non-negative version */
static void smap_check(const smap_t *m)
{
	AIS_ASSERT(m->version >= 0);
	for (int i = 0; i < m->ntargets; i++) {
		AIS_ASSERT(m->targets[i].type == 't' && m->targets[i].id[0]);
		AIS_ASSERT(i == 0 || strcmp(m->targets[i - 1].id, m->targets[i].id) < 0);
	}
	for (int i = 0; i < m->nproxies; i++) {
		AIS_ASSERT(m->proxies[i].type == 'p' && m->proxies[i].id[0]);
		AIS_ASSERT(i == 0 || strcmp(m->proxies[i - 1].id, m->proxies[i].id) < 0);
	}
}

int smap_install(smap_t *m, bool force)
{
	smap_check(m);
	static pthread_mutex_t listener_mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&listener_mu); /* listeners see installs in order */
	pthread_mutex_lock(&smap_mu);
	if (!force && smap_cur && m->version <= smap_cur->version) {
		pthread_mutex_unlock(&smap_mu);
		pthread_mutex_unlock(&listener_mu);
		smap_put(m);
		return 0;
	}
	smap_t *old = smap_cur;
	smap_cur = m;
	smap_persist(m);
	pthread_mutex_unlock(&smap_mu);
	log_info("Smap v%lld installed: %d proxies, %d targets, primary %s", (long long)m->version,
		 m->nproxies, m->ntargets, m->primary_id);
	if (smap_listener)
		smap_listener(old, m);
	pthread_mutex_unlock(&listener_mu);
	smap_put(old);
	return 1;
}

int smap_load_persisted(void)
{
	char *s = NULL, err[256] = "";
	size_t len = 0;
	if (!smap_path[0] || fsops_read_file(smap_path, 64 << 20, &s, &len))
		return AIS_ENOTFOUND;
	json_t *j = jsonx_loadb(s, len, NULL);
	free(s);
	smap_t *m = j ? smap_from_json(j, err, sizeof(err)) : NULL;
	json_decref(j);
	if (!m) {
		log_warn("ignoring corrupt persisted Smap %s: %s", smap_path, err);
		return AIS_EINVAL;
	}
	smap_install(m, true);
	return 0;
}

static bool snode_electable(const snode_t *p)
{
	return !(p->flags & (SNODE_NONELECTABLE | SNODE_MAINT | SNODE_DECOMM));
}

const snode_t *smap_hrw_proxy(const smap_t *m, const char *skip)
{
	const snode_t *best = NULL;
	for (int i = 0; m && i < m->nproxies; i++) {
		const snode_t *p = &m->proxies[i];
		if ((skip && !strcmp(p->id, skip)) || !snode_electable(p))
			continue;
		if (!best || p->id_digest > best->id_digest)
			best = p;
	}
	return best;
}

int smap_hrw_proxies(const smap_t *m, const char *skip, const snode_t **out, int cap)
{
	int n = 0;
	for (int i = 0; m && i < m->nproxies && n < cap; i++) {
		const snode_t *p = &m->proxies[i];
		if ((skip && !strcmp(p->id, skip)) || !snode_electable(p))
			continue;
		int k = n++;
		/* insertion by digest, highest first (ties keep the id order, as smap_hrw_proxy) */
		while (k > 0 && out[k - 1]->id_digest < p->id_digest) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = p;
	}
	return n;
}

void smap_str(const smap_t *m, char *out, size_t cap)
{
	if (!m) {
		snprintf(out, cap, "Smap <nil>");
		return;
	}
	snprintf(out, cap, "Smap v%lld[%s, p[%s], t=%d, p=%d]", (long long)m->version, m->uuid, m->primary_id,
		 m->ntargets, m->nproxies);
}

static int snode_cmp(const void *a, const void *b)
{
	return strcmp(((const snode_t *)a)->id, ((const snode_t *)b)->id);
}

int smap_upsert(smap_t *m, const snode_t *n)
{
	snode_t **arr = n->type == 'p' ? &m->proxies : &m->targets;
	int *cnt = n->type == 'p' ? &m->nproxies : &m->ntargets;
	for (int i = 0; i < *cnt; i++) {
		if (!strcmp((*arr)[i].id, n->id)) {
			(*arr)[i] = *n;
			return 0;
		}
	}
	snode_t *na = realloc(*arr, sizeof(snode_t) * (size_t)(*cnt + 1));
	if (!na)
		return AIS_ENOMEM;
	na[*cnt] = *n;
	*arr = na;
	(*cnt)++;
	qsort(*arr, (size_t)*cnt, sizeof(snode_t), snode_cmp);
	return 0;
}

static int smap_remove_from(snode_t *arr, int *cnt, const char *id)
{
	for (int i = 0; i < *cnt; i++) {
		if (strcmp(arr[i].id, id))
			continue;
		memmove(&arr[i], &arr[i + 1], sizeof(snode_t) * (size_t)(*cnt - i - 1));
		(*cnt)--;
		return 0;
	}
	return AIS_ENOTFOUND;
}

int smap_remove(smap_t *m, const char *id)
{
	if (!smap_remove_from(m->proxies, &m->nproxies, id))
		return 0;
	return smap_remove_from(m->targets, &m->ntargets, id);
}

const snode_t *smap_find(const smap_t *m, const char *id)
{
	for (int i = 0; i < m->nproxies; i++)
		if (!strcmp(m->proxies[i].id, id))
			return &m->proxies[i];
	for (int i = 0; i < m->ntargets; i++)
		if (!strcmp(m->targets[i].id, id))
			return &m->targets[i];
	return NULL;
}

const snode_t *smap_primary(const smap_t *m) { return smap_find(m, m->primary_id); }

static bool snode_in_placement(const snode_t *n) { return !(n->flags & (SNODE_MAINT | SNODE_DECOMM)); }

int smap_active_targets(const smap_t *m)
{
	int k = 0;
	for (int i = 0; i < m->ntargets; i++)
		k += snode_in_placement(&m->targets[i]);
	return k;
}

const snode_t *smap_owner(const smap_t *m, uint64_t d)
{
	const snode_t *best = NULL;
	uint64_t best_h = 0;
	for (int i = 0; i < m->ntargets; i++) {
		const snode_t *t = &m->targets[i];
		if (!snode_in_placement(t))
			continue;
		uint64_t h = hrw_mix(t->id_digest ^ d);
		if (!best || h >= best_h) {
			best = t;
			best_h = h;
		}
	}
	return best;
}

const snode_t *smap_owner_of(const smap_t *m, const char *provider, const char *ns, const char *bucket,
			     const char *obj)
{
	uint64_t d;
	if (!m || hrw_obj_digest(provider, ns, bucket, obj, &d))
		return NULL;
	return smap_owner(m, d);
}

void snode_url(char *out, size_t cap, const char *host, int port)
{
	/* an IPv6 literal goes in brackets (RFC 3986): "http://[::1]:8080"; https with
	 * net.http.use_https (AIStore's HTTPConf.Proto) */
	bool v6 = strchr(host, ':') && host[0] != '[';
	snprintf(out, cap, v6 ? "%s://[%s]:%d" : "%s://%s:%d", tls_scheme(), host, port);
}

static void netinfo_set(netinfo_t *ni, const char *host, int port)
{
	snprintf(ni->host, sizeof(ni->host), "%s", host && *host ? host : "127.0.0.1");
	ni->port = port;
	snode_url(ni->url, sizeof(ni->url), ni->host, port);
}

void snode_init(snode_t *n, const char *id, char type, const char *host, int pub, int ctl, int data)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->id, sizeof(n->id), "%s", id);
	n->type = type;
	netinfo_set(&n->pub, host, pub);
	netinfo_set(&n->ctl, host, ctl);
	netinfo_set(&n->data, host, data);
	n->id_digest = hrw_digest(id, strlen(id));
}

/* ---- JSON ---- */

static json_t *netinfo_to_json(const netinfo_t *ni)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", ni->port);
	return json_pack("{s:s, s:s, s:s}", "node_ip_addr", ni->host, "daemon_port", port, "direct_url", ni->url);
}

json_t *snode_to_json(const snode_t *n)
{
	return json_pack("{s:o, s:o, s:o, s:s, s:s, s:I, s:o}", "public_net", netinfo_to_json(&n->pub),
			 "intra_control_net", netinfo_to_json(&n->ctl), "intra_data_net", netinfo_to_json(&n->data),
			 "daemon_type", n->type == 'p' ? "proxy" : "target", "daemon_id", n->id,
			 "flags", (json_int_t)n->flags, "id_digest", jsonx_u64(n->id_digest));
}

static int netinfo_from_json(json_t *j, netinfo_t *ni)
{
	const char *host = json_string_value(json_object_get(j, "node_ip_addr"));
	json_t *jp = json_object_get(j, "daemon_port");
	const char *url = json_string_value(json_object_get(j, "direct_url"));
	if (!host || !jp)
		return AIS_EINVAL;
	int port = json_is_string(jp) ? atoi(json_string_value(jp)) : (int)json_integer_value(jp);
	if (port <= 0 || port > 65535)
		return AIS_EINVAL;
	netinfo_set(ni, host, port);
	if (url && *url)
		snprintf(ni->url, sizeof(ni->url), "%s", url);
	return 0;
}

int snode_from_json(json_t *j, snode_t *n)
{
	memset(n, 0, sizeof(*n));
	const char *id = json_string_value(json_object_get(j, "daemon_id"));
	const char *type = json_string_value(json_object_get(j, "daemon_type"));
	if (!id || !*id || strlen(id) >= sizeof(n->id) || !type)
		return AIS_EINVAL;
	if (!strcmp(type, "proxy"))
		n->type = 'p';
	else if (!strcmp(type, "target"))
		n->type = 't';
	else
		return AIS_EINVAL;
	snprintf(n->id, sizeof(n->id), "%s", id);
	if (netinfo_from_json(json_object_get(j, "public_net"), &n->pub) ||
	    netinfo_from_json(json_object_get(j, "intra_control_net"), &n->ctl) ||
	    netinfo_from_json(json_object_get(j, "intra_data_net"), &n->data))
		return AIS_EINVAL;
	n->flags = (uint64_t)json_integer_value(json_object_get(j, "flags"));
	n->id_digest = hrw_digest(n->id, strlen(n->id));
	return 0;
}

json_t *smap_to_json(const smap_t *m)
{
	json_t *pmap = json_object(), *tmap = json_object();
	for (int i = 0; i < m->nproxies; i++)
		json_object_set_new(pmap, m->proxies[i].id, snode_to_json(&m->proxies[i]));
	for (int i = 0; i < m->ntargets; i++)
		json_object_set_new(tmap, m->targets[i].id, snode_to_json(&m->targets[i]));
	const snode_t *p = smap_primary(m);
	char ver[32];
	snprintf(ver, sizeof(ver), "%lld", (long long)m->version);
	return json_pack("{s:o, s:o, s:o, s:s, s:s, s:s}", "pmap", pmap, "proxy_si",
			 p ? snode_to_json(p) : json_null(), "tmap", tmap, "uuid", m->uuid, "creation_time",
			 m->creation_time, "version", ver);
}

static int smap_nodes_from_json(smap_t *m, json_t *map, char type)
{
	const char *key;
	json_t *v;
	if (!json_is_object(map))
		return map && !json_is_null(map) ? AIS_EINVAL : 0;
	json_object_foreach(map, key, v) {
		snode_t n;
		if (snode_from_json(v, &n) || n.type != type || smap_upsert(m, &n))
			return AIS_EINVAL;
	}
	return 0;
}

smap_t *smap_from_json(json_t *j, char *err, size_t errcap)
{
	smap_t *m = smap_new();
	if (!m || !json_is_object(j)) {
		snprintf(err, errcap, "smap: not a JSON object");
		goto fail;
	}
	json_t *jv = json_object_get(j, "version");
	const char *vs = json_string_value(jv);
	m->version = vs ? atoll(vs) : (int64_t)json_integer_value(jv);
	const char *uuid = json_string_value(json_object_get(j, "uuid"));
	const char *ct = json_string_value(json_object_get(j, "creation_time"));
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid ? uuid : "");
	snprintf(m->creation_time, sizeof(m->creation_time), "%s", ct ? ct : "");
	if (smap_nodes_from_json(m, json_object_get(j, "pmap"), 'p') ||
	    smap_nodes_from_json(m, json_object_get(j, "tmap"), 't')) {
		snprintf(err, errcap, "smap: invalid node entry");
		goto fail;
	}
	json_t *psi = json_object_get(j, "proxy_si");
	const char *pid = json_string_value(json_object_get(psi, "daemon_id"));
	snprintf(m->primary_id, sizeof(m->primary_id), "%s", pid ? pid : "");
	return m;
fail:
	smap_free(m);
	return NULL;
}
