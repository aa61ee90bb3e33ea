/* s3_post: S3 POST object - browser-form uploads (POST /<bucket>, multipart/form-data with the
 * key, the policy and its signature, object metadata, and the file as the last field).
 * Proxy (pool thread, http_defer_stream): reads the form up to the start of the file part (at
 * most S3P_MAX_PREFIX bytes; the key may name ${filename}), picks the key's owning target by
 * HRW and sends it the whole request unchanged - the bytes already read, then the rest as it
 * arrives (libcurl read callback; nothing is buffered whole) - and relays the answer. The target
 * checks everything itself, so nothing is trusted from the proxy.
 * Target (loop thread, streamed body): the form parser (s3_form.h) collects the fields; when the
 * file part starts: the signature and identity, the policy (s3_postpol.h), the access decision
 * (s3_access_post), the new object's owner, ACL (the "acl" field), tags ("tagging", a Tagging
 * document), lock (the bucket's default retention) and content headers (Content-Type,
 * Cache-Control, Content-Disposition, Content-Encoding, Expires, x-amz-meta-*), an
 * x-amz-checksum-<algo> to verify; then the file streams into the object writer. A refusal is
 * answered once the body has been read (the client is not cut off mid-upload). Answers:
 * success_action_redirect (or redirect): 303 to it with ?bucket=&key=&etag=; else
 * success_action_status 200 (empty), 201 (PostResponse XML), anything else 204. */
#include "net/tls.h"
#include "s3/s3_tgt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/log.h"
#include "core/s3ck.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "obj/obj_put.h"
#include "s3/s3_acl.h"
#include "s3/s3_form.h"
#include "s3/s3_omd.h"
#include "s3/s3_postpol.h"
#include "s3/s3_tags.h"
#include "s3/s3_ver.h"
#include "s3/s3xml.h"

#define S3P_MAX_PREFIX (1u << 20)
#define S3P_KEY_MAX 1024
#define S3P_STOP 1 /* proxy: the file part starts - stop parsing */

bool s3_post_is(const http_req_t *r)
{
	char b[80];
	return r->method == HTTP_M_POST && !s3_form_boundary(http_hdr_get(r, "Content-Type"), b, sizeof(b));
}

/* key with every ${filename} replaced by the file's name (its last path segment); 0 or AIS_E* */
static int s3p_key(const char *key, const char *filename, char *out, size_t cap)
{
	const char *fn = strrchr(filename, '/');
	fn = fn ? fn + 1 : filename;
	const char *bs = strrchr(fn, '\\');
	fn = bs ? bs + 1 : fn;
	sbuf_t b = SBUF_INIT;
	for (const char *p = key; *p;) {
		const char *v = strstr(p, "${filename}");
		size_t n = v ? (size_t)(v - p) : strlen(p);
		sbuf_add(&b, p, n);
		if (!v)
			break;
		sbuf_adds(&b, fn);
		p = v + 11;
	}
	int rc = b.oom ? AIS_ENOMEM : b.len >= cap || b.len > S3P_KEY_MAX ? AIS_ETOOBIG : 0;
	if (!rc)
		snprintf(out, cap, "%s", sbuf_str(&b));
	sbuf_fini(&b);
	return rc;
}

/* ---- proxy ---- */

typedef struct s3pp {
	http_req_t *r;
	char *key;           /* the "key" field */
	char filename[256];
	bool file;
	sbuf_t prefix;       /* what has been read of the body */
	size_t sent;
	bool client_err;
} s3pp_t;

static int s3pp_field(void *arg, const char *name, const char *value, size_t vlen)
{
	s3pp_t *p = arg;
	(void)vlen;
	if (!strcasecmp(name, "key") && !p->key && !(p->key = strdup(value)))
		return AIS_ENOMEM;
	return 0;
}

static int s3pp_file(void *arg, const char *name, const char *filename, const char *ctype)
{
	s3pp_t *p = arg;
	(void)name, (void)ctype;
	snprintf(p->filename, sizeof(p->filename), "%s", filename);
	p->file = true;
	return S3P_STOP;
}

