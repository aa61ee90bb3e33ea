/* test_cli_tab: the Go text/tabwriter-compatible renderer (tab padding to multiples of 8, one
 * space padding, per-block column widths, trailing cells not aligned) and the table builder. */
#include "cli/cli_tab.h"

#include <criterion/criterion.h>
#include <string.h>

/* cli_tab_render(in) renders exactly want */
static void expect_render(const char *in, const char *want)
{
	sbuf_t out = SBUF_INIT;
	cr_assert_eq(cli_tab_render(in, strlen(in), &out), 0);
	char *s = sbuf_take(&out);
	cr_expect_str_eq(s, want);
	free(s);
}

Test(cli_tab, lso_layout)
{
	/* AIStore's LsoTemplate ends every column with "\t " */
	expect_render("NAME\t SIZE\t \nobject_1.txt\t 11B\t \n", "NAME\t\t SIZE\t \nobject_1.txt\t 11B\t \n");
}

Test(cli_tab, prop_value)
{
	expect_render("PROPERTY\t VALUE\nchecksum\t xxhash2[05967d5390ac53b0]\nsize\t 11B\n",
		      "PROPERTY\t VALUE\nchecksum\t xxhash2[05967d5390ac53b0]\nsize\t\t 11B\n");
}

Test(cli_tab, blocks_are_independent)
{
	/* a line without tabs ends the column block: the second table is aligned on its own */
	expect_render("A\t B\n\nCCCCCCCCCC\t D\nE\t F\n", "A\t B\n\nCCCCCCCCCC\t D\nE\t\t F\n");
}

Test(cli_tab, utf8_width_and_no_trailing_newline)
{
	/* "µs" is 2 runes (3 bytes): width counts runes */
	expect_render("1.5\xc2\xb5s\t x\n1234567\t y", "1.5\xc2\xb5s\t x\n1234567\t y");
	expect_render("12345678\t x\n1.5\xc2\xb5s\t y\n", "12345678\t x\n1.5\xc2\xb5s\t\t y\n");
}

Test(cli_tab, spaces_padding)
{
	sbuf_t out = SBUF_INIT;
	const char *in = "PROVIDER\tNAME\tCOPIES\nais\tabc\t2\n";
	cr_assert_eq(cli_tab_render_opts(in, strlen(in), &out, 2, ' '), 0);
	cr_expect_str_eq(sbuf_str(&out), "PROVIDER  NAME  COPIES\nais       abc   2\n");
	sbuf_fini(&out);
}

Test(cli_tab, builder_hidden_columns)
{
	cli_tab_t t;
	cr_assert_eq(cli_tab_init(&t, "TARGET|MEM USED(%)|K8s POD|UPTIME"), 0);
	cr_expect_eq(t.ncols, 4);
	const char *r1[] = {"t[a]", "0.01%", "", "1h0m0s"};
	const char *r2[] = {"t[bb]", "0.02%", NULL, "5s"};
	cli_tab_row(&t, r1);
	cli_tab_row(&t, r2);
	cli_tab_hide(&t, 2, true);
	sbuf_t out = SBUF_INIT;
	cli_tab_text(&t, false, &out);
	cr_expect_str_eq(sbuf_str(&out), "TARGET\t MEM USED(%)\t UPTIME\nt[a]\t 0.01%\t 1h0m0s\nt[bb]\t 0.02%\t 5s\n");
	sbuf_reset(&out);
	cli_tab_text(&t, true, &out);
	cr_expect_str_eq(sbuf_str(&out), "t[a]\t 0.01%\t 1h0m0s\nt[bb]\t 0.02%\t 5s\n");
	sbuf_fini(&out);
	cli_tab_fini(&t);
}
