/* s3_bsub: bucket sub-resources, CreateBucket's S3 metadata and CORS preflight (see
 * s3_bsub.h). Reads come from the local BMD; every change is one s3_bm_update() on the primary
 * (validation against the current state happens inside it, under metasync_lock, so concurrent
 * requests serialize); a non-primary proxy relays changes to the primary. Absent
 * configurations answer S3's 404 codes (NoSuchCORSConfiguration, NoSuchTagSet, ...). */
#include "s3/s3_bsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "s3/s3_acl.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_cors.h"
#include "s3/s3_policy.h"
#include "s3/s3xml.h"

#define S3B_MAX_TAGS 50
#define S3B_LOCK_MAX_DAYS 36500
#define S3B_LOCK_MAX_YEARS 100

static bool has_q(const http_req_t *r, const char *k) { return http_query_get(r, k) != NULL; }

static const char *const s3b_subs[] = {"acl", "versioning", "cors", "tagging", "publicAccessBlock",
				       "ownershipControls", "object-lock", "policyStatus", "location", "policy", NULL};

bool s3_bsub_is(const http_req_t *r)
{
	for (int i = 0; s3b_subs[i]; i++)
		if (has_q(r, s3b_subs[i]))
			return true;
	return false;
}

static void s3b_fail(http_req_t *r, const s3_fail_t *f) { s3_err(r, f->status, f->code, "%s", f->msg); }

static void s3b_ok(http_req_t *r, int status)
{
	s3_add_common_hdrs(r);
	http_respond(r, status, NULL, NULL, 0);
}

static void s3b_xml(http_req_t *r, sbuf_t *b)
{
	if (b->oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, b->p, b->len);
	sbuf_fini(b);
}

static void s3b_malformed(s3_fail_t *f, const char *why)
{
	s3_fail_set(f, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against "
		    "our published schema%s%s", why ? ": " : "", why ? why : "");
}

/* parse the body as a document with root `root`; NULL with f set */
static s3xml_node_t *s3b_doc(const http_req_t *r, const char *root, s3_fail_t *f)
{
	char err[256];
	s3xml_node_t *doc = NULL;
	if (!r->body_len) {
		s3b_malformed(f, "empty request body");
		return NULL;
	}
	if (s3xml_dom_parse(r->body, r->body_len, root, &doc, err, sizeof(err)))
		s3b_malformed(f, err);
	return doc;
}

/* a change must be made by the primary: false when the request was relayed (responded) */
static bool s3b_on_primary(http_req_t *r)
{
	if (node_is_primary())
		return true;
	s3_bm_relay(r);
	return false;
}

/* the effective owner: the bucket's, or (a bucket without S3 owner) the requester */
static void s3b_owner(const json_t *s3, const s3_ident_t *id, const char **oid, const char **oname)
{
	*oid = s3_bm_owner(s3);
	*oname = s3_bm_owner_name(s3);
	if (!**oid) {
		*oid = id->anon ? S3_DEFAULT_ID : id->id;
		*oname = id->anon ? S3_DEFAULT_NAME : id->name;
	}
}

/* grants that give only the owner FULL_CONTROL (what BucketOwnerEnforced allows) */
static bool s3b_acl_private(const json_t *acl, const char *owner)
{
	if (!acl)
		return true;
	size_t i;
	json_t *g;
	json_array_foreach(acl, i, g) {
		const char *gid = json_string_value(json_object_get(g, "id"));
		const char *perm = json_string_value(json_object_get(g, "perm"));
		if (!gid || strcmp(gid, owner) || !perm || strcmp(perm, "FULL_CONTROL"))
			return false;
	}
	return true;
}

static const char *s3b_ownership(const json_t *s3)
{
	const char *o = json_string_value(json_object_get(s3, "ownership"));
	return o ? o : "";
}

static bool s3b_lock_on(const json_t *s3)
{
	return json_is_true(json_object_get(json_object_get(s3, "lock"), "enabled"));
}

/* ---- edits (run on the primary under metasync_lock; see s3_bm_update) ---- */

typedef struct s3b_edit {
	const char *key;      /* ext.s3 member to set (val) or delete (val NULL) */
	json_t *val;
	const s3_ident_t *id; /* the requester */
	const s3_conf_t *c;
} s3b_edit_t;

