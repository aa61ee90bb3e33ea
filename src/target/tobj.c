/* tobj: the per-request object context shared by the object handlers: bucket lookup (BMD ref
 * held for the request), name validation, HRW mountpath, path; plus the common commit step
 * (LOM xattr + rename into place) every writer (PUT, APPEND flush, copy, rename) ends with.
 * Invariant: an object path only ever receives a complete file carrying a valid LOM (rename
 * of a finished work file); the work file is removed on every failure. */
#include "target/tgt_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/hrw.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"
#include "net/route.h"
#include "stats/stats.h"
#include "target/fs.h"
#include "target/chunk.h"

int tobj_bck_query(http_req_t *r, char *ns, size_t nscap)
{
	const char *prov = http_query_get(r, "provider");
	if (prov && *prov && strcmp(prov, "ais")) {
		if (!strcmp(prov, "aws") || !strcmp(prov, "s3") || !strcmp(prov, "gcp") || !strcmp(prov, "gs") ||
		    !strcmp(prov, "azure") || !strcmp(prov, "az") || !strcmp(prov, "oci") || !strcmp(prov, "ht"))
			http_error(r, 501, NULL, "provider \"%s\": remote backends are not supported yet", prov);
		else
			http_error(r, 400, NULL, "invalid bucket provider \"%s\"", prov);
		return AIS_EINVAL;
	}
	const char *q = http_query_get(r, "namespace");
	ns[0] = '\0';
	if (q && *q && strcmp(q, "@#")) {
		if (q[0] == '#')
			snprintf(ns, nscap, "@%s", q);
		else
			snprintf(ns, nscap, "%s", q);
	}
	return 0;
}

void tobj_cname(const bck_t *b, const char *oname, char *out, size_t cap)
{
	if (b->ns[0])
		snprintf(out, cap, "%s://%s/%s%s%s", b->provider, b->ns, b->name, oname ? "/" : "",
			 oname ? oname : "");
	else
		snprintf(out, cap, "%s://%s%s%s", b->provider, b->name, oname ? "/" : "", oname ? oname : "");
}

int tobj_place(tobj_t *o, const bck_t *bck, const char *name)
{
	o->bck = bck;
	o->oname = name;
	o->olen = strlen(name);
	if (fqn_validate(name, o->olen))
		return AIS_EINVAL;
	char uuid[80], nsname[80];
	fqn_ns_split(bck->ns, uuid, nsname, sizeof(uuid));
	char *un = malloc(TOBJ_UNAME_MAX);
	if (!un)
		return AIS_ENOMEM;
	int ul = hrw_uname(un, TOBJ_UNAME_MAX, bck->provider, uuid, nsname, bck->name, name);
	if (ul < 0) {
		free(un);
		return AIS_EINVAL;
	}
	o->digest = hrw_digest(un, (size_t)ul);
	free(un);
	o->mpi = fs_hrw(o->digest);
	if (o->mpi < 0)
		return AIS_EUNAVAIL;
	if (fqn_obj(o->fqn, sizeof(o->fqn), fs_get(o->mpi)->path, bck->provider, bck->ns, bck->name, name,
		    &o->fntl) < 0)
		return AIS_EINVAL;
	return 0;
}

int tobj_init(tobj_t *o, http_req_t *r)
{
	memset(o, 0, sizeof(*o));
	o->mpi = -1;
	const char *items[2] = {NULL, NULL};
	char ns[80];
	int n = route_items(r, "/v1/objects", o->ibuf, sizeof(o->ibuf), items, 2);
	if (n < 0) {
		http_error(r, 400, NULL, "object name too long");
		return AIS_EINVAL;
	}
	if (n < 2 || !items[1][0]) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/objects/<bucket>/<object>", r->path);
		return AIS_EINVAL;
	}
	if (tobj_bck_query(r, ns, sizeof(ns)))
		return AIS_EINVAL;
	o->bmd = bmd_get();
	const bck_t *b = bmd_find(o->bmd, "ais", ns, items[0]);
	if (!b) {
		if (ns[0])
			http_error(r, 404, "ErrBckNotFound", "bucket \"ais://%s/%s\" does not exist", ns, items[0]);
		else
			http_error(r, 404, "ErrBckNotFound", "bucket \"ais://%s\" does not exist", items[0]);
		return AIS_ENOBUCKET;
	}
	int rc = tobj_place(o, b, items[1]);
	if (rc == AIS_EINVAL) {
		http_error(r, 400, NULL, "invalid object name \"%s\"", items[1]);
		return rc;
	}
	if (rc) {
		http_error_code(r, rc, "%s: no mountpaths available", node_name());
		return rc;
	}
	return 0;
}

void tobj_fini(tobj_t *o)
{
	if (o->bmd)
		bmd_put(o->bmd);
	o->bmd = NULL;
	o->bck = NULL;
}

void tobj_err_notfound(http_req_t *r, const tobj_t *o)
{
	char cn[FQN_OBJNAME_MAX + 256];
	tobj_cname(o->bck, o->oname, cn, sizeof(cn));
	stats_notfound(r->method, STATS_BCK(o->bck));
	http_error(r, 404, "ErrNotFound", "%s: %s does not exist", node_name(), cn);
}

int tobj_workfile(const tobj_t *o, const char *tag, char *out, size_t cap)
{
	const bck_t *b = o->bck;
	int n = fqn_ct_dir(out, cap, fs_get(o->mpi)->path, b->provider, b->ns, b->name, FQN_CT_WORK);
	if (n < 0 || (size_t)n + 40 > cap)
		return AIS_EINVAL;
	char rnd[17];
	rand_alnum(rnd, 16);
	snprintf(out + n, cap - (size_t)n, "/%s.%s", tag, rnd);
	return 0;
}

