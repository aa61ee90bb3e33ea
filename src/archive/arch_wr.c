/* arch_wr: the shard writer over libarchive (see arch_wr.h). libarchive writes unblocked
 * (bytes_per_block 0) straight into arch_wr_out_cb, which forwards to the sink. Zero-copy TAR
 * payloads: arch_wr_data_fd writes no data, so at the end of the entry libarchive emits the
 * entry's size in zero bytes plus the padding; the callback replaces the first `size` of them
 * with one sink->sendfile of the file range (state: sub_fd/sub_off/sub_skip).
 * Errors: the callback never reports a failed sink to libarchive (it records sink_rc and drops
 * what follows; every call here checks sink_rc): a write error would leave libarchive's output
 * filter in a failed state that archive_write_free does not release (libarchive 3.6 leaks it).
 * Freeing an unfinished writer closes it with the output dropped, for the same reason.
 * Invariant: the sink sees exactly the bytes of a valid archive, in order, or an error. */
#include "archive/arch_wr.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"

#define ARCH_WR_BUF (256 * 1024)

struct arch_wr {
	struct archive *a;
	arch_fmt_t fmt;
	arch_sink_t sink;
	int rc;            /* sticky error */
	int sink_rc;       /* the sink's own code (reported instead of libarchive's failure) */
	bool in_entry, closed;
	/* zero-copy substitution of the current entry's data */
	int sub_fd;
	int64_t sub_off, sub_len, sub_skip;
	bool sub_sent;
	int64_t out;       /* bytes to the sink */
	char *buf;         /* pread buffer (allocated on first use) */
	bool dead;         /* being freed unfinished: output is dropped */
	char err[256];
};

static la_ssize_t arch_wr_out_cb(struct archive *a, void *arg, const void *buf, size_t n)
{
	arch_wr_t *w = arg;
	const char *p = buf;
	size_t left = n;
	(void)a;
	if (w->sink_rc || w->dead)
		return (la_ssize_t)n; /* discarded: the error is ours to report (see the top) */
	if (w->sub_skip > 0) {
		if (!w->sub_sent) {
			w->sub_sent = true;
			int rc = w->sink.sendfile(w->sink.arg, w->sub_fd, w->sub_off, w->sub_len);
			if (rc) {
				w->sink_rc = rc;
				return (la_ssize_t)n;
			}
			w->out += w->sub_len;
		}
		size_t k = (uint64_t)w->sub_skip < left ? (size_t)w->sub_skip : left;
		w->sub_skip -= (int64_t)k;
		p += k;
		left -= k;
	}
	if (left) {
		int rc = w->sink.write(w->sink.arg, p, left);
		if (rc) {
			w->sink_rc = rc;
			return (la_ssize_t)n;
		}
		w->out += (int64_t)left;
	}
	return (la_ssize_t)n;
}

static int arch_wr_fail(arch_wr_t *w, const char *what)
{
	if (w->sink_rc) {
		w->rc = w->sink_rc;
		snprintf(w->err, sizeof(w->err), "%s: output failed (%s)", what, err_str(w->sink_rc));
	} else {
		const char *m = archive_error_string(w->a);
		w->rc = AIS_EINVAL;
		snprintf(w->err, sizeof(w->err), "%s%s%s", what, m ? ": " : "", m ? m : "");
	}
	return w->rc;
}

/* an option this libarchive does not know (ARCHIVE_WARN) leaves its default */
static int arch_wr_opt_ok(int rc) { return rc == ARCHIVE_WARN ? ARCHIVE_OK : rc; }

static int arch_wr_setup(arch_wr_t *w, arch_tar_flavor_t flavor)
{
	struct archive *a = w->a;
	int rc = ARCHIVE_OK;
	if (w->fmt == ARCH_ZIP) {
		rc = archive_write_set_format_zip(a);
		if (rc == ARCHIVE_OK)
			rc = archive_write_zip_set_compression_store(a);
	} else if (flavor == ARCH_TAR_GNU) {
		rc = archive_write_set_format_gnutar(a);
	} else if (flavor == ARCH_TAR_USTAR) {
		rc = archive_write_set_format_ustar(a);
	} else if (flavor == ARCH_TAR_PAX) {
		rc = archive_write_set_format_pax(a);
	} else {
		rc = archive_write_set_format_pax_restricted(a);
	}
	if (rc == ARCHIVE_OK && w->fmt == ARCH_TGZ) {
		rc = archive_write_add_filter_gzip(a);
		if (rc == ARCHIVE_OK)
			rc = archive_write_set_filter_option(a, "gzip", "compression-level", "1");
		if (rc == ARCHIVE_OK) /* no mtime in the gzip header: same bytes for the same input */
			rc = arch_wr_opt_ok(archive_write_set_filter_option(a, "gzip", "timestamp", NULL));
	} else if (rc == ARCHIVE_OK && w->fmt == ARCH_TAR_LZ4) {
		rc = archive_write_add_filter_lz4(a);
		if (rc == ARCHIVE_OK)
			rc = archive_write_set_filter_option(a, "lz4", "block-size", "5"); /* 256 KiB */
		if (rc == ARCHIVE_OK)
			rc = arch_wr_opt_ok(archive_write_set_filter_option(a, "lz4", "stream-checksum", NULL));
	}
	if (rc == ARCHIVE_OK)
		rc = archive_write_set_bytes_per_block(a, 0);
	if (rc == ARCHIVE_OK)
		rc = archive_write_set_bytes_in_last_block(a, 1);
	if (rc == ARCHIVE_OK)
		rc = archive_write_open2(a, w, NULL, arch_wr_out_cb, NULL, NULL);
	return rc == ARCHIVE_OK && !w->sink_rc ? 0 : arch_wr_fail(w, "archive writer");
}

