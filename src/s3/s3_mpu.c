/* s3_mpu: S3 multipart upload at the target, on the protocol-independent core (obj/mpu.h):
 * CreateMultipartUpload, CompleteMultipartUpload, AbortMultipartUpload, ListParts,
 * UploadPartCopy, the begin/end of UploadPart (its body goes through s3_object.c's aws-chunked
 * pipeline), and the target's share of ListMultipartUploads (JSON, merged by the proxy in
 * s3_uploads.c). The S3 headers given at create (Content-Type & co, x-amz-meta-*,
 * x-amz-checksum-algorithm) travel in the upload's manifest meta as packed "k\0v\0" pairs and
 * become the object's custom metadata at complete (except the algorithm). The composite
 * checksum ("<b64>-N") is stored as custom x-amz-checksum-<algo>. Blocking work runs on the pool.
 * UploadPartCopy reads a local source through the object reader (obj/obj_get.h) and pulls a
 * remote one from its owner over the target-to-target transport (tmove_pull, target/tmove.h). */
#include "s3/s3_tgt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "core/s3ck.h"
#include "s3/s3xml.h"
#include "obj/chunk.h"
#include "obj/mpu.h"
#include "obj/obj_get.h"
#include "s3/s3_acl.h"
#include "s3/s3_omd.h"

#define S3M_ALGO_KEY "x-amz-checksum-algorithm" /* in the meta only, never in the object's md */
#define S3M_MAX_BODY (4u << 20)
#define S3M_MAX_PARTS 1000

typedef struct s3m {
	s3_req_t *q;
	obj_t o;
	s3_acc_t acc;       /* the bucket-level verdict (requester, bucket owner) */
	const json_t *bs3;  /* the bucket's S3 metadata (in o.bmd) or NULL */
	char id[UFEST_ID_MAX];
} s3m_t;

static void s3m_free(s3m_t *m)
{
	obj_fini(&m->o);
	free(m->q);
	free(m);
}

/* <?xml?><root xmlns><Bucket/><Key/><UploadId/> of an upload's response */
static void mpu_xml_open(sbuf_t *b, const char *root, const s3m_t *m, const char *id)
{
	s3xml_begin(b);
	s3xml_open_ns(b, root);
	s3xml_elem(b, "Bucket", m->o.bck->name);
	s3xml_elem(b, "Key", m->o.oname);
	s3xml_elem(b, "UploadId", id);
}

static const char *upload_id(http_req_t *r)
{
	const char *id = http_query_get(r, "uploadId");
	return id ? id : "";
}

