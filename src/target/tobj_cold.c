/* tobj_cold: the native GET/HEAD of a remote bucket's object when the backend is involved - an
 * adapter over backend/bk_obj.h (single flight, cold GET, warm check). Runs on the pool:
 *   missing here  ──► GET: join the object's flight
 *                       leader, no Range: fetch + stream the bytes to this client as they arrive
 *                       leader with Range, or HEAD-less fetch: fetch, then serve from disk
 *                       follower: parked (no thread held) until the leader is done, then served
 *                       from disk (or given the leader's error: one remote request for all)
 *                 └─► HEAD: the remote's HEAD (Ais-Present: false), nothing stored
 *   present here, versioning.validate_warm_get / synchronize / ?latest-ver:
 *                 ──► HEAD the remote: same -> serve; changed -> cold GET (as above);
 *                     deleted -> 404 (and with synchronize the local copy goes too)
 *   GET with Ais-Blob-Download: the blob downloader fetches it in parallel ranges (tblob_get)
 * Never: an answer with partial bytes of a failed fetch and a 200 it cannot finish (a failed
 * streamed fetch ends the response short, so the client sees a truncated transfer, as AIStore's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/bk.h"
#include "backend/bk_blob.h"
#include "backend/bk_obj.h"
#include "cluster/bprops.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "obj/obj_ops.h"
#include "stats/stats.h"
#include "target/tgt_int.h"

typedef struct cold_req {
	obj_t o;
	http_req_t *r;
	bk_flight_t *f;
	bool started;  /* a streamed 200 is under way */
	bool gone;     /* this client went away: stop teeing */
	bool refresh;  /* the stored copy is stale (warm check): fetch even though one is present */
	int64_t t0;
} cold_req_t;

static void cold_free(cold_req_t *c)
{
	obj_fini(&c->o);
	free(c);
}

static bool cold_latest(http_req_t *r)
{
	const char *v = http_query_get(r, "latest-ver");
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"));
}

