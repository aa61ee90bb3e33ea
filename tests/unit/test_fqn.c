/* fqn: name validation, path building, long-name shortening. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/hrw.h"
#include "fs/fqn.h"

static int v(const char *s) { return fqn_validate(s, strlen(s)); }

Test(fqn, valid_names)
{
	cr_assert_eq(v("a"), 0);
	cr_assert_eq(v("a/b/c.txt"), 0);
	cr_assert_eq(v("..a"), 0);
	cr_assert_eq(v("a/..b/c"), 0);
	cr_assert_eq(v("a b/ü/日本"), 0);
	cr_assert_eq(v(".hidden"), 0);
	cr_assert_eq(v("a~"), 0);
}

Test(fqn, invalid_names)
{
	cr_assert_eq(v(""), AIS_EINVAL);
	cr_assert_eq(v("/a"), AIS_EINVAL);
	cr_assert_eq(v("a/"), AIS_EINVAL);
	cr_assert_eq(v(".."), AIS_EINVAL);
	cr_assert_eq(v("."), AIS_EINVAL);
	cr_assert_eq(v("a/../b"), AIS_EINVAL);
	cr_assert_eq(v("a/./b"), AIS_EINVAL);
	cr_assert_eq(v("a/.."), AIS_EINVAL);
	cr_assert_eq(v("a//b"), AIS_EINVAL);
	cr_assert_eq(v("~/x"), AIS_EINVAL);
	cr_assert_eq(fqn_validate("a\0b", 3), AIS_EINVAL);
	cr_assert_eq(fqn_validate(NULL, 0), AIS_EINVAL);
	static char big[FQN_OBJNAME_MAX + 2];
	memset(big, 'a', FQN_OBJNAME_MAX + 1);
	cr_assert_eq(fqn_validate(big, FQN_OBJNAME_MAX + 1), AIS_EINVAL);
	cr_assert_eq(fqn_validate(big, FQN_OBJNAME_MAX), 0);
}

Test(fqn, invalid_utf8_names)
{
	cr_assert_eq(v("a/\xff/b"), AIS_EINVAL);
	cr_assert_eq(v("caf\xc3"), AIS_EINVAL);
	cr_assert_eq(v("\xc0\xafetc"), AIS_EINVAL); /* overlong '/' */
	cr_assert_eq(v("caf\xc3\xa9"), 0);
	cr_assert_str_eq(fqn_invalid("a/\xff", 3), "not valid UTF-8");
	cr_assert_str_eq(fqn_invalid("a//b", 4), "empty path segment");
	cr_assert_str_eq(fqn_invalid("/a", 2), "leading '/'");
	cr_assert_null(fqn_invalid("ok/name", 7));
}

Test(fqn, paths)
{
	char p[FQN_MAX];
	bool fntl = true;
	cr_assert_gt(fqn_obj(p, sizeof(p), "/mp1", "ais", "", "bck", "a/b.txt", &fntl), 0);
	cr_assert_str_eq(p, "/mp1/@ais/bck/%ob/a/b.txt");
	cr_assert(!fntl);
	cr_assert_gt(fqn_ct_dir(p, sizeof(p), "/mp1", "ais", "", "bck", FQN_CT_WORK), 0);
	cr_assert_str_eq(p, "/mp1/@ais/bck/%wk");
	cr_assert_gt(fqn_bck_dir(p, sizeof(p), "/mp1", "ais", "@#ns1", "bck"), 0);
	cr_assert_str_eq(p, "/mp1/@ais/#ns1/bck");
	cr_assert_gt(fqn_bck_dir(p, sizeof(p), "/mp1", "ais", "@Uu1#ns1", "bck"), 0);
	cr_assert_str_eq(p, "/mp1/@ais/@Uu1#ns1/bck");
	char small[10];
	cr_assert_eq(fqn_obj(small, sizeof(small), "/mp1", "ais", "", "bck", "x", NULL), AIS_EINVAL);
}

Test(fqn, long_names)
{
	static char name[FQN_OBJNAME_MAX + 1];
	/* a 300-byte component */
	memset(name, 'x', 300);
	name[300] = '\0';
	cr_assert(fqn_is_fntl(name, 300));
	/* many short components, total > 3072 */
	size_t n = 0;
	while (n < 3200) {
		memcpy(name + n, "abcdefghi/", 10);
		n += 10;
	}
	name[n - 1] = '\0';
	cr_assert(fqn_is_fntl(name, n - 1));
	cr_assert(!fqn_is_fntl("a/b/c", 5));
	char p[FQN_MAX];
	bool fntl = false;
	cr_assert_gt(fqn_obj(p, sizeof(p), "/mp", "ais", "", "b", name, &fntl), 0);
	cr_assert(fntl);
	char s1[FQN_SHORT_LEN + 1], s2[FQN_SHORT_LEN + 1];
	fqn_short(name, strlen(name), s1);
	fqn_short(name, strlen(name), s2);
	cr_assert_str_eq(s1, s2);
	cr_assert_eq(strlen(s1), FQN_SHORT_LEN);
	cr_assert_eq(strncmp(s1, ".x", 2), 0);
	char want[FQN_MAX];
	snprintf(want, sizeof(want), "/mp/@ais/b/%%ob/%s", s1);
	cr_assert_str_eq(p, want);
	/* sha256("abc") */
	fqn_short("abc", 3, s1);
	cr_assert_str_eq(s1, ".xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* a user name shaped like a short name is itself shortened (no aliasing) */
	cr_assert(fqn_is_fntl(s1, strlen(s1)));
}

Test(fqn, ns_split)
{
	char u[80], n[80];
	hrw_ns_split("@uuid1#name1", u, sizeof(u), n, sizeof(n));
	cr_assert_str_eq(u, "uuid1");
	cr_assert_str_eq(n, "name1");
	hrw_ns_split("", u, sizeof(u), n, sizeof(n));
	cr_assert_str_eq(u, "");
	cr_assert_str_eq(n, "");
	hrw_ns_split("@#loc", u, sizeof(u), n, sizeof(n));
	cr_assert_str_eq(u, "");
	cr_assert_str_eq(n, "loc");
}