void s3_mpu_err(http_req_t *r, int rc, mpu_why_t why)
{
	switch (why) {
	case MPU_WHY_NO_SUCH_UPLOAD:
		s3_err(r, 404, "NoSuchUpload",
		       "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
		       "aborted or completed.");
		return;
	case MPU_WHY_INVALID_PART:
	case MPU_WHY_PARTIAL:
		s3_err(r, 400, "InvalidPart",
		       "One or more of the specified parts could not be found. The part may not have been uploaded, "
		       "or the specified entity tag may not match the part's entity tag.");
		return;
	case MPU_WHY_INVALID_ORDER:
		s3_err(r, 400, "InvalidPartOrder",
		       "The list of parts was not in ascending order. The parts list must be specified in order by "
		       "part number.");
		return;
	case MPU_WHY_TOO_SMALL:
		s3_err(r, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
		return;
	case MPU_WHY_BAD_CKSUM:
		s3_err(r, 400, "BadDigest", "The checksum you specified did not match the calculated checksum.");
		return;
	default:
		s3_err_code(r, rc, "%s: multipart upload: %s", node_name(), err_str(rc));
	}
}

static bool part_number(http_req_t *r, int *num)
{
	const char *pn = http_query_get(r, "partNumber");
	int64_t v = 0;
	if (!pn || parse_i64(pn, &v) || v < 1 || v > UFEST_MAX_CHUNKS) {
		s3_err(r, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
		return false;
	}
	*num = (int)v;
	return true;
}

/* ---- UploadPart: called by s3_object.c around its body pipeline */

int s3_mpu_part_begin(http_req_t *r, const obj_t *o, s3ck_type_t xt, mpu_part_t **out)
{
	int num;
	if (!part_number(r, &num))
		return AIS_EINVAL;
	mpu_why_t why;
	int rc = mpu_part_begin(o, upload_id(r), num, xt != S3CK_NONE ? s3ck_algo_name(xt) : NULL, 0, out, &why);
	if (rc)
		s3_mpu_err(r, rc, why);
	return rc;
}

void s3_mpu_part_end(http_req_t *r, mpu_part_t *p, const char *want_xck)
{
	mpu_part_info_t info;
	mpu_why_t why;
	int rc = mpu_part_end(p, true, want_xck, &info, &why);
	if (rc) {
		s3_mpu_err(r, rc, why);
		return;
	}
	http_hdr_addf(r, "ETag", "\"%s\"", info.etag);
	if (info.xck_type[0]) {
		s3ck_type_t t = s3ck_type_from_name(info.xck_type);
		if (t != S3CK_NONE)
			http_hdr_add(r, s3ck_header_name(t), info.xck_val);
	}
	s3_add_common_hdrs(r);
	http_respond(r, 200, NULL, NULL, 0);
}

/* ---- CreateMultipartUpload */

static void create_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	lom_md_t md;
	lom_md_init(&md);
	s3_oattr_t attr;
	s3_fail_t f = {0};
	s3_conf_t *c = malloc(sizeof(*c));
	if (!c) {
		s3_err(r, 500, "InternalError", "out of memory");
		lom_md_fini(&md);
		s3m_free(m);
		return;
	}
	s3_conf_get(c);
	int rc = s3_oattr_from_request(r, c, &m->acc.id, m->bs3, S3_OA_TAGS | S3_OA_LOCK, now_ns(), &attr, &f);
	free(c);
	if (rc) {
		s3_err(r, f.status, f.code, "%s", f.msg);
		lom_md_fini(&md);
		s3m_free(m);
		return;
	}
	rc = s3_oattr_store(&attr, &md);
	s3_oattr_fini(&attr);
	if (!rc)
		rc = s3_obj_md_from_request(r, &md);
	const char *alg = http_hdr_get(r, "x-amz-checksum-algorithm");
	s3ck_type_t t = S3CK_NONE;
	if (alg && *alg) {
		t = s3ck_type_from_name(alg);
		if (t == S3CK_NONE || t == S3CK_MD5) {
			s3_err(r, 400, "InvalidRequest", "Checksum algorithm \"%s\" is not supported", alg);
			goto out;
		}
		if (!rc)
			rc = lom_md_custom_set(&md, S3M_ALGO_KEY, s3ck_algo_name(t));
	}
	char id[UFEST_ID_MAX];
	if (!rc)
		rc = mpu_init(&m->o, md.custom, md.custom_len, id, sizeof(id));
	if (rc) {
		s3_err_code(r, rc, "%s: create multipart upload of %s/%s: %s", node_name(), m->o.bck->name, m->o.oname,
			    err_str(rc));
		goto out;
	}
	sbuf_t b = SBUF_INIT;
	mpu_xml_open(&b, "InitiateMultipartUploadResult", m, id);
	s3xml_close(&b, "InitiateMultipartUploadResult");
	if (t != S3CK_NONE)
		http_hdr_add(r, "x-amz-checksum-algorithm", s3ck_algo_name(t));
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
out:
	lom_md_fini(&md);
	s3m_free(m);
}

/* ---- CompleteMultipartUpload */

typedef struct cmpl {
	char xck_name[UFEST_XCK_TYPE_MAX]; /* "CRC32" */
	char xck_val[UFEST_XCK_VAL_MAX + 8];
} cmpl_t;

/* meta "k\0v\0..." of the upload → the object's custom md; composite checksum */
static int complete_md_cb(lom_md_t *md, const ufest_t *u, void *arg)
{
	cmpl_t *cx = arg;
	size_t pos = 0;
	while (u->meta && pos < u->meta_len) {
		const char *k = u->meta + pos;
		size_t kl = strnlen(k, u->meta_len - pos);
		if (pos + kl + 1 >= u->meta_len)
			break;
		const char *v = k + kl + 1;
		size_t vl = strnlen(v, u->meta_len - pos - kl - 1);
		if (pos + kl + 1 + vl >= u->meta_len)
			break;
		if (strcmp(k, S3M_ALGO_KEY) && strcmp(k, S3MD_ETAG))
			lom_md_custom_set(md, k, v);
		pos += kl + 1 + vl + 1;
	}
	char type[UFEST_XCK_TYPE_MAX], val[UFEST_XCK_VAL_MAX + 8];
	if (!mpu_composite_xck(u, type, sizeof(type), val, sizeof(val))) {
		s3ck_type_t t = s3ck_type_from_name(type);
		if (t != S3CK_NONE && !lom_md_custom_set(md, s3ck_header_name(t), val)) {
			snprintf(cx->xck_name, sizeof(cx->xck_name), "%s", s3ck_algo_name(t));
			snprintf(cx->xck_val, sizeof(cx->xck_val), "%s", val);
		}
	}
	return 0;
}

static const char *meta_get(const ufest_t *u, const char *key)
{
	size_t pos = 0;
	while (u->meta && pos < u->meta_len) {
		const char *k = u->meta + pos;
		size_t kl = strnlen(k, u->meta_len - pos);
		if (pos + kl + 1 >= u->meta_len)
			return NULL;
		const char *v = k + kl + 1;
		size_t vl = strnlen(v, u->meta_len - pos - kl - 1);
		if (pos + kl + 1 + vl >= u->meta_len)
			return NULL;
		if (!strcmp(k, key))
			return v;
		pos += kl + 1 + vl + 1;
	}
	return NULL;
}

/* the part checksums given in the request must match those computed at upload */
static int check_part_cksums(const ufest_t *u, const s3xml_complete_t *pl, mpu_why_t *why)
{
	for (int i = 0; i < pl->nparts; i++) {
		const s3xml_part_t *p = &pl->parts[i];
		const ufest_chunk_t *c = ufest_get(u, p->number);
		if (!p->checksum[0] || !c || !c->xck_type[0] || strcasecmp(c->xck_type, p->checksum_algo))
			continue;
		if (strcmp(c->xck_val, p->checksum)) {
			*why = MPU_WHY_INVALID_PART;
			return AIS_EINVAL;
		}
	}
	return 0;
}

/* "<b64>[-N]" without the part count */
static size_t xck_base_len(const char *v)
{
	const char *d = strchr(v, '-');
	return d ? (size_t)(d - v) : strlen(v);
}

/* the whole-upload x-amz-checksum-<algo> of the request (if any) must equal the composite of the
 * chosen parts: 0, or AIS_ECKSUM (BadDigest) */
static int check_upload_cksum(http_req_t *r, const ufest_t *u, const mpu_cpart_t *parts, int n)
{
	static const s3ck_type_t types[] = {S3CK_CRC32, S3CK_CRC32C, S3CK_SHA1, S3CK_SHA256, S3CK_CRC64NVME};
	const char *want = NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && !want; i++)
		want = http_hdr_get(r, s3ck_header_name(types[i]));
	if (!want)
		return 0;
	ufest_t sel;
	ufest_init(&sel);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		const ufest_chunk_t *c = ufest_get(u, parts[i].num);
		if (!c)
			continue; /* mpu_complete answers InvalidPart */
		ufest_chunk_t cc = *c;
		char *old = NULL;
		if (!(cc.path = strdup(c->path)) || ufest_add(&sel, &cc, &old)) {
			free(cc.path);
			rc = AIS_ENOMEM;
		}
		free(old);
	}
	char type[UFEST_XCK_TYPE_MAX], val[UFEST_XCK_VAL_MAX + 8];
	if (!rc && (mpu_composite_xck(&sel, type, sizeof(type), val, sizeof(val)) ||
		    xck_base_len(val) != xck_base_len(want) || strncmp(val, want, xck_base_len(val))))
		rc = AIS_ECKSUM;
	ufest_fini(&sel);
	return rc;
}

