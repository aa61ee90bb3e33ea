/* object core without HTTP: temp mountpaths, a BMD with buckets, a cluster config with a small
 * chunks.objsize_limit; then the writer (plain, client checksum ok/mismatch, MD5/Content-MD5, S3
 * additional checksum, auto-chunked, abort, write error, adopt), the reader (whole, range,
 * chunked), validate-on-read removing a corrupted object, the size check on truncated/extended
 * files, delete, local copy and rename, versioning, the statistics the core moves, obj_init. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/s3ck.h"
#include "fs/fs.h"
#include "obj/chunk.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "obj/obj_put.h"
#include "obj/obj_reloc.h"
#include "obj/obj_walk.h"
#include "stats/stats.h"

#define CHUNK 16384
#define LIMIT 65536

static char base[64];

static void write_file(const char *path, const char *s)
{
	cr_assert_eq(fsops_write_atomic(path, s, strlen(s)), 0);
}

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/test_obj_core_XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	char p[128], l[128], js[512], err[256];
	snprintf(p, sizeof(p), "%s/cluster.json", base);
	write_file(p, "{\"checksum\": {\"type\": \"xxhash2\"}, \"versioning\": {\"enabled\": true},"
		      " \"chunks\": {\"objsize_limit\": \"64KiB\", \"chunk_size\": \"16KiB\"}}");
	snprintf(l, sizeof(l), "%s/local.json", base);
	snprintf(js, sizeof(js), "{\"confdir\": \"%s\", \"log_dir\": \"%s\", \"host_net\": {\"port\": \"8081\"}}",
		 base, base);
	write_file(l, js);
	cr_assert_eq(config_load(p, l, err, sizeof(err)), 0, "%s", err);
	fs_reset();
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/mp%d", base, i);
		if (fs_add(p, err, sizeof(err)) && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
	}
	bmd_t *m = bmd_new();
	cr_assert_not_null(m);
	json_t *vp = json_loads("{\"checksum\": {\"validate_warm_get\": true}}", 0, NULL);
	json_t *nv = json_loads("{\"versioning\": {\"enabled\": false}, \"checksum\": {\"type\": \"md5\"}}", 0, NULL);
	cr_assert_eq(bmd_add(m, "ais", "", "b", NULL), 0);
	cr_assert_eq(bmd_add(m, "ais", "", "v", vp), 0);
	cr_assert_eq(bmd_add(m, "ais", "", "n", nv), 0);
	json_decref(vp);
	json_decref(nv);
	m->version = 1;
	cr_assert_eq(bmd_install(m, true), 1);
	stats_reset();
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	cr_assert_eq(system(cmd), 0);
	fs_reset();
}

TestSuite(obj_core, .init = setup, .fini = teardown);

/* ---- helpers */

static int count_files(const char *ct)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "find %s -path '*/%s/*' -type f | wc -l", base, ct);
	FILE *f = popen(cmd, "r");
	int n = -1;
	cr_assert_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

static unsigned char *rnd(size_t n, unsigned seed)
{
	unsigned char *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
	return b;
}

static void init_obj(obj_t *o, const char *bck, const char *name)
{
	obj_why_t why;
	cr_assert_eq(obj_init(o, "ais", "", bck, name, &why), 0);
	cr_assert_eq(why, OBJ_WHY_NONE);
}

/* PUT data through the writer in odd-sized pieces; returns the commit's rc (res filled) */
static int put_opts(const obj_t *o, const void *data, size_t len, obj_put_opts_t *opt, obj_put_res_t *res,
		    obj_why_t *why)
{
	obj_put_t *w;
	int rc = obj_put_begin(o, opt, &w, why);
	if (rc)
		return rc;
	const unsigned char *p = data;
	for (size_t off = 0; off < len;) {
		size_t k = len - off < 7001 ? len - off : 7001;
		cr_assert_eq(obj_put_write(w, p + off, k), 0);
		off += k;
	}
	return obj_put_commit(w, res, why);
}

static void put_ok(const obj_t *o, const void *data, size_t len, int64_t hint, lom_md_t *md_out)
{
	obj_put_opts_t opt = {.size_hint = hint};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(o, data, len, &opt, &res, &why), 0, "why %s", obj_why_str(why));
	cr_assert_eq(res.size, (int64_t)len);
	if (md_out)
		*md_out = res.md;
	else
		lom_md_fini(&res.md);
}

/* the whole object through the reader (prepared when needed) */
static unsigned char *get_all(const obj_t *o, int64_t *size)
{
	obj_get_t g;
	obj_why_t why;
	cr_assert_eq(obj_get_open(&g, o, 0, &why), 0, "why %s", obj_why_str(why));
	if (obj_get_needs_pool(&g))
		cr_assert_eq(obj_get_prepare(&g, &why), 0, "why %s", obj_why_str(why));
	unsigned char *b = malloc((size_t)g.size + 1);
	int64_t pos = 0;
	while (pos < g.size) {
		ssize_t n = obj_get_pread(&g, b + pos, 5555, pos);
		cr_assert_gt(n, 0);
		pos += n;
	}
	cr_assert_eq(obj_get_pread(&g, b, 10, pos), 0);
	*size = g.size;
	obj_get_done(&g, g.size);
	obj_get_close(&g);
	return b;
}

static void assert_content(const obj_t *o, const unsigned char *want, size_t len)
{
	int64_t n;
	unsigned char *b = get_all(o, &n);
	cr_assert_eq(n, (int64_t)len);
	cr_assert(!memcmp(b, want, len));
	free(b);
}

static int open_rc(const obj_t *o, int flags, obj_why_t *why)
{
	obj_get_t g;
	int rc = obj_get_open(&g, o, flags, why);
	obj_get_close(&g);
	return rc;
}

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, off), 1);
	c ^= 0xFF;
	cr_assert_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/* ---- obj_init */

