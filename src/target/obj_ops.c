/* obj_ops: DELETE of an object, POST {"action":"rename-obj","name":...} and single-object copy
 * (PUT ?object_to=<uname>, AIStore 4.7's api.CopyObject). A copy goes to the HRW owner of the
 * destination: this target (local copy through a work file + obj_commit) or a peer (a PUT of
 * the mmap'ed source to the peer's /v1/objects, blocking, on a pool thread). Rename = copy to
 * the new name, then delete the source (same mountpath and owner: one rename(2)). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "fs/fs.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "obj/chunk.h"
#include "obj/mpu.h"

/* remove the object file and its now-empty parent dirs (caller holds the object's lock) */
static void ops_remove(const obj_t *o)
{
	unlink(o->fqn);
	char stop[FQN_MAX];
	const bck_t *b = o->bck;
	if (fqn_ct_dir(stop, sizeof(stop), fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0)
		fsops_rm_empty_parents(o->fqn, stop);
}

void obj_ops_delete(http_req_t *r)
{
	if (http_query_get(r, "uploadId")) {
		mpu_delete_handle(r);
		return;
	}
	obj_t *o = malloc(sizeof(*o));
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	lom_lock(o->digest);
	int fd = open(o->fqn, O_RDONLY | O_CLOEXEC);
	lom_md_t md;
	lom_md_init(&md);
	int rc = fd < 0 ? AIS_ENOTFOUND : obj_load(o, fd, &md);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && (md.flags & LOM_FL_CHUNKED))
		chunk_drop(o, &md);
	lom_md_fini(&md);
	if (rc == 0 || rc == AIS_EINVAL || rc == AIS_ECKSUM) /* corrupted metadata: delete anyway */
		ops_remove(o);
	lom_unlock(o->digest);
	if (rc == AIS_ENOTFOUND) {
		char cn[FQN_OBJNAME_MAX + 256];
		obj_cname(o->bck, o->oname, cn, sizeof(cn));
		stats_err(STATS_ERR_DEL, STATS_BCK(o->bck));
		http_error(r, 404, NULL, "%s doesn't exist", cn);
	} else if (rc && rc != AIS_EINVAL && rc != AIS_ECKSUM) {
		stats_err(rc == AIS_EIO ? STATS_ERR_IO_DEL : STATS_ERR_DEL, STATS_BCK(o->bck));
		http_error_code(r, rc, "%s: failed to delete %s: %s", node_name(), o->fqn, err_str(rc));
	} else {
		stats_op(STATS_DEL, STATS_BCK(o->bck), 0, -1);
		http_respond(r, 200, NULL, NULL, 0);
	}
out:
	obj_fini(o);
	free(o);
}

typedef struct {
	cksum_t *ck;
	int fd;
} ops_copy_sink_t;

static int ops_copy_sink(void *arg, const char *buf, size_t n)
{
	ops_copy_sink_t *cs = arg;
	cksum_update(cs->ck, buf, n);
	return fsops_write_all(cs->fd, buf, n);
}

/* copy src (open fd, loaded md) to dst on this target; 0 or AIS_E* */
static int ops_copy_local(const obj_t *src, int sfd, const lom_md_t *smd, const obj_t *dst)
{
	char work[FQN_MAX];
	int wfd, rc;
	if ((rc = obj_open_work(dst, "copy", O_WRONLY, work, sizeof(work), &wfd)))
		return rc;
	lom_md_t md;
	if ((rc = lom_md_copy(&md, smd))) {
		close(wfd);
		unlink(work);
		return rc;
	}
	cksum_t ck;
	md.cktype = dst->bck->cksum_type;
	md.ckval[0] = '\0';
	md.size = 0;
	md.flags &= ~(uint32_t)LOM_FL_CHUNKED; /* the copy is monolithic */
	md.uid[0] = '\0';
	ufest_t cu;
	chunk_rd_t crd;
	bool chunked = smd->flags & LOM_FL_CHUNKED;
	ufest_init(&cu);
	chunk_rd_init(&crd, &cu, sfd);
	if (chunked && (rc = chunk_load(src, smd, &cu))) {
		close(wfd);
		unlink(work);
		lom_md_fini(&md);
		return rc;
	}
	cksum_init(&ck, md.cktype);
	ops_copy_sink_t cs = {&ck, wfd};
	int64_t pos = 0;
	rc = obj_read_all(sfd, chunked ? &crd : NULL, ops_copy_sink, &cs, &pos);
	cksum_final(&ck, md.ckval);
	md.size = pos;
	md.atime = now_ns();
	if (rc) {
		close(wfd);
		unlink(work);
	} else {
		rc = obj_commit(dst, wfd, work, &md, true /* a copy keeps the source version */);
	}
	chunk_rd_fini(&crd);
	ufest_fini(&cu);
	lom_md_fini(&md);
	return rc;
}

