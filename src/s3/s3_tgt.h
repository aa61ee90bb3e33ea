/* s3_tgt: what the target-side S3 files share (s3_object.c, s3_mpu.c; not for other modules):
 * the request-metadata and copy-source helpers of s3_object.c, and the multipart upload entry
 * points of s3_mpu.c (UploadPart's begin/end around s3_object.c's body pipeline; the other
 * MPU requests are handed over whole). */
#ifndef AIS_S3_TGT_H
#define AIS_S3_TGT_H

#include <stdbool.h>

#include "s3/s3_int.h"
#include "core/s3ck.h"
#include "obj/mpu.h"
#include "cluster/smap.h"
#include "obj/obj.h"
#include "target/tmove.h" /* tmove_pull: a copy source owned by another target */

/* s3_object.c: the request's Content-Type & co and x-amz-meta-* (lower-cased) into md */
int s3_obj_md_from_request(http_req_t *r, lom_md_t *md);
/* s3_object.c: "bucket/key[?versionId=..]" (URL-encoded) → bucket, *key (malloc'd). 0 or AIS_E* */
int s3_obj_copy_src(const char *hdr, char *bck, size_t bcap, char **key);
/* s3_object.c: the copy source's ais bucket in bmd, and src placed at bucket/key; NULL when it has
 * responded (NoSuchBucket, InvalidArgument) */
const bck_t *s3_obj_copy_src_place(http_req_t *r, const bmd_t *bmd, const char *bucket, const char *key, obj_t *src);

/* s3_object.c: the object's current metadata under the S3 object lock stripe (s3_olock), for a
 * write's checks: 0 with *have (false: no such object) and md (lom_md_fini it), or AIS_E* */
int s3_obj_current(const obj_t *o, lom_md_t *md, bool *have);
/* s3_object.c: may a write replace the object whose current metadata is md (have: it exists)?
 * If-Match / If-None-Match (412 PreconditionFailed; If-Match on a missing object: 404 NoSuchKey)
 * and the object lock (403 AccessDenied). 0 or responds and returns < 0 */
int s3_obj_replace_ok(http_req_t *r, const obj_t *o, const lom_md_t *md, bool have, bool lock);

/* s3_osub.c: the request names an object sub-resource (?acl, ?tagging, ?retention, ?legal-hold,
 * ?attributes) */
bool s3_osub_is(const http_req_t *r);
/* serve it; takes q and o (obj_move); responds */
void s3_osub_handle(http_req_t *r, s3_req_t *q, obj_t *o, const s3_acc_t *acc);

/* s3_mpu.c: the request is a multipart operation that s3_mpu_handle serves (everything but
 * UploadPart with a body, which s3_object.c streams) */
bool s3_mpu_is_mpu(const http_req_t *r);
/* takes q and o (obj_move: its BMD reference and name; o is left empty); acc: the bucket-level
 * verdict (the requester, the bucket's owner); responds */
void s3_mpu_handle(http_req_t *r, s3_req_t *q, obj_t *o, const s3_acc_t *acc);
/* UploadPart: parse uploadId/partNumber and begin the part (xt: x-amz-checksum algorithm to
 * compute, S3CK_NONE for none). 0, or responds (NoSuchUpload, InvalidArgument) and returns < 0 */
int s3_mpu_part_begin(http_req_t *r, const obj_t *o, s3ck_type_t xt, mpu_part_t **out);
/* UploadPart: the body arrived intact; commit the part (want_xck: the client's x-amz-checksum
 * value or NULL) and respond with its ETag. Frees p. */
void s3_mpu_part_end(http_req_t *r, mpu_part_t *p, const char *want_xck);
/* S3 error for an mpu_* failure */
void s3_mpu_err(http_req_t *r, int rc, mpu_why_t why);

#endif
