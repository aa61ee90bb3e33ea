/* cli_remote: the `ais` commands of remote buckets, bucket copies and downloads (AIStore CLI's
 * prefetch, evict, bucket cp/mv, start download, blob-download, cluster remote-attach/detach,
 * show remote-cluster). Each job command prints AIStore's "...[ID]. To monitor the progress,
 * run 'ais show job ID'" line, or waits with --wait (--progress: "In progress..." lines).
 * Selection flags of multi-object commands: --list "a,b", --template "x-{0..9}", --prefix or
 * BUCKET/PREFIX. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_fmt.h"
#include "core/jsonx.h"
#include "core/util.h"

/* BUCKET[/OBJ_OR_PREFIX] */
static int rm_bck_arg(cli_ctx_t *c, int i, cli_bck_t *b, char *obj, size_t cap)
{
	char err[512];
	if (i >= c->nargs)
		return cli_args_usage_err(c, "missing bucket name");
	if (cli_uri_parse(c->args[i], b, obj, cap, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!b->name[0])
		return cli_err(c, "missing bucket name: \"%s\"", c->args[i]);
	return 0;
}

/* POST/DELETE base?query with an ActMsg; 0 with the answer text (malloc'd) or 1 (printed) */
static int rm_act(cli_ctx_t *c, const char *method, const char *path, const char *query, json_t *msg, char **answer)
{
	char *body = jsonx_dumps(msg);
	cli_req_t r = {.method = method, .path = path, .query = query, .body = body, .body_len = body ? strlen(body) : 0,
		       .fd = -1, .timeout_ms = 120000};
	int rc = cli_api_do(c, &r);
	if (!rc && answer) {
		*answer = strndup(r.resp.p ? r.resp.p : "", r.resp.len);
		if (*answer) /* text or JSON: no trailing newline */
			(*answer)[strcspn(*answer, "\n")] = '\0';
	}
	cli_req_fini(&r);
	free(body);
	return rc;
}

/* the job started: tell how to watch it, or wait for it */
static int rm_started(cli_ctx_t *c, const char *kind, const char *dname, const char *id, const char *what)
{
	char msg[400];
	snprintf(msg, sizeof(msg), "%s[%s]", dname, id);
	if (cli_flag(c, "wait") || cli_flag_str(c, "timeout", NULL)) {
		printf("%s: %s...\n", msg, what);
		fflush(stdout);
		return cli_job_wait_started(c, kind, id, msg);
	}
	if (cli_flag(c, "non-verbose"))
		printf("%s\n", id);
	else
		printf("%s: %s. To monitor the progress, run 'ais show job %s'\n", msg, what, id);
	return 0;
}

/* send the job's ActMsg (msg: taken) and report the start (rm_started); 0 or 1 (printed) */
static int rm_job(cli_ctx_t *c, const char *method, const char *path, const char *query, json_t *msg,
		  const char *kind, const char *dname, const char *what)
{
	char *id = NULL;
	int rc = rm_act(c, method, path, query, msg, &id);
	if (!rc)
		rc = rm_started(c, kind, dname, id, what);
	free(id);
	json_decref(msg);
	return rc;
}

/* rm_job on bucket b's path and query (+ extra, may be NULL) */
static int rm_bck_job(cli_ctx_t *c, const char *method, const cli_bck_t *b, const char *extra, json_t *msg,
		      const char *kind, const char *dname, const char *what)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	if (extra)
		sbuf_adds(&q, extra);
	int rc = rm_job(c, method, sbuf_str(&p), sbuf_str(&q), msg, kind, dname, what);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

/* --list "a, b,c" as a JSON array of the non-empty names */
static json_t *rm_names(const char *lst)
{
	json_t *a = json_array();
	char buf[8192];
	snprintf(buf, sizeof(buf), "%s", lst);
	char *save = NULL;
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (*p)
			json_array_append_new(a, json_string(p));
	}
	return a;
}

/* a numeric flag (a size: "4mb", at least min; else an integer) into v[key]; 0, or 1 (printed) */
static int rm_num_flag(cli_ctx_t *c, json_t *v, const char *flag, const char *key, bool size, int64_t min)
{
	const char *s = cli_flag_str(c, flag, NULL);
	int64_t n;
	if (!s)
		return 0;
	if (size ? parse_size(s, &n) || n < min : parse_i64(s, &n) != 0)
		return cli_err(c, "invalid --%s \"%s\"", flag, s);
	json_object_set_new(v, key, json_integer(n));
	return 0;
}

