/* pmirror: the proxy's side of n-way mirroring (AIStore 4.7's makeNCopies and the re-mirror of
 * set-bprops, ais/prxtxn.go):
 *   POST /v1/buckets/<b> {"action":"make-n-copies","value":N}   N a number or a numeric string
 *       (AIStore's _parseNCopies), 1..32 and at most every target's available mountpaths; sets
 *       the bucket's mirror props (enabled = N > 1, copies = N), then starts x-make-n-copies on
 *       every target with {"copies": N}; answers the job ID
 *   set-bprops that enables mirroring or changes its copies: the same mountpath check before the
 *       BMD changes, and the same job after (pmirror_after_props).
 * The mountpath check asks every target (GET /v1/daemon?what=mountpaths) before anything
 * changes, as AIStore's begin phase does (fmtErrInsuffMpaths1). Primary only; pool threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "proxy/proxy.h"

/* the fewest available mountpaths over the active targets (*tid: which one); AIS_EUNAVAIL when
 * a target cannot be asked */
static int pmirror_min_mpaths(int *min, char *tid, size_t tcap, char *err, size_t cap)
{
	smap_t *m = smap_get();
	int n = 0, cnt = m ? m->ntargets : 0, rc = 0;
	hreq_t *q = cnt ? calloc((size_t)cnt, sizeof(*q)) : NULL;
	char(*url)[512] = cnt ? calloc((size_t)cnt, sizeof(*url)) : NULL;
	char(*ids)[SNODE_ID_MAX] = cnt ? calloc((size_t)cnt, sizeof(*ids)) : NULL;
	*min = -1;
	if (cnt && (!q || !url || !ids)) {
		rc = AIS_ENOMEM;
		goto out;
	}
	for (int i = 0; i < cnt; i++) {
		const snode_t *t = &m->targets[i];
		if (t->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		snprintf(url[n], sizeof(url[n]), "%s/v1/daemon?what=mountpaths", t->ctl.url);
		snprintf(ids[n], sizeof(ids[n]), "%s", t->id);
		q[n] = (hreq_t){.method = "GET", .url = url[n], .timeout_ms = 10000};
		n++;
	}
	if (n)
		hclient_fanout(q, n);
	for (int i = 0; i < n && !rc; i++) {
		json_error_t je;
		json_t *j = q[i].rc || q[i].status != 200 ? NULL : json_loadb(q[i].resp.p ? q[i].resp.p : "", q[i].resp.len, 0, &je);
		json_t *av = json_object_get(j, "available");
		if (!json_is_array(av)) {
			snprintf(err, cap, "failed to get the mountpaths of t[%s]", ids[i]);
			rc = AIS_EUNAVAIL;
		} else if (*min < 0 || (int)json_array_size(av) < *min) {
			*min = (int)json_array_size(av);
			snprintf(tid, tcap, "t[%s]", ids[i]);
		}
		json_decref(j);
	}
out:
	for (int i = 0; i < n; i++)
		hreq_fini(&q[i]);
	free(q);
	free(url);
	free(ids);
	smap_put(m);
	return rc;
}

int pmirror_check_copies(const pbck_t *b, int copies, bool make_n, char *err, size_t cap)
{
	char tid[SNODE_ID_MAX + 8] = "";
	int min;
	int rc = pmirror_min_mpaths(&min, tid, sizeof(tid), err, cap);
	if (rc)
		return rc;
	if (min >= 0 && copies > min) {
		if (make_n)
			snprintf(err, cap, "%s: number of copies (%d) exceeds the number of mountpaths (%d)", tid, copies, min);
		else
			snprintf(err, cap, "%s: not enough mountpaths (%d) to configure %s://%s as %d-way mirror", tid, min,
				 b->provider, b->name, copies);
		return AIS_EINVAL;
	}
	return 0;
}

/* AIStore's _parseNCopies: a JSON number or a numeric string */
static int pmirror_parse(json_t *v, int *n, char *err, size_t cap)
{
	int64_t x = 0;
	if (json_is_integer(v))
		x = json_integer_value(v);
	else if (json_is_real(v))
		x = (int64_t)json_real_value(v);
	else if (!json_is_string(v) || parse_i64(json_string_value(v), &x)) {
		char *s = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
		snprintf(err, cap, "failed to parse 'copies' (%s) - unexpected type", s ? s : "<nil>");
		free(s);
		return AIS_EINVAL;
	}
	if (x < 1 || x > 32) {
		snprintf(err, cap, "%s: invalid num copies %lld, must be in [1, 32] range", node_name(), (long long)x);
		return AIS_EINVAL;
	}
	*n = (int)x;
	return 0;
}

static int pmirror_start(http_req_t *r, const pbck_t *b, int copies, char *id)
{
	json_t *ext = json_pack("{s:i}", "copies", copies);
	int rc = ext ? pshard_start(r, "make-n-copies", b, ext, NULL, id) : AIS_ENOMEM;
	json_decref(ext);
	if (rc == AIS_ENOMEM && !ext)
		http_error_code(r, rc, "out of memory");
	return rc;
}

void pmirror_make_n_copies(http_req_t *r, const pbck_t *b, json_t *msg)
{
	char err[512] = "", id[64] = "";
	int n;
	if (!node_is_primary()) {
		pfwd_to_primary(r);
		return;
	}
	bmd_t *m = bmd_get();
	bool have = m && bmd_find(m, b->provider, b->ns, b->name);
	bmd_put(m);
	if (!have) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b->provider, b->name);
		return;
	}
	int rc = pmirror_parse(json_object_get(msg, "value"), &n, err, sizeof(err));
	if (!rc)
		rc = pmirror_check_copies(b, n, true, err, sizeof(err));
	json_t *patch = rc ? NULL : json_pack("{s:{s:b, s:i}}", "mirror", "enabled", n > 1, "copies", n);
	if (!rc && !patch)
		rc = AIS_ENOMEM;
	if (!rc)
		rc = pbck_set_props(b, patch, err, sizeof(err));
	json_decref(patch);
	if (rc) {
		http_error_code(r, rc, "%s", err[0] ? err : err_str(rc));
		return;
	}
	if (pmirror_start(r, b, n, id))
		return;
	http_respond(r, 200, "text/plain", id, strlen(id));
}

