/* jsonx: jansson helpers for AIStore's wire format. jansson stores integers as int64, but
 * AIStore sends some uint64 fields (id_digest, bid) as plain JSON numbers above INT64_MAX.
 * jsonx_u64() creates a marked string that jsonx_dumps() writes as a bare unsigned number.
 * Also: strict field checking (AIStore rejects unknown JSON fields) and case-insensitive key
 * matching: AIStore decodes messages with json-iterator, which matches object keys to struct
 * fields ignoring ASCII case ({"Action": ...} is {"action": ...}); when several keys match,
 * the last one in the document wins, as there. */
#ifndef AIS_JSONX_H
#define AIS_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

json_t *jsonx_u64(uint64_t v);
/* uint64 from a JSON integer (negative int64 reinterpreted), real, or decimal string. */
uint64_t jsonx_get_u64(json_t *j);
/* compact dump with jsonx_u64 markers turned into numbers; caller frees. NULL on OOM. */
char *jsonx_dumps(const json_t *j);
/* the same with any json_dumps flags (e.g. JSON_INDENT(4)); caller frees. NULL on OOM. */
char *jsonx_dumpf(const json_t *j, size_t flags);
/* json_loadb that accepts unsigned integers above INT64_MAX (they become decimal strings,
 * read back with jsonx_get_u64). New reference or NULL (err filled). */
json_t *jsonx_loadb(const char *buf, size_t len, json_error_t *err);
/* NULL if every key of obj is in the NULL-terminated list, else the first unknown key. */
const char *jsonx_unknown_key(json_t *obj, const char *const *allowed);
/* member of obj whose key equals key ignoring ASCII case (the last such member); NULL if none
 * or obj is not an object. Borrowed reference. */
json_t *jsonx_get_ci(json_t *obj, const char *key);
/* rename obj's keys that match one of the NULL-terminated canonical keys ignoring case to that
 * spelling (the last matching member wins; the others are removed), so that plain
 * json_object_get(obj, "action") sees {"Action": ...}. Other keys stay. 0 or -1 (OOM). */
int jsonx_canon_keys(json_t *obj, const char *const *keys);
/* jsonx_unknown_key ignoring ASCII case */
const char *jsonx_unknown_key_ci(json_t *obj, const char *const *allowed);
/* merge src into dst recursively: objects key by key, other values replace (dst modified). */
void jsonx_merge(json_t *dst, json_t *src);
/* string member or def */
const char *jsonx_str(json_t *obj, const char *key, const char *def);

#endif
