/* pconf: cluster-wide configuration changes at the proxy, and the PUT /v1/cluster action
 * dispatch. `PUT /v1/cluster/set-config?key=value&...` and `PUT /v1/cluster {"action":
 * "set-config","value":{<nested ConfigToSet>}}` apply on the primary (non-primary proxies
 * forward): the current cluster config as JSON, each key through the config table
 * (config_apply_kv/_value: unknown or read-only -> 400, not built -> 501), validate by parsing,
 * bump config_version, metasync to every node. Other PUT /v1/cluster actions are looked up in a
 * small table that other proxy files fill with pclu_action_add() (filled at init only). */
#include "proxy/proxy.h"
#include "core/jsonx.h"
#include "cluster/daemon.h"
#include "cluster/metasync.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/config_tab.h"
#include "core/err.h"
#include "core/log.h"
#include "net/route.h"
#include "auth/agate.h"

#include <stdio.h>
#include <string.h>

#define PCONF_MAX_ACTIONS 16

struct pconf_action {
	const char *name;
	pclu_action_fn fn;
};

static struct pconf_action pconf_actions[PCONF_MAX_ACTIONS];
static int pconf_nactions;

void pclu_action_add(const char *action, pclu_action_fn fn)
{
	if (pconf_nactions < PCONF_MAX_ACTIONS)
		pconf_actions[pconf_nactions++] = (struct pconf_action){action, fn};
}

/* flatten {"a":{"b":1}} into "a.b"=1 applications (a JSON array or object that is a field's
 * value, e.g. s3.keys, is applied whole) */
static int pconf_apply_nested(json_t *cluster, json_t *v, const char *prefix, char *err, size_t cap)
{
	const char *key;
	json_t *x;
	json_object_foreach(v, key, x) {
		char path[256];
		if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key) >= (int)sizeof(path)) {
			snprintf(err, cap, "unknown property \"%.64s...\"", path);
			return AIS_EINVAL;
		}
		int rc;
		if (json_is_object(x) && !config_tab_find(path))
			rc = pconf_apply_nested(cluster, x, path, err, cap);
		else
			rc = config_apply_value(cluster, path, x, CONFIG_SET_CLUSTER, err, cap);
		if (rc)
			return rc;
	}
	return 0;
}

/* apply query params (or a nested value) to a copy of the cluster config and commit it */
static void pconf_set(http_req_t *r, json_t *value)
{
	char err[512] = "";
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	metasync_lock();
	const config_t *cfg = config_get();
	json_t *cl = config_cluster_json(cfg);
	config_put(cfg);
	int rc = 0, napplied = 0;
	if (value) {
		rc = json_is_object(value) ? pconf_apply_nested(cl, value, "", err, sizeof(err)) : AIS_EINVAL;
		napplied = (int)json_object_size(value);
		if (!json_is_object(value))
			snprintf(err, sizeof(err), "set-config: expecting a JSON object in \"value\"");
		if (!rc && !napplied) {
			rc = AIS_EINVAL;
			snprintf(err, sizeof(err), "set-config: nothing to update");
		}
	} else {
		rc = daemon_apply_query(cl, r, CONFIG_SET_CLUSTER, err, sizeof(err));
	}
	if (rc) {
		json_decref(cl);
		metasync_unlock();
		http_error_code(r, rc, "%s", err);
		return;
	}
	/* turning JWT auth on takes an admin token valid under the new settings (auth/agate.h) */
	if (agate_enable_check(r, cl)) {
		json_decref(cl);
		metasync_unlock();
		return;
	}
	rc = metasync_commit_config(cl, err, sizeof(err));
	metasync_unlock();
	if (rc < 0) {
		http_error_code(r, rc, "invalid configuration: %s", err);
		return;
	}
	cfg = config_get();
	log_info("cluster config updated to v%lld", (long long)cfg->version);
	config_put(cfg);
	http_respond(r, 200, NULL, NULL, 0);
}

static void pconf_put_cb(http_req_t *r)
{
	if (!strcmp(r->path, "/v1/cluster/set-config")) {
		pconf_set(r, NULL);
		return;
	}
	if (strcmp(r->path, "/v1/cluster") && strcmp(r->path, "/v1/cluster/")) {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
		return;
	}
	json_error_t jerr;
	json_t *msg = r->body_len ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
	if (!json_is_object(msg)) {
		http_error(r, 400, NULL, "failed to unmarshal JSON action message: %s", msg ? "not an object" : jerr.text);
		json_decref(msg);
		return;
	}
	/* ActMsg keys in any case ({"Action": ...}), as AIStore */
	static const char *const actkeys[] = {"action", "name", "value", NULL};
	if (jsonx_canon_keys(msg, actkeys)) {
		http_error(r, 500, NULL, "out of memory");
		json_decref(msg);
		return;
	}
	const char *action = jsonx_str(msg, "action", "");
	if (!strcmp(action, "set-config")) {
		pconf_set(r, json_object_get(msg, "value"));
	} else {
		int i;
		for (i = 0; i < pconf_nactions; i++)
			if (!strcmp(pconf_actions[i].name, action))
				break;
		if (i < pconf_nactions)
			pconf_actions[i].fn(r, msg);
		else
			http_error(r, 400, NULL, "invalid action \"%s\" for PUT /v1/cluster", action);
	}
	json_decref(msg);
}

static void pconf_put(http_req_t *r) { http_read_body(r, 1 << 20, pconf_put_cb, true); }

int pconf_init(void)
{
	route_add(RM(HTTP_M_PUT), "/v1/cluster", pconf_put);
	return 0;
}
