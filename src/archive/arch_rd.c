/* arch_rd: the shard reader over libarchive (see arch_rd.h). The source callbacks read with
 * pread from a position of our own, bounded by the size the caller gave: small reads right
 * after a skip (the next thing is usually a 512-byte header), doubling while reading on (data),
 * so a header scan of a large TAR reads little more than its headers.
 * Invariant: the reader never reads at or past `size`, never moves the fd's offset. */
#include "archive/arch_rd.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"

#define ARCH_RD_BLK_MIN 4096
#define ARCH_RD_BLK_MAX (256 * 1024)

struct arch_rd {
	struct archive *a;
	arch_fmt_t fmt;
	arch_pread_fn src;      /* NULL: memory */
	void *src_arg;
	int fd;
	const unsigned char *mem;
	int64_t size, pos;
	size_t blk;             /* next read size */
	unsigned char *buf;     /* ARCH_RD_BLK_MAX */
	struct archive_entry *cur; /* the current header (libarchive's, valid until the next) */
	bool empty, opened, ioerr;
	char err[256];
};

static atomic_uint_fast64_t arch_rd_hdrs;

uint64_t arch_rd_hdrs_total(void) { return atomic_load(&arch_rd_hdrs); }

/* ---------------------------------------------------------------- source callbacks */

static la_ssize_t arch_rd_read_cb(struct archive *a, void *arg, const void **out)
{
	arch_rd_t *r = arg;
	(void)a;
	int64_t left = r->size - r->pos;
	if (left <= 0)
		return 0;
	size_t want = r->blk < (uint64_t)left ? r->blk : (size_t)left;
	if (!r->src) {
		*out = r->mem + r->pos;
		r->pos += (int64_t)want;
		r->blk = r->blk * 2 > ARCH_RD_BLK_MAX ? ARCH_RD_BLK_MAX : r->blk * 2;
		return (la_ssize_t)want;
	}
	ssize_t n = r->src(r->src_arg, r->buf, want, r->pos);
	if (n < 0) {
		r->ioerr = true;
		archive_set_error(a, EIO, "read: %s", err_str((int)n));
		return -1;
	}
	r->pos += n;
	r->blk = r->blk * 2 > ARCH_RD_BLK_MAX ? ARCH_RD_BLK_MAX : r->blk * 2;
	*out = r->buf;
	return n;
}

static la_int64_t arch_rd_skip_cb(struct archive *a, void *arg, la_int64_t req)
{
	arch_rd_t *r = arg;
	(void)a;
	int64_t left = r->size - r->pos;
	if (req > left)
		req = left;
	if (req < 0)
		req = 0;
	r->pos += req;
	r->blk = ARCH_RD_BLK_MIN;
	return req;
}

static la_int64_t arch_rd_seek_cb(struct archive *a, void *arg, la_int64_t off, int whence)
{
	arch_rd_t *r = arg;
	(void)a;
	int64_t np = whence == SEEK_SET ? off : whence == SEEK_CUR ? r->pos + off : r->size + off;
	if (np < 0)
		return ARCHIVE_FATAL;
	if (np > r->size)
		np = r->size;
	r->pos = np;
	r->blk = ARCH_RD_BLK_MIN;
	return np;
}

/* ---------------------------------------------------------------- open */

static void arch_rd_seterr(arch_rd_t *r, const char *what)
{
	const char *m = r->a ? archive_error_string(r->a) : NULL;
	snprintf(r->err, sizeof(r->err), "%s%s%s", what, m ? ": " : "", m ? m : "");
}

static int arch_rd_support(arch_rd_t *r)
{
	struct archive *a = r->a;
	switch (r->fmt) {
	case ARCH_TAR:
		return archive_read_support_format_tar(a);
	case ARCH_TGZ:
		if (archive_read_support_filter_gzip(a) != ARCHIVE_OK)
			return ARCHIVE_FATAL;
		return archive_read_support_format_tar(a);
	case ARCH_TAR_LZ4:
		/* ARCHIVE_WARN: lz4 through an external program; Debian's libarchive links liblz4 */
		if (archive_read_support_filter_lz4(a) == ARCHIVE_FATAL)
			return ARCHIVE_FATAL;
		return archive_read_support_format_tar(a);
	case ARCH_ZIP:
		return archive_read_support_format_zip_seekable(a);
	default:
		return ARCHIVE_FATAL;
	}
}

/* the content must be what the name says (AIStore opens a .tgz with gzip, fails otherwise) */
static int arch_rd_check_filter(arch_rd_t *r)
{
	int want = r->fmt == ARCH_TGZ ? ARCHIVE_FILTER_GZIP : r->fmt == ARCH_TAR_LZ4 ? ARCHIVE_FILTER_LZ4
									      : ARCHIVE_FILTER_NONE;
	int got = archive_filter_code(r->a, 0);
	if (got == want)
		return 0;
	snprintf(r->err, sizeof(r->err), "not a %s archive (found %s compression)", arch_mime_ext(r->fmt),
		 got == ARCHIVE_FILTER_NONE ? "no" : archive_filter_name(r->a, 0));
	return AIS_EINVAL;
}