/* curl's request body: the bytes read so far, then the rest from the client */
static long s3pp_read(void *arg, char *buf, size_t cap)
{
	s3pp_t *p = arg;
	if (p->sent < p->prefix.len) {
		size_t n = p->prefix.len - p->sent < cap ? p->prefix.len - p->sent : cap;
		memcpy(buf, p->prefix.p + p->sent, n);
		p->sent += n;
		return (long)n;
	}
	ssize_t n = http_body_read(p->r, buf, cap);
	if (n < 0)
		p->client_err = true;
	return n < 0 ? -1 : (long)n;
}

/* the client's end-to-end headers for the target (framing and Content-Type apart) */
static void s3pp_hdrs(const http_req_t *r, sbuf_t *out)
{
	static const char *const skip[] = {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Expect",
					   "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authorization",
					   "Content-Type", NULL};
	for (int i = 0; i < r->nhdrs; i++) {
		bool drop = false;
		for (int k = 0; skip[k] && !drop; k++)
			drop = !strcasecmp(r->hdrs[i].name, skip[k]);
		if (!drop && !strchr(r->hdrs[i].value, '\n'))
			sbuf_addf(out, "%s: %s\n", r->hdrs[i].name, r->hdrs[i].value);
	}
	sbuf_addf(out, "Ais-S3-Forwarded-By: %s\n", node_id());
}

