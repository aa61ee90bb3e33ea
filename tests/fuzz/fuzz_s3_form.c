/* fuzz_s3_form: arbitrary bytes as a multipart/form-data body (cut into pieces at sizes taken from
 * the first bytes, so every split point of the delimiter scan is exercised) through the streaming
 * form parser, and the fields it yields through the POST-object policy and signature checks.
 * Must neither crash nor leak; the parser must never hand on more bytes than it was fed, and a
 * field value must respect S3_FORM_MAX_VALUE. */
#include "core/sbuf.h"
#include "s3/s3_form.h"
#include "s3/s3_postpol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fz {
	s3_pform_t pf;
	size_t fed, out;
	char filename[256];
} fz_t;

static int fz_field(void *arg, const char *name, const char *value, size_t vlen)
{
	fz_t *z = arg;
	if (vlen > S3_FORM_MAX_VALUE)
		abort();
	z->out += vlen;
	return s3_pform_add(&z->pf, name, value);
}

static int fz_begin(void *arg, const char *name, const char *filename, const char *ctype)
{
	fz_t *z = arg;
	(void)name, (void)ctype;
	strncpy(z->filename, filename, sizeof(z->filename) - 1);
	return 0;
}

static int fz_data(void *arg, const char *data, size_t len)
{
	fz_t *z = arg;
	(void)data;
	z->out += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t step = (size_t)data[0] + 1;
	data += 1;
	size -= 1;
	static const s3_form_cb_t cb = {.field = fz_field, .file_begin = fz_begin, .file_data = fz_data};
	fz_t z;
	memset(&z, 0, sizeof(z));
	char err[160];
	s3_form_t *f = s3_form_new("multipart/form-data; boundary=XyZ", &cb, &z, err, sizeof(err));
	if (!f)
		abort();
	int rc = 0;
	for (size_t off = 0; off < size && !rc; off += step) {
		size_t n = size - off < step ? size - off : step;
		z.fed += n;
		rc = s3_form_feed(f, (const char *)data + off, n);
	}
	if (z.out > z.fed)
		abort();
	(void)s3_form_finish(f);
	s3_form_free(f);
	/* the fields through the policy check (a policy field is base64 JSON) */
	s3_fail_t fl;
	int64_t mn, mx;
	memset(&fl, 0, sizeof(fl));
	(void)s3_postpol_check(&z.pf, "bucket", "key", 0, &mn, &mx, &fl);
	s3_pform_fini(&z.pf);
	/* and the Content-Type parsing */
	char b[80];
	char *ct = malloc(size + 1);
	if (ct) {
		memcpy(ct, data, size);
		ct[size] = '\0';
		(void)s3_form_boundary(ct, b, sizeof(b));
		free(ct);
	}
	return 0;
}
