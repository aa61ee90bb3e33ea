/* transport_rx: incoming streams. PUT /v1/transport/<trname> is answered 404 unless a handler is
 * registered; otherwise the chunked body is streamed (http_stream_body, on the loop thread: no
 * pool thread, no buffering of objects) through the frame decoder into the handler's callbacks.
 * Replies (trname "_reply") complete the endpoint's awaited items instead.
 * Back-pressure: a callback returning TRANSPORT_PAUSE stops the decoder; the unread rest of the
 * current body slice (at most one socket read) is kept in `stash` and the HTTP body is paused
 * (HTTP_DATA_PAUSE); transport_rx_resume posts the resume, and the loop first replays the stash.
 * State (rx->mu): `held` = PAUSEs returned minus resumes (a resume may overtake its PAUSE: then
 * held dips below zero and the PAUSE is void); while held > 0 the stream holds a reference
 * (`refs`), so rx outlives a late resume; http_done once end_cb ran (the request is answered and
 * must not be touched). If the connection fails while paused, the open object's on_end waits for
 * the resume (`deferred`), so a handler never sees callbacks overlap its pause.
 * Loop-thread-only fields: dec, ctx, open, skip, obj_status, claim, stash. */
#include "transport/transport_int.h"
#include "core/err.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct transport_rx {
	transport_ep_t *ep;
	tp_entry_t *e;
	http_req_t *r;
	char sid[TFRAME_SID_MAX + 1];
	char url[TRANSPORT_URL_MAX];
	tframe_dec_t *dec;
	pthread_mutex_t mu;
	int refs, held;
	bool http_paused, http_done, deferred;
	int deferred_status;
	/* loop thread */
	bool open;          /* on_begin accepted the current object; on_end not yet called */
	void *ctx;
	int obj_status;     /* on_data refused the rest of the payload */
	uint64_t claim;     /* the request id the current object answers (0: none) */
	uint64_t objs, bytes;
	uint8_t *stash;
	size_t stash_len, stash_cap;
	char errmsg[200];
};

const char *transport_rx_sid(const transport_rx_t *rx) { return rx->sid; }
const char *transport_rx_trname(const transport_rx_t *rx) { return rx->e->trname; }

static void trx_unref(transport_rx_t *rx)
{
	pthread_mutex_lock(&rx->mu);
	bool last = --rx->refs == 0;
	pthread_mutex_unlock(&rx->mu);
	if (!last)
		return;
	transport_ep_t *ep = rx->ep;
	tp_entry_put(ep, rx->e);
	tframe_dec_free(rx->dec);
	free(rx->stash);
	pthread_mutex_destroy(&rx->mu);
	free(rx);
	atomic_fetch_sub(&ep->live_rx, 1);
}

/* a callback returned TRANSPORT_PAUSE: true if it still holds (no resume overtook it) */
static bool trx_hold(transport_rx_t *rx)
{
	pthread_mutex_lock(&rx->mu);
	bool paused = ++rx->held > 0;
	if (rx->held == 1) {
		rx->refs++; /* released by the resume that brings held back to 0 */
		rx->http_paused = true;
	}
	pthread_mutex_unlock(&rx->mu);
	return paused;
}

int transport_rx_replyto(const transport_rx_t *rx, const tframe_hdr_t *h, transport_replyto_t *to)
{
	bool wants = h->opcode == TFRAME_OP_REQ || (h->opcode == TFRAME_OP_OBJ && (h->flags & TFRAME_F_REPLY));
	if (!wants || !h->id || !rx->url[0])
		return AIS_EINVAL;
	snprintf(to->url, sizeof(to->url), "%s", rx->url);
	snprintf(to->sid, sizeof(to->sid), "%s", h->sid ? h->sid : rx->sid);
	to->id = h->id;
	return 0;
}

