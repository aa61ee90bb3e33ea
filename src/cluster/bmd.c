/* bmd: the node's current bucket metadata plus pure BMD operations and the AIStore JSON codec
 * ({"providers":{"ais":{"@#":{"<bck>":{Bprops}}}},"uuid","version":"N"}).
 * Invariants as smap: installed BMDs are immutable, versions only grow, refcounted readers.
 * Each bucket's full props JSON is kept; it is created and changed only through the bucket
 * props table (bprops.c: defaults inherited from the cluster config, validated set-bprops);
 * hot fields (checksum type, validation, versioning) are re-derived by bck_sync_hot(). A
 * bucket's extension metadata (`ext`, see bmd.h) is opaque here: cloned, freed, and coded as
 * the top-level "ext" member. */
#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "core/jsonx.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_GLOBAL_UNAME "@#"

static pthread_mutex_t bmd_mu = PTHREAD_MUTEX_INITIALIZER;
static bmd_t *bmd_cur;
static char bmd_path[1024];
static void (*bmd_listener)(const bmd_t *old, const bmd_t *cur);

bmd_t *bmd_new(void)
{
	bmd_t *m = calloc(1, sizeof(*m));
	if (m)
		m->refs = 1;
	return m;
}

void bmd_free(bmd_t *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nbcks; i++) {
		json_decref(m->bcks[i].props);
		json_decref(m->bcks[i].ext);
	}
	free(m->bcks);
	free(m);
}

bmd_t *bmd_clone(const bmd_t *m)
{
	bmd_t *c = bmd_new();
	if (!c)
		return NULL;
	c->version = m->version;
	memcpy(c->uuid, m->uuid, sizeof(c->uuid));
	if (m->nbcks) {
		c->bcks = malloc(sizeof(bck_t) * (size_t)m->nbcks);
		if (!c->bcks) {
			bmd_free(c);
			return NULL;
		}
		for (int i = 0; i < m->nbcks; i++) {
			c->bcks[i] = m->bcks[i];
			c->bcks[i].props = json_deep_copy(m->bcks[i].props);
			c->bcks[i].ext = m->bcks[i].ext ? json_deep_copy(m->bcks[i].ext) : NULL;
		}
		c->nbcks = m->nbcks;
	}
	return c;
}

bmd_t *bmd_get(void)
{
	pthread_mutex_lock(&bmd_mu);
	bmd_t *m = bmd_cur;
	if (m)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&bmd_mu);
	return m;
}

void bmd_put(bmd_t *m)
{
	if (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		bmd_free(m);
}

void bmd_set_persist_path(const char *path) { snprintf(bmd_path, sizeof(bmd_path), "%s", path); }
void bmd_set_listener(void (*cb)(const bmd_t *old, const bmd_t *cur)) { bmd_listener = cb; }

static void bmd_persist(const bmd_t *m)
{
	if (!bmd_path[0])
		return;
	json_t *j = bmd_to_json(m);
	char *s = j ? jsonx_dumps(j) : NULL;
	if (!s || fsops_write_atomic(bmd_path, s, strlen(s)))
		log_err("failed to persist BMD v%lld to %s", (long long)m->version, bmd_path);
	free(s);
	json_decref(j);
}

/* what every installed BMD satisfies: unique (provider, ns, name), non-empty names */
static void bmd_check(const bmd_t *m)
{
	AIS_ASSERT(m->version >= 0);
	for (int i = 0; i < m->nbcks; i++) {
		const bck_t *b = &m->bcks[i];
		AIS_ASSERT(b->name[0] && b->provider[0]);
		for (int k = i + 1; k < m->nbcks; k++)
			AIS_ASSERT(strcmp(b->name, m->bcks[k].name) || strcmp(b->provider, m->bcks[k].provider) ||
				   strcmp(b->ns, m->bcks[k].ns));
	}
}

static int bmd_install_as(bmd_t *m, bool force, bool keep_data)
{
	bmd_check(m);
	static pthread_mutex_t listener_mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&listener_mu); /* listeners see installs in order */
	pthread_mutex_lock(&bmd_mu);
	if (!force && bmd_cur && m->version <= bmd_cur->version) {
		pthread_mutex_unlock(&bmd_mu);
		pthread_mutex_unlock(&listener_mu);
		bmd_put(m);
		return 0;
	}
	bmd_t *old = bmd_cur;
	bmd_cur = m;
	bmd_persist(m);
	pthread_mutex_unlock(&bmd_mu);
	log_info("BMD v%lld installed: %d buckets%s", (long long)m->version, m->nbcks, keep_data ? " (keeping local data)" : "");
	/* keep_data: the listener sees no previous version, so no bucket counts as destroyed */
	if (bmd_listener)
		bmd_listener(keep_data ? NULL : old, m);
	pthread_mutex_unlock(&listener_mu);
	bmd_put(old);
	return 1;
}

int bmd_install(bmd_t *m, bool force) { return bmd_install_as(m, force, false); }
int bmd_install_keep(bmd_t *m) { return bmd_install_as(m, true, true); }

