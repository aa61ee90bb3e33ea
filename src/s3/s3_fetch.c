/* s3_fetch: the S3 target's one mover between targets: read an object (or a byte range of it)
 * from the target that owns it, over that target's native API with libcurl (blocking: pool
 * threads only). CopyObject and UploadPartCopy use it when the source lives elsewhere; the
 * target-to-target transport replaces this file. Only a 200/206 body reaches the sink; an error
 * document never does. */
#include "s3/s3_tgt.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"

typedef struct fetch {
	CURL *c;
	obj_sink_fn sink;
	void *arg;
	lom_md_t *md;
	int64_t got;
	int rc;
} fetch_t;

static size_t fetch_write(char *d, size_t sz, size_t nm, void *arg)
{
	fetch_t *f = arg;
	long st = 0;
	curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &st);
	if (st != 200 && st != 206)
		return sz * nm; /* an error document: not the object */
	if ((f->rc = f->sink(f->arg, d, sz * nm)))
		return 0;
	f->got += (int64_t)(sz * nm);
	return sz * nm;
}

/* Ais-Custom-Md: k=v → md */
static size_t fetch_hdr(char *b, size_t sz, size_t nm, void *arg)
{
	fetch_t *f = arg;
	size_t len = sz * nm;
	static const char pfx[] = "Ais-Custom-Md:";
	if (f->md && len > sizeof(pfx) && !strncasecmp(b, pfx, sizeof(pfx) - 1)) {
		char *v = strndup(b + sizeof(pfx) - 1, len - (sizeof(pfx) - 1));
		if (!v)
			return 0;
		char *s = v;
		while (*s == ' ')
			s++;
		s[strcspn(s, "\r\n")] = '\0';
		char *eq = strchr(s, '=');
		if (eq) {
			*eq = '\0';
			lom_md_custom_set(f->md, s, eq + 1);
		}
		free(v);
	}
	return len;
}

int s3_fetch_owner(const snode_t *peer, const bck_t *b, const char *name, int64_t off, int64_t len, obj_sink_fn sink,
		   void *arg, lom_md_t *md, char *err, size_t cap)
{
	char *enc = url_encode(name, true), *bn = url_encode(b->name, false);
	sbuf_t url = SBUF_INIT;
	sbuf_addf(&url, "%s/v1/objects/%s/%s?provider=ais", peer->pub.url, bn ? bn : "", enc ? enc : "");
	free(enc);
	free(bn);
	fetch_t f = {.sink = sink, .arg = arg, .md = md};
	struct curl_slist *hl = NULL;
	int rc = 0;
	if (!(f.c = curl_easy_init())) {
		sbuf_fini(&url);
		return AIS_ENOMEM;
	}
	if (len >= 0) {
		char rh[96];
		snprintf(rh, sizeof(rh), "Range: bytes=%lld-%lld", (long long)off, (long long)(off + len - 1));
		hl = curl_slist_append(hl, rh);
	}
	CURL *c = f.c;
	curl_easy_setopt(c, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	CURLcode cc = curl_easy_perform(c);
	long st = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "fetch from %s: %s (status %ld)", peer->id, curl_easy_strerror(cc), st);
		rc = f.rc ? f.rc : AIS_EUNAVAIL;
	} else if (st == 404) {
		rc = AIS_ENOTFOUND;
	} else if (st == 416) {
		rc = AIS_ERANGE;
	} else if (st != 200 && st != 206) {
		snprintf(err, cap, "fetch from %s: status %ld", peer->id, st);
		rc = AIS_EIO;
	} else if (len >= 0 && f.got != len) {
		rc = AIS_ERANGE; /* the owner clamps a range past the end: not within the source */
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	sbuf_fini(&url);
	return rc;
}
