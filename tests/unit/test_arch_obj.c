/* unit tests: archive/arch_obj.c and arch_apnd.c over the object core (temp mountpaths, a BMD
 * with a bucket and ais://.sys-shardidx): finding a file in a shard by scan and, once indexed,
 * without parsing a single TAR header (even with the shard's other headers destroyed on disk);
 * the index is never used once the shard is rewritten (flag gone, index object dropped by the
 * core's hook) or appended to; appends: in place when nobody has the shard open (same inode,
 * checksum "none"), rewritten when a reader holds it (new inode), TGZ always rewritten; a body of
 * the wrong length or a corrupt shard changes nothing. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/arch_apnd.h"
#include "archive/arch_idx.h"
#include "archive/arch_obj.h"
#include "archive/arch_wr.h"
#include "cluster/bmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/sbuf.h"
#include "fs/fs.h"
#include "obj/lom.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "obj/obj_put.h"

static char base[64];

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/test_arch_obj_XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	char p[128], l[128], js[512], err[256];
	snprintf(p, sizeof(p), "%s/cluster.json", base);
	const char *cj = "{\"checksum\": {\"type\": \"xxhash2\"}}";
	cr_assert_eq(fsops_write_atomic(p, cj, strlen(cj)), 0);
	snprintf(l, sizeof(l), "%s/local.json", base);
	snprintf(js, sizeof(js), "{\"confdir\": \"%s\", \"log_dir\": \"%s\", \"host_net\": {\"port\": \"8081\"}}", base, base);
	cr_assert_eq(fsops_write_atomic(l, js, strlen(js)), 0);
	cr_assert_eq(config_load(p, l, err, sizeof(err)), 0, "%s", err);
	fs_reset();
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/mp%d", base, i);
		if (fs_add(p, err, sizeof(err)) && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
	}
	bmd_t *m = bmd_new();
	cr_assert_eq(bmd_add(m, "ais", "", "b", NULL), 0);
	cr_assert_eq(bmd_add(m, "ais", "", BCK_SYS_SHARDIDX, NULL), 0);
	m->version = 1;
	cr_assert_eq(bmd_install(m, true), 1);
	arch_obj_init();
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	cr_assert_eq(system(cmd), 0);
	fs_reset();
}

TestSuite(arch_obj, .init = setup, .fini = teardown);

static int mem_sink(void *arg, const void *buf, size_t len) { return sbuf_add(arg, buf, len) ? AIS_ENOMEM : 0; }

/* n files "f<i>" of 1000 + i bytes (byte value i) */
static void make_tar(sbuf_t *out, arch_fmt_t f, int n)
{
	arch_sink_t s = {.write = mem_sink, .arg = out};
	arch_wr_t *w;
	char data[2000], name[32];
	cr_assert_eq(arch_wr_new(&w, f, &s), 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		memset(data, i, sizeof(data));
		cr_assert_eq(arch_wr_begin(w, name, 1000 + i, 0), 0);
		cr_assert_eq(arch_wr_data(w, data, (size_t)(1000 + i)), 0);
	}
	cr_assert_eq(arch_wr_close(w), 0);
	arch_wr_free(w);
}

static void put_obj(obj_t *o, const char *name, const void *data, size_t len)
{
	obj_why_t why;
	cr_assert_eq(obj_init(o, "ais", "", "b", name, &why), 0);
	obj_put_opts_t opt = {.size_hint = (int64_t)len, .acct = OBJ_ACCT_NONE};
	obj_put_t *w;
	obj_put_res_t res;
	cr_assert_eq(obj_put_begin(o, &opt, &w, &why), 0);
	cr_assert_eq(obj_put_write(w, data, len), 0);
	cr_assert_eq(obj_put_commit(w, &res, &why), 0);
	lom_md_fini(&res.md);
}

static void open_get(obj_get_t *g, const obj_t *o)
{
	obj_why_t why;
	cr_assert_eq(obj_get_open(g, o, OBJ_GET_QUIET, &why), 0);
}

/* find f<i> and check its bytes; *indexed reports how */
static void check_file(const obj_t *o, int i, bool *indexed)
{
	obj_get_t g;
	arch_loc_t loc;
	char err[256], name[32];
	open_get(&g, o);
	snprintf(name, sizeof(name), "f%d", i);
	cr_assert_eq(arch_obj_find(&g, ARCH_TAR, name, &loc, err, sizeof(err)), 0, "%s: %s", name, err);
	cr_assert_eq(loc.size, 1000 + i);
	unsigned char buf[2000];
	cr_assert_eq(obj_get_pread(&g, buf, (size_t)loc.size, loc.data_off), loc.size);
	for (int k = 0; k < loc.size; k++)
		cr_assert_eq(buf[k], (unsigned char)i);
	*indexed = loc.indexed;
	arch_loc_fini(&loc);
	obj_get_close(&g);
}