/* the target's answer to the client: status, end-to-end headers, body */
static void s3pp_relay(http_req_t *r, const hreq_t *q)
{
	static const char *const skip[] = {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date",
					   "Content-Type", NULL};
	char ct[256] = "";
	hreq_resp_hdr(q, "Content-Type", ct, sizeof(ct));
	for (const char *p = sbuf_str(&q->resp_hdrs); *p;) {
		size_t n = strcspn(p, "\r\n");
		const char *colon = memchr(p, ':', n);
		if (colon) {
			size_t nl = (size_t)(colon - p);
			bool drop = false;
			for (int k = 0; skip[k] && !drop; k++)
				drop = strlen(skip[k]) == nl && !strncasecmp(p, skip[k], nl);
			if (!drop) {
				char name[128], val[2048];
				const char *v = colon + 1;
				while (*v == ' ')
					v++;
				size_t vl = (size_t)(p + n - v);
				if (nl < sizeof(name) && vl < sizeof(val)) {
					memcpy(name, p, nl);
					name[nl] = '\0';
					memcpy(val, v, vl);
					val[vl] = '\0';
					http_hdr_add(r, name, val);
				}
			}
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	http_respond(r, q->status, ct[0] ? ct : NULL, q->resp.p, q->resp.len);
}

static void s3pp_cb(http_req_t *r)
{
	s3_req_t *q = r->user;
	r->user = NULL;
	s3pp_t p = {.r = r, .prefix = SBUF_INIT};
	s3_form_cb_t cb = {.field = s3pp_field, .file_begin = s3pp_file};
	char err[160], key[S3P_KEY_MAX + 256];
	char *buf = malloc(64 << 10);
	s3_form_t *f = buf ? s3_form_new(http_hdr_get(r, "Content-Type"), &cb, &p, err, sizeof(err)) : NULL;
	sbuf_t hdrs = SBUF_INIT, url = SBUF_INIT;
	smap_t *sm = NULL;
	if (!f) {
		s3_err(r, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
		       "multipart/form-data: %s", buf ? err : "out of memory");
		goto out;
	}
	while (!p.file) {
		ssize_t n = http_body_read(r, buf, 64 << 10);
		if (n < 0) {
			s3_err(r, 400, "IncompleteBody", "request body incomplete");
			goto out;
		}
		if (n == 0)
			break;
		if (sbuf_add(&p.prefix, buf, (size_t)n)) {
			s3_err(r, 500, "InternalError", "out of memory");
			goto out;
		}
		int rc = s3_form_feed(f, buf, (size_t)n);
		if (rc == S3P_STOP)
			break;
		if (rc) {
			s3_err(r, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
			       "multipart/form-data: %s", s3_form_error(f));
			goto out;
		}
		if (p.prefix.len > S3P_MAX_PREFIX) {
			s3_err(r, 400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file "
			       "were too large.");
			goto out;
		}
	}
	if (!p.key) {
		s3_err(r, 400, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, "
		       "please check the order of the fields.");
		goto out;
	}
	if (s3p_key(p.key, p.filename, key, sizeof(key))) {
		s3_err(r, 400, "KeyTooLongError", "Your key is too long");
		goto out;
	}
	bmd_t *bmd = bmd_get();
	bool exists = bmd && bmd_find(bmd, "ais", "", q->bucket);
	bmd_put(bmd);
	if (!exists) {
		s3_err(r, 404, "NoSuchBucket", "The specified bucket does not exist: %s", q->bucket);
		goto out;
	}
	sm = smap_get();
	const snode_t *t = smap_owner_of(sm, "ais", "", q->bucket, key);
	if (!t) {
		s3_err(r, 503, "ServiceUnavailable", "no targets in the cluster map");
		goto out;
	}
	s3pp_hdrs(r, &hdrs);
	sbuf_addf(&url, "%s%s%s%s", t->pub.url, r->raw_path, r->raw_query[0] ? "?" : "", r->raw_query);
	const char *ct = http_hdr_get(r, "Content-Type");
	sbuf_addf(&hdrs, "Content-Type: %s\n", ct ? ct : "");
	hreq_t h = {.method = "POST", .url = sbuf_str(&url), .hdrs = sbuf_str(&hdrs), .read_cb = s3pp_read,
		    .read_arg = &p, .read_len = r->chunked ? -1 : r->content_length, .want_hdrs = true,
		    .timeout_ms = 3600 * 1000};
	hclient_do(&h);
	if (p.client_err)
		s3_err(r, 400, "IncompleteBody", "request body incomplete");
	else if (h.rc || !h.status)
		s3_err(r, 503, "ServiceUnavailable", "failed to reach the target: %s", h.errmsg);
	else
		s3pp_relay(r, &h);
	hreq_fini(&h);
out:
	smap_put(sm);
	sbuf_fini(&hdrs);
	sbuf_fini(&url);
	s3_form_free(f);
	free(buf);
	free(p.key);
	sbuf_fini(&p.prefix);
	free(q);
}

void s3_post_proxy(http_req_t *r, s3_req_t *q)
{
	r->user = q;
	http_defer_stream(r, s3pp_cb);
}

/* ---- target ---- */

static const char *const s3pt_content[] = {"Content-Type", "Cache-Control", "Content-Disposition",
					   "Content-Encoding", "Expires", NULL};

typedef struct s3pt {
	http_req_t *r;
	s3_req_t *q;
	s3_form_t *form;
	s3_pform_t pf;
	s3_conf_t *c;
	obj_t o;
	obj_put_t *w;
	s3_oattr_t attr;
	s3_fail_t f;         /* the refusal to answer once the body is read (status 0: none) */
	char key[S3P_KEY_MAX + 256];
	int64_t size, min, max;
	s3ck_type_t xck;
	char xck_want[128];
	bool file_seen, file_done, lock;
} s3pt_t;

static void s3pt_free(s3pt_t *x)
{
	obj_put_abort(x->w, 0);
	s3_oattr_fini(&x->attr);
	s3_pform_fini(&x->pf);
	s3_form_free(x->form);
	obj_fini(&x->o);
	free(x->c);
	free(x->q);
	free(x);
}

static bool s3pt_failed(const s3pt_t *x) { return x->f.status != 0; }

static int s3pt_field(void *arg, const char *name, const char *value, size_t vlen)
{
	s3pt_t *x = arg;
	if (strlen(value) != vlen) {
		s3_fail_set(&x->f, 400, "InvalidArgument", "form field %.64s holds a NUL byte", name);
		return 0;
	}
	return s3_pform_add(&x->pf, name, value);
}

/* the writer's md callback: ETag, content headers, x-amz-meta-*, owner/ACL/tags/lock, checksum */
static int s3pt_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	s3pt_t *x = arg;
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", res->md5_hex);
	int rc = lom_md_custom_set(md, S3MD_ETAG, etag);
	for (int i = 0; !rc && i < x->pf.n; i++) {
		const char *n = x->pf.v[i].name, *v = x->pf.v[i].value;
		if (!strncasecmp(n, S3MD_META_PREFIX, strlen(S3MD_META_PREFIX))) {
			char low[256];
			size_t k = 0;
			for (; n[k] && k < sizeof(low) - 1; k++)
				low[k] = (char)(n[k] >= 'A' && n[k] <= 'Z' ? n[k] + 32 : n[k]);
			low[k] = '\0';
			rc = lom_md_custom_set(md, low, v);
			continue;
		}
		for (int j = 0; s3pt_content[j]; j++)
			if (!strcasecmp(n, s3pt_content[j]))
				rc = lom_md_custom_set(md, s3pt_content[j], v);
	}
	if (!rc)
		rc = s3_oattr_store(&x->attr, md);
	if (!rc && x->xck != S3CK_NONE)
		rc = lom_md_custom_set(md, s3ck_header_name(x->xck), res->xck);
	return rc;
}

/* the x-amz-checksum-<algo> field: 0 or f set */
static int s3pt_xck(s3pt_t *x)
{
	static const s3ck_type_t types[] = {S3CK_CRC32, S3CK_CRC32C, S3CK_SHA1, S3CK_SHA256, S3CK_CRC64NVME};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *v = s3_pform_get(&x->pf, s3ck_header_name(types[i]));
		if (!v)
			continue;
		if (x->xck != S3CK_NONE) {
			s3_fail_set(&x->f, 400, "InvalidRequest", "Expecting a single x-amz-checksum- field");
			return AIS_EINVAL;
		}
		x->xck = types[i];
		snprintf(x->xck_want, sizeof(x->xck_want), "%s", v);
	}
	return 0;
}

