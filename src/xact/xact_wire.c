/* xact_wire: JSON codecs of the job API (see xact_wire.h). Decoding follows Go's encoding/json
 * (what AIStore's MorphMarshal and ReadJSON use): for each key of the input object, the field
 * whose name matches exactly, else case-insensitively; later keys win; unknown keys are
 * skipped; null is a no-op; a type mismatch fails the whole message. Strings that do not fit
 * their field are rejected (no silent truncation). */
#include "xact/xact_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/jsonx.h"

typedef enum { WF_STR, WF_BOOL, WF_TRIBOOL, WF_I64, WF_U32, WF_BCK, WF_BCKS } wf_type_t;

typedef struct wire_field {
	const char *name; /* Go's JSON name */
	wf_type_t type;
	size_t off;
	size_t cap;       /* WF_STR: buffer size */
} wire_field_t;

static const char *wf_tname(wf_type_t t)
{
	switch (t) {
	case WF_STR: return "string";
	case WF_BOOL: case WF_TRIBOOL: return "bool";
	case WF_I64: return "int64";
	case WF_U32: return "uint32";
	case WF_BCK: return "cmn.Bck";
	default: return "[]cmn.Bck";
	}
}

static const char *wf_jname(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	default: return "bool";
	}
}

static int wf_set_str(const char *s, char *dst, size_t cap, const char *sname, const char *fname, char *err,
		      size_t ecap)
{
	if (strlen(s) >= cap) {
		snprintf(err, ecap, "failed to unmarshal %s: field %s is too long (%zu bytes)", sname, fname, strlen(s));
		return AIS_EINVAL;
	}
	snprintf(dst, cap, "%s", s);
	return 0;
}

static int wire_bcks_parse(json_t *v, xact_args_t *a, char *err, size_t cap);

static int wire_field_set(const wire_field_t *f, json_t *v, void *base, const char *sname, char *err, size_t cap)
{
	char *p = (char *)base + f->off;
	if (json_is_null(v))
		return 0;
	switch (f->type) {
	case WF_STR:
		if (!json_is_string(v))
			break;
		return wf_set_str(json_string_value(v), p, f->cap, sname, f->name, err, cap);
	case WF_BOOL:
		if (!json_is_boolean(v))
			break;
		*(bool *)p = json_is_true(v);
		return 0;
	case WF_TRIBOOL:
		if (!json_is_boolean(v))
			break;
		*(int *)p = json_is_true(v);
		return 0;
	case WF_I64:
		if (!json_is_integer(v))
			break;
		*(int64_t *)p = json_integer_value(v);
		return 0;
	case WF_U32:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL)
			break;
		*(uint32_t *)p = (uint32_t)json_integer_value(v);
		return 0;
	case WF_BCK:
		if (!json_is_object(v))
			break;
		return xact_wire_bck_parse(v, (xact_bck_t *)p, err, cap);
	case WF_BCKS:
		if (!json_is_array(v))
			break;
		return wire_bcks_parse(v, base, err, cap);
	}
	snprintf(err, cap, "json: cannot unmarshal %s into Go struct field %s.%s of type %s", wf_jname(v), sname, f->name,
		 wf_tname(f->type));
	return AIS_EINVAL;
}

/* Go's field lookup: exact name first, then case-insensitive */
static const wire_field_t *wire_field_find(const wire_field_t *fs, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(fs[i].name, key))
			return &fs[i];
	for (int i = 0; i < n; i++)
		if (!strcasecmp(fs[i].name, key))
			return &fs[i];
	return NULL;
}

static int wire_decode(json_t *obj, const wire_field_t *fs, int n, void *base, const char *sname, char *err, size_t cap)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj)) {
		snprintf(err, cap, "json: cannot unmarshal %s into Go value of type %s", wf_jname(obj), sname);
		return AIS_EINVAL;
	}
	json_object_foreach(obj, key, v)
	{
		const wire_field_t *f = wire_field_find(fs, n, key);
		int rc;
		if (f && (rc = wire_field_set(f, v, base, sname, err, cap)))
			return rc;
	}
	return 0;
}

/* ---- cmn.Bck ---- */

typedef struct wire_ns {
	char uuid[64];
	char name[64];
} wire_ns_t;

static const wire_field_t wire_ns_fields[] = {
	{"uuid", WF_STR, offsetof(wire_ns_t, uuid), sizeof(((wire_ns_t *)0)->uuid)},
	{"name", WF_STR, offsetof(wire_ns_t, name), sizeof(((wire_ns_t *)0)->name)},
};

