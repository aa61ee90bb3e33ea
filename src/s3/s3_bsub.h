/* s3_bsub: the bucket sub-resources at the proxy - ?acl, ?versioning, ?cors, ?tagging,
 * ?publicAccessBlock, ?ownershipControls, ?object-lock, ?policy, ?policyStatus, ?location -
 * (GET, PUT, DELETE), CreateBucket's S3 metadata (owner, ACL, object ownership, object lock, location),
 * and CORS preflight (OPTIONS). Configurations are kept in the bucket's S3 metadata
 * (s3_bmeta.h); versioning maps onto the bucket prop versioning.enabled. Changes are made by
 * the primary proxy (others relay the request). Handlers run on the pool with the body
 * buffered, after s3_auth_check allowed the request. */
#ifndef AIS_S3_BSUB_H
#define AIS_S3_BSUB_H

#include <stdbool.h>

#include "net/http.h"
#include "s3/s3_int.h"

/* the request names a bucket sub-resource this file serves */
bool s3_bsub_is(const http_req_t *r);
/* serve it (responds) */
void s3_bsub_handle(http_req_t *r, const char *bucket, const s3_conf_t *c, const s3_ident_t *id);
/* CreateBucket (PUT /bucket): validates the name, CreateBucketConfiguration, x-amz-acl /
 * x-amz-grant-*, x-amz-object-ownership, x-amz-bucket-object-lock-enabled; creates the bucket
 * with its owner; an existing bucket -> 409 BucketAlreadyExists (another owner, or a different
 * ACL asked for), BucketAlreadyOwnedByYou (outside us-east-1), or 200 (us-east-1, same ACL). */
void s3_bsub_create(http_req_t *r, const char *bucket, const s3_conf_t *c, const s3_ident_t *id);
/* OPTIONS (CORS preflight) on a bucket or an object; no authentication (loop thread) */
void s3_bsub_preflight(http_req_t *r, const char *bucket);

#endif
