/* tmove_put: "obj-put", an object pushed to the target that owns its destination (native copy
 * and rename to a peer). Sender: tmove_send on the request's pool thread: one frame on the
 * node's shared stream to the peer (its data URL), header = destination + the source's
 * attributes, payload = the source's file(s) by sendfile, want_reply; it waits for the reply.
 * Receiver (this file's callbacks, on the loop thread reading the stream; disk I/O on a worker):
 *
 *   on_begin ─► PAUSE ─► [worker] open the writer (obj_put_begin) ─► resume
 *   on_data* ─► pipe (copy; PAUSE when the writer is behind) ─► [worker] obj_put_write
 *   on_end   ─► [worker] all written? verify checksum + commit : abort ─► reply
 *
 * The reply is sent once the object is committed (status 0) or discarded (the error), so a
 * sender's success means the object is in place, and a peer that dies mid-transfer leaves
 * nothing visible (the writer is aborted when the stream breaks). A stream receives its next
 * object while the previous one is being committed (on_end does not pause; the next on_begin
 * waits for a worker, which bounds the objects in progress). The copy keeps
 * the source's version, custom metadata and atime; its checksum (the destination bucket's type)
 * is computed as the bytes arrive and the source's is verified. Copies count no PUT (the
 * operation is counted by the sender: ren.n for a rename); both sides count stream.{out,in}. */
#include "target/tmove_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "obj/obj_put.h"
#include "stats/stats.h"

/* ---------------------------------------------------------------- sender */

static int put_seg(void *arg, int i, int *fd, int64_t *off, uint64_t *len)
{
	obj_get_t *g = arg;
	int64_t l = 0;
	int rc = obj_get_seg(g, 0, g->size, i, fd, off, &l);
	*len = (uint64_t)l;
	return rc;
}

int tmove_send(void *arg, obj_get_t *src, const snode_t *peer, const bck_t *dbck, const char *dname, char *err,
	       size_t cap)
{
	(void)arg;
	transport_ep_t *ep = transport_node();
	transport_stream_t *s = NULL;
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1], msg[TFRAME_MSG_MAX + 1] = "";
	tframe_kv_t kv[TFRAME_CUSTOM_MAX];
	int rc = ep ? transport_shared(ep, peer->data.url, TMOVE_PUT, &s) : AIS_EUNAVAIL;
	if (rc) {
		snprintf(err, cap, "%s: no stream to %s: %s", peer->id, peer->data.url, err_str(rc));
		return rc;
	}
	tm_ns_split(dbck->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	transport_obj_t o = {.hdr = {.provider = dbck->provider, .ns_uuid = uuid, .ns_name = nsname,
				     .bucket = dbck->name, .objname = dname},
			     .want_reply = true, .reply_timeout_ms = tm_timeout_ms()};
	if ((rc = tm_hdr_attrs(&o.hdr, &src->md, kv, TFRAME_CUSTOM_MAX))) {
		snprintf(err, cap, "too many custom metadata entries (max %d)", TFRAME_CUSTOM_MAX);
		return rc;
	}
	o.hdr.size = src->size;
	o.hdr.payload_len = (uint64_t)src->size;
	if (src->size > 0 && src->chunked) {
		o.src = TRANSPORT_SRC_SEGS;
		o.seg = put_seg;
		o.seg_arg = src;
		o.nseg = obj_get_nsegs(src, 0, src->size);
	} else if (src->size > 0) {
		o.src = TRANSPORT_SRC_FD;
		o.fd = src->fd;
	}
	if (o.nseg < 0) {
		snprintf(err, cap, "chunked source without its manifest");
		return AIS_EINTERNAL;
	}
	/* the stream thread reads src (its files, the chunk reader) until done(): we wait for that */
	rc = transport_send_wait(s, &o, msg, sizeof(msg));
	if (rc) {
		snprintf(err, cap, "%s: %s", peer->id, msg[0] ? msg : err_str(rc));
		log_warn("%s: copy to %s (%s) failed: %s", node_name(), peer->id, dname, err);
		return rc;
	}
	stats_stream(false, src->size);
	return 0;
}

/* ---------------------------------------------------------------- receiver */