/* the new object's owner, ACL (canned "acl" field), tags ("tagging" document), lock: 0 or f set */
static int s3pt_attrs(s3pt_t *x, const s3_ident_t *id, const json_t *bs3)
{
	const char *bowner = bs3 ? s3_bm_owner(bs3) : "";
	const char *own = json_string_value(json_object_get(bs3, "ownership"));
	const char *canned = s3_pform_get(&x->pf, "acl");
	bool enforced = own && !strcmp(own, "BucketOwnerEnforced");
	const char *owner = *bowner && (enforced || (own && !strcmp(own, "BucketOwnerPreferred") && canned &&
						     !strcmp(canned, "bucket-owner-full-control")))
				    ? bowner
			    : id->anon ? (*bowner ? bowner : S3_DEFAULT_ID)
				       : id->id;
	snprintf(x->attr.owner, sizeof(x->attr.owner), "%s", owner);
	if (canned && !enforced) {
		json_t *g = NULL;
		if (s3_acl_canned(canned, owner, bowner, &g, &x->f))
			return AIS_EINVAL;
		x->attr.acl = json_dumps(g, JSON_COMPACT);
		json_decref(g);
		if (!x->attr.acl) {
			s3_fail_set(&x->f, 500, "InternalError", "out of memory");
			return AIS_ENOMEM;
		}
	}
	const char *tg = s3_pform_get(&x->pf, "tagging");
	if (tg) {
		if (s3_tags_from_xml(tg, strlen(tg), &x->attr.tags, &x->f))
			return AIS_EINVAL;
		x->attr.tags_set = true;
	}
	x->lock = s3_lock_enabled(bs3);
	s3_lock_default(bs3, now_ns(), &x->attr.lock);
	return s3pt_xck(x);
}

