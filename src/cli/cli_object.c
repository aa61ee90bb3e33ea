/* cli_object: object commands: put (file, directory, standard input), get (whole or range,
 * to a file, directory, stdout or /dev/null), cat, rm, show (properties table), mv (rename-obj
 * action), cp (PUT ?object_to=<uname>, AIStore 4.7's single-object copy). Messages follow
 * AIStore's CLI ("PUT \"f\" => ais://b/o", "GET o from ais://b as f (11B)", "deleted \"o\" from
 * ais://b", "COPY ... => ..."). Uploads stream from the file (redirects rewind it); downloads
 * stream into the destination, removed again on failure. */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "cli/cli_fmt.h"
#include "cli/cli_progress.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OBJ_NAME_MAX 4096
#define OBJ_PROGRESS_MIN (8LL << 20) /* show a GET progress bar from this size on */

static int obj_arg(cli_ctx_t *c, const char *arg, cli_bck_t *b, char *obj, bool need_obj)
{
	char err[256];
	if (cli_uri_parse(arg, b, obj, OBJ_NAME_MAX, err, sizeof(err)))
		return cli_err(c, "%s", err);
	if (!b->name[0])
		return cli_err(c, "missing bucket name in \"%s\"", arg);
	if (need_obj && !obj[0])
		return cli_args_usage_err(c, "missing object name in \"%s\"", arg);
	return 0;
}

/* a 404 that is not ErrBckNotFound: the object is missing */
static bool obj_missing(const cli_req_t *r)
{
	char tc[64];
	return r->status == 404 && strcmp(cli_req_tcode(r, tc, sizeof(tc)), "ErrBckNotFound");
}

/* a failed object request: "object ... does not exist", else the API error */
static int obj_fail(cli_ctx_t *c, const cli_req_t *r, const cli_bck_t *b, const char *oname)
{
	char cn[OBJ_NAME_MAX + 300];
	if (obj_missing(r))
		return cli_err(c, "object \"%s\" does not exist", cli_uri_cname(b, oname, cn, sizeof(cn)));
	return cli_api_fail(c, r);
}

static const char *obj_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---------------- PUT ---------------- */

typedef struct {
	cli_progress_t *pg;
	int bar_bytes;
	int64_t base; /* bytes of files already uploaded */
} put_prog_t;

static void put_prog_cb(void *arg, int64_t done, int64_t total)
{
	put_prog_t *pp = arg;
	(void)total;
	cli_progress_set(pp->pg, pp->bar_bytes, pp->base + done);
	cli_progress_draw(pp->pg, false);
}

/* PUT one local file; 0 or 1 (error printed) */
static int put_one(cli_ctx_t *c, const cli_bck_t *b, const char *path, int fd, int64_t size, const char *oname,
		   put_prog_t *pp)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(b, oname, &p);
	cli_api_bck_query(b, &q);
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = fd, .fd_size = size};
	if (pp) {
		r.prog = put_prog_cb;
		r.prog_arg = pp;
	}
	int rc = 0;
	if (cli_http_do(&c->http, &r)) {
		char m[1024];
		bool unreach;
		cli_req_errmsg(&r, m, sizeof(m), &unreach);
		if (unreach || r.status == 404)
			rc = cli_api_fail(c, &r);
		else
			rc = cli_err(c, "failed to PUT %s => %s/%s: %s", path, b->name, oname, m);
	}
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

typedef struct {
	char **paths; /* local path */
	char **names; /* object name */
	int64_t *sizes;
	int n, cap;
	int64_t total;
} fobjs_t;

static void fobjs_add(fobjs_t *f, const char *path, const char *name, int64_t size)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->paths = realloc(f->paths, (size_t)f->cap * sizeof(char *));
		f->names = realloc(f->names, (size_t)f->cap * sizeof(char *));
		f->sizes = realloc(f->sizes, (size_t)f->cap * sizeof(int64_t));
	}
	f->paths[f->n] = strdup(path);
	f->names[f->n] = strdup(name);
	f->sizes[f->n++] = size;
	f->total += size;
}

