/* lom: encode/decode round trip, corruption and truncation detection, xattr I/O, versions. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "obj/lom.h"

static void sample(lom_md_t *md)
{
	lom_md_init(md);
	md->size = 123456789;
	md->atime = 1700000000123456789LL;
	md->bid = 0xfedcba9876543210ULL;
	md->cktype = CKSUM_XXHASH;
	snprintf(md->ckval, sizeof(md->ckval), "%s", "0123456789abcdef");
	snprintf(md->version, sizeof(md->version), "%s", "7");
	cr_assert_eq(lom_md_custom_set(md, "ETag", "\"abc\""), 0);
	cr_assert_eq(lom_md_custom_set(md, "source", "web"), 0);
}

Test(lom, round_trip)
{
	lom_md_t a, b;
	sample(&a);
	a.flags = LOM_FL_FNTL;
	cr_assert_eq(lom_md_set_name(&a, "very/long/name"), 0);
	unsigned char *buf;
	size_t len;
	cr_assert_eq(lom_encode(&a, &buf, &len), 0);
	lom_md_init(&b);
	cr_assert_eq(lom_decode(buf, len, &b), 0);
	cr_assert_eq(b.size, a.size);
	cr_assert_eq(b.atime, a.atime);
	cr_assert_eq(b.bid, a.bid);
	cr_assert_eq(b.flags, a.flags);
	cr_assert_eq(b.cktype, a.cktype);
	cr_assert_str_eq(b.ckval, a.ckval);
	cr_assert_str_eq(b.version, a.version);
	cr_assert_str_eq(b.name, "very/long/name");
	cr_assert_str_eq(lom_md_custom_get(&b, "ETag"), "\"abc\"");
	cr_assert_str_eq(lom_md_custom_get(&b, "source"), "web");
	cr_assert_null(lom_md_custom_get(&b, "nope"));
	free(buf);
	lom_md_fini(&a);
	lom_md_fini(&b);
}

Test(lom, custom_replace)
{
	lom_md_t a;
	sample(&a);
	cr_assert_eq(lom_md_custom_set(&a, "ETag", "x"), 0);
	cr_assert_str_eq(lom_md_custom_get(&a, "ETag"), "x");
	size_t pos = 0, n = 0;
	const char *k, *v;
	while (lom_md_custom_next(&a, &pos, &k, &v))
		n++;
	cr_assert_eq(n, 2);
	lom_md_t c;
	cr_assert_eq(lom_md_copy(&c, &a), 0);
	cr_assert_str_eq(lom_md_custom_get(&c, "source"), "web");
	lom_md_fini(&a);
	lom_md_fini(&c);
}

Test(lom, corruption_detected)
{
	lom_md_t a, b;
	sample(&a);
	unsigned char *buf;
	size_t len;
	cr_assert_eq(lom_encode(&a, &buf, &len), 0);
	lom_md_init(&b);
	for (size_t i = 9; i < len; i++) {
		buf[i] ^= 0x40;
		cr_assert_eq(lom_decode(buf, len, &b), AIS_ECKSUM, "byte %zu", i);
		buf[i] ^= 0x40;
	}
	buf[3] ^= 1; /* the stored checksum itself */
	cr_assert_eq(lom_decode(buf, len, &b), AIS_ECKSUM);
	buf[3] ^= 1;
	buf[0] = 99; /* unknown format version */
	cr_assert_eq(lom_decode(buf, len, &b), AIS_EINVAL);
	free(buf);
	lom_md_fini(&a);
}

Test(lom, truncated_rejected)
{
	lom_md_t a, b;
	sample(&a);
	unsigned char *buf;
	size_t len;
	cr_assert_eq(lom_encode(&a, &buf, &len), 0);
	lom_md_init(&b);
	for (size_t l = 0; l < len; l++)
		cr_assert_neq(lom_decode(buf, l, &b), 0, "len %zu", l);
	cr_assert_eq(lom_decode(NULL, 0, &b), AIS_EINVAL);
	free(buf);
	lom_md_fini(&a);
	lom_md_fini(&b);
}

Test(lom, xattr_io)
{
	char path[] = "/tmp/test_lom_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	lom_md_t a, b;
	sample(&a);
	lom_md_init(&b);
	cr_assert_eq(lom_load(fd, NULL, &b), AIS_ENOTFOUND);
	int rc = lom_store(fd, NULL, &a);
	if (rc == AIS_ENOTIMPL || rc == AIS_EIO) {
		close(fd);
		unlink(path);
		cr_skip_test("no user xattrs on /tmp");
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(lom_load(-1, path, &b), 0);
	cr_assert_eq(b.size, a.size);
	cr_assert_str_eq(lom_md_custom_get(&b, "source"), "web");
	close(fd);
	unlink(path);
	cr_assert_eq(lom_load(-1, path, &b), AIS_ENOTFOUND);
	lom_md_fini(&a);
	lom_md_fini(&b);
}

Test(lom, versions)
{
	char v[LOM_VERSION_MAX];
	lom_version_next("", v);
	cr_assert_str_eq(v, "1");
	lom_version_next(NULL, v);
	cr_assert_str_eq(v, "1");
	lom_version_next("41", v);
	cr_assert_str_eq(v, "42");
	lom_version_next("abc", v);
	cr_assert_str_eq(v, "1");
}

Test(lom, write_time)
{
	lom_md_t a, b;
	unsigned char *buf, *buf2;
	size_t len, len2;
	sample(&a);
	/* equal to atime: not stored (the common case), decoded as atime */
	a.mtime = a.atime;
	cr_assert_eq(lom_encode(&a, &buf, &len), 0);
	lom_md_init(&b);
	cr_assert_eq(lom_decode(buf, len, &b), 0);
	cr_assert_eq(b.mtime, a.atime);
	/* a moved copy: its own write time, kept */
	a.mtime = a.atime - 12345;
	cr_assert_eq(lom_encode(&a, &buf2, &len2), 0);
	cr_assert_eq(len2, len + 13, "one more record");
	cr_assert_eq(lom_decode(buf2, len2, &b), 0);
	cr_assert_eq(b.mtime, a.atime - 12345);
	cr_assert_eq(b.atime, a.atime);
	free(buf);
	free(buf2);
	lom_md_fini(&a);
	lom_md_fini(&b);
}
