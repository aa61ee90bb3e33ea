/* pjob: bucket and object actions that start jobs (AIStore's ais/proxy.go httpbckpost/
 * httpbckdelete/httpobjpost job branches), each answered with the job ID as text once every
 * target started it (pxact_start_job):
 *   POST   /v1/buckets/<b> prefetch-listrange (apc.PrefetchMsg)        remote buckets only
 *   POST   /v1/buckets/<b>?bck_to=<uname> copy-bck (apc.TCBMsg)        dst created when missing
 *   POST   /v1/buckets/<b> copy-listrange (cmn.TCOMsg with "tobck")   dst created when missing
 *   POST   /v1/buckets/<b>?bck_to=<uname> move-bck                      ais only; dst must not exist;
 *          the source leaves the BMD once every target is done (a finalizer thread waits)
 *   DELETE /v1/buckets/<b> evict-listrange | delete-listrange (apc.EvdMsg)
 *   DELETE /v1/buckets/<b>[?keep_bck_md=true] evict-remote-bck: with keep_bck_md the job
 *          removes the cached data and the bucket stays; without, the bucket leaves the BMD
 *          (its data goes with it on every target)
 *   POST   /v1/objects/<b> promote (apc.PromoteArgs), blob-download (apc.BlobMsg, name = object)
 * Everything is checked here first (bucket kinds, template syntax, names), so a bad request
 * starts nothing anywhere (4xx). Primary only; other proxies relay. Pool only. */
#include "proxy/proxy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "cluster/bmd.h"
#include "cluster/kalive.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "xact/xact.h"
#include "xact/xs_lr.h"

#define PJOB_MOVE_WAIT_NS ((int64_t)24 * 3600 * 1000000000LL)

static void pjob_cname(const pbck_t *b, char *out, size_t cap)
{
	snprintf(out, cap, "%s://%s%s%s", bk_scheme(b->provider), b->ns[0] ? b->ns : "", b->ns[0] ? "/" : "", b->name);
}

/* start kind with the bucket and the job message; responds (the ID, or the error) */
static void pjob_start(http_req_t *r, const pbck_t *b, const char *kind, json_t *params)
{
	const xact_kind_t *k = xact_table_find(kind);
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	snprintf(a.bck.provider, sizeof(a.bck.provider), "%s", b->provider);
	snprintf(a.bck.ns, sizeof(a.bck.ns), "%s", b->ns);
	snprintf(a.bck.name, sizeof(a.bck.name), "%s", b->name);
	if (!pxact_start_job(r, k, &a, params))
		http_respond(r, 200, "text/plain", a.id, strlen(a.id));
}

/* "<provider>/<ns-uname>/<bucket>[/<obj>]" (cmn.ParseUname of the bck_to query) */
static int pjob_uname(const char *u, pbck_t *out)
{
	memset(out, 0, sizeof(*out));
	const char *a = u ? strchr(u, '/') : NULL;
	const char *b = a ? strchr(a + 1, '/') : NULL;
	if (!b)
		return AIS_EINVAL;
	const char *c = strchr(b + 1, '/');
	size_t nl = c ? (size_t)(c - b - 1) : strlen(b + 1);
	if ((size_t)(a - u) >= sizeof(out->provider) || (size_t)(b - a - 1) >= sizeof(out->ns) || nl >= sizeof(out->name))
		return AIS_EINVAL;
	snprintf(out->provider, sizeof(out->provider), "%.*s", (int)(a - u), u);
	snprintf(out->ns, sizeof(out->ns), "%.*s", (int)(b - a - 1), a + 1);
	snprintf(out->name, sizeof(out->name), "%.*s", (int)nl, b + 1);
	const char *np = bk_norm_provider(out->provider);
	if (!np)
		return AIS_EINVAL;
	snprintf(out->provider, sizeof(out->provider), "%s", np);
	if (!strcmp(out->ns, "@#"))
		out->ns[0] = '\0';
	size_t l = strlen(out->ns);
	if (l > 1 && out->ns[l - 1] == '#')
		out->ns[l - 1] = '\0';
	return bck_name_valid(out->name) ? 0 : AIS_EINVAL;
}

static json_t *pjob_bck_json(const pbck_t *b)
{
	return json_pack("{s:s, s:s, s:s}", "name", b->name, "provider", b->provider, "namespace", b->ns);
}

static bool pjob_exists(const pbck_t *b)
{
	bmd_t *m = bmd_get();
	bool ok = m && bmd_find(m, b->provider, b->ns, b->name);
	bmd_put(m);
	return ok;
}