Test(obj_core, init_without_request)
{
	obj_t o;
	obj_why_t why;
	cr_assert_eq(obj_init(&o, "ais", "", "nope", "x", &why), AIS_ENOBUCKET);
	cr_assert_eq(why, OBJ_WHY_NO_BUCKET);
	cr_assert_null(o.bmd);
	obj_fini(&o);
	cr_assert_eq(obj_init(&o, "", "", "b", "../x", &why), AIS_EINVAL);
	cr_assert_eq(why, OBJ_WHY_BAD_NAME);
	cr_assert_eq(obj_init(&o, "ais", "", "b", "", &why), AIS_EINVAL);
	char *longname = malloc(FQN_OBJNAME_MAX + 300);
	memset(longname, 'a', FQN_OBJNAME_MAX + 299);
	longname[FQN_OBJNAME_MAX + 299] = '\0';
	cr_assert_eq(obj_init(&o, "ais", "", "b", longname, &why), AIS_EINVAL);
	free(longname);
	char name[] = "dir/obj";
	cr_assert_eq(obj_init(&o, NULL, NULL, "b", name, &why), 0);
	name[0] = 'X'; /* the context holds its own copy */
	cr_assert_str_eq(o.oname, "dir/obj");
	cr_assert_not_null(o.bmd);
	cr_assert_str_eq(o.bck->name, "b");
	cr_assert(strstr(o.fqn, "/@ais/b/%ob/dir/obj"));
	obj_t m;
	obj_move(&m, &o);
	cr_assert_null(o.bmd);
	cr_assert_str_eq(m.oname, "dir/obj");
	cr_assert(m.oname >= m.ibuf && m.oname < m.ibuf + sizeof(m.ibuf));
	obj_fini(&o);
	obj_fini(&m);
}

/* ---- PUT */

Test(obj_core, put_plain_and_get)
{
	obj_t o;
	init_obj(&o, "b", "d/plain");
	size_t len = 100000;
	unsigned char *data = rnd(len, 1);
	lom_md_t md;
	put_ok(&o, data, len, 1000 /* the hint decides: not chunked */, &md);
	char want[CKSUM_MAX_HEX];
	cr_assert_eq(cksum_buf(CKSUM_XXHASH2, data, len, want), 0);
	cr_assert_eq(md.cktype, CKSUM_XXHASH2);
	cr_assert_str_eq(md.ckval, want);
	cr_assert_eq(md.size, (int64_t)len);
	cr_assert_str_eq(md.version, "1");
	cr_assert_not(md.flags & LOM_FL_CHUNKED);
	lom_md_fini(&md);
	assert_content(&o, data, len);
	struct stat st;
	cr_assert_eq(stat(o.fqn, &st), 0);
	cr_assert_eq(st.st_size, (off_t)len);
	cr_assert_eq(count_files("%wk"), 0);
	cr_assert_eq(stats_get_op(STATS_PUT, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_PUT, true, false), len);
	cr_assert_eq(stats_get_op(STATS_GET, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_GET, true, false), len);
	free(data);
	obj_fini(&o);
}

Test(obj_core, put_client_cksum)
{
	obj_t o;
	init_obj(&o, "b", "ck");
	const char *body = "hello, object core";
	char xx[CKSUM_MAX_HEX], md5[CKSUM_MAX_HEX];
	cksum_buf(CKSUM_XXHASH2, body, strlen(body), xx);
	cksum_buf(CKSUM_MD5, body, strlen(body), md5);
	/* the bucket's type and another type, upper-case hex accepted */
	for (int i = 0; md5[i]; i++)
		if (md5[i] >= 'a' && md5[i] <= 'f')
			md5[i] = (char)(md5[i] - 32);
	obj_put_opts_t opt = {.client_type = CKSUM_XXHASH2, .client_val = xx, .size_hint = -1};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(&o, body, strlen(body), &opt, &res, &why), 0);
	lom_md_fini(&res.md);
	opt.client_type = CKSUM_MD5;
	opt.client_val = md5;
	cr_assert_eq(put_opts(&o, body, strlen(body), &opt, &res, &why), 0);
	cr_assert_str_eq(res.md.ckval, xx); /* stored: the bucket's type */
	lom_md_fini(&res.md);
	/* mismatch: nothing visible (the previous version stays), no work file */
	cr_assert_eq(obj_delete(&o, &why), 0);
	opt.client_val = "0123456789abcdef0123456789abcdef";
	cr_assert_eq(put_opts(&o, body, strlen(body), &opt, &res, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_BAD_CKSUM);
	cr_assert_str_eq(res.client_want, "0123456789abcdef0123456789abcdef");
	cksum_buf(CKSUM_MD5, body, strlen(body), md5);
	cr_assert_str_eq(res.client_got, md5);
	lom_md_fini(&res.md);
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	cr_assert_eq(count_files("%wk"), 0);
	cr_assert_eq(count_files("%ob"), 0);
	cr_assert_eq(stats_get_err(STATS_ERR_PUT_CKSUM), 1);
	cr_assert_eq(stats_get_op(STATS_PUT, false, false), 2);
	/* a type without a value is rejected at begin */
	obj_put_opts_t bad = {.client_type = CKSUM_MD5, .size_hint = -1};
	obj_put_t *w;
	cr_assert_eq(obj_put_begin(&o, &bad, &w, &why), AIS_EINVAL);
	obj_fini(&o);
}

static int md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	(*(int *)arg)++;
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", res->md5_hex);
	return lom_md_custom_set(md, "ETag", etag);
}

