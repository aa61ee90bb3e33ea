/* s3_osub: the object sub-resources at the target - ?acl (GetObjectAcl / PutObjectAcl),
 * ?tagging (Get / Put / DeleteObjectTagging), ?retention and ?legal-hold (object lock), and
 * ?attributes (GetObjectAttributes). Reads come from the object's LOM (and its chunk manifest
 * for ObjectParts); changes are in-place LOM edits (obj/obj_md.h) that re-check access against
 * the object's current owner and ACL under the object's lock, so a concurrent PUT cannot slip in
 * between; retention and legal-hold edits also hold the S3 object lock stripe (s3_olock.h) so
 * a DELETE's lock check and the change are ordered. The object's data, version and
 * Last-Modified are untouched. Handlers run on the pool (bodies buffered, <= 64 KiB). */
#include "s3/s3_tgt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "obj/obj_md.h"
#include "obj/obj_ver.h"
#include "s3/s3_acl.h"
#include "s3/s3_olock.h"
#include "s3/s3_omd.h"
#include "s3/s3_tags.h"
#include "s3/s3_ver.h"
#include "s3/s3xml.h"

#define S3S_MAX_BODY (64u << 10)
#define S3S_MAX_PARTS 1000

static const char *const s3s_subs[] = {"acl", "tagging", "retention", "legal-hold", "attributes", NULL};

typedef struct s3s {
	http_req_t *r;
	s3_req_t *q;
	obj_t o;
	s3_acc_t acc;
	s3_conf_t c;
	s3_fail_t f;
	const json_t *bs3; /* the bucket's ext.s3 (in o.bmd) or NULL */
	obj_t vo;          /* ?versionId of a retained version: its file (borrows o's BMD) */
	const obj_t *t;    /* what is read and edited: &o (the current object) or &vo */
	/* edits */
	json_t *grants;    /* PutObjectAcl: the new grants */
	char *tags;        /* PutObjectTagging: canonical ("" to delete) */
	s3_lock_t want;    /* PutObjectRetention */
	bool hold_on;      /* PutObjectLegalHold */
	int64_t now;
} s3s_t;

bool s3_osub_is(const http_req_t *r)
{
	for (int i = 0; s3s_subs[i]; i++)
		if (http_query_get(r, s3s_subs[i]))
			return true;
	return false;
}

static void s3s_free(s3s_t *s)
{
	json_decref(s->grants);
	free(s->tags);
	obj_fini(&s->o);
	free(s->q);
	free(s);
}

static void s3s_fail(http_req_t *r, const s3_fail_t *f) { s3_err(r, f->status, f->code, "%s", f->msg); }

static void s3s_xml(http_req_t *r, sbuf_t *b)
{
	if (b->oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, b->p, b->len);
	sbuf_fini(b);
}

static void s3s_ok(http_req_t *r, int status)
{
	s3_add_common_hdrs(r);
	http_respond(r, status, NULL, NULL, 0);
}

/* an object-core failure (missing object: 404 or 403 as the access rules say) */
static void s3s_core_err(http_req_t *r, const s3s_t *s, int rc, obj_why_t why)
{
	if (why == OBJ_WHY_NOT_FOUND || rc == AIS_ENOTFOUND)
		s3_access_object(r, &s->acc, 0, NULL, NULL, s->o.bck->name, s->o.oname);
	else if (rc == AIS_ETOOBIG)
		s3_err(r, 400, "MetadataTooLarge", "the object's metadata would exceed %d bytes", LOM_MAX_ENCODED);
	else
		s3_err_code(r, rc, "%s: %s/%s: %s", node_name(), s->o.bck->name, s->o.oname, err_str(rc));
}

/* the object's LOM (and, with manifest, its chunk manifest in *g: caller obj_get_close's it) */
static int s3s_load(s3s_t *s, obj_get_t *g, bool manifest, obj_why_t *why)
{
	int rc = obj_get_open(g, s->t, OBJ_GET_QUIET, why);
	if (!rc && manifest && g->chunked)
		rc = obj_get_prepare(g, why);
	return rc;
}

/* access to an existing object by what s->acc needs: 0 or responded */
static int s3s_access(http_req_t *r, s3s_t *s, const lom_md_t *md)
{
	if (!s->acc.enforce || s->acc.admitted)
		return 0;
	const char *owner = s3_omd_owner(md, s->bs3);
	json_t *g = s3_omd_grants(md, owner);
	int rc = s3_access_object(r, &s->acc, 0, owner, g, s->o.bck->name, s->o.oname);
	json_decref(g);
	return rc;
}