static void fobjs_fini(fobjs_t *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->paths[i]);
		free(f->names[i]);
	}
	free(f->paths);
	free(f->names);
	free(f->sizes);
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* collect regular files under dir (rel = path relative to the top), sorted by name */
static int walk_dir(cli_ctx_t *c, const char *dir, const char *rel, const char *prefix, bool recurs, fobjs_t *f)
{
	DIR *d = opendir(dir);
	if (!d)
		return cli_err(c, "failed to open directory %s: %s", dir, strerror(errno));
	char **names = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, (size_t)cap * sizeof(char *));
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), name_cmp);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], r2[PATH_MAX], oname[OBJ_NAME_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(r2, sizeof(r2), "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
		struct stat st;
		if (!rc && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (recurs)
					rc = walk_dir(c, path, r2, prefix, recurs, f);
			} else if (S_ISREG(st.st_mode)) {
				snprintf(oname, sizeof(oname), "%s%s", prefix, r2);
				fobjs_add(f, path, oname, st.st_size);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int put_dir(cli_ctx_t *c, const cli_bck_t *b, const char *dir, const char *prefix)
{
	bool recurs = cli_flag(c, "recursive");
	fobjs_t f = {0};
	char dirpath[PATH_MAX];
	snprintf(dirpath, sizeof(dirpath), "%s", dir);
	size_t dl = strlen(dirpath);
	while (dl > 1 && dirpath[dl - 1] == '/')
		dirpath[--dl] = '\0';
	int rc = walk_dir(c, dirpath, "", prefix, recurs, &f);
	if (rc)
		goto out;
	if (!f.n) {
		rc = cli_err(c, "no files to PUT (check source name and formatting, see examples)");
		goto out;
	}
	/* "Files to upload:" by extension, as AIStore's MultiPutTmpl */
	{
		sbuf_t t = SBUF_INIT;
		char sz[32];
		sbuf_adds(&t, "Files to upload:\nEXTENSION\t COUNT\t SIZE\n");
		char **exts = calloc((size_t)f.n, sizeof(char *));
		for (int i = 0; i < f.n; i++) {
			const char *base = obj_base(f.paths[i]);
			const char *dot = strrchr(base, '.');
			exts[i] = strdup(dot ? dot : "");
		}
		qsort(exts, (size_t)f.n, sizeof(char *), name_cmp);
		for (int i = 0; i < f.n;) {
			int j = i, cnt = 0;
			int64_t size = 0;
			for (; j < f.n && !strcmp(exts[j], exts[i]); j++)
				cnt++;
			/* sizes of this extension */
			for (int k = 0; k < f.n; k++) {
				const char *base = obj_base(f.paths[k]);
				const char *dot = strrchr(base, '.');
				if (!strcmp(dot ? dot : "", exts[i]))
					size += f.sizes[k];
			}
			sbuf_addf(&t, "%s\t %d\t %s\n", exts[i], cnt, cli_fmt_size(size, c->units, 2, sz, sizeof(sz)));
			i = j;
		}
		sbuf_addf(&t, "TOTAL\t %d\t %s\n", f.n, cli_fmt_size(f.total, CLI_UNITS_IEC, 2, sz, sizeof(sz)));
		cli_out_tab(c, sbuf_str(&t));
		sbuf_fini(&t);
		for (int i = 0; i < f.n; i++)
			free(exts[i]);
		free(exts);
	}
	char cn[OBJ_NAME_MAX + 300], cptn[OBJ_NAME_MAX + 400];
	cli_uri_cname(b, prefix, cn, sizeof(cn));
	snprintf(cptn, sizeof(cptn), "\nPUT %d file%s (one directory, %s) => %s", f.n, f.n == 1 ? "" : "s",
		 recurs ? "recursively" : "non-recursive", cn);
	bool dry = cli_flag(c, "dry-run");
	bool asked = false;
	if (dry) {
		printf("[DRY RUN]%s\n", cptn);
	} else if (!cli_flag(c, "yes") && c->in_tty) {
		char prompt[OBJ_NAME_MAX + 500];
		snprintf(prompt, sizeof(prompt), "%s?", cptn);
		if (!cli_confirm(c, prompt)) {
			printf("Operation canceled\n");
			goto out;
		}
		asked = true;
	}
	cli_progress_t pg;
	cli_progress_init(&pg, !dry && c->out_tty, stdout);
	int bar_files = cli_progress_add(&pg, "Uploaded files:", f.n, false);
	int bar_bytes = cli_progress_add(&pg, "Total size:    ", f.total, true);
	put_prog_t pp = {.pg = &pg, .bar_bytes = bar_bytes};
	int failed = 0;
	for (int i = 0; i < f.n; i++) {
		char ocn[OBJ_NAME_MAX + 300];
		if (dry) {
			printf("PUT %s -> %s\n", f.paths[i], cli_uri_cname(b, f.names[i], ocn, sizeof(ocn)));
			continue;
		}
		int fd = open(f.paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			cli_err(c, "failed to open %s: %s", f.paths[i], strerror(errno));
			failed++;
			continue;
		}
		if (put_one(c, b, f.paths[i], fd, f.sizes[i], f.names[i], pg.enabled ? &pp : NULL))
			failed++;
		close(fd);
		pp.base += f.sizes[i];
		cli_progress_set(&pg, bar_files, i + 1);
		cli_progress_set(&pg, bar_bytes, pp.base);
		cli_progress_draw(&pg, i + 1 == f.n);
		if (c->nargs && cli_flag(c, "verbose") && !pg.enabled)
			printf("PUT %s => %s\n", f.paths[i], cli_uri_cname(b, f.names[i], ocn, sizeof(ocn)));
	}
	cli_progress_done(&pg);
	if (failed) {
		rc = cli_err(c, "failed to PUT %d file%s", failed, failed == 1 ? "" : "s");
		goto out;
	}
	if (!dry)
		printf("%s\n", asked ? "Done" : cptn);
out:
	fobjs_fini(&f);
	return rc;
}

/* stdin is buffered in an unlinked temporary file so that a redirected PUT can re-send it */
static int put_stdin(cli_ctx_t *c, const cli_bck_t *b, const char *oname)
{
	char tmpl[PATH_MAX];
	const char *td = getenv("TMPDIR");
	snprintf(tmpl, sizeof(tmpl), "%s/ais-put-XXXXXX", td && *td ? td : "/tmp");
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return cli_err(c, "failed to create a temporary file: %s", strerror(errno));
	unlink(tmpl);
	char buf[1 << 16];
	ssize_t n;
	int64_t total = 0;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			close(fd);
			return cli_err(c, "failed to buffer standard input: %s", strerror(errno));
		}
		total += n;
	}
	lseek(fd, 0, SEEK_SET);
	int rc = put_one(c, b, "(standard input)", fd, total, oname, NULL);
	close(fd);
	if (!rc) {
		char cn[OBJ_NAME_MAX + 300];
		printf("PUT (standard input) => %s\n\n", cli_uri_cname(b, oname, cn, sizeof(cn)));
	}
	return rc;
}

int cli_object_put(cli_ctx_t *c)
{
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting two arguments: source (file, directory, or '-') and destination");
	const char *src = c->args[0];
	cli_bck_t b;
	char *oname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[1], &b, oname, false);
	if (rc)
		goto out;
	if (!strcmp(src, "-")) {
		if (!oname[0])
			rc = cli_args_usage_err(c, "missing destination object name (required when reading standard input)");
		else
			rc = put_stdin(c, &b, oname);
		goto out;
	}
	struct stat st;
	if (stat(src, &st)) {
		rc = cli_err(c, "%s: %s", src, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = put_dir(c, &b, src, oname);
		goto out;
	}
	if (!oname[0] || oname[strlen(oname) - 1] == '/')
		snprintf(oname + strlen(oname), OBJ_NAME_MAX - strlen(oname), "%s", obj_base(src));
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = cli_err(c, "failed to open %s: %s", src, strerror(errno));
		goto out;
	}
	cli_progress_t pg;
	cli_progress_init(&pg, c->out_tty && (cli_flag(c, "progress") || st.st_size >= OBJ_PROGRESS_MIN), stdout);
	put_prog_t pp = {.pg = &pg, .bar_bytes = cli_progress_add(&pg, "PUT", st.st_size, true)};
	rc = put_one(c, &b, src, fd, st.st_size, oname, pg.enabled ? &pp : NULL);
	close(fd);
	if (!rc) {
		cli_progress_set(&pg, pp.bar_bytes, st.st_size);
		cli_progress_done(&pg);
		char cn[OBJ_NAME_MAX + 300];
		printf("PUT \"%s\" => %s\n\n", src, cli_uri_cname(&b, oname, cn, sizeof(cn)));
	}
out:
	free(oname);
	return rc;
}