Test(obj_core, put_md5_and_s3_checksum)
{
	obj_t o;
	init_obj(&o, "b", "s3/obj");
	size_t len = 40000;
	unsigned char *data = rnd(len, 7);
	unsigned char mraw[32];
	s3ck_t m;
	s3ck_init(&m, S3CK_MD5);
	s3ck_update(&m, data, len);
	s3ck_final_raw(&m, mraw);
	char crc[64];
	s3ck_t c;
	s3ck_init(&c, S3CK_CRC32C);
	s3ck_update(&c, data, len);
	s3ck_final_b64(&c, crc);
	int calls = 0;
	obj_put_opts_t opt = {.md5 = true, .md5_want = mraw, .xck = S3CK_CRC32C, .xck_want = crc, .size_hint = -1,
			      .md_cb = md_cb, .md_arg = &calls};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(&o, data, len, &opt, &res, &why), 0);
	cr_assert_eq(calls, 1);
	cr_assert_str_eq(res.xck, crc);
	cr_assert(!memcmp(res.md5, mraw, 16));
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", res.md5_hex);
	cr_assert_str_eq(lom_md_custom_get(&res.md, "ETag"), etag);
	lom_md_fini(&res.md);
	/* Content-MD5 mismatch */
	unsigned char bad[16] = {0};
	opt.md5_want = bad;
	cr_assert_eq(put_opts(&o, data, len, &opt, &res, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_BAD_MD5);
	lom_md_fini(&res.md);
	/* x-amz-checksum mismatch, the value given late (trailer) */
	opt.md5_want = NULL;
	opt.xck_want = NULL;
	obj_put_t *w;
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	cr_assert_eq(obj_put_write(w, data, len), 0);
	obj_put_set_xck_want(w, "AAAAAA==");
	cr_assert_eq(obj_put_commit(w, &res, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_BAD_XCK);
	cr_assert_str_eq(res.xck, crc);
	lom_md_fini(&res.md);
	cr_assert_eq(calls, 1); /* the md callback runs only for verified content */
	cr_assert_eq(count_files("%wk"), 0);
	assert_content(&o, data, len); /* the first version is intact */
	cr_assert_eq(stats_get_err(STATS_ERR_PUT_CKSUM), 2);
	free(data);
	obj_fini(&o);
}

Test(obj_core, put_auto_chunked)
{
	obj_t o;
	init_obj(&o, "b", "big/one");
	size_t len = 5 * CHUNK + 1234;
	unsigned char *data = rnd(len, 3);
	obj_put_opts_t opt = {.size_hint = (int64_t)len};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(&o, data, len, &opt, &res, &why), 0);
	cr_assert(res.chunked);
	cr_assert(res.md.flags & LOM_FL_CHUNKED);
	char want[CKSUM_MAX_HEX];
	cksum_buf(CKSUM_XXHASH2, data, len, want);
	cr_assert_str_eq(res.md.ckval, want);
	lom_md_fini(&res.md);
	/* chunk 1 in %ob, 2..6 under %ch, one completed manifest */
	cr_assert_eq(count_files("%ch"), 5);
	cr_assert_eq(count_files("%ut"), 1);
	cr_assert_eq(count_files("%wk"), 0);
	struct stat st;
	cr_assert_eq(stat(o.fqn, &st), 0);
	cr_assert_eq(st.st_size, CHUNK);
	/* read: needs the pool; whole and a range across chunk boundaries */
	obj_get_t g;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert(g.chunked);
	cr_assert_eq(g.size, (int64_t)len);
	cr_assert(obj_get_needs_pool(&g));
	int64_t off, rl;
	cr_assert_eq(obj_get_range_apply(&g, "bytes=16000-50000", &off, &rl), 1);
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	cr_assert_eq(g.u.count, 6);
	unsigned char *b = malloc((size_t)rl);
	for (int64_t pos = 0; pos < rl;) {
		ssize_t n = obj_get_pread(&g, b + pos, (size_t)(rl - pos), off + pos);
		cr_assert_gt(n, 0);
		pos += n;
	}
	cr_assert(!memcmp(b, data + off, (size_t)rl));
	free(b);
	obj_get_close(&g);
	assert_content(&o, data, len);
	/* at or below the limit: monolithic; replacing the chunked version drops its chunks */
	put_ok(&o, data, LIMIT, LIMIT, NULL);
	cr_assert_eq(count_files("%ch"), 0);
	cr_assert_eq(count_files("%ut"), 0);
	assert_content(&o, data, LIMIT);
	free(data);
	obj_fini(&o);
}

Test(obj_core, abort_leaves_nothing)
{
	obj_t o;
	init_obj(&o, "b", "aborted");
	size_t len = 5 * CHUNK + 5;
	unsigned char *data = rnd(len, 9);
	for (int chunked = 0; chunked < 2; chunked++) {
		obj_put_opts_t opt = {.size_hint = chunked ? (int64_t)len : -1};
		obj_put_t *w;
		obj_why_t why;
		cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
		cr_assert_eq(obj_put_write(w, data, len), 0);
		cr_assert_gt(count_files(chunked ? "%ch" : "%wk"), 0);
		obj_put_abort(w, AIS_EIO);
		cr_assert_eq(count_files("%wk") + count_files("%ch") + count_files("%ut") + count_files("%ob"), 0);
		cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	}
	obj_put_abort(NULL, 0);
	cr_assert_eq(stats_get_err(STATS_ERR_IO_PUT), 2);
	/* a write error is sticky: the commit fails and removes everything */
	obj_put_opts_t opt = {.size_hint = -1};
	obj_put_t *w;
	obj_why_t why;
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	fsops_fault_inject(ENOSPC, 1);
	cr_assert_eq(obj_put_write(w, data, 100), AIS_ENOSPC);
	cr_assert_eq(obj_put_write(w, data, 100), AIS_ENOSPC);
	obj_put_res_t res;
	cr_assert_eq(obj_put_commit(w, &res, &why), AIS_ENOSPC);
	cr_assert_eq(why, OBJ_WHY_IO);
	lom_md_fini(&res.md);
	cr_assert_eq(count_files("%wk") + count_files("%ob"), 0);
	free(data);
	obj_fini(&o);
}

Test(obj_core, adopt_work_file)
{
	obj_t o;
	init_obj(&o, "b", "adopted");
	char work[FQN_MAX];
	int fd;
	cr_assert_eq(obj_open_work(&o, "apnd", O_WRONLY, work, sizeof(work), &fd), 0);
	cr_assert_eq(fsops_write_all(fd, "abc", 3), 0);
	cr_assert_eq(fsops_write_all(fd, "def", 3), 0);
	close(fd);
	char want[CKSUM_MAX_HEX];
	cksum_buf(CKSUM_SHA256, "abcdef", 6, want);
	obj_put_opts_t opt = {.client_type = CKSUM_SHA256, .client_val = want, .size_hint = -1,
			      .acct = OBJ_ACCT_APPEND};
	obj_put_t *w;
	obj_why_t why;
	cr_assert_eq(obj_put_adopt(&o, &opt, open(work, O_RDWR), work, &w, &why), 0);
	obj_put_res_t res;
	cr_assert_eq(obj_put_commit(w, &res, &why), 0);
	cr_assert_eq(res.md.size, 6);
	lom_md_fini(&res.md);
	assert_content(&o, (const unsigned char *)"abcdef", 6);
	cr_assert_eq(access(work, F_OK), -1);
	cr_assert_eq(stats_get_op(STATS_PUT, false, false), 0); /* the flush is not a PUT */
	/* a bad checksum: err.append.n, nothing committed, the file removed */
	cr_assert_eq(obj_open_work(&o, "apnd", O_WRONLY, work, sizeof(work), &fd), 0);
	cr_assert_eq(fsops_write_all(fd, "xyz", 3), 0);
	close(fd);
	cr_assert_eq(obj_put_adopt(&o, &opt, open(work, O_RDWR), work, &w, &why), 0);
	cr_assert_eq(obj_put_commit(w, &res, &why), AIS_ECKSUM);
	lom_md_fini(&res.md);
	cr_assert_eq(access(work, F_OK), -1);
	cr_assert_eq(stats_get_err(STATS_ERR_APPEND), 1);
	assert_content(&o, (const unsigned char *)"abcdef", 6);
	obj_fini(&o);
}