static int s3b_set_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	(void)m, (void)b, (void)f;
	s3b_edit_t *e = arg;
	if (!e->val)
		return json_object_del(s3, e->key) ? S3_BM_NOCHANGE : 0;
	json_object_set(s3, e->key, e->val);
	return 0;
}

static int s3b_acl_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	(void)m, (void)b;
	s3b_edit_t *e = arg;
	const char *owner = s3_bm_owner(s3);
	if (!strcmp(s3b_ownership(s3), "BucketOwnerEnforced")) {
		s3_fail_set(f, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
		return AIS_EINVAL;
	}
	if (json_is_true(json_object_get(json_object_get(s3, "pab"), "block_public_acls")) && s3_acl_public(e->val)) {
		s3_fail_set(f, 403, "AccessDenied", "Access Denied: public ACLs are blocked by the bucket's public access block");
		return AIS_EFORBIDDEN;
	}
	if (!*owner) /* a bucket created through the native API gets its S3 owner here */
		json_object_set_new(s3, "owner", json_pack("{s:s, s:s}", "id", e->id->id, "name", e->id->name));
	json_object_set(s3, "acl", e->val);
	return 0;
}

static int s3b_versioning_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	s3b_edit_t *e = arg;
	bool on = json_is_true(e->val);
	if (!on && s3b_lock_on(s3)) {
		s3_fail_set(f, 409, "InvalidBucketState", "An Object Lock configuration is present on this bucket, so "
			    "the versioning state cannot be changed.");
		return AIS_EINVAL;
	}
	char err[256] = "";
	json_t *patch = json_pack("{s:{s:b}}", "versioning", "enabled", on);
	int rc = patch ? bmd_set_props(m, b->provider, b->ns, b->name, patch, err, sizeof(err)) : AIS_ENOMEM;
	json_decref(patch);
	if (rc) {
		s3_fail_set(f, 500, "InternalError", "failed to set versioning: %s", err);
		return rc;
	}
	json_object_set_new(s3, "versioning", json_true());
	return 0;
}

static int s3b_ownership_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	(void)m, (void)b;
	s3b_edit_t *e = arg;
	if (!strcmp(json_string_value(e->val), "BucketOwnerEnforced") &&
	    !s3b_acl_private(json_object_get(s3, "acl"), s3_bm_owner(s3))) {
		s3_fail_set(f, 400, "InvalidBucketAclWithObjectOwnership",
			    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
		return AIS_EINVAL;
	}
	json_object_set(s3, "ownership", e->val);
	return 0;
}

static int s3b_lock_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	(void)m;
	s3b_edit_t *e = arg;
	if (!s3b_lock_on(s3) && !(json_is_true(json_object_get(s3, "versioning")) && b->versioning)) {
		s3_fail_set(f, 409, "InvalidBucketState",
			    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
		return AIS_EINVAL;
	}
	json_object_set(s3, "lock", e->val);
	return 0;
}

static void s3b_update(http_req_t *r, const char *bucket, s3_bm_edit_fn fn, s3b_edit_t *e, int ok_status)
{
	s3_fail_t f = {0};
	if (!s3b_on_primary(r))
		return;
	if (s3_bm_update(bucket, fn, e, &f))
		s3b_fail(r, &f);
	else
		s3b_ok(r, ok_status);
}

/* ---- ?acl ---- */

static void s3b_acl_get(http_req_t *r, const s3_bm_t *bm, const s3_conf_t *c, const s3_ident_t *id)
{
	const char *oid, *oname;
	s3b_owner(bm->s3, id, &oid, &oname);
	const json_t *acl = json_object_get(bm->s3, "acl");
	json_t *def = NULL;
	s3_fail_t f;
	if (!acl && !s3_acl_canned("private", oid, NULL, &def, &f))
		acl = def;
	sbuf_t b = SBUF_INIT;
	s3_acl_xml(&b, c, oid, oname, acl);
	json_decref(def);
	s3b_xml(r, &b);
}

