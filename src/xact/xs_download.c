/* xs_download: "download" (AIStore's ext/dload: /v1/download jobs): fetch HTTP(S) URLs into a
 * bucket. One job = one xaction whose ID is the job ID ("dnl-..."), started on every target by
 * the proxy (proxy/pdload.c); each target downloads the objects it owns by HRW. Job types
 * (dload.Body "type"): single {"object_name","link"}, range {"template" (a URL with ranges),
 * "subdir"}, multi {"objects": [links] | {name: link}}, backend {"prefix","suffix"} (the
 * bucket's own remote backend: a prefetch by prefix and suffix).
 * Egress (ext/dload/client.go): every connection of every download - each resolved address,
 * each redirect - goes through the policy of backend/bk_egress.h: loopback, link-local (cloud
 * metadata) and multicast never; private ranges only with the Dload-Allow-Private-Egress
 * feature flag. A refused one fails that object with "dload: egress blocked".
 * Objects are written by the object writer (nothing partial is ever visible) with custom
 * "orig_url" = the link; an object already present is skipped. Per-task results feed the job
 * status of the /v1/download API (xs_download_status). Abort: before every object; an object in
 * flight is abandoned without a trace. */
#include "xact/xs_download.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <strings.h>

#include "backend/bk.h"
#include "backend/bk_http.h"
#include "backend/bk_obj.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/tmpl.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "xact/xs.h"
#include "xact/xs_lr.h"

#define DL_MAX_TASKS 1000000
#define DL_KEEP_ERRS 1000

typedef struct dl_task {
	char *name, *link;
	int64_t done_bytes, total;
	int64_t start_ns, end_ns;
	int state; /* 0 pending, 1 running, 2 finished, 3 error, 4 skipped */
} dl_task_t;

typedef struct dlj {
	json_t *msg;
	bmd_t *bmd;
	const bck_t *b;
	xact_t *x;
	char type[16];
	char descr[512];
	int64_t timeout_ms;
	pthread_mutex_t mu; /* tasks' state, errs, removed */
	dl_task_t *t;
	int nt, cap;
	json_t *errs; /* [{"name","error"}] */
	bool dispatched, removed, backend_sync;
	char prefix[1024], suffix[256];
	int64_t started;
} dlj_t;

static int dl_add(dlj_t *p, const char *name, const char *link)
{
	if (p->nt == p->cap) {
		int nc = p->cap ? p->cap * 2 : 64;
		if (nc > DL_MAX_TASKS)
			return AIS_ETOOBIG;
		dl_task_t *nv = realloc(p->t, (size_t)nc * sizeof(*nv));
		if (!nv)
			return AIS_ENOMEM;
		p->t = nv;
		p->cap = nc;
	}
	dl_task_t *t = &p->t[p->nt];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->link = strdup(link ? link : "");
	t->total = -1;
	if (!t->name || !t->link) {
		free(t->name);
		free(t->link);
		return AIS_ENOMEM;
	}
	p->nt++;
	return 0;
}

