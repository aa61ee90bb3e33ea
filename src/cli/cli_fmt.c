/* cli_fmt: value formatting for the CLI (see cli_fmt.h). Pure; no state. */
#include "cli/cli_fmt.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int cli_fmt_units(const char *s)
{
	if (!s || !*s || !strcasecmp(s, "iec"))
		return CLI_UNITS_IEC;
	if (!strcasecmp(s, "si"))
		return CLI_UNITS_SI;
	if (!strcasecmp(s, "raw"))
		return CLI_UNITS_RAW;
	return -1;
}

const char *cli_fmt_size(int64_t b, int units, int digits, char *out, size_t cap)
{
	static const char *const iec[] = {"TiB", "GiB", "MiB", "KiB"};
	static const char *const si[] = {"TB", "GB", "MB", "KB"};
	if (units == CLI_UNITS_RAW) {
		snprintf(out, cap, "%lld", (long long)b);
		return out;
	}
	int64_t base = units == CLI_UNITS_SI ? 1000 : 1024;
	int64_t mul[4] = {base * base * base * base, base * base * base, base * base, base};
	for (int i = 0; i < 4; i++) {
		if (b >= mul[i]) {
			/* float32 division as AIStore does (cos.ToSizeIEC), printed with the given digits */
			float v = (float)b / (float)mul[i];
			snprintf(out, cap, "%.*f%s", digits, (double)v, units == CLI_UNITS_SI ? si[i] : iec[i]);
			return out;
		}
	}
	snprintf(out, cap, "%lldB", (long long)b);
	return out;
}

/* Go's fmtFrac: write the fraction of v/10^prec (trailing zeros dropped) before position w */
static int fmt_frac(char *buf, int w, uint64_t *v, int prec)
{
	int print = 0;
	for (int i = 0; i < prec; i++) {
		int digit = (int)(*v % 10);
		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static int fmt_int(char *buf, int w, uint64_t v)
{
	if (v == 0) {
		buf[--w] = '0';
		return w;
	}
	while (v > 0) {
		buf[--w] = (char)('0' + v % 10);
		v /= 10;
	}
	return w;
}

const char *cli_fmt_go_duration(int64_t ns, char *out, size_t cap)
{
	char buf[40];
	int w = sizeof(buf);
	uint64_t u = (uint64_t)ns;
	int neg = ns < 0;
	if (neg)
		u = -u;
	if (u < 1000000000ULL) {
		int prec = 0;
		buf[--w] = 's';
		if (u == 0) {
			snprintf(out, cap, "0s");
			return out;
		} else if (u < 1000ULL) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000ULL) {
			prec = 3;
			buf[--w] = '\xb5'; /* "µ" in UTF-8: 0xC2 0xB5 */
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		w = fmt_frac(buf, w, &u, prec);
		w = fmt_int(buf, w, u);
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, &u, 9);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	snprintf(out, cap, "%.*s", (int)sizeof(buf) - w, buf + w);
	return out;
}

/* Go's Duration.Round(m) for positive m: halfway values round away from zero */
static int64_t dur_round(int64_t d, int64_t m)
{
	int64_t r = d % m;
	if (d < 0) {
		r = -r;
		if (r + r < m)
			return d + r;
		return d - m + r;
	}
	if (r + r < m)
		return d - r;
	return d + m - r;
}

const char *cli_fmt_duration(int64_t ns, char *out, size_t cap)
{
	const int64_t ms = 1000000, s = 1000000000;
	if (ns < 100 * ms)
		;
	else if (ns < s)
		ns = dur_round(ns, ms);
	else if (ns < 10 * s)
		ns = dur_round(ns, 10 * ms);
	else if (ns < 100 * s)
		ns = dur_round(ns, 100 * ms);
	else
		ns = dur_round(ns, s);
	return cli_fmt_go_duration(ns, out, cap);
}

static void fmt_local(int64_t ns, struct tm *tm)
{
	time_t t = (time_t)(ns / 1000000000);
	localtime_r(&t, tm);
}

const char *cli_fmt_rfc822(int64_t ns, char *out, size_t cap)
{
	struct tm tm;
	fmt_local(ns, &tm);
	if (!strftime(out, cap, "%d %b %y %H:%M %Z", &tm) && cap)
		out[0] = '\0';
	return out;
}

const char *cli_fmt_rfc3339(int64_t ns, char *out, size_t cap)
{
	struct tm tm;
	fmt_local(ns, &tm);
	char z[16];
	long off = tm.tm_gmtoff;
	if (off == 0) {
		snprintf(z, sizeof(z), "Z");
	} else {
		char sign = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		snprintf(z, sizeof(z), "%c%02ld:%02ld", sign, (off / 3600) % 100, (off / 60) % 60);
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, z);
	return out;
}

const char *cli_fmt_clock(int64_t ns, int micro, char *out, size_t cap)
{
	struct tm tm;
	fmt_local(ns, &tm);
	if (micro)
		snprintf(out, cap, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)((ns % 1000000000) / 1000));
	else
		snprintf(out, cap, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return out;
}

const char *cli_fmt_bigint(int64_t v, char *out, size_t cap)
{
	char digits[32], tmp[48];
	int neg = v < 0;
	unsigned long long u = neg ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
	int n = snprintf(digits, sizeof(digits), "%llu", u), w = 0;
	if (neg)
		tmp[w++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			tmp[w++] = ',';
		tmp[w++] = digits[i];
	}
	tmp[w] = '\0';
	snprintf(out, cap, "%s", tmp);
	return out;
}

int cli_fmt_parse_size(const char *s, int64_t *out)
{
	int64_t v;
	if (!s || parse_size(s, &v) || v < 0)
		return -1;
	*out = v;
	return 0;
}