/* ---------------- GET ---------------- */

typedef struct {
	int fd;
	FILE *fp;
	int64_t written;
	int err;
	cli_progress_t *pg;
} get_sink_t;

static size_t get_sink(const char *p, size_t n, void *arg)
{
	get_sink_t *s = arg;
	if (s->fp) {
		if (fwrite(p, 1, n, s->fp) != n) {
			s->err = errno;
			return 0;
		}
	} else if (s->fd >= 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(s->fd, p + off, n - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				s->err = errno;
				return 0;
			}
			off += (size_t)w;
		}
	}
	s->written += (int64_t)n;
	return n;
}

static void get_prog_cb(void *arg, int64_t done, int64_t total)
{
	get_sink_t *s = arg;
	if (total < OBJ_PROGRESS_MIN && !s->pg->nbars)
		return;
	if (!s->pg->nbars)
		cli_progress_add(s->pg, "GET", total, true);
	cli_progress_total(s->pg, 0, total);
	cli_progress_set(s->pg, 0, done);
	cli_progress_draw(s->pg, false);
}

/* GET into out ("-" stdout, "/dev/null" discard, else a file path); quiet: no summary line */
/* the archive query of a GET: ?archpath= (arg, else --archpath) or ?archregx=&archmode=, and
 * ?archmime= (AIStore's apc.QparamArch*); 0 or a usage error */
