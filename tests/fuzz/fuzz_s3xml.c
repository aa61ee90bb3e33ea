/* fuzz_s3xml: arbitrary bytes into the S3 XML request parsers (the first byte picks Delete,
 * CompleteMultipartUpload or CreateBucketConfiguration) and the rest, escaped, through the
 * builder. Must neither crash nor leak; a successful parse must respect the limits. */
#include "core/sbuf.h"
#include "s3/s3xml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	const char *xml = (const char *)data + 1;
	size_t len = size - 1;
	char err[256];
	switch (which % 3) {
	case 0: {
		s3xml_delete_t d;
		if (!s3xml_parse_delete(xml, len, &d, err, sizeof(err))) {
			if (d.nkeys < 1 || d.nkeys > 1000)
				abort();
			for (int i = 0; i < d.nkeys; i++)
				(void)strlen(d.keys[i]);
		}
		s3xml_delete_fini(&d);
		break;
	}
	case 1: {
		s3xml_complete_t c;
		if (!s3xml_parse_complete(xml, len, &c, err, sizeof(err))) {
			if (c.nparts < 1 || c.nparts > 10000)
				abort();
			for (int i = 0; i < c.nparts; i++)
				if (c.parts[i].number < 1 || c.parts[i].number > 10000)
					abort();
		}
		s3xml_complete_fini(&c);
		break;
	}
	default: {
		char region[64];
		(void)s3xml_parse_location(xml, len, region, sizeof(region), err, sizeof(err));
		break;
	}
	}
	/* the builder: escape the input as text (NUL-terminated copy) */
	char *s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, xml, len);
	s[len] = '\0';
	sbuf_t b = SBUF_INIT;
	s3xml_error(&b, "Code", s, s, "rid");
	s3xml_elemf(&b, "T", "%s", s);
	sbuf_fini(&b);
	free(s);
	return 0;
}
