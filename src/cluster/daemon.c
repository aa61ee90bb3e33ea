/* daemon: /v1/daemon and /v1/health for both roles. Holds the target hooks (set once). */
#include "cluster/daemon.h"
#include "cluster/rmd.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/hb.h"
#include "cluster/membership.h"
#include "cluster/metasync.h"
#include "cluster/vote.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/route.h"
#include "net/tls.h"

#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static json_t *(*dmn_mountpaths)(void);
static void (*dmn_status_extra)(json_t *j);
static void (*dmn_capacity)(uint64_t *used, uint64_t *total);
static json_t *(*dmn_rebstatus)(void);
static bool (*dmn_decommission)(json_t *opts);

void daemon_set_rebstatus_hook(json_t *(*fn)(void)) { dmn_rebstatus = fn; }
void daemon_set_decommission_hook(bool (*fn)(json_t *opts)) { dmn_decommission = fn; }

void daemon_set_target_hooks(json_t *(*mountpaths)(void), void (*capacity)(uint64_t *, uint64_t *))
{
	dmn_mountpaths = mountpaths;
	dmn_capacity = capacity;
}

void daemon_set_status_hook(void (*fn)(json_t *j))
{
	dmn_status_extra = fn;
}

static void dmn_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error(r, 500, NULL, "out of memory");
	free(s);
	json_decref(j);
}

/* cos.NodeStateFlags: VoteInProgress 1, ClusterStarted 2, NodeStarted 4 */
static int64_t dmn_state_flags(void)
{
	return (vote_in_progress() ? 1 : 0) | (membership_joined() ? 2 : 0) | 4;
}

static json_t *dmn_status(void)
{
	uint64_t used = 0, total = 0;
	if (dmn_capacity)
		dmn_capacity(&used, &total);
	smap_t *m = smap_get();
	json_t *j = json_pack("{s:o, s:s, s:I, s:s, s:I, s:I, s:b}", "snode", snode_to_json(node_self()), "status",
			      membership_joined() ? "online" : "joining", "uptime",
			      (json_int_t)(now_ns() - node_start_ns()), "version", "aistore-c 0.1 (AIStore 4.7 API)",
			      "smap_version", (json_int_t)(m ? m->version : 0), "capacity_used", (json_int_t)used,
			      "is_primary", node_is_primary());
	json_object_set_new(j, "capacity_total", json_integer((json_int_t)total));
	smap_put(m);
	if (dmn_status_extra)
		dmn_status_extra(j);
	return j;
}

static void dmn_get(http_req_t *r)
{
	const char *what = http_query_get(r, "what");
	if (!what || !*what) {
		http_error(r, 400, NULL, "missing 'what' query parameter");
		return;
	}
	if (!strcmp(what, "smap")) {
		smap_t *m = smap_get();
		dmn_json(r, m ? smap_to_json(m) : json_object());
		smap_put(m);
	} else if (!strcmp(what, "bmd")) {
		bmd_t *m = bmd_get();
		dmn_json(r, m ? bmd_to_json(m) : json_object());
		bmd_put(m);
	} else if (!strcmp(what, "config")) {
		const config_t *cfg = config_get();
		dmn_json(r, config_show_json(cfg));
		config_put(cfg);
	} else if (!strcmp(what, "smapvote")) {
		/* AIStore's cluMeta: the versions a force-joining cluster adopts */
		json_t *cm = metasync_payload();
		if (cm) {
			json_object_set_new(cm, "si", snode_to_json(node_self()));
			json_object_set_new(cm, "flags", json_integer(dmn_state_flags()));
		}
		dmn_json(r, cm);
	} else if (!strcmp(what, "certificate")) { /* AIStore's apc.WhatCertificate (certloader.Props) */
		tls_cert_props_t cp;
		if (tls_cert_props(&cp)) {
			http_error(r, 400, NULL, "no X.509 certificate (running plain HTTP)");
			return;
		}
		dmn_json(r, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "version", cp.version, "issued-by (CN)", cp.issuer_cn,
				      "signature-algorithm", cp.sig_alg, "public-key-algorithm", cp.pk_alg,
				      "serial-number", cp.serial, "valid", cp.valid));
	} else if (!strcmp(what, "snode")) {
		dmn_json(r, snode_to_json(node_self()));
	} else if (!strcmp(what, "mountpaths") && dmn_mountpaths) {
		dmn_json(r, dmn_mountpaths());
	} else if (!strcmp(what, "node_status") || !strcmp(what, "status")) {
		dmn_json(r, dmn_status());
	} else {
		http_error(r, 400, NULL, "invalid GET /v1/daemon request: unrecognized what=%s", what);
	}
}

