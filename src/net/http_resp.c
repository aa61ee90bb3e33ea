/* http_resp: building responses: status line and reason phrases, automatic headers (Date cached
 * per second per thread, Content-Length, Connection, Server), handler headers, AIStore JSON
 * errors and redirects, heads of streamed responses. Runs on whichever thread owns the request;
 * it writes only the request's own response buffers (rh, resp, resp_*) and then hands the
 * request back to its loop. */
#include "core/err.h"
#include "core/util.h"
#include "net/http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char http_node_name[256]; /* set once at init, before serving */

void http_set_node_name(const char *name)
{
	snprintf(http_node_name, sizeof(http_node_name), "%s", name ? name : "");
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Requested Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

/* "Date: ...\r\n" for the current second; per thread, so no locking */
static const char *http_date_line(size_t *len)
{
	static _Thread_local char line[64];
	static _Thread_local size_t line_len;
	static _Thread_local time_t line_sec = -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	if (ts.tv_sec != line_sec) {
		char d[48];
		fmt_http_date((int64_t)ts.tv_sec * 1000000000LL, d, sizeof(d));
		line_len = (size_t)snprintf(line, sizeof(line), "Date: %s\r\n", d);
		line_sec = ts.tv_sec;
	}
	*len = line_len;
	return line;
}

static char *http_put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *http_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define HTTP_PUTS(p, lit) http_put((p), (lit), sizeof(lit) - 1)

/* Will this response end the connection? Reads loop-owned state that is stable while the
 * handler owns the request. */
bool http_resp_closes(const http_conn_t *c)
{
	if (!c->keepalive || c->must_close || atomic_load(&c->loop->srv->stopping))
		return true;
	if (c->hstrm) /* a blocking-stream handler: the body state is shared with the loop */
		return http_strm_closes(c, c->hstrm, true);
	/* an answer to Expect: 100-continue without the 100: botocore then keeps the early status
	 * for the next response on the connection (its AWSConnection resets only on close), so end
	 * the connection even when there is no body */
	if (c->expect_cont && !c->cont_sent)
		return true;
	if (c->hdrs_done && !c->msg_complete) {
		const http_req_t *r = &c->req;
		if (!r->chunked && r->content_length > 0 &&
		    (uint64_t)r->content_length - c->body_seen > HTTP_DRAIN_MAX)
			return true;
	}
	return false;
}

void http_resp_build(http_conn_t *c, int status, const char *ctype, const void *body, size_t len,
		     bool send_body)
{
	if (status < 100 || status > 999)
		status = 500;
	bool close = http_resp_closes(c);
	const char *reason = http_reason(status);
	const char *srv_name = c->loop->srv->server_name;
	size_t date_len;
	const char *date = http_date_line(&date_len);
	size_t rlen = strlen(reason), clen = ctype ? strlen(ctype) : 0, slen = srv_name ? strlen(srv_name) : 0;
	size_t need = 64 + rlen + date_len + c->rh.len + clen + 16 + slen + 10 + 48 + (send_body ? len : 0);

	sbuf_reset(&c->resp);
	if (sbuf_reserve(&c->resp, need)) {
		/* out of memory: minimal response that closes the connection */
		c->resp.oom = false;
		sbuf_reset(&c->resp);
		sbuf_adds(&c->resp, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		c->resp_close = true;
		return;
	}
	char *p = c->resp.p;
	p = HTTP_PUTS(p, "HTTP/1.1 ");
	p = http_put_u64(p, (uint64_t)status);
	*p++ = ' ';
	p = http_put(p, reason, rlen);
	p = HTTP_PUTS(p, "\r\n");
	if (srv_name) {
		p = HTTP_PUTS(p, "Server: ");
		p = http_put(p, srv_name, slen);
		p = HTTP_PUTS(p, "\r\n");
	}
	p = http_put(p, date, date_len);
	if (c->rh.len)
		p = http_put(p, c->rh.p, c->rh.len);
	if (ctype) {
		p = HTTP_PUTS(p, "Content-Type: ");
		p = http_put(p, ctype, clen);
		p = HTTP_PUTS(p, "\r\n");
	}
	if (status >= 200 && status != 204 && status != 304) {
		p = HTTP_PUTS(p, "Content-Length: ");
		p = http_put_u64(p, len);
		p = HTTP_PUTS(p, "\r\n");
	}
	if (close)
		p = HTTP_PUTS(p, "Connection: close\r\n");
	else if (c->http10)
		p = HTTP_PUTS(p, "Connection: keep-alive\r\n");
	p = HTTP_PUTS(p, "\r\n");
	if (send_body && len && status != 204 && status != 304)
		p = http_put(p, body, len);
	c->resp.len = (size_t)(p - c->resp.p);
	c->resp.p[c->resp.len] = '\0';
	c->resp_close = close;
}

void http_resp_head(http_conn_t *c, sbuf_t *dst, int status, const char *ctype, int64_t clen, bool close)
{
	const char *srv_name = c->loop->srv->server_name;
	size_t date_len;
	const char *date = http_date_line(&date_len);
	sbuf_addf(dst, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	if (srv_name)
		sbuf_addf(dst, "Server: %s\r\n", srv_name);
	sbuf_add(dst, date, date_len);
	sbuf_add(dst, c->rh.p, c->rh.len);
	if (ctype)
		sbuf_addf(dst, "Content-Type: %s\r\n", ctype);
	if (clen >= 0)
		sbuf_addf(dst, "Content-Length: %lld\r\n", (long long)clen);
	else if (clen == HTTP_CLEN_CHUNKED)
		sbuf_adds(dst, "Transfer-Encoding: chunked\r\n");
	if (close)
		sbuf_adds(dst, "Connection: close\r\n");
	else if (c->http10)
		sbuf_adds(dst, "Connection: keep-alive\r\n");
	sbuf_adds(dst, "\r\n");
}

void http_hdr_add(http_req_t *r, const char *name, const char *value)
{
	http_conn_t *c = http_conn_of(r);
	sbuf_adds(&c->rh, name);
	sbuf_add(&c->rh, ": ", 2);
	size_t start = c->rh.len;
	sbuf_adds(&c->rh, value ? value : "");
	/* no header injection: CR/LF in values become spaces */
	for (size_t i = start; i < c->rh.len; i++)
		if (c->rh.p[i] == '\r' || c->rh.p[i] == '\n')
			c->rh.p[i] = ' ';
	sbuf_add(&c->rh, "\r\n", 2);
}

void http_hdr_addf(http_req_t *r, const char *name, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		http_hdr_add(r, name, buf);
		return;
	}
	sbuf_t b = SBUF_INIT;
	if (sbuf_reserve(&b, (size_t)n) == 0) {
		va_start(ap, fmt);
		vsnprintf(b.p, (size_t)n + 1, fmt, ap);
		va_end(ap);
		b.len = (size_t)n;
		http_hdr_add(r, name, b.p);
	}
	sbuf_fini(&b);
}

void http_respond(http_req_t *r, int status, const char *ctype, const void *body, size_t len)
{
	http_conn_t *c = http_conn_of(r);
	if (c->hstrm && c->hstrm->began) { /* a streamed response is under way: just end it */
		http_resp_end(r);
		return;
	}
	http_resp_build(c, status, ctype, body, len, r->method != HTTP_M_HEAD);
	c->resp_fd = -1;
	http_conn_respond_done(c);
}

void http_respond_fd(http_req_t *r, int status, int fd, off_t off, size_t len)
{
	http_conn_t *c = http_conn_of(r);
	if (c->hstrm && c->hstrm->began) {
		if (fd >= 0)
			close(fd);
		http_resp_end(r);
		return;
	}
	if (fd < 0) {
		http_error(r, 500, NULL, "%s: no file to send", r->path);
		return;
	}
	http_resp_build(c, status, NULL, NULL, len, false);
	if (r->method == HTTP_M_HEAD || len == 0 || status == 204 || status == 304) {
		if (fd >= 0)
			close(fd);
		c->resp_fd = -1;
	} else {
		c->resp_fd = fd;
		c->resp_off = off;
		c->resp_len = len;
	}
	http_conn_respond_done(c);
}

void http_redirect(http_req_t *r, int status, const char *location)
{
	http_hdr_add(r, "Location", location);
	http_respond(r, status, NULL, NULL, 0);
}

/* JSON string with Go's encoding/json escaping (<, >, & as \u00XX) */
static void http_json_str(sbuf_t *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	sbuf_add(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != '<' && ch != '>' && ch != '&')
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (ch) {
		case '"': sbuf_add(b, "\\\"", 2); break;
		case '\\': sbuf_add(b, "\\\\", 2); break;
		case '\n': sbuf_add(b, "\\n", 2); break;
		case '\r': sbuf_add(b, "\\r", 2); break;
		case '\t': sbuf_add(b, "\\t", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
			sbuf_add(b, u, 6);
		}
		}
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_add(b, "\"", 1);
}

static void http_verror(http_req_t *r, int status, const char *tcode, const char *fmt, va_list ap)
{
	sbuf_t msg = SBUF_INIT, js = SBUF_INIT;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n > 0 && sbuf_reserve(&msg, (size_t)n) == 0) {
		vsnprintf(msg.p, (size_t)n + 1, fmt, ap);
		msg.len = (size_t)n;
	}
	sbuf_reserve(&js, msg.len + 256);
	sbuf_adds(&js, "{");
	if (tcode) {
		sbuf_adds(&js, "\"tcode\":");
		http_json_str(&js, tcode);
		sbuf_adds(&js, ",");
	}
	sbuf_adds(&js, "\"message\":");
	http_json_str(&js, sbuf_str(&msg));
	sbuf_adds(&js, ",\"method\":");
	http_json_str(&js, r->method_str ? r->method_str : "");
	sbuf_adds(&js, ",\"url_path\":");
	http_json_str(&js, r->raw_path ? r->raw_path : "");
	sbuf_adds(&js, ",\"remote_addr\":");
	http_json_str(&js, r->remote_addr);
	sbuf_adds(&js, ",\"caller\":\"\",\"node\":");
	http_json_str(&js, http_node_name);
	sbuf_addf(&js, ",\"status\":%d}", status);
	if (r->method == HTTP_M_HEAD && !js.oom) /* no body on HEAD: the error goes in Hdr-Error (cmn/err.go) */
		http_hdr_add(r, "Hdr-Error", sbuf_str(&js));
	if (js.oom)
		http_respond(r, status, NULL, NULL, 0);
	else
		http_respond(r, status, "application/json", js.p, js.len);
	sbuf_fini(&msg);
	sbuf_fini(&js);
}

void http_error(http_req_t *r, int status, const char *tcode, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	http_verror(r, status, tcode, fmt, ap);
	va_end(ap);
}

void http_error_code(http_req_t *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	http_verror(r, err_http_status(code), err_tcode(code), fmt, ap);
	va_end(ap);
}
