/* tmove_pull: "obj-pull", an object (or a byte range of it) fetched from the target that owns
 * it (S3 CopyObject and UploadPartCopy with a source on another target).
 *
 *   asker (pool thread)                          owner
 *   tmove_pull: register token, REQ ──────────► on_request (loop) ─► [worker] open + validate
 *   (shared stream to the owner, "obj-pull")      (object reader, as a GET), check the range,
 *                                                 transport_respond(file by sendfile) | reply(err)
 *   on_begin (loop): find the waiter by token ◄── response on the owner's "obj-pull" stream to us
 *   on_data  (loop): pipe ─► the waiting pool thread writes into the caller's sink
 *   on_end, then done(): the pool thread returns
 *
 * The asker's request carries an 8-byte token (opaque) that the owner echoes in its response:
 * the waiter is registered under it before the request is queued, so a response that arrives
 * before transport_request returned still finds it (the transport's request id is not known
 * until then). A waiter leaves only after done(), which the transport calls after on_end of a
 * claimed response, so callbacks never see a freed waiter. The range the owner answers must be
 * exactly the one asked; a whole object is verified against the owner's checksum. */
#include "target/tmove_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/node.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/log.h"
#include "obj/obj_ver.h"
#include "stats/stats.h"

/* ---------------------------------------------------------------- asker: waiters */

typedef struct pull {
	struct pull *next;
	uint64_t token;
	tm_pipe_t pipe;            /* its mu guards the fields below too */
	int64_t want_off, want_len; /* want_len < 0: the whole object */
	bool begun;                /* on_begin accepted the response */
	int64_t size;              /* the object's size (response header) */
	cksum_type_t cktype;
	char ckval[TFRAME_CKVAL_MAX + 1];
	lom_md_t *md;              /* the caller's: custom metadata */
	char bmsg[160];            /* why on_begin refused the response */
	int rc;                    /* done() */
	char msg[TFRAME_MSG_MAX + 1];
	/* the writer (waiting thread) */
	obj_sink_fn sink;
	void *arg;
	cksum_t ck;
	bool have_ck;
} pull_t;

static pthread_mutex_t pull_mu = PTHREAD_MUTEX_INITIALIZER;
static pull_t *pull_list;
static uint64_t pull_next_token = 1;

static void pull_register(pull_t *p)
{
	pthread_mutex_lock(&pull_mu);
	p->token = pull_next_token++;
	p->next = pull_list;
	pull_list = p;
	pthread_mutex_unlock(&pull_mu);
}

