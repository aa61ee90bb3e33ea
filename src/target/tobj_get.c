/* tobj_get: the native API's GET and HEAD /v1/objects/<bck>/<obj>, an adapter over the object
 * reader (obj/obj_get.h): Range header in, AIStore headers and JSON errors out. A monolithic
 * object goes out with sendfile (http_respond_fd), whole or one range; a chunked object is
 * streamed from a pool thread; with checksum.validate_warm_get the core re-hashes it first on a
 * pool thread (a mismatch removes it: 500 ErrBadCksum, never bad bytes). Headers are added only
 * once the response is certain. Statistics are the core's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "target/tgt_int.h"

typedef struct get_ctx {
	obj_t o;
	obj_get_t g;
	int status;
	int64_t off, len;
} get_ctx_t;

static void get_ctx_free(get_ctx_t *c)
{
	obj_get_close(&c->g);
	obj_fini(&c->o);
	free(c);
}

/* the core's failure → AIStore's error (same statuses and messages as before the core) */
static void get_err(http_req_t *r, get_ctx_t *c, int rc, obj_why_t why)
{
	const obj_t *o = &c->o;
	const obj_get_t *g = &c->g;
	char cn[OBJ_UNAME_MAX];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	switch (why) {
	case OBJ_WHY_NOT_FOUND:
		tobj_err_notfound(r, o);
		return;
	case OBJ_WHY_BAD_META:
		http_error(r, 500, rc == AIS_ECKSUM ? "ErrBadCksum" : NULL, "%s: %s: %s metadata (%s)", node_name(), cn,
			   rc == AIS_ECKSUM ? "BAD META CHECKSUM" : "corrupted", err_str(rc));
		return;
	case OBJ_WHY_SIZE:
		http_error(r, 500, NULL, "%s: %s: size on disk %lld does not match its metadata (%lld): corrupted",
			   node_name(), cn, (long long)g->disk_size, (long long)g->size);
		return;
	case OBJ_WHY_CORRUPT:
		http_error(r, 500, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
			   cksum_type_str(g->md.cktype), g->md.ckval, g->ck_got, cn);
		return;
	case OBJ_WHY_IO:
		if (g->prepared || g->validate)
			http_error(r, 500, NULL, "%s: failed to read %s: %s", node_name(), o->fqn, strerror(g->sys_errno));
		else
			http_error(r, 500, NULL, "%s: open %s: %s", node_name(), o->fqn, strerror(g->sys_errno));
		return;
	case OBJ_WHY_MANIFEST:
		http_error(r, 500, NULL, "%s: %s: chunk manifest: %s", node_name(), cn, err_str(rc));
		return;
	default:
		if (g->validate)
			http_error_code(r, rc == AIS_ENOMEM ? rc : AIS_EINTERNAL, "validate-on-read: %s", err_str(rc));
		else
			http_error_code(r, rc, "%s: %s: %s", node_name(), cn, err_str(rc));
	}
}

static void add_head_props(http_req_t *r, const obj_t *o)
{
	http_hdr_add(r, "Ais-Bucket-Name", o->bck->name);
	http_hdr_add(r, "Ais-Bucket-Provider", o->bck->provider);
	http_hdr_add(r, "Ais-Name", o->oname);
	http_hdr_addf(r, "Ais-Location", "%s:%s", node_name(), fs_get(o->mpi)->path);
	http_hdr_add(r, "Ais-Mirror-Copies", "1");
	http_hdr_add(r, "Ais-Present", "true");
}

static void add_hdrs(http_req_t *r, const get_ctx_t *c, bool head)
{
	if (head) {
		tobj_add_md_hdrs(r, &c->g.md);
		add_head_props(r, &c->o);
		return;
	}
	tobj_add_md_hdrs(r, &c->g.md);
	if (c->status == 206) {
		http_hdr_add(r, "Accept-Ranges", "bytes");
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)c->off,
			      (long long)(c->off + c->len - 1), (long long)c->g.size);
	}
}

