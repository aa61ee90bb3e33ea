/* s3_object: S3 object requests at the target (forwarded or redirected by a proxy): GET/HEAD
 * (sendfile, one Range, conditionals If-Match/If-None-Match/If-(Un)Modified-Since → 412/304,
 * ETag, Last-Modified, Content-Type, x-amz-meta-*, x-amz-checksum-* with checksum mode),
 * PUT (streamed into a work file; aws-chunked bodies decoded with chunk signatures and
 * trailers; MD5 for the ETag, the bucket's checksum, and an x-amz-checksum-* computed on the
 * fly; Content-MD5 / x-amz-checksum / payload SHA-256 verified before anything is committed),
 * DELETE (204 also when absent), and CopyObject (source local or fetched from its owner).
 * The stored object is an ordinary one: LOM with the bucket checksum plus custom metadata
 * (ETag, Content-Type, x-amz-meta-*, x-amz-checksum-*), readable by the native API.
 * Multipart: UploadPart's body runs through the same PUT pipeline into an mpu part (begin/end
 * in s3_mpu.c, which serves the other multipart requests); chunked objects and ?partNumber
 * reads are streamed from a pool thread through the chunk reader. */
#include "s3/s3_tgt.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "s3/awschunk.h"
#include "core/s3ck.h"
#include "s3/s3xml.h"
#include "obj/chunk.h"
#include "fs/fs.h"
#include "target/obj_get.h"

/* content headers stored as custom md (the key is the header name) */
static const char *const s3o_content_hdrs[] = {"Content-Type", "Content-Disposition", "Content-Language",
					      "Cache-Control", "Expires", NULL};

typedef struct s3o {
	s3_req_t *q;
	obj_t o;
	sigv4_auth_t auth;
	/* PUT */
	int fd;
	char work[FQN_MAX];
	awschunk_t *dec;
	s3ck_t md5, xck, sha;
	bool have_xck, have_sha;
	cksum_t ck;
	bool have_ck;
	s3ck_type_t xck_type;
	char xck_want[96];   /* from the header; "" when it comes as a trailer */
	bool xck_trailer;
	unsigned char md5_want[16];
	bool have_md5_want;
	int64_t size;
	int err;
	mpu_part_t *part; /* UploadPart: the data goes here instead of the work file */
} s3o_t;

static void s3o_free(s3o_t *x)
{
	if (x->fd >= 0)
		close(x->fd);
	if (x->work[0])
		unlink(x->work);
	if (x->have_ck)
		cksum_abort(&x->ck);
	if (x->part) {
		mpu_part_info_t info;
		mpu_why_t why;
		mpu_part_end(x->part, false, NULL, &info, &why); /* discards it */
	}
	awschunk_free(x->dec);
	obj_fini(&x->o);
	free(x->q);
	free(x);
}

static void no_such_key(http_req_t *r, const s3o_t *x)
{
	s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", x->o.bck->name, x->o.oname);
}

/* "\"hex\"" of the object (stored ETag, else the bucket checksum) */
static void obj_etag(const lom_md_t *md, char *out, size_t cap)
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

static void add_obj_hdrs(http_req_t *r, const lom_md_t *md, const char *etag, bool with_cksum)
{
	char lm[64];
	fmt_http_date(md->atime, lm, sizeof(lm));
	http_hdr_add(r, "ETag", etag);
	http_hdr_add(r, "Last-Modified", lm);
	size_t pos = 0;
	const char *k, *v;
	bool ctype = false;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strncmp(k, S3MD_META_PREFIX, strlen(S3MD_META_PREFIX))) {
			http_hdr_add(r, k, v);
		} else if (!strncmp(k, S3MD_CKSUM_PREFIX, strlen(S3MD_CKSUM_PREFIX))) {
			if (with_cksum) {
				http_hdr_add(r, k, v);
				/* "<b64>-N": composite of a multipart upload's parts (base64 has no '-') */
				http_hdr_add(r, "x-amz-checksum-type", strchr(v, '-') ? "COMPOSITE" : "FULL_OBJECT");
			}
		} else {
			for (int i = 0; s3o_content_hdrs[i]; i++)
				if (!strcmp(k, s3o_content_hdrs[i])) {
					http_hdr_add(r, k, v);
					if (i == 0)
						ctype = true;
				}
		}
	}
	if (!ctype)
		http_hdr_add(r, "Content-Type", "application/octet-stream");
	http_hdr_add(r, "Accept-Ranges", "bytes");
	if (md->version[0])
		http_hdr_add(r, "x-amz-version-id", md->version);
	s3_add_common_hdrs(r);
}

