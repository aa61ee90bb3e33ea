/* proxy: the gateway's API: object redirects, bucket operations (on the primary; other proxies
 * forward them), list-objects merged from all targets, and cluster queries. proxy_init()
 * registers the routes; handlers that talk to other nodes run on the server's pool. */
#ifndef AIS_PROXY_H
#define AIS_PROXY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "net/http.h"

int proxy_init(void);

/* internal, shared by the proxy's files */
typedef struct pbck {
	char provider[16];
	char ns[80];
	char name[80];
} pbck_t;

/* parse provider/namespace query params and the bucket name; responds with 400 on error. */
int pbck_parse(http_req_t *r, const char *name, pbck_t *b);
/* list objects: r->body holds the ActMsg; runs on the pool; responds. */
void plist_objects(http_req_t *r, const pbck_t *b, json_t *lsmsg);
/* one merged list-objects page (the same on the native API and S3); pool only. 0 with *out
 * the LsoRes JSON (caller decrefs), or AIS_E* with pe filled: status, tcode, msg, and relay
 * (a target's own error body, malloc'd; caller frees) when set. */
typedef struct plist_err {
	int status;
	const char *tcode;
	char msg[512];
	char *relay;
	size_t relay_len;
} plist_err_t;
int plist_page(const pbck_t *b, json_t *lsmsg, json_t **out, plist_err_t *pe);
/* the same page as an lso_res_t (out initialized by the caller; filled on 0, emptied on error) */
struct lso_res;
int plist_page_res(const pbck_t *b, json_t *lsmsg, struct lso_res *out, plist_err_t *pe);
/* create/destroy an ais bucket: on the primary via metasync, elsewhere through the primary.
 * Pool only. 0 or AIS_E* (AIS_EEXIST, AIS_ENOBUCKET, ...) with a message in err. */
int pbck_create(const pbck_t *b, json_t *props, char *err, size_t cap);
int pbck_destroy(const pbck_t *b, char *err, size_t cap);
/* apply a BpropsToSet patch to the bucket's props (primary only: metasync). 0 or AIS_E* + err */
int pbck_set_props(const pbck_t *b, json_t *patch, char *err, size_t cap);
/* n-way mirroring (pmirror.c): POST make-n-copies (responds); copies > every target's available
 * mountpaths → AIS_EINVAL with AIStore's message (make_n: make-n-copies' wording, else
 * set-bprops'); set-bprops' check before the change (*copies: the job to start after, 0: none)
 * and its response after (the job's ID when one started) */
void pmirror_make_n_copies(http_req_t *r, const pbck_t *b, json_t *msg);
int pmirror_check_copies(const pbck_t *b, int copies, bool make_n, char *err, size_t cap);
int pmirror_before_props(const pbck_t *b, json_t *patch, int *copies, char *err, size_t cap);
void pmirror_after_props(http_req_t *r, const pbck_t *b, int copies);
/* erasure coding (pec.c): POST ec-encode (responds); set-bprops' target-count check before the
 * change (*reec: EC gets enabled: start ec-encode after) and its response after (the job's ID) */
void pec_encode(http_req_t *r, const pbck_t *b, json_t *msg);
int pec_before_props(const pbck_t *b, json_t *patch, bool *reec, char *err, size_t cap);
void pec_after_props(http_req_t *r, const pbck_t *b);
/* props with EC enabled: enough active targets for D and P? 0 or AIS_EINVAL with AIStore's message */
int pec_check_targets(json_t *props, bool force, char *err, size_t cap);
/* add a remote bucket to the BMD (AIStore's add-remote-bck) with props (may be NULL): on the
 * primary via metasync, elsewhere through the primary. Pool only. 0 or AIS_E* (err filled). */
int pbck_add_remote(const pbck_t *b, json_t *props, char *err, size_t cap);

/* ---- remote buckets (prbck.c) ---- */
/* make sure a remote bucket b is in the BMD (first use: HEAD it through a target, then add it).
 * 0 (in the BMD now, or not a remote bucket); else responded (404 not found remotely or backend
 * not configured, 5xx) and < 0. Pool only. */
int prbck_ensure(http_req_t *r, const pbck_t *b);
/* the BMD change of add-remote-bck (metasync_lock held; idempotent) */
int prbck_add_op(bmd_t *m, const pbck_t *b, json_t *props, char *err, size_t cap);
/* GET /v1/cluster?what=remote: true when taken */
bool prbck_get(http_req_t *r, const char *what);
int prbck_init(void);
/* /v1/tokens: AuthN key validation and token revocation (ptokens.c) */
int ptokens_init(void);
/* list-objects of a remote bucket (not LsCached): one page from the designated target's remote
 * listing, completed with the cluster's cached flags (prlist.c). Same contract as plist_page_res. */
