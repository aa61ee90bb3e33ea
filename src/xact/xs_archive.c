/* xs_archive: the "archive" job (AIStore's x-archive, apc.ActArchive with cmn.ArchiveBckMsg):
 * many objects of a source bucket into one new shard. It runs on the target that owns the
 * destination shard (the proxy starts it there only), which writes the shard through the object
 * writer in the order of the selection (the list as given; a template's expansion; a prefix's
 * names sorted) and commits it at the end: the shard is visible only when complete, never after
 * an error or an abort. Sources this target stores are read from disk; the others are fetched
 * from their owners (xs_gfn). Selection (apc.ListRange): "objnames", else "template" with
 * {a..b[..step]} ranges, else "template" as a prefix (the names of every target, listed).
 * Options: "bnonly" (entries named by the base name), "isbn" ("<source bucket>/<name>"), "aate"
 * (append to an existing shard: its entries first), "coer" (a missing listed object is skipped
 * instead of failing the job), "non-recurs" (prefix: not below the next '/'). A range or prefix
 * name that does not exist is skipped (AIStore). Counters: loc-objs/bytes = objects archived. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archive/arch_apnd.h"
#include "archive/arch_mime.h"
#include "archive/arch_tmpl.h"
#include "archive/arch_wr.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "xact/xact_wire.h"
#include "xact/xs.h"
#include "xact/xs_gfn.h"

#define XARCH_NAMES_MAX (1u << 22) /* names one job may select */

typedef struct xarch {
	xact_t *x;
	json_t *msg;          /* the ArchiveBckMsg (ref) */
	xact_bck_t to;
	const char *archname;
	arch_fmt_t fmt;
	bool bnonly, isbn, aate, coer, nonrec;
	/* run */
	char **names;
	size_t n, cap;
	bool listed;          /* names came from objnames: missing ones are errors */
	int64_t skipped;
	arch_wr_t *aw;
	obj_put_t *w;
	int64_t entry_size;   /* GFN: the entry being written */
	bool entry_begun;
	const char *entry_name;
} xarch_t;

/* ---------------------------------------------------------------- names */

static int xarch_add(xarch_t *c, const char *s, size_t l)
{
	if (c->n >= XARCH_NAMES_MAX)
		return AIS_ETOOBIG;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 256;
		char **nv = realloc(c->names, nc * sizeof(*nv));
		if (!nv)
			return AIS_ENOMEM;
		c->names = nv;
		c->cap = nc;
	}
	if (!(c->names[c->n] = strndup(s, l)))
		return AIS_ENOMEM;
	c->n++;
	return 0;
}

static int xarch_tmpl_cb(void *arg, const char *name, size_t len) { return xarch_add(arg, name, len); }

/* every target's names with the prefix (name-only pages, continued until done) */
static int xarch_list(xarch_t *c, const bck_t *src, const char *prefix)
{
	smap_t *m = smap_get();
	int rc = 0;
	size_t plen = strlen(prefix);
	for (int i = 0; m && i < m->ntargets && !rc && !xact_aborted(c->x); i++) {
		const snode_t *t = &m->targets[i];
		char tok[4096] = "";
		do {
			json_t *msg = json_pack("{s:s, s:{s:s, s:s, s:s, s:i, s:s}}", "action", "list", "value", "prefix", prefix,
						"props", "name", "flags", "16", "pagesize", 10000, "continuation_token", tok);
			char *body = msg ? jsonx_dumps(msg) : NULL;
			json_decref(msg);
			char *bn = url_encode(src->name, false);
			sbuf_t url = SBUF_INIT;
			sbuf_addf(&url, "%s/v1/buckets/%s", t->ctl.url, bn ? bn : "");
			hreq_t q = {.method = "GET", .url = sbuf_str(&url), .body = body, .body_len = body ? strlen(body) : 0,
				    .timeout_ms = 120000};
			rc = body ? hclient_do(&q) : AIS_ENOMEM;
			json_error_t je;
			json_t *res = !rc && q.status == 200 ? jsonx_loadb(q.resp.p, q.resp.len, &je) : NULL;
			if (!rc && !res) {
				xact_add_err(c->x, "list %s on t[%s]: status %d", src->name, t->id, q.status);
				rc = AIS_EUNAVAIL;
			}
			size_t k;
			json_t *ent;
			json_array_foreach(json_object_get(res, "entries"), k, ent) {
				const char *nm = jsonx_str(ent, "name", "");
				if (c->nonrec && strchr(nm + (strlen(nm) >= plen ? plen : 0), '/'))
					continue;
				if (*nm && (rc = xarch_add(c, nm, strlen(nm))))
					break;
			}
			snprintf(tok, sizeof(tok), "%s", jsonx_str(res, "continuation_token", ""));
			json_decref(res);
			hreq_fini(&q);
			sbuf_fini(&url);
			free(bn);
			free(body);
		} while (!rc && tok[0]);
	}
	smap_put(m);
	return rc;
}

