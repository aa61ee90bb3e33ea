/* fs: the mountpath table (see fs.h for the state diagram).
 * Invariants:
 *  1. slots [0, fs_n) are fully written before fs_n is published (release) and never move or
 *     change path/digest afterwards: a reader holding an index or a pointer stays valid;
 *  2. state is one atomic int per slot: readers see either the old or the new state, never a
 *     torn one (it is the only thing that changes in a published slot);
 *  3. writers hold fs_mu; readers never lock. fs_reset is for tests and exit only.
 * Paths are stored cleaned (no trailing '/'). */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/hrw.h"

static mpath_t fs_mps[FS_MAX];
static atomic_int fs_n;
static _Atomic int64_t fs_io[FS_MAX]; /* reads in flight (fs_io_begin/end) */
static pthread_mutex_t fs_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const fs_names[] = {
	[FS_AVAIL] = "available", [FS_WAITING_DD] = "waiting_dd", [FS_DISABLED] = "disabled", [FS_DETACHED] = "detached",
};

const char *fs_state_name(fs_state_t s) { return s <= FS_DETACHED ? fs_names[s] : "?"; }

void fs_reset(void)
{
	pthread_mutex_lock(&fs_mu);
	atomic_store(&fs_n, 0);
	memset(fs_mps, 0, sizeof(fs_mps));
	pthread_mutex_unlock(&fs_mu);
}

int fs_count(void) { return atomic_load_explicit(&fs_n, memory_order_acquire); }
const mpath_t *fs_get(int i) { return i >= 0 && i < fs_count() ? &fs_mps[i] : NULL; }

fs_state_t fs_state(int i)
{
	return i >= 0 && i < fs_count() ? (fs_state_t)atomic_load_explicit(&fs_mps[i].state, memory_order_acquire)
					: FS_DETACHED;
}

bool fs_avail(int i) { return fs_state(i) == FS_AVAIL; }

bool fs_in_use(int i)
{
	fs_state_t s = fs_state(i);
	return s == FS_AVAIL || s == FS_WAITING_DD;
}

/* cleaned copy of path (trailing '/' dropped); 0 or AIS_EINVAL */
static int fs_clean(const char *path, char *out, size_t cap, char *err, size_t errcap)
{
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	if (l == 0 || l >= cap || path[0] != '/') {
		snprintf(err, errcap, "invalid mountpath \"%.256s\"", path);
		return AIS_EINVAL;
	}
	memcpy(out, path, l);
	out[l] = '\0';
	return 0;
}

/* slot of a cleaned path in any state (detached included); -1 */
static int fs_slot(const char *clean)
{
	int n = fs_count();
	for (int i = 0; i < n; i++)
		if (!strcmp(fs_mps[i].path, clean))
			return i;
	return -1;
}

int fs_find(const char *path)
{
	char clean[1024], err[64];
	if (fs_clean(path, clean, sizeof(clean), err, sizeof(err)))
		return -1;
	int i = fs_slot(clean);
	return i >= 0 && fs_state(i) != FS_DETACHED ? i : -1;
}

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

/* a usable directory: created if missing, writable, user xattrs */
static int fs_usable(const char *clean, char *err, size_t errcap)
{
	struct stat st;
	int rc = fsops_mkdir_p(clean);
	if (rc || stat(clean, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errcap, "mountpath %s is not a directory", clean);
		return AIS_EINVAL;
	}
	return fs_probe(clean, err, errcap);
}

int fs_add(const char *path, char *err, size_t errcap)
{
	char clean[1024];
	int rc = fs_clean(path, clean, sizeof(clean), err, errcap);
	if (rc)
		return rc;
	pthread_mutex_lock(&fs_mu);
	int i = fs_slot(clean), n = fs_count();
	if (i >= 0 && fs_state(i) != FS_DETACHED) {
		snprintf(err, errcap, "duplicate mountpath %s (%s)", clean, fs_state_name(fs_state(i)));
		rc = AIS_EEXIST;
	} else if (i < 0 && n >= FS_MAX) {
		snprintf(err, errcap, "cannot add mountpath %s: the mountpath table is full (FS_MAX = %d slots, detached ones included)",
			 clean, FS_MAX);
		rc = AIS_EINVAL;
	} else if (!(rc = fs_usable(clean, err, errcap))) {
		if (i >= 0) { /* re-attach in the old slot (same path, same digest) */
			atomic_store_explicit(&fs_mps[i].state, FS_AVAIL, memory_order_release);
		} else {
			mpath_t *m = &fs_mps[n];
			memcpy(m->path, clean, strlen(clean) + 1);
			m->digest = hrw_digest(clean, strlen(clean));
			atomic_store_explicit(&m->state, FS_AVAIL, memory_order_relaxed);
			atomic_store_explicit(&fs_n, n + 1, memory_order_release); /* invariant 1 */
		}
	}
	pthread_mutex_unlock(&fs_mu);
	return rc;
}

/* move path's slot to state `to` if its current state is one of `from` (bitmask of 1 << state);
 * already in `to`: 0. Unknown or detached: AIS_ENOTFOUND. Otherwise AIS_EINVAL. */
