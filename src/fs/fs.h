/* fs: this target's mountpaths (AIStore's fs.MountedFS) and their state, placement of an object
 * within the target (HRW over the available mountpaths by the object's uname digest, fs/hrw.go)
 * and capacity (statvfs summed over distinct filesystems).
 *
 * Mountpath states (AIStore's names in GET /v1/daemon?what=mountpaths):
 *
 *            fs_add                fs_begin_dd            fs_disable
 *   (none) ---------> available -------------> waiting_dd ----------> disabled
 *                      ^   ^  |                   |  fs_enable          |  fs_enable
 *                      |   |  +-- fs_disable -----+--------------------> |
 *                      |   +-------------------------------------------+
 *                      |  fs_add (re-attach)      any --fs_detach--> detached (not listed)
 *                      +-------------------------------------------------------+
 *
 * - available: HRW placement, reads, writes, walks;
 * - waiting_dd: being disabled or detached: no new placement, still read and walked;
 * - disabled: kept (may be re-enabled), not used;
 * - detached: gone; the slot stays so that indices remain valid.
 * Indices are stable: the table is append-only (a re-attach reuses the path's slot), entries
 * never move, path/digest never change. Readers (the data path) take no lock: fs_count,
 * fs_get and the state are atomics; writers (attach/enable/disable/detach) serialize on a mutex.
 * FS_MAX is a hard limit: fs_add fails with an error naming it. The attach/enable/disable/detach
 * HTTP API (with resilver) is not here yet: these are the C functions it will call. */
#ifndef AIS_FS_H
#define AIS_FS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FS_MAX 64

typedef enum {
	FS_AVAIL = 0,   /* "available" */
	FS_WAITING_DD,  /* "waiting_dd": being disabled or detached */
	FS_DISABLED,    /* "disabled" */
	FS_DETACHED,    /* removed (not listed) */
} fs_state_t;

typedef struct mpath {
	char path[1024];   /* cleaned (no trailing '/'); immutable once added */
	uint64_t digest;   /* hrw_digest(path); immutable */
	_Atomic int state; /* fs_state_t */
	_Atomic int dd_detach; /* waiting_dd: to be detached (1) or disabled (0) */
} mpath_t;

/* attach a mountpath: mkdir -p, must be a writable directory with user xattrs. A detached path
 * is re-attached in its old slot. 0; AIS_EEXIST (present and not detached); AIS_EINVAL (unusable,
 * or FS_MAX reached: message in err). */
int fs_add(const char *path, char *err, size_t errcap);
/* begin disabling or detaching (state waiting_dd: placement stops, walks go on). 0; AIS_ENOTFOUND;
 * AIS_EINVAL when the mountpath is not available (already disabled: nothing to begin). */
int fs_begin_dd(const char *path, char *err, size_t errcap);
/* the same, remembering that the mountpath is to be detached (not disabled) when fs_dd_commit
 * finishes it */
int fs_begin_detach(const char *path, char *err, size_t errcap);
/* the resilver that follows disable/detach is done: every waiting_dd mountpath becomes disabled
 * or detached (as begun); returns how many */
int fs_dd_commit(void);
/* the resilver was aborted by the user: every waiting_dd mountpath is available again */
int fs_dd_cancel(void);
/* available or waiting_dd or disabled -> disabled (0 also when already disabled); AIS_ENOTFOUND */
int fs_disable(const char *path, char *err, size_t errcap);
/* disabled or waiting_dd -> available (0 also when already available); AIS_ENOTFOUND */
int fs_enable(const char *path, char *err, size_t errcap);
/* any state -> detached; AIS_ENOTFOUND if unknown or already detached */
int fs_detach(const char *path, char *err, size_t errcap);

/* tests and exit only: forget every mountpath (not safe against concurrent readers) */
void fs_reset(void);
/* number of slots (every state; detached included): iterate 0..fs_count()-1 with fs_get */
int fs_count(void);
/* the slot (stable pointer for the process lifetime), NULL when i is out of range */
const mpath_t *fs_get(int i);
fs_state_t fs_state(int i);
/* available: takes new objects (HRW) */
bool fs_avail(int i);
/* available or waiting_dd: holds readable content that walks (list, cleanup) must visit */
bool fs_in_use(int i);
/* slot of a path (cleaned like fs_add) in any state but detached; -1 if none */
int fs_find(const char *path);
/* number of available mountpaths */
int fs_num_avail(void);
/* number of mountpaths in use (available or waiting_dd) */
int fs_num_in_use(void);
/* winning available mountpath for an object uname digest; -1 if none is available */
int fs_hrw(uint64_t uname_digest);
/* used and total bytes over the filesystems of the mountpaths in use */
void fs_capacity(uint64_t *used, uint64_t *total);
/* AIStore's apc.MountpathList {"available":[], "waiting_dd":[], "disabled":[]} (sorted); new ref */
json_t *fs_mpl_json(void);
/* reads in flight per mountpath (a GET opened there and not closed yet): what a mirrored
 * object's read balances on (AIStore reads the copy on the least-utilized mountpath) */
void fs_io_begin(int i);
void fs_io_end(int i);
int64_t fs_io_load(int i);
/* "available", "waiting_dd", "disabled", "detached" */
const char *fs_state_name(fs_state_t s);

#endif
