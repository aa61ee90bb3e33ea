/* tarch: the native API's reads of archived files (AIStore's goi._txarch, ais/tgtobj.go):
 *   GET /v1/objects/<b>/<shard>?archpath=<file>           the file's bytes, Content-Length; 404 if
 *                                                         absent. A plain TAR member goes out with
 *                                                         sendfile (found through the shard index
 *                                                         when it is fresh: no scan)
 *   GET ...?archregx=<pat>&archmode=regexp|prefix|suffix|substr|wdskey
 *                                                         a TAR of every matching file; 404 if none
 *   ...&archmime=<format>                                 for shards without a known extension
 * Query rules (AIStore's dpq._arch): archpath with archmode is 400, a leading '/' of archpath is
 * dropped, as is "<shard>/" when archpath repeats the shard's name; invalid archpath ("..",
 * "~/"), unknown archmode or archmime, a Range header: 400. A shard that is not an archive of its
 * format (corrupt, truncated, wrong kind): 400 with the reader's message, nothing sent; an error
 * after the TAR of matches began cuts the connection (never a well-formed short TAR).
 * Runs the reading on a pool thread (http_defer_stream); statistics are the object reader's
 * (get.n and bytes for the file, not the shard).
 * Also PUT ?archpath= (tarch_put, below): one file into a new or existing shard (arch_apnd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/arch_apnd.h"
#include "archive/arch_match.h"
#include "archive/arch_obj.h"
#include "archive/arch_wr.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "target/tgt_int.h"

typedef struct tarch_get {
	obj_t o;
	obj_get_t g;
	char *path;      /* archpath ("" when matching many) */
	char *regx;
	char *mime;
	arch_mm_t mode;
	bool many;
	/* the TAR of matches */
	http_req_t *r;
	bool began;
	int64_t sent;
} tarch_get_t;

static void tarch_get_free(tarch_get_t *t)
{
	obj_get_close(&t->g);
	obj_fini(&t->o);
	free(t->path);
	free(t->regx);
	free(t->mime);
	free(t);
}

bool tarch_wanted(const http_req_t *r)
{
	return http_query_get(r, "archpath") || http_query_get(r, "archregx") || http_query_get(r, "archmode");
}

/* AIStore's ValidateArchpath (ValidOname): no trailing '/', no "../" or "~/"; and ours for names */
static bool tarch_path_ok(const char *p)
{
	size_t l = strlen(p);
	if (!l || p[l - 1] == '/' || strstr(p, "../") || strstr(p, "~/") || !utf8_valid(p, l))
		return false;
	return !(l == 2 && !strcmp(p, "..")) && !(l > 2 && !strcmp(p + l - 3, "/.."));
}

/* parse and check the query (loop thread); on failure responds and returns < 0 */
static int tarch_parse(http_req_t *r, tarch_get_t *t)
{
	const char *path = http_query_get(r, "archpath"), *regx = http_query_get(r, "archregx");
	const char *mode = http_query_get(r, "archmode"), *mime = http_query_get(r, "archmime");
	char q[512];
	if (path && *path == '/')
		path++;
	if (path && *path && mode) {
		http_error(r, 400, NULL, "archpath=%s (match one) and archregx=%s (match many) are mutually exclusive",
			   utf8_quote(path, strlen(path), q, sizeof(q)), regx ? regx : "");
		return AIS_EINVAL;
	}
	if (mode && arch_match_mode(mode, &t->mode)) {
		http_error(r, 400, NULL,
			   "invalid matching mode \"%s\", expecting one of: [regexp prefix suffix substr wdskey]", mode);
		return AIS_EINVAL;
	}
	arch_fmt_t f;
	if (mime && *mime && arch_mime_norm(mime, &f)) {
		http_error(r, 400, NULL, "unknown mime type \"%s\"", mime);
		return AIS_EINVAL;
	}
	if (http_hdr_get(r, "Range")) {
		http_error(r, 400, "ErrUnsupp", "range-read archived content is not supported (arch query: %s)",
			   path && *path ? path : regx ? regx : "");
		return AIS_EINVAL;
	}
	t->many = !(path && *path);
	if (!t->many) {
		size_t ol = t->o.olen;
		if (!strncmp(path, t->o.oname, ol) && path[ol] == '/')
			path += ol + 1; /* "<shard>/<file>": relative to the shard */
		if (!tarch_path_ok(path)) {
			http_error(r, 400, NULL, "invalid archpath \"%s\"", utf8_quote(path, strlen(path), q, sizeof(q)));
			return AIS_EINVAL;
		}
	} else if (!mode && !regx) {
		http_error(r, 400, NULL, "invalid archive query: archpath is empty");
		return AIS_EINVAL;
	} else if (!mode) {
		t->mode = ARCH_MM_REGEXP; /* archregx alone: AIStore's default mode */
	}
	t->path = strdup(t->many ? "" : path);
	t->regx = strdup(regx ? regx : "");
	t->mime = strdup(mime ? mime : "");
	if (!t->path || !t->regx || !t->mime) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return AIS_ENOMEM;
	}
	return 0;
}

