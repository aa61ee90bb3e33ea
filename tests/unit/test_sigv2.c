/* unit tests: s3/sigv2.c - the string to sign (x-amz-* headers, sub-resources) and verification
 * against AWS's documented Signature Version 2 example; expiry, skew, unknown keys, tampering. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "s3/sigv2.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static const char *secret_cb(const char *ak, void *arg)
{
	(void)arg;
	return !strcmp(ak, AK) ? SK : NULL;
}

/* AWS's documented example: GET /photos/puppy.jpg of awsexamplebucket1 */
Test(sigv2, aws_example_string_to_sign)
{
	http_kv_t h[] = {{"Host", "awsexamplebucket1.us-west-1.s3.amazonaws.com"},
			 {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}};
	http_req_t r = {.method = HTTP_M_GET, .method_str = "GET", .hdrs = h, .nhdrs = 2};
	sbuf_t b = SBUF_INIT;
	sigv2_string_to_sign(&r, "/awsexamplebucket1/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 +0000", &b);
	cr_assert_str_eq(sbuf_str(&b), "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg");
	unsigned char mac[20];
	unsigned int ml = 20;
	char out[64];
	HMAC(EVP_sha1(), SK, (int)strlen(SK), (const unsigned char *)b.p, b.len, mac, &ml);
	EVP_EncodeBlock((unsigned char *)out, mac, 20);
	cr_assert_str_eq(out, "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=");
	sbuf_fini(&b);
}

Test(sigv2, amz_headers_and_subresources)
{
	http_kv_t h[] = {{"Content-MD5", "abc=="}, {"Content-Type", "text/plain"}, {"X-Amz-Meta-B", " 2 "},
			 {"x-amz-meta-a", "1"}, {"x-amz-meta-b", "3"}};
	http_kv_t q[] = {{"uploadId", "u1"}, {"foo", "bar"}, {"partNumber", "2"}, {"acl", ""}};
	http_req_t r = {.method = HTTP_M_PUT, .method_str = "PUT", .hdrs = h, .nhdrs = 5, .query = q, .nquery = 4};
	sbuf_t b = SBUF_INIT;
	sigv2_string_to_sign(&r, "/b/k", "D", &b);
	cr_assert_str_eq(sbuf_str(&b), "PUT\nabc==\ntext/plain\nD\nx-amz-meta-a:1\nx-amz-meta-b:2,3\n"
				       "/b/k?acl&partNumber=2&uploadId=u1");
	sbuf_fini(&b);
}

static void sign(const char *sts, char out[64])
{
	unsigned char mac[20];
	unsigned int ml = 20;
	HMAC(EVP_sha1(), SK, (int)strlen(SK), (const unsigned char *)sts, strlen(sts), mac, &ml);
	EVP_EncodeBlock((unsigned char *)out, mac, 20);
}

Test(sigv2, presigned)
{
	char sig[64], sts[256];
	long long exp = 2000000000;
	snprintf(sts, sizeof(sts), "GET\n\n\n%lld\n/b/k", exp);
	sign(sts, sig);
	char expb[32];
	snprintf(expb, sizeof(expb), "%lld", exp);
	http_kv_t q[] = {{"AWSAccessKeyId", AK}, {"Expires", expb}, {"Signature", sig}};
	http_req_t r = {.method = HTTP_M_GET, .method_str = "GET", .query = q, .nquery = 3};
	cr_assert(sigv2_is(&r));
	sigv4_auth_t a;
	const char *code = NULL;
	char err[256];
	cr_assert_eq(sigv2_check(&r, "/b/k", exp - 10, secret_cb, NULL, &a, &code, err, sizeof(err)), 0, "%s", err);
	cr_assert(a.verified);
	cr_assert_eq(a.kind, SIGV4_V2);
	cr_assert_str_eq(a.access_key, AK);
	cr_assert_eq(sigv2_check(&r, "/b/k", exp + 1, secret_cb, NULL, &a, &code, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_str_eq(code, "AccessDenied");
	cr_assert_eq(sigv2_check(&r, "/b/other", exp - 10, secret_cb, NULL, &a, &code, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_str_eq(code, "SignatureDoesNotMatch");
	q[0].value = "AKIDUNKNOWN";
	cr_assert_eq(sigv2_check(&r, "/b/k", exp - 10, secret_cb, NULL, &a, &code, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_str_eq(code, "InvalidAccessKeyId");
}

Test(sigv2, header_bucket_forms_and_skew)
{
	const char *date = "Mon, 18 May 2033 03:33:20 GMT"; /* 2000000000 */
	char sts[256], sig[64], authz[128];
	snprintf(sts, sizeof(sts), "PUT\n\n\n%s\n/bucket/?cors", date);
	sign(sts, sig);
	snprintf(authz, sizeof(authz), "AWS %s:%s", AK, sig);
	http_kv_t h[] = {{"Date", date}, {"Authorization", authz}};
	http_kv_t q[] = {{"cors", ""}};
	http_req_t r = {.method = HTTP_M_PUT, .method_str = "PUT", .hdrs = h, .nhdrs = 2, .query = q, .nquery = 1};
	cr_assert(sigv2_is(&r));
	sigv4_auth_t a;
	const char *code = NULL;
	char err[256];
	/* a path-style "/bucket" request signed as "/bucket/" */
	cr_assert_eq(sigv2_check(&r, "/bucket", 2000000000, secret_cb, NULL, &a, &code, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sigv2_check(&r, "/bucket", 2000000000 + 3600, secret_cb, NULL, &a, &code, err, sizeof(err)),
		     AIS_EFORBIDDEN);
	cr_assert_str_eq(code, "RequestTimeTooSkewed");
	h[0].value = "yesterday";
	cr_assert_eq(sigv2_check(&r, "/bucket", 2000000000, secret_cb, NULL, &a, &code, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert_str_eq(code, "AccessDenied");
	h[1].value = "AWS nocolon";
	h[0].value = date;
	cr_assert_eq(sigv2_check(&r, "/bucket", 2000000000, secret_cb, NULL, &a, &code, err, sizeof(err)), AIS_EFORBIDDEN);
	http_req_t none = {.method_str = "GET"};
	cr_assert_not(sigv2_is(&none));
}