/* a completed upload completed again: 200 with what the first completion answered while the
 * object is still that upload's result (its LOM names the upload's manifest). true: responded */
static bool complete_again(http_req_t *r, s3m_t *m, const char *id)
{
	lom_md_t md;
	bool have;
	if (s3_obj_current(&m->o, &md, &have) || !have || !(md.flags & LOM_FL_CHUNKED) || strcmp(md.uid, id)) {
		lom_md_fini(&md);
		return false;
	}
	const char *etag = lom_md_custom_get(&md, S3MD_ETAG);
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "CompleteMultipartUploadResult");
	char *ek = url_encode(m->o.oname, true);
	s3xml_elemf(&b, "Location", "/%s/%s", m->o.bck->name, ek ? ek : "");
	free(ek);
	s3xml_elem(&b, "Bucket", m->o.bck->name);
	s3xml_elem(&b, "Key", m->o.oname);
	s3xml_elem(&b, "ETag", etag ? etag : "");
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(&md, &pos, &k, &v)) {
		s3ck_type_t t = strncmp(k, S3MD_CKSUM_PREFIX, strlen(S3MD_CKSUM_PREFIX)) ? S3CK_NONE : s3ck_type_from_name(k);
		if (t == S3CK_NONE || t == S3CK_MD5)
			continue;
		char tag[40];
		snprintf(tag, sizeof(tag), "Checksum%s", s3ck_algo_name(t));
		s3xml_elem(&b, tag, v);
		s3xml_elem(&b, "ChecksumType", strchr(v, '-') ? "COMPOSITE" : "FULL_OBJECT");
		break;
	}
	s3xml_close(&b, "CompleteMultipartUploadResult");
	s3_omd_version_hdr(r, &md, m->o.bck);
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
	lom_md_fini(&md);
	return true;
}

