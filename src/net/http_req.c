/* http_req: the request side of a connection: building http_req_t from what llhttp parsed
 * (method, percent-decoded path, raw path/query, '+'-decoded query params, content length,
 * keep-alive), the head checks done before any handler sees a request (Transfer-Encoding other
 * than chunked: 501; HTTP/1.1 without exactly one Host: 400; Expect other than 100-continue:
 * 417), the per-request arena those strings live in (blocks from the loop's pool), and the
 * request accessors. Runs on the loop thread at headers-complete; accessors on whichever thread
 * owns the request. */
#include "core/err.h"
#include "core/util.h"
#include "net/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- arena */

/* standard blocks go back to the loop's pool, bigger ones are freed */
static void http_arena_drop(http_conn_t *c, http_arena_blk_t *b)
{
	if (b->cap == HTTP_ARENA_BLOCK)
		http_buf_put(c->loop, HTTP_BUF_ARENA, b);
	else
		free(b);
}

void *http_arena_alloc(http_conn_t *c, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	http_arena_blk_t *b = c->arena;
	if (b && b->cap - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	size_t cap = n > HTTP_ARENA_BLOCK ? n : HTTP_ARENA_BLOCK;
	b = cap == HTTP_ARENA_BLOCK ? http_buf_get(c->loop, HTTP_BUF_ARENA) : malloc(sizeof(*b) + cap);
	if (!b)
		return NULL;
	b->cap = cap;
	b->used = n;
	b->next = c->arena;
	c->arena = b;
	return b->data;
}

/* keep one standard block (the oldest), give back the rest */
void http_arena_reset(http_conn_t *c)
{
	http_arena_blk_t *b = c->arena;
	while (b && b->next) {
		http_arena_blk_t *n = b->next;
		http_arena_drop(c, b);
		b = n;
	}
	if (b && b->cap != HTTP_ARENA_BLOCK) {
		free(b);
		b = NULL;
	}
	if (b)
		b->used = 0;
	c->arena = b;
}

void http_arena_release(http_conn_t *c)
{
	while (c->arena) {
		http_arena_blk_t *n = c->arena->next;
		http_arena_drop(c, c->arena);
		c->arena = n;
	}
}

static http_method_t http_method_of(uint8_t m)
{
	switch (m) {
	case HTTP_GET: return HTTP_M_GET;
	case HTTP_HEAD: return HTTP_M_HEAD;
	case HTTP_PUT: return HTTP_M_PUT;
	case HTTP_POST: return HTTP_M_POST;
	case HTTP_DELETE: return HTTP_M_DELETE;
	case HTTP_PATCH: return HTTP_M_PATCH;
	case HTTP_OPTIONS: return HTTP_M_OPTIONS;
	default: return HTTP_M_OTHER;
	}
}

static void http_parse_query(http_conn_t *c)
{
	http_req_t *r = &c->req;
	const char *q = r->raw_query;
	size_t qlen = strlen(q);
	if (!qlen)
		return;
	int n = 1;
	for (size_t i = 0; i < qlen; i++)
		n += q[i] == '&';
	http_kv_t *kv = http_arena_alloc(c, (size_t)n * sizeof(*kv));
	char *buf = http_arena_alloc(c, qlen + (size_t)n * 2 + 2);
	if (!kv || !buf)
		return;
	int k = 0;
	const char *s = q, *end = q + qlen;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *e = amp ? amp : end;
		if (e > s) {
			const char *eq = memchr(s, '=', (size_t)(e - s));
			const char *ke = eq ? eq : e;
			char *key = buf;
			long kl = url_decode(s, (size_t)(ke - s), key, true);
			if (kl >= 0) {
				char *val = key + kl + 1;
				long vl = eq ? url_decode(eq + 1, (size_t)(e - eq - 1), val, true) : (val[0] = '\0', 0);
				if (vl >= 0) { /* pairs with malformed escapes are dropped, as Go does */
					kv[k].name = key;
					kv[k].value = val;
					k++;
					buf = val + vl + 1;
				}
			}
		}
		s = e + 1;
	}
	r->query = kv;
	r->nquery = k;
}

