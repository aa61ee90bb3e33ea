/* pclu: cluster-level queries at the proxy (GET /v1/cluster?what=smap|bmd|config|...), the
 * relay of primary-only requests from a non-primary proxy to the primary (once: a relayed
 * request that reaches a non-primary answers 503, the primary is changing), and set-primary's
 * route (PUT /v1/cluster/proxy/<id>, handled by cluster/primary.c on the primary). */
#include "proxy/proxy.h"
#include "core/jsonx.h"
#include "cluster/bmd.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "cluster/primary.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/sbuf.h"
#include "net/hclient.h"
#include "net/route.h"

#include <stdlib.h>
#include <string.h>

static void pclu_json(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error(r, 500, NULL, "out of memory");
	free(s);
	json_decref(j);
}

static void pclu_get(http_req_t *r)
{
	const char *what = http_query_get(r, "what");
	if (!what || !*what) {
		http_error(r, 400, NULL, "missing 'what' query parameter");
		return;
	}
	if (!strcmp(what, "smap")) {
		smap_t *m = smap_get();
		pclu_json(r, m ? smap_to_json(m) : json_object());
		smap_put(m);
	} else if (!strcmp(what, "bmd")) {
		bmd_t *m = bmd_get();
		pclu_json(r, m ? bmd_to_json(m) : json_object());
		bmd_put(m);
	} else if (!strcmp(what, "config")) {
		const config_t *cfg = config_get();
		pclu_json(r, config_public_json(cfg));
		config_put(cfg);
	} else if (pxact_get(r, what)) {
		/* jobs: status, status_all, qryxstats, running_all (pxact.c) */
	} else if (prbck_get(r, what)) {
		/* attached remote AIS clusters (prbck.c) */
	} else {
		http_error(r, 400, NULL, "invalid GET /v1/cluster request: unrecognized what=%s", what);
	}
}

void pfwd_to_primary(http_req_t *r)
{
	smap_t *m = smap_get();
	const snode_t *p = m ? smap_primary(m) : NULL;
	if (!p) {
		smap_put(m);
		http_error(r, 503, NULL, "primary proxy is not known yet");
		return;
	}
	if (!strcmp(p->id, node_id()) || http_hdr_get(r, "Ais-Caller-Id")) {
		/* relayed once already (or this proxy just stopped leading): the primary is changing
		 * (set-primary between its phases, an election); do not bounce between proxies */
		char ss[160];
		smap_str(m, ss, sizeof(ss));
		smap_put(m);
		http_error(r, 503, NULL, "%s is not primary and the primary is changing (%s): retry", node_name(), ss);
		return;
	}
	sbuf_t url = SBUF_INIT;
	sbuf_addf(&url, "%s%s%s%s", p->pub.url, r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
	smap_put(m);
	char hdrs[NODE_HDRS_MAX];
	node_sender_hdrs(hdrs, sizeof(hdrs));
	hreq_t q = {.method = r->method_str, .url = sbuf_str(&url), .body = r->body, .body_len = r->body_len,
		    .hdrs = hdrs, .timeout_ms = 60000};
	if (!q.body_len)
		q.body = NULL;
	hclient_do(&q);
	if (q.rc)
		http_error(r, 503, NULL, "failed to reach the primary: %s", q.errmsg);
	else
		http_respond(r, q.status, q.resp.len ? "application/json" : NULL, q.resp.p, q.resp.len);
	hreq_fini(&q);
	sbuf_fini(&url);
}

/* PUT /v1/cluster/proxy/<id>[?frc=true&can=URL]: set-primary (cluster/primary.c), on the primary */
static void pclu_setprimary_cb(http_req_t *r)
{
	char buf[256];
	const char *items[1] = {NULL};
	if (route_items(r, "/v1/cluster/proxy", buf, sizeof(buf), items, 1) < 1 || !*items[0] || strchr(items[0], '/')) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/cluster/proxy/<new primary ID>", r->path);
		return;
	}
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return;
	}
	primary_set(r, items[0]);
}

static void pclu_setprimary(http_req_t *r) { http_read_body(r, 1 << 20, pclu_setprimary_cb, true); }

int pobj_init(void);
int pbck_init(void);
int pconf_init(void);
int pxact_init(void);
int pmaint_init(void);
int pelect_init(void);
int px509_init(void);

int proxy_init(void)
{
	preb_init();
	route_add(RM(HTTP_M_GET), "/v1/cluster", pclu_get);
	route_add(RM(HTTP_M_PUT), "/v1/cluster/proxy", pclu_setprimary);
	px509_init();
	pobj_init();
	pbck_init();
	pconf_init();
	pxact_init();
	pmaint_init();
	pml_init();
	prbck_init();
	pjob_init();
	pelect_init();
	ptokens_init();
	return 0;
}
