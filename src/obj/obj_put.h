/* obj_put: the streaming object writer, independent of the protocol (native PUT, S3 PutObject
 * and CopyObject, local copies, append's flush and background jobs all write through it).
 * Owns: where the bytes go (a work file under %wk, or the chunk writer above
 * chunks.objsize_limit), every checksum computed on the fly (the bucket's, the client's type
 * when it differs, MD5 for S3's ETag, one S3 additional checksum), their verification, the
 * commit (LOM, versioning, rename into %ob) and the PUT statistics. Does not: read a request,
 * decode aws-chunked bodies, verify SigV4, build responses.
 *
 *   obj_put_begin ──► obj_put_write* ──► obj_put_commit ──► committed (res: LOM, MD5, xck)
 *   (obj_put_adopt)          └────────► obj_put_abort ───► nothing left on disk
 *
 * Invariant: nothing is visible at the object's path until obj_put_commit succeeded; on any
 * failure every file the writer created is removed. Both commit and abort free the writer.
 * Blocking: write and commit block on disk I/O (fine on a loop thread for data already in
 * memory, as the native PUT does; obj_put_adopt reads a whole file: pool). */
#ifndef AIS_OBJ_PUT_H
#define AIS_OBJ_PUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cksum.h"
#include "core/s3ck.h"
#include "obj/obj.h"

/* which counters a writer moves */
typedef enum {
	OBJ_ACCT_PUT = 0, /* put.n + bytes + latency; err.put.n (err.put.cksum.n, err.io.put.n) */
	OBJ_ACCT_APPEND,  /* err.append.n on failure only (append's flush) */
	OBJ_ACCT_NONE,    /* copies: the caller's operation counts */
} obj_acct_t;

typedef struct obj_put_res obj_put_res_t;
/* called by obj_put_commit once the content is verified, before the LOM is written: add custom
 * metadata that depends on what was computed (S3: ETag, x-amz-checksum-*). 0 or AIS_E* (abort). */
typedef int (*obj_put_md_fn)(void *arg, lom_md_t *md, const obj_put_res_t *res);

/* called by obj_put_commit after md_cb, with the complete work file (fd open read-write, its
 * size): write-through to a remote backend before anything is committed locally; may change
 * md (the remote's version, ETag). 0 or AIS_E* (abort: OBJ_WHY_REMOTE). A writer with it is
 * never chunked. */
typedef int (*obj_put_pre_fn)(void *arg, int fd, int64_t size, lom_md_t *md);

typedef struct obj_put_opts {
	cksum_type_t client_type;       /* client's checksum to verify (native Ais-Checksum-*), or NONE */
	const char *client_val;         /* its value (hex, any case; copied) */
	bool md5;                       /* compute MD5 (S3 ETag) */
	const unsigned char *md5_want;  /* 16 bytes the MD5 must equal (S3 Content-MD5; copied) or NULL */
	s3ck_type_t xck;                /* S3 additional checksum to compute, or S3CK_NONE */
	const char *xck_want;           /* its expected base64 value (copied) or NULL; see obj_put_set_xck_want */
	int64_t size_hint;              /* expected size, < 0 unknown: above chunks.objsize_limit → chunked */
	bool keep_version;              /* copies keep the source's version (preset in obj_put_md) */
	bool keep_mtime;                /* moves keep the source's write time (preset md.mtime in
					 * obj_put_md; 0 there: now) */
	obj_commit_cond_fn cond;        /* optional commit condition (obj.h), checked under the
					 * object's lock; such a writer is never chunked */
	void *cond_arg;
	obj_acct_t acct;
	const char *tag;                /* work file name tag ("put" when NULL) */
	obj_put_md_fn md_cb;            /* optional */
	void *md_arg;
	obj_put_pre_fn pre_commit;      /* optional: write-through */
	void *pre_arg;
} obj_put_opts_t;

/* what a commit computed; also filled (checksums) when a verification fails */
struct obj_put_res {
	lom_md_t md;                     /* the committed object's LOM (caller: lom_md_fini) */
	int64_t size;
	unsigned char md5[16];           /* opts.md5 */
	char md5_hex[33];
	char xck[64];                    /* opts.xck: base64 */
	char client_want[CKSUM_MAX_HEX]; /* OBJ_WHY_BAD_CKSUM: expected (lowercase) and computed */
	char client_got[CKSUM_MAX_HEX];
	bool chunked;                    /* stored as chunks */
};

typedef struct obj_put obj_put_t;

/* start writing o (o must outlive the writer). 0 or AIS_E* (*why): AIS_EINVAL (bad option),
 * AIS_ENOMEM, a work file / chunk error (OBJ_WHY_IO). */
int obj_put_begin(const obj_t *o, const obj_put_opts_t *opt, obj_put_t **out, obj_why_t *why);
/* take over a work file of o's bucket already written (native append's flush): its content is
 * hashed now (reads it all); then commit or abort as for a streamed PUT. fd and work are the
 * writer's from here on, also on failure (closed and removed). Never chunked. */
int obj_put_adopt(const obj_t *o, const obj_put_opts_t *opt, int fd, const char *work, obj_put_t **out,
		  obj_why_t *why);
/* append data (checksums updated on the fly). 0 or AIS_E* (sticky: commit fails with it) */
int obj_put_write(obj_put_t *w, const void *data, size_t len);
/* the metadata the commit will store: add custom entries (or preset version with keep_version) */
lom_md_t *obj_put_md(obj_put_t *w);
/* set (or replace) the md callback once the writer exists (what it checks is known late) */
void obj_put_set_md_cb(obj_put_t *w, obj_put_md_fn fn, void *arg);
/* the expected S3 additional checksum when it arrives late (aws-chunked trailer); copied */
void obj_put_set_xck_want(obj_put_t *w, const char *b64);
/* verify (client checksum → OBJ_WHY_BAD_CKSUM, Content-MD5 → OBJ_WHY_BAD_MD5, xck →
 * OBJ_WHY_BAD_XCK; all AIS_ECKSUM), set the LOM (size, atime, bucket checksum, version unless
 * keep_version), md_cb, commit (AIS_ECONFLICT + OBJ_WHY_DIR_CONFLICT when the name is a
 * directory). res is initialized in every case (caller lom_md_fini's res->md). Frees w. */
int obj_put_commit(obj_put_t *w, obj_put_res_t *res, obj_why_t *why);
/* discard everything written; rc (the reason, 0 = none) is counted as a failed PUT. Frees w;
 * NULL is a no-op. */
void obj_put_abort(obj_put_t *w, int rc);

/* APPEND (the native API's append_type=append): data accumulates in one work file across requests
 * and becomes the object at flush (obj_put_adopt with OBJ_ACCT_APPEND).
 * obj_put_append_new: a fresh work file under %wk (path in work), seeded with the current
 * object's content (through the reader; a missing object starts empty). 0 with *fd open for
 * appending, or AIS_E* (nothing left; counted as err.append.n; work is "" when the file could
 * not even be created). Blocks on the copy. */
int obj_put_append_new(const obj_t *o, char *work, size_t cap, int *fd, obj_why_t *why);
/* the end of one append request: rc 0 counts append.n (latency from t0), else err.append.n */
void obj_put_append_done(const obj_t *o, int rc, int64_t t0);

#endif