/* PUT the source to the peer that owns the destination; 0 or AIS_E* (msg in err) */
static int ops_copy_remote(int sfd, int64_t size, const snode_t *peer, const bck_t *dbck, const char *dname,
			   char *err, size_t errcap)
{
	void *map = NULL;
	if (size > 0) {
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, sfd, 0);
		if (map == MAP_FAILED) {
			snprintf(err, errcap, "mmap: %s", strerror(errno));
			return AIS_EIO;
		}
	}
	char *enc = url_encode(dname, true);
	char *ns = dbck->ns[0] ? url_encode(dbck->ns, false) : NULL;
	sbuf_t url = SBUF_INIT;
	sbuf_addf(&url, "%s/v1/objects/%s/%s?provider=%s", peer->pub.url, dbck->name, enc ? enc : "",
		  dbck->provider);
	if (ns)
		sbuf_addf(&url, "&namespace=%s", ns);
	sbuf_addf(&url, "&pid=%s&utm=%lld", node_id(), (long long)now_ns());
	hreq_t q = {.method = "PUT", .url = sbuf_str(&url), .body = map ? map : "", .body_len = (size_t)size,
		    .ctype = "application/octet-stream", .timeout_ms = 600000};
	int rc = hclient_do(&q);
	if (!rc && q.status != 200) {
		snprintf(err, errcap, "%s: PUT status %d: %.200s", peer->id, q.status, sbuf_str(&q.resp));
		rc = q.status == 404 ? AIS_ENOBUCKET : AIS_EIO;
	} else if (rc) {
		snprintf(err, errcap, "%s: %s", peer->id, q.errmsg);
	}
	hreq_fini(&q);
	sbuf_fini(&url);
	free(enc);
	free(ns);
	if (map)
		munmap(map, (size_t)size);
	return rc;
}

