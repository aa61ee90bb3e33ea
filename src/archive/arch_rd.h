/* arch_rd: reading a shard (TAR with USTAR/PAX/GNU headers, TGZ, TAR.LZ4, ZIP) through
 * libarchive, one entry after the other. The source is a file range [0, size) read with pread
 * (the fd's offset is never used, so the caller may share the fd, e.g. with sendfile) or a memory
 * buffer; nothing past `size` is ever read, so a file longer than its metadata says is read as
 * the metadata says. For a plain TAR each entry reports where its data starts in the source, so
 * the caller can send it with sendfile or index it. Skipped data is seeked over, not read.
 *
 *   arch_rd_open_fd / _mem ─► arch_rd_next (1: entry) ─► arch_rd_read* ─► ... ─► 0: end ─► close
 *                                   └── AIS_EINVAL: malformed or truncated (arch_rd_err says why)
 *
 * The format is the caller's (arch_mime.h): the reader enables only that format and filter and
 * refuses content of another kind. An empty source is an archive without entries.
 * Ownership: the reader owns its libarchive handle; the fd or buffer stay the caller's and must
 * outlive it. Not thread-safe (one reader, one thread). Blocks on pread. */
#ifndef AIS_ARCH_RD_H
#define AIS_ARCH_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "archive/arch_mime.h"

typedef struct arch_rd arch_rd_t;

typedef struct arch_ent {
	const char *name;  /* as stored (valid until the next arch_rd_next / close) */
	int64_t size;      /* bytes of data */
	int64_t mtime;     /* seconds since the epoch */
	int mode;          /* permission bits */
	bool regular;      /* a regular file (directories, links, devices are not) */
	int64_t data_off;  /* ARCH_TAR, non-sparse regular entry: where its data starts in the
			    * source; -1 otherwise */
	int64_t end_off;   /* ARCH_TAR, any non-sparse entry: where the entry (data and padding)
			    * ends, i.e. where the next header would start; -1 otherwise */
	bool gnu;          /* ARCH_TAR: the header is GNU tar's (appends keep the flavor) */
} arch_ent_t;

/* open fmt over fd's bytes [0, size). 0, AIS_EINVAL (content is not fmt: err says why),
 * AIS_ENOMEM. */
int arch_rd_open_fd(arch_rd_t **out, arch_fmt_t fmt, int fd, int64_t size, char *err, size_t cap);
/* the same over any source: pread(arg, buf, n, off) → bytes, 0 at the end, < 0 AIS_E* (e.g. an
 * object's chunks through obj_get_pread) */
typedef ssize_t (*arch_pread_fn)(void *arg, void *buf, size_t n, int64_t off);
int arch_rd_open_src(arch_rd_t **out, arch_fmt_t fmt, arch_pread_fn pread, void *arg, int64_t size, char *err,
		     size_t cap);
/* the same over a memory buffer (kept by the caller) */
int arch_rd_open_mem(arch_rd_t **out, arch_fmt_t fmt, const void *buf, size_t len, char *err, size_t cap);
/* the next entry: 1 (ent filled), 0 at the end of the archive, AIS_EINVAL (malformed, truncated;
 * arch_rd_err), AIS_EIO (a read failed) */
int arch_rd_next(arch_rd_t *r, arch_ent_t *ent);
/* the current entry's data: n > 0, 0 at its end, AIS_EINVAL (corrupt or truncated), AIS_EIO */
ssize_t arch_rd_read(arch_rd_t *r, void *buf, size_t cap);
/* the last error's text ("" when none) */
const char *arch_rd_err(const arch_rd_t *r);
/* the current header as libarchive's `struct archive_entry *` (valid until the next arch_rd_next;
 * arch_wr_entry_from copies it into another archive); NULL before the first or at the end */
void *arch_rd_entry(arch_rd_t *r);
void arch_rd_close(arch_rd_t *r);

/* AIStore's namesEq: equal, or equal once a leading '/' is dropped from either */
bool arch_rd_name_eq(const char *stored, const char *want);

/* headers parsed by every reader of this process so far (tests prove an index lookup parses
 * none) */
uint64_t arch_rd_hdrs_total(void);

#endif