/* the transport answers for the handler (refusals, missing request handler) */
static void trx_autoreply(transport_rx_t *rx, const tframe_hdr_t *h, int status, const char *what)
{
	transport_replyto_t to;
	if (transport_rx_replyto(rx, h, &to))
		return;
	char msg[TFRAME_MSG_MAX + 1];
	snprintf(msg, sizeof(msg), "%s %s: %s", rx->e->trname, what, err_str(status));
	transport_reply(rx->ep, &to, status, msg);
}

static int trx_pause_rc(int rc) { return rc == TRANSPORT_PAUSE ? TRANSPORT_PAUSE : 0; }

/* the open object ends: on_end, then (for a response) its request completes */
static int trx_finish(transport_rx_t *rx, int status)
{
	rx->open = false;
	uint64_t claim = rx->claim;
	rx->claim = 0;
	int rc = rx->e->ops.on_end(rx->ctx, rx, status);
	rx->ctx = NULL;
	if (claim)
		tp_await_finish(rx->ep, claim, status);
	return trx_pause_rc(rc);
}

static int trx_begin(transport_rx_t *rx)
{
	const tframe_hdr_t *h = tframe_dec_hdr(rx->dec);
	tp_entry_t *e = rx->e;
	if (atomic_load(&e->dead)) {
		snprintf(rx->errmsg, sizeof(rx->errmsg), "transport stream %s was unregistered", e->trname);
		return AIS_EUNAVAIL;
	}
	if (e->replies != (h->opcode == TFRAME_OP_REPLY)) {
		snprintf(rx->errmsg, sizeof(rx->errmsg), "transport stream %s: unexpected opcode %u", e->trname,
			 h->opcode);
		return AIS_EINVAL;
	}
	if (e->replies) {
		if (!tp_await_reply(rx->ep, h->corr, h->status, h->msg))
			log_dbg("transport: reply from %s for %llu: nobody waits (timed out?)", h->sid,
				(unsigned long long)h->corr);
		return 0;
	}
	rx->obj_status = 0;
	if (h->opcode == TFRAME_OP_REQ) {
		if (!e->ops.on_request) {
			trx_autoreply(rx, h, AIS_ENOTIMPL, "request");
			return 0;
		}
		int rc = e->ops.on_request(e->arg, rx, h);
		if (rc < 0)
			trx_autoreply(rx, h, rc, "request");
		return trx_pause_rc(rc);
	}
	uint64_t claim = 0;
	if (h->flags & TFRAME_F_RESPONSE) {
		if (!tp_await_claim(rx->ep, h->corr)) { /* late (timed out) or duplicate: drop it */
			log_dbg("transport %s: response to %llu from %s: nobody waits", e->trname,
				(unsigned long long)h->corr, h->sid);
			return 0;
		}
		claim = h->corr;
	}
	void *ctx = NULL;
	int rc = e->ops.on_begin(e->arg, rx, h, &ctx);
	if (rc < 0) {
		if (h->flags & TFRAME_F_REPLY)
			trx_autoreply(rx, h, rc, "object refused");
		if (claim)
			tp_await_finish(rx->ep, claim, rc);
		return 0; /* the payload is skipped */
	}
	rx->open = true;
	rx->ctx = ctx;
	rx->claim = claim;
	return trx_pause_rc(rc);
}

static int trx_data(transport_rx_t *rx, const uint8_t *p, size_t n)
{
	rx->bytes += n;
	atomic_fetch_add(&rx->ep->rx_bytes, n);
	if (!rx->open || rx->obj_status)
		return 0;
	int rc = rx->e->ops.on_data(rx->ctx, rx, p, n);
	if (rc < 0) {
		rx->obj_status = rc;
		return 0;
	}
	return trx_pause_rc(rc);
}

static int trx_end(transport_rx_t *rx)
{
	if (!rx->e->replies) {
		rx->objs++;
		atomic_fetch_add(&rx->ep->rx_objs, 1);
	}
	if (!rx->open)
		return 0;
	return trx_finish(rx, rx->obj_status);
}

