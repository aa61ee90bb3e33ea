/* unit tests: target/tlcursor.c — a listing's cursor: built on the first page and served from
 * on the next, rebuilt when the token goes below what it holds or the bucket/prefix/flags
 * change, a continuing listing it never saw walks once and builds on its second page, busy and
 * too-big listings walk, the cursor shrinks as the listing advances and goes at its end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "target/tlcursor.h"

static tlc_key_t key(const char *uuid, const char *prefix)
{
	return (tlc_key_t){.uuid = uuid, .provider = "ais", .ns = "", .bucket = "b", .bid = 7, .prefix = prefix,
			   .flags = 0};
}

/* names "n-000000".."n-<count-1>" (> lower only), sorted */
static tln_t names(int count, const char *lower)
{
	tln_t s;
	tln_init(&s, 0);
	for (int i = 0; i < count; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "n-%06d", i);
		if (strcmp(nm, lower) > 0)
			cr_assert_eq(tln_add(&s, nm, strlen(nm), NULL, 0, 0, false), 0);
	}
	cr_assert_eq(tln_sort(&s), 0);
	return s;
}

static void fini(void) { tlc_stop(); }

TestSuite(tlcursor, .fini = fini);

Test(tlcursor, build_serve_advance_end)
{
	tlc_key_t k = key("u1", "");
	tlc_t *c = NULL;
	cr_assert_eq(tlc_take(&k, "", &c), TLC_BUILD);
	tln_t s = names(20000, "");
	c = tlc_install(&k, "", &s);
	cr_assert_not_null(c);
	cr_assert_eq(s.n, 0); /* moved */
	cr_assert_eq(tlc_names(c)->n, 20000);
	tlc_release(c, "", 0, false, false);
	int nc;
	size_t bytes;
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, 1);
	cr_assert_gt(bytes, 20000 * sizeof(tln_item_t));
	/* next page: served from it */
	cr_assert_eq(tlc_take(&k, "n-004999", &c), TLC_SERVE);
	cr_assert_eq(tln_upper(tlc_names(c), "n-004999"), 5000);
	/* a second request of the same listing while it is taken: walks, does not wait */
	tlc_t *c2 = NULL;
	cr_assert_eq(tlc_take(&k, "n-004999", &c2), TLC_WALK);
	tlc_release(c, "n-004999", 5000, false, false);
	/* past half: what is below the token is dropped, names stay intact */
	cr_assert_eq(tlc_take(&k, "n-011999", &c), TLC_SERVE);
	tlc_release(c, "n-011999", 12000, false, false);
	size_t b2;
	tlc_usage(&nc, &b2);
	cr_assert_lt(b2, bytes);
	cr_assert_eq(tlc_take(&k, "n-011999", &c), TLC_SERVE);
	cr_assert_eq(tlc_names(c)->n, 8000);
	cr_assert_eq(memcmp(tln_name(tlc_names(c), 0), "n-012000", 8), 0);
	/* the end: only the last page stays */
	tlc_release(c, "n-017999", 18000 - 12000, true, false);
	cr_assert_eq(tlc_take(&k, "n-017999", &c), TLC_SERVE);
	cr_assert_eq(tlc_names(c)->n, 2000);
	tlc_release(c, "n-017999", 0, true, false);
	/* a token below what it holds (the client went back): rebuilt */
	cr_assert_eq(tlc_take(&k, "n-000100", &c), TLC_BUILD);
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, 0);
	cr_assert_eq(bytes, 0);
}

Test(tlcursor, empty_page_frees_and_keys_must_match)
{
	tlc_key_t k = key("u2", "p/");
	tlc_t *c;
	cr_assert_eq(tlc_take(&k, "", &c), TLC_BUILD);
	tln_t s = names(10, "");
	c = tlc_install(&k, "", &s);
	tlc_release(c, "", 0, true, false);
	/* the same uuid with another prefix (or bucket, or flags) is another listing */
	tlc_key_t k2 = key("u2", "q/");
	cr_assert_eq(tlc_take(&k2, "", &c), TLC_BUILD);
	int nc;
	size_t bytes;
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, 0);
	s = names(10, "");
	c = tlc_install(&k2, "", &s);
	tlc_release(c, "", 0, true, false);
	k2.bid = 8;
	cr_assert_eq(tlc_take(&k2, "", &c), TLC_BUILD); /* the bucket was re-created */
	k2.bid = 7;
	s = names(10, "");
	c = tlc_install(&k2, "", &s);
	tlc_release(c, "", 0, true, false);
	/* nothing after the token: the listing is over, the cursor goes */
	cr_assert_eq(tlc_take(&k2, "n-000009", &c), TLC_SERVE);
	tlc_release(c, "n-000009", 10, true, true);
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, 0);
	/* no uuid: always a page walk */
	tlc_key_t k3 = key("", "");
	cr_assert_eq(tlc_take(&k3, "", &c), TLC_WALK);
}

Test(tlcursor, unknown_continuing_listing_walks_then_builds)
{
	tlc_key_t k = key("u3", "");
	tlc_t *c;
	cr_assert_eq(tlc_take(&k, "n-000500", &c), TLC_WALK); /* e.g. a client with a uuid per page */
	cr_assert_eq(tlc_take(&k, "n-000600", &c), TLC_BUILD); /* it came back: worth a cursor */
	tln_t s = names(1000, "n-000600");
	c = tlc_install(&k, "n-000600", &s);
	cr_assert_eq(tlc_names(c)->n, 399);
	tlc_release(c, "n-000600", 0, false, false);
	cr_assert_eq(tlc_take(&k, "n-000700", &c), TLC_SERVE);
	tlc_release(c, "n-000700", 100, false, false);
	/* below its floor: rebuilt */
	cr_assert_eq(tlc_take(&k, "n-000599", &c), TLC_BUILD);
}

Test(tlcursor, too_big_walks_page_by_page)
{
	tlc_key_t k = key("u4", "");
	tlc_t *c;
	cr_assert_eq(tlc_take(&k, "", &c), TLC_BUILD);
	cr_assert_gt(tlc_budget(), 0);
	tlc_too_big(&k);
	cr_assert_eq(tlc_take(&k, "n-1", &c), TLC_WALK);
	cr_assert_eq(tlc_take(&k, "n-2", &c), TLC_WALK);
}

Test(tlcursor, table_is_bounded)
{
	char uuid[32];
	tlc_t *c;
	for (int i = 0; i < TLC_MAX + 10; i++) {
		snprintf(uuid, sizeof(uuid), "many-%d", i);
		tlc_key_t k = key(uuid, "");
		cr_assert_eq(tlc_take(&k, "", &c), TLC_BUILD);
		tln_t s = names(100, "");
		c = tlc_install(&k, "", &s);
		cr_assert_not_null(c);
		tlc_release(c, "", 0, false, false);
	}
	int nc;
	size_t bytes;
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, TLC_MAX); /* the least recently used went */
	tlc_key_t first = key("many-0", "");
	cr_assert_eq(tlc_take(&first, "n-000010", &c), TLC_WALK); /* forgotten: seen once now */
	tlc_key_t last = key(uuid, "");
	cr_assert_eq(tlc_take(&last, "n-000010", &c), TLC_SERVE);
	tlc_release(c, "n-000010", 11, false, false);
	tlc_stop();
	tlc_usage(&nc, &bytes);
	cr_assert_eq(nc, 0);
	cr_assert_eq(bytes, 0);
}