static int xarch_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int xarch_select(xarch_t *c, const bck_t *src)
{
	json_t *names = json_object_get(c->msg, "objnames");
	const char *tmpl = jsonx_str(c->msg, "template", "");
	if (json_array_size(names)) {
		size_t i;
		json_t *v;
		c->listed = true;
		json_array_foreach(names, i, v) {
			if (!json_is_string(v))
				return AIS_EINVAL;
			int rc = xarch_add(c, json_string_value(v), strlen(json_string_value(v)));
			if (rc)
				return rc;
		}
		return 0;
	}
	if (arch_tmpl_has_range(tmpl))
		return arch_tmpl_expand(tmpl, xarch_tmpl_cb, c);
	int rc = xarch_list(c, src, tmpl);
	if (rc)
		return rc;
	qsort(c->names, c->n, sizeof(*c->names), xarch_cmp);
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (k && !strcmp(c->names[k - 1], c->names[i])) {
			free(c->names[i]);
			continue;
		}
		c->names[k++] = c->names[i];
	}
	c->n = k;
	return 0;
}

/* ---------------------------------------------------------------- entries */

static void xarch_entry_name(const xarch_t *c, const bck_t *src, const char *name, sbuf_t *out)
{
	sbuf_reset(out);
	if (c->bnonly && strrchr(name, '/'))
		name = strrchr(name, '/') + 1;
	if (c->isbn)
		sbuf_addf(out, "%s/", src->name);
	sbuf_adds(out, name);
}

static int xarch_local(xarch_t *c, const bck_t *src, const char *name, const char *ename)
{
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	int rc = obj_place(&o, src, name);
	if (rc || (rc = obj_get_open(&g, &o, OBJ_GET_QUIET, &why)))
		return rc;
	if (g.chunked)
		rc = obj_get_prepare(&g, &why);
	if (!rc)
		rc = arch_wr_begin(c->aw, ename, g.size, g.md.atime / 1000000000LL);
	if (!rc && !g.chunked) {
		rc = arch_wr_data_fd(c->aw, g.fd, 0, g.size);
	} else if (!rc) {
		char *buf = malloc(256 * 1024);
		for (int64_t pos = 0; !rc && pos < g.size;) {
			ssize_t n = buf ? obj_get_pread(&g, buf, 256 * 1024, pos) : AIS_ENOMEM;
			if (n <= 0)
				rc = n < 0 ? (int)n : AIS_EIO;
			else
				rc = arch_wr_data(c->aw, buf, (size_t)n);
			pos += n > 0 ? n : 0;
		}
		free(buf);
	}
	if (!rc)
		xact_objs_add(c->x, 1, g.size);
	obj_get_close(&g);
	return rc;
}

static int xarch_gfn_begin(void *arg, int64_t size)
{
	xarch_t *c = arg;
	if (size < 0)
		return AIS_EINVAL;
	c->entry_size = size;
	c->entry_begun = true;
	return arch_wr_begin(c->aw, c->entry_name, size, now_ns() / 1000000000LL);
}