static void tarch_bad_shard(http_req_t *r, const tarch_get_t *t, int rc, const char *err)
{
	char cn[OBJ_UNAME_MAX];
	obj_cname(t->o.bck, t->o.oname, cn, sizeof(cn));
	if (rc == AIS_EINVAL)
		http_error(r, 400, NULL, "%s: failed to read archive %s: %s", node_name(), cn, err);
	else
		http_error_code(r, rc, "%s: failed to read archive %s: %s", node_name(), cn, *err ? err : err_str(rc));
}

/* ---------------------------------------------------------------- one file */

static int tarch_write_cb(void *arg, const char *buf, size_t n) { return http_resp_write(arg, buf, n); }

static void tarch_one(http_req_t *r, tarch_get_t *t, arch_fmt_t f)
{
	arch_loc_t loc;
	char err[512] = "";
	int rc = arch_obj_find(&t->g, f, t->path, &loc, err, sizeof(err));
	if (rc == AIS_ENOTFOUND) {
		char cn[OBJ_UNAME_MAX], q[512];
		obj_cname(t->o.bck, t->o.oname, cn, sizeof(cn));
		http_error(r, 404, "ErrNotFound", "%s: %s in %s does not exist", node_name(),
			   utf8_quote(t->path, strlen(t->path), q, sizeof(q)), cn);
		return;
	}
	if (rc) {
		tarch_bad_shard(r, t, rc, err);
		return;
	}
	http_hdr_add(r, "Content-Type", "application/octet-stream");
	if (loc.data_off >= 0 && !t->g.chunked) {
		obj_get_done(&t->g, loc.size);
		http_respond_fd(r, 200, obj_get_take_fd(&t->g), (off_t)loc.data_off, (size_t)loc.size);
		arch_loc_fini(&loc);
		return;
	}
	if ((rc = http_resp_begin(r, 200, "application/octet-stream", loc.size)) == 0)
		rc = arch_obj_read(&t->g, &loc, tarch_write_cb, r, err, sizeof(err));
	arch_loc_fini(&loc);
	if (rc) {
		if (rc != AIS_EUNAVAIL && rc != AIS_EIO)
			log_warn("%s/%s: %s", t->o.oname, t->path, err);
		http_resp_abort(r);
		return;
	}
	obj_get_done(&t->g, loc.size);
	http_resp_end(r);
}

/* ---------------------------------------------------------------- a TAR of matches */

static int tarch_sink_write(void *arg, const void *buf, size_t len)
{
	tarch_get_t *t = arg;
	if (!t->began) {
		t->began = true;
		int rc = http_resp_begin(t->r, 200, "application/x-tar", -1);
		if (rc)
			return rc;
	}
	t->sent += (int64_t)len;
	return http_resp_write(t->r, buf, len);
}

static int tarch_sink_sendfile(void *arg, int fd, int64_t off, int64_t len)
{
	tarch_get_t *t = arg;
	t->sent += len;
	return http_resp_sendfile(t->r, fd, off, (uint64_t)len);
}