Test(obj_core, append_seeded_from_chunked_object)
{
	obj_t o;
	init_obj(&o, "b", "apnd/chunked");
	size_t len = 5 * CHUNK + 3;
	unsigned char *data = rnd(len + 4, 51);
	put_ok(&o, data, len, (int64_t)len, NULL);
	char work[FQN_MAX];
	int fd;
	obj_why_t why;
	int64_t t0 = stats_now();
	cr_assert_eq(obj_put_append_new(&o, work, sizeof(work), &fd, &why), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_END), (off_t)len); /* every chunk, not just the first */
	cr_assert_eq(fsops_write_all(fd, data + len, 4), 0);
	close(fd);
	obj_put_append_done(&o, 0, t0);
	cr_assert_eq(stats_get_op(STATS_APPEND, false, false), 1);
	obj_put_opts_t opt = {.size_hint = -1, .acct = OBJ_ACCT_APPEND};
	obj_put_t *w;
	cr_assert_eq(obj_put_adopt(&o, &opt, open(work, O_RDWR), work, &w, &why), 0);
	obj_put_res_t res;
	cr_assert_eq(obj_put_commit(w, &res, &why), 0);
	cr_assert_not(res.md.flags & LOM_FL_CHUNKED);
	lom_md_fini(&res.md);
	assert_content(&o, data, len + 4);
	cr_assert_eq(count_files("%ch") + count_files("%ut") + count_files("%wk"), 0);
	/* a missing object starts empty */
	obj_t m;
	init_obj(&m, "b", "apnd/new");
	cr_assert_eq(obj_put_append_new(&m, work, sizeof(work), &fd, &why), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_END), 0);
	close(fd);
	unlink(work);
	obj_put_append_done(&m, AIS_EIO, t0);
	cr_assert_eq(stats_get_err(STATS_ERR_APPEND), 1);
	free(data);
	obj_fini(&o);
	obj_fini(&m);
}

Test(obj_core, versioning_and_conflict)
{
	obj_t o, o2, d, n;
	init_obj(&o, "b", "ver");
	lom_md_t md;
	for (int i = 1; i <= 3; i++) {
		put_ok(&o, "x", 1, -1, &md);
		char v[16];
		snprintf(v, sizeof(v), "%d", i);
		cr_assert_str_eq(md.version, v);
		lom_md_fini(&md);
	}
	init_obj(&n, "n", "ver"); /* versioning off, md5 bucket */
	put_ok(&n, "x", 1, -1, &md);
	cr_assert_str_eq(md.version, "");
	cr_assert_eq(md.cktype, CKSUM_MD5);
	lom_md_fini(&md);
	/* a name below an object (same mountpath): the object's path has to become a directory -
	 * since issue 10 (S3: "a" and "a/b" coexist) the object moves into its leaf (fqn.h) and both
	 * are there; before, this was a conflict */
	for (int i = 0;; i++) {
		char a[32], b[40];
		snprintf(a, sizeof(a), "vd%d", i);
		snprintf(b, sizeof(b), "vd%d/sub", i);
		init_obj(&o2, "b", a);
		init_obj(&d, "b", b);
		if (o2.mpi == d.mpi)
			break;
		obj_fini(&o2);
		obj_fini(&d);
	}
	put_ok(&o2, "x", 1, -1, NULL);
	obj_put_opts_t opt = {.size_hint = -1};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(&d, "y", 1, &opt, &res, &why), 0);
	lom_md_fini(&res.md);
	assert_content(&o2, (const unsigned char *)"x", 1);
	assert_content(&d, (const unsigned char *)"y", 1);
	char leaf[FQN_MAX + 16];
	snprintf(leaf, sizeof(leaf), "%s/%s", o2.fqn, FQN_LEAF);
	struct stat lst;
	cr_assert_eq(stat(leaf, &lst), 0, "%s", leaf);
	cr_assert(S_ISREG(lst.st_mode));
	cr_assert_eq(count_files("%wk"), 0);
	obj_fini(&o);
	obj_fini(&o2);
	obj_fini(&d);
	obj_fini(&n);
}

/* the commit's no-replace fast path and its fallback: what lands on disk (the LOM in the file's
 * xattr, not only what the commit returns) for a new object, an overwrite (version from the
 * previous one), a defunct predecessor, and a name that is a directory */
