/* test_cli_uri: AIStore CLI bucket/object names: providers and aliases, namespaces, object
 * names with slashes, provider-only forms, errors, and printing back (cname). */
#include "cli/cli_uri.h"

#include <criterion/criterion.h>
#include <string.h>

static void parse_ok(const char *uri, const char *prov, const char *bck, const char *obj)
{
	cli_bck_t b;
	char o[256], err[256] = "";
	cr_assert_eq(cli_uri_parse(uri, &b, o, sizeof(o), err, sizeof(err)), 0, "%s: %s", uri, err);
	cr_expect_str_eq(b.provider, prov, "%s", uri);
	cr_expect_str_eq(b.name, bck, "%s", uri);
	cr_expect_str_eq(o, obj, "%s", uri);
}

Test(cli_uri, basic)
{
	parse_ok("ais://b", "ais", "b", "");
	parse_ok("ais://b/", "ais", "b", "");
	parse_ok("ais://b/o", "ais", "b", "o");
	parse_ok("ais://b/dir/sub/o.txt", "ais", "b", "dir/sub/o.txt");
	parse_ok("s3://bucket/k", "aws", "bucket", "k");
	parse_ok("gs://x", "gcp", "x", "");
	parse_ok("az://x", "azure", "x", "");
	parse_ok("oc://x", "oci", "x", "");
	parse_ok("mybucket/obj", "ais", "mybucket", "obj"); /* default provider */
	parse_ok("ais://", "ais", "", "");
	parse_ok("s3:", "aws", "", "");
	parse_ok("gs", "gcp", "", "");
}

Test(cli_uri, namespaces)
{
	cli_bck_t b;
	char o[64], err[128], cn[256], ns[128];
	cr_assert_eq(cli_uri_parse("ais://#ml/b1/o", &b, o, sizeof(o), err, sizeof(err)), 0);
	cr_expect_str_eq(b.ns_name, "ml");
	cr_expect_str_eq(b.ns_uuid, "");
	cr_expect_str_eq(b.name, "b1");
	cr_expect_str_eq(o, "o");
	cr_expect_str_eq(cli_uri_cname(&b, NULL, cn, sizeof(cn)), "ais://#ml/b1");
	cr_expect_str_eq(cli_uri_ns(&b, ns, sizeof(ns)), "#ml");
	cr_assert_eq(cli_uri_parse("ais://@Bghort1l#ml/bucket_name", &b, o, sizeof(o), err, sizeof(err)), 0);
	cr_expect_str_eq(b.ns_uuid, "Bghort1l");
	cr_expect_str_eq(b.ns_name, "ml");
	cr_expect_str_eq(cli_uri_cname(&b, "x/y", cn, sizeof(cn)), "ais://@Bghort1l#ml/bucket_name/x/y");
	cr_expect_str_eq(cli_uri_ns(&b, ns, sizeof(ns)), "@Bghort1l#ml");
}

Test(cli_uri, errors)
{
	cli_bck_t b;
	char o[64], err[256];
	cr_expect_eq(cli_uri_parse("cloud://b", &b, o, sizeof(o), err, sizeof(err)), -1);
	cr_expect_str_eq(err, "invalid backend provider \"cloud\"");
	cr_expect_eq(cli_uri_parse("aiss://b", &b, o, sizeof(o), err, sizeof(err)), -1);
	cr_expect(strstr(err, "\"aiss\"") != NULL);
	cr_expect_eq(cli_uri_parse("ais://b@d", &b, o, sizeof(o), err, sizeof(err)), -1);
	cr_expect(strstr(err, "is invalid") != NULL, "%s", err);
	/* an object where only a bucket is expected */
	cr_expect_eq(cli_uri_parse("ais://b/o", &b, NULL, 0, err, sizeof(err)), -1);
	/* object name longer than the caller's buffer */
	cr_expect_eq(cli_uri_parse("ais://b/0123456789", &b, o, 8, err, sizeof(err)), -1);
}

Test(cli_uri, cname)
{
	cli_bck_t b = {.provider = "aws", .name = "bkt"};
	char cn[128];
	cr_expect_str_eq(cli_uri_cname(&b, NULL, cn, sizeof(cn)), "s3://bkt");
	cr_expect_str_eq(cli_uri_cname(&b, "", cn, sizeof(cn)), "s3://bkt");
	cr_expect_str_eq(cli_uri_cname(&b, "a b", cn, sizeof(cn)), "s3://bkt/a b");
	cr_expect_str_eq(cli_uri_provider("s3"), "aws");
	cr_expect_null(cli_uri_provider("hdfs"));
}
