/* n-way mirroring in the object core (obj/mirror.h) without HTTP: 4 temp mountpaths, bucket "m"
 * mirrored with 3 copies (validate_warm_get on) and "v" without redundancy. HRW choice of the
 * copies' mountpaths, copies written by every commit (monolithic and chunked), overwrite, GETs
 * healing a missing, corrupted, truncated main replica (and failing cleanly when every copy is
 * bad too), mirror_sync raising/lowering the count, delete removing every copy, and the bucket
 * props rules (AIStore's MirrorConf.ValidateAsProps and the proxy's enable-with-1-copy rule).
 * Bucket "r" (3 copies, no validation): GETs read the replica on the least-loaded mountpath.
 * "m" and "r" have burst_buffer 0 (copies inline); "q" (burst_buffer 3): copies made by the
 * put-copies thread, at most 3 queued (the others inline). */
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
	{"m", "{\"mirror\": {\"enabled\": true, \"copies\": 3, \"burst_buffer\": 0}, \"checksum\": {\"validate_warm_get\": true}}"},
	{"v", "{\"checksum\": {\"validate_warm_get\": true}}"},
	{"r", "{\"mirror\": {\"enabled\": true, \"copies\": 3, \"burst_buffer\": 0}}"},
	{"q", "{\"mirror\": {\"enabled\": true, \"copies\": 2, \"burst_buffer\": 3}}"},
};

static void setup(void) { objfix_setup("test_mirror", 4, bcks, 4); }

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

/* the mountpath whose file fd is (main or a copy of o): by inode */
static int fd_mpi(const obj_t *o, int fd)
{
	struct stat a, b;
	char p[FQN_MAX];
	cr_assert_eq(fstat(fd, &a), 0);
	if (!stat(o->fqn, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return o->mpi;
	for (int i = 0; i < fs_count(); i++)
		if (!mirror_copy_path(o, i, p, sizeof(p)) && !stat(p, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return i;
	return -1;
}

Test(mirror, get_reads_least_loaded_copy)
{
	obj_t o;
	obj_why_t why;
	init_obj(&o, "r", "lb/x");
	unsigned char *d = rnd(20000, 7);
	put_ok(&o, d, 20000, -1, NULL);
	cr_assert_eq(replicas(&o, NULL), 3);
	int t[MIRROR_MAX_COPIES];
	cr_assert_eq(mirror_targets(&o, 3, t), 2);
	/* idle: the main */
	obj_get_t g;
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_eq(fd_mpi(&o, g.fd), o.mpi);
	cr_assert_eq(fs_io_load(o.mpi), 1); /* this read is in flight until closed */
	/* a second read while the first is open: a copy's mountpath (0 in flight) */
	obj_get_t g2, g3, g4;
	cr_assert_eq(obj_get_open(&g2, &o, 0, &why), 0);
	int m2 = fd_mpi(&o, g2.fd);
	cr_assert(m2 == t[0] || m2 == t[1], "second read on %d", m2);
	cr_assert_eq(g2.io_mpi, m2);
	/* a third: the other copy; the fourth: all at 1 in flight, ties go to the main */
	cr_assert_eq(obj_get_open(&g3, &o, 0, &why), 0);
	int m3 = fd_mpi(&o, g3.fd);
	cr_assert(m3 != m2 && m3 != o.mpi && (m3 == t[0] || m3 == t[1]), "third read on %d", m3);
	cr_assert_eq(obj_get_open(&g4, &o, 0, &why), 0);
	cr_assert_eq(fd_mpi(&o, g4.fd), o.mpi);
	/* the bytes of every replica read are the object's */
	unsigned char buf[20000];
	cr_assert_eq(obj_get_pread(&g3, buf, sizeof(buf), 0), 20000);
	cr_assert(!memcmp(buf, d, sizeof(buf)));
	obj_get_close(&g4);
	obj_get_close(&g3);
	obj_get_close(&g2);
	obj_get_close(&g);
	for (int i = 0; i < fs_count(); i++)
		cr_assert_eq(fs_io_load(i), 0);
	/* a copy of another version (a stale copy) is never read: the main is */
	char p[FQN_MAX];
	cr_assert_eq(mirror_copy_path(&o, t[1], p, sizeof(p)), 0);
	lom_md_t md;
	lom_md_init(&md);
	cr_assert_eq(lom_load(-1, p, &md), 0);
	md.mtime += 1;
	cr_assert_eq(lom_store(-1, p, &md), 0);
	lom_md_fini(&md);
	fs_io_begin(o.mpi);
	fs_io_begin(t[0]);
	cr_assert_eq(obj_get_open(&g, &o, 0, &why), 0);
	cr_assert_eq(fd_mpi(&o, g.fd), o.mpi); /* t[1] (0 in flight) holds another version */
	obj_get_close(&g);
	fs_io_end(t[0]);
	fs_io_end(o.mpi);
	free(d);
	obj_fini(&o);
}

Test(mirror, burst_buffer_async_copies)
{
	obj_t o[40];
	unsigned char *d = rnd(3000, 9);
	int64_t h0 = mirror_q_drain();
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "q-%d", i);
		init_obj(&o[i], "q", name);
		put_ok(&o[i], d, 3000, -1, NULL);
	}
	int64_t handled = mirror_q_drain() - h0;
	/* some went through the queue, and never more than fit at once made the rest inline */
	cr_assert(handled >= 1 && handled <= 40, "handled %lld", (long long)handled);
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(replicas(&o[i], NULL), 2, "%s", o[i].oname);
		assert_content(&o[i], d, 3000);
		obj_fini(&o[i]);
	}
	/* a full queue (3 waiting) refuses a fourth: the committer makes its copies inline */
	obj_t x;
	init_obj(&x, "q", "q-x");
	int posted = 0;
	for (int i = 0; i < 200; i++)
		if (mirror_q_post(&x, 3) == AIS_EAGAIN) {
			posted = -1;
			break;
		}
	cr_assert_eq(posted, -1, "a queue bounded by 3 took 200 posts");
	mirror_q_drain();
	obj_fini(&x);
	free(d);
}
