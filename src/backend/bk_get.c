/* bk_get: the streamed object GET both HTTP providers (bk_s3.c, bk_ais.c) perform the same way
 * (see bk_int.h): range header, the attributes parsed from the response headers and handed to
 * the caller before the first body byte, the body into the caller's sink, and the checks after
 * (sink failure, status, short read); and the object size every HTTP answer carries alike. The
 * provider builds the request, parses its own attribute headers and words its errors. */
#include <stdlib.h>
#include <string.h>

#include "backend/bk_int.h"
#include "core/err.h"

void bk_oattrs_size(const bk_http_req_t *q, bk_oattrs_t *oa)
{
	memset(oa, 0, sizeof(*oa));
	oa->size = -1;
	const char *v;
	if ((v = bk_http_rhdr(q, "content-length")))
		oa->size = strtoll(v, NULL, 10);
	if ((v = bk_http_rhdr(q, "content-range")) && (v = strchr(v, '/')))
		oa->size = strtoll(v + 1, NULL, 10);
}

typedef struct bk_get {
	bk_http_req_t *q;
	bk_oattrs_t *oa;
	bk_oattrs_fn oattrs;
	bk_hdr_fn hdr;
	void *arg;
} bk_get_t;

static int bk_get_hdrs(void *arg, int status)
{
	bk_get_t *g = arg;
	g->oattrs(g->q, g->oa);
	return g->hdr ? g->hdr(g->arg, g->oa) : 0;
}

int bk_get_stream(bk_http_req_t *q, const char *name, int64_t off, int64_t len, bk_oattrs_fn oattrs, bk_hdr_fn hdr,
		  bk_sink_fn sink, void *arg, bk_oattrs_t *oa, bk_err_t *e)
{
	if (len > 0)
		bk_http_hdr(q, "Range: bytes=%lld-%lld", (long long)off, (long long)(off + len - 1));
	bk_get_t g = {.q = q, .oa = oa, .oattrs = oattrs, .hdr = hdr, .arg = arg};
	q->on_hdrs = bk_get_hdrs;
	q->hdrs_arg = &g;
	q->sink = sink;
	q->sink_arg = arg;
	bk_http_do(q);
	if (q->sink_rc) {
		bk_fail(e, err_http_status(q->sink_rc), NULL, "%s: failed to store: %s", name, err_str(q->sink_rc));
		return q->sink_rc;
	}
	if (q->rc || (q->status != 200 && q->status != 206))
		return BK_GET_HTTP;
	if (oa->size >= 0 && q->nbody != (len > 0 ? len : oa->size))
		return BK_GET_SHORT;
	return 0;
}
