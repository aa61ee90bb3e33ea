/* test_awschunk: the aws-chunked decoder on AWS's documented signed example (64 KiB + 1 KiB of
 * 'a', chunk signatures ad80c730.../0055627c.../b6c6ea8a...), a signed-trailer body generated
 * by tests/unit/sigv4_vectors.py, unsigned trailers; every body fed whole, 1 byte at a time and
 * in random splits; tampering, limits, truncation, sticky errors. */
#include "core/err.h"
#include "core/util.h"
#include "s3/awschunk.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4_vectors.h"

#define SV_NOW 1369353600LL

typedef struct {
	char *buf;
	size_t len, cap;
	int fail_at; /* return an error once this many bytes arrived (0: never) */
} sink_t;

static int sink_cb(void *arg, const char *data, size_t len)
{
	sink_t *s = arg;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	if (s->fail_at && s->len >= (size_t)s->fail_at)
		return AIS_ENOSPC;
	return 0;
}

static const char *ac_secret(const char *ak, void *arg)
{
	(void)arg;
	return !strcmp(ak, "AKIAIOSFODNN7EXAMPLE") ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" : NULL;
}

/* verify the vector's head to get the seed and signing key */
static void ac_auth(const char *name, sigv4_auth_t *a)
{
	const sv_vec_t *v = NULL;
	for (size_t i = 0; i < sizeof(sv_vecs) / sizeof(sv_vecs[0]); i++)
		if (!strcmp(sv_vecs[i].name, name))
			v = &sv_vecs[i];
	cr_assert_not_null(v);
	http_kv_t hdrs[12];
	http_req_t r = {0};
	r.method_str = v->method;
	r.raw_path = v->path;
	r.raw_query = v->query;
	for (int i = 0; i < 12 && v->hdrs[i].name; i++) {
		hdrs[i].name = v->hdrs[i].name;
		hdrs[i].value = v->hdrs[i].value;
		r.nhdrs++;
	}
	r.hdrs = hdrs;
	const char *code = NULL;
	char err[256];
	cr_assert_eq(sigv4_check(&r, "us-east-1", SV_NOW, ac_secret, NULL, a, &code, err, sizeof(err)), 0, "%s", err);
	cr_assert(a->verified);
}

/* the documented example body: 65536 'a' + 1024 'a' */
static char *aws_example_body(size_t *len)
{
	static const char *sig[3] = {"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
				     "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
				     "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"};
	char *b = malloc(70000);
	size_t o = 0;
	o += (size_t)snprintf(b + o, 200, "10000;chunk-signature=%s\r\n", sig[0]);
	memset(b + o, 'a', 65536), o += 65536;
	memcpy(b + o, "\r\n", 2), o += 2;
	o += (size_t)snprintf(b + o, 200, "400;chunk-signature=%s\r\n", sig[1]);
	memset(b + o, 'a', 1024), o += 1024;
	memcpy(b + o, "\r\n", 2), o += 2;
	o += (size_t)snprintf(b + o, 200, "0;chunk-signature=%s\r\n\r\n", sig[2]);
	*len = o;
	return b;
}

/* how to split the body: 0 = whole, 1 = one byte at a time, 2 = random pieces */
static int feed(awschunk_t *d, const char *b, size_t n, int mode)
{
	int rc = 0;
	if (mode == 0)
		return awschunk_feed(d, b, n);
	for (size_t off = 0; off < n && !rc;) {
		size_t k = mode == 1 ? 1 : 1 + (size_t)rand() % 700;
		if (k > n - off)
			k = n - off;
		rc = awschunk_feed(d, b + off, k);
		off += k;
	}
	return rc;
}

