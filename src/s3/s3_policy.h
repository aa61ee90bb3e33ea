/* s3_policy: S3 bucket policies (IAM-style JSON documents) as data - validation when a policy is
 * set, evaluation for a request, and "is it public". No storage (the policy lives in the
 * bucket's S3 metadata, s3_bmeta.h) and no protocol handling.
 * Supported: Version 2012-10-17 / 2008-10-17; Statement (object or array) with Sid, Effect
 * Allow|Deny, Principal ("*", {"AWS": "*" | account/user IDs or arn:aws:iam::<id>:root|user/<id>},
 * {"CanonicalUser": ids}) or NotPrincipal (with Deny only), Action / NotAction ("s3:..." with
 * * and ? wildcards), Resource / NotResource (arn:aws:s3:::<this bucket>[/<key pattern>]),
 * Condition with the operators String[Not]Equals[IgnoreCase], String[Not]Like, [Not]IpAddress,
 * Bool, Numeric{Equals,NotEquals,LessThan[Equals],GreaterThan[Equals]} (each also ...IfExists)
 * over the keys aws:SourceIp, aws:SecureTransport, aws:UserAgent, aws:Referer, aws:userid,
 * aws:username, s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl, s3:authType,
 * s3:signatureversion. Anything else is refused when the policy is set (400 MalformedPolicy):
 * a condition we could not evaluate is never silently dropped. */
#ifndef AIS_S3_POLICY_H
#define AIS_S3_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "net/http.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"

#define S3_POLICY_MAX 20480 /* bytes, as S3 */

/* validate a policy for `bucket`: 0 with *out (the parsed document, new reference), or < 0 with
 * f set (400 MalformedPolicy, or InvalidArgument for NotPrincipal with Allow) */
int s3_policy_parse(const char *text, size_t len, const char *bucket, json_t **out, s3_fail_t *f);
/* grants access to everyone: an Allow statement with a wildcard principal whose conditions do
 * not pin the caller (aws:SourceIp other than 0.0.0.0/0, aws:userid, aws:username, ...) */
bool s3_policy_is_public(const json_t *pol);

typedef enum { S3POL_NONE = 0, S3POL_ALLOW, S3POL_DENY } s3_pol_res_t;

typedef struct s3_pol_ctx {
	const s3_ident_t *id;
	const char *action;    /* e.g. "s3:GetObject" */
	const char *resource;  /* "arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key" */
	const http_req_t *r;   /* condition keys come from the request */
	const char *source_ip; /* NULL: unknown (then an IP condition fails closed) */
	bool skip_public;      /* RestrictPublicBuckets: statements with a wildcard principal grant nothing */
	const char *prefix;    /* s3:prefix when it is not the request's ?prefix (NULL: the query's):
				* the key of an object request asking whether its bucket may be listed */
} s3_pol_ctx_t;

/* explicit Deny wins over Allow; NONE when no statement applies */
s3_pol_res_t s3_policy_eval(const json_t *pol, const s3_pol_ctx_t *x);

#endif
