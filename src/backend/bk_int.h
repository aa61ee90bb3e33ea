/* bk_int: what the backend's files share (not for other modules): the providers' ops tables
 * and small helpers. */
#ifndef AIS_BK_INT_H
#define AIS_BK_INT_H

#include <stddef.h>

#include "backend/bk.h"

extern const bk_ops_t bk_s3_ops;  /* bk_s3.c */
extern const bk_ops_t bk_ais_ops; /* bk_ais.c */

/* an S3 ETag header/XML value: unquoted copy into etag; md5 = its lowercase hex when it is a
 * plain MD5 (32 hex digits), else "" */
void bk_s3_etag(const char *raw, char *etag, size_t ecap, char *md5);

#endif
