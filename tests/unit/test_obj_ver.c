/* obj_ver (retained object versions under %ov) without HTTP: temp mountpaths and a BMD; the
 * layout (hashed per-object directory, independent of the name's shape), retaining a monolithic
 * current object (hard link, its own LOM: version and name) and a chunked one (copied into one
 * file), the newest-first scan, empty versions (delete markers), removal with the now-empty
 * directories, promotion back into %ob (refused while a current object exists), and the walk. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "obj/obj_put.h"
#include "obj/obj_ver.h"
#define OBJFIX_SETUP_ONLY
#include "objfix.h"

#define CHUNK 16384

static const objfix_bck_t bcks[] = {{"b", NULL}};

static void setup(void) { objfix_setup("test_obj_ver", 2, bcks, 1); }

static void teardown(void) { objfix_teardown(); }

TestSuite(obj_ver, .init = setup, .fini = teardown);

static void init_obj(obj_t *o, const char *name)
{
	obj_why_t why;
	cr_assert_eq(obj_init(o, "ais", "", "b", name, &why), 0);
}

static void put(const obj_t *o, const void *data, size_t len, int64_t hint, lom_md_t *md)
{
	obj_put_opts_t opt = {.size_hint = hint};
	obj_put_t *w;
	obj_put_res_t res;
	obj_why_t why;
	cr_assert_eq(obj_put_begin(o, &opt, &w, &why), 0);
	cr_assert_eq(obj_put_write(w, data, len), 0);
	cr_assert_eq(obj_put_commit(w, &res, &why), 0, "why %s", obj_why_str(why));
	if (md)
		*md = res.md;
	else
		lom_md_fini(&res.md);
}

static char *read_all(const obj_t *o, int64_t *size)
{
	obj_get_t g;
	obj_why_t why;
	cr_assert_eq(obj_get_open(&g, o, OBJ_GET_QUIET, &why), 0, "why %s", obj_why_str(why));
	cr_assert_eq(obj_get_prepare(&g, &why), 0);
	char *b = malloc((size_t)g.size + 1);
	int64_t pos = 0;
	while (pos < g.size) {
		ssize_t n = obj_get_pread(&g, b + pos, 4096, pos);
		cr_assert_gt(n, 0);
		pos += n;
	}
	*size = g.size;
	obj_get_close(&g);
	return b;
}

Test(obj_ver, layout_is_hashed_per_object)
{
	obj_t a, ab;
	init_obj(&a, "x/y");
	init_obj(&ab, "x/y/z");
	obj_t va, vab;
	cr_assert_eq(obj_ver_view(&va, &a, 7), 0);
	cr_assert_eq(obj_ver_view(&vab, &ab, 7), 0);
	cr_assert_not_null(strstr(va.fqn, "/@ais/b/%ov/"));
	cr_assert_null(strstr(va.fqn, "x/y"), "the name never appears in the path: %s", va.fqn);
	/* <h2>/<64 hex>/<seq> */
	const char *p = strstr(va.fqn, "/%ov/") + 5;
	cr_assert_eq(strlen(p), 2 + 1 + 64 + 2);
	cr_assert(!strncmp(p, p + 3, 2));
	cr_assert_str_eq(p + 3 + 64, "/7");
	/* a name that is a prefix of another: separate directories, never nested */
	char da[FQN_MAX], dab[FQN_MAX];
	cr_assert_gt(obj_ver_dir(&a, a.mpi, da, sizeof(da)), 0);
	cr_assert_gt(obj_ver_dir(&ab, ab.mpi, dab, sizeof(dab)), 0);
	cr_assert_neq(strncmp(dab, da, strlen(da)), 0);
	cr_assert_null(va.bmd);
	cr_assert_eq(va.digest, a.digest);
	obj_fini(&a);
	obj_fini(&ab);
}

Test(obj_ver, retain_monolithic_links_and_scan)
{
	obj_t o;
	init_obj(&o, "dir/obj");
	lom_md_t md;
	put(&o, "first", 5, -1, &md);
	cr_assert_eq(obj_ver_retain(&o, &md, 3), 0);
	cr_assert_eq(obj_ver_retain(&o, &md, 3), AIS_EEXIST);
	obj_t v;
	cr_assert_eq(obj_ver_view(&v, &o, 3), 0);
	struct stat s1, s2;
	cr_assert_eq(stat(o.fqn, &s1), 0);
	cr_assert_eq(stat(v.fqn, &s2), 0);
	cr_assert_eq(s1.st_ino, s2.st_ino, "a hard link, not a copy");
	lom_md_t vm;
	lom_md_init(&vm);
	cr_assert_eq(lom_load(-1, v.fqn, &vm), 0);
	cr_assert_str_eq(vm.version, "3");
	cr_assert_str_eq(vm.name, "dir/obj");
	lom_md_fini(&vm);
	/* the current one replaced: the retained version keeps the old bytes */
	put(&o, "second!", 7, -1, NULL);
	int64_t n;
	char *b = read_all(&v, &n);
	cr_assert_eq(n, 5);
	cr_assert(!memcmp(b, "first", 5));
	free(b);
	lom_md_t cur;
	lom_md_init(&cur);
	cr_assert_eq(lom_load(-1, o.fqn, &cur), 0);
	cr_assert_eq(obj_ver_retain(&o, &cur, 11), 0);
	lom_md_fini(&cur);
	int64_t *seqs;
	int ns;
	cr_assert_eq(obj_ver_scan(&o, &seqs, &ns), 0);
	cr_assert_eq(ns, 2);
	cr_assert_eq(seqs[0], 11);
	cr_assert_eq(seqs[1], 3);
	free(seqs);
	lom_md_fini(&md);
	obj_fini(&o);
}

