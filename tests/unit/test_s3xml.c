/* test_s3xml: the XML builder's escaping and error document; DeleteObjects,
 * CompleteMultipartUpload and CreateBucketConfiguration parsing with and without the S3
 * namespace, entities, empty <Quiet/>, limits (1000 keys, 10000 parts, 2 MiB) and rejection
 * of malformed XML and DTDs; the generic tree used for bucket configurations. */
#include "core/err.h"
#include "core/sbuf.h"
#include "s3/s3xml.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

Test(s3xml, builder)
{
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ListBucketResult");
	s3xml_elem(&b, "Name", "b&<>\"'x");
	s3xml_elem(&b, "Key", "a\tb\nc\x01\x7f" "d\xc3\xbc");
	s3xml_elemf(&b, "MaxKeys", "%d", 1000);
	s3xml_elem(&b, "Empty", NULL);
	s3xml_open(&b, "Contents");
	s3xml_close(&b, "Contents");
	s3xml_close(&b, "ListBucketResult");
	cr_assert_str_eq(sbuf_str(&b),
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			 "<Name>b&amp;&lt;&gt;&quot;&apos;x</Name>"
			 "<Key>a&#x9;b&#xA;c&#x1;&#x7F;d\xc3\xbc</Key>"
			 "<MaxKeys>1000</MaxKeys><Empty></Empty><Contents></Contents></ListBucketResult>");
	/* long formatted text */
	sbuf_reset(&b);
	char longs[1000];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	s3xml_elemf(&b, "T", "<%s>", longs);
	cr_assert_eq(b.len, 3 + 4 + 999 + 4 + 4);
	cr_assert(!strncmp(b.p, "<T>&lt;xxx", 10));
	sbuf_fini(&b);
}

Test(s3xml, error_document)
{
	sbuf_t b = SBUF_INIT;
	s3xml_error(&b, "NoSuchKey", "The specified key does not exist.", "/b/a&b", "tx-1");
	cr_assert_str_eq(sbuf_str(&b), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				       "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
				       "<Resource>/b/a&amp;b</Resource><RequestId>tx-1</RequestId></Error>");
	sbuf_reset(&b);
	s3xml_error(&b, "AccessDenied", "Access Denied", NULL, NULL);
	cr_assert(strstr(sbuf_str(&b), "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"));
	sbuf_fini(&b);
}

Test(s3xml, delete_basic)
{
	const char *docs[] = {
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete " NS ">\n  <Quiet>true</Quiet>\n"
		"  <Object><Key>a/b.txt</Key></Object>\n  <Object>\n    <Key>x &amp; y &lt;z&gt; &#233;</Key>\n"
		"    <VersionId>null</VersionId>\n  </Object>\n  <Object><Key> sp </Key><ETag>\"e\"</ETag></Object>\n</Delete>",
		"<Delete><Object><Key>a/b.txt</Key></Object><Object><Key>x &amp; y &lt;z&gt; \xc3\xa9</Key></Object>"
		"<Object><Key><![CDATA[ sp ]]></Key></Object><Quiet>TRUE</Quiet></Delete>",
		"<s3:Delete xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Quiet>true</s3:Quiet>"
		"<s3:Object><s3:Key>a/b.txt</s3:Key></s3:Object><s3:Object><s3:Key>x &amp; y &lt;z&gt; &#xE9;</s3:Key>"
		"</s3:Object><s3:Object><s3:Key> sp </s3:Key></s3:Object></s3:Delete>",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		s3xml_delete_t d;
		char err[200];
		cr_assert_eq(s3xml_parse_delete(docs[i], strlen(docs[i]), &d, err, sizeof(err)), 0, "%zu: %s", i, err);
		cr_assert(d.quiet);
		cr_assert_eq(d.nkeys, 3);
		cr_assert_str_eq(d.keys[0], "a/b.txt");
		cr_assert_str_eq(d.keys[1], "x & y <z> \xc3\xa9");
		cr_assert_str_eq(d.keys[2], " sp ");
		s3xml_delete_fini(&d);
		cr_assert_eq(d.nkeys, 0);
	}
	/* quiet variants */
	const char *q[] = {"<Delete><Quiet/><Object><Key>k</Key></Object></Delete>",
			   "<Delete><Quiet>false</Quiet><Object><Key>k</Key></Object></Delete>",
			   "<Delete><Object><Key>k</Key></Object></Delete>",
			   "<Delete><Quiet> false </Quiet><Object><Key>k</Key></Object></Delete>"};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		s3xml_delete_t d;
		cr_assert_eq(s3xml_parse_delete(q[i], strlen(q[i]), &d, NULL, 0), 0, "%s", q[i]);
		cr_assert(!d.quiet);
		cr_assert_eq(d.nkeys, 1);
		s3xml_delete_fini(&d);
	}
}

