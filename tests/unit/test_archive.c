/* unit tests: archive/arch_mime.c, arch_rd.c, arch_wr.c, arch_match.c, arch_idx.c — format
 * detection (extension, archmime, magic), every format written and read back byte-exact (PAX and
 * GNU long names, ZIP), the zero-copy TAR path (sendfile substitution) producing the same bytes as
 * the copying path, data offsets of a plain TAR, corrupt/truncated/empty input refused cleanly,
 * match modes, and the shard index: build, pack/parse round trip, AIStore's layout, lookups that
 * parse no TAR header, freshness, every corrupted index refused. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "archive/arch_idx.h"
#include "archive/arch_match.h"
#include "archive/arch_mime.h"
#include "archive/arch_rd.h"
#include "archive/arch_wr.h"
#include "core/err.h"
#include "core/sbuf.h"

/* ---------------------------------------------------------------- helpers */

typedef struct memsink {
	sbuf_t b;
	int nsendfile;
} memsink_t;

static int ms_write(void *arg, const void *buf, size_t len)
{
	memsink_t *m = arg;
	return sbuf_add(&m->b, buf, len) ? AIS_ENOMEM : 0;
}

static int ms_sendfile(void *arg, int fd, int64_t off, int64_t len)
{
	memsink_t *m = arg;
	char *t = malloc((size_t)len + 1);
	ssize_t n = pread(fd, t, (size_t)len, off);
	int rc = n == len ? ms_write(arg, t, (size_t)len) : AIS_EIO;
	free(t);
	m->nsendfile++;
	return rc;
}

typedef struct ent {
	const char *name;
	const char *data;
	size_t len;
} ent_t;

static char big[300000];

static ent_t ents[4];

static void ents_init(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + (i >> 9));
	static char longname[300];
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 60; i++)
		strcat(longname, "d/");
	strcat(longname, "long-file-name-beyond-100.bin");
	ents[0] = (ent_t){"a.txt", "hello", 5};
	ents[1] = (ent_t){"dir/b.bin", big, sizeof(big)};
	ents[2] = (ent_t){longname, "long", 4};
	ents[3] = (ent_t){"empty", "", 0};
}

static void write_archive(memsink_t *m, arch_fmt_t f, arch_tar_flavor_t fl, bool sendfile, int fd)
{
	arch_sink_t s = {.write = ms_write, .sendfile = sendfile ? ms_sendfile : NULL, .arg = m};
	arch_wr_t *w;
	if (f == ARCH_TAR)
		cr_assert_eq(arch_wr_new_tar(&w, fl, &s), 0);
	else
		cr_assert_eq(arch_wr_new(&w, f, &s), 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(arch_wr_begin(w, ents[i].name, (int64_t)ents[i].len, 1700000000), 0, "%s", arch_wr_err(w));
		if (fd >= 0 && i == 1)
			cr_assert_eq(arch_wr_data_fd(w, fd, 0, (int64_t)ents[i].len), 0);
		else if (ents[i].len)
			cr_assert_eq(arch_wr_data(w, ents[i].data, ents[i].len), 0);
	}
	cr_assert_eq(arch_wr_close(w), 0, "%s", arch_wr_err(w));
	cr_assert_eq(arch_wr_bytes(w), (int64_t)m->b.len);
	arch_wr_free(w);
}

static void read_back(const void *buf, size_t len, arch_fmt_t f)
{
	arch_rd_t *r;
	char err[256];
	cr_assert_eq(arch_rd_open_mem(&r, f, buf, len, err, sizeof(err)), 0, "%s", err);
	arch_ent_t e;
	char *got = malloc(sizeof(big));
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(arch_rd_next(r, &e), 1, "%s", arch_rd_err(r));
		cr_assert_str_eq(e.name, ents[i].name);
		cr_assert_eq(e.size, (int64_t)ents[i].len);
		cr_assert(e.regular);
		size_t got_n = 0;
		ssize_t n;
		while ((n = arch_rd_read(r, got + got_n, sizeof(big) - got_n)) > 0)
			got_n += (size_t)n;
		cr_assert_eq(n, 0);
		cr_assert_eq(got_n, ents[i].len);
		cr_assert(!memcmp(got, ents[i].data, got_n));
		if (f == ARCH_TAR) {
			cr_assert_eq(e.data_off % 512, 0);
			cr_assert(!memcmp((const char *)buf + e.data_off, ents[i].data, ents[i].len));
		} else {
			cr_assert_eq(e.data_off, -1);
		}
	}
	cr_assert_eq(arch_rd_next(r, &e), 0);
	free(got);
	arch_rd_close(r);
}

