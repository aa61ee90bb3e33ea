/* prlist: list-objects of a remote bucket at the proxy (AIStore's "R-flow": one designated
 * target lists the remote page, every target adds what it stores). The designated target is
 * the HRW owner of the listing's uuid (the same one for every page of a listing); it answers
 * GET /v1/backend/<bck>?what=list (target/tremote.c) with the page already merged: remote
 * names and props, EntryIsCached + local props for what the cluster holds, LsNotCached
 * applied. The continuation token is the remote's (S3 NextContinuationToken; remote AIS: its
 * own). LsCached listings never get here: they are in-cluster listings (plist.c).
 * Pool only. */
#include "proxy/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/lso.h"
#include "backend/bk.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/hrw.h"
#include "core/jsonx.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"

/* the designated target of a listing: HRW of its uuid over the active targets */
static const snode_t *prlist_designated(smap_t *sm, const char *uuid)
{
	uint64_t d = hrw_digest(uuid, strlen(uuid));
	const snode_t *best = NULL;
	uint64_t bw = 0;
	for (int i = 0; i < sm->ntargets; i++) {
		const snode_t *t = &sm->targets[i];
		if (t->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		uint64_t w = hrw_digest(t->id, strlen(t->id)) ^ d;
		w ^= w >> 33;
		w *= 0xff51afd7ed558ccdULL;
		w ^= w >> 33;
		if (!best || w > bw) {
			best = t;
			bw = w;
		}
	}
	return best;
}

int prlist_page(const pbck_t *b, lso_msg_t *m, lso_res_t *out, plist_err_t *pe)
{
	smap_t *sm = smap_get();
	const snode_t *t = sm ? prlist_designated(sm, m->uuid) : NULL;
	int rc = 0;
	if (!t) {
		pe->status = 503;
		snprintf(pe->msg, sizeof(pe->msg), "no targets to list bucket %s://%s", b->provider, b->name);
		smap_put(sm);
		return AIS_EUNAVAIL;
	}
	json_t *mj = lso_msg_to_json(m);
	char *body = mj ? jsonx_dumps(mj) : NULL;
	json_decref(mj);
	char *qn = url_encode(b->name, false), *qp = url_encode(b->provider, false), *qs = url_encode(b->ns, false);
	sbuf_t u = SBUF_INIT;
	sbuf_addf(&u, "%s/v1/backend/%s?what=list&provider=%s%s%s", t->ctl.url, qn ? qn : "", qp ? qp : "",
		  b->ns[0] ? "&namespace=" : "", b->ns[0] && qs ? qs : "");
	free(qn);
	free(qp);
	free(qs);
	smap_put(sm);
	if (!body || u.oom) {
		free(body);
		sbuf_fini(&u);
		pe->status = 500;
		snprintf(pe->msg, sizeof(pe->msg), "out of memory");
		return AIS_ENOMEM;
	}
	hreq_t q = {.method = "GET", .url = sbuf_str(&u), .body = body, .body_len = strlen(body), .timeout_ms = 180000};
	hclient_do(&q);
	if (q.rc) {
		pe->status = 503;
		snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: target: %s", b->provider, b->name, q.errmsg);
		rc = AIS_EUNAVAIL;
	} else if (q.status != 200) {
		pe->status = q.status;
		pe->relay = sbuf_take(&q.resp);
		pe->relay_len = pe->relay ? strlen(pe->relay) : 0;
		snprintf(pe->msg, sizeof(pe->msg), "%.400s", pe->relay ? pe->relay : "");
		rc = bk_status_rc(q.status);
	} else {
		json_error_t je;
		char err[128];
		json_t *j = jsonx_loadb(q.resp.p ? q.resp.p : "", q.resp.len, &je);
		if (!j || lso_res_from_json(j, out, err, sizeof(err))) {
			pe->status = 500;
			snprintf(pe->msg, sizeof(pe->msg), "list-objects %s://%s: malformed page", b->provider, b->name);
			rc = AIS_EINTERNAL;
		} else {
			free(out->uuid);
			out->uuid = strdup(m->uuid);
		}
		json_decref(j);
	}
	hreq_fini(&q);
	sbuf_fini(&u);
	free(body);
	return rc;
}
