/* bk_xml: an expat-driven walker (see bk_xml.h). State: the current path (bounded: 512 bytes,
 * 16 levels - deeper documents are not S3 answers) and the text of the innermost element. */
#include "backend/bk_xml.h"

#include <expat.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"

#define BX_MAX_DEPTH 16

typedef struct bx {
	XML_Parser p;
	char path[512];
	size_t plen[BX_MAX_DEPTH + 1];
	int depth;
	sbuf_t text;
	bk_xml_fn fn;
	void *arg;
	int rc;
} bx_t;

static void bx_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	bx_t *x = ud;
	(void)attrs;
	const char *local = strchr(name, ' '); /* namespace-qualified (no NS parser): keep as is */
	local = local ? local + 1 : name;
	size_t cur = x->depth ? x->plen[x->depth] : 0;
	if (x->depth >= BX_MAX_DEPTH || cur + strlen(local) + 2 > sizeof(x->path)) {
		x->rc = AIS_EINVAL;
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	int n = snprintf(x->path + cur, sizeof(x->path) - cur, "%s%s", cur ? "/" : "", local);
	x->depth++;
	x->plen[x->depth] = cur + (size_t)n;
	sbuf_reset(&x->text);
}

static void bx_end(void *ud, const XML_Char *name)
{
	bx_t *x = ud;
	(void)name;
	if (x->rc || !x->depth)
		return;
	if (x->text.oom) {
		x->rc = AIS_ENOMEM;
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	int rc = x->fn(x->arg, x->path, x->depth, sbuf_str(&x->text), x->text.len);
	sbuf_reset(&x->text);
	x->depth--;
	x->path[x->depth ? x->plen[x->depth] : 0] = '\0';
	if (rc) {
		x->rc = rc;
		XML_StopParser(x->p, XML_FALSE);
	}
}

static void bx_chars(void *ud, const XML_Char *s, int len)
{
	bx_t *x = ud;
	sbuf_add(&x->text, s, (size_t)len);
}

int bk_xml_walk(const char *doc, size_t len, bk_xml_fn fn, void *arg)
{
	bx_t x = {.fn = fn, .arg = arg};
	x.p = XML_ParserCreate("UTF-8");
	if (!x.p)
		return AIS_ENOMEM;
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, bx_start, bx_end);
	XML_SetCharacterDataHandler(x.p, bx_chars);
	if (XML_Parse(x.p, doc ? doc : "", (int)len, XML_TRUE) == XML_STATUS_ERROR && !x.rc)
		x.rc = AIS_EINVAL;
	XML_ParserFree(x.p);
	sbuf_fini(&x.text);
	return x.rc;
}

typedef struct bx_get {
	const char *path;
	char *out;
	size_t cap;
	bool found;
} bx_get_t;

static int bx_get_cb(void *arg, const char *path, int depth, const char *text, size_t len)
{
	bx_get_t *g = arg;
	(void)depth;
	if (strcmp(path, g->path))
		return 0;
	snprintf(g->out, g->cap, "%.*s", (int)len, text);
	g->found = true;
	return 1;
}

int bk_xml_get(const char *doc, size_t len, const char *path, char *out, size_t cap)
{
	bx_get_t g = {.path = path, .out = out, .cap = cap};
	if (cap)
		out[0] = '\0';
	int rc = bk_xml_walk(doc, len, bx_get_cb, &g);
	if (g.found)
		return 0;
	return rc && rc != 1 ? rc : AIS_ENOTFOUND;
}
