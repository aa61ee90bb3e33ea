/* s3_object: S3 object requests at the target (forwarded or redirected by a proxy), adapters
 * over the object core (obj/obj_get.h, obj_put.h, obj_ops.h), which opens, checksums, commits,
 * validates and counts. Here stays what is S3: GET/HEAD with one Range or ?partNumber,
 * conditionals (If-Match/If-None-Match/If-(Un)Modified-Since → 412/304), ETag, Last-Modified,
 * Content-Type, x-amz-meta-*, x-amz-checksum-* with checksum mode; PUT with aws-chunked bodies
 * decoded (chunk signatures, trailers), the payload SHA-256 and the x-amz-checksum / Content-MD5
 * expectations handed to the writer; DELETE (204 also when absent); CopyObject (the source
 * local, or pulled from the target that owns it over the target-to-target transport:
 * tmove_pull, target/tmove.h). The stored object is an ordinary one: LOM with the bucket
 * checksum plus custom metadata (ETag, Content-Type, x-amz-meta-*, x-amz-checksum-*), readable by
 * the native API.
 * Versioned buckets (s3_ver.h): GET/HEAD/DELETE ?versionId, a copy source's ?versionId, the
 * previous version retained by every write and delete markers by DELETE - writes and deletes of
 * a versioned bucket commit on the pool (retaining may copy a chunked version).
 * Multipart: UploadPart's body runs through the same body pipeline into an mpu part (begin/end
 * in s3_mpu.c, which serves the other multipart requests); chunked objects and ?partNumber
 * reads are streamed from a pool thread through the object reader. */
#include "s3/s3_tgt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/s3ck.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "obj/obj_put.h"
#include "obj/obj_ver.h"
#include "net/hclient.h"
#include "s3/awschunk.h"
#include "s3/s3_acl.h"
#include "s3/s3_omd.h"
#include "s3/s3_tags.h"
#include "target/tec.h"
#include "s3/s3_ver.h"
#include "s3/s3xml.h"

/* content headers stored as custom md (the key is the header name), and the GET query parameters
 * that override them in a response */
static const char *const s3o_content_hdrs[] = {"Content-Type", "Content-Disposition", "Content-Language",
					      "Cache-Control", "Expires", "Content-Encoding", NULL};
static const char *const s3o_resp_over[] = {"response-content-type", "response-content-disposition",
					    "response-content-language", "response-cache-control", "response-expires",
					    "response-content-encoding", NULL};

typedef struct s3o {
	s3_req_t *q;
	http_req_t *r;
	obj_t o;
	sigv4_auth_t auth;
	s3_acc_t acc;         /* the bucket-level verdict; the object-level one follows */
	const json_t *bs3;    /* the bucket's S3 metadata (in o.bmd) or NULL */
	s3_oattr_t attr;      /* writes: owner, ACL, tags, lock of the new version */
	bool guard;           /* writes: commit under the S3 object lock after s3_obj_replace_ok */
	s3v_state_t vst;      /* the bucket's S3 versioning */
	const char *want;     /* versioned PUT: the expected x-amz-checksum, for the deferred commit */
	obj_t vo;             /* GET/HEAD ?versionId of a retained version: its file (borrows o's BMD) */
	bool use_vo;
	/* GET */
	obj_get_t g;
	int64_t off, len;
	int status;
	int part;             /* ?partNumber, 0 = none */
	bool cksum_mode;      /* x-amz-checksum-mode: ENABLED */
	bool cksum_whole;     /* a ranged answer that is the whole object (part 1 of a plain one) */
	bool ec_tried;        /* an EC bucket's missing object: rebuilt from its slices once */
	char etag[160];
	/* PUT */
	obj_put_t *w;         /* PutObject */
	mpu_part_t *mpart;    /* UploadPart: the data goes here instead */
	awschunk_t *dec;
	s3ck_t sha;
	bool have_sha;
	s3ck_type_t xck_type;
	char xck_want[96];    /* from the header; "" when it comes as a trailer */
	bool xck_trailer;
	int64_t size;
	int err;
} s3o_t;

static void s3o_free(s3o_t *x)
{
	obj_put_abort(x->w, 0);
	if (x->mpart) {
		mpu_part_info_t info;
		mpu_why_t why;
		mpu_part_end(x->mpart, false, NULL, &info, &why); /* discards it */
	}
	awschunk_free(x->dec);
	s3_oattr_fini(&x->attr);
	obj_get_close(&x->g);
	obj_fini(&x->o);
	free(x->q);
	free(x);
}

/* "\"hex\"" of the object (stored ETag, else the bucket checksum) */
static void s3o_etag(const lom_md_t *md, char *out, size_t cap)
{
	const char *e = lom_md_custom_get(md, S3MD_ETAG);
	if (e)
		snprintf(out, cap, "%s", e);
	else
		snprintf(out, cap, "\"%s\"", md->ckval);
}

static bool etag_match(const char *list, const char *etag)
{
	/* comma-separated list of (possibly weak, possibly unquoted) etags, or "*" */
	const char *e = etag;
	size_t el = strlen(e);
	if (el >= 2 && e[0] == '"') {
		e++;
		el -= 2;
	}
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, ",");
		const char *t = p;
		size_t tl = n;
		while (tl && t[tl - 1] == ' ')
			tl--;
		if (tl >= 2 && t[0] == 'W' && t[1] == '/') {
			t += 2;
			tl -= 2;
		}
		if (tl >= 2 && t[0] == '"') {
			t++;
			tl -= 2;
		}
		if ((tl == 1 && t[0] == '*') || (tl == el && !strncmp(t, e, el)))
			return true;
		p += n;
	}
	return false;
}

static bool parse_http_time(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *e = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!e) {
		memset(&tm, 0, sizeof(tm));
		e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (!e)
		return false;
	*out = timegm(&tm);
	return true;
}

/* the request's response-* override of content header i (NULL: none) */
static const char *s3o_override(const http_req_t *r, int i)
{
	return http_query_get(r, s3o_resp_over[i]);
}

static void s3o_add_hdrs(http_req_t *r, const bck_t *b, const lom_md_t *md, const char *etag, bool with_cksum)
{
	char lm[64];
	fmt_http_date(md->atime, lm, sizeof(lm));
	http_hdr_add(r, "ETag", etag);
	http_hdr_add(r, "Last-Modified", lm);
	size_t pos = 0;
	const char *k, *v;
	bool ctype = false;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strncmp(k, S3MD_META_PREFIX, strlen(S3MD_META_PREFIX)) ||
		    !strncmp(k, S3MD_LOCK_PREFIX, strlen(S3MD_LOCK_PREFIX))) {
			http_hdr_add(r, k, v);
		} else if (!strncmp(k, S3MD_CKSUM_PREFIX, strlen(S3MD_CKSUM_PREFIX))) {
			if (with_cksum) {
				http_hdr_add(r, k, v);
				/* "<b64>-N": composite of a multipart upload's parts (base64 has no '-') */
				http_hdr_add(r, "x-amz-checksum-type", strchr(v, '-') ? "COMPOSITE" : "FULL_OBJECT");
			}
		} else if (!strcmp(k, S3MD_TAGS)) {
			int n = s3_tags_count(v);
			if (n)
				http_hdr_addf(r, "x-amz-tagging-count", "%d", n);
		} else {
			for (int i = 0; s3o_content_hdrs[i]; i++)
				if (!strcmp(k, s3o_content_hdrs[i]) && !s3o_override(r, i)) {
					http_hdr_add(r, k, v);
					if (i == 0)
						ctype = true;
				}
		}
	}
	for (int i = 0; s3o_content_hdrs[i]; i++) {
		const char *ov = s3o_override(r, i);
		if (ov) {
			http_hdr_add(r, s3o_content_hdrs[i], ov);
			if (i == 0)
				ctype = true;
		}
	}
	if (!ctype)
		http_hdr_add(r, "Content-Type", "application/octet-stream");
	http_hdr_add(r, "Accept-Ranges", "bytes");
	s3_omd_version_hdr(r, md, b);
	s3_add_common_hdrs(r);
}

