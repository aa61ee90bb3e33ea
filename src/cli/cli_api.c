/* cli_api: the CLI's requests to the cluster: URL paths and bucket query parameters as
 * AIStore's Go API builds them, JSON GETs (uint64-safe), the cluster map and node lookups,
 * and AIStore-style reporting of failures ("Error: <node's message>", or the "AIStore cannot
 * be reached" text for connection errors). */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_api_fail(cli_ctx_t *c, const cli_req_t *r)
{
	char msg[1024];
	bool unreachable = false;
	cli_req_errmsg(r, msg, sizeof(msg), &unreachable);
	if (unreachable)
		return cli_err(c,
			       "AIStore cannot be reached at %s\nMake sure that environment 'AIS_ENDPOINT' has the address "
			       "of any AIS gateway (proxy).\n(%s)",
			       r->base ? r->base : c->endpoint, msg);
	return cli_err(c, "%s", msg);
}

int cli_api_do(cli_ctx_t *c, cli_req_t *r)
{
	if (cli_http_do(&c->http, r))
		return cli_api_fail(c, r);
	return 0;
}

json_t *cli_api_get_json(cli_ctx_t *c, const char *base, const char *path, const char *query, bool quiet)
{
	cli_req_t r = {.method = "GET", .base = base, .path = path, .query = query, .fd = -1, .timeout_ms = 30000};
	json_t *j = NULL;
	if (cli_http_do(&c->http, &r)) {
		if (!quiet)
			cli_api_fail(c, &r);
		goto out;
	}
	json_error_t jerr;
	j = jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &jerr);
	if (!j && !quiet)
		cli_err(c, "GET %s: invalid JSON in response: %s", path, jerr.text);
out:
	cli_req_fini(&r);
	return j;
}

void cli_api_bck_query(const cli_bck_t *b, sbuf_t *q)
{
	char ns[160];
	sbuf_addf(q, "provider=%s", b->provider[0] ? b->provider : "ais");
	if (cli_uri_ns(b, ns, sizeof(ns))[0]) {
		char *e = url_encode(ns, false);
		sbuf_addf(q, "&namespace=%s", e ? e : "");
		free(e);
	}
}

void cli_api_bck_path(const cli_bck_t *b, sbuf_t *p)
{
	sbuf_addf(p, "/v1/buckets/%s", b->name);
}

void cli_api_obj_path(const cli_bck_t *b, const char *obj, sbuf_t *p)
{
	char *e = url_encode(obj, true);
	sbuf_addf(p, "/v1/objects/%s/%s", b->name, e ? e : "");
	free(e);
}

json_t *cli_api_smap(cli_ctx_t *c)
{
	return cli_api_get_json(c, NULL, "/v1/cluster", "what=smap", false);
}

json_t *cli_api_smap_node(const json_t *smap, const char *id, bool *is_proxy)
{
	char sid[128];
	size_t l = strlen(id);
	/* accept "t[ID]" / "p[ID]" as well as the bare ID */
	if (l > 3 && (id[0] == 't' || id[0] == 'p') && id[1] == '[' && id[l - 1] == ']')
		snprintf(sid, sizeof(sid), "%.*s", (int)(l - 3), id + 2);
	else
		snprintf(sid, sizeof(sid), "%s", id);
	json_t *n = json_object_get(json_object_get(smap, "pmap"), sid);
	if (n) {
		if (is_proxy)
			*is_proxy = true;
		return n;
	}
	n = json_object_get(json_object_get(smap, "tmap"), sid);
	if (n && is_proxy)
		*is_proxy = false;
	return n;
}

const char *cli_api_sname(const char *id, bool proxy, char *out, size_t cap)
{
	snprintf(out, cap, "%c[%s]", proxy ? 'p' : 't', id);
	return out;
}

const char *cli_api_node_url(const json_t *snode)
{
	const char *u = json_string_value(json_object_get(json_object_get(snode, "public_net"), "direct_url"));
	return u ? u : "";
}

int cli_api_head_bck(cli_ctx_t *c, const cli_bck_t *b, json_t **props)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	cli_req_t r = {.method = "HEAD", .head = true, .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = -1,
		       .timeout_ms = 30000};
	int rc = 0;
	char cn[300];
	if (cli_http_do(&c->http, &r)) {
		if (r.status == 404)
			rc = cli_err(c, "bucket \"%s\" does not exist", cli_uri_cname(b, NULL, cn, sizeof(cn)));
		else
			rc = cli_api_fail(c, &r);
		goto out;
	}
	if (props) {
		char *v = malloc(1 << 16);
		json_error_t jerr;
		*props = v && cli_req_hdr(&r, "Ais-Bucket-Props", v, 1 << 16) ? jsonx_loadb(v, strlen(v), &jerr) : NULL;
		if (!*props)
			*props = json_object();
		free(v);
	}
out:
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}
