/* s3_bmeta: a bucket's S3 metadata - what AIStore's bucket props have no place for: the owner,
 * the ACL, and the S3 bucket configurations (versioning state, CORS, tagging, public-access
 * block, ownership controls, object lock, location). It lives in the BMD as the bucket's
 * extension object `ext.s3` (cluster/bmd.h), so it is persisted and replicated with the BMD:
 * the primary proxy owns it (read-modify-write under metasync_lock, then metasync), other
 * proxies relay the S3 request that changes it to the primary, every node reads it locally.
 * Layout of ext.s3 (all members optional):
 *   "owner": {"id", "name"}              bucket owner (canonical user ID, display name)
 *   "acl": [{"id"|"uri", "perm"}]        grants (s3_acl.h); absent: owner FULL_CONTROL
 *   "location": "<region>"               LocationConstraint given at creation
 *   "versioning": true                   versioning was configured through S3 (state: props)
 *   "cors": [{rule}]  "tags": [{"k","v"}]  "pab": {4 booleans}  "ownership": "<ObjectOwnership>"
 *   "lock": {"enabled": true, "mode", "days"|"years"}
 * A bucket without ext.s3 (created through the native API) has no S3 owner. */
#ifndef AIS_S3_BMETA_H
#define AIS_S3_BMETA_H

#include <jansson.h>
#include <stdbool.h>

#include "cluster/bmd.h"
#include "net/http.h"

/* a reader's view: holds a BMD reference until s3_bm_put */
typedef struct s3_bm {
	bmd_t *bmd;
	const bck_t *bck;   /* NULL: no such ais:// bucket */
	const json_t *s3;   /* ext.s3, or NULL */
} s3_bm_t;

void s3_bm_get(const char *bucket, s3_bm_t *out);
void s3_bm_put(s3_bm_t *m);
/* the owner's canonical ID ("" when the bucket has none) and display name */
const char *s3_bm_owner(const json_t *s3);
const char *s3_bm_owner_name(const json_t *s3);

/* an S3 error to answer with */
typedef struct s3_fail {
	int status;
	const char *code;
	char msg[384];
} s3_fail_t;
void s3_fail_set(s3_fail_t *f, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Primary only (pool): edit the bucket's ext.s3. fn gets the cloned BMD (it may also patch the
 * bucket's props there with bmd_set_props), the bucket in it, and a private copy of ext.s3 (an
 * empty object when absent) to modify; it returns 0 (commit), S3_BM_NOCHANGE, or < 0 with f set.
 * Returns 0, or < 0 with f set (NoSuchBucket when the bucket is gone). */
#define S3_BM_NOCHANGE 1
typedef int (*s3_bm_edit_fn)(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f);
int s3_bm_update(const char *bucket, s3_bm_edit_fn fn, void *arg, s3_fail_t *f);
/* Primary only (pool): create ais://bucket with props (merged over the defaults; may be NULL;
 * borrowed) carrying ext.s3 = s3 (reference taken), in one BMD version. 0, AIS_EEXIST (nothing
 * changed; *existing: a copy of the bucket's ext.s3, NULL if none), or < 0 with f set. */
int s3_bm_create(const char *bucket, json_t *props, json_t *s3, json_t **existing, s3_fail_t *f);

/* Non-primary proxy (pool, body buffered): relay the S3 request - method, path, query, headers
 * (so the primary verifies the same signature), body - to the primary proxy and its answer
 * back. Responds. */
void s3_bm_relay(http_req_t *r);
/* the request was relayed by another proxy (loop guard) */
bool s3_bm_relayed(const http_req_t *r);

#endif