Test(s3xml, delete_rejects)
{
	const char *bad[] = {
		"",
		"<Delete>",
		"<Delete><Object><Key>k</Key></Object>",
		"<Delete></Delete>",
		"<Delete><Object></Object></Delete>",
		"<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>",
		"<Delete><Quiet>maybe</Quiet><Object><Key>k</Key></Object></Delete>",
		"<Remove><Object><Key>k</Key></Object></Remove>",
		"<Delete><Object><Key>a<b/>c</Key></Object></Delete>",
		"<Delete><Object><Key>&bogus;</Key></Object></Delete>",
		"<Delete><Object><Key>k</Key></Object></Delete><Delete/>",
		"<s3:Delete><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>", /* unbound prefix */
		"<!DOCTYPE Delete [<!ENTITY a \"aaaa\">]><Delete><Object><Key>&a;</Key></Object></Delete>",
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
		"<Delete><Object><Key>&lol2;</Key></Object></Delete>",
		"<Delete><Object><Key>\xff\xfe</Key></Object></Delete>", /* invalid UTF-8 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s3xml_delete_t d;
		char err[200] = "";
		cr_assert_eq(s3xml_parse_delete(bad[i], strlen(bad[i]), &d, err, sizeof(err)), AIS_EINVAL, "%zu", i);
		cr_assert(err[0], "%zu", i);
		cr_assert_eq(d.nkeys, 0);
		cr_assert_null(d.keys);
	}
}

static char *many_keys(int n)
{
	sbuf_t b = SBUF_INIT;
	sbuf_adds(&b, "<Delete " NS ">");
	for (int i = 0; i < n; i++)
		sbuf_addf(&b, "<Object><Key>key-%05d</Key></Object>", i);
	sbuf_adds(&b, "</Delete>");
	return sbuf_take(&b);
}

Test(s3xml, delete_limits)
{
	s3xml_delete_t d;
	char err[200];
	char *x = many_keys(1000);
	cr_assert_eq(s3xml_parse_delete(x, strlen(x), &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.nkeys, 1000);
	cr_assert_str_eq(d.keys[999], "key-00999");
	s3xml_delete_fini(&d);
	free(x);
	x = many_keys(1001);
	cr_assert_eq(s3xml_parse_delete(x, strlen(x), &d, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "1000"), "%s", err);
	free(x);
	/* a 1024-byte key is fine, a 5000-byte one is not; a > 2 MiB document neither */
	sbuf_t b = SBUF_INIT;
	sbuf_adds(&b, "<Delete><Object><Key>");
	for (int i = 0; i < 1024; i++)
		sbuf_add(&b, "k", 1);
	sbuf_adds(&b, "</Key></Object></Delete>");
	cr_assert_eq(s3xml_parse_delete(b.p, b.len, &d, err, sizeof(err)), 0);
	cr_assert_eq(strlen(d.keys[0]), 1024);
	s3xml_delete_fini(&d);
	sbuf_reset(&b);
	sbuf_adds(&b, "<Delete><Object><Key>");
	for (int i = 0; i < 5000; i++)
		sbuf_add(&b, "k", 1);
	sbuf_adds(&b, "</Key></Object></Delete>");
	cr_assert_eq(s3xml_parse_delete(b.p, b.len, &d, err, sizeof(err)), AIS_EINVAL);
	sbuf_reset(&b);
	sbuf_adds(&b, "<Delete><Object><Key>k</Key></Object>");
	while (b.len <= (2u << 20))
		sbuf_adds(&b, "<!-- padding padding padding padding padding padding padding -->");
	sbuf_adds(&b, "</Delete>");
	cr_assert_eq(s3xml_parse_delete(b.p, b.len, &d, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "larger"), "%s", err);
	sbuf_fini(&b);
}

Test(s3xml, complete_basic)
{
	const char *x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload " NS ">\n"
			"  <Part>\n    <ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag>\n"
			"    <PartNumber>1</PartNumber>\n  </Part>\n"
			"  <Part><PartNumber>2</PartNumber><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag>"
			"<ChecksumCRC32>y/Q5Jg==</ChecksumCRC32></Part>\n"
			"  <Part><PartNumber> 10000 </PartNumber><ETag>x</ETag><ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME>"
			"</Part>\n  <Part><PartNumber>4</PartNumber></Part>\n</CompleteMultipartUpload>";
	s3xml_complete_t c;
	char err[200];
	cr_assert_eq(s3xml_parse_complete(x, strlen(x), &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.nparts, 4);
	cr_assert_eq(c.parts[0].number, 1);
	cr_assert_str_eq(c.parts[0].etag, "\"a54357aff0632cce46d942af68356b38\"");
	cr_assert_str_eq(c.parts[0].checksum_algo, "");
	cr_assert_eq(c.parts[1].number, 2);
	cr_assert_str_eq(c.parts[1].checksum, "y/Q5Jg==");
	cr_assert_str_eq(c.parts[1].checksum_algo, "CRC32");
	cr_assert_eq(c.parts[2].number, 10000);
	cr_assert_str_eq(c.parts[2].checksum_algo, "CRC64NVME");
	cr_assert_str_eq(c.parts[3].etag, "");
	s3xml_complete_fini(&c);
	cr_assert_null(c.parts);

	const char *bad[] = {
		"<CompleteMultipartUpload/>",
		"<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>0</PartNumber></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1x</PartNumber></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber></Part>"
		"</CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ChecksumCRC32>a</ChecksumCRC32>"
		"<ChecksumSHA1>b</ChecksumSHA1></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
		"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890</ETag></Part>"
		"</CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>",
		"<Delete><Object><Key>k</Key></Object></Delete>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(s3xml_parse_complete(bad[i], strlen(bad[i]), &c, err, sizeof(err)), AIS_EINVAL, "%zu", i);
		cr_assert(err[0]);
		cr_assert_eq(c.nparts, 0);
	}
}

Test(s3xml, complete_limits)
{
	sbuf_t b = SBUF_INIT;
	sbuf_adds(&b, "<CompleteMultipartUpload>");
	for (int i = 1; i <= 10000; i++)
		sbuf_addf(&b, "<Part><PartNumber>%d</PartNumber><ETag>\"e%d\"</ETag></Part>", i, i);
	size_t at = b.len;
	sbuf_adds(&b, "</CompleteMultipartUpload>");
	s3xml_complete_t c;
	char err[200];
	cr_assert_eq(s3xml_parse_complete(b.p, b.len, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.nparts, 10000);
	cr_assert_str_eq(c.parts[9999].etag, "\"e10000\"");
	s3xml_complete_fini(&c);
	b.len = at;
	sbuf_adds(&b, "<Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>");
	cr_assert_eq(s3xml_parse_complete(b.p, b.len, &c, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "10000"), "%s", err);
	sbuf_fini(&b);
}

Test(s3xml, location)
{
	char region[64], err[200];
	const char *ok[][2] = {
		{"", ""},
		{"  \n", ""},
		{"<CreateBucketConfiguration " NS "><LocationConstraint>eu-west-1</LocationConstraint>"
		 "</CreateBucketConfiguration>",
		 "eu-west-1"},
		{"<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>", ""},
		{"<CreateBucketConfiguration></CreateBucketConfiguration>", ""},
		{"<?xml version=\"1.0\"?><CreateBucketConfiguration " NS ">\n <LocationConstraint> us-west-2 "
		 "</LocationConstraint>\n <Bucket><Type>Directory</Type></Bucket></CreateBucketConfiguration>",
		 "us-west-2"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(s3xml_parse_location(ok[i][0], strlen(ok[i][0]), region, sizeof(region), err, sizeof(err)), 0,
			     "%zu: %s", i, err);
		cr_assert_str_eq(region, ok[i][1]);
	}
	const char *bad[] = {"<CreateBucketConfiguration>", "<Other/>", "garbage",
			     "<CreateBucketConfiguration><LocationConstraint>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</LocationConstraint></CreateBucketConfiguration>"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(s3xml_parse_location(bad[i], strlen(bad[i]), region, sizeof(region), err, sizeof(err)),
			     AIS_EINVAL, "%zu", i);
		cr_assert_str_eq(region, "");
	}
}

Test(s3xml, dom_tree)
{
	const char *doc = "<a xmlns=\"n\"><b>1</b><c><d> x </d></c><b>2</b></a>";
	char err[128], t[8];
	s3xml_node_t *n = NULL;
	cr_assert_eq(s3xml_dom_parse(doc, strlen(doc), "a", &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s3xml_nchild(n, "b"), 2);
	const s3xml_node_t *b1 = s3xml_child(n, "b");
	cr_assert_str_eq(s3xml_next(b1)->text, "2");
	cr_assert_str_eq(s3xml_child_text(s3xml_child(n, "c"), "d", t, sizeof(t)), "x");
	cr_assert_null(s3xml_child_text(n, "zz", t, sizeof(t)));
	s3xml_dom_free(n);
	cr_assert_eq(s3xml_dom_parse(doc, strlen(doc), "x", &n, err, sizeof(err)), AIS_EINVAL);
	cr_assert_null(n);
	const char *dtd = "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
	cr_assert_eq(s3xml_dom_parse(dtd, strlen(dtd), "a", &n, err, sizeof(err)), AIS_EINVAL);
	cr_assert_eq(s3xml_dom_parse("", 0, "a", &n, err, sizeof(err)), AIS_EINVAL);
}

/* regression: an empty leaf after a non-empty one had the earlier text (a tag's empty Value read
 * as its Key) */
Test(s3xml, dom_empty_leaf)
{
	const char *doc = "<T><K>key</K><V></V><W/></T>";
	char err[128];
	s3xml_node_t *n = NULL;
	cr_assert_eq(s3xml_dom_parse(doc, strlen(doc), "T", &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s3xml_child(n, "K")->text, "key");
	cr_assert_str_eq(s3xml_child(n, "V")->text, "");
	cr_assert_str_eq(s3xml_child(n, "W")->text, "");
	s3xml_dom_free(n);
}

/* DeleteObjects: a VersionId per key (NULL where none was given) */
Test(s3xml, delete_versions)
{
	const char *x = "<Delete><Object><Key>a</Key><VersionId> 7 </VersionId></Object><Object><Key>b</Key></Object>"
			"</Delete>";
	s3xml_delete_t d;
	char err[128];
	cr_assert_eq(s3xml_parse_delete(x, strlen(x), &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.nkeys, 2);
	cr_assert_str_eq(d.versions[0], "7");
	cr_assert_null(d.versions[1]);
	s3xml_delete_fini(&d);
}
