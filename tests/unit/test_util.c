/* test_util: the shared core helpers: util.c (parsers, URL codecs, dates, ids), sbuf.c,
 * fsops.c (atomic writes, mkdir -p, rm -rf, fault injection) and err.c (code tables). */
#include "core/err.h"
#include "core/fsops.h"
#include "core/sbuf.h"
#include "core/util.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SEC 1000000000LL

/* ---------------- util: parsers ---------------- */

Test(util, parse_duration_ok)
{
	static const struct { const char *s; int64_t ns; } v[] = {
		{"0", 0},
		{"10s", 10 * SEC},
		{"1m", 60 * SEC},
		{"2h", 7200 * SEC},
		{"500ms", 500000000LL},
		{"1m30s", 90 * SEC},
		{"1.5h", 5400 * SEC},
		{".5s", SEC / 2},
		{"100us", 100000},
		{"100\xc2\xb5s", 100000},
		{"7ns", 7},
		{"1h2m3s4ms5us6ns", 3723 * SEC + 4005006},
		{"120m", 7200 * SEC},
		{"0s", 0},
	};
	for (size_t i = 0; i < NELEM(v); i++) {
		int64_t ns = -1;
		cr_expect_eq(parse_duration(v[i].s, &ns), 0, "%s", v[i].s);
		cr_expect_eq(ns, v[i].ns, "%s: %lld", v[i].s, (long long)ns);
	}
}

Test(util, parse_duration_bad)
{
	static const char *const bad[] = {"", "s", "10", "-1s", "+1s", " 1s", "1s ", "10x", "1e3s", "0x10s",
					  "nans", "infh", "1s0", "1..5s", "99999999999h", "1d"};
	for (size_t i = 0; i < NELEM(bad); i++) {
		int64_t ns = 42;
		cr_expect_eq(parse_duration(bad[i], &ns), AIS_EINVAL, "\"%s\" accepted", bad[i]);
		cr_expect_eq(ns, 42);
	}
	cr_expect_eq(parse_duration(NULL, NULL), AIS_EINVAL);
}

Test(util, parse_size_ok)
{
	static const struct { const char *s; int64_t b; } v[] = {
		{"4096", 4096},          {"0", 0},
		{"1KiB", 1024},          {"1kb", 1024},      {"1K", 1024},     {"1Ki", 1024},
		{"10mb", 10LL << 20},    {"10MiB", 10LL << 20},
		{"1GiB", 1LL << 30},     {"2gb", 2LL << 30}, {"1.5GiB", 3LL << 29},
		{"1TiB", 1LL << 40},     {"100GB", 100LL << 30},
		{"256b", 256},           {"8B", 8},
	};
	for (size_t i = 0; i < NELEM(v); i++) {
		int64_t b = -1;
		cr_expect_eq(parse_size(v[i].s, &b), 0, "%s", v[i].s);
		cr_expect_eq(b, v[i].b, "%s: %lld", v[i].s, (long long)b);
	}
}

Test(util, parse_size_bad)
{
	static const char *const bad[] = {"", "abc", "-1", "1x", "1kibb", "1PiB", "1e3", "nan", "inf", "0x10",
					  " 1", "99999999999TiB", "GiB", "1kk"};
	for (size_t i = 0; i < NELEM(bad); i++) {
		int64_t b = 42;
		cr_expect_eq(parse_size(bad[i], &b), AIS_EINVAL, "\"%s\" accepted", bad[i]);
		cr_expect_eq(b, 42);
	}
}

Test(util, parse_i64)
{
	int64_t v = 0;
	cr_expect_eq(parse_i64("123", &v), 0);
	cr_expect_eq(v, 123);
	cr_expect_eq(parse_i64("-9223372036854775808", &v), 0);
	cr_expect_eq(v, INT64_MIN);
	cr_expect_eq(parse_i64("9223372036854775808", &v), AIS_EINVAL);
	cr_expect_eq(parse_i64("12a", &v), AIS_EINVAL);
	cr_expect_eq(parse_i64("", &v), AIS_EINVAL);
	cr_expect_eq(parse_i64(NULL, &v), AIS_EINVAL);
}