int xact_wire_bck_parse(json_t *j, xact_bck_t *b, char *err, size_t cap)
{
	const char *key;
	json_t *v;
	memset(b, 0, sizeof(*b));
	if (!json_is_object(j)) {
		snprintf(err, cap, "json: cannot unmarshal %s into Go value of type cmn.Bck", wf_jname(j));
		return AIS_EINVAL;
	}
	json_object_foreach(j, key, v)
	{
		int rc = 0;
		if (json_is_null(v))
			continue;
		if (!strcasecmp(key, "name") || !strcasecmp(key, "provider")) {
			bool nm = !strcasecmp(key, "name");
			if (!json_is_string(v)) {
				snprintf(err, cap, "json: cannot unmarshal %s into Go struct field Bck.%s of type string",
					 wf_jname(v), nm ? "name" : "provider");
				return AIS_EINVAL;
			}
			rc = nm ? wf_set_str(json_string_value(v), b->name, sizeof(b->name), "cmn.Bck", "name", err, cap)
				: wf_set_str(json_string_value(v), b->provider, sizeof(b->provider), "cmn.Bck", "provider", err,
					     cap);
		} else if (!strcasecmp(key, "namespace")) {
			wire_ns_t ns;
			memset(&ns, 0, sizeof(ns));
			rc = wire_decode(v, wire_ns_fields, 2, &ns, "cmn.Ns", err, cap);
			if (!rc && (ns.uuid[0] || ns.name[0])) {
				char tmp[sizeof(ns.uuid) + sizeof(ns.name) + 2];
				snprintf(tmp, sizeof(tmp), "@%s#%s", ns.uuid, ns.name);
				rc = wf_set_str(tmp, b->ns, sizeof(b->ns), "cmn.Bck", "namespace", err, cap);
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

json_t *xact_wire_bck_json(const xact_bck_t *b)
{
	char uuid[80] = "", nsname[80] = "";
	if (b->ns[0] == '@') {
		const char *h = strchr(b->ns, '#');
		if (h) {
			snprintf(uuid, sizeof(uuid), "%.*s", (int)(h - b->ns - 1), b->ns + 1);
			snprintf(nsname, sizeof(nsname), "%s", h + 1);
		}
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", b->name, "provider", b->provider, "namespace", "uuid", uuid,
			 "name", nsname);
}

void xact_wire_bck_cname(const xact_bck_t *b, char *out, size_t cap)
{
	const char *p = b->provider[0] ? b->provider : "ais";
	if (b->ns[0])
		snprintf(out, cap, "%s://%s/%s", p, b->ns, b->name);
	else
		snprintf(out, cap, "%s://%s", p, b->name);
}

/* ---- ArgsMsg ---- */

static int wire_bcks_parse(json_t *v, xact_args_t *a, char *err, size_t cap)
{
	size_t n = json_array_size(v), i;
	json_t *e;
	free(a->buckets);
	a->buckets = NULL;
	a->nbuckets = 0;
	if (!n)
		return 0;
	if (n > 1024) {
		snprintf(err, cap, "failed to unmarshal xact.ArgsMsg: too many buckets (%zu)", n);
		return AIS_EINVAL;
	}
	a->buckets = calloc(n, sizeof(*a->buckets));
	if (!a->buckets) {
		snprintf(err, cap, "out of memory");
		return AIS_ENOMEM;
	}
	json_array_foreach(v, i, e)
	{
		int rc;
		if (json_is_null(e))
			continue;
		if ((rc = xact_wire_bck_parse(e, &a->buckets[i], err, cap)))
			return rc;
	}
	a->nbuckets = (int)n;
	return 0;
}

static const wire_field_t wire_args_fields[] = {
	{"ID", WF_STR, offsetof(xact_args_t, id), sizeof(((xact_args_t *)0)->id)},
	{"Kind", WF_STR, offsetof(xact_args_t, kind), sizeof(((xact_args_t *)0)->kind)},
	{"DaemonID", WF_STR, offsetof(xact_args_t, node), sizeof(((xact_args_t *)0)->node)},
	{"Bck", WF_BCK, offsetof(xact_args_t, bck), 0},
	{"Buckets", WF_BCKS, 0, 0},
	{"Timeout", WF_I64, offsetof(xact_args_t, timeout_ns), 0},
	{"flags", WF_U32, offsetof(xact_args_t, flags), 0},
	{"Force", WF_BOOL, offsetof(xact_args_t, force), 0},
	{"OnlyRunning", WF_BOOL, offsetof(xact_args_t, only_running), 0},
};

int xact_wire_args_parse(json_t *v, xact_args_t *a, char *err, size_t cap)
{
	memset(a, 0, sizeof(*a));
	if (!v || json_is_null(v))
		return 0;
	int rc = wire_decode(v, wire_args_fields, (int)(sizeof(wire_args_fields) / sizeof(wire_args_fields[0])), a,
			     "xact.ArgsMsg", err, cap);
	if (rc)
		xact_wire_args_fini(a);
	return rc;
}

void xact_wire_args_fini(xact_args_t *a)
{
	free(a->buckets);
	a->buckets = NULL;
	a->nbuckets = 0;
}

json_t *xact_wire_args_json(const xact_args_t *a)
{
	json_t *bcks = a->nbuckets ? json_array() : json_null();
	for (int i = 0; i < a->nbuckets; i++)
		json_array_append_new(bcks, xact_wire_bck_json(&a->buckets[i]));
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:b, s:b}", "ID", a->id, "Kind", a->kind, "DaemonID", a->node,
			      "Bck", xact_wire_bck_json(&a->bck), "Buckets", bcks, "Timeout", (json_int_t)a->timeout_ns,
			      "Force", a->force, "OnlyRunning", a->only_running);
	if (j && a->flags)
		json_object_set_new(j, "flags", json_integer(a->flags));
	return j;
}

void xact_wire_args_str(const xact_args_t *a, char *out, size_t cap)
{
	char b[300] = "";
	int n = snprintf(out, cap, "xa-%s[%s]", a->kind, a->id);
	if (a->bck.name[0] && n >= 0 && (size_t)n < cap) {
		xact_wire_bck_cname(&a->bck, b, sizeof(b));
		n += snprintf(out + n, cap - (size_t)n, "-%s", b);
	}
	if (a->node[0] && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "-node[%s]", a->node);
	if (a->flags && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "-0x%x", a->flags);
}

/* ---- QueryMsg ---- */

static const wire_field_t wire_query_fields[] = {
	{"show_active", WF_TRIBOOL, offsetof(xact_query_t, only_running), 0},
	{"bck", WF_BCK, offsetof(xact_query_t, bck), 0},
	{"id", WF_STR, offsetof(xact_query_t, id), sizeof(((xact_query_t *)0)->id)},
	{"kind", WF_STR, offsetof(xact_query_t, kind), sizeof(((xact_query_t *)0)->kind)},
	{"node", WF_STR, offsetof(xact_query_t, node), sizeof(((xact_query_t *)0)->node)},
};

int xact_wire_query_parse(const char *body, size_t len, xact_query_t *q, char *err, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->only_running = -1;
	if (!body || !len)
		return 0;
	json_error_t je;
	json_t *j = jsonx_loadb(body, len, &je);
	if (!j) {
		snprintf(err, cap, "failed to unmarshal xact.QueryMsg: %s", je.text);
		return AIS_EINVAL;
	}
	int rc = wire_decode(j, wire_query_fields, (int)(sizeof(wire_query_fields) / sizeof(wire_query_fields[0])), q,
			     "xact.QueryMsg", err, cap);
	json_decref(j);
	return rc;
}

json_t *xact_wire_query_json(const xact_query_t *q)
{
	json_t *j = json_pack("{s:o, s:o, s:s, s:s}", "show_active",
			      q->only_running < 0 ? json_null() : json_boolean(q->only_running), "bck",
			      xact_wire_bck_json(&q->bck), "id", q->id, "kind", q->kind);
	if (j && q->node[0])
		json_object_set_new(j, "node", json_string(q->node));
	return j;
}

void xact_wire_query_str(const xact_query_t *q, char *out, size_t cap)
{
	char b[300];
	int n = q->id[0] ? snprintf(out, cap, "x-%s[%s]", q->kind, q->id) : snprintf(out, cap, "x-%s", q->kind);
	if (q->bck.name[0] && n >= 0 && (size_t)n < cap) {
		xact_wire_bck_cname(&q->bck, b, sizeof(b));
		n += snprintf(out + n, cap - (size_t)n, "-%s", b);
	}
	if (q->node[0] && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "-node[%s]", q->node);
	if (q->only_running == 1 && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "-only-running");
}

/* ---- nl.Status, cnames ---- */

json_t *xact_wire_status_json(const char *kind, const char *uuid, const char *err, int64_t end_ns, bool aborted,
			      bool idle)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:b}", "kind", kind ? kind : "", "uuid", uuid ? uuid : "", "err",
			      err ? err : "", "end_time", (json_int_t)end_ns, "aborted", aborted);
	if (j && idle)
		json_object_set_new(j, "is_idle", json_true());
	return j;
}

int xact_wire_parse_cname(const char *cname, char *kind, size_t kcap, char *id, size_t icap)
{
	size_t l = cname ? strlen(cname) : 0;
	const char *lb = l ? strchr(cname, '[') : NULL;
	if (!l || cname[l - 1] != ']' || !lb)
		return AIS_EINVAL;
	if ((size_t)(lb - cname) >= kcap || (size_t)(cname + l - 1 - lb - 1) >= icap)
		return AIS_EINVAL;
	snprintf(kind, kcap, "%.*s", (int)(lb - cname), cname);
	snprintf(id, icap, "%.*s", (int)(cname + l - 1 - lb - 1), lb + 1);
	return 0;
}
