/* tobj_put: the native API's PUT /v1/objects/<bck>/<obj> and AIStore's APPEND
 * (append_type=append|flush with append_handle), adapters over the object writer
 * (obj/obj_put.h). PUT: Ais-Checksum-* and Content-Length in, each body chunk straight into the
 * writer (work file or chunks above chunks.objsize_limit, checksums on the fly), commit at the
 * end; a truncated body, a disconnect or a checksum mismatch aborts: nothing partial is visible.
 * APPEND keeps appending to one work file named by the returned Ais-Append-Handle (created and
 * seeded with the current object by obj_put_append_new); flush hands that file to the writer
 * (obj_put_adopt), which re-hashes, verifies and commits it. The handle is this API's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "fs/fs.h"
#include "backend/bk.h"
#include "backend/bk_obj.h"
#include "obj/obj_put.h"
#include "stats/stats.h" /* stats_now: an append's start */
#include "target/tgt_int.h"

typedef struct put_ctx {
	obj_t o;
	bool remote;            /* a remote bucket: the commit writes through (backend/bk_obj.h) */
	bk_err_t berr;          /* what the remote said when it refused */
	obj_put_t *w;           /* PUT */
	int fd;                 /* APPEND: the append work file */
	char work[FQN_MAX];
	char handle[256];
	cksum_type_t want_type; /* Ais-Checksum-Type/Value */
	char want[CKSUM_MAX_HEX];
	int err;
	int64_t t0;
} put_ctx_t;

static void put_ctx_free(put_ctx_t *p)
{
	obj_put_abort(p->w, 0);
	if (p->fd >= 0)
		close(p->fd);
	obj_fini(&p->o);
	free(p);
}