static int obj_arch_query(cli_ctx_t *c, const char *archpath, sbuf_t *q)
{
	const char *ap = archpath ? archpath : cli_flag_str(c, "archpath", NULL);
	const char *rx = cli_flag_str(c, "archregx", NULL), *mm = cli_flag_str(c, "archmode", NULL);
	const char *mi = cli_flag_str(c, "archmime", NULL);
	const char *const kv[][2] = {{"archpath", ap}, {"archregx", rx}, {"archmode", mm}, {"archmime", mi}};
	if (ap && *ap && (rx || mm))
		return cli_err(c, "'--archpath' and '--archregx' ('--archmode') are mutually exclusive");
	if (rx && !mm)
		mm = "regexp";
	for (size_t i = 0; i < 4; i++) {
		const char *v = i == 2 ? mm : kv[i][1];
		if (!v || (!*v && i != 1))
			continue;
		char *e = url_encode(v, false);
		sbuf_addf(q, "%s%s=%s", q->len ? "&" : "", kv[i][0], e ? e : "");
		free(e);
	}
	return 0;
}

static int obj_get(cli_ctx_t *c, const cli_bck_t *b, const char *oname, const char *out, bool quiet)
{
	return cli_obj_get(c, b, oname, out, NULL, quiet);
}

int cli_obj_get(cli_ctx_t *c, const cli_bck_t *b, const char *oname, const char *out, const char *archpath, bool quiet)
{
	int64_t off = 0, len = 0;
	const char *so = cli_flag_str(c, "offset", NULL), *sl = cli_flag_str(c, "length", NULL);
	if (!!so != !!sl)
		return cli_err(c, "'--length' and '--offset' must be both present (or not)");
	if (so && (cli_fmt_parse_size(so, &off) || cli_fmt_parse_size(sl, &len)))
		return cli_err(c, "invalid '--offset %s' or '--length %s'", so, sl);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", out);
	bool to_stdout = !strcmp(out, "-"), discard = !strcmp(out, "/dev/null");
	struct stat st;
	if (!to_stdout && !discard && stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			size_t l = strlen(path);
			snprintf(path + l, sizeof(path) - l, "%s%s", l && path[l - 1] == '/' ? "" : "/", obj_base(oname));
		} else if (S_ISREG(st.st_mode) && !cli_flag(c, "yes") && c->in_tty) {
			char prompt[PATH_MAX + 64];
			snprintf(prompt, sizeof(prompt), "Warning: overwrite existing \"%s\"?", path);
			if (!cli_confirm(c, prompt))
				return 0;
		}
	}
	get_sink_t s = {.fd = -1};
	if (to_stdout) {
		s.fp = stdout;
		quiet = true;
	} else if (!discard) {
		s.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (s.fd < 0)
			return cli_err(c, "open %s: %s", path, strerror(errno));
	}
	cli_progress_t pg;
	cli_progress_init(&pg, c->out_tty && !to_stdout && !quiet, stdout);
	s.pg = &pg;
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(b, oname, &p);
	cli_api_bck_query(b, &q);
	if (obj_arch_query(c, archpath, &q)) {
		sbuf_fini(&p);
		sbuf_fini(&q);
		if (s.fd >= 0)
			close(s.fd);
		return 1;
	}
	bool arch = strstr(sbuf_str(&q), "arch") != NULL;
	char range[80];
	const char *hdrs[2] = {NULL, NULL};
	if (len > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%lld-%lld", (long long)off, (long long)(off + len - 1));
		hdrs[0] = range;
	}
	int64_t t0 = mono_ns();
	cli_req_t r = {.method = "GET", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = -1, .hdrs = hdrs,
		       .sink = get_sink, .sink_arg = &s};
	if (pg.enabled) {
		r.prog = get_prog_cb;
		r.prog_arg = &s;
	}
	int rc = 0;
	if (cli_http_do(&c->http, &r)) {
		if (s.err && !obj_missing(&r))
			rc = cli_err(c, "write %s: %s", path, strerror(s.err));
		else if (arch && r.status == 404)
			rc = cli_api_fail(c, &r); /* the node says which archived file is missing */
		else
			rc = obj_fail(c, &r, b, oname);
	}
	if (s.fd >= 0 && close(s.fd) && !rc)
		rc = cli_err(c, "close %s: %s", path, strerror(errno));
	if (to_stdout)
		fflush(stdout);
	if (rc && !to_stdout && !discard)
		unlink(path);
	if (!rc) {
		cli_progress_done(&pg);
		if (!quiet) {
			char bn[300], sz[32] = "", el[48] = "";
			cli_uri_cname(b, NULL, bn, sizeof(bn));
			if (s.written > 0) {
				char v[32];
				snprintf(sz, sizeof(sz), " (%s)", cli_fmt_size(s.written, c->units, 2, v, sizeof(v)));
			}
			if (pg.nbars) {
				char d[32];
				snprintf(el, sizeof(el), " in %s", cli_fmt_duration(mono_ns() - t0, d, sizeof(d)));
			}
			char where[PATH_MAX + 16];
			if (discard)
				where[0] = '\0';
			else
				snprintf(where, sizeof(where), " as %s", path);
			if (len > 0)
				printf("Read%s range (length %lld at offset %lld)%s%s\n", discard ? " and discard" : "",
				       (long long)s.written, (long long)off, where, el);
			else
				printf("GET%s %s from %s%s%s%s\n", discard ? " and discard" : "",
				       archpath ? archpath : cli_flag_str(c, "archpath", oname), bn, where, sz, el);
		}
	}
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