static void pull_unregister(pull_t *p)
{
	pthread_mutex_lock(&pull_mu);
	for (pull_t **pp = &pull_list; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	pthread_mutex_unlock(&pull_mu);
}

static pull_t *pull_find(uint64_t token)
{
	pthread_mutex_lock(&pull_mu);
	pull_t *p = pull_list;
	while (p && p->token != token)
		p = p->next;
	pthread_mutex_unlock(&pull_mu);
	return p;
}

static void tok_put(uint8_t b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t tok_get(const uint8_t b[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* ---------------------------------------------------------------- asker: receive callbacks */

/* on_begin refuses the response: why, for the waiter's error message */
static int pull_refuse(pull_t *p, const tframe_hdr_t *h)
{
	pthread_mutex_lock(&p->pipe.mu);
	snprintf(p->bmsg, sizeof(p->bmsg), "unexpected response for %.64s: range flag %d, offset %lld, %llu bytes, "
		 "size %lld", h->objname ? h->objname : "", (h->flags & TFRAME_F_RANGE) != 0, (long long)h->offset,
		 (unsigned long long)h->payload_len, (long long)h->size);
	pthread_mutex_unlock(&p->pipe.mu);
	return AIS_EINVAL;
}

static int pull_on_begin(void *arg, transport_rx_t *rx, const tframe_hdr_t *h, void **ctx)
{
	(void)arg;
	(void)rx;
	if (!(h->flags & TFRAME_F_RESPONSE) || (h->opaque_len != 8 && h->opaque_len != 16))
		return AIS_EINVAL; /* this stream carries answers to our requests only */
	pull_t *p = pull_find(tok_get(h->opaque));
	if (!p)
		return AIS_ENOTFOUND;
	bool ranged = h->flags & TFRAME_F_RANGE;
	if (p->want_len >= 0 && (!ranged || h->offset != p->want_off || (int64_t)h->payload_len != p->want_len))
		return pull_refuse(p, h);
	if (p->want_len < 0 && (ranged || h->size < 0 || (int64_t)h->payload_len != h->size))
		return pull_refuse(p, h);
	int ck = h->cksum_type && *h->cksum_type ? cksum_type_from_str(h->cksum_type) : CKSUM_NONE;
	int rc = 0;
	for (int i = 0; !rc && p->md && i < h->ncustom; i++)
		rc = lom_md_custom_set(p->md, h->custom[i].key, h->custom[i].value);
	if (rc)
		return rc;
	if (p->md) { /* the owner's attributes (a rebalance's get-from-neighbour keeps them) */
		p->md->size = h->size;
		p->md->atime = h->atime_ns;
		p->md->mtime = h->opaque_len == 16 ? (int64_t)tok_get((const uint8_t *)h->opaque + 8) : h->atime_ns;
		snprintf(p->md->version, sizeof(p->md->version), "%s", h->version ? h->version : "");
		if (ck > CKSUM_NONE && h->cksum_value && strlen(h->cksum_value) < sizeof(p->md->ckval)) {
			p->md->cktype = (cksum_type_t)ck;
			snprintf(p->md->ckval, sizeof(p->md->ckval), "%s", h->cksum_value);
		}
	}
	pthread_mutex_lock(&p->pipe.mu);
	p->begun = true;
	p->size = h->size;
	if (p->want_len < 0 && ck > CKSUM_NONE && h->cksum_value && *h->cksum_value) {
		p->cktype = (cksum_type_t)ck;
		snprintf(p->ckval, sizeof(p->ckval), "%s", h->cksum_value);
	}
	pthread_mutex_unlock(&p->pipe.mu);
	*ctx = p;
	return 0;
}

static int pull_on_data(void *ctx, transport_rx_t *rx, const void *data, size_t len)
{
	pull_t *p = ctx;
	bool kick; /* never: the waiting thread is the writer (pipe.active stays set) */
	return tm_pipe_data(&p->pipe, rx, data, len, &kick);
}

static int pull_on_end(void *ctx, transport_rx_t *rx, int status)
{
	(void)rx;
	pull_t *p = ctx;
	bool kick;
	tm_pipe_end(&p->pipe, status, &kick);
	return 0;
}

/* the request's completion (the stream thread): after on_end, an error reply, or the timeout */
static void pull_done(void *arg, const transport_result_t *res)
{
	pull_t *p = arg;
	pthread_mutex_lock(&p->pipe.mu);
	p->rc = res->rc;
	snprintf(p->msg, sizeof(p->msg), "%s", res->msg ? res->msg : "");
	p->pipe.done = true;
	pthread_cond_broadcast(&p->pipe.cv);
	pthread_mutex_unlock(&p->pipe.mu); /* p may be gone from here on */
}

/* ---------------------------------------------------------------- asker */

static int pull_sink(void *arg, const char *buf, size_t n)
{
	pull_t *p = arg;
	if (!p->have_ck && p->cktype != CKSUM_NONE && !cksum_init(&p->ck, p->cktype))
		p->have_ck = true; /* cktype was set by on_begin, before the first byte */
	if (p->have_ck)
		cksum_update(&p->ck, buf, n);
	return p->sink(p->arg, buf, n);
}

/* "... (size N)" at the end of an owner's range refusal */
static int64_t pull_msg_size(const char *msg)
{
	const char *s = strstr(msg, "(size ");
	long long v;
	return s && sscanf(s, "(size %lld)", &v) == 1 ? (int64_t)v : -1;
}

int tmove_pull(const snode_t *peer, const bck_t *b, const char *name, int64_t off, int64_t len, obj_sink_fn sink,
	       void *arg, lom_md_t *md, int64_t *size, char *err, size_t cap)
{
	return tmove_pull_ver(peer, b, name, 0, off, len, sink, arg, md, size, err, cap);
}

int tmove_pull_ver(const snode_t *peer, const bck_t *b, const char *name, int64_t seq, int64_t off, int64_t len,
		   obj_sink_fn sink, void *arg, lom_md_t *md, int64_t *size, char *err, size_t cap)
{
	transport_ep_t *ep = transport_node();
	transport_stream_t *s = NULL;
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	uint8_t tok[16]; /* the token, then (a version's pull) its sequence number */
	if (size)
		*size = -1;
	if (cap)
		err[0] = '\0';
	int rc = ep ? transport_shared(ep, peer->data.url, TMOVE_PULL, &s) : AIS_EUNAVAIL;
	if (rc) {
		snprintf(err, cap, "%s: no stream to %s: %s", peer->id, peer->data.url, err_str(rc));
		return rc;
	}
	pull_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	tm_pipe_init(&p->pipe);
	p->pipe.active = true; /* this thread writes */
	p->want_off = len >= 0 ? off : 0;
	p->want_len = len;
	p->size = -1;
	p->md = md;
	p->sink = sink;
	p->arg = arg;
	pull_register(p);
	tok_put(tok, p->token);
	tok_put(tok + 8, (uint64_t)seq);
	tm_ns_split(b->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	transport_obj_t o = {.hdr = {.provider = b->provider, .ns_uuid = uuid, .ns_name = nsname, .bucket = b->name,
				     .objname = name, .size = -1, .opaque = tok, .opaque_len = seq > 0 ? 16 : 8},
			     .done = pull_done, .arg = p, .reply_timeout_ms = tm_timeout_ms()};
	if (len >= 0) {
		o.hdr.flags = TFRAME_F_RANGE;
		o.hdr.offset = off;
		o.hdr.size = len;
	}
	if ((rc = transport_request(s, &o))) {
		snprintf(err, cap, "%s: cannot request %s: %s", peer->id, name, err_str(rc));
		goto out;
	}
	tm_pipe_run(&p->pipe, true, pull_sink, p);
	pthread_mutex_lock(&p->pipe.mu);
	while (!p->pipe.done) /* after on_end (a claimed response) or instead of it */
		pthread_cond_wait(&p->pipe.cv, &p->pipe.mu);
	pthread_mutex_unlock(&p->pipe.mu);
	int64_t want = len >= 0 ? len : p->size;
	if (size && p->size >= 0)
		*size = p->size;
	if (p->pipe.err) {
		rc = p->pipe.err; /* the sink's (or out of memory) */
		snprintf(err, cap, "%s", err_str(rc));
	} else if (p->rc) {
		rc = p->rc;
		snprintf(err, cap, "%s: %s", peer->id, p->bmsg[0] ? p->bmsg : p->msg[0] ? p->msg : err_str(rc));
		if (rc == AIS_ERANGE && size)
			*size = pull_msg_size(p->msg);
	} else if (!p->begun || p->pipe.bytes != want) {
		rc = AIS_EIO;
		snprintf(err, cap, "%s: %s: received %lld of %lld bytes", peer->id, name, (long long)p->pipe.bytes,
			 (long long)want);
	} else if (p->have_ck) {
		char got[CKSUM_MAX_HEX];
		cksum_final(&p->ck, got);
		p->have_ck = false;
		if (strcasecmp(got, p->ckval)) {
			rc = AIS_ECKSUM;
			snprintf(err, cap, "%s: %s: checksum mismatch: %s %s expected, received %s", peer->id, name,
				 cksum_type_str(p->cktype), p->ckval, got);
		}
	}
	if (!rc)
		stats_stream(true, p->pipe.bytes);
	else if (rc != AIS_ENOTFOUND && rc != AIS_ERANGE)
		log_warn("%s: pull %s from %s: %s", node_name(), name, peer->id, err);
out:
	pull_unregister(p);
	if (p->have_ck)
		cksum_abort(&p->ck);
	tm_pipe_fini(&p->pipe);
	free(p);
	return rc;
}

/* ---------------------------------------------------------------- owner */

typedef struct serve {
	tm_task_t task;
	transport_replyto_t to;
	char provider[TFRAME_PROVIDER_MAX + 1], ns[2 * TFRAME_NS_MAX + 4], bucket[TFRAME_BUCKET_MAX + 1];
	char *name;
	bool ranged;
	int64_t off, len;
	uint8_t tok[16]; /* the asker's token, then the object's write time (mtime) */
	char sid[TFRAME_SID_MAX + 1];
	int64_t seq;     /* > 0: that version (the current object's, or a retained one, obj/obj_ver.h) */
	obj_t o;
	obj_t vo;        /* the retained version's file (borrows o's BMD) */
	obj_get_t g;
	int64_t plen;
} serve_t;

static void serve_free(serve_t *x)
{
	obj_get_close(&x->g);
	obj_fini(&x->o);
	free(x->name);
	free(x);
}

static int serve_seg(void *arg, int i, int *fd, int64_t *off, uint64_t *len)
{
	serve_t *x = arg;
	int64_t l = 0;
	int rc = obj_get_seg(&x->g, x->off, x->plen, i, fd, off, &l);
	*len = (uint64_t)l;
	return rc;
}

/* the response was written (rc 0) or failed: the stream thread is done with the files */
static void serve_done(void *arg, const transport_result_t *res)
{
	serve_t *x = arg;
	if (!res->rc) {
		obj_get_done(&x->g, x->plen);
		stats_stream(false, x->plen);
	} else {
		log_warn("transport %s: sending %s to %s failed: %s", TMOVE_PULL, x->name, x->sid,
			 res->msg && *res->msg ? res->msg : err_str(res->rc));
	}
	serve_free(x);
}

static void serve_reply(serve_t *x, int rc, const char *msg)
{
	transport_reply(transport_node(), &x->to, rc, msg);
	serve_free(x);
}

/* worker: open the object as a GET does (stats, validate_warm_get) and answer */
static void serve_task(tm_task_t *t)
{
	serve_t *x = (serve_t *)t;
	char msg[TFRAME_MSG_MAX + 1], cn[512]; /* a long name is cut in messages */
	tframe_kv_t kv[TFRAME_CUSTOM_MAX];
	obj_why_t why;
	int rc = obj_init(&x->o, x->provider, x->ns, x->bucket, x->name, &why);
	if (rc) {
		if (why == OBJ_WHY_NO_BUCKET)
			snprintf(msg, sizeof(msg), "bucket \"%s://%s%s%s\" does not exist", x->provider, x->ns,
				 x->ns[0] ? "/" : "", x->bucket);
		else
			snprintf(msg, sizeof(msg), "%s: %s", obj_why_str(why), x->name);
		serve_reply(x, rc, msg);
		return;
	}
	obj_cname(x->o.bck, x->o.oname, cn, sizeof(cn));
	rc = obj_get_open(&x->g, &x->o, 0, &why);
	if (x->seq > 0 && (rc || strtoll(x->g.md.version, NULL, 10) != x->seq)) {
		/* not the current version: the retained one */
		obj_get_close(&x->g);
		rc = obj_ver_view(&x->vo, &x->o, x->seq);
		if (!rc)
			rc = obj_get_open(&x->g, &x->vo, OBJ_GET_QUIET, &why);
	}
	if (!rc)
		rc = obj_get_prepare(&x->g, &why);
	if (rc) {
		if (rc == AIS_ENOTFOUND)
			snprintf(msg, sizeof(msg), "%s doesn't exist", cn);
		else
			snprintf(msg, sizeof(msg), "%s: %s: %s", node_name(), cn, obj_why_str(why));
		serve_reply(x, rc, msg);
		return;
	}
	int64_t size = x->g.size;
	if (!x->ranged) {
		x->off = 0;
		x->plen = size;
	} else {
		x->plen = x->len < 0 ? size - x->off : x->len;
		if (x->off >= size || x->plen <= 0 || x->plen > size - x->off) {
			snprintf(msg, sizeof(msg), "%s: range [%lld, +%lld) is not within the object (size %lld)", cn,
				 (long long)x->off, (long long)x->len, (long long)size);
			serve_reply(x, AIS_ERANGE, msg);
			return;
		}
	}
	tok_put(x->tok + 8, (uint64_t)x->g.md.mtime);
	transport_obj_t o = {.hdr = {.provider = x->o.bck->provider, .bucket = x->bucket, .objname = x->name,
				     .opaque = x->tok, .opaque_len = sizeof(x->tok)},
			     .done = serve_done, .arg = x};
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	tm_ns_split(x->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	o.hdr.ns_uuid = uuid;
	o.hdr.ns_name = nsname;
	if ((rc = tm_hdr_attrs(&o.hdr, &x->g.md, kv, TFRAME_CUSTOM_MAX))) {
		serve_reply(x, rc, "too many custom metadata entries");
		return;
	}
	o.hdr.size = size;
	o.hdr.payload_len = (uint64_t)x->plen;
	if (x->ranged) {
		o.hdr.flags = TFRAME_F_RANGE;
		o.hdr.offset = x->off;
	}
	if (x->plen > 0 && x->g.chunked) {
		o.src = TRANSPORT_SRC_SEGS;
		o.seg = serve_seg;
		o.seg_arg = x;
		o.nseg = obj_get_nsegs(&x->g, x->off, x->plen);
	} else if (x->plen > 0) {
		o.src = TRANSPORT_SRC_FD;
		o.fd = x->g.fd;
		o.off = x->off;
	}
	transport_replyto_t to = x->to;
	/* blocks while the stream to the asker is full; from here on serve_done owns x */
	if ((rc = transport_respond(transport_node(), &to, TMOVE_PULL, &o))) {
		snprintf(msg, sizeof(msg), "%s: cannot send %s: %s", node_name(), cn, err_str(rc));
		serve_reply(x, rc, msg);
	}
}

static int serve_on_request(void *arg, transport_rx_t *rx, const tframe_hdr_t *h)
{
	(void)arg;
	if (h->opaque_len != 8 && h->opaque_len != 16)
		return AIS_EINVAL;
	serve_t *x = calloc(1, sizeof(*x));
	if (!x)
		return AIS_ENOMEM;
	if (transport_rx_replyto(rx, h, &x->to) || !(x->name = strdup(h->objname ? h->objname : ""))) {
		free(x);
		return AIS_EINVAL;
	}
	x->task.fn = serve_task;
	snprintf(x->sid, sizeof(x->sid), "%s", h->sid ? h->sid : "");
	snprintf(x->provider, sizeof(x->provider), "%s", h->provider && *h->provider ? h->provider : "ais");
	tm_ns_join(h->ns_uuid, h->ns_name, x->ns, sizeof(x->ns));
	snprintf(x->bucket, sizeof(x->bucket), "%s", h->bucket ? h->bucket : "");
	x->ranged = h->flags & TFRAME_F_RANGE;
	x->off = x->ranged ? h->offset : 0;
	x->len = x->ranged ? h->size : -1;
	memcpy(x->tok, h->opaque, 8);
	x->seq = h->opaque_len == 16 ? (int64_t)tok_get((const uint8_t *)h->opaque + 8) : 0;
	tm_submit(&x->task);
	return 0;
}

const transport_rx_ops_t tm_pull_ops = {
	.on_begin = pull_on_begin,
	.on_data = pull_on_data,
	.on_end = pull_on_end,
	.on_request = serve_on_request,
};
