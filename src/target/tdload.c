/* tdload: the target's side of the downloader API (AIStore's ais/tgtdl.go): the proxy starts
 * download jobs through /v1/xactions (kind "download", ID = the job ID) and asks every target:
 *   GET    /v1/download  {"id": ...}           this target's dload.StatusResp of the job (404)
 *   GET    /v1/download  {"regex": ...}        {"<id>": dload.Job, ...} of its jobs
 *   DELETE /v1/download/abort   {"id": ...}    abort the job here (200; 404 unknown)
 *   DELETE /v1/download/remove  {"id": ...}    forget a finished job (200; 400 still running)
 * Answers from memory (job state in xact/xs_download.c): runs on the loop. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/jsonx.h"
#include "net/route.h"
#include "target/tgt_int.h"
#include "target/tjson.h"
#include "xact/xact.h"
#include "xact/xs_download.h"

static void td_list(http_req_t *r, const char *re, bool only_active)
{
	regex_t rx;
	bool have_re = re && *re;
	if (have_re && regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		http_error(r, 400, NULL, "invalid regex \"%s\"", re);
		return;
	}
	json_t *snaps = NULL;
	xact_filter_t f;
	memset(&f, 0, sizeof(f));
	snprintf(f.kind, sizeof(f.kind), "download");
	f.only_running = only_active ? 1 : -1;
	char err[256];
	json_t *out = json_object();
	if (!xact_reg_snaps(&f, &snaps, err, sizeof(err))) {
		size_t i;
		json_t *s;
		json_array_foreach(snaps, i, s) {
			const char *id = json_string_value(json_object_get(s, "id"));
			xact_t *x = id ? xact_reg_find(id) : NULL;
			json_t *st = x ? xs_download_status(x, only_active, false) : NULL;
			const char *d = json_string_value(json_object_get(st, "description"));
			if (st && (!have_re || !regexec(&rx, d ? d : "", 0, NULL, 0)))
				json_object_set(out, id, st);
			json_decref(st);
			xact_put(x);
		}
	}
	json_decref(snaps);
	if (have_re)
		regfree(&rx);
	tjson_respond(r, out);
}

static void td_cb(http_req_t *r)
{
	json_error_t je;
	json_t *b = r->body_len ? jsonx_loadb(r->body, r->body_len, &je) : json_object();
	const char *id = jsonx_str(b, "id", "");
	bool only_active = json_is_true(json_object_get(b, "only_active_tasks"));
	if (r->method == HTTP_M_GET && !*id) {
		td_list(r, jsonx_str(b, "regex", ""), only_active);
		goto out;
	}
	xact_t *x = *id ? xact_reg_find(id) : NULL;
	json_t *st = x ? xs_download_status(x, only_active, true) : NULL;
	if (!st) {
		http_error(r, 404, "ErrNotFound", "download job %s not found", id);
	} else if (r->method == HTTP_M_GET) {
		tjson_respond(r, st);
		st = NULL;
	} else if (!strcmp(r->path, "/v1/download/abort")) {
		xact_abort(x, "download: user abort");
		http_respond(r, 200, NULL, NULL, 0);
	} else if (!strcmp(r->path, "/v1/download/remove")) {
		int rc = xs_download_remove(x);
		if (rc == AIS_ECONFLICT)
			http_error(r, 400, NULL, "download job %s is still running", id);
		else
			http_respond(r, 200, NULL, NULL, 0);
	} else {
		http_error(r, 400, NULL, "invalid URL path %s", r->path);
	}
	json_decref(st);
	xact_put(x);
out:
	json_decref(b);
}

static void td_route(http_req_t *r) { http_read_body(r, 1 << 20, td_cb, false); }

/* AIStore: the target's /v1/download is intra-control only (the proxy fans the API out) */
void tdload_init(void) { route_add_intra(RM(HTTP_M_GET) | RM(HTTP_M_DELETE), "/v1/download", td_route, ROUTE_MEMBER); }