/* the object-level access decision for an existing object: 0 or responded */
static int s3o_obj_access(http_req_t *r, const s3o_t *x, const lom_md_t *md)
{
	if (!x->acc.enforce || x->acc.admitted)
		return 0;
	const char *owner = s3_omd_owner(md, x->bs3);
	json_t *g = s3_omd_grants(md, owner);
	int rc = s3_access_object(r, &x->acc, 0, owner, g, x->o.bck->name, x->o.oname);
	json_decref(g);
	return rc;
}

/* ---- GET / HEAD */

/* an object-reader failure → S3 error */
static void get_err(http_req_t *r, const s3o_t *x, int rc, obj_why_t why)
{
	const obj_get_t *g = &x->g;
	switch (why) {
	case OBJ_WHY_NOT_FOUND: {
		char vid[S3V_ID_MAX];
		if (x->vst != S3V_OFF && !x->use_vo && s3_ver_latest_marker(&x->o, vid, sizeof(vid))) {
			http_hdr_add(r, "x-amz-delete-marker", "true");
			http_hdr_add(r, "x-amz-version-id", vid);
		} else {
			http_hdr_add(r, "x-amz-delete-marker", "false"); /* as RGW: not found, and no marker */
		}
		s3_access_object(r, &x->acc, 0, NULL, NULL, x->o.bck->name, x->o.oname); /* 404, or 403 */
		return;
	}
	case OBJ_WHY_BAD_META:
		s3_err(r, 500, "InternalError", "%s: corrupted object metadata (%s)", node_name(), err_str(rc));
		return;
	case OBJ_WHY_SIZE:
		s3_err(r, 500, "InternalError", "%s: %s/%s: size on disk %lld does not match its metadata (%lld): corrupted",
		       node_name(), x->o.bck->name, x->o.oname, (long long)g->disk_size, (long long)g->size);
		return;
	case OBJ_WHY_CORRUPT:
		s3_err(r, 500, "InternalError", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s/%s)",
		       cksum_type_str(g->md.cktype), g->md.ckval, g->ck_got, x->o.bck->name, x->o.oname);
		return;
	case OBJ_WHY_MANIFEST:
		s3_err(r, 503, "SlowDown", "%s: object is being replaced or its manifest is unreadable (%s)", node_name(),
		       err_str(rc));
		return;
	case OBJ_WHY_IO:
		s3_err(r, 500, "InternalError", "%s: failed to read %s/%s: %s", node_name(), x->o.bck->name, x->o.oname,
		       strerror(g->sys_errno));
		return;
	default:
		s3_err_code(r, rc, "%s: GET %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
	}
}

/* the response of a validated monolithic object, or of a plain one: sendfile */
static void get_sendfile(http_req_t *r, s3o_t *x)
{
	s3o_add_hdrs(r, x->o.bck, &x->g.md, x->etag, x->cksum_mode && (x->status == 200 || x->cksum_whole));
	if (x->status == 206 && x->len > 0)
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)x->off,
			      (long long)(x->off + x->len - 1), (long long)x->g.size);
	obj_get_done(&x->g, r->method == HTTP_M_HEAD ? -1 : x->len);
	http_respond_fd(r, x->status, obj_get_take_fd(&x->g), (off_t)x->off, (size_t)x->len);
}

/* pool thread: a chunked object (multipart upload), any object read by part number, or one to
 * validate first; streamed through the object reader (sendfile when it turns out monolithic) */
static void get_pool_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	obj_get_t *g = &x->g;
	char *buf = NULL;
	obj_why_t why;
	int rc = obj_get_prepare(g, &why);
	if (rc) {
		get_err(r, x, rc, why);
		goto out;
	}
	int nparts = g->chunked ? g->u.count : 1;
	if (x->part) {
		int64_t coff = 0;
		bool found = false;
		if (!g->chunked) {
			found = x->part == 1;
			x->len = g->size;
			x->cksum_whole = true;
		}
		for (int i = 0; g->chunked && i < g->u.count; i++) {
			const ufest_chunk_t *c = &g->u.chunks[i];
			if (c->num == x->part) {
				x->len = c->size;
				found = true;
				s3ck_type_t t = c->xck_type[0] ? s3ck_type_from_name(c->xck_type) : S3CK_NONE;
				if (x->cksum_mode && t != S3CK_NONE && t != S3CK_MD5) {
					/* the part's own checksum, of the object's (composite) kind */
					http_hdr_add(r, s3ck_header_name(t), c->xck_val);
					http_hdr_add(r, "x-amz-checksum-type", "COMPOSITE");
				}
				break;
			}
			coff += c->size;
		}
		if (!found) {
			s3_err(r, 400, "InvalidPart", "The requested partnumber is not satisfiable");
			goto out;
		}
		x->off = coff;
		x->status = 206;
		http_hdr_addf(r, "x-amz-mp-parts-count", "%d", nparts);
	}
	if (x->off + x->len > g->size) {
		s3_err(r, 503, "SlowDown", "%s: object changed while being read", node_name());
		goto out;
	}
	bool head = r->method == HTTP_M_HEAD;
	if (!g->chunked || head) {
		get_sendfile(r, x);
		goto out;
	}
	s3o_add_hdrs(r, x->o.bck, &g->md, x->etag, x->cksum_mode && (x->status == 200 || x->cksum_whole));
	if (x->status == 206 && x->len > 0)
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)x->off,
			      (long long)(x->off + x->len - 1), (long long)g->size);
	if (!(buf = malloc(1 << 20))) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto out;
	}
	rc = http_resp_begin(r, x->status, NULL, x->len);
	int64_t pos = x->off, end = x->off + x->len;
	while (!rc && pos < end) {
		size_t want = (size_t)(end - pos) < (1u << 20) ? (size_t)(end - pos) : (1u << 20);
		ssize_t n = obj_get_pread(g, buf, want, pos);
		if (n <= 0)
			break; /* short: the server closes the connection */
		rc = http_resp_write(r, buf, (size_t)n);
		pos += n;
	}
	obj_get_done(g, x->len);
	http_resp_end(r);
out:
	free(buf);
	s3o_free(x);
}

