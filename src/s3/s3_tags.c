/* s3_tags: object tag sets (see s3_tags.h). Pure functions: a parse fills a small fixed set
 * (at most S3_TAGS_MAX + 1 entries are ever held), validates it, and renders the canonical form. */
#include "s3/s3_tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"
#include "s3/s3xml.h"

typedef struct tag {
	char *k, *v;
} tag_t;

typedef struct tagset {
	tag_t t[S3_TAGS_MAX];
	int n;
} tagset_t;

static void ts_fini(tagset_t *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->t[i].k);
		free(s->t[i].v);
	}
	s->n = 0;
}

/* UTF-8 characters in s[0..n) (s valid UTF-8) */
static size_t ts_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static int ts_add(tagset_t *s, const char *k, size_t kl, const char *v, size_t vl, s3_fail_t *f)
{
	if (s->n >= S3_TAGS_MAX) {
		s3_fail_set(f, 400, "InvalidTag", "Object tags cannot be greater than %d", S3_TAGS_MAX);
		return AIS_EINVAL;
	}
	if (!utf8_valid(k, kl) || !utf8_valid(v, vl) || memchr(k, '\0', kl) || memchr(v, '\0', vl)) {
		s3_fail_set(f, 400, "InvalidTag", "The TagKey or TagValue you have provided is not valid UTF-8");
		return AIS_EINVAL;
	}
	if (!kl || ts_chars(k, kl) > S3_TAG_KEY_MAX) {
		s3_fail_set(f, 400, "InvalidTag", "The TagKey you have provided is invalid (1 to %d characters)",
			    S3_TAG_KEY_MAX);
		return AIS_EINVAL;
	}
	if (ts_chars(v, vl) > S3_TAG_VAL_MAX) {
		s3_fail_set(f, 400, "InvalidTag", "The TagValue you have provided is too long, max %d", S3_TAG_VAL_MAX);
		return AIS_EINVAL;
	}
	if (kl >= 4 && !strncmp(k, "aws:", 4)) {
		s3_fail_set(f, 400, "InvalidTag", "System tags (aws:) cannot be set");
		return AIS_EINVAL;
	}
	for (int i = 0; i < s->n; i++)
		if (strlen(s->t[i].k) == kl && !memcmp(s->t[i].k, k, kl)) {
			s3_fail_set(f, 400, "InvalidTag", "Cannot provide multiple Tags with the same key");
			return AIS_EINVAL;
		}
	tag_t *t = &s->t[s->n];
	t->k = strndup(k, kl);
	t->v = strndup(v, vl);
	if (!t->k || !t->v) {
		free(t->k);
		free(t->v);
		s3_fail_set(f, 500, "InternalError", "out of memory");
		return AIS_ENOMEM;
	}
	s->n++;
	return 0;
}

static int ts_cmp(const void *a, const void *b) { return strcmp(((const tag_t *)a)->k, ((const tag_t *)b)->k); }

/* sorted canonical form into *out */
static int ts_canon(tagset_t *s, char **out, s3_fail_t *f)
{
	qsort(s->t, (size_t)s->n, sizeof(s->t[0]), ts_cmp);
	sbuf_t b = SBUF_INIT;
	for (int i = 0; i < s->n; i++) {
		char *ek = url_encode(s->t[i].k, false), *ev = url_encode(s->t[i].v, false);
		if (ek && ev)
			sbuf_addf(&b, "%s%s=%s", i ? "&" : "", ek, ev);
		else
			b.oom = true;
		free(ek);
		free(ev);
	}
	*out = b.oom ? NULL : sbuf_take(&b);
	sbuf_fini(&b);
	if (!*out) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		return AIS_ENOMEM;
	}
	return 0;
}

