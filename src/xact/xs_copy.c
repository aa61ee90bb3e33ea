/* xs_copy: the copy jobs' per-object step (see xs_copy.h). */
#include "net/rsig.h"
#include "xact/xs_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "xact/xs_lr.h"

static int copy_dst_name(json_t *msg, xact_bck_t *out, char *err, size_t cap)
{
	json_t *tb = json_object_get(msg, "tobck");
	const char *name = json_string_value(json_object_get(tb, "name"));
	memset(out, 0, sizeof(*out));
	if (!name || !*name) {
		snprintf(err, cap, "missing destination bucket (\"tobck\")");
		return AIS_EINVAL;
	}
	const char *prov = json_string_value(json_object_get(tb, "provider"));
	json_t *ns = json_object_get(tb, "namespace");
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->provider, sizeof(out->provider), "%s", prov && *prov ? prov : "ais");
	if (json_is_string(ns))
		snprintf(out->ns, sizeof(out->ns), "%s", json_string_value(ns));
	return 0;
}

int xs_copy_dst(xs_copy_t *c, bmd_t *bmd, json_t *msg, xact_bck_t *db, char *err, size_t cap)
{
	int rc = copy_dst_name(msg, db, err, cap);
	if (rc)
		return rc;
	c->dst = bmd_find(bmd, db->provider, db->ns, db->name);
	if (c->dst)
		return 0;
	snprintf(err, cap, "destination bucket \"%s://%s\" does not exist", db->provider, db->name);
	return AIS_ENOBUCKET;
}

void xs_copy_opts(xs_copy_t *c, json_t *msg)
{
	snprintf(c->prepend, sizeof(c->prepend), "%s", xs_msg_str(msg, "prepend", ""));
	c->dry_run = xs_msg_bool(msg, "dry_run");
	c->latest = xs_msg_bool(msg, "latest-ver");
}

int xs_copy_work(void *arg, const char *name, int64_t size)
{
	xs_copy_one(arg, name, size);
	return 0;
}

static int copy_present(const obj_t *o, int64_t *size)
{
	obj_get_t g;
	obj_why_t why;
	int rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	if (!rc && size)
		*size = g.size;
	obj_get_close(&g);
	return rc;
}

int xs_copy_one(xs_copy_t *c, const char *name, int64_t size)
{
	obj_t so;
	memset(&so, 0, sizeof(so));
	int rc = obj_place(&so, c->src, name);
	if (rc)
		return rc;
	char dname[FQN_OBJNAME_MAX + 256];
	if (snprintf(dname, sizeof(dname), "%s%s", c->prepend, name) >= (int)sizeof(dname))
		return AIS_EINVAL;
	int64_t have = -1;
	rc = copy_present(&so, &have);
	if (bk_of(c->src)) { /* a remote source: here first (or its latest version) */
		bk_err_t e;
		bool refresh = false;
		if (!rc && c->latest) {
			obj_get_t g;
			obj_why_t why;
			bk_warm_t v = BK_WARM_SAME;
			if (!obj_get_open(&g, &so, OBJ_GET_QUIET | OBJ_GET_HEAD, &why) && !bk_warm_check(&so, &g.md, &v, &e) &&
			    v != BK_WARM_SAME) {
				rc = AIS_ENOTFOUND;
				refresh = true;
			}
			obj_get_close(&g);
			if (v == BK_WARM_DELETED)
				return AIS_ENOTFOUND;
		}
		if (rc == AIS_ENOTFOUND && !c->dry_run) {
			if ((rc = bk_fetch(&so, refresh, &e))) {
				xact_add_err(c->x, "%s", e.msg);
				return rc == AIS_ENOTFOUND ? AIS_ENOTFOUND : rc;
			}
			rc = copy_present(&so, &have);
		} else if (rc == AIS_ENOTFOUND && c->dry_run) {
			xact_objs_add(c->x, 1, size > 0 ? size : 0);
			return 0;
		}
	}
	if (rc)
		return rc;
	if (c->dry_run) {
		xact_objs_add(c->x, 1, have);
		return 0;
	}
	char err[512];
	obj_why_t why;
	rc = obj_copy(&so, c->dst, dname, c->move ? OBJ_CP_MOVE : 0, xs_mover(), NULL, err, sizeof(err), &why);
	if (rc == AIS_ENOTFOUND)
		return rc; /* deleted meanwhile: skipped */
	if (rc) {
		xact_add_err(c->x, "copy %s => %s: %s", name, dname, err[0] ? err : err_str(rc));
		return rc;
	}
	snode_t peer;
	if (obj_remote_owner(c->dst, dname, &peer))
		xact_out_add(c->x, 1, have);
	xact_objs_add(c->x, 1, have);
	return 0;
}

/* is the source of dst object dname still there? (its owner may be another target) */
static bool sync_src_exists(xs_copy_t *c, const char *sname)
{
	if (bk_of(c->src)) {
		bk_oattrs_t oa;
		bk_err_t e;
		int rc = bk_of(c->src)->head_obj(c->src, sname, &oa, &e);
		return rc != AIS_ENOTFOUND;
	}
	snode_t peer;
	if (!obj_remote_owner(c->src, sname, &peer)) {
		obj_t o;
		memset(&o, 0, sizeof(o));
		return obj_place(&o, c->src, sname) || copy_present(&o, NULL) != AIS_ENOTFOUND;
	}
	char *en = url_encode(sname, true), *eb = url_encode(c->src->name, false);
	sbuf_t u = SBUF_INIT;
	sbuf_addf(&u, "%s/v1/objects/%s/%s?provider=%s&", peer.pub.url, eb ? eb : "", en ? en : "", c->src->provider);
	free(en);
	free(eb);
	/* the redirect marks, signed (net/rsig.h): the owner answers wherever it stands */
	sbuf_t path = SBUF_INIT;
	sbuf_addf(&path, "/v1/objects/%s/%s", c->src->name, sname);
	if (path.oom || rsig_sign(&u, "HEAD", sbuf_str(&path), node_id(), peer.id, (int64_t)now_ns(), NULL))
		u.oom = true;
	sbuf_fini(&path);
	if (u.oom) {
		sbuf_fini(&u);
		return true; /* cannot ask: keep it */
	}
	hreq_t q = {.method = "HEAD", .url = sbuf_str(&u), .timeout_ms = 30000};
	hclient_do(&q);
	bool gone = !q.rc && q.status == 404;
	hreq_fini(&q);
	sbuf_fini(&u);
	return !gone;
}

int xs_copy_sync(xs_copy_t *c, char *err, size_t cap)
{
	xs_lr_t *it = NULL;
	json_t *none = json_object();
	int rc = xs_lr_open(&it, c->dst, none, c->prepend, XS_LR_LOCAL, false, err, cap);
	json_decref(none);
	if (rc)
		return rc;
	const char *name;
	int64_t size;
	size_t pl = strlen(c->prepend);
	while (!xact_aborted(c->x) && (rc = xs_lr_next(it, &name, &size, err, cap)) == 1) {
		if (strncmp(name, c->prepend, pl) || sync_src_exists(c, name + pl))
			continue;
		obj_t o;
		obj_why_t why;
		memset(&o, 0, sizeof(o));
		if (!obj_place(&o, c->dst, name) && !obj_delete(&o, &why))
			log_info("copy sync: removed %s (gone at the source)", name);
	}
	xs_lr_close(it);
	return rc < 0 ? rc : 0;
}
