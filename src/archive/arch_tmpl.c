/* arch_tmpl: bash-style range templates (see arch_tmpl.h). Recursive over the ranges; the
 * current name is built in one growing buffer. */
#include "archive/arch_tmpl.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"

bool arch_tmpl_has_range(const char *t)
{
	const char *o = t ? strchr(t, '{') : NULL;
	return o && strstr(o, "..") && strchr(o, '}');
}

/* parse "{a..b[..step]}" at o (ends at e); width of a */
static int tmpl_range(const char *o, const char *e, int64_t *a, int64_t *b, int64_t *step, int *width)
{
	char spec[64];
	if ((size_t)(e - o - 1) >= sizeof(spec))
		return AIS_EINVAL;
	memcpy(spec, o + 1, (size_t)(e - o - 1));
	spec[e - o - 1] = '\0';
	char *d1 = strstr(spec, "..");
	if (!d1)
		return AIS_EINVAL;
	*d1 = '\0';
	char *s_end = d1 + 2, *d2 = strstr(s_end, "..");
	*step = 1;
	if (d2) {
		*d2 = '\0';
		if (parse_i64(d2 + 2, step) || *step <= 0)
			return AIS_EINVAL;
	}
	if (!*spec || parse_i64(spec, a) || parse_i64(s_end, b) || *a < 0 || *b < *a || *b - *a > (1LL << 32))
		return AIS_EINVAL;
	*width = (int)strlen(spec);
	return 0;
}

static int tmpl_rec(const char *t, sbuf_t *cur, arch_tmpl_fn fn, void *arg)
{
	const char *o = strchr(t, '{');
	const char *e = o ? strchr(o, '}') : NULL;
	if (!o || !e) {
		size_t base = cur->len;
		sbuf_adds(cur, t);
		int rc = cur->oom ? AIS_ENOMEM : fn(arg, cur->p, cur->len);
		cur->len = base;
		return rc;
	}
	int64_t a, b, step;
	int width;
	if (tmpl_range(o, e, &a, &b, &step, &width))
		return AIS_EINVAL;
	size_t base = cur->len;
	for (int64_t v = a; v <= b; v += step) {
		cur->len = base;
		sbuf_add(cur, t, (size_t)(o - t));
		sbuf_addf(cur, "%0*lld", width, (long long)v);
		int rc = tmpl_rec(e + 1, cur, fn, arg);
		if (rc)
			return rc;
	}
	cur->len = base;
	return 0;
}

int arch_tmpl_expand(const char *t, arch_tmpl_fn fn, void *arg)
{
	sbuf_t cur = SBUF_INIT;
	int rc = tmpl_rec(t ? t : "", &cur, fn, arg);
	sbuf_fini(&cur);
	return rc;
}