static void s3b_acl_put(http_req_t *r, const char *bucket, const s3_bm_t *bm, const s3_conf_t *c,
			const s3_ident_t *id)
{
	s3_fail_t f = {0};
	json_t *g = NULL;
	const char *oid, *oname;
	s3b_owner(bm->s3, id, &oid, &oname);
	int rc = s3_acl_from_headers(r, c, oid, NULL, &g, &f);
	if (!rc && g && r->body_len) {
		json_decref(g);
		s3_err(r, 400, "UnexpectedContent", "This request does not support content with ACL headers");
		return;
	}
	if (!rc && !g) {
		if (!r->body_len) {
			s3_err(r, 400, "MissingSecurityHeader", "Your request was missing a required header: x-amz-acl "
			       "(or an AccessControlPolicy body)");
			return;
		}
		rc = s3_acl_from_xml(r->body, r->body_len, c, oid, &g, &f);
	}
	if (rc) {
		s3b_fail(r, &f);
		return;
	}
	s3b_edit_t e = {.val = g, .id = id, .c = c};
	s3b_update(r, bucket, s3b_acl_cb, &e, 200);
	json_decref(g);
}

/* ---- ?versioning ---- */

static void s3b_versioning_get(http_req_t *r, const s3_bm_t *bm)
{
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "VersioningConfiguration");
	if (json_is_true(json_object_get(bm->s3, "versioning")))
		s3xml_elem(&b, "Status", bm->bck->versioning ? "Enabled" : "Suspended");
	s3xml_close(&b, "VersioningConfiguration");
	s3b_xml(r, &b);
}

static void s3b_versioning_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	char st[32], mfa[32];
	s3xml_node_t *doc = s3b_doc(r, "VersioningConfiguration", &f);
	if (!doc)
		goto fail;
	if (!s3xml_child_text(doc, "Status", st, sizeof(st)) || (strcmp(st, "Enabled") && strcmp(st, "Suspended"))) {
		s3b_malformed(&f, "Status must be Enabled or Suspended");
		goto fail;
	}
	if (s3xml_child_text(doc, "MfaDelete", mfa, sizeof(mfa)) && strcmp(mfa, "Disabled")) {
		if (strcmp(mfa, "Enabled"))
			s3b_malformed(&f, "MfaDelete must be Enabled or Disabled");
		else
			s3_fail_set(&f, 501, "NotImplemented", "MFA delete is not supported");
		goto fail;
	}
	s3xml_dom_free(doc);
	s3b_edit_t e = {.val = !strcmp(st, "Enabled") ? json_true() : json_false()};
	s3b_update(r, bucket, s3b_versioning_cb, &e, 200);
	return;
fail:
	s3xml_dom_free(doc);
	s3b_fail(r, &f);
}

/* ---- ?cors ---- */

static void s3b_cors_get(http_req_t *r, const s3_bm_t *bm)
{
	const json_t *rules = json_object_get(bm->s3, "cors");
	if (!json_array_size(rules)) {
		s3_err(r, 404, "NoSuchCORSConfiguration", "The CORS configuration does not exist");
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3_cors_xml(&b, rules);
	s3b_xml(r, &b);
}

static void s3b_cors_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	json_t *rules = NULL;
	if (s3_cors_from_xml(r->body, r->body_len, &rules, &f)) {
		s3b_fail(r, &f);
		return;
	}
	s3b_edit_t e = {.key = "cors", .val = rules};
	s3b_update(r, bucket, s3b_set_cb, &e, 200);
	json_decref(rules);
}

/* ---- ?tagging ---- */

static void s3b_tagging_get(http_req_t *r, const s3_bm_t *bm)
{
	const json_t *tags = json_object_get(bm->s3, "tags");
	if (!json_array_size(tags)) {
		s3_err(r, 404, "NoSuchTagSet", "The TagSet does not exist");
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "Tagging");
	s3xml_open(&b, "TagSet");
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t) {
		s3xml_open(&b, "Tag");
		s3xml_elem(&b, "Key", json_string_value(json_object_get(t, "k")));
		s3xml_elem(&b, "Value", json_string_value(json_object_get(t, "v")));
		s3xml_close(&b, "Tag");
	}
	s3xml_close(&b, "TagSet");
	s3xml_close(&b, "Tagging");
	s3b_xml(r, &b);
}

