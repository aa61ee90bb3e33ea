/* lso: LsoMsg/LsoEnt/LsoRes codecs (JSON both ways; msgpack out, with msgpack-c) and the
 * proxy's merge of target pages. Strict on input (unknown LsoMsg fields and wrong types are
 * errors, as AIStore's DisallowUnknownFields decoding; keys match ignoring case, as there),
 * omitempty on output exactly where AIStore's struct tags have it (cmn/objlist.go). No global
 * state. */
#include "api/lso.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <msgpack.h>

#include "core/jsonx.h"
#include "core/err.h"

void lso_msg_init(lso_msg_t *m)
{
	memset(m, 0, sizeof(*m));
}

void lso_msg_fini(lso_msg_t *m)
{
	free(m->uuid);
	free(m->props);
	free(m->time_format);
	free(m->prefix);
	free(m->start_after);
	free(m->continuation_token);
	free(m->target);
	if (m->hdr)
		json_decref(m->hdr);
	lso_msg_init(m);
}

static int get_str(json_t *v, char **out)
{
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return AIS_EINVAL;
	char *s = strndup(json_string_value(v), json_string_length(v));
	if (!s)
		return AIS_ENOMEM;
	if (strlen(s) != json_string_length(v)) { /* embedded NUL */
		free(s);
		return AIS_EINVAL;
	}
	free(*out);
	*out = s;
	return 0;
}

static int parse_u64_str(const char *s, uint64_t *v)
{
	if (!*s) {
		*v = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return AIS_EINVAL;
	errno = 0;
	char *end = NULL;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return AIS_EINVAL;
	*v = x;
	return 0;
}

int lso_msg_from_json(json_t *j, lso_msg_t *m, char *err, size_t errcap)
{
	static const char *const allowed[] = {"hdr", "uuid", "props", "time_format", "prefix",
		"start_after", "continuation_token", "target", "flags", "pagesize", NULL};
	lso_msg_fini(m);
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j)) {
		snprintf(err, errcap, "list-objects message: expecting a JSON object");
		return AIS_EINVAL;
	}
	const char *bad = jsonx_unknown_key_ci(j, allowed);
	if (bad) {
		snprintf(err, errcap, "json: unknown field \"%s\"", bad);
		return AIS_EINVAL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		int rc = 0;
		if (!strcasecmp(key, "uuid"))
			rc = get_str(v, &m->uuid);
		else if (!strcasecmp(key, "props"))
			rc = get_str(v, &m->props);
		else if (!strcasecmp(key, "time_format"))
			rc = get_str(v, &m->time_format);
		else if (!strcasecmp(key, "prefix"))
			rc = get_str(v, &m->prefix);
		else if (!strcasecmp(key, "start_after"))
			rc = get_str(v, &m->start_after);
		else if (!strcasecmp(key, "continuation_token"))
			rc = get_str(v, &m->continuation_token);
		else if (!strcasecmp(key, "target"))
			rc = get_str(v, &m->target);
		else if (!strcasecmp(key, "flags")) {
			if (json_is_string(v))
				rc = parse_u64_str(json_string_value(v), &m->flags);
			else if (json_is_integer(v) && json_integer_value(v) >= 0)
				m->flags = (uint64_t)json_integer_value(v);
			else if (!json_is_null(v))
				rc = AIS_EINVAL;
		} else if (!strcasecmp(key, "pagesize")) {
			if (json_is_integer(v))
				m->pagesize = json_integer_value(v);
			else if (!json_is_null(v))
				rc = AIS_EINVAL;
			if (m->pagesize < 0)
				rc = AIS_EINVAL;
		} else if (!strcasecmp(key, "hdr")) {
			if (json_is_object(v)) {
				m->hdr = json_incref(v);
			} else if (!json_is_null(v)) {
				rc = AIS_EINVAL;
			}
		}
		if (rc) {
			snprintf(err, errcap, "list-objects message: invalid value of \"%s\"", key);
			lso_msg_fini(m);
			return rc == AIS_ENOMEM ? rc : AIS_EINVAL;
		}
	}
	return 0;
}