/* the Ais-Caller-Id of an intra-cluster call: the primary heard from its node, a node from its
 * primary (AIStore records the keepalive heartbeat on health pings the same way) */
static void dmn_heard(const http_req_t *r)
{
	const char *sid = http_hdr_get(r, "Ais-Caller-Id");
	if (!sid)
		return;
	smap_t *m = smap_get();
	if (m && smap_find(m, sid) && (!strcmp(sid, m->primary_id) || !strcmp(m->primary_id, node_id())))
		hb_heard(sid);
	smap_put(m);
}

/* AIStore's cos.NodeStateInfo (GET /v1/health?cii=true) */
static json_t *dmn_nsti(void)
{
	smap_t *m = smap_get();
	bmd_t *b = bmd_get();
	const config_t *cfg = config_get();
	const snode_t *p = m ? smap_primary(m) : NULL;
	char sv[32], bv[32], cv[32], rv[32];
	snprintf(rv, sizeof(rv), "%lld", (long long)rmd_version());
	snprintf(sv, sizeof(sv), "%lld", (long long)(m ? m->version : 0));
	snprintf(bv, sizeof(bv), "%lld", (long long)(b ? b->version : 0));
	snprintf(cv, sizeof(cv), "%lld", (long long)cfg->version);
	json_t *j = json_pack("{s:{s:{s:s, s:s, s:s}, s:s, s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:I}", "smap",
			      "primary", "pub_url", p ? p->pub.url : "", "control_url", p ? p->ctl.url : "", "id",
			      p ? p->id : "", "uuid", m ? m->uuid : "", "version", sv, "bmd", "uuid", b ? b->uuid : "",
			      "version", bv, "rmd", "version", rv, "config", "version", cv, "etlmd", "version", "0", "flags",
			      (json_int_t)dmn_state_flags());
	config_put(cfg);
	bmd_put(b);
	smap_put(m);
	return j;
}

/* GET /v1/health[?readiness][&cii=true][&apr=true][&cii-apr=true] */
static void dmn_health(http_req_t *r)
{
	const char *rs = http_query_get(r, "rebstatus");
	if (rs && !strcmp(rs, "true")) {
		if (!dmn_rebstatus)
			http_error(r, 400, NULL, "%s: rebalance status is a target's", node_name());
		else
			dmn_json(r, dmn_rebstatus());
		return;
	}
	bool cii = http_query_bool(r, "cii"), apr = http_query_bool(r, "apr"), both = http_query_bool(r, "cii-apr");
	if (!membership_joined() && http_query_get(r, "readiness")) {
		http_error(r, 503, NULL, "%s is not ready: joining the cluster", node_name());
		return;
	}
	dmn_heard(r);
	if ((apr || both) && !node_is_primary()) {
		smap_t *m = smap_get();
		char ss[160];
		smap_str(m, ss, sizeof(ss));
		smap_put(m);
		http_error(r, 400, NULL, "%s (non-primary): misdirected health-of-primary request from \"%s\", %s", node_name(),
			   http_hdr_get(r, "Ais-Caller-Id") ? http_hdr_get(r, "Ais-Caller-Id") : "", ss);
		return;
	}
	if (cii || both) {
		dmn_json(r, dmn_nsti());
		return;
	}
	http_respond(r, 200, NULL, NULL, 0);
}

