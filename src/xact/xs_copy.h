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

/* c->dst: the bucket a job message's "tobck" ({"name","provider","namespace"}) names in bmd.
 * 0, AIS_EINVAL (no "tobck") or AIS_ENOBUCKET (not in bmd), err filled; *db: the name read */
int xs_copy_dst(xs_copy_t *c, bmd_t *bmd, json_t *msg, xact_bck_t *db, char *err, size_t cap);
/* the copy options of a job message: "prepend", "dry_run", "latest-ver" */
void xs_copy_opts(xs_copy_t *c, json_t *msg);
/* xs_work_fn over an xs_copy_t (arg): xs_copy_one; per-object errors are recorded and the job
 * goes on (AIStore's TCB) */
int xs_copy_work(void *arg, const char *name, int64_t size);
/* copy one source object `name` (size from a listing, or -1). Counters: loc-objs/loc-bytes per
 * copied object (dry-run: what would be copied). 0, or AIS_ENOTFOUND (source gone: skipped),
 * or AIS_E* (reported with xact_add_err by the caller). */
int xs_copy_one(xs_copy_t *c, const char *name, int64_t size);
/* "synchronize": remove destination objects (this target's) whose source is gone */
int xs_copy_sync(xs_copy_t *c, char *err, size_t cap);

#endif
