/* xs_moss: GetBatch's job, work-item registry, phase 1 (prep) and the DT's receive side (see
 * xs_moss.h). The receive callbacks run on loop threads: they copy a pushed entry into its slot
 * and wake the assembler; they never block and never touch the disk. A push is accepted only
 * for a slot that waits for exactly that sender; anything else (unknown or finished batch, wrong
 * sender, duplicate, too large) is refused with a reply, which stops the sender. */
#include "xact/xs_moss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "xact/xs.h"
#include "xact/xs_moss_int.h"

static pthread_mutex_t moss_mu = PTHREAD_MUTEX_INITIALIZER;
static moss_wi_t *moss_head;     /* registered work items */
static xact_t *moss_x;           /* the running job (registry's ref) */
static int64_t moss_last_ns;     /* last registration (idle clock) */

/* ---------------------------------------------------------------- opaque */

int moss_op_pack(const moss_op_t *op, unsigned char *buf, size_t cap)
{
	size_t wl = strlen(op->wid), el = strlen(op->emsg), n = 1 + 1 + 4 + 2 + wl + 2 + el;
	if (n > cap || wl > 0xffff || el > 0xffff)
		return -1;
	unsigned char *p = buf;
	*p++ = 1; /* version */
	*p++ = op->flags;
	for (int i = 0; i < 4; i++)
		*p++ = (unsigned char)(op->index >> (24 - 8 * i));
	*p++ = (unsigned char)(wl >> 8);
	*p++ = (unsigned char)wl;
	memcpy(p, op->wid, wl);
	p += wl;
	*p++ = (unsigned char)(el >> 8);
	*p++ = (unsigned char)el;
	memcpy(p, op->emsg, el);
	return (int)n;
}

int moss_op_unpack(const void *buf, size_t len, moss_op_t *op)
{
	const unsigned char *p = buf, *end = p + len;
	memset(op, 0, sizeof(*op));
	if (len < 10 || p[0] != 1)
		return AIS_EINVAL;
	op->flags = p[1];
	op->index = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
	p += 6;
	size_t wl = (size_t)p[0] << 8 | p[1];
	p += 2;
	if (wl >= sizeof(op->wid) || wl > (size_t)(end - p) || end - p - (ptrdiff_t)wl < 2)
		return AIS_EINVAL;
	memcpy(op->wid, p, wl);
	p += wl;
	size_t el = (size_t)p[0] << 8 | p[1];
	p += 2;
	if (el > (size_t)(end - p) || p + el != end)
		return AIS_EINVAL;
	memcpy(op->emsg, p, el < sizeof(op->emsg) ? el : sizeof(op->emsg) - 1);
	return 0;
}

/* ---------------------------------------------------------------- work items */

static void moss_wi_free(moss_wi_t *wi)
{
	for (int i = 0; wi->slots && i < wi->n; i++) {
		free(wi->slots[i].buf);
		free(wi->slots[i].emsg);
	}
	free(wi->slots);
	free(wi->bck);
	moss_req_fini(&wi->req);
	bmd_put(wi->bmd);
	smap_put(wi->smap);
	xact_put(wi->x);
	pthread_mutex_destroy(&wi->mu);
	pthread_cond_destroy(&wi->cv);
	free(wi);
}

moss_wi_t *moss_wi_find(const char *wid)
{
	pthread_mutex_lock(&moss_mu);
	moss_wi_t *wi = moss_head;
	while (wi && strcmp(wi->wid, wid))
		wi = wi->next;
	if (wi)
		wi->refs++;
	pthread_mutex_unlock(&moss_mu);
	return wi;
}

void moss_wi_put(moss_wi_t *wi)
{
	if (!wi)
		return;
	pthread_mutex_lock(&moss_mu);
	bool last = --wi->refs == 0;
	pthread_mutex_unlock(&moss_mu);
	if (last)
		moss_wi_free(wi);
}