static bool cold_blob(http_req_t *r)
{
	const char *v = http_hdr_get(r, "Ais-Blob-Download");
	return v && (!strcasecmp(v, "true") || !strcasecmp(v, "y") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

/* presence filters that never leave the cluster (apc.IsFltPresent: 2, 3, 4) */
static bool cold_local_only(http_req_t *r)
{
	const char *v = http_query_get(r, "presence");
	return v && (!strcmp(v, "2") || !strcmp(v, "3") || !strcmp(v, "4"));
}

bool tcold_wanted(const obj_t *o, http_req_t *r, int rc)
{
	if (!bk_of(o->bck) || cold_local_only(r))
		return false;
	bool head = r->method == HTTP_M_HEAD;
	if (rc == AIS_ENOTFOUND)
		return true;
	if (rc)
		return false;
	if (!head && cold_blob(r))
		return false; /* present: served as is (a blob download of a present object is a no-op) */
	return bk_warm_wanted(o, cold_latest(r));
}

static void cold_err(http_req_t *r, const bk_err_t *e, int rc)
{
	http_error(r, e->status ? e->status : err_http_status(rc), e->status == 404 ? "ErrNotFound" : NULL, "%s",
		   e->msg[0] ? e->msg : err_str(rc));
}

/* pool: serve what is stored now, never asking the remote again */
static void cold_serve_cb(http_req_t *r) { tobj_get_serve(r, true); }

/* a follower's wake-up (on the leader's thread) */
static void cold_follower_cb(void *arg, int rc, const bk_err_t *e)
{
	http_req_t *r = arg;
	if (rc)
		cold_err(r, e, rc);
	else
		http_defer(r, cold_serve_cb);
}

/* ---- the leader's tee: this client gets the bytes as they arrive ---- */

static int cold_tee_begin(void *arg, const bk_oattrs_t *oa)
{
	cold_req_t *c = arg;
	if (oa->size < 0)
		return 1; /* unknown length: serve from disk once stored */
	if (oa->etag[0])
		http_hdr_add(c->r, "ETag", oa->etag);
	if (oa->version[0])
		http_hdr_add(c->r, "Ais-Version", oa->version);
	if (http_resp_begin(c->r, 200, "application/octet-stream", oa->size)) {
		c->gone = true;
		return 1;
	}
	c->started = true;
	return 0;
}

static int cold_tee_data(void *arg, const char *buf, size_t n)
{
	cold_req_t *c = arg;
	if (c->gone || http_resp_write(c->r, buf, n)) {
		c->gone = true;
		return 1;
	}
	return 0;
}

/* streamed leader (http_defer_stream: runs inline on this pool thread) */
static void cold_leader_stream_cb(http_req_t *r)
{
	cold_req_t *c = r->user;
	r->user = NULL;
	bk_tee_t tee = {.begin = cold_tee_begin, .data = cold_tee_data, .arg = c};
	bk_err_t e;
	lom_md_t md;
	lom_md_init(&md);
	int rc = bk_cold_get(&c->o, &tee, &md, &e);
	bk_flight_t *f = c->f;
	c->f = NULL;
	bk_flight_done(f, rc, &e);
	if (c->started) {
		if (!rc)
			stats_op(STATS_GET, STATS_BCK(c->o.bck), c->t0, md.size);
		else
			log_warn("cold GET %s failed after the response began: %s", c->o.oname, e.msg);
		http_resp_end(r); /* short on failure: the connection closes */
	} else if (rc) {
		stats_err(STATS_ERR_GET, STATS_BCK(c->o.bck));
		cold_err(r, &e, rc);
	} else {
		tobj_get_serve(r, true); /* nothing was teed (unknown size): serve from disk, this thread */
	}
	lom_md_fini(&md);
	cold_free(c);
}

/* the fetch, then serve from disk (ranges, or a leader whose client asked for part of it) */
static void cold_leader_plain(http_req_t *r, cold_req_t *c)
{
	bk_err_t e;
	int rc = bk_cold_get(&c->o, NULL, NULL, &e);
	bk_flight_t *f = c->f;
	c->f = NULL;
	bk_flight_done(f, rc, &e);
	if (rc) {
		stats_err(STATS_ERR_GET, STATS_BCK(c->o.bck));
		cold_err(r, &e, rc);
	} else {
		tobj_get_serve(r, true);
	}
	cold_free(c);
}

static bool cold_present(const obj_t *o)
{
	obj_get_t g;
	obj_why_t why;
	int rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	obj_get_close(&g);
	return !rc;
}

/* GET of an object to fetch: join its flight */
static void cold_get(http_req_t *r, cold_req_t *c)
{
	int rc = bk_flight_join(&c->o, cold_follower_cb, r, &c->f);
	if (rc == BK_FOLLOWER) { /* parked: the leader's completion answers r */
		cold_free(c);
		return;
	}
	if (rc != BK_LEADER) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		cold_free(c);
		return;
	}
	if (!c->refresh && cold_present(&c->o)) { /* a previous leader committed it just now */
		bk_flight_t *f = c->f;
		c->f = NULL;
		bk_err_t none = {0};
		bk_flight_done(f, 0, &none);
		cold_free(c);
		tobj_get_serve(r, true);
		return;
	}
	if (http_hdr_get(r, "Range")) {
		cold_leader_plain(r, c);
		return;
	}
	r->user = c;
	http_defer_stream(r, cold_leader_stream_cb);
}

/* HEAD of an object not stored here: the remote's attributes */
static void cold_head_remote(http_req_t *r, cold_req_t *c)
{
	bk_oattrs_t oa;
	bk_err_t e;
	int rc = bk_of(c->o.bck)->head_obj(c->o.bck, c->o.oname, &oa, &e);
	stats_remote(bk_stats_backend(c->o.bck), STATS_RB_HEAD_N, 0, -1);
	if (rc) {
		cold_err(r, &e, rc);
		goto out;
	}
	lom_md_t md;
	lom_md_init(&md);
	bk_md_from_oattrs(&md, c->o.bck->provider, &oa);
	if (oa.cktype != CKSUM_NONE) {
		md.cktype = oa.cktype;
		snprintf(md.ckval, sizeof(md.ckval), "%s", oa.ckval);
	}
	tobj_add_md_hdrs(r, &md);
	lom_md_fini(&md);
	http_hdr_add(r, "Ais-Bucket-Name", c->o.bck->name);
	http_hdr_add(r, "Ais-Bucket-Provider", c->o.bck->provider);
	http_hdr_add(r, "Ais-Name", c->o.oname);
	http_hdr_add(r, "Ais-Present", "false");
	stats_op(STATS_HEAD, STATS_BCK(c->o.bck), c->t0, -1);
	http_respond(r, 200, NULL, "", oa.size > 0 ? (size_t)oa.size : 0); /* HEAD: Content-Length only */
out:
	cold_free(c);
}

/* a present object the bucket wants checked against the remote */
static void cold_warm(http_req_t *r, cold_req_t *c)
{
	obj_get_t g;
	obj_why_t why;
	bk_err_t e;
	bk_warm_t v = BK_WARM_SAME;
	int rc = obj_get_open(&g, &c->o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	if (rc == AIS_ENOTFOUND) { /* evicted meanwhile */
		obj_get_close(&g);
		if (r->method == HTTP_M_HEAD)
			cold_head_remote(r, c);
		else
			cold_get(r, c);
		return;
	}
	rc = rc ? rc : bk_warm_check(&c->o, &g.md, &v, &e);
	obj_get_close(&g);
	if (rc) {
		if (e.status)
			cold_err(r, &e, rc);
		else
			tobj_get_serve(r, true);
		cold_free(c);
		return;
	}
	switch (v) {
	case BK_WARM_SAME:
		cold_free(c);
		tobj_get_serve(r, true);
		return;
	case BK_WARM_DELETED: {
		char cn[OBJ_UNAME_MAX];
		obj_cname(c->o.bck, c->o.oname, cn, sizeof(cn));
		if (bprops_bool(c->o.bck->props, "versioning.synchronize", false)) { /* versioning.synchronize: the local copy goes too */
			obj_why_t dw;
			obj_delete(&c->o, &dw);
		}
		http_error(r, 404, "ErrNotFound", "%s: %s does not exist (deleted remotely)", node_name(), cn);
		cold_free(c);
		return;
	}
	case BK_WARM_CHANGED:
		log_info("%s: remote version changed: fetching it again", c->o.oname);
		if (r->method == HTTP_M_HEAD) {
			cold_head_remote(r, c);
			return;
		}
		c->refresh = true;
		cold_get(r, c);
		return;
	}
}

/* GET with Ais-Blob-Download (+ Ais-Blob-Chunk, Ais-Blob-Workers): the blob downloader fetches
 * the object in parallel ranges (single flight as a cold GET), then it is served from disk */
static void cold_blob_get(http_req_t *r, cold_req_t *c)
{
	bk_blob_opts_t opt = {0};
	const char *cs = http_hdr_get(r, "Ais-Blob-Chunk"), *ws = http_hdr_get(r, "Ais-Blob-Workers");
	if (cs && bk_blob_parse_chunk(cs, &opt.chunk_size)) {
		http_error(r, 400, NULL, "blob-download: failed to parse Ais-Blob-Chunk=%s", cs);
		goto out;
	}
	if (ws) {
		char *end;
		long nw = strtol(ws, &end, 10);
		if (!*ws || *end || nw < -1 || nw > 128) {
			http_error(r, 400, NULL, "blob-download: invalid Ais-Blob-Workers=%s: expecting (-1..128) range", ws);
			goto out;
		}
		opt.nworkers = (int)nw;
	}
	int rc = bk_flight_join(&c->o, cold_follower_cb, r, &c->f);
	if (rc == BK_FOLLOWER) {
		cold_free(c);
		return;
	}
	if (rc != BK_LEADER) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	bk_err_t e = {0};
	rc = cold_present(&c->o) ? 0 : bk_blob_get(&c->o, &opt, NULL, &e);
	bk_flight_t *f = c->f;
	c->f = NULL;
	bk_flight_done(f, rc, &e);
	if (rc)
		cold_err(r, &e, rc);
	else
		tobj_get_serve(r, true);
out:
	cold_free(c);
}

static void cold_pool_cb(http_req_t *r)
{
	cold_req_t *c = r->user;
	r->user = NULL;
	c->r = r;
	if (!cold_present(&c->o)) {
		if (r->method == HTTP_M_HEAD)
			cold_head_remote(r, c);
		else if (cold_blob(r))
			cold_blob_get(r, c);
		else
			cold_get(r, c);
		return;
	}
	cold_warm(r, c);
}

void tcold_handle(http_req_t *r, obj_t *o)
{
	cold_req_t *c = calloc(1, sizeof(*c));
	if (!c) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		obj_fini(o);
		return;
	}
	obj_move(&c->o, o);
	c->t0 = stats_now();
	r->user = c;
	http_defer(r, cold_pool_cb);
}
