/* s3_ver: S3 versioning semantics at the target (see s3_ver.h): numbering new versions,
 * retaining the replaced current one, delete markers, deleting a version (and promoting the next
 * one), and this target's share of ListObjectVersions. Storage of the retained versions is
 * obj/obj_ver.c's; the current object is the object core's. Never responds except in
 * s3_ver_list_local. */
#include "s3/s3_ver.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/obj_ops.h"
#include "obj/obj_ver.h"
#include "obj/obj_walk.h"
#include "s3/s3_olock.h"
#include "s3/s3_omd.h"
#include "s3/s3_tgt.h"

s3v_state_t s3_ver_state(const bck_t *b)
{
	const json_t *bs3 = b ? json_object_get(b->ext, "s3") : NULL;
	if (!json_is_true(json_object_get(bs3, "versioning")))
		return S3V_OFF;
	return b->versioning ? S3V_ENABLED : S3V_SUSPENDED;
}

bool s3_ver_id_valid(const char *vid)
{
	if (!strcmp(vid, "null"))
		return true;
	int64_t v;
	return vid[0] && vid[0] != '0' && strlen(vid) < S3V_ID_MAX && !parse_i64(vid, &v) && v > 0;
}

void s3_ver_id(const lom_md_t *md, char *out, size_t cap)
{
	const char *v = lom_md_custom_get(md, S3MD_VID);
	snprintf(out, cap, "%s", v && *v ? v : "null");
}

bool s3_ver_is_marker(const lom_md_t *md)
{
	const char *v = lom_md_custom_get(md, S3MD_DM);
	return v && !strcmp(v, "1");
}

static int64_t md_seq(const lom_md_t *md)
{
	int64_t v;
	return md->version[0] && !parse_i64(md->version, &v) && v > 0 ? v : 0;
}

void s3_ver_free(s3_ver_t *v, int n)
{
	for (int i = 0; v && i < n; i++)
		lom_md_fini(&v[i].md);
	free(v);
}

int s3_ver_all(const obj_t *o, s3_ver_t **out, int *nout)
{
	*out = NULL;
	*nout = 0;
	int64_t *seqs = NULL;
	int ns = 0;
	int rc = obj_ver_scan(o, &seqs, &ns);
	if (rc)
		return rc;
	s3_ver_t *v = calloc((size_t)ns + 1, sizeof(*v));
	if (!v) {
		free(seqs);
		return AIS_ENOMEM;
	}
	int n = 0;
	bool have;
	if ((rc = s3_obj_current(o, &v[0].md, &have)))
		goto fail;
	if (have) {
		v[0].current = true;
		v[0].seq = md_seq(&v[0].md);
		s3_ver_id(&v[0].md, v[0].vid, sizeof(v[0].vid));
		n = 1;
	} else {
		lom_md_fini(&v[0].md);
	}
	for (int i = 0; i < ns; i++) {
		obj_t vo;
		s3_ver_t *e = &v[n];
		lom_md_init(&e->md);
		if (obj_ver_view(&vo, o, seqs[i]) || lom_load(-1, vo.fqn, &e->md)) {
			lom_md_fini(&e->md);
			continue; /* removed meanwhile, or unreadable: not a version */
		}
		e->seq = seqs[i];
		e->marker = s3_ver_is_marker(&e->md);
		s3_ver_id(&e->md, e->vid, sizeof(e->vid));
		n++;
	}
	free(seqs);
	*out = v;
	*nout = n;
	return 0;
fail:
	free(seqs);
	free(v);
	return rc;
}

int s3_ver_find(const s3_ver_t *v, int n, const char *vid)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].vid, vid))
			return i;
	return -1;
}

int s3_ver_resolve(http_req_t *r, obj_t *o, s3v_state_t vst, const char *vid, obj_t *vo, bool *use_vo)
{
	*use_vo = false;
	if (!s3_ver_id_valid(vid)) {
		s3_err(r, 400, "InvalidArgument", "Invalid version id specified");
		return AIS_EINVAL;
	}
	if (vst == S3V_OFF) {
		if (!strcmp(vid, "null"))
			return 0;
		s3_err(r, 404, "NoSuchVersion", "The specified version does not exist.");
		return AIS_ENOTFOUND;
	}
	s3_ver_t *v;
	int n;
	int rc = s3_ver_all(o, &v, &n);
	if (rc) {
		s3_err_code(r, rc, "%s: versions of %s/%s: %s", node_name(), o->bck->name, o->oname, err_str(rc));
		return rc;
	}
	int i = s3_ver_find(v, n, vid);
	if (i < 0) {
		s3_err(r, 404, "NoSuchVersion", "The specified version does not exist.");
		rc = AIS_ENOTFOUND;
	} else if (v[i].marker) {
		char lm[64];
		fmt_http_date(v[i].md.atime, lm, sizeof(lm));
		http_hdr_add(r, "x-amz-delete-marker", "true");
		http_hdr_add(r, "x-amz-version-id", vid);
		http_hdr_add(r, "Last-Modified", lm);
		s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		rc = AIS_EMETHOD;
	} else if (!v[i].current) {
		if ((rc = obj_ver_view(vo, o, v[i].seq)))
			s3_err_code(r, rc, "%s: %s", node_name(), err_str(rc));
		*use_vo = !rc;
	}
	s3_ver_free(v, n);
	return rc;
}

