/* agate: JWT access control of the native API (docs/security.md; AIStore ais/prxauth.go). With
 * auth.enabled every request a client sends to a node's native API carries
 * "Authorization: Bearer <JWT>": no/invalid/expired token -> 401, a valid token without the
 * permission the operation needs (AIStore's access bits, per bucket or cluster-wide) -> 403.
 * Not checked: intra-cluster requests (signed with the cluster key, net/isig.h), redirects the
 * cluster signed (net/rsig.h, verified by the target), /v1/health and /metrics. The S3 API with
 * auth.enabled requires s3.auth (SigV4 keys), else 401.
 * Where this build is coarser than AIStore (it decides before a request body is read): POST
 * actions on objects need read-write bucket access, POST and DELETE on a bucket need cluster
 * admin or create/destroy permission respectively (AIStore looks at the action). */
#ifndef AIS_AGATE_H
#define AIS_AGATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/http.h"

typedef struct agate_op {
	uint64_t ace;          /* 0: not checked */
	char bck[256];         /* bucket of a bucket/object operation ("" none) */
	char provider[16];
} agate_op_t;

/* what r needs (ace 0 for the unchecked paths); 0, or AIS_EINVAL for a malformed path */
int agate_classify(const http_req_t *r, agate_op_t *op);
/* the route gate (net/route.h): 0 to serve r, or nonzero when it was answered (401/403) */
int agate_check(http_req_t *r);
/* set-config that turns auth.enabled on (new_cluster: the config about to be installed): the
 * request must carry an admin token valid under the new signature settings. 0, or answered. */
int agate_enable_check(http_req_t *r, json_t *new_cluster);

#endif