/* the destination of a copy: an existing bucket, or an ais one created now (unless dry-run) */
static int pjob_dst(http_req_t *r, const pbck_t *src, const pbck_t *dst, bool dry_run)
{
	char cn[300], err[512];
	pjob_cname(dst, cn, sizeof(cn));
	if (!strcmp(src->provider, dst->provider) && !strcmp(src->ns, dst->ns) && !strcmp(src->name, dst->name)) {
		http_error(r, 400, NULL, "cannot copy bucket %s onto itself", cn);
		return AIS_EINVAL;
	}
	if (pjob_exists(dst))
		return 0;
	if (bk_is_remote(dst->provider, dst->ns)) {
		http_error(r, 404, "ErrBckNotFound", "destination bucket %s does not exist", cn);
		return AIS_ENOBUCKET;
	}
	if (dry_run)
		return 0;
	int rc = pbck_create(dst, NULL, err, sizeof(err));
	if (rc && rc != AIS_EEXIST) {
		http_error_code(r, rc, "failed to create destination bucket %s: %s", cn, err);
		return rc;
	}
	return 0;
}

/* ---- move-bck's finalizer: the source leaves the BMD once the job is done everywhere ---- */

typedef struct pjob_mv {
	char id[XACT_ID_MAX];
	pbck_t src;
} pjob_mv_t;

static void *pjob_move_fin(void *arg)
{
	pjob_mv_t *m = arg;
	bool aborted = false;
	int rc = pxact_wait_done(m->id, PJOB_MOVE_WAIT_NS, &aborted);
	char err[512];
	if (!rc && !aborted) {
		if ((rc = pbck_destroy(&m->src, err, sizeof(err))))
			log_warn("move-bck[%s]: failed to remove the source bucket %s: %s", m->id, m->src.name, err);
		else
			log_info("move-bck[%s]: done, source bucket %s removed", m->id, m->src.name);
	} else {
		log_warn("move-bck[%s]: %s: the source bucket %s stays", m->id, aborted ? "aborted" : err_str(rc),
			 m->src.name);
	}
	free(m);
	return NULL;
}

static void pjob_move(http_req_t *r, const pbck_t *b, json_t *msg)
{
	pbck_t dst;
	char cn[300];
	if (pjob_uname(http_query_get(r, "bck_to"), &dst)) {
		http_error(r, 400, NULL, "move-bck: invalid or missing destination (bck_to=%s)",
			   http_query_get(r, "bck_to") ? http_query_get(r, "bck_to") : "");
		return;
	}
	pjob_cname(&dst, cn, sizeof(cn));
	if (bk_is_remote(b->provider, b->ns) || bk_is_remote(dst.provider, dst.ns) || strcmp(dst.provider, "ais")) {
		http_error(r, 400, NULL, "renaming remote buckets is not supported (%s://%s => %s)", b->provider, b->name, cn);
		return;
	}
	if (pjob_exists(&dst)) {
		http_error(r, 409, NULL, "bucket %s already exists", cn);
		return;
	}
	char err[512];
	int rc = pbck_create(&dst, NULL, err, sizeof(err));
	if (rc) {
		http_error_code(r, rc, "move-bck: failed to create %s: %s", cn, err);
		return;
	}
	json_t *params = json_pack("{s:o}", "tobck", pjob_bck_json(&dst));
	const xact_kind_t *k = xact_table_find("move-bck");
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.kind, sizeof(a.kind), "move-bck");
	snprintf(a.bck.provider, sizeof(a.bck.provider), "%s", b->provider);
	snprintf(a.bck.ns, sizeof(a.bck.ns), "%s", b->ns);
	snprintf(a.bck.name, sizeof(a.bck.name), "%s", b->name);
	if (!pxact_start_job(r, k, &a, params)) {
		pjob_mv_t *m = calloc(1, sizeof(*m));
		pthread_t th;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (m) {
			snprintf(m->id, sizeof(m->id), "%s", a.id);
			m->src = *b;
			if (pthread_create(&th, &at, pjob_move_fin, m)) {
				log_err("move-bck[%s]: no finalizer thread: the source bucket stays", a.id);
				free(m);
			}
		}
		pthread_attr_destroy(&at);
		http_respond(r, 200, "text/plain", a.id, strlen(a.id));
	}
	json_decref(params);
	(void)msg;
}

/* what every job request does first: on a primary not (yet) confirmed, forward it there; the
 * bucket must exist (404). True: answered. Else cn (b's name) and *params (a copy of the
 * message's "value", or {}: the caller's) are set. */
static bool pjob_prologue(http_req_t *r, const pbck_t *b, json_t *msg, char *cn, size_t cap, json_t **params)
{
	if (!kalive_primary_confirmed()) {
		pfwd_to_primary(r);
		return true;
	}
	pjob_cname(b, cn, cap);
	if (!pjob_exists(b)) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s\" does not exist", cn);
		return true;
	}
	json_t *v = json_object_get(msg, "value");
	*params = json_is_object(v) ? json_deep_copy(v) : json_object();
	return false;
}

