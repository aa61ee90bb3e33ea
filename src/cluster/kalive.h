/* kalive: keepalive both ways (AIStore's ais/kalive.go) and what follows from it.
 *   non-primary node: reports to the primary (POST /v1/cluster/keepalive on its control URL)
 *       whenever it has not heard from the primary for one interval (a metasync or a probe from
 *       the primary counts as hearing). A failed report is retried num_retries times, spaced so
 *       that the whole confirmation takes at most half an interval; then the primary is declared
 *       down and vote_on_primary_down() runs (discovery of a newer Smap, else an election).
 *   primary: probes (GET /v1/health?cii=true) every node it has not heard from for one
 *       interval; the answer names the node's Smap. A node silent for interval x factor that
 *       also fails the probe leaves the Smap. A node that follows a newer Smap with another
 *       primary means this proxy no longer leads: it steps down and rejoins (kalive_stepdown).
 * Timing (I = keepalivetracker interval of this node's role, N = num_retries): a killed primary
 * (connections refused) is declared down at most I + I*N/(2(N+1)) after it died (1.375 I with
 * N = 3); voters refuse while they heard it within I, which has passed by then; so an election
 * completes well within 2 x I. The retry period is min(AIStore's KeepaliveRetryDuration,
 * I/(2(N+1))); each attempt is bounded by min(timeout, I). A primary that hangs instead of dying
 * (SIGSTOP, partition) costs up to N+1 attempt timeouts more.
 * Threads: everything here runs on the membership thread, except kalive_primary_confirmed()
 * (request handlers on the pool) and the probe helpers (any non-loop thread). */
#ifndef AIS_KALIVE_H
#define AIS_KALIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/smap.h"
#include "core/config.h"

/* the keepalivetracker section of this node's role: proxy.* for proxies, target.* for targets */
int64_t kalive_interval(const config_t *cfg);
int kalive_factor(const config_t *cfg);
/* the pause between retries of a failed keepalive (see above) */
int64_t kalive_retry_ns(const config_t *cfg);

/* non-primary: one step of the keepalive loop (call often; it sends only when due).
 * Returns 1 when the primary does not know this node (re-join), else 0. */
int kalive_node_tick(void);
/* primary: probe silent nodes, remove dead ones, step down when a newer primary exists */
void kalive_primary_tick(void);

/* primary: true when this proxy still leads. Cheap when it heard from some node within
 * interval x factor; otherwise (just resumed after a pause, or partitioned) it asks the nodes
 * first and steps down if they follow a newer primary. For handlers that change metadata. */
bool kalive_primary_confirmed(void);
/* primary: ask every node for its Smap; when one with the same UUID is newer and names another
 * primary that confirms itself, install it and stop leading (the caller re-joins). true if
 * stepped down. */
bool kalive_stepdown(void);

/* GET <node control URL>/v1/health[?query] with the sender headers; timeout in ms. 0 when it
 * answered 200 (*out, if asked, the parsed body: NodeStateInfo with cii=true), else AIS_E*. */
int kalive_probe_url(const char *base_url, const char *query, int timeout_ms, json_t **out);
int kalive_probe(const snode_t *n, const char *query, int timeout_ms, json_t **out);
/* the newest Smap the nodes of `local` (all but self and `skip`) report through
 * GET /v1/daemon?what=smap, restricted to local's UUID (any UUID when local has none); plus
 * the given extra base URLs (may be NULL). NULL when nobody answered with a valid map. New map,
 * caller frees (smap_free) or installs it. */
smap_t *kalive_max_smap(const smap_t *local, const char *skip, const char *const *urls, int nurls, int timeout_ms);

#endif
