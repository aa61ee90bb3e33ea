/* fuzz_s3conf: arbitrary bytes into the S3 bucket-configuration parsers: the generic XML tree
 * (s3xml_dom_*), AccessControlPolicy (s3_acl_from_xml), CORSConfiguration (s3_cors_from_xml,
 * then matching and the XML writer), the x-amz-grant-* header grammar, and bucket policies
 * (s3_policy_parse, then evaluation and the public check). The first byte picks the parser. Must neither crash nor leak; what parses must write back and evaluate. */
#include "core/sbuf.h"
#include "net/http.h"
#include "s3/s3_acl.h"
#include "s3/s3_cors.h"
#include "s3/s3_int.h"
#include "s3/s3_policy.h"
#include "s3/s3xml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fz_walk(const s3xml_node_t *n, int depth)
{
	for (; n; n = n->next) {
		if (!n->name || !n->text || depth > 64)
			abort();
		fz_walk(n->child, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *xml = (const char *)data + 1;
	size_t len = size - 1;
	char err[256];
	s3_fail_t f = {0};
	json_t *users = json_loads("{\"keys\":[{\"access\":\"a\",\"secret\":\"s\",\"user\":\"u1\",\"email\":\"u@x\"}]}", 0, NULL);
	s3_conf_t c = {.auth = true, .s3 = users};
	s3_ident_t id = {.id = "u1", .name = "U"};
	switch (data[0] % 5) {
	case 0: {
		s3xml_node_t *doc = NULL;
		if (!s3xml_dom_parse(xml, len, "Tagging", &doc, err, sizeof(err)))
			fz_walk(doc, 0);
		s3xml_dom_free(doc);
		break;
	}
	case 1: {
		json_t *g = NULL;
		if (!s3_acl_from_xml(xml, len, &c, "u1", &g, &f)) {
			sbuf_t b = SBUF_INIT;
			s3_acl_xml(&b, &c, "u1", "U", g);
			(void)s3_acl_perms(g, &id, true);
			(void)s3_acl_public(g);
			sbuf_fini(&b);
		}
		json_decref(g);
		break;
	}
	case 2: {
		json_t *rules = NULL;
		if (!s3_cors_from_xml(xml, len, &rules, &f)) {
			sbuf_t b = SBUF_INIT;
			s3_cors_xml(&b, rules);
			(void)s3_cors_match(rules, "https://a.example.com", "GET", "x-amz-date, content-type");
			sbuf_fini(&b);
		}
		json_decref(rules);
		break;
	}
	case 4: {
		json_t *pol = NULL;
		if (!s3_policy_parse(xml, len, "bucket", &pol, &f)) {
			http_kv_t q[] = {{"prefix", "public/x"}};
			http_kv_t h[] = {{"Authorization", "AWS4-HMAC-SHA256 x"}, {"User-Agent", "fz"}};
			http_req_t r = {.query = q, .nquery = 1, .hdrs = h, .nhdrs = 2};
			s3_pol_ctx_t x = {.id = &id, .action = "s3:GetObject", .resource = "arn:aws:s3:::bucket/public/x",
					  .r = &r, .source_ip = "10.1.2.3"};
			(void)s3_policy_is_public(pol);
			(void)s3_policy_eval(pol, &x);
			x.source_ip = NULL;
			x.skip_public = true;
			(void)s3_policy_eval(pol, &x);
		}
		json_decref(pol);
		break;
	}
	default: {
		char *v = malloc(len + 1);
		if (!v)
			break;
		memcpy(v, xml, len);
		v[len] = '\0';
		http_kv_t h[1] = {{"x-amz-grant-read", v}};
		http_req_t r = {.hdrs = h, .nhdrs = 1};
		json_t *g = NULL;
		(void)s3_acl_from_headers(&r, &c, "u1", NULL, &g, &f);
		json_decref(g);
		free(v);
		break;
	}
	}
	json_decref(users);
	return 0;
}
