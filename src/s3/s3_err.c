/* s3_err: how the S3 API answers: the <Error> XML document with an S3 error code and the
 * request id, common response headers (x-amz-request-id, Server), XML document responses,
 * the per-request view of the cluster config's "s3" section, and S3 time formats.
 * Stateless: every call copies the current config's s3 section (set-config may replace it). */
#include "s3/s3_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "s3/s3xml.h"

void s3_conf_get(s3_conf_t *c)
{
	const config_t *cfg = config_get();
	c->auth = cfg && cfg->s3_auth;
	c->redirect = cfg && cfg->s3_redirect;
	snprintf(c->region, sizeof(c->region), "%s", cfg && cfg->s3_region[0] ? cfg->s3_region : "us-east-1");
	c->nkeys = 0;
	if (cfg) { /* the users behind the keys matter with auth off too (owners, ACL grants by email) */
		if (cfg->s3_access_key[0]) {
			memset(&c->keys[0], 0, sizeof(c->keys[0])); /* (the default user: no user/name/email) */
			snprintf(c->keys[0].access, sizeof(c->keys[0].access), "%s", cfg->s3_access_key);
			snprintf(c->keys[0].secret, sizeof(c->keys[0].secret), "%s", cfg->s3_secret_key);
			c->nkeys = 1;
		}
		for (int i = 0; i < cfg->s3_nkeys && c->nkeys < CONFIG_MAX_S3KEYS + 1; i++)
			c->keys[c->nkeys++] = cfg->s3_keys[i];
	}
	config_put(cfg);
}

void s3_add_common_hdrs(http_req_t *r)
{
	char id[17];
	rand_alnum(id, 16);
	for (char *p = id; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	http_hdr_add(r, "x-amz-request-id", id);
	http_hdr_add(r, "Server", "AIStore");
}

void s3_xml_respond(http_req_t *r, int status, const char *xml, size_t len)
{
	s3_add_common_hdrs(r);
	http_respond(r, status, "application/xml", xml, len);
}

static void s3_verr(http_req_t *r, int status, const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char id[17];
	rand_alnum(id, 16);
	sbuf_t b = SBUF_INIT;
	/* the document stays well-formed XML (UTF-8) whatever bytes the path had */
	char res[1024];
	const char *path = r->path ? r->path : "";
	if (!utf8_valid(path, strlen(path)))
		path = utf8_quote(path, strlen(path), res, sizeof(res));
	char qm[1024];
	const char *m = utf8_valid(msg, strlen(msg)) ? msg : utf8_quote(msg, strlen(msg), qm, sizeof(qm));
	s3xml_error(&b, code, m, path, id);
	http_hdr_add(r, "x-amz-request-id", id);
	http_hdr_add(r, "Server", "AIStore");
	if (r->method == HTTP_M_HEAD)
		http_respond(r, status, "application/xml", NULL, 0);
	else
		http_respond(r, status, "application/xml", b.p, b.len);
	sbuf_fini(&b);
}

void s3_err(http_req_t *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s3_verr(r, status, code, fmt, ap);
	va_end(ap);
}

void s3_err_code(http_req_t *r, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s3_verr(r, err_http_status(rc), err_s3_code(rc), fmt, ap);
	va_end(ap);
}

void s3_fmt_iso(int64_t ns, char *out, size_t cap)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char b[32];
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%03dZ", b, (int)((ns / 1000000) % 1000));
}