Test(awschunk, aws_signed_example_all_splits)
{
	sigv4_auth_t a;
	ac_auth("aws-chunked-seed", &a);
	cr_assert_str_eq(a.signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
	size_t n;
	char *body = aws_example_body(&n);
	cr_assert_eq(n, 66824); /* the example's Content-Length */
	srand(1);
	for (int mode = 0; mode < 3; mode++) {
		for (int rep = 0; rep < (mode == 2 ? 20 : 1); rep++) {
			sink_t s = {0};
			awschunk_t *d = awschunk_new(&a, sink_cb, &s);
			cr_assert_eq(feed(d, body, n, mode), 0, "mode %d: %s", mode, awschunk_error(d));
			cr_assert_eq(awschunk_finish(d), 0, "%s", awschunk_error(d));
			cr_assert_eq(awschunk_decoded(d), 66560);
			cr_assert_eq(s.len, 66560);
			for (size_t i = 0; i < s.len; i++)
				cr_assert_eq(s.buf[i], 'a');
			cr_assert_null(awschunk_trailer(d, "x-amz-checksum-crc32"));
			awschunk_free(d);
			free(s.buf);
		}
	}
	free(body);
}

Test(awschunk, aws_signed_example_tampered)
{
	sigv4_auth_t a;
	ac_auth("aws-chunked-seed", &a);
	size_t n;
	char *body = aws_example_body(&n);
	/* each of: a data byte in chunk 1, in chunk 2, a signature hex digit of each chunk */
	size_t spots[] = {100, 65536 + 100 + 90, 30, 65536 + 90 + 30, n - 10};
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		char *t = malloc(n);
		memcpy(t, body, n);
		t[spots[i]] = t[spots[i]] == 'a' ? 'b' : (t[spots[i]] == '0' ? '1' : '0');
		sink_t s = {0};
		awschunk_t *d = awschunk_new(&a, sink_cb, &s);
		int rc = feed(d, t, n, 2);
		if (!rc)
			rc = awschunk_finish(d);
		cr_assert_eq(rc, AIS_EFORBIDDEN, "spot %zu: %d %s", spots[i], rc, awschunk_error(d));
		cr_assert(strstr(awschunk_error(d), "signature"), "%s", awschunk_error(d));
		/* sticky */
		cr_assert_eq(awschunk_feed(d, "x", 1), AIS_EFORBIDDEN);
		cr_assert_eq(awschunk_finish(d), AIS_EFORBIDDEN);
		awschunk_free(d);
		free(s.buf);
		free(t);
	}
	/* a chunk without its signature */
	sink_t s = {0};
	awschunk_t *d = awschunk_new(&a, sink_cb, &s);
	cr_assert_eq(awschunk_feed(d, "5\r\nhello\r\n", 10), AIS_EFORBIDDEN);
	awschunk_free(d);
	free(s.buf);
	free(body);
}

Test(awschunk, signed_trailer)
{
	sigv4_auth_t a;
	ac_auth("chunked-trailer-seed", &a);
	cr_assert_eq(a.payload, SIGV4_PAYLOAD_STREAMING_TRAILER);
	size_t n = strlen(sv_trailer_body);
	for (int mode = 0; mode < 3; mode++) {
		sink_t s = {0};
		awschunk_t *d = awschunk_new(&a, sink_cb, &s);
		cr_assert_eq(feed(d, sv_trailer_body, n, mode), 0, "%s", awschunk_error(d));
		cr_assert_eq(awschunk_finish(d), 0, "%s", awschunk_error(d));
		cr_assert_eq(s.len, 11);
		cr_assert(!memcmp(s.buf, "hello world", 11));
		cr_assert_str_eq(awschunk_trailer(d, "x-amz-checksum-crc32"), "DUoRhQ==");
		cr_assert_str_eq(awschunk_trailer(d, "X-Amz-Checksum-CRC32"), "DUoRhQ==");
		awschunk_free(d);
		free(s.buf);
	}
	/* a changed trailer value or signature, or a missing signature, fails */
	char *t = strdup(sv_trailer_body);
	char *v = strstr(t, "DUoRhQ==");
	v[0] = 'E';
	awschunk_t *d = awschunk_new(&a, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, t, n), AIS_EFORBIDDEN);
	awschunk_free(d);
	v[0] = 'D';
	char *sig = strstr(t, "x-amz-trailer-signature:") + 24;
	sig[5] = sig[5] == '0' ? '1' : '0';
	d = awschunk_new(&a, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, t, n), AIS_EFORBIDDEN);
	awschunk_free(d);
	/* no signature line at all */
	char *sigline = strstr(t, "x-amz-trailer-signature:");
	memcpy(sigline, "\r\n", 3);
	d = awschunk_new(&a, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, t, strlen(t)), AIS_EFORBIDDEN);
	awschunk_free(d);
	free(t);
	/* without verification (auth not verified) the same body decodes */
	sigv4_auth_t un = a;
	un.verified = false;
	t = strdup(sv_trailer_body);
	strstr(t, "x-amz-trailer-signature:")[30] ^= 1;
	d = awschunk_new(&un, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, t, n), 0, "%s", awschunk_error(d));
	cr_assert_eq(awschunk_finish(d), 0);
	awschunk_free(d);
	free(t);
}

