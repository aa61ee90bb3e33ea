/* unit tests: aisloader's number/size/duration formats (src/loader/ld_fmt.c) */
#include <criterion/criterion.h>

#include "loader/ld_fmt.h"

Test(loader_fmt, numbers)
{
	char b[64];
	cr_assert_str_eq(ld_fmt_num(b, sizeof(b), 0), "0");
	cr_assert_str_eq(ld_fmt_num(b, sizeof(b), 999), "999");
	cr_assert_str_eq(ld_fmt_num(b, sizeof(b), 1000), "1,000");
	cr_assert_str_eq(ld_fmt_num(b, sizeof(b), 1234567), "1,234,567");
	cr_assert_str_eq(ld_fmt_num(b, sizeof(b), -1234), "-1,234");
}

Test(loader_fmt, sizes)
{
	char b[64];
	cr_assert_str_eq(ld_fmt_bytes(b, sizeof(b), 0), "-");
	cr_assert_str_eq(ld_fmt_bytes(b, sizeof(b), 512), "512B");
	cr_assert_str_eq(ld_fmt_bytes(b, sizeof(b), 1536), "1.5KiB");
	cr_assert_str_eq(ld_fmt_bytes(b, sizeof(b), 432652288), "412.6MiB");
	cr_assert_str_eq(ld_fmt_speed(b, sizeof(b), 43264983), "41.26MiB/s");
	cr_assert_str_eq(ld_fmt_speed(b, sizeof(b), 0), "-");
}

Test(loader_fmt, durations)
{
	char b[64];
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 0), "0s");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 999), "999ns");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 20572), "20.572\xc2\xb5s");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 4399123), "4.399ms");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 4000000), "4ms");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 4050000), "4.05ms");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 1500000000), "1.5s");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 90500000000LL), "1m30.5s");
	cr_assert_str_eq(ld_fmt_dur(b, sizeof(b), 3723000000000LL), "1h2m3s");
}

Test(loader_fmt, pad_counts_characters)
{
	char b[64];
	cr_assert_str_eq(ld_fmt_pad(b, sizeof(b), "1\xc2\xb5s", 5), "1\xc2\xb5s  ");
	cr_assert_str_eq(ld_fmt_pad(b, sizeof(b), "abcdef", 3), "abcdef");
}
