/* unit tests: proxy/plcache.c — a listing's state between pages is found again only where it
 * left off (same uuid, key, token and targets), a stale one is dropped, the table is bounded
 * by count and kept entries. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "proxy/plcache.h"

static const char *const ids[] = {"t1", "t2", "t3"};

static plcache_t *mk(const char *uuid, const char *token, int nleft)
{
	plcache_t *c = plcache_new(uuid, "ais||b|{}", ids, 3);
	cr_assert_not_null(c);
	for (int i = 0; i < nleft; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "left-%06d", i);
		lso_ent_t e = {.name = strdup(nm)};
		cr_assert_eq(lso_res_add(&c->t[i % 3].left, &e), 0);
	}
	c->t[0].last = strdup("left-9");
	c->token = strdup(token);
	return c;
}

Test(plcache, found_only_where_it_left_off)
{
	plcache_put(mk("u1", "tok1", 10));
	int n;
	size_t ents;
	plcache_usage(&n, &ents);
	cr_assert_eq(n, 1);
	cr_assert_eq(ents, 10);
	cr_assert_null(plcache_take("u2", "ais||b|{}", "tok1", ids, 3));
	plcache_t *c = plcache_take("u1", "ais||b|{}", "tok1", ids, 3);
	cr_assert_not_null(c);
	cr_assert_str_eq(c->t[0].last, "left-9");
	cr_assert_eq(c->t[0].left.n + c->t[1].left.n + c->t[2].left.n, 10);
	plcache_usage(&n, &ents);
	cr_assert_eq(n, 0); /* taken: out of the table */
	cr_assert_eq(ents, 0);
	free(c->token);
	c->token = strdup("tok2");
	plcache_put(c);
	/* another token (the client went back), key, or cluster: dropped, start over */
	cr_assert_null(plcache_take("u1", "ais||b|{}", "tok1", ids, 3));
	plcache_usage(&n, &ents);
	cr_assert_eq(n, 0);
	plcache_put(mk("u1", "tok2", 5));
	cr_assert_null(plcache_take("u1", "ais||b|{\"prefix\":\"x\"}", "tok2", ids, 3));
	plcache_put(mk("u1", "tok2", 5));
	cr_assert_null(plcache_take("u1", "ais||b|{}", "tok2", ids, 2));
	plcache_put(mk("u1", "tok2", 5));
	static const char *const other[] = {"t1", "t2", "t9"};
	cr_assert_null(plcache_take("u1", "ais||b|{}", "tok2", other, 3));
	plcache_usage(&n, &ents);
	cr_assert_eq(n, 0);
	cr_assert_null(plcache_take("", "k", "t", ids, 3));
}

Test(plcache, bounded)
{
	char uuid[32];
	for (int i = 0; i < PLCACHE_MAX + 5; i++) {
		snprintf(uuid, sizeof(uuid), "u%d", i);
		plcache_put(mk(uuid, "t", 3));
	}
	int n;
	size_t ents;
	plcache_usage(&n, &ents);
	cr_assert_eq(n, PLCACHE_MAX);
	cr_assert_null(plcache_take("u0", "ais||b|{}", "t", ids, 3)); /* the oldest went */
	/* one listing with more than the whole budget is not kept; others make room for a big one */
	plcache_put(mk("huge", "t", PLCACHE_MAX_ENTS + 1));
	cr_assert_null(plcache_take("huge", "ais||b|{}", "t", ids, 3));
	plcache_put(mk("big", "t", PLCACHE_MAX_ENTS - 2));
	plcache_usage(&n, &ents);
	cr_assert_leq(ents, PLCACHE_MAX_ENTS);
	plcache_t *c = plcache_take("big", "ais||b|{}", "t", ids, 3);
	cr_assert_not_null(c);
	plcache_free(c);
}
