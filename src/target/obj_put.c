/* obj_put: PUT /v1/objects/<bck>/<obj> and AIStore's APPEND (append_type=append|flush with
 * append_handle). PUT streams the body into a work file under %wk while the checksum (bucket
 * type, plus the client's type when it differs) is computed on the fly; at the end the
 * client-supplied Ais-Checksum-* is verified, then obj_commit writes the LOM and renames
 * into %ob. A truncated body, a disconnect, a write error or a checksum mismatch removes the
 * work file: nothing partial is ever visible. APPEND keeps appending to one work file named
 * by the returned Ais-Append-Handle; flush re-hashes it and commits it as the object. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "obj/chunk.h"
#include "obj/mpu.h"

typedef struct put_ctx {
	obj_t o;
	int fd;
	bool append;            /* APPEND: no checksum while streaming, no commit */
	cksum_t ck;             /* bucket's type */
	cksum_t ck2;            /* client's type when it differs */
	bool have_ck, have_ck2;
	cksum_type_t want_type;
	char want[CKSUM_MAX_HEX];
	int64_t size;
	int err;
	int64_t t0; /* stats */
	char work[FQN_MAX];
	char handle[256];
	chunk_w_t *cw;          /* auto-chunked (chunks.objsize_limit): data goes here, not to fd */
} put_ctx_t;

static void put_ctx_free(put_ctx_t *p)
{
	chunk_w_abort(p->cw);
	if (p->fd >= 0)
		close(p->fd);
	if (p->have_ck)
		cksum_abort(&p->ck);
	if (p->have_ck2)
		cksum_abort(&p->ck2);
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
	for (char *c = p->want; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c + 32);
	return 0;
}

static int put_data_cb(http_req_t *r, const char *data, size_t len)
{
	put_ctx_t *p = r->user;
	int rc = p->cw ? chunk_w_write(p->cw, data, len) : fsops_write_all(p->fd, data, len);
	if (rc) {
		p->err = rc;
		return rc;
	}
	if (p->have_ck)
		cksum_update(&p->ck, data, len);
	if (p->have_ck2)
		cksum_update(&p->ck2, data, len);
	p->size += (int64_t)len;
	return 0;
}

static void put_fail(http_req_t *r, put_ctx_t *p, int rc)
{
	char cn[FQN_OBJNAME_MAX + 256];
	stats_err(p->append ? STATS_ERR_APPEND : rc == AIS_EIO ? STATS_ERR_IO_PUT : STATS_ERR_PUT, STATS_BCK(p->o.bck));
	obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	if (p->work[0])
		unlink(p->work);
	if (rc == AIS_ECONFLICT)
		http_error(r, 409, NULL, "%s: failed to PUT %s: destination exists and is a virtual directory "
			   "(or a file in its path)", node_name(), cn);
	else
		http_error_code(r, rc, "%s: failed to PUT %s: %s", node_name(), cn, err_str(rc));
}

static void put_end_cb(http_req_t *r, int status)
{
	put_ctx_t *p = r->user;
	r->user = NULL;
	if (status || p->err) {
		if (p->append)
			p->work[0] = '\0'; /* keep what was appended so far (AIStore does too) */
		put_fail(r, p, status ? status : p->err);
		goto out;
	}
	if (p->append) {
		close(p->fd);
		p->fd = -1;
		stats_op(STATS_APPEND, STATS_BCK(p->o.bck), p->t0, -1);
		http_hdr_add(r, "Ais-Append-Handle", p->handle);
		http_respond(r, 200, NULL, NULL, 0);
		goto out;
	}
	lom_md_t md;
	lom_md_init(&md);
	md.size = p->size;
	md.atime = now_ns();
	md.cktype = p->o.bck->cksum_type;
	if (p->have_ck) {
		cksum_final(&p->ck, md.ckval);
		p->have_ck = false;
	}
	if (p->want_type != CKSUM_NONE) {
		char got[CKSUM_MAX_HEX];
		const char *cmp = md.ckval;
		if (p->have_ck2) {
			cksum_final(&p->ck2, got);
			p->have_ck2 = false;
			cmp = got;
		}
		if (strcmp(cmp, p->want)) {
			char cn[FQN_OBJNAME_MAX + 256];
			obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
			close(p->fd);
			p->fd = -1;
			unlink(p->work);
			stats_err(STATS_ERR_PUT_CKSUM, STATS_BCK(p->o.bck));
			http_error(r, 400, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
				   cksum_type_str(p->want_type), p->want, cmp, cn);
			lom_md_fini(&md);
			goto out;
		}
	}
	int fd = p->fd;
	p->fd = -1;
	int rc;
	if (p->cw) {
		close(fd);
		unlink(p->work);
		rc = chunk_w_commit(p->cw, &md);
		p->cw = NULL;
	} else {
		rc = obj_commit(&p->o, fd, p->work, &md, false);
	}
	if (rc) {
		p->work[0] = '\0'; /* already removed */
		put_fail(r, p, rc);
	} else {
		stats_op(STATS_PUT, STATS_BCK(p->o.bck), p->t0, md.size);
		tobj_add_md_hdrs(r, &md);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&md);
out:
	put_ctx_free(p);
}

static int put_open_work(put_ctx_t *p, const char *tag)
{
	int rc = obj_open_work(&p->o, tag, O_WRONLY, p->work, sizeof(p->work), &p->fd);
	if (rc)
		log_err("%s: create %s work file: %s", node_name(), tag, err_str(rc));
	return rc;
}

