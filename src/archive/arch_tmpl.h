/* arch_tmpl: AIStore's bash-style name templates (cos.ParseBashTemplate), the selection of the
 * archive job, `ais archive gen-shards` and `ais ml get-batch --template`:
 * "prefix{0001..0010..3}mid{a..b}" is not supported; ranges are numeric: {start..end[..step]},
 * zero-padded to the width of start, any number of them (their product, in order). A template
 * without '{' has no range: the caller treats it as a prefix. Pure. */
#ifndef AIS_ARCH_TMPL_H
#define AIS_ARCH_TMPL_H

#include <stdbool.h>
#include <stddef.h>

/* every name of the template, in order, to fn (a non-zero return stops and is returned).
 * 0, AIS_EINVAL (malformed range), or fn's code. A template without a range yields itself. */
typedef int (*arch_tmpl_fn)(void *arg, const char *name, size_t len);
int arch_tmpl_expand(const char *t, arch_tmpl_fn fn, void *arg);
/* has at least one {a..b} range */
bool arch_tmpl_has_range(const char *t);

#endif