static int tmpfile_with(const void *buf, size_t len)
{
	char path[] = "/tmp/test_archive_XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	unlink(path);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	return fd;
}

/* ---------------------------------------------------------------- mime */

Test(archive, mime_ext_norm_magic)
{
	cr_assert_eq(arch_mime_by_ext("a/b.tar"), ARCH_TAR);
	cr_assert_eq(arch_mime_by_ext("x.tgz"), ARCH_TGZ);
	cr_assert_eq(arch_mime_by_ext("x.tar.gz"), ARCH_TGZ);
	cr_assert_eq(arch_mime_by_ext("x.tar.lz4"), ARCH_TAR_LZ4);
	cr_assert_eq(arch_mime_by_ext("x.zip"), ARCH_ZIP);
	cr_assert_eq(arch_mime_by_ext("x.lz4"), ARCH_NONE);
	cr_assert_eq(arch_mime_by_ext("tar"), ARCH_NONE);
	arch_fmt_t f;
	cr_assert_eq(arch_mime_norm("application/x-tar", &f), 0);
	cr_assert_eq(f, ARCH_TAR);
	cr_assert_eq(arch_mime_norm(".tar.gz", &f), 0);
	cr_assert_eq(f, ARCH_TGZ);
	cr_assert_eq(arch_mime_norm("tgz", &f), 0);
	cr_assert_eq(f, ARCH_TGZ);
	cr_assert_eq(arch_mime_norm("tar.lz4", &f), 0);
	cr_assert_eq(f, ARCH_TAR_LZ4);
	cr_assert_eq(arch_mime_norm("application/zip", &f), 0);
	cr_assert_eq(f, ARCH_ZIP);
	cr_assert_eq(arch_mime_norm("rar", &f), AIS_EINVAL);
	cr_assert_eq(arch_mime_of("", "noext", &f), 0);
	cr_assert_eq(f, ARCH_NONE);
	cr_assert_eq(arch_mime_of("zip", "x.tar", &f), 0); /* archmime wins */
	cr_assert_eq(f, ARCH_ZIP);
	ents_init();
	for (int k = ARCH_TAR; k <= ARCH_ZIP; k++) {
		memsink_t m = {SBUF_INIT, 0};
		write_archive(&m, (arch_fmt_t)k, ARCH_TAR_AUTO, false, -1);
		cr_assert_eq(arch_mime_magic(m.b.p, m.b.len), (arch_fmt_t)k, "format %d", k);
		sbuf_fini(&m.b);
	}
	cr_assert_eq(arch_mime_magic("hello", 5), ARCH_NONE);
	cr_assert_str_eq(arch_mime_ctype(ARCH_TGZ), "application/gzip");
}

/* ---------------------------------------------------------------- write + read */

Test(archive, every_format_round_trip)
{
	ents_init();
	for (int k = ARCH_TAR; k <= ARCH_ZIP; k++) {
		memsink_t m = {SBUF_INIT, 0};
		write_archive(&m, (arch_fmt_t)k, ARCH_TAR_AUTO, false, -1);
		read_back(m.b.p, m.b.len, (arch_fmt_t)k);
		sbuf_fini(&m.b);
	}
}

