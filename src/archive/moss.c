/* moss: the MossReq parser and output naming (see moss.h). Every string the request carries is
 * copied; nothing is kept from the JSON tree. */
#include "archive/moss.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/jsonx.h"
#include "core/s3ck.h"
#include "core/utf8.h"
#include "fs/fqn.h"

static const char *const moss_req_keys[] = {"mime", "in", "coer", "onob", "strm", "coloc", NULL};
static const char *const moss_in_keys[] = {"objname", "bucket", "provider", "uname", "archpath",
					   "opaque", "start", "length", NULL};

bool moss_archpath_ok(const char *p)
{
	size_t l = strlen(p);
	if (!l || p[l - 1] == '/' || strstr(p, "../") || strstr(p, "~/") || !utf8_valid(p, l) || memchr(p, 0, l))
		return false;
	return strcmp(p, "..") && !(l > 2 && !strcmp(p + l - 3, "/.."));
}

void moss_req_fini(moss_req_t *req)
{
	for (int i = 0; req->in && i < req->n; i++) {
		moss_in_t *in = &req->in[i];
		free(in->objname);
		free(in->bucket);
		free(in->provider);
		free(in->ns);
		free(in->archpath);
		free(in->opaque);
	}
	free(req->in);
	memset(req, 0, sizeof(*req));
}

/* a string member (absent/null → ""), copied; AIS_EINVAL when not a string */
static int moss_str(json_t *o, const char *key, char **out)
{
	json_t *v = jsonx_get_ci(o, key);
	*out = NULL;
	if (v && !json_is_null(v) && !json_is_string(v))
		return AIS_EINVAL;
	*out = strdup(json_is_string(v) ? json_string_value(v) : "");
	return *out ? 0 : AIS_ENOMEM;
}

static int moss_bool(json_t *o, const char *key, bool *out)
{
	json_t *v = jsonx_get_ci(o, key);
	if (v && !json_is_null(v) && !json_is_boolean(v))
		return AIS_EINVAL;
	*out = json_is_true(v);
	return 0;
}

static int moss_int(json_t *o, const char *key, int64_t *out)
{
	json_t *v = jsonx_get_ci(o, key);
	*out = 0;
	if (v && !json_is_null(v) && !json_is_integer(v))
		return AIS_EINVAL;
	*out = json_is_integer(v) ? json_integer_value(v) : 0;
	return 0;
}

