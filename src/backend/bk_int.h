/* bk_int: what the backend's files share (not for other modules): the providers' ops tables
 * and small helpers. */
#ifndef AIS_BK_INT_H
#define AIS_BK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "backend/bk.h"
#include "backend/bk_http.h"

extern const bk_ops_t bk_s3_ops;  /* bk_s3.c */
extern const bk_ops_t bk_ais_ops; /* bk_ais.c */

/* an S3 ETag header/XML value: unquoted copy into etag; md5 = its lowercase hex when it is a
 * plain MD5 (32 hex digits), else "" */
void bk_s3_etag(const char *raw, char *etag, size_t ecap, char *md5);

/* ---- the streamed GET of the HTTP providers (bk_get.c) ---- */
/* reset oa to "nothing known" with the object's size from a response: Content-Length, or the
 * total of Content-Range (a range GET); -1 when neither says */
void bk_oattrs_size(const bk_http_req_t *q, bk_oattrs_t *oa);
/* a provider's response headers into an object's attributes */
typedef void (*bk_oattrs_fn)(const bk_http_req_t *q, bk_oattrs_t *oa);
enum {
	BK_GET_HTTP = 1,  /* transport error or a status other than 200/206: the provider reports it */
	BK_GET_SHORT = 2, /* fewer body bytes than announced: the provider reports it */
};
/* perform q (a GET ready to go: URL, auth) for bytes [off, off+len) (len <= 0: the whole object):
 * the response's attributes (oattrs) into oa and to hdr (optional) before the first byte, the
 * body to sink(arg). 0, BK_GET_HTTP, BK_GET_SHORT, or the error (AIS_E*, < 0) hdr or sink stopped
 * the transfer with (in e: "<name>: failed to store: ...") */
int bk_get_stream(bk_http_req_t *q, const char *name, int64_t off, int64_t len, bk_oattrs_fn oattrs, bk_hdr_fn hdr,
		  bk_sink_fn sink, void *arg, bk_oattrs_t *oa, bk_err_t *e);

#endif