/* the same inside an edit (no response): 0 or AIS_EFORBIDDEN with f set */
static int s3s_access_q(s3s_t *s, const lom_md_t *md)
{
	if (!s->acc.enforce || s->acc.admitted)
		return 0;
	const char *owner = s3_omd_owner(md, s->bs3);
	json_t *g = s3_omd_grants(md, owner);
	int rc = s3_access_object_q(&s->acc, 0, owner, g);
	json_decref(g);
	if (rc)
		s3_fail_set(&s->f, 403, "AccessDenied", "Access Denied");
	return rc;
}

/* an edit under the object's lock; responds on failure: 0 or < 0 */
static int s3s_update(http_req_t *r, s3s_t *s, obj_md_edit_fn fn)
{
	obj_why_t why;
	memset(&s->f, 0, sizeof(s->f));
	int rc = obj_md_update(s->t, fn, s, &why);
	if (!rc)
		return 0;
	if (s->f.status)
		s3s_fail(r, &s->f);
	else
		s3s_core_err(r, s, rc, why);
	return rc;
}

/* ---- ?acl ---- */

static void s3s_acl_get(http_req_t *r, s3s_t *s)
{
	obj_get_t g;
	obj_why_t why;
	int rc = s3s_load(s, &g, false, &why);
	if (rc) {
		s3s_core_err(r, s, rc, why);
		return;
	}
	if (!s3s_access(r, s, &g.md)) {
		const char *owner = s3_omd_owner(&g.md, s->bs3);
		char name[S3_ID_MAX];
		if (!s3_auth_user(&s->c, owner, name, sizeof(name)))
			snprintf(name, sizeof(name), "%s", owner);
		json_t *grants = s3_omd_grants(&g.md, owner);
		sbuf_t b = SBUF_INIT;
		s3_acl_xml(&b, &s->c, owner, name, grants);
		json_decref(grants);
		s3_omd_version_hdr(r, &g.md, s->o.bck);
		s3s_xml(r, &b);
	}
	obj_get_close(&g);
}

/* PutObjectAcl: the grants from the headers or the body, relative to the object's owner */
static int s3s_acl_edit(void *arg, lom_md_t *md)
{
	s3s_t *s = arg;
	http_req_t *r = s->r;
	int rc = s3s_access_q(s, md);
	if (rc)
		return rc;
	const char *owner = s3_omd_owner(md, s->bs3);
	const char *bowner = s->bs3 ? s3_bm_owner(s->bs3) : "";
	json_t *g = NULL;
	if ((rc = s3_acl_from_headers(r, &s->c, owner, bowner, &g, &s->f)))
		return rc;
	if (!g && r->body_len && (rc = s3_acl_from_xml(r->body, r->body_len, &s->c, owner, &g, &s->f)))
		return rc;
	if (!g) {
		s3_fail_set(&s->f, 400, "MissingSecurityHeader", "Your request was missing a required header: x-amz-acl "
			    "or x-amz-grant-*, or an AccessControlPolicy body");
		return AIS_EINVAL;
	}
	if (json_is_true(json_object_get(json_object_get(s->bs3, "pab"), "block_public_acls")) && s3_acl_public(g)) {
		json_decref(g);
		s3_fail_set(&s->f, 403, "AccessDenied", "Access Denied: public ACLs are blocked by the bucket's public "
			    "access block");
		return AIS_EFORBIDDEN;
	}
	char *txt = json_dumps(g, JSON_COMPACT);
	json_decref(g);
	/* (owner may point into md's custom area, which the first set replaces) */
	char *own = strdup(owner);
	rc = txt && own ? lom_md_custom_set(md, S3MD_ACL, txt) : AIS_ENOMEM;
	free(txt);
	if (!rc)
		rc = lom_md_custom_set(md, S3MD_OWNER, own);
	free(own);
	if (rc)
		s3_fail_set(&s->f, 500, "InternalError", "out of memory");
	return rc;
}

