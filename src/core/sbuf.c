/* sbuf: growable NUL-terminated buffer; doubles capacity, records OOM instead of aborting. */
#include "core/sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_fini(sbuf_t *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

void sbuf_reset(sbuf_t *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

int sbuf_reserve(sbuf_t *b, size_t extra)
{
	if (b->oom)
		return -1;
	if (extra >= SIZE_MAX / 2 - b->len) { /* len + extra + 1 or the doubling would overflow */
		b->oom = true;
		return -1;
	}
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
	char *np = realloc(b->p, ncap);
	if (!np) {
		b->oom = true;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	b->p[b->len] = '\0'; /* keep the NUL-termination invariant (a fresh buffer is uninitialized) */
	return 0;
}

int sbuf_add(sbuf_t *b, const void *data, size_t len)
{
	if (sbuf_reserve(b, len))
		return -1;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int sbuf_adds(sbuf_t *b, const char *s) { return sbuf_add(b, s, strlen(s)); }

int sbuf_addf(sbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sbuf_reserve(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *sbuf_take(sbuf_t *b)
{
	if (!b->p && sbuf_reserve(b, 0))
		return NULL;
	char *p = b->p;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *sbuf_str(const sbuf_t *b) { return b->p ? b->p : ""; }
