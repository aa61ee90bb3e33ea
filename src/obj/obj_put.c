/* obj_put: the streaming object writer (see obj_put.h). One write loop for every protocol:
 * data → work file (or chunk writer) and every requested checksum, in that order, no buffering.
 * The writer owns its work file / chunk writer from begin until commit or abort, whichever
 * comes first, and both free it. Counters move here (obj_acct_t), once per writer. */
#include "obj/obj_put.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "obj/chunk.h"
#include "obj/obj_get.h"
#include "stats/stats.h"

struct obj_put {
	const obj_t *o;
	obj_put_opts_t opt;             /* strings below are the writer's copies */
	char client_val[CKSUM_MAX_HEX];
	unsigned char md5_want[16];
	char xck_want[64];
	int fd;                         /* work file, -1 when chunked */
	char work[FQN_MAX];
	chunk_w_t *cw;                  /* auto-chunked */
	cksum_t ck;                     /* bucket's type */
	cksum_t ck2;                    /* client's type when it differs */
	bool have_ck, have_ck2;
	s3ck_t md5, xck;
	int64_t size;
	int err;                        /* sticky write error */
	int64_t t0;
	lom_md_t md;
};

static void put_count_err(const obj_put_t *w, int rc, obj_why_t why)
{
	const bck_t *b = w->o->bck;
	switch (w->opt.acct) {
	case OBJ_ACCT_PUT:
		if (why == OBJ_WHY_BAD_CKSUM || why == OBJ_WHY_BAD_MD5 || why == OBJ_WHY_BAD_XCK)
			stats_err(STATS_ERR_PUT_CKSUM, STATS_BCK(b));
		else
			stats_err(rc == AIS_EIO ? STATS_ERR_IO_PUT : STATS_ERR_PUT, STATS_BCK(b));
		break;
	case OBJ_ACCT_APPEND:
		stats_err(STATS_ERR_APPEND, STATS_BCK(b));
		break;
	case OBJ_ACCT_NONE:
		break;
	}
}

static void put_free(obj_put_t *w)
{
	chunk_w_abort(w->cw);
	if (w->fd >= 0)
		close(w->fd);
	if (w->work[0])
		unlink(w->work);
	if (w->have_ck)
		cksum_abort(&w->ck);
	if (w->have_ck2)
		cksum_abort(&w->ck2);
	lom_md_fini(&w->md);
	free(w);
}

static void lower_hex(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
	for (char *c = dst; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c + 32);
}

/* allocate and set up the checksums; no file yet */
static int put_new(const obj_t *o, const obj_put_opts_t *opt, obj_put_t **out)
{
	obj_put_t *w = calloc(1, sizeof(*w));
	if (!w)
		return AIS_ENOMEM;
	w->o = o;
	w->fd = -1;
	w->t0 = stats_now();
	lom_md_init(&w->md);
	if (opt)
		w->opt = *opt;
	if (!w->opt.tag)
		w->opt.tag = "put";
	*out = w;
	if (w->opt.client_type != CKSUM_NONE) {
		if (!w->opt.client_val || strlen(w->opt.client_val) >= sizeof(w->client_val))
			return AIS_EINVAL;
		lower_hex(w->client_val, sizeof(w->client_val), w->opt.client_val);
	}
	w->opt.client_val = w->client_val;
	if (w->opt.md5_want) {
		memcpy(w->md5_want, w->opt.md5_want, 16);
		w->opt.md5_want = w->md5_want;
		w->opt.md5 = true;
	}
	if (w->opt.xck_want && strlen(w->opt.xck_want) >= sizeof(w->xck_want))
		return AIS_EINVAL;
	snprintf(w->xck_want, sizeof(w->xck_want), "%s", w->opt.xck_want ? w->opt.xck_want : "");
	w->opt.xck_want = w->xck_want;
	cksum_type_t bt = o->bck->cksum_type;
	if (bt != CKSUM_NONE && cksum_init(&w->ck, bt) == 0)
		w->have_ck = true;
	if (w->opt.client_type != CKSUM_NONE && w->opt.client_type != bt) {
		if (cksum_init(&w->ck2, w->opt.client_type))
			return AIS_EINTERNAL;
		w->have_ck2 = true;
	} else if (w->opt.client_type != CKSUM_NONE && !w->have_ck) {
		return AIS_EINTERNAL;
	}
	if (w->opt.md5)
		s3ck_init(&w->md5, S3CK_MD5);
	if (w->opt.xck == S3CK_MD5)
		return AIS_EINVAL;
	if (w->opt.xck != S3CK_NONE)
		s3ck_init(&w->xck, w->opt.xck);
	return 0;
}

