/* s3: the S3-compatible API (AIStore's /s3 endpoint). s3_init() registers the routes of the
 * node's role: "/s3" always, and "/" (a catch-all below every /v1 route) that serves S3 only
 * while the cluster feature flag S3-API-via-Root is set (checked per request). Path-style
 * (/s3/<bucket>/<key>) and virtual-host style (Host: <bucket>.<domain>) addressing.
 * Proxies serve service and bucket operations and forward (or 307-redirect) object requests to
 * the owning target; targets serve object requests. See docs/s3.md. */
#ifndef AIS_S3_H
#define AIS_S3_H

#include <stdbool.h>

int s3_init(bool is_proxy);

#endif