int lso_msg_parse(const char *buf, size_t len, lso_msg_t *m, char *err, size_t errcap)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_DECODE_ANY, &je);
	if (!j) {
		snprintf(err, errcap, "list-objects message: %s", je.text);
		lso_msg_fini(m);
		return AIS_EINVAL;
	}
	int rc = lso_msg_from_json(j, m, err, errcap);
	json_decref(j);
	return rc;
}

static const char *nz(const char *s) { return s ? s : ""; }

json_t *lso_msg_to_json(const lso_msg_t *m)
{
	char fl[24];
	snprintf(fl, sizeof(fl), "%" PRIu64, m->flags);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "uuid", nz(m->uuid), "props",
			      nz(m->props), "prefix", nz(m->prefix), "continuation_token",
			      nz(m->continuation_token), "target", nz(m->target), "flags", fl,
			      "pagesize", (json_int_t)m->pagesize);
	if (!j)
		return NULL;
	if (m->time_format && *m->time_format)
		json_object_set_new(j, "time_format", json_string(m->time_format));
	if (m->start_after && *m->start_after)
		json_object_set_new(j, "start_after", json_string(m->start_after));
	if (m->hdr)
		json_object_set(j, "hdr", m->hdr);
	return j;
}

bool lso_want(const lso_msg_t *m, const char *prop)
{
	return m->props && strstr(m->props, prop) != NULL;
}

static void add_prop(lso_msg_t *m, const char *p)
{
	if (lso_want(m, p))
		return;
	size_t a = m->props ? strlen(m->props) : 0, b = strlen(p);
	char *n = malloc(a + b + 2);
	if (!n)
		return;
	if (a) {
		memcpy(n, m->props, a);
		n[a++] = ',';
	}
	memcpy(n + a, p, b + 1);
	free(m->props);
	m->props = n;
}

void lso_msg_normalize(lso_msg_t *m)
{
	const char *p = m->props ? m->props : "";
	if (!*p) {
		if (m->flags & LS_CACHED) {
			add_prop(m, "name");
			add_prop(m, "size");
			add_prop(m, "checksum");
			add_prop(m, "atime");
		} else {
			add_prop(m, "name");
			add_prop(m, "size");
			add_prop(m, "cached");
			m->flags |= LS_NAME_SIZE;
		}
	} else if (!strcmp(p, "name")) {
		m->flags |= LS_NAME_ONLY;
	} else if (!strcmp(p, "name,size")) {
		m->flags |= LS_NAME_SIZE;
	}
}

void lso_ent_fini(lso_ent_t *e)
{
	free(e->name);
	free(e->checksum);
	free(e->atime);
	free(e->version);
	free(e->location);
	free(e->custom);
	memset(e, 0, sizeof(*e));
}

static void set_opt(json_t *j, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(j, k, json_string(v));
}

json_t *lso_ent_to_json(const lso_ent_t *e)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "name", json_string(nz(e->name)));
	set_opt(j, "checksum", e->checksum);
	set_opt(j, "atime", e->atime);
	set_opt(j, "version", e->version);
	set_opt(j, "location", e->location);
	set_opt(j, "custom-md", e->custom);
	if (e->size) {
		char s[24];
		snprintf(s, sizeof(s), "%" PRId64, e->size);
		json_object_set_new(j, "size", json_string(s));
	}
	if (e->copies)
		json_object_set_new(j, "copies", json_integer(e->copies));
	if (e->flags)
		json_object_set_new(j, "flags", json_integer(e->flags));
	return j;
}

