/* fuzz_s3_omd: arbitrary bytes into the parsers of an S3 object's own metadata: object tag sets
 * (the x-amz-tagging query form and the Tagging document), the object-lock Retention and
 * LegalHold documents and ISO 8601 dates. The first byte picks the parser. Must neither crash
 * nor leak; a tag set that parses must respect the limits and render again. */
#include "core/sbuf.h"
#include "s3/s3_olock.h"
#include "s3/s3_tags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	size_t len = size - 1;
	s3_fail_t f;
	memset(&f, 0, sizeof(f));
	char *canon = NULL;
	switch (which % 5) {
	case 0:
	case 1:
		if (!(which % 5 ? s3_tags_from_xml(s, len, &canon, &f) : s3_tags_from_query(s, &canon, &f))) {
			if (s3_tags_count(canon) > S3_TAGS_MAX)
				abort();
			sbuf_t b = SBUF_INIT;
			s3_tags_xml(&b, canon);
			sbuf_fini(&b);
			char *again = NULL;
			if (s3_tags_from_query(canon, &again, &f) || strcmp(again, canon))
				abort(); /* the canonical form parses back to itself */
			free(again);
		}
		free(canon);
		break;
	case 2: {
		s3_lock_t l;
		memset(&l, 0, sizeof(l));
		if (!s3_lock_retention_xml_parse(s, len, 0, &l, &f)) {
			sbuf_t b = SBUF_INIT;
			s3_lock_retention_xml(&b, &l);
			sbuf_fini(&b);
		}
		break;
	}
	case 3: {
		bool on;
		(void)s3_lock_hold_xml_parse(s, len, &on, &f);
		break;
	}
	default: {
		int64_t ns;
		(void)s3_iso_parse(s, &ns);
		break;
	}
	}
	free(s);
	return 0;
}
