/* bk_blob: parallel range reads into an upload of the object core (see bk_blob.h). Workers
 * claim the next range with an atomic counter; the first error (or abort) stops the others at
 * their next range and aborts the upload. The completed object carries the remote's identity
 * (bk_md_from_oattrs) like a cold GET's. */
#include "backend/bk_blob.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk_obj.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "obj/mpu.h"
#include "stats/stats.h"

typedef struct blob {
	const obj_t *o;
	const bk_ops_t *ops;
	const bk_blob_opts_t *opt;
	char id[UFEST_ID_MAX];
	int64_t size, chunk;
	int nchunks;
	_Atomic int next;
	_Atomic int failed;
	pthread_mutex_t mu; /* err */
	bk_err_t err;
	int rc;
	bk_oattrs_t oa;
} blob_t;

typedef struct blob_part {
	mpu_part_t *p;
	blob_t *b;
} blob_part_t;

static int blob_sink(void *arg, const char *buf, size_t n)
{
	blob_part_t *bp = arg;
	if (atomic_load(&bp->b->failed))
		return AIS_EINTERNAL; /* another range failed: stop */
	int rc = mpu_part_write(bp->p, buf, n);
	if (!rc && bp->b->opt->progress)
		bp->b->opt->progress(bp->b->opt->arg, (int64_t)n);
	return rc;
}

static void blob_fail(blob_t *b, int rc, const bk_err_t *e)
{
	pthread_mutex_lock(&b->mu);
	if (!b->rc) {
		b->rc = rc;
		b->err = *e;
	}
	pthread_mutex_unlock(&b->mu);
	atomic_store(&b->failed, 1);
}

static void *blob_worker(void *arg)
{
	blob_t *b = arg;
	for (;;) {
		int i = atomic_fetch_add(&b->next, 1);
		if (i >= b->nchunks || atomic_load(&b->failed))
			break;
		if (b->opt->aborted && b->opt->aborted(b->opt->arg)) {
			bk_err_t e;
			bk_fail(&e, 500, NULL, "blob-download of %s aborted", b->o->oname);
			blob_fail(b, AIS_EINTERNAL, &e);
			break;
		}
		int64_t off = (int64_t)i * b->chunk, len = b->size - off < b->chunk ? b->size - off : b->chunk;
		mpu_why_t why;
		blob_part_t bp = {.b = b};
		int rc = mpu_part_begin(b->o, b->id, i + 1, NULL, MPU_P_NO_MD5, &bp.p, &why);
		bk_err_t e;
		bk_oattrs_t oa;
		if (rc) {
			bk_fail(&e, err_http_status(rc), NULL, "%s: chunk %d: %s", b->o->oname, i + 1, err_str(rc));
			blob_fail(b, rc, &e);
			break;
		}
		int64_t t0 = stats_now();
		rc = b->ops->get_obj(b->o->bck, b->o->oname, off, len, NULL, blob_sink, &bp, &oa, &e);
		if (!rc && oa.etag[0] && b->oa.etag[0] && strcmp(oa.etag, b->oa.etag)) {
			rc = bk_fail(&e, 409, NULL, "%s changed remotely during the blob download (ETag %s != %s)",
				     b->o->oname, oa.etag, b->oa.etag);
		}
		mpu_part_info_t info;
		int rc2 = mpu_part_end(bp.p, rc == 0, NULL, &info, &why);
		if (!rc && rc2)
			rc = bk_fail(&e, err_http_status(rc2), NULL, "%s: chunk %d: %s", b->o->oname, i + 1, err_str(rc2));
		if (rc) {
			blob_fail(b, rc, &e);
			break;
		}
		stats_remote(bk_stats_backend(b->o->bck), STATS_RB_GET_N, t0, len);
	}
	return NULL;
}

static int blob_md_cb(lom_md_t *md, const ufest_t *u, void *arg)
{
	blob_t *b = arg;
	return bk_md_from_oattrs(md, b->o->bck->provider, &b->oa);
}