/* copy the current entry's data from the scan into the writer */
static int tarch_copy_ent(tarch_get_t *t, arch_rd_t *rd, const arch_ent_t *e, arch_wr_t *w, char *buf)
{
	if (e->data_off >= 0 && e->size > t->g.size - e->data_off)
		return AIS_EINVAL; /* truncated shard */
	if (e->data_off >= 0 && !t->g.chunked)
		return arch_wr_data_fd(w, t->g.fd, e->data_off, e->size);
	int64_t left = e->size;
	while (left > 0) {
		ssize_t n = arch_rd_read(rd, buf, 256 * 1024);
		if (n <= 0)
			return n < 0 ? (int)n : AIS_EINVAL;
		int rc = arch_wr_data(w, buf, (size_t)n);
		if (rc)
			return rc;
		left -= n;
	}
	return 0;
}

static int tarch_many_scan(tarch_get_t *t, arch_fmt_t f, arch_match_t *m, arch_wr_t *w, int *nmatch, char *err,
			   size_t cap)
{
	arch_rd_t *rd;
	int rc = arch_obj_rd(&t->g, f, &rd, err, cap);
	if (rc)
		return rc;
	char *buf = malloc(256 * 1024);
	arch_ent_t e;
	if (!buf)
		rc = AIS_ENOMEM;
	while (!rc && (rc = arch_rd_next(rd, &e)) == 1) {
		rc = 0;
		if (!e.regular || !arch_match_do(m, e.name))
			continue;
		(*nmatch)++;
		rc = f == ARCH_ZIP ? arch_wr_begin(w, e.name, e.size, e.mtime) : arch_wr_begin_from(w, arch_rd_entry(rd));
		if (!rc)
			rc = tarch_copy_ent(t, rd, &e, w, buf);
	}
	if (rc < 0)
		snprintf(err, cap, "%s", *arch_wr_err(w) ? arch_wr_err(w) : arch_rd_err(rd));
	free(buf);
	arch_rd_close(rd);
	return rc < 0 ? rc : 0;
}

static void tarch_many(http_req_t *r, tarch_get_t *t, arch_fmt_t f)
{
	arch_match_t m;
	arch_wr_t *w = NULL;
	char err[512] = "";
	int nmatch = 0;
	int rc = arch_match_init(&m, t->regx, t->mode, err, sizeof(err));
	if (rc) {
		http_error(r, 400, NULL, "%s", err);
		return;
	}
	t->r = r;
	arch_sink_t sink = {.write = tarch_sink_write, .sendfile = t->g.chunked ? NULL : tarch_sink_sendfile, .arg = t};
	if (!(rc = arch_wr_new(&w, ARCH_TAR, &sink)))
		rc = tarch_many_scan(t, f, &m, w, &nmatch, err, sizeof(err));
	if (!rc && nmatch)
		rc = arch_wr_close(w);
	arch_wr_free(w);
	arch_match_fini(&m);
	if (t->began) { /* a TAR is on its way: finish it, or cut it */
		if (rc)
			http_resp_abort(r);
		else {
			obj_get_done(&t->g, t->sent);
			http_resp_end(r);
		}
	} else if (rc) {
		tarch_bad_shard(r, t, rc, err);
	} else {
		char cn[OBJ_UNAME_MAX];
		obj_cname(t->o.bck, t->o.oname, cn, sizeof(cn));
		http_error(r, 404, "ErrNotFound", "%s: (archregx=%s, archmode=%s) in %s does not exist", node_name(), t->regx,
			   arch_match_str(t->mode), cn);
	}
}

/* ---------------------------------------------------------------- pool */

static void tarch_get_cb(http_req_t *r)
{
	tarch_get_t *t = r->user;
	r->user = NULL;
	obj_why_t why;
	char err[512] = "";
	int rc = obj_get_open(&t->g, &t->o, 0, &why);
	if (!rc && (t->g.chunked || t->g.validate))
		rc = obj_get_prepare(&t->g, &why);
	if (rc) {
		tobj_get_err(r, &t->o, &t->g, rc, why);
		goto out;
	}
	arch_fmt_t f;
	if ((rc = arch_obj_fmt(&t->g, t->mime, &f, err, sizeof(err)))) {
		tarch_bad_shard(r, t, rc, err);
		goto out;
	}
	if (t->many)
		tarch_many(r, t, f);
	else
		tarch_one(r, t, f);
out:
	tarch_get_free(t);
}