static void s3b_tagging_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	json_t *tags = json_array();
	s3xml_node_t *doc = s3b_doc(r, "Tagging", &f);
	const s3xml_node_t *set = doc ? s3xml_child(doc, "TagSet") : NULL;
	if (!doc || !tags)
		goto fail;
	if (!set) {
		s3b_malformed(&f, "missing TagSet");
		goto fail;
	}
	if (s3xml_nchild(set, "Tag") > S3B_MAX_TAGS) {
		s3_fail_set(&f, 400, "InvalidTag", "Object tags cannot be greater than %d", S3B_MAX_TAGS);
		goto fail;
	}
	for (const s3xml_node_t *t = s3xml_child(set, "Tag"); t; t = s3xml_next(t)) {
		const s3xml_node_t *k = s3xml_child(t, "Key"), *v = s3xml_child(t, "Value");
		if (!k || !v) {
			s3b_malformed(&f, "a Tag needs a Key and a Value");
			goto fail;
		}
		if (!k->text[0] || strlen(k->text) > 128 || strlen(v->text) > 256) {
			s3_fail_set(&f, 400, "InvalidTag", "The TagKey (1 to 128 characters) or TagValue (up to 256) you "
				    "have provided is invalid");
			goto fail;
		}
		if (!strncmp(k->text, "aws:", 4)) {
			s3_fail_set(&f, 400, "InvalidTag", "System tags (aws:) cannot be set");
			goto fail;
		}
		size_t i;
		json_t *x;
		json_array_foreach(tags, i, x)
			if (!strcmp(json_string_value(json_object_get(x, "k")), k->text)) {
				s3_fail_set(&f, 400, "InvalidTag", "Cannot provide multiple Tags with the same key");
				goto fail;
			}
		json_array_append_new(tags, json_pack("{s:s, s:s}", "k", k->text, "v", v->text));
	}
	s3xml_dom_free(doc);
	s3b_edit_t e = {.key = "tags", .val = tags};
	s3b_update(r, bucket, s3b_set_cb, &e, 200);
	json_decref(tags);
	return;
fail:
	if (!f.status)
		s3_fail_set(&f, 500, "InternalError", "out of memory");
	s3xml_dom_free(doc);
	json_decref(tags);
	s3b_fail(r, &f);
}

/* ---- ?publicAccessBlock ---- */

static const char *const s3b_pab_xml[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
					  "RestrictPublicBuckets"};
static const char *const s3b_pab_json[] = {"block_public_acls", "ignore_public_acls", "block_public_policy",
					   "restrict_public_buckets"};

static void s3b_pab_get(http_req_t *r, const s3_bm_t *bm)
{
	const json_t *pab = json_object_get(bm->s3, "pab");
	if (!pab) {
		s3_err(r, 404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found");
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "PublicAccessBlockConfiguration");
	for (int i = 0; i < 4; i++)
		s3xml_elem(&b, s3b_pab_xml[i], json_is_true(json_object_get(pab, s3b_pab_json[i])) ? "true" : "false");
	s3xml_close(&b, "PublicAccessBlockConfiguration");
	s3b_xml(r, &b);
}

static void s3b_pab_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	char v[16];
	json_t *pab = json_object();
	s3xml_node_t *doc = s3b_doc(r, "PublicAccessBlockConfiguration", &f);
	if (!doc || !pab)
		goto fail;
	for (int i = 0; i < 4; i++) {
		bool on = false;
		if (s3xml_child(doc, s3b_pab_xml[i])) {
			if (!s3xml_child_text(doc, s3b_pab_xml[i], v, sizeof(v)) ||
			    (strcasecmp(v, "true") && strcasecmp(v, "false"))) {
				s3b_malformed(&f, "the settings must be true or false");
				goto fail;
			}
			on = !strcasecmp(v, "true");
		}
		json_object_set_new(pab, s3b_pab_json[i], json_boolean(on));
	}
	s3xml_dom_free(doc);
	s3b_edit_t e = {.key = "pab", .val = pab};
	s3b_update(r, bucket, s3b_set_cb, &e, 200);
	json_decref(pab);
	return;
fail:
	if (!f.status)
		s3_fail_set(&f, 500, "InternalError", "out of memory");
	s3xml_dom_free(doc);
	json_decref(pab);
	s3b_fail(r, &f);
}

