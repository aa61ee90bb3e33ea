/* util: clocks, parsers for AIStore's size/duration strings, random ids, URL codecs, dates. */
#include "core/util.h"
#include "core/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int parse_i64(const char *s, int64_t *v)
{
	if (!s || !*s)
		return AIS_EINVAL;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end)
		return AIS_EINVAL;
	*v = x;
	return 0;
}

/* a non-negative decimal "123", "1.5", ".5" (no sign, exponent, hex, inf/nan, spaces: Go's
 * duration/size syntax). Returns the end pointer or NULL. */
static const char *util_decimal(const char *p, double *x)
{
	const char *s = p;
	int digits = 0;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (!digits)
		return NULL;
	*x = strtod(s, NULL);
	return p;
}

#define UTIL_I64_MAX_D 9.2e18 /* below INT64_MAX: the double→int64 cast stays defined */

int parse_duration(const char *s, int64_t *ns)
{
	if (!s || !*s)
		return AIS_EINVAL;
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	double total = 0;
	const char *p = s;
	while (*p) {
		double x;
		if (!(p = util_decimal(p, &x)))
			return AIS_EINVAL;
		int64_t mul;
		if (!strncmp(p, "ns", 2)) { mul = 1; p += 2; }
		else if (!strncmp(p, "us", 2)) { mul = 1000; p += 2; }
		else if (!strncmp(p, "\xc2\xb5s", 3)) { mul = 1000; p += 3; } /* "µs" */
		else if (!strncmp(p, "ms", 2)) { mul = 1000000; p += 2; }
		else if (*p == 's') { mul = 1000000000LL; p++; }
		else if (*p == 'm') { mul = 60LL * 1000000000LL; p++; }
		else if (*p == 'h') { mul = 3600LL * 1000000000LL; p++; }
		else return AIS_EINVAL;
		total += x * (double)mul;
		if (!(total < UTIL_I64_MAX_D))
			return AIS_EINVAL;
	}
	*ns = (int64_t)total;
	return 0;
}

int parse_size(const char *s, int64_t *bytes)
{
	if (!s || !*s)
		return AIS_EINVAL;
	double x;
	const char *end = util_decimal(s, &x);
	if (!end)
		return AIS_EINVAL;
	char suf[8] = {0};
	size_t n = 0;
	for (const char *p = end; *p && n < sizeof(suf) - 1; p++)
		suf[n++] = (char)tolower((unsigned char)*p);
	if (end[n] != '\0')
		return AIS_EINVAL;
	int64_t mul = 1;
	if (n == 0 || !strcmp(suf, "b"))
		mul = 1;
	else if (suf[0] == 'k')
		mul = 1LL << 10;
	else if (suf[0] == 'm')
		mul = 1LL << 20;
	else if (suf[0] == 'g')
		mul = 1LL << 30;
	else if (suf[0] == 't')
		mul = 1LL << 40;
	else
		return AIS_EINVAL;
	if (n > 1 && strcmp(suf + 1, "b") && strcmp(suf + 1, "ib") && strcmp(suf + 1, "i"))
		return AIS_EINVAL;
	if (!(x * (double)mul < UTIL_I64_MAX_D))
		return AIS_EINVAL;
	*bytes = (int64_t)(x * (double)mul);
	return 0;
}

/* per-thread splitmix64 stream seeded once from getrandom(): ids and names need uniqueness,
 * not secrecy, and one syscall per character made PUT's work-file names costly */
uint64_t rand_u64(void)
{
	static _Thread_local uint64_t state;
	static _Thread_local int seeded;
	if (!seeded) {
		if (getrandom(&state, sizeof(state), 0) != (ssize_t)sizeof(state))
			state = (uint64_t)mono_ns() ^ (uint64_t)(uintptr_t)&state;
		seeded = 1;
	}
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rand_alnum(char *out, size_t n)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (size_t i = 0; i < n; i++)
		out[i] = abc[rand_u64() % (sizeof(abc) - 1)];
	out[n] = '\0';
}

void gen_uuid(char *out, size_t n)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	rand_alnum(out, n);
	if (n)
		out[0] = letters[rand_u64() % (sizeof(letters) - 1)];
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

long url_decode(const char *src, size_t len, char *dst, bool plus_space)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int h = hexval((unsigned char)src[i + 1]), l = hexval((unsigned char)src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			dst[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_space) {
			dst[o++] = ' ';
		} else {
			dst[o++] = c;
		}
	}
	dst[o] = '\0';
	return (long)o;
}

char *url_encode(const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

void fmt_rfc3339(int64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%09lldZ", base, (long long)(ns % 1000000000LL));
}

void fmt_http_date(int64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&sec, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

const char *u64_base36(uint64_t v, char *out, size_t cap)
{
	char tmp[16];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % 36);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= 36;
	} while (v && n < (int)sizeof(tmp));
	size_t k = 0;
	while (n > 0 && k + 1 < cap)
		out[k++] = tmp[--n];
	if (cap)
		out[k] = '\0';
	return out;
}

int parse_base36(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	if (!s || !*s)
		return AIS_EINVAL;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'z')
			d = (unsigned)(*s - 'a') + 10;
		else if (*s >= 'A' && *s <= 'Z')
			d = (unsigned)(*s - 'A') + 10;
		else
			return AIS_EINVAL;
		if (x > (UINT64_MAX - d) / 36)
			return AIS_EINVAL;
		x = x * 36 + d;
	}
	*v = x;
	return 0;
}
