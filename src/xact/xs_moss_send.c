/* xs_moss_send: GetBatch phase 3, a sender's side (see xs_moss.h): one thread per batch walks the
 * request in order and pushes each item this target stores to the DT on the shared stream
 * "moss": a plain object or a plain-TAR member straight from its file (sendfile), a compressed
 * member or a chunked object read into memory, a large entry (> MOSS_PUSH_MAX) as an announcement
 * the DT fetches itself, a missing or unreadable one as a header with the reason. Every quarter
 * window (and the last) a push wants the DT's reply, which comes when the DT has emitted that
 * entry and so every one before it: at most MOSS_WIN_N pushes and MOSS_WIN_BYTES are in flight,
 * so a slow client throttles its senders and the DT never holds more than that. A refused push
 * that wanted a reply (the DT gave up on the batch) stops the sender. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/arch_obj.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "obj/obj_get.h"
#include "xact/xs_moss.h"
#include "xact/xs_moss_int.h"

#define MSEND_REPLY_MS (10 * 60 * 1000)
/* a full window always has a reply-wanting push in flight (see msend_one) */
_Static_assert(MOSS_PUSH_MAX + MOSS_WIN_BYTES / 4 <= MOSS_WIN_BYTES && MOSS_WIN_N >= 4, "GetBatch window");
#define MSEND_MEM_MAX (64 * 1024) /* entries up to this go from memory (batched frames), larger by sendfile */

typedef struct msend {
	char wid[80];
	char dt[SNODE_ID_MAX];
	moss_req_t req;
	char *bucket, *ns;
	xact_t *x;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t sent_n, sent_bytes;   /* pushed so far (cumulative) */
	int64_t acked_n, acked_bytes; /* of those, emitted by the DT (the last reply's cum_*) */
	int64_t since_n, since_bytes; /* pushed since the last push that wants a reply */
	int cbs;                      /* completions to come (ms lives until they are in) */
	int err;
} msend_t;

typedef struct mpush {
	msend_t *ms;
	int fd;                 /* FD source: ours, closed when done */
	char *mem;
	int64_t size;
	bool want;                    /* wants the DT's reply: the credit for every push up to it */
	int64_t cum_n, cum_bytes;     /* sent_n/sent_bytes including this push */
	unsigned char opaque[700];
} mpush_t;

static void msend_free(msend_t *ms)
{
	moss_req_fini(&ms->req);
	free(ms->bucket);
	free(ms->ns);
	xact_put(ms->x);
	pthread_mutex_destroy(&ms->mu);
	pthread_cond_destroy(&ms->cv);
	free(ms);
}

static void mpush_done(void *arg, const transport_result_t *res)
{
	mpush_t *p = arg;
	msend_t *ms = p->ms;
	if (!res->rc)
		xact_out_add(ms->x, 1, p->size);
	pthread_mutex_lock(&ms->mu);
	if (p->want && !res->rc && p->cum_n > ms->acked_n) { /* the DT emitted this one, so every one before */
		ms->acked_n = p->cum_n;
		ms->acked_bytes = p->cum_bytes;
	}
	ms->cbs--;
	if (res->rc && !ms->err) {
		ms->err = res->rc;
		log_warn("get-batch %s: push to t[%s] failed: %s (%s)", ms->wid, ms->dt, err_str(res->rc), res->msg ? res->msg : "");
	}
	pthread_cond_broadcast(&ms->cv);
	pthread_mutex_unlock(&ms->mu); /* ms may be gone from here: the sender frees it once cbs is 0 */
	if (p->fd >= 0)
		close(p->fd);
	free(p->mem);
	free(p);
}

typedef struct msink {
	char *buf;
	int64_t got;
} msink_t;

static int msend_sink(void *arg, const char *buf, size_t n)
{
	msink_t *k = arg;
	memcpy(k->buf + k->got, buf, n);
	k->got += (int64_t)n;
	return 0;
}

