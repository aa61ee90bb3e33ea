/* test_s3cksum: S3 additional checksums as S3 renders them (base64 of the big-endian digest;
 * values from Python's zlib/hashlib/base64), CRC-64/NVME check value, streaming in random
 * pieces == one-shot == bitwise reference CRCs, names, and strict base64. */
#include "core/s3ck.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void ck_b64(s3ck_type_t t, const void *d, size_t n, char *out)
{
	s3ck_t c;
	s3ck_init(&c, t);
	s3ck_update(&c, d, n);
	s3ck_final_b64(&c, out);
}

static void ck_hex(s3ck_type_t t, const void *d, size_t n, char *out)
{
	s3ck_t c;
	s3ck_init(&c, t);
	s3ck_update(&c, d, n);
	s3ck_final_hex(&c, out);
}

Test(s3cksum, known_vectors)
{
	static const struct {
		s3ck_type_t t;
		const char *in, *b64, *hex;
	} v[] = {
		{S3CK_CRC32, "123456789", "y/Q5Jg==", "cbf43926"},
		{S3CK_CRC32, "", "AAAAAA==", "00000000"},
		{S3CK_CRC32, "hello world", "DUoRhQ==", "0d4a1185"},
		{S3CK_CRC32C, "123456789", "4waSgw==", "e3069283"},
		{S3CK_CRC32C, "", "AAAAAA==", "00000000"},
		{S3CK_CRC64NVME, "123456789", "rosUhgp5mIg=", "ae8b14860a799888"},
		{S3CK_CRC64NVME, "", "AAAAAAAAAAA=", "0000000000000000"},
		{S3CK_SHA1, "123456789", "98O8HYCOBHMq32eZZczDTKeuNEE=", NULL},
		{S3CK_SHA1, "", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{S3CK_SHA256, "hello world", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
		 "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"},
		{S3CK_SHA256, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", NULL},
		{S3CK_MD5, "The quick brown fox jumps over the lazy dog", "nhB9nTcrtoJr2B01QqQZ1g==",
		 "9e107d9d372bb6826bd81d3542a419d6"},
		{S3CK_MD5, "", "1B2M2Y8AsgTpgAmY7PhCfg==", "d41d8cd98f00b204e9800998ecf8427e"},
	};
	for (size_t i = 0; i < NELEM(v); i++) {
		char out[80];
		ck_b64(v[i].t, v[i].in, strlen(v[i].in), out);
		cr_assert_str_eq(out, v[i].b64, "%s(%s)", s3ck_algo_name(v[i].t), v[i].in);
		if (v[i].hex) {
			ck_hex(v[i].t, v[i].in, strlen(v[i].in), out);
			cr_assert_str_eq(out, v[i].hex, "%s(%s)", s3ck_algo_name(v[i].t), v[i].in);
		}
	}
}

static uint32_t ref_crc32(uint32_t poly, const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
	}
	return ~c;
}

static uint64_t ref_crc64nvme(const unsigned char *p, size_t n)
{
	uint64_t c = ~0ULL;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x9a6c9329ac4bc9b5ULL : c >> 1;
	}
	return ~c;
}

