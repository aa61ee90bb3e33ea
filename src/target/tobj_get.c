/* tobj_get: the native API's GET and HEAD /v1/objects/<bck>/<obj>, an adapter over the object
 * reader (obj/obj_get.h): Range header in, AIStore headers and JSON errors out. A monolithic
 * object goes out with sendfile (http_respond_fd), whole or one range; a chunked object is
 * streamed from a pool thread; with checksum.validate_warm_get the core re-hashes it first on a
 * pool thread (a mismatch removes it: 500 ErrBadCksum, never bad bytes). Headers are added only
 * once the response is certain. Statistics are the core's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/util.h"
#include "net/route.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "target/tec.h"
#include "target/tgt_int.h"
#include "target/treb.h"

typedef struct get_ctx {
	obj_t o;
	obj_get_t g;
	int status;
	int64_t off, len;
} get_ctx_t;

static void get_ctx_free(get_ctx_t *c)
{
	obj_get_close(&c->g);
	obj_fini(&c->o);
	free(c);
}

/* the core's failure → AIStore's error (same statuses and messages as before the core) */
void tobj_get_err(http_req_t *r, const obj_t *o, const obj_get_t *g, int rc, obj_why_t why)
{
	char cn[OBJ_UNAME_MAX];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	switch (why) {
	case OBJ_WHY_NOT_FOUND:
		tobj_err_notfound(r, o);
		return;
	case OBJ_WHY_BAD_META:
		http_error(r, 500, rc == AIS_ECKSUM ? "ErrBadCksum" : NULL, "%s: %s: %s metadata (%s)", node_name(), cn,
			   rc == AIS_ECKSUM ? "BAD META CHECKSUM" : "corrupted", err_str(rc));
		return;
	case OBJ_WHY_SIZE:
		http_error(r, 500, NULL, "%s: %s: size on disk %lld does not match its metadata (%lld): corrupted",
			   node_name(), cn, (long long)g->disk_size, (long long)g->size);
		return;
	case OBJ_WHY_CORRUPT:
		http_error(r, 500, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
			   cksum_type_str(g->md.cktype), g->md.ckval, g->ck_got, cn);
		return;
	case OBJ_WHY_IO:
		if (g->prepared || g->validate)
			http_error(r, 500, NULL, "%s: failed to read %s: %s", node_name(), o->fqn, strerror(g->sys_errno));
		else
			http_error(r, 500, NULL, "%s: open %s: %s", node_name(), o->fqn, strerror(g->sys_errno));
		return;
	case OBJ_WHY_MANIFEST:
		http_error(r, 500, NULL, "%s: %s: chunk manifest: %s", node_name(), cn, err_str(rc));
		return;
	default:
		if (g->validate)
			http_error_code(r, rc == AIS_ENOMEM ? rc : AIS_EINTERNAL, "validate-on-read: %s", err_str(rc));
		else
			http_error_code(r, rc, "%s: %s: %s", node_name(), cn, err_str(rc));
	}
}

static void add_head_props(http_req_t *r, const obj_t *o)
{
	http_hdr_add(r, "Ais-Bucket-Name", o->bck->name);
	http_hdr_add(r, "Ais-Bucket-Provider", o->bck->provider);
	http_hdr_add(r, "Ais-Name", o->oname);
	http_hdr_addf(r, "Ais-Location", "%s:%s", node_name(), fs_get(o->mpi)->path);
	http_hdr_add(r, "Ais-Mirror-Copies", "1");
	http_hdr_add(r, "Ais-Present", "true");
}

static void add_hdrs(http_req_t *r, const get_ctx_t *c, bool head)
{
	if (head) {
		const char *props = http_query_get(r, "props");
		if (!props || !*props) { /* (v2: tobj_head_v2 did) */
			tobj_add_md_hdrs(r, &c->g.md);
			add_head_props(r, &c->o);
		}
		return;
	}
	tobj_add_md_hdrs(r, &c->g.md);
	if (c->status == 206) {
		http_hdr_add(r, "Accept-Ranges", "bytes");
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)c->off,
			      (long long)(c->off + c->len - 1), (long long)c->g.size);
	}
}

