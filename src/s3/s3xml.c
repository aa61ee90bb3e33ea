/* s3xml: S3 XML. Builder: appends to a caller-owned sbuf; text is escaped (& < > " ' and
 * control characters as &#xN;, as S3 does). Parsers: expat, namespace-aware (elements are
 * matched by local name, so xmlns="http://s3.amazonaws.com/doc/2006-03-01/" or none both work),
 * DTDs rejected (no entity tricks), document <= S3XML_MAX_DOC, element text <= S3XML_MAX_TEXT,
 * <= 1000 keys per Delete and <= 10000 parts per CompleteMultipartUpload. Parsed documents are
 * owned by the caller and released with the matching _fini. Any failure returns AIS_EINVAL
 * (the caller answers MalformedXML) with a message in err. */
#include "s3/s3xml.h"

#include "core/err.h"
#include "core/util.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S3XML_NS "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3XML_MAX_DOC (2u << 20)
#define S3XML_MAX_TEXT 4096
#define S3XML_MAX_DEPTH 16
#define S3XML_MAX_KEYS 1000
#define S3XML_MAX_PARTS 10000
#define S3XML_NS_SEP '\x01'

/* ---- builder ---- */

void s3xml_begin(sbuf_t *b) { sbuf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"); }

void s3xml_open(sbuf_t *b, const char *tag)
{
	sbuf_add(b, "<", 1);
	sbuf_adds(b, tag);
	sbuf_add(b, ">", 1);
}

void s3xml_open_ns(sbuf_t *b, const char *tag)
{
	sbuf_add(b, "<", 1);
	sbuf_adds(b, tag);
	sbuf_adds(b, " xmlns=\"" S3XML_NS "\">");
}

void s3xml_close(sbuf_t *b, const char *tag)
{
	sbuf_add(b, "</", 2);
	sbuf_adds(b, tag);
	sbuf_add(b, ">", 1);
}

void s3xml_escape(sbuf_t *b, const char *text)
{
	const char *run = text;
	for (const char *p = text; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		const char *rep = NULL;
		char num[8];
		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			if (ch < 0x20 || ch == 0x7f) {
				snprintf(num, sizeof(num), "&#x%X;", ch);
				rep = num;
			}
			break;
		}
		if (rep) {
			sbuf_add(b, run, (size_t)(p - run));
			sbuf_adds(b, rep);
			run = p + 1;
		}
	}
	sbuf_adds(b, run);
}

void s3xml_elem_enc(sbuf_t *b, const char *tag, const char *text, bool enc)
{
	if (!enc) {
		s3xml_elem(b, tag, text);
		return;
	}
	char *e = url_encode(text, true);
	s3xml_elem(b, tag, e ? e : "");
	free(e);
}

void s3xml_owner(sbuf_t *b, const char *tag)
{
	s3xml_open(b, tag);
	s3xml_elem(b, "ID", "1");
	s3xml_elem(b, "DisplayName", "ais");
	s3xml_close(b, tag);
}

void s3xml_elem(sbuf_t *b, const char *tag, const char *text)
{
	s3xml_open(b, tag);
	s3xml_escape(b, text ? text : "");
	s3xml_close(b, tag);
}

void s3xml_elemf(sbuf_t *b, const char *tag, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		s3xml_elem(b, tag, small);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s3xml_elem(b, tag, big);
	free(big);
}

void s3xml_error(sbuf_t *b, const char *code, const char *message, const char *resource, const char *request_id)
{
	s3xml_begin(b);
	s3xml_open(b, "Error");
	s3xml_elem(b, "Code", code);
	s3xml_elem(b, "Message", message);
	if (resource)
		s3xml_elem(b, "Resource", resource);
	if (request_id)
		s3xml_elem(b, "RequestId", request_id);
	s3xml_close(b, "Error");
}

/* ---- parsing ---- */

typedef enum { S3XML_DOC_DELETE, S3XML_DOC_COMPLETE, S3XML_DOC_LOCATION } s3xml_doc_t;

