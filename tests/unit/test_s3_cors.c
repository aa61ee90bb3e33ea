/* unit tests: s3/s3_cors.c (CORS XML in/out, wildcards, rule matching). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "s3/s3_cors.h"

Test(s3_cors, rules)
{
	cr_assert(s3_cors_wild("*.example.com", "a.example.com", false));
	cr_assert_not(s3_cors_wild("*.example.com", "example.com", false));
	cr_assert(s3_cors_wild("start*end", "startend", false));
	cr_assert_not(s3_cors_wild("start*end", "0startend", false));
	cr_assert(s3_cors_wild("X-Amz-*", "x-amz-date", true));
	cr_assert(s3_cors_wild("*", "anything", false));
	const char *doc = "<CORSConfiguration><CORSRule><ID>r</ID><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*suffix"
			  "</AllowedOrigin><AllowedHeader>x-amz-*</AllowedHeader><MaxAgeSeconds>5</MaxAgeSeconds>"
			  "</CORSRule><CORSRule><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>*</AllowedOrigin>"
			  "</CORSRule></CORSConfiguration>";
	s3_fail_t f = {0};
	json_t *rules = NULL;
	cr_assert_eq(s3_cors_from_xml(doc, strlen(doc), &rules, &f), 0, "%s", f.msg);
	const json_t *m = s3_cors_match(rules, "a.suffix", "GET", "X-Amz-Date");
	cr_assert_not_null(m);
	cr_assert_str_eq(json_string_value(json_object_get(m, "id")), "r");
	cr_assert_null(s3_cors_match(rules, "a.suffix", "GET", "authorization"));
	cr_assert_null(s3_cors_match(rules, "a.other", "GET", NULL));
	cr_assert_not_null(s3_cors_match(rules, "a.other", "PUT", NULL));
	sbuf_t b = SBUF_INIT;
	s3_cors_xml(&b, rules);
	cr_assert(strstr(sbuf_str(&b), "<MaxAgeSeconds>5</MaxAgeSeconds>"));
	sbuf_fini(&b);
	json_decref(rules);
	const char *bad = "<CORSConfiguration><CORSRule><AllowedMethod>TRACE</AllowedMethod><AllowedOrigin>*"
			  "</AllowedOrigin></CORSRule></CORSConfiguration>";
	cr_assert_eq(s3_cors_from_xml(bad, strlen(bad), &rules, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidRequest");
	const char *none = "<CORSConfiguration/>";
	cr_assert_eq(s3_cors_from_xml(none, strlen(none), &rules, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedXML");
}
