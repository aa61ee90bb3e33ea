/* mpu + chunk: the multipart core against real mountpaths in a temp dir (no HTTP): parts out of
 * order with a duplicate, native completion rules, S3 rules (order, subset, ETag check, minimum
 * size), read back across chunks, abort removing everything, reload after "restart". */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "obj/chunk.h"
#include "fs/fs.h"
#include "obj/mpu.h"

static char base[64];
static bck_t bck;

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/test_mpu_XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	fs_reset();
	char p[128], err[256];
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/mp%d", base, i);
		if (fs_add(p, err, sizeof(err)) && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
	}
	memset(&bck, 0, sizeof(bck));
	snprintf(bck.provider, sizeof(bck.provider), "ais");
	snprintf(bck.name, sizeof(bck.name), "b");
	bck.bid = 42;
	bck.cksum_type = CKSUM_XXHASH2;
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	cr_assert_eq(system(cmd), 0);
	fs_reset();
}

static void put(const obj_t *o, const char *id, int num, const void *data, size_t len, mpu_part_info_t *info)
{
	mpu_part_t *p;
	mpu_why_t why;
	cr_assert_eq(mpu_part_begin(o, id, num, "CRC32C", 0, &p, &why), 0);
	cr_assert_eq(mpu_part_write(p, data, len), 0);
	cr_assert_eq(mpu_part_end(p, true, NULL, info, &why), 0);
}

/* read the whole committed object through the chunk reader */
static unsigned char *read_all(const obj_t *o, int64_t *size)
{
	int fd = open(o->fqn, O_RDONLY);
	cr_assert_geq(fd, 0);
	lom_md_t md;
	lom_md_init(&md);
	cr_assert_eq(obj_load(o, fd, &md), 0);
	cr_assert(md.flags & LOM_FL_CHUNKED);
	ufest_t u;
	ufest_init(&u);
	cr_assert_eq(chunk_load(o, &md, &u), 0);
	unsigned char *b = malloc((size_t)u.size + 1);
	chunk_rd_t r;
	chunk_rd_init(&r, &u, fd);
	int64_t pos = 0;
	while (pos < u.size) {
		ssize_t n = chunk_rd_pread(&r, b + pos, 7777, pos); /* odd size: crosses boundaries */
		cr_assert_gt(n, 0);
		pos += n;
	}
	cr_assert_eq(chunk_rd_pread(&r, b, 10, pos), 0);
	*size = u.size;
	chunk_rd_fini(&r);
	ufest_fini(&u);
	lom_md_fini(&md);
	close(fd);
	return b;
}

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

TestSuite(mpu, .init = setup, .fini = teardown);

Test(mpu, native_out_of_order_duplicates)
{
	obj_t o;
	memset(&o, 0, sizeof(o));
	cr_assert_eq(obj_place(&o, &bck, "d/obj"), 0);
	char id[UFEST_ID_MAX];
	cr_assert_eq(mpu_init(&o, NULL, 0, id, sizeof(id)), 0);
	static unsigned char parts[5][20000];
	for (int i = 0; i < 5; i++)
		memset(parts[i], 'a' + i, sizeof(parts[i]));
	mpu_part_info_t info;
	int order[] = {4, 2, 5, 1, 3};
	put(&o, id, 3, "stale", 5, &info);
	for (int i = 0; i < 5; i++)
		put(&o, id, order[i], parts[order[i] - 1], sizeof(parts[0]), &info);
	cr_assert_eq(info.num, 3);
	cr_assert_str_eq(info.xck_type, "CRC32C");
	mpu_cpart_t cp[5];
	lom_md_t md;
	lom_md_init(&md);
	char etag[64];
	mpu_why_t why;
	for (int i = 0; i < 4; i++)
		cp[i].num = i + 1, cp[i].etag = NULL;
	cr_assert_eq(mpu_complete(&o, id, cp, 4, 0, NULL, NULL, &md, etag, sizeof(etag), &why), AIS_EINVAL);
	cr_assert_eq(why, MPU_WHY_PARTIAL);
	for (int i = 0; i < 5; i++)
		cp[i].num = 5 - i;
	cr_assert_eq(mpu_complete(&o, id, cp, 5, 0, NULL, NULL, &md, etag, sizeof(etag), &why), 0);
	cr_assert_eq(md.size, 5 * 20000);
	cr_assert_eq(md.cktype, CKSUM_CRC32C);
	int64_t size;
	unsigned char *b = read_all(&o, &size);
	cr_assert_eq(size, 100000);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(memcmp(b + i * 20000, parts[i], 20000), 0);
	char hex[CKSUM_MAX_HEX];
	cksum_buf(CKSUM_CRC32C, b, 100000, hex);
	cr_assert_str_eq(hex, md.ckval);
	free(b);
	cr_assert_eq(count_files("%ch"), 4);
	cr_assert_eq(count_files("%ut"), 1);
	cr_assert_eq(mpu_abort(&o, id, &why), AIS_ENOTFOUND);
	cr_assert_eq(why, MPU_WHY_NO_SUCH_UPLOAD);
	lom_md_fini(&md);
}

