/* fs: this target's mountpaths (AIStore's fs.MountedFS, simplified): the list is fixed at
 * start-up from the local config's fspaths; each has its path, HRW digest and filesystem.
 * Placement of an object within the target: HRW over the mountpaths by the object's uname
 * digest (fs/hrw.go). Capacity: statvfs summed over distinct filesystems. */
#ifndef AIS_FS_H
#define AIS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FS_MAX 64

typedef struct mpath {
	char path[1024];
	uint64_t digest;   /* hrw_digest(path) */
	dev_t dev;
} mpath_t;

/* add a mountpath: mkdir -p, must be a writable directory with user xattrs.
 * 0, AIS_EEXIST (duplicate), AIS_EINVAL (unusable: message in err). */
int fs_add(const char *path, char *err, size_t errcap);
void fs_reset(void);
int fs_count(void);
const mpath_t *fs_get(int i);
/* winning mountpath index for an object uname digest; -1 if none */
int fs_hrw(uint64_t uname_digest);
void fs_capacity(uint64_t *used, uint64_t *total);

#endif