/* the file part starts: everything is decided here, then the bytes stream into the writer */
static int s3pt_file_begin(void *arg, const char *name, const char *filename, const char *ctype)
{
	s3pt_t *x = arg;
	(void)name, (void)ctype;
	x->file_seen = true;
	if (s3pt_failed(x))
		return 0;
	const char *key = s3_pform_get(&x->pf, "key");
	if (!key) {
		s3_fail_set(&x->f, 400, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is "
			    "specified, please check the order of the fields.");
		return 0;
	}
	if (s3p_key(key, filename, x->key, sizeof(x->key))) {
		s3_fail_set(&x->f, 400, "KeyTooLongError", "Your key is too long");
		return 0;
	}
	s3_ident_t id;
	int64_t now = now_ns();
	if (s3_postpol_auth(&x->pf, x->c, now / 1000000000, &id, &x->f))
		return 0;
	obj_why_t why;
	int rc = obj_init(&x->o, "ais", "", x->q->bucket, x->key, &why);
	if (why == OBJ_WHY_NO_BUCKET) {
		s3_fail_set(&x->f, 404, "NoSuchBucket", "The specified bucket does not exist: %s", x->q->bucket);
		return 0;
	}
	if (rc) {
		s3_fail_set(&x->f, 400, "InvalidArgument", "invalid object key: %s", err_str(rc));
		return 0;
	}
	snode_t peer;
	if (obj_remote_owner(x->o.bck, x->o.oname, &peer)) {
		s3_fail_set(&x->f, 400, "InvalidRequest", "%s: the key belongs to another target (%s): POST to a proxy",
			    node_name(), peer.id);
		return 0;
	}
	if (s3_postpol_check(&x->pf, x->q->bucket, x->key, now, &x->min, &x->max, &x->f))
		return 0;
	if (s3_access_post(x->r, x->c, &id, x->q->bucket, x->key, s3_pform_get(&x->pf, "acl"), &x->f))
		return 0;
	const json_t *bs3 = json_object_get(x->o.bck->ext, "s3");
	if (s3pt_attrs(x, &id, json_is_object(bs3) ? bs3 : NULL))
		return 0;
	obj_put_opts_t opt = {.md5 = true, .xck = x->xck, .xck_want = x->xck_want[0] ? x->xck_want : NULL,
			      .size_hint = -1, .acct = OBJ_ACCT_PUT, .tag = "s3post", .md_cb = s3pt_md_cb, .md_arg = x,
			      .keep_version = s3_ver_state(x->o.bck) != S3V_OFF}; /* numbered by s3_ver_put_begin */
	if ((rc = obj_put_begin(&x->o, &opt, &x->w, &why)))
		s3_fail_set(&x->f, err_http_status(rc), err_s3_code(rc), "%s: failed to create work file: %s", node_name(),
			    err_str(rc));
	return 0;
}