/* URL-decode s[0..n) into a malloc'd buffer (*len bytes); NULL when malformed or out of memory */
static char *ts_decode(const char *s, size_t n, bool plus, size_t *len)
{
	char *d = malloc(n + 1);
	long l = d ? url_decode(s, n, d, plus) : -1;
	if (l < 0) {
		free(d);
		return NULL;
	}
	d[l] = '\0';
	*len = (size_t)l;
	return d;
}

int s3_tags_from_query(const char *q, char **out, s3_fail_t *f)
{
	tagset_t s = {.n = 0};
	*out = NULL;
	int rc = 0;
	for (const char *p = q; *p && !rc;) {
		size_t seg = strcspn(p, "&");
		if (seg) {
			const char *eq = memchr(p, '=', seg);
			size_t kn = eq ? (size_t)(eq - p) : seg, vn = eq ? seg - kn - 1 : 0;
			size_t kl = 0, vl = 0;
			char *k = ts_decode(p, kn, true, &kl), *v = ts_decode(eq ? eq + 1 : "", vn, true, &vl);
			if (!k || !v) {
				s3_fail_set(f, 400, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as "
					    "UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
				rc = AIS_EINVAL;
			} else {
				rc = ts_add(&s, k, kl, v, vl, f);
			}
			free(k);
			free(v);
		}
		p += seg;
		if (*p == '&')
			p++;
	}
	if (!rc)
		rc = ts_canon(&s, out, f);
	ts_fini(&s);
	return rc;
}

int s3_tags_from_xml(const char *xml, size_t len, char **out, s3_fail_t *f)
{
	char err[256];
	s3xml_node_t *doc = NULL;
	tagset_t s = {.n = 0};
	*out = NULL;
	int rc = AIS_EINVAL;
	if (!len || s3xml_dom_parse(xml, len, "Tagging", &doc, err, sizeof(err))) {
		s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
			    "against our published schema: %s", len ? err : "empty request body");
		goto out;
	}
	const s3xml_node_t *set = s3xml_child(doc, "TagSet");
	if (!set) {
		s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
			    "against our published schema: missing TagSet");
		goto out;
	}
	rc = 0;
	for (const s3xml_node_t *t = s3xml_child(set, "Tag"); t && !rc; t = s3xml_next(t)) {
		const s3xml_node_t *k = s3xml_child(t, "Key"), *v = s3xml_child(t, "Value");
		if (!k || !v) {
			s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
				    "against our published schema: a Tag needs a Key and a Value");
			rc = AIS_EINVAL;
			break;
		}
		rc = ts_add(&s, k->text, strlen(k->text), v->text, strlen(v->text), f);
	}
	if (!rc)
		rc = ts_canon(&s, out, f);
out:
	ts_fini(&s);
	s3xml_dom_free(doc);
	return rc;
}

int s3_tags_count(const char *canon)
{
	if (!canon || !*canon)
		return 0;
	int n = 1;
	for (const char *p = canon; *p; p++)
		n += *p == '&';
	return n;
}

void s3_tags_xml(sbuf_t *b, const char *canon)
{
	s3xml_begin(b);
	s3xml_open_ns(b, "Tagging");
	s3xml_open(b, "TagSet");
	for (const char *p = canon ? canon : ""; *p;) {
		size_t seg = strcspn(p, "&");
		const char *eq = memchr(p, '=', seg);
		size_t kn = eq ? (size_t)(eq - p) : seg, kl = 0, vl = 0;
		char *k = ts_decode(p, kn, false, &kl), *v = ts_decode(eq ? eq + 1 : "", eq ? seg - kn - 1 : 0, false, &vl);
		if (k && v) {
			s3xml_open(b, "Tag");
			s3xml_elem(b, "Key", k);
			s3xml_elem(b, "Value", v);
			s3xml_close(b, "Tag");
		} else {
			b->oom = true;
		}
		free(k);
		free(v);
		p += seg;
		if (*p == '&')
			p++;
	}
	s3xml_close(b, "TagSet");
	s3xml_close(b, "Tagging");
}
