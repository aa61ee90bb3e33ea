/* test_cli_args: argv → command, arguments and flags against the real command tree: nested
 * subcommands, top-level aliases, flags anywhere, "--flag=value" and "--flag value", short
 * names, "--" and "-", help and usage errors (return codes 1 and 2). */
#include "cli/cli.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

static int parse(cli_ctx_t *c, int argc, const char **argv)
{
	memset(c, 0, sizeof(*c));
	return cli_args_parse(c, cli_root(), argc, (char **)argv);
}

static void quiet(void)
{
	cr_redirect_stdout();
	cr_redirect_stderr();
}

Test(cli_args, nested_command_and_flags)
{
	cli_ctx_t c;
	const char *argv[] = {"bucket", "ls", "ais://b", "--props", "name,size", "-H", "--page-size=20"};
	cr_assert_eq(parse(&c, 7, argv), 0);
	cr_expect_str_eq(c.cmd->name, "ls");
	cr_expect_str_eq(c.cmdpath, "ais bucket ls");
	cr_expect_eq(c.nargs, 1);
	cr_expect_str_eq(c.args[0], "ais://b");
	cr_expect_str_eq(cli_flag_str(&c, "props", ""), "name,size");
	cr_expect(cli_flag(&c, "no-headers"));
	cr_expect(!cli_flag(&c, "json"));
	int64_t ps;
	cr_expect_eq(cli_flag_int(&c, "page-size", 0, &ps), 0);
	cr_expect_eq(ps, 20);
}

Test(cli_args, aliases_and_deep_commands)
{
	cli_ctx_t c;
	const char *a1[] = {"ls"};
	cr_assert_eq(parse(&c, 1, a1), 0);
	cr_expect(c.cmd->run == cli_bucket_ls);
	const char *a2[] = {"put", "-", "ais://b/o"};
	cr_assert_eq(parse(&c, 3, a2), 0);
	cr_expect(c.cmd->run == cli_object_put);
	cr_expect_eq(c.nargs, 2);
	cr_expect_str_eq(c.args[0], "-");
	const char *a3[] = {"cluster", "add-remove-nodes", "start-maintenance", "t1", "-y"};
	cr_assert_eq(parse(&c, 5, a3), 0);
	cr_expect_str_eq(c.cmd->name, "start-maintenance");
	cr_expect(cli_flag(&c, "yes"));
	const char *a4[] = {"show", "cluster", "smap", "--json"};
	cr_assert_eq(parse(&c, 4, a4), 0);
	cr_expect(c.cmd->run == cli_show_smap);
	/* a command with both subcommands and an action: a non-matching word is an argument */
	const char *a5[] = {"show", "cluster", "t[abc]"};
	cr_assert_eq(parse(&c, 3, a5), 0);
	cr_expect(c.cmd->run == cli_show_cluster);
	cr_expect_str_eq(c.args[0], "t[abc]");
	const char *a6[] = {"rmo", "ais://b/o"};
	cr_assert_eq(parse(&c, 2, a6), 0);
	cr_expect(c.cmd->run == cli_object_rm);
	const char *a7[] = {"bucket", "props", "set", "ais://b", "checksum.type=md5", "versioning.enabled=false"};
	cr_assert_eq(parse(&c, 6, a7), 0);
	cr_expect(c.cmd->run == cli_bucket_props_set);
	cr_expect_eq(c.nargs, 3);
}

Test(cli_args, double_dash_and_bool_values)
{
	cli_ctx_t c;
	const char *argv[] = {"object", "rm", "--verbose=false", "--", "-weird-name"};
	cr_assert_eq(parse(&c, 5, argv), 0);
	cr_expect(!cli_flag(&c, "verbose"));
	cr_expect_eq(c.nargs, 1);
	cr_expect_str_eq(c.args[0], "-weird-name");
}

Test(cli_args, create_props_flag_is_bprops)
{
	cli_ctx_t c;
	const char *argv[] = {"bucket", "create", "ais://b", "--props=mirror.enabled=true"};
	cr_assert_eq(parse(&c, 4, argv), 0);
	cr_expect_str_eq(cli_flag_str(&c, "bprops", ""), "mirror.enabled=true");
}

Test(cli_args, help_and_errors, .init = quiet)
{
	cli_ctx_t c;
	const char *h[] = {"bucket", "ls", "--help"};
	cr_expect_eq(parse(&c, 3, h), 1);
	const char *g[] = {"bucket"};
	cr_expect_eq(parse(&c, 1, g), 1); /* a group without a subcommand shows its help */
	const char *u[] = {"bucket", "ls", "--bogus"};
	cr_expect_eq(parse(&c, 3, u), 2);
	const char *s[] = {"bucket", "nosuch"};
	cr_expect_eq(parse(&c, 2, s), 2);
	const char *m[] = {"object", "get", "--offset"};
	cr_expect_eq(parse(&c, 3, m), 2);
	const char *n[] = {"ls", "--page-size", "x"};
	cr_assert_eq(parse(&c, 3, n), 0);
	int64_t v;
	cr_expect_eq(cli_flag_int(&c, "page-size", 0, &v), -1);
}

Test(cli_args, help_text, .init = cr_redirect_stdout)
{
	cli_ctx_t c;
	const char *h[] = {"object", "put", "-h"};
	cr_assert_eq(parse(&c, 3, h), 1);
	fflush(stdout);
	char buf[8192] = "";
	FILE *f = cr_get_redirected_stdout();
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_expect(strstr(buf, "NAME:\n   ais object put - ") != NULL, "%s", buf);
	cr_expect(strstr(buf, "USAGE:\n   ais object put [-|FILE|DIRECTORY]") != NULL, "%s", buf);
	cr_expect(strstr(buf, "--recursive, -r") != NULL, "%s", buf);
	cr_expect(strstr(buf, "--help, -h") != NULL, "%s", buf);
}