/* decode and dispatch p[0..n): 0 (all of it consumed), TRANSPORT_PAUSE (*used consumed), AIS_E* */
static int trx_run(transport_rx_t *rx, const uint8_t *p, size_t n, size_t *used)
{
	size_t off = 0;
	for (;;) {
		size_t k = 0;
		tframe_ev_t ev;
		int rc = tframe_dec_next(rx->dec, p + off, n - off, &k, &ev);
		off += k;
		if (rc) {
			snprintf(rx->errmsg, sizeof(rx->errmsg), "%s", tframe_dec_err(rx->dec));
			return rc;
		}
		switch (ev.type) {
		case TFRAME_EV_NONE:
			*used = off;
			return 0;
		case TFRAME_EV_BEGIN:
			rc = trx_begin(rx);
			break;
		case TFRAME_EV_DATA:
			rc = trx_data(rx, ev.data, ev.len);
			break;
		case TFRAME_EV_END:
			rc = trx_end(rx);
			break;
		}
		if (rc < 0)
			return rc;
		if (rc == TRANSPORT_PAUSE && trx_hold(rx)) {
			*used = off;
			return TRANSPORT_PAUSE;
		}
	}
}

static int trx_data_cb(http_req_t *r, const char *data, size_t len)
{
	transport_rx_t *rx = r->user;
	const uint8_t *p = (const uint8_t *)data;
	size_t n = len, used = 0;
	bool replay = !data && !len; /* the resume: what was left when we paused comes first */
	if (replay) {
		pthread_mutex_lock(&rx->mu);
		rx->http_paused = false;
		pthread_mutex_unlock(&rx->mu);
		p = rx->stash ? rx->stash : (const uint8_t *)"";
		n = rx->stash_len;
	}
	int rc = trx_run(rx, p, n, &used);
	if (rc < 0)
		return rc;
	if (rc != TRANSPORT_PAUSE) {
		rx->stash_len = 0;
		return 0;
	}
	size_t rest = n - used;
	if (replay) {
		if (rest) /* no stash at all when the pause left nothing unread */
			memmove(rx->stash, rx->stash + used, rest);
	} else if (rest) {
		if (rx->stash_cap < rest) {
			uint8_t *ns = realloc(rx->stash, rest);
			if (!ns) {
				snprintf(rx->errmsg, sizeof(rx->errmsg), "out of memory");
				return AIS_ENOMEM;
			}
			rx->stash = ns;
			rx->stash_cap = rest;
		}
		memcpy(rx->stash, p + used, rest);
	}
	rx->stash_len = rest;
	return HTTP_DATA_PAUSE;
}

static void trx_end_cb(http_req_t *r, int status)
{
	transport_rx_t *rx = r->user;
	if (!status && !tframe_dec_idle(rx->dec)) {
		status = AIS_EIO;
		snprintf(rx->errmsg, sizeof(rx->errmsg), "stream ended inside a frame");
	}
	pthread_mutex_lock(&rx->mu);
	rx->http_done = true;
	bool now = false;
	if (rx->open && status) {
		if (rx->held > 0) {
			rx->deferred = true; /* after the handler's resume */
			rx->deferred_status = status;
		} else {
			now = true;
		}
	}
	pthread_mutex_unlock(&rx->mu);
	if (now && trx_finish(rx, status) == TRANSPORT_PAUSE)
		trx_hold(rx);
	if (!status) {
		char body[160];
		int n = snprintf(body, sizeof(body), "%llu objects, %llu bytes\n", (unsigned long long)rx->objs,
				 (unsigned long long)rx->bytes);
		http_respond(r, 200, "text/plain", body, (size_t)n);
	} else {
		/* a server going down (EUNAVAIL) is not news; a cut or refused stream is */
		log_write(status == AIS_EUNAVAIL && !rx->errmsg[0] ? LOG_INFO : LOG_WARN, __FILE__, __LINE__,
			  "transport %s from %s: %s (%s)", rx->e->trname, rx->sid,
			  rx->errmsg[0] ? rx->errmsg : "stream cut", err_str(status));
		http_error_code(r, status, "transport stream %s from %s: %s", rx->e->trname, rx->sid,
				rx->errmsg[0] ? rx->errmsg : err_str(status));
	}
	r->user = NULL;
	trx_unref(rx);
}

