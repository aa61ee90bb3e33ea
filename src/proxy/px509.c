/* px509: PUT /v1/cluster/load-x509[/<node ID>] (AIStore's apc.LoadX509, api.LoadX509Cert): every
 * node of the cluster (or the one named) re-reads its X.509 certificate and key
 * (cluster/daemon.h daemon_load_x509) - this proxy itself directly, the others through their
 * PUT /v1/daemon/load-x509. Answers 400 on a plain-HTTP cluster (AIStore's message), 404 for an
 * unknown node, and the first node's failure when one fails (every node is still asked). */
#include "proxy/proxy.h"
#include "cluster/daemon.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "net/hclient.h"
#include "net/route.h"
#include "net/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PX509_TIMEOUT_MS 10000

/* the peers to ask (all but self, or the one named): URLs into urls[], count; -1 unknown node */
static int px509_peers(const smap_t *m, const char *sid, sbuf_t *urls, int cap, bool *self)
{
	int n = 0;
	*self = !sid || !strcmp(sid, node_id());
	for (int k = 0; k < 2; k++) {
		const snode_t *arr = k ? m->targets : m->proxies;
		int cnt = k ? m->ntargets : m->nproxies;
		for (int i = 0; i < cnt && n < cap; i++) {
			if (!strcmp(arr[i].id, node_id()) || (sid && strcmp(arr[i].id, sid)))
				continue;
			sbuf_addf(&urls[n++], "%s/v1/daemon/load-x509", arr[i].pub.url);
		}
	}
	return sid && !*self && !n ? -1 : n;
}

static void px509_put(http_req_t *r)
{
	char buf[256], err[512] = "";
	const char *items[1] = {NULL};
	int ni = route_items(r, "/v1/cluster/load-x509", buf, sizeof(buf), items, 1);
	const char *sid = ni >= 1 && items[0] && *items[0] ? items[0] : NULL;
	if (!tls_on()) {
		http_error(r, 400, NULL, "invalid request to reload X509 certs (running plain HTTP)");
		return;
	}
	smap_t *m = smap_get();
	int cap = m ? m->nproxies + m->ntargets : 0;
	sbuf_t *urls = calloc((size_t)(cap ? cap : 1), sizeof(*urls));
	hreq_t *q = calloc((size_t)(cap ? cap : 1), sizeof(*q));
	bool self = true;
	int n = urls && q && m ? px509_peers(m, sid, urls, cap, &self) : 0;
	smap_put(m);
	if (!urls || !q) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	if (n < 0) {
		http_error(r, 404, NULL, "X.509 load failure: node %s not found", sid);
		goto out;
	}
	int rc = self ? daemon_load_x509(err, sizeof(err)) : 0;
	for (int i = 0; i < n; i++)
		q[i] = (hreq_t){.method = "PUT", .url = sbuf_str(&urls[i]), .timeout_ms = PX509_TIMEOUT_MS};
	hclient_fanout(q, n);
	for (int i = 0; i < n && !rc; i++) {
		if (q[i].rc || q[i].status != 200) {
			snprintf(err, sizeof(err), "X.509 load failure at %s: %s", q[i].url,
				 q[i].rc ? err_str(q[i].rc) : q[i].resp.p ? q[i].resp.p : "");
			rc = q[i].rc ? q[i].rc : AIS_EINVAL;
		}
	}
	if (rc)
		http_error_code(r, rc, "%s", err);
	else
		http_respond(r, 200, NULL, NULL, 0);
out:
	for (int i = 0; q && i < n; i++)
		hreq_fini(&q[i]);
	for (int i = 0; urls && i < cap; i++)
		sbuf_fini(&urls[i]);
	free(urls);
	free(q);
}

static void px509_route(http_req_t *r) { http_defer(r, px509_put); }

int px509_init(void)
{
	route_add(RM(HTTP_M_PUT), "/v1/cluster/load-x509", px509_route);
	return 0;
}
