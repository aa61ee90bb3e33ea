/* s3_omd: an S3 object's owner, ACL, tags and lock in its LOM (see s3_omd.h). Stateless. */
#include "s3/s3_omd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "s3/s3_acl.h"
#include "s3/s3_tags.h"

static const char *s3_omd_ownership(const json_t *bs3)
{
	const char *o = json_string_value(json_object_get(bs3, "ownership"));
	return o ? o : "";
}

/* grants that say nothing beyond the default (the owner FULL_CONTROL) */
static bool s3_omd_default_acl(const json_t *g, const char *owner)
{
	if (json_array_size(g) != 1)
		return false;
	const json_t *e = json_array_get(g, 0);
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *perm = json_string_value(json_object_get(e, "perm"));
	return id && perm && !strcmp(id, owner) && !strcmp(perm, "FULL_CONTROL");
}

int s3_oattr_from_request(const http_req_t *r, const s3_conf_t *c, const s3_ident_t *id, const json_t *bs3,
			  unsigned flags, int64_t now, s3_oattr_t *out, s3_fail_t *f)
{
	memset(out, 0, sizeof(*out));
	const char *bowner = bs3 ? s3_bm_owner(bs3) : "";
	const char *own = s3_omd_ownership(bs3), *canned = http_hdr_get(r, "x-amz-acl");
	bool enforced = !strcmp(own, "BucketOwnerEnforced");
	const char *owner;
	if (*bowner && (enforced || (!strcmp(own, "BucketOwnerPreferred") && canned &&
				     !strcmp(canned, "bucket-owner-full-control"))))
		owner = bowner;
	else if (id->anon)
		owner = *bowner ? bowner : S3_DEFAULT_ID;
	else
		owner = id->id;
	snprintf(out->owner, sizeof(out->owner), "%s", owner);
	int rc = 0;
	if (!enforced) { /* (ACL headers other than bucket-owner-full-control were refused by s3_access) */
		json_t *g = NULL;
		if ((rc = s3_acl_from_headers(r, c, owner, bowner, &g, f)))
			goto fail;
		if (g && !s3_omd_default_acl(g, owner) && !(out->acl = json_dumps(g, JSON_COMPACT))) {
			json_decref(g);
			rc = AIS_ENOMEM;
			goto oom;
		}
		json_decref(g);
	}
	const char *tg = flags & S3_OA_TAGS ? http_hdr_get(r, "x-amz-tagging") : NULL;
	if (tg) {
		if ((rc = s3_tags_from_query(tg, &out->tags, f)))
			goto fail;
		if (!out->tags[0]) {
			free(out->tags);
			out->tags = NULL;
		}
		out->tags_set = true;
	}
	if (flags & S3_OA_LOCK) {
		bool given;
		if ((rc = s3_lock_from_hdrs(r, now, &out->lock, &given, f)))
			goto fail;
		if (given && !s3_lock_enabled(bs3)) {
			s3_fail_set(f, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
			rc = AIS_EINVAL;
			goto fail;
		}
		if (!out->lock.mode[0])
			s3_lock_default(bs3, now, &out->lock);
	}
	return 0;
oom:
	s3_fail_set(f, 500, "InternalError", "out of memory");
fail:
	s3_oattr_fini(out);
	return rc;
}

void s3_oattr_fini(s3_oattr_t *a)
{
	free(a->acl);
	free(a->tags);
	a->acl = a->tags = NULL;
}

int s3_oattr_store(const s3_oattr_t *a, lom_md_t *md)
{
	int rc = lom_md_custom_set(md, S3MD_OWNER, a->owner);
	if (!rc)
		rc = a->acl ? lom_md_custom_set(md, S3MD_ACL, a->acl) : lom_md_custom_del(md, S3MD_ACL);
	if (!rc && (a->tags_set || a->tags))
		rc = a->tags ? lom_md_custom_set(md, S3MD_TAGS, a->tags) : lom_md_custom_del(md, S3MD_TAGS);
	if (!rc)
		rc = s3_lock_store(md, &a->lock);
	return rc;
}

bool s3_omd_is_attr_key(const char *key)
{
	return !strcmp(key, S3MD_OWNER) || !strcmp(key, S3MD_ACL) || !strcmp(key, S3MD_TAGS) ||
	       !strncmp(key, S3MD_LOCK_PREFIX, strlen(S3MD_LOCK_PREFIX));
}

const char *s3_omd_owner(const lom_md_t *md, const json_t *bs3)
{
	const char *o = md ? lom_md_custom_get(md, S3MD_OWNER) : NULL;
	if (o && *o)
		return o;
	o = bs3 ? s3_bm_owner(bs3) : "";
	return *o ? o : S3_DEFAULT_ID;
}

json_t *s3_omd_grants(const lom_md_t *md, const char *owner)
{
	const char *a = md ? lom_md_custom_get(md, S3MD_ACL) : NULL;
	if (a) {
		json_t *g = json_loads(a, 0, NULL);
		if (json_is_array(g))
			return g;
		json_decref(g);
	}
	return json_pack("[{s:s, s:s}]", "id", owner, "perm", "FULL_CONTROL");
}

void s3_omd_version_hdr(http_req_t *r, const lom_md_t *md, const bck_t *b)
{
	const json_t *bs3 = b ? json_object_get(b->ext, "s3") : NULL;
	if (md->version[0] && b->versioning && json_is_true(json_object_get(bs3, "versioning")))
		http_hdr_add(r, "x-amz-version-id", md->version);
}