void moss_slot_reply(mslot_t *s, int status, const char *msg)
{
	transport_ep_t *ep = transport_node();
	if (!s->has_to)
		return;
	s->has_to = false;
	if (ep)
		transport_reply(ep, &s->to, status, msg);
}

/* registry lock held */
static void moss_unlink(moss_wi_t *wi)
{
	for (moss_wi_t **pp = &moss_head; *pp; pp = &(*pp)->next) {
		if (*pp == wi) {
			*pp = wi->next;
			wi->next = NULL;
			wi->refs--; /* the registry's */
			return;
		}
	}
}

void moss_wi_unreg(moss_wi_t *wi)
{
	pthread_mutex_lock(&moss_mu);
	bool was = !wi->gone;
	moss_unlink(wi);
	pthread_mutex_unlock(&moss_mu);
	if (!was)
		return;
	pthread_mutex_lock(&wi->mu);
	wi->gone = true;
	for (int i = 0; i < wi->n; i++) {
		mslot_t *s = &wi->slots[i];
		moss_slot_reply(s, AIS_EUNAVAIL, "get-batch work item ended");
		free(s->buf);
		s->buf = NULL;
	}
	pthread_cond_broadcast(&wi->cv);
	pthread_mutex_unlock(&wi->mu);
}

/* ---------------------------------------------------------------- the job */

typedef struct mjob {
	int unused;
} mjob_t;

/* the job's thread: collect abandoned work items; end after MOSS_IDLE_S without any */
static void mjob_run(xact_t *x)
{
	for (;;) {
		struct timespec ts = {0, 250 * 1000000};
		nanosleep(&ts, NULL);
		int64_t now = mono_ns();
		moss_wi_t *gc = NULL;
		pthread_mutex_lock(&moss_mu);
		for (moss_wi_t *wi = moss_head; wi && !gc; wi = wi->next)
			if ((!wi->taken && now - wi->created_ns > (int64_t)MOSS_ABANDON_S * 1000000000LL) ||
			    xact_aborted(x))
				gc = wi;
		if (gc)
			gc->refs++;
		bool idle = !moss_head && (xact_aborted(x) || now - moss_last_ns > (int64_t)MOSS_IDLE_S * 1000000000LL);
		if (idle && moss_x == x) {
			moss_x = NULL;
			xact_put(x);
		}
		pthread_mutex_unlock(&moss_mu);
		if (gc) {
			log_warn("get-batch %s: work item %s abandoned (no GET within %ds)", xact_id(x), gc->wid, MOSS_ABANDON_S);
			moss_wi_unreg(gc);
			moss_wi_put(gc);
			continue;
		}
		if (idle)
			return;
	}
}

const xact_ops_t xs_moss_ops = {.run = mjob_run};

xact_t *moss_job(char *err, size_t cap)
{
	pthread_mutex_lock(&moss_mu);
	moss_last_ns = mono_ns();
	xact_t *x = moss_x;
	if (x && (!xact_running(x) || xact_aborted(x))) {
		xact_put(moss_x);
		moss_x = x = NULL;
	}
	if (!x) {
		xact_args_t a;
		memset(&a, 0, sizeof(a));
		snprintf(a.kind, sizeof(a.kind), "get-batch");
		const xact_kind_t *k = xact_table_find("get-batch");
		if (!k || xact_reg_start(k, &a, &x, err, cap) || !x) {
			pthread_mutex_unlock(&moss_mu);
			return NULL;
		}
		moss_x = x; /* the reference xact_reg_start returned */
	}
	xact_get(x);
	pthread_mutex_unlock(&moss_mu);
	return x;
}

/* ---------------------------------------------------------------- receive (loop threads) */

typedef struct mrx {
	moss_wi_t *wi;
	uint32_t idx;
	moss_op_t op;
	char *buf;
	uint64_t len, got;
	int64_t atime;
	transport_replyto_t to;
	bool has_to;
} mrx_t;

