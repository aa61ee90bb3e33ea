/* ufest: chunk manifest encode/decode round trip, strict decoding, "last wins" add, offsets,
 * S3 multipart ETag, CRC32C combination against a direct CRC32C of the concatenation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cksum.h"
#include "core/err.h"
#include "obj/ufest.h"

static void add(ufest_t *u, int num, int64_t size, const char *path)
{
	ufest_chunk_t c;
	memset(&c, 0, sizeof(c));
	c.num = (uint16_t)num;
	c.size = size;
	c.crc32c = (uint32_t)(num * 7919);
	memset(c.md5, num, 16);
	c.path = strdup(path);
	snprintf(c.xck_type, sizeof(c.xck_type), "CRC32");
	snprintf(c.xck_val, sizeof(c.xck_val), "AAAA%d==", num);
	char *old = NULL;
	cr_assert_eq(ufest_add(u, &c, &old), 0);
	free(old);
}

Test(ufest, roundtrip_and_order)
{
	ufest_t u, v;
	ufest_init(&u);
	ufest_init(&v);
	snprintf(u.id, sizeof(u.id), "abcDEF-123_x");
	u.created = 1234567890123;
	ufest_set_oname(&u, "dir/obj name");
	ufest_set_meta(&u, "k\0v\0", 4);
	add(&u, 3, 30, "/mp/c3");
	add(&u, 1, 10, "/mp/c1");
	add(&u, 2, 20, "/mp/c2");
	add(&u, 2, 25, "/mp/c2b"); /* last wins */
	cr_assert_eq(u.count, 3);
	cr_assert_eq(u.size, 65);
	cr_assert_str_eq(ufest_get(&u, 2)->path, "/mp/c2b");
	unsigned char *b;
	size_t n;
	cr_assert_eq(ufest_encode(&u, &b, &n), 0);
	cr_assert_eq(ufest_decode(b, n, &v), 0);
	cr_assert_str_eq(v.id, u.id);
	cr_assert_eq(v.created, u.created);
	cr_assert_str_eq(v.oname, "dir/obj name");
	cr_assert_eq(v.meta_len, 4);
	cr_assert_eq(v.count, 3);
	cr_assert_eq(v.size, 65);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(v.chunks[i].num, i + 1);
		cr_assert_str_eq(v.chunks[i].path, u.chunks[i].path);
		cr_assert_eq(v.chunks[i].crc32c, u.chunks[i].crc32c);
		cr_assert_eq(memcmp(v.chunks[i].md5, u.chunks[i].md5, 16), 0);
		cr_assert_str_eq(v.chunks[i].xck_val, u.chunks[i].xck_val);
	}
	int64_t coff;
	cr_assert_eq(ufest_find(&v, 0, &coff), 0);
	cr_assert_eq(ufest_find(&v, 10, &coff), 1);
	cr_assert_eq(coff, 10);
	cr_assert_eq(ufest_find(&v, 64, &coff), 2);
	cr_assert_eq(coff, 35);
	cr_assert_eq(ufest_find(&v, 65, &coff), -1);
	/* every single-byte corruption is detected */
	for (size_t i = 0; i < n; i++) {
		b[i] ^= 0x40;
		cr_assert_neq(ufest_decode(b, n, &v), 0, "byte %zu", i);
		b[i] ^= 0x40;
	}
	/* truncation too */
	for (size_t k = 0; k < n; k++)
		cr_assert_neq(ufest_decode(b, k, &v), 0);
	free(b);
	ufest_fini(&u);
	ufest_fini(&v);
}

Test(ufest, store_load)
{
	char dir[] = "/tmp/test_ufest_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char p[256];
	snprintf(p, sizeof(p), "%s/sub/m.id", dir);
	ufest_t u, v;
	ufest_init(&u);
	ufest_init(&v);
	snprintf(u.id, sizeof(u.id), "id1");
	u.flags = UFEST_FL_COMPLETED;
	add(&u, 1, 5, "/x");
	cr_assert_eq(ufest_store(&u, p), 0);
	cr_assert_eq(ufest_load(p, &v), 0);
	cr_assert_eq(v.flags, UFEST_FL_COMPLETED);
	cr_assert_eq(v.count, 1);
	snprintf(p, sizeof(p), "%s/missing", dir);
	cr_assert_eq(ufest_load(p, &v), AIS_ENOTFOUND);
	ufest_fini(&u);
	ufest_fini(&v);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(ufest, ids)
{
	cr_assert(ufest_id_valid("a"));
	cr_assert(ufest_id_valid("Ab9_-"));
	cr_assert_not(ufest_id_valid(""));
	cr_assert_not(ufest_id_valid("a/b"));
	cr_assert_not(ufest_id_valid("a.b"));
	char l[80];
	memset(l, 'a', 64);
	l[64] = '\0';
	cr_assert_not(ufest_id_valid(l));
}

Test(ufest, etag_s3)
{
	/* reference computed with python hashlib */
	ufest_t u;
	ufest_init(&u);
	snprintf(u.id, sizeof(u.id), "e");
	ufest_chunk_t c;
	memset(&c, 0, sizeof(c));
	char *old;
	/* md5("hello") = 5d41402abc4b2a76b9719d911017c592, md5("world") = 7d793037a0760186574b0282f2f435e7 */
	const unsigned char h[16] = {0x5d, 0x41, 0x40, 0x2a, 0xbc, 0x4b, 0x2a, 0x76,
				     0xb9, 0x71, 0x9d, 0x91, 0x10, 0x17, 0xc5, 0x92};
	const unsigned char w[16] = {0x7d, 0x79, 0x30, 0x37, 0xa0, 0x76, 0x01, 0x86,
				     0x57, 0x4b, 0x02, 0x82, 0xf2, 0xf4, 0x35, 0xe7};
	c.num = 1, c.size = 5, c.path = strdup("/1");
	memcpy(c.md5, h, 16);
	ufest_add(&u, &c, &old);
	c.num = 2, c.size = 5, c.path = strdup("/2");
	memcpy(c.md5, w, 16);
	ufest_add(&u, &c, &old);
	char etag[64];
	ufest_etag(&u, etag, sizeof(etag));
	/* python: hashlib.md5(bytes.fromhex(h+w)).hexdigest() + "-2" */
	cr_assert_str_eq(etag, "065947336a2f2a95ba8899f3675c3be6-2", "got %s", etag);
	ufest_fini(&u);
}

static uint32_t crc_of(const void *p, size_t n)
{
	char hex[CKSUM_MAX_HEX];
	cksum_buf(CKSUM_CRC32C, p, n, hex);
	return (uint32_t)strtoul(hex, NULL, 16);
}

Test(ufest, crc32c_combine)
{
	unsigned char buf[100000];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 7));
	size_t cuts[] = {0, 1, 7, 4096, 33333, 99999, 100000};
	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		size_t a = cuts[k];
		uint32_t whole = crc_of(buf, sizeof(buf));
		uint32_t ca = crc_of(buf, a), cb = crc_of(buf + a, sizeof(buf) - a);
		cr_assert_eq(ufest_crc32c_combine(ca, cb, (int64_t)(sizeof(buf) - a)), whole, "cut %zu", a);
	}
}