Test(awschunk, unsigned_trailer)
{
	static const char *bodies[] = {
		"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
		"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32 :  DUoRhQ==  \r\n\r\n",
		/* some SDKs end the body right after the last trailer line */
		"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n",
		/* chunk extensions are ignored without verification, upper-case hex sizes too */
		"5;chunk-signature=abc\r\nhello\r\n6;foo=bar\r\n world\r\n0\r\nX-Amz-Checksum-Crc32:DUoRhQ==\r\n\r\n",
		"00005\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-meta-a:b\r\n\r\n",
	};
	sigv4_auth_t a = {0};
	a.payload = SIGV4_PAYLOAD_UNSIGNED_TRAILER;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		for (int mode = 0; mode < 3; mode++) {
			sink_t s = {0};
			awschunk_t *d = awschunk_new(i % 2 ? NULL : &a, sink_cb, &s);
			cr_assert_eq(feed(d, bodies[i], strlen(bodies[i]), mode), 0, "%zu: %s", i, awschunk_error(d));
			cr_assert_eq(awschunk_finish(d), 0, "%zu: %s", i, awschunk_error(d));
			cr_assert_eq(s.len, 11);
			cr_assert(!memcmp(s.buf, "hello world", 11));
			cr_assert_str_eq(awschunk_trailer(d, "x-amz-checksum-crc32"), "DUoRhQ==", "%zu", i);
			awschunk_free(d);
			free(s.buf);
		}
	}
	/* no trailers at all, the plain end */
	awschunk_t *d = awschunk_new(NULL, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, "0\r\n\r\n", 5), 0);
	cr_assert_eq(awschunk_finish(d), 0);
	cr_assert_eq(awschunk_decoded(d), 0);
	cr_assert_str_eq(awschunk_error(d), "");
	awschunk_free(d);
}

Test(awschunk, malformed)
{
	char big[5000];
	memset(big, '0', sizeof(big));
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	static const char *bad[] = {
		"x\r\n",                          /* not hex */
		"\r\n",                           /* empty size */
		"5\r\nhelloXY",                   /* data not followed by CRLF */
		"5\r\nhello\rX",                  /* half a CRLF */
		"5;\r\nhello\r\n",                /* empty extension */
		"5 \r\nhello\r\n",                /* junk after the size */
		"4000001\r\n",                    /* chunk > 64 MiB */
		"ffffffffffffffffffff\r\n",       /* overflow */
		"0\r\nnocolon\r\n\r\n",           /* trailer without ':' */
		"0\r\n:v\r\n\r\n",                /* empty trailer name */
		"0\r\n\r\nextra",                 /* data after the end */
		"0\r\nx-amz-trailer-signature:12\r\n\r\n", /* malformed trailer signature */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int mode = 0; mode < 2; mode++) {
			awschunk_t *d = awschunk_new(NULL, NULL, NULL);
			int rc = feed(d, bad[i], strlen(bad[i]), mode);
			if (!rc)
				rc = awschunk_finish(d);
			cr_assert_eq(rc, AIS_EINVAL, "%zu (%d): %d", i, mode, rc);
			cr_assert(awschunk_error(d)[0]);
			awschunk_free(d);
		}
	}
	/* header line over 4 KiB */
	awschunk_t *d = awschunk_new(NULL, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, big, strlen(big)), AIS_EINVAL);
	cr_assert(strstr(awschunk_error(d), "longer"), "%s", awschunk_error(d));
	awschunk_free(d);
	/* a long (but < 4 KiB) header line is fine */
	char ok[4000];
	memset(ok, '0', sizeof(ok));
	memcpy(ok + 3990, "5\r\nhello\r\n", 10);
	d = awschunk_new(NULL, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, ok, sizeof(ok)), 0, "%s", awschunk_error(d));
	cr_assert_eq(awschunk_decoded(d), 5);
	awschunk_free(d);
	/* more than 64 trailers */
	d = awschunk_new(NULL, NULL, NULL);
	cr_assert_eq(awschunk_feed(d, "0\r\n", 3), 0);
	int rc = 0;
	for (int i = 0; i < 65 && !rc; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "x-amz-meta-%d:%d\r\n", i, i);
		rc = awschunk_feed(d, line, (size_t)n);
	}
	cr_assert_eq(rc, AIS_EINVAL);
	awschunk_free(d);
	/* truncated bodies */
	static const char *trunc[] = {"", "5", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n"};
	for (size_t i = 0; i < sizeof(trunc) / sizeof(trunc[0]); i++) {
		d = awschunk_new(NULL, NULL, NULL);
		cr_assert_eq(awschunk_feed(d, trunc[i], strlen(trunc[i])), 0);
		cr_assert_eq(awschunk_finish(d), AIS_EINVAL, "%zu", i);
		cr_assert(strstr(awschunk_error(d), "truncated"));
		awschunk_free(d);
	}
}

Test(awschunk, callback_error_stops)
{
	sink_t s = {0};
	s.fail_at = 7;
	awschunk_t *d = awschunk_new(NULL, sink_cb, &s);
	const char *b = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
	int rc = feed(d, b, strlen(b), 1);
	cr_assert_eq(rc, AIS_ENOSPC);
	cr_assert_eq(s.len, 7);
	cr_assert_eq(awschunk_feed(d, "0", 1), AIS_ENOSPC);
	cr_assert_eq(awschunk_finish(d), AIS_ENOSPC);
	awschunk_free(d);
	free(s.buf);
	awschunk_free(NULL);
}
