/* tmpl: AIStore's range templates (cmn/cos/template.go) that name the objects of multi-object
 * jobs (prefetch, evict, delete, copy, download): "bash" ranges "shard-{0000..0999}.tar",
 * "{a..b..step}", several in a row ("{0..9}-{00..99}"), zero padding = the shorter bound's
 * width; "at" templates "prefix-@00100-suffix" (0..100, width 5); a template without ranges is
 * a prefix (AIStore's prefix-only template). Invalid syntax (unbalanced braces, a bad number,
 * start > end, negative start, step <= 0) is rejected with AIStore's message.
 * Pure: no I/O; a parsed template owns its strings (tmpl_fini). */
#ifndef AIS_TMPL_H
#define AIS_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

#define TMPL_MAX_RANGES 16
#define TMPL_MAX_EXPANSION 10000000 /* maxTemplateExpansion */

typedef struct tmpl_range {
	int64_t start, end, step;
	int digits;
	char *gap; /* text after the range up to the next one (or the end) */
} tmpl_range_t;

typedef struct tmpl {
	char *prefix;
	tmpl_range_t r[TMPL_MAX_RANGES];
	int n;               /* 0: prefix-only */
	int64_t at[TMPL_MAX_RANGES];
	bool started, done;
	sbuf_t buf;
} tmpl_t;

/* parse s. 0, AIS_EINVAL (err: AIStore's "invalid 'bash' template ..."), AIS_ENOMEM. An empty
 * template or "*" parses as the empty prefix (match all). */
int tmpl_parse(const char *s, tmpl_t *t, char *err, size_t cap);
/* number of names (1 for a prefix-only template); saturates at INT64_MAX */
int64_t tmpl_count(const tmpl_t *t);
/* the next name (valid until the next call): true, or false at the end. Prefix-only templates
 * yield nothing (use t->prefix). */
bool tmpl_next(tmpl_t *t, const char **name);
void tmpl_fini(tmpl_t *t);

#endif