/* AIStore's NormalizeObjName: the link's path (unescaped), without the query */
static int dl_name_of(const char *link, const char *dir, char *out, size_t cap)
{
	const char *s = strstr(link, "://");
	s = s ? strchr(s + 3, '/') : link;
	if (!s)
		return AIS_EINVAL;
	size_t pl = strcspn(s, "?#");
	const char *base = s;
	for (size_t i = 0; i < pl; i++)
		if (s[i] == '/')
			base = s + i + 1;
	size_t bl = (size_t)(s + pl - base);
	if (!bl)
		return AIS_EINVAL;
	char enc[1024], dec[1024];
	snprintf(enc, sizeof(enc), "%.*s", (int)(bl < sizeof(enc) ? bl : sizeof(enc) - 1), base);
	long dl = url_decode(enc, strlen(enc), dec, false);
	if (dl <= 0)
		return AIS_EINVAL;
	dec[dl] = '\0';
	if (dir && *dir)
		snprintf(out, cap, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", dec);
	else
		snprintf(out, cap, "%s", dec);
	return 0;
}

static bool dl_mine(smap_t *sm, const bck_t *b, const char *name)
{
	const snode_t *t = sm ? smap_owner_of(sm, b->provider, b->ns, b->name, name) : NULL;
	return !t || !strcmp(t->id, node_id());
}

int xs_download_validate(json_t *body, char *err, size_t cap)
{
	const char *type = xs_msg_str(body, "type", "");
	json_t *bck = json_object_get(body, "bucket");
	if (!*type) {
		snprintf(err, cap, "'type' field is empty");
		return AIS_EINVAL;
	}
	if (!json_string_length(json_object_get(bck, "name"))) {
		snprintf(err, cap, "missing 'bucket.name'");
		return AIS_EINVAL;
	}
	const char *to = xs_msg_str(body, "timeout", "");
	int64_t ns;
	if (*to && parse_duration(to, &ns)) {
		snprintf(err, cap, "failed to parse timeout field: invalid duration \"%s\"", to);
		return AIS_EINVAL;
	}
	if (!strcmp(type, "single")) {
		const char *link = xs_msg_str(body, "link", "");
		char nm[1024];
		if (!*link) {
			snprintf(err, cap, "missing 'link' in the request body");
			return AIS_EINVAL;
		}
		if (!*xs_msg_str(body, "object_name", "") && dl_name_of(link, NULL, nm, sizeof(nm))) {
			snprintf(err, cap, "can not extract a valid 'object_name' from the provided download 'link'");
			return AIS_EINVAL;
		}
		return 0;
	}
	if (!strcmp(type, "range")) {
		tmpl_t t;
		const char *tp = xs_msg_str(body, "template", "");
		if (!*tp) {
			snprintf(err, cap, "no 'template' for range download");
			return AIS_EINVAL;
		}
		int rc = tmpl_parse(tp, &t, err, cap);
		if (!rc && !t.n) {
			snprintf(err, cap, "invalid range template \"%s\": no range to expand", tp);
			rc = AIS_EINVAL;
		} else if (!rc && tmpl_count(&t) > DL_MAX_TASKS) {
			snprintf(err, cap, "range template \"%s\": too many objects (max %d)", tp, DL_MAX_TASKS);
			rc = AIS_EINVAL;
		}
		tmpl_fini(&t);
		return rc;
	}
	if (!strcmp(type, "multi")) {
		json_t *o = json_object_get(body, "objects");
		if (!json_is_array(o) && !json_is_object(o)) {
			snprintf(err, cap, "multi download: 'objects' must be a list of links or a map of name to link");
			return AIS_EINVAL;
		}
		return 0;
	}
	if (!strcmp(type, "backend"))
		return 0;
	snprintf(err, cap, "input does not match any of the supported formats (single, range, multi, backend)");
	return AIS_EINVAL;
}

static int dl_build(dlj_t *p, char *err, size_t cap)
{
	smap_t *sm = smap_get();
	json_t *m = p->msg;
	char nm[FQN_OBJNAME_MAX];
	int rc = 0;
	if (!strcmp(p->type, "single")) {
		const char *link = xs_msg_str(m, "link", ""), *on = xs_msg_str(m, "object_name", "");
		if (!*on && dl_name_of(link, NULL, nm, sizeof(nm)) == 0)
			on = nm;
		if (dl_mine(sm, p->b, on))
			rc = dl_add(p, on, link);
	} else if (!strcmp(p->type, "range")) {
		tmpl_t t;
		const char *link;
		if (!(rc = tmpl_parse(xs_msg_str(m, "template", ""), &t, err, cap))) {
			while (!rc && tmpl_next(&t, &link))
				if (!dl_name_of(link, xs_msg_str(m, "subdir", ""), nm, sizeof(nm)) && dl_mine(sm, p->b, nm))
					rc = dl_add(p, nm, link);
			tmpl_fini(&t);
		}
	} else if (!strcmp(p->type, "multi")) {
		json_t *o = json_object_get(m, "objects"), *v;
		const char *k;
		size_t i;
		if (json_is_array(o)) {
			json_array_foreach(o, i, v) {
				const char *link = json_string_value(v);
				if (link && !dl_name_of(link, NULL, nm, sizeof(nm)) && dl_mine(sm, p->b, nm) &&
				    (rc = dl_add(p, nm, link)))
					break;
			}
		} else {
			json_object_foreach(o, k, v) {
				const char *link = json_string_value(v);
				if (link && dl_mine(sm, p->b, k) && (rc = dl_add(p, k, link)))
					break;
			}
		}
	}
	smap_put(sm);
	if (rc && !err[0])
		snprintf(err, cap, "download: %s", err_str(rc));
	return rc;
}

static int dl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	dlj_t *p = calloc(1, sizeof(*p));
	if (!p)
		return AIS_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	xact_set_priv(x, p);
	p->x = x;
	p->started = now_ns();
	p->errs = json_array();
	p->msg = json_incref(a->params);
	int rc = xs_download_validate(p->msg, err, cap);
	if (rc)
		return rc;
	json_t *bj = json_object_get(p->msg, "bucket");
	xact_bck_t xb;
	memset(&xb, 0, sizeof(xb));
	snprintf(xb.name, sizeof(xb.name), "%s", xs_msg_str(bj, "name", ""));
	snprintf(xb.provider, sizeof(xb.provider), "%s", bk_norm_provider(xs_msg_str(bj, "provider", "ais")) ?
		 bk_norm_provider(xs_msg_str(bj, "provider", "ais")) : "ais");
	if ((rc = xs_bck(&xb, &p->bmd, &p->b, err, cap)))
		return rc;
	snprintf(p->type, sizeof(p->type), "%s", xs_msg_str(p->msg, "type", ""));
	snprintf(p->descr, sizeof(p->descr), "%s", xs_msg_str(p->msg, "description", ""));
	int64_t to = 0;
	parse_duration(xs_msg_str(p->msg, "timeout", ""), &to);
	p->timeout_ms = to / 1000000;
	if (!strcmp(p->type, "backend")) {
		if (!bk_of(p->b)) {
			snprintf(err, cap, "backend download: bucket %s://%s has no remote backend", p->b->provider, p->b->name);
			return AIS_EINVAL;
		}
		snprintf(p->prefix, sizeof(p->prefix), "%s", xs_msg_str(p->msg, "prefix", ""));
		snprintf(p->suffix, sizeof(p->suffix), "%s", xs_msg_str(p->msg, "suffix", ""));
	} else if ((rc = dl_build(p, err, cap))) {
		return rc;
	}
	xact_set_ctlmsg(x, p->descr);
	return 0;
}