static void complete_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	s3xml_complete_t pl = {0};
	char err[256];
	mpu_cpart_t *parts = NULL;
	lom_md_t md;
	lom_md_init(&md);
	ufest_t u;
	ufest_init(&u);
	bool locked = false;
	if (s3xml_parse_complete(r->body ? r->body : "", r->body_len, &pl, err, sizeof(err))) {
		s3_err(r, 400, "MalformedXML",
		       "The XML you provided was not well-formed or did not validate against our published schema: %s",
		       err);
		goto out;
	}
	const char *id = upload_id(r);
	mpu_why_t why = MPU_WHY_NONE;
	int rc = mpu_get(&m->o, id, &u, &why);
	if (rc == AIS_ENOTFOUND && complete_again(r, m, id))
		goto done;
	if (rc || (rc = check_part_cksums(&u, &pl, &why))) {
		s3_mpu_err(r, rc, why);
		goto done;
	}
	parts = pl.nparts > 0 ? calloc((size_t)pl.nparts, sizeof(*parts)) : NULL;
	if (!parts) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto done;
	}
	int n = 0;
	for (int i = 0; i < pl.nparts; i++) {
		/* a part number given again (a part re-sent while the first send was in flight): the
		 * later entry, whose upload finished last, stands */
		if (n && pl.parts[i].number == parts[n - 1].num)
			n--;
		parts[n].num = pl.parts[i].number;
		parts[n].etag = pl.parts[i].etag;
		if (n && parts[n].num < parts[n - 1].num) { /* S3 checks the order before anything else */
			s3_mpu_err(r, AIS_EINVAL, MPU_WHY_INVALID_ORDER);
			goto done;
		}
		n++;
	}
	if ((rc = check_upload_cksum(r, &u, parts, n))) {
		if (rc == AIS_ECKSUM)
			s3_err(r, 400, "BadDigest", "The checksum you specified did not match the calculated checksum.");
		else
			s3_err_code(r, rc, "%s", err_str(rc));
		goto done;
	}
	bool lock = s3_lock_enabled(m->bs3);
	if (lock || http_hdr_get(r, "If-Match") || http_hdr_get(r, "If-None-Match")) {
		/* the conditions and the commit under the S3 object lock */
		lom_md_t cur;
		bool have;
		s3_olock(m->o.digest);
		locked = true;
		rc = s3_obj_current(&m->o, &cur, &have);
		if (rc)
			s3_err_code(r, rc, "%s: %s/%s: %s", node_name(), m->o.bck->name, m->o.oname, err_str(rc));
		else
			rc = s3_obj_replace_ok(r, &m->o, &cur, have, lock);
		lom_md_fini(&cur);
		if (rc)
			goto done;
	}
	cmpl_t cx;
	memset(&cx, 0, sizeof(cx));
	char etag[64];
	rc = mpu_complete(&m->o, id, parts, n, MPU_C_S3, complete_md_cb, &cx, &md, etag, sizeof(etag), &why);
	if (locked) {
		s3_ounlock(m->o.digest);
		locked = false;
	}
	if (rc) {
		if (why == MPU_WHY_NO_SUCH_UPLOAD && complete_again(r, m, id)) /* a concurrent completion won */
			goto done;
		s3_mpu_err(r, rc, why);
		goto done;
	}
	log_info("s3: completed upload %s of %s/%s: %d part(s), %lld bytes", id, m->o.bck->name, m->o.oname, n,
		 (long long)md.size);
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "CompleteMultipartUploadResult");
	char *ek = url_encode(m->o.oname, true);
	s3xml_elemf(&b, "Location", "/%s/%s", m->o.bck->name, ek ? ek : "");
	free(ek);
	s3xml_elem(&b, "Bucket", m->o.bck->name);
	s3xml_elem(&b, "Key", m->o.oname);
	s3xml_elemf(&b, "ETag", "\"%s\"", etag);
	if (cx.xck_name[0]) {
		char tag[40];
		snprintf(tag, sizeof(tag), "Checksum%s", cx.xck_name);
		s3xml_elem(&b, tag, cx.xck_val);
		s3xml_elem(&b, "ChecksumType", "COMPOSITE");
	}
	s3xml_close(&b, "CompleteMultipartUploadResult");
	s3_omd_version_hdr(r, &md, m->o.bck);
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
done:
	if (locked)
		s3_ounlock(m->o.digest);
	s3xml_complete_fini(&pl);