int lso_ent_from_json(json_t *j, lso_ent_t *e)
{
	memset(e, 0, sizeof(*e));
	if (!json_is_object(j))
		return AIS_EINVAL;
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		int rc = 0;
		if (!strcmp(key, "name"))
			rc = get_str(v, &e->name);
		else if (!strcmp(key, "checksum"))
			rc = get_str(v, &e->checksum);
		else if (!strcmp(key, "atime"))
			rc = get_str(v, &e->atime);
		else if (!strcmp(key, "version"))
			rc = get_str(v, &e->version);
		else if (!strcmp(key, "location"))
			rc = get_str(v, &e->location);
		else if (!strcmp(key, "custom-md"))
			rc = get_str(v, &e->custom);
		else if (!strcmp(key, "size")) {
			uint64_t s = 0;
			if (json_is_string(v))
				rc = parse_u64_str(json_string_value(v), &s);
			else if (json_is_integer(v))
				s = (uint64_t)json_integer_value(v);
			else if (!json_is_null(v))
				rc = AIS_EINVAL;
			e->size = (int64_t)s;
		} else if (!strcmp(key, "copies")) {
			if (json_is_integer(v))
				e->copies = (int)json_integer_value(v);
			else if (!json_is_null(v))
				rc = AIS_EINVAL;
		} else if (!strcmp(key, "flags")) {
			if (json_is_integer(v))
				e->flags = (unsigned)json_integer_value(v);
			else if (!json_is_null(v))
				rc = AIS_EINVAL;
		}
		if (rc) {
			lso_ent_fini(e);
			return AIS_EINVAL;
		}
	}
	if (!e->name) {
		lso_ent_fini(e);
		return AIS_EINVAL;
	}
	return 0;
}

void lso_res_init(lso_res_t *r)
{
	memset(r, 0, sizeof(*r));
}

void lso_res_fini(lso_res_t *r)
{
	for (size_t i = 0; i < r->n; i++)
		lso_ent_fini(&r->entries[i]);
	free(r->entries);
	free(r->uuid);
	free(r->continuation_token);
	lso_res_init(r);
}

int lso_res_add(lso_res_t *r, lso_ent_t *e)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		lso_ent_t *ne = realloc(r->entries, nc * sizeof(*ne));
		if (!ne)
			return AIS_ENOMEM;
		r->entries = ne;
		r->cap = nc;
	}
	r->entries[r->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

json_t *lso_res_to_json(const lso_res_t *r)
{
	json_t *ents = json_array();
	if (!ents)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(ents, lso_ent_to_json(&r->entries[i]));
	return json_pack("{s:s, s:s, s:o, s:I}", "uuid", nz(r->uuid), "continuation_token",
			 nz(r->continuation_token), "entries", ents, "flags", (json_int_t)r->flags);
}

int lso_res_from_json(json_t *j, lso_res_t *r, char *err, size_t errcap)
{
	lso_res_fini(r);
	if (!json_is_object(j)) {
		snprintf(err, errcap, "list-objects result: expecting a JSON object");
		return AIS_EINVAL;
	}
	if (get_str(json_object_get(j, "uuid"), &r->uuid) ||
	    get_str(json_object_get(j, "continuation_token"), &r->continuation_token))
		goto bad;
	json_t *fl = json_object_get(j, "flags");
	if (json_is_integer(fl))
		r->flags = (uint32_t)json_integer_value(fl);
	json_t *ents = json_object_get(j, "entries");
	if (ents && !json_is_null(ents)) {
		if (!json_is_array(ents))
			goto bad;
		size_t i;
		json_t *v;
		json_array_foreach(ents, i, v) {
			lso_ent_t e;
			if (lso_ent_from_json(v, &e) || lso_res_add(r, &e)) {
				lso_ent_fini(&e);
				goto bad;
			}
		}
	}
	return 0;
bad:
	snprintf(err, errcap, "list-objects result: malformed");
	lso_res_fini(r);
	return AIS_EINVAL;
}

void lso_fmt_time(int64_t ns, const char *layout, char *out, size_t cap)
{
	time_t s = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	if (frac < 0) {
		frac += 1000000000;
		s--;
	}
	struct tm tm;
	gmtime_r(&s, &tm);
	const char *f = "%d %b %y %H:%M UTC"; /* RFC822 */
	if (!layout || !*layout) {
	} else if (!strcmp(layout, "02 Jan 06 15:04 -0700")) {
		f = "%d %b %y %H:%M +0000";
	} else if (!strcmp(layout, "Mon, 02 Jan 2006 15:04:05 MST")) {
		f = "%a, %d %b %Y %H:%M:%S UTC";
	} else if (!strcmp(layout, "Mon, 02 Jan 2006 15:04:05 -0700")) {
		f = "%a, %d %b %Y %H:%M:%S +0000";
	} else if (!strcmp(layout, "2006-01-02T15:04:05Z07:00")) {
		f = "%Y-%m-%dT%H:%M:%SZ";
	} else if (!strcmp(layout, "2006-01-02T15:04:05.999999999Z07:00")) {
		char base[40];
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		if (frac) {
			char fr[16];
			snprintf(fr, sizeof(fr), "%09ld", frac);
			for (int i = 8; i > 0 && fr[i] == '0'; i--)
				fr[i] = '\0';
			snprintf(out, cap, "%s.%sZ", base, fr);
		} else {
			snprintf(out, cap, "%sZ", base);
		}
		return;
	} else if (!strcmp(layout, "Jan _2 15:04:05")) {
		f = "%b %e %H:%M:%S";
	} else if (!strcmp(layout, "Jan _2 15:04:05.000000")) {
		char base[40];
		strftime(base, sizeof(base), "%b %e %H:%M:%S", &tm);
		snprintf(out, cap, "%s.%06ld", base, frac / 1000);
		return;
	}
	if (!strftime(out, cap, f, &tm) && cap)
		out[0] = '\0';
}

/* msgpack: tinylib/msgp's encoding of cmn.LsoEnt (short keys, omitempty, field order as in
 * cmn/objlist.go) and cmn.LsoRes (Go field names, no omitempty). msgpack-c picks the smallest
 * integer and string encodings, as msgp's Write* do. */
static int mp_key(msgpack_packer *pk, const char *k)
{
	size_t n = strlen(k);
	return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, k, n);
}

