/* fs: mountpath registration and HRW placement within the target. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hrw.h"
#include "core/err.h"
#include "core/fsops.h"
#include "fs/fs.h"

Test(fs, add_and_place)
{
	char base[] = "/tmp/test_fs_XXXXXX";
	cr_assert_not_null(mkdtemp(base));
	char p[3][256], err[256];
	fs_reset();
	for (int i = 0; i < 3; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/mp%d/", base, i);
		int rc = fs_add(p[i], err, sizeof(err));
		if (rc && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
		cr_assert_eq(rc, 0, "%s", err);
	}
	cr_assert_eq(fs_add(p[1], err, sizeof(err)), AIS_EEXIST);
	cr_assert_eq(fs_count(), 3);
	cr_assert_eq(fs_get(0)->path[strlen(fs_get(0)->path) - 1], '0'); /* trailing '/' dropped */
	int hits[3] = {0};
	for (int i = 0; i < 3000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "obj-%d", i);
		uint64_t d = hrw_digest(name, (size_t)n);
		int a = fs_hrw(d);
		cr_assert_eq(a, fs_hrw(d));
		cr_assert(a >= 0 && a < 3);
		hits[a]++;
	}
	for (int i = 0; i < 3; i++)
		cr_assert_gt(hits[i], 700, "mountpath %d got %d", i, hits[i]);
	uint64_t used = 0, total = 0;
	fs_capacity(&used, &total);
	cr_assert_gt(total, 0);
	cr_assert_leq(used, total);
	fs_reset();
	cr_assert_eq(fs_hrw(1), -1);
	fsops_rm_rf(base);
}

Test(fs, not_a_dir)
{
	char path[] = "/tmp/test_fs_file_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	char err[256];
	fs_reset();
	cr_assert_eq(fs_add(path, err, sizeof(err)), AIS_EINVAL);
	unlink(path);
}

