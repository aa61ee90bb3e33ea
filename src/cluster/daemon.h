/* daemon: node-level endpoints served by both roles: GET /v1/daemon?what=smap|bmd|config|
 * smapvote (cluMeta)|snode|mountpaths|... and GET /v1/health[?readiness|cii=true|apr=true]
 * (cii: AIStore's NodeStateInfo; apr: 400 unless this node is the primary; a call from the
 * primary - or, on the primary, from any node - counts as a keepalive heartbeat). Upper layers
 * contribute through hooks set once at start-up (no upward include): the target its mountpaths
 * and capacity, stats the counters of what=node_status. */
#ifndef AIS_DAEMON_H
#define AIS_DAEMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int daemon_init(void);
/* re-read the X.509 certificate and key at the current config's net.http.server_crt/server_key
 * (AIStore's load-x509); 0, or AIS_EINVAL with err (plain HTTP, unreadable or mismatched files) */
int daemon_load_x509(char *err, size_t cap);
void daemon_set_target_hooks(json_t *(*mountpaths)(void), void (*capacity)(uint64_t *used, uint64_t *total));
/* adds fields (tracker, sys_info, ...) to the node_status object */
void daemon_set_status_hook(void (*fn)(json_t *j));
/* targets: GET /v1/health?rebstatus=true answers fn() (AIStore's reb.Status; rebalance) */
void daemon_set_rebstatus_hook(json_t *(*fn)(void));
/* targets: PUT /v1/daemon {"action":"decommission-node","value":ActValRmNode} calls fn(value)
 * (wipe as asked); the node exits afterwards when fn returns true */
void daemon_set_decommission_hook(bool (*fn)(json_t *opts));

/* apply a request's key=value query parameters (except pid, utm, transient) to a cluster config
 * JSON with config_apply_kv in the given scope (CONFIG_SET_CLUSTER | CONFIG_SET_NODE). Returns 0,
 * or AIS_EINVAL / AIS_ENOTIMPL with err filled (AIS_EINVAL also when none given). */
struct http_req;
int daemon_apply_query(json_t *cluster, const struct http_req *r, int scope, char *err, size_t errcap);

#endif
