/* ld_api: aisloader's control plane (blocking libcurl calls from the main thread only):
 * the cluster map, bucket exists/create/destroy and listing, natively against an AIStore
 * proxy or over S3 (path-style; SigV4 through libcurl's CURLOPT_AWS_SIGV4 when keys are set).
 * Errors: negative AIS_E* with a message in err. */
#ifndef AIS_LD_API_H
#define AIS_LD_API_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster/smap.h"
#include "loader/ld_flags.h"
#include "loader/ld_names.h"

typedef struct ld_api {
	const ld_params_t *p;
	bool s3;
	const char *base; /* proxy URL or S3 endpoint, no trailing '/' */
} ld_api_t;

void ld_api_init(ld_api_t *a, const ld_params_t *p);
/* GET /v1/cluster?what=smap; the caller frees with smap_free */
smap_t *ld_api_smap(ld_api_t *a, char *err, size_t cap);
/* 1 exists, 0 does not, <0 error */
int ld_api_bck_exists(ld_api_t *a, char *err, size_t cap);
int ld_api_bck_create(ld_api_t *a, char *err, size_t cap);
/* native: destroy-bck; S3: delete the objects in names, then the bucket */
int ld_api_bck_destroy(ld_api_t *a, ld_names_t *names, char *err, size_t cap);
/* append every object name in the bucket under prefix (may be "") to names */
int ld_api_list(ld_api_t *a, const char *prefix, ld_names_t *names, char *err, size_t cap);

#endif
