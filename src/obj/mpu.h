/* mpu: multipart upload, independent of the protocol (AIStore's ais/tgtmpt.go "ups"); the native
 * API (target/tmpu.c) and S3 (s3/s3_mpu.c) map requests onto it:
 *   POST   /v1/objects/<b>/<o>  {"action":"mpt-upload"}                     -> upload id (text)
 *   PUT    /v1/objects/<b>/<o>?uploadId=<id>&partNumber=<n>  body           -> 200, ETag
 *   POST   /v1/objects/<b>/<o>?uploadId=<id> {"action":"mpt-complete","value":[{"part-number":n}]}
 *   DELETE /v1/objects/<b>/<o>?uploadId=<id> {"action":"mpt-abort"}
 * State machine of one upload (id = manifest id):
 *
 *   init ──► open ──part(n)──► open (chunk n written, "last wins"; checkpoint every N parts)
 *              │ ──complete──► committed (chunks become the object's current version)
 *              │ ──abort─────► removed (chunks + partial manifest deleted)
 *              └ ──restart───► reloaded lazily from the partial manifest on the next call
 *              └ ──age > space.dont_cleanup_time──► removed by space cleanup (xact/xs_cleanup.c)
 *
 * Parts are written to a work file on the chunk's mountpath and renamed into place under the
 * upload's mutex, so a part is either wholly in the manifest or absent. Functions taking a
 * obj_t need it placed (obj_place); they block on disk I/O. */
#ifndef AIS_MPU_H
#define AIS_MPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "obj/obj.h"
#include "obj/ufest.h"

/* why a call failed, for protocol-specific errors (S3 codes in comments) */
typedef enum {
	MPU_WHY_NONE = 0,
	MPU_WHY_NO_SUCH_UPLOAD,   /* NoSuchUpload (404) */
	MPU_WHY_INVALID_PART,     /* InvalidPart (400): missing part or ETag mismatch */
	MPU_WHY_INVALID_ORDER,    /* InvalidPartOrder (400) */
	MPU_WHY_TOO_SMALL,        /* EntityTooSmall (400) */
	MPU_WHY_PARTIAL,          /* native: parts must be exactly 1..N */
	MPU_WHY_BAD_CKSUM,        /* BadDigest / x-amz-checksum mismatch (400) */
} mpu_why_t;

#define MPU_S3_MIN_PART (5 * 1024 * 1024)

typedef struct mpu_part_info {
	int num;
	int64_t size;
	unsigned char md5[16];
	char etag[40];                        /* hex MD5, unquoted */
	char xck_type[UFEST_XCK_TYPE_MAX];    /* S3 algorithm ("CRC32", ...) or "" */
	char xck_val[UFEST_XCK_VAL_MAX];      /* base64 */
} mpu_part_info_t;

/* start an upload of o; meta (opaque, may be NULL) is kept in the manifest until complete.
 * id receives the new upload id (cap >= UFEST_ID_MAX). 0 or AIS_E* */
int mpu_init(const obj_t *o, const void *meta, size_t meta_len, char *id, size_t cap);

/* push-style part writer: begin, write*, end. xck_algo: S3 checksum name ("CRC32", "crc32c",
 * "x-amz-checksum-sha256", ...) to compute, or NULL. flags: MPU_P_NO_MD5 skips the MD5 (native
 * API: no S3 ETag needed; MD5 is the most expensive hash on the path). */
enum { MPU_P_NO_MD5 = 1 };
typedef struct mpu_part mpu_part_t;
int mpu_part_begin(const obj_t *o, const char *id, int num, const char *xck_algo, int flags, mpu_part_t **out,
		   mpu_why_t *why);
int mpu_part_write(mpu_part_t *p, const void *data, size_t len);
/* ok=false discards the part. want_xck (base64, may be NULL) is verified → AIS_ECKSUM +
 * MPU_WHY_BAD_CKSUM. On success the part is in the upload (replacing an earlier copy) and info
 * is filled. Frees p in every case. */
int mpu_part_end(mpu_part_t *p, bool ok, const char *want_xck, mpu_part_info_t *info, mpu_why_t *why);
/* pull-style convenience: read(arg, buf, cap) returns n > 0, 0 at the end, < 0 error */
typedef ssize_t (*mpu_read_cb)(void *arg, void *buf, size_t cap);
int mpu_put_part(const obj_t *o, const char *id, int num, const char *xck_algo, const char *want_xck,
		 mpu_read_cb rd, void *arg, mpu_part_info_t *info, mpu_why_t *why);

typedef struct mpu_cpart {
	int num;
	const char *etag; /* quoted or not; NULL/"" = not checked */
} mpu_cpart_t;

enum {
	MPU_C_S3 = 1,           /* S3 rules: ascending order, subset allowed, 5 MiB minimum but the last */
	MPU_C_KEEP_VERSION = 2, /* the version the callback set stays (remote buckets: the remote's) */
};
/* called before the commit (the selected parts' files complete) to add custom metadata (e.g.
 * from the init meta) or to write the object through to a remote backend; non-zero aborts the
 * completion with that code (the upload stays, as after any failed complete) */
typedef int (*mpu_md_cb)(lom_md_t *md, const ufest_t *u, void *arg);
/* complete: etag receives the S3 multipart ETag "<hex>-N" (unquoted; cap >= 48); md (init'ed by
 * the caller, filled here: size, checksum, version, custom "ETag" when MPU_C_S3) describes the
 * committed object. 0 or AIS_E* with *why. */
int mpu_complete(const obj_t *o, const char *id, mpu_cpart_t *parts, int n, int flags, mpu_md_cb cb,
		 void *cb_arg, lom_md_t *md, char *etag, size_t cap, mpu_why_t *why);
int mpu_abort(const obj_t *o, const char *id, mpu_why_t *why);
/* a copy of the upload's manifest (parts so far); caller ufest_fini's it */
int mpu_get(const obj_t *o, const char *id, ufest_t *copy, mpu_why_t *why);

/* uploads in progress on this target for bucket b (in memory and on disk), name prefix filter;
 * cb(oname, id, created_ns, arg) for each. */
typedef void (*mpu_list_cb)(const char *oname, const char *id, int64_t created, void *arg);
int mpu_list(const bck_t *b, const char *prefix, mpu_list_cb cb, void *arg);

/* space cleanup hooks: last activity of an in-memory upload (0 if unknown); forget one */
int64_t mpu_last_active(const char *id);
void mpu_forget(const char *id);

/* S3 composite checksum of the parts ("<b64>-N") when every part has the same algorithm;
 * 0 or AIS_ENOTFOUND */
int mpu_composite_xck(const ufest_t *u, char *type, size_t tcap, char *val, size_t vcap);

#endif