static int mrx_begin(void *arg, transport_rx_t *rx, const tframe_hdr_t *hdr, void **ctx)
{
	mrx_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	int rc = moss_op_unpack(hdr->opaque, hdr->opaque_len, &c->op);
	if (!rc && !(c->wi = moss_wi_find(c->op.wid)))
		rc = AIS_ENOTFOUND;
	if (!rc) {
		moss_wi_t *wi = c->wi;
		const char *sid = transport_rx_sid(rx);
		pthread_mutex_lock(&wi->mu);
		mslot_t *s = c->op.index < (uint32_t)wi->n ? &wi->slots[c->op.index] : NULL;
		if (!s || wi->gone || s->st != MS_WAIT || s->owner < 0 || s->buf ||
		    strcmp(wi->smap->targets[s->owner].id, sid ? sid : ""))
			rc = AIS_EINVAL;
		else if (hdr->payload_len > (uint64_t)MOSS_PUSH_MAX)
			rc = AIS_ETOOBIG;
		pthread_mutex_unlock(&wi->mu);
	}
	if (!rc && hdr->payload_len && !(c->buf = malloc(hdr->payload_len)))
		rc = AIS_ENOMEM;
	if (rc) {
		moss_wi_put(c->wi);
		free(c);
		return rc;
	}
	c->idx = c->op.index;
	c->len = hdr->payload_len;
	c->atime = hdr->atime_ns;
	c->has_to = transport_rx_replyto(rx, hdr, &c->to) == 0;
	*ctx = c;
	return 0;
}

static int mrx_data(void *ctx, transport_rx_t *rx, const void *data, size_t len)
{
	mrx_t *c = ctx;
	if (len > c->len - c->got)
		return AIS_EINVAL;
	memcpy(c->buf + c->got, data, len);
	c->got += len;
	return 0;
}

static int mrx_end(void *ctx, transport_rx_t *rx, int status)
{
	mrx_t *c = ctx;
	moss_wi_t *wi = c->wi;
	bool ok = !status && c->got == c->len;
	if (ok) {
		pthread_mutex_lock(&wi->mu);
		mslot_t *s = &wi->slots[c->idx];
		ok = !wi->gone && s->st == MS_WAIT && !s->buf && !s->has_to;
		if (ok) {
			s->buf = c->buf;
			s->size = (int64_t)c->len;
			s->atime_ns = c->atime;
			s->fl = c->op.flags;
			s->emsg = c->op.emsg[0] ? strdup(c->op.emsg) : NULL;
			s->to = c->to;
			s->has_to = c->has_to;
			s->st = MS_READY;
			c->buf = NULL;
			pthread_cond_broadcast(&wi->cv);
		}
		pthread_mutex_unlock(&wi->mu);
		if (ok)
			xact_in_add(wi->x, 1, (int64_t)c->len);
	}
	if (!ok && c->has_to) {
		transport_ep_t *ep = transport_node();
		if (ep)
			transport_reply(ep, &c->to, status ? status : AIS_EINVAL, "get-batch: entry refused");
	}
	free(c->buf);
	moss_wi_put(wi);
	free(c);
	return 0;
}

static const transport_rx_ops_t mrx_ops = {.on_begin = mrx_begin, .on_data = mrx_data, .on_end = mrx_end};

int xs_moss_init(void)
{
	transport_ep_t *ep = transport_node();
	return ep ? transport_register(ep, MOSS_TRNAME, &mrx_ops, NULL) : AIS_EUNAVAIL;
}

void xs_moss_fini(void)
{
	transport_ep_t *ep = transport_node();
	if (ep)
		transport_unregister(ep, MOSS_TRNAME);
	pthread_mutex_lock(&moss_mu);
	moss_wi_t *all = moss_head;
	pthread_mutex_unlock(&moss_mu);
	while (all) {
		moss_wi_t *wi = moss_wi_find(all->wid);
		if (!wi)
			break;
		moss_wi_unreg(wi);
		moss_wi_put(wi);
		pthread_mutex_lock(&moss_mu);
		all = moss_head;
		pthread_mutex_unlock(&moss_mu);
	}
}

/* ---------------------------------------------------------------- phase 1 */