int bmd_load_persisted(void)
{
	char *s = NULL, err[256] = "";
	size_t len = 0;
	if (!bmd_path[0] || fsops_read_file(bmd_path, 256 << 20, &s, &len))
		return AIS_ENOTFOUND;
	json_t *j = jsonx_loadb(s, len, NULL);
	free(s);
	bmd_t *m = j ? bmd_from_json(j, err, sizeof(err)) : NULL;
	json_decref(j);
	if (!m) {
		log_warn("ignoring corrupt persisted BMD %s: %s", bmd_path, err);
		return AIS_EINVAL;
	}
	bmd_install(m, true);
	return 0;
}

bool bck_node_local(const char *provider, const char *name)
{
	return (!provider[0] || !strcmp(provider, "ais")) && !strcmp(name, BCK_SYS_SHARDIDX);
}

bool bck_name_valid(const char *name)
{
	size_t l = strlen(name);
	if (!strcmp(name, BCK_SYS_SHARDIDX) || !strcmp(name, BCK_SYS_NBI))
		return true; /* AIStore's system buckets (cmn.Bck.IsSystem); other '.' names are reserved */
	if (l == 0 || l > BCK_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
			continue;
		if (c != '.' || name[i + 1] == '.')
			return false;
	}
	return true;
}


const bck_t *bmd_find(const bmd_t *m, const char *provider, const char *ns, const char *name)
{
	if (!m)
		return NULL;
	for (int i = 0; i < m->nbcks; i++) {
		const bck_t *b = &m->bcks[i];
		if (!strcmp(b->name, name) && !strcmp(b->provider, provider) && !strcmp(b->ns, ns ? ns : ""))
			return b;
	}
	return NULL;
}

void bck_sync_hot(bck_t *b)
{
	int t = cksum_type_from_str(bprops_str(b->props, "checksum.type", "none"));
	b->cksum_type = t < 0 ? CKSUM_NONE : (cksum_type_t)t;
	b->validate_warm_get = bprops_bool(b->props, "checksum.validate_warm_get", false);
	b->validate_cold_get = bprops_bool(b->props, "checksum.validate_cold_get", false);
	b->versioning = bprops_bool(b->props, "versioning.enabled", true);
	json_t *mc = json_object_get(json_object_get(b->props, "mirror"), "copies");
	b->mirror_copies = bprops_bool(b->props, "mirror.enabled", false) && json_is_integer(mc)
				   ? (int)json_integer_value(mc) : 0;
	json_t *mb = json_object_get(json_object_get(b->props, "mirror"), "burst_buffer");
	b->mirror_burst = json_is_integer(mb) && json_integer_value(mb) > 0 ? (int)json_integer_value(mb) : 0;
	json_t *ec = json_object_get(b->props, "ec");
	b->ec_enabled = json_is_true(json_object_get(ec, "enabled"));
	b->ec_d = (int)json_integer_value(json_object_get(ec, "data_slices"));
	b->ec_p = (int)json_integer_value(json_object_get(ec, "parity_slices"));
	b->ec_limit = (int64_t)json_integer_value(json_object_get(ec, "objsize_limit"));
	b->bid = jsonx_get_u64(json_object_get(b->props, "bid"));
	b->created = (int64_t)jsonx_get_u64(json_object_get(b->props, "created"));
}

int bmd_add(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *props)
{
	char err[256], s[32];
	if (bmd_find(m, provider, ns, name))
		return AIS_EEXIST;
	const config_t *cfg = config_get();
	json_t *p = bprops_default(provider, cfg); /* AIStore's DefaultProps: inherited from the cluster config */
	config_put(cfg);
	if (!p)
		return AIS_ENOMEM;
	int rc = json_is_object(props) ? bprops_apply(&p, props, err, sizeof(err)) : 0;
	bck_t *nb = rc ? NULL : realloc(m->bcks, sizeof(bck_t) * (size_t)(m->nbcks + 1));
	if (!nb) {
		json_decref(p);
		return rc ? rc : AIS_ENOMEM;
	}
	m->bcks = nb;
	bck_t *b = &m->bcks[m->nbcks];
	memset(b, 0, sizeof(*b));
	snprintf(b->provider, sizeof(b->provider), "%s", provider);
	snprintf(b->ns, sizeof(b->ns), "%s", ns ? ns : "");
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->props = p;
	snprintf(s, sizeof(s), "%llu", (unsigned long long)(rand_u64() >> 1));
	json_object_set_new(b->props, "bid", json_string(s));
	snprintf(s, sizeof(s), "%lld", (long long)now_ns());
	json_object_set_new(b->props, "created", json_string(s));
	json_object_set_new(b->props, "provider", json_string(provider));
	bck_sync_hot(b);
	m->nbcks++;
	return 0;
}

