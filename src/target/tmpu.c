/* tmpu: the native API of multipart uploads (api/mpt.go) over the protocol-free core obj/mpu:
 *   POST   /v1/objects/<b>/<o>  {"action":"mpt-upload"}                     -> upload id (text)
 *   PUT    /v1/objects/<b>/<o>?uploadId=<id>&partNumber=<n>  body           -> 200
 *   POST   /v1/objects/<b>/<o>?uploadId=<id> {"action":"mpt-complete","value":[{"part-number":n}]}
 *   DELETE /v1/objects/<b>/<o>?uploadId=<id> {"action":"mpt-abort"} */
#include "target/tgt_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/util.h"
#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "obj/mpu.h"


static void mpu_err(http_req_t *r, const obj_t *o, const char *id, int rc, mpu_why_t why, const char *what)
{
	char cn[FQN_OBJNAME_MAX + 256];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	switch (why) {
	case MPU_WHY_NO_SUCH_UPLOAD:
		http_error(r, 404, "ErrNotFound", "%s: upload \"%s\" for %s does not exist", node_name(), id, cn);
		return;
	case MPU_WHY_PARTIAL:
		http_error(r, 501, NULL, "%s: %s: partial completion is not allowed: parts must be exactly 1..N",
			   node_name(), cn);
		return;
	case MPU_WHY_INVALID_PART:
	case MPU_WHY_INVALID_ORDER:
	case MPU_WHY_TOO_SMALL:
		http_error(r, 400, NULL, "%s: %s upload \"%s\" of %s: invalid part list", node_name(), what, id, cn);
		return;
	case MPU_WHY_BAD_CKSUM:
		http_error(r, 400, "ErrBadCksum", "%s: %s: part checksum mismatch", node_name(), cn);
		return;
	default:
		http_error_code(r, rc, "%s: %s upload \"%s\" of %s: %s", node_name(), what, id, cn, err_str(rc));
	}
}

typedef struct mpu_remote {
	const obj_t *o;
	bk_err_t *e;
} mpu_remote_t;

static int mpu_remote_cb(lom_md_t *md, const ufest_t *u, void *arg)
{
	mpu_remote_t *m = arg;
	return bk_mpu_through(m->o, u, md, m->e);
}

typedef struct put_part {
	obj_t o;
	mpu_part_t *p;
	char id[UFEST_ID_MAX];
	int rc;
} put_part_t;

static int mpu_data_cb(http_req_t *r, const char *data, size_t len)
{
	put_part_t *pp = r->user;
	int rc = mpu_part_write(pp->p, data, len);
	if (rc)
		pp->rc = rc;
	return rc;
}

static void mpu_end_cb(http_req_t *r, int status)
{
	put_part_t *pp = r->user;
	r->user = NULL;
	mpu_part_info_t info;
	mpu_why_t why;
	int rc = mpu_part_end(pp->p, status == 0 && pp->rc == 0, NULL, &info, &why);
	if (!rc && status)
		rc = status;
	if (rc) {
		mpu_err(r, &pp->o, pp->id, status ? status : rc, why, "put part of");
	} else {
		http_respond(r, 200, NULL, NULL, 0);
	}
	obj_fini(&pp->o);
	free(pp);
}