/* ---- GET / HEAD */

/* a chunked object (multipart upload), or any object read by part number: streamed from a
 * pool thread through the chunk reader */
typedef struct cget {
	s3o_t *x;
	lom_md_t md;
	int fd;
	int64_t off, len;
	int status;
	int part;          /* ?partNumber, 0 = none */
	bool cksum;        /* x-amz-checksum-mode: ENABLED */
	char etag[160];
} cget_t;

static void cget_cb(http_req_t *r)
{
	cget_t *g = r->user;
	r->user = NULL;
	s3o_t *x = g->x;
	ufest_t u;
	ufest_init(&u);
	chunk_rd_t rd;
	bool have_rd = false;
	char *buf = NULL;
	int rc = 0;
	int64_t size = g->md.size;
	if (g->md.flags & LOM_FL_CHUNKED) {
		rc = chunk_load(&x->o, &g->md, &u);
		for (int i = 0; rc == AIS_ECONFLICT && i < 5; i++) { /* a commit raced with us */
			usleep(2000);
			close(g->fd);
			lom_md_fini(&g->md);
			lom_md_init(&g->md);
			g->fd = open(x->o.fqn, O_RDONLY | O_CLOEXEC);
			rc = g->fd < 0 ? AIS_ENOTFOUND : obj_load(&x->o, g->fd, &g->md);
			if (!rc)
				rc = (g->md.flags & LOM_FL_CHUNKED) ? chunk_load(&x->o, &g->md, &u)
								    : AIS_ECONFLICT; /* now monolithic: give up */
		}
		if (rc == AIS_ENOTFOUND) {
			no_such_key(r, x);
			goto out;
		}
		if (rc) {
			s3_err(r, 503, "SlowDown", "%s: object is being replaced or its manifest is unreadable (%s)",
			       node_name(), err_str(rc));
			goto out;
		}
		size = u.size;
		chunk_rd_init(&rd, &u, g->fd);
		have_rd = true;
	} else {
		struct stat st;
		size = fstat(g->fd, &st) ? 0 : st.st_size;
	}
	int nparts = have_rd ? u.count : 1;
	if (g->part) {
		int64_t coff = 0;
		bool found = false;
		if (!have_rd) {
			found = g->part == 1;
			g->len = size;
		}
		for (int i = 0; have_rd && i < u.count; i++) {
			if (u.chunks[i].num == g->part) {
				g->len = u.chunks[i].size;
				found = true;
				break;
			}
			coff += u.chunks[i].size;
		}
		if (!found) {
			s3_err(r, 416, "InvalidPartNumber", "The requested partnumber is not satisfiable");
			goto out;
		}
		g->off = coff;
		g->status = 206;
		http_hdr_addf(r, "x-amz-mp-parts-count", "%d", nparts);
	}
	if (g->off + g->len > size) {
		s3_err(r, 503, "SlowDown", "%s: object changed while being read", node_name());
		goto out;
	}
	add_obj_hdrs(r, &g->md, g->etag, g->cksum && g->status == 200);
	if (g->status == 206 && g->len > 0)
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)g->off,
			      (long long)(g->off + g->len - 1), (long long)size);
	bool head = r->method == HTTP_M_HEAD;
	buf = head ? NULL : malloc(1 << 20);
	if (!head && !buf) {
		s3_err(r, 500, "InternalError", "out of memory");
		goto out;
	}
	rc = http_resp_begin(r, g->status, NULL, g->len);
	int64_t pos = g->off, end = g->off + g->len;
	while (!head && !rc && pos < end) {
		size_t want = (size_t)(end - pos) < (1u << 20) ? (size_t)(end - pos) : (1u << 20);
		ssize_t n = have_rd ? chunk_rd_pread(&rd, buf, want, pos) : pread(g->fd, buf, want, (off_t)pos);
		if (n <= 0)
			break; /* short: the server closes the connection */
		rc = http_resp_write(r, buf, (size_t)n);
		pos += n;
	}
	http_resp_end(r);
