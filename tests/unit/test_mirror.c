/* n-way mirroring in the object core (obj/mirror.h) without HTTP: 4 temp mountpaths, bucket "m"
 * mirrored with 3 copies (validate_warm_get on) and "v" without redundancy. HRW choice of the
 * copies' mountpaths, copies written by every commit (monolithic and chunked), overwrite, GETs
 * healing a missing, corrupted, truncated main replica (and failing cleanly when every copy is
 * bad too), mirror_sync raising/lowering the count, delete removing every copy, and the bucket
 * props rules (AIStore's MirrorConf.ValidateAsProps and the proxy's enable-with-1-copy rule). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"
#include "fs/fs.h"
#include "obj/mirror.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "obj/obj_put.h"
#include "stats/stats.h"
#include "objfix.h"

static const objfix_bck_t bcks[] = {
	{"m", "{\"mirror\": {\"enabled\": true, \"copies\": 3}, \"checksum\": {\"validate_warm_get\": true}}"},
	{"v", "{\"checksum\": {\"validate_warm_get\": true}}"},
};

static void setup(void) { objfix_setup("test_mirror", 4, bcks, 2); }

static void teardown(void) { objfix_teardown(); }



TestSuite(mirror, .init = setup, .fini = teardown);

/* main + copies of o: count of files; each copy's mountpath differs from the main's */
static int replicas(const obj_t *o, int *on)
{
	char p[FQN_MAX];
	struct stat st;
	int n = stat(o->fqn, &st) == 0 ? 1 : 0;
	for (int i = 0; i < fs_count(); i++) {
		if (mirror_copy_path(o, i, p, sizeof(p)) || stat(p, &st))
			continue;
		cr_assert_neq(i, o->mpi, "a copy on the main replica's mountpath");
		if (on)
			on[n - 1 + (n ? 0 : 1)] = i;
		n++;
	}
	return n;
}

Test(mirror, targets_distinct_hrw)
{
	obj_t o;
	int t[MIRROR_MAX_COPIES], t2[MIRROR_MAX_COPIES], hist[4] = {0};
	for (int k = 0; k < 300; k++) {
		char name[32];
		snprintf(name, sizeof(name), "obj-%d", k);
		init_obj(&o, "m", name);
		cr_assert_eq(mirror_targets(&o, 1, t), 0);
		int n = mirror_targets(&o, 3, t);
		cr_assert_eq(n, 2);
		cr_assert_neq(t[0], t[1]);
		cr_assert(t[0] != o.mpi && t[1] != o.mpi);
		cr_assert_eq(mirror_targets(&o, 3, t2), 2);
		cr_assert(t2[0] == t[0] && t2[1] == t[1]); /* deterministic */
		cr_assert_eq(mirror_targets(&o, 32, t), 3); /* capped: every other mountpath */
		int n2 = mirror_targets(&o, 2, t2);
		cr_assert(n2 == 1 && t2[0] == t[0]); /* a prefix of the same HRW order */
		hist[t2[0]]++;
		obj_fini(&o);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_gt(hist[i], 30, "mountpath %d picked %d times", i, hist[i]);
}

Test(mirror, put_makes_copies_and_overwrite_follows)
{
	obj_t o;
	init_obj(&o, "m", "dir/a");
	unsigned char *d = rnd(100000, 1); /* above chunks.objsize_limit with the hint: chunked main */
	put_ok(&o, d, 100000, 100000, NULL);
	cr_assert_eq(replicas(&o, NULL), 3);
	lom_md_t md;
	lom_md_init(&md);
	cr_assert_eq(lom_load(-1, o.fqn, &md), 0);
	cr_assert(md.flags & LOM_FL_COPIES);
	cr_assert_eq(mirror_count(o.bck, o.mpi, o.fqn, &md), 3);
	lom_md_fini(&md);
	unsigned char *d2 = rnd(5000, 2);
	put_ok(&o, d2, 5000, -1, NULL);
	cr_assert_eq(replicas(&o, NULL), 3);
	char p[FQN_MAX];
	int t[MIRROR_MAX_COPIES];
	cr_assert_eq(mirror_targets(&o, 3, t), 2);
	for (int j = 0; j < 2; j++) { /* every copy holds the new version's bytes */
		cr_assert_eq(mirror_copy_path(&o, t[j], p, sizeof(p)), 0);
		int fd = open(p, O_RDONLY);
		unsigned char buf[6000];
		cr_assert_eq(read(fd, buf, sizeof(buf)), 5000);
		cr_assert(!memcmp(buf, d2, 5000));
		close(fd);
	}
	free(d);
	free(d2);
	obj_fini(&o);
}

Test(mirror, get_heals_missing_corrupt_truncated)
{
	obj_t o;
	init_obj(&o, "m", "h");
	unsigned char *d = rnd(70000, 3);
	put_ok(&o, d, 70000, -1, NULL);
	/* missing */
	cr_assert_eq(unlink(o.fqn), 0);
	assert_content(&o, d, 70000);
	cr_assert_eq(replicas(&o, NULL), 3);
	/* a flipped byte (validate_warm_get) */
	flip_byte(o.fqn, 777);
	assert_content(&o, d, 70000);
	/* truncated */
	cr_assert_eq(truncate(o.fqn, 100), 0);
	assert_content(&o, d, 70000);
	cr_assert_eq(replicas(&o, NULL), 3);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 0);
	/* main and both copies corrupted: a checksum error, never the bytes; the bad copies go */
	char p[FQN_MAX];
	int t[MIRROR_MAX_COPIES];
	cr_assert_eq(mirror_targets(&o, 3, t), 2);
	flip_byte(o.fqn, 5);
	for (int j = 0; j < 2; j++) {
		cr_assert_eq(mirror_copy_path(&o, t[j], p, sizeof(p)), 0);
		flip_byte(p, 6);
	}
	obj_get_t g;
	obj_why_t why;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_eq(obj_get_prepare(&g, &why), AIS_ECKSUM);
	cr_assert_eq(why, OBJ_WHY_CORRUPT);
	obj_get_close(&g);
	cr_assert_eq(replicas(&o, NULL), 0);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 1);
	free(d);
	obj_fini(&o);
}