Test(obj_ver, retain_chunked_copies_into_one_file)
{
	obj_t o;
	init_obj(&o, "big");
	size_t len = 5 * CHUNK + 123;
	char *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 7 + 3);
	lom_md_t md;
	put(&o, data, len, (int64_t)len, &md);
	cr_assert(md.flags & LOM_FL_CHUNKED);
	cr_assert_eq(obj_ver_retain(&o, &md, 1), 0);
	obj_t v;
	cr_assert_eq(obj_ver_view(&v, &o, 1), 0);
	lom_md_t vm;
	lom_md_init(&vm);
	cr_assert_eq(lom_load(-1, v.fqn, &vm), 0);
	cr_assert_eq(vm.flags & LOM_FL_CHUNKED, 0);
	cr_assert_eq(vm.size, (int64_t)len);
	lom_md_fini(&vm);
	struct stat st;
	cr_assert_eq(stat(v.fqn, &st), 0);
	cr_assert_eq(st.st_size, (off_t)len);
	/* the chunked object deleted (its chunks with it): the version is intact */
	obj_why_t why;
	cr_assert_eq(obj_delete(&o, &why), 0);
	int64_t n;
	char *b = read_all(&v, &n);
	cr_assert_eq(n, (int64_t)len);
	cr_assert(!memcmp(b, data, len));
	free(b);
	free(data);
	lom_md_fini(&md);
	obj_fini(&o);
}

static int walk_cb(void *arg, const char *fqn)
{
	lom_md_t md;
	lom_md_init(&md);
	if (!lom_load(-1, fqn, &md) && md.name && !strcmp(md.name, "m/k"))
		(*(int *)arg)++;
	lom_md_fini(&md);
	return 0;
}

Test(obj_ver, empty_versions_remove_promote_walk)
{
	obj_t o;
	init_obj(&o, "m/k");
	lom_md_t md;
	put(&o, "data", 4, -1, &md);
	cr_assert_eq(obj_ver_retain(&o, &md, 1), 0);
	lom_md_t dm;
	lom_md_init(&dm);
	cr_assert_eq(lom_md_custom_set(&dm, "marker", "1"), 0);
	cr_assert_eq(obj_ver_put_empty(&o, 2, &dm), 0);
	cr_assert_eq(obj_ver_put_empty(&o, 2, &dm), AIS_EEXIST);
	lom_md_fini(&dm);
	int cnt = 0;
	cr_assert_eq(obj_ver_walk(o.bck, o.mpi, walk_cb, &cnt), 0);
	cr_assert_eq(cnt, 2);
	/* promotion is refused while a current object exists */
	cr_assert_eq(obj_ver_promote(&o, 1), AIS_EEXIST);
	obj_why_t why;
	cr_assert_eq(obj_delete(&o, &why), 0);
	cr_assert_eq(obj_ver_remove(&o, 2), 0);
	cr_assert_eq(obj_ver_remove(&o, 2), AIS_ENOTFOUND);
	cr_assert_eq(obj_ver_promote(&o, 1), 0);
	int64_t n;
	char *b = read_all(&o, &n);
	cr_assert_eq(n, 4);
	cr_assert(!memcmp(b, "data", 4));
	free(b);
	lom_md_t cur;
	lom_md_init(&cur);
	cr_assert_eq(lom_load(-1, o.fqn, &cur), 0);
	cr_assert_null(cur.name, "an ordinary object again");
	lom_md_fini(&cur);
	/* nothing left in %ov, directories included */
	char d[FQN_MAX];
	cr_assert_gt(obj_ver_dir(&o, o.mpi, d, sizeof(d)), 0);
	cr_assert_eq(access(d, F_OK), -1);
	int64_t *seqs;
	int ns;
	cr_assert_eq(obj_ver_scan(&o, &seqs, &ns), 0);
	cr_assert_eq(ns, 0);
	free(seqs);
	lom_md_fini(&md);
	obj_fini(&o);
}
