/* test_backend: the pure parts of the remote backends: range templates (core/tmpl.c), the
 * downloader's egress policy (bk_egress.c), the S3 answers' XML walker (bk_xml.c), AWS shared
 * config files (bk_awscfg.c), ETags, provider names and bucket classification (bk.c), and the
 * SigV4 signer the S3 client uses (core/sigv4.c) against AWS's documented example. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_awscfg.h"
#include "backend/bk_egress.h"
#include "backend/bk_int.h"
#include "backend/bk_xml.h"
#include "core/err.h"
#include "core/sigv4.h"
#include "core/tmpl.h"

static int tmpl_all(const char *s, char out[][64], int max)
{
	tmpl_t t;
	char err[256];
	if (tmpl_parse(s, &t, err, sizeof(err)))
		return -1;
	const char *n;
	int k = 0;
	while (k < max && tmpl_next(&t, &n))
		snprintf(out[k++], 64, "%s", n);
	tmpl_fini(&t);
	return k;
}

Test(tmpl, bash_ranges)
{
	char o[64][64];
	cr_assert_eq(tmpl_all("obj-{0000..0003}.tar", o, 64), 4);
	cr_expect_str_eq(o[0], "obj-0000.tar");
	cr_expect_str_eq(o[3], "obj-0003.tar");
	cr_assert_eq(tmpl_all("a{1..5..2}b", o, 64), 3);
	cr_expect_str_eq(o[1], "a3b");
	cr_assert_eq(tmpl_all("x{0..1}-{00..02}", o, 64), 6);
	cr_expect_str_eq(o[0], "x0-00");
	cr_expect_str_eq(o[2], "x0-02");
	cr_expect_str_eq(o[3], "x1-00");
	cr_expect_str_eq(o[5], "x1-02");
	cr_assert_eq(tmpl_all("p-{9..10}", o, 64), 2); /* width = the shorter bound's */
	cr_expect_str_eq(o[0], "p-9");
	cr_expect_str_eq(o[1], "p-10");
	tmpl_t t;
	char err[256];
	cr_assert_eq(tmpl_parse("shard-{0001..9999}.tar", &t, err, sizeof(err)), 0);
	cr_expect_eq(tmpl_count(&t), 9999);
	tmpl_fini(&t);
}

Test(tmpl, at_and_prefix)
{
	char o[8][64];
	cr_assert_eq(tmpl_all("f-@003.bin", o, 8), 4);
	cr_expect_str_eq(o[0], "f-000.bin");
	cr_expect_str_eq(o[3], "f-003.bin");
	tmpl_t t;
	char err[256];
	cr_assert_eq(tmpl_parse("dir/sub/", &t, err, sizeof(err)), 0);
	cr_expect_eq(t.n, 0);
	cr_expect_str_eq(t.prefix, "dir/sub/");
	tmpl_fini(&t);
	cr_assert_eq(tmpl_parse("", &t, err, sizeof(err)), 0);
	cr_expect_str_eq(t.prefix, "");
	tmpl_fini(&t);
}

Test(tmpl, invalid)
{
	static const char *const bad[] = {"a{1..", "a}1..2{", "a{1}", "a{x..2}", "a{5..1}", "a{1..5..0}",
					  "a{1..5..-1}", "a{1..2..3..4}", "a{1.2}", "a{-1..3}", "a}b", "a{..3}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmpl_t t;
		char err[256] = "";
		cr_expect_eq(tmpl_parse(bad[i], &t, err, sizeof(err)), AIS_EINVAL, "%s", bad[i]);
		cr_expect(strstr(err, "template") != NULL, "%s: %s", bad[i], err);
	}
	char err[256];
	tmpl_t t;
	tmpl_parse("a{5..1}", &t, err, sizeof(err));
	cr_expect(strstr(err, "'start' cannot be greater than 'end'") != NULL, "%s", err);
}

Test(egress, policy)
{
	static const struct {
		const char *ip;
		bool blocked, blocked_with_flag;
	} v[] = {
		{"127.0.0.1", true, true},        {"127.1.2.3", true, true},     {"::1", true, true},
		{"0.0.0.0", true, true},          {"::", true, true},             {"169.254.169.254", true, true},
		{"169.254.0.1", true, true},      {"fe80::1", true, true},        {"febf::1", true, true},
		{"224.0.0.1", true, true},        {"239.255.255.255", true, true}, {"ff02::1", true, true},
		{"::ffff:127.0.0.1", true, true}, {"::ffff:169.254.169.254", true, true},
		{"10.0.0.1", true, false},        {"10.255.255.255", true, false}, {"172.16.0.1", true, false},
		{"172.31.255.255", true, false},  {"192.168.1.1", true, false},   {"fc00::1", true, false},
		{"fd12:3456::1", true, false},    {"::ffff:10.1.2.3", true, false}, {"::ffff:192.168.0.1", true, false},
		{"172.32.0.1", false, false},     {"172.15.255.255", false, false}, {"192.169.0.1", false, false},
		{"8.8.8.8", false, false},        {"2001:db8::1", false, false},  {"198.51.100.7", false, false},
		{"100.64.0.1", false, false},     {"fec0::1", false, false},      {"1.2.3", true, true},
		{"not-an-ip", true, true},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cr_expect_eq(bk_egress_blocked_str(v[i].ip, false), v[i].blocked, "%s", v[i].ip);
		cr_expect_eq(bk_egress_blocked_str(v[i].ip, true), v[i].blocked_with_flag, "%s (flag)", v[i].ip);
	}
}

