/* s3_vlist: ListObjectVersions at the proxy (pool thread) for a bucket versioned through S3.
 * Every target is asked for its share (GET <target>/s3/<bucket>?versions&prefix=..., JSON,
 * s3_ver_list_local) in parallel; the answers are merged and sorted by key, then newest first
 * (the current object, then by sequence number), and paged as S3 does: key-marker /
 * version-id-marker, max-keys (<= 1000), delimiter roll-up into CommonPrefixes (counted against
 * max-keys), encoding-type=url; <Version> and <DeleteMarker> entries with IsLatest. Each page
 * gathers the versions under the prefix afresh (O(versions) per page). A target that does not
 * answer fails the request (503) rather than listing a partial set. */
#include "s3/s3_ver.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "s3/s3_bmeta.h"
#include "s3/s3xml.h"

#define VL_MAX 1000

typedef struct vent {
	const char *key, *vid, *etag, *owner; /* inside the JSON answers (kept until the end) */
	int64_t seq, size, mtime;
	bool cur, dm, latest;
} vent_t;

static int vent_cmp(const void *a, const void *b)
{
	const vent_t *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->cur != y->cur)
		return x->cur ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq ? 1 : 0;
}

/* every target's versions under prefix: *docs (one JSON array per target; decref them) and the
 * entries pointing into them, sorted, IsLatest set. 0 or responds and returns < 0 */
static int vl_gather(http_req_t *r, const char *bucket, const char *prefix, json_t ***docs, int *ndocs, vent_t **out,
		     int *nout)
{
	json_t **d = NULL;
	int n = 0, rc = s3_lq_fanout(r, bucket, "versions", prefix, &d, &n);
	*docs = NULL;
	*ndocs = 0;
	*out = NULL;
	*nout = 0;
	if (rc)
		return rc;
	vent_t *v = NULL;
	int cnt = 0, cap = 0;
	for (int i = 0; i < n && !rc; i++) {
		size_t k;
		json_t *e;
		json_array_foreach(d[i], k, e) {
			const char *key = json_string_value(json_object_get(e, "key"));
			const char *vid = json_string_value(json_object_get(e, "vid"));
			if (!key || !vid)
				continue;
			if (cnt == cap) {
				int nc = cap ? cap * 2 : 256;
				vent_t *nv = realloc(v, (size_t)nc * sizeof(*v));
				if (!nv) {
					rc = AIS_ENOMEM;
					s3_err(r, 500, "InternalError", "out of memory");
					break;
				}
				v = nv;
				cap = nc;
			}
			const char *et = json_string_value(json_object_get(e, "etag"));
			const char *ow = json_string_value(json_object_get(e, "owner"));
			v[cnt++] = (vent_t){.key = key, .vid = vid, .etag = et ? et : "", .owner = ow ? ow : "",
					    .seq = json_integer_value(json_object_get(e, "seq")),
					    .size = json_integer_value(json_object_get(e, "size")),
					    .mtime = json_integer_value(json_object_get(e, "mtime")),
					    .cur = json_is_true(json_object_get(e, "cur")),
					    .dm = json_is_true(json_object_get(e, "dm"))};
		}
	}
	if (rc) {
		for (int i = 0; i < n; i++)
			json_decref(d[i]);
		free(d);
		free(v);
		return rc;
	}
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), vent_cmp);
	for (int i = 0; i < cnt; i++)
		v[i].latest = !i || strcmp(v[i].key, v[i - 1].key);
	*docs = d;
	*ndocs = n;
	*out = v;
	*nout = cnt;
	return 0;
}

/* the first entry after the markers */
static int vl_start(const vent_t *v, int n, const char *km, const char *vm)
{
	int i = 0;
	if (!km[0])
		return 0;
	while (i < n && strcmp(v[i].key, km) < 0)
		i++;
	if (vm[0]) {
		for (int j = i; j < n && !strcmp(v[j].key, km); j++)
			if (!strcmp(v[j].vid, vm))
				return j + 1;
	}
	while (i < n && !strcmp(v[i].key, km))
		i++;
	return i;
}