void transport_rx_resume(transport_rx_t *rx)
{
	pthread_mutex_lock(&rx->mu);
	bool drop = rx->held-- == 1, deferred = false;
	if (drop) {
		if (!rx->http_done) {
			if (rx->http_paused)
				http_stream_resume(rx->r); /* the request is still ours: http_done is false */
		} else if (rx->deferred) {
			deferred = true;
			rx->deferred = false;
		}
	}
	pthread_mutex_unlock(&rx->mu);
	if (deferred && rx->open && trx_finish(rx, rx->deferred_status) == TRANSPORT_PAUSE)
		trx_hold(rx);
	if (drop)
		trx_unref(rx);
}

void transport_ep_serve(transport_ep_t *ep, http_req_t *r)
{
	const char *p = r->path + strlen(TRANSPORT_PATH);
	while (*p == '/')
		p++;
	if (r->method != HTTP_M_PUT) {
		http_error(r, 405, NULL, "transport: invalid method %s (streams are PUT)", r->method_str);
		return;
	}
	if (!tp_trname_ok(p, true)) {
		atomic_fetch_add(&ep->rx_refused, 1);
		http_error(r, 400, NULL, "transport: invalid stream name in %s", r->path);
		return;
	}
	const char *proto = http_hdr_get(r, "Ais-Transport-Proto");
	if (proto && atoi(proto) != TFRAME_PROTO) {
		atomic_fetch_add(&ep->rx_refused, 1);
		http_error(r, 400, NULL, "transport: unsupported stream protocol version %s (this node speaks %d)", proto,
			   TFRAME_PROTO);
		return;
	}
	const char *sid = http_hdr_get(r, "Ais-Transport-Sid");
	const char *url = http_hdr_get(r, "Ais-Transport-Reply-Url");
	if ((sid && strlen(sid) > TFRAME_SID_MAX) || (url && strlen(url) >= TRANSPORT_URL_MAX)) {
		atomic_fetch_add(&ep->rx_refused, 1);
		http_error(r, 400, NULL, "transport: sender id or reply URL too long");
		return;
	}
	tp_entry_t *e = tp_entry_get(ep, p);
	if (!e || atomic_load(&e->dead)) {
		if (e)
			tp_entry_put(ep, e);
		atomic_fetch_add(&ep->rx_refused, 1);
		http_error(r, 404, NULL, "transport: no receiver for stream %s on %s", p, ep->node_id);
		return;
	}
	transport_rx_t *rx = calloc(1, sizeof(*rx));
	if (rx)
		rx->dec = tframe_dec_new(ep->max_hdr);
	if (!rx || !rx->dec) {
		free(rx);
		tp_entry_put(ep, e);
		http_error(r, 500, NULL, "transport: out of memory");
		return;
	}
	rx->ep = ep;
	rx->e = e;
	rx->r = r;
	rx->refs = 1; /* the request's; end_cb drops it */
	snprintf(rx->sid, sizeof(rx->sid), "%s", sid ? sid : "");
	snprintf(rx->url, sizeof(rx->url), "%s", url ? url : "");
	pthread_mutex_init(&rx->mu, NULL);
	atomic_fetch_add(&ep->live_rx, 1);
	atomic_fetch_add(&ep->rx_streams, 1);
	r->user = rx;
	http_body_long_lived(r); /* frames come when there is work: the sender tears down idle streams */
	http_stream_body(r, trx_data_cb, trx_end_cb);
}

int transport_rx_append(void *buf, size_t cap, size_t *len, const void *data, size_t n)
{
	if (!n)
		return 0;
	if (n > cap - *len)
		return AIS_EINVAL;
	memcpy((char *)buf + *len, data, n);
	*len += n;
	return 0;
}

int transport_rx_whole(size_t cap, size_t len, int status) { return !status && len != cap ? AIS_EIO : status; }
