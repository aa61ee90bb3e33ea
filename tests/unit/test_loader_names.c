/* unit tests: aisloader's name list, PRNG and endpoints (src/loader/ld_names.c, ld_ep.c) */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_ep.h"
#include "loader/ld_names.h"

Test(loader_names, add_at_shuffle)
{
	ld_names_t *n = ld_names_new();
	cr_assert_not_null(n);
	char b[64];
	for (int i = 0; i < 70000; i++) { /* crosses a chunk boundary */
		snprintf(b, sizeof(b), "o-%d", i);
		cr_assert_eq(ld_names_add(n, b), 0);
	}
	cr_assert_eq(ld_names_len(n), 70000);
	cr_assert_str_eq(ld_names_at(n, 65537), "o-65537");
	uint64_t rng = 42;
	ld_names_shuffle(n, &rng);
	static char seen[70000];
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < 70000; i++)
		seen[atoi(ld_names_at(n, i) + 2)]++;
	for (int i = 0; i < 70000; i++)
		cr_assert_eq(seen[i], 1);
	ld_names_free(n);
}

Test(loader_names, gen_and_rand)
{
	uint64_t rng = 1;
	char b[64];
	cr_assert_eq(ld_names_gen(b, sizeof(b), "dir/", 32, &rng), 36);
	cr_assert_eq(strncmp(b, "dir/", 4), 0);
	for (int i = 4; i < 36; i++)
		cr_assert(isalnum((unsigned char)b[i]));
	cr_assert_eq(ld_names_gen(b, 10, "dir/", 32, &rng), -1);
	int hist[10] = {0};
	for (int i = 0; i < 100000; i++) {
		uint64_t x = ld_names_rand_below(&rng, 10);
		cr_assert_lt(x, 10);
		hist[x]++;
	}
	for (int i = 0; i < 10; i++)
		cr_assert(hist[i] > 9000 && hist[i] < 11000);
}

Test(loader_names, ep_split)
{
	char h[64];
	int port;
	const char *rest;
	cr_assert_eq(ld_ep_split("http://127.0.0.1:8081/v1/objects/b/o?pid=x", h, sizeof(h), &port, &rest), 0);
	cr_assert_str_eq(h, "127.0.0.1");
	cr_assert_eq(port, 8081);
	cr_assert_str_eq(rest, "/v1/objects/b/o?pid=x");
	cr_assert_eq(ld_ep_split("http://host", h, sizeof(h), &port, &rest), 0);
	cr_assert_eq(port, 80);
	cr_assert_str_eq(rest, "/");
	cr_assert_eq(ld_ep_split("http://[::1]:9/x", h, sizeof(h), &port, &rest), 0);
	cr_assert_str_eq(h, "::1");
	cr_assert_eq(port, 9);
	/* https endpoints (TLS, net/tls.h) */
	cr_assert_eq(ld_ep_split("https://h:1/x", h, sizeof(h), &port, &rest), 0);
	cr_assert_eq(port, 1);
	cr_assert_str_eq(rest, "/x");
	cr_assert_eq(ld_ep_split("https://h", h, sizeof(h), &port, &rest), 0);
	cr_assert_eq(port, 443);
	cr_assert_neq(ld_ep_split("ftp://h:1/", h, sizeof(h), &port, &rest), 0);
	cr_assert_neq(ld_ep_split("httpss://h:1/", h, sizeof(h), &port, &rest), 0);
	cr_assert_neq(ld_ep_split("http://h:99999/", h, sizeof(h), &port, &rest), 0);
	cr_assert_neq(ld_ep_split("http://:1/", h, sizeof(h), &port, &rest), 0);
	ld_ep_t eps[2];
	cr_assert_eq(ld_ep_init(&eps[0], "http://127.0.0.1:1000"), 0);
	cr_assert_eq(ld_ep_init(&eps[1], "http://127.0.0.1:1001/"), 0);
	cr_assert_str_eq(eps[1].hostport, "127.0.0.1:1001");
	cr_assert_eq(ld_ep_find(eps, 2, "127.0.0.1", 9, 1001), 1);
	cr_assert_eq(ld_ep_find(eps, 2, "127.0.0.1", 9, 1002), -1);
}
