/* s3_list: ListObjects (v1), ListObjectsV2 and a minimal ListObjectVersions (current versions
 * only, VersionId "null") at the proxy, on top of the native merged page (plist_page). S3
 * semantics added here: delimiter roll-up into CommonPrefixes (delimiter "/" uses the targets'
 * non-recursive walk; other delimiters roll up a recursive walk), max-keys counting keys and
 * prefixes, truncation with the last returned key/prefix as the continuation token (opaque to
 * clients; a prefix token resumes past everything under it), start-after/marker, and
 * encoding-type=url. Pages come as lso_res_t (plist_page_res) with LsIsS3 set. Runs on the pool. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "api/lso.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "cluster/smap.h"
#include "net/hclient.h"
#include "proxy/proxy.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_ver.h"
#include "s3/s3xml.h"

#define S3_MAX_KEYS 1000
#define S3_LS_MAX_PAGES 100000
#define S3_UTF8_MAX "\xf4\x8f\xbf\xbf" /* U+10FFFF: sorts after any valid name continuation */

typedef struct ls_item {
	char *name;
	bool cp;
	char etag[80];
	char mtime[40];
	char owner[S3_ID_MAX]; /* "" when the object has no s3-owner (the bucket owner's) */
	int64_t size;
} ls_item_t;

typedef struct ls_args {
	const char *prefix, *delim, *token;
	int max_keys;
	/* out */
	ls_item_t *v;
	int n;
	bool truncated;
} ls_args_t;

/* the value of key in the custom md "[k:v k:v]" (a value without spaces) into out; false if absent */
static bool ent_custom(const lso_ent_t *e, const char *key, char *out, size_t cap)
{
	const char *c = e->custom ? e->custom : "";
	size_t kl = strlen(key);
	for (const char *p = strstr(c, key); p; p = strstr(p + 1, key)) {
		if ((p != c + 1 && p[-1] != ' ') || p[kl] != ':')
			continue;
		p += kl + 1;
		size_t n = strcspn(p, " ]");
		snprintf(out, cap, "%.*s", (int)n, p);
		return true;
	}
	return false;
}

/* ETag from the custom md, else the checksum, quoted */
static void ent_etag(const lso_ent_t *e, char *out, size_t cap)
{
	if (!ent_custom(e, "ETag", out, cap))
		snprintf(out, cap, "\"%s\"", e->checksum ? e->checksum : "");
}

/* "2006-01-02T15:04:05[.999999999]Z" → "2006-01-02T15:04:05.000Z" */
static void ent_mtime(const lso_ent_t *e, char *out, size_t cap)
{
	const char *a = e->atime ? e->atime : "";
	if (strlen(a) < 19) {
		snprintf(out, cap, "1970-01-01T00:00:00.000Z");
		return;
	}
	char ms[4] = "000";
	if (a[19] == '.')
		for (int i = 0; i < 3 && a[20 + i] >= '0' && a[20 + i] <= '9'; i++)
			ms[i] = a[20 + i];
	snprintf(out, cap, "%.19s.%sZ", a, ms);
}

/* what <Owner> needs: the configured users' names, the bucket's owner */
typedef struct ls_owner {
	s3_conf_t *c;
	char bowner[S3_ID_MAX];
} ls_owner_t;

static void ls_owner_init(ls_owner_t *lo, const char *bucket)
{
	memset(lo, 0, sizeof(*lo));
	if ((lo->c = malloc(sizeof(*lo->c))))
		s3_conf_get(lo->c);
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	snprintf(lo->bowner, sizeof(lo->bowner), "%s", s3_bm_owner(bm.s3));
	s3_bm_put(&bm);
}

static void ls_free(ls_args_t *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i].name);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int ls_push(ls_args_t *a, const char *name, bool cp, const lso_ent_t *e)
{
	ls_item_t *nv = realloc(a->v, (size_t)(a->n + 1) * sizeof(*nv));
	if (!nv)
		return AIS_ENOMEM;
	a->v = nv;
	ls_item_t *it = &a->v[a->n];
	memset(it, 0, sizeof(*it));
	it->name = strdup(name);
	if (!it->name)
		return AIS_ENOMEM;
	it->cp = cp;
	if (!cp) {
		it->size = e->size;
		ent_etag(e, it->etag, sizeof(it->etag));
		ent_mtime(e, it->mtime, sizeof(it->mtime));
		ent_custom(e, "s3-owner", it->owner, sizeof(it->owner));
	}
	a->n++;
	return 0;
}

