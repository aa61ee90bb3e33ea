/* utf8: UTF-8 validation (RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF)
 * and quoting of arbitrary bytes for messages (JSON and XML error bodies must stay valid UTF-8
 * even when they name what was rejected). Pure: no state, no allocation. */
#ifndef AIS_UTF8_H
#define AIS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* s[0..n) is well-formed UTF-8 (NUL bytes are well-formed; callers reject them separately) */
bool utf8_valid(const char *s, size_t n);
/* s[0..n) made printable into out: well-formed characters as they are, control bytes (< 0x20)
 * and every byte that is not part of a well-formed character as "\xNN"; cut (ending "...")
 * when it does not fit. NUL-terminates (cap < 8: ""); returns out. */
const char *utf8_quote(const char *s, size_t n, char *out, size_t cap);

#endif