/* Ais-Checksum-Type/Value from the client: 0, or AIS_EINVAL */
static int put_client_cksum(http_req_t *r, put_ctx_t *p)
{
	const char *v = http_hdr_get(r, "Ais-Checksum-Value");
	const char *t = http_hdr_get(r, "Ais-Checksum-Type");
	if (!v || !*v)
		return 0;
	char low[16];
	size_t i = 0;
	for (; t && t[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
	low[i] = '\0';
	int ty = cksum_type_from_str(low);
	if (ty <= CKSUM_NONE || strlen(v) >= CKSUM_MAX_HEX)
		return AIS_EINVAL;
	p->want_type = (cksum_type_t)ty;
	snprintf(p->want, sizeof(p->want), "%s", v);
	return 0;
}

/* a writer failure → AIStore's error; what: "PUT" or "append" */
static void put_err(http_req_t *r, const put_ctx_t *p, int rc, obj_why_t why, const obj_put_res_t *res, bool flush)
{
	char cn[OBJ_UNAME_MAX];
	obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
	if (why == OBJ_WHY_REMOTE && p->berr.status) {
		http_error(r, p->berr.status, NULL, "%s", p->berr.msg);
	} else if (why == OBJ_WHY_BAD_CKSUM) {
		/* the native flush names the computed value first, PUT the expected one (as before) */
		http_error(r, 400, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
			   cksum_type_str(p->want_type), flush ? res->client_got : res->client_want,
			   flush ? res->client_want : res->client_got, cn);
	} else if (rc == AIS_ECONFLICT) {
		http_error(r, 409, NULL, "%s: failed to PUT %s: destination exists and is a virtual directory "
			   "(or a file in its path)", node_name(), cn);
	} else {
		http_error_code(r, rc, "%s: failed to PUT %s: %s", node_name(), cn, err_str(rc));
	}
}

/* ---- PUT */

static int put_data_cb(http_req_t *r, const char *data, size_t len)
{
	put_ctx_t *p = r->user;
	int rc = obj_put_write(p->w, data, len);
	if (rc)
		p->err = rc;
	return rc;
}

/* write-through: the remote gets the complete work file before anything is committed here */
static int put_remote_pre(void *arg, int fd, int64_t size, lom_md_t *md)
{
	put_ctx_t *p = arg;
	return bk_put_through(&p->o, fd, size, md, &p->berr);
}

static void put_commit_st(http_req_t *r, put_ctx_t *p, int status);

/* pool: a remote bucket's commit (it waits for the remote) */
static void put_commit_pool_cb(http_req_t *r)
{
	put_ctx_t *p = r->user;
	r->user = NULL;
	put_commit_st(r, p, 0);
}

static void put_end_cb(http_req_t *r, int status)
{
	put_ctx_t *p = r->user;
	if (p->remote && !status && !p->err) { /* never wait for the network on the loop */
		http_defer(r, put_commit_pool_cb);
		return;
	}
	r->user = NULL;
	put_commit_st(r, p, status);
}

static void put_commit_st(http_req_t *r, put_ctx_t *p, int status)
{
	obj_put_t *w = p->w;
	p->w = NULL;
	int rc = status ? status : p->err;
	if (rc) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
		obj_put_abort(w, rc);
		http_error_code(r, rc, "%s: failed to PUT %s: %s", node_name(), cn, err_str(rc));
		goto out;
	}
	obj_put_res_t res;
	obj_why_t why;
	rc = obj_put_commit(w, &res, &why);
	if (rc) {
		put_err(r, p, rc, why, &res, false);
	} else {
		tobj_add_md_hdrs(r, &res.md);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&res.md);
out:
	put_ctx_free(p);
}

static void put_start(http_req_t *r, put_ctx_t *p)
{
	obj_put_opts_t opt = {
		.client_type = p->want_type,
		.client_val = p->want,
		.size_hint = r->content_length,
		.acct = OBJ_ACCT_PUT,
		.tag = "put",
		.keep_version = p->remote, /* the remote's version, set by the write-through */
		.pre_commit = p->remote ? put_remote_pre : NULL,
		.pre_arg = p,
	};
	obj_why_t why;
	int rc = obj_put_begin(&p->o, &opt, &p->w, &why);
	if (rc) {
		http_error_code(r, rc, "%s: failed to create work file: %s", node_name(), err_str(rc));
		put_ctx_free(p);
		return;
	}
	r->user = p;
	http_stream_body(r, put_data_cb, put_end_cb);
}

/* ---- APPEND */

static int apnd_data_cb(http_req_t *r, const char *data, size_t len)
{
	put_ctx_t *p = r->user;
	int rc = fsops_write_all(p->fd, data, len);
	if (rc)
		p->err = rc;
	return rc;
}

static void apnd_end_cb(http_req_t *r, int status)
{
	put_ctx_t *p = r->user;
	r->user = NULL;
	int rc = status ? status : p->err;
	obj_put_append_done(&p->o, rc, p->t0);
	if (rc) {
		/* keep what was appended so far (AIStore does too) */
		char cn[OBJ_UNAME_MAX];
		obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
		http_error_code(r, rc, "%s: failed to PUT %s: %s", node_name(), cn, err_str(rc));
	} else {
		http_hdr_add(r, "Ais-Append-Handle", p->handle);
		http_respond(r, 200, NULL, NULL, 0);
	}
	put_ctx_free(p);
}

/* handle: "<node id>|<work file basename>|<cksum type>|" (opaque to clients) */
static int apnd_handle_parse(put_ctx_t *p, const char *h)
{
	const char *a = strchr(h, '|');
	if (!a)
		return AIS_EINVAL;
	const char *b = strchr(a + 1, '|');
	if (!b || b == a + 1 || (size_t)(b - a - 1) > 64)
		return AIS_EINVAL;
	if ((size_t)(a - h) != strlen(node_id()) || strncmp(h, node_id(), (size_t)(a - h)))
		return AIS_EINVAL;
	char base[80];
	snprintf(base, sizeof(base), "%.*s", (int)(b - a - 1), a + 1);
	if (strncmp(base, "apnd.", 5) || strchr(base, '/') || strstr(base, ".."))
		return AIS_EINVAL;
	const bck_t *bk = p->o.bck;
	int n = fqn_ct_dir(p->work, sizeof(p->work), fs_get(p->o.mpi)->path, bk->provider, bk->ns, bk->name,
			   FQN_CT_WORK);
	if (n < 0)
		return AIS_EINVAL;
	snprintf(p->work + n, sizeof(p->work) - (size_t)n, "/%s", base);
	return 0;
}

static void apnd_set_handle(put_ctx_t *p)
{
	const char *base = strrchr(p->work, '/');
	snprintf(p->handle, sizeof(p->handle), "%.64s|%.80s|%s|", node_id(), base ? base + 1 : p->work,
		 cksum_type_str(p->o.bck->cksum_type));
}

/* flush: pool thread - the writer adopts the append file: re-hash, verify, commit */
static void apnd_flush_cb(http_req_t *r)
{
	put_ctx_t *p = r->user;
	r->user = NULL;
	int fd = open(p->work, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
		http_error(r, 400, NULL, "%s: failed to finalize append-file operation on %s: invalid handle",
			   node_name(), cn);
		goto out;
	}
	obj_put_opts_t opt = {.client_type = p->want_type, .client_val = p->want, .size_hint = -1,
			      .acct = OBJ_ACCT_APPEND};
	obj_put_res_t res;
	obj_why_t why;
	memset(&res, 0, sizeof(res));
	lom_md_init(&res.md);
	int rc = obj_put_adopt(&p->o, &opt, fd, p->work, &p->w, &why);
	if (!rc) {
		obj_put_t *w = p->w;
		p->w = NULL;
		rc = obj_put_commit(w, &res, &why);
	}
	if (rc) {
		put_err(r, p, rc, why, &res, true);
	} else {
		tobj_add_md_hdrs(r, &res.md);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&res.md);
out:
	put_ctx_free(p);
}

static void apnd_start(http_req_t *r, put_ctx_t *p, const char *ty)
{
	const char *h = http_query_get(r, "append_handle");
	int rc;
	if (!strcmp(ty, "flush")) {
		if (!h || !*h || apnd_handle_parse(p, h)) {
			http_error(r, 400, NULL, "failed to finalize append-file operation: invalid handle \"%s\"",
				   h ? h : "");
			goto fail;
		}
		r->user = p;
		http_defer(r, apnd_flush_cb);
		return;
	}
	if (strcmp(ty, "append")) {
		http_error(r, 400, NULL, "invalid operation \"%s\" (expecting either \"append\" or \"flush\") - "
			   "check \"append_type\" query", ty);
		goto fail;
	}
	if (h && *h) {
		if (apnd_handle_parse(p, h)) {
			http_error(r, 400, NULL, "invalid append handle \"%s\"", h);
			goto fail;
		}
		p->fd = open(p->work, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (p->fd < 0) {
			http_error(r, 400, NULL, "invalid append handle \"%s\": %s", h, strerror(errno));
			goto fail;
		}
	} else {
		obj_why_t why;
		if ((rc = obj_put_append_new(&p->o, p->work, sizeof(p->work), &p->fd, &why))) {
			char cn[OBJ_UNAME_MAX];
			obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
			if (p->work[0])
				http_error_code(r, rc, "%s: failed to PUT %s: %s", node_name(), cn, err_str(rc));
			else
				http_error_code(r, rc, "%s: failed to create work file: %s", node_name(), err_str(rc));
			goto fail;
		}
	}
	apnd_set_handle(p);
	r->user = p;
	/* a failed append leaves the work file for the client to retry or abandon, as AIStore */
	http_stream_body(r, apnd_data_cb, apnd_end_cb);
	return;
fail:
	put_ctx_free(p);
}

void tobj_put_handle(http_req_t *r)
{
	if (http_query_get(r, "object_to")) {
		tobj_ops_copy(r);
		return;
	}
	if (http_query_get(r, "uploadId")) {
		mpu_put_handle(r);
		return;
	}
	put_ctx_t *p = calloc(1, sizeof(*p));
	if (!p) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	p->fd = -1;
	p->t0 = stats_now();
	if (tobj_init(&p->o, r)) {
		put_ctx_free(p);
		return;
	}
	if (put_client_cksum(r, p)) {
		http_error(r, 400, NULL, "invalid checksum type \"%s\" (value \"%s\")",
			   http_hdr_get(r, "Ais-Checksum-Type") ? http_hdr_get(r, "Ais-Checksum-Type") : "",
			   http_hdr_get(r, "Ais-Checksum-Value"));
		put_ctx_free(p);
		return;
	}
	p->remote = bk_of(p->o.bck) != NULL;
	const char *ty = http_query_get(r, "append_type");
	if ((ty && *ty) && p->remote) {
		http_error(r, 501, NULL, "append to a remote bucket's object (%s) is not supported", p->o.oname);
		put_ctx_free(p);
	} else if (http_query_get(r, "archpath") && p->remote) {
		http_error(r, 501, NULL, "append to a shard (%s) in a remote bucket is not supported", p->o.oname);
		put_ctx_free(p);
	} else if (http_query_get(r, "archpath")) {
		tarch_put(r, &p->o); /* takes the object context */
		put_ctx_free(p);
	} else if (ty && *ty)
		apnd_start(r, p, ty);
	else
		put_start(r, p);
}
