/* transport_ep: the endpoint of a node: trname registry (refcounted entries, so a handler lives
 * until its last incoming stream ends), frame ids, the table of frames awaiting an answer (reply
 * or response), the shared streams it opens to peers for replies and responses, and the node's
 * default endpoint with its route. Must not do network I/O itself (streams do).
 * Invariants: an awaited item is in the hash exactly while nobody has completed it; it is on
 * its stream's pend list (armed: written, clock running) or claimed list (a response is being
 * received) or on neither (frame not yet written); completion moves it to the stream's done
 * list under pmu then s->mu. Ids start at a random point so that a restarted node does not
 * reuse the ids a peer may still answer. */
#include "transport/transport_int.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "net/route.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- names, ids */

bool tp_trname_ok(const char *t, bool allow_reserved)
{
	size_t n = t ? strlen(t) : 0;
	if (!n || n > TRANSPORT_TRNAME_MAX || (t[0] == '_' && !allow_reserved))
		return false;
	if (!strcmp(t, ".") || !strcmp(t, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

uint64_t tp_next_id(transport_ep_t *ep)
{
	uint64_t id;
	do
		id = atomic_fetch_add(&ep->next_id, 1);
	while (!id);
	return id;
}

/* ---------------------------------------------------------------- endpoint */

static void tp_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static tp_entry_t *tp_entry_new(const char *trname, const transport_rx_ops_t *ops, void *arg, bool replies)
{
	tp_entry_t *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	tp_copy(e->trname, sizeof(e->trname), trname);
	if (ops)
		e->ops = *ops;
	e->arg = arg;
	e->refs = 1;
	e->replies = replies;
	atomic_init(&e->dead, false);
	return e;
}

transport_ep_t *transport_ep_new(const transport_ep_cfg_t *cfg)
{
	if (!cfg || !cfg->node_id || !*cfg->node_id || strlen(cfg->node_id) > TFRAME_SID_MAX ||
	    (cfg->reply_url && strlen(cfg->reply_url) >= TRANSPORT_URL_MAX))
		return NULL;
	transport_ep_t *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	tp_copy(ep->node_id, sizeof(ep->node_id), cfg->node_id);
	tp_copy(ep->reply_url, sizeof(ep->reply_url), cfg->reply_url);
	ep->idle_ms = cfg->idle_ms > 0 ? cfg->idle_ms : TP_DEF_IDLE_MS;
	ep->burst = cfg->burst > 0 ? cfg->burst : TP_DEF_BURST;
	ep->reply_ms = cfg->reply_timeout_ms > 0 ? cfg->reply_timeout_ms : TP_DEF_REPLY_MS;
	ep->max_hdr = cfg->max_hdr && cfg->max_hdr < TFRAME_HDR_MAX ? cfg->max_hdr : TFRAME_HDR_MAX;
	pthread_mutex_init(&ep->mu, NULL);
	pthread_mutex_init(&ep->pmu, NULL);
	atomic_init(&ep->next_id, (rand_u64() >> 2) | 1);
	atomic_init(&ep->live_rx, 0);
	atomic_init(&ep->rx_streams, 0);
	atomic_init(&ep->rx_objs, 0);
	atomic_init(&ep->rx_bytes, 0);
	atomic_init(&ep->rx_refused, 0);
	ep->entries = tp_entry_new(TRANSPORT_TRNAME_REPLY, NULL, NULL, true);
	if (!ep->entries) {
		transport_ep_free(ep);
		return NULL;
	}
	return ep;
}

void transport_ep_free(transport_ep_t *ep)
{
	if (!ep)
		return;
	pthread_mutex_lock(&ep->mu);
	ep->closing = true;
	tp_peer_t *peers = ep->peers;
	ep->peers = NULL;
	pthread_mutex_unlock(&ep->mu);
	while (peers) { /* replies and responses still queued go out first */
		tp_peer_t *p = peers;
		peers = p->next;
		tp_stream_close(p->s, false);
		free(p);
	}
	int live = atomic_load(&ep->live_rx);
	if (live)
		log_err("transport: endpoint freed with %d incoming streams alive (a handler never resumed?)", live);
	for (int i = 0; i < TP_PTAB; i++)
		AIS_ASSERT(!ep->ptab[i]); /* every stream was closed: nothing awaits an answer */
	while (ep->entries) {
		tp_entry_t *e = ep->entries;
		ep->entries = e->next;
		if (e->ops.on_release)
			e->ops.on_release(e->arg);
		free(e);
	}
	pthread_mutex_destroy(&ep->mu);
	pthread_mutex_destroy(&ep->pmu);
	free(ep);
}

void transport_ep_rx_stats(transport_ep_t *ep, transport_rx_stats_t *st)
{
	st->streams = atomic_load(&ep->rx_streams);
	st->objs = atomic_load(&ep->rx_objs);
	st->bytes = atomic_load(&ep->rx_bytes);
	st->refused = atomic_load(&ep->rx_refused);
}

/* ---------------------------------------------------------------- registry */

int transport_register(transport_ep_t *ep, const char *trname, const transport_rx_ops_t *ops, void *arg)
{
	if (!tp_trname_ok(trname, false) || !ops || !ops->on_begin || !ops->on_data || !ops->on_end)
		return AIS_EINVAL;
	tp_entry_t *e = tp_entry_new(trname, ops, arg, false);
	if (!e)
		return AIS_ENOMEM;
	pthread_mutex_lock(&ep->mu);
	for (tp_entry_t *x = ep->entries; x; x = x->next) {
		if (!strcmp(x->trname, trname)) {
			pthread_mutex_unlock(&ep->mu);
			free(e);
			return AIS_EEXIST;
		}
	}
	e->next = ep->entries;
	ep->entries = e;
	pthread_mutex_unlock(&ep->mu);
	return 0;
}

int transport_unregister(transport_ep_t *ep, const char *trname)
{
	if (!tp_trname_ok(trname, false))
		return AIS_ENOTFOUND;
	pthread_mutex_lock(&ep->mu);
	tp_entry_t **pp = &ep->entries, *e = NULL;
	for (; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->trname, trname)) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&ep->mu);
	if (!e)
		return AIS_ENOTFOUND;
	atomic_store(&e->dead, true);
	tp_entry_put(ep, e); /* the registry's reference */
	return 0;
}

tp_entry_t *tp_entry_get(transport_ep_t *ep, const char *trname)
{
	pthread_mutex_lock(&ep->mu);
	tp_entry_t *e = ep->entries;
	while (e && strcmp(e->trname, trname))
		e = e->next;
	if (e)
		e->refs++;
	pthread_mutex_unlock(&ep->mu);
	return e;
}

void tp_entry_put(transport_ep_t *ep, tp_entry_t *e)
{
	pthread_mutex_lock(&ep->mu);
	bool last = --e->refs == 0;
	pthread_mutex_unlock(&ep->mu);
	if (!last)
		return;
	if (e->ops.on_release)
		e->ops.on_release(e->arg);
	free(e);
}

/* ---------------------------------------------------------------- awaited answers (pmu) */

static tp_item_t **tp_slot(transport_ep_t *ep, uint64_t id) { return &ep->ptab[id & (TP_PTAB - 1)]; }

static tp_item_t *tp_hash_find(transport_ep_t *ep, uint64_t id)
{
	tp_item_t *it = *tp_slot(ep, id);
	while (it && it->id != id)
		it = it->hnext;
	return it;
}

static void tp_hash_del(transport_ep_t *ep, tp_item_t *it)
{
	tp_item_t **pp = tp_slot(ep, it->id);
	while (*pp && *pp != it)
		pp = &(*pp)->hnext;
	AIS_ASSERT(*pp == it);
	*pp = it->hnext;
	it->hnext = NULL;
	it->in_hash = false;
}

/* unlink from the pend or claimed list, whichever holds it */
static void tp_list_del(tp_item_t *it)
{
	transport_stream_t *s = it->s;
	if (it->dprev)
		it->dprev->dnext = it->dnext;
	else if (s->pend_head == it)
		s->pend_head = it->dnext;
	else if (s->claimed == it)
		s->claimed = it->dnext;
	else
		return; /* on no list */
	if (it->dnext)
		it->dnext->dprev = it->dprev;
	else if (s->pend_tail == it)
		s->pend_tail = it->dprev;
	it->dprev = it->dnext = NULL;
	s->npend--;
}

/* pmu held: take it out of everything and hand it to its stream's done list */
static void tp_complete_locked(transport_ep_t *ep, tp_item_t *it)
{
	tp_hash_del(ep, it);
	tp_list_del(it);
	pthread_mutex_lock(&it->s->mu);
	tp_done_push(it->s, it);
	pthread_mutex_unlock(&it->s->mu);
}

void tp_await_add(transport_ep_t *ep, tp_item_t *it)
{
	pthread_mutex_lock(&ep->pmu);
	tp_item_t **slot = tp_slot(ep, it->id);
	it->hnext = *slot;
	*slot = it;
	it->in_hash = true;
	it->claimed = false;
	it->deadline = INT64_MAX;
	it->dprev = it->dnext = NULL;
	pthread_mutex_unlock(&ep->pmu);
}

void tp_await_arm(transport_ep_t *ep, tp_item_t *it, int64_t now)
{
	transport_stream_t *s = it->s;
	pthread_mutex_lock(&ep->pmu);
	if (it->in_hash && !it->claimed) {
		it->deadline = now + (int64_t)it->reply_ms * 1000000LL;
		tp_item_t *after = s->pend_tail; /* sorted insert from the tail: O(1) for equal timeouts */
		while (after && after->deadline > it->deadline)
			after = after->dprev;
		it->dprev = after;
		it->dnext = after ? after->dnext : s->pend_head;
		if (it->dnext)
			it->dnext->dprev = it;
		else
			s->pend_tail = it;
		if (after)
			after->dnext = it;
		else
			s->pend_head = it;
		s->npend++;
	}
	pthread_mutex_unlock(&ep->pmu);
}

bool tp_await_unlink_unsent(transport_ep_t *ep, tp_item_t *it)
{
	pthread_mutex_lock(&ep->pmu);
	bool ours = it->in_hash;
	if (ours) {
		tp_hash_del(ep, it);
		tp_list_del(it);
	}
	pthread_mutex_unlock(&ep->pmu);
	return ours;
}

bool tp_await_reply(transport_ep_t *ep, uint64_t id, int status, const char *msg)
{
	char *m = msg && *msg ? strdup(msg) : NULL;
	pthread_mutex_lock(&ep->pmu);
	tp_item_t *it = tp_hash_find(ep, id);
	if (it) {
		it->rc = status;
		it->replied = true;
		it->msg = m;
		m = NULL;
		tp_complete_locked(ep, it);
	}
	pthread_mutex_unlock(&ep->pmu);
	free(m);
	return it != NULL;
}

bool tp_await_claim(transport_ep_t *ep, uint64_t id)
{
	pthread_mutex_lock(&ep->pmu);
	tp_item_t *it = tp_hash_find(ep, id);
	bool ok = it && it->kind == TP_K_REQ && !it->claimed;
	if (ok) {
		transport_stream_t *s = it->s;
		tp_list_del(it);
		it->claimed = true;
		it->dprev = NULL;
		it->dnext = s->claimed;
		if (s->claimed)
			s->claimed->dprev = it;
		s->claimed = it;
		s->npend++;
	}
	pthread_mutex_unlock(&ep->pmu);
	return ok;
}

void tp_await_finish(transport_ep_t *ep, uint64_t id, int status)
{
	pthread_mutex_lock(&ep->pmu);
	tp_item_t *it = tp_hash_find(ep, id);
	if (it && it->claimed) {
		it->rc = status;
		tp_complete_locked(ep, it);
	}
	pthread_mutex_unlock(&ep->pmu);
}

tp_item_t *tp_await_expire(transport_stream_t *s, int64_t now, bool all)
{
	transport_ep_t *ep = s->ep;
	tp_item_t *out = NULL, **tail = &out;
	pthread_mutex_lock(&ep->pmu);
	while (s->pend_head && (all || s->pend_head->deadline <= now)) {
		tp_item_t *it = s->pend_head;
		tp_hash_del(ep, it);
		tp_list_del(it);
		it->rc = all ? AIS_EUNAVAIL : AIS_ETIMEOUT;
		it->cnext = NULL;
		*tail = it;
		tail = &it->cnext;
	}
	while (all && s->claimed) {
		tp_item_t *it = s->claimed;
		tp_hash_del(ep, it);
		tp_list_del(it);
		it->rc = AIS_EUNAVAIL;
		it->cnext = NULL;
		*tail = it;
		tail = &it->cnext;
	}
	pthread_mutex_unlock(&ep->pmu);
	return out;
}

int64_t tp_await_next_deadline(transport_stream_t *s)
{
	pthread_mutex_lock(&s->ep->pmu);
	int64_t d = s->pend_head ? s->pend_head->deadline : INT64_MAX;
	pthread_mutex_unlock(&s->ep->pmu);
	return d;
}

int tp_await_count(transport_stream_t *s)
{
	pthread_mutex_lock(&s->ep->pmu);
	int n = s->npend;
	pthread_mutex_unlock(&s->ep->pmu);
	return n;
}

/* ---------------------------------------------------------------- shared peer streams */

int tp_peer_stream(transport_ep_t *ep, const char *url, const char *trname, transport_stream_t **out)
{
	int rc = 0;
	pthread_mutex_lock(&ep->mu);
	if (ep->closing) {
		rc = AIS_EUNAVAIL;
		goto out;
	}
	tp_peer_t *p = ep->peers;
	while (p && (strcmp(p->url, url) || strcmp(p->trname, trname)))
		p = p->next;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			rc = AIS_ENOMEM;
			goto out;
		}
		transport_opts_t o = {0};
		if (!strcmp(trname, TRANSPORT_TRNAME_REPLY))
			o.burst = TP_REPLY_BURST;
		rc = tp_stream_new(ep, url, trname, &o, true, &p->s);
		if (rc) {
			free(p);
			goto out;
		}
		tp_copy(p->url, sizeof(p->url), url);
		tp_copy(p->trname, sizeof(p->trname), trname);
		p->next = ep->peers;
		ep->peers = p;
	}
	*out = p->s;