/* 412/304 per the conditional headers; true when it has responded */
static bool get_conditionals(http_req_t *r, const s3o_t *x)
{
	const lom_md_t *md = &x->g.md;
	time_t lm = (time_t)(md->atime / 1000000000), t;
	const char *im = http_hdr_get(r, "If-Match"), *inm = http_hdr_get(r, "If-None-Match");
	const char *ims = http_hdr_get(r, "If-Modified-Since"), *ius = http_hdr_get(r, "If-Unmodified-Since");
	if ((im && !etag_match(im, x->etag)) || (!im && ius && parse_http_time(ius, &t) && lm > t)) {
		s3_err(r, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
		return true;
	}
	if ((inm && etag_match(inm, x->etag)) || (!inm && ims && parse_http_time(ims, &t) && lm <= t)) {
		char lms[64];
		fmt_http_date(md->atime, lms, sizeof(lms));
		http_hdr_add(r, "ETag", x->etag);
		http_hdr_add(r, "Last-Modified", lms);
		s3_add_common_hdrs(r);
		http_respond(r, 304, NULL, NULL, 0);
		return true;
	}
	return false;
}

static void s3o_get(http_req_t *r, s3o_t *x);

/* pool: an EC bucket's object missing here, its owner: rebuild it from the slices (tec.h), then
 * the GET goes on */
static void s3o_ec_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	char err[256];
	x->ec_tried = true;
	int rc = tec_restore(&x->o, err, sizeof(err));
	if (rc && rc != AIS_ENOTFOUND) {
		s3_err(r, 503, "SlowDown", "%s: failed to rebuild the object from its EC slices: %s", node_name(), err);
		s3o_free(x);
		return;
	}
	s3o_get(r, x);
}

/* GET/HEAD ?versionId: the current object, or x->vo = the retained version; 0 or responded
 * (400 for a malformed id, 404 NoSuchVersion, 405 for a delete marker) */
static int s3o_version(http_req_t *r, s3o_t *x, const char *vid)
{
	return s3_ver_resolve(r, &x->o, x->vst, vid, &x->vo, &x->use_vo);
}

