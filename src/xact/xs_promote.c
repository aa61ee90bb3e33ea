/* xs_promote: "promote" (AIStore's xs/prom.go, apc.PromoteArgs; display name promote-files):
 * turn a file, or the files of a directory ("rcr": recursively), that the targets can see into
 * objects named "obj" + their path under the directory. A file share (the default; "notshr"
 * says otherwise) is seen alike by every target: each promotes the files whose object it owns.
 * Files only one target sees ("notshr", or "tid" naming that target) are promoted by it, each
 * object written where it belongs: here, or streamed to its owner's native PUT. "ovw":
 * overwrite existing objects (else they are skipped), "dls": remove the source file once its
 * object is committed. Objects are written through the object writer (a remote bucket's go
 * through to the remote). Counters: loc-objs/loc-bytes promoted. Abort: before every file. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/rsig.h"
#include "backend/bk.h"
#include "backend/bk_http.h"
#include "backend/bk_obj.h"
#include "cluster/node.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "xact/xs.h"
#include "xact/xs_job.h"

#define PR_MAX_DEPTH 64

typedef struct pr {
	xs_job_t j;
	char src[4096];
	char dst[1024];
	bool rcr, ovw, dls, notshr, mine_only;
} pr_t;

static int pr_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	pr_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc)
		return rc;
	json_t *msg = p->j.msg;
	const char *src = xs_msg_str(msg, "src", "");
	if (src[0] != '/') {
		snprintf(err, cap, "promote: source \"%s\" must be an absolute path", src);
		return AIS_EINVAL;
	}
	snprintf(p->src, sizeof(p->src), "%s", src);
	size_t l = strlen(p->src);
	while (l > 1 && p->src[l - 1] == '/')
		p->src[--l] = '\0';
	snprintf(p->dst, sizeof(p->dst), "%s", xs_msg_str(msg, "obj", ""));
	p->rcr = xs_msg_bool(msg, "rcr");
	p->ovw = xs_msg_bool(msg, "ovw");
	p->dls = xs_msg_bool(msg, "dls");
	p->notshr = xs_msg_bool(msg, "notshr");
	const char *tid = xs_msg_str(msg, "tid", "");
	p->mine_only = !p->notshr && !*tid; /* a file share: take only what this target owns */
	if (*tid && strcmp(tid, node_id()))
		p->src[0] = '\0'; /* another target's files: nothing to do here */
	char s[XACT_ERR_MAX];
	snprintf(s, sizeof(s), "src:%.200s, dst:%.200s, flags:%s%s%s%s", src, p->dst, p->rcr ? "recurs" : "non-recurs",
		 p->ovw ? ",overwrite" : "", p->dls ? ",delete-src" : "", p->notshr ? ",not-file-share" : "");
	xact_set_ctlmsg(x, s);
	return 0;
}

/* read fd into the writer of o */
static int pr_write_local(pr_t *p, const obj_t *o, int fd, int64_t size)
{
	obj_put_opts_t opt = {.size_hint = size, .acct = OBJ_ACCT_PUT, .tag = "prm"};
	obj_put_t *w = NULL;
	obj_why_t why;
	int rc = obj_put_begin(o, &opt, &w, &why);
	if (rc)
		return rc;
	char *buf = malloc(1 << 20);
	if (!buf) {
		obj_put_abort(w, AIS_ENOMEM);
		return AIS_ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 20);
		if (n < 0) {
			rc = AIS_EIO;
			break;
		}
		if (!n)
			break;
		if ((rc = obj_put_write(w, buf, (size_t)n)))
			break;
	}
	free(buf);
	if (rc) {
		obj_put_abort(w, rc);
		return rc;
	}
	obj_put_res_t res;
	rc = obj_put_commit(w, &res, &why);
	lom_md_fini(&res.md);
	return rc;
}

