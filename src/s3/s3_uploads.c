/* s3_uploads: ListMultipartUploads at the proxy (pool thread). Uploads live on the target that
 * owns the object, so every target is asked for its share (GET <target>/s3/<bucket>?uploads
 * &prefix=..., JSON [{"key","id","created"}], s3_mpu.c) in parallel; the answers are merged,
 * sorted by (key, initiation time, id) and paged as S3 does: key-marker / upload-id-marker,
 * max-uploads (<= 1000), delimiter roll-up into CommonPrefixes, encoding-type=url. A target
 * that does not answer fails the request (503) rather than listing a partial set. */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "s3/s3xml.h"

#define S3U_MAX 1000

typedef struct upl {
	char *key;
	char *id;
	char owner[S3_ID_MAX]; /* the initiator (the owner of the object to be) */
	int64_t created;
} upl_t;

static int upl_cmp(const void *a, const void *b)
{
	const upl_t *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* collect every target's uploads into *out (sorted); 0 or responds and returns < 0 */
static int gather(http_req_t *r, const char *bucket, const char *prefix, upl_t **out, int *nout)
{
	json_t **d = NULL;
	int n = 0, rc = s3_lq_fanout(r, bucket, "uploads", prefix, &d, &n);
	*out = NULL;
	*nout = 0;
	if (rc)
		return rc;
	upl_t *v = NULL;
	int cnt = 0, cap = 0;
	for (int i = 0; i < n && !rc; i++) {
		size_t k;
		json_t *e;
		json_array_foreach(d[i], k, e) {
			const char *key = json_string_value(json_object_get(e, "key"));
			const char *id = json_string_value(json_object_get(e, "id"));
			if (!key || !id)
				continue;
			if (cnt == cap) {
				int nc = cap ? cap * 2 : 64;
				upl_t *nv = realloc(v, (size_t)nc * sizeof(*v));
				if (!nv) {
					rc = AIS_ENOMEM;
					break;
				}
				v = nv;
				cap = nc;
			}
			v[cnt].key = strdup(key);
			v[cnt].id = strdup(id);
			v[cnt].created = json_integer_value(json_object_get(e, "created"));
			const char *ow = json_string_value(json_object_get(e, "owner"));
			snprintf(v[cnt].owner, sizeof(v[cnt].owner), "%s", ow ? ow : S3_DEFAULT_ID);
			if (!v[cnt].key || !v[cnt].id) {
				free(v[cnt].key);
				free(v[cnt].id);
				rc = AIS_ENOMEM;
				break;
			}
			cnt++;
		}
	}
	for (int i = 0; i < n; i++)
		json_decref(d[i]);
	free(d);
	if (rc) {
		s3_err(r, 500, "InternalError", "out of memory");
		for (int k = 0; k < cnt; k++) {
			free(v[k].key);
			free(v[k].id);
		}
		free(v);
		return rc;
	}
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), upl_cmp);
	*out = v;
	*nout = cnt;
	return 0;
}

