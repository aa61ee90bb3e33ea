/* awschunk: incremental decoder of aws-chunked bodies, byte splits arbitrary. Owns only the
 * current header/trailer line (<= AWSCHUNK_MAX_LINE), the trailers (<= AWSCHUNK_MAX_TRAILERS)
 * and a running SHA-256 of the current chunk; chunk data goes straight to the callback.
 *
 *   HDR ──"<hex>[;chunk-signature=<sig>]\r\n"──► DATA ──n bytes──► CR ─► LF ─► (verify) HDR
 *    └──"0[;chunk-signature=..]\r\n" (verify empty chunk)──► TRAILER ──"name:value\r\n"──┐
 *                                                             ▲──────────────────────────┘
 *                                      TRAILER ──"\r\n" (verify x-amz-trailer-signature)──► DONE
 *
 * Signatures are verified only when auth->verified and the payload mode is signed streaming;
 * otherwise chunk extensions are accepted and ignored. A chunk's signature is checked after
 * its data has been passed on, so the caller must not commit anything before awschunk_finish()
 * returns 0. Errors are sticky: the first one is returned by every later call. */
#include "s3/awschunk.h"

#include "core/err.h"
#include "core/sbuf.h"
#include "core/s3ck.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AWSCHUNK_MAX_LINE 4096
#define AWSCHUNK_MAX_TRAILERS 64
#define AWSCHUNK_MAX_CHUNK (64u << 20)
#define AWSCHUNK_EMPTY_SHA256                                                                            \
	"\xe3\xb0\xc4\x42\x98\xfc\x1c\x14\x9a\xfb\xf4\xc8\x99\x6f\xb9\x24\x27\xae\x41\xe4\x64\x9b\x93\x4c\xa4" \
	"\x95\x99\x1b\x78\x52\xb8\x55"

typedef enum { AC_HDR, AC_DATA, AC_CR, AC_LF, AC_TRAILER, AC_DONE } awschunk_state_t;

struct awschunk {
	sigv4_auth_t auth;
	bool signed_chunks; /* verify chunk signatures */
	bool signed_trailer; /* verify x-amz-trailer-signature */
	awschunk_data_cb cb;
	void *arg;
	awschunk_state_t st;
	char line[AWSCHUNK_MAX_LINE + 1];
	size_t llen;
	bool cr; /* last byte of the line so far was '\r' */
	size_t remaining;
	s3ck_t sha;
	char chunk_sig[65];
	char prev_sig[65];
	size_t decoded;
	int ntrailers;
	char *tname[AWSCHUNK_MAX_TRAILERS], *tval[AWSCHUNK_MAX_TRAILERS];
	sbuf_t tcanon; /* "name:value\n" per trailer, for the trailer signature */
	char trailer_sig[65];
	bool have_trailer_sig;
	int err;
	char msg[160];
};

static int awschunk_fail(awschunk_t *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int awschunk_fail(awschunk_t *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	d->err = code;
	return code;
}

awschunk_t *awschunk_new(const sigv4_auth_t *auth, awschunk_data_cb cb, void *arg)
{
	awschunk_t *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (auth) {
		d->auth = *auth;
		bool streaming = auth->payload == SIGV4_PAYLOAD_STREAMING || auth->payload == SIGV4_PAYLOAD_STREAMING_TRAILER;
		d->signed_chunks = auth->verified && streaming;
		d->signed_trailer = d->signed_chunks && auth->payload == SIGV4_PAYLOAD_STREAMING_TRAILER;
		memcpy(d->prev_sig, auth->signature, sizeof(d->prev_sig));
		d->prev_sig[64] = '\0';
	}
	d->cb = cb;
	d->arg = arg;
	d->st = AC_HDR;
	d->tcanon = (sbuf_t)SBUF_INIT;
	return d;
}

void awschunk_free(awschunk_t *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->ntrailers; i++) {
		free(d->tname[i]);
		free(d->tval[i]);
	}
	sbuf_fini(&d->tcanon);
	OPENSSL_cleanse(&d->auth, sizeof(d->auth));
	free(d);
}

static bool awschunk_is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int awschunk_verify_chunk(awschunk_t *d, const unsigned char *sha)
{
	if (!d->signed_chunks)
		return 0;
	char expect[65];
	sigv4_chunk_signature(&d->auth, d->prev_sig, sha, expect);
	if (CRYPTO_memcmp(expect, d->chunk_sig, 64))
		return awschunk_fail(d, AIS_EFORBIDDEN, "chunk signature mismatch after %zu decoded bytes", d->decoded);
	memcpy(d->prev_sig, expect, sizeof(d->prev_sig));
	return 0;
}

