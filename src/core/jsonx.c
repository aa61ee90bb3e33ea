/* jsonx: uint64-safe dumping and small accessors over jansson (no state). */
#include "core/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define U64_MARK "\x01u64:"

json_t *jsonx_u64(uint64_t v)
{
	char s[40];
	snprintf(s, sizeof(s), U64_MARK "%llu", (unsigned long long)v);
	return json_string(s);
}

uint64_t jsonx_get_u64(json_t *j)
{
	if (json_is_integer(j))
		return (uint64_t)json_integer_value(j);
	if (json_is_real(j))
		return (uint64_t)json_real_value(j);
	const char *s = json_string_value(j);
	if (!s)
		return 0;
	if (!strncmp(s, U64_MARK, strlen(U64_MARK)))
		s += strlen(U64_MARK);
	return strtoull(s, NULL, 10);
}

char *jsonx_dumpf(const json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags);
	if (!s)
		return NULL;
	/* jansson escapes \x01 as "\u0001": find "\"\\u0001u64:" and drop quotes and marker */
	static const char pat[] = "\"\\u0001u64:";
	char *r = s, *w = s;
	while (*r) {
		if (!strncmp(r, pat, sizeof(pat) - 1)) {
			r += sizeof(pat) - 1;
			while (*r && *r != '"')
				*w++ = *r++;
			if (*r == '"')
				r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}

char *jsonx_dumps(const json_t *j) { return jsonx_dumpf(j, JSON_COMPACT); }

/* does the digit run [p, p+n) exceed INT64_MAX? */
static bool digits_overflow(const char *p, size_t n)
{
	static const char max[] = "9223372036854775807";
	if (n != sizeof(max) - 1)
		return n > sizeof(max) - 1;
	return memcmp(p, max, n) > 0;
}

json_t *jsonx_loadb(const char *buf, size_t len, json_error_t *err)
{
	/* fast path: no oversized integers */
	bool in_str = false, esc = false, need = false;
	for (size_t i = 0; i < len && !need; i++) {
		char c = buf[i];
		if (in_str) {
			if (esc) esc = false;
			else if (c == '\\') esc = true;
			else if (c == '"') in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c >= '0' && c <= '9' && (i == 0 || buf[i - 1] != '-')) {
			size_t j = i;
			while (j < len && buf[j] >= '0' && buf[j] <= '9')
				j++;
			bool plain = j >= len || (buf[j] != '.' && buf[j] != 'e' && buf[j] != 'E');
			need = plain && digits_overflow(buf + i, j - i);
			i = j - 1;
		}
	}
	if (!need)
		return json_loadb(buf, len, 0, err);
	char *tmp = malloc(len * 2 + 2);
	if (!tmp)
		return NULL;
	size_t o = 0;
	in_str = esc = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (esc) esc = false;
			else if (c == '\\') esc = true;
			else if (c == '"') in_str = false;
			tmp[o++] = c;
		} else if (c == '"') {
			in_str = true;
			tmp[o++] = c;
		} else if (c >= '0' && c <= '9' && (i == 0 || buf[i - 1] != '-')) {
			size_t j = i;
			while (j < len && buf[j] >= '0' && buf[j] <= '9')
				j++;
			bool plain = j >= len || (buf[j] != '.' && buf[j] != 'e' && buf[j] != 'E');
			bool q = plain && digits_overflow(buf + i, j - i);
			if (q) tmp[o++] = '"';
			memcpy(tmp + o, buf + i, j - i);
			o += j - i;
			if (q) tmp[o++] = '"';
			i = j - 1;
		} else {
			tmp[o++] = c;
		}
	}
	json_t *j = json_loadb(tmp, o, 0, err);
	free(tmp);
	return j;
}

const char *jsonx_unknown_key(json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, key)) {
				ok = true;
				break;
			}
		if (!ok)
			return key;
	}
	return NULL;
}

const char *jsonx_unknown_key_ci(json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcasecmp(*a, key);
		if (!ok)
			return key;
	}
	return NULL;
}

json_t *jsonx_get_ci(json_t *obj, const char *key)
{
	const char *k;
	json_t *v, *found = NULL;
	if (!json_is_object(obj))
		return NULL;
	/* jansson iterates in insertion (document) order: the last match is the one Go keeps */
	json_object_foreach(obj, k, v) {
		if (!strcasecmp(k, key))
			found = v;
	}
	return found;
}

int jsonx_canon_keys(json_t *obj, const char *const *keys)
{
	if (!json_is_object(obj))
		return 0;
	for (const char *const *c = keys; *c; c++) {
		json_t *v = jsonx_get_ci(obj, *c);
		if (!v)
			continue;
		json_incref(v);
		/* drop every spelling, then set the winner under the canonical key */
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(obj, tmp, k, x) {
			if (!strcasecmp(k, *c))
				json_object_del(obj, k);
		}
		if (json_object_set_new(obj, *c, v))
			return -1;
	}
	return 0;
}

const char *jsonx_str(json_t *obj, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : def;
}

void jsonx_merge(json_t *dst, json_t *src)
{
	const char *key;
	json_t *v;
	json_object_foreach(src, key, v) {
		json_t *d = json_object_get(dst, key);
		if (json_is_object(d) && json_is_object(v))
			jsonx_merge(d, v);
		else
			json_object_set(dst, key, v);
	}
}