Test(archive, tar_flavors_long_names)
{
	ents_init();
	arch_tar_flavor_t fl[] = {ARCH_TAR_AUTO, ARCH_TAR_PAX, ARCH_TAR_GNU};
	for (int k = 0; k < 3; k++) {
		memsink_t m = {SBUF_INIT, 0};
		write_archive(&m, ARCH_TAR, fl[k], false, -1);
		read_back(m.b.p, m.b.len, ARCH_TAR);
		/* GNU long names use a ././@LongLink record, PAX an extended header */
		if (fl[k] == ARCH_TAR_GNU)
			cr_assert(memmem(m.b.p, m.b.len, "././@LongLink", 13));
		else
			cr_assert(!memmem(m.b.p, m.b.len, "././@LongLink", 13));
		sbuf_fini(&m.b);
	}
	/* USTAR cannot hold a name without a '/' split point: the entry is refused, not truncated */
	memsink_t m = {SBUF_INIT, 0};
	arch_sink_t s = {.write = ms_write, .arg = &m};
	arch_wr_t *w;
	cr_assert_eq(arch_wr_new_tar(&w, ARCH_TAR_USTAR, &s), 0);
	char nm[200];
	memset(nm, 'x', sizeof(nm) - 1);
	nm[sizeof(nm) - 1] = '\0';
	cr_assert_eq(arch_wr_begin(w, nm, 1, 0), AIS_EINVAL);
	arch_wr_free(w);
	sbuf_fini(&m.b);
}

/* a sink that takes `cap` bytes, then fails with AIS_EUNAVAIL (say, a client gone) */
typedef struct failsink {
	size_t got, cap;
	int calls_after;
} failsink_t;

static int fs_write(void *arg, const void *buf, size_t len)
{
	failsink_t *f = arg;
	(void)buf;
	if (f->got + len > f->cap) {
		f->calls_after++;
		return AIS_EUNAVAIL;
	}
	f->got += len;
	return 0;
}

static int fs_sendfile(void *arg, int fd, int64_t off, int64_t len) { return fs_write(arg, NULL, (size_t)len); }

/* every format: the sink's error is the writer's (sticky), nothing more reaches the sink after
 * it, and an unfinished writer is freed without leaks (the ASan run checks) */
Test(archive, sink_failure_sticky_every_format)
{
	ents_init();
	int fd = memfd_create("src", 0);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	const arch_fmt_t fmts[] = {ARCH_TAR, ARCH_TGZ, ARCH_TAR_LZ4, ARCH_ZIP};
	const size_t caps[] = {0, 100, 600, 5000, 200000};
	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			for (int sf = 0; sf < 2; sf++) {
				failsink_t f = {0, caps[c], 0};
				arch_sink_t s = {.write = fs_write, .sendfile = sf ? fs_sendfile : NULL, .arg = &f};
				arch_wr_t *w;
				int rc = arch_wr_new(&w, fmts[k], &s);
				cr_assert_eq(rc, 0);
				for (int i = 0; !rc && i < 8; i++) {
					rc = arch_wr_begin(w, i & 1 ? "dir/b.bin" : "a.txt", sizeof(big), 0);
					if (!rc)
						rc = arch_wr_data_fd(w, fd, 0, sizeof(big));
				}
				if (!rc)
					rc = arch_wr_close(w);
				if (!rc) { /* it all fit (compressed) */
					cr_assert_eq(f.calls_after, 0);
					cr_assert(caps[c] >= 5000 && fmts[k] != ARCH_TAR);
					arch_wr_free(w);
					continue;
				}
				cr_assert_eq(rc, AIS_EUNAVAIL, "fmt %d cap %zu sf %d: rc %d (%s)", fmts[k], caps[c], sf, rc,
					     arch_wr_err(w));
				cr_assert_eq(arch_wr_close(w), AIS_EUNAVAIL); /* sticky */
				cr_assert_eq(arch_wr_begin(w, "more", 1, 0), AIS_EUNAVAIL);
				cr_assert_eq(f.calls_after, 1, "the sink is not called after its failure");
				cr_assert(strstr(arch_wr_err(w), "output failed"), "%s", arch_wr_err(w));
				arch_wr_free(w);
				cr_assert_eq(f.calls_after, 1, "free writes nothing");
			}
		}
	}
	close(fd);
}