out:
	pthread_mutex_unlock(&ep->mu);
	return rc;
}

int transport_shared(transport_ep_t *ep, const char *url, const char *trname, transport_stream_t **out)
{
	*out = NULL;
	if (!url || strlen(url) >= TRANSPORT_URL_MAX || !tp_trname_ok(trname, false))
		return AIS_EINVAL;
	return tp_peer_stream(ep, url, trname, out);
}

/* ---------------------------------------------------------------- answers */

int transport_reply(transport_ep_t *ep, const transport_replyto_t *to, int status, const char *msg)
{
	if (!to || !to->id || !to->url[0])
		return AIS_EINVAL;
	char m[TFRAME_MSG_MAX + 1];
	tp_copy(m, sizeof(m), msg);
	tframe_hdr_t h = {.opcode = TFRAME_OP_REPLY, .corr = to->id, .sid = ep->node_id, .size = -1,
			  .status = status, .msg = m};
	int rc;
	tp_item_t *it = tp_item_new(&h, ep->max_hdr, &rc);
	if (!it)
		return rc;
	it->kind = TP_K_REPLY;
	transport_stream_t *s;
	rc = tp_peer_stream(ep, to->url, TRANSPORT_TRNAME_REPLY, &s);
	if (!rc)
		rc = tp_enqueue(s, it, false);
	if (rc) {
		log_warn("transport: reply to %s (%s) for %llu dropped: %s", to->sid, to->url,
			 (unsigned long long)to->id, err_str(rc));
		tp_item_free(it);
	}
	return rc;
}