static int arch_wr_make(arch_wr_t **out, arch_fmt_t fmt, arch_tar_flavor_t flavor, const arch_sink_t *sink)
{
	*out = NULL;
	if (fmt == ARCH_NONE || !sink || !sink->write)
		return AIS_EINVAL;
	arch_wr_t *w = calloc(1, sizeof(*w));
	if (!w)
		return AIS_ENOMEM;
	w->fmt = fmt;
	w->sink = *sink;
	w->sub_fd = -1;
	if (!(w->a = archive_write_new())) {
		free(w);
		return AIS_ENOMEM;
	}
	int rc = arch_wr_setup(w, flavor);
	if (rc) {
		arch_wr_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int arch_wr_new(arch_wr_t **out, arch_fmt_t fmt, const arch_sink_t *sink)
{
	return arch_wr_make(out, fmt, ARCH_TAR_AUTO, sink);
}

int arch_wr_new_tar(arch_wr_t **out, arch_tar_flavor_t flavor, const arch_sink_t *sink)
{
	return arch_wr_make(out, ARCH_TAR, flavor, sink);
}

/* end the current entry: libarchive pads (and emits the substituted range) */
static int arch_wr_finish_entry(arch_wr_t *w)
{
	if (!w->in_entry)
		return 0;
	w->in_entry = false;
	int rc = archive_write_finish_entry(w->a);
	w->sub_fd = -1;
	w->sub_skip = 0;
	if (rc != ARCHIVE_OK || w->sink_rc)
		return arch_wr_fail(w, "finish entry");
	return 0;
}

static int arch_wr_header(arch_wr_t *w, struct archive_entry *e, const char *what)
{
	if (w->rc)
		return w->rc;
	if (w->closed)
		return AIS_EINVAL;
	if (arch_wr_finish_entry(w))
		return w->rc;
	int rc = archive_write_header(w->a, e);
	if (rc == ARCHIVE_WARN && !w->sink_rc)
		rc = ARCHIVE_OK; /* e.g. an attribute the format cannot hold */
	if (rc != ARCHIVE_OK || w->sink_rc) {
		if (rc == ARCHIVE_FAILED && !w->sink_rc) { /* this entry only: the archive stays good */
			const char *m = archive_error_string(w->a);
			snprintf(w->err, sizeof(w->err), "%s: %s", what, m ? m : "refused");
			return AIS_EINVAL;
		}
		return arch_wr_fail(w, what);
	}
	w->in_entry = true;
	return 0;
}

int arch_wr_begin(arch_wr_t *w, const char *name, int64_t size, int64_t mtime_s)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return AIS_ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, mtime_s, 0);
	int rc = arch_wr_header(w, e, name);
	archive_entry_free(e);
	return rc;
}

int arch_wr_begin_from(arch_wr_t *w, void *rd_entry)
{
	if (!rd_entry)
		return AIS_EINVAL;
	return arch_wr_header(w, rd_entry, archive_entry_pathname(rd_entry));
}

int arch_wr_data(arch_wr_t *w, const void *buf, size_t len)
{
	if (w->rc)
		return w->rc;
	if (!w->in_entry)
		return AIS_EINVAL;
	const char *p = buf;
	while (len) {
		la_ssize_t n = archive_write_data(w->a, p, len);
		if (n <= 0 || w->sink_rc)
			return arch_wr_fail(w, "write data");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int arch_wr_copy_fd(arch_wr_t *w, int fd, int64_t off, int64_t len)
{
	if (!w->buf && !(w->buf = malloc(ARCH_WR_BUF)))
		return AIS_ENOMEM;
	while (len > 0) {
		size_t want = len < ARCH_WR_BUF ? (size_t)len : ARCH_WR_BUF;
		ssize_t n = pread(fd, w->buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(w->err, sizeof(w->err), "read: %s", n < 0 ? strerror(errno) : "file shorter than expected");
			return w->rc = AIS_EIO;
		}
		int rc = arch_wr_data(w, w->buf, (size_t)n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

int arch_wr_data_fd(arch_wr_t *w, int fd, int64_t off, int64_t len)
{
	if (w->rc)
		return w->rc;
	if (!w->in_entry)
		return AIS_EINVAL;
	if (w->fmt != ARCH_TAR || !w->sink.sendfile || len <= 0)
		return arch_wr_copy_fd(w, fd, off, len);
	w->sub_fd = fd;
	w->sub_off = off;
	w->sub_len = len;
	w->sub_skip = len;
	w->sub_sent = false;
	return arch_wr_finish_entry(w); /* emits the range now: fd need not outlive this call */
}

int arch_wr_close(arch_wr_t *w)
{
	if (w->rc)
		return w->rc;
	if (w->closed)
		return 0;
	if (arch_wr_finish_entry(w))
		return w->rc;
	w->closed = true;
	if (archive_write_close(w->a) != ARCHIVE_OK || w->sink_rc)
		return arch_wr_fail(w, "close archive");
	return 0;
}

void arch_wr_free(arch_wr_t *w)
{
	if (!w)
		return;
	if (w->a) {
		if (!w->closed || w->rc) { /* no trailer for an unfinished archive: its bytes are dropped */
			w->dead = true;
			archive_write_close(w->a); /* closes the filters: frees what archive_write_free would leak */
		}
		archive_write_free(w->a);
	}
	free(w->buf);
	free(w);
}

int64_t arch_wr_bytes(const arch_wr_t *w) { return w->out; }

const char *arch_wr_err(const arch_wr_t *w) { return w->err; }
