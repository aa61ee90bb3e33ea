/* rmd: the node's current rebalance metadata and its JSON codec (see rmd.h).
 * Invariants: the installed version only grows (unless forced); it is persisted before the
 * listener hears of it, so a restarted node never runs a rebalance it already ran; listeners see
 * installs in order (install_mu serializes install + callback). */
#include "cluster/rmd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/jsonx.h"
#include "core/log.h"

static pthread_mutex_t rmd_mu = PTHREAD_MUTEX_INITIALIZER;      /* rmd_cur */
static pthread_mutex_t rmd_install_mu = PTHREAD_MUTEX_INITIALIZER; /* install + listener */
static rmd_t rmd_cur;
static char rmd_path[1024];
static void (*rmd_listener)(const rmd_t *old, const rmd_t *cur);

void rmd_get(rmd_t *out)
{
	pthread_mutex_lock(&rmd_mu);
	*out = rmd_cur;
	pthread_mutex_unlock(&rmd_mu);
}

int64_t rmd_version(void)
{
	pthread_mutex_lock(&rmd_mu);
	int64_t v = rmd_cur.version;
	pthread_mutex_unlock(&rmd_mu);
	return v;
}

void rmd_set_persist_path(const char *path) { snprintf(rmd_path, sizeof(rmd_path), "%s", path); }
void rmd_set_listener(void (*cb)(const rmd_t *old, const rmd_t *cur)) { rmd_listener = cb; }

void rmd_xid(int64_t version, char *out, size_t cap) { snprintf(out, cap, "g%lld", (long long)version); }

static void rmd_persist(const rmd_t *m)
{
	if (!rmd_path[0])
		return;
	json_t *j = rmd_to_json(m);
	char *s = j ? jsonx_dumps(j) : NULL;
	if (!s || fsops_write_atomic(rmd_path, s, strlen(s)))
		log_err("failed to persist RMD v%lld to %s", (long long)m->version, rmd_path);
	free(s);
	json_decref(j);
}

int rmd_install(const rmd_t *m, bool force)
{
	pthread_mutex_lock(&rmd_install_mu);
	pthread_mutex_lock(&rmd_mu);
	if (!force && m->version <= rmd_cur.version) {
		pthread_mutex_unlock(&rmd_mu);
		pthread_mutex_unlock(&rmd_install_mu);
		return 0;
	}
	rmd_t old = rmd_cur;
	rmd_cur = *m;
	rmd_persist(m);
	pthread_mutex_unlock(&rmd_mu);
	log_info("RMD v%lld installed (%s%s%s, Smap v%lld)", (long long)m->version, m->action[0] ? m->action : "-",
		 m->sid[0] ? " " : "", m->sid, (long long)m->smap_version);
	if (rmd_listener)
		rmd_listener(&old, m);
	pthread_mutex_unlock(&rmd_install_mu);
	return 1;
}

int rmd_load_persisted(void)
{
	char *s = NULL, err[256] = "";
	size_t len = 0;
	if (!rmd_path[0] || fsops_read_file(rmd_path, 1 << 20, &s, &len))
		return AIS_ENOTFOUND;
	json_t *j = jsonx_loadb(s, len, NULL);
	free(s);
	rmd_t m;
	int rc = j ? rmd_from_json(j, &m, err, sizeof(err)) : AIS_EINVAL;
	json_decref(j);
	if (rc) {
		log_warn("ignoring corrupt persisted RMD %s: %s", rmd_path, err);
		return AIS_EINVAL;
	}
	pthread_mutex_lock(&rmd_mu);
	rmd_cur = m;
	pthread_mutex_unlock(&rmd_mu);
	return 0;
}

void rmd_add_tid(rmd_t *m, const char *tid)
{
	if (!tid || !*tid)
		return;
	for (int i = 0; i < m->ntids; i++)
		if (!strcmp(m->target_ids[i], tid))
			return;
	if (m->ntids < RMD_TIDS_MAX)
		snprintf(m->target_ids[m->ntids++], SNODE_ID_MAX, "%s", tid);
}

json_t *rmd_to_json(const rmd_t *m)
{
	char sv[24];
	snprintf(sv, sizeof(sv), "%lld", (long long)m->smap_version);
	json_t *ext = json_pack("{s:s, s:s}", "action", m->action, "smap_version", sv);
	if (ext && m->sid[0])
		json_object_set_new(ext, "sid", json_string(m->sid));
	json_t *j = json_pack("{s:o, s:s, s:I}", "ext", ext ? ext : json_null(), "cluster_id", m->cluster_id, "version",
			      (json_int_t)m->version);
	if (j && m->ntids) {
		json_t *a = json_array();
		for (int i = 0; a && i < m->ntids; i++)
			json_array_append_new(a, json_string(m->target_ids[i]));
		json_object_set_new(j, "target_ids", a);
	}
	return j;
}

/* an int64 sent as a JSON number or a string of digits; 0 or AIS_EINVAL */
static int rmd_i64(json_t *v, int64_t *out)
{
	if (!v || json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out < 0 ? AIS_EINVAL : 0;
	}
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return AIS_EINVAL;
	*out = atoll(s);
	return 0;
}

static int rmd_str(json_t *v, char *out, size_t cap)
{
	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	const char *s = json_string_value(v);
	if (!s || strlen(s) >= cap)
		return AIS_EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int rmd_from_json(json_t *j, rmd_t *out, char *err, size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		snprintf(err, cap, "rmd: not a JSON object");
		return AIS_EINVAL;
	}
	if (rmd_i64(json_object_get(j, "version"), &out->version)) {
		snprintf(err, cap, "rmd: invalid version");
		return AIS_EINVAL;
	}
	if (rmd_str(json_object_get(j, "cluster_id"), out->cluster_id, sizeof(out->cluster_id))) {
		snprintf(err, cap, "rmd: invalid cluster_id");
		return AIS_EINVAL;
	}
	json_t *tids = json_object_get(j, "target_ids");
	if (tids && !json_is_null(tids) && !json_is_array(tids)) {
		snprintf(err, cap, "rmd: target_ids is not an array");
		return AIS_EINVAL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(tids, i, e)
	{
		const char *s = json_string_value(e);
		if (!s || !*s || strlen(s) >= SNODE_ID_MAX) {
			snprintf(err, cap, "rmd: invalid target ID");
			return AIS_EINVAL;
		}
		rmd_add_tid(out, s);
	}
	json_t *ext = json_object_get(j, "ext");
	if (!ext || json_is_null(ext))
		return 0;
	if (!json_is_object(ext) || rmd_str(json_object_get(ext, "action"), out->action, sizeof(out->action)) ||
	    rmd_str(json_object_get(ext, "sid"), out->sid, sizeof(out->sid)) ||
	    rmd_i64(json_object_get(ext, "smap_version"), &out->smap_version)) {
		snprintf(err, cap, "rmd: invalid ext");
		return AIS_EINVAL;
	}
	return 0;
}
