/* xs_bwalk: the objects of one bucket on this target's mountpaths (in use), for jobs that visit
 * them (index-shard, summary-shard, archive by prefix): every regular file under %ob whose object
 * name starts with a prefix, long names read from their LOM. Order is the file system's; a name
 * is visited once per copy found (one per mountpath, as objects live on exactly one).
 * The callback returns false to stop (e.g. the job was aborted). Blocks on directory reads. */
#ifndef AIS_XS_BWALK_H
#define AIS_XS_BWALK_H

#include <stdbool.h>

#include "cluster/bmd.h"

typedef bool (*xs_bwalk_fn)(void *arg, const char *name);

/* 0, or AIS_ENOMEM; stops early (0) when cb returns false */
int xs_bwalk(const bck_t *b, const char *prefix, xs_bwalk_fn cb, void *arg);

#endif