Test(archive, tar_sendfile_substitution_same_bytes)
{
	ents_init();
	int fd = tmpfile_with(big, sizeof(big));
	memsink_t a = {SBUF_INIT, 0}, b = {SBUF_INIT, 0};
	write_archive(&a, ARCH_TAR, ARCH_TAR_AUTO, false, -1);
	write_archive(&b, ARCH_TAR, ARCH_TAR_AUTO, true, fd);
	cr_assert_eq(b.nsendfile, 1);
	cr_assert_eq(a.b.len, b.b.len);
	cr_assert(!memcmp(a.b.p, b.b.p, a.b.len));
	/* a compressed format reads the fd instead */
	memsink_t c = {SBUF_INIT, 0}, d = {SBUF_INIT, 0};
	write_archive(&c, ARCH_TGZ, ARCH_TAR_AUTO, false, -1);
	write_archive(&d, ARCH_TGZ, ARCH_TAR_AUTO, true, fd);
	cr_assert_eq(d.nsendfile, 0);
	cr_assert_eq(c.b.len, d.b.len);
	cr_assert(!memcmp(c.b.p, d.b.p, c.b.len));
	sbuf_fini(&a.b);
	sbuf_fini(&b.b);
	sbuf_fini(&c.b);
	sbuf_fini(&d.b);
	close(fd);
}

Test(archive, reader_over_fd_bounded_by_size)
{
	ents_init();
	memsink_t m = {SBUF_INIT, 0};
	write_archive(&m, ARCH_TAR, ARCH_TAR_AUTO, false, -1);
	int fd = tmpfile_with(m.b.p, m.b.len);
	/* junk past the size the caller gives must not be read */
	cr_assert_eq(pwrite(fd, "junkjunk", 8, (off_t)m.b.len), 8);
	arch_rd_t *r;
	char err[256];
	cr_assert_eq(arch_rd_open_fd(&r, ARCH_TAR, fd, (int64_t)m.b.len, err, sizeof(err)), 0);
	arch_ent_t e;
	int n = 0, rc;
	while ((rc = arch_rd_next(r, &e)) == 1)
		n++;
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 4);
	arch_rd_close(r);
	/* ZIP over an fd (seekable: central directory) */
	memsink_t z = {SBUF_INIT, 0};
	write_archive(&z, ARCH_ZIP, ARCH_TAR_AUTO, false, -1);
	int zfd = tmpfile_with(z.b.p, z.b.len);
	cr_assert_eq(arch_rd_open_fd(&r, ARCH_ZIP, zfd, (int64_t)z.b.len, err, sizeof(err)), 0, "%s", err);
	n = 0;
	while ((rc = arch_rd_next(r, &e)) == 1)
		n++;
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 4);
	arch_rd_close(r);
	close(fd);
	close(zfd);
	sbuf_fini(&m.b);
	sbuf_fini(&z.b);
}

/* ---------------------------------------------------------------- bad input */

static int scan_all(const void *buf, size_t len, arch_fmt_t f)
{
	arch_rd_t *r;
	char err[256], tmp[4096];
	int rc = arch_rd_open_mem(&r, f, buf, len, err, sizeof(err));
	if (rc)
		return rc;
	arch_ent_t e;
	while ((rc = arch_rd_next(r, &e)) == 1) {
		ssize_t n;
		while ((n = arch_rd_read(r, tmp, sizeof(tmp))) > 0)
			;
		if (n < 0) {
			rc = (int)n;
			break;
		}
	}
	arch_rd_close(r);
	return rc;
}

Test(archive, corrupt_truncated_empty_wrong_kind)
{
	ents_init();
	cr_assert_eq(scan_all("", 0, ARCH_TAR), 0); /* empty: no entries */
	cr_assert_eq(scan_all("", 0, ARCH_ZIP), 0);
	char junk[4096];
	memset(junk, 'j', sizeof(junk));
	for (int k = ARCH_TAR; k <= ARCH_ZIP; k++)
		cr_assert_eq(scan_all(junk, sizeof(junk), (arch_fmt_t)k), AIS_EINVAL, "junk as %d", k);
	for (int k = ARCH_TAR; k <= ARCH_ZIP; k++) {
		memsink_t m = {SBUF_INIT, 0};
		write_archive(&m, (arch_fmt_t)k, ARCH_TAR_AUTO, false, -1);
		/* cut in the middle of the big member */
		cr_assert_lt(scan_all(m.b.p, m.b.len / 2, (arch_fmt_t)k), 0, "truncated %d", k);
		/* a plain TAR read as a .tgz (and vice versa) is refused */
		if (k == ARCH_TAR)
			cr_assert_eq(scan_all(m.b.p, m.b.len, ARCH_TGZ), AIS_EINVAL);
		if (k == ARCH_TGZ)
			cr_assert_eq(scan_all(m.b.p, m.b.len, ARCH_TAR), AIS_EINVAL);
		sbuf_fini(&m.b);
	}
}

