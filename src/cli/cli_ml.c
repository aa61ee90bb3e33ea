/* cli_ml: `ais ml get-batch` (AIStore's docs/cli/ml.md): many objects and archived files, from
 * any buckets, into one archive named DST (its extension picks the format: .tar by default,
 * .tgz/.tar.gz, .tar.lz4, .zip; "-" writes a TAR to standard output). Sources: BUCKET with
 * --list/--template/--prefix, BUCKET/OBJECT, BUCKET/SHARD.EXT/FILE (an archived file), or a
 * whole MossReq with --spec (a JSON file or inline JSON; YAML is not supported here).
 * --streaming asks for the streamed answer; otherwise the multipart one, whose metadata names
 * the items that were missing (with --cont-on-err). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/arch_mime.h"
#include "archive/arch_tmpl.h"
#include "cli/cli.h"
#include "cli/cli_fmt.h"
#include "core/jsonx.h"
#include "core/util.h"

#define ML_NAME_MAX 4096

typedef struct ml_ins {
	json_t *in;
	const char *bucket;
} ml_ins_t;

static void ml_add(json_t *in, const char *bucket, const char *name)
{
	static const char *const exts[] = {".tar.gz/", ".tar.lz4/", ".tgz/", ".zip/", ".tar/"};
	json_t *o = json_pack("{s:s}", "bucket", bucket);
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		const char *p = strstr(name, exts[i]);
		if (p) {
			size_t l = (size_t)(p - name) + strlen(exts[i]) - 1;
			json_object_set_new(o, "objname", json_stringn(name, l));
			json_object_set_new(o, "archpath", json_string(name + l + 1));
			json_array_append_new(in, o);
			return;
		}
	}
	json_object_set_new(o, "objname", json_string(name));
	json_array_append_new(in, o);
}

static int ml_tmpl_cb(void *arg, const char *name, size_t len)
{
	ml_ins_t *m = arg;
	char *n = strndup(name, len);
	if (!n)
		return -15;
	ml_add(m->in, m->bucket, n);
	free(n);
	return 0;
}

/* the names of a bucket's objects with a prefix (name-only listing) */
static int ml_prefix(cli_ctx_t *c, const cli_bck_t *b, const char *prefix, json_t *in)
{
	char token[1024] = "", uuid[128] = "";
	sbuf_t path = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &path);
	cli_api_bck_query(b, &q);
	int rc = 0;
	do {
		json_t *msg = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "action", "list", "value", "prefix", prefix,
					"props", "name", "flags", "16", "continuation_token", token, "uuid", uuid);
		char *body = jsonx_dumps(msg);
		json_decref(msg);
		cli_req_t r = {.method = "GET", .path = sbuf_str(&path), .query = sbuf_str(&q), .body = body,
			       .body_len = body ? strlen(body) : 0, .fd = -1, .timeout_ms = 300000};
		rc = cli_api_do(c, &r);
		free(body);
		json_error_t je;
		json_t *page = rc ? NULL : jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &je);
		cli_req_fini(&r);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(page, "entries"), i, e) ml_add(in, b->name, jsonx_str(e, "name", ""));
		snprintf(token, sizeof(token), "%s", jsonx_str(page, "continuation_token", ""));
		snprintf(uuid, sizeof(uuid), "%s", jsonx_str(page, "uuid", ""));
		json_decref(page);
	} while (!rc && token[0]);
	sbuf_fini(&path);
	sbuf_fini(&q);
	return rc;
}