static void dl_err(dlj_t *p, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void dl_err(dlj_t *p, int i, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&p->mu);
	p->t[i].state = 3;
	p->t[i].end_ns = now_ns();
	if (json_array_size(p->errs) < DL_KEEP_ERRS)
		json_array_append_new(p->errs, json_pack("{s:s, s:s}", "name", p->t[i].name, "error", msg));
	pthread_mutex_unlock(&p->mu);
	xact_add_err(p->x, "%s: %s", p->t[i].name, msg);
}

typedef struct dl_sink {
	dlj_t *p;
	int i;
	obj_put_t *w;
	const obj_t *o;
} dl_sink_t;

static int dl_sink_cb(void *arg, const char *buf, size_t n)
{
	dl_sink_t *s = arg;
	if (xact_aborted(s->p->x))
		return AIS_EINTERNAL;
	int rc = obj_put_write(s->w, buf, n);
	if (!rc) {
		pthread_mutex_lock(&s->p->mu);
		s->p->t[s->i].done_bytes += (int64_t)n;
		pthread_mutex_unlock(&s->p->mu);
	}
	return rc;
}

static int dl_hdrs_cb(void *arg, int status)
{
	dl_sink_t *s = arg;
	(void)status;
	obj_put_opts_t opt = {.size_hint = -1, .acct = OBJ_ACCT_PUT, .tag = "dnl"};
	obj_why_t why;
	return obj_put_begin(s->o, &opt, &s->w, &why);
}

