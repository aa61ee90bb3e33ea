/* unit tests: target/tlnames.c — the list walk's name arena: order equals strcmp's (bytes above
 * 0x7f, '/' and prefixes), duplicates dropped, long-name rel paths kept through the sort,
 * truncate and drop_front keep every remaining name intact, upper-bound search, budget. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "target/tlnames.h"

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void name_at(const tln_t *s, size_t i, char *out)
{
	memcpy(out, tln_name(s, i), tln_len(s, i));
	out[tln_len(s, i)] = '\0';
}

Test(tlnames, sort_matches_strcmp_and_dedupes)
{
	static const char *const in[] = {"b", "a/b", "a-c", "a", "a.x", "a/", "\xc3\xa9t\xc3\xa9", "z", "a/b",
					 "ab", "a0", "A", "a/b/c", "\x7f", "b"};
	size_t n = sizeof(in) / sizeof(in[0]);
	tln_t s;
	tln_init(&s, 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(tln_add(&s, in[i], strlen(in[i]), NULL, 0, (int)(i % 3), false), 0);
	cr_assert_eq(tln_sort(&s), 0);
	const char *want[32];
	memcpy(want, in, sizeof(in));
	qsort(want, n, sizeof(want[0]), cmpstr);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(want[k - 1], want[i]))
			want[k++] = want[i];
	cr_assert_eq(s.n, k);
	char buf[64];
	for (size_t i = 0; i < k; i++) {
		name_at(&s, i, buf);
		cr_assert_str_eq(buf, want[i], "item %zu", i);
	}
	tln_fini(&s);
}

Test(tlnames, rel_paths_survive_sort_truncate_drop)
{
	tln_t s;
	tln_init(&s, 0);
	char name[64], rel[80], buf[128];
	for (int i = 999; i >= 0; i--) {
		snprintf(name, sizeof(name), "d%02d/o-%04d", i % 7, i);
		snprintf(rel, sizeof(rel), ".x%04d", i);
		/* every third one stored under a short name */
		cr_assert_eq(tln_add(&s, name, strlen(name), i % 3 ? name : rel, strlen(i % 3 ? name : rel), i % 2, i == 5), 0);
	}
	cr_assert_eq(tln_sort(&s), 0);
	cr_assert_eq(s.n, 1000);
	for (size_t i = 1; i < s.n; i++)
		cr_assert_lt(tln_cmp(&s, i - 1, tln_name(&s, i), tln_len(&s, i)), 0);
	tln_drop_front(&s, 400);
	tln_truncate(&s, 500);
	cr_assert_eq(s.n, 500);
	for (size_t i = 0; i < s.n; i++) {
		name_at(&s, i, buf);
		int num = atoi(strchr(buf, '-') + 1);
		cr_assert(tln_rel(&s, i, rel, sizeof(rel)));
		if (num % 3)
			cr_assert_str_eq(rel, buf);
		else
			cr_assert_eq(atoi(rel + 2), num, "%s -> %s", buf, rel);
		cr_assert_eq(s.v[i].mpi, num % 2);
		cr_assert_eq(s.v[i].dir, num == 5);
	}
	cr_assert(!tln_rel(&s, 0, rel, 3)); /* does not fit */
	tln_drop_front(&s, 10000);
	cr_assert_eq(s.n, 0);
	tln_fini(&s);
}

Test(tlnames, upper_bound)
{
	tln_t s;
	tln_init(&s, 0);
	const char *in[] = {"a", "b", "b/c", "d"};
	for (int i = 0; i < 4; i++)
		tln_add(&s, in[i], strlen(in[i]), NULL, 0, 0, false);
	tln_sort(&s);
	cr_assert_eq(tln_upper(&s, ""), 0);
	cr_assert_eq(tln_upper(&s, NULL), 0);
	cr_assert_eq(tln_upper(&s, "a"), 1);
	cr_assert_eq(tln_upper(&s, "a0"), 1);
	cr_assert_eq(tln_upper(&s, "b"), 2);
	cr_assert_eq(tln_upper(&s, "b/"), 2);
	cr_assert_eq(tln_upper(&s, "b/c"), 3);
	cr_assert_eq(tln_upper(&s, "d"), 4);
	cr_assert_eq(tln_upper(&s, "zzz"), 4);
	tln_fini(&s);
}

Test(tlnames, budget)
{
	tln_t s;
	tln_init(&s, 4096);
	int rc = 0, n = 0;
	while (!rc) {
		char nm[32];
		snprintf(nm, sizeof(nm), "object-%06d", n);
		if (!(rc = tln_add(&s, nm, strlen(nm), NULL, 0, 0, false)))
			n++;
	}
	cr_assert_eq(rc, AIS_ETOOBIG);
	cr_assert_gt(n, 50);
	cr_assert_lt(n * (sizeof(tln_item_t) + 13), 4096 + 64);
	tln_fini(&s);
}