static int fs_move(const char *path, unsigned from, fs_state_t to, char *err, size_t errcap)
{
	char clean[1024];
	int rc = fs_clean(path, clean, sizeof(clean), err, errcap);
	if (rc)
		return rc;
	pthread_mutex_lock(&fs_mu);
	int i = fs_slot(clean);
	fs_state_t s = fs_state(i);
	if (i < 0 || s == FS_DETACHED) {
		snprintf(err, errcap, "mountpath %s does not exist", clean);
		rc = AIS_ENOTFOUND;
	} else if (s != to && !(from & (1u << s))) {
		snprintf(err, errcap, "mountpath %s is %s: cannot become %s", clean, fs_state_name(s), fs_state_name(to));
		rc = AIS_EINVAL;
	} else {
		atomic_store_explicit(&fs_mps[i].state, (int)to, memory_order_release);
	}
	pthread_mutex_unlock(&fs_mu);
	return rc;
}

int fs_begin_dd(const char *path, char *err, size_t errcap)
{
	int rc = fs_move(path, 1u << FS_AVAIL, FS_WAITING_DD, err, errcap);
	int i = rc ? -1 : fs_find(path);
	if (i >= 0)
		atomic_store(&fs_mps[i].dd_detach, 0);
	return rc;
}

int fs_begin_detach(const char *path, char *err, size_t errcap)
{
	int rc = fs_move(path, 1u << FS_AVAIL, FS_WAITING_DD, err, errcap);
	int i = rc ? -1 : fs_find(path);
	if (i >= 0)
		atomic_store(&fs_mps[i].dd_detach, 1);
	return rc;
}

/* every waiting_dd slot to its final state (commit) or back to available (cancel) */
static int fs_dd_end(bool commit)
{
	int n = 0;
	pthread_mutex_lock(&fs_mu);
	for (int i = 0; i < fs_count(); i++) {
		if (fs_state(i) != FS_WAITING_DD)
			continue;
		int to = !commit ? FS_AVAIL : atomic_load(&fs_mps[i].dd_detach) ? FS_DETACHED : FS_DISABLED;
		atomic_store_explicit(&fs_mps[i].state, to, memory_order_release);
		n++;
	}
	pthread_mutex_unlock(&fs_mu);
	return n;
}

int fs_dd_commit(void) { return fs_dd_end(true); }
int fs_dd_cancel(void) { return fs_dd_end(false); }

int fs_disable(const char *path, char *err, size_t errcap)
{
	return fs_move(path, (1u << FS_AVAIL) | (1u << FS_WAITING_DD), FS_DISABLED, err, errcap);
}

int fs_enable(const char *path, char *err, size_t errcap)
{
	return fs_move(path, (1u << FS_DISABLED) | (1u << FS_WAITING_DD), FS_AVAIL, err, errcap);
}

int fs_detach(const char *path, char *err, size_t errcap)
{
	return fs_move(path, (1u << FS_AVAIL) | (1u << FS_WAITING_DD) | (1u << FS_DISABLED), FS_DETACHED, err, errcap);
}

int fs_num_avail(void)
{
	int n = fs_count(), k = 0;
	for (int i = 0; i < n; i++)
		k += fs_avail(i);
	return k;
}

int fs_num_in_use(void)
{
	int n = fs_count(), k = 0;
	for (int i = 0; i < n; i++)
		k += fs_in_use(i);
	return k;
}

/* AIStore's MPI.Hrw: max of mix(path_digest ^ digest) over the available ones; ties: the later */
int fs_hrw(uint64_t uname_digest)
{
	int n = fs_count(), best = -1;
	uint64_t max_h = 0;
	for (int i = 0; i < n; i++) {
		if (atomic_load_explicit(&fs_mps[i].state, memory_order_relaxed) != FS_AVAIL)
			continue;
		uint64_t h = hrw_mix(fs_mps[i].digest ^ uname_digest);
		if (h >= max_h) {
			max_h = h;
			best = i;
		}
	}
	return best;
}

void fs_capacity(uint64_t *used, uint64_t *total)
{
	uint64_t u = 0, t = 0;
	unsigned long fsids[FS_MAX];
	int n = fs_count(), nf = 0;
	for (int i = 0; i < n; i++) {
		struct statvfs sv;
		bool dup = false;
		if (!fs_in_use(i) || statvfs(fs_mps[i].path, &sv))
			continue;
		for (int j = 0; j < nf; j++) /* mountpaths sharing a filesystem count once */
			dup |= fsids[j] == sv.f_fsid;
		if (dup)
			continue;
		fsids[nf++] = sv.f_fsid;
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

static int fs_cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* the sorted paths of the slots in state s as a JSON array */
static json_t *fs_list(fs_state_t s)
{
	const char *paths[FS_MAX];
	int n = fs_count(), k = 0;
	for (int i = 0; i < n; i++)
		if (fs_state(i) == s)
			paths[k++] = fs_mps[i].path;
	qsort(paths, (size_t)k, sizeof(paths[0]), fs_cmp);
	json_t *a = json_array();
	for (int i = 0; a && i < k; i++)
		json_array_append_new(a, json_string(paths[i]));
	return a;
}

json_t *fs_mpl_json(void)
{
	return json_pack("{s:o, s:o, s:o}", "available", fs_list(FS_AVAIL), "waiting_dd", fs_list(FS_WAITING_DD),
			 "disabled", fs_list(FS_DISABLED));
}

void fs_io_begin(int i)
{
	if (i >= 0 && i < FS_MAX)
		atomic_fetch_add_explicit(&fs_io[i], 1, memory_order_relaxed);
}

void fs_io_end(int i)
{
	if (i >= 0 && i < FS_MAX)
		atomic_fetch_sub_explicit(&fs_io[i], 1, memory_order_relaxed);
}

int64_t fs_io_load(int i)
{
	return i >= 0 && i < FS_MAX ? atomic_load_explicit(&fs_io[i], memory_order_relaxed) : 0;
}
