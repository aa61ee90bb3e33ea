/* fsops: the seam for blocking filesystem work (durable metadata writes, mkdir -p, fsync,
 * whole-file reads). Every module that persists metadata goes through here so durability
 * rules live in one place and tests can inject faults (fsops_fault_inject). */
#ifndef AIS_FSOPS_H
#define AIS_FSOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* write data to path atomically: temp file in the same dir, write, fsync, rename, fsync dir.
 * Returns 0 or AIS_E*. */
int fsops_write_atomic(const char *path, const void *data, size_t len);
/* the same with the file's mode (0600 for files that hold secrets: no other user may read them,
 * not even for the instant before a chmod) */
int fsops_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);
/* read the whole file (< max bytes) into a malloc'd NUL-terminated buffer; caller frees *out. */
int fsops_read_file(const char *path, size_t max, char **out, size_t *len);
/* mkdir -p with mode 0755; 0 if it exists. */
int fsops_mkdir_p(const char *path);
/* mkdir -p of the parent directory of path. */
int fsops_mkdir_parent(const char *path);
/* fsync a directory by path. */
int fsops_fsync_dir(const char *dir);
/* write all len bytes (retrying short writes/EINTR). Returns 0 or AIS_E*. */
int fsops_write_all(int fd, const void *data, size_t len);
/* remove a directory tree (rm -rf); 0 if it does not exist. */
int fsops_rm_rf(const char *path);
/* remove empty parent directories of path up to (not including) stop. */
void fsops_rm_empty_parents(const char *path, const char *stop);

/* fault injection for tests: the next n writes through fsops_write_all fail with errno e. */
void fsops_fault_inject(int e, int n);

#endif