Test(mpu, s3_rules_abort_reload)
{
	obj_t o;
	memset(&o, 0, sizeof(o));
	cr_assert_eq(obj_place(&o, &bck, "s3obj"), 0);
	char id[UFEST_ID_MAX];
	cr_assert_eq(mpu_init(&o, "meta", 4, id, sizeof(id)), 0);
	size_t big = MPU_S3_MIN_PART;
	unsigned char *d = malloc(big);
	memset(d, 'x', big);
	mpu_part_info_t i1, i2, i3;
	put(&o, id, 1, d, 100, &i1); /* too small unless last */
	put(&o, id, 2, d, big, &i2);
	put(&o, id, 3, d, 10, &i3);
	/* "restart": forget the in-memory state; the next call reloads the checkpointed manifest */
	mpu_forget(id);
	ufest_t u;
	ufest_init(&u);
	mpu_why_t why;
	/* checkpoint_every is 0 without a config: only the init state was persisted */
	cr_assert_eq(mpu_get(&o, id, &u, &why), 0);
	cr_assert_eq(u.count, 0);
	cr_assert_eq(u.meta_len, 4);
	ufest_fini(&u);
	put(&o, id, 1, d, 100, &i1);
	put(&o, id, 2, d, big, &i2);
	put(&o, id, 3, d, 10, &i3);
	lom_md_t md;
	lom_md_init(&md);
	char etag[64];
	mpu_cpart_t cp[3] = {{2, NULL}, {1, NULL}, {3, NULL}};
	cr_assert_eq(mpu_complete(&o, id, cp, 3, MPU_C_S3, NULL, NULL, &md, etag, sizeof(etag), &why), AIS_EINVAL);
	cr_assert_eq(why, MPU_WHY_INVALID_ORDER);
	mpu_cpart_t cp2[2] = {{1, NULL}, {3, NULL}};
	cr_assert_eq(mpu_complete(&o, id, cp2, 2, MPU_C_S3, NULL, NULL, &md, etag, sizeof(etag), &why), AIS_EINVAL);
	cr_assert_eq(why, MPU_WHY_TOO_SMALL);
	mpu_cpart_t cp3[2] = {{2, "\"0000\""}, {3, NULL}};
	cr_assert_eq(mpu_complete(&o, id, cp3, 2, MPU_C_S3, NULL, NULL, &md, etag, sizeof(etag), &why), AIS_EINVAL);
	cr_assert_eq(why, MPU_WHY_INVALID_PART);
	char q[64];
	snprintf(q, sizeof(q), "\"%s\"", i2.etag);
	mpu_cpart_t cp4[2] = {{2, q}, {3, i3.etag}};
	/* subset: part 1 is dropped */
	cr_assert_eq(mpu_complete(&o, id, cp4, 2, MPU_C_S3, NULL, NULL, &md, etag, sizeof(etag), &why), 0);
	cr_assert_eq(md.size, (int64_t)big + 10);
	cr_assert(strstr(etag, "-2") != NULL);
	cr_assert_not_null(lom_md_custom_get(&md, "ETag"));
	lom_md_fini(&md);
	cr_assert_eq(count_files("%ch"), 1);
	/* abort of another upload removes all its files */
	cr_assert_eq(mpu_init(&o, NULL, 0, id, sizeof(id)), 0);
	put(&o, id, 1, d, 1000, &i1);
	put(&o, id, 7, d, 1000, &i1);
	cr_assert_eq(count_files("%ch"), 3);
	cr_assert_eq(mpu_abort(&o, id, &why), 0);
	cr_assert_eq(count_files("%ch"), 1);
	cr_assert_eq(count_files("%ut"), 1);
	mpu_part_t *p;
	cr_assert_eq(mpu_part_begin(&o, id, 1, NULL, 0, &p, &why), AIS_ENOTFOUND);
	free(d);
}

Test(mpu, auto_chunk_writer)
{
	obj_t o;
	memset(&o, 0, sizeof(o));
	cr_assert_eq(obj_place(&o, &bck, "auto"), 0);
	chunk_w_t *w;
	cr_assert_eq(chunk_w_open(&o, 4096, &w), 0);
	unsigned char d[10000];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (unsigned char)(i * 7);
	cr_assert_eq(chunk_w_write(w, d, 3000), 0);
	cr_assert_eq(chunk_w_write(w, d + 3000, 7000), 0);
	lom_md_t md;
	lom_md_init(&md);
	cr_assert_eq(chunk_w_commit(w, &md, false), 0);
	int64_t size;
	unsigned char *b = read_all(&o, &size);
	cr_assert_eq(size, 10000);
	cr_assert_eq(memcmp(b, d, 10000), 0);
	free(b);
	cr_assert_eq(count_files("%ch"), 2); /* 3 chunks: 1 in %ob */
	/* drop removes chunks 2..N and the manifest */
	int fd = open(o.fqn, O_RDONLY);
	lom_md_t cur;
	lom_md_init(&cur);
	cr_assert_eq(obj_load(&o, fd, &cur), 0);
	close(fd);
	chunk_drop(&o, &cur);
	cr_assert_eq(count_files("%ch"), 0);
	cr_assert_eq(count_files("%ut"), 0);
	lom_md_fini(&cur);
	lom_md_fini(&md);
}
