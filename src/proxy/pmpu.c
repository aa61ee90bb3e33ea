/* pmpu: the proxy's part of chunked objects and multipart uploads. Native MPU requests
 * (/v1/objects with uploadId or {"action":"mpt-*"}) need nothing here: pobj redirects every
 * object request to the owning target (307), which keeps the upload. This file owns the
 * cluster-wide space cleanup trigger, AIStore's api.StartXaction(kind "cleanup-store"):
 *   PUT /v1/cluster {"action":"start","value":{"kind":"cleanup-store",...}}
 * broadcast to every target (PUT /v1/xactions, same body and query) in parallel; answers the
 * job id (text) once all targets are done, or the first target error. */
#include "proxy/proxy.h"
#include "core/jsonx.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pmpu_start(http_req_t *r, json_t *msg)
{
	const char *kind = jsonx_str(json_object_get(msg, "value"), "kind", "");
	if (strcmp(kind, "cleanup-store")) {
		http_error(r, 400, NULL, "%s: starting xaction \"%s\" is not supported", node_name(), kind);
		return;
	}
	smap_t *m = smap_get();
	int n = m ? m->ntargets : 0;
	if (!n) {
		smap_put(m);
		http_error(r, 503, NULL, "no targets in the cluster map (%s)", node_name());
		return;
	}
	hreq_t *q = calloc((size_t)n, sizeof(*q));
	sbuf_t *urls = calloc((size_t)n, sizeof(*urls));
	if (!q || !urls) {
		smap_put(m);
		free(q);
		free(urls);
		http_error(r, 500, NULL, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		urls[i] = (sbuf_t)SBUF_INIT;
		sbuf_addf(&urls[i], "%s/v1/xactions%s%s", m->targets[i].pub.url, r->raw_query[0] ? "?" : "",
			  r->raw_query);
		q[i] = (hreq_t){.method = "PUT", .url = sbuf_str(&urls[i]), .body = r->body, .body_len = r->body_len,
				.timeout_ms = 30 * 60 * 1000};
	}
	smap_put(m);
	hclient_fanout(q, n);
	int bad = -1;
	for (int i = 0; i < n && bad < 0; i++)
		if (q[i].rc || q[i].status != 200)
			bad = i;
	if (bad >= 0) {
		if (q[bad].rc)
			http_error(r, 503, NULL, "space cleanup: target unreachable: %s", q[bad].errmsg);
		else
			http_respond(r, q[bad].status, "application/json", q[bad].resp.p, q[bad].resp.len);
	} else {
		char xid[24];
		gen_uuid(xid, 10);
		log_info("space cleanup %s done on %d target(s)", xid, n);
		http_respond(r, 200, "text/plain", xid, strlen(xid));
	}
	for (int i = 0; i < n; i++) {
		hreq_fini(&q[i]);
		sbuf_fini(&urls[i]);
	}
	free(q);
	free(urls);
}

int pmpu_init(void)
{
	pclu_action_add("start", pmpu_start);
	return 0;
}
