/* tobj_head: HEAD /v1/objects/<bck>/<obj>?props=<list> (AIStore's v2 HEAD, ais/tgthead.go
 * objHeadV2/_objHeadV2): only the asked properties go out as headers, beside Ais-Present and the
 * size (Content-Length, set by the response). Known props: name, size (always there), checksum,
 * atime, version, custom, last-modified, etag, location, copies, ec (nothing without EC),
 * chunked; anything else is a 400 "invalid property" and nothing else is sent. Owns no state;
 * the caller has the object open (obj_get_t) and answers the HEAD itself. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/util.h"
#include "fs/fs.h"
#include "net/http.h"
#include "obj/chunk.h"
#include "obj/obj_get.h"
#include "obj/ufest.h"
#include "cluster/node.h"
#include "target/tgt_int.h"

enum {
	HV_CKSUM = 1 << 0,
	HV_ATIME = 1 << 1,
	HV_VERSION = 1 << 2,
	HV_CUSTOM = 1 << 3,
	HV_LASTMOD = 1 << 4,
	HV_ETAG = 1 << 5,
	HV_LOCATION = 1 << 6,
	HV_COPIES = 1 << 7,
	HV_CHUNKED = 1 << 8,
};

/* the props list (comma-separated, blanks trimmed, empty items skipped): the HV_* mask, or -1
 * with the offending property in bad */
static int hv_parse(const char *props, char *bad, size_t cap)
{
	static const struct {
		const char *name;
		int bit;
	} known[] = {{"name", 0},          {"size", 0},          {"checksum", HV_CKSUM}, {"atime", HV_ATIME},
		     {"version", HV_VERSION}, {"custom", HV_CUSTOM}, {"last-modified", HV_LASTMOD},
		     {"etag", HV_ETAG},     {"location", HV_LOCATION}, {"copies", HV_COPIES},
		     {"ec", 0},             {"chunked", HV_CHUNKED}};
	int mask = 0;
	for (const char *p = props; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *s = p;
		while (l && (*s == ' ' || *s == '\t')) {
			s++;
			l--;
		}
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
			l--;
		if (l) {
			size_t i = 0, n = sizeof(known) / sizeof(known[0]);
			while (i < n && !(strlen(known[i].name) == l && !memcmp(known[i].name, s, l)))
				i++;
			if (i == n) {
				snprintf(bad, cap, "%.*s", (int)(l < 200 ? l : 200), s);
				return -1;
			}
			mask |= known[i].bit;
		}
		p = e ? e + 1 : p + strlen(p);
	}
	return mask;
}

/* lom.LastModifiedStr: the stored Last-Modified, else the file's mtime (http.TimeFormat) */
static bool hv_lastmod(const obj_get_t *g, char *out, size_t cap, int64_t *mtime_ns)
{
	const char *v = lom_md_custom_get(&g->md, "Last-Modified");
	*mtime_ns = 0;
	if (v) {
		snprintf(out, cap, "%s", v);
		return true;
	}
	struct stat st;
	struct tm tm;
	if (g->fd < 0 || fstat(g->fd, &st) || !gmtime_r(&st.st_mtim.tv_sec, &tm))
		return false;
	*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	return strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0;
}

/* lom.ETag: custom ETag, else MD5 of a monolithic object, else "v1-<cksum>-<mtime base36>" */
static void hv_etag(http_req_t *r, const obj_get_t *g, int64_t mtime_ns)
{
	const char *v = lom_md_custom_get(&g->md, "ETag");
	if (v) {
		http_hdr_addf(r, "ETag", "\"%s\"", v);
		return;
	}
	if (g->md.cktype == CKSUM_NONE || !g->md.ckval[0])
		return;
	if (!g->chunked && g->md.cktype == CKSUM_MD5) {
		http_hdr_addf(r, "ETag", "\"%s\"", g->md.ckval);
		return;
	}
	char lm[64], b36[32];
	if (!mtime_ns && !hv_lastmod(g, lm, sizeof(lm), &mtime_ns))
		return;
	if (!mtime_ns) { /* (a stored Last-Modified: its seconds) */
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (!strptime(lm, "%a, %d %b %Y %H:%M:%S GMT", &tm))
			return;
		mtime_ns = (int64_t)timegm(&tm) * 1000000000LL;
	}
	http_hdr_addf(r, "ETag", "\"v1-%s-%s\"", g->md.ckval, u64_base36((uint64_t)mtime_ns, b36, sizeof(b36)));
}

static void hv_chunks(http_req_t *r, const obj_get_t *g)
{
	char p[FQN_MAX];
	ufest_t u;
	ufest_init(&u);
	if (!chunk_ufest_path(g->o, NULL, p, sizeof(p)) && !ufest_load(p, &u) && !strcmp(u.id, g->md.uid)) {
		int64_t mx = 0;
		for (int i = 0; i < u.count; i++)
			if (u.chunks[i].size > mx)
				mx = u.chunks[i].size;
		http_hdr_addf(r, "Ais-Chunks-Count", "%d", u.count);
		http_hdr_addf(r, "Ais-Chunks-Max-Chunk-Size", "%lld", (long long)mx);
	}
	ufest_fini(&u);
}

int tobj_head_v2(http_req_t *r, const obj_t *o, const obj_get_t *g, const char *props)
{
	char bad[256];
	int m = hv_parse(props, bad, sizeof(bad));
	if (m < 0) {
		http_error(r, 400, NULL, "invalid property \"%s\" in props list", bad);
		return -1;
	}
	const lom_md_t *md = &g->md;
	http_hdr_add(r, "Ais-Present", "true");
	if ((m & HV_CKSUM) && md->cktype != CKSUM_NONE && md->ckval[0]) {
		http_hdr_add(r, "Ais-Checksum-Type", cksum_type_str(md->cktype));
		http_hdr_add(r, "Ais-Checksum-Value", md->ckval);
	}
	if ((m & HV_ATIME) && md->atime)
		http_hdr_addf(r, "Ais-Atime", "%lld", (long long)md->atime);
	if ((m & HV_VERSION) && md->version[0])
		http_hdr_add(r, "Ais-Version", md->version);
	if (m & HV_CUSTOM) {
		size_t pos = 0;
		const char *k, *v;
		while (lom_md_custom_next(md, &pos, &k, &v))
			if (strcmp(k, "orig_fntl"))
				http_hdr_addf(r, "Ais-Custom-Md", "%s=%s", k, v);
	}
	if (m & HV_LOCATION)
		http_hdr_addf(r, "Ais-Location", "%s:%s", node_name(), fs_get(o->mpi)->path);
	if (m & HV_COPIES) {
		http_hdr_add(r, "Ais-Mirror-Copies", "1");
		http_hdr_add(r, "Ais-Mirror-Paths", fs_get(o->mpi)->path);
	}
	if ((m & HV_CHUNKED) && g->chunked)
		hv_chunks(r, g);
	int64_t mtime_ns = 0;
	char lm[64];
	if ((m & HV_LASTMOD) && hv_lastmod(g, lm, sizeof(lm), &mtime_ns))
		http_hdr_add(r, "Last-Modified", lm);
	if (m & HV_ETAG)
		hv_etag(r, g, mtime_ns);
	return 0;
}