Test(obj_core, commit_new_overwrite_defunct_dir)
{
	obj_t o;
	init_obj(&o, "b", "nr/obj");
	lom_md_t md, disk;
	lom_md_init(&disk);
	put_ok(&o, "one", 3, -1, NULL);
	cr_assert_eq(lom_load(-1, o.fqn, &disk), 0);
	cr_assert_str_eq(disk.version, "1");
	cr_assert_eq(disk.size, 3);
	put_ok(&o, "second", 6, -1, &md);
	cr_assert_str_eq(md.version, "2");
	lom_md_fini(&md);
	cr_assert_eq(lom_load(-1, o.fqn, &disk), 0);
	cr_assert_str_eq(disk.version, "2");
	cr_assert_eq(disk.size, 6);
	assert_content(&o, (const unsigned char *)"second", 6);
	/* a predecessor of another bucket incarnation (defunct) does not count: version 1 again */
	disk.bid ^= 0x5a5a;
	cr_assert_eq(lom_store(-1, o.fqn, &disk), 0);
	put_ok(&o, "third", 5, -1, &md);
	cr_assert_str_eq(md.version, "1");
	lom_md_fini(&md);
	lom_md_fini(&disk);
	/* the name is a directory (an object below it): since issue 10 the object goes in as the
	 * directory's leaf (before: a conflict); the object below intact */
	obj_t below, dir;
	init_obj(&dir, "b", "nrdir");
	char bn[64];
	for (int i = 0;; i++) {
		snprintf(bn, sizeof(bn), "nrdir/x%d", i);
		init_obj(&below, "b", bn);
		if (below.mpi == dir.mpi)
			break;
		obj_fini(&below);
	}
	put_ok(&below, "deep", 4, -1, NULL);
	obj_put_opts_t opt = {.size_hint = -1};
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(put_opts(&dir, "flat", 4, &opt, &res, &why), 0);
	lom_md_fini(&res.md);
	assert_content(&below, (const unsigned char *)"deep", 4);
	assert_content(&dir, (const unsigned char *)"flat", 4);
	char dleaf[FQN_MAX + 16];
	snprintf(dleaf, sizeof(dleaf), "%s/%s", dir.fqn, FQN_LEAF);
	cr_assert_eq(lom_load(-1, dleaf, &disk), 0);
	cr_assert_eq(disk.size, 4);
	lom_md_fini(&disk);
	/* overwrite: still the leaf, version 2 */
	put_ok(&dir, "flat2", 5, -1, &md);
	cr_assert_str_eq(md.version, "2");
	lom_md_fini(&md);
	assert_content(&dir, (const unsigned char *)"flat2", 5);
	/* delete the one below: the directory stays (it holds the leaf); then the leaf */
	cr_assert_eq(obj_delete(&below, &why), 0);
	assert_content(&dir, (const unsigned char *)"flat2", 5);
	cr_assert_eq(obj_delete(&dir, &why), 0);
	struct stat dst;
	cr_assert_neq(stat(dir.fqn, &dst), 0); /* pruned */
	cr_assert_eq(count_files("%wk"), 0);
	obj_fini(&o);
	obj_fini(&below);
	obj_fini(&dir);
}

/* ---- GET */

Test(obj_core, get_head_range_notfound)
{
	obj_t o;
	init_obj(&o, "b", "r");
	unsigned char *data = rnd(1000, 5);
	put_ok(&o, data, 1000, -1, NULL);
	obj_get_t g;
	obj_why_t why;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_not(obj_get_needs_pool(&g));
	int64_t off = 0, len = 0;
	cr_assert_eq(obj_get_range_apply(&g, "bytes=-10", &off, &len), 1);
	cr_assert_eq(off, 990);
	cr_assert_eq(len, 10);
	cr_assert_eq(obj_get_range_apply(&g, "bytes=2000-", &off, &len), AIS_ERANGE);
	cr_assert_eq(obj_get_range_apply(&g, NULL, &off, &len), 0);
	int fd = obj_get_take_fd(&g);
	cr_assert_geq(fd, 0);
	unsigned char buf[10];
	cr_assert_eq(pread(fd, buf, 10, 990), 10);
	cr_assert(!memcmp(buf, data + 990, 10));
	close(fd);
	obj_get_done(&g, 10);
	obj_get_close(&g);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 1); /* the unsatisfiable range */
	cr_assert_eq(stats_get_op(STATS_GET, true, false), 10);
	cr_assert_eq(obj_get_open(&g, &o, OBJ_GET_HEAD, &why), 0);
	cr_assert_eq(g.size, 1000);
	obj_get_done(&g, -1);
	obj_get_close(&g);
	cr_assert_eq(stats_get_op(STATS_HEAD, false, false), 1);
	obj_t m;
	init_obj(&m, "b", "missing");
	cr_assert_eq(open_rc(&m, 0, &why), AIS_ENOTFOUND);
	cr_assert_eq(why, OBJ_WHY_NOT_FOUND);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 1); /* a 404 is not an error by default */
	/* defunct: the bucket was re-created (another bid) */
	bmd_t *b2 = bmd_clone(o.bmd);
	cr_assert_eq(bmd_del(b2, "ais", "", "b"), 0);
	cr_assert_eq(bmd_add(b2, "ais", "", "b", NULL), 0);
	b2->version = 2;
	cr_assert_eq(bmd_install(b2, false), 1);
	obj_t o2;
	init_obj(&o2, "b", "r");
	cr_assert_eq(open_rc(&o2, 0, &why), AIS_ENOTFOUND);
	free(data);
	obj_fini(&o);
	obj_fini(&o2);
	obj_fini(&m);
}