static void s3o_get(http_req_t *r, s3o_t *x)
{
	bool head = r->method == HTTP_M_HEAD;
	obj_why_t why;
	for (int i = 0; s3o_resp_over[i]; i++)
		if (s3o_override(r, i) && x->acc.enforce && x->acc.id.anon) {
			s3_err(r, 400, "InvalidRequest", "Request specific response headers cannot be used for anonymous "
			       "GET requests.");
			goto out;
		}
	const char *vid = http_query_get(r, "versionId");
	if (vid && !x->ec_tried && s3o_version(r, x, vid))
		goto out;
	int rc = obj_get_open(&x->g, x->use_vo ? &x->vo : &x->o, head ? OBJ_GET_HEAD : 0, &why);
	snode_t owner;
	if (rc == AIS_ENOTFOUND && why == OBJ_WHY_NOT_FOUND && !x->use_vo && x->o.bck->ec_enabled && !x->ec_tried &&
	    !obj_remote_owner(x->o.bck, x->o.oname, &owner)) {
		r->user = x;
		http_defer_stream(r, s3o_ec_cb);
		return;
	}
	if (rc) {
		get_err(r, x, rc, why);
		goto out;
	}
	if (s3o_obj_access(r, x, &x->g.md))
		goto out;
	const char *pq = http_query_get(r, "partNumber");
	int64_t part = 0;
	if (pq && (parse_i64(pq, &part) || part < 1 || part > UFEST_MAX_CHUNKS)) {
		s3_err(r, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
		goto out;
	}
	if (pq && http_hdr_get(r, "Range")) {
		s3_err(r, 400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
		goto out;
	}
	s3o_etag(&x->g.md, x->etag, sizeof(x->etag));
	if (get_conditionals(r, x))
		goto out;
	x->off = 0;
	x->len = x->g.size;
	x->status = 200;
	const char *rh = head ? NULL : http_hdr_get(r, "Range");
	if (rh) {
		rc = obj_get_range_apply(&x->g, rh, &x->off, &x->len);
		if (rc == AIS_ERANGE || rc == AIS_EINVAL || rc == AIS_ENOTIMPL) {
			http_hdr_addf(r, "Content-Range", "bytes */%lld", (long long)x->g.size);
			s3_err(r, 416, "InvalidRange", "The requested range is not satisfiable: %s (object size %lld)", rh,
			       (long long)x->g.size);
			goto out;
		}
		if (rc == 1)
			x->status = 206;
	}
	const char *cm = http_hdr_get(r, "x-amz-checksum-mode");
	x->cksum_mode = cm && !strcasecmp(cm, "ENABLED");
	x->part = (int)part;
	if (part || obj_get_needs_pool(&x->g)) {
		r->user = x;
		if (http_on_loop())
			http_defer_stream(r, get_pool_cb);
		else
			get_pool_cb(r); /* (already on the pool: rebuilt from EC slices) */
		return;
	}
	get_sendfile(r, x);
out:
	s3o_free(x);
}

/* ---- conditions of writes and deletes */

int s3_obj_current(const obj_t *o, lom_md_t *md, bool *have)
{
	obj_get_t g;
	obj_why_t why;
	lom_md_init(md);
	*have = false;
	int rc = obj_get_open(&g, o, OBJ_GET_QUIET, &why);
	if (rc == AIS_ENOTFOUND)
		return 0;
	if (!rc) {
		*have = true;
		rc = lom_md_copy(md, &g.md);
	}
	obj_get_close(&g);
	return rc;
}

int s3_obj_replace_ok(http_req_t *r, const obj_t *o, const lom_md_t *md, bool have, bool lock)
{
	const char *im = http_hdr_get(r, "If-Match"), *inm = http_hdr_get(r, "If-None-Match");
	char etag[160] = "";
	if (have)
		s3o_etag(md, etag, sizeof(etag));
	if (im && !have) {
		s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", o->bck->name, o->oname);
		return AIS_ENOTFOUND;
	}
	if ((im && !etag_match(im, etag)) || (inm && have && etag_match(inm, etag))) {
		s3_err(r, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
		return AIS_ECONFLICT;
	}
	if (lock && have) {
		s3_lock_t l;
		s3_lock_load(md, &l);
		const char *why = s3_lock_denies(&l, now_ns(), s3_lock_bypass(r));
		if (why) {
			s3_err(r, 403, "AccessDenied", "Access Denied: %s", why);
			return AIS_EFORBIDDEN;
		}
	}
	return 0;
}

/* ---- DELETE */

/* DELETE of a versioned bucket's key, or with ?versionId: true when it has responded (false: an
 * unversioned bucket's "null" version, the ordinary delete) */
static bool s3o_delete_ver(http_req_t *r, s3o_t *x)
{
	const char *vid = http_query_get(r, "versionId");
	if (vid && !s3_ver_id_valid(vid)) {
		s3_err(r, 400, "InvalidArgument", "Invalid version id specified");
		return true;
	}
	if (x->vst == S3V_OFF) {
		if (!vid || !strcmp(vid, "null"))
			return false;
		s3_add_common_hdrs(r); /* no such version: nothing to delete */
		http_respond(r, 204, NULL, NULL, 0);
		return true;
	}
	s3_fail_t f = {0};
	char vout[S3V_ID_MAX];
	bool dm;
	s3_olock(x->o.digest);
	int rc = s3_ver_delete(&x->o, x->vst, vid, s3_lock_enabled(x->bs3), s3_lock_bypass(r), x->acc.id.id, vout, &dm,
			       &f);
	s3_ounlock(x->o.digest);
	if (rc) {
		s3_err(r, f.status, f.code, "%s", f.msg);
		return true;
	}
	if (dm)
		http_hdr_add(r, "x-amz-delete-marker", "true");
	if (vout[0])
		http_hdr_add(r, "x-amz-version-id", vout);
	s3_add_common_hdrs(r);
	http_respond(r, 204, NULL, NULL, 0);
	return true;
}

static void s3o_delete(http_req_t *r, s3o_t *x)
{
	obj_why_t why;
	if (s3o_delete_ver(r, x))
		goto out;
	bool lock = s3_lock_enabled(x->bs3);
	if (lock) {
		/* the check and the removal under the S3 object lock: no retention change between */
		lom_md_t md;
		bool have;
		s3_olock(x->o.digest);
		int rc = s3_obj_current(&x->o, &md, &have);
		if (rc) {
			s3_ounlock(x->o.digest);
			lom_md_fini(&md);
			s3_err_code(r, rc, "%s: DELETE %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
			goto out;
		}
		s3_lock_t l;
		s3_lock_load(&md, &l);
		lom_md_fini(&md);
		const char *deny = have ? s3_lock_denies(&l, now_ns(), s3_lock_bypass(r)) : NULL;
		rc = deny ? AIS_EFORBIDDEN : obj_delete(&x->o, &why);
		s3_ounlock(x->o.digest);
		if (deny)
			s3_err(r, 403, "AccessDenied", "Access Denied: %s", deny);
		else if (rc && rc != AIS_ENOTFOUND)
			s3_err_code(r, rc, "%s: DELETE %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
		else
			goto ok;
		goto out;
	}
	int rc = obj_delete(&x->o, &why);
	if (rc && rc != AIS_ENOTFOUND) {
		s3_err_code(r, rc, "%s: DELETE %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
		goto out;
	}
ok:
	s3_add_common_hdrs(r);
	http_respond(r, 204, NULL, NULL, 0);
out:
	s3o_free(x);
}

static void s3o_delete_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	s3o_delete(r, x);
}

/* ---- PUT */
static int put_sink(void *arg, const char *data, size_t len)
{
	s3o_t *x = arg;
	int rc = x->mpart ? mpu_part_write(x->mpart, data, len) : obj_put_write(x->w, data, len);
	if (rc)
		return x->err = rc;
	x->size += (int64_t)len;
	return 0;
}

static int put_data_cb(http_req_t *r, const char *data, size_t len)
{
	s3o_t *x = r->user;
	if (x->have_sha)
		s3ck_update(&x->sha, data, len);
	int rc = x->dec ? awschunk_feed(x->dec, data, len) : put_sink(x, data, len);
	if (rc && !x->err)
		x->err = rc;
	return rc;
}

/* Content-Encoding without the aws-chunked coding (the transfer's, not the object's): "gzip,
 * aws-chunked" is stored as "gzip"; nothing when only aws-chunked was named */
static int s3o_md_cenc(lom_md_t *md, const char *v)
{
	sbuf_t b = SBUF_INIT;
	for (const char *p = v; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ","), tl = n;
		while (tl && p[tl - 1] == ' ')
			tl--;
		if (tl && !(tl == 11 && !strncasecmp(p, "aws-chunked", 11)))
			sbuf_addf(&b, "%s%.*s", b.len ? ", " : "", (int)tl, p);
		p += n;
	}
	int rc = b.oom ? AIS_ENOMEM : b.len ? lom_md_custom_set(md, "Content-Encoding", b.p) : 0;
	sbuf_fini(&b);
	return rc;
}

/* store the request's metadata headers as custom md */
int s3_obj_md_from_request(http_req_t *r, lom_md_t *md)
{
	int rc = 0;
	for (int i = 0; i < r->nhdrs && !rc; i++) {
		const char *n = r->hdrs[i].name;
		if (!strncasecmp(n, S3MD_META_PREFIX, strlen(S3MD_META_PREFIX))) {
			char low[256];
			size_t k = 0;
			for (; n[k] && k < sizeof(low) - 1; k++)
				low[k] = (char)(n[k] >= 'A' && n[k] <= 'Z' ? n[k] + 32 : n[k]);
			low[k] = '\0';
			rc = lom_md_custom_set(md, low, r->hdrs[i].value);
			continue;
		}
		if (!strcasecmp(n, "Content-Encoding")) {
			rc = s3o_md_cenc(md, r->hdrs[i].value);
			continue;
		}
		for (int j = 0; s3o_content_hdrs[j]; j++)
			if (!strcasecmp(n, s3o_content_hdrs[j]))
				rc = lom_md_custom_set(md, s3o_content_hdrs[j], r->hdrs[i].value);
	}
	return rc;
}

/* the writer's md callback: ETag, the request's metadata, the x-amz-checksum */
static int put_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	s3o_t *x = arg;
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", res->md5_hex);
	int rc = lom_md_custom_set(md, S3MD_ETAG, etag);
	if (!rc)
		rc = s3_obj_md_from_request(x->r, md);
	if (!rc)
		rc = s3_oattr_store(&x->attr, md);
	if (!rc && x->xck_type != S3CK_NONE)
		rc = lom_md_custom_set(md, s3ck_header_name(x->xck_type), res->xck);
	return rc;
}

/* the client's expected x-amz-checksum: header value, or the trailer (NULL + responds when the
 * declared trailer is missing) */
static const char *put_xck_want(http_req_t *r, s3o_t *x, bool *missing)
{
	*missing = false;
	if (!x->xck_trailer)
		return x->xck_want[0] ? x->xck_want : NULL;
	const char *want = x->dec ? awschunk_trailer(x->dec, s3ck_header_name(x->xck_type)) : NULL;
	if (!want) {
		*missing = true;
		s3_err(r, 400, "InvalidRequest", "missing trailing checksum %s", s3ck_header_name(x->xck_type));
	}
	return want;
}

static void put_commit(http_req_t *r, s3o_t *x, const char *want)
{
	obj_put_t *w = x->w;
	x->w = NULL;
	if (want)
		obj_put_set_xck_want(w, want);
	obj_put_res_t res;
	obj_why_t why = OBJ_WHY_NONE;
	int rc;
	if (x->guard) {
		/* the conditions and the commit under the S3 object lock (loop thread: both are short) */
		lom_md_t cur;
		bool have;
		s3_olock(x->o.digest);
		rc = s3_obj_current(&x->o, &cur, &have);
		if (!rc && (rc = s3_obj_replace_ok(r, &x->o, &cur, have, s3_lock_enabled(x->bs3) && x->vst != S3V_ENABLED))) {
			s3_ounlock(x->o.digest);
			lom_md_fini(&cur);
			obj_put_abort(w, 0);
			return;
		}
		lom_md_fini(&cur);
		if (rc) { /* s3_obj_current failed: the writer is still ours */
			s3_ounlock(x->o.digest);
			obj_put_abort(w, rc);
			s3_err_code(r, rc, "%s: PUT %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
			return;
		}
		s3_vput_t vp = {0};
		if (x->vst != S3V_OFF && (rc = s3_ver_put_begin(&x->o, x->vst, obj_put_md(w), &vp))) {
			s3_ounlock(x->o.digest);
			obj_put_abort(w, rc);
			s3_err_code(r, rc, "%s: PUT %s/%s: versions: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
			return;
		}
		rc = obj_put_commit(w, &res, &why);
		if (x->vst != S3V_OFF)
			s3_ver_put_end(&x->o, &vp, rc == 0);
		s3_ounlock(x->o.digest);
	} else {
		rc = obj_put_commit(w, &res, &why);
	}
	if (why == OBJ_WHY_BAD_MD5) {
		s3_err(r, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
	} else if (why == OBJ_WHY_BAD_XCK) {
		s3_err(r, 400, "BadDigest", "The %s you specified did not match the calculated checksum.",
		       s3ck_header_name(x->xck_type));
	} else if (rc) {
		s3_err_code(r, rc, "%s: PUT %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
	} else {
		http_hdr_addf(r, "ETag", "\"%s\"", res.md5_hex);
		if (x->xck_type != S3CK_NONE)
			http_hdr_add(r, s3ck_header_name(x->xck_type), res.xck);
		s3_omd_version_hdr(r, &res.md, x->o.bck);
		s3_add_common_hdrs(r);
		http_respond(r, 200, NULL, NULL, 0);
	}
	lom_md_fini(&res.md);
}

static void put_commit_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	put_commit(r, x, x->want);
	s3o_free(x);
}

static void put_end_cb(http_req_t *r, int status)
{
	s3o_t *x = r->user;
	r->user = NULL;
	int rc = status ? status : x->err;
	if (!rc && x->dec)
		rc = awschunk_finish(x->dec);
	if (rc) {
		if (rc == AIS_EFORBIDDEN)
			s3_err(r, 403, "SignatureDoesNotMatch", "%s", x->dec ? awschunk_error(x->dec) : "bad signature");
		else if (rc == AIS_EINVAL && x->dec)
			s3_err(r, 400, "IncompleteBody", "aws-chunked body: %s", awschunk_error(x->dec));
		else
			s3_err_code(r, rc, "%s: PUT %s/%s failed: %s", node_name(), x->o.bck->name, x->o.oname,
				    err_str(rc));
		goto fail;
	}
	const char *dcl = http_hdr_get(r, "x-amz-decoded-content-length");
	if (x->dec && dcl && strtoll(dcl, NULL, 10) != x->size) {
		s3_err(r, 400, "IncompleteBody", "decoded length %lld != x-amz-decoded-content-length %s",
		       (long long)x->size, dcl);
		rc = AIS_EINVAL;
		goto fail;
	}
	if (x->have_sha) {
		char hex[80];
		s3ck_final_hex(&x->sha, hex);
		x->have_sha = false;
		if (strcasecmp(hex, x->auth.payload_sha256)) {
			s3_err(r, 400, "XAmzContentSHA256Mismatch",
			       "The provided 'x-amz-content-sha256' header does not match what was computed.");
			rc = AIS_EINVAL;
			goto fail;
		}
	}
	bool missing;
	const char *want = put_xck_want(r, x, &missing);
	if (missing) {
		rc = AIS_EINVAL;
		goto fail;
	}
	if (x->mpart) {
		/* UploadPart: the MPU core computed MD5 (ETag) and the x-amz-checksum; it verifies the latter */
		mpu_part_t *p = x->mpart;
		x->mpart = NULL;
		s3_mpu_part_end(r, p, want);
	} else if (x->vst != S3V_OFF) {
		/* the previous version is retained first (a copy when it is chunked): on the pool */
		x->want = want;
		r->user = x;
		http_defer(r, put_commit_cb);
		return;
	} else {
		put_commit(r, x, want);
	}
	s3o_free(x);
	return;
fail:
	obj_put_abort(x->w, rc); /* counted as a failed PUT */
	x->w = NULL;
	s3o_free(x);
}

/* x-amz-checksum-* header or declared trailer; 0 or responds */
static int put_xck_setup(http_req_t *r, s3o_t *x)
{
	const char *tr = http_hdr_get(r, "x-amz-trailer");
	if (tr && *tr) {
		s3ck_type_t t = s3ck_type_from_name(tr);
		if (t == S3CK_NONE || t == S3CK_MD5) {
			s3_err(r, 400, "InvalidRequest", "unsupported x-amz-trailer \"%s\"", tr);
			return AIS_EINVAL;
		}
		x->xck_type = t;
		x->xck_trailer = true;
	}
	static const s3ck_type_t types[] = {S3CK_CRC32, S3CK_CRC32C, S3CK_SHA1, S3CK_SHA256, S3CK_CRC64NVME};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *v = http_hdr_get(r, s3ck_header_name(types[i]));
		if (v && *v) {
			if (x->xck_type && x->xck_type != types[i]) {
				s3_err(r, 400, "InvalidRequest", "Expecting a single x-amz-checksum- header");
				return AIS_EINVAL;
			}
			x->xck_type = types[i];
			x->xck_trailer = false;
			snprintf(x->xck_want, sizeof(x->xck_want), "%s", v);
		}
	}
	if (!x->xck_type) {
		const char *alg = http_hdr_get(r, "x-amz-sdk-checksum-algorithm");
		s3ck_type_t t = alg ? s3ck_type_from_name(alg) : S3CK_NONE;
		if (t != S3CK_NONE && t != S3CK_MD5)
			x->xck_type = t; /* compute and store it even without a value to compare */
	}
	return 0;
}

/* the body's size: x-amz-decoded-content-length of an aws-chunked body, else Content-Length */
static int64_t put_size_hint(http_req_t *r, const s3o_t *x)
{
	const char *dcl = http_hdr_get(r, "x-amz-decoded-content-length");
	int64_t n;
	if (x->dec)
		return dcl && !parse_i64(dcl, &n) ? n : -1;
	return r->content_length;
}

static void s3o_put(http_req_t *r, s3o_t *x)
{
	unsigned char md5_want[16];
	bool have_md5_want = false;
	if (r->content_length < 0 && !r->chunked) { /* neither Content-Length nor a chunked body */
		s3_err(r, 411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
		goto fail;
	}
	const char *cmd5 = http_hdr_get(r, "Content-MD5");
	if (cmd5) {
		unsigned char raw[64];
		if (s3_b64_decode(cmd5, raw, sizeof(raw)) != 16) {
			s3_err(r, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
			goto fail;
		}
		memcpy(md5_want, raw, 16);
		have_md5_want = true;
	}
	if (put_xck_setup(r, x))
		goto fail;
	if (x->auth.verified && x->auth.payload == SIGV4_PAYLOAD_SHA256) {
		s3ck_init(&x->sha, S3CK_SHA256);
		x->have_sha = true;
	}
	if (s3_is_aws_chunked(r)) {
		x->dec = awschunk_new(&x->auth, put_sink, x);
		if (!x->dec) {
			s3_err(r, 500, "InternalError", "out of memory");
			goto fail;
		}
	}
	if (http_query_get(r, "uploadId")) {
		/* UploadPart: parts' Content-MD5 is not verified (as AIStore) */
		if (s3_mpu_part_begin(r, &x->o, x->xck_type, &x->mpart))
			goto fail;
		r->user = x;
		http_stream_body(r, put_data_cb, put_end_cb);
		return;
	}
	obj_put_opts_t opt = {
		.md5 = true,
		.md5_want = have_md5_want ? md5_want : NULL,
		.xck = x->xck_type,
		.xck_want = x->xck_want[0] ? x->xck_want : NULL,
		.size_hint = put_size_hint(r, x),
		.acct = OBJ_ACCT_PUT,
		.tag = "s3put",
		.md_cb = put_md_cb,
		.md_arg = x,
	};
	x->guard = s3_lock_enabled(x->bs3) || http_hdr_get(r, "If-Match") || http_hdr_get(r, "If-None-Match") ||
		   x->vst != S3V_OFF;
	opt.keep_version = x->vst != S3V_OFF; /* numbered by s3_ver_put_begin */
	obj_why_t why;
	int rc = obj_put_begin(&x->o, &opt, &x->w, &why);
	if (rc) {
		s3_err_code(r, rc, "%s: failed to create work file: %s", node_name(), err_str(rc));
		goto fail;
	}
	r->user = x;
	http_stream_body(r, put_data_cb, put_end_cb);
	return;
fail:
	s3o_free(x);
}

/* ---- CopyObject (pool thread) */

int s3_obj_copy_src(const char *hdr, char *bck, size_t bcap, char **key)
{
	size_t n = strcspn(hdr, "?");
	char *dec = malloc(n + 1);
	if (!dec)
		return AIS_ENOMEM;
	long dl = url_decode(hdr, n, dec, false);
	if (dl < 0) {
		free(dec);
		return AIS_EINVAL;
	}
	dec[dl] = '\0';
	char *p = dec;
	while (*p == '/')
		p++;
	char *sl = strchr(p, '/');
	if (!sl || !sl[1] || (size_t)(sl - p) >= bcap) {
		free(dec);
		return AIS_EINVAL;
	}
	snprintf(bck, bcap, "%.*s", (int)(sl - p), p);
	*key = strdup(sl + 1);
	free(dec);
	return *key ? 0 : AIS_ENOMEM;
}

const bck_t *s3_obj_copy_src_place(http_req_t *r, const bmd_t *bmd, const char *bucket, const char *key, obj_t *src)
{
	const bck_t *sbk = bmd_find(bmd, "ais", "", bucket);
	if (!sbk) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", bucket);
		return NULL;
	}
	if (obj_place(src, sbk, key)) {
		char qk[256];
		const char *bad = fqn_invalid(key, strlen(key));
		s3_err(r, 400, "InvalidArgument", "invalid source key \"%s\": %s", utf8_quote(key, strlen(key), qk, sizeof(qk)),
		       bad ? bad : "cannot be placed");
		return NULL;
	}
	return sbk;
}

static int copy_sink(void *arg, const char *buf, size_t n)
{
	return obj_put_write(arg, buf, n);
}

/* the writer's md callback of a copy: the ETag, the new version's owner, ACL, tags and lock */
static int copy_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	s3o_t *x = arg;
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", res->md5_hex);
	int rc = lom_md_custom_set(md, S3MD_ETAG, etag);
	return rc ? rc : s3_oattr_store(&x->attr, md);
}

/* the destination's custom metadata: the request's (REPLACE) or the source's content headers and
 * x-amz-meta-*, and the source's tags (the new version's own owner, ACL, lock and tags with
 * x-amz-tagging-directive REPLACE are added at commit) */
static int copy_md(http_req_t *r, bool replace, const lom_md_t *smd, lom_md_t *md)
{
	int rc = replace ? s3_obj_md_from_request(r, md) : 0;
	size_t pos = 0;
	const char *k, *v;
	while (!rc && lom_md_custom_next(smd, &pos, &k, &v)) {
		bool attr = s3_omd_is_attr_key(k);
		if (!strcmp(k, S3MD_ETAG) || !strcmp(k, "orig_fntl") || (attr && strcmp(k, S3MD_TAGS)) || (replace && !attr))
			continue;
		rc = lom_md_custom_set(md, k, v);
	}
	return rc;
}

/* the copy's checks of the source once its metadata is known (before its bytes are read when it
 * is local): 0, or responds and returns < 0 */
typedef struct copy_chk {
	http_req_t *r;
	s3o_t *x;
	const bck_t *sbk;
	const char *sb, *skey;
	const char *svid;  /* ?versionId of the source, or NULL */
	char cvid[S3V_ID_MAX]; /* the copied version's ID (x-amz-copy-source-version-id), "" unversioned */
	int64_t atime;    /* the source's Last-Modified (ns), 0: unknown yet */
	bool responded;
} copy_chk_t;

/* x-amz-copy-source-if-*: 0 or 412 */
static int copy_conditions(copy_chk_t *k, const lom_md_t *smd)
{
	http_req_t *r = k->r;
	const char *im = http_hdr_get(r, "x-amz-copy-source-if-match"),
		   *inm = http_hdr_get(r, "x-amz-copy-source-if-none-match"),
		   *ims = http_hdr_get(r, "x-amz-copy-source-if-modified-since"),
		   *ius = http_hdr_get(r, "x-amz-copy-source-if-unmodified-since");
	char etag[160];
	s3o_etag(smd, etag, sizeof(etag));
	time_t lm = (time_t)(k->atime / 1000000000), t;
	bool fail = (im && !etag_match(im, etag)) || (inm && etag_match(inm, etag)) ||
		    (!im && ius && parse_http_time(ius, &t) && lm > t) ||
		    (!inm && ims && parse_http_time(ims, &t) && lm <= t);
	if (!fail)
		return 0;
	s3_err(r, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
	k->responded = true;
	return AIS_ECONFLICT;
}

static int copy_check(copy_chk_t *k, const lom_md_t *smd)
{
	s3o_t *x = k->x;
	int rc = 0;
	if (s3_ver_state(k->sbk) != S3V_OFF)
		s3_ver_id(smd, k->cvid, sizeof(k->cvid));
	if ((rc = s3_ver_src_check(k->sbk, k->svid, smd))) {
		if (rc == AIS_ENOTFOUND) { /* e.g. a pulled source that is not that version */
			s3_err(k->r, 404, "NoSuchVersion", "The specified version does not exist.");
			k->responded = true;
			return AIS_ENOTFOUND;
		}
		s3_err(k->r, 400, "InvalidRequest",
		       "The source of a copy request may not specifically refer to a delete marker by version id.");
		k->responded = true;
		return AIS_EINVAL;
	}
	if (x->acc.enforce) {
		s3_conf_t *c = malloc(sizeof(*c));
		s3_acc_t sacc;
		if (!c)
			return AIS_ENOMEM;
		s3_conf_get(c);
		const json_t *sbs3 = json_object_get(k->sbk->ext, "s3");
		if (!s3_access_src(k->r, c, &x->acc.id, k->sb, k->skey, &sacc)) {
			s3_err(k->r, 403, "AccessDenied", "Access Denied: no permission to read the copy source");
			rc = AIS_EFORBIDDEN;
		} else {
			const char *owner = s3_omd_owner(smd, json_is_object(sbs3) ? sbs3 : NULL);
			json_t *g = s3_omd_grants(smd, owner);
			rc = s3_access_object(k->r, &sacc, S3P_READ, owner, g, k->sb, k->skey);
			json_decref(g);
		}
		free(c);
		if (rc) {
			k->responded = true;
			return rc;
		}
	}
	return copy_conditions(k, smd);
}

/* a remote source's Last-Modified (ns) from its owner's native HEAD; 0 when unknown */
static int64_t copy_remote_atime(const snode_t *peer, const bck_t *b, const char *name)
{
	char *qb = url_encode(b->name, false), *qn = url_encode(name, true);
	sbuf_t u = SBUF_INIT;
	int64_t at = 0;
	if (qb && qn)
		sbuf_addf(&u, "%s/v1/objects/%s/%s?provider=ais", peer->ctl.url, qb, qn);
	hreq_t h = {.method = "HEAD", .url = sbuf_str(&u), .timeout_ms = 10000, .want_hdrs = true};
	if (u.len && !hclient_do(&h) && h.status == 200) {
		char v[32];
		if (!hreq_resp_hdr(&h, "Ais-Atime", v, sizeof(v)) || parse_i64(v, &at))
			at = 0;
	}
	hreq_fini(&h);
	sbuf_fini(&u);
	free(qb);
	free(qn);
	return at;
}

/* copy the source (local: through the object reader; else pulled from its owner) into the
 * writer w after copy_check (before the bytes for a local source); the source's metadata into
 * smd. 0 or AIS_E* (err; k->responded when copy_check answered) */
static int copy_source(copy_chk_t *k, const obj_t *src, obj_put_t *w, lom_md_t *smd, char *err, size_t cap)
{
	snode_t peer;
	const char *ims = http_hdr_get(k->r, "x-amz-copy-source-if-modified-since"),
		   *ius = http_hdr_get(k->r, "x-amz-copy-source-if-unmodified-since");
	int64_t seq = 0;
	if (k->svid && s3_ver_state(src->bck) != S3V_OFF) {
		if (!strcmp(k->svid, "null") || parse_i64(k->svid, &seq))
			seq = -1; /* resolved below (local) */
	}
	if (obj_remote_owner(src->bck, src->oname, &peer)) {
		if (ims || ius)
			k->atime = copy_remote_atime(&peer, src->bck, src->oname);
		if (seq < 0) {
			snprintf(err, cap, "copying the null version of an object another target owns is not supported");
			return AIS_ENOTIMPL;
		}
		int rc = tmove_pull_ver(&peer, src->bck, src->oname, seq, 0, -1, copy_sink, w, smd, NULL, err, cap);
		return rc ? rc : copy_check(k, smd);
	}
	obj_t *vo = NULL;
	if (k->svid && s3_ver_state(src->bck) != S3V_OFF) {
		s3_ver_t *v;
		int n;
		int rc = s3_ver_all(src, &v, &n);
		if (rc)
			return rc;
		int i = s3_ver_find(v, n, k->svid);
		if (i < 0) {
			s3_ver_free(v, n);
			s3_err(k->r, 404, "NoSuchVersion", "The specified version does not exist.");
			k->responded = true;
			return AIS_ENOTFOUND;
		}
		if (v[i].marker) {
			rc = copy_check(k, &v[i].md); /* refuses it */
			s3_ver_free(v, n);
			return rc;
		}
		if (!v[i].current && (!(vo = malloc(sizeof(*vo))) || (rc = obj_ver_view(vo, src, v[i].seq)))) {
			free(vo);
			s3_ver_free(v, n);
			return rc ? rc : AIS_ENOMEM;
		}
		s3_ver_free(v, n);
	}
	obj_get_t g;
	obj_why_t why;
	int rc = obj_get_open(&g, vo ? vo : src, OBJ_GET_QUIET, &why);
	if (!rc)
		rc = obj_get_prepare(&g, &why);
	if (!rc)
		rc = lom_md_copy(smd, &g.md);
	if (!rc) {
		k->atime = g.md.atime;
		rc = copy_check(k, smd);
	}
	if (!rc)
		rc = obj_get_read_all(&g, copy_sink, w);
	obj_get_close(&g);
	free(vo);
	return rc;
}

static void s3o_copy_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	char sb[80], err[512] = "";
	char *skey = NULL;
	obj_t *src = calloc(1, sizeof(*src));
	lom_md_t smd;
	lom_md_init(&smd);
	const char *hdr = http_hdr_get(r, "x-amz-copy-source");
	if (!src) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto out;
	}
	if (s3_obj_copy_src(hdr, sb, sizeof(sb), &skey)) {
		s3_err(r, 400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
		goto out;
	}
	const bck_t *sbk = s3_obj_copy_src_place(r, x->o.bmd, sb, skey, src);
	if (!sbk)
		goto out;
	const char *dir = http_hdr_get(r, "x-amz-metadata-directive");
	bool replace = dir && !strcasecmp(dir, "REPLACE");
	if (dir && !replace && strcasecmp(dir, "COPY")) {
		s3_err(r, 400, "InvalidArgument", "Unknown metadata directive.");
		goto out;
	}
	if (!replace && sbk == x->o.bck && !strcmp(skey, x->o.oname) && !strstr(hdr, "?versionId=")) {
		s3_err(r, 400, "InvalidRequest",
		       "This copy request is illegal because it is trying to copy an object to itself without changing "
		       "the object's metadata, storage class, website redirect location or encryption attributes.");
		goto out;
	}
	obj_put_opts_t opt = {.md5 = true, .size_hint = -1, .acct = OBJ_ACCT_NONE, .tag = "s3copy",
			      .md_cb = copy_md_cb, .md_arg = x, .keep_version = x->vst != S3V_OFF};
	const char *vq = strstr(hdr, "?versionId=");
	char svid[S3V_ID_MAX + 1] = "";
	if (vq)
		snprintf(svid, sizeof(svid), "%.*s", (int)strcspn(vq + 11, "&"), vq + 11);
	if (vq && !s3_ver_id_valid(svid)) {
		s3_err(r, 400, "InvalidArgument", "Invalid version id specified");
		goto out;
	}
	copy_chk_t k = {.r = r, .x = x, .sbk = sbk, .sb = sb, .skey = skey, .svid = vq ? svid : NULL};
	obj_why_t why;
	int rc = obj_put_begin(&x->o, &opt, &x->w, &why);
	if (!rc)
		rc = copy_source(&k, src, x->w, &smd, err, sizeof(err));
	if (rc) { /* nothing of it stays, before the client hears of it */
		obj_put_abort(x->w, 0);
		x->w = NULL;
	}
	if (k.responded)
		goto out;
	if (rc == AIS_ENOTFOUND && vq) {
		s3_err(r, 404, "NoSuchVersion", "The specified version does not exist.");
		goto out;
	}
	if (rc == AIS_ENOTFOUND) {
		s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", sb, skey);
		goto out;
	}
	if (rc) {
		s3_err_code(r, rc, "copy source %s/%s: %s", sb, skey, err[0] ? err : err_str(rc));
		goto out;
	}
	if ((rc = copy_md(r, replace, &smd, obj_put_md(x->w)))) {
		s3_err_code(r, rc, "%s", err_str(rc));
		goto out;
	}
	obj_put_t *w = x->w;
	x->w = NULL;
	obj_put_res_t res;
	bool guard = s3_lock_enabled(x->bs3) || http_hdr_get(r, "If-Match") || http_hdr_get(r, "If-None-Match") ||
		     x->vst != S3V_OFF;
	s3_vput_t vp = {0};
	if (guard) {
		lom_md_t cur;
		bool have;
		s3_olock(x->o.digest);
		rc = s3_obj_current(&x->o, &cur, &have);
		if (rc)
			s3_err_code(r, rc, "copy to %s/%s: %s", x->o.bck->name, x->o.oname, err_str(rc));
		else
			rc = s3_obj_replace_ok(r, &x->o, &cur, have, s3_lock_enabled(x->bs3) && x->vst != S3V_ENABLED);
		lom_md_fini(&cur);
		if (!rc && x->vst != S3V_OFF && (rc = s3_ver_put_begin(&x->o, x->vst, obj_put_md(w), &vp)))
			s3_err_code(r, rc, "copy to %s/%s: versions: %s", x->o.bck->name, x->o.oname, err_str(rc));
		if (rc) {
			s3_ounlock(x->o.digest);
			obj_put_abort(w, 0);
			goto out;
		}
	}
	rc = obj_put_commit(w, &res, &why);
	if (x->vst != S3V_OFF)
		s3_ver_put_end(&x->o, &vp, rc == 0);
	if (guard)
		s3_ounlock(x->o.digest);
	if (rc) {
		s3_err_code(r, rc, "copy to %s/%s: %s", x->o.bck->name, x->o.oname, err_str(rc));
	} else {
		char t[40];
		s3_fmt_iso(res.md.atime, t, sizeof(t));
		sbuf_t b = SBUF_INIT;
		s3xml_begin(&b);
		s3xml_open_ns(&b, "CopyObjectResult");
		s3xml_elem(&b, "LastModified", t);
		s3xml_elemf(&b, "ETag", "\"%s\"", res.md5_hex);
		s3xml_close(&b, "CopyObjectResult");
		s3_omd_version_hdr(r, &res.md, x->o.bck);
		if (k.cvid[0])
			http_hdr_add(r, "x-amz-copy-source-version-id", k.cvid);
		s3_xml_respond(r, 200, b.p, b.len);
		sbuf_fini(&b);
	}
	lom_md_fini(&res.md);
out:
	lom_md_fini(&smd);
	free(skey);
	if (src)
		obj_fini(src);
	free(src);
	s3o_free(x);
}

/* the new version's owner, ACL, tags and lock from a PutObject / CopyObject request: 0 or responded */
static int s3o_write_attrs(http_req_t *r, s3o_t *x, const s3_conf_t *c, bool copy)
{
	unsigned flags = S3_OA_LOCK | S3_OA_TAGS;
	if (copy) {
		const char *td = http_hdr_get(r, "x-amz-tagging-directive");
		if (td && strcasecmp(td, "COPY") && strcasecmp(td, "REPLACE")) {
			s3_err(r, 400, "InvalidArgument", "Unknown tagging directive.");
			return AIS_EINVAL;
		}
		if (!td || strcasecmp(td, "REPLACE"))
			flags &= ~(unsigned)S3_OA_TAGS; /* the source's tags */
	}
	s3_fail_t f = {0};
	int rc = s3_oattr_from_request(r, c, &x->acc.id, x->bs3, flags, now_ns(), &x->attr, &f);
	if (rc)
		s3_err(r, f.status, f.code, "%s", f.msg);
	return rc;
}

void s3_obj_handle(http_req_t *r, s3_req_t *q)
{
	s3_conf_t c;
	s3_conf_get(&c);
	s3o_t *x = calloc(1, sizeof(*x));
	if (!x) {
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	x->q = q;
	x->r = r;
	if (s3_auth_check_obj(r, &c, &x->auth, &x->acc)) {
		s3o_free(x);
		return;
	}
	obj_why_t why;
	int rc = obj_init(&x->o, "ais", "", q->bucket, q->object, &why);
	if (why == OBJ_WHY_NO_BUCKET) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
	} else if (why == OBJ_WHY_BAD_NAME) {
		size_t nl = strlen(q->object);
		const char *bad = fqn_invalid(q->object, nl);
		char qn[256];
		s3_err(r, 400, nl > FQN_OBJNAME_MAX ? "KeyTooLongError" : "InvalidArgument",
		       "invalid object name \"%s\": %s", utf8_quote(q->object, nl, qn, sizeof(qn)),
		       bad ? bad : "name too long");
	} else if (rc) {
		s3_err_code(r, rc, "%s: no mountpaths available", node_name());
	}
	if (rc) {
		s3o_free(x);
		return;
	}
	const json_t *bs3 = json_object_get(x->o.bck->ext, "s3");
	x->bs3 = json_is_object(bs3) ? bs3 : NULL;
	x->vst = s3_ver_state(x->o.bck);
	if (s3_osub_is(r)) {
		s3_osub_handle(r, x->q, &x->o, &x->acc); /* takes q and the object context */
		x->q = NULL;
		s3o_free(x);
		return;
	}
	if (s3_mpu_is_mpu(r)) {
		s3_mpu_handle(r, x->q, &x->o, &x->acc); /* takes q and the object context */
		x->q = NULL;
		s3o_free(x);
		return;
	}
	bool copy = r->method == HTTP_M_PUT && http_hdr_get(r, "x-amz-copy-source");
	if (r->method == HTTP_M_PUT && !http_query_get(r, "uploadId") && s3o_write_attrs(r, x, &c, copy)) {
		s3o_free(x);
		return;
	}
	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD:
		s3o_get(r, x);
		break;
	case HTTP_M_PUT:
		if (copy) {
			r->user = x;
			http_defer(r, s3o_copy_cb);
		} else {
			s3o_put(r, x);
		}
		break;
	case HTTP_M_DELETE:
		if (x->vst != S3V_OFF) { /* retains the current version (a copy when chunked): on the pool */
			r->user = x;
			http_defer(r, s3o_delete_cb);
		} else {
			s3o_delete(r, x);
		}
		break;
	default:
		s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		s3o_free(x);
	}
}