static int mp_str(msgpack_packer *pk, const char *k, const char *v)
{
	size_t n = strlen(v);
	return mp_key(pk, k) || msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, v, n);
}

static int mp_ent(msgpack_packer *pk, const lso_ent_t *e)
{
	const char *const strs[] = {e->checksum, e->atime, e->version, e->location, e->custom};
	static const char *const skeys[] = {"cs", "a", "v", "t", "m"};
	uint16_t flags = (uint16_t)e->flags;
	int16_t copies = (int16_t)e->copies;
	size_t n = 1 + (e->size != 0) + (copies != 0) + (flags != 0);
	for (size_t i = 0; i < 5; i++)
		n += strs[i] && *strs[i];
	if (msgpack_pack_map(pk, n) || mp_str(pk, "n", nz(e->name)))
		return -1;
	for (size_t i = 0; i < 5; i++)
		if (strs[i] && *strs[i] && mp_str(pk, skeys[i], strs[i]))
			return -1;
	if (e->size && (mp_key(pk, "s") || msgpack_pack_int64(pk, e->size)))
		return -1;
	if (copies && (mp_key(pk, "c") || msgpack_pack_int16(pk, copies)))
		return -1;
	if (flags && (mp_key(pk, "f") || msgpack_pack_uint16(pk, flags)))
		return -1;
	return 0;
}

char *lso_res_msgpack(const lso_res_t *r, size_t *len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	int bad = msgpack_pack_map(&pk, 4) || mp_str(&pk, "UUID", nz(r->uuid)) ||
		  mp_str(&pk, "ContinuationToken", nz(r->continuation_token)) || mp_key(&pk, "Entries") ||
		  msgpack_pack_array(&pk, r->n);
	for (size_t i = 0; i < r->n && !bad; i++)
		bad = mp_ent(&pk, &r->entries[i]);
	bad = bad || mp_key(&pk, "Flags") || msgpack_pack_uint32(&pk, r->flags);
	if (bad) {
		msgpack_sbuffer_destroy(&sb);
		return NULL;
	}
	*len = sb.size;
	return msgpack_sbuffer_release(&sb);
}