int obj_put_begin(const obj_t *o, const obj_put_opts_t *opt, obj_put_t **out, obj_why_t *why)
{
	obj_put_t *w = NULL;
	*out = NULL;
	*why = OBJ_WHY_NONE;
	int rc = put_new(o, opt, &w);
	if (rc)
		goto fail;
	int64_t climit, csize;
	chunk_conf(&climit, &csize, NULL);
	if (climit > 0 && w->opt.size_hint > climit && !w->opt.cond && !w->opt.pre_commit)
		rc = chunk_w_open(o, csize, &w->cw);
	else
		rc = obj_open_work(o, w->opt.tag, w->opt.pre_commit ? O_RDWR : O_WRONLY, w->work, sizeof(w->work), &w->fd);
	if (rc) {
		log_err("%s: create %s work file: %s", o->fqn, w->cw ? "chunk" : w->opt.tag, err_str(rc));
		*why = OBJ_WHY_IO;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w) {
		put_count_err(w, rc, *why);
		put_free(w);
	}
	return rc;
}

static int put_hash_sink(void *arg, const char *buf, size_t n)
{
	obj_put_t *w = arg;
	if (w->have_ck)
		cksum_update(&w->ck, buf, n);
	if (w->have_ck2)
		cksum_update(&w->ck2, buf, n);
	if (w->opt.md5)
		s3ck_update(&w->md5, buf, n);
	if (w->opt.xck != S3CK_NONE)
		s3ck_update(&w->xck, buf, n);
	w->size += (int64_t)n;
	return 0;
}

int obj_put_adopt(const obj_t *o, const obj_put_opts_t *opt, int fd, const char *work, obj_put_t **out,
		  obj_why_t *why)
{
	obj_put_t *w = NULL;
	*out = NULL;
	*why = OBJ_WHY_NONE;
	int rc = put_new(o, opt, &w);
	if (w) {
		w->fd = fd;
		snprintf(w->work, sizeof(w->work), "%s", work);
	} else {
		close(fd);
		unlink(work);
	}
	if (!rc && (rc = obj_read_all(fd, NULL, put_hash_sink, w, NULL)) == AIS_EIO)
		*why = OBJ_WHY_IO;
	if (rc) {
		if (w) {
			put_count_err(w, rc, *why);
			put_free(w);
		}
		return rc;
	}
	*out = w;
	return 0;
}

int obj_put_write(obj_put_t *w, const void *data, size_t len)
{
	if (w->err)
		return w->err;
	int rc = w->cw ? chunk_w_write(w->cw, data, len) : fsops_write_all(w->fd, data, len);
	if (rc)
		return w->err = rc;
	return put_hash_sink(w, data, len);
}

lom_md_t *obj_put_md(obj_put_t *w)
{
	return &w->md;
}

void obj_put_set_md_cb(obj_put_t *w, obj_put_md_fn fn, void *arg)
{
	w->opt.md_cb = fn;
	w->opt.md_arg = arg;
}

void obj_put_set_xck_want(obj_put_t *w, const char *b64)
{
	snprintf(w->xck_want, sizeof(w->xck_want), "%s", b64 ? b64 : "");
}

/* finalize every checksum into res and md; verify what the client sent */
static int put_verify(obj_put_t *w, obj_put_res_t *res, obj_why_t *why)
{
	lom_md_t *md = &w->md;
	md->cktype = w->o->bck->cksum_type;
	md->ckval[0] = '\0';
	if (w->have_ck) {
		cksum_final(&w->ck, md->ckval);
		w->have_ck = false;
	}
	int rc = 0;
	if (w->opt.client_type != CKSUM_NONE) {
		if (w->have_ck2) {
			cksum_final(&w->ck2, res->client_got);
			w->have_ck2 = false;
		} else {
			snprintf(res->client_got, sizeof(res->client_got), "%s", md->ckval);
		}
		snprintf(res->client_want, sizeof(res->client_want), "%s", w->client_val);
		if (strcmp(res->client_got, res->client_want)) {
			*why = OBJ_WHY_BAD_CKSUM;
			rc = AIS_ECKSUM;
		}
	}
	if (w->opt.md5) {
		s3ck_final_raw(&w->md5, res->md5);
		cksum_hex(res->md5, 16, res->md5_hex);
		if (!rc && w->opt.md5_want && memcmp(res->md5, w->md5_want, 16)) {
			*why = OBJ_WHY_BAD_MD5;
			rc = AIS_ECKSUM;
		}
	}
	if (w->opt.xck != S3CK_NONE) {
		s3ck_final_b64(&w->xck, res->xck);
		if (!rc && w->xck_want[0] && strcmp(w->xck_want, res->xck)) {
			*why = OBJ_WHY_BAD_XCK;
			rc = AIS_ECKSUM;
		}
	}
	return rc;
}