int cli_object_get(cli_ctx_t *c)
{
	if (c->nargs < 1 || c->nargs > 2)
		return cli_args_usage_err(c, "expecting BUCKET/OBJECT_NAME [OUT_FILE|OUT_DIR|-]");
	cli_bck_t b;
	char *oname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[0], &b, oname, true);
	if (!rc)
		rc = obj_get(c, &b, oname, c->nargs > 1 ? c->args[1] : obj_base(oname), false);
	free(oname);
	return rc;
}

int cli_object_cat(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting BUCKET/OBJECT_NAME");
	cli_bck_t b;
	char *oname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[0], &b, oname, true);
	if (!rc)
		rc = obj_get(c, &b, oname, "-", true);
	free(oname);
	return rc;
}

/* ---------------- rm ---------------- */

int cli_object_rm(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing BUCKET/OBJECT_NAME");
	int rc = 0;
	char *oname = calloc(1, OBJ_NAME_MAX);
	for (int i = 0; i < c->nargs && !rc; i++) {
		cli_bck_t b;
		if ((rc = obj_arg(c, c->args[i], &b, oname, true)))
			break;
		sbuf_t p = SBUF_INIT, q = SBUF_INIT;
		cli_api_obj_path(&b, oname, &p);
		cli_api_bck_query(&b, &q);
		cli_req_t r = {.method = "DELETE", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = -1};
		char cn[OBJ_NAME_MAX + 300];
		if (cli_http_do(&c->http, &r)) {
			rc = obj_fail(c, &r, &b, oname);
		} else {
			printf("deleted \"%s\" from %s\n", oname, cli_uri_cname(&b, NULL, cn, sizeof(cn)));
		}
		cli_req_fini(&r);
		sbuf_fini(&p);
		sbuf_fini(&q);
	}
	free(oname);
	return rc;
}

/* ---------------- show ---------------- */

static const char *const show_all[] = {"name", "size", "checksum", "atime", "version", "last-modified", "etag",
				       "copies", "ec", "custom", "location", "chunked", NULL};
static const char *const show_dflt[] = {"name", "size", "checksum", "atime", NULL};

