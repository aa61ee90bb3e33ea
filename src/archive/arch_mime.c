/* arch_mime: shard format by extension, MIME string or magic (see arch_mime.h). Pure. */
#include "archive/arch_mime.h"

#include <string.h>

#include "core/err.h"

static bool arch_mime_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

arch_fmt_t arch_mime_by_ext(const char *name)
{
	if (!name)
		return ARCH_NONE;
	if (arch_mime_suffix(name, ".tar"))
		return ARCH_TAR;
	if (arch_mime_suffix(name, ".tgz") || arch_mime_suffix(name, ".tar.gz"))
		return ARCH_TGZ;
	if (arch_mime_suffix(name, ".zip"))
		return ARCH_ZIP;
	if (arch_mime_suffix(name, ".tar.lz4"))
		return ARCH_TAR_LZ4;
	return ARCH_NONE;
}

int arch_mime_norm(const char *mime, arch_fmt_t *out)
{
	*out = ARCH_NONE;
	if (!mime || !*mime)
		return 0;
	/* AIStore's order: the two-part extensions first (they contain "tar"), then FileExtensions */
	if (strstr(mime, "tar.gz"))
		*out = ARCH_TGZ;
	else if (strstr(mime, "tar.lz4"))
		*out = ARCH_TAR_LZ4;
	else if (strstr(mime, "tar"))
		*out = ARCH_TAR;
	else if (strstr(mime, "tgz"))
		*out = ARCH_TGZ;
	else if (strstr(mime, "zip"))
		*out = ARCH_ZIP;
	return *out == ARCH_NONE ? AIS_EINVAL : 0;
}

int arch_mime_of(const char *mime, const char *name, arch_fmt_t *out)
{
	if (mime && *mime)
		return arch_mime_norm(mime, out);
	*out = arch_mime_by_ext(name);
	return 0;
}

arch_fmt_t arch_mime_magic(const void *buf, size_t n)
{
	const unsigned char *b = buf;
	if (n >= ARCH_MAGIC_LEN && !memcmp(b + 257, "ustar", 5))
		return ARCH_TAR;
	if (n >= 8 && b[0] == 0x1f && b[1] == 0x8b)
		return ARCH_TGZ;
	if (n >= 4 && b[0] == 0x50 && b[1] == 0x4b)
		return ARCH_ZIP;
	if (n >= 8 && b[0] == 0x04 && b[1] == 0x22 && b[2] == 0x4d && b[3] == 0x18)
		return ARCH_TAR_LZ4;
	return ARCH_NONE;
}

const char *arch_mime_ext(arch_fmt_t f)
{
	switch (f) {
	case ARCH_TAR:
		return ".tar";
	case ARCH_TGZ:
		return ".tgz";
	case ARCH_TAR_LZ4:
		return ".tar.lz4";
	case ARCH_ZIP:
		return ".zip";
	default:
		return "";
	}
}

const char *arch_mime_ctype(arch_fmt_t f)
{
	switch (f) {
	case ARCH_TGZ:
		return "application/gzip";
	case ARCH_TAR_LZ4:
		return "application/x-lz4";
	case ARCH_ZIP:
		return "application/zip";
	default:
		return "application/x-tar";
	}
}

bool arch_mime_is_tar(arch_fmt_t f) { return f == ARCH_TAR || f == ARCH_TGZ || f == ARCH_TAR_LZ4; }