/* merge: AIStore's concatLso + finLsoA (ais/plstcx.go) */
static unsigned ent_status(const lso_ent_t *e) { return e->flags & LSO_STATUS_MASK; }

/* cmn.LsoEnt.less: virtual dirs first, then by name, then by status (ok first) */
static int ent_cmp(const void *a, const void *b)
{
	const lso_ent_t *x = a, *y = b;
	bool dx = x->flags & LSO_ENTRY_IS_DIR, dy = y->flags & LSO_ENTRY_IS_DIR;
	if (dx != dy)
		return dx ? -1 : 1;
	int c = strcmp(nz(x->name), nz(y->name));
	if (c || dx)
		return c;
	return (int)ent_status(x) - (int)ent_status(y);
}

/* cmn.SortLsoLex: by name; the same name by ent_cmp */
static int ent_cmp_lex(const void *a, const void *b)
{
	const lso_ent_t *x = a, *y = b;
	int c = strcmp(nz(x->name), nz(y->name));
	return c ? c : ent_cmp(a, b);
}

typedef struct merge_ref {
	lso_ent_t *e;
	size_t src;
} merge_ref_t;

static int merge_cmp(const void *a, const void *b)
{
	const merge_ref_t *x = a, *y = b;
	int c = ent_cmp(x->e, y->e);
	return c ? c : (x->src > y->src) - (x->src < y->src);
}

static int merge_cmp_lex(const void *a, const void *b)
{
	const merge_ref_t *x = a, *y = b;
	int c = ent_cmp_lex(x->e, y->e);
	return c ? c : (x->src > y->src) - (x->src < y->src);
}

int lso_res_merge_rest(lso_res_t *pages, size_t npages, const lso_msg_t *m, lso_res_t *out, lso_res_t *rest)
{
	lso_res_fini(out);
	if (m->uuid && !(out->uuid = strdup(m->uuid)))
		return AIS_ENOMEM;
	size_t total = 0;
	for (size_t p = 0; p < npages; p++)
		total += pages[p].n;
	merge_ref_t *v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return AIS_ENOMEM;
	size_t k = 0;
	for (size_t p = 0; p < npages; p++) {
		out->flags |= pages[p].flags;
		for (size_t i = 0; i < pages[p].n; i++)
			v[k++] = (merge_ref_t){&pages[p].entries[i], p};
	}
	bool norec = m->flags & LS_NO_RECURSION;
	if (k)
		qsort(v, k, sizeof(*v), norec ? merge_cmp_lex : merge_cmp);
	size_t max = m->pagesize > 0 ? (size_t)m->pagesize : LSO_MAX_PAGE_AIS;
	int rc = 0;
	size_t i = 0;
	/* the page: under LsNoRecursion every target lists the same virtual directory: keep the
	 * first of equal names (dedupLso); stop at a full page */
	for (; i < k && out->n < max; i++) {
		if (norec && out->n && !strcmp(nz(out->entries[out->n - 1].name), nz(v[i].e->name))) {
			lso_ent_fini(v[i].e);
			continue;
		}
		if ((rc = lso_res_add(out, v[i].e))) {
			lso_ent_fini(v[i++].e);
			break;
		}
	}
	if (!rc && out->n >= max) {
		if (!(out->continuation_token = strdup(nz(out->entries[max - 1].name))))
			rc = AIS_ENOMEM;
	}
	/* the rest: back to each source, still sorted (or freed); what is not above the token (the
	 * other targets' copies of a directory the page ended with) can never come again */
	const char *tok = out->continuation_token;
	for (; i < k; i++) {
		if (rest && !rc && tok && strcmp(nz(v[i].e->name), tok) > 0)
			rc = lso_res_add(&rest[v[i].src], v[i].e);
		lso_ent_fini(v[i].e);
	}
	for (size_t p = 0; p < npages; p++)
		pages[p].n = 0;
	free(v);
	return rc;
}

int lso_res_merge(lso_res_t *pages, size_t npages, const lso_msg_t *m, lso_res_t *out)
{
	return lso_res_merge_rest(pages, npages, m, out, NULL);
}
