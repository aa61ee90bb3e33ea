/* util: small pure helpers shared by every module: clocks, size and duration parsing,
 * random identifiers, URL (percent) decoding/encoding. No state. */
#ifndef AIS_UTIL_H
#define AIS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t now_ns(void);       /* wall clock, ns since epoch */
int64_t mono_ns(void);      /* monotonic clock, ns */

/* "10s", "1m", "2h", "500ms", "1m30s" → ns. Returns 0 or AIS_EINVAL. */
int parse_duration(const char *s, int64_t *ns);
/* "1GiB", "10mb", "4096", "1KiB" → bytes (AIStore's cos.ParseSize: k/m/g/t are powers of 1024). */
int parse_size(const char *s, int64_t *bytes);
/* strict decimal int64 parse; whole string must be a number. */
int parse_i64(const char *s, int64_t *v);
/* base 36 (digits, lowercase letters) as AIStore's strconv.FormatInt(v, 36): out (cap >= 14) */
const char *u64_base36(uint64_t v, char *out, size_t cap);
/* the inverse (either case); 0 or AIS_EINVAL (empty, other characters, overflow) */
int parse_base36(const char *s, uint64_t *v);

/* n random characters from [a-zA-Z0-9] into out (n+1 bytes). */
void rand_alnum(char *out, size_t n);
/* a random 64-bit value: per-thread PRNG seeded from getrandom (unique, not secret). */
uint64_t rand_u64(void);
/* AIStore-style UUID-ish id: n random letters/digits, first one a letter. */
void gen_uuid(char *out, size_t n);

/* percent-decode src[0..len) into dst (capacity >= len+1); '+' kept as is unless plus_space.
 * Returns decoded length or -1 on malformed escapes. */
long url_decode(const char *src, size_t len, char *dst, bool plus_space);
/* percent-encode for a URL path (keeps '/' and unreserved) or a query value (keep_slash=false).
 * Returns malloc'd string. */
char *url_encode(const char *s, bool keep_slash);

/* ISO-8601/RFC3339 with nanoseconds ("2006-01-02T15:04:05.999999999Z") and RFC1123 (HTTP date). */
void fmt_rfc3339(int64_t ns, char *out, size_t cap);
void fmt_http_date(int64_t ns, char *out, size_t cap);

#endif
