/* treb_send: the traverse of one rebalance generation: every object this target stores (all
 * buckets, every mountpath in use) whose owner under the run's Smap is another target is sent
 * there over the "reb" streams - a handful of long-lived streams per destination
 * (rebalance.bundle_multiplier), many objects per connection, each a header (bucket, name, size,
 * checksum, version, atime, custom metadata; the opaque blob: generation + write time) then the
 * file by sendfile (a chunked object's chunk files in order) - with want_reply. The destination
 * answers once it committed the object or decided it already holds the same, a newer version or
 * a later delete (treb_rule.h); then, on this job's thread, the local copy is removed if it is
 * still the version sent (obj_reloc_drop). A failed send leaves the copy in place; a later pass
 * (up to TS_PASSES) sends what is still misplaced, and what never made it is the job's error.
 *
 *   walk ─► place (HRW owner) ─► open (obj_get) ─► transport_send ──► [stream thread] done():
 *     ▲        │ own: skip              ≤ TS_INFLIGHT in flight         item ─► completion queue
 *     └── reap: drop local copies of acknowledged items, count out-objs ◄──────────────┘
 *
 * Threads: the job thread walks, sends (blocking on back-pressure) and reaps; stream threads only
 * queue completions. Invariant: every item that transport_send accepted is reaped exactly once
 * (inflight returns to 0 before the streams are closed and the function returns). */
#include "target/treb_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "obj/obj_reloc.h"
#include "obj/obj_walk.h"
#include "target/tmove_int.h"
#include "transport/transport.h"

#define TS_INFLIGHT 256
#define TS_PASSES 3
#define TS_STREAMS_MAX 4

typedef struct ts_item {
	struct ts_item *next;
	struct ts *c;
	obj_t o;                    /* the local copy (placed on the walked mountpath; borrows the BMD) */
	obj_get_t g;                /* open: its fd or chunk files, g.md = the version sent */
	const snode_t *dst;
	uint8_t opaque[TREB_OPAQUE_LEN];
	tframe_kv_t kv[TFRAME_CUSTOM_MAX];
	char ns_uuid[TFRAME_NS_MAX + 1], ns_name[TFRAME_NS_MAX + 1];
	int rc;
	char msg[256];
} ts_item_t;

typedef struct ts_dst {
	transport_stream_t *s[TS_STREAMS_MAX];
	int n, rr;
} ts_dst_t;

typedef struct ts {
	treb_run_t *run;
	const bck_t *bck;
	int mpi;
	int nstreams;
	ts_dst_t *dsts;             /* by index in run->smap->targets */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ts_item_t *done;            /* completion queue (mu) */
	int inflight;               /* (mu) */
	int64_t failed;             /* this pass: sends that did not make it */
	char first_err[256];
	obj_t scratch;
} ts_t;

/* ---------------------------------------------------------------- completions */

static void ts_done_cb(void *arg, const transport_result_t *res)
{
	ts_item_t *it = arg;
	it->rc = res->rc;
	snprintf(it->msg, sizeof(it->msg), "%s", res->msg ? res->msg : "");
	ts_t *c = it->c;
	pthread_mutex_lock(&c->mu);
	it->next = c->done;
	c->done = it;
	c->inflight--;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void ts_item_free(ts_item_t *it)
{
	obj_get_close(&it->g);
	free(it);
}

/* job thread: acknowledged copies go, failures are counted for the next pass */
static void ts_reap_one(ts_t *c, ts_item_t *it)
{
	xact_t *x = c->run->x;
	int64_t size = it->g.size;
	lom_md_t sent;
	lom_md_init(&sent);
	int rc = it->rc ? it->rc : lom_md_copy(&sent, &it->g.md);
	obj_get_close(&it->g); /* the stream is done with the files */
	if (!rc) {
		xact_out_add(x, 1, size);
		int d = obj_reloc_drop(&it->o, &sent);
		if (d == OBJ_RELOC_CHANGED)
			log_info("rebalance[g%lld]: %s was written here meanwhile: kept", (long long)c->run->id, it->o.fqn);
		else if (d < 0)
			log_warn("rebalance[g%lld]: failed to remove %s: %s", (long long)c->run->id, it->o.fqn, err_str(d));
	} else {
		if (!c->failed++)
			snprintf(c->first_err, sizeof(c->first_err), "%.96s to t[%.32s]: %.100s", it->o.oname, it->dst->id,
				 it->msg[0] ? it->msg : err_str(rc));
		log_dbg("rebalance[g%lld]: %s to t[%s] failed: %s", (long long)c->run->id, it->o.oname, it->dst->id,
			it->msg[0] ? it->msg : err_str(rc));
	}
	lom_md_fini(&sent);
	free(it);
}

/* reap what completed; wait (while anything is in flight) until at most `max` are in flight;
 * an abort ends the wait (the streams are then closed with abort, which completes the rest) */
static void ts_reap(ts_t *c, int max, bool abortable)
{
	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (!c->done && c->inflight > max) {
			if (abortable && xact_aborted(c->run->x)) {
				pthread_mutex_unlock(&c->mu);
				return;
			}
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->cv, &c->mu, &ts);
		}
		ts_item_t *l = c->done;
		c->done = NULL;
		pthread_mutex_unlock(&c->mu);
		if (!l)
			return;
		while (l) {
			ts_item_t *n = l->next;
			ts_reap_one(c, l);
			l = n;
		}
	}
}