out:
	free(buf);
	if (have_rd)
		chunk_rd_fini(&rd);
	ufest_fini(&u);
	if (g->fd >= 0)
		close(g->fd);
	lom_md_fini(&g->md);
	free(g);
	s3o_free(x);
}

static void s3o_get(http_req_t *r, s3o_t *x)
{
	bool head = r->method == HTTP_M_HEAD;
	lom_md_t md;
	lom_md_init(&md);
	int fd = open(x->o.fqn, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		no_such_key(r, x);
		goto out;
	}
	int rc = obj_load(&x->o, fd, &md);
	if (rc == AIS_ENOTFOUND) {
		no_such_key(r, x);
		goto out;
	}
	if (rc) {
		s3_err(r, 500, "InternalError", "%s: corrupted object metadata (%s)", node_name(), err_str(rc));
		goto out;
	}
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
	char etag[160];
	obj_etag(&md, etag, sizeof(etag));
	time_t lm = (time_t)(md.atime / 1000000000), t;
	const char *im = http_hdr_get(r, "If-Match"), *inm = http_hdr_get(r, "If-None-Match");
	const char *ims = http_hdr_get(r, "If-Modified-Since"), *ius = http_hdr_get(r, "If-Unmodified-Since");
	if (im && !etag_match(im, etag)) {
		s3_err(r, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
		goto out;
	}
	if (!im && ius && parse_http_time(ius, &t) && lm > t) {
		s3_err(r, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
		goto out;
	}
	if ((inm && etag_match(inm, etag)) || (!inm && ims && parse_http_time(ims, &t) && lm <= t)) {
		char lms[64];
		fmt_http_date(md.atime, lms, sizeof(lms));
		http_hdr_add(r, "ETag", etag);
		http_hdr_add(r, "Last-Modified", lms);
		s3_add_common_hdrs(r);
		http_respond(r, 304, NULL, NULL, 0);
		goto out;
	}
	int64_t size = (md.flags & LOM_FL_CHUNKED) ? md.size : st.st_size, off = 0, len = size;
	int status = 200;
	const char *rh = head ? NULL : http_hdr_get(r, "Range");
	if (rh) {
		rc = obj_get_range(rh, size, &off, &len);
		if (rc == AIS_ERANGE || rc == AIS_EINVAL || rc == AIS_ENOTIMPL) {
			http_hdr_addf(r, "Content-Range", "bytes */%lld", (long long)size);
			s3_err(r, 416, "InvalidRange", "The requested range is not satisfiable: %s (object size %lld)", rh,
			       (long long)size);
			goto out;
		}
		if (rc == 1)
			status = 206;
	}
	const char *cm = http_hdr_get(r, "x-amz-checksum-mode");
	bool cksum = cm && !strcasecmp(cm, "ENABLED");
	if (part || ((md.flags & LOM_FL_CHUNKED) && !head)) {
		cget_t *g = calloc(1, sizeof(*g));
		if (!g) {
			s3_err(r, 500, "InternalError", "out of memory");
			goto out;
		}
		g->x = x;
		g->md = md; /* moves the md */
		lom_md_init(&md);
		g->fd = fd;
		fd = -1;
		g->off = off;
		g->len = len;
		g->status = status;
		g->part = (int)part;
		g->cksum = cksum;
		snprintf(g->etag, sizeof(g->etag), "%s", etag);
		r->user = g;
		http_defer_stream(r, cget_cb);
		return;
	}
	add_obj_hdrs(r, &md, etag, cksum && status == 200);
	if (status == 206)
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)off, (long long)(off + len - 1),
			      (long long)size);
	http_respond_fd(r, status, fd, off, (size_t)len);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	lom_md_fini(&md);
	s3o_free(x);
}