static void dl_one(dlj_t *p, int i)
{
	obj_t o;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->b, p->t[i].name)) {
		dl_err(p, i, "invalid object name");
		return;
	}
	obj_get_t g;
	obj_why_t why;
	bool exists = !obj_get_open(&g, &o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	obj_get_close(&g);
	pthread_mutex_lock(&p->mu);
	p->t[i].start_ns = now_ns();
	p->t[i].state = exists ? 4 : 1;
	pthread_mutex_unlock(&p->mu);
	if (exists)
		return;
	bk_http_req_t q;
	bk_http_init(&q, "GET", p->t[i].link);
	q.follow = true;
	q.egress_guard = true;
	q.allow_private = (config_features() & FEAT_DLOAD_ALLOW_PRIVATE_EGRESS) != 0;
	q.timeout_ms = (int)p->timeout_ms;
	json_t *hdrs = json_object_get(p->msg, "headers");
	const char *hk;
	json_t *hv;
	json_object_foreach(hdrs, hk, hv) {
		const char *v = json_is_array(hv) ? json_string_value(json_array_get(hv, 0)) : json_string_value(hv);
		if (v)
			bk_http_hdr(&q, "%s: %s", hk, v);
	}
	dl_sink_t s = {.p = p, .i = i, .o = &o};
	q.on_hdrs = dl_hdrs_cb;
	q.hdrs_arg = &s;
	q.sink = dl_sink_cb;
	q.sink_arg = &s;
	bk_http_do(&q);
	if (q.egress_blocked) {
		obj_put_abort(s.w, 0);
		dl_err(p, i, "dload: egress blocked: %s (%s)", q.blocked_ip, p->t[i].link);
		goto out;
	}
	if (q.rc || q.status < 200 || q.status >= 300) {
		obj_put_abort(s.w, 0);
		if (q.rc && q.status < 200)
			dl_err(p, i, "failed to download %s: %s", p->t[i].link, q.errmsg[0] ? q.errmsg : err_str(q.rc));
		else
			dl_err(p, i, "failed to download %s: %d %s", p->t[i].link, q.status,
			       q.rc ? err_str(q.rc) : "(HTTP status)");
		goto out;
	}
	if (!s.w && dl_hdrs_cb(&s, q.status)) { /* an empty body */
		dl_err(p, i, "failed to store");
		goto out;
	}
	lom_md_custom_set(obj_put_md(s.w), "orig_url", p->t[i].link);
	obj_put_res_t res;
	int rc = obj_put_commit(s.w, &res, &why);
	if (rc) {
		dl_err(p, i, "failed to store: %s", err_str(rc));
	} else {
		pthread_mutex_lock(&p->mu);
		p->t[i].state = 2;
		p->t[i].end_ns = now_ns();
		p->t[i].total = res.size;
		pthread_mutex_unlock(&p->mu);
		xact_objs_add(p->x, 1, res.size);
	}
	lom_md_fini(&res.md);
out:
	bk_http_fini(&q);
}

