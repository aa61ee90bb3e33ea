/* bk_awscfg: the S3 session of one request (AIStore's sessConf + the AWS SDK's config
 * resolution), without an AWS SDK: endpoint, region, credentials and addressing style.
 *   endpoint: bucket prop extra.aws.endpoint, else env S3_ENDPOINT, else AWS
 *             (https://s3.amazonaws.com, or https://s3.<region>.amazonaws.com)
 *   profile:  bucket prop extra.aws.profile, else env AWS_PROFILE, else "default"
 *   region:   extra.aws.cloud_region, else env AWS_REGION, else the profile's region in the
 *             config file, else us-east-1 (env.AwsDefaultRegion)
 *   keys:     a bucket with its own profile: that profile's keys only (AIStore: per-bucket
 *             credentials bypass the global defaults); otherwise env AWS_ACCESS_KEY_ID,
 *             AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the profile's keys in
 *             AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) or AWS_CONFIG_FILE (~/.aws/config);
 *             none at all: anonymous (unsigned) requests
 *   style:    path-style with feature S3-Use-Path-Style, or when the endpoint's host is an IP
 *             address or "localhost" (virtual-hosted names cannot resolve there); else virtual-hosted.
 * The shared files are re-read when they change (mtime), at most once a second. Thread-safe. */
#ifndef AIS_BK_AWSCFG_H
#define AIS_BK_AWSCFG_H

#include <stdbool.h>

#include "backend/bk.h"

typedef struct bk_awscfg {
	char scheme[8];        /* "http" / "https" */
	char host[256];        /* endpoint host[:port] as the Host header carries it */
	char base_path[128];   /* endpoint path prefix ("" normally) */
	char region[64];
	char profile[64];
	char access[128], secret[128];
	char token[2048];      /* session token or "" */
	bool anon;             /* no credentials: unsigned requests */
	bool path_style;
} bk_awscfg_t;

/* resolve for bucket b (b->props may be NULL: a bucket not in the BMD yet). 0, or AIS_EINVAL
 * with e filled (malformed endpoint, a named profile that does not exist). */
int bk_awscfg_resolve(const bck_t *b, bk_awscfg_t *c, bk_err_t *e);
/* one key of an INI section ("[default]", "[profile x]") of a file; 0 or AIS_ENOTFOUND (test hook) */
int bk_awscfg_ini_get(const char *text, const char *section, const char *key, char *out, size_t cap);

#endif