Test(mirror, sync_raise_lower_and_delete)
{
	obj_t o;
	init_obj(&o, "v", "s"); /* not mirrored: the count is the caller's */
	unsigned char *d = rnd(3000, 4);
	put_ok(&o, d, 3000, -1, NULL);
	cr_assert_eq(replicas(&o, NULL), 1);
	mirror_res_t r;
	cr_assert_eq(mirror_sync(&o, 4, &r), 0);
	cr_assert_eq(r.made, 3);
	cr_assert_eq(replicas(&o, NULL), 4);
	cr_assert_eq(mirror_sync(&o, 2, &r), 0);
	cr_assert(r.made == 0 && r.removed == 2);
	cr_assert_eq(replicas(&o, NULL), 2);
	/* an overwrite of a non-mirrored bucket's object drops the old version's copies */
	put_ok(&o, d, 1000, -1, NULL);
	cr_assert_eq(replicas(&o, NULL), 1);
	cr_assert_eq(mirror_sync(&o, 3, &r), 0);
	cr_assert_eq(unlink(o.fqn), 0); /* the main replica lost: sync restores it */
	cr_assert_eq(mirror_sync(&o, 3, &r), 0);
	cr_assert(r.restored);
	assert_content(&o, d, 1000);
	obj_why_t why;
	cr_assert_eq(obj_delete(&o, &why), 0);
	cr_assert_eq(replicas(&o, NULL), 0);
	cr_assert_eq(open_rc(&o, 0, &why), AIS_ENOTFOUND);
	free(d);
	obj_fini(&o);
}

Test(mirror, bprops_rules)
{
	char err[256];
	json_t *p = bprops_default("ais", NULL);
	json_t *patch = json_loads("{\"mirror\": {\"enabled\": true, \"copies\": 1}}", 0, NULL);
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p, "mirror"), "copies")), 2);
	json_decref(patch);
	patch = json_loads("{\"mirror\": {\"copies\": 33}}", 0, NULL);
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), AIS_EINVAL);
	json_decref(patch);
	patch = json_loads("{\"mirror\": {\"copies\": 1}}", 0, NULL); /* one copy while enabled: disabled */
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), 0, "%s", err);
	cr_assert(json_is_false(json_object_get(json_object_get(p, "mirror"), "enabled")));
	json_decref(patch);
	patch = json_loads("{\"mirror\": {\"copies\": 0}}", 0, NULL); /* disabled: not validated (AIStore) */
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), 0, "%s", err);
	json_decref(patch);
	patch = json_loads("{\"mirror\": {\"enabled\": true, \"copies\": 40}}", 0, NULL);
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), AIS_EINVAL);
	json_decref(patch);
	patch = json_loads("{\"ec\": {\"enabled\": true, \"parity_slices\": 0}}", 0, NULL);
	cr_assert_eq(bprops_apply(&p, patch, err, sizeof(err)), AIS_EINVAL);
	json_decref(patch);
	json_decref(p);
}