/* backend type: the bucket's own objects under prefix (and with suffix), fetched as prefetch */
static void dl_backend(dlj_t *p)
{
	xs_lr_t *it = NULL;
	char err[XACT_ERR_MAX] = "";
	json_t *none = json_object();
	int rc = xs_lr_open(&it, p->b, none, p->prefix, XS_LR_REMOTE, false, err, sizeof(err));
	json_decref(none);
	const char *name;
	int64_t size;
	size_t sl = strlen(p->suffix);
	while (!rc && !xact_aborted(p->x) && (rc = xs_lr_next(it, &name, &size, err, sizeof(err))) == 1) {
		rc = 0;
		size_t nl = strlen(name);
		if (sl && (nl < sl || strcmp(name + nl - sl, p->suffix)))
			continue;
		pthread_mutex_lock(&p->mu);
		int i = p->nt;
		int arc = dl_add(p, name, "");
		pthread_mutex_unlock(&p->mu);
		if (arc)
			break;
		obj_t o;
		memset(&o, 0, sizeof(o));
		bk_err_t e;
		if (obj_place(&o, p->b, name) || bk_fetch(&o, false, &e)) {
			dl_err(p, i, "%s", e.msg);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		p->t[i].state = 2;
		p->t[i].total = size;
		pthread_mutex_unlock(&p->mu);
		xact_objs_add(p->x, 1, size > 0 ? size : 0);
	}
	if (rc < 0)
		xact_add_err(p->x, "%s", err);
	xs_lr_close(it);
}

static void dl_run(xact_t *x)
{
	dlj_t *p = xact_priv(x);
	if (!strcmp(p->type, "backend")) {
		p->dispatched = true;
		dl_backend(p);
		return;
	}
	p->dispatched = true;
	for (int i = 0; i < p->nt && !xact_aborted(x); i++)
		dl_one(p, i);
}

static void dl_fini(xact_t *x)
{
	dlj_t *p = xact_priv(x);
	if (!p)
		return;
	for (int i = 0; i < p->nt; i++) {
		free(p->t[i].name);
		free(p->t[i].link);
	}
	free(p->t);
	json_decref(p->errs);
	json_decref(p->msg);
	bmd_put(p->bmd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

const xact_ops_t xs_download_ops = {.prep = dl_prep, .run = dl_run, .fini = dl_fini};

/* ---- status (the /v1/download API) ---- */

static json_t *dl_time(int64_t ns)
{
	char b[48];
	if (!ns)
		return json_string("0001-01-01T00:00:00Z");
	fmt_rfc3339(ns, b, sizeof(b));
	return json_string(b);
}

static json_t *dl_task_json(const dl_task_t *t)
{
	char d[24], tot[24];
	snprintf(d, sizeof(d), "%lld", (long long)t->done_bytes);
	json_t *j = json_pack("{s:s, s:s}", "name", t->name, "downloaded", d);
	if (t->total > 0) {
		snprintf(tot, sizeof(tot), "%lld", (long long)t->total);
		json_object_set_new(j, "total", json_string(tot));
	}
	if (t->start_ns)
		json_object_set_new(j, "start_time", dl_time(t->start_ns));
	if (t->end_ns)
		json_object_set_new(j, "end_time", dl_time(t->end_ns));
	return j;
}

json_t *xs_download_status(xact_t *x, bool only_active, bool with_tasks)
{
	dlj_t *p = xact_priv(x);
	if (!p || xact_kind(x)->ops != &xs_download_ops)
		return NULL;
	pthread_mutex_lock(&p->mu);
	if (p->removed) {
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	int fin = 0, errs = 0, skipped = 0, sched = 0;
	json_t *cur = json_array(), *done = json_array();
	for (int i = 0; i < p->nt; i++) {
		const dl_task_t *t = &p->t[i];
		fin += t->state == 2;
		errs += t->state == 3;
		skipped += t->state == 4;
		sched += t->state != 0;
		if (!with_tasks)
			continue;
		if (t->state == 1)
			json_array_append_new(cur, dl_task_json(t));
		else if (t->state == 2 && !only_active)
			json_array_append_new(done, dl_task_json(t));
	}
	json_t *j = json_object();
	json_object_set_new(j, "id", json_string(xact_id(x)));
	json_object_set_new(j, "xaction_id", json_string(xact_id(x)));
	json_object_set_new(j, "description", json_string(p->descr));
	json_object_set_new(j, "started_time", dl_time(p->started));
	json_object_set_new(j, "finished_time", dl_time(xact_end_ns(x)));
	json_object_set_new(j, "finished_cnt", json_integer(fin));
	json_object_set_new(j, "scheduled_cnt", json_integer(sched));
	json_object_set_new(j, "skipped_cnt", json_integer(skipped));
	json_object_set_new(j, "error_cnt", json_integer(errs));
	json_object_set_new(j, "total", json_integer(strcmp(p->type, "backend") ? p->nt : -1));
	json_object_set_new(j, "all_dispatched", json_boolean(p->dispatched || xact_done(x)));
	json_object_set_new(j, "aborted", json_boolean(xact_state(x) == XACT_ABORTED || xact_state(x) == XACT_ABORTING));
	if (with_tasks) {
		if (json_array_size(cur))
			json_object_set(j, "current_tasks", cur);
		if (json_array_size(done))
			json_object_set(j, "finished_tasks", done);
		if (json_array_size(p->errs) && !only_active)
			json_object_set(j, "download_errors", p->errs);
	}
	json_decref(cur);
	json_decref(done);
	pthread_mutex_unlock(&p->mu);
	return j;
}

int xs_download_remove(xact_t *x)
{
	dlj_t *p = xact_priv(x);
	if (!p || xact_kind(x)->ops != &xs_download_ops)
		return AIS_ENOTFOUND;
	if (!xact_done(x))
		return AIS_ECONFLICT;
	pthread_mutex_lock(&p->mu);
	bool was = p->removed;
	p->removed = true;
	pthread_mutex_unlock(&p->mu);
	return was ? AIS_ENOTFOUND : 0;
}
