/* s3_form: a streaming multipart/form-data parser (RFC 7578) for S3 browser-form uploads (POST
 * object). Fed the body in pieces of any size; calls back for each complete ordinary field
 * (name, value), for the start, bytes and end of the file part (the part named "file", as S3
 * names it; browsers and HTTP libraries give every part a filename), and stops looking at fields
 * after the file part (S3 ignores fields after the file). Holds at most one field value, the part
 * headers being read and a window of a delimiter's length: the file's bytes are handed on as
 * they arrive, never buffered whole. Limits: boundary <= 70 characters (RFC 2046), part headers
 * <= 16 KiB, a field value <= S3_FORM_MAX_VALUE, <= S3_FORM_MAX_FIELDS fields. Pure: no I/O.
 * Errors: AIS_EINVAL with a message (s3_form_error) for a malformed body or a limit, or the
 * callback's own error (returned as is, parsing stops). */
#ifndef AIS_S3_FORM_H
#define AIS_S3_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define S3_FORM_MAX_VALUE (64u << 10)
#define S3_FORM_MAX_FIELDS 256

typedef struct s3_form_cb {
	/* a complete ordinary field (value NUL-terminated, vlen bytes, may contain NULs) */
	int (*field)(void *arg, const char *name, const char *value, size_t vlen);
	/* the file part starts: its form field name, filename ("" if none) and Content-Type ("" if none) */
	int (*file_begin)(void *arg, const char *name, const char *filename, const char *ctype);
	int (*file_data)(void *arg, const char *data, size_t len);
	int (*file_end)(void *arg);
} s3_form_cb_t;

typedef struct s3_form s3_form_t;

/* the boundary of a "multipart/form-data; boundary=..." Content-Type into out (cap bytes):
 * 0, or AIS_EINVAL (not form data, or no valid boundary) */
int s3_form_boundary(const char *ctype, char *out, size_t cap);
/* a parser for ctype's boundary; NULL (with err) for a bad Content-Type or out of memory. cb and
 * arg must outlive it. */
s3_form_t *s3_form_new(const char *ctype, const s3_form_cb_t *cb, void *arg, char *err, size_t cap);
/* feed body bytes: 0, AIS_EINVAL (malformed: s3_form_error), AIS_ENOMEM, or a callback's error */
int s3_form_feed(s3_form_t *f, const char *data, size_t len);
/* the body ended: 0 when the closing delimiter was seen, else AIS_EINVAL (truncated) */
int s3_form_finish(s3_form_t *f);
/* the parser has seen the closing delimiter, or the file part started */
bool s3_form_done(const s3_form_t *f);
bool s3_form_in_file(const s3_form_t *f);
const char *s3_form_error(const s3_form_t *f);
void s3_form_free(s3_form_t *f);

#endif
