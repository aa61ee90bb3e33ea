/* unit tests: s3/s3_acl.c (canned ACLs, grant headers, AccessControlPolicy XML in/out,
 * permission evaluation). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "s3/s3_acl.h"

static s3_conf_t conf;

/* two users' keys, as config_tab parses s3.keys [{"access","secret","user","display_name","email"}] */
static void setup(void)
{
	conf = (s3_conf_t){.auth = true, .nkeys = 2,
			   .keys = {{.access = "a1", .secret = "s", .user = "u1", .display_name = "One", .email = "one@x"},
				    {.access = "a2", .secret = "s", .user = "u2"}}};
}
static void teardown(void) {}

TestSuite(s3_acl, .init = setup, .fini = teardown);

static s3_ident_t ident(const char *id)
{
	s3_ident_t x = {0};
	if (!id)
		x.anon = true;
	else
		snprintf(x.id, sizeof(x.id), "%s", id);
	return x;
}

Test(s3_acl, canned)
{
	s3_fail_t f = {0};
	json_t *g = NULL;
	cr_assert_eq(s3_acl_canned("public-read-write", "u1", NULL, &g, &f), 0);
	s3_ident_t anon = ident(NULL), u2 = ident("u2"), u1 = ident("u1");
	cr_assert_eq(s3_acl_perms(g, &anon, true), S3P_READ | S3P_WRITE);
	cr_assert_eq(s3_acl_perms(g, &anon, false), 0u); /* IgnorePublicAcls */
	cr_assert_eq(s3_acl_perms(g, &u1, true), (unsigned)S3P_FULL);
	cr_assert(s3_acl_public(g));
	json_decref(g);
	cr_assert_eq(s3_acl_canned("authenticated-read", "u1", NULL, &g, &f), 0);
	cr_assert_eq(s3_acl_perms(g, &anon, true), 0u);
	cr_assert_eq(s3_acl_perms(g, &u2, true), (unsigned)S3P_READ);
	json_decref(g);
	cr_assert_eq(s3_acl_canned("bucket-owner-full-control", "u2", "u1", &g, &f), 0);
	cr_assert_eq(s3_acl_perms(g, &u1, true), (unsigned)S3P_FULL);
	cr_assert_not(s3_acl_public(g));
	json_decref(g);
	cr_assert_eq(s3_acl_canned("everything", "u1", NULL, &g, &f), AIS_EINVAL);
	cr_assert_eq(f.status, 400);
	cr_assert_str_eq(f.code, "InvalidArgument");
	cr_assert_null(g);
	cr_assert(s3_acl_canned_public("public-read"));
	cr_assert_not(s3_acl_canned_public("private"));
	cr_assert_not(s3_acl_canned_public(NULL));
}

Test(s3_acl, headers)
{
	s3_fail_t f = {0};
	json_t *g = NULL;
	http_kv_t h[] = {{"x-amz-grant-read", "id=\"u2\", uri=\"" S3_GRP_ALL "\""},
			 {"X-Amz-Grant-Full-Control", "emailAddress=one@x"}};
	http_req_t r = {.hdrs = h, .nhdrs = 2};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), 0, "%s", f.msg);
	cr_assert_eq(json_array_size(g), 3);
	s3_ident_t u1 = ident("u1"), u2 = ident("u2"), anon = ident(NULL);
	cr_assert_eq(s3_acl_perms(g, &u1, true), (unsigned)S3P_FULL);
	cr_assert_eq(s3_acl_perms(g, &u2, true), (unsigned)S3P_READ);
	cr_assert_eq(s3_acl_perms(g, &anon, true), (unsigned)S3P_READ);
	json_decref(g);
	http_kv_t bad[] = {{"x-amz-grant-read", "id=\"nobody\""}};
	r = (http_req_t){.hdrs = bad, .nhdrs = 1};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidArgument");
	http_kv_t mail[] = {{"x-amz-grant-read", "emailAddress=\"none@x\""}};
	r = (http_req_t){.hdrs = mail, .nhdrs = 1};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "UnresolvableGrantByEmailAddress");
	http_kv_t both[] = {{"x-amz-acl", "private"}, {"x-amz-grant-read", "id=u2"}};
	r = (http_req_t){.hdrs = both, .nhdrs = 2};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidRequest");
	http_kv_t junk[] = {{"x-amz-grant-write", "id"}};
	r = (http_req_t){.hdrs = junk, .nhdrs = 1};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), AIS_EINVAL);
	r = (http_req_t){0};
	cr_assert_eq(s3_acl_from_headers(&r, &conf, "u1", NULL, &g, &f), 0);
	cr_assert_null(g);
}

Test(s3_acl, xml_roundtrip)
{
	const char *doc = "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\" "
			  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Owner><ID>u1</ID></Owner>"
			  "<AccessControlList><Grant><Grantee xsi:type=\"CanonicalUser\"><ID>u1</ID></Grantee>"
			  "<Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xsi:type=\"Group\"><URI>"
			  S3_GRP_AUTH "</URI></Grantee><Permission>READ</Permission></Grant>"
			  "<Grant><Grantee xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>one@x</EmailAddress>"
			  "</Grantee><Permission>WRITE_ACP</Permission></Grant></AccessControlList></AccessControlPolicy>";
	s3_fail_t f = {0};
	json_t *g = NULL;
	cr_assert_eq(s3_acl_from_xml(doc, strlen(doc), &conf, "u1", &g, &f), 0, "%s", f.msg);
	cr_assert_eq(json_array_size(g), 3);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(g, 2), "id")), "u1");
	sbuf_t b = SBUF_INIT;
	s3_acl_xml(&b, &conf, "u1", "One", g);
	const char *x = sbuf_str(&b);
	/* the group grant is listed first */
	const char *grp = strstr(x, S3_GRP_AUTH), *usr = strstr(x, "<ID>u1</ID><DisplayName>One</DisplayName></Grantee>");
	cr_assert(grp && usr && grp < usr, "%s", x);
	cr_assert(strstr(x, "xsi:type=\"Group\""));
	sbuf_fini(&b);
	json_decref(g);
	const char *other = "<AccessControlPolicy><Owner><ID>u2</ID></Owner><AccessControlList/></AccessControlPolicy>";
	cr_assert_eq(s3_acl_from_xml(other, strlen(other), &conf, "u1", &g, &f), AIS_EINVAL);
	cr_assert_eq(f.status, 403);
	const char *untyped = "<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>u1</ID></Grantee>"
			      "<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
	cr_assert_eq(s3_acl_from_xml(untyped, strlen(untyped), &conf, "u1", &g, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedACLError");
	cr_assert_eq(s3_acl_from_xml("<Other/>", 8, &conf, "u1", &g, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedACLError");
}
