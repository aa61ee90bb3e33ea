/* config: loads, validates, shows and versions the configuration; every field goes through its
 * row of the config table (config_tab.c). Owns the process-wide config versions.
 *
 * Versions and their lifetime (refcounted, immutable once published):
 *   g_cur --(holds 1 ref)--> version N        readers: config_get() -> ref ... config_put(ref)
 *   install(N+1): swap g_cur, wait until no reader is between "load g_cur" and "ref++", then drop
 *   the global ref of N; N is freed by whoever puts its last reference.
 * Invariants:
 *   1. a published version is never modified;
 *   2. g_gate counts readers inside config_get; an installer drops the replaced version's global
 *      reference only after observing g_gate == 0 after its swap, so every reader that saw the
 *      old pointer has already counted itself in (no use-after-free, no lock on the read side);
 *   3. installers (load, install, cleanup) are serialized by g_mu; versions only grow unless forced;
 *   4. g_features mirrors the current version's feature flags for reference-free hot-path reads.
 * Must not: parse JSON anywhere but through the table; keep raw JSON of the files. */
#include "core/config.h"
#include "core/ckey.h"
#include "core/config_tab.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_MAX_FILE (4u << 20) /* config files are a few KiB; refuse anything huge */

typedef struct config_ver {
	atomic_int refs;
	config_t c;
} config_ver_t;

static config_ver_t *_Atomic g_cur;
static atomic_int g_gate;
static _Atomic uint64_t g_features;
static atomic_int g_alive;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static int config_fail(char *err, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int config_fail(char *err, size_t errcap, const char *fmt, ...)
{
	if (err && errcap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errcap, fmt, ap);
		va_end(ap);
	}
	return AIS_EINVAL;
}

/* ---------------------------------------------------------------- one config value */

void config_fini(config_t *c)
{
	for (int i = 0; i < c->nfspaths; i++)
		free(c->fspaths[i]);
	c->nfspaths = 0;
	free(c->txt);
	c->txt = NULL;
}

int config_defaults(config_t *c)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	char err[256];
	memset(c, 0, sizeof(*c));
	c->txt = calloc(n, CONFIG_TXT_MAX);
	if (!c->txt)
		return AIS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const ctab_row_t *r = &rows[i];
		ctab_val_t v;
		if (!r->dflt || !r->size)
			continue;
		json_t *j = config_tab_from_str(r, r->dflt, err, sizeof(err));
		int rc = j ? config_tab_parse(r, j, &v, NULL, err, sizeof(err)) : AIS_EINVAL;
		if (!rc)
			config_tab_store(r, c, &v);
		json_decref(j);
		AIS_ASSERT(rc == 0); /* a default that does not parse with its own row is a table bug */
	}
	return 0;
}

int config_copy(config_t *dst, const config_t *src)
{
	size_t n;
	config_tab_rows(&n);
	memcpy(dst, src, sizeof(*dst));
	dst->nfspaths = 0;
	dst->txt = NULL;
	if (src->txt && !(dst->txt = malloc(n * CONFIG_TXT_MAX)))
		goto oom;
	if (src->txt)
		memcpy(dst->txt, src->txt, n * CONFIG_TXT_MAX);
	for (int i = 0; i < src->nfspaths; i++) {
		if (!(dst->fspaths[i] = strdup(src->fspaths[i])))
			goto oom;
		dst->nfspaths = i + 1;
	}
	return 0;
oom:
	config_fini(dst);
	return AIS_ENOMEM;
}

/* the row at `path` in the given scope */
static const ctab_row_t *cfg_row(const char *path, bool local)
{
	const ctab_row_t *r = config_tab_find(path);
	return r && !!(r->flags & CF_LOCAL) == local ? r : NULL;
}

/* is `path` a section (a prefix of some row's path) in the given scope? */
static bool cfg_is_section(const char *path, bool local)
{
	size_t n, l = strlen(path);
	const ctab_row_t *rows = config_tab_rows(&n);
	for (size_t i = 0; i < n; i++)
		if (!!(rows[i].flags & CF_LOCAL) == local && !strncmp(rows[i].path, path, l) && rows[i].path[l] == '.')
			return true;
	return false;
}

