/* bk_obj: the remote half of one object's life in a remote bucket, over the object core
 * (obj/obj_put.h): cold GET (fetch from the backend into the object writer while teeing the
 * bytes to the requester), fetching once however many ask at the same time (single flight),
 * the warm-GET check against the remote (versioning.validate_warm_get / synchronize, or
 * `latest`), write-through PUT and DELETE (the remote first; the local copy only after the
 * remote accepted), and eviction. Knows no HTTP server: callers (target/ adapters, xact/ jobs)
 * map bk_err_t to their answers.
 *
 * Single flight (per object, keyed by uname digest + name):
 *
 *   bk_flight_join ──► LEADER: re-checks local presence, fetches (bk_cold_get), then
 *        │             bk_flight_done(rc) runs every follower's callback (on its thread)
 *        └───────────► FOLLOWER: cb(arg, rc, e) later, exactly once, after the leader's commit
 *
 * Invariants: at most one fetch of an object is in flight on a target; a follower's callback
 * runs after the leader's object is committed (rc 0) or has failed (rc and e: the leader's
 * remote error, so N waiters cost one remote request, also for a 404). A cold GET commits
 * nothing partial: the work file is removed on any failure, including a short remote body.
 * The LOM of a fetched object carries the remote's identity as AIStore's custom metadata:
 * "source", "ETag", "md5" (plain ETags), "version", "LastModified", "Last-Modified"; its
 * version is the remote's (S3 VersionId; "" when the bucket is not versioned).
 * All calls block on the network and the disk: pool or job threads only. */
#ifndef AIS_BK_OBJ_H
#define AIS_BK_OBJ_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/bk.h"
#include "obj/obj.h"

typedef struct bk_flight bk_flight_t;
typedef void (*bk_flight_cb)(void *arg, int rc, const bk_err_t *e);

enum { BK_LEADER = 1, BK_FOLLOWER = 2 };
/* join the fetch of o: BK_LEADER (*f set: the caller fetches and must call bk_flight_done) or
 * BK_FOLLOWER (cb will run once; arg must stay valid until then). AIS_ENOMEM on allocation
 * failure (nothing joined). */
int bk_flight_join(const obj_t *o, bk_flight_cb cb, void *arg, bk_flight_t **f);
/* the leader is done: run the followers' callbacks (rc, e) and free f */
void bk_flight_done(bk_flight_t *f, int rc, const bk_err_t *e);
/* fail every parked follower (node shutdown) */
void bk_flight_shutdown(void);
/* number of fetches in flight (tests) */
int bk_flight_count(void);

/* the requester's view of a cold GET's bytes: begin once with the remote's attributes (size
 * known), then data; a non-zero return stops teeing (the requester went away) but never the
 * fetch. Either may be NULL. */
typedef struct bk_tee {
	int (*begin)(void *arg, const bk_oattrs_t *oa);
	int (*data)(void *arg, const char *buf, size_t n);
	void *arg;
} bk_tee_t;

/* fetch o from its backend and commit it locally (replacing a stale copy); tee optional; md
 * (optional, lom_md_init'ed by the caller) receives the committed LOM. With the bucket's
 * checksum.validate_cold_get, a plain-MD5 ETag (or a remote AIS checksum of the bucket's type)
 * must match what arrived (AIS_ECKSUM, nothing stored). 0 or AIS_E* with e filled. */
int bk_cold_get(const obj_t *o, const bk_tee_t *tee, lom_md_t *md, bk_err_t *e);
/* the blocking single-flight fetch jobs use (prefetch, copy of a remote source): returns once
 * o is present (fetched by this call or by a concurrent one). refresh: fetch even when a copy is
 * present (the remote changed). 0 or AIS_E* with e filled. */
int bk_fetch(const obj_t *o, bool refresh, bk_err_t *e);

/* ---- warm GET ---- */
typedef enum { BK_WARM_SAME = 0, BK_WARM_CHANGED, BK_WARM_DELETED } bk_warm_t;
/* should a GET of a present object of o's bucket ask the remote first?
 * versioning.validate_warm_get or versioning.synchronize, or the request's latest */
bool bk_warm_wanted(const obj_t *o, bool latest);
/* HEAD the remote and compare with the local LOM (AIStore's ObjAttrs.CheckEq: size, version,
 * checksum, ETag): *verdict SAME/CHANGED/DELETED (the remote said 404). 0, or AIS_E* (the
 * remote could not answer) with e filled. */
int bk_warm_check(const obj_t *o, const lom_md_t *md, bk_warm_t *verdict, bk_err_t *e);

/* ---- write-through ---- */
/* upload size bytes of fd (a work file about to be committed as o) to the remote and record
 * what it answered in md (version, custom ETag/source/...). Called by the writer before the
 * local commit: a remote failure leaves nothing committed. 0 or AIS_E* with e filled. */
int bk_put_through(const obj_t *o, int fd, int64_t size, lom_md_t *md, bk_err_t *e);
/* a multipart upload about to complete as o: its selected parts (u: chunk files, sizes) go to
 * the remote as one remote multipart upload with the same part boundaries (one part: a plain
 * PUT), completed there before anything is committed here; md gets the remote's identity.
 * 0 or AIS_E* with e filled (AIS_ENOTIMPL: a provider without multipart, more than one part). */
struct ufest;
int bk_mpu_through(const obj_t *o, const struct ufest *u, lom_md_t *md, bk_err_t *e);
/* delete o at the remote first (a remote 404 is not an error when a local copy exists:
 * AIStore's DeleteObj is idempotent for S3). 0 or AIS_E* with e filled. */
int bk_delete_through(const obj_t *o, bk_err_t *e);
/* set the remote-identity custom metadata of md from oa (provider: "aws", "ais") */
int bk_md_from_oattrs(lom_md_t *md, const char *provider, const bk_oattrs_t *oa);
/* the stats backend index (STATS_RB_*) of o's bucket */
int bk_stats_backend(const bck_t *b);

#endif
