/* test_cli_fmt: the CLI's value formatting against known AIStore CLI outputs: IEC/SI sizes
 * (float32 rounding), Go time.Duration strings and AIStore's rounding, thousands separators,
 * size parsing, and the progress-bar line. */
#include "cli/cli_fmt.h"
#include "cli/cli_progress.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

Test(cli_fmt, size_iec)
{
	static const struct { int64_t b; int digits; const char *out; } v[] = {
		{0, 2, "0B"},           {11, 2, "11B"},          {1023, 2, "1023B"},     {1024, 2, "1.00KiB"},
		{2560, 2, "2.50KiB"},   {31971520, 2, "30.49MiB"}, {16384, 2, "16.00KiB"}, {1073741824, 2, "1.00GiB"},
		{1536, 0, "2KiB"},      {262144, 0, "256KiB"},   {251217387520LL, 3, "233.964GiB"},
		{1099511627776LL, 2, "1.00TiB"},
	};
	char buf[64];
	for (size_t i = 0; i < NELEM(v); i++)
		cr_expect_str_eq(cli_fmt_size(v[i].b, CLI_UNITS_IEC, v[i].digits, buf, sizeof(buf)), v[i].out, "%lld",
				 (long long)v[i].b);
}

Test(cli_fmt, size_si_raw)
{
	char buf[64];
	cr_expect_str_eq(cli_fmt_size(1500, CLI_UNITS_SI, 2, buf, sizeof(buf)), "1.50KB");
	cr_expect_str_eq(cli_fmt_size(2000000, CLI_UNITS_SI, 2, buf, sizeof(buf)), "2.00MB");
	cr_expect_str_eq(cli_fmt_size(999, CLI_UNITS_SI, 2, buf, sizeof(buf)), "999B");
	cr_expect_str_eq(cli_fmt_size(123456, CLI_UNITS_RAW, 2, buf, sizeof(buf)), "123456");
	cr_expect_eq(cli_fmt_units("iec"), CLI_UNITS_IEC);
	cr_expect_eq(cli_fmt_units(""), CLI_UNITS_IEC);
	cr_expect_eq(cli_fmt_units("si"), CLI_UNITS_SI);
	cr_expect_eq(cli_fmt_units("raw"), CLI_UNITS_RAW);
	cr_expect_eq(cli_fmt_units("bogus"), -1);
}

Test(cli_fmt, go_duration)
{
	static const struct { int64_t ns; const char *out; } v[] = {
		{0, "0s"},
		{1, "1ns"},
		{999, "999ns"},
		{1500, "1.5\xc2\xb5s"},
		{892015, "892.015\xc2\xb5s"},
		{1156551, "1.156551ms"},
		{144000000, "144ms"},
		{1000000000, "1s"},
		{2010000000, "2.01s"},
		{60000000000LL, "1m0s"},
		{3600000000000LL, "1h0m0s"},
		{(526LL * 3600 + 28 * 60 + 20) * 1000000000LL, "526h28m20s"},
		{-1500000000, "-1.5s"},
	};
	char buf[64];
	for (size_t i = 0; i < NELEM(v); i++)
		cr_expect_str_eq(cli_fmt_go_duration(v[i].ns, buf, sizeof(buf)), v[i].out, "%lld", (long long)v[i].ns);
}

Test(cli_fmt, aistore_duration_rounding)
{
	static const struct { int64_t ns; const char *out; } v[] = {
		{99999999, "99.999999ms"},        /* < 100ms: as is */
		{144123456, "144ms"},             /* < 1s: ms */
		{2013456789, "2.01s"},            /* < 10s: 10ms */
		{26123456789LL, "26.1s"},         /* < 100s: 100ms */
		{1895123456789LL, "31m35s"},      /* else: s */
		{1895500000000LL, "31m36s"},      /* half rounds away from zero */
	};
	char buf[64];
	for (size_t i = 0; i < NELEM(v); i++)
		cr_expect_str_eq(cli_fmt_duration(v[i].ns, buf, sizeof(buf)), v[i].out, "%lld", (long long)v[i].ns);
}

