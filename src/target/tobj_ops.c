/* tobj_ops: the native API's DELETE of an object, POST {"action":"rename-obj","name":...} and
 * single-object copy (PUT ?object_to=<uname>, AIStore 4.7's api.CopyObject): adapters over the
 * object core (obj/obj_ops.h). A copy whose destination another target owns goes to that target
 * over the target-to-target transport (tmove_send, "obj-put", on this pool thread); a rename
 * removes its source only once the peer replied "committed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/util.h"
#include "obj/obj_ops.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "target/tmove.h"
#include "target/treb.h"

static void ops_delete_respond(http_req_t *r, obj_t *o, int rc)
{
	if (rc == AIS_ENOTFOUND) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(o->bck, o->oname, cn, sizeof(cn));
		http_error(r, 404, NULL, "%s doesn't exist", cn);
	} else if (rc) {
		http_error_code(r, rc, "%s: failed to delete %s: %s", node_name(), o->fqn, err_str(rc));
	} else {
		http_respond(r, 200, NULL, NULL, 0);
	}
}

/* pool: a delete of an object that is ours but not here yet (a rebalance is moving it): it
 * exists if a neighbour still has it. Our tombstone (left by obj_delete) makes sure the copy
 * that arrives later is refused and dropped at its sender (treb.h). */
static void ops_delete_gfn_cb(http_req_t *r)
{
	obj_t *o = r->user;
	r->user = NULL;
	char err[256];
	int rc = treb_gfn(o, err, sizeof(err));
	struct stat st;
	char p[FQN_MAX];
	obj_t *alt = NULL;
	obj_fqn_now(o, p, sizeof(p)); /* (a directory's leaf: fqn.h) */
	if (rc == AIS_EEXIST) {
		rc = 0; /* it was there: gone now */
	} else if (!rc || (rc == AIS_ENOTFOUND && ((!stat(p, &st) && S_ISREG(st.st_mode)) || !obj_locate(o, &alt)))) {
		/* a version newer than our delete, or its migration landed meanwhile: delete what is
		 * here now (a plain miss was counted by the first delete already) */
		obj_why_t why;
		rc = obj_delete(o, &why);
	}
	free(alt);
	ops_delete_respond(r, o, rc);
	obj_fini(o);
	free(o);
}

/* a remote bucket's object (pool, body read): DELETE writes through - the remote first, then the
 * copy here; {"action":"evict-listrange"} (api.EvictObject) removes only the copy here */
static void ops_delete_remote_cb(http_req_t *r)
{
	obj_t *o = r->user;
	r->user = NULL;
	json_error_t je;
	json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	const char *act = j ? json_string_value(json_object_get(j, "action")) : NULL;
	bool evict = act && !strcmp(act, "evict-listrange");
	char cn[OBJ_UNAME_MAX];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	if (act && !evict && strcmp(act, "delete-listrange")) {
		http_error(r, 400, NULL, "invalid action \"%s\" for DELETE %s", act, cn);
		goto out;
	}
	bk_err_t e = {0};
	int rrc = evict ? 0 : bk_delete_through(o, &e);
	if (rrc && e.status != 404) {
		stats_err(STATS_ERR_DEL, STATS_BCK(o->bck));
		http_error(r, e.status ? e.status : 500, NULL, "%s", e.msg);
		goto out;
	}
	obj_why_t why;
	int rc = obj_delete(o, &why);
	if (rc == AIS_ENOTFOUND && (evict || rrc)) /* nowhere (or not here, for evict) */
		http_error(r, 404, "ErrNotFound", "%s doesn't exist", cn);
	else if (rc && rc != AIS_ENOTFOUND)
		http_error_code(r, rc, "%s: failed to delete %s: %s", node_name(), o->fqn, err_str(rc));
	else
		http_respond(r, 200, NULL, NULL, 0);
out:
	json_decref(j);
	obj_fini(o);
	free(o);
}

void tobj_ops_delete(http_req_t *r)
{
	if (http_query_get(r, "uploadId")) {
		mpu_delete_handle(r);
		return;
	}
	obj_t *o = malloc(sizeof(*o));
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	if (bk_of(o->bck)) {
		r->user = o;
		http_read_body(r, 64 * 1024, ops_delete_remote_cb, true);
		return;
	}
	obj_why_t why;
	int rc = obj_delete(o, &why);
	snode_t owner;
	const char *q = http_query_get(r, "is_gfn");
	if (rc == AIS_ENOTFOUND && treb_gfn_window() && !(q && !strcmp(q, "true")) &&
	    !obj_remote_owner(o->bck, o->oname, &owner)) {
		r->user = o;
		http_defer(r, ops_delete_gfn_cb);
		return;
	}
	ops_delete_respond(r, o, rc);
out:
	obj_fini(o);
	free(o);
}

