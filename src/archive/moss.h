/* moss: GetBatch's wire types (AIStore 4.7's api/apc/ml.go): the request MossReq {"mime",
 * "in":[MossIn...], "coer", "onob", "strm", "coloc"} with MossIn {"objname", "bucket",
 * "provider", "uname", "archpath", "opaque", "start", "length"}, and the multipart answer's
 * MossResp {"uuid", "out":[MossOut {"objname", "archpath", "bucket", "provider", "err_msg",
 * "opaque", "size"}]}. Keys match ignoring case (json-iterator), unknown keys are refused.
 * Validation (AIStore's MossIn.UnmarshalJSON and more): every objname a valid object name (no
 * "..", no "~/", no leading or trailing '/'), every archpath a valid archived path (a leading
 * '/' is dropped), "opaque" base64 (Go's []byte), "mime" one of the five formats (default
 * .tar), "in" not empty; a provider other than "ais", and a range (start/length), are not
 * supported (AIS_ENOTIMPL). The names in the output archive (AIStore's NameInRespArch):
 * "<bucket>/<objname>[/<archpath>]", or with onob "<objname>[/<archpath>]"; a missing item
 * (coer) is "__404__/<that name>". Pure functions. */
#ifndef AIS_MOSS_H
#define AIS_MOSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/arch_mime.h"
#include "core/sbuf.h"

#define MOSS_MISSING_DIR "__404__"
#define MOSS_BODY_MAX_DFLT ((size_t)32 << 20) /* a larger MossReq body is refused (413) */

typedef struct moss_in {
	char *objname;
	char *bucket;    /* "" → the request's bucket */
	char *provider;  /* "" or "ais" */
	char *ns;        /* from uname: the namespace as the BMD keeps it ("" global) */
	char *archpath;  /* "" → the whole object */
	char *opaque;    /* base64 as received ("" none) */
} moss_in_t;

typedef struct moss_req {
	arch_fmt_t fmt;  /* output format (ARCH_TAR by default) */
	moss_in_t *in;
	int n;
	bool coer, onob, strm;
	int coloc;
} moss_req_t;

/* parse and validate a MossReq body. 0, or AIS_EINVAL (malformed: err), AIS_ENOTIMPL (range read,
 * remote provider: err), AIS_ENOMEM. req is always safe to moss_req_fini. */
int moss_req_parse(const char *body, size_t len, moss_req_t *req, char *err, size_t cap);
void moss_req_fini(moss_req_t *req);
/* the item's bucket: its own or dflt ("" when neither: AIS_EINVAL for the caller) */
const char *moss_in_bucket(const moss_in_t *in, const char *dflt);
/* the name of item in the output archive (missing: under __404__/) into out */
void moss_name(const moss_req_t *req, const moss_in_t *in, const char *bucket, bool missing, sbuf_t *out);
/* an archived path as AIStore's ValidateArchpath accepts it (no "../", "~/", trailing '/',
 * valid UTF-8, not "..") */
bool moss_archpath_ok(const char *p);

#endif
