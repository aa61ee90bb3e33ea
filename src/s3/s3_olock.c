/* s3_olock: object lock rules and records (see s3_olock.h). Pure functions, plus the stripe
 * lock table (this file's only state: fixed, initialized once). */
#include "s3/s3_olock.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/err.h"
#include "s3/s3_int.h"
#include "s3/s3xml.h"

#define NS_PER_SEC 1000000000LL
#define NS_PER_DAY (86400LL * NS_PER_SEC)
#define S3_OLOCK_STRIPES 256

static bool s3_lock_mode_ok(const char *m) { return !strcmp(m, "GOVERNANCE") || !strcmp(m, "COMPLIANCE"); }

int s3_iso_parse(const char *s, int64_t *ns)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || !isdigit((unsigned char)s[0]))
		return AIS_EINVAL;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return AIS_EINVAL;
	int64_t frac = 0, scale = NS_PER_SEC / 10;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return AIS_EINVAL;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, hh, mm;
		char tail;
		if (sscanf(p + 1, "%2d:%2d%c", &hh, &mm, &tail) == 2 && strlen(p + 1) == 5)
			p += 6;
		else if (sscanf(p + 1, "%2d%2d%c", &hh, &mm, &tail) == 2 && strlen(p + 1) == 4)
			p += 5;
		else
			return AIS_EINVAL;
		if (hh > 23 || mm > 59)
			return AIS_EINVAL;
		off = sign * (hh * 3600 + mm * 60);
	} else {
		return AIS_EINVAL;
	}
	if (*p)
		return AIS_EINVAL;
	time_t t = timegm(&tm);
	*ns = ((int64_t)t - off) * NS_PER_SEC + frac;
	return 0;
}

void s3_lock_fmt_until(int64_t ns, char *out, size_t cap) { s3_fmt_iso(ns, out, cap); }

void s3_lock_load(const lom_md_t *md, s3_lock_t *l)
{
	memset(l, 0, sizeof(*l));
	const char *m = lom_md_custom_get(md, S3MD_LOCK_MODE), *u = lom_md_custom_get(md, S3MD_LOCK_UNTIL);
	const char *h = lom_md_custom_get(md, S3MD_LEGAL_HOLD);
	if (m && u && s3_lock_mode_ok(m) && !s3_iso_parse(u, &l->until))
		snprintf(l->mode, sizeof(l->mode), "%s", m);
	else
		l->until = 0;
	if (h && (!strcmp(h, "ON") || !strcmp(h, "OFF")))
		snprintf(l->hold, sizeof(l->hold), "%s", h);
}

int s3_lock_store(lom_md_t *md, const s3_lock_t *l)
{
	int rc;
	if (l->mode[0]) {
		char t[40];
		s3_lock_fmt_until(l->until, t, sizeof(t));
		rc = lom_md_custom_set(md, S3MD_LOCK_MODE, l->mode);
		if (!rc)
			rc = lom_md_custom_set(md, S3MD_LOCK_UNTIL, t);
	} else {
		rc = lom_md_custom_del(md, S3MD_LOCK_MODE);
		if (!rc)
			rc = lom_md_custom_del(md, S3MD_LOCK_UNTIL);
	}
	if (!rc)
		rc = l->hold[0] ? lom_md_custom_set(md, S3MD_LEGAL_HOLD, l->hold) : lom_md_custom_del(md, S3MD_LEGAL_HOLD);
	return rc;
}

int s3_lock_from_hdrs(const http_req_t *r, int64_t now, s3_lock_t *l, bool *given, s3_fail_t *f)
{
	const char *m = http_hdr_get(r, "x-amz-object-lock-mode");
	const char *u = http_hdr_get(r, "x-amz-object-lock-retain-until-date");
	const char *h = http_hdr_get(r, "x-amz-object-lock-legal-hold");
	memset(l, 0, sizeof(*l));
	*given = m || u || h;
	if ((m != NULL) != (u != NULL)) {
		s3_fail_set(f, 400, "InvalidArgument",
			    "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
		return AIS_EINVAL;
	}
	if (m) {
		if (!s3_lock_mode_ok(m)) {
			s3_fail_set(f, 400, "InvalidArgument", "Unknown wormMode directive: %.32s", m);
			return AIS_EINVAL;
		}
		if (s3_iso_parse(u, &l->until)) {
			s3_fail_set(f, 400, "InvalidArgument", "The retain until date must be provided in ISO 8601 format");
			return AIS_EINVAL;
		}
		if (l->until <= now) {
			s3_fail_set(f, 400, "InvalidArgument", "The retain until date must be in the future!");
			return AIS_EINVAL;
		}
		snprintf(l->mode, sizeof(l->mode), "%s", m);
	}
	if (h) {
		if (strcmp(h, "ON") && strcmp(h, "OFF")) {
			s3_fail_set(f, 400, "InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'");
			return AIS_EINVAL;
		}
		snprintf(l->hold, sizeof(l->hold), "%s", h);
	}
	return 0;
}

bool s3_lock_enabled(const json_t *bucket_s3)
{
	return json_is_true(json_object_get(json_object_get(bucket_s3, "lock"), "enabled"));
}

void s3_lock_default(const json_t *bucket_s3, int64_t now, s3_lock_t *l)
{
	const json_t *lk = json_object_get(bucket_s3, "lock");
	const char *mode = json_string_value(json_object_get(lk, "mode"));
	json_int_t days = json_integer_value(json_object_get(lk, "days"));
	json_int_t years = json_integer_value(json_object_get(lk, "years"));
	if (!s3_lock_enabled(bucket_s3) || !mode || !s3_lock_mode_ok(mode) || (days <= 0 && years <= 0))
		return;
	snprintf(l->mode, sizeof(l->mode), "%s", mode);
	l->until = now + (days > 0 ? (int64_t)days : (int64_t)years * 365) * NS_PER_DAY;
}

bool s3_lock_bypass(const http_req_t *r)
{
	const char *b = http_hdr_get(r, "x-amz-bypass-governance-retention");
	return b && !strcasecmp(b, "true");
}

const char *s3_lock_denies(const s3_lock_t *l, int64_t now, bool bypass)
{
	if (!strcmp(l->hold, "ON"))
		return "the object is under legal hold";
	if (!l->mode[0] || l->until <= now)
		return NULL;
	if (!strcmp(l->mode, "COMPLIANCE"))
		return "the object is under COMPLIANCE mode retention";
	return bypass ? NULL : "the object is under GOVERNANCE mode retention";
}

static void s3_lock_malformed(s3_fail_t *f, const char *why)
{
	s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our "
		    "published schema: %s", why);
}