static void build_index(const obj_t *o)
{
	obj_get_t g;
	arch_rd_t *rd;
	arch_idx_t idx;
	char err[256];
	open_get(&g, o);
	cr_assert_eq(arch_obj_rd(&g, ARCH_TAR, &rd, err, sizeof(err)), 0);
	cr_assert_eq(arch_idx_build(rd, cksum_type_str(g.md.cktype), g.md.ckval, g.size, &idx, err, sizeof(err)), 0);
	arch_rd_close(rd);
	obj_get_close(&g);
	cr_assert_eq(arch_obj_idx_save(o, &idx, err, sizeof(err)), 0, "%s", err);
	arch_idx_fini(&idx);
}

static bool idx_object_exists(const obj_t *o)
{
	char name[1024];
	obj_t io;
	cr_assert_gt(arch_obj_idx_name(o->bck, o->oname, name, sizeof(name)), 0);
	cr_assert_eq(obj_init(&io, "ais", "", BCK_SYS_SHARDIDX, name, NULL), 0);
	bool ok = access(io.fqn, F_OK) == 0;
	obj_fini(&io);
	return ok;
}

Test(arch_obj, index_lookup_parses_no_header)
{
	sbuf_t t = SBUF_INIT;
	make_tar(&t, ARCH_TAR, 50);
	obj_t o;
	put_obj(&o, "s.tar", t.p, t.len);
	bool indexed;
	uint64_t h0 = arch_rd_hdrs_total();
	check_file(&o, 49, &indexed);
	cr_assert(!indexed);
	cr_assert_geq(arch_rd_hdrs_total() - h0, 50); /* the scan read every header up to f49 */
	build_index(&o);
	cr_assert(idx_object_exists(&o));
	/* destroy every header but keep the data: only the index can find the files now */
	int fd = open(o.fqn, O_WRONLY);
	char junk[512];
	memset(junk, 0xee, sizeof(junk));
	off_t hoff = 0;
	for (int i = 0; i < 50; i++) { /* each: its header, then 1000 + i bytes padded to 512 */
		cr_assert_eq(pwrite(fd, junk, sizeof(junk), hoff), 512);
		hoff += 512 + ((1000 + i + 511) / 512) * 512;
	}
	close(fd);
	h0 = arch_rd_hdrs_total();
	for (int i = 0; i < 50; i += 7) {
		check_file(&o, i, &indexed);
		cr_assert(indexed, "f%d not found through the index", i);
	}
	cr_assert_eq(arch_rd_hdrs_total(), h0, "an indexed lookup parsed TAR headers");
	/* a name the index lacks goes to the scan, which meets the damage */
	obj_get_t g;
	arch_loc_t loc;
	char err[256];
	open_get(&g, &o);
	cr_assert_eq(arch_obj_find(&g, ARCH_TAR, "nope", &loc, err, sizeof(err)), AIS_EINVAL);
	obj_get_close(&g);
	obj_fini(&o);
	sbuf_fini(&t);
}

Test(arch_obj, stale_after_rewrite_and_dropped_with_shard)
{
	sbuf_t t = SBUF_INIT, u = SBUF_INIT;
	make_tar(&t, ARCH_TAR, 10);
	make_tar(&u, ARCH_TAR, 12);
	obj_t o;
	put_obj(&o, "r.tar", t.p, t.len);
	build_index(&o);
	obj_get_t g;
	open_get(&g, &o);
	cr_assert(g.md.flags & LOM_FL_SHARDIDX);
	obj_get_close(&g);
	/* a new version: the LOM has no flag and the core's hook dropped the index object */
	obj_t o2;
	put_obj(&o2, "r.tar", u.p, u.len);
	open_get(&g, &o2);
	cr_assert(!(g.md.flags & LOM_FL_SHARDIDX));
	arch_idx_t idx;
	char err[256];
	cr_assert_eq(arch_obj_idx_load(&g, &idx, err, sizeof(err)), AIS_ENOTFOUND);
	obj_get_close(&g);
	cr_assert(!idx_object_exists(&o2));
	bool indexed;
	check_file(&o2, 11, &indexed);
	cr_assert(!indexed);
	/* indexed again, then deleted: the index goes with it */
	build_index(&o2);
	cr_assert(idx_object_exists(&o2));
	obj_why_t why;
	cr_assert_eq(obj_delete(&o2, &why), 0);
	cr_assert(!idx_object_exists(&o2));
	obj_fini(&o);
	obj_fini(&o2);
	sbuf_fini(&t);
	sbuf_fini(&u);
}

typedef struct body {
	const char *p;
	size_t len, off;
} body_t;

static ssize_t body_read(void *arg, void *buf, size_t n)
{
	body_t *b = arg;
	size_t k = b->len - b->off < n ? b->len - b->off : n;
	memcpy(buf, b->p + b->off, k);
	b->off += k;
	return (ssize_t)k;
}