/* ---- DELETE */
static void s3o_delete(http_req_t *r, s3o_t *x)
{
	obj_t *o = &x->o;
	lom_lock(o->digest);
	if (unlink(o->fqn) == 0) {
		char stop[FQN_MAX];
		const bck_t *b = o->bck;
		if (fqn_ct_dir(stop, sizeof(stop), fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0)
			fsops_rm_empty_parents(o->fqn, stop);
	}
	lom_unlock(o->digest);
	s3_add_common_hdrs(r);
	http_respond(r, 204, NULL, NULL, 0);
	s3o_free(x);
}

/* ---- PUT */
static int put_sink(void *arg, const char *data, size_t len)
{
	s3o_t *x = arg;
	if (x->part) {
		int prc = mpu_part_write(x->part, data, len);
		if (prc)
			return x->err = prc;
		x->size += (int64_t)len;
		return 0;
	}
	int rc = fsops_write_all(x->fd, data, len);
	if (rc)
		return x->err = rc;
	s3ck_update(&x->md5, data, len);
	if (x->have_xck)
		s3ck_update(&x->xck, data, len);
	if (x->have_ck)
		cksum_update(&x->ck, data, len);
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
		for (int j = 0; s3o_content_hdrs[j]; j++)
			if (!strcasecmp(n, s3o_content_hdrs[j]))
				rc = lom_md_custom_set(md, s3o_content_hdrs[j], r->hdrs[i].value);
	}
	return rc;
}

