/* test_isig: intra-cluster request signatures (net/isig.c): a signed line verifies once, for
 * its method and request-target only, within the window, with the cluster key (current or the
 * previous one); malformed values are refused. */
#include "core/ckey.h"
#include "core/err.h"
#include "core/util.h"
#include "net/isig.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void key(int b, int prev)
{
	uint8_t k[CKEY_LEN], p[CKEY_LEN];
	memset(k, b, sizeof(k));
	memset(p, prev, sizeof(p));
	cr_assert_eq(ckey_set(k, prev ? p : NULL), 0);
}

/* the header value of a fresh signature */
static void sign(const char *m, const char *t, char *val, size_t cap)
{
	char line[ISIG_HDR_MAX];
	cr_assert_eq(isig_line(m, t, line, sizeof(line)), 0);
	cr_assert_eq(strncmp(line, ISIG_HDR ": ", strlen(ISIG_HDR) + 2), 0);
	snprintf(val, cap, "%s", line + strlen(ISIG_HDR) + 2);
}

static long long now_ms(void) { return (long long)(now_ns() / 1000000); }

Test(isig, verify_once)
{
	key(1, 0);
	isig_set_sender("pNode1");
	char v[ISIG_HDR_MAX], sender[64], why[160];
	sign("PUT", "/v1/metasync", v, sizeof(v));
	cr_assert_eq(isig_verify_parts("PUT", "/v1/metasync", v, now_ms(), 60000, sender, sizeof(sender), why, sizeof(why)), 0,
		     "%s", why);
	cr_assert_str_eq(sender, "pNode1");
	cr_assert_eq(isig_verify_parts("PUT", "/v1/metasync", v, now_ms(), 60000, sender, sizeof(sender), why, sizeof(why)),
		     AIS_EAUTH);
	cr_assert(strstr(why, "replayed"), "%s", why);
}

Test(isig, bound_to_method_target_and_key)
{
	key(2, 0);
	isig_set_sender("tTarget2");
	char v[ISIG_HDR_MAX], why[160];
	sign("PUT", "/v1/daemon?x=1", v, sizeof(v));
	cr_assert_eq(isig_verify_parts("GET", "/v1/daemon?x=1", v, now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(isig_verify_parts("PUT", "/v1/daemon?x=2", v, now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(isig_verify_parts("PUT", "/v1/daemon", v, now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH);
	/* another sender id in the header */
	char t[ISIG_HDR_MAX];
	snprintf(t, sizeof(t), "%s", v);
	memcpy(strstr(t, "tTarget2"), "tTarget3", 8);
	cr_assert_eq(isig_verify_parts("PUT", "/v1/daemon?x=1", t, now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH);
	/* another cluster's key */
	key(3, 0);
	cr_assert_eq(isig_verify_parts("PUT", "/v1/daemon?x=1", v, now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "mismatch"), "%s", why);
	/* rotated: 2 is the previous secret now, still accepted */
	key(3, 2);
	cr_assert_eq(isig_verify_parts("PUT", "/v1/daemon?x=1", v, now_ms(), 60000, NULL, 0, why, sizeof(why)), 0, "%s", why);
}

Test(isig, time_window)
{
	key(4, 0);
	isig_set_sender("p1");
	char v[ISIG_HDR_MAX], why[160];
	sign("POST", "/v1/cluster/keepalive", v, sizeof(v));
	cr_assert_eq(isig_verify_parts("POST", "/v1/cluster/keepalive", v, now_ms() + 61000, 60000, NULL, 0, why, sizeof(why)),
		     AIS_EAUTH);
	cr_assert(strstr(why, "time window"), "%s", why);
	cr_assert_eq(isig_verify_parts("POST", "/v1/cluster/keepalive", v, now_ms() - 61000, 60000, NULL, 0, why, sizeof(why)),
		     AIS_EAUTH);
	cr_assert_eq(isig_verify_parts("POST", "/v1/cluster/keepalive", v, now_ms() + 30000, 60000, NULL, 0, why, sizeof(why)),
		     0, "%s", why);
}

Test(isig, malformed)
{
	key(5, 0);
	static const char *bad[] = {"", "v1", "v1 a b c d", "v2 p1 1 0123456789abcdef AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				    "v1 p/1 1 0123456789abcdef AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				    "v1 p1 x 0123456789abcdef AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				    "v1 p1 1 0123456789abcdeZ AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				    "v1 p1 1 0123456789abcdef AAAA", "v1 p1 1 0123456789abcdef AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[160] = "";
		cr_assert_eq(isig_verify_parts("GET", "/", bad[i], now_ms(), 60000, NULL, 0, why, sizeof(why)), AIS_EAUTH, "%s",
			     bad[i]);
	}
}

Test(isig, url_target)
{
	cr_assert_str_eq(isig_url_target("http://h:1/a/b?c=d"), "/a/b?c=d");
	cr_assert_str_eq(isig_url_target("http://[::1]:8080"), "/");
	cr_assert_str_eq(isig_url_target("/x"), "/x");
}

Test(isig, no_key_no_line)
{
	ckey_fini();
	char line[ISIG_HDR_MAX];
	cr_assert_eq(isig_line("GET", "/", line, sizeof(line)), AIS_EUNAVAIL);
	cr_assert_str_eq(line, "");
}