typedef struct {
	XML_Parser p;
	s3xml_doc_t doc;
	int depth;
	const char *path[S3XML_MAX_DEPTH]; /* local names of open known elements (static strings) */
	char text[S3XML_MAX_TEXT + 1];
	size_t tlen;
	bool text_on;
	bool failed;
	char msg[160];
	/* Delete */
	s3xml_delete_t *del;
	int kcap;
	bool have_key;
	char *key;
	char *version;      /* Delete: the <VersionId> of the current <Object> */
	/* Complete */
	s3xml_complete_t *cmp;
	int pcap;
	bool have_num;
	s3xml_part_t part;
	/* Location */
	char *region;
	size_t rcap;
	bool seen_root;
} s3xml_ctx_t;

static void s3xml_fail(s3xml_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s3xml_fail(s3xml_ctx_t *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->failed = true;
	XML_StopParser(c->p, XML_FALSE);
}

static const char *s3xml_local(const char *name)
{
	const char *sep = strrchr(name, S3XML_NS_SEP);
	return sep ? sep + 1 : name;
}

/* the element names we care about, as interned static strings ("" = ignored element) */
static const char *const s3xml_known[] = {
	"Delete", "Quiet", "Object", "Key", "CompleteMultipartUpload", "Part", "PartNumber", "ETag",
	"ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256", "ChecksumCRC64NVME",
	"CreateBucketConfiguration", "LocationConstraint", "VersionId",
};

static const char *s3xml_intern(const char *local)
{
	for (size_t i = 0; i < sizeof(s3xml_known) / sizeof(s3xml_known[0]); i++)
		if (!strcmp(local, s3xml_known[i]))
			return s3xml_known[i];
	return "";
}

/* elements whose text we read (everything else only structures or is ignored) */
static bool s3xml_leaf(const char *local)
{
	return !strcmp(local, "Quiet") || !strcmp(local, "Key") || !strcmp(local, "PartNumber") ||
	       !strcmp(local, "ETag") || !strncmp(local, "Checksum", 8) || !strcmp(local, "LocationConstraint") ||
	       !strcmp(local, "VersionId");
}

static bool s3xml_at(const s3xml_ctx_t *c, int depth, const char *a, const char *b, const char *d)
{
	if (c->depth != depth)
		return false;
	const char *want[3] = {a, b, d};
	for (int i = 0; i < depth && i < 3; i++)
		if (strcmp(c->path[i], want[i]))
			return false;
	return true;
}

static const char *s3xml_root(s3xml_doc_t d)
{
	switch (d) {
	case S3XML_DOC_DELETE: return "Delete";
	case S3XML_DOC_COMPLETE: return "CompleteMultipartUpload";
	default: return "CreateBucketConfiguration";
	}
}

static void XMLCALL s3xml_start_cb(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	s3xml_ctx_t *c = ud;
	if (c->failed)
		return;
	const char *local = s3xml_intern(s3xml_local(name));
	if (c->depth == 0) {
		if (strcmp(local, s3xml_root(c->doc)))
			return s3xml_fail(c, "unexpected root element <%s>", s3xml_local(name));
		c->seen_root = true;
	}
	if (c->depth >= S3XML_MAX_DEPTH)
		return s3xml_fail(c, "XML nested too deeply");
	if (c->depth > 0 && s3xml_leaf(c->path[c->depth - 1]))
		return s3xml_fail(c, "unexpected element inside <%s>", c->path[c->depth - 1]);
	c->path[c->depth++] = local;
	c->tlen = 0;
	c->text_on = s3xml_leaf(local);

	if (c->doc == S3XML_DOC_DELETE && s3xml_at(c, 2, "Delete", "Object", NULL)) {
		if (c->del->nkeys >= S3XML_MAX_KEYS)
			return s3xml_fail(c, "more than %d keys in one Delete request", S3XML_MAX_KEYS);
		c->have_key = false;
		free(c->version);
		c->version = NULL;
	} else if (c->doc == S3XML_DOC_COMPLETE && s3xml_at(c, 2, "CompleteMultipartUpload", "Part", NULL)) {
		if (c->cmp->nparts >= S3XML_MAX_PARTS)
			return s3xml_fail(c, "more than %d parts", S3XML_MAX_PARTS);
		memset(&c->part, 0, sizeof(c->part));
		c->have_num = false;
	}
}

static void XMLCALL s3xml_text_cb(void *ud, const XML_Char *s, int len)
{
	s3xml_ctx_t *c = ud;
	if (c->failed || !c->text_on || len <= 0)
		return;
	if (c->tlen + (size_t)len > S3XML_MAX_TEXT)
		return s3xml_fail(c, "element text longer than %d bytes", S3XML_MAX_TEXT);
	memcpy(c->text + c->tlen, s, (size_t)len);
	c->tlen += (size_t)len;
}

static bool s3xml_bool(const char *t, bool *v)
{
	if (!*t || !strcasecmp(t, "false")) {
		*v = false;
		return true;
	}
	if (!strcasecmp(t, "true")) {
		*v = true;
		return true;
	}
	return false;
}

static bool s3xml_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

static void s3xml_trim(const char *t, size_t n, const char **b, size_t *len)
{
	size_t i = 0;
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
		i++;
	while (n > i && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
		n--;
	*b = t + i;
	*len = n - i;
}

static void s3xml_end_delete(s3xml_ctx_t *c, const char *text, size_t tlen)
{
	s3xml_delete_t *d = c->del;
	if (s3xml_at(c, 2, "Delete", "Quiet", NULL)) {
		const char *t;
		size_t n;
		s3xml_trim(text, tlen, &t, &n);
		char tmp[8];
		if (!s3xml_copy(tmp, sizeof(tmp), t, n) || !s3xml_bool(tmp, &d->quiet))
			s3xml_fail(c, "invalid <Quiet> value");
	} else if (s3xml_at(c, 3, "Delete", "Object", "Key")) {
		if (c->have_key)
			return s3xml_fail(c, "duplicate <Key> in <Object>");
		free(c->key);
		c->key = strndup(text, tlen); /* keys are taken verbatim: whitespace is significant */
		if (!c->key)
			return s3xml_fail(c, "out of memory");
		c->have_key = true;
	} else if (s3xml_at(c, 3, "Delete", "Object", "VersionId")) {
		const char *t;
		size_t n;
		s3xml_trim(text, tlen, &t, &n);
		free(c->version);
		if (!(c->version = strndup(t, n)))
			return s3xml_fail(c, "out of memory");
	} else if (s3xml_at(c, 2, "Delete", "Object", NULL)) {
		if (!c->have_key)
			return s3xml_fail(c, "<Object> without <Key>");
		if (d->nkeys == c->kcap) {
			int ncap = c->kcap ? c->kcap * 2 : 16;
			char **nk = realloc(d->keys, (size_t)ncap * sizeof(*nk));
			if (nk)
				d->keys = nk;
			char **nv = nk ? realloc(d->versions, (size_t)ncap * sizeof(*nv)) : NULL;
			if (!nk || !nv)
				return s3xml_fail(c, "out of memory");
			d->versions = nv;
			c->kcap = ncap;
		}
		d->versions[d->nkeys] = c->version;
		c->version = NULL;
		d->keys[d->nkeys++] = c->key;
		c->key = NULL;
	}
}

static void s3xml_end_complete(s3xml_ctx_t *c, const char *text, size_t tlen)
{
	const char *t;
	size_t n;
	s3xml_trim(text, tlen, &t, &n);
	if (c->depth == 3 && !strcmp(c->path[0], "CompleteMultipartUpload") && !strcmp(c->path[1], "Part")) {
		const char *el = c->path[2];
		if (el == s3xml_known[6]) { /* PartNumber */
			if (c->have_num || !n || n > 5 || strspn(t, "0123456789") < n)
				return s3xml_fail(c, "invalid <PartNumber>");
			int v = 0;
			for (size_t i = 0; i < n; i++)
				v = v * 10 + (t[i] - '0');
			if (v < 1 || v > S3XML_MAX_PARTS)
				return s3xml_fail(c, "<PartNumber> out of range");
			c->part.number = v;
			c->have_num = true;
		} else if (el == s3xml_known[7]) { /* ETag */
			if (!s3xml_copy(c->part.etag, sizeof(c->part.etag), t, n))
				return s3xml_fail(c, "<ETag> too long");
		} else if (!strncmp(el, "Checksum", 8)) {
			if (c->part.checksum_algo[0])
				return s3xml_fail(c, "more than one checksum in a <Part>");
			if (!s3xml_copy(c->part.checksum, sizeof(c->part.checksum), t, n))
				return s3xml_fail(c, "<%s> too long", el);
			s3xml_copy(c->part.checksum_algo, sizeof(c->part.checksum_algo), el + 8, strlen(el + 8));
		}
	} else if (s3xml_at(c, 2, "CompleteMultipartUpload", "Part", NULL)) {
		s3xml_complete_t *m = c->cmp;
		if (!c->have_num)
			return s3xml_fail(c, "<Part> without <PartNumber>");
		if (m->nparts == c->pcap) {
			int ncap = c->pcap ? c->pcap * 2 : 16;
			s3xml_part_t *np = realloc(m->parts, (size_t)ncap * sizeof(*np));
			if (!np)
				return s3xml_fail(c, "out of memory");
			m->parts = np;
			c->pcap = ncap;
		}
		m->parts[m->nparts++] = c->part;
	}
}

static void XMLCALL s3xml_end_cb(void *ud, const XML_Char *name)
{
	(void)name;
	s3xml_ctx_t *c = ud;
	if (c->failed)
		return;
	c->text[c->tlen] = '\0';
	switch (c->doc) {
	case S3XML_DOC_DELETE:
		s3xml_end_delete(c, c->text, c->tlen);
		break;
	case S3XML_DOC_COMPLETE:
		s3xml_end_complete(c, c->text, c->tlen);
		break;
	case S3XML_DOC_LOCATION:
		if (s3xml_at(c, 2, "CreateBucketConfiguration", "LocationConstraint", NULL)) {
			const char *t;
			size_t n;
			s3xml_trim(c->text, c->tlen, &t, &n);
			if (!s3xml_copy(c->region, c->rcap, t, n))
				s3xml_fail(c, "<LocationConstraint> too long");
		}
		break;
	}
	c->depth--;
	c->tlen = 0;
	c->text_on = false;
}

static void XMLCALL s3xml_doctype_cb(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
				     int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	s3xml_fail(ud, "DTDs are not allowed");
}

/* parse; on failure the message is in c->msg */
static int s3xml_run(s3xml_ctx_t *c, const char *xml, size_t len)
{
	int rc = AIS_EINVAL;
	if (len > S3XML_MAX_DOC) {
		snprintf(c->msg, sizeof(c->msg), "XML document larger than %u bytes", S3XML_MAX_DOC);
		return AIS_EINVAL;
	}
	c->p = XML_ParserCreateNS("UTF-8", S3XML_NS_SEP);
	if (!c->p) {
		snprintf(c->msg, sizeof(c->msg), "out of memory");
		return AIS_ENOMEM;
	}
	XML_SetUserData(c->p, c);
	XML_SetElementHandler(c->p, s3xml_start_cb, s3xml_end_cb);
	XML_SetCharacterDataHandler(c->p, s3xml_text_cb);
	XML_SetStartDoctypeDeclHandler(c->p, s3xml_doctype_cb);
	enum XML_Status st = XML_Parse(c->p, xml ? xml : "", (int)len, XML_TRUE);
	if (c->failed) {
		/* message already set */
	} else if (st != XML_STATUS_OK) {
		snprintf(c->msg, sizeof(c->msg), "malformed XML: %s (line %lu)", XML_ErrorString(XML_GetErrorCode(c->p)),
			 (unsigned long)XML_GetCurrentLineNumber(c->p));
	} else if (!c->seen_root) {
		snprintf(c->msg, sizeof(c->msg), "missing <%s>", s3xml_root(c->doc));
	} else {
		rc = 0;
	}
	XML_ParserFree(c->p);
	c->p = NULL;
	return rc;
}

static void s3xml_err(char *err, size_t errcap, const char *msg)
{
	if (err && errcap)
		snprintf(err, errcap, "%s", msg);
}

int s3xml_parse_delete(const char *xml, size_t len, s3xml_delete_t *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	s3xml_ctx_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	c->doc = S3XML_DOC_DELETE;
	c->del = out;
	int rc = s3xml_run(c, xml, len);
	if (!rc && !out->nkeys) {
		snprintf(c->msg, sizeof(c->msg), "no <Object> to delete");
		rc = AIS_EINVAL;
	}
	s3xml_err(err, errcap, rc ? c->msg : "");
	free(c->key);
	free(c->version);
	free(c);
	if (rc)
		s3xml_delete_fini(out);
	return rc;
}

void s3xml_delete_fini(s3xml_delete_t *d)
{
	for (int i = 0; i < d->nkeys; i++) {
		free(d->keys[i]);
		if (d->versions)
			free(d->versions[i]);
	}
	free(d->keys);
	free(d->versions);
	memset(d, 0, sizeof(*d));
}

int s3xml_parse_complete(const char *xml, size_t len, s3xml_complete_t *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	s3xml_ctx_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	c->doc = S3XML_DOC_COMPLETE;
	c->cmp = out;
	int rc = s3xml_run(c, xml, len);
	if (!rc && !out->nparts) {
		snprintf(c->msg, sizeof(c->msg), "You must specify at least one part");
		rc = AIS_EINVAL;
	}
	s3xml_err(err, errcap, rc ? c->msg : "");
	free(c);
	if (rc)
		s3xml_complete_fini(out);
	return rc;
}

void s3xml_complete_fini(s3xml_complete_t *m)
{
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

int s3xml_parse_location(const char *xml, size_t len, char *region, size_t cap, char *err, size_t errcap)
{
	if (cap)
		region[0] = '\0';
	/* an empty body is a valid "no configuration" */
	size_t i = 0;
	while (i < len && (xml[i] == ' ' || xml[i] == '\t' || xml[i] == '\r' || xml[i] == '\n'))
		i++;
	if (i == len) {
		s3xml_err(err, errcap, "");
		return 0;
	}
	if (!cap) {
		s3xml_err(err, errcap, "no room for the region");
		return AIS_EINVAL;
	}
	s3xml_ctx_t *c = calloc(1, sizeof(*c));
	if (!c)
		return AIS_ENOMEM;
	c->doc = S3XML_DOC_LOCATION;
	c->region = region;
	c->rcap = cap;
	int rc = s3xml_run(c, xml, len);
	s3xml_err(err, errcap, rc ? c->msg : "");
	free(c);
	if (rc)
		region[0] = '\0';
	return rc;
}

/* ---- generic tree ---- */

typedef struct {
	XML_Parser p;
	const char *root;
	s3xml_node_t *top;
	s3xml_node_t *stack[S3XML_MAX_DEPTH];
	s3xml_node_t *last[S3XML_MAX_DEPTH]; /* last child of stack[i] (appending in order) */
	int depth;
	int nodes;
	sbuf_t text;
	bool failed;
	char msg[160];
} s3xml_dom_t;

static void s3xml_dom_fail(s3xml_dom_t *d, const char *msg)
{
	if (d->failed)
		return;
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
	d->failed = true;
	XML_StopParser(d->p, XML_FALSE);
}

static void XMLCALL s3xml_dom_start_cb(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	s3xml_dom_t *d = ud;
	if (d->failed)
		return;
	const char *local = s3xml_local(name);
	if (d->depth == 0 && (d->top || strcmp(local, d->root))) {
		char m[160];
		snprintf(m, sizeof(m), "unexpected root element <%.64s>, expecting <%s>", local, d->root);
		return s3xml_dom_fail(d, m);
	}
	if (d->depth >= S3XML_MAX_DEPTH)
		return s3xml_dom_fail(d, "XML nested too deeply");
	if (++d->nodes > S3XML_DOM_MAX_NODES)
		return s3xml_dom_fail(d, "too many XML elements");
	s3xml_node_t *n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(local)))
		goto oom;
	for (int i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2)
		if (!strcmp(s3xml_local(attrs[i]), "type") && !n->type && !(n->type = strdup(attrs[i + 1])))
			goto oom;
	if (d->depth == 0) {
		d->top = n;
	} else {
		s3xml_node_t *parent = d->stack[d->depth - 1];
		if (d->last[d->depth - 1])
			d->last[d->depth - 1]->next = n;
		else
			parent->child = n;
		d->last[d->depth - 1] = n;
	}
	d->stack[d->depth] = n;
	d->last[d->depth] = NULL;
	d->depth++;
	d->text.len = 0;
	return;
oom:
	if (n) {
		free(n->name);
		free(n->type);
		free(n);
	}
	s3xml_dom_fail(d, "out of memory");
}

static void XMLCALL s3xml_dom_text_cb(void *ud, const XML_Char *s, int len)
{
	s3xml_dom_t *d = ud;
	if (d->failed || len <= 0 || !d->depth)
		return;
	if (d->text.len + (size_t)len > S3XML_MAX_TEXT)
		return s3xml_dom_fail(d, "element text longer than 4096 bytes");
	sbuf_add(&d->text, s, (size_t)len);
}

static void XMLCALL s3xml_dom_end_cb(void *ud, const XML_Char *name)
{
	(void)name;
	s3xml_dom_t *d = ud;
	if (d->failed || !d->depth)
		return;
	s3xml_node_t *n = d->stack[--d->depth];
	/* the text of a leaf; an element with children keeps "" (indentation between them) */
	const char *t = n->child ? "" : sbuf_str(&d->text);
	/* by length: the buffer may still hold an earlier element's text past len (empty leaves) */
	if (d->text.oom || !(n->text = strndup(t, n->child ? 0 : d->text.len)))
		return s3xml_dom_fail(d, "out of memory");
	d->text.len = 0;
}

static void XMLCALL s3xml_dom_doctype_cb(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
					 int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	s3xml_dom_fail(ud, "DTDs are not allowed");
}

void s3xml_dom_free(s3xml_node_t *n)
{
	while (n) {
		s3xml_node_t *next = n->next;
		s3xml_dom_free(n->child);
		free(n->name);
		free(n->text);
		free(n->type);
		free(n);
		n = next;
	}
}

int s3xml_dom_parse(const char *xml, size_t len, const char *root, s3xml_node_t **out, char *err, size_t errcap)
{
	*out = NULL;
	if (len > S3XML_MAX_DOC) {
		s3xml_err(err, errcap, "XML document too large");
		return AIS_EINVAL;
	}
	s3xml_dom_t *d = calloc(1, sizeof(*d));
	if (!d)
		return AIS_ENOMEM;
	d->root = root;
	d->text = (sbuf_t)SBUF_INIT;
	int rc = AIS_ENOMEM;
	d->p = XML_ParserCreateNS("UTF-8", S3XML_NS_SEP);
	if (!d->p)
		goto out;
	XML_SetUserData(d->p, d);
	XML_SetElementHandler(d->p, s3xml_dom_start_cb, s3xml_dom_end_cb);
	XML_SetCharacterDataHandler(d->p, s3xml_dom_text_cb);
	XML_SetStartDoctypeDeclHandler(d->p, s3xml_dom_doctype_cb);
	enum XML_Status st = XML_Parse(d->p, xml ? xml : "", (int)len, XML_TRUE);
	rc = AIS_EINVAL;
	if (d->failed) {
		s3xml_err(err, errcap, d->msg);
	} else if (st != XML_STATUS_OK) {
		char m[160];
		snprintf(m, sizeof(m), "malformed XML: %s (line %lu)", XML_ErrorString(XML_GetErrorCode(d->p)),
			 (unsigned long)XML_GetCurrentLineNumber(d->p));
		s3xml_err(err, errcap, m);
	} else if (!d->top) {
		s3xml_err(err, errcap, "empty XML document");
	} else {
		rc = 0;
		*out = d->top;
		d->top = NULL;
		s3xml_err(err, errcap, "");
	}
	XML_ParserFree(d->p);
out:
	s3xml_dom_free(d->top);
	sbuf_fini(&d->text);
	free(d);
	return rc;
}

const s3xml_node_t *s3xml_child(const s3xml_node_t *n, const char *name)
{
	for (const s3xml_node_t *c = n ? n->child : NULL; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const s3xml_node_t *s3xml_next(const s3xml_node_t *c)
{
	for (const s3xml_node_t *x = c ? c->next : NULL; x; x = x->next)
		if (!strcmp(x->name, c->name))
			return x;
	return NULL;
}

int s3xml_nchild(const s3xml_node_t *n, const char *name)
{
	int k = 0;
	for (const s3xml_node_t *c = n ? n->child : NULL; c; c = c->next)
		k += !strcmp(c->name, name);
	return k;
}

const char *s3xml_child_text(const s3xml_node_t *n, const char *name, char *out, size_t cap)
{
	const s3xml_node_t *c = s3xml_child(n, name);
	if (!c || !cap)
		return NULL;
	const char *b;
	size_t l;
	s3xml_trim(c->text, strlen(c->text), &b, &l);
	return s3xml_copy(out, cap, b, l) ? out : NULL;
}
