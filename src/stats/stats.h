/* stats: the node's counters (AIStore's stats "tracker"), what the data path calls to update
 * them, and the two ways they are read: Prometheus text at GET /metrics (prom.c) and the
 * "tracker" of GET /v1/daemon?what=node_status (stats_status_json).
 * Updates are lock-free: relaxed atomic adds into per-thread shards (a thread picks its shard
 * once); readers sum the shards. Nothing on the update path allocates except the first use of a
 * new bucket label (one calloc, installed with CAS). Names follow AIStore 4.7 (its stats package):
 * "get.n" is exported as ais_<target|proxy>_get_count, "get.size" as _get_bytes,
 * "get.ns.total" as _get_ns_total; the bucket label is "" unless the cluster feature
 * Enable-Detailed-Prom-Metrics is set (proxies always label by bucket, as AIStore's IncBck).
 * All functions may be called from any thread. */
#ifndef AIS_STATS_H
#define AIS_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* data-path operations: each has a count ("get.n"), optionally bytes ("get.size") and a total
 * latency in ns ("get.ns.total" and the cumulative "get.ns") */
typedef enum {
	STATS_GET,
	STATS_PUT,
	STATS_HEAD,
	STATS_APPEND,
	STATS_DEL,
	STATS_REN,
	STATS_LIST,
	STATS_NOPS
} stats_op_t;

/* error counters ("err.get.n", ...). The *_CKSUM and IO_* kinds also bump the plain error of
 * their operation (AIStore counts a checksum-failed PUT in err.put.n and err.put.cksum.n). */
typedef enum {
	STATS_ERR_GET,
	STATS_ERR_PUT,
	STATS_ERR_HEAD,
	STATS_ERR_APPEND,
	STATS_ERR_DEL,
	STATS_ERR_REN,
	STATS_ERR_LIST,
	STATS_ERR_PUT_CKSUM,
	STATS_ERR_IO_GET,
	STATS_ERR_IO_PUT,
	STATS_ERR_IO_DEL,
	STATS_NERRS
} stats_err_t;

/* bucket arguments from any struct with provider/ns/name char arrays (bck_t, pbck_t) */
#define STATS_BCK(b) (b)->provider, (b)->ns, (b)->name

/* register GET /metrics (route table; call once, before the server starts, after node_init)
 * and note the start time for uptime. Role and node ID come from cluster/node. */
int stats_init(void);

/* monotonic ns: take it where a request starts, pass it as t0 */
int64_t stats_now(void);

/* one completed operation on bucket (provider, ns, name): count +1, bytes (ignored when < 0 or
 * for ops without a size metric), latency now - t0 (skipped when t0 <= 0). */
void stats_op(stats_op_t op, const char *provider, const char *ns, const char *bck, int64_t t0, int64_t bytes);
/* one failed operation */
void stats_err(stats_err_t e, const char *provider, const char *ns, const char *bck);
/* a 404 (object not found) answered to `method` (net/http.h http_method_t): GET counts as an
 * error only with the cluster feature Count-Object-NotFound-Stats (AIStore's default: not an
 * error); HEAD does not count; DELETE counts as err.del.n (as AIStore's DELETE). */
void stats_notfound(int method, const char *provider, const char *ns, const char *bck);
/* proxy: an object request redirected to its target (ok) or refused before that (!ok), counted
 * as AIStore's proxy does: GET → get.n, PUT → put.n (append.n with ?append_type), DELETE →
 * del.n (err.* when !ok); other methods are not counted here. */
void stats_redirect(int method, bool append, bool ok, const char *provider, const char *ns, const char *bck);
/* a response that could not be written completely ("err.http.write.n") */
void stats_http_write_err(void);
/* one object of `bytes` sent to (in = false) or received from (in = true) a peer target over the
 * intra-cluster streams: AIStore's "stream.out.n"/"stream.out.size", "stream.in.n"/"stream.in.size" */
void stats_stream(bool in, int64_t bytes);

/* remote backends ("<backend>.get.n", ...: AIStore's per-backend metrics, backend "aws" or
 * "remais"): one remote request of op (STATS_RB_GET/PUT/HEAD/DEL) that moved bytes (< 0: none)
 * and took now - t0 (t0 <= 0: not timed) */
enum { STATS_RB_AWS = 0, STATS_RB_REMAIS = 1 };
enum { STATS_RB_GET_N, STATS_RB_GET_SIZE, STATS_RB_GET_NS, STATS_RB_PUT_N, STATS_RB_PUT_SIZE, STATS_RB_PUT_NS, STATS_RB_HEAD_N };
void stats_remote(int backend, int op, int64_t t0, int64_t bytes);
/* a counter's current value (tests, jobs): backend STATS_RB_*, counter STATS_RB_* */
uint64_t stats_remote_get(int backend, int counter);

/* ---- readers ---- */
/* AIStore's cumulative tracker: {"get.n": 5, "get.ns.total": 123, "up.ns.time": ..., ...}
 * (counters, sizes and totals only when non-zero; latencies, uptime and flags always). */
json_t *stats_tracker_json(void);
/* add AIStore's NodeStatus fields (tracker, capacity (targets), sys_info, cluster, status,
 * deployment, ais_version, build_time, k8s_pod_name) to a node_status object `j`. */
void stats_status_json(json_t *j);
/* the Prometheus text exposition (format 0.0.4) of this node; malloc'd, caller frees; NULL on
 * out-of-memory. */
char *stats_prom_text(void);

/* ---- for prom.c / tests: raw access (sums over shards and bucket labels) ---- */
uint64_t stats_get_op(stats_op_t op, bool bytes, bool latency);
uint64_t stats_get_err(stats_err_t e);
/* reset everything (tests) */
void stats_reset(void);

#endif