out:
	ufest_fini(&u);
	free(parts);
	lom_md_fini(&md);
	s3m_free(m);
}

/* ---- AbortMultipartUpload */

static void abort_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	mpu_why_t why;
	int rc = mpu_abort(&m->o, upload_id(r), &why);
	if (rc) {
		s3_mpu_err(r, rc, why);
	} else {
		s3_add_common_hdrs(r);
		http_respond(r, 204, NULL, NULL, 0);
	}
	s3m_free(m);
}

/* ---- ListParts */

static bool parse_uint_q(http_req_t *r, const char *key, int64_t dflt, int64_t *out)
{
	const char *v = http_query_get(r, key);
	*out = dflt;
	if (!v || !*v)
		return true;
	if (parse_i64(v, out) || *out < 0) {
		s3_err(r, 400, "InvalidArgument", "Provided %s not an integer or within integer range", key);
		return false;
	}
	return true;
}

/* <Initiator> and <Owner> of an upload: the owner its object will have (s3-owner of the meta) */
static void upload_owner_xml(sbuf_t *b, const ufest_t *u, const json_t *bs3)
{
	const char *owner = meta_get(u, S3MD_OWNER);
	if (!owner || !*owner)
		owner = s3_omd_owner(NULL, bs3);
	s3_conf_t *c = malloc(sizeof(*c));
	char name[S3_ID_MAX];
	if (c)
		s3_conf_get(c);
	if (!c || !s3_auth_user(c, owner, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", owner);
	free(c);
	static const char *const tags[] = {"Initiator", "Owner"};
	for (int i = 0; i < 2; i++) {
		s3xml_open(b, tags[i]);
		s3xml_elem(b, "ID", owner);
		s3xml_elem(b, "DisplayName", name);
		s3xml_close(b, tags[i]);
	}
}

static void list_parts_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	int64_t marker, maxp;
	ufest_t u;
	ufest_init(&u);
	if (!parse_uint_q(r, "part-number-marker", 0, &marker) ||
	    !parse_uint_q(r, "max-parts", S3M_MAX_PARTS, &maxp))
		goto out;
	if (maxp > S3M_MAX_PARTS)
		maxp = S3M_MAX_PARTS;
	mpu_why_t why;
	const char *id = upload_id(r);
	int rc = mpu_get(&m->o, id, &u, &why);
	if (rc) {
		s3_mpu_err(r, rc, why);
		goto out;
	}
	sbuf_t b = SBUF_INIT;
	mpu_xml_open(&b, "ListPartsResult", m, id);
	upload_owner_xml(&b, &u, m->bs3);
	s3xml_elem(&b, "StorageClass", "STANDARD");
	s3xml_elemf(&b, "PartNumberMarker", "%lld", (long long)marker);
	const char *alg = meta_get(&u, S3M_ALGO_KEY);
	if (alg)
		s3xml_elem(&b, "ChecksumAlgorithm", alg);
	int n = 0, last = 0;
	bool trunc = false;
	sbuf_t pb = SBUF_INIT;
	for (int i = 0; i < u.count; i++) {
		const ufest_chunk_t *c = &u.chunks[i];
		if (c->num <= marker)
			continue;
		if (n == maxp) {
			trunc = true;
			break;
		}
		struct stat st;
		char t[40];
		s3_fmt_iso(stat(c->path, &st) ? u.created : (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
			   t, sizeof(t));
		s3xml_open(&pb, "Part");
		s3xml_elemf(&pb, "PartNumber", "%d", c->num);
		s3xml_elem(&pb, "LastModified", t);
		char etag[40];
		etag[0] = '"';
		for (int k = 0; k < 16; k++)
			snprintf(etag + 1 + 2 * k, 3, "%02x", c->md5[k]);
		s3xml_elemf(&pb, "ETag", "%s\"", etag);
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
	s3xml_elemf(&b, "NextPartNumberMarker", "%d", last);
	s3xml_elemf(&b, "MaxParts", "%lld", (long long)maxp);
	s3xml_elem(&b, "IsTruncated", trunc ? "true" : "false");
	if (pb.len)
		sbuf_add(&b, pb.p, pb.len);
	s3xml_close(&b, "ListPartsResult");
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&pb);
	sbuf_fini(&b);
out:
	ufest_fini(&u);
	s3m_free(m);
}

/* ---- UploadPartCopy */

typedef struct pcopy {
	mpu_part_t *p;
	s3_acc_t sacc;        /* the copy source's bucket-level verdict */
	const json_t *sbs3;   /* the source bucket's S3 metadata or NULL */
} pcopy_t;

/* the source's object ACL allows the requester to read it: 0 or AIS_EFORBIDDEN */
static int pcopy_check(const pcopy_t *pc, const lom_md_t *md)
{
	const char *owner = s3_omd_owner(md, pc->sbs3);
	json_t *g = s3_omd_grants(md, owner);
	int rc = s3_access_object_q(&pc->sacc, S3P_READ, owner, g);
	json_decref(g);
	return rc ? AIS_EFORBIDDEN : 0;
}

static int pcopy_sink(void *arg, const char *buf, size_t n)
{
	return mpu_part_write(((pcopy_t *)arg)->p, buf, n);
}

/* "bytes=first-last" → off, len; false when malformed */
static bool copy_range(const char *h, int64_t *off, int64_t *len)
{
	int64_t a, b;
	char *end;
	if (strncmp(h, "bytes=", 6))
		return false;
	a = strtoll(h + 6, &end, 10);
	if (end == h + 6 || *end != '-')
		return false;
	const char *p = end + 1;
	b = strtoll(p, &end, 10);
	if (end == p || *end || a < 0 || b < a)
		return false;
	*off = a;
	*len = b - a + 1;
	return true;
}

/* copy from the local source object (monolithic or chunked) into the part, through the object
 * reader (its size check: never bytes of a truncated or extended file) */
static int copy_local(const obj_t *src, int64_t off, int64_t len, bool ranged, pcopy_t *pc, int64_t *srcsize)
{
	obj_get_t g;
	obj_why_t why;
	char *buf = NULL;
	int rc = obj_get_open(&g, src, OBJ_GET_QUIET, &why);
	if (!rc)
		rc = obj_get_prepare(&g, &why);
	if (!rc)
		rc = pcopy_check(pc, &g.md);
	if (rc)
		goto out;
	*srcsize = g.size;
	if (!ranged) {
		off = 0;
		len = g.size;
	} else if (off >= g.size || off + len > g.size) {
		rc = AIS_ERANGE;
		goto out;
	}
	if (!(buf = malloc(1 << 20))) {
		rc = AIS_ENOMEM;
		goto out;
	}
	int64_t pos = off, end = off + len;
	while (!rc && pos < end) {
		size_t want = (size_t)(end - pos) < (1u << 20) ? (size_t)(end - pos) : (1u << 20);
		ssize_t n = obj_get_pread(&g, buf, want, pos);
		if (n <= 0) {
			rc = AIS_EIO;
			break;
		}
		rc = mpu_part_write(pc->p, buf, (size_t)n);
		pos += n;
	}
out:
	free(buf);
	obj_get_close(&g);
	return rc;
}

static void part_copy_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	char sb[80], err[512] = "";
	char *skey = NULL;
	obj_t *src = calloc(1, sizeof(*src));
	pcopy_t pc = {0};
	int num;
	if (!src) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto out;
	}
	if (!part_number(r, &num))
		goto out;
	if (s3_obj_copy_src(http_hdr_get(r, "x-amz-copy-source"), sb, sizeof(sb), &skey)) {
		s3_err(r, 400, "InvalidArgument",
		       "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
		goto out;
	}
	const char *rh = http_hdr_get(r, "x-amz-copy-source-range");
	int64_t off = 0, len = -1;
	bool ranged = rh && *rh;
	if (ranged && !copy_range(rh, &off, &len)) {
		s3_err(r, 400, "InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last "
		       "where first and last are the zero-based offsets of the first and last bytes to copy");
		goto out;
	}
	const bck_t *sbk = s3_obj_copy_src_place(r, m->o.bmd, sb, skey, src);
	if (!sbk)
		goto out;
	const json_t *sbs3 = json_object_get(sbk->ext, "s3");
	pc.sbs3 = json_is_object(sbs3) ? sbs3 : NULL;
	s3_conf_t *c = malloc(sizeof(*c));
	bool src_ok = c != NULL;
	if (c) {
		s3_conf_get(c);
		src_ok = s3_access_src(r, c, &m->acc.id, sb, skey, &pc.sacc);
		free(c);
	}
	if (!src_ok) {
		s3_err(r, 403, "AccessDenied", "Access Denied: no permission to read the copy source");
		goto out;
	}
	snode_t peer;
	bool remote = obj_remote_owner(sbk, skey, &peer);
	mpu_why_t why;
	int rc = mpu_part_begin(&m->o, upload_id(r), num, NULL, 0, &pc.p, &why);
	if (rc) {
		s3_mpu_err(r, rc, why);
		goto out;
	}
	int64_t srcsize = -1;
	if (!remote)
		rc = copy_local(src, off, len, ranged, &pc, &srcsize);
	else {
		lom_md_t smd;
		lom_md_init(&smd);
		rc = tmove_pull(&peer, sbk, skey, off, ranged ? len : -1, pcopy_sink, &pc, &smd, &srcsize, err,
				sizeof(err));
		if (!rc)
			rc = pcopy_check(&pc, &smd);
		lom_md_fini(&smd);
	}
	mpu_part_info_t info;
	mpu_why_t why2;
	int rc2 = mpu_part_end(pc.p, rc == 0, NULL, &info, &why2);
	if (rc == AIS_ENOTFOUND) {
		s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", sb, skey);
	} else if (rc == AIS_ERANGE) {
		if (srcsize >= 0)
			s3_err(r, 400, "InvalidRange", "Range specified is not valid for source object of size: %lld",
			       (long long)srcsize);
		else
			s3_err(r, 400, "InvalidRange", "Range specified is not valid for the source object");
	} else if (rc == AIS_EFORBIDDEN) {
		s3_err(r, 403, "AccessDenied", "Access Denied: no permission to read the copy source");
	} else if (rc) {
		s3_err_code(r, rc, "copy part from %s/%s: %s", sb, skey, err[0] ? err : err_str(rc));
	} else if (rc2) {
		s3_mpu_err(r, rc2, why2);
	} else {
		char t[40];
		s3_fmt_iso(now_ns(), t, sizeof(t));
		sbuf_t b = SBUF_INIT;
		s3xml_begin(&b);
		s3xml_open_ns(&b, "CopyPartResult");
		s3xml_elem(&b, "LastModified", t);
		s3xml_elemf(&b, "ETag", "\"%s\"", info.etag);
		s3xml_close(&b, "CopyPartResult");
		s3_xml_respond(r, 200, b.p, b.len);
		sbuf_fini(&b);
	}
out:
	free(skey);
	if (src)
		obj_fini(src);
	free(src);
	s3m_free(m);
}

/* ---- dispatch */

bool s3_mpu_is_mpu(const http_req_t *r)
{
	bool up = http_query_get(r, "uploads") != NULL, id = http_query_get(r, "uploadId") != NULL;
	switch (r->method) {
	case HTTP_M_POST:
		return true;
	case HTTP_M_GET:
	case HTTP_M_DELETE:
		return id;
	case HTTP_M_PUT:
		return id && http_hdr_get(r, "x-amz-copy-source") != NULL;
	default:
		return up || id;
	}
}

void s3_mpu_handle(http_req_t *r, s3_req_t *q, obj_t *o, const s3_acc_t *acc)
{
	s3m_t *m = calloc(1, sizeof(*m));
	if (!m) {
		obj_fini(o);
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	m->q = q;
	m->acc = *acc;
	obj_move(&m->o, o); /* takes the BMD reference and the name */
	const json_t *bs3 = json_object_get(m->o.bck->ext, "s3");
	m->bs3 = json_is_object(bs3) ? bs3 : NULL;
	r->user = m;
	bool uploads = http_query_get(r, "uploads") != NULL, id = http_query_get(r, "uploadId") != NULL;
	switch (r->method) {
	case HTTP_M_POST:
		if (uploads && !id) {
			http_defer(r, create_cb);
			return;
		}
		if (id) {
			http_read_body(r, S3M_MAX_BODY, complete_cb, true);
			return;
		}
		break;
	case HTTP_M_DELETE:
		http_defer(r, abort_cb);
		return;
	case HTTP_M_GET:
		http_defer(r, list_parts_cb);
		return;
	case HTTP_M_PUT:
		http_defer(r, part_copy_cb);
		return;
	default:
		break;
	}
	r->user = NULL;
	s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
	s3m_free(m);
}

/* ---- ListMultipartUploads, this target's share (JSON for the proxy) */

typedef struct list_ctx {
	json_t *a;
	const bck_t *b;
	const json_t *bs3;
} list_ctx_t;

/* one upload, with the owner its object will have (from its manifest's meta) */
static void list_one(const char *oname, const char *id, int64_t created, void *arg)
{
	list_ctx_t *lc = arg;
	obj_t o;
	ufest_t u;
	mpu_why_t why;
	memset(&o, 0, sizeof(o));
	ufest_init(&u);
	const char *owner = NULL;
	if (!obj_place(&o, lc->b, oname) && !mpu_get(&o, id, &u, &why))
		owner = meta_get(&u, S3MD_OWNER);
	if (!owner || !*owner)
		owner = s3_omd_owner(NULL, lc->bs3);
	json_t *e = json_pack("{s:s, s:s, s:I, s:s}", "key", oname, "id", id, "created", (json_int_t)created, "owner",
			      owner);
	if (e)
		json_array_append_new(lc->a, e);
	ufest_fini(&u);
	obj_fini(&o);
}

static void list_local_cb(http_req_t *r)
{
	s3m_t *m = r->user;
	r->user = NULL;
	json_t *a = json_array();
	const bck_t *b = m->o.bmd ? bmd_find(m->o.bmd, "ais", "", m->q->bucket) : NULL;
	if (!b) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", m->q->bucket);
	} else if (!a) {
		s3_err(r, 500, "InternalError", "out of memory");
	} else {
		const json_t *bs3 = json_object_get(b->ext, "s3");
		list_ctx_t lc = {.a = a, .b = b, .bs3 = json_is_object(bs3) ? bs3 : NULL};
		mpu_list(b, http_query_get(r, "prefix"), list_one, &lc);
		char *s = json_dumps(a, JSON_COMPACT);
		if (s)
			http_respond(r, 200, "application/json", s, strlen(s));
		else
			s3_err(r, 500, "InternalError", "out of memory");
		free(s);
	}
	json_decref(a);
	s3m_free(m);
}

void s3_mpu_list_local(http_req_t *r, s3_req_t *q)
{
	s3m_t *m = calloc(1, sizeof(*m));
	if (!m) {
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	m->q = q;
	m->o.mpi = -1;
	m->o.bmd = bmd_get();
	r->user = m;
	http_defer(r, list_local_cb);
}
