/* tmove_int: what tmove.c (workers, pipe, header helpers), tmove_put.c ("obj-put": push) and
 * tmove_pull.c ("obj-pull": pull) share; not for other modules.
 *
 * The pipe hands the payload of one incoming object from the loop thread that reads the stream
 * (receive callbacks, which must not block) to a thread that writes it to disk (a tmove worker
 * for "obj-put", the waiting pool thread for "obj-pull"). Two buffers of TM_BUF bytes: the loop
 * copies slices into `fill`; a full `fill` becomes `full` (the writer's) when `full` is free, so
 * the network and the disk overlap; when both are busy the loop pauses the stream
 * (TRANSPORT_PAUSE: TCP then throttles the sender) and the writer resumes it after taking `fill`.
 *
 *   loop:   tm_pipe_data* ─► tm_pipe_end(status)        (then no callback touches the pipe)
 *   writer: tm_pipe_run: write `full`, take `fill` (resume), ... ─► TM_END (ended, all written)
 *
 * Invariants (p->mu): `full` is the writer's while full.len > 0, the loop's `fill` otherwise,
 * except while `stalled` (the loop is paused) or `ended`, when `fill` is the writer's too; `err`
 * is sticky (on_data refuses the rest of the payload with it); at most one resume per pause. */
#ifndef AIS_TMOVE_INT_H
#define AIS_TMOVE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obj/obj.h"
#include "target/tmove.h"
#include "transport/transport.h"

/* ---- workers (tmove.c): a few threads for receive-side disk I/O and serving pulls */
typedef struct tm_task {
	struct tm_task *next;
	void (*fn)(struct tm_task *t);
} tm_task_t;
/* queue t (never blocks); fn(t) runs once on a worker; t must stay valid until then */
void tm_submit(tm_task_t *t);

/* ---- the pipe */
#define TM_BUF (1u << 20)

typedef struct tm_buf {
	char *p;
	size_t len, cap;
} tm_buf_t;

typedef struct tm_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* a waiting writer (wait = true) sleeps here */
	tm_buf_t fill, full;
	transport_rx_t *rx;    /* the stream to resume after a stall */
	bool stalled;          /* the loop returned PAUSE with both buffers busy */
	bool ended;            /* tm_pipe_end ran */
	bool done;             /* waiting writer: no callback will come (the answer completed) */
	bool active;           /* a writer runs (or is queued): the loop need not start one */
	int status;            /* tm_pipe_end's */
	int err;               /* the writer's sticky error */
	int64_t bytes;         /* payload bytes taken by the loop */
} tm_pipe_t;

void tm_pipe_init(tm_pipe_t *p);
void tm_pipe_fini(tm_pipe_t *p);
/* loop thread (on_data): take the bytes. 0, TRANSPORT_PAUSE, or AIS_E* (the writer failed: the
 * rest is refused). *kick: the writer has work and none was active (it is marked active now;
 * the caller starts one, after this returned). */
int tm_pipe_data(tm_pipe_t *p, transport_rx_t *rx, const void *data, size_t len, bool *kick);
/* loop thread, no writer yet (a small object received whole before a worker sees it): keep the
 * bytes in `fill`, never handing off or pausing. 0 or AIS_ENOMEM (sticky in err). */
int tm_pipe_keep(tm_pipe_t *p, const void *data, size_t len);
/* loop thread (on_end): no more bytes; status != 0 drops what was not written. *kick as above */
void tm_pipe_end(tm_pipe_t *p, int status, bool *kick);

enum { TM_IDLE, TM_END };
/* writer: write what the loop handed over into sink (nothing more once it failed: p->err), taking
 * the stalled loop's buffer and resuming it; returns TM_END once ended and everything is written,
 * or TM_IDLE when there is nothing to do now (wait = false: marked inactive; wait = true: sleeps
 * until there is, or until p->done is set with nothing left, which is also TM_END). */
int tm_pipe_run(tm_pipe_t *p, bool wait, obj_sink_fn sink, void *arg);

/* ---- headers (tmove.c) */
/* bck.ns ("@uuid#name" or "") <-> the frame's namespace uuid and name */
void tm_ns_split(const char *ns, char *uuid, size_t ucap, char *name, size_t ncap);
void tm_ns_join(const char *uuid, const char *name, char *ns, size_t cap);
/* the object's attributes into h (strings point into md and kv, which must outlive h): size,
 * atime, checksum, version, custom metadata (at most TFRAME_CUSTOM_MAX pairs; AIS_ETOOBIG) */
int tm_hdr_attrs(tframe_hdr_t *h, const lom_md_t *md, tframe_kv_t *kv, int kvcap);
/* send/receive timeout: timeout.send_file_time of the current cluster config, in ms */
int tm_timeout_ms(void);

/* ---- the stream names' handlers */
extern const transport_rx_ops_t tm_put_ops;  /* tmove_put.c: arg = NULL or a tmove_policy_t */
extern const transport_rx_ops_t tm_pull_ops; /* tmove_pull.c */

#endif