/* ---------------- util: URL codecs ---------------- */

static long dec(const char *s, bool plus, char *out)
{
	return url_decode(s, strlen(s), out, plus);
}

Test(util, url_decode)
{
	char out[64];
	cr_expect_eq(dec("a%20b%2Fc", false, out), 5);
	cr_expect_str_eq(out, "a b/c");
	cr_expect_eq(dec("%e2%82%AC", false, out), 3);
	cr_expect_str_eq(out, "\xe2\x82\xac");
	cr_expect_eq(dec("a+b", false, out), 3);
	cr_expect_str_eq(out, "a+b");
	cr_expect_eq(dec("a+b", true, out), 3);
	cr_expect_str_eq(out, "a b");
	cr_expect_eq(dec("", false, out), 0);
	cr_expect_str_eq(out, "");
	cr_expect_eq(dec("%41", false, out), 1);
	cr_expect_str_eq(out, "A");
	/* malformed escapes */
	cr_expect_eq(dec("%zz", false, out), -1);
	cr_expect_eq(dec("%4", false, out), -1);
	cr_expect_eq(dec("abc%", false, out), -1);
	cr_expect_eq(dec("%4g", false, out), -1);
	cr_expect_eq(dec("%g4", false, out), -1);
	/* decoding only looks at len bytes, even if the string goes on */
	cr_expect_eq(url_decode("%41%42", 3, out, false), 1);
	cr_expect_eq(url_decode("%41%42", 4, out, false), -1);
	/* %00 decodes to a NUL byte inside the result */
	cr_expect_eq(dec("a%00b", false, out), 3);
	cr_expect_eq(out[1], '\0');
}

Test(util, url_encode)
{
	char *e = url_encode("a b/c?d=e&f~g_h-i.j", true);
	cr_expect_str_eq(e, "a%20b/c%3Fd%3De%26f~g_h-i.j");
	free(e);
	e = url_encode("a b/c", false);
	cr_expect_str_eq(e, "a%20b%2Fc");
	free(e);
	e = url_encode("\xe2\x82\xac+", false);
	cr_expect_str_eq(e, "%E2%82%AC%2B");
	free(e);
	e = url_encode("", false);
	cr_expect_str_eq(e, "");
	free(e);
	/* round trip of every byte value */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	e = url_encode(all, false);
	char back[256];
	cr_expect_eq(url_decode(e, strlen(e), back, false), 255);
	cr_expect_eq(memcmp(back, all, 256), 0);
	free(e);
}

/* ---------------- util: dates, clocks, ids ---------------- */

Test(util, fmt_dates)
{
	char out[64];
	fmt_rfc3339(0, out, sizeof(out));
	cr_expect_str_eq(out, "1970-01-01T00:00:00.000000000Z");
	fmt_rfc3339(1136214245LL * SEC + 999999999, out, sizeof(out));
	cr_expect_str_eq(out, "2006-01-02T15:04:05.999999999Z");
	fmt_rfc3339(1700000000LL * SEC + 123, out, sizeof(out));
	cr_expect_str_eq(out, "2023-11-14T22:13:20.000000123Z");
	fmt_http_date(1136214245LL * SEC, out, sizeof(out));
	cr_expect_str_eq(out, "Mon, 02 Jan 2006 15:04:05 GMT");
	char small[8];
	fmt_rfc3339(0, small, sizeof(small)); /* truncates, stays terminated */
	cr_expect_eq(strlen(small), 7);
}

Test(util, clocks)
{
	int64_t a = mono_ns(), b = mono_ns();
	cr_expect_geq(b, a);
	cr_expect_gt(now_ns(), 1600000000LL * SEC);
}