/* monolithic: sendfile */
static void get_sendfile(http_req_t *r, get_ctx_t *c, bool head)
{
	if (!head)
		http_hdr_add(r, "Content-Type", "application/octet-stream");
	add_hdrs(r, c, head);
	obj_get_done(&c->g, head ? -1 : c->len);
	http_respond_fd(r, c->status, obj_get_take_fd(&c->g), (off_t)c->off, (size_t)c->len);
}

/* pool thread: chunk manifest and/or validation, then the bytes */
static void get_pool_cb(http_req_t *r)
{
	get_ctx_t *c = r->user;
	r->user = NULL;
	obj_why_t why;
	int rc = obj_get_prepare(&c->g, &why);
	if (rc == AIS_ECKSUM && why == OBJ_WHY_CORRUPT && c->o.bck->ec_enabled && !c->g.alt) {
		/* bit rot in an EC bucket (the corrupted replica is gone): rebuild it from the slices */
		char err[256];
		obj_get_t g2;
		obj_why_t w2;
		if (!tec_restore(&c->o, err, sizeof(err)) && !obj_get_open(&g2, &c->o, 0, &w2)) {
			obj_get_close(&c->g);
			c->g = g2;
			rc = obj_get_prepare(&c->g, &why);
		}
	}
	if (!rc && c->off + c->len > c->g.size) {
		rc = AIS_ECONFLICT; /* replaced meanwhile by a smaller version */
		why = OBJ_WHY_MANIFEST;
	}
	if (rc) {
		tobj_get_err(r, &c->o, &c->g, rc, why);
		goto out;
	}
	if (!c->g.chunked) {
		get_sendfile(r, c, false);
		goto out;
	}
	add_hdrs(r, c, false);
	size_t bufsz = 1 << 20;
	char *buf = malloc(bufsz);
	if (!buf) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	rc = http_resp_begin(r, c->status, "application/octet-stream", c->len);
	int64_t pos = c->off, end = c->off + c->len;
	while (!rc && pos < end) {
		size_t want = (size_t)(end - pos) < bufsz ? (size_t)(end - pos) : bufsz;
		ssize_t n = obj_get_pread(&c->g, buf, want, pos);
		if (n <= 0)
			break; /* short: the server closes the connection */
		rc = http_resp_write(r, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	obj_get_done(&c->g, c->len);
	http_resp_end(r);
out:
	get_ctx_free(c);
}

static void get_range_err(http_req_t *r, int rc, int64_t size)
{
	const char *rh = http_hdr_get(r, "Range");
	if (rc == AIS_ERANGE) {
		http_hdr_addf(r, "Content-Range", "bytes */%lld", (long long)size);
		http_error(r, 416, "ErrRangeNotSatisfiable", "object size = %lld, read range(s) %s not satisfiable",
			   (long long)size, rh);
	} else if (rc == AIS_ENOTIMPL) {
		http_error(r, 416, "ErrUnsupp", "multi-range read is not supported");
	} else {
		http_error(r, 416, NULL, "read range \"%s\" is invalid", rh);
	}
}

/* the object opened: headers, range, then sendfile or the pool. Takes c. */
static void get_serve(http_req_t *r, get_ctx_t *c, bool head)
{
	int rc;
	c->status = 200;
	c->off = 0;
	c->len = c->g.size;
	if (head) {
		const char *props = http_query_get(r, "props");
		if (!props || !*props || !tobj_head_v2(r, c->g.o, &c->g, props))
			get_sendfile(r, c, true);
		goto out;
	}
	rc = obj_get_range_apply(&c->g, http_hdr_get(r, "Range"), &c->off, &c->len);
	if (rc < 0) {
		get_range_err(r, rc, c->g.size);
		goto out;
	}
	if (rc == 1)
		c->status = 206;
	if (obj_get_needs_pool(&c->g)) {
		r->user = c;
		if (!http_on_loop())
			get_pool_cb(r); /* (already on the pool, in streaming mode: get-from-neighbour) */
		else if (c->g.chunked)
			http_defer_stream(r, get_pool_cb);
		else
			http_defer(r, get_pool_cb);
		return;
	}
	get_sendfile(r, c, false);
out:
	get_ctx_free(c);
}

/* after an attempt to bring a missing object here (how: "get it from ...") ended with rc: serve
 * it, or answer why not. Takes c. */
static void get_fetched(http_req_t *r, get_ctx_t *c, bool head, int rc, obj_why_t why, const char *how,
			const char *err)
{
	if (rc == AIS_ENOTFOUND) {
		tobj_err_notfound(r, &c->o);
	} else if (rc && why == OBJ_WHY_REMOTE) {
		char cn[OBJ_UNAME_MAX];
		obj_cname(c->o.bck, c->o.oname, cn, sizeof(cn));
		http_error_code(r, rc, "%s: %s: failed to %s: %s", node_name(), cn, how, err[0] ? err : err_str(rc));
	} else if (rc) {
		tobj_get_err(r, &c->o, &c->g, rc, why);
	} else {
		get_serve(r, c, head);
		return;
	}
	get_ctx_free(c);
}

/* is there a file for o, at its HRW mountpath or misplaced on another one in use (no stats) */
static bool obj_here(const obj_t *o)
{
	struct stat st;
	char p[FQN_MAX];
	obj_fqn_now(o, p, sizeof(p)); /* (a directory's leaf: fqn.h) */
	if (!stat(p, &st) && S_ISREG(st.st_mode))
		return true;
	obj_t *alt = NULL;
	bool found = obj_locate(o, &alt) == 0;
	free(alt);
	return found;
}

static void get_ec_cb(http_req_t *r);
static bool get_want_ec(const get_ctx_t *c);

/* pool: the object is ours but not here yet (a rebalance is moving it): get it from the target
 * that has it, then serve it as usual (treb.h) */
static void get_gfn_cb(http_req_t *r)
{
	get_ctx_t *c = r->user;
	r->user = NULL;
	bool head = r->method == HTTP_M_HEAD;
	char err[256];
	obj_why_t why = OBJ_WHY_NOT_FOUND;
	int rc = treb_gfn(&c->o, err, sizeof(err));
	if (rc == AIS_EEXIST)
		rc = AIS_ENOTFOUND; /* deleted here meanwhile */
	else if (rc == AIS_ENOTFOUND && obj_here(&c->o))
		rc = 0; /* nobody else has it (any more): its migration has just landed here */
	if (!rc)
		rc = obj_get_open(&c->g, &c->o, head ? OBJ_GET_HEAD : 0, &why);
	else if (rc != AIS_ENOTFOUND)
		why = OBJ_WHY_REMOTE;
	if (rc == AIS_ENOTFOUND && get_want_ec(c)) {
		r->user = c;
		get_ec_cb(r); /* nobody has the object itself: its slices may */
		return;
	}
	get_fetched(r, c, head, rc, why, "get it from its previous owner", err);
}

/* pool: the object is ours, in an EC bucket, and not here: rebuild it from the slices or replicas
 * on the other targets (tec.h), then serve it as usual */
static void get_ec_cb(http_req_t *r)
{
	get_ctx_t *c = r->user;
	r->user = NULL;
	bool head = r->method == HTTP_M_HEAD;
	char err[256];
	obj_why_t why = OBJ_WHY_NOT_FOUND;
	int rc = tec_restore(&c->o, err, sizeof(err));
	if (!rc)
		rc = obj_get_open(&c->g, &c->o, head ? OBJ_GET_HEAD : 0, &why);
	else if (rc != AIS_ENOTFOUND)
		why = OBJ_WHY_REMOTE;
	get_fetched(r, c, head, rc, why, "rebuild it from its EC slices", err);
}

/* a missing object of an EC bucket that this target owns: worth rebuilding */
static bool get_want_ec(const get_ctx_t *c)
{
	snode_t owner;
	return c->o.bck->ec_enabled && !obj_remote_owner(c->o.bck, c->o.oname, &owner);
}

/* a missing object that may be on its way here (rebalance): worth asking the neighbours */
static bool get_want_gfn(http_req_t *r, const get_ctx_t *c)
{
	snode_t owner;
	const char *q = http_query_get(r, "is_gfn");
	return treb_gfn_window() && !(q && !strcmp(q, "true")) && !obj_remote_owner(c->o.bck, c->o.oname, &owner);
}

void tobj_get_serve(http_req_t *r, bool local_only)
{
	bool head = r->method == HTTP_M_HEAD;
	get_ctx_t *c = calloc(1, sizeof(*c));
	if (!c) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(&c->o, r))
		goto out;
	if (!head && tarch_wanted(r)) {
		tarch_get(r, &c->o); /* takes the object context */
		goto out;
	}
	obj_why_t why;
	int rc = obj_get_open(&c->g, &c->o, head ? OBJ_GET_HEAD : 0, &why);
	if (!local_only && tcold_wanted(&c->o, r, rc)) { /* a remote bucket's object: tobj_cold.c */
		obj_get_close(&c->g);
		tcold_handle(r, &c->o);
		goto out;
	}
	if (rc == AIS_ENOTFOUND && why == OBJ_WHY_NOT_FOUND && get_want_gfn(r, c)) {
		r->user = c;
		http_defer_stream(r, get_gfn_cb);
		return;
	}
	if (rc == AIS_ENOTFOUND && why == OBJ_WHY_NOT_FOUND && get_want_ec(c)) {
		r->user = c;
		http_defer_stream(r, get_ec_cb);
		return;
	}
	if (rc) {
		tobj_get_err(r, &c->o, &c->g, rc, why);
		goto out;
	}
	get_serve(r, c, head);
	return;
out:
	get_ctx_free(c);
}

/* the Smap version the redirecting proxy chose the owner by (vpams, base 36), 0 if none */
static int64_t get_vpams(const http_req_t *r)
{
	uint64_t v = 0;
	const char *q = http_query_get(r, "vpams");
	return q && !parse_base36(q, &v) && v < (uint64_t)INT64_MAX ? (int64_t)v : 0;
}

static int64_t get_smap_version(void)
{
	smap_t *m = smap_get();
	int64_t v = m ? m->version : 0;
	smap_put(m);
	return v;
}

/* pool: the proxy redirected by a newer Smap than ours (a metasync on its way, a join not yet
 * answered): wait for it - and for the bucket, whose BMD comes in the same payload - so that a
 * moved object is found (get-from-neighbour) rather than answered 404 */
static void get_wait_cb(http_req_t *r)
{
	int64_t want = get_vpams(r), t0 = mono_ns();
	while (get_smap_version() < want && mono_ns() - t0 < 3000000000LL)
		usleep(2000);
	char buf[512];
	const char *items[2] = {NULL, NULL};
	if (!http_query_get(r, "namespace") && route_items(r, "/v1/objects", buf, sizeof(buf), items, 2) >= 1 &&
	    items[0]) { /* (global namespace: the common case) */
		for (int64_t t1 = mono_ns(); mono_ns() - t1 < 500000000LL; usleep(2000)) {
			bmd_t *b = bmd_get();
			bool ok = b && bmd_find(b, "ais", "", items[0]);
			bmd_put(b);
			if (ok)
				break;
		}
	}
	tobj_get_serve(r, false);
}

/* a redirected request for a bucket this node does not know (yet): its BMD may be right behind
 * the Smap in the same metasync payload (a target that just joined) */
static bool get_bck_unknown(http_req_t *r)
{
	char buf[512];
	const char *items[2] = {NULL, NULL};
	if (http_query_get(r, "namespace") || route_items(r, "/v1/objects", buf, sizeof(buf), items, 2) < 1 || !items[0])
		return false;
	bmd_t *b = bmd_get();
	bool known = b && bmd_find(b, "ais", "", items[0]);
	bmd_put(b);
	return !known;
}

void tobj_get_handle(http_req_t *r)
{
	int64_t vpams = get_vpams(r);
	if (vpams && (vpams > get_smap_version() || get_bck_unknown(r))) {
		http_defer_stream(r, get_wait_cb);
		return;
	}
	tobj_get_serve(r, false);
}