/* ---------------------------------------------------------------- send */

static int ts_seg(void *arg, int i, int *fd, int64_t *off, uint64_t *len)
{
	ts_item_t *it = arg;
	int64_t l = 0;
	int rc = obj_get_seg(&it->g, 0, it->g.size, i, fd, off, &l);
	*len = (uint64_t)l;
	return rc;
}

static transport_stream_t *ts_stream(ts_t *c, int ti)
{
	ts_dst_t *d = &c->dsts[ti];
	int k = d->rr++ % c->nstreams;
	if (!d->s[k]) {
		const config_t *cfg = config_get();
		transport_opts_t o = {.burst = cfg->rebalance_burst > 0 ? cfg->rebalance_burst : 0};
		config_put(cfg);
		if (transport_open_node(transport_node(), &c->run->smap->targets[ti], TREB_TRNAME, &o, &d->s[k]))
			return NULL;
		d->n++;
	}
	return d->s[k];
}

static int ts_target_index(const smap_t *m, const snode_t *t) { return (int)(t - m->targets); }

static void ts_send(ts_t *c, const snode_t *owner)
{
	ts_item_t *it = calloc(1, sizeof(*it));
	if (!it) {
		c->failed++;
		return;
	}
	it->c = c;
	it->dst = owner;
	obj_why_t why;
	if (obj_place_on(&it->o, &c->scratch, c->mpi)) {
		free(it);
		return;
	}
	int rc = obj_get_open(&it->g, &it->o, OBJ_GET_QUIET, &why);
	if (!rc && it->g.o != &it->o)
		rc = AIS_ENOTFOUND; /* gone from here meanwhile (found elsewhere: another pass or walk gets it) */
	if (!rc && it->g.chunked)
		rc = obj_get_prepare(&it->g, &why);
	if (rc) {
		if (rc != AIS_ENOTFOUND && !c->failed++)
			snprintf(c->first_err, sizeof(c->first_err), "%.200s: %.40s", it->o.fqn, obj_why_str(why));
		ts_item_free(it);
		return;
	}
	const bck_t *b = it->o.bck;
	tm_ns_split(b->ns, it->ns_uuid, sizeof(it->ns_uuid), it->ns_name, sizeof(it->ns_name));
	treb_opaque_enc(it->opaque, c->run->id, it->g.md.mtime);
	transport_obj_t o = {.hdr = {.provider = b->provider, .ns_uuid = it->ns_uuid, .ns_name = it->ns_name,
				     .bucket = b->name, .objname = it->o.oname, .opaque = it->opaque,
				     .opaque_len = TREB_OPAQUE_LEN},
			     .done = ts_done_cb, .arg = it, .want_reply = true, .reply_timeout_ms = tm_timeout_ms()};
	if (tm_hdr_attrs(&o.hdr, &it->g.md, it->kv, TFRAME_CUSTOM_MAX)) {
		if (!c->failed++)
			snprintf(c->first_err, sizeof(c->first_err), "%.200s: too many custom metadata entries", it->o.oname);
		ts_item_free(it);
		return;
	}
	o.hdr.size = it->g.size;
	o.hdr.payload_len = (uint64_t)it->g.size;
	if (it->g.size > 0 && it->g.chunked) {
		o.src = TRANSPORT_SRC_SEGS;
		o.seg = ts_seg;
		o.seg_arg = it;
		o.nseg = obj_get_nsegs(&it->g, 0, it->g.size);
	} else if (it->g.size > 0) {
		o.src = TRANSPORT_SRC_FD;
		o.fd = it->g.fd;
	}
	ts_reap(c, TS_INFLIGHT - 1, true);
	if (xact_aborted(c->run->x)) {
		ts_item_free(it);
		return;
	}
	transport_stream_t *s = o.nseg >= 0 ? ts_stream(c, ts_target_index(c->run->smap, owner)) : NULL;
	pthread_mutex_lock(&c->mu);
	c->inflight++;
	pthread_mutex_unlock(&c->mu);
	rc = s ? transport_send(s, &o) : AIS_EUNAVAIL;
	if (rc) { /* not queued: no callback comes */
		pthread_mutex_lock(&c->mu);
		c->inflight--;
		pthread_mutex_unlock(&c->mu);
		if (!c->failed++)
			snprintf(c->first_err, sizeof(c->first_err), "%.96s to t[%.32s]: %.60s", it->o.oname, owner->id, err_str(rc));
		ts_item_free(it);
	}
}