Test(util, random_ids)
{
	char a[33], b[33];
	rand_alnum(a, 32);
	rand_alnum(b, 32);
	cr_expect_eq(strlen(a), 32);
	cr_expect_str_neq(a, b);
	for (int i = 0; i < 32; i++)
		cr_expect(isalnum((unsigned char)a[i]));
	for (int k = 0; k < 50; k++) {
		gen_uuid(a, 9);
		cr_expect_eq(strlen(a), 9);
		cr_expect(isalpha((unsigned char)a[0]), "%s", a);
	}
	gen_uuid(a, 0);
	cr_expect_str_eq(a, "");
	cr_expect_neq(rand_u64(), rand_u64());
}

/* ---------------- sbuf ---------------- */

Test(sbuf, grow_and_format)
{
	sbuf_t b = SBUF_INIT;
	cr_expect_str_eq(sbuf_str(&b), "");
	cr_expect_eq(sbuf_adds(&b, "hello"), 0);
	cr_expect_eq(sbuf_add(&b, ", ", 2), 0);
	cr_expect_eq(sbuf_addf(&b, "%s %d", "world", 42), 0);
	cr_expect_str_eq(sbuf_str(&b), "hello, world 42");
	cr_expect_eq(b.len, 15);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(sbuf_addf(&b, "%04d", i), 0);
	cr_expect_eq(b.len, 15 + 4000);
	cr_expect_eq(strncmp(b.p + 15, "00000001", 8), 0);
	cr_expect_eq(b.p[b.len], '\0');
	sbuf_reset(&b);
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(sbuf_str(&b), "");
	cr_expect_eq(sbuf_add(&b, "x", 0), 0);
	cr_expect_str_eq(sbuf_str(&b), "");
	sbuf_fini(&b);
	cr_expect_null(b.p);
	sbuf_fini(&b); /* idempotent */
}

Test(sbuf, binary_and_take)
{
	sbuf_t b = SBUF_INIT;
	cr_expect_eq(sbuf_add(&b, "a\0b", 3), 0);
	cr_expect_eq(b.len, 3);
	cr_expect_eq(memcmp(b.p, "a\0b", 4), 0);
	char *s = sbuf_take(&b);
	cr_expect_null(b.p);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(s[2], 'b');
	free(s);
	/* take on an empty buffer returns an empty string */
	s = sbuf_take(&b);
	cr_assert_not_null(s);
	cr_expect_str_eq(s, "");
	free(s);
}

Test(sbuf, oom_sticks_until_fini)
{
	sbuf_t b = SBUF_INIT;
	cr_expect_eq(sbuf_reserve(&b, SIZE_MAX / 2), -1);
	cr_expect(b.oom);
	cr_expect_eq(sbuf_adds(&b, "x"), -1);
	cr_expect_null(sbuf_take(&b));
	sbuf_fini(&b);
	cr_expect_not(b.oom, "fini returns the buffer to its initial state");
	cr_expect_eq(sbuf_adds(&b, "x"), 0);
	cr_expect_eq(sbuf_reserve(&b, SIZE_MAX - 1), -1, "no overflow / endless doubling");
	sbuf_fini(&b);
}

/* ---------------- fsops ---------------- */

static char tdir[64];

static void mk_tdir(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/test_util.XXXXXX");
	cr_assert_not_null(mkdtemp(tdir));
}

static void rm_tdir(void) { fsops_rm_rf(tdir); }

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

