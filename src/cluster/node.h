/* node: this process's identity in the cluster: role, daemon ID (generated once, persisted in
 * <confdir>/.ais.daemon_id), its own Snode, and whether it is the primary proxy.
 * Set once at start-up by node_init; read-only afterwards. */
#ifndef AIS_NODE_H
#define AIS_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster/smap.h"
#include "core/config.h"

typedef enum { ROLE_PROXY = 'p', ROLE_TARGET = 't' } node_role_t;

int node_init(node_role_t role, const config_t *cfg);
node_role_t node_role(void);
const char *node_id(void);
const snode_t *node_self(void);
/* "p[ID]" / "t[ID]" as AIStore names nodes in messages */
const char *node_name(void);
/* true when this proxy is the primary in the current Smap (or by config before any Smap). */
bool node_is_primary(void);
int64_t node_start_ns(void);
/* AIStore's intra-cluster sender headers (Ais-Caller-Id, -Name, -Smap-Ver, -Is-Primary) as
 * "Name: value" lines for hreq_t.hdrs; buf of NODE_HDRS_MAX bytes */
#define NODE_HDRS_MAX 256
void node_sender_hdrs(char *buf, size_t cap);

#endif