static void vl_owner(sbuf_t *b, const vent_t *e, const s3_conf_t *c, const char *bowner)
{
	const char *id = e->owner[0] ? e->owner : bowner[0] ? bowner : S3_DEFAULT_ID;
	char name[S3_ID_MAX];
	if (!c || !s3_auth_user(c, id, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", id);
	s3xml_open(b, "Owner");
	s3xml_elem(b, "ID", id);
	s3xml_elem(b, "DisplayName", name);
	s3xml_close(b, "Owner");
}

static void vl_entry(sbuf_t *b, const vent_t *e, bool enc, const s3_conf_t *c, const char *bowner)
{
	const char *tag = e->dm ? "DeleteMarker" : "Version";
	char t[40];
	s3_fmt_iso(e->mtime, t, sizeof(t));
	s3xml_open(b, tag);
	s3xml_elem_enc(b, "Key", e->key, enc);
	s3xml_elem(b, "VersionId", e->vid);
	s3xml_elem(b, "IsLatest", e->latest ? "true" : "false");
	s3xml_elem(b, "LastModified", t);
	if (!e->dm) {
		s3xml_elem(b, "ETag", e->etag);
		s3xml_elemf(b, "Size", "%lld", (long long)e->size);
		s3xml_elem(b, "StorageClass", "STANDARD");
	}
	vl_owner(b, e, c, bowner);
	s3xml_close(b, tag);
}

void s3_ver_list(http_req_t *r, const char *bucket)
{
	s3_lq_t q;
	if (s3_lq_parse(r, "version-id-marker", "max-keys", VL_MAX, &q))
		return;
	const char *prefix = q.prefix, *delim = q.delim, *km = q.km, *vm = q.m2;
	int64_t maxk = q.max;
	if (vm[0] && !km[0]) {
		s3_err(r, 400, "InvalidArgument", "A version-id marker cannot be specified without a key marker.");
		return;
	}
	if (vm[0] && !s3_ver_id_valid(vm)) {
		s3_err(r, 400, "InvalidArgument", "Invalid version id specified");
		return;
	}
	bool enc = q.enc;
	json_t **docs;
	int ndocs, n;
	vent_t *v;
	if (vl_gather(r, bucket, prefix, &docs, &ndocs, &v, &n))
		return;
	s3_conf_t *c = malloc(sizeof(*c));
	if (c)
		s3_conf_get(c);
	char bowner[S3_ID_MAX];
	s3_bm_t bm;
	s3_bm_get(bucket, &bm);
	snprintf(bowner, sizeof(bowner), "%s", s3_bm_owner(bm.s3));
	s3_bm_put(&bm);
	sbuf_t ents = SBUF_INIT, cps = SBUF_INIT;
	size_t pl = strlen(prefix), dl = strlen(delim);
	int cnt = 0;
	bool trunc = false;
	const char *nk = "", *nv = "";
	char *last_cp = NULL;
	for (int i = vl_start(v, n, km, vm); i < n; i++) {
		const char *d = dl ? strstr(v[i].key + pl, delim) : NULL;
		if (d) {
			size_t cl = (size_t)(d - v[i].key) + dl;
			if (last_cp && strlen(last_cp) == cl && !strncmp(last_cp, v[i].key, cl))
				continue;
			if (cnt == maxk) {
				trunc = true;
				break;
			}
			free(last_cp);
			last_cp = strndup(v[i].key, cl);
			s3xml_open(&cps, "CommonPrefixes");
			s3xml_elem_enc(&cps, "Prefix", last_cp ? last_cp : "", enc);
			s3xml_close(&cps, "CommonPrefixes");
			nk = last_cp ? last_cp : "";
			nv = "";
			cnt++;
			continue;
		}
		if (cnt == maxk) {
			trunc = true;
			break;
		}
		vl_entry(&ents, &v[i], enc, c, bowner);
		nk = v[i].key;
		nv = v[i].vid;
		cnt++;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ListVersionsResult");
	s3xml_elem(&b, "Name", bucket);
	s3xml_elem_enc(&b, "Prefix", prefix, enc);
	s3xml_elem_enc(&b, "KeyMarker", km, enc);
	s3xml_elem(&b, "VersionIdMarker", vm);
	if (trunc) {
		s3xml_elem_enc(&b, "NextKeyMarker", nk, enc);
		s3xml_elem(&b, "NextVersionIdMarker", nv);
	}
	s3xml_elemf(&b, "MaxKeys", "%lld", (long long)maxk);
	if (dl)
		s3xml_elem_enc(&b, "Delimiter", delim, enc);
	if (enc)
		s3xml_elem(&b, "EncodingType", "url");
	s3xml_elem(&b, "IsTruncated", trunc ? "true" : "false");
	if (ents.len)
		sbuf_add(&b, ents.p, ents.len);
	if (cps.len)
		sbuf_add(&b, cps.p, cps.len);
	s3xml_close(&b, "ListVersionsResult");
	if (b.oom || ents.oom || cps.oom)
		s3_err(r, 500, "InternalError", "out of memory");
	else
		s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
	sbuf_fini(&ents);
	sbuf_fini(&cps);
	free(last_cp);
	free(c);
	free(v);
	for (int i = 0; i < ndocs; i++)
		json_decref(docs[i]);
	free(docs);
}

int s3_ver_count(http_req_t *r, const char *bucket, int *count)
{
	json_t **docs;
	int ndocs, n;
	vent_t *v;
	*count = 0;
	int rc = vl_gather(r, bucket, "", &docs, &ndocs, &v, &n);
	if (rc)
		return rc;
	*count = n;
	free(v);
	for (int i = 0; i < ndocs; i++)
		json_decref(docs[i]);
	free(docs);
	return 0;
}