int bmd_del(bmd_t *m, const char *provider, const char *ns, const char *name)
{
	const bck_t *b = bmd_find(m, provider, ns, name);
	if (!b)
		return AIS_ENOBUCKET;
	int i = (int)(b - m->bcks);
	json_decref(m->bcks[i].props);
	json_decref(m->bcks[i].ext);
	memmove(&m->bcks[i], &m->bcks[i + 1], sizeof(bck_t) * (size_t)(m->nbcks - i - 1));
	m->nbcks--;
	return 0;
}

int bmd_set_props(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *patch,
		  char *err, size_t errcap)
{
	const bck_t *cb = bmd_find(m, provider, ns, name);
	if (!cb) {
		snprintf(err, errcap, "bucket \"%s://%s\" does not exist", provider, name);
		return AIS_ENOBUCKET;
	}
	bck_t *b = &m->bcks[cb - m->bcks];
	int rc = bprops_apply(&b->props, patch, err, errcap);
	if (rc)
		return rc;
	bck_sync_hot(b);
	return 0;
}

int bmd_set_ext(bmd_t *m, const char *provider, const char *ns, const char *name, json_t *ext)
{
	const bck_t *cb = bmd_find(m, provider, ns, name);
	if (!cb) {
		json_decref(ext);
		return AIS_ENOBUCKET;
	}
	bck_t *b = &m->bcks[cb - m->bcks];
	json_decref(b->ext);
	b->ext = json_is_object(ext) ? ext : NULL;
	if (ext && !b->ext)
		json_decref(ext);
	return 0;
}

/* {"<provider>":{"<ns>":{...}}} -> the (borrowed) object for b's provider and namespace, created
 * when missing */
static json_t *bmd_json_ns(json_t *top, const bck_t *b)
{
	json_t *nss = json_object_get(top, b->provider);
	if (!nss) {
		nss = json_object();
		json_object_set_new(top, b->provider, nss);
	}
	const char *nsk = b->ns[0] ? b->ns : NS_GLOBAL_UNAME;
	json_t *bcks = json_object_get(nss, nsk);
	if (!bcks) {
		bcks = json_object();
		json_object_set_new(nss, nsk, bcks);
	}
	return bcks;
}

json_t *bmd_to_json(const bmd_t *m)
{
	json_t *providers = json_object(), *ext = NULL;
	for (int i = 0; i < m->nbcks; i++) {
		const bck_t *b = &m->bcks[i];
		json_object_set(bmd_json_ns(providers, b), b->name, b->props);
		if (b->ext) {
			if (!ext)
				ext = json_object();
			json_object_set(bmd_json_ns(ext, b), b->name, b->ext);
		}
	}
	char ver[32];
	snprintf(ver, sizeof(ver), "%lld", (long long)m->version);
	json_t *j = json_pack("{s:o, s:s, s:s}", "providers", providers, "uuid", m->uuid, "version", ver);
	if (j && ext)
		json_object_set_new(j, "ext", ext);
	else
		json_decref(ext);
	return j;
}

bmd_t *bmd_from_json(json_t *j, char *err, size_t errcap)
{
	bmd_t *m = bmd_new();
	if (!m || !json_is_object(j)) {
		snprintf(err, errcap, "bmd: not a JSON object");
		goto fail;
	}
	json_t *jv = json_object_get(j, "version");
	m->version = json_is_string(jv) ? atoll(json_string_value(jv)) : (int64_t)json_integer_value(jv);
	snprintf(m->uuid, sizeof(m->uuid), "%s", jsonx_str(j, "uuid", ""));
	const char *prov, *nsk, *bname;
	json_t *nss, *bcks, *props;
	json_t *ext = json_object_get(j, "ext");
	json_object_foreach(json_object_get(j, "providers"), prov, nss) {
		json_object_foreach(nss, nsk, bcks) {
			json_object_foreach(bcks, bname, props) {
				if (!json_is_object(props) || strlen(prov) >= sizeof(m->bcks[0].provider) ||
				    strlen(bname) > BCK_NAME_MAX || strlen(nsk) >= sizeof(m->bcks[0].ns)) {
					snprintf(err, errcap, "bmd: invalid bucket entry %s", bname);
					goto fail;
				}
				bck_t *nb = realloc(m->bcks, sizeof(bck_t) * (size_t)(m->nbcks + 1));
				if (!nb)
					goto fail;
				m->bcks = nb;
				bck_t *b = &m->bcks[m->nbcks++];
				memset(b, 0, sizeof(*b));
				snprintf(b->provider, sizeof(b->provider), "%s", prov);
				snprintf(b->ns, sizeof(b->ns), "%s", strcmp(nsk, NS_GLOBAL_UNAME) ? nsk : "");
				snprintf(b->name, sizeof(b->name), "%s", bname);
				b->props = json_incref(props);
				json_t *x = json_object_get(json_object_get(json_object_get(ext, prov), nsk), bname);
				b->ext = json_is_object(x) ? json_incref(x) : NULL;
				bck_sync_hot(b);
			}
		}
	}
	return m;
fail:
	bmd_free(m);
	return NULL;
}