int cli_object_show(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting BUCKET/OBJECT_NAME");
	cli_bck_t b;
	char *oname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[0], &b, oname, true);
	const char *sel[16];
	int nsel = 0;
	char pbuf[512];
	if (rc)
		goto out;
	const char *pf = cli_flag_str(c, "props", NULL);
	if (!pf) {
		for (int i = 0; show_dflt[i]; i++)
			sel[nsel++] = show_dflt[i];
	} else {
		snprintf(pbuf, sizeof(pbuf), "%s", pf);
		bool all = false;
		char *save = NULL;
		for (char *p = strtok_r(pbuf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			if (!strcmp(p, "all")) {
				all = true;
				continue;
			}
			bool ok = false;
			for (int i = 0; show_all[i]; i++)
				ok = ok || !strcmp(show_all[i], p);
			if (!ok) {
				rc = cli_err(c, "invalid property \"%s\" (expecting one of: name, size, checksum, atime, version, "
						"last-modified, etag, copies, ec, custom, location, chunked)", p);
				goto out;
			}
			if (nsel < 15)
				sel[nsel++] = p;
		}
		if (all) {
			nsel = 0;
			for (int i = 0; show_all[i]; i++)
				sel[nsel++] = show_all[i];
		}
	}
	/* the bucket first: AIStore reports a missing bucket as such */
	if ((rc = cli_api_head_bck(c, &b, NULL)))
		goto out;
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(&b, oname, &p);
	cli_api_bck_query(&b, &q);
	if (cli_flag(c, "silent"))
		sbuf_adds(&q, "&silent=true");
	cli_req_t r = {.method = "HEAD", .head = true, .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = -1};
	char cn[OBJ_NAME_MAX + 300];
	if (cli_http_do(&c->http, &r)) {
		if (r.status == 404)
			rc = cli_err(c, "object \"%s\" not found in %s", oname, cli_uri_cname(&b, NULL, cn, sizeof(cn)));
		else
			rc = cli_api_fail(c, &r);
		goto done;
	}
	char h[4096], ct[64], cv[256], v[4096];
	int64_t size = strtoll(cli_req_hdr(&r, "Content-Length", h, sizeof(h)) ?: "0", NULL, 10);
	json_t *js = json_object();
	const char *names[16];
	char *vals[16];
	int n = 0;
	for (int i = 0; i < nsel; i++) {
		const char *pn = sel[i];
		v[0] = '\0';
		if (!strcmp(pn, "name")) {
			cli_uri_cname(&b, oname, v, sizeof(v));
			json_object_set_new(js, "name", json_string(v));
		} else if (!strcmp(pn, "size")) {
			cli_fmt_size(size, c->units, 2, v, sizeof(v));
			json_object_set_new(js, "size", json_integer(size));
		} else if (!strcmp(pn, "checksum")) {
			if (cli_req_hdr(&r, "Ais-Checksum-Type", ct, sizeof(ct)) && cli_req_hdr(&r, "Ais-Checksum-Value", cv, sizeof(cv))
			    && strcmp(ct, "none")) {
				snprintf(v, sizeof(v), "%s[%s]", ct, cv);
				json_object_set_new(js, "checksum", json_pack("{s:s, s:s}", "type", ct, "value", cv));
			} else {
				snprintf(v, sizeof(v), "-");
			}
		} else if (!strcmp(pn, "atime")) {
			long long ns = strtoll(cli_req_hdr(&r, "Ais-Atime", h, sizeof(h)) ?: "0", NULL, 10);
			if (ns)
				cli_fmt_rfc822(ns, v, sizeof(v));
			else
				snprintf(v, sizeof(v), "-");
			json_object_set_new(js, "atime", json_integer(ns));
		} else if (!strcmp(pn, "version")) {
			snprintf(v, sizeof(v), "%s", cli_req_hdr(&r, "Ais-Version", h, sizeof(h)) ?: "");
			if (v[0])
				json_object_set_new(js, "version", json_string(v));
		} else if (!strcmp(pn, "last-modified") || !strcmp(pn, "etag")) {
			snprintf(v, sizeof(v), "%s", cli_req_hdr(&r, !strcmp(pn, "etag") ? "ETag" : "Last-Modified", h, sizeof(h)) ?: "");
			if (v[0])
				json_object_set_new(js, pn, json_string(v));
		} else if (!strcmp(pn, "copies")) {
			const char *cp = cli_req_hdr(&r, "Ais-Mirror-Copies", h, sizeof(h));
			snprintf(v, sizeof(v), "%s", cp && strcmp(cp, "0") ? cp : "-");
			if (cp)
				json_object_set_new(js, "copies", json_integer(strtoll(cp, NULL, 10)));
		} else if (!strcmp(pn, "custom")) {
			const char *cm = cli_req_hdr(&r, "Ais-Custom-Md", h, sizeof(h));
			snprintf(v, sizeof(v), "%s", cm && *cm ? cm : "-");
			if (cm && *cm)
				json_object_set_new(js, "custom-md", json_string(cm));
		} else if (!strcmp(pn, "location")) {
			const char *lo = cli_req_hdr(&r, "Ais-Location", h, sizeof(h));
			snprintf(v, sizeof(v), "%s", lo && *lo ? lo : "-");
			if (lo)
				json_object_set_new(js, "location", json_string(lo));
		} else { /* ec, chunked */
			snprintf(v, sizeof(v), "-");
		}
		if (!v[0])
			continue;
		names[n] = pn;
		vals[n++] = strdup(v);
	}
	if (cli_flag(c, "json")) {
		cli_out_json(c, js);
	} else {
		/* sorted by property name, as AIStore */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				const char *tn = names[j];
				names[j] = names[j - 1];
				names[j - 1] = tn;
				char *tv = vals[j];
				vals[j] = vals[j - 1];
				vals[j - 1] = tv;
			}
		sbuf_t t = SBUF_INIT;
		if (!cli_flag(c, "no-headers"))
			sbuf_adds(&t, "PROPERTY\t VALUE\n");
		for (int i = 0; i < n; i++)
			sbuf_addf(&t, "%s\t %s\n", names[i], vals[i]);
		cli_out_tab(c, sbuf_str(&t));
		sbuf_fini(&t);
	}
	for (int i = 0; i < n; i++)
		free(vals[i]);
	json_decref(js);
