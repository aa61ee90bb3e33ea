/* fsops: durable writes (temp + fsync + rename + fsync dir), mkdir -p, rm -rf, and the
 * fault-injection seam. The injected-fault counter is this module's only state. */
#include "core/fsops.h"
#include "core/err.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int fault_errno;
static atomic_int fault_count;

void fsops_fault_inject(int e, int n)
{
	atomic_store(&fault_errno, e);
	atomic_store(&fault_count, n);
}

int fsops_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	if (atomic_load(&fault_count) > 0 && atomic_fetch_sub(&fault_count, 1) > 0)
		return err_from_errno(atomic_load(&fault_errno));
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_from_errno(errno);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fsops_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_from_errno(errno);
	int rc = fsync(fd) ? err_from_errno(errno) : 0;
	close(fd);
	return rc;
}

int fsops_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(tmp))
		return AIS_EINVAL;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return err_from_errno(errno);
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return err_from_errno(errno);
	return 0;
}

int fsops_mkdir_parent(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(tmp))
		return AIS_EINVAL;
	memcpy(tmp, path, n + 1);
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	return fsops_mkdir_p(tmp);
}

int fsops_write_atomic(const char *path, const void *data, size_t len)
{
	return fsops_write_atomic_mode(path, data, len, 0644);
}

int fsops_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd = -1, rc;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%llx", path, (unsigned long long)rand_u64()) >= sizeof(tmp))
		return AIS_EINVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = err_from_errno(errno);
		goto cleanup;
	}
	if ((rc = fsops_write_all(fd, data, len)))
		goto cleanup;
	if (fsync(fd)) {
		rc = err_from_errno(errno);
		goto cleanup;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path)) {
		rc = err_from_errno(errno);
		goto cleanup;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		fsops_fsync_dir(dir);
	}
	return 0;
cleanup:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

int fsops_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int rc = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_from_errno(errno);
	struct stat st;
	if (fstat(fd, &st)) {
		rc = err_from_errno(errno);
		goto cleanup;
	}
	if ((size_t)st.st_size >= max) {
		rc = AIS_ETOOBIG;
		goto cleanup;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = AIS_ENOMEM;
		goto cleanup;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? err_from_errno(errno) : AIS_EIO;
			goto cleanup;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	if (len)
		*len = got;
	buf = NULL;
cleanup:
	free(buf);
	close(fd);
	return rc;
}

int fsops_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : err_from_errno(errno);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) && errno != ENOENT ? err_from_errno(errno) : 0;
	DIR *d = opendir(path);
	if (!d)
		return err_from_errno(errno);
	int rc = 0;
	struct dirent *de;
	char sub[PATH_MAX];
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub)) {
			rc = AIS_EINVAL;
			continue;
		}
		int r = fsops_rm_rf(sub);
		if (r)
			rc = r;
	}
	closedir(d);
	if (rmdir(path) && errno != ENOENT)
		rc = err_from_errno(errno);
	return rc;
}

void fsops_rm_empty_parents(const char *path, const char *stop)
{
	char tmp[PATH_MAX];
	size_t slen = strlen(stop);
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (;;) {
		char *slash = strrchr(tmp, '/');
		if (!slash)
			return;
		*slash = '\0';
		if (strlen(tmp) <= slen || strncmp(tmp, stop, slen))
			return;
		if (rmdir(tmp))
			return;
	}
}