int bk_blob_parse_chunk(const char *s, int64_t *out)
{
	int64_t v;
	if (!s || parse_size(s, &v) || v < 0)
		return AIS_EINVAL;
	*out = v;
	return 0;
}

int bk_blob_get(const obj_t *o, const bk_blob_opts_t *opt, lom_md_t *md, bk_err_t *e)
{
	blob_t b = {.o = o, .opt = opt};
	b.ops = bk_of(o->bck);
	if (!b.ops)
		return bk_fail(e, 400, NULL, "blob-download: %s is not a remote bucket's object", o->oname);
	int rc = b.ops->head_obj(o->bck, o->oname, &b.oa, e);
	stats_remote(bk_stats_backend(o->bck), STATS_RB_HEAD_N, 0, -1);
	if (rc)
		return rc;
	b.size = opt->full_size > 0 ? opt->full_size : b.oa.size;
	if (b.size < 0)
		return bk_fail(e, 500, NULL, "blob-download: %s: the remote did not say its size", o->oname);
	b.chunk = opt->chunk_size > 0 ? opt->chunk_size : BK_BLOB_DEFAULT_CHUNK;
	if (b.chunk < BK_BLOB_MIN_CHUNK || b.chunk > BK_BLOB_MAX_CHUNK)
		return bk_fail(e, 400, NULL, "blob-download: invalid chunk size %lld (expecting %d..%d)",
			       (long long)b.chunk, BK_BLOB_MIN_CHUNK, BK_BLOB_MAX_CHUNK);
	b.nchunks = b.size ? (int)((b.size + b.chunk - 1) / b.chunk) : 1;
	if (b.nchunks > UFEST_MAX_CHUNKS)
		return bk_fail(e, 400, NULL, "blob-download: %s: %d chunks of %lld bytes exceed the limit (%d): use a "
				     "larger chunk size", o->oname, b.nchunks, (long long)b.chunk, UFEST_MAX_CHUNKS);
	int nw = opt->nworkers == 0 ? 4 : opt->nworkers < 0 ? 1 : opt->nworkers;
	if (nw > BK_BLOB_MAX_WORKERS)
		nw = BK_BLOB_MAX_WORKERS;
	if (nw > b.nchunks)
		nw = b.nchunks;
	if ((rc = mpu_init(o, NULL, 0, b.id, sizeof(b.id))))
		return bk_fail(e, err_http_status(rc), NULL, "blob-download: %s: %s", o->oname, err_str(rc));
	pthread_mutex_init(&b.mu, NULL);
	pthread_t th[BK_BLOB_MAX_WORKERS];
	int started = 0;
	for (int i = 1; i < nw; i++) /* this thread is worker 0 */
		if (!pthread_create(&th[started], NULL, blob_worker, &b))
			started++;
	blob_worker(&b);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	mpu_why_t why;
	if (b.rc) {
		*e = b.err;
		rc = b.rc;
		mpu_abort(o, b.id, &why);
		goto out;
	}
	mpu_cpart_t *parts = calloc((size_t)b.nchunks, sizeof(*parts));
	if (!parts) {
		mpu_abort(o, b.id, &why);
		rc = bk_fail(e, 500, NULL, "out of memory");
		goto out;
	}
	for (int i = 0; i < b.nchunks; i++)
		parts[i].num = i + 1;
	lom_md_t cmd;
	lom_md_init(&cmd);
	char etag[64];
	rc = mpu_complete(o, b.id, parts, b.nchunks, MPU_C_KEEP_VERSION, blob_md_cb, &b, &cmd, etag, sizeof(etag), &why);
	free(parts);
	if (rc) {
		mpu_abort(o, b.id, &why);
		bk_fail(e, err_http_status(rc), NULL, "blob-download: %s: completion failed: %s", o->oname, err_str(rc));
	} else if (md) {
		lom_md_fini(md);
		*md = cmd;
		lom_md_init(&cmd);
	}
	lom_md_fini(&cmd);
out:
	pthread_mutex_destroy(&b.mu);
	return rc;
}
