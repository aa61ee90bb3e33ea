/* cli_archive: `ais archive put|get|ls|bucket|gen-shards`, `ais ml get-batch` and
 * `ais bucket shard-index build|summary` (AIStore's docs/cli/archive.md, docs/cli/ml.md), over
 * the cluster's API: PUT ?archpath= with Ais-Pine, GET ?archpath=/archregx, list with LsArchDir,
 * the archive and index-shard bucket actions, summary-shard, GET /v1/ml/moss. Shards that
 * gen-shards makes are written with the archive writer (archive/arch_wr.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/arch_mime.h"
#include "archive/arch_tmpl.h"
#include "archive/arch_wr.h"
#include "archive/moss.h"
#include "cli/cli.h"
#include "cli/cli_fmt.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/util.h"

#define ARCH_NAME_MAX 4096

/* "bucket/name" → b, name (required) */
static int ar_obj(cli_ctx_t *c, const char *arg, cli_bck_t *b, char *obj, bool need)
{
	char err[256];
	if (cli_uri_parse(arg, b, obj, ARCH_NAME_MAX, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!b->name[0])
		return cli_err(c, "missing bucket name in \"%s\"", arg);
	if (need && !obj[0])
		return cli_args_usage_err(c, "missing shard name in \"%s\"", arg);
	return 0;
}

/* AIStore's archive.SplitAtExtension: "a/b.tar/c/d" → "a/b.tar" + "c/d" */
static void ar_split(char *name, char **file)
{
	static const char *const exts[] = {".tar.gz/", ".tar.lz4/", ".tgz/", ".zip/", ".tar/"};
	*file = NULL;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *p = strstr(name, exts[i]);
		if (p) {
			p += strlen(exts[i]) - 1;
			*p = '\0';
			*file = p + 1;
			return;
		}
	}
}

/* wait for a job (GET /v1/cluster?what=status) to end; 0 finished, 1 failed (printed) */
static int ar_wait(cli_ctx_t *c, const char *xid)
{
	char body[128];
	snprintf(body, sizeof(body), "{\"id\":\"%s\"}", xid);
	for (;;) {
		cli_req_t r = {.method = "GET", .path = "/v1/cluster", .query = "what=status", .body = body,
			       .body_len = strlen(body), .fd = -1, .timeout_ms = 30000};
		int rc = cli_api_do(c, &r);
		json_error_t je;
		json_t *st = rc ? NULL : jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &je);
		cli_req_fini(&r);
		if (rc)
			return 1;
		bool done = json_integer_value(json_object_get(st, "end_time")) != 0;
		const char *err = jsonx_str(st, "err", "");
		bool aborted = json_is_true(json_object_get(st, "aborted"));
		if (done) {
			rc = aborted || *err ? cli_err(c, "job %s %s%s%s", xid, aborted ? "aborted" : "failed", *err ? ": " : "",
						       err)
					     : 0;
			json_decref(st);
			return rc;
		}
		json_decref(st);
		struct timespec ts = {0, 200 * 1000000};
		nanosleep(&ts, NULL);
	}
}

/* POST/PUT/GET an ActMsg to /v1/buckets/<b>; the answer body (job ID) into out */
static int ar_bck_act(cli_ctx_t *c, const char *method, const cli_bck_t *b, json_t *msg, char *out, size_t cap,
		      int *status)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	char *body = jsonx_dumps(msg);
	cli_req_t r = {.method = method, .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
		       .body_len = body ? strlen(body) : 0, .fd = -1, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	if (!rc)
		snprintf(out, cap, "%.*s", (int)r.resp.len, r.resp.p ? r.resp.p : "");
	if (status)
		*status = r.status;
	cli_req_fini(&r);
	free(body);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

/* ---------------------------------------------------------------- put */

/* one file (or stdin's bytes) into the shard as name */
static int ar_put_one(cli_ctx_t *c, const cli_bck_t *b, const char *shard, const char *name, int fd, int64_t size,
		      int pine)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(b, shard, &p);
	cli_api_bck_query(b, &q);
	char *e = url_encode(name, false), hdr[64];
	sbuf_addf(&q, "&archpath=%s", e ? e : "");
	const char *mime = cli_flag_str(c, "archmime", NULL);
	if (mime)
		sbuf_addf(&q, "&archmime=%s", mime);
	free(e);
	snprintf(hdr, sizeof(hdr), "Ais-Pine: %d", pine);
	const char *hdrs[] = {hdr, NULL};
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = fd, .fd_size = size,
		       .hdrs = pine ? hdrs : NULL, .timeout_ms = 0};
	int rc = cli_api_do(c, &r);
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

