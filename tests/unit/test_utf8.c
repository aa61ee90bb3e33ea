/* utf8: validation (RFC 3629 edge cases) and quoting for messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/utf8.h"

static bool ok(const char *s) { return utf8_valid(s, strlen(s)); }

Test(utf8, valid)
{
	cr_assert(ok(""));
	cr_assert(ok("plain ascii/with-more-than-eight-bytes.txt"));
	cr_assert(ok("a b/\xc3\xbc/\xe6\x97\xa5\xe6\x9c\xac")); /* ü, 日本 */
	cr_assert(ok("\xf0\x9f\x98\x80"));                     /* U+1F600 */
	cr_assert(ok("\xf4\x8f\xbf\xbf"));                     /* U+10FFFF */
	cr_assert(ok("\xed\x9f\xbf"));                         /* U+D7FF */
	cr_assert(utf8_valid("a\0b", 3));                      /* NUL is the caller's business */
}

Test(utf8, invalid)
{
	cr_assert(!ok("\xff"));
	cr_assert(!ok("abc\x80"));                 /* lone continuation */
	cr_assert(!ok("\xc3"));                    /* truncated */
	cr_assert(!ok("\xc3(x"));                  /* bad continuation */
	cr_assert(!ok("\xc0\xaf"));                /* overlong '/' */
	cr_assert(!ok("\xe0\x80\xaf"));            /* overlong */
	cr_assert(!ok("\xf0\x80\x80\xaf"));        /* overlong */
	cr_assert(!ok("\xed\xa0\x80"));            /* surrogate U+D800 */
	cr_assert(!ok("\xf4\x90\x80\x80"));        /* above U+10FFFF */
	cr_assert(!ok("\xf5\x80\x80\x80"));
	cr_assert(!ok("12345678\xfe" "12345678")); /* after the 8-byte fast path */
}

Test(utf8, quote)
{
	char out[64];
	cr_assert_str_eq(utf8_quote("ab\xff" "c", 4, out, sizeof(out)), "ab\\xffc");
	cr_assert_str_eq(utf8_quote("\xc3\xbc\n", 3, out, sizeof(out)), "\xc3\xbc\\x0a");
	cr_assert_str_eq(utf8_quote("a\0b", 3, out, sizeof(out)), "a\\x00b");
	cr_assert(ok(utf8_quote("\xed\xa0\x80\xc3", 4, out, sizeof(out))));
	/* cut with "...", always terminated, never above cap */
	char small[10];
	utf8_quote("abcdefghijklmnop", 16, small, sizeof(small));
	cr_assert_str_eq(small, "abcdef...");
	utf8_quote("\xff\xff\xff\xff", 4, small, sizeof(small));
	cr_assert_str_eq(small, "\\xff...");
	cr_assert(strlen(small) < sizeof(small));
	char tiny[4] = "zzz";
	cr_assert_str_eq(utf8_quote("abc", 3, tiny, sizeof(tiny)), "");
}
