/* s3_omd: what an S3 object keeps about itself beyond its bytes and content headers - its
 * owner, ACL, tags and object lock (s3_olock.h) - in its LOM custom metadata, and how a write
 * decides them. Pure (no storage, no responses); every value belongs to one object version (it
 * lives in that version's LOM), so a future version store carries it unchanged.
 * LOM custom keys (besides s3_olock.h's x-amz-object-lock-*):
 *   s3-owner    canonical ID of the owner; absent (objects written natively): the bucket's owner
 *   s3-acl      the grants as compact JSON (s3_acl.h); absent: the owner FULL_CONTROL
 *   s3-tagging  the tag set, canonical (s3_tags.h); absent: none
 * A write's owner follows the bucket's ObjectOwnership: ObjectWriter (default) the writer;
 * BucketOwnerPreferred the bucket owner when the write carries x-amz-acl:
 * bucket-owner-full-control, else the writer; BucketOwnerEnforced the bucket owner (no ACL is
 * kept). Anonymous writes belong to the bucket owner. */
#ifndef AIS_S3_OMD_H
#define AIS_S3_OMD_H

#include <jansson.h>
#include <stdbool.h>

#include "net/http.h"
#include "obj/lom.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"
#include "s3/s3_olock.h"

#define S3MD_OWNER "s3-owner"
#define S3MD_ACL "s3-acl"
#define S3MD_TAGS "s3-tagging"

/* the S3 attributes of an object version being written */
typedef struct s3_oattr {
	char owner[S3_ID_MAX];
	char *acl;       /* compact JSON grants (malloc'd) or NULL: the owner FULL_CONTROL */
	char *tags;      /* canonical tag set (malloc'd) or NULL: none */
	bool tags_set;   /* tags decided (copy: x-amz-tagging-directive REPLACE) */
	s3_lock_t lock;
} s3_oattr_t;

enum {
	S3_OA_TAGS = 1, /* x-amz-tagging applies (PutObject, CreateMultipartUpload; copy with REPLACE) */
	S3_OA_LOCK = 2, /* x-amz-object-lock-* and the bucket's default retention apply */
};

/* From the write request's headers (x-amz-acl / x-amz-grant-*, x-amz-tagging, x-amz-object-lock-*)
 * by requester id into a bucket with S3 metadata bs3 (may be NULL), at time now: 0 with out set
 * (s3_oattr_fini it), or < 0 with f set (400 for a bad ACL, tag set or lock header; 400
 * InvalidRequest for lock headers on a bucket without object lock). */
int s3_oattr_from_request(const http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const json_t *bs3,
			  unsigned flags, int64_t now, s3_oattr_t *out, s3_fail_t *f);
void s3_oattr_fini(s3_oattr_t *a);
/* into a LOM being written; 0 or AIS_ENOMEM */
int s3_oattr_store(const s3_oattr_t *a, lom_md_t *md);
/* the S3 attribute keys of a LOM (s3-*, x-amz-object-lock-*): not copied by CopyObject, not
 * shown as content headers */
bool s3_omd_is_attr_key(const char *key);

/* x-amz-version-id: md's version, when the bucket is versioned through S3 (configured with
 * PutBucketVersioning or object lock, and versioning.enabled) - a native bucket's own versions are
 * not S3 version IDs */
void s3_omd_version_hdr(http_req_t *r, const lom_md_t *md, const bck_t *b);

/* an object's owner: its s3-owner, else the bucket's owner (bs3), else the default user */
const char *s3_omd_owner(const lom_md_t *md, const json_t *bs3);
/* an object's grants (new reference): s3-acl, or [owner FULL_CONTROL]; NULL when out of memory */
json_t *s3_omd_grants(const lom_md_t *md, const char *owner);

#endif