Test(obj_core, size_check_truncated_extended)
{
	obj_t o;
	init_obj(&o, "b", "sz");
	unsigned char *data = rnd(5000, 11);
	put_ok(&o, data, 5000, -1, NULL);
	cr_assert_eq(truncate(o.fqn, 4000), 0);
	obj_why_t why;
	obj_get_t g;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), AIS_EIO);
	cr_assert_eq(why, OBJ_WHY_SIZE);
	cr_assert_eq(g.disk_size, 4000);
	cr_assert_eq(g.size, 5000);
	obj_get_close(&g);
	cr_assert_eq(open_rc(&o, OBJ_GET_HEAD, &why), AIS_EIO);
	cr_assert_eq(truncate(o.fqn, 6000), 0);
	cr_assert_eq(open_rc(&o, 0, &why), AIS_EIO);
	cr_assert_eq(why, OBJ_WHY_SIZE);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 2);
	cr_assert_eq(stats_get_err(STATS_ERR_HEAD), 1);
	/* chunked: chunk 1 (the %ob file) and a later chunk */
	size_t len = 5 * CHUNK;
	unsigned char *big = rnd(len, 12);
	obj_t c;
	init_obj(&c, "b", "szc");
	put_ok(&c, big, len, (int64_t)len, NULL);
	cr_assert_eq(truncate(c.fqn, CHUNK - 1), 0);
	cr_assert_eq(obj_get_open(&g, &c, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), AIS_EIO);
	cr_assert_eq(why, OBJ_WHY_SIZE);
	obj_get_close(&g);
	put_ok(&c, big, len, (int64_t)len, NULL);
	cr_assert_eq(obj_get_open(&g, &c, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	cr_assert_eq(truncate(g.u.chunks[2].path, CHUNK + 10), 0); /* extended */
	unsigned char buf[100];
	cr_assert_gt(obj_get_pread(&g, buf, sizeof(buf), 0), 0);
	cr_assert_eq(obj_get_pread(&g, buf, sizeof(buf), 2 * CHUNK + 5), AIS_EIO);
	obj_get_close(&g);
	free(big);
	free(data);
	obj_fini(&o);
	obj_fini(&c);
}

Test(obj_core, validate_detects_flipped_byte)
{
	obj_t o, c;
	init_obj(&o, "v", "rot");
	unsigned char *data = rnd(70000, 21);
	put_ok(&o, data, 70000, -1, NULL);
	obj_get_t g;
	obj_why_t why;
	/* intact: validated and served */
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert(g.validate);
	cr_assert(obj_get_needs_pool(&g));
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	cr_assert_not(obj_get_needs_pool(&g));
	obj_get_close(&g);
	/* HEAD does not validate */
	cr_assert_eq(obj_get_open(&g, &o, OBJ_GET_HEAD, &why), 0);
	cr_assert_not(g.validate);
	obj_get_close(&g);
	flip_byte(o.fqn, 35000);
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_CORRUPT);
	cr_assert_str_neq(g.ck_got, g.md.ckval);
	obj_get_close(&g);
	cr_assert_eq(access(o.fqn, F_OK), -1, "corrupted object not removed");
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 1);
	/* chunked: a flipped byte in a later chunk; the chunks go too */
	size_t len = 5 * CHUNK;
	unsigned char *big = rnd(len, 22);
	init_obj(&c, "v", "rotc");
	put_ok(&c, big, len, (int64_t)len, NULL);
	cr_assert_eq(obj_get_open(&g, &c, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), 0, "why %s: %s != %s", obj_why_str(why), g.md.ckval, g.ck_got);
	char chunk3[FQN_MAX];
	snprintf(chunk3, sizeof(chunk3), "%s", g.u.chunks[3].path);
	obj_get_close(&g);
	flip_byte(chunk3, 7);
	cr_assert_eq(obj_get_open(&g, &c, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_CORRUPT);
	obj_get_close(&g);
	cr_assert_eq(count_files("%ob") + count_files("%ch") + count_files("%ut"), 0);
	free(data);
	free(big);
	obj_fini(&o);
	obj_fini(&c);
}

/* ---- DELETE, copy, rename */

Test(obj_core, delete_plain_chunked_missing)
{
	obj_t o, c;
	init_obj(&o, "b", "a/b/c/del");
	init_obj(&c, "b", "delc");
	unsigned char *big = rnd(3 * CHUNK, 31);
	put_ok(&o, "abc", 3, -1, NULL);
	put_ok(&c, big, 3 * CHUNK, 3 * CHUNK, NULL);
	obj_why_t why;
	cr_assert_eq(obj_delete(&o, &why), 0);
	cr_assert_eq(obj_delete(&c, &why), 0);
	cr_assert_eq(count_files("%ob") + count_files("%ch") + count_files("%ut"), 0);
	/* empty parents removed */
	char dir[FQN_MAX];
	int n = (int)(strstr(o.fqn, "/a/b/c/del") - o.fqn);
	snprintf(dir, sizeof(dir), "%.*s/a", n, o.fqn);
	cr_assert_eq(access(dir, F_OK), -1);
	cr_assert_eq(obj_delete(&o, &why), AIS_ENOTFOUND);
	cr_assert_eq(why, OBJ_WHY_NOT_FOUND);
	cr_assert_eq(stats_get_op(STATS_DEL, false, false), 2);
	cr_assert_eq(stats_get_err(STATS_ERR_DEL), 1);
	/* corrupted metadata: deleted anyway */
	put_ok(&o, "abc", 3, -1, NULL);
	cr_assert_eq(setxattr(o.fqn, LOM_XATTR, "garbage", 7, 0), 0);
	int rc = open_rc(&o, 0, &why);
	cr_assert(rc == AIS_EINVAL || rc == AIS_ECKSUM, "rc %d", rc);
	cr_assert_eq(why, OBJ_WHY_BAD_META);
	cr_assert_eq(obj_delete(&o, &why), 0);
	cr_assert_eq(access(o.fqn, F_OK), -1);
	free(big);
	obj_fini(&o);
	obj_fini(&c);
}

Test(obj_core, copy_local_and_rename)
{
	obj_t o;
	init_obj(&o, "b", "src");
	unsigned char *data = rnd(30000, 41);
	obj_put_opts_t opt = {.size_hint = -1};
	obj_put_t *w;
	obj_why_t why;
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	cr_assert_eq(lom_md_custom_set(obj_put_md(w), "k", "v"), 0);
	cr_assert_eq(obj_put_write(w, data, 30000), 0);
	obj_put_res_t res;
	cr_assert_eq(obj_put_commit(w, &res, &why), 0);
	lom_md_fini(&res.md);
	put_ok(&o, data, 30000, -1, NULL); /* version 2, custom gone */
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	cr_assert_eq(lom_md_custom_set(obj_put_md(w), "k", "v"), 0);
	cr_assert_eq(obj_put_write(w, data, 30000), 0);
	cr_assert_eq(obj_put_commit(w, &res, &why), 0); /* version 3 */
	lom_md_fini(&res.md);
	char err[256];
	/* copy into another bucket (md5): version and custom kept, checksum of the destination's type */
	const bck_t *nb = bmd_find(o.bmd, "ais", "", "n");
	cr_assert_eq(obj_copy(&o, nb, "dst/copy", 0, NULL, NULL, err, sizeof(err), &why), 0, "%s", err);
	obj_t d;
	init_obj(&d, "n", "dst/copy");
	obj_get_t g;
	cr_assert_eq(obj_get_open(&g, &d, 0, &why), 0);
	cr_assert_str_eq(g.md.version, "3");
	cr_assert_str_eq(lom_md_custom_get(&g.md, "k"), "v");
	cr_assert_eq(g.md.cktype, CKSUM_MD5);
	obj_get_close(&g);
	assert_content(&d, data, 30000);
	assert_content(&o, data, 30000);
	/* onto itself */
	cr_assert_eq(obj_copy(&o, o.bck, "src", 0, NULL, NULL, err, sizeof(err), &why), AIS_EINVAL);
	cr_assert_eq(why, OBJ_WHY_SELF);
	cr_assert_eq(obj_copy(&o, o.bck, "../bad", 0, NULL, NULL, err, sizeof(err), &why), AIS_EINVAL);
	cr_assert_eq(why, OBJ_WHY_BAD_NAME);
	/* rename: the source goes, the new name has the bytes and the version */
	cr_assert_eq(obj_rename(&o, "renamed/one", NULL, NULL, err, sizeof(err), &why), 0, "%s", err);
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	obj_t r;
	init_obj(&r, "b", "renamed/one");
	assert_content(&r, data, 30000);
	cr_assert_eq(obj_get_open(&g, &r, 0, &why), 0);
	cr_assert_str_eq(g.md.version, "3");
	obj_get_close(&g);
	cr_assert_eq(stats_get_op(STATS_REN, false, false), 1);
	/* renaming a missing object: err.ren.n */
	cr_assert_eq(obj_rename(&o, "again", NULL, NULL, err, sizeof(err), &why), AIS_ENOTFOUND);
	cr_assert_eq(why, OBJ_WHY_NOT_FOUND);
	cr_assert_eq(stats_get_err(STATS_ERR_REN), 1);
	/* a chunked source: the copy is monolithic, the rename drops the source's chunks */
	size_t len = 3 * CHUNK + 77;
	unsigned char *big = rnd(len, 42);
	obj_t c;
	init_obj(&c, "b", "chunked-src");
	put_ok(&c, big, len, (int64_t)len, NULL);
	cr_assert_eq(obj_rename(&c, "chunked-dst", NULL, NULL, err, sizeof(err), &why), 0, "%s", err);
	obj_t cd;
	init_obj(&cd, "b", "chunked-dst");
	assert_content(&cd, big, len);
	cr_assert_eq(obj_get_open(&g, &cd, 0, &why), 0);
	cr_assert_not(g.chunked);
	obj_get_close(&g);
	cr_assert_eq(count_files("%ch") + count_files("%ut"), 0);
	cr_assert_eq(count_files("%wk"), 0);
	free(data);
	free(big);
	obj_fini(&o);
	obj_fini(&d);
	obj_fini(&r);
	obj_fini(&c);
	obj_fini(&cd);
}

