/* obj_walk: visit every object file of one bucket on one mountpath (<mp>/@prov/[ns/]bck/%ob/...)
 * for the jobs that traverse what a target stores (rebalance, resilver). Objects stored under a
 * short name (long names) are reported with their full name from the LOM. The callback runs on
 * the walking thread and may delete or move the file it was given (directory entries removed
 * behind the walk are fine; entries added meanwhile may or may not be seen). Blocks on disk I/O:
 * job threads only. */
#ifndef AIS_OBJ_WALK_H
#define AIS_OBJ_WALK_H

#include <stddef.h>

#include "cluster/bmd.h"

/* name: the object name (NUL-terminated); fqn: its file. Return non-zero to stop the walk (the
 * value is returned by obj_walk). */
typedef int (*obj_walk_fn)(void *arg, const char *name, size_t nlen, const char *fqn);

/* 0 when the whole directory was walked, the callback's non-zero value, or AIS_ENOMEM */
int obj_walk(const bck_t *b, int mpi, obj_walk_fn cb, void *arg);
/* the same over another content directory laid out as %ob (e.g. obj/mirror.h's copies) */
int obj_walk_ct(const bck_t *b, int mpi, const char *ct, obj_walk_fn cb, void *arg);

#endif