/* collect up to max_keys (+1 to know about truncation); 0 or AIS_E* (pe filled) */
static int ls_collect(const char *bucket, ls_args_t *a, plist_err_t *pe)
{
	pbck_t b;
	memset(&b, 0, sizeof(b));
	memset(pe, 0, sizeof(*pe));
	snprintf(b.provider, sizeof(b.provider), "ais");
	snprintf(b.name, sizeof(b.name), "%s", bucket);
	size_t plen = strlen(a->prefix), dlen = strlen(a->delim);
	bool slash = !strcmp(a->delim, "/");
	char *skip = NULL; /* common prefix whose keys are already accounted for */
	sbuf_t tok = SBUF_INIT;
	sbuf_adds(&tok, a->token);
	/* a token that is a common prefix (its first delimiter after the prefix ends it): every key
	 * under it is accounted for. Not a key ending with the delimiter that is no common prefix
	 * ("a/" listed with prefix "a/" is a key: "a/b" comes after it). */
	size_t tl = strlen(a->token);
	const char *td = dlen && tl > plen && !strncmp(a->token, a->prefix, plen) ? strstr(a->token + plen, a->delim) : NULL;
	if (td && td == a->token + tl - dlen) {
		skip = strdup(a->token);
		sbuf_adds(&tok, S3_UTF8_MAX);
	}
	int rc = 0;
	if (a->max_keys == 0)
		goto out;
	char uuid[16]; /* one listing for the pages of this request: they share the cursors */
	gen_uuid(uuid, 9);
	for (int pg = 0; pg < S3_LS_MAX_PAGES; pg++) {
		int want = dlen ? 1000 : a->max_keys + 1;
		char fl[16];
		/* LsIsS3: the targets' non-recursive walk follows S3's delimiter semantics */
		snprintf(fl, sizeof(fl), "%d", LS_IS_S3 | (slash ? LS_NO_RECURSION : 0));
		json_t *msg = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "prefix", a->prefix, "continuation_token",
					sbuf_str(&tok), "props", "name,size,checksum,atime,custom", "pagesize", want,
					"flags", fl, "time_format", "2006-01-02T15:04:05.999999999Z07:00", "uuid", uuid);
		lso_res_t page;
		lso_res_init(&page);
		rc = msg ? plist_page_res(&b, msg, &page, pe) : AIS_ENOMEM;
		json_decref(msg);
		if (rc)
			goto out;
		for (size_t i = 0; i < page.n; i++) {
			const lso_ent_t *e = &page.entries[i];
			const char *name = e->name ? e->name : "";
			bool isdir = (e->flags & LSO_ENTRY_IS_DIR) != 0;
			if (skip && !strncmp(name, skip, strlen(skip)))
				continue;
			if (isdir && !slash)
				continue;
			if (isdir) {
				rc = ls_push(a, name, true, e);
				free(skip);
				skip = strdup(name);
			} else if (dlen && strlen(name) > plen) {
				const char *d = strstr(name + plen, a->delim);
				if (d) {
					char *cp = strndup(name, (size_t)(d - name) + dlen);
					rc = cp ? ls_push(a, cp, true, e) : AIS_ENOMEM;
					free(skip);
					skip = cp;
				} else {
					rc = ls_push(a, name, false, e);
				}
			} else {
				rc = ls_push(a, name, false, e);
			}
			if (rc || a->n > a->max_keys)
				break;
		}
		const char *next = page.continuation_token ? page.continuation_token : "";
		bool more = next[0] != '\0';
		if (more) {
			sbuf_reset(&tok);
			sbuf_adds(&tok, next);
			if (skip && !strncmp(next, skip, strlen(skip))) {
				sbuf_reset(&tok);
				sbuf_adds(&tok, skip);
				sbuf_adds(&tok, S3_UTF8_MAX);
			}
		}
		lso_res_fini(&page);
		if (rc || a->n > a->max_keys || !more)
			break;
	}