static void put_end_cb(http_req_t *r, int status)
{
	s3o_t *x = r->user;
	r->user = NULL;
	lom_md_t md;
	lom_md_init(&md);
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
		goto out;
	}
	const char *dcl = http_hdr_get(r, "x-amz-decoded-content-length");
	if (x->dec && dcl && strtoll(dcl, NULL, 10) != x->size) {
		s3_err(r, 400, "IncompleteBody", "decoded length %lld != x-amz-decoded-content-length %s",
		       (long long)x->size, dcl);
		goto out;
	}
	if (x->have_sha) {
		char hex[80];
		s3ck_final_hex(&x->sha, hex);
		x->have_sha = false;
		if (strcasecmp(hex, x->auth.payload_sha256)) {
			s3_err(r, 400, "XAmzContentSHA256Mismatch",
			       "The provided 'x-amz-content-sha256' header does not match what was computed.");
			goto out;
		}
	}
	if (x->part) {
		/* UploadPart: the core computed MD5 (ETag) and the x-amz-checksum; verify the latter */
		const char *want = x->xck_want[0] ? x->xck_want : NULL;
		if (x->xck_trailer) {
			want = x->dec ? awschunk_trailer(x->dec, s3ck_header_name(x->xck_type)) : NULL;
			if (!want) {
				s3_err(r, 400, "InvalidRequest", "missing trailing checksum %s", s3ck_header_name(x->xck_type));
				goto out;
			}
		}
		mpu_part_t *p = x->part;
		x->part = NULL;
		s3_mpu_part_end(r, p, want);
		goto out;
	}
	unsigned char mraw[32];
	char mhex[80], etag[90];
	s3ck_final_raw(&x->md5, mraw);
	cksum_hex(mraw, 16, mhex);
	snprintf(etag, sizeof(etag), "\"%s\"", mhex);
	if (x->have_md5_want && memcmp(mraw, x->md5_want, 16)) {
		s3_err(r, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
		goto out;
	}
	char xval[96] = "";
	if (x->have_xck) {
		s3ck_final_b64(&x->xck, xval);
		x->have_xck = false;
		const char *want = x->xck_want;
		if (x->xck_trailer) {
			want = x->dec ? awschunk_trailer(x->dec, s3ck_header_name(x->xck_type)) : NULL;
			if (!want) {
				s3_err(r, 400, "InvalidRequest", "missing trailing checksum %s", s3ck_header_name(x->xck_type));
				goto out;
			}
		}
		if (want && *want && strcmp(want, xval)) {
			s3_err(r, 400, "BadDigest", "The %s you specified did not match the calculated checksum.",
			       s3ck_header_name(x->xck_type));
			goto out;
		}
	}
	md.size = x->size;
	md.atime = now_ns();
	md.cktype = x->o.bck->cksum_type;
	if (x->have_ck) {
		cksum_final(&x->ck, md.ckval);
		x->have_ck = false;
	}
	rc = lom_md_custom_set(&md, S3MD_ETAG, etag);
	if (!rc)
		rc = s3_obj_md_from_request(r, &md);
	if (!rc && xval[0])
		rc = lom_md_custom_set(&md, s3ck_header_name(x->xck_type), xval);
	if (rc) {
		s3_err_code(r, rc, "%s", err_str(rc));
		goto out;
	}
	int fd = x->fd;
	x->fd = -1;
	rc = obj_commit(&x->o, fd, x->work, &md, false);
	x->work[0] = '\0'; /* committed or removed */
	if (rc) {
		s3_err_code(r, rc, "%s: PUT %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
		goto out;
	}
	http_hdr_add(r, "ETag", etag);
	if (xval[0])
		http_hdr_add(r, s3ck_header_name(x->xck_type), xval);
	if (md.version[0])
		http_hdr_add(r, "x-amz-version-id", md.version);
	s3_add_common_hdrs(r);
	http_respond(r, 200, NULL, NULL, 0);
out:
	lom_md_fini(&md);
	s3o_free(x);
}

static int open_work(s3o_t *x, const char *tag)
{
	return obj_open_work(&x->o, tag, O_RDWR, x->work, sizeof(x->work), &x->fd);
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
	if (x->xck_type) {
		s3ck_init(&x->xck, x->xck_type);
		x->have_xck = true;
	}
	return 0;
}

static void s3o_put(http_req_t *r, s3o_t *x)
{
	const char *cmd5 = http_hdr_get(r, "Content-MD5");
	if (cmd5) {
		unsigned char raw[64];
		if (s3_b64_decode(cmd5, raw, sizeof(raw)) != 16) {
			s3_err(r, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
			goto fail;
		}
		memcpy(x->md5_want, raw, 16);
		x->have_md5_want = true;
	}
	if (put_xck_setup(r, x))
		goto fail;
	bool part = http_query_get(r, "uploadId") != NULL;
	if (part) {
		x->have_xck = false; /* computed by the MPU core */
		x->have_md5_want = false; /* parts: Content-MD5 is not verified (as AIStore) */
	}
	s3ck_init(&x->md5, S3CK_MD5);
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
	if (part) {
		if (s3_mpu_part_begin(r, &x->o, x->xck_type, &x->part))
			goto fail;
		r->user = x;
		http_stream_body(r, put_data_cb, put_end_cb);
		return;
	}
	cksum_type_t bt = x->o.bck->cksum_type;
	if (bt != CKSUM_NONE && cksum_init(&x->ck, bt) == 0)
		x->have_ck = true;
	int rc = open_work(x, "s3put");
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
typedef struct fetch {
	int fd;
	lom_md_t *md;
	int rc;
} fetch_t;

static size_t fetch_write(char *d, size_t sz, size_t nm, void *arg)
{
	fetch_t *f = arg;
	if (fsops_write_all(f->fd, d, sz * nm)) {
		f->rc = AIS_EIO;
		return 0;
	}
	return sz * nm;
}

static size_t fetch_hdr(char *b, size_t sz, size_t nm, void *arg)
{
	fetch_t *f = arg;
	size_t len = sz * nm;
	static const char pfx[] = "Ais-Custom-Md:";
	if (len > sizeof(pfx) && !strncasecmp(b, pfx, sizeof(pfx) - 1)) {
		char *v = strndup(b + sizeof(pfx) - 1, len - (sizeof(pfx) - 1));
		if (!v)
			return 0;
		char *s = v;
		while (*s == ' ')
			s++;
		s[strcspn(s, "\r\n")] = '\0';
		char *eq = strchr(s, '=');
		if (eq) {
			*eq = '\0';
			lom_md_custom_set(f->md, s, eq + 1);
		}
		free(v);
	}
	return len;
}

/* GET the source object from the target that owns it into fd (custom md into md) */
static int fetch_remote(const snode_t *peer, const bck_t *b, const char *name, int fd, lom_md_t *md, char *err,
			size_t cap)
{
	char *enc = url_encode(name, true), *bn = url_encode(b->name, false);
	sbuf_t url = SBUF_INIT;
	sbuf_addf(&url, "%s/v1/objects/%s/%s?provider=ais", peer->pub.url, bn ? bn : "", enc ? enc : "");
	free(enc);
	free(bn);
	fetch_t f = {.fd = fd, .md = md};
	CURL *c = curl_easy_init();
	int rc = 0;
	if (!c) {
		sbuf_fini(&url);
		return AIS_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	CURLcode cc = curl_easy_perform(c);
	long st = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "fetch from %s: %s", peer->id, curl_easy_strerror(cc));
		rc = f.rc ? f.rc : AIS_EUNAVAIL;
	} else if (st == 404) {
		rc = AIS_ENOTFOUND;
	} else if (st != 200) {
		snprintf(err, cap, "fetch from %s: status %ld", peer->id, st);
		rc = AIS_EIO;
	}
	curl_easy_cleanup(c);
	sbuf_fini(&url);
	return rc;
}

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
		s3_err(r, 400, "InvalidArgument", "invalid source key \"%s\"", key);
		return NULL;
	}
	return sbk;
}