static int apnd_seed_sink(void *arg, const char *buf, size_t n)
{
	return fsops_write_all(*(const int *)arg, buf, n);
}

/* arg: cksum_t *[2], the second one optional */
static int apnd_cksum_sink(void *arg, const char *buf, size_t n)
{
	cksum_t **cks = arg;
	for (int i = 0; i < 2; i++)
		if (cks[i])
			cksum_update(cks[i], buf, n);
	return 0;
}

/* copy the current object (if any) into the fresh append work file */
static int apnd_seed(put_ctx_t *p)
{
	int src = open(p->o.fqn, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return 0;
	lom_md_t md;
	lom_md_init(&md);
	int rc = obj_load(&p->o, src, &md);
	lom_md_fini(&md);
	if (rc) {
		close(src);
		return 0; /* missing/defunct: start empty */
	}
	rc = obj_read_all(src, NULL, apnd_seed_sink, &p->fd, NULL);
	close(src);
	return rc;
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

/* flush: pool thread - hash the work file, verify the client's checksum, commit */
static void apnd_flush_cb(http_req_t *r)
{
	put_ctx_t *p = r->user;
	r->user = NULL;
	char cn[FQN_OBJNAME_MAX + 256];
	obj_cname(p->o.bck, p->o.oname, cn, sizeof(cn));
	p->fd = open(p->work, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		p->work[0] = '\0';
		http_error(r, 400, NULL, "%s: failed to finalize append-file operation on %s: invalid handle",
			   node_name(), cn);
		goto out;
	}
	lom_md_t md;
	lom_md_init(&md);
	md.cktype = p->o.bck->cksum_type;
	cksum_t ck, ck2;
	bool two = p->want_type != CKSUM_NONE && p->want_type != md.cktype;
	cksum_init(&ck, md.cktype);
	if (two)
		cksum_init(&ck2, p->want_type);
	cksum_t *cks[2] = {&ck, two ? &ck2 : NULL};
	int64_t size = 0;
	int rc = obj_read_all(p->fd, NULL, apnd_cksum_sink, cks, &size);
	md.size = size;
	cksum_final(&ck, md.ckval);
	char got[CKSUM_MAX_HEX];
	if (two)
		cksum_final(&ck2, got);
	else
		snprintf(got, sizeof(got), "%s", md.ckval);
	if (rc) {
		put_fail(r, p, rc);
		lom_md_fini(&md);
		goto out;
	}
	if (p->want_type != CKSUM_NONE && strcmp(got, p->want)) {
		close(p->fd);
		p->fd = -1;
		unlink(p->work);
		stats_err(STATS_ERR_APPEND, STATS_BCK(p->o.bck));
		http_error(r, 400, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
			   cksum_type_str(p->want_type), got, p->want, cn);
		lom_md_fini(&md);
		goto out;
	}
	md.atime = now_ns();
	int fd = p->fd;
	p->fd = -1;
	rc = obj_commit(&p->o, fd, p->work, &md, false);
	if (rc) {
		p->work[0] = '\0';
		put_fail(r, p, rc);
	} else {
		tobj_add_md_hdrs(r, &md);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&md);
out:
	put_ctx_free(p);
}

static void apnd_start(http_req_t *r, put_ctx_t *p, const char *ty)
{
	const char *h = http_query_get(r, "append_handle");
	int rc;
	p->append = true;
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
			p->work[0] = '\0'; /* not ours to remove */
			http_error(r, 400, NULL, "invalid append handle \"%s\": %s", h, strerror(errno));
			goto fail;
		}
	} else {
		if ((rc = put_open_work(p, "apnd"))) {
			http_error_code(r, rc, "%s: failed to create work file: %s", node_name(), err_str(rc));
			goto fail;
		}
		if ((rc = apnd_seed(p))) {
			put_fail(r, p, rc);
			goto fail;
		}
	}
	apnd_set_handle(p);
	r->user = p;
	/* a failed append leaves the work file for the client to retry or abandon, as AIStore */
	http_stream_body(r, put_data_cb, put_end_cb);
	return;
fail:
	put_ctx_free(p);
}

void obj_put_handle(http_req_t *r)
{
	if (http_query_get(r, "object_to")) {
		obj_ops_copy(r);
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
	const char *ty = http_query_get(r, "append_type");
	if (ty && *ty) {
		apnd_start(r, p, ty);
		return;
	}
	int rc = put_open_work(p, "put");
	if (rc) {
		http_error_code(r, rc, "%s: failed to create work file: %s", node_name(), err_str(rc));
		put_ctx_free(p);
		return;
	}
	cksum_type_t bt = p->o.bck->cksum_type;
	if (bt != CKSUM_NONE && cksum_init(&p->ck, bt) == 0)
		p->have_ck = true;
	if (p->want_type != CKSUM_NONE && p->want_type != bt && cksum_init(&p->ck2, p->want_type) == 0)
		p->have_ck2 = true;
	if (p->want_type != CKSUM_NONE && !p->have_ck2 && !p->have_ck) {
		put_fail(r, p, AIS_EINTERNAL);
		put_ctx_free(p);
		return;
	}
	int64_t climit, csize;
	chunk_conf(&climit, &csize, NULL);
	if (climit > 0 && r->content_length > climit && (rc = chunk_w_open(&p->o, csize, &p->cw))) {
		put_fail(r, p, rc);
		put_ctx_free(p);
		return;
	}
	r->user = p;
	http_stream_body(r, put_data_cb, put_end_cb);
}