/* "<provider>/@#/<bucket>/<object>" or "<provider>/@<uuid>#<name>/<bucket>/<object>" */
static int moss_uname(moss_in_t *in, const char *u, char *err, size_t cap)
{
	const char *s1 = strchr(u, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL, *s3 = s2 ? strchr(s2 + 1, '/') : NULL;
	if (!s3 || s1[1] != '@' || !memchr(s1 + 1, '#', (size_t)(s2 - s1 - 1)) || s3 == s2 + 1 || !s3[1]) {
		snprintf(err, cap, "invalid uname \"%.200s\"", u);
		return AIS_EINVAL;
	}
	free(in->provider);
	free(in->bucket);
	free(in->objname);
	free(in->ns);
	in->provider = strndup(u, (size_t)(s1 - u));
	in->ns = (s2 - s1 == 3) ? strdup("") : strndup(s1 + 1, (size_t)(s2 - s1 - 1)); /* "@#" is global */
	in->bucket = strndup(s2 + 1, (size_t)(s3 - s2 - 1));
	in->objname = strdup(s3 + 1);
	return in->provider && in->ns && in->bucket && in->objname ? 0 : AIS_ENOMEM;
}

static int moss_in_parse(json_t *o, int i, moss_in_t *in, char *err, size_t cap)
{
	char *uname = NULL;
	int64_t start, length;
	const char *bad = json_is_object(o) ? jsonx_unknown_key_ci(o, moss_in_keys) : "(not an object)";
	if (bad) {
		snprintf(err, cap, "in[%d]: unknown field %s", i, bad);
		return AIS_EINVAL;
	}
	int rc = moss_str(o, "objname", &in->objname);
	rc = rc ? rc : moss_str(o, "bucket", &in->bucket);
	rc = rc ? rc : moss_str(o, "provider", &in->provider);
	rc = rc ? rc : moss_str(o, "uname", &uname);
	rc = rc ? rc : moss_str(o, "archpath", &in->archpath);
	rc = rc ? rc : moss_str(o, "opaque", &in->opaque);
	rc = rc ? rc : moss_int(o, "start", &start);
	rc = rc ? rc : moss_int(o, "length", &length);
	if (rc) {
		free(uname);
		snprintf(err, cap, "in[%d]: %s", i, rc == AIS_ENOMEM ? "out of memory" : "a field has the wrong type");
		return rc;
	}
	if (!in->ns && !(in->ns = strdup(""))) {
		free(uname);
		return AIS_ENOMEM;
	}
	if (*uname)
		rc = moss_uname(in, uname, err, cap);
	free(uname);
	if (rc)
		return rc;
	if (length || start) {
		snprintf(err, cap, "range read is not implemented yet (moss, in[%d])", i);
		return AIS_ENOTIMPL;
	}
	if (*in->provider && strcmp(in->provider, "ais")) {
		snprintf(err, cap, "in[%d]: provider \"%s\": remote backends are not supported yet", i, in->provider);
		return AIS_ENOTIMPL;
	}
	const char *why = fqn_invalid(in->objname, strlen(in->objname));
	if (why) {
		char q[512];
		snprintf(err, cap, "invalid object name \"%s\" (in[%d]: %s)", utf8_quote(in->objname, strlen(in->objname), q, sizeof(q)),
			 i, why);
		return AIS_EINVAL;
	}
	if (in->archpath[0] == '/')
		memmove(in->archpath, in->archpath + 1, strlen(in->archpath));
	if (*in->archpath && !moss_archpath_ok(in->archpath)) {
		char q[512];
		snprintf(err, cap, "invalid archpath \"%s\" (in[%d])", utf8_quote(in->archpath, strlen(in->archpath), q, sizeof(q)), i);
		return AIS_EINVAL;
	}
	size_t ol = strlen(in->opaque);
	if (ol) {
		unsigned char *tmp = malloc(ol);
		long n = tmp ? s3_b64_decode(in->opaque, tmp, ol) : -1;
		free(tmp);
		if (n < 0) {
			snprintf(err, cap, "in[%d]: opaque is not valid base64", i);
			return AIS_EINVAL;
		}
	}
	return 0;
}

static int moss_req_top(json_t *j, moss_req_t *req, char *err, size_t cap)
{
	const char *bad = jsonx_unknown_key_ci(j, moss_req_keys);
	if (bad) {
		snprintf(err, cap, "unknown field %s", bad);
		return AIS_EINVAL;
	}
	int64_t coloc;
	json_t *mime = jsonx_get_ci(j, "mime");
	if ((mime && !json_is_null(mime) && !json_is_string(mime)) || moss_bool(j, "coer", &req->coer) ||
	    moss_bool(j, "onob", &req->onob) || moss_bool(j, "strm", &req->strm) || moss_int(j, "coloc", &coloc)) {
		snprintf(err, cap, "a field has the wrong type");
		return AIS_EINVAL;
	}
	req->fmt = ARCH_TAR;
	const char *m = json_is_string(mime) ? json_string_value(mime) : "";
	if (*m && arch_mime_norm(m, &req->fmt)) {
		snprintf(err, cap, "unknown mime type \"%.100s\"", m);
		return AIS_EINVAL;
	}
	if (coloc < 0 || coloc > 2) {
		snprintf(err, cap, "invalid 'coloc=%lld' (expecting 0, 1, or 2)", (long long)coloc);
		return AIS_EINVAL;
	}
	req->coloc = (int)coloc;
	return 0;
}

int moss_req_parse(const char *body, size_t len, moss_req_t *req, char *err, size_t cap)
{
	json_error_t je;
	memset(req, 0, sizeof(*req));
	json_t *j = len ? jsonx_loadb(body, len, &je) : NULL;
	int rc = 0;
	if (!json_is_object(j)) {
		snprintf(err, cap, "failed to unmarshal MossReq: %s", !len ? "empty body" : j ? "not an object" : je.text);
		json_decref(j);
		return AIS_EINVAL;
	}
	if ((rc = moss_req_top(j, req, err, cap)))
		goto out;
	json_t *in = jsonx_get_ci(j, "in");
	if (in && !json_is_null(in) && !json_is_array(in)) {
		snprintf(err, cap, "\"in\" must be an array");
		rc = AIS_EINVAL;
		goto out;
	}
	size_t n = json_array_size(in);
	if (!n) {
		snprintf(err, cap, "moss: empty input");
		rc = AIS_EINVAL;
		goto out;
	}
	if (n > (1u << 24) || !(req->in = calloc(n, sizeof(*req->in)))) {
		rc = AIS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		req->n = (int)i + 1;
		rc = moss_in_parse(json_array_get(in, i), (int)i, &req->in[i], err, cap);
	}
out:
	json_decref(j);
	if (rc == AIS_ENOMEM && cap)
		snprintf(err, cap, "out of memory");
	if (rc)
		moss_req_fini(req);
	return rc;
}

const char *moss_in_bucket(const moss_in_t *in, const char *dflt)
{
	return in->bucket && *in->bucket ? in->bucket : dflt ? dflt : "";
}

void moss_name(const moss_req_t *req, const moss_in_t *in, const char *bucket, bool missing, sbuf_t *out)
{
	sbuf_reset(out);
	if (missing)
		sbuf_adds(out, MOSS_MISSING_DIR "/");
	if (!req->onob)
		sbuf_addf(out, "%s/", bucket);
	sbuf_adds(out, in->objname);
	if (*in->archpath)
		sbuf_addf(out, "/%s", in->archpath);
}