done:
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
out:
	free(oname);
	return rc;
}

/* ---------------- mv / cp ---------------- */

int cli_object_mv(cli_ctx_t *c)
{
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting BUCKET/OBJECT_NAME NEW_OBJECT_NAME");
	cli_bck_t b, nb;
	char *oname = calloc(1, OBJ_NAME_MAX), *nname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[0], &b, oname, true);
	if (rc)
		goto out;
	if (strstr(c->args[1], "://")) {
		char err[256];
		if (cli_uri_parse(c->args[1], &nb, nname, OBJ_NAME_MAX, err, sizeof(err))) {
			rc = cli_err(c, "%s", err);
			goto out;
		}
		if (strcmp(nb.name, b.name) || strcmp(nb.provider, b.provider)) {
			char cn[300];
			rc = cli_args_usage_err(c, "moving an object to another bucket (%s) is not supported",
						cli_uri_cname(&nb, NULL, cn, sizeof(cn)));
			goto out;
		}
	} else {
		snprintf(nname, OBJ_NAME_MAX, "%s", c->args[1]);
	}
	if (!nname[0]) {
		rc = cli_args_usage_err(c, "no object specified in \"%s\"", c->args[1]);
		goto out;
	}
	if (!strcmp(nname, oname)) {
		rc = cli_args_usage_err(c, "source and destination are the same object");
		goto out;
	}
	json_t *msg = json_pack("{s:s, s:s}", "action", "rename-obj", "name", nname);
	char *body = jsonx_dumps(msg);
	json_decref(msg);
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(&b, oname, &p);
	cli_api_bck_query(&b, &q);
	cli_req_t r = {.method = "POST", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
		       .body_len = strlen(body), .fd = -1};
	if (cli_http_do(&c->http, &r)) {
		rc = obj_fail(c, &r, &b, oname);
	} else {
		printf("\"%s\" moved to \"%s\"\n", oname, nname);
	}
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	free(body);
out:
	free(oname);
	free(nname);
	return rc;
}