struct lso_msg;
int prlist_page(const pbck_t *b, struct lso_msg *m, struct lso_res *out, plist_err_t *pe);
/* bucket-level job actions (pjob.c): POST prefetch-listrange, copy-bck, move-bck,
 * copy-listrange; DELETE evict-listrange, delete-listrange, evict-remote-bck. true when taken
 * (responded). */
bool pjob_bck_action(http_req_t *r, const pbck_t *b, json_t *msg);
/* POST /v1/objects/<bck> with promote / blob-download (pjob.c): true when taken */
bool pjob_obj_action(http_req_t *r, const pbck_t *b, const char *oname, json_t *msg);
int pjob_init(void);

/* relay the request to the primary and its answer back (non-primary proxies); pool only. */
void pfwd_to_primary(http_req_t *r);

/* shard actions (pshard.c), on the pool with the parsed ActMsg: POST index-shard, GET
 * summary-shard, PUT archive; each responds */
void pshard_index(http_req_t *r, const pbck_t *b, json_t *msg);
void pshard_summary(http_req_t *r, const pbck_t *b, json_t *msg);
void pshard_archive(http_req_t *r, const pbck_t *b, json_t *msg);
/* start job kind for bucket b on the active targets (tid != NULL: only there) with ext as the
 * kind's message; id "" → generated (filled). 0, or AIS_E* having responded. */
int pshard_start(http_req_t *r, const char *kind, const pbck_t *b, json_t *ext, const char *tid, char *id);
/* GET /v1/ml/moss[/<bck>] (pml.c) */
int pml_init(void);

/* GET /v1/cluster?what=status|status_all|qryxstats|running_all (pxact.c): takes the request
 * (reads the QueryMsg body, answers from the pool) and returns true; false for other whats. */
bool pxact_get(http_req_t *r, const char *what);

/* ---- global rebalance on the primary (preb.c) and node lifecycle (pmaint.c) ---- */
/* the cause of the next Smap commit, for the rebalance trigger: set (under metasync_lock) right
 * before metasync_commit_smap and cleared after it; `version` receives the rebalance it started
 * (0: none) */
typedef struct preb_intent {
	const char *action;
	const char *sid;
	bool skip;
	int64_t version;
} preb_intent_t;
void preb_intent(preb_intent_t *in);
/* the Smap listener (primary): bumps the RMD when the set of active targets changed */
struct smap;
void preb_on_smap(const struct smap *old, const struct smap *cur);
/* run pmaint_final(action, sid, opts) once rebalance `version` (or a newer one) is done */
void preb_post_add(int64_t version, const char *action, const char *sid, json_t *opts);
bool preb_pending_for(const char *sid);
/* PUT /v1/cluster start kind "rebalance": bump the RMD, answer "g<N>" */
struct xact_args;
void preb_start(http_req_t *r, const struct xact_args *a);
/* stop kind "rebalance": refused (responds 400, returns < 0) while a node is being drained,
 * unless Force (AIStore's _checkMaint) */
int preb_check_stop(http_req_t *r, const struct xact_args *a);
int preb_init(void);
/* bring the status listener of job uuid up to date now (its targets' snapshots): before a node
 * that ran it is shut down or removed (pxact.c) */
void pxact_nl_sync(const char *uuid);
/* the last step of a node lifecycle action (after its rebalance, or at once without one):
 * post-rebalance flag (after_reb: drained by a rebalance), shutdown, or decommission (the node
 * wipes itself and leaves the Smap).
 * Pool/watcher threads. 0 or AIS_E* with err. */
int pmaint_final(const char *action, const char *sid, json_t *opts, bool after_reb, char *err, size_t cap);
/* start job kind k (args a: ID assigned when empty, bucket) on every active target, with the
 * job's own message in params (may be NULL), and register its status listener. 0: started
 * (a->id set; the caller responds); < 0: responded (a target's refusal relayed, nothing left
 * running). Pool only. */
struct xact_kind;
struct xact_args;
int pxact_start_job(http_req_t *r, const struct xact_kind *k, struct xact_args *a, json_t *params);
/* wait (polling the targets) until job uuid ended: 0 (*aborted says how), AIS_ETIMEOUT, or
 * AIS_ENOTFOUND (no listener). Blocks: a proxy thread of its own, never the pool for long. */
int pxact_wait_done(const char *uuid, int64_t timeout_ns, bool *aborted);

/* PUT /v1/cluster {"action": <name>, ...}: register a handler for an action (at init only).
 * The handler runs on the pool with the parsed message (owned by the caller) and responds. */
typedef void (*pclu_action_fn)(http_req_t *r, json_t *msg);
void pclu_action_add(const char *action, pclu_action_fn fn);

#endif