/* an archived file: FD range, memory, BIG, or missing (emsg) */
static void msend_arch(obj_get_t *g, const char *archpath, mpush_t *p, moss_op_t *op, int64_t *off)
{
	arch_fmt_t f;
	arch_loc_t loc;
	char err[400] = "", cn[300];
	int rc = arch_obj_fmt(g, "", &f, err, sizeof(err));
	if (!rc)
		rc = arch_obj_find(g, f, archpath, &loc, err, sizeof(err));
	if (rc) {
		obj_cname(g->o->bck, g->o->oname, cn, sizeof(cn));
		op->flags = MF_MISSING;
		if (rc == AIS_ENOTFOUND)
			snprintf(op->emsg, sizeof(op->emsg), "%s in %s does not exist", archpath, cn);
		else if (snprintf(op->emsg, sizeof(op->emsg), "%s: %s", cn, *err ? err : err_str(rc)) >= (int)sizeof(op->emsg))
			op->emsg[sizeof(op->emsg) - 2] = '~'; /* cut: say so */
		return;
	}
	if (loc.size > MOSS_PUSH_MAX) {
		op->flags = MF_BIG;
		p->size = loc.size;
	} else if (loc.data_off >= 0 && !g->chunked && loc.size > MSEND_MEM_MAX) {
		p->fd = fcntl(g->fd, F_DUPFD_CLOEXEC, 0);
		p->size = loc.size;
		*off = loc.data_off;
	} else if ((p->mem = malloc(loc.size ? (size_t)loc.size : 1))) {
		msink_t k = {p->mem, 0};
		if (arch_obj_read(g, &loc, msend_sink, &k, err, sizeof(err))) {
			free(p->mem);
			p->mem = NULL;
			op->flags = MF_MISSING;
			snprintf(op->emsg, sizeof(op->emsg), "%s: %s", archpath, err);
		} else {
			p->size = loc.size;
		}
	}
	arch_loc_fini(&loc);
}

/* build item i's push: its source (fd + off, or mem) and size, or flags in op */
static void msend_build(msend_t *ms, const bck_t *b, const moss_in_t *in, mpush_t *p, moss_op_t *op, int64_t *off,
		       int64_t *atime)
{
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	char cn[400];
	memset(&o, 0, sizeof(o));
	memset(&g, 0, sizeof(g));
	p->fd = -1;
	*off = 0;
	int rc = obj_place(&o, b, in->objname);
	if (!rc)
		rc = obj_get_open(&g, &o, OBJ_GET_QUIET, &why);
	if (!rc && g.chunked)
		rc = obj_get_prepare(&g, &why);
	if (rc) {
		obj_cname(b, in->objname, cn, sizeof(cn));
		op->flags = MF_MISSING;
		snprintf(op->emsg, sizeof(op->emsg), "%s%s", cn, rc == AIS_ENOTFOUND ? " does not exist" : ": unreadable");
		obj_get_close(&g);
		obj_fini(&o);
		return;
	}
	*atime = g.md.atime;
	if (*in->archpath) {
		msend_arch(&g, in->archpath, p, op, off);
		*atime = 0; /* AIStore's archived entries carry no time */
	} else if (g.size > MOSS_PUSH_MAX) {
		op->flags = MF_BIG;
		p->size = g.size;
	} else if (!g.chunked && g.size > MSEND_MEM_MAX) {
		p->size = g.size;
		p->fd = obj_get_take_fd(&g);
	} else if ((p->mem = malloc(g.size ? (size_t)g.size : 1))) {
		/* small (or chunked): from memory, so the stream sends many in one sendmsg */
		msink_t k = {p->mem, 0};
		if (obj_get_read_all(&g, msend_sink, &k)) {
			op->flags = MF_MISSING;
			snprintf(op->emsg, sizeof(op->emsg), "%s: read failed", in->objname);
			free(p->mem);
			p->mem = NULL;
		} else {
			p->size = g.size;
		}
	}
	obj_get_close(&g);
	obj_fini(&o);
}

static int msend_one(msend_t *ms, transport_stream_t *s, const bck_t *b, int i, bool last)
{
	const moss_in_t *in = &ms->req.in[i];
	mpush_t *p = calloc(1, sizeof(*p));
	moss_op_t op;
	int64_t off = 0, atime = 0;
	if (!p)
		return AIS_ENOMEM;
	memset(&op, 0, sizeof(op));
	snprintf(op.wid, sizeof(op.wid), "%s", ms->wid);
	op.index = (uint32_t)i;
	p->ms = ms;
	msend_build(ms, b, in, p, &op, &off, &atime);
	bool body = !(op.flags & (MF_MISSING | MF_BIG));
	if (!body) {
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		free(p->mem);
		p->mem = NULL;
		if (op.flags & MF_MISSING)
			p->size = 0;
	}
	int olen = moss_op_pack(&op, p->opaque, sizeof(p->opaque));
	int64_t weight = body ? p->size : 0;
	/* the window: wait for the DT to emit what it has. Only every MOSS_WIN_N/4-th push (or
	 * MOSS_WIN_BYTES/4, and the last) wants a reply, which credits every push up to it (the DT
	 * emits in order): with at most a quarter of the window unreplied and MOSS_PUSH_MAX at most
	 * a quarter of its bytes, a full window always has a reply on its way */
	pthread_mutex_lock(&ms->mu);
	for (;;) {
		int64_t fn = ms->sent_n - ms->acked_n, fb = ms->sent_bytes - ms->acked_bytes;
		if (ms->err || !fn || (fn < MOSS_WIN_N && fb + weight <= MOSS_WIN_BYTES))
			break;
		pthread_cond_wait(&ms->cv, &ms->mu);
	}
	int err = ms->err;
	if (!err) {
		ms->sent_n++;
		ms->sent_bytes += weight;
		ms->since_n++;
		ms->since_bytes += weight;
		p->want = last || ms->since_n >= MOSS_WIN_N / 4 || ms->since_bytes >= MOSS_WIN_BYTES / 4;
		if (p->want)
			ms->since_n = ms->since_bytes = 0;
		p->cum_n = ms->sent_n;
		p->cum_bytes = ms->sent_bytes;
		ms->cbs++;
	}
	pthread_mutex_unlock(&ms->mu);
	if (err || olen < 0) {
		if (p->fd >= 0)
			close(p->fd);
		free(p->mem);
		free(p);
		return err ? err : AIS_EINVAL;
	}
	p->size = weight;
	transport_obj_t o = {.hdr = {.provider = "ais", .bucket = b->name, .objname = in->objname, .size = weight,
				     .atime_ns = atime, .payload_len = (uint64_t)weight, .opaque = p->opaque,
				     .opaque_len = (uint32_t)olen},
			     .src = !body || !weight ? TRANSPORT_SRC_NONE : p->fd >= 0 ? TRANSPORT_SRC_FD : TRANSPORT_SRC_MEM,
			     .mem = p->mem, .fd = p->fd, .off = off, .done = mpush_done, .arg = p, .want_reply = p->want,
			     .reply_timeout_ms = MSEND_REPLY_MS};
	int rc = transport_send(s, &o);
	if (rc) { /* nothing queued: no callback */
		transport_result_t res = {.rc = rc, .msg = "not queued"};
		mpush_done(p, &res);
	}
	return rc;
}