int transport_respond(transport_ep_t *ep, const transport_replyto_t *to, const char *trname, transport_obj_t *o)
{
	if (!to || !to->id || !to->url[0] || !tp_trname_ok(trname, false))
		return AIS_EINVAL;
	transport_stream_t *s;
	int rc = tp_peer_stream(ep, to->url, trname, &s);
	if (rc)
		return rc;
	o->hdr.flags |= TFRAME_F_RESPONSE;
	o->hdr.corr = to->id;
	return transport_send(s, o);
}

/* ---------------------------------------------------------------- the node's endpoint */

static transport_ep_t *tp_node_ep; /* set before the server starts, cleared after it stopped */

static void tp_route_cb(http_req_t *r)
{
	if (!tp_node_ep) {
		http_error(r, 503, NULL, "transport: not initialized");
		return;
	}
	transport_ep_serve(tp_node_ep, r);
}

int transport_init(const char *node_id, const char *reply_url, int burst)
{
	transport_ep_cfg_t cfg = {.node_id = node_id, .reply_url = reply_url, .burst = burst};
	tp_node_ep = transport_ep_new(&cfg);
	if (!tp_node_ep)
		return AIS_EINVAL;
	/* streams come only from members of the cluster (signed, net/isig.h) */
	route_add_intra(RM(HTTP_M_PUT), TRANSPORT_PATH, tp_route_cb, ROUTE_MEMBER);
	return 0;
}

void transport_fini(void)
{
	transport_ep_free(tp_node_ep);
	tp_node_ep = NULL;
}

transport_ep_t *transport_node(void) { return tp_node_ep; }