/* one SRC argument into the items; a bare BUCKET with --spec is the request's default bucket (*dflt) */
static int ml_src(cli_ctx_t *c, const char *arg, json_t *in, cli_bck_t *dflt)
{
	cli_bck_t b;
	char err[256], *name = calloc(1, ML_NAME_MAX);
	int rc = 0;
	if (cli_uri_parse(arg, &b, name, ML_NAME_MAX, err, sizeof(err)) || !b.name[0]) {
		free(name);
		return cli_err(c, "invalid source \"%s\"%s%s", arg, err[0] ? ": " : "", err);
	}
	const char *lst = cli_flag_str(c, "list", NULL), *tmpl = cli_flag_str(c, "template", NULL);
	const char *pfx = cli_flag_str(c, "prefix", NULL);
	size_t nl = strlen(name);
	if (!nl && !lst && !tmpl && !pfx) { /* AIStore: names come from --spec, this is their bucket */
		if (cli_flag_str(c, "spec", NULL))
			*dflt = b;
		else
			rc = cli_err(c, "with no '--spec' option expecting object names and/or archived filenames in the "
				     "command line (or '--list', '--template', '--prefix')");
	} else if (nl && name[nl - 1] != '/' && !lst && !tmpl && !pfx) {
		ml_add(in, b.name, name); /* one object (or archived file) */
	} else if (lst) {
		char *d = strdup(lst), *save = NULL;
		for (char *p = strtok_r(d, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			char full[ML_NAME_MAX];
			snprintf(full, sizeof(full), "%s%s", name, p);
			if (*p)
				ml_add(in, b.name, full);
		}
		free(d);
	} else if (tmpl) {
		ml_ins_t m = {in, b.name};
		char full[ML_NAME_MAX];
		snprintf(full, sizeof(full), "%s%s", name, tmpl);
		if (arch_tmpl_expand(full, ml_tmpl_cb, &m))
			rc = cli_err(c, "invalid template \"%s\"", full);
	} else {
		char full[ML_NAME_MAX];
		snprintf(full, sizeof(full), "%s%s", name, pfx ? pfx : "");
		rc = ml_prefix(c, &b, full, in);
	}
	free(name);
	return rc;
}

/* --spec: a file, else inline JSON */
static json_t *ml_spec(cli_ctx_t *c, const char *spec)
{
	json_error_t je;
	json_t *j = NULL;
	struct stat st;
	if (!stat(spec, &st))
		j = json_load_file(spec, 0, &je);
	else
		j = json_loads(spec, 0, &je);
	if (!json_is_object(j)) {
		cli_err(c, "invalid --spec (expecting a JSON MossReq; YAML is not supported): %s", j ? "not an object" : je.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

typedef struct ml_out {
	FILE *fp;
	int64_t n;
	int err;
} ml_out_t;

static size_t ml_sink(const char *p, size_t n, void *arg)
{
	ml_out_t *o = arg;
	if (fwrite(p, 1, n, o->fp) != n) {
		o->err = errno ? errno : EIO;
		return 0;
	}
	o->n += (int64_t)n;
	return n;
}

/* the multipart answer: metadata, then the archive (Go's mime/multipart layout) */
static int ml_multipart(cli_ctx_t *c, const cli_req_t *r, FILE *fp, int *nmissing, int *nitems)
{
	char ct[256], bnd[200];
	if (!cli_req_hdr(r, "Content-Type", ct, sizeof(ct)) || !strstr(ct, "boundary="))
		return cli_err(c, "get-batch: unexpected Content-Type \"%s\"", ct);
	snprintf(bnd, sizeof(bnd), "\r\n--%s", strstr(ct, "boundary=") + 9);
	const char *body = r->resp.p ? r->resp.p : "", *end = body + r->resp.len;
	const char *h1 = strstr(body, "\r\n\r\n");
	const char *e1 = h1 ? memmem(h1, (size_t)(end - h1), bnd, strlen(bnd)) : NULL;
	const char *h2 = e1 ? memmem(e1 + 2, (size_t)(end - e1 - 2), "\r\n\r\n", 4) : NULL;
	const char *e2 = h2 ? memmem(h2 + 4, (size_t)(end - h2 - 4), bnd, strlen(bnd)) : NULL;
	if (!e2)
		return cli_err(c, "get-batch: malformed multipart response");
	json_error_t je;
	json_t *meta = jsonx_loadb(h1 + 4, (size_t)(e1 - h1 - 4), &je);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(meta, "out"), i, o) {
		(*nitems)++;
		if (*jsonx_str(o, "err_msg", "")) {
			(*nmissing)++;
			if (cli_flag(c, "verbose") || !cli_flag(c, "non-verbose"))
				fprintf(stderr, "Warning: %s\n", jsonx_str(o, "err_msg", ""));
		}
	}
	json_decref(meta);
	size_t alen = (size_t)(e2 - h2 - 4);
	if (fwrite(h2 + 4, 1, alen, fp) != alen)
		return cli_err(c, "write: %s", strerror(errno));
	return 0;
}

int cli_ml_get_batch(cli_ctx_t *c)
{
	const char *spec = cli_flag_str(c, "spec", NULL);
	if (c->nargs < 1 || (!spec && c->nargs < 2))
		return cli_args_usage_err(c, "expecting [SRC ...] DST_ARCHIVE (or DST_ARCHIVE --spec)");
	const char *dst = c->args[c->nargs - 1];
	arch_fmt_t f = strcmp(dst, "-") ? arch_mime_by_ext(dst) : ARCH_TAR;
	if (f == ARCH_NONE)
		return cli_err(c, "invalid destination \"%s\": expecting one of .tar, .tgz, .tar.gz, .zip, .tar.lz4", dst);
	json_t *req = spec ? ml_spec(c, spec) : json_object();
	int rc = req ? 0 : 1;
	if (!rc && !json_object_get(req, "in"))
		json_object_set_new(req, "in", json_array());
	cli_bck_t dflt = {0};
	for (int i = 0; !rc && i < c->nargs - 1; i++)
		rc = ml_src(c, c->args[i], json_object_get(req, "in"), &dflt);
	if (!rc && !json_array_size(json_object_get(req, "in")))
		rc = cli_err(c, "nothing to get: no sources");
	if (rc) {
		json_decref(req);
		return rc;
	}
	if (!json_object_get(req, "mime"))
		json_object_set_new(req, "mime", json_string(arch_mime_ext(f)));
	if (cli_flag(c, "omit-src-bck"))
		json_object_set_new(req, "onob", json_true());
	if (cli_flag(c, "cont-on-err"))
		json_object_set_new(req, "coer", json_true());
	bool strm = cli_flag(c, "streaming") || json_is_true(json_object_get(req, "strm"));
	json_object_set_new(req, "strm", json_boolean(strm));
	char *body = jsonx_dumps(req);
	json_decref(req);
	bool out_std = !strcmp(dst, "-");
	FILE *fp = out_std ? stdout : fopen(dst, "wb");
	if (!fp) {
		free(body);
		return cli_err(c, "open %s: %s", dst, strerror(errno));
	}
	ml_out_t o = {.fp = fp};
	sbuf_t path = SBUF_INIT, q = SBUF_INIT;
	sbuf_adds(&path, "/v1/ml/moss");
	if (dflt.name[0]) { /* the default bucket of items without one (api.GetBatch's bck) */
		sbuf_addf(&path, "/%s", dflt.name);
		cli_api_bck_query(&dflt, &q);
	}
	cli_req_t r = {.method = "GET", .path = sbuf_str(&path), .query = q.len ? sbuf_str(&q) : NULL, .body = body,
		       .body_len = strlen(body), .fd = -1, .sink = strm ? ml_sink : NULL, .sink_arg = &o};
	int nmissing = 0, nitems = 0;
	rc = cli_api_do(c, &r);
	if (!rc && o.err)
		rc = cli_err(c, "write %s: %s", dst, strerror(o.err));
	if (!rc && !strm)
		rc = ml_multipart(c, &r, fp, &nmissing, &nitems);
	cli_req_fini(&r);
	sbuf_fini(&path);
	sbuf_fini(&q);
	free(body);
	if (!out_std && fclose(fp) && !rc)
		rc = cli_err(c, "close %s: %s", dst, strerror(errno));
	if (rc && !out_std)
		unlink(dst);
	if (!rc && !out_std && !cli_flag(c, "non-verbose")) {
		struct stat st;
		char sz[32] = "";
		if (!stat(dst, &st))
			cli_fmt_size(st.st_size, c->units, 2, sz, sizeof(sz));
		if (strm)
			printf("Created %s (%s)\n", dst, sz);
		else
			printf("Created %s (%s): %d item%s%s%d missing%s\n", dst, sz, nitems, nitems == 1 ? "" : "s",
			       nmissing ? ", " : " (", nmissing, nmissing ? "" : ")");
	}
	return rc;
}