/* ---- ?ownershipControls ---- */

static bool s3b_ownership_ok(const char *o)
{
	return o && (!strcmp(o, "BucketOwnerEnforced") || !strcmp(o, "BucketOwnerPreferred") || !strcmp(o, "ObjectWriter"));
}

static void s3b_ownership_get(http_req_t *r, const s3_bm_t *bm)
{
	const char *o = s3b_ownership(bm->s3);
	if (!*o) {
		s3_err(r, 404, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found");
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "OwnershipControls");
	s3xml_open(&b, "Rule");
	s3xml_elem(&b, "ObjectOwnership", o);
	s3xml_close(&b, "Rule");
	s3xml_close(&b, "OwnershipControls");
	s3b_xml(r, &b);
}

static void s3b_ownership_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	char o[64];
	s3xml_node_t *doc = s3b_doc(r, "OwnershipControls", &f);
	if (!doc) {
		s3b_fail(r, &f);
		return;
	}
	const s3xml_node_t *rule = s3xml_child(doc, "Rule");
	bool ok = s3xml_nchild(doc, "Rule") == 1 && s3xml_child_text(rule, "ObjectOwnership", o, sizeof(o)) &&
		  s3b_ownership_ok(o);
	s3xml_dom_free(doc);
	if (!ok) {
		s3b_malformed(&f, "one Rule with ObjectOwnership BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter");
		s3b_fail(r, &f);
		return;
	}
	json_t *v = json_string(o);
	s3b_edit_t e = {.val = v};
	s3b_update(r, bucket, s3b_ownership_cb, &e, 200);
	json_decref(v);
}

/* ---- ?object-lock ---- */

static void s3b_lock_get(http_req_t *r, const s3_bm_t *bm)
{
	const json_t *lock = json_object_get(bm->s3, "lock");
	if (!s3b_lock_on(bm->s3)) {
		s3_err(r, 404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for "
		       "this bucket");
		return;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ObjectLockConfiguration");
	s3xml_elem(&b, "ObjectLockEnabled", "Enabled");
	const char *mode = json_string_value(json_object_get(lock, "mode"));
	if (mode) {
		s3xml_open(&b, "Rule");
		s3xml_open(&b, "DefaultRetention");
		s3xml_elem(&b, "Mode", mode);
		json_t *d = json_object_get(lock, "days"), *y = json_object_get(lock, "years");
		if (json_is_integer(d))
			s3xml_elemf(&b, "Days", "%lld", (long long)json_integer_value(d));
		if (json_is_integer(y))
			s3xml_elemf(&b, "Years", "%lld", (long long)json_integer_value(y));
		s3xml_close(&b, "DefaultRetention");
		s3xml_close(&b, "Rule");
	}
	s3xml_close(&b, "ObjectLockConfiguration");
	s3b_xml(r, &b);
}

/* "N" -> N when a decimal integer (sign allowed); false otherwise */
static bool s3b_int(const char *s, long long *v)
{
	char *end = NULL;
	if (!*s)
		return false;
	*v = strtoll(s, &end, 10);
	return end && !*end;
}

static void s3b_lock_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	char en[32], mode[32], num[32];
	json_t *lock = NULL;
	s3xml_node_t *doc = s3b_doc(r, "ObjectLockConfiguration", &f);
	if (!doc)
		goto fail;
	if (!s3xml_child_text(doc, "ObjectLockEnabled", en, sizeof(en)) || strcmp(en, "Enabled")) {
		s3b_malformed(&f, "ObjectLockEnabled must be Enabled");
		goto fail;
	}
	lock = json_pack("{s:b}", "enabled", 1);
	const s3xml_node_t *rule = s3xml_child(doc, "Rule");
	if (rule) {
		const s3xml_node_t *dr = s3xml_child(rule, "DefaultRetention");
		bool has_d = s3xml_child(dr, "Days") != NULL, has_y = s3xml_child(dr, "Years") != NULL;
		if (!dr || !s3xml_child_text(dr, "Mode", mode, sizeof(mode)) ||
		    (strcmp(mode, "GOVERNANCE") && strcmp(mode, "COMPLIANCE")) || has_d == has_y) {
			s3b_malformed(&f, "DefaultRetention needs Mode GOVERNANCE or COMPLIANCE and either Days or Years");
			goto fail;
		}
		long long v;
		if (!s3xml_child_text(dr, has_d ? "Days" : "Years", num, sizeof(num)) || !s3b_int(num, &v)) {
			s3b_malformed(&f, "Days and Years are integers");
			goto fail;
		}
		if (v <= 0 || v > (has_d ? S3B_LOCK_MAX_DAYS : S3B_LOCK_MAX_YEARS)) {
			s3_fail_set(&f, 400, "InvalidRetentionPeriod", "the retention period must be a positive number of "
				    "days (up to %d) or years (up to %d)", S3B_LOCK_MAX_DAYS, S3B_LOCK_MAX_YEARS);
			goto fail;
		}
		json_object_set_new(lock, "mode", json_string(mode));
		json_object_set_new(lock, has_d ? "days" : "years", json_integer(v));
	}
	s3xml_dom_free(doc);
	s3b_edit_t e = {.val = lock};
	s3b_update(r, bucket, s3b_lock_cb, &e, 200);
	json_decref(lock);
	return;
fail:
	s3xml_dom_free(doc);
	json_decref(lock);
	s3b_fail(r, &f);
}

