/* s3_cors: CORS rules (see s3_cors.h): XML in and out, matching, response headers. Pure. */
#include "s3/s3_cors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "s3/s3_int.h"
#include "s3/s3xml.h"

#define S3_CORS_MAX_RULES 100

bool s3_cors_wild(const char *pat, const char *s, bool icase)
{
	const char *star = strchr(pat, '*');
	int (*ncmp)(const char *, const char *, size_t) = icase ? strncasecmp : strncmp;
	if (!star)
		return icase ? !strcasecmp(pat, s) : !strcmp(pat, s);
	size_t pre = (size_t)(star - pat), suf = strlen(star + 1), n = strlen(s);
	if (n < pre + suf)
		return false;
	return !ncmp(pat, s, pre) && !ncmp(star + 1, s + n - suf, suf);
}

static bool s3_cors_method_ok(const char *m)
{
	static const char *const ok[] = {"GET", "PUT", "HEAD", "POST", "DELETE", NULL};
	for (int i = 0; ok[i]; i++)
		if (!strcmp(m, ok[i]))
			return true;
	return false;
}

/* the trimmed texts of n's children named `name` as a JSON array; NULL on a bad value */
static json_t *s3_cors_list(const s3xml_node_t *n, const char *name, bool one_star, s3_fail_t *f)
{
	json_t *a = json_array();
	for (const s3xml_node_t *c = s3xml_child(n, name); a && c; c = s3xml_next(c)) {
		const char *t = c->text;
		while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
			t++;
		size_t l = strlen(t);
		while (l && (t[l - 1] == ' ' || t[l - 1] == '\t' || t[l - 1] == '\n' || t[l - 1] == '\r'))
			l--;
		const char *star = memchr(t, '*', l);
		if (one_star && star && memchr(star + 1, '*', l - (size_t)(star + 1 - t))) {
			s3_fail_set(f, 400, "InvalidRequest", "%s can not have more than one wildcard: %.*s", name, (int)l, t);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_stringn(t, l));
	}
	if (!a)
		s3_fail_set(f, 500, "InternalError", "out of memory");
	return a;
}

int s3_cors_from_xml(const char *xml, size_t len, json_t **out, s3_fail_t *f)
{
	char err[256], num[32];
	s3xml_node_t *doc = NULL;
	json_t *rules = NULL;
	*out = NULL;
	if (s3xml_dom_parse(xml, len, "CORSConfiguration", &doc, err, sizeof(err))) {
		s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
			    "against our published schema: %s", err);
		return AIS_EINVAL;
	}
	int n = s3xml_nchild(doc, "CORSRule");
	if (n < 1 || n > S3_CORS_MAX_RULES) {
		s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
			    "against our published schema (1 to %d CORSRule)", S3_CORS_MAX_RULES);
		goto fail;
	}
	if (!(rules = json_array()))
		goto oom;
	for (const s3xml_node_t *c = s3xml_child(doc, "CORSRule"); c; c = s3xml_next(c)) {
		json_t *m = s3_cors_list(c, "AllowedMethod", false, f), *o = NULL, *h = NULL, *e = NULL;
		if (m)
			o = s3_cors_list(c, "AllowedOrigin", true, f);
		if (o)
			h = s3_cors_list(c, "AllowedHeader", true, f);
		if (h)
			e = s3_cors_list(c, "ExposeHeader", false, f);
		json_t *rule = e ? json_pack("{s:o, s:o, s:o, s:o}", "methods", m, "origins", o, "headers", h, "expose", e)
				 : NULL;
		if (!e) {
			json_decref(m), json_decref(o), json_decref(h);
			goto fail;
		}
		if (!rule || json_array_append_new(rules, rule))
			goto oom;
		if (!json_array_size(m) || !json_array_size(o)) {
			s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
				    "against our published schema (a CORSRule needs AllowedMethod and AllowedOrigin)");
			goto fail;
		}
		size_t i;
		json_t *v;
		json_array_foreach(m, i, v)
			if (!s3_cors_method_ok(json_string_value(v))) {
				s3_fail_set(f, 400, "InvalidRequest", "Found unsupported HTTP method in CORS config. "
					    "Unsupported method is %.32s", json_string_value(v));
				goto fail;
			}
		const s3xml_node_t *idn = s3xml_child(c, "ID");
		if (idn) {
			if (strlen(idn->text) > 255) {
				s3_fail_set(f, 400, "InvalidArgument", "CORS rule ID longer than 255 characters");
				goto fail;
			}
			json_object_set_new(rule, "id", json_string(idn->text));
		}
		if (s3xml_child(c, "MaxAgeSeconds")) {
			char *end = NULL;
			long long v2 = s3xml_child_text(c, "MaxAgeSeconds", num, sizeof(num)) ? strtoll(num, &end, 10) : -1;
			if (!end || *end || v2 < 0 || v2 > 0x7fffffff) {
				s3_fail_set(f, 400, "MalformedXML", "MaxAgeSeconds must be a non-negative integer");
				goto fail;
			}
			json_object_set_new(rule, "max_age", json_integer(v2));
		}
	}
	s3xml_dom_free(doc);
	*out = rules;
	return 0;