/* ---------------------------------------------------------------- match */

Test(archive, match_modes)
{
	arch_mm_t mm;
	cr_assert_eq(arch_match_mode("", &mm), 0);
	cr_assert_eq(mm, ARCH_MM_PREFIX);
	cr_assert_eq(arch_match_mode("wdskey", &mm), 0);
	cr_assert_eq(mm, ARCH_MM_WDSKEY);
	cr_assert_eq(arch_match_mode("glob", &mm), AIS_EINVAL);
	struct {
		const char *pat;
		arch_mm_t mode;
		const char *name;
		bool want;
	} c[] = {
		{"sub/aaa", ARCH_MM_WDSKEY, "sub/aaa.jpg", true},  {"sub/aaa", ARCH_MM_WDSKEY, "sub/aaa.json", true},
		{"sub/aaa", ARCH_MM_WDSKEY, "sub/aaab.jpg", false}, {"sub/a.b", ARCH_MM_WDSKEY, "sub/a.b.c", true},
		{"sub/", ARCH_MM_PREFIX, "sub/x", true},           {"sub/", ARCH_MM_PREFIX, "su/x", false},
		{".jpg", ARCH_MM_SUFFIX, "a.jpg", true},           {".jpg", ARCH_MM_SUFFIX, "a.jpeg", false},
		{"b/c", ARCH_MM_SUBSTR, "a/b/c/d", true},          {"^a.*[0-9]$", ARCH_MM_REGEXP, "abc7", true},
		{"[0-9]", ARCH_MM_REGEXP, "x1y", true},            {"^a.*[0-9]$", ARCH_MM_REGEXP, "abc", false},
		{"", ARCH_MM_REGEXP, "anything", true},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		arch_match_t m;
		char err[128];
		cr_assert_eq(arch_match_init(&m, c[i].pat, c[i].mode, err, sizeof(err)), 0);
		cr_assert_eq(arch_match_do(&m, c[i].name), c[i].want, "%s %s %s", c[i].pat, arch_match_str(c[i].mode),
			     c[i].name);
		arch_match_fini(&m);
	}
	arch_match_t m;
	char err[128];
	cr_assert_eq(arch_match_init(&m, "a(", ARCH_MM_REGEXP, err, sizeof(err)), AIS_EINVAL);
}

/* ---------------------------------------------------------------- shard index */

static void build_idx(const memsink_t *m, arch_idx_t *idx, const char *ty, const char *val)
{
	arch_rd_t *r;
	char err[256];
	cr_assert_eq(arch_rd_open_mem(&r, ARCH_TAR, m->b.p, m->b.len, err, sizeof(err)), 0);
	cr_assert_eq(arch_idx_build(r, ty, val, (int64_t)m->b.len, idx, err, sizeof(err)), 0, "%s", err);
	arch_rd_close(r);
}