typedef struct rput {
	tm_task_t task;
	const tmove_policy_t *pol; /* NULL for "obj-put" */
	tmove_rx_t prx;            /* the policy's view of this object */
	_Atomic bool skip;         /* the policy skipped it: the payload is read and dropped */
	bool whole;                /* small: received whole into the pipe before a worker sees it */
	tm_pipe_t pipe;
	transport_rx_t *rx;
	transport_replyto_t to;
	bool want_reply, begun;
	char sid[TFRAME_SID_MAX + 1];
	/* from the header */
	char provider[TFRAME_PROVIDER_MAX + 1], ns[2 * TFRAME_NS_MAX + 4], bucket[TFRAME_BUCKET_MAX + 1];
	char *name;
	int64_t size, atime;
	cksum_type_t cktype;
	char ckval[TFRAME_CKVAL_MAX + 1];
	lom_md_t md; /* version and custom metadata to keep */
	/* worker */
	obj_t o;
	obj_put_t *w;
	char msg[TFRAME_MSG_MAX + 1];
} rput_t;

static void rput_free(rput_t *x)
{
	if (x->pol && x->pol->done && x->prx.priv) /* (refused before the worker saw it) */
		x->pol->done(x->pol->arg, &x->prx, AIS_EINTERNAL);
	obj_put_abort(x->w, 0);
	obj_fini(&x->o);
	lom_md_fini(&x->md);
	tm_pipe_fini(&x->pipe);
	free(x->name);
	free(x);
}

static int rput_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	(void)res;
	rput_t *x = arg;
	if (x->atime > 0)
		md->atime = x->atime; /* the source's access time travels with the copy */
	return 0;
}

/* commit condition: the policy's, with this object's view */
static int rput_cond(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)o;
	(void)md;
	rput_t *x = arg;
	return x->pol->cond(x->pol->arg, &x->prx, prev);
}

/* worker: place the destination and open the writer; on failure the pipe refuses the payload */
static void rput_begin(rput_t *x)
{
	obj_why_t why;
	int rc = obj_init(&x->o, x->provider, x->ns, x->bucket, x->name, &why);
	char cn[512]; /* for messages: a long name is cut */
	if (rc) {
		if (why == OBJ_WHY_NO_BUCKET)
			snprintf(x->msg, sizeof(x->msg), "bucket \"%s://%s%s%s\" does not exist", x->provider,
				 x->ns, x->ns[0] ? "/" : "", x->bucket);
		else
			snprintf(x->msg, sizeof(x->msg), "%s: %s", obj_why_str(why), x->name);
		goto fail;
	}
	obj_put_opts_t opt = {.client_type = x->cktype, .client_val = x->ckval, .size_hint = x->size,
			      .keep_version = true, .acct = OBJ_ACCT_NONE, .tag = "tcopy", .md_cb = rput_md_cb,
			      .md_arg = x};
	if (x->pol) {
		x->prx.o = &x->o;
		/* (a small object received whole costs little to write: the commit's condition alone
		 * decides, saving the lookups of an admit) */
		if (x->pol->admit && !x->whole && (rc = x->pol->admit(x->pol->arg, &x->prx))) {
			if (rc == TMOVE_SKIP) {
				atomic_store(&x->skip, true);
				return;
			}
			snprintf(x->msg, sizeof(x->msg), "%s", x->prx.msg[0] ? x->prx.msg : err_str(rc));
			goto fail;
		}
		opt.tag = "treb";
		opt.keep_mtime = true;
		if (x->pol->cond) {
			opt.cond = rput_cond;
			opt.cond_arg = x;
		}
	}
	if ((rc = obj_put_begin(&x->o, &opt, &x->w, &why))) {
		obj_cname(x->o.bck, x->o.oname, cn, sizeof(cn));
		snprintf(x->msg, sizeof(x->msg), "%s: failed to write %s: %s", node_name(), cn, err_str(rc));
		goto fail;
	}
	lom_md_t *md = obj_put_md(x->w);
	lom_md_fini(md);
	if ((rc = lom_md_copy(md, &x->md))) { /* the version to keep, the custom metadata */
		lom_md_init(md);
		goto fail;
	}
	if (x->pol)
		md->mtime = x->prx.mtime;
	return;
fail:
	pthread_mutex_lock(&x->pipe.mu);
	x->pipe.err = rc;
	pthread_mutex_unlock(&x->pipe.mu);
}

