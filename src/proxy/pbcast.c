/* pbcast: one prepared fan-out round from a proxy to nodes' control URLs (see pbcast.h). */
#include "proxy/pbcast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"

int pbcast_timeout_ms(int min_ms)
{
	const config_t *c = config_get();
	int64_t ms = c && c->max_keepalive_ns > 0 ? c->max_keepalive_ns / 1000000 : 4000;
	config_put(c);
	return ms < min_ms ? min_ms : (int)ms;
}

static bool pbcast_wanted(const snode_t *t, const char *ids, size_t stride, int nids)
{
	if (!ids)
		return !(t->flags & (SNODE_MAINT | SNODE_DECOMM));
	for (int k = 0; k < nids; k++)
		if (!strcmp(ids + (size_t)k * stride, t->id))
			return true;
	return false;
}

static void pbcast_add(pbcast_t *bc, const snode_t *nd)
{
	snprintf(bc->tid[bc->n], sizeof(bc->tid[bc->n]), "%s", nd->id);
	bc->url[bc->n] = (sbuf_t)SBUF_INIT;
	sbuf_adds(&bc->url[bc->n], nd->ctl.url);
	bc->n++;
}

int pbcast_init(pbcast_t *bc, const char *ids, size_t stride, int nids, bool proxies)
{
	memset(bc, 0, sizeof(*bc));
	smap_t *m = smap_get();
	int cap = m ? m->ntargets + (proxies ? m->nproxies : 0) : 0;
	if (!cap) {
		smap_put(m);
		return 0;
	}
	bc->q = calloc((size_t)cap, sizeof(*bc->q));
	bc->url = calloc((size_t)cap, sizeof(*bc->url));
	bc->tid = calloc((size_t)cap, sizeof(*bc->tid));
	if (!bc->q || !bc->url || !bc->tid) {
		smap_put(m);
		pbcast_fini(bc);
		return AIS_ENOMEM;
	}
	for (int i = 0; i < m->ntargets; i++)
		if (pbcast_wanted(&m->targets[i], ids, stride, nids))
			pbcast_add(bc, &m->targets[i]);
	bc->nt = bc->n;
	for (int i = 0; proxies && i < m->nproxies; i++)
		pbcast_add(bc, &m->proxies[i]);
	smap_put(m);
	return 0;
}

void pbcast_run(pbcast_t *bc, const char *method, const char *path_query, const char *body, size_t len,
		int timeout_ms)
{
	for (int i = 0; i < bc->n; i++) {
		sbuf_adds(&bc->url[i], path_query);
		bc->q[i] = (hreq_t){.method = method, .url = sbuf_str(&bc->url[i]), .body = len ? body : NULL,
				    .body_len = len, .timeout_ms = timeout_ms};
	}
	if (bc->n)
		hclient_fanout(bc->q, bc->n);
}

void pbcast_fini(pbcast_t *bc)
{
	for (int i = 0; i < bc->n; i++) {
		hreq_fini(&bc->q[i]);
		sbuf_fini(&bc->url[i]);
	}
	free(bc->q);
	free(bc->url);
	free(bc->tid);
	memset(bc, 0, sizeof(*bc));
}

void pbcast_relay_err(http_req_t *r, const pbcast_t *bc, int i)
{
	const hreq_t *q = &bc->q[i];
	if (q->rc)
		http_error(r, 503, NULL, "%s: failed to reach t[%s]: %s", node_name(), bc->tid[i], q->errmsg);
	else
		http_respond(r, q->status, "application/json", q->resp.p, q->resp.len);
}
