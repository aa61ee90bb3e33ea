/* treb_ver: retained object versions (obj/obj_ver.h, S3 versioning) follow their object in a
 * rebalance. After the traverse sent the current objects, each target walks the %ov versions it
 * keeps and sends every version whose object another target owns under the run's Smap over the
 * "reb-ver" stream (one frame per version: the header names the object, the opaque is the
 * version's LOM as stored, the payload its bytes by sendfile), waiting for the owner's reply;
 * once installed there (or the owner has that version already) the local file goes. The
 * receiver takes a version whole into memory (at most TREB_VER_MAX; a larger one stays where it
 * is, reported as the job's error) and installs it with obj_ver_install (never replacing a
 * version it has). A delete marker is an empty version: it moves the same way. A version this
 * target keeps on another mountpath than its object's HRW one is moved there on the way (the
 * resilver does the same: xs_resilver.c).
 * Must not: touch current objects (treb_send.c moves them). */
#include "target/treb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/log.h"
#include "fs/fs.h"
#include "obj/lom.h"
#include "obj/obj_ver.h"
#include "target/tmove_int.h"
#include "transport/transport.h"

#define TREB_VER_TRNAME "reb-ver"
#define TREB_VER_MAX ((int64_t)256 << 20)

/* ---------------------------------------------------------------- sending */

typedef struct tv {
	treb_run_t *run;
	const bck_t *bck;
	int mpi;
	int64_t sent, moved, failed;
	char first_err[200];
} tv_t;

static void tv_fail(tv_t *c, const char *name, const char *why)
{
	if (!c->failed++)
		snprintf(c->first_err, sizeof(c->first_err), "%.120s: %.70s", name, why);
}