/* ---- ?policy ---- */

static int s3b_policy_cb(bmd_t *m, const bck_t *b, json_t *s3, void *arg, s3_fail_t *f)
{
	(void)m, (void)b;
	s3b_edit_t *e = arg;
	if (json_is_true(json_object_get(json_object_get(s3, "pab"), "block_public_policy")) &&
	    s3_policy_is_public(e->val)) {
		s3_fail_set(f, 403, "AccessDenied", "Access Denied: public policies are blocked by the bucket's public "
			    "access block");
		return AIS_EFORBIDDEN;
	}
	json_object_set(s3, "policy", e->val);
	return 0;
}

static void s3b_policy_get(http_req_t *r, const s3_bm_t *bm)
{
	const json_t *pol = json_object_get(bm->s3, "policy");
	if (!pol) {
		s3_err(r, 404, "NoSuchBucketPolicy", "The bucket policy does not exist");
		return;
	}
	char *s = json_dumps(pol, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s) {
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	s3_add_common_hdrs(r);
	http_respond(r, 200, "application/json", s, strlen(s));
	free(s);
}

static void s3b_policy_put(http_req_t *r, const char *bucket)
{
	s3_fail_t f = {0};
	json_t *pol = NULL;
	if (s3_policy_parse(r->body, r->body_len, bucket, &pol, &f)) {
		s3b_fail(r, &f);
		return;
	}
	s3b_edit_t e = {.val = pol};
	s3b_update(r, bucket, s3b_policy_cb, &e, 204);
	json_decref(pol);
}

/* ---- ?policyStatus, ?location ---- */

static void s3b_policy_status(http_req_t *r, const s3_bm_t *bm)
{
	bool ignore = json_is_true(json_object_get(json_object_get(bm->s3, "pab"), "ignore_public_acls"));
	const json_t *pol = json_object_get(bm->s3, "policy");
	bool pub = (!ignore && s3_acl_public(json_object_get(bm->s3, "acl"))) || (pol && s3_policy_is_public(pol));
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "PolicyStatus");
	s3xml_elem(&b, "IsPublic", pub ? "true" : "false");
	s3xml_close(&b, "PolicyStatus");
	s3b_xml(r, &b);
}

static void s3b_location(http_req_t *r, const s3_bm_t *bm, const s3_conf_t *c)
{
	const char *loc = json_string_value(json_object_get(bm->s3, "location"));
	if (!loc)
		loc = strcmp(c->region, "us-east-1") ? c->region : "";
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	sbuf_addf(&b, "<LocationConstraint xmlns=\"%s\">", S3_NS);
	s3xml_escape(&b, loc);
	sbuf_adds(&b, "</LocationConstraint>");
	s3b_xml(r, &b);
}

/* ---- dispatch ---- */

static void s3b_delete(http_req_t *r, const char *bucket, const char *key)
{
	s3b_edit_t e = {.key = key};
	s3b_update(r, bucket, s3b_set_cb, &e, 204);
}