void tarch_get(http_req_t *r, obj_t *o)
{
	tarch_get_t *t = calloc(1, sizeof(*t));
	if (!t) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	obj_move(&t->o, o);
	if (tarch_parse(r, t)) {
		tarch_get_free(t);
		return;
	}
	r->user = t;
	http_defer_stream(r, tarch_get_cb);
}

/* ---------------------------------------------------------------- PUT ?archpath= */

/* PUT /v1/objects/<b>/<shard>?archpath=<name>[&archmime=] with the file as the body and its
 * Content-Length; header Ais-Pine: 1 = append (404 without the shard), 2 = append or create,
 * absent/0 = a new one-file shard (AIStore's api.PutApndArch, ais/target.go putApndArch) */
typedef struct tarch_put {
	obj_t o;
	http_req_t *r;
	char *path, *mime;
	int flags;
} tarch_put_t;

static void tarch_put_free(tarch_put_t *t)
{
	obj_fini(&t->o);
	free(t->path);
	free(t->mime);
	free(t);
}

static ssize_t tarch_put_read(void *arg, void *buf, size_t n) { return http_body_read(arg, buf, n); }

static void tarch_put_cb(http_req_t *r)
{
	tarch_put_t *t = r->user;
	r->user = NULL;
	arch_apnd_args_t a = {.o = &t->o, .archmime = t->mime, .name = t->path, .size = r->content_length,
			      .mtime_s = now_ns() / 1000000000LL, .flags = t->flags, .read = tarch_put_read,
			      .read_arg = r};
	arch_apnd_res_t res;
	obj_why_t why;
	char err[512], cn[OBJ_UNAME_MAX];
	int rc = arch_apnd(&a, &res, &why, err, sizeof(err));
	obj_cname(t->o.bck, t->o.oname, cn, sizeof(cn));
	if (!rc) {
		log_dbg("archive %s: %s %s (%lld bytes)", cn, res.created ? "created with" : res.in_place ? "appended in place"
			  : "rewritten with", t->path, (long long)a.size);
		http_respond(r, 200, NULL, NULL, 0);
	} else if (rc == AIS_ENOTFOUND) {
		http_error(r, 404, "ErrNotFound", "%s: failed to append to %s: %s", node_name(), cn, err);
	} else if (rc == AIS_EINVAL) {
		http_error(r, 400, NULL, "%s: failed to archive %s in %s: %s", node_name(), t->path, cn, err);
	} else {
		http_error_code(r, rc, "%s: failed to archive %s in %s: %s", node_name(), t->path, cn,
				*err ? err : err_str(rc));
	}
	tarch_put_free(t);
}

void tarch_put(http_req_t *r, obj_t *o)
{
	const char *path = http_query_get(r, "archpath"), *mime = http_query_get(r, "archmime");
	const char *fl = http_hdr_get(r, "Ais-Pine");
	char q[512], cn[OBJ_UNAME_MAX];
	int64_t flags = 0;
	if (path && *path == '/')
		path++;
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	if (fl && *fl && (parse_i64(fl, &flags) || flags < 0 || flags > 0xffff)) {
		http_error(r, 400, NULL, "failed to archive %s: invalid flags \"%s\" in the request", cn, fl);
		return;
	}
	if (path && !strncmp(path, o->oname, o->olen) && path[o->olen] == '/')
		path += o->olen + 1;
	if (!path || !*path || !tarch_path_ok(path)) {
		http_error(r, 400, NULL, "invalid archpath \"%s\"", path ? utf8_quote(path, strlen(path), q, sizeof(q)) : "");
		return;
	}
	arch_fmt_t f;
	if (mime && *mime && arch_mime_norm(mime, &f)) {
		http_error(r, 400, NULL, "unknown mime type \"%s\"", mime);
		return;
	}
	if (r->content_length <= 0) {
		http_error(r, 400, NULL, "failed to archive %s: missing \"Content-Length\" in the request", cn);
		return;
	}
	tarch_put_t *t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(path)) || !(t->mime = strdup(mime ? mime : ""))) {
		if (t)
			tarch_put_free(t);
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	t->flags = flags == ARCH_APND_ONLY ? ARCH_APND_ONLY : flags ? ARCH_APND_OR_PUT : 0;
	obj_move(&t->o, o);
	r->user = t;
	http_defer_stream(r, tarch_put_cb);
}
