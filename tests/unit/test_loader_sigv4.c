/* unit tests: aisloader's SigV4 signer (src/loader/ld_sigv4.c) against AWS's published
 * GetObject example (S3 API reference, "Signature Calculations for the Authorization Header") */
#include <criterion/criterion.h>
#include <string.h>

#include "loader/ld_sigv4.h"

Test(loader_sigv4, aws_get_object_example)
{
	unsigned char key[32];
	ld_sigv4_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", key);
	const ld_sigv4_hdr_t h[] = {{"host", "examplebucket.s3.amazonaws.com"},
				    {"range", "bytes=0-9"},
				    {"x-amz-content-sha256", LD_SIGV4_EMPTY_SHA},
				    {"x-amz-date", "20130524T000000Z"}};
	char auth[512];
	int n = ld_sigv4_auth(auth, sizeof(auth), key, "AKIAIOSFODNN7EXAMPLE", "us-east-1", "20130524T000000Z", "GET",
			      "/test.txt", "", h, 4, LD_SIGV4_EMPTY_SHA);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
			       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
			       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

Test(loader_sigv4, too_small_output)
{
	unsigned char key[32] = {0};
	const ld_sigv4_hdr_t h[] = {{"host", "h"}};
	char auth[16];
	cr_assert_eq(ld_sigv4_auth(auth, sizeof(auth), key, "A", "us-east-1", "20130524T000000Z", "GET", "/", "", h, 1,
				   LD_SIGV4_UNSIGNED),
		     -1);
}