/* the next sequence number: above every version's */
static int64_t next_seq(const s3_ver_t *v, int n)
{
	int64_t m = 0;
	for (int i = 0; i < n; i++)
		if (v[i].seq > m)
			m = v[i].seq;
	return m + 1;
}

/* retain the current version v[0] in %ov: its own sequence number when no retained version has
 * it, else *next (which advances). 0 with *kept, or AIS_E* */
static int retain_current(const obj_t *o, const s3_ver_t *v, int n, int64_t *next, int64_t *kept)
{
	int64_t s = v[0].seq;
	for (int i = 1; s && i < n; i++)
		if (v[i].seq == s)
			s = 0;
	if (!s)
		s = (*next)++;
	int rc = obj_ver_retain(o, &v[0].md, s);
	if (!rc)
		*kept = s;
	return rc;
}

int s3_ver_put_begin(const obj_t *o, s3v_state_t st, lom_md_t *md, s3_vput_t *u)
{
	memset(u, 0, sizeof(*u));
	s3_ver_t *v;
	int n;
	int rc = s3_ver_all(o, &v, &n);
	if (rc)
		return rc;
	int64_t next = next_seq(v, n);
	bool cur = n && v[0].current;
	if (cur && !(st == S3V_SUSPENDED && !strcmp(v[0].vid, "null")))
		rc = retain_current(o, v, n, &next, &u->kept);
	if (!rc && st == S3V_SUSPENDED)
		for (int i = cur ? 1 : 0; i < n; i++)
			if (!strcmp(v[i].vid, "null"))
				u->drop_null = v[i].seq;
	if (!rc) {
		snprintf(md->version, sizeof(md->version), "%lld", (long long)next);
		if (st == S3V_ENABLED)
			rc = lom_md_custom_set(md, S3MD_VID, md->version);
		else
			rc = lom_md_custom_del(md, S3MD_VID);
		if (!rc)
			rc = lom_md_custom_del(md, S3MD_DM);
	}
	if (rc && u->kept) {
		obj_ver_remove(o, u->kept);
		u->kept = 0;
	}
	s3_ver_free(v, n);
	return rc;
}

void s3_ver_put_end(const obj_t *o, const s3_vput_t *u, bool ok)
{
	if (!ok && u->kept)
		obj_ver_remove(o, u->kept);
	if (ok && u->drop_null)
		obj_ver_remove(o, u->drop_null);
}

/* the current version is gone: the newest retained one becomes current when it is an object */
static void promote_latest(const obj_t *o)
{
	s3_ver_t *v;
	int n;
	if (s3_ver_all(o, &v, &n))
		return;
	if (n && !v[0].current && !v[0].marker) {
		int rc = obj_ver_promote(o, v[0].seq);
		if (rc)
			log_warn("s3: %s/%s: version %lld could not become current: %s", o->bck->name, o->oname,
				 (long long)v[0].seq, err_str(rc));
	}
	s3_ver_free(v, n);
}

/* a delete marker (vid "null" when Suspended) as the newest version */
static int add_marker(const obj_t *o, s3v_state_t st, int64_t seq, const char *owner, char *vid_out)
{
	lom_md_t md;
	lom_md_init(&md);
	md.atime = md.mtime = now_ns();
	char sv[S3V_ID_MAX];
	snprintf(sv, sizeof(sv), "%lld", (long long)seq);
	int rc = lom_md_custom_set(&md, S3MD_DM, "1");
	if (!rc && st == S3V_ENABLED)
		rc = lom_md_custom_set(&md, S3MD_VID, sv);
	if (!rc && owner && owner[0])
		rc = lom_md_custom_set(&md, S3MD_OWNER, owner);
	if (!rc)
		rc = obj_ver_put_empty(o, seq, &md);
	if (!rc)
		snprintf(vid_out, S3V_ID_MAX, "%s", st == S3V_ENABLED ? sv : "null");
	lom_md_fini(&md);
	return rc;
}