static int append(obj_t *o, const char *name, const char *data, int64_t size, int flags, arch_apnd_res_t *res)
{
	body_t b = {data, strlen(data), 0};
	arch_apnd_args_t a = {.o = o, .name = name, .size = size, .flags = flags, .read = body_read, .read_arg = &b};
	obj_why_t why;
	char err[256];
	return arch_apnd(&a, res, &why, err, sizeof(err));
}

static ino_t inode_of(const obj_t *o)
{
	struct stat st;
	cr_assert_eq(stat(o->fqn, &st), 0);
	return st.st_ino;
}

Test(arch_obj, append_in_place_or_rewritten)
{
	sbuf_t t = SBUF_INIT;
	make_tar(&t, ARCH_TAR, 5);
	obj_t o;
	put_obj(&o, "a.tar", t.p, t.len);
	build_index(&o);
	arch_apnd_res_t res;
	ino_t ino = inode_of(&o);
	cr_assert_eq(append(&o, "new1", "hello", 5, ARCH_APND_ONLY, &res), 0);
	cr_assert(res.in_place && !res.created);
	cr_assert_eq(inode_of(&o), ino);
	obj_get_t g;
	open_get(&g, &o);
	cr_assert(!(g.md.flags & LOM_FL_SHARDIDX));
	cr_assert_eq(g.md.cktype, CKSUM_NONE);
	obj_get_close(&g);
	cr_assert(!idx_object_exists(&o));
	/* a reader holds the shard: no lease, so the append rewrites it (a new file) */
	int rfd = open(o.fqn, O_RDONLY);
	cr_assert_eq(append(&o, "new2", "world!", 6, ARCH_APND_ONLY, &res), 0);
	cr_assert(!res.in_place);
	cr_assert_neq(inode_of(&o), ino);
	close(rfd);
	/* every file is there, in order */
	open_get(&g, &o);
	arch_rd_t *rd;
	char err[256];
	cr_assert_eq(arch_obj_rd(&g, ARCH_TAR, &rd, err, sizeof(err)), 0);
	const char *want[] = {"f0", "f1", "f2", "f3", "f4", "new1", "new2"};
	arch_ent_t e;
	for (int i = 0; i < 7; i++) {
		cr_assert_eq(arch_rd_next(rd, &e), 1);
		cr_assert_str_eq(e.name, want[i]);
	}
	cr_assert_eq(arch_rd_next(rd, &e), 0);
	arch_rd_close(rd);
	obj_get_close(&g);
	/* wrong body length, missing shard, corrupt shard: refused, nothing changes */
	int64_t size_before = 0;
	open_get(&g, &o);
	size_before = g.size;
	obj_get_close(&g);
	cr_assert_eq(append(&o, "x", "short", 10, ARCH_APND_ONLY, &res), AIS_EINVAL);
	cr_assert_eq(append(&o, "x", "longer", 3, ARCH_APND_ONLY, &res), AIS_EINVAL);
	open_get(&g, &o);
	cr_assert_eq(g.size, size_before);
	obj_get_close(&g);
	obj_t none;
	obj_why_t why;
	cr_assert_eq(obj_init(&none, "ais", "", "b", "none.tar", &why), 0);
	cr_assert_eq(append(&none, "x", "x", 1, ARCH_APND_ONLY, &res), AIS_ENOTFOUND);
	cr_assert_eq(append(&none, "x", "x", 1, ARCH_APND_OR_PUT, &res), 0);
	cr_assert(res.created);
	obj_t bad;
	put_obj(&bad, "bad.tar", "not a tar at all, really not", 28);
	cr_assert_eq(append(&bad, "x", "x", 1, ARCH_APND_ONLY, &res), AIS_EINVAL);
	obj_fini(&bad);
	obj_fini(&none);
	obj_fini(&o);
	sbuf_fini(&t);
}

Test(arch_obj, append_tgz_rewrites)
{
	sbuf_t t = SBUF_INIT;
	make_tar(&t, ARCH_TGZ, 3);
	obj_t o;
	put_obj(&o, "z.tgz", t.p, t.len);
	arch_apnd_res_t res;
	cr_assert_eq(append(&o, "more", "data!", 5, ARCH_APND_ONLY, &res), 0);
	cr_assert(!res.in_place && !res.created);
	obj_get_t g;
	open_get(&g, &o);
	cr_assert_neq(g.md.cktype, CKSUM_NONE); /* rewritten: a real checksum */
	arch_rd_t *rd;
	char err[256];
	cr_assert_eq(arch_obj_rd(&g, ARCH_TGZ, &rd, err, sizeof(err)), 0);
	arch_ent_t e;
	int n = 0;
	while (arch_rd_next(rd, &e) == 1)
		n++;
	cr_assert_eq(n, 4);
	arch_rd_close(rd);
	obj_get_close(&g);
	obj_fini(&o);
	sbuf_fini(&t);
}
