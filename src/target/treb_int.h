/* treb_int: what the target's rebalance files share (treb.c: manager, runs, stages; treb_send.c:
 * traverse + send; treb_recv.c: the "reb" receiver; treb_gfn.c: get-from-neighbour; treb_tomb.c:
 * tombstones). Not for other modules (they use treb.h). */
#ifndef AIS_TREB_INT_H
#define AIS_TREB_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "target/treb.h"
#include "target/treb_rule.h"
#include "xact/xact.h"

#define TREB_TRNAME "reb"

/* one rebalance generation (g<id>) on this target; owned by its thread, read by others through
 * treb_cur_get (a reference on x) */
typedef struct treb_run {
	int64_t id;
	smap_t *smap;            /* the map it runs on (ref) */
	xact_t *x;               /* its job (ref) */
	_Atomic int stage;       /* TREB_ST_* */
	bool resumed;            /* started to resume one interrupted by a restart */
} treb_run_t;

/* ---- treb.c */
/* the job of the rebalance receivers accept (the running or last run generation): *id, and a
 * reference on its job (NULL when none; xact_put it) */
xact_t *treb_rx_job(int64_t *id);
/* the rebalance window: a run is going on or pending here, or the Smap changed recently. Deletes
 * leave tombstones and GET misses look at neighbours only then. */
bool treb_window(void);
/* the Smap before the current one (ref; NULL), for get-from-neighbour */
smap_t *treb_prev_smap(void);
/* abort reason of a preemption by a newer generation */
#define TREB_RENEWED "renewed: a newer rebalance started"

/* ---- treb_send.c: the traverse of one run (walk, send, drop what the new owner has) */
int treb_send_all(treb_run_t *run);

/* ---- treb_ec.c: after the objects moved, the EC pieces of the objects this target owns go to
 * their holders under run->smap where they differ from any of the nold maps they may have been
 * placed by (nold < 0: unknown, every piece is sent again), and misplaced ones are dropped.
 * 0 or AIS_E* (job error) */
int treb_ec_place(treb_run_t *run, const smap_t *const *olds, int nold, const uint64_t *ars, int64_t nars);

/* treb.c: an object of an EC bucket arrived from another target (its pieces were placed by the
 * sender's map): the next EC step sends all its pieces and drops every other (by digest) */
void treb_arrived_add(uint64_t digest);
/* whether digest is among arrivals (ars: a sorted snapshot of n) */
bool treb_arrived_in(const uint64_t *ars, int64_t n, uint64_t digest);

/* ---- treb_ver.c: retained versions follow their object (after treb_send_all); the "reb-ver"
 * receiver installs them. 0 or AIS_E* (job error) */
int treb_ver_send_all(treb_run_t *run);
int treb_ver_init(void);
void treb_ver_fini(void);

/* ---- treb_recv.c */
int treb_recv_init(void);

/* ---- treb_tomb.c: names deleted here during a rebalance window, with the time of the delete */
int treb_tomb_init(const char *path);
void treb_tomb_fini(void);
void treb_tomb_add(const bck_t *b, const char *name, int64_t t);
int64_t treb_tomb_get(const bck_t *b, const char *name);
/* forget entries older than max_age_ns (not while a window is open); the file follows */
void treb_tomb_gc(int64_t max_age_ns);
size_t treb_tomb_count(void);

#endif