/* worker: the stream delivered everything (or broke): commit or discard, reply */
static void rput_finish(rput_t *x)
{
	int rc = x->pipe.err ? x->pipe.err : x->pipe.status;
	char cn[512]; /* for messages: a long name is cut */
	if (x->o.bck)
		obj_cname(x->o.bck, x->o.oname, cn, sizeof(cn));
	else
		snprintf(cn, sizeof(cn), "%s://%s/%s", x->provider, x->bucket, x->name);
	bool skipped = false;
	if (!rc && atomic_load(&x->skip)) {
		skipped = true; /* the policy kept what is here; the payload was dropped */
	} else if (!rc && x->w) {
		obj_put_t *w = x->w;
		x->w = NULL;
		obj_put_res_t res;
		obj_why_t why;
		rc = obj_put_commit(w, &res, &why);
		if (rc == AIS_EEXIST && why == OBJ_WHY_COND && x->prx.verdict > 0) {
			skipped = true; /* the commit condition kept a newer or equal version */
			rc = 0;
		} else if (why == OBJ_WHY_BAD_CKSUM)
			snprintf(x->msg, sizeof(x->msg), "%s: %s: checksum mismatch: expected %s, received %s", node_name(),
				 cn, res.client_want, res.client_got);
		else if (why == OBJ_WHY_DIR_CONFLICT)
			snprintf(x->msg, sizeof(x->msg), "%s: %s: destination exists and is a virtual directory",
				 node_name(), cn);
		else if (rc)
			snprintf(x->msg, sizeof(x->msg), "%s: failed to commit %s: %s", node_name(), cn, err_str(rc));
		lom_md_fini(&res.md);
	} else if (!x->msg[0]) {
		snprintf(x->msg, sizeof(x->msg), "%s: %s from %s: %s after %lld of %lld bytes", node_name(), cn, x->sid,
			 x->pipe.status ? "transfer failed" : "write failed", (long long)x->pipe.bytes,
			 (long long)x->size);
	}
	if (rc) {
		obj_put_abort(x->w, rc); /* nothing of it stays */
		x->w = NULL;
		log_warn("transport %s: %s", TMOVE_PUT, x->msg);
	} else if (!skipped) {
		stats_stream(true, x->size);
		if (!x->pol) /* (a rebalance's objects: its job counts them, not one log line each) */
			log_dbg("transport %s: received %s (%lld bytes) from %s", TMOVE_PUT, cn, (long long)x->size, x->sid);
	}
	if (x->pol && x->pol->done) {
		x->pol->done(x->pol->arg, &x->prx, skipped ? TMOVE_SKIP : rc);
		x->prx.priv = NULL;
	}
	if (x->want_reply)
		transport_reply(transport_node(), &x->to, rc, rc ? x->msg : skipped && x->prx.msg[0] ? x->prx.msg : NULL);
}

static int rput_sink(void *arg, const char *buf, size_t n)
{
	rput_t *x = arg;
	if (atomic_load(&x->skip))
		return 0; /* skipped (a small one already in the pipe): drop it */
	return obj_put_write(x->w, buf, n);
}

static void rput_task(tm_task_t *t)
{
	rput_t *x = (rput_t *)t;
	if (x->whole && !x->begun) { /* all of it is in the pipe: let the stream go on at once */
		x->begun = true;
		transport_rx_resume(x->rx); /* on_end's pause */
		if (!x->pipe.status)
			rput_begin(x);
	} else if (!x->begun) {
		x->begun = true;
		rput_begin(x);
		transport_rx_resume(x->rx); /* on_begin's pause */
	}
	if (tm_pipe_run(&x->pipe, false, rput_sink, x) != TM_END)
		return; /* idle: the loop queues us again when it has more */
	rput_finish(x);
	rput_free(x); /* (on_end did not pause: the stream went on with its next object meanwhile) */
}