/* --list / --template / BUCKET/PREFIX into a ListRange; 0 or 1 (usage error printed) */
static int rm_listrange(cli_ctx_t *c, const char *objpart, json_t *v, char *what, size_t cap, const char *verb)
{
	const char *lst = cli_flag_str(c, "list", NULL), *tp = cli_flag_str(c, "template", NULL);
	const char *prefix = cli_flag_str(c, "prefix", objpart && *objpart ? objpart : NULL);
	if ((lst != NULL) + (tp != NULL) + (prefix != NULL && (lst || tp)) > 1)
		return cli_args_usage_err(c, "flags --list, --template and --prefix (or BUCKET/PREFIX) are mutually exclusive");
	if (lst) {
		json_t *a = rm_names(lst);
		snprintf(what, cap, "%s %zu object%s", verb, json_array_size(a), json_array_size(a) == 1 ? "" : "s");
		json_object_set_new(v, "objnames", a);
	} else if (tp) {
		snprintf(what, cap, "%s objects matching \"%s\"", verb, tp);
		json_object_set_new(v, "template", json_string(tp));
	} else if (prefix) {
		snprintf(what, cap, "%s objects prefixed \"%s\"", verb, prefix);
		json_object_set_new(v, "template", json_string(prefix));
	} else {
		snprintf(what, cap, "%s entire bucket", verb);
	}
	return 0;
}

int cli_remote_prefetch(cli_ctx_t *c)
{
	cli_bck_t b;
	char obj[1024] = "", what[600], cn[300];
	if (rm_bck_arg(c, 0, &b, obj, sizeof(obj)))
		return 1;
	json_t *v = json_object();
	if (rm_listrange(c, obj, v, what, sizeof(what), "prefetch")) {
		json_decref(v);
		return 2;
	}
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " from %s", cli_uri_cname(&b, NULL, cn, sizeof(cn)));
	if (cli_flag(c, "latest"))
		json_object_set_new(v, "latest-ver", json_true());
	if (rm_num_flag(c, v, "blob-threshold", "blob-threshold", true, 0) ||
	    rm_num_flag(c, v, "num-workers", "num-workers", false, 0)) {
		json_decref(v);
		return 1;
	}
	json_t *msg = json_pack("{s:s, s:o}", "action", "prefetch-listrange", "value", v);
	return rm_bck_job(c, "POST", &b, NULL, msg, "prefetch-listrange", "prefetch-objects", what);
}

int cli_remote_evict(cli_ctx_t *c)
{
	cli_bck_t b;
	char obj[1024] = "", what[600], cn[300];
	if (rm_bck_arg(c, 0, &b, obj, sizeof(obj)))
		return 1;
	cli_uri_cname(&b, NULL, cn, sizeof(cn));
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(&b, &p);
	cli_api_bck_query(&b, &q);
	int rc;
	char *id = NULL;
	bool whole = !obj[0] && !cli_flag_str(c, "list", NULL) && !cli_flag_str(c, "template", NULL) &&
		     !cli_flag_str(c, "prefix", NULL);
	if (whole) { /* the whole bucket: evict-remote-bck (--keep-md keeps it in the BMD) */
		json_t *msg = json_pack("{s:s}", "action", "evict-remote-bck");
		if (cli_flag(c, "keep-md"))
			sbuf_adds(&q, "&keep_bck_md=true");
		rc = rm_act(c, "DELETE", sbuf_str(&p), sbuf_str(&q), msg, &id);
		json_decref(msg);
		if (!rc && id && *id)
			rc = rm_started(c, "evict-remote-bck", "evict-remote-bucket", id, "evicting bucket data");
		else if (!rc)
			printf("Evicted bucket \"%s\" from aistore\n", cn);
		goto out;
	}
	json_t *v = json_object();
	if (rm_listrange(c, obj, v, what, sizeof(what), "evict")) {
		json_decref(v);
		rc = 2;
		goto out;
	}
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " from %s", cn);
	rc = rm_job(c, "DELETE", sbuf_str(&p), sbuf_str(&q),
		    json_pack("{s:s, s:o}", "action", "evict-listrange", "value", v), "evict-listrange", "evict-objects",
		    what);
out:
	free(id);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

/* "ais/@#/name/" for the bck_to query */
static void rm_uname(const cli_bck_t *b, char *out, size_t cap)
{
	char *en = url_encode(b->name, false);
	snprintf(out, cap, "%s/%s%s%s%s/%s/", b->provider, "@", b->ns_uuid, "%23", b->ns_name, en ? en : "");
	free(en);
}