/* the owner's native PUT (its redirect marker: served where it lands) */
static int pr_write_peer(pr_t *p, const snode_t *peer, const char *oname, int fd, int64_t size)
{
	char *eb = url_encode(p->j.b->name, false), *eo = url_encode(oname, true);
	sbuf_t u = SBUF_INIT;
	sbuf_addf(&u, "%s/v1/objects/%s/%s?provider=%s&", peer->pub.url, eb ? eb : "", eo ? eo : "", p->j.b->provider);
	free(eb);
	free(eo);
	/* the redirect marks, signed (net/rsig.h): the owner serves it where it lands */
	sbuf_t path = SBUF_INIT;
	sbuf_addf(&path, "/v1/objects/%s/%s", p->j.b->name, oname);
	int src = path.oom ? AIS_ENOMEM : rsig_sign(&u, "PUT", sbuf_str(&path), node_id(), peer->id, (int64_t)now_ns(), NULL);
	sbuf_fini(&path);
	if (src || u.oom) {
		xact_add_err(p->j.x, "promote %s to t[%s]: cannot sign the request: %s", oname, peer->id,
			     err_str(src ? src : AIS_ENOMEM));
		sbuf_fini(&u);
		return src ? src : AIS_ENOMEM;
	}
	bk_http_req_t q;
	bk_http_init(&q, "PUT", sbuf_str(&u));
	q.node_tls = true; /* intra-cluster: https as the node's own clients */
	q.body_fd = fd;
	q.body_size = size;
	bk_http_do(&q);
	int rc = q.rc ? q.rc : q.status == 200 ? 0 : bk_status_rc(q.status);
	if (rc)
		xact_add_err(p->j.x, "promote %s to t[%s]: %d %.200s", oname, peer->id, q.status, sbuf_str(&q.resp));
	bk_http_fini(&q);
	sbuf_fini(&u);
	return rc;
}

static void pr_file(pr_t *p, const char *path, const char *rel)
{
	char oname[FQN_OBJNAME_MAX + 256];
	if (snprintf(oname, sizeof(oname), "%s%s", p->dst, rel) >= (int)sizeof(oname))
		return;
	obj_t o;
	memset(&o, 0, sizeof(o));
	if (obj_place(&o, p->j.b, oname)) {
		xact_add_err(p->j.x, "promote %s: invalid object name \"%s\"", path, oname);
		return;
	}
	snode_t peer;
	bool remote_owner = obj_remote_owner(p->j.b, oname, &peer);
	if (remote_owner && p->mine_only)
		return;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		xact_add_err(p->j.x, "promote: open %s: failed", path);
		if (fd >= 0)
			close(fd);
		return;
	}
	int rc = 0;
	if (!remote_owner) {
		if (xs_obj_size(&o) >= 0 && !p->ovw) {
			close(fd);
			return;
		}
		rc = pr_write_local(p, &o, fd, st.st_size);
		if (rc)
			xact_add_err(p->j.x, "promote %s => %s: %s", path, oname, err_str(rc));
	} else {
		rc = pr_write_peer(p, &peer, oname, fd, st.st_size);
	}
	close(fd);
	if (rc)
		return;
	xact_objs_add(p->j.x, 1, st.st_size);
	if (p->dls && unlink(path))
		xact_add_err(p->j.x, "promote: failed to remove source %s", path);
}

static void pr_walk(pr_t *p, const char *dir, size_t base, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) && !xact_aborted(p->j.x)) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		char path[4096];
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		struct stat st;
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (p->rcr && depth < PR_MAX_DEPTH)
				pr_walk(p, path, base, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			pr_file(p, path, path + base);
		}
	}
	if (d)
		closedir(d);
}

static void pr_run(xact_t *x)
{
	pr_t *p = xact_priv(x);
	if (!p->src[0])
		return;
	struct stat st;
	if (stat(p->src, &st)) {
		if (!p->mine_only) /* a file share is seen by all: report once per target that lacks it */
			xact_add_err(x, "promote: %s: no such file or directory", p->src);
		else
			xact_add_err(x, "promote: %s: no such file or directory", p->src);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (p->dst[0] && p->dst[strlen(p->dst) - 1] != '/') /* a directory's objects: "<obj>/<path>" */
			strncat(p->dst, "/", sizeof(p->dst) - strlen(p->dst) - 1);
		pr_walk(p, p->src, strlen(p->src) + 1, 0);
	} else {
		const char *base = strrchr(p->src, '/');
		char rel[4096] = "";
		if (!p->dst[0] || p->dst[strlen(p->dst) - 1] == '/')
			snprintf(rel, sizeof(rel), "%s", base ? base + 1 : p->src);
		pr_file(p, p->src, rel);
	}
}

const xact_ops_t xs_promote_ops = {.prep = pr_prep, .run = pr_run, .fini = xs_job_fini};