static int xarch_gfn_data(void *arg, const void *buf, size_t n) { return arch_wr_data(((xarch_t *)arg)->aw, buf, n); }

static int xarch_remote(xarch_t *c, const bck_t *src, const snode_t *owner, const char *name, const char *ename)
{
	xs_gfn_cb_t cb = {.begin = xarch_gfn_begin, .data = xarch_gfn_data, .arg = c};
	char err[512];
	c->entry_name = ename;
	c->entry_begun = false;
	int rc = xs_gfn_get(owner, src, name, NULL, 300000, &cb, NULL, err, sizeof(err));
	if (rc == AIS_ENOTFOUND && !c->entry_begun)
		return rc;
	if (rc)
		xact_add_err(c->x, "archive %s: %s", name, err);
	else
		xact_objs_add(c->x, 1, c->entry_size);
	return rc ? AIS_EIO : 0; /* a broken entry breaks the archive */
}

static int xarch_one(xarch_t *c, const bck_t *src, smap_t *m, const char *name, sbuf_t *en)
{
	xarch_entry_name(c, src, name, en);
	const snode_t *owner = m ? smap_owner_of(m, src->provider, src->ns, src->name, name) : NULL;
	int rc = !owner || !strcmp(owner->id, node_id()) ? xarch_local(c, src, name, sbuf_str(en))
							   : xarch_remote(c, src, owner, name, sbuf_str(en));
	if (rc != AIS_ENOTFOUND)
		return rc;
	if (c->listed && !c->coer) {
		xact_add_err(c->x, "archive: %s/%s does not exist", src->name, name);
		return rc;
	}
	c->skipped++;
	return 0;
}

/* ---------------------------------------------------------------- job */

static int xarch_put_sink(void *arg, const void *buf, size_t len) { return obj_put_write(arg, buf, len); }

static int xarch_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	json_t *m = a && a->params ? json_object_get(a->params, "msg") : NULL;
	const char *an = jsonx_str(m, "archname", "");
	arch_fmt_t f = arch_mime_by_ext(an);
	if (!json_is_object(m) || f == ARCH_NONE) {
		snprintf(err, cap, "archive: invalid message (archname \"%s\")", an);
		return AIS_EINVAL;
	}
	xarch_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	c->x = x;
	c->msg = json_incref(m);
	c->archname = jsonx_str(m, "archname", "");
	c->fmt = f;
	c->bnonly = json_is_true(json_object_get(m, "bnonly"));
	c->isbn = json_is_true(json_object_get(m, "isbn"));
	c->aate = json_is_true(json_object_get(m, "aate"));
	c->coer = json_is_true(json_object_get(m, "coer"));
	c->nonrec = json_is_true(json_object_get(m, "non-recurs"));
	if (xact_wire_bck_parse(json_object_get(m, "tobck"), &c->to, err, cap) || !c->to.name[0])
		c->to = *xact_bck(x);
	xact_set_priv(x, c);
	return 0;
}

/* open the destination writer (its old entries first with aate) */
static int xarch_open(xarch_t *c, obj_t *dst, arch_sink_t *sink, obj_why_t *why)
{
	obj_put_opts_t opt = {.size_hint = -1, .acct = OBJ_ACCT_NONE, .tag = "archive"};
	int rc = obj_put_begin(dst, &opt, &c->w, why);
	if (rc)
		return rc;
	sink->write = xarch_put_sink;
	sink->arg = c->w;
	if ((rc = arch_wr_new(&c->aw, c->fmt, sink)))
		return rc;
	if (!c->aate)
		return 0;
	obj_get_t g;
	if (obj_get_open(&g, dst, OBJ_GET_QUIET, why))
		return 0; /* nothing to append to: a new shard */
	char err[512] = "";
	if (g.chunked)
		rc = obj_get_prepare(&g, why);
	if (!rc)
		rc = arch_apnd_copy(&g, c->fmt, c->aw, err, sizeof(err));
	if (rc)
		xact_add_err(c->x, "append to %s: %s", dst->oname, *err ? err : err_str(rc));
	obj_get_close(&g);
	return rc;
}

