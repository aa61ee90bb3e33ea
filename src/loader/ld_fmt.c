/* ld_fmt: number, size, speed and duration formatting for aisloader's tables (see ld_fmt.h). */
#include "loader/ld_fmt.h"
#include "cli/cli_fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char *ld_fmt_num(char *out, size_t cap, int64_t n)
{
	cli_fmt_bigint(n, out, cap); /* the same thousands separators as the CLI */
	return out;
}

char *ld_fmt_iec(char *out, size_t cap, int64_t b, int digits)
{
	static const char *u[] = {"TiB", "GiB", "MiB", "KiB"};
	for (int i = 0; i < 4; i++) {
		int64_t unit = 1LL << (10 * (4 - i));
		if (b >= unit) {
			snprintf(out, cap, "%.*f%s", digits, (double)b / (double)unit, u[i]);
			return out;
		}
	}
	snprintf(out, cap, "%lldB", (long long)b);
	return out;
}

char *ld_fmt_bytes(char *out, size_t cap, int64_t b)
{
	if (b <= 0) {
		snprintf(out, cap, "-");
		return out;
	}
	return ld_fmt_iec(out, cap, b, 1);
}

char *ld_fmt_speed(char *out, size_t cap, int64_t bps)
{
	if (bps <= 0) {
		snprintf(out, cap, "-");
		return out;
	}
	char t[32];
	snprintf(out, cap, "%s/s", ld_fmt_iec(t, sizeof(t), bps, 2));
	return out;
}

/* integer part + up to 3 fraction digits (trailing zeros dropped) of v/unit */
static int ld_fmt_frac(char *out, size_t cap, int64_t v, int64_t unit, const char *suf)
{
	int64_t ip = v / unit, fp = v % unit;
	int width = 0;
	for (int64_t u = unit; u > 1; u /= 10)
		width++;
	char fr[8] = "";
	if (fp) {
		/* the first 3 digits of the fraction, trailing zeros dropped */
		char d[4];
		int64_t scale = unit;
		int n = 0;
		for (int i = 0; i < 3 && i < width; i++) {
			scale /= 10;
			d[n++] = (char)('0' + (fp / scale) % 10);
		}
		while (n > 0 && d[n - 1] == '0')
			n--;
		if (n) {
			fr[0] = '.';
			memcpy(fr + 1, d, (size_t)n);
			fr[n + 1] = '\0';
		}
	}
	return snprintf(out, cap, "%lld%s%s", (long long)ip, fr, suf);
}

char *ld_fmt_dur(char *out, size_t cap, int64_t ns)
{
	if (ns <= 0) {
		snprintf(out, cap, "0s");
		return out;
	}
	if (ns < 1000)
		snprintf(out, cap, "%lldns", (long long)ns);
	else if (ns < 1000000)
		ld_fmt_frac(out, cap, ns, 1000, "\xc2\xb5s");
	else if (ns < 1000000000)
		ld_fmt_frac(out, cap, ns, 1000000, "ms");
	else {
		int64_t s = ns / 1000000000, h = s / 3600, m = (s % 3600) / 60;
		int64_t rem = ns - (h * 3600 + m * 60) * 1000000000LL;
		char sec[32];
		ld_fmt_frac(sec, sizeof(sec), rem, 1000000000, "s");
		if (h)
			snprintf(out, cap, "%lldh%lldm%s", (long long)h, (long long)m, sec);
		else if (m)
			snprintf(out, cap, "%lldm%s", (long long)m, sec);
		else
			snprintf(out, cap, "%s", sec);
	}
	return out;
}

char *ld_fmt_clock(char *out, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, cap, "%H:%M:%S", &tm);
	return out;
}

char *ld_fmt_pad(char *out, size_t cap, const char *s, int width)
{
	int chars = 0;
	for (const char *q = s; *q; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			chars++;
	int n = snprintf(out, cap, "%s", s);
	size_t o = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	for (; chars < width && o + 1 < cap; chars++)
		out[o++] = ' ';
	out[o] = '\0';
	return out;
}
