/* chunk: chunked objects on this target. Layout (AIStore's fs content types "ch" and "ut"):
 *   <mp>/@<prov>/<bck>/%ob/<rel>                 chunk 1 of a completed object + its LOM
 *                                                (LOM_FL_CHUNKED, uid = manifest id)
 *   <mp>/@<prov>/<bck>/%ut/<rel>                 completed manifest (object's mountpath)
 *   <mp>/@<prov>/<bck>/%ut/<rel>.<id>            partial manifest of upload <id>
 *   <mp'>/@<prov>/<bck>/%ch/<rel>.<id>.<NNNN>    chunk NNNN; chunk 1 on the object's mountpath,
 *                                                the others on HRW(<id><NNNN>) over mountpaths
 * where <rel> is the object's name under %ob (its short form for long names).
 * Also: the reader that serves byte ranges across chunk files, the writer that chunks a PUT
 * stream (chunks.objsize_limit), and the commit that flips a set of chunks into the current
 * object version under the object lock. Invariant: an object's LOM says "chunked" only once the
 * completed manifest with that id is in place (the LOM is set on chunk 1 before it is renamed
 * into %ob); a reader that sees a different manifest id retries (a commit was in flight). */
#ifndef AIS_CHUNK_H
#define AIS_CHUNK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "obj/obj.h"
#include "obj/ufest.h"

#define FQN_CT_CHUNK "%ch"
#define FQN_CT_UFEST "%ut"

/* the object's name as stored under %ob (points into o->fqn) */
const char *chunk_rel(const obj_t *o);
/* path of chunk `num` of upload `id`; *mpi (optional) = its mountpath index. 0 or AIS_E* */
int chunk_path(const obj_t *o, const char *id, int num, char *out, size_t cap, int *mpi);
/* manifest path: partial (id) or completed (id NULL) */
int chunk_ufest_path(const obj_t *o, const char *id, char *out, size_t cap);
/* make the parent directories of manifest path p of o: a shorter chunked name's completed
 * manifest in the way moves into its leaf (fqn.h); call holding no object lock. 0 or AIS_E* */
int chunk_ufest_mkdirs(const obj_t *o, const char *p);
/* a fresh work file name on mountpath mpi (dir created) */
int chunk_workfile(const obj_t *o, int mpi, char *out, size_t cap);

/* load the completed manifest of a chunked object whose LOM is md: AIS_ENOTFOUND (missing),
 * AIS_ECONFLICT (another version's manifest: a commit raced; retry), AIS_EINVAL (corrupt). */
int chunk_load(const obj_t *o, const lom_md_t *md, ufest_t *u);

/* reads across chunks; chunk 1 comes from fd1 (the open object file; borrowed) */
typedef struct chunk_rd {
	const ufest_t *u;
	int fd1;
	int idx;   /* chunk whose fd is open in `fd` (-1 none) */
	int fd;
} chunk_rd_t;
void chunk_rd_init(chunk_rd_t *r, const ufest_t *u, int fd1);
/* pread semantics over the whole object: n > 0, 0 at the end, AIS_E*. A chunk file whose size
 * differs from the manifest's (truncated or extended on disk) is AIS_EIO, never wrong bytes. */
ssize_t chunk_rd_pread(chunk_rd_t *r, void *buf, size_t n, int64_t off);
/* the open file of chunk index i (0-based; index 0 is fd1): opened here (the previously open one
 * closed) with the same size check as chunk_rd_pread; *fd is borrowed (valid until the next call
 * or chunk_rd_fini). 0, AIS_EINVAL (no such index), AIS_EIO. */
int chunk_rd_fd(chunk_rd_t *r, int i, int *fd);
void chunk_rd_fini(chunk_rd_t *r);

/* make the chunks of u (files at their upload paths) the object's current version. md carries
 * size, checksum, atime, custom; this sets bid, flags, uid, name (long names) and the version
 * (next one unless keep_version). Takes the object lock; drops the previous version's chunks and
 * the partial manifest. On failure the upload's files are left as they were. 0 or AIS_E*. */
int chunk_commit(const obj_t *o, const ufest_t *u, lom_md_t *md, bool keep_version);
/* remove chunks 2..N and the completed manifest of the chunked object whose LOM is md
 * (caller holds the object lock; the %ob file itself is the caller's). */
void chunk_drop(const obj_t *o, const lom_md_t *md);
/* remove every chunk file listed in u, and its partial manifest */
void chunk_remove_upload(const obj_t *o, const ufest_t *u);

/* auto-chunking writer for a PUT stream: chunk_size bytes per chunk */
typedef struct chunk_w chunk_w_t;
int chunk_w_open(const obj_t *o, int64_t chunk_size, chunk_w_t **out);
int chunk_w_write(chunk_w_t *w, const void *p, size_t n);
/* commit (md and keep_version as chunk_commit) and free w; on error everything written is removed */
int chunk_w_commit(chunk_w_t *w, lom_md_t *md, bool keep_version);
void chunk_w_abort(chunk_w_t *w);

/* chunks.objsize_limit / chunk_size / checkpoint_every from the current cluster config */
void chunk_conf(int64_t *objsize_limit, int64_t *chunk_size, int *checkpoint_every);

#endif