oom:
	s3_fail_set(f, 500, "InternalError", "out of memory");
fail:
	s3xml_dom_free(doc);
	json_decref(rules);
	return AIS_EINVAL;
}

static void s3_cors_xml_list(sbuf_t *b, const json_t *rule, const char *key, const char *tag)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(rule, key), i, v)
		s3xml_elem(b, tag, json_string_value(v));
}

void s3_cors_xml(sbuf_t *b, const json_t *rules)
{
	s3xml_begin(b);
	s3xml_open_ns(b, "CORSConfiguration");
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		s3xml_open(b, "CORSRule");
		const char *id = json_string_value(json_object_get(r, "id"));
		if (id)
			s3xml_elem(b, "ID", id);
		s3_cors_xml_list(b, r, "headers", "AllowedHeader");
		s3_cors_xml_list(b, r, "methods", "AllowedMethod");
		s3_cors_xml_list(b, r, "origins", "AllowedOrigin");
		s3_cors_xml_list(b, r, "expose", "ExposeHeader");
		json_t *ma = json_object_get(r, "max_age");
		if (json_is_integer(ma))
			s3xml_elemf(b, "MaxAgeSeconds", "%lld", (long long)json_integer_value(ma));
		s3xml_close(b, "CORSRule");
	}
	s3xml_close(b, "CORSConfiguration");
}

static bool s3_cors_in(const json_t *list, const char *s, bool icase)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (s3_cors_wild(json_string_value(v), s, icase))
			return true;
	return false;
}

/* every comma-separated header in req is allowed by the rule */
static bool s3_cors_headers_ok(const json_t *rule, const char *req)
{
	const json_t *allowed = json_object_get(rule, "headers");
	const char *p = req;
	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, ",");
		size_t l = n;
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		char h[256];
		if (l >= sizeof(h))
			return false;
		memcpy(h, p, l);
		h[l] = '\0';
		if (!s3_cors_in(allowed, h, true))
			return false;
		p += n;
	}
	return true;
}

const json_t *s3_cors_match(const json_t *rules, const char *origin, const char *method, const char *req_headers)
{
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		if (!s3_cors_in(json_object_get(r, "origins"), origin, false))
			continue;
		bool mok = false;
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(r, "methods"), k, m)
			mok |= !strcmp(json_string_value(m), method);
		if (!mok)
			continue;
		if (req_headers && !s3_cors_headers_ok(r, req_headers))
			continue;
		return r;
	}
	return NULL;
}

static void s3_cors_join(sbuf_t *b, const json_t *list)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (i)
			sbuf_adds(b, ", ");
		sbuf_adds(b, json_string_value(v));
	}
}

void s3_cors_add_hdrs(http_req_t *r, const json_t *rule, const char *origin, const char *req_headers, bool preflight)
{
	bool any_origin = false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(rule, "origins"), i, v)
		any_origin |= !strcmp(json_string_value(v), "*");
	http_hdr_add(r, "Access-Control-Allow-Origin", any_origin ? "*" : origin);
	sbuf_t b = SBUF_INIT;
	s3_cors_join(&b, json_object_get(rule, "methods"));
	if (b.len)
		http_hdr_add(r, "Access-Control-Allow-Methods", sbuf_str(&b));
	b.len = 0;
	if (preflight && req_headers && *req_headers)
		http_hdr_add(r, "Access-Control-Allow-Headers", req_headers);
	s3_cors_join(&b, json_object_get(rule, "expose"));
	if (b.len)
		http_hdr_add(r, "Access-Control-Expose-Headers", sbuf_str(&b));
	sbuf_fini(&b);
	json_t *ma = json_object_get(rule, "max_age");
	if (json_is_integer(ma))
		http_hdr_addf(r, "Access-Control-Max-Age", "%lld", (long long)json_integer_value(ma));
	if (!any_origin)
		http_hdr_add(r, "Access-Control-Allow-Credentials", "true");
	http_hdr_add(r, "Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}