int s3_lock_retention_xml_parse(const char *xml, size_t len, int64_t now, s3_lock_t *want, s3_fail_t *f)
{
	char err[256], mode[32], date[64];
	s3xml_node_t *doc = NULL;
	want->mode[0] = '\0';
	want->until = 0;
	if (!len || s3xml_dom_parse(xml, len, "Retention", &doc, err, sizeof(err))) {
		s3_lock_malformed(f, len ? err : "empty request body");
		return AIS_EINVAL;
	}
	bool hm = s3xml_child_text(doc, "Mode", mode, sizeof(mode)) != NULL;
	bool hd = s3xml_child_text(doc, "RetainUntilDate", date, sizeof(date)) != NULL;
	int rc = AIS_EINVAL;
	if (hm != hd)
		s3_lock_malformed(f, "Mode and RetainUntilDate go together");
	else if (hm && !s3_lock_mode_ok(mode))
		s3_lock_malformed(f, "Mode must be GOVERNANCE or COMPLIANCE");
	else if (hd && s3_iso_parse(date, &want->until))
		s3_lock_malformed(f, "RetainUntilDate is not an ISO 8601 date");
	else if (hd && want->until <= now)
		s3_fail_set(f, 400, "InvalidArgument", "The retain until date must be in the future!");
	else
		rc = 0;
	if (!rc && hm)
		snprintf(want->mode, sizeof(want->mode), "%.15s", mode);
	if (rc)
		want->until = 0;
	s3xml_dom_free(doc);
	return rc;
}

int s3_lock_retention_change(const s3_lock_t *cur, const s3_lock_t *want, int64_t now, bool bypass, s3_fail_t *f)
{
	if (!cur->mode[0] || cur->until <= now)
		return 0; /* none in force */
	bool same = !strcmp(cur->mode, want->mode), longer = want->mode[0] && want->until >= cur->until;
	if (same && longer)
		return 0;
	if (!strcmp(cur->mode, "GOVERNANCE") && bypass)
		return 0;
	s3_fail_set(f, 403, "AccessDenied", "Access Denied: the object's %s mode retention cannot be %s", cur->mode,
		    !want->mode[0] ? "removed" : !same ? "changed to another mode" : "shortened");
	return AIS_EFORBIDDEN;
}

int s3_lock_hold_xml_parse(const char *xml, size_t len, bool *on, s3_fail_t *f)
{
	char err[256], st[16];
	s3xml_node_t *doc = NULL;
	if (!len || s3xml_dom_parse(xml, len, "LegalHold", &doc, err, sizeof(err))) {
		s3_lock_malformed(f, len ? err : "empty request body");
		return AIS_EINVAL;
	}
	int rc = 0;
	if (!s3xml_child_text(doc, "Status", st, sizeof(st)) || (strcmp(st, "ON") && strcmp(st, "OFF"))) {
		s3_lock_malformed(f, "Status must be ON or OFF");
		rc = AIS_EINVAL;
	} else {
		*on = !strcmp(st, "ON");
	}
	s3xml_dom_free(doc);
	return rc;
}

void s3_lock_retention_xml(sbuf_t *b, const s3_lock_t *l)
{
	char t[40];
	s3_lock_fmt_until(l->until, t, sizeof(t));
	s3xml_begin(b);
	s3xml_open_ns(b, "Retention");
	s3xml_elem(b, "Mode", l->mode);
	s3xml_elem(b, "RetainUntilDate", t);
	s3xml_close(b, "Retention");
}

void s3_lock_hold_xml(sbuf_t *b, const s3_lock_t *l)
{
	s3xml_begin(b);
	s3xml_open_ns(b, "LegalHold");
	s3xml_elem(b, "Status", l->hold);
	s3xml_close(b, "LegalHold");
}

/* ---- stripe lock ---- */

static pthread_mutex_t s3_olock_tab[S3_OLOCK_STRIPES];
static pthread_once_t s3_olock_once = PTHREAD_ONCE_INIT;

static void s3_olock_init(void)
{
	for (int i = 0; i < S3_OLOCK_STRIPES; i++)
		pthread_mutex_init(&s3_olock_tab[i], NULL);
}

void s3_olock(uint64_t digest)
{
	pthread_once(&s3_olock_once, s3_olock_init);
	pthread_mutex_lock(&s3_olock_tab[digest % S3_OLOCK_STRIPES]);
}

void s3_ounlock(uint64_t digest) { pthread_mutex_unlock(&s3_olock_tab[digest % S3_OLOCK_STRIPES]); }
