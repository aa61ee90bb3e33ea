/* proxy: the gateway's API: object redirects, bucket operations (on the primary; other proxies
 * forward them), list-objects merged from all targets, and cluster queries. proxy_init()
 * registers the routes; handlers that talk to other nodes run on the server's pool. */
#ifndef AIS_PROXY_H
#define AIS_PROXY_H

#include <jansson.h>

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

/* PUT /v1/cluster {"action": <name>, ...}: register a handler for an action (at init only).
 * The handler runs on the pool with the parsed message (owned by the caller) and responds. */
typedef void (*pclu_action_fn)(http_req_t *r, json_t *msg);
void pclu_action_add(const char *action, pclu_action_fn fn);

#endif
