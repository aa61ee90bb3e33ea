/* ckrot: automatic rotation of the cluster secret (auth.cluster_key.ttl, docs/security.md).
 * Every ttl the primary generates a new random secret and hands it to every node of its Smap in
 * two rounds over the signed control plane (PUT /v1/daemon/cluster-key, intra-only, members only;
 * the secret travels sealed with the current seal key, core/ckey.h):
 *   1. "add":    each node's key file becomes "CURRENT\nNEW" (NEW accepted, CURRENT signs);
 *   2. "switch": once every node accepts NEW, each file becomes "NEW" (NEW signs; CURRENT stays
 *      accepted for auth.cluster_key.rotation_grace, then never again).
 * Nobody signs with NEW before everyone accepts it, and everyone accepts CURRENT until the grace
 * ends, so intra-cluster calls and redirects keep working across a rotation. A round that does
 * not reach every node is abandoned (nothing switches) and retried after OCKR_RETRY_NS; a node
 * that misses the switch is retried in the same tick. Must not: put a secret in a log, an answer
 * or a file other than the 0600 key file (ckey_rotate writes it). */
#ifndef AIS_CKROT_H
#define AIS_CKROT_H

#define CKROT_PATH "/v1/daemon/cluster-key"

/* register the receiving route (every node) */
void ckrot_init(void);
/* the primary's periodic step (membership thread); a no-op with ttl 0 or on other nodes */
void ckrot_tick(void);

#endif