Test(archive, index_build_layout_and_lookup_without_scan)
{
	ents_init();
	memsink_t m = {SBUF_INIT, 0};
	write_archive(&m, ARCH_TAR, ARCH_TAR_PAX, false, -1);
	arch_idx_t idx;
	build_idx(&m, &idx, "xxhash", "0123456789abcdef");
	/* AIStore's preamble: version 1, format TAR 0, checksum xxhash 1, XXH64 BE with MLCG32 seed */
	cr_assert_eq(idx.buf[0], 1);
	cr_assert_eq(idx.buf[1], 0);
	cr_assert_eq(idx.buf[2], 1);
	uint64_t h = XXH64(idx.buf + 11, idx.len - 11, 1103515245ULL), st = 0;
	for (int i = 0; i < 8; i++)
		st = st << 8 | idx.buf[3 + i];
	cr_assert_eq(h, st);
	cr_assert_eq(idx.count, 4);
	cr_assert_str_eq(idx.ck_type, "xxhash");
	cr_assert_eq(idx.src_size, (int64_t)m.b.len);
	/* lookups parse no TAR header: they only read the index */
	uint64_t before = arch_rd_hdrs_total();
	for (int i = 0; i < 4; i++) {
		arch_idx_ent_t e;
		cr_assert(arch_idx_find(&idx, ents[i].name, &e), "%s", ents[i].name);
		cr_assert_eq(e.size, (int64_t)ents[i].len);
		cr_assert(!memcmp(m.b.p + e.hdr_off + 512, ents[i].data, ents[i].len));
	}
	arch_idx_ent_t e;
	cr_assert(arch_idx_find(&idx, "/a.txt", &e)); /* leading '/' ignored, as AIStore's namesEq */
	cr_assert(!arch_idx_find(&idx, "nope", &e));
	cr_assert_eq(arch_rd_hdrs_total(), before);
	/* round trip through the parser */
	unsigned char *copy = malloc(idx.len);
	memcpy(copy, idx.buf, idx.len);
	arch_idx_t j;
	char err[128];
	cr_assert_eq(arch_idx_parse(&j, copy, idx.len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(j.count, 4);
	arch_idx_fini(&j);
	arch_idx_fini(&idx);
	sbuf_fini(&m.b);
}

Test(archive, index_first_wins_and_freshness)
{
	memsink_t m = {SBUF_INIT, 0};
	arch_sink_t s = {.write = ms_write, .arg = &m};
	arch_wr_t *w;
	cr_assert_eq(arch_wr_new(&w, ARCH_TAR, &s), 0);
	cr_assert_eq(arch_wr_begin(w, "dup", 3, 0), 0);
	cr_assert_eq(arch_wr_data(w, "one", 3), 0);
	cr_assert_eq(arch_wr_begin(w, "dup", 5, 0), 0);
	cr_assert_eq(arch_wr_data(w, "two!!", 5), 0);
	cr_assert_eq(arch_wr_close(w), 0);
	arch_wr_free(w);
	arch_idx_t idx;
	build_idx(&m, &idx, "", "");
	cr_assert_eq(idx.count, 1);
	arch_idx_ent_t e;
	cr_assert(arch_idx_find(&idx, "dup", &e));
	cr_assert_eq(e.size, 3);
	cr_assert_str_eq(idx.ck_type, "none");
	cr_assert(arch_idx_fresh(&idx, (int64_t)m.b.len, "xxhash", "abc")); /* recorded none: size only */
	cr_assert(!arch_idx_fresh(&idx, (int64_t)m.b.len + 512, "", ""));
	arch_idx_fini(&idx);
	build_idx(&m, &idx, "xxhash", "abc");
	cr_assert(arch_idx_fresh(&idx, (int64_t)m.b.len, "xxhash", "abc"));
	cr_assert(!arch_idx_fresh(&idx, (int64_t)m.b.len, "xxhash", "abd"));
	cr_assert(!arch_idx_fresh(&idx, (int64_t)m.b.len, "none", ""));
	arch_idx_fini(&idx);
	sbuf_fini(&m.b);
}

Test(archive, index_every_corruption_refused)
{
	ents_init();
	memsink_t m = {SBUF_INIT, 0};
	write_archive(&m, ARCH_TAR, ARCH_TAR_AUTO, false, -1);
	arch_idx_t idx;
	build_idx(&m, &idx, "xxhash", "00ff");
	char err[128];
	/* every truncation */
	for (size_t l = 0; l < idx.len; l++) {
		unsigned char *b = malloc(l + 1);
		memcpy(b, idx.buf, l);
		arch_idx_t j;
		cr_assert_eq(arch_idx_parse(&j, b, l, err, sizeof(err)), AIS_EINVAL, "len %zu", l);
	}
	/* every single-bit flip (the checksum catches the payload, the preamble checks the rest) */
	for (size_t i = 0; i < idx.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			unsigned char *b = malloc(idx.len);
			memcpy(b, idx.buf, idx.len);
			b[i] ^= (unsigned char)(1 << bit);
			arch_idx_t j;
			cr_assert_eq(arch_idx_parse(&j, b, idx.len, err, sizeof(err)), AIS_EINVAL, "byte %zu bit %d", i, bit);
		}
	}
	arch_idx_fini(&idx);
	sbuf_fini(&m.b);
}
