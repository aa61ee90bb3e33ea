/* objfix.h: the shared fixture of the object-core unit tests (test_obj_core, test_mirror,
 * test_obj_ver): a temp dir `base` with a cluster config (xxhash2 checksums, versioning on,
 * objects above 64 KiB chunked in 16 KiB pieces), NMP mountpaths and a BMD of the given buckets
 * (name + props JSON or NULL), and helpers that PUT and GET through the object core. Header-only
 * (static): one test binary includes it once. */
#ifndef AIS_TEST_OBJFIX_H
#define AIS_TEST_OBJFIX_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "core/config.h"
#include "core/fsops.h"
#include "fs/fs.h"
#include "obj/obj.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "stats/stats.h"

typedef struct objfix_bck {
	const char *name;
	const char *props; /* JSON or NULL */
} objfix_bck_t;

static char base[64];

static inline void write_file(const char *path, const char *s)
{
	cr_assert_eq(fsops_write_atomic(path, s, strlen(s)), 0);
}

/* under /tmp/<tag>_XXXXXX; skips the test where the filesystem has no user xattrs */
static inline void objfix_setup(const char *tag, int nmp, const objfix_bck_t *bcks, int nbcks)
{
	snprintf(base, sizeof(base), "/tmp/%s_XXXXXX", tag);
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
	for (int i = 0; i < nmp; i++) {
		snprintf(p, sizeof(p), "%s/mp%d", base, i);
		if (fs_add(p, err, sizeof(err)) && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
	}
	bmd_t *m = bmd_new();
	cr_assert_not_null(m);
	for (int i = 0; i < nbcks; i++) {
		json_t *pr = bcks[i].props ? json_loads(bcks[i].props, 0, NULL) : NULL;
		cr_assert(!bcks[i].props || pr, "bad props %s", bcks[i].props);
		cr_assert_eq(bmd_add(m, "ais", "", bcks[i].name, pr), 0);
		json_decref(pr);
	}
	m->version = 1;
	cr_assert_eq(bmd_install(m, true), 1);
	stats_reset();
}

static inline void objfix_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	cr_assert_eq(system(cmd), 0);
	fs_reset();
}

#ifndef OBJFIX_SETUP_ONLY /* the PUT/GET helpers */
static inline unsigned char *rnd(size_t n, unsigned seed)
{
	unsigned char *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
	return b;
}

static inline void init_obj(obj_t *o, const char *bck, const char *name)
{
	obj_why_t why;
	cr_assert_eq(obj_init(o, "ais", "", bck, name, &why), 0);
	cr_assert_eq(why, OBJ_WHY_NONE);
}

/* PUT data through the writer in odd-sized pieces; returns the commit's rc (res filled) */
static inline int put_opts(const obj_t *o, const void *data, size_t len, obj_put_opts_t *opt, obj_put_res_t *res,
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

static inline void put_ok(const obj_t *o, const void *data, size_t len, int64_t hint, lom_md_t *md_out)
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
static inline unsigned char *get_all(const obj_t *o, int64_t *size)
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

static inline void assert_content(const obj_t *o, const unsigned char *want, size_t len)
{
	int64_t n;
	unsigned char *b = get_all(o, &n);
	cr_assert_eq(n, (int64_t)len);
	cr_assert(!memcmp(b, want, len));
	free(b);
}

static inline int open_rc(const obj_t *o, int flags, obj_why_t *why)
{
	obj_get_t g;
	int rc = obj_get_open(&g, o, flags, why);
	obj_get_close(&g);
	return rc;
}

static inline void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, off), 1);
	c ^= 0xFF;
	cr_assert_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
}
#endif

#endif