static void s3s_acl_put(http_req_t *r, s3s_t *s)
{
	const char *own = json_string_value(json_object_get(s->bs3, "ownership"));
	if (own && !strcmp(own, "BucketOwnerEnforced")) {
		s3_err(r, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
		return;
	}
	if (!s3s_update(r, s, s3s_acl_edit))
		s3s_ok(r, 200);
}

/* ---- ?tagging ---- */

static void s3s_tagging_get(http_req_t *r, s3s_t *s)
{
	obj_get_t g;
	obj_why_t why;
	int rc = s3s_load(s, &g, false, &why);
	if (rc) {
		s3s_core_err(r, s, rc, why);
		return;
	}
	if (!s3s_access(r, s, &g.md)) {
		sbuf_t b = SBUF_INIT;
		s3_tags_xml(&b, lom_md_custom_get(&g.md, S3MD_TAGS));
		s3_omd_version_hdr(r, &g.md, s->o.bck);
		s3s_xml(r, &b);
	}
	obj_get_close(&g);
}

static int s3s_tagging_edit(void *arg, lom_md_t *md)
{
	s3s_t *s = arg;
	int rc = s3s_access_q(s, md);
	if (rc)
		return rc;
	rc = s->tags && s->tags[0] ? lom_md_custom_set(md, S3MD_TAGS, s->tags) : lom_md_custom_del(md, S3MD_TAGS);
	if (rc)
		s3_fail_set(&s->f, 500, "InternalError", "out of memory");
	return rc;
}

static void s3s_tagging_put(http_req_t *r, s3s_t *s, bool del)
{
	if (!del && s3_tags_from_xml(r->body, r->body_len, &s->tags, &s->f)) {
		s3s_fail(r, &s->f);
		return;
	}
	if (!s3s_update(r, s, s3s_tagging_edit))
		s3s_ok(r, del ? 204 : 200);
}

/* ---- ?retention, ?legal-hold ---- */

static bool s3s_lock_on(http_req_t *r, s3s_t *s)
{
	if (s3_lock_enabled(s->bs3))
		return true;
	s3_err(r, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
	return false;
}

static void s3s_lock_get(http_req_t *r, s3s_t *s, bool hold)
{
	obj_get_t g;
	obj_why_t why;
	if (!s3s_lock_on(r, s))
		return;
	int rc = s3s_load(s, &g, false, &why);
	if (rc) {
		s3s_core_err(r, s, rc, why);
		return;
	}
	if (!s3s_access(r, s, &g.md)) {
		s3_lock_t l;
		s3_lock_load(&g.md, &l);
		if (hold ? !l.hold[0] : !l.mode[0]) {
			s3_err(r, 404, "NoSuchObjectLockConfiguration",
			       "The specified object does not have a ObjectLock configuration");
		} else {
			sbuf_t b = SBUF_INIT;
			if (hold)
				s3_lock_hold_xml(&b, &l);
			else
				s3_lock_retention_xml(&b, &l);
			s3s_xml(r, &b);
		}
	}
	obj_get_close(&g);
}

static int s3s_retention_edit(void *arg, lom_md_t *md)
{
	s3s_t *s = arg;
	int rc = s3s_access_q(s, md);
	if (rc)
		return rc;
	s3_lock_t cur;
	s3_lock_load(md, &cur);
	if ((rc = s3_lock_retention_change(&cur, &s->want, s->now, s3_lock_bypass(s->r), &s->f)))
		return rc;
	snprintf(cur.mode, sizeof(cur.mode), "%s", s->want.mode);
	cur.until = s->want.until;
	if ((rc = s3_lock_store(md, &cur)))
		s3_fail_set(&s->f, 500, "InternalError", "out of memory");
	return rc;
}

static int s3s_hold_edit(void *arg, lom_md_t *md)
{
	s3s_t *s = arg;
	int rc = s3s_access_q(s, md);
	if (rc)
		return rc;
	s3_lock_t cur;
	s3_lock_load(md, &cur);
	snprintf(cur.hold, sizeof(cur.hold), "%s", s->hold_on ? "ON" : "OFF");
	if ((rc = s3_lock_store(md, &cur)))
		s3_fail_set(&s->f, 500, "InternalError", "out of memory");
	return rc;
}

static void s3s_lock_put(http_req_t *r, s3s_t *s, bool hold)
{
	if (!s3s_lock_on(r, s))
		return;
	s->now = now_ns();
	int rc = hold ? s3_lock_hold_xml_parse(r->body, r->body_len, &s->hold_on, &s->f)
		      : s3_lock_retention_xml_parse(r->body, r->body_len, s->now, &s->want, &s->f);
	if (rc) {
		s3s_fail(r, &s->f);
		return;
	}
	s3_olock(s->o.digest);
	rc = s3s_update(r, s, hold ? s3s_hold_edit : s3s_retention_edit);
	s3_ounlock(s->o.digest);
	if (!rc)
		s3s_ok(r, 200);
}

/* ---- ?attributes ---- */

enum { A_ETAG = 1, A_CKSUM = 2, A_PARTS = 4, A_CLASS = 8, A_SIZE = 16 };

/* x-amz-object-attributes: 0 with *mask, or responded */
static int s3s_attr_mask(http_req_t *r, unsigned *mask)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"ETag", A_ETAG}, {"Checksum", A_CKSUM}, {"ObjectParts", A_PARTS}, {"StorageClass", A_CLASS},
		     {"ObjectSize", A_SIZE}};
	const char *h = http_hdr_get(r, "x-amz-object-attributes");
	*mask = 0;
	for (const char *p = h ? h : ""; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t tl = n;
		while (tl && p[tl - 1] == ' ')
			tl--;
		if (!tl)
			break;
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == tl && !strncmp(names[i].name, p, tl))
				bit = names[i].bit;
		if (!bit) {
			s3_err(r, 400, "InvalidArgument", "Invalid attribute name specified: %.*s", (int)(tl > 64 ? 64 : tl), p);
			return AIS_EINVAL;
		}
		*mask |= bit;
		p += n;
	}
	if (!*mask) {
		s3_err(r, 400, "InvalidArgument", "x-amz-object-attributes header specifying the attributes to be "
		       "retrieved is either missing or empty");
		return AIS_EINVAL;
	}
	return 0;
}

