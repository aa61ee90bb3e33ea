/* arch_wr: writing a shard (TAR, TGZ, TAR.LZ4, ZIP) through libarchive as a stream of bytes
 * handed to a sink, never seeking, never buffering the archive: the sink may be an HTTP response,
 * an object writer or a file. Entries are regular files (mode 0644, uid/gid 0, as AIStore's
 * archive.Writer writes them); TAR headers are USTAR, PAX only when a name or size needs it
 * (Go's FormatUnknown), or GNU/USTAR on request (appending to an archive of that flavor). TGZ is
 * gzip level 1 (AIStore's BestSpeed), TAR.LZ4 an LZ4 frame with 256 KiB blocks, ZIP entries are
 * stored (Go's zip.FileHeader default). No record padding: a TAR ends with two zero blocks.
 *
 *   arch_wr_new ─► (arch_wr_begin ─► arch_wr_data* | arch_wr_data_fd)* ─► arch_wr_close ─► free
 *
 * Zero copy: for a plain TAR whose sink has `sendfile`, arch_wr_data_fd hands the file range to
 * the sink between the header libarchive generated and the padding (libarchive's own bytes for
 * that range are dropped), so a payload never passes through user space.
 * Errors are sticky: after one, every call returns it. Ownership: the writer owns its libarchive
 * handle; the sink's arg is the caller's. Not thread-safe. */
#ifndef AIS_ARCH_WR_H
#define AIS_ARCH_WR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/arch_mime.h"

typedef struct arch_sink {
	/* len bytes of output: 0 or AIS_E* (stops the writer) */
	int (*write)(void *arg, const void *buf, size_t len);
	/* optional (TAR only): len bytes of fd from off, by sendfile or alike; 0 or AIS_E* */
	int (*sendfile)(void *arg, int fd, int64_t off, int64_t len);
	void *arg;
} arch_sink_t;

typedef enum { ARCH_TAR_AUTO = 0, ARCH_TAR_USTAR, ARCH_TAR_PAX, ARCH_TAR_GNU } arch_tar_flavor_t;

typedef struct arch_wr arch_wr_t;

/* 0, AIS_EINVAL (ARCH_NONE), AIS_ENOMEM */
int arch_wr_new(arch_wr_t **out, arch_fmt_t fmt, const arch_sink_t *sink);
/* a TAR writer of the given header flavor (in-place append writes the flavor it found) */
int arch_wr_new_tar(arch_wr_t **out, arch_tar_flavor_t flavor, const arch_sink_t *sink);
/* start a regular-file entry of size bytes. 0, AIS_EINVAL (name refused by the format, e.g. too
 * long for USTAR), the sink's error */
int arch_wr_begin(arch_wr_t *w, const char *name, int64_t size, int64_t mtime_s);
/* start an entry with the header of a reader's current entry (arch_rd_entry): copies keep every
 * field (type, mode, owner, times, links) */
int arch_wr_begin_from(arch_wr_t *w, void *rd_entry);
/* the current entry's data; exactly the size given to begin, in total */
int arch_wr_data(arch_wr_t *w, const void *buf, size_t len);
/* the current entry's data from fd [off, off + len) (len = the whole entry): the sink's sendfile
 * for a plain TAR, else pread + arch_wr_data. AIS_EIO when the file is shorter. */
int arch_wr_data_fd(arch_wr_t *w, int fd, int64_t off, int64_t len);
/* finish the archive (TAR end blocks, gzip/lz4 trailer, ZIP central directory) */
int arch_wr_close(arch_wr_t *w);
/* NULL ok; an unclosed writer produces no trailer */
void arch_wr_free(arch_wr_t *w);
/* bytes handed to the sink so far */
int64_t arch_wr_bytes(const arch_wr_t *w);
const char *arch_wr_err(const arch_wr_t *w);

#endif
