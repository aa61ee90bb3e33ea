/* s3_form: streaming multipart/form-data (see s3_form.h). The body is scanned for the delimiter
 * "\r\n--<boundary>" (the stream is treated as if it began with "\r\n", so a first boundary at
 * the very start is found the same way); bytes of a part's content are handed on as soon as they
 * cannot be the beginning of a delimiter, so at most delimiter-length - 1 bytes are held back.
 *
 *   PRE ──delim──► AFTER ──"\r\n"──► HDRS ──empty line──► BODY ──delim──► AFTER ...
 *                    └────"--"─────► END (the epilogue is ignored)
 */
#include "s3/s3_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/sbuf.h"

#define S3F_MAX_HDRS (16u << 10)
#define S3F_SLICE (64u << 10)

enum { S3F_PRE, S3F_AFTER, S3F_HDRS, S3F_BODY, S3F_END };

struct s3_form {
	const s3_form_cb_t *cb;
	void *arg;
	char delim[80]; /* "\r\n--" + boundary */
	size_t dlen;
	int state;
	char *win;      /* bytes received and not yet consumed */
	size_t wlen, wcap;
	size_t hdr_bytes;
	/* the current part */
	char name[256], filename[256], ctype[256];
	bool is_file, skip; /* skip: a part after the file (ignored) */
	sbuf_t val;
	int nfields;
	bool file_seen;
	char err[160];
};

static int s3f_fail(s3_form_t *f, const char *msg)
{
	snprintf(f->err, sizeof(f->err), "%s", msg);
	return AIS_EINVAL;
}

int s3_form_boundary(const char *ctype, char *out, size_t cap)
{
	if (!ctype || strncasecmp(ctype, "multipart/form-data", 19))
		return AIS_EINVAL;
	const char *p = ctype + 19;
	while (*p) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (!strncasecmp(p, "boundary=", 9)) {
			p += 9;
			size_t n;
			if (*p == '"') {
				p++;
				n = strcspn(p, "\"");
				if (p[n] != '"')
					return AIS_EINVAL;
			} else {
				n = strcspn(p, "; \t");
			}
			if (!n || n > 70 || n >= cap)
				return AIS_EINVAL;
			memcpy(out, p, n);
			out[n] = '\0';
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
					return AIS_EINVAL;
			return 0;
		}
		p += strcspn(p, ";");
	}
	return AIS_EINVAL;
}

s3_form_t *s3_form_new(const char *ctype, const s3_form_cb_t *cb, void *arg, char *err, size_t cap)
{
	char b[80];
	if (s3_form_boundary(ctype, b, sizeof(b))) {
		snprintf(err, cap, "Content-Type must be multipart/form-data with a boundary");
		return NULL;
	}
	s3_form_t *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	f->cb = cb;
	f->arg = arg;
	f->dlen = (size_t)snprintf(f->delim, sizeof(f->delim), "\r\n--%s", b);
	f->val = (sbuf_t)SBUF_INIT;
	f->wcap = S3F_SLICE + sizeof(f->delim) + S3F_MAX_HDRS;
	f->win = malloc(f->wcap);
	if (!f->win) {
		free(f);
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	memcpy(f->win, "\r\n", 2); /* a boundary at the very start is preceded by nothing */
	f->wlen = 2;
	return f;
}

void s3_form_free(s3_form_t *f)
{
	if (!f)
		return;
	sbuf_fini(&f->val);
	free(f->win);
	free(f);
}

const char *s3_form_error(const s3_form_t *f) { return f->err; }
bool s3_form_done(const s3_form_t *f) { return f->state == S3F_END; }
bool s3_form_in_file(const s3_form_t *f) { return f->state == S3F_BODY && f->is_file; }

static void s3f_consume(s3_form_t *f, size_t n)
{
	memmove(f->win, f->win + n, f->wlen - n);
	f->wlen -= n;
}

/* the first delimiter in the window, or -1 */
static long s3f_find(const s3_form_t *f)
{
	const char *p = f->wlen >= f->dlen ? memmem(f->win, f->wlen, f->delim, f->dlen) : NULL;
	return p ? (long)(p - f->win) : -1;
}

/* a parameter (name="..." / filename="...") of a Content-Disposition value into out */
static bool s3f_param(const char *v, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *p = v; (p = strchr(p, ';')); ) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, key, kl) || p[kl] != '=')
			continue;
		p += kl + 1;
		size_t n;
		if (*p == '"') {
			p++;
			const char *e = p;
			while (*e && *e != '"')
				e += e[0] == '\\' && e[1] ? 2 : 1;
			n = (size_t)(e - p);
			if (*e != '"')
				return false;
		} else {
			n = strcspn(p, "; \t");
		}
		if (n >= cap)
			return false;
		/* unescape \" and \\ */
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '\\' && i + 1 < n)
				i++;
			out[o++] = p[i];
		}
		out[o] = '\0';
		return true;
	}
	return false;
}

