/* tgt_int: what the target's .c files share (not for other modules): the per-request object
 * context (bucket from the BMD, validated object name, HRW mountpath, path) and the handlers
 * troutes.c registers. A tobj_t holds a BMD reference from tobj_init until tobj_fini, so
 * `bck` stays valid for the whole request even if a newer BMD is installed meanwhile. */
#ifndef AIS_TGT_INT_H
#define AIS_TGT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "net/http.h"
#include "target/fqn.h"
#include "target/lom.h"

#define TOBJ_UNAME_MAX (FQN_OBJNAME_MAX + 256)

typedef struct tobj {
	bmd_t *bmd;                 /* ref; released by tobj_fini */
	const bck_t *bck;           /* inside bmd */
	char ibuf[FQN_OBJNAME_MAX + 256];
	const char *oname;          /* object name (inside ibuf, or caller's) */
	size_t olen;
	uint64_t digest;            /* hrw_digest(uname) */
	int mpi;                    /* mountpath index */
	bool fntl;                  /* stored under the short name */
	char fqn[FQN_MAX];
} tobj_t;

/* parse /v1/objects/<bck>/<obj> + provider/namespace, find the bucket, validate the name,
 * place it. On failure it has already responded (error) and returns < 0; else 0. */
int tobj_init(tobj_t *o, http_req_t *r);
/* same for an explicit bucket (already looked up in o->bmd) and name; no response. */
int tobj_place(tobj_t *o, const bck_t *bck, const char *name);
void tobj_fini(tobj_t *o);
/* "ais://bck/obj" (or "ais://@uuid#ns/bck/obj") */
void tobj_cname(const bck_t *b, const char *oname, char *out, size_t cap);
/* "<mp>/@ais/<bck>/%wk/<tag>.<random>"; creates the %wk dir when missing. 0 or AIS_E* */
int tobj_workfile(const tobj_t *o, const char *tag, char *out, size_t cap);
/* create and open a fresh work file (tobj_workfile, O_CREAT|O_EXCL|accmode, accmode O_WRONLY or
 * O_RDWR; a missing parent dir is made and the open retried once). 0 with *fd open and the path in
 * work, or AIS_E* with *fd = -1 and work = "". */
int tobj_open_work(const tobj_t *o, const char *tag, int accmode, char *work, size_t cap, int *fd);
/* read an object's bytes from fd (through crd when chunked, NULL: plain pread) from offset 0 to
 * EOF in 256 KiB blocks, handing each to sink (non-zero return stops). 0, AIS_ENOMEM, AIS_EIO or
 * the sink's error; *nread (optional) = bytes read. */
typedef int (*tobj_sink_fn)(void *arg, const char *buf, size_t n);
struct chunk_rd;
int tobj_read_all(int fd, struct chunk_rd *crd, tobj_sink_fn sink, void *arg, int64_t *nread);
/* HRW owner of bucket b's object name: true (and *peer = a copy of it) when another target owns
 * it; false when this target does, or when there is no usable cluster map */
bool tobj_remote_owner(const bck_t *b, const char *name, snode_t *peer);
/* provider/namespace of the request: 0, or responds 400/501 and returns < 0 */
int tobj_bck_query(http_req_t *r, char *ns, size_t nscap);
/* 404 for a missing object, AIStore-style message */
void tobj_err_notfound(http_req_t *r, const tobj_t *o);
/* object headers (Ais-Checksum-*, Ais-Atime, Ais-Version, Ais-Custom-Md) */
void tobj_add_md_hdrs(http_req_t *r, const lom_md_t *md);
/* load the LOM of an existing object through an open fd, with the defunct-bucket check:
 * AIS_ENOTFOUND when missing or defunct. */
int tobj_load(const tobj_t *o, int fd, lom_md_t *md);
/* finalize a written work file: set LOM (xattr on fd), rename into o->fqn (mkdir parents).
 * Handles versioning under the object's lock. Closes fd. 0 or AIS_E* (work file removed). */
int tobj_commit(const tobj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version);

/* handlers */
void obj_get_handle(http_req_t *r);     /* GET and HEAD */
void obj_put_handle(http_req_t *r);     /* PUT incl. append and copy (object_to) */
void obj_ops_delete(http_req_t *r);
void obj_ops_post(http_req_t *r);       /* POST {"action":"rename-obj"} */
void obj_ops_copy(http_req_t *r);       /* PUT ?object_to=<uname> (deferred to the pool) */
void tlist_handle(http_req_t *r);       /* GET /v1/buckets/<bck> {"action":"list"} */
void cleanup_init(void);                /* PUT /v1/xactions {start cleanup-store} (cleanup.c) */

#endif