/* the copy both rename and object_to use; src is a loaded object context. */
static void ops_copy(http_req_t *r, obj_t *src, const bck_t *dbck, const char *dname, bool move)
{
	obj_t *dst = NULL;
	lom_md_t md;
	lom_md_init(&md);
	char cn[FQN_OBJNAME_MAX + 256], err[512] = "";
	obj_cname(src->bck, src->oname, cn, sizeof(cn));
	int fd = open(src->fqn, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 ? AIS_ENOTFOUND : obj_load(src, fd, &md);
	struct stat st;
	if (!rc && fstat(fd, &st))
		rc = AIS_EIO;
	if (rc == AIS_ENOTFOUND) {
		tobj_err_notfound(r, src);
		goto out;
	}
	if (rc) {
		http_error_code(r, rc, "%s: %s: %s", node_name(), cn, err_str(rc));
		goto out;
	}
	if (dbck == src->bck && !strcmp(dname, src->oname)) {
		http_error(r, 400, NULL, "%s: cannot rename/move object %s onto itself", node_name(), cn);
		goto out;
	}
	dst = malloc(sizeof(*dst));
	if (!dst) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	memset(dst, 0, sizeof(*dst));
	if ((rc = obj_place(dst, dbck, dname))) {
		if (rc == AIS_EINVAL)
			http_error(r, 400, NULL, "invalid object name \"%s\"", dname);
		else
			http_error_code(r, rc, "%s: %s", node_name(), err_str(rc));
		goto out;
	}
	/* owner of the destination */
	snode_t peer;
	bool local = !obj_remote_owner(dbck, dname, &peer);
	if (local && move && dst->mpi == src->mpi && dst->bck == src->bck && !src->fntl && !dst->fntl &&
	    md.bid == src->bck->bid && !(md.flags & LOM_FL_CHUNKED)) {
		/* same mountpath: one rename; the LOM moves with the inode */
		lom_lock(dst->digest);
		int e = rename(src->fqn, dst->fqn) ? errno : 0;
		if (e == ENOENT) {
			fsops_mkdir_parent(dst->fqn);
			e = rename(src->fqn, dst->fqn) ? errno : 0;
		}
		rc = !e ? 0 : (e == ENOTDIR || e == EISDIR || e == ENOTEMPTY) ? AIS_ECONFLICT : err_from_errno(e);
		lom_unlock(dst->digest);
		if (!rc) {
			lom_lock(src->digest);
			char stop[FQN_MAX];
			const bck_t *b = src->bck;
			if (fqn_ct_dir(stop, sizeof(stop), fs_get(src->mpi)->path, b->provider, b->ns, b->name,
				       FQN_CT_OBJ) > 0)
				fsops_rm_empty_parents(src->fqn, stop);
			lom_unlock(src->digest);
			stats_op(STATS_REN, STATS_BCK(src->bck), 0, -1);
			http_respond(r, 200, NULL, NULL, 0);
			goto out;
		}
	} else if (local) {
		rc = ops_copy_local(src, fd, &md, dst);
	} else if (md.flags & LOM_FL_CHUNKED) {
		int ffd = -1;
		rc = chunk_flatten(src, fd, &md, &ffd);
		if (!rc)
			rc = ops_copy_remote(ffd, md.size, &peer, dbck, dname, err, sizeof(err));
		if (ffd >= 0)
			close(ffd);
	} else {
		rc = ops_copy_remote(fd, (int64_t)st.st_size, &peer, dbck, dname, err, sizeof(err));
	}
	if (rc) {
		if (move)
			stats_err(STATS_ERR_REN, STATS_BCK(src->bck));
		if (rc == AIS_ECONFLICT)
			http_error(r, 409, NULL, "%s: failed to copy %s => %s: destination exists and is a virtual "
				   "directory", node_name(), cn, dname);
		else
			http_error_code(r, rc, "%s: failed to copy %s => %s: %s", node_name(), cn, dname,
					err[0] ? err : err_str(rc));
		goto out;
	}
	if (move) {
		stats_op(STATS_REN, STATS_BCK(src->bck), 0, -1);
		lom_lock(src->digest);
		if (md.flags & LOM_FL_CHUNKED)
			chunk_drop(src, &md);
		ops_remove(src);
		lom_unlock(src->digest);
	}
	http_respond(r, 200, NULL, NULL, 0);
out:
	if (fd >= 0)
		close(fd);
	lom_md_fini(&md);
	free(dst);
}

/* pool thread, body buffered */
static void ops_post_body(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	json_t *j = NULL;
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	json_error_t je;
	j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	const char *act = j ? json_string_value(json_object_get(j, "action")) : NULL;
	if (!j || !act) {
		http_error(r, 400, NULL, "%s: invalid action message: %s", node_name(),
			   j ? "missing \"action\"" : "failed to parse JSON");
		goto out;
	}
	if (!strncmp(act, "mpt-", 4)) {
		mpu_post_handle(r, o, act, j);
		goto out;
	}
	if (strcmp(act, "rename-obj")) {
		http_error(r, 400, NULL, "invalid action \"%s\"", act);
		goto out;
	}
	const char *nn = json_string_value(json_object_get(j, "name"));
	if (!nn || !*nn) {
		http_error(r, 400, NULL, "rename-obj: missing new object name");
		goto out;
	}
	ops_copy(r, o, o->bck, nn, true);
out:
	if (j)
		json_decref(j);
	obj_fini(o);
	free(o);
}

void obj_ops_post(http_req_t *r)
{
	http_read_body(r, 64 * 1024, ops_post_body, true);
}

/* "<provider>/<ns-uname>/<bucket>/<object>" (cmn.ParseUname); ns "@#" = global */
static int ops_parse_uname(const char *u, char *prov, char *ns, char *bck, size_t cap, const char **obj)
{
	const char *a = strchr(u, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;
	const char *c = b ? strchr(b + 1, '/') : NULL;
	if (!c || (size_t)(a - u) >= cap || (size_t)(b - a - 1) >= cap || (size_t)(c - b - 1) >= cap)
		return AIS_EINVAL;
	snprintf(prov, cap, "%.*s", (int)(a - u), u);
	snprintf(ns, cap, "%.*s", (int)(b - a - 1), a + 1);
	snprintf(bck, cap, "%.*s", (int)(c - b - 1), b + 1);
	if (!strcmp(ns, "@#"))
		ns[0] = '\0';
	if (!prov[0])
		snprintf(prov, cap, "ais");
	*obj = c + 1;
	return **obj ? 0 : AIS_EINVAL;
}

static void ops_copy_cb(http_req_t *r)
{
	obj_t *o = malloc(sizeof(*o));
	if (!o) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	if (tobj_init(o, r))
		goto out;
	const char *to = http_query_get(r, "object_to");
	char prov[96], ns[96], bck[96];
	const char *dname = NULL;
	if (!to || ops_parse_uname(to, prov, ns, bck, sizeof(prov), &dname)) {
		http_error(r, 400, NULL, "parse-uname \"%s\": invalid destination", to ? to : "");
		goto out;
	}
	if (strcmp(prov, "ais")) {
		http_error(r, 501, NULL, "copy to provider \"%s\": remote backends are not supported yet", prov);
		goto out;
	}
	const bck_t *db = bmd_find(o->bmd, prov, ns, bck);
	if (!db) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", prov, bck);
		goto out;
	}
	ops_copy(r, o, db, dname, false);
out:
	obj_fini(o);
	free(o);
}

void obj_ops_copy(http_req_t *r)
{
	http_defer(r, ops_copy_cb);
}