/* an integer header (absent: dflt); false when it has responded 400 */
static bool s3s_int_hdr(http_req_t *r, const char *name, int64_t dflt, int64_t *out)
{
	const char *v = http_hdr_get(r, name);
	*out = dflt;
	if (!v)
		return true;
	if (parse_i64(v, out) || *out < 0) {
		s3_err(r, 400, "InvalidArgument", "%s must be a non-negative integer", name);
		return false;
	}
	return true;
}

static void s3s_attr_parts(sbuf_t *b, const ufest_t *u, int64_t marker, int64_t maxp)
{
	s3xml_open(b, "ObjectParts");
	s3xml_elemf(b, "PartsCount", "%d", u->count);
	s3xml_elemf(b, "PartNumberMarker", "%lld", (long long)marker);
	int n = 0, last = 0;
	bool trunc = false;
	sbuf_t pb = SBUF_INIT;
	for (int i = 0; i < u->count; i++) {
		const ufest_chunk_t *c = &u->chunks[i];
		if (c->num <= marker)
			continue;
		if (n == maxp) {
			trunc = true;
			break;
		}
		s3xml_open(&pb, "Part");
		s3xml_elemf(&pb, "PartNumber", "%d", c->num);
		s3xml_elemf(&pb, "Size", "%lld", (long long)c->size);
		if (c->xck_type[0]) {
			char tag[40];
			snprintf(tag, sizeof(tag), "Checksum%s", c->xck_type);
			s3xml_elem(&pb, tag, c->xck_val);
		}
		s3xml_close(&pb, "Part");
		last = c->num;
		n++;
	}
	if (last)
		s3xml_elemf(b, "NextPartNumberMarker", "%d", last);
	s3xml_elemf(b, "MaxParts", "%lld", (long long)maxp);
	s3xml_elem(b, "IsTruncated", trunc ? "true" : "false");
	if (pb.len)
		sbuf_add(b, pb.p, pb.len);
	if (pb.oom)
		b->oom = true;
	sbuf_fini(&pb);
	s3xml_close(b, "ObjectParts");
}

