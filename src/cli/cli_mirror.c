/* cli_mirror: `ais start mirror BUCKET --copies N` (AIStore's setCopiesHandler, cmd/cli/cli/
 * bencodeway_hdlr.go): HEAD the bucket, nothing to do when it already is that mirror, else
 * POST make-n-copies and print the job (or only its ID with --non-verbose). Erasure coding
 * (`ais start ec-encode`) is not built: its command answers the cluster's 501. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_uri.h"
#include "core/jsonx.h"
#include "core/sbuf.h"

/* POST {"action":"make-n-copies","value":N}; the job ID into xid */
static int mir_post(cli_ctx_t *c, const cli_bck_t *b, int64_t copies, char *xid, size_t cap)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	json_t *msg = json_pack("{s:s, s:I}", "action", "make-n-copies", "value", (json_int_t)copies);
	char *body = msg ? jsonx_dumps(msg) : NULL;
	cli_req_t r = {.method = "POST", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
		       .body_len = body ? strlen(body) : 0, .fd = -1, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	if (!rc)
		snprintf(xid, cap, "%.*s", (int)r.resp.len, r.resp.p ? r.resp.p : "");
	cli_req_fini(&r);
	json_decref(msg);
	free(body);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

int cli_mirror_start(cli_ctx_t *c)
{
	cli_bck_t b;
	char err[512], cn[512], xid[128] = "";
	int64_t copies = 1;
	json_t *props = NULL;
	if (c->nargs != 1)
		return cli_args_usage_err(c, c->nargs ? "too many arguments" : "missing bucket name");
	if (cli_uri_parse(c->args[0], &b, NULL, 0, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!b.name[0])
		return cli_err(c, "missing bucket name: \"%s\"", c->args[0]);
	if (!cli_flag_str(c, "copies", NULL))
		return cli_args_usage_err(c, "required flag \"copies\" not set");
	if (cli_flag_int(c, "copies", 1, &copies))
		return 1;
	if (!b.provider[0])
		snprintf(b.provider, sizeof(b.provider), "ais");
	if (cli_api_head_bck(c, &b, &props))
		return 1;
	json_t *m = json_object_get(props, "mirror");
	int64_t cur = json_integer_value(json_object_get(m, "copies"));
	bool on = json_is_true(json_object_get(m, "enabled"));
	json_decref(props);
	cli_uri_cname(&b, NULL, cn, sizeof(cn));
	if (cur == copies && copies > 1 && on) {
		printf("%s is already %lld-way mirror, nothing to do\n", cn, (long long)copies);
		return 0;
	}
	if (cur == copies && copies < 2) {
		printf("%s is already configured with no redundancy, nothing to do\n", cn);
		return 0;
	}
	if (mir_post(c, &b, copies, xid, sizeof(xid)))
		return 1;
	if (cli_flag(c, "non-verbose")) {
		printf("%s\n", xid);
		return 0;
	}
	if (copies > 1)
		printf("Configured %s as %lld-way mirror. To monitor the progress, run 'ais show job %s'\n", cn,
		       (long long)copies, xid);
	else
		printf("Configured %s for single-replica (no redundancy). To monitor the progress, run 'ais show job %s'\n",
		       cn, xid);
	return 0;
}