/* resolve every item's bucket and owner */
static int moss_wi_place(moss_wi_t *wi, const moss_ctx_t *ctx, char *err, size_t cap)
{
	const char *self = node_id();
	for (int i = 0; i < wi->n; i++) {
		const moss_in_t *in = &wi->req.in[i];
		const char *bn = moss_in_bucket(in, ctx->bucket);
		const char *ns = *in->ns ? in->ns : in->bucket && *in->bucket ? "" : ctx->ns ? ctx->ns : "";
		if (!*bn) {
			snprintf(err, cap, "missing bucket specification for object \"%s\" (in[%d])", in->objname, i);
			return AIS_EINVAL;
		}
		if (!(wi->bck[i] = bmd_find(wi->bmd, "ais", ns, bn))) {
			snprintf(err, cap, "bucket \"ais://%s\" does not exist", bn);
			return AIS_ENOBUCKET;
		}
		const snode_t *t = smap_owner_of(wi->smap, "ais", ns, bn, in->objname);
		if (!t) {
			snprintf(err, cap, "no targets in the cluster map");
			return AIS_EUNAVAIL;
		}
		wi->slots[i].owner = strcmp(t->id, self) ? (int32_t)(t - wi->smap->targets) : -1;
		wi->slots[i].st = wi->slots[i].owner < 0 ? MS_LOCAL : MS_WAIT;
	}
	return 0;
}

int xs_moss_prep(const moss_ctx_t *ctx, moss_req_t *req, char *xid, size_t xcap, char *err, size_t cap)
{
	moss_wi_t *wi = calloc(1, sizeof(*wi));
	if (!wi)
		return AIS_ENOMEM;
	pthread_mutex_init(&wi->mu, NULL);
	pthread_cond_init(&wi->cv, NULL);
	wi->refs = 1;
	wi->req = *req;
	memset(req, 0, sizeof(*req));
	wi->n = wi->req.n;
	snprintf(wi->wid, sizeof(wi->wid), "%s", ctx->wid);
	wi->created_ns = mono_ns();
	wi->bmd = bmd_get();
	wi->smap = smap_get();
	wi->slots = calloc((size_t)wi->n, sizeof(*wi->slots));
	wi->bck = calloc((size_t)wi->n, sizeof(*wi->bck));
	int rc = !wi->slots || !wi->bck ? AIS_ENOMEM : !wi->bmd || !wi->smap ? AIS_EUNAVAIL : 0;
	if (!rc && smap_active_targets(wi->smap) != ctx->nat) {
		snprintf(err, cap, "x-moss: expecting %d targets, have %d", ctx->nat, smap_active_targets(wi->smap));
		rc = AIS_ECONFLICT;
	}
	if (!rc)
		rc = moss_wi_place(wi, ctx, err, cap);
	if (!rc && !(wi->x = moss_job(err, cap)))
		rc = AIS_EUNAVAIL;
	if (!rc) {
		pthread_mutex_lock(&moss_mu);
		for (moss_wi_t *o = moss_head; o && !rc; o = o->next)
			if (!strcmp(o->wid, wi->wid))
				rc = AIS_EEXIST;
		if (!rc) {
			wi->next = moss_head;
			moss_head = wi;
			wi->refs++; /* the registry's */
			moss_last_ns = mono_ns();
		}
		pthread_mutex_unlock(&moss_mu);
		if (rc)
			snprintf(err, cap, "x-moss: work item %s exists", wi->wid);
	}
	if (!rc)
		snprintf(xid, xcap, "%s", xact_id(wi->x));
	moss_wi_put(wi);
	return rc;
}

int xs_moss_send(const moss_ctx_t *ctx, moss_req_t *req, char *err, size_t cap)
{
	xact_t *x = moss_job(err, cap); /* a sender counts its pushes in the job too */
	xact_put(x);
	return moss_send_start(ctx->dt, req, ctx->wid, ctx->bucket, ctx->ns ? ctx->ns : "", err, cap);
}