static void s3o_copy_cb(http_req_t *r)
{
	s3o_t *x = r->user;
	r->user = NULL;
	char sb[80], err[512] = "";
	char *skey = NULL;
	obj_t *src = calloc(1, sizeof(*src));
	lom_md_t smd, md;
	lom_md_init(&smd);
	lom_md_init(&md);
	int sfd = -1;
	char tmp[FQN_MAX] = "";
	ufest_t su; /* chunked source: its manifest and reader */
	ufest_init(&su);
	chunk_rd_t srd;
	bool have_srd = false;
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
	if (!replace && sbk == x->o.bck && !strcmp(skey, x->o.oname)) {
		s3_err(r, 400, "InvalidRequest",
		       "This copy request is illegal because it is trying to copy an object to itself without changing "
		       "the object's metadata, storage class, website redirect location or encryption attributes.");
		goto out;
	}
	/* the source: here, or at its owner */
	snode_t peer;
	bool remote = obj_remote_owner(sbk, skey, &peer);
	int rc;
	if (!remote) {
		sfd = open(src->fqn, O_RDONLY | O_CLOEXEC);
		rc = sfd < 0 ? AIS_ENOTFOUND : obj_load(src, sfd, &smd);
	} else {
		rc = obj_open_work(&x->o, "s3cpsrc", O_RDWR, tmp, sizeof(tmp), &sfd);
		if (!rc)
			rc = fetch_remote(&peer, sbk, skey, sfd, &smd, err, sizeof(err));
		if (!rc) {
			const char *a = lom_md_custom_get(&smd, S3MD_ETAG);
			(void)a;
		}
	}
	if (rc == AIS_ENOTFOUND) {
		s3_err(r, 404, "NoSuchKey", "The specified key does not exist: %s/%s", sb, skey);
		goto out;
	}
	if (rc) {
		s3_err_code(r, rc, "copy source %s/%s: %s", sb, skey, err[0] ? err : err_str(rc));
		goto out;
	}
	if ((smd.flags & LOM_FL_CHUNKED) && (rc = chunk_load(src, &smd, &su))) {
		s3_err_code(r, rc, "copy source %s/%s: chunk manifest: %s", sb, skey, err_str(rc));
		goto out;
	}
	if (smd.flags & LOM_FL_CHUNKED) {
		chunk_rd_init(&srd, &su, sfd);
		have_srd = true;
	}
	/* metadata */
	if (replace) {
		rc = s3_obj_md_from_request(r, &md);
	} else {
		size_t pos = 0;
		const char *k, *v;
		while (!rc && lom_md_custom_next(&smd, &pos, &k, &v))
			if (strcmp(k, S3MD_ETAG) && strcmp(k, "orig_fntl"))
				rc = lom_md_custom_set(&md, k, v);
	}
	/* copy the bytes into a work file of the destination */
	if (!rc)
		rc = open_work(x, "s3copy");
	s3ck_init(&x->md5, S3CK_MD5);
	cksum_type_t bt = x->o.bck->cksum_type;
	if (!rc && bt != CKSUM_NONE && cksum_init(&x->ck, bt) == 0)
		x->have_ck = true;
	if (!rc)
		rc = obj_read_all(sfd, have_srd ? &srd : NULL, put_sink, x, NULL);
	if (rc) {
		s3_err_code(r, rc, "copy %s/%s: %s", sb, skey, err_str(rc));
		goto out;
	}
	char mhex[80], etag[90];
	s3ck_final_hex(&x->md5, mhex);
	snprintf(etag, sizeof(etag), "\"%s\"", mhex);
	md.size = x->size;
	md.atime = now_ns();
	md.cktype = bt;
	if (x->have_ck) {
		cksum_final(&x->ck, md.ckval);
		x->have_ck = false;
	}
	if ((rc = lom_md_custom_set(&md, S3MD_ETAG, etag))) {
		s3_err_code(r, rc, "%s", err_str(rc));
		goto out;
	}
	int fd = x->fd;
	x->fd = -1;
	rc = obj_commit(&x->o, fd, x->work, &md, false);
	x->work[0] = '\0';
	if (rc) {
		s3_err_code(r, rc, "copy to %s/%s: %s", x->o.bck->name, x->o.oname, err_str(rc));
		goto out;
	}
	char t[40];
	s3_fmt_iso(md.atime, t, sizeof(t));
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "CopyObjectResult");
	s3xml_elem(&b, "LastModified", t);
	s3xml_elem(&b, "ETag", etag);
	s3xml_close(&b, "CopyObjectResult");
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
out:
	if (have_srd)
		chunk_rd_fini(&srd);
	ufest_fini(&su);
	if (sfd >= 0)
		close(sfd);
	if (tmp[0])
		unlink(tmp);
	lom_md_fini(&smd);
	lom_md_fini(&md);
	free(skey);
	if (src)
		obj_fini(src);
	free(src);
	s3o_free(x);
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
	x->fd = -1;
	x->o.mpi = -1;
	if (s3_auth_check(r, &c, &x->auth)) {
		s3o_free(x);
		return;
	}
	x->o.bmd = bmd_get();
	const bck_t *b = x->o.bmd ? bmd_find(x->o.bmd, "ais", "", q->bucket) : NULL;
	if (!b) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
		s3o_free(x);
		return;
	}
	int rc = obj_place(&x->o, b, q->object);
	if (rc) {
		x->o.bck = b;
		if (rc == AIS_EINVAL)
			s3_err(r, 400, strlen(q->object) > FQN_OBJNAME_MAX ? "KeyTooLongError" : "InvalidArgument",
			       "invalid object name \"%.200s\"", q->object);
		else
			s3_err_code(r, rc, "%s: no mountpaths available", node_name());
		s3o_free(x);
		return;
	}
	if (s3_mpu_is_mpu(r)) {
		s3_mpu_handle(r, x->q, &x->o); /* takes q and the BMD reference */
		x->q = NULL;
		x->o.bmd = NULL;
		s3o_free(x);
		return;
	}
	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD:
		s3o_get(r, x);
		break;
	case HTTP_M_PUT:
		if (http_hdr_get(r, "x-amz-copy-source")) {
			r->user = x;
			http_defer(r, s3o_copy_cb);
		} else {
			s3o_put(r, x);
		}
		break;
	case HTTP_M_DELETE:
		s3o_delete(r, x);
		break;
	default:
		s3_err(r, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
		s3o_free(x);
	}
}
