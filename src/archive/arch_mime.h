/* arch_mime: which of the four shard formats a name, a MIME string or a file's first bytes
 * denote (AIStore's cmn/archive/mime.go): by extension (.tar .tgz .tar.gz .zip .tar.lz4), else
 * by an `archmime` string ("tar", "application/x-tar", "tar.gz", ...: contains-match as
 * AIStore's normalize), else by magic (ustar at 257, gzip 1f8b, zip PK, lz4 frame 04224d18).
 * Also the format's canonical extension and the Content-Type AIStore sends for it.
 * Pure functions, no I/O: callers read the bytes for arch_mime_magic. */
#ifndef AIS_ARCH_MIME_H
#define AIS_ARCH_MIME_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	ARCH_NONE = 0,
	ARCH_TAR,
	ARCH_TGZ,     /* .tgz and .tar.gz: the same format */
	ARCH_TAR_LZ4,
	ARCH_ZIP,
} arch_fmt_t;

#define ARCH_MAGIC_LEN 512 /* bytes arch_mime_magic wants to see (the tar magic sits at 257) */

/* by the name's extension; ARCH_NONE when it has none of the five */
arch_fmt_t arch_mime_by_ext(const char *name);
/* AIStore's archive.Mime normalize: "" → ARCH_NONE with 0; a string containing "tar.gz" →
 * TGZ, "tar.lz4" → TAR_LZ4, else the first of tar, tgz, zip (".tar.gz" and ".tgz" both count as
 * gz) it contains; AIS_EINVAL ("unknown mime type") otherwise. */
int arch_mime_norm(const char *mime, arch_fmt_t *out);
/* the format a request names: archmime when given (must be valid), else the extension of name.
 * 0 with *out (ARCH_NONE when neither says: the caller may then try the magic), or AIS_EINVAL
 * for an unknown archmime. */
int arch_mime_of(const char *mime, const char *name, arch_fmt_t *out);
/* by magic: n bytes from offset 0 of the file; ARCH_NONE when unrecognized. A TAR needs all 512
 * header bytes (AIStore's "too short" rule), gzip and lz4 at least 8. */
arch_fmt_t arch_mime_magic(const void *buf, size_t n);
/* ".tar", ".tgz", ".tar.lz4", ".zip" ("" for ARCH_NONE) */
const char *arch_mime_ext(arch_fmt_t f);
/* AIStore's ContentTypeFromExt: application/x-tar, application/gzip, application/x-lz4,
 * application/zip */
const char *arch_mime_ctype(arch_fmt_t f);
/* the format is a TAR stream (TAR, TGZ, TAR_LZ4) */
bool arch_mime_is_tar(arch_fmt_t f);

#endif
