/* suspect: which targets this proxy believes are down right now (AIStore's proxies learn it
 * from failed requests and keepalives; here a probe makes it prompt). A proxy's probe thread
 * asks every target in the Smap for GET /v1/health?readiness=true on its public address every
 * SUSPECT_PROBE_MS (and at once when a request path reports a failure):
 *
 *        refused / reset                       200 (ready)  or  keepalive heard
 *   OK ─────────────────────► SUSPECT ─────────────────────────────────────────► OK
 *        (timeout, 503, garbage: no change either way)
 *
 * A suspect target keeps its place in the Smap and in HRW: only the keepalive tracker removes
 * nodes (membership.c). Callers (object redirects, S3 forwarding, list fan-out) answer 503 with
 * Retry-After: suspect_retry_after() instead of sending a client to a dead address.
 * Thread-safety: every function may be called from any thread; suspect_is() is lock-free while
 * nothing is suspect. */
#ifndef AIS_SUSPECT_H
#define AIS_SUSPECT_H

#include <stdbool.h>

#define SUSPECT_PROBE_MS 300         /* between probe rounds */
#define SUSPECT_PROBE_TIMEOUT_MS 1000 /* one round's deadline */
#define SUSPECT_RETRY_AFTER_S 1       /* Retry-After of the 503 answers */

/* start the probe thread (proxies). 0 or AIS_ENOMEM. */
int suspect_start(void);
/* stop and join it; forget every suspect. Safe without a start. */
void suspect_stop(void);
/* node id is suspect (refused its last probe and has not answered since) */
bool suspect_is(const char *id);
/* a request path failed to connect to node id (refused/reset): probe now, do not wait for the
 * next round. Does not block. */
void suspect_report(const char *id);
/* node id was heard from (keepalive): no longer suspect */
void suspect_clear(const char *id);
/* the Retry-After (seconds) to answer while the owner is suspect */
int suspect_retry_after(void);

/* one probe of http://host:port/v1/health?readiness=true (blocks up to timeout_ms); exposed for
 * tests */
typedef enum { SUSPECT_PROBE_OK = 0, SUSPECT_PROBE_REFUSED, SUSPECT_PROBE_UNKNOWN } suspect_probe_t;
suspect_probe_t suspect_probe(const char *host, int port, int timeout_ms);

#endif
