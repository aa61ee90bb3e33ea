/* xs_copy: the per-object step of the copy jobs (copy-bck, copy-listrange, move-bck): make sure
 * a remote source is here (cold GET through the single flight, or its latest version when
 * asked), then copy (or move) it into the destination bucket - locally, or to the HRW owner of
 * the destination over the target-to-target transport (the mover the target registered).
 * Options as AIStore's apc.CopyBckMsg: prepend, dry_run, latest-ver; the destination name is
 * prepend + the source's name. Blocks (disk, network): job threads only. */
#ifndef AIS_XS_COPY_H
#define AIS_XS_COPY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "xact/xact.h"

typedef struct xs_copy {
	xact_t *x;
	const bck_t *src, *dst; /* in the job's BMD reference */
	char prepend[256];
	bool dry_run, latest, move;
} xs_copy_t;

/* the destination bucket named by a job message's "tobck" ({"name","provider","namespace"}) */
int xs_copy_dst(json_t *msg, xact_bck_t *out, char *err, size_t cap);
/* copy one source object `name` (size from a listing, or -1). Counters: loc-objs/loc-bytes per
 * copied object (dry-run: what would be copied). 0, or AIS_ENOTFOUND (source gone: skipped),
 * or AIS_E* (reported with xact_add_err by the caller). */
int xs_copy_one(xs_copy_t *c, const char *name, int64_t size);
/* "synchronize": remove destination objects (this target's) whose source is gone */
int xs_copy_sync(xs_copy_t *c, char *err, size_t cap);

#endif