/* one part header line (without CRLF) */
static int s3f_hdr(s3_form_t *f, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return s3f_fail(f, "malformed part header");
	size_t nl = (size_t)(colon - line);
	char v[S3F_MAX_HDRS];
	const char *vs = colon + 1;
	while (vs < line + n && (*vs == ' ' || *vs == '\t'))
		vs++;
	size_t vl = (size_t)(line + n - vs);
	if (vl >= sizeof(v))
		return s3f_fail(f, "part header too long");
	memcpy(v, vs, vl);
	v[vl] = '\0';
	if (nl == 19 && !strncasecmp(line, "Content-Disposition", 19)) {
		if (strncasecmp(v, "form-data", 9))
			return s3f_fail(f, "part Content-Disposition is not form-data");
		if (!s3f_param(v, "name", f->name, sizeof(f->name)))
			return s3f_fail(f, "part without a name");
		if (!s3f_param(v, "filename", f->filename, sizeof(f->filename)))
			f->filename[0] = '\0';
	} else if (nl == 12 && !strncasecmp(line, "Content-Type", 12)) {
		snprintf(f->ctype, sizeof(f->ctype), "%.*s", (int)(vl < sizeof(f->ctype) ? vl : sizeof(f->ctype) - 1), v);
	}
	return 0;
}

/* the part's headers are complete */
static int s3f_part_begin(s3_form_t *f)
{
	if (!f->name[0])
		return s3f_fail(f, "part without Content-Disposition: form-data; name=...");
	f->is_file = !strcasecmp(f->name, "file"); /* S3's file field (clients name every part's filename) */
	sbuf_reset(&f->val);
	f->skip = f->file_seen;
	if (f->skip)
		return 0;
	if (f->is_file) {
		f->file_seen = true;
		return f->cb->file_begin ? f->cb->file_begin(f->arg, f->name, f->filename, f->ctype) : 0;
	}
	if (++f->nfields > S3_FORM_MAX_FIELDS)
		return s3f_fail(f, "too many form fields");
	return 0;
}

static int s3f_part_data(s3_form_t *f, const char *d, size_t n)
{
	if (f->skip || !n)
		return 0;
	if (f->is_file)
		return f->cb->file_data ? f->cb->file_data(f->arg, d, n) : 0;
	if (f->val.len + n > S3_FORM_MAX_VALUE)
		return s3f_fail(f, "form field value too long");
	return sbuf_add(&f->val, d, n) ? AIS_ENOMEM : 0;
}

static int s3f_part_end(s3_form_t *f)
{
	if (f->skip)
		return 0;
	if (f->is_file)
		return f->cb->file_end ? f->cb->file_end(f->arg) : 0;
	if (sbuf_reserve(&f->val, 1))
		return AIS_ENOMEM;
	f->val.p[f->val.len] = '\0';
	return f->cb->field ? f->cb->field(f->arg, f->name, f->val.p, f->val.len) : 0;
}

