/* arch_match: selecting archived files by name for GET ?archregx=&archmode= (AIStore's
 * archive.MatchMode: "regexp" (the default; POSIX extended syntax here, Go's RE2 in AIStore,
 * matched anywhere in the name), "prefix", "suffix", "substr", "wdskey" (WebDataset key: the name
 * without its extension equals the pattern)). An empty pattern (or "*") matches every name.
 * Ownership: arch_match_init compiles into m; arch_match_fini frees it. Thread-safe once built. */
#ifndef AIS_ARCH_MATCH_H
#define AIS_ARCH_MATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { ARCH_MM_REGEXP = 0, ARCH_MM_PREFIX, ARCH_MM_SUFFIX, ARCH_MM_SUBSTR, ARCH_MM_WDSKEY } arch_mm_t;

typedef struct arch_match {
	arch_mm_t mode;
	char *pat;
	bool all;
	bool re_ok;
	regex_t re;
} arch_match_t;

/* AIStore's ValidateMatchMode: "" or "*" → prefix; one of the five names; else AIS_EINVAL */
int arch_match_mode(const char *s, arch_mm_t *out);
/* 0, AIS_EINVAL (bad regular expression: err says why), AIS_ENOMEM */
int arch_match_init(arch_match_t *m, const char *pat, arch_mm_t mode, char *err, size_t cap);
bool arch_match_do(const arch_match_t *m, const char *name);
void arch_match_fini(arch_match_t *m);
/* "regexp", "prefix", ... */
const char *arch_match_str(arch_mm_t mode);
/* AIStore's cos.WdsKey: the path without the extension of its last element (length of it) */
size_t arch_match_wdskey(const char *name);

#endif