static int rput_on_begin(void *arg, transport_rx_t *rx, const tframe_hdr_t *h, void **ctx)
{
	if (h->opcode != TFRAME_OP_OBJ || (h->flags & (TFRAME_F_RANGE | TFRAME_F_RESPONSE)) || h->size < 0)
		return AIS_EINVAL; /* whole objects of known size only */
	int ck = h->cksum_type && *h->cksum_type ? cksum_type_from_str(h->cksum_type) : CKSUM_NONE;
	if (ck < 0)
		return AIS_EINVAL;
	rput_t *x = calloc(1, sizeof(*x));
	if (!x)
		return AIS_ENOMEM;
	tm_pipe_init(&x->pipe);
	lom_md_init(&x->md);
	x->rx = rx;
	x->task.fn = rput_task;
	x->want_reply = !transport_rx_replyto(rx, h, &x->to);
	snprintf(x->sid, sizeof(x->sid), "%s", h->sid ? h->sid : transport_rx_sid(rx));
	snprintf(x->provider, sizeof(x->provider), "%s", h->provider && *h->provider ? h->provider : "ais");
	tm_ns_join(h->ns_uuid, h->ns_name, x->ns, sizeof(x->ns));
	snprintf(x->bucket, sizeof(x->bucket), "%s", h->bucket ? h->bucket : "");
	x->name = strdup(h->objname ? h->objname : "");
	x->size = h->size;
	x->atime = h->atime_ns;
	x->cktype = (cksum_type_t)ck;
	snprintf(x->ckval, sizeof(x->ckval), "%s", ck != CKSUM_NONE && h->cksum_value ? h->cksum_value : "");
	if (x->cktype != CKSUM_NONE && !x->ckval[0])
		x->cktype = CKSUM_NONE;
	snprintf(x->md.version, sizeof(x->md.version), "%s", h->version ? h->version : "");
	int rc = x->name ? 0 : AIS_ENOMEM;
	for (int i = 0; !rc && i < h->ncustom; i++)
		rc = lom_md_custom_set(&x->md, h->custom[i].key, h->custom[i].value);
	x->pol = arg;
	if (!rc && x->pol && x->pol->on_hdr) {
		x->prx.hdr = h;
		x->prx.size = h->size;
		x->prx.cktype = x->cktype;
		x->prx.ckval = x->ckval;
		rc = x->pol->on_hdr(x->pol->arg, &x->prx);
		x->prx.hdr = NULL;
	}
	if (rc) {
		rput_free(x);
		return rc;
	}
	*ctx = x;
	if (h->size <= (int64_t)TM_BUF / 4) {
		/* small: received whole on this loop thread first, then one worker task opens, writes,
		 * commits and replies (one handoff per object instead of three) */
		x->whole = true;
		return 0;
	}
	x->pipe.active = true;
	tm_submit(&x->task); /* x may be anything from here on: the worker owns it */
	return TRANSPORT_PAUSE;
}

static int rput_on_data(void *ctx, transport_rx_t *rx, const void *data, size_t len)
{
	rput_t *x = ctx;
	bool kick;
	if (atomic_load(&x->skip))
		return 0; /* skipped: drop the bytes */
	if (x->whole)
		return tm_pipe_keep(&x->pipe, data, len);
	int rc = tm_pipe_data(&x->pipe, rx, data, len, &kick);
	if (kick)
		tm_submit(&x->task);
	return rc;
}

static int rput_on_end(void *ctx, transport_rx_t *rx, int status)
{
	(void)rx;
	rput_t *x = ctx;
	bool whole = x->whole; /* (x is the worker's once it is queued) */
	bool kick;
	tm_pipe_end(&x->pipe, status, &kick);
	if (kick)
		tm_submit(&x->task); /* from here on the worker may free x */
	if (whole)
		return TRANSPORT_PAUSE; /* until a worker took it (bounds what a stream queues) */
	/* the stream goes on with its next object while a worker commits and replies: the next
	 * object's on_begin pauses until a worker takes it (the queue is FIFO), which bounds what a
	 * stream has in progress by the workers' pace */
	return 0;
}

const transport_rx_ops_t tm_put_ops = {
	.on_begin = rput_on_begin,
	.on_data = rput_on_data,
	.on_end = rput_on_end,
};
