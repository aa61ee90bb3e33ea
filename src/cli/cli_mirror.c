/* cli_mirror: the storage services' start commands (AIStore's cmd/cli/cli/bencodeway_hdlr.go):
 *   `ais start mirror BUCKET --copies N`: HEAD the bucket, nothing to do when it already is that
 *   mirror, else POST make-n-copies and print the job (or only its ID with --non-verbose);
 *   `ais start ec-encode BUCKET -d D -p P [--recover]`: POST ec-encode (D/P default to the
 *   bucket's when EC is on; other D/P of an EC bucket are refused here, as AIStore's CLI does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_uri.h"
#include "core/jsonx.h"
#include "core/sbuf.h"

/* POST msg (consumed) to the bucket; the job ID it answers into xid */
static int bck_job_post(cli_ctx_t *c, const cli_bck_t *b, json_t *msg, char *xid, size_t cap)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
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

/* POST {"action":"make-n-copies","value":N}; the job ID into xid */
static int mir_post(cli_ctx_t *c, const cli_bck_t *b, int64_t copies, char *xid, size_t cap)
{
	return bck_job_post(c, b, json_pack("{s:s, s:I}", "action", "make-n-copies", "value", (json_int_t)copies), xid,
			    cap);
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

/* ais start ec-encode BUCKET -d D -p P [--recover] (AIStore's ecEncodeHandler): the value is the
 * Go client's JSON-encoded ECConfToSet string; recover is the ActMsg name */
static int ec_post(cli_ctx_t *c, const cli_bck_t *b, int64_t d, int64_t p, bool recover, char *xid, size_t cap)
{
	char val[128];
	snprintf(val, sizeof(val), "{\"data_slices\":%lld,\"parity_slices\":%lld,\"enabled\":true}", (long long)d,
		 (long long)p);
	return bck_job_post(
		c, b, json_pack("{s:s, s:s, s:s}", "action", "ec-encode", "value", val, "name", recover ? "recover" : ""),
		xid, cap);
}

int cli_ec_encode_start(cli_ctx_t *c)
{
	cli_bck_t b;
	char err[512], cn[512], xid[128] = "";
	int64_t d = 0, p = 0;
	json_t *props = NULL;
	if (c->nargs != 1)
		return cli_args_usage_err(c, c->nargs ? "too many arguments" : "missing bucket name");
	if (cli_uri_parse(c->args[0], &b, NULL, 0, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!b.name[0])
		return cli_err(c, "missing bucket name: \"%s\"", c->args[0]);
	if (cli_flag_int(c, "data-slices", 0, &d) || cli_flag_int(c, "parity-slices", 0, &p))
		return 1;
	if (!b.provider[0])
		snprintf(b.provider, sizeof(b.provider), "ais");
	if (cli_api_head_bck(c, &b, &props))
		return 1;
	json_t *e = json_object_get(props, "ec");
	bool on = json_is_true(json_object_get(e, "enabled"));
	int64_t cd = json_integer_value(json_object_get(e, "data_slices")), cp = json_integer_value(json_object_get(e, "parity_slices"));
	int64_t lim = json_integer_value(json_object_get(e, "objsize_limit"));
	json_decref(props);
	if (on) {
		d = d ? d : cd;
		p = p ? p : cp;
	}
	if (d < 1 || d > 32)
		return cli_err(c, "invalid number %lld of data slices (valid range: [1, 32])", (long long)d);
	if (p < 1 || p > 32)
		return cli_err(c, "invalid number %lld of parity slices (valid range: [1, 32])", (long long)p);
	cli_uri_cname(&b, NULL, cn, sizeof(cn));
	bool recover = cli_flag(c, "recover"), warned = false;
	if (on && (cd != d || cp != p))
		return cli_err(c, "%s is already (D=%lld, P=%lld) erasure-coded - cannot change this existing configuration to (D=%lld, P=%lld)",
			       cn, (long long)cd, (long long)cp, (long long)d, (long long)p);
	if (on && !recover) {
		if (lim == -1)
			cli_warn(c, "%s is already configured for (P + 1 = %lld copies) - proceeding to run anyway\n", cn, (long long)(p + 1));
		else
			cli_warn(c, "%s is already erasure-coded for (D=%lld, P=%lld) - proceeding to run anyway\n", cn, (long long)d,
				 (long long)p);
		warned = true;
	}
	if (ec_post(c, &b, d, p, recover, xid, sizeof(xid)))
		return 1;
	if (cli_flag(c, "non-verbose")) {
		printf("%s\n", xid);
		return 0;
	}
	if (!warned) {
		if (lim == -1)
			printf("Erasure-coding %s for (P + 1 = %lld copies)", cn, (long long)(p + 1));
		else
			printf("Erasure-coding %s for (D=%lld, P=%lld)", cn, (long long)d, (long long)p);
		printf("%s", recover ? ". Running in recovery mode. " : ". ");
	}
	printf("To monitor the progress, run 'ais show job %s'\n", xid);
	return 0;
}