/* SRC_BUCKET DST_BUCKET (the destination's provider defaults to ais) */
static int rm_two_bcks(cli_ctx_t *c, cli_bck_t *src, cli_bck_t *dst)
{
	char err[512];
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting SRC_BUCKET and DST_BUCKET");
	if (cli_uri_parse(c->args[0], src, NULL, 0, err, sizeof(err)) ||
	    cli_uri_parse(c->args[1], dst, NULL, 0, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!src->name[0] || !dst->name[0])
		return cli_err(c, "missing bucket name");
	if (!dst->provider[0])
		snprintf(dst->provider, sizeof(dst->provider), "ais");
	return 0;
}

/* a job from bucket s to d (msg: taken, POSTed on s with bck_to=d); "<verb> bucket "s" => "d"" */
static int rm_bck_to_job(cli_ctx_t *c, const cli_bck_t *s, const cli_bck_t *d, json_t *msg, const char *kind,
			 const char *dname, const char *verb)
{
	char sn[300], dn[300], un[400], bto[420], what[800];
	cli_uri_cname(s, NULL, sn, sizeof(sn));
	cli_uri_cname(d, NULL, dn, sizeof(dn));
	rm_uname(d, un, sizeof(un));
	snprintf(bto, sizeof(bto), "&bck_to=%s", un);
	snprintf(what, sizeof(what), "%s bucket \"%s\" => \"%s\"", verb, sn, dn);
	return rm_bck_job(c, "POST", s, bto, msg, kind, dname, what);
}

int cli_remote_bucket_cp(cli_ctx_t *c)
{
	cli_bck_t s, d;
	if (rm_two_bcks(c, &s, &d))
		return 1;
	json_t *v = json_object();
	const char *pfx = cli_flag_str(c, "prefix", NULL);
	if (pfx)
		json_object_set_new(v, "prefix", json_string(pfx));
	if (cli_flag_str(c, "prepend", NULL))
		json_object_set_new(v, "prepend", json_string(cli_flag_str(c, "prepend", "")));
	json_object_set_new(v, "dry_run", json_boolean(cli_flag(c, "dry-run")));
	json_object_set_new(v, "latest-ver", json_boolean(cli_flag(c, "latest")));
	json_object_set_new(v, "synchronize", json_boolean(cli_flag(c, "sync")));
	json_t *msg = json_pack("{s:s, s:o}", "action", "copy-bck", "value", v);
	return rm_bck_to_job(c, &s, &d, msg, "copy-bck", "copy-bucket",
			     cli_flag(c, "dry-run") ? "[dry-run] copying" : "copying");
}

int cli_remote_bucket_mv(cli_ctx_t *c)
{
	cli_bck_t s, d;
	if (rm_two_bcks(c, &s, &d))
		return 1;
	return rm_bck_to_job(c, &s, &d, json_pack("{s:s}", "action", "move-bck"), "move-bck", "rename-bucket",
			     "renaming");
}

/* ais start download SOURCE DESTINATION: a link, or a link with ranges ("http://h/f-{0..9}") */
int cli_remote_download(cli_ctx_t *c)
{
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting SOURCE (URL or URL template) and DESTINATION (BUCKET[/OBJECT_NAME])");
	cli_bck_t b;
	char obj[1024] = "", err[512];
	if (cli_uri_parse(c->args[1], &b, obj, sizeof(obj), err, sizeof(err)))
		return cli_err(c, "%s", err);
	const char *src = c->args[0];
	bool range = strchr(src, '{') != NULL;
	json_t *body = json_pack("{s:s, s:{s:s, s:s}, s:s}", "type", range ? "range" : "single", "bucket", "name", b.name,
				 "provider", b.provider[0] ? b.provider : "ais", "description",
				 cli_flag_str(c, "description", ""));
	if (range) {
		json_object_set_new(body, "template", json_string(src));
		if (obj[0])
			json_object_set_new(body, "subdir", json_string(obj));
	} else {
		json_object_set_new(body, "link", json_string(src));
		if (obj[0])
			json_object_set_new(body, "object_name", json_string(obj));
	}
	const char *to = cli_flag_str(c, "timeout", NULL);
	if (to)
		json_object_set_new(body, "timeout", json_string(to));
	char *ans = NULL;
	int rc = rm_act(c, "POST", "/v1/download", NULL, body, &ans);
	json_decref(body);
	if (rc)
		return rc;
	json_error_t je;
	json_t *j = jsonx_loadb(ans, strlen(ans), &je);
	const char *id = jsonx_str(j, "id", "");
	if (cli_flag(c, "wait")) {
		printf("%s\n", id);
		fflush(stdout);
		rc = cli_job_wait_started(c, "download", id, id);
	} else {
		printf("%s\nRun `ais show job %s` to monitor the progress.\n", id, id);
	}
	json_decref(j);
	free(ans);
	return rc;
}

int cli_remote_blob(cli_ctx_t *c)
{
	cli_bck_t b;
	char obj[1024] = "", cn[1400];
	if (rm_bck_arg(c, 0, &b, obj, sizeof(obj)))
		return 1;
	json_t *v = json_object();
	const char *lst = cli_flag_str(c, "list", NULL);
	if (rm_num_flag(c, v, "chunk-size", "chunk-size", true, 1) ||
	    rm_num_flag(c, v, "num-workers", "num-workers", false, 0)) {
		json_decref(v);
		return 1;
	}
	if (cli_flag(c, "latest"))
		json_object_set_new(v, "latest-ver", json_true());
	if (lst)
		json_object_set_new(v, "objnames", rm_names(lst));
	else if (!obj[0]) {
		json_decref(v);
		return cli_args_usage_err(c, "expecting BUCKET/OBJECT_NAME (or BUCKET with --list)");
	}
	json_t *msg = json_pack("{s:s, s:s, s:o}", "action", "blob-download", "name", obj, "value", v);
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	sbuf_adds(&p, "/v1/objects/");
	sbuf_adds(&p, b.name);
	cli_api_bck_query(&b, &q);
	cli_uri_cname(&b, obj[0] ? obj : NULL, cn, sizeof(cn));
	char what[1500];
	snprintf(what, sizeof(what), "downloading %s", cn);
	int rc = rm_job(c, "POST", sbuf_str(&p), sbuf_str(&q), msg, "blob-download", "blob-download", what);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

/* ---- remote AIS clusters ---- */

static int rm_remais(cli_ctx_t *c, bool attach, const char *alias, const char *url)
{
	char ha[300], hu[600];
	snprintf(ha, sizeof(ha), "Ais-Remote-Alias: %s", alias);
	snprintf(hu, sizeof(hu), "Ais-Remote-Url: %s", url ? url : "");
	const char *hdrs[] = {ha, url ? hu : NULL, NULL};
	cli_req_t r = {.method = "PUT", .path = attach ? "/v1/cluster/attach" : "/v1/cluster/detach", .query = "what=remote",
		       .fd = -1, .hdrs = hdrs, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	cli_req_fini(&r);
	return rc;
}

int cli_remote_attach(cli_ctx_t *c)
{
	if (c->nargs != 1 || !strchr(c->args[0], '='))
		return cli_args_usage_err(c, "expecting ALIAS=URL (e.g. remais=http://10.0.0.1:51080)");
	char alias[128];
	const char *eq = strchr(c->args[0], '=');
	snprintf(alias, sizeof(alias), "%.*s", (int)(eq - c->args[0]), c->args[0]);
	if (rm_remais(c, true, alias, eq + 1))
		return 1;
	printf("Remote cluster (%s=%s) successfully attached\n", alias, eq + 1);
	return 0;
}

int cli_remote_detach(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting ALIAS");
	if (rm_remais(c, false, c->args[0], NULL))
		return 1;
	printf("Remote cluster \"%s\" successfully detached\n", c->args[0]);
	return 0;
}

int cli_remote_show(cli_ctx_t *c)
{
	json_t *v = cli_api_get_json(c, NULL, "/v1/cluster", "what=remote", false);
	if (!v)
		return 1;
	if (cli_flag(c, "json")) {
		cli_out_json(c, v);
		json_decref(v);
		return 0;
	}
	json_t *a = json_object_get(v, "a");
	if (!json_array_size(a)) {
		printf("No remote clusters attached\n");
		json_decref(v);
		return 0;
	}
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, "UUID\t URL\t ALIAS\t PRIMARY\t SMAP\t TARGETS\t \n");
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		json_t *sm = json_object_get(e, "smap");
		char prim[128] = "n/a", ver[32] = "n/a", nt[32] = "n/a";
		if (json_is_object(sm)) {
			const char *pid = jsonx_str(json_object_get(sm, "proxy_si"), "daemon_id", "");
			snprintf(prim, sizeof(prim), "p[%s]", pid);
			snprintf(ver, sizeof(ver), "v%s", jsonx_str(sm, "version", "?"));
			snprintf(nt, sizeof(nt), "%zu", json_object_size(json_object_get(sm, "tmap")));
		}
		sbuf_addf(&t, "%s\t %s\t %s\t %s\t %s\t %s\t \n", *jsonx_str(e, "uuid", "") ? jsonx_str(e, "uuid", "") : "n/a",
			  jsonx_str(e, "url", ""), jsonx_str(e, "alias", ""), prim, ver, nt);
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	json_decref(v);
	return 0;
}