/* send the version file at fqn (LOM md) of o to t; 0 or AIS_E* (msg) */
static int tv_send(tv_t *c, const snode_t *t, const obj_t *o, const char *fqn, const lom_md_t *md, char *msg,
		   size_t mcap)
{
	unsigned char lom[LOM_MAX_ENCODED];
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	transport_stream_t *st;
	int fd = open(fqn, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? AIS_ENOTFOUND : err_from_errno(errno);
	struct stat sb;
	ssize_t ln = fgetxattr(fd, LOM_XATTR, lom, sizeof(lom));
	int rc = fstat(fd, &sb) || ln <= 0 ? AIS_EIO : 0;
	if (!rc && (sb.st_size != md->size || sb.st_size > TREB_VER_MAX))
		rc = sb.st_size > TREB_VER_MAX ? AIS_ETOOBIG : AIS_EIO;
	if (!rc)
		rc = transport_shared(transport_node(), t->data.url, TREB_VER_TRNAME, &st);
	if (rc) {
		close(fd);
		return rc;
	}
	tm_ns_split(o->bck->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	transport_obj_t f = {.hdr = {.provider = o->bck->provider, .ns_uuid = uuid, .ns_name = nsname,
				     .bucket = o->bck->name, .objname = o->oname, .size = sb.st_size,
				     .payload_len = (uint64_t)sb.st_size, .opaque = lom, .opaque_len = (uint32_t)ln},
			     .src = sb.st_size ? TRANSPORT_SRC_FD : TRANSPORT_SRC_NONE, .fd = fd, .off = 0,
			     .want_reply = true, .reply_timeout_ms = tm_timeout_ms()};
	rc = transport_send_wait(st, &f, msg, mcap);
	close(fd);
	(void)c;
	return rc;
}

static int tv_visit(void *arg, const char *fqn)
{
	tv_t *c = arg;
	if (xact_aborted(c->run->x))
		return 1;
	obj_t o;
	lom_md_t md;
	int64_t seq;
	lom_md_init(&md);
	int rc = obj_ver_ident(c->bck, fqn, &o, &md, &seq);
	if (rc) {
		lom_md_fini(&md);
		return 0; /* (not a version file: not ours to move) */
	}
	const snode_t *owner = smap_owner_of(c->run->smap, c->bck->provider, c->bck->ns, c->bck->name, o.oname);
	char msg[160] = "";
	if (owner && strcmp(owner->id, node_id())) {
		rc = tv_send(c, owner, &o, fqn, &md, msg, sizeof(msg));
		if (!rc || rc == AIS_EEXIST) {
			unlink(fqn);
			c->sent++;
		} else if (rc != AIS_ENOTFOUND) {
			tv_fail(c, o.oname, msg[0] ? msg : err_str(rc));
		}
	} else if (owner && o.mpi != c->mpi) { /* ours, on another mountpath than its object's */
		if ((rc = obj_ver_move_here(&o, seq, fqn)))
			tv_fail(c, o.oname, err_str(rc));
		else
			c->moved++;
	}
	lom_md_fini(&md);
	return 0;
}

int treb_ver_send_all(treb_run_t *run)
{
	bmd_t *bmd = bmd_get();
	tv_t c = {.run = run};
	for (int b = 0; bmd && b < bmd->nbcks && !xact_aborted(run->x); b++) {
		c.bck = &bmd->bcks[b];
		if (bck_node_local(c.bck->provider, c.bck->name))
			continue;
		for (int i = 0; i < fs_count() && !xact_aborted(run->x); i++) {
			if (!fs_in_use(i))
				continue;
			c.mpi = i;
			int rc = obj_ver_walk(c.bck, i, tv_visit, &c);
			if (rc < 0)
				tv_fail(&c, fs_get(i)->path, err_str(rc));
		}
	}
	bmd_put(bmd);
	if (c.sent || c.moved || c.failed)
		log_info("rebalance[g%lld]: retained versions: %lld sent to their owners, %lld moved to their mountpath, "
			 "%lld failed", (long long)run->id, (long long)c.sent, (long long)c.moved, (long long)c.failed);
	if (c.failed && !xact_aborted(run->x)) {
		xact_add_err(run->x, "%lld retained version(s) not moved, e.g. %s", (long long)c.failed, c.first_err);
		return AIS_EUNAVAIL;
	}
	return 0;
}

/* ---------------------------------------------------------------- receiving */

typedef struct tvr {
	tm_task_t task;
	transport_replyto_t to;
	bool want_reply;
	char provider[TFRAME_PROVIDER_MAX + 1], ns[2 * TFRAME_NS_MAX + 4], bucket[TFRAME_BUCKET_MAX + 1];
	char *name;
	unsigned char lom[LOM_MAX_ENCODED];
	size_t lom_len;
	unsigned char *buf;
	size_t len, cap;
} tvr_t;

static void tvr_free(tvr_t *x)
{
	if (!x)
		return;
	free(x->name);
	free(x->buf);
	free(x);
}

static void tvr_reply(tvr_t *x, int rc, const char *msg)
{
	if (x->want_reply)
		transport_reply(transport_node(), &x->to, rc, msg);
}

static void tvr_install(tm_task_t *t)
{
	tvr_t *x = (tvr_t *)t;
	obj_t o;
	obj_why_t why;
	lom_md_t md;
	char msg[200] = "";
	lom_md_init(&md);
	memset(&o, 0, sizeof(o));
	int rc = lom_decode(x->lom, x->lom_len, &md);
	int64_t seq = rc ? -1 : strtoll(md.version, NULL, 10);
	if (!rc && seq <= 0)
		rc = AIS_EINVAL;
	if (!rc && (rc = obj_init(&o, x->provider, x->ns, x->bucket, x->name, &why)))
		snprintf(msg, sizeof(msg), "%s: %s", obj_why_str(why), x->name);
	if (!rc) {
		rc = obj_ver_install(&o, seq, &md, x->buf, x->len);
		if (rc == AIS_EEXIST)
			rc = 0; /* (that version is here already) */
		if (rc)
			snprintf(msg, sizeof(msg), "%.120s: version %lld not stored: %s", x->name, (long long)seq, err_str(rc));
	}
	if (rc)
		log_warn("rebalance: %s", msg[0] ? msg : err_str(rc));
	tvr_reply(x, rc, msg);
	obj_fini(&o);
	lom_md_fini(&md);
	tvr_free(x);
}

static int tvr_on_begin(void *arg, transport_rx_t *rx, const tframe_hdr_t *h, void **ctx)
{
	(void)arg;
	if (!h->opaque_len || h->opaque_len > LOM_MAX_ENCODED || (int64_t)h->payload_len > TREB_VER_MAX)
		return AIS_EINVAL;
	tvr_t *x = calloc(1, sizeof(*x));
	if (!x || !(x->name = strdup(h->objname ? h->objname : ""))) {
		free(x);
		return AIS_ENOMEM;
	}
	snprintf(x->provider, sizeof(x->provider), "%s", h->provider && *h->provider ? h->provider : "ais");
	tm_ns_join(h->ns_uuid, h->ns_name, x->ns, sizeof(x->ns));
	snprintf(x->bucket, sizeof(x->bucket), "%s", h->bucket ? h->bucket : "");
	memcpy(x->lom, h->opaque, h->opaque_len);
	x->lom_len = h->opaque_len;
	x->cap = (size_t)h->payload_len;
	int rc = x->cap && !(x->buf = malloc(x->cap)) ? AIS_ENOMEM : 0;
	if (!rc && (h->flags & TFRAME_F_REPLY)) {
		x->want_reply = true;
		rc = transport_rx_replyto(rx, h, &x->to);
	}
	if (rc) {
		tvr_free(x);
		return rc;
	}
	*ctx = x;
	return 0;
}

static int tvr_on_data(void *ctx, transport_rx_t *rx, const void *data, size_t len)
{
	(void)rx;
	tvr_t *x = ctx;
	return transport_rx_append(x->buf, x->cap, &x->len, data, len);
}

static int tvr_on_end(void *ctx, transport_rx_t *rx, int status)
{
	(void)rx;
	tvr_t *x = ctx;
	if ((status = transport_rx_whole(x->cap, x->len, status))) {
		tvr_reply(x, status, "incomplete version");
		tvr_free(x);
		return 0;
	}
	x->task.fn = tvr_install;
	tm_submit(&x->task);
	return 0;
}

static const transport_rx_ops_t tvr_ops = {.on_begin = tvr_on_begin, .on_data = tvr_on_data, .on_end = tvr_on_end};

int treb_ver_init(void)
{
	transport_ep_t *ep = transport_node();
	return ep ? transport_register(ep, TREB_VER_TRNAME, &tvr_ops, NULL) : AIS_EINVAL;
}

void treb_ver_fini(void)
{
	transport_ep_t *ep = transport_node();
	if (ep)
		transport_unregister(ep, TREB_VER_TRNAME);
}