/* "<hex>[;ext[=val]]*" (line without CRLF) */
static int awschunk_header(awschunk_t *d)
{
	const char *p = d->line, *end = d->line + d->llen;
	size_t size = 0;
	int ndig = 0;
	for (; p < end && isxdigit((unsigned char)*p); p++, ndig++) {
		int v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		size = size * 16 + (size_t)v;
		if (size > AWSCHUNK_MAX_CHUNK)
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: chunk larger than %u bytes", AWSCHUNK_MAX_CHUNK);
	}
	if (!ndig)
		return awschunk_fail(d, AIS_EINVAL, "aws-chunked: malformed chunk size");
	bool have_sig = false;
	while (p < end) {
		if (*p != ';')
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: malformed chunk header");
		p++;
		const char *ext = p;
		while (p < end && *p != ';')
			p++;
		size_t elen = (size_t)(p - ext);
		static const char key[] = "chunk-signature=";
		if (elen >= sizeof(key) - 1 && !memcmp(ext, key, sizeof(key) - 1)) {
			const char *v = ext + sizeof(key) - 1;
			size_t vlen = elen - (sizeof(key) - 1);
			if (d->signed_chunks) {
				if (have_sig || !awschunk_is_hex64(v, vlen))
					return awschunk_fail(d, AIS_EINVAL, "aws-chunked: malformed chunk-signature");
				for (size_t i = 0; i < 64; i++)
					d->chunk_sig[i] = (char)tolower((unsigned char)v[i]);
				d->chunk_sig[64] = '\0';
			}
			have_sig = true;
		} else if (!elen) {
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: empty chunk extension");
		}
	}
	if (d->signed_chunks && !have_sig)
		return awschunk_fail(d, AIS_EFORBIDDEN, "aws-chunked: missing chunk-signature");
	if (size == 0) {
		int rc = awschunk_verify_chunk(d, (const unsigned char *)AWSCHUNK_EMPTY_SHA256);
		if (rc)
			return rc;
		d->st = AC_TRAILER;
		return 0;
	}
	d->remaining = size;
	s3ck_init(&d->sha, S3CK_SHA256);
	d->st = AC_DATA;
	return 0;
}

static int awschunk_end(awschunk_t *d)
{
	if (d->signed_trailer && (d->ntrailers || d->have_trailer_sig)) {
		if (!d->have_trailer_sig)
			return awschunk_fail(d, AIS_EFORBIDDEN, "aws-chunked: missing x-amz-trailer-signature");
		if (d->tcanon.oom)
			return awschunk_fail(d, AIS_ENOMEM, "aws-chunked: out of memory");
		char expect[65];
		sigv4_trailer_signature(&d->auth, d->prev_sig, sbuf_str(&d->tcanon), d->tcanon.len, expect);
		if (CRYPTO_memcmp(expect, d->trailer_sig, 64))
			return awschunk_fail(d, AIS_EFORBIDDEN, "aws-chunked: trailer signature mismatch");
	}
	d->st = AC_DONE;
	return 0;
}

static bool awschunk_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* "name:value" (line without CRLF); the empty line ends the body */
static int awschunk_trailer_line(awschunk_t *d)
{
	if (!d->llen)
		return awschunk_end(d);
	char *colon = memchr(d->line, ':', d->llen);
	if (!colon)
		return awschunk_fail(d, AIS_EINVAL, "aws-chunked: malformed trailer");
	char *n0 = d->line, *n1 = colon, *v0 = colon + 1, *v1 = d->line + d->llen;
	while (n0 < n1 && awschunk_blank(*n0))
		n0++;
	while (n1 > n0 && awschunk_blank(n1[-1]))
		n1--;
	while (v0 < v1 && awschunk_blank(*v0))
		v0++;
	while (v1 > v0 && awschunk_blank(v1[-1]))
		v1--;
	if (n0 == n1)
		return awschunk_fail(d, AIS_EINVAL, "aws-chunked: empty trailer name");
	for (char *q = n0; q < n1; q++) {
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: invalid trailer name");
		*q = (char)tolower((unsigned char)*q);
	}
	size_t nl = (size_t)(n1 - n0), vl = (size_t)(v1 - v0);
	if (nl == 23 && !memcmp(n0, "x-amz-trailer-signature", 23)) {
		if (d->have_trailer_sig || !awschunk_is_hex64(v0, vl))
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: malformed x-amz-trailer-signature");
		for (size_t i = 0; i < 64; i++)
			d->trailer_sig[i] = (char)tolower((unsigned char)v0[i]);
		d->trailer_sig[64] = '\0';
		d->have_trailer_sig = true;
		return 0;
	}
	if (d->have_trailer_sig && d->signed_trailer)
		return awschunk_fail(d, AIS_EINVAL, "aws-chunked: trailer after x-amz-trailer-signature");
	if (d->ntrailers >= AWSCHUNK_MAX_TRAILERS)
		return awschunk_fail(d, AIS_EINVAL, "aws-chunked: more than %d trailers", AWSCHUNK_MAX_TRAILERS);
	char *name = strndup(n0, nl), *val = strndup(v0, vl);
	if (!name || !val) {
		free(name);
		free(val);
		return awschunk_fail(d, AIS_ENOMEM, "aws-chunked: out of memory");
	}
	d->tname[d->ntrailers] = name;
	d->tval[d->ntrailers] = val;
	d->ntrailers++;
	sbuf_add(&d->tcanon, n0, nl);
	sbuf_add(&d->tcanon, ":", 1);
	sbuf_add(&d->tcanon, v0, vl);
	sbuf_add(&d->tcanon, "\n", 1);
	return 0;
}