typedef struct ar_walk {
	cli_ctx_t *c;
	const cli_bck_t *b;
	const char *shard, *prefix;
	int pine, n;
	bool recursive;
} ar_walk_t;

static int ar_put_file(ar_walk_t *w, const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return cli_err(w->c, "open %s: %s", path, strerror(errno));
	}
	char full[ARCH_NAME_MAX];
	snprintf(full, sizeof(full), "%s%s", w->prefix, name);
	int rc = ar_put_one(w->c, w->b, w->shard, full, fd, st.st_size, w->pine);
	close(fd);
	if (!rc) {
		w->n++;
		if (cli_flag(w->c, "verbose"))
			printf("%s => %s/%s\n", path, w->shard, full);
	}
	return rc;
}

static int ar_put_dir(ar_walk_t *w, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	if (!d)
		return cli_err(w->c, "open %s: %s", dir, strerror(errno));
	struct dirent *de;
	int rc = 0;
	char **names = NULL;
	size_t n = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char path[ARCH_NAME_MAX], r2[ARCH_NAME_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(r2, sizeof(r2), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		if (!rc && !stat(path, &st)) {
			if (S_ISDIR(st.st_mode) && w->recursive)
				rc = ar_put_dir(w, path, r2);
			else if (S_ISREG(st.st_mode))
				rc = ar_put_file(w, path, r2);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cli_archive_put(cli_ctx_t *c)
{
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting [-|FILE|DIRECTORY] BUCKET/SHARD_NAME");
	cli_bck_t b;
	char *shard = calloc(1, ARCH_NAME_MAX);
	int rc = ar_obj(c, c->args[1], &b, shard, true);
	const char *src = c->args[0], *ap = cli_flag_str(c, "archpath", NULL);
	int pine = cli_flag(c, "append") ? 1 : cli_flag(c, "append-or-put") ? 2 : 0;
	struct stat st;
	if (rc)
		goto out;
	if (!strcmp(src, "-")) { /* stdin: the size is needed (Content-Length) */
		if (!ap) {
			rc = cli_args_usage_err(c, "archiving standard input requires '--archpath'");
			goto out;
		}
		char tmpl[] = "/tmp/ais-archive-XXXXXX";
		int fd = mkstemp(tmpl);
		char buf[65536];
		ssize_t k;
		if (fd >= 0)
			unlink(tmpl);
		while (fd >= 0 && (k = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)k) != k)
				break;
		off_t sz = fd >= 0 ? lseek(fd, 0, SEEK_CUR) : -1;
		if (sz < 0) {
			rc = cli_err(c, "failed to read standard input");
		} else {
			lseek(fd, 0, SEEK_SET);
			rc = ar_put_one(c, &b, shard, ap, fd, sz, pine);
		}
		if (fd >= 0)
			close(fd);
	} else if (stat(src, &st)) {
		rc = cli_err(c, "%s: %s", src, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		if (!pine) { /* AIStore: warn, then (confirmed, or --yes) proceed as --append-or-put */
			cli_warn(c, "multi-file 'archive put' operation requires either '--append' or '--append-or-put' option");
			if (cli_flag(c, "yes"))
				fprintf(stderr, "Assuming '--append-or-put' - proceeding to execute...\n\n");
			else if (!cli_confirm(c, "Proceed to execute 'archive put --append-or-put'?"))
				goto out;
			pine = 2;
		}
		ar_walk_t w = {.c = c, .b = &b, .shard = shard, .prefix = ap ? ap : "", .pine = pine,
			       .recursive = cli_flag(c, "recursive")};
		rc = ar_put_dir(&w, src, "");
		if (!rc)
			printf("Archived %d file%s from %s => %s\n", w.n, w.n == 1 ? "" : "s", src, c->args[1]);
	} else {
		ar_walk_t w = {.c = c, .b = &b, .shard = shard, .prefix = "", .pine = pine};
		const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		rc = ar_put_file(&w, src, ap ? ap : base);
		if (!rc)
			printf("%s %s => %s/%s\n", pine ? "APPEND" : "PUT", src, c->args[1], ap ? ap : base);
	}
out:
	free(shard);
	return rc;
}

/* ---------------------------------------------------------------- get, ls */

int cli_archive_get(cli_ctx_t *c)
{
	if (c->nargs < 1 || c->nargs > 2)
		return cli_args_usage_err(c, "expecting BUCKET/SHARD_NAME[/ARCHPATH] [OUT_FILE|OUT_DIR|-]");
	cli_bck_t b;
	char *name = calloc(1, ARCH_NAME_MAX), *file = NULL;
	int rc = ar_obj(c, c->args[0], &b, name, true);
	if (!rc) {
		if (!cli_flag_str(c, "archpath", NULL) && !cli_flag_str(c, "archregx", NULL))
			ar_split(name, &file); /* "shard.tar/file": '--archpath' implied */
		const char *ap = file ? file : cli_flag_str(c, "archpath", NULL);
		const char *out = c->nargs > 1 ? c->args[1] : NULL;
		char dflt[ARCH_NAME_MAX];
		if (!out) {
			const char *base = ap ? ap : name;
			snprintf(dflt, sizeof(dflt), "%s", strrchr(base, '/') ? strrchr(base, '/') + 1 : base);
			out = dflt;
		}
		rc = cli_obj_get(c, &b, name, out, file, false);
	}
	free(name);
	return rc;
}

int cli_archive_ls(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting BUCKET[/SHARD_NAME]");
	cli_bck_t b;
	char *name = calloc(1, ARCH_NAME_MAX);
	int rc = ar_obj(c, c->args[0], &b, name, false);
	if (!rc)
		rc = cli_bucket_ls_objects(c, &b, cli_flag_str(c, "prefix", name), true);
	free(name);
	return rc;
}

/* ---------------------------------------------------------------- archive bucket */

static json_t *ar_list(const char *s)
{
	json_t *a = json_array();
	char *d = strdup(s ? s : ""), *save = NULL;
	for (char *p = strtok_r(d, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		size_t l = strlen(p);
		while (l && p[l - 1] == ' ')
			p[--l] = '\0';
		if (*p)
			json_array_append_new(a, json_string(p));
	}
	free(d);
	return a;
}

int cli_archive_bucket(cli_ctx_t *c)
{
	if (c->nargs < 1 || c->nargs > 2)
		return cli_args_usage_err(c, "expecting SRC_BUCKET[/TEMPLATE] DST_BUCKET/SHARD_NAME");
	cli_bck_t src, dst;
	char *sel = calloc(1, ARCH_NAME_MAX), *shard = calloc(1, ARCH_NAME_MAX), xid[128];
	int rc = c->nargs == 2 ? ar_obj(c, c->args[0], &src, sel, false) : 0;
	if (!rc)
		rc = ar_obj(c, c->args[c->nargs - 1], &dst, shard, true);
	if (rc)
		goto out;
	if (c->nargs == 1)
		src = dst;
	json_t *v = json_pack("{s:s, s:{s:s, s:s}}", "archname", shard, "tobck", "name", dst.name, "provider",
			      dst.provider[0] ? dst.provider : "ais");
	const char *lst = cli_flag_str(c, "list", NULL), *tmpl = cli_flag_str(c, "template", NULL);
	const char *pfx = cli_flag_str(c, "prefix", NULL);
	if (lst)
		json_object_set_new(v, "objnames", ar_list(lst));
	else
		json_object_set_new(v, "template", json_string(tmpl ? tmpl : pfx ? pfx : sel));
	if (cli_flag(c, "include-src-bck"))
		json_object_set_new(v, "isbn", json_true());
	if (cli_flag(c, "append-or-put") || cli_flag(c, "append"))
		json_object_set_new(v, "aate", json_true());
	if (cli_flag(c, "cont-on-err"))
		json_object_set_new(v, "coer", json_true());
	if (cli_flag(c, "non-recursive"))
		json_object_set_new(v, "non-recurs", json_true());
	json_t *msg = json_pack("{s:s, s:o}", "action", "archive", "value", v);
	char cs[600], cd[ARCH_NAME_MAX + 300];
	rc = ar_bck_act(c, "PUT", &src, msg, xid, sizeof(xid), NULL);
	json_decref(msg);
	if (rc)
		goto out;
	cli_uri_cname(&src, NULL, cs, sizeof(cs));
	cli_uri_cname(&dst, shard, cd, sizeof(cd));
	if (cli_flag(c, "wait")) {
		if (!(rc = ar_wait(c, xid)))
			printf("Archived %s => %s\n", cs, cd);
	} else {
		printf("Archiving %s => %s. To monitor the progress, run 'ais show job %s'\n", cs, cd, xid);
	}
out:
	free(sel);
	free(shard);
	return rc;
}

/* ---------------------------------------------------------------- gen-shards */

typedef struct ar_gen {
	cli_ctx_t *c;
	cli_bck_t b;
	int64_t fcount, fsize;
	json_t *exts;
	arch_tar_flavor_t fl;
	int n, total;
	char *data;
} ar_gen_t;

static int ar_sink(void *arg, const void *buf, size_t len) { return sbuf_add(arg, buf, len) ? -15 : 0; }

static int ar_gen_one(void *arg, const char *name, size_t len)
{
	ar_gen_t *g = arg;
	char shard[ARCH_NAME_MAX];
	snprintf(shard, sizeof(shard), "%.*s", (int)len, name);
	arch_fmt_t f = arch_mime_by_ext(shard);
	sbuf_t out = SBUF_INIT;
	arch_sink_t sink = {.write = ar_sink, .arg = &out};
	arch_wr_t *w = NULL;
	int rc = f == ARCH_TAR ? arch_wr_new_tar(&w, g->fl, &sink) : arch_wr_new(&w, f, &sink);
	for (int64_t i = 0; !rc && i < g->fcount; i++) {
		char key[64];
		snprintf(key, sizeof(key), "%016llx-%lld", (unsigned long long)rand_u64(), (long long)i);
		for (size_t k = 0; !rc && k < json_array_size(g->exts); k++) {
			char fn[160];
			snprintf(fn, sizeof(fn), "%s%s", key, json_string_value(json_array_get(g->exts, k)));
			for (int64_t j = 0; j < g->fsize; j += 8) {
				uint64_t r = rand_u64();
				memcpy(g->data + j, &r, (size_t)(g->fsize - j < 8 ? g->fsize - j : 8));
			}
			rc = arch_wr_begin(w, fn, g->fsize, time(NULL));
			if (!rc)
				rc = arch_wr_data(w, g->data, (size_t)g->fsize);
		}
	}
	if (!rc)
		rc = arch_wr_close(w);
	arch_wr_free(w);
	if (rc) {
		sbuf_fini(&out);
		return cli_err(g->c, "generate %s: %s", shard, err_str(rc));
	}
	char tmpl[] = "/tmp/ais-shard-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
	if (fd < 0 || write(fd, out.p, out.len) != (ssize_t)out.len) {
		if (fd >= 0)
			close(fd);
		sbuf_fini(&out);
		return cli_err(g->c, "temporary file: %s", strerror(errno));
	}
	lseek(fd, 0, SEEK_SET);
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(&g->b, shard, &p);
	cli_api_bck_query(&g->b, &q);
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = fd, .fd_size = (int64_t)out.len};
	rc = cli_api_do(g->c, &r);
	cli_req_fini(&r);
	close(fd);
	sbuf_fini(&p);
	sbuf_fini(&q);
	sbuf_fini(&out);
	if (!rc)
		g->n++;
	return rc;
}

static int ar_count(void *arg, const char *name, size_t len)
{
	(void)name;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

int cli_archive_gen_shards(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting \"BUCKET/TEMPLATE.EXT\"");
	ar_gen_t g = {.c = c, .fl = ARCH_TAR_AUTO};
	char *tmpl = calloc(1, ARCH_NAME_MAX);
	int rc = ar_obj(c, c->args[0], &g.b, tmpl, true);
	const char *tf = cli_flag_str(c, "tform", "Unknown");
	const char *fsz = cli_flag_str(c, "fsize", "1024");
	if (!rc && cli_flag_int(c, "fcount", 5, &g.fcount))
		rc = 1;
	if (!rc && cli_fmt_parse_size(fsz, &g.fsize)) /* a size, as AIStore's parseSizeFlag: "1KiB", "4096" */
		rc = cli_err(c, "invalid value \"%s\" for flag --fsize", fsz);
	if (!rc && (g.fcount < 1 || g.fsize < 0 || g.fsize > (64 << 20)))
		rc = cli_err(c, "invalid '--fcount %lld' or '--fsize %lld'", (long long)g.fcount, (long long)g.fsize);
	if (!rc && arch_mime_by_ext(tmpl) == ARCH_NONE)
		rc = cli_err(c, "invalid extension \"%s\": expecting one of .tar, .tgz, .tar.gz, .zip, .tar.lz4", tmpl);
	if (!rc && !strcasecmp(tf, "GNU"))
		g.fl = ARCH_TAR_GNU;
	else if (!rc && !strcasecmp(tf, "PAX"))
		g.fl = ARCH_TAR_PAX;
	else if (!rc && !strcasecmp(tf, "USTAR"))
		g.fl = ARCH_TAR_USTAR;
	else if (!rc && strcasecmp(tf, "Unknown"))
		rc = cli_err(c, "invalid '--tform %s' (expecting one of \"Unknown\", \"USTAR\", \"PAX\", \"GNU\")", tf);
	if (!rc) {
		g.exts = ar_list(cli_flag_str(c, "fext", ".test"));
		g.data = malloc((size_t)g.fsize + 8);
		if (!arch_tmpl_has_range(tmpl))
			rc = cli_err(c, "invalid template \"%s\": expecting a range, e.g. 'shard-{001..999}.tar'", tmpl);
	}
	if (!rc && arch_tmpl_expand(tmpl, ar_count, &g.total))
		rc = cli_err(c, "invalid template \"%s\"", tmpl);
	if (!rc)
		rc = arch_tmpl_expand(tmpl, ar_gen_one, &g) ? 1 : 0;
	if (!rc)
		printf("Shards created: %d/%d\n", g.n, g.total);
	json_decref(g.exts);
	free(g.data);
	free(tmpl);
	return rc;
}

/* ---------------------------------------------------------------- shard-index */

int cli_shard_index_build(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "missing bucket name");
	cli_bck_t b;
	char *pfx = calloc(1, ARCH_NAME_MAX), xid[128];
	int64_t nw = 0;
	int rc = ar_obj(c, c->args[0], &b, pfx, false);
	const char *fp = cli_flag_str(c, "prefix", NULL);
	if (!rc && fp && *pfx && strncmp(fp, pfx, strlen(pfx)))
		rc = cli_err(c, "conflict between embedded prefix (\"%s\") and --prefix flag (\"%s\")", pfx, fp);
	if (!rc && cli_flag_int(c, "num-workers", 0, &nw))
		rc = 1;
	if (rc)
		goto out;
	json_t *v = json_pack("{s:s}", "prefix", fp ? fp : pfx);
	if (nw)
		json_object_set_new(v, "num-workers", json_integer(nw));
	if (cli_flag(c, "skip-verify"))
		json_object_set_new(v, "skip-verify", json_true());
	json_t *msg = json_pack("{s:s, s:o}", "action", "index-shard", "value", v);
	rc = ar_bck_act(c, "POST", &b, msg, xid, sizeof(xid), NULL);
	json_decref(msg);
	if (rc)
		goto out;
	char cn[600];
	cli_uri_cname(&b, NULL, cn, sizeof(cn));
	if (cli_flag(c, "wait")) {
		if (!(rc = ar_wait(c, xid)))
			printf("index-shard[%s]: %s done\n", xid, cn);
	} else if (cli_flag(c, "non-verbose")) {
		printf("%s\n", xid);
	} else {
		printf("index-shard[%s]: %s%s%s%s. To monitor the progress, run 'ais show job %s'\n", xid, cn,
		       (fp || *pfx) ? " (prefix: \"" : "", fp ? fp : pfx, (fp || *pfx) ? "\")" : "", xid);
	}
out:
	free(pfx);
	return rc;
}

int cli_shard_index_summary(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "missing bucket name");
	cli_bck_t b;
	char *pfx = calloc(1, ARCH_NAME_MAX), uuid[128] = "", out[4096];
	int rc = ar_obj(c, c->args[0], &b, pfx, false);
	const char *fp = cli_flag_str(c, "prefix", pfx);
	for (int st = 202; !rc && st == 202;) {
		json_t *v = json_pack("{s:s, s:s}", "prefix", fp, "uuid", uuid);
		json_t *msg = json_pack("{s:s, s:o}", "action", "summary-shard", "value", v);
		rc = ar_bck_act(c, "GET", &b, msg, out, sizeof(out), &st);
		json_decref(msg);
		if (!rc && st == 202) {
			size_t n = strnlen(out, sizeof(uuid) - 1);
			memcpy(uuid, out, n); /* a job ID: short; a longer answer is cut, and then refused */
			uuid[n] = '\0';
			struct timespec ts = {0, 200 * 1000000};
			nanosleep(&ts, NULL);
		}
	}
	json_error_t je;
	json_t *j = rc ? NULL : jsonx_loadb(out, strlen(out), &je);
	if (!rc && cli_flag(c, "json")) {
		cli_out_json(c, j);
	} else if (!rc) {
		static const char *const keys[] = {"tar-objs", "tar-size", "shards", "shard-size", "archived-objs",
						   "stale-indexes", "invalid-indexes"};
		static const char *const hdr[] = {"TAR OBJECTS", "TAR SIZE", "INDEXED", "INDEXED SIZE", "ARCHIVED FILES",
						  "STALE", "INVALID"};
		sbuf_t t = SBUF_INIT;
		for (int i = 0; i < 7 && !cli_flag(c, "no-headers"); i++)
			sbuf_addf(&t, "%s\t ", hdr[i]);
		sbuf_adds(&t, "\n");
		for (int i = 0; i < 7; i++) {
			int64_t n = 0;
			char v[32];
			parse_i64(jsonx_str(j, keys[i], "0"), &n);
			if (i == 1 || i == 3)
				cli_fmt_size(n, c->units, 2, v, sizeof(v));
			else
				snprintf(v, sizeof(v), "%lld", (long long)n);
			sbuf_addf(&t, "%s\t ", v);
		}
		sbuf_adds(&t, "\n");
		cli_out_tab(c, sbuf_str(&t));
		sbuf_fini(&t);
	}
	json_decref(j);
	free(pfx);
	return rc;
}