void s3_bsub_handle(http_req_t *r, const char *bucket, const s3_conf_t *c, const s3_ident_t *id)
{
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	if (!bm.bck) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
		goto out;
	}
	bool get = r->method == HTTP_M_GET, put = r->method == HTTP_M_PUT, del = r->method == HTTP_M_DELETE;
	if (has_q(r, "acl") && (get || put)) {
		if (get)
			s3b_acl_get(r, &bm, c, id);
		else
			s3b_acl_put(r, bucket, &bm, c, id);
	} else if (has_q(r, "versioning") && (get || put)) {
		if (get)
			s3b_versioning_get(r, &bm);
		else
			s3b_versioning_put(r, bucket);
	} else if (has_q(r, "cors")) {
		if (get)
			s3b_cors_get(r, &bm);
		else if (put)
			s3b_cors_put(r, bucket);
		else if (del)
			s3b_delete(r, bucket, "cors");
		else
			goto bad_method;
	} else if (has_q(r, "tagging")) {
		if (get)
			s3b_tagging_get(r, &bm);
		else if (put)
			s3b_tagging_put(r, bucket);
		else if (del)
			s3b_delete(r, bucket, "tags");
		else
			goto bad_method;
	} else if (has_q(r, "publicAccessBlock")) {
		if (get)
			s3b_pab_get(r, &bm);
		else if (put)
			s3b_pab_put(r, bucket);
		else if (del)
			s3b_delete(r, bucket, "pab");
		else
			goto bad_method;
	} else if (has_q(r, "ownershipControls")) {
		if (get)
			s3b_ownership_get(r, &bm);
		else if (put)
			s3b_ownership_put(r, bucket);
		else if (del)
			s3b_delete(r, bucket, "ownership");
		else
			goto bad_method;
	} else if (has_q(r, "object-lock") && (get || put)) {
		if (get)
			s3b_lock_get(r, &bm);
		else
			s3b_lock_put(r, bucket);
	} else if (has_q(r, "policy")) {
		if (get)
			s3b_policy_get(r, &bm);
		else if (put)
			s3b_policy_put(r, bucket);
		else if (del)
			s3b_delete(r, bucket, "policy");
		else
			goto bad_method;
	} else if (has_q(r, "policyStatus") && get) {
		s3b_policy_status(r, &bm);
	} else if (has_q(r, "location") && get) {
		s3b_location(r, &bm, c);
	} else {
		goto bad_method;
	}
	goto out;
bad_method:
	s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
out:
	s3_bm_put(&bm);
}

/* ---- CreateBucket ---- */

static bool s3b_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n < 3 || n > 63 || !bck_name_valid(name))
		return false;
	int dots = 0;
	bool digits = true;
	for (const char *p = name; *p; p++) {
		dots += *p == '.';
		digits &= (*p >= '0' && *p <= '9') || *p == '.';
	}
	return !(digits && dots == 3); /* not an IPv4 address */
}