int obj_put_commit(obj_put_t *w, obj_put_res_t *res, obj_why_t *why)
{
	memset(res, 0, sizeof(*res));
	lom_md_init(&res->md);
	*why = OBJ_WHY_NONE;
	int rc = w->err;
	if (rc) {
		*why = OBJ_WHY_IO;
		goto fail;
	}
	if ((rc = put_verify(w, res, why)))
		goto fail;
	lom_md_t *md = &w->md;
	md->size = w->size;
	md->atime = now_ns();
	if (!w->opt.keep_mtime || !md->mtime)
		md->mtime = md->atime; /* a new version: written now */
	res->size = w->size;
	if (w->opt.md_cb && (rc = w->opt.md_cb(w->opt.md_arg, md, res)))
		goto fail;
	if (w->opt.pre_commit && !w->cw && (rc = w->opt.pre_commit(w->opt.pre_arg, w->fd, w->size, md))) {
		*why = OBJ_WHY_REMOTE;
		goto fail;
	}
	if (w->cw) {
		chunk_w_t *cw = w->cw;
		w->cw = NULL;
		rc = chunk_w_commit(cw, md, w->opt.keep_version); /* frees cw */
		res->chunked = !rc;
	} else {
		int fd = w->fd;
		w->fd = -1;
		/* closes fd; removes work on failure */
		rc = obj_commit_cond(w->o, fd, w->work, md, w->opt.keep_version, w->opt.cond, w->opt.cond_arg);
		w->work[0] = '\0';
	}
	if (rc) {
		*why = rc == AIS_ECONFLICT ? OBJ_WHY_DIR_CONFLICT : w->opt.cond ? OBJ_WHY_COND : OBJ_WHY_IO;
		goto fail;
	}
	if (w->opt.acct == OBJ_ACCT_PUT)
		stats_op(STATS_PUT, STATS_BCK(w->o->bck), w->t0, w->size);
	res->md = *md; /* moves the heap fields */
	lom_md_init(md);
	put_free(w);
	return 0;
fail:
	put_count_err(w, rc, *why);
	put_free(w);
	return rc;
}

void obj_put_abort(obj_put_t *w, int rc)
{
	if (!w)
		return;
	if (rc)
		put_count_err(w, rc, rc == AIS_EIO ? OBJ_WHY_IO : OBJ_WHY_NONE);
	put_free(w);
}

static int put_append_sink(void *arg, const char *buf, size_t n)
{
	return fsops_write_all(*(const int *)arg, buf, n);
}

int obj_put_append_new(const obj_t *o, char *work, size_t cap, int *fd, obj_why_t *why)
{
	*why = OBJ_WHY_NONE;
	int rc = obj_open_work(o, "apnd", O_WRONLY | O_APPEND, work, cap, fd);
	if (rc) {
		log_err("%s: create apnd work file: %s", o->fqn, err_str(rc));
		*why = OBJ_WHY_IO;
		goto fail;
	}
	obj_get_t g;
	rc = obj_get_open(&g, o, OBJ_GET_QUIET, why);
	if (!rc && !(rc = obj_get_prepare(&g, why)))
		rc = obj_get_read_all(&g, put_append_sink, fd);
	obj_get_close(&g);
	if (rc == AIS_ENOTFOUND) { /* missing or defunct: start empty */
		*why = OBJ_WHY_NONE;
		rc = 0;
	}
	if (!rc)
		return 0;
	if (*why == OBJ_WHY_NONE)
		*why = OBJ_WHY_IO;
	close(*fd);
	*fd = -1;
	unlink(work);
fail:
	stats_err(STATS_ERR_APPEND, STATS_BCK(o->bck));
	return rc;
}

void obj_put_append_done(const obj_t *o, int rc, int64_t t0)
{
	if (rc)
		stats_err(STATS_ERR_APPEND, STATS_BCK(o->bck));
	else
		stats_op(STATS_APPEND, STATS_BCK(o->bck), t0, -1);
}