static int del_marker(const obj_t *o, s3v_state_t st, const char *owner, char *vid_out, s3_fail_t *f)
{
	s3_ver_t *v;
	int n;
	int rc = s3_ver_all(o, &v, &n);
	if (rc)
		goto fail;
	int64_t next = next_seq(v, n), kept = 0;
	bool cur = n && v[0].current;
	bool cur_null = cur && !strcmp(v[0].vid, "null");
	if (cur && !(st == S3V_SUSPENDED && cur_null) && (rc = retain_current(o, v, n, &next, &kept)))
		goto out;
	if ((rc = add_marker(o, st, next, owner, vid_out))) {
		if (kept)
			obj_ver_remove(o, kept);
		goto out;
	}
	if (cur) {
		obj_why_t why;
		int drc = obj_delete(o, &why);
		if (drc && drc != AIS_ENOTFOUND)
			log_warn("s3: %s/%s: delete of the current version: %s", o->bck->name, o->oname, err_str(drc));
	}
	if (st == S3V_SUSPENDED)
		for (int i = cur ? 1 : 0; i < n; i++)
			if (!strcmp(v[i].vid, "null"))
				obj_ver_remove(o, v[i].seq); /* the marker is the null version now */
out:
	s3_ver_free(v, n);
	if (!rc)
		return 0;
fail:
	s3_fail_set(f, 500, "InternalError", "%s/%s: delete marker: %s", o->bck->name, o->oname, err_str(rc));
	return rc;
}

int s3_ver_delete(const obj_t *o, s3v_state_t st, const char *vid, bool lock, bool bypass, const char *owner,
		  char *vid_out, bool *marker, s3_fail_t *f)
{
	*marker = false;
	vid_out[0] = '\0';
	if (!vid) {
		*marker = true;
		return del_marker(o, st, owner, vid_out, f);
	}
	if (!s3_ver_id_valid(vid)) {
		s3_fail_set(f, 400, "InvalidArgument", "Invalid version id specified");
		return AIS_EINVAL;
	}
	s3_ver_t *v;
	int n;
	int rc = s3_ver_all(o, &v, &n);
	if (rc) {
		s3_fail_set(f, 500, "InternalError", "%s/%s: versions: %s", o->bck->name, o->oname, err_str(rc));
		return rc;
	}
	int i = s3_ver_find(v, n, vid);
	snprintf(vid_out, S3V_ID_MAX, "%s", vid);
	if (i < 0)
		goto out; /* 204: nothing to delete */
	*marker = v[i].marker;
	if (lock && !v[i].marker) {
		s3_lock_t l;
		s3_lock_load(&v[i].md, &l);
		const char *why = s3_lock_denies(&l, now_ns(), bypass);
		if (why) {
			s3_fail_set(f, 403, "AccessDenied", "Access Denied: %s", why);
			rc = AIS_EFORBIDDEN;
			goto out;
		}
	}
	if (v[i].current) {
		obj_why_t why;
		rc = obj_delete(o, &why);
		if (rc == AIS_ENOTFOUND)
			rc = 0;
	} else {
		rc = obj_ver_remove(o, v[i].seq);
		if (rc == AIS_ENOTFOUND)
			rc = 0;
	}
	if (rc) {
		s3_fail_set(f, 500, "InternalError", "%s/%s: delete version %s: %s", o->bck->name, o->oname, vid,
			    err_str(rc));
		goto out;
	}
	if (i == 0)
		promote_latest(o);
out:
	s3_ver_free(v, n);
	return rc;
}

bool s3_ver_latest_marker(const obj_t *o, char *vid, size_t cap)
{
	s3_ver_t *v;
	int n;
	if (s3_ver_all(o, &v, &n))
		return false;
	bool dm = n && v[0].marker;
	if (dm)
		snprintf(vid, cap, "%s", v[0].vid);
	s3_ver_free(v, n);
	return dm;
}

/* ---- this target's share of ListObjectVersions */

typedef struct vl_walk {
	const char *prefix;
	size_t plen;
	json_t *arr;
	bool oom;
} vl_walk_t;

static void vl_add(vl_walk_t *w, const char *name, const lom_md_t *md, bool cur)
{
	char vid[S3V_ID_MAX], etag[160];
	s3_ver_id(md, vid, sizeof(vid));
	const char *e = lom_md_custom_get(md, S3MD_ETAG);
	if (e)
		snprintf(etag, sizeof(etag), "%s", e);
	else
		snprintf(etag, sizeof(etag), "\"%s\"", md->ckval);
	const char *owner = lom_md_custom_get(md, S3MD_OWNER);
	json_t *j = json_pack("{s:s, s:s, s:I, s:b, s:b, s:I, s:s, s:I, s:s}", "key", name, "vid", vid, "seq",
			      (json_int_t)md_seq(md), "cur", cur, "dm", s3_ver_is_marker(md), "size",
			      (json_int_t)md->size, "etag", etag, "mtime", (json_int_t)md->atime, "owner",
			      owner ? owner : "");
	if (!j || json_array_append_new(w->arr, j))
		w->oom = true;
}

