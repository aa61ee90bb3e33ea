/* fs: mountpath registration and HRW placement within the target. */
#include <criterion/criterion.h>
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
