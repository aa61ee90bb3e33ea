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
	cr_assert_eq(v("a//"), AIS_EINVAL); /* ("a/" is valid now: a directory marker, see below) */
	cr_assert_eq(v("/"), AIS_EINVAL);
	cr_assert_eq(v("a/b//"), AIS_EINVAL);
	cr_assert_eq(v("a/../"), AIS_EINVAL);
	cr_assert_eq(v("x../y"), AIS_EINVAL); /* AIStore's ValidOname: no "../", "~/" anywhere */
	cr_assert_eq(v("x~/y"), AIS_EINVAL);
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

/* names that are a file and a directory at once: the reserved leaf names (fqn.h) */
Test(fqn, dir_markers_and_reserved)
{
	cr_assert_eq(v("a/"), 0);
	cr_assert_eq(v("a/b/"), 0);
	cr_assert_eq(v("a/%ob.leaf"), AIS_EINVAL);
	cr_assert_eq(v("%ob.leaf"), AIS_EINVAL);
	cr_assert_eq(v("%ob.dir/"), AIS_EINVAL);
	cr_assert_eq(v("a/%ob.dir/b"), AIS_EINVAL);
	cr_assert_eq(v("a/%ob.dirx"), 0);
	cr_assert_eq(v("a/x%ob.leaf"), 0);
	cr_assert_eq(v("%ob"), 0);
	cr_assert_not_null(strstr(fqn_invalid("a/%ob.leaf", 10), "reserved"));
	cr_assert(fqn_reserved(FQN_LEAF, strlen(FQN_LEAF)));
	cr_assert(fqn_reserved(FQN_DIRM, strlen(FQN_DIRM)));
	cr_assert(!fqn_reserved("%ob", 3));

	char p[FQN_MAX];
	bool fntl = true;
	int n = fqn_obj(p, sizeof(p), "/mp1", "ais", "", "bck", "a/b/", &fntl);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(p, "/mp1/@ais/bck/%ob/a/b/%ob.dir");
	cr_assert_eq((size_t)n, strlen(p));
	cr_assert(!fntl);
	n = fqn_obj(p, sizeof(p), "/mp1", "ais", "", "bck", "a/b", &fntl);
	cr_assert_str_eq(p, "/mp1/@ais/bck/%ob/a/b"); /* every other name: AIStore's layout */
	cr_assert(!fqn_is_leaf(p, (size_t)n));
	n = fqn_leaf(p, sizeof(p), (size_t)n);
	cr_assert_str_eq(p, "/mp1/@ais/bck/%ob/a/b/%ob.leaf");
	cr_assert_eq((size_t)n, strlen(p));
	cr_assert(fqn_is_leaf(p, (size_t)n));
	char small[8] = "abcdef";
	cr_assert_eq(fqn_leaf(small, sizeof(small), 6), AIS_EINVAL);
}

static size_t rn(const char *rel) { return fqn_rel_name(rel, strlen(rel)); }

Test(fqn, rel_names)
{
	cr_assert_eq(rn("a/b/%ob.leaf"), 3);   /* "a/b" */
	cr_assert_eq(rn("a/b/%ob.dir"), 4);    /* "a/b/" */
	cr_assert_eq(rn("x/%ob.dir"), 2);      /* "x/" */
	cr_assert_eq(rn("a/b"), 3);
	cr_assert_eq(rn("%ob.leaf"), 8);       /* not after a '/': not a leaf (never made) */
	cr_assert_eq(rn("a/x%ob.leaf"), 11);
	cr_assert_eq(rn("a/b%ob.dir"), 10);
	/* round trip: every valid name maps to a distinct path that maps back to it */
	static const char *names[] = {"a", "a/", "a/b", "a/b/", "a/b/c", "ab", "a-b/", NULL};
	char seen[8][FQN_MAX];
	for (int i = 0; names[i]; i++) {
		char p[FQN_MAX];
		bool fntl;
		int n = fqn_obj(p, sizeof(p), "/m", "ais", "", "b", names[i], &fntl);
		cr_assert_gt(n, 0);
		const char *rel = p + strlen("/m/@ais/b/%ob/");
		cr_assert_eq(fqn_rel_name(rel, strlen(rel)), strlen(names[i]), "%s", names[i]);
		cr_assert_eq(strncmp(rel, names[i], strlen(names[i])), 0);
		/* and as a leaf (the object core's form when its path is a directory) */
		if (names[i][strlen(names[i]) - 1] != '/') {
			char q[FQN_MAX];
			snprintf(q, sizeof(q), "%s", p);
			int m = fqn_leaf(q, sizeof(q), (size_t)n);
			const char *lrel = q + strlen("/m/@ais/b/%ob/");
			cr_assert_gt(m, 0);
			cr_assert_eq(fqn_rel_name(lrel, strlen(lrel)), strlen(names[i]));
		}
		snprintf(seen[i], FQN_MAX, "%s", p);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(seen[i], seen[j]);
	}
}

Test(fqn, short_name_lookalike_first_segment)
{
	char nm[FQN_SHORT_LEN + 8];
	memset(nm, 'a', sizeof(nm));
	nm[0] = '.';
	nm[1] = 'x';
	memcpy(nm + FQN_SHORT_LEN, "/f", 3);
	cr_assert(fqn_is_fntl(nm, strlen(nm))); /* ".x<64>/f" would put a directory where a short file goes */
	nm[FQN_SHORT_LEN] = '\0';
	cr_assert(fqn_is_fntl(nm, FQN_SHORT_LEN));
	cr_assert(!fqn_is_fntl("a/.xab", 6));
}