Test(cli_fmt, bigint)
{
	char buf[32];
	cr_expect_str_eq(cli_fmt_bigint(0, buf, sizeof(buf)), "0");
	cr_expect_str_eq(cli_fmt_bigint(999, buf, sizeof(buf)), "999");
	cr_expect_str_eq(cli_fmt_bigint(28230, buf, sizeof(buf)), "28,230");
	cr_expect_str_eq(cli_fmt_bigint(1000000, buf, sizeof(buf)), "1,000,000");
	cr_expect_str_eq(cli_fmt_bigint(-1234, buf, sizeof(buf)), "-1,234");
	cr_expect_str_eq(cli_fmt_bigint(INT64_MIN, buf, sizeof(buf)), "-9,223,372,036,854,775,808");
}

Test(cli_fmt, parse_size)
{
	int64_t v;
	cr_expect_eq(cli_fmt_parse_size("1024", &v), 0);
	cr_expect_eq(v, 1024);
	cr_expect_eq(cli_fmt_parse_size("1MiB", &v), 0);
	cr_expect_eq(v, 1 << 20);
	cr_expect_eq(cli_fmt_parse_size("4mb", &v), 0);
	cr_expect_eq(v, 4 << 20);
	cr_expect_eq(cli_fmt_parse_size("abc", &v), -1);
	cr_expect_eq(cli_fmt_parse_size(NULL, &v), -1);
}

Test(cli_fmt, clock_and_dates)
{
	char buf[64];
	setenv("TZ", "UTC", 1);
	tzset();
	/* 2024-01-31T15:42:59Z */
	int64_t ns = 1706715779LL * 1000000000LL + 123456000;
	cr_expect_str_eq(cli_fmt_clock(ns, 0, buf, sizeof(buf)), "15:42:59");
	cr_expect_str_eq(cli_fmt_clock(ns, 1, buf, sizeof(buf)), "15:42:59.123456");
	cr_expect_str_eq(cli_fmt_rfc3339(ns, buf, sizeof(buf)), "2024-01-31T15:42:59Z");
	cr_expect_str_eq(cli_fmt_rfc822(ns, buf, sizeof(buf)), "31 Jan 24 15:42 UTC");
}

Test(cli_progress, line)
{
	char buf[256];
	cli_progress_line("Uploaded files:", 5, 10, false, 1000000000LL, 80, buf, sizeof(buf));
	cr_expect(strstr(buf, "Uploaded files: 5 / 10 [") == buf, "%s", buf);
	cr_expect(strstr(buf, "  50%") != NULL, "%s", buf);
	cr_expect(strstr(buf, "5.0/s") != NULL, "%s", buf);
	cr_expect(strstr(buf, "ETA 1s") != NULL, "%s", buf);
	cli_progress_line("GET", 1 << 20, 1 << 20, true, 500000000LL, 80, buf, sizeof(buf));
	cr_expect(strstr(buf, "GET 1.00MiB / 1.00MiB [") == buf, "%s", buf);
	cr_expect(strstr(buf, " 100%") != NULL, "%s", buf);
	cr_expect(strstr(buf, "2.00MiB/s") != NULL, "%s", buf);
	cr_expect(strstr(buf, "in 500ms") != NULL, "%s", buf);
	cr_expect(strchr(buf, '>') == NULL, "a full bar has no head: %s", buf);
	/* a disabled progress draws nothing and never crashes */
	cli_progress_t p;
	cli_progress_init(&p, false, stdout);
	int b = cli_progress_add(&p, "x", 10, false);
	cli_progress_set(&p, b, 3);
	cli_progress_draw(&p, true);
	cli_progress_done(&p);
	cr_expect_eq(p.drawn, 0);
}