void mpu_put_handle(http_req_t *r)
{
	put_part_t *pp = calloc(1, sizeof(*pp));
	if (!pp) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(&pp->o, r))
		goto out;
	const char *id = http_query_get(r, "uploadId");
	const char *pn = http_query_get(r, "partNumber");
	int64_t num = 0;
	snprintf(pp->id, sizeof(pp->id), "%s", id ? id : "");
	if (!pn || parse_i64(pn, &num) || num < 1 || num > UFEST_MAX_CHUNKS) {
		char cn[FQN_OBJNAME_MAX + 256];
		obj_cname(pp->o.bck, pp->o.oname, cn, sizeof(cn));
		http_error(r, 400, NULL, "%s: invalid part number \"%s\" for uploadID \"%s\"", cn, pn ? pn : "",
			   pp->id);
		goto out;
	}
	if (r->content_length <= 0) { /* AIStore (ups._put): no empty, no unsized part */
		char cn[FQN_OBJNAME_MAX + 256];
		obj_cname(pp->o.bck, pp->o.oname, cn, sizeof(cn));
		http_error(r, 400, NULL, "%s: put-part invalid size (%lld)", cn, (long long)r->content_length);
		goto out;
	}
	mpu_why_t why;
	int rc = mpu_part_begin(&pp->o, pp->id, (int)num, NULL, MPU_P_NO_MD5, &pp->p, &why);
	if (rc) {
		mpu_err(r, &pp->o, pp->id, rc, why, "put part of");
		goto out;
	}
	r->user = pp;
	http_stream_body(r, mpu_data_cb, mpu_end_cb);
	return;
out:
	obj_fini(&pp->o);
	free(pp);
}

void mpu_post_handle(http_req_t *r, obj_t *o, const char *action, void *jmsg)
{
	json_t *j = jmsg;
	const char *id = http_query_get(r, "uploadId");
	mpu_why_t why = MPU_WHY_NONE;
	int rc;
	if (!strcmp(action, "mpt-upload")) {
		char nid[UFEST_ID_MAX];
		if ((rc = mpu_init(o, NULL, 0, nid, sizeof(nid)))) {
			mpu_err(r, o, "", rc, MPU_WHY_NONE, "start");
			return;
		}
		http_respond(r, 200, "text/plain", nid, strlen(nid));
		return;
	}
	if (!strcmp(action, "mpt-abort")) {
		if ((rc = mpu_abort(o, id ? id : "", &why)))
			mpu_err(r, o, id ? id : "", rc, why, "abort");
		else
			http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	if (strcmp(action, "mpt-complete")) {
		http_error(r, 400, NULL, "invalid action \"%s\"", action);
		return;
	}
	json_t *v = json_object_get(j, "value");
	size_t n = json_is_array(v) ? json_array_size(v) : 0;
	if (!n || n > UFEST_MAX_CHUNKS) {
		http_error(r, 400, NULL, "%s: complete upload \"%s\": %s parts list", node_name(), id ? id : "",
			   n ? "too long" : "nil or empty");
		return;
	}
	mpu_cpart_t *parts = calloc(n, sizeof(*parts));
	if (!parts) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *pn = json_object_get(json_array_get(v, i), "part-number");
		parts[i].num = json_is_integer(pn) ? (int)json_integer_value(pn) : -1;
	}
	lom_md_t md;
	lom_md_init(&md);
	char etag[64];
	bk_err_t be = {0};
	bool remote = bk_of(o->bck) != NULL;
	/* a remote bucket's upload goes through to the remote before it completes here */
	rc = mpu_complete(o, id ? id : "", parts, (int)n, remote ? MPU_C_KEEP_VERSION : 0, remote ? mpu_remote_cb : NULL,
			  &(mpu_remote_t){o, &be}, &md, etag, sizeof(etag), &why);
	if (rc && be.status) {
		http_error(r, be.status, NULL, "%s", be.msg);
	} else if (rc) {
		mpu_err(r, o, id ? id : "", rc, why, "complete");
	} else {
		tobj_add_md_hdrs(r, &md);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&md);
	free(parts);
}

static void mpu_delete_cb(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (!tobj_init(o, r)) {
		const char *id = http_query_get(r, "uploadId");
		mpu_why_t why;
		int rc = mpu_abort(o, id, &why);
		if (rc)
			mpu_err(r, o, id, rc, why, "abort");
		else
			http_respond(r, 200, NULL, NULL, 0);
	}
	obj_fini(o);
	free(o);
}

void mpu_delete_handle(http_req_t *r)
{
	http_read_body(r, 64 * 1024, mpu_delete_cb, true);
}
