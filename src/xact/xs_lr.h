/* xs_lr: the object selection every multi-object job shares (AIStore's lrit over apc.ListRange):
 * exactly the listed "objnames", the names of a range template ("obj-{0000..0999}"), or every
 * object under a prefix (a template without ranges; "" = the whole bucket). Each target takes
 * only the objects it owns by HRW, so N targets split the work without talking to each other.
 * Where prefix names come from (xs_lr_src_t): the remote bucket's listing (pages of the
 * backend; prefetch, delete, copy of a remote source) or what is stored here (a walk of this
 * target's mountpaths; evict, copy/move of ais buckets). Also the job message helpers (JSON
 * fields as AIStore names them) and the mover hook the target registers for copies.
 * An iterator belongs to one job thread; names are valid until the next call. */
#ifndef AIS_XS_LR_H
#define AIS_XS_LR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "obj/obj_ops.h"
#include "xact/xact.h"

typedef enum {
	XS_LR_REMOTE = 1, /* prefix/all: the remote listing (remote buckets); local walk otherwise */
	XS_LR_LOCAL = 2,  /* prefix/all: what is stored on this target */
} xs_lr_src_t;

typedef struct xs_lr xs_lr_t;

/* selection from a message with "objnames" / "template" (ListRange), or prefix (may be NULL)
 * when the message selects by prefix (TCBMsg). b must stay valid (a BMD reference the job
 * holds). 0 or AIS_EINVAL (bad template: err) / AIS_ENOMEM. */
int xs_lr_open(xs_lr_t **out, const bck_t *b, json_t *msg, const char *prefix, xs_lr_src_t src, bool non_recurs,
	       char *err, size_t cap);
/* next name this target owns: 1 (name; *size = the listing's size or -1), 0 at the end, or
 * AIS_E* (a remote listing failed: err filled) */
int xs_lr_next(xs_lr_t *it, const char **name, int64_t *size, char *err, size_t cap);
void xs_lr_close(xs_lr_t *it);
/* "template:obj-{0..9}", "list(1000 names):[a, ...]", "prefix:x" (AIStore's ListRange.Str) */
void xs_lr_str(json_t *msg, char *out, size_t cap);
/* validate a ListRange message (the proxy does this before starting anything): 0 or AIS_EINVAL */
int xs_lr_validate(json_t *msg, char *err, size_t cap);

/* job message fields */
bool xs_msg_bool(json_t *msg, const char *key);
int64_t xs_msg_int(json_t *msg, const char *key, int64_t def);
const char *xs_msg_str(json_t *msg, const char *key, const char *def);
/* a duration/size given as a number or a string ("4mb"); def when absent; -1 when invalid */
int64_t xs_msg_size(json_t *msg, const char *key, int64_t def);

/* the copy mover the target registers at start-up (target/tmove.c's tmove_send), used by the
 * copy and move jobs to send objects whose destination another target owns */
void xs_set_mover(obj_send_fn fn);
obj_send_fn xs_mover(void);

/* the bucket a job names (its xact_bck_t) in the current BMD: a reference in *bmd (bmd_put)
 * and the bucket, or AIS_ENOBUCKET with err filled */
int xs_bck(const xact_bck_t *xb, bmd_t **bmd, const bck_t **b, char *err, size_t cap);
/* a small worker pool for per-object work: fn(arg, name, size) on n threads (n <= 1: inline)
 * fed from it; stops at the end, on abort, or when fn returns < 0 (that error is returned). */
typedef int (*xs_work_fn)(void *arg, const char *name, int64_t size);
int xs_run_workers(xact_t *x, xs_lr_t *it, int n, xs_work_fn fn, void *arg, char *err, size_t cap);

#endif