typedef struct xv {
	int n;
	char last[128];
} xv_t;

static int xml_cb(void *arg, const char *path, int depth, const char *text, size_t len)
{
	xv_t *x = arg;
	if (!strcmp(path, "ListBucketResult/Contents/Key")) {
		x->n++;
		snprintf(x->last, sizeof(x->last), "%.*s", (int)len, text);
	}
	return 0;
}

Test(bk_xml, walk_and_get)
{
	const char *doc = "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			  "<Name>b</Name><Contents><Key>a&amp;b</Key><Size>3</Size></Contents>"
			  "<Contents><Key>c</Key><ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag></Contents>"
			  "<IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken></ListBucketResult>";
	xv_t x = {0};
	cr_assert_eq(bk_xml_walk(doc, strlen(doc), xml_cb, &x), 0);
	cr_expect_eq(x.n, 2);
	cr_expect_str_eq(x.last, "c");
	char v[64];
	cr_expect_eq(bk_xml_get(doc, strlen(doc), "ListBucketResult/NextContinuationToken", v, sizeof(v)), 0);
	cr_expect_str_eq(v, "tok");
	cr_expect_eq(bk_xml_get(doc, strlen(doc), "ListBucketResult/Nope", v, sizeof(v)), AIS_ENOTFOUND);
	cr_expect_eq(bk_xml_get("<a><b>", 6, "a/b", v, sizeof(v)), AIS_EINVAL);
	char etag[96], md5[33];
	bk_s3_etag("\"0cc175b9c0f1b6a831c399e269772661\"", etag, sizeof(etag), md5);
	cr_expect_str_eq(etag, "0cc175b9c0f1b6a831c399e269772661");
	cr_expect_str_eq(md5, "0cc175b9c0f1b6a831c399e269772661");
	bk_s3_etag("\"223c838bf9924ad31e54ac2395f8ac14-2\"", etag, sizeof(etag), md5);
	cr_expect_str_eq(etag, "223c838bf9924ad31e54ac2395f8ac14-2");
	cr_expect_str_eq(md5, "");
}

Test(bk, providers_and_buckets)
{
	cr_expect_str_eq(bk_norm_provider("s3"), "aws");
	cr_expect_str_eq(bk_norm_provider(""), "ais");
	cr_expect_str_eq(bk_norm_provider("gs"), "gcp");
	cr_expect_null(bk_norm_provider("cloud"));
	cr_expect_str_eq(bk_scheme("aws"), "s3");
	cr_expect(bk_is_remote("aws", ""));
	cr_expect(bk_is_remote("ais", "@remb"));
	cr_expect(!bk_is_remote("ais", "@#ns"));
	cr_expect(!bk_is_remote("ais", ""));
	bck_t b;
	memset(&b, 0, sizeof(b));
	snprintf(b.provider, sizeof(b.provider), "aws");
	snprintf(b.name, sizeof(b.name), "bkt");
	char cn[64];
	bk_cname(&b, "o/1", cn, sizeof(cn));
	cr_expect_str_eq(cn, "s3://bkt/o/1");
	cr_expect_eq(bk_status_rc(403), AIS_EFORBIDDEN);
	cr_expect_eq(bk_status_rc(404), AIS_ENOTFOUND);
	cr_expect_eq(bk_status_rc(503), AIS_EUNAVAIL);
}

Test(bk_awscfg, ini)
{
	const char *ini = "# comment\n[default]\naws_access_key_id = AK\n aws_secret_access_key=SK \n"
			  "[profile other]\nregion = eu-west-1\n[other]\naws_access_key_id=AK2\n";
	char v[64];
	cr_expect_eq(bk_awscfg_ini_get(ini, "default", "aws_secret_access_key", v, sizeof(v)), 0);
	cr_expect_str_eq(v, "SK");
	cr_expect_eq(bk_awscfg_ini_get(ini, "profile other", "region", v, sizeof(v)), 0);
	cr_expect_str_eq(v, "eu-west-1");
	cr_expect_eq(bk_awscfg_ini_get(ini, "other", "aws_access_key_id", v, sizeof(v)), 0);
	cr_expect_str_eq(v, "AK2");
	cr_expect_eq(bk_awscfg_ini_get(ini, "other", "region", v, sizeof(v)), AIS_ENOTFOUND);
}

/* AWS's documented example (GET /test.txt, Range, "Signature Version 4 ... Example: GET Object") */
Test(sigv4, aws_example_get_object)
{
	unsigned char key[32];
	sigv4_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3", key);
	sigv4_hdr_t h[] = {{"host", "examplebucket.s3.amazonaws.com"},
			   {"range", "bytes=0-9"},
			   {"x-amz-content-sha256", SIGV4_EMPTY_SHA256},
			   {"x-amz-date", "20130524T000000Z"}};
	char out[512];
	cr_assert(sigv4_auth_header(out, sizeof(out), key, "AKIAIOSFODNN7EXAMPLE", "us-east-1", "s3", "20130524T000000Z",
				    "GET", "/test.txt", "", h, 4, SIGV4_EMPTY_SHA256) > 0);
	cr_expect_str_eq(out, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
			      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
			      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}