/* accumulate a CRLF-terminated line; returns bytes consumed, *done when the line is complete */
static size_t awschunk_line(awschunk_t *d, const char *in, size_t n, bool *done, int *rc)
{
	size_t i = 0;
	*done = false;
	while (i < n) {
		char c = in[i++];
		if (c == '\n' && d->cr) {
			d->llen--; /* drop the '\r' */
			d->line[d->llen] = '\0';
			d->cr = false;
			*done = true;
			return i;
		}
		if (d->llen >= AWSCHUNK_MAX_LINE) {
			*rc = awschunk_fail(d, AIS_EINVAL, "aws-chunked: %s line longer than %d bytes",
					    d->st == AC_HDR ? "chunk header" : "trailer", AWSCHUNK_MAX_LINE);
			return i;
		}
		d->line[d->llen++] = c;
		d->cr = c == '\r';
	}
	return i;
}

int awschunk_feed(awschunk_t *d, const char *in, size_t n)
{
	int rc = 0;
	if (d->err)
		return d->err;
	while (n) {
		switch (d->st) {
		case AC_HDR:
		case AC_TRAILER: {
			bool done;
			size_t k = awschunk_line(d, in, n, &done, &rc);
			in += k;
			n -= k;
			if (rc)
				return rc;
			if (done) {
				rc = d->st == AC_HDR ? awschunk_header(d) : awschunk_trailer_line(d);
				d->llen = 0;
				if (rc)
					return rc;
			}
			break;
		}
		case AC_DATA: {
			size_t k = n < d->remaining ? n : d->remaining;
			s3ck_update(&d->sha, in, k);
			d->remaining -= k;
			d->decoded += k;
			if (d->cb && (rc = d->cb(d->arg, in, k)))
				return awschunk_fail(d, rc, "aws-chunked: data callback failed (%d)", rc);
			in += k;
			n -= k;
			if (!d->remaining)
				d->st = AC_CR;
			break;
		}
		case AC_CR:
		case AC_LF:
			if (*in != (d->st == AC_CR ? '\r' : '\n'))
				return awschunk_fail(d, AIS_EINVAL, "aws-chunked: chunk data not followed by CRLF");
			in++;
			n--;
			if (d->st == AC_CR) {
				d->st = AC_LF;
			} else {
				unsigned char sha[32];
				s3ck_final_raw(&d->sha, sha);
				if ((rc = awschunk_verify_chunk(d, sha)))
					return rc;
				d->st = AC_HDR;
			}
			break;
		case AC_DONE:
			return awschunk_fail(d, AIS_EINVAL, "aws-chunked: data after the final chunk");
		}
	}
	return 0;
}

int awschunk_finish(awschunk_t *d)
{
	if (d->err)
		return d->err;
	if (d->st == AC_DONE)
		return 0;
	/* some clients end the body right after the last trailer line, without the empty line */
	if (d->st == AC_TRAILER && !d->llen && (d->ntrailers || d->have_trailer_sig))
		return awschunk_end(d);
	return awschunk_fail(d, AIS_EINVAL, "aws-chunked: body truncated (%zu bytes decoded)", d->decoded);
}

const char *awschunk_trailer(const awschunk_t *d, const char *name)
{
	for (int i = 0; i < d->ntrailers; i++)
		if (!strcasecmp(d->tname[i], name))
			return d->tval[i];
	return NULL;
}

size_t awschunk_decoded(const awschunk_t *d) { return d->decoded; }

const char *awschunk_error(const awschunk_t *d) { return d->err ? d->msg : ""; }