int cli_object_cp(cli_ctx_t *c)
{
	if (c->nargs != 2)
		return cli_args_usage_err(c, "expecting SRC_BUCKET/OBJECT_NAME DST_BUCKET[/OBJECT_NAME]");
	cli_bck_t b, db;
	char *oname = calloc(1, OBJ_NAME_MAX), *dname = calloc(1, OBJ_NAME_MAX);
	int rc = obj_arg(c, c->args[0], &b, oname, true);
	if (!rc)
		rc = obj_arg(c, c->args[1], &db, dname, false);
	if (rc)
		goto out;
	if (!dname[0] || dname[strlen(dname) - 1] == '/')
		snprintf(dname + strlen(dname), OBJ_NAME_MAX - strlen(dname), "%s", oname);
	/* destination uname: <provider>/<ns-uname>/<bucket>/<object> */
	char ns[160];
	cli_uri_ns(&db, ns, sizeof(ns));
	sbuf_t un = SBUF_INIT, p = SBUF_INIT, q = SBUF_INIT;
	sbuf_addf(&un, "%s/%s/%s/%s", db.provider, ns[0] ? ns : "@#", db.name, dname);
	char *eun = url_encode(sbuf_str(&un), false);
	cli_api_obj_path(&b, oname, &p);
	cli_api_bck_query(&b, &q);
	sbuf_addf(&q, "&object_to=%s", eun ? eun : "");
	free(eun);
	cli_req_t r = {.method = "PUT", .path = sbuf_str(&p), .query = sbuf_str(&q), .fd = -1};
	char cn[OBJ_NAME_MAX + 300], cn2[OBJ_NAME_MAX + 300];
	if (cli_http_do(&c->http, &r)) {
		rc = obj_fail(c, &r, &b, oname);
	} else {
		printf("COPY %s => %s\n", cli_uri_cname(&b, oname, cn, sizeof(cn)), cli_uri_cname(&db, dname, cn2, sizeof(cn2)));
	}
	cli_req_fini(&r);
	sbuf_fini(&un);
	sbuf_fini(&p);
	sbuf_fini(&q);
out:
	free(oname);
	free(dname);
	return rc;
}

/* ---------------- set-custom ---------------- */

/* the properties: one JSON object argument, or KEY=VALUE pairs (AIStore's setCustomProps) */
static int setcustom_props(cli_ctx_t *c, json_t *props)
{
	if (c->nargs == 2 && c->args[1][0] == '{') {
		json_error_t je;
		json_t *j = json_loads(c->args[1], 0, &je);
		const char *k;
		json_t *v;
		bool ok = json_is_object(j);
		json_object_foreach(j, k, v) if (!json_is_string(v)) ok = false;
		if (!ok) {
			if (j)
				json_decref(j);
			return cli_err(c, "invalid custom properties %s (expecting {\"key\": \"value\", ...})", c->args[1]);
		}
		json_object_update(props, j);
		json_decref(j);
		return 0;
	}
	if (c->nargs < 2)
		return cli_args_usage_err(c, "missing property key-value pairs");
	for (int i = 1; i < c->nargs; i++) {
		const char *a = c->args[i], *eq = strchr(a, '=');
		if (!eq || strchr(eq + 1, '='))
			return cli_err(c, "invalid custom property \"%s\" (tip: use syntax key1=value1 key2=value2 ...)", a);
		const char *ks = a, *ke = eq, *vs = eq + 1, *ve = eq + 1 + strlen(eq + 1);
		while (ks < ke && ks[0] == ' ')
			ks++;
		while (ke > ks && ke[-1] == ' ')
			ke--;
		while (vs < ve && vs[0] == ' ')
			vs++;
		while (ve > vs && ve[-1] == ' ')
			ve--;
		char *key = strndup(ks, (size_t)(ke - ks));
		json_t *val = json_stringn(vs, (size_t)(ve - vs));
		if (key && val)
			json_object_set_new(props, key, val);
		else if (val)
			json_decref(val);
		free(key);
	}
	return 0;
}

int cli_object_set_custom(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing BUCKET/OBJECT_NAME");
	cli_bck_t b;
	char *oname = calloc(1, OBJ_NAME_MAX);
	json_t *props = json_object();
	char *body = NULL;
	int rc = oname && props ? obj_arg(c, c->args[0], &b, oname, true) : cli_err(c, "out of memory");
	if (rc || (rc = setcustom_props(c, props)))
		goto out;
	json_t *msg = json_pack("{s:s, s:O}", "action", "", "value", props);
	body = msg ? jsonx_dumps(msg) : NULL;
	json_decref(msg);
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_obj_path(&b, oname, &p);
	cli_api_bck_query(&b, &q);
	if (cli_flag(c, "set-new-custom"))
		sbuf_addf(&q, "%sset-new-custom=true", q.len ? "&" : "");
	cli_req_t r = {.method = "PATCH", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
		       .body_len = body ? strlen(body) : 0, .fd = -1};
	char cn[OBJ_NAME_MAX + 300];
	if (cli_http_do(&c->http, &r))
		rc = obj_fail(c, &r, &b, oname);
	else
		printf("Custom props successfully updated (to show updates, run 'ais show object %s --props=all').\n",
		       cli_uri_cname(&b, oname, cn, sizeof(cn)));
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
out:
	free(body);
	if (props)
		json_decref(props);
	free(oname);
	return rc;
}
