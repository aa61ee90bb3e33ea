/* obj_ver: the retained (non-current) versions of an object on this target, kept in a hidden
 * name-space beside %ob so that the current object stays an ordinary object (native GET, HEAD,
 * list and every job see only it, at the cost they always had). Layout:
 *   <mp>/@<prov>/[ns/]<bck>/%ov/<h2>/<H>/<seq>
 * H = the SHA-256 (hex) of the object name (the digest fqn_short uses for long names), h2 = its
 * first two hex digits (fan-out), on the object's HRW mountpath; <seq> = the version's sequence
 * number (decimal, > 0), unique per object and increasing with every version written. The path
 * depends on the name only through H, so it is independent of how %ob maps names to files (keys
 * that are prefixes of other keys, keys ending in '/', long names). Each file is a complete,
 * monolithic object carrying its own LOM (user.ais.lom) in which version = <seq> and name = the
 * full object name (so a walk can report it); a chunked current version is copied into one file
 * when it is retained. What a version means (S3 version IDs, delete markers) is the caller's
 * (s3/s3_ver.c), kept in the LOM's custom metadata; this module only stores and finds files.
 * Callers serialize changes of one object (the S3 object lock stripe); the move into %ob
 * (obj_ver_promote) also takes the object's lock (lom_lock). Blocking disk I/O: pool threads. */
#ifndef AIS_OBJ_VER_H
#define AIS_OBJ_VER_H

#include <stdbool.h>
#include <stdint.h>

#include "obj/obj.h"

#define FQN_CT_VER "%ov"

/* the directory of o's versions on mountpath mpi; length or AIS_EINVAL */
int obj_ver_dir(const obj_t *o, int mpi, char *out, size_t cap);
/* dst = a copy of o (borrowing its BMD reference) whose fqn is version seq's file on o's
 * mountpath; readers (obj_get_open) and LOM edits (obj_md_update) work on it unchanged. 0 or
 * AIS_EINVAL */
int obj_ver_view(obj_t *dst, const obj_t *o, int64_t seq);
/* the sequence numbers of o's retained versions, newest first: *seqs malloc'd (free it), *n.
 * 0 (none: *n = 0) or AIS_ENOMEM */
int obj_ver_scan(const obj_t *o, int64_t **seqs, int *n);
/* keep the current object (LOM cur, as loaded) as version seq: a hard link when it is a
 * monolithic file on o's mountpath, else a copy of its bytes into one monolithic file; the
 * retained file's LOM gets version = seq and the full name. The current object is untouched
 * (the caller then replaces or removes it). 0 or AIS_E* (nothing left behind) */
int obj_ver_retain(const obj_t *o, const lom_md_t *cur, int64_t seq);
/* create version seq as an empty file with LOM md (version and name are set here): a delete
 * marker. 0 or AIS_E* */
int obj_ver_put_empty(const obj_t *o, int64_t seq, lom_md_t *md);
/* remove version seq (and the now-empty directories above it up to %ov); 0 or AIS_ENOTFOUND */
int obj_ver_remove(const obj_t *o, int64_t seq);
/* make version seq the current object again (rename into %ob under the object's lock; its LOM
 * gets o's short-name flag). Refuses (AIS_EEXIST) when a current object exists. 0 or AIS_E* */
int obj_ver_promote(const obj_t *o, int64_t seq);
/* the version file at fqn (found by obj_ver_walk on mountpath mpi of bucket b): its object
 * placed on this target's HRW mountpath (*o; borrows b) and its LOM (*md: the caller finis it);
 * *seq its sequence number. 0 or AIS_E* (AIS_EINVAL: not a version file, no name) */
int obj_ver_ident(const bck_t *b, const char *fqn, obj_t *o, lom_md_t *md, int64_t *seq);
/* install version seq of o (its HRW mountpath) from len bytes at data and its LOM md (another
 * target's, moved by a rebalance). 0, AIS_EEXIST (that version is here already: kept), AIS_E* */
int obj_ver_install(const obj_t *o, int64_t seq, const lom_md_t *md, const void *data, size_t len);
/* resilver: the version file at fqn (on another mountpath than o's HRW one) to o's mountpath
 * (rename; across filesystems a copy with its LOM, then the source goes). 0 or AIS_E* */
int obj_ver_move_here(const obj_t *o, int64_t seq, const char *fqn);
/* visit every version file of bucket b on mountpath mpi (fqn NUL-terminated); non-zero from cb
 * stops the walk and is returned. 0 or AIS_ENOMEM */
typedef int (*obj_ver_walk_fn)(void *arg, const char *fqn);
int obj_ver_walk(const bck_t *b, int mpi, obj_ver_walk_fn cb, void *arg);

#endif
