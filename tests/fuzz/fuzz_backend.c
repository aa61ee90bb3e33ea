/* fuzz: the remote backends' parsers - range templates (core/tmpl.c: parse, count, iterate a
 * bounded number of names), the S3 answers' XML walker (bk_xml.c: walk + get) and the AWS shared
 * config reader (bk_awscfg_ini_get). The first input byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk_awscfg.h"
#include "backend/bk_xml.h"
#include "core/tmpl.h"

static int fz_cb(void *arg, const char *path, int depth, const char *text, size_t len)
{
	(void)arg;
	if (depth < 1 || strlen(path) == 0 || strlen(text) != len)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		tmpl_t t;
		char err[256];
		if (!tmpl_parse(s, &t, err, sizeof(err))) {
			const char *n;
			int64_t c = tmpl_count(&t);
			for (int i = 0; i < 64 && tmpl_next(&t, &n); i++)
				if (!n || c <= 0)
					abort();
			tmpl_fini(&t);
		}
		break;
	}
	case 1: {
		char v[128];
		bk_xml_walk(s, size - 1, fz_cb, NULL);
		bk_xml_get(s, size - 1, "Error/Code", v, sizeof(v));
		break;
	}
	default: {
		char v[128];
		bk_awscfg_ini_get(s, "default", "aws_access_key_id", v, sizeof(v));
		break;
	}
	}
	free(s);
	return 0;
}
