/* arch_match: archived-file selection by match mode (see arch_match.h). */
#include "archive/arch_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static const char *const arch_mm_names[] = {"regexp", "prefix", "suffix", "substr", "wdskey"};

const char *arch_match_str(arch_mm_t mode)
{
	return (unsigned)mode < sizeof(arch_mm_names) / sizeof(arch_mm_names[0]) ? arch_mm_names[mode] : "?";
}

int arch_match_mode(const char *s, arch_mm_t *out)
{
	if (!s || !*s || !strcmp(s, "*")) {
		*out = ARCH_MM_PREFIX;
		return 0;
	}
	for (size_t i = 0; i < sizeof(arch_mm_names) / sizeof(arch_mm_names[0]); i++) {
		if (!strcmp(s, arch_mm_names[i])) {
			*out = (arch_mm_t)i;
			return 0;
		}
	}
	return AIS_EINVAL;
}

int arch_match_init(arch_match_t *m, const char *pat, arch_mm_t mode, char *err, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->mode = mode;
	if (!pat || !*pat || !strcmp(pat, "*")) {
		m->all = true;
		return 0;
	}
	if (!(m->pat = strdup(pat)))
		return AIS_ENOMEM;
	if (mode != ARCH_MM_REGEXP)
		return 0;
	int rc = regcomp(&m->re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[128];
		regerror(rc, &m->re, msg, sizeof(msg));
		snprintf(err, cap, "invalid regular expression \"%s\": %s", pat, msg);
		free(m->pat);
		m->pat = NULL;
		return AIS_EINVAL;
	}
	m->re_ok = true;
	return 0;
}

size_t arch_match_wdskey(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = n; i > 0; i--) {
		if (name[i - 1] == '/')
			break;
		if (name[i - 1] == '.')
			return i - 1;
	}
	return n;
}

bool arch_match_do(const arch_match_t *m, const char *name)
{
	if (m->all)
		return true;
	size_t n = strlen(name), k = strlen(m->pat);
	switch (m->mode) {
	case ARCH_MM_REGEXP:
		return regexec(&m->re, name, 0, NULL, 0) == 0;
	case ARCH_MM_PREFIX:
		return n >= k && !memcmp(name, m->pat, k);
	case ARCH_MM_SUFFIX:
		return n >= k && !memcmp(name + n - k, m->pat, k);
	case ARCH_MM_SUBSTR:
		return strstr(name, m->pat) != NULL;
	case ARCH_MM_WDSKEY:
		return arch_match_wdskey(name) == k && !memcmp(name, m->pat, k);
	}
	return false;
}

void arch_match_fini(arch_match_t *m)
{
	if (m->re_ok)
		regfree(&m->re);
	free(m->pat);
	memset(m, 0, sizeof(*m));
}
