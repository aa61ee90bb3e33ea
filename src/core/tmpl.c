/* tmpl: range template parsing and iteration (see tmpl.h). Iteration is an odometer over the
 * ranges, last range fastest, as AIStore's ParsedTemplate.Next. */
#include "core/tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static int tmpl_fail(char *err, size_t cap, const char *typ, const char *s, const char *what)
{
	if (what)
		snprintf(err, cap, "invalid '%s' template \"%s\": %s", typ, s, what);
	else if (!strcmp(typ, "bash"))
		snprintf(err, cap, "invalid 'bash' template \"%s\" (expecting e.g. 'prefix-{0001..0010..1}-suffix')", s);
	else
		snprintf(err, cap, "invalid 'at' template \"%s\" (expecting e.g. 'prefix-@00100-suffix')", s);
	return AIS_EINVAL;
}

/* a decimal int64 of exactly [p, p+n): 0 or AIS_EINVAL */
static int tmpl_num(const char *p, size_t n, int64_t *out)
{
	if (!n || n > 18)
		return AIS_EINVAL;
	int64_t v = 0;
	size_t i = 0;
	bool neg = p[0] == '-';
	if (neg || p[0] == '+')
		i = 1;
	if (i == n)
		return AIS_EINVAL;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return AIS_EINVAL;
		v = v * 10 + (p[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

static int tmpl_bounds(const char *typ, const char *s, const tmpl_range_t *r, char *err, size_t cap)
{
	if (r->start > r->end)
		return tmpl_fail(err, cap, typ, s, "'start' cannot be greater than 'end'");
	if (r->start < 0)
		return tmpl_fail(err, cap, typ, s, "'start' is negative");
	if (r->step <= 0)
		return tmpl_fail(err, cap, typ, s, "'step' is non-positive");
	return 0;
}

static int tmpl_bash(const char *s, tmpl_t *t, char *err, size_t cap)
{
	const char *l = strchr(s, '{'), *rr = strrchr(s, '}');
	if (!rr || rr < l)
		return tmpl_fail(err, cap, "bash", s, NULL);
	if (!(t->prefix = strndup(s, (size_t)(l - s))))
		return AIS_ENOMEM;
	const char *p = s;
	while ((l = strchr(p, '{'))) {
		const char *r = strchr(p, '}');
		if (!r || r < l || t->n == TMPL_MAX_RANGES)
			return tmpl_fail(err, cap, "bash", s, t->n == TMPL_MAX_RANGES ? "too many ranges" : NULL);
		tmpl_range_t *tr = &t->r[t->n];
		const char *in = l + 1, *d1 = strstr(in, ".."), *d2 = NULL;
		if (!d1 || d1 > r)
			return tmpl_fail(err, cap, "bash", s, NULL);
		d2 = strstr(d1 + 2, "..");
		if (d2 && d2 > r)
			d2 = NULL;
		if (d2 && strstr(d2 + 2, "..") && strstr(d2 + 2, "..") < r)
			return tmpl_fail(err, cap, "bash", s, NULL);
		const char *e2 = d2 ? d2 : r;
		if (tmpl_num(in, (size_t)(d1 - in), &tr->start) || tmpl_num(d1 + 2, (size_t)(e2 - d1 - 2), &tr->end))
			return tmpl_fail(err, cap, "bash", s, NULL);
		tr->step = 1;
		if (d2 && tmpl_num(d2 + 2, (size_t)(r - d2 - 2), &tr->step))
			return tmpl_fail(err, cap, "bash", s, NULL);
		size_t w1 = (size_t)(d1 - in), w2 = (size_t)(e2 - d1 - 2);
		tr->digits = (int)(w1 < w2 ? w1 : w2);
		int rc = tmpl_bounds("bash", s, tr, err, cap);
		if (rc)
			return rc;
		p = r + 1;
		const char *nx = strchr(p, '{');
		if (!(tr->gap = strndup(p, nx ? (size_t)(nx - p) : strlen(p))))
			return AIS_ENOMEM;
		t->n++;
	}
	return 0;
}

static int tmpl_at(const char *s, tmpl_t *t, char *err, size_t cap)
{
	const char *l = strchr(s, '@');
	if (!(t->prefix = strndup(s, (size_t)(l - s))))
		return AIS_ENOMEM;
	const char *p = s;
	while ((l = strchr(p, '@'))) {
		if (t->n == TMPL_MAX_RANGES)
			return tmpl_fail(err, cap, "at", s, "too many ranges");
		tmpl_range_t *tr = &t->r[t->n];
		const char *d = l + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (tmpl_num(l + 1, (size_t)(d - l - 1), &tr->end))
			return tmpl_fail(err, cap, "at", s, NULL);
		tr->start = 0;
		tr->step = 1;
		tr->digits = (int)(d - l - 1);
		int rc = tmpl_bounds("at", s, tr, err, cap);
		if (rc)
			return rc;
		const char *nx = strchr(d, '@');
		if (!(tr->gap = strndup(d, nx ? (size_t)(nx - d) : strlen(d))))
			return AIS_ENOMEM;
		p = d;
		t->n++;
	}
	return 0;
}

int tmpl_parse(const char *s, tmpl_t *t, char *err, size_t cap)
{
	memset(t, 0, sizeof(*t));
	if (err && cap)
		err[0] = '\0';
	int rc;
	if (!s || !*s || !strcmp(s, "*"))
		rc = (t->prefix = strdup("")) ? 0 : AIS_ENOMEM;
	else if (strchr(s, '{') || strchr(s, '}'))
		rc = strchr(s, '{') ? tmpl_bash(s, t, err, cap) : tmpl_fail(err, cap, "bash", s, NULL);
	else if (strchr(s, '@'))
		rc = tmpl_at(s, t, err, cap);
	else
		rc = (t->prefix = strdup(s)) ? 0 : AIS_ENOMEM;
	if (rc)
		tmpl_fini(t);
	return rc;
}

int64_t tmpl_count(const tmpl_t *t)
{
	int64_t c = 1;
	for (int i = 0; i < t->n; i++) {
		int64_t k = (t->r[i].end - t->r[i].start) / t->r[i].step + 1;
		if (k > INT64_MAX / c)
			return INT64_MAX;
		c *= k;
	}
	return c;
}

bool tmpl_next(tmpl_t *t, const char **name)
{
	if (!t->n || t->done)
		return false;
	if (!t->started) {
		for (int i = 0; i < t->n; i++)
			t->at[i] = t->r[i].start;
		t->started = true;
	} else {
		int i = t->n - 1;
		t->at[i] += t->r[i].step;
		while (i > 0 && t->at[i] > t->r[i].end) {
			t->at[i] = t->r[i].start;
			i--;
			t->at[i] += t->r[i].step;
		}
		if (t->at[0] > t->r[0].end) {
			t->done = true;
			return false;
		}
	}
	sbuf_reset(&t->buf);
	sbuf_adds(&t->buf, t->prefix);
	for (int i = 0; i < t->n; i++)
		sbuf_addf(&t->buf, "%0*lld%s", t->r[i].digits, (long long)t->at[i], t->r[i].gap);
	if (t->buf.oom) {
		t->done = true;
		return false;
	}
	*name = sbuf_str(&t->buf);
	return true;
}

void tmpl_fini(tmpl_t *t)
{
	free(t->prefix);
	for (int i = 0; i < TMPL_MAX_RANGES; i++)
		free(t->r[i].gap);
	sbuf_fini(&t->buf);
	memset(t, 0, sizeof(*t));
}