Test(fsops, write_atomic_and_read, .init = mk_tdir, .fini = rm_tdir)
{
	char p[128];
	char *buf = NULL;
	size_t len = 0;
	snprintf(p, sizeof(p), "%s/meta.json", tdir);
	cr_assert_eq(fsops_write_atomic(p, "{\"a\":1}", 7), 0);
	cr_assert_eq(fsops_write_atomic(p, "{\"a\":22}", 8), 0); /* replaces */
	cr_assert_eq(fsops_read_file(p, 1024, &buf, &len), 0);
	cr_expect_eq(len, 8);
	cr_expect_str_eq(buf, "{\"a\":22}");
	free(buf);
	cr_expect_eq(count_entries(tdir), 1, "no temp file left behind");
	/* empty file */
	cr_assert_eq(fsops_write_atomic(p, "", 0), 0);
	cr_assert_eq(fsops_read_file(p, 1024, &buf, NULL), 0);
	cr_expect_str_eq(buf, "");
	free(buf);
	/* size limit and missing file */
	cr_assert_eq(fsops_write_atomic(p, "0123456789", 10), 0);
	cr_expect_eq(fsops_read_file(p, 10, &buf, &len), AIS_ETOOBIG);
	cr_expect_eq(fsops_read_file(p, 11, &buf, &len), 0);
	free(buf);
	snprintf(p, sizeof(p), "%s/nope", tdir);
	cr_expect_eq(fsops_read_file(p, 10, &buf, &len), AIS_ENOTFOUND);
	/* parent missing */
	snprintf(p, sizeof(p), "%s/no/such/dir/f", tdir);
	cr_expect_eq(fsops_write_atomic(p, "x", 1), AIS_ENOTFOUND);
}

Test(fsops, fault_injection, .init = mk_tdir, .fini = rm_tdir)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/f", tdir);
	cr_assert_eq(fsops_write_atomic(p, "old", 3), 0);
	fsops_fault_inject(ENOSPC, 1);
	cr_expect_eq(fsops_write_atomic(p, "new", 3), AIS_ENOSPC);
	cr_expect_eq(count_entries(tdir), 1, "failed write removes its temp file");
	char *buf = NULL;
	cr_assert_eq(fsops_read_file(p, 64, &buf, NULL), 0);
	cr_expect_str_eq(buf, "old", "failed atomic write leaves the old content");
	free(buf);
	cr_expect_eq(fsops_write_atomic(p, "new", 3), 0, "fault consumed");

	int fd = open(p, O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 0);
	fsops_fault_inject(EIO, 2);
	cr_expect_eq(fsops_write_all(fd, "x", 1), AIS_EIO);
	cr_expect_eq(fsops_write_all(fd, "x", 1), AIS_EIO);
	cr_expect_eq(fsops_write_all(fd, "abc", 3), 0);
	close(fd);
	cr_assert_eq(fsops_read_file(p, 64, &buf, NULL), 0);
	cr_expect_str_eq(buf, "abc");
	free(buf);
	fsops_fault_inject(0, 0);
}