static void s3s_attributes(http_req_t *r, s3s_t *s)
{
	unsigned mask;
	int64_t maxp, marker;
	if (s3s_attr_mask(r, &mask) || !s3s_int_hdr(r, "x-amz-max-parts", S3S_MAX_PARTS, &maxp) ||
	    !s3s_int_hdr(r, "x-amz-part-number-marker", 0, &marker))
		return;
	if (maxp > S3S_MAX_PARTS)
		maxp = S3S_MAX_PARTS;
	obj_get_t g;
	obj_why_t why;
	int rc = s3s_load(s, &g, (mask & A_PARTS) != 0, &why);
	if (rc) {
		s3s_core_err(r, s, rc, why);
		obj_get_close(&g);
		return;
	}
	if (s3s_access(r, s, &g.md)) {
		obj_get_close(&g);
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "GetObjectAttributesResponse");
	if (mask & A_ETAG) {
		const char *e = lom_md_custom_get(&g.md, S3MD_ETAG);
		if (e) {
			size_t el = strlen(e);
			bool q = el >= 2 && e[0] == '"' && e[el - 1] == '"';
			s3xml_elemf(&b, "ETag", "%.*s", (int)(q ? el - 2 : el), q ? e + 1 : e);
		} else {
			s3xml_elem(&b, "ETag", g.md.ckval);
		}
	}
	if (mask & A_CKSUM) {
		size_t pos = 0;
		const char *k, *v;
		while (lom_md_custom_next(&g.md, &pos, &k, &v)) {
			if (strncmp(k, S3MD_CKSUM_PREFIX, strlen(S3MD_CKSUM_PREFIX)))
				continue;
			s3ck_type_t t = s3ck_type_from_name(k);
			if (t == S3CK_NONE || t == S3CK_MD5)
				continue;
			char tag[40];
			snprintf(tag, sizeof(tag), "Checksum%s", s3ck_algo_name(t));
			s3xml_open(&b, "Checksum");
			s3xml_elem(&b, tag, v);
			s3xml_elem(&b, "ChecksumType", strchr(v, '-') ? "COMPOSITE" : "FULL_OBJECT");
			s3xml_close(&b, "Checksum");
			break;
		}
	}
	if ((mask & A_PARTS) && g.chunked)
		s3s_attr_parts(&b, &g.u, marker, maxp);
	if (mask & A_CLASS)
		s3xml_elem(&b, "StorageClass", "STANDARD");
	if (mask & A_SIZE)
		s3xml_elemf(&b, "ObjectSize", "%lld", (long long)g.size);
	s3xml_close(&b, "GetObjectAttributesResponse");
	char lm[64];
	fmt_http_date(g.md.atime, lm, sizeof(lm));
	http_hdr_add(r, "Last-Modified", lm);
	s3_omd_version_hdr(r, &g.md, s->o.bck);
	obj_get_close(&g);
	s3s_xml(r, &b);
}

/* ---- dispatch ---- */

/* ?versionId: s->t = the current object or the retained version; 0 or responded (400 for a
 * malformed id, 404 NoSuchVersion, 405 for a delete marker) */
static int s3s_version(http_req_t *r, s3s_t *s)
{
	const char *vid = http_query_get(r, "versionId");
	bool use_vo = false;
	s->t = &s->o;
	int rc = vid ? s3_ver_resolve(r, &s->o, s3_ver_state(s->o.bck), vid, &s->vo, &use_vo) : 0;
	if (use_vo)
		s->t = &s->vo;
	return rc;
}

static void s3s_cb(http_req_t *r)
{
	s3s_t *s = r->user;
	r->user = NULL;
	s->r = r;
	s3_conf_get(&s->c);
	if (s3s_version(r, s)) {
		s3s_free(s);
		return;
	}
	bool get = r->method == HTTP_M_GET, head = r->method == HTTP_M_HEAD, put = r->method == HTTP_M_PUT,
	     del = r->method == HTTP_M_DELETE;
	if (http_query_get(r, "acl") && (get || put)) {
		if (get)
			s3s_acl_get(r, s);
		else
			s3s_acl_put(r, s);
	} else if (http_query_get(r, "tagging") && (get || put || del)) {
		if (get)
			s3s_tagging_get(r, s);
		else
			s3s_tagging_put(r, s, del);
	} else if (http_query_get(r, "retention") && (get || put)) {
		if (get)
			s3s_lock_get(r, s, false);
		else
			s3s_lock_put(r, s, false);
	} else if (http_query_get(r, "legal-hold") && (get || put)) {
		if (get)
			s3s_lock_get(r, s, true);
		else
			s3s_lock_put(r, s, true);
	} else if (http_query_get(r, "attributes") && (get || head)) {
		s3s_attributes(r, s);
	} else {
		s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
	}
	s3s_free(s);
}

void s3_osub_handle(http_req_t *r, s3_req_t *q, obj_t *o, const s3_acc_t *acc)
{
	s3s_t *s = calloc(1, sizeof(*s));
	if (!s) {
		obj_fini(o);
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	s->q = q;
	s->acc = *acc;
	obj_move(&s->o, o);
	const json_t *bs3 = json_object_get(s->o.bck->ext, "s3");
	s->bs3 = json_is_object(bs3) ? bs3 : NULL;
	r->user = s;
	if (r->method == HTTP_M_PUT)
		http_read_body(r, S3S_MAX_BODY, s3s_cb, true);
	else
		http_defer(r, s3s_cb);
}