static int vl_cur(void *arg, const char *name, size_t nlen, const char *fqn)
{
	vl_walk_t *w = arg;
	if (nlen < w->plen || strncmp(name, w->prefix, w->plen))
		return 0;
	lom_md_t md;
	lom_md_init(&md);
	if (!lom_load(-1, fqn, &md))
		vl_add(w, name, &md, true);
	lom_md_fini(&md);
	return w->oom ? AIS_ENOMEM : 0;
}

static int vl_old(void *arg, const char *fqn)
{
	vl_walk_t *w = arg;
	lom_md_t md;
	lom_md_init(&md);
	if (!lom_load(-1, fqn, &md) && md.name && !strncmp(md.name, w->prefix, w->plen))
		vl_add(w, md.name, &md, false);
	lom_md_fini(&md);
	return w->oom ? AIS_ENOMEM : 0;
}

static void vl_local_cb(http_req_t *r)
{
	s3_req_t *q = r->user;
	r->user = NULL;
	bmd_t *m = bmd_get();
	const bck_t *b = m ? bmd_find(m, "ais", "", q->bucket) : NULL;
	if (!b) {
		bmd_put(m);
		free(q);
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist");
		return;
	}
	const char *p = http_query_get(r, "prefix");
	vl_walk_t w = {.prefix = p ? p : "", .plen = p ? strlen(p) : 0, .arr = json_array()};
	int rc = w.arr ? 0 : AIS_ENOMEM;
	for (int i = 0; !rc && i < fs_count(); i++) {
		if (!fs_in_use(i))
			continue;
		rc = obj_walk(b, i, vl_cur, &w);
		if (!rc)
			rc = obj_ver_walk(b, i, vl_old, &w);
	}
	bmd_put(m);
	free(q);
	char *s = rc ? NULL : json_dumps(w.arr, JSON_COMPACT);
	json_decref(w.arr);
	if (!s) {
		s3_err(r, 500, "InternalError", "list versions: %s", err_str(rc ? rc : AIS_ENOMEM));
		return;
	}
	http_respond(r, 200, "application/json", s, strlen(s));
	free(s);
}

void s3_ver_list_local(http_req_t *r, s3_req_t *q)
{
	r->user = q;
	http_defer(r, vl_local_cb);
}

int s3_ver_src(const obj_t *src, const char *vid, bool remote, obj_t **view, int64_t *seq)
{
	*view = NULL;
	*seq = 0;
	if (!vid)
		return 0;
	if (!s3_ver_id_valid(vid))
		return AIS_EINVAL;
	if (s3_ver_state(src->bck) == S3V_OFF)
		return 0; /* the current object, when vid is "null" or its version (s3_ver_src_check) */
	if (remote) {
		if (!strcmp(vid, "null"))
			return AIS_ENOTIMPL;
		return parse_i64(vid, seq) ? AIS_EINVAL : 0;
	}
	s3_ver_t *v;
	int n;
	int rc = s3_ver_all(src, &v, &n);
	if (rc)
		return rc;
	int i = s3_ver_find(v, n, vid);
	if (i < 0)
		rc = AIS_ENOTFOUND;
	else if (v[i].marker)
		rc = AIS_EMETHOD;
	else if (!v[i].current && (!(*view = malloc(sizeof(**view))) || (rc = obj_ver_view(*view, src, v[i].seq)))) {
		rc = rc ? rc : AIS_ENOMEM;
		free(*view);
		*view = NULL;
	}
	s3_ver_free(v, n);
	return rc;
}

int s3_ver_src_check(const bck_t *b, const char *vid, const lom_md_t *md)
{
	if (!vid)
		return 0;
	if (s3_ver_state(b) == S3V_OFF) /* "null", or the object's native version */
		return strcmp(vid, "null") && strcmp(vid, md->version) ? AIS_ENOTFOUND : 0;
	char got[S3V_ID_MAX];
	s3_ver_id(md, got, sizeof(got));
	if (strcmp(got, vid))
		return AIS_ENOTFOUND;
	return s3_ver_is_marker(md) ? AIS_EMETHOD : 0;
}

bool s3_ver_copy_src_vid(const char *hdr, char *vid, size_t cap)
{
	const char *vq = hdr ? strstr(hdr, "?versionId=") : NULL;
	if (!vq)
		return false;
	snprintf(vid, cap, "%.*s", (int)strcspn(vq + 11, "&"), vq + 11);
	return true;
}