Test(fsops, mkdir_p_and_rm_rf, .init = mk_tdir, .fini = rm_tdir)
{
	char p[256], f[300];
	struct stat st;
	snprintf(p, sizeof(p), "%s/a/b/c/d", tdir);
	cr_expect_eq(fsops_mkdir_p(p), 0);
	cr_expect_eq(stat(p, &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(fsops_mkdir_p(p), 0, "exists is fine");
	snprintf(f, sizeof(f), "%s/x/y/file", p);
	cr_expect_eq(fsops_mkdir_parent(f), 0);
	cr_expect_eq(fsops_write_atomic(f, "z", 1), 0);
	cr_expect_eq(fsops_mkdir_p(""), AIS_EINVAL);

	/* rm_empty_parents stops at the first non-empty dir and never removes `stop` */
	snprintf(f, sizeof(f), "%s/a/b/e/f/g", tdir);
	cr_assert_eq(fsops_mkdir_p(f), 0);
	snprintf(f, sizeof(f), "%s/a/b/e/f/g/obj", tdir);
	fsops_rm_empty_parents(f, tdir);
	snprintf(f, sizeof(f), "%s/a/b/e", tdir);
	cr_expect_neq(stat(f, &st), 0, "empty parents removed");
	snprintf(f, sizeof(f), "%s/a/b", tdir);
	cr_expect_eq(stat(f, &st), 0, "non-empty parent kept");

	snprintf(f, sizeof(f), "%s/a", tdir);
	cr_expect_eq(fsops_rm_rf(f), 0);
	cr_expect_neq(stat(f, &st), 0);
	cr_expect_eq(fsops_rm_rf(f), 0, "missing is fine");
	cr_expect_eq(count_entries(tdir), 0);
	/* rm_rf of a plain file and fsync_dir */
	snprintf(f, sizeof(f), "%s/plain", tdir);
	cr_assert_eq(fsops_write_atomic(f, "1", 1), 0);
	cr_expect_eq(fsops_rm_rf(f), 0);
	cr_expect_eq(fsops_fsync_dir(tdir), 0);
	cr_expect_eq(fsops_fsync_dir(f), AIS_ENOTFOUND);
}

/* ---------------- err ---------------- */

Test(err, tables)
{
	cr_expect_eq(err_http_status(AIS_EINVAL), 400);
	cr_expect_eq(err_http_status(AIS_ENOTFOUND), 404);
	cr_expect_eq(err_http_status(AIS_ENOBUCKET), 404);
	cr_expect_eq(err_http_status(AIS_ERANGE), 416);
	cr_expect_eq(err_http_status(AIS_EUNAVAIL), 503);
	cr_expect_eq(err_http_status(AIS_EMETHOD), 405);
	cr_expect_eq(err_http_status(12345), 500);
	cr_expect_str_eq(err_tcode(AIS_ENOBUCKET), "ErrBckNotFound");
	cr_expect_null(err_tcode(AIS_EINVAL));
	cr_expect_null(err_tcode(999));
	cr_expect_str_eq(err_s3_code(AIS_ENOTFOUND), "NoSuchKey");
	cr_expect_str_eq(err_s3_code(AIS_ENOBUCKET), "NoSuchBucket");
	cr_expect_str_eq(err_s3_code(999), "InternalError");
	cr_expect_str_eq(err_str(AIS_ENOTFOUND), "not found");
	cr_expect_str_eq(err_str(999), "error");
	/* every code from AIS_EINVAL to AIS_ENOTIMPL has a row */
	for (int c = AIS_EINVAL; c >= AIS_ENOTIMPL; c--) {
		cr_expect_str_neq(err_str(c), "error", "code %d", c);
		cr_expect_not_null(err_s3_code(c));
		cr_expect_geq(err_http_status(c), 400);
	}
}

Test(err, from_errno)
{
	cr_expect_eq(err_from_errno(0), AIS_OK);
	cr_expect_eq(err_from_errno(ENOENT), AIS_ENOTFOUND);
	cr_expect_eq(err_from_errno(ENOTDIR), AIS_ENOTFOUND);
	cr_expect_eq(err_from_errno(EEXIST), AIS_EEXIST);
	cr_expect_eq(err_from_errno(ENOSPC), AIS_ENOSPC);
	cr_expect_eq(err_from_errno(EDQUOT), AIS_ENOSPC);
	cr_expect_eq(err_from_errno(EACCES), AIS_EFORBIDDEN);
	cr_expect_eq(err_from_errno(ENOMEM), AIS_ENOMEM);
	cr_expect_eq(err_from_errno(ETIMEDOUT), AIS_ETIMEOUT);
	cr_expect_eq(err_from_errno(EIO), AIS_EIO);
	cr_expect_eq(err_from_errno(EBADF), AIS_EIO);
}

Test(util, base36)
{
	char b[16];
	cr_assert_str_eq(u64_base36(0, b, sizeof(b)), "0");
	cr_assert_str_eq(u64_base36(35, b, sizeof(b)), "z");
	cr_assert_str_eq(u64_base36(36, b, sizeof(b)), "10");
	cr_assert_str_eq(u64_base36(1295, b, sizeof(b)), "zz");
	cr_assert_str_eq(u64_base36(UINT64_MAX, b, sizeof(b)), "3w5e11264sgsf"); /* strconv.FormatUint(max, 36) */
	uint64_t v;
	cr_assert_eq(parse_base36("3w5e11264sgsf", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(parse_base36("ZZ", &v), 0);
	cr_assert_eq(v, 1295);
	cr_assert_eq(parse_base36("3w5e11264sgsg", &v), AIS_EINVAL); /* overflow */
	cr_assert_eq(parse_base36("", &v), AIS_EINVAL);
	cr_assert_eq(parse_base36("a-b", &v), AIS_EINVAL);
}
