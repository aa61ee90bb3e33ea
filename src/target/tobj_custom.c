/* tobj_custom: PATCH /v1/objects/<bck>/<obj> - set an object's custom metadata (AIStore's
 * api.SetObjectCustomProps, target.httpobjpatch): body ActMsg {"value": {"k": "v", ...}} (keys in
 * any case), each key added or replaced; with ?set-new-custom=true the given map replaces all the
 * custom entries. Values must be strings (400 otherwise, nothing changed). The edit runs under
 * the object's lock (obj_md_update). Owns no state. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "net/http.h"
#include "obj/obj_md.h"
#include "target/tgt_int.h"

#define CUSTOM_KEEP "orig_fntl" /* internal (long names): never replaced by a user's map */

typedef struct cu_edit {
	json_t *kv;   /* borrowed: {"k": "v"} */
	bool replace;
} cu_edit_t;

static int cu_apply(void *arg, lom_md_t *md)
{
	cu_edit_t *e = arg;
	int rc = 0;
	if (e->replace) {
		char *keep = NULL;
		const char *k = lom_md_custom_get(md, CUSTOM_KEEP);
		if (k && !(keep = strdup(k)))
			return AIS_ENOMEM;
		size_t pos = 0;
		const char *key, *val;
		while (lom_md_custom_next(md, &pos, &key, &val)) {
			char *dk = strdup(key);
			if (!dk) {
				rc = AIS_ENOMEM;
				break;
			}
			lom_md_custom_del(md, dk);
			free(dk);
			pos = 0; /* (the packed list changed) */
		}
		if (!rc && keep)
			rc = lom_md_custom_set(md, CUSTOM_KEEP, keep);
		free(keep);
	}
	const char *key;
	json_t *v;
	json_object_foreach(e->kv, key, v) {
		if (rc)
			break;
		rc = lom_md_custom_set(md, key, json_string_value(v));
	}
	return rc;
}

static void cu_body(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	json_t *j = NULL;
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	json_error_t je;
	j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	static const char *const keys[] = {"action", "name", "value", NULL};
	if (!json_is_object(j) || jsonx_canon_keys(j, keys)) {
		http_error(r, 400, NULL, "%s: failed to read set-custom request: %s", node_name(),
			   j ? "not a JSON object" : "invalid JSON");
		goto out;
	}
	json_t *kv = json_object_get(j, "value");
	const char *key;
	json_t *v;
	bool ok = !kv || json_is_null(kv) || json_is_object(kv);
	if (ok && json_is_object(kv))
		json_object_foreach(kv, key, v) if (!json_is_string(v) || !*key) ok = false;
	if (!ok) {
		char *s = kv ? json_dumps(kv, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		http_error(r, 400, NULL, "%s: failed to unmarshal set-custom value %.200s: expecting {\"key\": \"value\", ...}",
			   node_name(), s ? s : "");
		free(s);
		goto out;
	}
	json_t *empty = json_object();
	cu_edit_t e = {.kv = json_is_object(kv) ? kv : empty, .replace = http_query_bool(r, "set-new-custom")};
	obj_why_t why;
	int rc = empty ? obj_md_update(o, cu_apply, &e, &why) : AIS_ENOMEM;
	json_decref(empty);
	if (rc == AIS_ENOTFOUND)
		tobj_err_notfound(r, o);
	else if (rc)
		http_error_code(r, rc, "%s: set-custom %s: %s", node_name(), o->oname, err_str(rc));
	else
		http_respond(r, 200, NULL, NULL, 0);
out:
	if (j)
		json_decref(j);
	obj_fini(o);
	free(o);
}

void tobj_custom_patch(http_req_t *r)
{
	http_read_body(r, 1 << 20, cu_body, true);
}