/* parse what the window holds: 0 (needs more) or an error */
static int s3f_run(s3_form_t *f)
{
	for (;;) {
		long i;
		int rc;
		switch (f->state) {
		case S3F_PRE:
			if ((i = s3f_find(f)) < 0) { /* the preamble: keep what may start a delimiter */
				if (f->wlen >= f->dlen)
					s3f_consume(f, f->wlen - (f->dlen - 1));
				return 0;
			}
			s3f_consume(f, (size_t)i + f->dlen);
			f->state = S3F_AFTER;
			break;
		case S3F_AFTER: {
			size_t k = 0; /* transport padding (RFC 2046) */
			while (k < f->wlen && (f->win[k] == ' ' || f->win[k] == '\t'))
				k++;
			if (k > 64)
				return s3f_fail(f, "malformed boundary line");
			if (f->wlen < k + 2)
				return 0;
			if (f->win[k] == '-' && f->win[k + 1] == '-') {
				f->state = S3F_END;
				f->wlen = 0;
				return 0;
			}
			if (f->win[k] != '\r' || f->win[k + 1] != '\n')
				return s3f_fail(f, "malformed boundary line");
			s3f_consume(f, k + 2);
			f->name[0] = f->filename[0] = f->ctype[0] = '\0';
			f->is_file = false;
			f->hdr_bytes = 0;
			f->state = S3F_HDRS;
			break;
		}
		case S3F_HDRS: {
			const char *eol = f->wlen >= 2 ? memmem(f->win, f->wlen, "\r\n", 2) : NULL;
			if (!eol) {
				if (f->wlen > S3F_MAX_HDRS)
					return s3f_fail(f, "part headers too long");
				return 0;
			}
			size_t n = (size_t)(eol - f->win);
			f->hdr_bytes += n + 2;
			if (f->hdr_bytes > S3F_MAX_HDRS)
				return s3f_fail(f, "part headers too long");
			if (n == 0) {
				s3f_consume(f, 2);
				if ((rc = s3f_part_begin(f)))
					return rc;
				f->state = S3F_BODY;
				break;
			}
			if ((rc = s3f_hdr(f, f->win, n)))
				return rc;
			s3f_consume(f, n + 2);
			break;
		}
		case S3F_BODY:
			if ((i = s3f_find(f)) < 0) {
				if (f->wlen >= f->dlen) {
					size_t give = f->wlen - (f->dlen - 1);
					if ((rc = s3f_part_data(f, f->win, give)))
						return rc;
					s3f_consume(f, give);
				}
				return 0;
			}
			if ((rc = s3f_part_data(f, f->win, (size_t)i)) || (rc = s3f_part_end(f)))
				return rc;
			s3f_consume(f, (size_t)i + f->dlen);
			f->state = S3F_AFTER;
			break;
		case S3F_END:
		default:
			f->wlen = 0;
			return 0;
		}
	}
}

int s3_form_feed(s3_form_t *f, const char *data, size_t len)
{
	if (f->err[0])
		return AIS_EINVAL;
	while (len) {
		if (f->state == S3F_END)
			return 0; /* the epilogue */
		size_t room = f->wcap - f->wlen, n = len < S3F_SLICE ? len : S3F_SLICE;
		if (n > room)
			n = room;
		if (!n)
			return s3f_fail(f, "part headers too long");
		memcpy(f->win + f->wlen, data, n);
		f->wlen += n;
		data += n;
		len -= n;
		int rc = s3f_run(f);
		if (rc) {
			if (!f->err[0])
				snprintf(f->err, sizeof(f->err), "stopped (%d)", rc);
			return rc;
		}
	}
	return 0;
}

int s3_form_finish(s3_form_t *f)
{
	if (f->err[0])
		return AIS_EINVAL;
	return f->state == S3F_END ? 0 : s3f_fail(f, "the form ends without its closing boundary");
}