int pmirror_before_props(const pbck_t *b, json_t *patch, int *copies, char *err, size_t cap)
{
	*copies = 0;
	if (!json_is_object(json_object_get(patch, "mirror")))
		return 0;
	bmd_t *m = bmd_get();
	const bck_t *bk = m ? bmd_find(m, b->provider, b->ns, b->name) : NULL;
	json_t *np = bk ? json_deep_copy(bk->props) : NULL;
	int was = bk ? bk->mirror_copies : 0;
	bmd_put(m);
	if (!np)
		return 0; /* the set-bprops itself answers (no such bucket) */
	int rc = 0;
	char e2[256];
	if (!bprops_apply(&np, patch, e2, sizeof(e2)) && bprops_bool(np, "mirror.enabled", false)) {
		json_t *c = json_object_get(json_object_get(np, "mirror"), "copies");
		int n = json_is_integer(c) ? (int)json_integer_value(c) : 0;
		if (n != was) { /* AIStore's _reMirror: enabled now, or other copies */
			rc = pmirror_check_copies(b, n, false, err, cap);
			*copies = rc ? 0 : n;
		}
	}
	json_decref(np);
	return rc;
}

void pmirror_after_props(http_req_t *r, const pbck_t *b, int copies)
{
	char id[64] = "";
	if (copies < 2) {
		http_respond(r, 200, NULL, NULL, 0);
		return;
	}
	if (pmirror_start(r, b, copies, id))
		return;
	http_respond(r, 200, "text/plain", id, strlen(id));
}
