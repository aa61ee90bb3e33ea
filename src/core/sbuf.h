/* sbuf: growable byte/string buffer (always NUL-terminated). The caller owns the sbuf and
 * frees it with sbuf_fini; on allocation failure the buffer sets `oom` and stops growing. */
#ifndef AIS_SBUF_H
#define AIS_SBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
} sbuf_t;

#define SBUF_INIT {NULL, 0, 0, false}

void sbuf_fini(sbuf_t *b);
void sbuf_reset(sbuf_t *b);
int sbuf_reserve(sbuf_t *b, size_t extra);
int sbuf_add(sbuf_t *b, const void *data, size_t len);
int sbuf_adds(sbuf_t *b, const char *s);
int sbuf_addf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* detach the buffer: caller frees the returned string (never NULL unless oom). */
char *sbuf_take(sbuf_t *b);
/* the contents as a C string ("" when empty). */
const char *sbuf_str(const sbuf_t *b);

#endif