/* the bytes of [off, off+len) read back through the segment plan (what a mover sendfile's) */
static void assert_segs(obj_get_t *g, const unsigned char *data, int64_t off, int64_t len, int want_n)
{
	int n = obj_get_nsegs(g, off, len);
	cr_assert_eq(n, want_n, "[%lld, +%lld): %d segments", (long long)off, (long long)len, n);
	int64_t pos = off;
	for (int i = 0; i < n; i++) {
		int fd;
		int64_t foff, flen;
		cr_assert_eq(obj_get_seg(g, off, len, i, &fd, &foff, &flen), 0);
		cr_assert_gt(flen, 0);
		unsigned char *b = malloc((size_t)flen);
		cr_assert_eq(pread(fd, b, (size_t)flen, foff), flen);
		cr_assert(!memcmp(b, data + pos, (size_t)flen), "segment %d", i);
		free(b);
		pos += flen;
	}
	cr_assert_eq(pos, off + len);
	int fd;
	int64_t foff, flen;
	cr_assert_eq(obj_get_seg(g, off, len, n, &fd, &foff, &flen), AIS_EINVAL);
}

Test(obj_core, sendfile_segments)
{
	obj_why_t why;
	obj_get_t g;
	/* monolithic: one segment, the object file itself */
	obj_t m;
	init_obj(&m, "b", "segs/mono");
	size_t mlen = 40000;
	unsigned char *md = rnd(mlen, 11);
	put_ok(&m, md, mlen, -1, NULL);
	cr_assert_eq(obj_get_open(&g, &m, OBJ_GET_QUIET, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	assert_segs(&g, md, 0, (int64_t)mlen, 1);
	assert_segs(&g, md, 123, 4567, 1);
	cr_assert_eq(obj_get_nsegs(&g, 0, 0), AIS_EINVAL);
	cr_assert_eq(obj_get_nsegs(&g, 1, (int64_t)mlen), AIS_EINVAL);
	obj_get_close(&g);
	/* chunked: one segment per chunk touched, the first and last ones partial */
	obj_t c;
	init_obj(&c, "b", "segs/chunked");
	size_t clen = 5 * CHUNK + 999;
	unsigned char *cd = rnd(clen, 12);
	put_ok(&c, cd, clen, (int64_t)clen, NULL);
	cr_assert_eq(obj_get_open(&g, &c, OBJ_GET_QUIET, &why), 0);
	cr_assert(g.chunked);
	cr_assert_eq(obj_get_nsegs(&g, 0, (int64_t)clen), AIS_EINVAL, "not prepared: no manifest yet");
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	assert_segs(&g, cd, 0, (int64_t)clen, 6);
	assert_segs(&g, cd, CHUNK - 10, 20, 2);
	assert_segs(&g, cd, CHUNK, CHUNK, 1);
	assert_segs(&g, cd, 100, 3 * CHUNK, 4);
	assert_segs(&g, cd, (int64_t)clen - 1, 1, 1);
	/* a chunk file changed on disk: its segment is refused, never wrong bytes */
	cr_assert_eq(truncate(g.u.chunks[3].path, CHUNK - 1), 0);
	int fd;
	int64_t foff, flen;
	cr_assert_eq(obj_get_seg(&g, 0, (int64_t)clen, 3, &fd, &foff, &flen), AIS_EIO);
	obj_get_close(&g);
	free(md);
	free(cd);
	obj_fini(&m);
	obj_fini(&c);
}

/* ---- moves: write time, commit condition, misplaced copies, relocation, the walk */

static int cond_no_newer(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)o;
	int *calls = arg;
	(*calls)++;
	return prev && prev->mtime >= md->mtime ? AIS_EEXIST : 0;
}

Test(obj_core, mtime_kept_and_commit_condition)
{
	obj_t o;
	init_obj(&o, "b", "cond/x");
	lom_md_t md;
	put_ok(&o, "new", 3, -1, &md);
	cr_assert_gt(md.mtime, 0);
	cr_assert_eq(md.mtime, md.atime, "a PUT writes now");
	int64_t t_new = md.mtime;
	lom_md_fini(&md);
	/* an older copy (keep_mtime) refused by the condition: nothing replaced, no work file left */
	int calls = 0;
	obj_put_opts_t opt = {.size_hint = -1, .keep_mtime = true, .keep_version = true, .cond = cond_no_newer,
			      .cond_arg = &calls, .acct = OBJ_ACCT_NONE};
	obj_put_t *w;
	obj_why_t why;
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	obj_put_md(w)->mtime = t_new - 1000;
	cr_assert_eq(obj_put_write(w, "old", 3), 0);
	obj_put_res_t res;
	cr_assert_eq(obj_put_commit(w, &res, &why), AIS_EEXIST);
	cr_assert_eq(why, OBJ_WHY_COND);
	lom_md_fini(&res.md);
	cr_assert_eq(calls, 1);
	assert_content(&o, (const unsigned char *)"new", 3);
	cr_assert_eq(count_files("%wk"), 0);
	/* a newer one passes and keeps its write time */
	cr_assert_eq(obj_put_begin(&o, &opt, &w, &why), 0);
	obj_put_md(w)->mtime = t_new + 1000;
	cr_assert_eq(obj_put_write(w, "newer", 5), 0);
	cr_assert_eq(obj_put_commit(w, &res, &why), 0);
	cr_assert_eq(res.md.mtime, t_new + 1000);
	lom_md_fini(&res.md);
	lom_md_t cur;
	lom_md_init(&cur);
	cr_assert_eq(obj_load(&o, -1, &cur), 0);
	cr_assert_eq(cur.mtime, t_new + 1000);
	cr_assert_neq(cur.mtime, cur.atime);
	lom_md_fini(&cur);
	assert_content(&o, (const unsigned char *)"newer", 5);
	obj_fini(&o);
}

/* the object at o moved to mountpath mpi by hand (as a resilver would find it) */
static void misplace(const obj_t *o, int mpi, obj_t *at)
{
	cr_assert_eq(obj_place_on(at, o, mpi), 0);
	fsops_mkdir_parent(at->fqn);
	cr_assert_eq(rename(o->fqn, at->fqn), 0);
}

static int other_mpi(const obj_t *o) { return (o->mpi + 1) % fs_count(); }

Test(obj_core, misplaced_found_deleted_and_relocated)
{
	obj_t o, at;
	init_obj(&o, "b", "mis/x");
	unsigned char *data = rnd(20000, 77);
	put_ok(&o, data, 20000, -1, NULL);
	misplace(&o, other_mpi(&o), &at);
	/* reads find it on another mountpath in use; o is not touched */
	obj_get_t g;
	obj_why_t why;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_not_null(g.alt);
	cr_assert_eq(g.o->mpi, at.mpi);
	obj_get_close(&g);
	assert_content(&o, data, 20000);
	/* relocation moves it home */
	int64_t bytes = 0;
	cr_assert_eq(obj_reloc_mpath(&at, &o, &bytes), OBJ_RELOC_MOVED);
	cr_assert_eq(bytes, 20000);
	cr_assert_eq(access(at.fqn, F_OK), -1);
	assert_content(&o, data, 20000);
	cr_assert_eq(obj_reloc_mpath(&at, &o, NULL), OBJ_RELOC_GONE);
	/* a stale misplaced copy vs a newer one at home: the stale one is dropped */
	lom_md_t md;
	put_ok(&o, "v1", 2, -1, &md);
	lom_md_fini(&md);
	cr_assert_eq(obj_place_on(&at, &o, other_mpi(&o)), 0);
	fsops_mkdir_parent(at.fqn);
	char cmd[2 * FQN_MAX + 64];
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", o.fqn, at.fqn); /* (cp -a keeps the LOM xattr) */
	cr_assert_eq(system(cmd), 0);
	usleep(1000);
	put_ok(&o, "v2", 2, -1, NULL);
	cr_assert_eq(obj_reloc_mpath(&at, &o, NULL), OBJ_RELOC_DROPPED);
	cr_assert_eq(access(at.fqn, F_OK), -1);
	assert_content(&o, (const unsigned char *)"v2", 2);
	/* a delete takes misplaced copies too (a resilver must not bring them back) */
	misplace(&o, other_mpi(&o), &at);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", at.fqn, o.fqn); /* one at home and one elsewhere */
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(obj_delete(&o, &why), 0);
	cr_assert_eq(access(o.fqn, F_OK), -1);
	cr_assert_eq(access(at.fqn, F_OK), -1);
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	free(data);
	obj_fini(&o);
}

Test(obj_core, reloc_drop_only_the_version_sent)
{
	obj_t o;
	init_obj(&o, "b", "drop/x");
	lom_md_t sent, cur;
	put_ok(&o, "one", 3, -1, &sent);
	usleep(1000);
	put_ok(&o, "two", 3, -1, NULL); /* written after it was "sent" */
	cr_assert_eq(obj_reloc_drop(&o, &sent), OBJ_RELOC_CHANGED);
	assert_content(&o, (const unsigned char *)"two", 3);
	lom_md_init(&cur);
	cr_assert_eq(obj_load(&o, -1, &cur), 0);
	cr_assert(!obj_reloc_same(&cur, &sent));
	cr_assert_eq(obj_reloc_drop(&o, &cur), 0);
	obj_why_t why;
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	cr_assert_eq(obj_reloc_drop(&o, &cur), OBJ_RELOC_GONE);
	lom_md_fini(&sent);
	lom_md_fini(&cur);
	obj_fini(&o);
}

static int walk_count(void *arg, const char *name, size_t nlen, const char *fqn)
{
	int *n = arg;
	cr_assert_eq(strlen(name), nlen);
	cr_assert(strstr(fqn, "/%ob/") != NULL);
	(*n)++;
	return 0;
}

Test(obj_core, walk_every_object_once)
{
	obj_t o;
	char name[64];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "w/%d/obj-%d", i % 3, i);
		init_obj(&o, "b", name);
		put_ok(&o, "x", 1, -1, NULL);
		obj_fini(&o);
	}
	char *lname = malloc(400);
	memset(lname, 'L', 399); /* a component > 255: stored under a short name */
	lname[399] = '\0';
	init_obj(&o, "b", lname);
	put_ok(&o, "x", 1, -1, NULL);
	obj_fini(&o);
	free(lname);
	bmd_t *m = bmd_get();
	const bck_t *b = bmd_find(m, "ais", "", "b");
	int n = 0;
	for (int i = 0; i < fs_count(); i++)
		cr_assert_eq(obj_walk(b, i, walk_count, &n), 0);
	cr_assert_eq(n, 21);
	bmd_put(m);
}