static int arch_rd_open(arch_rd_t *r, char *err, size_t cap)
{
	r->blk = ARCH_RD_BLK_MIN;
	if (r->size == 0) {
		r->empty = true;
		return 0;
	}
	if (!(r->a = archive_read_new()))
		return AIS_ENOMEM;
	if (arch_rd_support(r) != ARCHIVE_OK && r->fmt != ARCH_TAR_LZ4) {
		arch_rd_seterr(r, "unsupported format");
		goto bad;
	}
	archive_read_set_read_callback(r->a, arch_rd_read_cb);
	archive_read_set_skip_callback(r->a, arch_rd_skip_cb);
	archive_read_set_seek_callback(r->a, arch_rd_seek_cb);
	archive_read_set_callback_data(r->a, r);
	if (archive_read_open1(r->a) != ARCHIVE_OK) {
		arch_rd_seterr(r, r->ioerr ? "read failed" : "not a valid archive");
		goto bad;
	}
	r->opened = true;
	if (arch_rd_check_filter(r))
		goto bad;
	return 0;
bad:
	snprintf(err, cap, "%s", r->err);
	return r->ioerr ? AIS_EIO : AIS_EINVAL;
}

static ssize_t arch_rd_pread_fd(void *arg, void *buf, size_t n, int64_t off)
{
	const arch_rd_t *r = arg;
	ssize_t k;
	do {
		k = pread(r->fd, buf, n, off);
	} while (k < 0 && errno == EINTR);
	return k < 0 ? err_from_errno(errno) : k;
}

static int arch_rd_new(arch_rd_t **out, arch_fmt_t fmt, arch_pread_fn src, void *src_arg, int fd,
		       const void *mem, int64_t size, char *err, size_t cap)
{
	*out = NULL;
	if (cap)
		err[0] = '\0';
	if (fmt == ARCH_NONE || size < 0) {
		snprintf(err, cap, "unknown archive format");
		return AIS_EINVAL;
	}
	arch_rd_t *r = calloc(1, sizeof(*r));
	if (!r || (!mem && !(r->buf = malloc(ARCH_RD_BLK_MAX)))) {
		free(r);
		return AIS_ENOMEM;
	}
	r->fmt = fmt;
	r->fd = fd;
	r->mem = mem;
	r->src = src;
	r->src_arg = src == arch_rd_pread_fd ? r : src_arg;
	r->size = size;
	int rc = arch_rd_open(r, err, cap);
	if (rc) {
		arch_rd_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int arch_rd_open_fd(arch_rd_t **out, arch_fmt_t fmt, int fd, int64_t size, char *err, size_t cap)
{
	if (fd < 0) {
		snprintf(err, cap, "bad file descriptor");
		return AIS_EINVAL;
	}
	return arch_rd_new(out, fmt, arch_rd_pread_fd, NULL, fd, NULL, size, err, cap);
}

int arch_rd_open_src(arch_rd_t **out, arch_fmt_t fmt, arch_pread_fn pread, void *arg, int64_t size, char *err,
		     size_t cap)
{
	return arch_rd_new(out, fmt, pread, arg, -1, NULL, size, err, cap);
}

int arch_rd_open_mem(arch_rd_t **out, arch_fmt_t fmt, const void *buf, size_t len, char *err, size_t cap)
{
	return arch_rd_new(out, fmt, NULL, NULL, -1, buf ? buf : "", (int64_t)len, err, cap);
}

/* ---------------------------------------------------------------- entries */

int arch_rd_next(arch_rd_t *r, arch_ent_t *ent)
{
	struct archive_entry *e;
	memset(ent, 0, sizeof(*ent));
	ent->data_off = -1;
	r->cur = NULL;
	if (r->empty)
		return 0;
	int rc = archive_read_next_header(r->a, &e);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
		arch_rd_seterr(r, r->ioerr ? "read failed" : "malformed archive");
		return r->ioerr ? AIS_EIO : AIS_EINVAL;
	}
	atomic_fetch_add(&arch_rd_hdrs, 1);
	r->cur = e;
	const char *nm = archive_entry_pathname(e);
	ent->name = nm ? nm : "";
	ent->size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	ent->mtime = archive_entry_mtime(e);
	ent->mode = (int)(archive_entry_perm(e) & 07777);
	ent->regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) && ent->size >= 0;
	ent->end_off = -1;
	if (r->fmt == ARCH_TAR && archive_entry_sparse_count(e) == 0) {
		int64_t pos = archive_filter_bytes(r->a, 0);
		int64_t sz = archive_entry_size_is_set(e) && archive_entry_size(e) > 0 ? archive_entry_size(e) : 0;
		/* links and directories carry no data whatever their size field says */
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
			sz = archive_entry_filetype(e) == AE_IFREG ? 0 : sz;
		ent->end_off = pos + ((sz + 511) & ~(int64_t)511);
		if (ent->regular)
			ent->data_off = pos;
		ent->gnu = archive_format(r->a) == ARCHIVE_FORMAT_TAR_GNUTAR;
	}
	return 1;
}

ssize_t arch_rd_read(arch_rd_t *r, void *buf, size_t cap)
{
	if (r->empty)
		return 0;
	la_ssize_t n = archive_read_data(r->a, buf, cap);
	if (n >= 0)
		return (ssize_t)n;
	arch_rd_seterr(r, r->ioerr ? "read failed" : "corrupted archive data");
	return r->ioerr ? AIS_EIO : AIS_EINVAL;
}

const char *arch_rd_err(const arch_rd_t *r) { return r->err; }

void *arch_rd_entry(arch_rd_t *r) { return r->cur; }

void arch_rd_close(arch_rd_t *r)
{
	if (!r)
		return;
	if (r->a)
		archive_read_free(r->a);
	free(r->buf);
	free(r);
}

bool arch_rd_name_eq(const char *stored, const char *want)
{
	if (!strcmp(stored, want))
		return true;
	if (*stored == '/')
		stored++;
	if (*want == '/')
		want++;
	return !strcmp(stored, want);
}