static int xarch_do(xarch_t *c, const bck_t *src, obj_t *dst)
{
	obj_why_t why;
	arch_sink_t sink = {0};
	int rc = xarch_select(c, src);
	if (rc) {
		xact_add_err(c->x, "archive: selecting the objects failed: %s", err_str(rc));
		return rc;
	}
	if ((rc = xarch_open(c, dst, &sink, &why))) {
		xact_add_err(c->x, "archive %s: %s", dst->oname, obj_why_str(why));
		return rc;
	}
	smap_t *m = smap_get();
	sbuf_t en = SBUF_INIT;
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (xact_aborted(c->x))
			rc = AIS_EUNAVAIL;
		else
			rc = xarch_one(c, src, m, c->names[i], &en);
	}
	smap_put(m);
	sbuf_fini(&en);
	if (!rc && (rc = arch_wr_close(c->aw)))
		xact_add_err(c->x, "archive %s: %s", dst->oname, arch_wr_err(c->aw));
	else if (rc && *arch_wr_err(c->aw))
		xact_add_err(c->x, "archive %s: %s", dst->oname, arch_wr_err(c->aw));
	arch_wr_free(c->aw);
	c->aw = NULL;
	if (rc) {
		obj_put_abort(c->w, rc);
		c->w = NULL;
		return rc;
	}
	obj_put_res_t res;
	rc = obj_put_commit(c->w, &res, &why);
	c->w = NULL;
	lom_md_fini(&res.md);
	if (rc)
		xact_add_err(c->x, "archive %s: commit: %s", dst->oname, obj_why_str(why));
	return rc;
}

static void xarch_run(xact_t *x)
{
	xarch_t *c = xact_priv(x);
	const xact_bck_t *sb = xact_bck(x);
	bmd_t *bmd = bmd_get();
	const bck_t *src = bmd ? bmd_find(bmd, sb->provider[0] ? sb->provider : "ais", sb->ns, sb->name) : NULL;
	const bck_t *dbk = bmd ? bmd_find(bmd, c->to.provider[0] ? c->to.provider : "ais", c->to.ns, c->to.name) : NULL;
	obj_t dst;
	memset(&dst, 0, sizeof(dst));
	if (!src || !dbk) {
		xact_add_err(x, "archive: bucket %s does not exist", !src ? sb->name : c->to.name);
	} else if (obj_place(&dst, dbk, c->archname)) {
		xact_add_err(x, "archive: invalid name \"%s\"", c->archname);
	} else if (xarch_do(c, src, &dst) == 0) {
		log_info("archive %s: %s with %lld object(s), %lld skipped", xact_id(x), c->archname,
			 (long long)(c->n - (size_t)c->skipped), (long long)c->skipped);
	} else if (!xact_aborted(x)) {
		char why[XACT_ERR_MAX];
		xact_err(x, why, sizeof(why));
		xact_abort(x, why[0] ? why : "archive failed: nothing was written");
	}
	bmd_put(bmd);
}

static void xarch_ctlmsg(const xact_t *x, sbuf_t *out)
{
	xarch_t *c = xact_priv(x);
	if (!c)
		return;
	sbuf_addf(out, "%s%s://%s/%s", out->len ? "; " : "", c->to.provider[0] ? c->to.provider : "ais", c->to.name,
		  c->archname);
	if (c->skipped)
		sbuf_addf(out, ", skipped:%lld", (long long)c->skipped);
}

static void xarch_fini(xact_t *x)
{
	xarch_t *c = xact_priv(x);
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	arch_wr_free(c->aw);
	obj_put_abort(c->w, 0);
	json_decref(c->msg);
	free(c);
	xact_set_priv(x, NULL);
}

const xact_ops_t xs_archive_ops = {
	.prep = xarch_prep,
	.run = xarch_run,
	.ctlmsg = xarch_ctlmsg,
	.fini = xarch_fini,
};