bool pjob_bck_action(http_req_t *r, const pbck_t *b, json_t *msg)
{
	const char *act = jsonx_str(msg, "action", "");
	static const char *const post[] = {"prefetch-listrange", "copy-bck", "copy-listrange", "move-bck", NULL};
	static const char *const del[] = {"evict-listrange", "delete-listrange", "evict-remote-bck", NULL};
	const char *const *acts = r->method == HTTP_M_POST ? post : r->method == HTTP_M_DELETE ? del : NULL;
	bool known = false;
	for (int i = 0; acts && acts[i]; i++)
		known |= !strcmp(acts[i], act);
	char cn[300], err[512] = "";
	json_t *params = NULL;
	if (!known)
		return false;
	if (pjob_prologue(r, b, msg, cn, sizeof(cn), &params))
		return true;
	bool remote = bk_is_remote(b->provider, b->ns);
	if (!strcmp(act, "prefetch-listrange") || !strcmp(act, "evict-listrange")) {
		if (!remote) {
			http_error(r, 400, NULL, "%s: bucket %s is not a remote bucket (nothing to %s)", act, cn,
				   act[0] == 'p' ? "prefetch" : "evict");
			goto out;
		}
	}
	if (!strcmp(act, "move-bck")) {
		pjob_move(r, b, msg);
		goto out;
	}
	if (!strcmp(act, "evict-remote-bck")) {
		if (!remote) {
			http_error(r, 400, NULL, "cannot evict %s: not a remote bucket", cn);
		} else if (http_query_bool(r, "keep_bck_md")) {
			pjob_start(r, b, "evict-remote-bck", params);
		} else if (!pbck_destroy(b, err, sizeof(err))) {
			http_respond(r, 200, NULL, NULL, 0);
		} else {
			http_error(r, 500, NULL, "evict %s: %s", cn, err);
		}
		goto out;
	}
	if (!strcmp(act, "copy-bck") || !strcmp(act, "copy-listrange")) {
		pbck_t dst;
		json_t *tb = json_object_get(params, "tobck");
		if (!strcmp(act, "copy-bck") || !tb) {
			if (pjob_uname(http_query_get(r, "bck_to"), &dst)) {
				http_error(r, 400, NULL, "%s: invalid or missing destination bucket (bck_to=%s)", act,
					   http_query_get(r, "bck_to") ? http_query_get(r, "bck_to") : "");
				goto out;
			}
		} else {
			memset(&dst, 0, sizeof(dst));
			const char *np = bk_norm_provider(jsonx_str(tb, "provider", "ais"));
			snprintf(dst.provider, sizeof(dst.provider), "%s", np ? np : "?");
			snprintf(dst.name, sizeof(dst.name), "%s", jsonx_str(tb, "name", ""));
			json_t *ns = json_object_get(tb, "namespace");
			if (json_is_string(ns))
				snprintf(dst.ns, sizeof(dst.ns), "%s", json_string_value(ns));
			if (!np || !bck_name_valid(dst.name)) {
				http_error(r, 400, NULL, "%s: invalid destination bucket \"%s\"", act, dst.name);
				goto out;
			}
		}
		if (!strcmp(act, "copy-listrange") && xs_lr_validate(params, err, sizeof(err))) {
			http_error(r, 400, NULL, "%s: %s", act, err);
			goto out;
		}
		if (pjob_dst(r, b, &dst, json_is_true(json_object_get(params, "dry_run"))))
			goto out;
		json_object_set_new(params, "tobck", pjob_bck_json(&dst));
		pjob_start(r, b, act, params);
		goto out;
	}
	/* prefetch, evict, delete: a ListRange */
	if (xs_lr_validate(params, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s: %s", act, err);
		goto out;
	}
	pjob_start(r, b, act, params);
out:
	json_decref(params);
	return true;
}

bool pjob_obj_action(http_req_t *r, const pbck_t *b, const char *oname, json_t *msg)
{
	const char *act = jsonx_str(msg, "action", "");
	if (strcmp(act, "promote") && strcmp(act, "blob-download"))
		return false;
	char cn[300];
	json_t *params = NULL;
	if (pjob_prologue(r, b, msg, cn, sizeof(cn), &params))
		return true;
	const char *name = jsonx_str(msg, "name", oname ? oname : "");
	if (!strcmp(act, "promote")) {
		if (!*jsonx_str(params, "src", ""))
			json_object_set_new(params, "src", json_string(name));
		const char *src = jsonx_str(params, "src", "");
		if (src[0] != '/') {
			http_error(r, 400, NULL, "promote: source \"%s\" must be an absolute path (file or directory visible "
				   "to the targets)", src);
			goto out;
		}
		pjob_start(r, b, "promote", params);
		goto out;
	}
	if (!bk_is_remote(b->provider, b->ns)) {
		http_error(r, 400, NULL, "blob-download: bucket %s is not a remote bucket", cn);
		goto out;
	}
	if (*name)
		json_object_set_new(params, "name", json_string(name));
	if (!*jsonx_str(params, "name", "") && !json_array_size(json_object_get(params, "objnames"))) {
		http_error(r, 400, NULL, "blob-download: missing object name");
		goto out;
	}
	pjob_start(r, b, "blob-download", params);
out:
	json_decref(params);
	return true;
}

int pdload_init(void);

int pjob_init(void) { return pdload_init(); }
