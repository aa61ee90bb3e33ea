/* bk_remais: attached remote AIS clusters (see bk_remais.h). The cache maps alias -> (url,
 * uuid) for the aliases of the current config; an entry whose alias left the config is gone
 * at the next lookup. Lookups copy what they need under rm_mu and probe outside it. */
#include "backend/bk_remais.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend/bk_http.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"

typedef struct rm_ent {
	char alias[64];
	char url[256];
	char uuid[64];
} rm_ent_t;

static pthread_mutex_t rm_mu = PTHREAD_MUTEX_INITIALIZER;
static rm_ent_t rm_cache[CONFIG_MAX_REMAIS];
static int rm_n;

int bk_remais_probe(const char *url, char *uuid, size_t cap, json_t **smap, bk_err_t *e)
{
	char u[512];
	bk_http_req_t q;
	snprintf(u, sizeof(u), "%s/v1/cluster?what=smap", url);
	bk_http_init(&q, "GET", u);
	q.timeout_ms = 5000;
	q.connect_timeout_ms = 3000;
	q.follow = true;
	q.node_tls = true;
	bk_http_do(&q);
	int rc = 0;
	json_error_t je;
	json_t *j = NULL;
	if (q.rc || q.status != 200) {
		rc = bk_fail(e, 503, NULL, "remote cluster at %s is unreachable: %s", url,
			     q.rc ? q.errmsg : "unexpected status");
		goto out;
	}
	j = jsonx_loadb(q.resp.p ? q.resp.p : "", q.resp.len, &je);
	const char *id = json_string_value(json_object_get(j, "uuid"));
	if (!id || !*id) {
		rc = bk_fail(e, 400, NULL, "%s does not look like an AIStore cluster (no Smap UUID)", url);
		goto out;
	}
	snprintf(uuid, cap, "%s", id);
	if (smap) {
		*smap = j;
		j = NULL;
	}
out:
	json_decref(j);
	bk_http_fini(&q);
	return rc;
}

/* refresh the alias list from the config (keeps known UUIDs of aliases whose URL is the same) */
static void rm_sync_locked(const config_t *c)
{
	rm_ent_t nv[CONFIG_MAX_REMAIS];
	int n = 0;
	for (int i = 0; c && i < c->nremais && n < CONFIG_MAX_REMAIS; i++) {
		rm_ent_t *e = &nv[n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->alias, sizeof(e->alias), "%s", c->remais[i].alias);
		snprintf(e->url, sizeof(e->url), "%s", c->remais[i].urls[0]);
		for (int k = 0; k < rm_n; k++)
			if (!strcmp(rm_cache[k].alias, e->alias) && !strcmp(rm_cache[k].url, e->url))
				snprintf(e->uuid, sizeof(e->uuid), "%s", rm_cache[k].uuid);
	}
	memcpy(rm_cache, nv, sizeof(nv[0]) * (size_t)n);
	rm_n = n;
}

static void rm_set_uuid(const char *alias, const char *url, const char *uuid)
{
	pthread_mutex_lock(&rm_mu);
	for (int k = 0; k < rm_n; k++)
		if (!strcmp(rm_cache[k].alias, alias) && !strcmp(rm_cache[k].url, url))
			snprintf(rm_cache[k].uuid, sizeof(rm_cache[k].uuid), "%s", uuid);
	pthread_mutex_unlock(&rm_mu);
}

int bk_remais_resolve(const char *ns, bk_remais_t *out, bk_err_t *e)
{
	char key[80];
	const char *hash = strchr(ns, '#');
	snprintf(key, sizeof(key), "%.*s", (int)(hash ? (size_t)(hash - ns - 1) : strlen(ns + 1)), ns + 1);
	rm_ent_t snap[CONFIG_MAX_REMAIS];
	int n;
	const config_t *c = config_get();
	pthread_mutex_lock(&rm_mu);
	rm_sync_locked(c);
	n = rm_n;
	memcpy(snap, rm_cache, sizeof(snap[0]) * (size_t)n);
	pthread_mutex_unlock(&rm_mu);
	config_put(c);
	int hit = -1;
	for (int i = 0; i < n && hit < 0; i++)
		if (!strcmp(snap[i].alias, key) || (snap[i].uuid[0] && !strcmp(snap[i].uuid, key)))
			hit = i;
	for (int i = 0; i < n && hit < 0; i++) { /* maybe a UUID not learned yet */
		bk_err_t pe;
		char uuid[64];
		if (snap[i].uuid[0] || bk_remais_probe(snap[i].url, uuid, sizeof(uuid), NULL, &pe))
			continue;
		rm_set_uuid(snap[i].alias, snap[i].url, uuid);
		snprintf(snap[i].uuid, sizeof(snap[i].uuid), "%s", uuid);
		if (!strcmp(uuid, key))
			hit = i;
	}
	if (hit < 0) {
		bk_fail(e, 404, NULL, "remote cluster \"%s\" not found (not attached; see `ais cluster remote-attach`)", key);
		return AIS_ENOTFOUND;
	}
	if (!snap[hit].uuid[0] && out) { /* learn it once (messages and RemAisVec carry it) */
		bk_err_t pe;
		char uuid[64];
		if (!bk_remais_probe(snap[hit].url, uuid, sizeof(uuid), NULL, &pe)) {
			rm_set_uuid(snap[hit].alias, snap[hit].url, uuid);
			snprintf(snap[hit].uuid, sizeof(snap[hit].uuid), "%s", uuid);
		}
	}
	if (out) {
		snprintf(out->alias, sizeof(out->alias), "%s", snap[hit].alias);
		snprintf(out->url, sizeof(out->url), "%s", snap[hit].url);
		snprintf(out->uuid, sizeof(out->uuid), "%s", snap[hit].uuid);
	}
	return 0;
}

json_t *bk_remais_vec(void)
{
	rm_ent_t snap[CONFIG_MAX_REMAIS];
	const config_t *c = config_get();
	int64_t ver = c ? c->version : 0;
	pthread_mutex_lock(&rm_mu);
	rm_sync_locked(c);
	int n = rm_n;
	memcpy(snap, rm_cache, sizeof(snap[0]) * (size_t)n);
	pthread_mutex_unlock(&rm_mu);
	config_put(c);
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		bk_err_t pe;
		json_t *smap = NULL;
		char uuid[64];
		if (!bk_remais_probe(snap[i].url, uuid, sizeof(uuid), &smap, &pe)) {
			snprintf(snap[i].uuid, sizeof(snap[i].uuid), "%s", uuid);
			rm_set_uuid(snap[i].alias, snap[i].url, uuid);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "url", snap[i].url, "alias", snap[i].alias, "uuid",
						   snap[i].uuid, "smap", smap ? smap : json_null()));
	}
	return json_pack("{s:o, s:I}", "a", a, "ver", (json_int_t)ver);
}