/* parse v for row r into c (v not null) */
static int cfg_set_row(config_t *c, const ctab_row_t *r, json_t *v, const char *what, char *err, size_t errcap)
{
	char msg[400];
	ctab_val_t val;
	int rc;
	switch (r->type) {
	case CT_FSPATHS:
		for (int i = 0; i < c->nfspaths; i++)
			free(c->fspaths[i]);
		c->nfspaths = 0;
		return config_tab_fspaths(c, v, what, err, errcap);
	case CT_S3KEYS:
		return config_tab_s3keys(c, v, what, err, errcap);
	case CT_BACKEND:
		return config_tab_backend(c, v, what, err, errcap);
	case CT_EMPTYOBJ:
		if (!json_is_object(v))
			return config_fail(err, errcap, "%s: %s: expecting a JSON object", what, r->path);
		if (json_object_size(v)) {
			config_fail(err, errcap, "%s: %s: not implemented by this build (expecting {})", what, r->path);
			return AIS_ENOTIMPL;
		}
		return 0;
	case CT_DROPOBJ:
		return config_tab_dropobj(r, v, what, err, errcap);
	default:
		if ((rc = config_tab_parse(r, v, &val, what, err, errcap)))
			return rc;
		if ((rc = config_tab_niy_check(r, &val, msg, sizeof(msg)))) {
			config_fail(err, errcap, "%s: %s", what, msg);
			return rc;
		}
		config_tab_store(r, c, &val);
		return 0;
	}
}

/* every member of obj (under the dotted prefix) must be a row or a section of this scope */
static int cfg_walk(config_t *c, json_t *obj, const char *prefix, bool local, const char *what, char *err, size_t errcap)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj))
		return *prefix ? config_fail(err, errcap, "%s: %s: expecting a JSON object", what, prefix)
			       : config_fail(err, errcap, "%s: expecting a JSON object", what);
	json_object_foreach(obj, key, v) {
		char path[256];
		int rc;
		if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key) >= (int)sizeof(path))
			return config_fail(err, errcap, "%s: unknown field \"%.64s...\"", what, path);
		const ctab_row_t *r = cfg_row(path, local);
		bool sect = !r && cfg_is_section(path, local);
		if (!r && !sect)
			rc = config_fail(err, errcap, "%s: unknown field \"%s\"", what, path);
		else if (json_is_null(v))
			rc = 0; /* null: keep the default, as a missing field */
		else if (r)
			rc = cfg_set_row(c, r, v, what, err, errcap);
		else
			rc = cfg_walk(c, v, path, local, what, err, errcap);
		if (rc)
			return rc;
	}
	return 0;
}

/* the JSON value at a dotted path (NULL if absent) */
static json_t *cfg_json_at(json_t *root, const char *path)
{
	char buf[256], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *o = root;
	for (char *seg = strtok_r(buf, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save))
		o = json_is_object(o) ? json_object_get(o, seg) : NULL;
	return o;
}

static int cfg_required(json_t *local, char *err, size_t errcap)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	for (size_t i = 0; i < n; i++) {
		json_t *v;
		if (!(rows[i].flags & CF_REQUIRED))
			continue;
		v = cfg_json_at(local, rows[i].path);
		if (!v || json_is_null(v))
			return config_fail(err, errcap, "local config: %s: missing %s", rows[i].path,
					   rows[i].type == CT_PORT ? "port" : "value");
	}
	return 0;
}

int config_parse(config_t *c, json_t *cluster, json_t *local, char *err, size_t errcap)
{
	int rc;
	if (err && errcap)
		err[0] = '\0';
	if ((rc = config_defaults(c))) {
		config_fail(err, errcap, "config: out of memory");
		return rc;
	}
	if ((rc = cfg_walk(c, cluster, "", false, "cluster config", err, errcap)) ||
	    (rc = cfg_walk(c, local, "", true, "local config", err, errcap)) || (rc = cfg_required(local, err, errcap)) ||
	    (rc = config_tab_test_fspaths(c, "local config", err, errcap)) ||
	    (rc = config_tab_validate(c, "cluster config", err, errcap)))
		goto fail;
	return 0;
fail:
	config_fini(c);
	return rc;
}

/* ---------------------------------------------------------------- JSON */

