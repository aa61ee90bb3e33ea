/* fs: the mountpath table. Filled once at start-up (tgt_init, single-threaded) and read-only
 * while serving, so readers take no lock. Paths are stored cleaned (no trailing '/'). */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/hrw.h"
#include "core/err.h"
#include "core/fsops.h"

static mpath_t fs_mps[FS_MAX];
static uint64_t fs_digests[FS_MAX];
static int fs_n;

void fs_reset(void) { fs_n = 0; }
int fs_count(void) { return fs_n; }
const mpath_t *fs_get(int i) { return i >= 0 && i < fs_n ? &fs_mps[i] : NULL; }

static int fs_probe(const char *path, char *err, size_t errcap)
{
	char probe[1100];
	snprintf(probe, sizeof(probe), "%s/.ais.probe.%d", path, (int)getpid());
	int fd = open(probe, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errcap, "mountpath %s is not writable: %s", path, strerror(errno));
		return AIS_EINVAL;
	}
	int rc = 0;
	if (fsetxattr(fd, "user.ais.probe", "1", 1, 0)) {
		snprintf(err, errcap, "mountpath %s does not support user xattrs: %s", path, strerror(errno));
		rc = AIS_EINVAL;
	}
	close(fd);
	unlink(probe);
	return rc;
}

int fs_add(const char *path, char *err, size_t errcap)
{
	char clean[1024];
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	if (l == 0 || l >= sizeof(clean)) {
		snprintf(err, errcap, "invalid mountpath %s", path);
		return AIS_EINVAL;
	}
	memcpy(clean, path, l);
	clean[l] = '\0';
	for (int i = 0; i < fs_n; i++)
		if (!strcmp(fs_mps[i].path, clean)) {
			snprintf(err, errcap, "duplicate mountpath %s", clean);
			return AIS_EEXIST;
		}
	if (fs_n >= FS_MAX) {
		snprintf(err, errcap, "too many mountpaths");
		return AIS_EINVAL;
	}
	int rc = fsops_mkdir_p(clean);
	struct stat st;
	if (rc || stat(clean, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errcap, "mountpath %s is not a directory", clean);
		return AIS_EINVAL;
	}
	if ((rc = fs_probe(clean, err, errcap)))
		return rc;
	mpath_t *m = &fs_mps[fs_n];
	memcpy(m->path, clean, l + 1);
	m->digest = hrw_digest(clean, l);
	m->dev = st.st_dev;
	fs_digests[fs_n] = m->digest;
	fs_n++;
	return 0;
}

int fs_hrw(uint64_t uname_digest)
{
	return hrw_pick(fs_digests, (size_t)fs_n, uname_digest);
}

void fs_capacity(uint64_t *used, uint64_t *total)
{
	uint64_t u = 0, t = 0;
	for (int i = 0; i < fs_n; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			if (fs_mps[j].dev == fs_mps[i].dev)
				dup = true;
		struct statvfs sv;
		if (dup || statvfs(fs_mps[i].path, &sv))
			continue;
		uint64_t tot = (uint64_t)sv.f_blocks * sv.f_frsize;
		uint64_t fr = (uint64_t)sv.f_bfree * sv.f_frsize;
		t += tot;
		u += tot - (fr < tot ? fr : tot);
	}
	if (used)
		*used = u;
	if (total)
		*total = t;
}
