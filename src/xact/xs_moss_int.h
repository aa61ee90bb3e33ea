/* xs_moss_int: what xs_moss.c (job, work items, receive side), xs_moss_emit.c (the DT's
 * assembly) and xs_moss_send.c (senders) share. Not for other modules.
 * Work item lifecycle (DT): prep ─► registered (slots WAIT for remote items) ─► assemble takes it
 * (`taken`) ─► done: unregistered, held replies answered, freed at the last reference. The GC
 * (the job's thread) unregisters items never taken within MOSS_ABANDON_S.
 * Locks: the registry mutex (list of items) before an item's mutex; never the other way. */
#ifndef AIS_XS_MOSS_INT_H
#define AIS_XS_MOSS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "archive/moss.h"
#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "transport/transport.h"
#include "xact/xact.h"

enum { MS_WAIT = 0, MS_READY, MS_LOCAL, MS_DONE };
enum { MF_MISSING = 1, MF_BIG = 2 }; /* what a sender says about an entry */

typedef struct mslot {
	uint8_t st;
	uint8_t fl;
	int32_t owner;          /* index in wi->smap->targets; -1: this target */
	char *buf;              /* READY: the pushed bytes */
	int64_t size;
	int64_t atime_ns;
	char *emsg;             /* MF_MISSING: the sender's reason */
	transport_replyto_t to; /* the sender waits for this reply (its window) */
	bool has_to;
} mslot_t;

typedef struct moss_wi {
	char wid[80];
	moss_req_t req;
	const bck_t **bck;      /* per item, inside bmd */
	bmd_t *bmd;
	smap_t *smap;
	mslot_t *slots;
	int n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;               /* under the registry mutex */
	int64_t created_ns;
	bool taken, gone;       /* assembly started; unregistered (late pushes refused) */
	xact_t *x;              /* the job (ref) */
	struct moss_wi *next;
} moss_wi_t;

/* registry */
moss_wi_t *moss_wi_find(const char *wid);   /* +1 ref or NULL (unknown, gone) */
void moss_wi_put(moss_wi_t *wi);            /* -1 ref; frees at zero */
void moss_wi_unreg(moss_wi_t *wi);          /* unregister; held replies get `why` */
/* the sender's reply for slot i (credit), now (any thread, never blocks) */
void moss_slot_reply(mslot_t *s, int status, const char *msg);

/* the sender's opaque per pushed entry */
typedef struct moss_op {
	char wid[80];
	uint32_t index;
	uint8_t flags;          /* MF_* */
	char emsg[512];
} moss_op_t;
/* pack into buf (cap); length or -1 */
int moss_op_pack(const moss_op_t *op, unsigned char *buf, size_t cap);
int moss_op_unpack(const void *buf, size_t len, moss_op_t *op);

/* the running get-batch job (+1 ref; starts one when none runs) or NULL */
xact_t *moss_job(char *err, size_t cap);

/* ---- xs_moss_send.c */
int moss_send_start(const char *dt, moss_req_t *req, const char *wid, const char *bucket, const char *ns,
		    char *err, size_t cap);

#endif
