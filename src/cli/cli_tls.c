/* cli_tls: `ais tls show [NODE_ID]` (also `ais show tls`) - the X.509 certificate a node serves
 * (GET /v1/daemon?what=certificate, AIStore's certloader.Props), and `ais tls load-certificate
 * [NODE_ID]` - every node (or the one named) re-reads its certificate (PUT
 * /v1/cluster/load-x509[/NODE_ID], AIStore's api.LoadX509Cert). Must not: talk TLS itself (the
 * client's https settings are cli_http's). */
#include "cli/cli.h"
#include "cli/cli_http.h"
#include "cli/cli_tab.h"
#include "core/sbuf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the node's public URL for NODE_ID, or NULL (the endpoint) without one; 1 on error (printed) */
static int tls_node_base(cli_ctx_t *c, const char *id, char *out, size_t cap, const char **base)
{
	*base = NULL;
	if (!id)
		return 0;
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return 1;
	bool px = false;
	json_t *n = cli_api_smap_node(smap, id, &px);
	if (!n) {
		json_decref(smap);
		return cli_err(c, "node %s does not exist (see 'ais show cluster')", id);
	}
	snprintf(out, cap, "%s", cli_api_node_url(n));
	json_decref(smap);
	*base = out;
	return 0;
}

int cli_tls_show(cli_ctx_t *c)
{
	if (c->nargs > 1)
		return cli_args_usage_err(c, "expecting at most one NODE_ID");
	char url[300];
	const char *base;
	if (tls_node_base(c, c->nargs ? c->args[0] : NULL, url, sizeof(url), &base))
		return 1;
	json_t *v = cli_api_get_json(c, base, "/v1/daemon", "what=certificate", false);
	if (!v)
		return 1;
	if (cli_flag(c, "json")) {
		cli_out_json(c, v);
		json_decref(v);
		return 0;
	}
	static const char *const order[] = {"public-key-algorithm", "serial-number", "signature-algorithm", "valid",
					    "version", "issued-by (CN)", "warning", "error", NULL};
	sbuf_t t = SBUF_INIT, out = SBUF_INIT;
	sbuf_adds(&t, "PROPERTY\t VALUE\n");
	for (int i = 0; order[i]; i++) {
		const char *s = json_string_value(json_object_get(v, order[i]));
		if (s)
			sbuf_addf(&t, "%s\t %s\n", order[i], s);
	}
	cli_tab_render(t.p, t.len, &out);
	fwrite(out.p, 1, out.len, stdout);
	sbuf_fini(&t);
	sbuf_fini(&out);
	json_decref(v);
	return 0;
}

int cli_tls_load(cli_ctx_t *c)
{
	if (c->nargs > 1)
		return cli_args_usage_err(c, "expecting at most one NODE_ID");
	sbuf_t path = SBUF_INIT;
	sbuf_adds(&path, "/v1/cluster/load-x509");
	if (c->nargs) {
		json_t *smap = cli_api_smap(c);
		bool px = false;
		json_t *n = smap ? cli_api_smap_node(smap, c->args[0], &px) : NULL;
		const char *id = n ? json_string_value(json_object_get(n, "daemon_id")) : NULL;
		if (smap && !id) {
			json_decref(smap);
			sbuf_fini(&path);
			return cli_err(c, "node %s does not exist (see 'ais show cluster')", c->args[0]);
		}
		if (!smap) {
			sbuf_fini(&path);
			return 1;
		}
		sbuf_addf(&path, "/%s", id);
		json_decref(smap);
	}
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&path), .fd = -1, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	if (!rc)
		printf("Done: %s.\n", c->nargs ? c->args[0] : "all nodes");
	cli_req_fini(&r);
	sbuf_fini(&path);
	return rc;
}
