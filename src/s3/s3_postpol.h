/* s3_postpol: the checks of an S3 browser-form upload (POST object) that depend only on its form
 * fields: the signature of the policy (Signature V2: AWSAccessKeyId + signature = base64
 * HMAC-SHA1(secret, policy); V4: x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential
 * <key>/<yyyymmdd>/<region>/s3/aws4_request, x-amz-date, x-amz-signature = hex HMAC-SHA256 with
 * the derived signing key over the policy) and the policy document (base64 JSON):
 * "expiration" (ISO 8601, case-sensitive member), "conditions": {"field": "value"} (eq),
 * ["eq" | "starts-with", "$field", "value"] (operators and field names case-insensitive),
 * ["content-length-range", min, max]; every form field must be named by a condition except
 * AWSAccessKeyId, signature, x-amz-signature, policy, file, x-ignore-*, x-amz-checksum-*.
 * Answers: 400 InvalidPolicyDocument (malformed policy, no expiration or conditions, a bad
 * condition), 400 InvalidArgument (a policy without its signature, or the reverse), 403
 * AccessDenied (expired, a condition that fails, a field no condition names),
 * 403 InvalidAccessKeyId / SignatureDoesNotMatch. Pure: no I/O. */
#ifndef AIS_S3_POSTPOL_H
#define AIS_S3_POSTPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"

typedef struct s3_pfield {
	char *name;
	char *value;
} s3_pfield_t;

/* the form fields before the file, as received */
typedef struct s3_pform {
	s3_pfield_t *v;
	int n, cap;
} s3_pform_t;

int s3_pform_add(s3_pform_t *pf, const char *name, const char *value);
void s3_pform_fini(s3_pform_t *pf);
/* a field's value by name (case-insensitive; the first), NULL when absent */
const char *s3_pform_get(const s3_pform_t *pf, const char *name);

/* the requester from the form's signature (c->auth: verified; else only named): 0 with *id
 * (anonymous without any signature fields), or < 0 with f set */
int s3_postpol_auth(const s3_pform_t *pf, const s3_conf_t *c, int64_t now_s, s3_ident_t *id, s3_fail_t *f);
/* the policy (when the form has one) against the form: bucket (the URL's), key (with
 * ${filename} substituted) at time now (unix ns). 0 with *min / *max of content-length-range
 * (-1 when none), or < 0 with f set */
int s3_postpol_check(const s3_pform_t *pf, const char *bucket, const char *key, int64_t now, int64_t *min,
		     int64_t *max, s3_fail_t *f);

#endif