void s3_bsub_create(http_req_t *r, const char *bucket, const s3_conf_t *c, const s3_ident_t *id)
{
	char err[256], loc[64];
	s3_fail_t f = {0};
	json_t *acl = NULL, *s3 = NULL, *props = NULL, *existing = NULL;
	if (!s3b_name_ok(bucket)) {
		s3_err(r, 400, "InvalidBucketName", "The specified bucket is not valid: \"%s\"", bucket);
		return;
	}
	if (s3xml_parse_location(r->body, r->body_len, loc, sizeof(loc), err, sizeof(err))) {
		s3_err(r, 400, "MalformedXML", "CreateBucketConfiguration: %s", err);
		return;
	}
	if (loc[0] && strcmp(loc, c->region)) {
		s3_err(r, 400, "IllegalLocationConstraintException", "The %s location constraint is incompatible for "
		       "the region specific endpoint this request was sent to (%s).", loc, c->region);
		return;
	}
	const char *own = http_hdr_get(r, "x-amz-object-ownership");
	if (own && !s3b_ownership_ok(own)) {
		s3_err(r, 400, "InvalidArgument", "Invalid x-amz-object-ownership header: %.64s", own);
		return;
	}
	const char *lk = http_hdr_get(r, "x-amz-bucket-object-lock-enabled");
	bool lock = lk && !strcasecmp(lk, "true");
	if (!s3b_on_primary(r))
		return;
	if (s3_acl_from_headers(r, c, id->id, NULL, &acl, &f))
		goto fail;
	if (own && !strcmp(own, "BucketOwnerEnforced") && !s3b_acl_private(acl, id->id)) {
		s3_fail_set(&f, 400, "InvalidBucketAclWithObjectOwnership",
			    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
		goto fail;
	}
	s3 = json_pack("{s:{s:s, s:s}}", "owner", "id", id->id, "name", id->name);
	if (!s3)
		goto oom;
	if (acl)
		json_object_set(s3, "acl", acl);
	if (loc[0])
		json_object_set_new(s3, "location", json_string(loc));
	if (own)
		json_object_set_new(s3, "ownership", json_string(own));
	if (lock) {
		json_object_set_new(s3, "lock", json_pack("{s:b}", "enabled", 1));
		json_object_set_new(s3, "versioning", json_true());
		props = json_pack("{s:{s:b}}", "versioning", "enabled", 1);
	}
	int rc = s3_bm_create(bucket, props, s3, &existing, &f);
	s3 = NULL;
	if (rc == AIS_EEXIST) {
		const char *owner = s3_bm_owner(existing);
		if (*owner && strcmp(owner, id->id)) {
			s3_fail_set(&f, 409, "BucketAlreadyExists", "The requested bucket name is not available. The "
				    "bucket namespace is shared by all users of the system. Please select a different name "
				    "and try again.");
			goto fail;
		}
		if (strcmp(c->region, "us-east-1")) {
			s3_fail_set(&f, 409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
				    "succeeded and you already own it: %s", bucket);
			goto fail;
		}
		/* us-east-1: re-creating your own bucket succeeds and changes nothing - unless it asks for
		 * another ACL than the bucket has */
		json_t *want = acl, *have = json_object_get(existing, "acl"), *dw = NULL, *dh = NULL;
		if (!want)
			s3_acl_canned("private", id->id, NULL, &dw, &f), want = dw;
		if (!have)
			s3_acl_canned("private", *owner ? owner : id->id, NULL, &dh, &f), have = dh;
		bool same = json_equal(want, have);
		json_decref(dw);
		json_decref(dh);
		if (!same) {
			s3_fail_set(&f, 409, "BucketAlreadyExists", "The bucket exists with another ACL: %s", bucket);
			goto fail;
		}
	} else if (rc) {
		goto fail;
	}
	json_decref(acl);
	json_decref(props);
	json_decref(existing);
	http_hdr_addf(r, "Location", "/%s", bucket);
	s3b_ok(r, 200);
	return;
oom:
	s3_fail_set(&f, 500, "InternalError", "out of memory");
fail:
	json_decref(acl);
	json_decref(s3);
	json_decref(props);
	json_decref(existing);
	s3b_fail(r, &f);
}

/* ---- CORS preflight, object lock check ---- */

void s3_bsub_preflight(http_req_t *r, const char *bucket)
{
	const char *origin = http_hdr_get(r, "Origin");
	const char *method = http_hdr_get(r, "Access-Control-Request-Method");
	const char *hdrs = http_hdr_get(r, "Access-Control-Request-Headers");
	if (!bucket[0] || !origin || !*origin) {
		s3_err(r, 400, "BadRequest", "Insufficient information. Origin request header needed.");
		return;
	}
	if (!method || !*method) {
		s3_err(r, 400, "BadRequest", "Invalid Access-Control-Request-Method: %s", method ? method : "null");
		return;
	}
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	const json_t *rules = json_object_get(bm.s3, "cors");
	const json_t *rule = rules ? s3_cors_match(rules, origin, method, hdrs) : NULL;
	if (!bm.bck)
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
	else if (!json_array_size(rules))
		s3_err(r, 403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.");
	else if (!rule)
		s3_err(r, 403, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually "
		       "because the evalution of Origin, request method / Access-Control-Request-Method or "
		       "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
	else {
		s3_cors_add_hdrs(r, rule, origin, hdrs, true);
		s3b_ok(r, 200);
	}
	s3_bm_put(&bm);
}