int tobj_open_work(const tobj_t *o, const char *tag, int accmode, char *work, size_t cap, int *fd)
{
	*fd = -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (tobj_workfile(o, tag, work, cap)) {
			work[0] = '\0';
			return AIS_EINVAL;
		}
		*fd = open(work, O_CREAT | O_EXCL | accmode | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		if (errno != ENOENT)
			break;
		fsops_mkdir_parent(work);
	}
	int rc = err_from_errno(errno);
	work[0] = '\0';
	return rc;
}

int tobj_read_all(int fd, struct chunk_rd *crd, tobj_sink_fn sink, void *arg, int64_t *nread)
{
	enum { BLK = 256 * 1024 };
	char *buf = malloc(BLK);
	off_t pos = 0;
	int rc = buf ? 0 : AIS_ENOMEM;
	while (!rc) {
		ssize_t n = crd ? chunk_rd_pread(crd, buf, BLK, pos) : pread(fd, buf, BLK, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = AIS_EIO;
			break;
		}
		if (n == 0)
			break;
		rc = sink(arg, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	if (nread)
		*nread = pos;
	return rc;
}

bool tobj_remote_owner(const bck_t *b, const char *name, snode_t *peer)
{
	smap_t *sm = smap_get();
	const snode_t *owner = NULL;
	if (sm && sm->ntargets > 0) {
		char uuid[80], nsn[80];
		fqn_ns_split(b->ns, uuid, nsn, sizeof(uuid));
		char *un = malloc(TOBJ_UNAME_MAX);
		int ul = un ? hrw_uname(un, TOBJ_UNAME_MAX, b->provider, uuid, nsn, b->name, name) : -1;
		if (ul > 0)
			owner = smap_hrw_target(sm, un, (size_t)ul);
		free(un);
		if (owner)
			*peer = *owner;
	}
	smap_put(sm);
	return owner && strcmp(peer->id, node_id());
}

void tobj_add_md_hdrs(http_req_t *r, const lom_md_t *md)
{
	if (md->cktype != CKSUM_NONE && md->ckval[0]) {
		http_hdr_add(r, "Ais-Checksum-Type", cksum_type_str(md->cktype));
		http_hdr_add(r, "Ais-Checksum-Value", md->ckval);
	}
	if (md->atime)
		http_hdr_addf(r, "Ais-Atime", "%lld", (long long)md->atime);
	if (md->version[0])
		http_hdr_add(r, "Ais-Version", md->version);
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, "orig_fntl"))
			continue;
		http_hdr_addf(r, "Ais-Custom-Md", "%s=%s", k, v);
		if (!strcmp(k, "ETag"))
			http_hdr_add(r, "ETag", v);
	}
}

int tobj_load(const tobj_t *o, int fd, lom_md_t *md)
{
	int rc = lom_load(fd, NULL, md);
	if (rc)
		return rc;
	if (md->bid && o->bck->bid && md->bid != o->bck->bid)
		rc = AIS_ENOTFOUND; /* defunct: the bucket was re-created */
	else if (o->fntl && (!md->name || strcmp(md->name, o->oname)))
		rc = AIS_ENOTFOUND;
	if (rc)
		lom_md_fini(md);
	return rc;
}

int tobj_commit(const tobj_t *o, int fd, const char *work, lom_md_t *md, bool keep_version)
{
	int rc = 0;
	md->bid = o->bck->bid;
	if (o->fntl) {
		md->flags |= LOM_FL_FNTL;
		if ((rc = lom_md_set_name(md, o->oname)))
			goto fail;
	} else {
		md->flags &= ~(uint32_t)LOM_FL_FNTL;
		lom_md_set_name(md, NULL);
	}
	lom_lock(o->digest);
	/* the previous version (one load): its version number, and its chunks once replaced */
	lom_md_t prev;
	lom_md_init(&prev);
	bool have_prev = false;
	int pfd = open(o->fqn, O_RDONLY | O_CLOEXEC);
	if (pfd >= 0) {
		have_prev = tobj_load(o, pfd, &prev) == 0;
		close(pfd);
	}
	md->flags &= ~(uint32_t)LOM_FL_CHUNKED;
	md->uid[0] = '\0';
	if (!keep_version) {
		md->version[0] = '\0';
		if (o->bck->versioning)
			lom_version_next(have_prev ? prev.version : "", md->version);
	}
	if (!have_prev || !(prev.flags & LOM_FL_CHUNKED))
		lom_md_fini(&prev); /* keep only a chunked predecessor (uid set) for chunk_drop below */
	if ((rc = lom_store(fd, NULL, md)))
		goto unlock;
	if (close(fd)) {
		fd = -1;
		rc = err_from_errno(errno);
		goto unlock;
	}
	fd = -1;
	if (rename(work, o->fqn)) {
		if (errno == ENOENT) {
			fsops_mkdir_parent(o->fqn);
			if (!rename(work, o->fqn))
				goto unlock;
		}
		rc = (errno == ENOTDIR || errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
			     ? AIS_ECONFLICT : err_from_errno(errno);
		log_warn("rename %s -> %s: %s", work, o->fqn, strerror(errno));
	}
unlock:
	if (!rc && prev.uid[0])
		chunk_drop(o, &prev);
	lom_md_fini(&prev);
	lom_unlock(o->digest);
fail:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(work);
	return rc;
}
