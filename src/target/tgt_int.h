/* tgt_int: what the target's .c files share (not for other modules): the per-request object
 * context (bucket from the BMD, validated object name, HRW mountpath, path) and the handlers
 * troutes.c registers. A obj_t holds a BMD reference from tobj_init until obj_fini, so
 * `bck` stays valid for the whole request even if a newer BMD is installed meanwhile.
 * The object handlers (tobj_get.c, tobj_put.c, tobj_ops.c) are adapters over the object core
 * (obj/obj_get.h, obj_put.h, obj_ops.h): parse the request, call the core, map its result
 * (AIS_E* + obj_why_t) to AIStore's headers, statuses and JSON errors. */
#ifndef AIS_TGT_INT_H
#define AIS_TGT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "net/http.h"
#include "obj/obj.h"

/* parse /v1/objects/<bck>/<obj> + provider/namespace, find the bucket, validate the name,
 * place it; a request without the proxy's redirect marker (pid + utm) for an object another
 * target owns by HRW is redirected there (GET 301, HEAD 307) or refused (400, other methods).
 * On failure it has already responded and returns < 0; else 0. */
int tobj_init(obj_t *o, http_req_t *r);
/* provider (normalized: "s3" -> "aws") and namespace ("@alias#" -> "@alias") of the request:
 * 0, or responds 400 (unknown provider) / 404 (a provider not built here) and returns < 0 */
int tobj_bck_query(http_req_t *r, char *prov, size_t pcap, char *ns, size_t nscap);
/* 404 for a missing object, AIStore-style message (the object core has counted it) */
void tobj_err_notfound(http_req_t *r, const obj_t *o);
/* object headers (Ais-Checksum-*, Ais-Atime, Ais-Version, Ais-Custom-Md) */
void tobj_add_md_hdrs(http_req_t *r, const lom_md_t *md);

/* PATCH: set custom metadata (tobj_custom.c) */
void tobj_custom_patch(http_req_t *r);
/* HEAD with ?props= (AIStore's v2 HEAD, tobj_head.c): the asked properties as headers; 0, or
 * answers 400 for an unknown property and returns < 0 */
struct obj_get;
int tobj_head_v2(http_req_t *r, const obj_t *o, const struct obj_get *g, const char *props);

/* the object reader's failure (obj_get_open/prepare: rc + why) as AIStore's error */
struct obj_get;
void tobj_get_err(http_req_t *r, const obj_t *o, const struct obj_get *g, int rc, obj_why_t why);

/* archives (tarch.c): GET with archpath / archregx / archmode / archmime */
bool tarch_wanted(const http_req_t *r);
void tarch_get(http_req_t *r, obj_t *o);   /* takes o (obj_move) and responds */
/* PUT ?archpath= (append a file to a shard, or make a new one) */
void tarch_put(http_req_t *r, obj_t *o);   /* takes o and responds */

/* handlers */
void tobj_get_handle(http_req_t *r);    /* GET and HEAD */
/* GET/HEAD served from what is stored here; local_only: never ask the remote backend */
void tobj_get_serve(http_req_t *r, bool local_only);
/* remote buckets (tobj_cold.c): does this GET/HEAD (open result rc) need the backend - a cold
 * GET, a warm-GET check, a remote HEAD, a blob download? Cheap; on the loop thread. */
bool tcold_wanted(const obj_t *o, http_req_t *r, int rc);
/* take the request over (moves o's context; o is left empty): everything runs on the pool */
void tcold_handle(http_req_t *r, obj_t *o);
void tobj_put_handle(http_req_t *r);    /* PUT incl. append and copy (object_to) */
void tobj_ops_delete(http_req_t *r);
void tobj_ops_post(http_req_t *r);      /* POST {"action":"rename-obj"} */
void tobj_ops_copy(http_req_t *r);      /* PUT ?object_to=<uname> (deferred to the pool) */
void tlist_handle(http_req_t *r);       /* GET /v1/buckets/<bck> {"action":"list"} */
void tlist_init(void);                  /* list cursors' sweeper (tlcursor.h) */
void tlist_fini(void);                  /* ... stopped, every cursor freed */
/* remote buckets' internal endpoints /v1/backend (tremote.c) */
void tremote_init(void);
/* the downloader's status/abort/remove endpoints /v1/download (tdload.c) */
void tdload_init(void);
/* job endpoints /v1/xactions (txact.c); fini stops the jobs (before the mountpaths go) */
void txact_init(void);
void txact_fini(void);
/* mountpath attach/enable/disable/detach (tmpath.c): /v1/daemon/mountpaths */
void tmpath_init(void);
/* native multipart (tmpu.c): PUT part, POST mpt-* action, DELETE abort */
void mpu_put_handle(http_req_t *r);
void mpu_post_handle(http_req_t *r, obj_t *o, const char *action, void *jmsg);
void mpu_delete_handle(http_req_t *r);

#endif
