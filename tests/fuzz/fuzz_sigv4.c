/* fuzz_sigv4: arbitrary bytes as a request head for SigV4 checking. Input lines: method,
 * raw path, raw query, then "name:value" headers. The query is split and decoded like the HTTP
 * server does; sigv4_check runs in verify mode (known key, fixed clock) and parse-only mode,
 * then chunk and trailer signatures are computed from the result; the same head goes through
 * Signature V2 (sigv2_check, raw path as the resource). Must neither crash nor leak. */
#include "core/util.h"
#include "s3/sigv2.h"
#include "s3/sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX 32

static const char *fz_secret(const char *ak, void *arg)
{
	(void)arg;
	return !strcmp(ak, "AKIAIOSFODNN7EXAMPLE") ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *lines[3 + FZ_MAX];
	int nl = 0;
	for (char *p = buf; p && nl < 3 + FZ_MAX;) {
		lines[nl++] = p;
		char *e = strchr(p, '\n');
		if (e)
			*e++ = '\0';
		p = e;
	}
	while (nl < 3)
		lines[nl++] = "";
	http_kv_t hdrs[FZ_MAX], q[FZ_MAX];
	http_req_t r;
	memset(&r, 0, sizeof(r));
	r.method_str = lines[0];
	r.raw_path = lines[1];
	r.raw_query = lines[2];
	for (int i = 3; i < nl; i++) {
		char *c = strchr(lines[i], ':');
		if (!c)
			continue;
		*c = '\0';
		hdrs[r.nhdrs].name = lines[i];
		hdrs[r.nhdrs].value = c + 1;
		r.nhdrs++;
	}
	r.hdrs = hdrs;
	/* decoded query (keys and values in a second buffer) */
	size_t qlen = strlen(lines[2]);
	char *qbuf = malloc(2 * qlen + 2 * FZ_MAX + 2);
	size_t off = 0;
	for (const char *p = lines[2]; qbuf && *p && r.nquery < FZ_MAX;) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', seg);
		size_t kl = eq ? (size_t)(eq - p) : seg;
		char *k = qbuf + off;
		long n = url_decode(p, kl, k, true);
		if (n < 0)
			n = 0;
		k[n] = '\0';
		off += (size_t)n + 1;
		char *v = qbuf + off;
		n = eq ? url_decode(eq + 1, seg - kl - 1, v, true) : 0;
		if (n < 0)
			n = 0;
		v[n] = '\0';
		off += (size_t)n + 1;
		q[r.nquery].name = k;
		q[r.nquery].value = v;
		r.nquery++;
		p += seg;
		if (*p == '&')
			p++;
	}
	r.query = q;
	sigv4_auth_t a;
	const char *code;
	char err[256];
	if (!sigv4_check(&r, size % 2 ? "us-east-1" : "", 1369353600, fz_secret, NULL, &a, &code, err, sizeof(err)) &&
	    a.kind != SIGV4_NONE) {
		unsigned char sha[32] = {0};
		char sig[65];
		sigv4_chunk_signature(&a, a.signature, sha, sig);
		char tsig[65];
		sigv4_trailer_signature(&a, sig, lines[0], strlen(lines[0]), tsig);
	}
	(void)sigv4_check(&r, "", 0, NULL, NULL, &a, NULL, NULL, 0);
	if (sigv2_is(&r))
		(void)sigv2_check(&r, lines[1], 1369353600, fz_secret, NULL, &a, &code, err, sizeof(err));
	free(qbuf);
	free(buf);
	return 0;
}