static uint64_t be(const unsigned char *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

Test(s3cksum, streaming_equals_oneshot_and_reference)
{
	srand(7);
	size_t n = 100003;
	unsigned char *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)rand();
	static const s3ck_type_t types[] = {S3CK_CRC32, S3CK_CRC32C, S3CK_SHA1, S3CK_SHA256, S3CK_CRC64NVME, S3CK_MD5};
	for (size_t t = 0; t < NELEM(types); t++) {
		for (int round = 0; round < 4; round++) {
			size_t len = round == 0 ? n : (size_t)rand() % n;
			unsigned char one[32], many[32];
			s3ck_t c;
			s3ck_init(&c, types[t]);
			s3ck_update(&c, buf, len);
			size_t l1 = s3ck_final_raw(&c, one);
			s3ck_init(&c, types[t]);
			for (size_t off = 0; off < len;) {
				size_t k = (size_t)rand() % 37;
				if (k > len - off)
					k = len - off;
				s3ck_update(&c, buf + off, k);
				off += k;
			}
			size_t l2 = s3ck_final_raw(&c, many);
			cr_assert_eq(l1, l2);
			cr_assert(!memcmp(one, many, l1), "%s len %zu", s3ck_algo_name(types[t]), len);
			if (types[t] == S3CK_CRC32)
				cr_assert_eq(be(one, 4), ref_crc32(0xEDB88320u, buf, len));
			if (types[t] == S3CK_CRC32C)
				cr_assert_eq(be(one, 4), ref_crc32(0x82F63B78u, buf, len));
			if (types[t] == S3CK_CRC64NVME)
				cr_assert_eq(be(one, 8), ref_crc64nvme(buf, len));
		}
	}
	/* the state is plain data: a copy continues independently */
	s3ck_t a, b;
	s3ck_init(&a, S3CK_SHA256);
	s3ck_update(&a, "hello ", 6);
	b = a;
	s3ck_update(&a, "world", 5);
	s3ck_update(&b, "world", 5);
	char ha[48], hb[48];
	s3ck_final_b64(&a, ha);
	s3ck_final_b64(&b, hb);
	cr_assert_str_eq(ha, "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
	cr_assert_str_eq(hb, ha);
	free(buf);
}

Test(s3cksum, names)
{
	cr_assert_eq(s3ck_type_from_name("crc32"), S3CK_CRC32);
	cr_assert_eq(s3ck_type_from_name("CRC32C"), S3CK_CRC32C);
	cr_assert_eq(s3ck_type_from_name("x-amz-checksum-sha256"), S3CK_SHA256);
	cr_assert_eq(s3ck_type_from_name("X-Amz-Checksum-CRC64NVME"), S3CK_CRC64NVME);
	cr_assert_eq(s3ck_type_from_name("SHA1"), S3CK_SHA1);
	cr_assert_eq(s3ck_type_from_name("md5"), S3CK_MD5);
	cr_assert_eq(s3ck_type_from_name("crc33"), S3CK_NONE);
	cr_assert_eq(s3ck_type_from_name(""), S3CK_NONE);
	cr_assert_eq(s3ck_type_from_name(NULL), S3CK_NONE);
	cr_assert_str_eq(s3ck_header_name(S3CK_CRC32C), "x-amz-checksum-crc32c");
	cr_assert_str_eq(s3ck_header_name(S3CK_CRC64NVME), "x-amz-checksum-crc64nvme");
	cr_assert_str_eq(s3ck_algo_name(S3CK_CRC64NVME), "CRC64NVME");
	cr_assert_str_eq(s3ck_algo_name(S3CK_SHA1), "SHA1");
	cr_assert_str_eq(s3ck_algo_name(S3CK_NONE), "");
	for (s3ck_type_t t = S3CK_CRC32; t <= S3CK_CRC64NVME; t++) {
		cr_assert_eq(s3ck_type_from_name(s3ck_header_name(t)), t);
		cr_assert_eq(s3ck_type_from_name(s3ck_algo_name(t)), t);
	}
	/* NONE digests nothing */
	s3ck_t c;
	unsigned char raw[32];
	s3ck_init(&c, S3CK_NONE);
	s3ck_update(&c, "x", 1);
	cr_assert_eq(s3ck_final_raw(&c, raw), 0);
}

Test(s3cksum, base64)
{
	static const struct {
		const char *raw, *b64;
	} v[] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
		 {"foobar", "Zm9vYmFy"}, {"\xff\xfe\xfd", "//79"}};
	for (size_t i = 0; i < NELEM(v); i++) {
		char enc[64];
		unsigned char dec[64];
		s3_b64_encode((const unsigned char *)v[i].raw, strlen(v[i].raw), enc);
		cr_assert_str_eq(enc, v[i].b64);
		long n = s3_b64_decode(v[i].b64, dec, sizeof(dec));
		cr_assert_eq(n, (long)strlen(v[i].raw), "%s", v[i].b64);
		cr_assert(!memcmp(dec, v[i].raw, (size_t)n));
	}
	static const char *bad[] = {"Zg=", "Zg", "Z===", "Zm9v!g==", "=Zm9", "Zm=v", "Zm9vYg==Zm9v", " Zm9", "Zm9\n"};
	unsigned char dec[64];
	for (size_t i = 0; i < NELEM(bad); i++)
		cr_assert_eq(s3_b64_decode(bad[i], dec, sizeof(dec)), -1, "%s", bad[i]);
	/* capacity is respected exactly */
	cr_assert_eq(s3_b64_decode("Zm9vYmFy", dec, 6), 6);
	cr_assert_eq(s3_b64_decode("Zm9vYmFy", dec, 5), -1);
	cr_assert_eq(s3_b64_decode("Zm9vYg==", dec, 4), 4);
	/* a 4-byte CRC32 as S3 sends it */
	cr_assert_eq(s3_b64_decode("y/Q5Jg==", dec, 4), 4);
	cr_assert(!memcmp(dec, "\xcb\xf4\x39\x26", 4));
}