static int s3pt_file_data(void *arg, const char *data, size_t len)
{
	s3pt_t *x = arg;
	if (s3pt_failed(x) || !x->w)
		return 0;
	x->size += (int64_t)len;
	if (x->max >= 0 && x->size > x->max) {
		s3_fail_set(&x->f, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
		return 0;
	}
	int rc = obj_put_write(x->w, data, len);
	if (rc)
		s3_fail_set(&x->f, err_http_status(rc), err_s3_code(rc), "%s: write: %s", node_name(), err_str(rc));
	return 0;
}

static int s3pt_file_end(void *arg)
{
	((s3pt_t *)arg)->file_done = true;
	return 0;
}

static int s3pt_data_cb(http_req_t *r, const char *data, size_t len)
{
	s3pt_t *x = r->user;
	if (!s3pt_failed(x) && s3_form_feed(x->form, data, len))
		s3_fail_set(&x->f, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
			    "multipart/form-data: %s", s3_form_error(x->form));
	return 0; /* a refusal is answered at the end: read (and drop) the rest */
}

/* the answer to a stored upload */
static void s3pt_respond(http_req_t *r, s3pt_t *x, const char *etag_hex)
{
	const char *redir = s3_pform_get(&x->pf, "success_action_redirect");
	if (!redir)
		redir = s3_pform_get(&x->pf, "redirect");
	const char *st = s3_pform_get(&x->pf, "success_action_status");
	char *eb = url_encode(x->q->bucket, false), *ek = url_encode(x->key, false);
	char etag[48];
	snprintf(etag, sizeof(etag), "\"%s\"", etag_hex);
	char *ee = url_encode(etag, false);
	sbuf_t loc = SBUF_INIT, b = SBUF_INIT;
	http_hdr_add(r, "ETag", etag);
	s3_add_common_hdrs(r);
	if (!eb || !ek || !ee) {
		s3_err(r, 500, "InternalError", "out of memory");
	} else if (redir && *redir) {
		sbuf_addf(&loc, "%s%sbucket=%s&key=%s&etag=%s", redir, strchr(redir, '?') ? "&" : "?", eb, ek, ee);
		http_hdr_add(r, "Location", sbuf_str(&loc));
		http_respond(r, 303, NULL, NULL, 0);
	} else {
		const char *host = http_hdr_get(r, "Host");
		sbuf_addf(&loc, "%s://%s/%s/%s", tls_scheme(), host ? host : "localhost", eb, ek);
		http_hdr_add(r, "Location", sbuf_str(&loc));
		if (st && !strcmp(st, "201")) {
			s3xml_begin(&b);
			s3xml_open(&b, "PostResponse");
			s3xml_elem(&b, "Location", sbuf_str(&loc));
			s3xml_elem(&b, "Bucket", x->q->bucket);
			s3xml_elem(&b, "Key", x->key);
			s3xml_elem(&b, "ETag", etag);
			s3xml_close(&b, "PostResponse");
			http_respond(r, 201, "application/xml", b.p, b.len);
		} else {
			http_respond(r, st && !strcmp(st, "200") ? 200 : 204, NULL, NULL, 0);
		}
	}
	sbuf_fini(&loc);
	sbuf_fini(&b);
	free(eb);
	free(ek);
	free(ee);
}

static void s3pt_end_cb(http_req_t *r, int status)
{
	s3pt_t *x = r->user;
	r->user = NULL;
	if (status) {
		s3_err_code(r, status, "POST %s: the request body broke off: %s", x->q->bucket, err_str(status));
		goto out;
	}
	if (!s3pt_failed(x) && s3_form_finish(x->form))
		s3_fail_set(&x->f, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
			    "multipart/form-data: %s", s3_form_error(x->form));
	if (!s3pt_failed(x) && !x->file_seen)
		s3_fail_set(&x->f, 400, "InvalidArgument", "POST requires exactly one file upload per request.");
	if (!s3pt_failed(x) && x->min >= 0 && x->size < x->min)
		s3_fail_set(&x->f, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
	if (s3pt_failed(x)) {
		s3_err(r, x->f.status, x->f.code, "%s", x->f.msg);
		goto out;
	}
	obj_put_t *w = x->w;
	x->w = NULL;
	s3v_state_t vst = s3_ver_state(x->o.bck);
	s3_vput_t vp = {0};
	bool guard = x->lock || vst != S3V_OFF;
	if (guard) {
		lom_md_t cur;
		bool have;
		s3_olock(x->o.digest);
		int rc = s3_obj_current(&x->o, &cur, &have);
		if (rc)
			s3_err_code(r, rc, "%s: POST %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
		else
			rc = s3_obj_replace_ok(r, &x->o, &cur, have, x->lock && vst != S3V_ENABLED);
		lom_md_fini(&cur);
		if (!rc && vst != S3V_OFF && (rc = s3_ver_put_begin(&x->o, vst, obj_put_md(w), &vp)))
			s3_err_code(r, rc, "%s: POST %s/%s: versions: %s", node_name(), x->o.bck->name, x->o.oname,
				    err_str(rc));
		if (rc) {
			s3_ounlock(x->o.digest);
			obj_put_abort(w, rc);
			goto out;
		}
	}
	obj_put_res_t res;
	obj_why_t why;
	int rc = obj_put_commit(w, &res, &why);
	if (vst != S3V_OFF)
		s3_ver_put_end(&x->o, &vp, rc == 0);
	if (guard)
		s3_ounlock(x->o.digest);
	if (why == OBJ_WHY_BAD_XCK)
		s3_err(r, 400, "BadDigest", "The %s you specified did not match the calculated checksum.",
		       s3ck_header_name(x->xck));
	else if (rc)
		s3_err_code(r, rc, "%s: POST %s/%s: %s", node_name(), x->o.bck->name, x->o.oname, err_str(rc));
	else {
		s3_omd_version_hdr(r, &res.md, x->o.bck);
		s3pt_respond(r, x, res.md5_hex);
	}
	lom_md_fini(&res.md);
out:
	s3pt_free(x);
}

void s3_post_target(http_req_t *r, s3_req_t *q)
{
	s3pt_t *x = calloc(1, sizeof(*x));
	char err[160];
	static const s3_form_cb_t cb = {.field = s3pt_field, .file_begin = s3pt_file_begin,
					.file_data = s3pt_file_data, .file_end = s3pt_file_end};
	if (!x || !(x->c = malloc(sizeof(*x->c)))) {
		free(x);
		free(q);
		s3_err(r, 500, "InternalError", "out of memory");
		return;
	}
	x->r = r;
	x->q = q;
	x->o.mpi = -1;
	x->min = x->max = -1;
	s3_conf_get(x->c);
	if (!(x->form = s3_form_new(http_hdr_get(r, "Content-Type"), &cb, x, err, sizeof(err)))) {
		s3_err(r, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
		       "multipart/form-data: %s", err);
		s3pt_free(x);
		return;
	}
	r->user = x;
	http_stream_body(r, s3pt_data_cb, s3pt_end_cb);
}