void s3_uploads_list(http_req_t *r, const char *bucket)
{
	s3_lq_t q;
	if (s3_lq_parse(r, "upload-id-marker", "max-uploads", S3U_MAX, &q))
		return;
	const char *prefix = q.prefix, *delim = q.delim, *km = q.km, *im = q.m2;
	int64_t maxu = q.max;
	bool enc = q.enc;
	upl_t *v;
	int n;
	if (gather(r, bucket, prefix, &v, &n))
		return;
	/* the first entry past the markers */
	int i = 0;
	if (km[0]) {
		while (i < n && strcmp(v[i].key, km) < 0)
			i++;
		if (im[0]) {
			int j = i;
			while (j < n && !strcmp(v[j].key, km) && strcmp(v[j].id, im))
				j++;
			if (j < n && !strcmp(v[j].key, km))
				i = j + 1; /* past the marker upload */
			else
				while (i < n && !strcmp(v[i].key, km))
					i++;
		} else {
			while (i < n && !strcmp(v[i].key, km))
				i++;
		}
	}
	sbuf_t up = SBUF_INIT, cp = SBUF_INIT;
	s3_conf_t *c = malloc(sizeof(*c)); /* the users' display names */
	if (c)
		s3_conf_get(c);
	size_t pl = strlen(prefix), dl = strlen(delim);
	int cnt = 0;
	bool trunc = false;
	const char *next_key = "", *next_id = "";
	char *last_cp = NULL;
	for (; i < n; i++) {
		const char *rest = v[i].key + pl;
		const char *d = dl && !strncmp(v[i].key, prefix, pl) ? strstr(rest, delim) : NULL;
		if (d) {
			size_t cl = (size_t)(d - v[i].key) + dl;
			if (last_cp && strlen(last_cp) == cl && !strncmp(last_cp, v[i].key, cl))
				continue; /* same common prefix */
			if (cnt == maxu) {
				trunc = true;
				break;
			}
			free(last_cp);
			last_cp = strndup(v[i].key, cl);
			s3xml_open(&cp, "CommonPrefixes");
			s3xml_elem_enc(&cp, "Prefix", last_cp ? last_cp : "", enc);
			s3xml_close(&cp, "CommonPrefixes");
			next_key = v[i].key;
			next_id = v[i].id;
			cnt++;
			continue;
		}
		if (cnt == maxu) {
			trunc = true;
			break;
		}
		char t[40];
		s3_fmt_iso(v[i].created, t, sizeof(t));
		s3xml_open(&up, "Upload");
		s3xml_elem_enc(&up, "Key", v[i].key, enc);
		s3xml_elem(&up, "UploadId", v[i].id);
		char name[S3_ID_MAX];
		if (!c || !s3_auth_user(c, v[i].owner, name, sizeof(name)))
			snprintf(name, sizeof(name), "%s", v[i].owner);
		static const char *const who[] = {"Initiator", "Owner"};
		for (int w = 0; w < 2; w++) {
			s3xml_open(&up, who[w]);
			s3xml_elem(&up, "ID", v[i].owner);
			s3xml_elem(&up, "DisplayName", name);
			s3xml_close(&up, who[w]);
		}
		s3xml_elem(&up, "StorageClass", "STANDARD");
		s3xml_elem(&up, "Initiated", t);
		s3xml_close(&up, "Upload");
		next_key = v[i].key;
		next_id = v[i].id;
		cnt++;
	}
	sbuf_t b = SBUF_INIT;
	s3xml_begin(&b);
	s3xml_open_ns(&b, "ListMultipartUploadsResult");
	s3xml_elem(&b, "Bucket", bucket);
	s3xml_elem_enc(&b, "KeyMarker", km, enc);
	s3xml_elem(&b, "UploadIdMarker", im);
	if (trunc) {
		s3xml_elem_enc(&b, "NextKeyMarker", next_key, enc);
		s3xml_elem(&b, "NextUploadIdMarker", next_id);
	}
	s3xml_elem_enc(&b, "Prefix", prefix, enc);
	if (dl)
		s3xml_elem_enc(&b, "Delimiter", delim, enc);
	if (enc)
		s3xml_elem(&b, "EncodingType", "url");
	s3xml_elemf(&b, "MaxUploads", "%lld", (long long)maxu);
	s3xml_elem(&b, "IsTruncated", trunc ? "true" : "false");
	if (up.len)
		sbuf_add(&b, up.p, up.len);
	if (cp.len)
		sbuf_add(&b, cp.p, cp.len);
	s3xml_close(&b, "ListMultipartUploadsResult");
	s3_xml_respond(r, 200, b.p, b.len);
	sbuf_fini(&b);
	sbuf_fini(&up);
	sbuf_fini(&cp);
	free(last_cp);
	free(c);
	for (int k = 0; k < n; k++) {
		free(v[k].key);
		free(v[k].id);
	}
	free(v);
}