out:
	if (!rc && a->n > a->max_keys) {
		a->truncated = true;
		for (int i = a->max_keys; i < a->n; i++)
			free(a->v[i].name);
		a->n = a->max_keys;
	}
	free(skip);
	sbuf_fini(&tok);
	return rc;
}

static int parse_max_keys(http_req_t *r, int *out)
{
	const char *mk = http_query_get(r, "max-keys");
	*out = S3_MAX_KEYS;
	if (!mk)
		return 0;
	char *end;
	long v = strtol(mk, &end, 10);
	if (!*mk || *end || v < 0) {
		s3_err(r, 400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
		return AIS_EINVAL;
	}
	*out = v > S3_MAX_KEYS ? S3_MAX_KEYS : (int)v;
	return 0;
}

static bool parse_encoding(http_req_t *r, bool *enc)
{
	const char *et = http_query_get(r, "encoding-type");
	*enc = false;
	if (!et || !*et)
		return true;
	if (strcmp(et, "url")) {
		s3_err(r, 400, "InvalidArgument", "Invalid Encoding Method specified in Request");
		return false;
	}
	*enc = true;
	return true;
}

static void ls_fail(http_req_t *r, int rc, plist_err_t *pe, const char *bucket)
{
	if (rc == AIS_ENOBUCKET)
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
	else
		s3_err(r, pe->status ? pe->status : err_http_status(rc), err_s3_code(rc), "%s", pe->msg);
	free(pe->relay);
}

/* a key-valued query parameter must be UTF-8 (S3 keys are): false when it has responded 400 */
static bool ls_utf8(http_req_t *r, const char *param)
{
	const char *v = http_query_get(r, param);
	if (!v || utf8_valid(v, strlen(v)))
		return true;
	s3_err(r, 400, "InvalidArgument", "Invalid Argument: %s is not valid UTF-8", param);
	return false;
}

/* the query parameters both listings share (max-keys, encoding-type, prefix, delimiter); false
 * when it has responded 400 */
static bool ls_parse(http_req_t *r, ls_args_t *a, bool *enc)
{
	if (parse_max_keys(r, &a->max_keys) || !parse_encoding(r, enc))
		return false;
	static const char *const keyed[] = {"prefix", "delimiter", "continuation-token", "start-after", "marker",
					    "key-marker", NULL};
	for (int i = 0; keyed[i]; i++)
		if (!ls_utf8(r, keyed[i]))
			return false;
	const char *prefix = http_query_get(r, "prefix"), *delim = http_query_get(r, "delimiter");
	a->prefix = prefix ? prefix : "";
	a->delim = delim ? delim : "";
	return true;
}

/* collect the page; false when it has responded (error) */
static bool ls_run(http_req_t *r, const char *bucket, ls_args_t *a)
{
	plist_err_t pe;
	int rc = ls_collect(bucket, a, &pe);
	if (rc) {
		ls_fail(r, rc, &pe, bucket);
		ls_free(a);
		return false;
	}
	return true;
}

static void ls_xml_open(sbuf_t *b, const char *root, const char *bucket, const ls_args_t *a, bool enc)
{
	s3xml_begin(b);
	s3xml_open_ns(b, root);
	s3xml_elem(b, "Name", bucket);
	s3xml_elem_enc(b, "Prefix", a->prefix, enc);
}

/* MaxKeys, Delimiter, IsTruncated, EncodingType */
static void ls_xml_page(sbuf_t *b, const ls_args_t *a, bool enc)
{
	s3xml_elemf(b, "MaxKeys", "%d", a->max_keys);
	if (a->delim[0])
		s3xml_elem_enc(b, "Delimiter", a->delim, enc);
	s3xml_elem(b, "IsTruncated", a->truncated ? "true" : "false");
	if (enc)
		s3xml_elem(b, "EncodingType", "url");
}

/* <Owner> of an entry: its s3-owner, else the bucket's owner (else the default user) */
static void ls_owner(sbuf_t *b, const ls_item_t *it, const ls_owner_t *lo)
{
	const char *id = it->owner[0] ? it->owner : lo->bowner[0] ? lo->bowner : S3_DEFAULT_ID;
	char name[S3_ID_MAX];
	if (!lo->c || !s3_auth_user(lo->c, id, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", id);
	s3xml_open(b, "Owner");
	s3xml_elem(b, "ID", id);
	s3xml_elem(b, "DisplayName", name);
	s3xml_close(b, "Owner");
}

/* the entries (<Contents>, or <Version> for versions; with <Owner> when lo), then
 * <CommonPrefixes>; closes root and responds */
static void ls_finish(http_req_t *r, sbuf_t *b, ls_args_t *a, bool enc, bool versions, const char *root,
		      const ls_owner_t *lo)
{
	for (int i = 0; i < a->n; i++) {
		const ls_item_t *it = &a->v[i];
		if (it->cp)
			continue;
		s3xml_open(b, versions ? "Version" : "Contents");
		s3xml_elem_enc(b, "Key", it->name, enc);
		if (versions) {
			s3xml_elem(b, "VersionId", "null");
			s3xml_elem(b, "IsLatest", "true");
		}
		s3xml_elem(b, "LastModified", it->mtime);
		s3xml_elem(b, "ETag", it->etag);
		s3xml_elemf(b, "Size", "%lld", (long long)it->size);
		s3xml_elem(b, "StorageClass", "STANDARD");
		if (lo)
			ls_owner(b, it, lo);
		s3xml_close(b, versions ? "Version" : "Contents");
	}
	for (int i = 0; i < a->n; i++) {
		if (!a->v[i].cp)
			continue;
		s3xml_open(b, "CommonPrefixes");
		s3xml_elem_enc(b, "Prefix", a->v[i].name, enc);
		s3xml_close(b, "CommonPrefixes");
	}
	s3xml_close(b, root);
	if (b->oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, b->p, b->len);
	sbuf_fini(b);
	ls_free(a);
}

void s3_list_objects(http_req_t *r, const char *bucket)
{
	bool v2 = http_query_get(r, "list-type") && !strcmp(http_query_get(r, "list-type"), "2");
	bool enc;
	ls_args_t a = {0};
	if (!ls_parse(r, &a, &enc))
		return;
	const char *ctok = http_query_get(r, "continuation-token"), *after = http_query_get(r, "start-after");
	const char *marker = http_query_get(r, "marker");
	a.token = v2 ? (ctok && *ctok ? ctok : after ? after : "") : (marker ? marker : "");
	if (a.token[0] && strcmp(a.token, a.prefix) < 0)
		a.token = ""; /* before the prefix: nothing to skip */
	if (!ls_run(r, bucket, &a))
		return;
	sbuf_t b = SBUF_INIT;
	/* v1 returns Prefix as given even with encoding-type=url (botocore does not decode it; RGW) */
	ls_xml_open(&b, "ListBucketResult", bucket, &a, enc && v2);
	if (v2) {
		s3xml_elemf(&b, "KeyCount", "%d", a.n);
	} else {
		s3xml_elem_enc(&b, "Marker", marker ? marker : "", enc);
	}
	ls_xml_page(&b, &a, enc);
	if (v2) {
		if (ctok)
			s3xml_elem(&b, "ContinuationToken", ctok);
		if (after)
			s3xml_elem_enc(&b, "StartAfter", after, enc);
		if (a.truncated && a.n)
			s3xml_elem(&b, "NextContinuationToken", a.v[a.n - 1].name);
	} else if (a.truncated && a.n) {
		s3xml_elem_enc(&b, "NextMarker", a.v[a.n - 1].name, enc);
	}
	ls_owner_t lo;
	bool owners = !v2 || http_query_bool(r, "fetch-owner");
	if (owners)
		ls_owner_init(&lo, bucket);
	ls_finish(r, &b, &a, enc, false, "ListBucketResult", owners ? &lo : NULL);
	if (owners)
		free(lo.c);
}

void s3_list_versions(http_req_t *r, const char *bucket)
{
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	bool versioned = bm.bck && s3_ver_state(bm.bck) != S3V_OFF;
	s3_bm_put(&bm);
	if (versioned) {
		s3_ver_list(r, bucket); /* retained versions and delete markers */
		return;
	}
	bool enc;
	ls_args_t a = {0};
	if (!ls_parse(r, &a, &enc))
		return;
	const char *km = http_query_get(r, "key-marker");
	a.token = km ? km : "";
	if (!ls_run(r, bucket, &a))
		return;
	sbuf_t b = SBUF_INIT;
	ls_xml_open(&b, "ListVersionsResult", bucket, &a, enc);
	s3xml_elem_enc(&b, "KeyMarker", a.token, enc);
	s3xml_elem(&b, "VersionIdMarker", "");
	ls_xml_page(&b, &a, enc);
	if (a.truncated && a.n) {
		s3xml_elem_enc(&b, "NextKeyMarker", a.v[a.n - 1].name, enc);
		s3xml_elem(&b, "NextVersionIdMarker", "null");
	}
	ls_owner_t lo;
	ls_owner_init(&lo, bucket);
	ls_finish(r, &b, &a, enc, true, "ListVersionsResult", &lo);
	free(lo.c);
}

static const char *s3_lq_arg(http_req_t *r, const char *name)
{
	const char *v = http_query_get(r, name);
	return v ? v : "";
}

int s3_lq_parse(http_req_t *r, const char *m2, const char *lim, int64_t cap, s3_lq_t *q)
{
	q->prefix = s3_lq_arg(r, "prefix");
	q->delim = s3_lq_arg(r, "delimiter");
	q->km = s3_lq_arg(r, "key-marker");
	q->m2 = s3_lq_arg(r, m2);
	const char *mk = http_query_get(r, lim), *et = http_query_get(r, "encoding-type");
	q->max = cap;
	if (mk && (parse_i64(mk, &q->max) || q->max < 0)) {
		s3_err(r, 400, "InvalidArgument", "Provided %s not an integer or within integer range", lim);
		return AIS_EINVAL;
	}
	if (q->max > cap)
		q->max = cap;
	if (et && *et && strcmp(et, "url")) {
		s3_err(r, 400, "InvalidArgument", "Invalid Encoding Method specified in Request");
		return AIS_EINVAL;
	}
	q->enc = et && !strcmp(et, "url");
	return 0;
}

int s3_lq_fanout(http_req_t *r, const char *bucket, const char *sub, const char *prefix, json_t ***docs, int *ndocs)
{
	smap_t *m = smap_get();
	int n = m ? m->ntargets : 0, rc = 0;
	*docs = NULL;
	*ndocs = 0;
	if (!n) {
		smap_put(m);
		s3_err(r, 503, "ServiceUnavailable", "no targets in the cluster map");
		return AIS_EUNAVAIL;
	}
	hreq_t *q = calloc((size_t)n, sizeof(*q));
	sbuf_t *urls = calloc((size_t)n, sizeof(*urls));
	json_t **d = calloc((size_t)n, sizeof(*d));
	char *bn = url_encode(bucket, false), *pe = url_encode(prefix ? prefix : "", false);
	if (!q || !urls || !d || !bn || !pe) {
		smap_put(m);
		rc = AIS_ENOMEM;
		s3_err(r, 500, "InternalError", "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		urls[i] = (sbuf_t)SBUF_INIT;
		sbuf_addf(&urls[i], "%s/s3/%s?%s&prefix=%s", m->targets[i].pub.url, bn, sub, pe);
		q[i] = (hreq_t){.method = "GET", .url = sbuf_str(&urls[i]), .timeout_ms = 60000};
	}
	smap_put(m);
	hclient_fanout(q, n);
	for (int i = 0; i < n && !rc; i++) {
		if (q[i].rc || q[i].status != 200) {
			if (!q[i].rc && q[i].status == 404) {
				s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
				rc = AIS_ENOTFOUND;
			} else {
				s3_err(r, 503, "ServiceUnavailable", "list %s: target %d: %s", sub, i,
				       q[i].rc ? q[i].errmsg : "error");
				rc = AIS_EUNAVAIL;
			}
			break;
		}
		d[i] = json_loadb(q[i].resp.p ? q[i].resp.p : "", q[i].resp.len, 0, NULL);
	}
out:
	for (int i = 0; q && urls && i < n; i++) {
		hreq_fini(&q[i]);
		sbuf_fini(&urls[i]);
	}
	free(q);
	free(urls);
	free(bn);
	free(pe);
	if (rc) {
		for (int i = 0; d && i < n; i++)
			json_decref(d[i]);
		free(d);
		return rc;
	}
	*docs = d;
	*ndocs = n;
	return 0;
}