/* three mountpaths under a fresh temp dir; skips when the filesystem has no user xattrs */
static void fs_setup3(char *base, char p[3][256])
{
	char err[256];
	cr_assert_not_null(mkdtemp(base));
	fs_reset();
	for (int i = 0; i < 3; i++) {
		snprintf(p[i], 256, "%s/mp%d", base, i);
		int rc = fs_add(p[i], err, sizeof(err));
		if (rc && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
		cr_assert_eq(rc, 0, "%s", err);
	}
}

static int mpl_len(json_t *mpl, const char *key) { return (int)json_array_size(json_object_get(mpl, key)); }

Test(fs, states_and_placement)
{
	char base[] = "/tmp/test_fs_st_XXXXXX", p[3][256], err[256];
	fs_setup3(base, p);
	cr_assert_eq(fs_num_avail(), 3);
	int before[3000];
	for (int i = 0; i < 3000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "obj-%d", i);
		before[i] = fs_hrw(hrw_digest(name, (size_t)n));
	}
	/* disable mp1: nothing lands there; objects of mp0/mp2 stay where they were (HRW property) */
	cr_assert_eq(fs_disable(p[1], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fs_state(1), FS_DISABLED);
	cr_assert_not(fs_avail(1));
	cr_assert_not(fs_in_use(1));
	cr_assert_eq(fs_num_avail(), 2);
	for (int i = 0; i < 3000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "obj-%d", i);
		int a = fs_hrw(hrw_digest(name, (size_t)n));
		cr_assert(a == 0 || a == 2, "placed on %d", a);
		if (before[i] != 1)
			cr_assert_eq(a, before[i], "object %d moved from %d to %d", i, before[i], a);
	}
	json_t *mpl = fs_mpl_json();
	cr_assert_eq(mpl_len(mpl, "available"), 2);
	cr_assert_eq(mpl_len(mpl, "disabled"), 1);
	cr_assert_eq(mpl_len(mpl, "waiting_dd"), 0);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(mpl, "disabled"), 0)), p[1]);
	json_decref(mpl);
	/* disabling twice is a no-op; enable brings back the same placement */
	cr_assert_eq(fs_disable(p[1], err, sizeof(err)), 0);
	cr_assert_eq(fs_enable(p[1], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fs_enable(p[1], err, sizeof(err)), 0, "already available: nothing to do");
	for (int i = 0; i < 3000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "obj-%d", i);
		cr_assert_eq(fs_hrw(hrw_digest(name, (size_t)n)), before[i]);
	}
	/* begin detaching mp2: waiting_dd = no new placement, still walked */
	cr_assert_eq(fs_begin_dd(p[2], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fs_state(2), FS_WAITING_DD);
	cr_assert(fs_in_use(2));
	cr_assert_not(fs_avail(2));
	for (int i = 0; i < 300; i++)
		cr_assert_neq(fs_hrw((uint64_t)i * 0x9e3779b97f4a7c15ULL), 2);
	mpl = fs_mpl_json();
	cr_assert_eq(mpl_len(mpl, "waiting_dd"), 1);
	cr_assert_eq(mpl_len(mpl, "available"), 2);
	json_decref(mpl);
	/* detach: gone from every list, index still valid and the slot keeps its path */
	const mpath_t *m2 = fs_get(2);
	cr_assert_eq(fs_detach(p[2], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fs_detach(p[2], err, sizeof(err)), AIS_ENOTFOUND);
	cr_assert_eq(fs_state(2), FS_DETACHED);
	cr_assert_eq(fs_get(2), m2);
	cr_assert_str_eq(fs_get(2)->path, p[2]);
	cr_assert_eq(fs_count(), 3);
	cr_assert_eq(fs_find(p[2]), -1);
	cr_assert_eq(fs_enable(p[2], err, sizeof(err)), AIS_ENOTFOUND);
	mpl = fs_mpl_json();
	cr_assert_eq(mpl_len(mpl, "available") + mpl_len(mpl, "waiting_dd") + mpl_len(mpl, "disabled"), 2);
	json_decref(mpl);
	/* re-attach reuses the slot: same index, same placement as at the start */
	cr_assert_eq(fs_add(p[2], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fs_count(), 3);
	cr_assert_eq(fs_find(p[2]), 2);
	for (int i = 0; i < 3000; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "obj-%d", i);
		cr_assert_eq(fs_hrw(hrw_digest(name, (size_t)n)), before[i]);
	}
	/* bad transitions */
	cr_assert_eq(fs_add(p[0], err, sizeof(err)), AIS_EEXIST);
	cr_assert_eq(fs_disable("/no/such/mountpath", err, sizeof(err)), AIS_ENOTFOUND);
	cr_assert(strstr(err, "/no/such/mountpath") != NULL, "%s", err);
	cr_assert_eq(fs_disable(p[0], err, sizeof(err)), 0);
	cr_assert_eq(fs_begin_dd(p[0], err, sizeof(err)), AIS_EINVAL, "a disabled mountpath has nothing to begin");
	cr_assert(strstr(err, "disabled") != NULL, "%s", err);
	/* nothing available: no placement */
	cr_assert_eq(fs_disable(p[1], err, sizeof(err)), 0);
	cr_assert_eq(fs_disable(p[2], err, sizeof(err)), 0);
	cr_assert_eq(fs_num_avail(), 0);
	cr_assert_eq(fs_hrw(12345), -1);
	uint64_t used = 1, total = 1;
	fs_capacity(&used, &total);
	cr_assert_eq(total, 0, "capacity counts mountpaths in use only");
	fs_reset();
	fsops_rm_rf(base);
}

Test(fs, full_table_fails_loudly)
{
	char base[] = "/tmp/test_fs_max_XXXXXX", p[300], err[256];
	cr_assert_not_null(mkdtemp(base));
	fs_reset();
	for (int i = 0; i < FS_MAX; i++) {
		snprintf(p, sizeof(p), "%s/mp%d", base, i);
		int rc = fs_add(p, err, sizeof(err));
		if (rc && strstr(err, "xattr"))
			cr_skip_test("no user xattrs");
		cr_assert_eq(rc, 0, "%s", err);
	}
	snprintf(p, sizeof(p), "%s/one-too-many", base);
	cr_assert_eq(fs_add(p, err, sizeof(err)), AIS_EINVAL);
	cr_assert(strstr(err, "FS_MAX") && strstr(err, "one-too-many"), "%s", err);
	cr_assert_eq(fs_count(), FS_MAX);
	/* a detached slot is reused by its own path only: the table stays full for others */
	snprintf(p, sizeof(p), "%s/mp7", base);
	cr_assert_eq(fs_detach(p, err, sizeof(err)), 0, "%s", err);
	snprintf(p, sizeof(p), "%s/one-too-many", base);
	cr_assert_eq(fs_add(p, err, sizeof(err)), AIS_EINVAL);
	snprintf(p, sizeof(p), "%s/mp7/", base);
	cr_assert_eq(fs_add(p, err, sizeof(err)), 0, "%s", err);
	fs_reset();
	fsops_rm_rf(base);
}

/* readers on the data path race with state flips: no lock, no torn state, placement always on
 * an available mountpath or -1 */
struct fs_race {
	_Atomic int stop;
	_Atomic long bad, reads;
};

static void *fs_reader(void *arg)
{
	struct fs_race *r = arg;
	uint64_t d = 1;
	while (!atomic_load(&r->stop)) {
		d = d * 6364136223846793005ULL + 1442695040888963407ULL;
		int a = fs_hrw(d);
		if (a < -1 || a >= fs_count() || (a >= 0 && !fs_get(a)))
			atomic_fetch_add(&r->bad, 1);
		for (int i = 0; i < fs_count(); i++)
			if (fs_state(i) > FS_DETACHED)
				atomic_fetch_add(&r->bad, 1);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

Test(fs, concurrent_state_changes)
{
	char base[] = "/tmp/test_fs_race_XXXXXX", p[3][256], err[256];
	fs_setup3(base, p);
	struct fs_race r = {0};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, fs_reader, &r);
	for (int k = 0; k < 2000; k++) {
		const char *mp = p[k % 3];
		switch (k % 4) {
		case 0: fs_disable(mp, err, sizeof(err)); break;
		case 1: fs_enable(mp, err, sizeof(err)); break;
		case 2: fs_begin_dd(mp, err, sizeof(err)); break;
		default: fs_detach(mp, err, sizeof(err)); fs_add(mp, err, sizeof(err)); break;
		}
	}
	atomic_store(&r.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&r.bad), 0);
	cr_assert_gt(atomic_load(&r.reads), 0);
	cr_assert_eq(fs_count(), 3, "slots never grow on re-attach");
	fs_reset();
	fsops_rm_rf(base);
}