int daemon_apply_query(json_t *cluster, const http_req_t *r, int scope, char *err, size_t errcap)
{
	int n = 0;
	for (int i = 0; i < r->nquery; i++) {
		const char *k = r->query[i].name;
		if (!strcmp(k, "transient") || !strcmp(k, "pid") || !strcmp(k, "utm"))
			continue;
		int rc = config_apply_kv(cluster, k, r->query[i].value, scope, err, errcap);
		if (rc)
			return rc;
		n++;
	}
	if (!n) {
		snprintf(err, errcap, "set-config: nothing to update (expecting key=value query parameters)");
		return AIS_EINVAL;
	}
	return 0;
}

/* PUT /v1/daemon/set-config?key=value: this node only (a later cluster-wide version replaces it) */
static void dmn_set_config(http_req_t *r)
{
	char err[512] = "";
	for (int i = 0; i < r->nquery; i++)
		if (!strncmp(r->query[i].name, "auth.", 5)) {
			http_error(r, 400, NULL, "set-config: %s is cluster-wide (PUT /v1/cluster/set-config), not per node",
				   r->query[i].name);
			return;
		}
	const config_t *cfg = config_get();
	json_t *cl = config_cluster_json(cfg);
	config_put(cfg);
	int rc = daemon_apply_query(cl, r, CONFIG_SET_NODE, err, sizeof(err));
	if (!rc) {
		int irc = config_install_cluster(cl, true, err, sizeof(err));
		rc = irc < 0 ? irc : 0;
	}
	json_decref(cl);
	if (rc)
		http_error_code(r, rc, "%s", err);
	else
		http_respond(r, 200, NULL, NULL, 0);
}

/* PUT /v1/daemon {"action":"shutdown-node"}: the node exits cleanly (SIGTERM to itself, taken
 * by the main thread's sigwait) - how a decommissioned node leaves the cluster */
static void dmn_put_cb(http_req_t *r)
{
	json_t *msg = r->body_len ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
	const char *action = jsonx_str(msg, "action", "");
	if (!strcmp(action, "shutdown-node") || !strcmp(action, "decommission-node")) {
		log_warn("%s: %s requested by %s", node_name(), action, r->remote_addr);
		bool exit = true;
		if (!strcmp(action, "decommission-node") && dmn_decommission)
			exit = dmn_decommission(json_object_get(msg, "value"));
		http_respond(r, 200, NULL, NULL, 0);
		if (exit)
			kill(getpid(), SIGTERM);
	} else {
		http_error(r, 400, NULL, "invalid action \"%s\" for PUT /v1/daemon", action);
	}
	json_decref(msg);
}

static void dmn_put(http_req_t *r) { http_read_body(r, 64 * 1024, dmn_put_cb, true); }

int daemon_load_x509(char *err, size_t cap)
{
	const config_t *cfg = config_get();
	char crt[sizeof(cfg->net_http_server_crt)], key[sizeof(cfg->net_http_server_key)];
	snprintf(crt, sizeof(crt), "%s", cfg->net_http_server_crt);
	snprintf(key, sizeof(key), "%s", cfg->net_http_server_key);
	config_put(cfg);
	return tls_reload(crt, key, err, cap);
}

/* PUT /v1/daemon/load-x509 (AIStore's apc.LoadX509): this node re-reads its certificate */
static void dmn_load_x509(http_req_t *r)
{
	char err[512] = "";
	int rc = daemon_load_x509(err, sizeof(err));
	if (rc)
		http_error_code(r, rc, "%s", err);
	else
		http_respond(r, 200, NULL, NULL, 0);
}

int daemon_init(void)
{
	route_add_intra(RM(HTTP_M_PUT), "/v1/daemon", dmn_put, ROUTE_MEMBER);
	route_add(RM(HTTP_M_PUT), "/v1/daemon/set-config", dmn_set_config);
	route_add(RM(HTTP_M_PUT), "/v1/daemon/load-x509", dmn_load_x509);
	route_add(RM(HTTP_M_GET), "/v1/daemon", dmn_get);
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_HEAD), "/v1/health", dmn_health);
	return 0;
}