int http_req_build(http_conn_t *c)
{
	http_req_t *r = &c->req;
	llhttp_t *p = &c->parser;
	uint8_t m = llhttp_get_method(p);
	r->method = http_method_of(m);
	r->method_str = llhttp_method_name((llhttp_method_t)m);
	r->hdrs = c->hv;
	r->nhdrs = c->nhv;
	c->http10 = p->http_major == 1 && p->http_minor == 0;
	c->keepalive = llhttp_should_keep_alive(p);
	r->chunked = (p->flags & F_CHUNKED) != 0;
	r->content_length = (!r->chunked && (p->flags & F_CONTENT_LENGTH)) ? (int64_t)p->content_length : -1;

	char *url = (char *)(c->url ? c->url : "");
	char *qm = strchr(url, '?');
	if (qm) {
		*qm = '\0';
		r->raw_query = qm + 1;
	}
	char *hash = strchr(qm ? qm + 1 : url, '#'); /* fragments are not sent by sane clients */
	if (hash)
		*hash = '\0';
	r->raw_path = url;
	size_t plen = strlen(url);
	char *dec = http_arena_alloc(c, plen + 1);
	if (!dec)
		return AIS_ENOMEM;
	long dl = url_decode(url, plen, dec, false);
	if (dl < 0 || memchr(dec, '\0', (size_t)dl))
		return AIS_EINVAL;
	r->path = dec;
	if (url[0] != '/' && strcmp(url, "*"))
		return AIS_EINVAL;
	http_parse_query(c);
	return 0;
}

/* does the comma-separated list v hold token t (case-insensitive, blanks trimmed)? */
static bool http_has_token(const char *v, const char *t)
{
	size_t tl = strlen(t);
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		const char *e = v;
		while (*e && *e != ',')
			e++;
		const char *te = e;
		while (te > v && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if ((size_t)(te - v) == tl && !strncasecmp(v, t, tl))
			return true;
		v = e;
	}
	return false;
}

/* value with surrounding blanks trimmed equals s (case-insensitive)? */
static bool http_value_is(const char *v, const char *s)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n == strlen(s) && !strncasecmp(v, s, n);
}

int http_req_check(http_conn_t *c)
{
	const http_req_t *r = &c->req;
	const llhttp_t *p = &c->parser;
	int nte = 0, nhost = 0;
	bool te_ok = true;
	const char *expect = NULL;
	for (int i = 0; i < r->nhdrs; i++) {
		const char *n = r->hdrs[i].name;
		if (!strcasecmp(n, "transfer-encoding")) {
			nte++;
			te_ok = te_ok && http_value_is(r->hdrs[i].value, "chunked");
		} else if (!strcasecmp(n, "host")) {
			nhost++;
		} else if (!strcasecmp(n, "expect")) {
			expect = r->hdrs[i].value;
		}
	}
	/* the order of Go's net/http: framing (501), then Host (400), then Expect (417) */
	if (nte > 1 || !te_ok) {
		c->perr_msg = "unsupported Transfer-Encoding (only \"chunked\" is implemented)";
		return 501;
	}
	bool http11 = p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1);
	if (http11 && nhost == 0) {
		c->perr_msg = "missing required Host header";
		return 400;
	}
	if (nhost > 1) {
		c->perr_msg = "too many Host headers";
		return 400;
	}
	c->expect_cont = false;
	if (expect && http_has_token(expect, "100-continue")) {
		c->expect_cont = http11; /* HTTP/1.0 clients do not know 100 Continue */
	} else if (expect && *expect) {
		c->perr_msg = "unsupported Expect (only \"100-continue\" is implemented)";
		return 417;
	}
	return 0;
}

const char *http_hdr_get(const http_req_t *r, const char *name)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (!strcasecmp(r->hdrs[i].name, name))
			return r->hdrs[i].value;
	return NULL;
}

const char *http_query_get(const http_req_t *r, const char *key)
{
	for (int i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, key))
			return r->query[i].value;
	return NULL;
}

bool http_query_bool(const http_req_t *r, const char *key)
{
	const char *v = http_query_get(r, key);
	if (!v)
		return false;
	return !*v || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "t");
}