static int ts_visit(void *arg, const char *name, size_t nlen, const char *fqn)
{
	(void)nlen;
	(void)fqn;
	ts_t *c = arg;
	if (xact_aborted(c->run->x))
		return 1;
	obj_t *o = &c->scratch;
	if (strlen(name) >= sizeof(o->ibuf))
		return 0;
	memcpy(o->ibuf, name, strlen(name) + 1);
	if (obj_place(o, c->bck, o->ibuf))
		return 0;
	const snode_t *owner = smap_owner(c->run->smap, o->digest);
	if (!owner || !strcmp(owner->id, node_id()))
		return 0; /* ours (a misplaced mountpath is resilver's business) */
	ts_send(c, owner);
	return 0;
}

/* one pass over every bucket and mountpath; the number of sends that failed */
static int64_t ts_pass(ts_t *c, bmd_t *bmd)
{
	c->failed = 0;
	c->first_err[0] = '\0';
	for (int b = 0; b < bmd->nbcks && !xact_aborted(c->run->x); b++) {
		c->bck = &bmd->bcks[b];
		if (bck_node_local(c->bck->provider, c->bck->name))
			continue; /* (shard indexes: dropped with their shard when it leaves) */
		for (int i = 0; i < fs_count() && !xact_aborted(c->run->x); i++) {
			if (!fs_in_use(i))
				continue;
			c->mpi = i;
			int rc = obj_walk(c->bck, i, ts_visit, c);
			if (rc < 0 && !c->failed++)
				snprintf(c->first_err, sizeof(c->first_err), "walk %.200s: %.40s", fs_get(i)->path, err_str(rc));
		}
	}
	ts_reap(c, 0, true); /* every send of this pass acknowledged (or failed) */
	return c->failed;
}

int treb_send_all(treb_run_t *run)
{
	ts_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	c->run = run;
	const config_t *cfg = config_get();
	c->nstreams = cfg->rebalance_bundle_mult > 0 ? cfg->rebalance_bundle_mult : 1;
	config_put(cfg);
	if (c->nstreams > TS_STREAMS_MAX)
		c->nstreams = TS_STREAMS_MAX;
	c->dsts = calloc((size_t)run->smap->ntargets + 1, sizeof(*c->dsts));
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	bmd_t *bmd = bmd_get();
	int rc = c->dsts && bmd ? 0 : AIS_ENOMEM;
	int64_t failed = 0;
	for (int pass = 0; !rc && pass < TS_PASSES && !xact_aborted(run->x); pass++) {
		if (pass) {
			log_warn("rebalance[g%lld]: %lld object(s) did not make it (%s): pass %d in 1s", (long long)run->id,
				 (long long)failed, c->first_err, pass + 1);
			for (int i = 0; i < 50 && !xact_aborted(run->x); i++)
				usleep(20 * 1000);
		}
		if (!(failed = ts_pass(c, bmd)))
			break;
	}
	if (failed && !xact_aborted(run->x))
		xact_add_err(run->x, "%lld object(s) could not be moved, e.g. %s", (long long)failed, c->first_err);
	for (int i = 0; c->dsts && i < run->smap->ntargets; i++)
		for (int k = 0; k < TS_STREAMS_MAX; k++)
			if (c->dsts[i].s[k])
				transport_close(c->dsts[i].s[k], xact_aborted(run->x));
	ts_reap(c, 0, false); /* (an abort fails what was still queued) */
	bmd_put(bmd);
	free(c->dsts);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
	return rc;
}