typedef struct msend_arg {
	msend_t *ms;
} msend_arg_t;

static void *msend_thread(void *arg)
{
	msend_t *ms = arg;
	smap_t *sm = smap_get();
	bmd_t *bmd = bmd_get();
	const snode_t *dt = sm ? smap_find(sm, ms->dt) : NULL;
	transport_stream_t *s = NULL;
	transport_ep_t *ep = transport_node();
	int rc = !dt || !ep || !bmd ? AIS_EUNAVAIL : transport_shared(ep, dt->data.url, MOSS_TRNAME, &s);
	const char *self = node_id();
	/* the items this target stores (another target's, or of a bucket the DT refused already: not) */
	const bck_t **own = rc ? NULL : calloc((size_t)ms->req.n + 1, sizeof(*own));
	if (!rc && !own)
		rc = AIS_ENOMEM;
	int last = -1;
	for (int i = 0; !rc && i < ms->req.n; i++) {
		const moss_in_t *in = &ms->req.in[i];
		const char *bn = moss_in_bucket(in, ms->bucket);
		const char *ns = *in->ns ? in->ns : in->bucket && *in->bucket ? "" : ms->ns;
		const bck_t *b = bmd_find(bmd, "ais", ns, bn);
		const snode_t *t = b ? smap_owner_of(sm, "ais", ns, bn, in->objname) : NULL;
		if (t && !strcmp(t->id, self)) {
			own[i] = b;
			last = i;
		}
	}
	for (int i = 0; !rc && i <= last && !xact_aborted(ms->x); i++)
		if (own[i])
			rc = msend_one(ms, s, own[i], i, i == last);
	free(own);
	pthread_mutex_lock(&ms->mu);
	while (ms->cbs)
		pthread_cond_wait(&ms->cv, &ms->mu);
	pthread_mutex_unlock(&ms->mu);
	if (rc && rc != AIS_EUNAVAIL)
		log_warn("get-batch %s: sending to t[%s] stopped: %s", ms->wid, ms->dt, err_str(rc));
	bmd_put(bmd);
	smap_put(sm);
	msend_free(ms);
	return NULL;
}

int moss_send_start(const char *dt, moss_req_t *req, const char *wid, const char *bucket, const char *ns,
		    char *err, size_t cap)
{
	msend_t *ms = calloc(1, sizeof(*ms));
	if (!ms)
		return AIS_ENOMEM;
	pthread_mutex_init(&ms->mu, NULL);
	pthread_cond_init(&ms->cv, NULL);
	snprintf(ms->wid, sizeof(ms->wid), "%s", wid);
	snprintf(ms->dt, sizeof(ms->dt), "%s", dt);
	ms->req = *req;
	memset(req, 0, sizeof(*req));
	ms->bucket = strdup(bucket ? bucket : "");
	ms->ns = strdup(ns ? ns : "");
	ms->x = moss_job(err, cap);
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = !ms->bucket || !ms->ns || !ms->x ? AIS_ENOMEM : pthread_create(&th, &at, msend_thread, ms) ? AIS_ENOMEM : 0;
	pthread_attr_destroy(&at);
	if (rc) {
		snprintf(err, cap, "get-batch: cannot start the sender");
		msend_free(ms);
	}
	return rc;
}