/* set v (reference stolen) at a dotted path, creating the sections on the way */
static int cfg_json_set(json_t *root, const char *path, json_t *v)
{
	char buf[256], *save = NULL, *next;
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *o = root;
	char *seg = strtok_r(buf, ".", &save);
	while (seg && (next = strtok_r(NULL, ".", &save))) {
		json_t *s = json_object_get(o, seg);
		if (!json_is_object(s)) {
			s = json_object();
			json_object_set_new(o, seg, s);
		}
		o = s;
		seg = next;
	}
	return seg ? json_object_set_new(o, seg, v) : (json_decref(v), -1);
}

static json_t *cfg_json(const config_t *c, bool local, bool pub)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	json_t *root = json_object();
	for (size_t i = 0; root && i < n; i++) {
		if (!!(rows[i].flags & CF_LOCAL) != local)
			continue;
		json_t *v = config_tab_json(&rows[i], c, pub);
		if (v)
			cfg_json_set(root, rows[i].path, v);
	}
	return root;
}

json_t *config_cluster_json(const config_t *c) { return cfg_json(c, false, false); }
json_t *config_public_json(const config_t *c) { return cfg_json(c, false, true); }
json_t *config_local_json(const config_t *c) { return cfg_json(c, true, false); }

/* seal (seal=true) or open every non-empty secret string s; 0 or AIS_E* */
static int cfg_crypt_str(json_t *s, bool seal)
{
	char buf[1024];
	const char *v = json_string_value(s);
	if (!v || !*v || (seal ? ckey_is_sealed(v) : !ckey_is_sealed(v)))
		return 0;
	int rc = seal ? ckey_seal(v, buf, sizeof(buf)) : ckey_open(v, buf, sizeof(buf));
	if (!rc)
		json_string_set(s, buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* seal or open the secrets (CF_SECRET rows) of a cluster JSON in place */
static int cfg_crypt(json_t *root, bool seal)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	for (size_t i = 0; i < n; i++) {
		if (!(rows[i].flags & CF_SECRET))
			continue;
		json_t *v = cfg_json_at(root, rows[i].path);
		int rc = 0;
		if (json_is_array(v)) {
			size_t k;
			json_t *e;
			json_array_foreach(v, k, e)
				if ((rc = cfg_crypt_str(json_object_get(e, "secret"), seal)))
					break;
		} else if (json_is_string(v)) {
			rc = cfg_crypt_str(v, seal);
		}
		if (rc)
			return rc;
	}
	return 0;
}

json_t *config_wire_json(const config_t *c)
{
	json_t *j = cfg_json(c, false, false);
	if (j && cfg_crypt(j, true)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *config_show_json(const config_t *c)
{
	json_t *j = cfg_json(c, false, true), *l = cfg_json(c, true, false);
	json_object_update(j, l);
	json_decref(l);
	return j;
}

/* ---------------------------------------------------------------- set-config */

static int config_apply_json(json_t *cluster, const ctab_row_t *r, json_t *in, int scope, char *err, size_t errcap)
{
	ctab_val_t v;
	int rc;
	if (r->flags & CF_GLOBAL && scope == CONFIG_SET_NODE) {
		const char *dot = strchr(r->path, '.');
		return config_fail(err, errcap, "%.*s configuration can only be globally updated",
				   dot ? (int)(dot - r->path) : (int)strlen(r->path), r->path);
	}
	switch (r->type) {
	case CT_S3KEYS:
		if ((rc = config_tab_s3keys(NULL, in, NULL, err, errcap)))
			return rc;
		return cfg_json_set(cluster, r->path, json_incref(in)) ? AIS_ENOMEM : 0;
	case CT_BACKEND:
		if ((rc = config_tab_backend(NULL, in, NULL, err, errcap)))
			return rc;
		return cfg_json_set(cluster, r->path, json_incref(in)) ? AIS_ENOMEM : 0;
	case CT_EMPTYOBJ:
	case CT_FSPATHS:
	case CT_DROPOBJ:
		config_fail(err, errcap, "%s: cannot be set at runtime by this build", r->path);
		return AIS_ENOTIMPL;
	default:
		break;
	}
	if ((rc = config_tab_parse(r, in, &v, NULL, err, errcap)) || (rc = config_tab_niy_check(r, &v, err, errcap)))
		return rc;
	json_t *canon = config_tab_val_json(r, &v);
	return canon && !cfg_json_set(cluster, r->path, canon) ? 0 : AIS_ENOMEM;
}

/* the row a set-config key names (cluster scope, settable) */
static const ctab_row_t *config_apply_row(const char *key, char *err, size_t errcap, int *rc)
{
	const ctab_row_t *r = *key && strlen(key) < 256 ? config_tab_find(key) : NULL;
	*rc = AIS_EINVAL;
	if (!r || (r->flags & CF_LOCAL)) {
		config_fail(err, errcap, "unknown property \"%.64s\"", key);
		return NULL;
	}
	if (r->flags & CF_RO) {
		config_fail(err, errcap, "property \"%s\" is readonly", key);
		return NULL;
	}
	*rc = 0;
	return r;
}

int config_apply_kv(json_t *cluster, const char *key, const char *val, int scope, char *err, size_t errcap)
{
	int rc;
	const ctab_row_t *r = config_apply_row(key, err, errcap, &rc);
	if (!r)
		return rc;
	json_t *in = config_tab_from_str(r, val, err, errcap);
	if (!in)
		return r->type == CT_S3KEYS ? AIS_ENOTIMPL : AIS_EINVAL;
	rc = config_apply_json(cluster, r, in, scope, err, errcap);
	json_decref(in);
	return rc;
}

int config_apply_value(json_t *cluster, const char *key, json_t *val, int scope, char *err, size_t errcap)
{
	int rc;
	const ctab_row_t *r = config_apply_row(key, err, errcap, &rc);
	if (!r)
		return rc;
	if (json_is_string(val) && (r->type == CT_BOOL || r->type == CT_INT)) /* "true", "3" as in the query form */
		return config_apply_kv(cluster, key, json_string_value(val), scope, err, errcap);
	return config_apply_json(cluster, r, val, scope, err, errcap);
}

/* ---------------------------------------------------------------- versions */

static config_ver_t *cfg_ver_new(void)
{
	config_ver_t *v = calloc(1, sizeof(*v));
	if (v) {
		atomic_init(&v->refs, 1);
		atomic_fetch_add(&g_alive, 1);
	}
	return v;
}

static void cfg_ver_free(config_ver_t *v)
{
	if (!v)
		return;
	config_fini(&v->c);
	free(v);
	atomic_fetch_sub(&g_alive, 1);
}

const config_t *config_get(void)
{
	atomic_fetch_add(&g_gate, 1);
	config_ver_t *v = atomic_load(&g_cur);
	if (v)
		atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
	atomic_fetch_sub(&g_gate, 1);
	return v ? &v->c : NULL;
}

void config_put(const config_t *c)
{
	if (!c)
		return;
	config_ver_t *v = (config_ver_t *)((char *)c - offsetof(config_ver_t, c));
	if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
		cfg_ver_free(v);
}

uint64_t config_features(void) { return atomic_load_explicit(&g_features, memory_order_relaxed); }

int config_versions_alive(void) { return atomic_load(&g_alive); }

/* under g_mu: make n current; returns the replaced version, whose global reference the caller
 * puts (after unlocking) */
static config_ver_t *cfg_swap(config_ver_t *n)
{
	atomic_store(&g_features, n ? n->c.features : 0);
	config_ver_t *old = atomic_exchange(&g_cur, n);
	while (atomic_load(&g_gate)) /* invariant 2: readers that may hold `old` without a reference */
		sched_yield();
	if (n && (!old || old->c.log_level != n->c.log_level))
		log_set_level(n->c.log_level);
	return old;
}

/* 0600: the cluster config holds secrets (s3 keys, the HMAC token key) */
static void cfg_persist(const config_t *c)
{
	char path[1100];
	if (!c->confdir[0])
		return;
	snprintf(path, sizeof(path), "%s/.ais.conf", c->confdir);
	json_t *j = config_cluster_json(c);
	char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (!txt || fsops_mkdir_p(c->confdir) || fsops_write_atomic_mode(path, txt, strlen(txt), 0600))
		log_err("failed to persist cluster config v%lld to %s", (long long)c->version, path);
	free(txt);
	json_decref(j);
}

/* called after each install (config_set_listener) */
static void (*_Atomic g_listener)(const config_t *old, const config_t *cur);

int config_install_cluster(json_t *cluster, bool force, char *err, size_t errcap)
{
	if (cfg_crypt(cluster, false))
		return config_fail(err, errcap, "config: a secret does not open with this node's cluster key "
					       "(a config of another cluster, or tampered with)");
	const config_t *cur = config_get();
	if (!cur)
		return config_fail(err, errcap, "config: not loaded");
	json_t *local = config_local_json(cur);
	config_put(cur);
	config_ver_t *n = cfg_ver_new();
	int rc = n && local ? config_parse(&n->c, cluster, local, err, errcap) : AIS_ENOMEM;
	json_decref(local);
	if (rc) {
		cfg_ver_free(n);
		return rc;
	}
	pthread_mutex_lock(&g_mu);
	config_ver_t *now = atomic_load(&g_cur);
	if (!force && now && n->c.version <= now->c.version) {
		pthread_mutex_unlock(&g_mu);
		cfg_ver_free(n);
		return 0;
	}
	cfg_persist(&n->c);
	config_ver_t *old = cfg_swap(n);
	pthread_mutex_unlock(&g_mu);
	void (*cb)(const config_t *, const config_t *) = atomic_load(&g_listener);
	if (cb && old)
		cb(&old->c, &n->c);
	if (old)
		config_put(&old->c);
	return 1;
}

void config_set_listener(void (*cb)(const config_t *old, const config_t *cur)) { atomic_store(&g_listener, cb); }

void config_cleanup(void)
{
	pthread_mutex_lock(&g_mu);
	config_ver_t *old = cfg_swap(NULL);
	pthread_mutex_unlock(&g_mu);
	if (old)
		config_put(&old->c);
}

/* ---------------------------------------------------------------- load */

static int config_read_json(const char *what, const char *path, json_t **out, char *err, size_t errcap)
{
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;
	int rc = fsops_read_file(path, CONFIG_MAX_FILE, &buf, &len);
	if (rc) {
		config_fail(err, errcap, "%s: failed to read %s: %s", what, path, err_str(rc));
		return rc;
	}
	*out = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!*out)
		return config_fail(err, errcap, "%s: %s: invalid JSON at line %d column %d: %s", what, path, jerr.line,
				   jerr.column, jerr.text);
	return 0;
}

/* the persisted cluster config (<confdir>/.ais.conf) replaces v's cluster part when newer (as in
 * AIStore); an unreadable or invalid one fails the load (it holds the cluster's accepted state) */
static int config_maybe_persisted(config_ver_t **pv, json_t *local, char *err, size_t errcap)
{
	char path[1100], perr[400];
	json_t *j = NULL;
	config_ver_t *v = *pv;
	snprintf(path, sizeof(path), "%s/.ais.conf", v->c.confdir);
	if (!v->c.confdir[0] || (access(path, F_OK) && errno == ENOENT))
		return 0;
	int rc = config_read_json("persisted cluster config", path, &j, err, errcap);
	if (rc)
		return rc;
	config_ver_t *p = cfg_ver_new();
	rc = p ? config_parse(&p->c, j, local, perr, sizeof(perr)) : AIS_ENOMEM;
	json_decref(j);
	if (rc) {
		cfg_ver_free(p);
		config_fail(err, errcap, "%s: %s", path, perr);
		return rc;
	}
	if (p->c.version > v->c.version) {
		cfg_ver_free(v);
		*pv = p;
	} else {
		cfg_ver_free(p);
	}
	return 0;
}

int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap)
{
	json_t *cluster = NULL, *local = NULL;
	config_ver_t *v = cfg_ver_new();
	int rc;
	if (!v)
		return AIS_ENOMEM;
	if ((rc = config_read_json("cluster config", cluster_path, &cluster, err, errcap)) ||
	    (rc = config_read_json("local config", local_path, &local, err, errcap)))
		goto cleanup;
	if ((rc = config_parse(&v->c, cluster, local, err, errcap)))
		goto cleanup;
	if ((rc = config_maybe_persisted(&v, local, err, errcap)))
		goto cleanup;
	pthread_mutex_lock(&g_mu);
	config_ver_t *old = cfg_swap(v);
	pthread_mutex_unlock(&g_mu);
	v = NULL;
	if (old)
		config_put(&old->c);
cleanup:
	cfg_ver_free(v);
	json_decref(cluster);
	json_decref(local);
	return rc;
}