/* the copy both rename and object_to use */
static void ops_copy(http_req_t *r, obj_t *src, const bck_t *dbck, const char *dname, bool move)
{
	char cn[OBJ_UNAME_MAX], err[512];
	obj_why_t why;
	int rc = obj_copy(src, dbck, dname, move ? OBJ_CP_MOVE : 0, tmove_send, NULL, err, sizeof(err), &why);
	if (!rc) {
		http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	obj_cname(src->bck, src->oname, cn, sizeof(cn));
	switch (why) {
	case OBJ_WHY_NOT_FOUND:
		tobj_err_notfound(r, src);
		break;
	case OBJ_WHY_SELF:
		http_error(r, 400, NULL, "%s: cannot rename/move object %s onto itself", node_name(), cn);
		break;
	case OBJ_WHY_BAD_NAME:
		http_error(r, 400, NULL, "invalid object name \"%s\"", dname);
		break;
	case OBJ_WHY_DIR_CONFLICT:
		http_error(r, 409, NULL, "%s: failed to copy %s => %s: destination exists and is a virtual directory",
			   node_name(), cn, dname);
		break;
	case OBJ_WHY_BAD_META:
	case OBJ_WHY_SIZE:
		http_error_code(r, rc, "%s: %s: %s", node_name(), cn, obj_why_str(why));
		break;
	default:
		http_error_code(r, rc, "%s: failed to copy %s => %s: %s", node_name(), cn, dname, err);
	}
}

/* pool thread, body buffered */
static void ops_post_body(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	json_t *j = NULL;
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	json_error_t je;
	j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	const char *act = j ? json_string_value(json_object_get(j, "action")) : NULL;
	if (!j || !act) {
		http_error(r, 400, NULL, "%s: invalid action message: %s", node_name(),
			   j ? "missing \"action\"" : "failed to parse JSON");
		goto out;
	}
	if (!strncmp(act, "mpt-", 4)) {
		mpu_post_handle(r, o, act, j);
		goto out;
	}
	if (strcmp(act, "rename-obj")) {
		http_error(r, 400, NULL, "invalid action \"%s\"", act);
		goto out;
	}
	const char *nn = json_string_value(json_object_get(j, "name"));
	if (!nn || !*nn) {
		http_error(r, 400, NULL, "rename-obj: missing new object name");
		goto out;
	}
	ops_copy(r, o, o->bck, nn, true);
out:
	if (j)
		json_decref(j);
	obj_fini(o);
	free(o);
}

void tobj_ops_post(http_req_t *r)
{
	http_read_body(r, 64 * 1024, ops_post_body, true);
}

/* "<provider>/<ns-uname>/<bucket>/<object>" (cmn.ParseUname); ns "@#" = global */
static int ops_parse_uname(const char *u, char *prov, char *ns, char *bck, size_t cap, const char **obj)
{
	const char *a = strchr(u, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;
	const char *c = b ? strchr(b + 1, '/') : NULL;
	if (!c || (size_t)(a - u) >= cap || (size_t)(b - a - 1) >= cap || (size_t)(c - b - 1) >= cap)
		return AIS_EINVAL;
	snprintf(prov, cap, "%.*s", (int)(a - u), u);
	snprintf(ns, cap, "%.*s", (int)(b - a - 1), a + 1);
	snprintf(bck, cap, "%.*s", (int)(c - b - 1), b + 1);
	if (!strcmp(ns, "@#"))
		ns[0] = '\0';
	if (!prov[0])
		snprintf(prov, cap, "ais");
	*obj = c + 1;
	return **obj ? 0 : AIS_EINVAL;
}

static void ops_copy_cb(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	const char *to = http_query_get(r, "object_to");
	char prov[96], ns[96], bck[96];
	const char *dname = NULL;
	if (!to || ops_parse_uname(to, prov, ns, bck, sizeof(prov), &dname)) {
		http_error(r, 400, NULL, "parse-uname \"%s\": invalid destination", to ? to : "");
		goto out;
	}
	if (strcmp(prov, "ais")) {
		http_error(r, 501, NULL, "copy to provider \"%s\": remote backends are not supported yet", prov);
		goto out;
	}
	const bck_t *db = bmd_find(o->bmd, prov, ns, bck);
	if (!db) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", prov, bck);
		goto out;
	}
	ops_copy(r, o, db, dname, false);
out:
	obj_fini(o);
	free(o);
}

void tobj_ops_copy(http_req_t *r)
{
	http_defer(r, ops_copy_cb);
}