/* monolithic: sendfile */
static void get_sendfile(http_req_t *r, get_ctx_t *c, bool head)
{
	if (!head)
		http_hdr_add(r, "Content-Type", "application/octet-stream");
	add_hdrs(r, c, head);
	obj_get_done(&c->g, head ? -1 : c->len);
	http_respond_fd(r, c->status, obj_get_take_fd(&c->g), (off_t)c->off, (size_t)c->len);
}

/* pool thread: chunk manifest and/or validation, then the bytes */
static void get_pool_cb(http_req_t *r)
{
	get_ctx_t *c = r->user;
	r->user = NULL;
	obj_why_t why;
	int rc = obj_get_prepare(&c->g, &why);
	if (!rc && c->off + c->len > c->g.size) {
		rc = AIS_ECONFLICT; /* replaced meanwhile by a smaller version */
		why = OBJ_WHY_MANIFEST;
	}
	if (rc) {
		get_err(r, c, rc, why);
		goto out;
	}
	if (!c->g.chunked) {
		get_sendfile(r, c, false);
		goto out;
	}
	add_hdrs(r, c, false);
	size_t bufsz = 1 << 20;
	char *buf = malloc(bufsz);
	if (!buf) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	rc = http_resp_begin(r, c->status, "application/octet-stream", c->len);
	int64_t pos = c->off, end = c->off + c->len;
	while (!rc && pos < end) {
		size_t want = (size_t)(end - pos) < bufsz ? (size_t)(end - pos) : bufsz;
		ssize_t n = obj_get_pread(&c->g, buf, want, pos);
		if (n <= 0)
			break; /* short: the server closes the connection */
		rc = http_resp_write(r, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	obj_get_done(&c->g, c->len);
	http_resp_end(r);
out:
	get_ctx_free(c);
}

static void get_range_err(http_req_t *r, int rc, int64_t size)
{
	const char *rh = http_hdr_get(r, "Range");
	if (rc == AIS_ERANGE) {
		http_hdr_addf(r, "Content-Range", "bytes */%lld", (long long)size);
		http_error(r, 416, "ErrRangeNotSatisfiable", "object size = %lld, read range(s) %s not satisfiable",
			   (long long)size, rh);
	} else if (rc == AIS_ENOTIMPL) {
		http_error(r, 416, "ErrUnsupp", "multi-range read is not supported");
	} else {
		http_error(r, 416, NULL, "read range \"%s\" is invalid", rh);
	}
}

void tobj_get_handle(http_req_t *r) { tobj_get_serve(r, false); }

void tobj_get_serve(http_req_t *r, bool local_only)
{
	bool head = r->method == HTTP_M_HEAD;
	get_ctx_t *c = calloc(1, sizeof(*c));
	if (!c) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(&c->o, r))
		goto out;
	obj_why_t why;
	int rc = obj_get_open(&c->g, &c->o, head ? OBJ_GET_HEAD : 0, &why);
	if (!local_only && tcold_wanted(&c->o, r, rc)) { /* a remote bucket's object: tobj_cold.c */
		obj_get_close(&c->g);
		tcold_handle(r, &c->o);
		goto out;
	}
	if (rc) {
		get_err(r, c, rc, why);
		goto out;
	}
	c->status = 200;
	c->off = 0;
	c->len = c->g.size;
	if (head) {
		get_sendfile(r, c, true);
		goto out;
	}
	rc = obj_get_range_apply(&c->g, http_hdr_get(r, "Range"), &c->off, &c->len);
	if (rc < 0) {
		get_range_err(r, rc, c->g.size);
		goto out;
	}
	if (rc == 1)
		c->status = 206;
	if (obj_get_needs_pool(&c->g)) {
		r->user = c;
		if (c->g.chunked)
			http_defer_stream(r, get_pool_cb);
		else
			http_defer(r, get_pool_cb);
		return;
	}
	get_sendfile(r, c, false);
out:
	get_ctx_free(c);
}
